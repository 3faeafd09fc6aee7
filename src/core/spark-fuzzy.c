/* spark-fuzzy.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-fuzzy"

#include "config.h"

#include <string.h>

#include "spark-fuzzy.h"

static inline gboolean
is_boundary (const char *path,
             const char *p)
{
  char prev;

  if (p == path)
    return TRUE;

  prev = p[-1];
  if (prev == '/' || prev == '_' || prev == '-' || prev == '.' || prev == ' ')
    return TRUE;

  /* camelCase */
  return g_ascii_islower (prev) && g_ascii_isupper (*p);
}

/**
 * spark_fuzzy_match:
 * @query: what the person typed (spaces are ignored)
 * @path: a project-relative path
 * @score: (out): higher is better
 *
 * Matches @query as a case-insensitive subsequence of @path, the way
 * quick-open dialogs do. Matches in the file name, at word starts and in
 * runs score higher; long paths score lower.
 *
 * Returns: whether every character of @query was found in order
 */
gboolean
spark_fuzzy_match (const char *query,
                   const char *path,
                   int        *score)
{
  const char *basename;
  const char *p = path;
  const char *last = NULL;
  int total = 0;

  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  basename = strrchr (path, '/');
  basename = basename ? basename + 1 : path;

  for (const char *q = query; *q; q++)
    {
      char c = g_ascii_tolower (*q);

      if (c == ' ')
        continue;

      while (*p && g_ascii_tolower (*p) != c)
        p++;

      if (*p == '\0')
        return FALSE;

      total += 1;
      if (p >= basename)
        total += 4;
      if (is_boundary (path, p))
        total += 8;
      if (last != NULL && p == last + 1)
        total += 6;

      last = p;
      p++;
    }

  /* Prefer the whole query inside the file name, then shorter paths. */
  if (strstr (basename, query) != NULL)
    total += 20;

  total -= (int) MIN (strlen (path), 200) / 4;

  if (score != NULL)
    *score = total;

  return TRUE;
}
