/* test-compaction.c — keeping the conversation inside the context window,
 * against the fake server: server-side compaction (context_management), the
 * standalone /responses/compact endpoint when the server refuses it, local
 * shortening when that is missing too and on the chat wire, resume.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-responses.h"
#include "spark-test-utils.h"
#include "test-session-common.h"

typedef SessionFixture Fixture;

static SparkSession *
make_session (Fixture *f)
{
  return session_fixture_new_session (f);
}

static void
start (Fixture *f)
{
  session_fixture_start (f);
  g_assert_no_error (f->start_error);
}

static void
run_turn_on (Fixture      *f,
             SparkSession *session,
             const char   *prompt)
{
  session_fixture_run_on (f, session, prompt, 20);
}

static void
run_turn (Fixture    *f,
          const char *prompt)
{
  run_turn_on (f, f->session, prompt);
  g_assert_no_error (f->turn_error);
}

static JsonArray *
input_of (JsonObject *request)
{
  return json_object_get_array_member (request, "input");
}

static guint
n_input (JsonObject *request)
{
  return json_array_get_length (input_of (request));
}

static JsonObject *
input_item (JsonObject *request,
            guint       i)
{
  return json_array_get_object_element (input_of (request), i);
}

static const char *
item_type (JsonObject *item)
{
  return spark_json_get_string (item, "type");
}

/* The text of a message item, or NULL. */
static const char *
item_text (JsonObject *item)
{
  JsonNode *content = json_object_get_member (item, "content");
  JsonObject *part;

  if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content) ||
      json_array_get_length (json_node_get_array (content)) == 0)
    return NULL;
  part = json_array_get_object_element (json_node_get_array (content), 0);
  return spark_json_get_string (part, "text");
}

static GPtrArray *
generating (Fixture *f)
{
  return spark_fake_server_dup_generating (f->server);
}

/* The requests received with "_transport" @transport, in order. */
static GPtrArray *
requests_on (Fixture    *f,
             const char *transport)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < spark_fake_server_get_n_requests (f->server); i++)
    {
      JsonObject *request = spark_fake_server_get_request (f->server, i);

      if (g_strcmp0 (spark_json_get_string (request, "_transport"), transport) == 0)
        g_ptr_array_add (out, request);
    }

  return out;
}

static void
assert_context_management (JsonObject *request,
                           guint       threshold)
{
  JsonNode *node = json_object_get_member (request, "context_management");
  JsonArray *array;
  JsonObject *entry;

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  entry = json_array_get_object_element (array, 0);
  g_assert_cmpstr (spark_json_get_string (entry, "type"), ==, "compaction");
  g_assert_cmpint (spark_json_get_int (entry, "compact_threshold", -1), ==, threshold);
}

static void
test_threshold_in_every_create (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_session_set_context_window (f->session, 10000);
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-hello");
  start (f);
  run_turn (f, "first");
  run_turn (f, "second");
  spark_session_set_context_window (f->session, 20000);
  run_turn (f, "third");

  /* The warm-up asks too, so the chain from it keeps the same fields. */
  assert_context_management (spark_fake_server_get_request (f->server, 0), 8000);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  assert_context_management (reqs->pdata[0], 8000);
  assert_context_management (reqs->pdata[1], 8000);
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[1], "previous_response_id"), ==, "resp_2");
  g_assert_cmpuint (n_input (reqs->pdata[1]), ==, 1);

  /* A new window is a changed field: a full create with the new threshold. */
  assert_context_management (reqs->pdata[2], 16000);
  g_assert_false (json_object_has_member (reqs->pdata[2], "previous_response_id"));
  g_assert_cmpuint (n_input (reqs->pdata[2]), ==, 5);
  g_assert_cmpuint (f->compacted->len, ==, 0);
}

