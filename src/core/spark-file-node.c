/* spark-file-node.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-file-node"

#include "config.h"

#include <string.h>

#include "spark-file-node.h"

/* One entry of a folder listing. Folders can hold 100,000 entries, so a node
 * keeps only its name and shares its parent's GFile and relative path with
 * its siblings; the full GFile is made on demand. */
struct _SparkFileNode
{
  GObject         parent_instance;

  GFile          *parent;
  char           *parent_relpath;   /* GRefString, "" for the root */
  char           *name;
  char           *collate_key;
  SparkGitStatus  git_status : 8;
  guint           is_directory : 1;
  guint           is_deleted : 1;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_IS_DIRECTORY,
  PROP_IS_DELETED,
  PROP_GIT_STATUS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SparkFileNode, spark_file_node, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
spark_file_node_finalize (GObject *object)
{
  SparkFileNode *self = (SparkFileNode *)object;

  g_clear_object (&self->parent);
  g_clear_pointer (&self->parent_relpath, g_ref_string_release);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->collate_key, g_free);

  G_OBJECT_CLASS (spark_file_node_parent_class)->finalize (object);
}

static void
spark_file_node_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SparkFileNode *self = SPARK_FILE_NODE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_IS_DIRECTORY:
      g_value_set_boolean (value, self->is_directory);
      break;

    case PROP_IS_DELETED:
      g_value_set_boolean (value, self->is_deleted);
      break;

    case PROP_GIT_STATUS:
      g_value_set_uint (value, self->git_status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_file_node_class_init (SparkFileNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_file_node_finalize;
  object_class->get_property = spark_file_node_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_DIRECTORY] =
    g_param_spec_boolean ("is-directory", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_DELETED] =
    g_param_spec_boolean ("is-deleted", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GIT_STATUS] =
    g_param_spec_uint ("git-status", NULL, NULL,
                       SPARK_GIT_STATUS_NONE, SPARK_GIT_STATUS_CONFLICTED, SPARK_GIT_STATUS_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spark_file_node_init (SparkFileNode *self)
{
}

/* The order file managers use: case-insensitive, numbers by value
 * ("file2" before "file10"). Listing a 100,000-entry folder makes a key per
 * entry, and GLib's locale-aware key costs microseconds, so plain ASCII
 * names (nearly all names in a source tree) get a cheap key of the same
 * order: lowercase letters, and each run of digits as its length (as a
 * byte from '1') then the digits without leading zeros. Other names use GLib's
 * key; both kinds compare with strcmp(). */
static char *
make_sort_key (const char *name)
{
  gsize length = strlen (name);
  char *key;
  char *out;

  for (const char *p = name; *p; p++)
    {
      if ((guchar) *p >= 0x80)
        {
          g_autofree char *folded = g_utf8_casefold (name, -1);

          return g_utf8_collate_key_for_filename (folded, -1);
        }
    }

  /* At most one length byte per digit: exactly sized once written, as a
   * 100,000-entry folder keeps 100,000 keys (a GString would keep 128
   * bytes for each). */
  key = out = g_malloc (2 * length + 1);

  for (const char *p = name; *p; )
    {
      if (g_ascii_isdigit (*p))
        {
          const char *start;

          while (*p == '0' && g_ascii_isdigit (p[1]))
            p++;
          start = p;
          while (g_ascii_isdigit (*p))
            p++;
          /* Longer numbers are larger: '0' + length keeps digit runs
           * before letters, as digits are. */
          *out++ = (char) ('0' + MIN (p - start, 40));
          memcpy (out, start, p - start);
          out += p - start;
        }
      else
        {
          *out++ = g_ascii_tolower (*p);
          p++;
        }
    }
  *out = '\0';

  return g_realloc (key, out - key + 1);
}

/**
 * spark_file_node_new:
 * @parent: the folder holding the entry
 * @parent_relpath: a #GRefString with the folder's path relative to the
 *   project root ("" for the root); the node takes a new reference
 *
 * Safe to call from a worker thread.
 */
SparkFileNode *
spark_file_node_new (GFile      *parent,
                     const char *parent_relpath,
                     const char *name,
                     gboolean    is_directory,
                     gboolean    is_deleted)
{
  SparkFileNode *self;

  g_return_val_if_fail (G_IS_FILE (parent), NULL);
  g_return_val_if_fail (parent_relpath != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (SPARK_TYPE_FILE_NODE, NULL);
  self->parent = g_object_ref (parent);
  self->parent_relpath = g_ref_string_acquire ((char *) parent_relpath);
  self->name = g_strdup (name);
  self->collate_key = make_sort_key (name);
  self->is_directory = !!is_directory;
  self->is_deleted = !!is_deleted;

  return self;
}

const char *
spark_file_node_get_name (SparkFileNode *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_NODE (self), NULL);

  return self->name;
}

char *
spark_file_node_dup_relpath (SparkFileNode *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_NODE (self), NULL);

  if (self->parent_relpath[0] == '\0')
    return g_strdup (self->name);

  return g_strconcat (self->parent_relpath, "/", self->name, NULL);
}

GFile *
spark_file_node_dup_file (SparkFileNode *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_NODE (self), NULL);

  return g_file_get_child (self->parent, self->name);
}

gboolean
spark_file_node_get_is_directory (SparkFileNode *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_NODE (self), FALSE);

  return self->is_directory;
}

gboolean
spark_file_node_get_is_deleted (SparkFileNode *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_NODE (self), FALSE);

  return self->is_deleted;
}

SparkGitStatus
spark_file_node_get_git_status (SparkFileNode *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_NODE (self), SPARK_GIT_STATUS_NONE);

  return self->git_status;
}

void
spark_file_node_set_git_status (SparkFileNode  *self,
                                SparkGitStatus  status)
{
  g_return_if_fail (SPARK_IS_FILE_NODE (self));

  if (self->git_status == status)
    return;

  self->git_status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GIT_STATUS]);
}

/**
 * spark_file_node_compare:
 *
 * Folders first, then names in the natural order people expect
 * ("file2" before "file10"), as file managers sort.
 */
int
spark_file_node_compare (SparkFileNode *a,
                         SparkFileNode *b)
{
  int ret;

  if (a->is_directory != b->is_directory)
    return a->is_directory ? -1 : 1;

  ret = strcmp (a->collate_key, b->collate_key);
  if (ret != 0)
    return ret;

  return strcmp (a->name, b->name);
}

/* Whether two nodes from two listings stand for the same entry. */
gboolean
spark_file_node_same_entry (SparkFileNode *a,
                            SparkFileNode *b)
{
  return a->is_directory == b->is_directory &&
         a->is_deleted == b->is_deleted &&
         strcmp (a->name, b->name) == 0;
}
