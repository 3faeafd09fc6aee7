/* test-tools.c — the model's tools, the approval policy, and tool-call
 * streaming (patch text unwrapped from any split of the JSON arguments).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "spark-approval-policy.h"
#include "spark-responses.h"
#include "spark-test-utils.h"
#include "spark-tools.h"

typedef struct
{
  char       *root;
  SparkTools *tools;
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

/* Runs tool @name with JSON @args; returns the output, sets *success. */
static char *
run_tool (Fixture    *f,
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
  spark_tools_run_async (f->tools, call, NULL, run_cb, out);
  while (!done)
    {
      g_main_context_iteration (NULL, TRUE);
      done = GPOINTER_TO_INT (g_object_get_data (out, "done"));
    }

  *success = GPOINTER_TO_INT (g_object_get_data (out, "success"));
  return g_strdup (g_object_get_data (out, "output"));
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
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/agent/tools/read-file", test_read_file);
  ADD ("/agent/tools/list-dir", test_list_dir);
  ADD ("/agent/tools/grep", test_grep);
  ADD ("/agent/tools/paths-stay-inside", test_paths_stay_inside);
  ADD ("/agent/tools/shell", test_shell);
  ADD ("/agent/tools/definitions", test_definitions);
#undef ADD

  return g_test_run ();
}