/* items: user first, assistant, user second, compaction, assistant, ... */
static void
assert_starts_at_compaction (JsonObject *request,
                             guint       n_after)
{
  JsonObject *first = input_item (request, 0);

  g_assert_false (json_object_has_member (request, "previous_response_id"));
  g_assert_cmpuint (n_input (request), ==, 1 + n_after);
  g_assert_cmpstr (item_type (first), ==, "compaction");
  g_assert_cmpstr (spark_json_get_string (first, "id"), ==, "cmp_srv_1");
  g_assert_cmpstr (spark_json_get_string (first, "encrypted_content"), ==, "gAAAAB-server-compacted-window");
  g_assert_cmpstr (item_text (input_item (request, 1)), ==, "Still here.");
  for (guint i = 0; i < n_input (request); i++)
    {
      g_assert_cmpstr (item_text (input_item (request, i)), !=, "first");
      g_assert_cmpstr (item_text (input_item (request, i)), !=, "second");
    }
}

static void
test_server_item_kept_chained_and_pruned (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autoptr(JsonObject) kept = NULL;
  Compacted *c;

  spark_fake_server_push_stream (f->server, "text-hello");          /* 140 tokens */
  spark_fake_server_push_stream (f->server, "compaction-server");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  spark_fake_server_push_stream (f->server, "text-done");
  start (f);
  run_turn (f, "first");
  run_turn (f, "second");
  g_assert_cmpstr (f->text->str, ==, "Still here.");

  /* History keeps the compaction item as an input item, in output order. */
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 5);
  kept = spark_session_dup_item (f->session, 3, NULL);
  g_assert_cmpstr (item_type (kept), ==, "compaction");
  g_assert_cmpstr (spark_json_get_string (kept, "encrypted_content"), ==, "gAAAAB-server-compacted-window");
  g_assert_cmpuint (f->compacted->len, ==, 1);
  c = &g_array_index (f->compacted, Compacted, 0);
  g_assert_cmpint (c->kind, ==, SPARK_COMPACTION_KIND_SERVER);
  g_assert_cmpuint (c->before, ==, 140);

  /* Chaining goes on normally: only the new prompt. */
  run_turn (f, "third");
  /* A dropped socket: the chained attempt fails, the resend starts at the item. */
  run_turn (f, "fourth");
  g_assert_true (g_str_has_suffix (f->text->str, "Hello, world!"));
  /* The server lost the chain: the same. */
  run_turn (f, "fifth");
  g_assert_cmpstr (f->text->str, ==, "Done.");

  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 7);
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[2], "previous_response_id"), ==, "resp_3");
  g_assert_cmpuint (n_input (reqs->pdata[2]), ==, 1);
  g_assert_cmpstr (item_text (input_item (reqs->pdata[2], 0)), ==, "third");

  g_assert_true (json_object_has_member (reqs->pdata[3], "previous_response_id"));
  /* compaction, Still here., third, Done., fourth */
  assert_starts_at_compaction (reqs->pdata[4], 4);
  g_assert_cmpstr (item_text (input_item (reqs->pdata[4], 4)), ==, "fourth");

  g_assert_true (json_object_has_member (reqs->pdata[5], "previous_response_id"));
  /* … Hello, world!, fifth */
  assert_starts_at_compaction (reqs->pdata[6], 6);
  g_assert_cmpstr (item_text (input_item (reqs->pdata[6], 6)), ==, "fifth");
  g_assert_cmpuint (f->compacted->len, ==, 1);
}

