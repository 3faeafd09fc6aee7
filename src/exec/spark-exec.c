/* spark-exec.c — `spark exec`: one prompt, run to the end, without a window.
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* With --json, stdout carries one object a line, each with "type" and
 * "t_ms" (milliseconds since start):
 *   connection_state  {state}
 *   text_delta        {item_id, delta}
 *   tool_call         {name, call_id, input}
 *   tool_output       {name, call_id, success, output}
 *   response_completed {response_id, timings: {transport, attempt, continuation,
 *                      first_event_ms, first_text_ms, first_patch_byte_ms,
 *                      completed_ms, input_tokens, cached_tokens, output_tokens,
 *                      tokens_per_second}}
 *   error             {message}            (also for failures that are retried)
 *   turn_finished     {ok, message?}       always last
 * Exit status: 0 done, 1 connection/protocol/tool failure, 2 usage error. */

#define G_LOG_DOMAIN "spark-exec"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "spark-changeset.h"
#include "spark-commands.h"
#include "spark-credentials.h"
#include "spark-responses.h"
#include "spark-session.h"

typedef struct
{
  GMainLoop    *loop;
  SparkSession *session;
  gboolean      json;
  gboolean      ok;
  gboolean      text_open;
  gint64        started;
  char         *failure;
} Exec;

static void
emit_json (Exec       *exec,
           JsonObject *object)
{
  g_autofree char *text = NULL;

  json_object_set_double_member (object, "t_ms", (g_get_monotonic_time () - exec->started) / 1000.0);
  text = spark_responses_to_string (object);
  g_print ("%s\n", text);
  fflush (stdout);
}

static void
end_text (Exec *exec)
{
  if (exec->text_open && !exec->json)
    {
      g_print ("\n");
      exec->text_open = FALSE;
    }
}

static void
on_text_delta (SparkSession *session,
               const char   *item_id,
               const char   *delta,
               Exec         *exec)
{
  if (exec->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "type", "text_delta");
      json_object_set_string_member (object, "item_id", item_id);
      json_object_set_string_member (object, "delta", delta);
      emit_json (exec, object);
      return;
    }

  g_print ("%s", delta);
  fflush (stdout);
  exec->text_open = TRUE;
}

static void
on_tool_call_done (SparkSession  *session,
                   SparkToolCall *call,
                   Exec          *exec)
{
  if (exec->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "type", "tool_call");
      json_object_set_string_member (object, "name", spark_tool_call_get_name (call));
      json_object_set_string_member (object, "call_id", spark_tool_call_get_call_id (call));
      json_object_set_string_member (object, "input", spark_tool_call_get_input (call));
      emit_json (exec, object);
      return;
    }

  end_text (exec);
  g_printerr ("• %s %s\n", spark_tool_call_get_name (call),
              spark_tool_call_is_patch (call) ? "" : spark_tool_call_get_input (call));
}

static void
on_tool_call_output (SparkSession  *session,
                     SparkToolCall *call,
                     const char    *output,
                     gboolean       success,
                     Exec          *exec)
{
  if (exec->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "type", "tool_output");
      json_object_set_string_member (object, "name", spark_tool_call_get_name (call));
      json_object_set_string_member (object, "call_id", spark_tool_call_get_call_id (call));
      json_object_set_boolean_member (object, "success", success);
      json_object_set_string_member (object, "output", output);
      emit_json (exec, object);
      return;
    }

  /* @output was for the model (English); the person reads the report, or
   * why the call failed in their language. */
  if (spark_tool_call_is_patch (call) && success)
    {
      SparkChangeset *changeset = spark_session_get_changeset (session, call);
      const char *report = changeset ? spark_changeset_get_report (changeset) : NULL;

      g_printerr ("  %s\n", report ? report : output);
    }
  else if (!success && spark_tool_call_get_error_message (call) != NULL)
    g_printerr ("  %s\n", spark_tool_call_get_error_message (call));
  else if (spark_tool_call_is_patch (call) || !success)
    g_printerr ("  %s\n", output);
}

