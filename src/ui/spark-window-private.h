/* spark-window-private.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-changes-view.h"
#include "spark-chat-view.h"
#include "spark-latency-meter.h"
#include "spark-session-list.h"
#include "spark-window.h"

G_BEGIN_DECLS

/* SparkWindow is split like GNOME Text Editor's window: spark-window.c has
 * the project, tabs, sizes and closing; spark-window-turn.c has the model's
 * turn (chat, review, apply, undo, commands). They share this struct. */
struct _SparkWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  SparkProject         *project;
  SparkAssistant       *assistant;
  SparkTranscript      *transcript;
  char                 *redo_checkpoint;   /* recorded by the last Undo Apply */
  guint                 restoring : 1;
  guint                 changes_stale : 1;   /* the Changes page needs a read */
  GCancellable         *cancellable;
  gulong                max_position_handler;
  guint                 name_tabs_source;

  char                 *last_apply_report; /* prefills the commit message */

  /* Template children */
  SparkChangesView     *changes_view;
  SparkChatView        *chat_view;
  GtkListBox           *checkpoint_list;
  GtkPopover           *checkpoints_popover;
  GtkWidget            *editor_stack;
  SparkFileTree        *file_tree;
  GtkPaned             *inner_paned;
  SparkLatencyMeter    *latency_meter;
  SparkSessionList     *session_list;
  GtkPopover           *sessions_popover;
  GtkStack             *main_stack;
  GtkPaned             *outer_paned;
  GtkListBox           *recent_list;
  GtkWidget            *recent_box;
  SparkReviewView      *review_view;
  GtkWidget            *side_area;
  AdwViewStack         *side_stack;
  GtkWidget            *tab_bar;
  AdwTabView           *tab_view;
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;

  guint                 file_tree_visible : 1;
  guint                 side_area_visible : 1;
  guint                 close_confirmed : 1;
  guint                 closing : 1;
};

void _spark_window_class_init_turn  (GtkWidgetClass *widget_class);
void _spark_window_init_turn        (SparkWindow    *self);
void _spark_window_attach_assistant (SparkWindow    *self);

G_END_DECLS
