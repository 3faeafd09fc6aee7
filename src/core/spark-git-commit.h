/* spark-git-commit.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SparkGitCommitError:
 * @SPARK_GIT_COMMIT_ERROR_NO_IDENTITY: user.name or user.email is not set
 * @SPARK_GIT_COMMIT_ERROR_EMPTY_MESSAGE: the message is empty or blank
 * @SPARK_GIT_COMMIT_ERROR_NOTHING_STAGED: the index matches HEAD
 * @SPARK_GIT_COMMIT_ERROR_CONFLICTS: the index has unresolved conflicts
 * @SPARK_GIT_COMMIT_ERROR_BUSY: a merge, rebase, cherry-pick… is in progress
 * @SPARK_GIT_COMMIT_ERROR_FAILED: libgit2 failed (the message says why)
 */
typedef enum
{
  SPARK_GIT_COMMIT_ERROR_NO_IDENTITY,
  SPARK_GIT_COMMIT_ERROR_EMPTY_MESSAGE,
  SPARK_GIT_COMMIT_ERROR_NOTHING_STAGED,
  SPARK_GIT_COMMIT_ERROR_CONFLICTS,
  SPARK_GIT_COMMIT_ERROR_BUSY,
  SPARK_GIT_COMMIT_ERROR_FAILED,
} SparkGitCommitError;

#define SPARK_GIT_COMMIT_ERROR (spark_git_commit_error_quark ())
GQuark    spark_git_commit_error_quark     (void);

/* Commits the index on the current branch (HEAD, which may be unborn) with
 * author and committer from git config (user.name, user.email). Blocking;
 * git hooks are not run. Returns the new commit's id in hex. */
char     *spark_git_commit                 (const char           *repo_path,
                                            const char           *message,
                                            GError              **error);
void      spark_git_commit_async           (const char           *repo_path,
                                            const char           *message,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char     *spark_git_commit_finish          (GAsyncResult         *result,
                                            GError              **error);

/* The identity a commit would use, for the commit dialog to show.
 * Fails with SPARK_GIT_COMMIT_ERROR_NO_IDENTITY, saying what to run. */
gboolean  spark_git_commit_get_identity    (const char           *repo_path,
                                            char                **name,
                                            char                **email,
                                            GError              **error);

/* Turns the patch engine's report ("Success. Updated the following
 * files:\nM a.c\nA b.c\n") into a commit message: a summary line, a blank
 * line, and one line per file. NULL when the report names no file. */
char     *spark_git_summarize_for_message  (const char           *apply_report);

G_END_DECLS
