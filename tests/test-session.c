/* test-session.c — the turn loop against the fake server: warm-up, one
 * handshake for many turns, continuation, tool outputs, the three patch wire
 * forms, fallback, reconnect, rollover, stop, queue, steer, persistence.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spark-responses.h"
#include "spark-test-utils.h"
#include "test-session-common.h"

typedef SessionFixture Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  session_fixture_setup (f, data);
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
}

static void
start (Fixture *f)
{
  session_fixture_start (f);
}

static void
run_turn (Fixture    *f,
          const char *prompt)
{
  session_fixture_run_on (f, f->session, prompt, 20);
}

static JsonArray *
input_of (JsonObject *request)
{
  return json_object_get_array_member (request, "input");
}

static JsonObject *
input_item (JsonObject *request,
            guint       i)
{
  return json_array_get_object_element (input_of (request), i);
}

static GPtrArray *
generating (Fixture *f)
{
  return spark_fake_server_dup_generating (f->server);
}

static void
on_state (SparkSession *session,
          GParamSpec   *pspec,
          GString      *states)
{
  g_string_append_printf (states, "%s ",
                          spark_connection_state_to_string (spark_session_get_connection_state (session)));
}

static void
test_warmup_and_one_handshake (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  JsonObject *warm;
  JsonArray *tools;
  gboolean has_custom_patch = FALSE;
  g_autoptr(GString) states = g_string_new (NULL);

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-hello");

  g_signal_connect (f->session, "notify::connection-state", G_CALLBACK (on_state), states);
  start (f);
  g_assert_no_error (f->start_error);
  g_assert_cmpint (spark_session_get_connection_state (f->session), ==, SPARK_CONNECTION_STATE_WARM);

  /* The warm-up: generate:false, with instructions and tools, no input. */
  g_assert_cmpuint (spark_fake_server_get_n_requests (f->server), ==, 1);
  warm = spark_fake_server_get_request (f->server, 0);
  g_assert_cmpstr (spark_json_get_string (warm, "type"), ==, "response.create");
  g_assert_false (json_object_get_boolean_member (warm, "generate"));
  g_assert_nonnull (spark_json_get_string (warm, "instructions"));
  g_assert_cmpuint (json_array_get_length (input_of (warm)), ==, 0);
  tools = json_object_get_array_member (warm, "tools");
  for (guint i = 0; i < json_array_get_length (tools); i++)
    {
      JsonObject *tool = json_array_get_object_element (tools, i);

      if (g_strcmp0 (spark_json_get_string (tool, "name"), "apply_patch") == 0)
        {
          g_assert_cmpstr (spark_json_get_string (tool, "type"), ==, "custom");
          g_assert_cmpstr (spark_json_get_string (spark_json_get_object (tool, "format"), "syntax"), ==, "lark");
          has_custom_patch = TRUE;
        }
    }
  g_assert_true (has_custom_patch);

  run_turn (f, "first");
  g_assert_no_error (f->turn_error);
  g_assert_cmpstr (f->text->str, ==, "Hello, world!");
  run_turn (f, "second");
  g_assert_no_error (f->turn_error);
  g_assert_cmpstr (f->text->str, ==, "Done.");
  run_turn (f, "third");
  g_assert_no_error (f->turn_error);

  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 1);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);

  /* Turn 1 chains from the warm-up with its one new item. */
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[0], "previous_response_id"), ==, "resp_warm_1");
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[0])), ==, 1);

  /* Turns 2 and 3: previous_response_id of the last turn, only the new message. */
  for (guint i = 1; i < 3; i++)
    {
      JsonObject *item;

      g_assert_cmpstr (spark_json_get_string (reqs->pdata[i], "previous_response_id"), ==,
                       i == 1 ? "resp_2" : "resp_3");
      g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[i])), ==, 1);
      item = input_item (reqs->pdata[i], 0);
      g_assert_cmpstr (spark_json_get_string (item, "role"), ==, "user");
      g_assert_false (json_object_get_boolean_member_with_default (reqs->pdata[i], "store", TRUE));
    }

  /* History holds everything: 3 user messages, 3 assistant messages. */
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 6);

  /* Timings of every response. */
  g_assert_cmpuint (f->timings->len, ==, 3);
  for (guint i = 0; i < f->timings->len; i++)
    {
      SparkTurnTimings *t = f->timings->pdata[i];

      g_assert_cmpint (t->first_event, >=, t->request_sent);
      g_assert_cmpint (t->first_text, >=, t->first_event);
      g_assert_cmpint (t->completed, >=, t->first_text);
      g_assert_true (t->continuation);
      g_assert_cmpstr (t->transport, ==, "websocket");
    }
  g_assert_cmpint (((SparkTurnTimings *) f->timings->pdata[1])->cached_tokens, ==, 256);
  g_assert_cmpstr (states->str, ==, "connecting warm streaming warm streaming warm streaming warm ");
  g_signal_handlers_disconnect_by_func (f->session, on_state, states);
  g_assert_cmpuint (spark_session_get_context_used (f->session), ==, 140);
}

static void
test_tool_outputs_match (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  static const struct { const char *stream; const char *call_id; const char *needle; } calls[] = {
    { "call-read-file", "call_read_1", "world" },
    { "call-list-dir", "call_list_1", "hello.txt" },
    { "call-grep", "call_grep_1", "hello.txt:2: world" },
    { "call-read-outside", "call_escape_1", "outside the project folder" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    spark_fake_server_push_stream (f->server, calls[i].stream);
  spark_fake_server_push_stream (f->server, "text-done");

  /* The model makes four calls in a row, then answers. */
  start (f);
  run_turn (f, "look around");
  g_assert_no_error (f->turn_error);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 1);

  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 5);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      JsonObject *next = reqs->pdata[i + 1];
      JsonObject *item;
      g_autofree char *expected_prev = g_strdup_printf ("resp_%u", i + 2);

      /* Each follow-up chains and carries exactly the one output. */
      g_assert_cmpstr (spark_json_get_string (next, "previous_response_id"), ==, expected_prev);
      g_assert_cmpuint (json_array_get_length (input_of (next)), ==, 1);
      item = input_item (next, 0);
      g_assert_cmpstr (spark_json_get_string (item, "type"), ==, "function_call_output");
      g_assert_cmpstr (spark_json_get_string (item, "call_id"), ==, calls[i].call_id);
      if (strstr (spark_json_get_string (item, "output"), calls[i].needle) == NULL)
        g_error ("“%s” not in output “%s”", calls[i].needle, spark_json_get_string (item, "output"));
    }
}

typedef struct
{
  Fixture *f;
  guint    max_hunks_before_done;
  gboolean done;
} HunkWatch;

