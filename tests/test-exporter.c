/* test-exporter.c: the PostgreSQL export against a real PostgreSQL
 *
 * One throwaway server (tr-test-postgres.c) for the whole binary, one
 * database per test. The host side is a real TrStore file; the checks
 * read PostgreSQL with libpq and the host's file with SQLite, behind the
 * exporter's back.
 *
 * The host-killed test SIGKILLs a child: this binary again, started with
 * --child DB CONNINFO, which writes ops into its store and exports them
 * in small batches, as a busy host would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-exporter"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tr-codec.h"
#include "tr-exporter.h"
#include "tr-store-lineage.h"
#include "tr-host.h"
#include "tr-store.h"
#include "tr-test-postgres.h"
#include "tr-test-sqlite.h"
#include "tr-test-util.h"

/* Waits are for hangs, never for speed. */
#define WAIT_TIMEOUT_S 180

static TrTestPostgres *server;
static guint n_databases;
static const char *program_path;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* ---- PostgreSQL helpers ---- */

static PGconn *
pg_open (const char *conninfo)
{
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("connecting to %s: %s", conninfo, PQerrorMessage (conn));
  return conn;
}

static PGresult *
pg_query (PGconn *conn, const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  return result;
}

static gint64
pg_int (PGconn *conn, const char *sql)
{
  g_autoptr (PGresult) result = pg_query (conn, sql);

  g_assert_cmpint (PQntuples (result), ==, 1);
  if (PQgetisnull (result, 0, 0))
    return -1;
  return g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
}

static double
pg_double (PGconn *conn, const char *sql)
{
  g_autoptr (PGresult) result = pg_query (conn, sql);

  g_assert_cmpint (PQntuples (result), ==, 1);
  g_assert_false (PQgetisnull (result, 0, 0));
  return g_ascii_strtod (PQgetvalue (result, 0, 0), NULL);
}

/* A fresh database on the shared server; its conninfo. */
static char *
new_database (void)
{
  g_autoptr (PGconn) admin = pg_open (tr_test_postgres_get_conninfo (server));
  g_autofree char *name = g_strdup_printf ("test_%u", ++n_databases);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
  g_autoptr (PGresult) result = pg_query (admin, create);

  return g_strdup_printf ("host=127.0.0.1 port=%s user=postgres dbname=%s", PQport (admin), name);
}

/* ---- the host side ---- */

typedef struct
{
  char *dir;
  char *path;
  TrStore *store;
  GPtrArray *open_tickets; /* ticket ids, oldest first */
  guint n_created;
} Host;

