/* spark-assistant.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-assistant"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-assistant.h"
#include "spark-credentials.h"
#include "spark-models.h"
#include "spark-responses.h"

/* The model side of one project window: it owns the agent session, keeps it
 * in step with the preferences (GSettings, which the agent layer does not
 * know), finds the API key off the main thread, says in plain words what is
 * missing before a first turn can run, and holds the proposal the review
 * pane shows until the person decides on it. Views talk to this object only,
 * so the turn can be driven and tested without them. */
struct _SparkAssistant
{
  GObject         parent_instance;

  SparkProject   *project;
  GSettings      *settings;
  SparkSession   *session;
  GCancellable   *cancellable;
  SparkChangeset *changeset;     /* the proposal being reviewed */
  SparkToolCall  *pending_call;  /* its call, once the model finished it */
  SparkToolCall  *open_call;     /* its call, until the call has its output */
  char           *notice;
  char           *api_key;
  GHashTable     *allowed_commands;   /* allowed for this session */
  GStrv           models;
  char           *models_endpoint;
  GCancellable   *models_cancellable;
  GHashTable     *carried;         /* hunk key → Decision, from a salvaged proposal */
  guint           key_looked_up : 1;
  guint           started : 1;
  guint           streaming : 1;
  guint           salvaged : 1;     /* the stream dropped mid-patch; hunks kept */
};

/* What the person decided about a hunk of a proposal whose stream dropped,
 * so the same hunk of the retried proposal starts decided. */
typedef struct
{
  SparkHunkState  state;
  char           *reason;
  char           *edited;
} Decision;

static void
decision_free (gpointer data)
{
  Decision *d = data;

  g_free (d->reason);
  g_free (d->edited);
  g_free (d);
}

enum {
  PROP_0,
  PROP_NOTICE,
  PROP_READY,
  PROP_BUSY,
  PROP_CHANGESET,
  PROP_AWAITING_APPROVAL,
  PROP_STREAMING,
  PROP_MODELS,
  PROP_SALVAGED,
  N_PROPS
};

enum {
  PROPOSAL_STARTED,
  APPLIED,
  COMMAND_APPROVAL_REQUESTED,
  STREAM_DROPPED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SparkAssistant, spark_assistant, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
effective_endpoint (SparkAssistant *self,
                    char          **owned)
{
  const char *env = g_getenv ("OPENAI_BASE_URL");

  *owned = g_settings_get_string (self->settings, "endpoint");
  if (**owned != '\0')
    return *owned;
  if (env != NULL && *env != '\0')
    return env;
  return SPARK_DEFAULT_ENDPOINT;
}

static gboolean
endpoint_is_loopback (const char *endpoint)
{
  g_autoptr(GUri) uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && spark_uri_is_loopback (uri);
}

static void
set_notice (SparkAssistant *self,
            const char     *notice)
{
  if (g_strcmp0 (self->notice, notice) == 0)
    return;

  g_free (self->notice);
  self->notice = g_strdup (notice);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTICE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SparkAssistant) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!spark_session_start_finish (SPARK_SESSION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Not fatal: the first turn connects again and reports its own error. */
      g_debug ("Warm-up failed: %s", error->message);
    }
}

static void fetch_models (SparkAssistant *self);

/* Reads the preferences into the session and decides whether a turn can
 * run. Called at start, when a preference changes, and when the key is in. */
