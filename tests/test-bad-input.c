/* test-bad-input.c — the bad-input catalogue: what a broken or hostile
 * server can send, through a whole turn (SparkAssistant, its session, the
 * chat transcript) against the fake server. Each case: a clear error for the
 * person (and, for tool calls, for the model), nothing applied, no crash,
 * and the next turn works.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-responses.h"
#include "spark-test-utils.h"
#include "test-patch-common.h"
#include "test-turn-common.h"

#define CREATED "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"__RESP__\"}}\n"
#define ADDED_MSG "{\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0," \
                  "\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}}\n"

static guint n_cases;

static void
setup_ws (TurnFixture   *f,
          gconstpointer  data)
{
  turn_fixture_setup (f, "websocket");
}

static void
setup_http (TurnFixture   *f,
            gconstpointer  data)
{
  turn_fixture_setup (f, "http");
}

static void
setup_chat (TurnFixture   *f,
            gconstpointer  data)
{
  turn_fixture_setup (f, "http");
  g_settings_set_string (f->settings, "wire-api", "chat");
}

static void
teardown (TurnFixture   *f,
          gconstpointer  data)
{
  g_settings_reset (f->settings, "wire-api");
  turn_fixture_teardown (f);
}

static void
no_review (TurnFixture *f)
{
  g_error ("Nothing may be proposed for review here");
}

/* Nothing written, and the session still works. */
static void
assert_nothing_applied_and_recovers (TurnFixture *f)
{
  g_autofree char *hello = spark_test_read_file (f->root, "hello.txt", NULL);
  g_auto(GStrv) names = NULL;
  g_autoptr(GDir) dir = g_dir_open (f->root, 0, NULL);
  guint n = 0;

  g_assert_cmpstr (hello, ==, "hello\nworld\n");
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_assert_cmpuint (n, ==, 1);

  spark_fake_server_push_stream (f->server, "text-done");
  turn_run_ok (f, "and now?");
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Done.");
}

/* Runs one turn on @stream with no retry; it must end with @code and a
 * message containing @needle, shown in the chat. */
static void
expect_turn_error (TurnFixture *f,
                   const char  *name,
                   const char  *stream,
                   int          code,
                   const char  *needle)
{
  g_autofree char *prompt = g_strdup_printf ("case %s", name);
  guint errors_shown = turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR);
  const GError *error;
  const char *shown;

  spark_session_set_retry_policy (f->session, 0, 2);
  spark_fake_server_push_text (f->server, stream);
  error = turn_run (f, prompt, 60);

  if (!g_error_matches (error, SPARK_AGENT_ERROR, code))
    g_error ("%s: expected error %d, got %s", name, code, error ? error->message : "none");
  shown = turn_last_text (f, SPARK_TRANSCRIPT_KIND_ERROR);
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, errors_shown + 1);
  if (strstr (shown, needle) == NULL)
    g_error ("%s: “%s” not in what the person sees: “%s”", name, needle, shown);
  g_test_message ("%s: %s", name, shown);
  n_cases++;

  spark_session_set_retry_policy (f->session, 5, 2);
  assert_nothing_applied_and_recovers (f);
}

static char *
deep_json (guint depth)
{
  GString *s = g_string_new ("{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"x\",\"extra\":");

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  g_string_append (s, ",\"sequence_number\":2}");
  return g_string_free (s, FALSE);
}

static char *
raw_line (const char *text,
          gsize       length)
{
  g_autofree char *base64 = g_base64_encode ((const guchar *) text, length);

  return g_strdup_printf ("{\"$\":\"raw-base64\",\"data\":\"%s\"}\n", base64);
}

