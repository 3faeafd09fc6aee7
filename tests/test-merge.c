/* test-merge.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-merge.h"
#include "spark-test-utils.h"

static SparkMergeResult *
merge (const char *base,
       const char *ours,
       const char *theirs)
{
  g_autoptr(GError) error = NULL;
  SparkMergeResult *result = spark_merge_three_way (base, ours, theirs, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

/* Merges without conflict into @expected. */
static void
assert_clean (const char *base,
              const char *ours,
              const char *theirs,
              const char *expected)
{
  g_autoptr(SparkMergeResult) result = merge (base, ours, theirs);
  g_autofree char *resolved = NULL;

  g_assert_false (spark_merge_result_has_conflicts (result));
  g_assert_cmpuint (spark_merge_result_get_n_conflicts (result), ==, 0);
  g_assert_cmpstr (spark_merge_result_get_text (result), ==, expected);

  resolved = spark_merge_result_resolve (result, NULL, 0);
  g_assert_cmpstr (resolved, ==, expected);
}

static void
test_clean_non_overlapping (void)
{
  assert_clean ("a\nb\nc\nd\ne\n",
                "a\nB\nc\nd\ne\n",
                "a\nb\nc\nD\ne\n",
                "a\nB\nc\nD\ne\n");
  /* Insertions and deletions on both sides, far apart. */
  assert_clean ("1\n2\n3\n4\n5\n6\n7\n8\n",
                "1\nnew\n2\n3\n4\n6\n7\n8\n",
                "1\n2\n3\n4\n5\n6\n8\n9\n",
                "1\nnew\n2\n3\n4\n6\n8\n9\n");
  /* One side only. */
  assert_clean ("a\nb\n", "a\nb\n", "a\nx\nb\n", "a\nx\nb\n");
  assert_clean ("a\nb\n", "a\n", "a\nb\n", "a\n");
}

/* Changes that touch at a boundary merge, in base order (git's default would
 * conflict here). */
static void
test_clean_adjacent (void)
{
  /* Consecutive lines changed on different sides. */
  assert_clean ("a\nb\nc\nd\n", "a\nB\nc\nd\n", "a\nb\nC\nd\n", "a\nB\nC\nd\n");
  assert_clean ("a\nb\nc\nd\n", "a\nb\nC\nd\n", "a\nB\nc\nd\n", "a\nB\nC\nd\n");
  /* An insertion right after a line the other side changed... */
  assert_clean ("a\nb\nc\n", "a\nB\nc\n", "a\nb\nnew\nc\n", "a\nB\nnew\nc\n");
  /* ...and right before it. */
  assert_clean ("a\nb\nc\n", "a\nB\nc\n", "a\nnew\nb\nc\n", "a\nnew\nB\nc\n");
  /* A deletion next to a change. */
  assert_clean ("a\nb\nc\nd\n", "a\nc\nd\n", "a\nb\nC\nd\n", "a\nC\nd\n");
}

static void
test_identical_changes (void)
{
  assert_clean ("a\nb\nc\n", "a\nX\nc\n", "a\nX\nc\n", "a\nX\nc\n");
  /* The same insertion once, even with other changes on one side. */
  assert_clean ("a\nb\nc\nd\ne\n",
                "a\nb\nins\nc\nd\ne\n",
                "A\nb\nins\nc\nd\ne\n",
                "A\nb\nins\nc\nd\ne\n");
  /* The same deletion. */
  assert_clean ("a\nb\nc\n", "a\nc\n", "a\nc\n", "a\nc\n");
  /* A repeated line inserted next to its twin lands at one place on both
   * sides, whatever the rest of the diff. */
  assert_clean ("x\nb\nb\ny\nz\n",
                "x\nb\nb\nb\ny\nz\n",
                "x\nb\nb\nb\ny\nZ\n",
                "x\nb\nb\nb\ny\nZ\n");
}

