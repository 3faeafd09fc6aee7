/* spark-delta.h — a streaming delta event read without a JSON tree.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-responses.h"

G_BEGIN_DECLS

/* Most of a response is deltas, one small event per token:
 *
 *   {"type":"response.output_text.delta","sequence_number":12,
 *    "item_id":"msg_1","output_index":0,"content_index":0,
 *    "delta":" the","logprobs":[]}
 *
 * Building a json-glib tree for each cost ten times more than everything
 * else the client does with it. spark_delta_scan() reads such an event in
 * one pass. It accepts only a flat object (string, number, true, false,
 * null or empty-array members) whose "type" is one of the four delta kinds
 * and that has a "delta" string; anything else (nested members, a repeated
 * key, a surrogate escape, bad JSON...) returns FALSE, and the caller parses
 * the event in full, so odd input gets exactly the old handling. What it
 * accepts, json-glib would parse to the same type, item_id and delta. */
typedef struct
{
  SparkEventKind  kind;
  GString        *item_id;       /* decoded; valid when has_item_id */
  GString        *delta;         /* decoded */
  gint64          sequence;      /* sequence_number, or -1 without one */
  gboolean        has_item_id;
  gboolean        item_id_raw;   /* item_id is also its JSON text: no escapes */
} SparkDelta;

void      spark_delta_init   (SparkDelta *delta);
void      spark_delta_clear  (SparkDelta *delta);
gboolean  spark_delta_scan   (SparkDelta *delta,
                              const char *text,
                              gsize       length);
/* The event type of a delta kind, "response.output_text.delta"... */
const char *spark_delta_kind_type (SparkEventKind kind);

G_END_DECLS
