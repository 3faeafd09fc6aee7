/* spark-commit-dialog.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-commit-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-commit-dialog.h"
#include "spark-git-commit.h"
#include "spark-git-diff.h"
#include "spark-resources.h"

/* What the worker reads: the identity (or why there is none) and the
 * staged files. */
typedef struct
{
  char         *root;
  char         *author;
  GError       *identity_error;
  SparkGitDiff *staged;
  GError       *staged_error;
} LoadData;

struct _SparkCommitDialog
{
  AdwWindow     parent_instance;

  char         *root;
  char         *error;
  GCancellable *cancellable;
  guint         loading : 1;
  guint         committing : 1;

  /* Template widgets */
  GtkLabel     *author_label;
  GtkButton    *cancel_button;
  GtkButton    *commit_button;
  GtkLabel     *error_label;
  GtkLabel     *files_heading;
  GtkListBox   *files_list;
  GtkTextView  *message_view;
};

G_DEFINE_FINAL_TYPE (SparkCommitDialog, spark_commit_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_free (load->root);
  g_free (load->author);
  g_clear_error (&load->identity_error);
  g_clear_object (&load->staged);
  g_clear_error (&load->staged_error);
  g_free (load);
}

static void
update_busy (SparkCommitDialog *self,
             gboolean           was_busy)
{
  gboolean busy = self->loading || self->committing;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "commit.commit", !busy);
  /* A commit under way lands anyway: wait for it, to say so. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !self->committing);
  gtk_text_view_set_editable (self->message_view, !self->committing);
  if (busy != was_busy)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_error (SparkCommitDialog *self,
           const char        *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* Loading -------------------------------------------------------------- */

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *load = task_data;
  g_autofree char *name = NULL;
  g_autofree char *email = NULL;

  if (spark_git_commit_get_identity (load->root, &name, &email, &load->identity_error))
    load->author = g_strdup_printf ("%s <%s>", name, email);
  load->staged = spark_git_diff_new (load->root, SPARK_GIT_DIFF_STAGED, &load->staged_error);
  g_task_return_boolean (task, TRUE);
}

static GtkWidget *
make_file_row (SparkGitDiffFile *file)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *counts = NULL;
  GtkWidget *label;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), spark_git_diff_file_get_path (file));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (spark_git_diff_file_get_binary (file))
    /* translators: instead of +/- line counts for a binary file */
    counts = g_strdup (_("binary"));
  else
    counts = g_strdup_printf ("+%u −%u", spark_git_diff_file_get_additions (file),
                              spark_git_diff_file_get_deletions (file));
  label = gtk_label_new (counts);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SparkCommitDialog *self = SPARK_COMMIT_DIALOG (object);
  LoadData *load = g_task_get_task_data (G_TASK (result));
  gboolean was_busy = self->loading || self->committing;
  guint n = 0;

  /* Closed meanwhile. */
  if (!g_task_propagate_boolean (G_TASK (result), NULL) || self->cancellable == NULL)
    return;

  self->loading = FALSE;

  if (load->author != NULL)
    {
      gtk_label_set_text (self->author_label, load->author);
      gtk_widget_remove_css_class (GTK_WIDGET (self->author_label), "error");
    }
  else
    {
      gtk_label_set_text (self->author_label, load->identity_error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->author_label), "error");
    }

  if (load->staged != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (load->staged));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SparkGitDiffFile) file = g_list_model_get_item (G_LIST_MODEL (load->staged), i);

          gtk_list_box_append (self->files_list, make_file_row (file));
        }
    }
  if (n == 0)
    {
      GtkWidget *label = gtk_label_new (load->staged_error ? load->staged_error->message
                                        /* translators: the commit dialog's file list when the index matches HEAD */
                                        : _("Nothing is staged"));

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 12);
      gtk_list_box_append (self->files_list, label);
    }

  update_busy (self, was_busy);
}

/* Committing ----------------------------------------------------------- */

static void
commit_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SparkCommitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  gboolean was_busy = TRUE;

  id = spark_git_commit_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
    return;

  self->committing = FALSE;

  if (id == NULL)
    {
      /* The message stays as typed: nothing is lost. */
      set_error (self, error->message);
      update_busy (self, was_busy);
      gtk_widget_grab_focus (GTK_WIDGET (self->message_view));
      return;
    }

  update_busy (self, was_busy);
  g_signal_emit (self, signals[SIGNAL_COMMITTED], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
commit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  SparkCommitDialog *self = SPARK_COMMIT_DIALOG (widget);
  g_autofree char *message = NULL;
  gboolean was_busy = self->loading || self->committing;

  if (was_busy)
    return;

  message = spark_commit_dialog_dup_message (self);
  set_error (self, NULL);
  self->committing = TRUE;
  update_busy (self, was_busy);

  spark_git_commit_async (self->root, message, self->cancellable, commit_cb, g_object_ref (self));
}