static void
test_conflict_overlap (void)
{
  g_autoptr(SparkMergeResult) result = merge ("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n");
  const SparkMergeConflict *conflict;

  g_assert_true (spark_merge_result_has_conflicts (result));
  g_assert_cmpuint (spark_merge_result_get_n_conflicts (result), ==, 1);
  g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                   "a\n"
                   "<<<<<<< ours\n"
                   "B1\n"
                   "||||||| base\n"
                   "b\n"
                   "=======\n"
                   "B2\n"
                   ">>>>>>> theirs\n"
                   "c\n");

  conflict = spark_merge_result_get_conflict (result, 0);
  g_assert_cmpstr (conflict->ours, ==, "B1\n");
  g_assert_cmpstr (conflict->base, ==, "b\n");
  g_assert_cmpstr (conflict->theirs, ==, "B2\n");
  g_assert_cmpuint (conflict->start_line, ==, 1);
  g_assert_cmpuint (conflict->n_lines, ==, 7);
  g_assert_cmpuint (conflict->ours_line, ==, 1);
  g_assert_cmpuint (conflict->ours_n_lines, ==, 1);
  g_assert_cmpuint (conflict->base_line, ==, 1);
  g_assert_cmpuint (conflict->base_n_lines, ==, 1);
  g_assert_cmpuint (conflict->theirs_line, ==, 1);
  g_assert_cmpuint (conflict->theirs_n_lines, ==, 1);
}

/* Overlaps chain: ours [2,4) and [5,7) both overlap theirs [3,6) and make one
 * conflict; clean changes before, between and after, and a second conflict
 * further down. */
static void
test_conflict_chain (void)
{
  g_autoptr(SparkMergeResult) result = merge ("0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n",
                                              "zero\n1\n2o\n3o\n4\n5o\n6o\n7\n8\n9o\n10\n11\n",
                                              "0\n1\n2\n3t\n4t\n5t\n6\n7\n8\n9t\n10\neleven\n");
  const SparkMergeConflict *first;
  const SparkMergeConflict *second;

  g_assert_cmpuint (spark_merge_result_get_n_conflicts (result), ==, 2);
  g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                   "zero\n1\n"
                   "<<<<<<< ours\n2o\n3o\n4\n5o\n6o\n"
                   "||||||| base\n2\n3\n4\n5\n6\n"
                   "=======\n2\n3t\n4t\n5t\n6\n"
                   ">>>>>>> theirs\n"
                   "7\n8\n"
                   "<<<<<<< ours\n9o\n||||||| base\n9\n=======\n9t\n>>>>>>> theirs\n"
                   "10\neleven\n");

  first = spark_merge_result_get_conflict (result, 0);
  second = spark_merge_result_get_conflict (result, 1);
  g_assert_cmpuint (first->start_line, ==, 2);
  g_assert_cmpuint (first->n_lines, ==, 19);
  g_assert_cmpuint (first->base_line, ==, 2);
  g_assert_cmpuint (first->base_n_lines, ==, 5);
  g_assert_cmpstr (first->theirs, ==, "2\n3t\n4t\n5t\n6\n");
  g_assert_cmpuint (second->start_line, ==, 23);
  g_assert_cmpuint (second->n_lines, ==, 7);
  g_assert_cmpuint (second->ours_line, ==, 9);
  g_assert_cmpstr (second->theirs, ==, "9t\n");
}

static void
test_conflict_delete_vs_edit (void)
{
  g_autoptr(SparkMergeResult) result = merge ("a\nb\nc\nd\ne\n",
                                              "a\ne\n",
                                              "a\nb\nC\nd\ne\n");
  const SparkMergeConflict *conflict;

  g_assert_cmpuint (spark_merge_result_get_n_conflicts (result), ==, 1);
  g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                   "a\n"
                   "<<<<<<< ours\n"
                   "||||||| base\n"
                   "b\nc\nd\n"
                   "=======\n"
                   "b\nC\nd\n"
                   ">>>>>>> theirs\n"
                   "e\n");
  conflict = spark_merge_result_get_conflict (result, 0);
  g_assert_cmpstr (conflict->ours, ==, "");
  g_assert_cmpuint (conflict->ours_n_lines, ==, 0);
  g_assert_cmpstr (conflict->base, ==, "b\nc\nd\n");
  g_assert_cmpstr (conflict->theirs, ==, "b\nC\nd\n");
  g_assert_cmpuint (conflict->n_lines, ==, 10);

  /* The other way round too. */
  {
    g_autoptr(SparkMergeResult) other = merge ("a\nb\nc\nd\ne\n",
                                               "a\nb\nC\nd\ne\n",
                                               "a\ne\n");

    g_assert_cmpuint (spark_merge_result_get_n_conflicts (other), ==, 1);
    g_assert_cmpstr (spark_merge_result_get_conflict (other, 0)->theirs, ==, "");
  }
}

