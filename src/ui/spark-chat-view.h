/* spark-chat-view.h — the chat pane: transcript, message box, model picker.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-project.h"
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
 * Attachments: while send, steer or queue is emitted, the getters below
 * return what goes with that message (the box is already cleared), so a
 * handler reads them there:
 *
 *   static void
 *   on_send (SparkChatView *view, const char *text, gpointer data)
 *   {
 *     g_auto(GStrv) files = spark_chat_view_dup_attachments (view);
 *     g_autofree char *attached = spark_chat_view_dup_attached_text (view);
 *     ...
 *   }
 *
 * Text attachments (chips) are removed once sent.
 *
 * Typing "@" and a few letters at the start of a word shows the project's
 * best matching files (see spark_chat_view_set_project()): Up and Down pick
 * one, Enter or Tab inserts "@path", Escape closes the popover.
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
/* The project whose files "@" completes (listed lazily, on the first "@"). */
void             spark_chat_view_set_project      (SparkChatView      *self,
                                                   SparkProject       *project);
/* Project-relative paths of the files mentioned as "@path" in the message
 * (or, during send/steer/queue, in the message being sent) that exist in the
 * project, in order, without duplicates. Never NULL. */
GStrv            spark_chat_view_dup_attachments  (SparkChatView      *self);
/* Attaches @text (the current file, a selection) as a removable chip above
 * the message box; @label names it ("src/main.c:10-24"). */
void             spark_chat_view_attach_text      (SparkChatView      *self,
                                                   const char         *label,
                                                   const char         *text);
/* The attached texts as Markdown ("label" then a fenced block, for each),
 * or NULL when nothing is attached. */
char            *spark_chat_view_dup_attached_text (SparkChatView     *self);
guint            spark_chat_view_get_n_attached_texts (SparkChatView  *self);
/* Whether the "@" completion popover shows. */
gboolean         spark_chat_view_get_completing   (SparkChatView      *self);

/* How many rows were redrawn by the frame clock (a debugging counter: a
 * streaming row is redrawn at most once a frame however many deltas came). */
guint            spark_chat_view_get_n_renders    (SparkChatView      *self);

G_END_DECLS
