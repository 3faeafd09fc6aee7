/* test-transcript.c — the chat transcript model: summaries, cheap appends,
 * change signals, and following a real SparkSession against the fake server.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-test-utils.h"
#include "spark-transcript.h"
#include "test-session-common.h"

static void
test_summaries (void)
{
  static const struct {
    const char *name;
    const char *args;
    const char *output;
    const char *expected;
  } cases[] = {
    { "read_file", "{\"path\":\"src/a.c\"}", NULL, "read_file src/a.c" },
    { "read_file", "{\"path\":\"src/a.c\",\"offset\":10}", "1\tx\n", "read_file src/a.c" },
    { "list_dir", "{}", NULL, "list_dir ." },
    { "grep", "{\"pattern\":\"foo\"}", NULL, "grep \"foo\"" },
    { "grep", "{\"pattern\":\"foo\"}", "a.c:1: foo\nb.c:2: foo()\n", "grep \"foo\" — 2 matches" },
    { "grep", "{\"pattern\":\"foo\"}", "a.c:1: foo\n", "grep \"foo\" — 1 match" },
    { "grep", "{\"pattern\":\"foo\"}", "No matches.\n", "grep \"foo\" — no matches" },
    { "grep", "{\"pattern\":\"x\"}", "a:1: x\nb:1: x\n[more than 2 matches; narrow the search]\n",
      "grep \"x\" — 2+ matches" },
    { "shell", "{\"command\":\"make test\"}", NULL, "shell `make test`" },
    { "shell", "{\"command\":\"make\\nmake install\"}", NULL, "shell `make…`" },
    { "shell", "{\"comm", NULL, "shell ``" },
    { "web_search", "{}", NULL, "web_search" },
    { NULL, NULL, NULL, "tool" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *summary = spark_transcript_summarize_call (cases[i].name, cases[i].args,
                                                                  cases[i].output);
      g_assert_cmpstr (summary, ==, cases[i].expected);
    }

  {
    g_autofree char *s1 = spark_transcript_summarize_patch (
      "*** Begin Patch\n*** Update File: a.c\n@@\n a\n-b\n+c\n+d\n"
      "*** Add File: b.c\n+x\n*** End Patch\n");
    g_autofree char *s2 = spark_transcript_summarize_patch ("*** Begin Pa");
    g_autofree char *s3 = spark_transcript_summarize_patch (
      "*** Begin Patch\n*** Delete File: old.c\n*** End Patch");

    g_assert_cmpstr (s1, ==, "apply_patch — 2 files, +3 −1");
    g_assert_cmpstr (s2, ==, "apply_patch");
    g_assert_cmpstr (s3, ==, "apply_patch — 1 file, +0 −0");
  }
}

typedef struct
{
  guint changed;
  guint added;
  guint removed;
} Counts;

static void
on_item_changed (SparkTranscript     *transcript,
                 SparkTranscriptItem *item,
                 Counts              *counts)
{
  counts->changed++;
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Counts     *counts)
{
  counts->added += added;
  counts->removed += removed;
}

static void
test_append (void)
{
  g_autoptr(SparkTranscript) transcript = spark_transcript_new ();
  Counts counts = { 0 };
  SparkTranscriptItem *user, *answer, *call;
  g_autoptr(SparkTranscriptItem) first = NULL;
  const char *text_before;

  g_signal_connect (transcript, "item-changed", G_CALLBACK (on_item_changed), &counts);
  g_signal_connect (transcript, "items-changed", G_CALLBACK (on_items_changed), &counts);

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (transcript)) == SPARK_TYPE_TRANSCRIPT_ITEM);
  user = spark_transcript_append (transcript, SPARK_TRANSCRIPT_KIND_USER, "Fix the build");
  answer = spark_transcript_begin (transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, "msg_1");
  g_assert_cmpuint (counts.added, ==, 2);
  g_assert_false (spark_transcript_item_get_streaming (user));
  g_assert_true (spark_transcript_item_get_streaming (answer));
  g_assert_true (spark_transcript_lookup (transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, "msg_1") == answer);
  g_assert_null (spark_transcript_lookup (transcript, SPARK_TRANSCRIPT_KIND_REASONING, "msg_1"));

  /* Deltas grow the text in place: one signal each, no new items. */
  spark_transcript_append_text (transcript, answer, "Hello", -1);
  text_before = spark_transcript_item_get_text (answer);
  for (guint i = 0; i < 1000; i++)
    spark_transcript_append_text (transcript, answer, "ab", 1);
  g_assert_cmpuint (spark_transcript_item_get_length (answer), ==, 1005);
  g_assert_true (g_str_has_prefix (spark_transcript_item_get_text (answer), "Helloaaa"));
  g_assert_cmpuint (counts.changed, ==, 1001);
  g_assert_cmpuint (counts.added, ==, 2);
  g_assert_cmpuint (spark_transcript_get_n_deltas (transcript), ==, 1001);
  g_assert_cmpuint (spark_transcript_item_get_revision (answer), >=, 1001);
  (void) text_before;

  /* An empty delta changes nothing. */
  spark_transcript_append_text (transcript, answer, "", 0);
  g_assert_cmpuint (counts.changed, ==, 1001);

  spark_transcript_set_streaming (transcript, answer, FALSE);
  spark_transcript_set_streaming (transcript, answer, FALSE);
  g_assert_cmpuint (counts.changed, ==, 1002);

  call = spark_transcript_begin_tool_call (transcript, "fc_1", "call_1", "read_file");
  g_assert_cmpstr (spark_transcript_item_get_summary (call), ==, "read_file");
  g_assert_true (spark_transcript_lookup_call (transcript, "call_1") == call);
  spark_transcript_set_summary (transcript, call, "read_file a.c");
  spark_transcript_set_summary (transcript, call, "read_file a.c");
  spark_transcript_set_output (transcript, call, "1\tint x;\n", TRUE);
  g_assert_cmpuint (counts.changed, ==, 1004);
  g_assert_cmpstr (spark_transcript_item_get_output (call), ==, "1\tint x;\n");

  first = g_list_model_get_item (G_LIST_MODEL (transcript), 0);
  g_assert_true (first == user);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (transcript), 3));

  spark_transcript_remove (transcript, answer);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), ==, 2);
  g_assert_null (spark_transcript_lookup (transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, "msg_1"));
  spark_transcript_clear (transcript);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (transcript)), ==, 0);
  g_assert_null (spark_transcript_lookup_call (transcript, "call_1"));
  g_assert_cmpuint (counts.removed, ==, 3);
}

