/* spark-quick-open.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-quick-open"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spark-fuzzy.h"
#include "spark-quick-open.h"

/* Ctrl+P: find a file of the project by a few letters of its path. The
 * file list is read once per dialog in a worker thread; each keystroke
 * scores every path (a 100,000-file project takes a few milliseconds) and
 * shows the best ones. */
#define MAX_FILES   500000
#define MAX_RESULTS 200

struct _SparkQuickOpen
{
  AdwWindow           parent_instance;

  SparkProject       *project;
  GPtrArray          *files;
  GtkStringList      *results;
  GtkSingleSelection *selection;
  GCancellable       *cancellable;

  GtkSearchEntry     *entry;
  GtkListView        *list_view;
  GtkSpinner         *spinner;
  GtkStack           *stack;
};

enum {
  FILE_CHOSEN,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SparkQuickOpen, spark_quick_open, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

typedef struct
{
  const char *path;
  int         score;
} Match;

static int
compare_matches (gconstpointer a,
                 gconstpointer b)
{
  const Match *ma = a;
  const Match *mb = b;

  if (ma->score != mb->score)
    return mb->score - ma->score;
  return strcmp (ma->path, mb->path);
}

static void
refilter (SparkQuickOpen *self)
{
  g_autoptr(GArray) matches = NULL;
  g_autofree char *query = NULL;
  g_autoptr(GPtrArray) strings = NULL;
  guint n;

  if (self->files == NULL)
    return;

  query = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  matches = g_array_new (FALSE, FALSE, sizeof (Match));

  for (guint i = 0; i < self->files->len; i++)
    {
      Match m = { g_ptr_array_index (self->files, i), 0 };

      if (spark_fuzzy_match (query, m.path, &m.score))
        g_array_append_val (matches, m);
    }

  g_array_sort (matches, compare_matches);
  n = MIN (matches->len, MAX_RESULTS);

  strings = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (strings, (gpointer) g_array_index (matches, Match, i).path);
  g_ptr_array_add (strings, NULL);

  gtk_string_list_splice (self->results, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->results)),
                          (const char * const *) strings->pdata);

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "results" : "empty");
  if (n > 0)
    gtk_single_selection_set_selected (self->selection, 0);
}

static void
list_files_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SparkQuickOpen) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;

  files = spark_project_list_files_finish (SPARK_PROJECT (object), result, &error);
  if (files == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Failed to list project files: %s", error->message);
      return;
    }

  gtk_spinner_stop (self->spinner);
  self->files = g_steal_pointer (&files);
  refilter (self);
}

static void
choose (SparkQuickOpen *self,
        guint           position)
{
  const char *path;

  if (position >= g_list_model_get_n_items (G_LIST_MODEL (self->results)))
    return;

  path = gtk_string_list_get_string (self->results, position);
  g_signal_emit (self, signals[FILE_CHOSEN], 0, path);
  gtk_window_close (GTK_WINDOW (self));
}

/**
 * spark_quick_open_choose:
 * @position: a row of the results
 *
 * Opens that result, as a click or Enter would, and closes the dialog.
 */
void
spark_quick_open_choose (SparkQuickOpen *self,
                         guint           position)
{
  g_return_if_fail (SPARK_IS_QUICK_OPEN (self));

  choose (self, position);
}

static void
search_changed_cb (SparkQuickOpen *self)
{
  refilter (self);
}

static void
entry_activate_cb (SparkQuickOpen *self)
{
  choose (self, gtk_single_selection_get_selected (self->selection));
}

static void
list_activate_cb (SparkQuickOpen *self,
                  guint           position)
{
  choose (self, position);
}

