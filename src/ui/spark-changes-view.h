/* spark-changes-view.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-git-diff.h"

G_BEGIN_DECLS

#define SPARK_TYPE_CHANGES_VIEW (spark_changes_view_get_type ())

G_DECLARE_FINAL_TYPE (SparkChangesView, spark_changes_view, SPARK, CHANGES_VIEW, GtkWidget)

/* "Diff vs HEAD": the uncommitted changes of a folder's git work tree, one
 * row per file (path, status, +/- counts, how much of it is staged, a Stage
 * File / Unstage File button) and, when the row is expanded, each hunk as a
 * small diff with a Stage Hunk / Unstage Hunk button. The header counts the
 * changes and has the Commit… button, which emits "commit-requested".
 *
 * Actions (for buttons and tests): "changes.reload",
 * "changes.commit", "changes.stage-file" / "changes.unstage-file" ("s": the
 * path), "changes.stage-hunk" / "changes.unstage-hunk" ("(su)": path, hunk
 * index), "changes.toggle-expanded" ("s").
 *
 * Properties: "has-staged" (something is staged), "busy" (reading the diff
 * or changing the index). */

GtkWidget    *spark_changes_view_new        (void);
void          spark_changes_view_set_root   (SparkChangesView *self,
                                             const char       *root_path);
const char   *spark_changes_view_get_root   (SparkChangesView *self);
void          spark_changes_view_reload     (SparkChangesView *self);
gboolean      spark_changes_view_get_has_staged (SparkChangesView *self);
gboolean      spark_changes_view_get_busy   (SparkChangesView *self);
/* The diff shown (HEAD → work tree), or NULL. */
SparkGitDiff *spark_changes_view_get_diff   (SparkChangesView *self);

G_END_DECLS
