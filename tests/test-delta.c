/* test-delta.c — the delta scanner over a run of events, as a transport
 * calls it: one SparkDelta for all, the item id of one delta often that
 * of the last.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-delta.h"
#include "spark-test-utils.h"

#define TEXT_DELTA "{\"type\":\"response.output_text.delta\",\"sequence_number\":"

/* Each event after the one before it: read by the scanner or left to
 * json-glib, and what the scanner read is what json-glib reads. */
static void
test_item_id_runs (void)
{
  static const struct {
    const char *text;
    gboolean    fast;
    const char *item_id;
    const char *delta;
  } events[] = {
    { TEXT_DELTA "1,\"item_id\":\"msg_1\",\"delta\":\"a\"}", TRUE, "msg_1", "a" },
    { TEXT_DELTA "2,\"item_id\":\"msg_1\",\"delta\":\"b\"}", TRUE, "msg_1", "b" },
    /* Longer, shorter, other: the last id's bytes are a prefix or not. */
    { TEXT_DELTA "3,\"item_id\":\"msg_12\",\"delta\":\"c\"}", TRUE, "msg_12", "c" },
    { TEXT_DELTA "4,\"item_id\":\"msg_1\",\"delta\":\"d\"}", TRUE, "msg_1", "d" },
    { TEXT_DELTA "5,\"item_id\":\"msg_\",\"delta\":\"e\"}", TRUE, "msg_", "e" },
    { TEXT_DELTA "6,\"item_id\":\"msg_2\",\"delta\":\"f\"}", TRUE, "msg_2", "f" },
    /* Escaped: the same id decoded, then the plain spelling of it. */
    { TEXT_DELTA "7,\"item_id\":\"m\\u0073g_2\",\"delta\":\"g\"}", TRUE, "msg_2", "g" },
    { TEXT_DELTA "8,\"item_id\":\"m\\u0073g_2\",\"delta\":\"h\"}", TRUE, "msg_2", "h" },
    { TEXT_DELTA "9,\"item_id\":\"msg_2\",\"delta\":\"i\"}", TRUE, "msg_2", "i" },
    /* Whose bytes after an escape are the last id's: not the same id. */
    { TEXT_DELTA "10,\"item_id\":\"msg_2\\n\",\"delta\":\"j\"}", TRUE, "msg_2\n", "j" },
    { TEXT_DELTA "11,\"item_id\":\"msg_2\",\"delta\":\"k\"}", TRUE, "msg_2", "k" },
    /* Cut short right after the id's bytes, or before its quote. */
    { TEXT_DELTA "12,\"item_id\":\"msg_2", FALSE, NULL, NULL },
    { TEXT_DELTA "13,\"item_id\":\"msg_2\"", FALSE, NULL, NULL },
    { TEXT_DELTA "14,\"item_id\":\"msg_2\",\"delta\":\"l\"}", TRUE, "msg_2", "l" },
    /* Refused half-way through an escaped id: the next is read afresh. */
    { TEXT_DELTA "15,\"item_id\":\"ab\\u0063\",\"delta\":1.5}", FALSE, NULL, NULL },
    { TEXT_DELTA "16,\"item_id\":\"abc\",\"delta\":\"m\"}", TRUE, "abc", "m" },
    { TEXT_DELTA "17,\"item_id\":\"ab\",\"delta\":\"n\"}", TRUE, "ab", "n" },
    /* Not UTF-8 after a run of the valid id: refused. */
    { TEXT_DELTA "18,\"item_id\":\"\xc3\xa9t\xc3\xa9\",\"delta\":\"o\"}", TRUE, "\xc3\xa9t\xc3\xa9", "o" },
    { TEXT_DELTA "19,\"item_id\":\"\xc3\xa9t\xc3\xa9\",\"delta\":\"p\"}", TRUE, "\xc3\xa9t\xc3\xa9", "p" },
    { TEXT_DELTA "20,\"item_id\":\"\xc3\xa9t\xc3\",\"delta\":\"q\"}", FALSE, NULL, NULL },
    { TEXT_DELTA "21,\"delta\":\"r\"}", TRUE, NULL, "r" },
    { TEXT_DELTA "22,\"item_id\":\"\xc3\xa9t\xc3\xa9\",\"delta\":\"s\"}", TRUE, "\xc3\xa9t\xc3\xa9", "s" },
    /* An id decoded from escapes is not the JSON text of the next one:
     * a\\b is "a\b", but a\b is "a" and a backspace... */
    { TEXT_DELTA "23,\"item_id\":\"a\\\\b\",\"delta\":\"t\"}", TRUE, "a\\b", "t" },
    { TEXT_DELTA "24,\"item_id\":\"a\\b\",\"delta\":\"u\"}", TRUE, "a\b", "u" },
    /* ...and a\"b is "a\"b", but a"b" is "a" and then nonsense. */
    { TEXT_DELTA "25,\"item_id\":\"a\\\"b\",\"delta\":\"v\"}", TRUE, "a\"b", "v" },
    { TEXT_DELTA "26,\"item_id\":\"a\"b\",\"delta\":\"w\"}", FALSE, NULL, NULL },
    /* The same after an id refused half-way, past its escape: what was
     * decoded of it, a", is not the text of the next. */
    { TEXT_DELTA "27,\"item_id\":\"q\",\"delta\":\"x\"}", TRUE, "q", "x" },
    { TEXT_DELTA "28,\"item_id\":\"a\\\"b\x01\",\"delta\":\"y\"}", FALSE, NULL, NULL },
    { TEXT_DELTA "29,\"item_id\":\"a\"\",\"delta\":\"z\"}", FALSE, NULL, NULL },
  };
  SparkDelta d;

  spark_delta_init (&d);

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      gsize len = strlen (events[i].text);
      gboolean fast = spark_delta_scan (&d, events[i].text, len);
      g_autoptr(JsonObject) event = spark_responses_parse_event (events[i].text, len, NULL);

      if (fast != events[i].fast)
        g_error ("event %u: expected %s: %s", i, events[i].fast ? "read" : "refused", events[i].text);
      if (!fast)
        continue;

      g_assert_cmpstr (d.has_item_id ? d.item_id->str : NULL, ==, events[i].item_id);
      g_assert_cmpstr (d.delta->str, ==, events[i].delta);
      g_assert_cmpint (d.sequence, ==, i + 1);
      g_assert_cmpint (d.kind, ==, SPARK_EVENT_OUTPUT_TEXT_DELTA);

      /* json-glib reads it the same way. */
      g_assert_nonnull (event);
      g_assert_cmpstr (spark_json_get_string (event, "item_id"), ==, events[i].item_id);
      g_assert_cmpstr (spark_json_get_string (event, "delta"), ==, events[i].delta);
    }

  spark_delta_clear (&d);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/agent/delta/item-id-runs", test_item_id_runs);

  return g_test_run ();
}
