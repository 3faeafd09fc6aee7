/* spark-transport.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-transport"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "spark-transport.h"

G_DEFINE_INTERFACE (SparkTransport, spark_transport, G_TYPE_OBJECT)

enum {
  EVENT,
  STREAM_FAILED,
  DISCONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
spark_transport_real_steer (SparkTransport  *self,
                            JsonObject      *steer,
                            GError         **error)
{
  g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED,
                       _("Steering needs the WebSocket transport"));
  return FALSE;
}

static void
spark_transport_default_init (SparkTransportInterface *iface)
{
  iface->steer = spark_transport_real_steer;

  /**
   * SparkTransport::event:
   * @event: a #JsonObject, one server event
   *
   * Emitted for every event of the request in flight.
   */
  signals[EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1, JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[EVENT], G_TYPE_FROM_INTERFACE (iface),
                              g_cclosure_marshal_VOID__BOXEDv);

  /**
   * SparkTransport::stream-failed:
   * @error: why the stream broke
   *
   * Emitted when the request in flight ends without a terminal event:
   * connection dropped, bad frame, idle timeout, HTTP error.
   */
  signals[STREAM_FAILED] =
    g_signal_new ("stream-failed",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * SparkTransport::disconnected:
   *
   * Emitted when a persistent connection ended by itself (the server
   * closed it, or it broke), in flight or idle: spark_transport_is_connected()
   * is FALSE from now on.
   */
  signals[DISCONNECTED] =
    g_signal_new ("disconnected",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_object_interface_install_property (iface,
                                       g_param_spec_string ("endpoint", NULL, NULL,
                                                            NULL,
                                                            (G_PARAM_READWRITE |
                                                             G_PARAM_CONSTRUCT_ONLY |
                                                             G_PARAM_STATIC_STRINGS)));
  g_object_interface_install_property (iface,
                                       g_param_spec_string ("api-key", NULL, NULL,
                                                            NULL,
                                                            (G_PARAM_WRITABLE |
                                                             G_PARAM_CONSTRUCT_ONLY |
                                                             G_PARAM_STATIC_STRINGS)));
}

void
spark_transport_connect_async (SparkTransport      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (SPARK_IS_TRANSPORT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  SPARK_TRANSPORT_GET_IFACE (self)->connect_async (self, cancellable, callback, user_data);
}

gboolean
spark_transport_connect_finish (SparkTransport  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (SPARK_IS_TRANSPORT (self), FALSE);

  return SPARK_TRANSPORT_GET_IFACE (self)->connect_finish (self, result, error);
}

gboolean
spark_transport_send (SparkTransport  *self,
                      JsonObject      *request,
                      GError         **error)
{
  g_return_val_if_fail (SPARK_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);

  return SPARK_TRANSPORT_GET_IFACE (self)->send (self, request, error);
}

gboolean
spark_transport_steer (SparkTransport  *self,
                       JsonObject      *steer,
                       GError         **error)
{
  g_return_val_if_fail (SPARK_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (steer != NULL, FALSE);

  return SPARK_TRANSPORT_GET_IFACE (self)->steer (self, steer, error);
}

void
spark_transport_cancel_stream (SparkTransport *self)
{
  g_return_if_fail (SPARK_IS_TRANSPORT (self));

  SPARK_TRANSPORT_GET_IFACE (self)->cancel_stream (self);
}

void
spark_transport_close (SparkTransport *self)
{
  g_return_if_fail (SPARK_IS_TRANSPORT (self));

  SPARK_TRANSPORT_GET_IFACE (self)->close (self);
}

gboolean
spark_transport_is_connected (SparkTransport *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSPORT (self), FALSE);

  return SPARK_TRANSPORT_GET_IFACE (self)->is_connected (self);
}

gboolean
spark_transport_supports_continuation (SparkTransport *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSPORT (self), FALSE);

  return SPARK_TRANSPORT_GET_IFACE (self)->supports_continuation (self);
}

static SparkTransportBase *
get_base (SparkTransport *self)
{
  return SPARK_TRANSPORT_GET_IFACE (self)->get_base (self);
}

guint
spark_transport_get_generation (SparkTransport *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSPORT (self), 0);

  return get_base (self)->generation;
}

gint64
spark_transport_get_connected_at (SparkTransport *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSPORT (self), 0);

  return get_base (self)->connected_at;
}

/**
 * spark_transport_set_delta_func:
 * @func: (nullable): where streaming deltas go, or %NULL
 *
 * Hands streaming deltas to @func by a direct call, read without building
 * a JSON tree, instead of through ::event. This is the hot path of a
 * response, one call per token, for its one consumer (the session): an
 * interface signal never takes GLib's single-handler fast path, and cost
 * more than the rest of the work on a delta. With no function (the
 * default), every event comes through ::event as a #JsonObject.
 */
void
spark_transport_set_delta_func (SparkTransport          *self,
                                SparkTransportDeltaFunc  func,
                                gpointer                 user_data)
{
  SparkTransportBase *base;

  g_return_if_fail (SPARK_IS_TRANSPORT (self));

  base = get_base (self);
  base->delta_func = func;
  base->delta_data = user_data;
}

