/* spark-project.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-project"

#include "config.h"

#include <string.h>

#include "spark-directory-list.h"
#include "spark-memory.h"
#include "spark-project.h"

/* Status reads are coalesced: a burst of file changes (a build, a checkout)
 * gives one read this long after the last change. */
#define STATUS_DELAY_MSEC 250
/* Entries past which a job leaves enough freed memory to hand back. */
#define BIG_JOB 10000

struct _SparkProject
{
  GObject       parent_instance;

  GFile        *root;
  char         *root_path;
  SparkGit     *git;
  GHashTable   *status;           /* relpath → SparkGitStatus */
  GCancellable *cancellable;
  GFileMonitor *index_monitor;
  guint         status_source;
  guint         status_loaded : 1;
  guint         status_running : 1;
  guint         status_again : 1;
};

enum {
  PROP_0,
  PROP_STATUS_LOADED,
  N_PROPS
};

enum {
  STATUS_CHANGED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SparkProject, spark_project, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void read_status_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
start_status_read (SparkProject *self)
{
  if (self->status_running)
    {
      self->status_again = TRUE;
      return;
    }

  self->status_running = TRUE;
  self->status_again = FALSE;
  spark_git_read_status_async (self->git, self->cancellable, read_status_cb, g_object_ref (self));
}

static void
read_status_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SparkProject) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = NULL;

  self->status_running = FALSE;

  table = spark_git_read_status_finish (SPARK_GIT (object), result, &error);
  if (table == NULL)
    {
      /* A folder deleted or moved away under Spark is not a fault. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          !g_file_test (self->root_path, G_FILE_TEST_IS_DIR))
        g_debug ("No git status for %s: %s", self->root_path, error->message);
      else
        g_warning ("Failed to read git status of %s: %s", self->root_path, error->message);
      return;
    }

  g_clear_pointer (&self->status, g_hash_table_unref);
  self->status = g_steal_pointer (&table);
  /* Reading the status of many files frees as much as it keeps. */
  if (g_hash_table_size (self->status) >= BIG_JOB)
    spark_memory_release_later ();

  if (!self->status_loaded)
    {
      self->status_loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_LOADED]);
    }

  g_signal_emit (self, signals[STATUS_CHANGED], 0);

  if (self->status_again)
    start_status_read (self);
}

static gboolean
status_timeout_cb (gpointer data)
{
  SparkProject *self = data;

  self->status_source = 0;
  start_status_read (self);

  return G_SOURCE_REMOVE;
}

/**
 * spark_project_refresh_status:
 *
 * Schedules a new read of the git status; "status-changed" is emitted when
 * it is in. Bursts of calls are coalesced.
 */
void
spark_project_refresh_status (SparkProject *self)
{
  g_return_if_fail (SPARK_IS_PROJECT (self));

  if (self->git == NULL || self->status_source != 0)
    return;

  self->status_source = g_timeout_add (STATUS_DELAY_MSEC, status_timeout_cb, self);
}

static void
index_changed_cb (SparkProject      *self,
                  GFile             *file,
                  GFile             *other_file,
                  GFileMonitorEvent  event,
                  GFileMonitor      *monitor)
{
  spark_project_refresh_status (self);
}

static void
spark_project_dispose (GObject *object)
{
  SparkProject *self = (SparkProject *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->status_source, g_source_remove);
  if (self->index_monitor != NULL)
    g_file_monitor_cancel (self->index_monitor);
  g_clear_object (&self->index_monitor);

  G_OBJECT_CLASS (spark_project_parent_class)->dispose (object);
}

static void
spark_project_finalize (GObject *object)
{
  SparkProject *self = (SparkProject *)object;

  g_clear_object (&self->root);
  g_clear_object (&self->git);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->root_path, g_free);
  g_clear_pointer (&self->status, g_hash_table_unref);

  G_OBJECT_CLASS (spark_project_parent_class)->finalize (object);
}

