/* spark-fake-server.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-fake-server"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "spark-fake-server.h"

typedef struct
{
  SparkFakeServer         *server;
  SoupWebsocketConnection *conn;
  guint                    id;
  char                    *last_response_id;
} WsConn;

struct _SparkFakeServer
{
  SoupServer *server;
  char       *base_url;
  GQueue      streams;
  GPtrArray  *requests;
  GPtrArray  *connections;
  GPtrArray  *replays;
  char       *default_text;
  char       *steer_reply;
  GHashTable *http_peers;
  char       *last_auth;
  char       *last_beta;
  char       *inject;             /* directive line for the next replay */
  guint       inject_after;       /* ...after this many events */
  guint       refuse_status;      /* the next refuse_count upgrades get it */
  guint       refuse_count;
  char       *refuse_retry_after;
  guint       drop_handshakes;    /* upgrades whose TCP connection is cut */
  guint       ws_status;
  guint       event_delay;
  guint       compact_status;
  char       *compact_body;
  guint       n_compacts;
  gboolean    reject_context_management;
  guint       n_handshakes;
  guint       n_posts;
  guint       n_connections;
  gint64      last_handshake_time;
  guint       response_counter;
  SparkFakeServerRequestFunc request_func;
  gpointer    request_data;
};

static char *
load_stream (const char *name)
{
  g_autofree char *path = spark_fake_server_stream_path (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("Cannot read stream %s: %s", path, error->message);

  return contents;
}

char *
spark_fake_server_stream_path (const char *name)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *file = g_strconcat (name, ".jsonl", NULL);

  return g_build_filename (srcdir ? srcdir : ".", "streams", file, NULL);
}

static JsonObject *
parse_object (const char *text,
              gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

/* Lines of bad-input streams may have a "type" that is no string. */
static const char *
string_member (JsonObject *object,
               const char *member,
               const char *fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static char *
to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

static char *
replace_all (const char *text,
             const char *from,
             const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);

  return g_strjoinv (to, parts);
}

static void
record (SparkFakeServer *self,
        JsonObject      *body,
        const char      *transport,
        guint            connection,
        gint64           started_at,
        gint64           received_at)
{
  const char *log = g_getenv ("SPARK_FAKE_SERVER_LOG");

  if (self->request_func != NULL)
    self->request_func (body, started_at, received_at, self->request_data);

  json_object_set_string_member (body, "_transport", transport);
  json_object_set_int_member (body, "_connection", connection);
  g_ptr_array_add (self->requests, json_object_ref (body));

  /* For manual runs against other clients (bench-agent --serve). */
  if (log != NULL)
    {
      g_autofree char *text = to_string (body);
      FILE *fp = fopen (log, "a");

      if (fp != NULL)
        {
          fprintf (fp, "%s\n", text);
          fclose (fp);
        }
    }
}

static char *
next_stream (SparkFakeServer *self)
{
  char *text = g_queue_pop_head (&self->streams);

  if (text == NULL && self->default_text != NULL)
    text = g_strdup (self->default_text);
  if (text == NULL)
    text = g_strdup ("{\"type\":\"error\",\"status\":500,\"error\":{\"type\":\"server_error\","
                     "\"code\":\"fake_server_empty\",\"message\":\"fake server: no stream queued\"}}\n");
  return text;
}

/* WebSocket */

typedef struct
{
  WsConn *ws;
  GStrv   lines;
  guint   index;
  guint   source;
  guint   n_sent;
  gint64  started;
  char   *response_id;
  guint   pause_ms;      /* a "delay" directive is due */
} Replay;

static void
replay_free (Replay *replay)
{
  g_ptr_array_remove_fast (replay->ws->server->replays, replay);
  g_strfreev (replay->lines);
  g_free (replay->response_id);
  g_free (replay);
}

/* Ends the TCP connection without a close frame: the client sees 1006. */
static void
abort_connection (SoupWebsocketConnection *conn)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (conn);

  if (G_IS_SOCKET_CONNECTION (stream))
    g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)), TRUE, TRUE, NULL);
  else
    g_io_stream_close (stream, NULL, NULL);
}

