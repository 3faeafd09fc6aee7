/* test-faults.c — network faults from the fake server, through the whole
 * turn (SparkAssistant, its session, the chat transcript): drops at random
 * points of 100 turns, slow frames, a stalled stream, every close code,
 * the 60-minute limit, previous_response_not_found and refused upgrades.
 * What must hold: no crash, no lost turn, the hunks received and the
 * decisions on them kept, and a clear state and message for the person.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "spark-responses.h"
#include "spark-test-utils.h"
#include "spark-ws-transport.h"
#include "test-turn-common.h"

#define A_C "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\nline 11\nline 12\n"

static void
setup_ws (TurnFixture   *f,
          gconstpointer  data)
{
  turn_fixture_setup (f, "websocket");
}

static void
setup_auto (TurnFixture   *f,
            gconstpointer  data)
{
  turn_fixture_setup (f, "auto");
}

static void
teardown (TurnFixture   *f,
          gconstpointer  data)
{
  turn_fixture_teardown (f);
}

static gboolean
has_error_code (TurnFixture *f,
                int          code)
{
  for (guint i = 0; i < f->errors->len; i++)
    {
      GError *error = g_ptr_array_index (f->errors, i);

      if (g_error_matches (error, SPARK_AGENT_ERROR, code))
        return TRUE;
    }
  return FALSE;
}

static gboolean
socket_closed (TurnFixture *f)
{
  SparkTransport *transport = spark_session_get_transport (f->session);

  return transport == NULL || !spark_transport_is_connected (transport);
}

static gboolean
is_offline (TurnFixture *f)
{
  return spark_session_get_connection_state (f->session) == SPARK_CONNECTION_STATE_OFFLINE;
}

/* Random drops */

typedef enum
{
  PHASE_HANDSHAKE,
  PHASE_BETWEEN_TURNS,
  PHASE_MID_TEXT,
  PHASE_MID_PATCH,
  PHASE_MID_CALL,
  PHASE_BEFORE_COMPLETED,
  N_PHASES
} Phase;

static const char * const phase_names[N_PHASES] = {
  "handshake", "between-turns", "mid-text", "mid-patch", "mid-call", "before-completed",
};

typedef struct
{
  const char *first;        /* the first response's stream */
  const char *second;       /* the answer to the tool output, or NULL */
  const char *text;         /* the turn's last assistant text */
  gboolean    patch;
} Script;

static const Script scripts[] = {
  { "text-hello", NULL, "Hello, world!", FALSE },
  { "text-and-multi-patch", "text-done", "Done.", TRUE },
  { "call-read-file", "text-done", "Done.", FALSE },
  { "patch-function", "text-done", "Done.", TRUE },
};

/* For each event of a stream, the phase a drop right after it falls in. */
static GArray *
classify_stream (const char *name)
{
  g_autofree char *path = spark_fake_server_stream_path (name);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *phases = g_array_new (FALSE, FALSE, sizeof (int));

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonObject) event = NULL;
      const char *type;
      int phase = -1;

      if (lines[i][0] == '\0')
        continue;
      event = spark_json_parse_object (lines[i], -1, NULL);
      g_assert_nonnull (event);
      type = spark_json_get_string (event, "type");

      if (g_strcmp0 (type, "response.output_text.delta") == 0)
        phase = PHASE_MID_TEXT;
      else if (g_strcmp0 (type, "response.custom_tool_call_input.delta") == 0)
        phase = PHASE_MID_PATCH;
      else if (g_strcmp0 (type, "response.function_call_arguments.delta") == 0)
        phase = strstr (lines[i], "Begin") || strstr (name, "patch") ? PHASE_MID_PATCH : PHASE_MID_CALL;
      else if (lines[i + 1] != NULL && strstr (lines[i + 1], "\"response.completed\""))
        phase = PHASE_BEFORE_COMPLETED;
      g_array_append_val (phases, phase);
    }

  return phases;
}

