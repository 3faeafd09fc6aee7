/* test-changes-view.c: the "Diff vs HEAD" view and the commit dialog on real
 * git repositories, under Xvfb
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <git2.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>

#include "spark-changes-view.h"
#include "spark-commit-dialog.h"
#include "spark-git-diff.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"

/* 20 lines; LINES_2_18 changes lines 2 and 18, far enough apart to make two
 * hunks. */
#define LINES \
  "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n" \
  "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nline 18\nline 19\nline 20\n"
#define LINES_2_18 \
  "line 1\nLINE 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n" \
  "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nLINE 18\nline 19\nline 20\n"
#define LINES_2 \
  "line 1\nLINE 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n" \
  "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nline 18\nline 19\nline 20\n"

#define LINES_2_18_AGAIN \
  "line 1\nLine 2, again\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n" \
  "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\nLINE 18\nline 19\nline 20\n"

#define HUNK_2 \
  "@@ -1,5 +1,5 @@\n line 1\n-line 2\n+LINE 2\n line 3\n line 4\n line 5\n"
#define HUNK_18 \
  "@@ -15,6 +15,6 @@ line 14\n line 15\n line 16\n line 17\n-line 18\n+LINE 18\n line 19\n line 20\n"

#define NEW_TXT "a new file\nof two lines\n"

static char *fake_home;

/* Git ------------------------------------------------------------------ */

static const char *
from_first_hunk (const char *diff)
{
  const char *at = strstr (diff, "@@ ");

  return at ? at : "";
}

/* A repository with a.txt modified in two places (two hunks), new.txt
 * untracked and gone.txt deleted, nothing staged. */
static char *
make_repo (gboolean with_identity)
{
  char *dir = spark_test_make_temp_dir ();
  g_autofree char *gone = NULL;

  spark_test_git (dir, "init", "-q", NULL);
  if (with_identity)
    {
      spark_test_git (dir, "config", "user.name", "Ada Lovelace", NULL);
      spark_test_git (dir, "config", "user.email", "ada@example.invalid", NULL);
    }
  spark_test_write_file (dir, "a.txt", LINES);
  spark_test_write_file (dir, "gone.txt", "going, going\n");
  spark_test_git (dir, "add", "-A", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "base", NULL);

  spark_test_write_file (dir, "a.txt", LINES_2_18);
  spark_test_write_file (dir, "new.txt", NEW_TXT);
  gone = g_build_filename (dir, "gone.txt", NULL);
  g_assert_cmpint (g_remove (gone), ==, 0);
  return dir;
}

/* Widgets -------------------------------------------------------------- */

static gboolean
match_label (GtkWidget     *widget,
             gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), data);
}

static gboolean
match_label_containing (GtkWidget     *widget,
                        gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  return spark_test_find_first (root, match_label, text);
}

typedef struct
{
  const char *action;
  GVariant   *target;
} ButtonQuery;

static gboolean
match_button (GtkWidget     *widget,
              gconstpointer  data)
{
  const ButtonQuery *query = data;
  GVariant *target;

  if (!GTK_IS_BUTTON (widget) || !gtk_widget_get_visible (widget) ||
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), query->action) != 0)
    return FALSE;

  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));
  return query->target == NULL || (target != NULL && g_variant_equal (target, query->target));
}

/* The visible button bound to @action (with @target, floating, consumed). */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *action,
             GVariant   *target)
{
  ButtonQuery query = { action, target ? g_variant_ref_sink (target) : NULL };
  GtkWidget *found = spark_test_find_first (root, match_button, &query);

  g_clear_pointer (&query.target, g_variant_unref);
  return found;
}

static const char *
visible_page (SparkChangesView *view)
{
  GtkWidget *stack = spark_test_find_widget (GTK_WIDGET (view), GTK_TYPE_STACK);

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static gboolean
error_shown (SparkChangesView *view)
{
  GtkWidget *revealer = spark_test_find_widget (GTK_WIDGET (view), GTK_TYPE_REVEALER);

  g_assert_nonnull (revealer);
  return gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
}

static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  /* "activate" would click only after an animation. */
  g_signal_emit_by_name (button, "clicked");
}

