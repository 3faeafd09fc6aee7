/* spark-history.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-history"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-agent-types.h"
#include "spark-history.h"
#include "spark-responses.h"

/* A session's items are needed again only for a full resend (a new socket,
 * previous_response_not_found, a resumed session), for compaction and for
 * showing a resumed conversation: rare. So an item is not kept in memory
 * once it is written to the session file, one JSON line a message,
 *
 *   {"type":"item","item":{…},"time":…}
 *
 * only where that line is (offset, length, checksum) and the few facts
 * compaction asks for. It is read back and parsed when needed; the line's
 * checksum says whether it is still what was written. The file stays open:
 * deleting or replacing it does not lose the conversation, whose lines are
 * then read back into memory before a new file is started.
 *
 * Without a file (no store folder, or it cannot be written), an item is
 * kept as its compact JSON text, a few times smaller than the parsed tree.
 * Items keep their tree from append() to release() (the session calls it
 * when a response completes), as the next request sends the new ones.
 */

typedef struct
{
  JsonObject *tree;           /* until released, or always when pinned */
  char       *json;           /* the item's text, when not in the file */
  guint64     offset;         /* of its line, when in the file */
  guint32     length;         /* of its line, without the newline */
  guint32     checksum;
  guint32     output_length;
  guint8      flags;          /* SparkHistoryFlags */
  guint8      in_file : 1;
  guint8      lost : 1;       /* its file went away before it could be read back */
  guint8      pinned : 1;     /* its text does not read back as the same item */
} Entry;

struct _SparkHistory
{
  GArray *entries;            /* Entry */
  guint   n_released;         /* entries before this one hold no tree */
  char   *path;
  char   *private_dir;
  int     fd;                 /* -1 when not open */
  dev_t   dev;
  ino_t   ino;
};

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  g_clear_pointer (&entry->tree, json_object_unref);
  g_clear_pointer (&entry->json, g_free);
}

/* Whether a line is still what was written (never stored: any function
 * of the bytes will do). Eight bytes at a time. */
static guint32
checksum (const char *text,
          gsize       length)
{
  guint64 hash = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ length;
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, 8);
      hash = (hash ^ word) * G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
      hash ^= hash >> 32;
    }
  for (; i < length; i++)
    hash = (hash ^ (guchar) text[i]) * G_GUINT64_CONSTANT (0x100000001b3);

  return (guint32) (hash ^ (hash >> 32));
}

static SparkHistoryFlags
classify (JsonObject *item,
          guint32    *output_length)
{
  const char *type = spark_json_get_string (item, "type");
  const char *output = spark_json_get_string (item, "output");
  SparkHistoryFlags flags = 0;

  *output_length = 0;
  if (g_strcmp0 (spark_json_get_string (item, "role"), "user") == 0)
    flags |= SPARK_HISTORY_USER;
  if (g_strcmp0 (type, "compaction") == 0)
    flags |= SPARK_HISTORY_COMPACTION;
  /* With store:false the server cannot find reasoning by id alone. */
  if (g_strcmp0 (type, "reasoning") == 0 &&
      spark_json_get_string (item, "encrypted_content") == NULL)
    flags |= SPARK_HISTORY_UNSENDABLE;
  if (type != NULL && output != NULL && g_str_has_suffix (type, "_output"))
    {
      flags |= SPARK_HISTORY_TOOL_OUTPUT;
      *output_length = (guint32) MIN (strlen (output), G_MAXUINT32);
    }

  return flags;
}

