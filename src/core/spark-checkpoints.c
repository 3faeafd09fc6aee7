/* spark-checkpoints.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-checkpoints"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/repository.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "spark-audience.h"
#include "spark-checkpoints.h"
#include "spark-file-util.h"
#include "spark-libgit2.h"

#define REF_PREFIX "refs/spark/checkpoints/"

#define MODE_LINK 0120000
#define MODE_FILE 0100644
#define MODE_EXEC 0100755

struct _SparkCheckpoints
{
  GObject          parent_instance;

  SparkWorkspace  *workspace;
  git_repository  *repo;
  char            *workdir;   /* canonical, no trailing slash */
  char            *prefix;    /* root relative to workdir, "" or "dir/" */
  char            *store;     /* non-git store folder */
};

G_DEFINE_FINAL_TYPE (SparkCheckpoints, spark_checkpoints, G_TYPE_OBJECT)

G_DEFINE_QUARK (spark-checkpoint-error-quark, spark_checkpoint_error)

/* One file of a snapshot. */
typedef struct
{
  guint32  mode;   /* git-style: 0100644, 0100755, 0120000 (non-git: S_IFREG | perms) */
  char    *id;     /* hex object id (git) or SHA-256 (private store) */
  char    *loc;    /* private store: "<pack> <offset> <length>" */
} Entry;

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->id);
  g_free (e->loc);
  g_free (e);
}

static GHashTable *
snapshot_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
}

static void
snapshot_add (GHashTable *snap,
              const char *path,
              guint32     mode,
              const char *id,
              const char *loc)
{
  Entry *e = g_new0 (Entry, 1);

  e->mode = mode;
  e->id = g_strdup (id);
  e->loc = g_strdup (loc);
  g_hash_table_replace (snap, g_strdup (path), e);
}

void
spark_checkpoint_free (SparkCheckpoint *checkpoint)
{
  if (checkpoint == NULL)
    return;
  g_free (checkpoint->id);
  g_free (checkpoint->summary);
  g_free (checkpoint->commit);
  g_free (checkpoint);
}

static void
spark_checkpoints_finalize (GObject *object)
{
  SparkCheckpoints *self = (SparkCheckpoints *)object;

  g_clear_pointer (&self->repo, git_repository_free);
  g_clear_object (&self->workspace);
  g_clear_pointer (&self->workdir, g_free);
  g_clear_pointer (&self->prefix, g_free);
  g_clear_pointer (&self->store, g_free);

  G_OBJECT_CLASS (spark_checkpoints_parent_class)->finalize (object);

  git_libgit2_shutdown ();
}

static void
spark_checkpoints_class_init (SparkCheckpointsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spark_checkpoints_finalize;
}

static void
spark_checkpoints_init (SparkCheckpoints *self)
{
  git_libgit2_init ();
  /* The checkpoint must be on disk before the first file is replaced: a
   * power cut after the rename must find the objects and ref it names. */
  git_libgit2_opts (GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
}

SparkCheckpoints *
spark_checkpoints_new (SparkWorkspace  *workspace,
                       GError         **error)
{
  g_autoptr(SparkCheckpoints) self = NULL;
  const char *root;
  int rc;

  g_return_val_if_fail (SPARK_IS_WORKSPACE (workspace), NULL);

  self = g_object_new (SPARK_TYPE_CHECKPOINTS, NULL);
  self->workspace = g_object_ref (workspace);
  root = spark_workspace_get_root (workspace);

  rc = git_repository_open_ext (&self->repo, root, 0, NULL);
  if (rc == 0 && git_repository_workdir (self->repo) != NULL)
    {
      char *real = realpath (git_repository_workdir (self->repo), NULL);
      gsize len;

      if (real == NULL)
        {
          g_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                       _("Cannot open the git work tree: %s"), spark_audience_strerror (errno));
          return NULL;
        }
      self->workdir = g_strdup (real);
      free (real);

      len = strlen (self->workdir);
      if (strcmp (root, self->workdir) == 0)
        self->prefix = g_strdup ("");
      else if (strncmp (root, self->workdir, len) == 0 && root[len] == '/')
        self->prefix = g_strdup_printf ("%s/", root + len + 1);
      else
        self->prefix = g_strdup ("");
    }
  else
    {
      g_clear_pointer (&self->repo, git_repository_free);
      self->workdir = g_strdup (root);
      self->prefix = g_strdup ("");
      self->store = g_strdup (spark_workspace_get_store_dir (workspace));
    }

  return g_steal_pointer (&self);
}

