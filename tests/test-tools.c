/* test-tools.c — the model's tools, the approval policy, and tool-call
 * streaming (patch text unwrapped from any split of the JSON arguments).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "spark-approval-policy.h"
#include "spark-patch-hand-off.h"
#include "spark-responses.h"
#include "spark-test-utils.h"
#include "spark-tools.h"

/* What the shell tests change in the environment; restored at teardown. */
static const char * const saved_vars[] = { "HOME", "XDG_RUNTIME_DIR", "SPARK_BWRAP", "OPENAI_API_KEY" };

typedef struct
{
  char       *root;
  SparkTools *tools;
  char       *saved_env[G_N_ELEMENTS (saved_vars)];
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GString *big = g_string_new (NULL);

  f->root = spark_test_make_temp_dir ();
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
  spark_test_write_file (f->root, "src/main.c", "int\nmain (void)\n{\n  return 0;\n}\n");
  spark_test_write_file (f->root, "src/util/deep.c", "/* World domination */\n");
  spark_test_write_file (f->root, ".git/config", "[core]\nworld = secret\n");
  for (guint i = 1; i <= 3000; i++)
    g_string_append_printf (big, "line %u world\n", i);
  spark_test_write_file (f->root, "big.txt", big->str);
  g_string_free (big, TRUE);
  {
    g_autofree char *blob = g_build_filename (f->root, "blob.bin", NULL);
    g_assert_true (g_file_set_contents (blob, "world\n\x00\x01\x02", 9, NULL));
  }
  f->tools = spark_tools_new (f->root);
  for (guint i = 0; i < G_N_ELEMENTS (saved_vars); i++)
    f->saved_env[i] = g_strdup (g_getenv (saved_vars[i]));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gpointer weak = f->tools;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* A worker thread may hold its task (and so the tools) a moment longer. */
  g_object_add_weak_pointer (G_OBJECT (f->tools), &weak);
  g_object_unref (f->tools);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_null (weak);
  spark_test_rm_rf (f->root);
  g_free (f->root);
  for (guint i = 0; i < G_N_ELEMENTS (saved_vars); i++)
    {
      if (f->saved_env[i] != NULL)
        g_setenv (saved_vars[i], f->saved_env[i], TRUE);
      else
        g_unsetenv (saved_vars[i]);
      g_free (f->saved_env[i]);
    }
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *out = user_data;
  g_autoptr(GError) error = NULL;
  gboolean success = FALSE;
  char *output = spark_tools_run_finish (SPARK_TOOLS (object), result, &success, &error);

  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (out), "output", output, g_free);
  g_object_set_data (G_OBJECT (out), "success", GINT_TO_POINTER (success));
  g_object_set_data (G_OBJECT (out), "done", GINT_TO_POINTER (TRUE));
}

/* Runs tool @name of @tools with JSON @args; returns the output, sets *success. */
static char *
run_tool_with (SparkTools *tools,
               const char *name,
               const char *args,
               gboolean   *success)
{
  g_autoptr(SparkToolCall) call = spark_tool_call_new (SPARK_TOOL_CALL_FUNCTION, "fc_1", "call_1", name);
  g_autoptr(GObject) out = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(JsonObject) item = json_object_new ();
  gboolean done = FALSE;

  json_object_set_string_member (item, "arguments", args);
  _spark_tool_call_complete (call, item);
  spark_tools_run_async (tools, call, NULL, run_cb, out);
  while (!done)
    {
      g_main_context_iteration (NULL, TRUE);
      done = GPOINTER_TO_INT (g_object_get_data (out, "done"));
    }

  *success = GPOINTER_TO_INT (g_object_get_data (out, "success"));
  return g_strdup (g_object_get_data (out, "output"));
}

static char *
run_tool (Fixture    *f,
          const char *name,
          const char *args,
          gboolean   *success)
{
  return run_tool_with (f->tools, name, args, success);
}

/* Runs the shell tool of @tools; @timeout_ms 0 keeps the default. */
static char *
run_shell_with (SparkTools *tools,
                const char *command,
                guint       timeout_ms,
                gboolean   *success)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *args = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command);
  if (timeout_ms > 0)
    {
      json_builder_set_member_name (builder, "timeout_ms");
      json_builder_add_int_value (builder, timeout_ms);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  args = json_to_string (node, FALSE);

  return run_tool_with (tools, "shell", args, success);
}

static char *
run_shell (Fixture    *f,
           const char *command,
           guint       timeout_ms,
           gboolean   *success)
{
  return run_shell_with (f->tools, command, timeout_ms, success);
}

#define assert_contains(haystack, needle) \
  G_STMT_START { if (strstr ((haystack), (needle)) == NULL) \
    g_error ("“%s” not found in:\n%s", (needle), (haystack)); } G_STMT_END

static void
test_read_file (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *window = NULL;
  g_autofree char *big = NULL;
  gboolean ok;

  out = run_tool (f, "read_file", "{\"path\":\"hello.txt\"}", &ok);
  g_assert_true (ok);
  g_assert_cmpstr (out, ==, "     1\thello\n     2\tworld\n");

  window = run_tool (f, "read_file", "{\"path\":\"big.txt\",\"offset\":10,\"limit\":2}", &ok);
  g_assert_true (ok);
  assert_contains (window, "    10\tline 10 world\n    11\tline 11 world\n");
  assert_contains (window, "read on with offset 12");

  /* Bounded: 2000 lines at most. */
  big = run_tool (f, "read_file", "{\"path\":\"big.txt\"}", &ok);
  g_assert_true (ok);
  g_assert_null (strstr (big, "\tline 2001 world"));
  assert_contains (big, "1000 more lines");
}

