/* spark-ws-client.c — a lean RFC 6455 WebSocket client.
 *
 * libsoup 3.2 spends some 11,000 instructions on every frame it receives:
 * it formats a debug message and marshals its "message" signal through
 * libffi. A streamed response is one small frame per token, so this client
 * reads frames in place from large reads and hands each message to a
 * function. It does what the Responses API needs: the handshake over
 * GSocketClient (TLS, the default proxy resolver), masked client frames,
 * fragmented messages, ping and pong, and the close handshake.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-ws-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "spark-responses.h"
#include "spark-ws-client.h"
#include "spark-ws-client-private.h"

#define ACCEPT_GUID    "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define MAX_HEAD       (64 * 1024)
#define READ_SIZE      (64 * 1024)
#define CLOSE_WAIT_MS  2000

enum {
  OP_CONTINUATION = 0x0,
  OP_TEXT = 0x1,
  OP_BINARY = 0x2,
  OP_CLOSE = 0x8,
  OP_PING = 0x9,
  OP_PONG = 0xa,
};

struct _SparkWsClient
{
  GObject             parent_instance;

  GIOStream          *stream;
  GCancellable       *cancellable;
  SparkWsClientFuncs  funcs;
  gpointer            user_data;

  guint8             *buf;            /* received, not yet taken: [start, len) */
  gsize               start;
  gsize               len;
  gsize               cap;

  GByteArray         *partial;        /* a fragmented message so far */
  gboolean            partial_text;
  gboolean            in_message;

  guint64             max_size;
  GQueue              out;            /* GBytes frames waiting to be written */
  guint               keepalive_source;
  guint               close_source;

  GError             *end_error;      /* for finish(), once the writes are out */
  gushort             end_code;
  char               *end_reason;

  guint               started : 1;
  guint               ending : 1;
  guint               reading : 1;
  guint               writing : 1;
  guint               close_sent : 1;
  guint               finished : 1;
};

G_DEFINE_FINAL_TYPE (SparkWsClient, spark_ws_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (spark-ws-client-error-quark, spark_ws_client_error)

static void read_more (SparkWsClient *self);

/* Ends the connection once: the stream closed, @funcs told. */
static void
finish (SparkWsClient *self,
        gushort        code,
        const char    *reason,
        const GError  *error)
{
  g_autoptr(SparkWsClient) hold = g_object_ref (self);

  if (self->finished)
    return;
  self->finished = TRUE;

  g_clear_handle_id (&self->keepalive_source, g_source_remove);
  g_clear_handle_id (&self->close_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  if (self->funcs.closed != NULL)
    self->funcs.closed (self, code, reason, error, self->user_data);
}

static void
write_next (SparkWsClient *self);

/* finish(), after the frames queued so far (a close frame) are written. */
static void
end_after_writes (SparkWsClient *self,
                  gushort        code,
                  const char    *reason,
                  const GError  *error)
{
  if (self->finished || self->ending)
    return;
  if (!self->writing && g_queue_is_empty (&self->out))
    {
      finish (self, code, reason, error);
      return;
    }
  self->ending = TRUE;
  self->end_code = code;
  self->end_reason = g_strdup (reason);
  self->end_error = error ? g_error_copy (error) : NULL;
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SparkWsClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;

  self->writing = FALSE;
  frame = g_queue_pop_head (&self->out);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_autoptr(GError) wrapped = NULL;

      if (self->finished)
        return;
      wrapped = g_error_new (SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_CLOSED,
                             _("Could not send: %s"), error->message);
      finish (self, 0, NULL, self->end_error ? self->end_error : wrapped);
      return;
    }
  if (self->ending && g_queue_is_empty (&self->out))
    {
      finish (self, self->end_code, self->end_reason, self->end_error);
      return;
    }
  write_next (self);
}

static void
write_next (SparkWsClient *self)
{
  GBytes *frame = g_queue_peek_head (&self->out);
  gsize size;
  gconstpointer data;

  if (self->writing || frame == NULL || self->finished)
    return;
  data = g_bytes_get_data (frame, &size);
  self->writing = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, size,
                                   G_PRIORITY_DEFAULT, self->cancellable, write_cb,
                                   g_object_ref (self));
}

