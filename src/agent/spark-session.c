/* spark-session.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-session"

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-agent-enums.h"
#include "spark-agent-marshal.h"
#include "spark-compaction.h"
#include "spark-patch-hand-off.h"
#include "spark-responses.h"
#include "spark-session.h"
#include "spark-sse-transport.h"
#include "spark-ws-transport.h"

/* The turn loop, in short:
 *
 *   send() ─ adds a user item ─► ensure_connection() ─► proceed()
 *     proceed: warm once (generate:false), then begin_request()
 *     begin_request: previous_response_id + new items when the transport
 *       keeps state, the socket is the same and no other field changed;
 *       else every item
 *   events ─► typed signals; output_item.done items are collected
 *   response.completed ─► items join history; tool calls run one by one
 *     (read-only at once; apply_patch and shell through the approval
 *     policy) and their outputs go back with the next request; no calls
 *     left ends the turn
 *   failures ─► handle_failure(): retry on a new socket with backoff and
 *     the full input, roll over on the connection limit, fall back to HTTP
 *     on 426/404/405 or when retries run out (transport auto only)
 *   context ─► server-side compaction (context_management) on the Responses
 *     wire; if refused, POST /responses/compact before the request that
 *     follows a response over the threshold; if that is missing too, and
 *     on the chat wire, old tool outputs are shortened (spark-compaction.c)
 */

#define DEFAULT_MAX_RETRIES      5
#define DEFAULT_BACKOFF_BASE_MS  500
#define MAX_BACKOFF_MS           8000
#define MAX_RETRY_AFTER_MS       60000   /* a longer Retry-After ends the turn */
#define DEFAULT_MAX_AGE_SECONDS  (55 * 60)
#define DEFAULT_CONTEXT_WINDOW   128000

typedef enum
{
  PHASE_IDLE,
  PHASE_CONNECTING,
  PHASE_WARMING,
  PHASE_STREAMING,
  PHASE_TOOLS,
  PHASE_BACKOFF,
  PHASE_COMPACTING,
} Phase;

typedef struct
{
  SparkToolCall     *call;
  SparkPatchHandOff *hand_off;
} PendingCall;

struct _SparkSession
{
  GObject               parent_instance;

  char                 *id;
  char                 *root;
  char                 *endpoint;
  char                 *model;
  char                 *api_key;
  char                 *store_dir;
  SparkTransportKind    transport_kind;
  SparkWireApi          wire_api;
  SparkApprovalPolicy  *policy;
  SparkTools           *tools;
  SparkTransport       *transport;
  GTlsDatabase         *tls_database;
  SparkConnectionState  state;
  Phase                 phase;

  /* Conversation: in the session file, read back for a full resend */
  SparkHistory         *history;
  GQueue                queue;            /* char *, prompts waiting for the turn to end */
  GQueue                steers;           /* char *, sent with response.steer, not answered yet */
  char                 *last_response_id;
  guint                 last_covered;     /* items the last response id stands for */
  guint                 last_generation;
  char                 *last_non_input;   /* serialized non-input request fields */
  gboolean              force_full;

  /* Context: the model's window is `window` (the output of the standalone
   * compact endpoint, NULL before one) followed by items[window_base..]. */
  GPtrArray            *window;           /* JsonObject */
  guint                 window_base;
  guint                 compact_mark;     /* items covered when compaction became due */
  SparkCompactionKind   compaction;       /* best kind the server has not refused */
  GCancellable         *compact_cancellable;

  /* Current response */
  GPtrArray            *output_items;     /* JsonObject, this response's done items */
  GHashTable           *calls_by_item;    /* item id → SparkToolCall (owned) */
  GPtrArray            *calls;            /* PendingCall, in output order */
  GHashTable           *partial_text;     /* item id → GString */
  /* Deltas come in runs for one item: the last item each table gave. */
  const char           *last_text_key;    /* a key of partial_text, or NULL */
  GString              *last_text;
  const char           *last_call_key;    /* a key of calls_by_item, or NULL */
  SparkToolCall        *last_call;
  SparkTurnTimings     *timings;
  char                 *response_id;
  guint                 attempt;
  guint                 call_index;
  GCancellable         *tool_cancellable;

  /* Tuning */
  guint                 max_retries;
  guint                 backoff_base_ms;
  guint                 max_age_seconds;
  guint                 idle_timeout_ms;
  guint                 backoff_source;
  guint                 retry_after_ms;   /* the server's Retry-After, for the next retry */
  guint                 context_window;
  guint                 context_used;

  GTask                *start_task;
  GPtrArray            *run_tasks;        /* GTask waiting for the queue to drain */

  guint                 warmup : 1;
  guint                 warmed : 1;
  guint                 fell_back : 1;
  guint                 in_turn : 1;
  guint                 compact_pending : 1;
};

G_DEFINE_FINAL_TYPE (SparkSession, spark_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROOT,
  PROP_ENDPOINT,
  PROP_MODEL,
  PROP_API_KEY,
  PROP_TRANSPORT_KIND,
  PROP_WIRE_API,
  PROP_APPROVAL_POLICY,
  PROP_CONNECTION_STATE,
  PROP_BUSY,
  PROP_CONTEXT_WINDOW,
  PROP_CONTEXT_USED,
  PROP_STORE_DIR,
  N_PROPS
};

enum {
  TEXT_DELTA,
  REASONING_DELTA,
  TOOL_CALL_STARTED,
  TOOL_CALL_DELTA,
  TOOL_CALL_DONE,
  TOOL_CALL_OUTPUT,
  ITEM_DONE,
  RESPONSE_COMPLETED,
  RESPONSE_FAILED,
  RESPONSE_INCOMPLETE,
  ERROR,
  TURN_FINISHED,
  CONTEXT_COMPACTED,
  STEER_RESULT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void begin_request      (SparkSession *self,
                                gboolean      warmup);
static void proceed            (SparkSession *self);
static void ensure_connection  (SparkSession *self);
static void run_next_call      (SparkSession *self);
static void finish_turn        (SparkSession *self,
                                const GError *error);

static void
free_gstring (gpointer data)
{
  g_string_free (data, TRUE);
}

static void
pending_call_free (gpointer data)
{
  PendingCall *pending = data;

  g_clear_pointer (&pending->hand_off, spark_patch_hand_off_free);
  g_clear_object (&pending->call);
  g_free (pending);
}

static void
set_state (SparkSession         *self,
           SparkConnectionState  state)
{
  if (self->state != state)
    {
      g_debug ("Connection state: %s", spark_connection_state_to_string (state));
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_STATE]);
    }
}

static void
set_idle_state (SparkSession *self)
{
  if (self->transport != NULL && spark_transport_is_connected (self->transport))
    set_state (self, self->fell_back ? SPARK_CONNECTION_STATE_FALLBACK : SPARK_CONNECTION_STATE_WARM);
  else
    set_state (self, SPARK_CONNECTION_STATE_OFFLINE);
}

static const char *
transport_name (SparkSession *self)
{
  if (SPARK_IS_WS_TRANSPORT (self->transport))
    return "websocket";
  if (self->wire_api == SPARK_WIRE_API_CHAT)
    return "chat";
  return "http";
}

/* Persistence: one JSON object a line, in a file per session that also
 * holds the history's items (spark-history.c). */
static void
update_history_file (SparkSession *self)
{
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;

  if (self->history == NULL || self->root == NULL)
    return;

  if (self->store_dir != NULL)
    {
      hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, self->root, -1);
      path = g_strdup_printf ("%s/%s/%s.jsonl", self->store_dir, hash, self->id);
    }
  spark_history_set_file (self->history, path, self->store_dir);
}

static void
persist_window (SparkSession *self)
{
  g_autoptr(JsonObject) line = spark_compaction_record_new (self->window, self->window_base);

  spark_history_write_line (self->history, line);
}

static void
add_item (SparkSession *self,
          JsonObject   *item)
{
  if (spark_history_get_length (self->history) == 0)
    {
      g_autoptr(JsonObject) line = json_object_new ();

      json_object_set_string_member (line, "type", "session");
      json_object_set_string_member (line, "root", self->root);
      json_object_set_string_member (line, "model", self->model);
      spark_history_write_line (self->history, line);
    }
  spark_history_append (self->history, item);
}

static guint
n_items (SparkSession *self)
{
  return spark_history_get_length (self->history);
}

/* The chat wire has no server-side compaction and no compact endpoint. */
static SparkCompactionKind
compaction_kind (SparkSession *self)
{
  if (self->wire_api == SPARK_WIRE_API_CHAT)
    return SPARK_COMPACTION_KIND_LOCAL;
  return self->compaction;
}

