/* fuzz-sse-parser.c: libFuzzer target for the text/event-stream splitter.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte of the input picks the size of the pieces the rest is fed
 * in (as reads from a socket would cut it) and the size limit. Checks: no
 * crash, no leak; every event is non-empty UTF-8 of the length said and
 * within the limit; feeding the body whole or in pieces gives the same events
 * and the same error. (What the events hold is fuzz-event-parser's part.)
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spark-agent-types.h"
#include "spark-sse-parser.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A critical or a warning is a finding, as in the test suite. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

typedef struct
{
  GString *out;
  gsize    max;
} Run;

static gboolean
event_cb (const char *data,
          gsize       length,
          gpointer    user_data)
{
  Run *run = user_data;

  if (length == 0 || length > run->max || strlen (data) != length ||
      !g_utf8_validate (data, length, NULL))
    abort ();

  g_string_append_printf (run->out, "%" G_GSIZE_FORMAT ":", length);
  g_string_append_len (run->out, data, length);
  g_string_append_c (run->out, '\n');

  /* Stop at the terminal marker some servers send, as the transport may. */
  return strcmp (data, "[STOP]") != 0;
}

static char *
run_parser (const char *text,
            gsize       len,
            gsize       piece,
            gsize       max)
{
  g_autoptr(SparkSseParser) parser = spark_sse_parser_new (max);
  g_autoptr(GError) error = NULL;
  Run run = { g_string_new (NULL), max };
  gboolean ok = TRUE;

  for (gsize off = 0; ok && off < len; off += piece)
    ok = spark_sse_parser_feed (parser, text + off, MIN (piece, len - off), event_cb, &run, &error);
  if (ok)
    ok = spark_sse_parser_finish (parser, event_cb, &run, &error);

  if (ok != (error == NULL))
    abort ();
  if (error != NULL)
    {
      if (!g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL))
        abort ();
      g_string_append_printf (run.out, "error: %s\n", error->message);
    }

  /* Finished: more input is ignored. */
  if (!spark_sse_parser_feed (parser, "data: x\n\n", 9, event_cb, &run, NULL))
    abort ();

  return g_string_free (run.out, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *whole = NULL;
  g_autofree char *pieces = NULL;
  g_autofree char *bytes = NULL;
  const char *text;
  gsize piece;
  gsize max;

  if (size < 1)
    return 0;

  piece = 1 + (data[0] & 0x1f);
  max = (data[0] & 0x80) ? 64 : 4096;
  text = (const char *) data + 1;
  size--;

  whole = run_parser (text, size, MAX (size, 1), max);
  pieces = run_parser (text, size, piece, max);
  if (strcmp (whole, pieces) != 0)
    abort ();
  if (size < 512)
    {
      bytes = run_parser (text, size, 1, max);
      if (strcmp (whole, bytes) != 0)
        abort ();
    }

  return 0;
}
