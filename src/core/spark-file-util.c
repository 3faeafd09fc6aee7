/* spark-file-util.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-file-util"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-audience.h"
#include "spark-file-util.h"
#include "spark-prepared-write.h"

/* How much of a file is sniffed for NUL bytes, like git's buffer_is_binary(). */
#define SNIFF_LENGTH 8000

G_DEFINE_QUARK (spark-file-error-quark, spark_file_error)

gboolean
spark_text_looks_binary (const char *data,
                         gsize       length)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  return memchr (data, '\0', MIN (length, SNIFF_LENGTH)) != NULL;
}

static gboolean
set_io_error (GError     **error,
              int          errsv,
              gboolean     writing,
              const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  if (writing)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not write “%s”: %s"), display, spark_audience_strerror (errsv));
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not open “%s”: %s"), display, spark_audience_strerror (errsv));
  return FALSE;
}

/**
 * spark_file_load_text:
 * @path: the file to read
 * @max_size: refuse files larger than this many bytes
 * @length: (out): length of the returned text
 * @newline: (out) (optional): the file's line ending
 * @error: SPARK_FILE_ERROR for binary, oversized, non-regular or non-UTF-8
 *   files, G_IO_ERROR for I/O failures
 *
 * Reads a text file for editing. The text comes back with LF line endings
 * when the file used CRLF; @newline says which the file used so that saving
 * can restore them.
 *
 * Returns: (transfer full): the text, NUL-terminated
 */
char *
spark_file_load_text (const char    *path,
                      goffset        max_size,
                      gsize         *length,
                      SparkNewline  *newline,
                      GError       **error)
{
  return spark_file_load_text_full (path, max_size, length, newline, NULL, error);
}

/**
 * spark_file_load_text_full:
 * @checksum: (out) (optional): the SHA-256 of the bytes read, as they are
 *   on disk (before CRLF line endings become LF)
 *
 * spark_file_load_text(), and the checksum of what it read, from the same
 * read: an editor compares it with the file later to see it changed.
 */
char *
spark_file_load_text_full (const char    *path,
                           goffset        max_size,
                           gsize         *length,
                           SparkNewline  *newline,
                           char         **checksum,
                           GError       **error)
{
  g_autofree char *display = NULL;
  g_autofree char *contents = NULL;
  GStatBuf st;
  gsize len = 0;
  const char *bad = NULL;
  SparkNewline nl = SPARK_NEWLINE_LF;
  const char *lf;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  if (g_stat (path, &st) != 0)
    {
      set_io_error (error, errno, FALSE, path);
      return NULL;
    }

  display = g_filename_display_basename (path);

  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_NOT_REGULAR,
                   _("“%s” is not a regular file"), display);
      return NULL;
    }

  if (st.st_size > max_size)
    {
      g_autofree char *size = g_format_size (st.st_size);
      g_autofree char *limit = g_format_size (max_size);

      g_set_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_TOO_LARGE,
                   _("“%s” is too large to edit (%s; the limit is %s)"),
                   display, size, limit);
      return NULL;
    }

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  /* The file may have grown between stat() and read(). */
  if ((goffset) len > max_size)
    {
      g_autofree char *limit = g_format_size (max_size);

      g_set_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_TOO_LARGE,
                   _("“%s” is too large to edit (the limit is %s)"), display, limit);
      return NULL;
    }

  if (spark_text_looks_binary (contents, len))
    {
      g_set_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_BINARY,
                   _("“%s” looks like a binary file and cannot be edited as text"), display);
      return NULL;
    }

  if (!g_utf8_validate_len (contents, len, &bad))
    {
      g_set_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_ENCODING,
                   /* Translators: %lu is a byte offset in the file */
                   _("“%s” is not valid UTF-8 text (first bad byte at offset %lu)"),
                   display, (gulong) (bad - contents));
      return NULL;
    }

  if (checksum != NULL)
    *checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);

  /* The first line ending decides, as editors commonly do. */
  lf = memchr (contents, '\n', len);
  if (lf != NULL && lf > contents && lf[-1] == '\r')
    nl = SPARK_NEWLINE_CRLF;

  if (nl == SPARK_NEWLINE_CRLF)
    {
      char *out = contents;

      for (gsize i = 0; i < len; i++)
        {
          if (contents[i] == '\r' && i + 1 < len && contents[i + 1] == '\n')
            continue;
          *out++ = contents[i];
        }
      *out = '\0';
      len = out - contents;
    }

  if (newline != NULL)
    *newline = nl;
  *length = len;

  return g_steal_pointer (&contents);
}

