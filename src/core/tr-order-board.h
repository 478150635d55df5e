/* tr-order-board.h: the rules of the customer order-ready board
 *
 * Which column of the board a guest sees a ticket in, when it leaves,
 * the order within a column, and when a number just became ready. Pure
 * functions of tickets and the time: the GTK app's Board mode
 * (src/app/tr-board-view.c) only draws them, and they are unit-tested
 * without a window (tests/test-order-board.c). They are the rules of
 * the browser's board (data/web/rules.js: boardColumn(), leavesAt(),
 * compareOnBoard(), newlyReady()), so both boards agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-ticket.h"

G_BEGIN_DECLS

/* How long an order stays after it is served or cancelled, by default
 * (the GSettings key "board-linger-seconds", ?linger= on the web). */
#define TR_ORDER_BOARD_DEFAULT_LINGER_MS (5 * 60 * 1000)
/* The longest linger a screen accepts (a day, as on the web). */
#define TR_ORDER_BOARD_MAX_LINGER_MS (24 * 60 * 60 * 1000)
/* How long a number that just became ready stands out. */
#define TR_ORDER_BOARD_HIGHLIGHT_MS (8 * 1000)

typedef enum
{
  TR_ORDER_BOARD_PREPARING,
  TR_ORDER_BOARD_READY,
  TR_ORDER_BOARD_N_COLUMNS
} TrOrderBoardColumn;

/* The column of @ticket at @now_ms, or -1 when the board does not show
 * it. New and preparing orders wait in Preparing, ready ones are in
 * Ready; a served or cancelled one stays where it was for @linger_ms
 * after its last change (its closing), so that a guest who looks up a
 * moment late still finds the number: served in Ready, cancelled where
 * its recall_status says. */
int
tr_order_board_column_of (const TrTicket *ticket, gint64 now_ms, gint64 linger_ms);

/* When @ticket leaves the board (ms), or G_MAXINT64 while it is open. */
gint64
tr_order_board_leaves_at (const TrTicket *ticket, gint64 linger_ms);

/* TRUE for a served or cancelled ticket: still shown, faded, while it
 * lingers. */
gboolean
tr_order_board_is_leaving (const TrTicket *ticket);

/* The order within @column: open orders before the ones only lingering;
 * then in Preparing the kitchen's order (rush first when @rush_first,
 * each group oldest first: tr_kitchen_compare_tickets()); in Ready the
 * latest ready first (updated_at descending), where a guest's eye
 * lands, then oldest first. <0, 0 or >0. */
int
tr_order_board_compare (TrOrderBoardColumn column, const TrTicket *a, const TrTicket *b,
                        gboolean rush_first);

/* Whether @after just became ready: it is ready, and @before (the same
 * ticket as the board last saw it, or NULL when it did not) was not.
 * Such a number chimes and stands out. */
gboolean
tr_order_board_became_ready (const TrTicket *before, const TrTicket *after);

/* Whether a number that became ready at @ready_seen_ms still stands out
 * at @now_ms (TR_ORDER_BOARD_HIGHLIGHT_MS). */
gboolean
tr_order_board_is_highlighted (gint64 ready_seen_ms, gint64 now_ms);

/* What the board says under a number: the table, or NULL when the
 * ticket has none. */
const char *
tr_order_board_detail (const TrTicket *ticket);

/* @seconds (the GSettings key) as a linger in ms, within the bounds. */
gint64
tr_order_board_linger_ms (guint seconds);

G_END_DECLS
