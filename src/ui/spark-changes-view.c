/* spark-changes-view.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-changes-view"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "spark-changes-view.h"
#include "spark-diff-buffer.h"
#include "spark-resources.h"

/* Hunks up to this many lines show whole; longer ones scroll inside. */

/* A file with more hunks or changed lines than this starts collapsed: each
 * hunk is a text view, and a huge file would make its row very slow. */
#define MAX_EXPANDED_HUNKS 12
#define MAX_EXPANDED_LINES 400

/* The widgets of one file row, kept on the row (the list recycles rows). */
typedef struct
{
  GtkWidget        *root;
  GtkButton        *expand_button;
  GtkLabel         *status_label;
  GtkLabel         *path_label;
  GtkLabel         *counts_label;
  GtkLabel         *stage_label;
  GtkButton        *stage_button;
  GtkButton        *unstage_button;
  GtkBox           *hunks_box;
  SparkGitDiffFile *file;
} FileRow;

struct _SparkChangesView
{
  GtkWidget       parent_instance;

  char           *root;
  SparkGitDiff   *diff;
  GCancellable   *load_cancellable;
  GCancellable   *ops_cancellable;
  GHashTable     *toggled;        /* paths expanded or collapsed by hand */
  GPtrArray      *rows;           /* FileRow*, every row set up */
  GtkNoSelection *selection;
  guint           n_ops;
  guint           loading : 1;
  guint           has_staged : 1;
  guint           busy : 1;

  /* Template widgets */
  GtkButton      *commit_button;
  GtkLabel       *error_label;
  GtkRevealer    *error_revealer;
  GtkBox         *header_box;
  GtkListView    *list_view;
  AdwStatusPage  *not_repo_page;
  GtkButton      *reload_header_button;
  GtkStack       *stack;
  GtkLabel       *summary_label;
};

G_DEFINE_FINAL_TYPE (SparkChangesView, spark_changes_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HAS_STAGED,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_COMMIT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void bind_file_row (SparkChangesView *self,
                           FileRow          *row);

/* State ---------------------------------------------------------------- */

static void
update_actions (SparkChangesView *self)
{
  gboolean ready = self->diff != NULL && !self->busy;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.commit",
                                 self->has_staged && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.reload", self->root != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.stage-file", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.unstage-file", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.stage-hunk", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "changes.unstage-hunk", ready);
}

static void
update_busy (SparkChangesView *self)
{
  gboolean busy = self->loading || self->n_ops > 0;

  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  update_actions (self);
}

static void
set_has_staged (SparkChangesView *self,
                gboolean          has_staged)
{
  has_staged = !!has_staged;
  if (self->has_staged == has_staged)
    return;
  self->has_staged = has_staged;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_STAGED]);
  update_actions (self);
}

static void
show_error (SparkChangesView *self,
            const char       *message)
{
  if (message != NULL)
    gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
update_summary (SparkChangesView *self)
{
  g_autofree char *files = NULL;
  g_autofree char *staged = NULL;
  g_autofree char *summary = NULL;
  guint n_files, added = 0, removed = 0, n_staged = 0;

  if (self->diff == NULL)
    {
      gtk_label_set_text (self->summary_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->header_box), FALSE);
      set_has_staged (self, FALSE);
      return;
    }

  n_files = g_list_model_get_n_items (G_LIST_MODEL (self->diff));
  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(SparkGitDiffFile) file = g_list_model_get_item (G_LIST_MODEL (self->diff), i);

      added += spark_git_diff_file_get_additions (file);
      removed += spark_git_diff_file_get_deletions (file);
      if (spark_git_diff_file_get_stage_state (file) != SPARK_GIT_STAGE_UNSTAGED)
        n_staged++;
    }

  /* translators: header of the changes view: number of changed files */
  files = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file changed", "%u files changed",
                                        n_files), n_files);
  if (n_staged > 0)
    {
      /* translators: header of the changes view: how many files are staged for the commit */
      staged = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u staged", "%u staged", n_staged),
                                n_staged);
      /* translators: header of the changes view, e.g. "3 files changed, +4 −3, 1 staged":
       * %1$s is the files changed, %2$u and %3$u the lines added and removed, %4$s how
       * many files are staged */
      summary = g_strdup_printf (_("%1$s, +%2$u −%3$u, %4$s"), files, added, removed, staged);
    }
  else
    /* translators: header of the changes view, e.g. "3 files changed, +4 −3": %1$s is
     * the files changed, %2$u and %3$u the lines added and removed */
    summary = g_strdup_printf (_("%1$s, +%2$u −%3$u"), files, added, removed);

  gtk_label_set_text (self->summary_label, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->header_box), n_files > 0);
  set_has_staged (self, n_staged > 0);
}

