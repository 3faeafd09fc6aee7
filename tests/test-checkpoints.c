/* test-checkpoints.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spark-checkpoints.h"
#include "spark-transaction.h"
#include "spark-test-utils.h"
#include "test-changeset-common.h"
#include "test-patch-common.h"

static char *
file_bytes (const char *path)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* Everything of the repository that a checkpoint must not touch. */
static char *
repo_state (const char *root)
{
  g_autofree char *index_path = g_build_filename (root, ".git", "index", NULL);
  g_autofree char *head_path = g_build_filename (root, ".git", "HEAD", NULL);
  g_autofree char *index = NULL;
  g_autofree char *index_sum = NULL;
  g_autofree char *head = file_bytes (head_path);
  g_autofree char *refs = spark_test_git_output (root, "for-each-ref", "--format=%(refname) %(objectname)",
                                                 "refs/heads", "refs/tags", "refs/stash", NULL);
  g_autofree char *stash = spark_test_git_output (root, "stash", "list", NULL);
  g_autofree char *staged = spark_test_git_output (root, "diff", "--cached", "--name-status", NULL);
  GStatBuf st;
  gsize len;

  g_assert_true (g_file_get_contents (index_path, &index, &len, NULL));
  index_sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) index, len);
  g_assert_cmpint (g_stat (index_path, &st), ==, 0);

  return g_strdup_printf ("index %s mtime %ld.%09ld\nHEAD %s\nrefs\n%s\nstash\n%s\nstaged\n%s",
                          index_sum, (long) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec,
                          head, refs, stash, staged);
}

static char *
apply (SparkWorkspace  *ws,
       const char      *patch,
       SparkCheckpoint **checkpoint)
{
  g_autoptr(SparkChangeset) cs = tp_changeset_accepted (ws, patch);
  g_autoptr(SparkTransaction) tx = NULL;
  g_autoptr(GError) error = NULL;

  tx = spark_transaction_new (ws, cs);
  g_assert_true (spark_transaction_run (tx, &error));
  g_assert_no_error (error);

  if (checkpoint != NULL)
    {
      SparkCheckpoint *cp = spark_transaction_get_checkpoint (tx);

      *checkpoint = g_new0 (SparkCheckpoint, 1);
      (*checkpoint)->id = g_strdup (cp->id);
      (*checkpoint)->commit = g_strdup (cp->commit);
      (*checkpoint)->summary = g_strdup (cp->summary);
      (*checkpoint)->time = cp->time;
    }

  return g_strdup (spark_transaction_get_result_text (tx));
}

static const char *patch =
  "*** Begin Patch\n"
  "*** Update File: tracked.txt\n@@\n-work in progress\n+patched\n"
  "*** Add File: new/dir/added.txt\n+added\n"
  "*** Delete File: untracked.txt\n"
  "*** Update File: run.sh\n@@\n-echo run\n+echo patched\n"
  "*** End Patch\n";

