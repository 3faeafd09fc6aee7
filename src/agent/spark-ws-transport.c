/* spark-ws-transport.c — the Responses API in WebSocket mode.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-ws-transport"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-responses.h"
#include "spark-ws-client.h"
#include "spark-ws-transport.h"

#define CONNECT_TIMEOUT_SECONDS 15

/* translators: %1$u is an HTTP status, %2$s its phrase (English) */
#define UPGRADE_REFUSED _("WebSocket upgrade refused: HTTP %1$u %2$s")

struct _SparkWsTransport
{
  GObject                  parent_instance;

  SparkTransportBase       base;
  SparkWsClient           *conn;
  GTlsDatabase            *tls_database;

  guint64                  max_frame_size;
  guint                    idle_timeout_ms;
  guint                    keepalive;
  guint                    idle_source;
  gint64                   last_activity;   /* monotonic µs: the request or its last event */
  guint                    requests_on_conn;   /* response.create frames sent on this socket */
  guint                    events_in_request;  /* events received for the one in flight */
  gint64                   last_sequence;      /* its last sequence_number, or -1 */

  guint                    in_flight : 1;
};

static void transport_iface_init (SparkTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SparkWsTransport, spark_ws_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SPARK_TYPE_TRANSPORT, transport_iface_init))

enum {
  PROP_0,
  PROP_IDLE_TIMEOUT,
  PROP_KEEPALIVE,
  N_PROPS,

  PROP_ENDPOINT = N_PROPS,
  PROP_API_KEY,
};

static GParamSpec *properties[N_PROPS];

static void
stop_idle_timer (SparkWsTransport *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
}

static const SparkWsClientFuncs no_funcs = { NULL, NULL };

static void
drop_connection (SparkWsTransport *self)
{
  g_autoptr(SparkWsClient) conn = g_steal_pointer (&self->conn);

  stop_idle_timer (self);

  if (conn == NULL)
    return;

  /* Nothing more from it reaches this transport; a close frame says goodbye. */
  spark_ws_client_start (conn, &no_funcs, NULL);
  spark_ws_client_close (conn, 1000, NULL);
}

/* Ends the request in flight with @error and drops the socket, so the next
 * request starts on a fresh connection. */
static void
fail_stream (SparkWsTransport *self,
             const GError     *error)
{
  g_autoptr(SparkWsTransport) hold = g_object_ref (self);
  gboolean was_in_flight = self->in_flight;

  g_debug ("Stream failed: %s", error->message);

  self->in_flight = FALSE;
  drop_connection (self);

  if (was_in_flight)
    spark_transport_emit_stream_failed (SPARK_TRANSPORT (self), error);
  spark_transport_emit_disconnected (SPARK_TRANSPORT (self));
}

/* The idle timer is armed once per quiet period, not once per event: an
 * event only notes the time, and the timer, when it fires early, waits for
 * what is left. Re-arming a GSource for every one of thousands of deltas a
 * second cost more than handling the delta. */
static gboolean
idle_timeout_cb (gpointer data)
{
  SparkWsTransport *self = data;
  g_autoptr(GError) error = NULL;
  gint64 idle_us = g_get_monotonic_time () - self->last_activity;
  gint64 timeout_us = (gint64) self->idle_timeout_ms * 1000;

  self->idle_source = 0;
  if (idle_us < timeout_us)
    {
      self->idle_source = g_timeout_add ((timeout_us - idle_us + 999) / 1000, idle_timeout_cb, self);
      return G_SOURCE_REMOVE;
    }

  error = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TIMEOUT,
                       /* translators: %u is a number of milliseconds */
                       _("No event from the server for %u ms"), self->idle_timeout_ms);
  fail_stream (self, error);

  return G_SOURCE_REMOVE;
}

static void
restart_idle_timer (SparkWsTransport *self)
{
  self->last_activity = g_get_monotonic_time ();
  if (!self->in_flight || self->idle_timeout_ms == 0)
    stop_idle_timer (self);
  else if (self->idle_source == 0)
    self->idle_source = g_timeout_add (self->idle_timeout_ms, idle_timeout_cb, self);
}