static void
apply_settings (SparkAssistant *self)
{
  g_autofree char *owned_endpoint = NULL;
  g_autofree char *model = g_settings_get_string (self->settings, "model");
  const char *endpoint = effective_endpoint (self, &owned_endpoint);
  int transport = g_settings_get_enum (self->settings, "transport");
  int wire_api = g_settings_get_enum (self->settings, "wire-api");
  int approval = g_settings_get_enum (self->settings, "approval-mode");
  SparkTransportKind kind;

  switch (transport)
    {
    case 1: kind = SPARK_TRANSPORT_KIND_WEBSOCKET; break;
    case 2: kind = SPARK_TRANSPORT_KIND_HTTP; break;
    default: kind = SPARK_TRANSPORT_KIND_AUTO; break;
    }

  g_object_set (self->session,
                "endpoint", endpoint,
                "transport-kind", kind,
                "wire-api", wire_api == 1 ? SPARK_WIRE_API_CHAT : SPARK_WIRE_API_RESPONSES,
                NULL);
  if (*model != '\0')
    spark_session_set_model (self->session, model);

  /* Ask and read-only both leave every edit to this object's review
   * handler; only "apply automatically" lets the policy approve edits.
   * Shell commands always ask. */
  spark_approval_policy_set_mode (spark_session_get_approval_policy (self->session),
                                  approval == 1 ? SPARK_APPROVAL_MODE_EDITS : SPARK_APPROVAL_MODE_NONE);

  if (!self->key_looked_up)
    return;

  if (self->api_key != NULL)
    spark_session_set_api_key (self->session, self->api_key);

  if (self->api_key == NULL && !endpoint_is_loopback (endpoint))
    {
      set_notice (self, _("Spark needs an API key to talk to the model. Store one in "
                          "Preferences (Ctrl+,) or set OPENAI_API_KEY, or point the endpoint "
                          "at a local server such as http://127.0.0.1:8080/v1."));
      return;
    }

  set_notice (self, NULL);

  if (!self->started || g_strcmp0 (self->models_endpoint, endpoint) != 0)
    {
      g_free (self->models_endpoint);
      self->models_endpoint = g_strdup (endpoint);
      fetch_models (self);
    }

  if (!self->started)
    {
      self->started = TRUE;
      spark_session_start_async (self->session, self->cancellable, start_cb, g_object_ref (self));
    }
}

static void
models_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SparkAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  GStrv models = spark_models_list_finish (result, &error);

  if (models == NULL)
    {
      /* The picker keeps the model typed in the preferences. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No model list: %s", error->message);
      return;
    }

  g_strfreev (self->models);
  self->models = models;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODELS]);
}

/* What the endpoint serves, for the chat's model picker. */
static void
fetch_models (SparkAssistant *self)
{
  g_autofree char *owned_endpoint = NULL;
  const char *endpoint = effective_endpoint (self, &owned_endpoint);

  g_cancellable_cancel (self->models_cancellable);
  g_clear_object (&self->models_cancellable);
  self->models_cancellable = g_cancellable_new ();

  spark_models_list_async (endpoint, self->api_key, self->models_cancellable,
                           models_cb, g_object_ref (self));
}

static void
settings_changed_cb (SparkAssistant *self,
                     const char     *key,
                     GSettings      *settings)
{
  if (g_str_equal (key, "endpoint") || g_str_equal (key, "model") ||
      g_str_equal (key, "transport") || g_str_equal (key, "wire-api") ||
      g_str_equal (key, "approval-mode"))
    apply_settings (self);
}

static void
lookup_key_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  char *key = spark_credentials_lookup_api_key (&error);

  /* A missing keyring is "no key", not an error worth showing. */
  g_task_return_pointer (task, key, g_free);
}

static void
lookup_key_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SparkAssistant *self = SPARK_ASSISTANT (object);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  g_free (self->api_key);
  self->api_key = g_task_propagate_pointer (G_TASK (result), NULL);
  self->key_looked_up = TRUE;
  apply_settings (self);
}

static void
lookup_key (SparkAssistant *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, lookup_key_cb, NULL);

  g_task_set_source_tag (task, lookup_key);
  g_task_run_in_thread (task, lookup_key_worker);
}

static void
set_changeset (SparkAssistant *self,
               SparkChangeset *changeset,
               SparkToolCall  *call)
{
  g_set_object (&self->pending_call, call);
  if (g_set_object (&self->changeset, changeset))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANGESET]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AWAITING_APPROVAL]);
}

static void
set_streaming (SparkAssistant *self,
               gboolean        streaming)
{
  if (self->streaming == !!streaming)
    return;

  self->streaming = !!streaming;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
}

static void
tool_call_done_cb (SparkAssistant *self,
                   SparkToolCall  *call)
{
  if (spark_tool_call_is_patch (call))
    set_streaming (self, FALSE);
}

