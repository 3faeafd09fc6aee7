/* test-welcome-page.c: SparkWelcomePage's Test Connection against the
 * in-process fake server (three models, a timed WebSocket handshake and
 * warm-up), against a closed port (a readable error), the endpoint's
 * prefill, and Continue emitting ::done; a screenshot of the page.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "spark-credentials.h"
#include "spark-fake-server.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"
#include "spark-welcome-page.h"

#define TEST_KEY "sk-test-welcome-2b9d"
typedef struct
{
  SparkFakeServer  *server;
  GtkWindow        *window;
  SparkWelcomePage *page;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "wire-api");

  fixture->server = spark_fake_server_new ();
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 900, 700);
  fixture->page = SPARK_WELCOME_PAGE (spark_welcome_page_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&fixture->server, spark_fake_server_free);
}

/* The first button under @widget whose accessible label or label is @label. */
/* A button whose label, without its mnemonic underline, is @label. */
static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  const char *text;
  g_autoptr(GString) plain = NULL;

  if (!GTK_IS_BUTTON (widget) || (text = gtk_button_get_label (GTK_BUTTON (widget))) == NULL)
    return FALSE;

  plain = g_string_new (text);
  g_string_replace (plain, "_", "", 0);
  return g_strcmp0 (plain->str, label) == 0;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  return spark_test_find_first (widget, is_button_labelled, label);
}

