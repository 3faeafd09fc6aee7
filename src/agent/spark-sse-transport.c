/* spark-sse-transport.c — POST {base}/responses (or /chat/completions), SSE back.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-sse-transport"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include <libsoup/soup.h>

#include "spark-agent-enums.h"
#include "spark-chat-wire.h"
#include "spark-responses.h"
#include "spark-sse-parser.h"
#include "spark-sse-transport.h"

#define MAX_ERROR_BODY (64 * 1024)
#define READ_SIZE      (64 * 1024)

typedef struct
{
  SparkSseTransport *self;          /* weak: the request is cancelled before self dies */
  SoupMessage       *msg;
  GCancellable      *cancellable;
  GInputStream      *stream;
  SparkSseParser    *parser;
  SparkChatStream   *chat;
  guint              idle_source;
  gint64             last_activity;   /* monotonic µs: the request or its last read */
  gint64             last_sequence;
  GCancellable      *drain;
  gulong             drain_handler;
  guint              terminal_seen : 1;
  guint              draining : 1;
} Request;

struct _SparkSseTransport
{
  GObject       parent_instance;

  SparkTransportBase base;
  SoupSession  *session;
  SparkWireApi  wire_api;
  Request      *request;
  GCancellable *drain_cancellable;   /* shared by requests read to EOF after completion */
  guint         idle_timeout_ms;
  guint         fresh_connections : 1;
};

static void transport_iface_init (SparkTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SparkSseTransport, spark_sse_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SPARK_TYPE_TRANSPORT, transport_iface_init))

enum {
  PROP_0,
  PROP_WIRE_API,
  PROP_FRESH_CONNECTIONS,
  N_PROPS,

  PROP_ENDPOINT = N_PROPS,
  PROP_API_KEY,
};

static GParamSpec *properties[N_PROPS];

static void
request_free (Request *request)
{
  g_clear_handle_id (&request->idle_source, g_source_remove);
  if (request->drain != NULL)
    {
      g_cancellable_disconnect (request->drain, request->drain_handler);
      g_clear_object (&request->drain);
    }
  if (request->cancellable != NULL)
    g_cancellable_cancel (request->cancellable);
  g_clear_object (&request->msg);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->parser, spark_sse_parser_free);
  g_clear_pointer (&request->chat, spark_chat_stream_free);
  g_free (request);
}

/* Detaches the current request; callbacks still pending see it cancelled. */
static void
finish_request (SparkSseTransport *self)
{
  Request *request = g_steal_pointer (&self->request);

  if (request != NULL)
    {
      g_clear_handle_id (&request->idle_source, g_source_remove);
      g_cancellable_cancel (request->cancellable);
      request->self = NULL;
    }
}

/* The response is complete: keep reading to the end of the body without
 * reporting anything, so the connection goes back to the pool instead of
 * being torn down by a cancel. */
static void
detach_request (SparkSseTransport *self)
{
  Request *request = g_steal_pointer (&self->request);

  if (request != NULL)
    {
      g_clear_handle_id (&request->idle_source, g_source_remove);
      request->self = NULL;
      request->draining = TRUE;
      request->drain = g_object_ref (self->drain_cancellable);
      request->drain_handler = g_cancellable_connect (self->drain_cancellable,
                                                      G_CALLBACK (g_cancellable_cancel),
                                                      g_object_ref (request->cancellable),
                                                      g_object_unref);
    }
}

static void
fail_request (Request      *request,
              const GError *error)
{
  SparkSseTransport *self = request->self;

  if (self == NULL)
    return;

  g_debug ("Stream failed: %s", error->message);
  finish_request (self);
  spark_transport_emit_stream_failed (SPARK_TRANSPORT (self), error);
}

static void
emit_event (SparkSseTransport *self,
            Request           *request,
            JsonObject        *event)
{
  SparkEventKind kind = spark_responses_event_kind (event);

  if (spark_responses_kind_is_terminal (kind))
    {
      request->terminal_seen = TRUE;
      detach_request (self);
    }

  spark_transport_emit_event (SPARK_TRANSPORT (self), event);
}

static void
chat_emit_cb (JsonObject *event,
              gpointer    user_data)
{
  Request *request = user_data;

  if (request->self != NULL)
    emit_event (request->self, request, event);
}

/* One event's data, from the parser. Returns FALSE once the request is
 * over (failed, or detached after its terminal event). The caller holds a
 * reference on the transport for the whole chunk. */