guint
spark_transport_get_retry_after (SparkTransport *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSPORT (self), 0);

  return get_base (self)->retry_after_ms;
}

void
spark_transport_base_init (SparkTransportBase *base)
{
  memset (base, 0, sizeof *base);
  spark_delta_init (&base->delta);
}

void
spark_transport_base_clear (SparkTransportBase *base)
{
  g_clear_pointer (&base->endpoint, g_free);
  g_clear_pointer (&base->api_key, g_free);
  spark_delta_clear (&base->delta);
}

/* Installs the interface's "endpoint" and "api-key" on @klass. */
void
spark_transport_base_override_properties (GObjectClass *klass,
                                          guint         endpoint_id,
                                          guint         api_key_id)
{
  g_object_class_override_property (klass, endpoint_id, "endpoint");
  g_object_class_override_property (klass, api_key_id, "api-key");
}

/* For a transport's get_property(): whether @pspec was one of the
 * interface's, now read into @value. */
gboolean
spark_transport_base_get_property (SparkTransportBase *base,
                                   GParamSpec         *pspec,
                                   GValue             *value)
{
  if (g_str_equal (pspec->name, "endpoint"))
    {
      g_value_set_string (value, base->endpoint);
      return TRUE;
    }

  return FALSE;
}

/* For a transport's set_property(): whether @pspec was one of the
 * interface's, now set from @value. No endpoint means OpenAI's. */
gboolean
spark_transport_base_set_property (SparkTransportBase *base,
                                   GParamSpec         *pspec,
                                   const GValue       *value)
{
  if (g_str_equal (pspec->name, "endpoint"))
    {
      g_free (base->endpoint);
      base->endpoint = g_value_dup_string (value);
      if (base->endpoint == NULL)
        base->endpoint = g_strdup (SPARK_DEFAULT_ENDPOINT);
      return TRUE;
    }

  if (g_str_equal (pspec->name, "api-key"))
    {
      g_free (base->api_key);
      base->api_key = g_value_dup_string (value);
      return TRUE;
    }

  return FALSE;
}

/* Whether the event text @data is a delta for the fast path (someone
 * takes deltas, none is being delivered), now read into base->delta.
 * Otherwise the event goes the slow way, through a JSON tree. */
gboolean
spark_transport_base_scan_delta (SparkTransportBase *base,
                                 const char         *data,
                                 gsize               length)
{
  return base->delta_func != NULL && !base->in_delta && spark_delta_scan (&base->delta, data, length);
}

/* The sequence_number check of the delta scanned last. */
gboolean
spark_transport_base_check_delta (SparkTransportBase  *base,
                                  gint64              *last_sequence,
                                  GError             **error)
{
  return spark_responses_check_sequence_number (base->delta.sequence,
                                                spark_delta_kind_type (base->delta.kind),
                                                last_sequence, error);
}

/* Hands the delta scanned last to the delta function. */
void
spark_transport_base_deliver_delta (SparkTransportBase *base,
                                    SparkTransport     *transport)
{
  base->in_delta = TRUE;
  base->delta_func (transport, base->delta.kind,
                    base->delta.has_item_id ? base->delta.item_id->str : NULL,
                    base->delta.delta->str, base->delta_data);
  base->in_delta = FALSE;
}

/* A Retry-After header value (delay-seconds or an HTTP date) in
 * milliseconds from now, at most G_MAXUINT; 0 if absent or unreadable. */
guint
spark_transport_parse_retry_after (const char *value)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds;
  GTimeSpan span;

  if (value == NULL)
    return 0;

  while (g_ascii_isspace (*value))
    value++;

  if (g_ascii_isdigit (*value))
    {
      char *end = NULL;

      seconds = g_ascii_strtoull (value, &end, 10);
      while (end != NULL && g_ascii_isspace (*end))
        end++;
      if (end == NULL || *end != '\0')
        return 0;
      return seconds >= G_MAXUINT / 1000 ? G_MAXUINT : (guint) (seconds * 1000);
    }

  if ((date = soup_date_time_new_from_http_string (value)) == NULL)
    return 0;
  now = g_date_time_new_now_utc ();
  span = g_date_time_difference (date, now);
  if (span <= 0)
    return 0;
  return span / 1000 >= G_MAXUINT ? G_MAXUINT : (guint) (span / 1000);
}

void
spark_transport_emit_event (SparkTransport *self,
                            JsonObject     *event)
{
  g_return_if_fail (SPARK_IS_TRANSPORT (self));

  g_signal_emit (self, signals[EVENT], 0, event);
}

void
spark_transport_emit_disconnected (SparkTransport *self)
{
  g_return_if_fail (SPARK_IS_TRANSPORT (self));

  g_signal_emit (self, signals[DISCONNECTED], 0);
}

void
spark_transport_emit_stream_failed (SparkTransport *self,
                                    const GError   *error)
{
  g_return_if_fail (SPARK_IS_TRANSPORT (self));

  g_signal_emit (self, signals[STREAM_FAILED], 0, error);
}