static void
set_diff (SparkChangesView *self,
          SparkGitDiff     *diff)
{
  g_set_object (&self->diff, diff);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (diff));
  update_summary (self);

  if (self->root == NULL)
    gtk_stack_set_visible_child_name (self->stack, "none");
  else if (diff == NULL)
    gtk_stack_set_visible_child_name (self->stack, "not-repo");
  else if (g_list_model_get_n_items (G_LIST_MODEL (diff)) == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->stack, "list");
  update_actions (self);
}

/* Loading -------------------------------------------------------------- */

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SparkChangesView) self = user_data;
  g_autoptr(SparkGitDiff) diff = NULL;
  g_autoptr(GError) error = NULL;

  diff = spark_git_diff_new_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stack == NULL)
    return;

  self->loading = FALSE;
  g_clear_object (&self->load_cancellable);

  if (diff != NULL)
    {
      /* A fresh diff: an error about the old one no longer holds. */
      show_error (self, NULL);
      set_diff (self, diff);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      adw_status_page_set_description (self->not_repo_page, error->message);
      show_error (self, NULL);
      set_diff (self, NULL);
    }
  else
    {
      g_warning ("Failed to read the changes of %s: %s", self->root, error->message);
      show_error (self, error->message);
    }

  update_busy (self);
}

/* Operations ----------------------------------------------------------- */

typedef struct
{
  char             *root;
  SparkGitDiffFile *file;
  SparkGitDiffHunk *hunk;
  gboolean          stage;
} OpData;

static void
op_data_free (gpointer data)
{
  OpData *op = data;

  g_free (op->root);
  g_clear_object (&op->file);
  g_clear_pointer (&op->hunk, spark_git_diff_hunk_unref);
  g_free (op);
}

static gboolean
same_lines (SparkGitDiffHunk *a,
            SparkGitDiffHunk *b)
{
  guint n = spark_git_diff_hunk_get_n_lines (a);

  if (n != spark_git_diff_hunk_get_n_lines (b))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      const SparkGitDiffLine *x = spark_git_diff_hunk_get_line (a, i);
      const SparkGitDiffLine *y = spark_git_diff_hunk_get_line (b, i);

      if (x->origin != y->origin || x->missing_newline != y->missing_newline ||
          g_strcmp0 (x->text, y->text) != 0)
        return FALSE;
    }
  return TRUE;
}

/* A hunk of the HEAD view is (un)staged by where it is; check first that
 * the file still has it, so that nothing the person did not see moves. */
static void
op_worker (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  OpData *op = task_data;
  g_autoptr(SparkGitDiff) fresh = NULL;
  g_autoptr(GError) error = NULL;
  SparkGitDiffFile *file;
  SparkGitDiffHunk *hunk = NULL;
  gboolean ok;

  if (op->hunk == NULL)
    {
      ok = op->stage ? spark_git_diff_stage_file (op->root, op->file, &error)
                     : spark_git_diff_unstage_file (op->root, op->file, &error);
    }
  else if ((fresh = spark_git_diff_new (op->root, SPARK_GIT_DIFF_HEAD, &error)) == NULL)
    {
      ok = FALSE;
    }
  else
    {
      file = spark_git_diff_lookup (fresh, spark_git_diff_file_get_path (op->file));
      for (guint i = 0; file != NULL && hunk == NULL && i < spark_git_diff_file_get_n_hunks (file); i++)
        if (same_lines (spark_git_diff_file_get_hunk (file, i), op->hunk))
          hunk = spark_git_diff_file_get_hunk (file, i);

      if (hunk == NULL)
        {
          ok = FALSE;
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       /* translators: error of the changes view: a hunk header, a file path */
                       _("The hunk “%s” of “%s” changed since it was read; reload the changes"),
                       spark_git_diff_hunk_get_header (op->hunk),
                       spark_git_diff_file_get_path (op->file));
        }
      else
        {
          ok = op->stage ? spark_git_diff_stage_hunk (op->root, file, hunk, &error)
                         : spark_git_diff_unstage_hunk (op->root, file, hunk, &error);
        }
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
op_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  SparkChangesView *self = SPARK_CHANGES_VIEW (object);
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stack == NULL)
    return;

  self->n_ops--;
  if (error != NULL)
    {
      /* A stale hunk, most often: the person reloads and tries again. */
      show_error (self, error->message);
      update_busy (self);
      return;
    }

  show_error (self, NULL);
  update_busy (self);
  spark_changes_view_reload (self);
}

