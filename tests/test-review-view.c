/* test-review-view.c: the review pane on a real folder, fed a streaming
 * patch, under Xvfb
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "spark-changeset.h"
#include "spark-hunk-row.h"
#include "spark-review-file-row.h"
#include "spark-review-view.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"
#include "test-changeset-common.h"

#define A_C                                                                \
  "#include <stdio.h>\n"                                                   \
  "\n"                                                                     \
  "int\n"                                                                  \
  "one (void)\n"                                                           \
  "{\n"                                                                    \
  "  return 1;\n"                                                          \
  "}\n"                                                                    \
  "\n"                                                                     \
  "int\n"                                                                  \
  "two (void)\n"                                                           \
  "{\n"                                                                    \
  "  return 2;\n"                                                          \
  "}\n"                                                                    \
  "\n"                                                                     \
  "int\n"                                                                  \
  "three (void)\n"                                                         \
  "{\n"                                                                    \
  "  return 3;\n"                                                          \
  "}\n"

#define PATCH                                                              \
  "*** Begin Patch\n"                                                      \
  "*** Update File: src/a.c\n"                                             \
  "@@ one (void)\n"                                                        \
  " {\n"                                                                   \
  "-  return 1;\n"                                                         \
  "+  return 11;\n"                                                        \
  " }\n"                                                                   \
  "@@ two (void)\n"                                                        \
  " {\n"                                                                   \
  "-  return 2;\n"                                                         \
  "+  return 22;\n"                                                        \
  " }\n"                                                                   \
  "@@ three (void)\n"                                                      \
  " {\n"                                                                   \
  "-  return 3;\n"                                                         \
  "+  return 33;\n"                                                        \
  " }\n"                                                                   \
  "*** Update File: b.txt\n"                                               \
  "@@\n"                                                                   \
  " alpha\n"                                                               \
  "-beta\n"                                                                \
  "+BETA\n"                                                                \
  " gamma\n"                                                               \
  "*** Add File: new.c\n"                                                  \
  "+int\n"                                                                 \
  "+main (void)\n"                                                         \
  "+{\n"                                                                   \
  "+  return 0;\n"                                                         \
  "+}\n"                                                                   \
  "*** End Patch\n"

typedef struct
{
  TpWorkspace      work;      /* the project folder and its workspace */
  GtkWindow       *window;
  SparkReviewView *view;
  guint            n_hunks_seen;
  guint            n_applies;
  char            *apply_result;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  tp_workspace_setup (&f->work, data);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 460, 900);
  f->view = SPARK_REVIEW_VIEW (spark_review_view_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);
  SPARK_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (f->view)));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  spark_test_spin (50);
  tp_workspace_teardown (&f->work, data);
  g_free (f->apply_result);
}

/* After the pane's animations settle. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  spark_test_spin (300);
  gtk_test_widget_wait_for_draw (widget);
  spark_test_save_screenshot (widget, name);
}

/* The row showing @hunk, if the list built one (and it is on screen). */
static SparkHunkRow *
row_for (Fixture   *f,
         SparkHunk *hunk)
{
  g_autoptr(GPtrArray) rows = spark_test_find_all (GTK_WIDGET (f->view), SPARK_TYPE_HUNK_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (spark_hunk_row_get_hunk (rows->pdata[i]) == hunk &&
        gtk_widget_get_mapped (rows->pdata[i]))
      return rows->pdata[i];

  return NULL;
}

static SparkReviewFileRow *
file_row_for (Fixture         *f,
              SparkFileChange *file)
{
  g_autoptr(GPtrArray) rows = spark_test_find_all (GTK_WIDGET (f->view), SPARK_TYPE_REVIEW_FILE_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (spark_review_file_row_get_file (rows->pdata[i]) == file &&
        gtk_widget_get_mapped (rows->pdata[i]))
      return rows->pdata[i];

  return NULL;
}

static gpointer
view_child (Fixture    *f,
            const char *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->view), SPARK_TYPE_REVIEW_VIEW, id);

  g_assert_nonnull (object);
  return object;
}

/* A widget of the row by its id in spark-hunk-row.ui, or in
 * spark-hunk-row-parts.ui once the row has built that part. */
static gpointer
row_child (SparkHunkRow *row,
           const char   *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (row), SPARK_TYPE_HUNK_ROW, id);

  if (object == NULL)
    object = G_OBJECT (spark_test_find_by_id (GTK_WIDGET (row), id));
  g_assert_nonnull (object);
  return object;
}

static SparkHunk *
hunk_at (SparkChangeset *cs,
         guint           file,
         guint           index)
{
  return spark_file_change_get_hunk (spark_changeset_get_file (cs, file), index);
}

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static void
assert_label (gpointer    widget,
              const char *expected)
{
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
}

static void
on_hunk_complete (SparkPatchParser *parser,
                  SparkFileChange  *file,
                  SparkHunk        *hunk,
                  Fixture          *f)
{
  f->n_hunks_seen++;
}

