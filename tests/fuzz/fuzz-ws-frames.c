/* fuzz-ws-frames.c: libFuzzer target for the WebSocket frame reader.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One input is what a server sends after the upgrade: the first byte says
 * how much of it came along with the handshake's answer (the rest is read
 * from the connection, in reads of whatever size the stream gives), then
 * the frames. The client (src/agent/spark-ws-client.c) reads them from a
 * memory stream and answers into another. Checks: no crash or leak, the
 * connection ends exactly once and nothing is delivered after it, every
 * text message is UTF-8, no message is larger than the limit or than the
 * input, an error comes with a message, and no critical or warning is
 * logged.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spark-ws-client.h"
#include "spark-ws-client-private.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Small, so that the fuzzer reaches it. */
#define MAX_MESSAGE 4096

typedef struct
{
  gsize    input_size;
  guint    closed;
  gboolean failed;
} Run;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
on_message (SparkWsClient *client,
            gboolean       text,
            const char    *data,
            gsize          length,
            gpointer       user_data)
{
  Run *run = user_data;

  if (run->closed > 0 || length > MAX_MESSAGE || length > run->input_size)
    abort ();
  if (text && !g_utf8_validate_len (data, length, NULL))
    abort ();
}

static void
on_closed (SparkWsClient *client,
           gushort        code,
           const char    *reason,
           const GError  *error,
           gpointer       user_data)
{
  Run *run = user_data;

  if (run->closed++ > 0)
    abort ();
  if (error != NULL && (error->message == NULL || error->message[0] == '\0'))
    abort ();
  if (reason != NULL && !g_utf8_validate (reason, -1, NULL))
    abort ();
  run->failed = error != NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const SparkWsClientFuncs funcs = { on_message, on_closed };
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(SparkWsClient) client = NULL;
  Run run = { size, 0, FALSE };
  gsize with_answer;
  gint64 deadline;

  if (size == 0)
    return 0;
  with_answer = MIN ((gsize) data[0], size - 1);
  data++, size--;

  in = g_memory_input_stream_new_from_data (g_memdup2 (data + with_answer, size - with_answer),
                                            size - with_answer, g_free);
  out = g_memory_output_stream_new_resizable ();
  stream = g_simple_io_stream_new (in, out);
  client = spark_ws_client_new_for_stream (stream, (const char *) data, with_answer);
  spark_ws_client_set_max_message_size (client, MAX_MESSAGE);
  spark_ws_client_start (client, &funcs, &run);

  /* The memory stream ends: the connection must end too, with or without
   * a close frame, within a bounded number of iterations. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (run.closed == 0)
    {
      g_main_context_iteration (NULL, FALSE);
      if (g_get_monotonic_time () > deadline)
        abort ();
    }
  /* What is still pending (the stream's close) runs before the next input. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  return 0;
}
