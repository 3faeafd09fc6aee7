/* bench-stream.c — figure 1 of the speed suite: the client's cost per
 * streamed token.
 *
 * A 10,000-token response from the fake server (in its own thread) goes
 * through the display-free path: socket → parsed event → session signals →
 * the review model (a streaming apply_patch, parsed into a SparkChangeset
 * whose hunks are matched against real files) and a text-delta handler.
 * Half the tokens or so are answer text, the rest the patch, both cut into
 * 4-byte deltas like a model's tokens. The instruction count is also taken
 * with the chat's transcript model (src/ui, GLib only) following the
 * session, as the window does.
 *
 *  - CPU per token (this thread's CPU time), WebSocket and HTTP+SSE,
 *    against a baseline in the same run: a bare client that receives the
 *    same bytes over the same transport and parses nothing.
 *  - Instructions per token under callgrind (repeatable on a noisy
 *    machine): this program runs itself as a client under valgrind against
 *    its own server thread, instruments only send → response.completed,
 *    and takes the difference between a 10,000- and a 1,000-token stream,
 *    so the fixed cost of a turn drops out. Baseline: the same bare client;
 *    the note adds what json-glib alone spends building a tree for every
 *    event, which any client parsing the events with it pays first.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libsoup/soup.h>

#ifdef HAVE_CALLGRIND_H
# include <valgrind/callgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
# define CALLGRIND_START_INSTRUMENTATION
# define CALLGRIND_STOP_INSTRUMENTATION
# define CALLGRIND_ZERO_STATS
# define CALLGRIND_DUMP_STATS_AT(name)
#endif

#include "spark-bench.h"
#include "spark-bench-server.h"
#include "spark-session.h"
#include "spark-test-utils.h"
#include "spark-transcript.h"
#include "spark-ws-client.h"

#define TOKENS        10000
#define SMALL_TOKENS  1000
#define ROUNDS        5
#define TOKEN_BYTES   4
#define HUNKS_PER     8
#define LINES_PER     80

/* The stream */

static guint
n_files_for (guint tokens)
{
  return MAX (1, tokens / 500);
}

static char *
file_line (guint f,
           guint l)
{
  return g_strdup_printf ("  total_%u += compute_%u (items[%u], %u);", f, l, l, l * 7);
}

static void
make_tree (const char *root,
           guint       n_files)
{
  for (guint f = 0; f < n_files; f++)
    {
      g_autofree char *name = g_strdup_printf ("src/part%02u.c", f);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint l = 0; l < LINES_PER; l++)
        {
          g_autofree char *line = file_line (f, l);
          g_string_append_printf (text, "%s\n", line);
        }
      spark_test_write_file (root, name, text->str);
    }
}

static char *
make_patch (guint n_files)
{
  GString *patch = g_string_new ("*** Begin Patch\n");

  for (guint f = 0; f < n_files; f++)
    {
      g_string_append_printf (patch, "*** Update File: src/part%02u.c\n", f);
      for (guint h = 0; h < HUNKS_PER; h++)
        {
          guint l = h * (LINES_PER / HUNKS_PER) + 4;
          g_autofree char *before = file_line (f, l - 1);
          g_autofree char *old = file_line (f, l);
          g_autofree char *after = file_line (f, l + 1);

          g_string_append_printf (patch, "@@\n %s\n-%s\n+  total_%u -= %u;\n %s\n",
                                  before, old, f, l, after);
        }
    }
  g_string_append (patch, "*** End Patch\n");

  return g_string_free (patch, FALSE);
}

static void
append_json_string (GString    *out,
                    const char *text,
                    gssize      length)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *copy = g_strndup (text, length < 0 ? strlen (text) : (gsize) length);
  g_autofree char *json = NULL;

  json_node_set_string (node, copy);
  json = json_to_string (node, FALSE);
  g_string_append (out, json);
}

typedef struct
{
  char  *jsonl;
  guint  n_lines;
  guint  n_files;
  guint  text_tokens;
  guint  patch_tokens;
  gsize  text_bytes;
} Stream;

