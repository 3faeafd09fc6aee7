/* test-patch-parser.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-patch-parser.h"
#include "spark-test-utils.h"
#include "test-patch-common.h"

static GListModel *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  GListModel *files = spark_patch_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (files);

  /* Every split gives the same result: check the two extremes each time. */
  {
    g_autofree char *whole = tp_parse (text, strlen (text), 0, FALSE);
    g_autofree char *bytes = tp_parse (text, strlen (text), 1, FALSE);
    g_autofree char *json = tp_parse (text, strlen (text), 1, TRUE);

    g_assert_cmpstr (whole, ==, bytes);
    g_assert_cmpstr (whole, ==, json);
  }

  return files;
}

static void
parse_fails (const char *text,
             int         code,
             guint       line,
             const char *message_part)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *whole = tp_parse (text, strlen (text), 0, FALSE);
  g_autofree char *bytes = tp_parse (text, strlen (text), 1, FALSE);
  gboolean ok;

  g_assert_cmpstr (whole, ==, bytes);

  ok = spark_patch_parser_feed (parser, text, -1, &error) &&
       spark_patch_parser_finish (parser, &error);
  g_assert_false (ok);
  g_assert_error (error, SPARK_PATCH_ERROR, code);
  g_assert_cmpuint (spark_patch_parser_get_error_line (parser), ==, line);
  if (strstr (error->message, message_part) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message_part);

  /* Once failed, it stays failed with the same error. */
  {
    g_autoptr(GError) again = NULL;

    g_assert_false (spark_patch_parser_feed (parser, "x", 1, &again));
    g_assert_error (again, SPARK_PATCH_ERROR, code);
  }
}

static SparkHunk *
hunk_at (GListModel *files,
         guint       f,
         guint       h)
{
  g_autoptr(SparkFileChange) file = g_list_model_get_item (files, f);

  return spark_file_change_get_hunk (file, h);
}

static SparkFileChange *
file_at (GListModel *files,
         guint       f)
{
  g_autoptr(SparkFileChange) file = g_list_model_get_item (files, f);

  return file;  /* the model keeps it alive */
}

static void
assert_lines (const char * const *lines,
              ...)
{
  va_list ap;
  guint i = 0;
  const char *expected;

  va_start (ap, lines);
  while ((expected = va_arg (ap, const char *)) != NULL)
    {
      g_assert_nonnull (lines[i]);
      g_assert_cmpstr (lines[i], ==, expected);
      i++;
    }
  va_end (ap);
  g_assert_null (lines[i]);
}

static void
test_operations (void)
{
  g_autoptr(GListModel) files = parse_ok (
    "*** Begin Patch\n"
    "*** Add File: a/new.txt\n"
    "+one\n"
    "+\n"
    "+three\n"
    "*** Delete File: old.txt\n"
    "*** Update File: src/x.c\n"
    "*** Move to: src/y.c\n"
    "@@ int main (void)\n"
    " {\n"
    "-  return 1;\n"
    "+  return 0;\n"
    "*** Update File: b.txt\n"
    "@@\n"
    "-b\n"
    "+B\n"
    "*** End Patch\n");

  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 4);

  g_assert_cmpint (spark_file_change_get_kind (file_at (files, 0)), ==, SPARK_FILE_CHANGE_ADD);
  g_assert_cmpstr (spark_file_change_get_path (file_at (files, 0)), ==, "a/new.txt");
  assert_lines (spark_hunk_get_new_lines (hunk_at (files, 0, 0)), "one", "", "three", NULL);
  assert_lines (spark_hunk_get_old_lines (hunk_at (files, 0, 0)), NULL);

  g_assert_cmpint (spark_file_change_get_kind (file_at (files, 1)), ==, SPARK_FILE_CHANGE_DELETE);
  g_assert_cmpuint (spark_file_change_get_n_hunks (file_at (files, 1)), ==, 1);

  g_assert_cmpint (spark_file_change_get_kind (file_at (files, 2)), ==, SPARK_FILE_CHANGE_MOVE);
  g_assert_cmpstr (spark_file_change_get_move_path (file_at (files, 2)), ==, "src/y.c");
  assert_lines (spark_hunk_get_anchors (hunk_at (files, 2, 0)), "int main (void)", NULL);
  assert_lines (spark_hunk_get_old_lines (hunk_at (files, 2, 0)), "{", "  return 1;", NULL);
  assert_lines (spark_hunk_get_new_lines (hunk_at (files, 2, 0)), "{", "  return 0;", NULL);
  g_assert_cmpuint (spark_hunk_get_patch_line (hunk_at (files, 2, 0)), ==, 9);

  g_assert_cmpint (spark_file_change_get_kind (file_at (files, 3)), ==, SPARK_FILE_CHANGE_UPDATE);
  g_assert_null (spark_file_change_get_move_path (file_at (files, 3)));
  assert_lines (spark_hunk_get_anchors (hunk_at (files, 3, 0)), NULL);
  for (guint i = 0; i < 4; i++)
    g_assert_true (spark_file_change_get_complete (file_at (files, i)));
}

