/* spark-patch-hand-off.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-patch-hand-off"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "spark-file-util.h"
#include "spark-patch-hand-off.h"
#include "spark-responses.h"
#include "spark-tools.h"

#ifdef HAVE_PATCH_ENGINE
# include "spark-changeset.h"
# include "spark-patch-parser.h"
# include "spark-workspace.h"
#endif

struct _SparkPatchHandOff
{
  char           *root;
  SparkToolCall  *call;
  GString        *fed;
  gulong          delta_handler;
  GError         *stream_error;
#ifdef HAVE_PATCH_ENGINE
  SparkWorkspace   *workspace;
  SparkPatchParser *parser;
  SparkChangeset   *changeset;
#endif
};

gboolean
spark_patch_hand_off_has_engine (void)
{
#ifdef HAVE_PATCH_ENGINE
  return TRUE;
#else
  return FALSE;
#endif
}

static void
on_patch_delta (SparkToolCall     *call,
                const char        *text,
                SparkPatchHandOff *self)
{
  g_string_append (self->fed, text);

#ifdef HAVE_PATCH_ENGINE
  if (self->parser != NULL && self->stream_error == NULL)
    spark_patch_parser_feed (self->parser, text, -1, &self->stream_error);
#endif
}

SparkPatchHandOff *
spark_patch_hand_off_new (const char    *root,
                          SparkToolCall *call)
{
  SparkPatchHandOff *self = g_new0 (SparkPatchHandOff, 1);

  self->root = g_strdup (root);
  self->call = g_object_ref (call);
  self->fed = g_string_new (NULL);

#ifdef HAVE_PATCH_ENGINE
  self->workspace = spark_workspace_new (root, &self->stream_error);
  self->changeset = spark_changeset_new (self->workspace);
  if (spark_tool_call_get_kind (call) != SPARK_TOOL_CALL_HOSTED_PATCH)
    {
      self->parser = spark_patch_parser_new ();
      spark_patch_parser_set_wire_form (self->parser, SPARK_PATCH_WIRE_FREEFORM);
      spark_changeset_follow_parser (self->changeset, self->parser);
    }
#endif

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
#ifdef HAVE_PATCH_ENGINE
  g_clear_object (&self->parser);
  g_clear_object (&self->changeset);
  g_clear_object (&self->workspace);
#endif
  g_free (self);
}

GObject *
spark_patch_hand_off_get_changeset (SparkPatchHandOff *self)
{
#ifdef HAVE_PATCH_ENGINE
  return G_OBJECT (self->changeset);
#else
  return NULL;
#endif
}

#ifdef HAVE_PATCH_ENGINE

gboolean
spark_patch_hand_off_finish (SparkPatchHandOff  *self,
                             GError            **error)
{
  if (self->stream_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->stream_error));
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

  if (spark_changeset_count_state (self->changeset, SPARK_HUNK_ACCEPTED) == 0 &&
      spark_changeset_count_state (self->changeset, SPARK_HUNK_EDITED) == 0 &&
      !spark_changeset_accept_all (self->changeset, error))
    return NULL;

  return spark_changeset_apply (self->changeset, error);
}

#else /* !HAVE_PATCH_ENGINE */

/* Minimal stand-in used only until src/core's patch engine is built in:
 * whole-text parse, exact/trim-end/trim matching, no checkpoint. */

typedef struct
{
  char      *anchor;
  GPtrArray *old_lines;
  GPtrArray *new_lines;
  gboolean   eof;
} Chunk;

static void
chunk_free (gpointer data)
{
  Chunk *chunk = data;

  g_free (chunk->anchor);
  g_ptr_array_unref (chunk->old_lines);
  g_ptr_array_unref (chunk->new_lines);
  g_free (chunk);
}

static Chunk *
chunk_new (void)
{
  Chunk *chunk = g_new0 (Chunk, 1);

  chunk->old_lines = g_ptr_array_new_with_free_func (g_free);
  chunk->new_lines = g_ptr_array_new_with_free_func (g_free);
  return chunk;
}