static void
stream_clear (Stream *stream)
{
  g_clear_pointer (&stream->jsonl, g_free);
}

/* A response as the Responses API streams it: a message, then an
 * apply_patch custom tool call, each announced, streamed in deltas,
 * finished with its whole content, and the whole output again in
 * response.completed. */
static void
make_stream (guint   tokens,
             Stream *out)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(GString) call = g_string_new (NULL);
  g_autofree char *patch = NULL;
  gsize patch_len;
  guint seq = 0;

  out->n_files = n_files_for (tokens);
  patch = make_patch (out->n_files);
  patch_len = strlen (patch);
  out->patch_tokens = (patch_len + TOKEN_BYTES - 1) / TOKEN_BYTES;
  g_assert (out->patch_tokens < tokens);
  out->text_tokens = tokens - out->patch_tokens;

  g_string_append_printf (s, "{\"type\":\"response.created\",\"sequence_number\":%u,\"response\":"
                          "{\"id\":\"__RESP__\",\"object\":\"response\",\"status\":\"in_progress\","
                          "\"model\":\"bench-model\",\"output\":[]}}\n", seq++);
  g_string_append_printf (s, "{\"type\":\"response.output_item.added\",\"sequence_number\":%u,"
                          "\"output_index\":0,\"item\":{\"id\":\"msg___RESP__\",\"type\":\"message\","
                          "\"role\":\"assistant\",\"status\":\"in_progress\",\"content\":[]}}\n", seq++);
  for (guint i = 0; i < out->text_tokens; i++)
    {
      g_autofree char *token = g_strdup_printf (" w%03u", i % 1000);

      g_string_append (text, token);
      g_string_append_printf (s, "{\"type\":\"response.output_text.delta\",\"sequence_number\":%u,"
                              "\"item_id\":\"msg___RESP__\",\"output_index\":0,\"content_index\":0,"
                              "\"delta\":\"%s\",\"logprobs\":[]}\n", seq++, token);
    }
  out->text_bytes = text->len;

  g_string_append (message, "{\"id\":\"msg___RESP__\",\"type\":\"message\",\"role\":\"assistant\","
                            "\"status\":\"completed\",\"content\":[{\"type\":\"output_text\","
                            "\"annotations\":[],\"text\":");
  append_json_string (message, text->str, text->len);
  g_string_append (message, "}]}");
  g_string_append_printf (s, "{\"type\":\"response.output_item.done\",\"sequence_number\":%u,"
                          "\"output_index\":0,\"item\":%s}\n", seq++, message->str);

  g_string_append_printf (s, "{\"type\":\"response.output_item.added\",\"sequence_number\":%u,"
                          "\"output_index\":1,\"item\":{\"id\":\"ctc___RESP__\",\"type\":\"custom_tool_call\","
                          "\"status\":\"in_progress\",\"call_id\":\"call___RESP__\",\"name\":\"apply_patch\","
                          "\"input\":\"\"}}\n", seq++);
  for (gsize off = 0; off < patch_len; off += TOKEN_BYTES)
    {
      g_string_append_printf (s, "{\"type\":\"response.custom_tool_call_input.delta\","
                              "\"sequence_number\":%u,\"item_id\":\"ctc___RESP__\",\"output_index\":1,"
                              "\"delta\":", seq++);
      append_json_string (s, patch + off, MIN (TOKEN_BYTES, patch_len - off));
      g_string_append (s, "}\n");
    }

  g_string_append (call, "{\"id\":\"ctc___RESP__\",\"type\":\"custom_tool_call\",\"status\":\"completed\","
                         "\"call_id\":\"call___RESP__\",\"name\":\"apply_patch\",\"input\":");
  append_json_string (call, patch, patch_len);
  g_string_append (call, "}");
  g_string_append_printf (s, "{\"type\":\"response.output_item.done\",\"sequence_number\":%u,"
                          "\"output_index\":1,\"item\":%s}\n", seq++, call->str);
  g_string_append_printf (s, "{\"type\":\"response.completed\",\"sequence_number\":%u,\"response\":"
                          "{\"id\":\"__RESP__\",\"object\":\"response\",\"status\":\"completed\","
                          "\"model\":\"bench-model\",\"output\":[%s,%s],\"usage\":{\"input_tokens\":900,"
                          "\"output_tokens\":%u,\"total_tokens\":%u}}}\n",
                          seq++, message->str, call->str, tokens, tokens + 900);

  out->n_lines = seq;
  out->jsonl = g_strdup (s->str);
}

