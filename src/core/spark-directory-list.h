/* spark-directory-list.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-project.h"

G_BEGIN_DECLS

#define SPARK_TYPE_DIRECTORY_LIST (spark_directory_list_get_type ())

G_DECLARE_FINAL_TYPE (SparkDirectoryList, spark_directory_list, SPARK, DIRECTORY_LIST, GObject)

SparkDirectoryList *spark_directory_list_new        (SparkProject       *project,
                                                     GFile              *directory,
                                                     const char         *relpath);
void                spark_directory_list_load       (SparkDirectoryList *self);
gboolean            spark_directory_list_get_loaded (SparkDirectoryList *self);
const char         *spark_directory_list_get_error  (SparkDirectoryList *self);
GFile              *spark_directory_list_get_directory (SparkDirectoryList *self);

G_END_DECLS
