/* spark-changeset.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-changeset"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-audience.h"
#include "spark-changeset.h"
#include "spark-patch-private.h"
#include "spark-transaction.h"

struct _SparkChangeset
{
  GObject         parent_instance;

  SparkWorkspace *workspace;
  GPtrArray      *files;
  GHashTable     *current;    /* path → GBytes: unsaved editor text */
  char           *report;     /* the last apply's, for the person */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SparkChangeset, spark_changeset, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return SPARK_TYPE_FILE_CHANGE;
}

static guint
get_n_items (GListModel *model)
{
  return SPARK_CHANGESET (model)->files->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SparkChangeset *self = SPARK_CHANGESET (model);

  if (position >= self->files->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->files, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
spark_changeset_finalize (GObject *object)
{
  SparkChangeset *self = (SparkChangeset *)object;

  g_clear_object (&self->workspace);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->current, g_hash_table_unref);
  g_clear_pointer (&self->report, g_free);

  G_OBJECT_CLASS (spark_changeset_parent_class)->finalize (object);
}

static void
spark_changeset_class_init (SparkChangesetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_changeset_finalize;
}

static void
spark_changeset_init (SparkChangeset *self)
{
  self->files = g_ptr_array_new_with_free_func (g_object_unref);
  self->current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_bytes_unref);
}

/**
 * spark_changeset_new:
 * @workspace: (nullable): where hunks are located and applied
 *
 * Returns: (transfer full): an empty changeset
 */
SparkChangeset *
spark_changeset_new (SparkWorkspace *workspace)
{
  SparkChangeset *self;

  g_return_val_if_fail (workspace == NULL || SPARK_IS_WORKSPACE (workspace), NULL);

  self = g_object_new (SPARK_TYPE_CHANGESET, NULL);
  g_set_object (&self->workspace, workspace);

  return self;
}

/**
 * spark_changeset_get_workspace:
 *
 * Returns: (transfer none) (nullable): the workspace
 */
SparkWorkspace *
spark_changeset_get_workspace (SparkChangeset *self)
{
  g_return_val_if_fail (SPARK_IS_CHANGESET (self), NULL);
  return self->workspace;
}

static gboolean
same_path (const char *a,
           const char *b)
{
  return a != NULL && b != NULL && strcmp (a, b) == 0;
}

/* Two operations on one file would each be computed from the file as it is
 * now, and the second write would undo the first: refuse the second. */
static void
check_overlap (SparkChangeset  *self,
               SparkFileChange *file)
{
  const SparkFileOriginal *o = _spark_file_change_get_original (file);

  if (o == NULL || spark_file_change_get_error (file) != NULL)
    return;

  for (guint i = 0; i < self->files->len; i++)
    {
      SparkFileChange *other = g_ptr_array_index (self->files, i);
      const SparkFileOriginal *p = _spark_file_change_get_original (other);

      if (p == NULL)
        continue;

      if (same_path (o->abs_path, p->abs_path) || same_path (o->abs_path, p->abs_move_path) ||
          same_path (o->abs_move_path, p->abs_path) || same_path (o->abs_move_path, p->abs_move_path))
        {
          GError *errors[2];

          /* Once for the person, once (in English) for the model. */
          for (guint k = 0; k < 2; k++)
            {
              spark_audience_push (k == 0 ? SPARK_AUDIENCE_PERSON : SPARK_AUDIENCE_MODEL);
              /* Translators: %s is a path, %u a line number of the patch */
              errors[k] = g_error_new (SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                                       _("%s is already changed by the operation on line %u of "
                                         "this patch; put all changes to one file in one operation"),
                                       spark_file_change_get_path (file),
                                       spark_file_change_get_patch_line (other));
              spark_audience_pop ();
            }
          _spark_file_change_fail (file, errors[0], errors[1]);
          return;
        }
    }
}

void
spark_changeset_add_file (SparkChangeset  *self,
                          SparkFileChange *file)
{
  g_return_if_fail (SPARK_IS_CHANGESET (self));
  g_return_if_fail (SPARK_IS_FILE_CHANGE (file));

  if (self->workspace != NULL)
    {
      _spark_file_change_bind (file, self->workspace);
      check_overlap (self, file);
    }

  g_ptr_array_add (self->files, g_object_ref (file));
  g_list_model_items_changed (G_LIST_MODEL (self), self->files->len - 1, 0, 1);
}