gboolean
spark_checkpoints_is_git (SparkCheckpoints *self)
{
  g_return_val_if_fail (SPARK_IS_CHECKPOINTS (self), FALSE);
  return self->repo != NULL;
}

/* ---- git backend ----------------------------------------------------- */

static gboolean
git_build_tree (SparkCheckpoints  *self,
                git_oid           *tree_oid,
                GError           **error)
{
  git_index *real = NULL;
  git_index *tmp = NULL;
  gboolean ok = FALSE;
  size_t n;

  if (git_repository_index (&real, self->repo) != 0)
    return spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                                    _("Cannot read the git index: %s"), spark_libgit2_detail ());

  /* Work on a private, in-memory copy of the index: the repository's own
   * index (and its file) are never changed. */
  if (git_index_new (&tmp) != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot create an index: %s"), spark_libgit2_detail ());
      goto out;
    }

  n = git_index_entrycount (real);
  for (size_t i = 0; i < n; i++)
    {
      const git_index_entry *entry = git_index_get_byindex (real, i);

      if (git_index_entry_stage (entry) != 0)
        continue;
      if (git_index_add (tmp, entry) != 0)
        {
          spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                                   _("Cannot copy the git index: %s"), spark_libgit2_detail ());
          goto out;
        }
    }

  if (git_repository_set_index (self->repo, tmp) != 0 ||
      git_index_add_all (tmp, NULL, GIT_INDEX_ADD_DEFAULT, NULL, NULL) != 0 ||
      git_index_update_all (tmp, NULL, NULL, NULL) != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot read the working tree: %s"), spark_libgit2_detail ());
      goto out;
    }

  if (git_index_write_tree_to (tree_oid, tmp, self->repo) != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot write the checkpoint tree: %s"), spark_libgit2_detail ());
      goto out;
    }

  ok = TRUE;

out:
  /* Hand the repository its own index back, untouched. */
  if (real != NULL)
    git_repository_set_index (self->repo, real);
  git_index_free (tmp);
  git_index_free (real);

  return ok;
}

static guint
git_next_number (SparkCheckpoints *self)
{
  git_reference_iterator *iter = NULL;
  const char *name;
  guint max = 0;

  if (git_reference_iterator_glob_new (&iter, self->repo, REF_PREFIX "*") != 0)
    return 1;

  while (git_reference_next_name (&name, iter) == 0)
    {
      guint64 n;

      if (g_ascii_string_to_unsigned (name + strlen (REF_PREFIX), 10, 1, G_MAXUINT - 1, &n, NULL))
        max = MAX (max, (guint) n);
    }

  git_reference_iterator_free (iter);

  return max + 1;
}

static SparkCheckpoint *
git_checkpoint_from_commit (guint       number,
                            git_commit *commit)
{
  SparkCheckpoint *cp = g_new0 (SparkCheckpoint, 1);
  char hex[GIT_OID_HEXSZ + 1];

  git_oid_tostr (hex, sizeof hex, git_commit_id (commit));
  cp->id = g_strdup_printf ("%u", number);
  cp->time = git_commit_time (commit);
  cp->summary = g_strdup (git_commit_summary (commit));
  cp->commit = g_strdup (hex);

  return cp;
}

#define NEW_FOLDER_TRAILER "Spark-New-Folder: "

