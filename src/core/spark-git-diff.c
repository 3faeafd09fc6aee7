/* spark-git-diff.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-git-diff"

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>
#include <glib/gi18n.h>

#include "spark-git-diff-private.h"
#include "spark-libgit2.h"

/* The number of context lines, as git's default. Stage and unstage read the
 * diff again with the same number so that hunks are found again. */
#define DIFF_CONTEXT 3


/* The tree of HEAD, or NULL (with TRUE) on an unborn branch. */
static gboolean
read_head_tree (git_repository  *repo,
                git_tree       **out,
                GError         **error)
{
  git_object *object = NULL;

  *out = NULL;

  if (git_repository_head_unborn (repo) == 1)
    return TRUE;

  if (git_revparse_single (&object, repo, "HEAD^{tree}") != 0)
    return spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                    _("Could not read HEAD: %s"), spark_libgit2_detail ());

  *out = (git_tree *) object;
  return TRUE;
}

static git_diff *
read_git_diff (git_repository    *repo,
               SparkGitDiffKind   kind,
               const char        *path,
               guint              context,
               GError           **error)
{
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  git_tree *head = NULL;
  git_diff *diff = NULL;
  char *paths[1];
  int rc = -1;

  opts.context_lines = context;
  opts.interhunk_lines = 0;
  if (kind != SPARK_GIT_DIFF_STAGED)
    opts.flags |= GIT_DIFF_INCLUDE_UNTRACKED |
                  GIT_DIFF_RECURSE_UNTRACKED_DIRS |
                  GIT_DIFF_SHOW_UNTRACKED_CONTENT;
  if (path != NULL)
    {
      paths[0] = (char *) path;
      opts.pathspec.strings = paths;
      opts.pathspec.count = 1;
      opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
    }

  if (kind != SPARK_GIT_DIFF_UNSTAGED && !read_head_tree (repo, &head, error))
    return NULL;

  switch (kind)
    {
    case SPARK_GIT_DIFF_HEAD:
      rc = git_diff_tree_to_workdir_with_index (&diff, repo, head, &opts);
      break;
    case SPARK_GIT_DIFF_STAGED:
      rc = git_diff_tree_to_index (&diff, repo, head, NULL, &opts);
      break;
    case SPARK_GIT_DIFF_UNSTAGED:
      rc = git_diff_index_to_workdir (&diff, repo, NULL, &opts);
      break;
    default:
      g_assert_not_reached ();
    }
  git_tree_free (head);

  if (rc != 0)
    {
      spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not compare the files: %s"), spark_libgit2_detail ());
      return NULL;
    }

  /* Renames, as `git status` shows them (untracked files stay additions). */
  if (kind != SPARK_GIT_DIFF_UNSTAGED && path == NULL)
    {
      git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;

      find.flags = GIT_DIFF_FIND_RENAMES;
      if (git_diff_find_similar (diff, &find) != 0)
        {
          git_diff_free (diff);
          spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                   _("Could not find renamed files: %s"), spark_libgit2_detail ());
          return NULL;
        }
    }

  return diff;
}

/* SparkGitDiff */

struct _SparkGitDiff
{
  GObject           parent_instance;

  SparkGitDiffKind  kind;
  char             *workdir;
  GPtrArray        *files;     /* of SparkGitDiffFile, sorted by path */
  GHashTable       *by_path;   /* path → SparkGitDiffFile (borrowed) */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SparkGitDiff, spark_git_diff, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
spark_git_diff_get_item_type (GListModel *model)
{
  return SPARK_TYPE_GIT_DIFF_FILE;
}

static guint
spark_git_diff_get_n_items (GListModel *model)
{
  return SPARK_GIT_DIFF (model)->files->len;
}

static gpointer
spark_git_diff_get_item (GListModel *model,
                         guint       position)
{
  SparkGitDiff *self = SPARK_GIT_DIFF (model);

  if (position >= self->files->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->files, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = spark_git_diff_get_item_type;
  iface->get_n_items = spark_git_diff_get_n_items;
  iface->get_item = spark_git_diff_get_item;
}

static void
spark_git_diff_finalize (GObject *object)
{
  SparkGitDiff *self = (SparkGitDiff *) object;

  g_clear_pointer (&self->by_path, g_hash_table_unref);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->workdir, g_free);

  G_OBJECT_CLASS (spark_git_diff_parent_class)->finalize (object);
}

static void
spark_git_diff_class_init (SparkGitDiffClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_git_diff_finalize;
}

static void
spark_git_diff_init (SparkGitDiff *self)
{
  self->files = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_path = g_hash_table_new (g_str_hash, g_str_equal);
}

SparkGitDiffKind
spark_git_diff_get_kind (SparkGitDiff *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF (self), SPARK_GIT_DIFF_HEAD);

