/* spark-transaction.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-transaction"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-audience.h"
#include "spark-file-util.h"
#include "spark-patch-match.h"
#include "spark-patch-private.h"
#include "spark-prepared-write.h"
#include "spark-transaction.h"

typedef enum
{
  ACTION_WRITE,
  ACTION_DELETE,
} ActionKind;

typedef struct
{
  ActionKind  kind;
  char       *abs_path;
  char       *contents;
  gsize       length;
  guint       mode;          /* for a write: the mode to set, 0 = keep/default */

  /* Filled while running, for the rollback. */
  gboolean    done;
  gboolean    existed;
  GBytes     *backup;
  guint       backup_mode;
  char       *backup_link;   /* a deleted symbolic link's target */
  GPtrArray  *created_dirs;  /* deepest last */
  SparkPreparedWrite *prepared;  /* the new contents, on disk beside the file */
} Action;

struct _SparkTransaction
{
  GObject          parent_instance;

  SparkWorkspace  *workspace;
  SparkChangeset  *changeset;
  GPtrArray       *actions;
  GString         *notes;         /* for the model: "Applied 3 of 4 hunks …" lines */
  GString         *person_notes;  /* the same facts for the person, translated */
  GString         *summary;       /* "A path" lines */
  char            *result_text;   /* for the model, always English */
  char            *report;        /* for the person */
  SparkCheckpoint *checkpoint;
  GPtrArray       *merged;     /* MergedFile: texts to hand back on success */
  guint            n_merge_conflicts;

  guint            inject_failure;
  guint            n_performed;
  gboolean         do_checkpoint;
  gboolean         ran;
  SparkAudience    audience;    /* of the caller of run_async, for the worker's errors */
};

typedef struct
{
  SparkFileChange *file;
  char            *text;
} MergedFile;

G_DEFINE_FINAL_TYPE (SparkTransaction, spark_transaction, G_TYPE_OBJECT)

static void
merged_file_free (gpointer data)
{
  MergedFile *m = data;

  g_object_unref (m->file);
  g_free (m->text);
  g_free (m);
}

static void
action_free (gpointer data)
{
  Action *a = data;

  g_free (a->abs_path);
  g_free (a->contents);
  g_clear_pointer (&a->backup, g_bytes_unref);
  g_free (a->backup_link);
  g_clear_pointer (&a->created_dirs, g_ptr_array_unref);
  g_clear_pointer (&a->prepared, spark_prepared_write_free);
  g_free (a);
}

static void
spark_transaction_finalize (GObject *object)
{
  SparkTransaction *self = (SparkTransaction *)object;

  g_clear_object (&self->workspace);
  g_clear_object (&self->changeset);
  g_clear_pointer (&self->actions, g_ptr_array_unref);
  g_string_free (self->notes, TRUE);
  g_string_free (self->person_notes, TRUE);
  g_string_free (self->summary, TRUE);
  g_clear_pointer (&self->result_text, g_free);
  g_clear_pointer (&self->report, g_free);
  g_clear_pointer (&self->checkpoint, spark_checkpoint_free);
  g_clear_pointer (&self->merged, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_transaction_parent_class)->finalize (object);
}

static void
spark_transaction_class_init (SparkTransactionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_transaction_finalize;
}

static void
spark_transaction_init (SparkTransaction *self)
{
  self->actions = g_ptr_array_new_with_free_func (action_free);
  self->notes = g_string_new (NULL);
  self->person_notes = g_string_new (NULL);
  self->summary = g_string_new (NULL);
  self->merged = g_ptr_array_new_with_free_func (merged_file_free);
  self->do_checkpoint = TRUE;
}

SparkTransaction *
spark_transaction_new (SparkWorkspace *workspace,
                       SparkChangeset *changeset)
{
  SparkTransaction *self;

  g_return_val_if_fail (SPARK_IS_WORKSPACE (workspace), NULL);
  g_return_val_if_fail (SPARK_IS_CHANGESET (changeset), NULL);

  self = g_object_new (SPARK_TYPE_TRANSACTION, NULL);
  self->workspace = g_object_ref (workspace);
  self->changeset = g_object_ref (changeset);

  return self;
}

void
spark_transaction_set_checkpoint (SparkTransaction *self,
                                  gboolean          checkpoint)
{
  g_return_if_fail (SPARK_IS_TRANSACTION (self));
  self->do_checkpoint = !!checkpoint;
}

void
spark_transaction_inject_failure (SparkTransaction *self,
                                  guint             nth)
{
  g_return_if_fail (SPARK_IS_TRANSACTION (self));
  self->inject_failure = nth;
}

const char *
spark_transaction_get_result_text (SparkTransaction *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSACTION (self), NULL);
  return self->result_text;
}

const char *
spark_transaction_get_report (SparkTransaction *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSACTION (self), NULL);
  return self->report;
}

/**
 * spark_transaction_get_checkpoint:
 *
 * Returns: (transfer none) (nullable): the checkpoint taken before writing
 */
SparkCheckpoint *
spark_transaction_get_checkpoint (SparkTransaction *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSACTION (self), NULL);
  return self->checkpoint;
}

/* ---- planning (reads the changeset; main thread) ---------------------- */

