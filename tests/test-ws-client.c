/* test-ws-client.c — the lean WebSocket client against the real in-process
 * SoupServer (spark-fake-server.c), and against a hand-written server in a
 * thread for what libsoup never sends: fragments, pings, a wrong accept key.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spark-bench-server.h"
#include "spark-fake-server.h"
#include "spark-test-utils.h"
#include "spark-ws-client.h"

typedef struct
{
  SparkWsClient *client;
  GError        *connect_error;
  guint          status;
  char          *retry_after;
  gboolean       connected;
  GPtrArray     *messages;     /* "t:..." or "b:<length>" */
  gboolean       closed;
  gushort        close_code;
  char          *close_reason;
  GError        *close_error;
} Run;

static void
run_clear (Run *run)
{
  g_clear_object (&run->client);
  g_clear_error (&run->connect_error);
  g_clear_pointer (&run->retry_after, g_free);
  g_clear_pointer (&run->messages, g_ptr_array_unref);
  g_clear_pointer (&run->close_reason, g_free);
  g_clear_error (&run->close_error);
}

static void
on_message (SparkWsClient *client,
            gboolean       text,
            const char    *data,
            gsize          length,
            gpointer       user_data)
{
  Run *run = user_data;

  if (text)
    g_ptr_array_add (run->messages, g_strdup_printf ("t:%.*s", (int) length, data));
  else
    g_ptr_array_add (run->messages, g_strdup_printf ("b:%" G_GSIZE_FORMAT, length));
}

static void
on_closed (SparkWsClient *client,
           gushort        code,
           const char    *reason,
           const GError  *error,
           gpointer       user_data)
{
  Run *run = user_data;

  g_assert_false (run->closed);
  run->closed = TRUE;
  run->close_code = code;
  run->close_reason = g_strdup (reason);
  run->close_error = error ? g_error_copy (error) : NULL;
}

static const SparkWsClientFuncs funcs = { on_message, on_closed };

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;

  run->client = spark_ws_client_connect_finish (result, &run->status, NULL, &run->retry_after,
                                                &run->connect_error);
  run->connected = TRUE;
}

/* Connects to @url; TRUE if the upgrade went through (then reading). */
static gboolean
run_connect (Run          *run,
             const char   *url,
             GTlsDatabase *database)
{
  const char *headers[] = { "Authorization", "Bearer sk-test", NULL };

  memset (run, 0, sizeof *run);
  run->messages = g_ptr_array_new_with_free_func (g_free);
  spark_ws_client_connect_async (url, headers, database, NULL, connect_cb, run);
  while (!run->connected)
    g_main_context_iteration (NULL, TRUE);
  if (run->client == NULL)
    return FALSE;
  spark_ws_client_start (run->client, &funcs, run);
  return TRUE;
}

static char *
ws_url (SparkFakeServer *server)
{
  const char *base = spark_fake_server_get_base_url (server);

  /* http://… → ws://…, https://… → wss://… */
  return g_strconcat ("ws", base + strlen ("http"), "/responses", NULL);
}

static const char create[] =
  "{\"type\":\"response.create\",\"model\":\"m\",\"store\":false,\"input\":[]}";

static void
wait_closed (Run *run)
{
  while (!run->closed)
    g_main_context_iteration (NULL, TRUE);
}

/* The upgrade refused: the status and Retry-After reach the caller. */
static void
test_refused (void)
{
  static const guint statuses[] = { 426, 404, 429, 500 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      SparkFakeServer *server = spark_fake_server_new ();
      g_autofree char *url = ws_url (server);
      Run run;

      spark_fake_server_refuse_upgrades (server, statuses[i], 1, statuses[i] == 429 ? "7" : NULL);
      g_assert_false (run_connect (&run, url, NULL));
      g_assert_error (run.connect_error, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_HANDSHAKE);
      g_assert_cmpuint (run.status, ==, statuses[i]);
      g_assert_cmpstr (run.retry_after, ==, statuses[i] == 429 ? "7" : NULL);
      run_clear (&run);
      spark_fake_server_free (server);
    }
}

