/* test-window.c: the real window on a real git repository, under Xvfb
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "spark-application.h"
#include "spark-directory-list.h"
#include "spark-editor-page.h"
#include "spark-fake-server.h"
#include "spark-changes-view.h"
#include "spark-git-diff.h"
#include "spark-latency-meter.h"
#include "spark-session-list.h"
#include "spark-preferences-window.h"
#include "spark-quick-open.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"
#include "spark-tools.h"
#include "spark-window.h"

static SparkApplication *app;

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

#define WAIT_UNTIL(cond, what)                                   \
  G_STMT_START {                                                 \
    guint deadline_ = spark_test_add_deadline (30, what);        \
    while (!(cond))                                              \
      g_main_context_iteration (NULL, TRUE);                     \
    g_source_remove (deadline_);                                 \
  } G_STMT_END

/* The rows of the tree as "name" / "name/" / "name:M", indented by depth. */
static char *
describe_rows (GListModel *rows)
{
  g_autoptr(GString) str = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(SparkFileNode) node = gtk_tree_list_row_get_item (row);
      SparkGitStatus status = spark_file_node_get_git_status (node);

      if (str->len)
        g_string_append_c (str, ' ');
      for (guint d = 0; d < gtk_tree_list_row_get_depth (row); d++)
        g_string_append_c (str, '>');
      g_string_append (str, spark_file_node_get_name (node));
      if (spark_file_node_get_is_directory (node))
        g_string_append_c (str, '/');
      if (status != SPARK_GIT_STATUS_NONE)
        g_string_append_printf (str, ":%s", spark_git_status_to_letter (status));
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

static gboolean
rows_are (GListModel *rows,
          const char *expected)
{
  g_autofree char *now = describe_rows (rows);

  return g_strcmp0 (now, expected) == 0;
}

static guint
find_row (GListModel *rows,
          const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(SparkFileNode) node = gtk_tree_list_row_get_item (row);

      if (g_strcmp0 (spark_file_node_get_name (node), name) == 0)
        return i;
    }

  g_error ("No row named %s", name);
  return 0;
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

/* What a click on a button of the dialog does: answer, then close. */
static void
answer_dialog (const char *response)
{
  GtkWindow *dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  gtk_window_destroy (dialog);
}

static char *
make_repo (void)
{
  char *dir = spark_test_make_temp_dir ();

  spark_test_git (dir, "init", "-q", NULL);
  spark_test_write_file (dir, ".gitignore", "*.o\n");
  spark_test_write_file (dir, "README.md", "# Demo\n\nA small project.\n");
  spark_test_write_file (dir, "src/main.c", "#include <stdio.h>\n\nint\nmain (void)\n{\n  return 0;\n}\n");
  spark_test_write_file (dir, "src/util.c", "int util (void) { return 1; }\n");
  spark_test_git (dir, "add", ".", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "first", NULL);

  spark_test_write_file (dir, "README.md", "# Demo\n\nA small project, changed.\n");
  spark_test_write_file (dir, "src/util.c", "int util (void) { return 2; }\n");
  spark_test_write_file (dir, "notes.txt", "new and untracked\n");
  spark_test_write_file (dir, "build.o", "ignored\n");

  return dir;
}

static void
test_open_edit_save (void)
{
  g_autofree char *dir = make_repo ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_auto(GStrv) recent = NULL;
  g_autofree char *folder_uri = g_file_get_uri (folder);
  g_autofree char *bytes = NULL;
  SparkWindow *window;
  SparkFileTree *tree;
  GListModel *rows;
  AdwTabView *tab_view;
  SparkEditorPage *page;
  GtkTextIter end;
  guint pos;

  window = spark_application_open_folder (app, folder, NULL);
  g_assert_nonnull (window);
  g_assert_nonnull (spark_window_get_project (window));

  tree = spark_window_get_file_tree (window);
  rows = spark_file_tree_get_rows (tree);
  g_assert_nonnull (rows);

  /* Folders first, .git and ignored files hidden, git status per file. */
  WAIT_UNTIL (rows_are (rows, "src/:M .gitignore notes.txt:A README.md:M"), "the tree's first level");

  /* Lazy children: src is listed when its row expands. */
  pos = find_row (rows, "src");
  {
    g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, pos);
    gtk_tree_list_row_set_expanded (row, TRUE);
  }
  WAIT_UNTIL (rows_are (rows, "src/:M >main.c >util.c:M .gitignore notes.txt:A README.md:M"),
              "the src folder's rows");

  /* Activating a row opens the file in a tab. */
  g_signal_emit_by_name (spark_file_tree_get_list_view (tree), "activate", find_row (rows, "main.c"));
  tab_view = spark_window_get_tab_view (window);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  page = spark_window_get_current_page (window);
  WAIT_UNTIL (!spark_editor_page_get_loading (page), "main.c to load");
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_selected_page (tab_view)), ==, "main.c");

  /* Activating it again selects the same tab. */
  g_signal_emit_by_name (spark_file_tree_get_list_view (tree), "activate", find_row (rows, "main.c"));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);

  /* Edit, save with the window's action, check the bytes on disk. */
  gtk_text_buffer_get_end_iter (GTK_TEXT_BUFFER (spark_editor_page_get_buffer (page)), &end);
  gtk_text_buffer_insert (GTK_TEXT_BUFFER (spark_editor_page_get_buffer (page)), &end,
                          "/* edited in Spark */\n", -1);
  g_assert_true (spark_editor_page_get_modified (page));
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_selected_page (tab_view)), ==, "• main.c");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.save", NULL);
  WAIT_UNTIL (!spark_editor_page_get_modified (page), "the save");
  bytes = spark_test_read_file (dir, "src/main.c", NULL);
  g_assert_cmpstr (bytes, ==,
                   "#include <stdio.h>\n\nint\nmain (void)\n{\n  return 0;\n}\n/* edited in Spark */\n");
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_selected_page (tab_view)), ==, "main.c");

  /* The tree follows the change on disk. */
  WAIT_UNTIL (rows_are (rows, "src/:M >main.c:M >util.c:M .gitignore notes.txt:A README.md:M"),
              "main.c to show as modified");

  /* The Changes page lists the project's uncommitted changes, saved file
   * included. */
  {
    SparkChangesView *changes = SPARK_CHANGES_VIEW (spark_test_find_widget (GTK_WIDGET (window), SPARK_TYPE_CHANGES_VIEW));

    g_assert_nonnull (changes);
    /* It reads the tree only while shown. */
    g_assert_null (spark_changes_view_get_diff (changes));
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-side-page", "s", "changes");
    WAIT_UNTIL (spark_changes_view_get_diff (changes) != NULL &&
                spark_git_diff_lookup (spark_changes_view_get_diff (changes), "src/main.c") != NULL,
                "the Changes page to list src/main.c");
  }

  /* The folder went to the recent list. */
  recent = g_settings_get_strv (settings, "recent-folders");
  g_assert_cmpstr (recent[0], ==, folder_uri);

  /* Let it draw, then keep a picture of it. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  wait_ms (800);
  spark_test_save_screenshot (GTK_WIDGET (window), "main-window.png");

  /* The shortcuts window is there, on Ctrl+?. */
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                  "win.show-help-overlay");

    g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
    g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>question"));
  }
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.help");

    g_assert_true (g_strv_contains ((const char * const *) accels, "F1"));
  }

  /* The approval mode in the header is the setting. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "approval-mode",
                                  g_variant_new_string ("read-only"));
  {
    g_autofree char *mode = g_settings_get_string (settings, "approval-mode");

    g_assert_cmpstr (mode, ==, "read-only");
    g_settings_reset (settings, "approval-mode");
  }

  /* F9 hides the tree, and the setting follows. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-file-tree", NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (tree)));
  g_assert_false (g_settings_get_boolean (settings, "file-tree-visible"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-file-tree", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tree)));

  /* Ctrl+W on a file with unsaved changes asks; Cancel keeps it open,
   * Discard closes it and leaves the disk alone. */
  gtk_text_buffer_get_end_iter (GTK_TEXT_BUFFER (spark_editor_page_get_buffer (page)), &end);
  gtk_text_buffer_insert (GTK_TEXT_BUFFER (spark_editor_page_get_buffer (page)), &end, "junk\n", -1);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.close-page", NULL);
  WAIT_UNTIL (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL, "the save-changes dialog");
  answer_dialog ("cancel");
  WAIT_UNTIL (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL, "the dialog to go away");
  /* The answer reaches the tab view from an idle callback. */
  wait_ms (200);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.close-page", NULL);
  WAIT_UNTIL (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL, "the save-changes dialog");
  answer_dialog ("discard");
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 0, "the tab to close");
  g_clear_pointer (&bytes, g_free);
  bytes = spark_test_read_file (dir, "src/main.c", NULL);
  g_assert_null (strstr (bytes, "junk"));

  gtk_window_destroy (GTK_WINDOW (window));
  spark_test_rm_rf (dir);
}