static void
add_action (SparkTransaction *self,
            ActionKind        kind,
            const char       *abs_path,
            char             *contents,
            gsize             length,
            guint             mode)
{
  Action *a = g_new0 (Action, 1);

  a->kind = kind;
  a->abs_path = g_strdup (abs_path);
  a->contents = contents;
  a->length = length;
  a->mode = mode;
  g_ptr_array_add (self->actions, a);
}

/* The model's text is English and never translated (see spark-audience.h):
 * it is what the tool outputs of the reference client look like. */
static char *
model_hunk_label (SparkHunk *hunk)
{
  const char * const *anchors = spark_hunk_get_anchors (hunk);

  if (anchors[0] != NULL)
    return g_strdup_printf ("hunk %u (@@ %s)", spark_hunk_get_index (hunk) + 1,
                            anchors[g_strv_length ((char **) anchors) - 1]);
  return g_strdup_printf ("hunk %u", spark_hunk_get_index (hunk) + 1);
}

static char *
first_line (const char *text)
{
  const char *nl = strchr (text, '\n');

  return nl ? g_strndup (text, nl - text) : g_strdup (text);
}

/* Tells the model what was not applied in @file. */
static void
note_file_for_model (SparkTransaction *self,
                     SparkFileChange  *file,
                     guint             applied)
{
  const char *path = spark_file_change_get_path (file);
  guint n = spark_file_change_get_n_hunks (file);
  g_autoptr(GString) why = g_string_new (NULL);
  g_autoptr(GString) edits = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      SparkHunk *hunk = spark_file_change_get_hunk (file, i);
      SparkHunkState state = spark_hunk_get_state (hunk);
      g_autofree char *label = model_hunk_label (hunk);
      g_autofree char *first = NULL;

      if (state == SPARK_HUNK_ACCEPTED)
        continue;

      if (state == SPARK_HUNK_EDITED)
        {
          /* The model must know what the file holds now, not what it wrote. */
          g_autofree char *text = g_strjoinv ("\n", (char **) spark_hunk_get_effective_lines (hunk));

          g_string_append_printf (why, "; applied %s as the reviewer edited it", label);
          g_string_append_printf (edits, "The reviewer's text for %s of %s:\n", label, path);
          g_string_append_printf (edits, "```\n%s\n```\n", text);
          continue;
        }

      if (state == SPARK_HUNK_CONFLICT)
        {
          first = first_line (spark_hunk_get_conflict_message (hunk));
          g_string_append_printf (why, "; rejected %s because it could not be placed (%s)",
                                  label, first);
        }
      else if (state == SPARK_HUNK_REJECTED && spark_hunk_get_reject_reason (hunk) != NULL)
        g_string_append_printf (why, "; rejected %s because the reviewer rejected it: “%s”",
                                label, spark_hunk_get_reject_reason (hunk));
      else if (state == SPARK_HUNK_REJECTED)
        g_string_append_printf (why, "; rejected %s because the reviewer rejected it", label);
      else
        g_string_append_printf (why, "; skipped %s because it was not reviewed", label);
    }

  g_string_append_printf (self->notes, "Applied %u of %u hunks to %s%s.\n",
                          applied, n, path, why->str);
  g_string_append (self->notes, edits->str);
}

/* The same facts for the person, in their language: one sentence a line. */
static void
note_file_for_person (SparkTransaction *self,
                      SparkFileChange  *file,
                      guint             applied)
{
  GString *out = self->person_notes;
  const char *path = spark_file_change_get_path (file);
  guint n = spark_file_change_get_n_hunks (file);

  /* Translators: "Applied 3 of 4 hunks to src/main.c."; the plural
   * follows the second number, the hunks the file has */
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE,
                                            "Applied %u of %u hunk to %s.",
                                            "Applied %u of %u hunks to %s.", n),
                          applied, n, path);
  g_string_append_c (out, '\n');

  for (guint i = 0; i < n; i++)
    {
      SparkHunk *hunk = spark_file_change_get_hunk (file, i);
      SparkHunkState state = spark_hunk_get_state (hunk);
      guint number = spark_hunk_get_index (hunk) + 1;

      switch (state)
        {
        case SPARK_HUNK_ACCEPTED:
          continue;

        case SPARK_HUNK_EDITED:
          g_string_append_printf (out, _("Hunk %u was applied as you edited it."), number);
          break;

        case SPARK_HUNK_CONFLICT:
          {
            g_autofree char *first = first_line (spark_hunk_get_conflict_message (hunk));

            /* Translators: %u is a hunk number, %s why it could not be placed */
            g_string_append_printf (out, _("Hunk %u was not applied: it could not be placed (%s)."),
                                    number, first);
          }
          break;

        case SPARK_HUNK_REJECTED:
          if (spark_hunk_get_reject_reason (hunk) != NULL)
            /* Translators: %u is a hunk number, %s the reviewer's own words */
            g_string_append_printf (out, _("Hunk %u was rejected: “%s”."),
                                    number, spark_hunk_get_reject_reason (hunk));
          else
            g_string_append_printf (out, _("Hunk %u was rejected."), number);
          break;

        case SPARK_HUNK_PENDING:
        default:
          g_string_append_printf (out, _("Hunk %u was skipped because it was not reviewed."), number);
          break;
        }
      g_string_append_c (out, '\n');
    }
}

