/* spark-directory-list.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-directory-list"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "spark-directory-list.h"
#include "spark-memory.h"

/* A file monitor fires once per file during a build or checkout; relist
 * the folder once things calm down. */
#define RELOAD_DELAY_MSEC 150
/* Entries past which a listing leaves enough freed memory to hand back. */
#define BIG_LISTING 10000

/* One folder of the project, listed lazily: nothing is read until a view
 * asks for the items (a GtkTreeListModel asks only when a row expands).
 * The listing runs in a worker thread; the result is merged into the
 * current items so that unchanged entries keep their node (and a view keeps
 * their expanded state). Files that git knows as deleted appear as ghost
 * nodes so the person sees them in the tree. */
struct _SparkDirectoryList
{
  GObject        parent_instance;

  SparkProject  *project;
  GFile         *directory;
  char          *relpath;          /* GRefString */
  GPtrArray     *items;            /* SparkFileNode, what the model shows */
  GPtrArray     *on_disk;          /* SparkFileNode, the last listing */
  GCancellable  *cancellable;
  GFileMonitor  *monitor;
  char          *error;
  guint          reload_source;
  guint          generation;       /* drops chunks of a superseded listing */
  guint          started : 1;
  guint          loaded : 1;
  guint          loading : 1;
  guint          reload_again : 1;
};

enum {
  PROP_0,
  PROP_LOADED,
  PROP_N_ITEMS,
  N_PROPS
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SparkDirectoryList, spark_directory_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GParamSpec *properties[N_PROPS];

static int
compare_nodes (gconstpointer a,
               gconstpointer b)
{
  return spark_file_node_compare (*(SparkFileNode **) a, *(SparkFileNode **) b);
}

typedef struct
{
  SparkProject       *project;
  GFile              *directory;
  char               *relpath;
  SparkDirectoryList *list;        /* only touched on the main thread */
  GMainContext       *context;
  guint               generation;
  gboolean            stream;
} ListJob;

static void
list_job_free (ListJob *job)
{
  g_clear_object (&job->project);
  g_clear_object (&job->directory);
  g_clear_object (&job->list);
  g_clear_pointer (&job->relpath, g_ref_string_release);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_free (job);
}

typedef struct
{
  SparkDirectoryList *list;
  GPtrArray          *nodes;
  guint               generation;
} Chunk;

static void append_chunk (SparkDirectoryList *self, GPtrArray *nodes, guint generation);

static gboolean
deliver_chunk_cb (gpointer data)
{
  Chunk *chunk = data;

  append_chunk (chunk->list, chunk->nodes, chunk->generation);
  return G_SOURCE_REMOVE;
}

static void
chunk_free (gpointer data)
{
  Chunk *chunk = data;

  g_object_unref (chunk->list);
  g_ptr_array_unref (chunk->nodes);
  g_free (chunk);
}

static void
send_chunk (ListJob   *job,
            GPtrArray *all,
            guint      from,
            guint      to)
{
  Chunk *chunk;

  if (from >= to)
    return;

  chunk = g_new0 (Chunk, 1);
  chunk->list = g_object_ref (job->list);
  chunk->generation = job->generation;
  chunk->nodes = g_ptr_array_new_full (to - from, g_object_unref);
  for (guint i = from; i < to; i++)
    g_ptr_array_add (chunk->nodes, g_object_ref (g_ptr_array_index (all, i)));

  /* Not g_main_context_invoke(): when no thread owns the context at that
   * moment it runs the callback right here, in the worker. Below GDK's
   * redraw priority: the frame showing the first rows goes before the
   * next chunk, instead of after the next three. */
  {
    GSource *source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
    g_source_set_callback (source, deliver_chunk_cb, chunk, chunk_free);
    g_source_set_static_name (source, "[spark] folder listing chunk");
    g_source_attach (source, job->context);
    g_source_unref (source);
  }
}

/* The entries of a local folder with readdir() and its d_type (a stat()
 * only for links and file systems that give no type): GFileEnumerator
 * builds a GFileInfo per entry, which takes three times as long for a
 * 100,000-entry folder. Symbolic links count as folders when they point to
 * one, as with GFileEnumerator. Returns FALSE, with no error set, when the
 * folder cannot be opened this way; the caller then asks GIO, which says
 * why in its own words. */
static gboolean
read_local_entries (ListJob      *job,
                    GPtrArray    *nodes,
                    GCancellable *cancellable,
                    GError      **error)
{
  g_autofree char *path = g_file_get_path (job->directory);
  struct dirent *entry;
  DIR *dir;
  guint n = 0;

  if (path == NULL || (dir = opendir (path)) == NULL)
    return FALSE;

  for (;;)
    {
      gboolean is_dir;

      errno = 0;
      if ((entry = readdir (dir)) == NULL)
        break;

      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0 ||
          strcmp (entry->d_name, ".git") == 0)
        continue;

      if (entry->d_type == DT_DIR)
        is_dir = TRUE;
      else if (entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN)
        {
          struct stat st;

          is_dir = fstatat (dirfd (dir), entry->d_name, &st, 0) == 0 && S_ISDIR (st.st_mode);
        }
      else
        is_dir = FALSE;

      g_ptr_array_add (nodes, spark_file_node_new (job->directory, job->relpath,
                                                   entry->d_name, is_dir, FALSE));

      if (++n % 4096 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          closedir (dir);
          return TRUE;
        }
    }