/* Queues one client frame: FIN set, masked as RFC 6455 wants. */
static void
send_frame (SparkWsClient *self,
            guint          opcode,
            const void    *payload,
            gsize          length)
{
  guint8 *frame = g_malloc (14 + length);
  const guint8 *in = payload;
  guint32 key = g_random_int ();
  guint8 mask[4];
  gsize h = 0;

  if (self->finished)
    {
      g_free (frame);
      return;
    }

  memcpy (mask, &key, 4);
  frame[h++] = 0x80 | opcode;
  if (length < 126)
    frame[h++] = 0x80 | length;
  else if (length <= G_MAXUINT16)
    {
      frame[h++] = 0x80 | 126;
      frame[h++] = length >> 8;
      frame[h++] = length & 0xff;
    }
  else
    {
      frame[h++] = 0x80 | 127;
      for (int shift = 56; shift >= 0; shift -= 8)
        frame[h++] = ((guint64) length >> shift) & 0xff;
    }
  memcpy (frame + h, mask, 4);
  h += 4;
  for (gsize i = 0; i < length; i++)
    frame[h + i] = in[i] ^ mask[i & 3];

  g_queue_push_tail (&self->out, g_bytes_new_take (frame, h + length));
  write_next (self);
}

static gboolean
close_timeout_cb (gpointer data)
{
  SparkWsClient *self = data;
  g_autoptr(GError) error = NULL;

  self->close_source = 0;
  error = g_error_new_literal (SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_CLOSED,
                               _("The server did not answer the close frame"));
  finish (self, 0, NULL, error);
  return G_SOURCE_REMOVE;
}

static void
send_close (SparkWsClient *self,
            gushort        code,
            const char    *reason)
{
  guint8 payload[125];
  gsize length = 0;

  if (self->close_sent || self->finished)
    return;
  self->close_sent = TRUE;

  if (code != 0)
    {
      gsize reason_len = reason ? MIN (strlen (reason), sizeof payload - 2) : 0;

      payload[0] = code >> 8;
      payload[1] = code & 0xff;
      if (reason_len > 0)
        memcpy (payload + 2, reason, reason_len);
      length = 2 + reason_len;
    }
  send_frame (self, OP_CLOSE, payload, length);
}

static void fail (SparkWsClient *self,
                  gushort        close_code,
                  int            error_code,
                  const char    *format,
                  ...) G_GNUC_PRINTF (4, 5);

/* The server broke the protocol: say why in a close frame, and end. */
static void
fail (SparkWsClient *self,
      gushort        close_code,
      int            error_code,
      const char    *format,
      ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (SPARK_WS_CLIENT_ERROR, error_code, format, args);
  va_end (args);

  send_close (self, close_code, NULL);
  end_after_writes (self, 0, NULL, error);
}

static void
deliver (SparkWsClient *self,
         gboolean       text,
         const guint8  *data,
         gsize          length)
{
  if (text && !spark_text_is_utf8 ((const char *) data, length))
    {
      fail (self, 1007, SPARK_WS_CLIENT_ERROR_NOT_UTF8, _("A text message that is not UTF-8"));
      return;
    }
  if (self->funcs.message != NULL)
    self->funcs.message (self, text, (const char *) data, length, self->user_data);
}

static void
on_close_frame (SparkWsClient *self,
                const guint8  *payload,
                gsize          length)
{
  g_autofree char *reason = NULL;
  gushort code = 0;

  if (length == 1)
    {
      fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A close frame of one byte"));
      return;
    }
  if (length >= 2)
    {
      code = (payload[0] << 8) | payload[1];
      if (!g_utf8_validate ((const char *) payload + 2, length - 2, NULL))
        {
          fail (self, 1007, SPARK_WS_CLIENT_ERROR_NOT_UTF8, _("A close reason that is not UTF-8"));
          return;
        }
      reason = g_strndup ((const char *) payload + 2, length - 2);
    }

  /* Answer with the same code, then the connection is over. */
  send_close (self, code, NULL);
  end_after_writes (self, code, reason, NULL);
}