static gboolean
has_phase (GArray *phases,
           Phase   phase)
{
  for (guint i = 0; i < phases->len; i++)
    {
      if (g_array_index (phases, int, i) == (int) phase)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  GRand   *rand;
  gboolean decided;        /* the person accepted a hunk during this turn */
  gboolean check_decided;  /* ...and it must still be accepted at review */
  guint    lost_decisions;
  guint    hunks_before_drop;
  guint    drops_at_start;
  gpointer stale;          /* the changeset of an earlier turn */
} DropRun;

static guint
count_hunks (SparkChangeset *changeset)
{
  return changeset != NULL ? spark_changeset_get_n_hunks (changeset) : 0;
}

/* While the patch streams, the person accepts its first hunk. */
static void
drop_tick (TurnFixture *f)
{
  DropRun *run = f->data;
  SparkChangeset *changeset = spark_assistant_get_changeset (f->assistant);
  SparkFileChange *file;
  SparkHunk *hunk;

  if (!spark_assistant_get_busy (f->assistant))
    return;

  /* What a drop must not take away. */
  if (f->drops == run->drops_at_start)
    run->hunks_before_drop = MAX (run->hunks_before_drop, count_hunks (changeset));

  if (run->decided || changeset == NULL || spark_changeset_get_n_files (changeset) == 0)
    return;
  file = spark_changeset_get_file (changeset, 0);
  if (spark_file_change_get_n_hunks (file) == 0)
    return;
  hunk = spark_file_change_get_hunk (file, 0);
  if (spark_hunk_get_state (hunk) != SPARK_HUNK_PENDING)
    return;

  g_assert_true (spark_hunk_accept (hunk, NULL));
  run->decided = TRUE;
  run->check_decided = TRUE;
}

static void
drop_review (TurnFixture *f)
{
  DropRun *run = f->data;
  SparkChangeset *changeset = spark_assistant_get_changeset (f->assistant);

  if (run->check_decided)
    {
      SparkHunk *hunk = spark_file_change_get_hunk (spark_changeset_get_file (changeset, 0), 0);

      if (spark_hunk_get_state (hunk) != SPARK_HUNK_ACCEPTED)
        run->lost_decisions++;
      run->check_decided = FALSE;
    }
  turn_accept_and_apply (f);
}

static void
reset_files (TurnFixture *f)
{
  g_autofree char *c_md = g_build_filename (f->root, "c.md", NULL);

  spark_test_write_file (f->root, "hello.txt", "hello\nworld\n");
  spark_test_write_file (f->root, "a.c", A_C);
  spark_test_write_file (f->root, "b.txt", "alpha\nbeta\n");
  g_unlink (c_md);
}

static void
check_files (TurnFixture  *f,
             const Script *script)
{
  g_autofree char *hello = spark_test_read_file (f->root, "hello.txt", NULL);
  g_autofree char *a_c = spark_test_read_file (f->root, "a.c", NULL);
  g_autofree char *b_txt = spark_test_read_file (f->root, "b.txt", NULL);
  g_autofree char *c_path = g_build_filename (f->root, "c.md", NULL);

  if (g_strcmp0 (script->first, "patch-function") == 0)
    g_assert_cmpstr (hello, ==, "hello\nthere\n");
  else
    g_assert_cmpstr (hello, ==, "hello\nworld\n");

  if (g_strcmp0 (script->first, "text-and-multi-patch") == 0)
    {
      g_assert_cmpstr (a_c, ==, "line 1\nline TWO\nline 3\nline 4\nline 5\nline SIX\nline 7\nline 8\n"
                                "line 9\nline TEN\nline 11\nline 12\n");
      g_assert_cmpstr (b_txt, ==, "alpha\nBETA\n");
      g_assert_true (g_file_test (c_path, G_FILE_TEST_EXISTS));
    }
  else
    {
      g_assert_cmpstr (a_c, ==, A_C);
      g_assert_cmpstr (b_txt, ==, "alpha\nbeta\n");
      g_assert_false (g_file_test (c_path, G_FILE_TEST_EXISTS));
    }
}

static const guint recoverable_codes[] = { 1000, 1001, 1006, 1011, 1012, 1013 };
static const guint idle_codes[] = { 1000, 1001, 1006, 1008, 1011, 4000 };
static const guint handshake_statuses[] = { 0 /* TCP drop */, 500, 502, 503 };

#define N_TURNS 100

static void
test_random_drops (TurnFixture   *f,
                   gconstpointer  data)
{
  const char *env = g_getenv ("SPARK_FAULT_SEED");
  guint32 seed = env ? (guint32) strtoul (env, NULL, 10) : g_test_rand_int ();
  GArray *phases_of[G_N_ELEMENTS (scripts)];
  guint per_phase[N_PHASES] = { 0 };
  g_autoptr(GString) figures = g_string_new (NULL);
  DropRun run = { 0 };
  g_autofree char *context = NULL;
  guint expected_requests = 0;
  guint n_items;

  g_test_message ("fault seed %u (SPARK_FAULT_SEED=%u reruns this sequence)", seed, seed);
  run.rand = g_rand_new_with_seed (seed);
  f->data = &run;
  f->tick = drop_tick;
  f->review = drop_review;

  for (guint s = 0; s < G_N_ELEMENTS (scripts); s++)
    phases_of[s] = classify_stream (scripts[s].first);

  for (guint turn = 0; turn < N_TURNS; turn++)
    {
      const Script *script = &scripts[g_rand_int_range (run.rand, 0, G_N_ELEMENTS (scripts))];
      GArray *phases = phases_of[script - scripts];
      g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autofree char *prompt = g_strdup_printf ("turn %u: %s", turn, script->first);
      g_autofree char *directive = NULL;
      guint errors_before = f->errors->len;
      guint drops_before = f->drops;
      const GError *error;
      Phase phase;
      guint after = 0;

      reset_files (f);
      run.decided = FALSE;
      run.check_decided = FALSE;
      run.hunks_before_drop = 0;
      run.drops_at_start = f->drops;

      /* A phase this script has, then a point in it. */
      do
        phase = g_rand_int_range (run.rand, 0, N_PHASES);
      while (phase >= PHASE_MID_TEXT && !has_phase (phases, phase));
      for (guint i = 0; i < phases->len; i++)
        {
          if (g_array_index (phases, int, i) == (int) phase)
            {
              guint k = i + 1;
              g_array_append_val (candidates, k);
            }
        }
      per_phase[phase]++;

      g_string_truncate (f->states, 0);
      switch (phase)
        {
        case PHASE_HANDSHAKE:
          {
            guint status = handshake_statuses[g_rand_int_range (run.rand, 0, G_N_ELEMENTS (handshake_statuses))];

            spark_fake_server_close_connections (f->server, 1001);
            turn_wait (f, socket_closed, "the client to see the socket closed");
            if (status == 0)
              spark_fake_server_drop_handshakes (f->server, 1);
            else
              spark_fake_server_refuse_upgrades (f->server, status, 1, NULL);
            directive = g_strdup_printf ("handshake %u", status);
          }
          break;

        case PHASE_BETWEEN_TURNS:
          {
            guint code = idle_codes[g_rand_int_range (run.rand, 0, G_N_ELEMENTS (idle_codes))];

            /* No waiting: the prompt may go out before the close arrives. */
            spark_fake_server_close_connections (f->server, code);
            directive = g_strdup_printf ("idle close %u", code);
          }
          break;

        case PHASE_MID_TEXT:
        case PHASE_MID_PATCH:
        case PHASE_MID_CALL:
        case PHASE_BEFORE_COMPLETED:
        case N_PHASES:
        default:
          after = g_array_index (candidates, guint, g_rand_int_range (run.rand, 0, candidates->len));
          if (g_rand_boolean (run.rand))
            directive = g_strdup_printf ("{\"$\":\"close\",\"code\":%u}",
                                         recoverable_codes[g_rand_int_range (run.rand, 0, G_N_ELEMENTS (recoverable_codes))]);
          else
            directive = g_strdup_printf ("{\"$\":\"cut\",\"bytes\":%d}", g_rand_int_range (run.rand, 0, 200));
          spark_fake_server_inject_next (f->server, after, directive);
          /* The retry gets the same response again. */
          spark_fake_server_push_stream (f->server, script->first);
          expected_requests++;
          break;
        }

      spark_fake_server_push_stream (f->server, script->first);
      expected_requests++;
      if (script->second != NULL)
        {
          spark_fake_server_push_stream (f->server, script->second);
          expected_requests++;
        }

      g_free (context);
      context = g_strdup_printf ("seed %u, turn %u (%s, %s after %u events: %s)", seed, turn,
                                 script->first, phase_names[phase], after, directive);
      error = turn_run (f, prompt, 30);
      if (error != NULL)
        g_error ("seed %u, turn %u (%s, %s after %u events: %s) lost: %s", seed, turn, script->first,
                 phase_names[phase], after, directive, error->message);

      /* The whole turn, once, as the person sees it. */
      if (g_strcmp0 (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), script->text) != 0)
        {
          for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->transcript)); i++)
            {
              g_autoptr(SparkTranscriptItem) item = g_list_model_get_item (G_LIST_MODEL (f->transcript), i);

              g_test_message ("chat item %u (kind %d, id %s): %.60s", i, spark_transcript_item_get_kind (item),
                              spark_transcript_item_get_item_id (item), spark_transcript_item_get_text (item));
            }
          g_error ("%s: the chat shows “%s”, not “%s”", context,
                   turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), script->text);
        }
      g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_USER), ==, turn + 1);
      g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, 0);
      check_files (f, script);
      g_assert_cmpuint (spark_fake_server_get_queue_length (f->server), ==, 0);
      g_assert_cmpint (spark_session_get_connection_state (f->session), ==, SPARK_CONNECTION_STATE_WARM);

      if (phase >= PHASE_MID_TEXT)
        {
          /* It was a failure, and it showed as reconnecting. */
          g_assert_cmpuint (f->errors->len, >, errors_before);
          g_assert_nonnull (strstr (f->states->str, "reconnecting"));
        }
      if (phase == PHASE_MID_PATCH && script->patch)
        {
          /* The review pane kept what had arrived. */
          g_assert_cmpuint (f->drops, ==, drops_before + 1);
        }

      if (run.lost_decisions > 0)
        g_error ("seed %u, turn %u (%s, %s after %u events: %s): the person's decision on a hunk was lost",
                 seed, turn, script->first, phase_names[phase], after, directive);
    }

  /* Every prompt is in the history exactly once. */
  n_items = spark_session_get_n_items (f->session);
  {
    guint users = 0;

    for (guint i = 0; i < n_items; i++)
      {
        g_autoptr(JsonObject) item = spark_session_dup_item (f->session, i, NULL);

        if (g_strcmp0 (spark_json_get_string (item, "role"), "user") == 0)
          users++;
      }
    g_assert_cmpuint (users, ==, N_TURNS);
  }

  for (guint p = 0; p < N_PHASES; p++)
    g_string_append_printf (figures, "%s%s %u", p ? ", " : "", phase_names[p], per_phase[p]);
  g_test_message ("%u turns, drops per phase: %s; %u generating requests, %u handshakes",
                  N_TURNS, figures->str, expected_requests, spark_fake_server_get_n_handshakes (f->server));

  for (guint s = 0; s < G_N_ELEMENTS (scripts); s++)
    g_array_unref (phases_of[s]);
  g_rand_free (run.rand);
  f->data = NULL;
}