/* In @dir when not NULL, else in a new temporary folder. */
static Host *
host_new_in (const char *dir)
{
  Host *host = g_new0 (Host, 1);
  g_autoptr (GError) error = NULL;

  host->dir = dir != NULL ? g_strdup (dir) : g_dir_make_tmp ("test-exporter-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (host->dir, 0700), ==, 0);
  host->path = g_build_filename (host->dir, "ticketrail.db", NULL);
  host->store = tr_store_open (host->path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  host->open_tickets = g_ptr_array_new_with_free_func (g_free);
  return host;
}

static Host *
host_new (void)
{
  return host_new_in (NULL);
}

static void
host_free (Host *host)
{
  g_clear_object (&host->store);
  g_ptr_array_unref (host->open_tickets);
  tr_test_remove_tree (host->dir);
  g_free (host->dir);
  g_free (host->path);
  g_free (host);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Host, host_free)

static TrOp *
next_op (Host *host)
{
  /* Keeps about five tickets open: each is created, made ready, then
   * served, so the log has every kind of step. */
  if (host->open_tickets->len < 5)
    {
      g_autoptr (TrTicket) ticket = tr_ticket_new ();
      TrItem *item = tr_item_new ();
      TrOp *op;

      ticket->id = tr_uuid_new ();
      item->id = tr_uuid_new ();
      item->name = g_strdup_printf ("Dish %u", host->n_created++);
      item->station = g_strdup (host->n_created % 2 ? "grill" : "fry");
      g_ptr_array_add (ticket->items, item);
      op = tr_op_new_create_ticket ("test", ticket);
      g_ptr_array_add (host->open_tickets, g_strdup (ticket->id));
      return op;
    }
  else
    {
      g_autoptr (GError) error = NULL;
      const char *id = g_ptr_array_index (host->open_tickets, 0);
      g_autoptr (TrTicket) ticket = tr_store_get_ticket (host->store, id, &error);
      TrOp *op;

      g_assert_no_error (error);
      g_assert_nonnull (ticket);
      op = tr_op_new_set_ticket_status ("test", id,
                                        ticket->status == TR_TICKET_STATUS_READY
                                          ? TR_TICKET_STATUS_SERVED
                                          : TR_TICKET_STATUS_READY);
      if (ticket->status == TR_TICKET_STATUS_READY)
        g_ptr_array_remove_index (host->open_tickets, 0);
      return op;
    }
}

/* Appends @n events to the host's log, one op per transaction: the next
 * op reads the state the previous one committed. */
static void
host_apply (Host *host, guint n)
{
  while (n > 0)
    {
      g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
      g_autoptr (GPtrArray) outcomes = NULL;
      g_autoptr (GError) error = NULL;

      g_ptr_array_add (ops, next_op (host));
      outcomes = tr_store_apply_ops (host->store, ops, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < outcomes->len; i++)
        g_assert_cmpint (((TrOutcome *)g_ptr_array_index (outcomes, i))->result, ==,
                         TR_APPLY_APPLIED);
      n -= ops->len;
    }
}

/* ---- waiting ---- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_until (Condition done, gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  guint ticker = g_timeout_add (20, tick, NULL);

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("still waiting for %s after %d s", what, WAIT_TIMEOUT_S);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (ticker);
}

typedef struct
{
  TrExporter *exporter;
  TrStore *store;
} Caught;

static gboolean
caught_up (gpointer data)
{
  Caught *caught = data;

  return tr_exporter_get_exported_seq (caught->exporter) == tr_store_get_head_seq (caught->store)
         && tr_exporter_get_lag_events (caught->exporter) == 0;
}

static void
wait_caught_up (TrExporter *exporter, TrStore *store)
{
  Caught caught = { exporter, store };

  wait_until (caught_up, &caught, "the export to catch up");
  g_assert_cmpint (tr_exporter_get_lag_seconds (exporter), ==, 0);
  g_assert_null (tr_exporter_get_last_error (exporter));
}

static TrExporter *
exporter_new (Host *host, const char *site, const char *conninfo, guint batch_size)
{
  return g_object_new (TR_TYPE_EXPORTER, "database-path", host->path, "host-id",
                       tr_store_get_db_id (host->store), "site-id", site, "conninfo", conninfo,
                       "batch-size", batch_size, "poll-interval", 20, NULL);
}

/* ---- checks ---- */

/* Every event of the host's log is in PostgreSQL once, as it is in the
 * log, and nothing else of that host is. */
static void
assert_rows_match (const char *path, const char *conninfo, const char *host_id, const char *site)
{
  g_autoptr (PGconn) conn = pg_open (conninfo);
  sqlite3 *db = raw_open (path);
  g_autofree char *sql
    = g_strdup_printf ("SELECT seq, op_id, kind, ticket_id, station_id,"
                       "  round (extract (epoch FROM at) * 1000)::bigint, ticket ->> 'version', "
                       "ticket ->> 'status', site"
                       " FROM ticketrail.events WHERE host_id = '%s' ORDER BY seq",
                       host_id);
  g_autoptr (PGresult) rows = pg_query (conn, sql);
  sqlite3_stmt *stmt = NULL;
  int n = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT seq, op_id, kind, ticket_id, station_id, at,"
                                       " json_extract (data, '$.ticket.version'),"
                                       " json_extract (data, '$.ticket.status')"
                                       " FROM events ORDER BY seq",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_assert_cmpint (n, <, PQntuples (rows));
      for (int column = 0; column < 8; column++)
        g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, column), ==,
                         PQgetvalue (rows, n, column));
      g_assert_cmpstr (PQgetvalue (rows, n, 8), ==, site);
      n++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (n, ==, PQntuples (rows));
  g_assert_cmpint (n, >, 0);

  /* The current state of each ticket, as the host has it. */
  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "SELECT id, status, version FROM tickets ORDER BY id", -1, &stmt, NULL),
    ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *query = g_strdup_printf (
        "SELECT status || ' ' || version FROM ticketrail.tickets WHERE site = '%s'"
        " AND ticket_id = '%s'",
        site, (const char *)sqlite3_column_text (stmt, 0));
      g_autoptr (PGresult) ticket = pg_query (conn, query);
      g_autofree char *expected
        = g_strdup_printf ("%s %s", sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));

      g_assert_cmpint (PQntuples (ticket), ==, 1);
      g_assert_cmpstr (PQgetvalue (ticket, 0, 0), ==, expected);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* ---- tests ---- */

