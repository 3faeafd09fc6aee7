/* spark-chat-wire.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-chat-wire"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-agent-types.h"
#include "spark-chat-wire.h"
#include "spark-responses.h"

typedef struct
{
  char    *id;
  char    *call_id;
  char    *name;
  GString *arguments;
  guint    output_index;
} ChatToolCall;

struct _SparkChatStream
{
  SparkChatEmitFunc  emit;
  gpointer           user_data;
  char              *response_id;
  char              *message_id;
  GString           *text;
  GPtrArray         *calls;       /* ChatToolCall, by chunk index */
  JsonObject        *usage;
  guint              next_output_index;
  guint              message_output_index;
  guint              seq;
  guint              started : 1;
  guint              finished : 1;
};

static void
chat_tool_call_free (gpointer data)
{
  ChatToolCall *call = data;

  if (call == NULL)
    return;
  g_free (call->id);
  g_free (call->call_id);
  g_free (call->name);
  g_string_free (call->arguments, TRUE);
  g_free (call);
}

static void
message_content_text (JsonObject *item,
                      GString    *out)
{
  JsonNode *content = json_object_get_member (item, "content");

  if (content == NULL)
    return;

  if (JSON_NODE_HOLDS_VALUE (content))
    {
      g_string_append (out, json_node_get_string (content));
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);

      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonObject *part = json_array_get_object_element (parts, i);
          const char *text = spark_json_get_string (part, "text");

          if (text != NULL)
            g_string_append (out, text);
        }
    }
}

static JsonObject *
tool_call_from_item (JsonObject *item)
{
  JsonObject *call = json_object_new ();
  JsonObject *function = json_object_new ();
  const char *type = spark_json_get_string (item, "type");

  json_object_set_string_member (call, "id", spark_json_get_string (item, "call_id"));
  json_object_set_string_member (call, "type", "function");
  json_object_set_string_member (function, "name", spark_json_get_string (item, "name"));

  if (g_strcmp0 (type, "custom_tool_call") == 0)
    {
      g_autoptr(JsonObject) args = json_object_new ();
      g_autofree char *text = NULL;

      json_object_set_string_member (args, "input", spark_json_get_string (item, "input"));
      text = spark_responses_to_string (args);
      json_object_set_string_member (function, "arguments", text);
    }
  else
    {
      const char *arguments = spark_json_get_string (item, "arguments");
      json_object_set_string_member (function, "arguments", arguments ? arguments : "{}");
    }

  json_object_set_object_member (call, "function", function);
  return call;
}