static void
test_server_over_http (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_session_set_transport_kind (f->session, SPARK_TRANSPORT_KIND_HTTP);
  spark_session_set_context_window (f->session, 1000);
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "compaction-server");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "first");
  run_turn (f, "second");
  run_turn (f, "third");

  /* Every POST asks, and carries the history from the latest compaction on. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  for (guint i = 0; i < reqs->len; i++)
    {
      g_assert_cmpstr (spark_json_get_string (reqs->pdata[i], "_transport"), ==, "http");
      assert_context_management (reqs->pdata[i], 800);
    }
  g_assert_cmpuint (n_input (reqs->pdata[1]), ==, 3);
  assert_starts_at_compaction (reqs->pdata[2], 2);
  g_assert_cmpstr (item_text (input_item (reqs->pdata[2], 2)), ==, "third");
  g_assert_cmpuint (f->compacted->len, ==, 1);
}

static void
test_rejected_then_standalone (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autoptr(GPtrArray) compacts = NULL;
  g_autofree char *auth = NULL;
  JsonObject *compact;
  Compacted *c;

  /* No warm-up: the turn itself is refused and must not be lost. */
  spark_session_set_warmup (f->session, FALSE);
  spark_session_set_context_window (f->session, 300);
  spark_fake_server_set_reject_context_management (f->server, TRUE);
  spark_fake_server_set_compact_reply_file (f->server, "compact-reply");
  spark_fake_server_push_stream (f->server, "text-done");   /* 304 tokens: over 80% */
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  spark_fake_server_push_stream (f->server, "text-hello");

  run_turn (f, "first");
  g_assert_cmpstr (f->text->str, ==, "Done.");
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 2);
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 0);

  /* Refused, then the same turn again without it, in full. */
  reqs = requests_on (f, "websocket");
  g_assert_cmpuint (reqs->len, ==, 2);
  assert_context_management (reqs->pdata[0], 240);
  g_assert_false (json_object_has_member (reqs->pdata[1], "context_management"));
  g_assert_false (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_cmpuint (n_input (reqs->pdata[1]), ==, 1);
  g_assert_cmpstr (item_text (input_item (reqs->pdata[1], 0)), ==, "first");
  g_clear_pointer (&reqs, g_ptr_array_unref);

  /* Over the threshold: the next turn compacts first, over HTTP, with the
   * whole history before the new prompt. */
  run_turn (f, "second");
  g_assert_cmpstr (f->text->str, ==, "Hello, world!");
  compacts = requests_on (f, "compact");
  g_assert_cmpuint (compacts->len, ==, 1);
  compact = compacts->pdata[0];
  auth = g_strconcat ("Bearer ", TEST_KEY, NULL);
  g_assert_cmpstr (spark_fake_server_get_last_authorization (f->server), ==, auth);
  g_assert_cmpstr (spark_json_get_string (compact, "model"), ==, "test-model");
  g_assert_nonnull (spark_json_get_string (compact, "instructions"));
  g_assert_false (json_object_has_member (compact, "context_management"));
  g_assert_cmpuint (n_input (compact), ==, 2);
  g_assert_cmpstr (item_text (input_item (compact, 0)), ==, "first");
  g_assert_cmpstr (item_text (input_item (compact, 1)), ==, "Done.");

  g_assert_cmpuint (f->compacted->len, ==, 1);
  c = &g_array_index (f->compacted, Compacted, 0);
  g_assert_cmpint (c->kind, ==, SPARK_COMPACTION_KIND_STANDALONE);
  g_assert_cmpuint (c->before, ==, 300);
  g_assert_cmpuint (c->bytes, ==, 0);

  run_turn (f, "third");
  run_turn (f, "fourth");
  g_assert_true (g_str_has_suffix (f->text->str, "Hello, world!"));

  /* The new chain: the compacted output as is, then the new prompt. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 6);
  g_assert_false (json_object_has_member (reqs->pdata[2], "previous_response_id"));
  g_assert_false (json_object_has_member (reqs->pdata[2], "context_management"));
  g_assert_cmpuint (n_input (reqs->pdata[2]), ==, 3);
  g_assert_cmpstr (item_text (input_item (reqs->pdata[2], 0)), ==, "first");
  g_assert_cmpstr (item_type (input_item (reqs->pdata[2], 1)), ==, "compaction");
  g_assert_cmpstr (spark_json_get_string (input_item (reqs->pdata[2], 1), "encrypted_content"), ==,
                   "gAAAAB-standalone-compacted-window");
  g_assert_cmpstr (item_text (input_item (reqs->pdata[2], 2)), ==, "second");

  /* It chains on from there… */
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[3], "previous_response_id"), ==, "resp_2");
  g_assert_cmpuint (n_input (reqs->pdata[3]), ==, 1);

  /* …and a full resend is the window and what followed it. */
  g_assert_true (json_object_has_member (reqs->pdata[4], "previous_response_id"));
  g_assert_false (json_object_has_member (reqs->pdata[5], "previous_response_id"));
  g_assert_cmpuint (n_input (reqs->pdata[5]), ==, 7);
  g_assert_cmpstr (item_type (input_item (reqs->pdata[5], 1)), ==, "compaction");
  g_assert_cmpstr (item_text (input_item (reqs->pdata[5], 2)), ==, "second");
  g_assert_cmpstr (item_text (input_item (reqs->pdata[5], 6)), ==, "fourth");

  /* History still shows everything; the endpoint was called once. */
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 8);
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 1);
  g_assert_cmpuint (f->compacted->len, ==, 1);
}