static void
test_list_dir (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *top = NULL;
  g_autofree char *deep = NULL;
  gboolean ok;

  top = run_tool (f, "list_dir", "{}", &ok);
  g_assert_true (ok);
  g_assert_cmpstr (top, ==, "big.txt\nblob.bin\nhello.txt\nsrc/\n");

  deep = run_tool (f, "list_dir", "{\"path\":\"src\",\"depth\":2}", &ok);
  g_assert_true (ok);
  g_assert_cmpstr (deep, ==, "main.c\nutil/\n  deep.c\n");
}

static void
test_grep (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *ci = NULL;
  g_autofree char *glob = NULL;
  g_autofree char *bad = NULL;
  gboolean ok;

  out = run_tool (f, "grep", "{\"pattern\":\"^world$\"}", &ok);
  g_assert_true (ok);
  /* Not in .git, not in the binary file. */
  g_assert_cmpstr (out, ==, "hello.txt:2: world\n");

  ci = run_tool (f, "grep", "{\"pattern\":\"world dom\",\"ignore_case\":true,\"path\":\"src\"}", &ok);
  g_assert_cmpstr (ci, ==, "src/util/deep.c:1: /* World domination */\n");

  glob = run_tool (f, "grep", "{\"pattern\":\"world\",\"glob\":\"*.txt\"}", &ok);
  assert_contains (glob, "more than 200 matches");
  g_assert_null (strstr (glob, "deep.c"));

  bad = run_tool (f, "grep", "{\"pattern\":\"(unclosed\"}", &ok);
  g_assert_false (ok);
  assert_contains (bad, "Invalid pattern");
}

static void
test_paths_stay_inside (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *outside_dir = spark_test_make_temp_dir ();
  g_autofree char *secret = g_build_filename (outside_dir, "secret.txt", NULL);
  g_autofree char *link = g_build_filename (f->root, "escape", NULL);
  g_autofree char *abs_args = NULL;
  static const char *bad_args[] = {
    "{\"path\":\"../secret.txt\"}",
    "{\"path\":\"src/../../secret.txt\"}",
    "{\"path\":\"escape/secret.txt\"}",
    "{\"path\":\".git/config\"}",
  };
  gboolean ok;

  spark_test_write_file (outside_dir, "secret.txt", "top secret\n");
  g_assert_cmpint (symlink (outside_dir, link), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad_args); i++)
    {
      g_autofree char *out = run_tool (f, "read_file", bad_args[i], &ok);

      g_assert_false (ok);
      g_assert_true (g_str_has_prefix (out, "Error: "));
      g_assert_null (strstr (out, "top secret"));
    }

  abs_args = g_strdup_printf ("{\"path\":\"%s\"}", secret);
  {
    g_autofree char *out = run_tool (f, "read_file", abs_args, &ok);
    g_assert_false (ok);
    assert_contains (out, "outside the project folder");
  }

  {
    g_autofree char *out = run_tool (f, "grep", "{\"pattern\":\"secret\",\"path\":\"..\"}", &ok);
    g_assert_false (ok);
  }

  spark_test_rm_rf (outside_dir);
}

static void
test_shell (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *slow = NULL;
  g_autofree char *fail = NULL;
  g_autofree char *env = NULL;
  g_autofree char *written = NULL;
  gboolean ok;

  out = run_tool (f, "shell", "{\"command\":\"pwd; echo made > made.txt\"}", &ok);
  g_assert_true (ok);
  assert_contains (out, "[exit code 0]");
  written = spark_test_read_file (f->root, "made.txt", NULL);
  g_assert_cmpstr (written, ==, "made\n");

  fail = run_tool (f, "shell", "{\"command\":\"echo oops >&2; exit 3\"}", &ok);
  g_assert_false (ok);
  assert_contains (fail, "oops");
  assert_contains (fail, "[exit code 3]");

  slow = run_tool (f, "shell", "{\"command\":\"sleep 5\",\"timeout_ms\":200}", &ok);
  g_assert_false (ok);
  assert_contains (slow, "timed out");

  /* A command the model wrote never sees the key. */
  g_setenv ("OPENAI_API_KEY", "sk-do-not-leak", TRUE);
  env = run_tool (f, "shell", "{\"command\":\"env\"}", &ok);
  g_unsetenv ("OPENAI_API_KEY");
  g_assert_null (strstr (env, "sk-do-not-leak"));

  /* Disabled: unknown to the runner. */
  spark_tools_set_shell_enabled (f->tools, FALSE);
  g_clear_pointer (&out, g_free);
  out = run_tool (f, "shell", "{\"command\":\"true\"}", &ok);
  g_assert_false (ok);
}

#define NOT_SANDBOXED "[not sandboxed:"

/* Why the bubblewrap tests cannot run here, or NULL: bwrap must exist (as
 * the tool finds it: $SPARK_BWRAP or PATH) and be able to build the same
 * kind of sandbox (user namespaces may be off on some machines). */