void
spark_changeset_add_files (SparkChangeset *self,
                           GListModel     *files)
{
  guint n;

  g_return_if_fail (SPARK_IS_CHANGESET (self));
  g_return_if_fail (G_IS_LIST_MODEL (files));

  n = g_list_model_get_n_items (files);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SparkFileChange) file = g_list_model_get_item (files, i);

      spark_changeset_add_file (self, file);
    }
}

static void
on_file_started (SparkPatchParser *parser,
                 SparkFileChange  *file,
                 SparkChangeset   *self)
{
  spark_changeset_add_file (self, file);
}

void
spark_changeset_follow_parser (SparkChangeset   *self,
                               SparkPatchParser *parser)
{
  g_return_if_fail (SPARK_IS_CHANGESET (self));
  g_return_if_fail (SPARK_IS_PATCH_PARSER (parser));

  spark_changeset_add_files (self, spark_patch_parser_get_files (parser));
  g_signal_connect_object (parser, "file-started", G_CALLBACK (on_file_started),
                           self, G_CONNECT_DEFAULT);
}

guint
spark_changeset_get_n_files (SparkChangeset *self)
{
  g_return_val_if_fail (SPARK_IS_CHANGESET (self), 0);
  return self->files->len;
}

/**
 * spark_changeset_get_file:
 *
 * Returns: (transfer none) (nullable): the file operation at @index
 */
SparkFileChange *
spark_changeset_get_file (SparkChangeset *self,
                          guint           index)
{
  g_return_val_if_fail (SPARK_IS_CHANGESET (self), NULL);

  if (index >= self->files->len)
    return NULL;
  return g_ptr_array_index (self->files, index);
}

guint
spark_changeset_count_state (SparkChangeset *self,
                             SparkHunkState  state)
{
  guint n = 0;

  g_return_val_if_fail (SPARK_IS_CHANGESET (self), 0);

  for (guint i = 0; i < self->files->len; i++)
    n += spark_file_change_count_state (g_ptr_array_index (self->files, i), state);
  return n;
}

guint
spark_changeset_get_n_hunks (SparkChangeset *self)
{
  guint n = 0;

  g_return_val_if_fail (SPARK_IS_CHANGESET (self), 0);

  for (guint i = 0; i < self->files->len; i++)
    n += spark_file_change_get_n_hunks (g_ptr_array_index (self->files, i));
  return n;
}

/**
 * spark_changeset_accept_all:
 *
 * Accepts every hunk that can be placed. Returns FALSE with an error naming
 * the others, in the language of the calling thread's audience.
 */
gboolean
spark_changeset_accept_all (SparkChangeset  *self,
                            GError         **error)
{
  g_autoptr(GString) conflicts = g_string_new (NULL);

  g_return_val_if_fail (SPARK_IS_CHANGESET (self), FALSE);

  for (guint i = 0; i < self->files->len; i++)
    {
      SparkFileChange *file = g_ptr_array_index (self->files, i);
      const char *last = NULL;

      for (guint h = 0; h < spark_file_change_get_n_hunks (file); h++)
        {
          SparkHunk *hunk = spark_file_change_get_hunk (file, h);
          const char *message;
          gboolean ok;

          /* What watches the hunk (the review) hears it in the person's
           * language; the error is for whoever called. */
          spark_audience_push (SPARK_AUDIENCE_PERSON);
          ok = spark_hunk_accept (hunk, NULL);
          spark_audience_pop ();
          if (ok)
            continue;

          /* A file-level error puts every hunk in conflict: say it once. */
          message = spark_hunk_get_conflict_message (hunk);
          if (last != NULL && g_strcmp0 (message, last) == 0)
            continue;
          last = message;

          if (conflicts->len > 0)
            g_string_append_c (conflicts, '\n');
          /* Name the hunk unless the whole operation failed. */
          if (spark_file_change_get_error (file) == NULL)
            /* Translators: "Hunk 2 of src/a.c: <why it cannot be placed>" */
            g_string_append_printf (conflicts, _("Hunk %u of %s: %s"), h + 1,
                                    spark_file_change_get_path (file), message);
          else
            g_string_append (conflicts, message);
        }
    }

  if (conflicts->len > 0)
    {
      g_set_error_literal (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                           conflicts->str);
      return FALSE;
    }

  return TRUE;
}

