/* spark-git-commit.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-git-commit"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <git2.h>
#include <glib/gi18n.h>

#include "spark-git-commit.h"
#include "spark-libgit2.h"

G_DEFINE_QUARK (spark-git-commit-error-quark, spark_git_commit_error)

static git_signature *
default_signature (git_repository  *repo,
                   GError         **error)
{
  git_signature *sig = NULL;

  if (git_signature_default (&sig, repo) != 0)
    {
      const git_error *e = git_error_last ();
      g_autofree char *why = g_strdup (e && e->message ? e->message : "");

      git_error_clear ();
      g_set_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_NO_IDENTITY,
                   /* Translators: keep the commands as they are */
                   _("Git does not know who you are (%s). Set your name and email with:\n"
                     "  git config --global user.name \"Your Name\"\n"
                     "  git config --global user.email \"you@example.com\""),
                   why[0] ? why : _("user.name or user.email is not set"));
      return NULL;
    }

  return sig;
}

/**
 * spark_git_commit_get_identity:
 * @repo_path: a folder inside a git work tree
 * @name: (out) (optional): user.name
 * @email: (out) (optional): user.email
 */
gboolean
spark_git_commit_get_identity (const char  *repo_path,
                               char       **name,
                               char       **email,
                               GError     **error)
{
  git_repository *repo;
  git_signature *sig;

  g_return_val_if_fail (repo_path != NULL, FALSE);

  if ((repo = spark_libgit2_open_workdir (repo_path, error)) == NULL)
    return FALSE;

  sig = default_signature (repo, error);
  git_repository_free (repo);
  if (sig == NULL)
    return FALSE;

  if (name != NULL)
    *name = g_strdup (sig->name);
  if (email != NULL)
    *email = g_strdup (sig->email);
  git_signature_free (sig);
  return TRUE;
}

/* Trailing blanks off every line, blank lines at the ends off, runs of blank
 * lines folded, a final '\n' (git commit's "whitespace" cleanup). NULL when
 * nothing is left. */
static char *
clean_message (const char *message)
{
  git_buf buf = { 0 };
  char *ret = NULL;

  if (git_message_prettify (&buf, message, 0, '#') == 0 && buf.size > 0)
    ret = g_strndup (buf.ptr, buf.size);
  git_error_clear ();
  git_buf_dispose (&buf);
  return ret;
}

/**
 * spark_git_commit:
 * @repo_path: a folder inside a git work tree
 * @message: the commit message
 *
 * Records the index as a new commit on HEAD's branch: parents = HEAD (none on
 * an unborn branch), tree = the index, author and committer from git config.
 *
 * Returns: (transfer full): the new commit's id (40 hex digits), or %NULL
 *   with @error set (SPARK_GIT_COMMIT_ERROR for the cases a person can fix)
 */
char *
spark_git_commit (const char  *repo_path,
                  const char  *message,
                  GError     **error)
{
  g_autofree char *cleaned = NULL;
  git_repository *repo = NULL;
  git_signature *sig = NULL;
  git_index *index = NULL;
  git_tree *tree = NULL;
  git_commit *parent = NULL;
  const git_commit *parents[1];
  git_oid tree_id;
  git_oid commit_id;
  char hex[GIT_OID_HEXSZ + 1];
  char *ret = NULL;
  int unborn;

  g_return_val_if_fail (repo_path != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  spark_libgit2_init ();

  if ((cleaned = clean_message (message)) == NULL)
    {
      g_set_error_literal (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_EMPTY_MESSAGE,
                           _("The commit message is empty; write what the change does"));
      return NULL;
    }

  if ((repo = spark_libgit2_open_workdir (repo_path, error)) == NULL)
    return NULL;

  if (git_repository_state (repo) != GIT_REPOSITORY_STATE_NONE)
    {
      g_set_error_literal (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_BUSY,
                           _("A merge, rebase, cherry-pick or revert is in progress; "
                             "finish or abort it with git first"));
      goto out;
    }

  if ((sig = default_signature (repo, error)) == NULL)
    goto out;

  if (git_repository_index (&index, repo) != 0)
    {
      spark_libgit2_set_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_FAILED,
                               _("Could not read the git index: %s"), spark_libgit2_detail ());
      goto out;
    }

  if (git_index_has_conflicts (index))
    {
      g_set_error_literal (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_CONFLICTS,
                           _("The index has unresolved conflicts; stage the resolved files first"));
      goto out;
    }

  if (git_index_write_tree (&tree_id, index) != 0)
    {
      spark_libgit2_set_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_FAILED,
                               _("Could not write the staged tree: %s"), spark_libgit2_detail ());
      goto out;
    }

  unborn = git_repository_head_unborn (repo);
  if (unborn < 0)
    {
      spark_libgit2_set_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_FAILED,
                               _("Could not read HEAD: %s"), spark_libgit2_detail ());
      goto out;
    }

  if (unborn == 0)
    {
      git_object *object = NULL;

      if (git_revparse_single (&object, repo, "HEAD^{commit}") != 0)
        {
          spark_libgit2_set_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_FAILED,
                                   _("Could not read HEAD: %s"), spark_libgit2_detail ());
          goto out;
        }
      parent = (git_commit *) object;
      parents[0] = parent;
    }

  if ((parent != NULL && git_oid_equal (&tree_id, git_commit_tree_id (parent))) ||
      (parent == NULL && git_index_entrycount (index) == 0))
    {
      g_set_error_literal (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_NOTHING_STAGED,
                           _("Nothing is staged to commit; stage some changes first"));
      goto out;
    }

  if (git_tree_lookup (&tree, repo, &tree_id) != 0)
    {
      spark_libgit2_set_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_FAILED,
                               _("Could not read the staged tree: %s"), spark_libgit2_detail ());
      goto out;
    }

  if (git_commit_create (&commit_id, repo, "HEAD", sig, sig, NULL, cleaned, tree,
                         parent ? 1 : 0, parent ? parents : NULL) != 0)
    {
      spark_libgit2_set_error (error, SPARK_GIT_COMMIT_ERROR, SPARK_GIT_COMMIT_ERROR_FAILED,
                               _("Could not create the commit: %s"), spark_libgit2_detail ());
      goto out;
    }

  git_oid_tostr (hex, sizeof hex, &commit_id);
  ret = g_strdup (hex);