static const char *
sandbox_unusable (void)
{
  static char *probed;   /* the bwrap (or variable) last asked about */
  static char *reason;
  g_autofree char *bwrap = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *override = g_getenv ("SPARK_BWRAP");
  const char *wanted = override != NULL && override[0] != '\0' ? override : "bwrap";
  int status = 0;

  if (g_strcmp0 (probed, wanted) == 0)
    return reason;
  g_free (probed);
  probed = g_strdup (wanted);
  g_clear_pointer (&reason, g_free);

  bwrap = g_find_program_in_path (wanted);
  if (bwrap == NULL)
    {
      reason = g_strdup ("bubblewrap (bwrap) is not installed");
      return reason;
    }

  {
    const char *argv[] = { bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                           "--tmpfs", "/tmp", "--unshare-net", "--unshare-pid", "--new-session",
                           "--die-with-parent", "true", NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                       NULL, &err, &status, &error))
      reason = g_strdup_printf ("%s cannot be run: %s", bwrap, error->message);
    else if (!g_spawn_check_wait_status (status, &error))
      reason = g_strdup_printf ("%s cannot build a sandbox here (%s)%s%s", bwrap, error->message,
                                *g_strstrip (err) ? ": " : "", err);
  }

  return reason;
}

#define REQUIRE_SANDBOX(f) \
  G_STMT_START { \
    const char *why_ = sandbox_unusable (); \
    if (why_ != NULL) { g_test_skip (why_); return; } \
    g_assert_true (spark_tools_get_sandboxed ((f)->tools)); \
  } G_STMT_END

/* A fresh folder that is not under /tmp (the sandbox's /tmp is an empty
 * tmpfs anyway, so a folder there would prove nothing about the other
 * mounts): under the test build folder, or /var/tmp if that is in /tmp. */
