/* spark-file-change.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-file-change"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-audience.h"
#include "spark-file-change.h"
#include "spark-patch-match.h"
#include "spark-patch-parser.h"
#include "spark-patch-private.h"

struct _SparkFileChange
{
  GObject              parent_instance;

  SparkFileChangeKind  kind;
  char                *path;
  char                *move_path;
  GPtrArray           *hunks;
  GError              *error;
  GError              *model_error;   /* the same, in English for the model */
  SparkWorkspace      *workspace;
  SparkFileOriginal    original;
  SparkMergeResult    *merge;        /* a merge left in conflict */
  GBytes              *merge_ours;   /* the file when it was merged */
  char                *merged_text;  /* what the last apply wrote after merging */

  guint                patch_line;
  guint                cursor;
  guint                complete : 1;
  guint                bound : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SparkFileChange, spark_file_change, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

G_DEFINE_ENUM_TYPE (SparkFileChangeKind, spark_file_change_kind,
  G_DEFINE_ENUM_VALUE (SPARK_FILE_CHANGE_ADD, "add"),
  G_DEFINE_ENUM_VALUE (SPARK_FILE_CHANGE_DELETE, "delete"),
  G_DEFINE_ENUM_VALUE (SPARK_FILE_CHANGE_UPDATE, "update"),
  G_DEFINE_ENUM_VALUE (SPARK_FILE_CHANGE_MOVE, "move"))

enum {
  PROP_0,
  PROP_COMPLETE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return SPARK_TYPE_HUNK;
}

static guint
get_n_items (GListModel *model)
{
  return SPARK_FILE_CHANGE (model)->hunks->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SparkFileChange *self = SPARK_FILE_CHANGE (model);

  if (position >= self->hunks->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->hunks, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
original_clear (SparkFileOriginal *o)
{
  g_clear_pointer (&o->abs_path, g_free);
  g_clear_pointer (&o->abs_move_path, g_free);
  g_clear_pointer (&o->text, g_free);
  g_clear_pointer (&o->raw, g_bytes_unref);
  g_clear_pointer (&o->lines, g_strfreev);
}

static void
spark_file_change_finalize (GObject *object)
{
  SparkFileChange *self = (SparkFileChange *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->move_path, g_free);
  g_clear_pointer (&self->hunks, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_clear_error (&self->model_error);
  g_clear_object (&self->workspace);
  original_clear (&self->original);
  g_clear_pointer (&self->merge, spark_merge_result_unref);
  g_clear_pointer (&self->merge_ours, g_bytes_unref);
  g_clear_pointer (&self->merged_text, g_free);

  G_OBJECT_CLASS (spark_file_change_parent_class)->finalize (object);
}

static void
spark_file_change_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SparkFileChange *self = SPARK_FILE_CHANGE (object);

  switch (prop_id)
    {
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->hunks->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_file_change_class_init (SparkFileChangeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_file_change_finalize;
  object_class->get_property = spark_file_change_get_property;

  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spark_file_change_init (SparkFileChange *self)
{
  self->hunks = g_ptr_array_new_with_free_func (g_object_unref);
}

SparkFileChange *
spark_file_change_new (SparkFileChangeKind  kind,
                       const char          *path,
                       const char          *move_path)
{
  SparkFileChange *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail ((kind == SPARK_FILE_CHANGE_MOVE) == (move_path != NULL), NULL);

  self = g_object_new (SPARK_TYPE_FILE_CHANGE, NULL);
  self->kind = kind;
  self->path = g_strdup (path);
  self->move_path = g_strdup (move_path);

  return self;
}

SparkFileChangeKind
spark_file_change_get_kind (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), SPARK_FILE_CHANGE_UPDATE);
  return self->kind;
}

const char *
spark_file_change_get_path (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), NULL);
  return self->path;
}

const char *
spark_file_change_get_move_path (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), NULL);
  return self->move_path;
}

gboolean
spark_file_change_get_complete (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), FALSE);
  return self->complete;
}

guint
spark_file_change_get_patch_line (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), 0);
  return self->patch_line;
}

const GError *
spark_file_change_get_error (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), NULL);

  if (self->model_error != NULL && spark_audience_get () == SPARK_AUDIENCE_MODEL)
    return self->model_error;
  return self->error;
}

guint
spark_file_change_get_n_hunks (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), 0);
  return self->hunks->len;
}

/**
 * spark_file_change_get_hunk:
 *
 * Returns: (transfer none) (nullable): the hunk at @index
 */