static void
test_quick_open (void)
{
  g_autofree char *dir = make_repo ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  SparkWindow *window = spark_application_open_folder (app, folder, NULL);
  SparkQuickOpen *quick_open;
  GListModel *results;
  SparkEditorPage *page;
  g_autofree char *path = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.quick-open", NULL);
  quick_open = SPARK_QUICK_OPEN (find_toplevel (SPARK_TYPE_QUICK_OPEN));
  g_assert_nonnull (quick_open);
  WAIT_UNTIL (spark_quick_open_get_indexed (quick_open), "the file index");

  spark_quick_open_set_query (quick_open, "utl");
  results = spark_quick_open_get_results (quick_open);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (results), 0), ==, "src/util.c");

  /* Ignored files are not offered. */
  spark_quick_open_set_query (quick_open, "build");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);

  spark_quick_open_set_query (quick_open, "read");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (results), 0), ==, "README.md");
  spark_quick_open_choose (quick_open, 0);

  page = spark_window_get_current_page (window);
  g_assert_nonnull (page);
  path = g_file_get_path (spark_editor_page_get_file (page));
  g_assert_true (g_str_has_suffix (path, "/README.md"));
  WAIT_UNTIL (!spark_editor_page_get_loading (page), "README.md to load");

  gtk_window_destroy (GTK_WINDOW (window));
  spark_test_rm_rf (dir);
}

static void
test_one_window_per_folder (void)
{
  g_autofree char *dir_a = spark_test_make_temp_dir ();
  g_autofree char *dir_b = spark_test_make_temp_dir ();
  g_autoptr(GFile) a = g_file_new_for_path (dir_a);
  g_autoptr(GFile) b = g_file_new_for_path (dir_b);
  SparkWindow *start;
  SparkWindow *wa, *wb;

  /* A window without a project shows the start page and takes the first
   * folder; a second folder gets a second window; the same folder again
   * presents its window. */
  start = spark_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (start));
  g_assert_null (spark_window_get_project (start));

  /* First run shows the welcome page; once done, the start page. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    GtkStack *stack = GTK_STACK (spark_test_find_by_id (GTK_WIDGET (start), "main_stack"));
    GtkWidget *welcome = spark_test_find_by_id (GTK_WIDGET (start), "welcome_page");

    g_assert_false (g_settings_get_boolean (settings, "welcome-done"));
    g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "welcome");
    g_signal_emit_by_name (welcome, "done");
    g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "start");
    g_assert_true (g_settings_get_boolean (settings, "welcome-done"));
    g_settings_reset (settings, "welcome-done");
  }
  /* Without a project there is nothing to find. */
  gtk_widget_activate_action (GTK_WIDGET (start), "win.quick-open", NULL);
  g_assert_null (find_toplevel (SPARK_TYPE_QUICK_OPEN));

  wa = spark_application_open_folder (app, a, start);
  g_assert_true (wa == start);
  wb = spark_application_open_folder (app, b, wa);
  g_assert_true (wb != wa);
  g_assert_true (spark_application_open_folder (app, a, wb) == wa);

  gtk_window_destroy (GTK_WINDOW (wa));
  gtk_window_destroy (GTK_WINDOW (wb));
  spark_test_rm_rf (dir_a);
  spark_test_rm_rf (dir_b);
}

