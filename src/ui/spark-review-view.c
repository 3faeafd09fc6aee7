/* spark-review-view.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-review-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "spark-a11y.h"
#include "spark-hunk-row.h"
#include "spark-resources.h"
#include "spark-review-file-row.h"
#include "spark-review-view.h"

/* The rows are a GtkListView over a GtkTreeListModel (changeset → file
 * changes → hunks, always expanded), so rows are built around what is on
 * screen only (GTK 4.8 keeps about 200) and a new hunk inserts one row.
 * What must outlive a recycled row lives here: the buffers of edits in
 * progress, keyed by hunk. Rejection reasons live on the hunks. */

struct _SparkReviewView
{
  GtkWidget           parent_instance;

  SparkChangeset     *changeset;
  GtkTreeListModel   *tree;
  GtkSingleSelection *selection;
  GListModel         *all_hunks;
  GHashTable         *edit_buffers;
  GHashTable         *rows;
  char               *error_message;
  SparkHunk          *focus_hunk;
  SparkHunk          *advance_after_reject;
  guint               focus_source;
  gboolean            streaming;
  /* Rows the list let go of, disposed a few at a time (retire_cb) */
  GPtrArray          *retired;
  guint               retire_source;

  /* Template widgets */
  GtkButton          *accept_all_button;
  GtkButton          *apply_button;
  GtkLabel           *details_label;
  AdwStatusPage      *empty_page;
  GtkListView        *list_view;
  GtkButton          *reject_all_button;
  GtkScrolledWindow  *scroller;
  GtkStack           *stack;
  GtkLabel           *status_label;
  GtkLabel           *summary_label;
};

G_DEFINE_FINAL_TYPE (SparkReviewView, spark_review_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHANGESET,
  PROP_SELECTED_HUNK,
  PROP_STREAMING,
  N_PROPS
};

enum {
  SIGNAL_APPLY_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update_state (SparkReviewView *self);

/* Rows and positions --------------------------------------------------- */

static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  if (SPARK_IS_FILE_CHANGE (item))
    return g_object_ref (G_LIST_MODEL (item));
  return NULL;
}

/* (transfer full) the item at @position: a SparkFileChange or a SparkHunk */
static gpointer
dup_item_at (SparkReviewView *self,
             guint            position)
{
  g_autoptr(GtkTreeListRow) row = NULL;

  if (self->tree == NULL)
    return NULL;

  row = gtk_tree_list_model_get_row (self->tree, position);
  if (row == NULL)
    return NULL;

  return gtk_tree_list_row_get_item (row);
}

static SparkFileChange *
find_file (SparkReviewView *self,
           SparkHunk       *hunk)
{
  guint index = spark_hunk_get_index (hunk);
  guint n_files = self->changeset ? spark_changeset_get_n_files (self->changeset) : 0;

  for (guint i = 0; i < n_files; i++)
    {
      SparkFileChange *file = spark_changeset_get_file (self->changeset, i);

      if (index < spark_file_change_get_n_hunks (file) &&
          spark_file_change_get_hunk (file, index) == hunk)
        return file;
    }

  return NULL;
}

/* Deleting a file has no new text to edit. */
static gboolean
can_edit (SparkReviewView *self,
          SparkHunk       *hunk)
{
  SparkFileChange *file = find_file (self, hunk);

  return spark_hunk_get_state (hunk) != SPARK_HUNK_CONFLICT &&
         file != NULL && spark_file_change_get_kind (file) != SPARK_FILE_CHANGE_DELETE;
}

static gboolean
find_hunk_position (SparkReviewView *self,
                    SparkHunk       *hunk,
                    guint           *position)
{
  guint n_files, pos = 0;
  guint index;

  if (self->changeset == NULL || hunk == NULL)
    return FALSE;

  index = spark_hunk_get_index (hunk);
  n_files = spark_changeset_get_n_files (self->changeset);

  /* Every file is expanded: its header, then its hunks. */
  for (guint i = 0; i < n_files; i++)
    {
      SparkFileChange *file = spark_changeset_get_file (self->changeset, i);
      guint n_hunks = spark_file_change_get_n_hunks (file);

      if (index < n_hunks && spark_file_change_get_hunk (file, index) == hunk)
        {
          *position = pos + 1 + index;
          return TRUE;
        }

      pos += 1 + n_hunks;
    }

  return FALSE;
}

/* The next (@step 1) or previous (@step -1) hunk row from @from (G_MAXUINT:
 * before the first row). */