static char *
hunk_key (SparkFileChange *file,
          SparkHunk       *hunk)
{
  g_autofree char *old_text = g_strjoinv ("\n", (char **) spark_hunk_get_old_lines (hunk));
  g_autofree char *new_text = g_strjoinv ("\n", (char **) spark_hunk_get_new_lines (hunk));

  return g_strdup_printf ("%s\x1f%s\x1f%s", spark_file_change_get_path (file), old_text, new_text);
}

static void
apply_carried (SparkAssistant  *self,
               SparkFileChange *file,
               SparkHunk       *hunk)
{
  g_autofree char *key = NULL;
  Decision *d;

  if (self->carried == NULL || spark_hunk_get_state (hunk) != SPARK_HUNK_PENDING)
    return;

  key = hunk_key (file, hunk);
  if ((d = g_hash_table_lookup (self->carried, key)) == NULL)
    return;

  switch (d->state)
    {
    case SPARK_HUNK_ACCEPTED:
      spark_hunk_accept (hunk, NULL);
      break;
    case SPARK_HUNK_REJECTED:
      spark_hunk_reject_with_reason (hunk, d->reason);
      break;
    case SPARK_HUNK_EDITED:
      spark_hunk_set_edited_text (hunk, d->edited, NULL);
      break;
    case SPARK_HUNK_PENDING:
    case SPARK_HUNK_CONFLICT:
    default:
      break;
    }
}

static void
file_hunks_changed_cb (SparkFileChange *file,
                       guint            position,
                       guint            removed,
                       guint            added,
                       SparkAssistant  *self)
{
  for (guint i = position; i < position + added; i++)
    apply_carried (self, file, spark_file_change_get_hunk (file, i));
}

static void
watch_file (SparkAssistant  *self,
            SparkFileChange *file)
{
  g_signal_connect_object (file, "items-changed", G_CALLBACK (file_hunks_changed_cb), self, 0);
  file_hunks_changed_cb (file, 0, 0, spark_file_change_get_n_hunks (file), self);
}

static void
files_changed_cb (SparkChangeset *changeset,
                  guint           position,
                  guint           removed,
                  guint           added,
                  SparkAssistant *self)
{
  for (guint i = position; i < position + added; i++)
    watch_file (self, spark_changeset_get_file (changeset, i));
}

/* Remembers the decisions made on a salvaged proposal, for its retry. */
static void
remember_decisions (SparkAssistant *self)
{
  g_clear_pointer (&self->carried, g_hash_table_unref);
  self->carried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, decision_free);

  for (guint i = 0; i < spark_changeset_get_n_files (self->changeset); i++)
    {
      SparkFileChange *file = spark_changeset_get_file (self->changeset, i);

      for (guint j = 0; j < spark_file_change_get_n_hunks (file); j++)
        {
          SparkHunk *hunk = spark_file_change_get_hunk (file, j);
          SparkHunkState state = spark_hunk_get_state (hunk);
          Decision *d;

          if (state == SPARK_HUNK_PENDING || state == SPARK_HUNK_CONFLICT)
            continue;

          d = g_new0 (Decision, 1);
          d->state = state;
          d->reason = g_strdup (spark_hunk_get_reject_reason (hunk));
          if (state == SPARK_HUNK_EDITED)
            d->edited = g_strjoinv ("\n", (char **) spark_hunk_get_effective_lines (hunk));
          g_hash_table_insert (self->carried, hunk_key (file, hunk), d);
        }
    }
}

static void
set_salvaged (SparkAssistant *self,
              gboolean        salvaged)
{
  if (self->salvaged == !!salvaged)
    return;

  self->salvaged = !!salvaged;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SALVAGED]);
}

/* The connection dropped while the model was writing a patch, or after it
 * wrote it but before its response completed (the session then drops the
 * call too). Nothing received is thrown away: complete hunks stay
 * reviewable, the person's decisions on them carry over to the retry, and
 * they stay appliable while no retry has replaced them; a file the drop cut
 * short is marked so it is never written half. The session retries the
 * turn by itself. */
