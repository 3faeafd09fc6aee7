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

gboolean
spark_patch_hand_off_finish (SparkPatchHandOff  *self,
                             GError            **error)
{
  if (self->stream_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->stream_error));
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

  if (spark_tool_call_get_kind (self->call) == SPARK_TOOL_CALL_HOSTED_PATCH)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(SparkFileChange) file = NULL;
      JsonObject *operation;
      JsonNode *root;

      if (!json_parser_load_from_data (parser, spark_tool_call_get_input (self->call), -1, error) ||
          !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
        return FALSE;

      operation = json_node_get_object (root);
      file = spark_patch_parse_operation (spark_json_get_string (operation, "type"),
                                          spark_json_get_string (operation, "path"),
                                          spark_json_get_string (operation, "diff"),
                                          error);
      if (file == NULL)
        return FALSE;
      spark_changeset_add_file (self->changeset, file);
      return TRUE;
    }

  return spark_patch_parser_finish (self->parser, error);
}

char *
spark_patch_hand_off_apply (SparkPatchHandOff  *self,
                            GError            **error)
{
  const char *text = spark_tool_call_get_patch_text (self->call);
  guint accepted;
  guint rejected;

  if (spark_tool_call_get_kind (self->call) != SPARK_TOOL_CALL_HOSTED_PATCH &&
      strcmp (text, self->fed->str) != 0)
    {
      /* The reviewer edited the patch: review that text instead. */
      g_autoptr(GListModel) files = spark_patch_parse (text, -1, error);

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
      if (!spark_changeset_accept_all (self->changeset, error))
        return NULL;
    }
  else if (accepted == 0)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "the reviewer rejected every hunk");
      return NULL;
    }

  return spark_changeset_apply (self->changeset, error);
}


