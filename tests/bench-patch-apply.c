/* bench-patch-apply.c: applies 1,000 hunks across 100 files, with a
 * checkpoint, and prints the timings as JSON.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

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

static void
make_files (const char *root,
            GString    *patch)
{
  g_string_append (patch, "*** Begin Patch\n");

  for (guint f = 0; f < N_FILES; f++)
    {
      g_autofree char *name = g_strdup_printf ("src/mod%02u/file%03u.c", f % 10, f);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint l = 0; l < LINES_PER; l++)
        g_string_append_printf (text, "static int value_%u_%u = %u;  /* line %u */\n", f, l, l, l);
      spark_test_write_file (root, name, text->str);

      g_string_append_printf (patch, "*** Update File: %s\n", name);
      for (guint h = 0; h < HUNKS_PER; h++)
        {
          guint l = h * (LINES_PER / HUNKS_PER) + 5;

          g_string_append_printf (patch, "@@ static int value_%u_%u = %u;  /* line %u */\n",
                                  f, l - 3, l - 3, l - 3);
          g_string_append_printf (patch, " static int value_%u_%u = %u;  /* line %u */\n", f, l - 1, l - 1, l - 1);
          g_string_append_printf (patch, "-static int value_%u_%u = %u;  /* line %u */\n", f, l, l, l);
          g_string_append_printf (patch, "+static int value_%u_%u = %u;  /* changed */\n", f, l, l * 2);
          g_string_append_printf (patch, " static int value_%u_%u = %u;  /* line %u */\n", f, l + 1, l + 1, l + 1);
        }
    }

  g_string_append (patch, "*** End Patch\n");
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

  make_files (root, patch);
  if (git)
    {
      spark_test_git (root, "init", "-q", NULL);
      spark_test_git (root, "add", ".", NULL);
      spark_test_git (root, "commit", "-q", "-m", "bench", NULL);
    }

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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GString) json = g_string_new ("{\n  \"files\": 100,\n  \"hunks\": 1000,\n");

  spark_test_quiet_logs ();
  garbage = g_ptr_array_new_with_free_func (g_free);

  for (guint mode = 0; mode < 2; mode++)
    {
      double best_total = G_MAXDOUBLE, best_parse = 0, best_apply = 0;

      for (guint r = 0; r < ROUNDS; r++)
        {
          double p, a, t;

          run_once (mode == 0, &p, &a, &t);
          if (t < best_total)
            {
              best_total = t;
              best_parse = p;
              best_apply = a;
            }
        }

      g_string_append_printf (json,
                              "  \"%s\": { \"parse_and_match_ms\": %.1f, \"checkpoint_and_write_ms\": %.1f, "
                              "\"total_ms\": %.1f },\n",
                              mode == 0 ? "git" : "plain_folder",
                              best_parse, best_apply, best_total);
    }

  g_string_append_printf (json, "  \"tmpdir\": \"%s\"\n}\n", g_get_tmp_dir ());
  g_print ("%s", json->str);

  for (guint i = 0; i < garbage->len; i++)
    spark_test_rm_rf (g_ptr_array_index (garbage, i));
  g_ptr_array_unref (garbage);

  return 0;
}
