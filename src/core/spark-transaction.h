/* spark-transaction.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-changeset.h"
#include "spark-checkpoints.h"
#include "spark-workspace.h"

G_BEGIN_DECLS

#define SPARK_TYPE_TRANSACTION (spark_transaction_get_type ())

G_DECLARE_FINAL_TYPE (SparkTransaction, spark_transaction, SPARK, TRANSACTION, GObject)

/*
 * SparkTransaction: applies the accepted and edited hunks of a changeset,
 * all or nothing.
 *
 *  1. plan: compute every file's new bytes (keeping its line endings and
 *     mode; the result ends with a newline, as the reference client does);
 *     any accepted hunk in conflict fails the whole apply before anything
 *     is written;
 *  2. checkpoint the working tree (SparkCheckpoints);
 *  3. write each file atomically (temp file, fsync, rename), create parent
 *     folders, delete files;
 *  4. on any failure, restore every file already touched and remove the
 *     folders created, so the tree is byte-identical to before.
 *
 * Concurrent edits: when an updated (or moved) file no longer holds what the
 * patch was read against (on disk, or in the text given with
 * spark_changeset_set_current_text()), the plan merges three ways
 * (spark_merge_three_way(): base = the bytes read, ours = the file now,
 * theirs = base with the accepted and edited hunks):
 *  - a clean merge is written like any other file (same atomic write, same
 *    rollback), the result text says "Merged with the person's concurrent
 *    edits to a.c…", and spark_file_change_get_merged_text() has the text;
 *  - a merge with conflicts writes nothing to that file: one merge-conflict
 *    hunk per conflict is appended to its SparkFileChange (see
 *    spark_hunk_resolve_conflict()), the result text tells the model which
 *    lines the person changed, and the other files still apply. When no
 *    other file is written the apply fails with SPARK_PATCH_ERROR_CONFLICT
 *    and the same text;
 *  - once every conflict hunk of the file is resolved, the next apply writes
 *    the merge with the resolutions, only if the file still holds the bytes
 *    that were merged (otherwise it is left alone and the model told).
 * A deleted file that changed, or one that cannot be merged (not UTF-8), is
 * still refused: the whole apply fails before anything is written.
 *
 * spark_transaction_get_result_text() then holds the model-facing text and
 * spark_transaction_get_report() the person-facing one. Errors are in the
 * language of the calling thread's audience (spark_audience_push()).
 */

SparkTransaction *spark_transaction_new                (SparkWorkspace    *workspace,
                                                        SparkChangeset    *changeset);
/* Default TRUE. */
void              spark_transaction_set_checkpoint     (SparkTransaction  *self,
                                                        gboolean           checkpoint);
gboolean          spark_transaction_run                (SparkTransaction  *self,
                                                        GError           **error);
/* Plans on the calling thread (reads the changeset), writes in a worker. */
void              spark_transaction_run_async          (SparkTransaction    *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean          spark_transaction_run_finish         (SparkTransaction    *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* After a successful run, for the model, in English whatever the locale:
 * e.g. "Success. Updated the following files:\nM a.c\n", preceded by
 * "Applied 3 of 4 hunks to a.c; rejected hunk 2 (…) by the reviewer." lines
 * when some hunks were not applied. */
const char       *spark_transaction_get_result_text    (SparkTransaction  *self);
/* The same facts for the person, in their language: a sentence a line
 * ("Applied 3 of 4 hunks to a.c.", "Hunk 2 was rejected."), then a header
 * ending in ':' ("Changed 2 files:") and the same "M a.c" lines. */
const char       *spark_transaction_get_report         (SparkTransaction  *self);
/* The checkpoint taken before writing, or NULL. */
SparkCheckpoint  *spark_transaction_get_checkpoint     (SparkTransaction  *self);

/* Testing only: make the @nth file write or delete (from 1) fail. 0 = off. */
void              spark_transaction_inject_failure     (SparkTransaction  *self,
                                                        guint              nth);

G_END_DECLS