static void
test_thousand_events (void)
{
  g_autofree char *conninfo = new_database ();
  g_autoptr (Host) host = host_new ();
  g_autoptr (TrExporter) exporter = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (PGconn) conn = NULL;
  g_autoptr (JsonObject) health = json_object_new ();
  JsonObject *export;
  const char *host_id = tr_store_get_db_id (host->store);
  g_autofree char *site_row = NULL;

  host_apply (host, 1000);
  g_assert_cmpint (tr_store_get_head_seq (host->store), ==, 1000);

  exporter = exporter_new (host, NULL, conninfo, 100);
  g_assert_true (tr_exporter_start (exporter, &error));
  g_assert_no_error (error);
  wait_caught_up (exporter, host->store);
  g_assert_true (tr_exporter_get_connected (exporter));
  /* Without a lineage id the site is the host database (issue 17). */
  g_assert_cmpstr (tr_exporter_get_site_id (exporter), ==, host_id);

  assert_rows_match (host->path, conninfo, host_id, host_id);
  conn = pg_open (conninfo);
  site_row = g_strdup_printf ("SELECT count (*) FROM ticketrail.sites WHERE site = '%s'"
                              " AND last_host_id = '%s' AND last_seq = 1000"
                              " AND last_export_at IS NOT NULL",
                              host_id, host_id);
  g_assert_cmpint (pg_int (conn, site_row), ==, 1);
  g_assert_cmpint (pg_int (conn, "SELECT max (version) FROM ticketrail.schema_version"), ==, 1);

  /* More events later: picked up by polling. */
  host_apply (host, 37);
  wait_caught_up (exporter, host->store);
  assert_rows_match (host->path, conninfo, host_id, host_id);

  tr_exporter_add_health (exporter, health);
  export = json_object_get_object_member (health, "export");
  g_assert_nonnull (export);
  g_assert_cmpint (json_object_get_int_member (export, "exported_seq"), ==, 1037);
  g_assert_cmpint (json_object_get_int_member (export, "lag_events"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (export, "state"), ==, "exporting");
  g_assert_false (json_object_get_boolean_member (export, "overdue"));

  /* The pruning bound: everything is exported, so only the host's own
   * rule applies; with 37 events unexported they would be kept. */
  g_assert_cmpint (tr_exporter_limit_prune (exporter, 1037, 100), ==, 100);
  g_assert_cmpint (tr_exporter_limit_prune (exporter, 1074, 10), ==, 37);

  tr_exporter_stop (exporter);
  g_assert_false (tr_exporter_is_running (exporter));
}

/* tr_host_set_exporter() on a running host (the app's Preferences): the
 * new exporter starts on the host's context and exports the whole log,
 * the old one stops, and NULL turns the export off. */
/* GET /metrics from the running host, over loopback (no token needed). */
typedef struct
{
  GBytes *body;
  gboolean done;
} Fetch;

static void
fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;
  g_autoptr (GError) error = NULL;

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  fetch->done = TRUE;
}

static gboolean
fetch_done (gpointer data)
{
  return ((Fetch *)data)->done;
}

static char *
get_metrics (TrHost *host)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url
    = g_strdup_printf ("http://127.0.0.1:%u/metrics", tr_host_get_bound_port (host));
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  Fetch fetch = { NULL, FALSE };
  gsize size;
  const char *data;
  char *text;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, fetched_cb, &fetch);
  wait_until (fetch_done, &fetch, "GET /metrics");
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  data = g_bytes_get_data (fetch.body, &size);
  text = g_strndup (data, size);
  g_bytes_unref (fetch.body);
  return text;
}

