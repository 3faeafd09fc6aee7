/* test-sse-parser.c — the text/event-stream splitter of the HTTP transport
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-agent-types.h"
#include "spark-sse-parser.h"
#include "spark-test-utils.h"

typedef struct
{
  GPtrArray *events;
  guint      stop_after;   /* 0: never */
} Collect;

static gboolean
collect_cb (const char *data,
            gsize       length,
            gpointer    user_data)
{
  Collect *c = user_data;

  g_assert_cmpuint (strlen (data), ==, length);
  g_ptr_array_add (c->events, g_strdup (data));
  return c->stop_after == 0 || c->events->len < c->stop_after;
}

/* Feeds @text in pieces of @piece bytes (0: whole), then finishes; returns
 * the events joined with "|", or the error message after "ERROR: ". */
static char *
parse (const char *text,
       gsize       length,
       gsize       piece,
       gsize       max,
       guint       stop_after)
{
  g_autoptr(SparkSseParser) parser = spark_sse_parser_new (max);
  g_autoptr(GError) error = NULL;
  Collect c = { g_ptr_array_new_with_free_func (g_free), stop_after };
  g_autofree char *joined = NULL;
  gboolean ok = TRUE;

  if (piece == 0)
    piece = MAX (length, 1);
  for (gsize off = 0; ok && off < length; off += piece)
    ok = spark_sse_parser_feed (parser, text + off, MIN (piece, length - off), collect_cb, &c, &error);
  if (ok)
    ok = spark_sse_parser_finish (parser, collect_cb, &c, &error);

  g_ptr_array_add (c.events, NULL);
  joined = g_strjoinv ("|", (char **) c.events->pdata);
  g_ptr_array_unref (c.events);

  if (!ok)
    {
      g_assert_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL);
      return g_strdup_printf ("%s ERROR: %s", joined, error->message);
    }
  g_assert_no_error (error);
  return g_steal_pointer (&joined);
}

/* Every split gives the same events. */
static void
assert_events (const char *text,
               const char *expected)
{
  gsize len = strlen (text);

  for (gsize piece = 0; piece <= len; piece++)
    {
      g_autofree char *got = parse (text, len, piece, 1024, 0);

      if (g_strcmp0 (got, expected) != 0)
        g_error ("pieces of %" G_GSIZE_FORMAT ": got “%s”, expected “%s”", piece, got, expected);
    }
}

static void
test_line_ends (void)
{
  assert_events ("data: a\n\ndata: b\n\n", "a|b");
  assert_events ("data: a\r\n\r\ndata: b\r\n\r\n", "a|b");
  assert_events ("data: a\r\rdata: b\r\r", "a|b");
  /* CR LF split over two reads is one line end, not a blank line. */
  assert_events ("data: a\r\ndata: b\r\n\r\n", "a\nb");
  assert_events ("data: a\r\n\ndata: b\n\r\n", "a|b");
}

static void
test_fields (void)
{
  assert_events ("event: response.created\nid: 7\nretry: 10\n: a comment\ndata: {\"x\":1}\n\n",
                 "{\"x\":1}");
  /* One space after the colon goes, a second one stays. */
  assert_events ("data:a\n\ndata:  b\n\n", "a| b");
  /* Several data lines join with LF. */
  assert_events ("data: {\ndata: \"k\": 2\ndata: }\n\n", "{\n\"k\": 2\n}");
  /* Blank lines without data dispatch nothing; "data" without colon is ignored. */
  assert_events ("\n\n\ndata\n\nevent: x\n\n", "");
  assert_events ("data: [DONE]\n\n", "[DONE]");
}

static void
test_end_of_body (void)
{
  /* A last event without its blank line, or even its line end, counts. */
  assert_events ("data: a\n\ndata: b\n", "a|b");
  assert_events ("data: a\n\ndata: b", "a|b");
  assert_events ("data: a\r", "a");
  assert_events ("", "");
}

static void
test_stop (void)
{
  const char *text = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
  g_autofree char *got = parse (text, strlen (text), 0, 1024, 2);

  /* The callback said stop after the second: the third is not seen, even at the end. */
  g_assert_cmpstr (got, ==, "1|2");
}

static void
test_not_utf8 (void)
{
  const char text[] = "data: ok\n\ndata: \xff\xfe\n\ndata: later\n\n";
  const char nul[] = "data: a\0b\n\n";
  g_autofree char *got = parse (text, sizeof text - 1, 0, 1024, 0);
  g_autofree char *got_nul = parse (nul, sizeof nul - 1, 0, 1024, 0);

  g_assert_cmpstr (got, ==, "ok ERROR: Server sent an event that is not UTF-8 text: data: \\xff\\xfe");
  g_assert_true (g_str_has_prefix (got_nul, " ERROR: Server sent an event that is not UTF-8 text"));
}

