/* test-session-common.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spark-test-utils.h"
#include "test-session-common.h"

SparkSession *
spark_test_session_new (SparkFakeServer *server,
                        const char      *root,
                        const char      *store_dir)
{
  SparkSession *session = spark_session_new (root);

  g_object_set (session,
                "endpoint", spark_fake_server_get_base_url (server),
                "api-key", TEST_KEY,
                "model", "test-model",
                "store-dir", store_dir,
                NULL);
  spark_session_set_retry_policy (session, 3, 5);

  return session;
}

/* Waits for one asynchronous call on a session to finish. */
typedef struct
{
  gboolean (*finish) (SparkSession  *session,
                      GAsyncResult  *result,
                      GError       **error);
  gboolean   done;
  gboolean   ok;
  GError    *error;
} Waiter;

static void
waiter_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Waiter *w = user_data;

  w->ok = w->finish (SPARK_SESSION (object), result, &w->error);
  w->done = TRUE;
}

static gboolean
waiter_wait (Waiter  *w,
             guint    timeout,
             GError **error)
{
  spark_test_wait_for (&w->done, timeout);
  if (w->error != NULL)
    g_propagate_error (error, w->error);
  return w->ok;
}

gboolean
spark_test_session_start (SparkSession  *session,
                          GError       **error)
{
  Waiter w = { spark_session_start_finish, FALSE, FALSE, NULL };

  spark_session_start_async (session, NULL, waiter_cb, &w);
  return waiter_wait (&w, 10, error);
}

gboolean
spark_test_session_run (SparkSession  *session,
                        const char    *prompt,
                        guint          timeout,
                        GError       **error)
{
  Waiter w = { spark_session_run_finish, FALSE, FALSE, NULL };

  spark_session_run_async (session, prompt, NULL, waiter_cb, &w);
  return waiter_wait (&w, timeout, error);
}

static void
on_text_delta (SparkSession   *session,
               const char     *item_id,
               const char     *delta,
               SessionFixture *f)
{
  g_string_append (f->text, delta);
}

static void
on_completed (SparkSession     *session,
              const char       *id,
              SparkTurnTimings *timings,
              SessionFixture   *f)
{
  g_ptr_array_add (f->timings, spark_turn_timings_copy (timings));
}

static void
on_output (SparkSession   *session,
           SparkToolCall  *call,
           const char     *output,
           gboolean        success,
           SessionFixture *f)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "call_id", spark_tool_call_get_call_id (call));
  json_object_set_string_member (o, "output", output);
  json_object_set_boolean_member (o, "success", success);
  g_ptr_array_add (f->outputs, o);
}

static void
on_compacted (SparkSession        *session,
              SparkCompactionKind  kind,
              guint                before,
              guint                after,
              guint64              bytes,
              SessionFixture      *f)
{
  Compacted c = { kind, before, after, bytes };

  g_array_append_val (f->compacted, c);
}

SparkSession *
session_fixture_new_session (SessionFixture *f)
{
  SparkSession *session = spark_test_session_new (f->server, f->root, f->store);

  g_signal_connect (session, "text-delta", G_CALLBACK (on_text_delta), f);
  g_signal_connect (session, "response-completed", G_CALLBACK (on_completed), f);
  g_signal_connect (session, "tool-call-output", G_CALLBACK (on_output), f);
  g_signal_connect (session, "context-compacted", G_CALLBACK (on_compacted), f);

  return session;
}

void
session_fixture_setup (SessionFixture *f,
                       gconstpointer   data)
{
  f->server = spark_fake_server_new ();
  f->root = spark_test_make_temp_dir ();
  f->store = spark_test_make_temp_dir ();
  f->text = g_string_new (NULL);
  f->timings = g_ptr_array_new_with_free_func ((GDestroyNotify) spark_turn_timings_free);
  f->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  f->compacted = g_array_new (FALSE, TRUE, sizeof (Compacted));
  f->session = session_fixture_new_session (f);
}

void
session_fixture_teardown (SessionFixture *f,
                          gconstpointer   data)
{
  g_signal_handlers_disconnect_by_data (f->session, f);
  spark_session_close (f->session);
  g_assert_finalize_object (f->session);
  spark_fake_server_free (f->server);
  spark_test_rm_rf (f->root);
  spark_test_rm_rf (f->store);
  g_free (f->root);
  g_free (f->store);
  g_string_free (f->text, TRUE);
  g_ptr_array_unref (f->timings);
  g_ptr_array_unref (f->outputs);
  g_array_unref (f->compacted);
  g_clear_error (&f->turn_error);
  g_clear_error (&f->start_error);
}

void
session_fixture_start (SessionFixture *f)
{
  g_clear_error (&f->start_error);
  spark_test_session_start (f->session, &f->start_error);
}

void
session_fixture_run_on (SessionFixture *f,
                        SparkSession   *session,
                        const char     *prompt,
                        guint           timeout)
{
  g_string_truncate (f->text, 0);
  g_clear_error (&f->turn_error);
  spark_test_session_run (session, prompt, timeout, &f->turn_error);
}

void
session_file_overwrite (const char *path,
                        const char *needle,
                        const char *bytes)
{
  g_autofree char *contents = NULL;
  const char *at;
  int fd;

  g_assert_cmpuint (strlen (bytes), ==, strlen (needle));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  at = strstr (contents, needle);
  g_assert_nonnull (at);
  fd = g_open (path, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, bytes, strlen (bytes), at - contents), ==, (gssize) strlen (bytes));
  close (fd);
}
