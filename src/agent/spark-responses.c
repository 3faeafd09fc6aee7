/* spark-responses.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-responses"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

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

static int
hex4 (const char *p)
{
  int value = 0;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/* json-glib 1.6 parses recursively, so a frame of 100,000 "[" overflows the
 * stack; it ends a string at a \u0000 escape, silently losing the rest; and
 * it turns an unpaired surrogate escape into bytes that are not UTF-8, which
 * would reach the chat, the patch parser and the next request. This lexer
 * refuses those before json-glib sees the text. It follows json-glib's
 * scanner where that matters: "..." strings with escapes, '...' strings
 * without, and comments between slash-star and star-slash. */
gboolean
spark_json_check_text (const char  *text,
                       gsize        length,
                       GError     **error)
{
  guint depth = 0;
  gsize i = 0;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  while (i < length)
    {
      char c = text[i++];

      if (c == '"')
        {
          while (i < length && text[i] != '"')
            {
              int unit;

              if (text[i++] != '\\' || i >= length)
                continue;
              /* json-glib also reads GScanner's escapes, octal ones among
               * them: "\\200" is a byte that is not UTF-8, "\\0" a NUL. */
              if (strchr ("\"\\/bfnrtu", text[i]) == NULL)
                {
                  g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                               _("an escape JSON does not have (\\%c) in a string"),
                               g_ascii_isprint (text[i]) ? text[i] : '?');
                  return FALSE;
                }
              if (text[i++] != 'u')
                continue;
              /* json-glib takes fewer than four hex digits and makes up the
               * rest, surrogates and NULs included: JSON wants four. */
              if (i + 4 > length || (unit = hex4 (text + i)) < 0)
                {
                  g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                                       _("a \\u escape without four hex digits in a string"));
                  return FALSE;
                }
              i += 4;

              if (unit == 0)
                {
                  g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                                       _("a NUL character (\\u0000) in a string"));
                  return FALSE;
                }
              if (unit >= 0xd800 && unit <= 0xdbff)
                {
                  int low;

                  if (i + 6 <= length && text[i] == '\\' && text[i + 1] == 'u' &&
                      (low = hex4 (text + i + 2)) >= 0xdc00 && low <= 0xdfff)
                    {
                      i += 6;
                      continue;
                    }
                  unit = 0xdc00;   /* unpaired, reported below */
                }
              if (unit >= 0xdc00 && unit <= 0xdfff)
                {
                  g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                                       _("an unpaired UTF-16 surrogate (\\ud800–\\udfff) in a string"));
                  return FALSE;
                }
            }
          i++;
        }
      else if (c == '\'')
        {
          while (i < length && text[i] != '\'')
            i++;
          i++;
        }
      else if (c == '/' && i < length && text[i] == '*')
        {
          /* The closing star-slash starts after the opening one: no overlap. */
          for (i++; i + 1 < length; i++)
            {
              if (text[i] == '*' && text[i + 1] == '/')
                break;
            }
          i += 2;
        }
      else if (c == '[' || c == '{')
        {
          if (++depth > SPARK_JSON_MAX_DEPTH)
            {
              g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                           g_dngettext (GETTEXT_PACKAGE, "JSON nested deeper than %u level",
                                        "JSON nested deeper than %u levels", SPARK_JSON_MAX_DEPTH),
                           SPARK_JSON_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

/* json-glib's parse of @text, which spark_json_check_text() passed. */
static JsonNode *
parse_checked (const char  *text,
               gsize        length,
               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      /* Its message quotes the input, which may not be UTF-8 by then. */
      g_autofree char *message = g_utf8_make_valid (local_error->message, -1);

      g_set_error_literal (error, local_error->domain, local_error->code, message);
      return NULL;
    }

  if ((root = json_parser_get_root (parser)) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, _("no JSON value"));
      return NULL;
    }

  return json_node_ref (root);
}

JsonNode *
spark_json_parse (const char  *text,
                  gssize       length,
                  GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);

  if (length < 0)
    length = strlen (text);

  if (!spark_json_check_text (text, length, error))
    return NULL;

  return parse_checked (text, length, error);
}

