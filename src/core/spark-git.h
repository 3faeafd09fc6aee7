/* spark-git.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the file tree shows for a path. Folders get MODIFIED when anything
 * below them changed. */
typedef enum
{
  SPARK_GIT_STATUS_NONE,
  SPARK_GIT_STATUS_MODIFIED,
  SPARK_GIT_STATUS_NEW,
  SPARK_GIT_STATUS_DELETED,
  SPARK_GIT_STATUS_RENAMED,
  SPARK_GIT_STATUS_CONFLICTED,
} SparkGitStatus;

#define SPARK_TYPE_GIT (spark_git_get_type ())

G_DECLARE_FINAL_TYPE (SparkGit, spark_git, SPARK, GIT, GObject)

SparkGit       *spark_git_open                 (const char    *root,
                                                GError       **error);
const char     *spark_git_get_root             (SparkGit      *self);
const char     *spark_git_get_git_dir          (SparkGit      *self);
gboolean        spark_git_is_ignored           (SparkGit      *self,
                                                const char    *relpath,
                                                gboolean       is_dir);
GHashTable     *spark_git_read_status          (SparkGit      *self,
                                                GError       **error);
void            spark_git_read_status_async    (SparkGit      *self,
                                                GCancellable  *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer       user_data);
GHashTable     *spark_git_read_status_finish   (SparkGit      *self,
                                                GAsyncResult  *result,
                                                GError       **error);
SparkGitStatus  spark_git_status_from_flags    (unsigned int   git_status_flags);
const char     *spark_git_status_to_letter     (SparkGitStatus status);
const char     *spark_git_status_to_string     (SparkGitStatus status);

G_END_DECLS
