/* spark-prepared-write.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-prepared-write"

/* O_TMPFILE */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-file-util.h"
#include "spark-file-util-private.h"
#include "spark-prepared-write.h"

/* How many fsyncs run side by side: enough for the journal to batch them. */

struct _SparkPreparedWrite
{
  char     *path;        /* as given, for messages */
  char     *root;        /* the folder writes are confined to, or NULL */
  char     *target;      /* what is replaced: @path, or what its link points to */
  char     *dir;         /* @target's folder */
  char     *base;        /* @target's name */
  char     *tmp;         /* the temporary file's name in @dir; NULL while it is
                          * unnamed (O_TMPFILE) and once committed */
  int       fd;          /* the temporary file, open until flushed */
  int       dirfd;       /* @dir, open until flushed */
  int       errsv;       /* the flush's errno, 0 if it went well */
  gboolean  committed;
};

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

/* A temporary name next to @base: short enough for NAME_MAX whatever the
 * length of @base. */
static char *
temp_name (const char *base,
           const char *suffix)
{
  return g_strdup_printf (".%.200s.spark-%s", base, suffix);
}

/* Makes a temporary file in @dirfd for the new bytes of @base. Preferably an
 * unnamed one (O_TMPFILE): a crash while it is written leaves nothing
 * behind. It gets its name, ".BASE.spark-new", only once its bytes are on
 * disk (link_temp()). Where O_TMPFILE is not supported, a named
 * ".BASE.spark-XXXXXX" file. */
