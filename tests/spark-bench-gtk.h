/* spark-bench-gtk.h: helpers for the window benchmarks
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-test-utils.h"

G_BEGIN_DECLS

/* The fake server on a thread of its own (with its own main context), so
 * that the CPU it spends replaying streams is not counted as the client's. */
typedef struct _SparkBenchServer SparkBenchServer;

SparkBenchServer *spark_bench_server_start         (void);
void              spark_bench_server_stop          (SparkBenchServer *self);
const char       *spark_bench_server_get_base_url  (SparkBenchServer *self);
/* Queues inline JSONL for the next generating request. */
void              spark_bench_server_push_text     (SparkBenchServer *self,
                                                    const char       *jsonl);
/* In µs; below 1,000 the events are paced on a millisecond timer. */
void              spark_bench_server_set_event_delay (SparkBenchServer *self,
                                                      guint             usec);
/* CPU time (user + system) the server thread has used, in µs. */
gint64            spark_bench_server_get_cpu_us    (SparkBenchServer *self);

/* CPU time of the whole process, in µs. */
gint64            spark_bench_process_cpu_us       (void);

/* Frame intervals of a widget's frame clock: a tick callback keeps the clock
 * running and records the wall-clock time between consecutive frames, so a
 * main loop blocked by anything (socket, parsing, layout, drawing) shows. */
typedef struct _SparkBenchFrames SparkBenchFrames;

SparkBenchFrames *spark_bench_frames_start         (GtkWidget        *widget);
/* Stops recording; the intervals in ms, in the order of the frames. */
GArray           *spark_bench_frames_stop          (SparkBenchFrames *self);

/* Runs the default main context for @ms milliseconds. */
void              spark_bench_iterate_ms           (guint             ms);

/* Seconds SPARK_BENCH_WAIT_UNTIL waits: 60, or SPARK_BENCH_DEADLINE (for
 * runs under valgrind). */
guint             spark_bench_deadline_s           (void);

/* Runs the default main context until @cond, or aborts after the deadline. */
#define SPARK_BENCH_WAIT_UNTIL(cond, what)                       \
  G_STMT_START {                                                 \
    guint deadline_ = spark_test_add_deadline (spark_bench_deadline_s (), what); \
    while (!(cond))                                              \
      g_main_context_iteration (NULL, TRUE);                     \
    g_source_remove (deadline_);                                 \
  } G_STMT_END

/* The first descendant of @widget (or @widget) of @type, or NULL. */
GtkWidget        *spark_bench_find_widget          (GtkWidget        *widget,
                                                    GType             type);

G_END_DECLS