static void
test_frames (TurnFixture   *f,
             gconstpointer  data)
{
  static const struct {
    const char *name;
    const char *line;
    const char *needle;
  } cases[] = {
    { "invalid JSON", "{\"$\":\"raw\",\"text\":\"{\\\"type\\\":\\\"response.output_text.delta\\\",\"}", "not JSON" },
    { "JSON array", "{\"$\":\"raw\",\"text\":\"[1,2,3]\"}", "not a JSON object" },
    { "JSON string", "{\"$\":\"raw\",\"text\":\"\\\"response.completed\\\"\"}", "not a JSON object" },
    { "JSON number", "{\"$\":\"raw\",\"text\":\"42\"}", "not a JSON object" },
    { "JSON null", "{\"$\":\"raw\",\"text\":\"null\"}", "not a JSON object" },
    { "empty frame", "{\"$\":\"raw\",\"text\":\"\"}", "not JSON" },
    { "no type", "{\"item_id\":\"msg_1\",\"delta\":\"x\",\"sequence_number\":2}", "without a “type”" },
    { "type is a number", "{\"type\":7,\"sequence_number\":2}", "without a “type”" },
    { "type is null", "{\"type\":null,\"sequence_number\":2}", "without a “type”" },
    { "type is an object", "{\"type\":{\"name\":\"response.completed\"}}", "without a “type”" },
    { "type is an array", "{\"type\":[\"response.completed\"]}", "without a “type”" },
    { "binary frame", "{\"$\":\"binary\"}", "binary frame" },
    { "unpaired surrogate in a delta",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"a\\udc00b\",\"sequence_number\":2}",
      "unpaired UTF-16 surrogate" },
    { "unpaired high surrogate in a delta",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"a\\ud800b\",\"sequence_number\":2}",
      "unpaired UTF-16 surrogate" },
    { "NUL in a delta",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"a\\u0000b\",\"sequence_number\":2}",
      "NUL character" },
    { "short \\u escape that json-glib reads as NUL",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"a\\u00zzb\",\"sequence_number\":2}",
      "without four hex digits" },
    { "short \\u escape that json-glib reads as a surrogate",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"a\\udezzb\",\"sequence_number\":2}",
      "without four hex digits" },
    { "octal escape json-glib reads as a byte that is not UTF-8",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"a\\200b\",\"sequence_number\":2}",
      "an escape JSON does not have" },
    { "sequence_number out of any integer's range",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"x\",\"sequence_number\":3.3e61}\n"
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"y\",\"sequence_number\":1}",
      "Server sent event 1 twice" },
    { "delta for a tool call never started",
      "{\"type\":\"response.custom_tool_call_input.delta\",\"item_id\":\"ctc_nowhere\",\"delta\":\"*** Begin Patch\\n\",\"sequence_number\":2}",
      "never started" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stream = g_strconcat (CREATED, ADDED_MSG, cases[i].line, "\n", NULL);

      expect_turn_error (f, cases[i].name, stream, SPARK_AGENT_ERROR_PROTOCOL, cases[i].needle);
    }
}

/* Bytes that are not UTF-8, in a text delta and in a patch path: the frame
 * is refused whole (libsoup or the event parser), nothing of it is shown. */
static void
test_not_utf8 (TurnFixture   *f,
               gconstpointer  data)
{
  static const char delta[] =
    "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"caf\xe9 \xff\",\"sequence_number\":2}";
  static const char path[] =
    "{\"type\":\"response.custom_tool_call_input.delta\",\"item_id\":\"ctc_1\","
    "\"delta\":\"*** Begin Patch\\n*** Add File: \xc3\x28.txt\\n+x\\n*** End Patch\\n\",\"sequence_number\":3}";
  static const char added_call[] =
    "{\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":1,\"item\":"
    "{\"id\":\"ctc_1\",\"type\":\"custom_tool_call\",\"call_id\":\"call_1\",\"name\":\"apply_patch\",\"input\":\"\"}}\n";
  g_autofree char *raw_delta = raw_line (delta, sizeof delta - 1);
  g_autofree char *raw_path = raw_line (path, sizeof path - 1);
  g_autofree char *stream1 = g_strconcat (CREATED, ADDED_MSG, raw_delta, NULL);
  g_autofree char *stream2 = g_strconcat (CREATED, added_call, raw_path, NULL);

  expect_turn_error (f, "not UTF-8 in a delta", stream1, SPARK_AGENT_ERROR_PROTOCOL, "UTF-8");
  expect_turn_error (f, "not UTF-8 in a patch path", stream2, SPARK_AGENT_ERROR_PROTOCOL, "UTF-8");
  g_assert_cmpuint (f->drops, ==, 1);   /* the proposal had started */
}

/* Escapes that decode to what a path must not hold. */
static void
test_bad_escapes_in_patch_paths (TurnFixture   *f,
                                 gconstpointer  data)
{
  static const struct {
    const char *name;
    const char *path;
    const char *needle;
  } cases[] = {
    { "NUL in a patch path", "ok.txt\\u0000../../etc/passwd", "NUL character" },
    { "unpaired surrogate in a patch path", "\\udcff.txt", "unpaired UTF-16 surrogate" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stream = NULL;

      stream = g_strdup_printf (CREATED
        "{\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":"
        "{\"id\":\"ctc_1\",\"type\":\"custom_tool_call\",\"call_id\":\"call_1\",\"name\":\"apply_patch\",\"input\":\"\"}}\n"
        "{\"type\":\"response.custom_tool_call_input.delta\",\"item_id\":\"ctc_1\",\"sequence_number\":2,"
        "\"delta\":\"*** Begin Patch\\n*** Add File: %s\\n+x\\n*** End Patch\\n\"}\n",
        cases[i].path);
      expect_turn_error (f, cases[i].name, stream, SPARK_AGENT_ERROR_PROTOCOL, cases[i].needle);
    }
}

/* json-glib parses recursively: before the depth check, a frame of 100,000
 * "[" crashed the app (stack overflow). */
static void
test_deep_nesting (TurnFixture   *f,
                   gconstpointer  data)
{
  g_autofree char *shallow = deep_json (SPARK_JSON_MAX_DEPTH - 2);
  g_autofree char *deep = deep_json (SPARK_JSON_MAX_DEPTH);
  g_autofree char *crash = deep_json (200000);
  g_autofree char *raw = NULL;
  g_autofree char *stream = NULL;
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(GError) error = NULL;

  /* Within the limit it is an ordinary event. */
  stream = g_strconcat (CREATED, ADDED_MSG, shallow, "\n",
                        "{\"type\":\"response.completed\",\"sequence_number\":3,\"response\":{\"id\":\"__RESP__\"}}\n",
                        NULL);
  spark_fake_server_push_text (f->server, stream);
  turn_run_ok (f, "shallow");
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "x");
  g_clear_pointer (&stream, g_free);

  stream = g_strconcat (CREATED, ADDED_MSG, deep, "\n", NULL);
  expect_turn_error (f, "JSON 128 levels deep", stream, SPARK_AGENT_ERROR_PROTOCOL, "nested deeper than 128");
  g_clear_pointer (&stream, g_free);
  /* Raw: the fake server's own json-glib would overflow on it. */
  raw = raw_line (crash, strlen (crash));
  stream = g_strconcat (CREATED, ADDED_MSG, raw, NULL);
  expect_turn_error (f, "JSON 200,000 levels deep", stream, SPARK_AGENT_ERROR_PROTOCOL, "nested deeper than 128");

  /* The same check guards what the model writes as tool arguments. */
  args = spark_json_parse_object (crash + strlen ("{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"x\",\"extra\":"),
                                  -1, &error);
  g_assert_null (args);
  g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
}

static GPtrArray *
stream_lines (const char *name)
{
  g_autofree char *path = spark_fake_server_stream_path (name);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] != '\0')
        g_ptr_array_add (out, g_strdup (lines[i]));
    }
  return out;
}

