/* spark-git.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-git"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <git2.h>
#include <glib/gi18n.h>

#include "spark-git.h"
#include "spark-libgit2.h"

/* A libgit2 repository is not safe to use from two threads at once. Folder
 * listings ask about ignore rules while a status read of a big tree may run
 * for a second, so ignore lookups get a repository object of their own:
 * ->repo is used under ->lock, ->ignore_repo under ->ignore_lock. */
struct _SparkGit
{
  GObject          parent_instance;

  GMutex           lock;
  git_repository  *repo;
  GMutex           ignore_lock;
  git_repository  *ignore_repo;
  char            *root;      /* the opened folder, canonical, no trailing '/' */
  char            *git_dir;
  char            *prefix;    /* root relative to the work tree: "" or "sub/dir/" */
};

G_DEFINE_FINAL_TYPE (SparkGit, spark_git, G_TYPE_OBJECT)

static void
spark_git_finalize (GObject *object)
{
  SparkGit *self = (SparkGit *)object;

  g_clear_pointer (&self->repo, git_repository_free);
  g_clear_pointer (&self->ignore_repo, git_repository_free);
  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->git_dir, g_free);
  g_clear_pointer (&self->prefix, g_free);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->ignore_lock);

  G_OBJECT_CLASS (spark_git_parent_class)->finalize (object);
}

static void
spark_git_class_init (SparkGitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_git_finalize;
}

static void
spark_git_init (SparkGit *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->ignore_lock);
}

static char *
strip_trailing_slash (const char *path)
{
  gsize len = strlen (path);

  while (len > 1 && path[len - 1] == '/')
    len--;
  return g_strndup (path, len);
}

/**
 * spark_git_open:
 * @root: a folder inside a git work tree (the folder itself or below it)
 *
 * Returns: (transfer full): a #SparkGit, or %NULL with G_IO_ERROR_NOT_FOUND
 *   when @root is not inside a git work tree
 */
SparkGit *
spark_git_open (const char  *root,
                GError     **error)
{
  g_autoptr(SparkGit) self = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *workdir = NULL;
  git_repository *repo = NULL;
  const char *wd;

  g_return_val_if_fail (root != NULL, NULL);

  spark_libgit2_init ();

  canonical = g_canonicalize_filename (root, NULL);

  if (git_repository_open_ext (&repo, canonical, 0, NULL) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” is not inside a git repository"), canonical);
      git_error_clear ();
      return NULL;
    }

  wd = git_repository_workdir (repo);
  if (wd == NULL)
    {
      git_repository_free (repo);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” is a bare git repository"), canonical);
      return NULL;
    }

  self = g_object_new (SPARK_TYPE_GIT, NULL);
  self->repo = repo;
  if (git_repository_open (&self->ignore_repo, git_repository_path (repo)) != 0)
    {
      spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not open the git repository: %s"), spark_libgit2_detail ());
      return NULL;
    }
  self->root = strip_trailing_slash (canonical);
  self->git_dir = strip_trailing_slash (git_repository_path (repo));

  /* The opened folder may be a sub-folder of the work tree; libgit2 speaks
   * in work-tree paths, the rest of Spark in folder-relative ones. Resolve
   * symbolic links on both sides so that /tmp vs /private/tmp style
   * differences do not matter. */
  workdir = strip_trailing_slash (wd);
  {
    g_autofree char *real_wd = realpath (workdir, NULL);
    g_autofree char *real_root = realpath (self->root, NULL);
    const char *a = real_wd ? real_wd : workdir;
    const char *b = real_root ? real_root : self->root;
    gsize alen = strlen (a);

    if (strcmp (a, b) == 0)
      self->prefix = g_strdup ("");
    else if (strncmp (a, b, alen) == 0 && b[alen] == '/')
      self->prefix = g_strconcat (b + alen + 1, "/", NULL);
    else
      self->prefix = g_strdup ("");
  }

  return g_steal_pointer (&self);
}

const char *
spark_git_get_root (SparkGit *self)
{
  g_return_val_if_fail (SPARK_IS_GIT (self), NULL);

  return self->root;
}

const char *
spark_git_get_git_dir (SparkGit *self)
{
  g_return_val_if_fail (SPARK_IS_GIT (self), NULL);

  return self->git_dir;
}

/**
 * spark_git_is_ignored:
 * @relpath: a path relative to the opened folder
 * @is_dir: whether @relpath is a folder (rules like `build/` only match those)
 *
 * Thread-safe.
 */
gboolean
spark_git_is_ignored (SparkGit   *self,
                      const char *relpath,
                      gboolean    is_dir)
{
  g_autofree char *path = NULL;
  int ignored = 0;

  g_return_val_if_fail (SPARK_IS_GIT (self), FALSE);
  g_return_val_if_fail (relpath != NULL, FALSE);

  path = g_strconcat (self->prefix, relpath, is_dir ? "/" : "", NULL);

  g_mutex_lock (&self->ignore_lock);
  if (git_ignore_path_is_ignored (&ignored, self->ignore_repo, path) != 0)
    {
      git_error_clear ();
      ignored = 0;
    }
  g_mutex_unlock (&self->ignore_lock);

  return ignored == 1;
}

/**
 * spark_git_status_from_flags:
 * @git_status_flags: a `git_status_t` bit set
 *
 * Maps libgit2's index and work-tree flags to the one state the tree shows.
 * The work tree wins over the index (what is on disk now matters most), and
 * a conflict wins over everything.
 */