static gboolean
find_hunk_row (SparkReviewView *self,
               guint            from,
               int              step,
               guint           *position)
{
  guint n;
  gint64 pos;

  if (self->tree == NULL)
    return FALSE;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));
  if (from == G_MAXUINT)
    pos = step > 0 ? -1 : (gint64) n;
  else
    pos = from;

  for (pos += step; pos >= 0 && pos < n; pos += step)
    {
      g_autoptr(GObject) item = dup_item_at (self, (guint) pos);

      if (SPARK_IS_HUNK (item))
        {
          *position = (guint) pos;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
focus_pending_cb (gpointer data)
{
  SparkReviewView *self = data;
  GtkWidget *row;

  self->focus_source = 0;

  if (self->focus_hunk != NULL &&
      (row = g_hash_table_lookup (self->rows, self->focus_hunk)) != NULL &&
      gtk_widget_get_mapped (row))
    {
      g_clear_object (&self->focus_hunk);
      gtk_widget_grab_focus (row);
    }

  return G_SOURCE_REMOVE;
}

static void
select_position (SparkReviewView *self,
                 guint            position,
                 gboolean         scroll,
                 gboolean         focus)
{
  g_autoptr(GObject) item = dup_item_at (self, position);

  if (!SPARK_IS_HUNK (item))
    return;

  if (gtk_single_selection_get_selected (self->selection) != position)
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);

  if (scroll)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);

  if (focus)
    {
      g_set_object (&self->focus_hunk, SPARK_HUNK (item));
      if (self->focus_source == 0)
        self->focus_source = g_idle_add_full (G_PRIORITY_LOW, focus_pending_cb, self, NULL);
    }
}

static void
select_next (SparkReviewView *self,
             int              step)
{
  guint from, position;

  if (self->selection == NULL)
    return;

  from = gtk_single_selection_get_selected (self->selection);
  if (find_hunk_row (self, from == GTK_INVALID_LIST_POSITION ? G_MAXUINT : from, step, &position))
    select_position (self, position, TRUE, TRUE);
}

/* True while the person types in an entry or the edit view: then the arrow
 * keys belong to the text. */
static gboolean
focus_in_text (SparkReviewView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL)
    return FALSE;

  return GTK_IS_TEXT (focus) ||
         (GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus)));
}

/* Decisions ------------------------------------------------------------ */

static void
set_error (SparkReviewView *self,
           const char      *message)
{
  if (g_strcmp0 (self->error_message, message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);
  update_state (self);
}

static gboolean
accept_hunk (SparkReviewView *self,
             SparkHunk       *hunk)
{
  g_autoptr(GError) error = NULL;

  set_error (self, NULL);

  if (!spark_hunk_accept (hunk, &error))
    {
      set_error (self, error->message);
      return FALSE;
    }

  return TRUE;
}

static void
reject_hunk (SparkReviewView *self,
             SparkHunk       *hunk,
             const char      *reason)
{
  gboolean advance = hunk == self->advance_after_reject;

  set_error (self, NULL);
  self->advance_after_reject = NULL;

  /* The reason lives on the hunk: the apply's report to the model quotes it. */
  spark_hunk_reject_with_reason (hunk, reason);

  if (advance && spark_review_view_get_selected_hunk (self) == hunk)
    select_next (self, 1);
}

static void
start_edit (SparkReviewView *self,
            SparkHunk       *hunk)
{
  GtkSourceBuffer *buffer;
  SparkHunkRow *row;
  guint position;

  set_error (self, NULL);

  if (!can_edit (self, hunk))
    return;

  buffer = g_hash_table_lookup (self->edit_buffers, hunk);
  if (buffer == NULL)
    {
      g_autofree char *text = spark_hunk_dup_new_text (hunk);
      gsize len = strlen (text);

      /* One final newline is implied; don't show it as an empty line. */
      if (len > 0 && text[len - 1] == '\n')
        text[--len] = '\0';

      buffer = gtk_source_buffer_new (NULL);
      gtk_text_buffer_begin_irreversible_action (GTK_TEXT_BUFFER (buffer));
      gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), text, len);
      gtk_text_buffer_end_irreversible_action (GTK_TEXT_BUFFER (buffer));
      g_hash_table_insert (self->edit_buffers, g_object_ref (hunk), buffer);
    }

  if (find_hunk_position (self, hunk, &position))
    select_position (self, position, TRUE, FALSE);

  row = g_hash_table_lookup (self->rows, hunk);
  if (row != NULL)
    {
      spark_hunk_row_set_edit_buffer (row, buffer);
      gtk_widget_grab_focus (GTK_WIDGET (spark_hunk_row_get_edit_view (row)));
    }

  update_state (self);
}

static void
stop_edit (SparkReviewView *self,
           SparkHunk       *hunk)
{
  SparkHunkRow *row = g_hash_table_lookup (self->rows, hunk);

  if (row != NULL)
    {
      spark_hunk_row_set_edit_buffer (row, NULL);
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }

  g_hash_table_remove (self->edit_buffers, hunk);
  update_state (self);
}

