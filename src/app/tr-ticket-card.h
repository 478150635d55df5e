/* tr-ticket-card.h: one ticket as a kitchen display card
 *
 * The card shows what its TrTicketObject holds, as the view configures
 * it (station filter, expo or kitchen, age thresholds) and with the view's
 * per-ticket state (selected, waiting for the host, acknowledged
 * changes). Its buttons activate the kitchen view's actions:
 * kitchen.tap-item (ss), kitchen.bump (s), kitchen.dismiss (s) and
 * kitchen.acknowledge (s) and kitchen.reprint (s).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-clock.h"
#include "tr-kitchen-rules.h"
#include "tr-ticket-object.h"

G_BEGIN_DECLS

#define TR_TYPE_TICKET_CARD (tr_ticket_card_get_type ())
G_DECLARE_FINAL_TYPE (TrTicketCard, tr_ticket_card, TR, TICKET_CARD, GtkWidget)

typedef enum
{
  TR_TICKET_AGE_FRESH,
  TR_TICKET_AGE_WARN,
  TR_TICKET_AGE_LATE,
} TrTicketAge;

GtkWidget *
tr_ticket_card_new (void);
TrTicketObject *
tr_ticket_card_get_ticket (TrTicketCard *self);
void
tr_ticket_card_set_ticket (TrTicketCard *self, TrTicketObject *ticket);
/* @station: the kitchen station shown ("" or NULL: all). @expo: bumping
 * serves rather than readies. */
void
tr_ticket_card_configure (TrTicketCard *self, TrClock *clock, const char *station, gboolean expo,
                          guint warn_minutes, guint late_minutes);
void
tr_ticket_card_set_selected (TrTicketCard *self, gboolean selected);
gboolean
tr_ticket_card_get_selected (TrTicketCard *self);
void
tr_ticket_card_set_pending (TrTicketCard *self, gboolean pending);
gboolean
tr_ticket_card_get_pending (TrTicketCard *self);
/* FALSE hides the Reprint button: the host has no printer that takes a
 * reprint (TrStation "can-reprint"; issue 13). TRUE by default. */
void
tr_ticket_card_set_can_reprint (TrTicketCard *self, gboolean can_reprint);
/* Changes at or before @acked_at (ms) are acknowledged. */
void
tr_ticket_card_set_acknowledged (TrTicketCard *self, gint64 acked_at);
gboolean
tr_ticket_card_get_modified (TrTicketCard *self);
TrTicketAge
tr_ticket_card_get_age (TrTicketCard *self);
/* The timer's text, e.g. "07:42". */
const char *
tr_ticket_card_get_timer_text (TrTicketCard *self);
/* The ids of the items the card shows, in order (NULL-terminated). */
GStrv
tr_ticket_card_dup_shown_item_ids (TrTicketCard *self);

G_END_DECLS
