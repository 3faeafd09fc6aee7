/* test-flatpak-sandbox.c: the shell tool through flatpak/spark-flatpak-sandbox
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * Inside the Flatpak, SPARK_BWRAP names flatpak/spark-flatpak-sandbox, which
 * turns the shell tool's bubblewrap command line into `flatpak-spawn
 * --sandbox`. There is no Flatpak portal here, so FLATPAK_SPAWN names a
 * stand-in that writes down its arguments and runs the command the way the
 * portal would (in --directory). What is checked is the contract between the
 * real tool and the script: the tool's own probe and command lines go
 * through, the sub-sandbox gets the project (and only it) writable, no
 * network, and dies with Spark; an option the script does not know is
 * refused, so the sandbox is reported off rather than silently weaker.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "spark-responses.h"
#include "spark-test-utils.h"
#include "spark-tool-call.h"
#include "spark-tools.h"

/* Writes its arguments one a line to $FAKE_SPAWN_LOG, then runs what
 * follows "--" in the --directory folder, as flatpak-spawn would. */
static const char fake_spawn[] =
  "#!/bin/sh\n"
  "for a do printf '%s\\n' \"$a\" >> \"$FAKE_SPAWN_LOG\"; done\n"
  "while [ $# -gt 0 ]; do\n"
  "  case $1 in\n"
  "    --directory=*) cd \"${1#--directory=}\" ;;\n"
  "    --) shift; exec \"$@\" ;;\n"
  "    --*) ;;\n"
  "    *) echo \"fake flatpak-spawn: unexpected $1\" >&2; exit 1 ;;\n"
  "  esac\n"
  "  shift\n"
  "done\n"
  "echo 'fake flatpak-spawn: no command' >&2\n"
  "exit 1\n";

typedef struct
{
  char *dir;     /* holds the project, the stand-in and its log */
  char *root;    /* the project, canonical */
  char *log;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *spawn = NULL;
  g_autofree char *dir = spark_test_make_temp_dir ();

  f->dir = realpath (dir, NULL);
  f->root = g_build_filename (f->dir, "my project", NULL);
  f->log = g_build_filename (f->dir, "spawn.log", NULL);
  spark_test_write_file (f->root, "hello.txt", "hello\n");

  spawn = g_build_filename (f->dir, "flatpak-spawn", NULL);
  g_assert_true (g_file_set_contents (spawn, fake_spawn, -1, NULL));
  g_assert_cmpint (g_chmod (spawn, 0755), ==, 0);

  g_setenv ("SPARK_BWRAP", SPARK_FLATPAK_SANDBOX, TRUE);
  g_setenv ("FLATPAK_SPAWN", spawn, TRUE);
  g_setenv ("FAKE_SPAWN_LOG", f->log, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_unsetenv ("SPARK_BWRAP");
  g_unsetenv ("FLATPAK_SPAWN");
  g_unsetenv ("FAKE_SPAWN_LOG");
  spark_test_rm_rf (f->dir);
  free (f->dir);
  g_free (f->root);
  g_free (f->log);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  char **output = user_data;
  g_autoptr(GError) error = NULL;
  gboolean success = FALSE;

  *output = spark_tools_run_finish (SPARK_TOOLS (object), result, &success, &error);
  g_assert_no_error (error);
}

static char *
run_shell (SparkTools *tools,
           const char *command)
{
  g_autoptr(SparkToolCall) call = spark_tool_call_new (SPARK_TOOL_CALL_FUNCTION, "fc_1", "call_1", "shell");
  g_autoptr(JsonObject) item = json_object_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *args = NULL;
  char *output = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  args = json_to_string (node, FALSE);

  json_object_set_string_member (item, "arguments", args);
  _spark_tool_call_complete (call, item);
  spark_tools_run_async (tools, call, NULL, run_cb, &output);
  while (output == NULL)
    g_main_context_iteration (NULL, TRUE);

  return output;
}

static char **
read_log (Fixture *f)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (f->log, &text, NULL, NULL))
    return g_new0 (char *, 1);
  return g_strsplit (text, "\n", -1);
}

static void
test_shell_goes_through_flatpak_spawn (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(SparkTools) tools = spark_tools_new (f->root);
  g_autofree char *output = NULL;
  g_autofree char *made = NULL;
  g_autofree char *expose = g_strdup_printf ("--sandbox-expose-path=%s", f->root);
  g_autofree char *directory = g_strdup_printf ("--directory=%s", f->root);
  g_auto(GStrv) log = NULL;

  /* The tool's own probe went through the script. */
  g_assert_true (spark_tools_get_sandboxed (tools));
  g_unlink (f->log);

  output = run_shell (tools, "pwd; echo made > made.txt");
  g_test_message ("output: %s", output);
  g_assert_nonnull (strstr (output, f->root));
  g_assert_null (strstr (output, "not sandboxed"));
  made = spark_test_read_file (f->root, "made.txt", NULL);
  g_assert_cmpstr (made, ==, "made\n");

  log = read_log (f);
  g_assert_cmpstr (log[0], ==, "--sandbox");
  g_assert_true (g_strv_contains ((const char * const *) log, "--watch-bus"));
  g_assert_true (g_strv_contains ((const char * const *) log, "--no-network"));
  g_assert_true (g_strv_contains ((const char * const *) log, expose));
  g_assert_true (g_strv_contains ((const char * const *) log, directory));
  g_assert_true (g_strv_contains ((const char * const *) log, "pwd; echo made > made.txt"));
  /* Only the project is exposed: not "/", not the home folder. */
  for (guint i = 0; log[i]; i++)
    {
      if (g_str_has_prefix (log[i], "--sandbox-expose"))
        g_assert_cmpstr (log[i], ==, expose);
      g_assert_false (g_str_has_prefix (log[i], "--ro-bind"));
      g_assert_false (g_str_has_prefix (log[i], "--tmpfs"));
    }
}

/* A bubblewrap option the script does not map is refused: the tool then
 * says the command is not sandboxed instead of running it half-sandboxed. */
static void
test_unknown_option_refused (Fixture       *f,
                             gconstpointer  data)
{
  const char *argv[] = { SPARK_FLATPAK_SANDBOX, "--setenv", "A", "B", "--", "true", NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "unsupported bubblewrap option: --setenv"));
  g_assert_false (g_file_test (f->log, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add ("/flatpak/sandbox/shell-goes-through-flatpak-spawn", Fixture, NULL,
              fixture_setup, test_shell_goes_through_flatpak_spawn, fixture_teardown);
  g_test_add ("/flatpak/sandbox/unknown-option-refused", Fixture, NULL,
              fixture_setup, test_unknown_option_refused, fixture_teardown);

  return g_test_run ();
}
