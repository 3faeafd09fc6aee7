/* test-connection.c — transports against the fake server: handshake, frames,
 * bad input, upgrade refusal, drops; plus the event parser.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-delta.h"
#include "spark-fake-server.h"
#include "spark-responses.h"
#include "spark-sse-transport.h"
#include "spark-test-utils.h"
#include "spark-ws-transport.h"

typedef struct
{
  SparkFakeServer *server;
  SparkTransport  *transport;
  GPtrArray       *events;
  GError          *stream_error;
  gboolean         done;
  gboolean         connected;
  GError          *connect_error;
} Fixture;

static void
on_event (SparkTransport *transport,
          JsonObject     *event,
          Fixture        *f)
{
  g_ptr_array_add (f->events, json_object_ref (event));
  if (spark_responses_kind_is_terminal (spark_responses_event_kind (event)))
    f->done = TRUE;
}

static void
on_stream_failed (SparkTransport *transport,
                  const GError   *error,
                  Fixture        *f)
{
  g_assert_null (f->stream_error);
  f->stream_error = g_error_copy (error);
  f->done = TRUE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = spark_fake_server_new ();
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->transport != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->transport, f);
      spark_transport_close (f->transport);
      g_assert_finalize_object (f->transport);
    }
  g_clear_error (&f->stream_error);
  g_clear_error (&f->connect_error);
  g_ptr_array_unref (f->events);
  spark_fake_server_free (f->server);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fixture *f = user_data;

  spark_transport_connect_finish (SPARK_TRANSPORT (object), result, &f->connect_error);
  f->connected = TRUE;
}

static void
use_transport (Fixture        *f,
               SparkTransport *transport)
{
  f->transport = transport;
  g_signal_connect (transport, "event", G_CALLBACK (on_event), f);
  g_signal_connect (transport, "stream-failed", G_CALLBACK (on_stream_failed), f);
  spark_transport_connect_async (transport, NULL, connect_cb, f);
  spark_test_wait_for (&f->connected, 10);
}

static JsonObject *
simple_request (void)
{
  JsonObject *request = json_object_new ();

  json_object_set_string_member (request, "model", "test-model");
  json_object_set_array_member (request, "input", json_array_new ());
  json_object_set_boolean_member (request, "store", FALSE);
  return request;
}

static void
send_and_wait (Fixture *f)
{
  g_autoptr(JsonObject) request = simple_request ();
  g_autoptr(GError) error = NULL;

  f->done = FALSE;
  spark_transport_send (f->transport, request, &error);
  g_assert_no_error (error);
  spark_test_wait_for (&f->done, 10);
}

static const char *
event_type (Fixture *f,
            guint    i)
{
  return spark_json_get_string (g_ptr_array_index (f->events, i), "type");
}

static void
test_url_and_key_safety (void)
{
  static const struct { const char *endpoint; const char *ws; } urls[] = {
    { "https://api.openai.com/v1", "wss://api.openai.com/v1/responses" },
    { "https://api.openai.com/v1/", "wss://api.openai.com/v1/responses" },
    { "http://127.0.0.1:8080/v1", "ws://127.0.0.1:8080/v1/responses" },
    { "https://chatgpt.com/backend-api/codex", "wss://chatgpt.com/backend-api/codex/responses" },
  };
  static const struct { const char *url; gboolean safe; } keys[] = {
    { "wss://api.openai.com/v1/responses", TRUE },
    { "https://api.openai.com/v1", TRUE },
    { "ws://127.0.0.1:9/v1/responses", TRUE },
    { "http://localhost:9/v1", TRUE },
    { "http://[::1]:9/v1", TRUE },
    { "ws://example.com/v1/responses", FALSE },
    { "http://192.168.1.10:8080/v1", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *ws = spark_endpoint_to_websocket_url (urls[i].endpoint, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (ws, ==, urls[i].ws);
    }

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean safe = spark_endpoint_check_key_safe (keys[i].url, "sk-secret", &error);

      g_assert_cmpint (safe, ==, keys[i].safe);
      if (!safe)
        {
          g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_INSECURE);
          g_assert_null (strstr (error->message, "sk-secret"));
        }
      /* Without a key, anything goes. */
      g_assert_true (spark_endpoint_check_key_safe (keys[i].url, NULL, NULL));
    }
}

