/* spark-session-list.h — the project's saved sessions, to resume one.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-session-summary.h"

G_BEGIN_DECLS

#define SPARK_TYPE_SESSION_LIST (spark_session_list_get_type ())

G_DECLARE_FINAL_TYPE (SparkSessionList, spark_session_list, SPARK, SESSION_LIST, GtkWidget)

/*
 * Popover content: one row a saved session, newest first, with its title
 * (the first prompt), when it was last used and the files its patches
 * touched, and a Resume button.
 *
 * Signals:
 *   resume-requested (const char *session_id)   a row's Resume button
 *
 * The list reloads itself each time it is shown (mapped), and on
 * spark_session_list_reload(); files are read off the main thread.
 */

GtkWidget                 *spark_session_list_new          (void);
/* Where spark_session_set_store_dir() saves and the project root given to
 * spark_session_new(); NULL for either shows the empty state. */
void                       spark_session_list_set_source   (SparkSessionList *self,
                                                            const char       *store_dir,
                                                            const char       *root);
void                       spark_session_list_reload       (SparkSessionList *self);
/* TRUE while a reload runs. */
gboolean                   spark_session_list_get_loading  (SparkSessionList *self);
guint                      spark_session_list_get_n_sessions (SparkSessionList *self);
/* The summary shown in row @index (borrowed), or NULL. */
const SparkSessionSummary *spark_session_list_get_summary  (SparkSessionList *self,
                                                            guint             index);

G_END_DECLS