static void
test_host_set_exporter_live (void)
{
  g_autofree char *first_db = new_database ();
  g_autofree char *second_db = new_database ();
  g_autoptr (Host) host = host_new ();
  g_autoptr (TrHost) server_host = NULL;
  g_autoptr (TrExporter) first = NULL;
  g_autoptr (TrExporter) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrExporter) current = NULL;
  const char *host_id = tr_store_get_db_id (host->store);

  host_apply (host, 120);
  server_host = tr_host_new (host->store);
  g_object_set (server_host, "port", 0, "loopback-only", TRUE, NULL);
  g_autofree char *lineage = NULL;
  gint64 gen = 0;

  g_assert_true (tr_host_start (server_host, &error));
  g_assert_no_error (error);
  /* A host makes the restaurant's lineage at start... */
  g_assert_true (tr_store_get_lineage (host->store, &lineage, &gen, &error));
  g_assert_nonnull (lineage);
  g_assert_cmpstr (lineage, !=, host_id);

  /* ...and an export it runs reports under it, the site a replacement
   * host with the same lineage continues (issue 16). */
  first = exporter_new (host, NULL, first_db, 50);
  g_assert_true (tr_host_set_exporter (server_host, first, &error));
  g_assert_no_error (error);
  g_assert_true (tr_exporter_is_running (first));
  g_assert_cmpstr (tr_exporter_get_site_id (first), ==, lineage);
  wait_caught_up (first, host->store);
  assert_rows_match (host->path, first_db, host_id, lineage);
  /* The lag is on /metrics too, for alerts (docs/monitoring.md). */
  {
    g_autofree char *metrics = get_metrics (server_host);

    g_assert_nonnull (strstr (metrics, "\nticketrail_export_connected 1\n"));
    g_assert_nonnull (strstr (metrics, "\nticketrail_export_lag_events 0\n"));
    g_assert_nonnull (strstr (metrics, "\n# TYPE ticketrail_export_lag_seconds gauge\n"));
  }

  /* Setting the same one again changes nothing. */
  g_assert_true (tr_host_set_exporter (server_host, first, &error));
  g_assert_true (tr_exporter_is_running (first));

  /* A site given by name (--export-site) stays. */
  second = exporter_new (host, "given-site", second_db, 50);
  g_assert_true (tr_host_set_exporter (server_host, second, &error));
  g_assert_no_error (error);
  g_assert_false (tr_exporter_is_running (first));
  g_assert_true (tr_exporter_is_running (second));
  g_object_get (server_host, "exporter", &current, NULL);
  g_assert_true (current == second);
  g_clear_object (&current);
  wait_caught_up (second, host->store);
  g_assert_cmpstr (tr_exporter_get_site_id (second), ==, "given-site");
  assert_rows_match (host->path, second_db, host_id, "given-site");

  g_assert_true (tr_host_set_exporter (server_host, NULL, &error));
  g_assert_false (tr_exporter_is_running (second));
  g_object_get (server_host, "exporter", &current, NULL);
  g_assert_null (current);
  tr_host_stop (server_host);
}

typedef struct
{
  Host *host;
  guint target;
} Writer;

static gboolean
write_some (gpointer data)
{
  Writer *writer = data;
  gint64 head = tr_store_get_head_seq (writer->host->store);

  if (head >= writer->target)
    return G_SOURCE_REMOVE;
  host_apply (writer->host, MIN (5, writer->target - (guint)head));
  return G_SOURCE_CONTINUE;
}

static gboolean
exported_some (gpointer data)
{
  return tr_exporter_get_exported_seq (data) >= 100;
}

static gboolean
disconnected (gpointer data)
{
  return !tr_exporter_get_connected (data) && tr_exporter_get_last_error (data) != NULL;
}

static gboolean
lagging (gpointer data)
{
  return tr_exporter_get_lag_events (data) > 0 && tr_exporter_get_lag_seconds (data) >= 0;
}

static gboolean
written (gpointer data)
{
  Writer *writer = data;

  return tr_store_get_head_seq (writer->host->store) >= writer->target;
}

static void
test_postgres_killed (void)
{
  g_autofree char *conninfo = new_database ();
  g_autoptr (Host) host = host_new ();
  g_autoptr (TrExporter) exporter = exporter_new (host, "killed", conninfo, 20);
  g_autoptr (GError) error = NULL;
  Writer writer = { host, 1000 };

  g_assert_true (tr_exporter_start (exporter, &error));
  g_timeout_add (5, write_some, &writer);

  wait_until (exported_some, exporter, "the first 100 events in PostgreSQL");
  g_assert_true (tr_test_postgres_kill (server, &error));
  g_assert_no_error (error);
  wait_until (disconnected, exporter, "the exporter to notice");
  /* The host goes on; the lag grows and says so. */
  host_apply (host, 50);
  wait_until (lagging, exporter, "the lag to show");
  g_test_message ("lag while PostgreSQL was down: %" G_GINT64_FORMAT " events",
                  tr_exporter_get_lag_events (exporter));

  g_assert_true (tr_test_postgres_start (server, &error));
  g_assert_no_error (error);
  wait_until (written, &writer, "the writer to finish");
  wait_caught_up (exporter, host->store);
  g_assert_true (tr_exporter_get_connected (exporter));
  assert_rows_match (host->path, conninfo, tr_store_get_db_id (host->store), "killed");
}