static void
on_message (SparkWsClient *conn,
            gboolean       text,
            const char    *data,
            gsize          length,
            gpointer       user_data)
{
  SparkWsTransport *self = user_data;
  g_autoptr(SparkWsTransport) hold = g_object_ref (self);
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(GError) error = NULL;
  SparkEventKind kind;

  if (!text)
    {
      error = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "Server sent a binary frame (%lu byte); the Responses "
                                        "API sends JSON text frames only",
                                        "Server sent a binary frame (%lu bytes); the Responses "
                                        "API sends JSON text frames only", length),
                           (gulong) length);
      fail_stream (self, error);
      return;
    }

  /* Most frames are deltas: read those without a JSON tree. */
  if (spark_transport_base_scan_delta (&self->base, data, length))
    {
      if (!self->in_flight)
        {
          g_debug ("Ignoring a delta outside a request");
          return;
        }
      if (!spark_transport_base_check_delta (&self->base, &self->last_sequence, &error))
        {
          fail_stream (self, error);
          return;
        }
      self->events_in_request++;
      restart_idle_timer (self);
      spark_transport_base_deliver_delta (&self->base, SPARK_TRANSPORT (self));
      return;
    }

  if (!(event = spark_responses_parse_event (data, length, &error)))
    {
      fail_stream (self, error);
      return;
    }

  if (!self->in_flight)
    {
      g_debug ("Ignoring “%s” event outside a request", spark_json_get_string (event, "type"));
      return;
    }

  if (!spark_responses_check_sequence (event, &self->last_sequence, &error))
    {
      fail_stream (self, error);
      return;
    }

  self->events_in_request++;
  kind = spark_responses_event_kind (event);
  if (spark_responses_kind_is_terminal (kind))
    {
      self->in_flight = FALSE;
      stop_idle_timer (self);
    }
  else
    {
      restart_idle_timer (self);
    }

  spark_transport_emit_event (SPARK_TRANSPORT (self), event);
}

static gboolean
close_code_is_recoverable (gushort code)
{
  /* As openai-node's isRecoverableClose(): going away, no status, abnormal
   * end, server error, restart, try again later, TLS. Every other code
   * (protocol, policy, too big, the application's 4xxx...) will not get
   * better by retrying. */
  switch (code)
    {
    case 1001: case 1005: case 1006: case 1011: case 1012: case 1013: case 1015:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The server closed the socket (with @code, or 0 when no close frame came)
 * before the request in flight completed. */
static void
fail_closed (SparkWsTransport *self,
             gushort           code,
             const char       *reason)
{
  g_autoptr(GError) error = NULL;
  SparkAgentError error_code;

  g_debug ("Server closed the socket (code %u)", code);

  /* A clean 1000 mid-response is still "closed before completion": retry it.
   * So is any close that crossed a request on a socket that had served
   * others, before a single event of it came: the server was closing the
   * idle socket, not refusing this request (a fresh socket tells). */
  error_code = (code == 0 || code == 1000 || close_code_is_recoverable (code) ||
                (self->requests_on_conn > 1 && self->events_in_request == 0))
                 ? SPARK_AGENT_ERROR_CLOSED : SPARK_AGENT_ERROR_CLOSED_FINAL;

  /* 0 when the connection ended without a close frame, which the protocol
   * calls 1006 (abnormal closure). */
  if (code == 0)
    error = g_error_new_literal (SPARK_AGENT_ERROR, error_code,
                                 _("WebSocket connection lost before response.completed "
                                   "(code 1006, without a close frame)"));
  else if (reason != NULL && *reason != '\0')
    /* translators: %1$u is a WebSocket close code, %2$s the server's reason, often English */
    error = g_error_new (SPARK_AGENT_ERROR, error_code,
                         _("WebSocket closed by server before response.completed "
                           "(code %1$u: %2$s)"), code, reason);
  else
    /* translators: %u is a WebSocket close code */
    error = g_error_new (SPARK_AGENT_ERROR, error_code,
                         _("WebSocket closed by server before response.completed "
                           "(code %u)"), code);
  fail_stream (self, error);
}

/* The connection is over: the server closed it (@code, with a close
 * frame), it broke (no code), or the client refused what came (@error). */
static void
on_closed (SparkWsClient *conn,
           gushort        code,
           const char    *reason,
           const GError  *error,
           gpointer       user_data)
{
  SparkWsTransport *self = user_data;
  g_autoptr(GError) wrapped = NULL;

  if (code != 0 || error == NULL ||
      g_error_matches (error, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_CLOSED))
    {
      fail_closed (self, code, reason);
      return;
    }

  /* Say what was wrong with the frame, the client's words in brackets. */
  if (g_error_matches (error, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_NOT_UTF8))
    wrapped = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                           /* translators: %s says what was wrong, in a sentence of its own */
                           _("Server sent a text frame that is not UTF-8 text (%s)"), error->message);
  else if (g_error_matches (error, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_TOO_BIG))
    {
      g_autofree char *limit = g_format_size_full (self->max_frame_size, G_FORMAT_SIZE_IEC_UNITS);

      /* translators: %1$s is a size, as “64.0 MiB”; %2$s says what came, in a sentence */
      wrapped = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                             _("Server sent a frame larger than %1$s (%2$s)"), limit, error->message);
    }
  else
    wrapped = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                           _("WebSocket error: %s"), error->message);
  fail_stream (self, wrapped);
}

