/* spark-sse-transport.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-transport.h"

G_BEGIN_DECLS

#define SPARK_TYPE_SSE_TRANSPORT (spark_sse_transport_get_type ())

G_DECLARE_FINAL_TYPE (SparkSseTransport, spark_sse_transport, SPARK, SSE_TRANSPORT, GObject)

SparkSseTransport *spark_sse_transport_new                  (const char        *endpoint,
                                                             const char        *api_key,
                                                             SparkWireApi       wire_api);
SparkWireApi       spark_sse_transport_get_wire_api         (SparkSseTransport *self);
gboolean           spark_sse_transport_get_fresh_connections (SparkSseTransport *self);
void               spark_sse_transport_set_fresh_connections (SparkSseTransport *self,
                                                              gboolean           fresh);
void               spark_sse_transport_set_idle_timeout     (SparkSseTransport *self,
                                                             guint              idle_timeout_ms);
void               spark_sse_transport_set_tls_database     (SparkSseTransport *self,
                                                             GTlsDatabase      *database);

G_END_DECLS