static void
test_first_chunk_without_header (void)
{
  g_autoptr(GListModel) files = parse_ok (
    "*** Begin Patch\n"
    "*** Update File: a.txt\n"
    " keep\n"
    "-old\n"
    "+new\n"
    "@@ second\n"
    "-x\n"
    "+y\n"
    "*** End Patch");

  g_assert_cmpuint (spark_file_change_get_n_hunks (file_at (files, 0)), ==, 2);
  assert_lines (spark_hunk_get_old_lines (hunk_at (files, 0, 0)), "keep", "old", NULL);
  assert_lines (spark_hunk_get_anchors (hunk_at (files, 0, 1)), "second", NULL);
}

static void
test_stacked_anchors (void)
{
  g_autoptr(GListModel) files = parse_ok (
    "*** Begin Patch\n"
    "*** Update File: a.py\n"
    "@@ class Foo\n"
    "@@     def bar(self):\n"
    "-        pass\n"
    "+        return 1\n"
    "*** End Patch\n");

  assert_lines (spark_hunk_get_anchors (hunk_at (files, 0, 0)), "class Foo", "def bar(self):", NULL);
}

static void
test_end_of_file_and_blank_context (void)
{
  g_autoptr(GListModel) files = parse_ok (
    "*** Begin Patch\n"
    "*** Update File: t.txt\n"
    "@@\n"
    " first\n"
    "\n"
    "-second\n"
    "+second updated\n"
    "*** End of File\n"
    "\n"
    "@@ next\n"
    "+z\n"
    "*** End Patch\n");
  SparkHunk *hunk = hunk_at (files, 0, 0);

  g_assert_true (spark_hunk_get_end_of_file (hunk));
  assert_lines (spark_hunk_get_old_lines (hunk), "first", "", "second", NULL);
  assert_lines (spark_hunk_get_new_lines (hunk), "first", "", "second updated", NULL);
  g_assert_false (spark_hunk_get_end_of_file (hunk_at (files, 0, 1)));
}

static void
test_padding_heredoc_crlf (void)
{
  const char *plain =
    "*** Begin Patch\n"
    "*** Update File: f.txt\n"
    "@@\n"
    "-one\n"
    "+two\n"
    "*** End Patch\n";
  const char *variants[] = {
    /* whitespace-padded markers and surrounding blank lines */
    "\n  \n *** Begin Patch \n  *** Update File: f.txt  \n@@  \n-one\n+two\n *** End Patch  \n\n",
    /* heredoc wrappers */
    "<<EOF\n*** Begin Patch\n*** Update File: f.txt\n@@\n-one\n+two\n*** End Patch\nEOF\n",
    "<<'EOF'\n*** Begin Patch\n*** Update File: f.txt\n@@\n-one\n+two\n*** End Patch\nEOF",
    "apply_patch <<\"EOF\"\n*** Begin Patch\n*** Update File: f.txt\n@@\n-one\n+two\n*** End Patch\nEOF\n",
    /* CRLF */
    "*** Begin Patch\r\n*** Update File: f.txt\r\n@@\r\n-one\r\n+two\r\n*** End Patch\r\n",
    /* Environment ID line */
    "*** Begin Patch\n*** Environment ID: local\n*** Update File: f.txt\n@@\n-one\n+two\n*** End Patch\n",
  };
  g_autoptr(GListModel) expected = parse_ok (plain);
  g_autofree char *want = tp_dump_files (expected);

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(GListModel) files = parse_ok (variants[i]);
      g_autofree char *got = tp_dump_files (files);
      g_autofree char *want_lines = NULL;

      /* Line numbers differ; compare the rest. */
      assert_lines (spark_hunk_get_old_lines (hunk_at (files, 0, 0)), "one", NULL);
      assert_lines (spark_hunk_get_new_lines (hunk_at (files, 0, 0)), "two", NULL);
      g_assert_cmpstr (spark_file_change_get_path (file_at (files, 0)), ==, "f.txt");
      g_assert_cmpuint (g_list_model_get_n_items (files), ==, 1);
      (void) got;
      (void) want_lines;
    }
  g_assert_nonnull (want);
}