static const SparkWsClientFuncs conn_funcs = { on_message, on_closed };

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SparkWsTransport *self = g_task_get_source_object (task);
  g_autoptr(SparkWsClient) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *phrase = NULL;
  g_autofree char *header = NULL;
  guint status = 0;

  conn = spark_ws_client_connect_finish (result, &status, &phrase, &header, &error);
  self->base.retry_after_ms = 0;

  if (conn == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (status == 429 /* Too Many Requests */)
        {
          self->base.retry_after_ms = spark_transport_parse_retry_after (header);
          if (header != NULL)
            /* translators: %1$u is an HTTP status, %2$s its phrase (English), %3$s
             * the Retry-After header's value (seconds or a date) */
            g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_RATE_LIMITED,
                                     _("WebSocket upgrade refused: HTTP %1$u %2$s "
                                       "(Retry-After: %3$s)"),
                                     status, phrase, header);
          else
            g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_RATE_LIMITED,
                                     UPGRADE_REFUSED, status, phrase);
        }
      else if (status == 426 /* Upgrade Required */ || status == 404 /* Not Found */ ||
               status == 405 /* Method Not Allowed */)
        g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_WS_UNSUPPORTED,
                                 /* translators: %1$u is an HTTP status, %2$s its phrase (English) */
                                 _("Server does not offer WebSocket mode (HTTP %1$u %2$s)"),
                                 status, phrase);
      else if (status >= 500 && status < 600)
        g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_UNAVAILABLE,
                                 /* translators: %1$u is an HTTP status, %2$s its phrase (English) */
                                 _("WebSocket upgrade failed: HTTP %1$u %2$s"), status, phrase);
      else if (status >= 100 && status != 101 /* Switching Protocols */)
        g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_HTTP,
                                 UPGRADE_REFUSED, status, phrase);
      else
        g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CONNECT,
                                 /* translators: %1$s is an address, %2$s why */
                                 _("Could not connect to %1$s: %2$s"),
                                 self->base.endpoint, error->message);
      return;
    }

  drop_connection (self);
  self->conn = g_steal_pointer (&conn);
  self->requests_on_conn = 0;
  self->base.generation++;
  self->base.connected_at = g_get_monotonic_time ();

  spark_ws_client_set_max_message_size (self->conn, self->max_frame_size);
  spark_ws_client_set_keepalive (self->conn, self->keepalive);
  spark_ws_client_start (self->conn, &conn_funcs, self);

  g_task_return_boolean (task, TRUE);
}

static void
destroy_source (gpointer data)
{
  g_source_destroy (data);
  g_source_unref (data);
}

static gboolean
connect_timeout_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
spark_ws_transport_connect_async (SparkTransport      *transport,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  SparkWsTransport *self = SPARK_WS_TRANSPORT (transport);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) timeout_cancellable = NULL;
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  const char *headers[5] = { NULL };
  guint n_headers = 0;
  GSource *source;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_ws_transport_connect_async);

  if (self->conn != NULL && spark_ws_client_is_open (self->conn))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!(url = spark_endpoint_to_websocket_url (self->base.endpoint, &error)) ||
      !spark_endpoint_check_key_safe (url, self->base.api_key, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->base.api_key != NULL && self->base.api_key[0] != '\0')
    {
      auth = g_strconcat ("Bearer ", self->base.api_key, NULL);
      headers[n_headers++] = "Authorization";
      headers[n_headers++] = auth;
    }
  headers[n_headers++] = "OpenAI-Beta";
  headers[n_headers++] = "responses_websockets=2026-02-06";

  /* Connect timeout: a child cancellable cancelled by a timer or by the caller. */
  timeout_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (g_cancellable_cancel),
                           g_object_ref (timeout_cancellable), g_object_unref);
  source = g_timeout_source_new_seconds (CONNECT_TIMEOUT_SECONDS);
  g_source_set_callback (source, connect_timeout_cb, g_object_ref (timeout_cancellable),
                         g_object_unref);
  g_source_attach (source, NULL);
  g_object_set_data_full (G_OBJECT (task), "timeout-source", source, destroy_source);

  spark_ws_client_connect_async (url, headers, self->tls_database, timeout_cancellable,
                                 connect_cb, g_object_ref (task));
}

