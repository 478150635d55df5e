/* tr-service-window.h: speed of service, for managers
 *
 * The Service view: today's (or yesterday's, or the last seven days')
 * headline figures, tickets per hour of day coloured by the kitchen's
 * age colours (tr-service-chart.h), and the figures per kitchen route.
 * Asks the station (tr_station_get_stats_async()), which answers from
 * the host's store on the host and from the host over HTTP on a paired
 * station; never writes anything. While it is shown it asks again, at
 * most every couple of seconds, as tickets change (and when the link
 * comes back after a failure, and when midnight moves the range);
 * hidden, it asks nothing and cancels what it asked. A failure says what is wrong and
 * keeps the last figures on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-clock.h"
#include "tr-service-range.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_SERVICE_WINDOW (tr_service_window_get_type ())
G_DECLARE_FINAL_TYPE (TrServiceWindow, tr_service_window, TR, SERVICE_WINDOW, AdwWindow)

/* Properties:
 *   "station"   TrStation*  construct-only
 *   "settings"  GSettings*  construct-only, may be NULL: the warn-minutes
 *                           and late-minutes keys (Preferences), else
 *                           their defaults
 *   "clock"     TrClock*    construct-only (one is made if NULL): what
 *                           "today" is
 *   "range"     string      "today" (default), "yesterday" or "week"
 * Actions (service.): range (s), refresh (F5, Ctrl+R)
 */
TrServiceWindow *
tr_service_window_new (GtkWindow *parent, TrStation *station, GSettings *settings, TrClock *clock);

/* ---- What is shown (tests) ---- */

/* "loading", "empty", "error" or "report": the page shown. */
const char *
tr_service_window_get_page (TrServiceWindow *self);
/* The figures shown, or NULL before any. */
const TrServiceReport *
tr_service_window_get_report (TrServiceWindow *self);
/* Reports shown since the window was made. */
guint
tr_service_window_get_n_updates (TrServiceWindow *self);
/* What the error bar or page says, or NULL when all is well. */
const char *
tr_service_window_get_error (TrServiceWindow *self);
/* One line per headline figure, "KEY\tVALUE" as shown, KEY one of
 * tickets, late, warning, ready-avg, ready-p90, start-avg, wait-avg,
 * cancelled. */
GStrv
tr_service_window_dup_figures (TrServiceWindow *self);
/* One line per route row, "ROUTE\tITEMS\tAVG\tP90\tLATE" as shown. */
GStrv
tr_service_window_dup_routes (TrServiceWindow *self);

G_END_DECLS
