/* test-workspace.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* unshare() */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spark-file-util.h"
#include "spark-transaction.h"
#include "spark-workspace.h"
#include "spark-test-utils.h"
#include "test-patch-common.h"

/* Every attack below is counted, and counted again when refused; the
 * summary test prints both ("N attacks, N refused"). A refusal must come
 * with the expected error, so an attack that "fails" some other way (or
 * succeeds) is not counted as refused. */
static guint n_attacks;
static guint n_refused;

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
  g_autofree char *head = NULL;
  gboolean named;

  n_attacks++;
  /* The message names the path, for the person and the model (a long one
   * by its beginning). */
  head = g_strndup (path, 40);
  named = error != NULL &&
          (strstr (error->message, path) != NULL ||
           (strlen (path) > 80 && strstr (error->message, head) != NULL));
  if (abs == NULL && g_error_matches (error, SPARK_WORKSPACE_ERROR, code) && named)
    n_refused++;
  else
    g_test_message ("not refused as expected: “%.100s”: %s", path,
                    abs ? abs : error ? error->message : "?");

  g_assert_null (abs);
  g_assert_error (error, SPARK_WORKSPACE_ERROR, code);
  g_assert_true (named);
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
  assert_refused (f, "./../secret.txt", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
  assert_refused (f, "a/b/../../../secret.txt", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
  assert_refused (f, "src/./..//../secret.txt", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
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
  assert_refused (f, "/", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
  assert_refused (f, "//etc/passwd", SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT);
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
  assert_refused (f, "dangling/new-file", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
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
  assert_refused (f, ".Git/config", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, ".gIT/HEAD", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, "sub/.GIT/new-file", SPARK_WORKSPACE_ERROR_GIT_DIR);
  /* Names that other file systems fold to .git: trailing dots and spaces
   * (Windows), code points HFS+ ignores, the 8.3 short name. */
  assert_refused (f, ".git./config", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, ".git /config", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, ".g\xe2\x80\x8c" "it/config", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, "\xef\xbb\xbf.git/hooks/pre-commit", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, "GIT~1/config", SPARK_WORKSPACE_ERROR_GIT_DIR);
  assert_refused (f, "git~1", SPARK_WORKSPACE_ERROR_GIT_DIR);
  /* Not git's folder: names that only look alike. */
  assert_ok (f, ".github/workflows/ci.yml", ".github/workflows/ci.yml");
  assert_ok (f, "my.git/x", "my.git/x");
  assert_ok (f, ".gitattributes", ".gitattributes");
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


/* Names longer than NAME_MAX and paths longer than PATH_MAX are refused
 * before anything reaches the file system. */
static void
test_refuses_long (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *name = g_strnfill (NAME_MAX + 1, 'n');
  g_autofree char *in_dir = g_strconcat ("src/", name, "/x.c", NULL);
  g_autofree char *longest_name = g_strnfill (NAME_MAX, 'n');
  g_autoptr(GString) total = g_string_new (NULL);
  g_autoptr(GString) near = g_string_new (NULL);

  assert_refused (f, name, SPARK_WORKSPACE_ERROR_INVALID_PATH);
  assert_refused (f, in_dir, SPARK_WORKSPACE_ERROR_INVALID_PATH);

  /* More than PATH_MAX bytes, each name short. */
  while (total->len < PATH_MAX + 10)
    g_string_append (total, "d/");
  g_string_append (total, "file");
  assert_refused (f, total->str, SPARK_WORKSPACE_ERROR_INVALID_PATH);

  /* Short enough alone, too long once below the root. */
  while (near->len < PATH_MAX - 150)
    g_string_append (near, "dddddddddddddddddddddddddddddddddddddddddddddddddd"
                           "ddddddddddddddddddddddddddddddddddddddddddddddddd/");
  while (near->len < PATH_MAX - 2)
    g_string_append_c (near, 'f');
  g_assert_cmpuint (near->len, <, PATH_MAX);
  assert_refused (f, near->str, SPARK_WORKSPACE_ERROR_INVALID_PATH);

  /* The longest allowed name is fine. */
  assert_ok (f, longest_name, longest_name);
}

/* A folder that is a link leading out (a → /tmp/outside), anywhere on the
 * way, is refused for existing and new files alike; so is a chain of links
 * and a link into a nested repository's .git. */
static void
test_refuses_symlinked_folders (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *outside = g_build_filename (f->dir, "outside", NULL);
  g_autofree char *a = g_build_filename (f->root, "a", NULL);
  g_autofree char *deep = g_build_filename (f->root, "src", "deep", NULL);
  g_autofree char *hop1 = g_build_filename (f->root, "hop1", NULL);
  g_autofree char *hop2 = g_build_filename (f->root, "src", "hop2", NULL);
  g_autofree char *up = g_build_filename (f->root, "up", NULL);
  g_autofree char *nested = g_build_filename (f->root, "nested", NULL);
  g_autofree char *etc = g_build_filename (f->root, "etc", NULL);

  spark_test_write_file (outside, "b/existing.txt", "outside\n");
  spark_test_write_file (f->root, "sub/.git/HEAD", "ref: refs/heads/main\n");
  g_assert_cmpint (symlink (outside, a), ==, 0);
  g_assert_cmpint (symlink (outside, deep), ==, 0);
  g_assert_cmpint (symlink ("src/hop2", hop1), ==, 0);
  g_assert_cmpint (symlink ("../../outside", hop2), ==, 0);
  g_assert_cmpint (symlink ("..", up), ==, 0);
  g_assert_cmpint (symlink ("sub/.git", nested), ==, 0);
  g_assert_cmpint (symlink ("/etc", etc), ==, 0);

  assert_refused (f, "a/b", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "a/b/existing.txt", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "a/b/new.txt", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "a/new-dir/new.txt", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "src/deep/b/existing.txt", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "hop1/b/existing.txt", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "up/secret.txt", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "nested/HEAD", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
  assert_refused (f, "etc/passwd", SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE);
}

/* NUL bytes cannot reach the resolver through C strings: the patch text is
 * where they come in, and the parser refuses them, in the freeform text and
 * in the JSON arguments form alike (json-glib would silently cut a string
 * at a \u0000, so the JSON form never goes through it). */
static void
test_refuses_nul (void)
{
  static const struct { const char *text; gsize len; gboolean json; } cases[] = {
    { "*** Begin Patch\n*** Add File: a\0/../../x\n+x\n*** End Patch\n", 45, FALSE },
    { "*** Begin Patch\n*** Update File: src/main.c\0.bak\n@@\n-a\n+b\n*** End Patch\n", 65, FALSE },
    { "*** Begin Patch\n*** Delete File: \0\n*** End Patch\n", 49, FALSE },
    { "{\"input\":\"*** Begin Patch\\n*** Add File: a\\u0000/../../x\\n+x\\n*** End Patch\\n\"}", 0, TRUE },
    { "{\"input\":\"*** Begin Patch\\n*** Add File: ok.txt\\n+x\\u0000y\\n*** End Patch\\n\"}", 0, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
      g_autoptr(GError) error = NULL;
      gsize len = cases[i].len ? cases[i].len : strlen (cases[i].text);
      gboolean ok;

      g_assert_cmpuint (len, ==, cases[i].json ? strlen (cases[i].text) : len);
      if (!cases[i].json)
        g_assert_nonnull (memchr (cases[i].text, '\0', len));
      if (cases[i].json)
        spark_patch_parser_set_wire_form (parser, SPARK_PATCH_WIRE_JSON_ARGUMENTS);

      n_attacks++;
      ok = spark_patch_parser_feed (parser, cases[i].text, len, &error) &&
           spark_patch_parser_finish (parser, &error);
      g_assert_false (ok);
      g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_SYNTAX);
      g_assert_true (strstr (error->message, "NUL") != NULL);
      n_refused++;
    }
}

/* g_file_set_contents() writes a new file and renames it: not for /proc. */
static gboolean
write_proc (const char *path,
            const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (gssize) strlen (text);
  close (fd);
  return ok;
}

/* No case-insensitive mount can be made here without privileges, so the
 * detection is tested on what such a mount looks like to the resolver: a
 * second name for the very folder .git is. A bind mount in a private user
 * and mount namespace gives one ("GIT~1" and "Alias" → .git); the resolver
 * must refuse both by what they are, not by how they are spelt. */
static void
test_refuses_git_alias (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *git_dir = g_build_filename (f->root, ".git", NULL);
  g_autofree char *alias = g_build_filename (f->root, "Alias", NULL);

  g_assert_cmpint (g_mkdir (alias, 0755), ==, 0);

  if (g_test_subprocess ())
    {
      g_autofree char *map = g_strdup_printf ("0 %u 1", (guint) getuid ());
      g_autofree char *gmap = g_strdup_printf ("0 %u 1", (guint) getgid ());

      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0 ||
          !write_proc ("/proc/self/setgroups", "deny") ||
          !write_proc ("/proc/self/uid_map", map) ||
          !write_proc ("/proc/self/gid_map", gmap) ||
          mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
          mount (git_dir, alias, NULL, MS_BIND, NULL) != 0)
        {
          g_printerr ("no private mount namespace: %s\n", g_strerror (errno));
          exit (77);
        }

      /* The alias really is .git now. */
      {
        g_autofree char *seen = spark_test_read_file (f->root, "Alias/config", NULL);
        g_assert_cmpstr (seen, ==, "[core]\n");
      }

      assert_refused (f, "Alias/config", SPARK_WORKSPACE_ERROR_GIT_DIR);
      assert_refused (f, "Alias/hooks/new-hook", SPARK_WORKSPACE_ERROR_GIT_DIR);
      assert_refused (f, "Alias", SPARK_WORKSPACE_ERROR_GIT_DIR);
      g_assert_cmpuint (n_refused, ==, n_attacks);
      /* Control: without the bind mount, the same names are fine. */
      g_assert_cmpint (umount (alias), ==, 0);
      assert_ok (f, "Alias/config", "Alias/config");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (g_test_trap_has_passed ())
    {
      /* Counted here: the subprocess's counters die with it. */
      n_attacks += 3;
      n_refused += 3;
      return;
    }
  g_test_trap_assert_passed ();
}

/* ---- the write itself: links swapped in after the check ---------------- */

typedef struct
{
  char           *dir;
  char           *root;
  char           *outside;
  char           *store;
  SparkWorkspace *ws;
} Race;

static void
race_setup (Race *r)
{
  g_autoptr(GError) error = NULL;

  r->dir = spark_test_make_temp_dir ();
  r->root = g_build_filename (r->dir, "project", NULL);
  r->outside = g_build_filename (r->dir, "outside", NULL);
  r->store = g_build_filename (r->dir, "store", NULL);
  spark_test_write_file (r->root, "sub/file.txt", "same\n");
  spark_test_write_file (r->root, "sub/gone.txt", "gone\n");
  spark_test_write_file (r->outside, "file.txt", "same\n");
  spark_test_write_file (r->outside, "gone.txt", "gone\n");
  r->ws = spark_workspace_new (r->root, &error);
  g_assert_no_error (error);
  spark_workspace_set_store_dir (r->ws, r->store);
}

static void
race_teardown (Race *r)
{
  g_clear_object (&r->ws);
  spark_test_rm_rf (r->dir);
  g_free (r->dir);
  g_free (r->root);
  g_free (r->outside);
  g_free (r->store);
}

/* Reads the patch (its paths checked, its files read), then runs @swap,
 * then applies: the apply must fail, with SPARK_FILE_ERROR_OUTSIDE, and
 * leave the outside folder byte for byte as it was. */
static void
race (const char *patch,
      void      (*swap) (Race *r))
{
  Race r = { 0 };
  g_autoptr(GListModel) files = NULL;
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(SparkTransaction) tx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *outside_before = NULL;
  g_autofree char *outside_after = NULL;
  gboolean ok;

  race_setup (&r);

  files = spark_patch_parse (patch, -1, &error);
  g_assert_no_error (error);
  cs = spark_changeset_new (r.ws);
  spark_changeset_add_files (cs, files);
  g_assert_true (spark_changeset_accept_all (cs, &error));
  g_assert_no_error (error);

  swap (&r);
  outside_before = tp_tree_digest (r.outside);

  n_attacks++;
  tx = spark_transaction_new (r.ws, cs);
  ok = spark_transaction_run (tx, &error);
  outside_after = tp_tree_digest (r.outside);
  if (!ok && g_error_matches (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_OUTSIDE) &&
      g_strcmp0 (outside_before, outside_after) == 0)
    n_refused++;

  g_assert_false (ok);
  g_assert_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_OUTSIDE);
  g_assert_nonnull (strstr (error->message, "outside the project folder"));
  g_assert_cmpstr (outside_before, ==, outside_after);

  race_teardown (&r);
}

static void
swap_sub_folder (Race *r)
{
  g_autofree char *sub = g_build_filename (r->root, "sub", NULL);
  g_autofree char *moved = g_build_filename (r->root, "sub.real", NULL);

  g_assert_cmpint (g_rename (sub, moved), ==, 0);
  g_assert_cmpint (symlink (r->outside, sub), ==, 0);
}

static void
swap_file (Race *r)
{
  g_autofree char *file = g_build_filename (r->root, "sub", "file.txt", NULL);
  g_autofree char *target = g_build_filename (r->outside, "file.txt", NULL);

  /* Same bytes as read, so no merge notices anything. */
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (symlink (target, file), ==, 0);
}

static void
swap_new_folder (Race *r)
{
  g_autofree char *fresh = g_build_filename (r->root, "fresh", NULL);

  g_assert_cmpint (symlink (r->outside, fresh), ==, 0);
}

static void
swap_git (Race *r)
{
  g_autofree char *file = g_build_filename (r->root, "sub", "file.txt", NULL);
  g_autofree char *git = g_build_filename (r->root, ".git", NULL);

  spark_test_write_file (r->root, ".git/config", "same\n");
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (symlink ("../.git/config", file), ==, 0);
  /* git's folder counts as outside: watch it instead. */
  g_free (r->outside);
  r->outside = g_steal_pointer (&git);
}

static void
test_toctou_update_through_folder (void)
{
  race ("*** Begin Patch\n*** Update File: sub/file.txt\n@@\n-same\n+changed\n*** End Patch\n",
        swap_sub_folder);
}

static void
test_toctou_add_through_folder (void)
{
  race ("*** Begin Patch\n*** Add File: sub/new.txt\n+new\n*** End Patch\n", swap_sub_folder);
}

static void
test_toctou_delete_through_folder (void)
{
  race ("*** Begin Patch\n*** Delete File: sub/gone.txt\n*** End Patch\n", swap_sub_folder);
}

static void
test_toctou_file_link (void)
{
  race ("*** Begin Patch\n*** Update File: sub/file.txt\n@@\n-same\n+changed\n*** End Patch\n",
        swap_file);
}

static void
test_toctou_new_folder (void)
{
  race ("*** Begin Patch\n*** Add File: fresh/deeper/x.txt\n+x\n*** End Patch\n", swap_new_folder);
}

static void
test_toctou_into_git (void)
{
  race ("*** Begin Patch\n*** Update File: sub/file.txt\n@@\n-same\n+changed\n*** End Patch\n",
        swap_git);
}

/* The confined writer itself: a link that stays inside is still written
 * through (a link stays a link), one that leads out is not. */
static void
test_write_in_follows_inside_only (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *root = g_build_filename (dir, "p", NULL);
  g_autofree char *in_link = g_build_filename (root, "in-link", NULL);
  g_autofree char *out_link = g_build_filename (root, "out-link", NULL);
  g_autofree char *real = g_build_filename (root, "real.txt", NULL);
  g_autofree char *outside = g_build_filename (dir, "o.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  spark_test_write_file (root, "real.txt", "old\n");
  spark_test_write_file (dir, "o.txt", "outside\n");
  g_assert_cmpint (symlink ("real.txt", in_link), ==, 0);
  g_assert_cmpint (symlink (outside, out_link), ==, 0);

  g_assert_true (spark_file_write_atomic_in (root, in_link, "new\n", 4, 0, 0, &error));
  g_assert_no_error (error);
  text = spark_test_read_file (root, "real.txt", NULL);
  g_assert_cmpstr (text, ==, "new\n");
  g_assert_true (g_file_test (in_link, G_FILE_TEST_IS_SYMLINK));

  n_attacks++;
  g_assert_false (spark_file_write_atomic_in (root, out_link, "new\n", 4, 0, 0, &error));
  g_assert_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_OUTSIDE);
  g_clear_pointer (&text, g_free);
  text = spark_test_read_file (dir, "o.txt", NULL);
  g_assert_cmpstr (text, ==, "outside\n");
  n_refused++;

  spark_test_rm_rf (dir);
}

static void
test_attack_summary (void)
{
  /* Printed for the report; every attack above was refused or its test
   * already failed. */
  g_test_message ("%u attacks, %u refused", n_attacks, n_refused);
  g_assert_cmpuint (n_attacks, >, 0);
  g_assert_cmpuint (n_refused, ==, n_attacks);
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
  g_test_add ("/workspace/refuses-long", Fixture, NULL, setup, test_refuses_long, teardown);
  g_test_add ("/workspace/refuses-symlinked-folders", Fixture, NULL, setup,
              test_refuses_symlinked_folders, teardown);
  g_test_add_func ("/workspace/refuses-nul", test_refuses_nul);
  g_test_add ("/workspace/refuses-git-alias", Fixture, NULL, setup, test_refuses_git_alias,
              teardown);
  g_test_add_func ("/workspace/toctou/update-through-folder", test_toctou_update_through_folder);
  g_test_add_func ("/workspace/toctou/add-through-folder", test_toctou_add_through_folder);
  g_test_add_func ("/workspace/toctou/delete-through-folder", test_toctou_delete_through_folder);
  g_test_add_func ("/workspace/toctou/file-link", test_toctou_file_link);
  g_test_add_func ("/workspace/toctou/new-folder", test_toctou_new_folder);
  g_test_add_func ("/workspace/toctou/into-git", test_toctou_into_git);
  g_test_add_func ("/workspace/write-in-follows-inside-only", test_write_in_follows_inside_only);
  /* Last (GLib runs a suite's own tests, then its sub-suites in order): the
   * totals of everything above. */
  g_test_add_func ("/workspace/summary/attacks", test_attack_summary);

  return g_test_run ();
}
