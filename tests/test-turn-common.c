/* test-turn-common.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-responses.h"
#include "spark-test-utils.h"
#include "test-turn-common.h"

static void
error_cb (SparkSession *session,
          const GError *error,
          TurnFixture  *f)
{
  g_ptr_array_add (f->errors, g_error_copy (error));
}

static void
turn_finished_cb (SparkSession *session,
                  const GError *error,
                  TurnFixture  *f)
{
  g_clear_error (&f->turn_error);
  if (error != NULL)
    f->turn_error = g_error_copy (error);
  f->turns++;
}

static void
output_cb (SparkSession  *session,
           SparkToolCall *call,
           const char    *output,
           gboolean       success,
           TurnFixture   *f)
{
  g_ptr_array_add (f->outputs, g_strdup (output));
}

static void
state_cb (SparkSession *session,
          GParamSpec   *pspec,
          TurnFixture  *f)
{
  g_string_append_printf (f->states, "%s ",
                          spark_connection_state_to_string (spark_session_get_connection_state (session)));
}

static void
dropped_cb (SparkAssistant *assistant,
            const GError   *error,
            TurnFixture    *f)
{
  f->drops++;
}

void
turn_accept_and_apply (TurnFixture *f)
{
  SparkChangeset *changeset = spark_assistant_get_changeset (f->assistant);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < spark_changeset_get_n_files (changeset); i++)
    {
      SparkFileChange *file = spark_changeset_get_file (changeset, i);

      for (guint j = 0; j < spark_file_change_get_n_hunks (file); j++)
        {
          SparkHunk *hunk = spark_file_change_get_hunk (file, j);

          if (spark_hunk_get_state (hunk) == SPARK_HUNK_PENDING)
            {
              spark_hunk_accept (hunk, &error);
              g_assert_no_error (error);
            }
        }
    }

  spark_assistant_apply (f->assistant, &error);
  g_assert_no_error (error);
}

typedef struct
{
  gboolean done;
  gboolean ok;
} StartWait;

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  StartWait *wait = user_data;

  wait->ok = spark_session_start_finish (SPARK_SESSION (object), result, NULL);
  wait->done = TRUE;
}

/* The assistant started the session; its warm-up answered. (A second
 * start is refused while the first one runs, and succeeds at once after.) */
static gboolean
is_warm (TurnFixture *f)
{
  StartWait wait = { FALSE, FALSE };

  if (!spark_assistant_get_ready (f->assistant) ||
      spark_session_get_connection_state (f->session) != SPARK_CONNECTION_STATE_WARM)
    return FALSE;

  spark_session_start_async (f->session, NULL, start_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  return wait.ok;
}

void
turn_wait (TurnFixture  *f,
           gboolean    (*cond) (TurnFixture *f),
           const char   *what)
{
  guint deadline = spark_test_add_deadline (30, what);

  while (!cond (f))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (deadline);
}

void
turn_fixture_setup (TurnFixture *f,
                    const char  *transport)
{
  g_autoptr(GFile) root = NULL;

  f->server = spark_fake_server_new ();
  f->root = spark_test_make_temp_dir ();
  f->store = spark_test_make_temp_dir ();
  f->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  f->outputs = g_ptr_array_new_with_free_func (g_free);
  f->states = g_string_new (NULL);
  f->review = turn_accept_and_apply;
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");

  f->settings = g_settings_new (APP_ID);
  g_settings_set_string (f->settings, "endpoint", spark_fake_server_get_base_url (f->server));
  g_settings_set_string (f->settings, "transport", transport);
  g_settings_set_string (f->settings, "approval-mode", "ask");

  root = g_file_new_for_path (f->root);
  f->project = spark_project_new (root);
  f->assistant = spark_assistant_new (f->project, f->settings);
  f->session = spark_assistant_get_session (f->assistant);
  spark_session_set_store_dir (f->session, f->store);
  spark_session_set_retry_policy (f->session, 5, 2);
  f->transcript = spark_transcript_new ();
  spark_transcript_follow_session (f->transcript, f->session);

  g_signal_connect (f->session, "error", G_CALLBACK (error_cb), f);
  g_signal_connect (f->session, "turn-finished", G_CALLBACK (turn_finished_cb), f);
  g_signal_connect (f->session, "tool-call-output", G_CALLBACK (output_cb), f);
  g_signal_connect (f->session, "notify::connection-state", G_CALLBACK (state_cb), f);
  g_signal_connect (f->assistant, "stream-dropped", G_CALLBACK (dropped_cb), f);

  turn_wait (f, is_warm, "the assistant to be ready and warm");
}

void
turn_fixture_teardown (TurnFixture *f)
{
  g_signal_handlers_disconnect_by_data (f->session, f);
  g_signal_handlers_disconnect_by_data (f->assistant, f);
  spark_transcript_follow_session (f->transcript, NULL);
  g_clear_object (&f->transcript);
  g_clear_object (&f->assistant);
  g_clear_object (&f->project);
  g_settings_reset (f->settings, "endpoint");
  g_settings_reset (f->settings, "transport");
  g_settings_reset (f->settings, "approval-mode");
  g_clear_object (&f->settings);
  g_clear_pointer (&f->server, spark_fake_server_free);
  spark_test_rm_rf (f->root);
  spark_test_rm_rf (f->store);
  g_clear_pointer (&f->root, g_free);
  g_clear_pointer (&f->store, g_free);
  g_clear_pointer (&f->errors, g_ptr_array_unref);
  g_clear_pointer (&f->outputs, g_ptr_array_unref);
  g_string_free (f->states, TRUE);
  g_clear_error (&f->turn_error);
}

const GError *
turn_run (TurnFixture *f,
          const char  *prompt,
          guint        timeout)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *what = g_strdup_printf ("the turn “%s” to finish", prompt);
  guint before = f->turns;
  guint deadline;

  g_clear_error (&f->turn_error);
  g_assert_true (spark_assistant_send (f->assistant, prompt, &error));
  g_assert_no_error (error);

  deadline = spark_test_add_deadline (timeout, what);
  while (f->turns == before)
    {
      g_main_context_iteration (NULL, TRUE);
      if (f->tick != NULL)
        f->tick (f);
      if (spark_assistant_get_awaiting_approval (f->assistant) && f->review != NULL)
        f->review (f);
    }
  g_source_remove (deadline);

  return f->turn_error;
}

void
turn_run_ok (TurnFixture *f,
             const char  *prompt)
{
  const GError *error = turn_run (f, prompt, 30);

  if (error != NULL)
    g_error ("The turn “%s” failed: %s", prompt, error->message);
}

guint
turn_count_items (TurnFixture         *f,
                  SparkTranscriptKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->transcript)); i++)
    {
      g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (f->transcript), i);

      if (spark_transcript_item_get_kind (item) == kind)
        n++;
    }

  return n;
}

const char *
turn_last_text (TurnFixture         *f,
                SparkTranscriptKind  kind)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (f->transcript)); i > 0; i--)
    {
      g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (f->transcript), i - 1);

      if (spark_transcript_item_get_kind (item) == kind)
        return spark_transcript_item_get_text (item);
    }

  return NULL;
}

const char *
turn_last_output (TurnFixture *f)
{
  return f->outputs->len > 0 ? g_ptr_array_index (f->outputs, f->outputs->len - 1) : NULL;
}

char *
turn_dup_requests (TurnFixture *f)
{
  g_autoptr(GPtrArray) requests = spark_fake_server_dup_generating (f->server);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < requests->len; i++)
    {
      g_autofree char *text = spark_responses_to_string (g_ptr_array_index (requests, i));

      g_string_append (out, text);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}
