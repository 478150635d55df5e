/* tr-foh-view.h: the front-of-house board
 *
 * What servers and expo watch: every order by section (new, preparing,
 * ready, and served in the last 30 minutes), each with its count. A
 * ticket turning ready raises a toast, a chime and a desktop
 * notification. Orders are created, amended, served and cancelled here,
 * always as ops submitted through the station. The actions it installs
 * live under "foh.".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-clock.h"
#include "tr-foh-board.h"
#include "tr-sound-player.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_FOH_VIEW (tr_foh_view_get_type ())
G_DECLARE_FINAL_TYPE (TrFohView, tr_foh_view, TR, FOH_VIEW, GtkWidget)

/* Properties (construct-only):
 *   "station"       TrStation*
 *   "clock"         TrClock*       (one is made if NULL)
 *   "sound-player"  TrSoundPlayer* (one is made if NULL)
 * Signals:
 *   "ticket-ready"  (const char *ticket_id, const char *announcement)
 *                   a listed ticket just turned ready; the announcement is
 *                   what the toast and the notification say
 * Actions:
 *   foh.new-order (Ctrl+N), foh.amend (s), foh.mark-served (s),
 *   foh.serve-next (Ctrl+Enter: the oldest ready order), foh.cancel (s)
 */
GtkWidget *
tr_foh_view_new (TrStation *station, TrClock *clock, TrSoundPlayer *sound_player);
TrStation *
tr_foh_view_get_station (TrFohView *self);
/* The tickets of @section (TrTicketObject), in display order. */
GListModel *
tr_foh_view_get_section (TrFohView *self, TrFohSection section);
/* The section @ticket_id is listed in, or -1. */
int
tr_foh_view_find_ticket (TrFohView *self, const char *ticket_id);
/* The last toast's text, or NULL (tests, and the dump for two-process
 * tests). */
const char *
tr_foh_view_get_last_toast (TrFohView *self);
/* "Table 12 is ready" / "Order #1042 is ready", translated. */
char *
tr_foh_dup_ready_announcement (const TrTicket *ticket);
/* The open dialog of the view, if any (create/amend or the cancel
 * confirmation), for tests and screenshots. */
GtkWindow *
tr_foh_view_get_dialog (TrFohView *self);

/* With rush-first (TRUE by default) the new, preparing and ready
 * sections list rush orders first (tr_foh_compare_full()). */
gboolean
tr_foh_view_get_rush_first (TrFohView *self);
void
tr_foh_view_set_rush_first (TrFohView *self, gboolean rush_first);

G_END_DECLS