JsonObject *
spark_json_parse_object (const char  *text,
                         gssize       length,
                         GError     **error)
{
  g_autoptr(JsonNode) root = spark_json_parse (text, length, error);

  if (root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           _("the JSON value is not an object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/**
 * spark_text_is_utf8:
 *
 * g_utf8_validate() of @length bytes (so NUL fails too), with a
 * word-at-a-time pass first: the text of most events is ASCII, and a long
 * response.completed is then read at a fraction of the cost of a UTF-8
 * walk.
 */
gboolean
spark_text_is_utf8 (const char *text,
                    gsize       length)
{
  guint64 bits = 0;
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, 8);
      /* Per byte: the high bit, or NUL (b - 1 borrows only from a 0). */
      bits |= word | (word - G_GUINT64_CONSTANT (0x0101010101010101));
    }
  for (; i < length; i++)
    bits |= (guchar) text[i] | (guint8) ((guchar) text[i] - 1);

  if ((bits & G_GUINT64_CONSTANT (0x8080808080808080)) == 0)
    return TRUE;

  return g_utf8_validate (text, length, NULL);
}

JsonObject *
spark_responses_parse_event (const char  *text,
                             gsize        length,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *type;

  if (!spark_text_is_utf8 (text, length))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   _("Server sent an event that is not UTF-8 text: %s"), snippet);
      return NULL;
    }

  if (!spark_json_check_text (text, length, &local_error))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   /* translators: %1$s says what is wrong, %2$s is the start of the event */
                   _("Server sent an event Spark cannot read safely (%1$s): %2$s"),
                   local_error->message, snippet);
      return NULL;
    }

  /* Checked just above: not a second time. */
  if (!(root = parse_checked (text, length, &local_error)))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   /* translators: %1$s is the JSON parser's message, %2$s the start of the event */
                   _("Server sent an event that is not JSON (%1$s): %2$s"),
                   local_error->message, snippet);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   _("Server sent an event that is not a JSON object: %s"), snippet);
      return NULL;
    }

  object = json_node_get_object (root);
  type = json_object_get_member (object, "type");
  if (type == NULL || !JSON_NODE_HOLDS_VALUE (type) ||
      json_node_get_value_type (type) != G_TYPE_STRING)
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   _("Server sent an event without a “type”: %s"), snippet);
      return NULL;
    }

  return json_object_ref (object);
}

/* The events of one response carry increasing sequence numbers: one that
 * repeats or goes back means events were duplicated or reordered, and a
 * delta applied twice or out of place would corrupt the text or the patch.
 * Events without a number, and types we do not know, are not checked.
 * @last starts at -1 for each request. */
gboolean
spark_responses_check_sequence (JsonObject  *event,
                                gint64      *last,
                                GError     **error)
{
  if (spark_responses_event_kind (event) == SPARK_EVENT_UNKNOWN)
    return TRUE;

  return spark_responses_check_sequence_number (spark_json_get_int (event, "sequence_number", -1),
                                                spark_json_get_string (event, "type"),
                                                last, error);
}

/* Out of line: the delta path checks every token, and a gettext call
 * inlined into it costs each one a few instructions. */
G_GNUC_NO_INLINE static void
set_sequence_error (GError     **error,
                    gint64       sequence,
                    gint64       last,
                    const char  *type)
{
  if (sequence == last)
    g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                 /* translators: %1$lld is a sequence number, %2$s an event type */
                 _("Server sent event %1$lld twice (“%2$s”)"), (long long) sequence, type);
  else
    g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                 /* translators: %1$lld and %2$lld are sequence numbers, %3$s an event type */
                 _("Server sent events out of order (%1$lld after %2$lld, “%3$s”)"),
                 (long long) sequence, (long long) last, type);
}

