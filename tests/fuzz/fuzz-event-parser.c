/* fuzz-event-parser.c: libFuzzer target for the server event parser.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One input is one WebSocket text frame (or the data of one SSE event). It
 * goes through spark_responses_parse_event() and, when that accepts it,
 * through everything the session reads of an event: its kind, the error it
 * stands for, its members. The same bytes, read as a Chat Completions chunk,
 * go through the chat wire that turns chunks into Responses events. Checks:
 * no crash (json-glib recurses: spark_json_check_text() must keep it
 * shallow), no leak, an event is returned exactly when no error is, an
 * accepted event has a string "type", every error is a protocol error with a
 * message, any JSON the checked parser accepts is at most
 * SPARK_JSON_MAX_DEPTH deep with UTF-8 strings only, and no critical or
 * warning is logged.
 *
 * The transports read most deltas with spark_delta_scan(), a one-pass
 * scanner, and only fall back to the full parser when it declines. That
 * makes the full parser the scanner's oracle: whatever the scanner accepts,
 * spark_responses_parse_event() must accept too and read as the same kind,
 * item_id, delta and sequence_number, byte for byte. An input with line
 * feeds is also read as several events in a row through one scanner, as a
 * stream's deltas are.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spark-agent-types.h"
#include "spark-chat-wire.h"
#include "spark-delta.h"
#include "spark-responses.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A critical or a warning is a finding: in the test suite (and with
 * G_DEBUG=fatal-criticals) it aborts. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* What spark_json_check_text() promises of what json-glib then builds. */
static void
check_tree (JsonNode *node,
            guint     parents)
{
  guint depth = parents + 1;

  if ((JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node)) && depth > SPARK_JSON_MAX_DEPTH)
    abort ();

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        {
          if (!g_utf8_validate (name, -1, NULL))
            abort ();
          check_tree (member, depth);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        check_tree (json_array_get_element (array, i), depth);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
        abort ();
    }
}

/* What the session reads of an event, whatever its kind. */
static void
read_event (JsonObject *event)
{
  SparkEventKind kind = spark_responses_event_kind (event);
  JsonObject *response = spark_json_get_object (event, "response");
  JsonObject *item = spark_json_get_object (event, "item");
  g_autoptr(GError) error = spark_responses_error_from_event (event);
  g_autofree char *text = spark_responses_to_string (event);

  if (spark_responses_kind_is_terminal (kind) && kind != SPARK_EVENT_COMPLETED)
    {
      if (error == NULL || error->domain != SPARK_AGENT_ERROR || error->message[0] == '\0')
        abort ();
    }
  else if (error != NULL)
    abort ();

  (void) spark_json_get_string (event, "delta");
  (void) spark_json_get_string (event, "item_id");
  (void) spark_json_get_int (event, "sequence_number", -1);
  (void) spark_json_get_string (response, "id");
  (void) spark_json_get_object (response, "usage");
  (void) spark_responses_item_is_tool_call (item);
  (void) spark_json_get_string (item, "input");
  (void) spark_json_get_string (item, "arguments");

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    abort ();
}

/* The delta scanner agrees with the full parser on all it accepts. The
 * scanner keeps the last item id between events (a delta with the same id
 * bytes is not scanned again), so @delta is the same across the events of
 * one input. */
static void
compare_delta_scan (SparkDelta *delta,
                    const char *text,
                    gsize       size,
                    JsonObject *event)
{
  if (spark_delta_scan (delta, text, size))
    {
      const char *item_id, *type, *full_delta;

      if (event == NULL)
        abort ();
      type = spark_json_get_string (event, "type");
      full_delta = spark_json_get_string (event, "delta");
      item_id = spark_json_get_string (event, "item_id");
      if (g_strcmp0 (type, spark_delta_kind_type (delta->kind)) != 0 ||
          spark_responses_event_kind (event) != delta->kind)
        abort ();
      if (full_delta == NULL || strlen (full_delta) != delta->delta->len ||
          memcmp (full_delta, delta->delta->str, delta->delta->len) != 0)
        abort ();
      if (delta->has_item_id != (item_id != NULL) ||
          (item_id != NULL && (strlen (item_id) != delta->item_id->len ||
                               memcmp (item_id, delta->item_id->str, delta->item_id->len) != 0)))
        abort ();
      if (delta->sequence != spark_json_get_int (event, "sequence_number", -1))
        abort ();
    }
}

/* The first lines of the input as events in a row, scanned with one
 * SparkDelta (a few are enough to reach the reuse of an id; parsing every
 * line of a long input made each run eight times slower). */
#define MAX_LINES 4

static void
compare_delta_scan_lines (const char *text,
                          gsize       size)
{
  SparkDelta delta;
  const char *p = text, *end = text + size;

  spark_delta_init (&delta);
  for (guint n = 0; p < end && n < MAX_LINES; n++)
    {
      const char *lf = memchr (p, '\n', end - p);
      gsize len = lf ? (gsize) (lf - p) : (gsize) (end - p);
      g_autoptr(JsonObject) event = spark_responses_parse_event (p, len, NULL);

      compare_delta_scan (&delta, p, len, event);
      p += len + (lf != NULL);
    }
  spark_delta_clear (&delta);
}

static void
chat_emit (JsonObject *event,
           gpointer    user_data)
{
  guint *n = user_data;

  if (spark_json_get_string (event, "type") == NULL)
    abort ();
  read_event (event);
  (*n)++;
}

/* As the HTTP transport reads a Chat Completions chunk. */
static void
as_chat_chunk (const char *text,
               gsize       len)
{
  g_autoptr(JsonObject) chunk = NULL;
  g_autoptr(SparkChatStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (!(chunk = spark_json_parse_object (text, len, NULL)))
    return;

  stream = spark_chat_stream_new (chat_emit, &n);
  /* Twice: a second chunk must find the state the first one left. */
  if (spark_chat_stream_feed (stream, chunk, &error))
    spark_chat_stream_feed (stream, chunk, &error);
  if (error != NULL && error->message[0] == '\0')
    abort ();
  spark_chat_stream_finish (stream);
  if (!spark_chat_stream_is_finished (stream))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(GError) parse_error = NULL;
    g_autoptr(JsonNode) root = spark_json_parse (text, size, &parse_error);

    if ((root == NULL) == (parse_error == NULL))
      abort ();
    if (root != NULL)
      check_tree (root, 0);
  }

  event = spark_responses_parse_event (text, size, &error);
  if ((event == NULL) == (error == NULL))
    abort ();

  if (event == NULL)
    {
      if (!g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL) ||
          !g_utf8_validate (error->message, -1, NULL))
        abort ();
    }
  else
    {
      if (spark_json_get_string (event, "type") == NULL)
        abort ();
      read_event (event);
    }

  {
    SparkDelta delta;

    spark_delta_init (&delta);
    compare_delta_scan (&delta, text, size, event);
    spark_delta_clear (&delta);
  }
  if (memchr (text, '\n', size) != NULL)
    compare_delta_scan_lines (text, size);

  if (g_utf8_validate (text, size, NULL))
    as_chat_chunk (text, size);

  return 0;
}
