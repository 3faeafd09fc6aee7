/* spark-transcript.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-transcript"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-responses.h"
#include "spark-transcript.h"
#include "spark-transcript-item-private.h"

/* How much of a command or pattern goes into a summary. */
#define SUMMARY_ARG_CHARS 80

typedef struct
{
  gsize scanned;
  guint files;
  guint added;
  guint removed;
} PatchCount;

struct _SparkTranscript
{
  GObject       parent_instance;

  GPtrArray    *items;
  /* "kind:item_id" → item (borrowed), and call_id → item (borrowed). */
  GHashTable   *by_id;
  GHashTable   *by_call;
  /* Tool call item → PatchCount, while an apply_patch streams. */
  GHashTable   *patch_counts;
  guint         n_deltas;

  /* Following a session. */
  SparkSession *session;
  guint         history_seen;
  /* Items from this index on belong to the response that streams now. */
  guint         response_start;
  /* Streaming items without an item id (Chat Completions). */
  SparkTranscriptItem *anon[SPARK_TRANSCRIPT_KIND_NOTICE + 1];
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SparkTranscript, spark_transcript, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_DELTAS,
  PROP_N_ITEMS,
  PROP_SESSION,
  N_PROPS
};

enum {
  ITEM_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GType
spark_transcript_get_item_type (GListModel *model)
{
  return SPARK_TYPE_TRANSCRIPT_ITEM;
}

static guint
spark_transcript_get_n_items (GListModel *model)
{
  return SPARK_TRANSCRIPT (model)->items->len;
}

static gpointer
spark_transcript_get_item (GListModel *model,
                           guint       position)
{
  SparkTranscript *self = SPARK_TRANSCRIPT (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = spark_transcript_get_item_type;
  iface->get_n_items = spark_transcript_get_n_items;
  iface->get_item = spark_transcript_get_item;
}

static char *
id_key (SparkTranscriptKind  kind,
        const char          *item_id)
{
  return g_strdup_printf ("%d:%s", (int) kind, item_id);
}

static void
changed (SparkTranscript     *self,
         SparkTranscriptItem *item)
{
  g_signal_emit (self, signals[ITEM_CHANGED], 0, item);
}

static SparkTranscriptItem *
add_item (SparkTranscript     *self,
          SparkTranscriptItem *item)
{
  guint position = self->items->len;
  const char *item_id = spark_transcript_item_get_item_id (item);
  const char *call_id = spark_transcript_item_get_call_id (item);

  g_ptr_array_add (self->items, item);
  if (item_id != NULL)
    g_hash_table_replace (self->by_id,
                          id_key (spark_transcript_item_get_kind (item), item_id),
                          item);
  if (call_id != NULL)
    g_hash_table_replace (self->by_call, g_strdup (call_id), item);

  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);

  return item;
}

static gboolean
remove_if_value (gpointer key,
                 gpointer value,
                 gpointer user_data)
{
  return value == user_data;
}

static void
forget_item (SparkTranscript     *self,
             SparkTranscriptItem *item)
{
  g_hash_table_foreach_remove (self->by_id, remove_if_value, item);
  g_hash_table_foreach_remove (self->by_call, remove_if_value, item);
  g_hash_table_remove (self->patch_counts, item);
  for (guint i = 0; i < G_N_ELEMENTS (self->anon); i++)
    {
      if (self->anon[i] == item)
        self->anon[i] = NULL;
    }
}

/* Summaries */

static char *
shorten (const char *text)
{
  g_autofree char *line = NULL;
  const char *nl;

  if (text == NULL)
    return g_strdup ("");

  nl = strchr (text, '\n');
  line = nl ? g_strndup (text, nl - text) : g_strdup (text);
  if (g_utf8_strlen (line, -1) > SUMMARY_ARG_CHARS || nl != NULL)
    {
      g_autofree char *cut = g_utf8_substring (line, 0, MIN (g_utf8_strlen (line, -1),
                                                             SUMMARY_ARG_CHARS));
      return g_strconcat (cut, "…", NULL);
    }

  return g_steal_pointer (&line);
}

static guint
count_grep_matches (const char *output,
                    gboolean   *more)
{
  guint n = 0;
  const char *p = output;

  *more = FALSE;
  if (output == NULL || g_str_has_prefix (output, "No matches."))
    return 0;

  while (*p != '\0')
    {
      const char *nl = strchr (p, '\n');

      if (*p == '[')
        *more = TRUE;
      else if (p[0] != '\n')
        n++;
      if (nl == NULL)
        break;
      p = nl + 1;
    }

  return n;
}

char *
spark_transcript_summarize_call (const char *name,
                                 const char *arguments,
                                 const char *output)
{
  g_autoptr(JsonObject) args = NULL;

  if (name == NULL)
    name = "tool";

  if (arguments != NULL && arguments[0] != '\0')
    args = spark_json_parse_object (arguments, -1, NULL);

  if (g_str_equal (name, "read_file") || g_str_equal (name, "list_dir"))
    {
      const char *path = spark_json_get_string (args, "path");
      g_autofree char *shown = shorten (path ? path : ".");

      return g_strdup_printf ("%s %s", name, shown);
    }

  if (g_str_equal (name, "grep"))
    {
      const char *pattern = spark_json_get_string (args, "pattern");
      g_autofree char *shown = shorten (pattern ? pattern : "");
      gboolean more;
      guint n;

      if (output == NULL)
        return g_strdup_printf ("grep \"%s\"", shown);

      n = count_grep_matches (output, &more);
      if (n == 0)
        /* translators: a search that found nothing; %s is what was searched for */
        return g_strdup_printf (_("grep \"%s\" — no matches"), shown);
      if (more)
        /* translators: a search that stopped after this many lines, e.g.
         * "grep \"foo\" — 200+ matches"; %s is what was searched for */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "grep \"%s\" — %u+ match",
                                             "grep \"%s\" — %u+ matches", n),
                                shown, n);
      /* translators: how many lines a search found, e.g. "grep \"foo\" — 12 matches";
       * %s is what was searched for */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "grep \"%s\" — %u match",
                                           "grep \"%s\" — %u matches", n),
                              shown, n);
    }

  if (g_str_equal (name, "shell"))
    {
      const char *command = spark_json_get_string (args, "command");
      g_autofree char *shown = shorten (command ? command : "");

      return g_strdup_printf ("shell `%s`", shown);
    }

  return g_strdup (name);
}