/* NULL if an item of history cannot be read back. */
static JsonObject *
build_request (SparkSession  *self,
               gboolean       warmup,
               gboolean      *continuation,
               GError       **error)
{
  g_autoptr(JsonObject) non_input = json_object_new ();
  g_autofree char *non_input_text = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonArray) input = json_array_new ();
  gboolean chain;
  guint first = 0;
  GList *members;

  json_object_set_string_member (non_input, "model", self->model);
  json_object_set_string_member (non_input, "instructions", spark_tools_get_instructions (self->tools));
  json_object_set_array_member (non_input, "tools", spark_tools_dup_definitions (self->tools, self->wire_api));
  json_object_set_string_member (non_input, "tool_choice", "auto");
  json_object_set_boolean_member (non_input, "parallel_tool_calls", FALSE);
  json_object_set_boolean_member (non_input, "store", FALSE);
  if (self->wire_api == SPARK_WIRE_API_RESPONSES)
    {
      JsonArray *include = json_array_new ();

      /* With store:false, reasoning can only be replayed with its encrypted content. */
      json_array_add_string_element (include, "reasoning.encrypted_content");
      json_object_set_array_member (non_input, "include", include);
    }
  if (compaction_kind (self) == SPARK_COMPACTION_KIND_SERVER)
    {
      guint threshold = spark_compaction_threshold (self->context_window);

      json_object_set_array_member (non_input, "context_management",
                                    spark_compaction_context_management (threshold));
    }
  non_input_text = spark_responses_to_string (non_input);

  chain = !warmup &&
          !self->force_full &&
          self->last_response_id != NULL &&
          spark_transport_supports_continuation (self->transport) &&
          self->last_generation == spark_transport_get_generation (self->transport) &&
          g_strcmp0 (self->last_non_input, non_input_text) == 0 &&
          self->last_covered <= n_items (self);

  request = json_object_new ();
  members = json_object_get_members (non_input);
  for (const GList *l = members; l != NULL; l = l->next)
    json_object_set_member (request, l->data,
                            json_node_copy (json_object_get_member (non_input, l->data)));
  g_list_free (members);

  if (chain)
    {
      json_object_set_string_member (request, "previous_response_id", self->last_response_id);
      first = self->last_covered;
    }

  if (chain && first > 0)
    {
      /* The server holds the rest, compaction items included: no pruning. */
      if (!spark_compaction_add_items (input, self->history, first, n_items (self), error))
        return NULL;
    }
  else if (!warmup)
    {
      /* Everything the model needs, also when chaining from a warm-up. */
      if (!spark_compaction_collect_input (input, self->window, self->history,
                                           self->window_base, n_items (self), error))
        return NULL;
    }
  else
    {
      json_object_set_boolean_member (request, "generate", FALSE);
    }
  json_object_set_array_member (request, "input", g_steal_pointer (&input));

  g_free (self->last_non_input);
  self->last_non_input = g_steal_pointer (&non_input_text);

  if (continuation)
    *continuation = chain;

  return g_steal_pointer (&request);
}

static void
reset_response (SparkSession *self)
{
  g_ptr_array_set_size (self->output_items, 0);
  g_hash_table_remove_all (self->calls_by_item);
  g_ptr_array_set_size (self->calls, 0);
  g_hash_table_remove_all (self->partial_text);
  self->last_text_key = self->last_call_key = NULL;
  g_clear_pointer (&self->response_id, g_free);
  self->call_index = 0;
}

static void
complete_run_tasks (SparkSession *self,
                    const GError *error)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->run_tasks);

  self->run_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < tasks->len; i++)
    {
      if (error != NULL)
        g_task_return_error (tasks->pdata[i], g_error_copy (error));
      else
        g_task_return_boolean (tasks->pdata[i], TRUE);
    }
}

/* Steering the server never answered is not lost: it becomes the next prompt. */
static void
requeue_steers (SparkSession *self)
{
  char *text;

  while ((text = g_queue_pop_tail (&self->steers)) != NULL)
    g_queue_push_head (&self->queue, text);
}

static void
finish_turn (SparkSession *self,
             const GError *error)
{
  g_autoptr(SparkSession) hold = g_object_ref (self);

  requeue_steers (self);

  self->phase = PHASE_IDLE;
  self->in_turn = FALSE;
  self->attempt = 0;
  reset_response (self);
  g_clear_object (&self->tool_cancellable);

  if (error != NULL)
    {
      /* After a failed turn, continue on a new connection with the full input. */
      self->force_full = TRUE;
      g_clear_pointer (&self->last_response_id, g_free);
    }

  set_idle_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_signal_emit (self, signals[TURN_FINISHED], 0, error);

  if (error == NULL && !g_queue_is_empty (&self->queue))
    {
      g_autofree char *next = g_queue_pop_head (&self->queue);
      spark_session_send (self, next);
      return;
    }

  if (error != NULL)
    {
      /* Queued prompts would only hit the same failure. */
      g_queue_clear_full (&self->queue, g_free);
    }

  complete_run_tasks (self, error);
}

/* Tools */

static void
add_call_output (SparkSession  *self,
                 SparkToolCall *call,
                 const char    *output,
                 gboolean       success)
{
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *valid = g_utf8_make_valid (output, -1);

  item = spark_responses_tool_output (spark_tool_call_get_kind (call),
                                      spark_tool_call_get_call_id (call),
                                      valid, success);
  add_item (self, item);
  g_signal_emit (self, signals[TOOL_CALL_OUTPUT], 0, call, output, success);
}

static void
call_finished (SparkSession  *self,
               SparkToolCall *call,
               const char    *output,
               gboolean       success)
{
  add_call_output (self, call, output, success);
  self->call_index++;
  run_next_call (self);
}

static void
tool_run_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SparkSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  PendingCall *pending;
  gboolean success = FALSE;

  output = spark_tools_run_finish (SPARK_TOOLS (object), result, &success, &error);
  if (output == NULL)
    return;   /* cancelled: stop() already answered the call */

  if (self->phase != PHASE_TOOLS || self->call_index >= self->calls->len)
    return;

  pending = g_ptr_array_index (self->calls, self->call_index);
  call_finished (self, pending->call, output, success);
}

static void
on_call_decided (SparkToolCall *call,
                 SparkSession  *self)
{
  PendingCall *pending;

  g_signal_handlers_disconnect_by_func (call, on_call_decided, self);

  if (self->phase != PHASE_TOOLS || self->call_index >= self->calls->len)
    return;

  pending = g_ptr_array_index (self->calls, self->call_index);
  if (pending->call != call)
    return;

  if (spark_tool_call_get_decision (call) == SPARK_DECISION_REJECTED)
    {
      g_autofree char *output = g_strdup_printf ("Rejected by the user: %s",
                                                 spark_tool_call_get_reason (call));
      call_finished (self, call, output, FALSE);
      return;
    }

  if (pending->hand_off != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *output = spark_patch_hand_off_apply (pending->hand_off, &error);

      if (output == NULL)
        {
          g_autofree char *message = g_strdup_printf ("Error: the patch was not applied: %s",
                                                      error->message);
          call_finished (self, call, message, FALSE);
        }
      else
        call_finished (self, call, output, TRUE);
      return;
    }

  spark_tools_run_async (self->tools, call, self->tool_cancellable, tool_run_cb, g_object_ref (self));
}

static void
run_next_call (SparkSession *self)
{
  PendingCall *pending;
  const char *name;

  g_assert (self->phase == PHASE_TOOLS);

  if (self->call_index >= self->calls->len)
    {
      /* Every call answered: hand the outputs back on the same connection. */
      reset_response (self);
      ensure_connection (self);
      return;
    }

  pending = g_ptr_array_index (self->calls, self->call_index);
  name = spark_tool_call_get_name (pending->call);

  if (spark_tools_is_read_only (name))
    {
      spark_tools_run_async (self->tools, pending->call, self->tool_cancellable, tool_run_cb,
                             g_object_ref (self));
      return;
    }

  if (pending->hand_off != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!spark_patch_hand_off_finish (pending->hand_off, &error))
        {
          g_autofree char *output = g_strdup_printf ("Error: invalid patch: %s", error->message);
          call_finished (self, pending->call, output, FALSE);
          return;
        }
    }
  else if (g_strcmp0 (name, "shell") != 0 || !spark_tools_get_shell_enabled (self->tools))
    {
      g_autofree char *output = g_strdup_printf ("Error: unknown tool “%s”", name ? name : "");
      call_finished (self, pending->call, output, FALSE);
      return;
    }

  g_signal_connect (pending->call, "decided", G_CALLBACK (on_call_decided), self);
  spark_approval_policy_review (self->policy, pending->call);
}

/* Events */

static SparkToolCall *
start_call (SparkSession *self,
            JsonObject   *item)
{
  const char *type = spark_json_get_string (item, "type");
  const char *item_id = spark_json_get_string (item, "id");
  const char *call_id = spark_json_get_string (item, "call_id");
  SparkToolCallKind kind;
  SparkToolCall *call;
  PendingCall *pending;

  if (g_strcmp0 (type, "function_call") == 0)
    kind = SPARK_TOOL_CALL_FUNCTION;
  else if (g_strcmp0 (type, "custom_tool_call") == 0)
    kind = SPARK_TOOL_CALL_CUSTOM;
  else
    kind = SPARK_TOOL_CALL_HOSTED_PATCH;

  if (item_id == NULL)
    item_id = call_id;
  if (item_id == NULL)
    return NULL;

  if ((call = g_hash_table_lookup (self->calls_by_item, item_id)))
    return call;

  call = spark_tool_call_new (kind, item_id, call_id, spark_json_get_string (item, "name"));
  g_hash_table_insert (self->calls_by_item, g_strdup (item_id), call);

  pending = g_new0 (PendingCall, 1);
  pending->call = g_object_ref (call);
  if (spark_tool_call_is_patch (call))
    pending->hand_off = spark_patch_hand_off_new (self->root, call);
  g_ptr_array_add (self->calls, pending);

  g_signal_emit (self, signals[TOOL_CALL_STARTED], 0, call);

  return call;
}

