/* test-git-diff.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <glib/gstdio.h>

#include "spark-git-commit.h"
#include "spark-git-diff.h"
#include "spark-test-utils.h"

/* 20 lines; LINES_2_18 changes lines 2 and 18, far enough apart to make two
 * hunks. */
#define LINES \
  "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n" \
  "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nline 18\nline 19\nline 20\n"
#define LINES_2_18 \
  "line 1\nLINE 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n" \
  "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nLINE 18\nline 19\nline 20\n"
#define LINES_2 \
  "line 1\nLINE 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n" \
  "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nline 18\nline 19\nline 20\n"
/* Two lines added after line 1, line 18 deleted. */
#define LINES_ADD_1_DEL_18 \
  "line 1\nnew a\nnew b\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n" \
  "line 9\nline 10\nline 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\n" \
  "line 19\nline 20\n"

#define HUNK_2 \
  "@@ -1,5 +1,5 @@\n line 1\n-line 2\n+LINE 2\n line 3\n line 4\n line 5\n"
#define HUNK_18 \
  "@@ -15,6 +15,6 @@ line 14\n line 15\n line 16\n line 17\n-line 18\n+LINE 18\n line 19\n line 20\n"

static char *fake_home;

/* The text of a `git diff` from its first hunk header on (no index line,
 * whose ids the test does not know). */
static const char *
from_first_hunk (const char *diff)
{
  const char *at = strstr (diff, "@@ ");

  return at ? at : "";
}

static char *
make_repo (gboolean with_identity)
{
  char *dir = spark_test_make_temp_dir ();

  spark_test_git (dir, "init", "-q", NULL);
  if (with_identity)
    {
      spark_test_git (dir, "config", "user.name", "Ada Lovelace", NULL);
      spark_test_git (dir, "config", "user.email", "ada@example.invalid", NULL);
    }
  return dir;
}

static void
commit_all (const char *dir)
{
  spark_test_git (dir, "add", "-A", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "base", NULL);
}

/* A repository whose a.txt, committed as LINES, now reads @edited in the
 * work tree. */
static char *
make_edited_repo (gboolean    with_identity,
                  const char *edited)
{
  char *dir = make_repo (with_identity);

  spark_test_write_file (dir, "a.txt", LINES);
  commit_all (dir);
  spark_test_write_file (dir, "a.txt", edited);
  return dir;
}

static SparkGitDiff *
read_diff (const char       *dir,
           SparkGitDiffKind  kind)
{
  g_autoptr(GError) error = NULL;
  SparkGitDiff *diff = spark_git_diff_new (dir, kind, &error);

  g_assert_no_error (error);
  g_assert_nonnull (diff);
  return diff;
}

static void
assert_line (SparkGitDiffHunk *hunk,
             guint             index,
             char              origin,
             int               old_lineno,
             int               new_lineno,
             const char       *text)
{
  const SparkGitDiffLine *line = spark_git_diff_hunk_get_line (hunk, index);

  g_assert_cmpint (line->origin, ==, origin);
  g_assert_cmpint (line->old_lineno, ==, old_lineno);
  g_assert_cmpint (line->new_lineno, ==, new_lineno);
  g_assert_cmpstr (line->text, ==, text);
  g_assert_false (line->missing_newline);
}