  return self->kind;
}

const char *
spark_git_diff_get_workdir (SparkGitDiff *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF (self), NULL);

  return self->workdir;
}

/**
 * spark_git_diff_lookup:
 *
 * Returns: (transfer none) (nullable): the file at @path
 */
SparkGitDiffFile *
spark_git_diff_lookup (SparkGitDiff *self,
                       const char   *path)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return g_hash_table_lookup (self->by_path, path);
}

static int
compare_files (gconstpointer a,
               gconstpointer b)
{
  const SparkGitDiffFile *fa = *(SparkGitDiffFile * const *) a;
  const SparkGitDiffFile *fb = *(SparkGitDiffFile * const *) b;

  return strcmp (fa->path, fb->path);
}

/* Where a diff's changes sit, per path, in doubled line coordinates: line n
 * is 2n and the gap after it is 2n + 1, so that pure insertions and
 * deletions (zero lines on one side) have a place too. */
typedef struct
{
  gint64 lo;
  gint64 hi;
} Span;

static Span
span_exact (guint start,
            guint count)
{
  if (count == 0)
    return (Span) { 2 * (gint64) start + 1, 2 * (gint64) start + 1 };
  return (Span) { 2 * (gint64) start, 2 * (gint64) (start + count - 1) };
}

/* A hunk of the HEAD view covers the gaps around its lines too. */
static Span
span_around (guint start,
             guint count)
{
  if (count == 0)
    return span_exact (start, count);
  return (Span) { 2 * (gint64) start - 1, 2 * (gint64) (start + count - 1) + 1 };
}

static gboolean
spans_overlap (GArray *spans,
               Span    span)
{
  if (spans == NULL)
    return FALSE;

  for (guint i = 0; i < spans->len; i++)
    {
      const Span *s = &g_array_index (spans, Span, i);

      if (s->lo <= span.hi && span.lo <= s->hi)
        return TRUE;
    }

  return FALSE;
}

/* path → GArray of Span: the old side of @diff's changes (old_side) or the
 * new one. Every changed path has an entry, even without hunks. */
static GHashTable *
collect_spans (git_diff  *diff,
               gboolean   old_side,
               GError   **error)
{
  g_autoptr(GHashTable) table = NULL;
  gsize n = git_diff_num_deltas (diff);

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);

  for (gsize i = 0; i < n; i++)
    {
      git_patch *patch = NULL;
      const git_diff_delta *delta;
      GArray *spans;
      gsize n_hunks;

      if (git_patch_from_diff (&patch, diff, i) != 0)
        {
          spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                   _("Could not compare the files: %s"), spark_libgit2_detail ());
          return NULL;
        }
      if (patch == NULL)
        continue;

      delta = git_patch_get_delta (patch);
      spans = g_array_new (FALSE, FALSE, sizeof (Span));
      g_hash_table_replace (table, g_strdup (delta->new_file.path), spans);

      n_hunks = git_patch_num_hunks (patch);
      for (gsize h = 0; h < n_hunks; h++)
        {
          const git_diff_hunk *hunk = NULL;
          size_t n_lines;
          Span span;

          if (git_patch_get_hunk (&hunk, &n_lines, patch, h) != 0)
            continue;
          span = old_side ? span_exact (hunk->old_start, hunk->old_lines)
                          : span_exact (hunk->new_start, hunk->new_lines);
          g_array_append_val (spans, span);
        }

      git_patch_free (patch);
    }

  return g_steal_pointer (&table);
}

static SparkGitStageState
state_from_hits (gboolean in_index,
                 gboolean in_workdir)
{
  if (!in_index)
    return SPARK_GIT_STAGE_UNSTAGED;
  if (!in_workdir)
    return SPARK_GIT_STAGE_STAGED;
  return SPARK_GIT_STAGE_PARTIAL;
}

/* For the HEAD view: a hunk is staged when the index holds a change inside
 * its old (HEAD) lines and the work tree none beyond the index inside its
 * new lines. Both side diffs are read without context, so that only
 * changed lines count. */