/* Takes every whole frame in the buffer. FALSE once the connection is over. */
static gboolean
take_frames (SparkWsClient *self)
{
  while (!self->finished && !self->ending && self->len - self->start >= 2)
    {
      const guint8 *p = self->buf + self->start;
      gsize avail = self->len - self->start;
      gboolean fin = (p[0] & 0x80) != 0;
      guint opcode = p[0] & 0x0f;
      guint64 n = p[1] & 0x7f;
      gsize h = 2;

      if ((p[0] & 0x70) != 0)
        {
          fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A frame with reserved bits set"));
          return FALSE;
        }
      if ((p[1] & 0x80) != 0)
        {
          fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A masked frame from the server"));
          return FALSE;
        }
      if (n == 126)
        {
          if (avail < 4)
            break;
          n = ((guint) p[2] << 8) | p[3];
          h = 4;
        }
      else if (n == 127)
        {
          if (avail < 10)
            break;
          n = 0;
          for (guint i = 2; i < 10; i++)
            n = (n << 8) | p[i];
          h = 10;
          if (n >> 63)
            {
              fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A frame length with its top bit set"));
              return FALSE;
            }
        }

      if (opcode >= OP_CLOSE)
        {
          if (opcode > OP_PONG)
            {
              fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A frame of unknown opcode %u"), opcode);
              return FALSE;
            }
          if (!fin || n > 125)
            {
              fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A fragmented or long control frame"));
              return FALSE;
            }
        }
      else if (opcode != OP_CONTINUATION && opcode != OP_TEXT && opcode != OP_BINARY)
        {
          fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A frame of unknown opcode %u"), opcode);
          return FALSE;
        }
      else if (self->max_size > 0 &&
               n + (opcode == OP_CONTINUATION && self->partial ? self->partial->len : 0) > self->max_size)
        {
          g_autofree char *limit = g_format_size_full (self->max_size, G_FORMAT_SIZE_IEC_UNITS);

          fail (self, 1009, SPARK_WS_CLIENT_ERROR_TOO_BIG, _("A message larger than %s"), limit);
          return FALSE;
        }

      if (avail < h + n)
        {
          /* Room for the whole frame, read in place. */
          if (h + n > self->cap)
            {
              self->cap = h + n + READ_SIZE;
              self->buf = g_realloc (self->buf, self->cap);
            }
          break;
        }

      self->start += h + n;
      p += h;

      switch (opcode)
        {
        case OP_TEXT:
        case OP_BINARY:
          if (self->in_message)
            {
              fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A new message inside a fragmented one"));
              return FALSE;
            }
          if (fin)
            deliver (self, opcode == OP_TEXT, p, n);
          else
            {
              self->in_message = TRUE;
              self->partial_text = opcode == OP_TEXT;
              g_byte_array_set_size (self->partial, 0);
              g_byte_array_append (self->partial, p, n);
            }
          break;

        case OP_CONTINUATION:
          if (!self->in_message)
            {
              fail (self, 1002, SPARK_WS_CLIENT_ERROR_PROTOCOL, _("A continuation frame outside a message"));
              return FALSE;
            }
          g_byte_array_append (self->partial, p, n);
          if (fin)
            {
              self->in_message = FALSE;
              deliver (self, self->partial_text, self->partial->data, self->partial->len);
            }
          break;

        case OP_PING:
          send_frame (self, OP_PONG, p, n);
          break;

        case OP_PONG:
          break;

        case OP_CLOSE:
        default:
          on_close_frame (self, p, n);
          return FALSE;
        }
    }

  return !self->finished && !self->ending;
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SparkWsClient) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  self->reading = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (self->finished)
    return;
  if (n <= 0)
    {
      g_autoptr(GError) closed = NULL;

      if (error != NULL)
        /* translators: %s says why, in a sentence of its own */
        closed = g_error_new (SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_CLOSED,
                              _("The connection ended without a close frame: %s"), error->message);
      else
        closed = g_error_new_literal (SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_CLOSED,
                                      _("The connection ended without a close frame"));
      finish (self, 0, NULL, closed);
      return;
    }

  self->len += n;
  if (take_frames (self))
    read_more (self);
}

static void
read_more (SparkWsClient *self)
{
  if (self->reading || self->finished)
    return;

  /* Move what is left of a frame to the front, then read after it. */
  if (self->start > 0)
    {
      memmove (self->buf, self->buf + self->start, self->len - self->start);
      self->len -= self->start;
      self->start = 0;
    }
  /* A large message is taken: give its room back. */
  if (self->len == 0 && self->cap > 4 * READ_SIZE)
    {
      g_free (self->buf);
      self->cap = READ_SIZE;
      self->buf = g_malloc (self->cap);
    }
  if (self->cap - self->len < READ_SIZE / 4)
    {
      self->cap += READ_SIZE;
      self->buf = g_realloc (self->buf, self->cap);
    }

  self->reading = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->buf + self->len,
                             self->cap - self->len, G_PRIORITY_DEFAULT, self->cancellable,
                             read_cb, g_object_ref (self));
}