static void
test_insertions_same_place (void)
{
  g_autoptr(SparkMergeResult) result = merge ("a\nb\n", "a\nx\nb\n", "a\ny\nb\n");

  g_assert_cmpuint (spark_merge_result_get_n_conflicts (result), ==, 1);
  g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                   "a\n<<<<<<< ours\nx\n||||||| base\n=======\ny\n>>>>>>> theirs\nb\n");
  g_assert_cmpstr (spark_merge_result_get_conflict (result, 0)->base, ==, "");
  g_assert_cmpuint (spark_merge_result_get_conflict (result, 0)->base_line, ==, 1);

  /* The same insertion: one copy. */
  assert_clean ("a\nb\n", "a\nx\ny\nb\n", "a\nx\ny\nb\n", "a\nx\ny\nb\n");
  /* An insertion inside the lines the other side replaced conflicts. */
  {
    g_autoptr(SparkMergeResult) inside = merge ("a\nb\nc\nd\n", "a\nb\nnew\nc\nd\n", "a\nB\nC\nd\n");

    g_assert_cmpuint (spark_merge_result_get_n_conflicts (inside), ==, 1);
  }
}

static void
test_start_and_end (void)
{
  assert_clean ("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n", "A\nb\nC\n");
  assert_clean ("a\nb\nc\n", "first\na\nb\nc\n", "a\nb\nc\nlast\n", "first\na\nb\nc\nlast\n");
  assert_clean ("a\nb\nc\n", "b\nc\n", "a\nb\n", "b\n");

  {
    g_autoptr(SparkMergeResult) result = merge ("a\nb\n", "A1\nb\n", "A2\nb\n");

    g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                     "<<<<<<< ours\nA1\n||||||| base\na\n=======\nA2\n>>>>>>> theirs\nb\n");
    g_assert_cmpuint (spark_merge_result_get_conflict (result, 0)->start_line, ==, 0);
  }
  {
    g_autoptr(SparkMergeResult) result = merge ("a\nb\n", "a\nb\no\n", "a\nb\nt\n");

    g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                     "a\nb\n<<<<<<< ours\no\n||||||| base\n=======\nt\n>>>>>>> theirs\n");
    g_assert_cmpuint (spark_merge_result_get_conflict (result, 0)->start_line, ==, 2);
  }
}

static void
test_final_newline (void)
{
  /* Stays without, unless a side added it. */
  assert_clean ("a\nb", "x\nb", "a\nb", "x\nb");
  assert_clean ("a\nb", "a\nb", "a\nB", "a\nB");
  assert_clean ("a\nb", "a\nb\n", "a\nc", "a\nc\n");
  assert_clean ("a\nb", "a\nc", "a\nb\n", "a\nc\n");
  /* A side removed it. */
  assert_clean ("a\nb\n", "a\nb", "A\nb\n", "A\nb");
  /* A line appended after one without a newline. */
  assert_clean ("a\nb", "a\nb", "a\nb\nc", "a\nb\nc");
  assert_clean ("a\nb", "a\nb\nc", "A\nb", "A\nb\nc");
  assert_clean ("a\nb", "a\nb\nc\n", "A\nb", "A\nb\nc\n");
  /* The last line changed on both sides the same way. */
  assert_clean ("a\nb", "a\nc", "a\nc", "a\nc");
  /* A conflict at the end of a text without final newline: the sides keep
   * their exact text, the last marker line has no newline. */
  {
    g_autoptr(SparkMergeResult) result = merge ("a\nb", "a\no", "a\nt");
    const SparkMergeConflict *conflict = spark_merge_result_get_conflict (result, 0);
    SparkMergeChoice both = { SPARK_MERGE_CHOOSE_BOTH, NULL };
    g_autofree char *resolved = spark_merge_result_resolve (result, &both, 1);

    g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                     "a\n<<<<<<< ours\no\n||||||| base\nb\n=======\nt\n>>>>>>> theirs");
    g_assert_cmpstr (conflict->ours, ==, "o");
    g_assert_cmpstr (conflict->base, ==, "b");
    g_assert_cmpstr (conflict->theirs, ==, "t");
    g_assert_cmpstr (resolved, ==, "a\no\nt");
  }
}

