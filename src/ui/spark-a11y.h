/* spark-a11y.h: small accessibility fixes shared by the views
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Buttons with a mnemonic ("_Apply") get their accessible name from their
 * label once, not "_Apply Apply": GTK 4.8 joins the button's own label
 * property and the label widget that names it. Call once after
 * gtk_widget_init_template(); it follows later label changes too. */
void     spark_a11y_tidy_mnemonic_buttons (GtkWidget   *root);

/* Icon-only buttons inside libadwaita 1.2 widgets (a tab's close button,
 * the password entry's reveal button, a split button's arrow) have a tooltip but no accessible
 * name; gives each of @root's the tooltip as its name. Only for widgets
 * without buttons of our own, which are labelled in their templates. */
void     spark_a11y_name_icon_buttons     (GtkWidget   *root);

/* GTK 4.8 leaves the button inside a GtkDropDown without a name; a screen
 * reader says "toggle button". Names it @label. */
void     spark_a11y_label_drop_down       (GtkDropDown *drop_down,
                                           const char  *label);

/* adw_toast_overlay_add_toast(), with the toast's buttons named as above:
 * libadwaita 1.2 says "_Undo Undo" for its button and nothing for the one
 * that dismisses it. Takes @toast, like adw_toast_overlay_add_toast(). */
void     spark_a11y_add_toast             (AdwToastOverlay *overlay,
                                           AdwToast        *toast);

/* Speaks @message politely where GTK can (4.14 and later); returns FALSE
 * where it cannot, so the caller keeps a description up to date instead. */
gboolean spark_a11y_announce              (GtkWidget   *widget,
                                           const char  *message);

G_END_DECLS
