/* tr-ticket-row.h: one ticket as a row of the ticket list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-ticket-object.h"

G_BEGIN_DECLS

#define TR_TYPE_TICKET_ROW (tr_ticket_row_get_type ())
G_DECLARE_FINAL_TYPE (TrTicketRow, tr_ticket_row, TR, TICKET_ROW, GtkWidget)

GtkWidget *
tr_ticket_row_new (void);
TrTicketObject *
tr_ticket_row_get_ticket (TrTicketRow *self);
void
tr_ticket_row_set_ticket (TrTicketRow *self, TrTicketObject *ticket);

G_END_DECLS
