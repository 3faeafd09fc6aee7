/* spark-credentials.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-credentials"

#include "config.h"

#include <glib/gi18n.h>

#ifdef HAVE_LIBSECRET
# include <libsecret/secret.h>
#endif

#include "spark-agent-types.h"
#include "spark-credentials.h"

#ifdef HAVE_LIBSECRET
static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.sparkcode.Spark.ApiKey", SECRET_SCHEMA_NONE,
    {
      { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}
#endif

char *
spark_credentials_lookup_api_key (GError **error)
{
  const char *env = g_getenv ("OPENAI_API_KEY");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

#ifdef HAVE_LIBSECRET
  {
    g_autoptr(GError) local_error = NULL;
    SecretValue *value = NULL;
    char *key = NULL;
    GList *items;

    /* Not secret_password_lookup_sync(): libsecret 0.20.5 (Debian 12)
     * leaks part of the reply it decodes there (LeakSanitizer shows it
     * in a program that does nothing else). A search goes the same way
     * (the Secret portal inside a Flatpak) and unlocks the same way. */
    items = secret_password_search_sync (get_schema (),
                                         SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                         NULL, &local_error,
                                         "service", "openai",
                                         NULL);
    if (items != NULL)
      value = secret_retrievable_retrieve_secret_sync (items->data, NULL, &local_error);
    g_list_free_full (items, g_object_unref);

    if (local_error != NULL)
      {
        /* No keyring running is not an error: there is just no key. */
        g_debug ("Keyring lookup failed: %s", local_error->message);
      }
    else if (value != NULL && secret_value_get_text (value) != NULL)
      {
        key = g_strdup (secret_value_get_text (value));
      }
    g_clear_pointer (&value, secret_value_unref);

    return key;
  }
#endif

  return NULL;
}

gboolean
spark_credentials_store_api_key (const char  *api_key,
                                 GError     **error)
{
  g_return_val_if_fail (api_key != NULL, FALSE);

#ifdef HAVE_LIBSECRET
  return secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT,
                                     "Spark: OpenAI API key", api_key, NULL, error,
                                     "service", "openai",
                                     NULL);
#else
  g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED,
                       _("This build has no keyring support"));
  return FALSE;
#endif
}

/**
 * spark_credentials_forget_api_key:
 *
 * Removes the key stored in the keyring, if any.
 */
gboolean
spark_credentials_forget_api_key (GError **error)
{
#ifdef HAVE_LIBSECRET
  g_autoptr(GError) local_error = NULL;

  secret_password_clear_sync (get_schema (), NULL, &local_error,
                              "service", "openai",
                              NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
#endif

  return TRUE;
}