/* Shortens old tool outputs of the window; returns TRUE if any. */
static gboolean
compact_locally (SparkSession *self)
{
  guint start = spark_compaction_window_start (self->history, self->window_base, n_items (self));
  gsize removed = spark_compaction_shorten_outputs (self->history, start);

  if (removed == 0)
    return FALSE;

  g_debug ("Context at %u of %u tokens: shortened %" G_GSIZE_FORMAT " bytes of tool output",
           self->context_used, self->context_window, removed);
  /* The server's copy is now different: send the whole, smaller input. */
  self->force_full = TRUE;
  g_signal_emit (self, signals[CONTEXT_COMPACTED], 0,
                 SPARK_COMPACTION_KIND_LOCAL, self->context_used, 0, (guint64) removed);
  return TRUE;
}

/* After a response: near the window, compact the way the server allows. */
static void
check_context (SparkSession *self,
               guint         used_before,
               gboolean      server_compacted,
               gboolean      has_usage)
{
  if (server_compacted)
    {
      /* Nothing to do: the chain continues; a full resend starts at the item. */
      g_debug ("The server compacted the context (it was at %u tokens)", used_before);
      g_signal_emit (self, signals[CONTEXT_COMPACTED], 0,
                     SPARK_COMPACTION_KIND_SERVER, used_before, 0, (guint64) 0);
      return;
    }

  if (!has_usage)
    return;

  switch (compaction_kind (self))
    {
    case SPARK_COMPACTION_KIND_STANDALONE:
      if (self->context_used >= spark_compaction_threshold (self->context_window))
        {
          /* Before the next request, whatever it carries. */
          self->compact_pending = TRUE;
          self->compact_mark = n_items (self);
        }
      break;

    case SPARK_COMPACTION_KIND_LOCAL:
      if (self->context_used >= self->context_window * SPARK_COMPACTION_LOCAL_SHARE)
        compact_locally (self);
      break;

    case SPARK_COMPACTION_KIND_SERVER:
    default:
      break;
    }
}

static void
handle_completed (SparkSession *self,
                  JsonObject   *event)
{
  JsonObject *response = spark_json_get_object (event, "response");
  JsonObject *usage = spark_json_get_object (response, "usage");
  const char *id = spark_json_get_string (response, "id");
  gboolean warmup = self->phase == PHASE_WARMING;
  g_autoptr(SparkTurnTimings) timings = g_steal_pointer (&self->timings);
  guint used_before = self->context_used;
  gboolean server_compacted = FALSE;

  if (id == NULL)
    id = self->response_id;

  /* Items that streamed without output_item.done are taken from the response. */
  if (self->output_items->len == 0 && response != NULL && json_object_has_member (response, "output"))
    {
      JsonArray *output = spark_json_get_array (response, "output");

      for (guint i = 0; output != NULL && i < json_array_get_length (output); i++)
        {
          JsonObject *item = spark_json_array_get_object (output, i);

          if (item == NULL)
            continue;
          g_ptr_array_add (self->output_items, spark_responses_item_bounded (item, SPARK_MAX_PATCH_SIZE));
          if (spark_responses_item_is_tool_call (item))
            {
              SparkToolCall *call = start_call (self, item);

              if (call != NULL && !spark_tool_call_is_complete (call))
                {
                  _spark_tool_call_complete (call, item);
                  g_signal_emit (self, signals[TOOL_CALL_DONE], 0, call);
                }
            }
        }
    }

  for (guint i = 0; i < self->output_items->len; i++)
    {
      JsonObject *item = g_ptr_array_index (self->output_items, i);

      if (spark_compaction_is_item (item))
        server_compacted = TRUE;
      add_item (self, item);
    }

  g_free (self->last_response_id);
  self->last_response_id = g_strdup (id);
  /* A warm-up has no input: chaining from it sends every item. */
  self->last_covered = warmup ? 0 : n_items (self);
  self->last_generation = spark_transport_get_generation (self->transport);
  self->force_full = FALSE;
  self->attempt = 0;

  if (usage != NULL)
    {
      JsonObject *details = spark_json_get_object (usage, "input_tokens_details");

      timings->input_tokens = spark_json_get_int (usage, "input_tokens", 0);
      timings->output_tokens = spark_json_get_int (usage, "output_tokens", 0);
      timings->cached_tokens = spark_json_get_int (details, "cached_tokens", 0);
      self->context_used = timings->input_tokens + timings->output_tokens;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT_USED]);
    }
  if (!warmup)
    check_context (self, used_before, server_compacted, usage != NULL);
  timings->completed = g_get_monotonic_time ();

  if (warmup)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

      g_debug ("Warm-up done: %s", id ? id : "(no id)");
      self->warmed = TRUE;
      self->phase = PHASE_IDLE;
      reset_response (self);
      set_idle_state (self);
      if (task != NULL)
        g_task_return_boolean (task, TRUE);
      if (self->in_turn)
        begin_request (self, FALSE);
      return;
    }

  g_signal_emit (self, signals[RESPONSE_COMPLETED], 0, id, timings);

  if (self->calls->len == 0)
    {
      finish_turn (self, NULL);
      return;
    }

  self->phase = PHASE_TOOLS;
  set_idle_state (self);
  /* A turn may run tools more than once (a patch, then a command). */
  g_clear_object (&self->tool_cancellable);
  self->tool_cancellable = g_cancellable_new ();
  self->call_index = 0;
  run_next_call (self);
}

static void handle_failure (SparkSession *self,
                            const GError *error);


/* A streaming delta, from the transport's fast path or from a parsed event. */
static void
handle_delta (SparkSession   *self,
              SparkEventKind  kind,
              const char     *item_id,
              const char     *delta)
{
  gboolean warmup = self->phase == PHASE_WARMING;

  if (delta == NULL || warmup)
    return;

  switch (kind)
    {
    case SPARK_EVENT_OUTPUT_TEXT_DELTA:
      {
        GString *partial;

        if (self->timings->first_text == 0)
          self->timings->first_text = g_get_monotonic_time ();
        self->timings->deltas++;
        if (item_id != NULL)
          {
            if (self->last_text_key != NULL && strcmp (item_id, self->last_text_key) == 0)
              partial = self->last_text;
            else
              {
                gpointer key;

                if (!g_hash_table_lookup_extended (self->partial_text, item_id, &key, (gpointer *) &partial))
                  {
                    key = g_strdup (item_id);
                    partial = g_string_new (NULL);
                    g_hash_table_insert (self->partial_text, key, partial);
                  }
                self->last_text_key = key;
                self->last_text = partial;
              }
            g_string_append (partial, delta);
          }
        g_signal_emit (self, signals[TEXT_DELTA], 0, item_id, delta);
      }
      break;

    case SPARK_EVENT_REASONING_SUMMARY_DELTA:
      g_signal_emit (self, signals[REASONING_DELTA], 0, item_id, delta);
      break;

    case SPARK_EVENT_FUNCTION_ARGUMENTS_DELTA:
    case SPARK_EVENT_CUSTOM_INPUT_DELTA:
      {
        SparkToolCall *call;

        if (item_id == NULL)
          break;
        if (self->last_call_key != NULL && strcmp (item_id, self->last_call_key) == 0)
          call = self->last_call;
        else
          {
            gpointer key;

            if (!g_hash_table_lookup_extended (self->calls_by_item, item_id, &key, (gpointer *) &call))
              {
                g_autoptr(GError) error = NULL;

                /* Its output_item.added never came: what the review pane
                 * would show of this call cannot be trusted. */
                error = g_error_new (SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL,
                                     _("Server sent tool call input for an item it never "
                                       "started (“%s”)"),
                                     item_id);
                handle_failure (self, error);
                break;
              }
            self->last_call_key = key;
            self->last_call = call;
          }
        self->timings->deltas++;
        if (spark_tool_call_is_patch (call) && self->timings->first_patch_byte == 0)
          self->timings->first_patch_byte = g_get_monotonic_time ();
        _spark_tool_call_append_delta (call, delta);
        g_signal_emit (self, signals[TOOL_CALL_DELTA], 0, call, delta);
      }
      break;

    case SPARK_EVENT_UNKNOWN:
    case SPARK_EVENT_CREATED:
    case SPARK_EVENT_IN_PROGRESS:
    case SPARK_EVENT_OUTPUT_ITEM_ADDED:
    case SPARK_EVENT_OUTPUT_ITEM_DONE:
    case SPARK_EVENT_COMPLETED:
    case SPARK_EVENT_FAILED:
    case SPARK_EVENT_INCOMPLETE:
    case SPARK_EVENT_ERROR:
    case SPARK_EVENT_STEER_ACCEPTED:
    case SPARK_EVENT_STEER_PENDING:
    case SPARK_EVENT_STEER_FAILED:
    default:
      g_assert_not_reached ();
    }
}

