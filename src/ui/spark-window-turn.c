/* spark-window-turn.c: the model's turn in the project window
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-a11y.h"
#include "spark-assistant.h"
#include "spark-checkpoints.h"
#include "spark-commit-dialog.h"
#include "spark-git-commit.h"
#include "spark-editor-page.h"
#include "spark-review-view.h"
#include "spark-window-private.h"

/* The model's turn -------------------------------------------------------- */

static void
proposal_started_cb (SparkWindow    *self,
                     SparkChangeset *changeset)
{
  /* Review starts while the patch is still streaming. */
  adw_view_stack_set_visible_child_name (self->side_stack, "review");
  if (!self->side_area_visible)
    g_object_set (self, "side-area-visible", TRUE, NULL);
}

static void show_merged_text (SparkWindow    *self,
                              SparkChangeset *changeset);

static void
applied_cb (SparkWindow *self,
            const char  *summary)
{
  g_auto(GStrv) lines = g_strsplit (summary, "\n", 2);
  gsize len = lines[0] ? strlen (lines[0]) : 0;
  AdwToast *toast;

  /* The report's first line: a sentence, or the "Changed 2 files:" header
   * of the file list, which the toast shows without its colon. */
  if (len > 0 && lines[0][len - 1] == ':')
    lines[0][len - 1] = '\0';
  toast = adw_toast_new (lines[0] ? lines[0] : summary);

  g_free (self->last_apply_report);
  self->last_apply_report = g_strdup (summary);

  if (spark_assistant_get_changeset (self->assistant) != NULL)
    show_merged_text (self, spark_assistant_get_changeset (self->assistant));

  /* Every apply starts from a checkpoint: offer the way back. */
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-apply");
  spark_a11y_add_toast (self->toast_overlay, toast);
}

/* Undo Apply ------------------------------------------------------------- */

typedef struct
{
  char *root;
  char *id;       /* NULL: the latest checkpoint */
} RestoreJob;

static void
restore_job_free (RestoreJob *job)
{
  g_free (job->root);
  g_free (job->id);
  g_free (job);
}

static void
restore_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RestoreJob *job = task_data;
  g_autoptr(SparkWorkspace) workspace = NULL;
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  SparkCheckpoint *before = NULL;
  GError *error = NULL;

  /* libgit2 and the file writes stay off the main thread. */
  if ((workspace = spark_workspace_new (job->root, &error)) == NULL ||
      (checkpoints = spark_checkpoints_new (workspace, &error)) == NULL ||
      !spark_checkpoints_restore (checkpoints, job->id, &before, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, before, (GDestroyNotify) spark_checkpoint_free);
}

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SparkWindow *self = SPARK_WINDOW (object);
  RestoreJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkCheckpoint) before = g_task_propagate_pointer (G_TASK (result), &error);
  AdwToast *toast;

  self->restoring = FALSE;

  if (before == NULL)
    {
      spark_window_show_toast (self, error->message);
      return;
    }

  /* The restore recorded where it started: that is the way forward again. */
  g_free (self->redo_checkpoint);
  self->redo_checkpoint = job->id == NULL ? g_strdup (before->id) : NULL;
  spark_project_refresh_status (self->project);

  if (job->id == NULL)
    {
      toast = adw_toast_new (_("Restored the files from before the last apply"));
      adw_toast_set_button_label (toast, _("_Redo"));
      adw_toast_set_action_name (toast, "win.redo-apply");
    }
  else
    {
      toast = adw_toast_new (_("Restored the files as they were before the undo"));
    }
  spark_a11y_add_toast (self->toast_overlay, toast);
}

static void
restore_checkpoint (SparkWindow *self,
                    const char  *id)
{
  g_autoptr(GTask) task = NULL;
  RestoreJob *job;

  if (self->project == NULL || self->restoring)
    return;

  self->restoring = TRUE;
  job = g_new0 (RestoreJob, 1);
  job->root = g_strdup (spark_project_get_root_path (self->project));
  job->id = g_strdup (id);

  task = g_task_new (self, self->cancellable, restore_cb, NULL);
  g_task_set_source_tag (task, restore_checkpoint);
  g_task_set_task_data (task, job, (GDestroyNotify) restore_job_free);
  g_task_run_in_thread (task, restore_worker);
}