static char *
join_lines (GPtrArray *lines)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (lines, i));
  return g_string_free (out, FALSE);
}

/* A delta sent twice would show (or apply) twice; one out of place would
 * scramble the text or the patch. Both are refused, and a retry gets the
 * response right. text-hello: events 4-7 are the deltas. */
static void
test_sequence_numbers (TurnFixture   *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) repeated = stream_lines ("text-hello");
  g_autoptr(GPtrArray) swapped = stream_lines ("text-hello");
  g_autofree char *repeated_text = NULL;
  g_autofree char *swapped_text = NULL;
  gpointer tmp;

  g_ptr_array_insert (repeated, 6, g_strdup (g_ptr_array_index (repeated, 5)));
  repeated_text = join_lines (repeated);
  tmp = swapped->pdata[5];
  swapped->pdata[5] = swapped->pdata[6];
  swapped->pdata[6] = tmp;
  swapped_text = join_lines (swapped);

  expect_turn_error (f, "repeated sequence_number", repeated_text, SPARK_AGENT_ERROR_PROTOCOL,
                     "Server sent event 5 twice");
  expect_turn_error (f, "sequence_number going back", swapped_text, SPARK_AGENT_ERROR_PROTOCOL,
                     "out of order (5 after 6");

  /* Retried, the clean response comes through once. */
  spark_fake_server_push_text (f->server, repeated_text);
  spark_fake_server_push_stream (f->server, "text-hello");
  turn_run_ok (f, "retried");
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Hello, world!");
}

/* The stream ends before response.completed: closed cleanly, cut inside a
 * frame, or the connection lost. */
static void
test_truncated (TurnFixture   *f,
                gconstpointer  data)
{
  static const struct {
    const char *name;
    const char *directive;
    const char *needle;
  } cases[] = {
    { "stream closed (1000) before completed", "{\"$\":\"close\",\"code\":1000}", "code 1000" },
    { "stream cut inside a frame", "{\"$\":\"cut\",\"bytes\":20}", "code 1006" },
    { "connection lost", "{\"$\":\"close\",\"code\":1006}", "without a close frame" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) lines = stream_lines ("text-hello");
      g_autofree char *text = NULL;

      g_ptr_array_insert (lines, 6, g_strdup (cases[i].directive));
      text = join_lines (lines);
      expect_turn_error (f, cases[i].name, text, SPARK_AGENT_ERROR_CLOSED, cases[i].needle);
      g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Done.");
    }
  /* The partial answers were not kept as if whole. */
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, G_N_ELEMENTS (cases));
}

/* Big frames: 10 MB of text is an answer like any other; 10 MB that is not
 * JSON is refused; a frame over the 64 MiB limit is refused before it is
 * read. */