/* A window showing the changes of @dir, read. */
static SparkChangesView *
open_view (const char  *dir,
           GtkWindow  **window_out)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  SparkChangesView *view = SPARK_CHANGES_VIEW (spark_changes_view_new ());

  gtk_window_set_default_size (window, 900, 760);
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  spark_changes_view_set_root (view, dir);
  SPARK_TEST_WAIT_UNTIL (!spark_changes_view_get_busy (view));
  *window_out = window;
  return view;
}

static void
wait_idle (SparkChangesView *view)
{
  /* An operation reloads the diff once done: wait for both. */
  SPARK_TEST_WAIT_UNTIL (!spark_changes_view_get_busy (view));
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* Tests: the view ------------------------------------------------------ */

static void
test_rows (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autofree char *plain = spark_test_make_temp_dir ();
  g_autofree char *clean = spark_test_make_temp_dir ();
  GtkWindow *window = NULL;
  SparkChangesView *view = open_view (dir, &window);
  SparkGitDiff *diff = spark_changes_view_get_diff (view);
  SparkGitDiffFile *file;
  GtkWidget *row;
  GtkWidget *hunk;

  g_assert_nonnull (diff);
  g_assert_cmpstr (visible_page (view), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (diff)), ==, 3);
  g_assert_false (spark_changes_view_get_has_staged (view));

  file = spark_git_diff_lookup (diff, "a.txt");
  g_assert_nonnull (file);
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_MODIFIED);
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (file), ==, 2);
  file = spark_git_diff_lookup (diff, "new.txt");
  g_assert_nonnull (file);
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_ADDED);
  file = spark_git_diff_lookup (diff, "gone.txt");
  g_assert_nonnull (file);
  g_assert_cmpint (spark_git_diff_file_get_status (file), ==, SPARK_GIT_DIFF_FILE_DELETED);

  /* What the rows show: paths, status letters, counts, the header. */
  SPARK_TEST_WAIT_UNTIL (find_label (GTK_WIDGET (view), "gone.txt") != NULL);
  g_assert_nonnull (find_label (GTK_WIDGET (view), "a.txt"));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "new.txt"));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "+2 −2"));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "+2 −0"));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "+0 −1"));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "M"));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "A"));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "D"));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "3 files changed, +4 −3"));
  /* Two hunks of a.txt, one each of the others, all with Stage Hunk. */
  g_assert_nonnull (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                                 g_variant_new ("(su)", "a.txt", 1)));
  g_assert_nonnull (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                                 g_variant_new ("(su)", "gone.txt", 0)));
  g_assert_nonnull (find_button (GTK_WIDGET (view), "changes.stage-file",
                                 g_variant_new_string ("new.txt")));
  g_assert_null (find_button (GTK_WIDGET (view), "changes.unstage-file", NULL));
  g_assert_false (gtk_widget_is_sensitive (find_button (GTK_WIDGET (view), "changes.commit", NULL)));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (find_button (GTK_WIDGET (view), "changes.commit", NULL)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Commit");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (find_button (GTK_WIDGET (view), "changes.toggle-expanded",
                                                                    g_variant_new_string ("a.txt"))),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Hide Hunks");

  /* Screen readers get each file and hunk by name. */
  row = gtk_widget_get_parent (gtk_widget_get_parent (find_label (GTK_WIDGET (view), "gone.txt")));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "gone.txt, Deleted, Unstaged");
  hunk = gtk_widget_get_parent (gtk_widget_get_parent (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                                                                    g_variant_new ("(su)", "gone.txt", 0))));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (hunk), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Hunk 1 of gone.txt, Unstaged");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (hunk), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "-going, going");

  /* Collapsing a file hides its hunks. */
  click (find_button (GTK_WIDGET (view), "changes.toggle-expanded", g_variant_new_string ("a.txt")));
  g_assert_null (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                              g_variant_new ("(su)", "a.txt", 1)));
  click (find_button (GTK_WIDGET (view), "changes.toggle-expanded", g_variant_new_string ("a.txt")));
  g_assert_nonnull (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                                 g_variant_new ("(su)", "a.txt", 1)));

  /* A folder git does not track, then a clean repository, then none. */
  spark_changes_view_set_root (view, plain);
  SPARK_TEST_WAIT_UNTIL (!spark_changes_view_get_busy (view));
  g_assert_cmpstr (visible_page (view), ==, "not-repo");
  g_assert_null (spark_changes_view_get_diff (view));

  spark_test_git (clean, "init", "-q", NULL);
  spark_test_write_file (clean, "x.txt", "x\n");
  spark_test_git (clean, "add", "-A", NULL);
  spark_test_git (clean, "commit", "-q", "-m", "x", NULL);
  spark_changes_view_set_root (view, clean);
  SPARK_TEST_WAIT_UNTIL (!spark_changes_view_get_busy (view));
  g_assert_cmpstr (visible_page (view), ==, "empty");

  spark_changes_view_set_root (view, NULL);
  g_assert_cmpstr (visible_page (view), ==, "none");

  /* Nothing keeps the view alive once its window is gone. */
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &view);
  gtk_window_destroy (window);
  SPARK_TEST_WAIT_UNTIL (view == NULL);
  spark_test_rm_rf (dir);
  spark_test_rm_rf (plain);
  spark_test_rm_rf (clean);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

