/* spark-bench.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "spark-bench.h"

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint) (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_number (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.4g", value));
}

void
spark_bench_print (const SparkBenchFigure *figure)
{
  g_autoptr(GString) out = g_string_new ("{\"figure\":");

  g_return_if_fail (figure != NULL);
  g_return_if_fail (figure->name != NULL);

  append_json_string (out, figure->figure ? figure->figure : "");
  g_string_append (out, ",\"name\":");
  append_json_string (out, figure->name);
  g_string_append (out, ",\"value\":");
  append_number (out, figure->value);
  g_string_append (out, ",\"unit\":");
  append_json_string (out, figure->unit ? figure->unit : "");

  if (figure->baseline != NULL)
    {
      g_string_append (out, ",\"baseline\":{\"name\":");
      append_json_string (out, figure->baseline);
      g_string_append (out, ",\"value\":");
      append_number (out, figure->baseline_value);
      g_string_append (out, "}");
    }

  if (figure->target_op != NULL)
    {
      gboolean meets = g_str_equal (figure->target_op, ">=")
                       ? figure->value >= figure->target
                       : figure->value <= figure->target;

      g_string_append (out, ",\"target\":{\"op\":");
      append_json_string (out, figure->target_op);
      g_string_append (out, ",\"value\":");
      append_number (out, figure->target);
      g_string_append_printf (out, "},\"meets\":%s", meets ? "true" : "false");
    }

  if (figure->note != NULL)
    {
      g_string_append (out, ",\"note\":");
      append_json_string (out, figure->note);
    }

  g_string_append (out, "}\n");
  fputs (out->str, stdout);
  fflush (stdout);
}

double
spark_bench_rss_mib (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    return -1;
  if (sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return -1;

  return (double) resident * (double) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
spark_bench_quantile (double *values,
                      gsize   n,
                      double  p)
{
  gsize index;

  if (n == 0)
    return NAN;

  qsort (values, n, sizeof *values, compare_doubles);
  index = (gsize) ceil (p * (double) n);
  if (index > 0)
    index--;
  if (index >= n)
    index = n - 1;

  return values[index];
}
