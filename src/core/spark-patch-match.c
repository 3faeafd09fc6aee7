/* spark-patch-match.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-patch-match"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-patch-match.h"
#include "spark-patch-parser.h"

char **
spark_patch_split_lines (const char *text,
                         gsize       length,
                         guint      *n_lines)
{
  GPtrArray *lines = g_ptr_array_new ();
  const char *p = text;
  const char *end = text + length;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);

      if (nl == NULL)
        {
          g_ptr_array_add (lines, g_strndup (p, end - p));
          break;
        }
      g_ptr_array_add (lines, g_strndup (p, nl - p));
      p = nl + 1;
    }

  if (n_lines != NULL)
    *n_lines = lines->len;
  g_ptr_array_add (lines, NULL);

  return (char **) g_ptr_array_free (lines, FALSE);
}

/* Whitespace as Rust's char::is_whitespace sees it, close enough: ASCII
 * blanks and the Unicode space separators. */
static gboolean
is_space_at (const char *p,
             const char *end,
             gsize      *len)
{
  gunichar c;

  if ((guchar) *p < 0x80)
    {
      *len = 1;
      return g_ascii_isspace (*p) || *p == '\v';
    }

  c = g_utf8_get_char_validated (p, end - p);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return FALSE;
  *len = g_utf8_next_char (p) - p;
  return g_unichar_isspace (c) || g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR;
}

static void
trim_range (const char  *s,
            gboolean     leading,
            const char **out_start,
            const char **out_end)
{
  const char *start = s;
  const char *end = s + strlen (s);
  gsize n;

  if (leading)
    {
      while (start < end && is_space_at (start, end, &n))
        start += n;
    }

  /* Trailing: walk back over whole characters. */
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);

      if (prev == NULL)
        prev = start;
      if (!is_space_at (prev, end, &n) || prev + n != end)
        break;
      end = prev;
    }

  *out_start = start;
  *out_end = end;
}

static gboolean
equal_trimmed (const char *a,
               const char *b,
               gboolean    leading)
{
  const char *as, *ae, *bs, *be;

  trim_range (a, leading, &as, &ae);
  trim_range (b, leading, &bs, &be);

  return (ae - as) == (be - bs) && memcmp (as, bs, ae - as) == 0;
}

static char *
normalise (const char *s)
{
  const char *start, *end;
  GString *out;

  trim_range (s, TRUE, &start, &end);
  out = g_string_sized_new (end - start);

  while (start < end)
    {
      gunichar c = g_utf8_get_char_validated (start, end - start);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_c (out, *start);
          start++;
          continue;
        }

      switch (c)
        {
        case 0x2010: case 0x2011: case 0x2012: case 0x2013:
        case 0x2014: case 0x2015: case 0x2212:
          g_string_append_c (out, '-');
          break;

        case 0x2018: case 0x2019: case 0x201A: case 0x201B:
          g_string_append_c (out, '\'');
          break;

        case 0x201C: case 0x201D: case 0x201E: case 0x201F:
          g_string_append_c (out, '"');
          break;

        case 0x00A0: case 0x2002: case 0x2003: case 0x2004: case 0x2005:
        case 0x2006: case 0x2007: case 0x2008: case 0x2009: case 0x200A:
        case 0x202F: case 0x205F: case 0x3000:
          g_string_append_c (out, ' ');
          break;

        default:
          g_string_append_unichar (out, c);
        }

      start = g_utf8_next_char (start);
    }

  return g_string_free (out, FALSE);
}

static gboolean
lines_equal (const char     *a,
             const char     *b,
             SparkMatchFuzz  fuzz)
{
  switch (fuzz)
    {
    case SPARK_MATCH_EXACT:
      return strcmp (a, b) == 0;

    case SPARK_MATCH_TRIM_END:
      return equal_trimmed (a, b, FALSE);

    case SPARK_MATCH_TRIM:
      return equal_trimmed (a, b, TRUE);

    case SPARK_MATCH_UNICODE:
      {
        g_autofree char *na = normalise (a);
        g_autofree char *nb = normalise (b);

        return strcmp (na, nb) == 0;
      }

    case SPARK_MATCH_NONE:
    default:
      g_assert_not_reached ();
    }
}

gboolean
spark_patch_seek (const char * const *lines,
                  guint               n_lines,
                  const char * const *pattern,
                  guint               n_pattern,
                  guint               start,
                  gboolean            eof,
                  guint              *found,
                  SparkMatchFuzz     *fuzz)
{
  static const SparkMatchFuzz levels[] = {
    SPARK_MATCH_EXACT, SPARK_MATCH_TRIM_END, SPARK_MATCH_TRIM, SPARK_MATCH_UNICODE,
  };
  guint search_start;
  guint last;

  if (n_pattern == 0)
    {
      *found = start;
      if (fuzz)
        *fuzz = SPARK_MATCH_EXACT;
      return TRUE;
    }

  if (n_pattern > n_lines)
    return FALSE;

  search_start = eof ? n_lines - n_pattern : start;
  last = n_lines - n_pattern;

  for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
    {
      g_autoptr(GPtrArray) norm_lines = NULL;
      g_autoptr(GPtrArray) norm_pattern = NULL;

      /* The Unicode pass compares normalised copies: make each once. */
      if (levels[l] == SPARK_MATCH_UNICODE)
        {
          norm_lines = g_ptr_array_new_full (n_lines - search_start, g_free);
          for (guint i = search_start; i < n_lines; i++)
            g_ptr_array_add (norm_lines, normalise (lines[i]));
          norm_pattern = g_ptr_array_new_full (n_pattern, g_free);
          for (guint j = 0; j < n_pattern; j++)
            g_ptr_array_add (norm_pattern, normalise (pattern[j]));
        }

      for (guint i = search_start; i <= last; i++)
        {
          guint j;

          for (j = 0; j < n_pattern; j++)
            {
              if (norm_lines != NULL)
                {
                  if (strcmp (g_ptr_array_index (norm_lines, i + j - search_start),
                              g_ptr_array_index (norm_pattern, j)) != 0)
                    break;
                }
              else if (!lines_equal (lines[i + j], pattern[j], levels[l]))
                break;
            }

          if (j == n_pattern)
            {
              *found = i;
              if (fuzz)
                *fuzz = levels[l];
              return TRUE;
            }
        }
    }

  return FALSE;
}