static void
session_error_cb (SparkAssistant *self,
                  const GError   *error)
{
  if (self->open_call == NULL || self->changeset == NULL)
    return;
  g_clear_object (&self->open_call);

  for (guint i = 0; i < spark_changeset_get_n_files (self->changeset); i++)
    {
      SparkFileChange *file = spark_changeset_get_file (self->changeset, i);

      if (spark_file_change_get_complete (file))
        continue;

      /* An added file's only hunk is its whole content: cut short, it would
       * be written truncated. Hunks of an update are whole on their own. */
      if (spark_file_change_get_kind (file) == SPARK_FILE_CHANGE_ADD)
        for (guint j = 0; j < spark_file_change_get_n_hunks (file); j++)
          spark_hunk_reject_with_reason (spark_file_change_get_hunk (file, j),
                                         "cut off when the connection dropped");
    }

  set_streaming (self, FALSE);
  set_salvaged (self, TRUE);
  g_signal_emit (self, signals[STREAM_DROPPED], 0, error);
}

static void
tool_call_started_cb (SparkAssistant *self,
                      SparkToolCall  *call,
                      SparkSession   *session)
{
  SparkChangeset *changeset;

  if (!spark_tool_call_is_patch (call))
    return;

  /* The changeset fills while the patch streams; review starts now. */
  changeset = spark_session_get_changeset (session, call);
  if (changeset == NULL)
    return;

  g_clear_object (&self->pending_call);
  g_set_object (&self->open_call, call);

  /* A retry after a drop: what the person already decided carries over. */
  if (self->salvaged && self->changeset != NULL)
    remember_decisions (self);
  else
    g_clear_pointer (&self->carried, g_hash_table_unref);
  set_salvaged (self, FALSE);

  set_streaming (self, TRUE);
  if (g_set_object (&self->changeset, changeset))
    {
      if (self->carried != NULL)
        {
          g_signal_connect_object (changeset, "items-changed", G_CALLBACK (files_changed_cb), self, 0);
          files_changed_cb (changeset, 0, 0, spark_changeset_get_n_files (changeset), self);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANGESET]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AWAITING_APPROVAL]);
  g_signal_emit (self, signals[PROPOSAL_STARTED], 0, changeset);
}

static char *
dup_command (SparkToolCall *call)
{
  g_autoptr(JsonObject) args = spark_tool_call_dup_arguments (call, NULL);
  const char *command = args ? spark_json_get_string (args, "command") : NULL;

  return g_strdup (command);
}

/* Shell commands always show the command and ask, unless the person
 * allowed that exact command for this session. */
static gboolean
review_command (SparkAssistant *self,
                SparkToolCall  *call)
{
  g_autofree char *command = dup_command (call);

  if (command == NULL)
    return FALSE;   /* malformed: the policy refuses it */

  if (g_settings_get_enum (self->settings, "approval-mode") == 2)
    {
      spark_tool_call_reject (call, "Not run: Spark is in read-only mode, so no command may run.");
      return TRUE;
    }

  if (g_hash_table_contains (self->allowed_commands, command))
    {
      spark_tool_call_approve (call);
      return TRUE;
    }

  g_signal_emit (self, signals[COMMAND_APPROVAL_REQUESTED], 0, call, command);
  return TRUE;
}

static gboolean
review_cb (SparkAssistant      *self,
           SparkToolCall       *call,
           SparkApprovalPolicy *policy)
{
  if (!spark_tool_call_is_patch (call))
    return review_command (self, call);

  if (g_settings_get_enum (self->settings, "approval-mode") == 2)
    {
      spark_tool_call_reject (call, "Not applied: Spark is in read-only mode, so no file may change. "
                                    "Describe the change instead.");
      return TRUE;
    }

  if (spark_approval_policy_get_mode (policy) == SPARK_APPROVAL_MODE_EDITS)
    return FALSE;   /* apply automatically */

  set_changeset (self, spark_session_get_changeset (self->session, call), call);
  return TRUE;
}

static void
tool_call_output_cb (SparkAssistant *self,
                     SparkToolCall  *call,
                     const char     *output,
                     gboolean        success,
                     SparkSession   *session)
{
  if (!spark_tool_call_is_patch (call))
    return;

  if (success)
    {
      /* @output was for the model (English); the person reads the same
       * facts in their language. */
      SparkChangeset *changeset = spark_session_get_changeset (session, call);
      const char *report = changeset ? spark_changeset_get_report (changeset) : NULL;

      g_signal_emit (self, signals[APPLIED], 0, report ? report : output);
    }

  if (self->open_call == call)
    g_clear_object (&self->open_call);

  if (self->pending_call == call)
    set_changeset (self, self->changeset, NULL);
}