static void
on_apply_requested (SparkReviewView *view,
                    Fixture         *f)
{
  g_autoptr(GError) error = NULL;

  f->n_applies++;
  f->apply_result = spark_changeset_apply (spark_review_view_get_changeset (view), &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->apply_result);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(SparkChangeset) cs = spark_changeset_new (f->work.ws);
  GtkStack *stack = view_child (f, "stack");
  AdwStatusPage *page = view_child (f, "empty_page");

  g_assert_null (spark_review_view_get_changeset (f->view));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "Nothing to Review");
  g_assert_nonnull (adw_status_page_get_description (page));
  g_assert_null (spark_review_view_get_selected_hunk (f->view));

  spark_review_view_set_changeset (f->view, cs);
  g_assert_true (spark_review_view_get_changeset (f->view) == cs);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "review");
  g_assert_cmpstr (gtk_label_get_text (view_child (f, "summary_label")), ==, "Waiting for changes…");
  g_assert_false (gtk_widget_is_sensitive (view_child (f, "apply_button")));

  spark_review_view_set_changeset (f->view, NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  save_screenshot (GTK_WIDGET (f->window), "review-empty.png");
}

/* A new proposal lets go of the last one's rows at once, but they are
 * disposed after the frame, a few at a time (retire_cb), and none is kept. */
static void
test_replace (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(SparkChangeset) cs = spark_changeset_new (f->work.ws);
  g_autoptr(SparkChangeset) next = spark_changeset_new (f->work.ws);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gpointer weak[8] = { NULL };
  guint n_alive = 0;

  spark_test_write_file (f->work.root, "src/a.c", A_C);
  spark_test_write_file (f->work.root, "b.txt", "alpha\nbeta\ngamma\n");
  spark_changeset_follow_parser (cs, parser);
  spark_review_view_set_changeset (f->view, cs);
  g_assert_true (spark_patch_parser_feed (parser, PATCH, -1, &error));
  g_assert_no_error (error);
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);
  SPARK_TEST_WAIT_UNTIL (row_for (f, hunk_at (cs, 0, 0)) != NULL);

  rows = spark_test_find_all (GTK_WIDGET (f->view), SPARK_TYPE_HUNK_ROW);
  g_assert_cmpuint (rows->len, >=, 2);
  for (guint i = 0; i < MIN (rows->len, G_N_ELEMENTS (weak)); i++)
    {
      weak[i] = rows->pdata[i];
      g_object_add_weak_pointer (G_OBJECT (weak[i]), &weak[i]);
    }

  spark_review_view_set_changeset (f->view, next);
  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    n_alive += weak[i] != NULL;
  g_assert_cmpuint (n_alive, ==, MIN (rows->len, G_N_ELEMENTS (weak)));

  SPARK_TEST_WAIT_UNTIL (({
                gboolean gone = TRUE;

                for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
                  gone = gone && weak[i] == NULL;
                gone;
              }));
}

