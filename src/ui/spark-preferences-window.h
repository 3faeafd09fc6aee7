/* spark-preferences-window.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SPARK_TYPE_PREFERENCES_WINDOW (spark_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SparkPreferencesWindow, spark_preferences_window, SPARK, PREFERENCES_WINDOW, AdwPreferencesWindow)

SparkPreferencesWindow *spark_preferences_window_new (GtkWindow *parent);

G_END_DECLS