/* What json-glib must never be given: it recurses (a deep frame overflowed
 * the stack), stops a string at \\u0000, turns unpaired surrogates into
 * bytes that are not UTF-8. Everything else is parsed as before. */
static void
test_json_check (void)
{
  static const struct { const char *text; const char *needle; } cases[] = {
    { "{\"a\":\"x\\u0000y\"}", "NUL" },
    { "{\"a\":\"\\udc00\"}", "surrogate" },
    { "{\"a\":\"\\ud800x\"}", "surrogate" },
    { "{\"a\":\"\\ud800\\u0041\"}", "surrogate" },
    { "{\"a\":\"\\u00zz\"}", "four hex digits" },
    { "{\"a\":\"\\udezz\"}", "four hex digits" },
    { "{\"a\":\"\\200\"}", "an escape JSON does not have (\\2)" },
    { "{\"a\":\"x\\0y\"}", "an escape JSON does not have (\\0)" },
    { "{\"a\":\"\\x41\"}", "an escape JSON does not have (\\x)" },
    { "/* \" */ [[[[", NULL },
    { "{\"a\":\"ok \\\\u0000 \\ud83d\\ude00 [[[[\", 'x'}", NULL },
  };
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean ok = spark_json_check_text (cases[i].text, strlen (cases[i].text), &error);

      if (cases[i].needle == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
          g_assert_nonnull (strstr (error->message, cases[i].needle));
          g_clear_error (&error);
        }
    }

  /* 128 levels pass; one more does not, nor do 200,000, whatever hides
   * them from a naive scan. */
  for (guint i = 0; i < SPARK_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < SPARK_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  node = spark_json_parse (deep->str, deep->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_clear_pointer (&node, json_node_unref);

  /* Numbers out of gint64's range are no number at all, not undefined. */
  node = spark_json_parse ("{\"a\":3.3e61,\"b\":-1e300,\"c\":12.7,\"d\":7}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (spark_json_get_int (json_node_get_object (node), "a", -1), ==, -1);
  g_assert_cmpint (spark_json_get_int (json_node_get_object (node), "b", -1), ==, -1);
  g_assert_cmpint (spark_json_get_int (json_node_get_object (node), "c", -1), ==, 12);
  g_assert_cmpint (spark_json_get_int (json_node_get_object (node), "d", -1), ==, 7);
  g_clear_pointer (&node, json_node_unref);

  g_string_assign (deep, "['\"', /*/ \" */ ");
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  node = spark_json_parse (deep->str, deep->len, &error);
  g_assert_null (node);
  g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "nested deeper than 128 levels"));
}

static void
test_parse_events (void)
{
  static const struct { const char *text; gboolean ok; const char *needle; } cases[] = {
    { "{\"type\":\"response.created\",\"response\":{\"id\":\"r\"}}", TRUE, NULL },
    { "{\"type\":\"codex.rate_limits\"}", TRUE, NULL },
    { "not json at all", FALSE, "not JSON" },
    { "[1,2,3]", FALSE, "not a JSON object" },
    { "{\"sequence_number\":1}", FALSE, "without a “type”" },
    { "{\"type\":42}", FALSE, "without a “type”" },
    { "\xff\xfe{}", FALSE, "not UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) event = spark_responses_parse_event (cases[i].text, strlen (cases[i].text), &error);

      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (event);
        }
      else
        {
          g_assert_null (event);
          g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
          g_assert_nonnull (strstr (error->message, cases[i].needle));
        }
    }
}

/* What the full parser makes of @text, for comparing with the scanner:
 * TRUE when it is a delta event with a "delta" string. */
