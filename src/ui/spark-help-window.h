/* spark-help-window.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SPARK_TYPE_HELP_WINDOW (spark_help_window_get_type ())

G_DECLARE_FINAL_TYPE (SparkHelpWindow, spark_help_window, SPARK, HELP_WINDOW, AdwWindow)

SparkHelpWindow *spark_help_window_new          (GtkWindow       *parent);
void             spark_help_window_show_topic   (SparkHelpWindow *self,
                                                 const char      *topic_id);
const char      *spark_help_window_get_topic    (SparkHelpWindow *self);
/* The topic ids, in the order of the sidebar (static, NULL-terminated). */
const char * const *spark_help_window_list_topics (void);

G_END_DECLS