/* Out of line: its message's locals would cost every event of dispatch()
 * a few instructions. */
G_GNUC_NO_INLINE static void
fail_not_object (Request    *request,
                 const char *data,
                 gsize       len)
{
  g_autofree char *snippet = spark_responses_snippet (data, len);
  g_autoptr(GError) error = NULL;

  error = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                       _("Server sent a chunk that is not a JSON object: %s"), snippet);
  fail_request (request, error);
}

static gboolean
dispatch (const char *data,
          gsize       len,
          gpointer    user_data)
{
  Request *request = user_data;
  SparkSseTransport *self = request->self;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return FALSE;

  if (len == 6 && memcmp (data, "[DONE]", 6) == 0)
    {
      /* OpenAI sends no [DONE] on /responses, some other servers do. */
      if (request->chat != NULL)
        spark_chat_stream_finish (request->chat);
      return request->self != NULL;
    }

  if (request->chat != NULL)
    {
      g_autoptr(JsonObject) chunk = NULL;

      if (!(chunk = spark_json_parse_object (data, len, &error)))
        {
          fail_not_object (request, data, len);
          return FALSE;
        }

      if (!spark_chat_stream_feed (request->chat, chunk, &error))
        fail_request (request, error);
      return request->self != NULL;
    }

  /* Most events are deltas: read those without a JSON tree. */
  if (spark_transport_base_scan_delta (&self->base, data, len))
    {
      if (!spark_transport_base_check_delta (&self->base, &request->last_sequence, &error))
        {
          fail_request (request, error);
          return FALSE;
        }
      spark_transport_base_deliver_delta (&self->base, SPARK_TRANSPORT (self));
      return request->self != NULL;
    }

  if (!(event = spark_responses_parse_event (data, len, &error)) ||
      !spark_responses_check_sequence (event, &request->last_sequence, &error))
    {
      fail_request (request, error);
      return FALSE;
    }

  emit_event (self, request, event);
  return request->self != NULL;
}

/* Armed once per quiet period, not once per read (see the WebSocket
 * transport): a read only notes the time, and the timer, when it fires
 * early, waits for what is left. */
static gboolean
idle_timeout_cb (gpointer data)
{
  Request *request = data;
  g_autoptr(GError) error = NULL;
  gint64 idle_us, timeout_us;

  request->idle_source = 0;
  if (request->self == NULL)
    return G_SOURCE_REMOVE;

  idle_us = g_get_monotonic_time () - request->last_activity;
  timeout_us = (gint64) request->self->idle_timeout_ms * 1000;
  if (idle_us < timeout_us)
    {
      request->idle_source = g_timeout_add ((timeout_us - idle_us + 999) / 1000, idle_timeout_cb, request);
      return G_SOURCE_REMOVE;
    }

  error = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TIMEOUT,
                       /* translators: %u is a number of milliseconds */
                       _("No event from the server for %u ms"), request->self->idle_timeout_ms);
  /* The pending read sees the cancellation and frees the request. */
  fail_request (request, error);
  return G_SOURCE_REMOVE;
}

static void
restart_idle_timer (Request *request)
{
  request->last_activity = g_get_monotonic_time ();
  if (request->self == NULL || request->self->idle_timeout_ms == 0)
    g_clear_handle_id (&request->idle_source, g_source_remove);
  else if (request->idle_source == 0)
    request->idle_source = g_timeout_add (request->self->idle_timeout_ms, idle_timeout_cb, request);
}

static void read_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data);

