/* spark-hunk-row.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-hunk-row"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "spark-a11y.h"
#include "spark-diff-buffer.h"
#include "spark-hunk-row.h"
#include "spark-resources.h"

/* Above this many cells the line diff gives up on the longest common
 * subsequence and shows the middle of the hunk as removed then added. */
#define MAX_DIFF_CELLS (1000 * 1000)

/* Hunks up to this many lines show whole; longer ones scroll inside. */

struct _SparkHunkRow
{
  GtkWidget          parent_instance;

  SparkHunk         *hunk;
  SparkFileChange   *file;
  GtkSourceBuffer   *diff_buffer;
  GtkSourceBuffer   *edit_buffer;
  gulong             state_handler;
  gulong             n_hunks_handler;   /* "Hunk 2 of 3" counts the file's hunks */

  /* Template widgets */
  GtkButton         *accept_button;
  GtkBox            *actions_box;
  GtkBox            *card;
  GtkLabel          *conflict_label;
  GtkScrolledWindow *diff_scroller;
  GtkSourceView     *diff_view;
  GtkButton         *edit_button;
  AdwSplitButton    *reject_button;
  GtkPopover        *reject_popover;
  GtkStack          *stack;
  GtkLabel          *state_label;
  GtkLabel          *title_label;

  /* Built when first needed (spark-hunk-row-parts.ui), NULL until then */
  GtkBox            *merge_box;
  GtkLabel          *ours_label;
  GtkLabel          *theirs_label;
  GtkButton         *keep_both_button;
  GtkButton         *keep_mine_button;
  GtkButton         *take_proposed_button;
  GtkSourceView     *edit_view;
  GtkLabel          *edit_error_label;
  GtkButton         *cancel_edit_button;
  GtkButton         *save_edit_button;
  GtkEntry          *reason_entry;
};

G_DEFINE_FINAL_TYPE (SparkHunkRow, spark_hunk_row, GTK_TYPE_WIDGET)