JsonObject *
spark_chat_build_request (JsonObject *req)
{
  JsonObject *body = json_object_new ();
  JsonObject *stream_options = json_object_new ();
  JsonArray *messages = json_array_new ();
  JsonArray *input = NULL;
  JsonArray *tools = NULL;
  JsonObject *pending_assistant = NULL;
  const char *instructions;

  json_object_set_string_member (body, "model", spark_json_get_string (req, "model"));
  json_object_set_boolean_member (body, "stream", TRUE);
  json_object_set_boolean_member (stream_options, "include_usage", TRUE);
  json_object_set_object_member (body, "stream_options", stream_options);

  if ((instructions = spark_json_get_string (req, "instructions")))
    {
      JsonObject *msg = json_object_new ();

      json_object_set_string_member (msg, "role", "system");
      json_object_set_string_member (msg, "content", instructions);
      json_array_add_object_element (messages, msg);
    }

  if (json_object_has_member (req, "input"))
    input = json_object_get_array_member (req, "input");

  for (guint i = 0; input != NULL && i < json_array_get_length (input); i++)
    {
      JsonObject *item = json_array_get_object_element (input, i);
      const char *type = spark_json_get_string (item, "type");

      if (g_strcmp0 (type, "function_call") == 0 || g_strcmp0 (type, "custom_tool_call") == 0)
        {
          if (pending_assistant == NULL)
            {
              pending_assistant = json_object_new ();
              json_object_set_string_member (pending_assistant, "role", "assistant");
              json_object_set_null_member (pending_assistant, "content");
              json_object_set_array_member (pending_assistant, "tool_calls", json_array_new ());
              json_array_add_object_element (messages, pending_assistant);
            }
          json_array_add_object_element (json_object_get_array_member (pending_assistant, "tool_calls"),
                                         tool_call_from_item (item));
          continue;
        }

      pending_assistant = NULL;

      if (g_strcmp0 (type, "message") == 0 || type == NULL)
        {
          g_autoptr(GString) text = g_string_new (NULL);
          JsonObject *msg = json_object_new ();
          const char *role = spark_json_get_string (item, "role");

          message_content_text (item, text);
          json_object_set_string_member (msg, "role", role ? role : "user");
          json_object_set_string_member (msg, "content", text->str);
          json_array_add_object_element (messages, msg);
        }
      else if (g_strcmp0 (type, "function_call_output") == 0 ||
               g_strcmp0 (type, "custom_tool_call_output") == 0)
        {
          JsonObject *msg = json_object_new ();

          json_object_set_string_member (msg, "role", "tool");
          json_object_set_string_member (msg, "tool_call_id", spark_json_get_string (item, "call_id"));
          json_object_set_string_member (msg, "content", spark_json_get_string (item, "output"));
          json_array_add_object_element (messages, msg);
        }
      /* reasoning and other items have no chat equivalent */
    }

  json_object_set_array_member (body, "messages", messages);

  if (json_object_has_member (req, "tools"))
    tools = json_object_get_array_member (req, "tools");

  if (tools != NULL && json_array_get_length (tools) > 0)
    {
      JsonArray *chat_tools = json_array_new ();

      for (guint i = 0; i < json_array_get_length (tools); i++)
        {
          JsonObject *tool = json_array_get_object_element (tools, i);
          const char *type = spark_json_get_string (tool, "type");
          JsonObject *chat_tool;
          JsonObject *function;

          if (g_strcmp0 (type, "function") != 0 && g_strcmp0 (type, "custom") != 0)
            continue;

          chat_tool = json_object_new ();
          function = json_object_new ();
          json_object_set_string_member (chat_tool, "type", "function");
          json_object_set_string_member (function, "name", spark_json_get_string (tool, "name"));
          json_object_set_string_member (function, "description",
                                         spark_json_get_string (tool, "description"));
          if (g_strcmp0 (type, "function") == 0 && json_object_has_member (tool, "parameters"))
            {
              json_object_set_member (function, "parameters",
                                      json_node_copy (json_object_get_member (tool, "parameters")));
            }
          else
            {
              g_autoptr(JsonParser) parser = json_parser_new ();

              json_parser_load_from_data (parser,
                                          "{\"type\":\"object\",\"properties\":{\"input\":"
                                          "{\"type\":\"string\",\"description\":\"The entire patch\"}},"
                                          "\"required\":[\"input\"],\"additionalProperties\":false}",
                                          -1, NULL);
              json_object_set_member (function, "parameters",
                                      json_node_copy (json_parser_get_root (parser)));
            }
          json_object_set_object_member (chat_tool, "function", function);
          json_array_add_object_element (chat_tools, chat_tool);
        }

      json_object_set_array_member (body, "tools", chat_tools);
      json_object_set_string_member (body, "tool_choice", "auto");
    }

  return body;
}

SparkChatStream *
spark_chat_stream_new (SparkChatEmitFunc emit,
                       gpointer          user_data)
{
  SparkChatStream *stream = g_new0 (SparkChatStream, 1);

  stream->emit = emit;
  stream->user_data = user_data;
  stream->text = g_string_new (NULL);
  stream->calls = g_ptr_array_new_with_free_func (chat_tool_call_free);

  return stream;
}

void
spark_chat_stream_free (SparkChatStream *stream)
{
  if (stream == NULL)
    return;

  g_free (stream->response_id);
  g_free (stream->message_id);
  g_string_free (stream->text, TRUE);
  g_ptr_array_unref (stream->calls);
  g_clear_pointer (&stream->usage, json_object_unref);
  g_free (stream);
}

static void
emit (SparkChatStream *stream,
      JsonObject      *event)
{
  json_object_set_int_member (event, "sequence_number", stream->seq++);
  stream->emit (event, stream->user_data);
  json_object_unref (event);
}

static JsonObject *
new_event (const char *type)
{
  JsonObject *event = json_object_new ();

  json_object_set_string_member (event, "type", type);
  return event;
}