/* Slow but steady frames are not a stall: each one resets the idle timer. */
static void
test_slow_frames (TurnFixture   *f,
                  gconstpointer  data)
{
  spark_session_set_idle_timeout (f->session, 150);
  spark_fake_server_set_event_delay (f->server, 40 * 1000);
  spark_fake_server_push_stream (f->server, "text-hello");

  g_string_truncate (f->states, 0);
  turn_run_ok (f, "slowly");
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Hello, world!");
  g_assert_cmpuint (f->errors->len, ==, 0);
  g_assert_cmpstr (f->states->str, ==, "streaming warm ");

  /* One long pause inside the stream is a stall, though. */
  spark_fake_server_set_event_delay (f->server, 0);
  spark_fake_server_inject_next (f->server, 6, "{\"$\":\"delay\",\"ms\":600}");
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-hello");
  turn_run_ok (f, "pause");
  g_assert_cmpuint (f->errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (f->errors, 0), SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TIMEOUT);
}

/* A stream that goes silent with the socket open: the idle timeout fires,
 * the turn is retried on a new socket; with no retry left the person is
 * told, and the state is offline, not "streaming" forever. */
static void
test_stall (TurnFixture   *f,
            gconstpointer  data)
{
  const GError *error;

  spark_session_set_idle_timeout (f->session, 200);
  spark_fake_server_inject_next (f->server, 6, "{\"$\":\"stall\"}");
  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-hello");
  g_string_truncate (f->states, 0);
  turn_run_ok (f, "stall once");
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Hello, world!");
  g_assert_cmpuint (f->errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (f->errors, 0), SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TIMEOUT);
  g_assert_cmpstr (f->states->str, ==, "streaming reconnecting warm streaming warm ");
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 2);
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, 0);

  spark_session_set_retry_policy (f->session, 0, 2);
  spark_fake_server_inject_next (f->server, 6, "{\"$\":\"stall\"}");
  spark_fake_server_push_stream (f->server, "text-hello");
  error = turn_run (f, "stall for good", 30);
  g_assert_error ((GError *) error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TIMEOUT);
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, "No event from the server for 200 ms");
  g_assert_cmpint (spark_session_get_connection_state (f->session), ==, SPARK_CONNECTION_STATE_OFFLINE);
  g_assert_false (spark_assistant_get_busy (f->assistant));
  /* The partial answer does not stay as if it were whole. */
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Hello, world!");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, 1);
}