static gboolean
abort_cb (gpointer data)
{
  g_autoptr(SoupWebsocketConnection) conn = data;
  GBytes *cut = g_object_get_data (G_OBJECT (conn), "cut-frame");

  if (soup_websocket_connection_get_state (conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return G_SOURCE_REMOVE;

  /* Part of a frame, written under libsoup's feet once its queue is out. */
  if (cut != NULL)
    {
      GOutputStream *out = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (conn));

      g_output_stream_write_all (out, g_bytes_get_data (cut, NULL), g_bytes_get_size (cut),
                                 NULL, NULL, NULL);
      g_output_stream_flush (out, NULL, NULL);
    }
  abort_connection (conn);
  return G_SOURCE_REMOVE;
}

/* The header of an unmasked, uncompressed text frame of @length bytes,
 * followed by the first @keep bytes of @payload. */
static GBytes *
cut_frame_len (const char *payload,
               gsize       length,
               gsize       keep)
{
  GByteArray *frame = g_byte_array_new ();
  guint8 header[10];
  gsize n = 0;

  header[n++] = 0x81;
  if (length < 126)
    header[n++] = length;
  else if (length < 65536)
    {
      header[n++] = 126;
      header[n++] = length >> 8;
      header[n++] = length & 0xff;
    }
  else
    {
      header[n++] = 127;
      for (int shift = 56; shift >= 0; shift -= 8)
        header[n++] = ((guint64) length >> shift) & 0xff;
    }
  g_byte_array_append (frame, header, n);
  g_byte_array_append (frame, (const guint8 *) payload, MIN (keep, length));

  return g_byte_array_free_to_bytes (frame);
}

static GBytes *
cut_frame (const char *payload,
           gsize       keep)
{
  return cut_frame_len (payload, strlen (payload), keep);
}

static gboolean
write_raw_cb (gpointer data)
{
  g_autoptr(SoupWebsocketConnection) conn = data;
  GBytes *frame = g_object_get_data (G_OBJECT (conn), "raw-frame");
  GOutputStream *out;

  if (soup_websocket_connection_get_state (conn) != SOUP_WEBSOCKET_STATE_OPEN || frame == NULL)
    return G_SOURCE_REMOVE;

  out = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (conn));
  g_output_stream_write_all (out, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* libsoup 3.2 refuses to send the codes registered after RFC 6455 (1012
 * service restart, 1013 try again later, 1014 bad gateway) and the other
 * unassigned ones below 3000, sending 1002 instead, and a server may not
 * send 1010 through it. Real servers send them: write such a close frame by
 * hand, then end the connection. */
static gboolean
libsoup_can_send (guint code)
{
  return (code >= 1000 && code <= 1003) || code == 1005 || (code >= 1007 && code <= 1009) ||
         code == 1011 || code >= 3000;
}

static void
close_with_code (SoupWebsocketConnection *conn,
                 guint                    code,
                 const char              *reason)
{
  GByteArray *frame;
  guint8 header[4];
  gsize reason_len = reason ? MIN (strlen (reason), 123) : 0;

  if (code == 1006)
    {
      abort_connection (conn);
      return;
    }
  if (libsoup_can_send (code))
    {
      soup_websocket_connection_close (conn, code, reason);
      return;
    }

  header[0] = 0x88;
  header[1] = 2 + reason_len;
  header[2] = code >> 8;
  header[3] = code & 0xff;
  frame = g_byte_array_new ();
  g_byte_array_append (frame, header, 4);
  g_byte_array_append (frame, (const guint8 *) reason, reason_len);
  g_object_set_data_full (G_OBJECT (conn), "cut-frame", g_byte_array_free_to_bytes (frame),
                          (GDestroyNotify) g_bytes_unref);
  abort_cb (g_object_ref (conn));
}

static gboolean
close_cb (gpointer data)
{
  g_autoptr(SoupWebsocketConnection) conn = data;

  if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    close_with_code (conn, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (conn), "close-code")),
                     g_object_get_data (G_OBJECT (conn), "close-reason"));
  return G_SOURCE_REMOVE;
}

/* Timers go to the thread-default context: a benchmark may run the server
 * on a thread of its own. */
static guint
add_timeout (guint       interval_ms,
             GSourceFunc func,
             gpointer    data)
{
  GSource *source = g_timeout_source_new (interval_ms);
  guint id;

  g_source_set_callback (source, func, data, NULL);
  id = g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);

  return id;
}

/* {"$":"big-patch","bytes":N,"chunk":C,"path":P}: an apply_patch custom tool
 * call adding P with N bytes of "+x…" lines, streamed in deltas of C bytes,
 * then its done item and response.completed, as the service would. */