void
spark_changeset_reject_all (SparkChangeset *self)
{
  g_return_if_fail (SPARK_IS_CHANGESET (self));

  for (guint i = 0; i < self->files->len; i++)
    spark_file_change_reject_all (g_ptr_array_index (self->files, i));
}

/**
 * spark_changeset_apply:
 *
 * Applies the accepted and edited hunks (see SparkTransaction). Errors are
 * in the language of the calling thread's audience (spark_audience_push()).
 *
 * Returns: (transfer full): the result text for the model, in English
 *   whatever the locale (spark_changeset_get_report() has the person's), or
 *   %NULL
 */
char *
spark_changeset_apply (SparkChangeset  *self,
                       GError         **error)
{
  g_autoptr(SparkTransaction) transaction = NULL;

  g_return_val_if_fail (SPARK_IS_CHANGESET (self), NULL);

  if (self->workspace == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("The changeset has no workspace to apply to"));
      return NULL;
    }

  transaction = spark_transaction_new (self->workspace, self);
  if (!spark_transaction_run (transaction, error))
    return NULL;

  g_free (self->report);
  self->report = g_strdup (spark_transaction_get_report (transaction));
  return g_strdup (spark_transaction_get_result_text (transaction));
}

static void
apply_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SparkTransaction *transaction = SPARK_TRANSACTION (object);
  g_autoptr(GTask) task = user_data;
  SparkChangeset *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!spark_transaction_run_finish (transaction, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_free (self->report);
  self->report = g_strdup (spark_transaction_get_report (transaction));
  g_task_return_pointer (task, g_strdup (spark_transaction_get_result_text (transaction)), g_free);
}

void
spark_changeset_apply_async (SparkChangeset      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SparkTransaction) transaction = NULL;

  g_return_if_fail (SPARK_IS_CHANGESET (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_changeset_apply_async);

  if (self->workspace == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("The changeset has no workspace to apply to"));
      return;
    }

  transaction = spark_transaction_new (self->workspace, self);
  spark_transaction_run_async (transaction, cancellable, apply_done, g_steal_pointer (&task));
}

/**
 * spark_changeset_apply_finish:
 *
 * Returns: (transfer full): the result text for the model, or %NULL
 */