static void
on_call_delta (SparkSession  *session,
               SparkToolCall *call,
               const char    *delta,
               HunkWatch     *watch)
{
  SparkChangeset *changeset = spark_session_get_changeset (session, call);

  if (changeset != NULL && !watch->done)
    watch->max_hunks_before_done = MAX (watch->max_hunks_before_done,
                                        spark_changeset_get_n_hunks (changeset));
}

static void
on_call_done (SparkSession  *session,
              SparkToolCall *call,
              HunkWatch     *watch)
{
  watch->done = TRUE;
}

static void
check_patch_form (Fixture    *f,
                  const char *stream,
                  const char *call_id,
                  const char *output_type,
                  gboolean    expect_streamed_hunk)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autofree char *contents = NULL;
  HunkWatch watch = { f, 0, FALSE };
  JsonObject *item;

  spark_approval_policy_set_mode (spark_session_get_approval_policy (f->session), SPARK_APPROVAL_MODE_EDITS);
  g_signal_connect (f->session, "tool-call-delta", G_CALLBACK (on_call_delta), &watch);
  g_signal_connect (f->session, "tool-call-done", G_CALLBACK (on_call_done), &watch);

  spark_fake_server_push_stream (f->server, stream);
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "change world to there");
  g_assert_no_error (f->turn_error);
  g_signal_handlers_disconnect_by_data (f->session, &watch);

  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nthere\n");

  if (expect_streamed_hunk)
    g_assert_cmpuint (watch.max_hunks_before_done, ==, 1);
  g_assert_cmpint (((SparkTurnTimings *) f->timings->pdata[0])->first_patch_byte, >, 0);

  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[1])), ==, 1);
  item = input_item (reqs->pdata[1], 0);
  g_assert_cmpstr (spark_json_get_string (item, "type"), ==, output_type);
  g_assert_cmpstr (spark_json_get_string (item, "call_id"), ==, call_id);
  g_assert_nonnull (strstr (spark_json_get_string (item, "output"), "Success"));
  if (g_str_equal (output_type, "apply_patch_call_output"))
    g_assert_cmpstr (spark_json_get_string (item, "status"), ==, "completed");
}

static void
test_patch_custom (Fixture *f, gconstpointer data)
{
  check_patch_form (f, "patch-custom", "call_patch_custom", "custom_tool_call_output", TRUE);
}

static void
test_patch_function (Fixture *f, gconstpointer data)
{
  check_patch_form (f, "patch-function", "call_patch_function", "function_call_output", TRUE);
}

static void
test_patch_hosted (Fixture *f, gconstpointer data)
{
  check_patch_form (f, "patch-hosted", "call_patch_hosted", "apply_patch_call_output", FALSE);
}

static gboolean
reject_later_cb (gpointer data)
{
  spark_tool_call_reject (data, "the name must stay");
  return G_SOURCE_REMOVE;
}

static gboolean
reject_with_reason (SparkApprovalPolicy *policy,
                    SparkToolCall       *call,
                    gpointer             user_data)
{
  /* Decide later, as a UI would. */
  g_idle_add_full (G_PRIORITY_DEFAULT, reject_later_cb, g_object_ref (call), g_object_unref);
  return TRUE;
}

static void
test_patch_rejected (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *contents = NULL;
  JsonObject *output;

  /* Policy "none": nothing is written and the model is told why. */
  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "change it");
  g_assert_no_error (f->turn_error);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");
  g_assert_cmpuint (f->outputs->len, ==, 1);
  output = f->outputs->pdata[0];
  g_assert_false (json_object_get_boolean_member (output, "success"));
  g_assert_nonnull (strstr (spark_json_get_string (output, "output"), "Rejected"));

  /* A reviewer that answers later, from the main loop. */
  g_signal_connect (spark_session_get_approval_policy (f->session), "review",
                    G_CALLBACK (reject_with_reason), NULL);
  spark_fake_server_push_stream (f->server, "patch-function");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "again");
  g_assert_no_error (f->turn_error);
  g_clear_pointer (&contents, g_free);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");
  g_assert_cmpuint (f->outputs->len, ==, 2);
  g_assert_cmpstr (spark_json_get_string (f->outputs->pdata[1], "output"), ==,
                   "Rejected by the user: the name must stay");
}

static gboolean
edit_first_hunk (SparkApprovalPolicy *policy,
                 SparkToolCall       *call,
                 Fixture             *f)
{
  SparkChangeset *changeset = spark_session_get_changeset (f->session, call);
  SparkFileChange *file;
  g_autoptr(GError) error = NULL;

  /* What the review pane does: edit the hunk, then approve the call. */
  g_assert_nonnull (changeset);
  g_assert_cmpuint (spark_changeset_get_n_hunks (changeset), ==, 1);
  file = spark_changeset_get_file (changeset, 0);
  spark_hunk_set_edited_text (spark_file_change_get_hunk (file, 0), "hello\nedited by a person", &error);
  g_assert_no_error (error);
  spark_tool_call_approve (call);
  return TRUE;
}

static gboolean
reject_every_hunk (SparkApprovalPolicy *policy,
                   SparkToolCall       *call,
                   Fixture             *f)
{
  spark_changeset_reject_all (spark_session_get_changeset (f->session, call));
  spark_tool_call_approve (call);
  return TRUE;
}

static void
test_patch_reviewed_in_changeset (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *contents = NULL;
  g_autofree char *after = NULL;
  SparkApprovalPolicy *policy = spark_session_get_approval_policy (f->session);
  gulong id;

  id = g_signal_connect (policy, "review", G_CALLBACK (edit_first_hunk), f);
  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "change it");
  g_assert_no_error (f->turn_error);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nedited by a person\n");
  g_assert_true (json_object_get_boolean_member (f->outputs->pdata[0], "success"));
  g_signal_handler_disconnect (policy, id);

  /* Every hunk rejected in review: nothing written, the model is told. */
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
  g_signal_connect (policy, "review", G_CALLBACK (reject_every_hunk), f);
  spark_fake_server_push_stream (f->server, "patch-function");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "again");
  g_assert_no_error (f->turn_error);
  after = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (after, ==, "hello\nworld\n");
  g_assert_false (json_object_get_boolean_member (f->outputs->pdata[1], "success"));
  g_assert_nonnull (strstr (spark_json_get_string (f->outputs->pdata[1], "output"), "rejected every hunk"));
}

static void
on_compacted (SparkSession        *session,
              SparkCompactionKind  kind,
              guint                before,
              guint                after,
              guint64              bytes,
              guint64             *total)
{
  g_assert_cmpint (kind, ==, SPARK_COMPACTION_KIND_LOCAL);
  g_assert_cmpuint (before, ==, 304);
  *total += bytes;
}

