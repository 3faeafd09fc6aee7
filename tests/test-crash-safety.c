/* test-crash-safety.c: `spark apply-patch` killed (SIGKILL) at random
 * points, 200 times, on a real git repository.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each run applies one multi-file patch (updates, an add in new folders, a
 * delete, a move) with the real binary and kills it:
 *  - at each crash point in turn ($SPARK_TEST_KILL_AT=1, 2, … until the
 *    apply finishes), so every step of the write is hit once;
 *  - then at random points, seeded: a random crash point, or SIGKILL after
 *    a random delay from the start of the process.
 * After each kill: every file is wholly old or wholly new (byte compare),
 * any file other than the patch's (a temporary one) is counted; if anything
 * was written, a new checkpoint exists (`spark checkpoints`), and restoring
 * it (`spark undo ID`) gives the exact old tree (files, folders, modes,
 * bytes); if no checkpoint was made, nothing was written.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "spark-test-utils.h"
#include "test-patch-common.h"

#ifndef SPARK_EXE
#error "SPARK_EXE must name the built spark binary"
#endif

#define N_KILLS 200

/* The paths the patch touches, in the old and the new tree. */
static const char * const paths[] = {
  "a.txt", "src/b.c", "new/deep/c.txt", "d.txt", "e.txt", "moved/e.txt", "untracked.txt",
};

typedef struct
{
  char       *root;
  char       *patch_path;
  char       *old_digest;
  GHashTable *old;       /* path → contents (absent: not there) */
  GHashTable *new;
  guint       n_checkpoints;
} Repo;

static char *
numbered_lines (const char *tag,
                guint       n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    g_string_append_printf (s, "%s line %u: the quick brown fox jumps over the lazy dog\n", tag, i);
  return g_string_free (s, FALSE);
}

static char *
make_patch (void)
{
  GString *p = g_string_new ("*** Begin Patch\n");

  g_string_append (p, "*** Update File: a.txt\n"
                      "@@\n a line 1: the quick brown fox jumps over the lazy dog\n"
                      "-a line 2: the quick brown fox jumps over the lazy dog\n+A LINE 2 (new)\n"
                      "@@\n a line 600: the quick brown fox jumps over the lazy dog\n"
                      "-a line 601: the quick brown fox jumps over the lazy dog\n+A LINE 601 (new)\n"
                      "@@\n-a line 1200: the quick brown fox jumps over the lazy dog\n+A LINE 1200 (new)\n"
                      "*** End of File\n");
  g_string_append (p, "*** Update File: src/b.c\n"
                      "@@\n-b line 300: the quick brown fox jumps over the lazy dog\n+B LINE 300\n");
  g_string_append (p, "*** Add File: new/deep/c.txt\n");
  for (guint i = 1; i <= 400; i++)
    g_string_append_printf (p, "+c line %u of a new file\n", i);
  g_string_append (p, "*** Delete File: d.txt\n");
  g_string_append (p, "*** Update File: e.txt\n*** Move to: moved/e.txt\n"
                      "@@\n-e line 10: the quick brown fox jumps over the lazy dog\n+E LINE 10\n");
  g_string_append (p, "*** End Patch\n");

  return g_string_free (p, FALSE);
}

static GHashTable *
snapshot (const char *root)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *abs = g_build_filename (root, paths[i], NULL);
      char *contents = NULL;

      if (g_file_get_contents (abs, &contents, NULL, NULL))
        g_hash_table_insert (table, (gpointer) paths[i], contents);
    }
  return table;
}

/* Runs `spark apply-patch` in @root. @kill_at: $SPARK_TEST_KILL_AT (0: not
 * set); @delay_us: SIGKILL after that long (0: never). Returns TRUE when
 * the process was killed, FALSE when it finished (successfully). */
static gboolean
run_apply (const char *root,
           const char *patch_path,
           guint       kill_at,
           guint64     delay_us,
           gint64     *elapsed_us)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kill_at_text = g_strdup_printf ("%u", kill_at);
  gint64 start = g_get_monotonic_time ();

  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, root);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  if (kill_at > 0)
    g_subprocess_launcher_setenv (launcher, "SPARK_TEST_KILL_AT", kill_at_text, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "SPARK_TEST_KILL_AT");

  proc = g_subprocess_launcher_spawn (launcher, &error, SPARK_EXE, "apply-patch", patch_path, NULL);
  g_assert_no_error (error);

  if (delay_us > 0)
    {
      g_usleep (delay_us);
      g_subprocess_send_signal (proc, SIGKILL);
    }
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  if (elapsed_us != NULL)
    *elapsed_us = g_get_monotonic_time () - start;

  if (g_subprocess_get_if_signaled (proc))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
      return TRUE;
    }

  /* Not killed: the apply must have done its whole job. */
  if (g_subprocess_get_exit_status (proc) != 0)
    g_test_message ("apply failed: %s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  return FALSE;
}

