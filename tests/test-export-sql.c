/* test-export-sql.c: the pure part of the PostgreSQL export
 *
 * What can be checked without a server: the statements' shape and
 * parameter numbering, the migrations' bookkeeping, the retry policy and
 * the pruning floor. test-exporter.c runs them against PostgreSQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-export-sql"

#include <string.h>

#include "tr-export-sql.h"

static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_insert_events (void)
{
  g_autofree char *one = tr_export_sql_insert_events (1);
  g_autofree char *many = tr_export_sql_insert_events (TR_EXPORT_MAX_BATCH);
  g_autofree char *last
    = g_strdup_printf ("$%u::jsonb)", 2 + TR_EXPORT_MAX_BATCH * TR_EXPORT_EVENT_PARAMS);
  g_autofree char *beyond
    = g_strdup_printf ("$%u", 3 + TR_EXPORT_MAX_BATCH * TR_EXPORT_EVENT_PARAMS);

  g_assert_nonnull (strstr (one, "($3::bigint, $4::bigint, $5::text, $6::text, $7::text, $8::text,"
                                 " $9::jsonb)"));
  g_assert_null (strstr (one, "$10"));
  g_assert_nonnull (strstr (one, "ON CONFLICT (host_id, seq) DO NOTHING"));
  g_assert_true (g_str_has_prefix (one, "INSERT INTO ticketrail.events"));

  /* One row per event, numbered without a gap, within PostgreSQL's
   * 65,535 parameters. */
  g_assert_cmpuint (count (many, "::jsonb)"), ==, TR_EXPORT_MAX_BATCH);
  g_assert_nonnull (strstr (many, last));
  g_assert_null (strstr (many, beyond));
  g_assert_cmpuint (2 + TR_EXPORT_MAX_BATCH * TR_EXPORT_EVENT_PARAMS, <, 65535);
}

static void
test_insert_events_bounds (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *sql = tr_export_sql_insert_events (0);

      g_assert_null (sql);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*n_rows >= 1*");
}

static void
test_migrations (void)
{
  /* One per version, each recording its own version, then none. */
  for (guint from = 0; from < TR_EXPORT_SCHEMA_VERSION; from++)
    {
      const char *sql = tr_export_sql_migration (from);
      g_autofree char *record
        = g_strdup_printf ("INSERT INTO ticketrail.schema_version (version) VALUES (%u)", from + 1);

      g_assert_nonnull (sql);
      g_assert_nonnull (strstr (sql, record));
      /* Migrations never drop what analysts may have built on. */
      g_assert_null (strstr (sql, "DROP "));
    }
  g_assert_null (tr_export_sql_migration (TR_EXPORT_SCHEMA_VERSION));
  g_assert_null (tr_export_sql_migration (TR_EXPORT_SCHEMA_VERSION + 7));

  /* The tables and views docs/reporting.md documents. */
  for (const char *const *name
       = (const char *const[]){ "TABLE ticketrail.sites", "TABLE ticketrail.hosts",
                                "TABLE ticketrail.events", "TABLE ticketrail.tickets",
                                "VIEW ticketrail.speed_of_service", "VIEW ticketrail.station_times",
                                "PRIMARY KEY (host_id, seq)", NULL };
       *name != NULL; name++)
    g_assert_nonnull (strstr (tr_export_sql_migration (0), *name));
  g_assert_nonnull (strstr (tr_export_sql_create_version_table (), "IF NOT EXISTS"));
  g_assert_nonnull (strstr (tr_export_sql_lock_schema (), "pg_advisory_xact_lock"));
}

static void
test_positions (void)
{
  /* The position moves only from where the exporter thinks it is. */
  g_assert_nonnull (strstr (tr_export_sql_advance_host (), "AND last_seq = $2::bigint"));
  g_assert_nonnull (strstr (tr_export_sql_advance_host (), "RETURNING"));
  g_assert_nonnull (strstr (tr_export_sql_advance_site (), "last_host_id = $2::text"));
  /* An older state never overwrites a newer one, and the first ready
   * time stays. */
  g_assert_nonnull (
    strstr (tr_export_sql_upsert_tickets (), "WHERE t.version <= excluded.version"));
  g_assert_nonnull (
    strstr (tr_export_sql_upsert_tickets (), "coalesce (t.ready_at, excluded.ready_at)"));
  /* The analysts' settings are never overwritten. */
  g_assert_null (strstr (tr_export_sql_upsert_site (), "time_zone = excluded"));
  g_assert_null (strstr (tr_export_sql_upsert_site (), "late_after"));
}

static void
test_backoff (void)
{
  /* Equal jitter: between half the delay and the delay. */
  g_assert_cmpuint (tr_export_backoff_ms (0, 250, 30000, 0), ==, 125);
  g_assert_cmpuint (tr_export_backoff_ms (0, 250, 30000, G_MAXUINT32), ==, 249);
  g_assert_cmpuint (tr_export_backoff_ms (1, 250, 30000, 0), ==, 250);
  g_assert_cmpuint (tr_export_backoff_ms (2, 250, 30000, 0x80000000u), ==, 750);
  /* Capped, however many attempts. */
  g_assert_cmpuint (tr_export_backoff_ms (7, 250, 30000, 0), ==, 15000);
  g_assert_cmpuint (tr_export_backoff_ms (1000, 250, 30000, G_MAXUINT32), <, 30000);
  g_assert_cmpuint (tr_export_backoff_ms (G_MAXUINT, 250, 30000, 0), ==, 15000);

  for (guint attempt = 0; attempt < 40; attempt++)
    for (guint i = 0; i < 100; i++)
      {
        guint delay = tr_export_backoff_ms (attempt, 250, 30000, g_test_rand_int ());

        g_assert_cmpuint (delay, >=, 125);
        g_assert_cmpuint (delay, <=, 30000);
      }
}

static void
test_prune_floor (void)
{
  /* Not known yet: only what is past the bound. */
  g_assert_cmpint (tr_export_prune_floor (-1, 0), ==, 0);
  g_assert_cmpint (tr_export_prune_floor (-1, 40), ==, 40);
  /* Exported: up to there. */
  g_assert_cmpint (tr_export_prune_floor (900, 0), ==, 900);
  g_assert_cmpint (tr_export_prune_floor (900, 40), ==, 900);
  /* Behind by more than the bound: the bound wins. */
  g_assert_cmpint (tr_export_prune_floor (10, 40), ==, 40);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export-sql/insert-events", test_insert_events);
  g_test_add_func ("/export-sql/insert-events-bounds", test_insert_events_bounds);
  g_test_add_func ("/export-sql/migrations", test_migrations);
  g_test_add_func ("/export-sql/positions", test_positions);
  g_test_add_func ("/export-sql/backoff", test_backoff);
  g_test_add_func ("/export-sql/prune-floor", test_prune_floor);
  return g_test_run ();
}
