/* spark-chat-view.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-chat-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "spark-a11y.h"
#include "spark-chat-row.h"
#include "spark-chat-view.h"
#include "spark-fuzzy.h"
#include "spark-markdown-view.h"
#include "spark-resources.h"

/* Within this many pixels of the end, the transcript counts as "at the end"
 * and keeps following new text. */
#define FOLLOW_SLACK 32.0

/* How many files the "@" popover offers, and lists at most. */
#define MAX_MENTION_MATCHES 8
#define MAX_PROJECT_FILES 50000
/* A new "@" lists the files again when the list is older than this (µs). */
#define PROJECT_FILES_MAX_AGE (10 * G_USEC_PER_SEC)

typedef struct
{
  char *label;
  char *text;
} Snippet;

struct _SparkChatView
{
  GtkWidget        parent_instance;

  SparkTranscript *transcript;
  GtkNoSelection  *selection;
  char            *model;

  /* Items changed since the last frame (item → item, owned), and the row
   * that shows each bound item (item → row, borrowed). */
  GHashTable      *dirty;
  GHashTable      *rows;
  guint            tick_id;
  guint            scroll_source;
  guint            n_renders;
  double           last_value;
  double           last_upper;

  gulong           item_changed_id;
  gulong           items_changed_id;

  /* "@" completion: the project's files (listed on the first "@"), the
   * paths picked from the popover, and the "@" being completed (its offset
   * in the buffer, or -1) and the one Escape dismissed. */
  SparkProject    *project;
  GPtrArray       *project_files;
  gint64           files_time;
  GCancellable    *files_cancellable;
  GPtrArray       *mentioned;
  GtkPopover      *mention_popover;
  GtkListBox      *mention_list;
  int              mention_offset;
  int              dismissed_offset;

  /* Attached texts (Snippet), and what goes with the message being emitted. */
  GPtrArray       *snippets;
  GStrv            sending_attachments;
  char            *sending_text;

  /* Template widgets */
  GtkBox          *chips_box;
  GtkWidget       *chips_scroller;
  GtkWidget       *composer;
  GtkDropDown     *model_dropdown;
  GtkLabel        *hint_label;
  GtkListView     *list_view;
  GtkTextView     *message_view;
  GtkLabel        *notice_label;
  GtkWidget       *notice_bar;
  GtkScrolledWindow *scroller;
  GtkButton       *send_button;
  GtkStack        *stack;
  GtkButton       *stop_button;
  GtkStringList   *models;

  guint            busy : 1;
  guint            preediting : 1;
  guint            following : 1;
  guint            auto_scrolling : 1;
  guint            updating_models : 1;
  guint            sending : 1;
  guint            files_loading : 1;
};

G_DEFINE_FINAL_TYPE (SparkChatView, spark_chat_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_FOLLOWING,
  PROP_MODEL,
  PROP_TRANSCRIPT,
  N_PROPS
};

enum {
  SEND,
  STEER,
  QUEUE,
  STOP,
  REVIEW,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Rows */

static void
on_row_review (SparkChatRow  *row,
               SparkChatView *self)
{
  SparkTranscriptItem *item = spark_chat_row_get_item (row);

  if (item != NULL)
    g_signal_emit (self, signals[REVIEW], 0, spark_transcript_item_get_call_id (item));
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           SparkChatView            *self)
{
  GtkWidget *row = spark_chat_row_new ();

  gtk_list_item_set_activatable (list_item, FALSE);
  gtk_list_item_set_selectable (list_item, FALSE);
  g_signal_connect_object (row, "review", G_CALLBACK (on_row_review), self, 0);
  gtk_list_item_set_child (list_item, row);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          SparkChatView            *self)
{
  SparkChatRow *row = SPARK_CHAT_ROW (gtk_list_item_get_child (list_item));
  SparkTranscriptItem *item = gtk_list_item_get_item (list_item);

  spark_chat_row_set_item (row, item);
  g_hash_table_insert (self->rows, item, row);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            SparkChatView            *self)
{
  SparkChatRow *row = SPARK_CHAT_ROW (gtk_list_item_get_child (list_item));
  SparkTranscriptItem *item = spark_chat_row_get_item (row);

  if (item != NULL && g_hash_table_lookup (self->rows, item) == row)
    g_hash_table_remove (self->rows, item);
  spark_chat_row_set_item (row, NULL);
}

/* Coalescing: every change marks its item; the frame clock draws each
 * marked item once, however many deltas arrived in between. */

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  SparkChatView *self = SPARK_CHAT_VIEW (widget);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SparkChatRow *row = g_hash_table_lookup (self->rows, key);