static void
test_crlf (void)
{
  /* The model wrote "\n" in a "\r\n" file: each line keeps its side's ending. */
  assert_clean ("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n", "a\r\nb\r\nC\n", "a\r\nB\r\nC\n");
  /* Lines compare without their ending: converting the file is a change of
   * the endings only, and it merges with the other side's edit. */
  assert_clean ("a\nb\nc\n", "a\r\nb\r\nc\r\n", "a\nB\nc\n", "a\r\nB\nc\r\n");
  assert_clean ("a\r\nb", "a\r\nb", "a\r\nb\r\nc", "a\r\nb\r\nc");
  /* Markers take the ending of the person's text. */
  {
    g_autoptr(SparkMergeResult) result = merge ("a\r\nb\r\n", "a\r\nB1\r\n", "a\r\nB2\r\n");

    g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                     "a\r\n<<<<<<< ours\r\nB1\r\n||||||| base\r\nb\r\n=======\r\nB2\r\n>>>>>>> theirs\r\n");
    g_assert_cmpstr (spark_merge_result_get_conflict (result, 0)->ours, ==, "B1\r\n");
  }
  /* A lone "\r" is content. */
  assert_clean ("a\rb\nc\n", "a\rb\nC\n", "A\nc\n", "A\nC\n");
}

static void
test_empty (void)
{
  assert_clean ("", "", "", "");
  assert_clean ("", "", "new\n", "new\n");
  assert_clean ("", "new", "", "new");
  assert_clean ("", "x\ny\n", "x\ny\n", "x\ny\n");
  assert_clean ("", "x\ny\n", "x\ny", "x\ny\n");
  assert_clean ("a\nb\n", "", "a\nb\n", "");
  assert_clean ("a\nb\n", "", "", "");
  assert_clean ("a\nb", "a\nb", "", "");

  /* Both add different files. */
  {
    g_autoptr(SparkMergeResult) result = merge ("", "ours\n", "theirs\n");

    g_assert_cmpuint (spark_merge_result_get_n_conflicts (result), ==, 1);
    g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                     "<<<<<<< ours\nours\n||||||| base\n=======\ntheirs\n>>>>>>> theirs\n");
  }
  /* One side empties the file, the other edits it. */
  {
    g_autoptr(SparkMergeResult) result = merge ("a\nb\n", "", "a\nB\n");
    SparkMergeChoice choice = { SPARK_MERGE_CHOOSE_OURS, NULL };
    g_autofree char *resolved = spark_merge_result_resolve (result, &choice, 1);

    g_assert_cmpuint (spark_merge_result_get_n_conflicts (result), ==, 1);
    g_assert_cmpstr (spark_merge_result_get_conflict (result, 0)->ours, ==, "");
    g_assert_cmpstr (resolved, ==, "");
  }
  /* An emptied side has no say about the final newline. */
  {
    g_autoptr(SparkMergeResult) result = merge ("a\n", "", "a\nb\n");
    SparkMergeChoice choice = { SPARK_MERGE_CHOOSE_THEIRS, NULL };
    g_autofree char *resolved = NULL;

    if (spark_merge_result_has_conflicts (result))
      resolved = spark_merge_result_resolve (result, &choice, 1);
    else
      resolved = g_strdup (spark_merge_result_get_text (result));
    g_assert_true (g_str_has_suffix (resolved, "b\n"));
  }
}