static gboolean
lookup (SparkChangesView  *self,
        const char        *path,
        int                hunk_index,
        SparkGitDiffFile **file_out,
        SparkGitDiffHunk **hunk_out)
{
  SparkGitDiffFile *file;

  if (self->diff == NULL || self->root == NULL)
    return FALSE;

  file = spark_git_diff_lookup (self->diff, path);
  if (file == NULL)
    return FALSE;

  *file_out = file;
  if (hunk_out != NULL)
    {
      if (hunk_index < 0 || (guint) hunk_index >= spark_git_diff_file_get_n_hunks (file))
        return FALSE;
      *hunk_out = spark_git_diff_file_get_hunk (file, hunk_index);
    }
  return TRUE;
}

static void
start_op (SparkChangesView *self,
          gboolean          stage,
          const char       *path,
          int               hunk_index)
{
  SparkGitDiffFile *file = NULL;
  SparkGitDiffHunk *hunk = NULL;
  g_autoptr(GTask) task = NULL;
  OpData *op;

  if (!lookup (self, path, hunk_index, &file, hunk_index >= 0 ? &hunk : NULL))
    {
      /* translators: error of the changes view; %s is a file path */
      g_autofree char *message = g_strdup_printf (_("“%s” changed since the list was read"), path);

      show_error (self, message);
      return;
    }

  if (self->ops_cancellable == NULL)
    self->ops_cancellable = g_cancellable_new ();

  self->n_ops++;
  update_busy (self);

  op = g_new0 (OpData, 1);
  op->root = g_strdup (self->root);
  op->file = g_object_ref (file);
  op->hunk = hunk ? spark_git_diff_hunk_ref (hunk) : NULL;
  op->stage = stage;
  task = g_task_new (self, self->ops_cancellable, op_cb, NULL);
  g_task_set_source_tag (task, start_op);
  g_task_set_task_data (task, op, op_data_free);
  g_task_run_in_thread (task, op_worker);
}

/* Actions -------------------------------------------------------------- */

static void
file_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  start_op (SPARK_CHANGES_VIEW (widget), g_str_equal (action_name, "changes.stage-file"),
            g_variant_get_string (param, NULL), -1);
}

static void
hunk_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  const char *path = NULL;
  guint32 index = 0;

  g_variant_get (param, "(&su)", &path, &index);
  start_op (SPARK_CHANGES_VIEW (widget), g_str_equal (action_name, "changes.stage-hunk"),
            path, (int) MIN (index, G_MAXINT));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  spark_changes_view_reload (SPARK_CHANGES_VIEW (widget));
}

static void
commit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  g_signal_emit (widget, signals[SIGNAL_COMMIT_REQUESTED], 0);
}

static void
toggle_expanded_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  SparkChangesView *self = SPARK_CHANGES_VIEW (widget);
  const char *path = g_variant_get_string (param, NULL);

  if (!g_hash_table_remove (self->toggled, path))
    g_hash_table_add (self->toggled, g_strdup (path));

  for (guint i = 0; i < self->rows->len; i++)
    {
      FileRow *row = g_ptr_array_index (self->rows, i);

      if (row->file != NULL && g_str_equal (spark_git_diff_file_get_path (row->file), path))
        bind_file_row (self, row);
    }
}

/* Rows ----------------------------------------------------------------- */

static const char *
status_letter (SparkGitDiffFileStatus status)
{
  switch (status)
    {
    case SPARK_GIT_DIFF_FILE_ADDED:
      return "A";
    case SPARK_GIT_DIFF_FILE_DELETED:
      return "D";
    case SPARK_GIT_DIFF_FILE_RENAMED:
      return "R";
    case SPARK_GIT_DIFF_FILE_CONFLICTED:
      return "U";
    case SPARK_GIT_DIFF_FILE_MODIFIED:
    default:
      return "M";
    }
}