static void
test_stream_and_decide (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(SparkChangeset) cs = spark_changeset_new (f->work.ws);
  g_autoptr(GError) error = NULL;
  g_autofree char *a_c = NULL;
  g_autofree char *b_txt = NULL;
  g_autofree char *new_c = NULL;
  g_autofree char *edit_text = NULL;
  const char *patch = PATCH;
  gsize len = strlen (patch), offset = 0;
  SparkHunk *h0, *h1, *h2, *hb, *hn;
  SparkHunkRow *row;
  GtkSourceView *edit_view;
  GtkWidget *apply_button = view_child (f, "apply_button");

  spark_test_write_file (f->work.root, "src/a.c", A_C);
  spark_test_write_file (f->work.root, "b.txt", "alpha\nbeta\ngamma\n");

  spark_changeset_follow_parser (cs, parser);
  g_signal_connect (parser, "hunk-complete", G_CALLBACK (on_hunk_complete), f);
  g_signal_connect (f->view, "apply-requested", G_CALLBACK (on_apply_requested), f);
  spark_review_view_set_changeset (f->view, cs);
  spark_review_view_set_streaming (f->view, TRUE);

  /* Stream the patch in small pieces until two hunks are complete. */
  while (f->n_hunks_seen < 2)
    {
      gsize n = MIN (7, len - offset);

      g_assert_true (spark_patch_parser_feed (parser, patch + offset, n, &error));
      g_assert_no_error (error);
      offset += n;
      spark_test_spin (5);
    }

  g_assert_false (spark_patch_parser_get_complete (parser));
  h0 = hunk_at (cs, 0, 0);
  h1 = hunk_at (cs, 0, 1);

  /* Rows for the first hunks exist while the patch still streams. */
  SPARK_TEST_WAIT_UNTIL (row_for (f, h0) != NULL && row_for (f, h1) != NULL);
  SPARK_TEST_WAIT_UNTIL (file_row_for (f, spark_changeset_get_file (cs, 0)) != NULL);
  g_assert_false (spark_patch_parser_get_complete (parser));
  row = row_for (f, h0);
  g_assert_cmpstr (gtk_label_get_text (row_child (row, "title_label")), ==, "a.c, line 5");
  g_assert_cmpstr (gtk_label_get_text (row_child (row, "state_label")), ==, "Pending");
  assert_label (row, "Hunk 1 of 2 in src/a.c, lines 5–7, pending");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       " {\n-  return 1;\n+  return 11;\n }");
  {
    GtkTextBuffer *diff = gtk_text_view_get_buffer (row_child (row, "diff_view"));
    g_autofree char *text = buffer_text (diff);
    GtkSourceLanguage *language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (diff));

    g_assert_cmpstr (text, ==, " {\n-  return 1;\n+  return 11;\n }");
    g_assert_nonnull (language);
    g_assert_cmpstr (gtk_source_language_get_id (language), ==, "diff");
    g_assert_true (gtk_text_view_get_monospace (row_child (row, "diff_view")));
  }

  /* The first hunk is selected as soon as it shows; decide on it now. */
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == h0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.accept-hunk", NULL));
  g_assert_cmpint (spark_hunk_get_state (h0), ==, SPARK_HUNK_ACCEPTED);
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == h1);

  /* Nothing is applied while the patch streams, even with Ctrl+Enter. */
  g_assert_false (gtk_widget_is_sensitive (apply_button));
  gtk_widget_activate_action (GTK_WIDGET (f->view), "review.apply", NULL);
  g_assert_cmpuint (f->n_applies, ==, 0);
  g_assert_cmpstr (gtk_label_get_text (view_child (f, "summary_label")), ==, "1 of 2 hunks accepted");
  save_screenshot (GTK_WIDGET (f->window), "review-streaming.png");

  /* The rest of the patch. */
  g_assert_true (spark_patch_parser_feed (parser, patch + offset, len - offset, &error));
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (spark_changeset_get_n_files (cs), ==, 3);
  g_assert_cmpuint (spark_changeset_get_n_hunks (cs), ==, 5);
  g_assert_false (gtk_widget_is_sensitive (apply_button));
  spark_review_view_set_streaming (f->view, FALSE);
  g_assert_true (gtk_widget_is_sensitive (apply_button));

  h2 = hunk_at (cs, 0, 2);
  hb = hunk_at (cs, 1, 0);
  hn = hunk_at (cs, 2, 0);

  /* The rows count the file's hunks as they arrive. */
  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, h0)) != NULL);
  assert_label (row, "Hunk 1 of 3 in src/a.c, lines 5–7, accepted");

  /* Reject hunk 2 with a reason: r opens the popover, Enter confirms. */
  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, h1)) != NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.reject-hunk", NULL));
  SPARK_TEST_WAIT_UNTIL (gtk_widget_get_visible (row_child (row, "reject_popover")));
  g_assert_true (gtk_widget_has_focus (row_child (row, "reason_entry")) ||
                 gtk_widget_is_focus (row_child (row, "reason_entry")) ||
                 gtk_widget_get_focus_child (row_child (row, "reason_entry")) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (row_child (row, "reason_entry")), "keep two as it is");
  save_screenshot (row_child (row, "reject_popover"), "review-reason.png");
  g_signal_emit_by_name (row_child (row, "reason_entry"), "activate");
  g_assert_cmpint (spark_hunk_get_state (h1), ==, SPARK_HUNK_REJECTED);
  g_assert_cmpstr (spark_review_view_get_reject_reason (f->view, h1), ==, "keep two as it is");
  g_assert_null (spark_review_view_get_reject_reason (f->view, h0));
  g_assert_cmpstr (gtk_label_get_text (row_child (row, "state_label")), ==, "Rejected");
  assert_label (row, "Hunk 2 of 3 in src/a.c, lines 11–13, rejected");
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == h2);

  /* Edit hunk 3: e opens its new text in an editable view. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.edit-hunk", NULL));
  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, h2)) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (spark_hunk_row_get_edit_view (row))));
  edit_view = spark_hunk_row_get_edit_view (row);
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (edit_view)));
  edit_text = buffer_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (edit_view)));
  g_assert_cmpstr (edit_text, ==, "{\n  return 33;\n}");
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (edit_view))))), ==, "c");
  /* While editing, the single-letter actions stay away from the hunk. */
  g_assert_false (gtk_widget_is_sensitive (row_child (row, "accept_button")) &&
                  gtk_widget_get_visible (row_child (row, "accept_button")) &&
                  gtk_widget_get_mapped (row_child (row, "accept_button")));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (edit_view)),
                            "{\n  /* reviewed */\n  return 3 * 11;\n}", -1);
  save_screenshot (GTK_WIDGET (f->window), "review-editing.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "hunk.save-edit", NULL));
  g_assert_cmpint (spark_hunk_get_state (h2), ==, SPARK_HUNK_EDITED);
  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, h2)) != NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (row_child (row, "stack")), ==, "diff");
  {
    g_autofree char *text = buffer_text (gtk_text_view_get_buffer (row_child (row, "diff_view")));

    g_assert_cmpstr (text, ==, " {\n-  return 3;\n+  /* reviewed */\n+  return 3 * 11;\n }");
  }

  /* b.txt: with the row's own Accept button. */
  g_assert_true (spark_review_view_select_hunk (f->view, hb));
  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, hb)) != NULL);
  assert_label (row_child (row, "accept_button"), "Accept Hunk");
  assert_label (row_child (row, "reject_button"), "Reject Hunk");
  assert_label (row_child (row, "edit_button"), "Edit Hunk");
  g_signal_emit_by_name (row_child (row, "accept_button"), "clicked");
  g_assert_cmpint (spark_hunk_get_state (hb), ==, SPARK_HUNK_ACCEPTED);

  /* new.c: move with j, accept with a. */
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == hb);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.next-hunk", NULL));
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == hn);
  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, hn)) != NULL);
  /* The keyboard focus follows, so Tab reaches that hunk's buttons. */
  SPARK_TEST_WAIT_UNTIL (gtk_widget_is_focus (GTK_WIDGET (row)));
  g_assert_cmpstr (gtk_label_get_text (row_child (row, "title_label")), ==, "new.c, new file");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.accept-hunk", NULL));
  g_assert_cmpint (spark_hunk_get_state (hn), ==, SPARK_HUNK_ACCEPTED);

  /* k goes back over the file header to the hunk before. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.previous-hunk", NULL));
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == hb);

  g_assert_cmpstr (gtk_label_get_text (view_child (f, "summary_label")), ==, "4 of 5 hunks accepted");
  g_assert_cmpstr (gtk_label_get_text (view_child (f, "details_label")), ==, "1 edited · 1 rejected");
  assert_label (view_child (f, "accept_all_button"), "Accept All");
  assert_label (view_child (f, "reject_all_button"), "Reject All");
  /* Named by its label ("Apply"), not also by a label property that GTK 4.8
   * would read out as "_Apply Apply". */
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (apply_button),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL));
  gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (apply_button), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       gtk_button_get_child (GTK_BUTTON (apply_button)), NULL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view_child (f, "list_view")),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "4 of 5 hunks accepted: 1 edited · 1 rejected");
  g_assert_true (gtk_widget_is_sensitive (apply_button));

  g_assert_true (spark_review_view_select_hunk (f->view, h1));
  SPARK_TEST_WAIT_UNTIL (row_for (f, h1) != NULL);
  save_screenshot (GTK_WIDGET (f->window), "review-decided.png");

  /* Ctrl+Enter: the window applies. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.apply", NULL));
  g_assert_cmpuint (f->n_applies, ==, 1);

  a_c = spark_test_read_file (f->work.root, "src/a.c", NULL);
  b_txt = spark_test_read_file (f->work.root, "b.txt", NULL);
  new_c = spark_test_read_file (f->work.root, "new.c", NULL);
  g_assert_cmpstr (a_c, ==,
                   "#include <stdio.h>\n"
                   "\n"
                   "int\n"
                   "one (void)\n"
                   "{\n"
                   "  return 11;\n"
                   "}\n"
                   "\n"
                   "int\n"
                   "two (void)\n"
                   "{\n"
                   "  return 2;\n"
                   "}\n"
                   "\n"
                   "int\n"
                   "three (void)\n"
                   "{\n"
                   "  /* reviewed */\n"
                   "  return 3 * 11;\n"
                   "}\n");
  g_assert_cmpstr (b_txt, ==, "alpha\nBETA\ngamma\n");
  g_assert_cmpstr (new_c, ==, "int\nmain (void)\n{\n  return 0;\n}\n");
}

