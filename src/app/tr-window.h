/* tr-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-board-view.h"
#include "tr-clock.h"
#include "tr-connection-indicator.h"
#include "tr-foh-view.h"
#include "tr-kitchen-view.h"
#include "tr-link-watch.h"
#include "tr-sound-player.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_WINDOW (tr_window_get_type ())
G_DECLARE_FINAL_TYPE (TrWindow, tr_window, TR, WINDOW, AdwApplicationWindow)

/* Properties (construct-only unless noted):
 *   "station"       TrStation*  NULL when it could not be started: the
 *                               window then shows only why
 *   "settings"      GSettings*  may be NULL (no schema installed): nothing
 *                               is remembered
 *   "clock"         TrClock*
 *   "sound-player"  TrSoundPlayer*
 *   "kiosk"         gboolean    fullscreen on one view, no menu or switcher
 *   "link-watch"    TrLinkWatch* may be NULL: its alerts become toasts, and
 *                               its lost host a banner that stays
 */
TrWindow *
tr_window_new (GtkApplication *application, TrStation *station, GSettings *settings, TrClock *clock,
               TrSoundPlayer *sound_player, gboolean kiosk);
/* NULL without a station. */
TrKitchenView *
tr_window_get_kitchen_view (TrWindow *self);
/* NULL without a station. */
TrFohView *
tr_window_get_foh_view (TrWindow *self);
/* The order-ready board while Board mode is on, else NULL. Actions:
 * win.board-mode (a boolean state: on fills the screen with the board),
 * win.leave-board-mode (and Escape); both are disabled on a read-only
 * station (the role "board"), which shows the board and nothing else. */
TrBoardView *
tr_window_get_board_view (TrWindow *self);
TrConnectionIndicator *
tr_window_get_indicator (TrWindow *self);
/* The text of the last link alert shown as a toast, or NULL (tests). */
const char *
tr_window_get_last_link_toast (TrWindow *self);
/* The lost-host banner's text while it shows, else NULL (tests). */
const char *
tr_window_get_host_lost_banner (TrWindow *self);
/* Whether the TRAINING banner shows (its revealer open and mapped). */
gboolean
tr_window_get_training_banner (TrWindow *self);
/* A short message over the views, e.g. "Training tickets cleared". */
void
tr_window_add_toast (TrWindow *self, const char *text);
/* The last text given to tr_window_add_toast(), or NULL (tests). */
const char *
tr_window_get_last_toast (TrWindow *self);
/* The "host is not answering" / "another station is now the host"
 * banner (TrPromoteBanner), or NULL without a station. */
GtkWidget *
tr_window_get_promote_banner (TrWindow *self);
/* Shows a modal message dialog over the window and returns it (owned by
 * the window). */
GtkWidget *
tr_window_show_error (TrWindow *self, const char *heading, const char *body);

G_END_DECLS
