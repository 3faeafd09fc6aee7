/* spark-changeset.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-file-change.h"
#include "spark-hunk.h"
#include "spark-patch-parser.h"
#include "spark-workspace.h"

G_BEGIN_DECLS

#define SPARK_TYPE_CHANGESET (spark_changeset_get_type ())

G_DECLARE_FINAL_TYPE (SparkChangeset, spark_changeset, SPARK, CHANGESET, GObject)

/*
 * SparkChangeset: the single source of truth for review. A GListModel of
 * SparkFileChange, each a GListModel of SparkHunk.
 *
 * With a workspace, every file is read when its operation starts and every
 * hunk is located in it as it arrives, so a hunk is PENDING (located) or
 * CONFLICT (with a message) from the moment it shows up.
 *
 * Typical streaming use:
 *
 *   parser = spark_patch_parser_new ();
 *   changeset = spark_changeset_new (workspace);
 *   spark_changeset_follow_parser (changeset, parser);
 *   ... spark_patch_parser_feed (parser, delta, -1, &error) per delta ...
 *   spark_patch_parser_finish (parser, &error);
 *   ... the person accepts / rejects / edits hunks ...
 *   result = spark_changeset_apply (changeset, &error);
 */

/* @workspace: (nullable): where hunks are located and applied */
SparkChangeset  *spark_changeset_new               (SparkWorkspace    *workspace);
SparkWorkspace  *spark_changeset_get_workspace     (SparkChangeset    *self);
/* Adds every operation @parser reads (already read ones too) as it starts. */
void             spark_changeset_follow_parser     (SparkChangeset    *self,
                                                    SparkPatchParser  *parser);
/* Adds one operation (e.g. from spark_patch_parse_operation()). */
void             spark_changeset_add_file          (SparkChangeset    *self,
                                                    SparkFileChange   *file);
/* Adds every SparkFileChange of @files. */
void             spark_changeset_add_files         (SparkChangeset    *self,
                                                    GListModel        *files);

guint            spark_changeset_get_n_files       (SparkChangeset    *self);
SparkFileChange *spark_changeset_get_file          (SparkChangeset    *self,
                                                    guint              index);
guint            spark_changeset_count_state       (SparkChangeset    *self,
                                                    SparkHunkState     state);
guint            spark_changeset_get_n_hunks       (SparkChangeset    *self);

/* Accepts every hunk; fails with SPARK_PATCH_ERROR_CONFLICT (listing every
 * conflict) when some hunk cannot be placed, leaving the others accepted. */
gboolean         spark_changeset_accept_all        (SparkChangeset    *self,
                                                    GError           **error);
void             spark_changeset_reject_all        (SparkChangeset    *self);

/* What a file holds now when an unsaved editor tab has it (@text NULL:
 * forget it, read the disk). Used instead of the disk bytes to decide
 * whether the person edited the file after the model read it, and as "ours"
 * in the merge; see SparkTransaction. @path: relative to the project root
 * (as the patch names it) or absolute. */
void             spark_changeset_set_current_text  (SparkChangeset    *self,
                                                    const char        *path,
                                                    const char        *text,
                                                    gssize             length);

/* Applies the accepted and edited hunks to the workspace as one transaction
 * (see SparkTransaction): a checkpoint first, then atomic writes, rolled back
 * on any failure. Returns the model-facing result text (English whatever the
 * locale); errors are in the language of the calling thread's audience
 * (spark_audience_push()). */
char            *spark_changeset_apply             (SparkChangeset    *self,
                                                    GError           **error);
/* What the last successful apply did, for the person, translated. */
const char      *spark_changeset_get_report        (SparkChangeset    *self);

/* The same without blocking: files are planned on the calling thread and
 * written in a worker thread. The result is the model-facing text. */
void             spark_changeset_apply_async       (SparkChangeset       *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char            *spark_changeset_apply_finish      (SparkChangeset       *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* A plain-text listing of the operations, hunks, states and locations (what
 * `spark apply-patch --dry-run` prints). */
char            *spark_changeset_describe          (SparkChangeset    *self);

G_END_DECLS