static SparkCheckpoint *
git_create (SparkCheckpoints    *self,
            const char          *summary,
            const char * const  *new_folders,
            GError             **error)
{
  git_oid tree_oid, commit_oid, head_oid;
  git_tree *tree = NULL;
  git_commit *parent = NULL;
  git_commit *commit = NULL;
  git_signature *sig = NULL;
  git_reference *ref = NULL;
  const git_commit *parents[1];
  SparkCheckpoint *ret = NULL;
  g_autofree char *refname = NULL;
  g_autofree char *message = NULL;
  guint number = 0;

  if (!git_build_tree (self, &tree_oid, error))
    return NULL;

  if (git_tree_lookup (&tree, self->repo, &tree_oid) != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot read the checkpoint tree: %s"), spark_libgit2_detail ());
      goto out;
    }

  /* HEAD is only read, to give the checkpoint a meaningful parent. */
  if (git_reference_name_to_id (&head_oid, self->repo, "HEAD") == 0)
    git_commit_lookup (&parent, self->repo, &head_oid);
  parents[0] = parent;

  if (git_signature_now (&sig, "Spark", "spark@localhost") != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot make a signature: %s"), spark_libgit2_detail ());
      goto out;
    }

  {
    GString *text = g_string_new (summary && summary[0] ? summary : "Spark checkpoint");

    g_string_append_c (text, '\n');
    for (guint i = 0; new_folders != NULL && new_folders[i] != NULL; i++)
      {
        if (i == 0)
          g_string_append_c (text, '\n');
        g_string_append_printf (text, NEW_FOLDER_TRAILER "%s%s\n", self->prefix, new_folders[i]);
      }
    message = g_string_free (text, FALSE);
  }
  if (git_commit_create (&commit_oid, self->repo, NULL, sig, sig, NULL, message,
                         tree, parent ? 1 : 0, parents) != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot write the checkpoint commit: %s"),
                               spark_libgit2_detail ());
      goto out;
    }

  spark_file_crash_point ();

  /* Another process may take the same number, or hold its lock file (one
   * killed while writing the ref leaves "<n>.lock" behind for good): try
   * the next one. */
  for (guint attempt = 0; attempt < 16 && ref == NULL; attempt++)
    {
      number = MAX (git_next_number (self), number + 1);
      g_free (refname);
      refname = g_strdup_printf (REF_PREFIX "%u", number);
      git_reference_create (&ref, self->repo, refname, &commit_oid, 0, "spark: checkpoint");
    }

  if (ref == NULL || git_commit_lookup (&commit, self->repo, &commit_oid) != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot record the checkpoint: %s"), spark_libgit2_detail ());
      goto out;
    }

  ret = git_checkpoint_from_commit (number, commit);

out:
  git_reference_free (ref);
  git_commit_free (commit);
  git_commit_free (parent);
  git_signature_free (sig);
  git_tree_free (tree);

  return ret;
}

static int
compare_checkpoints (gconstpointer a,
                     gconstpointer b)
{
  const SparkCheckpoint *ca = *(const SparkCheckpoint **) a;
  const SparkCheckpoint *cb = *(const SparkCheckpoint **) b;
  guint64 na = g_ascii_strtoull (ca->id, NULL, 10);
  guint64 nb = g_ascii_strtoull (cb->id, NULL, 10);

  return (na > nb) - (na < nb);
}

static GPtrArray *
git_list (SparkCheckpoints  *self,
          GError           **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) spark_checkpoint_free);
  git_reference_iterator *iter = NULL;
  const char *name;

  if (git_reference_iterator_glob_new (&iter, self->repo, REF_PREFIX "*") != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot list checkpoints: %s"), spark_libgit2_detail ());
      return NULL;
    }

  while (git_reference_next_name (&name, iter) == 0)
    {
      git_oid oid;
      git_commit *commit = NULL;
      guint64 n;

      if (!g_ascii_string_to_unsigned (name + strlen (REF_PREFIX), 10, 1, G_MAXUINT - 1, &n, NULL))
        continue;
      if (git_reference_name_to_id (&oid, self->repo, name) != 0 ||
          git_commit_lookup (&commit, self->repo, &oid) != 0)
        continue;

      g_ptr_array_add (list, git_checkpoint_from_commit (n, commit));
      git_commit_free (commit);
    }

  git_reference_iterator_free (iter);
  g_ptr_array_sort (list, compare_checkpoints);

  return g_steal_pointer (&list);
}

typedef struct
{
  GHashTable *snap;
} WalkData;

static int
git_walk_cb (const char           *root,
             const git_tree_entry *entry,
             void                 *payload)
{
  WalkData *data = payload;
  git_filemode_t mode = git_tree_entry_filemode (entry);
  char hex[GIT_OID_HEXSZ + 1];
  g_autofree char *path = NULL;

  if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
      mode != GIT_FILEMODE_LINK)
    return 0;

  git_oid_tostr (hex, sizeof hex, git_tree_entry_id (entry));
  path = g_strconcat (root, git_tree_entry_name (entry), NULL);
  snapshot_add (data->snap, path, mode, hex, NULL);

  return 0;
}

static GHashTable *
git_snapshot (SparkCheckpoints  *self,
              const char        *commit_hex,
              GError           **error)
{
  g_autoptr(GHashTable) snap = snapshot_new ();
  git_oid oid;
  git_commit *commit = NULL;
  git_tree *tree = NULL;
  WalkData data = { snap };
  int rc;

  if (git_oid_fromstr (&oid, commit_hex) != 0 ||
      git_commit_lookup (&commit, self->repo, &oid) != 0 ||
      git_commit_tree (&tree, commit) != 0)
    {
      git_commit_free (commit);
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot read the checkpoint: %s"), spark_libgit2_detail ());
      return NULL;
    }

  rc = git_tree_walk (tree, GIT_TREEWALK_PRE, git_walk_cb, &data);
  git_tree_free (tree);
  git_commit_free (commit);

  if (rc != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot read the checkpoint: %s"), spark_libgit2_detail ());
      return NULL;
    }

  return g_steal_pointer (&snap);
}

