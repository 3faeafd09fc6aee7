/* test-shortcuts.c: the Keyboard Shortcuts window lists every binding
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * Collects every key Spark binds, from where GTK keeps them: the
 * application's accelerators (gtk_application_set_accels_for_action) and
 * the shortcut controllers of Spark's own widgets, class bindings included
 * (GTK puts those in a controller of each widget), in a real window with a
 * project and a file open, plus a hunk row of the review pane. Then reads
 * what the Keyboard Shortcuts window really shows (the accelerator of each
 * entry's label, so entries named by action are resolved the way GTK does)
 * and checks both ways: every binding is shown, and every key shown is bound
 * (or is one of the few keys handled in code or by GTK, listed below).
 */

#include "config.h"

#include <gtk/gtk.h>

#include "spark-application.h"
#include "spark-editor-page.h"
#include "spark-hunk-row.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"
#include "spark-window.h"

#define WAIT_UNTIL(cond, what)                                   \
  G_STMT_START {                                                 \
    guint deadline_ = spark_test_add_deadline (30, what);        \
    while (!(cond))                                              \
      g_main_context_iteration (NULL, TRUE);                     \
    g_source_remove (deadline_);                                 \
  } G_STMT_END

/* Keys that work without a shortcut controller of ours, and are listed in
 * the window: the chat's message box reads Enter and its modifiers itself
 * (spark-chat-view.c), GtkTextView has undo and redo, AdwTabView switches
 * tabs. */
static const char * const handled_elsewhere[] = {
  "Return",                       /* chat: send */
  "<Shift>Return",                /* chat: new line */
  "<Alt>Return",                  /* chat: queue a follow-up */
  "<Control>Return",              /* chat: steer (also review: apply) */
  "<Control>z",                   /* editor: undo */
  "<Shift><Control>z",            /* editor: redo (also review: undo apply) */
  "<Control>Page_Down",           /* tabs: next */
  "<Control>Page_Up",             /* tabs: previous */
};

static SparkApplication *app;

/* One spelling per key: lower case, keypad keys as the main ones, only the
 * modifiers a person presses. */
static char *
key_name (guint           keyval,
          GdkModifierType mods)
{
  keyval = gdk_keyval_to_lower (keyval);
  switch (keyval)
    {
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      keyval = GDK_KEY_Return;
      break;
    case GDK_KEY_KP_Up:
      keyval = GDK_KEY_Up;
      break;
    case GDK_KEY_KP_Down:
      keyval = GDK_KEY_Down;
      break;
    default:
      break;
    }

  return gtk_accelerator_name (keyval, mods & (GDK_CONTROL_MASK | GDK_SHIFT_MASK |
                                               GDK_ALT_MASK | GDK_SUPER_MASK));
}

/* key name → what it does */
static void
add_trigger (GHashTable         *keys,
             GtkShortcutTrigger *trigger,
             const char         *what)
{
  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    {
      char *name = key_name (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                             gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)));

      if (!g_hash_table_contains (keys, name))
        g_hash_table_insert (keys, name, g_strdup (what));
      else
        g_free (name);
    }
  else if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    {
      add_trigger (keys, gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)), what);
      add_trigger (keys, gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)), what);
    }
  /* Mnemonic and never triggers are not bindings to list. */
}

static void
add_controllers (GHashTable *keys,
                 GtkWidget  *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          g_autofree char *what = NULL;

          /* Ours are all named actions; what a Spark widget inherits from
           * GTK or libadwaita (focus moves, the inspector, tab switching
           * that AdwTabView adds to the window) are signals and callbacks. */
          if (!GTK_IS_NAMED_ACTION (action))
            continue;

          what = g_strdup_printf ("%s in %s", gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)),
                                  G_OBJECT_TYPE_NAME (widget));
          add_trigger (keys, gtk_shortcut_get_trigger (shortcut), what);
        }
    }
}

/* Only Spark's own widgets: GTK's (text views, lists) bring their own
 * standard keys, which the window does not list. */
static void
collect_widget_keys (GHashTable *keys,
                     GtkWidget  *widget)
{
  if (g_str_has_prefix (G_OBJECT_TYPE_NAME (widget), "Spark"))
    add_controllers (keys, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widget_keys (keys, child);
}

static void
collect_app_keys (GHashTable *keys)
{
  g_auto(GStrv) actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));

  for (guint i = 0; actions[i]; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);

      for (guint j = 0; accels[j]; j++)
        {
          guint keyval;
          GdkModifierType mods;
          char *name;

          g_assert_true (gtk_accelerator_parse (accels[j], &keyval, &mods));
          name = key_name (keyval, mods);
          if (!g_hash_table_contains (keys, name))
            g_hash_table_insert (keys, name, g_strdup (actions[i]));
          else
            g_free (name);
        }
    }
}

