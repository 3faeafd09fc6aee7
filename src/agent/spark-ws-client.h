/* spark-ws-client.h — a lean RFC 6455 WebSocket client.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SPARK_TYPE_WS_CLIENT (spark_ws_client_get_type ())

G_DECLARE_FINAL_TYPE (SparkWsClient, spark_ws_client, SPARK, WS_CLIENT, GObject)

#define SPARK_WS_CLIENT_ERROR (spark_ws_client_error_quark ())

typedef enum
{
  SPARK_WS_CLIENT_ERROR_HANDSHAKE,   /* the server answered, not with a WebSocket */
  SPARK_WS_CLIENT_ERROR_PROTOCOL,    /* against RFC 6455 */
  SPARK_WS_CLIENT_ERROR_TOO_BIG,     /* a message over the limit */
  SPARK_WS_CLIENT_ERROR_NOT_UTF8,    /* a text message that is not UTF-8 */
  SPARK_WS_CLIENT_ERROR_CLOSED,      /* the connection ended without a close frame */
} SparkWsClientError;

GQuark spark_ws_client_error_quark (void);

/* Direct calls, not signals: one message per token. */
typedef struct
{
  /* A whole message, its fragments joined; text is UTF-8 checked. */
  void (*message) (SparkWsClient *client,
                   gboolean       text,
                   const char    *data,
                   gsize          length,
                   gpointer       user_data);
  /* The connection is over: @code and @reason of the server's close frame
   * (0 and NULL if none came), @error when it broke or was refused. */
  void (*closed)  (SparkWsClient *client,
                   gushort        code,
                   const char    *reason,
                   const GError  *error,
                   gpointer       user_data);
} SparkWsClientFuncs;

/* @url: ws:// or wss://; @headers: name, value pairs, NULL-terminated. */
void           spark_ws_client_connect_async  (const char           *url,
                                               const char * const   *headers,
                                               GTlsDatabase         *database,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
/* On a refusal, *@status, *@reason and *@retry_after say what the server
 * said (0 and NULL when it said nothing). */
SparkWsClient *spark_ws_client_connect_finish (GAsyncResult         *result,
                                               guint                *status,
                                               char                **reason,
                                               char                **retry_after,
                                               GError              **error);

/* Starts reading: messages and the end go to @funcs from now on. */
void           spark_ws_client_start          (SparkWsClient        *self,
                                               const SparkWsClientFuncs *funcs,
                                               gpointer              user_data);
void           spark_ws_client_set_max_message_size (SparkWsClient  *self,
                                               guint64               max_size);
void           spark_ws_client_set_keepalive  (SparkWsClient        *self,
                                               guint                 seconds);
gboolean       spark_ws_client_is_open        (SparkWsClient        *self);
gboolean       spark_ws_client_send_text      (SparkWsClient        *self,
                                               const char           *text,
                                               gsize                 length);
/* Sends a close frame and ends the connection once the server answers. */
void           spark_ws_client_close          (SparkWsClient        *self,
                                               gushort               code,
                                               const char           *reason);

G_END_DECLS
