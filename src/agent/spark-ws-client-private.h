/* spark-ws-client-private.h — a WebSocket client on a stream already
 * upgraded: for the handshake's end, and for the frame reader's fuzzer.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-ws-client.h"

G_BEGIN_DECLS

/* A client reading frames from @stream (referenced), the server's side of
 * an upgraded connection; the first @length bytes of it, already read with
 * the handshake's answer, are @received. Nothing is read before
 * spark_ws_client_start(). */
SparkWsClient *spark_ws_client_new_for_stream (GIOStream  *stream,
                                               const char *received,
                                               gsize       length);

G_END_DECLS
