/* spark-bench.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One figure of the speed suite (issue 7), printed as one JSON line so that
 * `build-aux/dev bench` can gather every benchmark's output into one table.
 *
 *   {"figure":"1","name":"cpu_per_token_ws","value":7.8,"unit":"us",
 *    "baseline":{"name":"HTTP+SSE","value":10.9},
 *    "target":{"op":"<=","value":5000},"meets":true,"note":"..."}
 *
 * Leave @baseline NULL when the figure has no baseline, and @target_op NULL
 * when it has no target. */
typedef struct
{
  const char *figure;          /* the figure number, "1" … "7" */
  const char *name;            /* a stable identifier, snake_case */
  double      value;
  const char *unit;
  const char *baseline;        /* what the person would otherwise have */
  double      baseline_value;
  const char *target_op;       /* "<=" or ">=" */
  double      target;
  const char *note;            /* conditions worth knowing, or NULL */
} SparkBenchFigure;

void   spark_bench_print       (const SparkBenchFigure *figure);

/* Resident set size of this process in MiB (from /proc/self/statm), or a
 * negative number when it cannot be read. */
double spark_bench_rss_mib     (void);

/* The @p quantile (0…1) of @n values; sorts @values in place. */
double spark_bench_quantile    (double                 *values,
                                gsize                   n,
                                double                  p);

G_END_DECLS
