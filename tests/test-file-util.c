/* test-file-util.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "spark-file-util.h"
#include "spark-test-utils.h"

static guint
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d))
    n++;
  g_dir_close (d);
  return n;
}

static void
test_atomic_replace_keeps_mode (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "run.sh", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  gsize len;

  spark_test_write_file (dir, "run.sh", "#!/bin/sh\necho old\n");
  g_assert_cmpint (g_chmod (path, 0751), ==, 0);

  g_assert_true (spark_file_write_atomic (path, "#!/bin/sh\necho new\n", 19, &error));
  g_assert_no_error (error);

  contents = spark_test_read_file (dir, "run.sh", &len);
  g_assert_cmpstr (contents, ==, "#!/bin/sh\necho new\n");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0751);
  /* No temporary file is left behind. */
  g_assert_cmpuint (count_entries (dir), ==, 1);

  spark_test_rm_rf (dir);
}

/* A write killed between naming its temporary file and the rename leaves
 * ".NAME.spark-new"; the next write of NAME replaces it. A name as long as
 * the file system allows still gets a temporary file (its name is cut). */
static void
test_atomic_leftover_and_long_name (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "f.txt", NULL);
  g_autofree char *long_name = g_strnfill (255, 'l');
  g_autofree char *long_path = g_build_filename (dir, long_name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  spark_test_write_file (dir, "f.txt", "old\n");
  spark_test_write_file (dir, ".f.txt.spark-new", "half of a killed wr");

  g_assert_true (spark_file_write_atomic (path, "new\n", 4, &error));
  g_assert_no_error (error);
  contents = spark_test_read_file (dir, "f.txt", NULL);
  g_assert_cmpstr (contents, ==, "new\n");
  g_assert_cmpuint (count_entries (dir), ==, 1);

  g_assert_true (spark_file_write_atomic (long_path, "x\n", 2, &error));
  g_assert_no_error (error);
  g_assert_true (spark_file_write_atomic (long_path, "y\n", 2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (dir), ==, 2);

  spark_test_rm_rf (dir);
}

static void
test_atomic_new_file_and_symlink (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "new.txt", NULL);
  g_autofree char *link = g_build_filename (dir, "link.txt", NULL);
  g_autofree char *a = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_true (spark_file_write_atomic (path, "", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  /* A new file gets the umask's mode, not mkstemp's 0600. */
  g_assert_cmpint (st.st_mode & 0044, !=, 0);

  g_assert_cmpint (symlink ("new.txt", link), ==, 0);
  g_assert_true (spark_file_write_atomic (link, "via link\n", 9, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  a = spark_test_read_file (dir, "new.txt", NULL);
  g_assert_cmpstr (a, ==, "via link\n");

  spark_test_rm_rf (dir);
}

static void
test_atomic_write_failure_keeps_old (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *sub = g_build_filename (dir, "ro", NULL);
  g_autofree char *path = g_build_filename (sub, "a.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  spark_test_write_file (dir, "ro/a.txt", "old\n");
  /* A folder we cannot create files in: the temp file fails, the old
   * bytes stay. Root ignores permissions, so use a missing folder then. */
  if (geteuid () == 0)
    {
      g_autofree char *missing = g_build_filename (dir, "missing", "a.txt", NULL);
      g_assert_false (spark_file_write_atomic (missing, "new\n", 4, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    }
  else
    {
      g_assert_cmpint (g_chmod (sub, 0555), ==, 0);
      g_assert_false (spark_file_write_atomic (path, "new\n", 4, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_chmod (sub, 0755);
    }
  contents = spark_test_read_file (dir, "ro/a.txt", NULL);
  g_assert_cmpstr (contents, ==, "old\n");

  spark_test_rm_rf (dir);
}

static void
test_refuses_directory (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autoptr(GError) error = NULL;

  g_assert_false (spark_file_write_atomic (dir, "x", 1, &error));
  g_assert_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_NOT_REGULAR);
  spark_test_rm_rf (dir);
}

static void
test_load_text_kinds (void)
{
  g_autofree char *dir = spark_test_make_temp_dir ();
  g_autofree char *bin = g_build_filename (dir, "a.bin", NULL);
  g_autofree char *big = g_build_filename (dir, "big.txt", NULL);
  g_autofree char *latin = g_build_filename (dir, "latin1.txt", NULL);
  g_autofree char *crlf = g_build_filename (dir, "crlf.txt", NULL);
  g_autofree char *text = NULL;
  g_autofree char *back = NULL;
  g_autoptr(GError) error = NULL;
  SparkNewline nl;
  gsize len, back_len;

  g_assert_true (g_file_set_contents (bin, "ELF\0\1\2", 6, NULL));
  g_assert_null (spark_file_load_text (bin, SPARK_FILE_MAX_TEXT_SIZE, &len, NULL, &error));
  g_assert_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_BINARY);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (big, "0123456789", 10, NULL));
  g_assert_null (spark_file_load_text (big, 9, &len, NULL, &error));
  g_assert_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  text = spark_file_load_text (big, 10, &len, &nl, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "0123456789");
  g_clear_pointer (&text, g_free);

  g_assert_true (g_file_set_contents (latin, "caf\xe9\n", 5, NULL));
  g_assert_null (spark_file_load_text (latin, SPARK_FILE_MAX_TEXT_SIZE, &len, NULL, &error));
  g_assert_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_ENCODING);
  g_clear_error (&error);

  g_assert_null (spark_file_load_text (dir, SPARK_FILE_MAX_TEXT_SIZE, &len, NULL, &error));
  g_assert_error (error, SPARK_FILE_ERROR, SPARK_FILE_ERROR_NOT_REGULAR);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (crlf, "a\r\nb\r\n\r\nc", -1, NULL));
  text = spark_file_load_text (crlf, SPARK_FILE_MAX_TEXT_SIZE, &len, &nl, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nl, ==, SPARK_NEWLINE_CRLF);
  g_assert_cmpstr (text, ==, "a\nb\n\nc");
  g_assert_cmpuint (len, ==, 6);
  back = spark_text_convert_newlines (text, len, nl, &back_len);
  g_assert_cmpstr (back, ==, "a\r\nb\r\n\r\nc");
  g_assert_cmpuint (back_len, ==, 9);
  g_clear_pointer (&text, g_free);

  /* The checksum is of the bytes on disk, CRLF and all. */
  {
    g_autofree char *checksum = NULL;
    g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "a\r\nb\r\n\r\nc", -1);

    text = spark_file_load_text_full (crlf, SPARK_FILE_MAX_TEXT_SIZE, &len, &nl, &checksum, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (text, ==, "a\nb\n\nc");
    g_assert_cmpstr (checksum, ==, expected);
  }

  spark_test_rm_rf (dir);
}

static void
test_looks_binary (void)
{
  g_autofree char *late = g_malloc0 (9000);

  g_assert_false (spark_text_looks_binary ("hello\n", 6));
  g_assert_true (spark_text_looks_binary ("he\0llo", 6));
  g_assert_false (spark_text_looks_binary ("", 0));
  /* Only the start is sniffed, like git. */
  memset (late, 'a', 8500);
  g_assert_false (spark_text_looks_binary (late, 9000));
}

int
main (int   argc,
      char *argv[])
{
  spark_test_init (&argc, &argv);

  g_test_add_func ("/core/file-util/atomic-replace-keeps-mode", test_atomic_replace_keeps_mode);
  g_test_add_func ("/core/file-util/atomic-new-file-and-symlink", test_atomic_new_file_and_symlink);
  g_test_add_func ("/core/file-util/atomic-leftover-and-long-name", test_atomic_leftover_and_long_name);
  g_test_add_func ("/core/file-util/atomic-failure-keeps-old", test_atomic_write_failure_keeps_old);
  g_test_add_func ("/core/file-util/refuses-directory", test_refuses_directory);
  g_test_add_func ("/core/file-util/load-text-kinds", test_load_text_kinds);
  g_test_add_func ("/core/file-util/looks-binary", test_looks_binary);

  return g_test_run ();
}
