/* test-merge-apply.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Applying a patch to files the person edited after the model read them:
 * three-way merges, merge-conflict hunks and their resolution. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "spark-audience.h"
#include "spark-transaction.h"
#include "spark-test-utils.h"
#include "test-changeset-common.h"
#include "test-patch-common.h"

typedef TpWorkspace Fixture;

static char *
read_back (Fixture    *f,
           const char *rel)
{
  return spark_test_read_file (f->root, rel, NULL);
}

static const char *change_two =
  "*** Begin Patch\n*** Update File: a.c\n@@\n 1\n-2\n+TWO\n 3\n*** End Patch\n";

/* A concurrent on-disk edit of another line merges: both edits land. */
static void
test_clean_merge (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autofree char *a = NULL;
  SparkFileChange *file;

  spark_test_write_file (f->root, "a.c", "1\n2\n3\n4\n5\n");
  cs = tp_changeset_accepted (f->ws, change_two);
  spark_test_write_file (f->root, "a.c", "1\n2\n3\n4\nFIVE\n");

  result = spark_changeset_apply (cs, &error);
  g_assert_no_error (error);
  a = read_back (f, "a.c");
  g_assert_cmpstr (a, ==, "1\nTWO\n3\n4\nFIVE\n");

  /* What the model is told, exactly. */
  g_assert_cmpstr (result, ==,
                   "Merged with the person's concurrent edits to a.c: they changed it after "
                   "you read it, on other lines, and both changes were kept. Read the file "
                   "again before changing it further.\n"
                   "Success. Updated the following files:\nM a.c\n");

  file = spark_changeset_get_file (cs, 0);
  g_assert_cmpstr (spark_file_change_get_merged_text (file), ==, "1\nTWO\n3\n4\nFIVE\n");
  /* No conflict hunk was added. */
  g_assert_cmpuint (spark_file_change_get_n_hunks (file), ==, 1);
}

/* CRLF files keep their endings through the merge. */
static void
test_clean_merge_crlf (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autofree char *a = NULL;

  spark_test_write_file (f->root, "a.c", "1\r\n2\r\n3\r\n4\r\n5\r\n");
  cs = tp_changeset_accepted (f->ws, change_two);
  spark_test_write_file (f->root, "a.c", "1\r\n2\r\n3\r\n4\r\nFIVE\r\n");

  result = spark_changeset_apply (cs, &error);
  g_assert_no_error (error);
  a = read_back (f, "a.c");
  g_assert_cmpstr (a, ==, "1\r\nTWO\r\n3\r\n4\r\nFIVE\r\n");
}

/* An overlapping edit becomes a merge-conflict hunk with the three sides;
 * a.c is left byte for byte as the person has it, the other file applies. */
