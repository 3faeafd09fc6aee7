/* spark-git-diff-file.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SparkGitDiffKind:
 * @SPARK_GIT_DIFF_HEAD: HEAD → work tree, what `git diff HEAD` shows, with
 *   untracked files as additions; each hunk says whether it is staged
 * @SPARK_GIT_DIFF_STAGED: HEAD → index, what `git diff --cached` shows
 * @SPARK_GIT_DIFF_UNSTAGED: index → work tree, what `git diff` shows, with
 *   untracked files as additions
 *
 * On an unborn branch HEAD is the empty tree.
 */
typedef enum
{
  SPARK_GIT_DIFF_HEAD,
  SPARK_GIT_DIFF_STAGED,
  SPARK_GIT_DIFF_UNSTAGED,
} SparkGitDiffKind;

typedef enum
{
  SPARK_GIT_DIFF_FILE_ADDED,
  SPARK_GIT_DIFF_FILE_MODIFIED,
  SPARK_GIT_DIFF_FILE_DELETED,
  SPARK_GIT_DIFF_FILE_RENAMED,
  SPARK_GIT_DIFF_FILE_CONFLICTED,
} SparkGitDiffFileStatus;

/**
 * SparkGitStageState:
 * @SPARK_GIT_STAGE_UNSTAGED: none of the change is in the index
 * @SPARK_GIT_STAGE_STAGED: all of the change is in the index
 * @SPARK_GIT_STAGE_PARTIAL: some of it is (only in a %SPARK_GIT_DIFF_HEAD view)
 */
typedef enum
{
  SPARK_GIT_STAGE_UNSTAGED,
  SPARK_GIT_STAGE_STAGED,
  SPARK_GIT_STAGE_PARTIAL,
} SparkGitStageState;

#define SPARK_TYPE_GIT_DIFF_KIND        (spark_git_diff_kind_get_type ())
#define SPARK_TYPE_GIT_DIFF_FILE_STATUS (spark_git_diff_file_status_get_type ())
#define SPARK_TYPE_GIT_STAGE_STATE      (spark_git_stage_state_get_type ())
GType spark_git_diff_kind_get_type        (void) G_GNUC_CONST;
GType spark_git_diff_file_status_get_type (void) G_GNUC_CONST;
GType spark_git_stage_state_get_type      (void) G_GNUC_CONST;

/* One line of a hunk. */
typedef struct
{
  char        origin;           /* ' ', '+' or '-' */
  int         old_lineno;       /* -1 for an addition */
  int         new_lineno;       /* -1 for a deletion */
  const char *text;             /* without its line break */
  gboolean    missing_newline;  /* the last line of a file without a final '\n' */
} SparkGitDiffLine;

/* A hunk: an immutable, reference-counted snapshot. */
typedef struct _SparkGitDiffHunk SparkGitDiffHunk;

#define SPARK_TYPE_GIT_DIFF_HUNK (spark_git_diff_hunk_get_type ())
GType                   spark_git_diff_hunk_get_type       (void) G_GNUC_CONST;
SparkGitDiffHunk       *spark_git_diff_hunk_ref            (SparkGitDiffHunk *self);
void                    spark_git_diff_hunk_unref          (SparkGitDiffHunk *self);
/* "@@ -a,b +c,d @@" plus git's function context, if any. */
const char             *spark_git_diff_hunk_get_header     (SparkGitDiffHunk *self);
guint                   spark_git_diff_hunk_get_old_start  (SparkGitDiffHunk *self);
guint                   spark_git_diff_hunk_get_old_lines  (SparkGitDiffHunk *self);
guint                   spark_git_diff_hunk_get_new_start  (SparkGitDiffHunk *self);
guint                   spark_git_diff_hunk_get_new_lines  (SparkGitDiffHunk *self);
guint                   spark_git_diff_hunk_get_n_lines    (SparkGitDiffHunk *self);
const SparkGitDiffLine *spark_git_diff_hunk_get_line       (SparkGitDiffHunk *self,
                                                            guint             index);
SparkGitStageState      spark_git_diff_hunk_get_stage_state (SparkGitDiffHunk *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkGitDiffHunk, spark_git_diff_hunk_unref)

/* One file of a diff (immutable). Paths are relative to the work tree's root,
 * as git prints them, whatever folder the diff was read from. The getters
 * are also read-only properties ("path", "old-path", "status", "binary",
 * "additions", "deletions", "stage-state", "n-hunks", "kind") for views. */
#define SPARK_TYPE_GIT_DIFF_FILE (spark_git_diff_file_get_type ())

G_DECLARE_FINAL_TYPE (SparkGitDiffFile, spark_git_diff_file, SPARK, GIT_DIFF_FILE, GObject)

SparkGitDiffKind        spark_git_diff_file_get_kind        (SparkGitDiffFile *self);
const char             *spark_git_diff_file_get_path        (SparkGitDiffFile *self);
/* The path before a rename, else the same as the path. */
const char             *spark_git_diff_file_get_old_path    (SparkGitDiffFile *self);
SparkGitDiffFileStatus  spark_git_diff_file_get_status      (SparkGitDiffFile *self);
gboolean                spark_git_diff_file_get_binary      (SparkGitDiffFile *self);
guint                   spark_git_diff_file_get_additions   (SparkGitDiffFile *self);
guint                   spark_git_diff_file_get_deletions   (SparkGitDiffFile *self);
SparkGitStageState      spark_git_diff_file_get_stage_state (SparkGitDiffFile *self);
guint                   spark_git_diff_file_get_n_hunks     (SparkGitDiffFile *self);
SparkGitDiffHunk       *spark_git_diff_file_get_hunk        (SparkGitDiffFile *self,
                                                             guint             index);

G_END_DECLS
