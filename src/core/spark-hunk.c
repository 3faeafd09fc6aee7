/* spark-hunk.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-hunk"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-audience.h"
#include "spark-hunk.h"
#include "spark-patch-parser.h"
#include "spark-patch-private.h"

struct _SparkHunk
{
  GObject          parent_instance;

  char           **anchors;
  char           **old_lines;
  char           **new_lines;
  char           **edited_lines;
  char            *conflict_message;
  char            *model_conflict_message;   /* English, for the model; NULL: the same */
  char            *reject_reason;

  /* A merge conflict (spark_hunk_is_merge_conflict()). */
  char            *merge_ours;
  char            *merge_base;
  char            *merge_theirs;
  char            *merge_custom;
  guint            merge_index;
  SparkMergeChoiceKind merge_choice;

  guint            index;
  guint            patch_line;
  guint            start;        /* from 0 */
  guint            length;
  guint            new_drop;
  SparkMatchFuzz   fuzz;
  SparkHunkState   state;
  guint            end_of_file : 1;
  guint            located : 1;
  guint            merge : 1;
  guint            merge_chosen : 1;
};

G_DEFINE_FINAL_TYPE (SparkHunk, spark_hunk, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (SparkHunkState, spark_hunk_state,
  G_DEFINE_ENUM_VALUE (SPARK_HUNK_PENDING, "pending"),
  G_DEFINE_ENUM_VALUE (SPARK_HUNK_ACCEPTED, "accepted"),
  G_DEFINE_ENUM_VALUE (SPARK_HUNK_REJECTED, "rejected"),
  G_DEFINE_ENUM_VALUE (SPARK_HUNK_EDITED, "edited"),
  G_DEFINE_ENUM_VALUE (SPARK_HUNK_CONFLICT, "conflict"))

G_DEFINE_ENUM_TYPE (SparkMatchFuzz, spark_match_fuzz,
  G_DEFINE_ENUM_VALUE (SPARK_MATCH_NONE, "none"),
  G_DEFINE_ENUM_VALUE (SPARK_MATCH_EXACT, "exact"),
  G_DEFINE_ENUM_VALUE (SPARK_MATCH_TRIM_END, "trim-end"),
  G_DEFINE_ENUM_VALUE (SPARK_MATCH_TRIM, "trim"),
  G_DEFINE_ENUM_VALUE (SPARK_MATCH_UNICODE, "unicode"))

enum {
  PROP_0,
  PROP_STATE,
  PROP_START_LINE,
  PROP_FUZZ,
  PROP_CONFLICT_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char **
lines_dup (const char * const *lines)
{
  if (lines == NULL)
    return g_new0 (char *, 1);
  return g_strdupv ((char **) lines);
}

static char *
lines_join (const char * const *lines)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_string_append (str, lines[i]);
      g_string_append_c (str, '\n');
    }

  return g_string_free (str, FALSE);
}