      /* Items scrolled out of view have no row: they are drawn on bind. */
      if (row != NULL && spark_chat_row_update (row))
        self->n_renders++;
    }
  g_hash_table_remove_all (self->dirty);

  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
on_item_changed (SparkTranscript     *transcript,
                 SparkTranscriptItem *item,
                 SparkChatView       *self)
{
  if (!g_hash_table_contains (self->dirty, item))
    g_hash_table_add (self->dirty, g_object_ref (item));

  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
update_page (SparkChatView *self)
{
  gboolean empty = self->transcript == NULL ||
                   g_list_model_get_n_items (G_LIST_MODEL (self->transcript)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "transcript");
}

static void
on_items_changed (GListModel    *model,
                  guint          position,
                  guint          removed,
                  guint          added,
                  SparkChatView *self)
{
  /* Removed items lose their row (unbind), so the next frame skips them. */
  update_page (self);
}

/* Following the end */

static gboolean
at_end (GtkAdjustment *adjustment)
{
  return gtk_adjustment_get_value (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - FOLLOW_SLACK;
}

static void queue_scroll_to_end (SparkChatView *self);

static void
set_following (SparkChatView *self,
               gboolean       following)
{
  following = !!following;
  if (self->following == following)
    return;

  self->following = following;
  if (following)
    queue_scroll_to_end (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

static gboolean
scroll_to_end_cb (gpointer data)
{
  SparkChatView *self = data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->scroll_source = 0;

  if (self->following && gtk_adjustment_get_value (adjustment) < end)
    {
      self->auto_scrolling = TRUE;
      gtk_adjustment_set_value (adjustment, end);
      self->auto_scrolling = FALSE;
    }
  self->last_value = gtk_adjustment_get_value (adjustment);
  self->last_upper = gtk_adjustment_get_upper (adjustment);

  return G_SOURCE_REMOVE;
}

/* Scrolls after the list view's size allocation, not inside it: GTK 4.8's
 * list view drops a new scroll position set while it allocates. */
static void
queue_scroll_to_end (SparkChatView *self)
{
  if (self->scroll_source == 0 && self->scroller != NULL)
    self->scroll_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 30, scroll_to_end_cb, self, NULL);
}

static void
on_vadjustment_value_changed (GtkAdjustment *adjustment,
                              SparkChatView *self)
{
  double value = gtk_adjustment_get_value (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment);

  if (!self->auto_scrolling)
    {
      /* Back at the end: follow again. Moved up while the content stayed
       * the same size: that was the person (wheel, scrollbar, keys), not the
       * list view re-anchoring a growing row. */
      if (at_end (adjustment))
        set_following (self, TRUE);
      else if (value < self->last_value && upper == self->last_upper)
        set_following (self, FALSE);
    }

  self->last_value = value;
  self->last_upper = upper;
}

static void
on_vadjustment_changed (GtkAdjustment *adjustment,
                        SparkChatView *self)
{
  /* The content grew (or the pane was resized): stay at the end. */
  if (self->following)
    queue_scroll_to_end (self);
  else
    self->last_upper = gtk_adjustment_get_upper (adjustment);
}

/* "@" completion */

static gboolean
is_space (gunichar c)
{
  return c == 0 || g_unichar_isspace (c);
}

/* The "@word" the cursor is in: its bounds, and the query (the text
 * between "@" and the cursor). An "@" counts at the start of a word only. */
static gboolean
find_mention (SparkChatView  *self,
              GtkTextIter    *at,
              GtkTextIter    *end,
              char          **query)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->message_view);
  GtkTextIter cursor;
  GtkTextIter iter;

  if (gtk_text_buffer_get_has_selection (buffer))
    return FALSE;

  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  iter = cursor;

  while (gtk_text_iter_backward_char (&iter))
    {
      gunichar c = gtk_text_iter_get_char (&iter);

      if (c == '@')
        {
          GtkTextIter before = iter;
          GtkTextIter query_start = iter;

          if (gtk_text_iter_backward_char (&before) && !is_space (gtk_text_iter_get_char (&before)))
            return FALSE;

          *at = iter;
          *end = cursor;
          while (!gtk_text_iter_is_end (end) && !is_space (gtk_text_iter_get_char (end)))
            gtk_text_iter_forward_char (end);
          gtk_text_iter_forward_char (&query_start);
          if (query != NULL)
            *query = gtk_text_iter_get_slice (&query_start, &cursor);
          return TRUE;
        }

      if (is_space (c))
        return FALSE;
    }

  return FALSE;
}

typedef struct
{
  int         score;
  const char *path;
} Match;

static int
compare_matches (gconstpointer a,
                 gconstpointer b)
{
  const Match *ma = a;
  const Match *mb = b;
  gsize la, lb;

  if (ma->score != mb->score)
    return ma->score < mb->score ? 1 : -1;

  la = strlen (ma->path);
  lb = strlen (mb->path);
  if (la != lb)
    return la < lb ? -1 : 1;

  return strcmp (ma->path, mb->path);
}

static guint
count_mention_rows (SparkChatView *self)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (self->mention_list, n) != NULL)
    n++;

  return n;
}

