/* test-changeset-common.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spark-patch-parser.h"
#include "spark-test-utils.h"
#include "test-changeset-common.h"

void
tp_workspace_setup (TpWorkspace   *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->root = spark_test_make_temp_dir ();
  f->store = spark_test_make_temp_dir ();
  f->ws = spark_workspace_new (f->root, &error);
  g_assert_no_error (error);
  spark_workspace_set_store_dir (f->ws, f->store);
}

void
tp_workspace_teardown (TpWorkspace   *f,
                       gconstpointer  data)
{
  g_clear_object (&f->ws);
  spark_test_rm_rf (f->root);
  spark_test_rm_rf (f->store);
  g_free (f->root);
  g_free (f->store);
}

SparkChangeset *
tp_changeset_parsed (SparkWorkspace *ws,
                     const char     *patch)
{
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GError) error = NULL;
  SparkChangeset *cs = spark_changeset_new (ws);

  files = spark_patch_parse (patch, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (files);
  spark_changeset_add_files (cs, files);

  return cs;
}

SparkChangeset *
tp_changeset_accepted (SparkWorkspace *ws,
                       const char     *patch)
{
  SparkChangeset *cs = tp_changeset_parsed (ws, patch);
  g_autoptr(GError) error = NULL;

  g_assert_true (spark_changeset_accept_all (cs, &error));
  g_assert_no_error (error);

  return cs;
}

static void
applied_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = spark_changeset_apply_finish (SPARK_CHANGESET (object), result, &error);
  g_assert_no_error (error);
}

char *
tp_changeset_apply_wait (SparkChangeset *cs)
{
  char *text = NULL;

  spark_changeset_apply_async (cs, NULL, applied_cb, &text);
  /* The meson timeout guards this loop. */
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);

  return text;
}
