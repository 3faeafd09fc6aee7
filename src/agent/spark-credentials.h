/* spark-credentials.h — where the API key comes from.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* OPENAI_API_KEY, else the keyring (libsecret). Returns NULL without error
 * when there is none. The key is never logged. */
char     *spark_credentials_lookup_api_key (GError     **error);
gboolean  spark_credentials_store_api_key  (const char  *api_key,
                                            GError     **error);
gboolean  spark_credentials_forget_api_key (GError     **error);

G_END_DECLS