gboolean
spark_patch_locate_hunk (const char * const  *lines,
                         guint                n_lines,
                         guint               *cursor,
                         const char * const  *anchors,
                         const char * const  *old_lines,
                         const char * const  *new_lines,
                         gboolean             end_of_file,
                         const char          *path,
                         SparkMatchLocation  *location,
                         GError             **error)
{
  guint n_old = old_lines ? g_strv_length ((char **) old_lines) : 0;
  guint n_new = new_lines ? g_strv_length ((char **) new_lines) : 0;
  guint pos = *cursor;
  guint found = 0;
  SparkMatchFuzz fuzz = SPARK_MATCH_NONE;
  gboolean ok;

  memset (location, 0, sizeof *location);

  for (guint i = 0; anchors != NULL && anchors[i] != NULL; i++)
    {
      if (!spark_patch_seek (lines, n_lines, &anchors[i], 1, pos, FALSE, &found, NULL))
        {
          g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                       _("Failed to find context '%s' in %s"), anchors[i], path);
          return FALSE;
        }
      pos = found + 1;
    }

  if (n_old == 0)
    {
      /* A pure addition goes at the end of the file, before a final empty
       * line; the anchors only moved the cursor. */
      location->start = (n_lines > 0 && lines[n_lines - 1][0] == '\0') ? n_lines - 1 : n_lines;
      location->length = 0;
      location->fuzz = SPARK_MATCH_EXACT;
      *cursor = pos;
      return TRUE;
    }

  ok = spark_patch_seek (lines, n_lines, old_lines, n_old, pos, end_of_file, &found, &fuzz);

  /* A pattern ending in an empty line (the blank line before `*** End
   * Patch`, typically) is retried without it. */
  if (!ok && old_lines[n_old - 1][0] == '\0')
    {
      ok = spark_patch_seek (lines, n_lines, old_lines, n_old - 1, pos, end_of_file,
                             &found, &fuzz);
      if (ok)
        {
          n_old--;
          if (n_new > 0 && new_lines[n_new - 1][0] == '\0')
            location->new_drop = 1;
        }
    }

  if (!ok)
    {
      g_autofree char *joined = g_strjoinv ("\n", (char **) old_lines);

      g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                   _("Failed to find expected lines in %s:\n%s"), path, joined);
      return FALSE;
    }

  location->start = found;
  location->length = n_old;
  location->fuzz = fuzz;
  *cursor = found + n_old;

  return TRUE;
}

static int
compare_replacements (gconstpointer a,
                      gconstpointer b)
{
  const SparkReplacement *ra = a;
  const SparkReplacement *rb = b;

  return (ra->start > rb->start) - (ra->start < rb->start);
}

char *
spark_patch_apply_replacements (const char * const *lines,
                                guint               n_lines,
                                SparkReplacement   *replacements,
                                guint               n_replacements,
                                gsize              *length)
{
  g_autofree SparkReplacement *sorted = NULL;
  GString *out;
  guint pos = 0;

  sorted = g_memdup2 (replacements, sizeof (SparkReplacement) * n_replacements);
  /* g_qsort_with_data is a stable merge sort. */
  g_qsort_with_data (sorted, n_replacements, sizeof (SparkReplacement),
                     (GCompareDataFunc) compare_replacements, NULL);

  out = g_string_new (NULL);

  /* Applying last to first, as the reference does, is the same as walking
   * forward through non-overlapping replacements; equal starts keep their
   * order. */
  for (guint r = 0; r < n_replacements; r++)
    {
      const SparkReplacement *rep = &sorted[r];

      for (; pos < rep->start && pos < n_lines; pos++)
        {
          g_string_append (out, lines[pos]);
          g_string_append_c (out, '\n');
        }

      for (guint i = 0; i < rep->n_new; i++)
        {
          g_string_append (out, rep->new_lines[i]);
          g_string_append_c (out, '\n');
        }

      pos = MAX (pos, rep->start + rep->length);
    }

  for (; pos < n_lines; pos++)
    {
      g_string_append (out, lines[pos]);
      g_string_append_c (out, '\n');
    }

  /* The reference joins the lines with "\n" after adding an empty last line
   * unless there already is one: a result whose last line is empty does not
   * get a second newline. */
  if ((out->len == 1 && out->str[0] == '\n') ||
      (out->len >= 2 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n'))
    g_string_truncate (out, out->len - 1);

  if (length != NULL)
    *length = out->len;

  return g_string_free (out, FALSE);
}
