/* spark-welcome-page.c: the first-run page: what the panes are, and a form
 * to connect a model with a real Test Connection (the model list, then the
 * session's connection and warm-up, timed).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-welcome-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "spark-a11y.h"
#include "spark-credentials.h"
#include "spark-models.h"
#include "spark-session.h"
#include "spark-welcome-page.h"

/* A test that takes longer than this is given up, with a message. */
#define TEST_TIMEOUT_SECONDS 20

struct _SparkWelcomePage
{
  GtkWidget     parent_instance;

  GSettings    *settings;
  char         *status;

  /* The test running now (all NULL/0 otherwise). */
  GCancellable *cancellable;
  SparkSession *session;
  char         *test_endpoint;
  guint         n_models;
  gint64        started_at;
  gint64        handshake_at;
  guint         timeout_id;
  guint         testing : 1;

  /* Template widgets */
  GtkButton           *continue_button;
  AdwEntryRow         *endpoint_row;
  GtkLabel            *key_label;
  AdwPasswordEntryRow *key_row;
  GtkLabel            *result_label;
  GtkScrolledWindow   *scroller;
  GtkSpinner          *spinner;
  AdwStatusPage       *status_page;
  GtkButton           *test_button;
};

G_DEFINE_FINAL_TYPE (SparkWelcomePage, spark_welcome_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENDPOINT,
  PROP_STATUS,
  PROP_TESTING,
  N_PROPS
};

enum {
  DONE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static char *
default_endpoint (GSettings *settings)
{
  g_autofree char *stored = g_settings_get_string (settings, "endpoint");
  const char *env = g_getenv ("OPENAI_BASE_URL");

  if (*stored != '\0')
    return g_steal_pointer (&stored);
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_strdup (SPARK_DEFAULT_ENDPOINT);
}

/* The error in plain words: what went wrong and, where it helps, what to try. */
static char *
describe_error (const char   *endpoint,
                const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    /* translators: Test Connection failed; %s is the endpoint URL */
    return g_strdup_printf (_("Could not connect to %s: nothing is listening there. Is the server running?"),
                            endpoint);
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND) ||
      g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE))
    /* translators: Test Connection failed; %s is the endpoint URL */
    return g_strdup_printf (_("Could not find the server of %s. Check the address and the network."),
                            endpoint);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TIMEOUT))
    /* translators: Test Connection failed; %s is the endpoint URL */
    return g_strdup_printf (_("%s did not answer in time."), endpoint);
  if (g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_NO_API_KEY))
    return g_strdup (_("This server needs an API key. Enter it above."));

  /* translators: Test Connection failed; %s is the reason, already in words */
  return g_strdup_printf (_("Could not connect: %s"), error->message);
}

/* Stores the key typed in, if any; says so below the buttons when the
 * keyring refuses it. Returns FALSE then. */
static gboolean
store_key (SparkWelcomePage *self)
{
  g_autofree char *key = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row)));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_strstrip (key);
  if (*key == '\0' || spark_credentials_store_api_key (key, &error))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->key_label), FALSE);
      return TRUE;
    }

  g_debug ("Failed to store the API key: %s", error->message);
  /* translators: first-run page; %s says why the keyring refused the key */
  message = g_strdup_printf (_("The key could not be saved in the keyring (%s). "
                               "It is used for this test only; clear the field to continue without it."),
                             error->message);
  gtk_label_set_text (self->key_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->key_label), TRUE);

  return FALSE;
}

static void
set_status (SparkWelcomePage *self,
            const char       *status,
            gboolean          failed)
{
  if (g_strcmp0 (self->status, status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (status);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }

  gtk_label_set_text (self->result_label, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), status != NULL);
  if (failed)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "success");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "success");
    }
}

static void
set_testing (SparkWelcomePage *self,
             gboolean          testing)
{
  testing = !!testing;
  if (self->testing == testing)
    return;

  self->testing = testing;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), testing);
  gtk_spinner_set_spinning (self->spinner, testing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), !testing);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TESTING]);
}

/* Drops the test's session and timers; the caller sets the status. */
static void
end_test (SparkWelcomePage *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      spark_session_close (self->session);
      g_clear_object (&self->session);
    }
  g_clear_pointer (&self->test_endpoint, g_free);
  self->n_models = 0;
  self->started_at = 0;
  self->handshake_at = 0;
  set_testing (self, FALSE);
}

static void
fail_test (SparkWelcomePage *self,
           const GError     *error)
{
  g_autofree char *message = describe_error (self->test_endpoint, error);

  g_debug ("Test Connection failed: %s", error->message);
  end_test (self);
  set_status (self, message, TRUE);
}

static gboolean
timeout_cb (gpointer user_data)
{
  SparkWelcomePage *self = user_data;
  g_autoptr(GError) error = NULL;

  self->timeout_id = 0;
  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");
  fail_test (self, error);

  return G_SOURCE_REMOVE;
}

