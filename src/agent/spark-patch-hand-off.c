/* spark-patch-hand-off.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-patch-hand-off"

#include "config.h"

#include <string.h>

#include "spark-patch-hand-off.h"
#include "spark-responses.h"

#include "spark-audience.h"
#include "spark-changeset.h"
#include "spark-patch-parser.h"
#include "spark-workspace.h"

struct _SparkPatchHandOff
{
  char           *root;
  SparkToolCall  *call;
  GString        *fed;
  gulong          delta_handler;
  GError         *stream_error;
  SparkWorkspace   *workspace;
  SparkPatchParser *parser;
  SparkChangeset   *changeset;
};

static void
on_patch_delta (SparkToolCall     *call,
                const char        *text,
                SparkPatchHandOff *self)
{
  g_string_append (self->fed, text);

  if (self->parser != NULL && self->stream_error == NULL)
    spark_patch_parser_feed (self->parser, text, -1, &self->stream_error);
}

SparkPatchHandOff *
spark_patch_hand_off_new (const char    *root,
                          SparkToolCall *call)
{
  SparkPatchHandOff *self = g_new0 (SparkPatchHandOff, 1);

  self->root = g_strdup (root);
  self->call = g_object_ref (call);
  self->fed = g_string_new (NULL);

  self->workspace = spark_workspace_new (root, &self->stream_error);
  self->changeset = spark_changeset_new (self->workspace);
  if (spark_tool_call_get_kind (call) != SPARK_TOOL_CALL_HOSTED_PATCH)
    {
      self->parser = spark_patch_parser_new ();
      spark_patch_parser_set_wire_form (self->parser, SPARK_PATCH_WIRE_FREEFORM);
      spark_changeset_follow_parser (self->changeset, self->parser);
    }

  /* Text that streamed before we were created. */
  if (spark_tool_call_get_kind (call) != SPARK_TOOL_CALL_HOSTED_PATCH &&
      spark_tool_call_get_patch_text (call)[0] != '\0')
    on_patch_delta (call, spark_tool_call_get_patch_text (call), self);

  if (spark_tool_call_get_kind (call) != SPARK_TOOL_CALL_HOSTED_PATCH)
    self->delta_handler = g_signal_connect (call, "patch-delta", G_CALLBACK (on_patch_delta), self);

  return self;
}

void
spark_patch_hand_off_free (SparkPatchHandOff *self)
{
  if (self == NULL)
    return;

  g_clear_signal_handler (&self->delta_handler, self->call);
  g_clear_object (&self->call);
  g_string_free (self->fed, TRUE);
  g_clear_error (&self->stream_error);
  g_free (self->root);
  g_clear_object (&self->parser);
  g_clear_object (&self->changeset);
  g_clear_object (&self->workspace);
  g_free (self);
}

SparkChangeset *
spark_patch_hand_off_get_changeset (SparkPatchHandOff *self)
{
  return self->changeset;
}

/* The patch was parsed as it streamed, for the review, in the person's
 * language. The model is told why it is invalid in English: parse it again
 * (a parser of our own, which nobody watches), only to say so. */
static void
fail_in_english (SparkPatchHandOff  *self,
                 const GError       *person_error,
                 GError            **error)
{
  g_autoptr(SparkWorkspace) workspace = NULL;
  g_autoptr(GListModel) files = NULL;
  GError *model_error = NULL;

  spark_audience_push (SPARK_AUDIENCE_MODEL);
  if (self->workspace == NULL)
    workspace = spark_workspace_new (self->root, &model_error);
  else
    files = spark_patch_parse (self->fed->str, self->fed->len, &model_error);
  spark_audience_pop ();

  if (model_error == NULL)
    model_error = g_error_copy (person_error);   /* it parsed this time: say what we saw */
  g_propagate_error (error, model_error);
}

/**
 * spark_patch_hand_off_finish:
 *
 * Errors are for the model: in English whatever the locale.
 */