static void
read_next (Request *request)
{
  g_input_stream_read_bytes_async (request->stream, READ_SIZE, G_PRIORITY_DEFAULT,
                                   request->cancellable, read_cb, request);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(SparkSseTransport) hold = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  gsize length = 0;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  data = bytes ? g_bytes_get_data (bytes, &length) : NULL;

  if (request->self == NULL)
    {
      if (request->draining && error == NULL && length > 0)
        read_next (request);
      else
        {
          /* At the end of the body, closing hands the connection back for reuse. */
          if (request->draining && error == NULL)
            {
              g_input_stream_close (request->stream, NULL, NULL);
              g_clear_object (&request->cancellable);
            }
          request_free (request);
        }
      return;
    }

  if (error != NULL)
    {
      g_autoptr(GError) wrapped = NULL;

      wrapped = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED,
                             _("Event stream broke: %s"), error->message);
      fail_request (request, wrapped);
      request_free (request);
      return;
    }

  /* The events of this chunk may drop the last other reference. */
  hold = g_object_ref (request->self);

  if (length == 0)
    {
      /* EOF: a last event without its blank line still counts. */
      if (!spark_sse_parser_finish (request->parser, dispatch, request, &error))
        fail_request (request, error);

      if (request->self != NULL && request->chat != NULL && !request->terminal_seen)
        spark_chat_stream_finish (request->chat);

      if (request->self != NULL)
        {
          g_autoptr(GError) closed = NULL;

          closed = g_error_new_literal (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED,
                                        _("Stream closed before response.completed"));
          fail_request (request, closed);
        }
      request_free (request);
      return;
    }

  restart_idle_timer (request);

  if (!spark_sse_parser_feed (request->parser, data, length, dispatch, request, &error))
    fail_request (request, error);

  if (request->self == NULL && !request->draining)
    {
      request_free (request);
      return;
    }

  read_next (request);
}

static void
error_body_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  const char *message = NULL;
  guint status = soup_message_get_status (request->msg);
  SparkAgentError code;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, NULL);

  if (bytes != NULL && g_bytes_get_size (bytes) > 0 &&
      (body = spark_json_parse_object (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL)))
    message = spark_json_get_string (spark_json_get_object (body, "error"), "message");

  if (request->self != NULL && status == 429 /* Too Many Requests */)
    request->self->base.retry_after_ms =
      spark_transport_parse_retry_after (soup_message_headers_get_one (soup_message_get_response_headers (request->msg),
                                                                       "Retry-After"));

  code = status == 429 /* Too Many Requests */ ? SPARK_AGENT_ERROR_RATE_LIMITED :
         status >= 500 ? SPARK_AGENT_ERROR_UNAVAILABLE : SPARK_AGENT_ERROR_HTTP;
  /* OpenAI names the parameter in error.param; FastAPI-style servers (422)
   * only somewhere in their validation details. */
  if ((status == 400 || status == 422) && bytes != NULL && g_bytes_get_size (bytes) > 0)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      if (spark_responses_rejects_context_management (NULL, text))
        code = SPARK_AGENT_ERROR_CONTEXT_MANAGEMENT_REJECTED;
    }

  if (message != NULL)
    /* translators: %1$u is an HTTP status, %2$s its phrase and %3$s the
     * server's message (both often English) */
    error = g_error_new (SPARK_AGENT_ERROR, code, _("HTTP %1$u %2$s: %3$s"),
                         status, soup_message_get_reason_phrase (request->msg), message);
  else
    /* translators: %1$u is an HTTP status, %2$s its phrase (often English) */
    error = g_error_new (SPARK_AGENT_ERROR, code, _("HTTP %1$u %2$s"),
                         status, soup_message_get_reason_phrase (request->msg));
  fail_request (request, error);
  request_free (request);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (request->self == NULL)
    {
      request_free (request);
      return;
    }

  if (stream == NULL)
    {
      g_autoptr(GError) wrapped = NULL;

      wrapped = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CONNECT,
                             /* translators: %1$s is an address, %2$s why */
                             _("Could not reach %1$s: %2$s"), request->self->base.endpoint,
                             error->message);
      fail_request (request, wrapped);
      request_free (request);
      return;
    }

  status = soup_message_get_status (request->msg);
  g_debug ("HTTP %u on connection %" G_GUINT64_FORMAT, status,
           soup_message_get_connection_id (request->msg));
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_input_stream_read_bytes_async (stream, MAX_ERROR_BODY, G_PRIORITY_DEFAULT,
                                       request->cancellable, error_body_cb, request);
      return;
    }

  request->stream = g_steal_pointer (&stream);
  read_next (request);
}

static void
spark_sse_transport_connect_async (SparkTransport      *transport,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  SparkSseTransport *self = SPARK_SSE_TRANSPORT (transport);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_sse_transport_connect_async);

  /* Nothing to open ahead of time: each request is its own POST. */
  if (!spark_endpoint_check_key_safe (self->base.endpoint, self->base.api_key, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->base.connected_at == 0)
    {
      self->base.generation++;
      self->base.connected_at = g_get_monotonic_time ();
    }

  g_task_return_boolean (task, TRUE);
}

