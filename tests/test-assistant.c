/* test-assistant.c: a project's turn driven through SparkAssistant, the
 * object the window's views talk to, against the fake Responses server
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "spark-assistant.h"
#include "spark-fake-server.h"
#include "spark-responses.h"
#include "spark-test-utils.h"

typedef struct
{
  SparkFakeServer *server;
  char            *root;
  char            *store;
  GSettings       *settings;
  SparkProject    *project;
  SparkAssistant  *assistant;
  guint            proposals;
  guint            command_requests;
  SparkCommandDecision answer;
  char            *last_command;
  char            *applied;
  GPtrArray       *outputs;      /* char *, each tool output the session sent */
} Fixture;

#define WAIT_UNTIL(cond, what)                                   \
  G_STMT_START {                                                 \
    guint deadline_ = spark_test_add_deadline (20, what);        \
    while (!(cond))                                              \
      g_main_context_iteration (NULL, TRUE);                     \
    g_source_remove (deadline_);                                 \
  } G_STMT_END

static void
proposal_started_cb (SparkAssistant *assistant,
                     SparkChangeset *changeset,
                     Fixture        *f)
{
  f->proposals++;
}

static void
applied_cb (SparkAssistant *assistant,
            const char     *summary,
            Fixture        *f)
{
  g_free (f->applied);
  f->applied = g_strdup (summary);
}

static void
output_cb (SparkSession  *session,
           SparkToolCall *call,
           const char    *output,
           gboolean       success,
           Fixture       *f)
{
  g_ptr_array_add (f->outputs, g_strdup (output));
}

static void
command_requested_cb (SparkAssistant *assistant,
                      SparkToolCall  *call,
                      const char     *command,
                      Fixture        *f)
{
  f->command_requests++;
  g_free (f->last_command);
  f->last_command = g_strdup (command);
  spark_assistant_decide_command (assistant, call, f->answer);
}

static void
make_assistant (Fixture *f)
{
  g_autoptr(GFile) root = g_file_new_for_path (f->root);

  f->project = spark_project_new (root);
  f->assistant = spark_assistant_new (f->project, f->settings);
  spark_session_set_store_dir (spark_assistant_get_session (f->assistant), f->store);
  g_signal_connect (f->assistant, "proposal-started", G_CALLBACK (proposal_started_cb), f);
  g_signal_connect (f->assistant, "applied", G_CALLBACK (applied_cb), f);
  g_signal_connect (f->assistant, "command-approval-requested", G_CALLBACK (command_requested_cb), f);
  g_signal_connect (spark_assistant_get_session (f->assistant), "tool-call-output",
                    G_CALLBACK (output_cb), f);
}

static void
make_ready_assistant (Fixture *f)
{
  make_assistant (f);
  WAIT_UNTIL (spark_assistant_get_ready (f->assistant), "the assistant to be ready");
}

