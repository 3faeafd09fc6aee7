/* fuzz-patch-match.c: libFuzzer target for locating and applying hunks.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a file's text, a NUL byte, then a patch. Every hunk of every
 * update is located in the text the way the changeset does it and the
 * located ones are applied. Checks: no crash, no leak, located ranges stay
 * inside the file and do not go backwards, and the result ends with a
 * newline unless it is empty.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spark-patch-match.h"
#include "spark-patch-parser.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  const char *nul = memchr (text, '\0', size);
  g_autoptr(GListModel) files = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_lines = 0;

  if (nul == NULL)
    return 0;

  lines = spark_patch_split_lines (text, nul - text, &n_lines);
  files = spark_patch_parse (nul + 1, size - (nul + 1 - text), NULL);
  if (files == NULL)
    return 0;

  for (guint f = 0; f < g_list_model_get_n_items (files); f++)
    {
      g_autoptr(SparkFileChange) file = g_list_model_get_item (files, f);
      g_autoptr(GArray) reps = g_array_new (FALSE, TRUE, sizeof (SparkReplacement));
      g_autofree char *out = NULL;
      guint cursor = 0;
      gsize len;

      for (guint h = 0; h < spark_file_change_get_n_hunks (file); h++)
        {
          SparkHunk *hunk = spark_file_change_get_hunk (file, h);
          SparkMatchLocation loc;
          SparkReplacement rep;
          guint before = cursor;
          const char * const *new_lines = spark_hunk_get_new_lines (hunk);

          if (!spark_patch_locate_hunk ((const char * const *) lines, n_lines, &cursor,
                                        spark_hunk_get_anchors (hunk),
                                        spark_hunk_get_old_lines (hunk),
                                        new_lines,
                                        spark_hunk_get_end_of_file (hunk),
                                        "fuzz", &loc, NULL))
            continue;

          if (loc.start + loc.length > n_lines || cursor < before || cursor > n_lines + 1)
            abort ();

          rep.start = loc.start;
          rep.length = loc.length;
          rep.new_lines = new_lines;
          rep.n_new = g_strv_length ((char **) new_lines);
          rep.n_new -= MIN (rep.n_new, loc.new_drop);
          g_array_append_val (reps, rep);
        }

      out = spark_patch_apply_replacements ((const char * const *) lines, n_lines,
                                            (SparkReplacement *) (void *) reps->data, reps->len, &len);
      if (len != strlen (out) || (len > 0 && out[len - 1] != '\n'))
        abort ();
    }

  return 0;
}