/* A stream from the real SoupServer: every event one text message, the
 * authorization header sent; then the server closes with a code. */
static void
test_stream_and_server_close (void)
{
  static const gushort codes[] = { 4000, 1012, 1013 };

  for (guint c = 0; c < G_N_ELEMENTS (codes); c++)
    {
      SparkFakeServer *server = spark_fake_server_new ();
      g_autofree char *url = ws_url (server);
      g_autofree char *directive = g_strdup_printf ("{\"$\":\"close\",\"code\":%u,\"reason\":\"bye\"}", codes[c]);
      Run run;

      spark_fake_server_push_stream (server, "text-hello");
      spark_fake_server_inject_next (server, 3, directive);
      g_assert_true (run_connect (&run, url, NULL));
      g_assert_true (spark_ws_client_send_text (run.client, create, strlen (create)));
      wait_closed (&run);

      g_assert_cmpstr (spark_fake_server_get_last_authorization (server), ==, "Bearer sk-test");
      g_assert_cmpuint (run.messages->len, ==, 3);
      for (guint i = 0; i < run.messages->len; i++)
        g_assert_true (g_str_has_prefix (g_ptr_array_index (run.messages, i), "t:{\"type\":\"response."));
      /* The server's own code, 1012 and 1013 included (libsoup 3.2 made
       * them 1002). */
      g_assert_no_error (run.close_error);
      g_assert_cmpuint (run.close_code, ==, codes[c]);
      g_assert_cmpstr (run.close_reason, ==, "bye");
      g_assert_false (spark_ws_client_is_open (run.client));
      run_clear (&run);
      spark_fake_server_free (server);
    }
}

/* A binary frame is a message like any other, marked binary; a frame over
 * the limit ends the connection with its own error. */
static void
test_binary_and_too_big (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_autofree char *url = ws_url (server);
  Run run;

  spark_fake_server_push_stream (server, "text-hello");
  spark_fake_server_inject_next (server, 1, "{\"$\":\"binary\"}");
  g_assert_true (run_connect (&run, url, NULL));
  g_assert_true (spark_ws_client_send_text (run.client, create, strlen (create)));
  while (run.messages->len < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_ptr_array_index (run.messages, 1), ==, "b:4");
  spark_ws_client_close (run.client, 1000, NULL);
  wait_closed (&run);
  run_clear (&run);

  spark_fake_server_push_stream (server, "text-hello");
  spark_fake_server_inject_next (server, 1, "{\"$\":\"huge\",\"bytes\":3000000}");
  g_assert_true (run_connect (&run, url, NULL));
  spark_ws_client_set_max_message_size (run.client, 2 * 1024 * 1024);
  g_assert_true (spark_ws_client_send_text (run.client, create, strlen (create)));
  wait_closed (&run);
  g_assert_error (run.close_error, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_TOO_BIG);
  g_assert_cmpuint (run.messages->len, ==, 1);
  run_clear (&run);

  /* Under the limit, the same 3 MB frame comes whole. */
  spark_fake_server_push_stream (server, "text-hello");
  spark_fake_server_inject_next (server, 1, "{\"$\":\"huge\",\"bytes\":3000000}");
  g_assert_true (run_connect (&run, url, NULL));
  g_assert_true (spark_ws_client_send_text (run.client, create, strlen (create)));
  while (run.messages->len < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (strlen (g_ptr_array_index (run.messages, 1)), >, 3000000);
  spark_ws_client_close (run.client, 1000, NULL);
  wait_closed (&run);
  run_clear (&run);

  spark_fake_server_free (server);
}

/* wss:// to a self-signed loopback server, as bench-agent does. */
static void
test_tls (void)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  SparkFakeServer *server;
  Run run;

  certificate = spark_bench_make_certificate (&database, &dir, &error);
  if (certificate == NULL)
    {
      g_test_skip (error->message);
      return;
    }
  server = spark_fake_server_new_tls (certificate);
  url = ws_url (server);
  g_assert_true (g_str_has_prefix (url, "wss://"));

  /* Without the certificate's database, the handshake fails. */
  g_assert_false (run_connect (&run, url, NULL));
  g_assert_nonnull (run.connect_error);
  run_clear (&run);

  spark_fake_server_push_stream (server, "text-hello");
  g_assert_true (run_connect (&run, url, database));
  g_assert_true (spark_ws_client_send_text (run.client, create, strlen (create)));
  while (run.messages->len < 2)
    g_main_context_iteration (NULL, TRUE);
  spark_ws_client_close (run.client, 1000, NULL);
  wait_closed (&run);
  g_assert_cmpuint (run.close_code, ==, 1000);
  run_clear (&run);

  spark_fake_server_free (server);
  spark_test_rm_rf (dir);
}