static gboolean
mark_stage_states (git_repository  *repo,
                   GPtrArray       *files,
                   GError         **error)
{
  g_autoptr(GHashTable) staged = NULL;
  g_autoptr(GHashTable) unstaged = NULL;
  git_diff *diff;

  if ((diff = read_git_diff (repo, SPARK_GIT_DIFF_STAGED, NULL, 0, error)) == NULL)
    return FALSE;
  staged = collect_spans (diff, TRUE, error);
  git_diff_free (diff);
  if (staged == NULL)
    return FALSE;

  if ((diff = read_git_diff (repo, SPARK_GIT_DIFF_UNSTAGED, NULL, 0, error)) == NULL)
    return FALSE;
  unstaged = collect_spans (diff, FALSE, error);
  git_diff_free (diff);
  if (unstaged == NULL)
    return FALSE;

  for (guint i = 0; i < files->len; i++)
    {
      SparkGitDiffFile *file = g_ptr_array_index (files, i);
      GArray *in_index = g_hash_table_lookup (staged, file->path);
      GArray *in_workdir = g_hash_table_lookup (unstaged, file->path);

      /* A deletion staged with `git rm --cached`: the work tree file is
       * untracked now, under the same path. */
      file->state = state_from_hits (in_index != NULL || g_hash_table_contains (staged, file->old_path),
                                     in_workdir != NULL);

      for (guint h = 0; h < file->hunks->len; h++)
        {
          SparkGitDiffHunk *hunk = g_ptr_array_index (file->hunks, h);

          hunk->state = state_from_hits (spans_overlap (in_index, span_around (hunk->old_start, hunk->old_lines)),
                                         spans_overlap (in_workdir, span_around (hunk->new_start, hunk->new_lines)));
        }
    }

  return TRUE;
}

static SparkGitDiff *
read_diff (const char        *repo_path,
           SparkGitDiffKind   kind,
           GCancellable      *cancellable,
           GError           **error)
{
  g_autoptr(SparkGitDiff) self = NULL;
  git_repository *repo = NULL;
  git_diff *diff = NULL;
  const char *wd;
  gsize len;
  gsize n;

  if ((repo = spark_libgit2_open_workdir (repo_path, error)) == NULL)
    return NULL;

  self = g_object_new (SPARK_TYPE_GIT_DIFF, NULL);
  self->kind = kind;
  wd = git_repository_workdir (repo);
  len = strlen (wd);
  while (len > 1 && wd[len - 1] == '/')
    len--;
  self->workdir = g_strndup (wd, len);

  if ((diff = read_git_diff (repo, kind, NULL, DIFF_CONTEXT, error)) == NULL)
    goto failed;

  n = git_diff_num_deltas (diff);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      SparkGitDiffFile *file;
      git_patch *patch = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto failed;

      if (git_patch_from_diff (&patch, diff, i) != 0)
        {
          spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                   _("Could not compare the files: %s"), spark_libgit2_detail ());
          goto failed;
        }
      if (patch == NULL)
        continue;

      file = spark_git_diff_file_new_from_patch (kind, patch, &local_error);
      git_patch_free (patch);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto failed;
        }
      if (file != NULL)
        g_ptr_array_add (self->files, file);
    }

  g_ptr_array_sort (self->files, compare_files);
  for (guint i = 0; i < self->files->len; i++)
    {
      SparkGitDiffFile *file = g_ptr_array_index (self->files, i);

      g_hash_table_insert (self->by_path, file->path, file);
    }

  if (kind == SPARK_GIT_DIFF_HEAD && !mark_stage_states (repo, self->files, error))
    goto failed;

  git_diff_free (diff);
  git_repository_free (repo);
  return g_steal_pointer (&self);

failed:
  g_clear_pointer (&diff, git_diff_free);
  git_repository_free (repo);
  return NULL;
}

/**
 * spark_git_diff_new:
 * @repo_path: a folder inside a git work tree
 * @kind: which two states to compare
 *
 * Reads the changes of the whole work tree (not only below @repo_path, as
 * `git diff` does). Blocks: prefer spark_git_diff_new_async().
 *
 * Returns: (transfer full): the diff, or %NULL with @error set
 */
