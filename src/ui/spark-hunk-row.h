/* spark-hunk-row.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <gtksourceview/gtksource.h>

#include "spark-file-change.h"
#include "spark-hunk.h"

G_BEGIN_DECLS

#define SPARK_TYPE_HUNK_ROW (spark_hunk_row_get_type ())

G_DECLARE_FINAL_TYPE (SparkHunkRow, spark_hunk_row, SPARK, HUNK_ROW, GtkWidget)

/* One hunk of the review pane (SparkReviewView): its location, state, a
 * small diff and the Accept / Reject / Edit buttons. The row only shows the
 * hunk; every decision goes out as a signal ("accept", "reject" with the
 * optional reason, "edit", "save-edit" with the text, "cancel-edit") that
 * the review view carries out on the changeset. */

GtkWidget       *spark_hunk_row_new              (void);
SparkHunk       *spark_hunk_row_get_hunk         (SparkHunkRow    *self);
SparkFileChange *spark_hunk_row_get_file         (SparkHunkRow    *self);
void             spark_hunk_row_set_hunk         (SparkHunkRow    *self,
                                                  SparkFileChange *file,
                                                  SparkHunk       *hunk);
/* The buffer being edited (owned by the caller, so an edit survives the row
 * being recycled), or NULL to show the diff. */
void             spark_hunk_row_set_edit_buffer  (SparkHunkRow    *self,
                                                  GtkSourceBuffer *buffer);
GtkSourceView   *spark_hunk_row_get_edit_view    (SparkHunkRow    *self);
void             spark_hunk_row_set_edit_error   (SparkHunkRow    *self,
                                                  const char      *message);
/* Opens the reject popover (reason entry focused). */
void             spark_hunk_row_begin_reject     (SparkHunkRow    *self);

char            *spark_hunk_row_describe         (SparkFileChange *file,
                                                  SparkHunk       *hunk);

/* The hunk as unified-diff lines (" ctx", "-old", "+new"; the edited text
 * stands for the new lines once edited), and how many lines it adds and
 * removes. */
char            *spark_hunk_row_format_diff      (SparkHunk       *hunk,
                                                  guint           *n_added,
                                                  guint           *n_removed);

G_END_DECLS
