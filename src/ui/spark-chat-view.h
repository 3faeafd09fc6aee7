/* spark-chat-view.h — the chat pane: transcript, message box, model picker.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-transcript.h"

G_BEGIN_DECLS

#define SPARK_TYPE_CHAT_VIEW (spark_chat_view_get_type ())

G_DECLARE_FINAL_TYPE (SparkChatView, spark_chat_view, SPARK, CHAT_VIEW, GtkWidget)

/*
 * Signals:
 *   send  (const char *text)   Enter or the Send button
 *   steer (const char *text)   Ctrl+Enter while busy
 *   queue (const char *text)   Alt+Enter while busy
 *   stop  ()                   the Stop button or Escape while busy
 *   review (const char *call_id)  "Review" on an apply_patch row: show
 *                                 that call's changes in the review pane
 * The message box is cleared after each of the first three.
 *
 * Actions: chat.send, chat.stop, chat.focus-message.
 */

GtkWidget       *spark_chat_view_new              (void);
SparkTranscript *spark_chat_view_get_transcript   (SparkChatView      *self);
void             spark_chat_view_set_transcript   (SparkChatView      *self,
                                                   SparkTranscript    *transcript);
gboolean         spark_chat_view_get_busy         (SparkChatView      *self);
void             spark_chat_view_set_busy         (SparkChatView      *self,
                                                   gboolean            busy);
/* The model picked in the drop-down (a model id). */
const char      *spark_chat_view_get_model        (SparkChatView      *self);
void             spark_chat_view_set_model        (SparkChatView      *self,
                                                   const char         *model);
/* Fills the model picker; the current model stays picked (and listed). */
void             spark_chat_view_set_models       (SparkChatView      *self,
                                                   const char * const *ids);
/* A setup message above the transcript (Pango markup), or NULL to hide it. */
void             spark_chat_view_set_notice       (SparkChatView      *self,
                                                   const char         *markup_or_null);
/* The text in the message box (newly allocated) and a way to set it. */
char            *spark_chat_view_dup_message      (SparkChatView      *self);
void             spark_chat_view_set_message      (SparkChatView      *self,
                                                   const char         *text);
/* Whether the transcript keeps scrolling to the end as text streams: TRUE
 * until the person scrolls up, again once they scroll back to the end. */
gboolean         spark_chat_view_get_following    (SparkChatView      *self);

/* What the message box does with a key press (GTK 4.8 cannot synthesize key
 * events, so tests call this directly). Returns TRUE when it handled it. */
gboolean         spark_chat_view_handle_key       (SparkChatView      *self,
                                                   guint               keyval,
                                                   GdkModifierType     state);
/* How many rows were redrawn by the frame clock (a debugging counter: a
 * streaming row is redrawn at most once a frame however many deltas came). */
guint            spark_chat_view_get_n_renders    (SparkChatView      *self);

G_END_DECLS