static void
save_edit (SparkReviewView *self,
           SparkHunk       *hunk,
           const char      *text)
{
  g_autoptr(GError) error = NULL;

  if (!spark_hunk_set_edited_text (hunk, text, &error))
    {
      SparkHunkRow *row = g_hash_table_lookup (self->rows, hunk);

      if (row != NULL)
        spark_hunk_row_set_edit_error (row, error->message);
      else
        set_error (self, error->message);
      return;
    }

  stop_edit (self, hunk);
}

static gboolean
is_streaming (SparkReviewView *self)
{
  guint n_files;

  if (self->streaming)
    return TRUE;

  if (self->changeset == NULL)
    return FALSE;

  n_files = spark_changeset_get_n_files (self->changeset);
  for (guint i = 0; i < n_files; i++)
    if (!spark_file_change_get_complete (spark_changeset_get_file (self->changeset, i)))
      return TRUE;

  return FALSE;
}

static void
append_detail (GString *details,
               char    *part)
{
  if (details->len > 0)
    g_string_append (details, " · ");
  g_string_append (details, part);
  g_free (part);
}

static void
update_state (SparkReviewView *self)
{
  SparkHunk *selected = spark_review_view_get_selected_hunk (self);
  SparkHunkState state = selected ? spark_hunk_get_state (selected) : SPARK_HUNK_CONFLICT;
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *summary = NULL;
  guint total = 0, accepted = 0, edited = 0, rejected = 0, pending = 0, conflicts = 0;
  gboolean streaming = is_streaming (self);
  gboolean editing = selected && g_hash_table_contains (self->edit_buffers, selected);

  if (self->changeset != NULL)
    {
      total = spark_changeset_get_n_hunks (self->changeset);
      accepted = spark_changeset_count_state (self->changeset, SPARK_HUNK_ACCEPTED);
      edited = spark_changeset_count_state (self->changeset, SPARK_HUNK_EDITED);
      rejected = spark_changeset_count_state (self->changeset, SPARK_HUNK_REJECTED);
      pending = spark_changeset_count_state (self->changeset, SPARK_HUNK_PENDING);
      conflicts = spark_changeset_count_state (self->changeset, SPARK_HUNK_CONFLICT);
    }

  if (total == 0)
    /* translators: the review pane's title before the first hunk arrives */
    summary = g_strdup (_("Waiting for changes…"));
  else
    /* translators: the review pane's title: accepted (or edited) hunks of all hunks */
    summary = g_strdup_printf (ngettext ("%u of %u hunk accepted", "%u of %u hunks accepted", total),
                               accepted + edited, total);
  gtk_label_set_text (self->summary_label, summary);

  if (pending > 0)
    /* translators: part of the review pane's summary, e.g. "2 pending · 1 edited" */
    append_detail (details, g_strdup_printf (ngettext ("%u pending", "%u pending", pending), pending));
  if (edited > 0)
    /* translators: part of the review pane's summary, e.g. "2 pending · 1 edited" */
    append_detail (details, g_strdup_printf (ngettext ("%u edited", "%u edited", edited), edited));
  if (rejected > 0)
    /* translators: part of the review pane's summary, e.g. "2 pending · 1 rejected" */
    append_detail (details, g_strdup_printf (ngettext ("%u rejected", "%u rejected", rejected), rejected));
  if (conflicts > 0)
    /* translators: part of the review pane's summary: hunks that do not fit their file */
    append_detail (details, g_strdup_printf (ngettext ("%u conflict", "%u conflicts", conflicts), conflicts));
  gtk_label_set_text (self->details_label, details->str);
  gtk_widget_set_visible (GTK_WIDGET (self->details_label), details->len > 0);

  if (details->len > 0)
    {
      /* translators: accessible description of the list of proposed changes: the
       * summary, then its details, e.g. "1 of 5 hunks accepted: 3 pending · 1 rejected" */
      g_autofree char *description = g_strdup_printf (_("%s: %s"), summary, details->str);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
    }
  else
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary, -1);
    }

  if (self->error_message != NULL)
    {
      gtk_label_set_text (self->status_label, self->error_message);
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
    }
  else
    {
      g_autofree char *pending_note = NULL;
      const char *status;

      if (streaming)
        /* translators: footer of the review pane while the patch still arrives */
        status = _("Receiving changes… Apply waits for the whole patch.");
      else if (accepted + edited == 0)
        /* translators: footer of the review pane */
        status = _("Accept or edit a hunk to apply it.");
      else if (pending > 0)
        /* translators: footer of the review pane */
        status = pending_note = g_strdup_printf (ngettext ("Apply writes the accepted hunks; %u pending hunk is left out.",
                                                           "Apply writes the accepted hunks; %u pending hunks are left out.",
                                                           pending),
                                                 pending);
      else
        /* translators: footer of the review pane */
        status = _("Apply writes the accepted hunks and tells the assistant.");

      gtk_label_set_text (self->status_label, status);
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.accept-hunk",
                                 selected && !editing &&
                                 (state == SPARK_HUNK_PENDING || state == SPARK_HUNK_REJECTED));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.reject-hunk",
                                 selected && !editing &&
                                 (state == SPARK_HUNK_PENDING || state == SPARK_HUNK_ACCEPTED ||
                                  state == SPARK_HUNK_EDITED));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.edit-hunk",
                                 selected && !editing && can_edit (self, selected));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.next-hunk", total > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.previous-hunk", total > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.accept-all", pending + rejected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.reject-all",
                                 pending + accepted + edited > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.apply",
                                 accepted + edited > 0 && !streaming);
}

