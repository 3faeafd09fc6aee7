/* bench-memory.c — figure 7 of the speed suite: memory after a 2-hour
 * session.
 *
 * 1,000 turns (a prompt, a 200-token streamed answer) replayed through what
 * the window holds without a display: SparkAssistant and its SparkSession
 * (history kept for full resends, persisted to disk) and the chat's
 * SparkTranscript following the session, against the fake server in its
 * own thread. After a warm-up of WARMUP turns (first-use allocations,
 * caches), the resident set's growth over the next 1,000 turns is compared
 * with the text the transcript holds for them: the conversation itself.
 * The live heap (glibc's mallinfo2) is in the note, as RSS also counts
 * freed memory malloc keeps. The server runs in a child process (this
 * program with --serve), so that what it records stays out of the figure.
 *
 * History stays in the session file (spark-history.c), read back only for
 * a full resend: the note also says how long reading all of it back takes,
 * the price a full resend pays for that.
 *
 * For looking into it: SPARK_BENCH_TURNS=N runs N turns instead of 1,000,
 * SPARK_BENCH_NO_TRANSCRIPT=1 leaves the transcript out (the session alone).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spark-assistant.h"
#include "spark-bench.h"
#include "spark-bench-server.h"
#include "spark-test-utils.h"
#include "spark-transcript.h"

#define WARMUP        50
#define TURNS         (g_getenv ("SPARK_BENCH_TURNS") ? atoi (g_getenv ("SPARK_BENCH_TURNS")) : 1000)
#define ANSWER_TOKENS 200

/* What may grow besides the conversation, whatever its length: the arrays
 * and hash tables that double as items come (tens of KB at 2,000 items),
 * free memory malloc keeps in its arenas instead of returning it, and RSS
 * counting whole pages. */
#define ALLOWANCE_MIB 1.0

static char *
make_answer (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  guint seq = 0;

  g_string_append_printf (s, "{\"type\":\"response.created\",\"sequence_number\":%u,\"response\":"
                          "{\"id\":\"__RESP__\",\"status\":\"in_progress\",\"output\":[]}}\n", seq++);
  g_string_append_printf (s, "{\"type\":\"response.output_item.added\",\"sequence_number\":%u,"
                          "\"output_index\":0,\"item\":{\"id\":\"msg___RESP__\",\"type\":\"message\","
                          "\"role\":\"assistant\",\"status\":\"in_progress\",\"content\":[]}}\n", seq++);
  for (guint i = 0; i < ANSWER_TOKENS; i++)
    {
      g_autofree char *token = g_strdup_printf (" w%03u", (i * 37) % 1000);

      g_string_append (text, token);
      g_string_append_printf (s, "{\"type\":\"response.output_text.delta\",\"sequence_number\":%u,"
                              "\"item_id\":\"msg___RESP__\",\"output_index\":0,\"content_index\":0,"
                              "\"delta\":\"%s\",\"logprobs\":[]}\n", seq++, token);
    }
  g_string_append_printf (s, "{\"type\":\"response.output_item.done\",\"sequence_number\":%u,"
                          "\"output_index\":0,\"item\":{\"id\":\"msg___RESP__\",\"type\":\"message\","
                          "\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":"
                          "\"output_text\",\"annotations\":[],\"text\":\"%s\"}]}}\n", seq++, text->str);
  g_string_append_printf (s, "{\"type\":\"response.completed\",\"sequence_number\":%u,\"response\":"
                          "{\"id\":\"__RESP__\",\"status\":\"completed\",\"output\":[{\"id\":"
                          "\"msg___RESP__\",\"type\":\"message\",\"role\":\"assistant\",\"status\":"
                          "\"completed\",\"content\":[{\"type\":\"output_text\",\"annotations\":[],"
                          "\"text\":\"%s\"}]}],\"usage\":{\"input_tokens\":1200,\"output_tokens\":%u,"
                          "\"total_tokens\":%u}}}\n", seq++, text->str, ANSWER_TOKENS,
                          ANSWER_TOKENS + 1200);

  return g_string_free (s, FALSE);
}

typedef struct
{
  SparkAssistant *assistant;
  gboolean        finished;
  GError         *error;
} Chat;

static void
on_turn_finished (SparkSession *session,
                  const GError *error,
                  Chat         *chat)
{
  if (error != NULL && chat->error == NULL)
    chat->error = g_error_copy (error);
  chat->finished = TRUE;
}

static void
turns (Chat  *chat,
       guint  n,
       guint  first)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *prompt = g_strdup_printf ("Turn %u: explain the next function in "
                                                 "src/main.c and what it returns", first + i);
      g_autoptr(GError) error = NULL;

      chat->finished = FALSE;
      if (!spark_assistant_send (chat->assistant, prompt, &error))
        g_error ("send: %s", error->message);
      while (!chat->finished)
        g_main_context_iteration (NULL, TRUE);
      if (chat->error != NULL)
        g_error ("turn %u failed: %s", first + i, chat->error->message);
    }

  /* Let the idle work of the last turn run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gsize
transcript_bytes (SparkTranscript *transcript)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (transcript));
  gsize bytes = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (transcript), i);

      bytes += spark_transcript_item_get_length (item);
    }

  return bytes;
}

/* What a full resend does first: every item read back. In ms. */
static double
read_back_ms (SparkSession *session)
{
  guint n = spark_session_get_n_items (session);
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) item = spark_session_dup_item (session, i, &error);

      if (item == NULL)
        g_error ("item %u: %s", i, error->message);
    }

  return (g_get_monotonic_time () - t0) / 1000.0;
}

