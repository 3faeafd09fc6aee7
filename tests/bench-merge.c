/* bench-merge.c: times spark_merge_three_way() on large texts and prints one
 * spark_bench_print() line per scenario (median of several rounds; the
 * fastest is in the note). Not one of issue 7's figures ("other"): merges
 * run when a file changed on disk under a proposal.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-bench.h"
#include "spark-merge.h"
#include "spark-test-utils.h"

#define ROUNDS 31

static const char * const pool[] = { "", "}", "{", "  return 0;", "  x++;", "  break;", "a", "b" };

/* A C-like text: blank lines and braces repeat, the other lines are unique. */
static char *
code_line (guint k)
{
  if (k % 7 == 0)
    return g_strdup ("");
  if (k % 5 == 0)
    return g_strdup ("}");

  return g_strdup_printf ("  value_%u = compute (%u, %u);", k, k * 3, k % 11);
}

/* base, ours and theirs: ours edits every 97th line and inserts one line in
 * every 500; theirs edits every 89th line (@overlap: also some of ours, with
 * different text), deletes one line in every 500 and inserts another. */
static void
make_scattered (guint     n_lines,
                gboolean  overlap,
                GString  *base,
                GString  *ours,
                GString  *theirs)
{
  for (guint k = 0; k < n_lines; k++)
    {
      g_autofree char *line = code_line (k);
      gboolean ours_edit = k % 97 == 3;
      gboolean theirs_edit = k % 89 == 50 || (overlap && k % 291 == 3);

      if (!overlap && ours_edit)
        theirs_edit = FALSE;

      g_string_append_printf (base, "%s\n", line);
      g_string_append_printf (ours, ours_edit ? "%s /* ours */\n" : "%s\n", line);
      if (theirs_edit)
        g_string_append_printf (theirs, "%s /* theirs */\n", line);
      else if (k % 500 != 250)
        g_string_append_printf (theirs, "%s\n", line);
      if (k % 500 == 100)
        g_string_append (ours, "  /* inserted by the person */\n");
      if (k % 500 == 400)
        g_string_append (theirs, "  /* inserted by the model */\n");
    }
}

/* Three unrelated texts drawn from a few repeated lines: the worst case for a
 * line diff (long, unmatched and full of false matches). */
static void
make_unrelated (guint    n_lines,
                GString *base,
                GString *ours,
                GString *theirs)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  GString *texts[] = { base, ours, theirs };

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    for (guint k = 0; k < n_lines; k++)
      g_string_append_printf (texts[t], "%s\n", pool[g_rand_int_range (rand, 0, G_N_ELEMENTS (pool))]);
}

static void
run (const char *name,
     guint       n_lines,
     GString    *base,
     GString    *ours,
     GString    *theirs)
{
  double times[ROUNDS];
  guint n_conflicts = 0;

  for (guint r = 0; r < ROUNDS; r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SparkMergeResult) result = NULL;
      gint64 start = g_get_monotonic_time ();

      result = spark_merge_three_way (base->str, ours->str, theirs->str, &error);
      times[r] = (g_get_monotonic_time () - start) / 1000.0;
      g_assert_no_error (error);
      n_conflicts = spark_merge_result_get_n_conflicts (result);
    }

  {
    g_autofree char *note = NULL;
    double median = spark_bench_quantile (times, ROUNDS, 0.5);
    double fastest = times[0];   /* spark_bench_quantile() sorted them */
    note = g_strdup_printf ("median of %d rounds (fastest %.3f ms); %u lines, %" G_GSIZE_FORMAT
                            " bytes, %u conflicts", ROUNDS, fastest, n_lines, base->len, n_conflicts);
    {
      SparkBenchFigure figure = {
        .figure = "other", .name = name, .value = median, .unit = "ms", .note = note,
      };
      spark_bench_print (&figure);
    }
  }
}

int
main (int   argc,
      char *argv[])
{
  {
    g_autoptr(GString) base = g_string_new (NULL);
    g_autoptr(GString) ours = g_string_new (NULL);
    g_autoptr(GString) theirs = g_string_new (NULL);

    make_scattered (10000, FALSE, base, ours, theirs);
    run ("merge_10k_scattered_clean", 10000, base, ours, theirs);
  }
  {
    g_autoptr(GString) base = g_string_new (NULL);
    g_autoptr(GString) ours = g_string_new (NULL);
    g_autoptr(GString) theirs = g_string_new (NULL);

    make_scattered (10000, TRUE, base, ours, theirs);
    run ("merge_10k_scattered_conflicts", 10000, base, ours, theirs);
  }
  {
    g_autoptr(GString) base = g_string_new (NULL);
    g_autoptr(GString) ours = g_string_new (NULL);
    g_autoptr(GString) theirs = g_string_new (NULL);

    make_unrelated (10000, base, ours, theirs);
    run ("merge_10k_unrelated", 10000, base, ours, theirs);
  }

  return 0;
}
