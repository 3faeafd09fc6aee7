/* spark-project.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-file-node.h"
#include "spark-git.h"

G_BEGIN_DECLS

#define SPARK_TYPE_PROJECT (spark_project_get_type ())

G_DECLARE_FINAL_TYPE (SparkProject, spark_project, SPARK, PROJECT, GObject)

SparkProject   *spark_project_new               (GFile          *root);
GFile          *spark_project_get_root          (SparkProject   *self);
const char     *spark_project_get_root_path     (SparkProject   *self);
SparkGit       *spark_project_get_git           (SparkProject   *self);
char           *spark_project_dup_display_name  (SparkProject   *self);
gboolean        spark_project_hides             (SparkProject   *self,
                                                 const char     *relpath,
                                                 const char     *name,
                                                 gboolean        is_directory);
GListModel     *spark_project_create_list       (SparkProject   *self,
                                                 SparkFileNode  *directory);
SparkGitStatus  spark_project_get_status        (SparkProject   *self,
                                                 const char     *relpath);
GHashTable     *spark_project_get_status_table  (SparkProject   *self);
gboolean        spark_project_get_status_loaded (SparkProject   *self);
void            spark_project_refresh_status    (SparkProject   *self);
char           *spark_project_relpath_for_file  (SparkProject   *self,
                                                 GFile          *file);
void            spark_project_list_files_async  (SparkProject   *self,
                                                 guint           max_files,
                                                 GCancellable   *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer        user_data);
GPtrArray      *spark_project_list_files_finish (SparkProject   *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);

G_END_DECLS
