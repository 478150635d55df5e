/* tr-order-dialog.h: create an order, or amend one
 *
 * The dialog checks everything the host would refuse (no items, a
 * quantity out of range, text over TR_MAX_TEXT_BYTES) before anything is
 * sent, says what is wrong in the dialog, and sends nothing until it is
 * right. Items are picked from the menu in the station's store, or
 * typed in. Sending builds one create or amend op and submits it
 * through the station.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_ORDER_DIALOG (tr_order_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TrOrderDialog, tr_order_dialog, TR, ORDER_DIALOG, AdwWindow)

/* Properties (construct-only):
 *   "station"  TrStation*
 *   "ticket"   TrTicket* (boxed)  the order to amend; NULL creates one
 * Read-only:
 *   "message"  string  why the order cannot be sent yet; NULL when it can
 * Signals:
 *   "sent"     (const char *op_id, const char *ticket_id)  submitted; the
 *              dialog closes itself afterwards
 * Actions (order.): send (Ctrl+Enter), add-menu-item (u), add-custom-item
 * (Ctrl+I), remove-item (s: row id), void-item (s: item id)
 */
TrOrderDialog *
tr_order_dialog_new (GtkWindow *parent, TrStation *station, const TrTicket *ticket);
gboolean
tr_order_dialog_is_amending (TrOrderDialog *self);
const char *
tr_order_dialog_get_message (TrOrderDialog *self);
/* Checks and, when everything is right, sends; FALSE (with the message
 * shown in the dialog) otherwise. The same as order.send. */
gboolean
tr_order_dialog_send (TrOrderDialog *self);
/* The new-item rows' quantity buttons, in order (tests). */
GPtrArray *
tr_order_dialog_get_quantity_buttons (TrOrderDialog *self);

G_END_DECLS
