/* tr-station.h: this device's part in the restaurant, behind one face
 *
 * A station is either the host (a TrHost over the store of truth,
 * host.db, synchronous=FULL) or follows one (a TrClient over its cache,
 * station.db, synchronous=NORMAL). The UI talks only to TrStation: it
 * reads tickets, the outbox and the menu, submits ops and saves the
 * menu, and shows the link state, without caring which of the two it
 * is.
 *
 * One writer per database: host.db is written only by its TrHost (ops
 * through its op path, so every station sees them; settings through the
 * host's writer), station.db only by its TrClient and this station. On a
 * host the station reads host.db through a read-only connection of its
 * own, so the UI's reads never wait for the host's commits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-client.h"
#include "tr-dnssd-browser.h"
#include "tr-host.h"
#include "tr-store.h"
#include "tr-timeouts.h"

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
 *   "store"       TrStore*   what this station reads: station.db, or on a
 *                            host a read-only connection to host.db
 *   "host"        TrHost*    (host mode) or NULL
 *   "client"      TrClient*  (client mode) or NULL
 *   "station-id"  string     the id this station puts in its ops
 *   "link-state"  TrClientState: a running host is always ONLINE_WEBSOCKET
 *   "training"    gboolean: a host serving training.db, or a client whose
 *                 host said so in its welcome (or health, when polling)
 *   "can-reprint" gboolean: a Reprint can print (issue 13): a host has a
 *                 printer that takes reprints; a client's host did not say
 *                 it has none (its welcome and pongs, TrClient "host-printers")
 * Signals:
 *   "op-rejected"    (const char *op_id, const char *code, const char *message)
 *   "ticket-changed" (const char *ticket_id) on the main context of the
 *                    station's creation, after the commit that created,
 *                    changed or removed that ticket: read it again with
 *                    tr_station_get_ticket()
 */

/* Opens DATA_DIR/host.db and starts serving on @port (0: any free port). */
TrStation    *tr_station_new_host   (const char  *data_dir,
                                     guint        port,
                                     gboolean     loopback_only,
                                     GError     **error);
/* The same, in training when @training: DATA_DIR/training.db (made with
 * the live pairings copied in) instead of host.db, which stays closed
 * and untouched; every welcome and health says "training": true
 * (docs/training.md). Switching modes is a new station on the other
 * file: tr_station_shutdown() this one first. */
TrStation    *tr_station_new_host_full (const char  *data_dir,
                                        guint        port,
                                        gboolean     loopback_only,
                                        gboolean     training,
                                        GError     **error);
/* Opens DATA_DIR/station.db and connects to @host_url. */
TrStation    *tr_station_new_client (const char  *data_dir,
                                     const char  *host_url,
                                     const char  *station_name,
                                     const char  *role,
                                     GError     **error);

TrStationMode tr_station_get_mode       (TrStation *self);
/* The store this station reads (see "store"); never write to it. */
TrStore      *tr_station_get_store      (TrStation *self);
TrHost       *tr_station_get_host       (TrStation *self);
TrClient     *tr_station_get_client     (TrStation *self);
const char   *tr_station_get_station_id (TrStation *self);
TrClientState tr_station_get_link_state (TrStation *self);

/* Applies @timeouts, clamped (tr_timeouts_clamp()), to the running
 * link: on a client its heartbeat interval, dead timeout, backoff limit
 * and WebSocket failures before polling; on a host its hello and
 * heartbeat timeouts. The link goes on; each value applies from its
 * next use (a new heartbeat interval at once, a host's heartbeat timeout
 * reaches its stations with their next welcome). */
void          tr_station_set_timeouts   (TrStation        *self,
                                         const TrTimeouts *timeouts);

/* Submits an op made by this station's UI. Returns FALSE with @error
 * when it is refused at once: it does not apply to the ticket as this
 * station's earlier ops leave it. It never waits for the disk; an op
 * the host refuses later (another station got there first, a failed
 * commit) emits "op-rejected", in host and client mode alike. */
gboolean      tr_station_submit         (TrStation   *self,
                                         const TrOp  *op,
                                         GError     **error);
/* Host mode: how many ops tr_station_submit() took that the host's
 * writer has not yet committed or refused (0 on a client, whose ops
 * wait in its outbox instead). */
guint         tr_station_get_n_ops_in_flight (TrStation *self);

/* Submits @ops (TrOp*) in order, as tr_station_submit() each: on a host
 * through the host's op path in one go (logged and fanned out to every
 * station), on a client into the outbox. TRUE when every op applied;
 * FALSE with the first refusal in @error (the ops before it stay). */
