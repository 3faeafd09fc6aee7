/* spark-window.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-a11y.h"
#include "spark-application.h"
#include "spark-assistant.h"
#include "spark-chat-view.h"
#include "spark-editor-page.h"
#include "spark-file-tree.h"
#include "spark-latency-meter.h"
#include "spark-quick-open.h"
#include "spark-review-view.h"
#include "spark-welcome-page.h"
#include "spark-window-private.h"


enum {
  PROP_0,
  PROP_PROJECT,
  PROP_FILE_TREE_VISIBLE,
  PROP_SIDE_AREA_VISIBLE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SparkWindow, spark_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

static char *
display_path (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (path == NULL)
    return g_file_get_parse_name (file);

  if (g_str_has_prefix (path, home) && (path[home_len] == '/' || path[home_len] == '\0'))
    return g_strconcat ("~", path + home_len, NULL);

  return g_steal_pointer (&path);
}

void
spark_window_show_toast (SparkWindow *self,
                         const char  *message)
{
  g_return_if_fail (SPARK_IS_WINDOW (self));

  spark_a11y_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* Start page: recently opened folders ------------------------------------ */

static void
recent_row_activated_cb (SparkWindow   *self,
                         GtkListBoxRow *row)
{
  const char *uri = g_object_get_data (G_OBJECT (row), "uri");
  g_autoptr(GFile) folder = g_file_new_for_uri (uri);

  spark_application_open_folder (SPARK_APPLICATION (g_application_get_default ()),
                                 folder, self);
}

static void
reload_recent (SparkWindow *self)
{
  g_auto(GStrv) uris = g_settings_get_strv (self->settings, "recent-folders");
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))))
    gtk_list_box_remove (self->recent_list, child);

  for (guint i = 0; uris[i]; i++)
    {
      g_autoptr(GFile) folder = g_file_new_for_uri (uris[i]);
      g_autofree char *name = g_file_get_basename (folder);
      g_autofree char *where = display_path (folder);
      GtkWidget *row;

      if (!g_file_query_exists (folder, NULL))
        continue;

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), where);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "uri", g_strdup (uris[i]), g_free);
      gtk_list_box_append (self->recent_list, row);
      shown++;
    }

  gtk_widget_set_visible (self->recent_box, shown > 0);
}

/* Editor tabs ------------------------------------------------------------ */

static void
update_tab_title (AdwTabPage      *tab_page,
                  GParamSpec      *pspec,
                  SparkEditorPage *page)
{
  const char *title = spark_editor_page_get_title (page);
  g_autofree char *text = NULL;

  if (spark_editor_page_get_modified (page))
    /* Translators: tab title of a file with unsaved changes */
    text = g_strdup_printf (_("• %s"), title ? title : "");
  else
    text = g_strdup (title ? title : "");

  adw_tab_page_set_title (tab_page, text);
}

static gboolean
name_tabs_cb (gpointer user_data)
{
  SparkWindow *self = user_data;

  self->name_tabs_source = 0;
  spark_a11y_name_icon_buttons (self->tab_bar);

  return G_SOURCE_REMOVE;
}

static void
tab_view_n_pages_cb (SparkWindow *self)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->editor_stack),
                                    adw_tab_view_get_n_pages (self->tab_view) > 0 ? "tabs" : "empty");

  /* The tab bar makes a tab (with its close button) for each new page. */
  if (self->name_tabs_source == 0)
    self->name_tabs_source = g_idle_add (name_tabs_cb, self);
}

static void
tab_view_selected_page_cb (SparkWindow *self)
{
  SparkEditorPage *page = spark_window_get_current_page (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", page != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-page", page != NULL);
}

SparkEditorPage *
spark_window_get_current_page (SparkWindow *self)
{
  AdwTabPage *tab_page;

  g_return_val_if_fail (SPARK_IS_WINDOW (self), NULL);

  tab_page = adw_tab_view_get_selected_page (self->tab_view);
  if (tab_page == NULL)
    return NULL;

  return SPARK_EDITOR_PAGE (adw_tab_page_get_child (tab_page));
}