static void
test_big_frames (TurnFixture   *f,
                 gconstpointer  data)
{
  g_autofree char *garbage = g_malloc (10 * 1000 * 1000 + 1);
  g_autofree char *stream = NULL;
  g_autoptr(JsonObject) raw = json_object_new ();
  g_autofree char *raw_text = NULL;
  const char *shown;

  spark_fake_server_push_text (f->server,
    CREATED
    "{\"$\":\"huge\",\"bytes\":10000000}\n"
    "{\"type\":\"response.completed\",\"sequence_number\":3,\"response\":{\"id\":\"__RESP__\"}}\n");
  turn_run_ok (f, "ten megabytes");
  shown = turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT);
  g_assert_cmpuint (strlen (shown), ==, 10000000);
  n_cases++;

  memset (garbage, 'x', 10 * 1000 * 1000);
  garbage[10 * 1000 * 1000] = '\0';
  memcpy (garbage, "{\"type\":", 8);
  json_object_set_string_member (raw, "$", "raw");
  json_object_set_string_member (raw, "text", garbage);
  raw_text = spark_responses_to_string (raw);
  stream = g_strconcat (CREATED, raw_text, "\n", NULL);
  expect_turn_error (f, "10 MB that is not JSON", stream, SPARK_AGENT_ERROR_PROTOCOL, "not JSON");
  g_clear_pointer (&stream, g_free);

  stream = g_strdup_printf (CREATED "{\"$\":\"huge\",\"bytes\":%u}\n", 65 * 1024 * 1024);
  expect_turn_error (f, "a frame over 64 MiB", stream, SPARK_AGENT_ERROR_PROTOCOL,
                     "Server sent a frame larger than 64.0");
}

/* Every error code protocol.md lists: the two the service means to be
 * recovered from are, silently; every other one ends the turn with the
 * code and the server's message shown. */
static void
test_documented_error_codes (TurnFixture   *f,
                             gconstpointer  data)
{
  static const struct {
    const char *event;
    int         code;
  } final[] = {
    { "{\"type\":\"error\",\"status\":400,\"error\":{\"type\":\"invalid_request_error\",\"code\":\"invalid_stream_id\","
      "\"message\":\"Invalid stream_id.\",\"param\":\"stream_id\"}}", SPARK_AGENT_ERROR_SERVER },
    { "{\"type\":\"error\",\"status\":400,\"error\":{\"type\":\"invalid_request_error\",\"code\":\"websocket_stream_limit_reached\","
      "\"message\":\"Too many streams.\"}}", SPARK_AGENT_ERROR_SERVER },
    { "{\"type\":\"error\",\"status\":429,\"error\":{\"type\":\"usage_limit_reached\",\"code\":\"usage_limit_reached\","
      "\"message\":\"The usage limit has been reached.\"},\"headers\":{\"x-codex-primary-used-percent\":\"100\"}}",
      SPARK_AGENT_ERROR_SERVER },
    { "{\"type\":\"error\",\"status\":400,\"error\":{\"type\":\"invalid_request_error\",\"code\":\"invalid_request_error\","
      "\"message\":\"Model not supported.\"}}", SPARK_AGENT_ERROR_SERVER },
    { "{\"type\":\"response.failed\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"status\":\"failed\","
      "\"error\":{\"code\":\"context_length_exceeded\",\"message\":\"Too long.\"}}}", SPARK_AGENT_ERROR_RESPONSE_FAILED },
    { "{\"type\":\"response.failed\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"status\":\"failed\","
      "\"error\":{\"code\":\"insufficient_quota\",\"message\":\"No quota.\"}}}", SPARK_AGENT_ERROR_RESPONSE_FAILED },
    { "{\"type\":\"response.failed\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"status\":\"failed\","
      "\"error\":{\"code\":\"usage_not_included\",\"message\":\"Not in your plan.\"}}}", SPARK_AGENT_ERROR_RESPONSE_FAILED },
    { "{\"type\":\"response.failed\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"status\":\"failed\","
      "\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Try again in 20s.\"}}}", SPARK_AGENT_ERROR_RESPONSE_FAILED },
    { "{\"type\":\"response.failed\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"status\":\"failed\","
      "\"error\":{\"code\":\"server_error\",\"message\":\"The model had a problem.\"}}}", SPARK_AGENT_ERROR_RESPONSE_FAILED },
    { "{\"type\":\"response.incomplete\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"status\":\"incomplete\","
      "\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}}", SPARK_AGENT_ERROR_INCOMPLETE },
    { "{\"type\":\"response.incomplete\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"status\":\"incomplete\","
      "\"incomplete_details\":{\"reason\":\"content_filter\"}}}", SPARK_AGENT_ERROR_INCOMPLETE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (final); i++)
    {
      g_autoptr(JsonObject) event = spark_json_parse_object (final[i].event, -1, NULL);
      JsonObject *response = spark_json_get_object (event, "response");
      JsonObject *err = spark_json_get_object (event, "error");
      const char *code;
      const char *message;
      g_autofree char *stream = NULL;

      if (err == NULL)
        err = spark_json_get_object (response, "error");
      code = err ? spark_json_get_string (err, "code")
                 : spark_json_get_string (spark_json_get_object (response, "incomplete_details"), "reason");
      message = spark_json_get_string (err, "message");
      stream = g_strconcat (spark_json_get_string (event, "type")[0] == 'e' ? "" : CREATED,
                            final[i].event, "\n", NULL);
      expect_turn_error (f, code, stream, final[i].code, code);
      /* The server's own words too. */
      if (message != NULL)
        g_assert_nonnull (strstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ERROR), message));
    }

  /* The recoverable two: the turn goes on, the person sees the answer. */
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  spark_fake_server_push_stream (f->server, "text-hello");
  turn_run_ok (f, "previous_response_not_found");
  spark_fake_server_push_stream (f->server, "error-connection-limit");
  spark_fake_server_push_stream (f->server, "text-hello");
  turn_run_ok (f, "websocket_connection_limit_reached");
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Hello, world!");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, G_N_ELEMENTS (final));
  n_cases += 2;
}