static void
busy_changed_cb (SparkAssistant *self)
{
  /* A turn that ended (stopped, dropped, failed) streams nothing more. */
  if (!spark_session_get_busy (self->session))
    set_streaming (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
spark_assistant_dispose (GObject *object)
{
  SparkAssistant *self = (SparkAssistant *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->models_cancellable);
  if (self->session != NULL)
    spark_session_close (self->session);

  G_OBJECT_CLASS (spark_assistant_parent_class)->dispose (object);
}

static void
spark_assistant_finalize (GObject *object)
{
  SparkAssistant *self = (SparkAssistant *)object;

  g_clear_object (&self->project);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->changeset);
  g_clear_object (&self->pending_call);
  g_clear_object (&self->open_call);
  g_clear_pointer (&self->notice, g_free);
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->allowed_commands, g_hash_table_unref);
  g_clear_pointer (&self->models, g_strfreev);
  g_clear_pointer (&self->carried, g_hash_table_unref);
  g_clear_pointer (&self->models_endpoint, g_free);
  g_clear_object (&self->models_cancellable);

  G_OBJECT_CLASS (spark_assistant_parent_class)->finalize (object);
}

static void
spark_assistant_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SparkAssistant *self = SPARK_ASSISTANT (object);

  switch (prop_id)
    {
    case PROP_NOTICE:
      g_value_set_string (value, self->notice);
      break;

    case PROP_READY:
      g_value_set_boolean (value, spark_assistant_get_ready (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, spark_assistant_get_busy (self));
      break;

    case PROP_CHANGESET:
      g_value_set_object (value, self->changeset);
      break;

    case PROP_AWAITING_APPROVAL:
      g_value_set_boolean (value, spark_assistant_get_awaiting_approval (self));
      break;

    case PROP_STREAMING:
      g_value_set_boolean (value, self->streaming);
      break;

    case PROP_MODELS:
      g_value_set_boxed (value, self->models);
      break;

    case PROP_SALVAGED:
      g_value_set_boolean (value, self->salvaged);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_assistant_class_init (SparkAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spark_assistant_dispose;
  object_class->finalize = spark_assistant_finalize;
  object_class->get_property = spark_assistant_get_property;

  properties[PROP_NOTICE] =
    g_param_spec_string ("notice", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHANGESET] =
    g_param_spec_object ("changeset", NULL, NULL, SPARK_TYPE_CHANGESET,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AWAITING_APPROVAL] =
    g_param_spec_boolean ("awaiting-approval", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The model is still writing the proposal's patch. */
  properties[PROP_STREAMING] =
    g_param_spec_boolean ("streaming", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The models the endpoint serves; NULL until the list is in. */
  properties[PROP_MODELS] =
    g_param_spec_boxed ("models", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The stream dropped mid-patch; the received hunks are kept. */
  properties[PROP_SALVAGED] =
    g_param_spec_boolean ("salvaged", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkAssistant::stream-dropped:
   * @error: why the stream ended
   *
   * The model's stream broke while it was writing a patch. The hunks that
   * arrived stay in the proposal; the session retries the turn.
   */
  signals[STREAM_DROPPED] =
    g_signal_new ("stream-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * SparkAssistant::proposal-started:
   * @changeset: the proposal, still filling while the patch streams
   */
  signals[PROPOSAL_STARTED] =
    g_signal_new ("proposal-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SPARK_TYPE_CHANGESET);

  /**
   * SparkAssistant::applied:
   * @summary: what was applied, for the person (translated; the model is
   *   told the same facts in English)
   */
  signals[APPLIED] =
    g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * SparkAssistant::command-approval-requested:
   * @call: the shell call waiting for spark_assistant_decide_command()
   * @command: the command line, as the model wrote it
   */
  signals[COMMAND_APPROVAL_REQUESTED] =
    g_signal_new ("command-approval-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, SPARK_TYPE_TOOL_CALL, G_TYPE_STRING);
}

static void
spark_assistant_init (SparkAssistant *self)
{
  self->cancellable = g_cancellable_new ();
  self->allowed_commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * spark_assistant_new:
 * @settings: the app's settings (endpoint, model, transport, wire-api,
 *   approval-mode)
 */
SparkAssistant *
spark_assistant_new (SparkProject *project,
                     GSettings    *settings)
{
  SparkAssistant *self;

  g_return_val_if_fail (SPARK_IS_PROJECT (project), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SPARK_TYPE_ASSISTANT, NULL);
  self->project = g_object_ref (project);
  self->settings = g_object_ref (settings);
  self->session = spark_session_new (spark_project_get_root_path (project));

  g_signal_connect_object (self->session, "tool-call-started",
                           G_CALLBACK (tool_call_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "tool-call-done",
                           G_CALLBACK (tool_call_done_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "tool-call-output",
                           G_CALLBACK (tool_call_output_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::busy",
                           G_CALLBACK (busy_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "error",
                           G_CALLBACK (session_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (spark_session_get_approval_policy (self->session), "review",
                           G_CALLBACK (review_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);

  apply_settings (self);
  lookup_key (self);

  return self;
}

SparkSession *
spark_assistant_get_session (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), NULL);

  return self->session;
}

/**
 * spark_assistant_get_notice:
 *
 * Returns: (nullable): what the person must set up before a turn can run
 */
const char *
spark_assistant_get_notice (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), NULL);

  return self->notice;
}

gboolean
spark_assistant_get_ready (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), FALSE);

  return self->key_looked_up && self->notice == NULL;
}

gboolean
spark_assistant_get_busy (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), FALSE);

  return spark_session_get_busy (self->session);
}

/**
 * spark_assistant_get_changeset:
 *
 * Returns: (transfer none) (nullable): the latest proposal
 */
SparkChangeset *
spark_assistant_get_changeset (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), NULL);

  return self->changeset;
}

/* The model finished the patch and waits for the person's decision, or
 * its stream dropped and the received hunks can be applied as they are. */
gboolean
spark_assistant_get_awaiting_approval (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), FALSE);

  return self->pending_call != NULL;
}

gboolean
spark_assistant_get_salvaged (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), FALSE);

  return self->salvaged;
}

/* The model is still writing the proposal's patch. */
/**
 * spark_assistant_get_models:
 *
 * Returns: (transfer none) (nullable): the endpoint's models, sorted
 */
const char * const *
spark_assistant_get_models (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), NULL);

  return (const char * const *) self->models;
}

