/* spark-bench-server.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <time.h>

#include "spark-bench-server.h"
#include "spark-fake-server.h"
#include "spark-test-utils.h"

struct _SparkBenchServer
{
  GMutex           lock;
  GCond            cond;
  GTlsCertificate *certificate;
  char            *base_url;
  GArray          *requests;      /* SparkBenchRequest, under lock */
  guint            connections;
  GThread         *thread;
  GMainLoop       *loop;
  GMainContext    *context;
  SparkFakeServer *server;
};

static void
on_request (JsonObject *body,
            gint64      started_at,
            gint64      received_at,
            gpointer    user_data)
{
  SparkBenchServer *self = user_data;
  SparkBenchRequest request = { started_at, received_at, TRUE };
  const char *type = json_object_get_string_member_with_default (body, "type", "");

  if (g_str_equal (type, "response.steer") ||
      (json_object_has_member (body, "generate") && !json_object_get_boolean_member (body, "generate")))
    request.generating = FALSE;

  g_mutex_lock (&self->lock);
  g_array_append_val (self->requests, request);
  g_mutex_unlock (&self->lock);
}

static gpointer
server_thread_main (gpointer data)
{
  SparkBenchServer *self = data;

  g_main_context_push_thread_default (self->context);
  self->server = spark_fake_server_new_tls (self->certificate);
  spark_fake_server_set_request_func (self->server, on_request, self);

  g_mutex_lock (&self->lock);
  self->base_url = g_strdup (spark_fake_server_get_base_url (self->server));
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  self->connections = spark_fake_server_get_n_handshakes (self->server) +
                      spark_fake_server_get_n_http_connections (self->server);
  spark_fake_server_free (self->server);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

SparkBenchServer *
spark_bench_server_start (GTlsCertificate *certificate)
{
  SparkBenchServer *self = g_new0 (SparkBenchServer, 1);

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->certificate = certificate ? g_object_ref (certificate) : NULL;
  self->requests = g_array_new (FALSE, FALSE, sizeof (SparkBenchRequest));
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);

  g_mutex_lock (&self->lock);
  self->thread = g_thread_new ("fake-server", server_thread_main, self);
  while (self->base_url == NULL)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  return self;
}

const char *
spark_bench_server_get_url (SparkBenchServer *self)
{
  return self->base_url;
}

typedef struct
{
  SparkBenchServer *self;
  const char       *text;
  gboolean          as_default;
  gboolean          done;
} Call;

/* An idle source rather than g_main_context_invoke(), which would run the
 * call in this thread whenever it can acquire the server's context. */
static gboolean
call_cb (gpointer data)
{
  Call *call = data;

  if (call->as_default)
    spark_fake_server_set_default_text (call->self->server, call->text);
  else
    spark_fake_server_push_text (call->self->server, call->text);

  g_mutex_lock (&call->self->lock);
  call->done = TRUE;
  g_cond_broadcast (&call->self->cond);
  g_mutex_unlock (&call->self->lock);

  return G_SOURCE_REMOVE;
}

static void
call_in_server (SparkBenchServer *self,
                const char       *text,
                gboolean          as_default)
{
  Call call = { self, text, as_default, FALSE };
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, call_cb, &call, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);

  g_mutex_lock (&self->lock);
  while (!call.done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

void
spark_bench_server_set_default (SparkBenchServer *self,
                                const char       *jsonl)
{
  call_in_server (self, jsonl, TRUE);
}

void
spark_bench_server_push (SparkBenchServer *self,
                         const char       *jsonl)
{
  call_in_server (self, jsonl, FALSE);
}

guint
spark_bench_server_get_n_requests (SparkBenchServer *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->requests->len;
  g_mutex_unlock (&self->lock);

  return n;
}

SparkBenchRequest
spark_bench_server_get_request (SparkBenchServer *self,
                                guint             index)
{
  SparkBenchRequest request = { 0 };

  g_mutex_lock (&self->lock);
  if (index < self->requests->len)
    request = g_array_index (self->requests, SparkBenchRequest, index);
  g_mutex_unlock (&self->lock);

  return request;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

guint
spark_bench_server_stop (SparkBenchServer *self)
{
  GSource *source = g_idle_source_new ();
  guint connections;

  g_source_set_callback (source, quit_cb, self->loop, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  g_thread_join (self->thread);

  connections = self->connections;
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_clear_object (&self->certificate);
  g_array_unref (self->requests);
  g_free (self->base_url);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);

  return connections;
}

GTlsCertificate *
spark_bench_make_certificate (GTlsDatabase **database,
                              char         **dir_out,
                              GError       **error)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  int status = 0;

  if (openssl == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "openssl is not installed");
      return NULL;
    }

  dir = spark_test_make_temp_dir ();
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                           "-days", "1", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1", NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL,
                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, error) ||
        !g_spawn_check_wait_status (status, error))
      {
        spark_test_rm_rf (dir);
        return NULL;
      }
  }

  certificate = g_tls_certificate_new_from_files (cert, key, error);
  if (certificate != NULL)
    *database = g_tls_file_database_new (cert, error);
  if (certificate == NULL || *database == NULL)
    {
      spark_test_rm_rf (dir);
      return NULL;
    }

  *dir_out = g_steal_pointer (&dir);
  return g_steal_pointer (&certificate);
}

gint64
spark_bench_thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}
