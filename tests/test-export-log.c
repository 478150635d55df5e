/* test-export-log.c: the exporter's read-only view of the host's log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-export-log"

#include <glib/gstdio.h>
#include <string.h>

#include "tr-export-log.h"
#include "tr-export-sql.h"
#include "tr-store.h"
#include "tr-test-sqlite.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = NULL;

  fixture->dir = g_dir_make_tmp ("test-export-log-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "ticketrail.db", NULL);
  /* A real host database, with its schema. */
  store = tr_store_open (fixture->path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  tr_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* Events 1..@n applied at @n × 1,000 ms, behind the store's back. */
static void
write_log (const char *path, gint64 n)
{
  sqlite3 *db = raw_open (path);

  raw_exec (db, "BEGIN");
  for (gint64 seq = 1; seq <= n; seq++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO events (seq, op_id, kind, ticket_id, station_id, at, data) VALUES"
        " (%" G_GINT64_FORMAT ", 'op-%" G_GINT64_FORMAT "', 'ticket.status', 't-%" G_GINT64_FORMAT
        "', 'grill', %" G_GINT64_FORMAT ", '{\"seq\":%" G_GINT64_FORMAT ",\"ticket\":{}}')",
        seq, seq, seq % 3, seq * 1000, seq);

      raw_exec (db, sql);
    }
  raw_exec (db, "COMMIT");
  sqlite3_close (db);
}

static void
test_empty (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrExportLog) log = tr_export_log_open (fixture->path, &error);
  g_autoptr (TrExportBatch) batch = NULL;
  gint64 tail = -1, head = -1, at = -1, seq = -1;

  g_assert_no_error (error);
  g_assert_true (tr_export_log_get_range (log, &tail, &head, &error));
  g_assert_cmpint (tail, ==, 0);
  g_assert_cmpint (head, ==, 0);
  batch = tr_export_log_read (log, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_null (batch);
  g_assert_true (tr_export_log_get_next_at (log, 0, &at, &error));
  g_assert_cmpint (at, ==, 0);
  g_assert_true (tr_export_log_last_seq_before (log, G_MAXINT64, &seq, &error));
  g_assert_cmpint (seq, ==, 0);
}

static void
test_batches (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrExportLog) log = NULL;
  g_autoptr (TrExportBatch) first = NULL;
  g_autoptr (TrExportBatch) last = NULL;
  gint64 tail, head, at;

  write_log (fixture->path, 25);
  log = tr_export_log_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (tr_export_log_get_range (log, &tail, &head, &error));
  g_assert_cmpint (tail, ==, 1);
  g_assert_cmpint (head, ==, 25);

  first = tr_export_log_read (log, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->n_events, ==, 10);
  g_assert_cmpint (first->first_seq, ==, 1);
  g_assert_cmpint (first->last_seq, ==, 10);
  g_assert_cmpint (first->first_at, ==, 1000);
  g_assert_cmpuint (first->values->len, ==, 10 * TR_EXPORT_EVENT_PARAMS);
  /* The order of tr_export_sql_insert_events()'s VALUES. */
  g_assert_cmpstr (g_ptr_array_index (first->values, 0), ==, "1");
  g_assert_cmpstr (g_ptr_array_index (first->values, 1), ==, "1000");
  g_assert_cmpstr (g_ptr_array_index (first->values, 2), ==, "ticket.status");
  g_assert_cmpstr (g_ptr_array_index (first->values, 3), ==, "op-1");
  g_assert_cmpstr (g_ptr_array_index (first->values, 4), ==, "grill");
  g_assert_cmpstr (g_ptr_array_index (first->values, 5), ==, "t-1");
  g_assert_cmpstr (g_ptr_array_index (first->values, 6), ==, "{\"seq\":1,\"ticket\":{}}");
  g_assert_cmpstr (g_ptr_array_index (first->values, 7), ==, "2");

  last = tr_export_log_read (log, 20, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->n_events, ==, 5);
  g_assert_cmpint (last->first_seq, ==, 21);
  g_assert_cmpint (last->last_seq, ==, 25);

  g_assert_true (tr_export_log_get_next_at (log, 7, &at, &error));
  g_assert_cmpint (at, ==, 8000);
  g_assert_true (tr_export_log_get_next_at (log, 25, &at, &error));
  g_assert_cmpint (at, ==, 0);

  /* New events show at the next read: no snapshot is kept open. */
  {
    sqlite3 *db = raw_open (fixture->path);

    raw_exec (db, "INSERT INTO events (seq, op_id, kind, ticket_id, station_id, at, data)"
                  " VALUES (26, 'op-26', 'ticket.created', 't-9', 'pos', 26000, '{}')");
    sqlite3_close (db);
  }
  g_assert_true (tr_export_log_get_range (log, &tail, &head, &error));
  g_assert_cmpint (head, ==, 26);
}

static void
test_bound (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrExportLog) log = NULL;
  gint64 seq = -1;

  write_log (fixture->path, 100);
  log = tr_export_log_open (fixture->path, &error);
  g_assert_no_error (error);

  /* Event n was applied at n s. */
  g_assert_true (tr_export_log_last_seq_before (log, 5500, &seq, &error));
  g_assert_cmpint (seq, ==, 5);
  g_assert_true (tr_export_log_last_seq_before (log, 6000, &seq, &error));
  g_assert_cmpint (seq, ==, 5);
  g_assert_true (tr_export_log_last_seq_before (log, 1000, &seq, &error));
  g_assert_cmpint (seq, ==, 0);
  g_assert_true (tr_export_log_last_seq_before (log, 100001, &seq, &error));
  g_assert_cmpint (seq, ==, 100);
  for (gint64 cutoff = 0; cutoff <= 101000; cutoff += 777)
    {
      g_assert_true (tr_export_log_last_seq_before (log, cutoff, &seq, &error));
      g_assert_cmpint (seq, ==, CLAMP ((cutoff - 1) / 1000, 0, 100));
    }

  /* After pruning, what is gone counts as before any cutoff. */
  {
    sqlite3 *db = raw_open (fixture->path);

    raw_exec (db, "DELETE FROM events WHERE seq <= 30");
    sqlite3_close (db);
  }
  g_assert_true (tr_export_log_last_seq_before (log, 2000, &seq, &error));
  g_assert_cmpint (seq, ==, 30);
  g_assert_true (tr_export_log_last_seq_before (log, 40500, &seq, &error));
  g_assert_cmpint (seq, ==, 40);
}

static void
test_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrExportLog) log = tr_export_log_open ("/nonexistent/ticketrail.db", &error);

  /* Read-only: it never creates the host's file. */
  g_assert_null (log);
  g_assert_nonnull (error);
  g_assert_false (g_file_test ("/nonexistent/ticketrail.db", G_FILE_TEST_EXISTS));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/export-log/empty", Fixture, NULL, fixture_set_up, test_empty, fixture_tear_down);
  g_test_add ("/export-log/batches", Fixture, NULL, fixture_set_up, test_batches,
              fixture_tear_down);
  g_test_add ("/export-log/bound", Fixture, NULL, fixture_set_up, test_bound, fixture_tear_down);
  g_test_add_func ("/export-log/missing-file", test_missing_file);
  return g_test_run ();
}