void          tr_station_submit_ops_async  (TrStation           *self,
                                            GPtrArray           *ops,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean      tr_station_submit_ops_finish (TrStation     *self,
                                            GAsyncResult  *result,
                                            GError       **error);

/* ---- Reading: never through the host's own connection ---- */

/* The ticket as this station shows it, or NULL (with @error only when
 * the read failed). */
TrTicket     *tr_station_get_ticket     (TrStation   *self,
                                         const char  *ticket_id,
                                         GError     **error);
/* Tickets (TrTicket*) oldest first; @open_only keeps new, preparing and
 * ready ones. */
GPtrArray    *tr_station_list_tickets   (TrStation  *self,
                                         gboolean    open_only,
                                         GError    **error);
/* Open tickets and those changed at or after @since (ms), oldest first. */
GPtrArray    *tr_station_list_recent_tickets (TrStation  *self,
                                              gint64      since,
                                              GError    **error);
/* This station's ops not yet acknowledged by the host (TrOp*), oldest
 * first; always empty on the host, whose ops are applied at once. */
GPtrArray    *tr_station_list_outbox    (TrStation  *self,
                                         GError    **error);

/* ---- Speed of service: the host's figures, for managers ---- */

/* The figures of the tickets created in [@from, @to) (ms since the
 * epoch; tr-service-range.h gives today's and others) against the
 * kitchen's age colours, @warn_minutes and @late_minutes (1 to 240): on
 * a host from its own store on the stats thread, on a client from its
 * host over HTTP with its token (tr_client_get_stats_async(), whose
 * errors it gives). Never on the loop. _finish() gives the report with
 * its range and thresholds set. */
void             tr_station_get_stats_async  (TrStation           *self,
                                              gint64               from,
                                              gint64               to,
                                              guint                warn_minutes,
                                              guint                late_minutes,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
TrServiceReport *tr_station_get_stats_finish (TrStation     *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* ---- The menu: a setting of this station's database ---- */

/* The menu document as saved (JSON; tr-menu.c parses it), or NULL with
 * no error when none was ever saved. */
char         *tr_station_load_menu      (TrStation  *self,
                                         GError    **error);
/* Replaces it (@menu_json NULL: forget it): on a host through the host's
 * writer, on a client in its own station.db, as before. */
void          tr_station_save_menu_async  (TrStation           *self,
                                           const char          *menu_json,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean      tr_station_save_menu_finish (TrStation     *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/* ---- Kitchen printers (tr-station-printers.c; docs/printing.md) ---- */

/* Prints @ticket_id again, marked REPRINT, on the host's printers that
 * serve its routes: on a host in process (tr_host_reprint_async()), on
 * a client over POST /api/v1/tickets/{id}/reprint with this station's
 * token (a board's token gets TR_ERROR_FORBIDDEN). *@out_n_printers
 * (may be NULL) says on how many printers it was queued. */
void          tr_station_reprint_async    (TrStation           *self,
                                           const char          *ticket_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean      tr_station_reprint_finish   (TrStation     *self,
                                           GAsyncResult  *result,
                                           guint         *out_n_printers,
                                           GError       **error);
/* "can-reprint": screens show Reprint only while TRUE (docs/printing.md). */
gboolean      tr_station_get_can_reprint  (TrStation *self);
/* Host mode: tr_host_list_printers(). A client: an empty array (the
 * Preferences page configures printers on the host only). */
GPtrArray    *tr_station_list_printers    (TrStation *self);
/* Host mode: tr_host_print_test_page_async(); a client gets
 * TR_ERROR_INVALID. */
void          tr_station_print_test_page_async  (TrStation           *self,
                                                 const char          *name,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean      tr_station_print_test_page_finish (TrStation     *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

/* ---- Finding the host again over DNS-SD (tr-station-follow.c) ----
 *
 * A client station learns its host's lineage and generation from the
 * host's DNS-SD record and keeps them in station.db; when its link is
 * down, or a newer generation of its lineage appears, it points its
 * client at the live host of its lineage with the highest generation,
 * never a lower one than it has seen. tr_station_new_client() starts
 * it (unless TICKETRAIL_DNSSD=0), tr_station_shutdown() stops it. */

/* The decision, pure: should a station now at @current_url (following
 * @current_host_id, highest gen seen @seen_gen, link up when @online)
 * move to @candidate, the host tr_dnssd_pick_host() chose for its
 * lineage? Yes when the candidate is elsewhere and either the link is
 * down (the host disappeared or moved) or the candidate is a newer
 * generation (the old host was replaced). */
gboolean        tr_station_follow_should_switch (const char        *current_url,
                                                 const char        *current_host_id,
                                                 gint64             seen_gen,
                                                 gboolean           online,
                                                 TrDnssdHost       *candidate);

/* Starts browsing for @station's lineage (client mode; a host does
 * nothing) until the station is finalized or stopped. */
void            tr_station_follow_start         (TrStation *station);
void            tr_station_follow_stop          (TrStation *station);
/* The browser in use, or NULL (tests). */
TrDnssdBrowser *tr_station_follow_get_browser   (TrStation *station);

/* ---- Training (docs/training.md) ---- */

gboolean      tr_station_is_training    (TrStation *self);
/* A host in training: empties training.db through the host's writer
 * (tr_store_clear_tickets()); then restart the station on it
 * (tr_station_shutdown(), tr_station_new_host_full()) so stations meet
 * the new history and take a snapshot. TR_ERROR_INVALID elsewhere, and
 * nothing is written. */
void          tr_station_clear_training_async  (TrStation           *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean      tr_station_clear_training_finish (TrStation     *self,
                                                GAsyncResult  *result,
                                                GError       **error);

/* Stops serving or connecting; the store stays open. */
void          tr_station_shutdown       (TrStation *self);

G_END_DECLS
