/* tr-ticket-list.h: the open tickets of a station as a GListModel
 *
 * The list holds TrTicketObjects oldest first (rush tickets ahead of
 * the others while "rush-first", the default) and follows the station's
 * "ticket-changed" signal one ticket at a time: a changed ticket replaces
 * its row in place, a new one is inserted, a closed or removed one
 * disappears. Widgets therefore never see the whole list rebuilt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-station.h"
#include "tr-ticket-object.h"

G_BEGIN_DECLS

#define TR_TYPE_TICKET_LIST (tr_ticket_list_get_type ())
G_DECLARE_FINAL_TYPE (TrTicketList, tr_ticket_list, TR, TICKET_LIST, GObject)

/* An empty list with no station. */
TrTicketList *
tr_ticket_list_new (void);
TrStation *
tr_ticket_list_get_station (TrTicketList *self);
/* Follows @station (NULL: none) and loads its open tickets, read through
 * the station (never the host's own connection). On failure the list is
 * empty, keeps following @station, and @error says why. */
gboolean
tr_ticket_list_set_station (TrTicketList *self, TrStation *station, GError **error);
/* The row of @ticket_id, or NULL; @position may be NULL. */
TrTicketObject *
tr_ticket_list_find (TrTicketList *self, const char *ticket_id, guint *position);

/* With keep-cancelled, a listed ticket that gets cancelled stays (as
 * cancelled) until tr_ticket_list_dismiss(); tickets already cancelled
 * when the list loads are not listed. */
gboolean
tr_ticket_list_get_keep_cancelled (TrTicketList *self);
void
tr_ticket_list_set_keep_cancelled (TrTicketList *self, gboolean keep_cancelled);
/* Removes the cancelled ticket @ticket_id; FALSE when it is not listed
 * or not cancelled. */
gboolean
tr_ticket_list_dismiss (TrTicketList *self, const char *ticket_id);

/* With rush-first (TRUE by default) rush tickets come before the others,
 * each group oldest first (tr_kitchen_compare_tickets()). */
gboolean
tr_ticket_list_get_rush_first (TrTicketList *self);
void
tr_ticket_list_set_rush_first (TrTicketList *self, gboolean rush_first);

G_END_DECLS
