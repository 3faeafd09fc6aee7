/* test-project.c: the folder model behind the file tree, and git status
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <unistd.h>

#include <git2.h>
#include <glib/gstdio.h>

#include "spark-directory-list.h"
#include "spark-fuzzy.h"
#include "spark-git.h"
#include "spark-project.h"
#include "spark-test-utils.h"

static void
wait_loaded (SparkDirectoryList *list)
{
  guint id = spark_test_add_deadline (20, "timed out listing");

  spark_directory_list_load (list);
  while (!spark_directory_list_get_loaded (list))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
wait_status (SparkProject *project)
{
  guint id = spark_test_add_deadline (20, "timed out on status");

  while (!spark_project_get_status_loaded (project))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* "name/" for folders, "name" for files, "-name" for ghosts, "name:M" with
 * a status letter: one line that a test can compare at a glance. */
static char *
describe (GListModel *list)
{
  g_autoptr(GString) str = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(SparkFileNode) node = g_list_model_get_item (list, i);
      SparkGitStatus status = spark_file_node_get_git_status (node);

      if (str->len)
        g_string_append_c (str, ' ');
      if (spark_file_node_get_is_deleted (node))
        g_string_append_c (str, '-');
      g_string_append (str, spark_file_node_get_name (node));
      if (spark_file_node_get_is_directory (node))
        g_string_append_c (str, '/');
      if (status != SPARK_GIT_STATUS_NONE)
        g_string_append_printf (str, ":%s", spark_git_status_to_letter (status));
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

static void
wait_description (GListModel *list,
                  const char *expected)
{
  guint id = spark_test_add_deadline (20, expected);

  for (;;)
    {
      g_autofree char *now = describe (list);

      if (g_strcmp0 (now, expected) == 0)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (id);
}

static void
test_sorting_and_lazy (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GFile) root = g_file_new_for_path (dir);
  g_autoptr(SparkProject) project = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GListModel) child = NULL;
  g_autoptr(SparkFileNode) src = NULL;
  g_autofree char *desc = NULL;

  spark_test_write_file (dir, "b.txt", "b\n");
  spark_test_write_file (dir, "file10.c", "\n");
  spark_test_write_file (dir, "file2.c", "\n");
  spark_test_write_file (dir, "Zeta/x", "\n");
  spark_test_write_file (dir, "alpha/y", "\n");
  spark_test_write_file (dir, "src/main.c", "int main;\n");
  spark_test_write_file (dir, ".hidden", "\n");
  spark_test_write_file (dir, ".git/config", "not a repo, still hidden\n");

  project = spark_project_new (root);
  g_assert_null (spark_project_get_git (project));

  list = spark_project_create_list (project, NULL);
  /* Lazy: nothing is listed before someone asks. */
  g_assert_false (spark_directory_list_get_loaded (SPARK_DIRECTORY_LIST (list)));
  wait_loaded (SPARK_DIRECTORY_LIST (list));

  desc = describe (list);
  /* Folders first, natural order, .git hidden, dot-files shown. */
  g_assert_cmpstr (desc, ==, "alpha/ src/ Zeta/ .hidden b.txt file2.c file10.c");

  src = g_list_model_get_item (list, 1);
  child = spark_project_create_list (project, src);
  g_assert_false (spark_directory_list_get_loaded (SPARK_DIRECTORY_LIST (child)));
  wait_loaded (SPARK_DIRECTORY_LIST (child));
  g_clear_pointer (&desc, g_free);
  desc = describe (child);
  g_assert_cmpstr (desc, ==, "main.c");

  {
    g_autoptr(SparkFileNode) main_c = g_list_model_get_item (child, 0);
    g_autofree char *relpath = spark_file_node_dup_relpath (main_c);
    g_autoptr(GFile) file = spark_file_node_dup_file (main_c);
    g_autofree char *expected = g_build_filename (dir, "src", "main.c", NULL);
    g_autofree char *path = g_file_get_path (file);

    g_assert_cmpstr (relpath, ==, "src/main.c");
    g_assert_cmpstr (path, ==, expected);
  }

  g_clear_object (&child);
  g_clear_object (&list);
  g_clear_object (&project);
  spark_test_rm_rf (dir);
}

