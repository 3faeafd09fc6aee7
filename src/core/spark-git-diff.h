/* spark-git-diff.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-git-diff-file.h"

G_BEGIN_DECLS

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
