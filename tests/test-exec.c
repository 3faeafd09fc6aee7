/* test-exec.c — `spark exec` end to end: the built binary against the fake
 * server running in this process.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "spark-credentials.h"
#include "spark-fake-server.h"
#include "spark-tools.h"
#include "spark-test-utils.h"

#define TEST_KEY "sk-exec-test-4d2c9a81"

typedef struct
{
  SparkFakeServer *server;
  char            *root;
  char            *data_home;
  char            *checkpoint_dir;   /* NULL: the test environment's */
  const char      *bwrap;            /* $SPARK_BWRAP for spark (NULL: as is) */
  const char      *bus_address;      /* spark's session bus (NULL: none) */
  char            *out;
  char            *err;
  int              status;
  gboolean         done;
  GSubprocess     *running;          /* while run_exec() waits */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = spark_fake_server_new ();
  f->root = spark_test_make_temp_dir ();
  f->data_home = spark_test_make_temp_dir ();
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  spark_fake_server_free (f->server);
  spark_test_rm_rf (f->root);
  spark_test_rm_rf (f->data_home);
  g_free (f->root);
  g_free (f->data_home);
  g_free (f->out);
  g_free (f->err);
  if (f->checkpoint_dir != NULL)
    spark_test_rm_rf (f->checkpoint_dir);
  g_free (f->checkpoint_dir);
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &f->out, &f->err, &error);
  g_assert_no_error (error);
  f->status = g_subprocess_get_if_exited (G_SUBPROCESS (object)) ? g_subprocess_get_exit_status (G_SUBPROCESS (object)) : -1;
  f->done = TRUE;
}

/* Runs `spark exec ARGS... PROMPT`; the main loop keeps serving meanwhile. */
static void
run_exec (Fixture    *f,
          gboolean    with_key,
          const char *first_arg,
          ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) SPARK_EXE);
  g_ptr_array_add (argv, (char *) "exec");
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->data_home, TRUE);
  if (f->bus_address != NULL)
    {
      /* The keyring is there, under its real name. */
      g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", f->bus_address, TRUE);
      g_subprocess_launcher_unsetenv (launcher, "SECRET_SERVICE_BUS_NAME");
    }
  else
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "OPENAI_BASE_URL");
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  if (f->checkpoint_dir != NULL)
    g_subprocess_launcher_setenv (launcher, "SPARK_CHECKPOINT_DIR", f->checkpoint_dir, TRUE);
  if (f->bwrap != NULL)
    g_subprocess_launcher_setenv (launcher, "SPARK_BWRAP", f->bwrap, TRUE);
  if (with_key)
    g_subprocess_launcher_setenv (launcher, "OPENAI_API_KEY", TEST_KEY, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "OPENAI_API_KEY");

  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  f->done = FALSE;
  subprocess = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (subprocess, NULL, NULL, communicate_cb, f);
  f->running = subprocess;
  spark_test_wait_for (&f->done, 30);
  f->running = NULL;
  if (f->status < 0)
    g_test_message ("spark died of a signal; its stderr ends with: %s",
                    f->err + MAX (0, (gssize) strlen (f->err) - 3000));

  /* Whatever happened, the key is nowhere in the output (debug logs included). */
  g_assert_null (strstr (f->out, TEST_KEY));
  g_assert_null (strstr (f->err, TEST_KEY));
}

static GPtrArray *
parse_lines (const char *out)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (events, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }

  return events;
}

static JsonObject *
find_event (GPtrArray  *events,
            const char *type)
{
  for (guint i = 0; i < events->len; i++)
    {
      if (g_strcmp0 (json_object_get_string_member (events->pdata[i], "type"), type) == 0)
        return events->pdata[i];
    }
  return NULL;
}

static void
test_patch_end_to_end (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *contents = NULL;
  JsonObject *output;
  JsonObject *done;
  JsonObject *completed;

  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "--approve", "edits", "--json", "change", "world", NULL);

  g_assert_cmpint (f->status, ==, 0);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nthere\n");

  events = parse_lines (f->out);
  output = find_event (events, "tool_output");
  g_assert_nonnull (output);
  g_assert_cmpstr (json_object_get_string_member (output, "call_id"), ==, "call_patch_custom");
  g_assert_true (json_object_get_boolean_member (output, "success"));
  completed = find_event (events, "response_completed");
  g_assert_nonnull (completed);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (completed, "timings"),
                                                  "transport"), ==, "websocket");
  done = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpstr (json_object_get_string_member (done, "type"), ==, "turn_finished");
  g_assert_true (json_object_get_boolean_member (done, "ok"));

  /* Warm-up, the turn and the tool output all on one socket. */
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 1);
  g_assert_cmpuint (spark_fake_server_get_n_requests (f->server), ==, 3);
  g_assert_cmpstr (spark_fake_server_get_last_authorization (f->server), ==, "Bearer " TEST_KEY);
}

