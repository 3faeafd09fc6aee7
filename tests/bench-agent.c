/* bench-agent.c — figures 2 and 3a of the speed suite.
 *
 *  2. Per-turn overhead over 20 turns: request sent → response.completed
 *     for a small answer, the request carrying Spark's real tools, on a warm
 *     WebSocket against a new HTTPS connection (TLS handshake included) per
 *     turn with SSE, TLS on loopback with a self-signed certificate made at
 *     run time. Plain loopback and a pooled HTTPS connection are in the note.
 *  3a. Send → response.create on the wire: from the moment the chat calls
 *     spark_assistant_send() (what the Send key does) until the fake server
 *     (its own thread) has the whole response.create frame, on the warm
 *     socket. Baseline: the same send over HTTP(S)+SSE with a new
 *     connection, until the server has the whole request too. (The server
 *     sees the connection's first byte when it accepts it, before any TLS
 *     handshake; that time is in the note.)
 *
 * bench-agent --serve [STREAM...] serves the named streams of
 * tests/streams, then text-hello forever, for manual checks with other
 * clients; stop it with a signal.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "spark-assistant.h"
#include "spark-bench.h"
#include "spark-bench-server.h"
#include "spark-fake-server.h"
#include "spark-responses.h"
#include "spark-sse-transport.h"
#include "spark-test-utils.h"
#include "spark-tools.h"
#include "spark-ws-transport.h"

#define TURNS      20
#define SEND_TURNS 20

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Wait;

static void
wait_done (Wait *w)
{
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_event (SparkTransport *transport,
          JsonObject     *event,
          Wait           *w)
{
  SparkEventKind kind = spark_responses_event_kind (event);

  if (spark_responses_kind_is_terminal (kind))
    {
      w->ok = kind == SPARK_EVENT_COMPLETED;
      w->done = TRUE;
    }
}

static void
on_failed (SparkTransport *transport,
           const GError   *error,
           Wait           *w)
{
  g_printerr ("stream failed: %s\n", error->message);
  w->done = TRUE;
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = spark_transport_connect_finish (SPARK_TRANSPORT (object), result, &w->error);
  w->done = TRUE;
}

static JsonObject *
realistic_request (void)
{
  g_autoptr(SparkTools) tools = spark_tools_new (".");
  JsonObject *request = json_object_new ();
  JsonArray *input = json_array_new ();

  json_object_set_string_member (request, "model", "bench-model");
  json_object_set_string_member (request, "instructions", spark_tools_get_instructions (tools));
  json_object_set_array_member (request, "tools", spark_tools_dup_definitions (tools, SPARK_WIRE_API_RESPONSES));
  json_object_set_string_member (request, "tool_choice", "auto");
  json_object_set_boolean_member (request, "store", FALSE);
  json_array_add_object_element (input, spark_responses_user_message ("Rename foo to bar in main.c"));
  json_object_set_array_member (request, "input", input);
  return request;
}

typedef struct
{
  double median_ms;
  double p90_ms;
  double connect_ms;
  guint  connections;
} PerTurn;

/* Request sent → response.completed, TURNS times on one transport. */
static PerTurn
per_turn (gboolean         websocket,
          gboolean         fresh,
          GTlsCertificate *certificate,
          GTlsDatabase    *database,
          const char      *answer)
{
  g_autoptr(SparkTransport) transport = NULL;
  g_autoptr(JsonObject) request = realistic_request ();
  SparkBenchServer *server = spark_bench_server_start (certificate);
  const char *url = spark_bench_server_get_url (server);
  double samples[TURNS];
  PerTurn result;
  gint64 t0;
  Wait w = { 0 };

  spark_bench_server_set_default (server, answer);
  if (websocket)
    {
      transport = SPARK_TRANSPORT (spark_ws_transport_new (url, "sk-bench"));
      if (database != NULL)
        spark_ws_transport_set_tls_database (SPARK_WS_TRANSPORT (transport), database);
    }
  else
    {
      transport = SPARK_TRANSPORT (spark_sse_transport_new (url, "sk-bench", SPARK_WIRE_API_RESPONSES));
      spark_sse_transport_set_fresh_connections (SPARK_SSE_TRANSPORT (transport), fresh);
      if (database != NULL)
        spark_sse_transport_set_tls_database (SPARK_SSE_TRANSPORT (transport), database);
    }
  g_signal_connect (transport, "event", G_CALLBACK (on_event), &w);
  g_signal_connect (transport, "stream-failed", G_CALLBACK (on_failed), &w);

  t0 = g_get_monotonic_time ();
  spark_transport_connect_async (transport, NULL, connect_cb, &w);
  wait_done (&w);
  if (!w.ok)
    g_error ("connect failed: %s", w.error ? w.error->message : "?");
  result.connect_ms = (g_get_monotonic_time () - t0) / 1000.0;

  for (guint i = 0; i < TURNS; i++)
    {
      g_autoptr(GError) error = NULL;

      w.done = w.ok = FALSE;
      t0 = g_get_monotonic_time ();
      if (!spark_transport_send (transport, request, &error))
        g_error ("send: %s", error->message);
      wait_done (&w);
      if (!w.ok)
        g_error ("turn %u failed", i);
      samples[i] = (g_get_monotonic_time () - t0) / 1000.0;

      /* Let an HTTP body finish draining so its connection can be reused
       * (not timed: a person or a tool takes longer than this). */
      for (guint spin = 0; spin < 5; spin++)
        {
          g_usleep (100);
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
    }

  g_signal_handlers_disconnect_by_data (transport, &w);
  spark_transport_close (transport);
  g_clear_error (&w.error);
  result.connections = spark_bench_server_stop (server);
  result.median_ms = spark_bench_quantile (samples, TURNS, 0.5);
  result.p90_ms = spark_bench_quantile (samples, TURNS, 0.9);

  return result;
}

static void
bench_per_turn (GTlsCertificate *certificate,
                GTlsDatabase    *database,
                const char      *answer)
{
  g_autofree char *note = NULL;
  PerTurn wss, https_fresh, https_pooled, ws, http_fresh;

  wss = per_turn (TRUE, FALSE, certificate, database, answer);
  https_fresh = per_turn (FALSE, TRUE, certificate, database, answer);
  https_pooled = per_turn (FALSE, FALSE, certificate, database, answer);
  ws = per_turn (TRUE, FALSE, NULL, NULL, answer);
  http_fresh = per_turn (FALSE, TRUE, NULL, NULL, answer);

  note = g_strdup_printf ("median of %d turns, request sent → response.completed, a 4 KB request "
                          "with Spark's tools and a short answer, TLS on loopback; %.0f%% lower; "
                          "p90 %.2f vs %.2f ms; %u vs %u server connections; the WebSocket's "
                          "first connect (not counted) %.1f ms; HTTPS on a pooled connection "
                          "%.2f ms; plain loopback: WebSocket %.2f ms, a new HTTP connection "
                          "per turn %.2f ms",
                          TURNS, 100.0 * (1.0 - wss.median_ms / https_fresh.median_ms),
                          wss.p90_ms, https_fresh.p90_ms, wss.connections, https_fresh.connections,
                          wss.connect_ms, https_pooled.median_ms, ws.median_ms,
                          http_fresh.median_ms);
  {
    SparkBenchFigure figure = {
      .figure = "2", .name = "per_turn_overhead", .value = wss.median_ms, .unit = "ms",
      .baseline = "new HTTPS connection per turn, SSE", .baseline_value = https_fresh.median_ms,
      /* The target: at least 80 % lower than the baseline. */
      .target_op = "<=", .target = 0.2 * https_fresh.median_ms,
      .note = note,
    };
    spark_bench_print (&figure);
  }
}

/* 3a: Send → response.create */

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
chat_turn (Chat *chat)
{
  g_autoptr(GError) error = NULL;

  chat->finished = FALSE;
  if (!spark_assistant_send (chat->assistant, "What does main.c do?", &error))
    g_error ("send: %s", error->message);
  while (!chat->finished)
    g_main_context_iteration (NULL, TRUE);
  if (chat->error != NULL)
    g_error ("turn failed: %s", chat->error->message);
}

/* The figure of @index's request: @started (first byte) or received. */
static double
request_ms (SparkBenchServer *server,
            guint             index,
            gint64            t0,
            gboolean          started)
{
  SparkBenchRequest request = spark_bench_server_get_request (server, index);

  if (!request.generating)
    g_error ("request %u is not the turn's", index);
  return ((started ? request.started_at : request.received_at) - t0) / 1000.0;
}

/* Median ms from spark_assistant_send() until the server has the whole
 * request, SEND_TURNS times; *@accept_ms gets the median until the server
 * began reading it (HTTP: accepted the new connection). */
static double
send_to_request (GTlsCertificate *certificate,
                 GTlsDatabase    *database,
                 gboolean         websocket,
                 const char      *answer,
                 const char      *root,
                 double          *accept_ms)
{
  g_autoptr(GFile) file = g_file_new_for_path (root);
  g_autoptr(SparkProject) project = spark_project_new (file);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *store = spark_test_make_temp_dir ();
  SparkBenchServer *server = spark_bench_server_start (certificate);
  SparkSession *session;
  double samples[SEND_TURNS], started[SEND_TURNS];
  Chat chat = { 0 };

  spark_bench_server_set_default (server, answer);
  g_settings_set_string (settings, "endpoint", spark_bench_server_get_url (server));
  g_settings_set_string (settings, "transport", websocket ? "websocket" : "http");
  chat.assistant = spark_assistant_new (project, settings);
  session = spark_assistant_get_session (chat.assistant);
  spark_session_set_store_dir (session, store);
  if (database != NULL)
    spark_session_set_tls_database (session, database);
  g_signal_connect (session, "turn-finished", G_CALLBACK (on_turn_finished), &chat);

  /* Ready (key looked up, socket warm), and one turn not counted. */
  while (!spark_assistant_get_ready (chat.assistant) ||
         (websocket && spark_session_get_connection_state (session) != SPARK_CONNECTION_STATE_WARM))
    g_main_context_iteration (NULL, TRUE);
  chat_turn (&chat);
  if (!websocket)
    spark_sse_transport_set_fresh_connections (SPARK_SSE_TRANSPORT (spark_session_get_transport (session)),
                                               TRUE);

  for (guint i = 0; i < SEND_TURNS; i++)
    {
      guint index = spark_bench_server_get_n_requests (server);
      gint64 t0 = g_get_monotonic_time ();

      chat_turn (&chat);
      samples[i] = request_ms (server, index, t0, FALSE);
      started[i] = request_ms (server, index, t0, TRUE);
    }

  g_signal_handlers_disconnect_by_data (session, &chat);
  g_clear_object (&chat.assistant);
  g_clear_error (&chat.error);
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "transport");
  spark_bench_server_stop (server);
  spark_test_rm_rf (store);

  if (accept_ms != NULL)
    *accept_ms = spark_bench_quantile (started, SEND_TURNS, 0.5);
  return spark_bench_quantile (samples, SEND_TURNS, 0.5);
}