static GBytes *
git_read_blob (SparkCheckpoints  *self,
               const char        *id,
               GError           **error)
{
  git_oid oid;
  git_blob *blob = NULL;
  GBytes *bytes;

  if (git_oid_fromstr (&oid, id) != 0 || git_blob_lookup (&blob, self->repo, &oid) != 0)
    {
      spark_libgit2_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                               _("Cannot read a file of the checkpoint: %s"),
                               spark_libgit2_detail ());
      return NULL;
    }

  bytes = g_bytes_new (git_blob_rawcontent (blob), git_blob_rawsize (blob));
  git_blob_free (blob);

  return bytes;
}

/* ---- private store (not a git repository) ------------------------------ */

static char *
store_path (SparkCheckpoints *self,
            const char       *first,
            ...) G_GNUC_NULL_TERMINATED;

static char *
store_path (SparkCheckpoints *self,
            const char       *first,
            ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *p;
  va_list ap;

  g_ptr_array_add (parts, self->store);
  g_ptr_array_add (parts, (char *) first);
  va_start (ap, first);
  while ((p = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (parts, (char *) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);

  return g_build_filenamev ((char **) parts->pdata);
}

typedef enum
{
  IO_CREATE,
  IO_WRITE,
  IO_REPLACE,
  IO_RESTORE,
  IO_REMOVE,
} IoStep;

static gboolean
io_failed (GError     **error,
           int          errsv,
           IoStep       step,
           const char  *path)
{
  const char *reason = spark_audience_strerror (errsv);
  GIOErrorEnum code = g_io_error_from_errno (errsv);

  /* Translators: in these, the first %s is a path, the second why it failed */
  switch (step)
    {
    case IO_CREATE:
      g_set_error (error, G_IO_ERROR, code, _("Cannot create %s: %s"), path, reason);
      break;
    case IO_WRITE:
      g_set_error (error, G_IO_ERROR, code, _("Cannot write %s: %s"), path, reason);
      break;
    case IO_REPLACE:
      g_set_error (error, G_IO_ERROR, code, _("Cannot replace %s: %s"), path, reason);
      break;
    case IO_RESTORE:
      g_set_error (error, G_IO_ERROR, code, _("Cannot restore %s: %s"), path, reason);
      break;
    case IO_REMOVE:
    default:
      g_set_error (error, G_IO_ERROR, code, _("Cannot remove %s: %s"), path, reason);
      break;
    }
  return FALSE;
}

/* The private store keeps each checkpoint as a manifest plus one pack file
 * holding the contents that no earlier checkpoint already stored: two files
 * per checkpoint, however many files the tree has. */
typedef struct
{
  GHashTable *known;   /* SHA-256 → "<pack> <offset> <length>" */
  GByteArray *pack;
  char       *pack_name;
} Packer;

static const char *
pack_add (Packer     *packer,
          const char *data,
          gsize       len,
          char      **out_id)
{
  g_autofree char *id = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
  const char *loc = g_hash_table_lookup (packer->known, id);

  if (loc == NULL)
    {
      char *new_loc = g_strdup_printf ("%s %u %" G_GSIZE_FORMAT,
                                       packer->pack_name, packer->pack->len, len);

      g_byte_array_append (packer->pack, (const guint8 *) data, len);
      g_hash_table_insert (packer->known, g_strdup (id), new_loc);
      loc = new_loc;
    }

  *out_id = g_steal_pointer (&id);
  return loc;
}

static gboolean
store_walk (SparkCheckpoints  *self,
            const char        *abs_dir,
            const char        *rel_dir,
            Packer            *packer,
            GHashTable        *snap,
            GError           **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (abs_dir, 0, error);
  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *abs = g_build_filename (abs_dir, name, NULL);
      g_autofree char *rel = rel_dir[0] ? g_strconcat (rel_dir, "/", name, NULL) : g_strdup (name);
      g_autofree char *id = NULL;
      GStatBuf st;

      if (strcmp (name, ".git") == 0 || strchr (name, '\n') != NULL)
        continue;

      if (g_lstat (abs, &st) != 0)
        continue;

      if (S_ISDIR (st.st_mode))
        {
          /* The store may live inside the folder (odd setups). */
          if (strcmp (abs, self->store) == 0)
            continue;
          if (!store_walk (self, abs, rel, packer, snap, error))
            return FALSE;
        }
      else if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (abs, error);

          const char *loc;

          if (target == NULL)
            return FALSE;
          loc = pack_add (packer, target, strlen (target), &id);
          snapshot_add (snap, rel, MODE_LINK, id, loc);
        }
      else if (S_ISREG (st.st_mode))
        {
          g_autofree char *contents = NULL;
          gsize len;

          const char *loc;

          if (!g_file_get_contents (abs, &contents, &len, error))
            return FALSE;
          loc = pack_add (packer, contents, len, &id);
          snapshot_add (snap, rel, S_IFREG | (st.st_mode & 07777), id, loc);
        }
    }

  return TRUE;
}

