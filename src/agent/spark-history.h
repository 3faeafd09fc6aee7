/* spark-history.h — the items of a conversation, kept out of memory.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _SparkHistory SparkHistory;

/* What is known of an item without reading it. */
typedef enum
{
  SPARK_HISTORY_USER        = 1 << 0,  /* "role": "user" */
  SPARK_HISTORY_COMPACTION  = 1 << 1,  /* "type": "compaction" */
  SPARK_HISTORY_UNSENDABLE  = 1 << 2,  /* reasoning without its encrypted content */
  SPARK_HISTORY_TOOL_OUTPUT = 1 << 3,  /* "type": "…_output" with an "output" string */
} SparkHistoryFlags;

/* Called by spark_history_load() for each line that is not an item: line
 * @number of the file, after @n_items items. FALSE (with @error set) stops
 * loading. */
typedef gboolean (*SparkHistoryLineFunc) (JsonObject  *line,
                                          guint        number,
                                          guint        n_items,
                                          gpointer     user_data,
                                          GError     **error);

SparkHistory      *spark_history_new               (void);
void               spark_history_free              (SparkHistory          *self);

/* The session file items are appended to and read back from; NULL keeps
 * them in memory. The file's folder and @private_dir (the one above it)
 * are made private (0700) when the file is opened. */
void               spark_history_set_file          (SparkHistory          *self,
                                                    const char            *path,
                                                    const char            *private_dir);
const char        *spark_history_get_file          (SparkHistory          *self);
/* Replaces the items with those of the session file @path, which becomes
 * the history's file. */
gboolean           spark_history_load              (SparkHistory          *self,
                                                    const char            *path,
                                                    const char            *private_dir,
                                                    SparkHistoryLineFunc   func,
                                                    gpointer               user_data,
                                                    GError               **error);

guint              spark_history_get_length        (SparkHistory          *self);
SparkHistoryFlags  spark_history_get_flags         (SparkHistory          *self,
                                                    guint                  index);
/* Bytes of a tool output item's "output" (0 for other items). */
gsize              spark_history_get_output_length (SparkHistory          *self,
                                                    guint                  index);

/* Appends a line that is not an item (the session's header, a compaction
 * record) to the file, with its "time". */
void               spark_history_write_line        (SparkHistory          *self,
                                                    JsonObject            *line);
/* Appends @item, to the file when there is one. */
void               spark_history_append            (SparkHistory          *self,
                                                    JsonObject            *item);
/* Replaces an item in memory only: the file keeps what was said. */
void               spark_history_replace           (SparkHistory          *self,
                                                    guint                  index,
                                                    JsonObject            *item);
/* Returns: (transfer full): the item (do not modify it), or %NULL if its
 * line in the file can no longer be read as written */
JsonObject        *spark_history_dup_item          (SparkHistory          *self,
                                                    guint                  index,
                                                    GError               **error);
/* Items keep their parsed form from when they are appended until this is
 * called, so that the next request needs no reading back. */
void               spark_history_release           (SparkHistory          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkHistory, spark_history_free)

G_END_DECLS