static gboolean
spark_ws_transport_connect_finish (SparkTransport  *transport,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), FALSE);

  g_object_set_data (G_OBJECT (result), "timeout-source", NULL);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
send_frame (SparkWsTransport  *self,
            const char        *type,
            JsonObject        *body,
            GError           **error)
{
  g_autoptr(JsonObject) frame = json_object_new ();
  g_autofree char *text = NULL;
  GList *members;

  if (self->conn == NULL || !spark_ws_client_is_open (self->conn))
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED,
                           _("WebSocket is not connected"));
      return FALSE;
    }

  /* The WebSocket body is the POST body flattened at top level, plus "type". */
  json_object_set_string_member (frame, "type", type);
  members = json_object_get_members (body);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      if (g_strcmp0 (l->data, "type") != 0 && g_strcmp0 (l->data, "stream") != 0)
        json_object_set_member (frame, l->data,
                                json_node_copy (json_object_get_member (body, l->data)));
    }
  g_list_free (members);

  text = spark_responses_to_string (frame);
  spark_ws_client_send_text (self->conn, text, strlen (text));

  return TRUE;
}

static gboolean
spark_ws_transport_send (SparkTransport  *transport,
                         JsonObject      *request,
                         GError         **error)
{
  SparkWsTransport *self = SPARK_WS_TRANSPORT (transport);

  if (self->in_flight)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_BUSY,
                           _("A response is already streaming on this connection"));
      return FALSE;
    }

  if (!send_frame (self, "response.create", request, error))
    return FALSE;

  self->requests_on_conn++;
  self->events_in_request = 0;
  self->last_sequence = -1;
  self->in_flight = TRUE;
  restart_idle_timer (self);

  return TRUE;
}

static gboolean
spark_ws_transport_steer (SparkTransport  *transport,
                          JsonObject      *steer,
                          GError         **error)
{
  SparkWsTransport *self = SPARK_WS_TRANSPORT (transport);

  return send_frame (self, "response.steer", steer, error);
}

static void
spark_ws_transport_cancel_stream (SparkTransport *transport)
{
  SparkWsTransport *self = SPARK_WS_TRANSPORT (transport);

  /* There is no cancel event in WebSocket mode: closing is the only abort. */
  if (self->in_flight)
    {
      self->in_flight = FALSE;
      drop_connection (self);
    }
}

static void
spark_ws_transport_close (SparkTransport *transport)
{
  SparkWsTransport *self = SPARK_WS_TRANSPORT (transport);

  self->in_flight = FALSE;
  drop_connection (self);
}

static gboolean
spark_ws_transport_is_connected (SparkTransport *transport)
{
  SparkWsTransport *self = SPARK_WS_TRANSPORT (transport);

  return self->conn != NULL && spark_ws_client_is_open (self->conn);
}

static gboolean
spark_ws_transport_supports_continuation (SparkTransport *transport)
{
  return TRUE;
}

static SparkTransportBase *
spark_ws_transport_get_base (SparkTransport *transport)
{
  return &SPARK_WS_TRANSPORT (transport)->base;
}

static void
transport_iface_init (SparkTransportInterface *iface)
{
  iface->get_base = spark_ws_transport_get_base;
  iface->connect_async = spark_ws_transport_connect_async;
  iface->connect_finish = spark_ws_transport_connect_finish;
  iface->send = spark_ws_transport_send;
  iface->steer = spark_ws_transport_steer;
  iface->cancel_stream = spark_ws_transport_cancel_stream;
  iface->close = spark_ws_transport_close;
  iface->is_connected = spark_ws_transport_is_connected;
  iface->supports_continuation = spark_ws_transport_supports_continuation;
}