static void
test_resolve (void)
{
  const char *base = "head\nb\nmid\nd\ntail\n";
  g_autoptr(SparkMergeResult) result = merge (base,
                                              "head\nB1\nmid\nD1\ntail\n",
                                              "head\nB2\nmid\nD2\ntail\n");
  struct {
    SparkMergeChoice  choices[2];
    const char       *expected;
  } cases[] = {
    { { { SPARK_MERGE_CHOOSE_OURS, NULL }, { SPARK_MERGE_CHOOSE_OURS, NULL } },
      "head\nB1\nmid\nD1\ntail\n" },
    { { { SPARK_MERGE_CHOOSE_THEIRS, NULL }, { SPARK_MERGE_CHOOSE_THEIRS, NULL } },
      "head\nB2\nmid\nD2\ntail\n" },
    { { { SPARK_MERGE_CHOOSE_BOTH, NULL }, { SPARK_MERGE_CHOOSE_OURS, NULL } },
      "head\nB1\nB2\nmid\nD1\ntail\n" },
    { { { SPARK_MERGE_CHOOSE_BASE, NULL }, { SPARK_MERGE_CHOOSE_THEIRS, NULL } },
      "head\nb\nmid\nD2\ntail\n" },
    { { { SPARK_MERGE_CHOOSE_CUSTOM, "x\ny\n" }, { SPARK_MERGE_CHOOSE_CUSTOM, NULL } },
      "head\nx\ny\nmid\ntail\n" },
    /* A custom text without final newline still ends its line. */
    { { { SPARK_MERGE_CHOOSE_CUSTOM, "z" }, { SPARK_MERGE_CHOOSE_CUSTOM, "" } },
      "head\nz\nmid\ntail\n" },
  };

  g_assert_cmpuint (spark_merge_result_get_n_conflicts (result), ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *resolved = spark_merge_result_resolve (result, cases[i].choices, 2);

      g_assert_cmpstr (resolved, ==, cases[i].expected);
    }

  /* Resolving leaves the result as it was. */
  g_assert_cmpuint (spark_merge_result_get_conflict (result, 1)->start_line, ==, 9);
  g_assert_true (g_str_has_prefix (spark_merge_result_get_text (result), "head\n<<<<<<< ours\n"));

  /* Ref counting. */
  {
    SparkMergeResult *ref = spark_merge_result_ref (result);

    g_assert_true (ref == result);
    spark_merge_result_unref (ref);
  }
  g_assert_true (G_TYPE_IS_BOXED (SPARK_TYPE_MERGE_RESULT));
}

static void
test_labels (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkMergeResult) result = spark_merge_three_way_full ("a\n", "b\n", "c\n",
                                                                   "model saw", "main.c (unsaved)",
                                                                   "", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (spark_merge_result_get_text (result), ==,
                   "<<<<<<< main.c (unsaved)\nb\n||||||| model saw\na\n=======\nc\n>>>>>>>\n");
}

static void
test_invalid_utf8 (void)
{
  const char *bad = "ok\n\xff\xfe bad\n";
  const char *which[] = { "base", "ours", "theirs" };

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SparkMergeResult) result =
        spark_merge_three_way (i == 0 ? bad : "a\n", i == 1 ? bad : "a\n", i == 2 ? bad : "a\n", &error);

      g_assert_null (result);
      g_assert_error (error, SPARK_MERGE_ERROR, SPARK_MERGE_ERROR_INVALID_UTF8);
      g_assert_nonnull (strstr (error->message, which[i]));
      g_assert_nonnull (strstr (error->message, "byte 3"));
    }
}

/* Randomized: unique base lines, random edits on each side that do not
 * conflict (same-side edits keep one untouched line between them; edits of
 * different sides may touch). The merge must equal applying every edit. */

typedef struct
{
  guint bs;
  guint be;
  guint n_new;
  guint side;
  guint serial;
} Edit;

static gint
edit_compare (gconstpointer a,
              gconstpointer b)
{
  const Edit *ea = a;
  const Edit *eb = b;

  if (ea->bs != eb->bs)
    return ea->bs < eb->bs ? -1 : 1;
  if (ea->be != eb->be)
    return ea->be < eb->be ? -1 : 1;
  return 0;
}

static gboolean
edits_clash (const Edit *x,
             const Edit *y)
{
  if (x->side == y->side)
    return !(x->be < y->bs || y->be < x->bs);

  if (x->bs < y->be && y->bs < x->be)
    return TRUE;

  return x->bs == x->be && y->bs == y->be && x->bs == y->bs;
}

/* Applies the edits whose side is in @mask (1 ours, 2 theirs). */
static char *
apply_edits (guint        n_base,
             GArray      *edits,
             guint        mask,
             const char  *eol,
             gboolean     final_eol)
{
  GString *out = g_string_new (NULL);
  guint pos = 0;

  for (guint k = 0; k < edits->len; k++)
    {
      const Edit *e = &g_array_index (edits, Edit, k);

      if (((1u << e->side) & mask) == 0)
        continue;
      for (; pos < e->bs; pos++)
        g_string_append_printf (out, "line %u%s", pos, eol);
      for (guint n = 0; n < e->n_new; n++)
        g_string_append_printf (out, "%s %u.%u%s", e->side == 0 ? "ours" : "theirs",
                                e->serial, n, eol);
      pos = e->be;
    }
  for (; pos < n_base; pos++)
    g_string_append_printf (out, "line %u%s", pos, eol);

  if (!final_eol && out->len > 0)
    g_string_truncate (out, out->len - strlen (eol));

  return g_string_free (out, FALSE);
}