static void
confirm_tab_close_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(AdwTabPage) tab_page = user_data;
  SparkEditorPage *page = SPARK_EDITOR_PAGE (object);
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (page), SPARK_TYPE_WINDOW);
  g_autoptr(GError) error = NULL;
  gboolean confirmed = spark_editor_page_confirm_close_finish (page, result, &error);

  if (!confirmed && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    spark_window_show_toast (SPARK_WINDOW (window), error->message);

  adw_tab_view_close_page_finish (SPARK_WINDOW (window)->tab_view, tab_page, confirmed);
}

static gboolean
tab_view_close_page_cb (SparkWindow *self,
                        AdwTabPage  *tab_page,
                        AdwTabView  *view)
{
  SparkEditorPage *page = SPARK_EDITOR_PAGE (adw_tab_page_get_child (tab_page));

  /* The page decides whether there is anything to lose: unsaved edits, or
   * a file deleted on disk whose text lives only in the tab now. */
  spark_editor_page_confirm_close_async (page, GTK_WINDOW (self), NULL,
                                         confirm_tab_close_cb, g_object_ref (tab_page));
  return GDK_EVENT_STOP;
}

/**
 * spark_window_open_file:
 *
 * Shows @file in a tab, opening one if the file is not open yet.
 *
 * Returns: (transfer none): the page showing @file
 */
