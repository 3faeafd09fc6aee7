/* spark-patch-private.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-changeset.h"
#include "spark-file-change.h"
#include "spark-file-util.h"
#include "spark-hunk.h"
#include "spark-merge.h"
#include "spark-workspace.h"

G_BEGIN_DECLS

/* Shared between the rooms of the patch engine; not for other layers. */

void         _spark_hunk_set_index          (SparkHunk        *self,
                                             guint             index);
void         _spark_hunk_set_patch_line     (SparkHunk        *self,
                                             guint             line);
void         _spark_hunk_set_location       (SparkHunk        *self,
                                             guint             start,
                                             guint             length,
                                             guint             new_drop,
                                             SparkMatchFuzz    fuzz);
/* @message for the person, @model_message (English) for the model, or
 * NULL when it is the same text. */
void         _spark_hunk_set_conflict       (SparkHunk        *self,
                                             const char       *message,
                                             const char       *model_message);
void         _spark_hunk_set_old_lines      (SparkHunk        *self,
                                             char            **lines);
/* A merge-conflict hunk for @conflict, the @conflict_index-th of its
 * merge, in SPARK_HUNK_CONFLICT with @message (and @model_message). */
SparkHunk   *_spark_hunk_new_merge_conflict (const SparkMergeConflict *conflict,
                                             guint                     conflict_index,
                                             const char               *message,
                                             const char               *model_message);
guint        _spark_hunk_get_merge_index    (SparkHunk        *self);
/* The custom resolution text (with endings), or NULL. */
const char  *_spark_hunk_get_merge_custom   (SparkHunk        *self);
/* Location from 0, as the matcher gave it. */
guint        _spark_hunk_get_start          (SparkHunk        *self);
guint        _spark_hunk_get_new_drop       (SparkHunk        *self);

void         _spark_file_change_set_complete   (SparkFileChange *self);
void         _spark_file_change_set_patch_line (SparkFileChange *self,
                                                guint            line);
/* Reads the file from @workspace and locates every hunk (now and later). */
void         _spark_file_change_bind        (SparkFileChange  *self,
                                             SparkWorkspace   *workspace);
SparkWorkspace *_spark_file_change_get_workspace (SparkFileChange *self);
/* Puts the whole operation (present and future hunks) in conflict; takes
 * @error (for the person) and @model_error (English, for the model, or
 * NULL when the same). */
void         _spark_file_change_fail        (SparkFileChange  *self,
                                             GError           *error,
                                             GError           *model_error);

/* What the bound file looked like when it was read. */
typedef struct
{
  char          *abs_path;      /* resolved source path */
  char          *abs_move_path; /* resolved destination of a move, or NULL */
  gboolean       exists;
  char          *text;          /* LF text (update/delete/move) */
  gsize          length;
  SparkNewline   newline;
  gboolean       bom;           /* the file started with a UTF-8 byte order mark */
  GBytes        *raw;           /* the bytes on disk when read */
  gboolean       mixed;         /* CRLF and LF lines: lines keep their CR */
  guint          mode;          /* st_mode & 07777, 0 when missing */
  char         **lines;         /* text split as the reference does */
  guint          n_lines;
} SparkFileOriginal;

const SparkFileOriginal *_spark_file_change_get_original (SparkFileChange *self);

/* Three-way merges (the transaction's, when the file changed after it was
 * read). A merge left in conflict is kept with the bytes it merged (@ours),
 * so the next apply writes its resolution, and only onto those bytes. */
void              _spark_file_change_add_merge_conflicts (SparkFileChange  *self,
                                                          SparkMergeResult *result,
                                                          GBytes           *ours);
SparkMergeResult *_spark_file_change_get_merge           (SparkFileChange  *self,
                                                          GBytes          **ours);
void              _spark_file_change_set_merged_text     (SparkFileChange  *self,
                                                          const char       *text);

/* The text an unsaved editor tab holds for @file (see
 * spark_changeset_set_current_text()), or NULL. */
GBytes           *_spark_changeset_get_current_text      (SparkChangeset   *self,
                                                          SparkFileChange  *file);

G_END_DECLS