/* Fills the popover with the best matches of @query; returns how many. */
static guint
update_matches (SparkChatView *self,
                const char    *query)
{
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (Match));
  GtkWidget *child;
  guint n;

  for (guint i = 0; self->project_files != NULL && i < self->project_files->len; i++)
    {
      Match match = { 0, g_ptr_array_index (self->project_files, i) };

      if (spark_fuzzy_match (query, match.path, &match.score))
        g_array_append_val (matches, match);
    }
  g_array_sort (matches, compare_matches);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->mention_list))) != NULL)
    gtk_list_box_remove (self->mention_list, child);

  n = MIN (matches->len, MAX_MENTION_MATCHES);
  for (guint i = 0; i < n; i++)
    {
      const char *path = g_array_index (matches, Match, i).path;
      GtkWidget *label = gtk_label_new (path);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
      g_object_set_data_full (G_OBJECT (label), "spark-path", g_strdup (path), g_free);
      gtk_list_box_append (self->mention_list, label);
    }

  if (n > 0)
    gtk_list_box_select_row (self->mention_list, gtk_list_box_get_row_at_index (self->mention_list, 0));

  return n;
}

static void
hide_mention (SparkChatView *self)
{
  self->mention_offset = -1;
  if (gtk_widget_get_visible (GTK_WIDGET (self->mention_popover)))
    gtk_popover_popdown (self->mention_popover);
}

static void
show_mention (SparkChatView *self,
              GtkTextIter   *at)
{
  GdkRectangle rect;
  double x = 0, y = 0;
  int wx, wy;

  gtk_text_view_get_iter_location (self->message_view, at, &rect);
  gtk_text_view_buffer_to_window_coords (self->message_view, GTK_TEXT_WINDOW_WIDGET,
                                         rect.x, rect.y, &wx, &wy);
  gtk_widget_translate_coordinates (GTK_WIDGET (self->message_view), GTK_WIDGET (self),
                                    wx, wy, &x, &y);
  rect.x = (int) x;
  rect.y = (int) y;
  rect.width = MAX (rect.width, 1);
  rect.height = MAX (rect.height, 1);

  gtk_popover_set_pointing_to (self->mention_popover, &rect);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->mention_popover)))
    gtk_popover_popup (self->mention_popover);
}

static void update_mention (SparkChatView *self);

static void
list_files_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  SparkChatView *self;
  GPtrArray *files;

  files = spark_project_list_files_finish (SPARK_PROJECT (object), result, &error);
  /* Cancelled: the view is gone or has another project. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = SPARK_CHAT_VIEW (user_data);
  self->files_loading = FALSE;
  g_clear_object (&self->files_cancellable);

  if (files == NULL)
    {
      g_warning ("Failed to list the project's files: %s", error->message);
      files = g_ptr_array_new_with_free_func (g_free);
    }
  g_clear_pointer (&self->project_files, g_ptr_array_unref);
  self->project_files = files;
  self->files_time = g_get_monotonic_time ();

  update_mention (self);
}

/* Lists the project's files on the first "@", and again for a new "@" when
 * the list is old (files come and go); the old list serves meanwhile. */
static void
ensure_project_files (SparkChatView *self,
                      gboolean       new_mention)
{
  if (self->project == NULL || self->files_loading)
    return;

  if (self->project_files != NULL &&
      (!new_mention || g_get_monotonic_time () - self->files_time < PROJECT_FILES_MAX_AGE))
    return;

  self->files_loading = TRUE;
  self->files_cancellable = g_cancellable_new ();
  spark_project_list_files_async (self->project, MAX_PROJECT_FILES, self->files_cancellable,
                                  list_files_cb, self);
}

static void
update_mention (SparkChatView *self)
{
  g_autofree char *query = NULL;
  GtkTextIter at, end;
  int offset;

  if (self->mention_popover == NULL)
    return;

  if (self->preediting || !find_mention (self, &at, &end, &query))
    {
      self->dismissed_offset = -1;
      hide_mention (self);
      return;
    }

  offset = gtk_text_iter_get_offset (&at);
  ensure_project_files (self, offset != self->mention_offset);

  if (offset == self->dismissed_offset || query[0] == '\0' ||
      self->project_files == NULL || update_matches (self, query) == 0)
    {
      hide_mention (self);
      return;
    }

  self->mention_offset = offset;
  show_mention (self, &at);
}