/* Every close code, in the middle of a response: the recoverable ones are
 * retried on a new socket and the turn completes; the final ones end the
 * turn at once, with the code and the server's reason in the message; the
 * next turn works either way. As openai-node's isRecoverableClose(), plus a
 * clean 1000 before response.completed, which is retried too. */
static const struct {
  guint    code;
  gboolean final;
} close_codes[] = {
  { 1000, FALSE }, { 1001, FALSE }, { 1002, TRUE }, { 1003, TRUE }, { 1005, FALSE },
  { 1006, FALSE }, { 1007, TRUE }, { 1008, TRUE }, { 1009, TRUE }, { 1010, TRUE },
  { 1011, FALSE }, { 1012, FALSE }, { 1013, FALSE }, { 1014, TRUE }, { 3000, TRUE },
  { 4000, TRUE }, { 4001, TRUE }, { 4500, TRUE }, { 4999, TRUE },
};

static void
test_close_codes (TurnFixture   *f,
                  gconstpointer  data)
{
  spark_session_set_retry_policy (f->session, 2, 2);

  for (guint i = 0; i < G_N_ELEMENTS (close_codes); i++)
    {
      g_autofree char *directive = NULL;
      g_autofree char *prompt = g_strdup_printf ("close %u", close_codes[i].code);
      guint handshakes = spark_fake_server_get_n_handshakes (f->server);
      guint error_items = turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR);
      const GError *error;

      directive = g_strdup_printf ("{\"$\":\"close\",\"code\":%u,\"reason\":\"test reason %u\"}",
                                   close_codes[i].code, close_codes[i].code);
      spark_fake_server_inject_next (f->server, 5, directive);
      spark_fake_server_push_stream (f->server, "text-hello");
      if (!close_codes[i].final)
        spark_fake_server_push_stream (f->server, "text-hello");

      g_string_truncate (f->states, 0);
      error = turn_run (f, prompt, 30);
      if (close_codes[i].final)
        {
          g_autofree char *code = g_strdup_printf ("code %u", close_codes[i].code);
          const char *shown = turn_last_text (f, SPARK_TRANSCRIPT_KIND_ERROR);

          if (!g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED_FINAL))
            g_error ("close %u: %s", close_codes[i].code, error ? error->message : "no error");
          g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, error_items + 1);
          g_assert_nonnull (strstr (shown, code));
          g_assert_nonnull (strstr (shown, "test reason"));
          g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, handshakes);
          g_assert_null (strstr (f->states->str, "reconnecting"));
          g_assert_cmpint (spark_session_get_connection_state (f->session), ==, SPARK_CONNECTION_STATE_OFFLINE);

          /* And the next turn gets a new socket. */
          spark_fake_server_push_stream (f->server, "text-done");
          turn_run_ok (f, "after");
          g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, handshakes + 1);
        }
      else
        {
          if (error != NULL)
            g_error ("close %u: %s", close_codes[i].code, error->message);
          g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Hello, world!");
          g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, error_items);
          g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, handshakes + 1);
          g_assert_nonnull (strstr (f->states->str, "reconnecting"));
        }
      g_assert_cmpuint (spark_fake_server_get_queue_length (f->server), ==, 0);
    }
}