static JsonObject *
parse_object (const char  *text,
              gsize        length,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, length, error))
    return NULL;
  if ((root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           _("An item of the conversation is not a JSON object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
read_entry (SparkHistory  *self,
            guint          index,
            GError       **error)
{
  Entry *entry = &g_array_index (self->entries, Entry, index);
  g_autofree char *line = NULL;
  g_autoptr(JsonObject) object = NULL;
  JsonObject *item;
  gsize done = 0;

  if (self->fd >= 0)
    {
      line = g_malloc (entry->length + 1);
      while (done < entry->length)
        {
          gssize n = pread (self->fd, line + done, entry->length - done, entry->offset + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          done += n;
        }
    }

  if (!entry->in_file || line == NULL || done != entry->length ||
      checksum (line, done) != entry->checksum ||
      !(object = parse_object (line, done, NULL)) ||
      g_strcmp0 (spark_json_get_string (object, "type"), "item") != 0 ||
      !(item = spark_json_get_object (object, "item")))
    {
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED,
                   /* translators: %1$s is a file, %2$u counts from 1 */
                   _("The session file %1$s changed on disk: item %2$u of the conversation "
                     "cannot be read back"), self->path ? self->path : "", index + 1);
      return NULL;
    }

  return json_object_ref (item);
}

/* The file is going away: its items move into memory, as text. */
static void
detach_file (SparkHistory *self)
{
  if (self->fd < 0)
    return;

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);
      g_autoptr(JsonObject) item = NULL;

      if (!entry->in_file)
        continue;
      /* One that cannot be read is lost: reading it fails from now on. */
      if ((item = read_entry (self, i, NULL)) != NULL)
        entry->json = spark_responses_to_string (item);
      else
        entry->lost = TRUE;
      entry->in_file = FALSE;
    }

  close (self->fd);
  self->fd = -1;
}

static gboolean
make_private (const char *dir,
              const char *private_dir)
{
  /* The conversation holds the person's code and prompts: only they may
   * read it, whatever the umask, and also when the folders existed. */
  return g_mkdir_with_parents (dir, 0700) == 0 && g_chmod (dir, 0700) == 0 &&
         (private_dir == NULL || g_chmod (private_dir, 0700) == 0);
}

static gboolean
open_file (SparkHistory *self)
{
  g_autofree char *dir = NULL;
  struct stat st;
  int fd;

  if (self->fd >= 0)
    {
      /* Deleted or replaced meanwhile: a new file, as if it had been new. */
      if (g_stat (self->path, &st) == 0 && st.st_dev == self->dev && st.st_ino == self->ino)
        return TRUE;
      g_debug ("%s was replaced or deleted: starting it again", self->path);
      detach_file (self);
    }

  if (self->path == NULL)
    return FALSE;

  dir = g_path_get_dirname (self->path);
  if (!make_private (dir, self->private_dir))
    return FALSE;

  fd = g_open (self->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return FALSE;
  if (fchmod (fd, 0600) != 0 || fstat (fd, &st) != 0)
    {
      close (fd);
      return FALSE;
    }

  self->fd = fd;
  self->dev = st.st_dev;
  self->ino = st.st_ino;
  return TRUE;
}

/* Appends @text (a whole line, with its newline) in one write; returns
 * where it starts, or -1. */
static gint64
write_line (SparkHistory *self,
            const char   *text,
            gsize         length)
{
  gssize written;
  off_t end;

  if (!open_file (self))
    return -1;

  do
    written = write (self->fd, text, length);
  while (written < 0 && errno == EINTR);

  if (written != (gssize) length || (end = lseek (self->fd, 0, SEEK_CUR)) < (off_t) length)
    {
      g_debug ("Could not write to %s: %s", self->path,
               written < 0 ? g_strerror (errno) : "short write");
      return -1;
    }

  return end - length;
}

SparkHistory *
spark_history_new (void)
{
  SparkHistory *self = g_new0 (SparkHistory, 1);

  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);
  self->fd = -1;

  return self;
}

void
spark_history_free (SparkHistory *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    close (self->fd);
  g_array_unref (self->entries);
  g_free (self->path);
  g_free (self->private_dir);
  g_free (self);
}

void
spark_history_set_file (SparkHistory *self,
                        const char   *path,
                        const char   *private_dir)
{
  g_return_if_fail (self != NULL);

  g_free (self->private_dir);
  self->private_dir = g_strdup (private_dir);
  if (g_strcmp0 (path, self->path) == 0)
    return;

  detach_file (self);
  g_free (self->path);
  self->path = g_strdup (path);
}

const char *
spark_history_get_file (SparkHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

guint
spark_history_get_length (SparkHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->entries->len;
}

SparkHistoryFlags
spark_history_get_flags (SparkHistory *self,
                         guint         index)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->entries->len, 0);

  return g_array_index (self->entries, Entry, index).flags;
}

gsize
spark_history_get_output_length (SparkHistory *self,
                                 guint         index)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->entries->len, 0);

  return g_array_index (self->entries, Entry, index).output_length;
}

void
spark_history_write_line (SparkHistory *self,
                          JsonObject   *line)
{
  g_autofree char *text = NULL;
  g_autofree char *with_newline = NULL;

  g_return_if_fail (self != NULL);

  if (self->path == NULL)
    return;

  json_object_set_int_member (line, "time", g_get_real_time () / G_USEC_PER_SEC);
  text = spark_responses_to_string (line);
  with_newline = g_strconcat (text, "\n", NULL);
  write_line (self, with_newline, strlen (with_newline));
}

