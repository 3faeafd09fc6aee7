/* test-changeset.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "spark-changeset.h"
#include "spark-test-utils.h"
#include "test-changeset-common.h"
#include "test-patch-common.h"

typedef TpWorkspace Fixture;

static gboolean
path_test (const char *root,
           const char *rel,
           GFileTest   test)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);

  return g_file_test (path, test);
}

static SparkChangeset *
changeset_for (Fixture    *f,
               const char *patch)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(GError) error = NULL;
  SparkChangeset *cs = spark_changeset_new (f->ws);

  spark_changeset_follow_parser (cs, parser);
  g_assert_true (spark_patch_parser_feed (parser, patch, -1, &error));
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);

  return cs;
}

static char *
read_back (Fixture    *f,
           const char *rel)
{
  return spark_test_read_file (f->root, rel, NULL);
}

typedef struct
{
  SparkChangeset *cs;
  guint           seen;
} StreamData;

static void
on_hunk (SparkPatchParser *parser,
         SparkFileChange  *file,
         SparkHunk        *hunk,
         StreamData       *d)
{
  /* The hunk is in the changeset, located, while the patch still streams. */
  g_assert_false (spark_patch_parser_get_complete (parser));
  g_assert_cmpuint (spark_changeset_get_n_files (d->cs), >=, 1);
  g_assert_true (spark_changeset_get_file (d->cs, spark_changeset_get_n_files (d->cs) - 1) == file);
  g_assert_cmpint (spark_hunk_get_state (hunk), ==, SPARK_HUNK_PENDING);
  g_assert_cmpuint (spark_hunk_get_start_line (hunk), >, 0);
  d->seen++;
}

static void
test_streaming (Fixture       *f,
                gconstpointer  data)
{
  const char *patch =
    "*** Begin Patch\n"
    "*** Update File: a.c\n"
    "@@ int one\n"
    "-  return 1;\n"
    "+  return 11;\n"
    "@@ int three\n"
    "-  return 3;\n"
    "+  return 33;\n"
    "*** End Patch\n";
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(SparkChangeset) cs = spark_changeset_new (f->ws);
  g_autoptr(GError) error = NULL;
  StreamData d = { cs, 0 };
  SparkFileChange *file;

  spark_test_write_file (f->root, "a.c",
                         "int one\n  return 1;\nint two\n  return 2;\nint three\n  return 3;\n");
  spark_changeset_follow_parser (cs, parser);
  g_signal_connect (parser, "hunk-complete", G_CALLBACK (on_hunk), &d);

  for (const char *p = patch; *p; p++)
    g_assert_true (spark_patch_parser_feed (parser, p, 1, &error));
  g_assert_cmpuint (d.seen, ==, 2);
  g_assert_true (spark_patch_parser_finish (parser, &error));

  file = spark_changeset_get_file (cs, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cs)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (file)), ==, 2);
  g_assert_cmpuint (spark_hunk_get_start_line (spark_file_change_get_hunk (file, 0)), ==, 2);
  g_assert_cmpuint (spark_hunk_get_start_line (spark_file_change_get_hunk (file, 1)), ==, 6);
}