static void
stream_dropped_cb (SparkWindow  *self,
                   const GError *error)
{
  g_autofree char *message = NULL;

  /* Translators: %s says why the connection ended */
  message = g_strdup_printf (_("The model's stream broke (%s). Spark is retrying; the changes received so far are kept for review."),
                             error->message);
  spark_window_show_toast (self, message);
}

static void
session_error_cb (SparkWindow  *self,
                  const GError *error)
{
  /* A drop mid-patch has its own message. */
  if (self->assistant != NULL && spark_assistant_get_salvaged (self->assistant))
    return;

  spark_window_show_toast (self, error->message);
}

/* The tab showing @path of the project, if one is open. */
static SparkEditorPage *
find_page (SparkWindow *self,
           const char  *path)
{
  g_autoptr(GFile) file = g_file_resolve_relative_path (spark_project_get_root (self->project), path);
  guint n = adw_tab_view_get_n_pages (self->tab_view);

  for (guint i = 0; i < n; i++)
    {
      SparkEditorPage *page = SPARK_EDITOR_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i)));

      if (g_file_equal (spark_editor_page_get_file (page), file))
        return page;
    }

  return NULL;
}

/* Unsaved text in a tab of a file the proposal changes is what the person
 * has now: the apply merges the proposal into it instead of the disk's
 * bytes, and never overwrites it (issue 6). */
static void
hand_over_unsaved_text (SparkWindow    *self,
                        SparkChangeset *changeset)
{
  for (guint i = 0; i < spark_changeset_get_n_files (changeset); i++)
    {
      SparkFileChange *change = spark_changeset_get_file (changeset, i);
      const char *path = spark_file_change_get_path (change);
      SparkEditorPage *page = find_page (self, path);

      if (page != NULL && spark_editor_page_get_modified (page))
        {
          g_autofree char *text = NULL;
          gsize length;

          text = spark_editor_page_dup_disk_text (page, &length);
          spark_changeset_set_current_text (changeset, path, text, length);
        }
      else
        {
          spark_changeset_set_current_text (changeset, path, NULL, 0);
        }
    }
}

/* After an apply: tabs whose unsaved text was merged show what was
 * written, in one undoable step. */
static void
show_merged_text (SparkWindow    *self,
                  SparkChangeset *changeset)
{
  for (guint i = 0; i < spark_changeset_get_n_files (changeset); i++)
    {
      SparkFileChange *change = spark_changeset_get_file (changeset, i);
      const char *merged = spark_file_change_get_merged_text (change);
      SparkEditorPage *page;

      if (merged == NULL)
        continue;

      page = find_page (self, spark_file_change_get_move_path (change) ?
                                spark_file_change_get_move_path (change) :
                                spark_file_change_get_path (change));
      if (page != NULL && spark_editor_page_get_modified (page))
        spark_editor_page_take_written_text (page, merged, strlen (merged));
    }
}

/**
 * spark_window_apply_proposal:
 *
 * Applies what the person accepted of the proposal under review. Unsaved
 * edits in open tabs of its files are merged with the proposal (overlaps
 * become conflict hunks to resolve), never overwritten.
 *
 * Returns: whether the apply went ahead
 */
gboolean
spark_window_apply_proposal (SparkWindow *self)
{
  g_autoptr(GError) error = NULL;
  SparkChangeset *changeset;

  g_return_val_if_fail (SPARK_IS_WINDOW (self), FALSE);

  if (self->assistant == NULL ||
      (changeset = spark_assistant_get_changeset (self->assistant)) == NULL)
    return FALSE;

  hand_over_unsaved_text (self, changeset);

  if (!spark_assistant_apply (self->assistant, &error))
    {
      spark_window_show_toast (self, error->message);
      return FALSE;
    }

  return TRUE;
}

static void
review_apply_requested_cb (SparkWindow *self)
{
  spark_window_apply_proposal (self);
}