static gboolean
parse_delta (const char      *text,
             SparkEventKind  *kind,
             char           **item_id,
             char           **delta)
{
  g_autoptr(JsonObject) event = spark_responses_parse_event (text, strlen (text), NULL);

  *kind = event ? spark_responses_event_kind (event) : SPARK_EVENT_UNKNOWN;
  *item_id = g_strdup (spark_json_get_string (event, "item_id"));
  *delta = g_strdup (spark_json_get_string (event, "delta"));

  return (*kind == SPARK_EVENT_OUTPUT_TEXT_DELTA || *kind == SPARK_EVENT_REASONING_SUMMARY_DELTA ||
          *kind == SPARK_EVENT_FUNCTION_ARGUMENTS_DELTA || *kind == SPARK_EVENT_CUSTOM_INPUT_DELTA) &&
         *delta != NULL;
}

/* Whatever the scanner accepts, the full parser reads the same way. */
static void
check_scan_agrees (SparkDelta *d,
                   const char *text)
{
  g_autofree char *item_id = NULL;
  g_autofree char *delta = NULL;
  SparkEventKind kind;
  gboolean parsed = parse_delta (text, &kind, &item_id, &delta);

  if (!spark_delta_scan (d, text, strlen (text)))
    return;

  if (!parsed)
    g_error ("the scanner accepted what the parser refuses: %s", text);
  g_assert_cmpint (d->kind, ==, kind);
  g_assert_cmpstr (d->delta->str, ==, delta);
  g_assert_cmpstr (d->has_item_id ? d->item_id->str : NULL, ==, item_id);
}

static void
test_delta_scan (void)
{
  static const struct {
    const char *text;
    gboolean    fast;           /* read by the scanner (else left to json-glib) */
    int         kind;
    const char *item_id;
    const char *delta;
  } cases[] = {
    { "{\"type\":\"response.output_text.delta\",\"sequence_number\":12,\"item_id\":\"msg_1\","
      "\"output_index\":0,\"content_index\":0,\"delta\":\" the\",\"logprobs\":[]}",
      TRUE, SPARK_EVENT_OUTPUT_TEXT_DELTA, "msg_1", " the" },
    { " {\n \"delta\" : \"a\\n\\\"b\\\"\\\\c\\/d\\te\\u00e9\\u20ac\" , \"type\":"
      "\"response.custom_tool_call_input.delta\", \"item_id\":\"c\", \"x\":null, \"y\":true,"
      " \"z\":false, \"n\":-3 }\r\n",
      TRUE, SPARK_EVENT_CUSTOM_INPUT_DELTA, "c", "a\n\"b\"\\c/d\teé€" },
    { "{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc\",\"delta\":\"{\\\"path\\\":\"}",
      TRUE, SPARK_EVENT_FUNCTION_ARGUMENTS_DELTA, "fc", "{\"path\":" },
    { "{\"type\":\"response.reasoning_summary_text.delta\",\"delta\":\"ça\"}",
      TRUE, SPARK_EVENT_REASONING_SUMMARY_DELTA, NULL, "ça" },
    { "{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"\"}",
      TRUE, SPARK_EVENT_OUTPUT_TEXT_DELTA, "m", "" },
    /* Not deltas, or not plain enough: the full parser decides. */
    { "{\"type\":\"response.completed\",\"response\":{\"id\":\"r\"}}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"item_id\":\"m\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":null}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"a\",\"delta\":\"b\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"type\":\"error\",\"delta\":\"a\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"a\",\"logprobs\":[{\"p\":1}]}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"a\",\"o\":{}}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"\\ud83d\\ude00\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"\\u0000\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"\\x\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"a\tb\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"\xff\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"a\"", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"a\"} x", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"delta\":\"a\",}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"n\":01,\"delta\":\"a\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"n\":1.5,\"delta\":\"a\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"n\":1234567890123456,\"delta\":\"a\"}", FALSE },
    { "{\"type\":\"response.output_text.delta\",\"n\":tru,\"delta\":\"a\"}", FALSE },
    { "{\"ty\\u0070e\":\"response.output_text.delta\",\"delta\":\"a\"}", FALSE },
    { "{\"type\":\"response.output_text\\u002edelta\",\"delta\":\"a\"}", FALSE },
    { "[\"response.output_text.delta\"]", FALSE },
    { "", FALSE },
  };
  SparkDelta d;

  spark_delta_init (&d);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean fast = spark_delta_scan (&d, cases[i].text, strlen (cases[i].text));

      if (fast != cases[i].fast)
        g_error ("case %u: expected %s: %s", i, cases[i].fast ? "read" : "refused", cases[i].text);
      if (fast)
        {
          g_assert_cmpint (d.kind, ==, cases[i].kind);
          g_assert_cmpstr (d.has_item_id ? d.item_id->str : NULL, ==, cases[i].item_id);
          g_assert_cmpstr (d.delta->str, ==, cases[i].delta);
        }
      check_scan_agrees (&d, cases[i].text);
    }

  /* Every line of every recorded stream, whole and cut short. */
  {
    g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "streams", NULL);
    g_autoptr(GDir) streams = g_dir_open (dir, 0, NULL);
    const char *name;
    guint accepted = 0;

    g_assert_nonnull (streams);
    while ((name = g_dir_read_name (streams)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_autofree char *contents = NULL;
        g_auto(GStrv) lines = NULL;

        g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
        lines = g_strsplit (contents, "\n", -1);
        for (guint i = 0; lines[i] != NULL; i++)
          {
            gsize len = strlen (lines[i]);

            if (spark_delta_scan (&d, lines[i], len))
              accepted++;
            check_scan_agrees (&d, lines[i]);
            for (gsize cut = 1; cut < len; cut += 7)
              {
                g_autofree char *part = g_strndup (lines[i], cut);
                check_scan_agrees (&d, part);
              }
          }
      }
    /* The streams are mostly deltas: the fast path must take them. */
    g_assert_cmpuint (accepted, >, 100);
  }

  spark_delta_clear (&d);
}