static void
spark_project_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SparkProject *self = SPARK_PROJECT (object);

  switch (prop_id)
    {
    case PROP_STATUS_LOADED:
      g_value_set_boolean (value, self->status_loaded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_project_class_init (SparkProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spark_project_dispose;
  object_class->finalize = spark_project_finalize;
  object_class->get_property = spark_project_get_property;

  properties[PROP_STATUS_LOADED] =
    g_param_spec_boolean ("status-loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkProject::status-changed:
   *
   * Emitted on the main thread after a new git status was read.
   */
  signals[STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
spark_project_init (SparkProject *self)
{
  self->cancellable = g_cancellable_new ();
  self->status = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * spark_project_new:
 * @root: the folder the person opened
 *
 * Opens the git repository around @root, if there is one, and starts
 * reading its status in the background.
 */
SparkProject *
spark_project_new (GFile *root)
{
  SparkProject *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (G_IS_FILE (root), NULL);

  self = g_object_new (SPARK_TYPE_PROJECT, NULL);
  self->root = g_object_ref (root);
  self->root_path = g_file_get_path (root);
  if (self->root_path == NULL)
    self->root_path = g_file_get_uri (root);

  self->git = spark_git_open (self->root_path, &error);
  if (self->git != NULL)
    {
      g_autofree char *index_path = g_build_filename (spark_git_get_git_dir (self->git),
                                                      "index", NULL);
      g_autoptr(GFile) index = g_file_new_for_path (index_path);

      /* Commits, stages and checkouts made outside Spark change the index. */
      self->index_monitor = g_file_monitor_file (index, G_FILE_MONITOR_NONE, NULL, NULL);
      if (self->index_monitor != NULL)
        g_signal_connect_object (self->index_monitor, "changed",
                                 G_CALLBACK (index_changed_cb), self, G_CONNECT_SWAPPED);

      /* After a short delay: the first rows of the tree matter more, and the
       * status walk would compete with their listing for the disk. */
      spark_project_refresh_status (self);
    }
  else
    {
      g_debug ("No git status for %s: %s", self->root_path, error->message);
    }

  return self;
}

GFile *
spark_project_get_root (SparkProject *self)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), NULL);

  return self->root;
}

const char *
spark_project_get_root_path (SparkProject *self)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), NULL);

  return self->root_path;
}

/**
 * spark_project_get_git:
 *
 * Returns: (transfer none) (nullable): the repository, or %NULL when the
 *   folder is not in a git work tree
 */
SparkGit *
spark_project_get_git (SparkProject *self)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), NULL);

  return self->git;
}

char *
spark_project_dup_display_name (SparkProject *self)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), NULL);

  return g_file_get_basename (self->root);
}

/**
 * spark_project_hides:
 * @relpath: the entry's path relative to the root
 * @name: the entry's name
 *
 * Whether the file tree and quick-open leave this entry out: git's own
 * folder, and whatever .gitignore rules ignore. Thread-safe.
 */
gboolean
spark_project_hides (SparkProject *self,
                     const char   *relpath,
                     const char   *name,
                     gboolean      is_directory)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), FALSE);

  if (strcmp (name, ".git") == 0)
    return TRUE;

  if (self->git != NULL)
    return spark_git_is_ignored (self->git, relpath, is_directory);

  return FALSE;
}

/**
 * spark_project_create_list:
 * @directory: (nullable): a folder node, or %NULL for the root
 *
 * Returns: (transfer full): a #GListModel of #SparkFileNode that lists the
 *   folder the first time it is asked for its items
 */
GListModel *
spark_project_create_list (SparkProject  *self,
                           SparkFileNode *directory)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *relpath = NULL;

  g_return_val_if_fail (SPARK_IS_PROJECT (self), NULL);
  g_return_val_if_fail (!directory || SPARK_IS_FILE_NODE (directory), NULL);

  if (directory == NULL)
    return G_LIST_MODEL (spark_directory_list_new (self, self->root, ""));

  g_return_val_if_fail (spark_file_node_get_is_directory (directory), NULL);

  file = spark_file_node_dup_file (directory);
  relpath = spark_file_node_dup_relpath (directory);

  return G_LIST_MODEL (spark_directory_list_new (self, file, relpath));
}

