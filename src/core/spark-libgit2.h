/* spark-libgit2.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <git2.h>

G_BEGIN_DECLS

/* What the rooms that call libgit2 share (private to src/core). */

/* git_libgit2_init() once per process. */
void            spark_libgit2_init          (void);
/* What libgit2 said of its last failure (in English: it has no catalogue). */
const char     *spark_libgit2_detail        (void);
/* Sets @error from a format (which includes spark_libgit2_detail() where
 * wanted), clears libgit2's last error; returns FALSE. */
gboolean        spark_libgit2_set_error     (GError      **error,
                                             GQuark        domain,
                                             int           code,
                                             const char   *format,
                                             ...) G_GNUC_PRINTF (4, 5);
/* The repository whose work tree holds @repo_path; a bare repository or no
 * repository is G_IO_ERROR_NOT_FOUND. */
git_repository *spark_libgit2_open_workdir  (const char   *repo_path,
                                             GError      **error);

G_END_DECLS
