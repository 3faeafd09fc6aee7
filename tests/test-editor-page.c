/* test-editor-page.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "spark-editor-page.h"
#include "spark-test-gtk.h"
#include "spark-test-utils.h"

typedef struct
{
  char            *dir;
  char            *path;
  GtkWindow       *window;
  SparkEditorPage *page;
} Fixture;

static void
write_bytes (const char *path,
             const char *contents,
             gssize      length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* Rewrites the file in place (no rename), as some tools do. */
static void
write_in_place (const char *path,
                const char *contents)
{
  FILE *fp = fopen (path, "w");

  g_assert_nonnull (fp);
  fputs (contents, fp);
  g_assert_cmpint (fclose (fp), ==, 0);
}

static char *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static char *
buffer_text (Fixture *f)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (spark_editor_page_get_buffer (f->page));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static gboolean
buffer_text_is (Fixture    *f,
                const char *expected)
{
  g_autofree char *text = buffer_text (f);

  return g_strcmp0 (text, expected) == 0;
}

static gboolean
file_is (const char *path,
         const char *expected)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  return g_strcmp0 (contents, expected) == 0;
}

static gpointer
child (Fixture    *f,
       const char *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->page),
                                                   SPARK_TYPE_EDITOR_PAGE, id);

  g_assert_nonnull (object);
  return object;
}

static void
append_text (Fixture    *f,
             const char *text)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (spark_editor_page_get_buffer (f->page));
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);
}

static void
save (Fixture *f)
{
  g_assert_true (spark_editor_page_get_modified (f->page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "page.save", NULL));
  SPARK_TEST_WAIT_UNTIL (!spark_editor_page_get_modified (f->page));
}

static void
open_page (Fixture *f)
{
  g_autoptr(GFile) file = g_file_new_for_path (f->path);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 800, 480);
  f->page = spark_editor_page_new (file);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);

  g_assert_true (spark_editor_page_get_loading (f->page));
  SPARK_TEST_WAIT_UNTIL (!spark_editor_page_get_loading (f->page));
}

static void
fixture_open (Fixture    *f,
              const char *name,
              const char *contents)
{
  f->path = g_build_filename (f->dir, name, NULL);
  spark_test_write_file (f->dir, name, contents);
  open_page (f);
  g_assert_null (spark_editor_page_get_error_message (f->page));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = spark_test_make_temp_dir ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    {
      SparkEditorPage *page = f->page;

      g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
      gtk_window_destroy (f->window);
      /* No reference cycles: the page goes away with its window. */
      SPARK_TEST_WAIT_UNTIL (page == NULL);
    }

  spark_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  const char *source = "#include <stdio.h>\n\nint\nmain (void)\n{\n  return 0;\n}\n";
  GtkSourceBuffer *buffer;
  GtkSourceLanguage *language;
  GtkTextIter iter;

  fixture_open (f, "hello.c", source);

  g_assert_cmpstr (spark_editor_page_get_title (f->page), ==, "hello.c");
  g_assert_true (buffer_text_is (f, source));
  g_assert_false (spark_editor_page_get_modified (f->page));

  buffer = spark_editor_page_get_buffer (f->page);
  language = gtk_source_buffer_get_language (buffer);
  g_assert_nonnull (language);
  g_assert_cmpstr (gtk_source_language_get_id (language), ==, "c");
  g_assert_nonnull (gtk_source_buffer_get_style_scheme (buffer));

  /* The loaded text is not an undoable edit. */
  g_assert_false (gtk_text_buffer_get_can_undo (GTK_TEXT_BUFFER (buffer)));

  gtk_text_buffer_get_iter_at_mark (GTK_TEXT_BUFFER (buffer), &iter,
                                    gtk_text_buffer_get_insert (GTK_TEXT_BUFFER (buffer)));
  g_assert_cmpint (gtk_text_iter_get_offset (&iter), ==, 0);

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (spark_editor_page_get_view (f->page))));
  g_assert_true (gtk_source_view_get_show_line_numbers (spark_editor_page_get_view (f->page)));
}

