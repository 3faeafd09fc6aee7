/* spark-workspace.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-workspace"

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-audience.h"
#include "spark-file-util.h"
#include "spark-workspace.h"

struct _SparkWorkspace
{
  GObject  parent_instance;

  char    *root;        /* canonical */
  char    *given_root;  /* as given, made absolute and normalised */
  char    *store_base;
  char    *store_dir;
};

G_DEFINE_FINAL_TYPE (SparkWorkspace, spark_workspace, G_TYPE_OBJECT)

G_DEFINE_QUARK (spark-workspace-error-quark, spark_workspace_error)

static void
spark_workspace_finalize (GObject *object)
{
  SparkWorkspace *self = (SparkWorkspace *)object;

  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->given_root, g_free);
  g_clear_pointer (&self->store_base, g_free);
  g_clear_pointer (&self->store_dir, g_free);

  G_OBJECT_CLASS (spark_workspace_parent_class)->finalize (object);
}

static void
spark_workspace_class_init (SparkWorkspaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_workspace_finalize;
}

static void
spark_workspace_init (SparkWorkspace *self)
{
}

/* @path is inside (or equal to) @dir, both canonical or both normalised. */
static gboolean
is_within (const char *path,
           const char *dir)
{
  gsize len = strlen (dir);

  if (strcmp (dir, "/") == 0)
    return path[0] == '/';

  return strncmp (path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static char *
canonical (const char *path)
{
  char *real = realpath (path, NULL);
  char *ret;

  if (real == NULL)
    return NULL;
  ret = g_strdup (real);
  free (real);
  return ret;
}

SparkWorkspace *
spark_workspace_new (const char  *root,
                     GError     **error)
{
  g_autoptr(SparkWorkspace) self = NULL;
  g_autoptr(GFile) file = NULL;
  GStatBuf st;

  g_return_val_if_fail (root != NULL, NULL);

  if (g_stat (root, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_autofree char *display = g_filename_display_name (root);

      g_set_error (error, SPARK_WORKSPACE_ERROR, SPARK_WORKSPACE_ERROR_NOT_A_FOLDER,
                   _("“%s” is not a folder"), display);
      return NULL;
    }

  self = g_object_new (SPARK_TYPE_WORKSPACE, NULL);
  self->root = canonical (root);
  if (self->root == NULL)
    {
      int errsv = errno;
      g_autofree char *display = g_filename_display_name (root);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot open “%s”: %s"), display, spark_audience_strerror (errsv));
      return NULL;
    }

  file = g_file_new_for_path (root);
  self->given_root = g_file_get_path (file);

  return g_steal_pointer (&self);
}

const char *
spark_workspace_get_root (SparkWorkspace *self)
{
  g_return_val_if_fail (SPARK_IS_WORKSPACE (self), NULL);
  return self->root;
}

static gboolean
refuse (GError     **error,
        int          code,
        const char  *format,
        ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError     **error,
        int          code,
        const char  *format,
        ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (SPARK_WORKSPACE_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* Whether a component of @rel ("a/b/c") may name a .git folder. */
static gboolean
has_git_name (const char *rel)
{
  g_auto(GStrv) names = g_strsplit (rel, "/", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (spark_path_is_git_name (names[i]))
        return TRUE;
    }
  return FALSE;
}

/* Whether @path (which exists) is the very folder or file that its parent
 * knows as ".git": another name for it on a case-insensitive mount
 * (".GIT" there), an 8.3 short name, a Unicode alias or a bind mount. The
 * names are compared by what the file system resolves them to, so this
 * holds whatever rules the mount folds names by. */
static gboolean
aliases_git_dir (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *git = g_build_filename (parent, ".git", NULL);
  GStatBuf st, git_st;

  if (g_stat (path, &st) != 0 || g_stat (git, &git_st) != 0)
    return FALSE;

  return st.st_dev == git_st.st_dev && st.st_ino == git_st.st_ino;
}

/* A long path shortened for an error message. */
static char *
shorten (const char *path)
{
  if (strlen (path) <= 80)
    return g_strdup (path);

  return g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (path, 60) - path), path);
}

char *
spark_workspace_resolve (SparkWorkspace  *self,
                         const char      *path,
                         GError         **error)
{
  return spark_workspace_resolve_full (self, path, SPARK_WORKSPACE_RESOLVE_DEFAULT, error);
}

char *
spark_workspace_resolve_full (SparkWorkspace              *self,
                              const char                  *path,
                              SparkWorkspaceResolveFlags   flags,
                              GError                     **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) result = NULL;
  g_auto(GStrv) split = NULL;
  gboolean missing;

  g_return_val_if_fail (SPARK_IS_WORKSPACE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (path[0] == '\0')
    {
      refuse (error, SPARK_WORKSPACE_ERROR_INVALID_PATH, _("The path is empty"));
      return NULL;
    }

  if (!g_utf8_validate (path, -1, NULL) || strpbrk (path, "\n\r") != NULL)
    {
      refuse (error, SPARK_WORKSPACE_ERROR_INVALID_PATH,
              _("The path “%s” is not a valid file name"), path);
      return NULL;
    }

  if (strlen (path) >= PATH_MAX)
    {
      g_autofree char *shown = shorten (path);

      refuse (error, SPARK_WORKSPACE_ERROR_INVALID_PATH,
              _("The path “%s” is too long (%zu bytes; the limit is %d)"),
              shown, strlen (path), PATH_MAX - 1);
      return NULL;
    }

  if (g_path_is_absolute (path))
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autofree char *norm = g_file_get_path (file);
      const char *base = NULL;

      if (is_within (norm, self->root))
        base = self->root;
      else if (is_within (norm, self->given_root))
        base = self->given_root;
      else
        {
          refuse (error, SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT,
                  _("The path “%s” is outside the project folder"), path);
          return NULL;
        }

      split = g_strsplit (norm + strlen (base), "/", -1);
    }
  else
    split = g_strsplit (path, "/", -1);

  for (guint i = 0; split[i] != NULL; i++)
    {
      const char *part = split[i];

      if (part[0] == '\0' || strcmp (part, ".") == 0)
        continue;

      if (strcmp (part, "..") == 0)
        {
          if (parts->len == 0)
            {
              refuse (error, SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT,
                      _("The path “%s” leads outside the project folder"), path);
              return NULL;
            }
          g_ptr_array_remove_index (parts, parts->len - 1);
          continue;
        }

      if (spark_path_is_git_name (part))
        {
          refuse (error, SPARK_WORKSPACE_ERROR_GIT_DIR,
                  _("The path “%s” is inside a .git folder, which is git's own data"),
                  path);
          return NULL;
        }

      if (strlen (part) > NAME_MAX)
        {
          g_autofree char *shown = shorten (path);

          refuse (error, SPARK_WORKSPACE_ERROR_INVALID_PATH,
                  _("The path “%s” has a name longer than %d bytes"), shown, NAME_MAX);
          return NULL;
        }

      g_ptr_array_add (parts, g_strdup (part));
    }

  if (parts->len == 0 && (flags & SPARK_WORKSPACE_RESOLVE_ALLOW_ROOT))
    return g_strdup (self->root);

  if (parts->len == 0)
    {
      refuse (error, SPARK_WORKSPACE_ERROR_INVALID_PATH,
              _("The path “%s” names the project folder itself, not a file"), path);
      return NULL;
    }

  result = g_string_new (self->root);
  missing = FALSE;

  /* Every component that exists must stay inside the root once symbolic
   * links are followed, and none may be git's folder under another name. */
  for (guint i = 0; i < parts->len; i++)
    {
      g_autofree char *real = NULL;
      g_autofree char *git_dir = NULL;
      GStatBuf st;

      g_string_append_c (result, '/');
      g_string_append (result, g_ptr_array_index (parts, i));

      if (result->len >= PATH_MAX)
        {
          g_autofree char *shown = shorten (path);

          refuse (error, SPARK_WORKSPACE_ERROR_INVALID_PATH,
                  _("The path “%s” is too long inside the project folder (the limit is %d bytes)"),
                  shown, PATH_MAX - 1);
          return NULL;
        }

      if (missing || g_lstat (result->str, &st) != 0)
        {
          missing = TRUE;
          continue;
        }

      if (!S_ISLNK (st.st_mode))
        {
          if (aliases_git_dir (result->str))
            {
              refuse (error, SPARK_WORKSPACE_ERROR_GIT_DIR,
                      _("The path “%s” is inside a .git folder, which is git's own data"),
                      path);
              return NULL;
            }
          continue;
        }

      real = canonical (result->str);
      if (real == NULL)
        {
          refuse (error, SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE,
                  _("The path “%s” goes through a symbolic link that leads nowhere"),
                  path);
          return NULL;
        }

      git_dir = g_build_filename (self->root, ".git", NULL);
      if (!is_within (real, self->root) || is_within (real, git_dir) ||
          strcmp (real, self->root) == 0 || has_git_name (real + strlen (self->root)))
        {
          refuse (error, SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE,
                  _("The path “%s” goes through a symbolic link that leads outside the project folder"),
                  path);
          return NULL;
        }
    }

  return g_string_free (g_steal_pointer (&result), FALSE);
}

const char *
spark_workspace_relative (SparkWorkspace *self,
                          const char     *abs_path)
{
  gsize len;

  g_return_val_if_fail (SPARK_IS_WORKSPACE (self), NULL);
  g_return_val_if_fail (abs_path != NULL, NULL);

  len = strlen (self->root);
  if (!is_within (abs_path, self->root))
    return abs_path;
  if (abs_path[len] == '/')
    return abs_path + len + 1;
  return abs_path + len;
}

const char *
spark_workspace_get_store_dir (SparkWorkspace *self)
{
  g_return_val_if_fail (SPARK_IS_WORKSPACE (self), NULL);

  if (self->store_dir == NULL)
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, self->root, -1);
      g_autofree char *base = NULL;
      g_autofree char *name = NULL;
      g_autofree char *leaf = g_path_get_basename (self->root);

      if (self->store_base != NULL)
        base = g_strdup (self->store_base);
      else if (g_getenv ("SPARK_CHECKPOINT_DIR") != NULL)
        base = g_strdup (g_getenv ("SPARK_CHECKPOINT_DIR"));
      else
        base = g_build_filename (g_get_user_data_dir (), "spark", "checkpoints", NULL);

      hash[16] = '\0';
      name = g_strdup_printf ("%s-%s", leaf, hash);
      self->store_dir = g_build_filename (base, name, NULL);
    }

  return self->store_dir;
}

void
spark_workspace_set_store_dir (SparkWorkspace *self,
                               const char     *store_dir)
{
  g_return_if_fail (SPARK_IS_WORKSPACE (self));

  g_free (self->store_base);
  self->store_base = g_strdup (store_dir);
  g_clear_pointer (&self->store_dir, g_free);
}
