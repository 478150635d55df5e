/* tr-exporter.h: streams the host's event log into PostgreSQL for reporting
 *
 * Runs on a thread of its own, with a read-only SQLite connection of its
 * own to the host's file and one libpq connection: it never writes the
 * host's database and never runs on the host's main context, so a slow
 * or absent PostgreSQL cannot delay a commit, a fan-out or an ack. What
 * it achieved reaches the main context of the thread that called
 * tr_exporter_start() (as property notifications).
 *
 * Exactly once in the tables, at least once on the wire: each batch and
 * the host's position go in one PostgreSQL transaction, and after any
 * failure the exporter resumes from the position stored there. The
 * schema and the views: docs/reporting.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TR_TYPE_EXPORTER (tr_exporter_get_type ())
G_DECLARE_FINAL_TYPE (TrExporter, tr_exporter, TR, EXPORTER, GObject)

/* Unexported events the host keeps at most this long (the "prune-bound"
 * default): past it, it prunes them anyway and says so. */
#define TR_EXPORTER_DEFAULT_PRUNE_BOUND (7 * 24 * 3600)

/* Properties:
 *   "database-path"  string   construct-only: the host's SQLite file
 *   "host-id"        string   construct-only: that database's id (tr_store_get_db_id())
 *   "site-id"        string   construct-only: the restaurant; default the host id, or
 *                            the lineage when a TrHost runs it
 *   "site-name"      string   construct-only: its name in ticketrail.sites (NULL keeps it)
 *   "conninfo"       string   construct-only: libpq connection string or URI; "" uses the
 *                             PG* environment variables
 *   "batch-size"     guint    events per transaction (default 500, at most 1,000)
 *   "poll-interval"  guint    ms between looks at the log's head when idle (default 200)
 *   "prune-bound"    guint    seconds (default TR_EXPORTER_DEFAULT_PRUNE_BOUND)
 * Read-only, notified on the main context:
 *   "connected"      gboolean connected, schema migrated, position known
 *   "exported-seq"   gint64   the host's last seq in PostgreSQL; -1 not known yet
 *   "lag-events"     gint64   events in the log not yet in PostgreSQL; -1 not known yet
 *   "lag-seconds"    gint64   age of the oldest of them; 0 when none, -1 not known yet
 *   "last-error"     string   why the last attempt failed; NULL after a success
 */
TrExporter *tr_exporter_new              (const char *database_path,
                                          const char *host_id,
                                          const char *site_id,
                                          const char *conninfo);

/* Starts the thread. Fails only when this build has no PostgreSQL
 * support or the thread cannot start: an unreachable server is retried
 * with backoff and jitter, and shows in "last-error". */
gboolean    tr_exporter_start            (TrExporter *self,
                                          GError    **error);
/* Stops and joins the thread at once, even mid-statement (the open
 * transaction is rolled back by the server; the next start resumes). */
void        tr_exporter_stop             (TrExporter *self);
gboolean    tr_exporter_is_running       (TrExporter *self);
/* Any thread: look at the log now rather than at the next poll (the
 * host's "events-committed" signal). */
void        tr_exporter_wake             (TrExporter *self);

const char *tr_exporter_get_site_id      (TrExporter *self);
/* Before start: the site when "site-id" was not given. A host sets it
 * to the restaurant's lineage, which a replacement host carries on. */
void        tr_exporter_set_default_site (TrExporter *self,
                                          const char *site_id);
gboolean    tr_exporter_get_connected    (TrExporter *self);
gint64      tr_exporter_get_exported_seq (TrExporter *self);
gint64      tr_exporter_get_lag_events   (TrExporter *self);
gint64      tr_exporter_get_lag_seconds  (TrExporter *self);
const char *tr_exporter_get_last_error   (TrExporter *self);

/* For the host's pruning: how many of the newest events to keep, at
 * least @keep, so that no event PostgreSQL lacks is pruned, unless it is
 * older than "prune-bound"; then it logs a warning each time. */
gint64      tr_exporter_limit_prune      (TrExporter *self,
                                          gint64      head_seq,
                                          gint64      keep);

/* Adds "export": {site, connected, exported_seq, lag_events,
 * lag_seconds, overdue, last_export_at, state} to @health
 * (/api/v1/health); state is "connecting", "exporting" or "retrying". */
void        tr_exporter_add_health       (TrExporter *self,
                                          JsonObject *health);

/* Connects to @conninfo and asks the server's version, on a worker
 * thread: the Preferences' Test button. */
void        tr_exporter_test_connection_async  (const char          *conninfo,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The server's version string, or NULL with @error. */
char       *tr_exporter_test_connection_finish (GAsyncResult  *result,
                                                GError       **error);

G_END_DECLS