/* Following a real session */

typedef struct
{
  SparkFakeServer *server;
  SparkSession    *session;
  SparkTranscript *transcript;
  char            *root;
  GError          *turn_error;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = spark_fake_server_new ();
  f->root = spark_test_make_temp_dir ();
  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");

  f->session = spark_test_session_new (f->server, f->root, NULL);

  f->transcript = spark_transcript_new ();
  spark_transcript_follow_session (f->transcript, f->session);
  g_assert_true (spark_transcript_get_session (f->transcript) == f->session);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  spark_transcript_follow_session (f->transcript, NULL);
  g_assert_finalize_object (f->transcript);
  spark_session_close (f->session);
  g_assert_finalize_object (f->session);
  spark_fake_server_free (f->server);
  spark_test_rm_rf (f->root);
  g_free (f->root);
  g_clear_error (&f->turn_error);
}

static void
run_turn (Fixture    *f,
          const char *prompt)
{
  g_clear_error (&f->turn_error);
  spark_test_session_run (f->session, prompt, 20, &f->turn_error);
}

static SparkTranscriptItem *
item_at (Fixture *f,
         guint    position)
{
  g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (f->transcript), position);

  g_assert_nonnull (item);
  /* The transcript keeps its own reference. */
  return item;
}

static guint
n_items (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (f->transcript));
}