/* The person edited src/a.c on disk after the patch was read, on the very
 * lines it changes: the apply leaves a.c alone and the review shows each
 * conflict with both sides and the three choices, which resolve it; a
 * second apply writes the choices. */
static void
test_merge_conflict (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(SparkChangeset) cs = spark_changeset_new (f->work.ws);
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autofree char *a_c = NULL;
  g_autofree char *b_txt = NULL;
  static const char *buttons[] = { "keep_mine_button", "take_proposed_button", "keep_both_button" };
  static const char *button_labels[] = { "Keep Mine", "Take Proposed", "Keep Both" };
  static const char *ours[] = { "  return 100;", "  return 200;", "  return 300;" };
  static const char *theirs[] = { "  return 11;", "  return 22;", "  return 33;" };
  SparkFileChange *file;

  spark_test_write_file (f->work.root, "src/a.c", A_C);
  spark_test_write_file (f->work.root, "b.txt", "alpha\nbeta\ngamma\n");
  spark_changeset_follow_parser (cs, parser);
  spark_review_view_set_changeset (f->view, cs);
  g_assert_true (spark_patch_parser_feed (parser, PATCH, -1, &error));
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);
  g_assert_true (spark_changeset_accept_all (cs, &error));
  g_assert_no_error (error);

  /* The person's edits, on the lines the patch changes. */
  {
    g_autoptr(GString) edited = g_string_new (A_C);

    g_string_replace (edited, "return 1;", "return 100;", 1);
    g_string_replace (edited, "return 2;", "return 200;", 1);
    g_string_replace (edited, "return 3;", "return 300;", 1);
    spark_test_write_file (f->work.root, "src/a.c", edited->str);
  }

  result = spark_changeset_apply (cs, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (result, "Did not apply your changes to src/a.c because the person "
                                    "changed the same lines"));
  a_c = spark_test_read_file (f->work.root, "src/a.c", NULL);
  g_assert_nonnull (strstr (a_c, "return 100;"));
  g_assert_null (strstr (a_c, "return 11;"));
  b_txt = spark_test_read_file (f->work.root, "b.txt", NULL);
  g_assert_cmpstr (b_txt, ==, "alpha\nBETA\ngamma\n");

  file = spark_changeset_get_file (cs, 0);
  g_assert_cmpuint (spark_file_change_get_n_hunks (file), ==, 6);

  for (guint i = 0; i < 3; i++)
    {
      SparkHunk *hunk = spark_file_change_get_hunk (file, 3 + i);
      SparkHunkRow *row;

      g_assert_true (spark_hunk_is_merge_conflict (hunk));
      spark_review_view_select_hunk (f->view, hunk);
      SPARK_TEST_WAIT_UNTIL ((row = row_for (f, hunk)) != NULL);

      g_assert_true (gtk_widget_get_visible (row_child (row, "merge_box")));
      g_assert_false (gtk_widget_get_visible (row_child (row, "stack")));
      g_assert_false (gtk_widget_get_visible (row_child (row, "actions_box")));
      g_assert_true (gtk_widget_get_visible (row_child (row, "conflict_label")));
      g_assert_cmpstr (gtk_label_get_text (row_child (row, "state_label")), ==, "Conflict");
      g_assert_cmpstr (gtk_label_get_text (row_child (row, "ours_title")), ==, "Your version");
      g_assert_cmpstr (gtk_label_get_text (row_child (row, "theirs_title")), ==, "Proposed");
      g_assert_cmpstr (gtk_label_get_text (row_child (row, "ours_label")), ==, ours[i]);
      g_assert_cmpstr (gtk_label_get_text (row_child (row, "theirs_label")), ==, theirs[i]);
      for (guint b = 0; b < G_N_ELEMENTS (buttons); b++)
        {
          g_assert_true (gtk_widget_is_sensitive (row_child (row, buttons[b])));
          assert_label (row_child (row, buttons[b]), button_labels[b]);
        }

      if (i == 0)
        save_screenshot (GTK_WIDGET (f->window), "review-merge-conflict.png");

      /* Conflict i takes choice i: Keep Mine, Take Proposed, Keep Both. */
      g_signal_emit_by_name (row_child (row, buttons[i]), "clicked");
      g_assert_cmpint (spark_hunk_get_state (hunk), ==, SPARK_HUNK_EDITED);
      g_assert_false (gtk_widget_get_visible (row_child (row, "merge_box")));
      g_assert_true (gtk_widget_get_visible (row_child (row, "stack")));
      g_assert_cmpstr (gtk_label_get_text (row_child (row, "state_label")), ==, "Edited");
    }

  save_screenshot (GTK_WIDGET (f->window), "review-merge-resolved.png");

  g_clear_pointer (&result, g_free);
  g_clear_pointer (&a_c, g_free);
  result = spark_changeset_apply (cs, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (result, "as the person resolved the conflicts"));
  a_c = spark_test_read_file (f->work.root, "src/a.c", NULL);
  g_assert_cmpstr (a_c, ==,
                   "#include <stdio.h>\n"
                   "\n"
                   "int\n"
                   "one (void)\n"
                   "{\n"
                   "  return 100;\n"
                   "}\n"
                   "\n"
                   "int\n"
                   "two (void)\n"
                   "{\n"
                   "  return 22;\n"
                   "}\n"
                   "\n"
                   "int\n"
                   "three (void)\n"
                   "{\n"
                   "  return 300;\n"
                   "  return 33;\n"
                   "}\n");
}

