/* spark-editor-page.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-editor-page"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "spark-a11y.h"
#include "spark-editor-page.h"
#include "spark-file-util.h"
#include "spark-resources.h"

/* How long to wait after a change on disk before looking at the file, so a
 * burst of events (write, close, rename) costs one read. */
#define CHECK_DELAY_MSEC 100

struct _SparkEditorPage
{
  GtkWidget                parent_instance;

  GFile                   *file;
  char                    *title;
  char                    *error_message;
  GtkSourceBuffer         *buffer;
  GtkSourceSearchSettings *search_settings;
  GtkSourceSearchContext  *search_context;
  GFileMonitor            *monitor;
  GCancellable            *cancellable;

  /* SHA-256 of the bytes we last read from or wrote to disk, and of the
   * bytes found on disk by the last check (for "Keep Mine"). */
  char                    *checksum;
  char                    *disk_checksum;

  /* GTasks of spark_editor_page_save_async() waiting for their turn. */
  GQueue                   save_queue;
  guint64                  change_serial;
  guint                    check_source;
  SparkNewline             newline;

  /* Template widgets */
  GtkLabel                *disk_label;
  GtkRevealer             *disk_revealer;
  GtkLabel                *error_label;
  GtkRevealer             *error_revealer;
  GtkButton               *keep_button;
  GtkButton               *reload_button;
  GtkButton               *resave_button;
  GtkSearchBar            *search_bar;
  GtkSearchEntry          *search_entry;
  GtkLabel                *search_label;
  GtkSpinner              *spinner;
  GtkStack                *stack;
  AdwStatusPage           *status_page;
  GtkSourceView           *view;

  guint                    loading : 1;
  guint                    loaded : 1;
  guint                    saving : 1;
  guint                    changed_on_disk : 1;
  guint                    deleted_on_disk : 1;
  guint                    recheck_after_save : 1;
  guint                    focus_after_load : 1;
  guint                    disposed : 1;
};

G_DEFINE_FINAL_TYPE (SparkEditorPage, spark_editor_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHANGED_ON_DISK,
  PROP_DELETED_ON_DISK,
  PROP_ERROR_MESSAGE,
  PROP_FILE,
  PROP_LOADING,
  PROP_MODIFIED,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  LOAD_INITIAL,
  LOAD_RELOAD,
  LOAD_AUTO_RELOAD,
} LoadKind;

typedef struct
{
  char         *path;
  char         *basename;
  char         *text;
  gsize         length;
  SparkNewline  newline;
  char         *checksum;
  char         *content_type;
  gboolean      uncertain;
  gboolean      uses_tabs;
  LoadKind      kind;
} LoadData;

typedef struct
{
  char    *path;
  char    *checksum;
  gboolean exists;
} CheckData;

typedef struct
{
  char    *path;
  char    *contents;
  gsize    length;
  char    *checksum;
  guint64  serial;
} SaveData;

static void spark_editor_page_load   (SparkEditorPage *self,
                                      LoadKind         kind);
static void spark_editor_page_save_next (SparkEditorPage *self);

static void
load_data_free (gpointer data)
{
  LoadData *ld = data;

  g_free (ld->path);
  g_free (ld->basename);
  g_free (ld->text);
  g_free (ld->checksum);
  g_free (ld->content_type);
  g_free (ld);
}

static void
check_data_free (gpointer data)
{
  CheckData *cd = data;

  g_free (cd->path);
  g_free (cd->checksum);
  g_free (cd);
}

static void
save_data_free (gpointer data)
{
  SaveData *sd = data;

  g_free (sd->path);
  g_free (sd->contents);
  g_free (sd->checksum);
  g_free (sd);
}

static void
set_boolean_prop (SparkEditorPage *self,
                  gboolean         value,
                  guint            prop_id)
{
  gboolean old;

  value = !!value;

  switch (prop_id)
    {
    case PROP_LOADING:
      old = self->loading;
      self->loading = value;
      break;

    case PROP_CHANGED_ON_DISK:
      old = self->changed_on_disk;
      self->changed_on_disk = value;
      break;

    case PROP_DELETED_ON_DISK:
      old = self->deleted_on_disk;
      self->deleted_on_disk = value;
      break;

    default:
      g_assert_not_reached ();
    }

  if (old != value)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
update_actions (SparkEditorPage *self)
{
  gboolean can_edit = self->loaded && !self->loading;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.save", can_edit);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.reload",
                                 can_edit && !self->deleted_on_disk);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.find", self->loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.find-next", self->loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.find-previous", self->loaded);
}

/* The bar above the text that talks about the file on disk. */
static void
update_disk_bar (SparkEditorPage *self)
{
  if (self->deleted_on_disk)
    {
      gtk_label_set_text (self->disk_label, _("The file was deleted from disk."));
      /* translators: hides the bar saying the file was deleted */
      gtk_button_set_label (self->keep_button, _("_Dismiss"));
      gtk_widget_set_visible (GTK_WIDGET (self->reload_button), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->resave_button), TRUE);
    }
  else if (self->changed_on_disk)
    {
      gtk_label_set_text (self->disk_label, _("The file changed on disk."));
      gtk_button_set_label (self->keep_button, _("_Keep Mine"));
      gtk_widget_set_visible (GTK_WIDGET (self->reload_button), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->resave_button), FALSE);
    }

  update_actions (self);
}

