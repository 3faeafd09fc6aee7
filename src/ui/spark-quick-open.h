/* spark-quick-open.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "spark-project.h"

G_BEGIN_DECLS

#define SPARK_TYPE_QUICK_OPEN (spark_quick_open_get_type ())

G_DECLARE_FINAL_TYPE (SparkQuickOpen, spark_quick_open, SPARK, QUICK_OPEN, AdwWindow)

SparkQuickOpen *spark_quick_open_new         (GtkWindow      *parent,
                                              SparkProject   *project);
void            spark_quick_open_set_query   (SparkQuickOpen *self,
                                              const char     *query);
GListModel     *spark_quick_open_get_results (SparkQuickOpen *self);
gboolean        spark_quick_open_get_indexed (SparkQuickOpen *self);
void            spark_quick_open_choose      (SparkQuickOpen *self,
                                              guint           position);

G_END_DECLS