enum {
  SIGNAL_ACCEPT,
  SIGNAL_REJECT,
  SIGNAL_EDIT,
  SIGNAL_SAVE_EDIT,
  SIGNAL_CANCEL_EDIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const state_classes[] = {
  "pending", "accepted", "rejected", "edited", "conflict",
};

/* Diff text ------------------------------------------------------------ */

static void
append_line (GString    *str,
             char        prefix,
             const char *line)
{
  g_string_append_c (str, prefix);
  g_string_append (str, line);
  g_string_append_c (str, '\n');
}

char *
spark_hunk_row_format_diff (SparkHunk *hunk,
                            guint     *n_added,
                            guint     *n_removed)
{
  const char * const *a;
  const char * const *b;
  g_autoptr(GString) str = NULL;
  guint n, m, pre = 0, post = 0, added = 0, removed = 0;
  guint rows, cols;

  g_return_val_if_fail (SPARK_IS_HUNK (hunk), NULL);

  a = spark_hunk_get_old_lines (hunk);
  b = spark_hunk_get_effective_lines (hunk);
  n = a ? g_strv_length ((char **) a) : 0;
  m = b ? g_strv_length ((char **) b) : 0;
  str = g_string_new (NULL);

  while (pre < n && pre < m && strcmp (a[pre], b[pre]) == 0)
    pre++;
  while (post < n - pre && post < m - pre && strcmp (a[n - 1 - post], b[m - 1 - post]) == 0)
    post++;

  for (guint i = 0; i < pre; i++)
    append_line (str, ' ', a[i]);

  rows = n - pre - post;
  cols = m - pre - post;

  if ((guint64) (rows + 1) * (cols + 1) <= MAX_DIFF_CELLS)
    {
      /* lcs[i][j]: longest common subsequence of a[pre+i..] and b[pre+j..]. */
      g_autofree guint *lcs = g_new0 (guint, (gsize) (rows + 1) * (cols + 1));
      guint i = 0, j = 0;

#define LCS(i, j) lcs[(gsize) (i) * (cols + 1) + (j)]
      for (guint ii = rows; ii-- > 0;)
        for (guint jj = cols; jj-- > 0;)
          {
            if (strcmp (a[pre + ii], b[pre + jj]) == 0)
              LCS (ii, jj) = LCS (ii + 1, jj + 1) + 1;
            else
              LCS (ii, jj) = MAX (LCS (ii + 1, jj), LCS (ii, jj + 1));
          }

      while (i < rows || j < cols)
        {
          if (i < rows && j < cols &&
              strcmp (a[pre + i], b[pre + j]) == 0 &&
              LCS (i, j) == LCS (i + 1, j + 1) + 1)
            {
              append_line (str, ' ', a[pre + i]);
              i++;
              j++;
            }
          else if (i < rows && (j == cols || LCS (i + 1, j) >= LCS (i, j + 1)))
            {
              append_line (str, '-', a[pre + i]);
              removed++;
              i++;
            }
          else
            {
              append_line (str, '+', b[pre + j]);
              added++;
              j++;
            }
        }
#undef LCS
    }
  else
    {
      for (guint i = 0; i < rows; i++)
        append_line (str, '-', a[pre + i]);
      for (guint j = 0; j < cols; j++)
        append_line (str, '+', b[pre + j]);
      removed += rows;
      added += cols;
    }

  for (guint i = n - post; i < n; i++)
    append_line (str, ' ', a[i]);

  if (n_added != NULL)
    *n_added = added;
  if (n_removed != NULL)
    *n_removed = removed;

  /* No final newline: the view would show an empty last line. */
  if (str->len > 0)
    g_string_truncate (str, str->len - 1);

  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* Presentation --------------------------------------------------------- */

static const char *
state_text (SparkHunkState state)
{
  switch (state)
    {
    case SPARK_HUNK_PENDING:
      /* translators: state of a proposed change nobody decided on yet */
      return C_("hunk state", "Pending");
    case SPARK_HUNK_ACCEPTED:
      /* translators: state of a proposed change the person accepted */
      return C_("hunk state", "Accepted");
    case SPARK_HUNK_REJECTED:
      /* translators: state of a proposed change the person rejected */
      return C_("hunk state", "Rejected");
    case SPARK_HUNK_EDITED:
      /* translators: state of a proposed change the person edited (it will be applied as edited) */
      return C_("hunk state", "Edited");
    case SPARK_HUNK_CONFLICT:
      /* translators: state of a proposed change that does not fit the current file */
      return C_("hunk state", "Conflict");
    default:
      g_assert_not_reached ();
    }
}

/* The state inside a sentence (the accessible name of the row). */
static const char *
state_word (SparkHunkState state)
{
  switch (state)
    {
    case SPARK_HUNK_PENDING:
      /* translators: end of "Hunk 2 of 3 in src/a.c, lines 10–14, pending" */
      return C_("hunk state in a sentence", "pending");
    case SPARK_HUNK_ACCEPTED:
      /* translators: end of "Hunk 2 of 3 in src/a.c, lines 10–14, accepted" */
      return C_("hunk state in a sentence", "accepted");
    case SPARK_HUNK_REJECTED:
      /* translators: end of "Hunk 2 of 3 in src/a.c, lines 10–14, rejected" */
      return C_("hunk state in a sentence", "rejected");
    case SPARK_HUNK_EDITED:
      /* translators: end of "Hunk 2 of 3 in src/a.c, lines 10–14, edited" */
      return C_("hunk state in a sentence", "edited");
    case SPARK_HUNK_CONFLICT:
      /* translators: end of "Hunk 2 of 3 in src/a.c, in conflict" */
      return C_("hunk state in a sentence", "in conflict");
    default:
      g_assert_not_reached ();
    }
}

static char *
dup_location (SparkHunkRow *self)
{
  g_autofree char *name = g_path_get_basename (spark_file_change_get_path (self->file));
  guint line = spark_hunk_get_start_line (self->hunk);

  switch (spark_file_change_get_kind (self->file))
    {
    case SPARK_FILE_CHANGE_ADD:
      /* translators: where a hunk goes: %s is a file name */
      return g_strdup_printf (_("%s, new file"), name);
    case SPARK_FILE_CHANGE_DELETE:
      /* translators: where a hunk goes: %s is a file name */
      return g_strdup_printf (_("%s, whole file"), name);
    case SPARK_FILE_CHANGE_UPDATE:
    case SPARK_FILE_CHANGE_MOVE:
    default:
      if (line == 0)
        return g_strdup (name);
      /* translators: where a hunk goes: %s is a file name, %u a line number */
      return g_strdup_printf (_("%s, line %u"), name, line);
    }
}

static const char *
fuzz_note (SparkMatchFuzz fuzz)
{
  switch (fuzz)
    {
    case SPARK_MATCH_TRIM_END:
      /* translators: tooltip of a hunk that matched its file only loosely */
      return _("Found in the file once trailing whitespace is ignored");
    case SPARK_MATCH_TRIM:
      /* translators: tooltip of a hunk that matched its file only loosely */
      return _("Found in the file once leading and trailing whitespace is ignored");
    case SPARK_MATCH_UNICODE:
      /* translators: tooltip of a hunk that matched its file only loosely */
      return _("Found in the file once whitespace, dashes and quotes are ignored");
    case SPARK_MATCH_NONE:
    case SPARK_MATCH_EXACT:
    default:
      return NULL;
    }
}

/**
 * spark_hunk_row_describe:
 *
 * What a screen reader says for the hunk: its place among the file's hunks,
 * the file, the lines it replaces and its state, e.g. "Hunk 2 of 3 in
 * src/a.c, lines 5–7, pending".
 *
 * Returns: (transfer full): the description
 */
char *
spark_hunk_row_describe (SparkFileChange *file,
                         SparkHunk       *hunk)
{
  const char *path;
  const char *state;
  guint index, total, line, count;

  g_return_val_if_fail (SPARK_IS_FILE_CHANGE (file), NULL);
  g_return_val_if_fail (SPARK_IS_HUNK (hunk), NULL);

  path = spark_file_change_get_path (file);
  state = state_word (spark_hunk_get_state (hunk));
  index = spark_hunk_get_index (hunk) + 1;
  total = MAX (spark_file_change_get_n_hunks (file), index);
  line = spark_hunk_get_start_line (hunk);
  count = spark_hunk_get_line_count (hunk);

  switch (spark_file_change_get_kind (file))
    {
    case SPARK_FILE_CHANGE_ADD:
      /* translators: accessible name of a hunk row: "Hunk 1 of 1 in src/a.c, new file, pending" */
      return g_strdup_printf (_("Hunk %u of %u in %s, new file, %s"), index, total, path, state);
    case SPARK_FILE_CHANGE_DELETE:
      /* translators: accessible name of a hunk row: "Hunk 1 of 1 in src/a.c, whole file, pending" */
      return g_strdup_printf (_("Hunk %u of %u in %s, whole file, %s"), index, total, path, state);
    case SPARK_FILE_CHANGE_UPDATE:
    case SPARK_FILE_CHANGE_MOVE:
    default:
      break;
    }

  if (line == 0)
    /* translators: accessible name of a hunk row whose place in the file is not known:
     * "Hunk 2 of 3 in src/a.c, in conflict" */
    return g_strdup_printf (_("Hunk %u of %u in %s, %s"), index, total, path, state);

  if (count <= 1)
    /* translators: accessible name of a hunk row: "Hunk 2 of 3 in src/a.c, line 12, pending" */
    return g_strdup_printf (_("Hunk %u of %u in %s, line %u, %s"), index, total, path, line, state);

  /* translators: accessible name of a hunk row: hunk number, hunks in the file, file path,
   * first and last line it replaces, state: "Hunk 2 of 3 in src/a.c, lines 10–14, pending" */
  return g_strdup_printf (_("Hunk %u of %u in %s, lines %u–%u, %s"),
                          index, total, path, line, line + count - 1, state);
}

static void
update_accessible_label (SparkHunkRow *self)
{
  g_autofree char *label = NULL;

  if (self->hunk == NULL)
    return;

  label = spark_hunk_row_describe (self->file, self->hunk);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* Parts built when first needed --------------------------------------- */

static gboolean query_tooltip_cb         (SparkHunkRow *self,
                                          int           x,
                                          int           y,
                                          gboolean      keyboard_mode,
                                          GtkTooltip   *tooltip,
                                          GtkWidget    *widget);
static void     reason_entry_activate_cb (SparkHunkRow *self,
                                          GtkEntry     *entry);

/* Builds the object @id of spark-hunk-row-parts.ui (and its children), its
 * signals connected to @self as the template's are. */
static GtkBuilder *
build_part (SparkHunkRow *self,
            const char   *id)
{
  g_autoptr(GtkBuilderScope) scope = gtk_builder_cscope_new ();
  g_autoptr(GError) error = NULL;
  const char *ids[] = { id, NULL };
  GtkBuilder *builder = gtk_builder_new ();

  gtk_builder_cscope_add_callback_symbols (GTK_BUILDER_CSCOPE (scope),
                                           "query_tooltip_cb", G_CALLBACK (query_tooltip_cb),
                                           "reason_entry_activate_cb", G_CALLBACK (reason_entry_activate_cb),
                                           NULL);
  gtk_builder_set_scope (builder, scope);
  gtk_builder_set_current_object (builder, G_OBJECT (self));
  if (!gtk_builder_add_objects_from_resource (builder, "/io/github/sparkcode/Spark/spark-hunk-row-parts.ui",
                                              ids, &error))
    g_error ("spark-hunk-row-parts.ui: %s", error->message);

  return builder;
}

static void
ensure_merge_box (SparkHunkRow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;

  if (self->merge_box != NULL)
    return;

  builder = build_part (self, "merge_box");
  self->merge_box = GTK_BOX (gtk_builder_get_object (builder, "merge_box"));
  self->ours_label = GTK_LABEL (gtk_builder_get_object (builder, "ours_label"));
  self->theirs_label = GTK_LABEL (gtk_builder_get_object (builder, "theirs_label"));
  self->keep_mine_button = GTK_BUTTON (gtk_builder_get_object (builder, "keep_mine_button"));
  self->keep_both_button = GTK_BUTTON (gtk_builder_get_object (builder, "keep_both_button"));
  self->take_proposed_button = GTK_BUTTON (gtk_builder_get_object (builder, "take_proposed_button"));
  /* Where the template had it: between the conflict message and the diff. */
  gtk_box_insert_child_after (self->card, GTK_WIDGET (self->merge_box),
                              GTK_WIDGET (self->conflict_label));
}

static void
ensure_edit_page (SparkHunkRow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkEventController *controller;

  if (self->edit_view != NULL)
    return;

  builder = build_part (self, "edit_page");
  self->edit_view = GTK_SOURCE_VIEW (gtk_builder_get_object (builder, "edit_view"));
  self->edit_error_label = GTK_LABEL (gtk_builder_get_object (builder, "edit_error_label"));
  self->cancel_edit_button = GTK_BUTTON (gtk_builder_get_object (builder, "cancel_edit_button"));
  self->save_edit_button = GTK_BUTTON (gtk_builder_get_object (builder, "save_edit_button"));
  gtk_stack_add_named (self->stack, GTK_WIDGET (gtk_builder_get_object (builder, "edit_page")), "edit");

  /* The text view turns Ctrl+Enter into a newline; ask first. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK)),
                                                          gtk_named_action_new ("hunk.save-edit")));
  gtk_widget_add_controller (GTK_WIDGET (self->edit_view), controller);
}

static void
ensure_reason_box (SparkHunkRow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;

  if (self->reason_entry != NULL)
    return;

  builder = build_part (self, "reason_box");
  self->reason_entry = GTK_ENTRY (gtk_builder_get_object (builder, "reason_entry"));
  gtk_popover_set_child (self->reject_popover,
                         GTK_WIDGET (gtk_builder_get_object (builder, "reason_box")));
}

/* Diff view ------------------------------------------------------------ */

static void
update_diff_height (SparkHunkRow *self)
{
  spark_diff_view_fit (GTK_TEXT_VIEW (self->diff_view), self->diff_scroller);
}

static void
update_diff (SparkHunkRow *self)
{
  g_autofree char *text = NULL;

  if (self->hunk == NULL)
    {
      gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->diff_buffer), "", 0);
      return;
    }

  text = spark_hunk_row_format_diff (self->hunk, NULL, NULL);
  spark_diff_buffer_set_text (self->diff_buffer, text);
  /* The diff view takes no focus; a screen reader gets the change here. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
  update_diff_height (self);
}

static gboolean
is_open_merge_conflict (SparkHunkRow *self)
{
  return self->hunk != NULL && spark_hunk_is_merge_conflict (self->hunk) &&
         spark_hunk_get_state (self->hunk) == SPARK_HUNK_CONFLICT;
}

static void
update_actions (SparkHunkRow *self)
{
  SparkHunkState state = self->hunk ? spark_hunk_get_state (self->hunk) : SPARK_HUNK_CONFLICT;
  gboolean editing = self->edit_buffer != NULL;
  gboolean merge = is_open_merge_conflict (self) && !editing;
  gboolean can_reject = self->hunk != NULL && !editing &&
                        (state == SPARK_HUNK_PENDING || state == SPARK_HUNK_ACCEPTED ||
                         state == SPARK_HUNK_EDITED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.accept",
                                 self->hunk != NULL && !editing &&
                                 (state == SPARK_HUNK_PENDING || state == SPARK_HUNK_REJECTED));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.reject", can_reject);
  /* The action only covers the main part; the arrow opens the popover. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->reject_button), can_reject);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.confirm-reject", can_reject);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.edit",
                                 self->hunk != NULL && !editing && state != SPARK_HUNK_CONFLICT &&
                                 spark_file_change_get_kind (self->file) != SPARK_FILE_CHANGE_DELETE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.save-edit", editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.cancel-edit", editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.keep-mine", merge);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.take-proposed", merge);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hunk.keep-both", merge);
}

/* One side of a merge conflict, without its final line ending. */
static void
set_side (GtkLabel   *label,
          const char *text)
{
  g_autofree char *shown = g_strdup (text ? text : "");
  gsize len = strlen (shown);

  if (len > 0 && shown[len - 1] == '\n')
    shown[--len] = '\0';
  if (len > 0 && shown[len - 1] == '\r')
    shown[--len] = '\0';

  if (text == NULL || text[0] == '\0')
    /* translators: shown for a side of a merge conflict that has no lines there */
    gtk_label_set_text (label, _("(no lines)"));
  else
    gtk_label_set_text (label, shown);
}

/* A merge conflict still to resolve shows both sides and the three choices
 * instead of the diff and the usual buttons. */
static void
update_merge (SparkHunkRow *self)
{
  gboolean merge = is_open_merge_conflict (self) && self->edit_buffer == NULL;

  if (merge)
    ensure_merge_box (self);

  gtk_widget_set_visible (GTK_WIDGET (self->stack), !merge);
  gtk_widget_set_visible (GTK_WIDGET (self->actions_box), !merge && self->edit_buffer == NULL);
  if (self->merge_box == NULL)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->merge_box), merge);
  if (merge)
    {
      set_side (self->ours_label, spark_hunk_get_conflict_ours (self->hunk));
      set_side (self->theirs_label, spark_hunk_get_conflict_theirs (self->hunk));
    }
  else
    {
      /* Recycled rows keep no text of another hunk. */
      gtk_label_set_text (self->ours_label, "");
      gtk_label_set_text (self->theirs_label, "");
    }
}

static void
update (SparkHunkRow *self)
{
  g_autofree char *title = NULL;
  SparkHunkState state;
  const char *conflict;

  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->card), state_classes[i]);

  update_actions (self);
  update_merge (self);

  if (self->hunk == NULL)
    return;

  state = spark_hunk_get_state (self->hunk);
  conflict = spark_hunk_get_conflict_message (self->hunk);
  title = dup_location (self);

  if (fuzz_note (spark_hunk_get_fuzz (self->hunk)) != NULL && state != SPARK_HUNK_CONFLICT)
    {
      /* translators: a hunk's location, marked as matched loosely */
      g_autofree char *fuzzy = g_strdup_printf (_("%s (approximate)"), title);

      g_free (title);
      title = g_steal_pointer (&fuzzy);
    }
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->state_label, state_text (state));
  gtk_widget_add_css_class (GTK_WIDGET (self->card), state_classes[state]);
  gtk_label_set_text (self->conflict_label, conflict);
  gtk_widget_set_visible (GTK_WIDGET (self->conflict_label),
                          state == SPARK_HUNK_CONFLICT && conflict != NULL);
  update_accessible_label (self);
  update_diff (self);
}