/* GObject -------------------------------------------------------------- */

static gboolean
spark_commit_dialog_close_request (GtkWindow *window)
{
  SparkCommitDialog *self = SPARK_COMMIT_DIALOG (window);

  if (self->committing)
    return TRUE;

  if (GTK_WINDOW_CLASS (spark_commit_dialog_parent_class)->close_request != NULL)
    return GTK_WINDOW_CLASS (spark_commit_dialog_parent_class)->close_request (window);
  return FALSE;
}

static void
spark_commit_dialog_dispose (GObject *object)
{
  SparkCommitDialog *self = SPARK_COMMIT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (spark_commit_dialog_parent_class)->dispose (object);
}

static void
spark_commit_dialog_finalize (GObject *object)
{
  SparkCommitDialog *self = SPARK_COMMIT_DIALOG (object);

  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (spark_commit_dialog_parent_class)->finalize (object);
}

static void
spark_commit_dialog_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SparkCommitDialog *self = SPARK_COMMIT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, spark_commit_dialog_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_commit_dialog_class_init (SparkCommitDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = spark_commit_dialog_dispose;
  object_class->finalize = spark_commit_dialog_finalize;
  object_class->get_property = spark_commit_dialog_get_property;
  window_class->close_request = spark_commit_dialog_close_request;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkCommitDialog::committed:
   * @commit_id: the new commit's id, in hex
   * The commit landed; the dialog closes right after.
   */
  signals[SIGNAL_COMMITTED] =
    g_signal_new ("committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_assert (spark_get_resource () != NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-commit-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkCommitDialog, author_label);
  gtk_widget_class_bind_template_child (widget_class, SparkCommitDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SparkCommitDialog, commit_button);
  gtk_widget_class_bind_template_child (widget_class, SparkCommitDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SparkCommitDialog, files_heading);
  gtk_widget_class_bind_template_child (widget_class, SparkCommitDialog, files_list);
  gtk_widget_class_bind_template_child (widget_class, SparkCommitDialog, message_view);

  gtk_widget_class_install_action (widget_class, "commit.commit", NULL, commit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
spark_commit_dialog_init (SparkCommitDialog *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  /* The text view turns Ctrl+Enter into a newline; ask first. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK)),
                                                          gtk_named_action_new ("commit.commit")));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* translators: the author line while git config is read */
  gtk_label_set_text (self->author_label, _("Reading git config…"));
}

/* Public API ----------------------------------------------------------- */

SparkCommitDialog *
spark_commit_dialog_new (GtkWindow  *parent,
                         const char *root_path,
                         const char *prefill_or_null)
{
  SparkCommitDialog *self;
  g_autoptr(GTask) task = NULL;
  LoadData *load;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (root_path != NULL, NULL);

  self = g_object_new (SPARK_TYPE_COMMIT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->root = g_strdup (root_path);
  if (prefill_or_null != NULL)
    spark_commit_dialog_set_message (self, prefill_or_null);

  self->loading = TRUE;
  update_busy (self, FALSE);

  load = g_new0 (LoadData, 1);
  load->root = g_strdup (root_path);
  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, spark_commit_dialog_new);
  g_task_set_task_data (task, load, load_data_free);
  g_task_run_in_thread (task, load_worker);

  gtk_widget_grab_focus (GTK_WIDGET (self->message_view));
  return self;
}

char *
spark_commit_dialog_dup_message (SparkCommitDialog *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SPARK_IS_COMMIT_DIALOG (self), NULL);

  buffer = gtk_text_view_get_buffer (self->message_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
spark_commit_dialog_set_message (SparkCommitDialog *self,
                                 const char        *message)
{
  GtkTextBuffer *buffer;
  GtkTextIter start;

  g_return_if_fail (SPARK_IS_COMMIT_DIALOG (self));

  buffer = gtk_text_view_get_buffer (self->message_view);
  gtk_text_buffer_set_text (buffer, message ? message : "", -1);
  /* The cursor at the start: the summary line is what one edits first. */
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
}

const char *
spark_commit_dialog_get_error (SparkCommitDialog *self)
{
  g_return_val_if_fail (SPARK_IS_COMMIT_DIALOG (self), NULL);
  return self->error;
}

gboolean
spark_commit_dialog_get_busy (SparkCommitDialog *self)
{
  g_return_val_if_fail (SPARK_IS_COMMIT_DIALOG (self), FALSE);
  return self->loading || self->committing;
}
