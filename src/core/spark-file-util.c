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
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-audience.h"
#include "spark-file-util.h"
#include "spark-file-util-private.h"
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

gboolean
_spark_file_set_io_error (GError     **error,
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
      _spark_file_set_io_error (error, errno, FALSE, path);
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

/**
 * spark_file_crash_point:
 *
 * Testing only: with $SPARK_TEST_KILL_AT=N, the Nth call in the process
 * raises SIGKILL, so tests can stop a write at each of its steps. Inert (one
 * cached getenv) when the variable is not set.
 */
void
spark_file_crash_point (void)
{
  static gsize initialized;
  static gint64 kill_at;
  static gint count;

  if (g_once_init_enter (&initialized))
    {
      const char *value = g_getenv ("SPARK_TEST_KILL_AT");

      kill_at = value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
      g_once_init_leave (&initialized, 1);
    }

  if (kill_at > 0 && g_atomic_int_add (&count, 1) + 1 == kill_at)
    raise (SIGKILL);
}

/**
 * spark_path_is_git_name:
 * @name: one file name
 *
 * Whether @name may name git's own folder on some file system: ".git" in
 * any case, with the code points HFS+ ignores (as git's is_hfs_dotgit()),
 * with the trailing dots and spaces Windows drops, or as the 8.3 short name
 * "GIT~1".
 */
gboolean
spark_path_is_git_name (const char *name)
{
  g_autoptr(GString) folded = g_string_new (NULL);

  g_return_val_if_fail (name != NULL, FALSE);

  if (!g_utf8_validate (name, -1, NULL))
    return FALSE;

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!((c >= 0x200C && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
            (c >= 0x206A && c <= 0x206F) || c == 0xFEFF))
        g_string_append_unichar (folded, c);
    }
  while (folded->len > 0 &&
         (folded->str[folded->len - 1] == '.' || folded->str[folded->len - 1] == ' '))
    g_string_truncate (folded, folded->len - 1);

  return g_ascii_strcasecmp (folded->str, ".git") == 0 ||
         g_ascii_strcasecmp (folded->str, "git~1") == 0;
}

/* @path is @dir or below it (both absolute, normalised). */
static gboolean
path_within (const char *path,
             const char *dir)
{
  gsize len = strlen (dir);

  if (strcmp (dir, "/") == 0)
    return path[0] == '/';
  return strncmp (path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* @path is inside @root and none of its names below @root is a .git one. */
gboolean
_spark_file_path_confined (const char *path,
                           const char *root)
{
  g_auto(GStrv) names = NULL;

  if (!path_within (path, root))
    return FALSE;

  names = g_strsplit (path + strlen (root), "/", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (spark_path_is_git_name (names[i]))
        return FALSE;
    }
  return TRUE;
}

/* Where an open descriptor really is, from /proc; NULL when unknown. */
char *
_spark_file_fd_real_path (int fd)
{
  char proc[64];

  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  return g_file_read_link (proc, NULL);
}

gboolean
_spark_file_set_escape_error (GError     **error,
                              const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_OUTSIDE,
               _("“%s” now leads outside the project folder through a symbolic link; "
                 "nothing was written there"), display);
  return FALSE;
}

/* Opens the folder @dir (absolute, @root or below it) name by name from
 * @root, so that the descriptor returned is where the next step writes, and
 * no symbolic link swapped in after the path was checked can send it
 * elsewhere: a folder that is a link is followed only when, once open, it
 * turns out to be inside @root (and not git's folder). With @created, the
 * missing folders are made (and their paths added to it, outermost first).
 * Returns -1 on failure. */
static int
open_dir_in (const char  *root,
             const char  *dir,
             GPtrArray   *created,
             GError     **error)
{
  g_auto(GStrv) names = NULL;
  g_autoptr(GString) cur = NULL;
  int fd;

  if (!path_within (dir, root))
    {
      _spark_file_set_escape_error (error, dir);
      return -1;
    }

  fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      _spark_file_set_io_error (error, errno, TRUE, root);
      return -1;
    }

  cur = g_string_new (root);
  names = g_strsplit (dir + strlen (root), "/", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = names[i];
      int next;

      if (name[0] == '\0' || strcmp (name, ".") == 0)
        continue;
      if (strcmp (name, "..") == 0)
        {
          close (fd);
          _spark_file_set_escape_error (error, dir);
          return -1;
        }

      g_string_append_c (cur, '/');
      g_string_append (cur, name);

      next = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && created != NULL)
        {
          spark_file_crash_point ();
          if (mkdirat (fd, name, 0777) == 0)
            g_ptr_array_add (created, g_strdup (cur->str));
          else if (errno != EEXIST)
            {
              int errsv = errno;

              close (fd);
              _spark_file_set_io_error (error, errsv, TRUE, cur->str);
              return -1;
            }
          next = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }

      if (next < 0 && (errno == ELOOP || errno == ENOTDIR))
        {
          /* A symbolic link (O_NOFOLLOW with O_DIRECTORY says ENOTDIR):
           * fine only while it leads to a folder inside. */
          next = openat (fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (next >= 0)
            {
              g_autofree char *real = _spark_file_fd_real_path (next);

              if (real == NULL || !_spark_file_path_confined (real, root))
                {
                  close (next);
                  close (fd);
                  _spark_file_set_escape_error (error, cur->str);
                  return -1;
                }
            }
        }

      if (next < 0)
        {
          int errsv = errno;

          close (fd);
          _spark_file_set_io_error (error, errsv, TRUE, cur->str);
          return -1;
        }

      close (fd);
      fd = next;
    }

  return fd;
}