/* Fills @entry for @item: its text in memory, or its line in the file. */
static void
store (SparkHistory *self,
       Entry        *entry,
       JsonObject   *item,
       gboolean      to_file)
{
  g_autofree char *text = spark_responses_to_string (item);
  guint32 output_length;

  entry->flags = classify (item, &output_length);
  entry->output_length = output_length;
  /* Text that is not UTF-8 would not parse back: keep the item itself. */
  entry->pinned = !g_utf8_validate (text, -1, NULL);
  if (entry->pinned)
    entry->tree = json_object_ref (item);

  if (to_file && self->path != NULL)
    {
      /* What json-glib makes of {"type", "item", "time"}, without building it. */
      g_autofree char *line = g_strdup_printf ("{\"type\":\"item\",\"item\":%s,"
                                               "\"time\":%" G_GINT64_FORMAT "}\n",
                                               text, g_get_real_time () / G_USEC_PER_SEC);
      gsize length = strlen (line);
      gint64 offset = length - 1 <= G_MAXUINT32 ? write_line (self, line, length) : -1;

      if (offset >= 0)
        {
          entry->in_file = TRUE;
          entry->offset = offset;
          entry->length = length - 1;
          entry->checksum = checksum (line, length - 1);
          return;
        }
    }

  entry->json = g_steal_pointer (&text);
}

void
spark_history_append (SparkHistory *self,
                      JsonObject   *item)
{
  Entry entry = { 0 };

  g_return_if_fail (self != NULL);
  g_return_if_fail (item != NULL);

  store (self, &entry, item, TRUE);
  if (entry.tree == NULL)
    entry.tree = json_object_ref (item);
  g_array_append_val (self->entries, entry);
}

void
spark_history_replace (SparkHistory *self,
                       guint         index,
                       JsonObject   *item)
{
  Entry *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->entries->len);

  entry = &g_array_index (self->entries, Entry, index);
  entry_clear (entry);
  memset (entry, 0, sizeof *entry);
  store (self, entry, item, FALSE);
}

JsonObject *
spark_history_dup_item (SparkHistory  *self,
                        guint          index,
                        GError       **error)
{
  Entry *entry;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  entry = &g_array_index (self->entries, Entry, index);
  if (entry->tree != NULL)
    return json_object_ref (entry->tree);
  if (entry->json != NULL)
    return parse_object (entry->json, strlen (entry->json), error);

  return read_entry (self, index, error);
}

void
spark_history_release (SparkHistory *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = self->n_released; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);

      if (!entry->pinned)
        g_clear_pointer (&entry->tree, json_object_unref);
    }
  self->n_released = self->entries->len;
}

gboolean
spark_history_load (SparkHistory          *self,
                    const char            *path,
                    const char            *private_dir,
                    SparkHistoryLineFunc   func,
                    gpointer               user_data,
                    GError               **error)
{
  g_autoptr(GArray) entries = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize offset = 0;
  guint number = 0;
  struct stat st;
  int fd;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* Items stay where they are if the file can be appended to. */
  fd = g_open (path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd >= 0 && fstat (fd, &st) != 0)
    {
      close (fd);
      fd = -1;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    {
      if (fd >= 0)
        close (fd);
      return FALSE;
    }

  entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (entries, entry_clear);
  while (offset < length)
    {
      const char *start = contents + offset;
      const char *nl = memchr (start, '\n', length - offset);
      gsize size = nl ? (gsize) (nl - start) : length - offset;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *line;
      JsonObject *item;
      JsonNode *root;

      number++;
      offset += size + 1;
      if (size == 0)
        continue;

      if (!json_parser_load_from_data (parser, start, size, NULL) ||
          !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED,
                       /* translators: %1$s is a session file, %2$u a line number */
                       _("%1$s: line %2$u is not JSON"), path, number);
          goto failed;
        }

      line = json_node_get_object (root);
      if (g_strcmp0 (spark_json_get_string (line, "type"), "item") == 0 &&
          (item = spark_json_get_object (line, "item")) != NULL)
        {
          Entry entry = { 0 };
          guint32 output_length;

          entry.flags = classify (item, &output_length);
          entry.output_length = output_length;
          if (fd >= 0 && size <= G_MAXUINT32)
            {
              entry.in_file = TRUE;
              entry.offset = start - contents;
              entry.length = size;
              entry.checksum = checksum (start, size);
            }
          else
            entry.json = spark_responses_to_string (item);
          g_array_append_val (entries, entry);
        }
      else if (func != NULL && !func (line, number, entries->len, user_data, error))
        goto failed;
    }

  if (self->fd >= 0)
    close (self->fd);
  self->fd = fd;
  if (fd >= 0)
    {
      self->dev = st.st_dev;
      self->ino = st.st_ino;
    }
  g_free (self->path);
  self->path = g_strdup (path);
  g_free (self->private_dir);
  self->private_dir = g_strdup (private_dir);
  g_array_unref (self->entries);
  self->entries = g_steal_pointer (&entries);
  self->n_released = self->entries->len;

  return TRUE;

failed:
  if (fd >= 0)
    close (fd);
  return FALSE;
}
