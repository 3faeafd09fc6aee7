/* test-credentials.c: the API key in a real keyring
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs a private gnome-keyring (secrets component, unlocked with a test
 * password) on a D-Bus session bus of the test's own, as a desktop session
 * would have one, and checks that the key round-trips through libsecret,
 * that the environment wins, and that the key is not written in clear
 * text. Needs dbus-daemon and gnome-keyring-daemon.
 */

#include "config.h"

#include <string.h>

#include "spark-credentials.h"
#include "spark-test-utils.h"

#define TEST_KEY "sk-test-keyring-4f1e9a7c"

static char *home;

static gboolean
file_contains (const char *dir,
               const char *needle)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  gboolean found = FALSE;

  if (d == NULL)
    return FALSE;

  while (!found && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        found = file_contains (path, needle);
      else if (g_file_get_contents (path, &contents, &len, NULL))
        found = g_strstr_len (contents, len, needle) != NULL;
    }
  g_dir_close (d);

  return found;
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *data_dir = g_build_filename (home, "data", NULL);
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *dbus_daemon = g_find_program_in_path ("dbus-daemon");
  g_autofree char *owner = NULL;

  if (daemon == NULL || dbus_daemon == NULL)
    {
      g_test_skip ("gnome-keyring-daemon or dbus-daemon is not installed");
      return;
    }

  /* Whatever bus this runs on, the keyring is on one of its own. */
  spark_test_private_session_bus ();
  owner = spark_test_start_keyring (&error);
  g_assert_no_error (error);

  g_unsetenv ("OPENAI_API_KEY");
  g_assert_true (spark_credentials_store_api_key (TEST_KEY, &error));
  g_assert_no_error (error);

  key = spark_credentials_lookup_api_key (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, TEST_KEY);

  /* OPENAI_API_KEY wins over the keyring. */
  g_setenv ("OPENAI_API_KEY", "sk-from-environment", TRUE);
  g_clear_pointer (&key, g_free);
  key = spark_credentials_lookup_api_key (&error);
  g_assert_cmpstr (key, ==, "sk-from-environment");
  g_unsetenv ("OPENAI_API_KEY");

  /* The keyring file on disk is encrypted: the key is not in it. */
  {
    g_autofree char *login = g_build_filename (data_dir, "keyrings", "login.keyring", NULL);

    g_assert_true (g_file_test (login, G_FILE_TEST_IS_REGULAR));
  }
  g_assert_false (file_contains (data_dir, TEST_KEY));

  /* Forgetting it leaves no key for the tests that run after this one on
   * the same session bus. */
  g_assert_true (spark_credentials_forget_api_key (&error));
  g_assert_no_error (error);
  g_clear_pointer (&key, g_free);
  key = spark_credentials_lookup_api_key (&error);
  g_assert_null (key);

  /* The daemon ends with the bus. */
  spark_test_private_session_bus_stop ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* A private home for the keyring files, so the person's own keyring is
   * never touched. */
  home = spark_test_make_temp_dir ();
  {
    g_autofree char *data = g_build_filename (home, "data", NULL);
    g_autofree char *runtime = g_build_filename (home, "run", NULL);

    g_mkdir_with_parents (runtime, 0700);
    g_setenv ("HOME", home, TRUE);
    g_setenv ("XDG_DATA_HOME", data, TRUE);
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  }

  spark_test_init (&argc, &argv);
  g_test_add_func ("/agent/credentials/keyring-round-trip", test_round_trip);
  ret = g_test_run ();

  spark_test_rm_rf (home);
  g_free (home);

  return ret;
}