static const char *
status_word (SparkGitDiffFileStatus status)
{
  switch (status)
    {
    case SPARK_GIT_DIFF_FILE_ADDED:
      /* translators: status of a file in the changes view */
      return C_("file status", "Added");
    case SPARK_GIT_DIFF_FILE_DELETED:
      /* translators: status of a file in the changes view */
      return C_("file status", "Deleted");
    case SPARK_GIT_DIFF_FILE_RENAMED:
      /* translators: status of a file in the changes view */
      return C_("file status", "Renamed");
    case SPARK_GIT_DIFF_FILE_CONFLICTED:
      /* translators: status of a file in the changes view */
      return C_("file status", "Conflicted");
    case SPARK_GIT_DIFF_FILE_MODIFIED:
    default:
      /* translators: status of a file in the changes view */
      return C_("file status", "Modified");
    }
}

static const char *
stage_word (SparkGitStageState state)
{
  switch (state)
    {
    case SPARK_GIT_STAGE_STAGED:
      /* translators: a change that is all in the index (will be committed) */
      return C_("stage state", "Staged");
    case SPARK_GIT_STAGE_PARTIAL:
      /* translators: a change that is partly in the index */
      return C_("stage state", "Partly Staged");
    case SPARK_GIT_STAGE_UNSTAGED:
    default:
      /* translators: a change that is not in the index */
      return C_("stage state", "Unstaged");
    }
}

static const char * const stage_classes[] = { "unstaged", "staged", "partial" };
static const char * const status_classes[] = { "added", "modified", "deleted", "renamed", "conflicted" };

static GtkSourceStyleScheme *
get_style_scheme (void)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");
  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "oblivion" : "classic");
  return scheme;
}