static void
test_context_compaction (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  g_autofree char *path = spark_fake_server_stream_path ("call-read-file");
  g_autofree char *stream = NULL;
  g_autofree char *big_stream = NULL;
  g_auto(GStrv) parts = NULL;
  JsonObject *output = NULL;
  JsonObject *compact = NULL;
  JsonArray *input;
  guint64 compacted = 0;

  for (guint i = 0; i < 500; i++)
    g_string_append_printf (big, "line %u of a long file\n", i);
  spark_test_write_file (f->root, "big.txt", big->str);
  g_assert_true (g_file_get_contents (path, &stream, NULL, NULL));
  parts = g_strsplit (stream, "hello.txt", -1);
  big_stream = g_strjoinv ("big.txt", parts);

  /* A server like llama.cpp's: no server-side compaction, no compact
   * endpoint (404). What is left is shortening old tool output here. */
  spark_fake_server_set_reject_context_management (f->server, TRUE);

  /* A window of 300 tokens: text-done reports 304 used, text-hello 140. */
  spark_session_set_context_window (f->session, 300);
  g_signal_connect (f->session, "context-compacted", G_CALLBACK (on_compacted), &compacted);

  spark_fake_server_push_text (f->server, big_stream);
  spark_fake_server_push_stream (f->server, "text-done");   /* 304 tokens: over 80% */
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-hello");
  start (f);
  g_assert_no_error (f->start_error);
  run_turn (f, "read the big file");
  g_assert_no_error (f->turn_error);
  /* Compaction is due before the next request, not yet done. */
  g_assert_cmpuint (compacted, ==, 0);
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 0);
  run_turn (f, "next");
  g_assert_no_error (f->turn_error);
  g_assert_cmpuint (compacted, >, 10000);
  run_turn (f, "and next");
  g_assert_no_error (f->turn_error);

  /* The compact endpoint was tried once, with the history before the new prompt. */
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 1);
  for (guint i = 0; i < spark_fake_server_get_n_requests (f->server); i++)
    {
      JsonObject *request = spark_fake_server_get_request (f->server, i);

      if (g_strcmp0 (spark_json_get_string (request, "_transport"), "compact") == 0)
        compact = request;
    }
  g_assert_nonnull (compact);
  g_assert_cmpuint (json_array_get_length (input_of (compact)), ==, 4);

  /* The compacted turn is a full create, the old output shortened; then
   * the chain goes on. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 4);
  g_assert_false (json_object_has_member (reqs->pdata[2], "previous_response_id"));
  g_assert_true (json_object_has_member (reqs->pdata[3], "previous_response_id"));
  input = input_of (reqs->pdata[2]);
  for (guint i = 0; i < json_array_get_length (input); i++)
    {
      JsonObject *item = json_array_get_object_element (input, i);

      if (g_strcmp0 (spark_json_get_string (item, "type"), "function_call_output") == 0)
        output = item;
    }
  g_assert_nonnull (output);
  g_assert_cmpstr (spark_json_get_string (output, "call_id"), ==, "call_read_1");
  g_assert_nonnull (strstr (spark_json_get_string (output, "output"), "elided to fit the context window"));
  g_assert_cmpuint (strlen (spark_json_get_string (output, "output")), <, 400);
}

static void
test_shell_needs_approval (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *made = NULL;
  g_autofree char *path = g_build_filename (f->root, "shell.txt", NULL);

  /* "edits" does not cover commands. */
  spark_approval_policy_set_mode (spark_session_get_approval_policy (f->session), SPARK_APPROVAL_MODE_EDITS);
  spark_fake_server_push_stream (f->server, "call-shell");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "run it");
  g_assert_no_error (f->turn_error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (spark_json_get_string (f->outputs->pdata[0], "output"), "Not run"));

  spark_approval_policy_set_mode (spark_session_get_approval_policy (f->session), SPARK_APPROVAL_MODE_ALL);
  spark_fake_server_push_stream (f->server, "call-shell");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "run it now");
  g_assert_no_error (f->turn_error);
  made = spark_test_read_file (f->root, "shell.txt", NULL);
  g_assert_cmpstr (made, ==, "from-shell\n");
  g_assert_true (json_object_get_boolean_member (f->outputs->pdata[1], "success"));
}

static void
test_changed_fields_give_full_create (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-hello");
  start (f);
  run_turn (f, "one");
  spark_session_set_model (f->session, "another-model");
  run_turn (f, "two");
  run_turn (f, "three");
  g_assert_no_error (f->turn_error);

  /* A changed non-input field (the model) breaks the chain once. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_false (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[1])), ==, 3);
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[1], "model"), ==, "another-model");
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[2], "previous_response_id"), ==, "resp_3");
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[2])), ==, 1);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 1);
}

static void
test_final_close_code_is_not_retried (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  /* 1008 (policy violation) will not get better by retrying. */
  spark_session_set_transport_kind (f->session, SPARK_TRANSPORT_KIND_WEBSOCKET);
  spark_fake_server_push_text (f->server,
    "{\"type\":\"response.created\",\"response\":{\"id\":\"__RESP__\"}}\n"
    "{\"$\":\"close\",\"code\":1008}\n");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);
  run_turn (f, "one");
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED_FINAL);
  g_assert_nonnull (strstr (f->turn_error->message, "1008"));
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 1);

  /* The next turn starts over on a new socket with everything. */
  run_turn (f, "two");
  g_assert_no_error (f->turn_error);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  g_assert_false (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[1])), ==, 2);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 2);
}

static void
test_reasoning_replay (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  JsonArray *input;
  guint reasoning = 0;

  /* One reasoning item comes with encrypted content, one without. */
  spark_fake_server_push_text (f->server,
    "{\"type\":\"response.created\",\"response\":{\"id\":\"__RESP__\"}}\n"
    "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"rs_1\",\"type\":\"reasoning\",\"summary\":[],\"encrypted_content\":\"gAAAA-opaque\"}}\n"
    "{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":\"rs_2\",\"type\":\"reasoning\",\"summary\":[]}}\n"
    "{\"type\":\"response.completed\",\"response\":{\"id\":\"__RESP__\",\"output\":[]}}\n");
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);
  run_turn (f, "think");
  run_turn (f, "more");
  g_assert_no_error (f->turn_error);

  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (reqs->pdata[0], "include"), 0), ==,
                   "reasoning.encrypted_content");
  input = input_of (reqs->pdata[2]);
  for (guint i = 0; i < json_array_get_length (input); i++)
    {
      JsonObject *item = json_array_get_object_element (input, i);

      if (g_strcmp0 (spark_json_get_string (item, "type"), "reasoning") == 0)
        {
          reasoning++;
          g_assert_cmpstr (spark_json_get_string (item, "id"), ==, "rs_1");
        }
    }
  g_assert_cmpuint (reasoning, ==, 1);
}

