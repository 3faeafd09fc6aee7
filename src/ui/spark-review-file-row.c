/* spark-review-file-row.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-review-file-row"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-hunk-row.h"
#include "spark-resources.h"
#include "spark-review-file-row.h"

struct _SparkReviewFileRow
{
  GtkWidget        parent_instance;

  SparkFileChange *file;
  gulong           items_handler;
  gulong           complete_handler;

  /* Template widgets */
  GtkButton       *accept_all_button;
  GtkLabel        *added_label;
  GtkBox          *box;
  GtkLabel        *detail_label;
  GtkLabel        *error_label;
  GtkImage        *kind_image;
  GtkLabel        *path_label;
  GtkButton       *reject_all_button;
  GtkLabel        *removed_label;
};

G_DEFINE_FINAL_TYPE (SparkReviewFileRow, spark_review_file_row, GTK_TYPE_WIDGET)

enum {
  SIGNAL_ACCEPT_ALL,
  SIGNAL_REJECT_ALL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update (SparkReviewFileRow *self)
{
  g_autofree char *path = NULL;
  g_autofree char *added = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *accept_label = NULL;
  g_autofree char *reject_label = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *hunks = NULL;
  g_autofree char *detail = NULL;
  const GError *error;
  const char *icon_name;
  guint n_hunks, n_added = 0, n_removed = 0;
  gboolean can_accept = FALSE, can_reject = FALSE;

  if (self->file == NULL)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "file.accept-all", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "file.reject-all", FALSE);
      return;
    }

  n_hunks = spark_file_change_get_n_hunks (self->file);
  for (guint i = 0; i < n_hunks; i++)
    {
      SparkHunk *hunk = spark_file_change_get_hunk (self->file, i);
      SparkHunkState state = spark_hunk_get_state (hunk);
      g_autofree char *diff = NULL;
      guint a = 0, r = 0;

      diff = spark_hunk_row_format_diff (hunk, &a, &r);
      if (state != SPARK_HUNK_REJECTED && state != SPARK_HUNK_CONFLICT)
        {
          n_added += a;
          n_removed += r;
        }
      can_accept |= state == SPARK_HUNK_PENDING || state == SPARK_HUNK_REJECTED;
      can_reject |= state == SPARK_HUNK_PENDING || state == SPARK_HUNK_ACCEPTED ||
                    state == SPARK_HUNK_EDITED;
    }

  switch (spark_file_change_get_kind (self->file))
    {
    case SPARK_FILE_CHANGE_ADD:
      icon_name = "document-new-symbolic";
      /* translators: kind of a file operation in the review pane */
      kind = g_strdup (_("New file"));
      break;

    case SPARK_FILE_CHANGE_DELETE:
      icon_name = "edit-delete-symbolic";
      /* translators: kind of a file operation in the review pane */
      kind = g_strdup (_("Deleted"));
      break;

    case SPARK_FILE_CHANGE_MOVE:
      icon_name = "document-edit-symbolic";
      /* translators: kind of a file operation in the review pane; %s is the new path */
      kind = g_strdup_printf (_("Moved to %s"), spark_file_change_get_move_path (self->file));
      break;

    case SPARK_FILE_CHANGE_UPDATE:
    default:
      icon_name = "document-edit-symbolic";
      /* translators: kind of a file operation in the review pane */
      kind = g_strdup (_("Modified"));
      break;
    }

  hunks = g_strdup_printf (ngettext ("%u hunk", "%u hunks", n_hunks), n_hunks);
  if (spark_file_change_get_complete (self->file))
    /* translators: the details of a file in the review pane: %1$s is the kind of
     * operation ("Modified"), %2$s the number of hunks ("3 hunks") */
    detail = g_strdup_printf (_("%1$s · %2$s"), kind, hunks);
  else
    /* translators: the details of a file in the review pane while its changes are
     * still arriving from the assistant: %1$s is the kind of operation
     * ("Modified"), %2$s the number of hunks so far ("3 hunks") */
    detail = g_strdup_printf (_("%1$s · %2$s · receiving…"), kind, hunks);

  if (spark_file_change_get_kind (self->file) == SPARK_FILE_CHANGE_MOVE)
    /* translators: a file moved: old path → new path */
    path = g_strdup_printf (_("%s → %s"), spark_file_change_get_path (self->file),
                            spark_file_change_get_move_path (self->file));
  else
    path = g_strdup (spark_file_change_get_path (self->file));

  added = g_strdup_printf ("+%u", n_added);
  removed = g_strdup_printf ("−%u", n_removed);
  /* translators: accessible name of the per-file button; %s is a file path */
  accept_label = g_strdup_printf (_("Accept All Hunks of %s"), spark_file_change_get_path (self->file));
  /* translators: accessible name of the per-file button; %s is a file path */
  reject_label = g_strdup_printf (_("Reject All Hunks of %s"), spark_file_change_get_path (self->file));

  gtk_image_set_from_icon_name (self->kind_image, icon_name);
  gtk_label_set_text (self->path_label, path);
  gtk_label_set_text (self->detail_label, detail);
  gtk_label_set_text (self->added_label, added);
  gtk_label_set_text (self->removed_label, removed);
  gtk_widget_set_visible (GTK_WIDGET (self->added_label), n_added > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->removed_label), n_removed > 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->accept_all_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accept_label,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reject_all_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, reject_label,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, path,
                                  -1);

  error = spark_file_change_get_error (self->file);
  gtk_label_set_text (self->error_label, error ? error->message : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "file.accept-all", can_accept);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "file.reject-all", can_reject);
}

