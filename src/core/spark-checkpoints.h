/* spark-checkpoints.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-workspace.h"

G_BEGIN_DECLS

#define SPARK_CHECKPOINT_ERROR (spark_checkpoint_error_quark ())

typedef enum
{
  SPARK_CHECKPOINT_ERROR_FAILED,
  SPARK_CHECKPOINT_ERROR_NOT_FOUND,
  SPARK_CHECKPOINT_ERROR_NONE,
} SparkCheckpointError;

GQuark spark_checkpoint_error_quark (void);

/* One recorded state of the working tree. */
typedef struct
{
  char   *id;        /* "1", "2", … in creation order */
  gint64  time;      /* seconds since the epoch */
  char   *summary;   /* one line */
  char   *commit;    /* hex commit id in a git repository, else NULL */
} SparkCheckpoint;

void spark_checkpoint_free (SparkCheckpoint *checkpoint);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkCheckpoint, spark_checkpoint_free)

#define SPARK_TYPE_CHECKPOINTS (spark_checkpoints_get_type ())

G_DECLARE_FINAL_TYPE (SparkCheckpoints, spark_checkpoints, SPARK, CHECKPOINTS, GObject)

/*
 * SparkCheckpoints: snapshots of the whole working tree (tracked, modified
 * and untracked-but-not-ignored files) taken before each apply.
 *
 * In a git repository a checkpoint is a commit object (parent: HEAD) under
 * `refs/spark/checkpoints/<n>`, written with libgit2 without touching the
 * index, HEAD, branches or the stash. Elsewhere it is a manifest plus
 * content-addressed blobs in the workspace's private store
 * (spark_workspace_get_store_dir()).
 *
 * Blocking: run these in a worker thread from the UI (GTask).
 */

SparkCheckpoints *spark_checkpoints_new     (SparkWorkspace    *workspace,
                                             GError           **error);
/* TRUE when the checkpoints live in a git repository. */
gboolean          spark_checkpoints_is_git  (SparkCheckpoints  *self);
/* Records the current tree. */
SparkCheckpoint  *spark_checkpoints_create  (SparkCheckpoints  *self,
                                             const char        *summary,
                                             GError           **error);
/* The same, noting @new_folders (root-relative): folders that do not exist
 * now and that the change about to be made may create. Git records no
 * empty folder, so without this note a change stopped between making a
 * folder and writing its first file would leave an empty folder that
 * restoring the checkpoint could not know to remove. */
SparkCheckpoint  *spark_checkpoints_create_full (SparkCheckpoints    *self,
                                                 const char          *summary,
                                                 const char * const  *new_folders,
                                                 GError             **error);
/* Every checkpoint, oldest first (SparkCheckpoint elements). */
GPtrArray        *spark_checkpoints_list    (SparkCheckpoints  *self,
                                             GError           **error);
/* Restores the tree of checkpoint @id (NULL: the latest): files it has are
 * written back byte for byte with their mode, files of the current tree it
 * lacks are removed (ignored files are left alone), and so are the folders
 * noted as new when it was made, once empty. A new checkpoint of the
 * current tree is recorded first, so the restore can itself be undone; it is
 * returned in @before. */
gboolean          spark_checkpoints_restore (SparkCheckpoints  *self,
                                             const char        *id,
                                             SparkCheckpoint  **before,
                                             GError           **error);

G_END_DECLS