static void
note_first_event (SparkSession *self)
{
  if (self->timings != NULL && self->timings->first_event == 0)
    self->timings->first_event = g_get_monotonic_time ();
}

static void
on_transport_delta (SparkTransport *transport,
                    SparkEventKind  kind,
                    const char     *item_id,
                    const char     *delta,
                    gpointer        user_data)
{
  SparkSession *self = user_data;
  g_autoptr(SparkSession) hold = NULL;

  if (self->phase != PHASE_STREAMING && self->phase != PHASE_WARMING)
    return;

  hold = g_object_ref (self);
  note_first_event (self);
  handle_delta (self, kind, item_id, delta);
}

static void
on_transport_event (SparkTransport *transport,
                    JsonObject     *event,
                    SparkSession   *self)
{
  g_autoptr(SparkSession) hold = g_object_ref (self);
  SparkEventKind kind = spark_responses_event_kind (event);
  gboolean warmup = self->phase == PHASE_WARMING;
  gint64 now = g_get_monotonic_time ();
  JsonObject *item;

  if (self->phase != PHASE_STREAMING && self->phase != PHASE_WARMING)
    return;

  note_first_event (self);

  switch (kind)
    {
    case SPARK_EVENT_CREATED:
      {
        JsonObject *response = spark_json_get_object (event, "response");
        g_free (self->response_id);
        self->response_id = g_strdup (spark_json_get_string (response, "id"));
      }
      break;

    case SPARK_EVENT_OUTPUT_ITEM_ADDED:
      item = spark_json_get_object (event, "item");
      if (!warmup && spark_responses_item_is_tool_call (item))
        {
          SparkToolCall *call = start_call (self, item);
          const char *initial = NULL;

          /* Some servers send the whole input in the added item. */
          if (call != NULL && spark_tool_call_get_kind (call) == SPARK_TOOL_CALL_CUSTOM)
            initial = spark_json_get_string (item, "input");
          else if (call != NULL && spark_tool_call_get_kind (call) == SPARK_TOOL_CALL_FUNCTION)
            initial = spark_json_get_string (item, "arguments");
          if (initial != NULL && initial[0] != '\0')
            {
              _spark_tool_call_append_delta (call, initial);
              g_signal_emit (self, signals[TOOL_CALL_DELTA], 0, call, initial);
            }
        }
      break;

    case SPARK_EVENT_OUTPUT_TEXT_DELTA:
    case SPARK_EVENT_REASONING_SUMMARY_DELTA:
    case SPARK_EVENT_FUNCTION_ARGUMENTS_DELTA:
    case SPARK_EVENT_CUSTOM_INPUT_DELTA:
      handle_delta (self, kind, spark_json_get_string (event, "item_id"),
                    spark_json_get_string (event, "delta"));
      break;

    case SPARK_EVENT_OUTPUT_ITEM_DONE:
      item = spark_json_get_object (event, "item");
      if (item != NULL && !warmup)
        {
          g_ptr_array_add (self->output_items, spark_responses_item_bounded (item, SPARK_MAX_PATCH_SIZE));
          if (spark_responses_item_is_tool_call (item))
            {
              SparkToolCall *call = start_call (self, item);

              if (call != NULL)
                {
                  if (spark_tool_call_is_patch (call) && self->timings->first_patch_byte == 0)
                    self->timings->first_patch_byte = now;
                  _spark_tool_call_complete (call, item);
                  g_signal_emit (self, signals[TOOL_CALL_DONE], 0, call);
                }
            }
          else if (spark_json_get_string (item, "id") != NULL)
            {
              self->last_text_key = NULL;
              g_hash_table_remove (self->partial_text, spark_json_get_string (item, "id"));
            }
          g_signal_emit (self, signals[ITEM_DONE], 0, item);
        }
      break;

    case SPARK_EVENT_COMPLETED:
      handle_completed (self, event);
      break;

    case SPARK_EVENT_FAILED:
    case SPARK_EVENT_INCOMPLETE:
    case SPARK_EVENT_ERROR:
      {
        g_autoptr(GError) error = spark_responses_error_from_event (event);

        if (kind == SPARK_EVENT_FAILED)
          g_signal_emit (self, signals[RESPONSE_FAILED], 0, error);
        else if (kind == SPARK_EVENT_INCOMPLETE)
          {
            JsonObject *details = spark_json_get_object (spark_json_get_object (event, "response"),
                                                         "incomplete_details");
            g_signal_emit (self, signals[RESPONSE_INCOMPLETE], 0,
                           spark_json_get_string (details, "reason"));
          }
        handle_failure (self, error);
      }
      break;

    case SPARK_EVENT_STEER_ACCEPTED:
    case SPARK_EVENT_STEER_FAILED:
      {
        g_autofree char *text = g_queue_pop_head (&self->steers);

        if (text == NULL)
          break;

        if (kind == SPARK_EVENT_STEER_ACCEPTED)
          {
            /* The model sees it now; history keeps it for any full resend. */
            g_autoptr(JsonObject) message = spark_responses_user_message (text);
            add_item (self, message);
          }
        else
          {
            g_debug ("Steering refused (%s): queued as a follow-up",
                     spark_json_get_string (event, "code"));
            g_queue_push_head (&self->queue, g_strdup (text));
          }
        g_signal_emit (self, signals[STEER_RESULT], 0, text, kind == SPARK_EVENT_STEER_ACCEPTED);
      }
      break;

    case SPARK_EVENT_STEER_PENDING:
      g_debug ("Steering pending");
      break;

    case SPARK_EVENT_IN_PROGRESS:
    case SPARK_EVENT_UNKNOWN:
    default:
      /* Unknown event types are ignored, as the protocol asks. */
      break;
    }
}

static void
on_transport_stream_failed (SparkTransport *transport,
                            const GError   *error,
                            SparkSession   *self)
{
  g_autoptr(SparkSession) hold = g_object_ref (self);

  if (self->phase != PHASE_STREAMING && self->phase != PHASE_WARMING)
    return;

  handle_failure (self, error);
}

/* The server closed the socket between requests: say so now, not at the
 * next turn. */
static void
on_transport_disconnected (SparkTransport *transport,
                           SparkSession   *self)
{
  if (self->phase == PHASE_IDLE || self->phase == PHASE_TOOLS)
    set_idle_state (self);
}

static void
install_transport (SparkSession   *self,
                   SparkTransport *transport)
{
  if (self->transport != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->transport, self);
      spark_transport_set_delta_func (self->transport, NULL, NULL);
      spark_transport_close (self->transport);
      g_clear_object (&self->transport);
    }

  self->transport = transport;
  if (transport == NULL)
    return;

  if (self->tls_database != NULL)
    {
      if (SPARK_IS_WS_TRANSPORT (transport))
        spark_ws_transport_set_tls_database (SPARK_WS_TRANSPORT (transport), self->tls_database);
      else
        spark_sse_transport_set_tls_database (SPARK_SSE_TRANSPORT (transport), self->tls_database);
    }

  if (SPARK_IS_WS_TRANSPORT (transport))
    spark_ws_transport_set_idle_timeout (SPARK_WS_TRANSPORT (transport), self->idle_timeout_ms);
  else
    spark_sse_transport_set_idle_timeout (SPARK_SSE_TRANSPORT (transport), self->idle_timeout_ms);

  g_signal_connect (transport, "event", G_CALLBACK (on_transport_event), self);
  spark_transport_set_delta_func (transport, on_transport_delta, self);
  g_signal_connect (transport, "stream-failed", G_CALLBACK (on_transport_stream_failed), self);
  g_signal_connect (transport, "disconnected", G_CALLBACK (on_transport_disconnected), self);
}

static SparkTransport *
create_transport (SparkSession *self,
                  gboolean      http)
{
  if (!http && self->wire_api == SPARK_WIRE_API_RESPONSES)
    return SPARK_TRANSPORT (spark_ws_transport_new (self->endpoint, self->api_key));

  return SPARK_TRANSPORT (spark_sse_transport_new (self->endpoint, self->api_key, self->wire_api));
}

static gboolean
can_fall_back (SparkSession *self)
{
  return self->transport_kind == SPARK_TRANSPORT_KIND_AUTO &&
         SPARK_IS_WS_TRANSPORT (self->transport);
}

static void
fall_back_to_http (SparkSession *self)
{
  g_debug ("Falling back from WebSocket to HTTP for the rest of the session");
  self->fell_back = TRUE;
  install_transport (self, create_transport (self, TRUE));
  g_clear_pointer (&self->last_response_id, g_free);
  self->force_full = TRUE;
}

