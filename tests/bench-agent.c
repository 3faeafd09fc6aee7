/* bench-agent.c — agent benchmarks, one JSON line per figure.
 *
 *  per-turn: request sent → response.completed for a small answer, on a warm
 *    WebSocket vs HTTP+SSE (kept-alive and a fresh connection per turn),
 *    over plain loopback and over TLS with a self-signed certificate made at
 *    run time (openssl), request bodies carrying Spark's real tools.
 *  stream-cpu: client CPU (this thread only; the fake server runs in its own
 *    thread) per streamed token over a 10,000-token answer, through the whole
 *    session (frames → parser → typed signals), over WebSocket and SSE.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "spark-fake-server.h"
#include "spark-responses.h"
#include "spark-session.h"
#include "spark-sse-transport.h"
#include "spark-test-utils.h"
#include "spark-tools.h"
#include "spark-ws-transport.h"

#define TURNS  300
#define TOKENS 10000

typedef struct
{
  GMutex           lock;
  GCond            cond;
  GTlsCertificate *certificate;
  char            *jsonl;
  char           **queue;
  char            *base_url;
  guint            connections;
  GThread         *thread;
  GMainLoop       *loop;
  GMainContext    *context;
  SparkFakeServer *server;
} ServerThread;

static gpointer
server_thread_main (gpointer data)
{
  ServerThread *st = data;

  st->context = g_main_context_new ();
  g_main_context_push_thread_default (st->context);
  st->server = spark_fake_server_new_tls (st->certificate);
  spark_fake_server_set_default_text (st->server, st->jsonl);
  for (guint i = 0; st->queue != NULL && st->queue[i] != NULL; i++)
    spark_fake_server_push_stream (st->server, st->queue[i]);
  st->loop = g_main_loop_new (st->context, FALSE);

  g_mutex_lock (&st->lock);
  st->base_url = g_strdup (spark_fake_server_get_base_url (st->server));
  g_cond_signal (&st->cond);
  g_mutex_unlock (&st->lock);

  g_main_loop_run (st->loop);

  st->connections = spark_fake_server_get_n_handshakes (st->server) +
                    spark_fake_server_get_n_http_connections (st->server);
  spark_fake_server_free (st->server);
  g_main_loop_unref (st->loop);
  g_main_context_pop_thread_default (st->context);
  g_main_context_unref (st->context);
  return NULL;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static ServerThread *
server_start (GTlsCertificate *certificate,
              const char      *jsonl)
{
  ServerThread *st = g_new0 (ServerThread, 1);

  g_mutex_init (&st->lock);
  g_cond_init (&st->cond);
  st->certificate = certificate;
  st->jsonl = g_strdup (jsonl);

  g_mutex_lock (&st->lock);
  st->thread = g_thread_new ("fake-server", server_thread_main, st);
  while (st->base_url == NULL)
    g_cond_wait (&st->cond, &st->lock);
  g_mutex_unlock (&st->lock);

  return st;
}

static guint
server_stop (ServerThread *st)
{
  guint connections;

  g_main_context_invoke (st->context, quit_cb, st->loop);
  g_thread_join (st->thread);
  connections = st->connections;
  g_free (st->jsonl);
  g_free (st->base_url);
  g_free (st);
  return connections;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Wait;

static void
on_event (SparkTransport *transport,
          JsonObject     *event,
          Wait           *w)
{
  if (spark_responses_kind_is_terminal (spark_responses_event_kind (event)))
    {
      w->ok = spark_responses_event_kind (event) == SPARK_EVENT_COMPLETED;
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

static void
wait_done (Wait *w)
{
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
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

static void
bench_per_turn (const char     *label,
                gboolean        websocket,
                gboolean        fresh,
                GTlsCertificate *certificate,
                GTlsDatabase   *database,
                const char     *jsonl)
{
  g_autoptr(SparkTransport) transport = NULL;
  g_autoptr(JsonObject) request = realistic_request ();
  g_autofree char *body = spark_responses_to_string (request);
  ServerThread *st = server_start (certificate, jsonl);
  double samples[TURNS];
  double connect_ms, total = 0;
  guint connections;
  gint64 t0;
  Wait w = { 0 };

  if (websocket)
    {
      transport = SPARK_TRANSPORT (spark_ws_transport_new (st->base_url, "sk-bench"));
      if (database)
        spark_ws_transport_set_tls_database (SPARK_WS_TRANSPORT (transport), database);
    }
  else
    {
      transport = SPARK_TRANSPORT (spark_sse_transport_new (st->base_url, "sk-bench", SPARK_WIRE_API_RESPONSES));
      spark_sse_transport_set_fresh_connections (SPARK_SSE_TRANSPORT (transport), fresh);
      if (database)
        spark_sse_transport_set_tls_database (SPARK_SSE_TRANSPORT (transport), database);
    }
  g_signal_connect (transport, "event", G_CALLBACK (on_event), &w);
  g_signal_connect (transport, "stream-failed", G_CALLBACK (on_failed), &w);

  t0 = g_get_monotonic_time ();
  spark_transport_connect_async (transport, NULL, connect_cb, &w);
  wait_done (&w);
  if (!w.ok)
    g_error ("%s: connect failed: %s", label, w.error ? w.error->message : "?");
  connect_ms = (g_get_monotonic_time () - t0) / 1000.0;

  for (guint i = 0; i < TURNS; i++)
    {
      g_autoptr(GError) error = NULL;

      w.done = w.ok = FALSE;
      t0 = g_get_monotonic_time ();
      if (!spark_transport_send (transport, request, &error))
        g_error ("%s: %s", label, error->message);
      wait_done (&w);
      if (!w.ok)
        g_error ("%s: turn %u failed", label, i);
      samples[i] = (g_get_monotonic_time () - t0) / 1000.0;
      total += samples[i];
      /* Let an HTTP body finish draining so its connection can be reused
       * (not timed: a person or a tool takes longer than this between turns). */
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
  connections = server_stop (st);

  qsort (samples, TURNS, sizeof samples[0], compare_double);
  g_print ("{\"bench\":\"per-turn\",\"transport\":\"%s\",\"tls\":%s,\"turns\":%d,\"request_bytes\":%zu,"
           "\"server_connections\":%u,\"first_connect_ms\":%.3f,\"median_ms\":%.3f,\"p90_ms\":%.3f,"
           "\"mean_ms\":%.3f}\n",
           label, certificate ? "true" : "false", TURNS, strlen (body), connections, connect_ms,
           samples[TURNS / 2], samples[TURNS * 9 / 10], total / TURNS);
}

