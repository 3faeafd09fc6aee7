/* spark-memory.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-memory"

#include "config.h"

#include <stdlib.h>
/* <stdlib.h> defines __GLIBC__ on the C library that has malloc_trim(). */
#ifdef __GLIBC__
# include <malloc.h>
#endif

#include "spark-memory.h"

static guint release_source;

static gboolean
release_cb (gpointer data)
{
  release_source = 0;
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

/**
 * spark_memory_release_later:
 *
 * Hands the memory freed after a big job (a 100,000-entry listing, the git
 * status of as many files) back to the system, once the main loop is idle.
 * glibc only returns the top of each heap by itself; the temporaries of a
 * worker thread leave free pages between the pages still in use, which
 * malloc_trim() releases. Calls made before it runs are coalesced. Main
 * thread only.
 */
void
spark_memory_release_later (void)
{
  if (release_source != 0)
    return;

  release_source = g_idle_add_full (G_PRIORITY_LOW, release_cb, NULL, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, release_source),
                            "[spark] release freed memory");
}
