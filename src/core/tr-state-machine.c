/* tr-state-machine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-state-machine"

#include "tr-state-machine.h"

#include "tr-error.h"

typedef enum
{
  FORBIDDEN = 0,
  FORWARD,
  RECALL,
} TransitionKind;

/* The whole state machine: [from][to]. Cells left out are FORBIDDEN,
 * which includes the diagonal, because staying put is not a transition. */
static const TransitionKind ticket_table[TR_TICKET_N_STATUSES][TR_TICKET_N_STATUSES] = {
  [TR_TICKET_STATUS_NEW] = {
    /* A cook may bump a ticket nobody started, hence new → ready. */
    [TR_TICKET_STATUS_PREPARING] = FORWARD,
    [TR_TICKET_STATUS_READY] = FORWARD,
    [TR_TICKET_STATUS_CANCELLED] = FORWARD,
  },
  [TR_TICKET_STATUS_PREPARING] = {
    [TR_TICKET_STATUS_READY] = FORWARD,
    [TR_TICKET_STATUS_CANCELLED] = FORWARD,
  },
  [TR_TICKET_STATUS_READY] = {
    [TR_TICKET_STATUS_PREPARING] = RECALL,
    [TR_TICKET_STATUS_SERVED] = FORWARD,
    [TR_TICKET_STATUS_CANCELLED] = FORWARD,
  },
  [TR_TICKET_STATUS_SERVED] = {
    [TR_TICKET_STATUS_READY] = RECALL,
  },
  [TR_TICKET_STATUS_CANCELLED] = { FORBIDDEN },
};

static const TransitionKind item_table[TR_ITEM_N_STATUSES][TR_ITEM_N_STATUSES] = {
  [TR_ITEM_STATUS_PENDING] = {
    [TR_ITEM_STATUS_PREPARING] = FORWARD,
    [TR_ITEM_STATUS_READY] = FORWARD,
    [TR_ITEM_STATUS_VOIDED] = FORWARD,
  },
  [TR_ITEM_STATUS_PREPARING] = {
    [TR_ITEM_STATUS_READY] = FORWARD,
    [TR_ITEM_STATUS_VOIDED] = FORWARD,
  },
  [TR_ITEM_STATUS_READY] = {
    [TR_ITEM_STATUS_PREPARING] = RECALL,
    [TR_ITEM_STATUS_SERVED] = FORWARD,
    [TR_ITEM_STATUS_VOIDED] = FORWARD,
  },
  [TR_ITEM_STATUS_SERVED] = {
    [TR_ITEM_STATUS_READY] = RECALL,
  },
  [TR_ITEM_STATUS_VOIDED] = { FORBIDDEN },
};

/* Statuses come from ops that UI code may build by hand, so an out of
 * range value is bad input, not a programming error: no critical. */
static TransitionKind
ticket_lookup (TrTicketStatus from, TrTicketStatus to)
{
  if ((guint)from >= TR_TICKET_N_STATUSES || (guint)to >= TR_TICKET_N_STATUSES)
    return FORBIDDEN;
  return ticket_table[from][to];
}

static TransitionKind
item_lookup (TrItemStatus from, TrItemStatus to)
{
  if ((guint)from >= TR_ITEM_N_STATUSES || (guint)to >= TR_ITEM_N_STATUSES)
    return FORBIDDEN;
  return item_table[from][to];
}

static const char *
name_or_unknown (const char *name)
{
  return name != NULL ? name : "(unknown status)";
}

gboolean
tr_ticket_transition_check (TrTicketStatus from, TrTicketStatus to, GError **error)
{
  if (ticket_lookup (from, to) != FORBIDDEN)
    return TRUE;
  g_set_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION, "ticket cannot go from %s to %s",
               name_or_unknown (tr_ticket_status_to_string (from)),
               name_or_unknown (tr_ticket_status_to_string (to)));
  return FALSE;
}

gboolean
tr_item_transition_check (TrItemStatus from, TrItemStatus to, GError **error)
{
  if (item_lookup (from, to) != FORBIDDEN)
    return TRUE;
  g_set_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION, "item cannot go from %s to %s",
               name_or_unknown (tr_item_status_to_string (from)),
               name_or_unknown (tr_item_status_to_string (to)));
  return FALSE;
}

gboolean
tr_ticket_transition_is_recall (TrTicketStatus from, TrTicketStatus to)
{
  return ticket_lookup (from, to) == RECALL;
}

gboolean
tr_item_transition_is_recall (TrItemStatus from, TrItemStatus to)
{
  return item_lookup (from, to) == RECALL;
}
