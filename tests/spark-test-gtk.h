/* spark-test-gtk.h: helpers for the tests that open windows
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Renders @widget as it is on screen into $G_TEST_BUILDDIR/screenshots/@name
 * (a PNG), waiting for it to be mapped and drawn first. */
void       spark_test_save_screenshot              (GtkWidget      *widget,
                                                    const char     *name);
/* The same for @window with @popover (a surface of its own, which
 * spark_test_save_screenshot() leaves out) drawn on top where it shows. */
void       spark_test_save_screenshot_with_popover (GtkWindow      *window,
                                                    GtkPopover     *popover,
                                                    const char     *name);

typedef gboolean (*SparkTestMatch) (GtkWidget     *widget,
                                    gconstpointer  data);

/* Every widget of @type at or below @widget, depth first. */
GPtrArray *spark_test_find_all                     (GtkWidget      *widget,
                                                    GType           type);
/* The first widget at or below @widget, depth first, that @match says
 * yes to, or NULL. */
GtkWidget *spark_test_find_first                   (GtkWidget      *widget,
                                                    SparkTestMatch  match,
                                                    gconstpointer   data);
/* The first widget of @type at or below @widget, depth first, or NULL. */
GtkWidget *spark_test_find_widget                  (GtkWidget      *widget,
                                                    GType           type);
/* The first widget at or below @widget whose id in its .ui file is @id,
 * or NULL. */
GtkWidget *spark_test_find_by_id                   (GtkWidget      *widget,
                                                    const char     *id);

/* What AdwApplication does for the app: style.css on the default display. */
void       spark_test_load_css                     (void);
/* The start of a window test: accessible properties kept (GTK's test AT
 * context), gtk_test_init(), quiet debug logs, libadwaita and style.css. */
void       spark_test_init_gtk                     (int            *argc,
                                                    char         ***argv);

/* Iterates the main context for @msec milliseconds without blocking in it
 * (sleeping a millisecond whenever nothing is pending). */
void       spark_test_spin                         (guint           msec);
/* One step of SPARK_TEST_WAIT_UNTIL(): fails the test with @what once
 * @deadline (monotonic time) has passed, else iterates as spark_test_spin(). */
void       spark_test_wait_step                    (gint64          deadline,
                                                    const char     *what);

/* Iterates the main context until @cond holds, without blocking in it;
 * fails the test after 30 seconds. */
#define SPARK_TEST_WAIT_UNTIL(cond)                                        \
  G_STMT_START {                                                           \
    gint64 deadline_ = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;      \
    while (!(cond))                                                        \
      spark_test_wait_step (deadline_, #cond);                             \
  } G_STMT_END

G_END_DECLS
