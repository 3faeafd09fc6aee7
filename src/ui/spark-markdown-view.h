/* spark-markdown-view.h — shows Markdown as labels and source views.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SPARK_TYPE_MARKDOWN_VIEW (spark_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (SparkMarkdownView, spark_markdown_view, SPARK, MARKDOWN_VIEW, GtkWidget)

GtkWidget  *spark_markdown_view_new            (void);
/* Re-renders from @text, touching only the blocks that changed: a code block
 * that only grew gets the new text appended. */
void        spark_markdown_view_set_markdown   (SparkMarkdownView *self,
                                                const char        *text,
                                                gssize             length);
/* How many labels and code buffers were updated so far (a debugging and
 * testing counter). */
guint       spark_markdown_view_get_n_updates  (SparkMarkdownView *self);

G_END_DECLS
