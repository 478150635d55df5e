/* tr-state-machine.h: the one table of legal ticket and item transitions
 *
 * Ticket: new → preparing → ready → served; cancelled from new, preparing
 * or ready; recall moves served → ready and ready → preparing.
 * Item: pending → preparing → ready → served; voided from pending,
 * preparing or ready; recall moves served → ready and ready → preparing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-ticket.h"

G_BEGIN_DECLS

/* TRUE when @from → @to is in the table. Staying in the same state is
 * not a transition and returns FALSE. On FALSE, @error (if not NULL) is
 * TR_ERROR_ILLEGAL_TRANSITION with a message naming both states, e.g.
 * "ticket cannot go from served to preparing". */
gboolean tr_ticket_transition_check (TrTicketStatus from, TrTicketStatus to, GError **error);
gboolean tr_item_transition_check   (TrItemStatus from, TrItemStatus to, GError **error);

/* Recall transitions are the backwards ones (served → ready, ready →
 * preparing). */
gboolean tr_ticket_transition_is_recall (TrTicketStatus from, TrTicketStatus to);
gboolean tr_item_transition_is_recall   (TrItemStatus from, TrItemStatus to);

/* A status as a word for the messages above, in the user's language
 * (lower case; in English the wire name, "preparing"). For people only:
 * the wire and the store keep tr_ticket_status_to_string(). An out of
 * range status gives "(unknown status)". */
const char *tr_ticket_status_to_display (TrTicketStatus status);
const char *tr_item_status_to_display   (TrItemStatus status);

G_END_DECLS