static void
set_state (SparkHunk      *self,
           SparkHunkState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
spark_hunk_finalize (GObject *object)
{
  SparkHunk *self = (SparkHunk *)object;

  g_clear_pointer (&self->anchors, g_strfreev);
  g_clear_pointer (&self->old_lines, g_strfreev);
  g_clear_pointer (&self->new_lines, g_strfreev);
  g_clear_pointer (&self->edited_lines, g_strfreev);
  g_clear_pointer (&self->conflict_message, g_free);
  g_clear_pointer (&self->model_conflict_message, g_free);
  g_clear_pointer (&self->reject_reason, g_free);
  g_clear_pointer (&self->merge_ours, g_free);
  g_clear_pointer (&self->merge_base, g_free);
  g_clear_pointer (&self->merge_theirs, g_free);
  g_clear_pointer (&self->merge_custom, g_free);

  G_OBJECT_CLASS (spark_hunk_parent_class)->finalize (object);
}

static void
spark_hunk_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SparkHunk *self = SPARK_HUNK (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_START_LINE:
      g_value_set_uint (value, spark_hunk_get_start_line (self));
      break;

    case PROP_FUZZ:
      g_value_set_enum (value, self->fuzz);
      break;

    case PROP_CONFLICT_MESSAGE:
      g_value_set_string (value, spark_hunk_get_conflict_message (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_hunk_class_init (SparkHunkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_hunk_finalize;
  object_class->get_property = spark_hunk_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       SPARK_TYPE_HUNK_STATE, SPARK_HUNK_PENDING,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_START_LINE] =
    g_param_spec_uint ("start-line", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_FUZZ] =
    g_param_spec_enum ("fuzz", NULL, NULL,
                       SPARK_TYPE_MATCH_FUZZ, SPARK_MATCH_NONE,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONFLICT_MESSAGE] =
    g_param_spec_string ("conflict-message", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spark_hunk_init (SparkHunk *self)
{
}

/**
 * spark_hunk_new:
 * @anchors: (nullable): the `@@` anchor lines, in order
 * @old_lines: (nullable): lines to find (context and removed)
 * @new_lines: (nullable): lines to put instead (context and added)
 * @end_of_file: whether the old lines must be at the end of the file
 *
 * Returns: (transfer full): a pending hunk
 */
SparkHunk *
spark_hunk_new (const char * const *anchors,
                const char * const *old_lines,
                const char * const *new_lines,
                gboolean            end_of_file)
{
  SparkHunk *self = g_object_new (SPARK_TYPE_HUNK, NULL);

  self->anchors = lines_dup (anchors);
  self->old_lines = lines_dup (old_lines);
  self->new_lines = lines_dup (new_lines);
  self->end_of_file = !!end_of_file;

  return self;
}

const char * const *
spark_hunk_get_anchors (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return (const char * const *) self->anchors;
}

const char * const *
spark_hunk_get_old_lines (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return (const char * const *) self->old_lines;
}

const char * const *
spark_hunk_get_new_lines (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return (const char * const *) self->new_lines;
}

const char * const *
spark_hunk_get_effective_lines (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);

  if (self->state == SPARK_HUNK_EDITED && self->edited_lines != NULL)
    return (const char * const *) self->edited_lines;
  return (const char * const *) self->new_lines;
}

gboolean
spark_hunk_get_end_of_file (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), FALSE);
  return self->end_of_file;
}

char *
spark_hunk_dup_old_text (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return lines_join ((const char * const *) self->old_lines);
}

char *
spark_hunk_dup_new_text (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return lines_join (spark_hunk_get_effective_lines (self));
}

guint
spark_hunk_get_index (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), 0);
  return self->index;
}

guint
spark_hunk_get_patch_line (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), 0);
  return self->patch_line;
}

SparkHunkState
spark_hunk_get_state (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), SPARK_HUNK_PENDING);
  return self->state;
}

guint
spark_hunk_get_start_line (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), 0);
  return self->located ? self->start + 1 : 0;
}

guint
spark_hunk_get_line_count (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), 0);
  return self->located ? self->length : 0;
}

SparkMatchFuzz
spark_hunk_get_fuzz (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), SPARK_MATCH_NONE);
  return self->fuzz;
}

/**
 * spark_hunk_get_conflict_message:
 *
 * Returns: (nullable): why the hunk is in conflict, in the language of the
 *   calling thread's audience (spark_audience_push()): English for the
 *   model, else the person's
 */
const char *
spark_hunk_get_conflict_message (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return spark_audience_pick (self->conflict_message, self->model_conflict_message);
}

static gboolean
refuse_conflict (SparkHunk  *self,
                 GError    **error)
{
  const char *message = spark_hunk_get_conflict_message (self);

  g_set_error_literal (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                       message ? message : _("The hunk cannot be placed"));
  return FALSE;
}

gboolean
spark_hunk_accept (SparkHunk  *self,
                   GError    **error)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), FALSE);

  if (self->state == SPARK_HUNK_CONFLICT)
    return refuse_conflict (self, error);

  /* A resolved merge conflict: accepting takes the proposal. */
  if (self->merge)
    return self->state == SPARK_HUNK_EDITED ||
           spark_hunk_resolve_conflict (self, SPARK_MERGE_CHOOSE_THEIRS, NULL, error);

  if (self->state != SPARK_HUNK_EDITED)
    set_state (self, SPARK_HUNK_ACCEPTED);

  return TRUE;
}

void
spark_hunk_reject (SparkHunk *self)
{
  spark_hunk_reject_with_reason (self, NULL);
}

/**
 * spark_hunk_reject_with_reason:
 * @reason: (nullable): why, in the reviewer's words; it reaches the model
 */
void
spark_hunk_reject_with_reason (SparkHunk  *self,
                               const char *reason)
{
  g_return_if_fail (SPARK_IS_HUNK (self));

  /* Rejecting a merge conflict keeps the person's lines. */
  if (self->state == SPARK_HUNK_CONFLICT && !self->merge)
    return;

  if (self->merge)
    {
      g_clear_pointer (&self->edited_lines, g_strfreev);
      self->merge_choice = SPARK_MERGE_CHOOSE_OURS;
      self->merge_chosen = TRUE;
    }

  g_clear_pointer (&self->reject_reason, g_free);
  if (reason != NULL && reason[0] != '\0')
    self->reject_reason = g_strdup (reason);
  set_state (self, SPARK_HUNK_REJECTED);
}