/* The server closes an idle socket: the state says so at once, and the
 * next turn connects again without a word to the person. */
static void
test_idle_close_shows_offline (TurnFixture   *f,
                               gconstpointer  data)
{
  spark_fake_server_close_connections (f->server, 1001);
  turn_wait (f, socket_closed, "the client to see the socket closed");
  turn_wait (f, is_offline, "the state to say offline");

  spark_fake_server_push_stream (f->server, "text-hello");
  g_string_truncate (f->states, 0);
  turn_run_ok (f, "again");
  g_assert_cmpstr (f->states->str, ==, "connecting warm streaming warm ");
}

/* The server closes the idle socket just as the next prompt goes out, with
 * a code that would be final for a request it refused: the prompt crossed
 * the close and got no event, so it is sent again on a new socket. */
static void
test_idle_close_crossing_request (TurnFixture   *f,
                                  gconstpointer  data)
{
  spark_fake_server_push_stream (f->server, "text-hello");
  turn_run_ok (f, "first");

  spark_fake_server_close_connections (f->server, 4000);
  spark_fake_server_push_stream (f->server, "text-done");
  turn_run_ok (f, "second");
  g_assert_true (has_error_code (f, SPARK_AGENT_ERROR_CLOSED));
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Done.");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, 0);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 2);
}

