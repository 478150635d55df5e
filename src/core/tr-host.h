/* tr-host.h: the embedded host, a SoupServer over the store of truth
 *
 * The same object runs inside the app's host mode and in the headless
 * ticketrail-host. Everything runs on the thread-default main context
 * of the thread that calls tr_host_start(): every source the host makes
 * is attached to it, every signal is emitted there, every callback
 * comes back there. Call the host only from that thread.
 *
 * After tr_host_start() the store belongs to the host's writer thread,
 * which commits (and waits for the fsync) off the loop: until
 * tr_host_stop(), do not call the store yourself. Read through the host
 * (its signals) or your own read-only connection, write through
 * tr_host_submit_ops_async(). The store's "ticket-changed" still fires,
 * on the host's context, after each commit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-exporter.h"
#include "tr-printer.h"
#include "tr-screen-check.h"
#include "tr-service-stats.h"
#include "tr-station-info.h"
#include "tr-store.h"

G_BEGIN_DECLS

#define TR_TYPE_HOST (tr_host_get_type ())
G_DECLARE_FINAL_TYPE (TrHost, tr_host, TR, HOST, GObject)

/* TrStationInfo, one station as the roster has it: tr-station-info.h. */

/* Properties (construct, read-write before start):
 *   "store"              TrStore*  the host's store (open it with TR_STORE_DURABILITY_FULL)
 *   "port"               guint     default TR_DEFAULT_PORT; 0 picks a free port (tests)
 *   "loopback-only"      gboolean  default FALSE (tests set TRUE)
 *   "training"           gboolean  before start only, default FALSE: the store is the
 *                                  training database; said in welcome and health
 *   "websocket-enabled"  gboolean  default TRUE (FALSE: diagnostic --no-websocket)
 *   "max-lag-events"     guint     a station further behind is disconnected (default 5000)
 *   "heartbeat-timeout"  guint     ms of silence after which a station is dead (default 15000)
 * Security (docs/security.md; each limit is in docs/protocol.md too):
 *   "require-pairing"    gboolean  default TRUE: every endpoint but health, pair and the
 *                                  browser page's files needs a station token
 *   "hello-timeout"      guint     ms a WebSocket may stay open without hello (default 10000)
 *   "request-timeout"    guint     ms to read a request's headers and body, and idle time
 *                                  between requests on one connection (default 10000; 0 off)
 *   "max-connections"    guint     TCP connections in all (default 2000; 0 no limit)
 *   "max-connections-per-address" guint  from one IP address (default 32; 0 no limit)
 *   "ops-rate"           guint     ops per second per station, token bucket (default 50; 0 off)
 *   "ops-burst"          guint     the bucket's size (default 200)
 *   "ops-queue"          guint     ops a WebSocket station may have waiting for the
 *                                  bucket before it is closed with 4429 (default 1000)
 *   "tls-certificate"    GTlsCertificate*  serve HTTPS/WSS with it (default NULL: plain)
 *   "exporter"           TrExporter*  streams the log into PostgreSQL (issue 16; default
 *                                  NULL): started and stopped with the host, its lag in
 *                                  /api/v1/health, and pruning keeps what it has not exported.
 *                                  Set on a running host it takes over at once, as
 *                                  tr_host_set_exporter() (which also says why it failed)
 *   "printer-backoff-max" guint    ms: the longest wait between two attempts to reach a
 *                                  printer that is down (default 30000; tests set less)
 * Read-only:
 *   "bound-port"         guint     the port actually bound, after start
 *   "bound-address"      string    the address listened on ("127.0.0.1", "::" or "0.0.0.0")
 *   "n-stations"         guint     WebSocket stations connected now
 *   "n-connections"      guint     TCP connections open now (HTTP and WebSocket)
 * Signals:
 *   "stations-changed"   ()        the station list changed
 *   "printers-changed"   ()        a printer was added, changed or removed, or its state,
 *                                  pending slips or last print changed (coalesced; on the
 *                                  host's context): read tr_host_list_printers() again
 *   "events-committed"   (GPtrArray *events)  TrEvent*, oldest first: the events of one
 *                                  group commit, on the host's context, once the commit
 *                                  is durable (its fsync returned) and before any of it is
 *                                  sent: before the events frames and before the acks. The
 *                                  array and its events are the host's and only live for
 *                                  the emission: copy what you keep. Every event the host
 *                                  ever commits comes through here, once, in seq order.
 */
TrHost    *tr_host_new              (TrStore *store);
gboolean   tr_host_start            (TrHost *self, GError **error);
void       tr_host_stop             (TrHost *self);
gboolean   tr_host_is_running       (TrHost *self);
guint      tr_host_get_bound_port   (TrHost *self);
TrStore   *tr_host_get_store        (TrHost *self);

/* Replaces the host's exporter (NULL: no export), also while it runs:
 * the old one stops (its transaction is rolled back; PostgreSQL keeps
 * its position) and @exporter, not started yet, starts on the host's
 * context. When @exporter cannot start (a build without libpq), the old
 * one carries on, "exporter" is unchanged and this returns FALSE. */