static void
count_patch (PatchCount *count,
             const char *text,
             gsize       length)
{
  const char *p = text + count->scanned;
  const char *end = text + length;

  /* Only whole lines: the last one may still grow. */
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);

      if (nl == NULL)
        break;

      if (g_str_has_prefix (p, "*** Add File: ") ||
          g_str_has_prefix (p, "*** Update File: ") ||
          g_str_has_prefix (p, "*** Delete File: "))
        count->files++;
      else if (p[0] == '+')
        count->added++;
      else if (p[0] == '-')
        count->removed++;

      p = nl + 1;
    }

  count->scanned = p - text;
}

static char *
format_patch_summary (const PatchCount *count)
{
  g_autofree char *files = NULL;

  if (count->files == 0)
    return g_strdup ("apply_patch");

  /* translators: how many files a patch changes; "apply_patch — 2 files, +10 −3" */
  files = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file", "%u files", count->files),
                           count->files);

  return g_strdup_printf ("apply_patch — %s, +%u −%u", files, count->added, count->removed);
}

char *
spark_transcript_summarize_patch (const char *patch_text)
{
  PatchCount count = { 0 };
  g_autofree char *text = NULL;

  if (patch_text == NULL)
    return g_strdup ("apply_patch");

  /* Count the last line too, finished or not. */
  text = g_str_has_suffix (patch_text, "\n") ? g_strdup (patch_text)
                                             : g_strconcat (patch_text, "\n", NULL);
  count_patch (&count, text, strlen (text));

  return format_patch_summary (&count);
}

/* Public API */

SparkTranscript *
spark_transcript_new (void)
{
  return g_object_new (SPARK_TYPE_TRANSCRIPT, NULL);
}

SparkTranscriptItem *
spark_transcript_append (SparkTranscript     *self,
                         SparkTranscriptKind  kind,
                         const char          *text)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT (self), NULL);

  return add_item (self, spark_transcript_item_new (kind, text));
}

SparkTranscriptItem *
spark_transcript_begin (SparkTranscript     *self,
                        SparkTranscriptKind  kind,
                        const char          *item_id)
{
  SparkTranscriptItem *item;

  g_return_val_if_fail (SPARK_IS_TRANSCRIPT (self), NULL);

  item = spark_transcript_item_new (kind, NULL);
  _spark_transcript_item_set_ids (item, item_id, NULL);
  _spark_transcript_item_set_streaming (item, TRUE);

  return add_item (self, item);
}