SparkHunk *
spark_file_change_get_hunk (SparkFileChange *self,
                            guint            index)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), NULL);

  if (index >= self->hunks->len)
    return NULL;
  return g_ptr_array_index (self->hunks, index);
}

guint
spark_file_change_count_state (SparkFileChange *self,
                               SparkHunkState   state)
{
  guint n = 0;

  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), 0);

  for (guint i = 0; i < self->hunks->len; i++)
    {
      if (spark_hunk_get_state (g_ptr_array_index (self->hunks, i)) == state)
        n++;
    }
  return n;
}

gboolean
spark_file_change_is_accepted (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), FALSE);

  return spark_file_change_count_state (self, SPARK_HUNK_ACCEPTED) > 0 ||
         spark_file_change_count_state (self, SPARK_HUNK_EDITED) > 0;
}

gboolean
spark_file_change_accept_all (SparkFileChange  *self,
                              GError          **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), FALSE);

  for (guint i = 0; i < self->hunks->len; i++)
    {
      SparkHunk *hunk = g_ptr_array_index (self->hunks, i);
      g_autoptr(GError) local_error = NULL;

      if (!spark_hunk_accept (hunk, &local_error) && ok)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }

  return ok;
}

void
spark_file_change_reject_all (SparkFileChange *self)
{
  g_return_if_fail (SPARK_IS_FILE_CHANGE (self));

  for (guint i = 0; i < self->hunks->len; i++)
    spark_hunk_reject (g_ptr_array_index (self->hunks, i));
}

static void
locate (SparkFileChange *self,
        SparkHunk       *hunk)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) model_error = NULL;
  SparkMatchLocation loc;
  guint cursor = self->cursor;
  gboolean found;

  if (self->error != NULL)
    {
      _spark_hunk_set_conflict (hunk, self->error->message,
                                self->model_error ? self->model_error->message : NULL);
      return;
    }

  switch (self->kind)
    {
    case SPARK_FILE_CHANGE_ADD:
      _spark_hunk_set_location (hunk, 0, 0, 0, SPARK_MATCH_EXACT);
      break;

    case SPARK_FILE_CHANGE_DELETE:
      if (self->original.lines != NULL)
        _spark_hunk_set_old_lines (hunk, self->original.lines);
      _spark_hunk_set_location (hunk, 0, self->original.n_lines, 0, SPARK_MATCH_EXACT);
      break;

    case SPARK_FILE_CHANGE_UPDATE:
    case SPARK_FILE_CHANGE_MOVE:
      spark_audience_push (SPARK_AUDIENCE_PERSON);
      found = spark_patch_locate_hunk ((const char * const *) self->original.lines,
                                       self->original.n_lines,
                                       &self->cursor,
                                       spark_hunk_get_anchors (hunk),
                                       spark_hunk_get_old_lines (hunk),
                                       spark_hunk_get_new_lines (hunk),
                                       spark_hunk_get_end_of_file (hunk),
                                       self->path, &loc, &error);
      spark_audience_pop ();
      if (found)
        {
          _spark_hunk_set_location (hunk, loc.start, loc.length, loc.new_drop, loc.fuzz);
          break;
        }

      /* The model is told in English: look again, only to say so (a hunk
       * that does not fit is rare, and the search is pure). */
      spark_audience_push (SPARK_AUDIENCE_MODEL);
      spark_patch_locate_hunk ((const char * const *) self->original.lines,
                               self->original.n_lines, &cursor,
                               spark_hunk_get_anchors (hunk),
                               spark_hunk_get_old_lines (hunk),
                               spark_hunk_get_new_lines (hunk),
                               spark_hunk_get_end_of_file (hunk),
                               self->path, &loc, &model_error);
      spark_audience_pop ();
      _spark_hunk_set_conflict (hunk, error->message, model_error ? model_error->message : NULL);
      break;

    default:
      g_assert_not_reached ();
    }
}