static void
send_big_patch (WsConn     *ws,
                Replay     *replay,
                JsonObject *directive)
{
  gsize bytes = json_object_get_int_member (directive, "bytes");
  gsize chunk = json_object_get_int_member_with_default (directive, "chunk", 64 * 1024);
  const char *path = json_object_get_string_member_with_default (directive, "path", "big.txt");
  g_autoptr(GString) patch = g_string_new (NULL);
  g_autoptr(JsonObject) item = json_object_new ();
  g_autoptr(JsonObject) done = json_object_new ();
  g_autoptr(JsonObject) completed = json_object_new ();
  JsonObject *response;
  JsonArray *output;
  g_autofree char *added = NULL;
  g_autofree char *text = NULL;
  gint64 seq = 100;

  g_string_append_printf (patch, "*** Begin Patch\n*** Add File: %s\n", path);
  while (patch->len < bytes)
    g_string_append (patch, "+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
  g_string_append (patch, "*** End Patch\n");

  added = g_strdup_printf ("{\"type\":\"response.output_item.added\",\"output_index\":0,\"sequence_number\":%"
                           G_GINT64_FORMAT ",\"item\":{\"id\":\"ctc_big\",\"type\":\"custom_tool_call\","
                           "\"status\":\"in_progress\",\"call_id\":\"call_big\",\"name\":\"apply_patch\","
                           "\"input\":\"\"}}", seq++);
  soup_websocket_connection_send_text (ws->conn, added);

  for (gsize off = 0; off < patch->len; off += chunk)
    {
      g_autoptr(JsonObject) delta = json_object_new ();
      g_autofree char *piece = g_strndup (patch->str + off, MIN (chunk, patch->len - off));
      g_autofree char *delta_text = NULL;

      json_object_set_string_member (delta, "type", "response.custom_tool_call_input.delta");
      json_object_set_string_member (delta, "item_id", "ctc_big");
      json_object_set_int_member (delta, "output_index", 0);
      json_object_set_string_member (delta, "delta", piece);
      json_object_set_int_member (delta, "sequence_number", seq++);
      delta_text = to_string (delta);
      soup_websocket_connection_send_text (ws->conn, delta_text);
    }

  json_object_set_string_member (item, "id", "ctc_big");
  json_object_set_string_member (item, "type", "custom_tool_call");
  json_object_set_string_member (item, "status", "completed");
  json_object_set_string_member (item, "call_id", "call_big");
  json_object_set_string_member (item, "name", "apply_patch");
  json_object_set_string_member (item, "input", patch->str);

  json_object_set_string_member (done, "type", "response.output_item.done");
  json_object_set_int_member (done, "output_index", 0);
  json_object_set_int_member (done, "sequence_number", seq++);
  json_object_set_object_member (done, "item", json_object_ref (item));
  text = to_string (done);
  soup_websocket_connection_send_text (ws->conn, text);
  g_clear_pointer (&text, g_free);

  response = json_object_new ();
  output = json_array_new ();
  json_array_add_object_element (output, json_object_ref (item));
  json_object_set_string_member (response, "id", replay->response_id);
  json_object_set_string_member (response, "status", "completed");
  json_object_set_array_member (response, "output", output);
  json_object_set_string_member (completed, "type", "response.completed");
  json_object_set_int_member (completed, "sequence_number", seq++);
  json_object_set_object_member (completed, "response", response);
  text = to_string (completed);
  soup_websocket_connection_send_text (ws->conn, text);

  g_free (ws->last_response_id);
  ws->last_response_id = g_strdup (replay->response_id);
}

/* Sends lines until done or a delay is due; returns TRUE when finished. */
static gboolean
replay_step (Replay *replay)
{
  WsConn *ws = replay->ws;

  while (replay->lines[replay->index] != NULL)
    {
      const char *line = replay->lines[replay->index++];
      g_autofree char *text = NULL;
      g_autoptr(JsonObject) event = NULL;
      const char *directive;

      if (line[0] == '\0')
        continue;

      if (soup_websocket_connection_get_state (ws->conn) != SOUP_WEBSOCKET_STATE_OPEN)
        return TRUE;

      text = replace_all (line, "__RESP__", replay->response_id);
      if (!(event = parse_object (text, strlen (text))))
        g_error ("Bad stream line: %s", line);

      if ((directive = string_member (event, "$", NULL)) != NULL)
        {
          if (strcmp (directive, "close") == 0)
            {
              guint code = json_object_get_int_member_with_default (event, "code", 1011);

              g_object_set_data_full (G_OBJECT (ws->conn), "close-reason",
                                      g_strdup (json_object_get_string_member_with_default (event, "reason", NULL)),
                                      g_free);
              g_object_set_data (G_OBJECT (ws->conn), "close-code", GUINT_TO_POINTER (code));
              /* Let queued frames go out first: a close frame jumps the queue. */
              add_timeout (30, close_cb, g_object_ref (ws->conn));
              g_clear_pointer (&ws->last_response_id, g_free);
              return TRUE;
            }
          else if (strcmp (directive, "cut") == 0)
            {
              const char *next = replay->lines[replay->index];
              g_autofree char *next_text = NULL;

              while (next != NULL && next[0] == '\0')
                next = replay->lines[++replay->index];
              next_text = replace_all (next ? next : "", "__RESP__", replay->response_id);
              g_object_set_data_full (G_OBJECT (ws->conn), "cut-frame",
                                      cut_frame (next_text, json_object_get_int_member (event, "bytes")),
                                      (GDestroyNotify) g_bytes_unref);
              add_timeout (30, abort_cb, g_object_ref (ws->conn));
              g_clear_pointer (&ws->last_response_id, g_free);
              return TRUE;
            }
          else if (strcmp (directive, "stall") == 0)
            {
              /* Nothing more, and the socket stays open. */
              return TRUE;
            }
          else if (strcmp (directive, "delay") == 0)
            {
              replay->pause_ms = json_object_get_int_member (event, "ms");
              return FALSE;
            }
          else if (strcmp (directive, "raw-base64") == 0)
            {
              gsize n = 0;
              g_autofree guchar *bytes = g_base64_decode (json_object_get_string_member (event, "data"), &n);

              if (g_utf8_validate ((const char *) bytes, n, NULL))
                {
                  g_autoptr(GBytes) message = g_bytes_new (bytes, n);

                  soup_websocket_connection_send_message (ws->conn, SOUP_WEBSOCKET_DATA_TEXT, message);
                }
              else
                {
                  /* libsoup sends no such text frame: write it by hand once
                   * its queue is out, and wait for it before going on. */
                  g_object_set_data_full (G_OBJECT (ws->conn), "raw-frame",
                                          cut_frame_len ((const char *) bytes, n, n),
                                          (GDestroyNotify) g_bytes_unref);
                  add_timeout (30, write_raw_cb, g_object_ref (ws->conn));
                  replay->pause_ms = 60;
                  return FALSE;
                }
            }
          else if (strcmp (directive, "big-patch") == 0)
            send_big_patch (ws, replay, event);
          else if (strcmp (directive, "raw") == 0)
            soup_websocket_connection_send_text (ws->conn, json_object_get_string_member (event, "text"));
          else if (strcmp (directive, "binary") == 0)
            soup_websocket_connection_send_binary (ws->conn, "\x00\x01\x02\x03", 4);
          else if (strcmp (directive, "huge") == 0)
            {
              gsize n = json_object_get_int_member (event, "bytes");
              g_autofree char *delta = g_malloc (n + 1);
              g_autoptr(JsonObject) big = json_object_new ();
              g_autofree char *big_text = NULL;

              memset (delta, 'x', n);
              delta[n] = '\0';
              json_object_set_string_member (big, "type", "response.output_text.delta");
              json_object_set_string_member (big, "item_id", "msg_huge");
              json_object_set_int_member (big, "output_index", 0);
              json_object_set_int_member (big, "content_index", 0);
              json_object_set_string_member (big, "delta", delta);
              big_text = to_string (big);
              soup_websocket_connection_send_text (ws->conn, big_text);
            }
          continue;
        }

      if (g_strcmp0 (string_member (event, "type", ""), "response.completed") == 0)
        {
          g_free (ws->last_response_id);
          ws->last_response_id = g_strdup (replay->response_id);
        }
      else if (g_strcmp0 (string_member (event, "type", ""), "error") == 0 ||
               g_strcmp0 (string_member (event, "type", ""), "response.failed") == 0)
        {
          /* A failed continuation evicts the cached response. */
          g_clear_pointer (&ws->last_response_id, g_free);
        }

      soup_websocket_connection_send_text (ws->conn, text);
      replay->n_sent++;

      /* Below a millisecond (a timer's resolution) the timer ticks every
       * millisecond and sends the events that are due by then. */
      if (ws->server->event_delay >= 1000 ||
          (ws->server->event_delay > 0 &&
           g_get_monotonic_time () < replay->started + (gint64) replay->n_sent * ws->server->event_delay))
        return FALSE;
    }

  return TRUE;
}

static void schedule_step (Replay *replay);

static gboolean
replay_timeout_cb (gpointer data)
{
  Replay *replay = data;

  replay->source = 0;
  if (replay_step (replay))
    {
      replay_free (replay);
      return G_SOURCE_REMOVE;
    }
  schedule_step (replay);
  return G_SOURCE_REMOVE;
}

static void
schedule_step (Replay *replay)
{
  guint ms = MAX (1, replay->ws->server->event_delay / 1000);

  if (replay->pause_ms > 0)
    ms = replay->pause_ms;
  replay->pause_ms = 0;
  replay->source = add_timeout (ms, replay_timeout_cb, replay);
}

/* The stream with the directive of spark_fake_server_inject_next() put in
 * after the given number of events. */
static char *
take_injection (SparkFakeServer *self,
                const char      *jsonl)
{
  g_auto(GStrv) lines = NULL;
  GString *out;
  guint events = 0;
  gboolean done = FALSE;

  if (self->inject == NULL)
    return g_strdup (jsonl);

  lines = g_strsplit (jsonl, "\n", -1);
  out = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (!done && events == self->inject_after)
        {
          g_string_append_printf (out, "%s\n", self->inject);
          done = TRUE;
        }
      if (lines[i][0] == '\0')
        continue;
      g_string_append_printf (out, "%s\n", lines[i]);
      if (strstr (lines[i], "\"$\"") == NULL)
        events++;
    }
  if (!done)
    g_string_append_printf (out, "%s\n", self->inject);

  g_clear_pointer (&self->inject, g_free);
  return g_string_free (out, FALSE);
}