static void
test_two_sites (void)
{
  g_autofree char *conninfo = new_database ();
  g_autoptr (Host) a = host_new ();
  g_autoptr (Host) b = host_new ();
  g_autoptr (Host) a2 = host_new ();
  g_autoptr (TrExporter) export_a = NULL;
  g_autoptr (TrExporter) export_b = NULL;
  g_autoptr (TrExporter) export_a2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (PGconn) conn = NULL;
  g_autofree char *last_host = NULL;

  host_apply (a, 120);
  host_apply (b, 80);
  export_a = exporter_new (a, "restaurant-a", conninfo, 50);
  export_b = exporter_new (b, "restaurant-b", conninfo, 50);
  g_assert_true (tr_exporter_start (export_a, &error));
  g_assert_true (tr_exporter_start (export_b, &error));
  wait_caught_up (export_a, a->store);
  wait_caught_up (export_b, b->store);
  tr_exporter_stop (export_a);

  conn = pg_open (conninfo);
  g_assert_cmpint (pg_int (conn, "SELECT count (*) FROM ticketrail.sites"), ==, 2);
  g_assert_cmpint (
    pg_int (conn, "SELECT count (*) FROM ticketrail.events WHERE site = 'restaurant-a'"), ==, 120);
  g_assert_cmpint (
    pg_int (conn, "SELECT count (*) FROM ticketrail.events WHERE site = 'restaurant-b'"), ==, 80);
  g_assert_cmpint (pg_int (conn, "SELECT count (DISTINCT site) FROM ticketrail.speed_of_service"),
                   ==, 2);
  g_assert_cmpint (pg_int (conn, "SELECT sum (tickets) FROM ticketrail.speed_of_service"), ==,
                   pg_int (conn, "SELECT count (*) FROM ticketrail.tickets"));

  /* Restaurant A's host is replaced by a new one (a new database, so a
   * new host_id): it continues under the same site. */
  host_apply (a2, 30);
  export_a2 = exporter_new (a2, "restaurant-a", conninfo, 50);
  g_assert_true (tr_exporter_start (export_a2, &error));
  wait_caught_up (export_a2, a2->store);
  g_assert_cmpint (pg_int (conn, "SELECT count (*) FROM ticketrail.sites"), ==, 2);
  g_assert_cmpint (
    pg_int (conn, "SELECT count (*) FROM ticketrail.hosts WHERE site = 'restaurant-a'"), ==, 2);
  g_assert_cmpint (
    pg_int (conn, "SELECT count (*) FROM ticketrail.events WHERE site = 'restaurant-a'"), ==, 150);
  {
    g_autoptr (PGresult) result
      = pg_query (conn, "SELECT last_host_id FROM ticketrail.sites WHERE site = 'restaurant-a'");

    last_host = g_strdup (PQgetvalue (result, 0, 0));
  }
  g_assert_cmpstr (last_host, ==, tr_store_get_db_id (a2->store));
  assert_rows_match (a->path, conninfo, tr_store_get_db_id (a->store), "restaurant-a");
  assert_rows_match (a2->path, conninfo, tr_store_get_db_id (a2->store), "restaurant-a");
  assert_rows_match (b->path, conninfo, tr_store_get_db_id (b->store), "restaurant-b");
}

/* ---- a known log, for the views ---- */

/* 2026-01-15 12:00:00 UTC */
#define T0_MS G_GINT64_CONSTANT (1768478400000)