/* The client: session, transcript and review model */

typedef struct
{
  SparkSession    *session;
  SparkTranscript *transcript;
  SparkChangeset  *changeset;
  SparkToolCall   *call;
  gboolean         completed;
  gboolean         finished;
  gint64           cpu_at_completed;
  gint64           wall_at_completed;
  char            *message_id;
  gsize            text_bytes;
  gboolean         started;
  GError          *error;
} Client;

/* What a view does with a text delta at the least: take it in. */
static void
on_text_delta (SparkSession *session,
               const char   *item_id,
               const char   *delta,
               Client       *c)
{
  c->text_bytes += strlen (delta);
}

static void
on_tool_call_started (SparkSession  *session,
                      SparkToolCall *call,
                      Client        *c)
{
  if (spark_tool_call_is_patch (call))
    g_set_object (&c->changeset, spark_session_get_changeset (session, call));
}

static void
on_response_completed (SparkSession     *session,
                       const char       *response_id,
                       SparkTurnTimings *timings,
                       Client           *c)
{
  CALLGRIND_STOP_INSTRUMENTATION;
  c->cpu_at_completed = spark_bench_thread_cpu_us ();
  c->wall_at_completed = g_get_monotonic_time ();
  c->completed = TRUE;
  g_free (c->message_id);
  c->message_id = g_strconcat ("msg_", response_id, NULL);
}

/* Like the review pane in "ask" mode: the patch waits for the person. */
static gboolean
on_review (SparkApprovalPolicy *policy,
           SparkToolCall       *call,
           Client              *c)
{
  g_set_object (&c->call, call);
  return TRUE;
}

static void
on_turn_finished (SparkSession *session,
                  const GError *error,
                  Client       *c)
{
  c->finished = TRUE;
}

static void
on_error (SparkSession *session,
          const GError *error,
          Client       *c)
{
  if (c->error == NULL)
    c->error = g_error_copy (error);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Client *c = user_data;

  if (!spark_session_start_finish (SPARK_SESSION (object), result, &c->error))
    g_error ("start: %s", c->error->message);
  c->started = TRUE;
}

/* @transcript: also fill the chat's transcript model, as the window does. */
static void
client_init (Client             *c,
             const char         *url,
             const char         *root,
             const char         *store,
             SparkTransportKind  kind,
             gboolean            transcript)
{
  memset (c, 0, sizeof *c);
  c->session = spark_session_new (root);
  g_object_set (c->session, "endpoint", url, "api-key", "sk-bench", "store-dir", store,
                "transport-kind", kind, NULL);
  if (transcript)
    {
      c->transcript = spark_transcript_new ();
      spark_transcript_follow_session (c->transcript, c->session);
    }
  g_signal_connect (c->session, "text-delta", G_CALLBACK (on_text_delta), c);
  g_signal_connect (c->session, "tool-call-started", G_CALLBACK (on_tool_call_started), c);
  g_signal_connect (c->session, "response-completed", G_CALLBACK (on_response_completed), c);
  g_signal_connect (c->session, "turn-finished", G_CALLBACK (on_turn_finished), c);
  g_signal_connect (c->session, "error", G_CALLBACK (on_error), c);
  g_signal_connect (spark_session_get_approval_policy (c->session), "review",
                    G_CALLBACK (on_review), c);

  spark_session_start_async (c->session, NULL, start_cb, c);
  while (!c->started)
    g_main_context_iteration (NULL, TRUE);
}

