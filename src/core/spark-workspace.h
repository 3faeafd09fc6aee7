/* spark-workspace.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SPARK_WORKSPACE_ERROR (spark_workspace_error_quark ())

/**
 * SparkWorkspaceError:
 * @SPARK_WORKSPACE_ERROR_INVALID_PATH: empty path, NUL byte, not UTF-8
 * @SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT: `..` leading out, or an absolute
 *   path outside the project folder
 * @SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE: a symbolic link on the way leads
 *   outside the project folder (or dangles)
 * @SPARK_WORKSPACE_ERROR_GIT_DIR: the path is inside a `.git` folder
 * @SPARK_WORKSPACE_ERROR_NOT_A_FOLDER: the root is not a folder
 */
typedef enum
{
  SPARK_WORKSPACE_ERROR_INVALID_PATH,
  SPARK_WORKSPACE_ERROR_OUTSIDE_ROOT,
  SPARK_WORKSPACE_ERROR_SYMLINK_ESCAPE,
  SPARK_WORKSPACE_ERROR_GIT_DIR,
  SPARK_WORKSPACE_ERROR_NOT_A_FOLDER,
} SparkWorkspaceError;

GQuark spark_workspace_error_quark (void);

/**
 * SparkWorkspaceResolveFlags:
 * @SPARK_WORKSPACE_RESOLVE_DEFAULT: a file or folder below the root
 * @SPARK_WORKSPACE_RESOLVE_ALLOW_ROOT: the root itself ("", ".") is fine too
 */
typedef enum
{
  SPARK_WORKSPACE_RESOLVE_DEFAULT = 0,
  SPARK_WORKSPACE_RESOLVE_ALLOW_ROOT = 1 << 0,
} SparkWorkspaceResolveFlags;

#define SPARK_TYPE_WORKSPACE (spark_workspace_get_type ())

G_DECLARE_FINAL_TYPE (SparkWorkspace, spark_workspace, SPARK, WORKSPACE, GObject)

/* SparkWorkspace: the project folder. Every path coming from the model goes
 * through spark_workspace_resolve(), which refuses anything that would
 * leave the folder or touch git's own files. */

SparkWorkspace *spark_workspace_new              (const char      *root,
                                                  GError         **error);
/* The canonical absolute root (symbolic links resolved). */
const char     *spark_workspace_get_root         (SparkWorkspace  *self);
/* Resolves @path (relative to the root, or absolute inside it) to an
 * absolute, normalised path inside the root. Refuses `..` escapes,
 * absolute paths outside, symbolic links that lead outside (on any
 * existing component, the last one included), `.git` folders (in any case,
 * with HFS+-ignored code points, trailing dots or spaces, as `GIT~1`, or
 * under any other name the file system resolves to the same folder, as on
 * case-insensitive mounts), names longer than NAME_MAX and paths longer
 * than PATH_MAX. */
char           *spark_workspace_resolve          (SparkWorkspace  *self,
                                                  const char      *path,
                                                  GError         **error);
char           *spark_workspace_resolve_full     (SparkWorkspace              *self,
                                                  const char                  *path,
                                                  SparkWorkspaceResolveFlags   flags,
                                                  GError                     **error);
/* The root-relative form of a resolved path ("" for the root itself). */
const char     *spark_workspace_relative         (SparkWorkspace  *self,
                                                  const char      *abs_path);

/* Where a folder that is not a git repository keeps its checkpoints: a
 * folder of its own (named after a hash of the root) below the base folder,
 * which is $SPARK_CHECKPOINT_DIR when set, else
 * g_get_user_data_dir()/spark/checkpoints. set_store_dir() changes the base
 * folder (tests point it at a temporary folder). */
const char     *spark_workspace_get_store_dir    (SparkWorkspace  *self);
void            spark_workspace_set_store_dir    (SparkWorkspace  *self,
                                                  const char      *store_dir);

G_END_DECLS