SparkGitDiff *
spark_git_diff_new (const char        *repo_path,
                    SparkGitDiffKind   kind,
                    GError           **error)
{
  g_return_val_if_fail (repo_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_diff (repo_path, kind, NULL, error);
}

typedef struct
{
  char             *repo_path;
  SparkGitDiffKind  kind;
  SparkGitDiffFile *file;
  SparkGitDiffHunk *hunk;
  gboolean          stage;
} TaskData;

static void
task_data_free (gpointer data)
{
  TaskData *td = data;

  g_free (td->repo_path);
  g_clear_object (&td->file);
  g_clear_pointer (&td->hunk, spark_git_diff_hunk_unref);
  g_free (td);
}

static void
read_diff_worker (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TaskData *td = task_data;
  GError *error = NULL;
  SparkGitDiff *diff;

  diff = read_diff (td->repo_path, td->kind, cancellable, &error);
  if (diff == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, diff, g_object_unref);
}

void
spark_git_diff_new_async (const char          *repo_path,
                          SparkGitDiffKind     kind,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *td;

  g_return_if_fail (repo_path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  td = g_new0 (TaskData, 1);
  td->repo_path = g_strdup (repo_path);
  td->kind = kind;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_git_diff_new_async);
  g_task_set_task_data (task, td, task_data_free);
  g_task_run_in_thread (task, read_diff_worker);
}

/**
 * spark_git_diff_new_finish:
 *
 * Returns: (transfer full): the diff, or %NULL with @error set
 */
SparkGitDiff *
spark_git_diff_new_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == spark_git_diff_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Index operations */

static gboolean
write_index (git_index  *index,
             GError    **error)
{
  if (git_index_write (index) != 0)
    return spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                    _("Could not write the git index: %s"),
                                    spark_libgit2_detail ());
  return TRUE;
}

/* The index entry for @path takes the work tree's file, or goes away when
 * the work tree has none. */
static gboolean
stage_path (git_repository  *repo,
            git_index       *index,
            const char      *path,
            GError         **error)
{
  g_autofree char *full = g_build_filename (git_repository_workdir (repo), path, NULL);
  struct stat st;
  int rc;

  if (lstat (full, &st) == 0)
    rc = git_index_add_bypath (index, path);
  else
    rc = git_index_remove_bypath (index, path);

  if (rc != 0 && rc != GIT_ENOTFOUND)
    {
      /* Translators: %s is a path, then git's own message */
      return spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                      _("Could not stage “%s”: %s"), path,
                                      spark_libgit2_detail ());
    }
  git_error_clear ();
  return TRUE;
}

/* The index entry for @path goes back to HEAD's, or away when HEAD has
 * none (like `git reset -- path`). */
static gboolean
unstage_path (git_repository  *repo,
              git_index       *index,
              git_tree        *head,
              const char      *path,
              GError         **error)
{
  git_tree_entry *entry = NULL;
  int rc;

  if (head != NULL && git_tree_entry_bypath (&entry, head, path) == 0)
    {
      git_index_entry ientry;

      memset (&ientry, 0, sizeof ientry);
      ientry.mode = git_tree_entry_filemode (entry);
      git_oid_cpy (&ientry.id, git_tree_entry_id (entry));
      ientry.path = path;
      rc = git_index_add (index, &ientry);
      git_tree_entry_free (entry);
    }
  else
    {
      git_error_clear ();
      rc = git_index_remove_bypath (index, path);
      if (rc == GIT_ENOTFOUND)
        rc = 0;
    }

  if (rc != 0)
    /* Translators: %s is a path, then git's own message */
    return spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                    _("Could not unstage “%s”: %s"), path,
                                    spark_libgit2_detail ());
  return TRUE;
}

static gboolean
file_op (const char        *repo_path,
         SparkGitDiffFile  *file,
         gboolean           stage,
         GError           **error)
{
  git_repository *repo = NULL;
  git_index *index = NULL;
  git_tree *head = NULL;
  gboolean ret = FALSE;

  if ((repo = spark_libgit2_open_workdir (repo_path, error)) == NULL)
    return FALSE;

  if (git_repository_index (&index, repo) != 0)
    {
      spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not read the git index: %s"), spark_libgit2_detail ());
      goto out;
    }

  if (!stage && !read_head_tree (repo, &head, error))
    goto out;

  if (strcmp (file->old_path, file->path) != 0 &&
      !(stage ? stage_path (repo, index, file->old_path, error)
              : unstage_path (repo, index, head, file->old_path, error)))
    goto out;

  if (!(stage ? stage_path (repo, index, file->path, error)
              : unstage_path (repo, index, head, file->path, error)))
    goto out;

  ret = write_index (index, error);

out:
  git_tree_free (head);
  git_index_free (index);
  git_repository_free (repo);
  return ret;
}