static void
test_views (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autoptr(SparkGitDiff) head = NULL;
  g_autoptr(SparkGitDiff) staged = NULL;
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(SparkGitDiffFile) first = NULL;
  g_autofree char *cli = NULL;
  SparkGitDiffFile *file;
  SparkGitDiffHunk *hunk;

  spark_test_write_file (dir, "a.txt", LINES);
  spark_test_write_file (dir, "b.txt", "bye\n");
  spark_test_write_file (dir, "e.txt", "keep\n");
  commit_all (dir);

  spark_test_write_file (dir, "a.txt", LINES_2_18);
  spark_test_git (dir, "rm", "-q", "b.txt", NULL);
  spark_test_write_file (dir, "c.txt", "new 1\nnew 2\n");
  spark_test_write_file (dir, "d.txt", "staged\n");
  spark_test_git (dir, "add", "d.txt", NULL);

  head = read_diff (dir, SPARK_GIT_DIFF_HEAD);
  g_assert_cmpint (spark_git_diff_get_kind (head), ==, SPARK_GIT_DIFF_HEAD);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (head)) == SPARK_TYPE_GIT_DIFF_FILE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (head)), ==, 4);
  first = g_list_model_get_item (G_LIST_MODEL (head), 0);
  g_assert_cmpstr (spark_git_diff_file_get_path (first), ==, "a.txt");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (head), 4));

  /* Modified: two hunks, as git prints them. */
  file = spark_git_diff_lookup (head, "a.txt");
  g_assert_true (file == first);
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_MODIFIED);
  g_assert_cmpstr (spark_git_diff_file_get_old_path (file), ==, "a.txt");
  g_assert_false (spark_git_diff_file_get_binary (file));
  g_assert_cmpuint (spark_git_diff_file_get_additions (file), ==, 2);
  g_assert_cmpuint (spark_git_diff_file_get_deletions (file), ==, 2);
  g_assert_cmpint (spark_git_diff_file_get_stage_state (file), ==, SPARK_GIT_STAGE_UNSTAGED);
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 2);

  hunk = spark_git_diff_file_get_hunk (file, 0);
  g_assert_cmpstr (spark_git_diff_hunk_get_header (hunk), ==, "@@ -1,5 +1,5 @@");
  g_assert_cmpuint (spark_git_diff_hunk_get_old_start (hunk), ==, 1);
  g_assert_cmpuint (spark_git_diff_hunk_get_old_lines (hunk), ==, 5);
  g_assert_cmpuint (spark_git_diff_hunk_get_new_start (hunk), ==, 1);
  g_assert_cmpuint (spark_git_diff_hunk_get_new_lines (hunk), ==, 5);
  g_assert_cmpuint (spark_git_diff_hunk_get_n_lines (hunk), ==, 6);
  assert_line (hunk, 0, ' ', 1, 1, "line 1");
  assert_line (hunk, 1, '-', 2, -1, "line 2");
  assert_line (hunk, 2, '+', -1, 2, "LINE 2");
  assert_line (hunk, 5, ' ', 5, 5, "line 5");
  g_assert_cmpint (spark_git_diff_hunk_get_stage_state (hunk), ==, SPARK_GIT_STAGE_UNSTAGED);

  hunk = spark_git_diff_file_get_hunk (file, 1);
  g_assert_cmpstr (spark_git_diff_hunk_get_header (hunk), ==, "@@ -15,6 +15,6 @@ line 14");
  g_assert_cmpuint (spark_git_diff_hunk_get_n_lines (hunk), ==, 7);

  /* The same headers as `git diff HEAD`. */
  cli = spark_test_git_output (dir, "diff", "HEAD", "--", "a.txt", NULL);
  g_assert_cmpstr (from_first_hunk (cli), ==, HUNK_2 HUNK_18);

  /* Deleted (and staged so). */
  file = spark_git_diff_lookup (head, "b.txt");
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_DELETED);
  g_assert_cmpuint (spark_git_diff_file_get_deletions (file), ==, 1);
  g_assert_cmpuint (spark_git_diff_file_get_additions (file), ==, 0);
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 1);
  hunk = spark_git_diff_file_get_hunk (file, 0);
  g_assert_cmpstr (spark_git_diff_hunk_get_header (hunk), ==, "@@ -1 +0,0 @@");
  assert_line (hunk, 0, '-', 1, -1, "bye");
  g_assert_cmpint (spark_git_diff_hunk_get_stage_state (hunk), ==, SPARK_GIT_STAGE_STAGED);
  g_assert_cmpint (spark_git_diff_file_get_stage_state (file), ==, SPARK_GIT_STAGE_STAGED);

  /* Untracked: an addition, not staged. */
  file = spark_git_diff_lookup (head, "c.txt");
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_ADDED);
  g_assert_cmpuint (spark_git_diff_file_get_additions (file), ==, 2);
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 1);
  hunk = spark_git_diff_file_get_hunk (file, 0);
  g_assert_cmpstr (spark_git_diff_hunk_get_header (hunk), ==, "@@ -0,0 +1,2 @@");
  assert_line (hunk, 1, '+', -1, 2, "new 2");
  g_assert_cmpint (spark_git_diff_file_get_stage_state (file), ==, SPARK_GIT_STAGE_UNSTAGED);
  g_assert_cmpint (spark_git_diff_hunk_get_stage_state (hunk), ==, SPARK_GIT_STAGE_UNSTAGED);

  /* Added and staged. */
  file = spark_git_diff_lookup (head, "d.txt");
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_ADDED);
  g_assert_cmpint (spark_git_diff_file_get_stage_state (file), ==, SPARK_GIT_STAGE_STAGED);
  g_assert_cmpint (spark_git_diff_hunk_get_stage_state (spark_git_diff_file_get_hunk (file, 0)),
                   ==, SPARK_GIT_STAGE_STAGED);

  g_assert_null (spark_git_diff_lookup (head, "e.txt"));

  /* HEAD → index: what `git diff --cached` lists. */
  staged = read_diff (dir, SPARK_GIT_DIFF_STAGED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (staged)), ==, 2);
  g_assert_nonnull (spark_git_diff_lookup (staged, "b.txt"));
  file = spark_git_diff_lookup (staged, "d.txt");
  g_assert_cmpint (spark_git_diff_file_get_kind (file), ==, SPARK_GIT_DIFF_STAGED);
  g_assert_cmpint (spark_git_diff_file_get_stage_state (file), ==, SPARK_GIT_STAGE_STAGED);

  /* Index → work tree: `git diff` plus untracked files. */
  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unstaged)), ==, 2);
  g_assert_nonnull (spark_git_diff_lookup (unstaged, "a.txt"));
  g_assert_nonnull (spark_git_diff_lookup (unstaged, "c.txt"));

  spark_test_rm_rf (dir);
}

