/* spark-turn-timings.h — what one request cost, for the latency meter.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SPARK_TYPE_TURN_TIMINGS (spark_turn_timings_get_type ())

/* Monotonic times in µs (g_get_monotonic_time()); 0 = did not happen. */
typedef struct
{
  gint64 request_sent;
  gint64 first_event;
  gint64 first_text;
  gint64 first_patch_byte;
  gint64 completed;
  gint64 input_tokens;
  gint64 cached_tokens;
  gint64 output_tokens;
  guint  deltas;
  guint  attempt;          /* 1 for the first try, more after reconnects */
  gboolean continuation;   /* sent with previous_response_id */
  char  *transport;        /* "websocket", "http" or "chat" */
} SparkTurnTimings;

GType             spark_turn_timings_get_type          (void) G_GNUC_CONST;
SparkTurnTimings *spark_turn_timings_new               (void);
SparkTurnTimings *spark_turn_timings_copy              (const SparkTurnTimings *self);
void              spark_turn_timings_free              (SparkTurnTimings       *self);
double            spark_turn_timings_get_tokens_per_second (const SparkTurnTimings *self);
/* Milliseconds from request sent to @when, or -1. */
double            spark_turn_timings_ms_since_sent     (const SparkTurnTimings *self,
                                                        gint64                  when);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkTurnTimings, spark_turn_timings_free)

G_END_DECLS
