/* tr-export-sql.c: the SQL of the PostgreSQL export, and its retry policy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-export"

#include "tr-export-sql.h"

/* pg_advisory_xact_lock's key: "TRKT", the application_id of the
 * SQLite files, so that it names Ticketrail in pg_locks. */
#define SCHEMA_LOCK_KEY "1414679380"

/* Version 1. The site is the restaurant (docs/reporting.md): its events
 * may come from several hosts over the years, each with its own seq, so
 * an event is keyed by (host_id, seq) and a host's position is its own
 * row in hosts. sites.late_after and sites.time_zone belong to the
 * analysts: the exporter sets them once, when it creates the site, and
 * never again. */
static const char MIGRATION_1[]
  = "CREATE TABLE ticketrail.sites ("
    "  site text PRIMARY KEY,"
    "  name text,"
    "  last_host_id text,"
    "  last_seq bigint NOT NULL DEFAULT 0,"
    "  last_export_at timestamptz,"
    "  time_zone text NOT NULL DEFAULT 'UTC',"
    /* The kitchen screen's default "late-minutes" (the GSettings schema):
     * each station has its own setting, and none reaches the host. */
    "  late_after interval NOT NULL DEFAULT '15 minutes'"
    ");"
    "CREATE TABLE ticketrail.hosts ("
    "  host_id text PRIMARY KEY,"
    "  site text NOT NULL REFERENCES ticketrail.sites (site),"
    "  last_seq bigint NOT NULL DEFAULT 0,"
    "  first_export_at timestamptz NOT NULL DEFAULT now (),"
    "  last_export_at timestamptz"
    ");"
    "CREATE TABLE ticketrail.events ("
    "  site text NOT NULL,"
    "  host_id text NOT NULL,"
    "  seq bigint NOT NULL,"
    "  at timestamptz NOT NULL,"
    "  kind text NOT NULL,"
    "  op_id text NOT NULL,"
    "  station_id text NOT NULL,"
    "  ticket_id text NOT NULL,"
    "  ticket jsonb NOT NULL,"
    "  PRIMARY KEY (host_id, seq)"
    ");"
    "CREATE INDEX events_site_at ON ticketrail.events (site, at);"
    "CREATE TABLE ticketrail.tickets ("
    "  site text NOT NULL,"
    "  ticket_id text NOT NULL,"
    "  number integer NOT NULL,"
    "  status text NOT NULL,"
    "  order_type text NOT NULL,"
    "  priority text NOT NULL,"
    "  created_at timestamptz NOT NULL,"
    /* The first time the ticket was ready (or served): a recall does not
     * make the kitchen slower after the fact. */
    "  ready_at timestamptz,"
    "  updated_at timestamptz NOT NULL,"
    "  version bigint NOT NULL,"
    "  host_id text NOT NULL,"
    "  seq bigint NOT NULL,"
    "  ticket jsonb NOT NULL,"
    "  PRIMARY KEY (site, ticket_id)"
    ");"
    "CREATE INDEX tickets_site_created_at ON ticketrail.tickets (site, created_at);"
    /* One row per ticket with its times; late: ready after the site's
     * late_after, or not ready (and not cancelled) that long after it was
     * created. */
    "CREATE VIEW ticketrail.ticket_times AS"
    "  SELECT t.site, t.ticket_id, t.number, t.status, t.order_type, t.priority,"
    "    t.created_at, t.ready_at,"
    "    (t.created_at AT TIME ZONE s.time_zone) AS local_created_at,"
    "    extract (epoch FROM t.ready_at - t.created_at)::double precision AS seconds_to_ready,"
    "    ((t.ready_at IS NOT NULL OR t.status <> 'cancelled')"
    "     AND coalesce (t.ready_at, now ()) - t.created_at > s.late_after) AS late"
    "  FROM ticketrail.tickets t JOIN ticketrail.sites s ON s.site = t.site;"
    "CREATE VIEW ticketrail.speed_of_service AS"
    "  SELECT site, local_created_at::date AS day,"
    "    extract (hour FROM local_created_at)::integer AS hour,"
    "    count (*) AS tickets,"
    "    count (ready_at) AS tickets_ready,"
    "    count (*) FILTER (WHERE status = 'cancelled') AS tickets_cancelled,"
    "    avg (seconds_to_ready) AS avg_seconds_to_ready,"
    "    percentile_cont (0.9) WITHIN GROUP (ORDER BY seconds_to_ready) AS p90_seconds_to_ready,"
    "    count (*) FILTER (WHERE late) AS late"
    "  FROM ticketrail.ticket_times"
    "  GROUP BY site, day, hour;"
    /* One row per item of the tickets' current state. An item starts when
     * its ticket was created, or when an amendment added it; its ready_at
     * is the last time it turned ready (a recall clears it). */
    "CREATE VIEW ticketrail.item_times AS"
    "  SELECT x.site, x.ticket_id, x.item_id, x.route, x.name, x.quantity, x.status,"
    "    to_timestamp (x.started_ms / 1000.0) AS started_at,"
    "    to_timestamp (x.ready_ms / 1000.0) AS ready_at,"
    "    ((x.ready_ms - x.started_ms) / 1000.0)::double precision AS seconds_to_ready"
    "  FROM (SELECT t.site, t.ticket_id, i.item ->> 'id' AS item_id,"
    "          coalesce (nullif (i.item ->> 'station', ''), 'any') AS route,"
    "          i.item ->> 'name' AS name, (i.item ->> 'quantity')::integer AS quantity,"
    "          i.item ->> 'status' AS status,"
    "          coalesce (a.added_ms, (t.ticket ->> 'created_at')::bigint) AS started_ms,"
    "          nullif ((i.item ->> 'ready_at')::bigint, 0) AS ready_ms"
    "        FROM ticketrail.tickets t"
    "        CROSS JOIN LATERAL jsonb_array_elements (t.ticket -> 'items') AS i (item)"
    "        LEFT JOIN LATERAL (SELECT min ((c ->> 'at')::bigint) AS added_ms"
    "          FROM jsonb_array_elements (t.ticket -> 'changes') AS c"
    "          WHERE c ->> 'kind' = 'item_added' AND c ->> 'item_id' = i.item ->> 'id') AS a"
    "        ON TRUE) AS x;"
    "CREATE VIEW ticketrail.station_times AS"
    "  SELECT it.site, it.route, (it.started_at AT TIME ZONE s.time_zone)::date AS day,"
    "    count (*) AS items,"
    "    sum (it.quantity) AS quantity,"
    "    count (it.ready_at) AS items_ready,"
    "    avg (it.seconds_to_ready) AS avg_seconds_to_ready,"
    "    percentile_cont (0.9) WITHIN GROUP (ORDER BY it.seconds_to_ready) AS p90_seconds_to_ready,"
    "    count (*) FILTER (WHERE it.seconds_to_ready > extract (epoch FROM s.late_after)) AS late"
    "  FROM ticketrail.item_times it JOIN ticketrail.sites s ON s.site = it.site"
    "  WHERE it.status <> 'voided'"
    "  GROUP BY it.site, it.route, day;"
    "INSERT INTO ticketrail.schema_version (version) VALUES (1);";