/* Links are listed as what they point to (a folder link is a folder), a
 * dangling one as a file; the listing reads the folder with readdir(),
 * which only says "link". */
static void
test_links (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *to_dir = g_build_filename (dir, "to-src", NULL);
  g_autofree char *to_file = g_build_filename (dir, "to-main.c", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling", NULL);
  g_autoptr(GFile) root = g_file_new_for_path (dir);
  g_autoptr(SparkProject) project = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autofree char *desc = NULL;

  spark_test_write_file (dir, "src/main.c", "int main;\n");
  g_assert_cmpint (symlink ("src", to_dir), ==, 0);
  g_assert_cmpint (symlink ("src/main.c", to_file), ==, 0);
  g_assert_cmpint (symlink ("nowhere", dangling), ==, 0);

  project = spark_project_new (root);
  list = spark_project_create_list (project, NULL);
  wait_loaded (SPARK_DIRECTORY_LIST (list));

  desc = describe (list);
  g_assert_cmpstr (desc, ==, "src/ to-src/ dangling to-main.c");

  g_clear_object (&list);
  g_clear_object (&project);
  spark_test_rm_rf (dir);
}

static void
test_git_ignore_and_status (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GFile) root = g_file_new_for_path (dir);
  g_autoptr(SparkProject) project = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autofree char *gone = g_build_filename (dir, "gone.txt", NULL);

  spark_test_git (dir, "init", "-q", NULL);
  spark_test_write_file (dir, ".gitignore", "build/\n*.o\n");
  spark_test_write_file (dir, "kept.c", "int a;\n");
  spark_test_write_file (dir, "changed.c", "int b;\n");
  spark_test_write_file (dir, "gone.txt", "bye\n");
  spark_test_write_file (dir, "lib/util.c", "int c;\n");
  spark_test_git (dir, "add", ".", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "first", NULL);

  spark_test_write_file (dir, "changed.c", "int b = 2;\n");
  spark_test_write_file (dir, "lib/fresh.c", "int d;\n");
  spark_test_write_file (dir, "build/out.txt", "ignored folder\n");
  spark_test_write_file (dir, "kept.o", "ignored file\n");
  g_assert_cmpint (g_unlink (gone), ==, 0);

  project = spark_project_new (root);
  g_assert_nonnull (spark_project_get_git (project));
  wait_status (project);

  list = spark_project_create_list (project, NULL);
  wait_loaded (SPARK_DIRECTORY_LIST (list));
  /* Ignored entries are hidden, the deleted file shows as a ghost, the
   * folder holding a new file is marked. */
  wait_description (list, "lib/:M .gitignore changed.c:M -gone.txt:D kept.c");

  g_assert_cmpint (spark_project_get_status (project, "lib/fresh.c"), ==, SPARK_GIT_STATUS_NEW);
  g_assert_cmpint (spark_project_get_status (project, "kept.c"), ==, SPARK_GIT_STATUS_NONE);
  g_assert_true (spark_git_is_ignored (spark_project_get_git (project), "build", TRUE));
  g_assert_true (spark_git_is_ignored (spark_project_get_git (project), "kept.o", FALSE));
  g_assert_false (spark_git_is_ignored (spark_project_get_git (project), "kept.c", FALSE));

  /* Restoring the file on disk replaces the ghost by the real entry, and a
   * new file appears, both through the file monitor. */
  spark_test_write_file (dir, "gone.txt", "bye\n");
  spark_test_write_file (dir, "new.c", "int e;\n");
  wait_description (list, "lib/:M .gitignore changed.c:M gone.txt kept.c new.c:A");

  /* A commit made outside Spark clears the marks (index monitor). */
  spark_test_git (dir, "add", ".", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "second", NULL);
  wait_description (list, "lib/ .gitignore changed.c gone.txt kept.c new.c");

  g_clear_object (&list);
  g_clear_object (&project);
  spark_test_rm_rf (dir);
}

