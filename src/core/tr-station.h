/* tr-station.h: this device's part in the restaurant, behind one face
 *
 * A station is either the host (a TrHost over the store of truth,
 * host.db, synchronous=FULL) or follows one (a TrClient over its cache,
 * station.db, synchronous=NORMAL). The UI talks only to TrStation: it
 * reads tickets from the store, submits ops, and shows the link state,
 * without caring which of the two it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-client.h"
#include "tr-host.h"
#include "tr-store.h"

G_BEGIN_DECLS

#define TR_STORE_HOST_FILE    "host.db"
#define TR_STORE_STATION_FILE "station.db"

#define TR_TYPE_STATION (tr_station_get_type ())
G_DECLARE_FINAL_TYPE (TrStation, tr_station, TR, STATION, GObject)

typedef enum
{
  TR_STATION_MODE_HOST,
  TR_STATION_MODE_CLIENT,
} TrStationMode;

/* Properties (read-only):
 *   "mode"        TrStationMode
 *   "store"       TrStore*
 *   "host"        TrHost*    (host mode) or NULL
 *   "client"      TrClient*  (client mode) or NULL
 *   "station-id"  string     the id this station puts in its ops
 *   "link-state"  TrClientState: a running host is always ONLINE_WEBSOCKET
 * Signals:
 *   "op-rejected" (const char *op_id, const char *code, const char *message)
 */

/* Opens DATA_DIR/host.db and starts serving on @port (0: any free port). */
TrStation    *tr_station_new_host   (const char  *data_dir,
                                     guint        port,
                                     gboolean     loopback_only,
                                     GError     **error);
/* Opens DATA_DIR/station.db and connects to @host_url. */
TrStation    *tr_station_new_client (const char  *data_dir,
                                     const char  *host_url,
                                     const char  *station_name,
                                     const char  *role,
                                     GError     **error);

TrStationMode tr_station_get_mode       (TrStation *self);
TrStore      *tr_station_get_store      (TrStation *self);
TrHost       *tr_station_get_host       (TrStation *self);
TrClient     *tr_station_get_client     (TrStation *self);
const char   *tr_station_get_station_id (TrStation *self);
TrClientState tr_station_get_link_state (TrStation *self);

/* Submits an op made by this station's UI. Returns FALSE with @error
 * when it is refused at once (it does not apply locally, or the host
 * rejects it); a client's op may still be rejected later by the host,
 * which emits "op-rejected". */
gboolean      tr_station_submit         (TrStation   *self,
                                         const TrOp  *op,
                                         GError     **error);

/* Stops serving or connecting; the store stays open. */
void          tr_station_shutdown       (TrStation *self);

G_END_DECLS
