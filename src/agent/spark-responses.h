/* spark-responses.h — Responses API request builder and event parser.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "spark-agent-types.h"

G_BEGIN_DECLS

typedef enum
{
  SPARK_EVENT_UNKNOWN,
  SPARK_EVENT_CREATED,
  SPARK_EVENT_IN_PROGRESS,
  SPARK_EVENT_OUTPUT_ITEM_ADDED,
  SPARK_EVENT_OUTPUT_ITEM_DONE,
  SPARK_EVENT_OUTPUT_TEXT_DELTA,
  SPARK_EVENT_REASONING_SUMMARY_DELTA,
  SPARK_EVENT_FUNCTION_ARGUMENTS_DELTA,
  SPARK_EVENT_CUSTOM_INPUT_DELTA,
  SPARK_EVENT_COMPLETED,
  SPARK_EVENT_FAILED,
  SPARK_EVENT_INCOMPLETE,
  SPARK_EVENT_ERROR,
  SPARK_EVENT_STEER_ACCEPTED,
  SPARK_EVENT_STEER_PENDING,
  SPARK_EVENT_STEER_FAILED,
} SparkEventKind;

/* Frames larger than this are refused (the libsoup default of 128 KiB is far
 * too small for completed responses carrying whole patches). */
#define SPARK_MAX_FRAME_SIZE ((guint64) 64 * 1024 * 1024)

/* Deeper JSON is refused before it is parsed (see spark_json_check_text()). */
#define SPARK_JSON_MAX_DEPTH 128

gboolean        spark_json_check_text              (const char    *text,
                                                    gsize          length,
                                                    GError       **error);
/* json-glib's parser behind spark_json_check_text(): for any JSON text that
 * came from the network or the model. */
gboolean        spark_text_is_utf8                 (const char    *text,
                                                    gsize          length);
JsonNode       *spark_json_parse                   (const char    *text,
                                                    gssize         length,
                                                    GError       **error);
JsonObject     *spark_json_parse_object            (const char    *text,
                                                    gssize         length,
                                                    GError       **error);
JsonObject     *spark_responses_parse_event        (const char    *text,
                                                    gsize          length,
                                                    GError       **error);
SparkEventKind  spark_responses_event_kind         (JsonObject    *event);
gboolean        spark_responses_check_sequence     (JsonObject    *event,
                                                    gint64        *last,
                                                    GError       **error);
gboolean        spark_responses_check_sequence_number (gint64      sequence,
                                                       const char *type,
                                                       gint64     *last,
                                                       GError    **error);
gboolean        spark_responses_kind_is_terminal   (SparkEventKind kind);
GError         *spark_responses_error_from_event   (JsonObject    *event);
char           *spark_responses_to_string          (JsonObject    *object);
char           *spark_responses_snippet            (const char    *text,
                                                    gsize          length);
/* Whether JSON @text holds a string with a \u0000 escape. json-glib cuts
 * such a string at the NUL, silently: "a\u0000/../x" would read as "a". */
gboolean        spark_json_has_nul_escape          (const char    *text,
                                                    gssize         length);
const char     *spark_json_get_string              (JsonObject    *object,
                                                    const char    *member);
JsonObject     *spark_json_get_object              (JsonObject    *object,
                                                    const char    *member);
JsonArray      *spark_json_get_array               (JsonObject    *object,
                                                    const char    *member);
JsonObject     *spark_json_array_get_object        (JsonArray     *array,
                                                    guint          index);
gint64          spark_json_get_int                 (JsonObject    *object,
                                                    const char    *member,
                                                    gint64         fallback);
JsonObject     *spark_responses_user_message       (const char    *text);
JsonObject     *spark_responses_tool_output        (SparkToolCallKind kind,
                                                    const char    *call_id,
                                                    const char    *output,
                                                    gboolean       success);
gboolean        spark_responses_item_is_tool_call  (JsonObject    *item);
gboolean        spark_responses_rejects_context_management (const char *param,
                                                            const char *message);
JsonObject     *spark_responses_item_bounded       (JsonObject    *item,
                                                    gsize          limit);

G_END_DECLS
