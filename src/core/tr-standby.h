/* tr-standby.h: a standby that keeps a copy of a host (issue 17)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tr-store.h"

G_BEGIN_DECLS

#define TR_TYPE_STANDBY (tr_standby_get_type ())
G_DECLARE_FINAL_TYPE (TrStandby, tr_standby, TR, STANDBY, GObject)

/* Keeps @data_dir/ticketrail.db a copy of the host at @host_url: the
 * whole file first (GET /api/v1/standby/copy), then every event over a
 * WebSocket, each frame committed (synchronous=FULL) before it answers
 * standby_ack, and the roster and menu as the host sends them. The
 * credentials live in @data_dir/standby.ini, written by
 * tr_standby_pair(). */
TrStandby  *tr_standby_new           (const char  *data_dir);

/* Pairs with the host at @host_url with a pairing code, as a station of
 * role "standby", and saves the token in standby.ini. Blocking. */
gboolean    tr_standby_pair          (TrStandby   *self,
                                      const char  *host_url,
                                      const char  *code,
                                      GError     **error);

/* Starts following the host saved in standby.ini on the thread-default
 * main context (all its sources and I/O stay there); it reconnects by itself until tr_standby_stop(). */
gboolean    tr_standby_start         (TrStandby   *self,
                                      GError     **error);
void        tr_standby_stop          (TrStandby   *self);

/* The port this standby's station would serve on once promoted (0:
 * unknown), said in every standby_ack so the host can name the
 * stations' fallback address. Call before tr_standby_start(). */
void        tr_standby_set_listen_port (TrStandby *self,
                                        guint      port);

/* The newest seq the copy holds, durable. */
gint64      tr_standby_get_head_seq  (TrStandby   *self);
/* When the host last sent this standby a frame (monotonic µs; its pongs
 * come every 2 s), 0 if never since tr_standby_start(): what
 * ticketrail-host --auto-promote-after watches. */
gint64      tr_standby_get_last_heard (TrStandby  *self);
/* The copy (NULL before tr_standby_start()): its lineage and gen. */
TrStore    *tr_standby_get_store     (TrStandby   *self);

G_END_DECLS