static char *
make_dir_outside_tmp (void)
{
  g_autofree char *base = g_canonicalize_filename (g_test_get_dir (G_TEST_BUILT), NULL);
  g_autofree char *tmp = g_canonicalize_filename (g_get_tmp_dir (), NULL);
  char *dir;

  if (g_str_has_prefix (base, tmp))
    {
      g_free (base);
      base = g_strdup ("/var/tmp");
    }
  dir = g_build_filename (base, "spark-sandbox-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (dir));
  return dir;
}

/* Turns the sandbox off the way a machine without bwrap would have it. */
static void
pretend_no_bwrap (void)
{
  g_setenv ("SPARK_BWRAP", "/nonexistent/bwrap", TRUE);
}

/* (a) The project folder is writable from inside: create, append, move,
 * overwrite and delete, all seen from outside afterwards. */
static void
test_sandbox_project_writable (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *hello = NULL;
  g_autofree char *big = g_build_filename (f->root, "big.txt", NULL);
  gboolean ok;

  REQUIRE_SANDBOX (f);

  /* /proc/1 is bwrap's own init in the sandbox's process namespace. */
  out = run_shell (f, "echo one > new.txt && echo two >> new.txt && mkdir -p sub/dir && "
                      "mv new.txt sub/dir/moved.txt && echo changed > hello.txt && rm big.txt && pwd && "
                      "tr '\\0' ' ' < /proc/1/cmdline",
                   0, &ok);
  g_assert_true (ok);
  assert_contains (out, f->root);
  assert_contains (out, "bwrap");
  assert_contains (out, "[exit code 0]");
  g_assert_null (strstr (out, NOT_SANDBOXED));

  moved = spark_test_read_file (f->root, "sub/dir/moved.txt", NULL);
  g_assert_cmpstr (moved, ==, "one\ntwo\n");
  hello = spark_test_read_file (f->root, "hello.txt", NULL);
  g_assert_cmpstr (hello, ==, "changed\n");
  g_assert_false (g_file_test (big, G_FILE_TEST_EXISTS));
}

/* (b) Nothing outside the project can be written: not another temporary
 * folder, not a folder on the real disk (read-only), not a file there.
 * Control: the same commands unsandboxed do write. */
static void
test_sandbox_outside_read_only (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *tmp_dir = spark_test_make_temp_dir ();
  g_autofree char *disk_dir = make_dir_outside_tmp ();
  g_autofree char *tmp_file = g_build_filename (tmp_dir, "escaped", NULL);
  g_autofree char *disk_file = g_build_filename (disk_dir, "escaped", NULL);
  g_autofree char *kept = NULL;
  g_autofree char *touch_tmp = g_strdup_printf ("touch '%s'", tmp_file);
  g_autofree char *touch_disk = g_strdup_printf ("touch '%s'", disk_file);
  g_autofree char *overwrite = g_strdup_printf ("echo overwritten > '%s/kept.txt'", disk_dir);
  gboolean ok;

  REQUIRE_SANDBOX (f);
  spark_test_write_file (disk_dir, "kept.txt", "original\n");

  {
    g_autofree char *out = run_shell (f, touch_tmp, 0, &ok);

    g_assert_false (ok);
    g_assert_null (strstr (out, "[exit code 0]"));
    g_assert_false (g_file_test (tmp_file, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree char *out = run_shell (f, touch_disk, 0, &ok);

    g_assert_false (ok);
    assert_contains (out, "Read-only file system");
    g_assert_false (g_file_test (disk_file, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree char *out = run_shell (f, overwrite, 0, &ok);

    g_assert_false (ok);
    kept = spark_test_read_file (disk_dir, "kept.txt", NULL);
    g_assert_cmpstr (kept, ==, "original\n");
  }

  /* Control: the commands are right; only the sandbox stops them. */
  pretend_no_bwrap ();
  {
    g_autofree char *a = run_shell (f, touch_tmp, 0, &ok);
    g_autofree char *b = NULL;

    g_assert_true (ok);
    b = run_shell (f, touch_disk, 0, &ok);
    g_assert_true (ok);
    g_assert_true (g_file_test (tmp_file, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (disk_file, G_FILE_TEST_EXISTS));
  }

  spark_test_rm_rf (tmp_dir);
  spark_test_rm_rf (disk_dir);
}

/* (c) $HOME and $XDG_RUNTIME_DIR (keyring, session bus and display
 * sockets) are empty inside, also when the project lives in $HOME, which
 * stays visible and writable then. Both folders are made outside /tmp so
 * only their own tmpfs can hide them. */
static void
test_sandbox_home_hidden (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *home = make_dir_outside_tmp ();
  g_autofree char *runtime = make_dir_outside_tmp ();
  g_autofree char *project = g_build_filename (home, "src", "project", NULL);
  g_autofree char *look = g_strdup_printf ("ls -A '%s' '%s'; cat '%s/marker.txt' '%s/bus'",
                                           home, runtime, home, runtime);
  g_autoptr(SparkTools) home_tools = NULL;
  gboolean ok;

  REQUIRE_SANDBOX (f);

  spark_test_write_file (home, "marker.txt", "home-secret\n");
  spark_test_write_file (home, ".ssh/id_ed25519", "key-secret\n");
  spark_test_write_file (runtime, "bus", "runtime-secret\n");
  spark_test_write_file (project, "inside.txt", "project-text\n");
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  {
    g_autofree char *out = run_shell (f, look, 0, &ok);

    g_assert_false (ok);
    assert_contains (out, "No such file");
    g_assert_null (strstr (out, "home-secret"));
    g_assert_null (strstr (out, "runtime-secret"));
    /* Listed names sit on lines of their own. */
    g_assert_null (strstr (out, "\nmarker.txt\n"));
    g_assert_null (strstr (out, "\n.ssh\n"));
    g_assert_null (strstr (out, "\nbus\n"));
  }

  /* A project inside $HOME: visible and writable, the rest of $HOME not. */
  home_tools = spark_tools_new (project);
  {
    g_autofree char *out = run_shell_with (home_tools, "cat inside.txt && echo made > made.txt && "
                                                       "cat ../../marker.txt", 0, &ok);
    g_autofree char *made = spark_test_read_file (project, "made.txt", NULL);

    assert_contains (out, "project-text");
    g_assert_null (strstr (out, "home-secret"));
    g_assert_false (ok);
    g_assert_cmpstr (made, ==, "made\n");
  }

  /* Control: unsandboxed, the same command sees everything. */
  pretend_no_bwrap ();
  {
    g_autofree char *out = run_shell (f, look, 0, &ok);

    g_assert_true (ok);
    assert_contains (out, "home-secret");
    assert_contains (out, "runtime-secret");
    assert_contains (out, "\nmarker.txt\n");
    assert_contains (out, "\n.ssh\n");
    assert_contains (out, "\nbus\n");
    assert_contains (out, NOT_SANDBOXED);
  }

  spark_test_rm_rf (home);
  spark_test_rm_rf (runtime);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             guint             *count)
{
  (*count)++;
  return FALSE;
}

/* (d) No network: a TCP port this test listens on at 127.0.0.1 cannot be
 * reached from inside; the same command reaches it unsandboxed. */
static void
test_sandbox_no_network (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bash = g_find_program_in_path ("bash");
  g_autofree char *command = NULL;
  gint64 deadline;
  guint incoming = 0;
  gboolean ok;

  REQUIRE_SANDBOX (f);
  if (bash == NULL)
    {
      g_test_skip ("bash is needed to open a TCP connection");
      return;
    }

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &incoming);
  g_socket_service_start (service);
  command = g_strdup_printf ("%s -c 'exec 3<>/dev/tcp/127.0.0.1/%u && echo tcp-open'", bash,
                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  {
    g_autofree char *out = run_shell (f, command, 0, &ok);

    g_assert_false (ok);
    g_assert_null (strstr (out, "tcp-open"));
  }
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (incoming, ==, 0);

  /* Control: the port is open to anyone outside the sandbox. */
  pretend_no_bwrap ();
  {
    g_autofree char *out = run_shell (f, command, 0, &ok);

    g_assert_true (ok);
    assert_contains (out, "tcp-open");
  }
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (incoming == 0 && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_cmpuint (incoming, ==, 1);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

/* Whether a process whose command line holds @tag still runs (waits a
 * little: a SIGKILL is delivered asynchronously). */
static gboolean
process_survives (const char *tag)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  do
    {
      g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
      gboolean found = FALSE;
      const char *name;

      while (proc != NULL && (name = g_dir_read_name (proc)) != NULL && !found)
        {
          g_autofree char *path = NULL;
          g_autofree char *cmdline = NULL;
          gsize len = 0;

          if (!g_ascii_isdigit (name[0]))
            continue;
          path = g_build_filename ("/proc", name, "cmdline", NULL);
          if (g_file_get_contents (path, &cmdline, &len, NULL))
            {
              for (gsize i = 0; i < len; i++)
                if (cmdline[i] == '\0')
                  cmdline[i] = ' ';
              found = strstr (cmdline, tag) != NULL;
            }
        }
      if (!found)
        return FALSE;
      g_usleep (50 * 1000);
    }
  while (g_get_monotonic_time () < deadline);

  return TRUE;
}

/* Runs a command that never ends by itself, with children that hold the
 * output pipe and one that does not (tagged: @TAG@ in @command_template);
 * checks it ends soon after the timeout with all of them. */
static void
check_timeout_kills_all (Fixture    *f,
                         const char *command_template)
{
  g_autofree char *tag = g_strdup_printf ("spark-orphan-%d-%d", getpid (), g_random_int_range (0, 1000000));
  g_auto(GStrv) parts = g_strsplit (command_template, "@TAG@", -1);
  g_autofree char *command = g_strjoinv (tag, parts);
  g_autofree char *out = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;
  gboolean ok;

  out = run_shell (f, command, 500, &ok);
  elapsed = (g_get_monotonic_time () - start) / 1000;

  g_assert_false (ok);
  g_assert_true ((strstr (out, NOT_SANDBOXED) == NULL) == spark_tools_get_sandboxed (f->tools));
  assert_contains (out, "[killed: timed out after 500 ms]");
  g_assert_cmpint (elapsed, >=, 400);
  g_assert_cmpint (elapsed, <, 500 + 5000);
  g_assert_false (process_survives (tag));
}

#define ENDLESS_COMMAND "sh -c 'sleep 100' @TAG@ >/dev/null 2>&1 & sleep 100 & sleep 100"

/* (e) At the timeout the command dies with its whole process group. */
static void
test_sandbox_timeout (Fixture       *f,
                      gconstpointer  data)
{
  REQUIRE_SANDBOX (f);
  check_timeout_kills_all (f, ENDLESS_COMMAND);
}

/* The same unsandboxed, plus a shell that exits at once and leaves a child
 * holding the pipe (the group is killed even when its leader is gone). */
static void
test_shell_timeout_unsandboxed (Fixture       *f,
                                gconstpointer  data)
{
  pretend_no_bwrap ();
  check_timeout_kills_all (f, ENDLESS_COMMAND);
  check_timeout_kills_all (f, "sh -c 'sleep 100' @TAG@ & exit 0");
}

/* (f) Output beyond the cap is cut with a marker that says how much there
 * was, never in the middle of a UTF-8 character, and reading goes on to the
 * end (the exit code is the command's). */
static void
test_shell_output_cap (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *split = NULL;
  g_autofree char *marker = g_strdup_printf ("only the first %u of the 200010 bytes",
                                             SPARK_TOOLS_MAX_OUTPUT);
  g_autofree char *split_command = g_strdup_printf ("head -c %u /dev/zero | tr '\\0' a; printf 'ééé'",
                                                    SPARK_TOOLS_MAX_OUTPUT - 1);
  gboolean ok;

  if (sandbox_unusable () == NULL)
    g_assert_true (spark_tools_get_sandboxed (f->tools));

  out = run_shell (f, "head -c 200000 /dev/zero | tr '\\0' a; echo; echo tail-end", 0, &ok);
  g_assert_true (ok);
  g_assert_true (g_str_has_prefix (out, "aaaa"));
  assert_contains (out, "[output truncated: ");
  assert_contains (out, marker);
  assert_contains (out, "[exit code 0]");
  g_assert_null (strstr (out, "tail-end"));
  g_assert_cmpuint (strlen (out), <, SPARK_TOOLS_MAX_OUTPUT + 512);
  g_assert_cmpuint (strspn (out, "a"), ==, SPARK_TOOLS_MAX_OUTPUT);

  /* The cap falls inside "é": the half character is dropped. */
  split = run_shell (f, split_command, 0, &ok);
  g_assert_true (ok);
  g_assert_true (g_utf8_validate (split, -1, NULL));
  g_assert_cmpuint (strspn (split, "a"), ==, SPARK_TOOLS_MAX_OUTPUT - 1);
  g_assert_true (g_str_has_prefix (split + SPARK_TOOLS_MAX_OUTPUT - 1, "\n[output truncated: "));
}

/* (g) The API key is not visible to the command: not in its environment,
 * and not in another process's through /proc (a process started with the
 * key stands for Spark itself). Control: unsandboxed, /proc shows it. */
static void
test_sandbox_no_key (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GError) error = NULL;
  const char *command = "env; printenv OPENAI_API_KEY; "
                        "cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -a '^OPENAI_API_KEY='; "
                        "echo scanned";
  gboolean ok;

  REQUIRE_SANDBOX (f);

  g_subprocess_launcher_setenv (launcher, "OPENAI_API_KEY", "sk-spark-test-secret", TRUE);
  holder = g_subprocess_launcher_spawn (launcher, &error, "sleep", "60", NULL);
  g_assert_no_error (error);
  g_setenv ("OPENAI_API_KEY", "sk-spark-test-secret", TRUE);

  {
    g_autofree char *out = run_shell (f, command, 0, &ok);

    assert_contains (out, "scanned");
    g_assert_null (strstr (out, "sk-spark-test"));
  }

  pretend_no_bwrap ();
  {
    g_autofree char *out = run_shell (f, "printenv OPENAI_API_KEY; echo scanned", 0, &ok);

    assert_contains (out, "scanned");
    g_assert_null (strstr (out, "sk-spark-test"));
  }
  {
    g_autofree char *out = run_shell (f, command, 0, &ok);

    /* The /proc scan does work: only the sandbox keeps the key away. */
    assert_contains (out, "OPENAI_API_KEY=sk-spark-test-secret");
  }

  g_subprocess_force_exit (holder);
  g_subprocess_wait (holder, NULL, NULL);
}

/* Without bwrap, or with one that cannot build a sandbox (here `false`),
 * the command still runs, the output says it ran unsandboxed, and
 * spark_tools_get_sandboxed() says so beforehand. */
static void
test_shell_unsandboxed (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *broken = g_find_program_in_path ("false");
  const char *bwraps[] = { "/nonexistent/bwrap", broken };
  gboolean ok;

  g_assert_nonnull (broken);
  for (guint i = 0; i < G_N_ELEMENTS (bwraps); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *written = NULL;
      g_autofree char *plain = g_build_filename (f->root, "plain.txt", NULL);

      g_setenv ("SPARK_BWRAP", bwraps[i], TRUE);
      g_assert_false (spark_tools_get_sandboxed (f->tools));

      out = run_shell (f, "echo plain > plain.txt; echo ran", 0, &ok);
      g_assert_true (ok);
      assert_contains (out, "ran\n");
      assert_contains (out, "[exit code 0]");
      assert_contains (out, "[not sandboxed: bubblewrap (bwrap) is missing or cannot run here");
      written = spark_test_read_file (f->root, "plain.txt", NULL);
      g_assert_cmpstr (written, ==, "plain\n");
      g_assert_cmpint (g_unlink (plain), ==, 0);
    }

  /* Back to PATH's bwrap: sandboxed exactly when it works here. */
  g_unsetenv ("SPARK_BWRAP");
  {
    g_autofree char *again = run_shell (f, "true", 0, &ok);

    g_assert_cmpint (spark_tools_get_sandboxed (f->tools), ==, sandbox_unusable () == NULL);
    g_assert_cmpint (strstr (again, NOT_SANDBOXED) == NULL, ==, sandbox_unusable () == NULL);
  }
}

/* A command reads /dev/null, never Spark's own stdin (the terminal under
 * `spark exec`). */
static void
test_shell_stdin_closed (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *out = NULL;
  int fds[2];
  int saved;
  gboolean ok;

  /* Give this process a stdin with something to read. */
  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], "from-spark-stdin\n", 17), ==, 17);
  close (fds[1]);
  saved = dup (0);
  g_assert_cmpint (dup2 (fds[0], 0), ==, 0);
  close (fds[0]);

  out = run_shell (f, "read line; echo \"got[$line]\"", 5000, &ok);

  g_assert_cmpint (dup2 (saved, 0), ==, 0);
  close (saved);

  g_assert_true (ok);
  assert_contains (out, "got[]");
  g_assert_null (strstr (out, "from-spark-stdin"));
}

static void
test_definitions (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonArray) responses = spark_tools_dup_definitions (f->tools, SPARK_WIRE_API_RESPONSES);
  g_autoptr(JsonArray) chat = spark_tools_dup_definitions (f->tools, SPARK_WIRE_API_CHAT);
  const char *names[] = { "read_file", "list_dir", "grep", "apply_patch", "shell" };

  g_assert_cmpuint (json_array_get_length (responses), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonObject *r = json_array_get_object_element (responses, i);
      JsonObject *c = json_array_get_object_element (chat, i);

      g_assert_cmpstr (spark_json_get_string (r, "name"), ==, names[i]);
      g_assert_cmpstr (spark_json_get_string (c, "type"), ==, "function");
      g_assert_nonnull (spark_json_get_string (r, "description"));
      if (g_str_equal (names[i], "apply_patch"))
        {
          JsonObject *format = spark_json_get_object (r, "format");

          g_assert_cmpstr (spark_json_get_string (r, "type"), ==, "custom");
          g_assert_cmpstr (spark_json_get_string (format, "type"), ==, "grammar");
          assert_contains (spark_json_get_string (format, "definition"), "\"*** Begin Patch\"");
          g_assert_nonnull (spark_json_get_object (spark_json_get_object (spark_json_get_object (c, "parameters"),
                                                                          "properties"), "input"));
        }
    }
  assert_contains (spark_tools_get_instructions (f->tools), "apply_patch");
}

static char *
shell_description (SparkTools *tools)
{
  g_autoptr(JsonArray) defs = spark_tools_dup_definitions (tools, SPARK_WIRE_API_RESPONSES);

  for (guint i = 0; i < json_array_get_length (defs); i++)
    {
      JsonObject *d = json_array_get_object_element (defs, i);

      if (g_strcmp0 (spark_json_get_string (d, "name"), "shell") == 0)
        return g_strdup (spark_json_get_string (d, "description"));
    }
  g_assert_not_reached ();
}

/* What the model is told about the shell tool is what is true: not
 * sandboxed without a usable bwrap (a missing binary, one that cannot
 * build a sandbox), sandboxed with one. */
static void
test_shell_description_truthful (Fixture       *f,
                                 gconstpointer  data)
{
  const char *bwraps[] = { "/nonexistent/bwrap", "false" };

  for (guint i = 0; i < G_N_ELEMENTS (bwraps); i++)
    {
      g_autofree char *text = NULL;

      g_setenv ("SPARK_BWRAP", bwraps[i], TRUE);
      g_assert_false (spark_tools_get_sandboxed (f->tools));
      text = shell_description (f->tools);
      assert_contains (text, "NOT sandboxed");
    }

  g_unsetenv ("SPARK_BWRAP");
  {
    g_autofree char *text = shell_description (f->tools);

    if (spark_tools_get_sandboxed (f->tools))
      {
        assert_contains (text, "runs in a sandbox: no network");
        g_assert_null (strstr (text, "NOT"));
      }
    else
      assert_contains (text, "NOT sandboxed");
  }
}

typedef struct
{
  GString *decoded;
} DeltaSink;

static void
on_patch_delta (SparkToolCall *call,
                const char    *text,
                DeltaSink     *sink)
{
  g_string_append (sink->decoded, text);
}

static void
test_json_patch_any_split (void)
{
  /* Escapes of every kind, a non-BMP character as a surrogate pair, and an
   * unrelated member before "input" holding an "input"-looking string. */
  const char *patch = "*** Begin Patch\n*** Add File: q.txt\n+say \"hi\"\\\t√ 😀\n*** End Patch\n";
  const char *args =
    "{\"note\":\"\\\"input\\\": no\",\"input\":\"*** Begin Patch\\n*** Add File: q.txt\\n"
    "+say \\\"hi\\\"\\\\\\t\\u221a \\ud83d\\ude00\\n*** End Patch\\n\"}";
  gsize len = strlen (args);

  for (gsize step = 1; step <= len; step++)
    {
      g_autoptr(SparkToolCall) call = spark_tool_call_new (SPARK_TOOL_CALL_FUNCTION, "fc", "c", "apply_patch");
      g_autoptr(JsonObject) item = json_object_new ();
      DeltaSink sink = { g_string_new (NULL) };

      g_signal_connect (call, "patch-delta", G_CALLBACK (on_patch_delta), &sink);
      for (gsize i = 0; i < len; i += step)
        {
          g_autofree char *piece = g_strndup (args + i, MIN (step, len - i));
          _spark_tool_call_append_delta (call, piece);
        }
      g_assert_cmpstr (sink.decoded->str, ==, patch);
      g_assert_cmpstr (spark_tool_call_get_patch_text (call), ==, patch);

      /* The done item agrees: nothing is added twice. */
      json_object_set_string_member (item, "arguments", args);
      _spark_tool_call_complete (call, item);
      g_assert_cmpstr (spark_tool_call_get_patch_text (call), ==, patch);
      g_string_free (sink.decoded, TRUE);
    }
}

static void
test_hosted_operation (void)
{
  g_autoptr(SparkToolCall) call = spark_tool_call_new (SPARK_TOOL_CALL_HOSTED_PATCH, "apc", "c", NULL);
  g_autoptr(JsonObject) item = NULL;
  const char *text = "{\"type\":\"apply_patch_call\",\"call_id\":\"c\",\"operation\":{\"type\":\"create_file\","
                     "\"path\":\"n.txt\",\"diff\":\"+one\\n+two\\n\"}}";

  item = spark_responses_parse_event (text, strlen (text), NULL);
  _spark_tool_call_complete (call, item);
  g_assert_true (spark_tool_call_is_patch (call));
  g_assert_cmpstr (spark_tool_call_get_patch_text (call), ==,
                   "*** Begin Patch\n*** Add File: n.txt\n+one\n+two\n*** End Patch\n");
}


/* Paths through the JSON tool-call route: json-glib cuts a string at a
 * \u0000, so "src/main.c\u0000/../../x" would quietly read src/main.c; the
 * call is refused instead. Also .git in any case, and overlong names. */
static void
test_path_attacks_json (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *long_name = g_strnfill (300, 'x');
  g_autofree char *long_args = g_strdup_printf ("{\"path\":\"%s\"}", long_name);
  /* Tool, arguments, and what the refusal must say (not merely fail). */
  const char *attacks[][3] = {
    { "read_file", "{\"path\":\"src/main.c\\u0000/../../secret.txt\"}", "NUL" },
    { "read_file", "{\"path\":\"\\u0000\"}", "NUL" },
    { "list_dir", "{\"path\":\".\\u0000\"}", "NUL" },
    { "grep", "{\"pattern\":\"x\",\"path\":\"src\\u0000\"}", "NUL" },
    { "read_file", "{\"path\":\".GIT/config\"}", "git's own" },
    { "read_file", "{\"path\":\".Git/HEAD\"}", "git's own" },
    { "list_dir", "{\"path\":\".git\"}", "git's own" },
    { "read_file", "{\"path\":\"GIT~1/config\"}", "git's own" },
    { "read_file", long_args, "longer than" },
  };
  guint refused = 0;
  gboolean ok;

  spark_test_write_file (f->root, ".git/config", "[remote] url = https://token@host/\n");
  spark_test_write_file (f->root, ".git/HEAD", "ref: refs/heads/main\n");

  for (guint i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_autofree char *out = run_tool (f, attacks[i][0], attacks[i][1], &ok);

      if (!ok && g_str_has_prefix (out, "Error: ") && strstr (out, attacks[i][2]) != NULL &&
          strstr (out, "token@host") == NULL)
        refused++;
      else
        g_test_message ("not refused: %s %s: %s", attacks[i][0], attacks[i][1], out);
    }
  g_test_message ("%u tool-call path attacks, %u refused", (guint) G_N_ELEMENTS (attacks), refused);
  g_assert_cmpuint (refused, ==, G_N_ELEMENTS (attacks));

  /* An escaped backslash before "u0000" is not a NUL: the call goes on,
   * to a folder whose name holds a backslash. */
  spark_test_write_file (f->root, "odd\\u0000name/inside.txt", "x\n");
  {
    g_autofree char *out = run_tool (f, "list_dir", "{\"path\":\"odd\\\\u0000name\"}", &ok);
    g_assert_true (ok);
    assert_contains (out, "inside.txt");
  }
}

/* A NUL inside an event (a custom tool's patch text, a hosted operation's
 * path) fails the event as a protocol error rather than cutting it short;
 * in a function call's arguments the patch is refused at hand-off. */
static void
test_nul_in_events (void)
{
  const char *events[] = {
    "{\"type\":\"response.custom_tool_call_input.delta\",\"item_id\":\"ct\",\"delta\":\"*** Add File: a\\u0000b\\n\"}",
    "{\"type\":\"response.output_item.done\",\"item\":{\"type\":\"apply_patch_call\",\"call_id\":\"c\","
    "\"operation\":{\"type\":\"create_file\",\"path\":\"ok.txt\\u0000/../../x\",\"diff\":\"+x\\n\"}}}",
  };
  const char *fine = "{\"type\":\"response.output_text.delta\",\"delta\":\"a \\\\u0000 b\"}";
  const char *args = "{\"input\":\"*** Begin Patch\\n*** Add File: a\\u0000/../../x.txt\\n+x\\n*** End Patch\\n\"}";
  g_autofree char *root = spark_test_make_temp_dir ();
  g_autoptr(SparkToolCall) call = spark_tool_call_new (SPARK_TOOL_CALL_FUNCTION, "fc", "c", "apply_patch");
  g_autoptr(SparkPatchHandOff) hand_off = NULL;
  g_autoptr(JsonObject) ok_event = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autoptr(JsonObject) event = spark_responses_parse_event (events[i], strlen (events[i]), &error);

      g_assert_null (event);
      g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "NUL"));
      g_clear_error (&error);
    }

  ok_event = spark_responses_parse_event (fine, strlen (fine), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spark_json_get_string (ok_event, "delta"), ==, "a \\u0000 b");

  hand_off = spark_patch_hand_off_new (root, call);
  _spark_tool_call_append_delta (call, args);
  g_assert_false (spark_patch_hand_off_finish (hand_off, &error));
  g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL);
  g_assert_nonnull (strstr (error->message, "NUL"));
  {
    g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);

    g_assert_nonnull (dir);
    g_assert_null (g_dir_read_name (dir));
  }

  spark_test_rm_rf (root);
}