static void
show_disk_bar (SparkEditorPage *self,
               gboolean         show)
{
  if (show)
    update_disk_bar (self);
  gtk_revealer_set_reveal_child (self->disk_revealer, show);
}

static void
show_error (SparkEditorPage *self,
            const char      *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
update_style_scheme (SparkEditorPage *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (style_manager);
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");
  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "oblivion" : "classic");

  gtk_source_buffer_set_style_scheme (self->buffer, scheme);
}

/* Loading ------------------------------------------------------------- */

static gboolean
text_uses_tabs (const char *text,
                gsize       length)
{
  guint tabs = 0;
  guint spaces = 0;
  gboolean line_start = TRUE;

  for (gsize i = 0; i < length; i++)
    {
      if (line_start)
        {
          if (text[i] == '\t')
            tabs++;
          else if (text[i] == ' ')
            spaces++;
        }
      line_start = text[i] == '\n';
    }

  return tabs > spaces;
}

static char *
checksum_of_file (const char  *path,
                  GError     **error)
{
  g_autofree char *contents = NULL;
  GStatBuf st;
  gsize len;

  if (g_stat (path, &st) == 0 && st.st_size > SPARK_FILE_MAX_TEXT_SIZE)
    return g_strdup_printf ("size:%" G_GINT64_FORMAT, (gint64) st.st_size);

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *ld = task_data;
  GError *error = NULL;

  /* One read gives the text and the checksum of the bytes it came from;
   * a change made after the read shows up as a different checksum. */
  ld->text = spark_file_load_text_full (ld->path, SPARK_FILE_MAX_TEXT_SIZE,
                                        &ld->length, &ld->newline, &ld->checksum, &error);
  if (ld->text == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ld->content_type = g_content_type_guess (ld->basename, (const guchar *) ld->text,
                                           MIN (ld->length, 4096), &ld->uncertain);
  ld->uses_tabs = text_uses_tabs (ld->text, ld->length);

  g_task_return_boolean (task, TRUE);
}

static void
apply_language (SparkEditorPage *self,
                LoadData        *ld)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  GtkSourceLanguage *language;
  const char *id;

  language = gtk_source_language_manager_guess_language (manager, ld->basename,
                                                         ld->uncertain ? NULL : ld->content_type);
  gtk_source_buffer_set_language (self->buffer, language);

  id = language ? gtk_source_language_get_id (language) : NULL;

  if (ld->uses_tabs || g_strcmp0 (id, "makefile") == 0)
    {
      gtk_source_view_set_insert_spaces_instead_of_tabs (self->view, FALSE);
      gtk_source_view_set_tab_width (self->view, 8);
    }
  else
    {
      gtk_source_view_set_insert_spaces_instead_of_tabs (self->view, TRUE);
      gtk_source_view_set_tab_width (self->view, 4);
    }
}

static void
replace_text (SparkEditorPage *self,
              LoadData        *ld,
              gboolean         keep_cursor)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  GtkTextIter iter;
  int line = 0;
  int column = 0;

  if (keep_cursor)
    {
      gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
      line = gtk_text_iter_get_line (&iter);
      column = gtk_text_iter_get_line_offset (&iter);
    }

  if (!keep_cursor)
    {
      /* One insert, outside the undo history, so undo cannot empty the file. */
      gtk_text_buffer_begin_irreversible_action (buffer);
      gtk_text_buffer_set_text (buffer, ld->text, ld->length);
      gtk_text_buffer_end_irreversible_action (buffer);
    }
  else
    {
      /* A reload (an applied change, a checkout) is one undoable step that
       * replaces only the lines that differ: marks, the cursor and the
       * scroll position outside the change stay where they were. */
      GtkTextIter start, end;
      g_autofree char *old = NULL;
      gsize old_len, prefix = 0, suffix = 0;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      old = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      old_len = strlen (old);

      while (prefix < old_len && prefix < ld->length && old[prefix] == ld->text[prefix])
        prefix++;
      while (prefix > 0 && (old[prefix] & 0xC0) == 0x80)
        prefix--;
      while (suffix < old_len - prefix && suffix < ld->length - prefix &&
             old[old_len - 1 - suffix] == ld->text[ld->length - 1 - suffix])
        suffix++;
      while (suffix > 0 && (old[old_len - suffix] & 0xC0) == 0x80)
        suffix--;

      if (prefix != old_len || prefix != ld->length)
        {
          gtk_text_buffer_begin_user_action (buffer);
          gtk_text_buffer_get_iter_at_offset (buffer, &start,
                                              g_utf8_pointer_to_offset (old, old + prefix));
          gtk_text_buffer_get_iter_at_offset (buffer, &end,
                                              g_utf8_pointer_to_offset (old, old + old_len - suffix));
          gtk_text_buffer_delete (buffer, &start, &end);
          gtk_text_buffer_insert (buffer, &start, ld->text + prefix,
                                  ld->length - prefix - suffix);
          gtk_text_buffer_end_user_action (buffer);
        }
    }

  /* gtk_text_buffer_get_iter_at_line_offset() clamps to the line's end. */
  if (!gtk_text_buffer_get_iter_at_line_offset (buffer, &iter, line, column))
    gtk_text_buffer_get_end_iter (buffer, &iter);
  gtk_text_buffer_place_cursor (buffer, &iter);
  gtk_text_buffer_set_modified (buffer, FALSE);

  gtk_text_view_scroll_to_mark (GTK_TEXT_VIEW (self->view),
                                gtk_text_buffer_get_insert (buffer),
                                0.0, FALSE, 0.0, 0.0);
}

