/* spark-diff-buffer.h: what the review pane and the Changes page share to
 * show a hunk as a small diff
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

/* Hunks longer than this scroll inside their view. */
#define SPARK_DIFF_MAX_LINES 40

GtkSourceBuffer *spark_diff_buffer_new       (void);
void             spark_diff_buffer_set_text  (GtkSourceBuffer   *buffer,
                                              const char        *text);
/* Follows high contrast: call when AdwStyleManager:high-contrast changes. */
void             spark_diff_buffer_update_colors (GtkSourceBuffer   *buffer);
void             spark_diff_view_fit         (GtkTextView       *view,
                                              GtkScrolledWindow *scroller);

G_END_DECLS