static void
client_clear (Client *c)
{
  g_signal_handlers_disconnect_by_data (spark_session_get_approval_policy (c->session), c);
  g_signal_handlers_disconnect_by_data (c->session, c);
  if (c->transcript != NULL)
    spark_transcript_follow_session (c->transcript, NULL);
  spark_session_close (c->session);
  g_clear_object (&c->transcript);
  g_clear_object (&c->session);
  g_clear_object (&c->changeset);
  g_clear_object (&c->call);
  g_clear_pointer (&c->message_id, g_free);
  g_clear_error (&c->error);
}

static guint
count_hunks (SparkChangeset *changeset)
{
  guint n = 0;

  for (guint i = 0; changeset && i < spark_changeset_get_n_files (changeset); i++)
    {
      SparkFileChange *file = spark_changeset_get_file (changeset, i);

      if (spark_file_change_get_error (file) != NULL)
        g_error ("%s: %s", spark_file_change_get_path (file), spark_file_change_get_error (file)->message);
      n += spark_file_change_get_n_hunks (file);
    }

  return n;
}

/* Runs one turn; returns this thread's CPU time from send to
 * response.completed, in µs. */
static gint64
client_turn (Client       *c,
             const Stream *stream,
             gboolean      instrument,
             gint64       *wall_us)
{
  SparkTranscriptItem *answer;
  gint64 cpu0, wall0;
  guint hunks;

  c->completed = c->finished = FALSE;
  c->text_bytes = 0;
  g_clear_object (&c->changeset);
  g_clear_object (&c->call);

  cpu0 = spark_bench_thread_cpu_us ();
  wall0 = g_get_monotonic_time ();
  if (instrument)
    CALLGRIND_START_INSTRUMENTATION;
  spark_session_send (c->session, "Rename total to sum, and say what you did");
  while (!c->completed && c->error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (instrument)
    CALLGRIND_STOP_INSTRUMENTATION;
  if (c->error != NULL)
    g_error ("turn failed: %s", c->error->message);

  /* The patch waits for review: the figure ends here, the turn too. */
  while (c->call == NULL)
    g_main_context_iteration (NULL, TRUE);
  hunks = count_hunks (c->changeset);
  if (hunks != stream->n_files * HUNKS_PER)
    g_error ("review model holds %u hunks, expected %u", hunks, stream->n_files * HUNKS_PER);
  if (c->text_bytes != stream->text_bytes)
    g_error ("%" G_GSIZE_FORMAT " bytes of answer text, expected %" G_GSIZE_FORMAT,
             c->text_bytes, stream->text_bytes);
  if (c->transcript != NULL)
    {
      answer = spark_transcript_lookup (c->transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, c->message_id);
      if (answer == NULL || spark_transcript_item_get_length (answer) != stream->text_bytes)
        g_error ("the transcript holds %" G_GSIZE_FORMAT " bytes of answer, expected %" G_GSIZE_FORMAT,
                 answer ? spark_transcript_item_get_length (answer) : 0, stream->text_bytes);
    }
  spark_session_stop (c->session);
  while (!c->finished)
    g_main_context_iteration (NULL, TRUE);

  if (wall_us != NULL)
    *wall_us = c->wall_at_completed - wall0;
  return c->cpu_at_completed - cpu0;
}

/* The baseline: the same bytes received, nothing parsed */

typedef struct
{
  guint     frames;
  guint     expected;
  gsize     bytes;
  gboolean  done;
  GError   *error;
  SparkWsClient *conn;
  GInputStream *body;
  char      buffer[64 * 1024];
} Raw;

static void
raw_message (SparkWsClient *conn,
             gboolean       text,
             const char    *data,
             gsize          length,
             gpointer       user_data)
{
  Raw *raw = user_data;

  raw->bytes += length;
  if (++raw->frames == raw->expected)
    raw->done = TRUE;
}

static void
raw_closed (SparkWsClient *conn,
            gushort        code,
            const char    *reason,
            const GError  *error,
            gpointer       user_data)
{
  Raw *raw = user_data;

  if (error != NULL && raw->error == NULL)
    raw->error = g_error_copy (error);
  raw->done = TRUE;
}

static const SparkWsClientFuncs raw_funcs = { raw_message, raw_closed };
static const SparkWsClientFuncs no_funcs = { NULL, NULL };

static void
raw_ws_connected (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Raw *raw = user_data;

  raw->conn = spark_ws_client_connect_finish (result, NULL, NULL, NULL, &raw->error);
  raw->done = TRUE;
}

static void
raw_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Raw *raw = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &raw->error);

  if (n <= 0)
    {
      raw->done = TRUE;
      return;
    }
  raw->bytes += n;
  g_input_stream_read_async (raw->body, raw->buffer, sizeof raw->buffer, G_PRIORITY_DEFAULT,
                             NULL, raw_read_cb, raw);
}

