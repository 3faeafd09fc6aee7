/* bench-patch-apply.c — figure 6 of the speed suite: applying 1,000 hunks
 * over 100 files with the git checkpoint, parse to written files, against
 * `git apply` of the same change as a unified diff on an identical tree,
 * measured in the same run (medians of ROUNDS).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "spark-bench.h"
#include "spark-transaction.h"
#include "spark-test-utils.h"

#define N_FILES       100
#define HUNKS_PER     10
#define LINES_PER     200
#define ROUNDS        5

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static char *
file_line (guint f,
           guint l,
           gboolean changed)
{
  if (changed)
    return g_strdup_printf ("static int value_%u_%u = %u;  /* changed */", f, l, l * 2);
  return g_strdup_printf ("static int value_%u_%u = %u;  /* line %u */", f, l, l, l);
}

/* The tree, the change as an apply_patch envelope (@patch) and as a
 * unified diff for git apply (@diff, may be NULL). */
static void
make_files (const char *root,
            GString    *patch,
            GString    *diff)
{
  g_string_append (patch, "*** Begin Patch\n");

  for (guint f = 0; f < N_FILES; f++)
    {
      g_autofree char *name = g_strdup_printf ("src/mod%02u/file%03u.c", f % 10, f);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint l = 0; l < LINES_PER; l++)
        {
          g_autofree char *line = file_line (f, l, FALSE);
          g_string_append_printf (text, "%s\n", line);
        }
      spark_test_write_file (root, name, text->str);

      g_string_append_printf (patch, "*** Update File: %s\n", name);
      if (diff != NULL)
        g_string_append_printf (diff, "--- a/%s\n+++ b/%s\n", name, name);
      for (guint h = 0; h < HUNKS_PER; h++)
        {
          guint l = h * (LINES_PER / HUNKS_PER) + 5;
          g_autofree char *anchor = file_line (f, l - 3, FALSE);
          g_autofree char *before = file_line (f, l - 1, FALSE);
          g_autofree char *old = file_line (f, l, FALSE);
          g_autofree char *new = file_line (f, l, TRUE);
          g_autofree char *after = file_line (f, l + 1, FALSE);

          g_string_append_printf (patch, "@@ %s\n %s\n-%s\n+%s\n %s\n", anchor, before, old, new, after);
          /* Lines l - 1 … l + 1, numbered from 1. */
          if (diff != NULL)
            g_string_append_printf (diff, "@@ -%u,3 +%u,3 @@\n %s\n-%s\n+%s\n %s\n",
                                    l, l, before, old, new, after);
        }
    }

  g_string_append (patch, "*** End Patch\n");
}

static void
make_repository (const char *root)
{
  spark_test_git (root, "init", "-q", NULL);
  spark_test_git (root, "add", ".", NULL);
  spark_test_git (root, "commit", "-q", "-m", "bench", NULL);
}

/* Trees are removed only at the end: on a file system without a journal,
 * ext4 scans recently deleted inodes on every create, so deleting the
 * previous round's tree would slow down the next round's writes. */
static GPtrArray *garbage;

static void
run_once (gboolean  git,
          double   *parse_ms,
          double   *apply_ms,
          double   *total_ms)
{
  char *root = spark_test_make_temp_dir ();
  char *store = spark_test_make_temp_dir ();
  g_autoptr(GString) patch = g_string_new (NULL);
  g_autoptr(SparkWorkspace) ws = NULL;
  g_autoptr(SparkPatchParser) parser = NULL;
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(SparkTransaction) tx = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0, t1;

  make_files (root, patch, NULL);
  if (git)
    make_repository (root);

  t0 = g_get_monotonic_time ();
  ws = spark_workspace_new (root, &error);
  g_assert_no_error (error);
  spark_workspace_set_store_dir (ws, store);
  parser = spark_patch_parser_new ();
  cs = spark_changeset_new (ws);
  spark_changeset_follow_parser (cs, parser);
  if (!spark_patch_parser_feed (parser, patch->str, patch->len, &error) ||
      !spark_patch_parser_finish (parser, &error))
    g_error ("%s", error->message);
  if (!spark_changeset_accept_all (cs, &error))
    g_error ("%s", error->message);
  g_assert_cmpuint (spark_changeset_get_n_hunks (cs), ==, N_FILES * HUNKS_PER);
  *parse_ms = ms_since (t0);

  t1 = g_get_monotonic_time ();
  tx = spark_transaction_new (ws, cs);
  if (!spark_transaction_run (tx, &error))
    g_error ("%s", error->message);
  g_assert_nonnull (spark_transaction_get_checkpoint (tx));
  *apply_ms = ms_since (t1);
  *total_ms = ms_since (t0);

  g_ptr_array_add (garbage, root);
  g_ptr_array_add (garbage, store);
}