static char *
format_hunk (SparkGitDiffHunk *hunk)
{
  g_autoptr(GString) str = g_string_new (NULL);
  guint n = spark_git_diff_hunk_get_n_lines (hunk);

  for (guint i = 0; i < n; i++)
    {
      const SparkGitDiffLine *line = spark_git_diff_hunk_get_line (hunk, i);

      if (i > 0)
        g_string_append_c (str, '\n');
      g_string_append_c (str, line->origin);
      g_string_append (str, line->text);
      if (line->missing_newline)
        g_string_append (str, "\n\\ No newline at end of file");
    }
  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* Sizes the diff once it is mapped (the font is known then). */
static void
size_diff_view (GtkWidget *view)
{
  GtkWidget *scroller = gtk_widget_get_parent (view);

  if (GTK_IS_SCROLLED_WINDOW (scroller))
    spark_diff_view_fit (GTK_TEXT_VIEW (view), GTK_SCROLLED_WINDOW (scroller));
}

static GtkWidget *
make_button (const char *label,
             const char *action_name,
             GVariant   *target)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
make_hunk_widget (SparkGitDiffFile *file,
                  guint             index)
{
  SparkGitDiffHunk *hunk = spark_git_diff_file_get_hunk (file, index);
  SparkGitStageState state = spark_git_diff_hunk_get_stage_state (hunk);
  const char *path = spark_git_diff_file_get_path (file);
  g_autoptr(GtkSourceBuffer) buffer = NULL;
  g_autofree char *text = NULL;
  g_autofree char *a11y = NULL;
  GtkWidget *card, *top, *label, *scroller, *view;

  /* A group, so that its name and description reach screen readers. */
  card = g_object_new (GTK_TYPE_BOX,
                       "orientation", GTK_ORIENTATION_VERTICAL,
                       "spacing", 4,
                       "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP,
                       NULL);
  gtk_widget_add_css_class (card, "spark-changes-hunk");
  gtk_widget_add_css_class (card, stage_classes[state]);

  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (card), top);

  label = gtk_label_new (spark_git_diff_hunk_get_header (hunk));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (top), label);

  label = gtk_label_new (stage_word (state));
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (label, "spark-changes-stage");
  gtk_widget_add_css_class (label, stage_classes[state]);
  gtk_box_append (GTK_BOX (top), label);

  if (state != SPARK_GIT_STAGE_STAGED)
    /* translators: button that puts one hunk in the index */
    gtk_box_append (GTK_BOX (top), make_button (_("Stage Hunk"), "changes.stage-hunk",
                                                g_variant_new ("(su)", path, index)));
  if (state != SPARK_GIT_STAGE_UNSTAGED)
    /* translators: button that takes one hunk out of the index */
    gtk_box_append (GTK_BOX (top), make_button (_("Unstage Hunk"), "changes.unstage-hunk",
                                                g_variant_new ("(su)", path, index)));

  buffer = spark_diff_buffer_new ();
  gtk_source_buffer_set_style_scheme (buffer, get_style_scheme ());
  text = format_hunk (hunk);
  spark_diff_buffer_set_text (buffer, text);

  view = gtk_source_view_new_with_buffer (buffer);
  g_object_set (view,
                "editable", FALSE,
                "cursor-visible", FALSE,
                "focusable", FALSE,
                "monospace", TRUE,
                "wrap-mode", GTK_WRAP_WORD_CHAR,
                "top-margin", 4,
                "bottom-margin", 4,
                "left-margin", 6,
                "right-margin", 6,
                NULL);
  scroller = gtk_scrolled_window_new ();
  gtk_widget_add_css_class (scroller, "spark-changes-diff");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (card), scroller);
  size_diff_view (view);
  g_signal_connect (view, "map", G_CALLBACK (size_diff_view), NULL);

  /* The diff takes no focus; a screen reader gets the change here. */
  /* translators: accessible name of a hunk: number, file path, stage state */
  a11y = g_strdup_printf (_("Hunk %u of %s, %s"), index + 1, path, stage_word (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (card),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
  return card;
}

static void
bind_file_row (SparkChangesView *self,
               FileRow          *row)
{
  SparkGitDiffFile *file = row->file;
  SparkGitDiffFileStatus status;
  SparkGitStageState state;
  g_autofree char *counts = NULL;
  g_autofree char *a11y = NULL;
  GtkWidget *child;
  const char *path;
  gboolean expanded;
  guint n_hunks;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (row->hunks_box))) != NULL)
    gtk_box_remove (row->hunks_box, child);

  if (file == NULL)
    return;

  path = spark_git_diff_file_get_path (file);
  status = spark_git_diff_file_get_status (file);
  state = spark_git_diff_file_get_stage_state (file);
  n_hunks = spark_git_diff_file_get_n_hunks (file);
  expanded = (n_hunks <= MAX_EXPANDED_HUNKS &&
              spark_git_diff_file_get_additions (file) + spark_git_diff_file_get_deletions (file) <= MAX_EXPANDED_LINES);
  if (g_hash_table_contains (self->toggled, path))
    expanded = !expanded;

  gtk_label_set_text (row->status_label, status_letter (status));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->status_label), status_word (status));
  for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (row->status_label), status_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (row->status_label), status_classes[status]);

  if (status == SPARK_GIT_DIFF_FILE_RENAMED)
    {
      g_autofree char *both = g_strdup_printf ("%s → %s", spark_git_diff_file_get_old_path (file), path);
      gtk_label_set_text (row->path_label, both);
    }
  else
    gtk_label_set_text (row->path_label, path);

  if (spark_git_diff_file_get_binary (file))
    /* translators: instead of +/- line counts for a binary file */
    counts = g_strdup (_("binary"));
  else
    counts = g_strdup_printf ("+%u −%u", spark_git_diff_file_get_additions (file),
                              spark_git_diff_file_get_deletions (file));
  gtk_label_set_text (row->counts_label, counts);

  gtk_label_set_text (row->stage_label, stage_word (state));
  for (guint i = 0; i < G_N_ELEMENTS (stage_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (row->stage_label), stage_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (row->stage_label), stage_classes[state]);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->stage_button), "s", path);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->unstage_button), "s", path);
  gtk_widget_set_visible (GTK_WIDGET (row->stage_button), state != SPARK_GIT_STAGE_STAGED);
  gtk_widget_set_visible (GTK_WIDGET (row->unstage_button), state != SPARK_GIT_STAGE_UNSTAGED);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->expand_button), "s", path);
  gtk_widget_set_visible (GTK_WIDGET (row->expand_button), n_hunks > 0);
  gtk_button_set_icon_name (row->expand_button, expanded ? "pan-down-symbolic" : "pan-end-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->expand_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* translators: accessible name of the button that shows or hides a file's hunks */
                                  expanded ? _("Hide Hunks") : _("Show Hunks"),
                                  -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row->expand_button),
                               GTK_ACCESSIBLE_STATE_EXPANDED, expanded, -1);

  /* translators: accessible name of a file row: path, status, stage state, e.g. "src/a.c, Modified, Staged" */
  a11y = g_strdup_printf (_("%s, %s, %s"), path, status_word (status), stage_word (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->root),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);

  gtk_widget_set_visible (GTK_WIDGET (row->hunks_box), expanded && n_hunks > 0);
  if (expanded)
    for (guint i = 0; i < n_hunks; i++)
      gtk_box_append (row->hunks_box, make_hunk_widget (file, i));
}