static void
start_replay (WsConn     *ws,
              const char *stream)
{
  Replay *replay = g_new0 (Replay, 1);
  g_autofree char *jsonl = take_injection (ws->server, stream);

  replay->ws = ws;
  replay->lines = g_strsplit (jsonl, "\n", -1);
  replay->response_id = g_strdup_printf ("resp_%u", ++ws->server->response_counter);
  replay->started = g_get_monotonic_time ();

  if (replay_step (replay))
    {
      replay_free (replay);
      return;
    }

  g_ptr_array_add (ws->server->replays, replay);
  schedule_step (replay);
}

static void
send_error (WsConn     *ws,
            const char *code,
            const char *message)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("{\"type\":\"error\",\"status\":400,\"error\":{\"type\":\"invalid_request_error\","
                          "\"code\":\"%s\",\"message\":\"%s\",\"param\":\"previous_response_id\"}}",
                          code, message);
  soup_websocket_connection_send_text (ws->conn, text);
}

/* What OpenAI answers a parameter it does not know. */
static const char context_management_error[] =
  "{\"type\":\"invalid_request_error\",\"code\":\"unknown_parameter\","
  "\"message\":\"Unknown parameter: 'context_management'.\",\"param\":\"context_management\"}";

static void
on_ws_message (SoupWebsocketConnection *conn,
               int                      type,
               GBytes                  *message,
               gpointer                 user_data)
{
  WsConn *ws = user_data;
  SparkFakeServer *self = ws->server;
  gint64 received_at = g_get_monotonic_time ();
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *stream = NULL;
  const char *kind;
  const char *previous;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  /* Closing (spark_fake_server_close_connections()): nothing is answered. */
  if (soup_websocket_connection_get_state (conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || !(body = parse_object (data, len)))
    {
      soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_BAD_DATA, "expected JSON text");
      return;
    }

  record (self, body, "websocket", ws->id, received_at, received_at);
  kind = json_object_get_string_member_with_default (body, "type", "");

  if (strcmp (kind, "response.steer") == 0)
    {
      g_autofree char *reply = g_strdup_printf ("{\"type\":\"%s\",\"code\":\"test\"}",
                                                self->steer_reply ? self->steer_reply : "response.steer.accepted");
      soup_websocket_connection_send_text (conn, reply);
      return;
    }

  if (strcmp (kind, "response.create") != 0)
    {
      send_error (ws, "invalid_event", "unknown client event");
      return;
    }

  if (self->reject_context_management && json_object_has_member (body, "context_management"))
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf ("{\"type\":\"error\",\"status\":400,\"error\":%s}",
                              context_management_error);
      soup_websocket_connection_send_text (conn, text);
      g_clear_pointer (&ws->last_response_id, g_free);
      return;
    }

  previous = json_object_get_string_member_with_default (body, "previous_response_id", NULL);
  if (previous != NULL && g_strcmp0 (previous, ws->last_response_id) != 0)
    {
      g_autofree char *msg = g_strdup_printf ("Previous response with id '%s' not found.", previous);
      send_error (ws, "previous_response_not_found", msg);
      return;
    }

  if (json_object_has_member (body, "generate") && !json_object_get_boolean_member (body, "generate"))
    {
      g_autofree char *id = g_strdup_printf ("resp_warm_%u", ++self->response_counter);
      g_autofree char *created = NULL;
      g_autofree char *completed = NULL;

      created = g_strdup_printf ("{\"type\":\"response.created\",\"sequence_number\":0,\"response\":"
                                 "{\"id\":\"%s\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}", id);
      completed = g_strdup_printf ("{\"type\":\"response.completed\",\"sequence_number\":1,\"response\":"
                                   "{\"id\":\"%s\",\"object\":\"response\",\"status\":\"completed\",\"output\":[],"
                                   "\"usage\":{\"input_tokens\":0,\"output_tokens\":0,\"total_tokens\":0}}}", id);
      soup_websocket_connection_send_text (conn, created);
      soup_websocket_connection_send_text (conn, completed);
      g_free (ws->last_response_id);
      ws->last_response_id = g_strdup (id);
      return;
    }

  stream = next_stream (self);
  start_replay (ws, stream);
}