static void
test_approve_none (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *contents = NULL;

  spark_fake_server_push_stream (f->server, "patch-function");
  spark_fake_server_push_stream (f->server, "text-done");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "change world", NULL);

  g_assert_cmpint (f->status, ==, 0);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nworld\n");
  g_assert_cmpstr (f->out, ==, "Done.\n");
  g_assert_nonnull (strstr (f->err, "Not applied"));
}

static void
test_plain_text_over_http_fallback (Fixture       *f,
                                    gconstpointer  data)
{
  spark_fake_server_set_ws_status (f->server, 426);
  spark_fake_server_push_stream (f->server, "text-hello");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "say", "hello", NULL);

  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Hello, world!\n");
  g_assert_cmpuint (spark_fake_server_get_n_posts (f->server), ==, 1);
}

static void
test_chat_wire (Fixture       *f,
                gconstpointer  data)
{
  spark_fake_server_push_stream (f->server, "chat-hello");
  run_exec (f, FALSE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "--wire-api", "chat", "--model", "local-model", "hi", NULL);

  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Hello from chat\n");
  g_assert_cmpstr (json_object_get_string_member (spark_fake_server_get_request (f->server, 0), "model"), ==,
                   "local-model");
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  /* Nothing listens on port 1. */
  run_exec (f, TRUE, "--root", f->root, "--endpoint", "http://127.0.0.1:1/v1", "--transport", "websocket", "hi", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_nonnull (strstr (f->err, "Could not connect"));

  /* A server error is reported, not hidden. */
  spark_fake_server_push_stream (f->server, "error-rate-limit");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server), "hi", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_nonnull (strstr (f->err, "Rate limit reached"));

  /* Usage errors. */
  run_exec (f, TRUE, "--transport", "carrier-pigeon", "hi", NULL);
  g_assert_cmpint (f->status, ==, 2);
  g_assert_nonnull (strstr (f->err, "--transport"));
  run_exec (f, TRUE, "--root", f->root, NULL);
  g_assert_cmpint (f->status, ==, 2);

  /* No key for a remote endpoint: a clear message, no connection attempt. */
  run_exec (f, FALSE, "--root", f->root, "--endpoint", "https://api.example.invalid/v1", "hi", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_nonnull (strstr (f->err, "no API key"));

  /* Never the key over clear text to a remote host. */
  run_exec (f, TRUE, "--root", f->root, "--endpoint", "http://192.0.2.1:9/v1", "hi", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_nonnull (strstr (f->err, "clear text"));
}


/* Without a usable bwrap, `spark exec --approve all` says before running
 * anything that commands will run unsandboxed, and the command's output
 * says it too; with one, neither. */
static void
test_unsandboxed_warning (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *made = NULL;

  f->bwrap = "/nonexistent/bwrap";
  spark_fake_server_push_stream (f->server, "call-shell");
  spark_fake_server_push_stream (f->server, "text-done");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "--approve", "all", "--json", "make", "it", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_nonnull (strstr (f->err, "spark exec: warning: commands will run without a sandbox"));
  g_assert_nonnull (strstr (f->out, "[not sandboxed:"));
  made = spark_test_read_file (f->root, "shell.txt", NULL);
  g_assert_cmpstr (made, ==, "from-shell\n");

  /* Not asked to run commands: nothing to warn about. */
  spark_fake_server_push_stream (f->server, "text-hello");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "hi", NULL);
  g_assert_null (strstr (f->err, "without a sandbox"));

  /* The system's bwrap, when it works here: no warning. */
  f->bwrap = NULL;
  {
    g_autoptr(SparkTools) tools = spark_tools_new (f->root);

    if (g_getenv ("SPARK_BWRAP") == NULL && spark_tools_get_sandboxed (tools))
      {
        spark_fake_server_push_stream (f->server, "call-shell");
        spark_fake_server_push_stream (f->server, "text-done");
        run_exec (f, TRUE, "--root", f->root, "--endpoint",
                  spark_fake_server_get_base_url (f->server), "--approve", "all", "--json", "go",
                  NULL);
        g_assert_cmpint (f->status, ==, 0);
        g_assert_null (strstr (f->err, "without a sandbox"));
        g_assert_null (strstr (f->out, "[not sandboxed:"));
      }
  }
}

/* ---- secrets ----------------------------------------------------------- */

/* A turn whose shell call sleeps, so the processes can be looked at. */
static const char slow_shell_stream[] =
  "{\"type\":\"response.created\",\"response\":{\"id\":\"__RESP__\",\"object\":\"response\","
  "\"status\":\"in_progress\",\"output\":[]},\"sequence_number\":0}\n"
  "{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"fc_s\","
  "\"type\":\"function_call\",\"status\":\"in_progress\",\"arguments\":\"\",\"call_id\":\"call_s\","
  "\"name\":\"shell\"},\"sequence_number\":1}\n"
  "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"fc_s\","
  "\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":\"{\\\"command\\\":\\\"sleep 1.5; "
  "echo slept\\\"}\",\"call_id\":\"call_s\",\"name\":\"shell\"},\"sequence_number\":2}\n"
  "{\"type\":\"response.completed\",\"response\":{\"id\":\"__RESP__\",\"object\":\"response\","
  "\"status\":\"completed\",\"output\":[{\"id\":\"fc_s\",\"type\":\"function_call\",\"status\":"
  "\"completed\",\"arguments\":\"{\\\"command\\\":\\\"sleep 1.5; echo slept\\\"}\",\"call_id\":"
  "\"call_s\",\"name\":\"shell\"}],\"usage\":{\"input_tokens\":10,\"input_tokens_details\":"
  "{\"cached_tokens\":0},\"output_tokens\":5,\"output_tokens_details\":{\"reasoning_tokens\":0},"
  "\"total_tokens\":15}},\"sequence_number\":3}\n";

typedef struct
{
  Fixture  *f;
  guint     n_scans;
  guint     n_processes;    /* spark and its descendants, summed over scans */
  gboolean  saw_shell;      /* a `sleep` below spark: the command was running */
  int       crash_signal;   /* sent once the shell runs (0: none) */
  gboolean  crashed;
  gboolean  key_in_env;     /* spark was given the key in its environment */
} Watch;

static char *
proc_file (int         pid,
           const char *name,
           gsize      *len)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, name);
  char *contents = NULL;

  *len = 0;
  if (!g_file_get_contents (path, &contents, len, NULL))
    return NULL;
  return contents;
}