static void
test_several_calls_in_one_response (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  JsonArray *input;
  static const char *expected[][2] = {
    { "function_call_output", "call_a" },
    { "custom_tool_call_output", "call_b" },
    { "function_call_output", "call_c" },
  };

  spark_approval_policy_set_mode (spark_session_get_approval_policy (f->session), SPARK_APPROVAL_MODE_EDITS);
  spark_fake_server_push_text (f->server,
    "{\"type\":\"response.created\",\"response\":{\"id\":\"__RESP__\"}}\n"
    "{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"fc_a\",\"type\":\"function_call\",\"call_id\":\"call_a\",\"name\":\"read_file\",\"arguments\":\"\"}}\n"
    "{\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":{\"id\":\"ct_b\",\"type\":\"custom_tool_call\",\"call_id\":\"call_b\",\"name\":\"apply_patch\",\"input\":\"\"}}\n"
    "{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_a\",\"output_index\":0,\"delta\":\"{\\\"path\\\":\\\"hello.txt\\\"}\"}\n"
    "{\"type\":\"response.custom_tool_call_input.delta\",\"item_id\":\"ct_b\",\"output_index\":1,\"delta\":\"*** Begin Patch\\n*** Add File: new.txt\\n+fresh\\n*** End Patch\\n\"}\n"
    "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"fc_a\",\"type\":\"function_call\",\"call_id\":\"call_a\",\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"hello.txt\\\"}\"}}\n"
    "{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":\"ct_b\",\"type\":\"custom_tool_call\",\"call_id\":\"call_b\",\"name\":\"apply_patch\",\"input\":\"*** Begin Patch\\n*** Add File: new.txt\\n+fresh\\n*** End Patch\\n\"}}\n"
    "{\"type\":\"response.output_item.done\",\"output_index\":2,\"item\":{\"id\":\"fc_c\",\"type\":\"function_call\",\"call_id\":\"call_c\",\"name\":\"no_such_tool\",\"arguments\":\"{}\"}}\n"
    "{\"type\":\"response.completed\",\"response\":{\"id\":\"__RESP__\",\"output\":[]}}\n");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);
  run_turn (f, "do three things");
  g_assert_no_error (f->turn_error);

  /* Every call answered exactly once, in order, with the matching type. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  input = input_of (reqs->pdata[1]);
  g_assert_cmpuint (json_array_get_length (input), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *item = json_array_get_object_element (input, i);

      g_assert_cmpstr (spark_json_get_string (item, "type"), ==, expected[i][0]);
      g_assert_cmpstr (spark_json_get_string (item, "call_id"), ==, expected[i][1]);
    }
  g_assert_nonnull (strstr (spark_json_get_string (json_array_get_object_element (input, 2), "output"),
                            "unknown tool"));
  {
    g_autofree char *fresh = spark_test_read_file (f->root, "new.txt", NULL);
    g_assert_cmpstr (fresh, ==, "fresh\n");
  }
}

static void
test_server_unavailable_is_retried (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  /* 503 on the upgrade: retried with backoff, then HTTP (transport auto). */
  spark_session_set_retry_policy (f->session, 2, 5);
  spark_fake_server_set_ws_status (f->server, 503);
  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, "hi");
  g_assert_no_error (f->turn_error);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 3);
  g_assert_true (spark_session_get_fell_back (f->session));
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 1);
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[0], "_transport"), ==, "http");
}

static void
test_fallback_on_426 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_fake_server_set_ws_status (f->server, 426);
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");

  start (f);
  g_assert_no_error (f->start_error);
  g_assert_true (spark_session_get_fell_back (f->session));
  g_assert_cmpint (spark_session_get_connection_state (f->session), ==, SPARK_CONNECTION_STATE_FALLBACK);

  run_turn (f, "first");
  g_assert_no_error (f->turn_error);
  g_assert_cmpstr (f->text->str, ==, "Hello, world!");
  run_turn (f, "second");
  g_assert_no_error (f->turn_error);

  /* One refused upgrade, never retried; then every turn is a POST with the
   * whole history (no server-side state over HTTP with store:false). */
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 1);
  g_assert_cmpuint (spark_fake_server_get_n_posts (f->server), ==, 2);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[1], "_transport"), ==, "http");
  g_assert_false (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[1])), ==, 3);
  g_assert_true (json_object_get_boolean_member (reqs->pdata[1], "stream"));
}

static void
test_explicit_websocket_does_not_fall_back (Fixture       *f,
                                            gconstpointer  data)
{
  spark_fake_server_set_ws_status (f->server, 426);
  spark_session_set_transport_kind (f->session, SPARK_TRANSPORT_KIND_WEBSOCKET);
  run_turn (f, "hi");
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_WS_UNSUPPORTED);
  g_assert_cmpuint (spark_fake_server_get_n_posts (f->server), ==, 0);
}

static void
test_reconnect_after_drop (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  GPtrArray *states = g_ptr_array_new ();

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  spark_fake_server_push_stream (f->server, "text-done");

  start (f);
  run_turn (f, "one");
  g_assert_no_error (f->turn_error);
  run_turn (f, "two");
  g_assert_no_error (f->turn_error);
  g_ptr_array_unref (states);

  /* The retry ran on a new socket with the full input, no previous_response_id. */
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 2);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_true (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_false (json_object_has_member (reqs->pdata[2], "previous_response_id"));
  g_assert_cmpint (spark_json_get_int (reqs->pdata[2], "_connection", 0), ==, 2);
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[2])), ==, 3);
  g_assert_cmpstr (spark_json_get_string (input_item (reqs->pdata[2], 2), "role"), ==, "user");
  /* Nothing of the cut response leaked into history. */
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 4);
  g_assert_cmpint (((SparkTurnTimings *) f->timings->pdata[1])->attempt, ==, 2);
}

static void
test_previous_response_not_found (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  spark_fake_server_push_stream (f->server, "text-done");

  start (f);
  run_turn (f, "one");
  run_turn (f, "two");
  g_assert_no_error (f->turn_error);
  g_assert_cmpstr (f->text->str, ==, "Done.");

  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[1], "previous_response_id"), ==, "resp_2");
  g_assert_false (json_object_has_member (reqs->pdata[2], "previous_response_id"));
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[2])), ==, 3);
}

