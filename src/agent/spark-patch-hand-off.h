/* spark-patch-hand-off.h — the narrow seam between a streaming apply_patch
 * call and the patch engine of src/core.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-changeset.h"
#include "spark-tool-call.h"

G_BEGIN_DECLS

typedef struct _SparkPatchHandOff SparkPatchHandOff;

/* Follows @call: every patch delta goes to the incremental parser (hunks show
 * up in the changeset while the call streams). */
SparkPatchHandOff *spark_patch_hand_off_new           (const char         *root,
                                                       SparkToolCall      *call);
void               spark_patch_hand_off_free          (SparkPatchHandOff  *self);
/* The changeset under review (a SparkChangeset): the UI shows it, accepts
 * and rejects its hunks before the session applies it. */
SparkChangeset    *spark_patch_hand_off_get_changeset (SparkPatchHandOff  *self);
/* Call once the item is done: checks the patch is complete and valid. */
gboolean           spark_patch_hand_off_finish        (SparkPatchHandOff  *self,
                                                       GError            **error);
/* Applies the approved patch (the call's edited text if it was edited) as one
 * transaction; returns the model-facing result text. */
char              *spark_patch_hand_off_apply         (SparkPatchHandOff  *self,
                                                       GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkPatchHandOff, spark_patch_hand_off_free)

G_END_DECLS