static gboolean
backoff_cb (gpointer data)
{
  SparkSession *self = data;

  self->backoff_source = 0;
  ensure_connection (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (SparkSession *self,
                gboolean      immediate)
{
  guint delay = 0;

  self->phase = PHASE_BACKOFF;
  set_state (self, SPARK_CONNECTION_STATE_RECONNECTING);

  if (!immediate)
    {
      guint exp = MIN (self->attempt, 8);
      double jitter = g_random_double_range (0.75, 1.0);

      delay = MIN ((guint64) self->backoff_base_ms << (exp > 0 ? exp - 1 : 0), MAX_BACKOFF_MS);
      delay = (guint) (delay * jitter);
    }
  /* Rate limited: never sooner than the server asked. */
  delay = MAX (delay, self->retry_after_ms);
  self->retry_after_ms = 0;

  g_debug ("Retrying in %u ms (attempt %u)", delay, self->attempt + 1);
  g_clear_handle_id (&self->backoff_source, g_source_remove);
  self->backoff_source = g_timeout_add (delay, backoff_cb, self);
}

/* Sends the request again at once, without counting an attempt. */
static void
retry_now (SparkSession *self)
{
  self->phase = PHASE_BACKOFF;
  g_clear_handle_id (&self->backoff_source, g_source_remove);
  self->backoff_source = g_idle_add (backoff_cb, self);
}

static void
handle_failure (SparkSession *self,
                const GError *error)
{
  g_debug ("Request failed: %s", error->message);
  g_signal_emit (self, signals[ERROR], 0, error);

  g_clear_pointer (&self->timings, spark_turn_timings_free);
  reset_response (self);

  /* The partial response is dropped; the retry regenerates it from scratch. */
  if (g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CONTEXT_MANAGEMENT_REJECTED) &&
      compaction_kind (self) == SPARK_COMPACTION_KIND_SERVER)
    {
      /* Same request without it; near the window, the compact endpoint instead. */
      g_debug ("The server refused context_management: using /responses/compact for this session");
      self->compaction = SPARK_COMPACTION_KIND_STANDALONE;
      g_clear_pointer (&self->last_response_id, g_free);
      self->force_full = TRUE;
      retry_now (self);
      return;
    }
  else if (g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PREVIOUS_RESPONSE_NOT_FOUND))
    {
      g_clear_pointer (&self->last_response_id, g_free);
      self->force_full = TRUE;
      if (++self->attempt <= self->max_retries)
        {
          schedule_retry (self, TRUE);
          return;
        }
    }
  else if (g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CONNECTION_LIMIT))
    {
      /* 60-minute cap: a new socket, the full input. */
      spark_transport_close (self->transport);
      g_clear_pointer (&self->last_response_id, g_free);
      self->force_full = TRUE;
      if (++self->attempt <= self->max_retries)
        {
          schedule_retry (self, TRUE);
          return;
        }
    }
  else if (g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_WS_UNSUPPORTED) &&
           can_fall_back (self))
    {
      fall_back_to_http (self);
      schedule_retry (self, TRUE);
      return;
    }
  else if (spark_agent_error_is_retryable (error) &&
           spark_transport_get_retry_after (self->transport) <= MAX_RETRY_AFTER_MS)
    {
      self->retry_after_ms = spark_transport_get_retry_after (self->transport);
      spark_transport_close (self->transport);
      g_clear_pointer (&self->last_response_id, g_free);
      self->force_full = TRUE;
      if (++self->attempt <= self->max_retries)
        {
          schedule_retry (self, FALSE);
          return;
        }
      self->retry_after_ms = 0;
      if (can_fall_back (self))
        {
          self->attempt = 0;
          fall_back_to_http (self);
          schedule_retry (self, TRUE);
          return;
        }
    }

  if (self->start_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
      g_task_return_error (task, g_error_copy (error));
    }

  spark_transport_close (self->transport);

  if (!self->in_turn)
    {
      self->phase = PHASE_IDLE;
      set_idle_state (self);
      return;
    }

  finish_turn (self, error);
}

static void
compact_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SparkSession) self = user_data;
  g_autoptr(SparkCompactResult) compacted = NULL;
  g_autoptr(GError) error = NULL;
  guint before;

  compacted = spark_compaction_compact_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->phase != PHASE_COMPACTING)
    return;   /* stopped or closed meanwhile */

  g_clear_object (&self->compact_cancellable);

  if (compacted != NULL)
    {
      /* The output replaces the window; a new chain starts from it. */
      before = compacted->input_tokens > 0 ? compacted->input_tokens : self->context_used;
      g_debug ("Compacted %u tokens into %u items", before, compacted->output->len);
      g_clear_pointer (&self->window, g_ptr_array_unref);
      self->window = g_steal_pointer (&compacted->output);
      self->window_base = self->compact_mark;
      persist_window (self);
      g_clear_pointer (&self->last_response_id, g_free);
      self->force_full = TRUE;
      g_signal_emit (self, signals[CONTEXT_COMPACTED], 0,
                     SPARK_COMPACTION_KIND_STANDALONE, before, 0, (guint64) 0);
    }
  else
    {
      if (g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_COMPACT_UNSUPPORTED) ||
          g_error_matches (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_PROTOCOL))
        {
          g_debug ("%s: shortening tool output locally for this session", error->message);
          self->compaction = SPARK_COMPACTION_KIND_LOCAL;
        }
      else
        g_debug ("%s: shortening tool output locally this time", error->message);
      compact_locally (self);
    }

  /* The request that waited. */
  ensure_connection (self);
}

/* Compacts with the standalone endpoint, then sends the request; FALSE if
 * there is nothing to compact. The items added since the compaction became
 * due (the new prompt, tool outputs) stay out, to follow the compacted
 * window as they would follow the old one. */
static gboolean
compact_standalone (SparkSession *self)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *input = json_array_new ();

  self->compact_mark = CLAMP (self->compact_mark, self->window_base, n_items (self));
  if (!spark_compaction_collect_input (input, self->window, self->history,
                                       self->window_base, self->compact_mark, &error))
    {
      /* The request that follows cannot be sent either, and says why. */
      g_debug ("Not compacting: %s", error->message);
      json_array_unref (input);
      return FALSE;
    }
  json_object_set_string_member (body, "model", self->model);
  json_object_set_array_member (body, "input", input);
  json_object_set_string_member (body, "instructions", spark_tools_get_instructions (self->tools));

  if (json_array_get_length (input) == 0)
    return FALSE;

  self->phase = PHASE_COMPACTING;
  self->compact_cancellable = g_object_ref (cancellable);
  /* A handler may stop the turn here: then the call ends at once, cancelled. */
  set_state (self, SPARK_CONNECTION_STATE_STREAMING);
  spark_compaction_compact_async (self->endpoint, self->api_key, self->tls_database, body,
                                  cancellable, compact_cb, g_object_ref (self));
  return TRUE;
}

static void
begin_request (SparkSession *self,
               gboolean      warmup)
{
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;
  gboolean continuation = FALSE;

  if (!warmup && self->compact_pending)
    {
      self->compact_pending = FALSE;
      if (compaction_kind (self) == SPARK_COMPACTION_KIND_STANDALONE && compact_standalone (self))
        return;
    }

  reset_response (self);
  request = build_request (self, warmup, &continuation, &error);
  if (request == NULL)
    {
      self->phase = warmup ? PHASE_WARMING : PHASE_STREAMING;
      handle_failure (self, error);
      return;
    }
  /* Items sent or given by the server are needed again only for a full
   * resend, which reads them back: the next chained request starts after
   * them. (Until now the transcript could read the last response's.) */
  spark_history_release (self->history);

  g_clear_pointer (&self->timings, spark_turn_timings_free);
  self->timings = spark_turn_timings_new ();
  self->timings->attempt = self->attempt + 1;
  self->timings->continuation = continuation;
  self->timings->transport = g_strdup (transport_name (self));
  self->timings->request_sent = g_get_monotonic_time ();

  self->phase = warmup ? PHASE_WARMING : PHASE_STREAMING;
  if (!warmup)
    set_state (self, SPARK_CONNECTION_STATE_STREAMING);

  if (!spark_transport_send (self->transport, request, &error))
    handle_failure (self, error);
}

/* The connection is up: warm it once, then send the turn if there is one. */
static void
proceed (SparkSession *self)
{
  if (!self->warmed)
    {
      if (self->warmup && spark_transport_supports_continuation (self->transport))
        {
          begin_request (self, TRUE);
          return;
        }
      self->warmed = TRUE;
    }

  if (self->start_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
      g_task_return_boolean (task, TRUE);
    }

  if (self->in_turn)
    begin_request (self, FALSE);
  else
    {
      self->phase = PHASE_IDLE;
      set_idle_state (self);
    }
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SparkSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (SPARK_TRANSPORT (object) != self->transport)
    return;   /* replaced meanwhile */

  if (!spark_transport_connect_finish (SPARK_TRANSPORT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_CONNECT,
                               _("Timed out connecting"));
        }
      if (self->phase == PHASE_CONNECTING)
        self->phase = self->in_turn ? PHASE_STREAMING : PHASE_WARMING;
      handle_failure (self, error);
      return;
    }

  set_idle_state (self);
  proceed (self);
}

