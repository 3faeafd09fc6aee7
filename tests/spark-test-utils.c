/* spark-test-utils.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif

#include <git2.h>
#include <glib/gstdio.h>
#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#endif

#include "spark-test-utils.h"

static void
quiet_log_handler (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    {
      if (g_getenv ("SPARK_TEST_VERBOSE") != NULL)
        g_printerr ("# %s: %s\n", log_domain ? log_domain : "", message);
      return;
    }

  g_log_default_handler (log_domain, log_level, message, user_data);
}

void
spark_test_quiet_logs (void)
{
  g_log_set_default_handler (quiet_log_handler, NULL);
}

void
spark_test_init (int    *argc,
                 char ***argv)
{
  g_test_init (argc, argv, NULL);
  spark_test_quiet_logs ();
}

char *
spark_test_make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("spark-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
spark_test_rm_rf (const char *path)
{
  GDir *dir;
  const char *name;

  if (path == NULL)
    return;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) &&
      g_file_test (path, G_FILE_TEST_IS_DIR) &&
      (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          spark_test_rm_rf (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

void
spark_test_write_file (const char *root,
                       const char *relpath,
                       const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (root, relpath, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

char *
spark_test_read_file (const char *root,
                      const char *relpath,
                      gsize      *length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (root, relpath, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

void
spark_test_git (const char *dir,
                ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  int status = 0;
  va_list ap;

  g_ptr_array_add (args, (char *) "git");
  g_ptr_array_add (args, (char *) "-c");
  g_ptr_array_add (args, (char *) "user.name=Spark Test");
  g_ptr_array_add (args, (char *) "-c");
  g_ptr_array_add (args, (char *) "user.email=test@example.invalid");
  g_ptr_array_add (args, (char *) "-c");
  g_ptr_array_add (args, (char *) "init.defaultBranch=main");
  g_ptr_array_add (args, (char *) "-c");
  g_ptr_array_add (args, (char *) "commit.gpgsign=false");

  va_start (ap, dir);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_spawn_sync (dir, (char **) args->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("git %s failed: %s", (char *) args->pdata[9], err);
}

char *
spark_test_git_output (const char *dir,
                       ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *arg;
  int status = 0;
  va_list ap;

  g_ptr_array_add (args, (char *) "git");
  g_ptr_array_add (args, (char *) "-c");
  g_ptr_array_add (args, (char *) "core.quotepath=off");
  va_start (ap, dir);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_spawn_sync (dir, (char **) args->pdata, NULL, G_SPAWN_SEARCH_PATH,
                NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("git %s failed: %s", (char *) args->pdata[3], err);
  return out;
}

char *
spark_test_isolate_git_config (void)
{
  char *home = spark_test_make_temp_dir ();

  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("GIT_CONFIG_NOSYSTEM", "1", TRUE);
  g_unsetenv ("GIT_CONFIG_GLOBAL");
  g_unsetenv ("GIT_DIR");
  g_unsetenv ("GIT_WORK_TREE");
  g_unsetenv ("GIT_INDEX_FILE");
  git_libgit2_init ();
  git_libgit2_opts (GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, home);
  git_libgit2_opts (GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, home);
  git_libgit2_opts (GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, home);
  git_libgit2_opts (GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA, home);

  return home;
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out waiting for %s", data ? (const char *) data : "a condition");
  return G_SOURCE_REMOVE;
}

/* Under valgrind's memcheck a test runs 20-50 times slower, and 2-5 times
 * under the sanitizers: the same steps and checks, with deadlines that
 * still catch a hang. */
#define VALGRIND_DEADLINE_SCALE 20

guint
spark_test_deadline_scale (void)
{
  static guint scale = 0;

  if (scale == 0)
    {
      const char *env = g_getenv ("SPARK_TEST_DEADLINE_SCALE");
      guint64 value = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 0;

      scale = value >= 1 && value <= 1000 ? (guint) value : 1;
#ifdef HAVE_VALGRIND_H
      if (RUNNING_ON_VALGRIND)
        scale = MAX (scale, VALGRIND_DEADLINE_SCALE);
#endif
    }

  return scale;
}

guint
spark_test_add_deadline (guint       timeout_seconds,
                         const char *what)
{
  return g_timeout_add_seconds (timeout_seconds * spark_test_deadline_scale (), timeout_cb,
                                (gpointer) what);
}