static guint
store_next_number (SparkCheckpoints *self)
{
  g_autofree char *dir = store_path (self, "checkpoints", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint max = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      guint64 n;

      if (g_ascii_string_to_unsigned (name, 10, 1, G_MAXUINT - 1, &n, NULL))
        max = MAX (max, (guint) n);
    }

  return max + 1;
}

static SparkCheckpoint *
store_read_manifest (SparkCheckpoints  *self,
                     const char        *id,
                     GHashTable        *snap,
                     GError           **error)
{
  g_autofree char *path = store_path (self, "checkpoints", id, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(SparkCheckpoint) cp = NULL;
  gboolean body = FALSE;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_NOT_FOUND,
                   _("There is no checkpoint %s"), id);
      return NULL;
    }

  if (!g_str_has_prefix (contents, "spark-checkpoint 1\n"))
    {
      g_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_NOT_FOUND,
                   _("Checkpoint %s is incomplete"), id);
      return NULL;
    }

  cp = g_new0 (SparkCheckpoint, 1);
  cp->id = g_strdup (id);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];

      if (!body)
        {
          if (line[0] == '\0')
            body = TRUE;
          else if (g_str_has_prefix (line, "time "))
            cp->time = g_ascii_strtoll (line + 5, NULL, 10);
          else if (g_str_has_prefix (line, "summary "))
            cp->summary = g_strdup (line + 8);
          continue;
        }

      if (snap != NULL && line[0] != '\0')
        {
          g_auto(GStrv) f = g_strsplit (line, " ", 6);

          if (g_strv_length (f) == 6)
            {
              g_autofree char *loc = g_strdup_printf ("%s %s %s", f[2], f[3], f[4]);

              snapshot_add (snap, f[5], (guint32) g_ascii_strtoull (f[0], NULL, 8), f[1], loc);
            }
        }
    }

  if (cp->summary == NULL)
    cp->summary = g_strdup ("");

  return g_steal_pointer (&cp);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static SparkCheckpoint *