char *
spark_changeset_apply_finish (SparkChangeset  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (SPARK_IS_CHANGESET (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * spark_changeset_get_report:
 *
 * Returns: (nullable): what the last successful apply did, for the person
 *   (translated; see spark_transaction_get_report()), or %NULL before one
 */
const char *
spark_changeset_get_report (SparkChangeset *self)
{
  g_return_val_if_fail (SPARK_IS_CHANGESET (self), NULL);
  return self->report;
}

static const char *
kind_word (SparkFileChangeKind kind)
{
  switch (kind)
    {
    case SPARK_FILE_CHANGE_ADD: return "add";
    case SPARK_FILE_CHANGE_DELETE: return "delete";
    case SPARK_FILE_CHANGE_UPDATE: return "update";
    case SPARK_FILE_CHANGE_MOVE: return "move";
    default: g_assert_not_reached ();
    }
}

static const char *
state_word (SparkHunkState state)
{
  switch (state)
    {
    case SPARK_HUNK_PENDING: return "pending";
    case SPARK_HUNK_ACCEPTED: return "accepted";
    case SPARK_HUNK_REJECTED: return "rejected";
    case SPARK_HUNK_EDITED: return "edited";
    case SPARK_HUNK_CONFLICT: return "conflict";
    default: g_assert_not_reached ();
    }
}

static const char *
fuzz_word (SparkMatchFuzz fuzz)
{
  switch (fuzz)
    {
    case SPARK_MATCH_NONE: return "none";
    case SPARK_MATCH_EXACT: return "exact";
    case SPARK_MATCH_TRIM_END: return "trailing whitespace ignored";
    case SPARK_MATCH_TRIM: return "surrounding whitespace ignored";
    case SPARK_MATCH_UNICODE: return "unicode punctuation folded";
    default: g_assert_not_reached ();
    }
}

/**
 * spark_changeset_describe:
 *
 * Returns: (transfer full): a listing of the changeset
 */
char *
spark_changeset_describe (SparkChangeset *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (SPARK_IS_CHANGESET (self), NULL);

  for (guint i = 0; i < self->files->len; i++)
    {
      SparkFileChange *file = g_ptr_array_index (self->files, i);
      const GError *ferror = spark_file_change_get_error (file);

      g_string_append_printf (out, "%s %s", kind_word (spark_file_change_get_kind (file)),
                              spark_file_change_get_path (file));
      if (spark_file_change_get_move_path (file))
        g_string_append_printf (out, " -> %s", spark_file_change_get_move_path (file));
      g_string_append_c (out, '\n');
      if (ferror != NULL)
        g_string_append_printf (out, "  error: %s\n", ferror->message);

      for (guint h = 0; h < spark_file_change_get_n_hunks (file); h++)
        {
          SparkHunk *hunk = spark_file_change_get_hunk (file, h);
          SparkHunkState state = spark_hunk_get_state (hunk);
          const char * const *anchors = spark_hunk_get_anchors (hunk);
          const char * const *old_lines = spark_hunk_get_old_lines (hunk);
          const char * const *new_lines = spark_hunk_get_effective_lines (hunk);

          g_string_append_printf (out, "  hunk %u: %s", h + 1, state_word (state));
          if (state != SPARK_HUNK_CONFLICT && spark_file_change_get_kind (file) != SPARK_FILE_CHANGE_ADD)
            g_string_append_printf (out, ", line %u, %u line(s) replaced (%s)",
                                    spark_hunk_get_start_line (hunk),
                                    spark_hunk_get_line_count (hunk),
                                    fuzz_word (spark_hunk_get_fuzz (hunk)));
          if (spark_hunk_get_end_of_file (hunk))
            g_string_append (out, ", at end of file");
          g_string_append_c (out, '\n');

          if (state == SPARK_HUNK_CONFLICT && ferror == NULL)
            {
              g_auto(GStrv) lines = g_strsplit (spark_hunk_get_conflict_message (hunk), "\n", -1);

              for (guint l = 0; lines[l]; l++)
                g_string_append_printf (out, "    ! %s\n", lines[l]);
            }

          for (guint a = 0; anchors[a]; a++)
            g_string_append_printf (out, "    @@ %s\n", anchors[a]);
          if (spark_file_change_get_kind (file) != SPARK_FILE_CHANGE_DELETE)
            {
              for (guint l = 0; old_lines[l]; l++)
                g_string_append_printf (out, "    -%s\n", old_lines[l]);
              for (guint l = 0; new_lines[l]; l++)
                g_string_append_printf (out, "    +%s\n", new_lines[l]);
            }
        }
    }

  return g_string_free (out, FALSE);
}

/**
 * spark_changeset_set_current_text:
 * @path: the file, relative to the project root as the patch names it, or
 *   absolute
 * @text: (nullable): the text the person has now (e.g. an unsaved editor
 *   tab), or %NULL to read the file from disk again
 * @length: length of @text, or -1 when nul-terminated
 *
 * Tells the apply what the file holds now when that is not what is on disk.
 * If it differs from what the model read, the apply merges the proposal into
 * @text (and writes the merge to disk; spark_file_change_get_merged_text()
 * has it for the tab), exactly as for an edit made on disk.
 */
void
spark_changeset_set_current_text (SparkChangeset *self,
                                  const char     *path,
                                  const char     *text,
                                  gssize          length)
{
  g_return_if_fail (SPARK_IS_CHANGESET (self));
  g_return_if_fail (path != NULL);

  if (text == NULL)
    {
      g_hash_table_remove (self->current, path);
      return;
    }

  if (length < 0)
    length = strlen (text);
  g_hash_table_insert (self->current, g_strdup (path), g_bytes_new (text, length));
}

GBytes *
_spark_changeset_get_current_text (SparkChangeset  *self,
                                   SparkFileChange *file)
{
  const SparkFileOriginal *o = _spark_file_change_get_original (file);
  GBytes *bytes = g_hash_table_lookup (self->current, spark_file_change_get_path (file));

  if (bytes == NULL && o != NULL && o->abs_path != NULL)
    bytes = g_hash_table_lookup (self->current, o->abs_path);
  return bytes;
}