static void
click (Fixture    *fixture,
       const char *label)
{
  GtkWidget *button = find_button (GTK_WIDGET (fixture->page), label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
test_prefill (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *page;

  /* No setting, no variable: the OpenAI service. */
  g_unsetenv ("OPENAI_BASE_URL");
  page = g_object_ref_sink (spark_welcome_page_new ());
  g_assert_cmpstr (spark_welcome_page_get_endpoint (SPARK_WELCOME_PAGE (page)), ==,
                   "https://api.openai.com/v1");
  g_object_unref (page);

  g_setenv ("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1", TRUE);
  page = g_object_ref_sink (spark_welcome_page_new ());
  g_assert_cmpstr (spark_welcome_page_get_endpoint (SPARK_WELCOME_PAGE (page)), ==,
                   "http://127.0.0.1:11434/v1");
  g_object_unref (page);

  /* The setting wins over the variable. */
  g_settings_set_string (settings, "endpoint", "http://127.0.0.1:8080/v1");
  page = g_object_ref_sink (spark_welcome_page_new ());
  g_assert_cmpstr (spark_welcome_page_get_endpoint (SPARK_WELCOME_PAGE (page)), ==,
                   "http://127.0.0.1:8080/v1");
  g_object_unref (page);

  g_unsetenv ("OPENAI_BASE_URL");
  g_settings_reset (settings, "endpoint");
}

static void
test_connected (Fixture       *fixture,
                gconstpointer  data)
{
  GtkWidget *button;
  const char *status;
  double handshake = -1;
  double first_event = -1;
  guint n_models = 0;

  spark_welcome_page_set_endpoint (fixture->page, spark_fake_server_get_base_url (fixture->server));

  /* The Test Connection button is found by its accessible name's text. */
  button = find_button (GTK_WIDGET (fixture->page), "Test Connection");
  g_assert_nonnull (button);
  click (fixture, "Test Connection");
  g_assert_true (spark_welcome_page_get_testing (fixture->page));
  g_assert_false (gtk_widget_get_sensitive (button));

  SPARK_TEST_WAIT_UNTIL (!spark_welcome_page_get_testing (fixture->page));
  status = spark_welcome_page_get_status (fixture->page);
  g_test_message ("status: %s", status);
  g_assert_nonnull (status);
  g_assert_true (g_str_has_prefix (status, "Connected"));
  g_assert_cmpint (sscanf (status, "Connected: %u models, handshake %lf ms, first event %lf ms",
                           &n_models, &handshake, &first_event), ==, 3);
  g_assert_cmpuint (n_models, ==, 3);
  g_assert_cmpfloat (handshake, >=, 0);
  g_assert_cmpfloat (first_event, >=, handshake);
  /* The session really went through the WebSocket handshake and the warm-up. */
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (fixture->server), >=, 1);
  g_assert_cmpuint (spark_fake_server_get_n_requests (fixture->server), >=, 1);
  g_assert_cmpstr (spark_fake_server_get_last_authorization (fixture->server), ==, "Bearer " TEST_KEY);
  g_assert_true (gtk_widget_get_sensitive (button));

  spark_test_save_screenshot (GTK_WIDGET (fixture->window), "welcome-page.png");
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
done_cb (SparkWelcomePage *page,
         guint            *count)
{
  (*count)++;
}

static gboolean
is_key_notice (GtkWidget     *widget,
               gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "warning") &&
         gtk_widget_get_visible (widget);
}

/* The key notice below the buttons, when it is shown. */
static const char *
visible_key_notice (GtkWidget *widget)
{
  GtkWidget *notice = spark_test_find_first (widget, is_key_notice, NULL);

  return notice != NULL ? gtk_label_get_text (GTK_LABEL (notice)) : NULL;
}

/* A key typed in is used for both requests, not the one from the
 * environment, and stored in the keyring: a private gnome-keyring when this
 * test can start one, else whatever owns the Secret Service on this bus
 * (an earlier test's daemon, whose files may be gone: then the page must
 * say the key was not saved). */
static void
test_typed_key (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  GtkWidget *key_row;
  const char *status;
  const char *notice;
  g_autofree char *daemon = NULL;
  g_autofree char *owner = NULL;
  gboolean own_keyring = FALSE;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("Needs a session bus: run the ui suite under dbus-run-session");
      return;
    }
  daemon = g_find_program_in_path ("gnome-keyring-daemon");
  if (!spark_test_secrets_service_running () && daemon != NULL)
    {
      owner = spark_test_start_keyring (&error);
      g_assert_no_error (error);
      own_keyring = TRUE;
    }

  key_row = find_type (GTK_WIDGET (fixture->page), ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_nonnull (key_row);
  gtk_editable_set_text (GTK_EDITABLE (key_row), "  sk-typed-welcome-77 ");
  spark_welcome_page_set_endpoint (fixture->page, spark_fake_server_get_base_url (fixture->server));

  click (fixture, "Test Connection");
  SPARK_TEST_WAIT_UNTIL (!spark_welcome_page_get_testing (fixture->page));
  status = spark_welcome_page_get_status (fixture->page);
  g_test_message ("status: %s", status);
  g_assert_true (g_str_has_prefix (status, "Connected: 3 models"));
  g_assert_cmpstr (spark_fake_server_get_last_authorization (fixture->server), ==,
                   "Bearer sk-typed-welcome-77");

  g_unsetenv ("OPENAI_API_KEY");
  stored = spark_credentials_lookup_api_key (NULL);
  notice = visible_key_notice (GTK_WIDGET (fixture->page));
  g_test_message ("own keyring: %d, key notice: %s", own_keyring, notice ? notice : "(none)");
  if (own_keyring)
    g_assert_cmpstr (stored, ==, "sk-typed-welcome-77");
  if (g_strcmp0 (stored, "sk-typed-welcome-77") != 0)
    {
      /* Not saved: the page says so, and Continue keeps the page. */
      guint done = 0;

      g_assert_nonnull (notice);
      g_assert_nonnull (strstr (notice, "could not be saved"));
      g_signal_connect (fixture->page, "done", G_CALLBACK (done_cb), &done);
      click (fixture, "Continue");
      g_assert_cmpuint (done, ==, 0);
    }
  else
    g_assert_null (notice);

  /* Leave no key behind for the tests after this one. */
  if (stored != NULL)
    {
      g_assert_true (spark_credentials_forget_api_key (&error));
      g_assert_no_error (error);
    }
  g_setenv ("OPENAI_API_KEY", TEST_KEY, TRUE);
}

static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  /* Bound but never listening, then closed: connections are refused. */
  g_socket_close (socket, NULL);

  return port;
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *endpoint = g_strdup_printf ("http://127.0.0.1:%u/v1", closed_port ());
  const char *status;

  spark_welcome_page_set_endpoint (fixture->page, endpoint);
  click (fixture, "Test Connection");
  SPARK_TEST_WAIT_UNTIL (!spark_welcome_page_get_testing (fixture->page));

  status = spark_welcome_page_get_status (fixture->page);
  g_test_message ("status: %s", status);
  g_assert_nonnull (status);
  g_assert_false (g_str_has_prefix (status, "Connected"));
  g_assert_nonnull (strstr (status, "Could not connect"));
  g_assert_nonnull (strstr (status, endpoint));
  g_assert_nonnull (strstr (status, "Is the server running?"));

  spark_test_save_screenshot (GTK_WIDGET (fixture->window), "welcome-page-error.png");
}