static void
add_mentioned (SparkChatView *self,
               const char    *path)
{
  for (guint i = 0; i < self->mentioned->len; i++)
    {
      if (strcmp (g_ptr_array_index (self->mentioned, i), path) == 0)
        return;
    }
  g_ptr_array_add (self->mentioned, g_strdup (path));
}

/* Replaces the "@word" with the selected file's "@path ". */
static gboolean
complete_mention (SparkChatView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->message_view);
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->mention_list);
  g_autofree char *replacement = NULL;
  const char *path;
  GtkTextIter at, end;

  if (row == NULL || !find_mention (self, &at, &end, NULL))
    return FALSE;

  path = g_object_get_data (G_OBJECT (gtk_list_box_row_get_child (row)), "spark-path");
  replacement = g_strdup_printf ("@%s ", path);
  add_mentioned (self, path);

  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &at, &end);
  gtk_text_buffer_place_cursor (buffer, &at);
  gtk_text_buffer_insert_at_cursor (buffer, replacement, -1);
  gtk_text_buffer_end_user_action (buffer);

  hide_mention (self);
  return TRUE;
}

static void
move_mention_selection (SparkChatView *self,
                        int            delta)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->mention_list);
  int n = (int) count_mention_rows (self);
  int index;

  if (n == 0)
    return;

  index = row ? gtk_list_box_row_get_index (row) : -1;
  index = ((index + delta) % n + n) % n;
  gtk_list_box_select_row (self->mention_list, gtk_list_box_get_row_at_index (self->mention_list, index));
}

static gboolean
handle_mention_key (SparkChatView   *self,
                    guint            keyval,
                    GdkModifierType  mods)
{
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_mention_selection (self, -1);
      return TRUE;

    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_mention_selection (self, 1);
      return TRUE;

    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
      return mods == 0 && complete_mention (self);

    case GDK_KEY_Escape:
      self->dismissed_offset = self->mention_offset;
      hide_mention (self);
      return TRUE;

    default:
      return FALSE;
    }
}

static void
on_mention_row_activated (GtkListBox    *list,
                          GtkListBoxRow *row,
                          SparkChatView *self)
{
  gtk_list_box_select_row (list, row);
  complete_mention (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->message_view));
}

static void
on_insert_mark_set (GtkTextBuffer *buffer,
                    GtkTextIter   *location,
                    GtkTextMark   *mark,
                    SparkChatView *self)
{
  /* Typing is handled on ::changed; this follows cursor moves while the
   * popover shows. */
  if (mark == gtk_text_buffer_get_insert (buffer) && spark_chat_view_get_completing (self))
    update_mention (self);
}

/* Attachments */

static gboolean
project_has_file (SparkChatView *self,
                  const char    *path)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *full = NULL;

  if (path[0] == '\0' || path[0] == '/')
    return FALSE;

  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (strcmp (parts[i], "..") == 0)
        return FALSE;
    }

  for (guint i = 0; i < self->mentioned->len; i++)
    {
      if (strcmp (g_ptr_array_index (self->mentioned, i), path) == 0)
        return TRUE;
    }

  for (guint i = 0; self->project_files != NULL && i < self->project_files->len; i++)
    {
      if (strcmp (g_ptr_array_index (self->project_files, i), path) == 0)
        return TRUE;
    }

  if (self->project == NULL)
    return FALSE;

  full = g_build_filename (spark_project_get_root_path (self->project), path, NULL);
  return g_file_test (full, G_FILE_TEST_IS_REGULAR);
}

static GStrv
dup_text_attachments (SparkChatView *self,
                      const char    *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) words = g_strsplit_set (text ? text : "", " \t\r\n", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *path = NULL;
      gsize length;

      if (words[i][0] != '@' || words[i][1] == '\0')
        continue;

      /* "see @src/main.c, and" — try without trailing punctuation too. */
      path = g_strdup (words[i] + 1);
      length = strlen (path);
      while (length > 0 && !project_has_file (self, path) &&
             strchr (",.;:!?)]}'\"`", path[length - 1]) != NULL)
        path[--length] = '\0';

      if (length > 0 && !g_hash_table_contains (seen, path) && project_has_file (self, path))
        {
          g_strv_builder_add (builder, path);
          g_hash_table_add (seen, g_steal_pointer (&path));
        }
    }

  return g_strv_builder_end (builder);
}