static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  SparkFileChange *file;
  SparkHunk *hunk;

  spark_test_write_file (f->root, "a.c", "1\n2\n3\n");
  spark_test_write_file (f->root, "b.txt", "b\n");
  cs = tp_changeset_accepted (f->ws,
                              "*** Begin Patch\n*** Update File: a.c\n@@\n 1\n-2\n+TWO\n 3\n"
                              "*** Update File: b.txt\n@@\n-b\n+B\n*** End Patch\n");
  spark_test_write_file (f->root, "a.c", "1\ntwo\n3\n");

  result = spark_changeset_apply (cs, &error);
  g_assert_no_error (error);
  a = read_back (f, "a.c");
  b = read_back (f, "b.txt");
  g_assert_cmpstr (a, ==, "1\ntwo\n3\n");
  g_assert_cmpstr (b, ==, "B\n");

  g_assert_cmpstr (result, ==,
                   "Did not apply your changes to a.c because the person changed the same "
                   "lines after you read it. The file was left as the person has it; they "
                   "will resolve the conflict in the review.\n"
                   "Conflict 1, at line 2 of a.c now. The person's lines:\n"
                   "```\ntwo\n```\n"
                   "Your lines:\n"
                   "```\nTWO\n```\n"
                   "Success. Updated the following files:\nM b.txt\n");

  file = spark_changeset_get_file (cs, 0);
  g_assert_null (spark_file_change_get_merged_text (file));
  g_assert_cmpuint (spark_file_change_get_n_hunks (file), ==, 2);
  g_assert_false (spark_hunk_is_merge_conflict (spark_file_change_get_hunk (file, 0)));
  hunk = spark_file_change_get_hunk (file, 1);
  g_assert_true (spark_hunk_is_merge_conflict (hunk));
  g_assert_cmpuint (spark_hunk_get_index (hunk), ==, 1);
  g_assert_cmpint (spark_hunk_get_state (hunk), ==, SPARK_HUNK_CONFLICT);
  g_assert_cmpstr (spark_hunk_get_conflict_ours (hunk), ==, "two\n");
  g_assert_cmpstr (spark_hunk_get_conflict_theirs (hunk), ==, "TWO\n");
  g_assert_cmpstr (spark_hunk_get_conflict_base (hunk), ==, "2\n");
  g_assert_cmpstr (spark_hunk_get_conflict_message (hunk), ==,
                   "You changed line 2 of a.c after the model read it, and the proposal "
                   "changes the same lines. Choose what to keep.");
  g_assert_cmpuint (spark_hunk_get_start_line (hunk), ==, 2);
  g_assert_cmpstr (spark_hunk_get_old_lines (hunk)[0], ==, "two");
  g_assert_cmpstr (spark_hunk_get_new_lines (hunk)[0], ==, "TWO");

  /* It cannot simply be accepted. */
  g_assert_false (spark_hunk_accept (hunk, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Resolving a hunk that is not a merge conflict fails. */
  g_assert_false (spark_hunk_resolve_conflict (spark_file_change_get_hunk (file, 0),
                                               SPARK_MERGE_CHOOSE_OURS, NULL, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
}

/* With only the conflicting file, nothing is written and the apply says
 * why (never silently): to the model as it is told, to the person in their
 * own words. */
static void
test_conflict_only (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;

  spark_test_write_file (f->root, "a.c", "1\n2\n3\n");
  cs = tp_changeset_accepted (f->ws, change_two);
  spark_test_write_file (f->root, "a.c", "1\ntwo\n3\n");

  g_assert_null (spark_changeset_apply (cs, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==,
                   "Nothing was changed.\nDid not change a.c: you changed it in 1 place the "
                   "proposal changes too. Choose what to keep in the review.\n");
  g_clear_error (&error);
  g_clear_object (&cs);

  spark_test_write_file (f->root, "a.c", "1\n2\n3\n");
  cs = tp_changeset_accepted (f->ws, change_two);
  spark_test_write_file (f->root, "a.c", "1\ntwo\n3\n");

  spark_audience_push (SPARK_AUDIENCE_MODEL);
  g_assert_null (spark_changeset_apply (cs, &error));
  spark_audience_pop ();
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Nothing was changed.\nDid not apply your changes to a.c "
                                   "because the person changed the same lines"));
  a = read_back (f, "a.c");
  g_assert_cmpstr (a, ==, "1\ntwo\n3\n");
}

typedef struct
{
  SparkMergeChoiceKind  kind;
  const char           *custom;
  gboolean              reject;
  gboolean              edit;      /* Take Proposed, then Edit with @custom */
  const char           *expected;
  const char           *said;
} Resolution;

static const Resolution resolutions[] = {
  { SPARK_MERGE_CHOOSE_OURS, NULL, FALSE, FALSE, "1\ntwo\n3\n", "Conflict 1: the person kept their lines.\n" },
  { SPARK_MERGE_CHOOSE_THEIRS, NULL, FALSE, FALSE, "1\nTWO\n3\n", "Conflict 1: the person took your lines.\n" },
  { SPARK_MERGE_CHOOSE_BOTH, NULL, FALSE, FALSE, "1\ntwo\nTWO\n3\n", "Conflict 1: the person kept both, theirs first.\n" },
  { SPARK_MERGE_CHOOSE_BASE, NULL, FALSE, FALSE, "1\n2\n3\n", "Conflict 1: the person dropped both changes.\n" },
  { SPARK_MERGE_CHOOSE_CUSTOM, "Two!\n", FALSE, FALSE, "1\nTwo!\n3\n", "Conflict 1: the person wrote their own text:\n```\nTwo!\n```\n" },
  /* Rejecting the conflict keeps the person's lines. */
  { SPARK_MERGE_CHOOSE_OURS, NULL, TRUE, FALSE, "1\ntwo\n3\n", "Conflict 1: the person kept their lines.\n" },
  /* Editing a resolved conflict is a custom resolution. */
  { SPARK_MERGE_CHOOSE_CUSTOM, "Two, edited", FALSE, TRUE, "1\nTwo, edited\n3\n", "Conflict 1: the person wrote their own text:\n```\nTwo, edited\n```\n" },
};

/* Each resolution, then a second apply, writes the expected bytes. */
static void
test_resolve (Fixture       *f,
              gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (resolutions); i++)
    {
      const Resolution *r = &resolutions[i];
      g_autoptr(SparkChangeset) cs = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *result = NULL;
      g_autofree char *a = NULL;
      g_autofree char *expected_result = NULL;
      SparkFileChange *file;
      SparkHunk *hunk;
      SparkMergeChoiceKind kind;

      spark_test_write_file (f->root, "a.c", "1\n2\n3\n");
      cs = tp_changeset_accepted (f->ws, change_two);
      spark_test_write_file (f->root, "a.c", "1\ntwo\n3\n");
      g_assert_null (spark_changeset_apply (cs, &error));
      g_clear_error (&error);

      file = spark_changeset_get_file (cs, 0);
      hunk = spark_file_change_get_hunk (file, 1);
      g_assert_false (spark_hunk_get_merge_choice (hunk, NULL));

      if (r->reject)
        spark_hunk_reject (hunk);
      else if (r->edit)
        {
          g_assert_true (spark_hunk_resolve_conflict (hunk, SPARK_MERGE_CHOOSE_THEIRS, NULL, &error));
          g_assert_true (spark_hunk_set_edited_text (hunk, r->custom, &error));
        }
      else
        g_assert_true (spark_hunk_resolve_conflict (hunk, r->kind, r->custom, &error));
      g_assert_no_error (error);
      g_assert_true (spark_hunk_get_merge_choice (hunk, &kind));
      g_assert_cmpint (kind, ==, r->kind);
      g_assert_cmpint (spark_hunk_get_state (hunk), ==,
                       r->reject ? SPARK_HUNK_REJECTED : SPARK_HUNK_EDITED);

      result = spark_changeset_apply (cs, &error);
      g_assert_no_error (error);
      a = read_back (f, "a.c");
      g_assert_cmpstr (a, ==, r->expected);
      g_assert_cmpstr (spark_file_change_get_merged_text (file), ==, r->expected);
      expected_result = g_strdup_printf ("Merged with the person's concurrent edits to a.c, as the "
                                         "person resolved the conflicts. Read the file again before "
                                         "changing it further.\n%s"
                                         "Success. Updated the following files:\nM a.c\n",
                                         r->said);
      g_assert_cmpstr (result, ==, expected_result);
      /* No second set of conflict hunks. */
      g_assert_cmpuint (spark_file_change_get_n_hunks (file), ==, 2);
    }
}

/* Reset returns a resolved conflict to the conflict; a file changed again
 * after the conflict was shown is not overwritten by the resolution. */
static void
test_resolve_reset_and_changed_again (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  SparkMergeChoiceKind kind;
  SparkHunk *hunk;

  spark_test_write_file (f->root, "a.c", "1\n2\n3\n");
  cs = tp_changeset_accepted (f->ws, change_two);
  spark_test_write_file (f->root, "a.c", "1\ntwo\n3\n");
  g_assert_null (spark_changeset_apply (cs, &error));
  g_clear_error (&error);

  hunk = spark_file_change_get_hunk (spark_changeset_get_file (cs, 0), 1);
  g_assert_true (spark_hunk_resolve_conflict (hunk, SPARK_MERGE_CHOOSE_THEIRS, NULL, &error));
  g_assert_cmpstr (spark_hunk_get_effective_lines (hunk)[0], ==, "TWO");
  spark_hunk_reset (hunk);
  g_assert_cmpint (spark_hunk_get_state (hunk), ==, SPARK_HUNK_CONFLICT);
  g_assert_false (spark_hunk_get_merge_choice (hunk, NULL));

  /* Unresolved: still nothing written. */
  g_assert_null (spark_changeset_apply (cs, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "Did not change a.c: 1 conflict is not resolved yet."));
  g_clear_error (&error);
  spark_audience_push (SPARK_AUDIENCE_MODEL);
  g_assert_null (spark_changeset_apply (cs, &error));
  spark_audience_pop ();
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "1 of its conflicts with the person's edits are not resolved"));
  g_clear_error (&error);

  /* Editing a resolved conflict (the row's Edit) is a custom resolution. */
  g_assert_true (spark_hunk_resolve_conflict (hunk, SPARK_MERGE_CHOOSE_THEIRS, NULL, &error));
  g_assert_true (spark_hunk_set_edited_text (hunk, "custom", &error));
  g_assert_no_error (error);
  g_assert_true (spark_hunk_get_merge_choice (hunk, &kind));
  g_assert_cmpint (kind, ==, SPARK_MERGE_CHOOSE_CUSTOM);
  g_assert_cmpstr (spark_hunk_get_effective_lines (hunk)[0], ==, "custom");
  /* Accepting a rejected (kept-mine) conflict takes the proposal. */
  spark_hunk_reject (hunk);
  g_assert_true (spark_hunk_get_merge_choice (hunk, &kind));
  g_assert_cmpint (kind, ==, SPARK_MERGE_CHOOSE_OURS);
  g_assert_true (spark_hunk_accept (hunk, &error));
  g_assert_true (spark_hunk_get_merge_choice (hunk, &kind));
  g_assert_cmpint (kind, ==, SPARK_MERGE_CHOOSE_THEIRS);
  g_assert_cmpint (spark_hunk_get_state (hunk), ==, SPARK_HUNK_EDITED);


  spark_test_write_file (f->root, "a.c", "1\ntwo!!\n3\n");
  g_assert_null (spark_changeset_apply (cs, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "it changed again after the conflicts were shown"));
  g_clear_error (&error);
  spark_audience_push (SPARK_AUDIENCE_MODEL);
  g_assert_null (spark_changeset_apply (cs, &error));
  spark_audience_pop ();
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "the person changed it again"));
  a = read_back (f, "a.c");
  g_assert_cmpstr (a, ==, "1\ntwo!!\n3\n");
}