static double
heap_mib (void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 info = mallinfo2 ();

  return (double) info.uordblks / (1024.0 * 1024.0);
#else
  return NAN;
#endif
}

/* The child: serves the answer until its standard input closes. */
static int
serve (void)
{
  g_autofree char *answer = make_answer ();
  SparkBenchServer *server = spark_bench_server_start (NULL);
  char buffer[64];

  spark_bench_server_set_default (server, answer);
  g_print ("%s\n", spark_bench_server_get_url (server));
  fflush (stdout);
  while (fread (buffer, 1, sizeof buffer, stdin) > 0)
    ;
  spark_bench_server_stop (server);
  return 0;
}

/* Starts this program with --serve; returns the server's URL. */
static char *
start_server (GSubprocess **child)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  char *url;

  *child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             self_exe, "--serve", NULL);
  if (*child == NULL)
    g_error ("Cannot start the server: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*child));
  url = g_data_input_stream_read_line (out, NULL, NULL, &error);
  if (url == NULL)
    g_error ("The server did not start: %s", error ? error->message : "no URL");

  return url;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autofree char *store = spark_test_make_temp_dir ();
  g_autofree char *url = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(SparkProject) project = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(SparkTranscript) transcript = NULL;
  g_autoptr(GSubprocess) child = NULL;
  SparkSession *session;
  double rss0, rss1, heap0, heap1, text_mib, read_back, seconds;
  gsize text0, text1;
  gint64 t0;
  Chat chat = { 0 };

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  if (argc == 2 && g_str_equal (argv[1], "--serve"))
    {
      spark_test_rm_rf (root);
      spark_test_rm_rf (store);
      return serve ();
    }

  spark_test_write_file (root, "src/main.c", "int main (void) { return 0; }\n");
  url = start_server (&child);

  file = g_file_new_for_path (root);
  project = spark_project_new (file);
  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "endpoint", url);
  g_settings_set_string (settings, "transport", "websocket");
  chat.assistant = spark_assistant_new (project, settings);
  session = spark_assistant_get_session (chat.assistant);
  spark_session_set_store_dir (session, store);
  transcript = spark_transcript_new ();
  if (g_getenv ("SPARK_BENCH_NO_TRANSCRIPT") == NULL)
    spark_transcript_follow_session (transcript, session);
  g_signal_connect (session, "turn-finished", G_CALLBACK (on_turn_finished), &chat);

  while (!spark_assistant_get_ready (chat.assistant))
    g_main_context_iteration (NULL, TRUE);

  turns (&chat, WARMUP, 0);
  rss0 = spark_bench_rss_mib ();
  heap0 = heap_mib ();
  text0 = transcript_bytes (transcript);

  t0 = g_get_monotonic_time ();
  turns (&chat, TURNS, WARMUP);
  rss1 = spark_bench_rss_mib ();
  heap1 = heap_mib ();
  text1 = transcript_bytes (transcript);
  text_mib = (text1 - text0) / (1024.0 * 1024.0);
  seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
  read_back = read_back_ms (session);

  note = g_strdup_printf ("%d turns after %d not counted, each a %d-token streamed answer, over "
                          "a warm WebSocket; through SparkAssistant, its session (history, "
                          "persisted) and the chat's transcript model; the transcript holds "
                          "%.2f MiB of text for them (%u items); live heap growth %.2f MiB; RSS "
                          "%.1f → %.1f MiB; %.1f s; reading the %u items of history back (a full "
                          "resend) %.1f ms; target: growth ≤ that text + %.0f MiB",
                          TURNS, WARMUP, ANSWER_TOKENS, text_mib,
                          g_list_model_get_n_items (G_LIST_MODEL (transcript)),
                          heap1 - heap0, rss0, rss1, seconds,
                          spark_session_get_n_items (session), read_back, ALLOWANCE_MIB);
  {
    SparkBenchFigure figure = {
      .figure = "7", .name = "rss_growth_1000_turns", .value = rss1 - rss0, .unit = "MiB",
      .baseline = "transcript text", .baseline_value = text_mib,
      .target_op = "<=", .target = text_mib + ALLOWANCE_MIB, .note = note,
    };
    spark_bench_print (&figure);
  }

  spark_transcript_follow_session (transcript, NULL);
  g_signal_handlers_disconnect_by_data (session, &chat);
  g_clear_object (&chat.assistant);
  g_clear_error (&chat.error);
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "transport");
  g_output_stream_close (g_subprocess_get_stdin_pipe (child), NULL, NULL);
  g_subprocess_wait (child, NULL, NULL);
  spark_test_rm_rf (root);
  spark_test_rm_rf (store);

  return 0;
}