/**
 * spark_text_convert_newlines:
 *
 * Returns @text (LF line endings) with the line endings of @newline.
 *
 * Returns: (transfer full): a new NUL-terminated string
 */
char *
spark_text_convert_newlines (const char   *text,
                             gsize         length,
                             SparkNewline  newline,
                             gsize        *out_length)
{
  GString *str;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (newline == SPARK_NEWLINE_LF)
    {
      if (out_length)
        *out_length = length;
      return g_strndup (text, length);
    }

  str = g_string_sized_new (length + length / 32 + 1);
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
        g_string_append_c (str, '\r');
      g_string_append_c (str, text[i]);
    }

  if (out_length)
    *out_length = str->len;

  return g_string_free (str, FALSE);
}

static void
sync_directory (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/**
 * spark_file_write_atomic:
 * @path: the file to write; a symbolic link is written through to its target
 * @contents: the bytes to write
 * @length: the number of bytes
 * @error: a location for a #GError
 *
 * Replaces @path so that readers and crashes see either the old or the new
 * bytes, never a mix: the bytes go to a temporary file in the same folder,
 * which is flushed to disk and renamed over @path. An existing file keeps its
 * mode (and owner where permitted); a new file gets 0666 less the umask.
 *
 * Returns: %TRUE on success
 */
gboolean
spark_file_write_atomic (const char  *path,
                         const char  *contents,
                         gsize        length,
                         GError     **error)
{
  return spark_file_write_atomic_full (path, contents, length, SPARK_WRITE_DEFAULT, error);
}

/**
 * spark_file_sync_directory:
 * @dir: a folder
 *
 * Flushes @dir's entries (renames, new files) to disk. Pair with
 * %SPARK_WRITE_NO_DIRECTORY_SYNC to sync each folder once after many writes.
 */
void
spark_file_sync_directory (const char *dir)
{
  g_return_if_fail (dir != NULL);

  sync_directory (dir);
}

typedef struct
{
  const char * const *dirs;
  guint               n_dirs;
  gint                next;      /* atomic: the next folder to sync */
} SyncJob;

static gpointer
sync_thread (gpointer data)
{
  SyncJob *job = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&job->next, 1)) < job->n_dirs)
    sync_directory (job->dirs[i]);

  return NULL;
}

/**
 * spark_file_sync_directories:
 * @dirs: (array length=n_dirs): folders
 *
 * Like spark_file_sync_directory() for each of @dirs, several at a time:
 * side by side, the syncs share the file system's journal commits.
 */
void
spark_file_sync_directories (const char * const *dirs,
                             guint               n_dirs)
{
  SyncJob job = { dirs, n_dirs, 0 };
  GThread *threads[8];
  guint n_threads = MIN (n_dirs, G_N_ELEMENTS (threads));

  g_return_if_fail (dirs != NULL || n_dirs == 0);

  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("spark-sync", sync_thread, &job);
  sync_thread (&job);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
}

/**
 * spark_file_write_atomic_full:
 * @flags: %SPARK_WRITE_NO_DIRECTORY_SYNC leaves the folder's sync to the
 *   caller (spark_file_sync_directory()), for batches of writes
 *
 * Like spark_file_write_atomic().
 */
gboolean
spark_file_write_atomic_full (const char      *path,
                              const char      *contents,
                              gsize            length,
                              SparkWriteFlags  flags,
                              GError         **error)
{
  g_autoptr(SparkPreparedWrite) write = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  if (!(write = spark_prepared_write_new (path, contents, length, error)) ||
      !spark_prepared_write_commit (write, error))
    return FALSE;

  if (!(flags & SPARK_WRITE_NO_DIRECTORY_SYNC))
    {
      g_autofree char *dir = g_path_get_dirname (spark_prepared_write_get_target (write));

      sync_directory (dir);
    }

  return TRUE;
}