store_create (SparkCheckpoints    *self,
              const char          *summary,
              const char * const  *new_folders,
              GError             **error)
{
  g_autoptr(GHashTable) snap = snapshot_new ();
  g_autoptr(GString) manifest = g_string_new ("spark-checkpoint 1\n");
  g_autofree char *dir = store_path (self, "checkpoints", NULL);
  g_autofree char *packs = store_path (self, "packs", NULL);
  g_autofree char *one_line = g_strdup (summary && summary[0] ? summary : "Spark checkpoint");
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *pack_path = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  Packer packer = { 0 };
  SparkCheckpoint *cp = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint previous;

  g_strdelimit (one_line, "\r\n", ' ');

  if (g_mkdir_with_parents (dir, 0700) != 0 || g_mkdir_with_parents (packs, 0700) != 0)
    {
      io_failed (error, errno, IO_CREATE, dir);
      return NULL;
    }

  /* Take the next number: the empty manifest reserves it. */
  for (guint attempt = 0; ; attempt++)
    {
      int fd;

      g_free (id);
      g_free (path);
      id = g_strdup_printf ("%u", store_next_number (self));
      path = g_build_filename (dir, id, NULL);
      fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          close (fd);
          break;
        }
      if (errno != EEXIST || attempt >= 16)
        {
          io_failed (error, errno, IO_WRITE, path);
          return NULL;
        }
    }

  /* Contents the previous checkpoint stored are not stored again. */
  packer.known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  packer.pack = g_byte_array_new ();
  packer.pack_name = g_strdup (id);
  previous = (guint) g_ascii_strtoull (id, NULL, 10);
  for (guint n = previous - 1; n > 0; n--)
    {
      g_autofree char *prev_id = g_strdup_printf ("%u", n);
      g_autoptr(GHashTable) prev = snapshot_new ();
      g_autoptr(SparkCheckpoint) prev_cp = store_read_manifest (self, prev_id, prev, NULL);
      GHashTableIter iter;
      gpointer value;

      if (prev_cp == NULL)
        continue;
      g_hash_table_iter_init (&iter, prev);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Entry *e = value;

          g_hash_table_replace (packer.known, g_strdup (e->id), g_strdup (e->loc));
        }
      break;
    }

  if (!store_walk (self, self->workdir, "", &packer, snap, error))
    goto out;

  g_string_append_printf (manifest, "time %" G_GINT64_FORMAT "\nsummary %s\n", now, one_line);
  for (guint i = 0; new_folders != NULL && new_folders[i] != NULL; i++)
    {
      if (strchr (new_folders[i], '\n') == NULL)
        g_string_append_printf (manifest, "newfolder %s\n", new_folders[i]);
    }
  g_string_append_c (manifest, '\n');

  keys = g_ptr_array_new ();
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, snap);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (keys, key);
  }
  g_ptr_array_sort (keys, compare_paths);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *p = g_ptr_array_index (keys, i);
      Entry *e = g_hash_table_lookup (snap, p);

      g_string_append_printf (manifest, "%o %s %s %s\n", e->mode, e->id, e->loc, p);
    }

  pack_path = g_build_filename (packs, id, NULL);
  if (packer.pack->len > 0 &&
      !spark_file_write_atomic (pack_path, (const char *) packer.pack->data, packer.pack->len, error))
    goto out;

  if (!spark_file_write_atomic (path, manifest->str, manifest->len, error))
    goto out;

  cp = g_new0 (SparkCheckpoint, 1);
  cp->id = g_steal_pointer (&id);
  cp->time = now;
  cp->summary = g_steal_pointer (&one_line);

out:
  if (cp == NULL)
    {
      g_unlink (path);
      if (pack_path != NULL)
        g_unlink (pack_path);
    }
  g_hash_table_unref (packer.known);
  g_byte_array_unref (packer.pack);
  g_free (packer.pack_name);

  return cp;
}

static GPtrArray *
store_list (SparkCheckpoints  *self,
            GError           **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) spark_checkpoint_free);
  g_autofree char *dir = store_path (self, "checkpoints", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      SparkCheckpoint *cp;
      guint64 n;

      if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXUINT - 1, &n, NULL))
        continue;
      cp = store_read_manifest (self, name, NULL, NULL);
      if (cp != NULL)
        g_ptr_array_add (list, cp);
    }

  g_ptr_array_sort (list, compare_checkpoints);

  return g_steal_pointer (&list);
}

static GBytes *
store_read_object (SparkCheckpoints  *self,
                   const Entry       *e,
                   GError           **error)
{
  g_auto(GStrv) f = e->loc ? g_strsplit (e->loc, " ", 3) : NULL;
  g_autofree char *path = NULL;
  g_autoptr(GMappedFile) map = NULL;
  guint64 off, len;

  if (f == NULL || g_strv_length (f) != 3 ||
      !g_ascii_string_to_unsigned (f[1], 10, 0, G_MAXSIZE, &off, NULL) ||
      !g_ascii_string_to_unsigned (f[2], 10, 0, G_MAXSIZE, &len, NULL) ||
      strchr (f[0], '/') != NULL)
    {
      g_set_error_literal (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                           _("The checkpoint is damaged"));
      return NULL;
    }

  if (len == 0)
    return g_bytes_new (NULL, 0);

  path = store_path (self, "packs", f[0], NULL);
  map = g_mapped_file_new (path, FALSE, error);
  if (map == NULL)
    return NULL;
  if (off + len > g_mapped_file_get_length (map))
    {
      g_set_error_literal (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_FAILED,
                           _("The checkpoint is damaged"));
      return NULL;
    }

  return g_bytes_new (g_mapped_file_get_contents (map) + off, len);
}

/* ---- shared ------------------------------------------------------------- */

SparkCheckpoint *
spark_checkpoints_create (SparkCheckpoints  *self,
                          const char        *summary,
                          GError           **error)
{
  return spark_checkpoints_create_full (self, summary, NULL, error);
}

SparkCheckpoint *
spark_checkpoints_create_full (SparkCheckpoints    *self,
                               const char          *summary,
                               const char * const  *new_folders,
                               GError             **error)
{
  g_return_val_if_fail (SPARK_IS_CHECKPOINTS (self), NULL);

  if (self->repo != NULL)
    return git_create (self, summary, new_folders, error);
  return store_create (self, summary, new_folders, error);
}