static const char *const MIGRATIONS[TR_EXPORT_SCHEMA_VERSION] = {
  MIGRATION_1,
};

const char *
tr_export_sql_lock_schema (void)
{
  return "SELECT pg_advisory_xact_lock (" SCHEMA_LOCK_KEY ")";
}

const char *
tr_export_sql_create_version_table (void)
{
  return "CREATE SCHEMA IF NOT EXISTS ticketrail;"
         "CREATE TABLE IF NOT EXISTS ticketrail.schema_version ("
         "  version integer PRIMARY KEY,"
         "  applied_at timestamptz NOT NULL DEFAULT now ()"
         ")";
}

const char *
tr_export_sql_schema_version (void)
{
  return "SELECT coalesce (max (version), 0) FROM ticketrail.schema_version";
}

const char *
tr_export_sql_migration (guint from)
{
  return from < TR_EXPORT_SCHEMA_VERSION ? MIGRATIONS[from] : NULL;
}

const char *
tr_export_sql_upsert_site (void)
{
  /* pg_timezone_names: a zone PostgreSQL does not know would break every
   * view that converts to local time. */
  return "INSERT INTO ticketrail.sites (site, name, time_zone)"
         " VALUES ($1::text, $2::text,"
         "   CASE WHEN EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $3::text)"
         "   THEN $3::text ELSE 'UTC' END)"
         " ON CONFLICT (site) DO UPDATE SET name = excluded.name"
         " WHERE excluded.name IS NOT NULL AND excluded.name IS DISTINCT FROM "
         "ticketrail.sites.name";
}

const char *
tr_export_sql_register_host (void)
{
  /* Both halves see the snapshot from before the INSERT: exactly one of
   * them returns the row. */
  return "WITH inserted AS ("
         "  INSERT INTO ticketrail.hosts (host_id, site) VALUES ($1::text, $2::text)"
         "  ON CONFLICT (host_id) DO NOTHING RETURNING site, last_seq)"
         " SELECT site, last_seq FROM inserted"
         " UNION ALL SELECT site, last_seq FROM ticketrail.hosts WHERE host_id = $1::text";
}

