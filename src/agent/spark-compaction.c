/* spark-compaction.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-compaction"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "spark-compaction.h"
#include "spark-responses.h"

/* Three ways to stay inside the context window, best first:
 *
 *   server-side   `context_management: [{type: compaction, compact_threshold}]`
 *                 in every create; the server compacts when the input crosses
 *                 the threshold and streams a `compaction` output item, kept
 *                 in history like any other item. A full resend starts at the
 *                 latest compaction item: it stands for everything before it.
 *   standalone    POST {base}/responses/compact with the whole window; its
 *                 output replaces the window as is, and a new chain starts.
 *   local         old tool outputs keep a head and lose the rest.
 */

#define COMPACT_KEEP       200
#define MAX_COMPACT_BODY   ((gsize) 64 * 1024 * 1024)
#define COMPACT_TIMEOUT_S  300

guint
spark_compaction_threshold (guint context_window)
{
  return MAX (1, (guint) (context_window * SPARK_COMPACTION_SERVER_SHARE));
}

JsonArray *
spark_compaction_context_management (guint threshold)
{
  JsonArray *array = json_array_new ();
  JsonObject *entry = json_object_new ();

  json_object_set_string_member (entry, "type", "compaction");
  json_object_set_int_member (entry, "compact_threshold", threshold);
  json_array_add_object_element (array, entry);

  return array;
}

gboolean
spark_compaction_is_item (JsonObject *item)
{
  return g_strcmp0 (spark_json_get_string (item, "type"), "compaction") == 0;
}

static gboolean
find_latest_compaction (SparkHistory *items,
                        guint         base,
                        guint         end,
                        guint        *index)
{
  for (guint i = MIN (end, spark_history_get_length (items)); i > base; i--)
    {
      if (spark_history_get_flags (items, i - 1) & SPARK_HISTORY_COMPACTION)
        {
          *index = i - 1;
          return TRUE;
        }
    }

  return FALSE;
}

/* The first item of @items a full resend carries: the latest compaction
 * item at or after @base, else @base. */
guint
spark_compaction_window_start (SparkHistory *items,
                               guint         base,
                               guint         end)
{
  guint index = base;

  find_latest_compaction (items, base, end, &index);
  return index;
}

/* Adds the items from @first to @end that can be sent to @input. FALSE if
 * one of them cannot be read back. */
gboolean
spark_compaction_add_items (JsonArray     *input,
                            SparkHistory  *items,
                            guint          first,
                            guint          end,
                            GError       **error)
{
  end = MIN (end, spark_history_get_length (items));
  for (guint i = first; i < end; i++)
    {
      JsonObject *item;

      /* A reasoning item without its encrypted content cannot be sent back
       * (store:false): the server would not find it. */
      if (spark_history_get_flags (items, i) & SPARK_HISTORY_UNSENDABLE)
        continue;
      if (!(item = spark_history_dup_item (items, i, error)))
        return FALSE;
      json_array_add_object_element (input, item);
    }

  return TRUE;
}

/* Adds what a request without previous_response_id carries to @input: the
 * standalone window (@window, may be NULL) and the items from @base to @end,
 * or, when a server-side compaction item came later, only that item and the
 * ones after it. FALSE if an item cannot be read back. */
gboolean
spark_compaction_collect_input (JsonArray     *input,
                                GPtrArray     *window,
                                SparkHistory  *items,
                                guint          base,
                                guint          end,
                                GError       **error)
{
  guint start = base;

  if (!find_latest_compaction (items, base, end, &start) && window != NULL)
    {
      /* The compact endpoint's output goes back unpruned. */
      for (guint i = 0; i < window->len; i++)
        json_array_add_object_element (input, json_object_ref (g_ptr_array_index (window, i)));
    }

  return spark_compaction_add_items (input, items, start, end, error);
}

/* Local compaction: the outputs of tool calls from @start up to the latest
 * user message keep a head and lose the rest. Returns the bytes removed. */
gsize
spark_compaction_shorten_outputs (SparkHistory *items,
                                  guint         start)
{
  guint n = spark_history_get_length (items);
  gsize removed = 0;
  guint last_user = start;

  for (guint i = start; i < n; i++)
    {
      if (spark_history_get_flags (items, i) & SPARK_HISTORY_USER)
        last_user = i;
    }

  for (guint i = start; i < last_user; i++)
    {
      g_autoptr(JsonObject) item = NULL;
      g_autoptr(JsonObject) copy = NULL;
      g_autofree char *head = NULL;
      g_autofree char *text = NULL;
      const char *output;
      gsize len;

      if (!(spark_history_get_flags (items, i) & SPARK_HISTORY_TOOL_OUTPUT) ||
          spark_history_get_output_length (items, i) <= COMPACT_KEEP * 2)
        continue;
      /* One that cannot be read back fails the full resend that follows. */
      if (!(item = spark_history_dup_item (items, i, NULL)))
        continue;

      output = spark_json_get_string (item, "output");
      len = strlen (output);
      head = g_utf8_substring (output, 0, g_utf8_strlen (output, COMPACT_KEEP));
      text = g_strdup_printf ("%s\n[%" G_GSIZE_FORMAT " bytes elided to fit the context window]",
                              head, len - strlen (head));
      removed += len - strlen (text);

      /* The session file keeps the whole output: replace, don't mutate. */
      copy = json_object_new ();
      json_object_set_string_member (copy, "type", spark_json_get_string (item, "type"));
      json_object_set_string_member (copy, "call_id", spark_json_get_string (item, "call_id"));
      if (spark_json_get_string (item, "status") != NULL)
        json_object_set_string_member (copy, "status", spark_json_get_string (item, "status"));
      json_object_set_string_member (copy, "output", text);
      spark_history_replace (items, i, copy);
    }

  return removed;
}