/* Turn tests talk to the in-process fake server over its WebSocket. */
static void
use_fake_server (GSettings       *settings,
                 SparkFakeServer *server)
{
  g_settings_set_string (settings, "endpoint", spark_fake_server_get_base_url (server));
  g_settings_set_string (settings, "transport", "websocket");
}

static void
end_turn_test (GSettings       *settings,
               SparkWindow     *window,
               SparkFakeServer *server,
               const char      *dir)
{
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "transport");
  gtk_window_destroy (GTK_WINDOW (window));
  spark_fake_server_free (server);
  spark_test_rm_rf (dir);
}

/* A window on @folder talking to @server, once its assistant is ready. */
static SparkWindow *
open_turn_window (GSettings       *settings,
                  SparkFakeServer *server,
                  GFile           *folder)
{
  SparkWindow *window;

  use_fake_server (settings, server);
  window = spark_application_open_folder (app, folder, NULL);
  WAIT_UNTIL (spark_assistant_get_ready (spark_window_get_assistant (window)), "the assistant");

  return window;
}

static char *
buffer_text (SparkEditorPage *page)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (spark_editor_page_get_buffer (page));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static gboolean
buffer_is (SparkEditorPage *page,
           const char      *expected)
{
  g_autofree char *text = buffer_text (page);

  return g_strcmp0 (text, expected) == 0;
}

static gboolean
file_is (const char *dir,
         const char *name,
         const char *expected)
{
  g_autofree char *contents = spark_test_read_file (dir, name, NULL);

  return g_strcmp0 (contents, expected) == 0;
}

static void
test_apply_respects_unsaved_tabs (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *path = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) hello = NULL;
  g_autoptr(GError) error = NULL;
  SparkAssistant *assistant;
  SparkEditorPage *page;
  GtkTextBuffer *buffer;
  SparkWindow *window;
  GtkTextIter end;

  spark_test_write_file (dir, "hello.txt", "hello\nworld\n");
  folder = g_file_new_for_path (dir);
  window = open_turn_window (settings, server, folder);
  assistant = spark_window_get_assistant (window);

  path = g_build_filename (dir, "hello.txt", NULL);
  hello = g_file_new_for_path (path);
  page = spark_window_open_file (window, hello);
  WAIT_UNTIL (!spark_editor_page_get_loading (page), "hello.txt to load");
  buffer = GTK_TEXT_BUFFER (spark_editor_page_get_buffer (page));

  spark_fake_server_push_stream (server, "patch-custom");
  spark_fake_server_push_stream (server, "text-done");
  g_assert_true (spark_assistant_send (assistant, "change world to there", &error));
  g_assert_no_error (error);
  WAIT_UNTIL (spark_assistant_get_awaiting_approval (assistant), "the proposal");
  /* The review pane shows the proposal, complete now. */
  g_assert_true (spark_review_view_get_changeset (spark_window_get_review_view (window)) ==
                 spark_assistant_get_changeset (assistant));
  g_assert_false (spark_review_view_get_streaming (spark_window_get_review_view (window)));
  /* Through the window's exported actions, as a script over D-Bus would. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "accept-all-changes", NULL);
  g_assert_cmpuint (spark_changeset_count_state (spark_assistant_get_changeset (assistant),
                                                 SPARK_HUNK_ACCEPTED), ==, 1);

  /* Unsaved text in the tab of a changed file is merged with the proposal,
   * never overwritten: the disk and the tab get both changes, the tab is
   * saved, and one undo in the tab brings back just the person's text. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, "typed\n", -1);
  g_action_group_activate_action (G_ACTION_GROUP (window), "apply-changes", NULL);
  WAIT_UNTIL (file_is (dir, "hello.txt", "hello\nthere\ntyped\n"), "the merged file on disk");
  WAIT_UNTIL (buffer_is (page, "hello\nthere\ntyped\n"), "the tab to show the merge");
  g_assert_false (spark_editor_page_get_modified (page));
  gtk_text_buffer_undo (buffer);
  g_assert_true (buffer_is (page, "hello\nworld\ntyped\n"));
  gtk_text_buffer_redo (buffer);
  gtk_text_buffer_set_modified (buffer, FALSE);

  WAIT_UNTIL (!spark_assistant_get_busy (assistant), "the turn to end");
  end_turn_test (settings, window, server, dir);
}

static gboolean
transcript_has (SparkTranscript *transcript,
                const char      *needle)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (transcript)); i++)
    {
      g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (transcript), i);
      const char *text = spark_transcript_item_get_text (item);

      if (text != NULL && strstr (text, needle) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* Issue 5's turn in the real window: the prompt goes in through the chat,
 * text and a multi-file patch stream back, hunks are reviewable before the
 * patch is complete, the person accepts some, rejects one with a reason,
 * edits one, applies, and the disk and the model's tool output are exact. */
/* What GNOME's accessibility settings switch; libadwaita follows the key when
 * there is no settings portal, as under dbus-run-session. */
