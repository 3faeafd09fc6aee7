/* spark-compaction.h — keeping a conversation inside the model's context window.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "spark-agent-types.h"
#include "spark-history.h"

G_BEGIN_DECLS

/* Server-side compaction starts when the rendered input crosses this share
 * of the window; the standalone endpoint is called at the same point. */
#define SPARK_COMPACTION_SERVER_SHARE 0.8
/* Local shortening of old tool output starts here. */
#define SPARK_COMPACTION_LOCAL_SHARE  0.85

typedef struct
{
  GPtrArray *output;          /* JsonObject: the new window, to send as is */
  guint      input_tokens;    /* 0 when the server did not say */
  guint      output_tokens;
} SparkCompactResult;

guint               spark_compaction_threshold          (guint          context_window);
JsonArray          *spark_compaction_context_management (guint          threshold);
gboolean            spark_compaction_is_item            (JsonObject    *item);
guint               spark_compaction_window_start       (SparkHistory  *items,
                                                         guint          base,
                                                         guint          end);
gboolean            spark_compaction_add_items          (JsonArray     *input,
                                                         SparkHistory  *items,
                                                         guint          first,
                                                         guint          end,
                                                         GError       **error);
gboolean            spark_compaction_collect_input      (JsonArray     *input,
                                                         GPtrArray     *window,
                                                         SparkHistory  *items,
                                                         guint          base,
                                                         guint          end,
                                                         GError       **error);
gsize               spark_compaction_shorten_outputs    (SparkHistory  *items,
                                                         guint          start);

/* The session file's line for a standalone compaction. */
#define SPARK_COMPACTION_RECORD "compacted"
JsonObject         *spark_compaction_record_new         (GPtrArray     *window,
                                                         guint          upto);
GPtrArray          *spark_compaction_record_parse       (JsonObject    *line,
                                                         guint          n_items,
                                                         guint         *upto);

void                spark_compaction_compact_async      (const char          *endpoint,
                                                         const char          *api_key,
                                                         GTlsDatabase        *tls_database,
                                                         JsonObject          *body,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
SparkCompactResult *spark_compaction_compact_finish     (GAsyncResult        *result,
                                                         GError             **error);
SparkCompactResult *spark_compaction_parse_result       (const char          *text,
                                                         gsize                length,
                                                         GError             **error);
void                spark_compact_result_free           (SparkCompactResult  *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkCompactResult, spark_compact_result_free)

G_END_DECLS
