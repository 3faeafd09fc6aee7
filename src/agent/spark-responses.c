/* spark-responses.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-responses"

#include "config.h"

#include <string.h>

#include "spark-responses.h"

static const struct {
  const char     *type;
  SparkEventKind  kind;
} event_kinds[] = {
  { "response.created", SPARK_EVENT_CREATED },
  { "response.in_progress", SPARK_EVENT_IN_PROGRESS },
  { "response.output_item.added", SPARK_EVENT_OUTPUT_ITEM_ADDED },
  { "response.output_item.done", SPARK_EVENT_OUTPUT_ITEM_DONE },
  { "response.output_text.delta", SPARK_EVENT_OUTPUT_TEXT_DELTA },
  { "response.reasoning_summary_text.delta", SPARK_EVENT_REASONING_SUMMARY_DELTA },
  { "response.function_call_arguments.delta", SPARK_EVENT_FUNCTION_ARGUMENTS_DELTA },
  { "response.custom_tool_call_input.delta", SPARK_EVENT_CUSTOM_INPUT_DELTA },
  { "response.completed", SPARK_EVENT_COMPLETED },
  { "response.failed", SPARK_EVENT_FAILED },
  { "response.incomplete", SPARK_EVENT_INCOMPLETE },
  { "error", SPARK_EVENT_ERROR },
  { "response.steer.accepted", SPARK_EVENT_STEER_ACCEPTED },
  { "response.steer.pending", SPARK_EVENT_STEER_PENDING },
  { "response.steer.failed", SPARK_EVENT_STEER_FAILED },
};

char *
spark_responses_snippet (const char *text,
                         gsize       length)
{
  GString *str = g_string_new (NULL);
  gsize n = MIN (length, 60);

  for (gsize i = 0; i < n; i++)
    {
      guchar c = text[i];

      if (c >= 0x20 && c < 0x7f)
        g_string_append_c (str, c);
      else
        g_string_append_printf (str, "\\x%02x", c);
    }
  if (length > n)
    g_string_append (str, "…");

  return g_string_free (str, FALSE);
}

gboolean
spark_json_has_nul_escape (const char *text,
                           gssize      length)
{
  const char *end;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  end = text + (length < 0 ? strlen (text) : (gsize) length);
  for (const char *p = text; p < end; p++)
    {
      if (*p != '\\')
        continue;
      /* An escape: "\\" is one backslash, skipped whole. */
      if (end - p >= 6 && memcmp (p + 1, "u0000", 5) == 0)
        return TRUE;
      p++;
    }

  return FALSE;
}

JsonObject *
spark_responses_parse_event (const char  *text,
                             gsize        length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *type;

  if (!g_utf8_validate (text, length, NULL))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   "Server sent an event that is not UTF-8 text: %s", snippet);
      return NULL;
    }

  /* A NUL would silently cut a delta, a path or a patch short. */
  if (spark_json_has_nul_escape (text, length))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   "Server sent an event with a NUL character (\\u0000), which no text, "
                   "path or patch may hold: %s", snippet);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   "Server sent an event that is not JSON (%s): %s",
                   local_error->message, snippet);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   "Server sent an event that is not a JSON object: %s", snippet);
      return NULL;
    }

  object = json_node_get_object (root);
  type = json_object_get_member (object, "type");
  if (type == NULL || !JSON_NODE_HOLDS_VALUE (type) ||
      json_node_get_value_type (type) != G_TYPE_STRING)
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   "Server sent an event without a “type”: %s", snippet);
      return NULL;
    }

  return json_object_ref (object);
}

SparkEventKind
spark_responses_event_kind (JsonObject *event)
{
  const char *type = spark_json_get_string (event, "type");

  if (type == NULL)
    return SPARK_EVENT_UNKNOWN;

  for (guint i = 0; i < G_N_ELEMENTS (event_kinds); i++)
    {
      if (strcmp (type, event_kinds[i].type) == 0)
        return event_kinds[i].kind;
    }

  return SPARK_EVENT_UNKNOWN;
}

gboolean
spark_responses_kind_is_terminal (SparkEventKind kind)
{
  return kind == SPARK_EVENT_COMPLETED ||
         kind == SPARK_EVENT_FAILED ||
         kind == SPARK_EVENT_INCOMPLETE ||
         kind == SPARK_EVENT_ERROR;
}

const char *
spark_json_get_string (JsonObject *object,
                       const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

JsonObject *
spark_json_get_object (JsonObject *object,
                       const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

gint64
spark_json_get_int (JsonObject *object,
                    const char *member,
                    gint64      fallback)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return fallback;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return fallback;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return (gint64) json_node_get_double (node);
    default:
      return fallback;
    }
}