static void
test_error_mapping (void)
{
  static const struct { const char *text; int code; const char *needle; } cases[] = {
    { "{\"type\":\"error\",\"status\":400,\"error\":{\"code\":\"previous_response_not_found\",\"message\":\"gone\"}}",
      SPARK_AGENT_ERROR_PREVIOUS_RESPONSE_NOT_FOUND, "gone" },
    { "{\"type\":\"error\",\"status\":400,\"error\":{\"code\":\"websocket_connection_limit_reached\",\"message\":\"60 minutes\"}}",
      SPARK_AGENT_ERROR_CONNECTION_LIMIT, "60 minutes" },
    { "{\"type\":\"error\",\"status\":429,\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\"}}",
      SPARK_AGENT_ERROR_SERVER, "429" },
    { "{\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}}",
      SPARK_AGENT_ERROR_RESPONSE_FAILED, "boom" },
    { "{\"type\":\"response.incomplete\",\"response\":{\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}}",
      SPARK_AGENT_ERROR_INCOMPLETE, "max_output_tokens" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) event = spark_responses_parse_event (cases[i].text, strlen (cases[i].text), NULL);
      g_autoptr(GError) error = spark_responses_error_from_event (event);

      g_assert_error (error, SPARK_AGENT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }

  g_assert_true (spark_agent_error_is_retryable (&(GError) { SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED, (char *) "x" }));
  g_assert_false (spark_agent_error_is_retryable (&(GError) { SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_HTTP, (char *) "x" }));
}

static void
test_ws_handshake_and_frames (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(JsonObject) request = NULL;
  JsonObject *frame;

  spark_fake_server_push_stream (f->server, "text-hello");
  spark_fake_server_push_stream (f->server, "text-done");
  use_transport (f, SPARK_TRANSPORT (spark_ws_transport_new (spark_fake_server_get_base_url (f->server),
                                                             "test-key-123")));
  g_assert_no_error (f->connect_error);
  g_assert_true (spark_transport_is_connected (f->transport));
  g_assert_cmpstr (spark_fake_server_get_last_authorization (f->server), ==, "Bearer test-key-123");
  g_assert_cmpstr (spark_fake_server_get_last_beta_header (f->server), ==, "responses_websockets=2026-02-06");

  send_and_wait (f);
  g_assert_null (f->stream_error);
  g_assert_cmpstr (event_type (f, 0), ==, "response.created");
  g_assert_cmpstr (event_type (f, f->events->len - 1), ==, "response.completed");

  /* A second request on the same socket. */
  send_and_wait (f);
  g_assert_null (f->stream_error);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 1);
  g_assert_cmpuint (spark_transport_get_generation (f->transport), ==, 1);

  /* The frame is the POST body flattened, with "type", without "stream". */
  frame = spark_fake_server_get_request (f->server, 0);
  g_assert_cmpstr (spark_json_get_string (frame, "type"), ==, "response.create");
  g_assert_cmpstr (spark_json_get_string (frame, "model"), ==, "test-model");
  g_assert_false (json_object_has_member (frame, "stream"));
  g_assert_false (json_object_has_member (frame, "response"));
}

