/* tr-ticket-object.h: a GObject around one TrTicket, for list models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tr-ticket.h"

G_BEGIN_DECLS

#define TR_TYPE_TICKET_OBJECT (tr_ticket_object_get_type ())
G_DECLARE_FINAL_TYPE (TrTicketObject, tr_ticket_object, TR, TICKET_OBJECT, GObject)

/* Takes a copy of @ticket; the object never changes afterwards (a list
 * replaces it when the ticket changes). */
TrTicketObject *
tr_ticket_object_new (const TrTicket *ticket);
const TrTicket *
tr_ticket_object_get_ticket (TrTicketObject *self);
const char *
tr_ticket_object_get_id (TrTicketObject *self);
int
tr_ticket_object_get_number (TrTicketObject *self);
TrTicketStatus
tr_ticket_object_get_status (TrTicketObject *self);
gboolean
tr_ticket_object_get_rush (TrTicketObject *self);
gint64
tr_ticket_object_get_created_at (TrTicketObject *self);
/* "#1042" */
char *
tr_ticket_object_dup_title (TrTicketObject *self);
/* "Table 12", "Takeaway", ... */
char *
tr_ticket_object_dup_destination (TrTicketObject *self);
/* "2 × Paneer Tikka, 1 × Garlic Naan", leaving out voided items */
char *
tr_ticket_object_dup_summary (TrTicketObject *self);
/* The sum of the quantities of the items not voided. */
guint
tr_ticket_object_get_item_count (TrTicketObject *self);
/* Translated, e.g. "Preparing". */
const char *
tr_ticket_object_get_status_label (TrTicketObject *self);

G_END_DECLS
