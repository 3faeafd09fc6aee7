/* spark-application.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SPARK_TYPE_APPLICATION (spark_application_get_type ())

G_DECLARE_FINAL_TYPE (SparkApplication, spark_application, SPARK, APPLICATION, AdwApplication)

/* Forward declaration: spark-window.h includes widgets that include us. */
typedef struct _SparkWindow SparkWindow;

SparkApplication *spark_application_new         (void);
SparkWindow      *spark_application_open_folder (SparkApplication *self,
                                                 GFile            *folder,
                                                 SparkWindow      *from);
void              spark_application_add_recent  (SparkApplication *self,
                                                 GFile            *folder);

G_END_DECLS