static void
test_property_non_overlapping (void)
{
  for (guint iter = 0; iter < 3000; iter++)
    {
      guint n_base = g_test_rand_int_range (0, 30);
      const char *eol = g_test_rand_bit () ? "\n" : "\r\n";
      gboolean final_eol = g_test_rand_int_range (0, 5) != 0;
      guint n_edits = g_test_rand_int_range (1, 8);
      g_autoptr(GArray) edits = g_array_new (FALSE, FALSE, sizeof (Edit));
      g_autofree char *base = NULL;
      g_autofree char *ours = NULL;
      g_autofree char *theirs = NULL;
      g_autofree char *expected = NULL;
      g_autoptr(SparkMergeResult) result = NULL;

      for (guint attempt = 0; attempt < n_edits * 3 && edits->len < n_edits; attempt++)
        {
          Edit e;
          gboolean ok = TRUE;

          e.bs = g_test_rand_int_range (0, n_base + 1);
          e.be = e.bs + MIN ((guint) g_test_rand_int_range (0, 4), n_base - e.bs);
          e.n_new = g_test_rand_int_range (0, 4);
          if (e.bs == e.be && e.n_new == 0)
            e.n_new = 1;
          e.side = g_test_rand_bit () ? 1 : 0;
          e.serial = attempt;

          for (guint k = 0; k < edits->len && ok; k++)
            ok = !edits_clash (&e, &g_array_index (edits, Edit, k));
          if (ok)
            g_array_append_val (edits, e);
        }
      g_array_sort (edits, edit_compare);

      base = apply_edits (n_base, edits, 0, eol, final_eol);
      ours = apply_edits (n_base, edits, 1, eol, final_eol);
      theirs = apply_edits (n_base, edits, 2, eol, final_eol);
      expected = apply_edits (n_base, edits, 3, eol, final_eol);

      result = merge (base, ours, theirs);
      if (spark_merge_result_has_conflicts (result) ||
          g_strcmp0 (spark_merge_result_get_text (result), expected) != 0)
        g_test_message ("iteration %u:\nbase:\n%s\nours:\n%s\ntheirs:\n%s", iter, base, ours, theirs);
      g_assert_false (spark_merge_result_has_conflicts (result));
      g_assert_cmpstr (spark_merge_result_get_text (result), ==, expected);
    }
}

/* Randomized, with many repeated lines and mixed endings: when one side kept
 * the base, or both sides agree, the merge is the other text, byte for byte. */

static const char *
random_line (void)
{
  static const char * const lines[] = { "a", "b", "c", "", "}", "  x = 1;", "{" };

  return lines[g_test_rand_int_range (0, G_N_ELEMENTS (lines))];
}

static const char *
random_eol (void)
{
  return g_test_rand_int_range (0, 4) == 0 ? "\r\n" : "\n";
}

static char *
random_text (guint n)
{
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < n; k++)
    g_string_append_printf (out, "%s%s", random_line (),
                            k + 1 < n || g_test_rand_bit () ? random_eol () : "");

  return g_string_free (out, FALSE);
}

static char *
mutate (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < n; k++)
    {
      guint roll = g_test_rand_int_range (0, 10);
      gboolean last = k + 1 == n;

      if (roll == 0)
        g_string_append_printf (out, "%s%s", random_line (), random_eol ());
      if (roll == 1 && !last)
        continue;
      if (roll == 2)
        g_string_append (out, random_line ());
      else
        g_string_append (out, lines[k]);
      if (!last)
        g_string_append (out, "\n");
    }
  if (g_test_rand_int_range (0, 8) == 0)
    g_string_append (out, random_eol ());

  return g_string_free (out, FALSE);
}