static void
snippet_free (Snippet *snippet)
{
  g_free (snippet->label);
  g_free (snippet->text);
  g_free (snippet);
}

static void
update_chips (SparkChatView *self)
{
  gtk_widget_set_visible (self->chips_scroller, self->snippets->len > 0);
}

static void
on_chip_remove_clicked (GtkButton     *button,
                        SparkChatView *self)
{
  Snippet *snippet = g_object_get_data (G_OBJECT (button), "spark-snippet");
  GtkWidget *chip = gtk_widget_get_parent (GTK_WIDGET (button));
  guint index;

  if (g_ptr_array_find (self->snippets, snippet, &index))
    g_ptr_array_remove_index (self->snippets, index);
  gtk_box_remove (self->chips_box, chip);
  update_chips (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->message_view));
}

static GtkWidget *
create_chip (SparkChatView *self,
             Snippet       *snippet)
{
  g_autofree char *tooltip = NULL;
  g_autofree char *remove_label = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *icon = gtk_image_new_from_icon_name ("text-x-generic-symbolic");
  GtkWidget *label = gtk_label_new (snippet->label);
  GtkWidget *button = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_widget_add_css_class (box, "spark-chat-chip");
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 32);

  tooltip = g_utf8_substring (snippet->text, 0, MIN (g_utf8_strlen (snippet->text, -1), 400));
  gtk_widget_set_tooltip_text (box, tooltip);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, "spark-chat-chip-remove");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* translators: tooltip of the button that removes an attachment from the message */
  gtk_widget_set_tooltip_text (button, _("Remove Attachment"));
  /* translators: accessible name of the button that removes an attachment; %s names it */
  remove_label = g_strdup_printf (_("Remove %s"), snippet->label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);
  g_object_set_data (G_OBJECT (button), "spark-snippet", snippet);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_chip_remove_clicked), self, 0);

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);

  return box;
}

static void
clear_snippets (SparkChatView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chips_box))) != NULL)
    gtk_box_remove (self->chips_box, child);
  g_ptr_array_set_size (self->snippets, 0);
  update_chips (self);
}

static char *
format_snippets (SparkChatView *self)
{
  GString *out;

  if (self->snippets->len == 0)
    return NULL;

  out = g_string_new (NULL);
  for (guint i = 0; i < self->snippets->len; i++)
    {
      Snippet *snippet = g_ptr_array_index (self->snippets, i);
      g_autoptr(GString) fence = g_string_new ("```");

      while (strstr (snippet->text, fence->str) != NULL)
        g_string_append_c (fence, '`');

      g_string_append_printf (out, "%s%s\n%s\n%s%s%s\n",
                              i > 0 ? "\n" : "",
                              snippet->label,
                              fence->str,
                              snippet->text,
                              g_str_has_suffix (snippet->text, "\n") ? "" : "\n",
                              fence->str);
    }

  return g_string_free (out, FALSE);
}

/* Sending */

char *
spark_chat_view_dup_message (SparkChatView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->message_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
spark_chat_view_set_message (SparkChatView *self,
                             const char    *text)
{
  g_return_if_fail (SPARK_IS_CHAT_VIEW (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->message_view), text ? text : "", -1);
}

/* Emits @signal_id with the message, if there is one, and clears the box. */
static gboolean
emit_message (SparkChatView *self,
              guint          signal_id)
{
  g_autofree char *text = spark_chat_view_dup_message (self);
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (stripped[0] == '\0')
    return FALSE;

  /* What goes with the message, for the handlers (the box is cleared). */
  self->sending_attachments = dup_text_attachments (self, text);
  self->sending_text = format_snippets (self);
  self->sending = TRUE;

  spark_chat_view_set_message (self, NULL);
  /* Following resumes: the person wants to see the answer. */
  set_following (self, TRUE);
  g_signal_emit (self, signals[signal_id], 0, stripped);

  self->sending = FALSE;
  g_clear_pointer (&self->sending_attachments, g_strfreev);
  g_clear_pointer (&self->sending_text, g_free);
  g_ptr_array_set_size (self->mentioned, 0);
  clear_snippets (self);

  return TRUE;
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SparkChatView *self = SPARK_CHAT_VIEW (widget);

  if (self->busy)
    g_signal_emit (self, signals[STOP], 0);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  emit_message (SPARK_CHAT_VIEW (widget), SEND);
}

static void
focus_message_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  SparkChatView *self = SPARK_CHAT_VIEW (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->message_view));
}

