/* test-real-client.c — proves the fake server speaks the real protocol: the
 * official `openai` npm SDK (SSE and WebSocket mode) runs against it.
 *
 * Needs node and the openai package: `npm install` in tests/js, or point
 * SPARK_NODE_MODULES at a node_modules folder holding openai and ws.
 * Skipped (TAP skip) otherwise.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "spark-fake-server.h"
#include "spark-test-utils.h"

static char *out;
static char *err;
static int status;
static gboolean done;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &out, &err, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (G_SUBPROCESS (object)) ? g_subprocess_get_exit_status (G_SUBPROCESS (object)) : -1;
  done = TRUE;
}

static char *
find_node_modules (void)
{
  const char *env = g_getenv ("SPARK_NODE_MODULES");
  g_autofree char *local = g_build_filename (g_getenv ("G_TEST_SRCDIR") ?: ".", "js", "node_modules", NULL);
  const char *candidates[] = { env, local };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *openai = NULL;
      g_autofree char *ws = NULL;

      if (candidates[i] == NULL)
        continue;
      openai = g_build_filename (candidates[i], "openai", "package.json", NULL);
      ws = g_build_filename (candidates[i], "ws", "package.json", NULL);
      if (g_file_test (openai, G_FILE_TEST_EXISTS) && g_file_test (ws, G_FILE_TEST_EXISTS))
        return g_canonicalize_filename (candidates[i], NULL);
    }

  return NULL;
}

static void
test_openai_sdk (void)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *modules = find_node_modules ();
  g_autofree char *dir = NULL;
  g_autofree char *script_src = NULL;
  g_autofree char *script = NULL;
  g_autofree char *link = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reqs = NULL;
  SparkFakeServer *server;
  JsonObject *report;
  JsonObject *sse;
  JsonObject *sse_final;
  JsonObject *ws;
  JsonObject *compaction;
  JsonArray *types;
  g_auto(GStrv) lines = NULL;
  guint ws_frames = 0;
  guint compacts = 0;

  if (node == NULL || modules == NULL)
    {
      g_test_skip ("node or the openai npm package is unavailable "
                   "(run npm install in tests/js, or set SPARK_NODE_MODULES)");
      return;
    }

  /* ES modules resolve packages next to the script: give it a node_modules. */
  dir = spark_test_make_temp_dir ();
  script_src = g_build_filename (g_getenv ("G_TEST_SRCDIR") ?: ".", "js", "real-client.mjs", NULL);
  g_file_get_contents (script_src, &contents, NULL, &error);
  g_assert_no_error (error);
  script = g_build_filename (dir, "real-client.mjs", NULL);
  g_file_set_contents (script, contents, -1, &error);
  g_assert_no_error (error);
  link = g_build_filename (dir, "node_modules", NULL);
  g_assert_cmpint (symlink (modules, link), ==, 0);

  server = spark_fake_server_new ();
  spark_fake_server_push_stream (server, "text-hello");     /* SSE create(stream) */
  spark_fake_server_push_stream (server, "text-hello");     /* SSE stream().finalResponse() */
  spark_fake_server_push_stream (server, "patch-custom");   /* WS turn */
  spark_fake_server_push_stream (server, "text-done");      /* WS tool output */
  spark_fake_server_push_stream (server, "compaction-server"); /* SSE with context_management */
  spark_fake_server_set_compact_reply_file (server, "compact-reply");

  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                 node, script, spark_fake_server_get_base_url (server), NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (subprocess, NULL, NULL, communicate_cb, NULL);
  spark_test_wait_for (&done, 60);

  if (status != 0)
    g_error ("node failed (%d): %s", status, err);

  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_test_message ("openai SDK report: %s", lines[g_strv_length (lines) - 1]);
  json_parser_load_from_data (parser, lines[g_strv_length (lines) - 1], -1, &error);
  g_assert_no_error (error);
  report = json_node_get_object (json_parser_get_root (parser));

  /* What the SDK understood. */
  sse = json_object_get_object_member (report, "sse");
  g_assert_cmpstr (json_object_get_string_member (sse, "text"), ==, "Hello, world!");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (sse, "types"), 0), ==,
                   "response.created");
  sse_final = json_object_get_object_member (report, "sse_final");
  g_assert_cmpstr (json_object_get_string_member (sse_final, "status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (sse_final, "output_text"), ==, "Hello, world!");

  ws = json_object_get_object_member (report, "ws");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (ws, "warm_id"), "resp_warm_"));
  g_assert_cmpstr (json_object_get_string_member (ws, "turn_status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (ws, "patch_name"), ==, "apply_patch");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (ws, "patch_input"), "*** Begin Patch\n"));
  g_assert_cmpstr (json_object_get_string_member (ws, "follow_text"), ==, "Done.");
  g_assert_cmpstr (json_object_get_string_member (ws, "missing_code"), ==, "previous_response_not_found");

  /* Our compaction shapes as the SDK types them: the stream's compaction
   * item, the compact endpoint's answer. */
  compaction = json_object_get_object_member (report, "compaction");
  types = json_object_get_array_member (compaction, "output_types");
  g_assert_cmpuint (json_array_get_length (types), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (types, 0), ==, "compaction");
  g_assert_cmpstr (json_object_get_string_member (compaction, "output_text"), ==, "Still here.");
  g_assert_cmpstr (json_object_get_string_member (compaction, "compact_object"), ==, "response.compaction");
  types = json_object_get_array_member (compaction, "compact_types");
  g_assert_cmpuint (json_array_get_length (types), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (types, 1), ==, "compaction");
  g_assert_cmpint (json_object_get_int_member (compaction, "compact_input_tokens"), ==, 300);

  /* What the server saw from the SDK: three POSTs with stream:true (the last
   * with context_management as we send it), one to /responses/compact, one
   * socket carrying four response.create frames, the key as a bearer token. */
  g_assert_cmpuint (spark_fake_server_get_n_posts (server), ==, 3);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (server), ==, 1);
  for (guint i = 0; i < spark_fake_server_get_n_requests (server); i++)
    {
      JsonObject *r = spark_fake_server_get_request (server, i);

      if (g_strcmp0 (json_object_get_string_member (r, "_transport"), "websocket") == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (r, "type"), ==, "response.create");
          ws_frames++;
        }
      else if (g_strcmp0 (json_object_get_string_member (r, "_transport"), "compact") == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (r, "model"), ==, "test-model");
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (r, "input")), ==, 1);
          g_assert_false (json_object_has_member (r, "stream"));
          compacts++;
        }
      else
        {
          g_assert_true (json_object_get_boolean_member (r, "stream"));
          if (json_object_has_member (r, "context_management"))
            {
              JsonArray *cm = json_object_get_array_member (r, "context_management");
              JsonObject *entry = json_array_get_object_element (cm, 0);

              g_assert_cmpstr (json_object_get_string_member (entry, "type"), ==, "compaction");
              g_assert_cmpint (json_object_get_int_member (entry, "compact_threshold"), ==, 1000);
            }
        }
    }
  g_assert_cmpuint (ws_frames, ==, 4);
  g_assert_cmpuint (compacts, ==, 1);
  g_assert_cmpstr (spark_fake_server_get_last_authorization (server), ==, "Bearer sk-real-client-check");
  reqs = spark_fake_server_dup_generating (server);
  g_assert_cmpuint (reqs->len, ==, 6);
  g_assert_true (json_object_has_member (reqs->pdata[5], "context_management"));

  spark_fake_server_free (server);
  spark_test_rm_rf (dir);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/agent/fake-server/openai-sdk", test_openai_sdk);

  return g_test_run ();
}
