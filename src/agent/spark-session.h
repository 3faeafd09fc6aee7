/* spark-session.h — the turn loop over one persistent connection.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "spark-agent-types.h"
#include "spark-approval-policy.h"
#include "spark-changeset.h"
#include "spark-tool-call.h"
#include "spark-tools.h"
#include "spark-transport.h"
#include "spark-turn-timings.h"

G_BEGIN_DECLS

#define SPARK_TYPE_SESSION (spark_session_get_type ())

G_DECLARE_FINAL_TYPE (SparkSession, spark_session, SPARK, SESSION, GObject)

/*
 * Signals (all on the main context):
 *   text-delta          (const char *item_id, const char *delta)
 *   reasoning-delta     (const char *item_id, const char *delta)
 *   tool-call-started   (SparkToolCall *call)
 *   tool-call-delta     (SparkToolCall *call, const char *delta)
 *   tool-call-done      (SparkToolCall *call)           item reached output_item.done
 *   tool-call-output    (SparkToolCall *call, const char *output, gboolean success)
 *   item-done           (JsonObject *item)
 *   response-completed  (const char *response_id, SparkTurnTimings *timings)
 *   response-failed     (GError *error)                  response.failed
 *   response-incomplete (const char *reason)
 *   error               (GError *error)                  any failure, retried or not
 *   turn-finished       (GError *error)                  NULL on success
 *   steer-result        (const char *text, gboolean accepted)
 *   context-compacted   (SparkCompactionKind kind, guint tokens_before,
 *                        guint tokens_after, guint64 bytes)
 *                                                        0 where unknown
 *
 * Context: on the Responses wire every create asks for server-side
 * compaction (`context_management`, threshold 80% of the window); a server
 * that refuses it gets the standalone POST /responses/compact instead, and
 * one without that endpoint (and the chat wire) gets old tool outputs
 * shortened locally.
 */

SparkSession         *spark_session_new                   (const char            *root);
const char           *spark_session_get_root              (SparkSession          *self);
const char           *spark_session_get_id                (SparkSession          *self);

const char           *spark_session_get_endpoint          (SparkSession          *self);
void                  spark_session_set_endpoint          (SparkSession          *self,
                                                           const char            *endpoint);
const char           *spark_session_get_model             (SparkSession          *self);
void                  spark_session_set_model             (SparkSession          *self,
                                                           const char            *model);
void                  spark_session_set_api_key           (SparkSession          *self,
                                                           const char            *api_key);
SparkTransportKind    spark_session_get_transport_kind    (SparkSession          *self);
void                  spark_session_set_transport_kind    (SparkSession          *self,
                                                           SparkTransportKind     kind);
SparkWireApi          spark_session_get_wire_api          (SparkSession          *self);
void                  spark_session_set_wire_api          (SparkSession          *self,
                                                           SparkWireApi           wire_api);
SparkApprovalPolicy  *spark_session_get_approval_policy   (SparkSession          *self);
void                  spark_session_set_approval_policy   (SparkSession          *self,
                                                           SparkApprovalPolicy   *policy);
SparkTools           *spark_session_get_tools             (SparkSession          *self);
SparkConnectionState  spark_session_get_connection_state  (SparkSession          *self);
gboolean              spark_session_get_busy              (SparkSession          *self);
gboolean              spark_session_get_fell_back         (SparkSession          *self);
guint                 spark_session_get_context_window    (SparkSession          *self);
void                  spark_session_set_context_window    (SparkSession          *self,
                                                           guint                  tokens);
guint                 spark_session_get_context_used      (SparkSession          *self);
/* Where sessions are saved as JSONL; NULL disables saving. Default:
 * g_get_user_data_dir()/spark/sessions. */
const char           *spark_session_get_store_dir         (SparkSession          *self);
void                  spark_session_set_store_dir         (SparkSession          *self,
                                                           const char            *store_dir);
/* The transport in use (NULL before start). */
SparkTransport       *spark_session_get_transport         (SparkSession          *self);

/* Opens the connection and pre-warms it (generate:false). */
void                  spark_session_start_async           (SparkSession          *self,
                                                           GCancellable          *cancellable,
                                                           GAsyncReadyCallback    callback,
                                                           gpointer               user_data);
gboolean              spark_session_start_finish          (SparkSession          *self,
                                                           GAsyncResult          *result,
                                                           GError               **error);

/* Sends a prompt now, or queues it when a turn runs. A turn ends (::turn-finished)
 * when a response has no tool call left to answer. */
void                  spark_session_send                  (SparkSession          *self,
                                                           const char            *prompt);
/* Sends @prompt and completes when its turn (and the queue) is finished. */
void                  spark_session_run_async             (SparkSession          *self,
                                                           const char            *prompt,
                                                           GCancellable          *cancellable,
                                                           GAsyncReadyCallback    callback,
                                                           gpointer               user_data);
gboolean              spark_session_run_finish            (SparkSession          *self,
                                                           GAsyncResult          *result,
                                                           GError               **error);
/* While a response streams (WebSocket): response.steer. Otherwise queued. */
gboolean              spark_session_steer                 (SparkSession          *self,
                                                           const char            *text,
                                                           GError               **error);
void                  spark_session_queue                 (SparkSession          *self,
                                                           const char            *text);
guint                 spark_session_get_queue_length      (SparkSession          *self);
/* Ends the turn now: partial text stays in history, unanswered calls get a
 * "stopped" output so the next turn is consistent. */
void                  spark_session_stop                  (SparkSession          *self);
void                  spark_session_close                 (SparkSession          *self);

/* The changeset of an apply_patch call of the current response (NULL for
 * other calls): hunks appear in it while the call streams; accept or reject
 * them before approving the call. Unreviewed patches are accepted whole. */
SparkChangeset       *spark_session_get_changeset         (SparkSession          *self,
                                                           SparkToolCall         *call);

/* History: the items of the conversation, oldest first. They live in the
 * session file (in memory without one) and are read back on demand:
 * dup_item returns a new reference (do not modify it), or NULL with @error
 * if the file no longer holds what was written. */
guint                 spark_session_get_n_items           (SparkSession          *self);
JsonObject           *spark_session_dup_item              (SparkSession          *self,
                                                           guint                  index,
                                                           GError               **error);

/* Saved sessions of a project folder: ids, newest first. */
GStrv                 spark_session_list_saved            (const char            *store_dir,
                                                           const char            *root);
/* Loads a saved session's items; the next turn resends them in full (from
 * the latest compaction on). */
gboolean              spark_session_resume                (SparkSession          *self,
                                                           const char            *session_id,
                                                           GError               **error);

/* Testing and tuning knobs. */
void                  spark_session_set_retry_policy      (SparkSession          *self,
                                                           guint                  max_retries,
                                                           guint                  backoff_base_ms);
void                  spark_session_set_max_connection_age (SparkSession         *self,
                                                            guint                 seconds);
/* Milliseconds without any event before a streaming request is retried
 * (default 300000, as the reference client). */
void                  spark_session_set_idle_timeout      (SparkSession          *self,
                                                           guint                  idle_timeout_ms);
void                  spark_session_set_warmup            (SparkSession          *self,
                                                           gboolean               warmup);
void                  spark_session_set_tls_database      (SparkSession          *self,
                                                           GTlsDatabase          *database);

G_END_DECLS