static void
test_subfolder_of_repo (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *sub = g_build_filename (dir, "pkg", NULL);
  g_autoptr(GFile) root = NULL;
  g_autoptr(SparkProject) project = NULL;
  g_autoptr(GListModel) list = NULL;

  spark_test_git (dir, "init", "-q", NULL);
  spark_test_write_file (dir, ".gitignore", "*.log\n");
  spark_test_write_file (dir, "pkg/a.c", "a\n");
  spark_test_git (dir, "add", ".", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "first", NULL);
  spark_test_write_file (dir, "pkg/a.c", "a2\n");
  spark_test_write_file (dir, "pkg/debug.log", "x\n");
  spark_test_write_file (dir, "outside.c", "not in this project\n");

  root = g_file_new_for_path (sub);
  project = spark_project_new (root);
  wait_status (project);
  list = spark_project_create_list (project, NULL);
  wait_loaded (SPARK_DIRECTORY_LIST (list));
  wait_description (list, "a.c:M");
  g_assert_cmpint (spark_project_get_status (project, "outside.c"), ==, SPARK_GIT_STATUS_NONE);

  g_clear_object (&list);
  g_clear_object (&project);
  spark_test_rm_rf (dir);
}

static void
test_status_mapping (void)
{
  static const struct {
    unsigned int flags;
    SparkGitStatus status;
  } cases[] = {
    { GIT_STATUS_CURRENT, SPARK_GIT_STATUS_NONE },
    { GIT_STATUS_WT_MODIFIED, SPARK_GIT_STATUS_MODIFIED },
    { GIT_STATUS_WT_TYPECHANGE, SPARK_GIT_STATUS_MODIFIED },
    { GIT_STATUS_INDEX_MODIFIED, SPARK_GIT_STATUS_MODIFIED },
    { GIT_STATUS_WT_NEW, SPARK_GIT_STATUS_NEW },
    { GIT_STATUS_INDEX_NEW, SPARK_GIT_STATUS_NEW },
    /* Staged as new, then changed again: still new to the branch. */
    { GIT_STATUS_INDEX_NEW | GIT_STATUS_WT_MODIFIED, SPARK_GIT_STATUS_MODIFIED },
    { GIT_STATUS_WT_DELETED, SPARK_GIT_STATUS_DELETED },
    { GIT_STATUS_INDEX_DELETED, SPARK_GIT_STATUS_DELETED },
    { GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_WT_DELETED, SPARK_GIT_STATUS_DELETED },
    { GIT_STATUS_INDEX_RENAMED, SPARK_GIT_STATUS_RENAMED },
    { GIT_STATUS_INDEX_RENAMED | GIT_STATUS_WT_MODIFIED, SPARK_GIT_STATUS_MODIFIED },
    { GIT_STATUS_CONFLICTED | GIT_STATUS_WT_MODIFIED, SPARK_GIT_STATUS_CONFLICTED },
    { GIT_STATUS_IGNORED, SPARK_GIT_STATUS_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: flags 0x%x", i, cases[i].flags);
      g_assert_cmpint (spark_git_status_from_flags (cases[i].flags), ==, cases[i].status);
    }

  g_assert_cmpstr (spark_git_status_to_letter (SPARK_GIT_STATUS_NEW), ==, "A");
  g_assert_cmpstr (spark_git_status_to_letter (SPARK_GIT_STATUS_NONE), ==, "");
}

static void
test_staged_rename_and_conflict_free_repo (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SparkGit) git = NULL;
  g_autoptr(GHashTable) table = NULL;

  spark_test_git (dir, "init", "-q", NULL);
  spark_test_write_file (dir, "old.txt", "some content that is long enough\n");
  spark_test_git (dir, "add", ".", NULL);
  spark_test_git (dir, "commit", "-q", "-m", "first", NULL);
  spark_test_git (dir, "mv", "old.txt", "new.txt", NULL);

  git = spark_git_open (dir, &error);
  g_assert_no_error (error);
  table = spark_git_read_status (git, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (table, "new.txt")), ==, SPARK_GIT_STATUS_RENAMED);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (table, "old.txt")), ==, SPARK_GIT_STATUS_DELETED);

  spark_test_rm_rf (dir);
}

static void
test_not_a_repo (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GError) error = NULL;
  SparkGit *git = spark_git_open (dir, &error);

  g_assert_null (git);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  spark_test_rm_rf (dir);
}

