/* spark-git-diff-file.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-git-diff"

#include "config.h"

#include <string.h>

#include <git2.h>
#include <glib/gi18n.h>

#include "spark-git-diff-private.h"

static const char *
git_detail (void)
{
  const git_error *e = git_error_last ();

  return e && e->message ? e->message : _("unknown error");
}

G_DEFINE_ENUM_TYPE (SparkGitDiffKind, spark_git_diff_kind,
  G_DEFINE_ENUM_VALUE (SPARK_GIT_DIFF_HEAD, "head"),
  G_DEFINE_ENUM_VALUE (SPARK_GIT_DIFF_STAGED, "staged"),
  G_DEFINE_ENUM_VALUE (SPARK_GIT_DIFF_UNSTAGED, "unstaged"))

G_DEFINE_ENUM_TYPE (SparkGitDiffFileStatus, spark_git_diff_file_status,
  G_DEFINE_ENUM_VALUE (SPARK_GIT_DIFF_FILE_ADDED, "added"),
  G_DEFINE_ENUM_VALUE (SPARK_GIT_DIFF_FILE_MODIFIED, "modified"),
  G_DEFINE_ENUM_VALUE (SPARK_GIT_DIFF_FILE_DELETED, "deleted"),
  G_DEFINE_ENUM_VALUE (SPARK_GIT_DIFF_FILE_RENAMED, "renamed"),
  G_DEFINE_ENUM_VALUE (SPARK_GIT_DIFF_FILE_CONFLICTED, "conflicted"))

G_DEFINE_ENUM_TYPE (SparkGitStageState, spark_git_stage_state,
  G_DEFINE_ENUM_VALUE (SPARK_GIT_STAGE_UNSTAGED, "unstaged"),
  G_DEFINE_ENUM_VALUE (SPARK_GIT_STAGE_STAGED, "staged"),
  G_DEFINE_ENUM_VALUE (SPARK_GIT_STAGE_PARTIAL, "partial"))

/* SparkGitDiffHunk */


G_DEFINE_BOXED_TYPE (SparkGitDiffHunk, spark_git_diff_hunk,
                     spark_git_diff_hunk_ref, spark_git_diff_hunk_unref)

static void
hunk_clear (gpointer data)
{
  SparkGitDiffHunk *self = data;

  g_free (self->header);
  g_clear_pointer (&self->lines, g_array_unref);
}

static void
line_clear (gpointer data)
{
  SparkGitDiffLine *line = data;

  g_free ((char *) line->text);
}

SparkGitDiffHunk *
spark_git_diff_hunk_ref (SparkGitDiffHunk *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
spark_git_diff_hunk_unref (SparkGitDiffHunk *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, hunk_clear);
}

const char *
spark_git_diff_hunk_get_header (SparkGitDiffHunk *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->header;
}

guint
spark_git_diff_hunk_get_old_start (SparkGitDiffHunk *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->old_start;
}

guint
spark_git_diff_hunk_get_old_lines (SparkGitDiffHunk *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->old_lines;
}

guint
spark_git_diff_hunk_get_new_start (SparkGitDiffHunk *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->new_start;
}

guint
spark_git_diff_hunk_get_new_lines (SparkGitDiffHunk *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->new_lines;
}

guint
spark_git_diff_hunk_get_n_lines (SparkGitDiffHunk *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->lines->len;
}

const SparkGitDiffLine *
spark_git_diff_hunk_get_line (SparkGitDiffHunk *self,
                              guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->lines->len, NULL);

  return &g_array_index (self->lines, SparkGitDiffLine, index);
}

SparkGitStageState
spark_git_diff_hunk_get_stage_state (SparkGitDiffHunk *self)
{
  g_return_val_if_fail (self != NULL, SPARK_GIT_STAGE_UNSTAGED);

  return self->state;
}

static char
line_origin (char git_origin)
{
  switch (git_origin)
    {
    case GIT_DIFF_LINE_CONTEXT:  return ' ';
    case GIT_DIFF_LINE_ADDITION: return '+';
    case GIT_DIFF_LINE_DELETION: return '-';
    default:                     return '\0';  /* "\ No newline at end of file" markers */
    }
}