static void
test_rejected_over_http (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_session_set_transport_kind (f->session, SPARK_TRANSPORT_KIND_HTTP);
  spark_fake_server_set_reject_context_management (f->server, TRUE);
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "first");
  g_assert_cmpstr (f->text->str, ==, "Hello, world!");
  run_turn (f, "second");

  /* HTTP 400 naming the parameter: asked once, never again. */
  reqs = requests_on (f, "http");
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_true (json_object_has_member (reqs->pdata[0], "context_management"));
  g_assert_false (json_object_has_member (reqs->pdata[1], "context_management"));
  g_assert_false (json_object_has_member (reqs->pdata[2], "context_management"));
  g_assert_cmpuint (n_input (reqs->pdata[1]), ==, 1);
  g_assert_cmpuint (n_input (reqs->pdata[2]), ==, 3);
  g_assert_cmpuint (spark_session_get_n_items (f->session), ==, 4);
}

static void
test_compact_error_is_not_final (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_session_set_context_window (f->session, 300);
  spark_fake_server_set_reject_context_management (f->server, TRUE);
  spark_fake_server_set_compact_reply (f->server, 503,
                                       "{\"error\":{\"message\":\"try later\",\"type\":\"server_error\"}}");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-hello");
  start (f);
  run_turn (f, "first");
  /* The endpoint fails: the turn goes on with the history as it is. */
  run_turn (f, "second");
  g_assert_cmpstr (f->text->str, ==, "Done.");
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 1);
  /* A passing failure: tried again the next time it is due. */
  run_turn (f, "third");
  g_assert_cmpstr (f->text->str, ==, "Hello, world!");
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 2);

  /* Nothing replaced: the chain went on with only the new prompts. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  for (guint i = 1; i < reqs->len; i++)
    {
      g_assert_true (json_object_has_member (reqs->pdata[i], "previous_response_id"));
      g_assert_cmpuint (n_input (reqs->pdata[i]), ==, 1);
    }
  /* Nothing to shorten, nothing compacted: no notice. */
  g_assert_cmpuint (f->compacted->len, ==, 0);
}

static void
on_state_stop (SparkSession *session,
               GParamSpec   *pspec,
               Fixture      *f)
{
  if (spark_session_get_connection_state (session) == SPARK_CONNECTION_STATE_STREAMING)
    {
      g_signal_handlers_disconnect_by_func (session, on_state_stop, f);
      spark_session_stop (session);
    }
}

static void
test_stop_while_compacting (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_session_set_context_window (f->session, 300);
  spark_fake_server_set_reject_context_management (f->server, TRUE);
  spark_fake_server_set_compact_reply_file (f->server, "compact-reply");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-hello");
  start (f);
  run_turn (f, "first");

  /* Stop as the compaction starts: the turn ends, nothing is sent. */
  g_signal_connect (f->session, "notify::connection-state", G_CALLBACK (on_state_stop), f);
  run_turn_on (f, f->session, "second");
  g_assert_error (f->turn_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (spark_session_get_busy (f->session));
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 0);

  /* Still due: the next turn compacts, then sends. */
  run_turn (f, "third");
  g_assert_cmpstr (f->text->str, ==, "Hello, world!");
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 1);
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 2);
  /* compacted window (first, compaction), then second (stopped) and third */
  g_assert_cmpuint (n_input (reqs->pdata[1]), ==, 4);
  g_assert_cmpstr (item_type (input_item (reqs->pdata[1], 1)), ==, "compaction");
  g_assert_cmpstr (item_text (input_item (reqs->pdata[1], 3)), ==, "third");
}