static void
assert_item (Fixture             *f,
             guint                position,
             SparkTranscriptKind  kind,
             const char          *text)
{
  SparkTranscriptItem *item = item_at (f, position);

  g_assert_cmpint (spark_transcript_item_get_kind (item), ==, kind);
  if (text != NULL)
    g_assert_cmpstr (spark_transcript_item_get_text (item), ==, text);
  g_assert_false (spark_transcript_item_get_streaming (item));
}

static void
test_follow_text (Fixture       *f,
                  gconstpointer  data)
{
  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, "Say hello");
  g_assert_no_error (f->turn_error);

  g_assert_cmpuint (n_items (f), ==, 2);
  assert_item (f, 0, SPARK_TRANSCRIPT_KIND_USER, "Say hello");
  assert_item (f, 1, SPARK_TRANSCRIPT_KIND_ASSISTANT, "Hello, world!");
  g_assert_cmpstr (spark_transcript_item_get_item_id (item_at (f, 1)), ==, "msg_hello");
  g_assert_cmpuint (spark_transcript_get_n_deltas (f->transcript), ==, 4);

  /* A second turn adds to the end. */
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "Again");
  g_assert_no_error (f->turn_error);
  g_assert_cmpuint (n_items (f), ==, 4);
  assert_item (f, 2, SPARK_TRANSCRIPT_KIND_USER, "Again");
  assert_item (f, 3, SPARK_TRANSCRIPT_KIND_ASSISTANT, NULL);
}

static void
test_follow_tool_call (Fixture       *f,
                       gconstpointer  data)
{
  SparkTranscriptItem *call;

  spark_fake_server_push_stream (f->server, "call-grep");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "Find world");
  g_assert_no_error (f->turn_error);

  g_assert_cmpuint (n_items (f), ==, 3);
  assert_item (f, 0, SPARK_TRANSCRIPT_KIND_USER, "Find world");
  call = item_at (f, 1);
  g_assert_cmpint (spark_transcript_item_get_kind (call), ==, SPARK_TRANSCRIPT_KIND_TOOL_CALL);
  g_assert_cmpstr (spark_transcript_item_get_name (call), ==, "grep");
  g_assert_cmpstr (spark_transcript_item_get_call_id (call), ==, "call_grep_1");
  g_assert_cmpstr (spark_transcript_item_get_text (call), ==, "{\"pattern\": \"wor.d\"}");
  g_assert_cmpstr (spark_transcript_item_get_summary (call), ==, "grep \"wor.d\" — 1 match");
  g_assert_nonnull (strstr (spark_transcript_item_get_output (call), "hello.txt:2"));
  g_assert_true (spark_transcript_item_get_success (call));
  g_assert_false (spark_transcript_item_get_streaming (call));
  assert_item (f, 2, SPARK_TRANSCRIPT_KIND_ASSISTANT, NULL);
}

/* A failed call shows why in the person's words, not the model's
 * "Error: …" (which stays English whatever the language). */
static void
test_failed_tool_call (Fixture       *f,
                       gconstpointer  data)
{
  SparkTranscriptItem *call;

  spark_fake_server_push_stream (f->server, "call-read-outside");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "Read outside");
  g_assert_no_error (f->turn_error);

  call = item_at (f, 1);
  g_assert_cmpint (spark_transcript_item_get_kind (call), ==, SPARK_TRANSCRIPT_KIND_TOOL_CALL);
  g_assert_false (spark_transcript_item_get_success (call));
  g_test_message ("shown: %s", spark_transcript_item_get_output (call));
  g_assert_nonnull (strstr (spark_transcript_item_get_output (call), "outside the project folder"));
  g_assert_false (g_str_has_prefix (spark_transcript_item_get_output (call), "Error: "));
}

typedef struct
{
  SparkTranscript *transcript;
  GPtrArray       *summaries;
} SummaryWatch;