static void
test_size_limit (void)
{
  g_autoptr(GString) line = g_string_new ("data: ");
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autofree char *fits = NULL;
  g_autofree char *long_line = NULL;
  g_autofree char *long_event = NULL;
  g_autofree char *long_comment = NULL;

  /* An event of exactly the limit passes. */
  for (guint i = 0; i < 100 - 6; i++)
    g_string_append_c (line, 'x');
  g_string_append (line, "\n\n");
  fits = parse (line->str, line->len, 7, 100, 0);
  g_assert_cmpuint (strlen (fits), ==, 100 - 6);

  /* One line over the limit fails before it is buffered whole. */
  long_line = parse (line->str, line->len, 7, 50, 0);
  g_assert_cmpstr (long_line, ==, " ERROR: Server sent an event larger than 50 bytes");

  /* So do many short data lines adding up, and a long comment. */
  for (guint i = 0; i < 20; i++)
    g_string_append (lines, "data: 0123456789\n");
  g_string_append (lines, "\n");
  long_event = parse (lines->str, lines->len, 0, 100, 0);
  g_assert_cmpstr (long_event, ==, " ERROR: Server sent an event larger than 100 bytes");
  long_comment = parse (": 0123456789012345678901234567890123456789\n\ndata: x\n\n", 53, 0, 20, 0);
  g_assert_cmpstr (long_comment, ==, " ERROR: Server sent an event larger than 20 bytes");
}

/* A CR, LF, NUL, a byte that is not UTF-8 or a two-byte character at
 * every position of a line longer than the parser's sixteen-byte steps,
 * read whole and in every split: each ends the line, fails or passes
 * where it stands, and a bad byte in the next event fails only that one. */
static void
test_every_position (void)
{
  static const char *const specials[] = { "\r", "\n", "\0", "\xff", "\xc3\xa9" };
  const gsize width = 40;

  for (guint sp = 0; sp < G_N_ELEMENTS (specials); sp++)
    for (gsize k = 0; k <= width; k++)
      for (guint second = 0; second < 2; second++)
        {
          g_autoptr(GString) text = g_string_new (NULL);
          g_autoptr(GString) expected = g_string_new (NULL);
          g_autofree char *xs = g_strnfill (width, 'x');
          gsize special_len = specials[sp][0] == '\0' ? 1 : strlen (specials[sp]);
          gboolean bad = specials[sp][0] == '\0' || specials[sp][0] == '\xff';

          /* The special byte in the first event, or in the second one. */
          if (second)
            {
              g_string_append_printf (text, "data: %s\n\n", xs);
              g_string_append_printf (expected, "%s", xs);
            }
          g_string_append (text, "data: ");
          g_string_append_len (text, xs, k);
          g_string_append_len (text, specials[sp], special_len);
          g_string_append (text, xs + k);
          g_string_append (text, "\n\ndata: next\n\n");

          if (bad)
            g_string_append (expected, " ERROR: Server sent an event that is not UTF-8 text");
          else
            {
              if (expected->len > 0)
                g_string_append_c (expected, '|');
              if (specials[sp][0] == '\r' || specials[sp][0] == '\n')
                g_string_append_len (expected, xs, k);   /* the rest is a line of its own */
              else
                g_string_append_printf (expected, "%.*s%s%s", (int) k, xs, specials[sp], xs + k);
              /* A data line with nothing in it dispatches nothing. */
              g_string_append (expected, expected->len > 0 && expected->str[expected->len - 1] != '|' ? "|next" : "next");
            }

          for (gsize piece = 0; piece <= text->len; piece += (piece < 20 ? 1 : 7))
            {
              g_autofree char *got = parse (text->str, text->len, piece, 1024, 0);

              if (bad ? !g_str_has_prefix (got, expected->str) : g_strcmp0 (got, expected->str) != 0)
                g_error ("byte %u at %" G_GSIZE_FORMAT "%s, pieces of %" G_GSIZE_FORMAT
                         ": got “%s”, expected “%s”", sp, k, second ? " (second event)" : "",
                         piece, got, expected->str);
            }
        }
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/agent/sse-parser/line-ends", test_line_ends);
  g_test_add_func ("/agent/sse-parser/fields", test_fields);
  g_test_add_func ("/agent/sse-parser/end-of-body", test_end_of_body);
  g_test_add_func ("/agent/sse-parser/stop", test_stop);
  g_test_add_func ("/agent/sse-parser/not-utf8", test_not_utf8);
  g_test_add_func ("/agent/sse-parser/size-limit", test_size_limit);
  g_test_add_func ("/agent/sse-parser/every-position", test_every_position);

  return g_test_run ();
}