/* Notes what was not applied in @file, for the model and for the person. */
static void
note_file (SparkTransaction *self,
           SparkFileChange  *file,
           guint             applied)
{
  if (applied == spark_file_change_get_n_hunks (file) &&
      spark_file_change_count_state (file, SPARK_HUNK_EDITED) == 0)
    return;

  spark_audience_push (SPARK_AUDIENCE_MODEL);
  note_file_for_model (self, file, applied);
  spark_audience_pop ();

  spark_audience_push (SPARK_AUDIENCE_PERSON);
  note_file_for_person (self, file, applied);
  spark_audience_pop ();
}

/* The notes for whoever reads the error being made. */
static const char *
current_notes (SparkTransaction *self)
{
  return spark_audience_get () == SPARK_AUDIENCE_MODEL ? self->notes->str
                                                       : self->person_notes->str;
}

static gboolean
still_same (SparkFileChange          *file,
            const SparkFileOriginal  *o,
            GError                  **error)
{
  g_autofree char *raw = NULL;
  gsize len = 0;
  gsize orig_len = 0;
  const char *orig = o->raw ? g_bytes_get_data (o->raw, &orig_len) : NULL;

  if (orig == NULL || !g_file_get_contents (o->abs_path, &raw, &len, NULL) ||
      len != orig_len || memcmp (raw, orig, len) != 0)
    {
      g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                   _("%s changed on disk after the patch was read; not overwriting it"),
                   spark_file_change_get_path (file));
      return FALSE;
    }
  return TRUE;
}

static gboolean
equal_but_cr (const char *original,
              const char *line)
{
  gsize lo = strlen (original);
  gsize ll = strlen (line);

  if (lo == ll)
    return memcmp (original, line, ll) == 0;
  return lo == ll + 1 && original[ll] == '\r' && memcmp (original, line, ll) == 0;
}

/* In a file that mixes CRLF and LF lines, the lines of the replaced range
 * that come back unchanged (context) keep their own ending: each new line is
 * paired, in order, with the next original line equal to it but for a CR. */
static const char * const *
keep_line_endings (const SparkFileOriginal *o,
                   const SparkReplacement  *rep,
                   GPtrArray               *keep)
{
  GPtrArray *out = g_ptr_array_sized_new (rep->n_new + 1);
  guint next = rep->start;
  guint end = rep->start + rep->length;

  for (guint i = 0; i < rep->n_new; i++)
    {
      const char *use = rep->new_lines[i];

      for (guint k = next; k < end && k < o->n_lines; k++)
        {
          if (equal_but_cr (o->lines[k], rep->new_lines[i]))
            {
              use = o->lines[k];
              next = k + 1;
              break;
            }
        }
      g_ptr_array_add (out, (gpointer) use);
    }
  g_ptr_array_add (out, NULL);
  g_ptr_array_add (keep, out);

  return (const char * const *) out->pdata;
}

/* What the file holds now: the unsaved editor text given to the changeset,
 * else the bytes on disk; NULL when it cannot be read. */
static GBytes *
current_bytes (SparkTransaction        *self,
               SparkFileChange         *file,
               const SparkFileOriginal *o)
{
  GBytes *current = _spark_changeset_get_current_text (self->changeset, file);
  char *raw = NULL;
  gsize len = 0;

  if (current != NULL)
    return g_bytes_ref (current);
  if (!g_file_get_contents (o->abs_path, &raw, &len, NULL))
    return NULL;
  return g_bytes_new_take (raw, len);
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strndup (data ? data : "", len);
}

static void
append_region (GString    *out,
               const char *text)
{
  g_string_append (out, "```\n");
  g_string_append (out, text);
  if (text[0] != '\0' && !g_str_has_suffix (text, "\n"))
    g_string_append_c (out, '\n');
  g_string_append (out, "```\n");
}

/* Writes @contents for @file (to the destination of a move). */
static void
add_file_write (SparkTransaction        *self,
                SparkFileChange         *file,
                const SparkFileOriginal *o,
                char                    *contents,
                gsize                    length)
{
  const char *path = spark_file_change_get_path (file);

  if (spark_file_change_get_kind (file) == SPARK_FILE_CHANGE_MOVE &&
      strcmp (o->abs_path, o->abs_move_path) != 0)
    {
      add_action (self, ACTION_WRITE, o->abs_move_path, contents, length, o->mode);
      add_action (self, ACTION_DELETE, o->abs_path, NULL, 0, 0);
      g_string_append_printf (self->summary, "M %s\n", spark_file_change_get_move_path (file));
    }
  else
    {
      add_action (self, ACTION_WRITE, o->abs_path, contents, length, 0);
      g_string_append_printf (self->summary, "M %s\n", path);
    }
}

static void
remember_merged (SparkTransaction *self,
                 SparkFileChange  *file,
                 const char       *text)
{
  MergedFile *m = g_new0 (MergedFile, 1);

  m->file = g_object_ref (file);
  m->text = g_strdup (text);
  g_ptr_array_add (self->merged, m);
}

/* The file changed since the model read it: merge base (what it read),
 * ours (@current) and theirs (@proposed). A clean merge is written; a
 * conflict leaves the file alone and adds merge-conflict hunks to it. */