static void
raw_sent_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Raw *raw = user_data;

  raw->body = soup_session_send_finish (SOUP_SESSION (object), result, &raw->error);
  if (raw->body == NULL)
    {
      raw->done = TRUE;
      return;
    }
  g_input_stream_read_async (raw->body, raw->buffer, sizeof raw->buffer, G_PRIORITY_DEFAULT,
                             NULL, raw_read_cb, raw);
}

static const char raw_request[] =
  "{\"type\":\"response.create\",\"model\":\"bench-model\",\"store\":false,\"input\":"
  "[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"go\"}]}]}";

/* One response received by a bare client; returns this thread's CPU time
 * from the request to the last byte, in µs. */
static gint64
raw_turn (SoupSession  *soup,
          const char   *url,
          gboolean      websocket,
          const Stream *stream,
          gboolean      instrument)
{
  Raw *raw = g_new0 (Raw, 1);
  gint64 cpu0, cpu;

  raw->expected = stream->n_lines;

  if (websocket)
    {
      g_autofree char *ws_url = g_strconcat ("ws", url + strlen ("http"), "/responses", NULL);

      /* The transport's own frame reader (spark-ws-client.c). */
      spark_ws_client_connect_async (ws_url, NULL, NULL, NULL, raw_ws_connected, raw);
      while (!raw->done)
        g_main_context_iteration (NULL, TRUE);
      if (raw->conn == NULL)
        g_error ("raw WebSocket: %s", raw->error->message);
      spark_ws_client_start (raw->conn, &raw_funcs, raw);
      raw->done = FALSE;

      cpu0 = spark_bench_thread_cpu_us ();
      if (instrument)
        CALLGRIND_START_INSTRUMENTATION;
      spark_ws_client_send_text (raw->conn, raw_request, strlen (raw_request));
      while (!raw->done)
        g_main_context_iteration (NULL, TRUE);
      if (instrument)
        CALLGRIND_STOP_INSTRUMENTATION;
      cpu = spark_bench_thread_cpu_us () - cpu0;
      if (raw->error != NULL)
        g_error ("raw WebSocket: %s", raw->error->message);

      spark_ws_client_start (raw->conn, &no_funcs, NULL);
      spark_ws_client_close (raw->conn, 1000, NULL);
      g_clear_object (&raw->conn);
    }
  else
    {
      g_autofree char *post_url = g_strconcat (url, "/responses", NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", post_url);
      g_autoptr(GBytes) body = g_bytes_new_static (raw_request, strlen (raw_request));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      cpu0 = spark_bench_thread_cpu_us ();
      if (instrument)
        CALLGRIND_START_INSTRUMENTATION;
      soup_session_send_async (soup, msg, G_PRIORITY_DEFAULT, NULL, raw_sent_cb, raw);
      while (!raw->done)
        g_main_context_iteration (NULL, TRUE);
      if (instrument)
        CALLGRIND_STOP_INSTRUMENTATION;
      cpu = spark_bench_thread_cpu_us () - cpu0;
      if (raw->error != NULL)
        g_error ("raw HTTP: %s", raw->error->message);
      g_clear_object (&raw->body);
    }

  g_clear_error (&raw->error);
  g_free (raw);
  return cpu;
}

/* Callgrind: the client half, run under valgrind by the parent */

static void
json_glib_parse_all (const Stream *stream)
{
  const char *p = stream->jsonl;

  while (*p != '\0')
    {
      const char *nl = strchr (p, '\n');
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      if (!json_parser_load_from_data (parser, p, nl - p, NULL))
        g_error ("bad stream line");
      p = nl + 1;
    }
}

/* Three turns of @c: the first warms the code paths (lazy type
 * registration, first-use caches) and is not counted. */
static void
callgrind_turns (Client       *c,
                 const Stream *small,
                 const Stream *big,
                 const char   *label)
{
  g_autofree char *small_name = g_strconcat (label, "-small", NULL);
  g_autofree char *big_name = g_strconcat (label, "-big", NULL);

  client_turn (c, small, FALSE, NULL);
  CALLGRIND_ZERO_STATS;
  client_turn (c, small, TRUE, NULL);
  CALLGRIND_DUMP_STATS_AT (small_name);
  client_turn (c, big, TRUE, NULL);
  CALLGRIND_DUMP_STATS_AT (big_name);
}

/* The order of the turns is the order of the streams bench_callgrind()
 * queues on the server. */
static int
run_callgrind_client (const char *url,
                      const char *root,
                      const char *transport)
{
  g_autofree char *store = spark_test_make_temp_dir ();
  gboolean websocket = g_str_equal (transport, "websocket");
  SparkTransportKind kind = websocket ? SPARK_TRANSPORT_KIND_WEBSOCKET : SPARK_TRANSPORT_KIND_HTTP;
  Stream small = { 0 }, big = { 0 };
  Client c;

  make_stream (SMALL_TOKENS, &small);
  make_stream (TOKENS, &big);

  client_init (&c, url, root, store, kind, FALSE);
  callgrind_turns (&c, &small, &big, "spark");
  client_clear (&c);

  client_init (&c, url, root, store, kind, TRUE);
  callgrind_turns (&c, &small, &big, "transcript");
  client_clear (&c);

  {
    g_autoptr(SoupSession) soup = soup_session_new ();

    raw_turn (soup, url, websocket, &small, FALSE);
    CALLGRIND_ZERO_STATS;
    raw_turn (soup, url, websocket, &small, TRUE);
    CALLGRIND_DUMP_STATS_AT ("raw-small");
    raw_turn (soup, url, websocket, &big, TRUE);
    CALLGRIND_DUMP_STATS_AT ("raw-big");
  }

  json_glib_parse_all (&small);
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
  json_glib_parse_all (&small);
  CALLGRIND_STOP_INSTRUMENTATION;
  CALLGRIND_DUMP_STATS_AT ("json-small");
  CALLGRIND_START_INSTRUMENTATION;
  json_glib_parse_all (&big);
  CALLGRIND_STOP_INSTRUMENTATION;
  CALLGRIND_DUMP_STATS_AT ("json-big");

  stream_clear (&small);
  stream_clear (&big);
  spark_test_rm_rf (store);
  return 0;
}

/* Reads the instruction totals of the dumps in @dir, by trigger name. */
static GHashTable *
read_callgrind_dumps (const char *dir)
{
  GHashTable *totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      char *trigger = NULL;
      double total = -1;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *prefix = "desc: Trigger: Client Request: ";

          if (g_str_has_prefix (lines[i], prefix))
            trigger = lines[i] + strlen (prefix);
          else if (g_str_has_prefix (lines[i], "summary: ") || g_str_has_prefix (lines[i], "totals: "))
            total = g_ascii_strtod (strchr (lines[i], ' ') + 1, NULL);
        }
      if (trigger != NULL && total >= 0)
        {
          double *value = g_new (double, 1);

          *value = total;
          g_hash_table_replace (totals, g_strdup (trigger), value);
        }
    }

  return totals;
}

