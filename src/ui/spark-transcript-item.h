/* spark-transcript-item.h — one entry of the chat transcript.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SPARK_TRANSCRIPT_KIND_USER,
  SPARK_TRANSCRIPT_KIND_ASSISTANT,
  SPARK_TRANSCRIPT_KIND_REASONING,
  SPARK_TRANSCRIPT_KIND_TOOL_CALL,
  SPARK_TRANSCRIPT_KIND_ERROR,
  SPARK_TRANSCRIPT_KIND_NOTICE,
} SparkTranscriptKind;

#define SPARK_TYPE_TRANSCRIPT_KIND (spark_transcript_kind_get_type ())
GType spark_transcript_kind_get_type (void) G_GNUC_CONST;

#define SPARK_TYPE_TRANSCRIPT_ITEM (spark_transcript_item_get_type ())

G_DECLARE_FINAL_TYPE (SparkTranscriptItem, spark_transcript_item, SPARK, TRANSCRIPT_ITEM, GObject)

/*
 * Items are changed only through SparkTranscript, which says so with its
 * ::item-changed signal. "text" grows in place and is not notified per delta
 * (that would be thousands of notifications a second); "revision" grows with
 * every change, so a view can tell whether what it shows is current.
 */

SparkTranscriptItem *spark_transcript_item_new          (SparkTranscriptKind  kind,
                                                         const char          *text);
SparkTranscriptKind  spark_transcript_item_get_kind     (SparkTranscriptItem *self);
/* The text so far: the message, the reasoning summary, or a tool call's raw
 * input. Borrowed; valid until the next change. */
const char          *spark_transcript_item_get_text     (SparkTranscriptItem *self);
gsize                spark_transcript_item_get_length   (SparkTranscriptItem *self);
/* The id of the response item (msg_…, rs_…, fc_…), if any. */
const char          *spark_transcript_item_get_item_id  (SparkTranscriptItem *self);
const char          *spark_transcript_item_get_call_id  (SparkTranscriptItem *self);
/* Tool calls: the tool's name, a one-line summary, what the tool returned. */
const char          *spark_transcript_item_get_name     (SparkTranscriptItem *self);
const char          *spark_transcript_item_get_summary  (SparkTranscriptItem *self);
const char          *spark_transcript_item_get_output   (SparkTranscriptItem *self);
/* FALSE when a tool call's output says it failed. */
gboolean             spark_transcript_item_get_success  (SparkTranscriptItem *self);
gboolean             spark_transcript_item_get_streaming (SparkTranscriptItem *self);
guint                spark_transcript_item_get_revision (SparkTranscriptItem *self);

G_END_DECLS
