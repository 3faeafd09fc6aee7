/* test-patch-match.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-patch-match.h"
#include "spark-patch-parser.h"
#include "spark-test-utils.h"

static char **
split (const char *text,
       guint      *n)
{
  return spark_patch_split_lines (text, strlen (text), n);
}

static void
test_split_lines (void)
{
  guint n;
  g_auto(GStrv) a = split ("a\nb\n", &n);
  g_auto(GStrv) b = split ("a\nb", &n);
  g_auto(GStrv) c = split ("", &n);
  g_auto(GStrv) d = split ("a\n\n", &n);

  g_assert_cmpuint (g_strv_length (a), ==, 2);
  g_assert_cmpuint (g_strv_length (b), ==, 2);
  g_assert_cmpuint (g_strv_length (c), ==, 0);
  g_assert_cmpuint (g_strv_length (d), ==, 2);
  g_assert_cmpstr (d[1], ==, "");
}

/* Each fuzz level is tried over the whole file before the next: an exact
 * match further down wins over a fuzzy one higher up. */
static void
test_fuzz_levels (void)
{
  const char *file[] = {
    "alpha  ",            /* 0: trailing spaces */
    "  beta",             /* 1: leading spaces */
    "gamma \u2014 \u201cquoted\u201d\u00a0x",  /* 2: unicode dash, quotes, nbsp */
    "alpha",              /* 3: exact */
    "delta\t",            /* 4 */
    NULL
  };
  struct {
    const char *pattern;
    guint at;
    SparkMatchFuzz fuzz;
  } cases[] = {
    { "alpha", 3, SPARK_MATCH_EXACT },
    { "delta", 4, SPARK_MATCH_TRIM_END },
    { "alpha  ", 0, SPARK_MATCH_EXACT },
    { "beta", 1, SPARK_MATCH_TRIM },
    { "beta  ", 1, SPARK_MATCH_TRIM },
    { "gamma - \"quoted\" x", 2, SPARK_MATCH_UNICODE },
    { "  gamma \u2013 \u201equoted\u201f\u3000x ", 2, SPARK_MATCH_UNICODE },
  };
  guint found;
  SparkMatchFuzz fuzz;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *pattern[] = { cases[i].pattern, NULL };

      g_assert_true (spark_patch_seek (file, 5, pattern, 1, 0, FALSE, &found, &fuzz));
      g_assert_cmpuint (found, ==, cases[i].at);
      g_assert_cmpint (fuzz, ==, cases[i].fuzz);
    }

  {
    const char *missing[] = { "epsilon", NULL };
    const char *other_quote[] = { "gamma - 'quoted' x", NULL };

    g_assert_false (spark_patch_seek (file, 5, missing, 1, 0, FALSE, &found, &fuzz));
    /* Double quotes fold to ", not to '. */
    g_assert_false (spark_patch_seek (file, 5, other_quote, 1, 0, FALSE, &found, &fuzz));
  }
}

static void
test_seek_edges (void)
{
  const char *file[] = { "a", "b", "a", "b", NULL };
  const char *ab[] = { "a", "b", NULL };
  const char *long_pattern[] = { "a", "b", "a", "b", "a", NULL };
  guint found;

  /* An empty pattern matches at the start position. */
  g_assert_true (spark_patch_seek (file, 4, ab, 0, 3, FALSE, &found, NULL));
  g_assert_cmpuint (found, ==, 3);
  /* First match at or after the start; no uniqueness check. */
  g_assert_true (spark_patch_seek (file, 4, ab, 2, 0, FALSE, &found, NULL));
  g_assert_cmpuint (found, ==, 0);
  g_assert_true (spark_patch_seek (file, 4, ab, 2, 1, FALSE, &found, NULL));
  g_assert_cmpuint (found, ==, 2);
  /* A pattern longer than the file never matches. */
  g_assert_false (spark_patch_seek (file, 4, long_pattern, 5, 0, FALSE, &found, NULL));
}

/* With *** End of File the search starts at the tail only. */
static void
test_eof_rule (void)
{
  const char *file[] = { "x", "end", "y", "end", NULL };
  const char *file2[] = { "x", "end", "y", NULL };
  const char *pattern[] = { "end", NULL };
  guint found;

  g_assert_true (spark_patch_seek (file, 4, pattern, 1, 0, TRUE, &found, NULL));
  g_assert_cmpuint (found, ==, 3);
  g_assert_true (spark_patch_seek (file, 4, pattern, 1, 0, FALSE, &found, NULL));
  g_assert_cmpuint (found, ==, 1);
  /* Not at the end: no match, even though the line exists earlier. */
  g_assert_false (spark_patch_seek (file2, 3, pattern, 1, 0, TRUE, &found, NULL));
}