static void
test_stage_hunk (void)
{
  g_autofree char *dir = make_edited_repo (TRUE, LINES_2_18);
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(SparkGitDiff) staged = NULL;
  g_autoptr(SparkGitDiff) head = NULL;
  g_autoptr(SparkGitDiff) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cached = NULL;
  g_autofree char *worktree = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *status = NULL;
  SparkGitDiffFile *file;
  SparkGitDiffHunk *hunk;
  gsize len = 0;


  /* Stage the second of two hunks. */
  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  file = spark_git_diff_lookup (unstaged, "a.txt");
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 2);
  hunk = spark_git_diff_file_get_hunk (file, 1);
  g_assert_true (spark_git_diff_stage_hunk (dir, file, hunk, &error));
  g_assert_no_error (error);

  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (from_first_hunk (cached), ==, HUNK_18);
  worktree = spark_test_git_output (dir, "diff", NULL);
  g_assert_cmpstr (from_first_hunk (worktree), ==, HUNK_2);

  /* The work tree is untouched. */
  disk = spark_test_read_file (dir, "a.txt", &len);
  g_assert_cmpstr (disk, ==, LINES_2_18);
  g_assert_cmpuint (len, ==, strlen (LINES_2_18));

  /* The same hunk again: it is gone from the unstaged changes. */
  g_assert_false (spark_git_diff_stage_hunk (dir, file, hunk, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The HEAD view says which hunk is where. */
  head = read_diff (dir, SPARK_GIT_DIFF_HEAD);
  file = spark_git_diff_lookup (head, "a.txt");
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 2);
  g_assert_cmpint (spark_git_diff_file_get_stage_state (file), ==, SPARK_GIT_STAGE_PARTIAL);
  g_assert_cmpint (spark_git_diff_hunk_get_stage_state (spark_git_diff_file_get_hunk (file, 0)),
                   ==, SPARK_GIT_STAGE_UNSTAGED);
  g_assert_cmpint (spark_git_diff_hunk_get_stage_state (spark_git_diff_file_get_hunk (file, 1)),
                   ==, SPARK_GIT_STAGE_STAGED);

  /* Hunks of the HEAD view stage and unstage too; staging a staged one
   * changes nothing. */
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 1), &error));
  g_assert_no_error (error);
  g_clear_pointer (&cached, g_free);
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (from_first_hunk (cached), ==, HUNK_18);
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  g_clear_pointer (&cached, g_free);
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (from_first_hunk (cached), ==, HUNK_2 HUNK_18);
  g_assert_true (spark_git_diff_unstage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  g_clear_pointer (&cached, g_free);
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (from_first_hunk (cached), ==, HUNK_18);

  /* Unstage it back. */
  staged = read_diff (dir, SPARK_GIT_DIFF_STAGED);
  file = spark_git_diff_lookup (staged, "a.txt");
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 1);
  hunk = spark_git_diff_file_get_hunk (file, 0);

  /* A staged hunk cannot be staged. */
  g_assert_false (spark_git_diff_stage_hunk (dir, file, hunk, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_cmpstr (spark_git_diff_hunk_get_header (hunk), ==, "@@ -15,6 +15,6 @@ line 14");
  g_assert_true (spark_git_diff_unstage_hunk (dir, file, hunk, &error));
  g_assert_no_error (error);

  g_clear_pointer (&cached, g_free);
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (cached, ==, "");
  status = spark_test_git_output (dir, "status", "--porcelain", NULL);
  g_assert_cmpstr (status, ==, " M a.txt\n");
  g_clear_pointer (&disk, g_free);
  disk = spark_test_read_file (dir, "a.txt", NULL);
  g_assert_cmpstr (disk, ==, LINES_2_18);

  /* Stage the first hunk now, with the diff read afresh. */
  after = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  file = spark_git_diff_lookup (after, "a.txt");
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  g_clear_pointer (&cached, g_free);
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (from_first_hunk (cached), ==, HUNK_2);

  spark_test_rm_rf (dir);
}

/* Hunks of one snapshot, staged (and unstaged) one after the other: the
 * first moves the second in the index. */
static void
test_stage_in_turn (void)
{
  g_autofree char *dir = make_edited_repo (TRUE, LINES_ADD_1_DEL_18);
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(SparkGitDiff) staged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cached = NULL;
  g_autofree char *head = NULL;
  g_autofree char *out = NULL;
  SparkGitDiffFile *file;


  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  file = spark_git_diff_lookup (unstaged, "a.txt");
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 2);
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 1), &error));
  g_assert_no_error (error);

  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  head = spark_test_git_output (dir, "diff", "HEAD", NULL);
  g_assert_cmpstr (cached, ==, head);
  out = spark_test_git_output (dir, "diff", NULL);
  g_assert_cmpstr (out, ==, "");

  staged = read_diff (dir, SPARK_GIT_DIFF_STAGED);
  file = spark_git_diff_lookup (staged, "a.txt");
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 2);
  g_assert_true (spark_git_diff_unstage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  g_assert_true (spark_git_diff_unstage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 1), &error));
  g_assert_no_error (error);

  g_clear_pointer (&cached, g_free);
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (cached, ==, "");
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "diff", NULL);
  g_assert_cmpstr (out, ==, head);

  spark_test_rm_rf (dir);
}