SparkTranscriptItem *
spark_transcript_begin_tool_call (SparkTranscript *self,
                                  const char      *item_id,
                                  const char      *call_id,
                                  const char      *name)
{
  SparkTranscriptItem *item;

  g_return_val_if_fail (SPARK_IS_TRANSCRIPT (self), NULL);

  item = spark_transcript_item_new (SPARK_TRANSCRIPT_KIND_TOOL_CALL, NULL);
  _spark_transcript_item_set_ids (item, item_id, call_id);
  _spark_transcript_item_set_name (item, name);
  _spark_transcript_item_set_summary (item, name);
  _spark_transcript_item_set_streaming (item, TRUE);

  return add_item (self, item);
}

void
spark_transcript_append_text (SparkTranscript     *self,
                              SparkTranscriptItem *item,
                              const char          *delta,
                              gssize               length)
{
  g_return_if_fail (SPARK_IS_TRANSCRIPT (self));
  g_return_if_fail (SPARK_IS_TRANSCRIPT_ITEM (item));
  g_return_if_fail (delta != NULL || length == 0);

  if (length < 0)
    length = strlen (delta);
  if (length == 0)
    return;

  self->n_deltas++;
  _spark_transcript_item_append_text (item, delta, length);
  changed (self, item);
}

void
spark_transcript_set_streaming (SparkTranscript     *self,
                                SparkTranscriptItem *item,
                                gboolean             streaming)
{
  g_return_if_fail (SPARK_IS_TRANSCRIPT (self));
  g_return_if_fail (SPARK_IS_TRANSCRIPT_ITEM (item));

  if (spark_transcript_item_get_streaming (item) == !!streaming)
    return;

  _spark_transcript_item_set_streaming (item, streaming);
  changed (self, item);
}

void
spark_transcript_set_summary (SparkTranscript     *self,
                              SparkTranscriptItem *item,
                              const char          *summary)
{
  guint revision;

  g_return_if_fail (SPARK_IS_TRANSCRIPT (self));
  g_return_if_fail (SPARK_IS_TRANSCRIPT_ITEM (item));

  revision = spark_transcript_item_get_revision (item);
  _spark_transcript_item_set_summary (item, summary);
  if (revision != spark_transcript_item_get_revision (item))
    changed (self, item);
}

void
spark_transcript_set_output (SparkTranscript     *self,
                             SparkTranscriptItem *item,
                             const char          *output,
                             gboolean             success)
{
  guint revision;

  g_return_if_fail (SPARK_IS_TRANSCRIPT (self));
  g_return_if_fail (SPARK_IS_TRANSCRIPT_ITEM (item));

  revision = spark_transcript_item_get_revision (item);
  _spark_transcript_item_set_output (item, output, success);
  if (revision != spark_transcript_item_get_revision (item))
    changed (self, item);
}

void
spark_transcript_remove (SparkTranscript     *self,
                         SparkTranscriptItem *item)
{
  guint position;

  g_return_if_fail (SPARK_IS_TRANSCRIPT (self));
  g_return_if_fail (SPARK_IS_TRANSCRIPT_ITEM (item));

  if (!g_ptr_array_find (self->items, item, &position))
    return;

  forget_item (self, item);
  if (position < self->response_start)
    self->response_start--;
  g_ptr_array_remove_index (self->items, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
spark_transcript_clear (SparkTranscript *self)
{
  guint n;

  g_return_if_fail (SPARK_IS_TRANSCRIPT (self));

  n = self->items->len;
  if (n == 0)
    return;

  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->by_call);
  g_hash_table_remove_all (self->patch_counts);
  memset (self->anon, 0, sizeof self->anon);
  self->response_start = 0;
  g_ptr_array_set_size (self->items, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

SparkTranscriptItem *
spark_transcript_lookup (SparkTranscript     *self,
                         SparkTranscriptKind  kind,
                         const char          *item_id)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (SPARK_IS_TRANSCRIPT (self), NULL);

  if (item_id == NULL)
    return NULL;

  key = id_key (kind, item_id);
  return g_hash_table_lookup (self->by_id, key);
}

SparkTranscriptItem *
spark_transcript_lookup_call (SparkTranscript *self,
                              const char      *call_id)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT (self), NULL);

  if (call_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_call, call_id);
}

guint
spark_transcript_get_n_deltas (SparkTranscript *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT (self), 0);
  return self->n_deltas;
}

/* Following a session */

/* The text of a message item: its content parts of @part_type (or a plain
 * string content, as Chat Completions has it). */