static void
ws_conn_free (gpointer data)
{
  WsConn *ws = data;

  g_signal_handlers_disconnect_by_data (ws->conn, ws);
  if (soup_websocket_connection_get_state (ws->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_clear_object (&ws->conn);
  g_free (ws->last_response_id);
  g_free (ws);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *conn,
              gpointer                 user_data)
{
  SparkFakeServer *self = user_data;
  WsConn *ws = g_new0 (WsConn, 1);

  ws->server = self;
  ws->conn = g_object_ref (conn);
  ws->id = ++self->n_connections;
  soup_websocket_connection_set_max_incoming_payload_size (conn, 64 * 1024 * 1024);
  g_signal_connect (conn, "message", G_CALLBACK (on_ws_message), ws);
  g_ptr_array_add (self->connections, ws);
}

static void
remember_headers (SparkFakeServer   *self,
                  SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  g_free (self->last_auth);
  self->last_auth = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (self->last_beta);
  self->last_beta = g_strdup (soup_message_headers_get_one (headers, "OpenAI-Beta"));
}

static void
on_early (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SparkFakeServer *self = user_data;

  if (strcmp (soup_server_message_get_method (msg), "GET") != 0)
    return;

  self->n_handshakes++;
  self->last_handshake_time = g_get_monotonic_time ();
  remember_headers (self, msg);

  if (self->drop_handshakes > 0)
    {
      /* The TCP connection ends before any answer to the upgrade. */
      self->drop_handshakes--;
      g_socket_shutdown (soup_server_message_get_socket (msg), TRUE, TRUE, NULL);
      return;
    }

  if (self->refuse_count > 0)
    {
      self->refuse_count--;
      soup_server_message_set_status (msg, self->refuse_status, NULL);
      if (self->refuse_retry_after != NULL)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                      "Retry-After", self->refuse_retry_after);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\":{\"message\":\"not now\"}}", 30);
      return;
    }

  if (self->ws_status != 0)
    {
      soup_server_message_set_status (msg, self->ws_status, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\":{\"message\":\"no websockets here\"}}", 40);
    }
}