SparkGitDiffHunk *
spark_git_diff_hunk_new_from_patch (git_patch *patch,
                                    gsize      index)
{
  SparkGitDiffHunk *self;
  const git_diff_hunk *hunk = NULL;
  size_t n_lines = 0;
  gsize header_len;

  if (git_patch_get_hunk (&hunk, &n_lines, patch, index) != 0)
    {
      git_error_clear ();
      return NULL;
    }

  self = g_atomic_rc_box_new0 (SparkGitDiffHunk);
  header_len = strnlen (hunk->header, MIN (hunk->header_len, sizeof hunk->header));
  while (header_len > 0 && (hunk->header[header_len - 1] == '\n' || hunk->header[header_len - 1] == '\r'))
    header_len--;
  self->header = g_strndup (hunk->header, header_len);
  self->old_start = hunk->old_start;
  self->old_lines = hunk->old_lines;
  self->new_start = hunk->new_start;
  self->new_lines = hunk->new_lines;
  self->lines = g_array_sized_new (FALSE, TRUE, sizeof (SparkGitDiffLine), n_lines);
  g_array_set_clear_func (self->lines, line_clear);

  for (gsize i = 0; i < n_lines; i++)
    {
      const git_diff_line *gline = NULL;
      SparkGitDiffLine line = { 0 };
      gsize len;

      if (git_patch_get_line_in_hunk (&gline, patch, index, i) != 0)
        {
          git_error_clear ();
          continue;
        }

      line.origin = line_origin (gline->origin);
      if (line.origin == '\0')
        continue;

      len = gline->content_len;
      if (len > 0 && gline->content[len - 1] == '\n')
        len--;
      else
        line.missing_newline = TRUE;
      line.text = g_strndup (gline->content, len);
      line.old_lineno = gline->old_lineno;
      line.new_lineno = gline->new_lineno;
      g_array_append_val (self->lines, line);
    }

  return self;
}

/* Same lines, wherever they are: staging another hunk of the file moves
 * the later ones in the index. */
gboolean
spark_git_diff_hunk_same_lines (SparkGitDiffHunk *a,
                                SparkGitDiffHunk *b)
{
  if (a->old_lines != b->old_lines || a->new_lines != b->new_lines ||
      a->lines->len != b->lines->len)
    return FALSE;

  for (guint i = 0; i < a->lines->len; i++)
    {
      const SparkGitDiffLine *la = &g_array_index (a->lines, SparkGitDiffLine, i);
      const SparkGitDiffLine *lb = &g_array_index (b->lines, SparkGitDiffLine, i);

      if (la->origin != lb->origin || la->missing_newline != lb->missing_newline ||
          strcmp (la->text, lb->text) != 0)
        return FALSE;
    }

  return TRUE;
}

/* SparkGitDiffFile */


G_DEFINE_FINAL_TYPE (SparkGitDiffFile, spark_git_diff_file, G_TYPE_OBJECT)

/* Read-only, for views to bind (the file never changes). */
enum {
  FILE_PROP_0,
  FILE_PROP_KIND,
  FILE_PROP_PATH,
  FILE_PROP_OLD_PATH,
  FILE_PROP_STATUS,
  FILE_PROP_BINARY,
  FILE_PROP_ADDITIONS,
  FILE_PROP_DELETIONS,
  FILE_PROP_STAGE_STATE,
  FILE_PROP_N_HUNKS,
  N_FILE_PROPS
};

static GParamSpec *file_properties[N_FILE_PROPS];

static void
spark_git_diff_file_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SparkGitDiffFile *self = SPARK_GIT_DIFF_FILE (object);

  switch (prop_id)
    {
    case FILE_PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case FILE_PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case FILE_PROP_OLD_PATH:
      g_value_set_string (value, self->old_path);
      break;
    case FILE_PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case FILE_PROP_BINARY:
      g_value_set_boolean (value, self->binary);
      break;
    case FILE_PROP_ADDITIONS:
      g_value_set_uint (value, self->additions);
      break;
    case FILE_PROP_DELETIONS:
      g_value_set_uint (value, self->deletions);
      break;
    case FILE_PROP_STAGE_STATE:
      g_value_set_enum (value, self->state);
      break;
    case FILE_PROP_N_HUNKS:
      g_value_set_uint (value, self->hunks->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_git_diff_file_finalize (GObject *object)
{
  SparkGitDiffFile *self = (SparkGitDiffFile *) object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->old_path, g_free);
  g_clear_pointer (&self->hunks, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_git_diff_file_parent_class)->finalize (object);
}

static void
spark_git_diff_file_class_init (SparkGitDiffFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_git_diff_file_finalize;
  object_class->get_property = spark_git_diff_file_get_property;

  file_properties[FILE_PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, SPARK_TYPE_GIT_DIFF_KIND, SPARK_GIT_DIFF_HEAD,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  file_properties[FILE_PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  file_properties[FILE_PROP_OLD_PATH] =
    g_param_spec_string ("old-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  file_properties[FILE_PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, SPARK_TYPE_GIT_DIFF_FILE_STATUS,
                       SPARK_GIT_DIFF_FILE_MODIFIED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  file_properties[FILE_PROP_BINARY] =
    g_param_spec_boolean ("binary", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  file_properties[FILE_PROP_ADDITIONS] =
    g_param_spec_uint ("additions", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  file_properties[FILE_PROP_DELETIONS] =
    g_param_spec_uint ("deletions", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  file_properties[FILE_PROP_STAGE_STATE] =
    g_param_spec_enum ("stage-state", NULL, NULL, SPARK_TYPE_GIT_STAGE_STATE,
                       SPARK_GIT_STAGE_UNSTAGED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  file_properties[FILE_PROP_N_HUNKS] =
    g_param_spec_uint ("n-hunks", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_FILE_PROPS, file_properties);
}

static void
spark_git_diff_file_init (SparkGitDiffFile *self)
{
  self->hunks = g_ptr_array_new_with_free_func ((GDestroyNotify) spark_git_diff_hunk_unref);
}

SparkGitDiffKind
spark_git_diff_file_get_kind (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), SPARK_GIT_DIFF_HEAD);

  return self->kind;
}

const char *
spark_git_diff_file_get_path (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), NULL);

  return self->path;
}

const char *
spark_git_diff_file_get_old_path (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), NULL);

  return self->old_path;
}

SparkGitDiffFileStatus
spark_git_diff_file_get_status (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), SPARK_GIT_DIFF_FILE_MODIFIED);

  return self->status;
}