static gboolean
lines_match (const char *a,
             const char *b,
             int         level)
{
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  if (level == 0)
    return strcmp (a, b) == 0;
  x = g_strdup (a);
  y = g_strdup (b);
  if (level == 1)
    return strcmp (g_strchomp (x), g_strchomp (y)) == 0;
  return strcmp (g_strstrip (x), g_strstrip (y)) == 0;
}

static int
seek (GPtrArray  *lines,
      GPtrArray  *pattern,
      guint       from,
      gboolean    eof)
{
  if (pattern->len == 0)
    return from;
  if (pattern->len > lines->len)
    return -1;

  for (int level = 0; level < 3; level++)
    {
      guint start = eof ? lines->len - pattern->len : from;

      for (guint i = start; i + pattern->len <= lines->len; i++)
        {
          gboolean ok = TRUE;

          for (guint j = 0; j < pattern->len && ok; j++)
            ok = lines_match (lines->pdata[i + j], pattern->pdata[j], level);
          if (ok)
            return i;
        }
    }

  return -1;
}

static gboolean
apply_update (const char  *path,
              const char  *display,
              GPtrArray   *chunks,
              char       **out,
              GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) split = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) result = g_string_new (NULL);
  guint cursor = 0;
  gsize length;

  if (!(contents = spark_file_load_text (path, SPARK_FILE_MAX_TEXT_SIZE, &length, NULL, error)))
    return FALSE;

  split = g_strsplit (contents, "\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    g_ptr_array_add (lines, g_strdup (split[i]));
  if (lines->len > 0 && ((char *) lines->pdata[lines->len - 1])[0] == '\0')
    g_ptr_array_remove_index (lines, lines->len - 1);

  for (guint c = 0; c < chunks->len; c++)
    {
      Chunk *chunk = chunks->pdata[c];
      int at;

      if (chunk->anchor != NULL)
        {
          g_autoptr(GPtrArray) anchor = g_ptr_array_new ();

          g_ptr_array_add (anchor, chunk->anchor);
          if ((at = seek (lines, anchor, cursor, FALSE)) < 0)
            {
              g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "Failed to find context '%s' in %s", chunk->anchor, display);
              return FALSE;
            }
          cursor = at + 1;
        }

      if (chunk->old_lines->len == 0)
        at = lines->len;
      else if ((at = seek (lines, chunk->old_lines, cursor, chunk->eof)) < 0)
        {
          g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                       "Failed to find expected lines in %s", display);
          return FALSE;
        }

      g_ptr_array_remove_range (lines, at, chunk->old_lines->len);
      for (guint j = 0; j < chunk->new_lines->len; j++)
        g_ptr_array_insert (lines, at + j, g_strdup (chunk->new_lines->pdata[j]));
      cursor = at + chunk->new_lines->len;
    }

  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (result, lines->pdata[i]);
      g_string_append_c (result, '\n');
    }

  *out = g_string_free (g_steal_pointer (&result), FALSE);
  return TRUE;
}

