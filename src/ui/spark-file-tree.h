/* spark-file-tree.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spark-project.h"

G_BEGIN_DECLS

#define SPARK_TYPE_FILE_TREE (spark_file_tree_get_type ())

G_DECLARE_FINAL_TYPE (SparkFileTree, spark_file_tree, SPARK, FILE_TREE, GtkWidget)

GtkWidget      *spark_file_tree_new           (void);
SparkProject   *spark_file_tree_get_project   (SparkFileTree *self);
void            spark_file_tree_set_project   (SparkFileTree *self,
                                               SparkProject  *project);
GListModel     *spark_file_tree_get_rows      (SparkFileTree *self);
GtkListView    *spark_file_tree_get_list_view (SparkFileTree *self);

G_END_DECLS