static void
spark_ws_transport_dispose (GObject *object)
{
  SparkWsTransport *self = (SparkWsTransport *)object;

  drop_connection (self);
  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (spark_ws_transport_parent_class)->dispose (object);
}

static void
spark_ws_transport_finalize (GObject *object)
{
  SparkWsTransport *self = (SparkWsTransport *)object;

  spark_transport_base_clear (&self->base);

  G_OBJECT_CLASS (spark_ws_transport_parent_class)->finalize (object);
}

static void
spark_ws_transport_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SparkWsTransport *self = SPARK_WS_TRANSPORT (object);

  if (spark_transport_base_get_property (&self->base, pspec, value))
    return;

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout_ms);
      break;

    case PROP_KEEPALIVE:
      g_value_set_uint (value, self->keepalive);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_ws_transport_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SparkWsTransport *self = SPARK_WS_TRANSPORT (object);

  if (spark_transport_base_set_property (&self->base, pspec, value))
    return;

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      spark_ws_transport_set_idle_timeout (self, g_value_get_uint (value));
      break;

    case PROP_KEEPALIVE:
      spark_ws_transport_set_keepalive (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_ws_transport_class_init (SparkWsTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spark_ws_transport_dispose;
  object_class->finalize = spark_ws_transport_finalize;
  object_class->get_property = spark_ws_transport_get_property;
  object_class->set_property = spark_ws_transport_set_property;

  /* Milliseconds without any event before a streaming request is failed. */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL,
                       0, G_MAXUINT, 300000,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Seconds between keep-alive pings; 0 disables them. */
  properties[PROP_KEEPALIVE] =
    g_param_spec_uint ("keepalive", NULL, NULL,
                       0, G_MAXUINT, 20,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
  spark_transport_base_override_properties (object_class, PROP_ENDPOINT, PROP_API_KEY);
}

static void
spark_ws_transport_init (SparkWsTransport *self)
{
  self->idle_timeout_ms = 300000;
  self->keepalive = 20;
  self->max_frame_size = SPARK_MAX_FRAME_SIZE;
  spark_transport_base_init (&self->base);
}

SparkWsTransport *
spark_ws_transport_new (const char *endpoint,
                        const char *api_key)
{
  return g_object_new (SPARK_TYPE_WS_TRANSPORT,
                       "endpoint", endpoint,
                       "api-key", api_key,
                       NULL);
}

guint
spark_ws_transport_get_idle_timeout (SparkWsTransport *self)
{
  g_return_val_if_fail (SPARK_IS_WS_TRANSPORT (self), 0);

  return self->idle_timeout_ms;
}

void
spark_ws_transport_set_idle_timeout (SparkWsTransport *self,
                                     guint             idle_timeout_ms)
{
  g_return_if_fail (SPARK_IS_WS_TRANSPORT (self));

  if (self->idle_timeout_ms != idle_timeout_ms)
    {
      self->idle_timeout_ms = idle_timeout_ms;
      stop_idle_timer (self);
      if (self->in_flight && idle_timeout_ms > 0)
        self->idle_source = g_timeout_add (idle_timeout_ms, idle_timeout_cb, self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
    }
}

guint
spark_ws_transport_get_keepalive (SparkWsTransport *self)
{
  g_return_val_if_fail (SPARK_IS_WS_TRANSPORT (self), 0);

  return self->keepalive;
}

void
spark_ws_transport_set_keepalive (SparkWsTransport *self,
                                  guint             seconds)
{
  g_return_if_fail (SPARK_IS_WS_TRANSPORT (self));

  if (self->keepalive != seconds)
    {
      self->keepalive = seconds;
      if (self->conn != NULL)
        spark_ws_client_set_keepalive (self->conn, seconds);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE]);
    }
}

void
spark_ws_transport_set_tls_database (SparkWsTransport *self,
                                     GTlsDatabase     *database)
{
  g_return_if_fail (SPARK_IS_WS_TRANSPORT (self));
  g_return_if_fail (!database || G_IS_TLS_DATABASE (database));

  g_set_object (&self->tls_database, database);
}

void
spark_ws_transport_set_max_frame_size (SparkWsTransport *self,
                                       guint64           max_frame_size)
{
  g_return_if_fail (SPARK_IS_WS_TRANSPORT (self));

  self->max_frame_size = max_frame_size;
  if (self->conn != NULL)
    spark_ws_client_set_max_message_size (self->conn, max_frame_size);
}