static void
test_server_forgets_on_new_socket (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  /* Rolling over at every turn: the new socket's cache is empty, so the
   * client must never chain across sockets. */
  spark_session_set_max_connection_age (f->session, 0);
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");

  start (f);
  g_usleep (2000);
  run_turn (f, "one");
  g_assert_no_error (f->turn_error);
  g_usleep (2000);
  run_turn (f, "two");
  g_assert_no_error (f->turn_error);

  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 3);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  g_assert_false (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[1])), ==, 3);
}

static void
test_rollover_on_connection_limit (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "error-connection-limit");
  spark_fake_server_push_stream (f->server, "text-done");

  start (f);
  run_turn (f, "one");
  run_turn (f, "two");
  g_assert_no_error (f->turn_error);

  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 2);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_cmpint (spark_json_get_int (reqs->pdata[2], "_connection", 0), ==, 2);
  g_assert_false (json_object_has_member (reqs->pdata[2], "previous_response_id"));
}

static void
test_retries_exhausted_fall_back (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_session_set_retry_policy (f->session, 1, 5);
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  spark_fake_server_push_stream (f->server, "text-hello");

  run_turn (f, "one");
  g_assert_no_error (f->turn_error);
  g_assert_true (spark_session_get_fell_back (f->session));
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[2], "_transport"), ==, "http");
}

static void
test_bad_frames_and_unknown_events (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  spark_session_set_transport_kind (f->session, SPARK_TRANSPORT_KIND_WEBSOCKET);
  spark_fake_server_push_stream (f->server, "unknown-types");
  run_turn (f, "one");
  g_assert_no_error (f->turn_error);
  g_assert_cmpstr (f->text->str, ==, "Still fine");

  /* A response that fails in the stream ends the turn with a readable error. */
  spark_session_set_retry_policy (f->session, 0, 5);
  spark_fake_server_push_stream (f->server, "bad-binary");
  run_turn (f, "two");
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (f->turn_error->message, "binary"));

  spark_fake_server_push_stream (f->server, "response-failed");
  run_turn (f, "three");
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_RESPONSE_FAILED);
  g_assert_nonnull (strstr (f->turn_error->message, "The model had a problem."));

  spark_fake_server_push_stream (f->server, "error-rate-limit");
  run_turn (f, "four");
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_SERVER);
  g_assert_nonnull (strstr (f->turn_error->message, "429"));

  /* And the session still works afterwards, with a full create. */
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "five");
  g_assert_no_error (f->turn_error);
}

static GPtrArray *captured_logs;

/* Every message of every level and domain, debug included (the agent logs
 * with plain g_debug(), which reaches the default handler). */
static void
capture_handler (const char     *domain,
                 GLogLevelFlags  level,
                 const char     *message,
                 gpointer        data)
{
  g_ptr_array_add (captured_logs, g_strdup (message));
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    g_log_default_handler (domain, level, message, data);
}

static void
on_any_error (SparkSession *session,
              const GError *error,
              gpointer      data)
{
  g_ptr_array_add (captured_logs, g_strdup (error->message));
}

static void
test_key_never_logged (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SparkSession) remote = NULL;
  g_autoptr(GError) error = NULL;

  captured_logs = g_ptr_array_new_with_free_func (g_free);
  g_log_set_default_handler (capture_handler, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_signal_connect (f->session, "error", G_CALLBACK (on_any_error), NULL);

  /* Success, failure, reconnect, fallback: every path that logs. */
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  spark_fake_server_push_stream (f->server, "bad-not-json");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);
  run_turn (f, "one");
  run_turn (f, "two");
  g_assert_no_error (f->turn_error);
  spark_fake_server_set_ws_status (f->server, 401);
  spark_session_close (f->session);
  run_turn (f, "three");
  g_assert_nonnull (f->turn_error);

  /* The key did reach the (loopback) server... */
  g_assert_cmpstr (spark_fake_server_get_last_authorization (f->server), ==, "Bearer " TEST_KEY);
  g_assert_cmpuint (captured_logs->len, >, 5);
  /* ...and appears in no log line and no error. */
  for (guint i = 0; i < captured_logs->len; i++)
    g_assert_null (strstr (captured_logs->pdata[i], TEST_KEY));

  /* It is never sent in clear text to anything but loopback. */
  remote = spark_session_new (f->root);
  g_object_set (remote, "endpoint", "http://192.0.2.1:9/v1", "api-key", TEST_KEY, "store-dir", NULL, NULL);
  spark_session_set_retry_policy (remote, 0, 1);
  session_fixture_run_on (f, remote, "hi", 10);
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_INSECURE);
  g_assert_null (strstr (f->turn_error->message, TEST_KEY));

  g_unsetenv ("G_MESSAGES_DEBUG");
  spark_test_quiet_logs ();
  g_clear_pointer (&captured_logs, g_ptr_array_unref);
}

static void
stop_on_first_delta (SparkSession *session,
                     const char   *item_id,
                     const char   *delta,
                     Fixture      *f)
{
  g_signal_handlers_disconnect_by_func (session, stop_on_first_delta, f);
  spark_session_stop (session);
}

static void
test_stop_keeps_partial_text (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autoptr(JsonObject) partial = NULL;

  spark_fake_server_set_event_delay (f->server, 20000);
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);

  g_signal_connect (f->session, "text-delta", G_CALLBACK (stop_on_first_delta), f);
  run_turn (f, "one");
  g_assert_error (f->turn_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (f->text->str, ==, "Hello");
  g_assert_false (spark_session_get_busy (f->session));

  /* The partial answer is kept as an assistant message. */
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 2);
  partial = spark_session_dup_item (f->session, 1, NULL);
  g_assert_cmpstr (spark_json_get_string (partial, "role"), ==, "assistant");

  spark_fake_server_set_event_delay (f->server, 0);
  run_turn (f, "two");
  g_assert_no_error (f->turn_error);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  g_assert_false (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[1])), ==, 3);
}

static void
queue_second (SparkSession *session,
              const char   *item_id,
              const char   *delta,
              Fixture      *f)
{
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_func (session, queue_second, f);
  /* Over WebSocket this steers; the server answers steer.accepted. */
  spark_session_steer (session, "also this", &error);
  g_assert_no_error (error);
  spark_session_queue (session, "then that");
  g_assert_cmpuint (spark_session_get_queue_length (session), ==, 1);
}