/* Like strstr() over @len bytes that may hold NULs (g_strstr_len() stops
 * at the first one: a command line's arguments are NUL-separated). */
static gboolean
contains (const char *data,
          gsize       len,
          const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; data != NULL && i + n <= len; i++)
    {
      if (memcmp (data + i, needle, n) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
holds_key (const char *data,
           gsize       len)
{
  return contains (data, len, TEST_KEY);
}

/* A child between fork() and exec() is still Spark (same program, same
 * environment block), not yet the command. */
static gboolean
is_spark_itself (int pid)
{
  g_autofree char *link = g_strdup_printf ("/proc/%d/exe", pid);
  g_autofree char *exe = g_file_read_link (link, NULL);

  return g_strcmp0 (exe, SPARK_EXE) == 0;
}

static int
parent_of (int pid)
{
  gsize len;
  g_autofree char *stat = proc_file (pid, "stat", &len);
  const char *paren = stat ? strrchr (stat, ')') : NULL;
  int ppid = 0;

  /* "pid (comm) state ppid …": comm may hold spaces and parentheses. */
  if (paren != NULL && sscanf (paren + 1, " %*c %d", &ppid) != 1)
    ppid = 0;
  return ppid;
}

/* Spark's command line and its descendants' command lines and
 * environments (bubblewrap, the shell, the command) hold no key. */
static gboolean
watch_cb (gpointer user_data)
{
  Watch *w = user_data;
  g_autoptr(GHashTable) tree = g_hash_table_new (NULL, NULL);
  g_autoptr(GDir) proc = NULL;
  const char *spark_id;
  const char *name;
  int spark_pid;
  gboolean grew = TRUE;

  if (w->f->running == NULL || (spark_id = g_subprocess_get_identifier (w->f->running)) == NULL)
    return G_SOURCE_CONTINUE;
  spark_pid = atoi (spark_id);
  g_hash_table_add (tree, GINT_TO_POINTER (spark_pid));

  /* Every process whose ancestry leads to spark. */
  while (grew)
    {
      grew = FALSE;
      g_clear_pointer (&proc, g_dir_close);
      proc = g_dir_open ("/proc", 0, NULL);
      while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
        {
          int pid = atoi (name);

          if (pid > 0 && !g_hash_table_contains (tree, GINT_TO_POINTER (pid)) &&
              g_hash_table_contains (tree, GINT_TO_POINTER (parent_of (pid))))
            {
              g_hash_table_add (tree, GINT_TO_POINTER (pid));
              grew = TRUE;
            }
        }
    }

  w->n_scans++;
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, tree);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        int pid = GPOINTER_TO_INT (key);
        gsize len;
        g_autofree char *cmdline = proc_file (pid, "cmdline", &len);
        g_autofree char *environ = NULL;

        if (cmdline == NULL)
          continue;   /* gone meanwhile */
        w->n_processes++;
        g_assert_false (holds_key (cmdline, len));
        if (!w->key_in_env || (pid != spark_pid && !is_spark_itself (pid)))
          {
            /* Unless Spark itself was given the key in its environment. */
            gsize env_len;

            environ = proc_file (pid, "environ", &env_len);
            if (holds_key (environ, env_len))
              g_error ("the key is in the environment of %d: %s", pid, cmdline);
          }
        /* The arguments are NUL-separated: "sh\0-c\0sleep 1.5; …". */
        if (pid != spark_pid && contains (cmdline, len, "sleep 1.5"))
          w->saw_shell = TRUE;
      }
  }

  if (w->saw_shell && w->crash_signal != 0 && !w->crashed)
    {
      g_subprocess_send_signal (w->f->running, w->crash_signal);
      w->crashed = TRUE;
    }

  return G_SOURCE_CONTINUE;
}