static void
ensure_connection (SparkSession *self)
{
  gint64 connected_at;

  if (self->transport == NULL)
    install_transport (self, create_transport (self, self->transport_kind == SPARK_TRANSPORT_KIND_HTTP));

  connected_at = spark_transport_get_connected_at (self->transport);
  if (spark_transport_is_connected (self->transport) && connected_at > 0 &&
      g_get_monotonic_time () - connected_at > (gint64) self->max_age_seconds * G_USEC_PER_SEC)
    {
      /* Roll over before the server's 60-minute cap. */
      g_debug ("Rolling over to a new connection");
      spark_transport_close (self->transport);
    }

  if (spark_transport_is_connected (self->transport))
    {
      proceed (self);
      return;
    }

  self->phase = PHASE_CONNECTING;
  if (self->state != SPARK_CONNECTION_STATE_RECONNECTING)
    set_state (self, SPARK_CONNECTION_STATE_CONNECTING);
  spark_transport_connect_async (self->transport, NULL, connect_cb, g_object_ref (self));
}

/* GObject */

static void
spark_session_dispose (GObject *object)
{
  SparkSession *self = (SparkSession *)object;

  g_clear_handle_id (&self->backoff_source, g_source_remove);
  if (self->tool_cancellable != NULL)
    g_cancellable_cancel (self->tool_cancellable);
  g_clear_object (&self->tool_cancellable);
  if (self->compact_cancellable != NULL)
    g_cancellable_cancel (self->compact_cancellable);
  g_clear_object (&self->compact_cancellable);
  install_transport (self, NULL);
  if (self->calls != NULL)
    g_ptr_array_set_size (self->calls, 0);
  g_clear_object (&self->policy);
  g_clear_object (&self->tools);
  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (spark_session_parent_class)->dispose (object);
}

static void
spark_session_finalize (GObject *object)
{
  SparkSession *self = (SparkSession *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->endpoint, g_free);
  g_clear_pointer (&self->model, g_free);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->store_dir, g_free);
  g_clear_pointer (&self->history, spark_history_free);
  g_clear_pointer (&self->window, g_ptr_array_unref);
  g_queue_clear_full (&self->queue, g_free);
  g_queue_clear_full (&self->steers, g_free);
  g_clear_pointer (&self->last_response_id, g_free);
  g_clear_pointer (&self->last_non_input, g_free);
  g_clear_pointer (&self->output_items, g_ptr_array_unref);
  g_clear_pointer (&self->calls_by_item, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_clear_pointer (&self->partial_text, g_hash_table_unref);
  g_clear_pointer (&self->timings, spark_turn_timings_free);
  g_clear_pointer (&self->response_id, g_free);
  g_clear_pointer (&self->run_tasks, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_session_parent_class)->finalize (object);
}

static void
spark_session_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SparkSession *self = SPARK_SESSION (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      g_value_set_string (value, self->root);
      break;

    case PROP_ENDPOINT:
      g_value_set_string (value, self->endpoint);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_TRANSPORT_KIND:
      g_value_set_enum (value, self->transport_kind);
      break;

    case PROP_WIRE_API:
      g_value_set_enum (value, self->wire_api);
      break;

    case PROP_APPROVAL_POLICY:
      g_value_set_object (value, self->policy);
      break;

    case PROP_CONNECTION_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->in_turn);
      break;

    case PROP_CONTEXT_WINDOW:
      g_value_set_uint (value, self->context_window);
      break;

    case PROP_CONTEXT_USED:
      g_value_set_uint (value, self->context_used);
      break;

    case PROP_STORE_DIR:
      g_value_set_string (value, self->store_dir);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_session_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SparkSession *self = SPARK_SESSION (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      self->root = g_value_dup_string (value);
      break;

    case PROP_ENDPOINT:
      spark_session_set_endpoint (self, g_value_get_string (value));
      break;

    case PROP_MODEL:
      spark_session_set_model (self, g_value_get_string (value));
      break;

    case PROP_API_KEY:
      spark_session_set_api_key (self, g_value_get_string (value));
      break;

    case PROP_TRANSPORT_KIND:
      spark_session_set_transport_kind (self, g_value_get_enum (value));
      break;

    case PROP_WIRE_API:
      spark_session_set_wire_api (self, g_value_get_enum (value));
      break;

    case PROP_APPROVAL_POLICY:
      spark_session_set_approval_policy (self, g_value_get_object (value));
      break;

    case PROP_CONTEXT_WINDOW:
      spark_session_set_context_window (self, g_value_get_uint (value));
      break;

    case PROP_STORE_DIR:
      spark_session_set_store_dir (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_session_constructed (GObject *object)
{
  SparkSession *self = (SparkSession *)object;

  G_OBJECT_CLASS (spark_session_parent_class)->constructed (object);

  if (self->root == NULL)
    self->root = g_get_current_dir ();
  self->tools = spark_tools_new (self->root);
  g_free (self->root);
  self->root = g_strdup (spark_tools_get_root (self->tools));
  update_history_file (self);
}

static void
spark_session_class_init (SparkSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = spark_session_constructed;
  object_class->dispose = spark_session_dispose;
  object_class->finalize = spark_session_finalize;
  object_class->get_property = spark_session_get_property;
  object_class->set_property = spark_session_set_property;

  properties[PROP_ROOT] =
    g_param_spec_string ("root", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL, SPARK_DEFAULT_ENDPOINT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, SPARK_DEFAULT_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_API_KEY] =
    g_param_spec_string ("api-key", NULL, NULL, NULL,
                         (G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_TRANSPORT_KIND] =
    g_param_spec_enum ("transport-kind", NULL, NULL,
                       SPARK_TYPE_TRANSPORT_KIND, SPARK_TRANSPORT_KIND_AUTO,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_WIRE_API] =
    g_param_spec_enum ("wire-api", NULL, NULL,
                       SPARK_TYPE_WIRE_API, SPARK_WIRE_API_RESPONSES,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_APPROVAL_POLICY] =
    g_param_spec_object ("approval-policy", NULL, NULL,
                         SPARK_TYPE_APPROVAL_POLICY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONNECTION_STATE] =
    g_param_spec_enum ("connection-state", NULL, NULL,
                       SPARK_TYPE_CONNECTION_STATE, SPARK_CONNECTION_STATE_OFFLINE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONTEXT_WINDOW] =
    g_param_spec_uint ("context-window", NULL, NULL, 1, G_MAXUINT, DEFAULT_CONTEXT_WINDOW,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONTEXT_USED] =
    g_param_spec_uint ("context-used", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STORE_DIR] =
    g_param_spec_string ("store-dir", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The delta signals fire once per token: typed marshallers, and the
   * strings are only valid during the emission (static scope: no copies). */
  signals[TEXT_DELTA] =
    g_signal_new ("text-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _spark_agent_marshal_VOID__STRING_STRING,
                  G_TYPE_NONE, 2, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[TEXT_DELTA], G_TYPE_FROM_CLASS (klass),
                              _spark_agent_marshal_VOID__STRING_STRINGv);
  signals[REASONING_DELTA] =
    g_signal_new ("reasoning-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _spark_agent_marshal_VOID__STRING_STRING,
                  G_TYPE_NONE, 2, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[REASONING_DELTA], G_TYPE_FROM_CLASS (klass),
                              _spark_agent_marshal_VOID__STRING_STRINGv);
  signals[TOOL_CALL_STARTED] =
    g_signal_new ("tool-call-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPARK_TYPE_TOOL_CALL);
  signals[TOOL_CALL_DELTA] =
    g_signal_new ("tool-call-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _spark_agent_marshal_VOID__OBJECT_STRING,
                  G_TYPE_NONE, 2, SPARK_TYPE_TOOL_CALL, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[TOOL_CALL_DELTA], G_TYPE_FROM_CLASS (klass),
                              _spark_agent_marshal_VOID__OBJECT_STRINGv);
  signals[TOOL_CALL_DONE] =
    g_signal_new ("tool-call-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPARK_TYPE_TOOL_CALL);
  signals[TOOL_CALL_OUTPUT] =
    g_signal_new ("tool-call-output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, SPARK_TYPE_TOOL_CALL, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[ITEM_DONE] =
    g_signal_new ("item-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[RESPONSE_COMPLETED] =
    g_signal_new ("response-completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, SPARK_TYPE_TURN_TIMINGS);
  signals[RESPONSE_FAILED] =
    g_signal_new ("response-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[RESPONSE_INCOMPLETE] =
    g_signal_new ("response-incomplete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  /**
   * SparkSession::context-compacted:
   * @kind: a #SparkCompactionKind: who compacted
   * @tokens_before: the context size before, 0 if unknown
   * @tokens_after: the context size after, 0 if unknown
   * @bytes: how much older tool output was elided (local compaction)
   *
   * Emitted when the context neared #SparkSession:context-window and was
   * compacted: by the server in a response (server-side), by the compact
   * endpoint before a request (standalone), or here by shortening older
   * tool outputs (local).
   */
  signals[CONTEXT_COMPACTED] =
    g_signal_new ("context-compacted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, SPARK_TYPE_COMPACTION_KIND, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT64);
  /**
   * SparkSession::steer-result:
   * @text: what was steered
   * @accepted: %FALSE when the server refused; the text was queued as the
   *   next prompt instead
   */
  signals[STEER_RESULT] =
    g_signal_new ("steer-result", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[TURN_FINISHED] =
    g_signal_new ("turn-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
spark_session_init (SparkSession *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");

  self->id = g_strdup_printf ("%s-%08x", stamp, g_random_int ());
  self->endpoint = g_strdup (SPARK_DEFAULT_ENDPOINT);
  self->model = g_strdup (SPARK_DEFAULT_MODEL);
  self->store_dir = g_build_filename (g_get_user_data_dir (), "spark", "sessions", NULL);
  self->policy = spark_approval_policy_new (SPARK_APPROVAL_MODE_NONE);
  self->history = spark_history_new ();
  self->output_items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->calls_by_item = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->calls = g_ptr_array_new_with_free_func (pending_call_free);
  self->partial_text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              free_gstring);
  self->run_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->max_retries = DEFAULT_MAX_RETRIES;
  self->backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;
  self->max_age_seconds = DEFAULT_MAX_AGE_SECONDS;
  self->idle_timeout_ms = 300000;
  self->context_window = DEFAULT_CONTEXT_WINDOW;
  self->compaction = SPARK_COMPACTION_KIND_SERVER;
  self->warmup = TRUE;
  g_queue_init (&self->queue);
  g_queue_init (&self->steers);
}

/* Public API */

SparkSession *
spark_session_new (const char *root)
{
  return g_object_new (SPARK_TYPE_SESSION, "root", root, NULL);
}

const char *
spark_session_get_root (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  return self->root;
}

const char *
spark_session_get_id (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  return self->id;
}

const char *
spark_session_get_endpoint (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  return self->endpoint;
}

static gboolean
set_str (char       **ptr,
         const char  *value)
{
  if (g_strcmp0 (*ptr, value) == 0)
    return FALSE;
  g_free (*ptr);
  *ptr = g_strdup (value);
  return TRUE;
}

void
spark_session_set_endpoint (SparkSession *self,
                            const char   *endpoint)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  if (endpoint == NULL || endpoint[0] == '\0')
    endpoint = SPARK_DEFAULT_ENDPOINT;

  if (set_str (&self->endpoint, endpoint))
    {
      /* A new endpoint needs a new connection. */
      if (self->phase == PHASE_IDLE)
        install_transport (self, NULL);
      self->fell_back = FALSE;
      /* Another server may know server-side compaction. */
      self->compaction = SPARK_COMPACTION_KIND_SERVER;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDPOINT]);
    }
}

const char *
spark_session_get_model (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  return self->model;
}

void
spark_session_set_model (SparkSession *self,
                         const char   *model)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  if (model == NULL || model[0] == '\0')
    model = SPARK_DEFAULT_MODEL;

  if (set_str (&self->model, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
spark_session_set_api_key (SparkSession *self,
                           const char   *api_key)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  /* A new key needs a new connection (it goes in the upgrade request). */
  if (set_str (&self->api_key, api_key) && self->phase == PHASE_IDLE)
    install_transport (self, NULL);
}

SparkTransportKind
spark_session_get_transport_kind (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), SPARK_TRANSPORT_KIND_AUTO);
  return self->transport_kind;
}

void
spark_session_set_transport_kind (SparkSession       *self,
                                  SparkTransportKind  kind)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  if (self->transport_kind != kind)
    {
      self->transport_kind = kind;
      self->fell_back = FALSE;
      if (self->phase == PHASE_IDLE)
        install_transport (self, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSPORT_KIND]);
    }
}

SparkWireApi
spark_session_get_wire_api (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), SPARK_WIRE_API_RESPONSES);
  return self->wire_api;
}

void
spark_session_set_wire_api (SparkSession *self,
                            SparkWireApi  wire_api)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  if (self->wire_api != wire_api)
    {
      self->wire_api = wire_api;
      if (self->phase == PHASE_IDLE)
        install_transport (self, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIRE_API]);
    }
}

SparkApprovalPolicy *
spark_session_get_approval_policy (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  return self->policy;
}

void
spark_session_set_approval_policy (SparkSession        *self,
                                   SparkApprovalPolicy *policy)
{
  g_return_if_fail (SPARK_IS_SESSION (self));
  g_return_if_fail (!policy || SPARK_IS_APPROVAL_POLICY (policy));

  if (policy == NULL)
    {
      g_autoptr(SparkApprovalPolicy) fresh = spark_approval_policy_new (SPARK_APPROVAL_MODE_NONE);
      if (g_set_object (&self->policy, fresh))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPROVAL_POLICY]);
      return;
    }

  if (g_set_object (&self->policy, policy))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPROVAL_POLICY]);
}