/* HTTP */

/* GET /v1/models, as OpenAI and the local servers answer it. */
static void
on_models (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  static const char body[] =
    "{\"object\":\"list\",\"data\":["
    "{\"id\":\"gpt-5.3-codex-spark\",\"object\":\"model\",\"owned_by\":\"openai\"},"
    "{\"id\":\"gpt-5.1-codex\",\"object\":\"model\",\"owned_by\":\"openai\"},"
    "{\"id\":\"local-llama\",\"object\":\"model\",\"owned_by\":\"llama.cpp\"}]}";

  if (strcmp (soup_server_message_get_method (msg), "GET") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  remember_headers (user_data, msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, sizeof body - 1);
}

static void
on_http (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  SparkFakeServer *self = user_data;
  gint64 received_at = g_get_monotonic_time ();
  gint64 *started_at;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *stream = NULL;
  g_autofree char *response_id = NULL;
  g_auto(GStrv) lines = NULL;
  SoupMessageBody *request_body;
  gboolean chat;

  /* GET is the WebSocket upgrade, handled by on_websocket. */
  if (strcmp (soup_server_message_get_method (msg), "POST") != 0)
    return;

  self->n_posts++;
  remember_headers (self, msg);
  {
    GSocketAddress *peer = soup_server_message_get_remote_address (msg);

    if (G_IS_INET_SOCKET_ADDRESS (peer))
      g_hash_table_add (self->http_peers,
                        GUINT_TO_POINTER (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer))));
  }
  chat = g_str_has_suffix (path, "/chat/completions");

  request_body = soup_server_message_get_request_body (msg);
  if (!(body = parse_object (request_body->data, request_body->length)))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }
  started_at = g_object_get_data (G_OBJECT (msg), "spark-started-at");
  record (self, body, chat ? "chat" : "http", 0, started_at ? *started_at : received_at, received_at);

  if (!chat && self->reject_context_management &&
      json_object_has_member (body, "context_management"))
    {
      g_autofree char *text = g_strdup_printf ("{\"error\":%s}", context_management_error);

      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        text, strlen (text));
      return;
    }

  {
    g_autofree char *queued = next_stream (self);
    stream = take_injection (self, queued);
  }
  response_id = g_strdup_printf ("resp_%u", ++self->response_counter);
  lines = g_strsplit (stream, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *text = NULL;
      g_autoptr(JsonObject) event = NULL;
      const char *directive;

      if (lines[i][0] == '\0')
        continue;
      text = replace_all (lines[i], "__RESP__", response_id);
      if (!(event = parse_object (text, strlen (text))))
        g_error ("Bad stream line: %s", lines[i]);

      if ((directive = string_member (event, "$", NULL)) != NULL)
        {
          if (strcmp (directive, "close") == 0)
            break;
          if (strcmp (directive, "cut") == 0)
            {
              gsize keep = json_object_get_int_member (event, "bytes");
              g_autofree char *next = NULL;

              /* The body ends inside the next event. */
              while (lines[i + 1] != NULL && lines[i + 1][0] == '\0')
                i++;
              if (lines[i + 1] != NULL)
                {
                  next = replace_all (lines[i + 1], "__RESP__", response_id);
                  g_string_append (out, "data: ");
                  g_string_append_len (out, next, MIN (keep, strlen (next)));
                }
              break;
            }
          if (strcmp (directive, "raw") == 0)
            g_string_append_printf (out, "data: %s\n\n", json_object_get_string_member (event, "text"));
          else if (strcmp (directive, "raw-base64") == 0)
            {
              gsize n = 0;
              g_autofree guchar *bytes = g_base64_decode (json_object_get_string_member (event, "data"), &n);

              g_string_append (out, "data: ");
              g_string_append_len (out, (const char *) bytes, n);
              g_string_append (out, "\n\n");
            }
          else if (strcmp (directive, "stall") == 0 || strcmp (directive, "big-patch") == 0)
            g_error ("The fake server's HTTP side cannot “%s”", directive);
          continue;
        }

      if (chat)
        g_string_append_printf (out, "data: %s\n\n", text);
      else
        g_string_append_printf (out, "event: %s\ndata: %s\n\n",
                                string_member (event, "type", "message"), text);
    }

  if (chat && (lines[0] == NULL || strstr (stream, "\"$\":\"close\"") == NULL))
    g_string_append (out, "data: [DONE]\n\n");

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/event-stream", SOUP_MEMORY_COPY, out->str, out->len);
}