static void
file_monitor_changed_cb (SparkEditorPage   *self,
                         GFile             *file,
                         GFile             *other_file,
                         GFileMonitorEvent  event,
                         GFileMonitor      *monitor);

static void
schedule_check (SparkEditorPage *self);

static void
start_monitor (SparkEditorPage *self)
{
  g_autoptr(GError) error = NULL;

  if (self->monitor != NULL)
    return;

  self->monitor = g_file_monitor_file (self->file, G_FILE_MONITOR_NONE, NULL, &error);
  if (self->monitor == NULL)
    {
      g_debug ("Not watching %s: %s", self->title, error->message);
      return;
    }

  g_signal_connect_object (self->monitor, "changed",
                           G_CALLBACK (file_monitor_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (object);
  LoadData *ld = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (self->cancellable) || self->disposed)
    return;

  set_boolean_prop (self, FALSE, PROP_LOADING);
  gtk_spinner_stop (self->spinner);

  /* A check that ran into the load looks again against the new checksum. */
  if (self->recheck_after_save)
    {
      self->recheck_after_save = FALSE;
      schedule_check (self);
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (ld->kind == LOAD_INITIAL)
        {
          g_debug ("Refusing %s: %s", ld->path, error->message);
          self->error_message = g_strdup (error->message);
          adw_status_page_set_description (self->status_page, error->message);
          gtk_stack_set_visible_child_name (self->stack, "error");
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
        }
      else
        {
          /* Keep the text we have; say why the reload failed. */
          show_error (self, error->message);
        }
      update_actions (self);
      return;
    }

  g_free (self->checksum);
  self->checksum = g_steal_pointer (&ld->checksum);

  if (ld->kind == LOAD_AUTO_RELOAD &&
      gtk_text_buffer_get_modified (GTK_TEXT_BUFFER (self->buffer)))
    {
      /* The person typed while we were reading: ask instead. */
      g_free (self->disk_checksum);
      self->disk_checksum = g_strdup (self->checksum);
      set_boolean_prop (self, TRUE, PROP_CHANGED_ON_DISK);
      show_disk_bar (self, TRUE);
      return;
    }

  self->newline = ld->newline;

  if (ld->kind == LOAD_INITIAL)
    {
      apply_language (self, ld);
      replace_text (self, ld, FALSE);
      self->loaded = TRUE;
      gtk_stack_set_visible_child_name (self->stack, "editor");
      start_monitor (self);

      if (self->focus_after_load)
        gtk_widget_grab_focus (GTK_WIDGET (self->view));
    }
  else
    {
      replace_text (self, ld, TRUE);
    }

  set_boolean_prop (self, FALSE, PROP_CHANGED_ON_DISK);
  set_boolean_prop (self, FALSE, PROP_DELETED_ON_DISK);
  show_disk_bar (self, FALSE);
  update_actions (self);
}

static void
spark_editor_page_load (SparkEditorPage *self,
                        LoadKind         kind)
{
  g_autoptr(GTask) task = NULL;
  LoadData *ld;

  g_assert (SPARK_IS_EDITOR_PAGE (self));

  ld = g_new0 (LoadData, 1);
  ld->path = g_file_get_path (self->file);
  ld->basename = g_file_get_basename (self->file);
  ld->kind = kind;

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, spark_editor_page_load);
  g_task_set_task_data (task, ld, load_data_free);

  set_boolean_prop (self, TRUE, PROP_LOADING);
  if (kind == LOAD_INITIAL)
    gtk_spinner_start (self->spinner);
  update_actions (self);

  if (ld->path == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("Only local files can be opened"));
  else
    g_task_run_in_thread (task, load_worker);
}

/* Watching the file --------------------------------------------------- */

