/* test-changeset-common.h — a workspace in a temporary folder, and
 * changesets on it, for the tests that apply patches (test-changeset,
 * test-merge-apply, test-transaction, test-i18n).
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-changeset.h"
#include "spark-workspace.h"

G_BEGIN_DECLS

typedef struct
{
  char           *root;
  char           *store;   /* the workspace's checkpoint store */
  SparkWorkspace *ws;
} TpWorkspace;

/* Fresh empty project and store folders, and a workspace on them. */
void            tp_workspace_setup      (TpWorkspace    *f,
                                         gconstpointer   data);
void            tp_workspace_teardown   (TpWorkspace    *f,
                                         gconstpointer   data);

/* A changeset of @ws with @patch parsed at once (its hunks pending). */
SparkChangeset *tp_changeset_parsed     (SparkWorkspace *ws,
                                         const char     *patch);
/* The same with every hunk accepted. */
SparkChangeset *tp_changeset_accepted   (SparkWorkspace *ws,
                                         const char     *patch);
/* spark_changeset_apply_async(), waited for; asserts success and returns
 * the result text. */
char           *tp_changeset_apply_wait (SparkChangeset *cs);

G_END_DECLS