/* POST /v1/responses/compact: the recorded answer, or 404 as local
 * servers answer it. */
static void
on_compact (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SparkFakeServer *self = user_data;
  g_autoptr(JsonObject) body = NULL;
  SoupMessageBody *request_body;
  const char *reply;
  gint64 now;
  guint status;

  if (strcmp (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  remember_headers (self, msg);
  request_body = soup_server_message_get_request_body (msg);
  if (!(body = parse_object (request_body->data, request_body->length)))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }
  self->n_compacts++;
  now = g_get_monotonic_time ();
  record (self, body, "compact", 0, now, now);

  status = self->compact_status ? self->compact_status : SOUP_STATUS_NOT_FOUND;
  reply = self->compact_body ? self->compact_body : "{\"error\":{\"message\":\"File Not Found\"}}";
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    reply, strlen (reply));
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  gint64 *started_at = g_new (gint64, 1);

  *started_at = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), "spark-started-at", started_at, g_free);
}

SparkFakeServer *
spark_fake_server_new (void)
{
  return spark_fake_server_new_tls (NULL);
}

SparkFakeServer *
spark_fake_server_new_tls (GTlsCertificate *certificate)
{
  SparkFakeServer *self = g_new0 (SparkFakeServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  GUri *uri;

  self->server = soup_server_new ("server-header", "spark-fake-server",
                                  "tls-certificate", certificate,
                                  NULL);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->connections = g_ptr_array_new_with_free_func (ws_conn_free);
  self->replays = g_ptr_array_new ();
  self->http_peers = g_hash_table_new (NULL, NULL);
  g_queue_init (&self->streams);

  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started), self);
  soup_server_add_early_handler (self->server, "/v1/responses", on_early, self, NULL);
  soup_server_add_handler (self->server, "/v1/responses", on_http, self, NULL);
  soup_server_add_handler (self->server, "/v1/responses/compact", on_compact, self, NULL);
  soup_server_add_handler (self->server, "/v1/chat/completions", on_http, self, NULL);
  soup_server_add_handler (self->server, "/v1/models", on_models, self, NULL);
  soup_server_add_websocket_handler (self->server, "/v1/responses", NULL, NULL, on_websocket, self, NULL);

  if (!soup_server_listen_local (self->server, 0,
                                 SOUP_SERVER_LISTEN_IPV4_ONLY | (certificate ? SOUP_SERVER_LISTEN_HTTPS : 0),
                                 &error))
    g_error ("Cannot listen: %s", error->message);

  uris = soup_server_get_uris (self->server);
  uri = uris->data;
  self->base_url = g_strdup_printf ("%s://127.0.0.1:%d/v1", certificate ? "https" : "http",
                                    g_uri_get_port (uri));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return self;
}

void
spark_fake_server_free (SparkFakeServer *self)
{
  if (self == NULL)
    return;

  while (self->replays->len > 0)
    {
      Replay *replay = g_ptr_array_index (self->replays, 0);

      g_source_destroy (g_main_context_find_source_by_id (g_main_context_get_thread_default (),
                                                          replay->source));
      replay_free (replay);
    }
  g_ptr_array_unref (self->replays);
  g_ptr_array_unref (self->connections);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_ptr_array_unref (self->requests);
  g_queue_clear_full (&self->streams, g_free);
  g_free (self->base_url);
  g_free (self->default_text);
  g_free (self->steer_reply);
  g_free (self->compact_body);
  g_hash_table_unref (self->http_peers);
  g_free (self->last_auth);
  g_free (self->last_beta);
  g_free (self->inject);
  g_free (self->refuse_retry_after);
  g_free (self);
}

const char *
spark_fake_server_get_base_url (SparkFakeServer *self)
{
  return self->base_url;
}

void
spark_fake_server_push_stream (SparkFakeServer *self,
                               const char      *name)
{
  g_queue_push_tail (&self->streams, load_stream (name));
}

void
spark_fake_server_push_text (SparkFakeServer *self,
                             const char      *jsonl)
{
  g_queue_push_tail (&self->streams, g_strdup (jsonl));
}