  if (errno != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Error reading %s: %s", path, g_strerror (saved_errno));
    }
  closedir (dir);

  return TRUE;
}

/* Lists the folder: names and types first (cheap), sorted, then the ignore
 * rules (the dear part: libgit2 checks its caches with a few stat() calls
 * per path). On a first listing the kept entries go to the main thread in
 * sorted chunks as they are checked, so the first rows of a 100,000-entry
 * folder show long before the last one is checked. */
static void
list_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ListJob *job = task_data;
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) kept = NULL;
  GError *error = NULL;
  GFileInfo *info;
  guint sent = 0;
  guint next_flush = 64;
  GString *child_relpath;

  if (!read_local_entries (job, nodes, cancellable, &error))
    {
      enumerator = g_file_enumerate_children (job->directory,
                                              G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                              G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                              G_FILE_QUERY_INFO_NONE,
                                              cancellable, &error);
      if (enumerator == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      while ((info = g_file_enumerator_next_file (enumerator, cancellable, &error)))
        {
          const char *name = g_file_info_get_name (info);
          gboolean is_dir = g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY;

          /* .git needs no rule lookup; the rest is checked below. */
          if (strcmp (name, ".git") != 0)
            g_ptr_array_add (nodes, spark_file_node_new (job->directory, job->relpath,
                                                         name, is_dir, FALSE));
          g_object_unref (info);
        }
    }

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_ptr_array_sort (nodes, compare_nodes);

  kept = g_ptr_array_new_full (nodes->len, g_object_unref);
  child_relpath = g_string_new (NULL);

  for (guint i = 0; i < nodes->len; i++)
    {
      SparkFileNode *node = g_ptr_array_index (nodes, i);
      const char *name = spark_file_node_get_name (node);

      g_string_truncate (child_relpath, 0);
      if (job->relpath[0])
        {
          g_string_append (child_relpath, job->relpath);
          g_string_append_c (child_relpath, '/');
        }
      g_string_append (child_relpath, name);

      if (!spark_project_hides (job->project, child_relpath->str, name,
                                spark_file_node_get_is_directory (node)))
        g_ptr_array_add (kept, g_object_ref (node));

      if (job->stream && kept->len >= next_flush)
        {
          if (g_cancellable_is_cancelled (cancellable))
            break;
          send_chunk (job, kept, sent, kept->len);
          sent = kept->len;
          /* Growing chunks keep the hand-overs few; the cap keeps each one
           * short on the main thread. */
          next_flush = sent + MIN (sent * 3, 8192);
        }
    }

  g_string_free (child_relpath, TRUE);

  if (job->stream)
    send_chunk (job, kept, sent, kept->len);

  g_task_return_pointer (task, g_steal_pointer (&kept), (GDestroyNotify) g_ptr_array_unref);
}

