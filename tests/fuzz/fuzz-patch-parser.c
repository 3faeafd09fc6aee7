/* fuzz-patch-parser.c: libFuzzer target for SparkPatchParser.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks, for any input, that the parser neither crashes nor leaks and that
 * feeding the text whole, byte by byte, or in pieces chosen by the input
 * gives the same operations, hunks and error. The JSON wire form of the same
 * text must agree too.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spark-patch-parser.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
dump_lines (GString            *out,
            const char         *tag,
            const char * const *lines)
{
  for (guint i = 0; lines[i]; i++)
    g_string_append_printf (out, "%s[%s]\n", tag, lines[i]);
}

static char *
parse (const char *text,
       gsize       len,
       gsize       piece,
       gboolean    json)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  GListModel *files;
  gboolean ok = TRUE;

  if (json)
    spark_patch_parser_set_wire_form (parser, SPARK_PATCH_WIRE_JSON_ARGUMENTS);

  for (gsize off = 0; ok && off < len; off += piece)
    ok = spark_patch_parser_feed (parser, text + off, MIN (piece, len - off), &error);
  if (ok)
    ok = spark_patch_parser_finish (parser, &error);

  files = spark_patch_parser_get_files (parser);
  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(SparkFileChange) file = g_list_model_get_item (files, i);

      g_string_append_printf (out, "op %d %s %s\n", spark_file_change_get_kind (file),
                              spark_file_change_get_path (file),
                              spark_file_change_get_move_path (file) ? spark_file_change_get_move_path (file) : "-");
      for (guint h = 0; h < spark_file_change_get_n_hunks (file); h++)
        {
          SparkHunk *hunk = spark_file_change_get_hunk (file, h);

          g_string_append_printf (out, "hunk eof %d\n", spark_hunk_get_end_of_file (hunk));
          dump_lines (out, "@", spark_hunk_get_anchors (hunk));
          dump_lines (out, "-", spark_hunk_get_old_lines (hunk));
          dump_lines (out, "+", spark_hunk_get_new_lines (hunk));
        }
    }

  if (!ok)
    g_string_append_printf (out, "error %u %s\n", spark_patch_parser_get_error_line (parser),
                            error->message);

  return g_string_free (out, FALSE);
}

static char *
json_quote (const char *text,
            gsize       len)
{
  GString *out = g_string_new ("{\"input\":\"");

  for (gsize i = 0; i < len; i++)
    {
      guchar c = text[i];

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append (out, "\"}");

  return g_string_free (out, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autofree char *whole = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *pieces = NULL;
  gsize piece = size > 0 ? (data[0] % 13) + 2 : 1;

  whole = parse (text, size, MAX (size, 1), FALSE);
  bytes = parse (text, size, 1, FALSE);
  pieces = parse (text, size, piece, FALSE);

  if (strcmp (whole, bytes) != 0 || strcmp (whole, pieces) != 0)
    abort ();

  /* Text without NUL bytes and valid UTF-8 goes through the JSON form too. */
  if (memchr (text, '\0', size) == NULL && g_utf8_validate_len (text, size, NULL))
    {
      g_autofree char *args = json_quote (text, size);
      g_autofree char *via_json = parse (args, strlen (args), piece, TRUE);

      if (strcmp (whole, via_json) != 0)
        abort ();
    }

  return 0;
}