/* The model answers with a patch of hello.txt (world → there), then text. */
static void
send_patch (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  g_assert_true (spark_assistant_send (f->assistant, "change world to there", &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = spark_fake_server_new ();
  f->root = spark_test_make_temp_dir ();
  f->store = spark_test_make_temp_dir ();
  f->outputs = g_ptr_array_new_with_free_func (g_free);
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");

  f->settings = g_settings_new (APP_ID);
  g_settings_set_string (f->settings, "endpoint", spark_fake_server_get_base_url (f->server));
  g_settings_set_string (f->settings, "transport", "websocket");
  g_settings_set_string (f->settings, "approval-mode", "ask");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->assistant != NULL)
    g_signal_handlers_disconnect_by_data (spark_assistant_get_session (f->assistant), f);
  g_clear_object (&f->assistant);
  g_clear_object (&f->project);
  g_settings_reset (f->settings, "endpoint");
  g_settings_reset (f->settings, "transport");
  g_settings_reset (f->settings, "approval-mode");
  g_clear_object (&f->settings);
  g_clear_pointer (&f->server, spark_fake_server_free);
  g_clear_pointer (&f->outputs, g_ptr_array_unref);
  g_clear_pointer (&f->applied, g_free);
  g_clear_pointer (&f->last_command, g_free);
  spark_test_rm_rf (f->root);
  spark_test_rm_rf (f->store);
  g_free (f->root);
  g_free (f->store);
}

static void
test_notice_without_key (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* No key anywhere and a remote endpoint: say what to set up, send nothing. */
  g_settings_set_string (f->settings, "endpoint", "https://api.example.invalid/v1");
  make_assistant (f);
  WAIT_UNTIL (spark_assistant_get_notice (f->assistant) != NULL, "the setup notice");
  g_assert_false (spark_assistant_get_ready (f->assistant));
  g_assert_nonnull (strstr (spark_assistant_get_notice (f->assistant), "OPENAI_API_KEY"));
  g_assert_false (spark_assistant_send (f->assistant, "hi", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);

  /* Pointing at a local server is enough. */
  g_settings_set_string (f->settings, "endpoint", spark_fake_server_get_base_url (f->server));
  g_assert_null (spark_assistant_get_notice (f->assistant));
  g_assert_true (spark_assistant_get_ready (f->assistant));
}

static void
test_review_then_apply (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  SparkChangeset *changeset;

  make_ready_assistant (f);

  send_patch (f);

  /* The proposal waits for the person; nothing is written meanwhile. */
  WAIT_UNTIL (spark_assistant_get_awaiting_approval (f->assistant), "the review request");
  g_assert_cmpuint (f->proposals, ==, 1);
  changeset = spark_assistant_get_changeset (f->assistant);
  g_assert_cmpuint (spark_changeset_get_n_hunks (changeset), ==, 1);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");

  /* Apply needs a decision first. */
  g_assert_false (spark_assistant_apply (f->assistant, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (spark_changeset_accept_all (changeset, &error));
  g_assert_no_error (error);
  g_assert_true (spark_assistant_apply (f->assistant, &error));
  g_assert_no_error (error);

  WAIT_UNTIL (f->applied != NULL, "the apply");
  g_clear_pointer (&contents, g_free);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nthere\n");
  g_assert_false (spark_assistant_get_awaiting_approval (f->assistant));

  /* The model was told, in its words; the person reads their own report. */
  g_assert_cmpuint (f->outputs->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->outputs, 0), "Success"));
  g_assert_cmpstr (f->applied, ==, "Changed 1 file:\nM hello.txt\n");
  WAIT_UNTIL (!spark_assistant_get_busy (f->assistant), "the turn to end");
}

static void
test_reject_whole (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *contents = NULL;

  make_ready_assistant (f);

  send_patch (f);
  WAIT_UNTIL (spark_assistant_get_awaiting_approval (f->assistant), "the review request");

  spark_assistant_reject (f->assistant, "keep world as it is");
  WAIT_UNTIL (f->outputs->len == 1, "the rejection to reach the model");
  g_assert_nonnull (strstr (g_ptr_array_index (f->outputs, 0), "keep world as it is"));
  g_assert_null (f->applied);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");
  WAIT_UNTIL (!spark_assistant_get_busy (f->assistant), "the turn to end");
}

static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *contents = NULL;

  g_settings_set_string (f->settings, "approval-mode", "read-only");
  make_ready_assistant (f);

  send_patch (f);
  WAIT_UNTIL (f->outputs->len == 1, "the refusal to reach the model");
  g_assert_nonnull (strstr (g_ptr_array_index (f->outputs, 0), "read-only"));
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");
  WAIT_UNTIL (!spark_assistant_get_busy (f->assistant), "the turn to end");
}

static void
test_auto_apply (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *contents = NULL;

  g_settings_set_string (f->settings, "approval-mode", "auto-edits");
  make_ready_assistant (f);

  send_patch (f);
  WAIT_UNTIL (f->applied != NULL, "the automatic apply");
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nthere\n");
  WAIT_UNTIL (!spark_assistant_get_busy (f->assistant), "the turn to end");
}

/* A drop mid-patch with no retry left: the received hunks can still be
 * applied, without a tool call to answer. */
static void
test_salvage_after_final_drop (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  SparkChangeset *changeset;
  SparkFileChange *a_c;

  spark_test_write_file (f->root, "a.c", "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n"
                                        "line 7\nline 8\nline 9\nline 10\nline 11\nline 12\n");
  spark_test_write_file (f->root, "b.txt", "alpha\nbeta\n");
  make_ready_assistant (f);
  spark_session_set_retry_policy (spark_assistant_get_session (f->assistant), 0, 10);

  spark_fake_server_push_stream (f->server, "drop-mid-patch");
  g_assert_true (spark_assistant_send (f->assistant, "spell them out", &error));
  WAIT_UNTIL (spark_assistant_get_salvaged (f->assistant), "the drop");
  WAIT_UNTIL (!spark_assistant_get_busy (f->assistant), "the turn to give up");
  g_assert_true (spark_assistant_get_salvaged (f->assistant));

  changeset = spark_assistant_get_changeset (f->assistant);
  a_c = spark_changeset_get_file (changeset, 0);
  g_assert_cmpuint (spark_file_change_get_n_hunks (a_c), ==, 3);

  /* Nothing decided yet: refused, nothing written. */
  g_assert_false (spark_assistant_apply (f->assistant, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (spark_hunk_accept (spark_file_change_get_hunk (a_c, 2), NULL));
  g_assert_true (spark_assistant_apply (f->assistant, &error));
  g_assert_no_error (error);
  /* No model to tell: the person's report, which names what was left out. */
  g_assert_nonnull (f->applied);
  g_assert_cmpstr (f->applied, ==,
                   "Applied 1 of 3 hunks to a.c.\n"
                   "Hunk 1 was skipped because it was not reviewed.\n"
                   "Hunk 2 was skipped because it was not reviewed.\n"
                   "Changed 1 file:\n"
                   "M a.c\n");
  contents = spark_test_read_file (f->root, "a.c", NULL);
  g_assert_cmpstr (contents, ==, "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n"
                                 "line 7\nline 8\nline 9\nline TEN\nline 11\nline 12\n");
  g_free (contents);
  contents = spark_test_read_file (f->root, "b.txt", NULL);
  g_assert_cmpstr (contents, ==, "alpha\nbeta\n");
  g_assert_false (spark_assistant_get_salvaged (f->assistant));
}

static gboolean
server_got (SparkFakeServer *server,
            const char      *needle)
{
  g_autoptr(GPtrArray) requests = spark_fake_server_dup_generating (server);

  for (guint i = 0; i < requests->len; i++)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), g_ptr_array_index (requests, i));
      g_autofree char *json = json_to_string (node, FALSE);

      if (strstr (json, needle) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* Issue 6: a prompt queued while a turn runs survives that turn's drop
 * and retry, and runs after it. */
static void
test_queue_survives_drop (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  make_ready_assistant (f);
  spark_session_set_retry_policy (spark_assistant_get_session (f->assistant), 3, 10);

  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  g_assert_true (spark_assistant_send (f->assistant, "first prompt", &error));
  spark_assistant_queue (f->assistant, "queued prompt");

  WAIT_UNTIL (server_got (f->server, "queued prompt") && !spark_assistant_get_busy (f->assistant),
              "the queued prompt to run after the retried turn");
  g_assert_cmpuint (spark_fake_server_get_queue_length (f->server), ==, 0);
}

static void
run_shell_turn (Fixture    *f,
                const char *prompt)
{
  g_autoptr(GError) error = NULL;
  guint before = f->outputs->len;

  spark_fake_server_push_stream (f->server, "call-shell");
  spark_fake_server_push_stream (f->server, "text-done");
  g_assert_true (spark_assistant_send (f->assistant, prompt, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (f->outputs->len == before + 1, "the command's output");
  WAIT_UNTIL (!spark_assistant_get_busy (f->assistant), "the turn to end");
}

static void
test_commands_ask (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->root, "shell.txt", NULL);

  /* Even "apply automatically" asks before a command runs. */
  g_settings_set_string (f->settings, "approval-mode", "auto-edits");
  make_ready_assistant (f);

  f->answer = SPARK_COMMAND_DENY;
  run_shell_turn (f, "run it");
  g_assert_cmpuint (f->command_requests, ==, 1);
  g_assert_cmpstr (f->last_command, ==, "echo from-shell > shell.txt");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (g_ptr_array_index (f->outputs, 0), "chose not to run"));

  f->answer = SPARK_COMMAND_RUN_ALWAYS;
  run_shell_turn (f, "run it now");
  g_assert_cmpuint (f->command_requests, ==, 2);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Allowed for the session: the same command no longer asks. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  f->answer = SPARK_COMMAND_DENY;
  run_shell_turn (f, "once more");
  g_assert_cmpuint (f->command_requests, ==, 2);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Read-only refuses commands without asking. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_settings_set_string (f->settings, "approval-mode", "read-only");
  run_shell_turn (f, "and again");
  g_assert_cmpuint (f->command_requests, ==, 2);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (g_ptr_array_index (f->outputs, 3), "read-only"));
}

int
main (int   argc,
      char *argv[])
{
  /* No key from the environment or a keyring: the tests choose. */
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");

  spark_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/ui/assistant/notice-without-key", test_notice_without_key);
  ADD ("/ui/assistant/review-then-apply", test_review_then_apply);
  ADD ("/ui/assistant/reject-whole", test_reject_whole);
  ADD ("/ui/assistant/read-only", test_read_only);
  ADD ("/ui/assistant/auto-apply", test_auto_apply);
  ADD ("/ui/assistant/commands-ask", test_commands_ask);
  ADD ("/ui/assistant/salvage-after-final-drop", test_salvage_after_final_drop);
  ADD ("/ui/assistant/queue-survives-drop", test_queue_survives_drop);
#undef ADD

  return g_test_run ();
}