static void
on_summary_changed (SparkTranscript     *transcript,
                    SparkTranscriptItem *item,
                    SummaryWatch        *watch)
{
  const char *summary = spark_transcript_item_get_summary (item);

  if (spark_transcript_item_get_kind (item) != SPARK_TRANSCRIPT_KIND_TOOL_CALL || summary == NULL)
    return;
  if (watch->summaries->len == 0 ||
      !g_str_equal (g_ptr_array_index (watch->summaries, watch->summaries->len - 1), summary))
    g_ptr_array_add (watch->summaries, g_strdup (summary));
}

static void
test_follow_patch (Fixture       *f,
                   gconstpointer  data)
{
  SummaryWatch watch = { f->transcript, g_ptr_array_new_with_free_func (g_free) };
  SparkTranscriptItem *call;

  spark_approval_policy_set_mode (spark_session_get_approval_policy (f->session),
                                  SPARK_APPROVAL_MODE_EDITS);
  g_signal_connect (f->transcript, "item-changed", G_CALLBACK (on_summary_changed), &watch);

  spark_fake_server_push_stream (f->server, "patch-custom");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "change world to there");
  g_assert_no_error (f->turn_error);

  call = item_at (f, 1);
  g_assert_cmpint (spark_transcript_item_get_kind (call), ==, SPARK_TRANSCRIPT_KIND_TOOL_CALL);
  g_assert_cmpstr (spark_transcript_item_get_name (call), ==, "apply_patch");
  g_assert_cmpstr (spark_transcript_item_get_summary (call), ==, "apply_patch — 1 file, +1 −1");
  g_assert_true (g_str_has_prefix (spark_transcript_item_get_text (call), "*** Begin Patch\n"));
  g_assert_true (spark_transcript_item_get_success (call));

  /* The counts grew while the patch streamed, not only at the end. */
  g_assert_cmpuint (watch.summaries->len, >=, 3);
  g_assert_cmpstr (g_ptr_array_index (watch.summaries, 0), ==, "apply_patch");
  g_assert_cmpstr (g_ptr_array_index (watch.summaries, 1), ==, "apply_patch — 1 file, +0 −0");

  g_signal_handlers_disconnect_by_data (f->transcript, &watch);
  g_ptr_array_unref (watch.summaries);
}

static const char reasoning_stream[] =
  "{\"type\":\"response.created\",\"response\":{\"id\":\"__RESP__\",\"status\":\"in_progress\",\"output\":[]}}\n"
  "{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"rs_1\",\"type\":\"reasoning\",\"summary\":[]}}\n"
  "{\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs_1\",\"output_index\":0,\"summary_index\":0,\"delta\":\"**Looking** at \"}\n"
  "{\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs_1\",\"output_index\":0,\"summary_index\":0,\"delta\":\"the file\"}\n"
  "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"rs_1\",\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"**Looking** at the file\"}]}}\n"
  "{\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}}\n"
  "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_2\",\"output_index\":1,\"content_index\":0,\"delta\":\"Done.\"}\n"
  "{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Done.\"}]}}\n"
  "{\"type\":\"response.completed\",\"response\":{\"id\":\"__RESP__\",\"status\":\"completed\",\"output\":[]}}\n";

static void
test_follow_reasoning (Fixture       *f,
                       gconstpointer  data)
{
  spark_fake_server_push_text (f->server, reasoning_stream);
  run_turn (f, "Look");
  g_assert_no_error (f->turn_error);

  g_assert_cmpuint (n_items (f), ==, 3);
  assert_item (f, 0, SPARK_TRANSCRIPT_KIND_USER, "Look");
  assert_item (f, 1, SPARK_TRANSCRIPT_KIND_REASONING, "**Looking** at the file");
  assert_item (f, 2, SPARK_TRANSCRIPT_KIND_ASSISTANT, "Done.");
}