static void
set_high_contrast (gboolean on)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.a11y.interface", TRUE);
  g_autoptr(GSettings) a11y = NULL;

  if (schema == NULL)
    g_error ("The schema org.gnome.desktop.a11y.interface (gsettings-desktop-schemas) is missing");

  a11y = g_settings_new ("org.gnome.desktop.a11y.interface");
  g_settings_set_boolean (a11y, "high-contrast", on);
  WAIT_UNTIL (adw_style_manager_get_high_contrast (adw_style_manager_get_default ()) == on,
              on ? "high contrast" : "normal contrast");
}

static void
test_turn_review_apply (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  SparkAssistant *assistant;
  SparkReviewView *review;
  SparkChangeset *changeset;
  SparkFileChange *a_c;
  SparkChatView *chat;
  SparkWindow *window;
  JsonObject *last;
  JsonObject *output = NULL;
  JsonArray *input;

  spark_test_write_file (dir, "a.c", "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n"
                                     "line 7\nline 8\nline 9\nline 10\nline 11\nline 12\n");
  spark_test_write_file (dir, "b.txt", "alpha\nbeta\n");
  use_fake_server (settings, server);

  folder = g_file_new_for_path (dir);
  window = spark_application_open_folder (app, folder, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  assistant = spark_window_get_assistant (window);
  chat = spark_window_get_chat_view (window);
  review = spark_window_get_review_view (window);
  WAIT_UNTIL (spark_assistant_get_ready (assistant), "the assistant");

  /* The model picker lists what the endpoint serves, the default picked;
   * picking another one is the model preference. */
  WAIT_UNTIL (spark_assistant_get_models (assistant) != NULL, "the model list");
  g_assert_cmpstr (spark_chat_view_get_model (chat), ==, "gpt-5.3-codex-spark");
  spark_chat_view_set_model (chat, "local-llama");
  {
    g_autofree char *model = g_settings_get_string (settings, "model");

    g_assert_cmpstr (model, ==, "local-llama");
    g_assert_cmpstr (spark_session_get_model (spark_assistant_get_session (assistant)), ==, "local-llama");
  }
  g_settings_reset (settings, "model");

  /* Slow enough that the review pane is seen mid-stream. */
  spark_fake_server_set_event_delay (server, 15000);
  spark_fake_server_push_stream (server, "text-and-multi-patch");
  spark_fake_server_push_stream (server, "text-done");

  spark_chat_view_set_message (chat, "Spell out two, six and ten, capitalise beta, add notes.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.send", NULL));

  /* Hunks arrive while the model is still writing the patch. */
  WAIT_UNTIL (spark_review_view_get_changeset (review) != NULL &&
              spark_changeset_get_n_hunks (spark_review_view_get_changeset (review)) >= 2,
              "the first hunks");
  g_assert_true (spark_assistant_get_streaming (assistant));
  g_assert_false (spark_assistant_get_awaiting_approval (assistant));
  g_assert_true (transcript_has (spark_chat_view_get_transcript (chat), "three changes"));
  wait_ms (300);
  spark_test_save_screenshot (GTK_WIDGET (window), "turn-review-mid-stream.png");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (review), ADW_TYPE_VIEW_STACK)), "chat");
  wait_ms (300);
  spark_test_save_screenshot (GTK_WIDGET (window), "turn-chat-mid-stream.png");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (review), ADW_TYPE_VIEW_STACK)), "review");

  WAIT_UNTIL (spark_assistant_get_awaiting_approval (assistant), "the whole patch");
  g_assert_false (spark_assistant_get_streaming (assistant));
  changeset = spark_review_view_get_changeset (review);
  g_assert_cmpuint (spark_changeset_get_n_files (changeset), ==, 3);
  g_assert_cmpuint (spark_changeset_get_n_hunks (changeset), ==, 5);

  /* Decide: a.c accept hunk 1 (with the pane's action), reject hunk 2 with
   * a reason, edit hunk 3; reject b.txt; accept c.md. */
  a_c = spark_changeset_get_file (changeset, 0);
  g_assert_true (spark_review_view_select_hunk (review, spark_file_change_get_hunk (a_c, 0)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (review), "review.accept-hunk", NULL));
  g_assert_cmpint (spark_hunk_get_state (spark_file_change_get_hunk (a_c, 0)), ==, SPARK_HUNK_ACCEPTED);
  spark_hunk_reject_with_reason (spark_file_change_get_hunk (a_c, 1), "six stays a number");
  /* The edit replaces the hunk's whole new side, context lines included. */
  g_assert_true (spark_hunk_set_edited_text (spark_file_change_get_hunk (a_c, 2),
                                             "line 9\nline ten (edited)\nline 11", &error));
  g_assert_no_error (error);
  spark_file_change_reject_all (spark_changeset_get_file (changeset, 1));
  g_assert_true (spark_file_change_accept_all (spark_changeset_get_file (changeset, 2), &error));
  g_assert_no_error (error);
  wait_ms (200);
  spark_test_save_screenshot (GTK_WIDGET (window), "turn-review-decided.png");

  /* The same pane in high contrast and with Large Text (text scaled 1.5×, as
   * GNOME's setting does), for a person to look at: no colour of ours may
   * get lost or text get cut off. */
  set_high_contrast (TRUE);
  wait_ms (200);
  spark_test_save_screenshot (GTK_WIDGET (window), "turn-review-high-contrast.png");
  set_high_contrast (FALSE);
  g_object_set (gtk_settings_get_default (), "gtk-xft-dpi", 96 * 1024 * 3 / 2, NULL);
  wait_ms (300);
  spark_test_save_screenshot (GTK_WIDGET (window), "turn-review-large-text.png");
  gtk_settings_reset_property (gtk_settings_get_default (), "gtk-xft-dpi");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (review), "review.apply", NULL));
  WAIT_UNTIL (file_is (dir, "c.md", "# Notes\n\nWritten by the model.\n"), "the apply");

  g_assert_true (file_is (dir, "b.txt", "alpha\nbeta\n"));
  {
    g_autofree char *a = spark_test_read_file (dir, "a.c", NULL);

    g_assert_nonnull (strstr (a, "line 1\nline TWO\nline 3\n"));
    g_assert_nonnull (strstr (a, "line 5\nline 6\nline 7\n"));
    g_assert_nonnull (strstr (a, "line 9\nline ten (edited)\nline 11\n"));
    g_assert_null (strstr (a, "line TEN"));
    g_assert_null (strstr (a, "line 10\n"));
  }

  /* Undo Apply restores the tree byte for byte; redo brings the apply
   * back. */
  {
    g_autofree char *applied_a = spark_test_read_file (dir, "a.c", NULL);
    g_autofree char *c_md = g_build_filename (dir, "c.md", NULL);

    WAIT_UNTIL (!spark_assistant_get_busy (assistant), "the turn to end");
    g_action_group_activate_action (G_ACTION_GROUP (window), "undo-apply", NULL);
    WAIT_UNTIL (!g_file_test (c_md, G_FILE_TEST_EXISTS) &&
                file_is (dir, "a.c", "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n"
                                     "line 7\nline 8\nline 9\nline 10\nline 11\nline 12\n"),
                "the undo");
    g_assert_true (file_is (dir, "b.txt", "alpha\nbeta\n"));

    wait_ms (100);
    g_action_group_activate_action (G_ACTION_GROUP (window), "redo-apply", NULL);
    WAIT_UNTIL (g_file_test (c_md, G_FILE_TEST_EXISTS) && file_is (dir, "a.c", applied_a),
                "the redo");
    g_assert_true (file_is (dir, "c.md", "# Notes\n\nWritten by the model.\n"));
    g_assert_true (file_is (dir, "b.txt", "alpha\nbeta\n"));
  }

  /* The latency meter in the header followed the turn. */
  {
    SparkLatencyMeter *meter = SPARK_LATENCY_METER (spark_test_find_widget (GTK_WIDGET (window), SPARK_TYPE_LATENCY_METER));

    g_assert_nonnull (meter);
    g_assert_true (spark_latency_meter_get_session (meter) == spark_assistant_get_session (assistant));
    g_assert_cmpfloat (spark_latency_meter_get_ttft_ms (meter), >, 0);
  }

  /* The checkpoint history lists the checkpoints (apply, undo, redo), and
   * its Restore goes back to the one before the apply. */
  {
    GtkPopover *popover = GTK_POPOVER (spark_test_find_by_id (GTK_WIDGET (window), "checkpoints_popover"));
    GtkWidget *list = spark_test_find_by_id (GTK_WIDGET (window), "checkpoint_list");

    g_assert_nonnull (popover);
    g_assert_nonnull (list);
    gtk_popover_popup (popover);
    WAIT_UNTIL (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 2) != NULL, "the checkpoint history");
    gtk_popover_popdown (popover);
  }

  /* The model heard exactly what happened, on the same socket. */
  WAIT_UNTIL (!spark_assistant_get_busy (assistant), "the turn to end");
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (server), ==, 1);
  requests = spark_fake_server_dup_generating (server);
  g_assert_cmpuint (requests->len, ==, 2);
  last = g_ptr_array_index (requests, 1);
  input = json_object_get_array_member (last, "input");
  for (guint i = 0; i < json_array_get_length (input); i++)
    {
      JsonObject *item = json_array_get_object_element (input, i);

      if (g_strcmp0 (json_object_get_string_member (item, "type"), "custom_tool_call_output") == 0)
        output = item;
    }
  g_assert_nonnull (output);
  g_assert_cmpstr (json_object_get_string_member (output, "call_id"), ==, "call_multi");
  {
    const char *text = json_object_get_string_member (output, "output");

    g_test_message ("tool output: %s", text);
    g_assert_nonnull (strstr (text, "Applied 2 of 3 hunks to a.c"));
    g_assert_nonnull (strstr (text, "six stays a number"));
    g_assert_nonnull (strstr (text, "applied hunk 3 as the reviewer edited it"));
    g_assert_nonnull (strstr (text, "line ten (edited)"));
    g_assert_nonnull (strstr (text, "Applied 0 of 1 hunks to b.txt"));
    g_assert_nonnull (strstr (text, "A c.md"));
  }

  end_turn_test (settings, window, server, dir);
}