static void
update_style_scheme (SparkHunkRow *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (style_manager);
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");
  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "oblivion" : "classic");

  gtk_source_buffer_set_style_scheme (self->diff_buffer, scheme);
  spark_diff_buffer_update_colors (self->diff_buffer);
  if (self->edit_buffer != NULL)
    gtk_source_buffer_set_style_scheme (self->edit_buffer, scheme);
}

/* Actions and callbacks ------------------------------------------------ */

static void
hunk_accept_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  g_signal_emit (widget, signals[SIGNAL_ACCEPT], 0);
}

static void
hunk_reject_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  g_signal_emit (widget, signals[SIGNAL_REJECT], 0, NULL);
}

static void
hunk_confirm_reject_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  SparkHunkRow *self = SPARK_HUNK_ROW (widget);
  g_autofree char *reason = NULL;

  ensure_reason_box (self);
  reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_entry))));

  /* Take the focus out of the entry before its popover goes away, so the
   * entry hears about it (and stops blinking its cursor). */
  gtk_widget_grab_focus (GTK_WIDGET (self));
  gtk_popover_popdown (self->reject_popover);
  g_signal_emit (self, signals[SIGNAL_REJECT], 0, reason[0] ? reason : NULL);
}

static void
hunk_edit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  g_signal_emit (widget, signals[SIGNAL_EDIT], 0);
}

