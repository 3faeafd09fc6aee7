/* spark-window.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "spark-assistant.h"
#include "spark-chat-view.h"
#include "spark-editor-page.h"
#include "spark-file-tree.h"
#include "spark-project.h"
#include "spark-review-view.h"

G_BEGIN_DECLS

#define SPARK_TYPE_WINDOW (spark_window_get_type ())

G_DECLARE_FINAL_TYPE (SparkWindow, spark_window, SPARK, WINDOW, AdwApplicationWindow)

SparkWindow     *spark_window_new             (GtkApplication *application);
void             spark_window_open_folder     (SparkWindow    *self,
                                               GFile          *folder);
SparkProject    *spark_window_get_project     (SparkWindow    *self);
SparkAssistant  *spark_window_get_assistant   (SparkWindow    *self);
gboolean         spark_window_apply_proposal  (SparkWindow    *self);
SparkEditorPage *spark_window_open_file       (SparkWindow    *self,
                                               GFile          *file);
SparkEditorPage *spark_window_get_current_page (SparkWindow   *self);
SparkFileTree   *spark_window_get_file_tree   (SparkWindow    *self);
AdwTabView      *spark_window_get_tab_view    (SparkWindow    *self);
SparkReviewView *spark_window_get_review_view (SparkWindow    *self);
SparkChatView   *spark_window_get_chat_view   (SparkWindow    *self);
void             spark_window_show_toast      (SparkWindow    *self,
                                               const char     *message);

G_END_DECLS