void
spark_test_wait_for (const gboolean *flag,
                     guint           timeout_seconds)
{
  guint id = spark_test_add_deadline (timeout_seconds, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (id);
}

/* The unique name that owns org.freedesktop.secrets now, or NULL. Asking
 * does not start a daemon. */
static char *
secrets_owner (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  char *owner = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply != NULL)
    g_variant_get (reply, "(s)", &owner);
  return owner;
}

gboolean
spark_test_secrets_service_running (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autofree char *owner = bus ? secrets_owner (bus) : NULL;

  return owner != NULL;
}

/* A session bus with no service folder: nothing on it can be
 * D-Bus-activated. (GTestDBus would do, but its watcher is a fork of the
 * test without exec, which valgrind reports as leaking everything the
 * test's other threads held.) */
static const char private_bus_config[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>session</type>\n"
  "  <listen>unix:tmpdir=/tmp</listen>\n"
  "  <policy context=\"default\">\n"
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
  "    <allow eavesdrop=\"true\"/>\n"
  "    <allow own=\"*\"/>\n"
  "  </policy>\n"
  "</busconfig>\n";

static GSubprocess *private_bus;
static char *private_bus_dir;
static char *private_bus_address;

static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  /* A test that crashes leaves no bus behind. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

const char *
spark_test_private_session_bus (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_arg = NULL;

  if (private_bus != NULL)
    return private_bus_address;

  private_bus_dir = spark_test_make_temp_dir ();
  config = g_build_filename (private_bus_dir, "session.conf", NULL);
  g_file_set_contents (config, private_bus_config, -1, &error);
  g_assert_no_error (error);
  config_arg = g_strconcat ("--config-file=", config, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  private_bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", config_arg,
                                             "--nofork", "--print-address=1", NULL);
  g_assert_no_error (error);

  /* It prints its address once it listens. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (private_bus));
  private_bus_address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (private_bus_address);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", private_bus_address, TRUE);

  return private_bus_address;
}

void
spark_test_private_session_bus_stop (void)
{
  g_autoptr(GDBusConnection) connection = NULL;

  if (private_bus == NULL)
    return;

  /* This process's connection (libsecret's) must not end the process
   * when the bus goes. */
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (connection != NULL)
    g_dbus_connection_set_exit_on_close (connection, FALSE);
  g_subprocess_send_signal (private_bus, SIGTERM);
  g_subprocess_wait (private_bus, NULL, NULL);
  g_clear_object (&private_bus);
  spark_test_rm_rf (private_bus_dir);
  g_clear_pointer (&private_bus_dir, g_free);
  /* The address stays for what may still hold it: nothing answers there. */
}

char *
spark_test_start_keyring (GError **error)
{
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GBytes) password = g_bytes_new_static ("test-password", 13);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  g_autofree char *earlier = NULL;
  gint64 deadline;

  if (bus == NULL)
    return NULL;

  /* Another daemon (say one that D-Bus started for an earlier test) would
   * keep the name: ours could not take it, and storing in the other one
   * would wait for a prompt that nobody answers. */
  earlier = secrets_owner (bus);
  if (earlier != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s already owns org.freedesktop.secrets on this bus: "
                   "run the test on a session bus of its own", earlier);
      return NULL;
    }

  /* The tests' environment points libsecret at a name nobody owns (see
   * tests/meson.build); this process and its children use the real one. */
  g_unsetenv ("SECRET_SERVICE_BUS_NAME");

  daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                             G_SUBPROCESS_FLAGS_STDERR_SILENCE, error,
                             "gnome-keyring-daemon", "--unlock", "--components=secrets", NULL);
  if (daemon == NULL)
    return NULL;

  /* It reads the password, forks the daemon and exits. */
  if (!g_subprocess_communicate (daemon, password, NULL, NULL, NULL, error) ||
      !g_subprocess_wait_check (daemon, NULL, error))
    return NULL;

  /* Until the daemon owns the name, asking libsecret would make D-Bus
   * start another one, without the password: locked, and storing would
   * wait for a prompt that nobody answers. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      char *owner = secrets_owner (bus);

      if (owner != NULL)
        return owner;
      g_usleep (20 * 1000);
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "gnome-keyring-daemon never took org.freedesktop.secrets");
  return NULL;
}
