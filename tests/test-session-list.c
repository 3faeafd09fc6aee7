/* test-session-list.c — the saved sessions of a project, listed and resumed:
 * real turns against the fake server write the sessions, the list shows
 * their titles, times and touched files newest first, and a session resumed
 * by id shows its transcript again (issue 6).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "spark-session-list.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"
#include "spark-transcript.h"
#include "test-session-common.h"

typedef struct
{
  SparkFakeServer *server;
  char            *root;
  char            *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = spark_fake_server_new ();
  f->root = spark_test_make_temp_dir ();
  f->store = spark_test_make_temp_dir ();
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  spark_fake_server_free (f->server);
  spark_test_rm_rf (f->root);
  spark_test_rm_rf (f->store);
  g_free (f->root);
  g_free (f->store);
}

static SparkSession *
new_session (Fixture *f)
{
  SparkSession *session = spark_test_session_new (f->server, f->root, f->store);

  spark_approval_policy_set_mode (spark_session_get_approval_policy (session),
                                  SPARK_APPROVAL_MODE_EDITS);

  return session;
}

static void
run_turn (Fixture      *f,
          SparkSession *session,
          const char   *prompt)
{
  g_autoptr(GError) error = NULL;

  spark_test_session_run (session, prompt, 20, &error);
  g_assert_no_error (error);
}

static void
close_session (SparkSession *session)
{
  spark_session_close (session);
  g_assert_finalize_object (session);
}

/* Session ids and times have a one-second resolution. */
static void
next_second (void)
{
  g_usleep (G_USEC_PER_SEC + G_USEC_PER_SEC / 10);
}

static void
reload_and_wait (SparkSessionList *list)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  spark_session_list_reload (list);
  g_assert_true (spark_session_list_get_loading (list));

  /* The files are read in a thread; the rows come on the main context. */
  while (spark_session_list_get_loading (list))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  return spark_test_find_first (widget, is_button_labelled, label);
}

static void
on_resume_requested (SparkSessionList *list,
                     const char       *session_id,
                     char            **out)
{
  g_free (*out);
  *out = g_strdup (session_id);
}

static gboolean
transcript_has_text (SparkTranscript *transcript,
                     const char      *text)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (transcript));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (transcript), i);

      if (g_strcmp0 (spark_transcript_item_get_text (item), text) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *list = spark_session_list_new ();
  g_autoptr(GPtrArray) rows = NULL;

  gtk_window_set_child (window, list);
  gtk_window_set_default_size (window, 380, 320);
  gtk_window_present (window);

  /* No source: the empty state, without a reload running. */
  spark_session_list_reload (SPARK_SESSION_LIST (list));
  g_assert_false (spark_session_list_get_loading (SPARK_SESSION_LIST (list)));
  g_assert_cmpuint (spark_session_list_get_n_sessions (SPARK_SESSION_LIST (list)), ==, 0);

  /* A project without sessions. */
  spark_session_list_set_source (SPARK_SESSION_LIST (list), f->store, f->root);
  reload_and_wait (SPARK_SESSION_LIST (list));
  g_assert_cmpuint (spark_session_list_get_n_sessions (SPARK_SESSION_LIST (list)), ==, 0);
  rows = spark_test_find_all (list, ADW_TYPE_ACTION_ROW);
  g_assert_cmpuint (rows->len, ==, 0);
  spark_test_save_screenshot (GTK_WIDGET (window), "session-list-empty.png");

  gtk_window_destroy (window);
}

