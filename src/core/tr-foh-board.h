/* tr-foh-board.h: the rules of the front-of-house board
 *
 * Which section lists a ticket, in which order, and what a server may
 * do with it there. Pure functions of the ticket and the time, so the
 * board (src/app/tr-foh-view.c) only draws and routes input, and the
 * rules are unit-tested without a window (tests/test-foh-board.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-ticket.h"

G_BEGIN_DECLS

/* How long a served order stays on the board. */
#define TR_FOH_SERVED_WINDOW_MS (30 * 60 * 1000)

typedef enum
{
  TR_FOH_SECTION_NEW,
  TR_FOH_SECTION_PREPARING,
  TR_FOH_SECTION_READY,
  TR_FOH_SECTION_SERVED,
  TR_FOH_N_SECTIONS
} TrFohSection;

/* What the board offers for an order (a bit each). */
typedef enum
{
  TR_FOH_ACTION_NONE = 0,
  TR_FOH_ACTION_MARK_SERVED = 1 << 0,
  TR_FOH_ACTION_AMEND = 1 << 1,
  TR_FOH_ACTION_CANCEL = 1 << 2,
} TrFohActions;

/* The section that lists @ticket at @now_ms, or -1 when the board does
 * not show it (cancelled, or served more than TR_FOH_SERVED_WINDOW_MS
 * ago). */
int          tr_foh_section_of      (const TrTicket *ticket, gint64 now_ms);

/* Display order within @section: oldest first (created_at, then number,
 * then id) in the kitchen's sections; in the served one the latest
 * served on top (updated_at descending, then id). <0, 0 or >0. */
int          tr_foh_compare         (TrFohSection section, const TrTicket *a, const TrTicket *b);
/* The same with the "rush-first" setting: when @rush_first, the
 * kitchen's sections (new, preparing, ready) list rush orders first,
 * each group oldest first (tr_kitchen_compare_tickets()); the served
 * one is unchanged. tr_foh_compare() is this with FALSE. */
int          tr_foh_compare_full    (TrFohSection section, const TrTicket *a, const TrTicket *b,
                                     gboolean rush_first);

/* What a server may do with @ticket: amend and cancel while it is open,
 * and mark it served once it is ready. */
TrFohActions tr_foh_actions_for     (const TrTicket *ticket);

G_END_DECLS