static void
hunk_save_edit_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  SparkHunkRow *self = SPARK_HUNK_ROW (widget);
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  if (self->edit_buffer == NULL)
    return;

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->edit_buffer), &start, &end);
  text = gtk_text_buffer_get_text (GTK_TEXT_BUFFER (self->edit_buffer), &start, &end, TRUE);
  g_signal_emit (self, signals[SIGNAL_SAVE_EDIT], 0, text);
}

static void
hunk_cancel_edit_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  g_signal_emit (widget, signals[SIGNAL_CANCEL_EDIT], 0);
}

static void
resolve_conflict (SparkHunkRow         *self,
                  SparkMergeChoiceKind  choice)
{
  g_autoptr(GError) error = NULL;

  if (!is_open_merge_conflict (self))
    return;

  /* The buttons go away with the conflict: keep the focus on the row. */
  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (!spark_hunk_resolve_conflict (self->hunk, choice, NULL, &error))
    gtk_label_set_text (self->conflict_label, error->message);
}

static void
hunk_keep_mine_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  resolve_conflict (SPARK_HUNK_ROW (widget), SPARK_MERGE_CHOOSE_OURS);
}

static void
hunk_take_proposed_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  resolve_conflict (SPARK_HUNK_ROW (widget), SPARK_MERGE_CHOOSE_THEIRS);
}

