/* bench-open-folder.c: opening a 100,000-file folder in the real window
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints one JSON object per line:
 *   open_first_rows_ms  window asked to open → the first frame drawn with rows
 *   root_listed_ms      → the folder's 100,000 entries are in the model
 *   git_status_ms       → the git status of 100,000 untracked files is in
 *   max_stall_ms        the longest the main loop was blocked meanwhile
 *   rss_mb              resident memory after everything loaded
 * The folder is a git repository (every file untracked, the worst case for
 * status) holding N files at its top level, so one folder listing holds all
 * of them.
 */

#include "config.h"

#include <stdio.h>

#include <gtk/gtk.h>

#include "spark-application.h"
#include "spark-directory-list.h"
#include "spark-test-utils.h"
#include "spark-window.h"

static gint64 last_tick;
static gint64 max_stall;

static gboolean
stall_tick_cb (gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  if (last_tick != 0)
    max_stall = MAX (max_stall, now - last_tick);
  last_tick = now;

  return G_SOURCE_CONTINUE;
}

static gint64 first_rows_frame;

static void
after_paint_cb (GdkFrameClock *clock,
                GListModel    *rows)
{
  if (first_rows_frame == 0 && g_list_model_get_n_items (rows) > 0)
    first_rows_frame = g_get_monotonic_time ();
}

static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  if (line == NULL)
    return -1;
  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SparkApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GFile) folder = NULL;
  guint n_files = 100000;
  SparkWindow *window;
  GListModel *rows;
  SparkProject *project;
  gint64 start, listed = 0, status = 0;
  double rss_before;

  if (argc > 1)
    n_files = (guint) g_ascii_strtoull (argv[1], NULL, 10);

  gtk_init ();
  spark_test_quiet_logs ();

  /* SPARK_BENCH_KEEP=DIR keeps the folder for the next run, which then
   * skips making it: handy for profiling the opening alone. */
  if (g_getenv ("SPARK_BENCH_KEEP") != NULL)
    dir = g_strdup (g_getenv ("SPARK_BENCH_KEEP"));
  else
    dir = spark_test_make_temp_dir ();

  {
    g_autofree char *git_dir = g_build_filename (dir, ".git", NULL);

    if (!g_file_test (git_dir, G_FILE_TEST_IS_DIR))
      {
        g_mkdir_with_parents (dir, 0755);
        spark_test_git (dir, "init", "-q", NULL);
        for (guint i = 0; i < n_files; i++)
          {
            char name[64];
            g_autofree char *path = NULL;

            g_snprintf (name, sizeof name, "file-%06u.c", i);
            path = g_build_filename (dir, name, NULL);
            if (!g_file_set_contents (path, "int x;\n", -1, &error))
              g_error ("%s", error->message);
          }
      }
  }
  folder = g_file_new_for_path (dir);

  app = spark_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  window = spark_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  rss_before = rss_mb ();
  g_timeout_add (1, stall_tick_cb, NULL);

  start = g_get_monotonic_time ();
  last_tick = start;
  spark_window_open_folder (window, folder);

  rows = spark_file_tree_get_rows (spark_window_get_file_tree (window));
  project = spark_window_get_project (window);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), rows);

  while (first_rows_frame == 0 || listed == 0 || status == 0)
    {
      g_main_context_iteration (NULL, TRUE);
      if (listed == 0 && g_list_model_get_n_items (rows) >= n_files)
        listed = g_get_monotonic_time ();
      if (status == 0 && spark_project_get_status_loaded (project))
        status = g_get_monotonic_time ();
      if (g_get_monotonic_time () - start > 120 * G_USEC_PER_SEC)
        g_error ("Opening took more than two minutes");
    }

  /* Let the status reach the visible rows. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  printf ("{\"name\": \"open_first_rows_ms\", \"files\": %u, \"value\": %.1f, \"unit\": \"ms\", \"target\": 300}\n",
          n_files, (first_rows_frame - start) / 1000.0);
  printf ("{\"name\": \"root_listed_ms\", \"files\": %u, \"value\": %.1f, \"unit\": \"ms\"}\n",
          n_files, (listed - start) / 1000.0);
  printf ("{\"name\": \"git_status_ms\", \"files\": %u, \"value\": %.1f, \"unit\": \"ms\"}\n",
          n_files, (status - start) / 1000.0);
  printf ("{\"name\": \"max_stall_ms\", \"files\": %u, \"value\": %.1f, \"unit\": \"ms\"}\n",
          n_files, max_stall / 1000.0);
  printf ("{\"name\": \"rss_mb\", \"files\": %u, \"value\": %.1f, \"before\": %.1f, \"unit\": \"MB\", \"target\": 80}\n",
          n_files, rss_mb (), rss_before);

  gtk_window_destroy (GTK_WINDOW (window));
  if (g_getenv ("SPARK_BENCH_KEEP") == NULL)
    spark_test_rm_rf (dir);

  return 0;
}
