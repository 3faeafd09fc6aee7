/* test-session-common.h — a SparkSession against the fake server, and the
 * fixture of the session tests (test-session, test-compaction, and inside
 * test-latency-meter's): one session that records what it streams, started
 * and run to the end of each turn.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-compaction.h"
#include "spark-fake-server.h"
#include "spark-session.h"

G_BEGIN_DECLS

#define TEST_KEY "sk-test-7f3a9c1e5b2d"

/* A session on @root against @server with TEST_KEY and "test-model", saving
 * to @store_dir (NULL: nowhere), retrying 3 times 5 ms apart. */
SparkSession *spark_test_session_new   (SparkFakeServer  *server,
                                        const char       *root,
                                        const char       *store_dir);

/* Starts (warms up) @session, waiting at most 10 s. */
gboolean      spark_test_session_start (SparkSession     *session,
                                        GError          **error);
/* Runs @prompt on @session to the end of its turn, waiting at most
 * @timeout seconds. */
gboolean      spark_test_session_run   (SparkSession     *session,
                                        const char       *prompt,
                                        guint             timeout,
                                        GError          **error);

typedef struct
{
  SparkCompactionKind kind;
  guint               before;
  guint               after;
  guint64             bytes;
} Compacted;

typedef struct
{
  SparkFakeServer *server;
  SparkSession    *session;
  char            *root;
  char            *store;
  GString         *text;        /* the text deltas of the latest turn */
  GPtrArray       *timings;     /* SparkTurnTimings: of every response */
  GPtrArray       *outputs;     /* JsonObject {call_id, output, success} */
  GArray          *compacted;   /* Compacted */
  GError          *turn_error;  /* of the latest turn */
  GError          *start_error; /* of the latest start */
} SessionFixture;

/* A fresh fake server, empty project and store folders, and a session
 * (session_fixture_new_session()) on them. */
void          session_fixture_setup       (SessionFixture *f,
                                           gconstpointer   data);
/* Closes the session, asserting that nothing else holds it. */
void          session_fixture_teardown    (SessionFixture *f,
                                           gconstpointer   data);

/* Another session like the fixture's, recording into @f too. */
SparkSession *session_fixture_new_session (SessionFixture *f);

/* spark_test_session_start() on the fixture's session, into
 * f->start_error. */
void          session_fixture_start       (SessionFixture *f);

/* Empties f->text, then spark_test_session_run() into f->turn_error. */
void          session_fixture_run_on      (SessionFixture *f,
                                           SparkSession   *session,
                                           const char     *prompt,
                                           guint           timeout);

/* Overwrites the first @needle in the file at @path with @bytes (as long
 * as @needle) in place: same file, same size, different words. */
void          session_file_overwrite      (const char     *path,
                                           const char     *needle,
                                           const char     *bytes);

G_END_DECLS
