/* spark-bench-streams.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "spark-bench-streams.h"

char *
spark_bench_markdown (gsize n_bytes)
{
  GString *s = g_string_new (NULL);

  for (guint i = 1; s->len < n_bytes; i++)
    {
      g_string_append_printf (s, "## Step %u\n\n", i);
      g_string_append_printf (s, "The change in `src/file-%02u.c` keeps **every** caller working: "
                                 "the parser reads one line at a time, and a line that built "
                                 "before still builds. See [the guide](https://example.org/%u) "
                                 "for *why*.\n\n", i % 100, i);
      g_string_append_printf (s, "- point %u: `make test` still passes\n"
                                 "- the log stays short\n"
                                 "  - even on the %u-th try\n\n", i, i);
      g_string_append_printf (s, "```c\nstatic int\nhelper_%u (int x)\n{\n"
                                 "  return x * %u + 1;\n}\n```\n\n", i, i);
    }
  g_string_truncate (s, n_bytes);

  return g_string_free (s, FALSE);
}

char *
spark_bench_file_text (guint file,
                       guint n_lines)
{
  GString *s = g_string_new (NULL);

  for (guint line = 1; line <= n_lines; line++)
    g_string_append_printf (s, "  value_%u = compute (file_%u, %u); /* line %u */\n",
                            line, file, line, line);

  return g_string_free (s, FALSE);
}

/* A hunk as a model writes one: three lines of context, two lines out,
 * three in, three lines of context. */
char *
spark_bench_patch (guint n_files,
                   guint n_hunks,
                   guint n_lines)
{
  GString *s = g_string_new ("*** Begin Patch\n");
  guint step = n_lines / (n_hunks + 1);

  g_assert (step >= 10);

  for (guint file = 0; file < n_files; file++)
    {
      g_string_append_printf (s, "*** Update File: src/file-%02u.c\n", file);
      for (guint hunk = 1; hunk <= n_hunks; hunk++)
        {
          guint first = hunk * step;

          g_string_append (s, "@@\n");
          for (guint line = first; line < first + 3; line++)
            g_string_append_printf (s, "   value_%u = compute (file_%u, %u); /* line %u */\n",
                                    line, file, line, line);
          for (guint line = first + 3; line < first + 5; line++)
            g_string_append_printf (s, "-  value_%u = compute (file_%u, %u); /* line %u */\n",
                                    line, file, line, line);
          for (guint line = first + 3; line < first + 6; line++)
            g_string_append_printf (s, "+  value_%u = compute_checked (file_%u, %u, &error);\n",
                                    line, file, line);
          for (guint line = first + 5; line < first + 8; line++)
            g_string_append_printf (s, "   value_%u = compute (file_%u, %u); /* line %u */\n",
                                    line, file, line, line);
        }
    }
  g_string_append (s, "*** End Patch\n");

  return g_string_free (s, FALSE);
}

static void
append_event (GString    *out,
              JsonObject *event)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *line = NULL;

  json_node_take_object (node, event);
  line = json_to_string (node, FALSE);
  g_string_append (out, line);
  g_string_append_c (out, '\n');
}

static JsonObject *
new_event (const char *type,
           guint      *sequence)
{
  JsonObject *event = json_object_new ();

  json_object_set_string_member (event, "type", type);
  json_object_set_int_member (event, "sequence_number", (*sequence)++);
  return event;
}

static JsonObject *
response_object (const char *status)
{
  JsonObject *response = json_object_new ();

  json_object_set_string_member (response, "id", "__RESP__");
  json_object_set_string_member (response, "object", "response");
  json_object_set_string_member (response, "status", status);
  json_object_set_string_member (response, "model", "gpt-5.3-codex-spark");
  json_object_set_array_member (response, "output", json_array_new ());
  return response;
}

static JsonObject *
message_item (const char *text,
              const char *status)
{
  JsonObject *item = json_object_new ();
  JsonArray *content = json_array_new ();

  json_object_set_string_member (item, "id", "msg___RESP__");
  json_object_set_string_member (item, "type", "message");
  json_object_set_string_member (item, "status", status);
  json_object_set_string_member (item, "role", "assistant");
  if (text != NULL)
    {
      JsonObject *part = json_object_new ();

      json_object_set_string_member (part, "type", "output_text");
      json_object_set_string_member (part, "text", text);
      json_object_set_array_member (part, "annotations", json_array_new ());
      json_array_add_object_element (content, part);
    }
  json_object_set_array_member (item, "content", content);
  return item;
}

