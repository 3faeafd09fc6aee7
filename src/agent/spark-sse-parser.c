/* spark-sse-parser.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-sse-parser"

#include "config.h"

#include <string.h>

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
               "Server sent an event larger than %s", limit);
  return FALSE;
}

static void
dispatch (SparkSseParser    *self,
          SparkSseEventFunc  func,
          gpointer           user_data)
{
  if (self->data->len > 0 && !func (self->data->str, self->data->len, user_data))
    self->stopped = TRUE;
  g_string_truncate (self->data, 0);
}

/* One whole line, in self->line. */
static gboolean
take_line (SparkSseParser     *self,
           SparkSseEventFunc   func,
           gpointer            user_data,
           GError            **error)
{
  const char *line = self->line->str;
  gsize len = self->line->len;

  if (!g_utf8_validate (line, len, NULL))
    {
      g_autofree char *snippet = spark_responses_snippet (line, len);

      self->stopped = TRUE;
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                   "Server sent an event that is not UTF-8 text: %s", snippet);
      return FALSE;
    }

  if (len == 0)
    dispatch (self, func, user_data);
  else if (len >= 5 && memcmp (line, "data:", 5) == 0)
    {
      gsize skip = (len > 5 && line[5] == ' ') ? 6 : 5;
      gsize sep = self->data->len > 0 ? 1 : 0;

      if (self->data->len + sep + (len - skip) > self->max_event_size)
        return too_big (self, error);
      if (self->data->len > 0)
        g_string_append_c (self->data, '\n');
      g_string_append_len (self->data, line + skip, len - skip);
    }
  /* "event:", "id:", "retry:" and ":" comments carry nothing we need */

  g_string_truncate (self->line, 0);
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
      gsize end = i;

      if (self->after_cr)
        {
          self->after_cr = FALSE;
          if (data[i] == '\n')
            {
              i++;
              continue;
            }
        }

      while (end < length && data[end] != '\n' && data[end] != '\r')
        end++;

      if (self->line->len + (end - i) > self->max_event_size)
        return too_big (self, error);
      g_string_append_len (self->line, data + i, end - i);

      if (end == length)
        break;

      self->after_cr = data[end] == '\r';
      i = end + 1;

      if (!take_line (self, func, user_data, error))
        return FALSE;
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

  if (self->line->len > 0 && !take_line (self, func, user_data, error))
    return FALSE;

  if (!self->stopped)
    dispatch (self, func, user_data);
  self->stopped = TRUE;

  return TRUE;
}