SparkEditorPage *
spark_window_open_file (SparkWindow *self,
                        GFile       *file)
{
  SparkEditorPage *page;
  AdwTabPage *tab_page;
  g_autofree char *tooltip = NULL;
  guint n;

  g_return_val_if_fail (SPARK_IS_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  n = adw_tab_view_get_n_pages (self->tab_view);
  for (guint i = 0; i < n; i++)
    {
      AdwTabPage *existing = adw_tab_view_get_nth_page (self->tab_view, i);
      SparkEditorPage *existing_page = SPARK_EDITOR_PAGE (adw_tab_page_get_child (existing));

      if (g_file_equal (spark_editor_page_get_file (existing_page), file))
        {
          adw_tab_view_set_selected_page (self->tab_view, existing);
          spark_editor_page_grab_focus_editor (existing_page);
          return existing_page;
        }
    }

  page = spark_editor_page_new (file);
  tab_page = adw_tab_view_append (self->tab_view, GTK_WIDGET (page));

  if (self->project != NULL)
    tooltip = spark_project_relpath_for_file (self->project, file);
  if (tooltip == NULL)
    tooltip = display_path (file);
  adw_tab_page_set_tooltip (tab_page, tooltip);

  g_object_bind_property (page, "loading", tab_page, "loading", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (page, "notify::title", G_CALLBACK (update_tab_title), tab_page,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::modified", G_CALLBACK (update_tab_title), tab_page,
                           G_CONNECT_SWAPPED);
  update_tab_title (tab_page, NULL, page);

  adw_tab_view_set_selected_page (self->tab_view, tab_page);
  spark_editor_page_grab_focus_editor (page);

  return page;
}

static void
file_activated_cb (SparkWindow   *self,
                   GFile         *file,
                   SparkFileTree *tree)
{
  spark_window_open_file (self, file);
}

/* First run: the welcome page explains the panes and connects a model,
 * then the start page takes over. */
static void
welcome_done_cb (SparkWindow *self)
{
  g_settings_set_boolean (self->settings, "welcome-done", TRUE);
  gtk_stack_set_visible_child_name (self->main_stack, self->project != NULL ? "project" : "start");
}

/* Folders ---------------------------------------------------------------- */

/**
 * spark_window_open_folder:
 *
 * Shows @folder's files in this window. Use spark_application_open_folder()
 * to get a second window when this one already shows a project.
 */
void
spark_window_open_folder (SparkWindow *self,
                          GFile       *folder)
{
  g_autofree char *name = NULL;
  g_autofree char *where = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (SPARK_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));

  g_set_object (&self->project, NULL);
  g_clear_object (&self->assistant);
  self->project = spark_project_new (folder);
  self->assistant = spark_assistant_new (self->project, self->settings);
  _spark_window_attach_assistant (self);

  name = spark_project_dup_display_name (self->project);
  where = display_path (folder);
  /* Translators: window title, the project folder's name, then the app name */
  title = g_strdup_printf (_("%s — Spark"), name);

  adw_window_title_set_title (self->window_title, name);
  adw_window_title_set_subtitle (self->window_title, where);
  gtk_window_set_title (GTK_WINDOW (self), title);

  spark_file_tree_set_project (self->file_tree, self->project);
  gtk_stack_set_visible_child_name (self->main_stack, "project");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.quick-open", TRUE);

  spark_application_add_recent (SPARK_APPLICATION (g_application_get_default ()), folder);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

SparkProject *
spark_window_get_project (SparkWindow *self)
{
  g_return_val_if_fail (SPARK_IS_WINDOW (self), NULL);

  return self->project;
}

static void
folder_chosen (SparkWindow *self,
               GFile       *folder)
{
  spark_application_open_folder (SPARK_APPLICATION (g_application_get_default ()), folder, self);
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
select_folder_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SparkWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = gtk_file_dialog_select_folder_finish (GTK_FILE_DIALOG (object),
                                                                  result, &error);

  if (folder != NULL)
    folder_chosen (self, folder);
  else if (!g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    spark_window_show_toast (self, error->message);
}
#else
static void
native_response_cb (GtkNativeDialog *native,
                    int              response,
                    SparkWindow     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (folder != NULL)
        folder_chosen (self, folder);
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}
#endif

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  SparkWindow *self = SPARK_WINDOW (widget);
#if GTK_CHECK_VERSION (4, 10, 0)
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

  gtk_file_dialog_set_title (dialog, _("Open Folder"));
  gtk_file_dialog_set_accept_label (dialog, _("_Open"));
  if (self->project != NULL)
    {
      g_autoptr(GFile) parent = g_file_get_parent (spark_project_get_root (self->project));

      if (parent != NULL)
        gtk_file_dialog_set_initial_folder (dialog, parent);
    }
  gtk_file_dialog_select_folder (dialog, GTK_WINDOW (self), NULL, select_folder_cb,
                                 g_object_ref (self));
#else
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Open Folder"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (native_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
#endif
}

static void
quick_open_chosen_cb (SparkWindow    *self,
                      const char     *relpath,
                      SparkQuickOpen *quick_open)
{
  g_autoptr(GFile) file = NULL;

  if (self->project == NULL)
    return;

  file = g_file_resolve_relative_path (spark_project_get_root (self->project), relpath);
  spark_window_open_file (self, file);
}

static void
quick_open_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SparkWindow *self = SPARK_WINDOW (widget);
  SparkQuickOpen *quick_open;

  if (self->project == NULL)
    return;

  quick_open = spark_quick_open_new (GTK_WINDOW (self), self->project);
  g_signal_connect_object (quick_open, "file-chosen", G_CALLBACK (quick_open_chosen_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (quick_open));
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SparkWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!spark_editor_page_save_finish (SPARK_EDITOR_PAGE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    spark_window_show_toast (self, error->message);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SparkWindow *self = SPARK_WINDOW (widget);
  SparkEditorPage *page = spark_window_get_current_page (self);

  if (page != NULL)
    spark_editor_page_save_async (page, self->cancellable, save_cb, g_object_ref (self));
}

static void
close_page_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SparkWindow *self = SPARK_WINDOW (widget);
  AdwTabPage *tab_page = adw_tab_view_get_selected_page (self->tab_view);

  if (tab_page != NULL)
    adw_tab_view_close_page (self->tab_view, tab_page);
}

static void
show_side_page_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  SparkWindow *self = SPARK_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->side_stack, g_variant_get_string (param, NULL));
  if (!self->side_area_visible)
    g_object_set (self, "side-area-visible", TRUE, NULL);
}

/* Sizes ------------------------------------------------------------------ */

/* The side area keeps its width when the window grows, so its saved width
 * is applied once the paned knows how wide it is. */
static void
inner_max_position_cb (SparkWindow *self,
                       GParamSpec  *pspec,
                       GtkPaned    *paned)
{
  int max = 0;
  int width = g_settings_get_int (self->settings, "side-area-width");

  g_object_get (paned, "max-position", &max, NULL);
  if (max <= 0 || max == G_MAXINT)
    return;

  gtk_paned_set_position (paned, MAX (0, max - width));
  g_clear_signal_handler (&self->max_position_handler, paned);
}

static void
save_state (SparkWindow *self)
{
  int width, height;
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  g_settings_delay (self->settings);

  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (!maximized)
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }

  if (self->project != NULL)
    {
      int tree = gtk_paned_get_position (self->outer_paned);
      int side = gtk_widget_get_width (self->side_area);

      if (self->file_tree_visible && tree > 0)
        g_settings_set_int (self->settings, "file-tree-width", CLAMP (tree, 120, 2000));
      if (self->side_area_visible && side > 0)
        g_settings_set_int (self->settings, "side-area-width", CLAMP (side, 200, 2000));
    }

  g_settings_apply (self->settings);
}