static void
test_stage_file (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(SparkGitDiff) staged = NULL;
  g_autoptr(SparkGitDiff) renamed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *b_path = g_build_filename (dir, "b.txt", NULL);
  SparkGitDiffFile *file;

  spark_test_write_file (dir, "a.txt", LINES);
  spark_test_write_file (dir, "b.txt", "bye\n");
  spark_test_write_file (dir, "e.txt", "a file that will move\nwith some lines\nto be similar\n");
  commit_all (dir);

  spark_test_write_file (dir, "c.txt", "new\n");
  g_assert_cmpint (g_remove (b_path), ==, 0);

  /* The hunk of an untracked or deleted file is the whole file. */
  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  file = spark_git_diff_lookup (unstaged, "c.txt");
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  file = spark_git_diff_lookup (unstaged, "b.txt");
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_DELETED);
  g_assert_true (spark_git_diff_stage_file (dir, file, &error));
  g_assert_no_error (error);

  out = spark_test_git_output (dir, "diff", "--cached", "--name-status", NULL);
  g_assert_cmpstr (out, ==, "D\tb.txt\nA\tc.txt\n");

  staged = read_diff (dir, SPARK_GIT_DIFF_STAGED);
  g_assert_true (spark_git_diff_unstage_file (dir, spark_git_diff_lookup (staged, "b.txt"), &error));
  g_assert_no_error (error);
  g_assert_true (spark_git_diff_unstage_hunk (dir, spark_git_diff_lookup (staged, "c.txt"),
                                              spark_git_diff_file_get_hunk (spark_git_diff_lookup (staged, "c.txt"), 0),
                                              &error));
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "status", "--porcelain", NULL);
  g_assert_cmpstr (out, ==, " D b.txt\n?? c.txt\n");
  g_assert_false (g_file_test (b_path, G_FILE_TEST_EXISTS));

  /* A staged rename: unstaging puts both paths back as HEAD has them. */
  spark_test_git (dir, "checkout", "-q", "--", "b.txt", NULL);
  spark_test_git (dir, "mv", "e.txt", "f.txt", NULL);
  renamed = read_diff (dir, SPARK_GIT_DIFF_STAGED);
  file = spark_git_diff_lookup (renamed, "f.txt");
  g_assert_nonnull (file);
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_RENAMED);
  g_assert_cmpstr (spark_git_diff_file_get_old_path (file), ==, "e.txt");
  g_assert_true (spark_git_diff_unstage_file (dir, file, &error));
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "status", "--porcelain", NULL);
  g_assert_cmpstr (out, ==, " D e.txt\n?? c.txt\n?? f.txt\n");

  spark_test_rm_rf (dir);
}