/* Instructions per token of the segment pair @label-small, @label-big. */
static double
per_token (GHashTable *totals,
           const char *label)
{
  g_autofree char *small_name = g_strconcat (label, "-small", NULL);
  g_autofree char *big_name = g_strconcat (label, "-big", NULL);
  double *small = g_hash_table_lookup (totals, small_name);
  double *big = g_hash_table_lookup (totals, big_name);

  if (small == NULL || big == NULL)
    g_error ("callgrind wrote no dumps for %s", label);
  return (*big - *small) / (TOKENS - SMALL_TOKENS);
}

static void
bench_callgrind (const char *transport,
                 const char *root,
                 const Stream *small,
                 const Stream *big)
{
  g_autofree char *valgrind = g_find_program_in_path ("valgrind");
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *out_arg = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GHashTable) totals = NULL;
  g_autoptr(GError) error = NULL;
  SparkBenchServer *server;
  gboolean websocket = g_str_equal (transport, "websocket");
  double spark, transcript, raw, json;
  int status = 0;

#ifndef HAVE_CALLGRIND_H
  g_clear_pointer (&valgrind, g_free);
#endif
  if (valgrind == NULL || self_exe == NULL)
    {
      SparkBenchFigure figure = {
        .figure = "1", .name = websocket ? "instructions_per_token_ws" : "instructions_per_token_sse",
        .value = NAN, .unit = "instr", .target_op = "<=", .target = 5000,
        .note = "not measured: valgrind or valgrind/callgrind.h is missing",
      };
      spark_bench_print (&figure);
      return;
    }

  server = spark_bench_server_start (NULL);
  for (guint i = 0; i < 3; i++)
    {
      /* spark, transcript, raw: a warm-up, then the two counted turns. */
      spark_bench_server_push (server, small->jsonl);
      spark_bench_server_push (server, small->jsonl);
      spark_bench_server_push (server, big->jsonl);
    }

  dir = spark_test_make_temp_dir ();
  out_arg = g_strdup_printf ("--callgrind-out-file=%s/callgrind.out", dir);
  {
    const char *argv[] = { valgrind, "--tool=callgrind", "--instr-atstart=no", out_arg,
                           self_exe, "--callgrind-client", spark_bench_server_get_url (server),
                           root, transport, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      g_error ("callgrind client (%s): %s", transport, error->message);
  }
  spark_bench_server_stop (server);

  totals = read_callgrind_dumps (dir);
  spark = per_token (totals, "spark");
  transcript = per_token (totals, "transcript");
  raw = per_token (totals, "raw");
  json = per_token (totals, "json");
  /* SPARK_BENCH_KEEP_CALLGRIND=1 keeps the dumps for callgrind_annotate. */
  if (g_getenv ("SPARK_BENCH_KEEP_CALLGRIND") != NULL)
    g_printerr ("callgrind dumps (%s): %s\n", transport, dir);
  else
    spark_test_rm_rf (dir);

  note = g_strdup_printf ("callgrind, client process only, send → response.completed; "
                          "(10,000-token turn − 1,000-token turn) / 9,000, so the fixed cost of "
                          "a turn drops out; Spark's own share (value − baseline): %.0f; "
                          "%u text + %u patch tokens, %u files, %u hunks; "
                          "baseline: a bare client receiving the same bytes, parsing nothing "
                          "(libsoup's body read; for WebSocket the transport's own frame reader); "
                          "with the chat's transcript model following the session: "
                          "%.0f; json-glib alone, building a tree for every event: %.0f",
                          spark - raw, big->text_tokens, big->patch_tokens, big->n_files,
                          big->n_files * HUNKS_PER, transcript, json);
  {
    SparkBenchFigure figure = {
      .figure = "1",
      .name = websocket ? "instructions_per_token_ws" : "instructions_per_token_sse",
      .value = spark, .unit = "instr",
      .baseline = websocket ? "bare WebSocket receive" : "bare HTTP body read",
      .baseline_value = raw,
      .target_op = "<=", .target = 5000, .note = note,
    };
    spark_bench_print (&figure);
  }
}