static const char chat_read_big[] =
  "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_chat_read\",\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"big.txt\\\"}\"}}]},\"finish_reason\":null}]}\n"
  "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n"
  "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":10,\"total_tokens\":110}}\n";

static const char chat_text_full[] =
  "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Read it.\"},\"finish_reason\":null}]}\n"
  "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n"
  "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":290,\"completion_tokens\":14,\"total_tokens\":304}}\n";

static void
test_chat_wire_local (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  JsonArray *messages;
  JsonObject *tool = NULL;
  Compacted *c;

  for (guint i = 0; i < 500; i++)
    g_string_append_printf (big, "line %u of a long file\n", i);
  spark_test_write_file (f->root, "big.txt", big->str);

  spark_session_set_wire_api (f->session, SPARK_WIRE_API_CHAT);
  spark_session_set_context_window (f->session, 300);
  spark_fake_server_set_compact_reply_file (f->server, "compact-reply");
  spark_fake_server_push_text (f->server, chat_read_big);
  spark_fake_server_push_text (f->server, chat_text_full);
  spark_fake_server_push_text (f->server, chat_text_full);
  spark_fake_server_push_text (f->server, chat_text_full);
  run_turn (f, "read the big file");
  run_turn (f, "next");
  run_turn (f, "and next");

  /* No context_management, no compact endpoint: old output shortened. */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 4);
  for (guint i = 0; i < reqs->len; i++)
    {
      g_assert_cmpstr (spark_json_get_string (reqs->pdata[i], "_transport"), ==, "chat");
      g_assert_false (json_object_has_member (reqs->pdata[i], "context_management"));
    }
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 0);
  g_assert_cmpuint (f->compacted->len, ==, 1);
  c = &g_array_index (f->compacted, Compacted, 0);
  g_assert_cmpint (c->kind, ==, SPARK_COMPACTION_KIND_LOCAL);
  g_assert_cmpuint (c->bytes, >, 10000);

  messages = json_object_get_array_member (reqs->pdata[3], "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (g_strcmp0 (spark_json_get_string (message, "role"), "tool") == 0)
        tool = message;
    }
  g_assert_nonnull (tool);
  g_assert_nonnull (strstr (spark_json_get_string (tool, "content"), "elided to fit the context window"));
}

static SparkSession *
resume (Fixture *f)
{
  g_autoptr(SparkSession) again = make_session (f);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) saved = spark_session_list_saved (f->store, f->root);

  g_assert_cmpuint (g_strv_length (saved), ==, 1);
  spark_session_resume (again, saved[0], &error);
  g_assert_no_error (error);

  return g_steal_pointer (&again);
}

static void
test_resume_after_server_compaction (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(SparkSession) again = NULL;
  g_autoptr(GPtrArray) reqs = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "compaction-server");
  run_turn (f, "first");
  run_turn (f, "second");
  spark_session_close (f->session);

  again = resume (f);
  g_assert_cmpuint (spark_session_get_n_items (again), ==, 5);
  {
    g_autoptr(JsonObject) item = spark_session_dup_item (again, 3, NULL);

    g_assert_cmpstr (item_type (item), ==, "compaction");
  }

  spark_fake_server_push_stream (f->server, "text-done");
  run_turn_on (f, again, "third");
  g_assert_no_error (f->turn_error);
  g_assert_cmpstr (f->text->str, ==, "Done.");

  /* A new socket: the compaction item, what followed, the new prompt (the
   * chain from the fresh warm-up holds nothing). */
  reqs = generating (f);
  g_assert_cmpuint (reqs->len, ==, 3);
  if (json_object_has_member (reqs->pdata[2], "previous_response_id"))
    g_assert_true (g_str_has_prefix (spark_json_get_string (reqs->pdata[2], "previous_response_id"),
                                     "resp_warm_"));
  g_assert_cmpuint (n_input (reqs->pdata[2]), ==, 3);
  g_assert_cmpstr (item_type (input_item (reqs->pdata[2], 0)), ==, "compaction");
  g_assert_cmpstr (item_text (input_item (reqs->pdata[2], 2)), ==, "third");
  spark_session_close (again);
}