/* The turn's main actions live in the window's action map, which
 * GtkApplicationWindow exports on the session bus: they can be bound to
 * keys and triggered from scripts (issue 5). */
static void
apply_changes_activated (GSimpleAction *action,
                         GVariant      *param,
                         gpointer       user_data)
{
  spark_window_apply_proposal (SPARK_WINDOW (user_data));
}

static void
accept_all_changes_activated (GSimpleAction *action,
                              GVariant      *param,
                              gpointer       user_data)
{
  SparkWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  SparkChangeset *changeset = self->assistant ? spark_assistant_get_changeset (self->assistant) : NULL;

  if (changeset != NULL && !spark_changeset_accept_all (changeset, &error))
    spark_window_show_toast (self, error->message);
}

static void
reject_all_changes_activated (GSimpleAction *action,
                              GVariant      *param,
                              gpointer       user_data)
{
  SparkWindow *self = user_data;
  SparkChangeset *changeset = self->assistant ? spark_assistant_get_changeset (self->assistant) : NULL;

  if (changeset != NULL)
    spark_changeset_reject_all (changeset);
}

static void
stop_response_activated (GSimpleAction *action,
                         GVariant      *param,
                         gpointer       user_data)
{
  SparkWindow *self = user_data;

  if (self->assistant != NULL)
    spark_assistant_stop (self->assistant);
}

static void
send_message_activated (GSimpleAction *action,
                        GVariant      *param,
                        gpointer       user_data)
{
  SparkWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->assistant != NULL &&
      !spark_assistant_send (self->assistant, g_variant_get_string (param, NULL), &error))
    spark_window_show_toast (self, error->message);
}

/* Checkpoint history ----------------------------------------------------- */

static void
list_checkpoints_worker (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  g_autoptr(SparkWorkspace) workspace = NULL;
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  GPtrArray *list;
  GError *error = NULL;

  if ((workspace = spark_workspace_new (task_data, &error)) == NULL ||
      (checkpoints = spark_checkpoints_new (workspace, &error)) == NULL ||
      (list = spark_checkpoints_list (checkpoints, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static void
restore_row_clicked_cb (GtkButton   *button,
                        SparkWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "checkpoint-id");

  gtk_popover_popdown (self->checkpoints_popover);
  restore_checkpoint (self, id);
}

static void
list_checkpoints_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SparkWindow *self = SPARK_WINDOW (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_task_propagate_pointer (G_TASK (result), &error);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->checkpoint_list))))
    gtk_list_box_remove (self->checkpoint_list, child);

  if (list == NULL || list->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     list == NULL ? error->message : _("No checkpoints yet: one is taken before every apply"));
      gtk_list_box_append (self->checkpoint_list, row);
      return;
    }

  /* Newest first: each one is the tree just before an apply or a restore. */
  for (guint i = list->len; i > 0; i--)
    {
      SparkCheckpoint *cp = g_ptr_array_index (list, i - 1);
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (cp->time);
      g_autofree char *when = g_date_time_format (time, "%x %X");
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_label (_("Restore"));
      g_autofree char *label = g_strdup_printf (_("Restore checkpoint %s"), cp->id);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cp->summary ? cp->summary : cp->id);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), when);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_object_set_data_full (G_OBJECT (button), "checkpoint-id", g_strdup (cp->id), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (restore_row_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->checkpoint_list, row);
    }
}

/* The history is read when the popover opens, off the main thread. */
static void
checkpoints_popover_show_cb (SparkWindow *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->project == NULL)
    return;

  task = g_task_new (self, self->cancellable, list_checkpoints_cb, NULL);
  g_task_set_source_tag (task, checkpoints_popover_show_cb);
  g_task_set_task_data (task, g_strdup (spark_project_get_root_path (self->project)), g_free);
  g_task_run_in_thread (task, list_checkpoints_worker);
}

static void
undo_apply_activated (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  /* The newest checkpoint is the one taken just before the last apply. */
  restore_checkpoint (SPARK_WINDOW (user_data), NULL);
}