static JsonObject *
patch_item (const char *input,
            const char *status)
{
  JsonObject *item = json_object_new ();

  json_object_set_string_member (item, "id", "ctc___RESP__");
  json_object_set_string_member (item, "type", "custom_tool_call");
  json_object_set_string_member (item, "status", status);
  json_object_set_string_member (item, "call_id", "call___RESP__");
  json_object_set_string_member (item, "name", "apply_patch");
  json_object_set_string_member (item, "input", input);
  return item;
}

static guint
append_deltas (GString    *out,
               guint      *sequence,
               const char *type,
               const char *item_id,
               guint       output_index,
               const char *text,
               gsize       chunk)
{
  gsize length = strlen (text);
  guint n = 0;

  for (gsize offset = 0; offset < length; offset += chunk, n++)
    {
      JsonObject *event = new_event (type, sequence);
      g_autofree char *delta = g_strndup (text + offset, MIN (chunk, length - offset));

      json_object_set_string_member (event, "item_id", item_id);
      json_object_set_int_member (event, "output_index", output_index);
      if (g_str_equal (type, "response.output_text.delta"))
        json_object_set_int_member (event, "content_index", 0);
      json_object_set_string_member (event, "delta", delta);
      append_event (out, event);
    }

  return n;
}

char *
spark_bench_response (const char *text,
                      const char *patch,
                      gsize       chunk,
                      guint      *n_deltas)
{
  GString *out = g_string_new (NULL);
  guint sequence = 0, deltas = 0;
  JsonObject *event, *part, *usage, *response;
  JsonArray *output;

  event = new_event ("response.created", &sequence);
  json_object_set_object_member (event, "response", response_object ("in_progress"));
  append_event (out, event);

  event = new_event ("response.output_item.added", &sequence);
  json_object_set_int_member (event, "output_index", 0);
  json_object_set_object_member (event, "item", message_item (NULL, "in_progress"));
  append_event (out, event);

  event = new_event ("response.content_part.added", &sequence);
  json_object_set_string_member (event, "item_id", "msg___RESP__");
  json_object_set_int_member (event, "output_index", 0);
  json_object_set_int_member (event, "content_index", 0);
  part = json_object_new ();
  json_object_set_string_member (part, "type", "output_text");
  json_object_set_string_member (part, "text", "");
  json_object_set_object_member (event, "part", part);
  append_event (out, event);

  deltas += append_deltas (out, &sequence, "response.output_text.delta", "msg___RESP__", 0, text, chunk);

  event = new_event ("response.output_text.done", &sequence);
  json_object_set_string_member (event, "item_id", "msg___RESP__");
  json_object_set_int_member (event, "output_index", 0);
  json_object_set_int_member (event, "content_index", 0);
  json_object_set_string_member (event, "text", text);
  append_event (out, event);

  event = new_event ("response.output_item.done", &sequence);
  json_object_set_int_member (event, "output_index", 0);
  json_object_set_object_member (event, "item", message_item (text, "completed"));
  append_event (out, event);

  if (patch != NULL)
    {
      event = new_event ("response.output_item.added", &sequence);
      json_object_set_int_member (event, "output_index", 1);
      json_object_set_object_member (event, "item", patch_item ("", "in_progress"));
      append_event (out, event);

      deltas += append_deltas (out, &sequence, "response.custom_tool_call_input.delta",
                               "ctc___RESP__", 1, patch, chunk);

      event = new_event ("response.custom_tool_call_input.done", &sequence);
      json_object_set_string_member (event, "item_id", "ctc___RESP__");
      json_object_set_int_member (event, "output_index", 1);
      json_object_set_string_member (event, "input", patch);
      append_event (out, event);

      event = new_event ("response.output_item.done", &sequence);
      json_object_set_int_member (event, "output_index", 1);
      json_object_set_object_member (event, "item", patch_item (patch, "completed"));
      append_event (out, event);
    }

  event = new_event ("response.completed", &sequence);
  response = response_object ("completed");
  output = json_object_get_array_member (response, "output");
  json_array_add_object_element (output, message_item (text, "completed"));
  if (patch != NULL)
    json_array_add_object_element (output, patch_item (patch, "completed"));
  usage = json_object_new ();
  json_object_set_int_member (usage, "input_tokens", 100);
  json_object_set_int_member (usage, "output_tokens", deltas);
  json_object_set_int_member (usage, "total_tokens", deltas + 100);
  json_object_set_object_member (response, "usage", usage);
  json_object_set_object_member (event, "response", response);
  append_event (out, event);

  if (n_deltas != NULL)
    *n_deltas = deltas;

  return g_string_free (out, FALSE);
}