static void
test_follow_errors (Fixture       *f,
                    gconstpointer  data)
{
  /* A dropped socket is retried: the partial answer is replaced, not doubled. */
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, "one");
  g_assert_no_error (f->turn_error);
  g_assert_cmpuint (n_items (f), ==, 2);
  assert_item (f, 1, SPARK_TRANSCRIPT_KIND_ASSISTANT, "Hello, world!");

  /* A failed response ends the turn with an error row. */
  spark_fake_server_push_stream (f->server, "response-failed");
  run_turn (f, "two");
  g_assert_error (f->turn_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_RESPONSE_FAILED);
  g_assert_cmpuint (n_items (f), ==, 4);
  assert_item (f, 2, SPARK_TRANSCRIPT_KIND_USER, "two");
  assert_item (f, 3, SPARK_TRANSCRIPT_KIND_ERROR, NULL);
  g_assert_nonnull (strstr (spark_transcript_item_get_text (item_at (f, 3)), "The model had a problem."));
}

static void
on_first_delta_stop (SparkSession *session,
                     const char   *item_id,
                     const char   *delta,
                     gpointer      user_data)
{
  g_signal_handlers_disconnect_by_func (session, on_first_delta_stop, user_data);
  spark_session_stop (session);
}

static void
test_follow_stop (Fixture       *f,
                  gconstpointer  data)
{
  g_signal_connect (f->session, "text-delta", G_CALLBACK (on_first_delta_stop), NULL);
  spark_fake_server_push_stream (f->server, "text-hello");
  run_turn (f, "stop me");
  g_assert_error (f->turn_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* What arrived stays; a notice says it was stopped. */
  g_assert_cmpuint (n_items (f), ==, 3);
  assert_item (f, 1, SPARK_TRANSCRIPT_KIND_ASSISTANT, "Hello");
  assert_item (f, 2, SPARK_TRANSCRIPT_KIND_NOTICE, "Stopped");
}

static const char *
emit_compacted (Fixture             *f,
                SparkCompactionKind  kind,
                guint                before,
                guint                after,
                guint64              bytes)
{
  guint n = n_items (f);
  g_autoptr(SparkTranscriptItem) notice = NULL;

  g_signal_emit_by_name (f->session, "context-compacted", kind, before, after, bytes);
  g_assert_cmpuint (n_items (f), ==, n + 1);
  notice = g_list_model_get_item (G_LIST_MODEL (f->transcript), n);
  g_assert_cmpint (spark_transcript_item_get_kind (notice), ==, SPARK_TRANSCRIPT_KIND_NOTICE);

  /* Owned by the transcript, which keeps the item. */
  return spark_transcript_item_get_text (notice);
}

static void
test_follow_compaction (Fixture       *f,
                        gconstpointer  data)
{
  const char *text;

  /* The session's signal, as test-session and test-compaction show it fires. */
  text = emit_compacted (f, SPARK_COMPACTION_KIND_LOCAL, 304, 0, 12345);
  g_assert_nonnull (strstr (text, "12.3"));
  g_assert_nonnull (strstr (text, "shortened"));

  /* Who compacted, with the figures that are known (C locale: no grouping). */
  text = emit_compacted (f, SPARK_COMPACTION_KIND_SERVER, 42000, 0, 0);
  g_assert_nonnull (strstr (text, "The server compacted"));
  g_assert_nonnull (strstr (text, "42000 tokens"));
  text = emit_compacted (f, SPARK_COMPACTION_KIND_SERVER, 42000, 9000, 0);
  g_assert_nonnull (strstr (text, "42000 → 9000 tokens"));
  text = emit_compacted (f, SPARK_COMPACTION_KIND_SERVER, 0, 0, 0);
  g_assert_cmpstr (text, ==, "The server compacted the conversation");

  text = emit_compacted (f, SPARK_COMPACTION_KIND_STANDALONE, 1, 0, 0);
  g_assert_nonnull (strstr (text, "The conversation was compacted"));
  g_assert_nonnull (strstr (text, "(it had reached 1 token)"));
  text = emit_compacted (f, SPARK_COMPACTION_KIND_STANDALONE, 5000, 1, 0);
  g_assert_nonnull (strstr (text, "(5000 → 1 token)"));
  text = emit_compacted (f, SPARK_COMPACTION_KIND_STANDALONE, 0, 0, 0);
  g_assert_cmpstr (text, ==, "The conversation was compacted");
}

static void
test_load_history (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SparkTranscript) loaded = spark_transcript_new ();
  guint n;

  spark_fake_server_push_stream (f->server, "call-grep");
  spark_fake_server_push_stream (f->server, "text-done");
  run_turn (f, "Find world");
  g_assert_no_error (f->turn_error);
  spark_fake_server_push_text (f->server, reasoning_stream);
  run_turn (f, "Look");
  g_assert_no_error (f->turn_error);

  /* A transcript made from the history alone (a resumed session) shows
   * what the followed one showed. */
  spark_transcript_load_history (loaded, f->session);
  n = n_items (f);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SparkTranscriptItem) a = g_list_model_get_item (G_LIST_MODEL (f->transcript), i);
      g_autoptr(SparkTranscriptItem) b = g_list_model_get_item (G_LIST_MODEL (loaded), i);

      g_assert_cmpint (spark_transcript_item_get_kind (a), ==, spark_transcript_item_get_kind (b));
      g_assert_cmpstr (spark_transcript_item_get_text (a), ==, spark_transcript_item_get_text (b));
      g_assert_cmpstr (spark_transcript_item_get_summary (a), ==, spark_transcript_item_get_summary (b));
      g_assert_cmpstr (spark_transcript_item_get_output (a), ==, spark_transcript_item_get_output (b));
      g_assert_false (spark_transcript_item_get_streaming (b));
    }
}

