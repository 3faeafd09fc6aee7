/* bench-large-file.c: a 50 MB file in the editor
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figure 5 of issue 7, against a plain GtkTextView of the same size in the
 * same run, the file read with g_file_get_contents() and put in its buffer
 * with one gtk_text_buffer_set_text():
 *   large_file_open     asked to open → the end of the first frame that
 *                       shows its text (median of the opens)
 *   large_file_scroll_p99 / _max
 *                       frame intervals while the view scrolls down a
 *                       page per frame through gtk_adjustment_set_value()
 * The file is C, a million lines of about 50 bytes.
 */

#include "config.h"

#include <gtk/gtk.h>

#include "spark-application.h"
#include "spark-bench.h"
#include "spark-bench-gtk.h"
#include "spark-editor-page.h"
#include "spark-window.h"

#define FILE_BYTES   (50 * 1000 * 1000)
#define N_OPENS      3
#define SCROLL_PAGES 150

static char *
make_file (const char *dir)
{
  g_autoptr(GString) text = g_string_sized_new (FILE_BYTES + 100);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "big.c", NULL);

  for (guint i = 0; text->len < FILE_BYTES; i++)
    {
      if (i % 20 == 0)
        g_string_append_printf (text, "/* Section %u: the values below. */\n", i / 20);
      g_string_append_printf (text, "static int value_%u = %u; /* line %u */\n", i, i * 7, i);
    }

  if (!g_file_set_contents (path, text->str, text->len, &error))
    g_error ("%s", error->message);

  return path;
}

/* Frames drawn with text --------------------------------------------------- */

typedef struct
{
  GtkTextView *view;
  gint64       shown;
} Shown;

static void
after_paint_cb (GdkFrameClock *clock,
                Shown         *shown)
{
  if (shown->shown == 0 && shown->view != NULL &&
      gtk_widget_get_mapped (GTK_WIDGET (shown->view)) &&
      gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (shown->view)) > 0)
    shown->shown = g_get_monotonic_time ();
}

/* Scrolls @view down a page at each frame; returns the frame intervals. */
typedef struct
{
  GtkAdjustment *adjustment;
  guint          pages;
} Scroll;

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  Scroll *scroll = data;

  if (scroll->pages == 0)
    return G_SOURCE_REMOVE;

  gtk_adjustment_set_value (scroll->adjustment,
                            gtk_adjustment_get_value (scroll->adjustment) +
                            gtk_adjustment_get_page_size (scroll->adjustment));
  scroll->pages--;
  return G_SOURCE_CONTINUE;
}

static GArray *
scroll_pages (GtkTextView *view)
{
  Scroll scroll = { gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view)), SCROLL_PAGES };
  SparkBenchFrames *frames = spark_bench_frames_start (GTK_WIDGET (view));

  gtk_widget_add_tick_callback (GTK_WIDGET (view), scroll_tick_cb, &scroll, NULL);
  SPARK_BENCH_WAIT_UNTIL (scroll.pages == 0, "the scrolling");
  spark_bench_iterate_ms (50);

  return spark_bench_frames_stop (frames);
}

/* Spark ------------------------------------------------------------------- */

static double
open_in_spark (SparkApplication *app,
               GFile            *folder,
               GFile            *file,
               GArray           *intervals)
{
  SparkWindow *window = spark_window_new (GTK_APPLICATION (app));
  SparkEditorPage *page;
  GdkFrameClock *clock;
  Shown shown = { 0 };
  gint64 start;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  spark_window_open_folder (window, folder);
  SPARK_BENCH_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)), "the window");
  spark_bench_iterate_ms (500);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &shown);

  start = g_get_monotonic_time ();
  page = spark_window_open_file (window, file);
  shown.view = GTK_TEXT_VIEW (spark_editor_page_get_view (page));
  SPARK_BENCH_WAIT_UNTIL (shown.shown != 0, "the text to show");
  g_signal_handlers_disconnect_by_data (clock, &shown);
  if (spark_editor_page_get_error_message (page) != NULL)
    g_error ("Spark refused the file: %s", spark_editor_page_get_error_message (page));

  if (intervals != NULL)
    {
      g_autoptr(GArray) frames = NULL;

      spark_bench_iterate_ms (300);
      frames = scroll_pages (shown.view);
      g_array_append_vals (intervals, frames->data, frames->len);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  spark_bench_iterate_ms (300);

  return (shown.shown - start) / 1000.0;
}