SparkTools *
spark_session_get_tools (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  return self->tools;
}

SparkConnectionState
spark_session_get_connection_state (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), SPARK_CONNECTION_STATE_OFFLINE);
  return self->state;
}

gboolean
spark_session_get_busy (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), FALSE);
  return self->in_turn;
}

gboolean
spark_session_get_fell_back (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), FALSE);
  return self->fell_back;
}

guint
spark_session_get_context_window (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), 0);
  return self->context_window;
}

void
spark_session_set_context_window (SparkSession *self,
                                  guint         tokens)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  if (self->context_window != tokens && tokens > 0)
    {
      self->context_window = tokens;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT_WINDOW]);
    }
}

guint
spark_session_get_context_used (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), 0);
  return self->context_used;
}

const char *
spark_session_get_store_dir (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  return self->store_dir;
}

void
spark_session_set_store_dir (SparkSession *self,
                             const char   *store_dir)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  if (set_str (&self->store_dir, store_dir))
    {
      update_history_file (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE_DIR]);
    }
}

SparkTransport *
spark_session_get_transport (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  return self->transport;
}

void
spark_session_start_async (SparkSession        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SPARK_IS_SESSION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_session_start_async);

  if (self->phase != PHASE_IDLE || self->start_task != NULL)
    {
      g_task_return_new_error (task, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_BUSY,
                               _("The session is already starting or running a turn"));
      return;
    }

  if (self->transport != NULL && spark_transport_is_connected (self->transport) && self->warmed)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->start_task = g_steal_pointer (&task);
  ensure_connection (self);
}

gboolean
spark_session_start_finish (SparkSession  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
spark_session_send (SparkSession *self,
                    const char   *prompt)
{
  g_autoptr(JsonObject) item = NULL;

  g_return_if_fail (SPARK_IS_SESSION (self));
  g_return_if_fail (prompt != NULL);

  if (self->in_turn)
    {
      g_queue_push_tail (&self->queue, g_strdup (prompt));
      return;
    }

  item = spark_responses_user_message (prompt);
  add_item (self, item);

  self->in_turn = TRUE;
  self->attempt = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  /* While start() connects or warms up, the turn begins when that ends. */
  if (self->phase == PHASE_IDLE)
    ensure_connection (self);
}

void
spark_session_run_async (SparkSession        *self,
                         const char          *prompt,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SPARK_IS_SESSION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_session_run_async);
  g_ptr_array_add (self->run_tasks, g_steal_pointer (&task));

  spark_session_send (self, prompt);
}

gboolean
spark_session_run_finish (SparkSession  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
spark_session_steer (SparkSession  *self,
                     const char    *text,
                     GError       **error)
{
  g_autoptr(JsonObject) steer = NULL;
  JsonArray *input;

  g_return_val_if_fail (SPARK_IS_SESSION (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->phase != PHASE_STREAMING || !SPARK_IS_WS_TRANSPORT (self->transport))
    {
      spark_session_queue (self, text);
      return TRUE;
    }

  steer = json_object_new ();
  input = json_array_new ();
  json_array_add_object_element (input, spark_responses_user_message (text));
  json_object_set_array_member (steer, "input", input);
  if (self->response_id != NULL)
    json_object_set_string_member (steer, "previous_response_id", self->response_id);

  if (!spark_transport_steer (self->transport, steer, error))
    return FALSE;

  /* It joins history once the server accepts it (::steer-result). */
  g_queue_push_tail (&self->steers, g_strdup (text));
  return TRUE;
}

void
spark_session_queue (SparkSession *self,
                     const char   *text)
{
  g_return_if_fail (SPARK_IS_SESSION (self));
  g_return_if_fail (text != NULL);

  if (!self->in_turn)
    spark_session_send (self, text);
  else
    g_queue_push_tail (&self->queue, g_strdup (text));
}

guint
spark_session_get_queue_length (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), 0);
  return self->queue.length;
}

