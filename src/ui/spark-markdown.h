/* spark-markdown.h — Markdown (CommonMark, via cmark) to Pango markup blocks.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A run of text the chat shows with one widget: Pango markup for a label, or
 * the plain text of a fenced code block for a source view. */
typedef struct
{
  gboolean  code;
  /* Pango markup (code == FALSE) or the code's text (code == TRUE). */
  char     *content;
  /* The fence's language ("c", "python"...), or NULL. */
  char     *language;
  /* The next item of a tight list: drawn close to the block before. */
  gboolean  tight;
} SparkMarkdownBlock;

void       spark_markdown_block_free  (SparkMarkdownBlock *block);
/* Parses @text (not necessarily finished: a streaming answer) and returns
 * its blocks in order (a GPtrArray of SparkMarkdownBlock). Text is escaped
 * with g_markup_escape_text; links become <a href>. */
GPtrArray *spark_markdown_render      (const char         *text,
                                       gssize              length);

G_END_DECLS
