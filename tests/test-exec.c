/* test-exec.c — `spark exec` end to end: the built binary against the fake
 * server running in this process.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "spark-fake-server.h"
#include "spark-test-utils.h"

#define TEST_KEY "sk-exec-test-4d2c9a81"

typedef struct
{
  SparkFakeServer *server;
  char            *root;
  char            *data_home;
  char            *out;
  char            *err;
  int              status;
  gboolean         done;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = spark_fake_server_new ();
  f->root = spark_test_make_temp_dir ();
  f->data_home = spark_test_make_temp_dir ();
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  spark_fake_server_free (f->server);
  spark_test_rm_rf (f->root);
  spark_test_rm_rf (f->data_home);
  g_free (f->root);
  g_free (f->data_home);
  g_free (f->out);
  g_free (f->err);
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &f->out, &f->err, &error);
  g_assert_no_error (error);
  f->status = g_subprocess_get_if_exited (G_SUBPROCESS (object)) ? g_subprocess_get_exit_status (G_SUBPROCESS (object)) : -1;
  f->done = TRUE;
}

/* Runs `spark exec ARGS... PROMPT`; the main loop keeps serving meanwhile. */
static void
run_exec (Fixture    *f,
          gboolean    with_key,
          const char *first_arg,
          ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) SPARK_EXE);
  g_ptr_array_add (argv, (char *) "exec");
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "OPENAI_BASE_URL");
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  if (with_key)
    g_subprocess_launcher_setenv (launcher, "OPENAI_API_KEY", TEST_KEY, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "OPENAI_API_KEY");

  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  f->done = FALSE;
  subprocess = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (subprocess, NULL, NULL, communicate_cb, f);
  spark_test_wait_for (&f->done, 30);

  /* Whatever happened, the key is nowhere in the output (debug logs included). */
  g_assert_null (strstr (f->out, TEST_KEY));
  g_assert_null (strstr (f->err, TEST_KEY));
}

static GPtrArray *
parse_lines (const char *out)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (events, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }

  return events;
}

static JsonObject *
find_event (GPtrArray  *events,
            const char *type)
{
  for (guint i = 0; i < events->len; i++)
    {
      if (g_strcmp0 (json_object_get_string_member (events->pdata[i], "type"), type) == 0)
        return events->pdata[i];
    }
  return NULL;
}

static void
test_patch_end_to_end (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *contents = NULL;
  JsonObject *output;
  JsonObject *done;
  JsonObject *completed;

  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "--approve", "edits", "--json", "change", "world", NULL);

  g_assert_cmpint (f->status, ==, 0);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nthere\n");

  events = parse_lines (f->out);
  output = find_event (events, "tool_output");
  g_assert_nonnull (output);
  g_assert_cmpstr (json_object_get_string_member (output, "call_id"), ==, "call_patch_custom");
  g_assert_true (json_object_get_boolean_member (output, "success"));
  completed = find_event (events, "response_completed");
  g_assert_nonnull (completed);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (completed, "timings"),
                                                  "transport"), ==, "websocket");
  done = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpstr (json_object_get_string_member (done, "type"), ==, "turn_finished");
  g_assert_true (json_object_get_boolean_member (done, "ok"));

  /* Warm-up, the turn and the tool output all on one socket. */
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 1);
  g_assert_cmpuint (spark_fake_server_get_n_requests (f->server), ==, 3);
  g_assert_cmpstr (spark_fake_server_get_last_authorization (f->server), ==, "Bearer " TEST_KEY);
}

static void
test_approve_none (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *contents = NULL;

  spark_fake_server_push_stream (f->server, "patch-function");
  spark_fake_server_push_stream (f->server, "text-done");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "change world", NULL);

  g_assert_cmpint (f->status, ==, 0);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");
  g_assert_cmpstr (f->out, ==, "Done.\n");
  g_assert_nonnull (strstr (f->err, "Not applied"));
}

static void
test_plain_text_over_http_fallback (Fixture       *f,
                                    gconstpointer  data)
{
  spark_fake_server_set_ws_status (f->server, 426);
  spark_fake_server_push_stream (f->server, "text-hello");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "say", "hello", NULL);

  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Hello, world!\n");
  g_assert_cmpuint (spark_fake_server_get_n_posts (f->server), ==, 1);
}

static void
test_chat_wire (Fixture       *f,
                gconstpointer  data)
{
  spark_fake_server_push_stream (f->server, "chat-hello");
  run_exec (f, FALSE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "--wire-api", "chat", "--model", "local-model", "hi", NULL);

  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Hello from chat\n");
  g_assert_cmpstr (json_object_get_string_member (spark_fake_server_get_request (f->server, 0), "model"), ==,
                   "local-model");
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  /* Nothing listens on port 1. */
  run_exec (f, TRUE, "--root", f->root, "--endpoint", "http://127.0.0.1:1/v1", "--transport", "websocket", "hi", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_nonnull (strstr (f->err, "Could not connect"));

  /* A server error is reported, not hidden. */
  spark_fake_server_push_stream (f->server, "error-rate-limit");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server), "hi", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_nonnull (strstr (f->err, "Rate limit reached"));

  /* Usage errors. */
  run_exec (f, TRUE, "--transport", "carrier-pigeon", "hi", NULL);
  g_assert_cmpint (f->status, ==, 2);
  g_assert_nonnull (strstr (f->err, "--transport"));
  run_exec (f, TRUE, "--root", f->root, NULL);
  g_assert_cmpint (f->status, ==, 2);

  /* No key for a remote endpoint: a clear message, no connection attempt. */
  run_exec (f, FALSE, "--root", f->root, "--endpoint", "https://api.example.invalid/v1", "hi", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_nonnull (strstr (f->err, "no API key"));

  /* Never the key over clear text to a remote host. */
  run_exec (f, TRUE, "--root", f->root, "--endpoint", "http://192.0.2.1:9/v1", "hi", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_nonnull (strstr (f->err, "clear text"));
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/exec/patch-end-to-end", test_patch_end_to_end);
  ADD ("/exec/approve-none", test_approve_none);
  ADD ("/exec/plain-text-over-http-fallback", test_plain_text_over_http_fallback);
  ADD ("/exec/chat-wire", test_chat_wire);
  ADD ("/exec/errors", test_errors);
#undef ADD

  return g_test_run ();
}