/**
 * spark_compaction_record_new:
 *
 * Returns: (transfer full): {"type": "compacted", "upto": N, "output": [...]}:
 *   from here on the model's window is @window followed by the items from
 *   @upto on
 */
JsonObject *
spark_compaction_record_new (GPtrArray *window,
                             guint      upto)
{
  JsonObject *line = json_object_new ();
  JsonArray *output = json_array_new ();

  for (guint i = 0; i < window->len; i++)
    json_array_add_object_element (output, json_object_ref (g_ptr_array_index (window, i)));
  json_object_set_string_member (line, "type", SPARK_COMPACTION_RECORD);
  json_object_set_int_member (line, "upto", upto);
  json_object_set_array_member (line, "output", output);

  return line;
}

/**
 * spark_compaction_record_parse:
 * @n_items: how many items came before the line
 *
 * Returns: (transfer full) (nullable): the window of a "compacted" line, or
 *   %NULL if the line is malformed
 */
GPtrArray *
spark_compaction_record_parse (JsonObject *line,
                               guint       n_items,
                               guint      *upto)
{
  g_autoptr(GPtrArray) window = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  gint64 base = spark_json_get_int (line, "upto", -1);
  JsonNode *node = json_object_get_member (line, "output");
  JsonArray *output;

  if (base < 0 || base > n_items || node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  output = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (output); i++)
    {
      JsonNode *element = json_array_get_element (output, i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return NULL;
      g_ptr_array_add (window, json_object_ref (json_node_get_object (element)));
    }

  *upto = base;
  return g_steal_pointer (&window);
}

void
spark_compact_result_free (SparkCompactResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->output, g_ptr_array_unref);
  g_free (result);
}

static guint
usage_tokens (JsonObject *usage,
              const char *member)
{
  gint64 value = spark_json_get_int (usage, member, 0);

  return (guint) CLAMP (value, 0, G_MAXUINT);
}

/**
 * spark_compaction_parse_result:
 *
 * Parses a /responses/compact answer: {"object": "response.compaction",
 * "output": [...items, {"type": "compaction", ...}], "usage": {...}}.
 *
 * Returns: (transfer full): the result, or %NULL with a
 *   %SPARK_AGENT_ERROR_PROTOCOL error saying what is missing
 */
SparkCompactResult *
spark_compaction_parse_result (const char  *text,
                               gsize        length,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SparkCompactResult) result = NULL;
  gboolean has_compaction = FALSE;
  JsonObject *object;
  JsonObject *usage;
  JsonArray *output;
  JsonNode *root;
  JsonNode *node;

  if (!json_parser_load_from_data (parser, text, length, NULL) ||
      !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *snippet = spark_responses_snippet (text, length);

      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   _("The compaction answer is not a JSON object: %s"), snippet);
      return NULL;
    }

  object = json_node_get_object (root);
  node = json_object_get_member (object, "output");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                           _("The compaction answer has no “output” array"));
      return NULL;
    }

  result = g_new0 (SparkCompactResult, 1);
  result->output = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  output = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (output); i++)
    {
      JsonNode *element = json_array_get_element (output, i);
      JsonObject *item;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          spark_json_get_string ((item = json_node_get_object (element)), "type") == NULL)
        {
          g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                       _("Item %u of the compaction answer has no “type”"), i + 1);
          return NULL;
        }
      if (spark_compaction_is_item (item))
        {
          if (spark_json_get_string (item, "encrypted_content") == NULL)
            {
              g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                                   _("The compaction item has no “encrypted_content”"));
              return NULL;
            }
          has_compaction = TRUE;
        }
      g_ptr_array_add (result->output, json_object_ref (item));
    }

  /* Without it the output would silently drop the conversation. */
  if (!has_compaction)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                           _("The compaction answer has no compaction item"));
      return NULL;
    }

  usage = spark_json_get_object (object, "usage");
  result->input_tokens = usage_tokens (usage, "input_tokens");
  result->output_tokens = usage_tokens (usage, "output_tokens");

  return g_steal_pointer (&result);
}