static char *
line_of (JsonObject *object)
{
  g_autofree char *text = spark_responses_to_string (object);

  return g_strconcat (text, "\n", NULL);
}

/* A response whose only output is one tool call, streamed in pieces of
 * seven bytes: @kind is "custom" (apply_patch input), "function" (its
 * arguments) or "hosted" (an apply_patch_call with @text as the operation). */
static char *
tool_call_stream (const char *kind,
                  const char *text)
{
  g_autoptr(GString) out = g_string_new (CREATED);
  g_autoptr(JsonObject) item = json_object_new ();
  g_autoptr(JsonObject) added = json_object_new ();
  g_autoptr(JsonObject) done = json_object_new ();
  g_autoptr(JsonObject) completed = json_object_new ();
  JsonObject *response = json_object_new ();
  JsonArray *output = json_array_new ();
  gboolean custom = g_str_equal (kind, "custom");
  gboolean hosted = g_str_equal (kind, "hosted");
  const char *member = custom ? "input" : "arguments";
  gint64 seq = 1;
  g_autofree char *line = NULL;

  json_object_set_string_member (item, "id", "tc_bad");
  json_object_set_string_member (item, "type", custom ? "custom_tool_call" : hosted ? "apply_patch_call" : "function_call");
  json_object_set_string_member (item, "call_id", "call_bad");
  if (!hosted)
    {
      json_object_set_string_member (item, "name", "apply_patch");
      json_object_set_string_member (item, member, "");
    }

  json_object_set_string_member (added, "type", "response.output_item.added");
  json_object_set_int_member (added, "sequence_number", seq++);
  json_object_set_int_member (added, "output_index", 0);
  json_object_set_object_member (added, "item", json_object_ref (item));
  line = line_of (added);
  g_string_append (out, line);

  for (gsize off = 0; !hosted && off < strlen (text); off += 7)
    {
      g_autoptr(JsonObject) delta = json_object_new ();
      g_autofree char *piece = g_strndup (text + off, 7);
      g_autofree char *delta_line = NULL;

      json_object_set_string_member (delta, "type", custom ? "response.custom_tool_call_input.delta"
                                                           : "response.function_call_arguments.delta");
      json_object_set_int_member (delta, "sequence_number", seq++);
      json_object_set_string_member (delta, "item_id", "tc_bad");
      json_object_set_string_member (delta, "delta", piece);
      delta_line = line_of (delta);
      g_string_append (out, delta_line);
    }

  if (hosted)
    json_object_set_member (item, "operation", spark_json_parse (text, -1, NULL));
  else
    json_object_set_string_member (item, member, text);
  json_object_set_string_member (done, "type", "response.output_item.done");
  json_object_set_int_member (done, "sequence_number", seq++);
  json_object_set_int_member (done, "output_index", 0);
  json_object_set_object_member (done, "item", json_object_ref (item));
  g_free (line);
  line = line_of (done);
  g_string_append (out, line);

  json_array_add_object_element (output, json_object_ref (item));
  json_object_set_string_member (response, "id", "__RESP__");
  json_object_set_array_member (response, "output", output);
  json_object_set_string_member (completed, "type", "response.completed");
  json_object_set_int_member (completed, "sequence_number", seq++);
  json_object_set_object_member (completed, "response", response);
  g_free (line);
  line = line_of (completed);
  g_string_append (out, line);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A malformed patch in a tool call that streamed well: the model is told
 * what is wrong (its tool output), the person sees the same on the call in
 * the chat, nothing is proposed or written, and the turn goes on. */
static void
expect_patch_refused (TurnFixture *f,
                      const char  *name,
                      const char  *kind,
                      const char  *text,
                      const char  *needle)
{
  g_autofree char *stream = tool_call_stream (kind, text);
  g_autofree char *prompt = g_strdup_printf ("patch: %s", name);
  const char *output;
  g_autoptr(SparkTranscriptItem) call = NULL;
  guint n;

  f->review = no_review;
  spark_fake_server_push_text (f->server, stream);
  spark_fake_server_push_stream (f->server, "text-done");
  turn_run_ok (f, prompt);
  f->review = turn_accept_and_apply;

  output = turn_last_output (f);
  if (!g_str_has_prefix (output, "Error: ") || strstr (output, needle) == NULL)
    g_error ("%s: the model was told “%s”, expected “%s”", name, output, needle);

  /* The chat shows the call with that error. */
  n = g_list_model_get_n_items (G_LIST_MODEL (f->transcript));
  for (guint i = n; i > 0 && call == NULL; i--)
    {
      g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (f->transcript), i - 1);

      if (spark_transcript_item_get_kind (item) == SPARK_TRANSCRIPT_KIND_TOOL_CALL)
        call = g_steal_pointer (&item);
    }
  g_assert_nonnull (call);
  g_assert_false (spark_transcript_item_get_success (call));
  g_assert_cmpstr (spark_transcript_item_get_output (call), ==, output);
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Done.");
  g_test_message ("%s: %s", name, output);
  n_cases++;

  assert_nothing_applied_and_recovers (f);
}