/**
 * spark_hunk_get_reject_reason:
 *
 * Returns: (nullable): the reason given with the rejection, while the hunk
 *   is rejected
 */
const char *
spark_hunk_get_reject_reason (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);

  return self->state == SPARK_HUNK_REJECTED ? self->reject_reason : NULL;
}

void
spark_hunk_reset (SparkHunk *self)
{
  g_return_if_fail (SPARK_IS_HUNK (self));

  if (self->state == SPARK_HUNK_CONFLICT)
    return;

  g_clear_pointer (&self->edited_lines, g_strfreev);
  if (self->merge)
    {
      self->merge_chosen = FALSE;
      g_clear_pointer (&self->merge_custom, g_free);
      set_state (self, SPARK_HUNK_CONFLICT);
      return;
    }
  set_state (self, SPARK_HUNK_PENDING);
}

gboolean
spark_hunk_set_edited_text (SparkHunk   *self,
                            const char  *text,
                            GError     **error)
{
  g_autofree char *copy = NULL;
  gsize len;

  g_return_val_if_fail (SPARK_IS_HUNK (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->state == SPARK_HUNK_CONFLICT)
    return refuse_conflict (self, error);

  /* Editing a resolved merge conflict is a custom resolution. */
  if (self->merge)
    {
      g_autofree char *region = NULL;

      region = (text[0] == '\0' || g_str_has_suffix (text, "\n")) ? g_strdup (text)
                                                                 : g_strconcat (text, "\n", NULL);
      return spark_hunk_resolve_conflict (self, SPARK_MERGE_CHOOSE_CUSTOM, region, error);
    }

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_TEXT,
                           _("The edited text is not valid UTF-8"));
      return FALSE;
    }

  copy = g_strdup (text);
  len = strlen (copy);
  if (len > 0 && copy[len - 1] == '\n')
    copy[len - 1] = '\0';

  g_clear_pointer (&self->edited_lines, g_strfreev);
  if (text[0] == '\0')
    self->edited_lines = g_new0 (char *, 1);
  else
    self->edited_lines = g_strsplit (copy, "\n", -1);

  /* Notify even when already edited: the text changed. */
  if (self->state == SPARK_HUNK_EDITED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  else
    set_state (self, SPARK_HUNK_EDITED);

  return TRUE;
}

void
_spark_hunk_set_index (SparkHunk *self,
                       guint      index)
{
  self->index = index;
}

void
_spark_hunk_set_patch_line (SparkHunk *self,
                            guint      line)
{
  self->patch_line = line;
}

void
_spark_hunk_set_location (SparkHunk      *self,
                          guint           start,
                          guint           length,
                          guint           new_drop,
                          SparkMatchFuzz  fuzz)
{
  self->start = start;
  self->length = length;
  self->new_drop = new_drop;
  self->located = TRUE;
  self->fuzz = fuzz;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_START_LINE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FUZZ]);
}

void
_spark_hunk_set_conflict (SparkHunk  *self,
                          const char *message,
                          const char *model_message)
{
  g_free (self->conflict_message);
  self->conflict_message = g_strdup (message);
  g_free (self->model_conflict_message);
  self->model_conflict_message = g_strdup (model_message);
  self->located = FALSE;
  g_clear_pointer (&self->edited_lines, g_strfreev);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICT_MESSAGE]);
  set_state (self, SPARK_HUNK_CONFLICT);
}

guint
_spark_hunk_get_start (SparkHunk *self)
{
  return self->start;
}

guint
_spark_hunk_get_new_drop (SparkHunk *self)
{
  return self->new_drop;
}

void
_spark_hunk_set_old_lines (SparkHunk  *self,
                           char      **lines)
{
  g_strfreev (self->old_lines);
  self->old_lines = g_strdupv (lines);
}

/* Region text (lines with their endings) to lines without them. */
static char **
region_lines (const char *text)
{
  g_autofree char *copy = g_strdup (text);
  char **lines;
  gsize len = strlen (copy);

  if (len > 0 && copy[len - 1] == '\n')
    copy[--len] = '\0';
  if (len > 0 && copy[len - 1] == '\r')
    copy[--len] = '\0';
  if (text[0] == '\0')
    return g_new0 (char *, 1);
  if (len == 0)
    {
      lines = g_new0 (char *, 2);
      lines[0] = g_strdup ("");
      return lines;
    }

  lines = g_strsplit (copy, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gsize l = strlen (lines[i]);

      if (l > 0 && lines[i][l - 1] == '\r')
        lines[i][l - 1] = '\0';
    }
  return lines;
}

