/* spark-tool-call.h — one tool call the model made, from first delta to output.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "spark-agent-types.h"

G_BEGIN_DECLS

#define SPARK_TYPE_TOOL_CALL (spark_tool_call_get_type ())

/* The most apply_patch input Spark takes in one call. A model writes far
 * less in a turn (128,000 output tokens are about half a megabyte); what is
 * beyond this is not kept, and the call is refused (see
 * spark_tool_call_get_oversize()). */
#define SPARK_MAX_PATCH_SIZE ((gsize) 8 * 1024 * 1024)

G_DECLARE_FINAL_TYPE (SparkToolCall, spark_tool_call, SPARK, TOOL_CALL, GObject)

SparkToolCall     *spark_tool_call_new              (SparkToolCallKind  kind,
                                                     const char        *item_id,
                                                     const char        *call_id,
                                                     const char        *name);
SparkToolCallKind  spark_tool_call_get_kind         (SparkToolCall     *self);
const char        *spark_tool_call_get_item_id      (SparkToolCall     *self);
const char        *spark_tool_call_get_call_id      (SparkToolCall     *self);
const char        *spark_tool_call_get_name         (SparkToolCall     *self);
/* Raw input as the model sent it: function arguments (JSON text), custom tool
 * input (free text), or for apply_patch_call the operation as JSON. */
const char        *spark_tool_call_get_input        (SparkToolCall     *self);
/* For apply_patch, whichever wire form: the patch text decoded so far. */
const char        *spark_tool_call_get_patch_text   (SparkToolCall     *self);
gboolean           spark_tool_call_is_patch         (SparkToolCall     *self);
gboolean           spark_tool_call_is_complete      (SparkToolCall     *self);
/* 0, or how many bytes of patch the model sent when that was more than
 * SPARK_MAX_PATCH_SIZE. */
gsize              spark_tool_call_get_oversize     (SparkToolCall     *self);
SparkDecision      spark_tool_call_get_decision     (SparkToolCall     *self);
const char        *spark_tool_call_get_reason       (SparkToolCall     *self);
void               spark_tool_call_approve          (SparkToolCall     *self);
void               spark_tool_call_reject           (SparkToolCall     *self,
                                                     const char        *reason);
void               spark_tool_call_edit             (SparkToolCall     *self,
                                                     const char        *patch_text);
JsonObject        *spark_tool_call_dup_arguments    (SparkToolCall     *self,
                                                     GError           **error);
/* Why the call failed or was refused, for the person, in their language
 * (what the model is told says it in English), or %NULL. */
const char        *spark_tool_call_get_error_message (SparkToolCall    *self);

/* Used by the session while the item streams. */
void               _spark_tool_call_append_delta    (SparkToolCall     *self,
                                                     const char        *delta);
void               _spark_tool_call_complete        (SparkToolCall     *self,
                                                     JsonObject        *item);
/* Used by the tools and the approval policy. */
void               _spark_tool_call_set_error_message (SparkToolCall   *self,
                                                       const char      *message);

G_END_DECLS