static char *
fallback_apply (const char  *root,
                const char  *text,
                GError     **error)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) summary = g_string_new ("Success. Updated the following files:\n");
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  guint n, i;

  lines = g_strsplit (trimmed, "\n", -1);
  n = g_strv_length (lines);
  for (guint k = 0; k < n; k++)
    {
      gsize len = strlen (lines[k]);

      if (len > 0 && lines[k][len - 1] == '\r')
        lines[k][len - 1] = '\0';
    }

  if (n < 2 || strcmp (g_strstrip (lines[0]), "*** Begin Patch") != 0)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "The first line of the patch must be '*** Begin Patch'");
      return NULL;
    }
  if (strcmp (g_strstrip (lines[n - 1]), "*** End Patch") != 0)
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "The last line of the patch must be '*** End Patch'");
      return NULL;
    }

  i = 1;
  while (i < n - 1)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "*** Add File: "))
        {
          g_autofree char *path = spark_tools_resolve_path (root, line + 14, error);
          g_autoptr(GString) body = g_string_new (NULL);
          g_autofree char *parent = NULL;

          if (path == NULL)
            return NULL;
          for (i++; i < n - 1 && lines[i][0] == '+'; i++)
            {
              g_string_append (body, lines[i] + 1);
              g_string_append_c (body, '\n');
            }
          parent = g_path_get_dirname (path);
          g_mkdir_with_parents (parent, 0755);
          if (!spark_file_write_atomic (path, body->str, body->len, error))
            return NULL;
          g_string_append_printf (summary, "A %s\n", line + 14);
        }
      else if (g_str_has_prefix (line, "*** Delete File: "))
        {
          g_autofree char *path = spark_tools_resolve_path (root, line + 17, error);

          if (path == NULL)
            return NULL;
          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || g_remove (path) != 0)
            {
              g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "Failed to delete file %s", line + 17);
              return NULL;
            }
          g_string_append_printf (summary, "D %s\n", line + 17);
          i++;
        }
      else if (g_str_has_prefix (line, "*** Update File: "))
        {
          g_autofree char *path = spark_tools_resolve_path (root, line + 17, error);
          g_autofree char *dest = NULL;
          g_autofree char *result = NULL;
          g_autoptr(GPtrArray) chunks = g_ptr_array_new_with_free_func (chunk_free);
          const char *display = line + 17;
          Chunk *chunk = NULL;

          if (path == NULL)
            return NULL;
          i++;
          if (i < n - 1 && g_str_has_prefix (lines[i], "*** Move to: "))
            {
              if (!(dest = spark_tools_resolve_path (root, lines[i] + 13, error)))
                return NULL;
              i++;
            }

          for (; i < n - 1; i++)
            {
              const char *l = lines[i];

              if (g_str_has_prefix (l, "@@"))
                {
                  chunk = chunk_new ();
                  g_ptr_array_add (chunks, chunk);
                  if (l[2] == ' ' && l[3] != '\0')
                    chunk->anchor = g_strdup (l + 3);
                }
              else if (strcmp (l, "*** End of File") == 0)
                {
                  if (chunk != NULL)
                    chunk->eof = TRUE;
                }
              else if (l[0] == ' ' || l[0] == '-' || l[0] == '+' || l[0] == '\0')
                {
                  if (chunk == NULL)
                    {
                      chunk = chunk_new ();
                      g_ptr_array_add (chunks, chunk);
                    }
                  if (l[0] != '+')
                    g_ptr_array_add (chunk->old_lines, g_strdup (l[0] ? l + 1 : ""));
                  if (l[0] != '-')
                    g_ptr_array_add (chunk->new_lines, g_strdup (l[0] ? l + 1 : ""));
                }
              else
                break;
            }

          if (chunks->len == 0)
            {
              g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "Update file hunk for path '%s' is empty", display);
              return NULL;
            }
          if (!apply_update (path, display, chunks, &result, error))
            return NULL;
          if (!spark_file_write_atomic (dest ? dest : path, result, strlen (result), error))
            return NULL;
          if (dest != NULL && strcmp (dest, path) != 0)
            g_remove (path);
          g_string_append_printf (summary, "M %s\n", dest ? lines[i - 1] : display);
        }
      else if (line[0] == '\0')
        {
          i++;
        }
      else
        {
          g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                       "'%s' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}', "
                       "'*** Delete File: {path}', '*** Update File: {path}'", line);
          return NULL;
        }
    }

  return g_string_free (g_steal_pointer (&summary), FALSE);
}

gboolean
spark_patch_hand_off_finish (SparkPatchHandOff  *self,
                             GError            **error)
{
  g_autofree char *text = g_strstrip (g_strdup (spark_tool_call_get_patch_text (self->call)));

  if (!g_str_has_prefix (text, "*** Begin Patch") || !g_str_has_suffix (text, "*** End Patch"))
    {
      g_set_error_literal (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_TOOL,
                           "The patch must start with '*** Begin Patch' and end with '*** End Patch'");
      return FALSE;
    }
  return TRUE;
}

char *
spark_patch_hand_off_apply (SparkPatchHandOff  *self,
                            GError            **error)
{
  return fallback_apply (self->root, spark_tool_call_get_patch_text (self->call), error);
}

#endif
