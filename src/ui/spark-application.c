/* spark-application.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-application"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "spark-application.h"
#include "spark-help-window.h"
#include "spark-preferences-window.h"
#include "spark-window.h"

#define MAX_RECENT 10

struct _SparkApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (SparkApplication, spark_application, ADW_TYPE_APPLICATION)

static SparkWindow *
find_window_for (SparkApplication *self,
                 GFile            *folder)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    {
      SparkProject *project;

      if (!SPARK_IS_WINDOW (l->data))
        continue;

      project = spark_window_get_project (l->data);
      if (project != NULL && g_file_equal (spark_project_get_root (project), folder))
        return l->data;
    }

  return NULL;
}

/**
 * spark_application_open_folder:
 * @from: (nullable): the window the request came from
 *
 * Presents the window that shows @folder, or shows it in @from (or the
 * active window) when that has no project yet, or opens a new window:
 * one folder, one window.
 *
 * Returns: (transfer none): the window showing @folder
 */
SparkWindow *
spark_application_open_folder (SparkApplication *self,
                               GFile            *folder,
                               SparkWindow      *from)
{
  SparkWindow *window;

  g_return_val_if_fail (SPARK_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  window = find_window_for (self, folder);

  if (window == NULL)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

      if (from == NULL && SPARK_IS_WINDOW (active))
        from = SPARK_WINDOW (active);

      if (from != NULL && spark_window_get_project (from) == NULL)
        window = from;
      else
        window = spark_window_new (GTK_APPLICATION (self));

      spark_window_open_folder (window, folder);
    }

  gtk_window_present (GTK_WINDOW (window));

  return window;
}

void
spark_application_add_recent (SparkApplication *self,
                              GFile            *folder)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) uris = NULL;
  g_autofree char *uri = NULL;
  guint n = 1;

  g_return_if_fail (SPARK_IS_APPLICATION (self));
  g_return_if_fail (G_IS_FILE (folder));

  uri = g_file_get_uri (folder);
  old = g_settings_get_strv (self->settings, "recent-folders");

  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, uri);
  for (guint i = 0; old[i] && n < MAX_RECENT; i++)
    {
      if (g_strcmp0 (old[i], uri) == 0)
        continue;
      g_strv_builder_add (builder, old[i]);
      n++;
    }
  uris = g_strv_builder_end (builder);

  if (!g_strv_equal ((const char * const *) old, (const char * const *) uris))
    g_settings_set_strv (self->settings, "recent-folders", (const char * const *) uris);
}

static void
spark_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (spark_window_new (GTK_APPLICATION (app)));

  gtk_window_present (window);
}

static void
spark_application_open (GApplication  *app,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  SparkApplication *self = SPARK_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      GFileType type = g_file_query_file_type (files[i], G_FILE_QUERY_INFO_NONE, NULL);

      if (type == G_FILE_TYPE_DIRECTORY)
        {
          spark_application_open_folder (self, files[i], NULL);
        }
      else if (type == G_FILE_TYPE_REGULAR)
        {
          /* `spark file.c` opens the file's folder with the file in a tab. */
          g_autoptr(GFile) parent = g_file_get_parent (files[i]);
          SparkWindow *window = spark_application_open_folder (self, parent, NULL);

          spark_window_open_file (window, files[i]);
        }
      else
        {
          g_autofree char *name = g_file_get_parse_name (files[i]);
          g_autofree char *message = g_strdup_printf (_("“%s” is not a folder that can be opened"), name);
          GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

          if (window == NULL)
            window = GTK_WINDOW (spark_window_new (GTK_APPLICATION (app)));
          gtk_window_present (window);
          spark_window_show_toast (SPARK_WINDOW (window), message);
          g_printerr ("spark: %s\n", message);
        }
    }
}

static int
spark_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  return G_APPLICATION_CLASS (spark_application_parent_class)->handle_local_options (app, options);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (app));

  /* Each window asks about its unsaved files; the app ends with the last. */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (spark_window_new (GTK_APPLICATION (user_data))));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  static const char *developers[] = { "The Spark authors", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (window,
                         "application-name", _("Spark"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Real-time coding with a fast model: review every change before it reaches the disk"),
                         "website", "https://github.com/sparkcode/spark",
                         "issue-url", "https://github.com/sparkcode/spark/issues",
                         "developers", developers,
                         "copyright", "© 2026 The Spark authors",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (spark_preferences_window_new (window)));
}

static void
help_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (spark_help_window_new (window)));
}

static const GActionEntry app_actions[] = {
  { "help", help_action },
  { "quit", quit_action },
  { "new-window", new_window_action },
  { "about", about_action },
  { "preferences", preferences_action },
};

static void
spark_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_window_accels[] = { "<Control><Shift>n", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "F1", NULL };

  G_APPLICATION_CLASS (spark_application_parent_class)->startup (app);

  /* Not in init: `spark --version` and `--help` must work anywhere. */
  SPARK_APPLICATION (app)->settings = g_settings_new (APP_ID);

  gtk_source_init ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);

  /* Stateful: the header's menu shows and changes the setting. */
  {
    g_autoptr(GAction) approval = g_settings_create_action (SPARK_APPLICATION (app)->settings,
                                                            "approval-mode");
    g_action_map_add_action (G_ACTION_MAP (app), approval);
  }
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.new-window", new_window_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);
}

static void
spark_application_shutdown (GApplication *app)
{
  G_APPLICATION_CLASS (spark_application_parent_class)->shutdown (app);

  gtk_source_finalize ();
}

static void
spark_application_finalize (GObject *object)
{
  SparkApplication *self = (SparkApplication *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (spark_application_parent_class)->finalize (object);
}

static void
spark_application_class_init (SparkApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = spark_application_finalize;

  app_class->activate = spark_application_activate;
  app_class->open = spark_application_open;
  app_class->startup = spark_application_startup;
  app_class->shutdown = spark_application_shutdown;
  app_class->handle_local_options = spark_application_handle_local_options;
}

static void
spark_application_init (SparkApplication *self)
{
  static const GOptionEntry options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FOLDER…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Open a project folder and code with a model. "
                                              "Headless commands: spark apply-patch, spark checkpoints, "
                                              "spark undo, spark exec (each takes --help)."));
}

SparkApplication *
spark_application_new (void)
{
  return g_object_new (SPARK_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", "/io/github/sparkcode/Spark",
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