static void
connection_state_cb (SparkWelcomePage *self,
                     GParamSpec       *pspec,
                     SparkSession     *session)
{
  SparkConnectionState state = spark_session_get_connection_state (session);

  /* The transport is up: the warm-up (if any) follows on it. */
  if (self->handshake_at == 0 &&
      (state == SPARK_CONNECTION_STATE_WARM || state == SPARK_CONNECTION_STATE_FALLBACK))
    self->handshake_at = g_get_monotonic_time ();
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SparkWelcomePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 now = g_get_monotonic_time ();
  double handshake_ms;
  double first_event_ms;
  guint n_models;

  if (!spark_session_start_finish (SPARK_SESSION (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          SPARK_SESSION (object) == self->session)
        fail_test (self, error);
      return;
    }

  if (SPARK_SESSION (object) != self->session)
    return;   /* an older test */

  if (self->handshake_at == 0)
    self->handshake_at = now;
  handshake_ms = (self->handshake_at - self->started_at) / 1000.0;
  first_event_ms = (now - self->started_at) / 1000.0;
  n_models = self->n_models;

  message = g_strdup_printf (/* translators: Test Connection succeeded: the number of models of
                              * the server, the time to open the connection and the time until
                              * the server answered the warm-up request, in milliseconds */
                             ngettext ("Connected: %u model, handshake %.1f ms, first event %.1f ms",
                                       "Connected: %u models, handshake %.1f ms, first event %.1f ms",
                                       n_models),
                             n_models, handshake_ms, first_event_ms);
  end_test (self);
  set_status (self, message, FALSE);
}

static void
models_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GCancellable) cancellable = user_data;
  SparkWelcomePage *self = g_object_get_data (G_OBJECT (cancellable), "spark-welcome-page");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  g_autofree char *root = NULL;
  g_autofree char *key = NULL;
  int wire_api;

  models = spark_models_list_finish (result, &error);
  /* Ended meanwhile (a newer test, a timeout, Continue, dispose): the
   * cancellable was cancelled and the page may be gone. */
  if (g_cancellable_is_cancelled (cancellable) || self == NULL || cancellable != self->cancellable)
    return;
  if (models == NULL)
    {
      fail_test (self, error);
      return;
    }

  self->n_models = g_strv_length (models);

  /* A throwaway session: nothing is saved, no tool runs (the warm-up has no input). */
  root = g_strdup (g_get_tmp_dir ());
  wire_api = g_settings_get_enum (self->settings, "wire-api");
  self->session = spark_session_new (root);
  spark_session_set_store_dir (self->session, NULL);
  spark_session_set_endpoint (self->session, self->test_endpoint);
  spark_session_set_wire_api (self->session, wire_api == 1 ? SPARK_WIRE_API_CHAT : SPARK_WIRE_API_RESPONSES);
  spark_session_set_retry_policy (self->session, 0, 0);
  key = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row)));
  g_strstrip (key);
  if (*key == '\0')
    {
      g_free (key);
      key = spark_credentials_lookup_api_key (NULL);
    }
  if (key != NULL && *key != '\0')
    spark_session_set_api_key (self->session, key);

  g_signal_connect_swapped (self->session, "notify::connection-state",
                            G_CALLBACK (connection_state_cb), self);
  self->started_at = g_get_monotonic_time ();
  spark_session_start_async (self->session, self->cancellable, start_cb, g_object_ref (self));
}

/**
 * spark_welcome_page_test_connection:
 *
 * Stores the key typed in (if any) in the keyring, lists the models of the
 * endpoint, then opens a session's connection and warms it up, timing both.
 * The result is shown below the buttons and in #SparkWelcomePage:status.
 */
void
spark_welcome_page_test_connection (SparkWelcomePage *self)
{
  g_autofree char *key = NULL;
  const char *endpoint;

  g_return_if_fail (SPARK_IS_WELCOME_PAGE (self));

  end_test (self);

  endpoint = spark_welcome_page_get_endpoint (self);
  if (endpoint == NULL || *endpoint == '\0')
    {
      set_status (self, _("Enter the endpoint of the server first."), TRUE);
      return;
    }

  store_key (self);
  key = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row)));
  g_strstrip (key);

  self->test_endpoint = g_strdup (endpoint);
  self->cancellable = g_cancellable_new ();
  self->timeout_id = g_timeout_add_seconds (TEST_TIMEOUT_SECONDS, timeout_cb, self);
  set_status (self, _("Testing the connection…"), FALSE);
  set_testing (self, TRUE);

  /* The callback finds the page through the cancellable, which is
   * cancelled before the page goes away. */
  g_object_set_data (G_OBJECT (self->cancellable), "spark-welcome-page", self);
  spark_models_list_async (endpoint, *key != '\0' ? key : NULL, self->cancellable,
                           models_cb, g_object_ref (self->cancellable));
}

static void
test_clicked_cb (SparkWelcomePage *self)
{
  spark_welcome_page_test_connection (self);
}