static void
check_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *cd = task_data;
  GError *error = NULL;

  cd->exists = g_file_test (cd->path, G_FILE_TEST_EXISTS);
  if (cd->exists)
    {
      cd->checksum = checksum_of_file (cd->path, &error);
      if (cd->checksum == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (object);
  CheckData *cd = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean was_deleted;

  if (g_cancellable_is_cancelled (self->cancellable) || self->disposed)
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_debug ("Could not check %s: %s", cd->path, error->message);
      return;
    }

  /* Our own save may have replaced the file and not yet told us the new
   * checksum: look again once it has. */
  if (self->saving || self->loading)
    {
      self->recheck_after_save = TRUE;
      return;
    }

  was_deleted = self->deleted_on_disk;

  if (!cd->exists)
    {
      set_boolean_prop (self, FALSE, PROP_CHANGED_ON_DISK);
      set_boolean_prop (self, TRUE, PROP_DELETED_ON_DISK);
      show_disk_bar (self, TRUE);
      return;
    }

  set_boolean_prop (self, FALSE, PROP_DELETED_ON_DISK);

  if (g_strcmp0 (cd->checksum, self->checksum) == 0)
    {
      /* Back as it was (or only touched). */
      set_boolean_prop (self, FALSE, PROP_CHANGED_ON_DISK);
      show_disk_bar (self, FALSE);
      return;
    }

  if (g_strcmp0 (cd->checksum, self->disk_checksum) == 0 && !was_deleted)
    return; /* The person already chose to keep their text over this version. */

  if (!was_deleted && !gtk_text_buffer_get_modified (GTK_TEXT_BUFFER (self->buffer)))
    {
      /* Nothing to lose: follow the file, as GNOME Text Editor does. */
      spark_editor_page_load (self, LOAD_AUTO_RELOAD);
      return;
    }

  g_free (self->disk_checksum);
  self->disk_checksum = g_steal_pointer (&cd->checksum);
  set_boolean_prop (self, TRUE, PROP_CHANGED_ON_DISK);
  show_disk_bar (self, TRUE);
}

static gboolean
check_timeout_cb (gpointer user_data)
{
  SparkEditorPage *self = user_data;
  g_autoptr(GTask) task = NULL;
  CheckData *cd;

  self->check_source = 0;

  cd = g_new0 (CheckData, 1);
  cd->path = g_file_get_path (self->file);

  task = g_task_new (self, self->cancellable, check_cb, NULL);
  g_task_set_source_tag (task, check_timeout_cb);
  g_task_set_task_data (task, cd, check_data_free);
  g_task_run_in_thread (task, check_worker);

  return G_SOURCE_REMOVE;
}

static void
schedule_check (SparkEditorPage *self)
{
  g_clear_handle_id (&self->check_source, g_source_remove);
  self->check_source = g_timeout_add (CHECK_DELAY_MSEC, check_timeout_cb, self);
}

static void
file_monitor_changed_cb (SparkEditorPage   *self,
                         GFile             *file,
                         GFile             *other_file,
                         GFileMonitorEvent  event,
                         GFileMonitor      *monitor)
{
  /* CHANGED comes in the middle of a write; wait for CHANGES_DONE_HINT. */
  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT ||
      event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_DELETED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN ||
      event == G_FILE_MONITOR_EVENT_MOVED_OUT ||
      event == G_FILE_MONITOR_EVENT_RENAMED)
    schedule_check (self);
}

/* Saving -------------------------------------------------------------- */

static void
save_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *sd = task_data;
  GError *error = NULL;

  if (!spark_file_write_atomic (sd->path, sd->contents, sd->length, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  sd->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                              (const guchar *) sd->contents, sd->length);
  g_task_return_boolean (task, TRUE);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (object);
  SaveData *sd = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_debug ("Saving %s failed: %s", sd->path, error->message);
      if (!self->disposed)
        show_error (self, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    {
      g_free (self->checksum);
      self->checksum = g_steal_pointer (&sd->checksum);

      if (!self->disposed)
        {
          show_error (self, NULL);
          set_boolean_prop (self, FALSE, PROP_CHANGED_ON_DISK);
          set_boolean_prop (self, FALSE, PROP_DELETED_ON_DISK);
          show_disk_bar (self, FALSE);

          /* Text typed during the save is not on disk yet. */
          if (sd->serial == self->change_serial)
            gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (self->buffer), FALSE);
        }

      g_task_return_boolean (task, TRUE);
    }

  if (self->disposed)
    return;

  if (self->recheck_after_save)
    {
      self->recheck_after_save = FALSE;
      schedule_check (self);
    }

  update_actions (self);
  spark_editor_page_save_next (self);
}

static void
spark_editor_page_save_next (SparkEditorPage *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  g_autofree char *text = NULL;
  GtkTextIter start, end;
  SaveData *sd;

  if (self->saving)
    return;

  task = g_queue_pop_head (&self->save_queue);
  if (task == NULL)
    return;

  if (g_task_return_error_if_cancelled (task))
    {
      spark_editor_page_save_next (self);
      return;
    }

  /* The text is taken now, when the save starts, so a queued save writes
   * the newest text. */
  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);
  text = gtk_text_buffer_get_text (GTK_TEXT_BUFFER (self->buffer), &start, &end, TRUE);

  sd = g_new0 (SaveData, 1);
  sd->path = g_file_get_path (self->file);
  sd->contents = spark_text_convert_newlines (text, strlen (text), self->newline, &sd->length);
  sd->serial = self->change_serial;

  self->saving = TRUE;
  update_actions (self);

  thread_task = g_task_new (self, NULL, save_cb, g_steal_pointer (&task));
  g_task_set_source_tag (thread_task, spark_editor_page_save_next);
  g_task_set_task_data (thread_task, sd, save_data_free);
  g_task_run_in_thread (thread_task, save_worker);
}

