/* test-patch-common.h: helpers shared by the patch engine tests.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spark-patch-parser.h"

G_BEGIN_DECLS

/* A stable text form of parsed operations and hunks. */
char  *tp_dump_files      (GListModel  *files);
/* Feeds @text in pieces of @piece bytes (0: all at once) and returns the
 * dump, preceded by the signal log; on error "ERROR line N: message". With
 * @json the text is first wrapped as {"input": ...} JSON arguments. */
char  *tp_parse           (const char  *text,
                           gsize        length,
                           gsize        piece,
                           gboolean     json);
/* The conformance scenarios folder (../shared/conformance/apply-patch next to
 * the repository); fails the test with a clear message when missing. */
char  *tp_scenarios_dir   (void);
/* Every scenario folder name, sorted. */
GPtrArray *tp_scenarios   (void);
/* Copies a tree (files, folders, modes). */
void   tp_copy_tree       (const char  *src,
                           const char  *dst);
/* Paths, modes and bytes of every file and folder below @dir (except .git):
 * equal digests mean byte-identical trees. */
char  *tp_tree_digest     (const char  *dir);
/* JSON string literal of @text. */
char  *tp_json_quote      (const char  *text,
                           gsize        length);

/* A patch malformed in one of the ways the apply_patch grammar allows, with
 * what the parser says of it. test-patch-parser checks the parser on these;
 * test-bad-input sends them through a streamed tool call. */
typedef struct
{
  const char *text;
  int         code;       /* SparkPatchError */
  guint       line;
  const char *message;    /* part of the error message */
} TpMalformed;

extern const TpMalformed tp_malformed[];
extern const guint       tp_n_malformed;

G_END_DECLS