/* Brings ->items to @wanted (sorted) with the fewest items-changed
 * emissions: both are sorted the same way, so one merge walk finds the runs
 * of removed and added entries; kept entries keep their node. */
static void
merge_items (SparkDirectoryList *self,
             GPtrArray          *wanted)
{
  guint pos = 0;
  guint j = 0;
  guint old_n = self->items->len;

  if (self->items->len == 0)
    {
      if (wanted->len == 0)
        return;
      for (guint i = 0; i < wanted->len; i++)
        g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (wanted, i)));
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, wanted->len);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      return;
    }

  while (pos < self->items->len || j < wanted->len)
    {
      guint removed = 0;
      guint added_start = j;
      guint added;

      /* Collect one run of changes that ends at the next kept entry. */
      while (pos + removed < self->items->len || j < wanted->len)
        {
          SparkFileNode *old = pos + removed < self->items->len ?
                               g_ptr_array_index (self->items, pos + removed) : NULL;
          SparkFileNode *new = j < wanted->len ? g_ptr_array_index (wanted, j) : NULL;
          int cmp;

          if (old != NULL && new != NULL && spark_file_node_same_entry (old, new))
            break;

          if (old == NULL)
            cmp = 1;
          else if (new == NULL)
            cmp = -1;
          else
            cmp = spark_file_node_compare (old, new);

          if (cmp < 0 || (cmp == 0 && old != NULL))
            removed++;
          else
            j++;
        }

      added = j - added_start;

      if (removed > 0 || added > 0)
        {
          g_ptr_array_remove_range (self->items, pos, removed);
          for (guint k = 0; k < added; k++)
            g_ptr_array_insert (self->items, pos + k,
                                g_object_ref (g_ptr_array_index (wanted, added_start + k)));
          g_list_model_items_changed (G_LIST_MODEL (self), pos, removed, added);
          pos += added;
        }

      /* Step over the kept entry. */
      if (pos < self->items->len && j < wanted->len)
        {
          pos++;
          j++;
        }
    }

  if (old_n != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
apply_status (SparkDirectoryList *self,
              SparkFileNode      *node,
              GString            *scratch)
{
  g_string_truncate (scratch, 0);
  if (self->relpath[0])
    {
      g_string_append (scratch, self->relpath);
      g_string_append_c (scratch, '/');
    }
  g_string_append (scratch, spark_file_node_get_name (node));

  spark_file_node_set_git_status (node, spark_project_get_status (self->project, scratch->str));
}

/* A sorted run of a first listing, from the worker: it goes after what is
 * there (the worker sends them in order). */
static void
append_chunk (SparkDirectoryList *self,
              GPtrArray          *nodes,
              guint               generation)
{
  GString *scratch;
  guint pos;

  if (generation != self->generation || self->loaded)
    return;

  pos = self->items->len;
  scratch = g_string_new (NULL);
  for (guint i = 0; i < nodes->len; i++)
    {
      SparkFileNode *node = g_ptr_array_index (nodes, i);

      apply_status (self, node, scratch);
      g_ptr_array_add (self->items, g_object_ref (node));
    }
  g_string_free (scratch, TRUE);

  g_list_model_items_changed (G_LIST_MODEL (self), pos, 0, nodes->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Joins the last listing with git's deleted files of this folder. */
static void
rebuild (SparkDirectoryList *self)
{
  g_autoptr(GPtrArray) wanted = NULL;
  GHashTable *status;
  GHashTableIter iter;
  gpointer key, value;
  gsize dir_len = strlen (self->relpath);
  guint ghosts = 0;
  GString *scratch;

  if (self->on_disk == NULL)
    return;

  wanted = g_ptr_array_new_full (self->on_disk->len + 1, g_object_unref);
  for (guint i = 0; i < self->on_disk->len; i++)
    g_ptr_array_add (wanted, g_object_ref (g_ptr_array_index (self->on_disk, i)));

  status = spark_project_get_status_table (self->project);
  g_hash_table_iter_init (&iter, status);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *path = key;
      const char *name;

      if (GPOINTER_TO_UINT (value) != SPARK_GIT_STATUS_DELETED)
        continue;

      if (dir_len > 0)
        {
          if (strncmp (path, self->relpath, dir_len) != 0 || path[dir_len] != '/')
            continue;
          name = path + dir_len + 1;
        }
      else
        {
          name = path;
        }

      if (strchr (name, '/') != NULL)
        continue;

      g_ptr_array_add (wanted, spark_file_node_new (self->directory, self->relpath,
                                                    name, FALSE, TRUE));
      ghosts++;
    }

  /* The listing comes sorted; only ghosts need placing. */
  if (ghosts > 0)
    g_ptr_array_sort (wanted, compare_nodes);

  /* A file deleted in git that is back on disk would show twice. */
  for (guint i = 1; ghosts > 0 && i < wanted->len; i++)
    {
      SparkFileNode *a = g_ptr_array_index (wanted, i - 1);
      SparkFileNode *b = g_ptr_array_index (wanted, i);

      if (spark_file_node_compare (a, b) == 0)
        g_ptr_array_remove_index (wanted, spark_file_node_get_is_deleted (a) ? i - 1 : i--);
    }

  merge_items (self, wanted);

  scratch = g_string_new (NULL);
  for (guint i = 0; i < self->items->len; i++)
    apply_status (self, g_ptr_array_index (self->items, i), scratch);
  g_string_free (scratch, TRUE);
}

static void start_listing (SparkDirectoryList *self);

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SparkDirectoryList) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nodes = NULL;

  self->loading = FALSE;

  nodes = g_task_propagate_pointer (G_TASK (result), &error);
  if (nodes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* A folder that vanished or cannot be read lists as empty. */
      g_debug ("Failed to list %s: %s", self->relpath, error->message);
      g_free (self->error);
      self->error = g_strdup (error->message);
      nodes = g_ptr_array_new_with_free_func (g_object_unref);
    }
  else
    {
      g_clear_pointer (&self->error, g_free);
    }

  g_clear_pointer (&self->on_disk, g_ptr_array_unref);
  self->on_disk = g_steal_pointer (&nodes);
  rebuild (self);
  /* The worker's temporaries lie between the nodes it keeps. */
  if (self->on_disk->len >= BIG_LISTING)
    spark_memory_release_later ();

  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }

  if (self->reload_again)
    start_listing (self);
}