static void
test_style_scheme (Fixture       *f,
                   gconstpointer  data)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkSourceBuffer *buffer;

  fixture_open (f, "style.py", "print ('hi')\n");
  buffer = spark_editor_page_get_buffer (f->page);

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)),
                   ==, "Adwaita-dark");

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)),
                   ==, "Adwaita");

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_makefile_tabs (Fixture       *f,
                    gconstpointer  data)
{
  GtkSourceLanguage *language;

  fixture_open (f, "Makefile", "all:\n\tcc -o x x.c\n");

  language = gtk_source_buffer_get_language (spark_editor_page_get_buffer (f->page));
  g_assert_nonnull (language);
  g_assert_cmpstr (gtk_source_language_get_id (language), ==, "makefile");
  g_assert_false (gtk_source_view_get_insert_spaces_instead_of_tabs (spark_editor_page_get_view (f->page)));
}

static void
test_save (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *contents = NULL;

  fixture_open (f, "notes.txt", "one\ntwo\n");

  append_text (f, "three\n");
  g_assert_true (spark_editor_page_get_modified (f->page));
  save (f);

  contents = read_bytes (f->path);
  g_assert_cmpstr (contents, ==, "one\ntwo\nthree\n");

  /* Our own save must not look like a change made by someone else. */
  spark_test_spin (1500);
  g_assert_false (spark_editor_page_get_changed_on_disk (f->page));
  g_assert_false (spark_editor_page_get_modified (f->page));
  g_assert_false (gtk_revealer_get_reveal_child (child (f, "disk_revealer")));
  g_assert_true (buffer_text_is (f, "one\ntwo\nthree\n"));
}

static void
test_crlf (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *contents = NULL;

  fixture_open (f, "dos.txt", "a\r\nb\r\n");

  g_assert_true (buffer_text_is (f, "a\nb\n"));
  append_text (f, "c\n");
  save (f);

  contents = read_bytes (f->path);
  g_assert_cmpstr (contents, ==, "a\r\nb\r\nc\r\n");
}

static void
test_keeps_mode (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *contents = NULL;
  GStatBuf st;

  f->path = g_build_filename (f->dir, "run.sh", NULL);
  write_bytes (f->path, "#!/bin/sh\necho hi\n", -1);
  g_assert_cmpint (g_chmod (f->path, 0755), ==, 0);
  open_page (f);

  append_text (f, "echo bye\n");
  save (f);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  contents = read_bytes (f->path);
  g_assert_cmpstr (contents, ==, "#!/bin/sh\necho hi\necho bye\n");
}

static void
test_binary_refused (Fixture       *f,
                     gconstpointer  data)
{
  static const char binary[] = { 'E', 'L', 'F', 0, 1, 2, 3, 0, 'x' };
  g_autofree char *contents = NULL;
  gsize length = 0;
  GtkWidget *status_page;

  f->path = g_build_filename (f->dir, "a.out", NULL);
  write_bytes (f->path, binary, sizeof binary);
  open_page (f);

  g_assert_nonnull (spark_editor_page_get_error_message (f->page));
  g_assert_nonnull (strstr (spark_editor_page_get_error_message (f->page), "binary"));

  status_page = child (f, "status_page");
  g_assert_true (ADW_IS_STATUS_PAGE (status_page));
  g_assert_true (gtk_widget_get_mapped (status_page));
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status_page)), ==,
                   spark_editor_page_get_error_message (f->page));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (spark_editor_page_get_view (f->page))));

  /* Saving a refused file must never write anything. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "page.save", NULL);
  spark_test_spin (200);
  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, binary, sizeof binary);
}

static void
test_reload_unmodified (Fixture       *f,
                        gconstpointer  data)
{
  GtkTextBuffer *buffer;
  GtkTextIter iter;

  fixture_open (f, "live.txt", "first line\nsecond line\n");
  buffer = GTK_TEXT_BUFFER (spark_editor_page_get_buffer (f->page));

  gtk_text_buffer_get_iter_at_line_offset (buffer, &iter, 1, 3);
  gtk_text_buffer_place_cursor (buffer, &iter);

  /* Atomic replace (rename over the file), as git and most editors do. */
  write_bytes (f->path, "first line\nsecond line changed\nthird\n", -1);
  SPARK_TEST_WAIT_UNTIL (buffer_text_is (f, "first line\nsecond line changed\nthird\n"));

  g_assert_false (spark_editor_page_get_modified (f->page));
  g_assert_false (spark_editor_page_get_changed_on_disk (f->page));
  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  g_assert_cmpint (gtk_text_iter_get_line (&iter), ==, 1);
  g_assert_cmpint (gtk_text_iter_get_line_offset (&iter), ==, 3);

  /* The reload is one step of the undo history: nothing the file held
   * before is lost. */
  g_assert_true (gtk_text_buffer_get_can_undo (buffer));
  gtk_text_buffer_undo (buffer);
  g_assert_true (buffer_text_is (f, "first line\nsecond line\n"));
  gtk_text_buffer_redo (buffer);
  g_assert_true (buffer_text_is (f, "first line\nsecond line changed\nthird\n"));
  gtk_text_buffer_set_modified (buffer, FALSE);

  /* In-place rewrite. */
  write_in_place (f->path, "rewritten\n");
  SPARK_TEST_WAIT_UNTIL (buffer_text_is (f, "rewritten\n"));
  g_assert_false (spark_editor_page_get_modified (f->page));
}