static gboolean
plan_merge (SparkTransaction         *self,
            SparkFileChange          *file,
            const SparkFileOriginal  *o,
            GBytes                   *current,
            const char               *proposed,
            guint                     applied,
            GError                  **error)
{
  const char *path = spark_file_change_get_path (file);
  g_autoptr(SparkMergeResult) result = NULL;
  g_autoptr(GError) merge_error = NULL;
  g_autofree char *base = bytes_to_string (o->raw);
  g_autofree char *ours = bytes_to_string (current);
  guint n;

  /* Translators: the names of the three sides of a merge (the text the
   * model read, the person's text now, the model's proposal), shown as
   * names in quotes */
  result = spark_merge_three_way_full (base, ours, proposed,
                                       _("what the model read"), _("yours"), _("proposed"),
                                       &merge_error);
  if (result == NULL)
    {
      g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                   _("%s changed after the patch was read and cannot be merged (%s); "
                     "not overwriting it"),
                   path, merge_error->message);
      return FALSE;
    }

  if (!spark_merge_result_has_conflicts (result))
    {
      const char *text = spark_merge_result_get_text (result);

      note_file (self, file, applied);
      g_string_append_printf (self->notes,
                              "Merged with the person's concurrent edits to %s: they changed it "
                              "after you read it, on other lines, and both changes were kept. "
                              "Read the file again before changing it further.\n",
                              path);
      /* Translators: %s is a file path */
      g_string_append_printf (self->person_notes,
                              _("Merged the proposal with your changes to %s, which were on "
                                "other lines: both were kept."),
                              path);
      g_string_append_c (self->person_notes, '\n');
      add_file_write (self, file, o, g_strdup (text), strlen (text));
      remember_merged (self, file, text);
      return TRUE;
    }

  _spark_file_change_add_merge_conflicts (file, result, current);
  n = spark_merge_result_get_n_conflicts (result);
  self->n_merge_conflicts += n;

  g_string_append_printf (self->notes,
                          "Did not apply your changes to %s because the person changed the same "
                          "lines after you read it. The file was left as the person has it; "
                          "they will resolve the conflict in the review.\n",
                          path);
  for (guint i = 0; i < n; i++)
    {
      const SparkMergeConflict *c = spark_merge_result_get_conflict (result, i);

      g_string_append_printf (self->notes,
                              "Conflict %u, at line %u of %s now. The person's lines:\n",
                              i + 1, c->ours_line + 1, path);
      append_region (self->notes, c->ours);
      g_string_append (self->notes, "Your lines:\n");
      append_region (self->notes, c->theirs);
    }

  /* Translators: %s is a file path; the number is how many places conflict */
  g_string_append_printf (self->person_notes,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "Did not change %s: you changed it in %u place the proposal "
                                       "changes too. Choose what to keep in the review.",
                                       "Did not change %s: you changed it in %u places the proposal "
                                       "changes too. Choose what to keep in the review.", n),
                          path, n);
  g_string_append_c (self->person_notes, '\n');

  return TRUE;
}

/* For the model only: English. */
static const char *
choice_words (SparkMergeChoiceKind kind)
{
  switch (kind)
    {
    case SPARK_MERGE_CHOOSE_OURS:
      return "the person kept their lines";
    case SPARK_MERGE_CHOOSE_THEIRS:
      return "the person took your lines";
    case SPARK_MERGE_CHOOSE_BOTH:
      return "the person kept both, theirs first";
    case SPARK_MERGE_CHOOSE_BASE:
      return "the person dropped both changes";
    case SPARK_MERGE_CHOOSE_CUSTOM:
    default:
      return "the person wrote their own text";
    }
}

/* A merge of @file was left in conflict by an earlier apply: write its
 * resolution once every conflict hunk is resolved, onto the bytes merged. */
