/* spark-turn-timings.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spark-turn-timings.h"

G_DEFINE_BOXED_TYPE (SparkTurnTimings, spark_turn_timings,
                     spark_turn_timings_copy, spark_turn_timings_free)

SparkTurnTimings *
spark_turn_timings_new (void)
{
  return g_new0 (SparkTurnTimings, 1);
}

SparkTurnTimings *
spark_turn_timings_copy (const SparkTurnTimings *self)
{
  SparkTurnTimings *copy = g_memdup2 (self, sizeof *self);

  copy->transport = g_strdup (self->transport);
  return copy;
}

void
spark_turn_timings_free (SparkTurnTimings *self)
{
  if (self == NULL)
    return;
  g_free (self->transport);
  g_free (self);
}

double
spark_turn_timings_get_tokens_per_second (const SparkTurnTimings *self)
{
  gint64 start = self->first_event ? self->first_event : self->request_sent;

  if (self->completed <= start || self->output_tokens <= 0)
    return 0.0;

  return self->output_tokens / ((self->completed - start) / (double) G_USEC_PER_SEC);
}

double
spark_turn_timings_ms_since_sent (const SparkTurnTimings *self,
                                  gint64                  when)
{
  if (when == 0 || self->request_sent == 0)
    return -1.0;
  return (when - self->request_sent) / 1000.0;
}