/* Issue 6: a drop mid-patch keeps the received hunks (and what the person
 * decided about them), the turn is retried and completes, and the retried
 * proposal starts with those decisions. */
/* The screenshots software centres show (data/screenshots/, metainfo): the
 * first-run window, then a project with a file open while the model's
 * answer and its hunks stream in. */
static void
test_store_screenshots (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *tmp = spark_test_make_temp_dir ();
  g_autofree char *dir = g_build_filename (tmp, "demo-project", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) file = NULL;
  SparkAssistant *assistant;
  SparkReviewView *review;
  SparkEditorPage *page;
  SparkChatView *chat;
  SparkWindow *window;
  AdwViewStack *side;

  spark_test_write_file (dir, "a.c", "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n"
                                     "line 7\nline 8\nline 9\nline 10\nline 11\nline 12\n");
  spark_test_write_file (dir, "b.txt", "alpha\nbeta\n");
  spark_test_git (dir, "init", "-q", NULL);
  spark_test_git (dir, "add", ".", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "Start", NULL);

  /* First run: the welcome page, with the default endpoint. */
  g_assert_false (g_settings_get_boolean (settings, "welcome-done"));
  window = spark_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_ms (400);
  spark_test_save_screenshot (GTK_WIDGET (window), "store-welcome.png");

  use_fake_server (settings, server);
  folder = g_file_new_for_path (dir);
  g_assert_true (spark_application_open_folder (app, folder, window) == window);
  assistant = spark_window_get_assistant (window);
  chat = spark_window_get_chat_view (window);
  review = spark_window_get_review_view (window);
  side = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (review), ADW_TYPE_VIEW_STACK));
  WAIT_UNTIL (spark_assistant_get_ready (assistant), "the assistant");

  path = g_build_filename (dir, "a.c", NULL);
  file = g_file_new_for_path (path);
  page = spark_window_open_file (window, file);
  WAIT_UNTIL (!spark_editor_page_get_loading (page), "a.c to load");

  spark_fake_server_set_event_delay (server, 15000);
  spark_fake_server_push_stream (server, "text-and-multi-patch");
  spark_fake_server_push_stream (server, "text-done");
  spark_chat_view_set_message (chat, "Spell out two, six and ten, capitalise beta, add notes.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.send", NULL));
  WAIT_UNTIL (spark_review_view_get_changeset (review) != NULL &&
              spark_changeset_get_n_hunks (spark_review_view_get_changeset (review)) >= 3,
              "the first hunks");
  wait_ms (300);
  spark_test_save_screenshot (GTK_WIDGET (window), "store-review.png");
  adw_view_stack_set_visible_child_name (side, "chat");
  wait_ms (300);
  spark_test_save_screenshot (GTK_WIDGET (window), "store-chat.png");

  WAIT_UNTIL (spark_assistant_get_awaiting_approval (assistant), "the whole patch");
  g_settings_reset (settings, "welcome-done");
  end_turn_test (settings, window, server, tmp);
}

