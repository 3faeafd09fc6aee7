/* spark-bench-streams.h: long Responses API streams for the benchmarks
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A Markdown answer (headings, paragraphs, lists, C code blocks) of
 * exactly @n_bytes bytes of ASCII. */
char    *spark_bench_markdown       (gsize        n_bytes);

/* The text of file src/file-NN.c: @n_lines lines of C. */
char    *spark_bench_file_text      (guint        file,
                                     guint        n_lines);

/* An apply_patch patch with @n_hunks hunks of 11 lines (3 of context, 2
 * out, 3 in, 3 of context), evenly spread, in each of @n_files files made
 * by spark_bench_file_text() with @n_lines lines. */
char    *spark_bench_patch          (guint        n_files,
                                     guint        n_hunks,
                                     guint        n_lines);

/* A whole response as JSONL for the fake server: a message streaming @text
 * in deltas of @chunk bytes, then, when @patch is not NULL, an apply_patch
 * custom tool call streaming @patch in deltas of @chunk bytes. *@n_deltas
 * is set to the number of delta events. */
char    *spark_bench_response       (const char  *text,
                                     const char  *patch,
                                     gsize        chunk,
                                     guint       *n_deltas);

G_END_DECLS