static gboolean
plan_resolution (SparkTransaction         *self,
                 SparkFileChange          *file,
                 const SparkFileOriginal  *o,
                 SparkMergeResult         *merge,
                 GBytes                   *merged_ours)
{
  const char *path = spark_file_change_get_path (file);
  guint n_conflicts = spark_merge_result_get_n_conflicts (merge);
  g_autofree SparkMergeChoice *choices = g_new0 (SparkMergeChoice, MAX (n_conflicts, 1));
  g_autoptr(GString) how = g_string_new (NULL);
  g_autoptr(GBytes) current = NULL;
  g_autofree char *text = NULL;
  guint unresolved = 0;

  for (guint i = 0; i < spark_file_change_get_n_hunks (file); i++)
    {
      SparkHunk *hunk = spark_file_change_get_hunk (file, i);
      SparkMergeChoiceKind kind;
      guint k;

      if (!spark_hunk_is_merge_conflict (hunk))
        continue;

      k = _spark_hunk_get_merge_index (hunk);
      if (k >= n_conflicts)
        continue;
      if (!spark_hunk_get_merge_choice (hunk, &kind))
        {
          unresolved++;
          continue;
        }
      choices[k].kind = kind;
      choices[k].text = _spark_hunk_get_merge_custom (hunk);
      g_string_append_printf (how, "Conflict %u: %s", k + 1, choice_words (kind));
      if (kind == SPARK_MERGE_CHOOSE_CUSTOM)
        {
          g_string_append (how, ":\n");
          append_region (how, choices[k].text ? choices[k].text : "");
        }
      else
        g_string_append (how, ".\n");
    }

  if (unresolved > 0)
    {
      g_string_append_printf (self->notes,
                              "Did not apply your changes to %s: %u of its conflicts with the "
                              "person's edits are not resolved yet.\n",
                              path, unresolved);
      /* Translators: %s is a file path, the number how many conflicts are left */
      g_string_append_printf (self->person_notes,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "Did not change %s: %u conflict is not resolved yet.",
                                           "Did not change %s: %u conflicts are not resolved yet.",
                                           unresolved),
                              path, unresolved);
      g_string_append_c (self->person_notes, '\n');
      self->n_merge_conflicts += unresolved;
      return TRUE;
    }

  current = current_bytes (self, file, o);
  if (current == NULL || !g_bytes_equal (current, merged_ours))
    {
      g_string_append_printf (self->notes,
                              "Did not apply your changes to %s: the person changed it again "
                              "after the conflict was shown, so the resolution was not written.\n",
                              path);
      /* Translators: %s is a file path */
      g_string_append_printf (self->person_notes,
                              _("Did not change %s: it changed again after the conflicts were "
                                "shown, so your resolution was not written."),
                              path);
      g_string_append_c (self->person_notes, '\n');
      self->n_merge_conflicts++;
      return TRUE;
    }

  text = spark_merge_result_resolve (merge, choices, n_conflicts);
  g_string_append_printf (self->notes,
                          "Merged with the person's concurrent edits to %s, as the person "
                          "resolved the conflicts. Read the file again before changing it further.\n",
                          path);
  g_string_append (self->notes, how->str);
  /* Translators: %s is a file path */
  g_string_append_printf (self->person_notes,
                          _("Merged the proposal with your changes to %s as you resolved the "
                            "conflicts."),
                          path);
  g_string_append_c (self->person_notes, '\n');
  add_file_write (self, file, o, g_strdup (text), strlen (text));
  remember_merged (self, file, text);

  return TRUE;
}

static gboolean
plan_file (SparkTransaction  *self,
           SparkFileChange   *file,
           GError           **error)
{
  const SparkFileOriginal *o = _spark_file_change_get_original (file);
  SparkFileChangeKind kind = spark_file_change_get_kind (file);
  const char *path = spark_file_change_get_path (file);
  guint n = spark_file_change_get_n_hunks (file);
  guint applied = 0;

  if (!spark_file_change_is_accepted (file))
    {
      note_file (self, file, 0);
      return TRUE;
    }

  if (o == NULL || spark_file_change_get_error (file) != NULL)
    {
      const GError *ferror = spark_file_change_get_error (file);

      g_set_error_literal (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                           ferror ? ferror->message : _("The file was never read"));
      return FALSE;
    }

  switch (kind)
    {
    case SPARK_FILE_CHANGE_ADD:
      {
        SparkHunk *hunk = spark_file_change_get_hunk (file, 0);
        const char * const *lines = spark_hunk_get_effective_lines (hunk);
        GString *text = g_string_new (NULL);

        for (guint i = 0; lines[i]; i++)
          {
            g_string_append (text, lines[i]);
            g_string_append_c (text, '\n');
          }
        applied = 1;
        add_action (self, ACTION_WRITE, o->abs_path, text->str, text->len, 0);
        g_string_free (text, FALSE);
        g_string_append_printf (self->summary, "A %s\n", path);
      }
      break;

    case SPARK_FILE_CHANGE_DELETE:
      if (o->text != NULL && !still_same (file, o, error))
        return FALSE;
      applied = 1;
      add_action (self, ACTION_DELETE, o->abs_path, NULL, 0, 0);
      g_string_append_printf (self->summary, "D %s\n", path);
      break;

    case SPARK_FILE_CHANGE_UPDATE:
    case SPARK_FILE_CHANGE_MOVE:
      {
        g_autoptr(GArray) reps = g_array_new (FALSE, TRUE, sizeof (SparkReplacement));
        g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
        g_autoptr(GBytes) current = NULL;
        g_autofree char *lf = NULL;
        SparkMergeResult *merge;
        GBytes *merged_ours = NULL;
        char *out;
        gsize lf_len, out_len;

        merge = _spark_file_change_get_merge (file, &merged_ours);
        if (merge != NULL)
          return plan_resolution (self, file, o, merge, merged_ours);

        current = current_bytes (self, file, o);
        if (current == NULL || o->raw == NULL)
          {
            g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                         _("%s changed on disk after the patch was read; not overwriting it"),
                         path);
            return FALSE;
          }

        for (guint i = 0; i < n; i++)
          {
            SparkHunk *hunk = spark_file_change_get_hunk (file, i);
            SparkHunkState state = spark_hunk_get_state (hunk);
            SparkReplacement rep;
            const char * const *lines;

            if (state != SPARK_HUNK_ACCEPTED && state != SPARK_HUNK_EDITED)
              continue;

            lines = spark_hunk_get_effective_lines (hunk);
            rep.start = _spark_hunk_get_start (hunk);
            rep.length = spark_hunk_get_line_count (hunk);
            rep.new_lines = lines;
            rep.n_new = g_strv_length ((char **) lines);
            if (state == SPARK_HUNK_ACCEPTED)
              rep.n_new -= MIN (rep.n_new, _spark_hunk_get_new_drop (hunk));
            if (o->mixed)
              rep.new_lines = keep_line_endings (o, &rep, keep);
            g_array_append_val (reps, rep);
            applied++;
          }

        lf = spark_patch_apply_replacements ((const char * const *) o->lines, o->n_lines,
                                             (SparkReplacement *) (void *) reps->data, reps->len,
                                             &lf_len);
        out = spark_text_convert_newlines (lf, lf_len, o->newline, &out_len);
        if (o->bom)
          {
            char *with_bom = g_malloc (out_len + 4);

            memcpy (with_bom, "\xEF\xBB\xBF", 3);
            memcpy (with_bom + 3, out, out_len + 1);
            g_free (out);
            out = with_bom;
            out_len += 3;
          }

        if (!g_bytes_equal (current, o->raw))
          {
            gboolean ok = plan_merge (self, file, o, current, out, applied, error);

            g_free (out);
            return ok;
          }

        add_file_write (self, file, o, out, out_len);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  note_file (self, file, applied);

  return TRUE;
}

static gboolean
plan (SparkTransaction  *self,
      GError           **error)
{
  guint n = spark_changeset_get_n_files (self->changeset);

  for (guint i = 0; i < n; i++)
    {
      if (!plan_file (self, spark_changeset_get_file (self->changeset, i), error))
        return FALSE;
    }

  if (self->actions->len == 0 && self->n_merge_conflicts > 0)
    {
      /* Translators: the %s is one or more lines of notes that follow */
      g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_CONFLICT,
                   _("Nothing was changed.\n%s"), current_notes (self));
      return FALSE;
    }

  if (self->actions->len == 0)
    {
      const char *notes = current_notes (self);

      if (notes[0] != '\0')
        /* Translators: the %s is one or more lines of notes that follow */
        g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOTHING_ACCEPTED,
                     _("No hunk was accepted, so nothing was changed.\n%s"), notes);
      else
        g_set_error_literal (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOTHING_ACCEPTED,
                             _("No hunk was accepted, so nothing was changed."));
      return FALSE;
    }

  return TRUE;
}