static void
save_action_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Failures are already shown in the page's error bar. */
  if (!spark_editor_page_save_finish (SPARK_EDITOR_PAGE (object), result, &error))
    g_debug ("Save failed: %s", error->message);
}

/* Search -------------------------------------------------------------- */

static void
update_search_label (SparkEditorPage *self)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  int count;
  int pos;

  if (self->search_settings == NULL ||
      gtk_source_search_settings_get_search_text (self->search_settings) == NULL)
    {
      gtk_label_set_text (self->search_label, "");
      gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
      return;
    }

  count = gtk_source_search_context_get_occurrences_count (self->search_context);
  if (count < 0)
    {
      /* Still counting. */
      gtk_label_set_text (self->search_label, "");
      return;
    }

  if (count == 0)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
      gtk_label_set_text (self->search_label, _("No matches"));
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");

  gtk_text_buffer_get_selection_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);
  pos = gtk_source_search_context_get_occurrence_position (self->search_context, &start, &end);

  if (pos > 0)
    /* translators: the current search match and the number of matches, "2 of 7" */
    text = g_strdup_printf (_("%d of %d"), pos, count);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d match", "%d matches", count), count);

  gtk_label_set_text (self->search_label, text);
}

static void
select_match (SparkEditorPage   *self,
              const GtkTextIter *match_start,
              const GtkTextIter *match_end)
{
  gtk_text_buffer_select_range (GTK_TEXT_BUFFER (self->buffer), match_start, match_end);
  gtk_text_view_scroll_to_mark (GTK_TEXT_VIEW (self->view),
                                gtk_text_buffer_get_insert (GTK_TEXT_BUFFER (self->buffer)),
                                0.25, FALSE, 0.0, 0.0);
  update_search_label (self);
}

static void
search_move (SparkEditorPage *self,
             gboolean         forward,
             gboolean         from_selection_start)
{
  GtkTextIter start, end, match_start, match_end;
  gboolean wrapped;
  gboolean found;

  if (gtk_source_search_settings_get_search_text (self->search_settings) == NULL)
    return;

  gtk_text_buffer_get_selection_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);

  if (forward)
    found = gtk_source_search_context_forward (self->search_context,
                                               from_selection_start ? &start : &end,
                                               &match_start, &match_end, &wrapped);
  else
    found = gtk_source_search_context_backward (self->search_context, &start,
                                                &match_start, &match_end, &wrapped);

  if (found)
    select_match (self, &match_start, &match_end);
  else
    update_search_label (self);
}

static void
search_changed_cb (SparkEditorPage *self,
                   GtkSearchEntry  *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  gtk_source_search_settings_set_search_text (self->search_settings,
                                              text[0] != '\0' ? text : NULL);
  /* Search as you type: keep the current match if it still matches. */
  search_move (self, TRUE, TRUE);
}

static void
search_next_cb (SparkEditorPage *self)
{
  search_move (self, TRUE, FALSE);
}

static void
search_previous_cb (SparkEditorPage *self)
{
  search_move (self, FALSE, FALSE);
}

static void
search_mode_changed_cb (SparkEditorPage *self)
{
  gboolean enabled = gtk_search_bar_get_search_mode (self->search_bar);

  gtk_source_search_context_set_highlight (self->search_context, enabled);

  if (!enabled && !self->disposed)
    gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static gboolean
search_entry_key_pressed_cb (SparkEditorPage       *self,
                             guint                  keyval,
                             guint                  keycode,
                             GdkModifierType        state,
                             GtkEventControllerKey *controller)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter) &&
      (state & GDK_SHIFT_MASK) != 0)
    {
      search_move (self, FALSE, FALSE);
      return TRUE;
    }

  return FALSE;
}

static void
occurrences_changed_cb (SparkEditorPage *self)
{
  update_search_label (self);
}

static void
cursor_moved_cb (SparkEditorPage *self)
{
  if (gtk_search_bar_get_search_mode (self->search_bar))
    update_search_label (self);
}

/* Actions ------------------------------------------------------------- */

static void
page_save_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  spark_editor_page_save_async (SPARK_EDITOR_PAGE (widget), NULL, save_action_cb, NULL);
}

static void
page_reload_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (widget);

  if (self->loaded && !self->loading)
    spark_editor_page_load (self, LOAD_RELOAD);
}

static void
page_keep_mine_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (widget);

  /* Leave deleted-on-disk set: closing the tab still asks about the text. */
  set_boolean_prop (self, FALSE, PROP_CHANGED_ON_DISK);
  show_disk_bar (self, FALSE);
}

