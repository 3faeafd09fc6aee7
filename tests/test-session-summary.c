/* test-session-summary.c — what the session list shows of a saved session:
 * title, time and touched files from the JSONL lines, relative times.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-session-summary.h"
#include "spark-test-utils.h"

static const char session_jsonl[] =
  "{\"type\":\"session\",\"time\":1764000000,\"root\":\"/p\",\"model\":\"m\"}\n"
  "{\"type\":\"item\",\"time\":1764000001,\"item\":{\"type\":\"message\",\"role\":\"user\","
    "\"content\":[{\"type\":\"input_text\",\"text\":\"\\n  Fix the parser  \\nIt crashes on empty input\"}]}}\n"
  "{\"type\":\"item\",\"time\":1764000002,\"item\":{\"type\":\"custom_tool_call\",\"name\":\"apply_patch\","
    "\"call_id\":\"c1\",\"input\":\"*** Begin Patch\\n*** Update File: src/parser.c\\n@@\\n-a\\n+b\\n"
    "*** Add File: tests/test-parser.c\\n+x\\n*** End Patch\\n\"}}\n"
  "not json at all\n"
  "{\"type\":\"item\",\"time\":1764000003,\"item\":{\"type\":\"function_call\",\"name\":\"apply_patch\","
    "\"call_id\":\"c2\",\"arguments\":\"{\\\"input\\\":\\\"*** Begin Patch\\\\n*** Update File: src/parser.c\\\\n"
    "*** Move to: src/parse.c\\\\n*** Delete File: old.txt\\\\n*** End Patch\\\\n\\\"}\"}}\n"
  "{\"type\":\"item\",\"time\":1764000004,\"item\":{\"type\":\"apply_patch_call\",\"call_id\":\"c3\","
    "\"operation\":{\"type\":\"update_file\",\"path\":\"README.md\",\"diff\":\"\"}}}\n"
  "{\"type\":\"item\",\"time\":1764000005,\"item\":{\"type\":\"function_call\",\"name\":\"shell\","
    "\"call_id\":\"c4\",\"arguments\":\"{\\\"command\\\":[\\\"ls\\\"]}\"}}\n"
  "{\"type\":\"item\",\"time\":1764000009,\"item\":{\"type\":\"message\",\"role\":\"user\","
    "\"content\":[{\"type\":\"input_text\",\"text\":\"Second prompt\"}]}}\n";

static void
test_parse (void)
{
  g_autoptr(SparkSessionSummary) summary =
    spark_session_summary_parse ("20260101T000000-1", session_jsonl, strlen (session_jsonl));
  const char * const files[] = {
    "src/parser.c", "tests/test-parser.c", "src/parse.c", "old.txt", "README.md", NULL
  };

  g_assert_cmpstr (summary->id, ==, "20260101T000000-1");
  g_assert_cmpstr (summary->title, ==, "Fix the parser");
  g_assert_cmpint (summary->time, ==, 1764000009);
  g_assert_true (g_strv_equal ((const char * const *) summary->files, files));
}

static void
test_parse_empty (void)
{
  g_autoptr(SparkSessionSummary) empty = spark_session_summary_parse ("a", "", 0);
  g_autoptr(SparkSessionSummary) no_prompt = NULL;
  const char *text = "{\"type\":\"session\",\"time\":5}\n"
                     "{\"type\":\"item\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":\"  \"}}";

  g_assert_null (empty->title);
  g_assert_cmpint (empty->time, ==, 0);
  g_assert_nonnull (empty->files);
  g_assert_null (empty->files[0]);

  /* No final newline, and a blank prompt: no title. */
  no_prompt = spark_session_summary_parse ("b", text, strlen (text));
  g_assert_null (no_prompt->title);
  g_assert_cmpint (no_prompt->time, ==, 5);
}

static void
write_session (const char *dir,
               const char *id,
               gint64      time,
               const char *prompt)
{
  g_autofree char *name = g_strconcat (id, ".jsonl", NULL);
  g_autofree char *line = g_strdup_printf ("{\"type\":\"item\",\"time\":%" G_GINT64_FORMAT ","
                                           "\"item\":{\"type\":\"message\",\"role\":\"user\","
                                           "\"content\":[{\"type\":\"input_text\",\"text\":\"%s\"}]}}\n",
                                           time, prompt);

  spark_test_write_file (dir, name, line);
}

static void
test_list (void)
{
  g_autofree char *store = spark_test_make_temp_dir ();
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, root, -1);
  g_autofree char *dir = g_build_filename (store, hash, NULL);
  g_autoptr(GPtrArray) list = NULL;
  SparkSessionSummary *s;

  write_session (dir, "20260101T000000-aaaaaaaa", 100, "oldest");
  /* Started later, but last used before the others: by time, not id. */
  write_session (dir, "20260103T000000-cccccccc", 150, "middle");
  write_session (dir, "20260102T000000-bbbbbbbb", 300, "newest");
  spark_test_write_file (dir, "notes.txt", "not a session");

  list = spark_session_summary_list (store, root);
  g_assert_cmpuint (list->len, ==, 3);
  s = list->pdata[0];
  g_assert_cmpstr (s->title, ==, "newest");
  s = list->pdata[1];
  g_assert_cmpstr (s->title, ==, "middle");
  s = list->pdata[2];
  g_assert_cmpstr (s->id, ==, "20260101T000000-aaaaaaaa");

  g_clear_pointer (&list, g_ptr_array_unref);
  list = spark_session_summary_list (store, dir);
  g_assert_cmpuint (list->len, ==, 0);

  spark_test_rm_rf (store);
  spark_test_rm_rf (root);
}

static void
test_format_time (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 3, 10, 12, 0, 0);
  g_autoptr(GDateTime) late_yesterday = g_date_time_new_local (2026, 3, 9, 23, 30, 0);
  g_autoptr(GDateTime) early_today = g_date_time_new_local (2026, 3, 10, 0, 5, 0);
  g_autoptr(GDateTime) this_year = g_date_time_new_local (2026, 3, 1, 9, 0, 0);
  g_autoptr(GDateTime) last_year = g_date_time_new_local (2025, 12, 31, 9, 0, 0);
  gint64 t = g_date_time_to_unix (now);
  struct {
    gint64      time;
    const char *expected;
  } cases[] = {
    { t + 30, "Just now" },
    { t - 59, "Just now" },
    { t - 60, "1 minute ago" },
    { t - 5 * 60, "5 minutes ago" },
    { t - 3600, "1 hour ago" },
    { g_date_time_to_unix (early_today), "11 hours ago" },
    { g_date_time_to_unix (late_yesterday), "Yesterday" },
    { g_date_time_to_unix (this_year), "Mar 1" },
    { g_date_time_to_unix (last_year), "Dec 31, 2025" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = spark_session_summary_format_time (cases[i].time, now);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/session-summary/parse", test_parse);
  g_test_add_func ("/session-summary/parse-empty", test_parse_empty);
  g_test_add_func ("/session-summary/list", test_list);
  g_test_add_func ("/session-summary/format-time", test_format_time);

  return g_test_run ();
}