/* The patch streamed whole (its output_item.done came) and the person
 * accepted a hunk, then the stream dropped before response.completed: the
 * hunks stay, the retried proposal starts with that decision, and with no
 * retry left the kept hunks can still be applied. */
static void
accept_first_hunk (TurnFixture *f)
{
  DropRun *run = f->data;
  SparkChangeset *changeset = spark_assistant_get_changeset (f->assistant);

  /* Once the call is done: the assistant no longer streams it. */
  if (run->decided || changeset == NULL || changeset == run->stale ||
      spark_assistant_get_streaming (f->assistant) || spark_changeset_get_n_hunks (changeset) < 5)
    return;
  g_assert_true (spark_hunk_accept (spark_file_change_get_hunk (spark_changeset_get_file (changeset, 0), 0), NULL));
  run->decided = TRUE;
  run->check_decided = TRUE;
}

static void
test_drop_after_patch_done (TurnFixture   *f,
                            gconstpointer  data)
{
  DropRun run = { 0 };
  SparkChangeset *changeset;
  SparkFileChange *a_c;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const GError *error_of_turn;
  guint done_index = 86;   /* text-and-multi-patch: the patch's output_item.done */

  reset_files (f);
  f->data = &run;
  f->tick = accept_first_hunk;
  f->review = drop_review;

  spark_fake_server_inject_next (f->server, done_index + 1, "{\"$\":\"close\",\"code\":1011}");
  spark_fake_server_push_stream (f->server, "text-and-multi-patch");
  spark_fake_server_push_stream (f->server, "text-and-multi-patch");
  spark_fake_server_push_stream (f->server, "text-done");
  turn_run_ok (f, "retried");
  g_assert_true (run.decided);
  g_assert_cmpuint (run.lost_decisions, ==, 0);
  g_assert_cmpuint (f->drops, ==, 1);
  check_files (f, &scripts[1]);

  /* No retry left: the whole patch arrived, so all of it can be applied. */
  reset_files (f);
  run.decided = FALSE;
  run.stale = spark_assistant_get_changeset (f->assistant);
  f->review = NULL;
  spark_session_set_retry_policy (f->session, 0, 2);
  spark_fake_server_inject_next (f->server, done_index + 1, "{\"$\":\"close\",\"code\":1011}");
  spark_fake_server_push_stream (f->server, "text-and-multi-patch");
  error_of_turn = turn_run (f, "given up", 30);
  g_assert_true (g_error_matches (error_of_turn, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED));
  g_assert_cmpuint (f->drops, ==, 2);
  g_assert_true (spark_assistant_get_salvaged (f->assistant));
  changeset = spark_assistant_get_changeset (f->assistant);
  g_assert_cmpuint (spark_changeset_get_n_hunks (changeset), ==, 5);
  a_c = spark_changeset_get_file (changeset, 0);
  g_assert_cmpint (spark_hunk_get_state (spark_file_change_get_hunk (a_c, 0)), ==, SPARK_HUNK_ACCEPTED);
  g_assert_true (spark_assistant_apply (f->assistant, &error));
  g_assert_no_error (error);
  contents = spark_test_read_file (f->root, "a.c", NULL);
  g_assert_cmpstr (contents, ==, "line 1\nline TWO\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n"
                                 "line 9\nline 10\nline 11\nline 12\n");
  f->data = NULL;
}