static void
redo_apply_activated (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  SparkWindow *self = user_data;

  if (self->redo_checkpoint != NULL)
    {
      g_autofree char *id = g_steal_pointer (&self->redo_checkpoint);

      restore_checkpoint (self, id);
    }
}

static const GActionEntry turn_actions[] = {
  { "undo-apply", undo_apply_activated },
  { "redo-apply", redo_apply_activated },
  { "apply-changes", apply_changes_activated },
  { "accept-all-changes", accept_all_changes_activated },
  { "reject-all-changes", reject_all_changes_activated },
  { "stop-response", stop_response_activated },
  { "send-message", send_message_activated, "s" },
};

typedef struct
{
  SparkAssistant *assistant;
  SparkToolCall  *call;
} CommandQuestion;

static void
command_question_free (gpointer  data,
                       GClosure *closure)
{
  CommandQuestion *q = data;

  g_clear_object (&q->assistant);
  g_clear_object (&q->call);
  g_free (q);
}

static void
command_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     CommandQuestion  *q)
{
  SparkCommandDecision decision = SPARK_COMMAND_DENY;

  if (g_strcmp0 (response, "run") == 0)
    decision = SPARK_COMMAND_RUN;
  else if (g_strcmp0 (response, "always") == 0)
    decision = SPARK_COMMAND_RUN_ALWAYS;

  spark_assistant_decide_command (q->assistant, q->call, decision);
}

/* Issue 5: shell commands always show the command and ask. The person sees
 * whether it runs in the sandbox before saying yes. */
static void
command_approval_requested_cb (SparkWindow   *self,
                               SparkToolCall *call,
                               const char    *command)
{
  g_autofree char *escaped = g_markup_escape_text (command, -1);
  gboolean sandboxed = spark_tools_get_sandboxed (spark_session_get_tools (spark_assistant_get_session (self->assistant)));
  g_autofree char *body = NULL;
  CommandQuestion *q;
  AdwMessageDialog *dialog;

  body = g_strdup_printf ("<tt>%s</tt>\n\n%s", escaped,
                          sandboxed
                          ? _("It runs in a sandbox: no network, and only the project folder can be changed.")
                          : _("It runs without a sandbox, with all your permissions and network access: "
                              "bubblewrap (bwrap) is not installed or cannot run here."));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Run This Command?"), NULL));
  adw_message_dialog_set_body_use_markup (dialog, TRUE);
  adw_message_dialog_set_body (dialog, body);
  adw_message_dialog_add_responses (dialog,
                                    /* Translators: button of the "Run This Command?" dialog */
                                    "deny", _("_Don't Run"),
                                    /* Translators: button of the "Run This Command?" dialog */
                                    "always", _("Always _Allow in This Session"),
                                    /* Translators: button of the "Run This Command?" dialog */
                                    "run", _("_Run"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "run", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "deny");
  adw_message_dialog_set_close_response (dialog, "deny");

  q = g_new0 (CommandQuestion, 1);
  q->assistant = g_object_ref (self->assistant);
  q->call = g_object_ref (call);
  g_signal_connect_data (dialog, "response", G_CALLBACK (command_response_cb), q,
                         command_question_free, 0);

  gtk_window_present (GTK_WINDOW (dialog));
}

/* The model picker: the endpoint's models, the current one selected; a
 * pick is the "model" preference. */
static void
assistant_models_cb (SparkWindow *self)
{
  const char * const *models = spark_assistant_get_models (self->assistant);
  g_autofree char *model = g_settings_get_string (self->settings, "model");

  if (models == NULL)
    return;

  spark_chat_view_set_model (self->chat_view,
                             *model ? model : spark_session_get_model (spark_assistant_get_session (self->assistant)));
  spark_chat_view_set_models (self->chat_view, models);
}

static void
chat_model_cb (SparkWindow *self)
{
  const char *model = spark_chat_view_get_model (self->chat_view);
  g_autofree char *current = g_settings_get_string (self->settings, "model");

  if (model != NULL && *model != '\0' && g_strcmp0 (model, current) != 0)
    g_settings_set_string (self->settings, "model", model);
}

static void
settings_model_cb (SparkWindow *self)
{
  g_autofree char *model = g_settings_get_string (self->settings, "model");

  if (*model != '\0')
    spark_chat_view_set_model (self->chat_view, model);
}

static void
assistant_notice_cb (SparkWindow *self)
{
  const char *notice = spark_assistant_get_notice (self->assistant);
  g_autofree char *markup = notice ? g_markup_escape_text (notice, -1) : NULL;

  spark_chat_view_set_notice (self->chat_view, markup);
}

/* Files attached larger than this are named, not copied into the prompt;
 * the model can read them with its tools. */
#define MAX_ATTACHED_FILE (32 * 1024)

/* The prompt with what the person attached: files mentioned with @ (their
 * text, when small) and snippets attached from the editor. */
static char *
compose_prompt (SparkWindow   *self,
                SparkChatView *view,
                const char    *text)
{
  g_auto(GStrv) files = spark_chat_view_dup_attachments (view);
  g_autofree char *snippets = spark_chat_view_dup_attached_text (view);
  GString *prompt = g_string_new (text);

  for (guint i = 0; files[i] != NULL && self->project != NULL; i++)
    {
      g_autofree char *path = g_build_filename (spark_project_get_root_path (self->project), files[i], NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, NULL) &&
          length <= MAX_ATTACHED_FILE && g_utf8_validate (contents, length, NULL) &&
          strstr (contents, "````") == NULL)
        g_string_append_printf (prompt, "\n\nAttached file `%s`:\n````\n%s%s````", files[i], contents,
                                length > 0 && contents[length - 1] != '\n' ? "\n" : "");
      else
        g_string_append_printf (prompt, "\n\nAttached file `%s` (read it with read_file).", files[i]);
    }

  if (snippets != NULL)
    g_string_append_printf (prompt, "\n\n%s", snippets);

  return g_string_free (prompt, FALSE);
}

