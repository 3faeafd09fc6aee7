/* spark-git-diff-private.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <git2.h>

#include "spark-git-diff.h"

G_BEGIN_DECLS

/* Shared by SparkGitDiff, which builds files and hunks from libgit2 patches
 * and reads their fields when it (un)stages them. */

struct _SparkGitDiffHunk
{
  char               *header;
  guint               old_start;
  guint               old_lines;
  guint               new_start;
  guint               new_lines;
  GArray             *lines;      /* of SparkGitDiffLine, text owned */
  SparkGitStageState  state;
};

struct _SparkGitDiffFile
{
  GObject                 parent_instance;

  SparkGitDiffKind        kind;
  char                   *path;
  char                   *old_path;
  SparkGitDiffFileStatus  status;
  gboolean                binary;
  guint                   additions;
  guint                   deletions;
  SparkGitStageState      state;
  GPtrArray              *hunks;  /* of SparkGitDiffHunk */
};

SparkGitDiffHunk *spark_git_diff_hunk_new_from_patch (git_patch         *patch,
                                                      gsize              index);
/* TRUE when both hunks have the same lines (origins, texts, final newline). */
gboolean          spark_git_diff_hunk_same_lines     (SparkGitDiffHunk  *a,
                                                      SparkGitDiffHunk  *b);
/* NULL (without an error) for a delta that is not a change. */
SparkGitDiffFile *spark_git_diff_file_new_from_patch (SparkGitDiffKind   kind,
                                                      git_patch         *patch,
                                                      GError           **error);

G_END_DECLS