out:
  g_clear_pointer (&parent, git_commit_free);
  g_clear_pointer (&tree, git_tree_free);
  g_clear_pointer (&index, git_index_free);
  g_clear_pointer (&sig, git_signature_free);
  git_repository_free (repo);
  return ret;
}

typedef struct
{
  char *repo_path;
  char *message;
} CommitData;

static void
commit_data_free (gpointer data)
{
  CommitData *cd = data;

  g_free (cd->repo_path);
  g_free (cd->message);
  g_free (cd);
}

static void
commit_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CommitData *cd = task_data;
  GError *error = NULL;
  char *id;

  if (g_task_return_error_if_cancelled (task))
    return;

  if ((id = spark_git_commit (cd->repo_path, cd->message, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, id, g_free);
}

void
spark_git_commit_async (const char          *repo_path,
                        const char          *message,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CommitData *cd;

  g_return_if_fail (repo_path != NULL);
  g_return_if_fail (message != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  cd = g_new0 (CommitData, 1);
  cd->repo_path = g_strdup (repo_path);
  cd->message = g_strdup (message);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_git_commit_async);
  g_task_set_task_data (task, cd, commit_data_free);
  g_task_run_in_thread (task, commit_worker);
}

/**
 * spark_git_commit_finish:
 *
 * Returns: (transfer full): the new commit's id, or %NULL with @error set
 */
char *
spark_git_commit_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == spark_git_commit_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* "A path" → 'A' and "path"; FALSE for any other line. */
static gboolean
parse_file_line (const char  *line,
                 char        *letter,
                 const char **path)
{
  if ((line[0] != 'A' && line[0] != 'M' && line[0] != 'D') || line[1] != ' ' ||
      line[2] == '\0' || g_ascii_isspace (line[2]))
    return FALSE;

  *letter = line[0];
  *path = line + 2;
  return TRUE;
}

/* Commit messages stay in English whatever the locale: they are part of
 * the project, not of the interface. */
static const char *
verb_for_letter (char letter)
{
  switch (letter)
    {
    case 'A': return "Add";
    case 'D': return "Delete";
    case 'M':
    default:  return "Update";
    }
}

/**
 * spark_git_summarize_for_message:
 * @apply_report: the text a patch run reported
 *
 * The file lines are those after the report's last header line (a line
 * ending in ':'), or all "A|M|D path" lines when it has none. The summary is
 * "Add a.c" / "Update a.c" / "Delete a.c" for one file, "Add 3 files" when
 * all files share a verb, else "Update 3 files"; the body lists every file
 * as "- Verb path", in the report's order.
 *
 * Returns: (transfer full) (nullable): the message, ending in '\n'
 */
char *
spark_git_summarize_for_message (const char *apply_report)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) body = NULL;
  guint first = 0;
  guint n_files = 0;
  char common = '\0';
  const char *only_path = NULL;
  gboolean mixed = FALSE;

  if (apply_report == NULL)
    return NULL;

  lines = g_strsplit (apply_report, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char letter;
      const char *path;
      gsize len;

      g_strchomp (lines[i]);
      len = strlen (lines[i]);
      if (len > 0 && lines[i][len - 1] == ':' && !parse_file_line (lines[i], &letter, &path))
        first = i + 1;
    }

  body = g_string_new (NULL);
  for (guint i = first; lines[i] != NULL; i++)
    {
      char letter;
      const char *path;

      if (!parse_file_line (lines[i], &letter, &path))
        continue;

      if (n_files == 0)
        {
          common = letter;
          only_path = path;
        }
      else if (letter != common)
        mixed = TRUE;
      n_files++;

      g_string_append_printf (body, "- %s %s\n", verb_for_letter (letter), path);
    }

  if (n_files == 0)
    return NULL;

  if (n_files == 1)
    return g_strdup_printf ("%s %s\n\n%s", verb_for_letter (common), only_path, body->str);

  return g_strdup_printf ("%s %u files\n\n%s",
                          mixed ? "Update" : verb_for_letter (common), n_files, body->str);
}