void
spark_file_change_append_hunk (SparkFileChange *self,
                               SparkHunk       *hunk)
{
  g_return_if_fail (SPARK_IS_FILE_CHANGE (self));
  g_return_if_fail (SPARK_IS_HUNK (hunk));
  g_return_if_fail (!self->complete);

  _spark_hunk_set_index (hunk, self->hunks->len);

  if (self->bound)
    locate (self, hunk);

  g_ptr_array_add (self->hunks, g_object_ref (hunk));
  g_list_model_items_changed (G_LIST_MODEL (self), self->hunks->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
_spark_file_change_set_complete (SparkFileChange *self)
{
  if (!self->complete)
    {
      self->complete = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }
}

void
_spark_file_change_set_patch_line (SparkFileChange *self,
                                   guint            line)
{
  self->patch_line = line;
}

void
_spark_file_change_fail (SparkFileChange *self,
                         GError          *error,
                         GError          *model_error)
{
  g_clear_error (&self->error);
  g_clear_error (&self->model_error);
  self->error = error;
  self->model_error = model_error;

  for (guint i = 0; i < self->hunks->len; i++)
    _spark_hunk_set_conflict (g_ptr_array_index (self->hunks, i), error->message,
                              model_error ? model_error->message : NULL);
}

SparkWorkspace *
_spark_file_change_get_workspace (SparkFileChange *self)
{
  return self->workspace;
}

const SparkFileOriginal *
_spark_file_change_get_original (SparkFileChange *self)
{
  return self->bound ? &self->original : NULL;
}

static gboolean
read_original (SparkFileChange    *self,
               SparkFileOriginal  *o,
               GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;

  o->abs_path = spark_workspace_resolve (self->workspace, self->path, error);
  if (o->abs_path == NULL)
    return FALSE;

  if (self->move_path != NULL)
    {
      GStatBuf dst;

      o->abs_move_path = spark_workspace_resolve (self->workspace, self->move_path, error);
      if (o->abs_move_path == NULL)
        return FALSE;
      if (g_stat (o->abs_move_path, &dst) == 0 && !S_ISREG (dst.st_mode))
        {
          g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_A_FILE,
                       _("Cannot move %s to %s: the destination is not a regular file"),
                       self->path, self->move_path);
          return FALSE;
        }
    }

  if (g_stat (o->abs_path, &st) != 0)
    {
      int errsv = errno;

      if (self->kind == SPARK_FILE_CHANGE_ADD && errsv == ENOENT)
        return TRUE;

      if (errsv == ENOENT)
        {
          if (self->kind == SPARK_FILE_CHANGE_DELETE)
            g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_MISSING_FILE,
                         _("Cannot delete %s: the file does not exist"), self->path);
          else
            g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_MISSING_FILE,
                         _("Cannot update %s: the file does not exist"), self->path);
        }
      else
        /* Translators: %s is a path, then why it cannot be read */
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                     _("Cannot read %s: %s"), self->path, spark_audience_strerror (errsv));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      if (self->kind == SPARK_FILE_CHANGE_ADD)
        g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_A_FILE,
                     _("Cannot create %s: it is not a regular file"), self->path);
      else if (self->kind == SPARK_FILE_CHANGE_DELETE)
        g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_A_FILE,
                     _("Cannot delete %s: it is not a regular file"), self->path);
      else
        g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_A_FILE,
                     _("Cannot update %s: it is not a regular file"), self->path);
      return FALSE;
    }

  o->exists = TRUE;
  o->mode = st.st_mode & 07777;

  if (self->kind == SPARK_FILE_CHANGE_ADD)
    return TRUE;

  o->text = spark_file_load_text (o->abs_path, SPARK_FILE_MAX_TEXT_SIZE,
                                  &o->length, &o->newline, &local_error);
  if (o->text == NULL)
    {
      /* A file that is not text can still be deleted. */
      if (self->kind == SPARK_FILE_CHANGE_DELETE)
        return TRUE;

      /* Translators: %s is a path, then why it is not text */
      g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_TEXT,
                   _("Cannot update %s: %s"), self->path, local_error->message);
      return FALSE;
    }

  /* Remember the exact bytes, to notice a change before writing, and keep
   * a file that mixes CRLF and LF lines as it is: its lines are matched with
   * their CR (the trailing-whitespace pass finds them) and the lines the
   * patch does not touch keep their own endings. */
  {
    g_autofree char *raw = NULL;
    gsize raw_len = 0;

    if (!g_file_get_contents (o->abs_path, &raw, &raw_len, error))
      return FALSE;
    o->raw = g_bytes_new (raw, raw_len);

    if (o->newline == SPARK_NEWLINE_CRLF)
      {
        gboolean mixed = FALSE;

        for (gsize i = 0; i < raw_len && !mixed; i++)
          mixed = raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r');

        if (mixed)
          {
            g_free (o->text);
            o->text = g_steal_pointer (&raw);
            o->length = raw_len;
            o->newline = SPARK_NEWLINE_LF;
            o->mixed = TRUE;
          }
      }
  }

  /* A byte order mark is not part of the first line: keep it aside. */
  if (o->length >= 3 && memcmp (o->text, "\xEF\xBB\xBF", 3) == 0)
    {
      o->bom = TRUE;
      memmove (o->text, o->text + 3, o->length - 3 + 1);
      o->length -= 3;
    }

  o->lines = spark_patch_split_lines (o->text, o->length, &o->n_lines);

  return TRUE;
}

