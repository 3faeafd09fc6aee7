/* test-help-window.c: SparkHelpWindow lists every topic of the user guide,
 * each page renders from the GResource with a phrase of its own, and
 * show_topic() switches pages; a screenshot of the window.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "spark-help-window.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"

typedef struct
{
  const char *id;
  const char *phrase;
} Expected;

/* One phrase per page, from the Markdown under src/ui/help/. */
static const Expected expected[] = {
  { "getting-started", "The three panes" },
  { "connecting", "http://127.0.0.1:8080/v1" },
  { "reviewing", "Merge conflicts" },
  { "commands", "bubblewrap" },
  { "shortcuts", "Ctrl+Shift+R" },
  { "privacy", "keyring" },
  { "troubleshooting", "falls back to HTTP" },
};

/* A heading of each English page, which a German page must not show. */
static const char * const english_headings[] = {
  "The three panes", "A local server: llama.cpp", "Merge conflicts", "The sandbox",
  "Application", "Privacy", "Behind a proxy",
};

/* The same pages in German (src/ui/help/de/). */
static const Expected expected_de[] = {
  { "getting-started", "Die drei Bereiche" },
  { "connecting", "Ein lokaler Server: llama.cpp" },
  { "reviewing", "Konflikte beim Zusammenführen" },
  { "commands", "nur der Projektordner ist beschreibbar" },
  { "shortcuts", "Strg+Umschalt+R" },
  { "privacy", "Schlüsselbund" },
  { "troubleshooting", "weicht Spark auf HTTP" },
};

static void
pump (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
wait_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* The text of every label and text view under @widget, in tree order. */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
    }
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      g_string_append (out, text);
      g_string_append_c (out, '\n');
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static GtkStack *
find_stack (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget))
    return GTK_STACK (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkStack *stack = find_stack (child);

      if (stack != NULL)
        return stack;
    }

  return NULL;
}

static void
test_topics (void)
{
  const char * const *ids = spark_help_window_list_topics ();
  SparkHelpWindow *window = spark_help_window_new (NULL);
  GtkStack *stack = find_stack (GTK_WIDGET (window));
  g_autoptr(GtkSelectionModel) pages = NULL;
  guint n_topics = g_strv_length ((GStrv) ids);

  g_assert_nonnull (stack);
  g_assert_cmpuint (n_topics, ==, G_N_ELEMENTS (expected));

  /* Every topic is a titled page of the stack, in the sidebar's order. */
  pages = gtk_stack_get_pages (stack);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pages)), ==, n_topics);
  for (guint i = 0; i < n_topics; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkStackPage *page = GTK_STACK_PAGE (item);

      g_assert_cmpstr (gtk_stack_page_get_name (page), ==, ids[i]);
      g_assert_cmpstr (gtk_stack_page_get_name (page), ==, expected[i].id);
      g_assert_nonnull (gtk_stack_page_get_title (page));
      g_assert_cmpuint (strlen (gtk_stack_page_get_title (page)), >, 0);
    }

  gtk_window_present (GTK_WINDOW (window));
  pump ();

  g_assert_cmpstr (spark_help_window_get_topic (window), ==, "getting-started");

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      spark_help_window_show_topic (window, expected[i].id);
      pump ();
      g_assert_cmpstr (spark_help_window_get_topic (window), ==, expected[i].id);

      collect_text (gtk_stack_get_visible_child (stack), text);
      g_test_message ("%s: %" G_GSIZE_FORMAT " characters", expected[i].id, text->len);
      g_assert_cmpuint (text->len, >, 200);
      if (strstr (text->str, expected[i].phrase) == NULL)
        g_error ("Help page %s lacks “%s”:\n%s", expected[i].id, expected[i].phrase, text->str);
      /* Raw Markdown or HTML would mean the renderer did not run. */
      g_assert_null (strstr (text->str, "**"));
      g_assert_null (strstr (text->str, "<kbd>"));
    }

  spark_help_window_show_topic (window, "connecting");
  /* Past the stack's crossfade. */
  wait_ms (gtk_stack_get_transition_duration (stack) + 100);
  spark_test_save_screenshot (GTK_WIDGET (window), "help-window.png");

  gtk_window_destroy (GTK_WINDOW (window));
  pump ();
}

