/* spark-sse-parser.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-sse-parser"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#ifdef __SSE2__
# include <emmintrin.h>
#endif

#include "spark-agent-types.h"
#include "spark-responses.h"
#include "spark-sse-parser.h"

struct _SparkSseParser
{
  GString *line;          /* the line being read, without its end */
  GString *data;          /* the data of the event being read */
  gsize    max_event_size;
  guint    after_cr : 1;  /* the last line ended with CR: a LF next is part of it */
  guint    stopped : 1;   /* the callback said stop, or the input was bad */
};

SparkSseParser *
spark_sse_parser_new (gsize max_event_size)
{
  SparkSseParser *self = g_new0 (SparkSseParser, 1);

  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->max_event_size = max_event_size;

  return self;
}

void
spark_sse_parser_free (SparkSseParser *self)
{
  if (self == NULL)
    return;

  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_free (self);
}

static gboolean
too_big (SparkSseParser  *self,
         GError         **error)
{
  g_autofree char *limit = g_format_size_full (self->max_event_size, G_FORMAT_SIZE_IEC_UNITS);

  self->stopped = TRUE;
  g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
               _("Server sent an event larger than %s"), limit);
  return FALSE;
}

static void
dispatch (SparkSseParser    *self,
          SparkSseEventFunc  func,
          gpointer           user_data)
{
  if (self->data->len > 0 && !func (self->data->str, self->data->len, user_data))
    self->stopped = TRUE;
  self->data->len = 0;
  self->data->str[0] = '\0';
}

/* The length of the line at @text: up to its LF, or all @length bytes
 * without one. *@plain: whether those bytes are known to be ASCII without
 * NUL and CR, so need neither a search for a CR nor a UTF-8 check. With
 * SSE2 (every x86-64) one pass, sixteen bytes at a time, finds the LF and
 * checks the bytes before it; elsewhere nothing is known. */
static gsize
find_line (const char *text,
           gsize       length,
           gboolean   *plain)
{
#ifdef __SSE2__
  const __m128i lf = _mm_set1_epi8 ('\n');
  const __m128i cr = _mm_set1_epi8 ('\r');
  const __m128i zero = _mm_setzero_si128 ();
  guint odd = 0;
  gsize i = 0;

  for (; i + 16 <= length; i += 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (text + i));
      guint at_lf = _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, lf));
      /* The high bit of each byte: set, or set by a NUL or CR match. */
      guint bad = _mm_movemask_epi8 (_mm_or_si128 (v, _mm_or_si128 (_mm_cmpeq_epi8 (v, zero),
                                                                     _mm_cmpeq_epi8 (v, cr))));

      if (at_lf != 0)
        {
          guint n = __builtin_ctz (at_lf);

          *plain = (odd | (bad & ((1u << n) - 1))) == 0;
          return i + n;
        }
      odd |= bad;
    }
  for (; i < length && text[i] != '\n'; i++)
    {
      guchar b = text[i];

      odd |= b >= 0x80 || b == '\0' || b == '\r';
    }
  *plain = odd == 0;

  return i;
#else
  const char *lf = memchr (text, '\n', length);

  *plain = FALSE;

  return lf ? (gsize) (lf - text) : length;
#endif
}

/* Appends without GString's general insert: most events are one short
 * line, copied into a buffer that is already large enough. */
static inline void
append (GString    *string,
        const char *text,
        gsize       length)
{
  if (string->len + length >= string->allocated_len)
    {
      g_string_append_len (string, text, length);
      return;
    }
  memcpy (string->str + string->len, text, length);
  string->len += length;
  string->str[string->len] = '\0';
}

/* Out of line, as too_big(): its message's locals would cost every line
 * of take_line() a few instructions. */
G_GNUC_NO_INLINE static gboolean
not_utf8 (SparkSseParser  *self,
          const char      *line,
          gsize            len,
          GError         **error)
{
  g_autofree char *snippet = spark_responses_snippet (line, len);

  self->stopped = TRUE;
  g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
               _("Server sent an event that is not UTF-8 text: %s"), snippet);
  return FALSE;
}

/* One whole line, without its end: @line is either in the caller's chunk
 * or self->line (a line that spanned chunks). @plain: it is known to be
 * ASCII without NUL (find_line()). */
static gboolean
take_line (SparkSseParser     *self,
           const char         *line,
           gsize               len,
           gboolean            plain,
           SparkSseEventFunc   func,
           gpointer            user_data,
           GError            **error)
{
  /* A NUL byte is not text either (g_utf8_validate() refuses it). */
  if (!plain && !spark_text_is_utf8 (line, len))
    return not_utf8 (self, line, len, error);

  if (len == 0)
    dispatch (self, func, user_data);
  else if (len >= 5 && memcmp (line, "data:", 5) == 0)
    {
      gsize skip = (len > 5 && line[5] == ' ') ? 6 : 5;
      gsize sep = self->data->len > 0 ? 1 : 0;

      if (self->data->len + sep + (len - skip) > self->max_event_size)
        return too_big (self, error);
      if (sep > 0)
        append (self->data, "\n", 1);
      append (self->data, line + skip, len - skip);
    }
  /* "event:", "id:", "retry:" and ":" comments carry nothing we need */

  return TRUE;
}

gboolean
spark_sse_parser_feed (SparkSseParser     *self,
                       const char         *data,
                       gsize               length,
                       SparkSseEventFunc   func,
                       gpointer            user_data,
                       GError            **error)
{
  gsize i = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  while (i < length && !self->stopped)
    {
      const char *p = data + i;
      const char *eol;
      gboolean plain;
      gsize end;

      if (self->after_cr)
        {
          self->after_cr = FALSE;
          if (data[i] == '\n')
            {
              i++;
              continue;
            }
        }

      /* Lines end in \n, \r\n or \r. A plain run up to the \n has no
       * CR: no second search. */
      end = i + find_line (p, length - i, &plain);
      if (!plain && (eol = memchr (p, '\r', end - i)) != NULL)
        end = eol - data;

      if (self->line->len + (end - i) > self->max_event_size)
        return too_big (self, error);

      if (end == length)
        {
          append (self->line, p, end - i);
          break;
        }

      self->after_cr = data[end] == '\r';

      if (self->line->len > 0)
        {
          gboolean ok;

          append (self->line, p, end - i);
          ok = take_line (self, self->line->str, self->line->len, FALSE, func, user_data, error);
          g_string_truncate (self->line, 0);
          if (!ok)
            return FALSE;
        }
      else if (!take_line (self, p, end - i, plain, func, user_data, error))
        return FALSE;

      i = end + 1;
    }

  return TRUE;
}

gboolean
spark_sse_parser_finish (SparkSseParser     *self,
                         SparkSseEventFunc   func,
                         gpointer            user_data,
                         GError            **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (self->stopped)
    return TRUE;

  if (self->line->len > 0)
    {
      gboolean ok = take_line (self, self->line->str, self->line->len, FALSE, func, user_data, error);

      g_string_truncate (self->line, 0);
      if (!ok)
        return FALSE;
    }

  if (!self->stopped)
    dispatch (self, func, user_data);
  self->stopped = TRUE;

  return TRUE;
}