void
spark_fake_server_set_default_text (SparkFakeServer *self,
                                    const char      *jsonl)
{
  g_free (self->default_text);
  self->default_text = g_strdup (jsonl);
}

void
spark_fake_server_set_steer_reply (SparkFakeServer *self,
                                   const char      *event_type)
{
  g_free (self->steer_reply);
  self->steer_reply = g_strdup (event_type);
}

guint
spark_fake_server_get_queue_length (SparkFakeServer *self)
{
  return self->streams.length;
}

void
spark_fake_server_set_ws_status (SparkFakeServer *self,
                                 guint            status)
{
  self->ws_status = status;
}

void
spark_fake_server_set_event_delay (SparkFakeServer *self,
                                   guint            usec)
{
  self->event_delay = usec;
}

guint
spark_fake_server_get_n_handshakes (SparkFakeServer *self)
{
  return self->n_handshakes;
}

guint
spark_fake_server_get_n_posts (SparkFakeServer *self)
{
  return self->n_posts;
}

guint
spark_fake_server_get_n_http_connections (SparkFakeServer *self)
{
  return g_hash_table_size (self->http_peers);
}

guint
spark_fake_server_get_n_requests (SparkFakeServer *self)
{
  return self->requests->len;
}

JsonObject *
spark_fake_server_get_request (SparkFakeServer *self,
                               guint            index)
{
  g_assert (index < self->requests->len);
  return g_ptr_array_index (self->requests, index);
}

GPtrArray *
spark_fake_server_dup_generating (SparkFakeServer *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < self->requests->len; i++)
    {
      JsonObject *body = g_ptr_array_index (self->requests, i);
      const char *type = json_object_get_string_member_with_default (body, "type", NULL);

      if (g_strcmp0 (type, "response.steer") == 0)
        continue;
      if (g_strcmp0 (json_object_get_string_member_with_default (body, "_transport", NULL),
                     "compact") == 0)
        continue;
      if (json_object_has_member (body, "generate") && !json_object_get_boolean_member (body, "generate"))
        continue;
      g_ptr_array_add (out, json_object_ref (body));
    }

  return out;
}

void
spark_fake_server_set_request_func (SparkFakeServer            *self,
                                    SparkFakeServerRequestFunc  func,
                                    gpointer                    user_data)
{
  self->request_func = func;
  self->request_data = user_data;
}

const char *
spark_fake_server_get_last_authorization (SparkFakeServer *self)
{
  return self->last_auth;
}

const char *
spark_fake_server_get_last_beta_header (SparkFakeServer *self)
{
  return self->last_beta;
}

void
spark_fake_server_set_compact_reply (SparkFakeServer *self,
                                     guint            status,
                                     const char      *body)
{
  self->compact_status = status;
  g_free (self->compact_body);
  self->compact_body = g_strdup (body);
}

void
spark_fake_server_set_compact_reply_file (SparkFakeServer *self,
                                          const char      *name)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *file = g_strconcat (name, ".json", NULL);
  g_autofree char *path = g_build_filename (srcdir ? srcdir : ".", "streams", file, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("Cannot read %s: %s", path, error->message);
  spark_fake_server_set_compact_reply (self, SOUP_STATUS_OK, contents);
}

guint
spark_fake_server_get_n_compacts (SparkFakeServer *self)
{
  return self->n_compacts;
}

void
spark_fake_server_set_reject_context_management (SparkFakeServer *self,
                                                 gboolean         reject)
{
  self->reject_context_management = reject;
}

void
spark_fake_server_inject_next (SparkFakeServer *self,
                               guint            after_events,
                               const char      *directive)
{
  g_free (self->inject);
  self->inject = g_strdup (directive);
  self->inject_after = after_events;
}

void
spark_fake_server_refuse_upgrades (SparkFakeServer *self,
                                   guint            status,
                                   guint            count,
                                   const char      *retry_after)
{
  self->refuse_status = status;
  self->refuse_count = count;
  g_free (self->refuse_retry_after);
  self->refuse_retry_after = g_strdup (retry_after);
}

void
spark_fake_server_drop_handshakes (SparkFakeServer *self,
                                   guint            count)
{
  self->drop_handshakes = count;
}

void
spark_fake_server_close_connections (SparkFakeServer *self,
                                     guint            code)
{
  for (guint i = 0; i < self->connections->len; i++)
    {
      WsConn *ws = g_ptr_array_index (self->connections, i);

      if (soup_websocket_connection_get_state (ws->conn) != SOUP_WEBSOCKET_STATE_OPEN)
        continue;
      g_clear_pointer (&ws->last_response_id, g_free);
      close_with_code (ws->conn, code, NULL);
    }
}

gint64
spark_fake_server_get_last_handshake_time (SparkFakeServer *self)
{
  return self->last_handshake_time;
}