static void
test_drop_mid_patch (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;
  SparkAssistant *assistant;
  SparkChangeset *salvaged;
  SparkChangeset *retried;
  SparkFileChange *a_c;
  SparkWindow *window;

  spark_test_write_file (dir, "a.c", "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n"
                                     "line 7\nline 8\nline 9\nline 10\nline 11\nline 12\n");
  spark_test_write_file (dir, "b.txt", "alpha\nbeta\n");
  window = open_turn_window (settings, server, folder);
  assistant = spark_window_get_assistant (window);
  /* A retry a moment later, as after a real drop. */
  spark_session_set_retry_policy (spark_assistant_get_session (assistant), 3, 1500);

  spark_fake_server_push_stream (server, "drop-mid-patch");
  spark_fake_server_push_stream (server, "text-and-multi-patch");
  spark_fake_server_push_stream (server, "text-done");
  g_assert_true (spark_assistant_send (assistant, "spell them out", &error));
  g_assert_no_error (error);

  /* The drop: a.c's three complete hunks stay, reviewable and decidable. */
  WAIT_UNTIL (spark_assistant_get_salvaged (assistant), "the drop");
  salvaged = spark_assistant_get_changeset (assistant);
  g_assert_nonnull (salvaged);
  a_c = spark_changeset_get_file (salvaged, 0);
  g_assert_cmpstr (spark_file_change_get_path (a_c), ==, "a.c");
  g_assert_cmpuint (spark_file_change_get_n_hunks (a_c), ==, 3);
  g_assert_false (spark_review_view_get_streaming (spark_window_get_review_view (window)));
  g_assert_true (spark_hunk_accept (spark_file_change_get_hunk (a_c, 0), NULL));
  spark_hunk_reject_with_reason (spark_file_change_get_hunk (a_c, 1), "six stays");

  /* The retried turn streams the whole patch again and completes; the
   * decisions made meanwhile carry over. */
  WAIT_UNTIL (spark_assistant_get_changeset (assistant) != salvaged &&
              spark_assistant_get_awaiting_approval (assistant), "the retried proposal");
  retried = spark_assistant_get_changeset (assistant);
  g_assert_cmpuint (spark_changeset_get_n_hunks (retried), ==, 5);
  a_c = spark_changeset_get_file (retried, 0);
  g_assert_cmpint (spark_hunk_get_state (spark_file_change_get_hunk (a_c, 0)), ==, SPARK_HUNK_ACCEPTED);
  g_assert_cmpint (spark_hunk_get_state (spark_file_change_get_hunk (a_c, 1)), ==, SPARK_HUNK_REJECTED);
  g_assert_cmpstr (spark_hunk_get_reject_reason (spark_file_change_get_hunk (a_c, 1)), ==, "six stays");
  g_assert_cmpint (spark_hunk_get_state (spark_file_change_get_hunk (a_c, 2)), ==, SPARK_HUNK_PENDING);

  g_assert_true (spark_window_apply_proposal (window));
  WAIT_UNTIL (!spark_assistant_get_busy (assistant), "the retried turn to end");
  g_assert_true (file_is (dir, "a.c", "line 1\nline TWO\nline 3\nline 4\nline 5\nline 6\n"
                                      "line 7\nline 8\nline 9\nline 10\nline 11\nline 12\n"));

  end_turn_test (settings, window, server, dir);
}