static void
page_dismiss_error_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  show_error (SPARK_EDITOR_PAGE (widget), NULL);
}

static void
page_find_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (widget);
  GtkTextIter start, end;

  /* Start from a one-line selection, as most editors do. */
  if (gtk_text_buffer_get_selection_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end) &&
      gtk_text_iter_get_line (&start) == gtk_text_iter_get_line (&end))
    {
      g_autofree char *text = gtk_text_iter_get_slice (&start, &end);

      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
    }

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
  update_search_label (self);
}

static void
page_find_next_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  search_move (SPARK_EDITOR_PAGE (widget), TRUE, FALSE);
}

static void
page_find_previous_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  search_move (SPARK_EDITOR_PAGE (widget), FALSE, FALSE);
}

static void
page_hide_search_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  gtk_search_bar_set_search_mode (SPARK_EDITOR_PAGE (widget)->search_bar, FALSE);
}

/* Buffer -------------------------------------------------------------- */

static void
buffer_changed_cb (SparkEditorPage *self)
{
  self->change_serial++;
}

static void
buffer_modified_changed_cb (SparkEditorPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

/* GObject ------------------------------------------------------------- */

static gboolean
spark_editor_page_grab_focus (GtkWidget *widget)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (widget);

  if (self->loaded)
    return gtk_widget_grab_focus (GTK_WIDGET (self->view));

  self->focus_after_load = TRUE;
  return GTK_WIDGET_CLASS (spark_editor_page_parent_class)->grab_focus (widget);
}

static void
spark_editor_page_constructed (GObject *object)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (object);
  g_autofree char *basename = NULL;

  G_OBJECT_CLASS (spark_editor_page_parent_class)->constructed (object);

  g_assert (G_IS_FILE (self->file));

  basename = g_file_get_basename (self->file);
  self->title = g_filename_display_name (basename);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->title,
                                  -1);

  spark_editor_page_load (self, LOAD_INITIAL);
}

static void
spark_editor_page_dispose (GObject *object)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (object);
  GTask *task;

  self->disposed = TRUE;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->check_source, g_source_remove);

  if (self->monitor != NULL)
    {
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }

  while ((task = g_queue_pop_head (&self->save_queue)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The tab was closed before saving"));
      g_object_unref (task);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_EDITOR_PAGE);

  g_clear_object (&self->search_context);
  g_clear_object (&self->search_settings);

  G_OBJECT_CLASS (spark_editor_page_parent_class)->dispose (object);
}

static void
spark_editor_page_finalize (GObject *object)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (object);

  g_clear_object (&self->buffer);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->file);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->checksum, g_free);
  g_clear_pointer (&self->disk_checksum, g_free);

  G_OBJECT_CLASS (spark_editor_page_parent_class)->finalize (object);
}

static void
spark_editor_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_CHANGED_ON_DISK:
      g_value_set_boolean (value, self->changed_on_disk);
      break;

    case PROP_DELETED_ON_DISK:
      g_value_set_boolean (value, self->deleted_on_disk);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_MODIFIED:
      g_value_set_boolean (value, spark_editor_page_get_modified (self));
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_editor_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SparkEditorPage *self = SPARK_EDITOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_FILE:
      self->file = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_editor_page_class_init (SparkEditorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = spark_editor_page_constructed;
  object_class->dispose = spark_editor_page_dispose;
  object_class->finalize = spark_editor_page_finalize;
  object_class->get_property = spark_editor_page_get_property;
  object_class->set_property = spark_editor_page_set_property;

  widget_class->grab_focus = spark_editor_page_grab_focus;

  /**
   * SparkEditorPage:changed-on-disk:
   *
   * Whether the file on disk differs from the text that was loaded or last
   * saved, and the person has not yet chosen between the two.
   */
  properties[PROP_CHANGED_ON_DISK] =
    g_param_spec_boolean ("changed-on-disk", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SparkEditorPage:deleted-on-disk:
   *
   * Whether the file was removed from disk while the tab was open.
   */
  properties[PROP_DELETED_ON_DISK] =
    g_param_spec_boolean ("deleted-on-disk", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SparkEditorPage:error-message:
   *
   * Why the file could not be opened, or %NULL.
   */
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SparkEditorPage:title:
   *
   * The file's base name, for the tab.
   */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sparkeditorpage");

  /* Referencing the bundle links its object file (and the constructor that
   * registers it) into programs that use this static library, like tests. */
  g_assert (spark_get_resource () != NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-editor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, disk_label);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, disk_revealer);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, keep_button);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, reload_button);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, resave_button);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, search_label);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, SparkEditorPage, view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_mode_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_previous_cb);

  gtk_widget_class_install_action (widget_class, "page.save", NULL, page_save_action);
  gtk_widget_class_install_action (widget_class, "page.reload", NULL, page_reload_action);
  gtk_widget_class_install_action (widget_class, "page.keep-mine", NULL, page_keep_mine_action);
  gtk_widget_class_install_action (widget_class, "page.dismiss-error", NULL, page_dismiss_error_action);
  gtk_widget_class_install_action (widget_class, "page.find", NULL, page_find_action);
  gtk_widget_class_install_action (widget_class, "page.find-next", NULL, page_find_next_action);
  gtk_widget_class_install_action (widget_class, "page.find-previous", NULL, page_find_previous_action);
  gtk_widget_class_install_action (widget_class, "page.hide-search", NULL, page_hide_search_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "page.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "page.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "page.find-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "page.find-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_G, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "page.find-previous", NULL);

  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (ADW_TYPE_STATUS_PAGE);
}