void
spark_session_stop (SparkSession *self)
{
  g_autoptr(SparkSession) hold = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SPARK_IS_SESSION (self));

  if (!self->in_turn)
    return;

  hold = g_object_ref (self);
  g_clear_handle_id (&self->backoff_source, g_source_remove);

  if (self->phase == PHASE_STREAMING)
    {
      GHashTableIter iter;
      gpointer key, value;

      /* Closing is the only abort in WebSocket mode. */
      spark_transport_cancel_stream (self->transport);

      /* Keep what already arrived: done items, then partial text. */
      for (guint i = 0; i < self->output_items->len; i++)
        {
          JsonObject *item = g_ptr_array_index (self->output_items, i);

          /* A call only belongs in history with its output, added below. */
          if (!spark_responses_item_is_tool_call (item))
            add_item (self, item);
        }
      g_hash_table_iter_init (&iter, self->partial_text);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_autoptr(JsonObject) message = json_object_new ();
          JsonObject *part = json_object_new ();
          JsonArray *content = json_array_new ();

          json_object_set_string_member (part, "type", "output_text");
          json_object_set_string_member (part, "text", ((GString *) value)->str);
          json_array_add_object_element (content, part);
          json_object_set_string_member (message, "type", "message");
          json_object_set_string_member (message, "role", "assistant");
          json_object_set_array_member (message, "content", content);
          add_item (self, message);
        }
      for (guint i = 0; i < self->output_items->len; i++)
        {
          JsonObject *item = g_ptr_array_index (self->output_items, i);

          if (spark_responses_item_is_tool_call (item))
            {
              SparkToolCall *call = g_hash_table_lookup (self->calls_by_item,
                                                         spark_json_get_string (item, "id") ?
                                                         spark_json_get_string (item, "id") :
                                                         spark_json_get_string (item, "call_id"));
              add_item (self, item);
              if (call != NULL)
                add_call_output (self, call, "Stopped by the user before this ran.", FALSE);
            }
        }
      /* The connection was closed: next turn sends the full input. */
      g_clear_pointer (&self->last_response_id, g_free);
      self->force_full = TRUE;
    }
  else if (self->phase == PHASE_TOOLS)
    {
      g_cancellable_cancel (self->tool_cancellable);
      for (guint i = self->call_index; i < self->calls->len; i++)
        {
          PendingCall *pending = g_ptr_array_index (self->calls, i);

          g_signal_handlers_disconnect_by_func (pending->call, on_call_decided, self);
          add_call_output (self, pending->call, "Stopped by the user before this ran.", FALSE);
        }
    }
  else if (self->phase == PHASE_WARMING || self->phase == PHASE_CONNECTING)
    {
      /* The turn had not started: drop the connection attempt or warm-up. */
      spark_transport_close (self->transport);
    }
  else if (self->phase == PHASE_COMPACTING)
    {
      /* Still due: the next turn compacts first. */
      g_cancellable_cancel (self->compact_cancellable);
      g_clear_object (&self->compact_cancellable);
      self->compact_pending = TRUE;
    }

  g_queue_clear_full (&self->queue, g_free);
  g_queue_clear_full (&self->steers, g_free);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped by the user"));
  if (self->start_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
      g_task_return_error (task, g_error_copy (error));
    }
  self->phase = PHASE_IDLE;
  self->in_turn = FALSE;
  self->attempt = 0;
  reset_response (self);
  g_clear_object (&self->tool_cancellable);
  g_clear_pointer (&self->timings, spark_turn_timings_free);
  set_idle_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_signal_emit (self, signals[TURN_FINISHED], 0, error);
  complete_run_tasks (self, error);
}

void
spark_session_close (SparkSession *self)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  spark_session_stop (self);
  if (self->start_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The session was closed"));
    }
  g_clear_handle_id (&self->backoff_source, g_source_remove);
  self->phase = PHASE_IDLE;
  install_transport (self, NULL);
  self->warmed = FALSE;
  set_state (self, SPARK_CONNECTION_STATE_OFFLINE);
}

SparkChangeset *
spark_session_get_changeset (SparkSession  *self,
                             SparkToolCall *call)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  g_return_val_if_fail (SPARK_IS_TOOL_CALL (call), NULL);

  for (guint i = 0; i < self->calls->len; i++)
    {
      PendingCall *pending = g_ptr_array_index (self->calls, i);

      if (pending->call == call)
        return pending->hand_off ? spark_patch_hand_off_get_changeset (pending->hand_off) : NULL;
    }

  return NULL;
}

guint
spark_session_get_n_items (SparkSession *self)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), 0);
  return n_items (self);
}

JsonObject *
spark_session_dup_item (SparkSession  *self,
                        guint          index,
                        GError       **error)
{
  g_return_val_if_fail (SPARK_IS_SESSION (self), NULL);
  g_return_val_if_fail (index < n_items (self), NULL);

  return spark_history_dup_item (self->history, index, error);
}

GStrv
spark_session_list_saved (const char *store_dir,
                          const char *root)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *hash = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *real = NULL;
  const char *name;
  GDir *d;

  g_return_val_if_fail (store_dir != NULL, NULL);
  g_return_val_if_fail (root != NULL, NULL);

  real = realpath (root, NULL);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, real ? real : root, -1);
  dir = g_build_filename (store_dir, hash, NULL);

  if ((d = g_dir_open (dir, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (d)) != NULL)
        {
          if (g_str_has_suffix (name, ".jsonl"))
            g_ptr_array_add (names, g_strndup (name, strlen (name) - strlen (".jsonl")));
        }
      g_dir_close (d);
    }

  /* Ids start with a UTC timestamp: reverse order is newest first. */
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = names->len; i > 0; i--)
    g_strv_builder_add (builder, g_ptr_array_index (names, i - 1));

  return g_strv_builder_end (builder);
}

typedef struct
{
  const char *path;
  GPtrArray  *window;
  guint       window_base;
} Resumed;

static gboolean
resume_line (JsonObject  *line,
             guint        number,
             guint        n_items,
             gpointer     user_data,
             GError     **error)
{
  Resumed *resumed = user_data;

  if (g_strcmp0 (spark_json_get_string (line, "type"), SPARK_COMPACTION_RECORD) != 0)
    return TRUE;

  g_clear_pointer (&resumed->window, g_ptr_array_unref);
  if (!(resumed->window = spark_compaction_record_parse (line, n_items, &resumed->window_base)))
    {
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED,
                   /* translators: %1$s is a session file, %2$u a line number */
                   _("%1$s: line %2$u is not a valid compaction record"), resumed->path, number);
      return FALSE;
    }

  return TRUE;
}

gboolean
spark_session_resume (SparkSession  *self,
                      const char    *session_id,
                      GError       **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;
  g_autofree char *old_id = NULL;
  Resumed resumed = { 0 };

  g_return_val_if_fail (SPARK_IS_SESSION (self), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);

  if (self->in_turn || self->store_dir == NULL || strchr (session_id, '/') != NULL)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_BUSY,
                           _("Cannot resume a session now"));
      return FALSE;
    }

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, self->root, -1);
  path = g_strdup_printf ("%s/%s/%s.jsonl", self->store_dir, hash, session_id);
  resumed.path = path;
  /* The items stay in the file, which the session goes on writing to. */
  if (!spark_history_load (self->history, path, self->store_dir, resume_line, &resumed, error))
    {
      g_clear_pointer (&resumed.window, g_ptr_array_unref);
      return FALSE;
    }

  g_clear_pointer (&self->window, g_ptr_array_unref);
  self->window = g_steal_pointer (&resumed.window);
  self->window_base = resumed.window_base;
  self->compact_pending = FALSE;

  old_id = g_steal_pointer (&self->id);
  self->id = g_strdup (session_id);
  g_clear_pointer (&self->last_response_id, g_free);
  self->force_full = TRUE;

  return TRUE;
}

void
spark_session_set_retry_policy (SparkSession *self,
                                guint         max_retries,
                                guint         backoff_base_ms)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  self->max_retries = max_retries;
  self->backoff_base_ms = backoff_base_ms;
}

void
spark_session_set_max_connection_age (SparkSession *self,
                                      guint         seconds)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  self->max_age_seconds = seconds;
}

void
spark_session_set_warmup (SparkSession *self,
                          gboolean      warmup)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  self->warmup = !!warmup;
}

void
spark_session_set_tls_database (SparkSession *self,
                                GTlsDatabase *database)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  g_set_object (&self->tls_database, database);
  if (self->phase == PHASE_IDLE)
    install_transport (self, NULL);
}

void
spark_session_set_idle_timeout (SparkSession *self,
                                guint         idle_timeout_ms)
{
  g_return_if_fail (SPARK_IS_SESSION (self));

  self->idle_timeout_ms = idle_timeout_ms;
  if (SPARK_IS_WS_TRANSPORT (self->transport))
    spark_ws_transport_set_idle_timeout (SPARK_WS_TRANSPORT (self->transport), idle_timeout_ms);
  else if (SPARK_IS_SSE_TRANSPORT (self->transport))
    spark_sse_transport_set_idle_timeout (SPARK_SSE_TRANSPORT (self->transport), idle_timeout_ms);
}