gboolean
spark_assistant_get_streaming (SparkAssistant *self)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), FALSE);

  return self->streaming;
}

gboolean
spark_assistant_send (SparkAssistant  *self,
                      const char      *prompt,
                      GError         **error)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), FALSE);
  g_return_val_if_fail (prompt != NULL, FALSE);

  if (!spark_assistant_get_ready (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           self->notice ? self->notice : _("Still looking for the API key"));
      return FALSE;
    }

  if (spark_session_get_busy (self->session))
    {
      /* A prompt sent while a turn runs waits for it. */
      spark_session_queue (self->session, prompt);
      return TRUE;
    }

  spark_session_send (self->session, prompt);
  return TRUE;
}

gboolean
spark_assistant_steer (SparkAssistant  *self,
                       const char      *text,
                       GError         **error)
{
  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), FALSE);

  return spark_session_steer (self->session, text, error);
}

void
spark_assistant_queue (SparkAssistant *self,
                       const char     *text)
{
  g_return_if_fail (SPARK_IS_ASSISTANT (self));

  spark_session_queue (self->session, text);
}

void
spark_assistant_stop (SparkAssistant *self)
{
  g_return_if_fail (SPARK_IS_ASSISTANT (self));

  spark_session_stop (self->session);
}

/* Conflict hunks the person resolved after an apply left their file
 * alone: the model's call is answered, the resolution is applied directly. */