static gboolean
keepalive_cb (gpointer data)
{
  SparkWsClient *self = data;

  send_frame (self, OP_PING, NULL, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
start_cb (gpointer data)
{
  g_autoptr(SparkWsClient) self = data;

  if (take_frames (self))
    read_more (self);
  return G_SOURCE_REMOVE;
}

void
spark_ws_client_start (SparkWsClient            *self,
                       const SparkWsClientFuncs *funcs,
                       gpointer                  user_data)
{
  g_return_if_fail (SPARK_IS_WS_CLIENT (self));
  g_return_if_fail (funcs != NULL);

  self->funcs = *funcs;
  self->user_data = user_data;
  if (self->started)
    return;
  self->started = TRUE;
  /* Frames that came with the handshake's answer: from the main loop. */
  g_idle_add (start_cb, g_object_ref (self));
}

void
spark_ws_client_set_max_message_size (SparkWsClient *self,
                                      guint64        max_size)
{
  g_return_if_fail (SPARK_IS_WS_CLIENT (self));

  self->max_size = max_size;
}

void
spark_ws_client_set_keepalive (SparkWsClient *self,
                               guint          seconds)
{
  g_return_if_fail (SPARK_IS_WS_CLIENT (self));

  g_clear_handle_id (&self->keepalive_source, g_source_remove);
  if (seconds > 0 && !self->finished)
    self->keepalive_source = g_timeout_add_seconds (seconds, keepalive_cb, self);
}

gboolean
spark_ws_client_is_open (SparkWsClient *self)
{
  g_return_val_if_fail (SPARK_IS_WS_CLIENT (self), FALSE);

  return !self->finished && !self->close_sent;
}

gboolean
spark_ws_client_send_text (SparkWsClient *self,
                           const char    *text,
                           gsize          length)
{
  g_return_val_if_fail (SPARK_IS_WS_CLIENT (self), FALSE);

  if (!spark_ws_client_is_open (self))
    return FALSE;
  send_frame (self, OP_TEXT, text, length);
  return TRUE;
}

void
spark_ws_client_close (SparkWsClient *self,
                       gushort        code,
                       const char    *reason)
{
  g_return_if_fail (SPARK_IS_WS_CLIENT (self));

  if (self->finished || self->close_sent)
    return;
  send_close (self, code, reason);
  self->close_source = g_timeout_add (CLOSE_WAIT_MS, close_timeout_cb, self);
  read_more (self);
}

static void
spark_ws_client_dispose (GObject *object)
{
  SparkWsClient *self = SPARK_WS_CLIENT (object);

  memset (&self->funcs, 0, sizeof self->funcs);
  g_clear_handle_id (&self->keepalive_source, g_source_remove);
  g_clear_handle_id (&self->close_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->stream != NULL && !self->finished)
    g_io_stream_close (self->stream, NULL, NULL);
  self->finished = TRUE;
  g_queue_clear_full (&self->out, (GDestroyNotify) g_bytes_unref);
  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (spark_ws_client_parent_class)->dispose (object);
}

static void
spark_ws_client_finalize (GObject *object)
{
  SparkWsClient *self = SPARK_WS_CLIENT (object);

  g_free (self->buf);
  g_byte_array_unref (self->partial);
  g_clear_error (&self->end_error);
  g_free (self->end_reason);

  G_OBJECT_CLASS (spark_ws_client_parent_class)->finalize (object);
}

static void
spark_ws_client_class_init (SparkWsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spark_ws_client_dispose;
  object_class->finalize = spark_ws_client_finalize;
}

static void
spark_ws_client_init (SparkWsClient *self)
{
  self->cancellable = g_cancellable_new ();
  self->cap = READ_SIZE;
  self->buf = g_malloc (self->cap);
  self->partial = g_byte_array_new ();
  self->max_size = SPARK_MAX_FRAME_SIZE;
  g_queue_init (&self->out);
}

SparkWsClient *
spark_ws_client_new_for_stream (GIOStream  *stream,
                                const char *received,
                                gsize       length)
{
  SparkWsClient *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (received != NULL || length == 0, NULL);

  self = g_object_new (SPARK_TYPE_WS_CLIENT, NULL);
  self->stream = g_object_ref (stream);
  if (length > self->cap)
    {
      self->cap = length + READ_SIZE;
      self->buf = g_realloc (self->buf, self->cap);
    }
  if (length > 0)
    memcpy (self->buf, received, length);
  self->len = length;

  return self;
}

/* The handshake */

typedef struct
{
  GTlsDatabase      *database;
  GSocketConnection *conn;
  char              *key;
  char              *request;
  GString           *head;
  guint8             chunk[4096];
  guint              status;
  char              *reason;
  char              *retry_after;
} Handshake;

static void
handshake_free (Handshake *hs)
{
  g_clear_object (&hs->database);
  g_clear_object (&hs->conn);
  g_free (hs->key);
  g_free (hs->request);
  if (hs->head != NULL)
    g_string_free (hs->head, TRUE);
  g_free (hs->retry_after);
  g_free (hs->reason);
  g_free (hs);
}

/* base64 (SHA-1 (@key GUID)), what the server must answer. */
static char *
expected_accept (const char *key)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize length = sizeof digest;

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) ACCEPT_GUID, -1);
  g_checksum_get_digest (sha1, digest, &length);

  return g_base64_encode (digest, length);
}

