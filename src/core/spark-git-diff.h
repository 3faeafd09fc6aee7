/* spark-git-diff.h
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

/* A GListModel of SparkGitDiffFile, sorted by path. A snapshot: read a new
 * one after changing the tree or the index. */
#define SPARK_TYPE_GIT_DIFF (spark_git_diff_get_type ())

G_DECLARE_FINAL_TYPE (SparkGitDiff, spark_git_diff, SPARK, GIT_DIFF, GObject)

/* @repo_path: any folder inside the work tree. Blocking. */
SparkGitDiff     *spark_git_diff_new              (const char           *repo_path,
                                                   SparkGitDiffKind      kind,
                                                   GError              **error);
void              spark_git_diff_new_async        (const char           *repo_path,
                                                   SparkGitDiffKind      kind,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
SparkGitDiff     *spark_git_diff_new_finish       (GAsyncResult         *result,
                                                   GError              **error);
SparkGitDiffKind  spark_git_diff_get_kind         (SparkGitDiff         *self);
/* The work tree's root, absolute, without a trailing '/'. */
const char       *spark_git_diff_get_workdir      (SparkGitDiff         *self);
/* The file at @path (work-tree relative), or NULL. */
SparkGitDiffFile *spark_git_diff_lookup           (SparkGitDiff         *self,
                                                   const char           *path);

/* Index operations. They never touch the work tree. A hunk is found again
 * in a fresh diff before it is applied: when the file changed since @file
 * was read, they fail with G_IO_ERROR_NOT_FOUND (read the diff again).
 *
 * stage_hunk takes a hunk of a %SPARK_GIT_DIFF_UNSTAGED file, unstage_hunk
 * one of a %SPARK_GIT_DIFF_STAGED file. Both also take a hunk of a
 * %SPARK_GIT_DIFF_HEAD file: then every unstaged (staged) change inside it
 * moves, so that the hunk is all staged (unstaged); a hunk already so is
 * left alone. For an added, deleted, renamed or binary file a hunk is the
 * whole file, so the whole file is (un)staged. A conflicted file has no
 * hunks: stage it whole once resolved.
 *
 * The file operations take a file of any kind: staging makes the index match
 * the work tree for that path (a missing file is removed from the index);
 * unstaging makes it match HEAD (both paths of a rename). */
gboolean          spark_git_diff_stage_hunk       (const char           *repo_path,
                                                   SparkGitDiffFile     *file,
                                                   SparkGitDiffHunk     *hunk,
                                                   GError              **error);
gboolean          spark_git_diff_unstage_hunk     (const char           *repo_path,
                                                   SparkGitDiffFile     *file,
                                                   SparkGitDiffHunk     *hunk,
                                                   GError              **error);
gboolean          spark_git_diff_stage_file       (const char           *repo_path,
                                                   SparkGitDiffFile     *file,
                                                   GError              **error);
gboolean          spark_git_diff_unstage_file     (const char           *repo_path,
                                                   SparkGitDiffFile     *file,
                                                   GError              **error);

/* The same in a worker thread. @hunk may be NULL: then the whole file. */
void              spark_git_diff_stage_async      (const char           *repo_path,
                                                   SparkGitDiffFile     *file,
                                                   SparkGitDiffHunk     *hunk,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          spark_git_diff_stage_finish     (GAsyncResult         *result,
                                                   GError              **error);
void              spark_git_diff_unstage_async    (const char           *repo_path,
                                                   SparkGitDiffFile     *file,
                                                   SparkGitDiffHunk     *hunk,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          spark_git_diff_unstage_finish   (GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