static void
on_response_completed (SparkSession     *session,
                       const char       *response_id,
                       SparkTurnTimings *timings,
                       Exec             *exec)
{
  g_autoptr(JsonObject) object = NULL;
  JsonObject *t;

  if (!exec->json)
    return;

  object = json_object_new ();
  t = json_object_new ();
  json_object_set_string_member (object, "type", "response_completed");
  json_object_set_string_member (object, "response_id", response_id);
  json_object_set_string_member (t, "transport", timings->transport);
  json_object_set_int_member (t, "attempt", timings->attempt);
  json_object_set_boolean_member (t, "continuation", timings->continuation);
  json_object_set_double_member (t, "first_event_ms", spark_turn_timings_ms_since_sent (timings, timings->first_event));
  json_object_set_double_member (t, "first_text_ms", spark_turn_timings_ms_since_sent (timings, timings->first_text));
  json_object_set_double_member (t, "first_patch_byte_ms", spark_turn_timings_ms_since_sent (timings, timings->first_patch_byte));
  json_object_set_double_member (t, "completed_ms", spark_turn_timings_ms_since_sent (timings, timings->completed));
  json_object_set_int_member (t, "input_tokens", timings->input_tokens);
  json_object_set_int_member (t, "cached_tokens", timings->cached_tokens);
  json_object_set_int_member (t, "output_tokens", timings->output_tokens);
  json_object_set_double_member (t, "tokens_per_second", spark_turn_timings_get_tokens_per_second (timings));
  json_object_set_object_member (object, "timings", t);
  emit_json (exec, object);
}

static void
on_error (SparkSession *session,
          const GError *error,
          Exec         *exec)
{
  if (exec->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "type", "error");
      json_object_set_string_member (object, "message", error->message);
      emit_json (exec, object);
    }
  else
    {
      end_text (exec);
      g_printerr ("spark: %s\n", error->message);
    }
}

static void
on_state_changed (SparkSession *session,
                  GParamSpec   *pspec,
                  Exec         *exec)
{
  g_autoptr(JsonObject) object = NULL;

  if (!exec->json)
    return;

  object = json_object_new ();
  json_object_set_string_member (object, "type", "connection_state");
  json_object_set_string_member (object, "state",
                                 spark_connection_state_to_string (spark_session_get_connection_state (session)));
  emit_json (exec, object);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Exec *exec = user_data;
  g_autoptr(GError) error = NULL;

  exec->ok = spark_session_run_finish (SPARK_SESSION (object), result, &error);
  if (!exec->ok)
    exec->failure = g_strdup (error->message);
  g_main_loop_quit (exec->loop);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!spark_session_start_finish (SPARK_SESSION (object), result, &error))
    {
      /* The turn itself retries and reports; the warm-up failing is not fatal. */
      g_debug ("Warm-up failed: %s", error->message);
    }
}

static gboolean
is_loopback_endpoint (const char *endpoint)
{
  g_autoptr(GUri) uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && spark_uri_is_loopback (uri);
}