/* `git apply` of the same change on an identical repository, spawn
 * included: what applying it without Spark costs. */
static double
run_git_apply (void)
{
  char *root = spark_test_make_temp_dir ();
  g_autoptr(GString) patch = g_string_new (NULL);
  g_autoptr(GString) diff = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *diff_path = NULL;
  g_autofree char *check = NULL;
  int status = 0;
  gint64 t0;
  double ms;

  make_files (root, patch, diff);
  make_repository (root);
  diff_path = g_build_filename (g_get_tmp_dir (), "spark-bench-apply.diff", NULL);
  if (!g_file_set_contents (diff_path, diff->str, diff->len, &error))
    g_error ("%s", error->message);

  t0 = g_get_monotonic_time ();
  {
    const char *argv[] = { "git", "apply", diff_path, NULL };

    if (!g_spawn_sync (root, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      g_error ("git apply: %s", error->message);
  }
  ms = ms_since (t0);

  /* The same change as Spark's: one file checked. */
  check = spark_test_read_file (root, "src/mod07/file017.c", NULL);
  if (strstr (check, "static int value_17_5 = 10;  /* changed */") == NULL)
    g_error ("git apply did not make the change");

  g_unlink (diff_path);
  g_ptr_array_add (garbage, root);
  return ms;
}

int
main (int   argc,
      char *argv[])
{
  double parse[2][ROUNDS], apply[2][ROUNDS], total[2][ROUNDS], git_apply[ROUNDS];
  g_autofree char *home = NULL;
  g_autofree char *note = NULL;

  home = spark_test_isolate_git_config ();
  garbage = g_ptr_array_new_with_free_func (g_free);

  /* Interleaved, so that a busy moment of the machine hits all three. */
  for (guint r = 0; r < ROUNDS; r++)
    {
      for (guint mode = 0; mode < 2; mode++)
        run_once (mode == 0, &parse[mode][r], &apply[mode][r], &total[mode][r]);
      git_apply[r] = run_git_apply ();
    }

  note = g_strdup_printf ("median of %d rounds; %d files of %d lines in a git repository, parse "
                          "and match %.1f ms, checkpoint and atomic writes %.1f ms; a plain "
                          "folder (no git checkpoint) %.1f ms; baseline: git apply of the same "
                          "change as a unified diff on an identical repository, process start "
                          "included; temporary folder %s",
                          ROUNDS, N_FILES, LINES_PER,
                          spark_bench_quantile (parse[0], ROUNDS, 0.5),
                          spark_bench_quantile (apply[0], ROUNDS, 0.5),
                          spark_bench_quantile (total[1], ROUNDS, 0.5),
                          g_get_tmp_dir ());
  {
    SparkBenchFigure figure = {
      .figure = "6", .name = "apply_1000_hunks", .unit = "ms",
      .value = spark_bench_quantile (total[0], ROUNDS, 0.5),
      .baseline = "git apply", .baseline_value = spark_bench_quantile (git_apply, ROUNDS, 0.5),
      .target_op = "<=", .target = 50, .note = note,
    };
    spark_bench_print (&figure);
  }

  for (guint i = 0; i < garbage->len; i++)
    spark_test_rm_rf (g_ptr_array_index (garbage, i));
  g_ptr_array_unref (garbage);
  spark_test_rm_rf (home);

  return 0;
}