static gboolean
request_mentions (SparkFakeServer *server,
                  const char      *needle)
{
  g_autoptr(GPtrArray) requests = spark_fake_server_dup_generating (server);

  for (guint i = 0; i < requests->len; i++)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), g_ptr_array_index (requests, i));
      g_autofree char *json = json_to_string (node, FALSE);

      if (strstr (json, needle) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* Issue 6: @ and the editor's selection attach text to the prompt; a
 * later window resumes the session with its transcript. */
static void
test_attach_and_resume (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *path = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) hello = NULL;
  g_autofree char *session_id = NULL;
  SparkAssistant *assistant;
  SparkEditorPage *page;
  SparkWindow *window;
  SparkChatView *chat;
  SparkSessionList *sessions;

  spark_test_write_file (dir, "hello.txt", "hello\nworld\n");
  spark_test_write_file (dir, "notes.md", "# Notes\nkeep short\n");
  window = open_turn_window (settings, server, folder);
  assistant = spark_window_get_assistant (window);
  chat = spark_window_get_chat_view (window);

  path = g_build_filename (dir, "hello.txt", NULL);
  hello = g_file_new_for_path (path);
  page = spark_window_open_file (window, hello);
  WAIT_UNTIL (!spark_editor_page_get_loading (page), "hello.txt to load");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.attach-selection", NULL));
  g_assert_cmpuint (spark_chat_view_get_n_attached_texts (chat), ==, 1);

  spark_fake_server_push_stream (server, "text-hello");
  spark_chat_view_set_message (chat, "Explain this, see @notes.md");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.send", NULL));
  WAIT_UNTIL (!spark_assistant_get_busy (assistant) && request_mentions (server, "Explain this"),
              "the turn");
  /* The prompt carried the attached file's text and the selection. */
  g_assert_true (request_mentions (server, "Attached file `notes.md`"));
  g_assert_true (request_mentions (server, "keep short"));
  g_assert_true (request_mentions (server, "hello.txt"));
  g_assert_true (request_mentions (server, "world"));

  gtk_window_destroy (GTK_WINDOW (window));
  wait_ms (100);

  /* A new window on the folder lists the session and resumes it. */
  window = spark_application_open_folder (app, folder, NULL);
  assistant = spark_window_get_assistant (window);
  chat = spark_window_get_chat_view (window);
  WAIT_UNTIL (spark_assistant_get_ready (assistant), "the second assistant");
  /* The list lives in the header's popover, a child of its menu button. */
  sessions = SPARK_SESSION_LIST (spark_test_find_widget (GTK_WIDGET (window), SPARK_TYPE_SESSION_LIST));
  g_assert_nonnull (sessions);
  spark_session_list_reload (sessions);
  WAIT_UNTIL (!spark_session_list_get_loading (sessions) && spark_session_list_get_n_sessions (sessions) >= 1,
              "the earlier session");
  session_id = g_strdup (spark_session_list_get_summary (sessions, 0)->id);
  g_assert_cmpstr (spark_session_list_get_summary (sessions, 0)->title, ==, "Explain this, see @notes.md");

  g_signal_emit_by_name (sessions, "resume-requested", session_id);
  g_assert_true (transcript_has (spark_chat_view_get_transcript (chat), "Hello, world!"));
  g_assert_true (transcript_has (spark_chat_view_get_transcript (chat), "Explain this"));

  end_turn_test (settings, window, server, dir);
}

/* Issue 6: the person edited the same line on disk after the model read
 * it: nothing is overwritten, the review pane gets a conflict hunk with
 * both sides, and the chosen side is applied. */
static void
test_concurrent_edit_conflict (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;
  SparkAssistant *assistant;
  SparkChangeset *changeset;
  SparkFileChange *hello;
  SparkHunk *conflict = NULL;
  SparkWindow *window;

  spark_test_write_file (dir, "hello.txt", "hello\nworld\n");
  window = open_turn_window (settings, server, folder);
  assistant = spark_window_get_assistant (window);

  spark_fake_server_push_stream (server, "patch-custom");
  spark_fake_server_push_stream (server, "text-done");
  g_assert_true (spark_assistant_send (assistant, "change world to there", &error));
  WAIT_UNTIL (spark_assistant_get_awaiting_approval (assistant), "the proposal");
  changeset = spark_assistant_get_changeset (assistant);
  g_assert_true (spark_changeset_accept_all (changeset, &error));

  /* Meanwhile the person changes the same line on disk. */
  spark_test_write_file (dir, "hello.txt", "hello\nWORLD\n");

  g_action_group_activate_action (G_ACTION_GROUP (window), "apply-changes", NULL);
  WAIT_UNTIL (!spark_assistant_get_busy (assistant), "the turn to end");
  g_assert_true (file_is (dir, "hello.txt", "hello\nWORLD\n"));

  hello = spark_changeset_get_file (changeset, 0);
  for (guint i = 0; i < spark_file_change_get_n_hunks (hello); i++)
    if (spark_hunk_is_merge_conflict (spark_file_change_get_hunk (hello, i)))
      conflict = spark_file_change_get_hunk (hello, i);
  g_assert_nonnull (conflict);
  g_assert_cmpint (spark_hunk_get_state (conflict), ==, SPARK_HUNK_CONFLICT);
  g_assert_nonnull (strstr (spark_hunk_get_conflict_ours (conflict), "WORLD"));
  g_assert_nonnull (strstr (spark_hunk_get_conflict_theirs (conflict), "there"));

  /* The person takes the proposal; Apply writes it. */
  g_assert_true (spark_hunk_resolve_conflict (conflict, SPARK_MERGE_CHOOSE_THEIRS, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (spark_window_apply_proposal (window));
  g_assert_true (file_is (dir, "hello.txt", "hello\nthere\n"));

  end_turn_test (settings, window, server, dir);
}

/* Sends a prompt the model answers with a shell command (writing
 * shell.txt), and returns the question the person is asked about it. */
static GtkWindow *
ask_shell_command (SparkFakeServer *server,
                   SparkAssistant  *assistant)
{
  g_autoptr(GError) error = NULL;
  GtkWindow *dialog;

  spark_fake_server_push_stream (server, "call-shell");
  spark_fake_server_push_stream (server, "text-done");
  g_assert_true (spark_assistant_send (assistant, "make shell.txt", &error));
  g_assert_no_error (error);
  WAIT_UNTIL ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL, "the command question");

  return dialog;
}

/* A command the model wants to run is shown and waits for the person. */
static void
test_command_asks (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *made = NULL;
  SparkAssistant *assistant;
  SparkWindow *window;
  GtkWindow *dialog;

  window = open_turn_window (settings, server, folder);
  assistant = spark_window_get_assistant (window);

  dialog = ask_shell_command (server, assistant);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "echo from-shell &gt; shell.txt"));
  {
    g_autofree char *path = g_build_filename (dir, "shell.txt", NULL);

    /* Nothing ran before the answer. */
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }

  /* The question says whether the command is contained, as it is. */
  if (spark_tools_get_sandboxed (spark_session_get_tools (spark_assistant_get_session (assistant))))
    g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                              "It runs in a sandbox"));
  else
    g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                              "It runs without a sandbox"));

  answer_dialog ("run");
  WAIT_UNTIL (!spark_assistant_get_busy (assistant), "the turn to end");
  made = spark_test_read_file (dir, "shell.txt", NULL);
  g_assert_cmpstr (made, ==, "from-shell\n");

  end_turn_test (settings, window, server, dir);
}

