/* tr-standby-row.h: the host monitor's "Standby" row (issue 17)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-host.h"

G_BEGIN_DECLS

#define TR_TYPE_STANDBY_ROW (tr_standby_row_get_type ())
G_DECLARE_FINAL_TYPE (TrStandbyRow, tr_standby_row, TR, STANDBY_ROW, AdwActionRow)

/* A row that picks the host's standby among the stations connected over
 * WebSocket (or None), and says whether one is in sync, or "No standby:
 * a host failure could lose the last changes". Choosing a station sends
 * it the invitation (tr_host_invite_standby()); None revokes the
 * standby (tr_host_clear_standby()). */
GtkWidget  *tr_standby_row_new      (TrHost *host);
/* Reads the host's stations and standby state again (the monitor's
 * refresh, every second). */
void        tr_standby_row_refresh  (TrStandbyRow *self);
/* For tests: choose @station_id (NULL: None), as a manager would. */
void        tr_standby_row_choose   (TrStandbyRow *self,
                                     const char   *station_id);

G_END_DECLS