/* Closing ---------------------------------------------------------------- */

typedef struct
{
  SparkWindow *self;
  GPtrArray   *pages;   /* modified SparkEditorPages still to confirm */
} CloseState;

static void confirm_next_page (CloseState *state);

static void
confirm_window_page_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  CloseState *state = user_data;
  g_autoptr(GError) error = NULL;

  if (!spark_editor_page_confirm_close_finish (SPARK_EDITOR_PAGE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        spark_window_show_toast (state->self, error->message);

      state->self->closing = FALSE;
      g_ptr_array_unref (state->pages);
      g_object_unref (state->self);
      g_free (state);
      return;
    }

  g_ptr_array_remove_index (state->pages, 0);
  confirm_next_page (state);
}

static void
confirm_next_page (CloseState *state)
{
  SparkWindow *self = state->self;

  if (state->pages->len == 0)
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
      g_ptr_array_unref (state->pages);
      g_object_unref (self);
      g_free (state);
      return;
    }

  {
    SparkEditorPage *page = g_ptr_array_index (state->pages, 0);
    AdwTabPage *tab_page = adw_tab_view_get_page (self->tab_view, GTK_WIDGET (page));

    if (tab_page != NULL)
      adw_tab_view_set_selected_page (self->tab_view, tab_page);
    spark_editor_page_confirm_close_async (page, GTK_WINDOW (self), NULL,
                                           confirm_window_page_cb, state);
  }
}

static gboolean
spark_window_close_request (GtkWindow *window)
{
  SparkWindow *self = SPARK_WINDOW (window);
  g_autoptr(GPtrArray) modified = NULL;
  CloseState *state;
  guint n;

  if (self->closing && !self->close_confirmed)
    return TRUE;

  if (!self->close_confirmed)
    {
      modified = g_ptr_array_new_with_free_func (g_object_unref);
      n = adw_tab_view_get_n_pages (self->tab_view);
      for (guint i = 0; i < n; i++)
        {
          GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

          if (spark_editor_page_get_modified (SPARK_EDITOR_PAGE (child)) ||
              spark_editor_page_get_deleted_on_disk (SPARK_EDITOR_PAGE (child)))
            g_ptr_array_add (modified, g_object_ref (child));
        }

      if (modified->len > 0)
        {
          self->closing = TRUE;
          state = g_new0 (CloseState, 1);
          state->self = g_object_ref (self);
          state->pages = g_steal_pointer (&modified);
          confirm_next_page (state);
          return TRUE;
        }
    }

  save_state (self);
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (spark_window_parent_class)->close_request (window);
}

/* GObject ---------------------------------------------------------------- */

static void
spark_window_dispose (GObject *object)
{
  SparkWindow *self = (SparkWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->name_tabs_source, g_source_remove);
  if (self->max_position_handler != 0)
    g_clear_signal_handler (&self->max_position_handler, self->inner_paned);

  G_OBJECT_CLASS (spark_window_parent_class)->dispose (object);
}

static void
spark_window_finalize (GObject *object)
{
  SparkWindow *self = (SparkWindow *)object;

  g_clear_object (&self->assistant);
  g_clear_object (&self->transcript);
  g_clear_object (&self->project);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->redo_checkpoint, g_free);
  g_clear_pointer (&self->last_apply_report, g_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (spark_window_parent_class)->finalize (object);
}