void
_spark_file_change_bind (SparkFileChange *self,
                         SparkWorkspace  *workspace)
{
  g_return_if_fail (SPARK_IS_FILE_CHANGE (self));
  g_return_if_fail (SPARK_IS_WORKSPACE (workspace));

  if (self->bound)
    return;

  self->workspace = g_object_ref (workspace);
  self->bound = TRUE;
  self->cursor = 0;

  spark_audience_push (SPARK_AUDIENCE_PERSON);
  read_original (self, &self->original, &self->error);
  spark_audience_pop ();

  /* The model is told in English: read again, only to say so (reading
   * has no effect, and a file that cannot be read is rare). */
  if (self->error != NULL)
    {
      SparkFileOriginal scratch = { 0 };

      spark_audience_push (SPARK_AUDIENCE_MODEL);
      read_original (self, &scratch, &self->model_error);
      spark_audience_pop ();
      original_clear (&scratch);
    }

  for (guint i = 0; i < self->hunks->len; i++)
    locate (self, g_ptr_array_index (self->hunks, i));
}

/**
 * spark_file_change_get_merged_text:
 *
 * Returns: (nullable): the text the last successful apply wrote when it had
 *   to merge the proposal with the person's concurrent edits (what an open
 *   editor tab should now hold), else %NULL
 */
const char *
spark_file_change_get_merged_text (SparkFileChange *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (self), NULL);
  return self->merged_text;
}

void
_spark_file_change_set_merged_text (SparkFileChange *self,
                                    const char      *text)
{
  g_free (self->merged_text);
  self->merged_text = g_strdup (text);
}

SparkMergeResult *
_spark_file_change_get_merge (SparkFileChange  *self,
                              GBytes          **ours)
{
  if (ours != NULL)
    *ours = self->merge_ours;
  return self->merge;
}

/* Appends one merge-conflict hunk per conflict of @result, @ours being the
 * file's bytes that were merged. */
void
_spark_file_change_add_merge_conflicts (SparkFileChange  *self,
                                        SparkMergeResult *result,
                                        GBytes           *ours)
{
  guint n = spark_merge_result_get_n_conflicts (result);
  guint first = self->hunks->len;

  g_return_if_fail (self->merge == NULL);

  self->merge = spark_merge_result_ref (result);
  self->merge_ours = g_bytes_ref (ours);

  for (guint i = 0; i < n; i++)
    {
      const SparkMergeConflict *c = spark_merge_result_get_conflict (result, i);
      g_autofree char *message = NULL;
      g_autofree char *model_message = NULL;
      SparkHunk *hunk;

      spark_audience_push (SPARK_AUDIENCE_PERSON);
      if (c->ours_n_lines <= 1)
        /* Translators: %u is a line number, %s a file path */
        message = g_strdup_printf (_("You changed line %u of %s after the model read it, "
                                     "and the proposal changes the same lines. "
                                     "Choose what to keep."),
                                   c->ours_line + 1, self->path);
      else
        /* Translators: %u–%u are line numbers, %s a file path */
        message = g_strdup_printf (_("You changed lines %u–%u of %s after the model read it, "
                                     "and the proposal changes the same lines. "
                                     "Choose what to keep."),
                                   c->ours_line + 1, c->ours_line + c->ours_n_lines, self->path);
      spark_audience_pop ();

      /* For the model: English, never translated. */
      if (c->ours_n_lines <= 1)
        model_message = g_strdup_printf ("The person changed line %u of %s after you read it, "
                                         "and your proposal changes the same lines.",
                                         c->ours_line + 1, self->path);
      else
        model_message = g_strdup_printf ("The person changed lines %u-%u of %s after you read it, "
                                         "and your proposal changes the same lines.",
                                         c->ours_line + 1, c->ours_line + c->ours_n_lines,
                                         self->path);

      hunk = _spark_hunk_new_merge_conflict (c, i, message, model_message);
      _spark_hunk_set_index (hunk, self->hunks->len);
      g_ptr_array_add (self->hunks, hunk);
    }

  if (n > 0)
    {
      /* Whoever watches (the review) hears it in the person's language,
       * even while an apply speaks to the model. */
      spark_audience_push (SPARK_AUDIENCE_PERSON);
      g_list_model_items_changed (G_LIST_MODEL (self), first, 0, n);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      spark_audience_pop ();
    }
}