gboolean
spark_patch_hand_off_finish (SparkPatchHandOff  *self,
                             GError            **error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->stream_error != NULL)
    {
      fail_in_english (self, self->stream_error, error);
      return FALSE;
    }

  if (spark_tool_call_get_oversize (self->call) > 0)
    {
      g_autofree char *size = NULL;
      g_autofree char *limit = NULL;

      /* GLib's size units are translated: the model reads English. */
      spark_audience_push (SPARK_AUDIENCE_MODEL);
      size = g_format_size (spark_tool_call_get_oversize (self->call));
      limit = g_format_size_full (SPARK_MAX_PATCH_SIZE, G_FORMAT_SIZE_IEC_UNITS);
      spark_audience_pop ();

      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                   "the patch is %s, more than the %s Spark takes in one apply_patch call; "
                   "nothing was applied: split it into several smaller patches", size, limit);
      return FALSE;
    }

  /* The streamed text dropped it; refuse rather than apply a patch whose
   * paths or lines lost a character. */
  if (spark_tool_call_get_kind (self->call) == SPARK_TOOL_CALL_FUNCTION &&
      spark_json_has_nul_escape (spark_tool_call_get_input (self->call), -1))
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "The patch contains a NUL character (\\u0000)");
      return FALSE;
    }

  /* The JSON-function form: say what is wrong with the arguments rather
   * than with the patch text that could not be taken from them. */
  if (spark_tool_call_get_kind (self->call) == SPARK_TOOL_CALL_FUNCTION)
    {
      g_autoptr(GError) args_error = NULL;
      g_autoptr(JsonObject) args = NULL;

      /* json-glib's message goes to the model: in English. */
      spark_audience_push (SPARK_AUDIENCE_MODEL);
      args = spark_json_parse_object (spark_tool_call_get_input (self->call), -1, &args_error);
      spark_audience_pop ();
      if (args == NULL)
        {
          g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                       "apply_patch takes the JSON arguments {\"input\": \"*** Begin Patch…\"}, "
                       "and these are not a JSON object (%s)", args_error->message);
          return FALSE;
        }
      if (spark_json_get_string (args, "input") == NULL)
        {
          g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                               "apply_patch takes the JSON arguments {\"input\": \"*** Begin Patch…\"}, "
                               "and “input” is missing or not a string");
          return FALSE;
        }
    }

  if (spark_tool_call_get_kind (self->call) == SPARK_TOOL_CALL_HOSTED_PATCH)
    {
      g_autoptr(SparkFileChange) file = NULL;
      g_autoptr(JsonObject) operation = NULL;

      /* Nothing watches these yet: all of it can speak English, the
       * operation's JSON errors too (the model reads them). */
      spark_audience_push (SPARK_AUDIENCE_MODEL);
      operation = spark_json_parse_object (spark_tool_call_get_input (self->call), -1, error);
      if (operation != NULL)
        file = spark_patch_parse_operation (spark_json_get_string (operation, "type"),
                                            spark_json_get_string (operation, "path"),
                                            spark_json_get_string (operation, "diff"),
                                            error);
      spark_audience_pop ();
      if (file == NULL)
        return FALSE;
      spark_changeset_add_file (self->changeset, file);
      return TRUE;
    }

  /* The review watches this parser: it finishes in the person's language. */
  if (!spark_patch_parser_finish (self->parser, &local_error))
    {
      fail_in_english (self, local_error, error);
      return FALSE;
    }
  return TRUE;
}

/**
 * spark_patch_hand_off_apply:
 *
 * Returns: (transfer full) (nullable): the result text for the model;
 *   errors are for the model too, in English whatever the locale (the
 *   person's report is spark_changeset_get_report() of the changeset)
 */
char *
spark_patch_hand_off_apply (SparkPatchHandOff  *self,
                            GError            **error)
{
  const char *text = spark_tool_call_get_patch_text (self->call);
  g_autofree char *result = NULL;
  guint accepted;
  guint rejected;

  if (spark_tool_call_get_kind (self->call) != SPARK_TOOL_CALL_HOSTED_PATCH &&
      strcmp (text, self->fed->str) != 0)
    {
      /* The reviewer edited the patch: review that text instead. */
      g_autoptr(GListModel) files = NULL;

      spark_audience_push (SPARK_AUDIENCE_MODEL);
      files = spark_patch_parse (text, -1, error);
      spark_audience_pop ();

      if (files == NULL)
        return NULL;
      g_clear_object (&self->changeset);
      self->changeset = spark_changeset_new (self->workspace);
      spark_changeset_add_files (self->changeset, files);
    }

  accepted = spark_changeset_count_state (self->changeset, SPARK_HUNK_ACCEPTED) +
             spark_changeset_count_state (self->changeset, SPARK_HUNK_EDITED);
  rejected = spark_changeset_count_state (self->changeset, SPARK_HUNK_REJECTED);

  /* Approving an unreviewed patch accepts it whole; a reviewed one is
   * applied as reviewed. */
  if (accepted == 0 && rejected == 0)
    {
      gboolean ok;

      /* The changeset says its signals in the person's language itself. */
      spark_audience_push (SPARK_AUDIENCE_MODEL);
      ok = spark_changeset_accept_all (self->changeset, error);
      spark_audience_pop ();
      if (!ok)
        return NULL;
    }
  else if (accepted == 0)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "the reviewer rejected every hunk");
      return NULL;
    }

  spark_audience_push (SPARK_AUDIENCE_MODEL);
  result = spark_changeset_apply (self->changeset, error);
  spark_audience_pop ();

  return g_steal_pointer (&result);
}