/* Every way the grammar can be broken (the parser tests' table), streamed
 * as the freeform tool; the JSON-function and hosted forms broken in their
 * own ways. */
static void
test_malformed_patches (TurnFixture   *f,
                        gconstpointer  data)
{
  for (guint i = 0; i < tp_n_malformed; i++)
    {
      g_autofree char *name = g_strdup_printf ("malformed patch %u (%s)", i, tp_malformed[i].message);

      if (g_utf8_validate (tp_malformed[i].text, -1, NULL))
        expect_patch_refused (f, name, "custom", tp_malformed[i].text, tp_malformed[i].message);
      else
        {
          g_autofree char *delta = g_strdup_printf ("{\"type\":\"response.custom_tool_call_input.delta\","
                                                    "\"item_id\":\"ctc_1\",\"delta\":\"%s\",\"sequence_number\":3}",
                                                    tp_malformed[i].text);
          g_autofree char *raw = NULL;
          g_autofree char *stream = NULL;
          g_auto(GStrv) parts = g_strsplit (delta, "\n", -1);
          g_autofree char *escaped = g_strjoinv ("\\n", parts);

          /* Raw bytes that are not UTF-8 cannot be JSON text: the frame goes. */
          raw = raw_line (escaped, strlen (escaped));
          stream = g_strconcat (CREATED,
                                "{\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":0,"
                                "\"item\":{\"id\":\"ctc_1\",\"type\":\"custom_tool_call\",\"call_id\":\"c\","
                                "\"name\":\"apply_patch\",\"input\":\"\"}}\n", raw, NULL);
          expect_turn_error (f, name, stream, SPARK_AGENT_ERROR_PROTOCOL, "UTF-8");
        }
    }

  expect_patch_refused (f, "JSON arguments that are not JSON", "function",
                        "{\"input\": \"*** Begin Patch\\n*** Add File: x\\n+y\\n", "not a JSON object");
  expect_patch_refused (f, "JSON arguments without input", "function",
                        "{\"patch\": \"*** Begin Patch\\n*** Add File: x\\n+y\\n*** End Patch\\n\"}",
                        "“input” is missing or not a string");
  expect_patch_refused (f, "JSON arguments with a number as input", "function", "{\"input\": 42}",
                        "“input” is missing or not a string");
  expect_patch_refused (f, "JSON arguments with a broken patch", "function",
                        "{\"input\": \"*** Begin Patch\\n*** Frobnicate File: x\\n*** End Patch\\n\"}",
                        "is not a valid hunk header");
  expect_patch_refused (f, "hosted operation of an unknown type", "hosted",
                        "{\"type\":\"rename_file\",\"path\":\"hello.txt\",\"diff\":\"\"}",
                        "Unknown apply_patch operation 'rename_file'");
  expect_patch_refused (f, "hosted operation without a path", "hosted",
                        "{\"type\":\"update_file\",\"diff\":\"@@\\n-world\\n+there\\n\"}",
                        "has no valid path");
  expect_patch_refused (f, "hosted update with a broken diff", "hosted",
                        "{\"type\":\"update_file\",\"path\":\"hello.txt\",\"diff\":\"garbage\\n\"}",
                        "Unexpected line found in update hunk: 'garbage'");
}

static guint64
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      !(line = strstr (status, "VmHWM:")))
    return 0;
  return g_ascii_strtoull (line + 6, NULL, 10);
}

/* A 50 MB patch, streamed as the service would (64 KiB deltas, then the
 * done item and response.completed, each holding all of it): refused with
 * the limit said, to the model and in the chat; not applied, not proposed,
 * and not kept in the history that every later request resends. */