/* No file below @dir holds the key; with @private, files are 0600 and
 * folders 0700. Returns the number of files looked at. */
static guint
assert_no_key_in_tree (const char *dir,
                       gboolean    private)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        {
          if (private)
            g_assert_cmpint (st.st_mode & 0777, ==, 0700);
          n += assert_no_key_in_tree (path, private);
        }
      else if (S_ISREG (st.st_mode))
        {
          g_autofree char *contents = NULL;
          gsize len;

          g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
          if (holds_key (contents, len))
            g_error ("the key is in %s", path);
          if (private)
            g_assert_cmpint (st.st_mode & 0777, ==, 0600);
          n++;
        }
    }

  return n;
}

/* A whole turn (a patch, then a shell command, then text) with a known key
 * and every debug message on: the key reaches the server, and nothing else.
 * Not the output, not the session files (which only their owner may read),
 * not the checkpoint, not a command line or a child's environment while the
 * command runs, not the output of a crash. With @key_in_env FALSE, spark
 * finds the key in the keyring: then not even its own environment holds it. */
static void
check_key_kept_secret (Fixture  *f,
                       gboolean  key_in_env)
{
  g_autofree char *sessions = g_build_filename (f->data_home, "spark", "sessions", NULL);
  g_autofree char *contents = NULL;
  Watch watch = { f };
  guint source;
  mode_t old_umask;

  watch.key_in_env = key_in_env;
  f->checkpoint_dir = spark_test_make_temp_dir ();
  /* A lax umask: the session files must be private all the same. */
  old_umask = umask (022);

  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_text (f->server, slow_shell_stream);
  spark_fake_server_push_stream (f->server, "text-done");
  source = g_timeout_add (25, watch_cb, &watch);
  run_exec (f, key_in_env, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "--approve", "all", "--json", "change", "world", NULL);
  g_source_remove (source);
  umask (old_umask);

  g_assert_cmpint (f->status, ==, 0);
  contents = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (contents, ==, "hello\nthere\n");
  g_assert_nonnull (strstr (f->out, "slept"));
  /* The debug messages were on (run_exec() checked both outputs). */
  g_assert_nonnull (strstr (f->err, "spark-"));
  /* It was sent, to the server only. */
  g_assert_cmpstr (spark_fake_server_get_last_authorization (f->server), ==, "Bearer " TEST_KEY);

  /* The processes were looked at while the command ran. */
  g_test_message ("%u scans, %u process looks, shell seen: %d", watch.n_scans, watch.n_processes,
                  watch.saw_shell);
  g_assert_true (watch.saw_shell);
  g_assert_cmpuint (watch.n_processes, >, watch.n_scans);

  /* Session files: written, private, without the key. */
  g_assert_cmpuint (assert_no_key_in_tree (sessions, TRUE), >, 0);
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (sessions, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  }
  g_assert_cmpuint (assert_no_key_in_tree (f->data_home, FALSE), >, 0);
  /* The checkpoint of the patch, and the project. */
  g_assert_cmpuint (assert_no_key_in_tree (f->checkpoint_dir, FALSE), >, 0);
  assert_no_key_in_tree (f->root, FALSE);

  /* A crash mid-turn: what it printed holds no key either. */
  watch.crash_signal = SIGSEGV;
  watch.saw_shell = FALSE;
  spark_fake_server_push_text (f->server, slow_shell_stream);
  source = g_timeout_add (25, watch_cb, &watch);
  run_exec (f, key_in_env, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "--approve", "all", "sleep", NULL);
  g_source_remove (source);
  g_assert_true (watch.crashed);
  /* Killed by the signal, or (under AddressSanitizer) its report printed
   * and exit status 1. */
  g_assert_cmpint (f->status, !=, 0);
  g_assert_null (strstr (f->err, TEST_KEY));
  g_assert_cmpstr (spark_fake_server_get_last_authorization (f->server), ==, "Bearer " TEST_KEY);
  assert_no_key_in_tree (f->data_home, FALSE);
}