int
_spark_file_open_dir (const char  *root,
                      const char  *dir,
                      GError     **error)
{
  int fd;

  if (root != NULL)
    return open_dir_in (root, dir, NULL, error);

  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    _spark_file_set_io_error (error, errno, TRUE, dir);
  return fd;
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
  SparkFileEachFunc  func;
  gpointer           data;
  guint              n_items;
  gint               next;      /* atomic: the next item to take */
} SideBySide;

static gpointer
side_by_side_thread (gpointer data)
{
  SideBySide *job = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&job->next, 1)) < job->n_items)
    job->func (job->data, i);

  return NULL;
}

/* Calls @func (@data, i) for each i below @n_items on up to
 * SPARK_FILE_MAX_THREADS threads, this one among them, and returns when
 * every call has: syncs and flushes side by side share the file system's
 * journal commits. */
void
_spark_file_side_by_side (guint              n_items,
                          const char        *thread_name,
                          SparkFileEachFunc  func,
                          gpointer           data)
{
  SideBySide job = { func, data, n_items, 0 };
  GThread *threads[SPARK_FILE_MAX_THREADS];
  guint n_threads = MIN (n_items, SPARK_FILE_MAX_THREADS);

  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new (thread_name, side_by_side_thread, &job);
  side_by_side_thread (&job);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
}

static void
sync_one (gpointer data,
          guint    index)
{
  const char * const *dirs = data;

  sync_directory (dirs[index]);
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
  g_return_if_fail (dirs != NULL || n_dirs == 0);

  _spark_file_side_by_side (n_dirs, "spark-sync", sync_one, (gpointer) dirs);
}

static gboolean
write_in (const char       *root,
          const char       *path,
          const char       *contents,
          gsize             length,
          guint             mode,
          SparkWriteFlags   flags,
          GError          **error)
{
  g_autoptr(SparkPreparedWrite) write = NULL;

  if (!(write = spark_prepared_write_new_in (root, path, contents, length, mode, error)) ||
      !spark_prepared_write_commit (write, error))
    return FALSE;

  if (!(flags & SPARK_WRITE_NO_DIRECTORY_SYNC))
    {
      g_autofree char *dir = g_path_get_dirname (spark_prepared_write_get_target (write));

      sync_directory (dir);
    }

  return TRUE;
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
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  return write_in (NULL, path, contents, length, 0, flags, error);
}

/**
 * spark_file_write_atomic_in:
 * @root: the project folder (canonical)
 * @path: the file to write, below @root
 * @mode: the mode to give the file, 0 to keep the existing one (or 0666
 *   less the umask for a new file)
 *
 * Like spark_file_write_atomic_full(), confined to @root at the time of the
 * write: the folders on the way are opened one by one and a symbolic link
 * (a folder, or the file itself) is followed only when it leads to a place
 * inside @root that is not git's folder; otherwise %SPARK_FILE_ERROR_OUTSIDE
 * and nothing is written. So a link swapped in after the path was checked
 * cannot send the bytes elsewhere.
 */
gboolean
spark_file_write_atomic_in (const char       *root,
                            const char       *path,
                            const char       *contents,
                            gsize             length,
                            guint             mode,
                            SparkWriteFlags   flags,
                            GError          **error)
{
  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  return write_in (root, path, contents, length, mode, flags, error);
}

/**
 * spark_file_make_parents_in:
 * @root: the project folder (canonical)
 * @path: a file below @root
 * @created: (element-type filename): the folders made are added here,
 *   outermost first
 *
 * Makes the missing folders that hold @path, confined to @root as
 * spark_file_write_atomic_in() is.
 */
gboolean
spark_file_make_parents_in (const char  *root,
                            const char  *path,
                            GPtrArray   *created,
                            GError     **error)
{
  g_autofree char *dir = NULL;
  int fd;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (created != NULL, FALSE);

  dir = g_path_get_dirname (path);
  fd = open_dir_in (root, dir, created, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

/**
 * spark_file_delete_in:
 * @root: the project folder (canonical)
 * @path: a file (or symbolic link, which is removed itself) below @root
 *
 * Removes @path, confined to @root as spark_file_write_atomic_in() is.
 */
gboolean
spark_file_delete_in (const char  *root,
                      const char  *path,
                      GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  int fd;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  if ((fd = open_dir_in (root, dir, NULL, error)) < 0)
    return FALSE;

  spark_file_crash_point ();
  if (unlinkat (fd, base, 0) != 0)
    {
      int errsv = errno;

      close (fd);
      return _spark_file_set_io_error (error, errsv, TRUE, path);
    }
  spark_file_crash_point ();

  close (fd);
  return TRUE;
}