/* Model signals -------------------------------------------------------- */

static void
hunks_changed_cb (SparkReviewView *self,
                  guint            position,
                  guint            removed,
                  guint            added,
                  GListModel       *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SparkHunk) hunk = g_list_model_get_item (model, i);

      g_signal_connect_object (hunk, "notify::state", G_CALLBACK (update_state), self,
                               G_CONNECT_SWAPPED);
    }

  /* Hunks arriving while the model writes are said as they come (GTK 4.14
   * and later); everywhere, the list's description keeps the count. */
  if (removed == 0 && added > 0 && added <= 3 && is_streaming (self))
    {
      for (guint i = position; i < position + added; i++)
        {
          g_autoptr(SparkHunk) hunk = g_list_model_get_item (model, i);
          GListModel *file = gtk_flatten_list_model_get_model_for_item (GTK_FLATTEN_LIST_MODEL (model), i);
          g_autofree char *description = NULL;
          g_autofree char *message = NULL;

          if (!SPARK_IS_FILE_CHANGE (file))
            continue;
          description = spark_hunk_row_describe (SPARK_FILE_CHANGE (file), hunk);
          /* translators: said by screen readers when the model proposes a hunk; %s describes it */
          message = g_strdup_printf (_("New: %s"), description);
          spark_a11y_announce (GTK_WIDGET (self->list_view), message);
        }
    }

  /* Give the person something to act on as soon as the first hunk shows. */
  if (added > 0 && spark_review_view_get_selected_hunk (self) == NULL)
    {
      guint first;

      if (find_hunk_row (self, G_MAXUINT, 1, &first))
        select_position (self, first, FALSE, FALSE);
    }

  update_state (self);
}

static void
files_changed_cb (SparkReviewView *self,
                  guint            position,
                  guint            removed,
                  guint            added,
                  GListModel      *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SparkFileChange) file = g_list_model_get_item (model, i);

      g_signal_connect_object (file, "notify::complete", G_CALLBACK (update_state), self,
                               G_CONNECT_SWAPPED);
    }

  update_state (self);
}

static void
selection_changed_cb (SparkReviewView *self)
{
  SparkHunk *selected = spark_review_view_get_selected_hunk (self);

  /* The person moved on without answering the reason popover, or before
   * the keyboard focus could follow. */
  if (self->advance_after_reject != selected)
    self->advance_after_reject = NULL;
  if (self->focus_hunk != selected)
    g_clear_object (&self->focus_hunk);

  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_HUNK]);
}

static void
disconnect_changeset (SparkReviewView *self)
{
  if (self->changeset == NULL)
    return;

  if (self->all_hunks != NULL)
    {
      guint n = g_list_model_get_n_items (self->all_hunks);

      g_signal_handlers_disconnect_by_data (self->all_hunks, self);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GObject) hunk = g_list_model_get_item (self->all_hunks, i);

          g_signal_handlers_disconnect_by_data (hunk, self);
        }
    }

  for (guint i = 0; i < spark_changeset_get_n_files (self->changeset); i++)
    g_signal_handlers_disconnect_by_data (spark_changeset_get_file (self->changeset, i), self);

  g_signal_handlers_disconnect_by_data (self->changeset, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
}

/* Row widgets ---------------------------------------------------------- */

static SparkHunk *
row_hunk (SparkHunkRow *row)
{
  return spark_hunk_row_get_hunk (row);
}

static void
row_accept_cb (SparkHunkRow    *row,
               SparkReviewView *self)
{
  if (row_hunk (row) != NULL)
    accept_hunk (self, row_hunk (row));
}

static void
row_reject_cb (SparkHunkRow    *row,
               const char      *reason,
               SparkReviewView *self)
{
  if (row_hunk (row) != NULL)
    reject_hunk (self, row_hunk (row), reason);
}