/* Replaces one side of hunk @hunk_index in @data by the other: old → new
 * (staging, on index ⇢ work tree) or, @reverse, new → old (unstaging, on
 * HEAD ⇢ index). The lines replaced must be exactly there. */
static GByteArray *
apply_hunk (const char  *data,
            gsize        len,
            git_patch   *patch,
            gsize        hunk_index,
            gboolean     reverse,
            GError     **error)
{
  g_autoptr(GPtrArray) from = g_ptr_array_new ();
  g_autoptr(GPtrArray) to = g_ptr_array_new ();
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  const git_diff_hunk *hunk = NULL;
  GByteArray *out;
  size_t n_lines = 0;
  gsize start;
  gsize pos;
  gsize end;

  if (git_patch_get_hunk (&hunk, &n_lines, patch, hunk_index) != 0)
    {
      spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not read the hunk: %s"), spark_libgit2_detail ());
      return NULL;
    }

  for (gsize i = 0; i < n_lines; i++)
    {
      const git_diff_line *line = NULL;

      if (git_patch_get_line_in_hunk (&line, patch, hunk_index, i) != 0)
        {
          spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                   _("Could not read the hunk: %s"), spark_libgit2_detail ());
          return NULL;
        }

      if (line->origin == GIT_DIFF_LINE_CONTEXT)
        {
          g_ptr_array_add (from, (gpointer) line);
          g_ptr_array_add (to, (gpointer) line);
        }
      else if (line->origin == GIT_DIFF_LINE_DELETION)
        g_ptr_array_add (reverse ? to : from, (gpointer) line);
      else if (line->origin == GIT_DIFF_LINE_ADDITION)
        g_ptr_array_add (reverse ? from : to, (gpointer) line);
    }

  /* Where each line of @data starts, and where the text ends. */
  for (gsize i = 0; i < len; )
    {
      const char *nl = memchr (data + i, '\n', len - i);

      g_array_append_val (starts, i);
      i = nl ? (gsize) (nl - data) + 1 : len;
    }
  g_array_append_val (starts, len);

  /* "-5,0" means after line 5; "-5,2" means lines 5 and 6. */
  start = reverse ? hunk->new_start : hunk->old_start;
  pos = from->len == 0 ? start : (start > 0 ? start - 1 : 0);
  end = pos + from->len;

  if (end > starts->len - 1)
    goto mismatch;

  for (guint i = 0; i < from->len; i++)
    {
      const git_diff_line *line = g_ptr_array_index (from, i);
      gsize lstart = g_array_index (starts, gsize, pos + i);
      gsize lend = g_array_index (starts, gsize, pos + i + 1);

      if (lend - lstart != line->content_len ||
          memcmp (data + lstart, line->content, line->content_len) != 0)
        goto mismatch;
    }

  out = g_byte_array_sized_new (len + 64);
  g_byte_array_append (out, (const guint8 *) data, g_array_index (starts, gsize, pos));
  for (guint i = 0; i < to->len; i++)
    {
      const git_diff_line *line = g_ptr_array_index (to, i);

      g_byte_array_append (out, (const guint8 *) line->content, line->content_len);
    }
  g_byte_array_append (out, (const guint8 *) data + g_array_index (starts, gsize, end),
                       len - g_array_index (starts, gsize, end));
  return out;

mismatch:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("The hunk no longer matches the git index; read the diff again"));
  return NULL;
}

/* Where hunk @index of @patch changes lines, on one side, in doubled
 * coordinates (see Span): its lines on that side, and the gaps where it
 * inserts the other side's lines. FALSE for a hunk of context only. */