static void
hunk_keep_both_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  resolve_conflict (SPARK_HUNK_ROW (widget), SPARK_MERGE_CHOOSE_BOTH);
}

/* Tooltips are looked up when asked for: setting one makes GTK 4.8 check
 * the pointer position, a round trip to the X server per row. */
static gboolean
query_tooltip_cb (SparkHunkRow *self,
                  int           x,
                  int           y,
                  gboolean      keyboard_mode,
                  GtkTooltip   *tooltip,
                  GtkWidget    *widget)
{
  const char *text = NULL;

  if (widget == GTK_WIDGET (self->accept_button))
    /* translators: tooltip of the Accept button of a hunk; a is its key */
    text = _("Accept this change (a)");
  else if (widget == GTK_WIDGET (self->reject_button))
    /* translators: tooltip of the Reject split button of a hunk; r is its key */
    text = _("Reject this change; the arrow adds a reason (r)");
  else if (widget == GTK_WIDGET (self->edit_button))
    /* translators: tooltip of the Edit button of a hunk; e is its key */
    text = _("Edit the proposed text (e)");
  else if (widget == GTK_WIDGET (self->save_edit_button))
    /* translators: tooltip of the Save Edit button */
    text = _("Keep the edit (Ctrl+Enter)");
  else if (widget == GTK_WIDGET (self->cancel_edit_button))
    /* translators: tooltip of the Cancel button of an edit */
    text = _("Leave the proposed text as it was (Escape)");
  else if (widget == GTK_WIDGET (self->keep_mine_button))
    /* translators: tooltip of the Keep Mine button of a merge conflict */
    text = _("Keep your lines here; the proposal's other changes still apply");
  else if (widget == GTK_WIDGET (self->take_proposed_button))
    /* translators: tooltip of the Take Proposed button of a merge conflict */
    text = _("Use the proposed lines here instead of yours");
  else if (widget == GTK_WIDGET (self->keep_both_button))
    /* translators: tooltip of the Keep Both button of a merge conflict */
    text = _("Keep your lines, followed by the proposed ones");
  else if (widget == GTK_WIDGET (self->title_label) && self->hunk != NULL &&
           spark_hunk_get_state (self->hunk) != SPARK_HUNK_CONFLICT)
    text = fuzz_note (spark_hunk_get_fuzz (self->hunk));

  if (text == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
reject_popover_show_cb (SparkHunkRow *self,
                        GtkPopover   *popover)
{
  ensure_reason_box (self);
  gtk_editable_set_text (GTK_EDITABLE (self->reason_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->reason_entry));
}

static void
reason_entry_activate_cb (SparkHunkRow *self,
                          GtkEntry     *entry)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "hunk.confirm-reject", NULL);
}