static void
list_files_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = spark_project_list_files_finish (SPARK_PROJECT (object), result, &error);
  g_assert_no_error (error);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
test_list_files (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GFile) root = g_file_new_for_path (dir);
  g_autoptr(SparkProject) project = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *joined = NULL;

  spark_test_git (dir, "init", "-q", NULL);
  spark_test_write_file (dir, ".gitignore", "node_modules/\n");
  spark_test_write_file (dir, "src/ui/window.c", "\n");
  spark_test_write_file (dir, "node_modules/x/index.js", "\n");
  spark_test_write_file (dir, "README.md", "\n");

  project = spark_project_new (root);
  spark_project_list_files_async (project, 1000, NULL, list_files_cb, &files);
  while (files == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_ptr_array_sort (files, compare_strings);
  g_ptr_array_add (files, NULL);
  joined = g_strjoinv (" ", (char **) files->pdata);
  g_assert_cmpstr (joined, ==, ".gitignore README.md src/ui/window.c");

  g_clear_object (&project);
  spark_test_rm_rf (dir);
}

static int
compare_node_ptrs (gconstpointer a,
                   gconstpointer b)
{
  return spark_file_node_compare (*(SparkFileNode **) a, *(SparkFileNode **) b);
}

static void
test_natural_order (void)
{
  static const char *names[] = { "file10.c", "File2.c", "file1.c", "file002.h", "Zeta",
                                 "alpha", "v1.10", "v1.9", "10", "9", NULL };
  g_autoptr(GFile) parent = g_file_new_for_path ("/tmp");
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) order = g_string_new (NULL);
  char *root = g_ref_string_new ("");

  for (guint i = 0; names[i]; i++)
    g_ptr_array_add (nodes, spark_file_node_new (parent, root, names[i], FALSE, FALSE));
  g_ptr_array_add (nodes, spark_file_node_new (parent, root, "src", TRUE, FALSE));
  g_ptr_array_sort (nodes, compare_node_ptrs);

  for (guint i = 0; i < nodes->len; i++)
    g_string_append_printf (order, "%s%s", i ? " " : "",
                            spark_file_node_get_name (g_ptr_array_index (nodes, i)));

  g_assert_cmpstr (order->str, ==,
                   "src 9 10 alpha file1.c File2.c file002.h file10.c v1.9 v1.10 Zeta");
  g_ref_string_release (root);
}

static void
test_fuzzy (void)
{
  int a = 0, b = 0;

  g_assert_true (spark_fuzzy_match ("swin", "src/ui/spark-window.c", &a));
  g_assert_false (spark_fuzzy_match ("xyz", "src/ui/spark-window.c", NULL));
  g_assert_true (spark_fuzzy_match ("WIN", "src/ui/spark-window.c", NULL));
  g_assert_false (spark_fuzzy_match ("wc", "src/ui/spark-window.h", NULL));

  /* The file name beats a scattered match in the folders. */
  g_assert_true (spark_fuzzy_match ("main", "src/main.c", &a));
  g_assert_true (spark_fuzzy_match ("main", "my/app/in/net/code.c", &b));
  g_assert_cmpint (a, >, b);

  /* Shorter paths win ties. */
  g_assert_true (spark_fuzzy_match ("util", "util.c", &a));
  g_assert_true (spark_fuzzy_match ("util", "deep/deeper/deepest/util.c", &b));
  g_assert_cmpint (a, >, b);
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/core/project/sorting-and-lazy", test_sorting_and_lazy);
  g_test_add_func ("/core/project/links", test_links);
  g_test_add_func ("/core/project/git-ignore-and-status", test_git_ignore_and_status);
  g_test_add_func ("/core/project/subfolder-of-repo", test_subfolder_of_repo);
  g_test_add_func ("/core/project/list-files", test_list_files);
  g_test_add_func ("/core/git/status-mapping", test_status_mapping);
  g_test_add_func ("/core/git/staged-rename", test_staged_rename_and_conflict_free_repo);
  g_test_add_func ("/core/git/not-a-repo", test_not_a_repo);
  g_test_add_func ("/core/file-node/natural-order", test_natural_order);
  g_test_add_func ("/core/fuzzy/match", test_fuzzy);

  return g_test_run ();
}