static void
check_answer (GTask     *task,
              Handshake *hs,
              gsize      head_len)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *accept = expected_accept (hs->key);
  g_autofree char *reason = NULL;
  const char *got;
  SparkWsClient *self;
  guint status = 0;

  if (!soup_headers_parse_response (hs->head->str, head_len, headers, NULL, &status, &reason))
    {
      g_task_return_new_error (task, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_PROTOCOL,
                               _("The server's answer to the WebSocket upgrade is not HTTP"));
      return;
    }
  hs->status = status;
  hs->reason = g_strdup (reason);
  if (status != SOUP_STATUS_SWITCHING_PROTOCOLS)
    {
      hs->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
      /* Not shown: the transport says it in its own words, by @status. */
      g_task_return_new_error (task, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_HANDSHAKE,
                               "HTTP %u %s", status, reason ? reason : "");
      return;
    }

  if (!soup_message_headers_header_equals (headers, "Upgrade", "websocket") ||
      !soup_message_headers_header_contains (headers, "Connection", "upgrade"))
    {
      g_task_return_new_error (task, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_PROTOCOL,
                               _("The server switched to something other than WebSocket"));
      return;
    }
  got = soup_message_headers_get_one (headers, "Sec-WebSocket-Accept");
  if (got == NULL || strcmp (got, accept) != 0)
    {
      if (got == NULL)
        g_task_return_new_error (task, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_PROTOCOL,
                                 _("The server's answer has no Sec-WebSocket-Accept"));
      else
        g_task_return_new_error (task, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_PROTOCOL,
                                 _("The server's Sec-WebSocket-Accept is wrong (“%s”)"), got);
      return;
    }
  if (soup_message_headers_get_one (headers, "Sec-WebSocket-Extensions") != NULL ||
      soup_message_headers_get_one (headers, "Sec-WebSocket-Protocol") != NULL)
    {
      g_task_return_new_error (task, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_PROTOCOL,
                               _("The server chose an extension or subprotocol none was offered"));
      return;
    }

  /* Frames may have come in the same read as the answer. */
  self = spark_ws_client_new_for_stream (G_IO_STREAM (hs->conn),
                                         hs->head->str + head_len, hs->head->len - head_len);
  g_clear_object (&hs->conn);
  g_task_return_pointer (task, self, g_object_unref);
}

static void head_read_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

/* Reads more of the server's answer; takes @task. */
static void
read_head (GTask *task)
{
  Handshake *hs = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (hs->conn)), hs->chunk,
                             sizeof hs->chunk, G_PRIORITY_DEFAULT, cancellable, head_read_cb, task);
}

