/* test-models.c: the model list behind the chat's model picker
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spark-fake-server.h"
#include "spark-models.h"
#include "spark-test-utils.h"

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  GStrv bad;

  ids = spark_models_parse ("{\"data\":[{\"id\":\"b\"},{\"id\":\"a\"},{\"id\":3},{},\"x\"]}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  g_assert_cmpstr (ids[0], ==, "a");
  g_assert_cmpstr (ids[1], ==, "b");

  bad = spark_models_parse ("[]", -1, &error);
  g_assert_null (bad);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  bad = spark_models_parse ("not json", -1, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GStrv *out = user_data;
  g_autoptr(GError) error = NULL;

  *out = spark_models_list_finish (result, &error);
  g_assert_no_error (error);
}

static void
refused_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **out = user_data;

  g_assert_null (spark_models_list_finish (result, out));
  g_assert_nonnull (*out);
}

static void
test_fetch (void)
{
  SparkFakeServer *server = spark_fake_server_new ();
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;

  spark_models_list_async (spark_fake_server_get_base_url (server), "sk-test-models", NULL,
                           list_cb, &ids);
  while (ids == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (g_strv_length (ids), ==, 3);
  g_assert_cmpstr (ids[0], ==, "gpt-5.1-codex");
  g_assert_cmpstr (ids[1], ==, "gpt-5.3-codex-spark");
  g_assert_cmpstr (ids[2], ==, "local-llama");
  g_assert_cmpstr (spark_fake_server_get_last_authorization (server), ==, "Bearer sk-test-models");

  /* The key never goes to a remote host in clear text. */
  spark_models_list_async ("http://api.example.invalid/v1", "sk-test-models", NULL,
                           refused_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  spark_fake_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/agent/models/parse", test_parse);
  g_test_add_func ("/agent/models/fetch", test_fetch);

  return g_test_run ();
}