static void
test_conflict_and_all (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(SparkChangeset) cs = spark_changeset_new (f->work.ws);
  g_autoptr(GError) error = NULL;
  SparkHunk *good, *bad;
  SparkHunkRow *row;
  SparkReviewFileRow *file_row;
  GtkLabel *status;

  spark_test_write_file (f->work.root, "c.txt", "one\ntwo\nthree\n");
  spark_test_write_file (f->work.root, "d.txt", "old\n");
  spark_changeset_follow_parser (cs, parser);
  spark_review_view_set_changeset (f->view, cs);
  g_assert_true (spark_patch_parser_feed (parser,
                                          "*** Begin Patch\n"
                                          "*** Update File: c.txt\n"
                                          "@@\n-one\n+ONE\n"
                                          "@@\n-zzz\n+ZZZ\n"
                                          "*** Delete File: d.txt\n"
                                          "*** End Patch\n", -1, &error));
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);

  good = hunk_at (cs, 0, 0);
  bad = hunk_at (cs, 0, 1);
  g_assert_cmpint (spark_hunk_get_state (bad), ==, SPARK_HUNK_CONFLICT);

  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, bad)) != NULL);
  g_assert_true (gtk_widget_get_visible (row_child (row, "conflict_label")));
  g_assert_nonnull (strstr (gtk_label_get_text (row_child (row, "conflict_label")), "zzz"));
  g_assert_cmpstr (gtk_label_get_text (row_child (row, "state_label")), ==, "Conflict");
  g_assert_false (gtk_widget_is_sensitive (row_child (row, "accept_button")));
  g_assert_false (gtk_widget_is_sensitive (row_child (row, "edit_button")));
  assert_label (row, "Hunk 2 of 2 in c.txt, in conflict");

  /* Accept All takes what fits and says what does not. */
  status = view_child (f, "status_label");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.accept-all", NULL));
  g_assert_cmpint (spark_hunk_get_state (good), ==, SPARK_HUNK_ACCEPTED);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (status), "zzz"));
  g_assert_cmpstr (gtk_label_get_text (view_child (f, "summary_label")), ==, "2 of 3 hunks accepted");
  save_screenshot (GTK_WIDGET (f->window), "review-conflict.png");

  /* The file's Reject All. */
  SPARK_TEST_WAIT_UNTIL ((file_row = file_row_for (f, spark_changeset_get_file (cs, 0))) != NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (file_row), "file.reject-all", NULL));
  g_assert_cmpint (spark_hunk_get_state (good), ==, SPARK_HUNK_REJECTED);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  g_assert_true (gtk_widget_is_sensitive (view_child (f, "apply_button")));

  /* A deleted file: its hunk can be accepted or rejected, not edited. */
  {
    SparkFileChange *deleted = spark_changeset_get_file (cs, 1);
    SparkHunk *gone;

    g_assert_cmpint (spark_file_change_get_kind (deleted), ==, SPARK_FILE_CHANGE_DELETE);
    g_assert_cmpuint (spark_file_change_get_n_hunks (deleted), ==, 1);
    gone = spark_file_change_get_hunk (deleted, 0);
    g_assert_true (spark_review_view_select_hunk (f->view, gone));
    SPARK_TEST_WAIT_UNTIL ((row = row_for (f, gone)) != NULL);
    g_assert_cmpstr (gtk_label_get_text (row_child (row, "title_label")), ==, "d.txt, whole file");
    g_assert_false (gtk_widget_is_sensitive (row_child (row, "edit_button")));
    g_assert_cmpint (spark_hunk_get_state (gone), ==, SPARK_HUNK_ACCEPTED);
    g_assert_true (gtk_widget_is_sensitive (row_child (row, "reject_button")));
    g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.edit-hunk", NULL) &&
                    gtk_widget_get_mapped (GTK_WIDGET (spark_hunk_row_get_edit_view (row))));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.reject-hunk", NULL));
    SPARK_TEST_WAIT_UNTIL (gtk_widget_get_visible (row_child (row, "reject_popover")));
    g_signal_emit_by_name (row_child (row, "reason_entry"), "activate");
    g_assert_cmpint (spark_hunk_get_state (gone), ==, SPARK_HUNK_REJECTED);
    /* An empty reason is no reason. */
    g_assert_null (spark_review_view_get_reject_reason (f->view, gone));
    g_assert_false (gtk_widget_is_sensitive (view_child (f, "apply_button")));
  }

  /* Dark style: the same pane, for the eye. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  save_screenshot (GTK_WIDGET (f->window), "review-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* The view's Reject All / Accept All again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.accept-all", NULL));
  g_assert_cmpint (spark_hunk_get_state (good), ==, SPARK_HUNK_ACCEPTED);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.reject-all", NULL));
  g_assert_cmpint (spark_hunk_get_state (good), ==, SPARK_HUNK_REJECTED);
  g_assert_cmpint (spark_hunk_get_state (bad), ==, SPARK_HUNK_CONFLICT);

  /* Letting go of the changeset lets go of everything in it. */
  spark_review_view_set_changeset (f->view, NULL);
  g_clear_object (&parser);
  spark_test_spin (100);
  g_assert_finalize_object (g_steal_pointer (&cs));
}