static void
start_listing (SparkDirectoryList *self)
{
  g_autoptr(GTask) task = NULL;
  ListJob *job;

  if (self->loading)
    {
      self->reload_again = TRUE;
      return;
    }

  self->loading = TRUE;
  self->reload_again = FALSE;

  job = g_new0 (ListJob, 1);
  job->project = g_object_ref (self->project);
  job->directory = g_object_ref (self->directory);
  job->relpath = g_ref_string_acquire (self->relpath);
  job->list = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->generation = ++self->generation;
  job->stream = !self->loaded && self->items->len == 0;

  task = g_task_new (NULL, self->cancellable, list_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_listing);
  g_task_set_task_data (task, job, (GDestroyNotify) list_job_free);
  g_task_run_in_thread (task, list_worker);
}

static gboolean
reload_timeout_cb (gpointer data)
{
  SparkDirectoryList *self = data;

  self->reload_source = 0;
  start_listing (self);

  return G_SOURCE_REMOVE;
}

static void
monitor_changed_cb (SparkDirectoryList *self,
                    GFile              *file,
                    GFile              *other_file,
                    GFileMonitorEvent   event,
                    GFileMonitor       *monitor)
{
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_RENAMED:
    case G_FILE_MONITOR_EVENT_MOVED:
      if (self->reload_source == 0)
        self->reload_source = g_timeout_add (RELOAD_DELAY_MSEC, reload_timeout_cb, self);
      spark_project_refresh_status (self->project);
      break;

    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
      /* Content changes alter git status, not the listing. */
      spark_project_refresh_status (self->project);
      break;

    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    default:
      break;
    }
}

