/* spark-fake-server-main.c: the tests' fake Responses server as a program
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * For tests written in another language (the AT-SPI walk, tests/test-a11y.py)
 * that start the real `spark` binary and need a server to point it at:
 *
 *   spark-fake-server [--delay USEC] STREAM...
 *
 * queues the named streams of tests/streams/ (found through $G_TEST_SRCDIR),
 * prints "url http://127.0.0.1:PORT/v1" on standard output, then one line
 * "request JSON" for every request that reaches it, and exits when its
 * standard input is closed (so it never outlives the test that started it)
 * or on SIGTERM / SIGINT.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "spark-fake-server.h"

typedef struct
{
  GMainLoop       *loop;
  SparkFakeServer *server;
  guint            n_printed;
} Context;

static gboolean
quit_cb (gpointer user_data)
{
  Context *ctx = user_data;

  g_main_loop_quit (ctx->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Context *ctx = user_data;
  char buf[256];
  gssize n;

  n = read (fd, buf, sizeof buf);
  if (n > 0)
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (ctx->loop);
  return G_SOURCE_REMOVE;
}

/* The server has no request callback; a short poll is enough for a test. */
static gboolean
print_requests_cb (gpointer user_data)
{
  Context *ctx = user_data;
  guint n = spark_fake_server_get_n_requests (ctx->server);

  for (; ctx->n_printed < n; ctx->n_printed++)
    {
      JsonObject *request = spark_fake_server_get_request (ctx->server, ctx->n_printed);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *text = NULL;

      json_node_set_object (node, request);
      text = json_to_string (node, FALSE);
      printf ("request %s\n", text);
    }
  fflush (stdout);

  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int delay = 0;
  Context ctx = { 0 };
  const GOptionEntry entries[] = {
    { "delay", 0, 0, G_OPTION_ARG_INT, &delay, "Delay between replayed events", "USEC" },
    { NULL }
  };

  context = g_option_context_new ("STREAM…");
  g_option_context_set_summary (context, "Serve the tests' fake Responses API on 127.0.0.1.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "spark-fake-server: %s\n", error->message);
      return 2;
    }
  if (delay < 0)
    {
      fprintf (stderr, "spark-fake-server: --delay must not be negative\n");
      return 2;
    }

  ctx.loop = g_main_loop_new (NULL, FALSE);
  ctx.server = spark_fake_server_new ();
  spark_fake_server_set_event_delay (ctx.server, (guint) delay);
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *path = spark_fake_server_stream_path (argv[i]);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          fprintf (stderr, "spark-fake-server: no stream %s\n", path);
          return 2;
        }
      spark_fake_server_push_stream (ctx.server, argv[i]);
    }

  printf ("url %s\n", spark_fake_server_get_base_url (ctx.server));
  fflush (stdout);

  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, &ctx);
  g_unix_signal_add (SIGTERM, quit_cb, &ctx);
  g_unix_signal_add (SIGINT, quit_cb, &ctx);
  g_timeout_add (50, print_requests_cb, &ctx);

  g_main_loop_run (ctx.loop);

  print_requests_cb (&ctx);
  spark_fake_server_free (ctx.server);
  g_main_loop_unref (ctx.loop);

  return 0;
}