static char *
message_text (JsonObject *item,
              const char *part_type)
{
  GString *text = g_string_new (NULL);
  JsonNode *content = json_object_get_member (item, "content");

  if (content != NULL && JSON_NODE_HOLDS_VALUE (content) &&
      json_node_get_value_type (content) == G_TYPE_STRING)
    g_string_append (text, json_node_get_string (content));
  else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);

      for (guint j = 0; j < json_array_get_length (parts); j++)
        {
          JsonNode *node = json_array_get_element (parts, j);
          JsonObject *part = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *type = spark_json_get_string (part, "type");
          const char *part_text = spark_json_get_string (part, "text");

          if (part_text != NULL && (part_type == NULL || g_strcmp0 (type, part_type) == 0))
            g_string_append (text, part_text);
        }
    }

  return g_string_free (text, FALSE);
}

static gboolean
is_user_message (JsonObject *item)
{
  return g_strcmp0 (spark_json_get_string (item, "type"), "message") == 0 &&
         g_strcmp0 (spark_json_get_string (item, "role"), "user") == 0;
}

static void
sync_history (SparkTranscript *self)
{
  guint n = spark_session_get_n_items (self->session);

  /* History only grows, except when a saved session is resumed. */
  if (n < self->history_seen)
    self->history_seen = n;

  for (guint i = self->history_seen; i < n; i++)
    {
      g_autoptr(JsonObject) item = spark_session_dup_item (self->session, i, NULL);
      g_autofree char *text = NULL;

      if (item == NULL || !is_user_message (item))
        continue;

      text = message_text (item, NULL);
      spark_transcript_append (self, SPARK_TRANSCRIPT_KIND_USER, text);
      self->response_start = self->items->len;
    }

  self->history_seen = n;
}

/* Ends the streaming of every item of @kind (or of all kinds with -1) that
 * belongs to the current response. */
static void
end_streaming (SparkTranscript *self,
               int              kind)
{
  for (guint i = self->response_start; i < self->items->len; i++)
    {
      SparkTranscriptItem *item = g_ptr_array_index (self->items, i);

      if (kind >= 0 && spark_transcript_item_get_kind (item) != (SparkTranscriptKind) kind)
        continue;
      if (kind < 0 && spark_transcript_item_get_kind (item) == SPARK_TRANSCRIPT_KIND_TOOL_CALL)
        continue;
      spark_transcript_set_streaming (self, item, FALSE);
    }
}

static void
end_response (SparkTranscript *self)
{
  end_streaming (self, -1);
  memset (self->anon, 0, sizeof self->anon);
  self->response_start = self->items->len;
}

static gboolean
in_current_response (SparkTranscript     *self,
                     SparkTranscriptItem *item)
{
  /* From the end: the item streaming is nearly always the last one. */
  for (guint i = self->items->len; i > self->response_start; i--)
    {
      if (g_ptr_array_index (self->items, i - 1) == item)
        return TRUE;
    }
  return FALSE;
}

static SparkTranscriptItem *
streaming_item (SparkTranscript     *self,
                SparkTranscriptKind  kind,
                const char          *item_id)
{
  SparkTranscriptItem *item;

  if (item_id != NULL)
    item = spark_transcript_lookup (self, kind, item_id);
  else
    item = self->anon[kind];

  /* An id an earlier response used names a new item now: servers that give
   * no ids of their own (the chat wire then makes the same ones each time)
   * and replayed streams reuse them. */
  if (item != NULL && !in_current_response (self, item))
    item = NULL;

  if (item == NULL)
    {
      item = spark_transcript_begin (self, kind, item_id);
      if (item_id == NULL)
        self->anon[kind] = item;
    }

  return item;
}

static void
on_text_delta (SparkSession    *session,
               const char      *item_id,
               const char      *delta,
               SparkTranscript *self)
{
  SparkTranscriptItem *item;

  sync_history (self);
  item = streaming_item (self, SPARK_TRANSCRIPT_KIND_ASSISTANT, item_id);
  if (G_UNLIKELY (spark_transcript_item_get_length (item) == 0))
    /* The answer has begun: the thinking is over. */
    end_streaming (self, SPARK_TRANSCRIPT_KIND_REASONING);
  spark_transcript_append_text (self, item, delta, -1);
}

static void
on_reasoning_delta (SparkSession    *session,
                    const char      *item_id,
                    const char      *delta,
                    SparkTranscript *self)
{
  SparkTranscriptItem *item;

  sync_history (self);
  item = streaming_item (self, SPARK_TRANSCRIPT_KIND_REASONING, item_id);
  spark_transcript_append_text (self, item, delta, -1);
}

