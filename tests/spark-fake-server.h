/* spark-fake-server.h — an in-process Responses API server for tests.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _SparkFakeServer SparkFakeServer;

/*
 * Listens on 127.0.0.1:0 and speaks the Responses API: WebSocket mode at
 * GET /v1/responses, SSE at POST /v1/responses, and Chat Completions streaming
 * at POST /v1/chat/completions.
 *
 * Every generating request (a `response.create` frame or a POST) takes the next
 * queued stream, a JSONL file of tests/streams/ (or inline JSONL text), and
 * replays it: one event a frame (WebSocket) or one SSE record each. "__RESP__"
 * becomes a fresh response id. Lines with a "$" key are directives:
 *   {"$":"close","code":1011}     close the socket (or end the HTTP body)
 *   {"$":"raw","text":"..."}      send text as is
 *   {"$":"binary"}                send a binary frame
 *   {"$":"huge","bytes":N}        an output_text.delta with an N-byte delta
 *   {"$":"close","code":1006}     end the TCP connection without a close frame
 *   {"$":"close","code":C,"reason":R}  a close frame with a reason
 *   {"$":"cut","bytes":N}         the next event cut after N bytes of its
 *                                 frame payload (SSE: of its data), then the
 *                                 connection ends
 *   {"$":"stall"}                 send nothing more, keep the socket open
 *   {"$":"delay","ms":N}          wait N ms before the next line
 *   {"$":"raw-base64","data":B}   a text frame of any bytes (UTF-8 or not)
 *   {"$":"big-patch","bytes":N,"chunk":C,"path":P}  an apply_patch call adding
 *                                 P, N bytes long, in deltas of C bytes, up to
 *                                 response.completed
 * Over HTTP, "close" and "cut" end the body; "stall" and "big-patch" are
 * WebSocket only.
 *
 * POST /v1/responses/compact answers what set_compact_reply() recorded, or
 * 404 as local servers do; its requests are recorded with "_transport"
 * "compact" and are not generating ones.
 *
 * Like the real service, a WebSocket connection remembers only its own last
 * response: a previous_response_id it does not know (a new socket, or a
 * failed response) is answered with previous_response_not_found. Warm-up
 * requests (generate:false) are answered without using the queue.
 */

SparkFakeServer *spark_fake_server_new               (void);
/* Serves https/wss with @certificate (benchmarks). */
SparkFakeServer *spark_fake_server_new_tls           (GTlsCertificate *certificate);
void             spark_fake_server_free              (SparkFakeServer *self);
/* http://127.0.0.1:PORT/v1 */
const char      *spark_fake_server_get_base_url      (SparkFakeServer *self);
void             spark_fake_server_push_stream       (SparkFakeServer *self,
                                                      const char      *name);
void             spark_fake_server_push_text         (SparkFakeServer *self,
                                                      const char      *jsonl);
guint            spark_fake_server_get_queue_length  (SparkFakeServer *self);
/* Replayed whenever the queue is empty (benchmarks). */
void             spark_fake_server_set_default_text  (SparkFakeServer *self,
                                                      const char      *jsonl);
/* Answer WebSocket upgrades with this HTTP status (426, 404...); 0 accepts. */
void             spark_fake_server_set_ws_status     (SparkFakeServer *self,
                                                      guint            status);
/* How response.steer is answered (default "response.steer.accepted"). */
void             spark_fake_server_set_steer_reply   (SparkFakeServer *self,
                                                      const char      *event_type);
/* How POST /v1/responses/compact is answered (status 0: 404). The _file
 * variant answers 200 with tests/streams/NAME.json. */
void             spark_fake_server_set_compact_reply (SparkFakeServer *self,
                                                      guint            status,
                                                      const char      *body);
void             spark_fake_server_set_compact_reply_file (SparkFakeServer *self,
                                                           const char      *name);
guint            spark_fake_server_get_n_compacts    (SparkFakeServer *self);
/* Refuse creates carrying context_management as OpenAI refuses an unknown
 * parameter: an `error` event (WebSocket) or HTTP 400, naming it in "param". */
void             spark_fake_server_set_reject_context_management (SparkFakeServer *self,
                                                                  gboolean         reject);
/* Delay between replayed events, in µs (0: all at once; below 1,000 the
 * events are paced on a millisecond timer, e.g. 200 for 5,000 a second). */
void             spark_fake_server_set_event_delay   (SparkFakeServer *self,
                                                      guint            usec);

/* Faults. The next generating request's stream gets @directive (a "$" line,
 * as above) after its first @after_events events. */
void             spark_fake_server_inject_next       (SparkFakeServer *self,
                                                      guint            after_events,
                                                      const char      *directive);
/* The next @count upgrades are answered with @status (and a Retry-After
 * header when @retry_after is not NULL); later ones are accepted. */
void             spark_fake_server_refuse_upgrades   (SparkFakeServer *self,
                                                      guint            status,
                                                      guint            count,
                                                      const char      *retry_after);
/* The next @count upgrades lose their TCP connection before any answer. */
void             spark_fake_server_drop_handshakes   (SparkFakeServer *self,
                                                      guint            count);
/* Closes every open WebSocket now, with @code (1006: without a close frame). */
void             spark_fake_server_close_connections (SparkFakeServer *self,
                                                      guint            code);
/* g_get_monotonic_time() of the latest upgrade request. */
gint64           spark_fake_server_get_last_handshake_time (SparkFakeServer *self);

guint            spark_fake_server_get_n_handshakes  (SparkFakeServer *self);
guint            spark_fake_server_get_n_posts       (SparkFakeServer *self);
/* Distinct client ports that POSTed: how many HTTP connections were used. */
guint            spark_fake_server_get_n_http_connections (SparkFakeServer *self);
/* Every request received, in order: the JSON body, with added members
 * "_transport" ("websocket", "http", "chat") and "_connection" (1, 2, …). */
guint            spark_fake_server_get_n_requests    (SparkFakeServer *self);
JsonObject      *spark_fake_server_get_request       (SparkFakeServer *self,
                                                      guint            index);
/* The requests that generated (not warm-ups, not steer). */
GPtrArray       *spark_fake_server_dup_generating    (SparkFakeServer *self);
/* Authorization headers seen, in order. */
const char      *spark_fake_server_get_last_authorization (SparkFakeServer *self);
const char      *spark_fake_server_get_last_beta_header   (SparkFakeServer *self);

char            *spark_fake_server_stream_path       (const char      *name);

/* Called, in the server's thread, for every request as it arrives: @body is
 * the JSON request (a WebSocket frame or a POST body), @started_at the
 * monotonic time (µs) the server began reading it (HTTP: when the connection
 * was ready for a request, i.e. after accept and any TLS handshake on a new
 * connection; WebSocket: when the frame was in), @received_at when it was
 * complete. For benchmarks that time the client's send path. */
typedef void   (*SparkFakeServerRequestFunc)         (JsonObject      *body,
                                                      gint64           started_at,
                                                      gint64           received_at,
                                                      gpointer         user_data);
void             spark_fake_server_set_request_func  (SparkFakeServer *self,
                                                      SparkFakeServerRequestFunc func,
                                                      gpointer         user_data);

G_END_DECLS