/* The 60-minute limit arrives as an error event: a new socket, the full
 * input, and the person sees the answer, not the error. */
static void
test_connection_limit (TurnFixture   *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  turn_run_ok (f, "first");

  spark_fake_server_push_stream (f->server, "error-connection-limit");
  spark_fake_server_push_stream (f->server, "text-done");
  g_string_truncate (f->states, 0);
  turn_run_ok (f, "second");
  g_assert_true (has_error_code (f, SPARK_AGENT_ERROR_CONNECTION_LIMIT));
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Done.");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, 0);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 2);
  g_assert_cmpstr (f->states->str, ==, "streaming reconnecting warm streaming warm ");

  reqs = spark_fake_server_dup_generating (f->server);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_true (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_false (json_object_has_member (reqs->pdata[2], "previous_response_id"));
  /* first prompt, its answer, second prompt */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reqs->pdata[2], "input")), ==, 3);
}

/* The server lost the chained response: the same turn is sent again in
 * full, and nothing shows but the answer. */
static void
test_previous_response_not_found (TurnFixture   *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) reqs = NULL;

  spark_fake_server_push_stream (f->server, "text-hello");
  turn_run_ok (f, "first");

  spark_fake_server_push_stream (f->server, "error-previous-not-found");
  spark_fake_server_push_stream (f->server, "text-done");
  turn_run_ok (f, "second");
  g_assert_true (has_error_code (f, SPARK_AGENT_ERROR_PREVIOUS_RESPONSE_NOT_FOUND));
  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Done.");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, 0);

  reqs = spark_fake_server_dup_generating (f->server);
  g_assert_cmpuint (reqs->len, ==, 3);
  g_assert_true (json_object_has_member (reqs->pdata[1], "previous_response_id"));
  g_assert_false (json_object_has_member (reqs->pdata[2], "previous_response_id"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reqs->pdata[2], "input")), ==, 3);
}

/* Statuses on the upgrade (transport "auto"): 426 and 404 mean "no
 * WebSocket here", so HTTP at once; 429 is retried no sooner than
 * Retry-After says, on WebSocket still; 500 is retried, then HTTP. */
static void
reconnect_for_upgrade (TurnFixture *f)
{
  spark_fake_server_close_connections (f->server, 1001);
  turn_wait (f, socket_closed, "the client to see the socket closed");
}