static void
row_edit_cb (SparkHunkRow    *row,
             SparkReviewView *self)
{
  if (row_hunk (row) != NULL)
    start_edit (self, row_hunk (row));
}

static void
row_save_edit_cb (SparkHunkRow    *row,
                  const char      *text,
                  SparkReviewView *self)
{
  if (row_hunk (row) != NULL)
    save_edit (self, row_hunk (row), text);
}

static void
row_cancel_edit_cb (SparkHunkRow    *row,
                    SparkReviewView *self)
{
  if (row_hunk (row) != NULL)
    stop_edit (self, row_hunk (row));
}

static void
row_focus_enter_cb (GtkEventControllerFocus *controller,
                    SparkReviewView         *self)
{
  SparkHunkRow *row = SPARK_HUNK_ROW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
  guint position;

  if (row_hunk (row) != NULL && find_hunk_position (self, row_hunk (row), &position))
    select_position (self, position, FALSE, FALSE);
}

static void
file_accept_all_cb (SparkReviewFileRow *row,
                    SparkReviewView    *self)
{
  SparkFileChange *file = spark_review_file_row_get_file (row);
  g_autoptr(GError) error = NULL;

  set_error (self, NULL);
  if (file != NULL && !spark_file_change_accept_all (file, &error))
    set_error (self, error->message);
}

static void
file_reject_all_cb (SparkReviewFileRow *row,
                    SparkReviewView    *self)
{
  SparkFileChange *file = spark_review_file_row_get_file (row);

  set_error (self, NULL);
  if (file != NULL)
    spark_file_change_reject_all (file);
}

static GtkWidget *
ensure_hunk_row (SparkReviewView *self,
                 GtkListItem     *list_item)
{
  GtkWidget *child = gtk_list_item_get_child (list_item);
  GtkEventController *controller;

  if (SPARK_IS_HUNK_ROW (child))
    return child;

  child = spark_hunk_row_new ();
  g_signal_connect_object (child, "accept", G_CALLBACK (row_accept_cb), self, 0);
  g_signal_connect_object (child, "reject", G_CALLBACK (row_reject_cb), self, 0);
  g_signal_connect_object (child, "edit", G_CALLBACK (row_edit_cb), self, 0);
  g_signal_connect_object (child, "save-edit", G_CALLBACK (row_save_edit_cb), self, 0);
  g_signal_connect_object (child, "cancel-edit", G_CALLBACK (row_cancel_edit_cb), self, 0);
  controller = gtk_event_controller_focus_new ();
  g_signal_connect_object (controller, "enter", G_CALLBACK (row_focus_enter_cb), self, 0);
  gtk_widget_add_controller (child, controller);
  gtk_list_item_set_child (list_item, child);

  return child;
}

static GtkWidget *
ensure_file_row (SparkReviewView *self,
                 GtkListItem     *list_item)
{
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (SPARK_IS_REVIEW_FILE_ROW (child))
    return child;

  child = spark_review_file_row_new ();
  g_signal_connect_object (child, "accept-all", G_CALLBACK (file_accept_all_cb), self, 0);
  g_signal_connect_object (child, "reject-all", G_CALLBACK (file_reject_all_cb), self, 0);
  gtk_list_item_set_child (list_item, child);

  return child;
}

static void
factory_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 SparkReviewView          *self)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);
  g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

  if (SPARK_IS_FILE_CHANGE (item))
    {
      GtkWidget *child = ensure_file_row (self, list_item);

      spark_review_file_row_set_file (SPARK_REVIEW_FILE_ROW (child), SPARK_FILE_CHANGE (item));
      gtk_list_item_set_selectable (list_item, FALSE);
      gtk_list_item_set_activatable (list_item, FALSE);
    }
  else if (SPARK_IS_HUNK (item))
    {
      g_autoptr(GtkTreeListRow) parent = gtk_tree_list_row_get_parent (row);
      g_autoptr(SparkFileChange) file = gtk_tree_list_row_get_item (parent);
      SparkHunk *hunk = SPARK_HUNK (item);
      GtkWidget *child = ensure_hunk_row (self, list_item);

      spark_hunk_row_set_hunk (SPARK_HUNK_ROW (child), file, hunk);
      spark_hunk_row_set_edit_buffer (SPARK_HUNK_ROW (child),
                                      g_hash_table_lookup (self->edit_buffers, hunk));
      g_hash_table_insert (self->rows, g_object_ref (hunk), child);
      gtk_list_item_set_selectable (list_item, TRUE);
      gtk_list_item_set_activatable (list_item, FALSE);

      if (hunk == self->focus_hunk && self->focus_source == 0)
        self->focus_source = g_idle_add_full (G_PRIORITY_LOW, focus_pending_cb, self, NULL);
    }
}