static void
test_special_files (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *cached = NULL;
  g_autofree char *bin_path = g_build_filename (dir, "bin.dat", NULL);
  const SparkGitDiffLine *line;
  SparkGitDiffFile *file;
  SparkGitDiffHunk *hunk;
  static const char bin1[] = { 'a', '\0', 'b', '\0', 'c' };
  static const char bin2[] = { 'a', '\0', 'B', '\0', 'c' };

  spark_test_write_file (dir, "tail.txt", "a\nb");
  g_assert_true (g_file_set_contents (bin_path, bin1, sizeof bin1, NULL));
  commit_all (dir);

  spark_test_write_file (dir, "tail.txt", "a\nB");
  g_assert_true (g_file_set_contents (bin_path, bin2, sizeof bin2, NULL));

  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);

  /* No newline at the end of the file, on both sides. */
  file = spark_git_diff_lookup (unstaged, "tail.txt");
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 1);
  hunk = spark_git_diff_file_get_hunk (file, 0);
  g_assert_cmpuint (spark_git_diff_hunk_get_n_lines (hunk), ==, 3);
  line = spark_git_diff_hunk_get_line (hunk, 1);
  g_assert_cmpint (line->origin, ==, '-');
  g_assert_cmpstr (line->text, ==, "b");
  g_assert_true (line->missing_newline);
  line = spark_git_diff_hunk_get_line (hunk, 2);
  g_assert_cmpint (line->origin, ==, '+');
  g_assert_cmpstr (line->text, ==, "B");
  g_assert_true (line->missing_newline);
  g_assert_true (spark_git_diff_stage_hunk (dir, file, hunk, &error));
  g_assert_no_error (error);
  blob = spark_test_git_output (dir, "show", ":tail.txt", NULL);
  g_assert_cmpstr (blob, ==, "a\nB");

  /* Binary: no hunks, staged as a whole. */
  file = spark_git_diff_lookup (unstaged, "bin.dat");
  g_assert_true (spark_git_diff_file_get_binary (file));
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 0);
  g_assert_true (spark_git_diff_stage_file (dir, file, &error));
  g_assert_no_error (error);
  cached = spark_test_git_output (dir, "diff", "--cached", "--name-only", NULL);
  g_assert_cmpstr (cached, ==, "bin.dat\ntail.txt\n");

  spark_test_rm_rf (dir);
}

static void
test_commit (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  g_autofree char *out = NULL;
  g_autofree char *name = NULL;
  g_autofree char *email = NULL;
  SparkGitDiffFile *file;

  spark_test_write_file (dir, "a.txt", LINES);
  spark_test_write_file (dir, "sub/b.txt", "bee\n");
  commit_all (dir);
  base = spark_test_git_output (dir, "rev-parse", "HEAD", NULL);

  g_assert_true (spark_git_commit_get_identity (dir, &name, &email, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Ada Lovelace");
  g_assert_cmpstr (email, ==, "ada@example.invalid");

  spark_test_write_file (dir, "a.txt", LINES_2_18);
  spark_test_write_file (dir, "c.txt", "sea\n");
  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  file = spark_git_diff_lookup (unstaged, "a.txt");
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  g_assert_true (spark_git_diff_stage_file (dir, spark_git_diff_lookup (unstaged, "c.txt"), &error));
  g_assert_no_error (error);

  id = spark_git_commit (dir, "Fix line 2  \n\nAnd add c.\n\n\n", &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  g_assert_cmpuint (strlen (id), ==, 40);

  out = spark_test_git_output (dir, "rev-parse", "HEAD", NULL);
  g_assert_cmpstr (g_strchomp (out), ==, id);
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "rev-parse", "HEAD~1", NULL);
  g_assert_cmpstr (out, ==, base);

  /* The tree is the index: line 2 changed, line 18 not. */
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "ls-tree", "-r", "--name-only", "HEAD", NULL);
  g_assert_cmpstr (out, ==, "a.txt\nc.txt\nsub/b.txt\n");
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "show", "HEAD:a.txt", NULL);
  g_assert_cmpstr (out, ==, LINES_2);
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "show", "HEAD:c.txt", NULL);
  g_assert_cmpstr (out, ==, "sea\n");

  /* Message (blank ends trimmed) and identity from git config. */
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "cat-file", "commit", "HEAD", NULL);
  g_assert_nonnull (strstr (out, "\nauthor Ada Lovelace <ada@example.invalid> "));
  g_assert_nonnull (strstr (out, "\ncommitter Ada Lovelace <ada@example.invalid> "));
  g_assert_true (g_str_has_suffix (out, "\n\nFix line 2\n\nAnd add c.\n"));

  /* The work tree still has the unstaged hunk; nothing else is staged. */
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "diff", NULL);
  g_assert_cmpstr (from_first_hunk (out), ==, HUNK_18);
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "status", "--porcelain", NULL);
  g_assert_cmpstr (out, ==, " M a.txt\n");

  again = spark_git_commit (dir, "Again", &error);
  g_assert_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_NOTHING_STAGED);
  g_assert_null (again);

  spark_test_rm_rf (dir);
}