static void
test_stage_hunk (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autofree char *cached = NULL;
  g_autofree char *unstaged = NULL;
  g_autofree char *names = NULL;
  g_autofree char *work = NULL;
  GtkWindow *window = NULL;
  SparkChangesView *view = open_view (dir, &window);
  SparkGitDiffFile *file;
  guint n_notify = 0;

  g_signal_connect (view, "notify::has-staged", G_CALLBACK (notify_cb), &n_notify);

  /* Stage the first hunk of a.txt with its button. */
  SPARK_TEST_WAIT_UNTIL (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                           g_variant_new ("(su)", "a.txt", 0)) != NULL);
  click (find_button (GTK_WIDGET (view), "changes.stage-hunk", g_variant_new ("(su)", "a.txt", 0)));
  wait_idle (view);
  g_assert_false (error_shown (view));
  g_assert_true (spark_changes_view_get_has_staged (view));
  g_assert_cmpuint (n_notify, ==, 1);

  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (from_first_hunk (cached), ==, HUNK_2);
  unstaged = spark_test_git_output (dir, "diff", NULL);
  g_assert_nonnull (strstr (unstaged, HUNK_18));
  g_assert_null (strstr (unstaged, "LINE 2"));
  work = spark_test_read_file (dir, "a.txt", NULL);
  g_assert_cmpstr (work, ==, LINES_2_18);

  file = spark_git_diff_lookup (spark_changes_view_get_diff (view), "a.txt");
  g_assert_cmpint (spark_git_diff_file_get_stage_state (file), ==, SPARK_GIT_STAGE_PARTIAL);
  g_assert_cmpint (spark_git_diff_hunk_get_stage_state (spark_git_diff_file_get_hunk (file, 0)),
                   ==, SPARK_GIT_STAGE_STAGED);
  SPARK_TEST_WAIT_UNTIL (find_label (GTK_WIDGET (view), "Partly Staged") != NULL);
  g_assert_nonnull (find_button (GTK_WIDGET (view), "changes.unstage-hunk",
                                 g_variant_new ("(su)", "a.txt", 0)));
  g_assert_null (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                              g_variant_new ("(su)", "a.txt", 0)));
  g_assert_true (gtk_widget_is_sensitive (find_button (GTK_WIDGET (view), "changes.commit", NULL)));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "3 files changed, +4 −3, 1 staged"));

  spark_test_save_screenshot (GTK_WIDGET (window), "changes-view.png");

  /* And back. */
  click (find_button (GTK_WIDGET (view), "changes.unstage-hunk", g_variant_new ("(su)", "a.txt", 0)));
  wait_idle (view);
  g_clear_pointer (&cached, g_free);
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (cached, ==, "");
  g_assert_false (spark_changes_view_get_has_staged (view));
  g_assert_cmpuint (n_notify, ==, 2);
  g_clear_pointer (&work, g_free);
  work = spark_test_read_file (dir, "a.txt", NULL);
  g_assert_cmpstr (work, ==, LINES_2_18);

  /* A whole file, with Stage File / Unstage File. */
  SPARK_TEST_WAIT_UNTIL (find_button (GTK_WIDGET (view), "changes.stage-file",
                           g_variant_new_string ("new.txt")) != NULL);
  click (find_button (GTK_WIDGET (view), "changes.stage-file", g_variant_new_string ("new.txt")));
  wait_idle (view);
  names = spark_test_git_output (dir, "diff", "--cached", "--name-status", NULL);
  g_assert_cmpstr (names, ==, "A\tnew.txt\n");
  SPARK_TEST_WAIT_UNTIL (find_button (GTK_WIDGET (view), "changes.unstage-file",
                           g_variant_new_string ("new.txt")) != NULL);
  click (find_button (GTK_WIDGET (view), "changes.unstage-file", g_variant_new_string ("new.txt")));
  wait_idle (view);
  g_clear_pointer (&names, g_free);
  names = spark_test_git_output (dir, "diff", "--cached", "--name-status", NULL);
  g_assert_cmpstr (names, ==, "");

  gtk_window_destroy (window);
  spark_test_rm_rf (dir);
}

