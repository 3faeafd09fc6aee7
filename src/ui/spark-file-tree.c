/* spark-file-tree.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-file-tree"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-file-tree.h"

/* The project's files: a GtkListView over a GtkTreeListModel whose child
 * models are SparkDirectoryLists, so a folder is read only when its row is
 * expanded and only visible rows have widgets. */
struct _SparkFileTree
{
  GtkWidget           parent_instance;

  SparkProject       *project;
  GtkTreeListModel   *tree_model;
  GtkSingleSelection *selection;
  GtkWidget          *scroller;
  GtkListView        *list_view;
};

enum {
  PROP_0,
  PROP_PROJECT,
  N_PROPS
};

enum {
  FILE_ACTIVATED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SparkFileTree, spark_file_tree, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  SparkFileTree *self = user_data;
  SparkFileNode *node = item;

  if (!spark_file_node_get_is_directory (node) || self->project == NULL)
    return NULL;

  return spark_project_create_list (self->project, node);
}

/* Row widgets: expander ▸ [icon] name  status */
typedef struct
{
  GtkWidget *expander;
  GtkWidget *icon;
  GtkWidget *name;
  GtkWidget *status;
  gulong     notify_id;
  SparkFileNode *node;   /* owned while bound */
} Row;

static void
row_free (Row *row)
{
  if (row->node != NULL)
    g_clear_signal_handler (&row->notify_id, row->node);
  g_clear_object (&row->node);
  g_free (row);
}

static void
update_row_status (Row *row)
{
  SparkFileNode *node = row->node;
  SparkGitStatus status = spark_file_node_get_git_status (node);
  const char *word = spark_git_status_to_string (status);
  g_autofree char *label = NULL;

  gtk_label_set_label (GTK_LABEL (row->status), spark_git_status_to_letter (status));
  gtk_widget_set_visible (row->status, status != SPARK_GIT_STATUS_NONE);

  gtk_widget_remove_css_class (row->status, "modified");
  gtk_widget_remove_css_class (row->status, "new");
  gtk_widget_remove_css_class (row->status, "deleted");
  gtk_widget_remove_css_class (row->status, "conflicted");
  switch (status)
    {
    case SPARK_GIT_STATUS_MODIFIED:
    case SPARK_GIT_STATUS_RENAMED:
      gtk_widget_add_css_class (row->status, "modified");
      break;
    case SPARK_GIT_STATUS_NEW:
      gtk_widget_add_css_class (row->status, "new");
      break;
    case SPARK_GIT_STATUS_DELETED:
      gtk_widget_add_css_class (row->status, "deleted");
      break;
    case SPARK_GIT_STATUS_CONFLICTED:
      gtk_widget_add_css_class (row->status, "conflicted");
      break;
    case SPARK_GIT_STATUS_NONE:
    default:
      break;
    }

  if (*word)
    /* Translators: accessible name of a file tree row, e.g. "main.c, modified" */
    label = g_strdup_printf (_("%s, %s"), spark_file_node_get_name (node), word);
  else
    label = g_strdup (spark_file_node_get_name (node));

  gtk_accessible_update_property (GTK_ACCESSIBLE (row->expander),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              SparkFileTree            *self)
{
  Row *row = g_new0 (Row, 1);
  GtkWidget *box;

  row->expander = gtk_tree_expander_new ();
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  row->icon = gtk_image_new ();
  row->name = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (row->name, TRUE);
  row->status = gtk_label_new (NULL);
  gtk_widget_add_css_class (row->status, "git-status");

  gtk_box_append (GTK_BOX (box), row->icon);
  gtk_box_append (GTK_BOX (box), row->name);
  gtk_box_append (GTK_BOX (box), row->status);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (row->expander), box);
  gtk_list_item_set_child (list_item, row->expander);

  g_object_set_data_full (G_OBJECT (list_item), "row", row, (GDestroyNotify) row_free);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             SparkFileTree            *self)
{
  Row *row = g_object_get_data (G_OBJECT (list_item), "row");
  GtkTreeListRow *tree_row = gtk_list_item_get_item (list_item);
  SparkFileNode *node = gtk_tree_list_row_get_item (tree_row);
  const char *name = spark_file_node_get_name (node);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (row->expander), tree_row);
  gtk_label_set_label (GTK_LABEL (row->name), name);

  if (spark_file_node_get_is_directory (node))
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (row->icon), "folder-symbolic");
    }
  else
    {
      g_autofree char *content_type = g_content_type_guess (name, NULL, 0, NULL);
      g_autoptr(GIcon) icon = NULL;

      /* Dot-files and unknown names are nearly always text in a project. */
      if (g_content_type_is_unknown (content_type))
        icon = g_themed_icon_new ("text-x-generic-symbolic");
      else
        icon = g_content_type_get_symbolic_icon (content_type);

      gtk_image_set_from_gicon (GTK_IMAGE (row->icon), icon);
    }

  if (spark_file_node_get_is_deleted (node))
    gtk_widget_add_css_class (row->name, "deleted");
  else
    gtk_widget_remove_css_class (row->name, "deleted");

  /* The row keeps the reference gtk_tree_list_row_get_item() returned
   * until it is unbound: the node may otherwise be gone (its folder
   * reloaded, the window closing) before the handler is disconnected. */
  if (row->node != NULL)
    g_clear_signal_handler (&row->notify_id, row->node);
  g_clear_object (&row->node);
  row->node = node;
  row->notify_id = g_signal_connect_swapped (node, "notify::git-status",
                                             G_CALLBACK (update_row_status), row);
  update_row_status (row);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               SparkFileTree            *self)
{
  Row *row = g_object_get_data (G_OBJECT (list_item), "row");

  if (row->node != NULL)
    g_clear_signal_handler (&row->notify_id, row->node);
  g_clear_object (&row->node);
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (row->expander), NULL);
}