/* Runs what the view does for @keyval in the capture phase (the arrows);
 * TRUE when it took the key. */
static gboolean
press_arrow (Fixture *f,
             guint    keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->view));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (controller)) != GTK_PHASE_CAPTURE)
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_str_has_prefix (trigger, gdk_keyval_name (keyval)))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                 GTK_WIDGET (f->view),
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }

  g_error ("No capture shortcut for %s", gdk_keyval_name (keyval));
  return FALSE;
}

/* A long patch: rows are recycled while scrolling, and an edit in progress
 * survives its row going off screen and coming back. */
static void
test_long_patch (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(SparkChangeset) cs = spark_changeset_new (f->work.ws);
  g_autoptr(GString) file = g_string_new (NULL);
  g_autoptr(GString) patch = g_string_new ("*** Begin Patch\n*** Update File: long.c\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const guint n = 300;
  SparkHunk *first, *last;
  SparkHunkRow *row;
  GtkTextBuffer *buffer;
  gint64 start;

  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (file, "int\nf%u (void)\n{\n  return %u;\n}\n\n", i, i);
      g_string_append_printf (patch, "@@ f%u (void)\n {\n-  return %u;\n+  return %u;\n }\n", i, i, i * 10);
    }
  g_string_append (patch, "*** End Patch\n");
  spark_test_write_file (f->work.root, "long.c", file->str);

  spark_changeset_follow_parser (cs, parser);
  spark_review_view_set_changeset (f->view, cs);
  spark_review_view_set_streaming (f->view, TRUE);

  start = g_get_monotonic_time ();
  for (gsize offset = 0; offset < patch->len; offset += 64)
    {
      g_assert_true (spark_patch_parser_feed (parser, patch->str + offset,
                                              MIN (64, patch->len - offset), &error));
      g_assert_no_error (error);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);
  spark_review_view_set_streaming (f->view, FALSE);
  g_test_message ("streamed %u hunks into the view in %.0f ms", n,
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (spark_changeset_get_n_hunks (cs), ==, n);

  first = hunk_at (cs, 0, 0);
  last = hunk_at (cs, 0, n - 1);
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == first);

  /* Not every hunk has a row (GTK 4.8 keeps about 200 around the
   * visible ones). */
  SPARK_TEST_WAIT_UNTIL (row_for (f, first) != NULL);
  {
    g_autoptr(GPtrArray) rows = spark_test_find_all (GTK_WIDGET (f->view), SPARK_TYPE_HUNK_ROW);

    g_assert_cmpuint (rows->len, <, n);
  }

  /* Start an edit, scroll to the end and back: the edit is still there. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.edit-hunk", NULL));
  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, first)) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (spark_hunk_row_get_edit_view (row))));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (spark_hunk_row_get_edit_view (row)));
  gtk_text_buffer_set_text (buffer, "{\n  return -1;\n}", -1);

  /* Down belongs to the text while editing, and moves the review otherwise. */
  g_assert_true (gtk_widget_is_focus (GTK_WIDGET (spark_hunk_row_get_edit_view (row))));
  g_assert_false (press_arrow (f, GDK_KEY_Down));
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == first);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (row)));
  g_assert_true (press_arrow (f, GDK_KEY_Down));
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == hunk_at (cs, 0, 1));
  g_assert_true (press_arrow (f, GDK_KEY_Up));
  g_assert_true (spark_review_view_get_selected_hunk (f->view) == first);

  g_assert_true (spark_review_view_select_hunk (f->view, last));
  SPARK_TEST_WAIT_UNTIL (row_for (f, last) != NULL && row_for (f, first) == NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "review.accept-hunk", NULL));
  g_assert_cmpint (spark_hunk_get_state (last), ==, SPARK_HUNK_ACCEPTED);

  g_assert_true (spark_review_view_select_hunk (f->view, first));
  SPARK_TEST_WAIT_UNTIL ((row = row_for (f, first)) != NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (row_child (row, "stack")), ==, "edit");
  text = buffer_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (spark_hunk_row_get_edit_view (row))));
  g_assert_cmpstr (text, ==, "{\n  return -1;\n}");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "hunk.save-edit", NULL));
  g_assert_cmpint (spark_hunk_get_state (first), ==, SPARK_HUNK_EDITED);
  g_assert_cmpstr (gtk_label_get_text (view_child (f, "summary_label")), ==, "2 of 300 hunks accepted");
}