static void
test_steer_and_queue (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  gboolean saw_steer = FALSE;

  spark_fake_server_set_event_delay (f->server, 5000);
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);
  g_signal_connect (f->session, "text-delta", G_CALLBACK (queue_second), f);
  run_turn (f, "one");
  g_assert_no_error (f->turn_error);

  for (guint i = 0; i < spark_fake_server_get_n_requests (f->server); i++)
    {
      JsonObject *r = spark_fake_server_get_request (f->server, i);

      if (g_strcmp0 (spark_json_get_string (r, "type"), "response.steer") == 0)
        {
          saw_steer = TRUE;
          g_assert_cmpuint (json_array_get_length (input_of (r)), ==, 1);
        }
    }
  g_assert_true (saw_steer);
  /* Accepted steering is part of history. */
  {
    gboolean in_history = FALSE;

    for (guint i = 0; i < spark_session_get_n_items (f->session); i++)
      {
        g_autoptr(JsonObject) item = spark_session_dup_item (f->session, i, NULL);
        JsonArray *content = json_object_has_member (item, "content") ? json_object_get_array_member (item, "content") : NULL;

        if (content != NULL && json_array_get_length (content) > 0 &&
            g_strcmp0 (spark_json_get_string (json_array_get_object_element (content, 0), "text"), "also this") == 0)
          in_history = TRUE;
      }
    g_assert_true (in_history);
  }

  /* The queued prompt ran as its own turn before run() completed. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  g_assert_cmpstr (spark_json_get_string (
                     json_array_get_object_element (
                       json_object_get_array_member (input_item (reqs->pdata[1],
                                                                 json_array_get_length (input_of (reqs->pdata[1])) - 1),
                                                     "content"), 0), "text"), ==, "then that");
}

static void
on_steer_result (SparkSession *session,
                 const char   *text,
                 gboolean      accepted,
                 GString      *log)
{
  g_string_append_printf (log, "%s:%s;", text, accepted ? "accepted" : "refused");
}

static const char *
last_user_text (JsonObject *request)
{
  JsonArray *input = input_of (request);
  JsonObject *item = json_array_get_object_element (input, json_array_get_length (input) - 1);

  return spark_json_get_string (json_array_get_object_element (json_object_get_array_member (item, "content"), 0),
                                "text");
}

static void
test_steer_refused_becomes_follow_up (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autoptr(GString) log = g_string_new (NULL);

  spark_fake_server_set_steer_reply (f->server, "response.steer.failed");
  spark_fake_server_set_event_delay (f->server, 5000);
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);
  g_signal_connect (f->session, "text-delta", G_CALLBACK (queue_second), f);
  g_signal_connect (f->session, "steer-result", G_CALLBACK (on_steer_result), log);
  run_turn (f, "one");
  g_assert_no_error (f->turn_error);
  g_assert_cmpstr (log->str, ==, "also this:refused;");

  /* Refused steering runs as the next prompt, before the queued one. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_cmpstr (last_user_text (reqs->pdata[1]), ==, "also this");
  g_assert_cmpstr (last_user_text (reqs->pdata[2]), ==, "then that");
}

static void
test_persist_and_resume (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SparkSession) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reqs = NULL;
  g_auto(GStrv) saved = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, "remember me");
  g_assert_no_error (f->turn_error);

  saved = spark_session_list_saved (f->store, f->root);
  g_assert_cmpuint (g_strv_length (saved), ==, 1);
  g_assert_cmpstr (saved[0], ==, spark_session_get_id (f->session));

  again = spark_session_new (f->root);
  g_object_set (again, "endpoint", spark_fake_server_get_base_url (f->server), "store-dir", f->store, NULL);
  spark_session_resume (again, saved[0], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spark_session_get_n_items (again), ==, 2);

  spark_fake_server_push_stream (f->server, "text-done");
  session_fixture_run_on (f, again, "and now?", 10);
  g_assert_no_error (f->turn_error);
  /* A new socket: at most the fresh warm-up is chained, with every item. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  if (json_object_has_member (reqs->pdata[1], "previous_response_id"))
    g_assert_true (g_str_has_prefix (spark_json_get_string (reqs->pdata[1], "previous_response_id"), "resp_warm_"));
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[1])), ==, 3);
  g_assert_cmpstr (spark_json_get_string (input_item (reqs->pdata[1], 0), "role"), ==, "user");
  spark_session_close (again);
}

static void
test_chat_wire (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autofree char *contents = NULL;
  JsonArray *tools;
  JsonArray *messages;
  JsonObject *last;

  spark_session_set_wire_api (f->session, SPARK_WIRE_API_CHAT);
  spark_approval_policy_set_mode (spark_session_get_approval_policy (f->session), SPARK_APPROVAL_MODE_EDITS);
  spark_fake_server_push_stream (f->server, "chat-patch");
  spark_fake_server_push_stream (f->server, "chat-hello");
  start (f);
  run_turn (f, "edit please");
  g_assert_no_error (f->turn_error);
  g_assert_cmpstr (f->text->str, ==, "Hello from chat");

  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nthere\n");

  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 0);
  /* apply_patch is a JSON function on chat; the tool result is a tool message. */
  tools = json_object_get_array_member (reqs->pdata[0], "tools");
  for (guint i = 0; i < json_array_get_length (tools); i++)
    g_assert_cmpstr (spark_json_get_string (json_array_get_object_element (tools, i), "type"), ==, "function");
  messages = json_object_get_array_member (reqs->pdata[1], "messages");
  last = json_array_get_object_element (messages, json_array_get_length (messages) - 1);
  g_assert_cmpstr (spark_json_get_string (last, "role"), ==, "tool");
  g_assert_cmpstr (spark_json_get_string (last, "tool_call_id"), ==, "call_chat_patch");
}

/* Full resends read history back from the session file (or from memory
 * without one): what they carry must be what went over the wire before. */

/* A message with text JSON escapes and numbers that must survive a round
 * trip, and reasoning with and without encrypted content. */
#define ODD_ANSWER \
  "{\"type\":\"response.created\",\"response\":{\"id\":\"__RESP__\"}}\n" \
  "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"rs_9\",\"type\":\"reasoning\"," \
  "\"summary\":[{\"type\":\"summary_text\",\"text\":\"thinking\"}],\"encrypted_content\":\"gAAAA-opaque\"}}\n" \
  "{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":\"rs_10\",\"type\":\"reasoning\",\"summary\":[]}}\n" \
  "{\"type\":\"response.output_item.done\",\"output_index\":2,\"item\":{\"id\":\"msg_odd\",\"type\":\"message\"," \
  "\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\",\"annotations\":[]," \
  "\"text\":\"na\\u00efve \\\"quotes\\\" \\\\ back\\nslash\\ttab \\u2028 \\ud83d\\ude80 </script>\"," \
  "\"logprobs\":[{\"p\":-0.1,\"q\":1.5e-7,\"r\":3.0,\"n\":12345678901234,\"z\":0,\"f\":false,\"u\":null}]}]}}\n" \
  "{\"type\":\"response.completed\",\"response\":{\"id\":\"__RESP__\",\"output\":[]," \
  "\"usage\":{\"input_tokens\":100,\"output_tokens\":10}}}\n"

