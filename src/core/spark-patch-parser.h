/* spark-patch-parser.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spark-file-change.h"
#include "spark-hunk.h"

G_BEGIN_DECLS

#define SPARK_PATCH_ERROR (spark_patch_error_quark ())

/**
 * SparkPatchError:
 * @SPARK_PATCH_ERROR_SYNTAX: the text is not a valid apply_patch patch; the
 *   message starts with "line N: " (spark_patch_parser_get_error_line())
 * @SPARK_PATCH_ERROR_EMPTY: a patch without any file operation
 * @SPARK_PATCH_ERROR_CONFLICT: a hunk cannot be placed in its file
 * @SPARK_PATCH_ERROR_MISSING_FILE: update or delete of a file that does not exist
 * @SPARK_PATCH_ERROR_NOT_A_FILE: the path is a folder or another non-file
 * @SPARK_PATCH_ERROR_NOT_TEXT: the file is binary or not UTF-8
 * @SPARK_PATCH_ERROR_INVALID_OPERATION: a hosted-tool operation of unknown type
 * @SPARK_PATCH_ERROR_NOTHING_ACCEPTED: applying a changeset with no accepted hunk
 */
typedef enum
{
  SPARK_PATCH_ERROR_SYNTAX,
  SPARK_PATCH_ERROR_EMPTY,
  SPARK_PATCH_ERROR_CONFLICT,
  SPARK_PATCH_ERROR_MISSING_FILE,
  SPARK_PATCH_ERROR_NOT_A_FILE,
  SPARK_PATCH_ERROR_NOT_TEXT,
  SPARK_PATCH_ERROR_INVALID_OPERATION,
  SPARK_PATCH_ERROR_NOTHING_ACCEPTED,
} SparkPatchError;

GQuark spark_patch_error_quark (void);

/**
 * SparkPatchWireForm:
 * @SPARK_PATCH_WIRE_FREEFORM: the patch text itself (the freeform custom tool
 *   input, or the already-extracted `input` string of the JSON function)
 * @SPARK_PATCH_WIRE_JSON_ARGUMENTS: the raw JSON arguments of the function
 *   tool, `{"input": "..."}`, streamed as they arrive: the parser extracts and
 *   unescapes the `input` string itself, so the hunks appear as early as with
 *   the freeform tool. Other members are ignored.
 */
typedef enum
{
  SPARK_PATCH_WIRE_FREEFORM,
  SPARK_PATCH_WIRE_JSON_ARGUMENTS,
} SparkPatchWireForm;

#define SPARK_TYPE_PATCH_PARSER (spark_patch_parser_get_type ())

G_DECLARE_FINAL_TYPE (SparkPatchParser, spark_patch_parser, SPARK, PATCH_PARSER, GObject)

/*
 * SparkPatchParser: an incremental parser of the apply_patch format
 * (protocol.md §2).
 *
 * Feed the text in pieces of any size as they arrive, then call finish. Any
 * split of the same text gives the same file operations, hunks and signals, in
 * the same order. Events fire as soon as they are known:
 *
 *  - "file-started" (SparkFileChange *file): a file operation header was read.
 *    For `*** Update File:` it fires once the next line shows whether a
 *    `*** Move to:` follows, so the kind never changes afterwards.
 *  - "hunk-complete" (SparkFileChange *file, SparkHunk *hunk): the hunk's last
 *    line is known; the hunk was already appended to @file.
 *  - "file-complete" (SparkFileChange *file): no more hunks for @file.
 *  - "patch-complete": `*** End Patch` was read and the patch is valid.
 *  - "error" (GError *error, guint line): the text is invalid; line is the
 *    patch line (from 1) at fault. After an error, feed and finish fail with
 *    the same error.
 *
 * Tolerated, as in the reference client: whitespace around markers
 * (`  *** Update File: x`, `*** End Patch `), leading and trailing blank
 * lines, a first chunk without `@@`, `@@ anchor` lines (several may be
 * stacked), `*** End of File`, empty lines as empty context, blank lines
 * between operations, a heredoc wrapper (`<<EOF` / `<<'EOF'` / `<<"EOF"` …
 * `EOF`), an `*** Environment ID:` line, and CRLF line endings.
 */

SparkPatchParser   *spark_patch_parser_new               (void);
/* Selects how fed bytes are read; call before the first feed. */
void                spark_patch_parser_set_wire_form     (SparkPatchParser   *self,
                                                          SparkPatchWireForm  form);
SparkPatchWireForm  spark_patch_parser_get_wire_form     (SparkPatchParser   *self);
/* Feeds @len bytes of @data (@len -1: NUL-terminated). Returns FALSE with
 * SPARK_PATCH_ERROR_SYNTAX as soon as the text cannot be a valid patch. */
gboolean            spark_patch_parser_feed              (SparkPatchParser   *self,
                                                          const char         *data,
                                                          gssize              len,
                                                          GError            **error);
/* Ends the input: completes the last line and checks that the patch ended
 * with `*** End Patch` and had at least one operation. */
gboolean            spark_patch_parser_finish            (SparkPatchParser   *self,
                                                          GError            **error);
/* The file operations read so far, in patch order (a GListModel of
 * SparkFileChange; the list grows while text is fed). Owned by the parser. */
GListModel         *spark_patch_parser_get_files         (SparkPatchParser   *self);
/* TRUE after a successful finish. */
gboolean            spark_patch_parser_get_complete      (SparkPatchParser   *self);
/* The patch line (from 1) of the error, or 0. */
guint               spark_patch_parser_get_error_line    (SparkPatchParser   *self);

/* Parses a whole patch text at once. Returns a GListModel of SparkFileChange. */
GListModel         *spark_patch_parse                    (const char         *text,
                                                          gssize              len,
                                                          GError            **error);
/* Parses one operation of the hosted apply_patch tool (`apply_patch_call`):
 * @type is "create_file", "update_file" or "delete_file", @diff the
 * operation's V4A diff (NULL for delete_file). Gives the same SparkFileChange
 * as the equivalent `*** Begin Patch` text. */
SparkFileChange    *spark_patch_parse_operation          (const char         *type,
                                                          const char         *path,
                                                          const char         *diff,
                                                          GError            **error);

G_END_DECLS
