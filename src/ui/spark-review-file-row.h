/* spark-review-file-row.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-file-change.h"

G_BEGIN_DECLS

#define SPARK_TYPE_REVIEW_FILE_ROW (spark_review_file_row_get_type ())

G_DECLARE_FINAL_TYPE (SparkReviewFileRow, spark_review_file_row, SPARK, REVIEW_FILE_ROW, GtkWidget)

/* The header of one file in the review pane (SparkReviewView): path, kind
 * (new, deleted, modified, moved to), +/- line counts and the file's
 * Accept All / Reject All, which go out as the "accept-all" and
 * "reject-all" signals. */

GtkWidget       *spark_review_file_row_new       (void);
SparkFileChange *spark_review_file_row_get_file  (SparkReviewFileRow *self);
void             spark_review_file_row_set_file  (SparkReviewFileRow *self,
                                                  SparkFileChange    *file);

G_END_DECLS
