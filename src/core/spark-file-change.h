/* spark-file-change.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-hunk.h"

G_BEGIN_DECLS

/**
 * SparkFileChangeKind:
 * @SPARK_FILE_CHANGE_ADD: `*** Add File:` (overwrites an existing file)
 * @SPARK_FILE_CHANGE_DELETE: `*** Delete File:`
 * @SPARK_FILE_CHANGE_UPDATE: `*** Update File:`
 * @SPARK_FILE_CHANGE_MOVE: `*** Update File:` followed by `*** Move to:`
 */
typedef enum
{
  SPARK_FILE_CHANGE_ADD,
  SPARK_FILE_CHANGE_DELETE,
  SPARK_FILE_CHANGE_UPDATE,
  SPARK_FILE_CHANGE_MOVE,
} SparkFileChangeKind;

#define SPARK_TYPE_FILE_CHANGE_KIND (spark_file_change_kind_get_type ())
GType spark_file_change_kind_get_type (void) G_GNUC_CONST;

#define SPARK_TYPE_FILE_CHANGE (spark_file_change_get_type ())

G_DECLARE_FINAL_TYPE (SparkFileChange, spark_file_change, SPARK, FILE_CHANGE, GObject)

/* One file operation of a patch. It is a GListModel of SparkHunk: hunks are
 * appended while the patch streams in (items-changed fires for each).
 *
 * Once a SparkChangeset has adopted it (with a workspace), the file is read
 * and every hunk is located in it as it arrives; a hunk that cannot be placed,
 * or an operation that cannot be done (updating a missing file, deleting a
 * folder, a path outside the project), puts the hunks in SPARK_HUNK_CONFLICT
 * and sets spark_file_change_get_error(). */

SparkFileChange     *spark_file_change_new            (SparkFileChangeKind  kind,
                                                       const char          *path,
                                                       const char          *move_path);
SparkFileChangeKind  spark_file_change_get_kind       (SparkFileChange     *self);
/* The path as the patch wrote it (relative to the project root). */
const char          *spark_file_change_get_path       (SparkFileChange     *self);
/* The destination of a move, or NULL. */
const char          *spark_file_change_get_move_path  (SparkFileChange     *self);
/* TRUE once the parser saw the end of the operation (no more hunks). */
gboolean             spark_file_change_get_complete   (SparkFileChange     *self);
/* The line of the patch text holding the operation's header, from 1. */
guint                spark_file_change_get_patch_line (SparkFileChange     *self);
/* Why the whole operation cannot be applied, or NULL. */
const GError        *spark_file_change_get_error      (SparkFileChange     *self);

guint                spark_file_change_get_n_hunks    (SparkFileChange     *self);
SparkHunk           *spark_file_change_get_hunk       (SparkFileChange     *self,
                                                       guint                index);
/* Counts hunks in @state. */
guint                spark_file_change_count_state    (SparkFileChange     *self,
                                                       SparkHunkState       state);
/* TRUE when the operation will be written: some hunk is accepted or edited
 * (for a delete or a move: its hunk, or any hunk, is). */
gboolean             spark_file_change_is_accepted    (SparkFileChange     *self);

/* Accept every hunk that is not in conflict / reject every hunk. Accepting
 * fails (leaving the others accepted) when a hunk is in conflict. */
gboolean             spark_file_change_accept_all     (SparkFileChange     *self,
                                                       GError             **error);
void                 spark_file_change_reject_all     (SparkFileChange     *self);

/* After an apply that merged the proposal with the person's concurrent edits
 * (see SparkTransaction): the text written, which an open editor tab of the
 * file should now hold. NULL when the last apply did not merge this file. */
const char          *spark_file_change_get_merged_text (SparkFileChange   *self);

/* Used by the parser: appends @hunk (taking a reference), locating it first
 * when a workspace is bound; emits items-changed. */
void                 spark_file_change_append_hunk    (SparkFileChange     *self,
                                                       SparkHunk           *hunk);

G_END_DECLS