static void
test_property_one_side (void)
{
  for (guint iter = 0; iter < 3000; iter++)
    {
      g_autofree char *base = random_text (g_test_rand_int_range (0, 25));
      g_autofree char *changed = g_test_rand_int_range (0, 10) == 0
                                 ? random_text (g_test_rand_int_range (0, 25))
                                 : mutate (base);
      g_autoptr(SparkMergeResult) ours = merge (base, changed, base);
      g_autoptr(SparkMergeResult) theirs = merge (base, base, changed);
      g_autoptr(SparkMergeResult) both = merge (base, changed, changed);

      g_assert_false (spark_merge_result_has_conflicts (ours));
      g_assert_false (spark_merge_result_has_conflicts (theirs));
      g_assert_false (spark_merge_result_has_conflicts (both));
      g_assert_cmpstr (spark_merge_result_get_text (ours), ==, changed);
      g_assert_cmpstr (spark_merge_result_get_text (theirs), ==, changed);
      g_assert_cmpstr (spark_merge_result_get_text (both), ==, changed);
    }
}

/* @text without any "\r", ending with a newline unless empty. */
static char *
lf_only (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *r = text; *r != '\0'; r++)
    if (*r != '\r')
      g_string_append_c (out, *r);
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}

/* Randomized, with repeated lines on both sides (LF only and a final newline:
 * where endings differ the rules prefer ours, on purpose): swapping ours and
 * theirs gives the same conflicts and, with each conflict resolved the same way, the
 * same text; every conflict's lines in the merged text run from its
 * "<<<<<<<" marker to its ">>>>>>>" marker. */
static void
test_property_symmetry (void)
{
  for (guint iter = 0; iter < 2000; iter++)
    {
      g_autofree char *raw = random_text (g_test_rand_int_range (0, 20));
      g_autofree char *base = lf_only (raw);
      g_autofree char *raw_a = mutate (base);
      g_autofree char *raw_b = mutate (base);
      g_autofree char *a = lf_only (raw_a);
      g_autofree char *b = lf_only (raw_b);
      g_autoptr(SparkMergeResult) ab = NULL;
      g_autoptr(SparkMergeResult) ba = NULL;
      g_autoptr(GArray) ours = g_array_new (FALSE, TRUE, sizeof (SparkMergeChoice));
      g_autoptr(GArray) theirs = g_array_new (FALSE, TRUE, sizeof (SparkMergeChoice));
      g_autofree char *ab_text = NULL;
      g_autofree char *ba_text = NULL;
      g_auto(GStrv) lines = NULL;
      guint n;

      ab = merge (base, a, b);
      ba = merge (base, b, a);
      n = spark_merge_result_get_n_conflicts (ab);
      g_assert_cmpuint (spark_merge_result_get_n_conflicts (ba), ==, n);

      g_array_set_size (ours, n);
      g_array_set_size (theirs, n);
      for (guint k = 0; k < n; k++)
        {
          g_array_index (ours, SparkMergeChoice, k).kind = SPARK_MERGE_CHOOSE_OURS;
          g_array_index (theirs, SparkMergeChoice, k).kind = SPARK_MERGE_CHOOSE_THEIRS;
        }
      ab_text = spark_merge_result_resolve (ab, (SparkMergeChoice *) (gpointer) ours->data, n);
      ba_text = spark_merge_result_resolve (ba, (SparkMergeChoice *) (gpointer) theirs->data, n);
      g_assert_cmpstr (ab_text, ==, ba_text);

      lines = g_strsplit (spark_merge_result_get_text (ab), "\n", -1);
      for (guint k = 0; k < n; k++)
        {
          const SparkMergeConflict *c = spark_merge_result_get_conflict (ab, k);

          g_assert_cmpuint (c->start_line + c->n_lines, <, g_strv_length (lines));
          g_assert_cmpstr (lines[c->start_line], ==, "<<<<<<< ours");
          g_assert_cmpstr (lines[c->start_line + c->n_lines - 1], ==, ">>>>>>> theirs");
          g_assert_cmpuint (c->n_lines, ==, 4 + c->ours_n_lines + c->base_n_lines + c->theirs_n_lines);
        }
    }
}

/* Texts so different that the diff gives up on a shortest path (past 256
 * edits): the diff is no longer minimal but stays valid, so the one-side
 * invariants still hold byte for byte. */
