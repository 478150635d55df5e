/* tr-host-monitor.h: who is connected to this host
 *
 * Lists every station the host knows: name, role, address, connected
 * since, latency, queued ops and reconnects, as each reports them in
 * its heartbeat. A station that drops stays listed as disconnected with
 * its last-seen time. Follows the host's "stations-changed" and
 * refreshes the relative times once a second. Above the list, one row
 * says how the host's export to PostgreSQL goes (tr-export-status.h),
 * and under it how each kitchen printer is doing (tr-printer-monitor.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-clock.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_HOST_MONITOR (tr_host_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TrHostMonitor, tr_host_monitor, TR, HOST_MONITOR, AdwWindow)

/* Properties (construct-only):
 *   "station"  TrStation*  in host mode
 *   "clock"    TrClock*    (one is made if NULL)
 * Actions (monitor.): pair (Ctrl+P) shows a pairing code, revoke (s)
 */
TrHostMonitor *
tr_host_monitor_new (GtkWindow *parent, TrStation *station, TrClock *clock);
/* One line per listed station, "NAME\tSTATE\tSTATION_ID" with STATE
 * "connected", "disconnected" or "revoked", in display order (tests). */
GStrv
tr_host_monitor_dup_summary (TrHostMonitor *self);
/* What the export row says now, e.g. "Connected and up to date" (tests). */
const char *
tr_host_monitor_get_export_status (TrHostMonitor *self);
/* The last screen test's answer, one line per screen, once it is over
 * (NULL before and while it runs). */
const char *
tr_host_monitor_get_screen_check (TrHostMonitor *self);
/* The connection history line a station's row shows, e.g. "Last 24 h:
 * 2 drops · longest outage 3:05 · up 97 %" (tests). */
char *
tr_host_monitor_dup_history_line (TrHostMonitor *self, const char *station_id);
/* Re-reads the host's list now. */
void
tr_host_monitor_refresh (TrHostMonitor *self);

/* The "Standby" row (TrStandbyRow), or NULL without a host (tests). */
GtkWidget *
tr_host_monitor_get_standby_row (TrHostMonitor *self);

G_END_DECLS