static void
append_event (sqlite3 *db, const TrOp *op, const TrTicket *current, gint64 seq, gint64 now,
              TrTicket **out_ticket)
{
  TrApplyContext ctx = { .seq = seq, .now = now, .number = (int)seq };
  g_autoptr (GError) error = NULL;
  g_autoptr (TrEvent) event = tr_op_apply (op, current, &ctx, &error);
  g_autofree char *json = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  json = tr_event_to_string (event);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO events (seq, op_id, kind, ticket_id,"
                                       " station_id, at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, event->op_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, tr_event_kind_to_string (event->kind), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, event->ticket->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, event->station_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, event->at);
  sqlite3_bind_text (stmt, 7, json, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  *out_ticket = tr_ticket_copy (event->ticket);
}

/* Three tickets fired at 12:00, 12:10 and 12:20 UTC, ready after 5, 10
 * and 20 minutes; a fourth at 13:05, ready after 2 minutes. One item
 * each on "grill", but the 12:10 one is on "fry". */
static void
write_known_log (const char *path)
{
  static const struct
  {
    gint64 fired_s;
    gint64 ready_after_s;
    const char *route;
  } tickets[] = {
    { 0, 300, "grill" },
    { 600, 600, "fry" },
    { 1200, 1200, "grill" },
    { 3900, 120, "grill" },
  };
  sqlite3 *db = raw_open (path);
  gint64 seq = 0;

  raw_exec (db, "BEGIN");
  for (guint i = 0; i < G_N_ELEMENTS (tickets); i++)
    {
      g_autoptr (TrTicket) ticket = tr_ticket_new ();
      g_autoptr (TrTicket) created = NULL;
      g_autoptr (TrTicket) ready = NULL;
      g_autoptr (TrOp) create = NULL;
      g_autoptr (TrOp) bump = NULL;
      TrItem *item = tr_item_new ();

      ticket->id = tr_uuid_new ();
      item->id = tr_uuid_new ();
      item->name = g_strdup ("Burger");
      item->station = g_strdup (tickets[i].route);
      g_ptr_array_add (ticket->items, item);
      create = tr_op_new_create_ticket ("pos", ticket);
      append_event (db, create, NULL, ++seq, T0_MS + tickets[i].fired_s * 1000, &created);
      bump = tr_op_new_set_ticket_status ("grill-screen", ticket->id, TR_TICKET_STATUS_READY);
      append_event (db, bump, created, ++seq,
                    T0_MS + (tickets[i].fired_s + tickets[i].ready_after_s) * 1000, &ready);
    }
  raw_exec (db, "COMMIT");
  sqlite3_close (db);
}

static void
test_views (void)
{
  g_autofree char *conninfo = new_database ();
  g_autoptr (Host) host = host_new ();
  g_autoptr (TrExporter) exporter = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (PGconn) conn = NULL;
  g_autoptr (PGresult) rows = NULL;

  g_clear_object (&host->store);
  write_known_log (host->path);
  host->store = tr_store_open (host->path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tr_store_get_head_seq (host->store), ==, 8);

  exporter = exporter_new (host, "known", conninfo, 3);
  g_assert_true (tr_exporter_start (exporter, &error));
  wait_caught_up (exporter, host->store);
  conn = pg_open (conninfo);

  rows
    = pg_query (conn, "SELECT day, hour, tickets, tickets_ready, round (avg_seconds_to_ready),"
                      " round (p90_seconds_to_ready), late"
                      " FROM ticketrail.speed_of_service WHERE site = 'known' ORDER BY day, hour");
  g_assert_cmpint (PQntuples (rows), ==, 2);
  /* 12:00: 300, 600 and 1,200 s: average 700; p90 (interpolated)
   * 600 + 0.8 × 600 = 1,080; one over the 15 minutes. */
  g_assert_cmpstr (PQgetvalue (rows, 0, 0), ==, "2026-01-15");
  g_assert_cmpstr (PQgetvalue (rows, 0, 1), ==, "12");
  g_assert_cmpstr (PQgetvalue (rows, 0, 2), ==, "3");
  g_assert_cmpstr (PQgetvalue (rows, 0, 3), ==, "3");
  g_assert_cmpstr (PQgetvalue (rows, 0, 4), ==, "700");
  g_assert_cmpstr (PQgetvalue (rows, 0, 5), ==, "1080");
  g_assert_cmpstr (PQgetvalue (rows, 0, 6), ==, "1");
  g_assert_cmpstr (PQgetvalue (rows, 1, 1), ==, "13");
  g_assert_cmpstr (PQgetvalue (rows, 1, 2), ==, "1");
  g_assert_cmpstr (PQgetvalue (rows, 1, 4), ==, "120");
  g_assert_cmpstr (PQgetvalue (rows, 1, 6), ==, "0");

  /* Per route: grill 300, 1,200 and 120 s; fry 600 s. */
  g_assert_cmpfloat_with_epsilon (
    pg_double (conn, "SELECT avg_seconds_to_ready FROM ticketrail.station_times"
                     " WHERE site = 'known' AND route = 'grill'"),
    540.0, 0.001);
  g_assert_cmpint (pg_int (conn, "SELECT items FROM ticketrail.station_times"
                                 " WHERE site = 'known' AND route = 'grill'"),
                   ==, 3);
  g_assert_cmpint (pg_int (conn, "SELECT late FROM ticketrail.station_times"
                                 " WHERE site = 'known' AND route = 'grill'"),
                   ==, 1);
  g_assert_cmpfloat_with_epsilon (
    pg_double (conn, "SELECT avg_seconds_to_ready FROM ticketrail.station_times"
                     " WHERE site = 'known' AND route = 'fry'"),
    600.0, 0.001);

  /* The threshold is the site's: at 5 minutes, three are late. */
  PQclear (pg_query (conn, "UPDATE ticketrail.sites SET late_after = '5 minutes'"));
  g_assert_cmpint (pg_int (conn, "SELECT sum (late) FROM ticketrail.speed_of_service"), ==, 2);
}

/* ---- pruning ---- */

/* Nothing listens there: every connection is refused at once. */
#define UNREACHABLE "host=127.0.0.1 port=1 dbname=none"

static gboolean
failed_once (gpointer data)
{
  return tr_exporter_get_last_error (data) != NULL;
}

/* PostgreSQL unreachable: the host keeps every event not exported. */
static void
test_prune_keeps_unexported (void)
{
  g_autoptr (Host) host = host_new ();
  g_autoptr (TrExporter) exporter = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) health = json_object_new ();
  JsonObject *export;

  host_apply (host, 20);
  exporter = exporter_new (host, NULL, UNREACHABLE, 100);
  g_assert_true (tr_exporter_start (exporter, &error));
  wait_until (failed_once, exporter, "the first failed connection");
  g_assert_false (tr_exporter_get_connected (exporter));
  g_assert_cmpint (tr_exporter_get_exported_seq (exporter), ==, -1);
  g_assert_cmpint (tr_exporter_get_lag_events (exporter), ==, -1);

  /* The host would keep its newest 5: it keeps all 20. */
  g_assert_cmpint (tr_exporter_limit_prune (exporter, 20, 5), ==, 20);

  tr_exporter_add_health (exporter, health);
  export = json_object_get_object_member (health, "export");
  g_assert_cmpstr (json_object_get_string_member (export, "state"), ==, "retrying");
  g_assert_false (json_object_get_boolean_member (export, "overdue"));
  /* The error names the server: never in health, which needs no token. */
  g_assert_false (json_object_has_member (export, "last_error"));

  /* Stopping does not wait for the retry's backoff. */
  tr_exporter_stop (exporter);
}

/* Unexported events older than the bound (7 days) are pruned anyway, and
 * the host says so, as a warning: fatal here, so in a subprocess. */
static char *
prune_bound_dir (GPid parent)
{
  return g_strdup_printf ("%s/test-exporter-bound-%d", g_get_tmp_dir (), (int)parent);
}

static void
test_prune_bound (void)
{
  g_autofree char *dir = NULL;

  if (g_test_subprocess ())
    {
      /* The parent removes it: this process ends in the warning. */
      g_autofree char *own_dir = prune_bound_dir (getppid ());
      g_autoptr (Host) host = host_new_in (own_dir);
      g_autoptr (TrExporter) exporter = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonObject) health = json_object_new ();

      /* The known log is from January 2026. */
      g_clear_object (&host->store);
      write_known_log (host->path);
      host->store = tr_store_open (host->path, TR_STORE_DURABILITY_FULL, &error);
      g_assert_no_error (error);
      exporter = exporter_new (host, NULL, UNREACHABLE, 100);
      g_assert_true (tr_exporter_start (exporter, &error));
      wait_until (failed_once, exporter, "the first failed connection");
      tr_exporter_add_health (exporter, health);
      g_assert_true (json_object_get_boolean_member (
        json_object_get_object_member (health, "export"), "overdue"));
      /* All of it is past the bound: the host's own rule decides. */
      g_assert_cmpint (tr_exporter_limit_prune (exporter, 8, 8), ==, 8);
      tr_exporter_limit_prune (exporter, 8, 2);
      g_assert_not_reached ();
    }
  g_test_trap_subprocess (NULL, WAIT_TIMEOUT_S * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*PostgreSQL export is more than 7 days behind*pruning events up to "
                             "seq 6 that were never exported*");
  dir = prune_bound_dir (getpid ());
  tr_test_remove_tree (dir);
}