/**
 * spark_directory_list_load:
 *
 * Starts listing the folder (once) and watching it for changes. Asking for
 * the items does this too.
 */
void
spark_directory_list_load (SparkDirectoryList *self)
{
  g_return_if_fail (SPARK_IS_DIRECTORY_LIST (self));

  if (self->started)
    return;

  self->started = TRUE;

  self->monitor = g_file_monitor_directory (self->directory, G_FILE_MONITOR_WATCH_MOVES,
                                            NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect_object (self->monitor, "changed",
                             G_CALLBACK (monitor_changed_cb), self, G_CONNECT_SWAPPED);

  start_listing (self);
}

static GType
spark_directory_list_get_item_type (GListModel *model)
{
  return SPARK_TYPE_FILE_NODE;
}

static guint
spark_directory_list_get_n_items (GListModel *model)
{
  SparkDirectoryList *self = SPARK_DIRECTORY_LIST (model);

  spark_directory_list_load (self);

  return self->items->len;
}

static gpointer
spark_directory_list_get_item (GListModel *model,
                               guint       position)
{
  SparkDirectoryList *self = SPARK_DIRECTORY_LIST (model);

  spark_directory_list_load (self);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = spark_directory_list_get_item_type;
  iface->get_n_items = spark_directory_list_get_n_items;
  iface->get_item = spark_directory_list_get_item;
}

static void
status_changed_cb (SparkDirectoryList *self,
                   SparkProject       *project)
{
  rebuild (self);
}

static void
spark_directory_list_dispose (GObject *object)
{
  SparkDirectoryList *self = (SparkDirectoryList *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (spark_directory_list_parent_class)->dispose (object);
}

static void
spark_directory_list_finalize (GObject *object)
{
  SparkDirectoryList *self = (SparkDirectoryList *)object;

  g_clear_object (&self->project);
  g_clear_object (&self->directory);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->relpath, g_ref_string_release);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->on_disk, g_ptr_array_unref);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (spark_directory_list_parent_class)->finalize (object);
}

static void
spark_directory_list_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SparkDirectoryList *self = SPARK_DIRECTORY_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_directory_list_class_init (SparkDirectoryListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spark_directory_list_dispose;
  object_class->finalize = spark_directory_list_finalize;
  object_class->get_property = spark_directory_list_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spark_directory_list_init (SparkDirectoryList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

SparkDirectoryList *
spark_directory_list_new (SparkProject *project,
                          GFile        *directory,
                          const char   *relpath)
{
  SparkDirectoryList *self;

  g_return_val_if_fail (SPARK_IS_PROJECT (project), NULL);
  g_return_val_if_fail (G_IS_FILE (directory), NULL);
  g_return_val_if_fail (relpath != NULL, NULL);

  self = g_object_new (SPARK_TYPE_DIRECTORY_LIST, NULL);
  self->project = g_object_ref (project);
  self->directory = g_object_ref (directory);
  self->relpath = g_ref_string_new (relpath);

  g_signal_connect_object (project, "status-changed",
                           G_CALLBACK (status_changed_cb), self, G_CONNECT_SWAPPED);

  return self;
}

gboolean
spark_directory_list_get_loaded (SparkDirectoryList *self)
{
  g_return_val_if_fail (SPARK_IS_DIRECTORY_LIST (self), FALSE);

  return self->loaded;
}

/**
 * spark_directory_list_get_error:
 *
 * Returns: (nullable): why the folder could not be listed, if it could not
 */
const char *
spark_directory_list_get_error (SparkDirectoryList *self)
{
  g_return_val_if_fail (SPARK_IS_DIRECTORY_LIST (self), NULL);

  return self->error;
}

GFile *
spark_directory_list_get_directory (SparkDirectoryList *self)
{
  g_return_val_if_fail (SPARK_IS_DIRECTORY_LIST (self), NULL);

  return self->directory;
}