static void
test_list_and_resume (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SparkTranscript) transcript = spark_transcript_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *first_id = NULL;
  g_autofree char *second_id = NULL;
  g_autofree char *requested = NULL;
  g_autoptr(GError) error = NULL;
  const SparkSessionSummary *summary;
  SparkSession *session;
  GtkWindow *window;
  GtkWidget *list;
  GtkWidget *resume;

  /* Two sessions: a chat, then a patch to hello.txt. */
  session = new_session (f);
  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, session, "Say hello\nand nothing else");
  first_id = g_strdup (spark_session_get_id (session));
  close_session (session);

  next_second ();
  session = new_session (f);
  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, session, "Change world to there");
  second_id = g_strdup (spark_session_get_id (session));
  close_session (session);
  g_assert_cmpstr (first_id, !=, second_id);

  window = GTK_WINDOW (gtk_window_new ());
  list = spark_session_list_new ();
  gtk_window_set_child (window, list);
  gtk_window_set_default_size (window, 420, 300);
  spark_session_list_set_source (SPARK_SESSION_LIST (list), f->store, f->root);
  g_signal_connect (list, "resume-requested", G_CALLBACK (on_resume_requested), &requested);
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (list))
    g_main_context_iteration (NULL, TRUE);
  reload_and_wait (SPARK_SESSION_LIST (list));

  /* Newest first, titled by the first line of the first prompt. */
  g_assert_cmpuint (spark_session_list_get_n_sessions (SPARK_SESSION_LIST (list)), ==, 2);
  summary = spark_session_list_get_summary (SPARK_SESSION_LIST (list), 0);
  g_assert_cmpstr (summary->id, ==, second_id);
  g_assert_cmpstr (summary->title, ==, "Change world to there");
  g_assert_cmpuint (g_strv_length (summary->files), ==, 1);
  g_assert_cmpstr (summary->files[0], ==, "hello.txt");
  summary = spark_session_list_get_summary (SPARK_SESSION_LIST (list), 1);
  g_assert_cmpstr (summary->id, ==, first_id);
  g_assert_cmpstr (summary->title, ==, "Say hello");
  g_assert_cmpuint (g_strv_length (summary->files), ==, 0);
  g_assert_null (spark_session_list_get_summary (SPARK_SESSION_LIST (list), 2));

  /* What the rows show. */
  rows = spark_test_find_all (list, ADW_TYPE_ACTION_ROW);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[0]), ==, "Change world to there");
  g_assert_cmpstr (adw_action_row_get_subtitle (rows->pdata[0]), ==, "Just now · 1 file: hello.txt");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (rows->pdata[0]), ==, "hello.txt");
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[1]), ==, "Say hello");
  g_assert_cmpstr (adw_action_row_get_subtitle (rows->pdata[1]), ==, "Just now");
  spark_test_save_screenshot (GTK_WIDGET (window), "session-list.png");

  /* Resume on the older row asks for that session. */
  resume = find_button (rows->pdata[1], "Resume");
  g_assert_nonnull (resume);
  g_signal_emit_by_name (resume, "clicked");
  g_assert_cmpstr (requested, ==, first_id);

  /* A new session resumed by that id shows the transcript again. */
  session = new_session (f);
  g_assert_true (spark_session_resume (session, requested, &error));
  g_assert_no_error (error);
  spark_transcript_load_history (transcript, session);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), ==, 2);
  g_assert_true (transcript_has_text (transcript, "Say hello\nand nothing else"));
  g_assert_true (transcript_has_text (transcript, "Hello, world!"));

  /* Going on with it makes it the newest. */
  next_second ();
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, session, "Thanks");
  close_session (session);
  reload_and_wait (SPARK_SESSION_LIST (list));
  g_assert_cmpuint (spark_session_list_get_n_sessions (SPARK_SESSION_LIST (list)), ==, 2);
  g_assert_cmpstr (spark_session_list_get_summary (SPARK_SESSION_LIST (list), 0)->id, ==, first_id);
  g_assert_cmpstr (spark_session_list_get_summary (SPARK_SESSION_LIST (list), 0)->title, ==, "Say hello");

  gtk_window_destroy (window);
}

/* A popover resized to new rows gets a new surface size: give it time. */
static void
settle (void)
{
  gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
test_popover (Fixture       *f,
              gconstpointer  data)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *list = spark_session_list_new ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  SparkSession *session;

  /* As the window has it: in a header menu button's popover. */
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "document-open-recent-symbolic");
  gtk_popover_set_child (GTK_POPOVER (popover), list);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), button);
  gtk_window_set_titlebar (window, header);
  gtk_window_set_child (window, gtk_label_new (NULL));
  gtk_window_set_default_size (window, 640, 420);
  spark_session_list_set_source (SPARK_SESSION_LIST (list), f->store, f->root);
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (button))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (spark_session_list_get_n_sessions (SPARK_SESSION_LIST (list)), ==, 0);

  /* Nothing saved yet. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  while (!gtk_widget_get_mapped (list) || spark_session_list_get_loading (SPARK_SESSION_LIST (list)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (spark_session_list_get_n_sessions (SPARK_SESSION_LIST (list)), ==, 0);
  settle ();
  g_assert_cmpint (gtk_widget_get_width (list), >=, 420);
  spark_test_save_screenshot_with_popover (window, GTK_POPOVER (popover), "session-list-popover-empty.png");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));

  session = new_session (f);
  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, session, "Replace world with there in hello.txt, keep the rest of the file as it is");
  close_session (session);

  /* Showing it again reloads it. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  while (spark_session_list_get_n_sessions (SPARK_SESSION_LIST (list)) == 0 ||
         spark_session_list_get_loading (SPARK_SESSION_LIST (list)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (spark_session_list_get_n_sessions (SPARK_SESSION_LIST (list)), ==, 1);
  settle ();
  g_test_message ("popover %d×%d, list %d×%d",
                  gtk_widget_get_width (popover), gtk_widget_get_height (popover),
                  gtk_widget_get_width (list), gtk_widget_get_height (list));
  g_assert_cmpint (gtk_widget_get_width (list), >=, 420);
  spark_test_save_screenshot_with_popover (window, GTK_POPOVER (popover), "session-list-popover.png");

  gtk_window_destroy (window);
}

#define fixture_test(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  spark_test_quiet_logs ();
  adw_init ();

  fixture_test ("/ui/session-list/empty", test_empty);
  fixture_test ("/ui/session-list/list-and-resume", test_list_and_resume);
  fixture_test ("/ui/session-list/popover", test_popover);

  return g_test_run ();
}
