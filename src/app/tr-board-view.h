/* tr-board-view.h: the customer order-ready board (Board mode)
 *
 * What a TV on the wall shows guests: two columns, Preparing and
 * Ready, of order numbers big enough to read across a room (a tenth of
 * the view's height, never under 8 %), each with its table when the
 * ticket has one. A number moves to Ready the moment its ticket is
 * ready, with a chime and a highlight of a few seconds; a served or
 * cancelled one stays, faded, for the linger time. The rules are
 * src/core/tr-order-board.c, the browser's board (/?role=board) draws
 * the same ones. It reads the station and never writes: no op is ever
 * made here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-clock.h"
#include "tr-order-board.h"
#include "tr-sound-player.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_BOARD_VIEW (tr_board_view_get_type ())
G_DECLARE_FINAL_TYPE (TrBoardView, tr_board_view, TR, BOARD_VIEW, GtkWidget)

/* Properties:
 *   "station"         TrStation*     (construct-only)
 *   "clock"           TrClock*       (construct-only; one is made if NULL)
 *   "sound-player"    TrSoundPlayer* (construct-only; one is made if NULL)
 *   "linger-seconds"  guint  how long a served or cancelled number stays
 *                            (GSettings "board-linger-seconds"; 300)
 *   "rush-first"      gboolean  rush orders first in Preparing (TRUE)
 */
GtkWidget *
tr_board_view_new (TrStation *station, TrClock *clock, TrSoundPlayer *sound_player);
/* The tickets of @column (TrTicketObject), in display order. */
GListModel *
tr_board_view_get_column (TrBoardView *self, TrOrderBoardColumn column);
/* The column @ticket_id is shown in, or -1. */
int
tr_board_view_find_ticket (TrBoardView *self, const char *ticket_id);
/* The tile showing @ticket_id (a GtkBox with the "board-order" class,
 * "is-new" while it stands out, "is-leaving" while it lingers; its
 * first child the number's label), or NULL (tests, screenshots). */
GtkWidget *
tr_board_view_get_tile (TrBoardView *self, const char *ticket_id);
/* The numbers' font size in px, from the view's last allocation. */
int
tr_board_view_get_number_px (TrBoardView *self);
guint
tr_board_view_get_linger_seconds (TrBoardView *self);
void
tr_board_view_set_linger_seconds (TrBoardView *self, guint seconds);
gboolean
tr_board_view_get_rush_first (TrBoardView *self);
void
tr_board_view_set_rush_first (TrBoardView *self, gboolean rush_first);

G_END_DECLS