/* The folders noted as new in checkpoint @cp (workdir-relative). */
static GPtrArray *
new_folders_of (SparkCheckpoints *self,
                SparkCheckpoint  *cp)
{
  GPtrArray *folders = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *prefix;

  if (self->repo != NULL)
    {
      git_oid oid;
      git_commit *commit = NULL;

      if (cp->commit == NULL || git_oid_fromstr (&oid, cp->commit) != 0 ||
          git_commit_lookup (&commit, self->repo, &oid) != 0)
        return folders;
      text = g_strdup (git_commit_message (commit));
      git_commit_free (commit);
      prefix = NEW_FOLDER_TRAILER;
    }
  else
    {
      g_autofree char *path = store_path (self, "checkpoints", cp->id, NULL);
      char *end;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        return folders;
      /* Only the header, up to the first empty line. */
      if ((end = strstr (text, "\n\n")) != NULL)
        *end = '\0';
      prefix = "newfolder ";
    }

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix) && lines[i][strlen (prefix)] != '\0')
        g_ptr_array_add (folders, g_strdup (lines[i] + strlen (prefix)));
    }

  return folders;
}

static int
compare_deepest_first (gconstpointer a,
                       gconstpointer b)
{
  gsize la = strlen (*(const char **) a);
  gsize lb = strlen (*(const char **) b);

  return (la < lb) - (la > lb);
}

GPtrArray *
spark_checkpoints_list (SparkCheckpoints  *self,
                        GError           **error)
{
  g_return_val_if_fail (SPARK_IS_CHECKPOINTS (self), NULL);

  if (self->repo != NULL)
    return git_list (self, error);
  return store_list (self, error);
}

static GHashTable *
snapshot_of (SparkCheckpoints  *self,
             SparkCheckpoint   *cp,
             GError           **error)
{
  if (self->repo != NULL)
    return git_snapshot (self, cp->commit, error);
  else
    {
      g_autoptr(GHashTable) snap = snapshot_new ();
      g_autoptr(SparkCheckpoint) again = store_read_manifest (self, cp->id, snap, error);

      if (again == NULL)
        return NULL;
      return g_steal_pointer (&snap);
    }
}

static GBytes *
read_object (SparkCheckpoints  *self,
             const Entry       *e,
             GError           **error)
{
  if (self->repo != NULL)
    return git_read_blob (self, e->id, error);
  return store_read_object (self, e, error);
}

static gboolean
safe_relative (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  if (path[0] == '/' || path[0] == '\0')
    return FALSE;
  for (guint i = 0; parts[i]; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0 || strcmp (parts[i], "..") == 0 ||
          g_ascii_strcasecmp (parts[i], ".git") == 0)
        return FALSE;
    }
  return TRUE;
}

static void
remove_empty_parents (const char *top,
                      const char *abs)
{
  g_autofree char *dir = g_path_get_dirname (abs);

  while (strlen (dir) > strlen (top) && g_str_has_prefix (dir, top))
    {
      char *parent;

      if (g_rmdir (dir) != 0)
        break;
      parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }
}

static gboolean
write_entry (SparkCheckpoints  *self,
             const char        *abs,
             const Entry       *e,
             GError           **error)
{
  g_autoptr(GBytes) bytes = read_object (self, e, error);
  g_autofree char *parent = NULL;
  GStatBuf st;
  gsize len;
  const char *data;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);

  parent = g_path_get_dirname (abs);
  if (g_mkdir_with_parents (parent, 0777) != 0)
    return io_failed (error, errno, IO_CREATE, parent);

  if (g_lstat (abs, &st) == 0 && (S_ISLNK (st.st_mode) || S_ISDIR (st.st_mode) ||
                                   e->mode == MODE_LINK))
    {
      if (S_ISDIR (st.st_mode))
        {
          if (g_rmdir (abs) != 0)
            return io_failed (error, errno, IO_REPLACE, abs);
        }
      else if (g_unlink (abs) != 0)
        return io_failed (error, errno, IO_REPLACE, abs);
    }

  if (e->mode == MODE_LINK)
    {
      g_autofree char *target = g_strndup (data, len);

      if (symlink (target, abs) != 0)
        return io_failed (error, errno, IO_RESTORE, abs);
      return TRUE;
    }

  {
    /* The mode: the checkpoint's own (private store), or for git the
     * file's current one with the executable bits git records. */
    mode_t mode;

    if (self->repo == NULL)
      mode = e->mode & 07777;
    else
      {
        if (g_stat (abs, &st) == 0 && S_ISREG (st.st_mode))
          mode = st.st_mode & 07777;
        else
          {
            mode_t mask = umask (0);

            umask (mask);
            mode = 0666 & ~mask;
          }
        if (e->mode == MODE_EXEC)
          mode |= (mode & 0444) >> 2;
        else
          mode &= ~0111;
      }

    /* Confined to the work tree: a link swapped in cannot lead out. */
    if (!spark_file_write_atomic_in (self->workdir, abs, data, len, mode, SPARK_WRITE_DEFAULT,
                                     error))
      return FALSE;
  }

  return TRUE;
}