/* ---- the host killed mid-batch ---- */

static int
run_child (const char *path, const char *conninfo)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Host) host = g_new0 (Host, 1);
  g_autoptr (TrExporter) exporter = NULL;

  host->dir = g_path_get_dirname (path);
  host->path = g_strdup (path);
  host->open_tickets = g_ptr_array_new_with_free_func (g_free);
  host->store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  if (host->store == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  exporter = exporter_new (host, "crash", conninfo, 7);
  if (!tr_exporter_start (exporter, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  /* A busy host: ops keep coming while the exporter streams them; the
   * parent kills it at some point. */
  for (;;)
    {
      host_apply (host, 3);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      printf ("head %" G_GINT64_FORMAT " exported %" G_GINT64_FORMAT "\n",
              tr_store_get_head_seq (host->store), tr_exporter_get_exported_seq (exporter));
      fflush (stdout);
      g_usleep (2000);
    }
  return 0;
}

static void
test_host_killed (void)
{
  g_autofree char *conninfo = new_database ();
  g_autoptr (Host) host = host_new ();
  g_autoptr (TrExporter) exporter = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_strdup (host->path);

  /* The child owns the file while it runs. */
  g_clear_object (&host->store);
  for (guint round = 0; round < 5; round++)
    {
      const char *argv[] = { program_path, "--child", path, conninfo, NULL };
      g_autoptr (GSubprocess) child
        = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      g_autoptr (GDataInputStream) lines = NULL;
      guint wanted = (guint)g_test_rand_int_range (20, 120);
      gint64 exported = -1;

      g_assert_no_error (error);
      lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      /* Until it has exported something this round, and a while more. */
      for (guint n = 0; n < wanted || exported <= 0; n++)
        {
          g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);

          g_assert_no_error (error);
          g_assert_nonnull (line);
          g_assert_cmpint (sscanf (line, "head %*d exported %" G_GINT64_FORMAT, &exported), ==, 1);
        }
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
    }

  /* The host restarts and catches up, from where PostgreSQL says. */
  host->store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  exporter = exporter_new (host, "crash", conninfo, 100);
  g_assert_true (tr_exporter_start (exporter, &error));
  wait_caught_up (exporter, host->store);
  g_test_message ("%" G_GINT64_FORMAT " events after 5 kills", tr_store_get_head_seq (host->store));
  assert_rows_match (path, conninfo, tr_store_get_db_id (host->store), "crash");
}

/* ---- ticketrail-host --export ---- */

static void
test_ticketrail_host (void)
{
  const char *binary = g_getenv ("TICKETRAIL_HOST_BIN");
  g_autofree char *conninfo = new_database ();
  g_autoptr (Host) host = host_new ();
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autofree char *host_id = g_strdup (tr_store_get_db_id (host->store));
  const char *port;
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;

  if (binary == NULL)
    {
      g_test_skip ("TICKETRAIL_HOST_BIN is not set (meson sets it)");
      return;
    }
  host_apply (host, 60);
  g_clear_object (&host->store);

  {
    const char *argv[]
      = { binary,     "--loopback", "--port",        "0",   "--data-dir",         host->dir,
          "--export", conninfo,     "--export-site", "cli", "--export-site-name", "Le Bistro",
          NULL };

    child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error (error);
  }
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = strrchr (strstr (line, "://"), ':');
  g_assert_nonnull (port);
  url = g_strdup_printf ("http://127.0.0.1:%d/api/v1/health", atoi (port + 1));

  for (;;)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr (GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);
      g_autoptr (JsonNode) node = NULL;
      JsonObject *export;

      g_assert_no_error (error);
      g_assert_cmpint (soup_message_get_status (msg), ==, 200);
      node = tr_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), &error);
      g_assert_no_error (error);
      export = json_object_get_object_member (json_node_get_object (node), "export");
      g_assert_nonnull (export);
      g_assert_cmpstr (json_object_get_string_member (export, "site"), ==, "cli");
      if (json_object_get_int_member (export, "exported_seq") == 60
          && json_object_get_int_member (export, "lag_events") == 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_subprocess_send_signal (child, SIGTERM);
  g_subprocess_wait_check (child, NULL, &error);
  g_assert_no_error (error);

  assert_rows_match (host->path, conninfo, host_id, "cli");
  {
    g_autoptr (PGconn) conn = pg_open (conninfo);

    g_assert_cmpint (pg_int (conn, "SELECT count (*) FROM ticketrail.sites WHERE site = 'cli'"
                                   " AND name = 'Le Bistro'"),
                     ==, 1);
  }
}