SparkHunk *
_spark_hunk_new_merge_conflict (const SparkMergeConflict *conflict,
                                guint                     conflict_index,
                                const char               *message,
                                const char               *model_message)
{
  g_auto(GStrv) ours = region_lines (conflict->ours);
  g_auto(GStrv) theirs = region_lines (conflict->theirs);
  SparkHunk *self = spark_hunk_new (NULL, (const char * const *) ours,
                                    (const char * const *) theirs, FALSE);

  self->merge = TRUE;
  self->merge_ours = g_strdup (conflict->ours);
  self->merge_base = g_strdup (conflict->base);
  self->merge_theirs = g_strdup (conflict->theirs);
  self->merge_index = conflict_index;
  self->conflict_message = g_strdup (message);
  self->model_conflict_message = g_strdup (model_message);
  self->start = conflict->ours_line;
  self->length = conflict->ours_n_lines;
  self->located = TRUE;
  self->fuzz = SPARK_MATCH_EXACT;
  self->state = SPARK_HUNK_CONFLICT;

  return self;
}

guint
_spark_hunk_get_merge_index (SparkHunk *self)
{
  return self->merge_index;
}

const char *
_spark_hunk_get_merge_custom (SparkHunk *self)
{
  return self->merge_custom;
}

gboolean
spark_hunk_is_merge_conflict (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), FALSE);
  return self->merge;
}

/**
 * spark_hunk_get_conflict_ours:
 *
 * Returns: (nullable): the person's text of a merge-conflict region
 */
const char *
spark_hunk_get_conflict_ours (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return self->merge_ours;
}

/**
 * spark_hunk_get_conflict_theirs:
 *
 * Returns: (nullable): the proposal's text of a merge-conflict region
 */
const char *
spark_hunk_get_conflict_theirs (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return self->merge_theirs;
}

/**
 * spark_hunk_get_conflict_base:
 *
 * Returns: (nullable): the text the model read, of a merge-conflict region
 */
const char *
spark_hunk_get_conflict_base (SparkHunk *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), NULL);
  return self->merge_base;
}

gboolean
spark_hunk_get_merge_choice (SparkHunk            *self,
                             SparkMergeChoiceKind *choice)
{
  g_return_val_if_fail (SPARK_IS_HUNK (self), FALSE);

  if (!self->merge || !self->merge_chosen)
    return FALSE;
  if (choice != NULL)
    *choice = self->merge_choice;
  return TRUE;
}

gboolean
spark_hunk_resolve_conflict (SparkHunk             *self,
                             SparkMergeChoiceKind   choice,
                             const char            *custom_text,
                             GError               **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (SPARK_IS_HUNK (self), FALSE);
  g_return_val_if_fail (choice <= SPARK_MERGE_CHOOSE_CUSTOM, FALSE);

  if (!self->merge)
    {
      g_set_error_literal (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                           _("Only a merge conflict can be resolved"));
      return FALSE;
    }

  if (custom_text == NULL)
    custom_text = "";
  if (choice == SPARK_MERGE_CHOOSE_CUSTOM && !g_utf8_validate (custom_text, -1, NULL))
    {
      g_set_error_literal (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_TEXT,
                           _("The resolution is not valid UTF-8"));
      return FALSE;
    }

  switch (choice)
    {
    case SPARK_MERGE_CHOOSE_OURS:
      text = g_strdup (self->merge_ours);
      break;
    case SPARK_MERGE_CHOOSE_THEIRS:
      text = g_strdup (self->merge_theirs);
      break;
    case SPARK_MERGE_CHOOSE_BOTH:
      text = g_strconcat (self->merge_ours, self->merge_theirs, NULL);
      break;
    case SPARK_MERGE_CHOOSE_BASE:
      text = g_strdup (self->merge_base);
      break;
    case SPARK_MERGE_CHOOSE_CUSTOM:
    default:
      text = g_strdup (custom_text);
      break;
    }

  g_clear_pointer (&self->merge_custom, g_free);
  if (choice == SPARK_MERGE_CHOOSE_CUSTOM)
    self->merge_custom = g_strdup (custom_text);
  self->merge_choice = choice;
  self->merge_chosen = TRUE;
  g_clear_pointer (&self->reject_reason, g_free);
  g_clear_pointer (&self->edited_lines, g_strfreev);
  self->edited_lines = region_lines (text);

  /* Notify even when already edited: the text changed. */
  if (self->state == SPARK_HUNK_EDITED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  else
    set_state (self, SPARK_HUNK_EDITED);

  return TRUE;
}