static gboolean
spark_sse_transport_connect_finish (SparkTransport  *transport,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
spark_sse_transport_send (SparkTransport  *transport,
                          JsonObject      *body,
                          GError         **error)
{
  SparkSseTransport *self = SPARK_SSE_TRANSPORT (transport);
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *url = NULL;
  g_autofree char *base = NULL;
  g_autofree char *text = NULL;
  SoupMessageHeaders *headers;
  Request *request;
  gsize len;

  if (self->request != NULL)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_BUSY,
                           _("A response is already streaming"));
      return FALSE;
    }

  if (!spark_endpoint_check_key_safe (self->base.endpoint, self->base.api_key, error))
    return FALSE;

  base = g_strdup (self->base.endpoint);
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';

  if (self->wire_api == SPARK_WIRE_API_CHAT)
    {
      url = g_strconcat (base, "/chat/completions", NULL);
      payload = spark_chat_build_request (body);
    }
  else
    {
      GList *members = json_object_get_members (body);

      url = g_strconcat (base, "/responses", NULL);
      payload = json_object_new ();
      for (const GList *l = members; l != NULL; l = l->next)
        {
          if (g_strcmp0 (l->data, "type") != 0)
            json_object_set_member (payload, l->data,
                                    json_node_copy (json_object_get_member (body, l->data)));
        }
      g_list_free (members);
      json_object_set_boolean_member (payload, "stream", TRUE);
    }

  request = g_new0 (Request, 1);
  request->self = self;
  request->cancellable = g_cancellable_new ();
  request->parser = spark_sse_parser_new (SPARK_MAX_FRAME_SIZE);
  request->last_sequence = -1;
  if (self->wire_api == SPARK_WIRE_API_CHAT)
    request->chat = spark_chat_stream_new (chat_emit_cb, request);

  if (!(request->msg = soup_message_new ("POST", url)))
    {
      request_free (request);
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED,
                   _("Invalid endpoint “%s”"), self->base.endpoint);
      return FALSE;
    }

  text = spark_responses_to_string (payload);
  len = strlen (text);
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  soup_message_set_request_body_from_bytes (request->msg, "application/json", bytes);

  headers = soup_message_get_request_headers (request->msg);
  soup_message_headers_replace (headers, "Accept", "text/event-stream");
  if (self->fresh_connections)
    soup_message_headers_replace (headers, "Connection", "close");
  else
    /* libsoup sends a POST on a pooled connection only if it may resend it
     * should that connection turn out closed. Our own recovery resends the
     * same request after any failure, so that is safe here. */
    soup_message_add_flags (request->msg, SOUP_MESSAGE_IDEMPOTENT);
  if (self->base.api_key != NULL && self->base.api_key[0] != '\0')
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->base.api_key, NULL);
      soup_message_headers_replace (headers, "Authorization", auth);
    }

  self->request = request;
  self->base.retry_after_ms = 0;
  restart_idle_timer (request);
  soup_session_send_async (self->session, request->msg, G_PRIORITY_DEFAULT, request->cancellable,
                           send_cb, request);

  return TRUE;
}

static void
spark_sse_transport_cancel_stream (SparkTransport *transport)
{
  finish_request (SPARK_SSE_TRANSPORT (transport));
}

static void
spark_sse_transport_close (SparkTransport *transport)
{
  SparkSseTransport *self = SPARK_SSE_TRANSPORT (transport);

  finish_request (self);
  self->base.connected_at = 0;
}

static gboolean
spark_sse_transport_is_connected (SparkTransport *transport)
{
  return SPARK_SSE_TRANSPORT (transport)->base.connected_at != 0;
}

static gboolean
spark_sse_transport_supports_continuation (SparkTransport *transport)
{
  /* We send store:false, and over HTTP previous_response_id needs stored
   * responses: always send the full input. */
  return FALSE;
}

static SparkTransportBase *
spark_sse_transport_get_base (SparkTransport *transport)
{
  return &SPARK_SSE_TRANSPORT (transport)->base;
}

static void
transport_iface_init (SparkTransportInterface *iface)
{
  iface->get_base = spark_sse_transport_get_base;
  iface->connect_async = spark_sse_transport_connect_async;
  iface->connect_finish = spark_sse_transport_connect_finish;
  iface->send = spark_sse_transport_send;
  iface->cancel_stream = spark_sse_transport_cancel_stream;
  iface->close = spark_sse_transport_close;
  iface->is_connected = spark_sse_transport_is_connected;
  iface->supports_continuation = spark_sse_transport_supports_continuation;
}