/* The diffs take the style scheme when made: make them again. */
static void
rebind_rows (SparkChangesView *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    bind_file_row (self, g_ptr_array_index (self->rows, i));
}

static void
setup_cb (SparkChangesView         *self,
          GtkListItem              *item,
          GtkSignalListItemFactory *factory)
{
  FileRow *row = g_new0 (FileRow, 1);
  GtkWidget *top;

  row->root = g_object_new (GTK_TYPE_BOX,
                            "orientation", GTK_ORIENTATION_VERTICAL,
                            "spacing", 6,
                            "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP,
                            NULL);
  gtk_widget_add_css_class (row->root, "spark-changes-file");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->root),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);

  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (row->root), top);

  row->expand_button = GTK_BUTTON (gtk_button_new_from_icon_name ("pan-down-symbolic"));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->expand_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row->expand_button), "changes.toggle-expanded");
  gtk_widget_add_css_class (GTK_WIDGET (row->expand_button), "flat");
  gtk_widget_set_valign (GTK_WIDGET (row->expand_button), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->expand_button));

  row->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->status_label), "spark-changes-status");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->status_label));

  row->path_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row->path_label, 0);
  gtk_label_set_ellipsize (row->path_label, PANGO_ELLIPSIZE_START);
  gtk_widget_set_hexpand (GTK_WIDGET (row->path_label), TRUE);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->path_label));

  row->counts_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->counts_label), "spark-changes-counts");
  gtk_widget_add_css_class (GTK_WIDGET (row->counts_label), "numeric");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->counts_label));

  row->stage_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_valign (GTK_WIDGET (row->stage_label), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (row->stage_label), "spark-changes-stage");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->stage_label));

  /* translators: button that puts a whole file in the index */
  row->stage_button = GTK_BUTTON (make_button (_("Stage File"), "changes.stage-file",
                                               g_variant_new_string ("")));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->stage_button));
  /* translators: button that takes a whole file out of the index */
  row->unstage_button = GTK_BUTTON (make_button (_("Unstage File"), "changes.unstage-file",
                                                 g_variant_new_string ("")));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->unstage_button));

  row->hunks_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_widget_add_css_class (GTK_WIDGET (row->hunks_box), "spark-changes-hunks");
  gtk_box_append (GTK_BOX (row->root), GTK_WIDGET (row->hunks_box));

  gtk_list_item_set_child (item, row->root);
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  g_object_set_data (G_OBJECT (item), "spark-changes-row", row);
  g_ptr_array_add (self->rows, row);
}

static void
bind_cb (SparkChangesView         *self,
         GtkListItem              *item,
         GtkSignalListItemFactory *factory)
{
  FileRow *row = g_object_get_data (G_OBJECT (item), "spark-changes-row");

  g_set_object (&row->file, gtk_list_item_get_item (item));
  bind_file_row (self, row);
}

static void
unbind_cb (SparkChangesView         *self,
           GtkListItem              *item,
           GtkSignalListItemFactory *factory)
{
  FileRow *row = g_object_get_data (G_OBJECT (item), "spark-changes-row");

  g_clear_object (&row->file);
  bind_file_row (self, row);
}

static void
teardown_cb (SparkChangesView         *self,
             GtkListItem              *item,
             GtkSignalListItemFactory *factory)
{
  FileRow *row = g_object_get_data (G_OBJECT (item), "spark-changes-row");

  g_object_set_data (G_OBJECT (item), "spark-changes-row", NULL);
  if (row == NULL)
    return;
  g_ptr_array_remove (self->rows, row);
  g_clear_object (&row->file);
  g_free (row);
}

/* GObject -------------------------------------------------------------- */