static void
test_upgrade_status (TurnFixture   *f,
                     gconstpointer  data)
{
  guint status = GPOINTER_TO_UINT (data);
  g_autoptr(GPtrArray) reqs = NULL;
  guint handshakes;

  spark_session_set_retry_policy (f->session, 2, 2);
  reconnect_for_upgrade (f);
  handshakes = spark_fake_server_get_n_handshakes (f->server);

  switch (status)
    {
    case 426:
    case 404:
      spark_fake_server_refuse_upgrades (f->server, status, 100, NULL);
      spark_fake_server_push_stream (f->server, "text-hello");
      g_string_truncate (f->states, 0);
      turn_run_ok (f, "hi");
      g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, handshakes + 1);
      g_assert_true (spark_session_get_fell_back (f->session));
      g_assert_cmpint (spark_session_get_connection_state (f->session), ==, SPARK_CONNECTION_STATE_FALLBACK);
      g_assert_true (has_error_code (f, SPARK_AGENT_ERROR_WS_UNSUPPORTED));
      break;

    case 500:
      spark_fake_server_refuse_upgrades (f->server, status, 100, NULL);
      spark_fake_server_push_stream (f->server, "text-hello");
      turn_run_ok (f, "hi");
      /* The first try and two retries, then HTTP. */
      g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, handshakes + 3);
      g_assert_true (spark_session_get_fell_back (f->session));
      g_assert_true (has_error_code (f, SPARK_AGENT_ERROR_UNAVAILABLE));
      break;

    case 429:
      {
        const GError *error;
        gint64 before;
        gint64 waited;

        /* With Retry-After: the retry waits that long and stays on WebSocket. */
        spark_fake_server_refuse_upgrades (f->server, 429, 1, "1");
        spark_fake_server_push_stream (f->server, "text-hello");
        g_string_truncate (f->states, 0);
        before = g_get_monotonic_time ();
        turn_run_ok (f, "hi");
        waited = spark_fake_server_get_last_handshake_time (f->server) - before;
        g_assert_cmpint (waited, >=, G_USEC_PER_SEC);
        g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, handshakes + 2);
        g_assert_false (spark_session_get_fell_back (f->session));
        g_assert_true (has_error_code (f, SPARK_AGENT_ERROR_RATE_LIMITED));
        g_assert_nonnull (strstr (f->states->str, "reconnecting"));

        /* Without: the usual backoff. */
        reconnect_for_upgrade (f);
        spark_fake_server_refuse_upgrades (f->server, 429, 1, NULL);
        spark_fake_server_push_stream (f->server, "text-done");
        turn_run_ok (f, "again");
        g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, handshakes + 4);
        g_assert_false (spark_session_get_fell_back (f->session));

        /* Asked to wait an hour: the turn ends and says why, at once. */
        reconnect_for_upgrade (f);
        g_string_truncate (f->states, 0);
        spark_fake_server_refuse_upgrades (f->server, 429, 1, "3600");
        spark_fake_server_push_stream (f->server, "text-done");
        error = turn_run (f, "later", 30);
        if (!g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_RATE_LIMITED))
          g_error ("Retry-After: 3600 gave %s (states %s)", error ? error->message : "no error", f->states->str);
        g_assert_nonnull (strstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ERROR), "429"));
        g_assert_nonnull (strstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ERROR), "Retry-After: 3600"));
        g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, handshakes + 5);
        g_assert_cmpuint (spark_fake_server_get_queue_length (f->server), ==, 1);
        return;
      }

    default:
      g_assert_not_reached ();
    }

  g_assert_cmpstr (turn_last_text (f, SPARK_TRANSCRIPT_KIND_ASSISTANT), ==, "Hello, world!");
  g_assert_cmpuint (turn_count_items (f, SPARK_TRANSCRIPT_KIND_ERROR), ==, 0);
  reqs = spark_fake_server_dup_generating (f->server);
  g_assert_cmpstr (spark_json_get_string (reqs->pdata[reqs->len - 1], "_transport"), ==, "http");
}

int
main (int   argc,
      char *argv[])
{
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("OPENAI_BASE_URL");

  spark_test_init (&argc, &argv);

#define ADD(path, setup, func) \
  g_test_add (path, TurnFixture, NULL, setup, func, teardown)
  ADD ("/faults/random-drops", setup_ws, test_random_drops);
  ADD ("/faults/slow-frames", setup_ws, test_slow_frames);
  ADD ("/faults/stall", setup_ws, test_stall);
  ADD ("/faults/close-codes", setup_ws, test_close_codes);
  ADD ("/faults/idle-close-shows-offline", setup_ws, test_idle_close_shows_offline);
  ADD ("/faults/idle-close-crossing-request", setup_ws, test_idle_close_crossing_request);
  ADD ("/faults/drop-after-patch-done", setup_ws, test_drop_after_patch_done);
  ADD ("/faults/connection-limit", setup_ws, test_connection_limit);
  ADD ("/faults/previous-response-not-found", setup_ws, test_previous_response_not_found);
  g_test_add ("/faults/upgrade/426", TurnFixture, GUINT_TO_POINTER (426), setup_auto, test_upgrade_status, teardown);
  g_test_add ("/faults/upgrade/404", TurnFixture, GUINT_TO_POINTER (404), setup_auto, test_upgrade_status, teardown);
  g_test_add ("/faults/upgrade/429", TurnFixture, GUINT_TO_POINTER (429), setup_auto, test_upgrade_status, teardown);
  g_test_add ("/faults/upgrade/500", TurnFixture, GUINT_TO_POINTER (500), setup_auto, test_upgrade_status, teardown);
#undef ADD

  return g_test_run ();
}
