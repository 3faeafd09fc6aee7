/* spark-chat-row.h — one row of the chat transcript.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-transcript-item.h"

G_BEGIN_DECLS

#define SPARK_TYPE_CHAT_ROW (spark_chat_row_get_type ())

G_DECLARE_FINAL_TYPE (SparkChatRow, spark_chat_row, SPARK, CHAT_ROW, GtkWidget)

/* Signals: review () — the "Review" button of an apply_patch row. */

GtkWidget           *spark_chat_row_new        (void);
SparkTranscriptItem *spark_chat_row_get_item   (SparkChatRow        *self);
/* Shows @item (NULL empties the row); rebuilds the children only when the
 * kind of item changes. */
void                 spark_chat_row_set_item   (SparkChatRow        *self,
                                                SparkTranscriptItem *item);
/* Brings the row up to date with its item; returns FALSE when nothing had
 * changed since the last update. */
gboolean             spark_chat_row_update     (SparkChatRow        *self);

G_END_DECLS