static void
test_reload_modified (Fixture       *f,
                      gconstpointer  data)
{
  GtkRevealer *revealer;

  fixture_open (f, "shared.txt", "base\n");
  revealer = child (f, "disk_revealer");

  append_text (f, "mine\n");
  write_bytes (f->path, "theirs\n", -1);
  SPARK_TEST_WAIT_UNTIL (spark_editor_page_get_changed_on_disk (f->page));

  g_assert_true (gtk_revealer_get_reveal_child (revealer));
  g_assert_true (gtk_widget_get_visible (child (f, "reload_button")));
  g_assert_true (buffer_text_is (f, "base\nmine\n"));
  g_assert_true (spark_editor_page_get_modified (f->page));

  /* Reload takes the disk's version. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "page.reload", NULL));
  SPARK_TEST_WAIT_UNTIL (buffer_text_is (f, "theirs\n"));
  g_assert_false (spark_editor_page_get_changed_on_disk (f->page));
  g_assert_false (spark_editor_page_get_modified (f->page));
  g_assert_false (gtk_revealer_get_reveal_child (revealer));

  /* Keep Mine leaves the text alone; a save then overwrites. */
  append_text (f, "mine again\n");
  write_bytes (f->path, "theirs again\n", -1);
  SPARK_TEST_WAIT_UNTIL (spark_editor_page_get_changed_on_disk (f->page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "page.keep-mine", NULL));
  g_assert_false (spark_editor_page_get_changed_on_disk (f->page));
  g_assert_false (gtk_revealer_get_reveal_child (revealer));
  g_assert_true (buffer_text_is (f, "theirs\nmine again\n"));

  /* The same version on disk does not ask again. */
  spark_test_spin (500);
  g_assert_false (spark_editor_page_get_changed_on_disk (f->page));

  save (f);
  g_assert_true (file_is (f->path, "theirs\nmine again\n"));
}

static void
test_deleted (Fixture       *f,
              gconstpointer  data)
{
  fixture_open (f, "gone.txt", "bye\n");

  g_assert_cmpint (g_unlink (f->path), ==, 0);
  SPARK_TEST_WAIT_UNTIL (spark_editor_page_get_deleted_on_disk (f->page));
  g_assert_true (gtk_revealer_get_reveal_child (child (f, "disk_revealer")));
  g_assert_true (gtk_widget_get_visible (child (f, "resave_button")));
  g_assert_true (buffer_text_is (f, "bye\n"));

  /* Saving puts it back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "page.save", NULL));
  SPARK_TEST_WAIT_UNTIL (!spark_editor_page_get_deleted_on_disk (f->page));
  g_assert_true (file_is (f->path, "bye\n"));
  spark_test_spin (300);
  g_assert_false (spark_editor_page_get_deleted_on_disk (f->page));
  g_assert_false (spark_editor_page_get_changed_on_disk (f->page));
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;
  gboolean ok = spark_editor_page_save_finish (SPARK_EDITOR_PAGE (object), result, error);

  g_assert_true (ok == (*error == NULL));
}

static void
test_save_error (Fixture       *f,
                 gconstpointer  data)
{
  GError *error = NULL;

  fixture_open (f, "blocked.txt", "text\n");
  append_text (f, "more\n");

  /* Put a folder where the file was: no save can succeed, even as root. */
  g_assert_cmpint (g_unlink (f->path), ==, 0);
  g_assert_cmpint (g_mkdir (f->path, 0755), ==, 0);

  spark_editor_page_save_async (f->page, NULL, save_done_cb, &error);
  SPARK_TEST_WAIT_UNTIL (error != NULL);
  g_assert_true (gtk_revealer_get_reveal_child (child (f, "error_revealer")));
  g_assert_cmpstr (gtk_label_get_text (child (f, "error_label")), ==, error->message);
  g_assert_true (spark_editor_page_get_modified (f->page));
  g_clear_error (&error);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "page.dismiss-error", NULL);
  g_assert_false (gtk_revealer_get_reveal_child (child (f, "error_revealer")));
}

