/* spark-hunk.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-merge.h"

G_BEGIN_DECLS

/**
 * SparkHunkState:
 * @SPARK_HUNK_PENDING: not reviewed yet
 * @SPARK_HUNK_ACCEPTED: will be written as proposed
 * @SPARK_HUNK_REJECTED: will not be written
 * @SPARK_HUNK_EDITED: will be written with the reviewer's text
 *   (spark_hunk_set_edited_text())
 * @SPARK_HUNK_CONFLICT: cannot be placed in the current file (or the file
 *   operation cannot be done); spark_hunk_get_conflict_message() says why.
 *   A conflict cannot be accepted.
 */
typedef enum
{
  SPARK_HUNK_PENDING,
  SPARK_HUNK_ACCEPTED,
  SPARK_HUNK_REJECTED,
  SPARK_HUNK_EDITED,
  SPARK_HUNK_CONFLICT,
} SparkHunkState;

/**
 * SparkMatchFuzz:
 * @SPARK_MATCH_NONE: not located (yet)
 * @SPARK_MATCH_EXACT: lines equal
 * @SPARK_MATCH_TRIM_END: equal once trailing whitespace is ignored
 * @SPARK_MATCH_TRIM: equal once leading and trailing whitespace is ignored
 * @SPARK_MATCH_UNICODE: equal once trimmed and Unicode dashes, quotes and
 *   spaces are folded to ASCII
 *
 * How loosely a hunk's old lines matched the file: the reference client's
 * four passes, in order.
 */
typedef enum
{
  SPARK_MATCH_NONE,
  SPARK_MATCH_EXACT,
  SPARK_MATCH_TRIM_END,
  SPARK_MATCH_TRIM,
  SPARK_MATCH_UNICODE,
} SparkMatchFuzz;

#define SPARK_TYPE_HUNK_STATE (spark_hunk_state_get_type ())
#define SPARK_TYPE_MATCH_FUZZ (spark_match_fuzz_get_type ())
GType spark_hunk_state_get_type (void) G_GNUC_CONST;
GType spark_match_fuzz_get_type (void) G_GNUC_CONST;

#define SPARK_TYPE_HUNK (spark_hunk_get_type ())

G_DECLARE_FINAL_TYPE (SparkHunk, spark_hunk, SPARK, HUNK, GObject)

/* A SparkHunk is one change inside one file operation (SparkFileChange):
 *
 *  - for an update, one `@@` chunk: its anchors (the `@@ text` lines, stacked
 *    anchors in order), the old lines (context and `-`), the new lines
 *    (context and `+`) and whether it is pinned to the end of the file;
 *  - for an add, the whole new file (no old lines);
 *  - for a delete, the whole old file (no new lines), once it was read.
 *
 * Lines never carry their line ending. Every property notifies on change
 * (main thread only). */

SparkHunk           *spark_hunk_new                  (const char * const *anchors,
                                                      const char * const *old_lines,
                                                      const char * const *new_lines,
                                                      gboolean            end_of_file);
const char * const  *spark_hunk_get_anchors          (SparkHunk          *self);
const char * const  *spark_hunk_get_old_lines        (SparkHunk          *self);
const char * const  *spark_hunk_get_new_lines        (SparkHunk          *self);
gboolean             spark_hunk_get_end_of_file      (SparkHunk          *self);
/* The text of the old / new lines, each line followed by "\n". The new text
 * is the edited text once the hunk was edited. */
char                *spark_hunk_dup_old_text         (SparkHunk          *self);
char                *spark_hunk_dup_new_text         (SparkHunk          *self);
/* What will be written in place of the old lines: the edited lines when
 * edited, else the proposed new lines. */
const char * const  *spark_hunk_get_effective_lines  (SparkHunk          *self);
/* Position of the hunk inside its file operation, from 0. */
guint                spark_hunk_get_index            (SparkHunk          *self);
/* The line of the patch text where the hunk starts, from 1 (0: unknown). */
guint                spark_hunk_get_patch_line       (SparkHunk          *self);