/* The text of topic @id as @window shows it. */
static char *
page_text (SparkHelpWindow *window,
           const char      *id)
{
  GtkStack *stack = find_stack (GTK_WIDGET (window));
  GString *text = g_string_new (NULL);

  spark_help_window_show_topic (window, id);
  pump ();
  collect_text (gtk_stack_get_visible_child (stack), text);
  return g_string_free (text, FALSE);
}

/* Under German the German pages load, under C the English ones; in the "C"
 * locale LANGUAGE is ignored, as gettext ignores it there. */
static void
test_languages (void)
{
  const char *saved = setlocale (LC_MESSAGES, NULL);
  g_autofree char *messages = g_strdup (saved);

  for (guint round = 0; round < 3; round++)
    {
      SparkHelpWindow *window;
      gboolean german = round == 0;

      /* gtk_test_init() leaves the "C" locale (it asks for en_US.UTF-8,
       * which few test machines have); C.UTF-8 is built into glibc. */
      if (round == 0)
        {
          g_setenv ("LANGUAGE", "de", TRUE);
          g_assert_nonnull (setlocale (LC_MESSAGES, "C.UTF-8"));
        }
      else if (round == 1)
        g_unsetenv ("LANGUAGE");
      else
        {
          g_setenv ("LANGUAGE", "de", TRUE);
          setlocale (LC_MESSAGES, "C");
        }

      window = spark_help_window_new (NULL);
      gtk_window_present (GTK_WINDOW (window));
      pump ();

      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        {
          g_autofree char *text = page_text (window, expected[i].id);
          const char *want = german ? expected_de[i].phrase : expected[i].phrase;
          const char *not_want = german ? english_headings[i] : expected_de[i].phrase;

          g_assert_cmpuint (strlen (text), >, 200);
          if (strstr (text, want) == NULL)
            g_error ("Help page %s (round %u) lacks “%s”:\n%s", expected[i].id, round, want, text);
          if (strstr (text, not_want) != NULL)
            g_error ("Help page %s (round %u) has “%s”:\n%s", expected[i].id, round, not_want, text);
          g_assert_null (strstr (text, "**"));
        }

      /* The sidebar speaks the same language as the pages. */
      if (german)
        {
          GtkStack *stack = find_stack (GTK_WIDGET (window));
          g_autoptr(GtkSelectionModel) pages = gtk_stack_get_pages (stack);
          g_autoptr(GObject) first = g_list_model_get_item (G_LIST_MODEL (pages), 0);

          g_assert_cmpstr (gtk_stack_page_get_title (GTK_STACK_PAGE (first)), ==, "Erste Schritte");
          spark_help_window_show_topic (window, "reviewing");
          wait_ms (gtk_stack_get_transition_duration (stack) + 100);
          spark_test_save_screenshot (GTK_WIDGET (window), "help-window-de.png");
        }

      gtk_window_destroy (GTK_WINDOW (window));
      pump ();
    }

  g_unsetenv ("LANGUAGE");
  setlocale (LC_MESSAGES, messages);
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_topic_property (void)
{
  SparkHelpWindow *window = spark_help_window_new (NULL);
  g_autofree char *topic = NULL;
  guint notified = 0;

  g_signal_connect (window, "notify::topic", G_CALLBACK (count_cb), &notified);

  g_object_set (window, "topic", "privacy", NULL);
  g_object_get (window, "topic", &topic, NULL);
  g_assert_cmpstr (topic, ==, "privacy");
  g_assert_cmpuint (notified, ==, 1);

  /* The same topic again: no notification. */
  spark_help_window_show_topic (window, "privacy");
  g_assert_cmpuint (notified, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  pump ();
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  spark_test_quiet_logs ();
  adw_init ();
  /* The German catalogue this build compiled, for the sidebar's titles. */
  bindtextdomain (GETTEXT_PACKAGE, SPARK_TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/ui/help-window/topics", test_topics);
  g_test_add_func ("/ui/help-window/topic-property", test_topic_property);
  g_test_add_func ("/ui/help-window/languages", test_languages);

  return g_test_run ();
}
