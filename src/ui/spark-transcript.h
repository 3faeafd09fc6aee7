/* spark-transcript.h — what the chat pane shows, as a list model.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-session.h"
#include "spark-transcript-item.h"

G_BEGIN_DECLS

#define SPARK_TYPE_TRANSCRIPT (spark_transcript_get_type ())

G_DECLARE_FINAL_TYPE (SparkTranscript, spark_transcript, SPARK, TRANSCRIPT, GObject)

/*
 * A GListModel of SparkTranscriptItem, oldest first.
 *
 * Signals:
 *   item-changed (SparkTranscriptItem *item)
 *     an item's text, summary, output or streaming state changed. Emitted
 *     once per change, so up to thousands of times a second while a response
 *     streams: a view marks the item dirty and redraws it once per frame.
 *
 * Properties: "n-deltas" (read-only, not notified): how many text deltas were
 * appended, for tests and the latency meter.
 */

SparkTranscript     *spark_transcript_new                (void);

/* A finished item (a user message, an error, a notice...). Borrowed. */
SparkTranscriptItem *spark_transcript_append             (SparkTranscript     *self,
                                                          SparkTranscriptKind  kind,
                                                          const char          *text);
/* An empty streaming item that text deltas will grow; @item_id may be NULL.
 * Borrowed. */
SparkTranscriptItem *spark_transcript_begin              (SparkTranscript     *self,
                                                          SparkTranscriptKind  kind,
                                                          const char          *item_id);
SparkTranscriptItem *spark_transcript_begin_tool_call    (SparkTranscript     *self,
                                                          const char          *item_id,
                                                          const char          *call_id,
                                                          const char          *name);
/* Appends in place (GString growth): O(length of the delta). */
void                 spark_transcript_append_text        (SparkTranscript     *self,
                                                          SparkTranscriptItem *item,
                                                          const char          *delta,
                                                          gssize               length);
void                 spark_transcript_set_streaming      (SparkTranscript     *self,
                                                          SparkTranscriptItem *item,
                                                          gboolean             streaming);
void                 spark_transcript_set_summary        (SparkTranscript     *self,
                                                          SparkTranscriptItem *item,
                                                          const char          *summary);
void                 spark_transcript_set_output         (SparkTranscript     *self,
                                                          SparkTranscriptItem *item,
                                                          const char          *output,
                                                          gboolean             success);
void                 spark_transcript_remove             (SparkTranscript     *self,
                                                          SparkTranscriptItem *item);
void                 spark_transcript_clear              (SparkTranscript     *self);
/* The item of @kind with the response item id @item_id, or NULL. */
SparkTranscriptItem *spark_transcript_lookup             (SparkTranscript     *self,
                                                          SparkTranscriptKind  kind,
                                                          const char          *item_id);
/* The tool call item with @call_id, or NULL. */
SparkTranscriptItem *spark_transcript_lookup_call        (SparkTranscript     *self,
                                                          const char          *call_id);
guint                spark_transcript_get_n_deltas       (SparkTranscript     *self);

/* Fills the transcript from @session's signals from now on (NULL stops).
 * User messages are taken from the session's history when a turn starts
 * (and, for steering, at the next event). */
void                 spark_transcript_follow_session     (SparkTranscript     *self,
                                                          SparkSession        *session);
SparkSession        *spark_transcript_get_session        (SparkTranscript     *self);
/* Appends what @session's history already holds (a resumed session): the
 * messages, reasoning summaries and tool calls with their outputs. Call it
 * before following the session. */
void                 spark_transcript_load_history       (SparkTranscript     *self,
                                                          SparkSession        *session);

/* The one-line summary of a tool call: "read_file src/a.c",
 * "grep "foo" — 12 matches", "shell `make test`". @arguments is the call's
 * JSON arguments (may be NULL or partial), @output NULL until it ran. */
char                *spark_transcript_summarize_call     (const char          *name,
                                                          const char          *arguments,
                                                          const char          *output);
/* "apply_patch — 2 files, +10 −3" from the patch text so far. */
char                *spark_transcript_summarize_patch    (const char          *patch_text);

G_END_DECLS