static void
test_git_checkpoint_undo_redo (void)
{
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autofree char *script = g_build_filename (root, "run.sh", NULL);
  g_autoptr(SparkWorkspace) ws = spark_workspace_new (root, NULL);
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  g_autoptr(SparkCheckpoint) cp = NULL;
  g_autoptr(SparkCheckpoint) before_undo = NULL;
  g_autoptr(SparkCheckpoint) before_redo = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state0 = NULL;
  g_autofree char *state1 = NULL;
  g_autofree char *tree0 = NULL;
  g_autofree char *tree1 = NULL;
  g_autofree char *tree_undone = NULL;
  g_autofree char *tree_redone = NULL;
  g_autofree char *result = NULL;
  g_autofree char *ls = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *ref_name = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  spark_test_git (root, "init", "-q", NULL);
  spark_test_write_file (root, ".gitignore", "*.log\n");
  spark_test_write_file (root, "tracked.txt", "committed\n");
  spark_test_write_file (root, "staged.txt", "one\n");
  spark_test_write_file (root, "run.sh", "#!/bin/sh\necho run\n");
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  spark_test_git (root, "add", ".", NULL);
  spark_test_git (root, "commit", "-q", "-m", "first", NULL);
  spark_test_git (root, "branch", "feature", NULL);
  /* A stash entry, a staged change, a modified file, an untracked file and
   * an ignored file. */
  spark_test_write_file (root, "staged.txt", "stashed\n");
  spark_test_git (root, "stash", "-q", NULL);
  spark_test_write_file (root, "staged.txt", "two\n");
  spark_test_git (root, "add", "staged.txt", NULL);
  spark_test_write_file (root, "tracked.txt", "work in progress\n");
  spark_test_write_file (root, "untracked.txt", "untracked\n");
  spark_test_write_file (root, "debug.log", "ignored\n");

  state0 = repo_state (root);
  tree0 = tp_tree_digest (root);

  checkpoints = spark_checkpoints_new (ws, &error);
  g_assert_no_error (error);
  g_assert_true (spark_checkpoints_is_git (checkpoints));

  result = apply (ws, patch, &cp);
  g_assert_cmpstr (result, ==, "Success. Updated the following files:\n"
                               "M tracked.txt\nA new/dir/added.txt\nD untracked.txt\nM run.sh\n");
  tree1 = tp_tree_digest (root);
  g_assert_cmpstr (tree0, !=, tree1);

  /* The checkpoint is a commit of the working tree as it was. */
  g_assert_cmpstr (cp->id, ==, "1");
  g_assert_nonnull (cp->commit);
  g_assert_cmpint (ABS (cp->time - now), <, 60);
  ref_name = spark_test_git_output (root, "rev-parse", "refs/spark/checkpoints/1", NULL);
  g_assert_true (g_str_has_prefix (ref_name, cp->commit));
  ls = spark_test_git_output (root, "ls-tree", "-r", "--name-only", "refs/spark/checkpoints/1", NULL);
  g_assert_cmpstr (ls, ==, ".gitignore\nrun.sh\nstaged.txt\ntracked.txt\nuntracked.txt\n");
  shown = spark_test_git_output (root, "show", "refs/spark/checkpoints/1:tracked.txt", NULL);
  g_assert_cmpstr (shown, ==, "work in progress\n");
  g_free (shown);
  shown = spark_test_git_output (root, "show", "refs/spark/checkpoints/1:staged.txt", NULL);
  g_assert_cmpstr (shown, ==, "two\n");
  g_free (shown);
  shown = spark_test_git_output (root, "log", "-1", "--format=%P %s", "refs/spark/checkpoints/1", NULL);
  g_assert_nonnull (strstr (shown, "Before applying a patch"));
  g_free (shown);
  shown = spark_test_git_output (root, "ls-tree", "refs/spark/checkpoints/1", "run.sh", NULL);
  g_assert_true (g_str_has_prefix (shown, "100755"));

  /* Index, HEAD, branches and stash are untouched. */
  state1 = repo_state (root);
  g_assert_cmpstr (state0, ==, state1);

  /* Undo: the tree comes back byte for byte (ignored file left alone). */
  g_assert_true (spark_checkpoints_restore (checkpoints, NULL, &before_undo, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (before_undo->id, ==, "2");
  tree_undone = tp_tree_digest (root);
  g_assert_cmpstr (tree_undone, ==, tree0);
  g_free (state1);
  state1 = repo_state (root);
  g_assert_cmpstr (state0, ==, state1);

  /* Undo the undo. */
  g_assert_true (spark_checkpoints_restore (checkpoints, before_undo->id, &before_redo, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (before_redo->id, ==, "3");
  tree_redone = tp_tree_digest (root);
  g_assert_cmpstr (tree_redone, ==, tree1);
  g_free (state1);
  state1 = repo_state (root);
  g_assert_cmpstr (state0, ==, state1);

  list = spark_checkpoints_list (checkpoints, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((SparkCheckpoint *) list->pdata[0])->id, ==, "1");
  g_assert_true (g_str_has_prefix (((SparkCheckpoint *) list->pdata[0])->summary, "Before applying a patch"));
  g_assert_cmpstr (((SparkCheckpoint *) list->pdata[1])->summary, ==, "Before restoring checkpoint 1");
  g_assert_cmpstr (((SparkCheckpoint *) list->pdata[2])->summary, ==, "Before restoring checkpoint 2");

  g_clear_error (&error);
  g_assert_false (spark_checkpoints_restore (checkpoints, "99", NULL, &error));
  g_assert_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_NOT_FOUND);

  spark_test_rm_rf (root);
}

/* A workspace that is a sub-folder of a repository restores only its part. */
static void
test_git_subfolder (void)
{
  g_autofree char *repo = spark_test_make_temp_dir ();
  g_autofree char *sub = g_build_filename (repo, "sub", NULL);
  g_autoptr(SparkWorkspace) ws = NULL;
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  g_autoptr(SparkCheckpoint) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tree0 = NULL;
  g_autofree char *tree1 = NULL;
  g_autofree char *outside = NULL;
  g_autofree char *result = NULL;

  spark_test_git (repo, "init", "-q", NULL);
  spark_test_write_file (repo, "top.txt", "top\n");
  spark_test_write_file (repo, "sub/in.txt", "in\n");
  spark_test_git (repo, "add", ".", NULL);
  spark_test_git (repo, "commit", "-q", "-m", "first", NULL);

  ws = spark_workspace_new (sub, &error);
  g_assert_no_error (error);
  tree0 = tp_tree_digest (sub);
  result = apply (ws, "*** Begin Patch\n*** Update File: in.txt\n@@\n-in\n+IN\n*** End Patch\n", NULL);
  g_assert_nonnull (result);

  /* Changed outside the workspace after the apply: undo leaves it. */
  spark_test_write_file (repo, "top.txt", "top changed\n");

  checkpoints = spark_checkpoints_new (ws, &error);
  g_assert_true (spark_checkpoints_restore (checkpoints, "1", &before, &error));
  g_assert_no_error (error);
  tree1 = tp_tree_digest (sub);
  g_assert_cmpstr (tree0, ==, tree1);
  outside = spark_test_read_file (repo, "top.txt", NULL);
  g_assert_cmpstr (outside, ==, "top changed\n");

  spark_test_rm_rf (repo);
}

static void
test_plain_folder (void)
{
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autofree char *store = spark_test_make_temp_dir ();
  g_autofree char *script = g_build_filename (root, "run.sh", NULL);
  g_autofree char *link = g_build_filename (root, "link", NULL);
  g_autoptr(SparkWorkspace) ws = spark_workspace_new (root, NULL);
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  g_autoptr(SparkCheckpoint) cp = NULL;
  g_autoptr(SparkCheckpoint) before_undo = NULL;
  g_autoptr(SparkCheckpoint) before_redo = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tree0 = NULL;
  g_autofree char *tree1 = NULL;
  g_autofree char *tree2 = NULL;
  g_autofree char *tree3 = NULL;
  g_autofree char *result = NULL;
  g_autofree char *store_dir = NULL;
  GStatBuf st;

  spark_workspace_set_store_dir (ws, store);
  spark_test_write_file (root, "tracked.txt", "work in progress\n");
  spark_test_write_file (root, "untracked.txt", "u\n");
  spark_test_write_file (root, "run.sh", "#!/bin/sh\necho run\n");
  g_assert_cmpint (g_chmod (script, 0750), ==, 0);
  g_assert_cmpint (symlink ("tracked.txt", link), ==, 0);

  checkpoints = spark_checkpoints_new (ws, &error);
  g_assert_no_error (error);
  g_assert_false (spark_checkpoints_is_git (checkpoints));

  tree0 = tp_tree_digest (root);
  result = apply (ws, patch, &cp);
  g_assert_nonnull (result);
  g_assert_cmpstr (cp->id, ==, "1");
  g_assert_null (cp->commit);
  tree1 = tp_tree_digest (root);
  g_assert_cmpstr (tree0, !=, tree1);

  /* Nothing was written into the project for the checkpoint. */
  store_dir = g_strdup (spark_workspace_get_store_dir (ws));
  g_assert_true (g_str_has_prefix (store_dir, store));
  g_assert_true (g_file_test (store_dir, G_FILE_TEST_IS_DIR));

  /* Break the mode too: restore brings it back. */
  g_assert_true (spark_checkpoints_restore (checkpoints, "1", &before_undo, &error));
  g_assert_no_error (error);
  tree2 = tp_tree_digest (root);
  g_assert_cmpstr (tree2, ==, tree0);
  g_assert_cmpint (g_stat (script, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0750);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  g_assert_true (spark_checkpoints_restore (checkpoints, before_undo->id, &before_redo, &error));
  g_assert_no_error (error);
  tree3 = tp_tree_digest (root);
  g_assert_cmpstr (tree3, ==, tree1);

  list = spark_checkpoints_list (checkpoints, &error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((SparkCheckpoint *) list->pdata[2])->summary, ==, "Before restoring checkpoint 2");
  g_assert_cmpint (((SparkCheckpoint *) list->pdata[2])->time, >, 0);

  spark_test_rm_rf (root);
  spark_test_rm_rf (store);
}

static void
test_no_checkpoints (void)
{
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autofree char *store = spark_test_make_temp_dir ();
  g_autoptr(SparkWorkspace) ws = spark_workspace_new (root, NULL);
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  spark_workspace_set_store_dir (ws, store);
  checkpoints = spark_checkpoints_new (ws, &error);
  list = spark_checkpoints_list (checkpoints, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_false (spark_checkpoints_restore (checkpoints, NULL, NULL, &error));
  g_assert_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_NONE);

  spark_test_rm_rf (root);
  spark_test_rm_rf (store);
}

/* The folders a checkpoint notes as new go again on restore once empty (an
 * apply stopped between making a folder and writing into it); one that
 * holds something stays. Both kinds of store. */
static void
test_new_folders_removed (gconstpointer data)
{
  gboolean git = GPOINTER_TO_INT (data);
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autofree char *store = spark_test_make_temp_dir ();
  g_autofree char *deep = g_build_filename (root, "new", "deep", NULL);
  g_autofree char *kept = g_build_filename (root, "kept", NULL);
  g_autoptr(SparkWorkspace) ws = NULL;
  g_autoptr(SparkCheckpoints) checkpoints = NULL;
  g_autoptr(SparkCheckpoint) cp = NULL;
  g_autoptr(SparkCheckpoint) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tree0 = NULL;
  g_autofree char *tree1 = NULL;
  const char *new_folders[] = { "new", "new/deep", "kept", NULL };

  spark_test_write_file (root, "a.txt", "a\n");
  if (git)
    {
      spark_test_git (root, "init", "-q", NULL);
      spark_test_git (root, "add", "-A", NULL);
      spark_test_git (root, "commit", "-q", "-m", "base", NULL);
    }
  ws = spark_workspace_new (root, NULL);
  spark_workspace_set_store_dir (ws, store);
  checkpoints = spark_checkpoints_new (ws, &error);
  g_assert_no_error (error);
  g_assert_true (spark_checkpoints_is_git (checkpoints) == git);

  tree0 = tp_tree_digest (root);
  cp = spark_checkpoints_create_full (checkpoints, "before", new_folders, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp->summary, ==, "before");

  /* The apply made its folders, and was stopped before writing into them;
   * "kept" got a file (which the restore removes, so it goes too). */
  g_assert_cmpint (g_mkdir_with_parents (deep, 0755), ==, 0);
  spark_test_write_file (root, "kept/file.txt", "x\n");
  tree1 = tp_tree_digest (root);
  g_assert_cmpstr (tree0, !=, tree1);

  g_assert_true (spark_checkpoints_restore (checkpoints, cp->id, &before, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (deep, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (kept, G_FILE_TEST_EXISTS));
  {
    g_autofree char *tree2 = tp_tree_digest (root);
    g_assert_cmpstr (tree2, ==, tree0);
  }

  /* A folder noted new that holds a file of the restored tree stays. */
  {
    g_autoptr(SparkCheckpoint) cp2 = NULL;
    g_autoptr(SparkCheckpoint) before2 = NULL;
    const char *sub[] = { "sub", NULL };
    g_autofree char *tree3 = NULL;

    spark_test_write_file (root, "sub/keep.txt", "k\n");
    tree3 = tp_tree_digest (root);
    cp2 = spark_checkpoints_create_full (checkpoints, "with sub", sub, &error);
    g_assert_no_error (error);
    g_assert_true (spark_checkpoints_restore (checkpoints, cp2->id, &before2, &error));
    g_assert_no_error (error);
    {
      g_autofree char *tree4 = tp_tree_digest (root);
      g_assert_cmpstr (tree4, ==, tree3);
    }
  }

  spark_test_rm_rf (root);
  spark_test_rm_rf (store);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/checkpoints/git-checkpoint-undo-redo", test_git_checkpoint_undo_redo);
  g_test_add_func ("/checkpoints/git-subfolder", test_git_subfolder);
  g_test_add_func ("/checkpoints/plain-folder", test_plain_folder);
  g_test_add_func ("/checkpoints/no-checkpoints", test_no_checkpoints);
  g_test_add_data_func ("/checkpoints/new-folders-removed/git", GINT_TO_POINTER (TRUE),
                        test_new_folders_removed);
  g_test_add_data_func ("/checkpoints/new-folders-removed/plain", GINT_TO_POINTER (FALSE),
                        test_new_folders_removed);

  return g_test_run ();
}