gboolean
spark_chat_view_handle_key (SparkChatView   *self,
                            guint            keyval,
                            GdkModifierType  state)
{
  GdkModifierType mods;
  GtkTextBuffer *buffer;

  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), FALSE);

  /* Enter while an input method composes commits the composition. */
  if (self->preediting)
    return FALSE;

  mods = state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK);

  /* The "@" popover takes Up, Down, Enter, Tab and Escape while it shows. */
  if (spark_chat_view_get_completing (self) && handle_mention_key (self, keyval, mods))
    return TRUE;

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;
  buffer = gtk_text_view_get_buffer (self->message_view);

  if (mods == GDK_SHIFT_MASK)
    {
      gtk_text_buffer_begin_user_action (buffer);
      gtk_text_buffer_delete_selection (buffer, TRUE, TRUE);
      gtk_text_buffer_insert_interactive_at_cursor (buffer, "\n", 1, TRUE);
      gtk_text_buffer_end_user_action (buffer);
      gtk_text_view_scroll_mark_onscreen (self->message_view, gtk_text_buffer_get_insert (buffer));
      return TRUE;
    }

  if (mods == 0)
    emit_message (self, SEND);
  else if (mods == GDK_CONTROL_MASK)
    emit_message (self, self->busy ? STEER : SEND);
  else if (mods == GDK_ALT_MASK)
    emit_message (self, self->busy ? QUEUE : SEND);
  else
    return FALSE;

  return TRUE;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SparkChatView         *self)
{
  return spark_chat_view_handle_key (self, keyval, state);
}

static void
on_preedit_changed (GtkTextView   *text_view,
                    const char    *preedit,
                    SparkChatView *self)
{
  self->preediting = preedit != NULL && preedit[0] != '\0';
}

static void
update_send_action (SparkChatView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->message_view);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.send",
                                 gtk_text_buffer_get_char_count (buffer) > 0);
}

static void
on_message_changed (GtkTextBuffer *buffer,
                    SparkChatView *self)
{
  update_send_action (self);
  update_mention (self);
}

/* Models */

static void
on_model_selected (GtkDropDown   *dropdown,
                   GParamSpec    *pspec,
                   SparkChatView *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  const char *id;

  if (self->updating_models || selected == GTK_INVALID_LIST_POSITION)
    return;

  id = gtk_string_list_get_string (self->models, selected);
  if (id == NULL || g_strcmp0 (id, self->model) == 0)
    return;

  g_free (self->model);
  self->model = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/* No picker before there is something to pick (GtkDropDown says "(None)"). */
static void
update_model_dropdown (SparkChatView *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->model_dropdown),
                          g_list_model_get_n_items (G_LIST_MODEL (self->models)) > 0);
}

static guint
find_model (SparkChatView *self,
            const char    *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));

  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (gtk_string_list_get_string (self->models, i), id) == 0)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

static void
select_model (SparkChatView *self)
{
  guint position;

  if (self->model == NULL)
    return;

  if ((position = find_model (self, self->model)) == GTK_INVALID_LIST_POSITION)
    {
      gtk_string_list_append (self->models, self->model);
      position = g_list_model_get_n_items (G_LIST_MODEL (self->models)) - 1;
      update_model_dropdown (self);
    }

  self->updating_models = TRUE;
  gtk_drop_down_set_selected (self->model_dropdown, position);
  self->updating_models = FALSE;
}

/* Public API */

GtkWidget *
spark_chat_view_new (void)
{
  return g_object_new (SPARK_TYPE_CHAT_VIEW, NULL);
}

SparkTranscript *
spark_chat_view_get_transcript (SparkChatView *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), NULL);
  return self->transcript;
}

void
spark_chat_view_set_transcript (SparkChatView   *self,
                                SparkTranscript *transcript)
{
  g_return_if_fail (SPARK_IS_CHAT_VIEW (self));
  g_return_if_fail (!transcript || SPARK_IS_TRANSCRIPT (transcript));

  if (self->transcript == transcript)
    return;

  if (self->transcript != NULL)
    {
      g_clear_signal_handler (&self->item_changed_id, self->transcript);
      g_clear_signal_handler (&self->items_changed_id, self->transcript);
    }
  g_hash_table_remove_all (self->dirty);

  g_set_object (&self->transcript, transcript);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (transcript));

  if (transcript != NULL)
    {
      self->item_changed_id =
        g_signal_connect (transcript, "item-changed", G_CALLBACK (on_item_changed), self);
      self->items_changed_id =
        g_signal_connect (transcript, "items-changed", G_CALLBACK (on_items_changed), self);
    }

  update_page (self);
  set_following (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSCRIPT]);
}