static int
create_temp (int          dirfd,
             const char  *base,
             char       **named,
             int         *errsv)
{
  *named = NULL;

#ifdef O_TMPFILE
  {
    int fd = openat (dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

    if (fd >= 0)
      return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
      {
        *errsv = errno;
        return -1;
      }
  }
#endif

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *suffix = g_strdup_printf ("%06x", g_random_int () & 0xFFFFFF);
      char *name = temp_name (base, suffix);
      int fd = openat (dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

      if (fd >= 0)
        {
          *named = name;
          return fd;
        }
      g_free (name);
      if (errno != EEXIST)
        break;
    }

  *errsv = errno;
  return -1;
}

/* Gives the unnamed temporary file @fd the name ".BASE.spark-new" in
 * @dirfd. A file of that name is a leftover of a write killed between this
 * step and the rename: it is replaced. */
static char *
link_temp (int          fd,
           int          dirfd,
           const char  *base,
           int         *errsv)
{
  g_autofree char *name = temp_name (base, "new");
  char proc[64];

  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      if (linkat (AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
        return g_steal_pointer (&name);
      if (errno != EEXIST || attempt > 0)
        break;
      unlinkat (dirfd, name, 0);
    }

  *errsv = errno;
  return NULL;
}

/* Opens the folder of @path (confined to @root when given) and, while the
 * file there is a symbolic link, follows it: to a place inside @root only.
 * Sets @target, @dir, @base; returns the folder's descriptor or -1. */
static int
open_target (SparkPreparedWrite  *self,
             GError             **error)
{
  g_autofree char *path = g_strdup (self->path);

  for (guint depth = 0; ; depth++)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *real_dir = NULL;
      char buf[PATH_MAX];
      struct stat st;
      gssize n;
      int dirfd;

      if ((dirfd = _spark_file_open_dir (self->root, dir, error)) < 0)
        return -1;

      /* Keep a symbolic link a link: replace what it points to, which must
       * be inside the project folder too when writing inside one. */
      if (fstatat (dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK (st.st_mode))
        {
          self->target = g_steal_pointer (&path);
          self->dir = g_steal_pointer (&dir);
          self->base = g_steal_pointer (&base);
          return dirfd;
        }

      n = readlinkat (dirfd, base, buf, sizeof buf - 1);
      if (n < 0 || depth >= 16)
        {
          int errsv = n < 0 ? errno : ELOOP;

          close (dirfd);
          _spark_file_set_io_error (error, errsv, TRUE, self->path);
          return -1;
        }
      buf[n] = '\0';
      real_dir = _spark_file_fd_real_path (dirfd);
      close (dirfd);

      if (real_dir == NULL && self->root != NULL)
        {
          _spark_file_set_escape_error (error, self->path);
          return -1;
        }
      g_free (path);
      path = g_canonicalize_filename (buf, real_dir ? real_dir : dir);
      if (self->root != NULL && !_spark_file_path_confined (path, self->root))
        {
          _spark_file_set_escape_error (error, self->path);
          return -1;
        }
    }
}

/**
 * spark_prepared_write_new_in:
 * @root: (nullable): the project folder (canonical) the write is confined to
 * @path: the file to replace; a symbolic link is written through to its
 *   target (inside @root, when given)
 * @mode: the mode to give the file, 0 to keep the existing one (or 0666
 *   less the umask for a new file)
 *
 * Writes @contents to a temporary file in @path's folder, with @mode and
 * the owner of the file it will replace where permitted. With @root, the
 * folders are opened name by name from @root (spark_file_write_atomic_in()):
 * a symbolic link swapped in after the path was checked cannot lead the
 * bytes outside. Nothing is flushed yet.
 *
 * Returns: (transfer full) (nullable): the write, or %NULL with @error set
 */
SparkPreparedWrite *
spark_prepared_write_new_in (const char  *root,
                             const char  *path,
                             const char  *contents,
                             gsize        length,
                             guint        mode,
                             GError     **error)
{
  g_autoptr(SparkPreparedWrite) self = NULL;
  struct stat st;
  gboolean exists;
  int errsv = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (contents != NULL || length == 0, NULL);

  self = g_new0 (SparkPreparedWrite, 1);
  self->fd = -1;
  self->dirfd = -1;
  self->path = g_strdup (path);
  self->root = g_strdup (root);

  if ((self->dirfd = open_target (self, error)) < 0)
    return NULL;

  exists = fstatat (self->dirfd, self->base, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && !S_ISREG (st.st_mode))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_NOT_REGULAR,
                   _("“%s” is not a regular file"), display);
      return NULL;
    }

  if (mode == 0 && exists)
    mode = st.st_mode & 07777;
  else if (mode == 0)
    {
      mode_t mask = umask (0);

      umask (mask);
      mode = 0666 & ~mask;
    }

  self->fd = create_temp (self->dirfd, self->base, &self->tmp, &errsv);
  if (self->fd < 0)
    {
      _spark_file_set_io_error (error, errsv, TRUE, path);
      return NULL;
    }
  spark_file_crash_point ();

  if (!write_all (self->fd, contents, length, &errsv) || fchmod (self->fd, mode) != 0)
    {
      if (errsv == 0)
        errsv = errno;
      _spark_file_set_io_error (error, errsv, TRUE, path);
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

/**
 * spark_prepared_write_new:
 *
 * spark_prepared_write_new_in() without a confining folder, keeping the
 * file's mode.
 */
SparkPreparedWrite *
spark_prepared_write_new (const char  *path,
                          const char  *contents,
                          gsize        length,
                          GError     **error)
{
  return spark_prepared_write_new_in (NULL, path, contents, length, 0, error);
}

void
spark_prepared_write_free (SparkPreparedWrite *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    close (self->fd);
  if (self->tmp != NULL && !self->committed)
    {
      int dirfd = self->dirfd >= 0 ? self->dirfd : _spark_file_open_dir (self->root, self->dir, NULL);

      if (dirfd >= 0)
        {
          unlinkat (dirfd, self->tmp, 0);
          if (dirfd != self->dirfd)
            close (dirfd);
        }
    }
  if (self->dirfd >= 0)
    close (self->dirfd);
  g_free (self->tmp);
  g_free (self->base);
  g_free (self->dir);
  g_free (self->target);
  g_free (self->root);
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

/* The bytes to disk, then the temporary file's name (when it had none):
 * after this only names are left, no descriptor. */
static void
flush_one (SparkPreparedWrite *self)
{
  self->errsv = 0;
  if (self->fd < 0)
    return;

  spark_file_crash_point ();
  if (fsync (self->fd) != 0)
    self->errsv = errno;
  spark_file_crash_point ();

  if (self->errsv == 0 && self->tmp == NULL &&
      (self->tmp = link_temp (self->fd, self->dirfd, self->base, &self->errsv)) != NULL)
    spark_file_crash_point ();

  if (close (self->fd) != 0 && self->errsv == 0)
    self->errsv = errno;
  self->fd = -1;
  /* A named temporary file is removed through the folder reopened. */
  close (self->dirfd);
  self->dirfd = -1;
}

static void
flush_at (gpointer data,
          guint    index)
{
  SparkPreparedWrite **writes = data;

  flush_one (writes[index]);
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
  g_return_val_if_fail (writes != NULL || n_writes == 0, FALSE);

  _spark_file_side_by_side (n_writes, "spark-flush", flush_at, writes);

  for (guint i = 0; i < n_writes; i++)
    {
      if (writes[i]->errsv != 0)
        return _spark_file_set_io_error (error, writes[i]->errsv, TRUE, writes[i]->path);
    }

  return TRUE;
}

/**
 * spark_prepared_write_commit:
 *
 * Renames the flushed temporary file over its target. The folder is opened
 * again (from the root, when confined): a link swapped in since the write
 * was prepared cannot move the rename elsewhere.
 *
 * Returns: %TRUE on success
 */
gboolean
spark_prepared_write_commit (SparkPreparedWrite  *self,
                             GError             **error)
{
  int dirfd;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->committed, FALSE);

  if (self->fd >= 0)
    {
      flush_one (self);
      if (self->errsv != 0)
        return _spark_file_set_io_error (error, self->errsv, TRUE, self->path);
    }
  g_return_val_if_fail (self->tmp != NULL, FALSE);

  if ((dirfd = _spark_file_open_dir (self->root, self->dir, error)) < 0)
    return FALSE;

  /* rename() replaces the name, never what a link there points to. */
  if (renameat (dirfd, self->tmp, dirfd, self->base) != 0)
    {
      int errsv = errno;

      close (dirfd);
      return _spark_file_set_io_error (error, errsv, TRUE, self->path);
    }
  self->committed = TRUE;
  spark_file_crash_point ();

  close (dirfd);
  return TRUE;
}