static void
test_continue (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *stored = NULL;
  guint done = 0;

  g_signal_connect (fixture->page, "done", G_CALLBACK (done_cb), &done);

  /* Unchanged default: emitted, nothing written. */
  click (fixture, "Continue");
  g_assert_cmpuint (done, ==, 1);
  stored = g_settings_get_string (settings, "endpoint");
  g_assert_cmpstr (stored, ==, "");
  g_clear_pointer (&stored, g_free);

  /* A chosen endpoint is remembered. */
  spark_welcome_page_set_endpoint (fixture->page, "http://127.0.0.1:8080/v1");
  click (fixture, "Continue");
  g_assert_cmpuint (done, ==, 2);
  stored = g_settings_get_string (settings, "endpoint");
  g_assert_cmpstr (stored, ==, "http://127.0.0.1:8080/v1");

  /* Continue during a test ends it. */
  spark_welcome_page_set_endpoint (fixture->page, spark_fake_server_get_base_url (fixture->server));
  click (fixture, "Test Connection");
  g_assert_true (spark_welcome_page_get_testing (fixture->page));
  click (fixture, "Continue");
  g_assert_cmpuint (done, ==, 3);
  g_assert_false (spark_welcome_page_get_testing (fixture->page));

  g_settings_reset (settings, "endpoint");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = spark_test_make_temp_dir ();
  g_autofree char *icons = g_build_filename (g_getenv ("G_TEST_SRCDIR") ?: ".", "..", "data", "icons", NULL);

  int ret;

  /* A private home for the keyring files: the person's own keyring is
   * never touched. */
  {
    g_autofree char *data = g_build_filename (home, "data", NULL);
    g_autofree char *runtime = g_build_filename (home, "run", NULL);

    g_mkdir_with_parents (runtime, 0700);
    g_setenv ("HOME", home, TRUE);
    g_setenv ("XDG_DATA_HOME", data, TRUE);
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  }
  /* The key comes from the environment: the test needs no keyring. */
  g_setenv ("OPENAI_API_KEY", TEST_KEY, TRUE);
  g_unsetenv ("OPENAI_BASE_URL");
  spark_test_init_gtk (&argc, &argv);

  /* The app icon, which the installed app finds in hicolor. */
  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  icons);

  g_test_add ("/ui/welcome-page/prefill", Fixture, NULL, fixture_setup, test_prefill, fixture_teardown);
  g_test_add ("/ui/welcome-page/connected", Fixture, NULL, fixture_setup, test_connected, fixture_teardown);
  g_test_add ("/ui/welcome-page/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/ui/welcome-page/continue", Fixture, NULL, fixture_setup, test_continue, fixture_teardown);
  g_test_add ("/ui/welcome-page/typed-key", Fixture, NULL, fixture_setup, test_typed_key, fixture_teardown);

  ret = g_test_run ();
  spark_test_rm_rf (home);

  return ret;
}