/* Runs `spark ARGS…` in @root (not killed) and returns its stdout. */
static char *
run_spark (const char *root,
           ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) SPARK_EXE);
  va_start (ap, root);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, root);
  g_subprocess_launcher_unsetenv (launcher, "SPARK_TEST_KILL_AT");
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("spark %s failed: %s", (char *) argv->pdata[1], err);

  return out;
}

/* The checkpoint ids, oldest first, as `spark checkpoints` lists them. */
static GPtrArray *
list_checkpoints (const char *root)
{
  g_autofree char *out = run_spark (root, "checkpoints", NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] != '\0')
        g_ptr_array_add (ids, g_strndup (lines[i], strcspn (lines[i], "\t")));
    }
  return ids;
}

/* `spark undo ID`: the CLI a person would use after a crash. */
static void
restore (const char *root,
         const char *id)
{
  g_autofree char *out = run_spark (root, "undo", id, NULL);

  g_assert_nonnull (strstr (out, "Restored checkpoint"));
}

/* Files of the tree that are none of the patch's (temporary files). */
static void
collect_strays (const char *root,
                const char *rel,
                GPtrArray  *strays)
{
  g_autofree char *abs = g_build_filename (root, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (abs, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = rel[0] ? g_strconcat (rel, "/", name, NULL) : g_strdup (name);
      g_autofree char *child_abs = g_build_filename (root, child, NULL);
      gboolean known = FALSE;

      if (strcmp (child, ".git") == 0)
        continue;
      if (g_file_test (child_abs, G_FILE_TEST_IS_DIR))
        {
          collect_strays (root, child, strays);
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
        known |= strcmp (paths[i], child) == 0;
      if (!known)
        g_ptr_array_add (strays, g_steal_pointer (&child));
    }
}

typedef struct
{
  guint killed;
  guint finished;
  guint all_old;
  guint mixed;
  guint all_new;
  guint no_checkpoint;
  guint restored;
  guint with_strays;
} Tally;

/* One run: kill, check, restore. */
static gboolean
one_run (Repo    *repo,
         Tally   *tally,
         guint    kill_at,
         guint64  delay_us)
{
  g_autoptr(GHashTable) now = NULL;
  g_autoptr(GPtrArray) strays = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) list = NULL;
  guint n_old = 0, n_new = 0;
  gboolean killed;

  killed = run_apply (repo->root, repo->patch_path, kill_at, delay_us, NULL);
  if (killed)
    tally->killed++;
  else
    tally->finished++;

  /* Every file is wholly old or wholly new. */
  now = snapshot (repo->root);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      const char *have = g_hash_table_lookup (now, paths[i]);
      const char *old = g_hash_table_lookup (repo->old, paths[i]);
      const char *new = g_hash_table_lookup (repo->new, paths[i]);
      gboolean is_old = g_strcmp0 (have, old) == 0;
      gboolean is_new = g_strcmp0 (have, new) == 0;

      if (!is_old && !is_new)
        g_error ("%s is torn after a kill at %u / %" G_GUINT64_FORMAT " µs (%zu bytes)",
                 paths[i], kill_at, delay_us, have ? strlen (have) : 0);
      if (is_old && !is_new)
        n_old++;
      if (is_new && !is_old)
        n_new++;
    }
  if (n_new == 0)
    tally->all_old++;
  else if (n_old == 0)
    tally->all_new++;
  else
    tally->mixed++;

  collect_strays (repo->root, "", strays);
  if (strays->len > 0)
    {
      tally->with_strays++;
      for (guint i = 0; i < strays->len; i++)
        g_test_message ("stray after a kill at %u / %" G_GUINT64_FORMAT " µs: %s", kill_at, delay_us,
                        (char *) strays->pdata[i]);
    }

  /* The checkpoint comes before the first write. */
  list = list_checkpoints (repo->root);
  if (list->len == repo->n_checkpoints)
    {
      tally->no_checkpoint++;
      g_assert_cmpuint (n_new, ==, 0);
      g_assert_cmpuint (strays->len, ==, 0);
    }
  else
    {
      const char *id = g_ptr_array_index (list, list->len - 1);
      g_autofree char *digest = NULL;

      g_assert_cmpuint (list->len, ==, repo->n_checkpoints + 1);
      restore (repo->root, id);
      tally->restored++;
      digest = tp_tree_digest (repo->root);
      if (g_strcmp0 (digest, repo->old_digest) != 0)
        g_error ("restoring checkpoint %s after a kill at %u / %" G_GUINT64_FORMAT
                 " µs did not give the old tree:\n%s\nexpected:\n%s",
                 id, kill_at, delay_us, digest, repo->old_digest);
      /* The restore recorded one more. */
      g_clear_pointer (&list, g_ptr_array_unref);
      list = list_checkpoints (repo->root);
      g_assert_cmpuint (list->len, ==, repo->n_checkpoints + 2);
    }
  repo->n_checkpoints = list->len;

  return killed;
}