static void
spark_changes_view_dispose (GObject *object)
{
  SparkChangesView *self = SPARK_CHANGES_VIEW (object);
  GtkWidget *child;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->ops_cancellable);
  g_clear_object (&self->ops_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_CHANGES_VIEW);
  /* The template's top box has no id: dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->diff);

  G_OBJECT_CLASS (spark_changes_view_parent_class)->dispose (object);
}

static void
spark_changes_view_finalize (GObject *object)
{
  SparkChangesView *self = SPARK_CHANGES_VIEW (object);

  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->toggled, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_changes_view_parent_class)->finalize (object);
}

static void
spark_changes_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SparkChangesView *self = SPARK_CHANGES_VIEW (object);

  switch (prop_id)
    {
    case PROP_HAS_STAGED:
      g_value_set_boolean (value, self->has_staged);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_changes_view_class_init (SparkChangesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_changes_view_dispose;
  object_class->finalize = spark_changes_view_finalize;
  object_class->get_property = spark_changes_view_get_property;

  properties[PROP_HAS_STAGED] =
    g_param_spec_boolean ("has-staged", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkChangesView::commit-requested:
   * The person pressed Commit…: open the commit dialog.
   */
  signals[SIGNAL_COMMIT_REQUESTED] =
    g_signal_new ("commit-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sparkchangesview");

  g_assert (spark_get_resource () != NULL);
  g_type_ensure (ADW_TYPE_STATUS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-changes-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, commit_button);
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, error_label);
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, header_box);
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, list_view);
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, not_repo_page);
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, reload_header_button);
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, stack);
  gtk_widget_class_bind_template_child (widget_class, SparkChangesView, summary_label);

  gtk_widget_class_install_action (widget_class, "changes.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "changes.commit", NULL, commit_action);
  gtk_widget_class_install_action (widget_class, "changes.stage-file", "s", file_action);
  gtk_widget_class_install_action (widget_class, "changes.unstage-file", "s", file_action);
  gtk_widget_class_install_action (widget_class, "changes.stage-hunk", "(su)", hunk_action);
  gtk_widget_class_install_action (widget_class, "changes.unstage-hunk", "(su)", hunk_action);
  gtk_widget_class_install_action (widget_class, "changes.toggle-expanded", "s", toggle_expanded_action);
}

static void
spark_changes_view_init (SparkChangesView *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->toggled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rows = g_ptr_array_new ();
  self->selection = gtk_no_selection_new (NULL);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "teardown", G_CALLBACK (teardown_cb), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (rebind_rows), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::high-contrast",
                           G_CALLBACK (rebind_rows), self, G_CONNECT_SWAPPED);

  set_diff (self, NULL);
}

/* Public API ----------------------------------------------------------- */

GtkWidget *
spark_changes_view_new (void)
{
  return g_object_new (SPARK_TYPE_CHANGES_VIEW, NULL);
}

void
spark_changes_view_set_root (SparkChangesView *self,
                             const char       *root_path)
{
  g_return_if_fail (SPARK_IS_CHANGES_VIEW (self));

  if (g_strcmp0 (self->root, root_path) == 0)
    return;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->ops_cancellable);
  g_clear_object (&self->ops_cancellable);
  self->n_ops = 0;
  self->loading = FALSE;

  g_free (self->root);
  self->root = g_strdup (root_path);
  g_hash_table_remove_all (self->toggled);
  show_error (self, NULL);
  set_diff (self, NULL);
  update_busy (self);

  if (self->root != NULL)
    spark_changes_view_reload (self);
}

const char *
spark_changes_view_get_root (SparkChangesView *self)
{
  g_return_val_if_fail (SPARK_IS_CHANGES_VIEW (self), NULL);
  return self->root;
}

void
spark_changes_view_reload (SparkChangesView *self)
{
  g_return_if_fail (SPARK_IS_CHANGES_VIEW (self));

  if (self->root == NULL)
    return;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  self->loading = TRUE;
  update_busy (self);

  spark_git_diff_new_async (self->root, SPARK_GIT_DIFF_HEAD, self->load_cancellable,
                            load_cb, g_object_ref (self));
}

gboolean
spark_changes_view_get_has_staged (SparkChangesView *self)
{
  g_return_val_if_fail (SPARK_IS_CHANGES_VIEW (self), FALSE);
  return self->has_staged;
}

gboolean
spark_changes_view_get_busy (SparkChangesView *self)
{
  g_return_val_if_fail (SPARK_IS_CHANGES_VIEW (self), FALSE);
  return self->busy;
}

SparkGitDiff *
spark_changes_view_get_diff (SparkChangesView *self)
{
  g_return_val_if_fail (SPARK_IS_CHANGES_VIEW (self), NULL);
  return self->diff;
}
