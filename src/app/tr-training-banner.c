/* tr-training-banner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-training-banner"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-training-banner.h"

static GtkWidget *
button_new (const char *label, const char *action)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

GtkWidget *
tr_training_banner_new (TrStation *station)
{
  GtkWidget *revealer, *box, *title, *text, *buttons;

  g_return_val_if_fail (TR_IS_STATION (station), NULL);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  gtk_widget_add_css_class (box, "training-banner");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Training Mode"), -1);

  /* Translators: the banner shown on every screen in training mode; read across a kitchen, so keep
   * it short */
  title = gtk_label_new (_ ("TRAINING"));
  gtk_widget_add_css_class (title, "training-title");
  gtk_box_append (GTK_BOX (box), title);

  text = gtk_label_new (_ ("Training — tickets here are samples and never reach the live kitchen"));
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_valign (buttons, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (buttons),
                  button_new (_ ("_Clear Training Tickets…"), "app.clear-training"));
  gtk_box_append (GTK_BOX (buttons), button_new (_ ("Back to _Live"), "app.switch-training"));
  gtk_widget_set_visible (buttons, tr_station_get_mode (station) == TR_STATION_MODE_HOST);
  gtk_box_append (GTK_BOX (box), buttons);

  revealer = gtk_revealer_new ();
  gtk_revealer_set_transition_type (GTK_REVEALER (revealer),
                                    GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_revealer_set_child (GTK_REVEALER (revealer), box);
  g_object_bind_property (station, "training", revealer, "reveal-child", G_BINDING_SYNC_CREATE);
  return revealer;
}
