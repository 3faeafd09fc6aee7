/* test-transaction.c
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

#include "spark-transaction.h"
#include "spark-test-utils.h"
#include "test-changeset-common.h"
#include "test-patch-common.h"

static gboolean
path_test (const char *root,
           const char *rel,
           GFileTest   test)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);

  return g_file_test (path, test);
}

static const char *patch =
  "*** Begin Patch\n"
  "*** Update File: a.txt\n@@\n-a1\n+A1\n"
  "*** Add File: new/deep/b.txt\n+b\n"
  "*** Delete File: c.txt\n"
  "*** Update File: d.txt\n*** Move to: e/f.txt\n@@\n-d\n+D\n"
  "*** Add File: g.txt\n+overwritten\n"
  "*** End Patch\n";

/* update a, add b, delete c, move d (write + delete), overwrite g */
#define N_WRITES 6

static void
make_tree (const char *root)
{
  g_autofree char *a = g_build_filename (root, "a.txt", NULL);

  spark_test_write_file (root, "a.txt", "a1\na2\n");
  spark_test_write_file (root, "c.txt", "c\n");
  spark_test_write_file (root, "d.txt", "d\n");
  spark_test_write_file (root, "g.txt", "g\n");
  spark_test_write_file (root, "keep/k.txt", "k\n");
  g_assert_cmpint (g_chmod (a, 0640), ==, 0);
}

/* Whichever write fails, the tree ends byte-identical to before (files,
 * folders and modes), and the error says so. */
static void
test_rollback_nth_write (void)
{
  for (guint nth = 1; nth <= N_WRITES + 1; nth++)
    {
      g_autofree char *root = spark_test_make_temp_dir ();
      g_autofree char *store = spark_test_make_temp_dir ();
      g_autoptr(SparkWorkspace) ws = spark_workspace_new (root, NULL);
      g_autoptr(SparkChangeset) cs = NULL;
      g_autoptr(SparkTransaction) tx = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      gboolean ok;

      make_tree (root);
      spark_workspace_set_store_dir (ws, store);
      before = tp_tree_digest (root);

      cs = tp_changeset_accepted (ws, patch);
      tx = spark_transaction_new (ws, cs);
      spark_transaction_inject_failure (tx, nth);
      ok = spark_transaction_run (tx, &error);
      after = tp_tree_digest (root);

      if (nth <= N_WRITES)
        {
          g_assert_false (ok);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
          g_assert_nonnull (strstr (error->message, "every file already written was restored"));
          g_assert_cmpstr (before, ==, after);
          /* The checkpoint was taken before anything was written. */
          g_assert_nonnull (spark_transaction_get_checkpoint (tx));
        }
      else
        {
          g_autofree char *moved = spark_test_read_file (root, "e/f.txt", NULL);

          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (before, !=, after);
          g_assert_cmpstr (moved, ==, "D\n");
          g_assert_cmpstr (spark_transaction_get_result_text (tx), ==,
                           "Success. Updated the following files:\n"
                           "M a.txt\nA new/deep/b.txt\nD c.txt\nM e/f.txt\nA g.txt\n");
        }

      spark_test_rm_rf (root);
      spark_test_rm_rf (store);
    }
}

/* A real failure while writing (the target became a folder after the
 * patch was read) rolls back the writes already done. */