gboolean   tr_host_set_exporter     (TrHost      *self,
                                     TrExporter  *exporter,
                                     GError     **error);

/* Applies ops issued in-process (the host's own UI, the demo seeder)
 * exactly as if a station had sent them, behind everything received
 * before: dedupe, apply, log, fan out. @ops (TrOp*) are copied. The
 * callback runs on the host's context once they are committed and
 * fanned out; _finish() gives their TrOutcome*s, in the order of @ops
 * (a new array, to unref), or NULL with TR_ERROR_STORE when the
 * database failed (nothing was written). */
void       tr_host_submit_ops_async  (TrHost              *self,
                                      GPtrArray           *ops,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GPtrArray *tr_host_submit_ops_finish (TrHost        *self,
                                      GAsyncResult  *result,
                                      GError       **error);

/* The same for one op, blocking: it iterates the host's context until
 * the op is committed and fanned out (the loop keeps serving meanwhile).
 * For tests and command-line code only; a UI uses the async call. */
TrOutcome *tr_host_submit_op        (TrHost *self, const TrOp *op, GError **error);
GPtrArray *tr_host_submit_ops       (TrHost *self, GPtrArray *ops, GError **error);

/* Sends a test ticket (marked external_ref "screen-test") through the
 * op path, watches the last seq each station reports until every
 * connected screen has it or @timeout_ms (1–120 s) pass, then cancels
 * the ticket. _finish() gives the check (tr-screen-check.h), or NULL
 * with TR_ERROR_STORE when the ticket could not be written. */
void           tr_host_test_screens_async  (TrHost              *self,
                                            guint                timeout_ms,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
TrScreenCheck *tr_host_test_screens_finish (TrHost        *self,
                                            GAsyncResult  *result,
                                            GError       **error);

/* TrStationInfo* copies, connected first, then by name; paired
 * stations that are not connected are included. */
GPtrArray *tr_host_list_stations    (TrHost *self);

/* One station's connection history over a window (tr-link-history.h). */
typedef struct
{
  char          *station_id;
  char          *name;    /* NULL when unknown */
  char          *role;    /* NULL when unknown */
  GPtrArray     *links;   /* TrLink*, oldest first */
  TrLinkSummary *summary;
} TrStationHistory;

void tr_station_history_free (TrStationHistory *history);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrStationHistory, tr_station_history_free)

/* TrStationHistory*, one per station with a link in [@from, @to) (ms)
 * or down through it, by name: the host's database, with the changes
 * not written yet. A small read on the loop's read-only connection (a
 * row per link); NULL with @error when the file cannot be read. */
GPtrArray *tr_host_list_link_history (TrHost  *self,
                                      gint64   from,
                                      gint64   to,
                                      GError **error);

/* A fresh 6-digit pairing code, valid for 10 minutes and once; it
 * replaces any earlier code. *@out_expires_at (ms) when not NULL.
 * tr_host_create_pairing_code() does the same on a store alone, for
 * `ticketrail-host pair` in another process: the running host reads
 * codes from the store. */
char      *tr_host_new_pairing_code (TrHost *self, gint64 *out_expires_at, GError **error);
char      *tr_host_create_pairing_code (TrStore *store, gint64 *out_expires_at, GError **error);

/* Revokes @station_id's pairing: its connections close at once with
 * TR_CLOSE_REVOKED, its token gets 401/4403 from now on. FALSE with
 * TR_ERROR_INVALID when it is not paired (or already revoked). */
gboolean   tr_host_revoke_station   (TrHost *self, const char *station_id, GError **error);

/* The SHA-256 fingerprint ("AB:CD:…", 32 bytes) of "tls-certificate",
 * or NULL when serving plain HTTP. Stations pin it when they pair. */
const char *tr_host_get_tls_fingerprint (TrHost *self);

/* ---- The standby (issue 17, docs/protocol.md "Standby") ---- */

/* The role a standby pairs with: it keeps a copy of this host's database
 * and confirms each event durable before the host acks the op. */
#define TR_ROLE_STANDBY "standby"
/* How long an answer may wait for the standby before the host answers
 * alone (ms). */
#define TR_HOST_STANDBY_TIMEOUT_DEFAULT 3000

/* TRUE while a standby is connected and in sync: every ack the host
 * sends is for an event the standby holds. FALSE: a host failure could
 * lose the last changes (tr_host_get_standby_warning()). */
gboolean    tr_host_get_standby_connected (TrHost *self);
/* The words for the monitor when a standby was configured but is not in
 * sync, or NULL. */
const char *tr_host_get_standby_warning   (TrHost *self);
void        tr_host_set_standby_timeout   (TrHost *self,
                                           guint   timeout_ms);
/* The host monitor's choice (tr-host-promote.c): sends @station_id, on
 * its authenticated connection, a one-time pairing code of role standby
 * (a standby_invite frame; it replaces any pending pairing code). Fails
 * with TR_ERROR_INVALID when that station is not connected. */
gboolean    tr_host_invite_standby        (TrHost      *self,
                                           const char  *station_id,
                                           GError     **error);
/* The station last invited, or NULL. */
const char *tr_host_get_standby_invited   (TrHost *self);
/* No standby: forgets the invitation and revokes the standby's pairing. */
gboolean    tr_host_clear_standby         (TrHost      *self,
                                           GError     **error);
/* Where the connected standby's station would serve once promoted (its
 * address and the port it said), or NULL: the stations' fallback. */
char       *tr_host_dup_standby_url       (TrHost *self);
/* The higher generation a station's hello showed, once a promoted
 * standby replaced this host (it refuses ops from then on), else 0. */
gint64      tr_host_get_superseded_by     (TrHost *self);
char       *tr_tls_certificate_fingerprint (GTlsCertificate *certificate);

/* Loads the certificate and key (PEM) at @path, first making a
 * self-signed one there (mode 0600) when the file does not exist.
 * Needs a GIO TLS backend at run time (glib-networking). */
GTlsCertificate *tr_tls_ensure_certificate (const char *path, GError **error);

/* The menu (JSON, or NULL for none, as tr_store_set_menu() takes it)
 * written by the host's writer thread, so the host stays its database's
 * one writer; completes on the caller's thread-default context once it
 * is durable (tr-host-settings.c). */
void       tr_host_save_menu_async  (TrHost              *self,
                                     const char          *menu_json,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean   tr_host_save_menu_finish (TrHost        *self,
                                     GAsyncResult  *result,
                                     GError       **error);

/* Training (docs/training.md): empties the store's tickets and log and
 * gives it a new id (tr_store_clear_tickets()) on the writer thread.
 * The running host keeps its old head and id: stop it and start a new
 * one on the store so stations take a snapshot of the empty history. */
void       tr_host_clear_tickets_async  (TrHost              *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean   tr_host_clear_tickets_finish (TrHost        *self,
                                         GAsyncResult  *result,
                                         GError       **error);

/* Speed of service of the tickets created in [@from, @to) (ms since
 * the epoch) against @warn_ms and @late_ms, as GET /api/v1/stats
 * computes it: read and computed on the stats thread, never on the
 * loop; completes on the caller's thread-default context, which must
 * be the host's (tr-host-stats.c). _finish() gives the report with
 * from, to and the thresholds set, or NULL with @error. */
void             tr_host_get_stats_async  (TrHost              *self,
                                           gint64               from,
                                           gint64               to,
                                           gint64               warn_ms,
                                           gint64               late_ms,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
TrServiceReport *tr_host_get_stats_finish (TrHost        *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/* ---- Kitchen printers (tr-host-printers.c; docs/printing.md) ----
 *
 * The host drives its printers off its loop (tr-print-spool.c): a
 * printer that is slow or down never delays fan-out or acks. */

/* TrPrinterInfo* copies (configuration and state), by name. Never
 * NULL. Cheap: what the spool last published, no I/O. */
GPtrArray *tr_host_list_printers         (TrHost *self);
/* How many printers a Reprint goes to (all but ready-chit ones): what
 * the welcome, every pong and health tell stations as "printers", so a
 * screen shows Reprint only where it can work (issue 13). Follow
 * "printers-changed" for changes. */
int        tr_host_count_reprint_printers (TrHost *self);

/* Adds @printer, or replaces the one of the same name, through the
 * writer; "printers-changed" follows. A new printer starts with the
 * tickets committed after it was saved (no backlog of history). Fails
 * with TR_ERROR_INVALID for a printer tr_printer_validate() refuses. */
void       tr_host_save_printer_async    (TrHost              *self,
                                          const TrPrinter     *printer,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean   tr_host_save_printer_finish   (TrHost        *self,
                                          GAsyncResult  *result,
                                          GError       **error);

/* Removes the printer called @name (its journal goes with it); its
 * pending slips are dropped. TR_ERROR_INVALID when there is none. */
void       tr_host_remove_printer_async  (TrHost              *self,
                                          const char          *name,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean   tr_host_remove_printer_finish (TrHost        *self,
                                          GAsyncResult  *result,
                                          GError       **error);

/* Prints a test page on @name now, ahead of its queue. Completes once
 * the printer took it (it answered the status query after the page),
 * or with the error that stopped it (TR_ERROR_INVALID: no such printer;
 * G_IO_ERROR_*: not reachable, paper out...). Not journaled. */
void       tr_host_print_test_page_async  (TrHost              *self,
                                           const char          *name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean   tr_host_print_test_page_finish (TrHost        *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/* Prints @ticket_id again on purpose, marked REPRINT, on every printer
 * serving one of its routes (ready-chit printers excepted). Completes
 * once the slips are queued (journaled as kind "reprint": a reprint is
 * printed once too); *@out_n_printers says on how many.
 * TR_ERROR_UNKNOWN_TICKET when there is no such ticket. */
void       tr_host_reprint_async         (TrHost              *self,
                                          const char          *ticket_id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean   tr_host_reprint_finish        (TrHost        *self,
                                          GAsyncResult  *result,
                                          guint         *out_n_printers,
                                          GError       **error);

G_END_DECLS
