/* spark-file-node.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-git.h"

G_BEGIN_DECLS

#define SPARK_TYPE_FILE_NODE (spark_file_node_get_type ())

G_DECLARE_FINAL_TYPE (SparkFileNode, spark_file_node, SPARK, FILE_NODE, GObject)

SparkFileNode  *spark_file_node_new            (GFile          *parent,
                                                const char     *parent_relpath,
                                                const char     *name,
                                                gboolean        is_directory,
                                                gboolean        is_deleted);
const char     *spark_file_node_get_name       (SparkFileNode  *self);
char           *spark_file_node_dup_relpath    (SparkFileNode  *self);
GFile          *spark_file_node_dup_file       (SparkFileNode  *self);
gboolean        spark_file_node_get_is_directory (SparkFileNode *self);
gboolean        spark_file_node_get_is_deleted (SparkFileNode  *self);
SparkGitStatus  spark_file_node_get_git_status (SparkFileNode  *self);
void            spark_file_node_set_git_status (SparkFileNode  *self,
                                                SparkGitStatus  status);
int             spark_file_node_compare        (SparkFileNode  *a,
                                                SparkFileNode  *b);
gboolean        spark_file_node_same_entry     (SparkFileNode  *a,
                                                SparkFileNode  *b);

G_END_DECLS