static void
test_property_large_different (void)
{
  for (guint iter = 0; iter < 4; iter++)
    {
      g_autofree char *base = random_text (3000);
      g_autofree char *changed = iter % 2 == 0 ? random_text (3000) : mutate (base);
      g_autofree char *other = random_text (2000);
      g_autoptr(SparkMergeResult) ours = merge (base, changed, base);
      g_autoptr(SparkMergeResult) both = merge (base, changed, changed);
      g_autoptr(SparkMergeResult) all = merge (base, changed, other);
      g_autoptr(GArray) choices = g_array_new (FALSE, TRUE, sizeof (SparkMergeChoice));
      g_autofree char *resolved = NULL;

      g_assert_cmpstr (spark_merge_result_get_text (ours), ==, changed);
      g_assert_cmpstr (spark_merge_result_get_text (both), ==, changed);

      /* Every conflict can be resolved (all set to ours). */
      g_array_set_size (choices, spark_merge_result_get_n_conflicts (all));
      resolved = spark_merge_result_resolve (all, (SparkMergeChoice *) (gpointer) choices->data, choices->len);
      g_assert_nonnull (resolved);
    }
}

/* Not an assertion: the figure is printed for the log. */
static void
test_benchmark (void)
{
  const guint n_lines = 10000;
  const guint rounds = 20;
  g_autoptr(GString) base = g_string_new (NULL);
  g_autoptr(GString) ours = g_string_new (NULL);
  g_autoptr(GString) theirs = g_string_new (NULL);
  gint64 start;
  double ms;

  for (guint k = 0; k < n_lines; k++)
    {
      g_autofree char *line = NULL;

      if (k % 7 == 0)
        line = g_strdup ("");
      else if (k % 5 == 0)
        line = g_strdup ("}");
      else
        line = g_strdup_printf ("  value_%u = compute (%u, %u);", k, k * 3, k % 11);

      g_string_append_printf (base, "%s\n", line);
      /* Scattered edits: ours every 97 lines, theirs every 89 (away from
       * ours), one insertion each every 500 lines. */
      if (k % 97 == 3)
        g_string_append_printf (ours, "%s /* ours */\n", line);
      else
        g_string_append_printf (ours, "%s\n", line);
      if (k % 89 == 50 && k % 97 != 3)
        g_string_append_printf (theirs, "%s /* theirs */\n", line);
      else if (k % 500 != 250)
        g_string_append_printf (theirs, "%s\n", line);
      if (k % 500 == 100)
        g_string_append (ours, "  /* inserted by the person */\n");
      if (k % 500 == 400)
        g_string_append (theirs, "  /* inserted by the model */\n");
    }

  start = g_get_monotonic_time ();
  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(SparkMergeResult) result = merge (base->str, ours->str, theirs->str);

      g_assert_false (spark_merge_result_has_conflicts (result));
    }
  ms = (g_get_monotonic_time () - start) / 1000.0 / rounds;

  g_test_message ("merge of two %u-line files with scattered edits: %.2f ms", n_lines, ms);
  g_test_message ("{\"bench\": \"merge-10k-scattered\", \"ms\": %.3f}", ms);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/merge/clean/non-overlapping", test_clean_non_overlapping);
  g_test_add_func ("/merge/clean/adjacent", test_clean_adjacent);
  g_test_add_func ("/merge/clean/identical", test_identical_changes);
  g_test_add_func ("/merge/conflict/overlap", test_conflict_overlap);
  g_test_add_func ("/merge/conflict/chain", test_conflict_chain);
  g_test_add_func ("/merge/conflict/delete-vs-edit", test_conflict_delete_vs_edit);
  g_test_add_func ("/merge/conflict/insertions", test_insertions_same_place);
  g_test_add_func ("/merge/start-and-end", test_start_and_end);
  g_test_add_func ("/merge/final-newline", test_final_newline);
  g_test_add_func ("/merge/crlf", test_crlf);
  g_test_add_func ("/merge/empty", test_empty);
  g_test_add_func ("/merge/resolve", test_resolve);
  g_test_add_func ("/merge/labels", test_labels);
  g_test_add_func ("/merge/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/merge/property/non-overlapping", test_property_non_overlapping);
  g_test_add_func ("/merge/property/one-side", test_property_one_side);
  g_test_add_func ("/merge/property/symmetry", test_property_symmetry);
  g_test_add_func ("/merge/property/large-different", test_property_large_different);
  g_test_add_func ("/merge/benchmark", test_benchmark);

  return g_test_run ();
}