typedef struct
{
  Fixture   *f;
  GPtrArray *done;        /* char *: serialized item-done items */
  GArray    *done_after;  /* guint: generating requests when each came */
} Wire;

static void
on_item_done_record (SparkSession *session,
                     JsonObject   *item,
                     Wire         *wire)
{
  g_autoptr(GPtrArray) reqs = generating (wire->f);
  guint n = reqs->len;

  /* The server cannot be given back reasoning it cannot find. */
  if (g_strcmp0 (spark_json_get_string (item, "type"), "reasoning") == 0 &&
      spark_json_get_string (item, "encrypted_content") == NULL)
    return;
  g_ptr_array_add (wire->done, spark_responses_to_string (item));
  g_array_append_val (wire->done_after, n);
}

/* What the requests before @upto sent and their responses gave, in order. */
static GPtrArray *
wire_items (Wire      *wire,
            GPtrArray *reqs,
            guint      upto)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);

  for (guint r = 0; r < upto; r++)
    {
      JsonArray *input = input_of (reqs->pdata[r]);

      for (guint i = 0; i < json_array_get_length (input); i++)
        g_ptr_array_add (items, spark_responses_to_string (json_array_get_object_element (input, i)));
      for (guint d = 0; d < wire->done->len; d++)
        {
          if (g_array_index (wire->done_after, guint, d) == r + 1)
            g_ptr_array_add (items, g_strdup (wire->done->pdata[d]));
        }
    }

  return items;
}

static void
assert_input_is (JsonObject *request,
                 GPtrArray  *expected)
{
  JsonArray *input = input_of (request);

  g_assert_cmpuint (json_array_get_length (input), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    {
      g_autofree char *sent = spark_responses_to_string (json_array_get_object_element (input, i));

      g_assert_cmpstr (sent, ==, expected->pdata[i]);
    }
}

#define RESEND_ROUNDS 12

/* Each round: a text answer, a tool call and its answer, an odd answer. */
static void
run_rounds (Fixture *f)
{
  for (guint round = 0; round < RESEND_ROUNDS; round++)
    {
      g_autofree char *prompt = g_strdup_printf ("round %u: “look” \\ at\nthis", round);

      spark_fake_server_push_stream (f->server, "text-hello");
      spark_fake_server_push_stream (f->server, "call-read-file");
      spark_fake_server_push_stream (f->server, "text-done");
      spark_fake_server_push_text (f->server, ODD_ANSWER);
      run_turn (f, prompt);
      g_assert_no_error (f->turn_error);
      run_turn (f, "and read hello.txt");
      g_assert_no_error (f->turn_error);
      run_turn (f, "now something odd");
      g_assert_no_error (f->turn_error);
    }
}

static void
test_full_resend_carries_items_as_sent (Fixture       *f,
                                        gconstpointer  data)
{
  gboolean in_memory = GPOINTER_TO_INT (data);
  Wire wire = { f, g_ptr_array_new_with_free_func (g_free), g_array_new (FALSE, FALSE, sizeof (guint)) };
  g_autoptr(GPtrArray) reqs = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) last_input = NULL;

  if (in_memory)
    g_object_set (f->session, "store-dir", NULL, NULL);
  g_signal_connect (f->session, "item-done", G_CALLBACK (on_item_done_record), &wire);
  start (f);
  run_rounds (f);

  /* The next chained request is refused: the retry carries everything. */
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "one more");
  g_assert_no_error (f->turn_error);

  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, RESEND_ROUNDS * 4 + 2);
  g_assert_true (json_object_has_member (reqs->pdata[reqs->len - 2], "previous_response_id"));
  g_assert_false (json_object_has_member (reqs->pdata[reqs->len - 1], "previous_response_id"));
  /* Every round: 3 prompts, 3 answers, a call, its output, a reasoning item
   * that can be sent back (the other one cannot); then the last prompt. */
  expected = wire_items (&wire, reqs, reqs->len - 1);
  g_assert_cmpuint (expected->len, ==, RESEND_ROUNDS * 9 + 1);
  assert_input_is (reqs->pdata[reqs->len - 1], expected);
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, RESEND_ROUNDS * 10 + 2);

  /* The file holds it all, or, without a store, there is none. */
  {
    g_auto(GStrv) saved = spark_session_list_saved (f->store, f->root);

    g_assert_cmpuint (g_strv_length (saved), ==, in_memory ? 0 : 1);
  }

  g_signal_handlers_disconnect_by_data (f->session, &wire);
  g_ptr_array_unref (wire.done);
  g_array_unref (wire.done_after);
}

static void
test_resumed_resend_carries_items_as_sent (Fixture       *f,
                                           gconstpointer  data)
{
  Wire wire = { f, g_ptr_array_new_with_free_func (g_free), g_array_new (FALSE, FALSE, sizeof (guint)) };
  g_autoptr(SparkSession) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reqs = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(JsonObject) prompt = spark_responses_user_message ("after resuming");

  g_signal_connect (f->session, "item-done", G_CALLBACK (on_item_done_record), &wire);
  start (f);
  run_rounds (f);
  reqs = generating (f);
  expected = wire_items (&wire, reqs, reqs->len);
  g_ptr_array_add (expected, spark_responses_to_string (prompt));
  g_clear_pointer (&reqs, g_ptr_array_unref);
  spark_session_close (f->session);

  again = spark_session_new (f->root);
  g_object_set (again, "endpoint", spark_fake_server_get_base_url (f->server), "store-dir", f->store, NULL);
  spark_session_resume (again, spark_session_get_id (f->session), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spark_session_get_n_items (again), ==, RESEND_ROUNDS * 10);

  spark_fake_server_push_stream (f->server, "text-done");
  session_fixture_run_on (f, again, "after resuming", 20);
  g_assert_no_error (f->turn_error);
  reqs = generating (f);
  assert_input_is (reqs->pdata[reqs->len - 1], expected);
  spark_session_close (again);

  g_signal_handlers_disconnect_by_data (f->session, &wire);
  g_ptr_array_unref (wire.done);
  g_array_unref (wire.done_after);
}

static char *
session_file (Fixture *f)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, f->root, -1);
  g_autofree char *real = realpath (f->root, NULL);

  g_assert_cmpstr (real, ==, f->root);
  return g_strdup_printf ("%s/%s/%s.jsonl", f->store, hash, spark_session_get_id (f->session));
}