static void
test_secrets (Fixture       *f,
              gconstpointer  data)
{
  check_key_kept_secret (f, TRUE);
}

/* The same with the key in a real keyring (a private gnome-keyring on a
 * session bus of this test's own) and none in the environment: libsecret
 * and its debug messages in spark let nothing out either. */
static void
test_secrets_from_keyring (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *dbus_daemon = g_find_program_in_path ("dbus-daemon");
  g_autofree char *owner = NULL;

  if (daemon == NULL || dbus_daemon == NULL)
    {
      g_test_skip ("gnome-keyring-daemon or dbus-daemon is not installed (build-aux/dev installs both)");
      return;
    }

  f->bus_address = spark_test_private_session_bus ();
  owner = spark_test_start_keyring (&error);
  g_assert_no_error (error);
  g_assert_true (spark_credentials_store_api_key (TEST_KEY, &error));
  g_assert_no_error (error);

  /* spark (without OPENAI_API_KEY) sends it: it found it in the keyring. */
  check_key_kept_secret (f, FALSE);

  g_assert_true (spark_credentials_forget_api_key (&error));
  g_assert_no_error (error);
  spark_test_private_session_bus_stop ();
}

/* The key goes only over TLS or to loopback: a plain http:// endpoint
 * elsewhere, by address or by a name (which is not even looked up), is
 * refused with a clear error before any connection. */
static void
test_key_only_tls_or_loopback (Fixture       *f,
                               gconstpointer  data)
{
  const char *refused[] = {
    "http://10.255.255.1/v1",
    "http://example.invalid/v1",
    "http://localhost.example/v1",
    "http://127.0.0.1.example/v1",
    "ws://10.255.255.1/v1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      run_exec (f, TRUE, "--root", f->root, "--endpoint", refused[i], "hi", NULL);
      g_assert_cmpint (f->status, ==, 1);
      g_assert_nonnull (strstr (f->err, "Refusing to send the API key in clear text"));
      g_assert_null (strstr (f->err, "Could not connect"));
    }

  /* Loopback in clear text is fine (the fake server). */
  spark_fake_server_push_stream (f->server, "text-hello");
  run_exec (f, TRUE, "--root", f->root, "--endpoint", spark_fake_server_get_base_url (f->server),
            "hi", NULL);
  g_assert_cmpint (f->status, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *keyring_home = spark_test_make_temp_dir ();
  int ret;

  /* Where the keyring test's gnome-keyring keeps its files and its
   * control socket: never the person's own (an existing daemon found
   * through $XDG_RUNTIME_DIR would be asked instead of a new one). */
  {
    g_autofree char *data = g_build_filename (keyring_home, "data", NULL);
    g_autofree char *runtime = g_build_filename (keyring_home, "run", NULL);

    g_mkdir_with_parents (runtime, 0700);
    g_setenv ("XDG_DATA_HOME", data, TRUE);
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  }

  spark_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/exec/patch-end-to-end", test_patch_end_to_end);
  ADD ("/exec/approve-none", test_approve_none);
  ADD ("/exec/plain-text-over-http-fallback", test_plain_text_over_http_fallback);
  ADD ("/exec/chat-wire", test_chat_wire);
  ADD ("/exec/errors", test_errors);
  ADD ("/exec/unsandboxed-warning", test_unsandboxed_warning);
  ADD ("/exec/secrets", test_secrets);
  ADD ("/exec/secrets-from-keyring", test_secrets_from_keyring);
  ADD ("/exec/key-only-tls-or-loopback", test_key_only_tls_or_loopback);
#undef ADD

  ret = g_test_run ();
  spark_test_private_session_bus_stop ();
  spark_test_rm_rf (keyring_home);
  return ret;
}
