/* tr-state-machine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-state-machine"

#include "config.h"

#include <glib/gi18n-lib.h>

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

/* Marked here, translated in the _to_display() functions. In English
 * they are the wire names, so the C locale's messages name the states
 * exactly as the protocol does. */
static const char *const ticket_status_names[TR_TICKET_N_STATUSES] = {
  /* Translators: a ticket's status inside a sentence such as "ticket
   * cannot go from served to preparing"; lower case where the language
   * has it */
  [TR_TICKET_STATUS_NEW] = NC_ ("ticket status in a sentence", "new"),
  [TR_TICKET_STATUS_PREPARING] = NC_ ("ticket status in a sentence", "preparing"),
  [TR_TICKET_STATUS_READY] = NC_ ("ticket status in a sentence", "ready"),
  [TR_TICKET_STATUS_SERVED] = NC_ ("ticket status in a sentence", "served"),
  [TR_TICKET_STATUS_CANCELLED] = NC_ ("ticket status in a sentence", "cancelled"),
};

static const char *const item_status_names[TR_ITEM_N_STATUSES] = {
  /* Translators: an item's status inside a sentence such as "item cannot
   * go from voided to ready"; lower case where the language has it */
  [TR_ITEM_STATUS_PENDING] = NC_ ("item status in a sentence", "pending"),
  [TR_ITEM_STATUS_PREPARING] = NC_ ("item status in a sentence", "preparing"),
  [TR_ITEM_STATUS_READY] = NC_ ("item status in a sentence", "ready"),
  [TR_ITEM_STATUS_SERVED] = NC_ ("item status in a sentence", "served"),
  [TR_ITEM_STATUS_VOIDED] = NC_ ("item status in a sentence", "voided"),
};

const char *
tr_ticket_status_to_display (TrTicketStatus status)
{
  if ((guint)status >= TR_TICKET_N_STATUSES)
    return _ ("(unknown status)");
  return g_dpgettext2 (GETTEXT_PACKAGE, "ticket status in a sentence", ticket_status_names[status]);
}

const char *
tr_item_status_to_display (TrItemStatus status)
{
  if ((guint)status >= TR_ITEM_N_STATUSES)
    return _ ("(unknown status)");
  return g_dpgettext2 (GETTEXT_PACKAGE, "item status in a sentence", item_status_names[status]);
}

gboolean
tr_ticket_transition_check (TrTicketStatus from, TrTicketStatus to, GError **error)
{
  if (ticket_lookup (from, to) != FORBIDDEN)
    return TRUE;
  g_set_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION,
               /* Translators: both %s are ticket statuses, e.g. "ticket
                * cannot go from served to preparing" */
               _ ("ticket cannot go from %s to %s"), tr_ticket_status_to_display (from),
               tr_ticket_status_to_display (to));
  return FALSE;
}

gboolean
tr_item_transition_check (TrItemStatus from, TrItemStatus to, GError **error)
{
  if (item_lookup (from, to) != FORBIDDEN)
    return TRUE;
  g_set_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION,
               /* Translators: both %s are item statuses, e.g. "item cannot
                * go from voided to ready" */
               _ ("item cannot go from %s to %s"), tr_item_status_to_display (from),
               tr_item_status_to_display (to));
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
