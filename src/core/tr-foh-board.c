/* tr-foh-board.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-foh-board"

#include "tr-foh-board.h"

#include "tr-kitchen-rules.h"

int
tr_foh_section_of (const TrTicket *ticket, gint64 now_ms)
{
  g_return_val_if_fail (ticket != NULL, -1);

  switch (ticket->status)
    {
      case TR_TICKET_STATUS_NEW:
        return TR_FOH_SECTION_NEW;
      case TR_TICKET_STATUS_PREPARING:
        return TR_FOH_SECTION_PREPARING;
      case TR_TICKET_STATUS_READY:
        return TR_FOH_SECTION_READY;
      case TR_TICKET_STATUS_SERVED:
        /* A served ticket's last change is its serving. */
        return now_ms - ticket->updated_at <= TR_FOH_SERVED_WINDOW_MS ? TR_FOH_SECTION_SERVED : -1;
      case TR_TICKET_STATUS_CANCELLED:
      case TR_TICKET_N_STATUSES:
      default:
        return -1;
    }
}

/* Oldest first in the kitchen's sections, as the pass works them; the
 * served one shows the latest on top, as that is what a server looks
 * for. */
int
tr_foh_compare_full (TrFohSection section, const TrTicket *a, const TrTicket *b,
                     gboolean rush_first)
{
  g_return_val_if_fail (a != NULL && b != NULL, 0);

  if (section == TR_FOH_SECTION_SERVED)
    {
      if (a->updated_at != b->updated_at)
        return a->updated_at > b->updated_at ? -1 : 1;
      return g_strcmp0 (a->id, b->id);
    }
  return tr_kitchen_compare_tickets (a, b, rush_first);
}

int
tr_foh_compare (TrFohSection section, const TrTicket *a, const TrTicket *b)
{
  return tr_foh_compare_full (section, a, b, FALSE);
}

TrFohActions
tr_foh_actions_for (const TrTicket *ticket)
{
  TrFohActions actions = TR_FOH_ACTION_NONE;

  g_return_val_if_fail (ticket != NULL, TR_FOH_ACTION_NONE);

  /* A served or cancelled order is closed: the host refuses changes. */
  if (tr_ticket_is_open (ticket))
    actions |= TR_FOH_ACTION_AMEND | TR_FOH_ACTION_CANCEL;
  if (ticket->status == TR_TICKET_STATUS_READY)
    actions |= TR_FOH_ACTION_MARK_SERVED;
  return actions;
}