static gboolean
has_resolved_merge_conflicts (SparkChangeset *changeset)
{
  gboolean open = FALSE;
  gboolean resolved = FALSE;

  for (guint i = 0; i < spark_changeset_get_n_files (changeset); i++)
    {
      SparkFileChange *file = spark_changeset_get_file (changeset, i);

      for (guint j = 0; j < spark_file_change_get_n_hunks (file); j++)
        {
          SparkHunk *hunk = spark_file_change_get_hunk (file, j);

          if (!spark_hunk_is_merge_conflict (hunk))
            continue;
          if (spark_hunk_get_state (hunk) == SPARK_HUNK_CONFLICT)
            open = TRUE;
          else
            resolved = TRUE;
        }
    }

  return resolved && !open;
}

/**
 * spark_assistant_apply:
 *
 * Applies what the person accepted (or edited) of the proposal: the
 * session runs the transaction and tells the model what was applied.
 */
gboolean
spark_assistant_apply (SparkAssistant  *self,
                       GError         **error)
{
  g_autoptr(SparkToolCall) call = NULL;

  g_return_val_if_fail (SPARK_IS_ASSISTANT (self), FALSE);

  if (self->pending_call == NULL && !self->streaming && self->changeset != NULL &&
      (self->salvaged || has_resolved_merge_conflicts (self->changeset)))
    {
      g_autofree char *report = NULL;

      /* No tool call waits for this proposal any more (its stream
       * dropped): apply what was accepted directly. */
      if (spark_changeset_count_state (self->changeset, SPARK_HUNK_ACCEPTED) == 0 &&
          spark_changeset_count_state (self->changeset, SPARK_HUNK_EDITED) == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Accept or edit at least one change first"));
          return FALSE;
        }

      /* No model hears of it: the person's report is all there is. */
      report = spark_changeset_apply (self->changeset, error);
      if (report == NULL)
        return FALSE;

      set_salvaged (self, FALSE);
      g_signal_emit (self, signals[APPLIED], 0, spark_changeset_get_report (self->changeset));
      return TRUE;
    }

  if (self->pending_call == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           _("The model is still writing this change; apply it when it is complete"));
      return FALSE;
    }

  if (spark_changeset_count_state (self->changeset, SPARK_HUNK_ACCEPTED) == 0 &&
      spark_changeset_count_state (self->changeset, SPARK_HUNK_EDITED) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Accept or edit at least one change first"));
      return FALSE;
    }

  call = g_object_ref (self->pending_call);
  spark_tool_call_approve (call);
  return TRUE;
}

/**
 * spark_assistant_reject:
 * @reason: (nullable): why, for the model
 *
 * Turns the whole proposal down; nothing is written.
 */
void
spark_assistant_reject (SparkAssistant *self,
                        const char     *reason)
{
  g_autoptr(SparkToolCall) call = NULL;

  g_return_if_fail (SPARK_IS_ASSISTANT (self));

  if (self->pending_call == NULL)
    return;

  call = g_object_ref (self->pending_call);
  set_changeset (self, self->changeset, NULL);
  spark_tool_call_reject (call, reason && *reason ? reason : "The person rejected the whole change.");
}

/**
 * spark_assistant_decide_command:
 * @call: the call from #SparkAssistant::command-approval-requested
 *
 * Runs the command, runs it and every later identical command of this
 * session without asking, or tells the model it was not run.
 */
void
spark_assistant_decide_command (SparkAssistant       *self,
                                SparkToolCall        *call,
                                SparkCommandDecision  decision)
{
  g_return_if_fail (SPARK_IS_ASSISTANT (self));
  g_return_if_fail (SPARK_IS_TOOL_CALL (call));

  if (spark_tool_call_get_decision (call) != SPARK_DECISION_PENDING)
    return;   /* the turn was stopped meanwhile */

  switch (decision)
    {
    case SPARK_COMMAND_RUN_ALWAYS:
      g_hash_table_add (self->allowed_commands, dup_command (call));
      G_GNUC_FALLTHROUGH;
    case SPARK_COMMAND_RUN:
      spark_tool_call_approve (call);
      break;

    case SPARK_COMMAND_DENY:
    default:
      spark_tool_call_reject (call, "The person chose not to run this command.");
      break;
    }
}