int
spark_exec_main (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkSession) session = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *root = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *model = NULL;
  g_autofree char *transport = NULL;
  g_autofree char *wire_api = NULL;
  g_autofree char *approve = NULL;
  g_autofree char *api_key = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *message = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean json = FALSE;
  SparkTransportKind transport_kind = SPARK_TRANSPORT_KIND_AUTO;
  SparkWireApi wire = SPARK_WIRE_API_RESPONSES;
  SparkApprovalMode mode = SPARK_APPROVAL_MODE_NONE;
  Exec exec = { 0 };
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, N_("Project folder (default: the current folder)"), N_("DIR") },
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint, N_("API base URL (default: $OPENAI_BASE_URL or https://api.openai.com/v1)"), N_("URL") },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, N_("Model name"), N_("M") },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport, N_("auto, websocket or http"), N_("T") },
    { "wire-api", 0, 0, G_OPTION_ARG_STRING, &wire_api, N_("responses or chat"), N_("W") },
    { "approve", 0, 0, G_OPTION_ARG_STRING, &approve, N_("What runs without asking: none, edits or all"), N_("A") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON event per line"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  /* stdout carries the answer (or JSON events): keep every log on stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  context = g_option_context_new (_("PROMPT — run one prompt against the project"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("spark exec: %s\n", error->message);
      return 2;
    }

  if (rest == NULL || rest[0] == NULL)
    {
      g_printerr ("spark exec: %s\n", _("a PROMPT is required"));
      return 2;
    }
  prompt = g_strjoinv (" ", rest);

  if (transport != NULL && !spark_transport_kind_from_string (transport, &transport_kind))
    {
      /* Translators: %s is what was given instead */
      message = g_strdup_printf (_("--transport must be auto, websocket or http, not “%s”"), transport);
      g_printerr ("spark exec: %s\n", message);
      return 2;
    }
  if (wire_api != NULL && !spark_wire_api_from_string (wire_api, &wire))
    {
      /* Translators: %s is what was given instead */
      message = g_strdup_printf (_("--wire-api must be responses or chat, not “%s”"), wire_api);
      g_printerr ("spark exec: %s\n", message);
      return 2;
    }
  if (approve != NULL && !spark_approval_mode_from_string (approve, &mode))
    {
      /* Translators: %s is what was given instead */
      message = g_strdup_printf (_("--approve must be none, edits or all, not “%s”"), approve);
      g_printerr ("spark exec: %s\n", message);
      return 2;
    }

  if (root == NULL)
    root = g_get_current_dir ();
  if (!g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (root);

      message = g_strdup_printf (_("“%s” is not a folder"), display);
      g_printerr ("spark exec: %s\n", message);
      return 2;
    }

  if (endpoint == NULL)
    endpoint = g_strdup (g_getenv ("OPENAI_BASE_URL"));
  if (endpoint == NULL || endpoint[0] == '\0')
    {
      g_free (endpoint);
      endpoint = g_strdup (SPARK_DEFAULT_ENDPOINT);
    }

  api_key = spark_credentials_lookup_api_key (&error);
  if (api_key == NULL && !is_loopback_endpoint (endpoint))
    {
      g_printerr ("spark exec: %s\n",
                  _("no API key: set OPENAI_API_KEY or store one in the keyring"));
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  session = spark_session_new (root);
  g_object_set (session,
                "endpoint", endpoint,
                "model", model,
                "api-key", api_key,
                "transport-kind", transport_kind,
                "wire-api", wire,
                NULL);
  spark_approval_policy_set_mode (spark_session_get_approval_policy (session), mode);
  /* Commands run only with --approve all. That is the approval, given up
   * front: say now, before any command runs, when there is no sandbox. */
  spark_tools_set_shell_enabled (spark_session_get_tools (session), mode == SPARK_APPROVAL_MODE_ALL);
  if (mode == SPARK_APPROVAL_MODE_ALL &&
      !spark_tools_get_sandboxed (spark_session_get_tools (session)))
    g_printerr ("spark exec: %s\n",
                _("warning: commands will run without a sandbox, with your permissions and "
                  "network access: bubblewrap (bwrap) is not installed or cannot run here"));

  exec.loop = loop;
  exec.session = session;
  exec.json = json;
  exec.started = g_get_monotonic_time ();

  g_signal_connect (session, "text-delta", G_CALLBACK (on_text_delta), &exec);
  g_signal_connect (session, "tool-call-done", G_CALLBACK (on_tool_call_done), &exec);
  g_signal_connect (session, "tool-call-output", G_CALLBACK (on_tool_call_output), &exec);
  g_signal_connect (session, "response-completed", G_CALLBACK (on_response_completed), &exec);
  g_signal_connect (session, "error", G_CALLBACK (on_error), &exec);
  g_signal_connect (session, "notify::connection-state", G_CALLBACK (on_state_changed), &exec);

  spark_session_start_async (session, NULL, start_cb, &exec);
  spark_session_run_async (session, prompt, NULL, run_cb, &exec);
  g_main_loop_run (loop);

  end_text (&exec);

  if (json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "type", "turn_finished");
      json_object_set_boolean_member (object, "ok", exec.ok);
      if (exec.failure != NULL)
        json_object_set_string_member (object, "message", exec.failure);
      emit_json (&exec, object);
    }
  else if (!exec.ok)
    {
      g_printerr ("spark exec: %s\n", exec.failure);
    }

  g_signal_handlers_disconnect_by_data (session, &exec);
  spark_session_close (session);
  g_clear_pointer (&exec.failure, g_free);

  return exec.ok ? 0 : 1;
}