static void
continue_clicked_cb (SparkWelcomePage *self)
{
  g_autofree char *effective = default_endpoint (self->settings);
  const char *endpoint = spark_welcome_page_get_endpoint (self);

  /* A key that would be lost is not silently dropped: the page stays. */
  if (!store_key (self))
    return;

  /* Only a choice the person made is written: the default stays a default. */
  if (endpoint != NULL && *endpoint != '\0' && g_strcmp0 (endpoint, effective) != 0)
    g_settings_set_string (self->settings, "endpoint", endpoint);

  end_test (self);
  g_signal_emit (self, signals[DONE], 0);
}

static void
endpoint_changed_cb (SparkWelcomePage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDPOINT]);
}

static void
spark_welcome_page_dispose (GObject *object)
{
  SparkWelcomePage *self = SPARK_WELCOME_PAGE (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      spark_session_close (self->session);
      g_clear_object (&self->session);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_WELCOME_PAGE);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (spark_welcome_page_parent_class)->dispose (object);
}

static void
spark_welcome_page_finalize (GObject *object)
{
  SparkWelcomePage *self = SPARK_WELCOME_PAGE (object);

  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->test_endpoint, g_free);

  G_OBJECT_CLASS (spark_welcome_page_parent_class)->finalize (object);
}

static void
spark_welcome_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SparkWelcomePage *self = SPARK_WELCOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_value_set_string (value, spark_welcome_page_get_endpoint (self));
      break;

    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;

    case PROP_TESTING:
      g_value_set_boolean (value, spark_welcome_page_get_testing (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_welcome_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SparkWelcomePage *self = SPARK_WELCOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      spark_welcome_page_set_endpoint (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_welcome_page_class_init (SparkWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_welcome_page_dispose;
  object_class->finalize = spark_welcome_page_finalize;
  object_class->get_property = spark_welcome_page_get_property;
  object_class->set_property = spark_welcome_page_set_property;

  /**
   * SparkWelcomePage:endpoint:
   *
   * The API base URL in the form. Prefilled from the "endpoint" setting,
   * else $OPENAI_BASE_URL, else the OpenAI service.
   */
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SparkWelcomePage:status:
   *
   * The last result of Test Connection, in plain words, or %NULL.
   */
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SparkWelcomePage:testing:
   *
   * Whether Test Connection is running.
   */
  properties[PROP_TESTING] =
    g_param_spec_boolean ("testing", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkWelcomePage::done:
   *
   * Emitted when the person presses Continue, after the key (if typed) is
   * in the keyring and a changed endpoint is in the settings. The owner
   * hides the page and remembers that the welcome was seen. Not emitted
   * while a typed key cannot be saved (the page says why).
   */
  signals[DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/sparkcode/Spark/spark-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, continue_button);
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, endpoint_row);
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, key_label);
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, key_row);
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, result_label);
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, scroller);
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, status_page);
  gtk_widget_class_bind_template_child (widget_class, SparkWelcomePage, test_button);
  gtk_widget_class_bind_template_callback (widget_class, continue_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, endpoint_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sparkwelcomepage");
}

static void
spark_welcome_page_init (SparkWelcomePage *self)
{
  g_autofree char *endpoint = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  spark_a11y_tidy_mnemonic_buttons (GTK_WIDGET (self));
  spark_a11y_name_icon_buttons (GTK_WIDGET (self->key_row));

  /* Screen readers read the result with the button. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->test_button),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->result_label, NULL,
                                  -1);

  /* The app's icon, installed under the app id (a .Devel build has its own). */
  adw_status_page_set_icon_name (self->status_page, APP_ID);

  self->settings = g_settings_new (APP_ID);
  endpoint = default_endpoint (self->settings);
  gtk_editable_set_text (GTK_EDITABLE (self->endpoint_row), endpoint);
}

GtkWidget *
spark_welcome_page_new (void)
{
  return g_object_new (SPARK_TYPE_WELCOME_PAGE, NULL);
}

const char *
spark_welcome_page_get_endpoint (SparkWelcomePage *self)
{
  g_return_val_if_fail (SPARK_IS_WELCOME_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->endpoint_row));
}

void
spark_welcome_page_set_endpoint (SparkWelcomePage *self,
                                 const char       *endpoint)
{
  g_return_if_fail (SPARK_IS_WELCOME_PAGE (self));

  /* The row's ::changed notifies when the text really changes. */
  gtk_editable_set_text (GTK_EDITABLE (self->endpoint_row), endpoint != NULL ? endpoint : "");
}

const char *
spark_welcome_page_get_status (SparkWelcomePage *self)
{
  g_return_val_if_fail (SPARK_IS_WELCOME_PAGE (self), NULL);

  return self->status;
}

gboolean
spark_welcome_page_get_testing (SparkWelcomePage *self)
{
  g_return_val_if_fail (SPARK_IS_WELCOME_PAGE (self), FALSE);

  return self->testing;
}
