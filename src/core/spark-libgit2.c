/* spark-libgit2.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-libgit2"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-libgit2.h"

void
spark_libgit2_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      git_libgit2_init ();
      g_once_init_leave (&initialized, 1);
    }
}

const char *
spark_libgit2_detail (void)
{
  const git_error *e = git_error_last ();

  return e && e->message ? e->message : _("unknown error");
}

gboolean
spark_libgit2_set_error (GError     **error,
                         GQuark       domain,
                         int          code,
                         const char  *format,
                         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, domain, code, message);
  git_error_clear ();
  return FALSE;
}

git_repository *
spark_libgit2_open_workdir (const char  *repo_path,
                            GError     **error)
{
  g_autofree char *canonical = NULL;
  git_repository *repo = NULL;

  spark_libgit2_init ();

  canonical = g_canonicalize_filename (repo_path, NULL);
  if (git_repository_open_ext (&repo, canonical, 0, NULL) != 0)
    {
      git_error_clear ();
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” is not inside a git repository"), canonical);
      return NULL;
    }

  if (git_repository_workdir (repo) == NULL)
    {
      git_repository_free (repo);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” is a bare git repository"), canonical);
      return NULL;
    }

  return repo;
}