gboolean
spark_chat_view_get_busy (SparkChatView *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), FALSE);
  return self->busy;
}

void
spark_chat_view_set_busy (SparkChatView *self,
                          gboolean       busy)
{
  g_return_if_fail (SPARK_IS_CHAT_VIEW (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.stop", busy);
  gtk_label_set_text (self->hint_label,
                      busy ?
                      /* translators: shown under the message box while the model answers */
                      _("Ctrl+Enter steers · Alt+Enter queues") : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

const char *
spark_chat_view_get_model (SparkChatView *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), NULL);
  return self->model;
}

void
spark_chat_view_set_model (SparkChatView *self,
                           const char    *model)
{
  g_return_if_fail (SPARK_IS_CHAT_VIEW (self));

  if (g_strcmp0 (self->model, model) == 0)
    return;

  g_free (self->model);
  self->model = g_strdup (model);
  select_model (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
spark_chat_view_set_models (SparkChatView      *self,
                            const char * const *ids)
{
  guint n;

  g_return_if_fail (SPARK_IS_CHAT_VIEW (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  self->updating_models = TRUE;
  gtk_string_list_splice (self->models, 0, n, ids);
  self->updating_models = FALSE;
  update_model_dropdown (self);

  if (self->model != NULL)
    select_model (self);
  else if (ids != NULL && ids[0] != NULL)
    spark_chat_view_set_model (self, ids[0]);
}

void
spark_chat_view_set_notice (SparkChatView *self,
                            const char    *markup_or_null)
{
  g_return_if_fail (SPARK_IS_CHAT_VIEW (self));

  if (markup_or_null != NULL)
    gtk_label_set_markup (self->notice_label, markup_or_null);
  gtk_widget_set_visible (self->notice_bar, markup_or_null != NULL);
}

gboolean
spark_chat_view_get_following (SparkChatView *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), FALSE);
  return self->following;
}

void
spark_chat_view_set_project (SparkChatView *self,
                             SparkProject  *project)
{
  g_return_if_fail (SPARK_IS_CHAT_VIEW (self));
  g_return_if_fail (!project || SPARK_IS_PROJECT (project));

  if (self->project == project)
    return;

  if (self->files_cancellable != NULL)
    g_cancellable_cancel (self->files_cancellable);
  g_clear_object (&self->files_cancellable);
  self->files_loading = FALSE;
  g_clear_pointer (&self->project_files, g_ptr_array_unref);
  g_set_object (&self->project, project);
  hide_mention (self);
}

GStrv
spark_chat_view_dup_attachments (SparkChatView *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), NULL);

  if (self->sending)
    return g_strdupv (self->sending_attachments);

  text = spark_chat_view_dup_message (self);
  return dup_text_attachments (self, text);
}

void
spark_chat_view_attach_text (SparkChatView *self,
                             const char    *label,
                             const char    *text)
{
  Snippet *snippet;

  g_return_if_fail (SPARK_IS_CHAT_VIEW (self));
  g_return_if_fail (label != NULL);
  g_return_if_fail (text != NULL);

  snippet = g_new0 (Snippet, 1);
  snippet->label = g_strdup (label);
  snippet->text = g_strdup (text);
  g_ptr_array_add (self->snippets, snippet);

  gtk_box_append (self->chips_box, create_chip (self, snippet));
  update_chips (self);
}

char *
spark_chat_view_dup_attached_text (SparkChatView *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), NULL);

  if (self->sending)
    return g_strdup (self->sending_text);

  return format_snippets (self);
}

guint
spark_chat_view_get_n_attached_texts (SparkChatView *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), 0);
  return self->snippets->len;
}

gboolean
spark_chat_view_get_completing (SparkChatView *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), FALSE);
  return self->mention_popover != NULL &&
         gtk_widget_get_visible (GTK_WIDGET (self->mention_popover));
}

guint
spark_chat_view_get_n_renders (SparkChatView *self)
{
  g_return_val_if_fail (SPARK_IS_CHAT_VIEW (self), 0);
  return self->n_renders;
}

/* GObject */

static void
spark_chat_view_dispose (GObject *object)
{
  SparkChatView *self = (SparkChatView *) object;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  spark_chat_view_set_transcript (self, NULL);
  g_clear_handle_id (&self->scroll_source, g_source_remove);
  spark_chat_view_set_project (self, NULL);
  if (self->mention_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->mention_popover));
      self->mention_popover = NULL;
      self->mention_list = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SPARK_TYPE_CHAT_VIEW);

  g_clear_object (&self->selection);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (spark_chat_view_parent_class)->dispose (object);
}

