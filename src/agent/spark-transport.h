/* spark-transport.h — how a Responses request reaches the server.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "spark-agent-types.h"
#include "spark-delta.h"
#include "spark-responses.h"

G_BEGIN_DECLS

#define SPARK_TYPE_TRANSPORT (spark_transport_get_type ())

G_DECLARE_INTERFACE (SparkTransport, spark_transport, SPARK, TRANSPORT, GObject)

/* A streaming delta (output text, reasoning summary, function arguments,
 * custom tool input) that the transport read without a JSON tree, see
 * spark_delta_scan(). The strings are valid for the call only. */
typedef void (*SparkTransportDeltaFunc) (SparkTransport *transport,
                                         SparkEventKind  kind,
                                         const char     *item_id,
                                         const char     *delta,
                                         gpointer        user_data);

/* A transport carries one request at a time. spark_transport_send() starts a
 * request (a `response.create` body without "type"); the server events come back
 * through the ::event signal, Responses-shaped whatever the wire is, until a
 * terminal event (response.completed/failed/incomplete, error). If the stream
 * breaks before that, ::stream-failed is emitted instead, exactly once. With
 * a delta function set, streaming deltas go to it instead of ::event.
 *
 * Every new underlying connection bumps the "generation", so a caller can tell
 * that a connection-local cache (previous_response_id) was lost. */
struct _SparkTransportInterface
{
  GTypeInterface parent_iface;

  void     (*connect_async)          (SparkTransport       *self,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
  gboolean (*connect_finish)         (SparkTransport       *self,
                                      GAsyncResult         *result,
                                      GError              **error);
  gboolean (*send)                   (SparkTransport       *self,
                                      JsonObject           *request,
                                      GError              **error);
  gboolean (*steer)                  (SparkTransport       *self,
                                      JsonObject           *steer,
                                      GError              **error);
  void     (*cancel_stream)          (SparkTransport       *self);
  void     (*close)                  (SparkTransport       *self);
  gboolean (*is_connected)           (SparkTransport       *self);
  gboolean (*supports_continuation)  (SparkTransport       *self);
  struct _SparkTransportBase *
           (*get_base)               (SparkTransport       *self);
};

/* What every transport keeps alike, embedded in its instance and handed
 * to the interface by get_base(): the endpoint and key, the connection
 * counters, the Retry-After of the last refusal and the delta fast path. */
typedef struct _SparkTransportBase
{
  char                    *endpoint;
  char                    *api_key;
  guint                    generation;
  gint64                   connected_at;    /* monotonic µs, 0: not connected */
  guint                    retry_after_ms;
  SparkDelta               delta;           /* scratch for the delta fast path */
  SparkTransportDeltaFunc  delta_func;
  gpointer                 delta_data;
  gboolean                 in_delta;        /* emitting from @delta: a nested event can't use it */
} SparkTransportBase;

void      spark_transport_connect_async         (SparkTransport       *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean  spark_transport_connect_finish        (SparkTransport       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
gboolean  spark_transport_send                  (SparkTransport       *self,
                                                 JsonObject           *request,
                                                 GError              **error);
gboolean  spark_transport_steer                 (SparkTransport       *self,
                                                 JsonObject           *steer,
                                                 GError              **error);
void      spark_transport_cancel_stream         (SparkTransport       *self);
void      spark_transport_close                 (SparkTransport       *self);
gboolean  spark_transport_is_connected          (SparkTransport       *self);
gboolean  spark_transport_supports_continuation (SparkTransport       *self);
guint     spark_transport_get_generation        (SparkTransport       *self);
gint64    spark_transport_get_connected_at      (SparkTransport       *self);
void      spark_transport_set_delta_func        (SparkTransport       *self,
                                                 SparkTransportDeltaFunc func,
                                                 gpointer              user_data);
/* Milliseconds the server asked to wait (Retry-After) when it last refused
 * with SPARK_AGENT_ERROR_RATE_LIMITED; 0 when it did not say. */
guint     spark_transport_get_retry_after       (SparkTransport       *self);

/* For implementations. */
void      spark_transport_base_init             (SparkTransportBase   *base);
void      spark_transport_base_clear            (SparkTransportBase   *base);
void      spark_transport_base_override_properties (GObjectClass      *klass,
                                                 guint                 endpoint_id,
                                                 guint                 api_key_id);
gboolean  spark_transport_base_get_property     (SparkTransportBase   *base,
                                                 GParamSpec           *pspec,
                                                 GValue               *value);
gboolean  spark_transport_base_set_property     (SparkTransportBase   *base,
                                                 GParamSpec           *pspec,
                                                 const GValue         *value);
gboolean  spark_transport_base_scan_delta       (SparkTransportBase   *base,
                                                 const char           *data,
                                                 gsize                 length);
gboolean  spark_transport_base_check_delta      (SparkTransportBase   *base,
                                                 gint64               *last_sequence,
                                                 GError              **error);
void      spark_transport_base_deliver_delta    (SparkTransportBase   *base,
                                                 SparkTransport       *transport);
guint     spark_transport_parse_retry_after     (const char           *value);
void      spark_transport_emit_event            (SparkTransport       *self,
                                                 JsonObject           *event);
void      spark_transport_emit_stream_failed    (SparkTransport       *self,
                                                 const GError         *error);
void      spark_transport_emit_disconnected     (SparkTransport       *self);

G_END_DECLS
