/* spark-prepared-write.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-prepared-write"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-file-util.h"
#include "spark-prepared-write.h"

/* How many fsyncs run side by side: enough for the journal to batch them. */
#define MAX_FLUSH_THREADS 8

struct _SparkPreparedWrite
{
  char     *path;        /* as given, for messages */
  char     *target;      /* what is replaced: @path, or what its link points to */
  char     *tmp;         /* the temporary file, NULL once committed */
  int       fd;          /* open until flushed */
  int       errsv;       /* the flush's errno, 0 if it went well */
};

static gboolean
set_write_error (GError     **error,
                 int          errsv,
                 const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               _("Could not write “%s”: %s"), display, g_strerror (errsv));
  return FALSE;
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        length,
           int         *errsv)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          *errsv = errno;
          return FALSE;
        }

      data += n;
      length -= n;
    }

  return TRUE;
}

/**
 * spark_prepared_write_new:
 * @path: the file to replace; a symbolic link is written through to its target
 *
 * Writes @contents to a temporary file in @path's folder, with the mode of
 * the file it will replace (and its owner where permitted), or 0666 less
 * the umask for a new file. Nothing is flushed yet.
 *
 * Returns: (transfer full) (nullable): the write, or %NULL with @error set
 */
SparkPreparedWrite *
spark_prepared_write_new (const char  *path,
                          const char  *contents,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(SparkPreparedWrite) self = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  struct stat st;
  gboolean exists;
  mode_t mode;
  int errsv = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (contents != NULL || length == 0, NULL);

  self = g_new0 (SparkPreparedWrite, 1);
  self->fd = -1;
  self->path = g_strdup (path);

  /* Keep a symbolic link a link: replace what it points to. */
  self->target = g_file_read_link (path, NULL);
  if (self->target != NULL && !g_path_is_absolute (self->target))
    {
      g_autofree char *link_dir = g_path_get_dirname (path);
      char *joined = g_build_filename (link_dir, self->target, NULL);

      g_free (self->target);
      self->target = joined;
    }
  if (self->target == NULL)
    self->target = g_strdup (path);

  exists = stat (self->target, &st) == 0;
  if (exists && !S_ISREG (st.st_mode))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_NOT_REGULAR,
                   _("“%s” is not a regular file"), display);
      return NULL;
    }

  if (exists)
    {
      mode = st.st_mode & 07777;
    }
  else
    {
      mode_t mask = umask (0);

      umask (mask);
      mode = 0666 & ~mask;
    }

  dir = g_path_get_dirname (self->target);
  base = g_path_get_basename (self->target);
  self->tmp = g_strdup_printf ("%s%c.%s.spark-XXXXXX", dir, G_DIR_SEPARATOR, base);

  self->fd = g_mkstemp_full (self->tmp, O_RDWR | O_CLOEXEC, 0600);
  if (self->fd < 0)
    {
      errsv = errno;
      g_clear_pointer (&self->tmp, g_free);
      set_write_error (error, errsv, path);
      return NULL;
    }

  if (!write_all (self->fd, contents, length, &errsv) || fchmod (self->fd, mode) != 0)
    {
      if (errsv == 0)
        errsv = errno;
      set_write_error (error, errsv, path);
      return NULL;
    }

  /* Keep ownership when we may (root editing someone else's file);
   * failing here is expected for ordinary users and harmless. */
  if (exists && (st.st_uid != getuid () || st.st_gid != getgid ()))
    {
      if (fchown (self->fd, st.st_uid, st.st_gid) != 0)
        g_debug ("Could not keep the owner of %s: %s", path, g_strerror (errno));
    }

  return g_steal_pointer (&self);
}

void
spark_prepared_write_free (SparkPreparedWrite *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    close (self->fd);
  if (self->tmp != NULL)
    g_unlink (self->tmp);
  g_free (self->tmp);
  g_free (self->target);
  g_free (self->path);
  g_free (self);
}

/* What the write replaces: the path given, or the target of its link. */
const char *
spark_prepared_write_get_target (SparkPreparedWrite *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->target;
}

static void
flush_one (SparkPreparedWrite *self)
{
  self->errsv = 0;
  if (self->fd < 0)
    return;
  if (fsync (self->fd) != 0)
    self->errsv = errno;
  if (close (self->fd) != 0 && self->errsv == 0)
    self->errsv = errno;
  self->fd = -1;
}

typedef struct
{
  SparkPreparedWrite **writes;
  guint                n_writes;
  gint                 next;      /* atomic: the next write to flush */
} FlushJob;

static gpointer
flush_thread (gpointer data)
{
  FlushJob *job = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&job->next, 1)) < job->n_writes)
    flush_one (job->writes[i]);

  return NULL;
}

/**
 * spark_prepared_write_flush:
 * @writes: (array length=n_writes): prepared writes
 *
 * Flushes the temporary files of @writes to disk, several at a time.
 *
 * Returns: %TRUE when every one is on disk; else @error tells the first
 *   that is not
 */
gboolean
spark_prepared_write_flush (SparkPreparedWrite **writes,
                            guint                n_writes,
                            GError             **error)
{
  FlushJob job = { writes, n_writes, 0 };
  GThread *threads[MAX_FLUSH_THREADS];
  guint n_threads = MIN (n_writes, MAX_FLUSH_THREADS);

  g_return_val_if_fail (writes != NULL || n_writes == 0, FALSE);

  if (n_threads <= 1)
    flush_thread (&job);
  else
    {
      /* This thread is one of the flushers. */
      for (guint t = 1; t < n_threads; t++)
        threads[t] = g_thread_new ("spark-flush", flush_thread, &job);
      flush_thread (&job);
      for (guint t = 1; t < n_threads; t++)
        g_thread_join (threads[t]);
    }

  for (guint i = 0; i < n_writes; i++)
    {
      if (writes[i]->errsv != 0)
        return set_write_error (error, writes[i]->errsv, writes[i]->path);
    }

  return TRUE;
}

/**
 * spark_prepared_write_commit:
 *
 * Renames the flushed temporary file over its target.
 *
 * Returns: %TRUE on success
 */
gboolean
spark_prepared_write_commit (SparkPreparedWrite  *self,
                             GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->tmp != NULL, FALSE);

  if (self->fd >= 0)
    {
      flush_one (self);
      if (self->errsv != 0)
        return set_write_error (error, self->errsv, self->path);
    }

  if (g_rename (self->tmp, self->target) != 0)
    return set_write_error (error, errno, self->path);

  g_clear_pointer (&self->tmp, g_free);
  return TRUE;
}
