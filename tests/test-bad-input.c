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

  g_test_add ("/bad-input/reused-item-ids", TurnFixture, NULL, setup_chat, test_reused_item_ids, teardown);

  ret = g_test_run ();
  g_test_message ("%u cases in the catalogue", n_cases);
  return ret;
}
