/* spark-latency-meter.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-session.h"

G_BEGIN_DECLS

#define SPARK_TYPE_LATENCY_METER (spark_latency_meter_get_type ())

G_DECLARE_FINAL_TYPE (SparkLatencyMeter, spark_latency_meter, SPARK, LATENCY_METER, GtkWidget)

/* A compact header-bar button for a SparkSession: the connection state as a
 * coloured dot and a word, the time to first token and tokens/s of the
 * current or last request, and a stall timer when a stream has been silent
 * for 2 s or more. Clicking it opens a popover with the request's timings
 * (request sent, first event, first token, first patch byte, completed),
 * its tokens, the context usage and the last few requests.
 *
 * While a response streams the figures are refreshed at most every 100 ms,
 * never once per delta; when it completes they are replaced by the
 * session's own SparkTurnTimings. */

SparkLatencyMeter *spark_latency_meter_new             (void);
SparkSession      *spark_latency_meter_get_session     (SparkLatencyMeter *self);
void               spark_latency_meter_set_session     (SparkLatencyMeter *self,
                                                        SparkSession      *session);
/* Milliseconds from request sent to the first token of the current request
 * (once a token arrived) or of the last completed one; -1 if none. */
double             spark_latency_meter_get_ttft_ms     (SparkLatencyMeter *self);
/* The translated word shown next to the dot ("Warm", "Streaming"...). */
const char        *spark_latency_meter_get_state_label (SparkLatencyMeter *self);
gboolean           spark_latency_meter_get_stalled     (SparkLatencyMeter *self);
/* The figures in one sentence, as given to assistive technologies. */
const char        *spark_latency_meter_get_summary     (SparkLatencyMeter *self);

G_END_DECLS
