/* tr-test-slips.h: the ticket the slip tests print
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-ticket.h"

G_BEGIN_DECLS

/* 12:03 UTC on 4 December 2026, in ms. */
#define TR_TEST_SLIP_TIME ((gint64)1796385780000)

/* Ticket #42, table 7, a rush: two smash burgers for the grill with
 * modifiers, allergens and a note, fries for the fry station, a dessert
 * with a long name for pastry in course 2, water routed nowhere, and a
 * voided salad. */
TrTicket *
tr_test_slips_ticket (void);

G_END_DECLS