SparkGitStatus
spark_git_status_from_flags (unsigned int flags)
{
  if (flags & GIT_STATUS_CONFLICTED)
    return SPARK_GIT_STATUS_CONFLICTED;
  if (flags & GIT_STATUS_WT_DELETED)
    return SPARK_GIT_STATUS_DELETED;
  if (flags & GIT_STATUS_WT_NEW)
    return SPARK_GIT_STATUS_NEW;
  if (flags & (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_TYPECHANGE))
    return SPARK_GIT_STATUS_MODIFIED;
  if (flags & GIT_STATUS_WT_RENAMED)
    return SPARK_GIT_STATUS_RENAMED;
  if (flags & GIT_STATUS_INDEX_DELETED)
    return SPARK_GIT_STATUS_DELETED;
  if (flags & GIT_STATUS_INDEX_NEW)
    return SPARK_GIT_STATUS_NEW;
  if (flags & GIT_STATUS_INDEX_RENAMED)
    return SPARK_GIT_STATUS_RENAMED;
  if (flags & (GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_TYPECHANGE))
    return SPARK_GIT_STATUS_MODIFIED;
  return SPARK_GIT_STATUS_NONE;
}

const char *
spark_git_status_to_letter (SparkGitStatus status)
{
  switch (status)
    {
    case SPARK_GIT_STATUS_MODIFIED:   return "M";
    case SPARK_GIT_STATUS_NEW:        return "A";
    case SPARK_GIT_STATUS_DELETED:    return "D";
    case SPARK_GIT_STATUS_RENAMED:    return "R";
    case SPARK_GIT_STATUS_CONFLICTED: return "C";
    case SPARK_GIT_STATUS_NONE:
    default:                          return "";
    }
}

const char *
spark_git_status_to_string (SparkGitStatus status)
{
  switch (status)
    {
    /* Translators: git status of a file, read by screen readers */
    case SPARK_GIT_STATUS_MODIFIED:   return _("modified");
    case SPARK_GIT_STATUS_NEW:        return _("new");
    case SPARK_GIT_STATUS_DELETED:    return _("deleted");
    case SPARK_GIT_STATUS_RENAMED:    return _("renamed");
    case SPARK_GIT_STATUS_CONFLICTED: return _("conflicted");
    case SPARK_GIT_STATUS_NONE:
    default:                          return "";
    }
}

static void
mark_parents (GHashTable *table,
              const char *relpath)
{
  g_autofree char *dir = g_strdup (relpath);
  char *slash;

  while ((slash = strrchr (dir, '/')) != NULL)
    {
      *slash = '\0';
      if (g_hash_table_contains (table, dir))
        break;
      g_hash_table_insert (table, g_strdup (dir), GUINT_TO_POINTER (SPARK_GIT_STATUS_MODIFIED));
    }
}

/**
 * spark_git_read_status:
 *
 * Reads the status of the work tree below the opened folder. Thread-safe;
 * call it from a worker thread on big trees.
 *
 * Returns: (transfer full): folder-relative path → #SparkGitStatus (as
 *   GUINT_TO_POINTER); folders that contain changes map to MODIFIED
 */
GHashTable *
spark_git_read_status (SparkGit  *self,
                       GError   **error)
{
  g_autoptr(GHashTable) table = NULL;
  git_status_options opts = GIT_STATUS_OPTIONS_INIT;
  git_status_list *list = NULL;
  gsize prefix_len;
  gsize n;

  g_return_val_if_fail (SPARK_IS_GIT (self), NULL);

  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
               GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES;

  g_mutex_lock (&self->lock);
  if (git_status_list_new (&list, self->repo, &opts) != 0)
    {
      g_mutex_unlock (&self->lock);
      spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not read the git status: %s"), spark_libgit2_detail ());
      return NULL;
    }

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  prefix_len = strlen (self->prefix);
  n = git_status_list_entrycount (list);

  for (gsize i = 0; i < n; i++)
    {
      const git_status_entry *entry = git_status_byindex (list, i);
      const git_diff_delta *delta = entry->index_to_workdir ? entry->index_to_workdir
                                                            : entry->head_to_index;
      SparkGitStatus status = spark_git_status_from_flags (entry->status);
      const char *path;

      if (delta == NULL || status == SPARK_GIT_STATUS_NONE)
        continue;

      path = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
      if (path == NULL || strncmp (path, self->prefix, prefix_len) != 0)
        continue;
      path += prefix_len;

      g_hash_table_insert (table, g_strdup (path), GUINT_TO_POINTER (status));
      mark_parents (table, path);

      /* A rename leaves the old name deleted. */
      if (status == SPARK_GIT_STATUS_RENAMED && delta->old_file.path != NULL &&
          strcmp (delta->old_file.path, delta->new_file.path) != 0 &&
          strncmp (delta->old_file.path, self->prefix, prefix_len) == 0)
        g_hash_table_insert (table, g_strdup (delta->old_file.path + prefix_len),
                             GUINT_TO_POINTER (SPARK_GIT_STATUS_DELETED));
    }

  git_status_list_free (list);
  g_mutex_unlock (&self->lock);

  return g_steal_pointer (&table);
}

static void
read_status_worker (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  GHashTable *table = spark_git_read_status (source_object, &error);

  if (table == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, table, (GDestroyNotify) g_hash_table_unref);
}

void
spark_git_read_status_async (SparkGit            *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SPARK_IS_GIT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_git_read_status_async);
  g_task_run_in_thread (task, read_status_worker);
}

GHashTable *
spark_git_read_status_finish (SparkGit      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