/* The text of an unsaved tab stands for the file: merged into, and the
 * merge written (and handed back for the tab). */
static void
test_current_text (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  spark_test_write_file (f->root, "a.c", "1\n2\n3\n4\n5\n");

  /* Non-overlapping: merged. */
  {
    g_autoptr(SparkChangeset) cs = tp_changeset_accepted (f->ws, change_two);
    g_autofree char *result = NULL;
    g_autofree char *a = NULL;

    spark_changeset_set_current_text (cs, "a.c", "1\n2\n3\n4\nfive (unsaved)\n", -1);
    result = spark_changeset_apply (cs, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (result, "Merged with the person's concurrent edits to a.c"));
    a = read_back (f, "a.c");
    g_assert_cmpstr (a, ==, "1\nTWO\n3\n4\nfive (unsaved)\n");
    g_assert_cmpstr (spark_file_change_get_merged_text (spark_changeset_get_file (cs, 0)), ==,
                     "1\nTWO\n3\n4\nfive (unsaved)\n");
  }

  /* Overlapping (the tab named by its absolute path): a conflict, the disk
   * untouched; the resolution is written onto the tab's text. */
  spark_test_write_file (f->root, "a.c", "1\n2\n3\n4\n5\n");
  {
    g_autoptr(SparkChangeset) cs = tp_changeset_accepted (f->ws, change_two);
    g_autofree char *abs = g_build_filename (f->root, "a.c", NULL);
    g_autofree char *result = NULL;
    g_autofree char *a = NULL;
    g_autofree char *a2 = NULL;
    SparkHunk *hunk;

    spark_changeset_set_current_text (cs, abs, "1\ntwo (unsaved)\n3\n4\n5\n", -1);
    g_assert_null (spark_changeset_apply (cs, &error));
    g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
    g_clear_error (&error);
    a = read_back (f, "a.c");
    g_assert_cmpstr (a, ==, "1\n2\n3\n4\n5\n");

    hunk = spark_file_change_get_hunk (spark_changeset_get_file (cs, 0), 1);
    g_assert_cmpstr (spark_hunk_get_conflict_ours (hunk), ==, "two (unsaved)\n");
    g_assert_true (spark_hunk_resolve_conflict (hunk, SPARK_MERGE_CHOOSE_BOTH, NULL, &error));
    result = spark_changeset_apply (cs, &error);
    g_assert_no_error (error);
    a2 = read_back (f, "a.c");
    g_assert_cmpstr (a2, ==, "1\ntwo (unsaved)\nTWO\n3\n4\n5\n");
  }

  /* Unchanged tab text: a plain apply, no merge. */
  spark_test_write_file (f->root, "a.c", "1\n2\n3\n");
  {
    g_autoptr(SparkChangeset) cs = tp_changeset_accepted (f->ws, change_two);
    g_autofree char *result = NULL;

    spark_changeset_set_current_text (cs, "a.c", "1\n2\n3\n", -1);
    result = spark_changeset_apply (cs, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (result, ==, "Success. Updated the following files:\nM a.c\n");
    g_assert_null (spark_file_change_get_merged_text (spark_changeset_get_file (cs, 0)));
  }
}

static const char *three_files =
  "*** Begin Patch\n"
  "*** Update File: a.c\n@@\n 1\n-2\n+TWO\n 3\n"
  "*** Add File: new/b.txt\n+b\n"
  "*** Update File: c.txt\n@@\n-c\n+C\n"
  "*** End Patch\n";

/* Whichever write fails, a merged file is restored with the rest: the
 * tree ends byte-identical to before, the person's edit included. */
static void
test_rollback (Fixture       *f,
               gconstpointer  data)
{
  for (guint nth = 1; nth <= 4; nth++)
    {
      g_autoptr(SparkChangeset) cs = NULL;
      g_autoptr(SparkTransaction) tx = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autofree char *a = NULL;
      gboolean ok;

      spark_test_rm_rf (f->root);
      g_assert_cmpint (g_mkdir (f->root, 0700), ==, 0);
      spark_test_write_file (f->root, "a.c", "1\n2\n3\n4\n5\n");
      spark_test_write_file (f->root, "c.txt", "c\n");
      cs = tp_changeset_accepted (f->ws, three_files);
      spark_test_write_file (f->root, "a.c", "1\n2\n3\n4\nFIVE\n");
      before = tp_tree_digest (f->root);

      tx = spark_transaction_new (f->ws, cs);
      spark_transaction_inject_failure (tx, nth);
      ok = spark_transaction_run (tx, &error);
      after = tp_tree_digest (f->root);
      a = read_back (f, "a.c");

      if (nth <= 3)
        {
          g_assert_false (ok);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
          g_assert_nonnull (strstr (error->message, "every file already written was restored"));
          g_assert_cmpstr (before, ==, after);
          g_assert_cmpstr (a, ==, "1\n2\n3\n4\nFIVE\n");
          /* A failed apply hands back no merged text. */
          g_assert_null (spark_file_change_get_merged_text (spark_changeset_get_file (cs, 0)));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (a, ==, "1\nTWO\n3\n4\nFIVE\n");
        }
    }
}

/* The threaded apply merges the same way. */
static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autofree char *result = NULL;
  g_autofree char *a = NULL;

  spark_test_write_file (f->root, "a.c", "1\n2\n3\n4\n5\n");
  cs = tp_changeset_accepted (f->ws, change_two);
  spark_test_write_file (f->root, "a.c", "FIRST\n2\n3\n4\n5\n");
  result = tp_changeset_apply_wait (cs);

  a = read_back (f, "a.c");
  g_assert_cmpstr (a, ==, "FIRST\nTWO\n3\n4\n5\n");
  g_assert_cmpstr (spark_file_change_get_merged_text (spark_changeset_get_file (cs, 0)), ==, a);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/merge-apply/" path, Fixture, NULL, tp_workspace_setup, func, tp_workspace_teardown)

  ADD ("clean", test_clean_merge);
  ADD ("clean-crlf", test_clean_merge_crlf);
  ADD ("conflict", test_conflict);
  ADD ("conflict-only", test_conflict_only);
  ADD ("resolve", test_resolve);
  ADD ("resolve-reset-changed-again", test_resolve_reset_and_changed_again);
  ADD ("current-text", test_current_text);
  ADD ("rollback", test_rollback);
  ADD ("async", test_async);

#undef ADD

  return g_test_run ();
}
