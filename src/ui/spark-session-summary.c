/* spark-session-summary.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-session-summary"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "spark-responses.h"
#include "spark-session.h"
#include "spark-session-summary.h"

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static void
add_file (GPtrArray  *files,
          const char *path,
          gsize       length)
{
  g_autofree char *copy = g_strstrip (g_strndup (path, length));

  if (copy[0] == '\0')
    return;

  for (guint i = 0; i < files->len; i++)
    {
      if (strcmp (g_ptr_array_index (files, i), copy) == 0)
        return;
    }
  g_ptr_array_add (files, g_steal_pointer (&copy));
}

/* The paths of an apply_patch envelope ("*** Update File: x" ...). */
static void
add_patch_files (GPtrArray  *files,
                 const char *patch)
{
  static const char * const headers[] = {
    "*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: ",
  };
  const char *line = patch;

  while (line != NULL && *line != '\0')
    {
      const char *end = strchr (line, '\n');
      gsize length = end ? (gsize) (end - line) : strlen (line);

      for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
        {
          gsize hlen = strlen (headers[i]);

          if (length > hlen && strncmp (line, headers[i], hlen) == 0)
            {
              add_file (files, line + hlen, length - hlen);
              break;
            }
        }

      line = end ? end + 1 : NULL;
    }
}

static void
add_item_files (GPtrArray  *files,
                JsonObject *item)
{
  const char *type = get_string (item, "type");

  if (g_strcmp0 (type, "custom_tool_call") == 0 &&
      g_strcmp0 (get_string (item, "name"), "apply_patch") == 0)
    {
      add_patch_files (files, get_string (item, "input"));
    }
  else if (g_strcmp0 (type, "function_call") == 0 &&
           g_strcmp0 (get_string (item, "name"), "apply_patch") == 0)
    {
      const char *arguments = get_string (item, "arguments");
      g_autoptr(JsonObject) args = NULL;

      /* The model wrote these: parsed with the depth check. */
      if (arguments != NULL && (args = spark_json_parse_object (arguments, -1, NULL)))
        add_patch_files (files, get_string (args, "input"));
    }
  else if (g_strcmp0 (type, "apply_patch_call") == 0)
    {
      JsonNode *node = json_object_get_member (item, "operation");
      const char *path;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
          (path = get_string (json_node_get_object (node), "path")) != NULL)
        add_file (files, path, strlen (path));
    }
}

/* The first line of a user message's text. */
static char *
dup_user_title (JsonObject *item)
{
  JsonNode *content = json_object_get_member (item, "content");
  const char *text = NULL;
  g_autofree char *line = NULL;
  const char *end;

  if (content == NULL)
    return NULL;

  if (json_node_get_value_type (content) == G_TYPE_STRING)
    text = json_node_get_string (content);
  else if (JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);

      for (guint i = 0; text == NULL && i < json_array_get_length (parts); i++)
        {
          JsonNode *part = json_array_get_element (parts, i);

          if (JSON_NODE_HOLDS_OBJECT (part) &&
              g_strcmp0 (get_string (json_node_get_object (part), "type"), "input_text") == 0)
            text = get_string (json_node_get_object (part), "text");
        }
    }

  if (text == NULL)
    return NULL;

  while (*text == '\n' || *text == '\r' || *text == ' ' || *text == '\t')
    text++;
  end = strpbrk (text, "\r\n");
  line = g_strstrip (end ? g_strndup (text, end - text) : g_strdup (text));
  if (line[0] == '\0' || !g_utf8_validate (line, -1, NULL))
    return NULL;

  return g_steal_pointer (&line);
}

SparkSessionSummary *
spark_session_summary_parse (const char *id,
                             const char *contents,
                             gsize       length)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  SparkSessionSummary *summary;
  const char *line = contents;
  const char *stop = contents + length;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (contents != NULL || length == 0, NULL);

  summary = g_new0 (SparkSessionSummary, 1);
  summary->id = g_strdup (id);

  while (line != NULL && line < stop)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      const char *end = memchr (line, '\n', stop - line);
      gsize line_length = end ? (gsize) (end - line) : (gsize) (stop - line);
      JsonObject *object;
      JsonNode *root;
      JsonNode *node;

      if (line_length > 0 &&
          json_parser_load_from_data (parser, line, line_length, NULL) &&
          (root = json_parser_get_root (parser)) != NULL &&
          JSON_NODE_HOLDS_OBJECT (root))
        {
          object = json_node_get_object (root);
          if ((node = json_object_get_member (object, "time")) != NULL &&
              JSON_NODE_HOLDS_VALUE (node))
            summary->time = MAX (summary->time, json_node_get_int (node));

          if (g_strcmp0 (get_string (object, "type"), "item") == 0 &&
              (node = json_object_get_member (object, "item")) != NULL &&
              JSON_NODE_HOLDS_OBJECT (node))
            {
              JsonObject *item = json_node_get_object (node);

              if (summary->title == NULL &&
                  g_strcmp0 (get_string (item, "type"), "message") == 0 &&
                  g_strcmp0 (get_string (item, "role"), "user") == 0)
                summary->title = dup_user_title (item);

              add_item_files (files, item);
            }
        }

      line = end ? end + 1 : NULL;
    }

  g_ptr_array_add (files, NULL);
  summary->files = (GStrv) g_ptr_array_free (g_steal_pointer (&files), FALSE);

  return summary;
}

