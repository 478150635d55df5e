/* tr-station-info.h: one station as the host's roster has it
 *
 * The host lists its stations with tr_host_list_stations() (the host
 * monitor, the link alerts); a station that follows it reads the same
 * from GET /api/v1/stations (tr-roster-json.h). Apart from TrHost so
 * that the roster's JSON, which the host writes, need not include it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One connected (or recently connected) station, for the host monitor. */
typedef struct
{
  char     *station_id;
  char     *name;
  char     *role;
  char     *address;        /* peer IP */
  char     *transport;      /* "websocket" or "polling" */
  gboolean  connected;
  gint64    connected_since;/* ms: when its last link began, kept once down */
  gint64    last_seen;      /* ms */
  gint64    latency_ms;     /* from the station's ping; -1 unknown */
  guint     queued_ops;     /* as reported in the station's ping */
  guint     reconnects;
  gint64    last_seq;       /* last seq the station reported applied */
  /* Pairing (added last so the layout above stays as it was). A paired
   * station is listed even when it has not connected since the host
   * started; last_seen then comes from the store. */
  gboolean  paired;
  gint64    paired_at;      /* ms; 0 when not paired */
  gboolean  revoked;
  gint64    revoked_at;     /* ms; 0 when not revoked */
  /* How its last link ended, while disconnected (0: none or unknown):
   * 1000/1001 is a clean leave, which raises no alert. */
  int       close_code;
} TrStationInfo;

void           tr_station_info_free (TrStationInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrStationInfo, tr_station_info_free)

G_END_DECLS