/* A plain GtkTextView ------------------------------------------------------- */

static double
open_in_text_view (GFile  *file,
                   GArray *intervals)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GdkFrameClock *clock;
  Shown shown = { GTK_TEXT_VIEW (view), 0 };
  gsize length;
  gint64 start;

  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  SPARK_BENCH_WAIT_UNTIL (gtk_widget_get_mapped (window), "the window");
  spark_bench_iterate_ms (500);

  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &shown);

  start = g_get_monotonic_time ();
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &error))
    g_error ("%s", error->message);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), contents, length);
  SPARK_BENCH_WAIT_UNTIL (shown.shown != 0, "the text to show");
  g_signal_handlers_disconnect_by_data (clock, &shown);

  if (intervals != NULL)
    {
      g_autoptr(GArray) frames = NULL;

      spark_bench_iterate_ms (300);
      frames = scroll_pages (GTK_TEXT_VIEW (view));
      g_array_append_vals (intervals, frames->data, frames->len);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  spark_bench_iterate_ms (300);

  return (shown.shown - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SparkApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *path = make_file (dir);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GArray) spark_frames = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) plain_frames = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *note = NULL;
  g_autofree char *scroll_note = NULL;
  double spark_open[N_OPENS], plain_open[N_OPENS];
  const char *baseline = "GtkTextView, one set_text";

  gtk_init ();
  spark_test_quiet_logs ();

  app = spark_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_OPENS; i++)
    {
      /* Scroll once, after the first opening of each. */
      plain_open[i] = open_in_text_view (file, i == 0 ? plain_frames : NULL);
      spark_open[i] = open_in_spark (app, folder, file, i == 0 ? spark_frames : NULL);
    }

  note = g_strdup_printf ("%d MB of C, median of %u opens", FILE_BYTES / 1000000, N_OPENS);
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "5", .name = "large_file_open", .unit = "ms",
    .value = spark_bench_quantile (spark_open, N_OPENS, 0.5),
    .baseline = baseline, .baseline_value = spark_bench_quantile (plain_open, N_OPENS, 0.5),
    .note = note });

  scroll_note = g_strdup_printf ("a page a frame through gtk_adjustment_set_value(), %u pages "
                                 "(%u frames; baseline %u)", SCROLL_PAGES, spark_frames->len,
                                 plain_frames->len);
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "5", .name = "large_file_scroll_p50", .unit = "ms",
    .value = spark_bench_quantile ((double *) spark_frames->data, spark_frames->len, 0.5),
    .baseline = baseline,
    .baseline_value = spark_bench_quantile ((double *) plain_frames->data, plain_frames->len, 0.5),
    .note = scroll_note });
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "5", .name = "large_file_scroll_p99", .unit = "ms",
    .value = spark_bench_quantile ((double *) spark_frames->data, spark_frames->len, 0.99),
    .baseline = baseline,
    .baseline_value = spark_bench_quantile ((double *) plain_frames->data, plain_frames->len, 0.99),
    .note = scroll_note });
  spark_bench_print (&(SparkBenchFigure) {
    .figure = "5", .name = "large_file_scroll_max", .unit = "ms",
    .value = spark_bench_quantile ((double *) spark_frames->data, spark_frames->len, 1.0),
    .baseline = baseline,
    .baseline_value = spark_bench_quantile ((double *) plain_frames->data, plain_frames->len, 1.0),
    .note = scroll_note });

  spark_test_rm_rf (dir);

  return 0;
}
