/* spark-review-view.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-changeset.h"

G_BEGIN_DECLS

#define SPARK_TYPE_REVIEW_VIEW (spark_review_view_get_type ())

G_DECLARE_FINAL_TYPE (SparkReviewView, spark_review_view, SPARK, REVIEW_VIEW, GtkWidget)

/* SparkReviewView: the review pane. Shows a SparkChangeset file by file and
 * hunk by hunk while it streams in, and lets the person accept, reject (with
 * an optional reason) or edit each hunk. Applying is the window's job: the
 * view emits "apply-requested" when the person presses Apply / Ctrl+Enter.
 *
 * Apply is offered once something is accepted or edited and the patch is no
 * longer streaming: the model gets one answer for the whole patch, and later
 * hunks are located against the files as they were when the patch started.
 * "Streaming" is any file still receiving hunks, or the "streaming" property
 * (set it while the tool call is still arriving, which also covers the gap
 * between two files).
 *
 * Actions (widget actions, with their keys): review.next-hunk (j, Down),
 * review.previous-hunk (k, Up), review.accept-hunk (a), review.reject-hunk
 * (r: asks for an optional reason), review.edit-hunk (e),
 * review.accept-all, review.reject-all, review.apply (Ctrl+Enter). */

GtkWidget      *spark_review_view_new                (void);
SparkChangeset *spark_review_view_get_changeset      (SparkReviewView *self);
/* @changeset: (nullable): NULL shows "Nothing to Review" */
void            spark_review_view_set_changeset      (SparkReviewView *self,
                                                      SparkChangeset  *changeset);
gboolean        spark_review_view_get_streaming      (SparkReviewView *self);
void            spark_review_view_set_streaming      (SparkReviewView *self,
                                                      gboolean         streaming);
SparkHunk      *spark_review_view_get_selected_hunk  (SparkReviewView *self);
/* Selects @hunk and scrolls to it. Returns FALSE if it is not shown. */
gboolean        spark_review_view_select_hunk        (SparkReviewView *self,
                                                      SparkHunk       *hunk);
/* The reason the person typed when rejecting @hunk, or NULL. */
const char     *spark_review_view_get_reject_reason  (SparkReviewView *self,
                                                      SparkHunk       *hunk);

G_END_DECLS