/* ---- running (files only; may run in a worker thread) ------------------ */

typedef enum
{
  IO_RESTORE_LINK,
} IoStep;

static gboolean
io_error (GError     **error,
          int          errsv,
          IoStep       step,
          const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);
  const char *reason = spark_audience_strerror (errsv);
  GIOErrorEnum code = g_io_error_from_errno (errsv);

  /* Translators: in these, the first %s is a path, the second why it failed */
  switch (step)
    {
    case IO_RESTORE_LINK:
    default:
      g_set_error (error, G_IO_ERROR, code, _("Could not restore the link “%s”: %s"), display, reason);
      break;
    }
  return FALSE;
}

/* Creates the missing parents of @path, remembering them for the rollback;
 * never outside the project, whatever links appeared since the plan. */
static gboolean
make_parents (SparkTransaction  *self,
              Action            *a,
              GError           **error)
{
  a->created_dirs = g_ptr_array_new_with_free_func (g_free);

  return spark_file_make_parents_in (spark_workspace_get_root (self->workspace), a->abs_path,
                                     a->created_dirs, error);
}

static gboolean
perform (SparkTransaction  *self,
         Action            *a,
         GError           **error)
{
  const char *root = spark_workspace_get_root (self->workspace);
  GStatBuf st;

  /* Keep what is there now, to put it back on failure. */
  if (g_lstat (a->abs_path, &st) == 0)
    {
      char *data = NULL;
      gsize len = 0;

      if (S_ISLNK (st.st_mode) && a->kind == ACTION_DELETE)
        {
          /* Deleting a link removes the link, not what it points to. */
          a->backup_link = g_file_read_link (a->abs_path, error);
          if (a->backup_link == NULL)
            return FALSE;
          a->existed = TRUE;
        }
      else if (!S_ISREG (st.st_mode) && !(S_ISLNK (st.st_mode) && a->kind == ACTION_WRITE))
        {
          g_autofree char *display = g_filename_display_name (a->abs_path);

          g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_NOT_A_FILE,
                       _("“%s” is not a regular file"), display);
          return FALSE;
        }

      else
        {
          if (!g_file_get_contents (a->abs_path, &data, &len, error))
            return FALSE;
          a->existed = TRUE;
          a->backup = g_bytes_new_take (data, len);
          a->backup_mode = st.st_mode & 07777;
          if (S_ISLNK (st.st_mode) && g_stat (a->abs_path, &st) == 0)
            a->backup_mode = st.st_mode & 07777;
        }
    }
  else if (a->kind == ACTION_DELETE)
    {
      g_autofree char *display = g_filename_display_name (a->abs_path);

      g_set_error (error, SPARK_PATCH_ERROR, SPARK_PATCH_ERROR_MISSING_FILE,
                   _("Cannot delete “%s”: the file does not exist"), display);
      return FALSE;
    }

  self->n_performed++;
  spark_file_crash_point ();
  if (self->inject_failure != 0 && self->n_performed == self->inject_failure)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Injected failure at write %u"), self->n_performed);
      return FALSE;
    }

  if (a->kind == ACTION_DELETE)
    {
      if (!spark_file_delete_in (root, a->abs_path, error))
        return FALSE;
      a->done = TRUE;
      return TRUE;
    }

  if (a->prepared != NULL)
    {
      /* Written and flushed already (prepare_writes): only the rename is left. */
      if (!spark_prepared_write_commit (a->prepared, error))
        return FALSE;
      g_clear_pointer (&a->prepared, spark_prepared_write_free);
    }
  else
    {
      if (!make_parents (self, a, error))
        return FALSE;

      /* Folders are synced once each when every write is done (sync_folders). */
      if (!spark_file_write_atomic_in (root, a->abs_path, a->contents, a->length, a->mode,
                                       SPARK_WRITE_NO_DIRECTORY_SYNC, error))
        return FALSE;
    }
  a->done = TRUE;

  return TRUE;
}