/* CPU time, in process */

static void
bench_cpu (const char   *transport,
           const char   *root,
           const char   *store,
           const Stream *stream)
{
  gboolean websocket = g_str_equal (transport, "websocket");
  SparkBenchServer *server = spark_bench_server_start (NULL);
  g_autoptr(SoupSession) soup = soup_session_new ();
  g_autofree char *note = NULL;
  double spark[ROUNDS], raw[ROUNDS], wall[ROUNDS];
  double spark_us, raw_us, wall_ms;
  Client c;

  spark_bench_server_set_default (server, stream->jsonl);
  client_init (&c, spark_bench_server_get_url (server), root, store,
               websocket ? SPARK_TRANSPORT_KIND_WEBSOCKET : SPARK_TRANSPORT_KIND_HTTP, FALSE);

  /* One turn of each first, not counted: code paths, caches, sockets. */
  client_turn (&c, stream, FALSE, NULL);
  raw_turn (soup, spark_bench_server_get_url (server), websocket, stream, FALSE);
  for (guint r = 0; r < ROUNDS; r++)
    {
      gint64 wall_us = 0;

      spark[r] = (double) client_turn (&c, stream, FALSE, &wall_us) / TOKENS;
      wall[r] = wall_us / 1000.0;
      raw[r] = (double) raw_turn (soup, spark_bench_server_get_url (server), websocket, stream, FALSE) / TOKENS;
    }

  client_clear (&c);
  spark_bench_server_stop (server);

  spark_us = spark_bench_quantile (spark, ROUNDS, 0.5);
  raw_us = spark_bench_quantile (raw, ROUNDS, 0.5);
  wall_ms = spark_bench_quantile (wall, ROUNDS, 0.5);
  note = g_strdup_printf ("median of %d turns of %d tokens (%u text, %u patch into %u hunks), "
                          "%zu bytes; this thread's CPU time, send → response.completed, the "
                          "server in another thread; %.0f ms wall (%.0f tokens/s); baseline: "
                          "a bare client receiving the same bytes, parsing nothing",
                          ROUNDS, TOKENS, stream->text_tokens, stream->patch_tokens,
                          stream->n_files * HUNKS_PER, strlen (stream->jsonl), wall_ms,
                          TOKENS / (wall_ms / 1000.0));
  {
    SparkBenchFigure figure = {
      .figure = "1", .name = websocket ? "cpu_per_token_ws" : "cpu_per_token_sse",
      .value = spark_us, .unit = "us",
      .baseline = websocket ? "bare WebSocket receive" : "bare HTTP body read",
      .baseline_value = raw_us, .note = note,
    };
    spark_bench_print (&figure);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *root = NULL;
  g_autofree char *store = NULL;
  Stream small = { 0 }, big = { 0 };

  /* No quiet log handler: debug messages cost what they cost in the app. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  if (argc == 5 && g_str_equal (argv[1], "--callgrind-client"))
    return run_callgrind_client (argv[2], argv[3], argv[4]);

  make_stream (SMALL_TOKENS, &small);
  make_stream (TOKENS, &big);
  root = spark_test_make_temp_dir ();
  store = spark_test_make_temp_dir ();
  make_tree (root, big.n_files);

  /* bench-stream --profile websocket|http: only the callgrind run of one
   * transport, keeping its dumps for callgrind_annotate. */
  if (argc == 3 && g_str_equal (argv[1], "--profile"))
    {
      g_setenv ("SPARK_BENCH_KEEP_CALLGRIND", "1", TRUE);
      bench_callgrind (argv[2], root, &small, &big);
    }
  else
    {
      bench_cpu ("websocket", root, store, &big);
      bench_cpu ("http", root, store, &big);
      bench_callgrind ("websocket", root, &small, &big);
      bench_callgrind ("http", root, &small, &big);
    }

  stream_clear (&small);
  stream_clear (&big);
  spark_test_rm_rf (root);
  spark_test_rm_rf (store);
  return 0;
}