/* What the shortcuts window shows: each entry's accelerator label. */
static void
collect_shown_keys (GHashTable *shown,
                    GtkWidget  *widget,
                    const char *title)
{
  g_autofree char *own_title = NULL;

  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_object_get (widget, "title", &own_title, NULL);
      title = own_title;
    }

  if (GTK_IS_SHORTCUT_LABEL (widget))
    {
      const char *accelerator = gtk_shortcut_label_get_accelerator (GTK_SHORTCUT_LABEL (widget));
      g_auto(GStrv) parts = g_strsplit (accelerator ? accelerator : "", " ", -1);

      for (guint i = 0; parts[i]; i++)
        {
          guint keyval;
          GdkModifierType mods;

          if (parts[i][0] == '\0')
            continue;
          if (!gtk_accelerator_parse (parts[i], &keyval, &mods))
            g_error ("The shortcuts window shows “%s” for “%s”: not an accelerator", parts[i], title);
          g_hash_table_insert (shown, key_name (keyval, mods), g_strdup (title));
        }

      /* An entry named by an action GTK finds no key for shows nothing. */
      if (accelerator == NULL || *accelerator == '\0')
        g_hash_table_insert (shown, g_strdup_printf ("(no key shown for “%s”)", title),
                             g_strdup ("an empty entry"));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_shown_keys (shown, child, title);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* "key (what)" for every key of @keys missing from @from, sorted. */
static char *
missing_from (GHashTable *keys,
              GHashTable *from)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (from, key))
      g_ptr_array_add (missing, g_strdup_printf ("%s (%s)", (char *) key, (char *) value));

  g_ptr_array_sort (missing, compare_strings);
  g_ptr_array_add (missing, NULL);

  return g_strjoinv ("; ", (char **) missing->pdata);
}

static void
test_every_binding_listed (void)
{
  g_autoptr(GHashTable) bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "a.c", NULL);
  g_autofree char *not_shown = NULL;
  g_autofree char *not_bound = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GLogLevelFlags fatal;
  GtkWidget *hunk_row;
  GtkWindow *overlay;
  SparkEditorPage *page;
  SparkWindow *window;

  spark_test_git (dir, "init", "-q", NULL);
  spark_test_write_file (dir, "a.c", "int main (void) { return 0; }\n");

  window = spark_application_open_folder (app, folder, NULL);
  page = spark_window_open_file (window, file);
  WAIT_UNTIL (!spark_editor_page_get_loading (page), "a.c to load");

  collect_app_keys (bound);
  collect_widget_keys (bound, GTK_WIDGET (window));
  /* The review pane makes its hunk rows when a proposal arrives. */
  hunk_row = g_object_ref_sink (spark_hunk_row_new ());
  collect_widget_keys (bound, hunk_row);
  g_object_unref (hunk_row);

  /* Sanity: the collection sees the bindings of each place. */
  g_assert_true (g_hash_table_contains (bound, "<Control>q"));          /* app */
  g_assert_true (g_hash_table_contains (bound, "<Control>o"));          /* window class */
  g_assert_true (g_hash_table_contains (bound, "j"));                   /* review pane */
  g_assert_true (g_hash_table_contains (bound, "<Control>f"));          /* editor page */
  g_assert_true (g_hash_table_contains (bound, "Escape"));              /* chat, hunk row */

  overlay = GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_nonnull (overlay);
  collect_shown_keys (shown, GTK_WIDGET (overlay), NULL);

  not_shown = missing_from (bound, shown);
  g_assert_cmpstr (not_shown, ==, "");

  for (guint i = 0; i < G_N_ELEMENTS (handled_elsewhere); i++)
    g_hash_table_insert (bound, g_strdup (handled_elsewhere[i]), g_strdup ("handled in code"));
  not_bound = missing_from (shown, bound);
  g_assert_cmpstr (not_bound, ==, "");

  /* GTK 4.8's shortcuts window, with libadwaita's style, measures a label
   * of its own at -3 px when shown and warns (an empty one does too); GTK
   * logs structured, so no fatal handler can single that warning out. The
   * checks are done; for the screenshot, only criticals stay fatal. */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  gtk_window_present (overlay);
  spark_test_save_screenshot (GTK_WIDGET (overlay), "shortcuts.png");
  g_log_set_always_fatal (fatal);

  gtk_window_destroy (overlay);
  gtk_window_destroy (GTK_WINDOW (window));
  spark_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* A key from the environment: no keyring daemon gets started on the
   * session bus, where a later test (the welcome page's) brings its own. */
  g_setenv ("OPENAI_API_KEY", "sk-test-shortcuts", TRUE);
  g_setenv ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  spark_test_quiet_logs ();

  app = spark_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));

  g_test_add_func ("/ui/shortcuts/every-binding-listed", test_every_binding_listed);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);

  return ret;
}