/* The same for an event read without a JSON tree (the delta fast path). */
gboolean
spark_responses_check_sequence_number (gint64       sequence,
                                       const char  *type,
                                       gint64      *last,
                                       GError     **error)
{
  if (sequence < 0)
    return TRUE;

  if (*last >= 0 && sequence <= *last)
    {
      set_sequence_error (error, sequence, *last, type);
      return FALSE;
    }

  *last = sequence;
  return TRUE;
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

JsonArray *
spark_json_get_array (JsonObject *object,
                      const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

/* json_array_get_object_element() is critical about anything but an
 * object or null; servers send anything. */
JsonObject *
spark_json_array_get_object (JsonArray *array,
                             guint      index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;

  node = json_array_get_element (array, index);
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
      {
        double value = json_node_get_double (node);

        /* Out of range (or not a number), the cast would be undefined. */
        if (!(value > -9.2e18 && value < 9.2e18))
          return fallback;
        return (gint64) value;
      }
    default:
      return fallback;
    }
}

/* A server that does not know server-side compaction refuses the request
 * and names the parameter, in "param" (OpenAI) or only in the message. */
gboolean
spark_responses_rejects_context_management (const char *param,
                                            const char *message)
{
  return g_strcmp0 (param, "context_management") == 0 ||
         (message != NULL && strstr (message, "context_management") != NULL);
}

static SparkAgentError
classify_error (JsonObject      *err,
                SparkAgentError  fallback)
{
  const char *code = spark_json_get_string (err, "code");

  if (g_strcmp0 (code, "previous_response_not_found") == 0)
    return SPARK_AGENT_ERROR_PREVIOUS_RESPONSE_NOT_FOUND;
  if (g_strcmp0 (code, "websocket_connection_limit_reached") == 0)
    return SPARK_AGENT_ERROR_CONNECTION_LIMIT;
  if (spark_responses_rejects_context_management (spark_json_get_string (err, "param"),
                                                  spark_json_get_string (err, "message")))
    return SPARK_AGENT_ERROR_CONTEXT_MANAGEMENT_REJECTED;
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
  int status;

  switch (kind)
    {
    case SPARK_EVENT_ERROR:
      err = spark_json_get_object (event, "error");
      /* Some servers put the fields at the top level. */
      if (err == NULL)
        err = event;
      code = spark_json_get_string (err, "code");
      message = spark_json_get_string (err, "message");
      status = (int) spark_json_get_int (event, "status", 0);
      if (message == NULL)
        message = _("no message");
      if (code != NULL)
        /* translators: %1$s is the server's error code, %2$d an HTTP status,
         * %3$s the server's message (often English) */
        return g_error_new (SPARK_AGENT_ERROR, classify_error (err, SPARK_AGENT_ERROR_SERVER),
                            _("Server error “%1$s” (status %2$d): %3$s"), code, status, message);
      /* translators: %1$d is an HTTP status, %2$s the server's message (often English) */
      return g_error_new (SPARK_AGENT_ERROR, classify_error (err, SPARK_AGENT_ERROR_SERVER),
                          _("Server error (status %1$d): %2$s"), status, message);

    case SPARK_EVENT_FAILED:
      response = spark_json_get_object (event, "response");
      err = spark_json_get_object (response, "error");
      code = spark_json_get_string (err, "code");
      message = spark_json_get_string (err, "message");
      if (message == NULL)
        message = _("no message");
      if (code != NULL)
        /* translators: %1$s is the server's error code, %2$s its message (often English) */
        return g_error_new (SPARK_AGENT_ERROR, classify_error (err, SPARK_AGENT_ERROR_RESPONSE_FAILED),
                            _("Response failed (%1$s): %2$s"), code, message);
      /* translators: %s is the server's message (often English) */
      return g_error_new (SPARK_AGENT_ERROR, classify_error (err, SPARK_AGENT_ERROR_RESPONSE_FAILED),
                          _("Response failed: %s"), message);

    case SPARK_EVENT_INCOMPLETE:
      response = spark_json_get_object (event, "response");
      err = spark_json_get_object (response, "incomplete_details");
      message = spark_json_get_string (err, "reason");
      return g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_INCOMPLETE,
                          /* translators: %s is the server's reason, as “max_output_tokens” */
                          _("Response incomplete: %s"), message ? message : _("unknown reason"));

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

/* The size of a tool call's "input", "arguments" or "operation" member. */
static gsize
member_size (JsonNode *node)
{
  g_autofree char *text = NULL;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return strlen (json_node_get_string (node));
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      text = spark_responses_to_string (json_node_get_object (node));
      return strlen (text);
    }
  return 0;
}

/* @item, or for a tool call whose input is over @limit a copy that keeps a
 * note instead: the call is refused anyway, and history (resent with every
 * later request, saved to disk) must not carry it. */
JsonObject *
spark_responses_item_bounded (JsonObject *item,
                              gsize       limit)
{
  JsonObject *copy;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  gboolean over = FALSE;

  if (!spark_responses_item_is_tool_call (item))
    return json_object_ref (item);

  json_object_iter_init (&iter, item);
  while (!over && json_object_iter_next (&iter, &name, &node))
    over = (g_str_equal (name, "input") || g_str_equal (name, "arguments") ||
            g_str_equal (name, "operation")) && member_size (node) > limit;
  if (!over)
    return json_object_ref (item);

  copy = json_object_new ();
  json_object_iter_init (&iter, item);
  while (json_object_iter_next (&iter, &name, &node))
    {
      gsize size = 0;
      g_autofree char *note = NULL;

      if (g_str_equal (name, "input") || g_str_equal (name, "arguments") || g_str_equal (name, "operation"))
        size = member_size (node);
      if (size <= limit)
        {
          json_object_set_member (copy, name, json_node_copy (node));
          continue;
        }

      note = g_strdup_printf ("[%" G_GSIZE_FORMAT " bytes, over Spark's limit: not kept]", size);
      if (g_str_equal (name, "operation"))
        {
          JsonObject *operation = json_object_new ();

          json_object_set_string_member (operation, "type", "too_large");
          json_object_set_string_member (operation, "note", note);
          json_object_set_object_member (copy, name, operation);
        }
      else
        json_object_set_string_member (copy, name, note);
    }

  return copy;
}

gboolean
spark_responses_item_is_tool_call (JsonObject *item)
{
  const char *type = spark_json_get_string (item, "type");

  return g_strcmp0 (type, "function_call") == 0 ||
         g_strcmp0 (type, "custom_tool_call") == 0 ||
         g_strcmp0 (type, "apply_patch_call") == 0;
}
