/* test-patch-common.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "spark-test-utils.h"
#include "test-patch-common.h"

static void
dump_lines (GString            *out,
            const char         *tag,
            const char * const *lines)
{
  for (guint i = 0; lines[i]; i++)
    g_string_append_printf (out, "    %s[%s]\n", tag, lines[i]);
}

char *
tp_dump_files (GListModel *files)
{
  GString *out = g_string_new (NULL);
  guint n = g_list_model_get_n_items (files);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SparkFileChange) file = g_list_model_get_item (files, i);
      guint nh = g_list_model_get_n_items (G_LIST_MODEL (file));

      g_string_append_printf (out, "op %d %s -> %s (line %u, complete %d)\n",
                              spark_file_change_get_kind (file),
                              spark_file_change_get_path (file),
                              spark_file_change_get_move_path (file) ?: "-",
                              spark_file_change_get_patch_line (file),
                              spark_file_change_get_complete (file));
      for (guint h = 0; h < nh; h++)
        {
          g_autoptr(SparkHunk) hunk = g_list_model_get_item (G_LIST_MODEL (file), h);

          g_string_append_printf (out, "  hunk %u line %u eof %d\n",
                                  spark_hunk_get_index (hunk),
                                  spark_hunk_get_patch_line (hunk),
                                  spark_hunk_get_end_of_file (hunk));
          dump_lines (out, "@@", spark_hunk_get_anchors (hunk));
          dump_lines (out, "-", spark_hunk_get_old_lines (hunk));
          dump_lines (out, "+", spark_hunk_get_new_lines (hunk));
        }
    }

  return g_string_free (out, FALSE);
}

static void
on_file_started (SparkPatchParser *parser,
                 SparkFileChange  *file,
                 GString          *log)
{
  g_string_append_printf (log, "started %s kind %d\n", spark_file_change_get_path (file),
                          spark_file_change_get_kind (file));
}

static void
on_hunk_complete (SparkPatchParser *parser,
                  SparkFileChange  *file,
                  SparkHunk        *hunk,
                  GString          *log)
{
  /* The hunk is in the file already when the signal fires. */
  g_assert_true (spark_file_change_get_hunk (file, spark_hunk_get_index (hunk)) == hunk);
  g_string_append_printf (log, "hunk %s #%u\n", spark_file_change_get_path (file),
                          spark_hunk_get_index (hunk));
}

static void
on_file_complete (SparkPatchParser *parser,
                  SparkFileChange  *file,
                  GString          *log)
{
  g_string_append_printf (log, "complete %s\n", spark_file_change_get_path (file));
}

static void
on_patch_complete (SparkPatchParser *parser,
                   GString          *log)
{
  g_string_append (log, "patch complete\n");
}

static void
on_error (SparkPatchParser *parser,
          GError           *error,
          guint             line,
          GString          *log)
{
  g_string_append_printf (log, "error at %u\n", line);
}

char *
tp_json_quote (const char *text,
               gsize       length)
{
  GString *out = g_string_new ("\"");

  for (gsize i = 0; i < length; i++)
    {
      guchar c = text[i];

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');

  return g_string_free (out, FALSE);
}

char *
tp_parse (const char *text,
          gsize       length,
          gsize       piece,
          gboolean    json)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *wrapped = NULL;
  g_autofree char *dump = NULL;
  gboolean ok = TRUE;

  if (json)
    {
      g_autofree char *quoted = tp_json_quote (text, length);

      wrapped = g_strdup_printf ("{\"other\": [1, {\"x\": \"}\"}], \"input\": %s, \"n\": 2}", quoted);
      text = wrapped;
      length = strlen (wrapped);
      spark_patch_parser_set_wire_form (parser, SPARK_PATCH_WIRE_JSON_ARGUMENTS);
    }

  g_signal_connect (parser, "file-started", G_CALLBACK (on_file_started), log);
  g_signal_connect (parser, "hunk-complete", G_CALLBACK (on_hunk_complete), log);
  g_signal_connect (parser, "file-complete", G_CALLBACK (on_file_complete), log);
  g_signal_connect (parser, "patch-complete", G_CALLBACK (on_patch_complete), log);
  g_signal_connect (parser, "error", G_CALLBACK (on_error), log);

  if (piece == 0)
    piece = MAX (length, 1);

  for (gsize off = 0; ok && off < length; off += piece)
    ok = spark_patch_parser_feed (parser, text + off, MIN (piece, length - off), &error);
  if (ok)
    ok = spark_patch_parser_finish (parser, &error);

  dump = tp_dump_files (spark_patch_parser_get_files (parser));

  if (!ok)
    {
      g_assert_error (error, SPARK_PATCH_ERROR, error->code);
      g_assert_cmpuint (spark_patch_parser_get_error_line (parser), >, 0);
      return g_strdup_printf ("%s%sERROR line %u: %s\n", log->str, dump,
                              spark_patch_parser_get_error_line (parser), error->message);
    }

  g_assert_true (spark_patch_parser_get_complete (parser));
  return g_strdup_printf ("%s%s", log->str, dump);
}