/* The hand-written server */

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  gboolean         wrong_accept;
  GBytes          *script;        /* raw frames sent after the 101 */
  gboolean         echo_close;    /* answer a close frame with one */
  /* What the client sent, unmasked: "op:payload" per frame. */
  GPtrArray       *got;
  gboolean         all_masked;
  GThread         *thread;
} RawServer;

static gboolean
read_exact (GInputStream *in,
            guint8       *buf,
            gsize         n)
{
  gsize done = 0;

  return g_input_stream_read_all (in, buf, n, &done, NULL, NULL) && done == n;
}

static gpointer
raw_server_thread (gpointer data)
{
  RawServer *rs = data;
  g_autoptr(GSocketConnection) conn = g_socket_listener_accept (rs->listener, NULL, NULL, NULL);
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autofree char *accept = NULL;
  GInputStream *in;
  GOutputStream *out;
  const char *key, *eol;
  gsize size;
  gconstpointer script;

  g_assert_nonnull (conn);
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  while (strstr (head->str, "\r\n\r\n") == NULL)
    {
      guint8 c;

      g_assert_true (read_exact (in, &c, 1));
      g_string_append_c (head, c);
    }

  key = strstr (head->str, "Sec-WebSocket-Key: ");
  g_assert_nonnull (key);
  key += strlen ("Sec-WebSocket-Key: ");
  eol = strstr (key, "\r\n");
  {
    g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
    guint8 digest[20];
    gsize len = sizeof digest;

    g_checksum_update (sha1, (const guchar *) key, eol - key);
    g_checksum_update (sha1, (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
    g_checksum_get_digest (sha1, digest, &len);
    if (rs->wrong_accept)
      digest[0] ^= 1;
    accept = g_base64_encode (digest, len);
  }
  g_string_append_printf (answer, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
  /* The frames in the same write as the answer. */
  if (rs->script != NULL)
    {
      script = g_bytes_get_data (rs->script, &size);
      g_string_append_len (answer, script, size);
    }
  g_assert_true (g_output_stream_write_all (out, answer->str, answer->len, NULL, NULL, NULL));
  if (rs->wrong_accept)
    return NULL;

  /* The client's frames, until its close frame. */
  for (;;)
    {
      guint8 h[2], mask[4], ext[8];
      guint64 n;
      g_autofree guint8 *payload = NULL;
      guint op;

      if (!read_exact (in, h, 2))
        break;
      op = h[0] & 0x0f;
      n = h[1] & 0x7f;
      if ((h[1] & 0x80) == 0)
        rs->all_masked = FALSE;
      if (n == 126)
        {
          g_assert_true (read_exact (in, ext, 2));
          n = (ext[0] << 8) | ext[1];
        }
      else if (n == 127)
        {
          g_assert_true (read_exact (in, ext, 8));
          n = 0;
          for (guint i = 0; i < 8; i++)
            n = (n << 8) | ext[i];
        }
      if (h[1] & 0x80)
        g_assert_true (read_exact (in, mask, 4));
      payload = g_malloc (n + 1);
      g_assert_true (n == 0 || read_exact (in, payload, n));
      for (guint64 i = 0; (h[1] & 0x80) && i < n; i++)
        payload[i] ^= mask[i & 3];
      if (op == 0x8 && n >= 2)
        g_ptr_array_add (rs->got, g_strdup_printf ("%u:%u", op, (payload[0] << 8) | payload[1]));
      else
        g_ptr_array_add (rs->got, g_strdup_printf ("%u:%.*s", op, (int) n, payload));
      if (op == 0x8)
        {
          if (rs->echo_close)
            g_output_stream_write_all (out, "\x88\x02\x03\xe8", 4, NULL, NULL, NULL);
          break;
        }
    }

  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  return NULL;
}

static void
raw_server_start (RawServer *rs)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  rs->listener = g_socket_listener_new ();
  rs->got = g_ptr_array_new_with_free_func (g_free);
  rs->all_masked = TRUE;
  g_assert_true (g_socket_listener_add_address (rs->listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &effective, NULL));
  rs->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  rs->thread = g_thread_new ("raw-ws-server", raw_server_thread, rs);
}

static void
raw_server_stop (RawServer *rs)
{
  g_thread_join (rs->thread);
  g_socket_listener_close (rs->listener);
  g_clear_object (&rs->listener);
  g_clear_pointer (&rs->got, g_ptr_array_unref);
  g_clear_pointer (&rs->script, g_bytes_unref);
}

static char *
raw_url (RawServer *rs)
{
  return g_strdup_printf ("ws://127.0.0.1:%u/v1/responses", rs->port);
}

static void
test_wrong_accept (void)
{
  RawServer rs = { .wrong_accept = TRUE };
  g_autofree char *url = NULL;
  Run run;

  raw_server_start (&rs);
  url = raw_url (&rs);
  g_assert_false (run_connect (&run, url, NULL));
  g_assert_error (run.connect_error, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (run.connect_error->message, "Sec-WebSocket-Accept"));
  run_clear (&run);
  raw_server_stop (&rs);
}

/* A message in three fragments with a ping between them, in the same
 * packet as the 101: one message, the ping answered with its payload,
 * every client frame masked; then the client's close and the echo. */
static void
test_fragments_ping_close (void)
{
  static const guint8 script[] = {
    0x01, 0x03, 'a', 'b', 'c',               /* text, not final */
    0x89, 0x04, 'p', 'i', 'n', 'g',          /* ping in between */
    0x00, 0x02, 'd', 'e',                    /* continuation */
    0x80, 0x02, 0xc3, 0xa9,                  /* final continuation: é */
    0x81, 0x02, 'o', 'k',                    /* a whole message */
  };
  RawServer rs = { .echo_close = TRUE };
  g_autofree char *url = NULL;
  Run run;

  rs.script = g_bytes_new_static (script, sizeof script);
  raw_server_start (&rs);
  url = raw_url (&rs);
  g_assert_true (run_connect (&run, url, NULL));
  while (run.messages->len < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_ptr_array_index (run.messages, 0), ==, "t:abcde\xc3\xa9");
  g_assert_cmpstr (g_ptr_array_index (run.messages, 1), ==, "t:ok");
  g_assert_true (spark_ws_client_send_text (run.client, "hi", 2));
  spark_ws_client_close (run.client, 1000, "done");
  g_assert_false (spark_ws_client_send_text (run.client, "late", 4));
  wait_closed (&run);
  g_assert_no_error (run.close_error);
  g_assert_cmpuint (run.close_code, ==, 1000);
  g_thread_join (rs.thread);
  rs.thread = NULL;
  g_assert_true (rs.all_masked);
  g_assert_cmpuint (rs.got->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (rs.got, 0), ==, "10:ping");   /* pong */
  g_assert_cmpstr (g_ptr_array_index (rs.got, 1), ==, "1:hi");
  g_assert_cmpstr (g_ptr_array_index (rs.got, 2), ==, "8:1000");
  run_clear (&run);
  g_socket_listener_close (rs.listener);
  g_clear_object (&rs.listener);
  g_clear_pointer (&rs.got, g_ptr_array_unref);
  g_clear_pointer (&rs.script, g_bytes_unref);
}

/* What RFC 6455 forbids ends the connection with 1002 (1007 for text
 * that is not UTF-8), told to the server in a close frame. */
static void
test_protocol_errors (void)
{
  static const struct { const char *frames; gsize length; int error; const char *close; } cases[] = {
    { "\x81\x82\0\0\0\0ok", 8, SPARK_WS_CLIENT_ERROR_PROTOCOL, "8:1002" },       /* masked */
    { "\xc1\x02ok", 4, SPARK_WS_CLIENT_ERROR_PROTOCOL, "8:1002" },               /* RSV1 */
    { "\x80\x02ok", 4, SPARK_WS_CLIENT_ERROR_PROTOCOL, "8:1002" },               /* lone continuation */
    { "\x01\x01o\x81\x01k", 6, SPARK_WS_CLIENT_ERROR_PROTOCOL, "8:1002" },       /* new message inside one */
    { "\x09\x01p", 3, SPARK_WS_CLIENT_ERROR_PROTOCOL, "8:1002" },                /* fragmented ping */
    { "\x83\x00", 2, SPARK_WS_CLIENT_ERROR_PROTOCOL, "8:1002" },                 /* unknown opcode */
    { "\x81\x02\xc3\x28", 4, SPARK_WS_CLIENT_ERROR_NOT_UTF8, "8:1007" },         /* not UTF-8 */
    { "\x88\x01\x03", 3, SPARK_WS_CLIENT_ERROR_PROTOCOL, "8:1002" },             /* close of one byte */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RawServer rs = { 0 };
      g_autofree char *url = NULL;
      Run run;

      rs.script = g_bytes_new_static (cases[i].frames, cases[i].length);
      raw_server_start (&rs);
      url = raw_url (&rs);
      g_assert_true (run_connect (&run, url, NULL));
      wait_closed (&run);
      g_assert_error (run.close_error, SPARK_WS_CLIENT_ERROR, cases[i].error);
      g_assert_cmpuint (run.messages->len, ==, 0);
      g_thread_join (rs.thread);
      rs.thread = NULL;
      if (rs.got->len != 1 || g_strcmp0 (g_ptr_array_index (rs.got, 0), cases[i].close) != 0)
        g_error ("case %u: the server got %s, expected %s", i,
                 rs.got->len ? (char *) g_ptr_array_index (rs.got, 0) : "nothing", cases[i].close);
      run_clear (&run);
      g_socket_listener_close (rs.listener);
      g_clear_object (&rs.listener);
      g_clear_pointer (&rs.got, g_ptr_array_unref);
      g_clear_pointer (&rs.script, g_bytes_unref);
    }
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);
  spark_test_add_deadline (120, "the WebSocket client tests");

  g_test_add_func ("/agent/ws-client/refused", test_refused);
  g_test_add_func ("/agent/ws-client/stream-and-server-close", test_stream_and_server_close);
  g_test_add_func ("/agent/ws-client/binary-and-too-big", test_binary_and_too_big);
  g_test_add_func ("/agent/ws-client/tls", test_tls);
  g_test_add_func ("/agent/ws-client/wrong-accept", test_wrong_accept);
  g_test_add_func ("/agent/ws-client/fragments-ping-close", test_fragments_ping_close);
  g_test_add_func ("/agent/ws-client/protocol-errors", test_protocol_errors);

  return g_test_run ();
}
