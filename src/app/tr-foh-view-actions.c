/* tr-foh-view-actions.c: the foh.* actions: new order, amend, mark served,
 * serve next, cancel; each ends in an op submitted through the station
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-foh-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-error.h"
#include "tr-foh-view-private.h"
#include "tr-order-dialog.h"
#include "tr-reprint.h"
#include "tr-ticket-object.h"

/* ---- Actions ---- */

/* Submits @op to mark the order @title served, or, with @title NULL, to
 * cancel it; a refusal becomes a toast. */
static void
submit (TrFohView *self, TrOp *op, const char *title)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tr_station_submit (self->station, op, &error))
    return;
  if (title != NULL)
    /* Translators: the first %s is an order, e.g. "Table 12" or "#1042";
     * the second says why, e.g. "Cannot mark Table 12 served: it is
     * already closed" */
    text = g_strdup_printf (_ ("Cannot mark %s served: %s"), title,
                            tr_error_describe_local_refusal (error));
  else
    /* Translators: %s says why, e.g. "someone else changed it first" */
    text = g_strdup_printf (_ ("Cannot cancel the order: %s"),
                            tr_error_describe_local_refusal (error));
  _tr_foh_view_show_toast (self, text);
}

static void
forget_dialog (gpointer data, GObject *where_the_object_was)
{
  TrFohView *self = data;

  if ((GObject *)self->dialog == where_the_object_was)
    self->dialog = NULL;
}

static void
track_dialog (TrFohView *self, GtkWindow *dialog)
{
  if (self->dialog != NULL)
    g_object_weak_unref (G_OBJECT (self->dialog), forget_dialog, self);
  self->dialog = dialog;
  g_object_weak_ref (G_OBJECT (dialog), forget_dialog, self);
}

static void
open_order_dialog (TrFohView *self, const TrTicket *ticket)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  TrOrderDialog *dialog;

  dialog
    = tr_order_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->station, ticket);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_new_order (GtkWidget *widget, const char *action_name, GVariant *param)
{
  open_order_dialog (TR_FOH_VIEW (widget), NULL);
}

static void
action_amend (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrFohView *self = TR_FOH_VIEW (widget);
  g_autoptr (TrTicket) ticket
    = _tr_foh_view_lookup_ticket (self, g_variant_get_string (param, NULL));

  if (ticket == NULL)
    return;
  if (!(tr_foh_actions_for (ticket) & TR_FOH_ACTION_AMEND))
    {
      _tr_foh_view_show_toast (self, _ ("A served or cancelled order cannot be changed"));
      return;
    }
  open_order_dialog (self, ticket);
}

static void
mark_served (TrFohView *self, const char *ticket_id)
{
  g_autoptr (TrTicket) ticket = _tr_foh_view_lookup_ticket (self, ticket_id);
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrTicketObject) obj = NULL;
  g_autofree char *title = NULL;

  if (ticket == NULL)
    return;
  obj = tr_ticket_object_new (ticket);
  title = tr_ticket_object_dup_title (obj);
  op = tr_op_new_set_ticket_status (tr_station_get_station_id (self->station), ticket_id,
                                    TR_TICKET_STATUS_SERVED);
  submit (self, op, title);
}

static void
action_mark_served (GtkWidget *widget, const char *action_name, GVariant *param)
{
  mark_served (TR_FOH_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_serve_next (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrFohView *self = TR_FOH_VIEW (widget);
  g_autoptr (TrTicketObject) obj
    = g_list_model_get_item (G_LIST_MODEL (self->sections[TR_FOH_SECTION_READY]), 0);

  if (obj == NULL)
    {
      _tr_foh_view_show_toast (self, _ ("No order is ready"));
      return;
    }
  mark_served (self, tr_ticket_object_get_id (obj));
}

static void
on_cancel_response (AdwMessageDialog *dialog, const char *response, TrFohView *self)
{
  const char *ticket_id = g_object_get_data (G_OBJECT (dialog), "ticket-id");
  g_autoptr (TrOp) op = NULL;

  if (g_strcmp0 (response, "cancel-order") != 0)
    return;
  op = tr_op_new_set_ticket_status (tr_station_get_station_id (self->station), ticket_id,
                                    TR_TICKET_STATUS_CANCELLED);
  submit (self, op, NULL);
}

static void
action_cancel (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrFohView *self = TR_FOH_VIEW (widget);
  const char *ticket_id = g_variant_get_string (param, NULL);
  g_autoptr (TrTicket) ticket = _tr_foh_view_lookup_ticket (self, ticket_id);
  g_autoptr (TrTicketObject) obj = NULL;
  g_autofree char *title = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (ticket == NULL)
    return;
  if (!(tr_foh_actions_for (ticket) & TR_FOH_ACTION_CANCEL))
    {
      _tr_foh_view_show_toast (self, _ ("A served or cancelled order cannot be cancelled"));
      return;
    }
  obj = tr_ticket_object_new (ticket);
  title = tr_ticket_object_dup_title (obj);
  destination = tr_ticket_object_dup_destination (obj);
  /* Translators: e.g. "Cancel Order #1042?" */
  heading = g_strdup_printf (_ ("Cancel Order %s?"), title);
  /* Translators: e.g. "Table 12: the kitchen stops work on it and it leaves every screen." */
  body = g_strdup_printf (_ ("%s: the kitchen stops work on it and it leaves every screen. "
                             "This cannot be undone."),
                          destination);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _ ("_Keep Order"),
                                    "cancel-order", _ ("C_ancel Order"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-order",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data_full (G_OBJECT (dialog), "ticket-id", g_strdup (ticket_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self, 0);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_toast (GtkWidget *widget, const char *text)
{
  _tr_foh_view_show_toast (TR_FOH_VIEW (widget), text);
}

/* A slip lost or spoiled in the kitchen: print it again, marked
 * REPRINT, on the printers of the order's stations. */
static void
action_reprint (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrFohView *self = TR_FOH_VIEW (widget);

  tr_reprint_ticket (self->station, g_variant_get_string (param, NULL), widget, show_toast);
}

static void
update_can_reprint (TrFohView *self)
{
  gboolean can = tr_station_get_can_reprint (self->station);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "foh.reprint", can);
  _tr_foh_view_show_reprint (self, can);
}

void
_tr_foh_view_follow_can_reprint (TrFohView *self)
{
  g_signal_connect_object (self->station, "notify::can-reprint", G_CALLBACK (update_can_reprint),
                           self, G_CONNECT_SWAPPED);
  update_can_reprint (self);
}

void
_tr_foh_view_close_dialog (TrFohView *self)
{
  GtkWindow *dialog = self->dialog;

  if (dialog == NULL)
    return;
  g_object_weak_unref (G_OBJECT (dialog), forget_dialog, self);
  self->dialog = NULL;
  gtk_window_destroy (dialog);
}

void
_tr_foh_view_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "foh.new-order", NULL, action_new_order);
  gtk_widget_class_install_action (widget_class, "foh.amend", "s", action_amend);
  gtk_widget_class_install_action (widget_class, "foh.mark-served", "s", action_mark_served);
  gtk_widget_class_install_action (widget_class, "foh.serve-next", NULL, action_serve_next);
  gtk_widget_class_install_action (widget_class, "foh.cancel", "s", action_cancel);
  gtk_widget_class_install_action (widget_class, "foh.reprint", "s", action_reprint);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "foh.new-order",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "foh.serve-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "foh.serve-next", NULL);
}