static void
chat_send_cb (SparkWindow   *self,
              const char    *text,
              SparkChatView *view)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;

  if (self->assistant == NULL)
    return;

  prompt = compose_prompt (self, view, text);
  if (!spark_assistant_send (self->assistant, prompt, &error))
    {
      /* Nothing is lost: the text goes back into the message box. */
      spark_chat_view_set_message (view, text);
      spark_window_show_toast (self, error->message);
    }
}

static void
chat_steer_cb (SparkWindow   *self,
               const char    *text,
               SparkChatView *view)
{
  g_autoptr(GError) error = NULL;

  if (self->assistant != NULL && !spark_assistant_steer (self->assistant, text, &error))
    {
      spark_chat_view_set_message (view, text);
      spark_window_show_toast (self, error->message);
    }
}

static void
chat_queue_cb (SparkWindow   *self,
               const char    *text,
               SparkChatView *view)
{
  if (self->assistant != NULL)
    spark_assistant_queue (self->assistant, text);
}

static void
chat_stop_cb (SparkWindow *self)
{
  if (self->assistant != NULL)
    spark_assistant_stop (self->assistant);
}

static void
chat_review_cb (SparkWindow *self,
                const char  *call_id)
{
  adw_view_stack_set_visible_child_name (self->side_stack, "review");
  if (!self->side_area_visible)
    g_object_set (self, "side-area-visible", TRUE, NULL);
}

/**
 * spark_window_get_chat_view:
 */
SparkChatView *
spark_window_get_chat_view (SparkWindow *self)
{
  g_return_val_if_fail (SPARK_IS_WINDOW (self), NULL);

  return self->chat_view;
}

/**
 * spark_window_get_assistant:
 *
 * Returns: (transfer none) (nullable): the model side of the open project
 */
SparkAssistant *
spark_window_get_assistant (SparkWindow *self)
{
  g_return_val_if_fail (SPARK_IS_WINDOW (self), NULL);

  return self->assistant;
}

/* Earlier sessions and attachments --------------------------------------- */