static void
test_approval_policy (void)
{
  static const struct { SparkApprovalMode mode; const char *name; SparkDecision expected; } cases[] = {
    { SPARK_APPROVAL_MODE_NONE, "apply_patch", SPARK_DECISION_REJECTED },
    { SPARK_APPROVAL_MODE_NONE, "shell", SPARK_DECISION_REJECTED },
    { SPARK_APPROVAL_MODE_EDITS, "apply_patch", SPARK_DECISION_APPROVED },
    { SPARK_APPROVAL_MODE_EDITS, "shell", SPARK_DECISION_REJECTED },
    { SPARK_APPROVAL_MODE_ALL, "apply_patch", SPARK_DECISION_APPROVED },
    { SPARK_APPROVAL_MODE_ALL, "shell", SPARK_DECISION_APPROVED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SparkApprovalPolicy) policy = spark_approval_policy_new (cases[i].mode);
      g_autoptr(SparkToolCall) call = spark_tool_call_new (SPARK_TOOL_CALL_FUNCTION, "fc", "c", cases[i].name);

      spark_approval_policy_review (policy, call);
      g_assert_cmpint (spark_tool_call_get_decision (call), ==, cases[i].expected);
      if (cases[i].expected == SPARK_DECISION_REJECTED)
        g_assert_nonnull (spark_tool_call_get_reason (call));
    }
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/agent/tools/json-patch-any-split", test_json_patch_any_split);
  g_test_add_func ("/agent/tools/hosted-operation", test_hosted_operation);
  g_test_add_func ("/agent/tools/approval-policy", test_approval_policy);
  g_test_add_func ("/agent/tools/nul-in-events", test_nul_in_events);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/agent/tools/read-file", test_read_file);
  ADD ("/agent/tools/list-dir", test_list_dir);
  ADD ("/agent/tools/grep", test_grep);
  ADD ("/agent/tools/paths-stay-inside", test_paths_stay_inside);
  ADD ("/agent/tools/path-attacks-json", test_path_attacks_json);
  ADD ("/agent/tools/shell", test_shell);
  ADD ("/agent/tools/shell/unsandboxed", test_shell_unsandboxed);
  ADD ("/agent/tools/shell/stdin-closed", test_shell_stdin_closed);
  ADD ("/agent/tools/shell/output-cap", test_shell_output_cap);
  ADD ("/agent/tools/shell/timeout-unsandboxed", test_shell_timeout_unsandboxed);
  ADD ("/agent/tools/sandbox/project-writable", test_sandbox_project_writable);
  ADD ("/agent/tools/sandbox/outside-read-only", test_sandbox_outside_read_only);
  ADD ("/agent/tools/sandbox/home-hidden", test_sandbox_home_hidden);
  ADD ("/agent/tools/sandbox/no-network", test_sandbox_no_network);
  ADD ("/agent/tools/sandbox/timeout", test_sandbox_timeout);
  ADD ("/agent/tools/sandbox/no-key", test_sandbox_no_key);
  ADD ("/agent/tools/definitions", test_definitions);
  ADD ("/agent/tools/shell/description-truthful", test_shell_description_truthful);
#undef ADD

  return g_test_run ();
}