char *
tp_scenarios_dir (void)
{
  g_autofree char *dir = NULL;
  const char *env = g_getenv ("SPARK_CONFORMANCE_DIR");

  if (env != NULL)
    dir = g_strdup (env);
  else
    dir = g_test_build_filename (G_TEST_DIST, "..", "..", "shared", "conformance",
                                 "apply-patch", NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_error ("The conformance scenarios are missing: %s does not exist. "
             "Put the shared/ folder beside the repository (../shared).", dir);

  return g_steal_pointer (&dir);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

GPtrArray *
tp_scenarios (void)
{
  g_autofree char *dir = tp_scenarios_dir ();
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *patch = g_build_filename (dir, name, "patch.txt", NULL);

      if (g_file_test (patch, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_strings);

  return names;
}

void
tp_copy_tree (const char *src,
              const char *dst)
{
  g_autoptr(GDir) d = g_dir_open (src, 0, NULL);
  const char *name;

  g_assert_cmpint (g_mkdir_with_parents (dst, 0755), ==, 0);
  if (d == NULL)
    return;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *s = g_build_filename (src, name, NULL);
      g_autofree char *t = g_build_filename (dst, name, NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (s, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        tp_copy_tree (s, t);
      else
        {
          g_autofree char *contents = NULL;
          gsize len;

          g_assert_true (g_file_get_contents (s, &contents, &len, NULL));
          g_assert_true (g_file_set_contents (t, contents, len, NULL));
          g_assert_cmpint (g_chmod (t, st.st_mode & 07777), ==, 0);
        }
    }
}

static void
digest_dir (GString    *out,
            const char *dir,
            const char *rel)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (strcmp (name, ".git") != 0)
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      g_autofree char *abs = g_build_filename (dir, n, NULL);
      g_autofree char *r = rel[0] ? g_strconcat (rel, "/", n, NULL) : g_strdup (n);
      GStatBuf st;

      g_assert_cmpint (g_lstat (abs, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        {
          g_string_append_printf (out, "dir %s\n", r);
          digest_dir (out, abs, r);
        }
      else if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (abs, NULL);

          g_string_append_printf (out, "link %s -> %s\n", r, target);
        }
      else
        {
          g_autofree char *contents = NULL;
          g_autofree char *sum = NULL;
          gsize len;

          g_assert_true (g_file_get_contents (abs, &contents, &len, NULL));
          sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, len);
          g_string_append_printf (out, "file %s %o %s\n", r, st.st_mode & 07777, sum);
        }
    }
}

char *
tp_tree_digest (const char *dir)
{
  GString *out = g_string_new (NULL);

  digest_dir (out, dir, "");
  return g_string_free (out, FALSE);
}

const TpMalformed tp_malformed[] = {
  { "", SPARK_PATCH_ERROR_SYNTAX, 1, "must be '*** Begin Patch'" },
  { "hello\n*** Begin Patch\n", SPARK_PATCH_ERROR_SYNTAX, 1, "must be '*** Begin Patch'" },
  { "*** Begin Patch\n*** Add File: a\n+x\n", SPARK_PATCH_ERROR_SYNTAX, 4, "must be '*** End Patch'" },
  { "*** Begin Patch\n*** End Patch\n", SPARK_PATCH_ERROR_EMPTY, 2, "file operation" },
  { "*** Begin Patch\n*** Frobnicate File: foo\n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 2, "is not a valid hunk header" },
  { "*** Begin Patch\n*** Update File: a\n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 2, "Update file hunk for path 'a' is empty" },
  { "*** Begin Patch\n*** Update File: a\n@@\n-x\nbad line\n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 5, "Expected update hunk to start with a @@" },
  { "*** Begin Patch\n*** Update File: a\nbad\n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 3, "Unexpected line found in update hunk" },
  { "*** Begin Patch\n*** Update File: a\n@@\n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 4, "does not contain any lines" },
  { "*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\ntrailing\n",
    SPARK_PATCH_ERROR_SYNTAX, 5, "must be '*** End Patch'" },
  { "*** Begin Patch\n*** Add File: \n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 2, "is not a valid hunk header" },
  { "*** Begin Patch\n*** Update File: a\n*** Move to: \t\n@@\n-a\n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 3, "Unexpected line found" },
  { "*** Begin Patch\n*** Add File: a\n+\xff\xfe\n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 3, "UTF-8" },
  { "*** Begin Patch\n*** Delete File: a\n+x\n*** End Patch\n",
    SPARK_PATCH_ERROR_SYNTAX, 3, "is not a valid hunk header" },
};

const guint tp_n_malformed = G_N_ELEMENTS (tp_malformed);