static void
session_resume_requested_cb (SparkWindow *self,
                             const char  *session_id)
{
  g_autoptr(GError) error = NULL;
  SparkSession *session;

  gtk_popover_popdown (self->sessions_popover);

  if (self->assistant == NULL)
    return;

  session = spark_assistant_get_session (self->assistant);
  if (spark_session_get_busy (session))
    {
      spark_window_show_toast (self, _("Stop the running response before resuming another session"));
      return;
    }

  if (!spark_session_resume (session, session_id, &error))
    {
      spark_window_show_toast (self, error->message);
      return;
    }

  /* A new transcript restored from the resumed history. */
  g_clear_object (&self->transcript);
  self->transcript = spark_transcript_new ();
  spark_transcript_load_history (self->transcript, session);
  spark_transcript_follow_session (self->transcript, session);
  spark_chat_view_set_transcript (self->chat_view, self->transcript);
  adw_view_stack_set_visible_child_name (self->side_stack, "chat");
}

/* Attaches the selection of the current tab (or its whole text) to the
 * next message. */
static void
attach_selection_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SparkWindow *self = SPARK_WINDOW (widget);
  SparkEditorPage *page = spark_window_get_current_page (self);
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autofree char *relpath = NULL;
  g_autofree char *label = NULL;

  if (page == NULL || spark_editor_page_get_loading (page))
    return;

  buffer = GTK_TEXT_BUFFER (spark_editor_page_get_buffer (page));
  if (!gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);

  if (self->project != NULL)
    relpath = spark_project_relpath_for_file (self->project, spark_editor_page_get_file (page));
  if (relpath == NULL)
    relpath = g_file_get_basename (spark_editor_page_get_file (page));

  if (gtk_text_buffer_get_has_selection (buffer))
    label = g_strdup_printf ("%s:%d-%d", relpath,
                             gtk_text_iter_get_line (&start) + 1, gtk_text_iter_get_line (&end) + 1);
  else
    label = g_strdup (relpath);

  spark_chat_view_attach_text (self->chat_view, label, text);
  adw_view_stack_set_visible_child_name (self->side_stack, "chat");
  if (!self->side_area_visible)
    g_object_set (self, "side-area-visible", TRUE, NULL);
  gtk_widget_activate_action (GTK_WIDGET (self->chat_view), "chat.focus-message", NULL);
}

/* Git: the Changes page and the commit dialog ----------------------------- */

static void refresh_changes_page (SparkWindow *self);

static void
committed_cb (SparkWindow       *self,
              const char        *commit_id,
              SparkCommitDialog *dialog)
{
  g_autofree char *short_id = g_strndup (commit_id, 7);
  g_autofree char *message = NULL;

  /* Translators: %s is a short commit id such as 1a2b3c4 */
  message = g_strdup_printf (_("Committed %s"), short_id);
  spark_window_show_toast (self, message);
  g_clear_pointer (&self->last_apply_report, g_free);
  refresh_changes_page (self);
  if (self->project != NULL)
    spark_project_refresh_status (self->project);
}