static SparkTranscriptItem *
item_for_call (SparkTranscript *self,
               SparkToolCall   *call)
{
  SparkTranscriptItem *item;

  item = spark_transcript_lookup (self, SPARK_TRANSCRIPT_KIND_TOOL_CALL,
                                  spark_tool_call_get_item_id (call));
  if (item == NULL)
    item = spark_transcript_lookup_call (self, spark_tool_call_get_call_id (call));

  return item;
}

static void
on_tool_call_started (SparkSession    *session,
                      SparkToolCall   *call,
                      SparkTranscript *self)
{
  const char *name = spark_tool_call_get_name (call);

  sync_history (self);
  end_streaming (self, SPARK_TRANSCRIPT_KIND_REASONING);

  if (item_for_call (self, call) != NULL)
    return;

  if (name == NULL && spark_tool_call_is_patch (call))
    name = "apply_patch";

  spark_transcript_begin_tool_call (self,
                                    spark_tool_call_get_item_id (call),
                                    spark_tool_call_get_call_id (call),
                                    name);
}

static void
update_patch (SparkTranscript     *self,
              SparkTranscriptItem *item,
              SparkToolCall       *call)
{
  const char *patch = spark_tool_call_get_patch_text (call);
  gsize have = spark_transcript_item_get_length (item);
  gsize length = patch ? strlen (patch) : 0;
  PatchCount *count;
  g_autofree char *summary = NULL;

  /* The decoded patch only grows: append what is new. */
  if (length > have && strncmp (patch, spark_transcript_item_get_text (item), have) == 0)
    spark_transcript_append_text (self, item, patch + have, length - have);
  else if (length != have)
    {
      _spark_transcript_item_set_text (item, patch);
      g_hash_table_remove (self->patch_counts, item);
      changed (self, item);
    }

  if (!(count = g_hash_table_lookup (self->patch_counts, item)))
    {
      count = g_new0 (PatchCount, 1);
      g_hash_table_insert (self->patch_counts, item, count);
    }

  {
    PatchCount before = *count;

    count_patch (count, spark_transcript_item_get_text (item), spark_transcript_item_get_length (item));
    if (before.files == count->files && before.added == count->added &&
        before.removed == count->removed && spark_transcript_item_get_summary (item) != NULL &&
        !g_str_equal (spark_transcript_item_get_summary (item), "apply_patch"))
      return;
  }

  summary = format_patch_summary (count);
  spark_transcript_set_summary (self, item, summary);
}

static void
on_tool_call_delta (SparkSession    *session,
                    SparkToolCall   *call,
                    const char      *delta,
                    SparkTranscript *self)
{
  SparkTranscriptItem *item = item_for_call (self, call);

  if (item == NULL)
    return;

  if (spark_tool_call_is_patch (call))
    update_patch (self, item, call);
  else
    spark_transcript_append_text (self, item, delta, -1);
}

static void
on_tool_call_done (SparkSession    *session,
                   SparkToolCall   *call,
                   SparkTranscript *self)
{
  SparkTranscriptItem *item = item_for_call (self, call);
  g_autofree char *summary = NULL;

  if (item == NULL)
    return;

  if (spark_tool_call_is_patch (call))
    {
      update_patch (self, item, call);
      summary = spark_transcript_summarize_patch (spark_tool_call_get_patch_text (call));
    }
  else
    {
      const char *input = spark_tool_call_get_input (call);

      if (input != NULL && !g_str_equal (input, spark_transcript_item_get_text (item)))
        {
          _spark_transcript_item_set_text (item, input);
          changed (self, item);
        }
      summary = spark_transcript_summarize_call (spark_transcript_item_get_name (item),
                                                 input, NULL);
    }

  spark_transcript_set_summary (self, item, summary);
}

static void
on_tool_call_output (SparkSession    *session,
                     SparkToolCall   *call,
                     const char      *output,
                     gboolean         success,
                     SparkTranscript *self)
{
  SparkTranscriptItem *item = item_for_call (self, call);

  if (item == NULL)
    return;

  if (!spark_tool_call_is_patch (call))
    {
      g_autofree char *summary = NULL;

      summary = spark_transcript_summarize_call (spark_transcript_item_get_name (item),
                                                 spark_tool_call_get_input (call),
                                                 success ? output : NULL);
      spark_transcript_set_summary (self, item, summary);
    }

  g_hash_table_remove (self->patch_counts, item);
  /* A failed call says why in the person's words when it has them; the
   * output is what the model read (English). */
  if (!success && spark_tool_call_get_error_message (call) != NULL)
    output = spark_tool_call_get_error_message (call);
  spark_transcript_set_output (self, item, output, success);
  spark_transcript_set_streaming (self, item, FALSE);
}

