/* spark-help-window.c: the user guide, Markdown pages shipped in the
 * GResource, with a sidebar of topics.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-help-window"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "spark-help-window.h"
#include "spark-markdown-view.h"

#define HELP_RESOURCE_DIR "/io/github/sparkcode/Spark/help/"

typedef struct
{
  const char *id;
  const char *title;
} Topic;

static const Topic topics[] = {
  /* translators: help topics, listed in the help window's sidebar */
  { "getting-started", N_("Getting Started") },
  { "connecting", N_("Connecting a Model") },
  { "reviewing", N_("Reviewing Changes") },
  { "commands", N_("Commands and the Sandbox") },
  { "shortcuts", N_("Keyboard Shortcuts") },
  { "privacy", N_("Privacy") },
  { "troubleshooting", N_("Troubleshooting") },
};

static const char * const topic_ids[] = {
  "getting-started",
  "connecting",
  "reviewing",
  "commands",
  "shortcuts",
  "privacy",
  "troubleshooting",
  NULL
};

G_STATIC_ASSERT (G_N_ELEMENTS (topics) + 1 == G_N_ELEMENTS (topic_ids));

struct _SparkHelpWindow
{
  AdwWindow        parent_instance;

  /* Template widgets */
  GtkStackSidebar *sidebar;
  GtkStack        *stack;
  AdwWindowTitle  *window_title;
};

G_DEFINE_FINAL_TYPE (SparkHelpWindow, spark_help_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_TOPIC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const Topic *
find_topic (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    if (g_strcmp0 (topics[i].id, id) == 0)
      return &topics[i];
  return NULL;
}

/* The page in the person's language: help/LANG/TOPIC.md for the first of
 * g_get_language_names() that has one ("de_DE.UTF-8", "de_DE", "de"…), else
 * the English help/TOPIC.md. In the "C" locale gettext ignores LANGUAGE and
 * the interface is English: so is the help. */
static GBytes *
lookup_page (const char  *topic_id,
             char       **path,
             GError     **error)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  if (g_strcmp0 (messages, "C") != 0 && g_strcmp0 (messages, "POSIX") != 0)
    {
      const char * const *languages = g_get_language_names ();

      for (guint i = 0; languages[i] != NULL; i++)
        {
          g_autofree char *localized = NULL;
          GBytes *bytes;

          if (strcmp (languages[i], "C") == 0 || strchr (languages[i], '/') != NULL)
            continue;
          localized = g_strconcat (HELP_RESOURCE_DIR, languages[i], "/", topic_id, ".md", NULL);
          bytes = g_resources_lookup_data (localized, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
          if (bytes != NULL)
            {
              *path = g_steal_pointer (&localized);
              return bytes;
            }
        }
    }

  *path = g_strconcat (HELP_RESOURCE_DIR, topic_id, ".md", NULL);
  return g_resources_lookup_data (*path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

static GtkWidget *
create_page (const Topic *topic)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *scroller;
  GtkWidget *clamp;
  GtkWidget *view;

  view = spark_markdown_view_new ();
  gtk_widget_add_css_class (view, "spark-help-page");
  gtk_widget_set_margin_top (view, 18);
  gtk_widget_set_margin_bottom (view, 24);
  gtk_widget_set_margin_start (view, 24);
  gtk_widget_set_margin_end (view, 24);

  bytes = lookup_page (topic->id, &path, &error);
  if (bytes == NULL)
    {
      g_warning ("Failed to load help page %s: %s", path, error->message);
      spark_markdown_view_set_markdown (SPARK_MARKDOWN_VIEW (view),
                                        _("This page is missing."), -1);
    }
  else
    {
      gsize length = 0;
      const char *text = g_bytes_get_data (bytes, &length);

      spark_markdown_view_set_markdown (SPARK_MARKDOWN_VIEW (view), text, length);
    }

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  adw_clamp_set_child (ADW_CLAMP (clamp), view);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);

  return scroller;
}

static void
visible_child_cb (SparkHelpWindow *self)
{
  const Topic *topic = find_topic (gtk_stack_get_visible_child_name (self->stack));

  adw_window_title_set_subtitle (self->window_title, topic != NULL ? _(topic->title) : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOPIC]);
}

static void
spark_help_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SPARK_TYPE_HELP_WINDOW);

  G_OBJECT_CLASS (spark_help_window_parent_class)->dispose (object);
}

static void
spark_help_window_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SparkHelpWindow *self = SPARK_HELP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_TOPIC:
      g_value_set_string (value, spark_help_window_get_topic (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_help_window_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SparkHelpWindow *self = SPARK_HELP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_TOPIC:
      spark_help_window_show_topic (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_help_window_class_init (SparkHelpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_help_window_dispose;
  object_class->get_property = spark_help_window_get_property;
  object_class->set_property = spark_help_window_set_property;

  /**
   * SparkHelpWindow:topic:
   *
   * The id of the topic shown ("getting-started", "connecting"...).
   */
  properties[PROP_TOPIC] =
    g_param_spec_string ("topic", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/sparkcode/Spark/spark-help-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkHelpWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SparkHelpWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SparkHelpWindow, window_title);
  gtk_widget_class_bind_template_callback (widget_class, visible_child_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (SPARK_TYPE_MARKDOWN_VIEW);
}

static void
spark_help_window_init (SparkHelpWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    gtk_stack_add_titled (self->stack, create_page (&topics[i]), topics[i].id, _(topics[i].title));

  gtk_stack_set_visible_child_name (self->stack, topics[0].id);
}

/**
 * spark_help_window_new:
 * @parent: (nullable): the window the help belongs to
 *
 * Returns: (transfer none): a new help window, transient for @parent and
 *   destroyed with it; present it with gtk_window_present().
 */
SparkHelpWindow *
spark_help_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (SPARK_TYPE_HELP_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
}

/**
 * spark_help_window_show_topic:
 * @topic_id: a topic id from spark_help_window_list_topics()
 *
 * Shows the page of @topic_id; an unknown id is ignored with a warning.
 */
void
spark_help_window_show_topic (SparkHelpWindow *self,
                              const char      *topic_id)
{
  g_return_if_fail (SPARK_IS_HELP_WINDOW (self));

  if (topic_id == NULL)
    return;

  if (find_topic (topic_id) == NULL)
    {
      g_warning ("No help topic “%s”", topic_id);
      return;
    }

  /* Notifies through visible_child_cb when it changes. */
  gtk_stack_set_visible_child_name (self->stack, topic_id);
}

const char *
spark_help_window_get_topic (SparkHelpWindow *self)
{
  g_return_val_if_fail (SPARK_IS_HELP_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char * const *
spark_help_window_list_topics (void)
{
  return topic_ids;
}