static void
test_stale_hunk (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autofree char *cached = NULL;
  GtkWindow *window = NULL;
  SparkChangesView *view = open_view (dir, &window);

  /* The file changes behind the view's back: its hunk no longer applies. */
  spark_test_write_file (dir, "a.txt", LINES_2_18_AGAIN);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "changes.stage-hunk", "(su)", "a.txt", 0));
  wait_idle (view);
  g_assert_true (error_shown (view));
  g_assert_nonnull (spark_test_find_first (GTK_WIDGET (view), match_label_containing, "changed since it was read"));
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_cmpstr (cached, ==, "");

  /* Reload from the error bar. */
  click (find_button (GTK_WIDGET (view), "changes.reload", NULL));
  wait_idle (view);
  g_assert_false (error_shown (view));
  g_assert_nonnull (find_label (GTK_WIDGET (view), "+2 −2"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "changes.stage-hunk", "(su)", "a.txt", 0));
  wait_idle (view);
  g_assert_false (error_shown (view));
  g_clear_pointer (&cached, g_free);
  cached = spark_test_git_output (dir, "diff", "--cached", NULL);
  g_assert_nonnull (strstr (cached, "+Line 2, again\n"));

  gtk_window_destroy (window);
  spark_test_rm_rf (dir);
}

static void
test_big_file (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GString) before = g_string_new (NULL);
  g_autoptr(GString) after = g_string_new (NULL);
  GtkWindow *window = NULL;
  SparkChangesView *view;
  GtkWidget *expand;

  /* 15 changes 20 lines apart: 15 hunks. */
  for (guint i = 1; i <= 300; i++)
    {
      g_string_append_printf (before, "line %u\n", i);
      g_string_append_printf (after, i % 20 == 10 ? "LINE %u\n" : "line %u\n", i);
    }
  spark_test_git (dir, "init", "-q", NULL);
  spark_test_write_file (dir, "big.txt", before->str);
  spark_test_git (dir, "add", "-A", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "base", NULL);
  spark_test_write_file (dir, "big.txt", after->str);

  view = open_view (dir, &window);
  g_assert_cmpuint (spark_git_diff_file_get_n_hunks (spark_git_diff_lookup (spark_changes_view_get_diff (view),
                                                                            "big.txt")), ==, 15);
  /* It starts collapsed; its row says so and opens on request. */
  SPARK_TEST_WAIT_UNTIL (find_label (GTK_WIDGET (view), "+15 −15") != NULL);
  expand = find_button (GTK_WIDGET (view), "changes.toggle-expanded", g_variant_new_string ("big.txt"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (expand), GTK_ACCESSIBLE_PROPERTY_LABEL, "Show Hunks");
  g_assert_null (find_button (GTK_WIDGET (view), "changes.stage-hunk", NULL));
  click (expand);
  g_assert_nonnull (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                                 g_variant_new ("(su)", "big.txt", 14)));
  /* A reload keeps it open. */
  spark_changes_view_reload (view);
  wait_idle (view);
  SPARK_TEST_WAIT_UNTIL (find_button (GTK_WIDGET (view), "changes.stage-hunk",
                           g_variant_new ("(su)", "big.txt", 14)) != NULL);

  gtk_window_destroy (window);
  spark_test_rm_rf (dir);
}

