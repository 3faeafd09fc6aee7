/* spark-fuzzy.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean spark_fuzzy_match (const char *query,
                            const char *path,
                            int        *score);

G_END_DECLS