/* Without bubblewrap (SPARK_BWRAP names a missing binary), the person is
 * told before answering that the command would run unsandboxed, with
 * their permissions; nothing runs before the answer, nor after a no. */
static void
test_command_asks_unsandboxed (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "shell.txt", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("SPARK_BWRAP"));
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  SparkAssistant *assistant;
  SparkWindow *window;
  GtkWindow *dialog;
  const char *body;

  g_setenv ("SPARK_BWRAP", "/nonexistent/bwrap", TRUE);
  window = open_turn_window (settings, server, folder);
  assistant = spark_window_get_assistant (window);

  dialog = ask_shell_command (server, assistant);
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_assert_nonnull (strstr (body, "echo from-shell &gt; shell.txt"));
  g_assert_nonnull (strstr (body, "It runs without a sandbox, with all your permissions"));
  g_assert_null (strstr (body, "It runs in a sandbox"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  answer_dialog ("deny");
  WAIT_UNTIL (!spark_assistant_get_busy (assistant), "the turn to end");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  if (saved != NULL)
    g_setenv ("SPARK_BWRAP", saved, TRUE);
  else
    g_unsetenv ("SPARK_BWRAP");
  end_turn_test (settings, window, server, dir);
}

static GtkWidget *
find_prefs_row (GtkWidget  *widget,
                GType       type,
                const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_prefs_row (child, type, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  SparkPreferencesWindow *prefs = spark_preferences_window_new (NULL);
  GtkWidget *transport, *approval, *endpoint;
  g_autofree char *value = NULL;

  gtk_window_present (GTK_WINDOW (prefs));

  transport = find_prefs_row (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, "Transport");
  approval = find_prefs_row (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, "Proposed Edits");
  endpoint = find_prefs_row (GTK_WIDGET (prefs), ADW_TYPE_ENTRY_ROW, "Endpoint");
  g_assert_nonnull (transport);
  g_assert_nonnull (approval);
  g_assert_nonnull (endpoint);

  /* Rows write the settings the session reads ... */
  adw_combo_row_set_selected (ADW_COMBO_ROW (transport), 2);
  value = g_settings_get_string (settings, "transport");
  g_assert_cmpstr (value, ==, "http");

  /* ... and follow them. */
  g_settings_set_string (settings, "approval-mode", "read-only");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (approval)), ==, 2);

  /* A URL without a scheme is refused, a good one is kept. */
  gtk_editable_set_text (GTK_EDITABLE (endpoint), "localhost:8080/v1");
  g_signal_emit_by_name (endpoint, "apply");
  g_assert_true (gtk_widget_has_css_class (endpoint, "error"));
  g_clear_pointer (&value, g_free);
  value = g_settings_get_string (settings, "endpoint");
  g_assert_cmpstr (value, ==, "");

  gtk_editable_set_text (GTK_EDITABLE (endpoint), "http://127.0.0.1:8080/v1");
  g_signal_emit_by_name (endpoint, "apply");
  g_assert_false (gtk_widget_has_css_class (endpoint, "error"));
  g_clear_pointer (&value, g_free);
  value = g_settings_get_string (settings, "endpoint");
  g_assert_cmpstr (value, ==, "http://127.0.0.1:8080/v1");

  g_settings_reset (settings, "transport");
  g_settings_reset (settings, "approval-mode");
  g_settings_reset (settings, "endpoint");
  gtk_window_destroy (GTK_WINDOW (prefs));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* No key from the environment: tests use a local fake server. */
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");

  gtk_test_init (&argc, &argv, NULL);
  spark_test_quiet_logs ();

  /* The app icon (the welcome page shows it), which the installed app
   * finds in hicolor. */
  {
    g_autofree char *icons = g_build_filename (g_getenv ("G_TEST_SRCDIR") ?: ".", "..", "data", "icons", NULL);

    gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()), icons);
  }

  app = spark_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  /* Keep the application alive between tests without a running loop. */
  g_application_hold (G_APPLICATION (app));

  g_test_add_func ("/ui/window/open-edit-save", test_open_edit_save);
  g_test_add_func ("/ui/window/quick-open", test_quick_open);
  g_test_add_func ("/ui/window/one-window-per-folder", test_one_window_per_folder);
  g_test_add_func ("/ui/window/apply-merges-unsaved-tab", test_apply_respects_unsaved_tabs);
  g_test_add_func ("/ui/window/turn-review-apply", test_turn_review_apply);
  g_test_add_func ("/ui/window/command-asks", test_command_asks);
  g_test_add_func ("/ui/window/command-asks-unsandboxed", test_command_asks_unsandboxed);
  g_test_add_func ("/ui/window/drop-mid-patch", test_drop_mid_patch);
  g_test_add_func ("/ui/window/store-screenshots", test_store_screenshots);
  g_test_add_func ("/ui/window/attach-and-resume", test_attach_and_resume);
  g_test_add_func ("/ui/window/concurrent-edit-conflict", test_concurrent_edit_conflict);
  g_test_add_func ("/ui/preferences/settings", test_preferences);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);

  return ret;
}
