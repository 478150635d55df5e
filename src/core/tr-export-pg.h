/* tr-export-pg.h: the PostgreSQL side of the export
 *
 * One libpq connection, used on the exporter's thread only. Every wait
 * (connecting, sending, reading) also watches @wakeup_fd: when it turns
 * readable and *@quit is set, the call gives up with G_IO_ERROR_CANCELLED
 * at once, so stopping the host never waits for a server that does not
 * answer. A statement that gets no answer in STATEMENT_TIMEOUT fails with
 * G_IO_ERROR_TIMED_OUT. After any error the caller drops the connection.
 *
 * Builds without libpq (-Dexport=disabled) get tr-export-pg-none.c,
 * whose calls all fail with G_IO_ERROR_NOT_SUPPORTED.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-export-log.h"

G_BEGIN_DECLS

typedef struct _TrExportPg TrExportPg;

/* Whether this build can export (it was built with libpq). */
gboolean tr_export_pg_available (void);

/* Connects with @conninfo: a libpq connection string or URI; "" uses the
 * PG* environment variables and libpq's defaults. */
TrExportPg *tr_export_pg_connect (const char *conninfo, int wakeup_fd, const gint *quit,
                                  GError **error);
void tr_export_pg_close (TrExportPg *pg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrExportPg, tr_export_pg_close)

/* "user@host:port/dbname", never the password: for the log. */
const char *tr_export_pg_describe (TrExportPg *pg);

/* Creates or migrates the ticketrail schema (tr-export-sql.c), one host
 * at a time. Fails when the database's schema is newer than this build. */
gboolean tr_export_pg_migrate (TrExportPg *pg, GError **error);

/* Creates the site if needed (with @name when not NULL, and @time_zone)
 * and registers @host_id under it. *@out_position: the host's last
 * exported seq. Fails when @host_id is registered under another site. */
gboolean tr_export_pg_register (TrExportPg *pg, const char *site, const char *name,
                                const char *time_zone, const char *host_id, gint64 *out_position,
                                GError **error);

/* In one transaction: the events of @batch, the tickets they touched and
 * the host's and the site's positions, provided PostgreSQL's position is
 * still @position. When it is not (another exporter of the same host
 * moved it), nothing is written and *@out_conflict is TRUE. */
gboolean tr_export_pg_write_batch (TrExportPg *pg, const char *site, const char *host_id,
                                   gint64 position, const TrExportBatch *batch,
                                   gboolean *out_conflict, GError **error);

/* Connects to @conninfo and reads the server's version, for a "Test"
 * button: blocking, at most about 15 s. The version string, or NULL. */
char *tr_export_pg_check (const char *conninfo, GError **error);

G_END_DECLS