static SparkAgentError
code_to_error (const char *code,
               SparkAgentError fallback)
{
  if (g_strcmp0 (code, "previous_response_not_found") == 0)
    return SPARK_AGENT_ERROR_PREVIOUS_RESPONSE_NOT_FOUND;
  if (g_strcmp0 (code, "websocket_connection_limit_reached") == 0)
    return SPARK_AGENT_ERROR_CONNECTION_LIMIT;
  return fallback;
}

GError *
spark_responses_error_from_event (JsonObject *event)
{
  SparkEventKind kind = spark_responses_event_kind (event);
  JsonObject *response;
  JsonObject *err;
  const char *code;
  const char *message;

  switch (kind)
    {
    case SPARK_EVENT_ERROR:
      err = spark_json_get_object (event, "error");
      /* Some servers put the fields at the top level. */
      if (err == NULL)
        err = event;
      code = spark_json_get_string (err, "code");
      message = spark_json_get_string (err, "message");
      return g_error_new (SPARK_AGENT_ERROR, code_to_error (code, SPARK_AGENT_ERROR_SERVER),
                          "Server error%s%s%s (status %d): %s",
                          code ? " “" : "", code ? code : "", code ? "”" : "",
                          (int) spark_json_get_int (event, "status", 0),
                          message ? message : "no message");

    case SPARK_EVENT_FAILED:
      response = spark_json_get_object (event, "response");
      err = spark_json_get_object (response, "error");
      code = spark_json_get_string (err, "code");
      message = spark_json_get_string (err, "message");
      return g_error_new (SPARK_AGENT_ERROR, code_to_error (code, SPARK_AGENT_ERROR_RESPONSE_FAILED),
                          "Response failed%s%s%s: %s",
                          code ? " (" : "", code ? code : "", code ? ")" : "",
                          message ? message : "no message");

    case SPARK_EVENT_INCOMPLETE:
      response = spark_json_get_object (event, "response");
      err = spark_json_get_object (response, "incomplete_details");
      message = spark_json_get_string (err, "reason");
      return g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_INCOMPLETE,
                          "Response incomplete: %s", message ? message : "unknown reason");

    case SPARK_EVENT_UNKNOWN:
    case SPARK_EVENT_CREATED:
    case SPARK_EVENT_IN_PROGRESS:
    case SPARK_EVENT_OUTPUT_ITEM_ADDED:
    case SPARK_EVENT_OUTPUT_ITEM_DONE:
    case SPARK_EVENT_OUTPUT_TEXT_DELTA:
    case SPARK_EVENT_REASONING_SUMMARY_DELTA:
    case SPARK_EVENT_FUNCTION_ARGUMENTS_DELTA:
    case SPARK_EVENT_CUSTOM_INPUT_DELTA:
    case SPARK_EVENT_COMPLETED:
    case SPARK_EVENT_STEER_ACCEPTED:
    case SPARK_EVENT_STEER_PENDING:
    case SPARK_EVENT_STEER_FAILED:
    default:
      return NULL;
    }
}

char *
spark_responses_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

JsonObject *
spark_responses_user_message (const char *text)
{
  JsonObject *item = json_object_new ();
  JsonObject *part = json_object_new ();
  JsonArray *content = json_array_new ();

  json_object_set_string_member (part, "type", "input_text");
  json_object_set_string_member (part, "text", text);
  json_array_add_object_element (content, part);

  json_object_set_string_member (item, "type", "message");
  json_object_set_string_member (item, "role", "user");
  json_object_set_array_member (item, "content", content);

  return item;
}

JsonObject *
spark_responses_tool_output (SparkToolCallKind  kind,
                             const char        *call_id,
                             const char        *output,
                             gboolean           success)
{
  JsonObject *item = json_object_new ();

  switch (kind)
    {
    case SPARK_TOOL_CALL_FUNCTION:
      json_object_set_string_member (item, "type", "function_call_output");
      break;

    case SPARK_TOOL_CALL_CUSTOM:
      json_object_set_string_member (item, "type", "custom_tool_call_output");
      break;

    case SPARK_TOOL_CALL_HOSTED_PATCH:
      json_object_set_string_member (item, "type", "apply_patch_call_output");
      json_object_set_string_member (item, "status", success ? "completed" : "failed");
      break;

    default:
      g_assert_not_reached ();
    }

  json_object_set_string_member (item, "call_id", call_id);
  json_object_set_string_member (item, "output", output);

  return item;
}

gboolean
spark_responses_item_is_tool_call (JsonObject *item)
{
  const char *type = spark_json_get_string (item, "type");

  return g_strcmp0 (type, "function_call") == 0 ||
         g_strcmp0 (type, "custom_tool_call") == 0 ||
         g_strcmp0 (type, "apply_patch_call") == 0;
}