static JsonObject *
response_object (SparkChatStream *stream,
                 const char      *status)
{
  JsonObject *response = json_object_new ();

  json_object_set_string_member (response, "id", stream->response_id);
  json_object_set_string_member (response, "object", "response");
  json_object_set_string_member (response, "status", status);
  return response;
}

static void
ensure_started (SparkChatStream *stream,
                JsonObject      *chunk)
{
  JsonObject *event;
  const char *id;

  if (stream->started)
    return;

  stream->started = TRUE;
  id = spark_json_get_string (chunk, "id");
  stream->response_id = g_strdup_printf ("chat-%s", id ? id : "local");

  event = new_event ("response.created");
  json_object_set_object_member (event, "response", response_object (stream, "in_progress"));
  emit (stream, event);
}

static JsonObject *
message_item (SparkChatStream *stream,
              gboolean         done)
{
  JsonObject *item = json_object_new ();
  JsonArray *content = json_array_new ();

  json_object_set_string_member (item, "type", "message");
  json_object_set_string_member (item, "id", stream->message_id);
  json_object_set_string_member (item, "role", "assistant");
  json_object_set_string_member (item, "status", done ? "completed" : "in_progress");
  if (done)
    {
      JsonObject *part = json_object_new ();

      json_object_set_string_member (part, "type", "output_text");
      json_object_set_string_member (part, "text", stream->text->str);
      json_array_add_object_element (content, part);
    }
  json_object_set_array_member (item, "content", content);
  return item;
}

static JsonObject *
call_item (ChatToolCall *call,
           gboolean      done)
{
  JsonObject *item = json_object_new ();

  json_object_set_string_member (item, "type", "function_call");
  json_object_set_string_member (item, "id", call->id);
  json_object_set_string_member (item, "call_id", call->call_id);
  json_object_set_string_member (item, "name", call->name ? call->name : "");
  json_object_set_string_member (item, "arguments", done ? call->arguments->str : "");
  json_object_set_string_member (item, "status", done ? "completed" : "in_progress");
  return item;
}

gboolean
spark_chat_stream_feed (SparkChatStream  *stream,
                        JsonObject       *chunk,
                        GError          **error)
{
  JsonNode *choices_node;
  JsonArray *choices;

  ensure_started (stream, chunk);

  if (json_object_has_member (chunk, "error"))
    {
      JsonObject *err = spark_json_get_object (chunk, "error");
      const char *message = spark_json_get_string (err, "message");

      if (message != NULL)
        g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_SERVER,
                     /* translators: %s is the server's own message, often English */
                     _("Server error: %s"), message);
      else
        g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_SERVER,
                             _("The server reported an error without a message"));
      return FALSE;
    }

  if (spark_json_get_object (chunk, "usage") != NULL)
    {
      g_clear_pointer (&stream->usage, json_object_unref);
      stream->usage = json_object_ref (spark_json_get_object (chunk, "usage"));
    }

  choices_node = json_object_get_member (chunk, "choices");
  if (choices_node == NULL || !JSON_NODE_HOLDS_ARRAY (choices_node))
    return TRUE;   /* vLLM sends choices: null with the usage chunk */

  choices = json_node_get_array (choices_node);
  for (guint i = 0; i < json_array_get_length (choices); i++)
    {
      JsonObject *choice = spark_json_array_get_object (choices, i);
      JsonObject *delta = spark_json_get_object (choice, "delta");
      const char *content = spark_json_get_string (delta, "content");
      JsonNode *tool_calls = delta ? json_object_get_member (delta, "tool_calls") : NULL;

      if (content != NULL && content[0] != '\0')
        {
          JsonObject *event;

          if (stream->message_id == NULL)
            {
              stream->message_id = g_strdup_printf ("msg-%s", stream->response_id);
              stream->message_output_index = stream->next_output_index++;
              event = new_event ("response.output_item.added");
              json_object_set_int_member (event, "output_index", stream->message_output_index);
              json_object_set_object_member (event, "item", message_item (stream, FALSE));
              emit (stream, event);
            }

          g_string_append (stream->text, content);
          event = new_event ("response.output_text.delta");
          json_object_set_string_member (event, "item_id", stream->message_id);
          json_object_set_int_member (event, "output_index", stream->message_output_index);
          json_object_set_int_member (event, "content_index", 0);
          json_object_set_string_member (event, "delta", content);
          emit (stream, event);
        }

      if (tool_calls != NULL && JSON_NODE_HOLDS_ARRAY (tool_calls))
        {
          JsonArray *array = json_node_get_array (tool_calls);

          for (guint j = 0; j < json_array_get_length (array); j++)
            {
              JsonObject *tc = spark_json_array_get_object (array, j);
              JsonObject *function = spark_json_get_object (tc, "function");
              gint64 index = spark_json_get_int (tc, "index", j);
              const char *args = spark_json_get_string (function, "arguments");
              ChatToolCall *call;

              /* Not a tool call at all: no phantom call for the model to answer. */
              if (tc == NULL)
                continue;

              if (index < 0 || index > 1024)
                {
                  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, index);

                  g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                               /* translators: %s is a number */
                               _("The server sent a tool call with the index %s, out of range"),
                               number);
                  return FALSE;
                }

              if ((guint) index >= stream->calls->len)
                g_ptr_array_set_size (stream->calls, index + 1);

              if (!(call = g_ptr_array_index (stream->calls, index)))
                {
                  JsonObject *event;
                  const char *id = spark_json_get_string (tc, "id");

                  call = g_new0 (ChatToolCall, 1);
                  call->call_id = id ? g_strdup (id)
                                     : g_strdup_printf ("call-%s-%u", stream->response_id, (guint) index);
                  call->id = g_strdup_printf ("fc-%s", call->call_id);
                  call->name = g_strdup (spark_json_get_string (function, "name"));
                  call->arguments = g_string_new (NULL);
                  call->output_index = stream->next_output_index++;
                  g_ptr_array_index (stream->calls, index) = call;

                  event = new_event ("response.output_item.added");
                  json_object_set_int_member (event, "output_index", call->output_index);
                  json_object_set_object_member (event, "item", call_item (call, FALSE));
                  emit (stream, event);
                }

              if (args != NULL && args[0] != '\0')
                {
                  JsonObject *event = new_event ("response.function_call_arguments.delta");

                  g_string_append (call->arguments, args);
                  json_object_set_string_member (event, "item_id", call->id);
                  json_object_set_int_member (event, "output_index", call->output_index);
                  json_object_set_string_member (event, "delta", args);
                  emit (stream, event);
                }
            }
        }
    }

  return TRUE;
}