static void
test_commit_unborn (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(SparkGitDiff) head = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  SparkGitDiffFile *file;

  spark_test_write_file (dir, "x.txt", "first\n");

  id = spark_git_commit (dir, "First", &error);
  g_assert_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_NOTHING_STAGED);
  g_assert_null (id);
  g_clear_error (&error);

  /* Against an unborn HEAD everything is an addition. */
  head = read_diff (dir, SPARK_GIT_DIFF_HEAD);
  file = spark_git_diff_lookup (head, "x.txt");
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_ADDED);

  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  file = spark_git_diff_lookup (unstaged, "x.txt");
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);

  id = spark_git_commit (dir, "First", &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);

  out = spark_test_git_output (dir, "rev-list", "--count", "HEAD", NULL);
  g_assert_cmpstr (out, ==, "1\n");
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "log", "-1", "--format=%P|%s|%an", NULL);
  g_assert_cmpstr (out, ==, "|First|Ada Lovelace\n");
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "symbolic-ref", "HEAD", NULL);
  g_assert_cmpstr (out, ==, "refs/heads/main\n");
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "rev-parse", "main", NULL);
  g_assert_cmpstr (g_strchomp (out), ==, id);

  spark_test_rm_rf (dir);
}

static void
test_commit_errors (void)
{
  g_autofree char *dir = make_edited_repo (FALSE, LINES_2_18);
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  SparkGitDiffFile *file;

  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  file = spark_git_diff_lookup (unstaged, "a.txt");
  g_assert_true (spark_git_diff_stage_file (dir, file, &error));
  g_assert_no_error (error);

  /* Empty or blank messages. */
  id = spark_git_commit (dir, "", &error);
  g_assert_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_EMPTY_MESSAGE);
  g_assert_null (id);
  g_clear_error (&error);
  id = spark_git_commit (dir, "  \n\t\n ", &error);
  g_assert_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_EMPTY_MESSAGE);
  g_clear_error (&error);

  /* No identity anywhere (HOME and the config search paths are empty). */
  id = spark_git_commit (dir, "Change", &error);
  g_assert_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_NO_IDENTITY);
  g_assert_nonnull (strstr (error->message, "git config --global user.name \"Your Name\""));
  g_assert_nonnull (strstr (error->message, "git config --global user.email"));
  g_assert_null (id);
  g_clear_error (&error);
  g_assert_false (spark_git_commit_get_identity (dir, NULL, NULL, &error));
  g_assert_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_NO_IDENTITY);
  g_clear_error (&error);

  /* Nothing was committed. */
  out = spark_test_git_output (dir, "rev-list", "--count", "HEAD", NULL);
  g_assert_cmpstr (out, ==, "1\n");

  /* Not a repository. */
  id = spark_git_commit (fake_home, "Change", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  spark_test_rm_rf (dir);
}

static void
test_subfolder (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autofree char *sub = g_build_filename (dir, "sub", "dir", NULL);
  g_autofree char *real_dir = realpath (dir, NULL);
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  SparkGitDiffFile *file;

  spark_test_write_file (dir, "sub/dir/f.txt", LINES);
  spark_test_write_file (dir, "top.txt", "top\n");
  commit_all (dir);
  spark_test_write_file (dir, "sub/dir/f.txt", LINES_2_18);
  spark_test_write_file (dir, "top.txt", "TOP\n");

  /* Work-tree paths, the whole tree, as git diff run from the sub-folder. */
  unstaged = read_diff (sub, SPARK_GIT_DIFF_UNSTAGED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unstaged)), ==, 2);
  g_assert_cmpstr (spark_git_diff_get_workdir (unstaged), ==, real_dir);
  file = spark_git_diff_lookup (unstaged, "sub/dir/f.txt");
  g_assert_nonnull (file);
  g_assert_nonnull (spark_git_diff_lookup (unstaged, "top.txt"));

  g_assert_true (spark_git_diff_stage_hunk (sub, file, spark_git_diff_file_get_hunk (file, 1), &error));
  g_assert_no_error (error);
  id = spark_git_commit (sub, "Line 18", &error);
  g_assert_no_error (error);

  out = spark_test_git_output (dir, "show", "HEAD:sub/dir/f.txt", NULL);
  g_assert_cmpstr (out, ==,
                   "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n"
                   "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nLINE 18\nline 19\nline 20\n");
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "status", "--porcelain", NULL);
  g_assert_cmpstr (out, ==, " M sub/dir/f.txt\n M top.txt\n");

  spark_test_rm_rf (dir);
}