static void
stop_search_cb (SparkQuickOpen *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
move_selection (SparkQuickOpen *self,
                int             delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  guint pos = gtk_single_selection_get_selected (self->selection);

  if (n == 0)
    return;

  if (pos == GTK_INVALID_LIST_POSITION)
    pos = 0;
  else if (delta < 0)
    pos = pos == 0 ? 0 : pos - 1;
  else
    pos = MIN (pos + 1, n - 1);

  gtk_single_selection_set_selected (self->selection, pos);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", pos);
}

static void
next_match_cb (SparkQuickOpen *self)
{
  move_selection (self, 1);
}

static void
previous_match_cb (SparkQuickOpen *self)
{
  move_selection (self, -1);
}

static gboolean
key_pressed_cb (SparkQuickOpen        *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_selection (self, 1);
      return TRUE;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_selection (self, -1);
      return TRUE;

    default:
      return FALSE;
    }
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *folder = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (folder), 0);
  gtk_label_set_ellipsize (GTK_LABEL (folder), PANGO_ELLIPSIZE_START);
  gtk_widget_add_css_class (folder, "dim-label");
  gtk_widget_add_css_class (folder, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), folder);
  gtk_list_item_set_child (item, box);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *folder = gtk_widget_get_last_child (box);
  const char *path = gtk_string_object_get_string (gtk_list_item_get_item (item));
  const char *slash = strrchr (path, '/');
  g_autofree char *dir = slash ? g_strndup (path, slash - path) : NULL;

  gtk_label_set_label (GTK_LABEL (name), slash ? slash + 1 : path);
  gtk_label_set_label (GTK_LABEL (folder), dir ? dir : "");
  gtk_widget_set_visible (folder, dir != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, path, -1);
}

static void
spark_quick_open_dispose (GObject *object)
{
  SparkQuickOpen *self = (SparkQuickOpen *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->project);
  g_clear_object (&self->selection);
  g_clear_object (&self->results);
  g_clear_pointer (&self->files, g_ptr_array_unref);

  G_OBJECT_CLASS (spark_quick_open_parent_class)->dispose (object);
}

static void
spark_quick_open_class_init (SparkQuickOpenClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_quick_open_dispose;

  /**
   * SparkQuickOpen::file-chosen:
   * @relpath: the chosen file, relative to the project root
   */
  signals[FILE_CHOSEN] =
    g_signal_new ("file-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/sparkcode/Spark/spark-quick-open.ui");
  gtk_widget_class_bind_template_child (widget_class, SparkQuickOpen, entry);
  gtk_widget_class_bind_template_child (widget_class, SparkQuickOpen, list_view);
  gtk_widget_class_bind_template_child (widget_class, SparkQuickOpen, spinner);
  gtk_widget_class_bind_template_child (widget_class, SparkQuickOpen, stack);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_match_cb);
  gtk_widget_class_bind_template_callback (widget_class, previous_match_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
spark_quick_open_init (SparkQuickOpen *self)
{
  GtkListItemFactory *factory;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->results = gtk_string_list_new (NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  /* Arrow keys move through the results while typing goes on in the entry. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);

  gtk_search_entry_set_key_capture_widget (self->entry, GTK_WIDGET (self));
}

SparkQuickOpen *
spark_quick_open_new (GtkWindow    *parent,
                      SparkProject *project)
{
  SparkQuickOpen *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SPARK_IS_PROJECT (project), NULL);

  self = g_object_new (SPARK_TYPE_QUICK_OPEN,
                       "transient-for", parent,
                       NULL);
  self->project = g_object_ref (project);

  gtk_spinner_start (self->spinner);
  spark_project_list_files_async (project, MAX_FILES, self->cancellable,
                                  list_files_cb, g_object_ref (self));

  return self;
}

void
spark_quick_open_set_query (SparkQuickOpen *self,
                            const char     *query)
{
  g_return_if_fail (SPARK_IS_QUICK_OPEN (self));

  gtk_editable_set_text (GTK_EDITABLE (self->entry), query);
  refilter (self);
}

/**
 * spark_quick_open_get_results:
 *
 * Returns: (transfer none): the shown paths, best first (#GtkStringObject)
 */
GListModel *
spark_quick_open_get_results (SparkQuickOpen *self)
{
  g_return_val_if_fail (SPARK_IS_QUICK_OPEN (self), NULL);

  return G_LIST_MODEL (self->results);
}

gboolean
spark_quick_open_get_indexed (SparkQuickOpen *self)
{
  g_return_val_if_fail (SPARK_IS_QUICK_OPEN (self), FALSE);

  return self->files != NULL;
}