static void
spark_editor_page_init (SparkEditorPage *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));
  spark_a11y_tidy_mnemonic_buttons (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->save_queue);

  self->buffer = gtk_source_buffer_new (NULL);
  gtk_source_buffer_set_highlight_matching_brackets (self->buffer, TRUE);
  gtk_text_view_set_buffer (GTK_TEXT_VIEW (self->view), GTK_TEXT_BUFFER (self->buffer));

  g_signal_connect_object (self->buffer, "changed",
                           G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "modified-changed",
                           G_CALLBACK (buffer_modified_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->buffer, "notify::cursor-position",
                           G_CALLBACK (cursor_moved_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);
  update_style_scheme (self);

  self->search_settings = gtk_source_search_settings_new ();
  gtk_source_search_settings_set_wrap_around (self->search_settings, TRUE);
  self->search_context = gtk_source_search_context_new (self->buffer, self->search_settings);
  gtk_source_search_context_set_highlight (self->search_context, FALSE);
  g_signal_connect_object (self->search_context, "notify::occurrences-count",
                           G_CALLBACK (occurrences_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed",
                           G_CALLBACK (search_entry_key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), controller);

  gtk_stack_set_visible_child_name (self->stack, "loading");
  show_disk_bar (self, FALSE);
}

/* Public API ---------------------------------------------------------- */

/**
 * spark_editor_page_new:
 * @file: a local file
 *
 * Creates a page for @file and starts reading it in a thread.
 */
SparkEditorPage *
spark_editor_page_new (GFile *file)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return g_object_new (SPARK_TYPE_EDITOR_PAGE,
                       "file", file,
                       NULL);
}

GFile *
spark_editor_page_get_file (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), NULL);

  return self->file;
}

const char *
spark_editor_page_get_title (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), NULL);

  return self->title;
}

gboolean
spark_editor_page_get_modified (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), FALSE);

  return gtk_text_buffer_get_modified (GTK_TEXT_BUFFER (self->buffer));
}

gboolean
spark_editor_page_get_loading (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), FALSE);

  return self->loading;
}

/**
 * spark_editor_page_get_error_message:
 *
 * Returns: (nullable): why the file could not be opened
 */
const char *
spark_editor_page_get_error_message (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), NULL);

  return self->error_message;
}

gboolean
spark_editor_page_get_changed_on_disk (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), FALSE);

  return self->changed_on_disk;
}

gboolean
spark_editor_page_get_deleted_on_disk (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), FALSE);

  return self->deleted_on_disk;
}

GtkSourceBuffer *
spark_editor_page_get_buffer (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), NULL);

  return self->buffer;
}

GtkSourceView *
spark_editor_page_get_view (SparkEditorPage *self)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), NULL);

  return self->view;
}

/**
 * spark_editor_page_grab_focus_editor:
 *
 * Moves the keyboard focus to the text, now or, while the file is still
 * loading, as soon as it is shown.
 */
void
spark_editor_page_grab_focus_editor (SparkEditorPage *self)
{
  g_return_if_fail (SPARK_IS_EDITOR_PAGE (self));

  if (self->loaded)
    gtk_widget_grab_focus (GTK_WIDGET (self->view));
  else
    self->focus_after_load = TRUE;
}

/**
 * spark_editor_page_begin_search:
 * @text: (nullable): what to look for, or %NULL to keep the entry's text
 *
 * Shows the search bar, as Ctrl+F does, and searches for @text.
 */
void
spark_editor_page_begin_search (SparkEditorPage *self,
                                const char      *text)
{
  g_return_if_fail (SPARK_IS_EDITOR_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "page.find", NULL);
  if (text != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
}

/**
 * spark_editor_page_save_async:
 *
 * Writes the text to the file, atomically and with the file's own line
 * endings and mode. Saves run one after another; each writes the text as it
 * is when that save starts. A failure is also shown inside the page.
 */
void
spark_editor_page_save_async (SparkEditorPage     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SPARK_IS_EDITOR_PAGE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_editor_page_save_async);

  if (self->disposed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The tab was closed before saving"));
      return;
    }

  if (self->loading)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("“%s” is still loading"), self->title);
      return;
    }

  if (!self->loaded)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("“%s” was not opened, so it cannot be saved"), self->title);
      return;
    }

  g_queue_push_tail (&self->save_queue, g_steal_pointer (&task));
  spark_editor_page_save_next (self);
}

