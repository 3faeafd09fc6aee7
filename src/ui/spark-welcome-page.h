/* spark-welcome-page.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SPARK_TYPE_WELCOME_PAGE (spark_welcome_page_get_type ())

G_DECLARE_FINAL_TYPE (SparkWelcomePage, spark_welcome_page, SPARK, WELCOME_PAGE, GtkWidget)

GtkWidget  *spark_welcome_page_new              (void);
const char *spark_welcome_page_get_endpoint     (SparkWelcomePage *self);
void        spark_welcome_page_set_endpoint     (SparkWelcomePage *self,
                                                 const char       *endpoint);
/* The last result of Test Connection, in plain words (NULL before). */
const char *spark_welcome_page_get_status       (SparkWelcomePage *self);
gboolean    spark_welcome_page_get_testing      (SparkWelcomePage *self);
/* Same as pressing Test Connection. */
void        spark_welcome_page_test_connection  (SparkWelcomePage *self);

G_END_DECLS
