/* spark-a11y.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-a11y"

#include "config.h"

#include <glib/gi18n.h>

#include "spark-a11y.h"

static gboolean
names_itself_by_mnemonic (GtkButton *button)
{
  GtkWidget *child = gtk_button_get_child (button);

  return gtk_button_get_use_underline (button) &&
         GTK_IS_LABEL (child) &&
         gtk_label_get_mnemonic_widget (GTK_LABEL (child)) == GTK_WIDGET (button);
}

/* The label widget is related to the button as "labelled by", which names
 * it; the label property would only repeat the text, with its underscore. */
static void
drop_label_property (GtkButton *button)
{
  if (names_itself_by_mnemonic (button))
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static void
tidy (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && !g_object_get_data (G_OBJECT (widget), "spark-a11y-tidy"))
    {
      g_object_set_data (G_OBJECT (widget), "spark-a11y-tidy", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::label", G_CALLBACK (drop_label_property), NULL);
      g_signal_connect (widget, "notify::use-underline", G_CALLBACK (drop_label_property), NULL);
      drop_label_property (GTK_BUTTON (widget));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    tidy (child);
}

void
spark_a11y_tidy_mnemonic_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  tidy (root);
}

static void
name_icon_buttons (GtkWidget *widget)
{
  if ((GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) == NULL) ||
      (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)) == NULL))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (widget);

      if (tooltip != NULL && *tooltip != '\0')
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    name_icon_buttons (child);
}

void
spark_a11y_name_icon_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  name_icon_buttons (root);
}

void
spark_a11y_label_drop_down (GtkDropDown *drop_down,
                            const char  *label)
{
  g_return_if_fail (GTK_IS_DROP_DOWN (drop_down));

  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  /* The focusable part is the drop-down's own toggle button. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (drop_down));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TOGGLE_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
}

static void
name_dismiss_buttons (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) == NULL &&
      gtk_widget_get_tooltip_text (widget) == NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    /* translators: accessible name of the button that closes a notification */
                                    _("Dismiss"),
                                    -1);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    name_dismiss_buttons (child);
}

/* Every child but the content is a toast on screen (or going away). */
static void
tidy_toasts (AdwToastOverlay *overlay)
{
  GtkWidget *content = adw_toast_overlay_get_child (overlay);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (overlay));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (child == content)
        continue;
      tidy (child);
      name_dismiss_buttons (child);
    }
}

void
spark_a11y_add_toast (AdwToastOverlay *overlay,
                      AdwToast        *toast)
{
  g_autoptr(AdwToast) hold = NULL;

  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  g_return_if_fail (ADW_IS_TOAST (toast));

  hold = g_object_ref (toast);
  adw_toast_overlay_add_toast (overlay, toast);
  /* The overlay shows the next toast when this one is dismissed, in its own
   * handler; this one runs after it, so the next toast's widget is there. */
  g_signal_connect_object (hold, "dismissed", G_CALLBACK (tidy_toasts), overlay,
                           G_CONNECT_SWAPPED);
  tidy_toasts (overlay);
}

gboolean
spark_a11y_announce (GtkWidget  *widget,
                     const char *message)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

#if GTK_CHECK_VERSION (4, 14, 0)
  gtk_accessible_announce (GTK_ACCESSIBLE (widget), message,
                           GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_MEDIUM);
  return TRUE;
#else
  return FALSE;
#endif
}