static void
test_states (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  SparkFileChange *file;
  SparkHunk *h0, *h1, *h2;
  g_autofree char *new_text = NULL;

  spark_test_write_file (f->root, "s.txt", "a\nb\nc\n");
  cs = changeset_for (f,
    "*** Begin Patch\n*** Update File: s.txt\n@@\n-a\n+A\n@@\n-zzz\n+Z\n@@\n-c\n+C\n*** End Patch\n");
  file = spark_changeset_get_file (cs, 0);
  h0 = spark_file_change_get_hunk (file, 0);
  h1 = spark_file_change_get_hunk (file, 1);
  h2 = spark_file_change_get_hunk (file, 2);

  g_assert_cmpint (spark_hunk_get_state (h0), ==, SPARK_HUNK_PENDING);
  g_assert_cmpint (spark_hunk_get_state (h1), ==, SPARK_HUNK_CONFLICT);
  g_assert_cmpstr (spark_hunk_get_conflict_message (h1), ==,
                   "Failed to find expected lines in s.txt:\nzzz");
  g_assert_false (spark_file_change_is_accepted (file));

  g_assert_false (spark_hunk_accept (h1, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (spark_hunk_set_edited_text (h1, "x", &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_clear_error (&error);

  g_assert_true (spark_hunk_accept (h0, &error));
  g_assert_true (spark_file_change_is_accepted (file));
  spark_hunk_reject (h0);
  g_assert_cmpint (spark_hunk_get_state (h0), ==, SPARK_HUNK_REJECTED);
  g_assert_false (spark_file_change_is_accepted (file));
  spark_hunk_reset (h0);
  g_assert_cmpint (spark_hunk_get_state (h0), ==, SPARK_HUNK_PENDING);

  g_assert_true (spark_hunk_set_edited_text (h2, "C1\nC2\n", &error));
  g_assert_cmpint (spark_hunk_get_state (h2), ==, SPARK_HUNK_EDITED);
  new_text = spark_hunk_dup_new_text (h2);
  g_assert_cmpstr (new_text, ==, "C1\nC2\n");
  /* Accepting an edited hunk keeps the edit. */
  g_assert_true (spark_hunk_accept (h2, &error));
  g_assert_cmpint (spark_hunk_get_state (h2), ==, SPARK_HUNK_EDITED);

  g_assert_false (spark_changeset_accept_all (cs, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "zzz"));
  g_assert_cmpuint (spark_changeset_count_state (cs, SPARK_HUNK_ACCEPTED), ==, 1);
  g_assert_cmpuint (spark_changeset_count_state (cs, SPARK_HUNK_EDITED), ==, 1);
  g_assert_cmpuint (spark_changeset_count_state (cs, SPARK_HUNK_CONFLICT), ==, 1);

  spark_changeset_reject_all (cs);
  g_assert_cmpuint (spark_changeset_count_state (cs, SPARK_HUNK_REJECTED), ==, 2);
  g_assert_cmpuint (spark_changeset_count_state (cs, SPARK_HUNK_CONFLICT), ==, 1);
}

static void
test_partial_apply_result (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autofree char *contents = NULL;
  SparkFileChange *file;

  spark_test_write_file (f->root, "a.c", "1\n2\n3\n4\n5\n");
  spark_test_write_file (f->root, "b.c", "b\n");
  cs = changeset_for (f,
    "*** Begin Patch\n"
    "*** Update File: a.c\n@@\n-1\n+one\n@@\n-2\n+two\n@@\n-3\n+three\n@@\n-5\n+five\n"
    "*** Update File: b.c\n@@\n-b\n+B\n"
    "*** Add File: new/c.txt\n+c\n"
    "*** End Patch\n");

  g_assert_true (spark_changeset_accept_all (cs, &error));
  file = spark_changeset_get_file (cs, 0);
  spark_hunk_reject_with_reason (spark_file_change_get_hunk (file, 1), "keep 2 as a number");
  g_assert_cmpstr (spark_hunk_get_reject_reason (spark_file_change_get_hunk (file, 1)), ==,
                   "keep 2 as a number");
  g_assert_true (spark_hunk_set_edited_text (spark_file_change_get_hunk (file, 3), "FIVE", &error));
  spark_file_change_reject_all (spark_changeset_get_file (cs, 1));

  result = spark_changeset_apply (cs, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==,
                   "Applied 3 of 4 hunks to a.c; rejected hunk 2 because the reviewer rejected it: "
                   "“keep 2 as a number”; applied hunk 4 as the reviewer edited it.\n"
                   "The reviewer's text for hunk 4 of a.c:\n```\nFIVE\n```\n"
                   "Applied 0 of 1 hunks to b.c; rejected hunk 1 because the reviewer rejected it.\n"
                   "Success. Updated the following files:\n"
                   "M a.c\n"
                   "A new/c.txt\n");

  contents = read_back (f, "a.c");
  g_assert_cmpstr (contents, ==, "one\n2\nthree\n4\nFIVE\n");
  g_free (contents);
  contents = read_back (f, "b.c");
  g_assert_cmpstr (contents, ==, "b\n");
  g_free (contents);
  contents = read_back (f, "new/c.txt");
  g_assert_cmpstr (contents, ==, "c\n");
}

static void
test_nothing_accepted (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  spark_test_write_file (f->root, "a", "a\n");
  cs = changeset_for (f, "*** Begin Patch\n*** Update File: a\n@@\n-a\n+b\n*** End Patch\n");
  result = spark_changeset_apply (cs, &error);
  g_assert_null (result);
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOTHING_ACCEPTED);
  g_assert_nonnull (strstr (error->message, "not reviewed"));
}

static void
apply_all (Fixture    *f,
           const char *patch)
{
  g_autoptr(SparkChangeset) cs = changeset_for (f, patch);
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  g_assert_true (spark_changeset_accept_all (cs, &error));
  g_assert_no_error (error);
  result = spark_changeset_apply (cs, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (result, "Success. Updated the following files:\n"));
}

static void
test_crlf_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *crlf = NULL;
  g_autofree char *lf = NULL;

  spark_test_write_file (f->root, "win.txt", "one\r\ntwo\r\nthree\r\n");
  spark_test_write_file (f->root, "unix.txt", "one\ntwo\n");

  /* An LF patch on a CRLF file, and a CRLF patch on an LF file. */
  apply_all (f, "*** Begin Patch\n*** Update File: win.txt\n@@\n one\n-two\n+2\n+2b\n*** End Patch\n");
  apply_all (f, "*** Begin Patch\r\n*** Update File: unix.txt\r\n@@\r\n-two\r\n+2\r\n*** End Patch\r\n");

  crlf = read_back (f, "win.txt");
  g_assert_cmpstr (crlf, ==, "one\r\n2\r\n2b\r\nthree\r\n");

  /* A file mixing both keeps every untouched line's own ending. */
  spark_test_write_file (f->root, "mixed.txt", "one\r\ntwo\nthree\r\nfour\n");
  apply_all (f, "*** Begin Patch\n*** Update File: mixed.txt\n@@\n one\n-two\n+2\n three\n*** End Patch\n");
  {
    g_autofree char *mixed = read_back (f, "mixed.txt");

    g_assert_cmpstr (mixed, ==, "one\r\n2\nthree\r\nfour\n");
  }

  /* A byte order mark stays, and does not hide the first line. */
  spark_test_write_file (f->root, "bom.txt", "\xEF\xBB\xBF" "first\r\nsecond\r\n");
  apply_all (f, "*** Begin Patch\n*** Update File: bom.txt\n@@\n-first\n+FIRST\n*** End Patch\n");
  {
    g_autofree char *bom = read_back (f, "bom.txt");

    g_assert_cmpstr (bom, ==, "\xEF\xBB\xBF" "FIRST\r\nsecond\r\n");
  }
  lf = read_back (f, "unix.txt");
  g_assert_cmpstr (lf, ==, "one\n2\n");
}

static void
test_final_newline_and_unicode (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  spark_test_write_file (f->root, "no-nl.txt", "first\nlast");
  spark_test_write_file (f->root, "u.txt", "caf\xc3\xa9 \xe2\x80\x94 ok\n");
  apply_all (f, "*** Begin Patch\n*** Update File: no-nl.txt\n@@\n-first\n+FIRST\n*** End Patch\n");
  /* Matched through the unicode pass (em dash written as '-'). */
  apply_all (f, "*** Begin Patch\n*** Update File: u.txt\n@@\n-caf\xc3\xa9 - ok\n+th\xc3\xa9 \xe2\x80\x94 ok\n*** End Patch\n");

  a = read_back (f, "no-nl.txt");
  g_assert_cmpstr (a, ==, "FIRST\nlast\n");
  b = read_back (f, "u.txt");
  g_assert_cmpstr (b, ==, "th\xc3\xa9 \xe2\x80\x94 ok\n");
}

static void
test_modes (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *script = g_build_filename (f->root, "run.sh", NULL);
  g_autofree char *moved = g_build_filename (f->root, "bin", "run", NULL);
  GStatBuf st;

  spark_test_write_file (f->root, "run.sh", "#!/bin/sh\necho a\n");
  spark_test_write_file (f->root, "tool.sh", "#!/bin/sh\necho t\n");
  g_assert_cmpint (g_chmod (script, 0750), ==, 0);
  {
    g_autofree char *tool = g_build_filename (f->root, "tool.sh", NULL);
    g_assert_cmpint (g_chmod (tool, 0755), ==, 0);
  }

  apply_all (f, "*** Begin Patch\n*** Update File: run.sh\n@@\n-echo a\n+echo b\n"
                "*** Update File: tool.sh\n*** Move to: bin/run\n@@\n-echo t\n+echo T\n*** End Patch\n");

  g_assert_cmpint (g_stat (script, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0750);
  g_assert_cmpint (g_stat (moved, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  g_assert_false (path_test (f->root, "tool.sh", G_FILE_TEST_EXISTS));
}

static void
assert_file_error (Fixture    *f,
                   const char *patch,
                   GQuark      domain,
                   int         code,
                   const char *part)
{
  g_autoptr(SparkChangeset) cs = changeset_for (f, patch);
  SparkFileChange *file = spark_changeset_get_file (cs, 0);
  const GError *ferror = spark_file_change_get_error (file);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = tp_tree_digest (f->root);
  g_autofree char *after = NULL;

  g_assert_nonnull (ferror);
  g_assert_true (ferror->domain == domain);
  g_assert_cmpint (ferror->code, ==, code);
  if (strstr (ferror->message, part) == NULL)
    g_error ("“%s” does not contain “%s”", ferror->message, part);
  g_assert_cmpint (spark_hunk_get_state (spark_file_change_get_hunk (file, 0)), ==,
                   SPARK_HUNK_CONFLICT);
  g_assert_false (spark_changeset_accept_all (cs, &error));
  g_assert_null (spark_changeset_apply (cs, NULL));

  after = tp_tree_digest (f->root);
  g_assert_cmpstr (before, ==, after);
}

static void
test_file_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->root, "folder", NULL);

  spark_test_write_file (f->root, "latin1.txt", "caf\xe9\n");
  spark_test_write_file (f->root, "bin.dat", "a\0b");
  {
    g_autofree char *p = g_build_filename (f->root, "bin.dat", NULL);
    g_assert_true (g_file_set_contents (p, "a\0b\n", 4, NULL));
  }
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);

  assert_file_error (f, "*** Begin Patch\n*** Update File: missing.txt\n@@\n-a\n+b\n*** End Patch\n",
                     SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_MISSING_FILE, "does not exist");
  assert_file_error (f, "*** Begin Patch\n*** Delete File: missing.txt\n*** End Patch\n",
                     SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_MISSING_FILE, "does not exist");
  assert_file_error (f, "*** Begin Patch\n*** Delete File: folder\n*** End Patch\n",
                     SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_A_FILE, "not a regular file");
  assert_file_error (f, "*** Begin Patch\n*** Add File: folder\n+x\n*** End Patch\n",
                     SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_A_FILE, "not a regular file");
  assert_file_error (f, "*** Begin Patch\n*** Update File: latin1.txt\n@@\n-a\n+b\n*** End Patch\n",
                     SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_TEXT, "UTF-8");
  assert_file_error (f, "*** Begin Patch\n*** Update File: bin.dat\n@@\n-a\n+b\n*** End Patch\n",
                     SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_TEXT, "binary");
  assert_file_error (f, "*** Begin Patch\n*** Add File: ../escape.txt\n+x\n*** End Patch\n",
                     SPARK_WORKSPACE_ERROR, SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT, "outside");
  assert_file_error (f, "*** Begin Patch\n*** Add File: .git/hooks/post-checkout\n+x\n*** End Patch\n",
                     SPARK_WORKSPACE_ERROR, SPARK_WORKSPACE_ERROR_GIT_DIR, ".git");
  assert_file_error (f, "*** Begin Patch\n*** Add File: /etc/spark-test\n+x\n*** End Patch\n",
                     SPARK_WORKSPACE_ERROR, SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT, "outside");

  /* Two operations on one file (directly or through a move). */
  spark_test_write_file (f->root, "twice.txt", "t\n");
  {
    g_autoptr(SparkChangeset) cs = changeset_for (f,
      "*** Begin Patch\n*** Update File: twice.txt\n@@\n-t\n+u\n"
      "*** Update File: ./twice.txt\n@@\n-t\n+v\n*** End Patch\n");
    SparkFileChange *second = spark_changeset_get_file (cs, 1);

    g_assert_null (spark_file_change_get_error (spark_changeset_get_file (cs, 0)));
    g_assert_error ((GError *) spark_file_change_get_error (second), SPARK_PATCH_ERROR,
                    SPARK_PATCH_ERROR_CONFLICT);
    g_assert_nonnull (strstr (spark_file_change_get_error (second)->message, "line 2"));
    g_assert_cmpint (spark_hunk_get_state (spark_file_change_get_hunk (second, 0)), ==,
                     SPARK_HUNK_CONFLICT);
  }
  {
    g_autoptr(SparkChangeset) cs = changeset_for (f,
      "*** Begin Patch\n*** Update File: twice.txt\n*** Move to: moved.txt\n@@\n-t\n+u\n"
      "*** Add File: moved.txt\n+x\n*** End Patch\n");
    const GError *second = spark_file_change_get_error (spark_changeset_get_file (cs, 1));

    g_assert_error ((GError *) second, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
    g_assert_nonnull (strstr (second->message, "already changed"));
  }

  /* A binary file can still be deleted. */
  apply_all (f, "*** Begin Patch\n*** Delete File: bin.dat\n*** End Patch\n");
  g_assert_false (path_test (f->root, "bin.dat", G_FILE_TEST_EXISTS));
}

/* A file that changed after the patch was read is never overwritten: the
 * change is merged with the person's (test-merge-apply.c has the rest). */
static void
test_stale_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *result = NULL;

  spark_test_write_file (f->root, "a.txt", "a\n");
  cs = changeset_for (f, "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+b\n*** End Patch\n");
  g_assert_true (spark_changeset_accept_all (cs, &error));
  spark_test_write_file (f->root, "a.txt", "a\nedited by the person\n");

  result = spark_changeset_apply (cs, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (result, "Merged with the person's concurrent edits to a.txt"));
  contents = read_back (f, "a.txt");
  g_assert_cmpstr (contents, ==, "b\nedited by the person\n");

  /* Nor deleted. */
  {
    g_autoptr(SparkChangeset) del = changeset_for (f, "*** Begin Patch\n*** Delete File: a.txt\n*** End Patch\n");
    g_autoptr(GError) del_error = NULL;

    g_assert_true (spark_changeset_accept_all (del, &del_error));
    spark_test_write_file (f->root, "a.txt", "edited again\n");
    g_assert_null (spark_changeset_apply (del, &del_error));
    g_assert_error (del_error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT);
    g_assert_true (path_test (f->root, "a.txt", G_FILE_TEST_EXISTS));
  }
}

static void
test_apply_async (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *contents = NULL;

  spark_test_write_file (f->root, "a.txt", "a\n");
  cs = changeset_for (f, "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+b\n*** End Patch\n");
  g_assert_true (spark_changeset_accept_all (cs, &error));
  text = tp_changeset_apply_wait (cs);

  g_assert_cmpstr (text, ==, "Success. Updated the following files:\nM a.txt\n");
  contents = read_back (f, "a.txt");
  g_assert_cmpstr (contents, ==, "b\n");
}

static void
test_describe (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = NULL;
  g_autofree char *text = NULL;

  spark_test_write_file (f->root, "d.txt", "x  \ny\n");
  cs = changeset_for (f, "*** Begin Patch\n*** Update File: d.txt\n@@\n-x\n+X\n@@\n-nope\n+n\n*** End Patch\n");
  text = spark_changeset_describe (cs);
  g_assert_nonnull (strstr (text, "update d.txt\n"));
  g_assert_nonnull (strstr (text, "hunk 1: pending, line 1, 1 line(s) replaced (trailing whitespace ignored)"));
  g_assert_nonnull (strstr (text, "hunk 2: conflict"));
  g_assert_nonnull (strstr (text, "! Failed to find expected lines in d.txt:"));
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

#define ADD(name, fn) g_test_add ("/changeset/" name, Fixture, NULL, tp_workspace_setup, fn, tp_workspace_teardown)
  ADD ("streaming", test_streaming);
  ADD ("states", test_states);
  ADD ("partial-apply-result", test_partial_apply_result);
  ADD ("nothing-accepted", test_nothing_accepted);
  ADD ("crlf-round-trip", test_crlf_round_trip);
  ADD ("final-newline-and-unicode", test_final_newline_and_unicode);
  ADD ("modes", test_modes);
  ADD ("file-errors", test_file_errors);
  ADD ("stale-file", test_stale_file);
  ADD ("apply-async", test_apply_async);
  ADD ("describe", test_describe);
#undef ADD

  return g_test_run ();
}
