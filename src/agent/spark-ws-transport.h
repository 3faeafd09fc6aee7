/* spark-ws-transport.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-transport.h"

G_BEGIN_DECLS

#define SPARK_TYPE_WS_TRANSPORT (spark_ws_transport_get_type ())

G_DECLARE_FINAL_TYPE (SparkWsTransport, spark_ws_transport, SPARK, WS_TRANSPORT, GObject)

SparkWsTransport *spark_ws_transport_new                (const char       *endpoint,
                                                         const char       *api_key);
guint             spark_ws_transport_get_idle_timeout   (SparkWsTransport *self);
void              spark_ws_transport_set_idle_timeout   (SparkWsTransport *self,
                                                         guint             idle_timeout_ms);
guint             spark_ws_transport_get_keepalive      (SparkWsTransport *self);
void              spark_ws_transport_set_keepalive      (SparkWsTransport *self,
                                                         guint             seconds);
/* Default SPARK_MAX_FRAME_SIZE (64 MiB); 0 means no limit. */
void              spark_ws_transport_set_max_frame_size (SparkWsTransport *self,
                                                         guint64           max_frame_size);
void              spark_ws_transport_set_tls_database   (SparkWsTransport *self,
                                                         GTlsDatabase     *database);

G_END_DECLS