static char *
long_stream (guint tokens)
{
  GString *s = g_string_new (NULL);

  g_string_append (s, "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"__RESP__\",\"status\":\"in_progress\",\"output\":[]}}\n");
  g_string_append (s, "{\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_long\",\"type\":\"message\",\"role\":\"assistant\",\"status\":\"in_progress\",\"content\":[]}}\n");
  for (guint i = 0; i < tokens; i++)
    g_string_append_printf (s, "{\"type\":\"response.output_text.delta\",\"sequence_number\":%u,\"item_id\":\"msg_long\","
                            "\"output_index\":0,\"content_index\":0,\"delta\":\" tok%u\",\"logprobs\":[]}\n", i + 2, i % 1000);
  g_string_append_printf (s, "{\"type\":\"response.output_item.done\",\"sequence_number\":%u,\"output_index\":0,\"item\":{\"id\":\"msg_long\",\"type\":\"message\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\",\"text\":\"(long)\"}]}}\n", tokens + 2);
  g_string_append_printf (s, "{\"type\":\"response.completed\",\"sequence_number\":%u,\"response\":{\"id\":\"__RESP__\",\"status\":\"completed\",\"output\":[],\"usage\":{\"input_tokens\":100,\"output_tokens\":%u,\"total_tokens\":%u}}}\n",
                          tokens + 3, tokens, tokens + 100);
  return g_string_free (s, FALSE);
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  /* User + system time of this thread only. */
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
count_delta (SparkSession *session,
             const char   *item_id,
             const char   *delta,
             guint        *count)
{
  (*count)++;
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = spark_session_run_finish (SPARK_SESSION (object), result, &w->error);
  w->done = TRUE;
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = spark_session_start_finish (SPARK_SESSION (object), result, &w->error);
  w->done = TRUE;
}

static void
bench_stream_cpu (SparkTransportKind kind,
                  const char        *label)
{
  g_autofree char *jsonl = long_stream (TOKENS);
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autoptr(SparkSession) session = spark_session_new (root);
  ServerThread *st = server_start (NULL, jsonl);
  gint64 cpu0, wall0, cpu, wall;
  guint deltas = 0;
  Wait w = { 0 };

  g_object_set (session, "endpoint", st->base_url, "api-key", "sk-bench", "store-dir", NULL,
                "transport-kind", kind, NULL);
  g_signal_connect (session, "text-delta", G_CALLBACK (count_delta), &deltas);
  spark_session_start_async (session, NULL, start_cb, &w);
  wait_done (&w);

  w.done = FALSE;
  cpu0 = thread_cpu_us ();
  wall0 = g_get_monotonic_time ();
  spark_session_run_async (session, "write a lot", NULL, run_cb, &w);
  wait_done (&w);
  cpu = thread_cpu_us () - cpu0;
  wall = g_get_monotonic_time () - wall0;
  if (!w.ok || deltas != TOKENS)
    g_error ("%s: %u deltas, %s", label, deltas, w.error ? w.error->message : "");

  g_print ("{\"bench\":\"stream-cpu\",\"transport\":\"%s\",\"tokens\":%d,\"stream_bytes\":%zu,"
           "\"client_cpu_ms\":%.2f,\"cpu_us_per_token\":%.3f,\"wall_ms\":%.2f,\"tokens_per_s\":%.0f}\n",
           label, TOKENS, strlen (jsonl), cpu / 1000.0, (double) cpu / TOKENS, wall / 1000.0,
           TOKENS / (wall / (double) G_USEC_PER_SEC));

  g_signal_handlers_disconnect_by_data (session, &deltas);
  spark_session_close (session);
  g_clear_error (&w.error);
  server_stop (st);
  spark_test_rm_rf (root);
}

static GTlsCertificate *
make_certificate (GTlsDatabase **database,
                  char         **dir_out)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;
  int status = 0;

  if (openssl == NULL)
    return NULL;

  dir = spark_test_make_temp_dir ();
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                           "-days", "1", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1", NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, &error) ||
        !g_spawn_check_wait_status (status, NULL))
      return NULL;
  }

  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  if (certificate == NULL)
    return NULL;
  *database = g_tls_file_database_new (cert, &error);
  if (*database == NULL)
    {
      g_object_unref (certificate);
      return NULL;
    }

  *dir_out = g_steal_pointer (&dir);
  return certificate;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autofree char *small = NULL;
  g_autofree char *path = NULL;
  g_autofree char *cert_dir = NULL;

  spark_test_quiet_logs ();
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  path = spark_fake_server_stream_path ("text-hello");
  if (!g_file_get_contents (path, &small, NULL, NULL))
    g_error ("Cannot read %s (set G_TEST_SRCDIR to tests/)", path);

  /* Manual checks with other clients: serve the named streams in order,
   * then text-hello forever. Stop with a signal. */
  if (argc > 1 && g_str_equal (argv[1], "--serve"))
    {
      ServerThread *st = g_new0 (ServerThread, 1);

      g_mutex_init (&st->lock);
      g_cond_init (&st->cond);
      st->jsonl = g_strdup (small);
      st->queue = argv + 2;
      g_mutex_lock (&st->lock);
      st->thread = g_thread_new ("fake-server", server_thread_main, st);
      while (st->base_url == NULL)
        g_cond_wait (&st->cond, &st->lock);
      g_mutex_unlock (&st->lock);
      g_print ("%s\n", st->base_url);
      g_thread_join (st->thread);
      return 0;
    }

  bench_per_turn ("websocket-warm", TRUE, FALSE, NULL, NULL, small);
  bench_per_turn ("http-sse-pooled", FALSE, FALSE, NULL, NULL, small);
  bench_per_turn ("http-sse-fresh-connection", FALSE, TRUE, NULL, NULL, small);

  certificate = make_certificate (&database, &cert_dir);
  if (certificate != NULL)
    {
      bench_per_turn ("websocket-warm", TRUE, FALSE, certificate, database, small);
      bench_per_turn ("http-sse-pooled", FALSE, FALSE, certificate, database, small);
      bench_per_turn ("http-sse-fresh-connection", FALSE, TRUE, certificate, database, small);
      spark_test_rm_rf (cert_dir);
    }
  else
    {
      g_print ("{\"bench\":\"per-turn\",\"tls\":true,\"skipped\":\"openssl or GnuTLS backend unavailable\"}\n");
    }

  bench_stream_cpu (SPARK_TRANSPORT_KIND_WEBSOCKET, "websocket");
  bench_stream_cpu (SPARK_TRANSPORT_KIND_HTTP, "http-sse");

  return 0;
}
