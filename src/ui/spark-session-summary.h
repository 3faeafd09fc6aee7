/* spark-session-summary.h — what a saved session was about, for listing.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char   *id;
  /* The first user prompt's first line, or NULL. */
  char   *title;
  /* When the last line was written (Unix seconds, UTC). */
  gint64  time;
  /* Project-relative paths named by apply_patch calls, in first-touched
   * order, without duplicates (NULL-terminated, never NULL). */
  GStrv   files;
} SparkSessionSummary;

SparkSessionSummary *spark_session_summary_parse       (const char          *id,
                                                        const char          *contents,
                                                        gsize                length);
SparkSessionSummary *spark_session_summary_load        (const char          *path,
                                                        GError             **error);
void                 spark_session_summary_free        (SparkSessionSummary *summary);
/* The summaries of @root's saved sessions in @store_dir, newest first
 * (blocking: call from a thread). Unreadable files are skipped. */
GPtrArray           *spark_session_summary_list        (const char          *store_dir,
                                                        const char          *root);
/* "Just now", "5 minutes ago", "3 hours ago", "Yesterday", "Mar 4" or
 * "Mar 4, 2025", relative to @now (local time). */
char                *spark_session_summary_format_time (gint64               time,
                                                        GDateTime           *now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkSessionSummary, spark_session_summary_free)

G_END_DECLS
