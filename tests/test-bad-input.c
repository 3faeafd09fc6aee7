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
  ADD ("/bad-input/sequence-numbers", test_sequence_numbers);
  g_test_add ("/bad-input/reused-item-ids", TurnFixture, NULL, setup_chat, test_reused_item_ids, teardown);
#undef ADD

  ret = g_test_run ();
  g_test_message ("%u cases in the catalogue", n_cases);
  return ret;
}