static void
skip_without_postgres (void)
{
  g_test_skip ("PostgreSQL did not start (see the message above)");
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  program_path = argv[0];
  /* The views' days and hours are in the site's time zone, which the
   * exporter takes from the host's. */
  g_setenv ("TZ", "UTC", TRUE);
  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);

  /* Without a server, and what a trapped subprocess runs needs none. */
  g_test_add_func ("/exporter/prune-keeps-unexported", test_prune_keeps_unexported);
  g_test_add_func ("/exporter/prune-bound", test_prune_bound);
  if (g_test_subprocess ())
    return g_test_run ();

  server = tr_test_postgres_new (FALSE, &error);
  if (server == NULL)
    {
      if (tr_test_postgres_required ())
        g_error ("PostgreSQL must start under CI=true: %s", error->message);
      g_test_message ("no PostgreSQL: %s", error->message);
    }

  if (server == NULL)
    g_test_add_func ("/exporter/no-postgresql", skip_without_postgres);
  else
    {
      g_test_add_func ("/exporter/thousand-events", test_thousand_events);
      g_test_add_func ("/exporter/postgres-killed", test_postgres_killed);
      g_test_add_func ("/exporter/host-killed", test_host_killed);
      g_test_add_func ("/exporter/two-sites", test_two_sites);
      g_test_add_func ("/exporter/views", test_views);
      g_test_add_func ("/exporter/host-set-exporter-live", test_host_set_exporter_live);
      g_test_add_func ("/exporter/ticketrail-host", test_ticketrail_host);
    }
  status = g_test_run ();
  g_clear_pointer (&server, tr_test_postgres_free);
  return status;
}