static void
bench_send (GTlsCertificate *certificate,
            GTlsDatabase    *database,
            const char      *answer)
{
  g_autofree char *root = spark_test_make_temp_dir ();
  gboolean tls = certificate != NULL;
  double ws, http, http_accept;
  g_autofree char *note = NULL;

  spark_test_write_file (root, "main.c", "int main (void) { return 0; }\n");
  ws = send_to_request (certificate, database, TRUE, answer, root, NULL);
  http = send_to_request (certificate, database, FALSE, answer, root, &http_accept);
  spark_test_rm_rf (root);

  note = g_strdup_printf ("median of %d sends, spark_assistant_send() → the fake server (own "
                          "thread) has the whole response.create frame, warm %s; baseline: the "
                          "same send over %s with a new connection, until the server has the "
                          "whole request (it accepted the connection after %.2f ms)",
                          SEND_TURNS, tls ? "wss:// socket, TLS on loopback" : "ws:// socket, loopback",
                          tls ? "HTTPS+SSE" : "HTTP+SSE", http_accept);
  {
    SparkBenchFigure figure = {
      .figure = "3a", .name = tls ? "send_to_request_tls" : "send_to_request",
      .value = ws, .unit = "ms",
      .baseline = tls ? "new HTTPS connection and request" : "new HTTP connection and request",
      .baseline_value = http,
      .target_op = "<=", .target = 1.0,
      .note = note,
    };
    spark_bench_print (&figure);
  }
}