gboolean
spark_editor_page_save_finish (SparkEditorPage  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Confirm close ------------------------------------------------------- */

static void
confirm_save_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (spark_editor_page_save_finish (SPARK_EDITOR_PAGE (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  g_autoptr(GTask) task = user_data;
  SparkEditorPage *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "cancel-handler"));

  /* Answer once, even if a cancellation races with a click. */
  g_signal_handlers_disconnect_by_func (dialog, confirm_response_cb, user_data);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  if (g_strcmp0 (response, "save") == 0)
    spark_editor_page_save_async (self, NULL, confirm_save_cb, g_steal_pointer (&task));
  else if (g_strcmp0 (response, "discard") == 0)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("Closing was cancelled"));
}

static gboolean
confirm_cancel_idle_cb (gpointer user_data)
{
  AdwMessageDialog *dialog = user_data;

  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));

  return G_SOURCE_REMOVE;
}

static void
confirm_cancelled_cb (GCancellable     *cancellable,
                      AdwMessageDialog *dialog)
{
  /* g_cancellable_disconnect() must not run inside this handler, and the
   * dialog belongs to the main thread: answer from an idle. */
  g_idle_add_full (G_PRIORITY_DEFAULT, confirm_cancel_idle_cb,
                   g_object_ref (dialog), g_object_unref);
}

/**
 * spark_editor_page_confirm_close_async:
 * @parent: (nullable): the window the question belongs to
 *
 * Asks whether to save a modified (or deleted-on-disk) page before it
 * closes. Finishes with %TRUE when the page may close: the text was saved,
 * discarded, or there was nothing to lose. Finishes with %FALSE and
 * %G_IO_ERROR_CANCELLED when the person cancelled, or with the save's error
 * when saving failed.
 */
void
spark_editor_page_confirm_close_async (SparkEditorPage     *self,
                                       GtkWindow           *parent,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  g_return_if_fail (SPARK_IS_EDITOR_PAGE (self));
  g_return_if_fail (!parent || GTK_IS_WINDOW (parent));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spark_editor_page_confirm_close_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!self->loaded ||
      (!spark_editor_page_get_modified (self) && !self->deleted_on_disk))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* translators: %s is a file name */
  heading = g_strdup_printf (_("Save Changes to “%s”?"), self->title);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading,
                                                       _("If you don’t save, your changes will be lost.")));
  adw_message_dialog_add_responses (dialog,
                                    /* translators: button of the "Save Changes?" dialog */
                                    "cancel", _("_Cancel"),
                                    /* translators: button of the "Save Changes?" dialog */
                                    "discard", _("_Discard"),
                                    /* translators: button of the "Save Changes?" dialog */
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");

  if (cancellable != NULL)
    {
      gulong handler = g_cancellable_connect (cancellable, G_CALLBACK (confirm_cancelled_cb),
                                              g_object_ref (dialog), g_object_unref);

      g_object_set_data (G_OBJECT (dialog), "cancel-handler", GSIZE_TO_POINTER (handler));
    }

  g_signal_connect (dialog, "response", G_CALLBACK (confirm_response_cb), g_steal_pointer (&task));

  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
spark_editor_page_confirm_close_finish (SparkEditorPage  *self,
                                        GAsyncResult     *result,
                                        GError          **error)
{
  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * spark_editor_page_dup_disk_text:
 * @length: (out): the number of bytes
 *
 * Returns: (transfer full): the buffer's text as a save would write it
 *   (with the file's line endings)
 */
char *
spark_editor_page_dup_disk_text (SparkEditorPage *self,
                                 gsize           *length)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  g_return_val_if_fail (SPARK_IS_EDITOR_PAGE (self), NULL);
  g_return_val_if_fail (length != NULL, NULL);

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);
  text = gtk_text_buffer_get_text (GTK_TEXT_BUFFER (self->buffer), &start, &end, TRUE);

  return spark_text_convert_newlines (text, strlen (text), self->newline, length);
}

/**
 * spark_editor_page_take_written_text:
 * @bytes: what was just written to the page's file (UTF-8, the file's
 *   line endings)
 *
 * Shows @bytes, which someone else (an apply that merged this tab's
 * unsaved edits) wrote to the file: one undoable step touching only what
 * differs, and the page is no longer modified since the disk holds it.
 */
void
spark_editor_page_take_written_text (SparkEditorPage *self,
                                     const char      *bytes,
                                     gsize            length)
{
  LoadData ld = { 0 };
  g_autofree char *text = NULL;
  char *out;

  g_return_if_fail (SPARK_IS_EDITOR_PAGE (self));
  g_return_if_fail (bytes != NULL);

  /* The buffer holds LF text. */
  text = g_strndup (bytes, length);
  out = text;
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\r' && i + 1 < length && text[i + 1] == '\n')
        continue;
      *out++ = text[i];
    }
  *out = '\0';

  ld.text = text;
  ld.length = out - text;
  replace_text (self, &ld, TRUE);

  /* The file now holds these bytes: no "changed on disk" question. */
  g_free (self->checksum);
  self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) bytes, length);
}
