/* test-checkpointer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-checkpointer"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "tr-checkpointer.h"
#include "tr-store-private.h"
#include "tr-store.h"
#include "tr-test-sqlite.h"

#define PAGE_SIZE 4096
#define THRESHOLD 16
#define LIMIT 64
/* A row of this size fills most of a page: one commit, about one frame. */
#define ROW_BYTES 3000

typedef struct
{
  char *dir;
  char *path;
  char *wal;
  sqlite3 *db;
} Fixture;

static gint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return 0;
  return st.st_size;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-checkpointer-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->wal = g_strconcat (fixture->path, "-wal", NULL);
  g_assert_cmpint (
    sqlite3_open_v2 (fixture->path, &fixture->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
    ==, SQLITE_OK);
  sqlite3_busy_timeout (fixture->db, 5000);
  raw_exec (fixture->db, "PRAGMA page_size = 4096;"
                         "PRAGMA journal_mode = WAL;"
                         "PRAGMA synchronous = NORMAL;"
                         "CREATE TABLE rows (id INTEGER PRIMARY KEY, data BLOB NOT NULL);");
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_clear_pointer (&fixture->db, sqlite3_close_v2);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (fixture->path, suffixes[i], NULL);

      g_remove (path);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->wal);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
insert_row (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "INSERT INTO rows (data) VALUES (zeroblob (?1))", -1, &stmt, NULL), ==,
    SQLITE_OK);
  sqlite3_bind_int (stmt, 1, ROW_BYTES);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* A WAL this many frames long, with its 32-byte header. */
static gint64
wal_bytes (guint frames)
{
  return 32 + (gint64)frames * (PAGE_SIZE + 24);
}

/* The thread wakes once the WAL passes the threshold and copies it into
 * the database file, while the writer carries on. */
static void
test_thread_checkpoints (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  TrCheckpointer *checkpointer;
  gint64 db_before = file_size (fixture->path);
  gint64 deadline;
  guint n_rows = 0;

  checkpointer
    = tr_checkpointer_start (fixture->db, fixture->path, FALSE, THRESHOLD, LIMIT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (checkpointer);
  g_assert_cmpuint (tr_checkpointer_get_n_checkpoints (checkpointer), ==, 0);

  /* A commit adds a leaf page and rewrites the root: stay a few frames
   * short of the threshold. */
  while (file_size (fixture->wal) + 4 * (PAGE_SIZE + 24) < wal_bytes (THRESHOLD))
    {
      insert_row (fixture->db);
      n_rows++;
    }
  g_assert_cmpuint (n_rows, >, 0);
  /* Under the threshold nothing is asked of the thread. */
  g_usleep (G_USEC_PER_SEC / 10);
  g_assert_cmpuint (tr_checkpointer_get_n_checkpoints (checkpointer), ==, 0);
  g_assert_cmpint (file_size (fixture->path), ==, db_before);

  for (guint i = 0; i < THRESHOLD; i++)
    insert_row (fixture->db);
  n_rows += THRESHOLD;
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (tr_checkpointer_get_n_checkpoints (checkpointer) == 0
         && g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 100);
  g_assert_cmpuint (tr_checkpointer_get_n_checkpoints (checkpointer), >=, 1);
  /* The rows' pages reached the database file itself. */
  g_assert_cmpint (file_size (fixture->path), >, db_before + 4 * ROW_BYTES);

  tr_checkpointer_stop (checkpointer);
  g_assert_cmpint (raw_int (fixture->db, "SELECT COUNT(*) FROM rows"), ==, n_rows);
}

/* However fast the writer commits, the WAL never passes the limit by more
 * than one commit's frames. */
static void
test_bounded (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  TrCheckpointer *checkpointer;
  gint64 peak = 0;
  guint n_rows = 20 * LIMIT;

  raw_exec (fixture->db, "PRAGMA journal_size_limit = 0");
  checkpointer = tr_checkpointer_start (fixture->db, fixture->path, TRUE, THRESHOLD, LIMIT, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n_rows; i++)
    {
      insert_row (fixture->db);
      peak = MAX (peak, file_size (fixture->wal));
    }
  g_test_message ("WAL peak %" G_GINT64_FORMAT " bytes; %u checkpoints, %u inline", peak,
                  tr_checkpointer_get_n_checkpoints (checkpointer),
                  tr_checkpointer_get_n_inline (checkpointer));
  /* A commit is a leaf page and the root, and now and then a split. */
  g_assert_cmpint (peak, <=, wal_bytes (LIMIT + 8));
  g_assert_cmpint (peak, >, 0);
  tr_checkpointer_stop (checkpointer);

  g_assert_cmpint (raw_int (fixture->db, "SELECT COUNT(*) FROM rows"), ==, n_rows);
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_clear_pointer (&fixture->db, sqlite3_close_v2);
    g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM rows"), ==, n_rows);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "ok");
    sqlite3_finalize (stmt);
    sqlite3_close_v2 (db);
  }
}

/* Stopping gives the writer SQLite's own checkpoints back: a long enough
 * run of commits is copied into the file inline again. */
static void
test_stop_restores_autocheckpoint (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  TrCheckpointer *checkpointer
    = tr_checkpointer_start (fixture->db, fixture->path, FALSE, THRESHOLD, LIMIT, &error);
  gint64 db_before;

  g_assert_no_error (error);
  tr_checkpointer_stop (checkpointer);

  db_before = file_size (fixture->path);
  for (guint i = 0; i < 1100; i++)
    insert_row (fixture->db);
  g_assert_cmpint (file_size (fixture->path), >, db_before + 900 * ROW_BYTES);
}

/* A path the thread cannot open is an error, and the writer is unchanged. */
static void
test_start_fails (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (fixture->dir, "missing", "x.db", NULL);
  TrCheckpointer *checkpointer
    = tr_checkpointer_start (fixture->db, missing, FALSE, THRESHOLD, LIMIT, &error);

  g_assert_null (checkpointer);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, missing));
  insert_row (fixture->db);
  g_assert_cmpint (raw_int (fixture->db, "SELECT COUNT(*) FROM rows"), ==, 1);
}

/* A store runs one, and its data survives close and reopen. */
static void
test_store_uses_it (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "store.db", NULL);
  g_autoptr (TrStore) store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_assert_no_error (error);
  g_assert_nonnull (tr_store_get_checkpointer (store));
  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func)                                                                            \
  g_test_add ("/checkpointer/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("thread-checkpoints", test_thread_checkpoints);
  ADD ("bounded", test_bounded);
  ADD ("stop-restores-autocheckpoint", test_stop_restores_autocheckpoint);
  ADD ("start-fails", test_start_fails);
  ADD ("store-uses-it", test_store_uses_it);
#undef ADD

  return g_test_run ();
}