static void
on_item_done (SparkSession    *session,
              JsonObject      *item,
              SparkTranscript *self)
{
  const char *type = spark_json_get_string (item, "type");
  const char *id = spark_json_get_string (item, "id");
  SparkTranscriptItem *found = NULL;

  if (g_strcmp0 (type, "reasoning") == 0)
    found = spark_transcript_lookup (self, SPARK_TRANSCRIPT_KIND_REASONING, id);
  else if (g_strcmp0 (type, "message") == 0)
    found = spark_transcript_lookup (self, SPARK_TRANSCRIPT_KIND_ASSISTANT, id);

  if (found != NULL && in_current_response (self, found))
    spark_transcript_set_streaming (self, found, FALSE);
}

static void
on_response_completed (SparkSession     *session,
                       const char       *response_id,
                       SparkTurnTimings *timings,
                       SparkTranscript  *self)
{
  sync_history (self);
  end_response (self);
}

static void
on_error (SparkSession    *session,
          const GError    *error,
          SparkTranscript *self)
{
  /* The session drops a failed response and regenerates it on retry, so its
   * partial items go too; whether it retries shows in ::turn-finished. */
  for (guint i = self->items->len; i > self->response_start; i--)
    {
      SparkTranscriptItem *item = g_ptr_array_index (self->items, i - 1);

      switch (spark_transcript_item_get_kind (item))
        {
        case SPARK_TRANSCRIPT_KIND_ASSISTANT:
        case SPARK_TRANSCRIPT_KIND_REASONING:
        case SPARK_TRANSCRIPT_KIND_TOOL_CALL:
          spark_transcript_remove (self, item);
          break;

        case SPARK_TRANSCRIPT_KIND_USER:
        case SPARK_TRANSCRIPT_KIND_ERROR:
        case SPARK_TRANSCRIPT_KIND_NOTICE:
        default:
          break;
        }
    }

  memset (self->anon, 0, sizeof self->anon);
}

static void
on_turn_finished (SparkSession    *session,
                  const GError    *error,
                  SparkTranscript *self)
{
  sync_history (self);

  for (guint i = 0; i < self->items->len; i++)
    {
      SparkTranscriptItem *item = g_ptr_array_index (self->items, i);

      spark_transcript_set_streaming (self, item, FALSE);
    }
  end_response (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* translators: shown in the chat when the person pressed Stop */
    spark_transcript_append (self, SPARK_TRANSCRIPT_KIND_NOTICE, _("Stopped"));
  else if (error != NULL)
    spark_transcript_append (self, SPARK_TRANSCRIPT_KIND_ERROR, error->message);

  self->response_start = self->items->len;

  /* The turn's ids (its tool calls' too) name nothing in the next turn. */
  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->by_call);
}

static char *
format_tokens (guint tokens)
{
  /* Digit grouping of the person's locale, e.g. "42,000". */
  return g_strdup_printf ("%'u", tokens);
}

/* The conversation was compacted to stay inside the model's context window:
 * say so, and by whom, the model now sees a summary or less of what it read. */
static char *
compaction_notice (SparkCompactionKind kind,
                   guint               before,
                   guint               after,
                   guint64             bytes)
{
  g_autofree char *from = format_tokens (before);
  g_autofree char *to = format_tokens (after);
  g_autofree char *size = NULL;

  if (kind == SPARK_COMPACTION_KIND_SERVER && before > 0 && after > 0)
    /* translators: token counts, e.g. "(42,000 → 9,000 tokens)" */
    return g_strdup_printf (ngettext ("The server compacted the conversation (%s → %s token)",
                                      "The server compacted the conversation (%s → %s tokens)",
                                      after),
                            from, to);
  if (kind == SPARK_COMPACTION_KIND_SERVER && before > 0)
    /* translators: %s is a token count such as "42,000" */
    return g_strdup_printf (ngettext ("The server compacted the conversation (it had reached %s token)",
                                      "The server compacted the conversation (it had reached %s tokens)",
                                      before),
                            from);
  if (kind == SPARK_COMPACTION_KIND_SERVER)
    return g_strdup (_("The server compacted the conversation"));

  if (kind == SPARK_COMPACTION_KIND_STANDALONE && before > 0 && after > 0)
    /* translators: token counts, e.g. "(42,000 → 9,000 tokens)" */
    return g_strdup_printf (ngettext ("The conversation was compacted (%s → %s token)",
                                      "The conversation was compacted (%s → %s tokens)",
                                      after),
                            from, to);
  if (kind == SPARK_COMPACTION_KIND_STANDALONE && before > 0)
    /* translators: %s is a token count such as "42,000" */
    return g_strdup_printf (ngettext ("The conversation was compacted (it had reached %s token)",
                                      "The conversation was compacted (it had reached %s tokens)",
                                      before),
                            from);
  if (kind == SPARK_COMPACTION_KIND_STANDALONE)
    return g_strdup (_("The conversation was compacted"));

  size = g_format_size (bytes);
  /* translators: %s is an amount of text such as "12.3 kB" */
  return g_strdup_printf (_("The conversation neared the model's context limit: %s of older tool output was shortened"),
                          size);
}