SparkSessionSummary *
spark_session_summary_load (const char  *path,
                            GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  SparkSessionSummary *summary;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  basename = g_path_get_basename (path);
  if (g_str_has_suffix (basename, ".jsonl"))
    basename[strlen (basename) - strlen (".jsonl")] = '\0';

  summary = spark_session_summary_parse (basename, contents, length);

  /* Sessions written before lines carried a time: the file's. */
  if (summary->time == 0)
    {
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        summary->time = st.st_mtime;
    }

  return summary;
}

void
spark_session_summary_free (SparkSessionSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->id);
  g_free (summary->title);
  g_strfreev (summary->files);
  g_free (summary);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const SparkSessionSummary *sa = *(SparkSessionSummary * const *) a;
  const SparkSessionSummary *sb = *(SparkSessionSummary * const *) b;

  if (sa->time != sb->time)
    return sa->time < sb->time ? 1 : -1;

  /* Ids start with a UTC timestamp. */
  return -g_strcmp0 (sa->id, sb->id);
}

GPtrArray *
spark_session_summary_list (const char *store_dir,
                            const char *root)
{
  g_autoptr(GPtrArray) summaries = NULL;
  g_auto(GStrv) ids = NULL;
  g_autofree char *real = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (store_dir != NULL, NULL);
  g_return_val_if_fail (root != NULL, NULL);

  summaries = g_ptr_array_new_with_free_func ((GDestroyNotify) spark_session_summary_free);

  /* The folder is named the way spark_session_list_saved() finds it. */
  ids = spark_session_list_saved (store_dir, root);
  real = realpath (root, NULL);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, real ? real : root, -1);

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      g_autofree char *name = g_strconcat (ids[i], ".jsonl", NULL);
      g_autofree char *path = g_build_filename (store_dir, hash, name, NULL);
      g_autoptr(GError) error = NULL;
      SparkSessionSummary *summary;

      if ((summary = spark_session_summary_load (path, &error)) != NULL)
        g_ptr_array_add (summaries, summary);
      else
        g_debug ("Skipping %s: %s", path, error->message);
    }

  g_ptr_array_sort (summaries, compare_newest_first);

  return g_steal_pointer (&summaries);
}

char *
spark_session_summary_format_time (gint64     time,
                                   GDateTime *now)
{
  g_autoptr(GDateTime) then = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) yesterday = NULL;
  gint64 seconds;

  g_return_val_if_fail (now != NULL, NULL);

  local_now = g_date_time_to_local (now);
  then = g_date_time_new_from_unix_local (time);
  if (then == NULL || local_now == NULL)
    return g_strdup ("");

  seconds = g_date_time_to_unix (local_now) - time;
  today = g_date_time_new_local (g_date_time_get_year (local_now),
                                 g_date_time_get_month (local_now),
                                 g_date_time_get_day_of_month (local_now), 0, 0, 0);
  yesterday = g_date_time_add_days (today, -1);

  if (seconds < 60)
    /* translators: when a saved session was last used */
    return g_strdup (_("Just now"));

  if (seconds < 3600)
    {
      int minutes = (int) (seconds / 60);

      /* translators: when a saved session was last used */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago",
                                           minutes), minutes);
    }

  if (g_date_time_compare (then, today) >= 0)
    {
      int hours = (int) (seconds / 3600);

      /* translators: when a saved session was last used */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago",
                                           hours), hours);
    }

  if (g_date_time_compare (then, yesterday) >= 0)
    /* translators: when a saved session was last used */
    return g_strdup (_("Yesterday"));

  if (g_date_time_get_year (then) == g_date_time_get_year (local_now))
    /* translators: a date in the current year, see strftime(3) and g_date_time_format() */
    return g_date_time_format (then, _("%b %-d"));

  /* translators: a date in another year, see strftime(3) and g_date_time_format() */
  return g_date_time_format (then, _("%b %-d, %Y"));
}