/* Tests: the commit dialog --------------------------------------------- */

static void
committed_cb (SparkCommitDialog *dialog,
              const char        *commit_id,
              char             **out)
{
  g_assert_null (*out);
  *out = g_strdup (commit_id);
}

static void
test_commit (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autofree char *commit_id = NULL;
  g_autofree char *head = NULL;
  g_autofree char *message = NULL;
  g_autofree char *log = NULL;
  g_autofree char *author = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *work = NULL;
  g_autofree char *unstaged = NULL;
  GtkWindow *window = NULL;
  SparkChangesView *view = open_view (dir, &window);
  SparkCommitDialog *dialog;
  guint n_requests = 0;

  /* Stage the first hunk of a.txt and new.txt; leave the rest. */
  gtk_widget_activate_action (GTK_WIDGET (view), "changes.stage-hunk", "(su)", "a.txt", 0);
  wait_idle (view);
  gtk_widget_activate_action (GTK_WIDGET (view), "changes.stage-file", "s", "new.txt");
  wait_idle (view);
  g_assert_true (spark_changes_view_get_has_staged (view));

  g_signal_connect (view, "commit-requested", G_CALLBACK (count_cb), &n_requests);
  click (find_button (GTK_WIDGET (view), "changes.commit", NULL));
  g_assert_cmpuint (n_requests, ==, 1);

  dialog = spark_commit_dialog_new (window, dir, "Prefilled summary\n\nM a.txt\n");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_connect (dialog, "committed", G_CALLBACK (committed_cb), &commit_id);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == window);
  SPARK_TEST_WAIT_UNTIL (!spark_commit_dialog_get_busy (dialog));

  message = spark_commit_dialog_dup_message (dialog);
  g_assert_cmpstr (message, ==, "Prefilled summary\n\nM a.txt\n");
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Ada Lovelace <ada@example.invalid>"));
  /* The staged files, and only those. */
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "a.txt"));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "new.txt"));
  g_assert_null (find_label (GTK_WIDGET (dialog), "gone.txt"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (spark_test_find_widget (GTK_WIDGET (dialog),
                                                                               GTK_TYPE_TEXT_VIEW)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Commit Message");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (find_button (GTK_WIDGET (dialog), "commit.commit", NULL)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Commit");

  spark_commit_dialog_set_message (dialog, "Shout two lines\n\nLine 2 becomes LINE 2; new.txt arrives.\n");
  spark_test_save_screenshot (GTK_WIDGET (dialog), "commit-dialog.png");

  click (find_button (GTK_WIDGET (dialog), "commit.commit", NULL));
  /* A commit under way cannot be walked away from. */
  g_assert_true (spark_commit_dialog_get_busy (dialog));
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  SPARK_TEST_WAIT_UNTIL (commit_id != NULL && dialog == NULL);

  head = spark_test_git_output (dir, "rev-parse", "HEAD", NULL);
  g_strchomp (head);
  g_assert_cmpstr (head, ==, commit_id);
  log = spark_test_git_output (dir, "log", "-1", "--format=%s%n%b", NULL);
  g_assert_cmpstr (log, ==, "Shout two lines\nLine 2 becomes LINE 2; new.txt arrives.\n\n");
  author = spark_test_git_output (dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>", NULL);
  g_assert_cmpstr (author, ==, "Ada Lovelace <ada@example.invalid>|Ada Lovelace <ada@example.invalid>\n");

  /* The tree: the staged bytes, nothing else. */
  blob = spark_test_git_output (dir, "show", "HEAD:a.txt", NULL);
  g_assert_cmpstr (blob, ==, LINES_2);
  g_clear_pointer (&blob, g_free);
  blob = spark_test_git_output (dir, "show", "HEAD:new.txt", NULL);
  g_assert_cmpstr (blob, ==, NEW_TXT);
  tree = spark_test_git_output (dir, "ls-tree", "--name-only", "HEAD", NULL);
  g_assert_cmpstr (tree, ==, "a.txt\ngone.txt\nnew.txt\n");

  /* The work tree is untouched; what was not staged still is not. */
  work = spark_test_read_file (dir, "a.txt", NULL);
  g_assert_cmpstr (work, ==, LINES_2_18);
  unstaged = spark_test_git_output (dir, "diff", "--", "a.txt", NULL);
  g_assert_cmpstr (from_first_hunk (unstaged), ==, HUNK_18);

  /* The lead reloads the view on git status changes. */
  spark_changes_view_reload (view);
  wait_idle (view);
  g_assert_false (spark_changes_view_get_has_staged (view));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (spark_changes_view_get_diff (view))), ==, 2);

  gtk_window_destroy (window);
  spark_test_rm_rf (dir);
}

