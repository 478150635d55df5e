/* tr-host.h: the embedded host, a SoupServer over the store of truth
 *
 * The same object runs inside the app's host mode and in the headless
 * ticketrail-host. Everything runs on the thread-default main context
 * of the thread that calls tr_host_start().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-store.h"

G_BEGIN_DECLS

#define TR_TYPE_HOST (tr_host_get_type ())
G_DECLARE_FINAL_TYPE (TrHost, tr_host, TR, HOST, GObject)

/* One connected (or recently connected) station, for the host monitor. */
typedef struct
{
  char     *station_id;
  char     *name;
  char     *role;
  char     *address;        /* peer IP */
  char     *transport;      /* "websocket" or "polling" */
  gboolean  connected;
  gint64    connected_since;/* ms */
  gint64    last_seen;      /* ms */
  gint64    latency_ms;     /* from the station's ping; -1 unknown */
  guint     queued_ops;     /* as reported in the station's ping */
  guint     reconnects;
  gint64    last_seq;       /* last seq the station reported applied */
} TrStationInfo;

void           tr_station_info_free (TrStationInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrStationInfo, tr_station_info_free)

/* Properties (construct, read-write before start):
 *   "store"              TrStore*  the host's store (open it with TR_STORE_DURABILITY_FULL)
 *   "port"               guint     default TR_DEFAULT_PORT; 0 picks a free port (tests)
 *   "loopback-only"      gboolean  default FALSE (tests set TRUE)
 *   "websocket-enabled"  gboolean  default TRUE (FALSE: diagnostic --no-websocket)
 *   "max-lag-events"     guint     a station further behind is disconnected (default 5000)
 *   "heartbeat-timeout"  guint     ms of silence after which a station is dead (default 15000)
 * Read-only:
 *   "bound-port"         guint     the port actually bound, after start
 *   "bound-address"      string    the address listened on ("127.0.0.1", "::" or "0.0.0.0")
 *   "n-stations"         guint     WebSocket stations connected now
 * Signals:
 *   "stations-changed"   ()        the station list changed
 */
TrHost    *tr_host_new              (TrStore *store);
gboolean   tr_host_start            (TrHost *self, GError **error);
void       tr_host_stop             (TrHost *self);
gboolean   tr_host_is_running       (TrHost *self);
guint      tr_host_get_bound_port   (TrHost *self);
TrStore   *tr_host_get_store        (TrHost *self);

/* Applies an op issued in-process (the host's own UI, the demo seeder)
 * exactly as if a station had sent it: dedupe, apply, log, fan out. */
TrOutcome *tr_host_submit_op        (TrHost *self, const TrOp *op, GError **error);

/* TrStationInfo* copies, connected first, then by name. */
GPtrArray *tr_host_list_stations    (TrHost *self);

G_END_DECLS