static void
spark_sse_transport_dispose (GObject *object)
{
  SparkSseTransport *self = (SparkSseTransport *)object;

  finish_request (self);
  g_cancellable_cancel (self->drain_cancellable);
  g_clear_object (&self->drain_cancellable);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (spark_sse_transport_parent_class)->dispose (object);
}

static void
spark_sse_transport_finalize (GObject *object)
{
  SparkSseTransport *self = (SparkSseTransport *)object;

  spark_transport_base_clear (&self->base);

  G_OBJECT_CLASS (spark_sse_transport_parent_class)->finalize (object);
}

static void
spark_sse_transport_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SparkSseTransport *self = SPARK_SSE_TRANSPORT (object);

  if (spark_transport_base_get_property (&self->base, pspec, value))
    return;

  switch (prop_id)
    {
    case PROP_WIRE_API:
      g_value_set_enum (value, self->wire_api);
      break;

    case PROP_FRESH_CONNECTIONS:
      g_value_set_boolean (value, self->fresh_connections);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_sse_transport_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SparkSseTransport *self = SPARK_SSE_TRANSPORT (object);

  if (spark_transport_base_set_property (&self->base, pspec, value))
    return;

  switch (prop_id)
    {
    case PROP_WIRE_API:
      self->wire_api = g_value_get_enum (value);
      break;

    case PROP_FRESH_CONNECTIONS:
      spark_sse_transport_set_fresh_connections (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_sse_transport_class_init (SparkSseTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spark_sse_transport_dispose;
  object_class->finalize = spark_sse_transport_finalize;
  object_class->get_property = spark_sse_transport_get_property;
  object_class->set_property = spark_sse_transport_set_property;

  properties[PROP_WIRE_API] =
    g_param_spec_enum ("wire-api", NULL, NULL,
                       SPARK_TYPE_WIRE_API, SPARK_WIRE_API_RESPONSES,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* Send "Connection: close" so every request opens a new connection. */
  properties[PROP_FRESH_CONNECTIONS] =
    g_param_spec_boolean ("fresh-connections", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
  spark_transport_base_override_properties (object_class, PROP_ENDPOINT, PROP_API_KEY);
}

static void
spark_sse_transport_init (SparkSseTransport *self)
{
  self->session = soup_session_new_with_options ("user-agent", "Spark/" PACKAGE_VERSION, NULL);
  self->drain_cancellable = g_cancellable_new ();
  self->idle_timeout_ms = 300000;
  spark_transport_base_init (&self->base);
}

SparkSseTransport *
spark_sse_transport_new (const char   *endpoint,
                         const char   *api_key,
                         SparkWireApi  wire_api)
{
  return g_object_new (SPARK_TYPE_SSE_TRANSPORT,
                       "endpoint", endpoint,
                       "api-key", api_key,
                       "wire-api", wire_api,
                       NULL);
}

SparkWireApi
spark_sse_transport_get_wire_api (SparkSseTransport *self)
{
  g_return_val_if_fail (SPARK_IS_SSE_TRANSPORT (self), SPARK_WIRE_API_RESPONSES);

  return self->wire_api;
}

gboolean
spark_sse_transport_get_fresh_connections (SparkSseTransport *self)
{
  g_return_val_if_fail (SPARK_IS_SSE_TRANSPORT (self), FALSE);

  return self->fresh_connections;
}

void
spark_sse_transport_set_fresh_connections (SparkSseTransport *self,
                                           gboolean           fresh)
{
  g_return_if_fail (SPARK_IS_SSE_TRANSPORT (self));

  fresh = !!fresh;
  if (self->fresh_connections != fresh)
    {
      self->fresh_connections = fresh;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRESH_CONNECTIONS]);
    }
}

void
spark_sse_transport_set_tls_database (SparkSseTransport *self,
                                      GTlsDatabase      *database)
{
  g_return_if_fail (SPARK_IS_SSE_TRANSPORT (self));

  g_object_set (self->session, "tls-database", database, NULL);
}

/* Milliseconds without a line from the server before a streaming request
 * fails with SPARK_AGENT_ERROR_TIMEOUT; 0 disables. */
void
spark_sse_transport_set_idle_timeout (SparkSseTransport *self,
                                      guint              idle_timeout_ms)
{
  g_return_if_fail (SPARK_IS_SSE_TRANSPORT (self));

  self->idle_timeout_ms = idle_timeout_ms;
}
