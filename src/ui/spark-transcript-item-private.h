/* spark-transcript-item-private.h — the setters SparkTranscript uses.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-transcript-item.h"

G_BEGIN_DECLS

void _spark_transcript_item_append_text (SparkTranscriptItem *self,
                                         const char          *text,
                                         gssize               length);
void _spark_transcript_item_set_text    (SparkTranscriptItem *self,
                                         const char          *text);
void _spark_transcript_item_set_ids     (SparkTranscriptItem *self,
                                         const char          *item_id,
                                         const char          *call_id);
void _spark_transcript_item_set_name    (SparkTranscriptItem *self,
                                         const char          *name);
void _spark_transcript_item_set_summary (SparkTranscriptItem *self,
                                         const char          *summary);
void _spark_transcript_item_set_output  (SparkTranscriptItem *self,
                                         const char          *output,
                                         gboolean             success);
void _spark_transcript_item_set_streaming (SparkTranscriptItem *self,
                                           gboolean             streaming);

G_END_DECLS