/* Feeds Shift+Enter to the entry's capture-phase key controller. */
static gboolean
press_shift_enter (GtkWidget *entry)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (entry);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      gboolean handled = FALSE;

      if (!GTK_IS_EVENT_CONTROLLER_KEY (controller) ||
          gtk_event_controller_get_propagation_phase (controller) != GTK_PHASE_CAPTURE)
        continue;

      g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Return, 0, GDK_SHIFT_MASK, &handled);
      if (handled)
        return TRUE;
    }

  return FALSE;
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  GtkLabel *label;

  fixture_open (f, "search.txt", "foo bar foo\nbaz\nqux foo\n");
  label = child (f, "search_label");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "page.find", NULL));
  g_assert_true (gtk_search_bar_get_search_mode (child (f, "search_bar")));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (child (f, "search_entry"))) ||
                 gtk_widget_is_ancestor (gtk_window_get_focus (f->window),
                                         GTK_WIDGET (child (f, "search_entry"))));

  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "foo");
  SPARK_TEST_WAIT_UNTIL (g_strcmp0 (gtk_label_get_text (label), "1 of 3") == 0);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "page.find-next", NULL);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "2 of 3");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "page.find-next", NULL);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "3 of 3");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "page.find-next", NULL);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "1 of 3");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "page.find-previous", NULL);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "3 of 3");

  /* Enter in the entry moves on, as does Ctrl+G. */
  g_signal_emit_by_name (child (f, "search_entry"), "activate");
  g_assert_cmpstr (gtk_label_get_text (label), ==, "1 of 3");
  g_signal_emit_by_name (child (f, "search_entry"), "previous-match");
  g_assert_cmpstr (gtk_label_get_text (label), ==, "3 of 3");

  /* Shift+Enter goes back. */
  g_assert_true (press_shift_enter (child (f, "search_entry")));
  g_assert_cmpstr (gtk_label_get_text (label), ==, "2 of 3");

  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "nothing here");
  SPARK_TEST_WAIT_UNTIL (g_strcmp0 (gtk_label_get_text (label), "No matches") == 0);

  /* Escape closes the bar and gives the text the focus back. */
  g_signal_emit_by_name (child (f, "search_entry"), "stop-search");
  g_assert_false (gtk_search_bar_get_search_mode (child (f, "search_bar")));
  g_assert_true (gtk_window_get_focus (f->window) ==
                 GTK_WIDGET (spark_editor_page_get_view (f->page)));
}

typedef struct
{
  gboolean  done;
  gboolean  result;
  GError   *error;
} CloseResult;

static void
confirm_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CloseResult *r = user_data;

  r->result = spark_editor_page_confirm_close_finish (SPARK_EDITOR_PAGE (object), result, &r->error);
  r->done = TRUE;
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) && gtk_widget_get_visible (GTK_WIDGET (item)))
        return ADW_MESSAGE_DIALOG (item);
    }

  return NULL;
}