static void
activate_cb (SparkFileTree *self,
             guint          position,
             GtkListView   *list_view)
{
  g_autoptr(GtkTreeListRow) tree_row = g_list_model_get_item (G_LIST_MODEL (self->tree_model),
                                                              position);
  g_autoptr(SparkFileNode) node = NULL;
  g_autoptr(GFile) file = NULL;

  if (tree_row == NULL)
    return;

  node = gtk_tree_list_row_get_item (tree_row);

  if (spark_file_node_get_is_directory (node))
    {
      gtk_tree_list_row_set_expanded (tree_row, !gtk_tree_list_row_get_expanded (tree_row));
      return;
    }

  if (spark_file_node_get_is_deleted (node))
    return;

  file = spark_file_node_dup_file (node);
  g_signal_emit (self, signals[FILE_ACTIVATED], 0, file);
}

static void
spark_file_tree_dispose (GObject *object)
{
  SparkFileTree *self = (SparkFileTree *)object;

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree_model);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (spark_file_tree_parent_class)->dispose (object);
}

static void
spark_file_tree_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SparkFileTree *self = SPARK_FILE_TREE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_file_tree_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SparkFileTree *self = SPARK_FILE_TREE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      spark_file_tree_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spark_file_tree_class_init (SparkFileTreeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spark_file_tree_dispose;
  object_class->get_property = spark_file_tree_get_property;
  object_class->set_property = spark_file_tree_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, SPARK_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SparkFileTree::file-activated:
   * @file: the file the person opened (double click or Enter)
   */
  signals[FILE_ACTIVATED] =
    g_signal_new ("file-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "filetree");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
spark_file_tree_init (SparkFileTree *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (g_object_ref (GTK_SELECTION_MODEL (self->selection)),
                                                      factory));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Project Files"),
                                  -1);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (activate_cb), self,
                           G_CONNECT_SWAPPED);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->list_view));
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}

GtkWidget *
spark_file_tree_new (void)
{
  return g_object_new (SPARK_TYPE_FILE_TREE, NULL);
}

SparkProject *
spark_file_tree_get_project (SparkFileTree *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_TREE (self), NULL);

  return self->project;
}

void
spark_file_tree_set_project (SparkFileTree *self,
                             SparkProject  *project)
{
  g_return_if_fail (SPARK_IS_FILE_TREE (self));
  g_return_if_fail (!project || SPARK_IS_PROJECT (project));

  if (!g_set_object (&self->project, project))
    return;

  gtk_single_selection_set_model (self->selection, NULL);
  g_clear_object (&self->tree_model);

  if (project != NULL)
    {
      GListModel *root = spark_project_create_list (project, NULL);

      self->tree_model = gtk_tree_list_model_new (root, FALSE, FALSE,
                                                  create_child_model, self, NULL);
      gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->tree_model));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

/**
 * spark_file_tree_get_rows:
 *
 * Returns: (transfer none) (nullable): the flattened rows
 *   (#GtkTreeListRow items), for tests and keyboard navigation
 */
GListModel *
spark_file_tree_get_rows (SparkFileTree *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_TREE (self), NULL);

  return G_LIST_MODEL (self->tree_model);
}

GtkListView *
spark_file_tree_get_list_view (SparkFileTree *self)
{
  g_return_val_if_fail (SPARK_IS_FILE_TREE (self), NULL);

  return self->list_view;
}
