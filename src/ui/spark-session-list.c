/* spark-session-list.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-session-list"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "spark-resources.h"
#include "spark-session-list.h"

struct _SparkSessionList
{
  GtkWidget     parent_instance;

  char         *store_dir;
  char         *root;
  GPtrArray    *summaries;
  GCancellable *cancellable;

  /* Template widgets */
  GtkListBox   *list_box;
  GtkStack     *stack;

  guint         loading : 1;
};

G_DEFINE_FINAL_TYPE (SparkSessionList, spark_session_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOADING,
  PROP_N_SESSIONS,
  N_PROPS
};

enum {
  RESUME_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  char *store_dir;
  char *root;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->store_dir);
  g_free (data->root);
  g_free (data);
}

static void
set_loading (SparkSessionList *self,
             gboolean          loading)
{
  loading = !!loading;
  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
on_resume_clicked (GtkButton        *button,
                   SparkSessionList *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "spark-session-id");

  if (id != NULL)
    g_signal_emit (self, signals[RESUME_REQUESTED], 0, id);
}

static GtkWidget *
create_row (SparkSessionList          *self,
            const SparkSessionSummary *summary,
            GDateTime                 *now)
{
  g_autofree char *when = spark_session_summary_format_time (summary->time, now);
  g_autofree char *subtitle = NULL;
  GtkWidget *row;
  GtkWidget *button;
  guint n_files = summary->files ? g_strv_length (summary->files) : 0;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 summary->title ? summary->title :
                                 /* translators: a saved session without a prompt */
                                 _("Untitled Session"));
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);

  if (n_files == 0)
    subtitle = g_strdup (when);
  else
    {
      g_autofree char *names = g_strjoinv (", ", summary->files);
      g_autofree char *count = NULL;

      /* translators: how many files a saved session's patches touched */
      count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file", "%u files", n_files), n_files);
      /* translators: "5 minutes ago · 2 files: src/a.c, b.c" */
      subtitle = g_strdup_printf (_("%s · %s: %s"), when, count, names);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (n_files > 0)
    {
      g_autofree char *tooltip = g_strjoinv ("\n", summary->files);

      gtk_widget_set_tooltip_text (row, tooltip);
    }

  /* translators: button that reopens a saved chat session */
  button = gtk_button_new_with_label (_("Resume"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "spark-session-id", g_strdup (summary->id), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_resume_clicked), self, 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  summary->title ? summary->title : "",
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);

  return row;
}

static void
show_summaries (SparkSessionList *self,
                GPtrArray        *summaries)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GtkWidget *child;
  guint old_n = self->summaries ? self->summaries->len : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  g_clear_pointer (&self->summaries, g_ptr_array_unref);
  self->summaries = summaries;

  for (guint i = 0; summaries != NULL && i < summaries->len; i++)
    gtk_list_box_append (self->list_box, create_row (self, g_ptr_array_index (summaries, i), now));

  gtk_stack_set_visible_child_name (self->stack,
                                    summaries != NULL && summaries->len > 0 ? "list" : "empty");

  if (old_n != (summaries ? summaries->len : 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SESSIONS]);
}

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;

  g_task_return_pointer (task,
                         spark_session_summary_list (data->store_dir, data->root),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SparkSessionList *self = SPARK_SESSION_LIST (object);
  g_autoptr(GError) error = NULL;
  GPtrArray *summaries;

  summaries = g_task_propagate_pointer (G_TASK (result), &error);
  if (summaries == NULL)
    {
      /* A newer reload replaced this one. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Failed to list sessions: %s", error->message);
      return;
    }

  g_clear_object (&self->cancellable);
  show_summaries (self, summaries);
  set_loading (self, FALSE);
}

void
spark_session_list_reload (SparkSessionList *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (SPARK_IS_SESSION_LIST (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->store_dir == NULL || self->root == NULL)
    {
      show_summaries (self, NULL);
      set_loading (self, FALSE);
      return;
    }

  self->cancellable = g_cancellable_new ();
  data = g_new0 (LoadData, 1);
  data->store_dir = g_strdup (self->store_dir);
  data->root = g_strdup (self->root);

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, spark_session_list_reload);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_set_return_on_cancel (task, TRUE);
  set_loading (self, TRUE);
  g_task_run_in_thread (task, load_worker);
}

static void
on_map (GtkWidget        *widget,
        SparkSessionList *self)
{
  spark_session_list_reload (self);
}

GtkWidget *
spark_session_list_new (void)
{
  return g_object_new (SPARK_TYPE_SESSION_LIST, NULL);
}

void
spark_session_list_set_source (SparkSessionList *self,
                               const char       *store_dir,
                               const char       *root)
{
  g_return_if_fail (SPARK_IS_SESSION_LIST (self));

  if (g_strcmp0 (self->store_dir, store_dir) == 0 && g_strcmp0 (self->root, root) == 0)
    return;

  g_free (self->store_dir);
  self->store_dir = g_strdup (store_dir);
  g_free (self->root);
  self->root = g_strdup (root);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    spark_session_list_reload (self);
  else
    show_summaries (self, NULL);
}

gboolean
spark_session_list_get_loading (SparkSessionList *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION_LIST (self), FALSE);
  return self->loading;
}

guint
spark_session_list_get_n_sessions (SparkSessionList *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION_LIST (self), 0);
  return self->summaries ? self->summaries->len : 0;
}

const SparkSessionSummary *
spark_session_list_get_summary (SparkSessionList *self,
                                guint             index)
{
  g_return_val_if_fail (SPARK_IS_SESSION_LIST (self), NULL);

  if (self->summaries == NULL || index >= self->summaries->len)
    return NULL;

  return g_ptr_array_index (self->summaries, index);
}

static void
spark_session_list_dispose (GObject *object)
{
  SparkSessionList *self = (SparkSessionList *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_SESSION_LIST);

  G_OBJECT_CLASS (spark_session_list_parent_class)->dispose (object);
}

static void
spark_session_list_finalize (GObject *object)
{
  SparkSessionList *self = (SparkSessionList *) object;

  g_clear_pointer (&self->summaries, g_ptr_array_unref);
  g_clear_pointer (&self->store_dir, g_free);
  g_clear_pointer (&self->root, g_free);

  G_OBJECT_CLASS (spark_session_list_parent_class)->finalize (object);
}

static void
spark_session_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SparkSessionList *self = SPARK_SESSION_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_N_SESSIONS:
      g_value_set_uint (value, spark_session_list_get_n_sessions (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_session_list_class_init (SparkSessionListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_session_list_dispose;
  object_class->finalize = spark_session_list_finalize;
  object_class->get_property = spark_session_list_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_SESSIONS] =
    g_param_spec_uint ("n-sessions", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkSessionList::resume-requested:
   * @session_id: the saved session to pass to spark_session_resume()
   *
   * Emitted when the person clicks a row's Resume button.
   */
  signals[RESUME_REQUESTED] =
    g_signal_new ("resume-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  g_assert (spark_get_resource () != NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-session-list.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkSessionList, list_box);
  gtk_widget_class_bind_template_child (widget_class, SparkSessionList, stack);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sessionlist");
}

static void
spark_session_list_init (SparkSessionList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
  show_summaries (self, NULL);
}