/* GObject -------------------------------------------------------------- */

static void
spark_hunk_row_dispose (GObject *object)
{
  SparkHunkRow *self = SPARK_HUNK_ROW (object);

  spark_hunk_row_set_hunk (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_HUNK_ROW);
  /* The parts built later went with the template's widgets. */
  self->merge_box = NULL;
  self->ours_label = self->theirs_label = NULL;
  self->keep_both_button = self->keep_mine_button = self->take_proposed_button = NULL;
  self->edit_view = NULL;
  self->edit_error_label = NULL;
  self->cancel_edit_button = self->save_edit_button = NULL;
  self->reason_entry = NULL;
  g_clear_object (&self->edit_buffer);
  g_clear_object (&self->diff_buffer);

  G_OBJECT_CLASS (spark_hunk_row_parent_class)->dispose (object);
}

static void
spark_hunk_row_class_init (SparkHunkRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_hunk_row_dispose;

  /**
   * SparkHunkRow::accept:
   * The person asked to accept the hunk.
   */
  signals[SIGNAL_ACCEPT] =
    g_signal_new ("accept", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SparkHunkRow::reject:
   * @reason: (nullable): why, as the person typed it
   * The person asked to reject the hunk.
   */
  signals[SIGNAL_REJECT] =
    g_signal_new ("reject", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * SparkHunkRow::edit:
   * The person asked to edit the hunk: give the row an edit buffer.
   */
  signals[SIGNAL_EDIT] =
    g_signal_new ("edit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SparkHunkRow::save-edit:
   * @text: the edited text
   * The person pressed Save Edit.
   */
  signals[SIGNAL_SAVE_EDIT] =
    g_signal_new ("save-edit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * SparkHunkRow::cancel-edit:
   * The person left the edit without keeping it.
   */
  signals[SIGNAL_CANCEL_EDIT] =
    g_signal_new ("cancel-edit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sparkhunkrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_assert (spark_get_resource () != NULL);
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-hunk-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, accept_button);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, actions_box);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, card);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, conflict_label);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, diff_scroller);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, diff_view);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, reject_button);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, reject_popover);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, stack);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, SparkHunkRow, title_label);
  gtk_widget_class_bind_template_callback (widget_class, query_tooltip_cb);
  gtk_widget_class_bind_template_callback (widget_class, reject_popover_show_cb);

  gtk_widget_class_install_action (widget_class, "hunk.accept", NULL, hunk_accept_action);
  gtk_widget_class_install_action (widget_class, "hunk.reject", NULL, hunk_reject_action);
  gtk_widget_class_install_action (widget_class, "hunk.confirm-reject", NULL, hunk_confirm_reject_action);
  gtk_widget_class_install_action (widget_class, "hunk.edit", NULL, hunk_edit_action);
  gtk_widget_class_install_action (widget_class, "hunk.save-edit", NULL, hunk_save_edit_action);
  gtk_widget_class_install_action (widget_class, "hunk.cancel-edit", NULL, hunk_cancel_edit_action);
  gtk_widget_class_install_action (widget_class, "hunk.keep-mine", NULL, hunk_keep_mine_action);
  gtk_widget_class_install_action (widget_class, "hunk.take-proposed", NULL, hunk_take_proposed_action);
  gtk_widget_class_install_action (widget_class, "hunk.keep-both", NULL, hunk_keep_both_action);

  /* Escape leaves an edit (Ctrl+Enter keeps it: see init). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "hunk.cancel-edit", NULL);
}

static void
spark_hunk_row_init (SparkHunkRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  spark_a11y_tidy_mnemonic_buttons (GTK_WIDGET (self));
  spark_a11y_name_icon_buttons (GTK_WIDGET (self->reject_button));
  /* Keyboard review moves the focus from hunk to hunk. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  self->diff_buffer = spark_diff_buffer_new ();
  gtk_text_view_set_buffer (GTK_TEXT_VIEW (self->diff_view), GTK_TEXT_BUFFER (self->diff_buffer));

  /* The font is known for sure once the view is in the window. */
  g_signal_connect_object (self->diff_view, "map",
                           G_CALLBACK (update_diff_height), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::high-contrast",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);
  update_style_scheme (self);
  update_actions (self);
}