static void
spark_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SparkWindow *self = SPARK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_FILE_TREE_VISIBLE:
      g_value_set_boolean (value, self->file_tree_visible);
      break;

    case PROP_SIDE_AREA_VISIBLE:
      g_value_set_boolean (value, self->side_area_visible);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SparkWindow *self = SPARK_WINDOW (object);
  gboolean visible;

  switch (prop_id)
    {
    case PROP_FILE_TREE_VISIBLE:
      visible = g_value_get_boolean (value);
      if (visible != self->file_tree_visible)
        {
          self->file_tree_visible = visible;
          gtk_widget_set_visible (GTK_WIDGET (self->file_tree), visible);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_SIDE_AREA_VISIBLE:
      visible = g_value_get_boolean (value);
      if (visible != self->side_area_visible)
        {
          self->side_area_visible = visible;
          gtk_widget_set_visible (self->side_area, visible);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_window_class_init (SparkWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = spark_window_dispose;
  object_class->finalize = spark_window_finalize;
  object_class->get_property = spark_window_get_property;
  object_class->set_property = spark_window_set_property;

  window_class->close_request = spark_window_close_request;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, SPARK_TYPE_PROJECT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE_TREE_VISIBLE] =
    g_param_spec_boolean ("file-tree-visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIDE_AREA_VISIBLE] =
    g_param_spec_boolean ("side-area-visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPARK_TYPE_CHANGES_VIEW);
  g_type_ensure (SPARK_TYPE_CHAT_VIEW);
  g_type_ensure (SPARK_TYPE_FILE_TREE);
  g_type_ensure (SPARK_TYPE_WELCOME_PAGE);
  g_type_ensure (SPARK_TYPE_LATENCY_METER);
  g_type_ensure (SPARK_TYPE_SESSION_LIST);
  g_type_ensure (SPARK_TYPE_REVIEW_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/sparkcode/Spark/spark-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, changes_view);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, chat_view);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, checkpoint_list);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, checkpoints_popover);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, editor_stack);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, file_tree);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, inner_paned);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, latency_meter);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, session_list);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, sessions_popover);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, outer_paned);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, recent_box);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, review_view);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, side_area);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, side_stack);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SparkWindow, window_title);
  gtk_widget_class_bind_template_callback (widget_class, file_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, welcome_done_cb);
  _spark_window_class_init_turn (widget_class);
  gtk_widget_class_bind_template_callback (widget_class, recent_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, tab_view_close_page_cb);
  gtk_widget_class_bind_template_callback (widget_class, tab_view_n_pages_cb);
  gtk_widget_class_bind_template_callback (widget_class, tab_view_selected_page_cb);

  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.quick-open", NULL, quick_open_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.close-page", NULL, close_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-side-page", "s", show_side_page_action);
  gtk_widget_class_install_property_action (widget_class, "win.toggle-file-tree", "file-tree-visible");
  gtk_widget_class_install_property_action (widget_class, "win.toggle-side-area", "side-area-visible");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.quick-open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close-page", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-file-tree", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, GDK_SHIFT_MASK, "win.toggle-side-area", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.show-side-page", "s", "chat");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.show-side-page", "s", "review");
}

static void
spark_window_init (SparkWindow *self)
{
  self->file_tree_visible = TRUE;
  self->side_area_visible = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));
  spark_a11y_tidy_mnemonic_buttons (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_settings_bind (self->settings, "file-tree-visible", self, "file-tree-visible", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "side-area-visible", self, "side-area-visible", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "side-area-page", self->side_stack, "visible-child-name", G_SETTINGS_BIND_DEFAULT);

  gtk_paned_set_position (self->outer_paned, g_settings_get_int (self->settings, "file-tree-width"));
  self->max_position_handler =
    g_signal_connect_object (self->inner_paned, "notify::max-position",
                             G_CALLBACK (inner_max_position_cb), self, G_CONNECT_SWAPPED);

  _spark_window_init_turn (self);

  g_signal_connect_object (self->settings, "changed::recent-folders",
                           G_CALLBACK (reload_recent), self, G_CONNECT_SWAPPED);
  reload_recent (self);

  if (!g_settings_get_boolean (self->settings, "welcome-done"))
    gtk_stack_set_visible_child_name (self->main_stack, "welcome");
  else
    gtk_stack_set_visible_child_name (self->main_stack, "start");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.quick-open", FALSE);
  tab_view_selected_page_cb (self);
  tab_view_n_pages_cb (self);
}

SparkWindow *
spark_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (SPARK_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

SparkFileTree *
spark_window_get_file_tree (SparkWindow *self)
{
  g_return_val_if_fail (SPARK_IS_WINDOW (self), NULL);

  return self->file_tree;
}

SparkReviewView *
spark_window_get_review_view (SparkWindow *self)
{
  g_return_val_if_fail (SPARK_IS_WINDOW (self), NULL);

  return self->review_view;
}

AdwTabView *
spark_window_get_tab_view (SparkWindow *self)
{
  g_return_val_if_fail (SPARK_IS_WINDOW (self), NULL);

  return self->tab_view;
}
