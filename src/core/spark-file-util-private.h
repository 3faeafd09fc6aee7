/* spark-file-util-private.h — what spark-file-util.c shares with
 * spark-prepared-write.c, and with no one else.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  _spark_file_set_io_error     (GError     **error,
                                        int          errsv,
                                        gboolean     writing,
                                        const char  *path);
gboolean  _spark_file_set_escape_error (GError     **error,
                                        const char  *path);
gboolean  _spark_file_path_confined    (const char  *path,
                                        const char  *root);
char     *_spark_file_fd_real_path     (int          fd);
/* @dir opened name by name from @root (confined, see open_dir_in()), or
 * plainly when @root is NULL. Returns -1 with @error set on failure. */
int       _spark_file_open_dir         (const char  *root,
                                        const char  *dir,
                                        GError     **error);

#define SPARK_FILE_MAX_THREADS 8

typedef void (*SparkFileEachFunc) (gpointer data,
                                   guint    index);

void      _spark_file_side_by_side     (guint              n_items,
                                        const char        *thread_name,
                                        SparkFileEachFunc  func,
                                        gpointer           data);

G_END_DECLS
