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
void spark_test_save_screenshot (GtkWidget  *widget,
                                 const char *name);

G_END_DECLS