/* The table is shared with test-bad-input, which streams the same patches. */
static void
test_errors (void)
{
  for (guint i = 0; i < tp_n_malformed; i++)
    parse_fails (tp_malformed[i].text, tp_malformed[i].code, tp_malformed[i].line,
                 tp_malformed[i].message);
}

typedef struct
{
  guint started;
  guint hunks;
  guint completed;
  guint patch;
} Counts;

static void
count_started (SparkPatchParser *p, SparkFileChange *f, Counts *c) { c->started++; }
static void
count_hunk (SparkPatchParser *p, SparkFileChange *f, SparkHunk *h, Counts *c) { c->hunks++; }
static void
count_completed (SparkPatchParser *p, SparkFileChange *f, Counts *c) { c->completed++; }
static void
count_patch (SparkPatchParser *p, Counts *c) { c->patch++; }

/* Events fire as soon as they are known, before the patch ends. */
static void
test_events_are_early (void)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(GError) error = NULL;
  Counts c = { 0 };

  g_signal_connect (parser, "file-started", G_CALLBACK (count_started), &c);
  g_signal_connect (parser, "hunk-complete", G_CALLBACK (count_hunk), &c);
  g_signal_connect (parser, "file-complete", G_CALLBACK (count_completed), &c);
  g_signal_connect (parser, "patch-complete", G_CALLBACK (count_patch), &c);

  g_assert_true (spark_patch_parser_feed (parser, "*** Begin Patch\n*** Add File: a\n", -1, &error));
  g_assert_cmpuint (c.started, ==, 1);
  g_assert_true (spark_patch_parser_feed (parser, "+x\n", -1, &error));
  g_assert_cmpuint (c.hunks, ==, 0);
  /* The first byte of the next line already ends the add. */
  g_assert_true (spark_patch_parser_feed (parser, "*", -1, &error));
  g_assert_cmpuint (c.hunks, ==, 1);
  g_assert_cmpuint (c.completed, ==, 1);

  g_assert_true (spark_patch_parser_feed (parser, "** Update File: b\n", -1, &error));
  /* Not started until we know whether a Move to follows. */
  g_assert_cmpuint (c.started, ==, 1);
  g_assert_true (spark_patch_parser_feed (parser, "@", -1, &error));
  g_assert_cmpuint (c.started, ==, 2);
  g_assert_true (spark_patch_parser_feed (parser, "@\n-b\n+c\n", -1, &error));
  g_assert_cmpuint (c.hunks, ==, 1);
  /* "*" could still be "*** End of File": wait. */
  g_assert_true (spark_patch_parser_feed (parser, "*** E", -1, &error));
  g_assert_cmpuint (c.hunks, ==, 1);
  g_assert_true (spark_patch_parser_feed (parser, "nd P", -1, &error));
  g_assert_cmpuint (c.hunks, ==, 2);
  g_assert_true (spark_patch_parser_feed (parser, "atch", -1, &error));
  g_assert_cmpuint (c.patch, ==, 0);
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.completed, ==, 2);
  g_assert_cmpuint (c.patch, ==, 1);
}