#define fixture_test(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* A finished item's buffer is cut to its text; the text stays whole and
 * can still grow (a tool call's text is set again when it is done). */
static void
test_finished_text_fits (void)
{
  g_autoptr(SparkTranscript) transcript = spark_transcript_new ();
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *property = NULL;
  SparkTranscriptItem *answer;

  answer = spark_transcript_begin (transcript, SPARK_TRANSCRIPT_KIND_ASSISTANT, "msg_1");
  for (guint i = 0; i < 777; i++)
    {
      g_autofree char *delta = g_strdup_printf (" w%03u", i);

      spark_transcript_append_text (transcript, answer, delta, -1);
      g_string_append (expected, delta);
    }
  spark_transcript_set_streaming (transcript, answer, FALSE);
  g_assert_cmpstr (spark_transcript_item_get_text (answer), ==, expected->str);
  g_assert_cmpuint (spark_transcript_item_get_length (answer), ==, expected->len);

  spark_transcript_append_text (transcript, answer, " and more", -1);
  g_string_append (expected, " and more");
  spark_transcript_set_streaming (transcript, answer, FALSE);
  g_object_get (answer, "text", &property, NULL);
  g_assert_cmpstr (property, ==, expected->str);

  answer = spark_transcript_append (transcript, SPARK_TRANSCRIPT_KIND_USER, "Fix the build");
  spark_transcript_append_text (transcript, answer, ", please", -1);
  g_assert_cmpstr (spark_transcript_item_get_text (answer), ==, "Fix the build, please");
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/transcript/summaries", test_summaries);
  g_test_add_func ("/transcript/append", test_append);
  g_test_add_func ("/transcript/finished-text-fits", test_finished_text_fits);
  fixture_test ("/transcript/follow/text", test_follow_text);
  fixture_test ("/transcript/follow/tool-call", test_follow_tool_call);
  fixture_test ("/transcript/follow/failed-tool-call", test_failed_tool_call);
  fixture_test ("/transcript/follow/patch", test_follow_patch);
  fixture_test ("/transcript/follow/reasoning", test_follow_reasoning);
  fixture_test ("/transcript/follow/errors", test_follow_errors);
  fixture_test ("/transcript/follow/stop", test_follow_stop);
  fixture_test ("/transcript/follow/compaction", test_follow_compaction);
  fixture_test ("/transcript/load-history", test_load_history);

  return g_test_run ();
}