static SparkCheckpoint *
find_checkpoint (SparkCheckpoints  *self,
                 const char        *id,
                 GError           **error)
{
  g_autoptr(GPtrArray) list = spark_checkpoints_list (self, error);

  if (list == NULL)
    return NULL;

  if (list->len == 0)
    {
      g_set_error_literal (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_NONE,
                           _("There are no checkpoints yet"));
      return NULL;
    }

  for (guint i = list->len; i > 0; i--)
    {
      SparkCheckpoint *cp = g_ptr_array_index (list, i - 1);

      if (id == NULL || strcmp (cp->id, id) == 0)
        return g_ptr_array_steal_index (list, i - 1);
    }

  g_set_error (error, SPARK_CHECKPOINT_ERROR, SPARK_CHECKPOINT_ERROR_NOT_FOUND,
               _("There is no checkpoint %s"), id);
  return NULL;
}

gboolean
spark_checkpoints_restore (SparkCheckpoints  *self,
                           const char        *id,
                           SparkCheckpoint  **before,
                           GError           **error)
{
  g_autoptr(SparkCheckpoint) target = NULL;
  g_autoptr(SparkCheckpoint) current = NULL;
  g_autoptr(GHashTable) target_snap = NULL;
  g_autoptr(GHashTable) current_snap = NULL;
  g_autofree char *summary = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (SPARK_IS_CHECKPOINTS (self), FALSE);

  target = find_checkpoint (self, id, error);
  if (target == NULL)
    return FALSE;

  target_snap = snapshot_of (self, target, error);
  if (target_snap == NULL)
    return FALSE;

  summary = g_strdup_printf (_("Before restoring checkpoint %s"), target->id);
  current = spark_checkpoints_create (self, summary, error);
  if (current == NULL)
    return FALSE;

  current_snap = snapshot_of (self, current, error);
  if (current_snap == NULL)
    return FALSE;

  /* Remove what the checkpoint did not have first, so that a file can
   * replace a folder and the other way round. */
  g_hash_table_iter_init (&iter, current_snap);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *path = key;
      g_autofree char *abs = NULL;

      if (!g_str_has_prefix (path, self->prefix) || !safe_relative (path))
        continue;
      if (g_hash_table_contains (target_snap, path))
        continue;

      abs = g_build_filename (self->workdir, path, NULL);
      if (g_unlink (abs) != 0 && errno != ENOENT)
        return io_failed (error, errno, IO_REMOVE, abs);
      remove_empty_parents (self->workdir, abs);
    }

  g_hash_table_iter_init (&iter, target_snap);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *path = key;
      const Entry *e = value;
      const Entry *now = g_hash_table_lookup (current_snap, path);
      g_autofree char *abs = NULL;

      if (!g_str_has_prefix (path, self->prefix) || !safe_relative (path))
        continue;
      if (now != NULL && now->mode == e->mode && strcmp (now->id, e->id) == 0)
        continue;

      abs = g_build_filename (self->workdir, path, NULL);
      if (!write_entry (self, abs, e, error))
        return FALSE;
    }

  /* Folders that did not exist then: gone again once empty (rmdir() leaves
   * any that holds something). */
  {
    g_autoptr(GPtrArray) folders = new_folders_of (self, target);

    g_ptr_array_sort (folders, compare_deepest_first);
    for (guint i = 0; i < folders->len; i++)
      {
        const char *path = g_ptr_array_index (folders, i);
        g_autofree char *abs = NULL;

        if (!g_str_has_prefix (path, self->prefix) || !safe_relative (path))
          continue;
        abs = g_build_filename (self->workdir, path, NULL);
        g_rmdir (abs);
      }
  }

  if (before != NULL)
    *before = g_steal_pointer (&current);

  return TRUE;
}
