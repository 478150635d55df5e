/* tr-station-standby.h: a native station that is also its host's standby,
 * and every station's fallback address (issue 17)
 *
 * The host monitor invites a station (tr_host_invite_standby()): its
 * client emits "standby-invite" with a pairing code, and this station
 * then keeps a TrStandby copy in DATA_DIR/standby/ beside its cache. The
 * standby runs on a thread of its own with its own GMainContext, so its
 * copy's commits (synchronous=FULL) never hold the UI's loop. The copy
 * is resumed at the next start (DATA_DIR/standby/standby.ini).
 *
 * Promotion stops it, makes the copy a host (tr_store_promote()) and
 * moves it to DATA_DIR/host.db, which the app then serves
 * (tr_station_new_host_full()).
 *
 * Every client station also keeps the standby's address its host's
 * pongs name, and while its link is down it tries that address and its
 * host's in turns (tr_promotion_pick_url()): after a promotion it finds
 * the new host without Avahi.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-station.h"

G_BEGIN_DECLS

#define TR_STANDBY_DIR "standby"

#define TR_TYPE_STATION_STANDBY (tr_station_standby_get_type ())
G_DECLARE_FINAL_TYPE (TrStationStandby, tr_station_standby, TR, STATION_STANDBY, GObject)

/* Properties (read-only, notified on the main context of its creation):
 *   "active"    gboolean: this station keeps a standby copy
 *   "head-seq"  gint64: the copy's newest seq, durable
 * Signals: "failed" (const char *message): pairing or copying failed. */

/* The station's standby keeper, made on first use and kept as the
 * station's data (a client station; NULL for a host). @data_dir is the
 * station's folder; @listen_port the port it would serve on as host. */
TrStationStandby *tr_station_standby_ensure     (TrStation  *station,
                                                 const char *data_dir,
                                                 guint       listen_port);
/* The keeper already made for @station, or NULL. */
TrStationStandby *tr_station_standby_get        (TrStation  *station);

gboolean          tr_station_standby_is_active  (TrStationStandby *self);
gint64            tr_station_standby_get_head_seq (TrStationStandby *self);

/* Stops the standby, promotes its copy and moves it to
 * DATA_DIR/host.db (an existing host.db is kept as
 * host.db.replaced-<ms>), off the loop. _finish() gives the new
 * generation. Then serve it: tr_station_shutdown() this station and
 * start a host on DATA_DIR. */
void              tr_station_standby_promote_async  (TrStationStandby    *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          tr_station_standby_promote_finish (TrStationStandby  *self,
                                                     GAsyncResult      *result,
                                                     gint64            *out_gen,
                                                     GError           **error);

G_END_DECLS