static void
test_history_survives_deleted_file (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) reqs = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);
  run_turn (f, "one");
  g_assert_no_error (f->turn_error);

  /* Someone deletes the session file: it starts again with the next item,
   * and the conversation so far is still there for a full resend. */
  path = session_file (f);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (path), ==, 0);
  run_turn (f, "two");
  g_assert_no_error (f->turn_error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"two\""));
  g_assert_null (strstr (contents, "\"one\""));

  run_turn (f, "three");
  g_assert_no_error (f->turn_error);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 4);
  g_assert_false (json_object_has_member (reqs->pdata[3], "previous_response_id"));
  g_assert_cmpuint (json_array_get_length (input_of (reqs->pdata[3])), ==, 5);
  g_assert_cmpstr (last_user_text (reqs->pdata[3]), ==, "three");
  {
    JsonObject *first = input_item (reqs->pdata[3], 0);

    g_assert_cmpstr (spark_json_get_string (json_array_get_object_element (
                       json_object_get_array_member (first, "content"), 0), "text"), ==, "one");
  }
}

static void
test_history_file_changed_fails_resend (Fixture       *f,
                                        gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) item = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  start (f);
  run_turn (f, "keep this secret");
  g_assert_no_error (f->turn_error);

  /* Edited in place (same file, same size): the item is not what was said. */
  path = session_file (f);
  session_file_overwrite (path, "keep", "KEEP");

  item = spark_session_dup_item (f->session, 0, &error);
  g_assert_null (item);
  g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "changed on disk"));

  /* The resend that would need it ends the turn with that error instead of
   * sending something else. */
  run_turn (f, "two");
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED);
  g_assert_nonnull (strstr (f->turn_error->message, "changed on disk"));
  g_assert_cmpuint (spark_fake_server_get_n_requests (f->server), ==, 3);
}

/* Only the person may read the conversation, whatever the umask, also when
 * the store folder already existed. */
static void
test_session_file_is_private (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  struct stat st;
  mode_t old_mask;

  g_assert_cmpint (g_chmod (f->store, 0755), ==, 0);
  old_mask = umask (022);
  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, "one");
  umask (old_mask);
  g_assert_no_error (f->turn_error);

  path = session_file (f);
  dir = g_path_get_dirname (path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (f->store, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
}

/* A damaged session file is refused with the line that is wrong, and the
 * conversation the session had stays. */
static void
test_resume_damaged_file (Fixture       *f,
                          gconstpointer  data)
{
  static const struct { const char *contents; const char *message; } cases[] = {
    { "{\"type\":\"session\"}\n{\"type\":\"item\",\"item\":{\"type\":\"message\"}\n", "line 2 is not JSON" },
    { "{\"type\":\"session\"}\n\n{\"type\":\"compacted\",\"upto\":5,\"output\":[]}\n",
      "line 3 is not a valid compaction record" },
  };
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, f->root, -1);
  g_autofree char *dir = g_build_filename (f->store, hash, NULL);

  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, "one");
  g_assert_no_error (f->turn_error);
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/damaged-%u.jsonl", dir, i);
      g_autofree char *id = g_strdup_printf ("damaged-%u", i);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) first = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].contents, -1, NULL));
      g_assert_false (spark_session_resume (f->session, id, &error));
      g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s” not in “%s”", cases[i].message, error->message);

      g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 2);
      first = spark_session_dup_item (f->session, 0, NULL);
      g_assert_cmpstr (spark_json_get_string (json_array_get_object_element (
                         json_object_get_array_member (first, "content"), 0), "text"), ==, "one");
    }
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, session_fixture_teardown)
  ADD ("/agent/session/warmup-and-one-handshake", test_warmup_and_one_handshake);
  ADD ("/agent/session/tool-outputs-match", test_tool_outputs_match);
  ADD ("/agent/session/patch/custom", test_patch_custom);
  ADD ("/agent/session/patch/function", test_patch_function);
  ADD ("/agent/session/patch/hosted", test_patch_hosted);
  ADD ("/agent/session/patch/rejected", test_patch_rejected);
  ADD ("/agent/session/patch/reviewed-in-changeset", test_patch_reviewed_in_changeset);
  ADD ("/agent/session/fallback-on-426", test_fallback_on_426);
  ADD ("/agent/session/server-unavailable-is-retried", test_server_unavailable_is_retried);
  ADD ("/agent/session/explicit-websocket-no-fallback", test_explicit_websocket_does_not_fall_back);
  ADD ("/agent/session/reconnect-after-drop", test_reconnect_after_drop);
  ADD ("/agent/session/previous-response-not-found", test_previous_response_not_found);
  ADD ("/agent/session/server-forgets-on-new-socket", test_server_forgets_on_new_socket);
  ADD ("/agent/session/rollover-on-connection-limit", test_rollover_on_connection_limit);
  ADD ("/agent/session/retries-exhausted-fall-back", test_retries_exhausted_fall_back);
  ADD ("/agent/session/bad-frames-and-unknown-events", test_bad_frames_and_unknown_events);
  ADD ("/agent/session/key-never-logged", test_key_never_logged);
  ADD ("/agent/session/stop-keeps-partial-text", test_stop_keeps_partial_text);
  ADD ("/agent/session/steer-and-queue", test_steer_and_queue);
  ADD ("/agent/session/steer-refused-becomes-follow-up", test_steer_refused_becomes_follow_up);
  ADD ("/agent/session/persist-and-resume", test_persist_and_resume);
  ADD ("/agent/session/chat-wire", test_chat_wire);
  ADD ("/agent/session/context-compaction", test_context_compaction);
  ADD ("/agent/session/shell-needs-approval", test_shell_needs_approval);
  ADD ("/agent/session/changed-fields-give-full-create", test_changed_fields_give_full_create);
  ADD ("/agent/session/final-close-code-not-retried", test_final_close_code_is_not_retried);
  ADD ("/agent/session/reasoning-replay", test_reasoning_replay);
  ADD ("/agent/session/several-calls-in-one-response", test_several_calls_in_one_response);
  ADD ("/agent/session/history/resumed-resend-as-sent", test_resumed_resend_carries_items_as_sent);
  ADD ("/agent/session/history/survives-deleted-file", test_history_survives_deleted_file);
  ADD ("/agent/session/history/file-changed-fails-resend", test_history_file_changed_fails_resend);
  ADD ("/agent/session/history/file-is-private", test_session_file_is_private);
  ADD ("/agent/session/history/resume-damaged-file", test_resume_damaged_file);
#undef ADD
  g_test_add ("/agent/session/history/full-resend-as-sent", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_full_resend_carries_items_as_sent, session_fixture_teardown);
  g_test_add ("/agent/session/history/full-resend-as-sent-in-memory", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_full_resend_carries_items_as_sent, session_fixture_teardown);

  return g_test_run ();
}