static gboolean
undo_action (SparkTransaction  *self,
             Action            *a,
             GError           **error)
{
  const char *root = spark_workspace_get_root (self->workspace);

  if (a->done)
    {
      if (a->backup_link != NULL)
        {
          if (symlink (a->backup_link, a->abs_path) != 0)
            return io_error (error, errno, IO_RESTORE_LINK, a->abs_path);
        }
      else if (a->existed)
        {
          gsize len;
          const char *data = g_bytes_get_data (a->backup, &len);

          if (!spark_file_write_atomic_in (root, a->abs_path, data ? data : "", len,
                                           a->backup_mode, SPARK_WRITE_DEFAULT, error))
            return FALSE;
        }
      else if (g_file_test (a->abs_path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK) &&
               !spark_file_delete_in (root, a->abs_path, error))
        return FALSE;
    }

  for (guint i = a->created_dirs ? a->created_dirs->len : 0; i > 0; i--)
    g_rmdir (g_ptr_array_index (a->created_dirs, i - 1));

  return TRUE;
}

/* How many prepared writes are flushed together. */
#define FLUSH_BATCH 64

/* A write whose file is a regular one, or is new in a folder that exists,
 * is prepared ahead; links and files in folders still to be made (perhaps
 * by this transaction) are written in perform(), as they come. */
static gboolean
can_prepare (Action *a)
{
  GStatBuf st;
  g_autofree char *dir = NULL;

  if (g_lstat (a->abs_path, &st) == 0)
    return S_ISREG (st.st_mode);
  if (errno != ENOENT)
    return FALSE;

  dir = g_path_get_dirname (a->abs_path);
  return g_lstat (dir, &st) == 0 && S_ISDIR (st.st_mode);
}

/* The new contents go to temporary files beside their files first, and are
 * flushed to disk FLUSH_BATCH at a time: side by side, the fsyncs share the
 * file system's journal commits, where one after another each paid for its
 * own, most of the time of a large apply. perform() then renames them in
 * place one by one, as before, so a failure part way still puts back what
 * was replaced. Nothing is changed when this fails. */
static gboolean
prepare_writes (SparkTransaction  *self,
                GError           **error)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();

  for (guint i = 0; i < self->actions->len; i++)
    {
      Action *a = g_ptr_array_index (self->actions, i);

      if (a->kind == ACTION_WRITE && can_prepare (a))
        {
          a->prepared = spark_prepared_write_new_in (spark_workspace_get_root (self->workspace),
                                                    a->abs_path, a->contents, a->length,
                                                    a->mode, error);
          if (a->prepared == NULL)
            return FALSE;
          g_ptr_array_add (batch, a->prepared);
        }

      if (batch->len == FLUSH_BATCH || (i + 1 == self->actions->len && batch->len > 0))
        {
          if (!spark_prepared_write_flush ((SparkPreparedWrite **) batch->pdata, batch->len, error))
            return FALSE;
          g_ptr_array_set_size (batch, 0);
        }
    }

  return TRUE;
}

/* Removes the temporary files of writes that were not renamed in place. */
static void
drop_prepared (SparkTransaction *self)
{
  for (guint i = 0; i < self->actions->len; i++)
    {
      Action *a = g_ptr_array_index (self->actions, i);

      g_clear_pointer (&a->prepared, spark_prepared_write_free);
    }
}

/* Makes the renames, deletes and new folders durable: each folder once,
 * side by side. */
static void
sync_folders (SparkTransaction *self)
{
  g_autoptr(GHashTable) dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree const char **keys = NULL;
  guint n_keys = 0;

  for (guint i = 0; i < self->actions->len; i++)
    {
      Action *a = g_ptr_array_index (self->actions, i);

      g_hash_table_add (dirs, g_path_get_dirname (a->abs_path));
      for (guint d = 0; a->created_dirs && d < a->created_dirs->len; d++)
        g_hash_table_add (dirs, g_path_get_dirname (g_ptr_array_index (a->created_dirs, d)));
    }

  keys = (const char **) g_hash_table_get_keys_as_array (dirs, &n_keys);
  spark_file_sync_directories (keys, n_keys);
}

/* The folders the writes will create (root-relative, NULL-terminated): the
 * checkpoint notes them, so that restoring it after a crash between making
 * a folder and writing into it removes the empty folder too. */
