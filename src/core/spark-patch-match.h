/* spark-patch-match.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "spark-hunk.h"

G_BEGIN_DECLS

/* Locating hunks in a file, exactly as the reference client does
 * (protocol.md §2.3): anchors first, then the old lines with four passes of
 * increasing fuzz, `*** End of File` pinning the match to the file's tail,
 * and pure additions placed at the end of the file. */

typedef struct
{
  guint          start;     /* index (from 0) of the first replaced line */
  guint          length;    /* lines replaced; 0 for a pure addition */
  guint          new_drop;  /* trailing new lines to drop (empty-line retry) */
  SparkMatchFuzz fuzz;
} SparkMatchLocation;

/* Splits @text on "\n" and drops the final empty element, as the reference
 * does: "a\nb\n" gives {"a", "b"}, "a\nb" too, "" gives {}. */
char     **spark_patch_split_lines  (const char          *text,
                                     gsize                length,
                                     guint               *n_lines);

/* Finds @pattern at or after @start, trying each fuzz level over the whole
 * range before the next. With @eof the search starts at the file's tail. An
 * empty pattern matches at @start. */
gboolean   spark_patch_seek         (const char * const  *lines,
                                     guint                n_lines,
                                     const char * const  *pattern,
                                     guint                n_pattern,
                                     guint                start,
                                     gboolean             eof,
                                     guint               *found,
                                     SparkMatchFuzz      *fuzz);

/* Locates one hunk, starting at *@cursor, and advances *@cursor past it.
 * On failure returns FALSE and sets @error (SPARK_PATCH_ERROR_CONFLICT) to a
 * message naming @path and the anchor or lines not found. */
gboolean   spark_patch_locate_hunk  (const char * const  *lines,
                                     guint                n_lines,
                                     guint               *cursor,
                                     const char * const  *anchors,
                                     const char * const  *old_lines,
                                     const char * const  *new_lines,
                                     gboolean             end_of_file,
                                     const char          *path,
                                     SparkMatchLocation  *location,
                                     GError             **error);

/* One located change: @length lines at @start become @new_lines. */
typedef struct
{
  guint               start;
  guint               length;
  const char * const *new_lines;
  guint               n_new;
} SparkReplacement;

/* Applies @replacements (any order; sorted stably by start, applied last to
 * first) to @lines and joins the result with "\n", ending in "\n" as the
 * reference does. */
char      *spark_patch_apply_replacements (const char * const *lines,
                                           guint               n_lines,
                                           SparkReplacement   *replacements,
                                           guint               n_replacements,
                                           gsize              *length);

G_END_DECLS
