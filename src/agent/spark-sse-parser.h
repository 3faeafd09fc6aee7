/* spark-sse-parser.h — splits a text/event-stream body into events.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SparkSseParser SparkSseParser;

/* Called with the data of each complete event (its "data:" lines joined with
 * "\n", NUL-terminated, never empty). Return FALSE to stop parsing: the rest
 * of the fed bytes are ignored and so is every later call. */
typedef gboolean (*SparkSseEventFunc) (const char *data,
                                       gsize       length,
                                       gpointer    user_data);

/* Pure parsing, no I/O: lines end with LF, CR or CRLF (also when the CR and
 * the LF arrive in different pieces); a blank line ends an event; "data:"
 * lines (one leading space dropped) make up its data; other fields and ":"
 * comments are ignored. A line that is not UTF-8, or a line or event longer
 * than @max_event_size bytes, is an error (SPARK_AGENT_ERROR_PROTOCOL), after
 * which the parser accepts nothing more. */
SparkSseParser *spark_sse_parser_new    (gsize              max_event_size);
void            spark_sse_parser_free   (SparkSseParser    *self);
gboolean        spark_sse_parser_feed   (SparkSseParser    *self,
                                         const char        *data,
                                         gsize              length,
                                         SparkSseEventFunc  func,
                                         gpointer           user_data,
                                         GError           **error);
/* End of the body: a last line without its line end counts, and a last event
 * without its blank line is dispatched (servers that end the body right after
 * the final event). */
gboolean        spark_sse_parser_finish (SparkSseParser    *self,
                                         SparkSseEventFunc  func,
                                         gpointer           user_data,
                                         GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkSseParser, spark_sse_parser_free)

G_END_DECLS
