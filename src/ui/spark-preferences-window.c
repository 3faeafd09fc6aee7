/* spark-preferences-window.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-a11y.h"
#include "spark-credentials.h"
#include "spark-preferences-window.h"

/* Model connection settings. Everything but the API key is GSettings; the
 * key goes to the keyring (libsecret) and never to a plain file. Values set
 * in the environment win over these, and the rows say so. */
struct _SparkPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *api_key_row;
  AdwComboRow          *approval_row;
  AdwPreferencesGroup  *connection_group;
  AdwEntryRow          *endpoint_row;
  AdwEntryRow          *model_row;
  AdwComboRow          *transport_row;
  AdwComboRow          *wire_api_row;
};

G_DEFINE_FINAL_TYPE (SparkPreferencesWindow, spark_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
show_toast (SparkPreferencesWindow *self,
            const char             *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static void
endpoint_apply_cb (SparkPreferencesWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->endpoint_row))));

  if (*text != '\0' && !g_str_has_prefix (text, "http://") && !g_str_has_prefix (text, "https://"))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->endpoint_row), "error");
      show_toast (self, _("The endpoint must start with http:// or https://"));
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->endpoint_row), "error");
  g_settings_set_string (self->settings, "endpoint", text);
}

static void
model_apply_cb (SparkPreferencesWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->model_row))));

  g_settings_set_string (self->settings, "model", text);
}

static void
api_key_apply_cb (SparkPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->api_key_row));

  if (!spark_credentials_store_api_key (key, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not store the API key in the keyring: %s"),
                                                  error->message);
      show_toast (self, message);
      return;
    }

  /* The field never shows a stored key again. */
  gtk_editable_set_text (GTK_EDITABLE (self->api_key_row), "");
  show_toast (self, _("API key stored in the keyring"));
}

static gboolean
enum_to_selected (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i]; i++)
    {
      if (g_strcmp0 (nicks[i], nick) == 0)
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
selected_to_enum (const GValue       *value,
                  const GVariantType *type,
                  gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) nicks))
    return NULL;

  return g_variant_new_string (nicks[selected]);
}

static const char *transport_nicks[] = { "auto", "websocket", "http", NULL };
static const char *wire_api_nicks[] = { "responses", "chat", NULL };
static const char *approval_nicks[] = { "ask", "auto-edits", "read-only", NULL };

static void
bind_combo (SparkPreferencesWindow *self,
            const char             *key,
            AdwComboRow            *row,
            const char            **nicks)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                enum_to_selected, selected_to_enum, nicks, NULL);
}

static void
describe_environment (SparkPreferencesWindow *self)
{
  const char *base = g_getenv ("OPENAI_BASE_URL");
  g_autofree char *endpoint = g_settings_get_string (self->settings, "endpoint");

  gtk_editable_set_text (GTK_EDITABLE (self->endpoint_row), endpoint);
  if (base != NULL && *base != '\0' && *endpoint == '\0')
    {
      g_autofree char *title = g_strdup_printf (_("Endpoint (now %s, from OPENAI_BASE_URL)"), base);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->endpoint_row), title);
    }

  if (g_getenv ("OPENAI_API_KEY") != NULL && *g_getenv ("OPENAI_API_KEY") != '\0')
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->api_key_row),
                                   _("API Key (OPENAI_API_KEY is set and is used first)"));
}

static void
spark_preferences_window_dispose (GObject *object)
{
  SparkPreferencesWindow *self = (SparkPreferencesWindow *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (spark_preferences_window_parent_class)->dispose (object);
}

static void
spark_preferences_window_class_init (SparkPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/sparkcode/Spark/spark-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkPreferencesWindow, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, SparkPreferencesWindow, approval_row);
  gtk_widget_class_bind_template_child (widget_class, SparkPreferencesWindow, connection_group);
  gtk_widget_class_bind_template_child (widget_class, SparkPreferencesWindow, endpoint_row);
  gtk_widget_class_bind_template_child (widget_class, SparkPreferencesWindow, model_row);
  gtk_widget_class_bind_template_child (widget_class, SparkPreferencesWindow, transport_row);
  gtk_widget_class_bind_template_child (widget_class, SparkPreferencesWindow, wire_api_row);
  gtk_widget_class_bind_template_callback (widget_class, api_key_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, endpoint_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, model_apply_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
spark_preferences_window_init (SparkPreferencesWindow *self)
{
  g_autofree char *model = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  spark_a11y_name_icon_buttons (GTK_WIDGET (self->api_key_row));

  self->settings = g_settings_new (APP_ID);

  model = g_settings_get_string (self->settings, "model");
  gtk_editable_set_text (GTK_EDITABLE (self->model_row), model);

  bind_combo (self, "transport", self->transport_row, transport_nicks);
  bind_combo (self, "wire-api", self->wire_api_row, wire_api_nicks);
  bind_combo (self, "approval-mode", self->approval_row, approval_nicks);

  describe_environment (self);
}

SparkPreferencesWindow *
spark_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (SPARK_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