static void
test_scenarios_any_split (void)
{
  g_autofree char *dir = tp_scenarios_dir ();
  g_autoptr(GPtrArray) names = tp_scenarios ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  g_assert_cmpuint (names->len, >=, 23);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), "patch.txt", NULL);
      g_autofree char *text = NULL;
      g_autofree char *whole = NULL;
      g_autofree char *bytes = NULL;
      g_autofree char *json = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      whole = tp_parse (text, len, 0, FALSE);
      bytes = tp_parse (text, len, 1, FALSE);
      json = tp_parse (text, len, 1, TRUE);
      g_assert_cmpstr (whole, ==, bytes);
      g_assert_cmpstr (whole, ==, json);

      for (guint k = 0; k < 8; k++)
        {
          g_autofree char *some = tp_parse (text, len, g_rand_int_range (rand, 2, 17), k % 2);

          g_assert_cmpstr (whole, ==, some);
        }

      /* The scenarios whose patch itself is wrong fail to parse. */
      if (strstr (g_ptr_array_index (names, i), "rejects_empty") ||
          strstr (g_ptr_array_index (names, i), "invalid_hunk_header") ||
          strstr (g_ptr_array_index (names, i), "empty_update_hunk"))
        g_assert_nonnull (strstr (whole, "ERROR line"));
      else
        g_assert_null (strstr (whole, "ERROR line"));
    }
}

/* Found by the fuzzer: a NUL byte right after the start of a marker line. */
static void
test_nul_byte_any_split (void)
{
  static const char text[] =
    "*** Begin Patch\n*** Update File: a\n@@\n-from\n+new\n*** \347d\002\000\260`End Patch\n";
  gsize len = sizeof text - 1;
  g_autofree char *whole = tp_parse (text, len, 0, FALSE);

  g_assert_nonnull (strstr (whole, "NUL byte"));
  for (gsize piece = 1; piece < 12; piece++)
    {
      g_autofree char *some = tp_parse (text, len, piece, FALSE);

      g_assert_cmpstr (whole, ==, some);
    }
}

/* Found by the fuzzer: a marker-like line that is not UTF-8 ends the chunk
 * before the error, however the text is split. */
static void
test_bad_utf8_any_split (void)
{
  static const char text[] =
    "*** Begin Patch\n*** Update File: a\n+changed\n*** End Pat\xe9\xe9\xe9" "ch\n";
  gsize len = sizeof text - 1;
  g_autofree char *whole = tp_parse (text, len, 0, FALSE);

  g_assert_nonnull (strstr (whole, "UTF-8"));
  g_assert_nonnull (strstr (whole, "hunk a #0"));
  for (gsize piece = 1; piece < 12; piece++)
    {
      g_autofree char *some = tp_parse (text, len, piece, FALSE);

      g_assert_cmpstr (whole, ==, some);
    }
}

static void
test_json_wire_form (void)
{
  const char *args =
    "{\"input\": \"*** Begin Patch\\n*** Add File: caf\\u00e9 \\ud83d\\ude00.txt\\n"
    "+say \\\"hi\\\"\\\\n\\t\\n*** End Patch\\n\"}";
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkFileChange) file = NULL;

  spark_patch_parser_set_wire_form (parser, SPARK_PATCH_WIRE_JSON_ARGUMENTS);
  for (const char *p = args; *p; p++)
    g_assert_true (spark_patch_parser_feed (parser, p, 1, &error));
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);

  file = g_list_model_get_item (spark_patch_parser_get_files (parser), 0);
  g_assert_cmpstr (spark_file_change_get_path (file), ==, "café 😀.txt");
  assert_lines (spark_hunk_get_new_lines (spark_file_change_get_hunk (file, 0)),
                "say \"hi\"\\n\t", NULL);
}

static void
test_json_errors (void)
{
  const char *bad[] = {
    "[1]",
    "{\"input\": 3}",
    "{\"other\": \"x\"}",
    "{\"input\": \"*** Begin Patch\\q\"}",
    "{\"input\": \"unterminated",
    "{\"input\": \"\\ud83d\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
      g_autoptr(GError) error = NULL;
      gboolean ok;

      spark_patch_parser_set_wire_form (parser, SPARK_PATCH_WIRE_JSON_ARGUMENTS);
      ok = spark_patch_parser_feed (parser, bad[i], -1, &error) &&
           spark_patch_parser_finish (parser, &error);
      g_assert_false (ok);
      g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_SYNTAX);
    }
}