/* An operation that cannot be done shows why on its file header. */
static void
test_file_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SparkPatchParser) parser = spark_patch_parser_new ();
  g_autoptr(SparkChangeset) cs = spark_changeset_new (f->work.ws);
  g_autoptr(GError) error = NULL;
  SparkReviewFileRow *file_row;
  GtkLabel *label;

  spark_changeset_follow_parser (cs, parser);
  spark_review_view_set_changeset (f->view, cs);
  g_assert_true (spark_patch_parser_feed (parser,
                                          "*** Begin Patch\n"
                                          "*** Update File: missing.txt\n"
                                          "@@\n-a\n+b\n"
                                          "*** End Patch\n", -1, &error));
  g_assert_true (spark_patch_parser_finish (parser, &error));
  g_assert_no_error (error);
  g_assert_nonnull (spark_file_change_get_error (spark_changeset_get_file (cs, 0)));

  SPARK_TEST_WAIT_UNTIL ((file_row = file_row_for (f, spark_changeset_get_file (cs, 0))) != NULL);
  label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (file_row), SPARK_TYPE_REVIEW_FILE_ROW,
                                                    "error_label"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (label)));
  g_assert_cmpstr (gtk_label_get_text (label), ==,
                   spark_file_change_get_error (spark_changeset_get_file (cs, 0))->message);
  g_assert_false (gtk_widget_is_sensitive (view_child (f, "apply_button")));
  save_screenshot (GTK_WIDGET (f->window), "review-file-error.png");
}