static void
head_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Handshake *hs = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *end;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n <= 0)
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_CLOSED,
                                 _("The server closed the connection during the WebSocket upgrade"));
      return;
    }

  g_string_append_len (hs->head, (const char *) hs->chunk, n);
  end = g_strstr_len (hs->head->str, hs->head->len, "\r\n\r\n");
  if (end != NULL)
    {
      check_answer (task, hs, end + 4 - hs->head->str);
      return;
    }
  if (hs->head->len > MAX_HEAD)
    {
      g_task_return_new_error (task, SPARK_WS_CLIENT_ERROR, SPARK_WS_CLIENT_ERROR_PROTOCOL,
                               _("The server's answer to the WebSocket upgrade is too long"));
      return;
    }

  read_head (g_steal_pointer (&task));
}

static void
request_written_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Handshake *hs = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  hs->head = g_string_new (NULL);
  read_head (g_steal_pointer (&task));
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Handshake *hs = g_task_get_task_data (task);
  GCancellable *cancellable;
  g_autoptr(GError) error = NULL;

  hs->conn = g_socket_client_connect_to_uri_finish (G_SOCKET_CLIENT (object), result, &error);
  if (hs->conn == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (hs->conn)),
                                   hs->request, strlen (hs->request), G_PRIORITY_DEFAULT,
                                   cancellable, request_written_cb, g_steal_pointer (&task));
}

static void
socket_event_cb (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  GTlsDatabase *database = user_data;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (connection), database);
}

void
spark_ws_client_connect_async (const char          *url,
                               const char * const  *headers,
                               GTlsDatabase        *database,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GString) request = NULL;
  g_autofree char *target = NULL;
  g_autofree char *host = NULL;
  Handshake *hs = g_new0 (Handshake, 1);
  const char *scheme;
  guint8 nonce[16];
  gboolean tls;
  int port;

  g_task_set_source_tag (task, spark_ws_client_connect_async);
  g_task_set_task_data (task, hs, (GDestroyNotify) handshake_free);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL || g_uri_get_host (uri) == NULL ||
      (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Not a WebSocket URL: “%s”"), url);
      return;
    }
  tls = g_ascii_strcasecmp (scheme, "wss") == 0;
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (tls ? 443 : 80);
  host = strchr (g_uri_get_host (uri), ':') ? g_strdup_printf ("[%s]", g_uri_get_host (uri))
                                            : g_strdup (g_uri_get_host (uri));

  for (guint i = 0; i < sizeof nonce; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (nonce + i, &r, 4);
    }
  hs->key = g_base64_encode (nonce, sizeof nonce);
  hs->database = database ? g_object_ref (database) : NULL;

  request = g_string_new (NULL);
  g_string_append_printf (request, "GET %s%s%s HTTP/1.1\r\n",
                          *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/",
                          g_uri_get_query (uri) ? "?" : "",
                          g_uri_get_query (uri) ? g_uri_get_query (uri) : "");
  if (port == (tls ? 443 : 80))
    g_string_append_printf (request, "Host: %s\r\n", host);
  else
    g_string_append_printf (request, "Host: %s:%d\r\n", host, port);
  g_string_append_printf (request, "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                                   "User-Agent: Spark/" PACKAGE_VERSION "\r\n", hs->key);
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    g_string_append_printf (request, "%s: %s\r\n", headers[i], headers[i + 1]);
  g_string_append (request, "\r\n");
  hs->request = g_string_free (g_steal_pointer (&request), FALSE);

  /* GSocketClient asks the default proxy resolver, as libsoup does, for
   * the http(s) URL of the same place. */
  target = g_strdup_printf ("%s://%s:%d", tls ? "https" : "http", host, port);
  client = g_socket_client_new ();
  g_socket_client_set_tls (client, tls);
  if (database != NULL)
    g_signal_connect_data (client, "event", G_CALLBACK (socket_event_cb),
                           g_object_ref (database), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  g_socket_client_connect_to_uri_async (client, target, port, cancellable, connected_cb,
                                        g_steal_pointer (&task));
}

SparkWsClient *
spark_ws_client_connect_finish (GAsyncResult  *result,
                                guint         *status,
                                char         **reason,
                                char         **retry_after,
                                GError       **error)
{
  Handshake *hs;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  hs = g_task_get_task_data (G_TASK (result));
  if (status != NULL)
    *status = hs->status;
  if (reason != NULL)
    *reason = g_strdup (hs->reason);
  if (retry_after != NULL)
    *retry_after = g_strdup (hs->retry_after);

  return g_task_propagate_pointer (G_TASK (result), error);
}
