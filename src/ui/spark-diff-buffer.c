/* spark-diff-buffer.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-diff-buffer"

#include "config.h"

#include <adwaita.h>

#include "spark-diff-buffer.h"

/**
 * spark_diff_buffer_new:
 *
 * Returns: (transfer full): a buffer with the "diff" language and the
 *   "added" / "removed" line backgrounds
 */
GtkSourceBuffer *
spark_diff_buffer_new (void)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkSourceBuffer *buffer = gtk_source_buffer_new (NULL);

  gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (languages, "diff"));
  gtk_source_buffer_set_highlight_matching_brackets (buffer, FALSE);
  gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (buffer), "added", NULL);
  gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (buffer), "removed", NULL);
  spark_diff_buffer_update_colors (buffer);

  return buffer;
}

/**
 * spark_diff_buffer_update_colors:
 *
 * Tints the added and removed lines: lightly, or twice as strongly in high
 * contrast, where a faint tint would be lost. The hues are libadwaita's
 * success and error colours.
 */
void
spark_diff_buffer_update_colors (GtkSourceBuffer *buffer)
{
  GtkTextTagTable *table;
  gboolean high_contrast;

  g_return_if_fail (GTK_SOURCE_IS_BUFFER (buffer));

  table = gtk_text_buffer_get_tag_table (GTK_TEXT_BUFFER (buffer));
  high_contrast = adw_style_manager_get_high_contrast (adw_style_manager_get_default ());
  g_object_set (gtk_text_tag_table_lookup (table, "added"), "paragraph-background-rgba",
                &(GdkRGBA) { 0.18, 0.76, 0.49, high_contrast ? 0.32 : 0.16 }, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "removed"), "paragraph-background-rgba",
                &(GdkRGBA) { 0.88, 0.11, 0.14, high_contrast ? 0.26 : 0.13 }, NULL);
}

/* Sets " ctx" / "-old" / "+new" lines and gives + and - lines their
 * background. */
void
spark_diff_buffer_set_text (GtkSourceBuffer *buffer,
                            const char      *text)
{
  GtkTextBuffer *text_buffer = GTK_TEXT_BUFFER (buffer);
  GtkTextIter iter, end;

  g_return_if_fail (GTK_SOURCE_IS_BUFFER (buffer));

  gtk_text_buffer_set_text (text_buffer, text ? text : "", -1);

  gtk_text_buffer_get_start_iter (text_buffer, &iter);
  do
    {
      gunichar c = gtk_text_iter_get_char (&iter);
      const char *tag = c == '+' ? "added" : c == '-' ? "removed" : NULL;

      if (tag != NULL)
        {
          end = iter;
          if (!gtk_text_iter_ends_line (&end))
            gtk_text_iter_forward_to_line_end (&end);
          gtk_text_buffer_apply_tag_by_name (text_buffer, tag, &iter, &end);
        }
    }
  while (gtk_text_iter_forward_line (&iter));
}

/* A text view knows its height only once its lines are laid out, later;
 * size the diff from the font instead so a row has its height at once.
 * Only long hunks scroll: a vertical scrollbar, even an overlay one, sets a
 * minimum height of its own. */
void
spark_diff_view_fit (GtkTextView       *view,
                     GtkScrolledWindow *scroller)
{
  g_autoptr(PangoLayout) layout = NULL;
  int n_lines = gtk_text_buffer_get_line_count (gtk_text_view_get_buffer (view));
  int line_height = 0;
  int margins;

  g_return_if_fail (GTK_IS_TEXT_VIEW (view));
  g_return_if_fail (GTK_IS_SCROLLED_WINDOW (scroller));

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (view), "Xg");
  pango_layout_get_pixel_size (layout, NULL, &line_height);
  margins = gtk_text_view_get_top_margin (view) + gtk_text_view_get_bottom_margin (view);

  gtk_scrolled_window_set_policy (scroller, GTK_POLICY_NEVER,
                                  n_lines > SPARK_DIFF_MAX_LINES ? GTK_POLICY_AUTOMATIC : GTK_POLICY_NEVER);
  gtk_widget_set_size_request (GTK_WIDGET (scroller), -1,
                               MIN (n_lines, SPARK_DIFF_MAX_LINES) * line_height + margins);
}