static void
test_huge_patch (TurnFixture   *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autofree char *last = NULL;
  g_autofree char *big = g_build_filename (f->root, "big.txt", NULL);
  guint64 before = peak_rss_kib ();
  gint64 start = g_get_monotonic_time ();
  const char *output;

  f->review = no_review;
  spark_fake_server_push_text (f->server,
    CREATED "{\"$\":\"big-patch\",\"bytes\":52428800,\"chunk\":65536,\"path\":\"big.txt\"}\n");
  spark_fake_server_push_stream (f->server, "text-done");
  turn_run_ok (f, "fifty megabytes");
  f->review = turn_accept_and_apply;

  output = turn_last_output (f);
  g_assert_true (g_str_has_prefix (output, "Error: invalid patch: the patch is 52.4"));
  g_assert_nonnull (strstr (output, "8.0"));
  g_assert_nonnull (strstr (output, "nothing was applied"));
  g_assert_false (g_file_test (big, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Done.");
  /* What streamed past the limit was not kept, not even for the chat. */
  g_assert_cmpuint (strlen (turn_last_text (f, SPARK_TRANSCRIPT_KIND_TOOL_CALL)), <=, SPARK_MAX_PATCH_SIZE);

  /* The answer to the call went back small. */
  reqs = spark_fake_server_dup_generating (f->server);
  last = spark_responses_to_string (reqs->pdata[reqs->len - 1]);
  g_assert_cmpuint (strlen (last), <, 1024 * 1024);

  g_test_message ("50 MB patch refused in %.1f s; peak RSS of the test process (client and fake "
                  "server) %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " MiB",
                  (g_get_monotonic_time () - start) / 1e6, before / 1024, peak_rss_kib () / 1024);
  n_cases++;
  assert_nothing_applied_and_recovers (f);
}

/* The same bad input over HTTP+SSE, where the fake server can send it. */
static void
test_sse (TurnFixture   *f,
          gconstpointer  data)
{
  static const char not_utf8[] =
    "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"caf\xe9\",\"sequence_number\":2}";
  static const struct {
    const char *name;
    const char *line;
    const char *needle;
  } cases[] = {
    { "SSE: invalid JSON", "{\"$\":\"raw\",\"text\":\"{\\\"type\\\":\"}", "not JSON" },
    { "SSE: JSON array", "{\"$\":\"raw\",\"text\":\"[]\"}", "not a JSON object" },
    { "SSE: no type", "{\"delta\":\"x\",\"sequence_number\":2}", "without a “type”" },
    { "SSE: NUL in a delta",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"a\\u0000b\",\"sequence_number\":2}",
      "NUL character" },
    { "SSE: repeated sequence_number",
      "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"a\",\"sequence_number\":1}",
      "Server sent event 1 twice" },
    { "SSE: body cut inside an event", "{\"$\":\"cut\",\"bytes\":30}\n{\"type\":\"response.completed\","
      "\"sequence_number\":9,\"response\":{\"id\":\"x\"}}", "not JSON" },
  };
  g_autofree char *deep = deep_json (200000);
  g_autofree char *raw_deep = raw_line (deep, strlen (deep));
  g_autofree char *raw_bytes = raw_line (not_utf8, sizeof not_utf8 - 1);
  g_autofree char *stream = NULL;
  g_autofree char *huge = g_malloc (65 * 1024 * 1024 + 1);
  g_autoptr(JsonObject) raw = json_object_new ();
  g_autofree char *raw_huge = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (CREATED, ADDED_MSG, cases[i].line, "\n", NULL);

      expect_turn_error (f, cases[i].name, text, SPARK_AGENT_ERROR_PROTOCOL, cases[i].needle);
    }

  stream = g_strconcat (CREATED, ADDED_MSG, "{\"$\":\"close\"}\n", NULL);
  expect_turn_error (f, "SSE: body ends before completed", stream, SPARK_AGENT_ERROR_CLOSED,
                     "Stream closed before response.completed");
  g_clear_pointer (&stream, g_free);
  stream = g_strconcat (CREATED, ADDED_MSG, raw_deep, NULL);
  expect_turn_error (f, "SSE: JSON 200,000 levels deep", stream, SPARK_AGENT_ERROR_PROTOCOL,
                     "nested deeper than 128");
  g_clear_pointer (&stream, g_free);
  stream = g_strconcat (CREATED, ADDED_MSG, raw_bytes, NULL);
  expect_turn_error (f, "SSE: not UTF-8", stream, SPARK_AGENT_ERROR_PROTOCOL, "not UTF-8");
  g_clear_pointer (&stream, g_free);

  /* One data line over the 64 MiB limit: refused as it arrives, before
   * the whole of it is held. */
  memset (huge, 'x', 65 * 1024 * 1024);
  huge[65 * 1024 * 1024] = '\0';
  json_object_set_string_member (raw, "$", "raw");
  json_object_set_string_member (raw, "text", huge);
  g_clear_pointer (&huge, g_free);
  raw_huge = spark_responses_to_string (raw);
  stream = g_strconcat (CREATED, raw_huge, "\n", NULL);
  g_clear_pointer (&raw_huge, g_free);
  expect_turn_error (f, "SSE: an event over 64 MiB", stream, SPARK_AGENT_ERROR_PROTOCOL,
                     "Server sent an event larger than 64.0");
}

/* Arrays holding what should be objects: each json-glib getter used on
 * them logged a critical (fatal in the tests, and with G_DEBUG). */
static void
test_arrays_of_anything (TurnFixture   *f,
                         gconstpointer  data)
{
  /* Chat Completions: choices and tool calls that are not objects. */
  spark_fake_server_push_text (f->server,
    "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[1,\"x\",null,[]]}\n"
    "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[7,\"y\"]}}]}\n"
    "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Still here.\"},\"finish_reason\":\"stop\"}]}\n");
  turn_run_ok (f, "chat chunks of anything");
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Still here.");
  n_cases++;
}

static void
test_output_of_anything (TurnFixture   *f,
                         gconstpointer  data)
{
  /* response.completed whose output is not a list of items. */
  spark_fake_server_push_text (f->server,
    CREATED "{\"type\":\"response.completed\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"output\":[42,\"x\",[]]}}\n");
  turn_run_ok (f, "output of anything");
  spark_fake_server_push_text (f->server,
    CREATED "{\"type\":\"response.completed\",\"sequence_number\":1,\"response\":{\"id\":\"__RESP__\",\"output\":\"none\"}}\n");
  turn_run_ok (f, "output that is no list");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, 0);
  n_cases += 2;
}