static void
test_hosted_operations (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) freeform = parse_ok (
    "*** Begin Patch\n"
    "*** Add File: n.txt\n+a\n+b\n"
    "*** Update File: u.txt\n@@ fn\n ctx\n-x\n+y\n*** End of File\n"
    "*** Delete File: d.txt\n"
    "*** End Patch\n");
  g_autoptr(SparkFileChange) add = spark_patch_parse_operation ("create_file", "n.txt", "+a\n+b\n", &error);
  g_autoptr(SparkFileChange) add_plain = spark_patch_parse_operation ("create_file", "n.txt", "a\nb", &error);
  g_autoptr(SparkFileChange) upd = spark_patch_parse_operation ("update_file", "u.txt",
                                                                "@@ fn\n ctx\n-x\n+y\n*** End of File\n",
                                                                &error);
  g_autoptr(SparkFileChange) del = spark_patch_parse_operation ("delete_file", "d.txt", NULL, &error);
  g_autoptr(GListStore) hosted = g_list_store_new (SPARK_TYPE_FILE_CHANGE);
  g_autoptr(GListStore) hosted_plain = g_list_store_new (SPARK_TYPE_FILE_CHANGE);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *strip_a = NULL;
  g_autofree char *strip_b = NULL;
  GRegex *lines_re;

  g_assert_no_error (error);
  g_list_store_append (hosted, add);
  g_list_store_append (hosted, upd);
  g_list_store_append (hosted, del);
  g_list_store_append (hosted_plain, add_plain);
  g_list_store_append (hosted_plain, upd);
  g_list_store_append (hosted_plain, del);

  a = tp_dump_files (freeform);
  b = tp_dump_files (G_LIST_MODEL (hosted));
  c = tp_dump_files (G_LIST_MODEL (hosted_plain));

  /* Patch line numbers differ between the forms; nothing else may. */
  lines_re = g_regex_new ("line [0-9]+", 0, 0, NULL);
  strip_a = g_regex_replace_literal (lines_re, a, -1, 0, "line", 0, NULL);
  strip_b = g_regex_replace_literal (lines_re, b, -1, 0, "line", 0, NULL);
  g_assert_cmpstr (strip_a, ==, strip_b);
  g_free (strip_b);
  strip_b = g_regex_replace_literal (lines_re, c, -1, 0, "line", 0, NULL);
  g_assert_cmpstr (strip_a, ==, strip_b);
  g_regex_unref (lines_re);

  g_assert_null (spark_patch_parse_operation ("rename_file", "x", NULL, &error));
  g_assert_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_INVALID_OPERATION);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/patch-parser/operations", test_operations);
  g_test_add_func ("/patch-parser/first-chunk-without-header", test_first_chunk_without_header);
  g_test_add_func ("/patch-parser/stacked-anchors", test_stacked_anchors);
  g_test_add_func ("/patch-parser/end-of-file-and-blank-context", test_end_of_file_and_blank_context);
  g_test_add_func ("/patch-parser/padding-heredoc-crlf", test_padding_heredoc_crlf);
  g_test_add_func ("/patch-parser/errors", test_errors);
  g_test_add_func ("/patch-parser/events-are-early", test_events_are_early);
  g_test_add_func ("/patch-parser/scenarios-any-split", test_scenarios_any_split);
  g_test_add_func ("/patch-parser/nul-byte-any-split", test_nul_byte_any_split);
  g_test_add_func ("/patch-parser/bad-utf8-any-split", test_bad_utf8_any_split);
  g_test_add_func ("/patch-parser/json-wire-form", test_json_wire_form);
  g_test_add_func ("/patch-parser/json-errors", test_json_errors);
  g_test_add_func ("/patch-parser/hosted-operations", test_hosted_operations);

  return g_test_run ();
}
