/* tr-test-postgres.h: a throwaway PostgreSQL server for the tests and
 * the export bench
 *
 * initdb and pg_ctl of Debian's postgresql-15 (or $TR_TEST_PG_BINDIR) in
 * a temporary folder, listening on a free loopback port, with its unix
 * socket in that folder. As root (CI) the server runs as "nobody", which
 * owns the folder: PostgreSQL refuses to run as root.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TrTestPostgres TrTestPostgres;

/* initdb and start; NULL with @error when PostgreSQL is not installed or
 * does not start. @fsync: FALSE for tests (faster; a killed server still
 * keeps what it committed), TRUE for figures. */
TrTestPostgres *tr_test_postgres_new (gboolean fsync, GError **error);
/* Stops the server (immediately) and removes its folder. */
void tr_test_postgres_free (TrTestPostgres *pg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrTestPostgres, tr_test_postgres_free)

/* "host=127.0.0.1 port=N user=postgres dbname=postgres" */
const char *tr_test_postgres_get_conninfo (TrTestPostgres *pg);
const char *tr_test_postgres_get_data_dir (TrTestPostgres *pg);

/* pg_ctl stop -m immediate: the server dies as in a crash. */
gboolean tr_test_postgres_kill (TrTestPostgres *pg, GError **error);
/* pg_ctl start -w again, on the same port. */
gboolean tr_test_postgres_start (TrTestPostgres *pg, GError **error);

/* Whether a missing PostgreSQL must fail the test rather than skip it:
 * under CI=true it must. */
gboolean tr_test_postgres_required (void);

G_END_DECLS
