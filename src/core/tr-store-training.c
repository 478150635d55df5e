/* tr-store-training.c: emptying training tickets, carrying pairings
 * over, and the host mode a station last saw (tr-store-training.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store-training.h"

#include "tr-error.h"
#include "tr-store-private.h"

#define KEY_HOST_TRAINING "host_training"

static gboolean
exec (TrStore *self, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return _tr_store_set_sqlite_error (self, error, what);
  return TRUE;
}

gboolean
tr_store_clear_tickets (TrStore *self, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->readonly, FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  /* A new db_id is a new history: stations that kept seqs of the old one
   * must not resume from them (the host sends a snapshot). */
  if (!exec (self,
             "DELETE FROM items; DELETE FROM tickets; DELETE FROM events;"
             " DELETE FROM applied_ops; DELETE FROM item_timings; DELETE FROM ticket_timings;"
             " UPDATE meta SET value = lower (hex (randomblob (16))) WHERE key = 'db_id';"
             " UPDATE meta SET value = 0 WHERE key IN ('last_seq', 'head_seq');"
             " UPDATE meta SET value = 1001 WHERE key = 'next_number';",
             "clearing the training tickets", error)
      || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  g_hash_table_remove_all (self->cache);
  return _tr_store_meta_load (self, error);
}

gboolean
tr_store_copy_pairings (TrStore *self, const char *live_path, GError **error)
{
  sqlite3 *live = NULL;
  sqlite3_stmt *read = NULL;
  sqlite3_stmt *write = NULL;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (live_path != NULL, FALSE);

  /* A host that never ran live has no pairings to carry. */
  if (!g_file_test (live_path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  /* Its own read-only connection, not ATTACH: a read-write connection
   * that closes last checkpoints the WAL into host.db, and live data
   * must not change, not even in its layout on disk. */
  if (sqlite3_open_v2 (live_path, &live, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (live,
                             "SELECT station_id, token_hash, name, role, created_at, last_seen,"
                             " revoked_at FROM paired_stations",
                             -1, &read, NULL)
           != SQLITE_OK)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "reading the live pairings: %s",
                   live ? sqlite3_errmsg (live) : "out of memory");
      goto out;
    }
  if (!_tr_store_begin_write (self, error))
    goto out;
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO paired_stations"
                          " (station_id, token_hash, name, role, created_at, last_seen,"
                          " revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                          -1, &write, NULL)
      != SQLITE_OK)
    {
      _tr_store_set_sqlite_error (self, error, "copying the live pairings");
      _tr_store_rollback (self);
      goto out;
    }
  while ((rc = sqlite3_step (read)) == SQLITE_ROW)
    {
      for (int i = 0; i < 7; i++)
        sqlite3_bind_value (write, i + 1, sqlite3_column_value (read, i));
      if (sqlite3_step (write) != SQLITE_DONE)
        {
          _tr_store_set_sqlite_error (self, error, "copying the live pairings");
          _tr_store_rollback (self);
          goto out;
        }
      sqlite3_reset (write);
    }
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "reading the live pairings: %s",
                   sqlite3_errmsg (live));
      _tr_store_rollback (self);
      goto out;
    }
  ok = _tr_store_commit (self, error);
  if (!ok)
    _tr_store_rollback (self);

out:
  sqlite3_finalize (write);
  sqlite3_finalize (read);
  sqlite3_close (live);
  return ok;
}

gint64
tr_store_get_host_training (TrStore *self, GError **error)
{
  gint64 value = 0;

  g_return_val_if_fail (TR_IS_STORE (self), -1);

  /* Stored as 1 (live) or 2 (training): an absent key reads 0. */
  if (!_tr_store_meta_get_int (self, KEY_HOST_TRAINING, &value, error) || value < 1 || value > 2)
    return -1;
  return value - 1;
}

gboolean
tr_store_set_host_training (TrStore *self, gboolean training, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  if (!_tr_store_meta_set_int (self, KEY_HOST_TRAINING, training ? 2 : 1, error)
      || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}
