/* spark-patch-private.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-file-change.h"
#include "spark-file-util.h"
#include "spark-hunk.h"
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
void         _spark_hunk_set_conflict       (SparkHunk        *self,
                                             const char       *message);
void         _spark_hunk_set_old_lines      (SparkHunk        *self,
                                             char            **lines);
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
/* Puts the whole operation (present and future hunks) in conflict. */
void         _spark_file_change_fail        (SparkFileChange  *self,
                                             GError           *error);

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

G_END_DECLS
