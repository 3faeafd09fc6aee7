/* spark-models.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void    spark_models_list_async  (const char           *endpoint,
                                  const char           *api_key,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
GStrv   spark_models_list_finish (GAsyncResult         *result,
                                  GError              **error);
GStrv   spark_models_parse       (const char           *json,
                                  gssize                length,
                                  GError              **error);

G_END_DECLS