SparkGitStatus
spark_project_get_status (SparkProject *self,
                          const char   *relpath)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), SPARK_GIT_STATUS_NONE);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->status, relpath));
}

/**
 * spark_project_get_status_table:
 *
 * Returns: (transfer none): relpath → #SparkGitStatus of the last read
 */
GHashTable *
spark_project_get_status_table (SparkProject *self)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), NULL);

  return self->status;
}

gboolean
spark_project_get_status_loaded (SparkProject *self)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), FALSE);

  return self->status_loaded;
}

/**
 * spark_project_relpath_for_file:
 *
 * Returns: (transfer full) (nullable): @file's path relative to the root,
 *   or %NULL when it is not below it
 */
char *
spark_project_relpath_for_file (SparkProject *self,
                                GFile        *file)
{
  g_return_val_if_fail (SPARK_IS_PROJECT (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return g_file_get_relative_path (self->root, file);
}

typedef struct
{
  SparkProject *project;
  GFile        *root;
  guint         max_files;
} ListFiles;

static void
list_files_free (ListFiles *state)
{
  g_clear_object (&state->project);
  g_clear_object (&state->root);
  g_free (state);
}

static void
list_files_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ListFiles *state = task_data;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GQueue) dirs = g_queue_new ();

  g_queue_push_tail (dirs, g_strdup (""));

  while (!g_queue_is_empty (dirs) && files->len < state->max_files)
    {
      g_autofree char *dir = g_queue_pop_head (dirs);
      g_autoptr(GFile) file = *dir ? g_file_get_child (state->root, dir) : g_object_ref (state->root);
      g_autoptr(GFileEnumerator) enumerator = NULL;
      GFileInfo *info;

      if (g_cancellable_is_cancelled (cancellable))
        break;

      enumerator = g_file_enumerate_children (file,
                                              G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                              G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                              G_FILE_ATTRIBUTE_STANDARD_IS_SYMLINK,
                                              G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                              cancellable, NULL);
      if (enumerator == NULL)
        continue;

      while ((info = g_file_enumerator_next_file (enumerator, cancellable, NULL)))
        {
          const char *name = g_file_info_get_name (info);
          GFileType type = g_file_info_get_file_type (info);
          gboolean is_dir = type == G_FILE_TYPE_DIRECTORY;
          char *relpath = *dir ? g_strconcat (dir, "/", name, NULL) : g_strdup (name);

          if (spark_project_hides (state->project, relpath, name, is_dir))
            g_free (relpath);
          else if (is_dir)
            g_queue_push_tail (dirs, relpath);
          else if (type == G_FILE_TYPE_REGULAR || type == G_FILE_TYPE_SYMBOLIC_LINK)
            g_ptr_array_add (files, relpath);
          else
            g_free (relpath);

          g_object_unref (info);
        }
    }

  while (!g_queue_is_empty (dirs))
    g_free (g_queue_pop_head (dirs));

  g_task_return_pointer (task, g_steal_pointer (&files), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * spark_project_list_files_async:
 * @max_files: stop after this many files
 *
 * Lists every file of the project that the tree would show (breadth first,
 * without following folder links), for quick-open.
 */
void
spark_project_list_files_async (SparkProject        *self,
                                guint                max_files,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ListFiles *state;

  g_return_if_fail (SPARK_IS_PROJECT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  state = g_new0 (ListFiles, 1);
  state->project = g_object_ref (self);
  state->root = g_object_ref (self->root);
  state->max_files = max_files;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_project_list_files_async);
  g_task_set_task_data (task, state, (GDestroyNotify) list_files_free);
  g_task_run_in_thread (task, list_files_worker);
}

/**
 * spark_project_list_files_finish:
 *
 * Returns: (transfer full): root-relative paths (char *)
 */
GPtrArray *
spark_project_list_files_finish (SparkProject  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