SparkHunkState       spark_hunk_get_state            (SparkHunk          *self);
/* Where the old lines are in the current file: first line from 1 (0 while
 * unknown or in conflict) and number of lines replaced. A pure addition
 * has a count of 0 and starts where its lines will be inserted. */
guint                spark_hunk_get_start_line       (SparkHunk          *self);
guint                spark_hunk_get_line_count       (SparkHunk          *self);
SparkMatchFuzz       spark_hunk_get_fuzz             (SparkHunk          *self);
/* Why the hunk is in conflict (path, hunk, lines not found), or NULL. */
const char          *spark_hunk_get_conflict_message (SparkHunk          *self);

/* Review operations. Accepting or editing a hunk in conflict fails with
 * SPARK_PATCH_ERROR_CONFLICT. Rejecting always works; reset returns an
 * accepted, rejected or edited hunk to pending. */
gboolean             spark_hunk_accept               (SparkHunk          *self,
                                                      GError            **error);
void                 spark_hunk_reject               (SparkHunk          *self);
void                 spark_hunk_reject_with_reason   (SparkHunk          *self,
                                                      const char         *reason);
const char          *spark_hunk_get_reject_reason    (SparkHunk          *self);
void                 spark_hunk_reset                (SparkHunk          *self);
/* Replaces the proposed new text with @text (lines separated by "\n"; one
 * final "\n" is ignored) and moves the hunk to SPARK_HUNK_EDITED. */
gboolean             spark_hunk_set_edited_text      (SparkHunk          *self,
                                                      const char         *text,
                                                      GError            **error);

/* Merge conflicts. When the person changed a file after the model read it
 * and the proposal changes the same lines, applying leaves the file alone
 * and appends one merge-conflict hunk per conflicting region to its
 * SparkFileChange (the proposal's own hunks keep their state). Such a hunk
 * is in SPARK_HUNK_CONFLICT and carries the three versions of the region:
 * the person's (ours: the file now), the model's (theirs: the proposal) and
 * the text both started from (base), each the region's exact text with its
 * line endings ("" when a side has no lines there). Its old lines are ours,
 * its new lines theirs, its location the region in the file now (so unlike
 * other conflicts it has a start line). */
gboolean             spark_hunk_is_merge_conflict    (SparkHunk          *self);
const char          *spark_hunk_get_conflict_ours    (SparkHunk          *self);
const char          *spark_hunk_get_conflict_theirs  (SparkHunk          *self);
const char          *spark_hunk_get_conflict_base    (SparkHunk          *self);
/* Resolves a merge-conflict hunk: @choice OURS keeps the person's lines,
 * THEIRS takes the proposal's, BOTH the person's then the proposal's, BASE
 * neither change, CUSTOM @custom_text (UTF-8; NULL is ""). The hunk becomes
 * SPARK_HUNK_EDITED, its effective lines the resolution, and the next apply
 * writes the file: the merge with every region resolved, provided the file
 * is still as it was when the conflict was found. Resolving again replaces
 * the choice; spark_hunk_reset() returns to the conflict; rejecting the hunk
 * counts as keeping the person's lines, accepting a resolved or rejected one
 * as taking the proposal's, and spark_hunk_set_edited_text() on a resolved
 * one as a CUSTOM resolution. Fails with SPARK_PATCH_ERROR_CONFLICT
 * on a hunk that is not a merge conflict, SPARK_PATCH_ERROR_NOT_TEXT on
 * invalid UTF-8. */
gboolean             spark_hunk_resolve_conflict     (SparkHunk          *self,
                                                      SparkMergeChoiceKind choice,
                                                      const char         *custom_text,
                                                      GError            **error);
/* The choice made by spark_hunk_resolve_conflict() (OURS once rejected), and
 * whether one was made. */
gboolean             spark_hunk_get_merge_choice     (SparkHunk          *self,
                                                      SparkMergeChoiceKind *choice);

G_END_DECLS