typedef struct
{
  SoupSession *session;
  SoupMessage *msg;
} CompactCall;

static void
compact_call_free (CompactCall *call)
{
  g_clear_object (&call->msg);
  g_clear_object (&call->session);
  g_free (call);
}

static void
compact_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  CompactCall *call = g_task_get_task_data (task);
  SparkCompactResult *parsed;
  const char *data;
  gsize size = 0;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CONNECT,
                                 _("Could not reach the compaction endpoint: %s"), error->message);
      return;
    }

  data = g_bytes_get_data (body, &size);
  status = soup_message_get_status (call->msg);

  /* Local servers (llama.cpp, Ollama, vLLM) have no such route. */
  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_METHOD_NOT_ALLOWED ||
      status == SOUP_STATUS_NOT_IMPLEMENTED)
    {
      g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_COMPACT_UNSUPPORTED,
                               _("The server has no compaction endpoint (HTTP %u)"), status);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      const char *message = NULL;
      SparkAgentError code;
      JsonNode *root;

      if (json_parser_load_from_data (parser, data, size, NULL) &&
          (root = json_parser_get_root (parser)) && JSON_NODE_HOLDS_OBJECT (root))
        message = spark_json_get_string (spark_json_get_object (json_node_get_object (root), "error"),
                                         "message");

      code = status >= 500 ? SPARK_AGENT_ERROR_UNAVAILABLE : SPARK_AGENT_ERROR_HTTP;
      if (message != NULL)
        g_task_return_new_error (task, SPARK_AGENT_ERROR, code,
                                 /* translators: %1$u is an HTTP status, %2$s its name
                                  * ("Not Found"), %3$s the server's message */
                                 _("Compaction failed: HTTP %1$u %2$s: %3$s"), status,
                                 soup_message_get_reason_phrase (call->msg), message);
      else
        g_task_return_new_error (task, SPARK_AGENT_ERROR, code,
                                 /* translators: %1$u is an HTTP status, %2$s its name */
                                 _("Compaction failed: HTTP %1$u %2$s"), status,
                                 soup_message_get_reason_phrase (call->msg));
      return;
    }

  if (size > MAX_COMPACT_BODY)
    {
      g_autofree char *formatted = g_format_size (size);

      g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                               /* translators: %s is a size, e.g. "5.2 MB" */
                               _("The compaction answer is too large (%s)"), formatted);
      return;
    }

  if (!(parsed = spark_compaction_parse_result (data, size, &error)))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, parsed, (GDestroyNotify) spark_compact_result_free);
}

/**
 * spark_compaction_compact_async:
 * @endpoint: the API base URL, e.g. https://api.openai.com/v1
 * @api_key: (nullable): sent only over TLS or to loopback
 * @tls_database: (nullable): to trust a test certificate
 * @body: {"model", "input", "instructions"}
 *
 * POSTs @body to {endpoint}/responses/compact. Always over HTTP, whatever
 * the transport of the turns.
 */
void
spark_compaction_compact_async (const char          *endpoint,
                                const char          *api_key,
                                GTlsDatabase        *tls_database,
                                JsonObject          *body,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *text = NULL;
  CompactCall *call;
  gsize len;

  g_return_if_fail (endpoint != NULL);
  g_return_if_fail (body != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_compaction_compact_async);

  base = g_strdup (endpoint);
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  url = g_strconcat (base, "/responses/compact", NULL);

  if (!spark_endpoint_check_key_safe (url, api_key, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  call = g_new0 (CompactCall, 1);
  g_task_set_task_data (task, call, (GDestroyNotify) compact_call_free);
  if (!(call->msg = soup_message_new ("POST", url)))
    {
      g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED,
                               _("Invalid endpoint “%s”"), endpoint);
      return;
    }

  text = spark_responses_to_string (body);
  len = strlen (text);
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  soup_message_set_request_body_from_bytes (call->msg, "application/json", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (call->msg),
                                "Accept", "application/json");
  if (api_key != NULL && api_key[0] != '\0')
    {
      g_autofree char *auth = g_strconcat ("Bearer ", api_key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (call->msg),
                                    "Authorization", auth);
    }

  call->session = soup_session_new_with_options ("timeout", COMPACT_TIMEOUT_S, NULL);
  if (tls_database != NULL)
    g_object_set (call->session, "tls-database", tls_database, NULL);

  soup_session_send_and_read_async (call->session, call->msg, G_PRIORITY_DEFAULT, cancellable,
                                    compact_cb, g_steal_pointer (&task));
}

/**
 * spark_compaction_compact_finish:
 *
 * Returns: (transfer full): the compacted window; %NULL with
 *   %SPARK_AGENT_ERROR_COMPACT_UNSUPPORTED when the server has no such
 *   endpoint, or another error
 */
SparkCompactResult *
spark_compaction_compact_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
