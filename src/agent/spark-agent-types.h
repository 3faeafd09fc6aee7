/* spark-agent-types.h
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SPARK_AGENT_ERROR (spark_agent_error_quark ())

/* Every failure the agent layer reports. The messages are written for the
 * person (and, for tool errors, for the model); the codes drive recovery. */
typedef enum
{
  SPARK_AGENT_ERROR_FAILED,
  SPARK_AGENT_ERROR_NO_API_KEY,
  SPARK_AGENT_ERROR_INSECURE,            /* key would travel in clear text */
  SPARK_AGENT_ERROR_CONNECT,             /* network-level failure, retryable */
  SPARK_AGENT_ERROR_WS_UNSUPPORTED,      /* 426/404/405 on the upgrade: use HTTP */
  SPARK_AGENT_ERROR_HTTP,                /* other HTTP status (401, 403, 429...) */
  SPARK_AGENT_ERROR_UNAVAILABLE,         /* HTTP 5xx: the server may recover, retryable */
  SPARK_AGENT_ERROR_CLOSED,              /* socket/stream ended before completion, retryable */
  SPARK_AGENT_ERROR_CLOSED_FINAL,        /* closed with a non-recoverable close code */
  SPARK_AGENT_ERROR_TIMEOUT,             /* no event within the idle timeout, retryable */
  SPARK_AGENT_ERROR_PROTOCOL,            /* bad frame: binary, not JSON, no type, too big */
  SPARK_AGENT_ERROR_SERVER,              /* `error` event */
  SPARK_AGENT_ERROR_PREVIOUS_RESPONSE_NOT_FOUND,
  SPARK_AGENT_ERROR_CONNECTION_LIMIT,    /* websocket_connection_limit_reached */
  SPARK_AGENT_ERROR_RESPONSE_FAILED,     /* response.failed */
  SPARK_AGENT_ERROR_INCOMPLETE,          /* response.incomplete */
  SPARK_AGENT_ERROR_TOOL,
  SPARK_AGENT_ERROR_BUSY,
  SPARK_AGENT_ERROR_CONTEXT_MANAGEMENT_REJECTED, /* the server refused `context_management` */
  SPARK_AGENT_ERROR_COMPACT_UNSUPPORTED, /* no usable /responses/compact (404, 405, 501...) */
  SPARK_AGENT_ERROR_RATE_LIMITED,        /* HTTP 429: retryable, after Retry-After */
} SparkAgentError;

typedef enum
{
  SPARK_CONNECTION_STATE_OFFLINE,
  SPARK_CONNECTION_STATE_CONNECTING,
  SPARK_CONNECTION_STATE_WARM,
  SPARK_CONNECTION_STATE_STREAMING,
  SPARK_CONNECTION_STATE_RECONNECTING,
  SPARK_CONNECTION_STATE_FALLBACK,
} SparkConnectionState;

typedef enum
{
  SPARK_TRANSPORT_KIND_AUTO,
  SPARK_TRANSPORT_KIND_WEBSOCKET,
  SPARK_TRANSPORT_KIND_HTTP,
} SparkTransportKind;

typedef enum
{
  SPARK_WIRE_API_RESPONSES,
  SPARK_WIRE_API_CHAT,
} SparkWireApi;

typedef enum
{
  SPARK_APPROVAL_MODE_NONE,
  SPARK_APPROVAL_MODE_EDITS,
  SPARK_APPROVAL_MODE_ALL,
} SparkApprovalMode;

typedef enum
{
  SPARK_TOOL_CALL_FUNCTION,      /* function_call / function_call_output */
  SPARK_TOOL_CALL_CUSTOM,        /* custom_tool_call / custom_tool_call_output */
  SPARK_TOOL_CALL_HOSTED_PATCH,  /* apply_patch_call / apply_patch_call_output */
} SparkToolCallKind;

/* How the conversation was made to fit the model's context window. */
typedef enum
{
  SPARK_COMPACTION_KIND_LOCAL,       /* older tool output shortened on this machine */
  SPARK_COMPACTION_KIND_SERVER,      /* server-side, asked for with `context_management` */
  SPARK_COMPACTION_KIND_STANDALONE,  /* POST /responses/compact replaced the history */
} SparkCompactionKind;

typedef enum
{
  SPARK_DECISION_PENDING,
  SPARK_DECISION_APPROVED,
  SPARK_DECISION_REJECTED,
} SparkDecision;

#define SPARK_DEFAULT_ENDPOINT "https://api.openai.com/v1"
#define SPARK_DEFAULT_MODEL    "gpt-5.3-codex-spark"

GQuark      spark_agent_error_quark              (void);
gboolean    spark_agent_error_is_retryable       (const GError *error);
gboolean    spark_transport_kind_from_string     (const char          *str,
                                                  SparkTransportKind  *kind);
gboolean    spark_wire_api_from_string           (const char          *str,
                                                  SparkWireApi        *wire_api);
gboolean    spark_approval_mode_from_string      (const char          *str,
                                                  SparkApprovalMode   *mode);
const char *spark_connection_state_to_string     (SparkConnectionState state);
gboolean    spark_uri_is_loopback                (GUri                *uri);
char       *spark_endpoint_to_websocket_url      (const char          *endpoint,
                                                  GError             **error);
gboolean    spark_endpoint_check_key_safe        (const char          *url,
                                                  const char          *api_key,
                                                  GError             **error);
char       *spark_redact_key                     (const char          *text,
                                                  const char          *api_key);

G_END_DECLS