static void
changes_commit_requested_cb (SparkWindow *self)
{
  g_autofree char *prefill = NULL;
  SparkCommitDialog *dialog;

  if (self->project == NULL)
    return;

  /* The summary of what the model's last applied change did. */
  if (self->last_apply_report != NULL)
    prefill = spark_git_summarize_for_message (self->last_apply_report);

  dialog = spark_commit_dialog_new (GTK_WINDOW (self), spark_project_get_root_path (self->project), prefill);
  g_signal_connect_object (dialog, "committed", G_CALLBACK (committed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The Changes page reads a whole-tree diff: on a 100,000-file project
 * that is seconds of work and tens of megabytes, so it is read only while
 * the page is shown, and again when the page comes back after changes. */
static gboolean
changes_page_shown (SparkWindow *self)
{
  return self->side_area_visible &&
         g_strcmp0 (adw_view_stack_get_visible_child_name (self->side_stack), "changes") == 0;
}

static void
refresh_changes_page (SparkWindow *self)
{
  const char *root = self->project ? spark_project_get_root_path (self->project) : NULL;

  if (!changes_page_shown (self))
    {
      self->changes_stale = TRUE;
      return;
    }

  self->changes_stale = FALSE;
  if (g_strcmp0 (spark_changes_view_get_root (self->changes_view), root) != 0)
    spark_changes_view_set_root (self->changes_view, root);   /* reads it */
  else
    spark_changes_view_reload (self->changes_view);
}

static void
project_status_changed_cb (SparkWindow *self)
{
  refresh_changes_page (self);
}

static void
side_page_changed_cb (SparkWindow *self)
{
  if (self->changes_stale && changes_page_shown (self))
    refresh_changes_page (self);
}

/* Wiring ----------------------------------------------------------------- */

void
_spark_window_class_init_turn (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, changes_commit_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, checkpoints_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, chat_queue_cb);
  gtk_widget_class_bind_template_callback (widget_class, chat_review_cb);
  gtk_widget_class_bind_template_callback (widget_class, chat_send_cb);
  gtk_widget_class_bind_template_callback (widget_class, chat_steer_cb);
  gtk_widget_class_bind_template_callback (widget_class, chat_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, review_apply_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, session_resume_requested_cb);

  gtk_widget_class_install_action (widget_class, "win.attach-selection", NULL, attach_selection_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.attach-selection", NULL);
}

void
_spark_window_init_turn (SparkWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), turn_actions, G_N_ELEMENTS (turn_actions), self);

  g_signal_connect_object (self->side_stack, "notify::visible-child-name",
                           G_CALLBACK (side_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "notify::side-area-visible",
                           G_CALLBACK (side_page_changed_cb), self, G_CONNECT_SWAPPED);

  /* Ctrl+Shift+Z is redo in the editor; in the review pane it undoes the
   * last apply. */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK),
                                                            gtk_named_action_new ("win.undo-apply")));
    gtk_widget_add_controller (GTK_WIDGET (self->review_view), shortcuts);
  }

  g_signal_connect_object (self->chat_view, "notify::model",
                           G_CALLBACK (chat_model_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::model",
                           G_CALLBACK (settings_model_cb), self, G_CONNECT_SWAPPED);
}

/* Connects the views to a new project's assistant. */
void
_spark_window_attach_assistant (SparkWindow *self)
{
  spark_session_list_set_source (self->session_list,
                                 spark_session_get_store_dir (spark_assistant_get_session (self->assistant)),
                                 spark_session_get_root (spark_assistant_get_session (self->assistant)));
  spark_chat_view_set_project (self->chat_view, self->project);

  /* The Changes page follows the git status of the project. */
  spark_changes_view_set_root (self->changes_view, NULL);
  refresh_changes_page (self);
  g_signal_connect_object (self->project, "status-changed",
                           G_CALLBACK (project_status_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->assistant, "proposal-started",
                           G_CALLBACK (proposal_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->assistant, "applied",
                           G_CALLBACK (applied_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->assistant, "stream-dropped",
                           G_CALLBACK (stream_dropped_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (spark_assistant_get_session (self->assistant), "error",
                           G_CALLBACK (session_error_cb), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->assistant, "changeset", self->review_view, "changeset",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->assistant, "streaming", self->review_view, "streaming",
                          G_BINDING_SYNC_CREATE);

  spark_latency_meter_set_session (self->latency_meter, spark_assistant_get_session (self->assistant));

  /* The chat shows the session's transcript; it adds the person's own
   * messages too, as they join the history. */
  g_clear_object (&self->transcript);
  self->transcript = spark_transcript_new ();
  spark_transcript_follow_session (self->transcript, spark_assistant_get_session (self->assistant));
  spark_chat_view_set_transcript (self->chat_view, self->transcript);
  g_object_bind_property (self->assistant, "busy", self->chat_view, "busy", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->assistant, "command-approval-requested",
                           G_CALLBACK (command_approval_requested_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->assistant, "notify::models",
                           G_CALLBACK (assistant_models_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->assistant, "notify::notice",
                           G_CALLBACK (assistant_notice_cb), self, G_CONNECT_SWAPPED);
  assistant_notice_cb (self);
}