/* A new proposal replaces every row of the last one at once, and a hunk
 * row takes about a millisecond to dispose (GTK 4.8 scans the handlers of
 * the display's style cascade once for each of its scrolled windows' style
 * contexts, and the chat's code blocks have hundreds): 60 rows stalled the
 * frame the new patch started in. The list view still lets go of the rows
 * then, but they are disposed from an idle callback after the frames, a
 * few at a time. */
#define RETIRE_PER_IDLE 4

static gboolean
retire_cb (gpointer data)
{
  SparkReviewView *self = data;

  for (guint i = 0; i < RETIRE_PER_IDLE && self->retired->len > 0; i++)
    g_ptr_array_remove_index (self->retired, self->retired->len - 1);

  if (self->retired->len > 0)
    return G_SOURCE_CONTINUE;

  self->retire_source = 0;
  return G_SOURCE_REMOVE;
}

/* Holds on to @child for retire_cb(). Called on every unbind, as GTK 4.8
 * lets go of the child between "unbind" and "teardown": a row that is bound
 * again is only released later, not disposed. */
static void
retire_row (SparkReviewView *self,
            GtkWidget       *child)
{
  if (child == NULL || self->retired == NULL)
    return;

  g_ptr_array_add (self->retired, g_object_ref (child));
  if (self->retire_source == 0)
    self->retire_source = g_idle_add_full (G_PRIORITY_LOW, retire_cb, self, NULL);
}

static void
factory_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   SparkReviewView          *self)
{
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (SPARK_IS_HUNK_ROW (child))
    {
      SparkHunk *hunk = spark_hunk_row_get_hunk (SPARK_HUNK_ROW (child));

      if (hunk != NULL && g_hash_table_lookup (self->rows, hunk) == child)
        g_hash_table_remove (self->rows, hunk);
      spark_hunk_row_set_edit_buffer (SPARK_HUNK_ROW (child), NULL);
      spark_hunk_row_set_hunk (SPARK_HUNK_ROW (child), NULL, NULL);
    }
  else if (SPARK_IS_REVIEW_FILE_ROW (child))
    {
      spark_review_file_row_set_file (SPARK_REVIEW_FILE_ROW (child), NULL);
    }

  retire_row (self, child);
}

/* Actions -------------------------------------------------------------- */

static void
review_next_hunk_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  select_next (SPARK_REVIEW_VIEW (widget), 1);
}

static void
review_previous_hunk_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  select_next (SPARK_REVIEW_VIEW (widget), -1);
}

static void
review_accept_hunk_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (widget);
  SparkHunk *hunk = spark_review_view_get_selected_hunk (self);

  if (hunk != NULL && accept_hunk (self, hunk))
    select_next (self, 1);
}

static void
review_reject_hunk_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (widget);
  SparkHunk *hunk = spark_review_view_get_selected_hunk (self);
  SparkHunkRow *row;

  if (hunk == NULL)
    return;

  /* Ask for the reason in the row's popover; without a row on screen,
   * reject right away. */
  row = g_hash_table_lookup (self->rows, hunk);
  self->advance_after_reject = hunk;
  if (row != NULL && gtk_widget_get_mapped (GTK_WIDGET (row)))
    spark_hunk_row_begin_reject (row);
  else
    reject_hunk (self, hunk, NULL);
}

static void
review_edit_hunk_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (widget);
  SparkHunk *hunk = spark_review_view_get_selected_hunk (self);

  if (hunk != NULL)
    start_edit (self, hunk);
}

static void
review_accept_all_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (widget);
  g_autoptr(GError) error = NULL;

  set_error (self, NULL);
  if (self->changeset != NULL && !spark_changeset_accept_all (self->changeset, &error))
    set_error (self, error->message);
}

static void
review_reject_all_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (widget);

  set_error (self, NULL);
  if (self->changeset != NULL)
    spark_changeset_reject_all (self->changeset);
}

static void
review_apply_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (widget);

  if (self->changeset == NULL || is_streaming (self))
    return;

  if (spark_changeset_count_state (self->changeset, SPARK_HUNK_ACCEPTED) +
      spark_changeset_count_state (self->changeset, SPARK_HUNK_EDITED) == 0)
    return;

  set_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_APPLY_REQUESTED], 0);
}

static gboolean
arrow_cb (GtkWidget *widget,
          GVariant  *args,
          gpointer   user_data)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (widget);

  if (self->changeset == NULL || focus_in_text (self))
    return FALSE;

  select_next (self, g_variant_get_int32 (args));
  return TRUE;
}

/* GObject -------------------------------------------------------------- */