/* Public API ----------------------------------------------------------- */

GtkWidget *
spark_hunk_row_new (void)
{
  return g_object_new (SPARK_TYPE_HUNK_ROW, NULL);
}

SparkHunk *
spark_hunk_row_get_hunk (SparkHunkRow *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK_ROW (self), NULL);
  return self->hunk;
}

SparkFileChange *
spark_hunk_row_get_file (SparkHunkRow *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK_ROW (self), NULL);
  return self->file;
}

void
spark_hunk_row_set_hunk (SparkHunkRow    *self,
                         SparkFileChange *file,
                         SparkHunk       *hunk)
{
  g_return_if_fail (SPARK_IS_HUNK_ROW (self));
  g_return_if_fail (file == NULL || SPARK_IS_FILE_CHANGE (file));
  g_return_if_fail (hunk == NULL || SPARK_IS_HUNK (hunk));
  g_return_if_fail ((file == NULL) == (hunk == NULL));

  if (self->hunk == hunk && self->file == file)
    return;

  if (self->hunk != NULL)
    g_clear_signal_handler (&self->state_handler, self->hunk);
  if (self->file != NULL)
    g_clear_signal_handler (&self->n_hunks_handler, self->file);

  if (self->reject_popover != NULL)
    gtk_popover_popdown (self->reject_popover);

  g_set_object (&self->hunk, hunk);
  g_set_object (&self->file, file);

  if (hunk != NULL)
    /* state, start-line, fuzz, conflict-message: all show. */
    {
      self->state_handler = g_signal_connect_object (hunk, "notify",
                                                     G_CALLBACK (update), self,
                                                     G_CONNECT_SWAPPED);
      self->n_hunks_handler = g_signal_connect_object (file, "notify::n-items",
                                                       G_CALLBACK (update_accessible_label), self,
                                                       G_CONNECT_SWAPPED);
    }

  if (self->card != NULL)
    update (self);
}

