/* spark-prepared-write.h — atomic file writes in three steps, for batches.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* spark_file_write_atomic() in three steps, so that many writes can share
 * the slow one:
 *
 *   prepare  the bytes go to a temporary file beside the target (a symbolic
 *            link is written through to what it points to), with the
 *            target's mode and owner; with a root, the folders are opened
 *            name by name from it and a link is followed only inside it;
 *   flush    the temporary files reach the disk; flushing a batch runs the
 *            fsyncs side by side, so they share the file system's journal
 *            commits instead of paying one each, one after the other;
 *   commit   each temporary file is renamed over its target.
 *
 * Freeing a write that was not committed removes its temporary file. The
 * folder of a committed write is not synced: spark_file_sync_directory(). */
typedef struct _SparkPreparedWrite SparkPreparedWrite;

SparkPreparedWrite *spark_prepared_write_new     (const char          *path,
                                                  const char          *contents,
                                                  gsize                length,
                                                  GError             **error);
SparkPreparedWrite *spark_prepared_write_new_in  (const char          *root,
                                                  const char          *path,
                                                  const char          *contents,
                                                  gsize                length,
                                                  guint                mode,
                                                  GError             **error);
void                spark_prepared_write_free    (SparkPreparedWrite  *write);
const char         *spark_prepared_write_get_target (SparkPreparedWrite *write);
gboolean            spark_prepared_write_flush   (SparkPreparedWrite **writes,
                                                  guint                n_writes,
                                                  GError             **error);
gboolean            spark_prepared_write_commit  (SparkPreparedWrite  *write,
                                                  GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkPreparedWrite, spark_prepared_write_free)

G_END_DECLS