static void
spark_review_view_dispose (GObject *object)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (object);

  g_clear_handle_id (&self->focus_source, g_source_remove);
  disconnect_changeset (self);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_REVIEW_VIEW);
  /* From now on the rows go with the list item, as usual. */
  g_clear_handle_id (&self->retire_source, g_source_remove);
  g_clear_pointer (&self->retired, g_ptr_array_unref);

  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->all_hunks);
  g_clear_object (&self->changeset);
  g_clear_object (&self->focus_hunk);
  g_hash_table_remove_all (self->rows);
  g_hash_table_remove_all (self->edit_buffers);

  G_OBJECT_CLASS (spark_review_view_parent_class)->dispose (object);
}

static void
spark_review_view_finalize (GObject *object)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (object);

  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->retired, g_ptr_array_unref);
  g_clear_pointer (&self->edit_buffers, g_hash_table_unref);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (spark_review_view_parent_class)->finalize (object);
}

static void
spark_review_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHANGESET:
      g_value_set_object (value, self->changeset);
      break;

    case PROP_SELECTED_HUNK:
      g_value_set_object (value, spark_review_view_get_selected_hunk (self));
      break;

    case PROP_STREAMING:
      g_value_set_boolean (value, self->streaming);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_review_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SparkReviewView *self = SPARK_REVIEW_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHANGESET:
      spark_review_view_set_changeset (self, g_value_get_object (value));
      break;

    case PROP_STREAMING:
      spark_review_view_set_streaming (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_review_view_class_init (SparkReviewViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_review_view_dispose;
  object_class->finalize = spark_review_view_finalize;
  object_class->get_property = spark_review_view_get_property;
  object_class->set_property = spark_review_view_set_property;

  properties[PROP_CHANGESET] =
    g_param_spec_object ("changeset", NULL, NULL,
                         SPARK_TYPE_CHANGESET,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SELECTED_HUNK] =
    g_param_spec_object ("selected-hunk", NULL, NULL,
                         SPARK_TYPE_HUNK,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_STREAMING] =
    g_param_spec_boolean ("streaming", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkReviewView::apply-requested:
   *
   * The person pressed Apply (or Ctrl+Enter) while at least one hunk is
   * accepted or edited and nothing is streaming. The window runs the
   * transaction (spark_changeset_apply()).
   */
  signals[SIGNAL_APPLY_REQUESTED] =
    g_signal_new ("apply-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sparkreviewview");

  g_assert (spark_get_resource () != NULL);
  g_type_ensure (SPARK_TYPE_HUNK_ROW);
  g_type_ensure (SPARK_TYPE_REVIEW_FILE_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-review-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, accept_all_button);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, apply_button);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, details_label);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, list_view);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, reject_all_button);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, scroller);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, stack);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, status_label);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewView, summary_label);

  gtk_widget_class_install_action (widget_class, "review.next-hunk", NULL, review_next_hunk_action);
  gtk_widget_class_install_action (widget_class, "review.previous-hunk", NULL, review_previous_hunk_action);
  gtk_widget_class_install_action (widget_class, "review.accept-hunk", NULL, review_accept_hunk_action);
  gtk_widget_class_install_action (widget_class, "review.reject-hunk", NULL, review_reject_hunk_action);
  gtk_widget_class_install_action (widget_class, "review.edit-hunk", NULL, review_edit_hunk_action);
  gtk_widget_class_install_action (widget_class, "review.accept-all", NULL, review_accept_all_action);
  gtk_widget_class_install_action (widget_class, "review.reject-all", NULL, review_reject_all_action);
  gtk_widget_class_install_action (widget_class, "review.apply", NULL, review_apply_action);

  /* Class bindings run after the focused widget had its turn, so the
   * letters never fire while typing in the edit view or the reason entry. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "review.next-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "review.next-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Down, 0, "review.next-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "review.previous-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "review.previous-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Up, 0, "review.previous-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "review.accept-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "review.reject-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, 0, "review.edit-hunk", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "review.apply", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "review.apply", NULL);
}

static void
spark_review_view_init (SparkReviewView *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEventController *controller;
  GtkShortcut *shortcut;

  self->rows = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->retired = g_ptr_array_new_with_free_func (g_object_unref);
  self->edit_buffers = g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));
  spark_a11y_tidy_mnemonic_buttons (GTK_WIDGET (self));

  g_signal_connect_object (factory, "bind", G_CALLBACK (factory_bind_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (factory_unbind_cb), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);

  /* The list view moves its own focus on Up/Down, through the file headers
   * too; the review moves from hunk to hunk instead, so take the arrows
   * before the list sees them (but never from text being edited). */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  shortcut = gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Down, 0),
                                                            gtk_keyval_trigger_new (GDK_KEY_KP_Down, 0)),
                               gtk_callback_action_new (arrow_cb, NULL, NULL));
  gtk_shortcut_set_arguments (shortcut, g_variant_new_int32 (1));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  shortcut = gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Up, 0),
                                                            gtk_keyval_trigger_new (GDK_KEY_KP_Up, 0)),
                               gtk_callback_action_new (arrow_cb, NULL, NULL));
  gtk_shortcut_set_arguments (shortcut, g_variant_new_int32 (-1));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  update_state (self);
}