void
spark_hunk_row_set_edit_buffer (SparkHunkRow    *self,
                                GtkSourceBuffer *buffer)
{
  g_return_if_fail (SPARK_IS_HUNK_ROW (self));
  g_return_if_fail (buffer == NULL || GTK_SOURCE_IS_BUFFER (buffer));

  if (self->edit_buffer == buffer)
    return;

  g_set_object (&self->edit_buffer, buffer);
  spark_hunk_row_set_edit_error (self, NULL);

  if (buffer != NULL)
    {
      if (gtk_source_buffer_get_language (buffer) == NULL && self->file != NULL)
        {
          GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
          const char *path = spark_file_change_get_move_path (self->file);

          if (path == NULL)
            path = spark_file_change_get_path (self->file);
          gtk_source_buffer_set_language (buffer,
                                          gtk_source_language_manager_guess_language (languages, path, NULL));
        }

      ensure_edit_page (self);
      gtk_text_view_set_buffer (GTK_TEXT_VIEW (self->edit_view), GTK_TEXT_BUFFER (buffer));
      update_style_scheme (self);
      gtk_stack_set_visible_child_name (self->stack, "edit");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "diff");
    }

  update_actions (self);
  update_merge (self);
}

GtkSourceView *
spark_hunk_row_get_edit_view (SparkHunkRow *self)
{
  g_return_val_if_fail (SPARK_IS_HUNK_ROW (self), NULL);

  ensure_edit_page (self);
  return self->edit_view;
}

void
spark_hunk_row_set_edit_error (SparkHunkRow *self,
                               const char   *message)
{
  g_return_if_fail (SPARK_IS_HUNK_ROW (self));

  if (message == NULL && self->edit_error_label == NULL)
    return;

  ensure_edit_page (self);
  gtk_label_set_text (self->edit_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->edit_error_label), message != NULL);
}

void
spark_hunk_row_begin_reject (SparkHunkRow *self)
{
  g_return_if_fail (SPARK_IS_HUNK_ROW (self));

  adw_split_button_popup (self->reject_button);
}
