/* spark-tools.h — the tools the model gets, run inside the project folder.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "spark-tool-call.h"

G_BEGIN_DECLS

#define SPARK_TYPE_TOOLS (spark_tools_get_type ())

G_DECLARE_FINAL_TYPE (SparkTools, spark_tools, SPARK, TOOLS, GObject)

/* Output bounds: what a tool returns is cut (with a note) beyond these. */
#define SPARK_TOOLS_MAX_OUTPUT       (64 * 1024)
#define SPARK_TOOLS_MAX_READ_LINES   2000
#define SPARK_TOOLS_MAX_GREP_MATCHES 200
#define SPARK_TOOLS_MAX_LIST_ENTRIES 1000

SparkTools *spark_tools_new                 (const char     *root);
const char *spark_tools_get_root            (SparkTools     *self);
/* The tools array of a request: apply_patch as a freeform custom tool with
 * its grammar for the Responses API, as a JSON function for chat. */
JsonArray  *spark_tools_dup_definitions     (SparkTools     *self,
                                             SparkWireApi    wire_api);
const char *spark_tools_get_instructions    (SparkTools     *self);
gboolean    spark_tools_is_read_only        (const char     *name);
gboolean    spark_tools_get_shell_enabled   (SparkTools     *self);
void        spark_tools_set_shell_enabled   (SparkTools     *self,
                                             gboolean        enabled);
/* Whether the shell tool will run a command inside bubblewrap: no network,
 * only the project folder writable, $HOME and $XDG_RUNTIME_DIR hidden, no
 * other process visible. FALSE when bwrap is missing or cannot build a
 * sandbox on this system (tried once, and logged): the command would
 * run with the person's own permissions, so say so before asking for
 * approval (the tool's output says so too). $SPARK_BWRAP, read at each
 * call, names the bwrap binary instead of PATH's `bwrap`; a path that is
 * not an executable (SPARK_BWRAP=/nonexistent) turns the sandbox off. */
gboolean    spark_tools_get_sandboxed       (SparkTools     *self);

/* Runs an approved (or read-only) call. The result is always a text for the
 * model, in English; *success says whether the tool did its job, and when it
 * did not, spark_tool_call_get_error_message() of @call may say why for the
 * person, in their language. Errors (GError) are only for cancellation. */
void        spark_tools_run_async           (SparkTools          *self,
                                             SparkToolCall       *call,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char       *spark_tools_run_finish          (SparkTools          *self,
                                             GAsyncResult        *result,
                                             gboolean            *success,
                                             GError             **error);

/* Resolves a model-supplied path inside @root; refuses escapes. */
char       *spark_tools_resolve_path        (const char     *root,
                                             const char     *path,
                                             GError        **error);

G_END_DECLS