static gboolean
changed_span (git_patch *patch,
              gsize      index,
              gboolean   new_side,
              Span      *out)
{
  const git_diff_hunk *hunk = NULL;
  size_t n_lines = 0;
  gboolean have = FALSE;
  gint64 last;

  if (git_patch_get_hunk (&hunk, &n_lines, patch, index) != 0)
    {
      git_error_clear ();
      return FALSE;
    }

  last = new_side ? hunk->new_start : hunk->old_start;
  last = last > 0 ? last - 1 : 0;

  for (gsize i = 0; i < n_lines; i++)
    {
      const git_diff_line *line = NULL;
      char own = new_side ? GIT_DIFF_LINE_ADDITION : GIT_DIFF_LINE_DELETION;
      char other = new_side ? GIT_DIFF_LINE_DELETION : GIT_DIFF_LINE_ADDITION;
      int lineno;
      gint64 point;

      if (git_patch_get_line_in_hunk (&line, patch, index, i) != 0)
        {
          git_error_clear ();
          continue;
        }

      lineno = new_side ? line->new_lineno : line->old_lineno;
      if (line->origin == GIT_DIFF_LINE_CONTEXT)
        {
          last = lineno;
          continue;
        }
      else if (line->origin == own)
        {
          point = 2 * (gint64) lineno;
          last = lineno;
        }
      else if (line->origin == other)
        point = 2 * last + 1;
      else
        continue;

      if (!have)
        {
          out->lo = out->hi = point;
          have = TRUE;
        }
      out->lo = MIN (out->lo, point);
      out->hi = MAX (out->hi, point);
    }

  return have;
}

/* Which hunks of the fresh @patch to apply for @hunk of @file: the same
 * hunk, found again by its lines; or, for a hunk of the HEAD view, every
 * hunk that changes lines inside it (on the side staging does not move). */
static gboolean
select_hunks (SparkGitDiffFile  *file,
              SparkGitDiffHunk  *hunk,
              git_patch         *patch,
              gboolean           stage,
              GArray            *indices,
              GError           **error)
{
  gsize n_hunks = git_patch_num_hunks (patch);
  gssize found = -1;
  guint best_distance = 0;

  if (file->kind == SPARK_GIT_DIFF_HEAD)
    {
      Span target = stage ? span_around (hunk->new_start, hunk->new_lines)
                          : span_around (hunk->old_start, hunk->old_lines);

      for (gsize i = 0; i < n_hunks; i++)
        {
          Span changed;

          if (changed_span (patch, i, stage, &changed) &&
              changed.lo <= target.hi && target.lo <= changed.hi)
            g_array_append_val (indices, i);
        }
      return TRUE;
    }

  /* The hunk with the same lines nearest to where it was. */
  for (gsize i = 0; i < n_hunks; i++)
    {
      g_autoptr(SparkGitDiffHunk) fresh = spark_git_diff_hunk_new_from_patch (patch, i);
      guint distance;
      guint a;
      guint b;

      if (fresh == NULL || !spark_git_diff_hunk_same_lines (fresh, hunk))
        continue;

      /* The side that staging does not move. */
      a = stage ? fresh->new_start : fresh->old_start;
      b = stage ? hunk->new_start : hunk->old_start;
      distance = a > b ? a - b : b - a;
      if (found < 0 || distance < best_distance)
        {
          found = i;
          best_distance = distance;
        }
    }

  if (found < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The hunk “%s” of “%s” changed since it was read; read the diff again"),
                   hunk->header, file->path);
      return FALSE;
    }

  g_array_append_val (indices, found);
  return TRUE;
}

/* A hunk of the HEAD view is (un)staged by the span it covers, so it must
 * still be there, line for line: else the span would now cover other
 * changes of a file edited since the view was read. */
static gboolean
head_hunk_still_there (git_repository    *repo,
                       SparkGitDiffFile  *file,
                       SparkGitDiffHunk  *hunk,
                       GError           **error)
{
  git_diff *diff = NULL;
  git_patch *patch = NULL;
  gboolean found = FALSE;

  if ((diff = read_git_diff (repo, SPARK_GIT_DIFF_HEAD, file->path, DIFF_CONTEXT, error)) == NULL)
    return FALSE;

  if (git_diff_num_deltas (diff) == 1 && git_patch_from_diff (&patch, diff, 0) == 0 && patch != NULL)
    {
      gsize n_hunks = git_patch_num_hunks (patch);

      for (gsize i = 0; i < n_hunks && !found; i++)
        {
          g_autoptr(SparkGitDiffHunk) fresh = spark_git_diff_hunk_new_from_patch (patch, i);

          found = fresh != NULL && spark_git_diff_hunk_same_lines (fresh, hunk) &&
                  fresh->old_start == hunk->old_start;
        }
    }
  git_error_clear ();
  git_patch_free (patch);
  git_diff_free (diff);

  if (!found)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("The hunk “%s” of “%s” changed since it was read; read the diff again"),
                 hunk->header, file->path);
  return found;
}