static void
answer_dialog (const char *response)
{
  AdwMessageDialog *dialog;

  SPARK_TEST_WAIT_UNTIL (find_dialog () != NULL);
  dialog = find_dialog ();
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_confirm_close (Fixture       *f,
                    gconstpointer  data)
{
  CloseResult r = { 0 };
  g_autoptr(GCancellable) cancellable = NULL;

  fixture_open (f, "close.txt", "keep\n");

  /* Unmodified: no question. */
  spark_editor_page_confirm_close_async (f->page, f->window, NULL, confirm_done_cb, &r);
  SPARK_TEST_WAIT_UNTIL (r.done);
  g_assert_true (r.result);
  g_assert_null (find_dialog ());

  append_text (f, "edit\n");

  memset (&r, 0, sizeof r);
  spark_editor_page_confirm_close_async (f->page, f->window, NULL, confirm_done_cb, &r);
  answer_dialog ("cancel");
  SPARK_TEST_WAIT_UNTIL (r.done);
  g_assert_false (r.result);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);

  memset (&r, 0, sizeof r);
  spark_editor_page_confirm_close_async (f->page, f->window, NULL, confirm_done_cb, &r);
  answer_dialog ("discard");
  SPARK_TEST_WAIT_UNTIL (r.done);
  g_assert_true (r.result);
  g_assert_true (file_is (f->path, "keep\n"));

  memset (&r, 0, sizeof r);
  spark_editor_page_confirm_close_async (f->page, f->window, NULL, confirm_done_cb, &r);
  answer_dialog ("save");
  SPARK_TEST_WAIT_UNTIL (r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.result);
  g_assert_true (file_is (f->path, "keep\nedit\n"));
  g_assert_false (spark_editor_page_get_modified (f->page));

  /* The window may call it off, e.g. when it closes for another reason. */
  append_text (f, "again\n");
  memset (&r, 0, sizeof r);
  cancellable = g_cancellable_new ();
  spark_editor_page_confirm_close_async (f->page, f->window, cancellable, confirm_done_cb, &r);
  SPARK_TEST_WAIT_UNTIL (find_dialog () != NULL);
  g_cancellable_cancel (cancellable);
  SPARK_TEST_WAIT_UNTIL (r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  SPARK_TEST_WAIT_UNTIL (find_dialog () == NULL);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *source = NULL;

  source = g_strdup ("/* hello.c */\n"
                     "#include <stdio.h>\n\n"
                     "static int\n"
                     "add (int a,\n"
                     "     int b)\n"
                     "{\n"
                     "  return a + b;\n"
                     "}\n\n"
                     "int\n"
                     "main (void)\n"
                     "{\n"
                     "  printf (\"%d\\n\", add (1, 2));\n"
                     "  return 0;\n"
                     "}\n");
  fixture_open (f, "hello.c", source);

  append_text (f, "/* edited */\n");
  write_bytes (f->path, "changed elsewhere\n", -1);
  SPARK_TEST_WAIT_UNTIL (spark_editor_page_get_changed_on_disk (f->page));

  spark_editor_page_begin_search (f->page, "add");
  SPARK_TEST_WAIT_UNTIL (g_strcmp0 (gtk_label_get_text (child (f, "search_label")), "1 of 2") == 0);

  spark_test_spin (600);  /* revealer animations */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));

  spark_test_save_screenshot (GTK_WIDGET (f->window), "editor-page.png");
}

#define fixtured_test(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  spark_test_quiet_logs ();
  adw_init ();
  spark_test_load_css ();

  fixtured_test ("/spark/editor-page/load", test_load);
  fixtured_test ("/spark/editor-page/makefile-tabs", test_makefile_tabs);
  fixtured_test ("/spark/editor-page/style-scheme", test_style_scheme);
  fixtured_test ("/spark/editor-page/save", test_save);
  fixtured_test ("/spark/editor-page/crlf", test_crlf);
  fixtured_test ("/spark/editor-page/keeps-mode", test_keeps_mode);
  fixtured_test ("/spark/editor-page/binary-refused", test_binary_refused);
  fixtured_test ("/spark/editor-page/reload-unmodified", test_reload_unmodified);
  fixtured_test ("/spark/editor-page/reload-modified", test_reload_modified);
  fixtured_test ("/spark/editor-page/deleted", test_deleted);
  fixtured_test ("/spark/editor-page/save-error", test_save_error);
  fixtured_test ("/spark/editor-page/search", test_search);
  fixtured_test ("/spark/editor-page/confirm-close", test_confirm_close);
  fixtured_test ("/spark/editor-page/screenshot", test_screenshot);

  return g_test_run ();
}