static void
on_context_compacted (SparkSession        *session,
                      SparkCompactionKind  kind,
                      guint                before,
                      guint                after,
                      guint64              bytes,
                      SparkTranscript     *self)
{
  g_autofree char *text = compaction_notice (kind, before, after, bytes);

  spark_transcript_append (self, SPARK_TRANSCRIPT_KIND_NOTICE, text);
}

static void
on_busy_changed (SparkSession    *session,
                 GParamSpec      *pspec,
                 SparkTranscript *self)
{
  sync_history (self);
}

void
spark_transcript_follow_session (SparkTranscript *self,
                                 SparkSession    *session)
{
  g_return_if_fail (SPARK_IS_TRANSCRIPT (self));
  g_return_if_fail (!session || SPARK_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_clear_object (&self->session);
    }

  memset (self->anon, 0, sizeof self->anon);
  self->response_start = self->items->len;

  if (session != NULL)
    {
      self->session = g_object_ref (session);
      self->history_seen = spark_session_get_n_items (session);
      g_signal_connect (session, "text-delta", G_CALLBACK (on_text_delta), self);
      g_signal_connect (session, "reasoning-delta", G_CALLBACK (on_reasoning_delta), self);
      g_signal_connect (session, "tool-call-started", G_CALLBACK (on_tool_call_started), self);
      g_signal_connect (session, "tool-call-delta", G_CALLBACK (on_tool_call_delta), self);
      g_signal_connect (session, "tool-call-done", G_CALLBACK (on_tool_call_done), self);
      g_signal_connect (session, "tool-call-output", G_CALLBACK (on_tool_call_output), self);
      g_signal_connect (session, "item-done", G_CALLBACK (on_item_done), self);
      g_signal_connect (session, "response-completed", G_CALLBACK (on_response_completed), self);
      g_signal_connect (session, "error", G_CALLBACK (on_error), self);
      g_signal_connect (session, "turn-finished", G_CALLBACK (on_turn_finished), self);
      g_signal_connect (session, "notify::busy", G_CALLBACK (on_busy_changed), self);
      g_signal_connect (session, "context-compacted", G_CALLBACK (on_context_compacted), self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

SparkSession *
spark_transcript_get_session (SparkTranscript *self)
{
  g_return_val_if_fail (SPARK_IS_TRANSCRIPT (self), NULL);
  return self->session;
}

static char *
summarize_history_call (JsonObject *item)
{
  const char *type = spark_json_get_string (item, "type");
  const char *name = spark_json_get_string (item, "name");

  if (g_strcmp0 (type, "apply_patch_call") == 0)
    return g_strdup ("apply_patch");

  if (g_strcmp0 (name, "apply_patch") == 0)
    {
      const char *input = spark_json_get_string (item, "input");
      g_autoptr(JsonObject) args = NULL;

      /* Chat Completions: {"input": "*** Begin Patch…"} as arguments. */
      if (input == NULL && spark_json_get_string (item, "arguments") != NULL &&
          (args = spark_json_parse_object (spark_json_get_string (item, "arguments"), -1, NULL)))
        input = spark_json_get_string (args, "input");

      return spark_transcript_summarize_patch (input);
    }

  return spark_transcript_summarize_call (name, spark_json_get_string (item, "arguments"), NULL);
}

void
spark_transcript_load_history (SparkTranscript *self,
                               SparkSession    *session)
{
  guint n;

  g_return_if_fail (SPARK_IS_TRANSCRIPT (self));
  g_return_if_fail (SPARK_IS_SESSION (session));

  n = spark_session_get_n_items (session);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) item = spark_session_dup_item (session, i, NULL);
      const char *type = spark_json_get_string (item, "type");
      const char *role = spark_json_get_string (item, "role");
      SparkTranscriptItem *added;
      g_autofree char *text = NULL;

      if (item == NULL)
        continue;   /* the session file changed on disk: the next turn says so */
      if (is_user_message (item))
        {
          text = message_text (item, NULL);
          spark_transcript_append (self, SPARK_TRANSCRIPT_KIND_USER, text);
        }
      else if (g_strcmp0 (type, "message") == 0 && g_strcmp0 (role, "assistant") == 0)
        {
          text = message_text (item, NULL);
          added = spark_transcript_begin (self, SPARK_TRANSCRIPT_KIND_ASSISTANT,
                                          spark_json_get_string (item, "id"));
          spark_transcript_append_text (self, added, text, -1);
          spark_transcript_set_streaming (self, added, FALSE);
        }
      else if (g_strcmp0 (type, "reasoning") == 0 && json_object_has_member (item, "summary") &&
               JSON_NODE_HOLDS_ARRAY (json_object_get_member (item, "summary")))
        {
          JsonArray *summary = json_object_get_array_member (item, "summary");
          g_autoptr(GString) joined = g_string_new (NULL);

          for (guint j = 0; j < json_array_get_length (summary); j++)
            {
              JsonNode *node = json_array_get_element (summary, j);
              const char *part = JSON_NODE_HOLDS_OBJECT (node) ?
                                 spark_json_get_string (json_node_get_object (node), "text") : NULL;

              if (part == NULL)
                continue;
              if (joined->len > 0)
                g_string_append (joined, "\n\n");
              g_string_append (joined, part);
            }

          if (joined->len == 0)
            continue;
          added = spark_transcript_begin (self, SPARK_TRANSCRIPT_KIND_REASONING,
                                          spark_json_get_string (item, "id"));
          spark_transcript_append_text (self, added, joined->str, joined->len);
          spark_transcript_set_streaming (self, added, FALSE);
        }
      else if (spark_responses_item_is_tool_call (item))
        {
          const char *name = spark_json_get_string (item, "name");
          const char *input = spark_json_get_string (item, "arguments");
          g_autofree char *summary = summarize_history_call (item);

          if (input == NULL)
            input = spark_json_get_string (item, "input");
          if (name == NULL)
            name = "apply_patch";

          added = spark_transcript_begin_tool_call (self, spark_json_get_string (item, "id"),
                                                    spark_json_get_string (item, "call_id"), name);
          if (input != NULL)
            spark_transcript_append_text (self, added, input, -1);
          spark_transcript_set_summary (self, added, summary);
          spark_transcript_set_streaming (self, added, FALSE);
        }
      else if (type != NULL && g_str_has_suffix (type, "_call_output"))
        {
          SparkTranscriptItem *call = spark_transcript_lookup_call (self, spark_json_get_string (item, "call_id"));
          const char *output = spark_json_get_string (item, "output");
          gboolean success = g_strcmp0 (spark_json_get_string (item, "status"), "failed") != 0;

          if (call == NULL)
            continue;

          if (g_strcmp0 (spark_transcript_item_get_name (call), "grep") == 0 && success)
            {
              g_autofree char *summary = spark_transcript_summarize_call ("grep",
                                                                          spark_transcript_item_get_text (call),
                                                                          output);
              spark_transcript_set_summary (self, call, summary);
            }
          spark_transcript_set_output (self, call, output, success);
        }
    }

  self->response_start = self->items->len;
}

/* GObject */

static void
spark_transcript_dispose (GObject *object)
{
  SparkTranscript *self = (SparkTranscript *) object;

  spark_transcript_follow_session (self, NULL);

  G_OBJECT_CLASS (spark_transcript_parent_class)->dispose (object);
}

static void
spark_transcript_finalize (GObject *object)
{
  SparkTranscript *self = (SparkTranscript *) object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->by_call, g_hash_table_unref);
  g_clear_pointer (&self->patch_counts, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_transcript_parent_class)->finalize (object);
}

static void
spark_transcript_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SparkTranscript *self = SPARK_TRANSCRIPT (object);

  switch (prop_id)
    {
    case PROP_N_DELTAS:
      g_value_set_uint (value, self->n_deltas);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_transcript_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SparkTranscript *self = SPARK_TRANSCRIPT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      spark_transcript_follow_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_transcript_class_init (SparkTranscriptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spark_transcript_dispose;
  object_class->finalize = spark_transcript_finalize;
  object_class->get_property = spark_transcript_get_property;
  object_class->set_property = spark_transcript_set_property;

  properties[PROP_N_DELTAS] =
    g_param_spec_uint ("n-deltas", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SPARK_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ITEM_CHANGED] =
    g_signal_new ("item-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPARK_TYPE_TRANSCRIPT_ITEM);
}

static void
spark_transcript_init (SparkTranscript *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->by_call = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->patch_counts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}
