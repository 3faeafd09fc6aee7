/* spark-file-util.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SPARK_FILE_ERROR (spark_file_error_quark ())

typedef enum
{
  SPARK_FILE_ERROR_BINARY,
  SPARK_FILE_ERROR_TOO_LARGE,
  SPARK_FILE_ERROR_NOT_REGULAR,
  SPARK_FILE_ERROR_ENCODING,
  SPARK_FILE_ERROR_OUTSIDE,
} SparkFileError;

typedef enum
{
  SPARK_NEWLINE_LF,
  SPARK_NEWLINE_CRLF,
} SparkNewline;

typedef enum
{
  SPARK_WRITE_DEFAULT = 0,
  SPARK_WRITE_NO_DIRECTORY_SYNC = 1 << 0,
} SparkWriteFlags;

/* Files larger than this are not opened in an editor tab. */
#define SPARK_FILE_MAX_TEXT_SIZE ((goffset) 64 * 1024 * 1024)

GQuark    spark_file_error_quark     (void);
gboolean  spark_text_looks_binary    (const char    *data,
                                      gsize          length);
char     *spark_file_load_text       (const char    *path,
                                      goffset        max_size,
                                      gsize         *length,
                                      SparkNewline  *newline,
                                      GError       **error);
char     *spark_file_load_text_full  (const char    *path,
                                      goffset        max_size,
                                      gsize         *length,
                                      SparkNewline  *newline,
                                      char         **checksum,
                                      GError       **error);
char     *spark_text_convert_newlines (const char   *text,
                                       gsize         length,
                                       SparkNewline  newline,
                                       gsize        *out_length);
gboolean  spark_file_write_atomic    (const char    *path,
                                      const char    *contents,
                                      gsize          length,
                                      GError       **error);
gboolean  spark_file_write_atomic_full (const char      *path,
                                        const char      *contents,
                                        gsize            length,
                                        SparkWriteFlags  flags,
                                        GError         **error);
gboolean  spark_file_write_atomic_in (const char      *root,
                                      const char      *path,
                                      const char      *contents,
                                      gsize            length,
                                      guint            mode,
                                      SparkWriteFlags  flags,
                                      GError         **error);
gboolean  spark_file_make_parents_in (const char    *root,
                                      const char    *path,
                                      GPtrArray     *created,
                                      GError       **error);
gboolean  spark_file_delete_in       (const char    *root,
                                      const char    *path,
                                      GError       **error);
void      spark_file_sync_directory  (const char    *dir);
void      spark_file_sync_directories (const char * const *dirs,
                                       guint               n_dirs);
gboolean  spark_path_is_git_name     (const char    *name);

/* Testing only: $SPARK_TEST_KILL_AT=N makes the Nth call raise SIGKILL. */
void      spark_file_crash_point     (void);

G_END_DECLS