static void
test_partial_and_conflicts (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autoptr(SparkGitDiff) head = NULL;
  g_autoptr(SparkGitDiff) unstaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  SparkGitDiffFileStatus status;
  SparkGitStageState state;
  SparkGitDiffFile *file;
  guint n_hunks = 0;
  int rc = 0;

  spark_test_write_file (dir, "a.txt", LINES);
  commit_all (dir);

  /* Line 2 staged, then changed again in the work tree: one hunk, partly
   * staged. */
  spark_test_write_file (dir, "a.txt", LINES_2);
  spark_test_git (dir, "add", "a.txt", NULL);
  spark_test_write_file (dir, "a.txt",
                         "line 1\nLINE 2\nLINE 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n"
                         "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nline 18\nline 19\nline 20\n");
  head = read_diff (dir, SPARK_GIT_DIFF_HEAD);
  file = spark_git_diff_lookup (head, "a.txt");
  g_object_get (file, "path", &path, "status", &status, "stage-state", &state, "n-hunks", &n_hunks, NULL);
  g_assert_cmpstr (path, ==, "a.txt");
  g_assert_cmpint (status, ==, SPARK_GIT_DIFF_FILE_MODIFIED);
  g_assert_cmpint (state, ==, SPARK_GIT_STAGE_PARTIAL);
  g_assert_cmpuint (n_hunks, ==, 1);
  g_assert_cmpint (spark_git_diff_hunk_get_stage_state (spark_git_diff_file_get_hunk (file, 0)),
                   ==, SPARK_GIT_STAGE_PARTIAL);

  /* Staging a partly staged hunk of the HEAD view stages all of it;
   * unstaging it unstages all of it. */
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  out = spark_test_git_output (dir, "diff", NULL);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (spark_git_diff_unstage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);
  out = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  spark_test_git (dir, "commit", "-q", "-a", "-m", "lines 2 and 3", NULL);

  /* A merge conflict: the conflicted file has no hunks (the index has no
   * single version to compare with), and a commit is refused while the
   * merge is in progress. */
  spark_test_git (dir, "checkout", "-q", "-b", "other", "HEAD~1", NULL);
  spark_test_write_file (dir, "a.txt", LINES_2_18);
  spark_test_git (dir, "commit", "-q", "-a", "-m", "other", NULL);
  g_spawn_sync (dir, (char *[]) { (char *) "git", (char *) "-c", (char *) "user.name=T",
                                  (char *) "-c", (char *) "user.email=t@example.invalid",
                                  (char *) "merge", (char *) "-q", (char *) "main", NULL },
                NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &rc, &error);
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (rc, NULL));

  unstaged = read_diff (dir, SPARK_GIT_DIFF_UNSTAGED);
  file = spark_git_diff_lookup (unstaged, "a.txt");
  g_assert_nonnull (file);
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_CONFLICTED);
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 0);

  id = spark_git_commit (dir, "Merge", &error);
  g_assert_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_BUSY);
  g_assert_null (id);
  g_clear_error (&error);

  out = spark_test_git_output (dir, "rev-list", "--count", "HEAD", NULL);
  g_assert_cmpstr (out, ==, "2\n");

  spark_test_rm_rf (dir);
}

/* A hunk of the HEAD view is (un)staged by the lines it spans: when the
 * file changed since the view was read, the hunk is refused, not applied to
 * whatever now sits at those lines. */
static void
test_head_hunk_changed (void)
{
  g_autofree char *dir = make_edited_repo (TRUE, LINES_2);
  g_autoptr(SparkGitDiff) head = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  SparkGitDiffFile *file;

  head = read_diff (dir, SPARK_GIT_DIFF_HEAD);
  file = spark_git_diff_lookup (head, "a.txt");
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 1);

  /* Line 2 is edited again, line 3 too: same span, other lines. */
  spark_test_write_file (dir, "a.txt",
                         "line 1\nSecond\nThird\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n"
                         "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nline 18\nline 19\nline 20\n");
  g_assert_false (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  out = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* Back to the text the view was read from: the hunk stages. */
  spark_test_write_file (dir, "a.txt", LINES_2);
  g_assert_true (spark_git_diff_stage_hunk (dir, file, spark_git_diff_file_get_hunk (file, 0), &error));
  g_assert_no_error (error);
  out = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (from_first_hunk (out), ==, HUNK_2);

  spark_test_rm_rf (dir);
}

