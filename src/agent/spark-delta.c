/* spark-delta.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-delta"

#include "config.h"

#include <string.h>

#include "spark-delta.h"

static const struct {
  const char     *type;
  gsize           length;
  SparkEventKind  kind;
} delta_kinds[] = {
#define KIND(t, k) { t, sizeof t - 1, k }
  KIND ("response.output_text.delta", SPARK_EVENT_OUTPUT_TEXT_DELTA),
  KIND ("response.reasoning_summary_text.delta", SPARK_EVENT_REASONING_SUMMARY_DELTA),
  KIND ("response.function_call_arguments.delta", SPARK_EVENT_FUNCTION_ARGUMENTS_DELTA),
  KIND ("response.custom_tool_call_input.delta", SPARK_EVENT_CUSTOM_INPUT_DELTA),
#undef KIND
};

void
spark_delta_init (SparkDelta *delta)
{
  memset (delta, 0, sizeof *delta);
  delta->item_id = g_string_new (NULL);
  delta->delta = g_string_new (NULL);
}

void
spark_delta_clear (SparkDelta *delta)
{
  if (delta->item_id != NULL)
    g_string_free (delta->item_id, TRUE);
  if (delta->delta != NULL)
    g_string_free (delta->delta, TRUE);
  memset (delta, 0, sizeof *delta);
}

typedef struct
{
  const char *p;
  const char *end;
} Scan;

G_ALWAYS_INLINE static inline void
skip_ws (Scan *s)
{
  /* Servers send compact JSON: one test for the usual case, no space. */
  while (s->p < s->end && (guchar) *s->p <= ' ' &&
         (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

G_ALWAYS_INLINE static inline gboolean
take (Scan *s,
      char  c)
{
  /* Usually right there, with no space before it. */
  if (s->p < s->end && *s->p == c)
    {
      s->p++;
      return TRUE;
    }
  skip_ws (s);
  if (s->p < s->end && *s->p == c)
    {
      s->p++;
      return TRUE;
    }
  return FALSE;
}

/* Bytes a string scan must stop at: the closing quote, an escape, control
 * characters (invalid in JSON) and bytes of multi-byte characters. */
static const guint8 string_stop[256] = {
  [0x00 ... 0x1f] = 1,
  ['"'] = 1,
  ['\\'] = 1,
  [0x80 ... 0xff] = 1,
};

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* @out = the @length bytes at @text. GString's own calls cost more than
 * the copy for a token's few bytes: copy directly while it fits. */
G_ALWAYS_INLINE static inline void
string_set (GString    *out,
            const char *text,
            gsize       length)
{
  if (length >= out->allocated_len)
    {
      g_string_truncate (out, 0);
      g_string_append_len (out, text, length);
      return;
    }
  memcpy (out->str, text, length);
  out->str[length] = '\0';
  out->len = length;
}

/* A string, s->p just past its opening quote. Decoded into @out when not
 * NULL; *@raw_start and *@raw_length get the undecoded contents and
 * *@escaped whether there was any escape. FALSE for anything this scanner
 * leaves to json-glib: a control character, a \u escape of a surrogate or
 * of NUL, a bad escape, bytes that are not UTF-8, no closing quote. */
static gboolean
scan_string (Scan        *s,
             GString     *out,
             const char **raw_start,
             gsize       *raw_length,
             gboolean    *escaped)
{
  const char *start = s->p;
  const char *run = s->p;
  gboolean high = FALSE;

  *escaped = FALSE;

  while (s->p < s->end)
    {
      guchar c;

      while (s->p < s->end && !string_stop[(guchar) *s->p])
        s->p++;
      if (s->p >= s->end)
        break;

      c = *s->p;
      if (c == '"')
        break;

      if (c < 0x20)
        return FALSE;

      if (c >= 0x80)
        {
          high = TRUE;
          s->p++;
          continue;
        }

      if (out != NULL)
        {
          /* The first escape: what came before it is the start of @out. */
          if (!*escaped)
            string_set (out, run, s->p - run);
          else
            g_string_append_len (out, run, s->p - run);
        }
      *escaped = TRUE;
      if (s->end - s->p < 2)
        return FALSE;

      switch (s->p[1])
        {
        case '"': case '\\': case '/':
          if (out != NULL)
            g_string_append_c (out, s->p[1]);
          s->p += 2;
          break;
        case 'b': if (out != NULL) g_string_append_c (out, '\b'); s->p += 2; break;
        case 'f': if (out != NULL) g_string_append_c (out, '\f'); s->p += 2; break;
        case 'n': if (out != NULL) g_string_append_c (out, '\n'); s->p += 2; break;
        case 'r': if (out != NULL) g_string_append_c (out, '\r'); s->p += 2; break;
        case 't': if (out != NULL) g_string_append_c (out, '\t'); s->p += 2; break;
        case 'u':
          {
            gunichar u = 0;

            if (s->end - s->p < 6)
              return FALSE;
            for (guint i = 2; i < 6; i++)
              {
                int v = hex_value (s->p[i]);

                if (v < 0)
                  return FALSE;
                u = (u << 4) | (gunichar) v;
              }
            if (u == 0 || (u >= 0xD800 && u < 0xE000))
              return FALSE;
            if (out != NULL)
              g_string_append_unichar (out, u);
            s->p += 6;
          }
          break;
        default:
          return FALSE;
        }
      run = s->p;
    }

  if (s->p >= s->end)
    return FALSE;

  if (high && !g_utf8_validate_len (start, s->p - start, NULL))
    return FALSE;

  if (out != NULL)
    {
      if (!*escaped)
        string_set (out, run, s->p - run);
      else
        g_string_append_len (out, run, s->p - run);
    }
  *raw_start = start;
  *raw_length = s->p - start;
  s->p++;   /* the closing quote */

  return TRUE;
}

/* Whether s->p is at the end or at what may follow a value in an object:
 * not "1.5", "1e3", "1x" or "truex". */
G_ALWAYS_INLINE static inline gboolean
at_value_end (Scan *s)
{
  if (s->p >= s->end)
    return TRUE;
  switch (*s->p)
    {
    case ' ': case '\t': case '\n': case '\r': case ',': case '}':
      return TRUE;
    default:
      return FALSE;
    }
}

/* An integer of up to 15 digits, as sequence_number and the indexes are,
 * its value in *@value when not NULL (digits only: the caller refuses a
 * sign where it wants a value). Fractions, exponents, leading zeros and
 * longer numbers are left to json-glib, whose limits this need not copy. */
static gboolean
scan_number (Scan   *s,
             gint64 *value)
{
  const char *digits;
  guint64 v = 0;   /* unsigned: a long run of digits wraps, then is refused */

  if (s->p < s->end && *s->p == '-')
    s->p++;
  digits = s->p;
  while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
    v = v * 10 + (guint64) (*s->p++ - '0');
  if (s->p == digits || s->p - digits > 15 || (digits[0] == '0' && s->p - digits > 1))
    return FALSE;
  if (value != NULL)
    *value = (gint64) v;

  return at_value_end (s);
}

static gboolean
scan_literal (Scan       *s,
              const char *word,
              gsize       length)
{
  if ((gsize) (s->end - s->p) < length || memcmp (s->p, word, length) != 0)
    return FALSE;
  s->p += length;
  return at_value_end (s);
}

/* A value this scanner does not keep. Objects and non-empty arrays are
 * left to json-glib. */
static gboolean
skip_value (Scan *s)
{
  const char *raw;
  gsize raw_length;
  gboolean escaped;

  skip_ws (s);
  if (s->p >= s->end)
    return FALSE;

  switch (*s->p)
    {
    case '"':
      s->p++;
      return scan_string (s, NULL, &raw, &raw_length, &escaped);
    case '[':
      s->p++;
      return take (s, ']');
    case 't':
      return scan_literal (s, "true", 4);
    case 'f':
      return scan_literal (s, "false", 5);
    case 'n':
      return scan_literal (s, "null", 4);
    default:
      return scan_number (s, NULL);
    }
}

static gboolean
key_is (const char *raw,
        gsize       length,
        const char *key,
        gsize       key_length)
{
  return length == key_length && memcmp (raw, key, length) == 0;
}

typedef enum
{
  KEY_OTHER,
  KEY_TYPE,
  KEY_DELTA,
  KEY_ITEM_ID,
  KEY_SEQUENCE,
} Key;

/* memcmp (@a, @b, @length) == 0, eight bytes at a time: inlined, where
 * the library call costs more than the comparison of a key. */
G_ALWAYS_INLINE static inline gboolean
same_bytes (const char *a,
            const char *b,
            gsize       length)
{
  for (; length >= 8; a += 8, b += 8, length -= 8)
    {
      guint64 x, y;

      memcpy (&x, a, 8);
      memcpy (&y, b, 8);
      if (x != y)
        return FALSE;
    }
  for (; length > 0; length--)
    if (*a++ != *b++)
      return FALSE;

  return TRUE;
}

/* Whether the text at s->p is @word and a closing quote; then skips them. */
G_ALWAYS_INLINE static inline gboolean
take_quoted (Scan       *s,
             const char *word,
             gsize       length)
{
  if ((gsize) (s->end - s->p) <= length || !same_bytes (s->p, word, length) || s->p[length] != '"')
    return FALSE;
  s->p += length + 1;
  return TRUE;
}

#define TAKE_QUOTED(s, word) take_quoted (s, word, sizeof word - 1)

/* A key, s->p just past its opening quote. The keys of delta events are
 * matched as they are (a literal needs no checking); others are scanned. */
static gboolean
scan_key (Scan *s,
          Key  *key)
{
  const char *raw;
  gsize raw_length;
  gboolean escaped;

  *key = KEY_OTHER;
  if (s->p < s->end)
    switch (*s->p)
      {
      case 't':
        if (TAKE_QUOTED (s, "type"))
          {
            *key = KEY_TYPE;
            return TRUE;
          }
        break;
      case 'd':
        if (TAKE_QUOTED (s, "delta"))
          {
            *key = KEY_DELTA;
            return TRUE;
          }
        break;
      case 'i':
        if (TAKE_QUOTED (s, "item_id"))
          {
            *key = KEY_ITEM_ID;
            return TRUE;
          }
        break;
      case 's':
        if (TAKE_QUOTED (s, "sequence_number"))
          {
            *key = KEY_SEQUENCE;
            return TRUE;
          }
        if (TAKE_QUOTED (s, "summary_index"))
          return TRUE;
        break;
      case 'o':
        if (TAKE_QUOTED (s, "output_index") || TAKE_QUOTED (s, "obfuscation"))
          return TRUE;
        break;
      case 'c':
        if (TAKE_QUOTED (s, "content_index"))
          return TRUE;
        break;
      case 'l':
        if (TAKE_QUOTED (s, "logprobs"))
          return TRUE;
        break;
      default:
        break;
      }

  if (!scan_string (s, NULL, &raw, &raw_length, &escaped) || escaped)
    return FALSE;
  if (key_is (raw, raw_length, "type", 4))
    *key = KEY_TYPE;
  else if (key_is (raw, raw_length, "delta", 5))
    *key = KEY_DELTA;
  else if (key_is (raw, raw_length, "item_id", 7))
    *key = KEY_ITEM_ID;
  else if (key_is (raw, raw_length, "sequence_number", 15))
    *key = KEY_SEQUENCE;

  return TRUE;
}

/* The "type" value, s->p just past its opening quote: a delta kind, or
 * SPARK_EVENT_UNKNOWN for any other type. */
static SparkEventKind
scan_type (Scan *s)
{
  static const gsize prefix = sizeof "response." - 1;
  guint i;

  /* The four types differ in their first letter after "response.". */
  if ((gsize) (s->end - s->p) <= prefix)
    return SPARK_EVENT_UNKNOWN;
  switch (s->p[prefix])
    {
    case 'o': i = 0; break;
    case 'r': i = 1; break;
    case 'f': i = 2; break;
    case 'c': i = 3; break;
    default: return SPARK_EVENT_UNKNOWN;
    }
  if (take_quoted (s, delta_kinds[i].type, delta_kinds[i].length))
    return delta_kinds[i].kind;

  return SPARK_EVENT_UNKNOWN;
}

const char *
spark_delta_kind_type (SparkEventKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (delta_kinds); i++)
    if (delta_kinds[i].kind == kind)
      return delta_kinds[i].type;

  return NULL;
}

gboolean
spark_delta_scan (SparkDelta *delta,
                  const char *text,
                  gsize       length)
{
  Scan s = { text, text + length };
  gboolean seen_type = FALSE, seen_delta = FALSE;

  g_return_val_if_fail (delta != NULL && delta->delta != NULL, FALSE);
  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  delta->kind = SPARK_EVENT_UNKNOWN;
  delta->has_item_id = FALSE;
  delta->sequence = -1;

  if (!take (&s, '{'))
    return FALSE;

  if (!take (&s, '}'))
    {
      do
        {
          const char *raw;
          gsize raw_length;
          gboolean escaped;
          Key key;

          if (!take (&s, '"') || !scan_key (&s, &key) || !take (&s, ':'))
            return FALSE;

          switch (key)
            {
            case KEY_TYPE:
              /* Any other type, or an escaped one, is left to json-glib. */
              if (seen_type || !take (&s, '"') ||
                  (delta->kind = scan_type (&s)) == SPARK_EVENT_UNKNOWN)
                return FALSE;
              seen_type = TRUE;
              break;

            case KEY_DELTA:
              if (seen_delta || !take (&s, '"') ||
                  !scan_string (&s, delta->delta, &raw, &raw_length, &escaped))
                return FALSE;
              seen_delta = TRUE;
              break;

            case KEY_ITEM_ID:
              if (delta->has_item_id || !take (&s, '"'))
                return FALSE;
              /* The deltas of an item repeat its id: the same bytes as the
               * last id read, which had no escapes, are that id again. */
              if (delta->item_id_raw && (gsize) (s.end - s.p) > delta->item_id->len &&
                  same_bytes (s.p, delta->item_id->str, delta->item_id->len) &&
                  s.p[delta->item_id->len] == '"')
                s.p += delta->item_id->len + 1;
              else
                {
                  delta->item_id_raw = FALSE;
                  if (!scan_string (&s, delta->item_id, &raw, &raw_length, &escaped))
                    return FALSE;
                  delta->item_id_raw = !escaped;
                }
              delta->has_item_id = TRUE;
              break;

            case KEY_SEQUENCE:
              {
                const char *start = s.p;
                gint64 value;

                /* A plain integer; anything else goes to json-glib. */
                if (delta->sequence >= 0 || !scan_number (&s, &value) || *start == '-')
                  return FALSE;
                delta->sequence = value;
              }
              break;

            case KEY_OTHER:
            default:
              if (!skip_value (&s))
                return FALSE;
              break;
            }
        }
      while (take (&s, ','));

      if (!take (&s, '}'))
        return FALSE;
    }

  skip_ws (&s);
  return s.p == s.end && seen_type && seen_delta;
}