static void
test_rollback_real_failure (void)
{
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autofree char *store = spark_test_make_temp_dir ();
  g_autofree char *blocker = g_build_filename (root, "blocker.txt", NULL);
  g_autoptr(SparkWorkspace) ws = spark_workspace_new (root, NULL);
  g_autoptr(SparkChangeset) cs = spark_changeset_new (ws);
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *result = NULL;

  spark_test_write_file (root, "a.txt", "a\n");
  spark_workspace_set_store_dir (ws, store);

  files = spark_patch_parse ("*** Begin Patch\n"
                             "*** Update File: a.txt\n@@\n-a\n+b\n"
                             "*** Add File: blocker.txt\n+x\n"
                             "*** End Patch\n", -1, NULL);
  spark_changeset_add_files (cs, files);
  g_assert_true (spark_changeset_accept_all (cs, &error));

  g_assert_cmpint (g_mkdir (blocker, 0755), ==, 0);
  spark_test_write_file (root, "blocker.txt/inside", "i\n");
  before = tp_tree_digest (root);

  result = spark_changeset_apply (cs, &error);
  g_assert_null (result);
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_A_FILE);
  g_assert_nonnull (strstr (error->message, "No file was changed"));
  after = tp_tree_digest (root);
  g_assert_cmpstr (before, ==, after);

  spark_test_rm_rf (root);
  spark_test_rm_rf (store);
}

/* Deleting a symbolic link removes the link (and a rollback puts it back). */
static void
test_delete_symlink (void)
{
  for (guint nth = 1; nth <= 2; nth++)
    {
      g_autofree char *root = spark_test_make_temp_dir ();
      g_autofree char *store = spark_test_make_temp_dir ();
      g_autofree char *link = g_build_filename (root, "link.txt", NULL);
      g_autoptr(SparkWorkspace) ws = spark_workspace_new (root, NULL);
      g_autoptr(SparkChangeset) cs = spark_changeset_new (ws);
      g_autoptr(SparkTransaction) tx = NULL;
      g_autoptr(GListModel) files = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      spark_test_write_file (root, "target.txt", "t\n");
      g_assert_cmpint (symlink ("target.txt", link), ==, 0);
      spark_workspace_set_store_dir (ws, store);
      before = tp_tree_digest (root);

      files = spark_patch_parse ("*** Begin Patch\n*** Delete File: link.txt\n"
                                 "*** Add File: other.txt\n+o\n*** End Patch\n", -1, NULL);
      spark_changeset_add_files (cs, files);
      g_assert_true (spark_changeset_accept_all (cs, &error));
      tx = spark_transaction_new (ws, cs);
      /* Fail the second write (the add) once: the link must come back. */
      if (nth == 1)
        spark_transaction_inject_failure (tx, 2);

      if (nth == 1)
        {
          g_assert_false (spark_transaction_run (tx, &error));
          after = tp_tree_digest (root);
          g_assert_cmpstr (before, ==, after);
        }
      else
        {
          g_assert_true (spark_transaction_run (tx, &error));
          g_assert_no_error (error);
          g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
          g_assert_true (path_test (root, "target.txt", G_FILE_TEST_IS_REGULAR));
        }

      spark_test_rm_rf (root);
      spark_test_rm_rf (store);
    }
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (spark_transaction_run_finish (SPARK_TRANSACTION (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_async (void)
{
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autofree char *store = spark_test_make_temp_dir ();
  g_autoptr(SparkWorkspace) ws = spark_workspace_new (root, NULL);
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(SparkTransaction) tx = NULL;
  g_autofree char *a = NULL;
  gboolean done = FALSE;

  make_tree (root);
  spark_workspace_set_store_dir (ws, store);
  cs = tp_changeset_accepted (ws, patch);
  tx = spark_transaction_new (ws, cs);
  spark_transaction_run_async (tx, NULL, on_done, &done);
  spark_test_wait_for (&done, 30);

  a = spark_test_read_file (root, "a.txt", NULL);
  g_assert_cmpstr (a, ==, "A1\na2\n");
  g_assert_true (g_str_has_prefix (spark_transaction_get_result_text (tx), "Success."));

  spark_test_rm_rf (root);
  spark_test_rm_rf (store);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/transaction/rollback-nth-write", test_rollback_nth_write);
  g_test_add_func ("/transaction/rollback-real-failure", test_rollback_real_failure);
  g_test_add_func ("/transaction/delete-symlink", test_delete_symlink);
  g_test_add_func ("/transaction/async", test_async);

  return g_test_run ();
}