static void
test_commit_nothing_staged (void)
{
  g_autofree char *dir = make_repo (TRUE);
  g_autofree char *head = NULL;
  g_autofree char *after = NULL;
  g_autofree char *message = NULL;
  g_autofree char *commit_id = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  SparkCommitDialog *dialog;
  GtkWidget *error_label;

  gtk_window_present (window);
  head = spark_test_git_output (dir, "rev-parse", "HEAD", NULL);

  dialog = spark_commit_dialog_new (window, dir, NULL);
  g_signal_connect (dialog, "committed", G_CALLBACK (committed_cb), &commit_id);
  gtk_window_present (GTK_WINDOW (dialog));
  SPARK_TEST_WAIT_UNTIL (!spark_commit_dialog_get_busy (dialog));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Nothing is staged"));

  spark_commit_dialog_set_message (dialog, "Keep me\n\nEvery word.");
  /* The action behind the button and Ctrl+Enter. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "commit.commit", NULL);
  SPARK_TEST_WAIT_UNTIL (spark_commit_dialog_get_error (dialog) != NULL && !spark_commit_dialog_get_busy (dialog));

  error_label = spark_test_find_first (GTK_WIDGET (dialog), match_label_containing,
                                       spark_commit_dialog_get_error (dialog));
  g_assert_nonnull (error_label);
  g_assert_true (gtk_widget_has_css_class (error_label, "error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_null (commit_id);
  message = spark_commit_dialog_dup_message (dialog);
  g_assert_cmpstr (message, ==, "Keep me\n\nEvery word.");
  after = spark_test_git_output (dir, "rev-parse", "HEAD", NULL);
  g_assert_cmpstr (after, ==, head);
  g_assert_true (gtk_widget_is_sensitive (find_button (GTK_WIDGET (dialog), "commit.commit", NULL)));

  spark_test_save_screenshot (GTK_WIDGET (dialog), "commit-dialog-error.png");

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (window);
  spark_test_rm_rf (dir);
}

static void
test_no_identity (void)
{
  g_autofree char *dir = make_repo (FALSE);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  SparkCommitDialog *dialog;

  gtk_window_present (window);
  spark_test_git (dir, "add", "new.txt", NULL);
  dialog = spark_commit_dialog_new (window, dir, "Anything");
  gtk_window_present (GTK_WINDOW (dialog));
  SPARK_TEST_WAIT_UNTIL (!spark_commit_dialog_get_busy (dialog));
  /* It says what to run. */
  g_assert_nonnull (spark_test_find_first (GTK_WIDGET (dialog), match_label_containing,
                                           "git config --global user.email"));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "new.txt"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (window);
  spark_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* No identity or other setting from the person running the tests: an
   * empty home, for git and for libgit2 (which reads its search paths once). */
  fake_home = spark_test_isolate_git_config ();

  spark_test_init_gtk (&argc, &argv);
  gtk_source_init ();

  g_test_add_func ("/spark/changes-view/rows", test_rows);
  g_test_add_func ("/spark/changes-view/stage-hunk", test_stage_hunk);
  g_test_add_func ("/spark/changes-view/stale-hunk", test_stale_hunk);
  g_test_add_func ("/spark/changes-view/big-file", test_big_file);
  g_test_add_func ("/spark/commit-dialog/commit", test_commit);
  g_test_add_func ("/spark/commit-dialog/nothing-staged", test_commit_nothing_staged);
  g_test_add_func ("/spark/commit-dialog/no-identity", test_no_identity);

  return g_test_run ();
}