static gboolean
hunk_op (const char        *repo_path,
         SparkGitDiffFile  *file,
         SparkGitDiffHunk  *hunk,
         gboolean           stage,
         GError           **error)
{
  g_autoptr(GByteArray) content = NULL;
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (gsize));
  SparkGitDiffKind kind = stage ? SPARK_GIT_DIFF_UNSTAGED : SPARK_GIT_DIFF_STAGED;
  const git_index_entry *entry;
  git_index_entry new_entry;
  git_repository *repo = NULL;
  git_index *index = NULL;
  git_diff *diff = NULL;
  git_patch *patch = NULL;
  git_blob *blob = NULL;
  gboolean whole_file = FALSE;
  gboolean ret = FALSE;

  if (file->kind != kind && file->kind != SPARK_GIT_DIFF_HEAD)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   stage ? _("A hunk of the staged changes cannot be staged again")
                         : _("A hunk of the unstaged changes cannot be unstaged"));
      return FALSE;
    }

  if ((repo = spark_libgit2_open_workdir (repo_path, error)) == NULL)
    return FALSE;

  if (git_repository_index (&index, repo) != 0)
    {
      spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not read the git index: %s"), spark_libgit2_detail ());
      goto out;
    }

  if (file->kind == SPARK_GIT_DIFF_HEAD && !head_hunk_still_there (repo, file, hunk, error))
    goto out;

  if ((diff = read_git_diff (repo, kind, file->path, DIFF_CONTEXT, error)) == NULL)
    goto out;

  /* From the HEAD view: nothing left to (un)stage, or the index holds
   * another kind of change (say a deletion): then the whole file. */
  if (file->kind == SPARK_GIT_DIFF_HEAD && git_diff_num_deltas (diff) == 0)
    {
      ret = TRUE;
      goto out;
    }

  if (git_diff_num_deltas (diff) != 1 || git_patch_from_diff (&patch, diff, 0) != 0 ||
      patch == NULL || git_patch_get_delta (patch)->status != GIT_DELTA_MODIFIED)
    {
      git_error_clear ();
      if (file->kind == SPARK_GIT_DIFF_HEAD)
        {
          whole_file = TRUE;
          goto out;
        }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” changed since its diff was read; read the diff again"), file->path);
      goto out;
    }

  if (!select_hunks (file, hunk, patch, stage, indices, error))
    goto out;

  if (indices->len == 0)
    {
      ret = TRUE;
      goto out;
    }

  if ((entry = git_index_get_bypath (index, file->path, 0)) == NULL ||
      git_blob_lookup (&blob, repo, &entry->id) != 0)
    {
      /* Translators: %s is a path, then git's own message */
      spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not read “%s” from the git index: %s"), file->path,
                               spark_libgit2_detail ());
      goto out;
    }

  /* Bottom-up, so that each hunk's position in the index still holds. */
  for (guint i = indices->len; i > 0; i--)
    {
      g_autoptr(GByteArray) next = NULL;
      gsize h = g_array_index (indices, gsize, i - 1);

      if (content == NULL)
        next = apply_hunk (git_blob_rawcontent (blob), git_blob_rawsize (blob), patch, h, !stage, error);
      else
        next = apply_hunk ((const char *) content->data, content->len, patch, h, !stage, error);
      if (next == NULL)
        goto out;
      g_clear_pointer (&content, g_byte_array_unref);
      content = g_steal_pointer (&next);
    }

  /* No stat data: git must hash the work tree file again to compare. */
  memset (&new_entry, 0, sizeof new_entry);
  new_entry.mode = entry->mode;
  new_entry.path = file->path;
  if (git_index_add_from_buffer (index, &new_entry, content->data, content->len) != 0)
    {
      /* Translators: %s is a path, then git's own message */
      spark_libgit2_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not update “%s” in the git index: %s"), file->path,
                               spark_libgit2_detail ());
      goto out;
    }

  ret = write_index (index, error);

out:
  g_clear_pointer (&blob, git_blob_free);
  g_clear_pointer (&patch, git_patch_free);
  g_clear_pointer (&diff, git_diff_free);
  g_clear_pointer (&index, git_index_free);
  git_repository_free (repo);

  if (whole_file)
    return file_op (repo_path, file, stage, error);
  return ret;
}