void
spark_chat_stream_finish (SparkChatStream *stream)
{
  JsonObject *event;
  JsonObject *response;
  JsonArray *output;

  if (stream->finished)
    return;

  stream->finished = TRUE;
  if (!stream->started)
    {
      g_autoptr(JsonObject) empty = json_object_new ();
      ensure_started (stream, empty);
    }

  output = json_array_new ();

  if (stream->message_id != NULL)
    {
      event = new_event ("response.output_item.done");
      json_object_set_int_member (event, "output_index", stream->message_output_index);
      json_object_set_object_member (event, "item", message_item (stream, TRUE));
      emit (stream, event);
      json_array_add_object_element (output, message_item (stream, TRUE));
    }

  for (guint i = 0; i < stream->calls->len; i++)
    {
      ChatToolCall *call = g_ptr_array_index (stream->calls, i);

      if (call == NULL)
        continue;

      event = new_event ("response.output_item.done");
      json_object_set_int_member (event, "output_index", call->output_index);
      json_object_set_object_member (event, "item", call_item (call, TRUE));
      emit (stream, event);
      json_array_add_object_element (output, call_item (call, TRUE));
    }

  event = new_event ("response.completed");
  response = response_object (stream, "completed");
  json_object_set_array_member (response, "output", output);
  if (stream->usage != NULL)
    {
      JsonObject *usage = json_object_new ();

      json_object_set_int_member (usage, "input_tokens",
                                  spark_json_get_int (stream->usage, "prompt_tokens", 0));
      json_object_set_int_member (usage, "output_tokens",
                                  spark_json_get_int (stream->usage, "completion_tokens", 0));
      json_object_set_int_member (usage, "total_tokens",
                                  spark_json_get_int (stream->usage, "total_tokens", 0));
      json_object_set_object_member (response, "usage", usage);
    }
  json_object_set_object_member (event, "response", response);
  emit (stream, event);
}

gboolean
spark_chat_stream_is_finished (SparkChatStream *stream)
{
  return stream->finished;
}