gboolean
spark_git_diff_file_get_binary (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), FALSE);

  return self->binary;
}

guint
spark_git_diff_file_get_additions (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), 0);

  return self->additions;
}

guint
spark_git_diff_file_get_deletions (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), 0);

  return self->deletions;
}

SparkGitStageState
spark_git_diff_file_get_stage_state (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), SPARK_GIT_STAGE_UNSTAGED);

  return self->state;
}

guint
spark_git_diff_file_get_n_hunks (SparkGitDiffFile *self)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), 0);

  return self->hunks->len;
}

/**
 * spark_git_diff_file_get_hunk:
 *
 * Returns: (transfer none): the hunk at @index
 */
SparkGitDiffHunk *
spark_git_diff_file_get_hunk (SparkGitDiffFile *self,
                              guint             index)
{
  g_return_val_if_fail (SPARK_IS_GIT_DIFF_FILE (self), NULL);
  g_return_val_if_fail (index < self->hunks->len, NULL);

  return g_ptr_array_index (self->hunks, index);
}

static gboolean
status_from_delta (git_delta_t             delta,
                   SparkGitDiffFileStatus *out)
{
  switch (delta)
    {
    case GIT_DELTA_ADDED:
    case GIT_DELTA_UNTRACKED:
    case GIT_DELTA_COPIED:
      *out = SPARK_GIT_DIFF_FILE_ADDED;
      return TRUE;
    case GIT_DELTA_MODIFIED:
    case GIT_DELTA_TYPECHANGE:
      *out = SPARK_GIT_DIFF_FILE_MODIFIED;
      return TRUE;
    case GIT_DELTA_DELETED:
      *out = SPARK_GIT_DIFF_FILE_DELETED;
      return TRUE;
    case GIT_DELTA_RENAMED:
      *out = SPARK_GIT_DIFF_FILE_RENAMED;
      return TRUE;
    case GIT_DELTA_CONFLICTED:
      *out = SPARK_GIT_DIFF_FILE_CONFLICTED;
      return TRUE;
    case GIT_DELTA_UNMODIFIED:
    case GIT_DELTA_IGNORED:
    case GIT_DELTA_UNREADABLE:
    default:
      return FALSE;
    }
}

SparkGitDiffFile *
spark_git_diff_file_new_from_patch (SparkGitDiffKind   kind,
                                    git_patch         *patch,
                                    GError           **error)
{
  g_autoptr(SparkGitDiffFile) self = NULL;
  const git_diff_delta *delta = git_patch_get_delta (patch);
  SparkGitDiffFileStatus status;
  size_t context = 0;
  size_t additions = 0;
  size_t deletions = 0;
  gsize n_hunks;

  if (!status_from_delta (delta->status, &status))
    return NULL;

  self = g_object_new (SPARK_TYPE_GIT_DIFF_FILE, NULL);
  self->kind = kind;
  self->status = status;
  self->path = g_strdup (delta->new_file.path ? delta->new_file.path : delta->old_file.path);
  self->old_path = g_strdup (delta->old_file.path ? delta->old_file.path : self->path);
  self->binary = (delta->flags & GIT_DIFF_FLAG_BINARY) != 0;
  self->state = kind == SPARK_GIT_DIFF_STAGED ? SPARK_GIT_STAGE_STAGED : SPARK_GIT_STAGE_UNSTAGED;

  if (git_patch_line_stats (&context, &additions, &deletions, patch) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not count the changed lines: %s"),
                   git_detail ());
      git_error_clear ();
      return NULL;
    }
  self->additions = additions;
  self->deletions = deletions;

  n_hunks = git_patch_num_hunks (patch);
  for (gsize i = 0; i < n_hunks; i++)
    {
      SparkGitDiffHunk *hunk = spark_git_diff_hunk_new_from_patch (patch, i);

      if (hunk == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("Could not read the changes of “%s”"), self->path);
          return NULL;
        }
      hunk->state = self->state;
      g_ptr_array_add (self->hunks, hunk);
    }

  return g_steal_pointer (&self);
}
