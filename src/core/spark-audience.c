/* spark-audience.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-audience"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "spark-audience.h"

/* The model is spoken to in English whatever the person's language: its
 * instructions, the tool outputs it was trained on ("Success. Updated the
 * following files:") and our error texts are all written for it in English.
 * Core code that serves both (a GError from the patch engine reaches the
 * review pane and the model) is run once per audience; for the model, the
 * thread's LC_MESSAGES is "C", where gettext ignores LANGUAGE and returns
 * the msgid. Only LC_MESSAGES changes: number formats and the charset stay. */

typedef struct
{
  SparkAudience audience;
  locale_t      previous;
  locale_t      created;   /* ours to free, or (locale_t) 0 */
} Entry;

static void
stack_free (gpointer data)
{
  GArray *stack = data;

  /* A thread that ends with pushes left: give the locales back. */
  for (guint i = stack->len; i > 0; i--)
    {
      Entry *e = &g_array_index (stack, Entry, i - 1);

      if (e->created != (locale_t) 0)
        {
          uselocale (e->previous);
          freelocale (e->created);
        }
    }
  g_array_free (stack, TRUE);
}

static GPrivate stack_key = G_PRIVATE_INIT (stack_free);

static GArray *
get_stack (void)
{
  GArray *stack = g_private_get (&stack_key);

  if (stack == NULL)
    {
      stack = g_array_new (FALSE, FALSE, sizeof (Entry));
      g_private_set (&stack_key, stack);
    }
  return stack;
}

void
spark_audience_push (SparkAudience audience)
{
  GArray *stack = get_stack ();
  Entry e = { audience, (locale_t) 0, (locale_t) 0 };

  if (audience == SPARK_AUDIENCE_MODEL)
    {
      locale_t base = duplocale (LC_GLOBAL_LOCALE);

      if (base != (locale_t) 0)
        {
          e.created = newlocale (LC_MESSAGES_MASK, "C", base);
          if (e.created == (locale_t) 0)
            freelocale (base);
        }
      if (e.created == (locale_t) 0)
        g_critical ("Cannot make a locale for the model's English text");
    }

  /* The person's language is the process's own locale. */
  e.previous = uselocale (e.created != (locale_t) 0 ? e.created : LC_GLOBAL_LOCALE);
  g_array_append_val (stack, e);
}

void
spark_audience_pop (void)
{
  GArray *stack = get_stack ();
  Entry *e;

  g_return_if_fail (stack->len > 0);

  e = &g_array_index (stack, Entry, stack->len - 1);
  uselocale (e->previous);
  if (e->created != (locale_t) 0)
    freelocale (e->created);
  g_array_set_size (stack, stack->len - 1);
}

SparkAudience
spark_audience_get (void)
{
  GArray *stack = g_private_get (&stack_key);

  if (stack == NULL || stack->len == 0)
    return SPARK_AUDIENCE_PERSON;
  return g_array_index (stack, Entry, stack->len - 1).audience;
}

const char *
spark_audience_strerror (int errsv)
{
  locale_t current = uselocale ((locale_t) 0);
  locale_t copy = (locale_t) 0;
  g_autofree char *utf8 = NULL;
  const char *text;
  const char *interned;

  /* strerror_l() takes no LC_GLOBAL_LOCALE: use a copy of it then. glibc
   * translates through the locale's LC_MESSAGES (and honours LANGUAGE
   * unless that is "C"). The strings are kept for the process: interned,
   * one per errno and language. */
  if (current == LC_GLOBAL_LOCALE)
    current = copy = duplocale (LC_GLOBAL_LOCALE);
  if (current == (locale_t) 0)
    return g_intern_string (g_strerror (errsv));

  text = strerror_l (errsv, current);
  if (text == NULL)
    interned = g_intern_static_string ("");
  else if (g_get_charset (NULL))
    interned = g_intern_string (text);
  else
    {
      utf8 = g_locale_to_utf8 (text, -1, NULL, NULL, NULL);
      interned = g_intern_string (utf8 != NULL ? utf8 : text);
    }

  if (copy != (locale_t) 0)
    freelocale (copy);
  return interned;
}

const char *
spark_audience_pick (const char *person,
                     const char *model)
{
  if (model != NULL && spark_audience_get () == SPARK_AUDIENCE_MODEL)
    return model;
  return person;
}