/* A local server that gives no ids of its own, or the same each time: the
 * chat wire then names every message alike, and each turn's answer must
 * still be its own item in the chat, not appended to the last one. */
static void
test_reused_item_ids (TurnFixture   *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  guint n;

  spark_fake_server_push_stream (f->server, "chat-hello");
  turn_run_ok (f, "one");
  spark_fake_server_push_stream (f->server, "chat-hello");
  turn_run_ok (f, "two");

  n = g_list_model_get_n_items (G_LIST_MODEL (f->transcript));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (f->transcript), i);

      if (spark_transcript_item_get_kind (item) == SPARK_TRANSCRIPT_KIND_ASSISTANT)
        g_ptr_array_add (texts, (gpointer) spark_transcript_item_get_text (item));
    }
  g_assert_cmpuint (texts->len, ==, 2);
  g_assert_cmpstr (texts->pdata[0], ==, texts->pdata[1]);
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_USER), ==, 2);

  /* Within one turn too: text and a call, then the answer after it. */
  spark_fake_server_push_text (f->server,
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Looking.\"},\"finish_reason\":null}]}\n"
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_same\",\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\": \\\"hello.txt\\\"}\"}}]},\"finish_reason\":null}]}\n"
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n");
  spark_fake_server_push_text (f->server,
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Read it.\"},\"finish_reason\":null}]}\n"
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n");
  turn_run_ok (f, "three");
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Read it.");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, 4);

  /* And the same call id in the next turn is a call of its own. */
  spark_fake_server_push_text (f->server,
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Looking.\"},\"finish_reason\":null}]}\n"
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_same\",\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\": \\\"hello.txt\\\"}\"}}]},\"finish_reason\":null}]}\n"
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n");
  spark_fake_server_push_text (f->server,
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Read it.\"},\"finish_reason\":null}]}\n"
    "{\"id\":\"same\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n");
  turn_run_ok (f, "four");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_TOOL_CALL), ==, 2);
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, 6);
  n_cases++;
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");

  spark_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, TurnFixture, NULL, setup_ws, func, teardown)
  ADD ("/bad-input/frames", test_frames);
  ADD ("/bad-input/not-utf8", test_not_utf8);
  ADD ("/bad-input/bad-escapes-in-patch-paths", test_bad_escapes_in_patch_paths);
  ADD ("/bad-input/deep-nesting", test_deep_nesting);
  ADD ("/bad-input/sequence-numbers", test_sequence_numbers);
  ADD ("/bad-input/truncated", test_truncated);
  ADD ("/bad-input/big-frames", test_big_frames);
  ADD ("/bad-input/documented-error-codes", test_documented_error_codes);
  ADD ("/bad-input/malformed-patches", test_malformed_patches);
  ADD ("/bad-input/huge-patch", test_huge_patch);
  g_test_add ("/bad-input/sse", TurnFixture, NULL, setup_http, test_sse, teardown);
  g_test_add ("/bad-input/reused-item-ids", TurnFixture, NULL, setup_chat, test_reused_item_ids, teardown);
  g_test_add ("/bad-input/chat-arrays-of-anything", TurnFixture, NULL, setup_chat, test_arrays_of_anything, teardown);
  ADD ("/bad-input/output-of-anything", test_output_of_anything);
#undef ADD

  ret = g_test_run ();
  g_test_message ("%u cases in the catalogue", n_cases);
  return ret;
}