static gboolean
stage_op (const char        *repo_path,
          SparkGitDiffFile  *file,
          SparkGitDiffHunk  *hunk,
          gboolean           stage,
          GError           **error)
{
  if (hunk != NULL && file->status == SPARK_GIT_DIFF_FILE_CONFLICTED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("“%s” has merge conflicts: resolve them, then stage the whole file"),
                   file->path);
      return FALSE;
    }

  /* Added, deleted and renamed files have one hunk: the whole file. */
  if (hunk == NULL || file->binary || file->status != SPARK_GIT_DIFF_FILE_MODIFIED)
    return file_op (repo_path, file, stage, error);
  return hunk_op (repo_path, file, hunk, stage, error);
}

/**
 * spark_git_diff_stage_hunk:
 * @repo_path: a folder inside the work tree
 * @file: a file of a %SPARK_GIT_DIFF_UNSTAGED diff
 * @hunk: one of @file's hunks
 *
 * Adds the change of @hunk, and only it, to the index.
 */
gboolean
spark_git_diff_stage_hunk (const char        *repo_path,
                           SparkGitDiffFile  *file,
                           SparkGitDiffHunk  *hunk,
                           GError           **error)
{
  g_return_val_if_fail (repo_path != NULL, FALSE);
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (file), FALSE);
  g_return_val_if_fail (hunk != NULL, FALSE);

  return stage_op (repo_path, file, hunk, TRUE, error);
}

/**
 * spark_git_diff_unstage_hunk:
 * @repo_path: a folder inside the work tree
 * @file: a file of a %SPARK_GIT_DIFF_STAGED diff
 * @hunk: one of @file's hunks
 *
 * Takes the change of @hunk, and only it, out of the index.
 */
gboolean
spark_git_diff_unstage_hunk (const char        *repo_path,
                             SparkGitDiffFile  *file,
                             SparkGitDiffHunk  *hunk,
                             GError           **error)
{
  g_return_val_if_fail (repo_path != NULL, FALSE);
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (file), FALSE);
  g_return_val_if_fail (hunk != NULL, FALSE);

  return stage_op (repo_path, file, hunk, FALSE, error);
}

gboolean
spark_git_diff_stage_file (const char        *repo_path,
                           SparkGitDiffFile  *file,
                           GError           **error)
{
  g_return_val_if_fail (repo_path != NULL, FALSE);
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (file), FALSE);

  return file_op (repo_path, file, TRUE, error);
}

gboolean
spark_git_diff_unstage_file (const char        *repo_path,
                             SparkGitDiffFile  *file,
                             GError           **error)
{
  g_return_val_if_fail (repo_path != NULL, FALSE);
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (file), FALSE);

  return file_op (repo_path, file, FALSE, error);
}

static void
stage_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TaskData *td = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (stage_op (td->repo_path, td->file, td->hunk, td->stage, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
start_stage_task (const char          *repo_path,
                  SparkGitDiffFile    *file,
                  SparkGitDiffHunk    *hunk,
                  gboolean             stage,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *td;

  td = g_new0 (TaskData, 1);
  td->repo_path = g_strdup (repo_path);
  td->file = g_object_ref (file);
  td->hunk = hunk ? spark_git_diff_hunk_ref (hunk) : NULL;
  td->stage = stage;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, td, task_data_free);
  g_task_run_in_thread (task, stage_worker);
}

void
spark_git_diff_stage_async (const char          *repo_path,
                            SparkGitDiffFile    *file,
                            SparkGitDiffHunk    *hunk,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (repo_path != NULL);
  g_return_if_fail (SPARK_IS_GIT_DIFF_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start_stage_task (repo_path, file, hunk, TRUE, spark_git_diff_stage_async,
                    cancellable, callback, user_data);
}

gboolean
spark_git_diff_stage_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == spark_git_diff_stage_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
spark_git_diff_unstage_async (const char          *repo_path,
                              SparkGitDiffFile    *file,
                              SparkGitDiffHunk    *hunk,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (repo_path != NULL);
  g_return_if_fail (SPARK_IS_GIT_DIFF_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start_stage_task (repo_path, file, hunk, FALSE, spark_git_diff_unstage_async,
                    cancellable, callback, user_data);
}

gboolean
spark_git_diff_unstage_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == spark_git_diff_unstage_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