static void
test_resume_after_standalone (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SparkSession) again = NULL;
  g_autoptr(GPtrArray) reqs = NULL;
  JsonObject *last;

  spark_session_set_transport_kind (f->session, SPARK_TRANSPORT_KIND_HTTP);
  spark_session_set_context_window (f->session, 300);
  spark_fake_server_set_reject_context_management (f->server, TRUE);
  spark_fake_server_set_compact_reply_file (f->server, "compact-reply");
  spark_fake_server_push_stream (f->server, "text-done");
  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, "first");
  run_turn (f, "second");
  g_assert_cmpuint (spark_fake_server_get_n_compacts (f->server), ==, 1);
  spark_session_close (f->session);

  /* The saved session knows the window: the output, then what followed. */
  again = resume (f);
  g_assert_cmpuint (spark_session_get_n_items (again), ==, 4);
  spark_session_set_transport_kind (again, SPARK_TRANSPORT_KIND_HTTP);
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn_on (f, again, "third");
  g_assert_no_error (f->turn_error);

  reqs = generating (f);
  last = reqs->pdata[reqs->len - 1];
  g_assert_false (json_object_has_member (last, "previous_response_id"));
  g_assert_cmpuint (n_input (last), ==, 5);
  g_assert_cmpstr (item_text (input_item (last, 0)), ==, "first");
  g_assert_cmpstr (item_type (input_item (last, 1)), ==, "compaction");
  g_assert_cmpstr (item_text (input_item (last, 2)), ==, "second");
  g_assert_cmpstr (item_text (input_item (last, 3)), ==, "Hello, world!");
  g_assert_cmpstr (item_text (input_item (last, 4)), ==, "third");
  spark_session_close (again);
}

static void
test_parse_result (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkCompactResult) result = NULL;
  static const char *bad[] = {
    "not json",
    "{\"object\":\"response.compaction\"}",
    "{\"output\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}]}",
    "{\"output\":[{\"type\":\"compaction\"}]}",
    "{\"output\":[42,{\"type\":\"compaction\",\"encrypted_content\":\"x\"}]}",
  };
  static const char good[] =
    "{\"output\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"},"
    "{\"type\":\"compaction\",\"encrypted_content\":\"x\"}],"
    "\"usage\":{\"input_tokens\":12,\"output_tokens\":3}}";

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(SparkCompactResult) none = spark_compaction_parse_result (bad[i], strlen (bad[i]), &error);

      g_assert_null (none);
      g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
      g_clear_error (&error);
    }

  result = spark_compaction_parse_result (good, strlen (good), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->output->len, ==, 2);
  g_assert_cmpuint (result->input_tokens, ==, 12);
  g_assert_cmpuint (result->output_tokens, ==, 3);
}