static void
test_kill_apply (void)
{
  g_autofree char *scratch = spark_test_make_temp_dir ();
  g_autofree char *copy = g_build_filename (scratch, "copy", NULL);
  g_autofree char *patch = make_patch ();
  g_autofree char *a = numbered_lines ("a", 1200);
  g_autofree char *b = numbered_lines ("b", 600);
  g_autofree char *e = numbered_lines ("e", 40);
  g_autoptr(GRand) rand = NULL;
  guint32 seed = 20260801;
  Repo repo = { 0 };
  Tally tally = { 0 };
  guint n_points = 0;
  guint n_runs = 0;
  gint64 full_us = 0;

  if (g_getenv ("SPARK_TEST_SEED") != NULL)
    seed = (guint32) g_ascii_strtoull (g_getenv ("SPARK_TEST_SEED"), NULL, 10);
  rand = g_rand_new_with_seed (seed);

  repo.root = g_build_filename (scratch, "repo", NULL);
  repo.patch_path = g_build_filename (scratch, "change.patch", NULL);
  g_assert_true (g_file_set_contents (repo.patch_path, patch, -1, NULL));

  spark_test_write_file (repo.root, "a.txt", a);
  spark_test_write_file (repo.root, "src/b.c", b);
  spark_test_write_file (repo.root, "d.txt", "to be deleted\n");
  spark_test_write_file (repo.root, "e.txt", e);
  spark_test_git (repo.root, "init", "-q", NULL);
  spark_test_git (repo.root, "add", "-A", NULL);
  spark_test_git (repo.root, "commit", "-q", "-m", "base", NULL);
  /* Not committed: the checkpoint must keep it too. */
  spark_test_write_file (repo.root, "untracked.txt", "not in git yet\n");
  {
    g_autofree char *exe = g_build_filename (repo.root, "src", "b.c", NULL);
    g_assert_cmpint (g_chmod (exe, 0755), ==, 0);
  }

  repo.old = snapshot (repo.root);
  repo.old_digest = tp_tree_digest (repo.root);

  /* The new tree: the same apply, not killed, on a copy. */
  tp_copy_tree (repo.root, copy);
  g_assert_false (run_apply (copy, repo.patch_path, 0, 0, &full_us));
  repo.new = snapshot (copy);
  g_assert_cmpuint (g_hash_table_size (repo.new), ==, 5);
  g_assert_false (g_hash_table_contains (repo.new, "d.txt"));
  g_assert_false (g_hash_table_contains (repo.new, "e.txt"));

  /* Every crash point in turn, until the apply gets through. */
  for (guint n = 1; ; n++)
    {
      n_runs++;
      if (!one_run (&repo, &tally, n, 0))
        break;
      n_points = n;
      g_assert_cmpuint (n, <, N_KILLS / 2);
    }
  g_assert_cmpuint (n_points, >, 10);

  /* Then random points: half at a random crash point, half after a random
   * delay (up to the time a whole apply takes, plus a fifth). */
  while (tally.killed < N_KILLS)
    {
      n_runs++;
      if (g_rand_boolean (rand))
        one_run (&repo, &tally, g_rand_int_range (rand, 1, n_points + 1), 0);
      else
        one_run (&repo, &tally, 0, g_rand_int_range (rand, 1, full_us * 6 / 5 + 2));
      g_assert_cmpuint (n_runs, <, N_KILLS * 3);
    }

  g_test_message ("seed %u; %u crash points; whole apply %.1f ms", seed, n_points, full_us / 1000.0);
  g_test_message ("%u runs: %u killed, %u finished; after the kill: %u all old, %u mixed, "
                  "%u all new; %u without a checkpoint (nothing written), %u restored to the "
                  "exact old tree; %u with a temporary file left",
                  n_runs, tally.killed, tally.finished, tally.all_old, tally.mixed, tally.all_new,
                  tally.no_checkpoint, tally.restored, tally.with_strays);
  g_assert_cmpuint (tally.killed, ==, N_KILLS);
  g_assert_cmpuint (tally.restored + tally.no_checkpoint, ==, n_runs);
  /* The kills did land mid-apply, not only before or after it. */
  g_assert_cmpuint (tally.mixed, >, 0);

  g_hash_table_unref (repo.old);
  g_hash_table_unref (repo.new);
  g_free (repo.old_digest);
  g_free (repo.root);
  g_free (repo.patch_path);
  spark_test_rm_rf (scratch);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;

  spark_test_init (&argc, &argv);
  home = spark_test_isolate_git_config ();

  g_test_add_func ("/crash-safety/kill-apply", test_kill_apply);

  return g_test_run ();
}