static void
test_anchors (void)
{
  const char *file[] = {
    "class A:", "  def run(self):", "    return 1",
    "class B:", "  def run(self):", "    return 1",
    NULL
  };
  const char *anchors_b[] = { "class B:", NULL };
  const char *stacked[] = { "class B:", "def run(self):", NULL };
  const char *missing[] = { "class C:", NULL };
  const char *old_lines[] = { "    return 1", NULL };
  const char *new_lines[] = { "    return 2", NULL };
  g_autoptr(GError) error = NULL;
  SparkMatchLocation loc;
  guint cursor = 0;

  g_assert_true (spark_patch_locate_hunk (file, 6, &cursor, NULL, old_lines, new_lines, FALSE,
                                          "a.py", &loc, &error));
  g_assert_cmpuint (loc.start, ==, 2);

  cursor = 0;
  g_assert_true (spark_patch_locate_hunk (file, 6, &cursor, anchors_b, old_lines, new_lines, FALSE,
                                          "a.py", &loc, &error));
  g_assert_cmpuint (loc.start, ==, 5);
  g_assert_cmpuint (cursor, ==, 6);

  cursor = 0;
  g_assert_true (spark_patch_locate_hunk (file, 6, &cursor, stacked, old_lines, new_lines, FALSE,
                                          "a.py", &loc, &error));
  g_assert_cmpuint (loc.start, ==, 5);
  /* The second anchor matched with trimming. */

  cursor = 0;
  g_assert_false (spark_patch_locate_hunk (file, 6, &cursor, missing, old_lines, new_lines, FALSE,
                                           "a.py", &loc, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, "Failed to find context 'class C:' in a.py");
  g_clear_error (&error);

  {
    const char *gone[] = { "    return 3", "  x", NULL };

    cursor = 0;
    g_assert_false (spark_patch_locate_hunk (file, 6, &cursor, NULL, gone, new_lines, FALSE,
                                             "a.py", &loc, &error));
    g_assert_cmpstr (error->message, ==, "Failed to find expected lines in a.py:\n    return 3\n  x");
  }
}

/* Pure additions go at the end of the file (before a final empty line). */
static void
test_pure_addition (void)
{
  const char *file[] = { "a", "b", NULL };
  const char *file_blank[] = { "a", "", NULL };
  const char *anchors[] = { "a", NULL };
  const char *new_lines[] = { "added", NULL };
  SparkMatchLocation loc;
  guint cursor = 0;

  g_assert_true (spark_patch_locate_hunk (file, 2, &cursor, anchors, NULL, new_lines, FALSE,
                                          "f", &loc, NULL));
  g_assert_cmpuint (loc.start, ==, 2);
  g_assert_cmpuint (loc.length, ==, 0);
  g_assert_cmpuint (cursor, ==, 1);

  cursor = 0;
  g_assert_true (spark_patch_locate_hunk (file_blank, 2, &cursor, NULL, NULL, new_lines, FALSE,
                                          "f", &loc, NULL));
  g_assert_cmpuint (loc.start, ==, 1);
}

/* A pattern ending in an empty line is retried without it. */
static void
test_trailing_empty_retry (void)
{
  const char *file[] = { "a", "b", NULL };
  const char *old_lines[] = { "b", "", NULL };
  const char *new_lines[] = { "B", "", NULL };
  SparkMatchLocation loc;
  guint cursor = 0;

  g_assert_true (spark_patch_locate_hunk (file, 2, &cursor, NULL, old_lines, new_lines, FALSE,
                                          "f", &loc, NULL));
  g_assert_cmpuint (loc.start, ==, 1);
  g_assert_cmpuint (loc.length, ==, 1);
  g_assert_cmpuint (loc.new_drop, ==, 1);
}

static void
test_replacements (void)
{
  const char *file[] = { "a", "b", "c", NULL };
  const char *x[] = { "x", NULL };
  const char *y[] = { "y1", "y2", NULL };
  const char *z[] = { "z", NULL };
  const char *empty_last[] = { "", NULL };
  SparkReplacement reps[] = {
    { 3, 0, z, 1 },     /* pure addition at the end */
    { 1, 1, y, 2 },
    { 0, 1, x, 1 },
    { 3, 0, x, 1 },     /* same start: keeps its order after z */
  };
  SparkReplacement one = { 2, 1, empty_last, 1 };
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;
  gsize len;

  out = spark_patch_apply_replacements (file, 3, reps, G_N_ELEMENTS (reps), &len);
  g_assert_cmpstr (out, ==, "x\ny1\ny2\nc\nz\nx\n");
  g_assert_cmpuint (len, ==, strlen (out));

  /* A result whose last line is empty gets no second newline. */
  out2 = spark_patch_apply_replacements (file, 3, &one, 1, NULL);
  g_assert_cmpstr (out2, ==, "a\nb\n");

  /* No replacements: the reference adds the final newline. */
  out3 = spark_patch_apply_replacements (file, 3, NULL, 0, NULL);
  g_assert_cmpstr (out3, ==, "a\nb\nc\n");
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/patch-match/split-lines", test_split_lines);
  g_test_add_func ("/patch-match/fuzz-levels", test_fuzz_levels);
  g_test_add_func ("/patch-match/seek-edges", test_seek_edges);
  g_test_add_func ("/patch-match/eof-rule", test_eof_rule);
  g_test_add_func ("/patch-match/anchors", test_anchors);
  g_test_add_func ("/patch-match/pure-addition", test_pure_addition);
  g_test_add_func ("/patch-match/trailing-empty-retry", test_trailing_empty_retry);
  g_test_add_func ("/patch-match/replacements", test_replacements);

  return g_test_run ();
}