const char *
tr_export_sql_advance_host (void)
{
  return "UPDATE ticketrail.hosts SET last_seq = $3::bigint, last_export_at = now ()"
         " WHERE host_id = $1::text AND last_seq = $2::bigint RETURNING last_seq";
}

const char *
tr_export_sql_advance_site (void)
{
  return "UPDATE ticketrail.sites SET last_host_id = $2::text, last_seq = $3::bigint,"
         " last_export_at = now () WHERE site = $1::text";
}

const char *
tr_export_sql_upsert_tickets (void)
{
  /* From the events just inserted rather than from the batch itself: a
   * ticket changed ten times in one batch is written once, with its last
   * state and the first time it was ready within the batch. The version
   * guard keeps an older state from overwriting a newer one. */
  return "INSERT INTO ticketrail.tickets AS t (site, ticket_id, number, status, order_type,"
         "   priority, created_at, ready_at, updated_at, version, host_id, seq, ticket)"
         " SELECT $1::text, l.ticket_id, (l.ticket ->> 'number')::integer, l.ticket ->> 'status',"
         "   l.ticket ->> 'order_type', l.ticket ->> 'priority',"
         "   to_timestamp ((l.ticket ->> 'created_at')::bigint / 1000.0), r.ready_at, l.at,"
         "   (l.ticket ->> 'version')::bigint, l.host_id, l.seq, l.ticket"
         " FROM (SELECT DISTINCT ON (ticket_id) ticket_id, host_id, seq, at, ticket"
         "       FROM ticketrail.events"
         "       WHERE host_id = $2::text AND seq > $3::bigint AND seq <= $4::bigint"
         "       ORDER BY ticket_id, seq DESC) AS l"
         " JOIN (SELECT ticket_id,"
         "         min (at) FILTER (WHERE ticket ->> 'status' IN ('ready', 'served')) AS ready_at"
         "       FROM ticketrail.events"
         "       WHERE host_id = $2::text AND seq > $3::bigint AND seq <= $4::bigint"
         "       GROUP BY ticket_id) AS r ON r.ticket_id = l.ticket_id"
         " ON CONFLICT (site, ticket_id) DO UPDATE SET"
         "   number = excluded.number, status = excluded.status,"
         "   order_type = excluded.order_type, priority = excluded.priority,"
         "   created_at = excluded.created_at, ready_at = coalesce (t.ready_at, excluded.ready_at),"
         "   updated_at = excluded.updated_at, version = excluded.version,"
         "   host_id = excluded.host_id, seq = excluded.seq, ticket = excluded.ticket"
         " WHERE t.version <= excluded.version";
}

char *
tr_export_sql_insert_events (guint n_rows)
{
  GString *sql;

  g_return_val_if_fail (n_rows >= 1 && n_rows <= TR_EXPORT_MAX_BATCH, NULL);

  sql = g_string_sized_new (400 + n_rows * 100);
  g_string_append (sql, "INSERT INTO ticketrail.events"
                        " (site, host_id, seq, at, kind, op_id, station_id, ticket_id, ticket)"
                        " SELECT $1::text, $2::text, v.seq, to_timestamp (v.at_ms / 1000.0),"
                        " v.kind, v.op_id, v.station_id, v.ticket_id, v.event -> 'ticket'"
                        " FROM (VALUES ");
  for (guint row = 0; row < n_rows; row++)
    {
      guint p = 3 + row * TR_EXPORT_EVENT_PARAMS;

      g_string_append_printf (sql,
                              "%s($%u::bigint, $%u::bigint, $%u::text, $%u::text, $%u::text,"
                              " $%u::text, $%u::jsonb)",
                              row == 0 ? "" : ", ", p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6);
    }
  g_string_append (sql, ") AS v (seq, at_ms, kind, op_id, station_id, ticket_id, event)"
                        " ON CONFLICT (host_id, seq) DO NOTHING");
  return g_string_free (sql, FALSE);
}

guint
tr_export_backoff_ms (guint attempt, guint base_ms, guint max_ms, guint32 random)
{
  guint64 delay = base_ms;
  guint64 half;

  for (guint i = 0; i < attempt && delay < max_ms; i++)
    delay *= 2;
  delay = MIN (delay, (guint64)max_ms);
  half = delay / 2;
  return (guint)(half + (((delay - half) * (guint64)random) >> 32));
}

gint64
tr_export_prune_floor (gint64 exported_seq, gint64 bound_seq)
{
  return MAX (MAX (exported_seq, 0), MAX (bound_seq, 0));
}