static void
spark_chat_view_finalize (GObject *object)
{
  SparkChatView *self = (SparkChatView *) object;

  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->mentioned, g_ptr_array_unref);
  g_clear_pointer (&self->snippets, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_chat_view_parent_class)->finalize (object);
}

static void
spark_chat_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SparkChatView *self = SPARK_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_TRANSCRIPT:
      g_value_set_object (value, self->transcript);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_chat_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SparkChatView *self = SPARK_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      spark_chat_view_set_busy (self, g_value_get_boolean (value));
      break;

    case PROP_MODEL:
      spark_chat_view_set_model (self, g_value_get_string (value));
      break;

    case PROP_TRANSCRIPT:
      spark_chat_view_set_transcript (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_chat_view_class_init (SparkChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_chat_view_dispose;
  object_class->finalize = spark_chat_view_finalize;
  object_class->get_property = spark_chat_view_get_property;
  object_class->set_property = spark_chat_view_set_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TRANSCRIPT] =
    g_param_spec_object ("transcript", NULL, NULL, SPARK_TYPE_TRANSCRIPT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SEND] =
    g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[STEER] =
    g_signal_new ("steer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[QUEUE] =
    g_signal_new ("queue", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[STOP] =
    g_signal_new ("stop", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[REVIEW] =
    g_signal_new ("review", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  g_type_ensure (SPARK_TYPE_MARKDOWN_VIEW);
  g_assert (spark_get_resource () != NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sparkcode/Spark/spark-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, chips_box);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, chips_scroller);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, composer);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, hint_label);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, list_view);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, message_view);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, notice_bar);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, notice_label);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, scroller);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, send_button);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, stack);
  gtk_widget_class_bind_template_child (widget_class, SparkChatView, stop_button);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "chat.focus-message", NULL, focus_message_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "chat.stop", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatview");
}

static void
spark_chat_view_init (SparkChatView *self)
{
  GtkListItemFactory *factory;
  GtkEventController *keys;
  GtkAdjustment *vadjustment;
  GtkExpression *expression;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->following = TRUE;
  self->dirty = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->rows = g_hash_table_new (NULL, NULL);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  self->selection = gtk_no_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (vadjustment, "value-changed",
                           G_CALLBACK (on_vadjustment_value_changed), self, 0);
  g_signal_connect_object (vadjustment, "changed",
                           G_CALLBACK (on_vadjustment_changed), self, 0);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->message_view), keys);
  g_signal_connect (self->message_view, "preedit-changed", G_CALLBACK (on_preedit_changed), self);
  g_signal_connect_object (gtk_text_view_get_buffer (self->message_view), "changed",
                           G_CALLBACK (on_message_changed), self, 0);

  g_signal_connect_object (gtk_text_view_get_buffer (self->message_view), "mark-set",
                           G_CALLBACK (on_insert_mark_set), self, 0);

  self->mention_offset = -1;
  self->dismissed_offset = -1;
  self->mentioned = g_ptr_array_new_with_free_func (g_free);
  self->snippets = g_ptr_array_new_with_free_func ((GDestroyNotify) snippet_free);

  /* Not autohide: the message box keeps the focus while the popover shows. */
  self->mention_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_autohide (self->mention_popover, FALSE);
  gtk_popover_set_has_arrow (self->mention_popover, FALSE);
  gtk_popover_set_position (self->mention_popover, GTK_POS_TOP);
  gtk_widget_set_halign (GTK_WIDGET (self->mention_popover), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->mention_popover), "spark-mention-popover");
  self->mention_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->mention_list, GTK_SELECTION_BROWSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->mention_list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->mention_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* translators: accessible name of the list of files "@" completes */
                                  _("Project Files"),
                                  -1);
  g_signal_connect (self->mention_list, "row-activated", G_CALLBACK (on_mention_row_activated), self);
  gtk_popover_set_child (self->mention_popover, GTK_WIDGET (self->mention_list));
  gtk_widget_set_parent (GTK_WIDGET (self->mention_popover), GTK_WIDGET (self));

  self->models = gtk_string_list_new (NULL);
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  gtk_drop_down_set_expression (self->model_dropdown, expression);
  gtk_expression_unref (expression);
  gtk_drop_down_set_model (self->model_dropdown, G_LIST_MODEL (self->models));
  g_object_unref (self->models);
  g_signal_connect (self->model_dropdown, "notify::selected", G_CALLBACK (on_model_selected), self);
  /* translators: accessible name of the model picker */
  spark_a11y_label_drop_down (self->model_dropdown, _("Model"));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.stop", FALSE);
  update_model_dropdown (self);
  update_send_action (self);
  update_page (self);
}
