/* test-workspace.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spark-workspace.h"
#include "spark-test-utils.h"

typedef struct
{
  char           *dir;     /* parent temp folder */
  char           *root;    /* dir/project */
  SparkWorkspace *ws;
} Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = spark_test_make_temp_dir ();
  f->root = g_build_filename (f->dir, "project", NULL);
  spark_test_write_file (f->root, "src/main.c", "int main;\n");
  spark_test_write_file (f->dir, "secret.txt", "secret\n");
  spark_test_write_file (f->root, ".git/config", "[core]\n");
  f->ws = spark_workspace_new (f->root, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_object (&f->ws);
  spark_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->root);
}

static void
assert_ok (Fixture    *f,
           const char *path,
           const char *expected_rel)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *abs = spark_workspace_resolve (f->ws, path, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (spark_workspace_relative (f->ws, abs), ==, expected_rel);
}

static void
assert_refused (Fixture    *f,
                const char *path,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *abs = spark_workspace_resolve (f->ws, path, &error);

  g_assert_null (abs);
  g_assert_error (error, SPARK_WORKSPACE_ERROR, code);
  /* The message names the path, for the person and the model. */
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_accepts_inside (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *abs_inside = g_build_filename (f->root, "src", "main.c", NULL);

  assert_ok (f, "src/main.c", "src/main.c");
  assert_ok (f, "./src//new/dir/file.c", "src/new/dir/file.c");
  assert_ok (f, "src/../README", "README");
  assert_ok (f, abs_inside, "src/main.c");
  assert_ok (f, ".gitignore", ".gitignore");
}

static void
test_refuses_dotdot (Fixture       *f,
                     gconstpointer  data)
{
  assert_refused (f, "../secret.txt", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
  assert_refused (f, "src/../../secret.txt", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
  assert_refused (f, "..", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
}

static void
test_refuses_absolute_outside (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *secret = g_build_filename (f->dir, "secret.txt", NULL);
  g_autofree char *sneaky = g_strconcat (f->root, "/../secret.txt", NULL);
  g_autofree char *prefix_twin = g_strconcat (f->root, "-twin/file", NULL);

  assert_refused (f, "/etc/passwd", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
  assert_refused (f, secret, SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
  assert_refused (f, sneaky, SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
  /* A sibling folder whose name starts like the root is outside too. */
  assert_refused (f, prefix_twin, SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
}

static void
test_refuses_symlinks_out (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *link_dir = g_build_filename (f->root, "out", NULL);
  g_autofree char *link_file = g_build_filename (f->root, "secret-link", NULL);
  g_autofree char *link_git = g_build_filename (f->root, "gitlink", NULL);
  g_autofree char *link_in = g_build_filename (f->root, "inside", NULL);
  g_autofree char *dangling = g_build_filename (f->root, "dangling", NULL);
  g_autofree char *git_dir = g_build_filename (f->root, ".git", NULL);

  g_assert_cmpint (symlink (f->dir, link_dir), ==, 0);
  g_assert_cmpint (symlink ("../secret.txt", link_file), ==, 0);
  g_assert_cmpint (symlink (git_dir, link_git), ==, 0);
  g_assert_cmpint (symlink ("src", link_in), ==, 0);
  g_assert_cmpint (symlink ("/nonexistent/spark", dangling), ==, 0);

  assert_refused (f, "out/secret.txt", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "out/new-file", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "secret-link", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "gitlink/config", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "dangling", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  /* A link that stays inside is fine. */
  assert_ok (f, "inside/main.c", "inside/main.c");
}

static void
test_refuses_git_dir (Fixture       *f,
                      gconstpointer  data)
{
  assert_refused (f, ".git/config", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, ".git/hooks/pre-commit", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, "sub/.git/HEAD", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, ".GIT/config", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, "src/../.git/config", SPARK_WORKSPACE_ERROR_GIT_DIR);
}

static void
test_refuses_invalid (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (spark_workspace_resolve (f->ws, "", &error));
  g_assert_error (error, SPARK_WORKSPACE_ERROR, SPARK_WORKSPACE_ERROR_INVALID_PATH);
  g_clear_error (&error);
  assert_refused (f, "a\nb", SPARK_WORKSPACE_ERROR_INVALID_PATH);
  assert_refused (f, ".", SPARK_WORKSPACE_ERROR_INVALID_PATH);
  g_assert_null (spark_workspace_resolve (f->ws, "bad\xff", &error));
  g_assert_error (error, SPARK_WORKSPACE_ERROR, SPARK_WORKSPACE_ERROR_INVALID_PATH);
}

static void
test_root_checks (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *file = g_build_filename (dir, "f", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *real_dir = g_build_filename (dir, "real", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkWorkspace) ws = NULL;
  g_autofree char *abs = NULL;
  g_autofree char *via_link = NULL;
  g_autofree char *store = NULL;

  spark_test_write_file (dir, "f", "x");
  g_assert_null (spark_workspace_new (file, &error));
  g_assert_error (error, SPARK_WORKSPACE_ERROR, SPARK_WORKSPACE_ERROR_NOT_A_FOLDER);
  g_clear_error (&error);

  /* A root given through a symbolic link resolves, and absolute paths
   * through either spelling are accepted. */
  g_assert_cmpint (g_mkdir (real_dir, 0755), ==, 0);
  g_assert_cmpint (symlink (real_dir, link), ==, 0);
  ws = spark_workspace_new (link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spark_workspace_get_root (ws), ==, real_dir);
  via_link = g_build_filename (link, "x.txt", NULL);
  abs = spark_workspace_resolve (ws, via_link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spark_workspace_relative (ws, abs), ==, "x.txt");

  spark_workspace_set_store_dir (ws, dir);
  store = g_strdup (spark_workspace_get_store_dir (ws));
  g_assert_true (g_str_has_prefix (store, dir));
  g_assert_nonnull (strstr (store, "real-"));

  spark_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add ("/workspace/accepts-inside", Fixture, NULL, setup, test_accepts_inside, teardown);
  g_test_add ("/workspace/refuses-dotdot", Fixture, NULL, setup, test_refuses_dotdot, teardown);
  g_test_add ("/workspace/refuses-absolute-outside", Fixture, NULL, setup,
              test_refuses_absolute_outside, teardown);
  g_test_add ("/workspace/refuses-symlinks-out", Fixture, NULL, setup,
              test_refuses_symlinks_out, teardown);
  g_test_add ("/workspace/refuses-git-dir", Fixture, NULL, setup, test_refuses_git_dir, teardown);
  g_test_add ("/workspace/refuses-invalid", Fixture, NULL, setup, test_refuses_invalid, teardown);
  g_test_add_func ("/workspace/root-checks", test_root_checks);

  return g_test_run ();
}
