/* spark-bench-server.h — the fake Responses server in its own thread.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Benchmarks time the client: the server runs its own main loop in its own
 * thread, so the client's thread CPU time (and a client process run under
 * callgrind) holds the client's work only. */
typedef struct _SparkBenchServer SparkBenchServer;

typedef struct
{
  gint64   started_at;     /* monotonic µs, see SparkFakeServerRequestFunc */
  gint64   received_at;
  gboolean generating;     /* not a warm-up (generate:false) nor a steer */
} SparkBenchRequest;

/* @certificate: serve https/wss with it, or NULL for plain http/ws. */
SparkBenchServer *spark_bench_server_start        (GTlsCertificate  *certificate);
const char       *spark_bench_server_get_url      (SparkBenchServer *self);
/* Replayed whenever the queue is empty. */
void              spark_bench_server_set_default  (SparkBenchServer *self,
                                                   const char       *jsonl);
/* Queued for the next generating request. */
void              spark_bench_server_push         (SparkBenchServer *self,
                                                   const char       *jsonl);
/* The requests received so far, in order. */
guint             spark_bench_server_get_n_requests (SparkBenchServer *self);
SparkBenchRequest spark_bench_server_get_request  (SparkBenchServer *self,
                                                   guint             index);
/* Stops the thread and frees @self; returns how many connections (WebSocket
 * handshakes plus distinct HTTP client ports) the server saw. */
guint             spark_bench_server_stop         (SparkBenchServer *self);

/* A self-signed certificate for 127.0.0.1 made with openssl, and a database
 * that trusts it; NULL (with @error set) when openssl is missing. The
 * database reads the file in @dir when it needs it: remove @dir
 * (spark_test_rm_rf()) when done. */
GTlsCertificate  *spark_bench_make_certificate    (GTlsDatabase    **database,
                                                   char            **dir,
                                                   GError          **error);

/* Thread CPU time (user + system) of the calling thread, in µs. */
gint64            spark_bench_thread_cpu_us       (void);

G_END_DECLS
