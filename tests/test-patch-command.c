/* test-patch-command.c: `spark apply-patch`, `spark checkpoints` and
 * `spark undo`, run as the real binary without a display.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-test-utils.h"
#include "test-patch-common.h"

#ifndef SPARK_EXE
#error "SPARK_EXE must name the built spark binary"
#endif

typedef struct
{
  char *root;
  char *store;
} Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  f->root = spark_test_make_temp_dir ();
  f->store = spark_test_make_temp_dir ();
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  spark_test_rm_rf (f->root);
  spark_test_rm_rf (f->store);
  g_free (f->root);
  g_free (f->store);
}

/* Runs spark with @stdin_text (NULL: none) in @cwd, without any display. */
static int
run (Fixture     *f,
     const char  *cwd,
     const char  *stdin_text,
     char       **out,
     char       **err,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (char *) SPARK_EXE);
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "SPARK_CHECKPOINT_DIR", f->store, TRUE);
  /* Any attempt to open a display fails loudly. */
  g_subprocess_launcher_setenv (launcher, "GDK_BACKEND", "none-such", TRUE);

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text ? stdin_text : "", NULL, out, err, &error);
  g_assert_no_error (error);

  return g_subprocess_get_exit_status (proc);
}

static const char *good =
  "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n*** Add File: sub/b.txt\n+b\n*** End Patch\n";
static const char *conflict =
  "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n@@\n-missing\n+m\n*** End Patch\n";

static void
test_exit_codes (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *a = NULL;
  char *out = NULL, *err = NULL;

  spark_test_write_file (f->root, "a.txt", "a\n");
  before = tp_tree_digest (f->root);

  /* 1: cannot be applied; message on stderr; tree untouched. */
  g_assert_cmpint (run (f, f->root, conflict, &out, &err, "apply-patch", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Failed to find expected lines in a.txt:\nmissing"));
  g_assert_nonnull (strstr (err, "nothing was changed"));
  g_free (out); g_free (err);
  g_assert_cmpint (run (f, f->root, "not a patch", &out, &err, "apply-patch", "-", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "line 1: The first line of the patch must be '*** Begin Patch'"));
  g_free (out); g_free (err);
  after = tp_tree_digest (f->root);
  g_assert_cmpstr (before, ==, after);

  /* 2: usage errors. */
  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "apply-patch", "--bogus", NULL), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "apply-patch", "x", "y", NULL), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "apply-patch", "--root", "/nonexistent/spark",
                        NULL), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "undo", "1", "2", NULL), ==, 2);
  g_free (out); g_free (err);

  /* 0: applied, with the reference's summary on stdout. */
  g_assert_cmpint (run (f, f->root, good, &out, &err, "apply-patch", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Success. Updated the following files:\nM a.txt\nA sub/b.txt\n");
  g_free (out); g_free (err);
  a = spark_test_read_file (f->root, "a.txt", NULL);
  g_assert_cmpstr (a, ==, "A\n");
}

static void
test_root_file_dry_run_json (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *patch_path = g_build_filename (f->store, "p.patch", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  char *out = NULL, *err = NULL;

  spark_test_write_file (f->root, "a.txt", "a\n");
  g_assert_true (g_file_set_contents (patch_path, conflict, -1, NULL));
  before = tp_tree_digest (f->root);

  /* From another folder, with --root and a FILE. */
  g_assert_cmpint (run (f, "/", NULL, &out, &err, "apply-patch", "--root", f->root, "--dry-run",
                        patch_path, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "update a.txt\n  hunk 1: pending, line 1"));
  g_assert_nonnull (strstr (out, "hunk 2: conflict"));
  g_free (out); g_free (err);

  g_assert_cmpint (run (f, "/", NULL, &out, &err, "apply-patch", "--root", f->root, "--json",
                        patch_path, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "\"ok\" : false"));
  g_assert_nonnull (strstr (out, "\"state\" : \"conflict\""));
  g_free (out); g_free (err);

  after = tp_tree_digest (f->root);
  g_assert_cmpstr (before, ==, after);

  g_assert_true (g_file_set_contents (patch_path, good, -1, NULL));
  g_assert_cmpint (run (f, "/", NULL, &out, &err, "apply-patch", "--root", f->root, "--dry-run",
                        patch_path, NULL), ==, 0);
  g_free (out); g_free (err);
  after = (g_free (after), tp_tree_digest (f->root));
  g_assert_cmpstr (before, ==, after);

  g_assert_cmpint (run (f, "/", NULL, &out, &err, "apply-patch", "--root", f->root, "--json",
                        patch_path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"ok\" : true"));
  g_assert_nonnull (strstr (out, "\"checkpoint\" : \"1\""));
  g_free (out); g_free (err);
}

static void
test_checkpoints_and_undo (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *tree0 = NULL;
  g_autofree char *tree1 = NULL;
  g_autofree char *now = NULL;
  char *out = NULL, *err = NULL;

  spark_test_write_file (f->root, "a.txt", "a\n");
  tree0 = tp_tree_digest (f->root);

  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "checkpoints", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_free (out); g_free (err);
  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "undo", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no checkpoints"));
  g_free (out); g_free (err);

  g_assert_cmpint (run (f, f->root, good, &out, &err, "apply-patch", NULL), ==, 0);
  g_free (out); g_free (err);
  tree1 = tp_tree_digest (f->root);

  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "checkpoints", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "1\t"));
  g_assert_nonnull (strstr (out, "\tBefore applying a patch (M a.txt, A sub/b.txt)\n"));
  g_free (out); g_free (err);

  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "undo", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Restored checkpoint 1."));
  g_free (out); g_free (err);
  now = tp_tree_digest (f->root);
  g_assert_cmpstr (now, ==, tree0);

  /* The undo recorded checkpoint 2 first: undo it. */
  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "undo", "--root", f->root, "2", NULL), ==, 0);
  g_free (out); g_free (err);
  g_free (now);
  now = tp_tree_digest (f->root);
  g_assert_cmpstr (now, ==, tree1);

  g_assert_cmpint (run (f, f->root, NULL, &out, &err, "undo", "42", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no checkpoint 42"));
  g_free (out); g_free (err);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add ("/patch-command/exit-codes", Fixture, NULL, setup, test_exit_codes, teardown);
  g_test_add ("/patch-command/root-file-dry-run-json", Fixture, NULL, setup,
              test_root_file_dry_run_json, teardown);
  g_test_add ("/patch-command/checkpoints-and-undo", Fixture, NULL, setup,
              test_checkpoints_and_undo, teardown);

  return g_test_run ();
}