static int
serve (char       **names,
       const char  *fallback)
{
  SparkBenchServer *server = spark_bench_server_start (NULL);

  spark_bench_server_set_default (server, fallback);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = spark_fake_server_stream_path (names[i]);
      g_autofree char *text = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        g_error ("Cannot read %s", path);
      spark_bench_server_push (server, text);
    }
  g_print ("%s\n", spark_bench_server_get_url (server));
  for (;;)
    g_usleep (G_USEC_PER_SEC);

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *path = NULL;
  g_autofree char *cert_dir = NULL;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  path = spark_fake_server_stream_path ("text-hello");
  if (!g_file_get_contents (path, &answer, NULL, NULL))
    g_error ("Cannot read %s (set G_TEST_SRCDIR to tests/)", path);

  if (argc > 1 && g_str_equal (argv[1], "--serve"))
    return serve (argv + 2, answer);

  certificate = spark_bench_make_certificate (&database, &cert_dir, &error);
  if (certificate == NULL)
    {
      SparkBenchFigure figure = {
        .figure = "2", .name = "per_turn_overhead", .value = NAN, .unit = "ms",
        .note = error->message,
      };
      spark_bench_print (&figure);
    }
  else
    bench_per_turn (certificate, database, answer);

  bench_send (NULL, NULL, answer);
  if (certificate != NULL)
    bench_send (certificate, database, answer);

  if (cert_dir != NULL)
    spark_test_rm_rf (cert_dir);
  return 0;
}
