/* spark-commit-dialog.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SPARK_TYPE_COMMIT_DIALOG (spark_commit_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SparkCommitDialog, spark_commit_dialog, SPARK, COMMIT_DIALOG, AdwWindow)

/* A modal window that commits the index of the work tree holding
 * @root_path: the author from git config (or what to run to set it), the
 * message (prefilled with @prefill_or_null, e.g. from
 * spark_git_summarize_for_message()), the staged files, Cancel and Commit
 * (Ctrl+Enter). A successful commit emits "committed" with the new commit's
 * id and closes the window; a failed one shows why and keeps the message. */

SparkCommitDialog *spark_commit_dialog_new         (GtkWindow         *parent,
                                                    const char        *root_path,
                                                    const char        *prefill_or_null);
/* The message as typed (newly allocated). */
char              *spark_commit_dialog_dup_message (SparkCommitDialog *self);
void               spark_commit_dialog_set_message (SparkCommitDialog *self,
                                                    const char        *message);
/* The error shown, or NULL. */
const char        *spark_commit_dialog_get_error   (SparkCommitDialog *self);
/* TRUE while the identity and staged files are read or a commit runs. */
gboolean           spark_commit_dialog_get_busy    (SparkCommitDialog *self);

G_END_DECLS