/* The full path, for when it is ellipsized. Looked up when asked for:
 * setting a tooltip costs GTK 4.8 a round trip to the X server. */
static gboolean
query_tooltip_cb (SparkReviewFileRow *self,
                  int                 x,
                  int                 y,
                  gboolean            keyboard_mode,
                  GtkTooltip         *tooltip,
                  GtkWidget          *widget)
{
  if (self->file == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, gtk_label_get_text (self->path_label));
  return TRUE;
}

static void
file_items_changed_cb (SparkReviewFileRow *self,
                       guint               position,
                       guint               removed,
                       guint               added,
                       GListModel         *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SparkHunk) hunk = g_list_model_get_item (model, i);

      g_signal_connect_object (hunk, "notify::state", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
    }

  update (self);
}

static void
file_accept_all_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  g_signal_emit (widget, signals[SIGNAL_ACCEPT_ALL], 0);
}

static void
file_reject_all_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  g_signal_emit (widget, signals[SIGNAL_REJECT_ALL], 0);
}

static void
spark_review_file_row_dispose (GObject *object)
{
  SparkReviewFileRow *self = SPARK_REVIEW_FILE_ROW (object);

  spark_review_file_row_set_file (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_REVIEW_FILE_ROW);

  G_OBJECT_CLASS (spark_review_file_row_parent_class)->dispose (object);
}

static void
spark_review_file_row_class_init (SparkReviewFileRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_review_file_row_dispose;

  /**
   * SparkReviewFileRow::accept-all:
   * The person asked to accept every hunk of the file.
   */
  signals[SIGNAL_ACCEPT_ALL] =
    g_signal_new ("accept-all", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SparkReviewFileRow::reject-all:
   * The person asked to reject every hunk of the file.
   */
  signals[SIGNAL_REJECT_ALL] =
    g_signal_new ("reject-all", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sparkreviewfilerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_assert (spark_get_resource () != NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-review-file-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, accept_all_button);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, added_label);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, box);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, kind_image);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, path_label);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, reject_all_button);
  gtk_widget_class_bind_template_child (widget_class, SparkReviewFileRow, removed_label);

  gtk_widget_class_bind_template_callback (widget_class, query_tooltip_cb);

  gtk_widget_class_install_action (widget_class, "file.accept-all", NULL, file_accept_all_action);
  gtk_widget_class_install_action (widget_class, "file.reject-all", NULL, file_reject_all_action);
}

static void
spark_review_file_row_init (SparkReviewFileRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

GtkWidget *
spark_review_file_row_new (void)
{
  return g_object_new (SPARK_TYPE_REVIEW_FILE_ROW, NULL);
}

SparkFileChange *
spark_review_file_row_get_file (SparkReviewFileRow *self)
{
  g_return_val_if_fail (SPARK_IS_REVIEW_FILE_ROW (self), NULL);
  return self->file;
}

void
spark_review_file_row_set_file (SparkReviewFileRow *self,
                                SparkFileChange    *file)
{
  g_return_if_fail (SPARK_IS_REVIEW_FILE_ROW (self));
  g_return_if_fail (file == NULL || SPARK_IS_FILE_CHANGE (file));

  if (self->file == file)
    return;

  if (self->file != NULL)
    {
      guint n = spark_file_change_get_n_hunks (self->file);

      for (guint i = 0; i < n; i++)
        g_signal_handlers_disconnect_by_func (spark_file_change_get_hunk (self->file, i),
                                              update, self);
      g_clear_signal_handler (&self->items_handler, self->file);
      g_clear_signal_handler (&self->complete_handler, self->file);
    }

  g_set_object (&self->file, file);

  if (file != NULL)
    {
      self->items_handler = g_signal_connect_object (file, "items-changed",
                                                     G_CALLBACK (file_items_changed_cb), self,
                                                     G_CONNECT_SWAPPED);
      self->complete_handler = g_signal_connect_object (file, "notify::complete",
                                                        G_CALLBACK (update), self,
                                                        G_CONNECT_SWAPPED);
      file_items_changed_cb (self, 0, 0, spark_file_change_get_n_hunks (file), G_LIST_MODEL (file));
    }
  else
    {
      update (self);
    }
}
