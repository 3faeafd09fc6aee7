/* spark-audience.h — who a text is for: the person (their language) or the
 * model (always English).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SPARK_AUDIENCE_PERSON,
  SPARK_AUDIENCE_MODEL,
} SparkAudience;

/* Text built between a push and its pop on the calling thread is for
 * @audience: for the model, gettext (our strings, ngettext, GLib's own messages)
 * returns the English msgids and spark_audience_strerror() English; for the
 * person, the process's language. Pushes nest; each thread has its own. */
void          spark_audience_push     (SparkAudience  audience);
void          spark_audience_pop      (void);
SparkAudience spark_audience_get      (void);

/* strerror in the current audience's language, as UTF-8. Unlike
 * g_strerror(), which keeps the first language it saw for each errno. */
const char   *spark_audience_strerror (int            errsv);

/* @person or @model, whichever suits the current audience (@person when
 * @model is %NULL). */
const char   *spark_audience_pick     (const char    *person,
                                       const char    *model);

G_END_DECLS