static GPtrArray *
missing_folders (SparkTransaction *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *folders = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->actions->len; i++)
    {
      Action *a = g_ptr_array_index (self->actions, i);
      g_autofree char *dir = NULL;

      if (a->kind != ACTION_WRITE)
        continue;
      dir = g_path_get_dirname (a->abs_path);
      while (!g_file_test (dir, G_FILE_TEST_EXISTS) && !g_hash_table_contains (seen, dir))
        {
          char *parent = g_path_get_dirname (dir);
          const char *rel = spark_workspace_relative (self->workspace, dir);

          if (rel != dir && rel[0] != '\0')
            g_ptr_array_add (folders, g_strdup (rel));
          g_hash_table_add (seen, g_steal_pointer (&dir));
          dir = parent;
          if (strcmp (dir, "/") == 0)
            break;
        }
    }
  g_ptr_array_add (folders, NULL);

  return folders;
}

static gboolean
execute (SparkTransaction  *self,
         GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  guint i;

  if (self->do_checkpoint)
    {
      g_autoptr(SparkCheckpoints) checkpoints = spark_checkpoints_new (self->workspace, error);
      g_autoptr(GError) checkpoint_error = NULL;
      g_autofree char *summary = NULL;
      g_autofree char *files = g_strdup (self->summary->str);
      g_auto(GStrv) lines = NULL;
      g_autofree char *joined = NULL;
      g_autoptr(GPtrArray) new_folders = NULL;

      if (checkpoints == NULL)
        return FALSE;

      g_strstrip (files);
      lines = g_strsplit (files, "\n", -1);
      joined = g_strjoinv (", ", lines);
      summary = g_strdup_printf (_("Before applying a patch (%s)"), joined);
      new_folders = missing_folders (self);
      self->checkpoint = spark_checkpoints_create_full (checkpoints, summary,
                                                        (const char * const *) new_folders->pdata,
                                                        &checkpoint_error);
      if (self->checkpoint == NULL)
        {
          /* Translators: %s says why */
          g_set_error (error, checkpoint_error->domain, checkpoint_error->code,
                       _("Could not record a checkpoint, so nothing was changed: %s"),
                       checkpoint_error->message);
          return FALSE;
        }
    }

  if (!prepare_writes (self, &local_error))
    i = 0;
  else
    for (i = 0; i < self->actions->len; i++)
      {
        if (!perform (self, g_ptr_array_index (self->actions, i), &local_error))
          break;
      }
  drop_prepared (self);

  if (local_error == NULL)
    {
      sync_folders (self);
      return TRUE;
    }

  /* Put back everything, newest first. */
  {
    g_autoptr(GString) failed = g_string_new (NULL);

    for (guint j = MIN (i + 1, self->actions->len); j > 0; j--)
      {
        g_autoptr(GError) undo_error = NULL;

        if (!undo_action (self, g_ptr_array_index (self->actions, j - 1), &undo_error))
          g_string_append_printf (failed, "\n%s", undo_error->message);
      }

    if (failed->len > 0)
      g_set_error (error, local_error->domain, local_error->code,
                   _("%s\nRestoring the files failed too:%s\nCheckpoint %s has the tree as it was."),
                   local_error->message, failed->str,
                   self->checkpoint ? self->checkpoint->id : "?");
    else
      g_set_error (error, local_error->domain, local_error->code,
                   _("%s\nNo file was changed: every file already written was restored."),
                   local_error->message);
  }

  return FALSE;
}

static void
finish_result (SparkTransaction *self)
{
  g_autofree char *header = NULL;
  guint n_files = 0;

  for (const char *p = self->summary->str; *p != '\0'; p++)
    n_files += *p == '\n';

  for (guint i = 0; i < self->merged->len; i++)
    {
      MergedFile *m = g_ptr_array_index (self->merged, i);

      _spark_file_change_set_merged_text (m->file, m->text);
    }

  /* The reference client's words: what the model expects to read. */
  self->result_text = g_strdup_printf ("%sSuccess. Updated the following files:\n%s",
                                       self->notes->str, self->summary->str);

  /* The header ends in ':' before the "A path" lines, which is what
   * spark_git_summarize_for_message() looks for. */
  spark_audience_push (SPARK_AUDIENCE_PERSON);
  header = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Changed %u file:", "Changed %u files:",
                                         n_files),
                            n_files);
  spark_audience_pop ();
  self->report = g_strconcat (self->person_notes->str, header, "\n", self->summary->str, NULL);
}

gboolean
spark_transaction_run (SparkTransaction  *self,
                       GError           **error)
{
  g_return_val_if_fail (SPARK_IS_TRANSACTION (self), FALSE);
  g_return_val_if_fail (!self->ran, FALSE);

  self->ran = TRUE;

  if (!plan (self, error) || !execute (self, error))
    return FALSE;

  finish_result (self);
  return TRUE;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  SparkTransaction *self = source_object;
  GError *error = NULL;
  gboolean ok;

  spark_audience_push (self->audience);
  ok = execute (self, &error);
  spark_audience_pop ();

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
spark_transaction_run_async (SparkTransaction    *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (SPARK_IS_TRANSACTION (self));
  g_return_if_fail (!self->ran);

  self->ran = TRUE;
  self->audience = spark_audience_get ();
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_transaction_run_async);

  if (!plan (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_run_in_thread (task, run_thread);
}

gboolean
spark_transaction_run_finish (SparkTransaction  *self,
                              GAsyncResult      *result,
                              GError           **error)
{
  g_return_val_if_fail (SPARK_IS_TRANSACTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  finish_result (self);
  return TRUE;
}
