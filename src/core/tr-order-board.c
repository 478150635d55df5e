/* tr-order-board.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-order-board"

#include "tr-order-board.h"

#include "tr-kitchen-rules.h"

gboolean
tr_order_board_is_leaving (const TrTicket *ticket)
{
  g_return_val_if_fail (ticket != NULL, FALSE);

  return ticket->status == TR_TICKET_STATUS_SERVED || ticket->status == TR_TICKET_STATUS_CANCELLED;
}

int
tr_order_board_column_of (const TrTicket *ticket, gint64 now_ms, gint64 linger_ms)
{
  g_return_val_if_fail (ticket != NULL, -1);

  switch (ticket->status)
    {
      case TR_TICKET_STATUS_NEW:
      case TR_TICKET_STATUS_PREPARING:
        return TR_ORDER_BOARD_PREPARING;
      case TR_TICKET_STATUS_READY:
        return TR_ORDER_BOARD_READY;
      case TR_TICKET_STATUS_SERVED:
      case TR_TICKET_STATUS_CANCELLED:
        /* A closed ticket's last change is its closing. */
        if (now_ms >= tr_order_board_leaves_at (ticket, linger_ms))
          return -1;
        if (ticket->status == TR_TICKET_STATUS_SERVED)
          return TR_ORDER_BOARD_READY;
        /* Cancelled: where it was when it was cancelled. */
        return ticket->recall_status == TR_TICKET_STATUS_READY ? TR_ORDER_BOARD_READY
                                                               : TR_ORDER_BOARD_PREPARING;
      case TR_TICKET_N_STATUSES:
      default:
        return -1;
    }
}

gint64
tr_order_board_leaves_at (const TrTicket *ticket, gint64 linger_ms)
{
  g_return_val_if_fail (ticket != NULL, G_MAXINT64);

  if (!tr_order_board_is_leaving (ticket))
    return G_MAXINT64;
  linger_ms = CLAMP (linger_ms, 0, TR_ORDER_BOARD_MAX_LINGER_MS);
  return ticket->updated_at + linger_ms;
}

int
tr_order_board_compare (TrOrderBoardColumn column, const TrTicket *a, const TrTicket *b,
                        gboolean rush_first)
{
  gboolean closed_a, closed_b;

  g_return_val_if_fail (a != NULL && b != NULL, 0);

  closed_a = tr_order_board_is_leaving (a);
  closed_b = tr_order_board_is_leaving (b);
  if (closed_a != closed_b)
    return closed_a ? 1 : -1;
  if (column == TR_ORDER_BOARD_READY)
    {
      if (a->updated_at != b->updated_at)
        return a->updated_at > b->updated_at ? -1 : 1;
      return tr_kitchen_compare_tickets (a, b, FALSE);
    }
  return tr_kitchen_compare_tickets (a, b, rush_first);
}

gboolean
tr_order_board_became_ready (const TrTicket *before, const TrTicket *after)
{
  g_return_val_if_fail (after != NULL, FALSE);

  return after->status == TR_TICKET_STATUS_READY
         && (before == NULL || before->status != TR_TICKET_STATUS_READY);
}

gboolean
tr_order_board_is_highlighted (gint64 ready_seen_ms, gint64 now_ms)
{
  return now_ms - ready_seen_ms < TR_ORDER_BOARD_HIGHLIGHT_MS;
}

const char *
tr_order_board_detail (const TrTicket *ticket)
{
  g_return_val_if_fail (ticket != NULL, NULL);

  return ticket->table != NULL && *ticket->table != '\0' ? ticket->table : NULL;
}

gint64
tr_order_board_linger_ms (guint seconds)
{
  return MIN ((gint64)seconds * 1000, (gint64)TR_ORDER_BOARD_MAX_LINGER_MS);
}
