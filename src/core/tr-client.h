/* tr-client.h: a station's link to the host
 *
 * Keeps the station's store in step with the host's: hello with the last
 * applied seq, apply the snapshot or the missing events, send the outbox
 * in order, remove each op on its ack. Heartbeat, reconnection with
 * backoff and jitter, and a long-polling fallback when WebSocket cannot
 * connect. All on the thread-default main context of tr_client_start().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-service-stats.h"
#include "tr-link-log.h"
#include "tr-roster-json.h"
#include "tr-store.h"

G_BEGIN_DECLS

/* The code of an op dropped because the host switched between live and
 * training while it waited in the outbox (docs/training.md). */
#define TR_REJECT_TRAINING_SWITCH "training_switch"

#define TR_TYPE_CLIENT (tr_client_get_type ())
G_DECLARE_FINAL_TYPE (TrClient, tr_client, TR, CLIENT, GObject)

typedef enum
{
  TR_CLIENT_STATE_OFFLINE,
  TR_CLIENT_STATE_CONNECTING,
  TR_CLIENT_STATE_ONLINE_WEBSOCKET,
  TR_CLIENT_STATE_ONLINE_POLLING,
} TrClientState;

const char *tr_client_state_to_string (TrClientState state); /* "offline" "connecting" "online-websocket" "online-polling" */

/* Properties:
 *   "store"          TrStore*   construct-only
 *   "host-url"       string     e.g. "http://127.0.0.1:8787"; changing it reconnects
 *   "station-id"     string     construct-only; defaults to the store's db_id
 *   "station-name"   string
 *   "role"           string     "kitchen", "expo", "foh", ...
 *   "token"          string     sent in hello and as a bearer token; may be NULL
 *   "state"          TrClientState (read-only)
 *   "queued-ops"     guint      (read-only) outbox length
 *   "latency-ms"     gint64     (read-only) last ping round trip; -1 unknown
 *   "last-error"     string     (read-only) NULL when none
 *   "last-sync"      gint64     (read-only) ms of the last frame applied from the host
 *   "host-clock-offset" gint64  (read-only) the host's clock minus ours (ms), from
 *                               its welcome's server_time; 0 until known
 *   "reconnects"     guint      (read-only) connections made after the first
 *   "unauthorized"   gboolean   (read-only) the host refused the token (not paired, unknown
 *                               or revoked); the client waits for a new "token",
 *                               tr_client_pair_async() or tr_client_refresh()
 *   "retry-at"       gint64     (read-only) monotonic ms of the next reconnection
 *                               attempt while one is scheduled, else -1
 * Debug counters (read-only, since the client was made; tests and the CLI):
 *   "snapshots-received" guint  snapshot frames applied
 *   "events-received"    guint  events applied (the store's last seq advanced by events)
 * Tunables (construct or before start; tests shorten them):
 *   "heartbeat-interval" guint ms, default 5000
 *   "dead-timeout"       guint ms, default 15000
 *   "backoff-min"        guint ms, default 500
 *   "backoff-max"        guint ms, default 30000
 *   "websocket-retry"    guint ms, default 60000 (while polling)
 *   "websocket-failures" guint, default 3: failed WebSocket attempts in a row before
 *                        falling back to polling
 * Tunables may change on a live link (Preferences' Connection page): a new
 * heartbeat interval applies at once, the others from their next use.
 *   "effective-heartbeat-interval" guint ms (read-only): how often the client
 *                        really pings, "heartbeat-interval" or less when the
 *                        host's welcome announced a heartbeat timeout that
 *                        needs it (tr_timeouts_effective_interval())
 *   "host-training"      gboolean (read-only): the host said, in its welcome or
 *                        health, that it serves its training database
 *                        (docs/training.md)
 *   "host-printers"      int (read-only): how many of the host's printers take a
 *                        reprint, from its welcome and pongs; -1 while unknown
 *                        (not heard yet, or an older host that does not say)
 * Signals:
 *   "op-rejected" (const char *op_id, const char *code, const char *message)
 *                 code TR_REJECT_TRAINING_SWITCH: an op queued before the host
 *                 switched between live and training, dropped unsent
 *   "synced"      ()  caught up with the host (after the snapshot or backlog)
 *   "unauthorized" (const char *reason)  "unknown" (no or a wrong token: 4401 / HTTP 401)
 *                 or "revoked" (4403): the UI says "This station is not paired" and
 *                 offers to pair
 * The token: the "token" property, else the one the store keeps from pairing.
 */
TrClient  *tr_client_new     (TrStore    *store,
                              const char *host_url,
                              const char *station_name,
                              const char *role);