/* "trigger=action" lines of @widget's shortcut controllers in @phase. */
static char *
describe_bindings (GtkWidget           *widget,
                   GtkPropagationPhase  phase)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GString) found = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (controller)) != phase)
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          g_string_append_printf (found, "%s=%s\n", trigger,
                                  GTK_IS_NAMED_ACTION (action)
                                    ? gtk_named_action_get_action_name (GTK_NAMED_ACTION (action))
                                    : "callback");
        }
    }

  return g_string_free (g_steal_pointer (&found), FALSE);
}

/* The keys are class bindings of the view (bubble phase: a focused entry or
 * text view gets the letters first). */
static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  const struct { const char *trigger; const char *action; } expected[] = {
    { "j", "review.next-hunk" },
    { "Down", "review.next-hunk" },
    { "k", "review.previous-hunk" },
    { "Up", "review.previous-hunk" },
    { "a", "review.accept-hunk" },
    { "r", "review.reject-hunk" },
    { "e", "review.edit-hunk" },
    { "<Control>Return", "review.apply" },
  };
  g_autofree char *found = describe_bindings (GTK_WIDGET (f->view), GTK_PHASE_BUBBLE);
  g_autofree char *arrows = describe_bindings (GTK_WIDGET (f->view), GTK_PHASE_CAPTURE);
  g_autofree char *edit_keys = NULL;
  GtkWidget *row = g_object_ref_sink (spark_hunk_row_new ());

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *line = g_strdup_printf ("%s=%s\n", expected[i].trigger, expected[i].action);

      if (strstr (found, line) == NULL)
        g_error ("Missing binding %s in:\n%s", line, found);
    }

  /* Up/Down are taken before the list view moves its own focus. */
  g_assert_nonnull (strstr (arrows, "Down|KP_Down=callback"));
  g_assert_nonnull (strstr (arrows, "Up|KP_Up=callback"));

  /* In the edit view, Ctrl+Enter keeps the edit before the text view
   * makes it a newline. */
  edit_keys = describe_bindings (GTK_WIDGET (spark_hunk_row_get_edit_view (SPARK_HUNK_ROW (row))),
                                 GTK_PHASE_CAPTURE);
  g_assert_nonnull (strstr (edit_keys, "<Control>Return|<Control>KP_Enter=hunk.save-edit"));
  g_object_unref (row);
}

static void
test_format_diff (void)
{
  const char *old_lines[] = { "a", "b", "c", "d", "e", NULL };
  const char *new_lines[] = { "a", "B", "c", "D", "e", "f", NULL };
  g_autoptr(SparkHunk) hunk = spark_hunk_new (NULL, old_lines, new_lines, FALSE);
  g_autofree char *diff = NULL;
  guint added = 0, removed = 0;

  diff = spark_hunk_row_format_diff (hunk, &added, &removed);
  g_assert_cmpstr (diff, ==, " a\n-b\n+B\n c\n-d\n+D\n e\n+f");
  g_assert_cmpuint (added, ==, 3);
  g_assert_cmpuint (removed, ==, 2);
}

#define fixtured_test(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  spark_test_init_gtk (&argc, &argv);
  gtk_source_init ();

  g_test_add_func ("/spark/review-view/format-diff", test_format_diff);
  fixtured_test ("/spark/review-view/empty", test_empty);
  fixtured_test ("/spark/review-view/stream-and-decide", test_stream_and_decide);
  fixtured_test ("/spark/review-view/replace", test_replace);
  fixtured_test ("/spark/review-view/conflict-and-all", test_conflict_and_all);
  fixtured_test ("/spark/review-view/merge-conflict", test_merge_conflict);
  fixtured_test ("/spark/review-view/file-error", test_file_error);
  fixtured_test ("/spark/review-view/long-patch", test_long_patch);
  fixtured_test ("/spark/review-view/keys", test_keys);

  return g_test_run ();
}
