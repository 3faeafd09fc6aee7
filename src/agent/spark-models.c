/* spark-models.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-models"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "spark-agent-types.h"
#include "spark-responses.h"
#include "spark-models.h"

/* GET {base}/models, for the chat's model picker. OpenAI, llama.cpp,
 * Ollama and vLLM all answer {"data": [{"id": ...}, ...]}. */

#define MAX_BODY (4 * 1024 * 1024)

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/**
 * spark_models_parse:
 *
 * Returns: (transfer full): the model ids, sorted, or %NULL with a
 *   G_IO_ERROR_INVALID_DATA error that says what was wrong
 */
GStrv
spark_models_parse (const char  *json,
                    gssize       length,
                    GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonArray *data;

  if (!(root = spark_json_parse (json, length, error)))
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "data") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "data")))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The server's model list has no “data” array"));
      return NULL;
    }

  data = json_object_get_array_member (json_node_get_object (root), "data");
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonNode *node = json_array_get_element (data, i);
      JsonObject *model;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      model = json_node_get_object (node);
      if (!json_object_has_member (model, "id") ||
          json_node_get_value_type (json_object_get_member (model, "id")) != G_TYPE_STRING)
        continue;
      id = json_object_get_string_member (model, "id");
      if (id != NULL && *id != '\0' && g_utf8_validate (id, -1, NULL))
        g_ptr_array_add (ids, g_strdup (id));
    }

  g_ptr_array_sort (ids, compare_ids);
  g_ptr_array_add (ids, NULL);

  return (GStrv) g_ptr_array_steal (ids, NULL);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  SoupMessage *msg = g_task_get_task_data (task);
  GStrv ids;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The server answered the model list with %u %s"),
                               soup_message_get_status (msg),
                               soup_message_get_reason_phrase (msg));
      return;
    }

  if (g_bytes_get_size (body) > MAX_BODY)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               _("The server's model list is too large"));
      return;
    }

  ids = spark_models_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (ids == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_strfreev);
}

/**
 * spark_models_list_async:
 * @endpoint: the API base URL, e.g. https://api.openai.com/v1
 * @api_key: (nullable): sent only over TLS or to loopback
 */
void
spark_models_list_async (const char          *endpoint,
                         const char          *api_key,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SoupMessage *msg;

  g_return_if_fail (endpoint != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_models_list_async);

  url = g_strconcat (endpoint, g_str_has_suffix (endpoint, "/") ? "" : "/", "models", NULL);
  if (api_key != NULL && !spark_endpoint_check_key_safe (url, api_key, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  msg = soup_message_new ("GET", url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a valid endpoint"), endpoint);
      return;
    }

  if (api_key != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", api_key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }

  g_task_set_task_data (task, msg, g_object_unref);
  session = soup_session_new_with_options ("timeout", 15, NULL);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    send_cb, g_steal_pointer (&task));
}

/**
 * spark_models_list_finish:
 *
 * Returns: (transfer full): the model ids, sorted
 */
GStrv
spark_models_list_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