void       tr_client_start   (TrClient *self);
void       tr_client_stop    (TrClient *self);
/* Writes the op optimistically with its outbox row (one transaction) and
 * sends it if online. FALSE (nothing written) if it does not apply. */
gboolean   tr_client_submit  (TrClient *self, const TrOp *op, GError **error);
/* Drops the connection and reconnects at once, resyncing. */
void       tr_client_refresh (TrClient *self);

/* Trades the host's pairing code for a station token (POST /api/v1/pair),
 * keeps it in the store (tr_store_set_station_token()) and reconnects
 * with it. Fails with TR_ERROR_UNAUTHORIZED (wrong or expired code; the
 * message says which), TR_ERROR_LIMIT (pairing locked for a minute after
 * wrong codes) or an I/O error. */
void       tr_client_pair_async  (TrClient            *self,
                                  const char          *code,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
gboolean   tr_client_pair_finish (TrClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error);

/* Speed of service from the host (GET /api/v1/stats with this
 * station's token; tr-client-stats.c): the tickets created in [@from,
 * @to) against @warn_minutes and @late_minutes (1 to 240). Needs no live
 * link, only the host's URL. Fails with TR_ERROR_UNAUTHORIZED (401: not
 * paired, revoked), TR_ERROR_FORBIDDEN (403), TR_ERROR_LIMIT (429),
 * TR_ERROR_INVALID (an answer that is not the figures), TR_ERROR_PROTOCOL
 * (any other refusal, with the host's message), G_IO_ERROR_TIMED_OUT
 * after 20 s without an answer, or the I/O error. */
void             tr_client_get_stats_async  (TrClient            *self,
                                             gint64               from,
                                             gint64               to,
                                             guint                warn_minutes,
                                             guint                late_minutes,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
TrServiceReport *tr_client_get_stats_finish (TrClient      *self,
                                             GAsyncResult  *result,
                                             GError       **error);

/* The host's roster (GET /api/v1/stations with this station's token;
 * tr-client-get.c), as tr-roster-json.h reads it: a front-of-house or
 * expo station watches the other screens through it. The errors are
 * tr_client_get_stats_async()'s, with a timeout of 10 s. */
void             tr_client_get_roster_async  (TrClient            *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
TrRoster        *tr_client_get_roster_finish (TrClient      *self,
                                              GAsyncResult  *result,
                                              GError       **error);

TrClientState tr_client_get_state      (TrClient *self);
guint         tr_client_get_queued_ops (TrClient *self);
const char   *tr_client_get_last_error (TrClient *self);
/* The last changes of the state (TrLinkLogEntry*, tr-link-log.h), newest
 * first: the connection popover shows them. */
GPtrArray    *tr_client_list_link_log  (TrClient *self);
TrStore      *tr_client_get_store      (TrClient *self);
/* The host's clock minus this machine's, in ms, from the "server_time"
 * of the host's last welcome (0 until one came): what a screen adds to
 * its clock for a window over the host's times (tr-recall.h). */
gint64        tr_client_get_host_clock_offset (TrClient *self);

/* POST /api/v1/tickets/{id}/reprint with this station's token
 * (tr-client-print.c): *@out_n_printers says on how many printers the
 * host queued it. Errors as tr_client_get_stats_async()'s. */
void             tr_client_reprint_async      (TrClient            *self,
                                               const char          *ticket_id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean         tr_client_reprint_finish     (TrClient      *self,
                                               GAsyncResult  *result,
                                               guint         *out_n_printers,
                                               GError       **error);
/* GET /api/v1/printers: TrPrinterInfo*. */
void             tr_client_list_printers_async  (TrClient            *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray       *tr_client_list_printers_finish (TrClient      *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

/* ---- The standby (issue 17, docs/protocol.md "Standby") ----
 * Signals: "standby-invite" (const char *code): the host chose this
 * station as its standby and sent a one-time pairing code of role
 * standby (a standby_invite frame); "standby-url" (const char *url):
 * the host's pongs name a new address where its standby would serve. */

/* The newest head seq a welcome of the host announced, or this
 * station's own last seq when higher. */
gint64           tr_client_get_newest_head_seq (TrClient *self);
/* The standby's address the host last named, or NULL. */
const char      *tr_client_get_standby_url     (TrClient *self);
/* The host's last pong said a standby it had is not in sync: "No
 * standby: a host failure could lose the last changes". */
gboolean         tr_client_get_standby_warning (TrClient *self);
/* "host-printers": -1 unknown, else how many printers take a reprint. */
int              tr_client_get_host_printers (TrClient *self);

G_END_DECLS