/* Public API ----------------------------------------------------------- */

GtkWidget *
spark_review_view_new (void)
{
  return g_object_new (SPARK_TYPE_REVIEW_VIEW, NULL);
}

SparkChangeset *
spark_review_view_get_changeset (SparkReviewView *self)
{
  g_return_val_if_fail (SPARK_IS_REVIEW_VIEW (self), NULL);
  return self->changeset;
}

void
spark_review_view_set_changeset (SparkReviewView *self,
                                 SparkChangeset  *changeset)
{
  g_return_if_fail (SPARK_IS_REVIEW_VIEW (self));
  g_return_if_fail (changeset == NULL || SPARK_IS_CHANGESET (changeset));

  if (self->changeset == changeset)
    return;

  disconnect_changeset (self);
  gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->all_hunks);
  g_clear_object (&self->focus_hunk);
  g_clear_pointer (&self->error_message, g_free);
  self->advance_after_reject = NULL;
  g_hash_table_remove_all (self->rows);
  g_hash_table_remove_all (self->edit_buffers);

  g_set_object (&self->changeset, changeset);

  if (changeset != NULL)
    {
      guint n_files = g_list_model_get_n_items (G_LIST_MODEL (changeset));

      self->tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (changeset)),
                                            FALSE, TRUE, create_child_model, NULL, NULL);
      self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree)));
      gtk_single_selection_set_autoselect (self->selection, FALSE);
      gtk_single_selection_set_can_unselect (self->selection, TRUE);
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      g_signal_connect_object (self->selection, "notify::selected",
                               G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
      gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

      self->all_hunks = G_LIST_MODEL (gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (changeset))));
      g_signal_connect_object (changeset, "items-changed",
                               G_CALLBACK (files_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->all_hunks, "items-changed",
                               G_CALLBACK (hunks_changed_cb), self, G_CONNECT_SWAPPED);
      files_changed_cb (self, 0, 0, n_files, G_LIST_MODEL (changeset));
      hunks_changed_cb (self, 0, 0, g_list_model_get_n_items (self->all_hunks), self->all_hunks);
    }

  gtk_stack_set_visible_child_name (self->stack, changeset ? "review" : "empty");
  update_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANGESET]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_HUNK]);
}

gboolean
spark_review_view_get_streaming (SparkReviewView *self)
{
  g_return_val_if_fail (SPARK_IS_REVIEW_VIEW (self), FALSE);
  return self->streaming;
}

void
spark_review_view_set_streaming (SparkReviewView *self,
                                 gboolean         streaming)
{
  g_return_if_fail (SPARK_IS_REVIEW_VIEW (self));

  streaming = !!streaming;
  if (self->streaming == streaming)
    return;

  self->streaming = streaming;
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
}

SparkHunk *
spark_review_view_get_selected_hunk (SparkReviewView *self)
{
  GtkTreeListRow *row;
  g_autoptr(GObject) item = NULL;

  g_return_val_if_fail (SPARK_IS_REVIEW_VIEW (self), NULL);

  if (self->selection == NULL)
    return NULL;

  row = gtk_single_selection_get_selected_item (self->selection);
  if (row == NULL)
    return NULL;

  item = gtk_tree_list_row_get_item (row);
  /* The file change owns the hunk. */
  return SPARK_IS_HUNK (item) ? SPARK_HUNK (item) : NULL;
}

gboolean
spark_review_view_select_hunk (SparkReviewView *self,
                               SparkHunk       *hunk)
{
  guint position;

  g_return_val_if_fail (SPARK_IS_REVIEW_VIEW (self), FALSE);
  g_return_val_if_fail (SPARK_IS_HUNK (hunk), FALSE);

  if (!find_hunk_position (self, hunk, &position))
    return FALSE;

  select_position (self, position, TRUE, TRUE);
  return TRUE;
}

const char *
spark_review_view_get_reject_reason (SparkReviewView *self,
                                     SparkHunk       *hunk)
{
  g_return_val_if_fail (SPARK_IS_REVIEW_VIEW (self), NULL);
  g_return_val_if_fail (SPARK_IS_HUNK (hunk), NULL);

  return spark_hunk_get_reject_reason (hunk);
}