typedef struct
{
  GObject  *object;
  char     *id;
  gboolean  ok;
  GError   *error;
  gboolean  done;
} AsyncResult;

static void
diff_ready (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->object = G_OBJECT (spark_git_diff_new_finish (result, &r->error));
  r->done = TRUE;
}

static void
stage_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->ok = spark_git_diff_stage_finish (result, &r->error);
  r->done = TRUE;
}

static void
commit_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->id = spark_git_commit_finish (result, &r->error);
  r->done = TRUE;
}

static void
test_async (void)
{
  g_autofree char *dir = make_edited_repo (TRUE, LINES_2_18);
  g_autofree char *out = NULL;
  AsyncResult r = { 0 };
  SparkGitDiffFile *file;


  spark_git_diff_new_async (dir, SPARK_GIT_DIFF_UNSTAGED, NULL, diff_ready, &r);
  spark_test_wait_for (&r.done, 10);
  g_assert_no_error (r.error);
  g_assert_true (SPARK_IS_GIT_DIFF (r.object));
  file = spark_git_diff_lookup (SPARK_GIT_DIFF (r.object), "a.txt");

  r.done = FALSE;
  spark_git_diff_stage_async (dir, file, spark_git_diff_file_get_hunk (file, 0), NULL, stage_ready, &r);
  spark_test_wait_for (&r.done, 10);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);

  r.done = FALSE;
  spark_git_commit_async (dir, "Async", NULL, commit_ready, &r);
  spark_test_wait_for (&r.done, 10);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.id);

  out = spark_test_git_output (dir, "show", "HEAD:a.txt", NULL);
  g_assert_cmpstr (out, ==, LINES_2);

  g_clear_object (&r.object);
  g_free (r.id);
  spark_test_rm_rf (dir);
}

static void
test_summarize (void)
{
  g_autofree char *one = NULL;
  g_autofree char *mixed = NULL;
  g_autofree char *same = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *none = NULL;

  one = spark_git_summarize_for_message ("Success. Updated the following files:\nM src/a.c\n");
  g_assert_cmpstr (one, ==, "Update src/a.c\n\n- Update src/a.c\n");

  mixed = spark_git_summarize_for_message ("Success. Updated the following files:\nM a.c\nA b.c\nD c.c\n");
  g_assert_cmpstr (mixed, ==, "Update 3 files\n\n- Update a.c\n- Add b.c\n- Delete c.c\n");

  same = spark_git_summarize_for_message ("Success. Updated the following files:\nA x y.c\nA z.c");
  g_assert_cmpstr (same, ==, "Add 2 files\n\n- Add x y.c\n- Add z.c\n");

  /* Notes before the header are not files. */
  notes = spark_git_summarize_for_message ("Applied 1 of 2 hunks to a.c; rejected hunk 2.\n"
                                           "The reviewer's text for hunk 1 of a.c:\n"
                                           "M not a file\n"
                                           "Success. Updated the following files:\n"
                                           "M a.c\n");
  g_assert_cmpstr (notes, ==, "Update a.c\n\n- Update a.c\n");

  none = spark_git_summarize_for_message ("Success. Updated the following files:\n");
  g_assert_null (none);
  g_assert_null (spark_git_summarize_for_message ("error: nothing"));
  g_assert_null (spark_git_summarize_for_message (NULL));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  spark_test_init (&argc, &argv);

  /* No identity or other setting from the person running the tests: an
   * empty home, for git and for libgit2 (which reads its search paths once). */
  fake_home = spark_test_isolate_git_config ();

  g_test_add_func ("/git-diff/views", test_views);
  g_test_add_func ("/git-diff/stage-hunk", test_stage_hunk);
  g_test_add_func ("/git-diff/stage-in-turn", test_stage_in_turn);
  g_test_add_func ("/git-diff/stage-file", test_stage_file);
  g_test_add_func ("/git-diff/special-files", test_special_files);
  g_test_add_func ("/git-diff/subfolder", test_subfolder);
  g_test_add_func ("/git-diff/partial-and-conflicts", test_partial_and_conflicts);
  g_test_add_func ("/git-diff/head-hunk-changed", test_head_hunk_changed);
  g_test_add_func ("/git-diff/async", test_async);
  g_test_add_func ("/git-commit/commit", test_commit);
  g_test_add_func ("/git-commit/unborn", test_commit_unborn);
  g_test_add_func ("/git-commit/errors", test_commit_errors);
  g_test_add_func ("/git-commit/summarize", test_summarize);

  ret = g_test_run ();

  spark_test_rm_rf (fake_home);
  g_free (fake_home);
  git_libgit2_shutdown ();
  return ret;
}