static void
expect_bad_frame (Fixture    *f,
                  const char *stream,
                  guint64     max_frame,
                  const char *needle)
{
  spark_fake_server_push_stream (f->server, stream);
  use_transport (f, SPARK_TRANSPORT (spark_ws_transport_new (spark_fake_server_get_base_url (f->server), NULL)));
  if (max_frame != 0)
    spark_ws_transport_set_max_frame_size (SPARK_WS_TRANSPORT (f->transport), max_frame);
  g_assert_no_error (f->connect_error);

  send_and_wait (f);
  g_assert_error (f->stream_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
  if (strstr (f->stream_error->message, needle) == NULL)
    g_error ("“%s” not in “%s”", needle, f->stream_error->message);
  /* A bad frame poisons the socket: the next request needs a new one. */
  g_assert_false (spark_transport_is_connected (f->transport));
}

static void
test_ws_bad_not_json (Fixture *f, gconstpointer data)
{
  expect_bad_frame (f, "bad-not-json", 0, "not JSON");
}

static void
test_ws_bad_binary (Fixture *f, gconstpointer data)
{
  expect_bad_frame (f, "bad-binary", 0, "binary frame");
}

static void
test_ws_bad_no_type (Fixture *f, gconstpointer data)
{
  expect_bad_frame (f, "bad-no-type", 0, "without a “type”");
}

static void
test_ws_too_big (Fixture *f, gconstpointer data)
{
  expect_bad_frame (f, "bad-huge", 64 * 1024, "frame larger than 64.0");
}

static void
test_ws_huge_frame_accepted (Fixture       *f,
                             gconstpointer  data)
{
  JsonObject *last;

  /* 1 MiB, eight times libsoup's default limit, then the stream goes on. */
  spark_fake_server_push_text (f->server,
    "{\"type\":\"response.created\",\"response\":{\"id\":\"__RESP__\"}}\n"
    "{\"$\":\"huge\",\"bytes\":1048576}\n"
    "{\"type\":\"response.completed\",\"response\":{\"id\":\"__RESP__\",\"output\":[]}}\n");
  use_transport (f, SPARK_TRANSPORT (spark_ws_transport_new (spark_fake_server_get_base_url (f->server), NULL)));
  send_and_wait (f);

  g_assert_no_error (f->stream_error);
  g_assert_cmpuint (f->events->len, ==, 3);
  last = g_ptr_array_index (f->events, 1);
  g_assert_cmpuint (strlen (spark_json_get_string (last, "delta")), ==, 1048576);
}

static void
test_ws_unknown_types_pass (Fixture       *f,
                            gconstpointer  data)
{
  spark_fake_server_push_stream (f->server, "unknown-types");
  use_transport (f, SPARK_TRANSPORT (spark_ws_transport_new (spark_fake_server_get_base_url (f->server), NULL)));
  send_and_wait (f);

  g_assert_no_error (f->stream_error);
  g_assert_cmpstr (event_type (f, 0), ==, "codex.rate_limits");
  g_assert_cmpint (spark_responses_event_kind (g_ptr_array_index (f->events, 0)), ==, SPARK_EVENT_UNKNOWN);
  g_assert_cmpstr (event_type (f, f->events->len - 1), ==, "response.completed");
}

static void
test_ws_upgrade_refused (Fixture       *f,
                         gconstpointer  data)
{
  static const guint statuses[] = { 426, 404, 405 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      spark_fake_server_set_ws_status (f->server, statuses[i]);
      f->connected = FALSE;
      g_clear_error (&f->connect_error);
      if (f->transport != NULL)
        {
          g_signal_handlers_disconnect_by_data (f->transport, f);
          g_assert_finalize_object (g_steal_pointer (&f->transport));
        }
      use_transport (f, SPARK_TRANSPORT (spark_ws_transport_new (spark_fake_server_get_base_url (f->server), NULL)));
      g_assert_error (f->connect_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_WS_UNSUPPORTED);
    }

  spark_fake_server_set_ws_status (f->server, 401);
  g_signal_handlers_disconnect_by_data (f->transport, f);
  g_assert_finalize_object (g_steal_pointer (&f->transport));
  f->connected = FALSE;
  g_clear_error (&f->connect_error);
  use_transport (f, SPARK_TRANSPORT (spark_ws_transport_new (spark_fake_server_get_base_url (f->server), NULL)));
  g_assert_error (f->connect_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_HTTP);
  g_assert_nonnull (strstr (f->connect_error->message, "401"));
}

static void
test_ws_drop_mid_stream (Fixture       *f,
                         gconstpointer  data)
{
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  use_transport (f, SPARK_TRANSPORT (spark_ws_transport_new (spark_fake_server_get_base_url (f->server), NULL)));
  send_and_wait (f);

  g_assert_error (f->stream_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED);
  g_assert_nonnull (strstr (f->stream_error->message, "before response.completed"));
  g_assert_true (spark_agent_error_is_retryable (f->stream_error));
  g_assert_false (spark_transport_is_connected (f->transport));
}

static void
test_ws_idle_timeout (Fixture       *f,
                      gconstpointer  data)
{
  /* created, then silence. */
  spark_fake_server_push_text (f->server, "{\"type\":\"response.created\",\"response\":{\"id\":\"__RESP__\"}}\n");
  use_transport (f, SPARK_TRANSPORT (spark_ws_transport_new (spark_fake_server_get_base_url (f->server), NULL)));
  spark_ws_transport_set_idle_timeout (SPARK_WS_TRANSPORT (f->transport), 200);
  send_and_wait (f);

  g_assert_error (f->stream_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TIMEOUT);
}

static void
test_sse_responses (Fixture       *f,
                    gconstpointer  data)
{
  JsonObject *body;

  spark_fake_server_push_stream (f->server, "text-hello");
  use_transport (f, SPARK_TRANSPORT (spark_sse_transport_new (spark_fake_server_get_base_url (f->server),
                                                              "test-key", SPARK_WIRE_API_RESPONSES)));
  send_and_wait (f);

  g_assert_no_error (f->stream_error);
  g_assert_cmpstr (event_type (f, 0), ==, "response.created");
  g_assert_cmpstr (event_type (f, f->events->len - 1), ==, "response.completed");
  g_assert_cmpuint (spark_fake_server_get_n_posts (f->server), ==, 1);
  g_assert_cmpuint (spark_fake_server_get_n_handshakes (f->server), ==, 0);
  body = spark_fake_server_get_request (f->server, 0);
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_false (json_object_has_member (body, "type"));
  g_assert_cmpstr (spark_fake_server_get_last_authorization (f->server), ==, "Bearer test-key");

  /* Once the first body is drained, the next POST reuses the connection. */
  for (guint i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  spark_fake_server_push_stream (f->server, "text-done");
  send_and_wait (f);
  g_assert_no_error (f->stream_error);
  g_assert_cmpuint (spark_fake_server_get_n_posts (f->server), ==, 2);
  g_assert_cmpuint (spark_fake_server_get_n_http_connections (f->server), ==, 1);
}

static void
test_sse_eof_is_error (Fixture       *f,
                       gconstpointer  data)
{
  spark_fake_server_push_stream (f->server, "drop-mid-stream");
  use_transport (f, SPARK_TRANSPORT (spark_sse_transport_new (spark_fake_server_get_base_url (f->server),
                                                              NULL, SPARK_WIRE_API_RESPONSES)));
  send_and_wait (f);

  g_assert_error (f->stream_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CLOSED);
}

static void
test_sse_bad_data (Fixture       *f,
                   gconstpointer  data)
{
  spark_fake_server_push_stream (f->server, "bad-not-json");
  use_transport (f, SPARK_TRANSPORT (spark_sse_transport_new (spark_fake_server_get_base_url (f->server),
                                                              NULL, SPARK_WIRE_API_RESPONSES)));
  send_and_wait (f);

  g_assert_error (f->stream_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
}

static gboolean
stall_incoming (GSocketService    *service,
                GSocketConnection *connection,
                GObject           *source,
                gpointer           user_data)
{
  GPtrArray *keep = user_data;
  const char *reply = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                      "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r\"}}\n\n";

  /* Answer headers and one event, then never another byte. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), reply, strlen (reply),
                             NULL, NULL, NULL);
  g_ptr_array_add (keep, g_object_ref (connection));
  return TRUE;
}

static void
test_sse_idle_timeout (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (stall_incoming), keep);
  url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);

  use_transport (f, SPARK_TRANSPORT (spark_sse_transport_new (url, NULL, SPARK_WIRE_API_RESPONSES)));
  spark_sse_transport_set_idle_timeout (SPARK_SSE_TRANSPORT (f->transport), 200);
  send_and_wait (f);

  g_assert_error (f->stream_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TIMEOUT);
  g_assert_cmpuint (f->events->len, ==, 1);
  g_socket_service_stop (service);
}

/* A raw HTTP server that writes its reply in pieces, a little apart, so the
 * client's reads end where the pieces do. */
static gboolean
pieces_run (GThreadedSocketService *service,
            GSocketConnection      *connection,
            GObject                *source,
            gpointer                user_data)
{
  const char * const *pieces = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  char request[4096];

  /* The request is small: one read takes its headers and body. */
  g_input_stream_read (in, request, sizeof request, NULL, NULL);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      g_output_stream_write_all (out, pieces[i], strlen (pieces[i]), NULL, NULL, NULL);
      g_output_stream_flush (out, NULL, NULL);
      g_usleep (20000);
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static GSocketService *
serve_pieces (const char * const *pieces,
              char              **url)
{
  GSocketService *service = g_threaded_socket_service_new (1);
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (pieces_run), (gpointer) pieces);
  *url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  return service;
}

#define SSE_HEADERS "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"

static void
test_sse_line_ends (Fixture       *f,
                    gconstpointer  data)
{
  /* CRLF, CR and LF line ends; pieces that split a line, a CRLF, a
   * multi-byte character and a two-line data field. */
  static const char * const pieces[] = {
    SSE_HEADERS "event: response.created\r\ndata: {\"type\":\"response.created\",",
    "\"response\":{\"id\":\"r1\"}}\r\n\r\ndata: {\"type\":\"response.output_text.delta\","
      "\"item_id\":\"m\",\"delta\":\"caf\xc3",
    "\xa9\"}\r",
    "\n\r",
    "\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\" ok\"}\r\r",
    ": a comment\ndata: {\"type\":\"response.completed\",\r",
    "\ndata: \"response\":{\"id\":\"r1\",\"output\":[]}}\n\n",
    NULL
  };
  g_autoptr(GSocketService) service = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  service = serve_pieces (pieces, &url);
  use_transport (f, SPARK_TRANSPORT (spark_sse_transport_new (url, NULL, SPARK_WIRE_API_RESPONSES)));
  send_and_wait (f);

  g_assert_no_error (f->stream_error);
  g_assert_cmpuint (f->events->len, ==, 4);
  for (guint i = 0; i < f->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (f->events, i);

      if (spark_responses_event_kind (event) == SPARK_EVENT_OUTPUT_TEXT_DELTA)
        g_string_append (text, spark_json_get_string (event, "delta"));
    }
  g_assert_cmpstr (text->str, ==, "café ok");
  g_assert_cmpstr (event_type (f, 3), ==, "response.completed");
  g_socket_service_stop (service);
}

static void
test_sse_not_utf8 (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const pieces[] = {
    SSE_HEADERS "data: {\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}\n\n"
    "event: \xff\xfe\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"x\"}\n\n",
    NULL
  };
  g_autoptr(GSocketService) service = NULL;
  g_autofree char *url = NULL;

  service = serve_pieces (pieces, &url);
  use_transport (f, SPARK_TRANSPORT (spark_sse_transport_new (url, NULL, SPARK_WIRE_API_RESPONSES)));
  send_and_wait (f);

  g_assert_error (f->stream_error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
  /* Any line, not only the data the parser sees. */
  g_assert_nonnull (strstr (f->stream_error->message, "not UTF-8"));
  g_assert_cmpuint (f->events->len, ==, 1);
  g_socket_service_stop (service);
}

static void
test_chat_stream (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) request = simple_request ();
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  JsonArray *messages;
  JsonObject *response;
  GString *text = g_string_new (NULL);

  json_object_set_string_member (request, "instructions", "Be brief.");
  json_array_add_object_element (json_object_get_array_member (request, "input"),
                                 spark_responses_user_message ("hi"));

  spark_fake_server_push_stream (f->server, "chat-hello");
  use_transport (f, SPARK_TRANSPORT (spark_sse_transport_new (spark_fake_server_get_base_url (f->server),
                                                              NULL, SPARK_WIRE_API_CHAT)));
  spark_transport_send (f->transport, request, &error);
  g_assert_no_error (error);
  spark_test_wait_for (&f->done, 10);

  g_assert_no_error (f->stream_error);
  body = spark_fake_server_get_request (f->server, 0);
  g_assert_cmpstr (spark_json_get_string (body, "_transport"), ==, "chat");
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (spark_json_get_string (json_array_get_object_element (messages, 0), "role"), ==, "system");
  g_assert_cmpstr (spark_json_get_string (json_array_get_object_element (messages, 1), "content"), ==, "hi");

  for (guint i = 0; i < f->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (f->events, i);

      if (spark_responses_event_kind (event) == SPARK_EVENT_OUTPUT_TEXT_DELTA)
        g_string_append (text, spark_json_get_string (event, "delta"));
    }
  g_assert_cmpstr (text->str, ==, "Hello from chat");
  g_string_free (text, TRUE);

  response = spark_json_get_object (g_ptr_array_index (f->events, f->events->len - 1), "response");
  g_assert_cmpint (spark_json_get_int (spark_json_get_object (response, "usage"), "output_tokens", 0), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/agent/connection/url-and-key-safety", test_url_and_key_safety);
  g_test_add_func ("/agent/responses/parse-events", test_parse_events);
  g_test_add_func ("/agent/responses/json-check", test_json_check);
  g_test_add_func ("/agent/responses/error-mapping", test_error_mapping);
  g_test_add_func ("/agent/responses/delta-scan", test_delta_scan);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/agent/connection/ws/handshake-and-frames", test_ws_handshake_and_frames);
  ADD ("/agent/connection/ws/bad-frame/not-json", test_ws_bad_not_json);
  ADD ("/agent/connection/ws/bad-frame/binary", test_ws_bad_binary);
  ADD ("/agent/connection/ws/bad-frame/no-type", test_ws_bad_no_type);
  ADD ("/agent/connection/ws/bad-frame/too-big", test_ws_too_big);
  ADD ("/agent/connection/ws/huge-frame-accepted", test_ws_huge_frame_accepted);
  ADD ("/agent/connection/ws/unknown-types-pass", test_ws_unknown_types_pass);
  ADD ("/agent/connection/ws/upgrade-refused", test_ws_upgrade_refused);
  ADD ("/agent/connection/ws/drop-mid-stream", test_ws_drop_mid_stream);
  ADD ("/agent/connection/ws/idle-timeout", test_ws_idle_timeout);
  ADD ("/agent/connection/sse/responses", test_sse_responses);
  ADD ("/agent/connection/sse/eof-is-error", test_sse_eof_is_error);
  ADD ("/agent/connection/sse/bad-data", test_sse_bad_data);
  ADD ("/agent/connection/sse/idle-timeout", test_sse_idle_timeout);
  ADD ("/agent/connection/sse/line-ends-and-splits", test_sse_line_ends);
  ADD ("/agent/connection/sse/not-utf8", test_sse_not_utf8);
  ADD ("/agent/connection/chat/stream", test_chat_stream);
#undef ADD

  return g_test_run ();
}