static JsonObject *
parse_line (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_record (void)
{
  g_autoptr(GPtrArray) window = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(JsonObject) line = NULL;
  g_autofree char *text = NULL;
  static const char *bad[] = {
    "{\"type\":\"compacted\",\"output\":[]}",
    "{\"type\":\"compacted\",\"upto\":9,\"output\":[]}",
    "{\"type\":\"compacted\",\"upto\":1,\"output\":{}}",
    "{\"type\":\"compacted\",\"upto\":1,\"output\":[\"text\"]}",
  };
  guint upto = 0;

  g_ptr_array_add (window, parse_line ("{\"type\":\"compaction\",\"encrypted_content\":\"x\"}"));
  line = spark_compaction_record_new (window, 3);
  text = spark_responses_to_string (line);
  g_assert_cmpstr (text, ==,
                   "{\"type\":\"compacted\",\"upto\":3,"
                   "\"output\":[{\"type\":\"compaction\",\"encrypted_content\":\"x\"}]}");

  /* Read back only where it can stand: after at least `upto` items. */
  g_assert_null (spark_compaction_record_parse (line, 2, &upto));
  back = spark_compaction_record_parse (line, 3, &upto);
  g_assert_nonnull (back);
  g_assert_cmpuint (upto, ==, 3);
  g_assert_cmpuint (back->len, ==, 1);
  g_assert_cmpstr (spark_json_get_string (back->pdata[0], "encrypted_content"), ==, "x");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) broken = parse_line (bad[i]);

      g_assert_null (spark_compaction_record_parse (broken, 5, &upto));
    }
}

/* The history's file keeps what was said: shortening happens in memory,
 * and a resumed session starts from the whole output again. */
static char *
tool_output (SparkSession *session)
{
  for (guint i = 0; i < spark_session_get_n_items (session); i++)
    {
      g_autoptr(JsonObject) item = spark_session_dup_item (session, i, NULL);

      g_assert_nonnull (item);
      if (g_strcmp0 (item_type (item), "function_call_output") == 0)
        return g_strdup (spark_json_get_string (item, "output"));
    }

  return NULL;
}

static void
test_local_shortening_keeps_file_whole (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(SparkSession) again = NULL;
  g_autofree char *shortened = NULL;
  g_autofree char *whole = NULL;

  for (guint i = 0; i < 500; i++)
    g_string_append_printf (big, "line %u of a long file\n", i);
  spark_test_write_file (f->root, "big.txt", big->str);

  spark_session_set_wire_api (f->session, SPARK_WIRE_API_CHAT);
  spark_session_set_context_window (f->session, 300);
  spark_fake_server_push_text (f->server, chat_read_big);
  spark_fake_server_push_text (f->server, chat_text_full);
  spark_fake_server_push_text (f->server, chat_text_full);
  run_turn (f, "read the big file");
  run_turn (f, "next");
  g_assert_no_error (f->turn_error);
  g_assert_cmpuint (f->compacted->len, ==, 1);

  shortened = tool_output (f->session);
  g_assert_nonnull (strstr (shortened, "elided to fit the context window"));
  g_assert_null (strstr (shortened, "line 499 of a long file"));
  spark_session_close (f->session);

  again = resume (f);
  g_assert_cmpuint (spark_session_get_n_items (again), ==, spark_session_get_n_items (f->session));
  whole = tool_output (again);
  g_assert_nonnull (strstr (whole, "line 499 of a long file"));
  spark_session_close (again);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/agent/compaction/parse-result", test_parse_result);
  g_test_add_func ("/agent/compaction/record", test_record);
#define ADD(path, func) g_test_add (path, Fixture, NULL, session_fixture_setup, func, session_fixture_teardown)
  ADD ("/agent/compaction/server/threshold-in-every-create", test_threshold_in_every_create);
  ADD ("/agent/compaction/server/item-kept-chained-and-pruned", test_server_item_kept_chained_and_pruned);
  ADD ("/agent/compaction/server/over-http", test_server_over_http);
  ADD ("/agent/compaction/rejected/then-standalone", test_rejected_then_standalone);
  ADD ("/agent/compaction/rejected/over-http", test_rejected_over_http);
  ADD ("/agent/compaction/standalone/error-is-not-final", test_compact_error_is_not_final);
  ADD ("/agent/compaction/standalone/stop-while-compacting", test_stop_while_compacting);
  ADD ("/agent/compaction/chat-wire-local", test_chat_wire_local);
  ADD ("/agent/compaction/local-shortening-keeps-file-whole", test_local_shortening_keeps_file_whole);
  ADD ("/agent/compaction/resume/server", test_resume_after_server_compaction);
  ADD ("/agent/compaction/resume/standalone", test_resume_after_standalone);
#undef ADD

  return g_test_run ();
}
