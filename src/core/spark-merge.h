/* spark-merge.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A three-way line merge, for the review/apply path: @base is the text the
 * model saw, @ours the file now (on disk or in an unsaved tab), @theirs the
 * model's proposal applied to @base.
 *
 * Both sides are diffed against @base (Myers' O(ND) diff, linear space, on
 * lines compared without their ending; past 256 edits per split, or 2·√n for
 * long texts, it settles for a valid but not minimal diff, so very different
 * texts stay fast). Then, walking @base:
 *  - a change made on one side only takes that side;
 *  - the same change made on both sides is taken once;
 *  - changes that overlap (share a base line, or a pure insertion falls
 *    strictly inside the other side's changed lines, or two insertions at the
 *    same place) and differ become a conflict, both sides kept;
 *  - changes that only touch at a boundary (one ends on the base line where
 *    the other starts, or an insertion sits right before or after the other
 *    side's changed lines) merge, in base order. This is more permissive than
 *    git (`git merge-file` conflicts on touching changes); the order of the
 *    result is never in doubt here, so Spark merges them. Pure insertions and
 *    deletions are first slid down over equal lines, so the same insertion
 *    is seen at the same place on both sides.
 *
 * Line endings: "\n" and "\r\n" end a line (a lone "\r" does not). A line
 * keeps the ending it had on the side it comes from; a line both sides kept
 * takes the ending a side changed it to (ours first). The merged text ends
 * with a newline when base did, unless a side changed that (ours first); an
 * empty side has no say. A line that ended a side without a newline but is no
 * longer last gets the merged text's ending (the first ending found in ours,
 * then theirs, then base, else "\n"), as do the conflict markers. */

#define SPARK_MERGE_ERROR (spark_merge_error_quark ())

/**
 * SparkMergeError:
 * @SPARK_MERGE_ERROR_INVALID_UTF8: one of the texts is not valid UTF-8
 */
typedef enum
{
  SPARK_MERGE_ERROR_INVALID_UTF8,
} SparkMergeError;

GQuark spark_merge_error_quark (void);

/* One conflict region. Lines count from 0. @start_line/@n_lines locate it in
 * the merged text, markers included (from the "<<<<<<<" line to the
 * ">>>>>>>" line). @ours, @base and @theirs are the exact text of the region
 * on each side (endings included; "" when a side has no lines there), found
 * at line @ours_line (@ours_n_lines lines) of the ours text, and so on. */
typedef struct
{
  char  *ours;
  char  *base;
  char  *theirs;
  guint  start_line;
  guint  n_lines;
  guint  ours_line;
  guint  ours_n_lines;
  guint  base_line;
  guint  base_n_lines;
  guint  theirs_line;
  guint  theirs_n_lines;
} SparkMergeConflict;

/**
 * SparkMergeChoiceKind:
 * @SPARK_MERGE_CHOOSE_OURS: keep our side
 * @SPARK_MERGE_CHOOSE_THEIRS: keep their side
 * @SPARK_MERGE_CHOOSE_BOTH: our side, then theirs
 * @SPARK_MERGE_CHOOSE_BASE: neither change, the base lines
 * @SPARK_MERGE_CHOOSE_CUSTOM: the choice's @text instead of the region
 */
typedef enum
{
  SPARK_MERGE_CHOOSE_OURS,
  SPARK_MERGE_CHOOSE_THEIRS,
  SPARK_MERGE_CHOOSE_BOTH,
  SPARK_MERGE_CHOOSE_BASE,
  SPARK_MERGE_CHOOSE_CUSTOM,
} SparkMergeChoiceKind;

typedef struct
{
  SparkMergeChoiceKind  kind;
  const char           *text;  /* UTF-8, for SPARK_MERGE_CHOOSE_CUSTOM; NULL is "" */
} SparkMergeChoice;

/* Immutable and reference counted (a boxed type). */
typedef struct _SparkMergeResult SparkMergeResult;

#define SPARK_TYPE_MERGE_RESULT (spark_merge_result_get_type ())
GType spark_merge_result_get_type (void) G_GNUC_CONST;

/* Merges with the marker labels "ours", "base" and "theirs". Fails with
 * SPARK_MERGE_ERROR_INVALID_UTF8 (naming the text and the byte offset) when a
 * text is not valid UTF-8. */
SparkMergeResult         *spark_merge_three_way              (const char              *base,
                                                              const char              *ours,
                                                              const char              *theirs,
                                                              GError                 **error);
/* The same, with the labels written after the markers ("<<<<<<< @ours_label");
 * NULL gives the default, "" a bare marker. Labels are single lines. */
SparkMergeResult         *spark_merge_three_way_full         (const char              *base,
                                                              const char              *ours,
                                                              const char              *theirs,
                                                              const char              *base_label,
                                                              const char              *ours_label,
                                                              const char              *theirs_label,
                                                              GError                 **error);

SparkMergeResult         *spark_merge_result_ref             (SparkMergeResult        *self);
void                      spark_merge_result_unref           (SparkMergeResult        *self);

gboolean                  spark_merge_result_has_conflicts   (const SparkMergeResult  *self);
guint                     spark_merge_result_get_n_conflicts (const SparkMergeResult  *self);
/* The merged text, each conflict written as
 *   <<<<<<< ours / our lines / ||||||| base / base lines / ======= /
 *   their lines / >>>>>>> theirs */
const char               *spark_merge_result_get_text        (const SparkMergeResult  *self);
const SparkMergeConflict *spark_merge_result_get_conflict    (const SparkMergeResult  *self,
                                                              guint                    i);
/* The merged text with conflict i replaced by @choices[i]; @n_choices must be
 * the number of conflicts (@choices may be NULL when there are none). The
 * endings and final-newline rules above apply to the result. */
char                     *spark_merge_result_resolve         (const SparkMergeResult  *self,
                                                              const SparkMergeChoice  *choices,
                                                              guint                    n_choices);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SparkMergeResult, spark_merge_result_unref)

G_END_DECLS
