/* tr-store-statements.c: the store's cached SQL statements, its meta rows
 * and its transactions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

#include "tr-error.h"

static const char *const STATEMENT_SQL[N_STATEMENTS] = {
  [ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
  [ST_BEGIN_READ] = "BEGIN",
  [ST_COMMIT] = "COMMIT",
  [ST_ROLLBACK] = "ROLLBACK",
  [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
  [ST_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  [ST_TICKET_DATA] = "SELECT data FROM tickets WHERE id = ?1",
  [ST_TICKET_CONFIRMED] = "SELECT confirmed FROM tickets WHERE id = ?1",
  /* Never INSERT OR REPLACE: a replace is a delete, which would cascade to
   * the ticket's item rows. (created_at does change on a station when the
   * host's version of a local ticket arrives.) */
  [ST_TICKET_UPSERT_VISIBLE]
  = "INSERT INTO tickets (id, number, status, created_at, updated_at, version, data, confirmed)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)"
    " ON CONFLICT (id) DO UPDATE SET number = excluded.number, status = excluded.status,"
    " created_at = excluded.created_at, updated_at = excluded.updated_at, version = "
    "excluded.version, data = excluded.data",
  [ST_TICKET_UPSERT_BOTH]
  = "INSERT INTO tickets (id, number, status, created_at, updated_at, version, data, confirmed)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT (id) DO UPDATE SET number = excluded.number, status = excluded.status,"
    " created_at = excluded.created_at, updated_at = excluded.updated_at, version = "
    "excluded.version, data = excluded.data,"
    " confirmed = excluded.confirmed",
  /* The usual case, an op on an existing ticket: setting created_at, even
   * to the same value, would rewrite its index entry too. */
  [ST_TICKET_UPDATE_VISIBLE] = "UPDATE tickets SET number = ?2, status = ?3, updated_at = ?5,"
                               " version = ?6, data = ?7 WHERE id = ?1",
  [ST_TICKET_UPDATE_BOTH] = "UPDATE tickets SET number = ?2, status = ?3, updated_at = ?5,"
                            " version = ?6, data = ?7, confirmed = ?8 WHERE id = ?1",
  [ST_TICKET_DELETE] = "DELETE FROM tickets WHERE id = ?1",
  [ST_TICKET_IDS] = "SELECT id FROM tickets",
  [ST_TICKETS_ALL] = "SELECT id, data FROM tickets ORDER BY created_at, id",
  [ST_TICKETS_OPEN] = "SELECT id, data FROM tickets"
                      " WHERE status IN ('new', 'preparing', 'ready') ORDER BY created_at, id",
  [ST_TICKETS_RECENT] = "SELECT id, data FROM tickets"
                        " WHERE status IN ('new', 'preparing', 'ready') OR updated_at >= ?1"
                        " ORDER BY created_at, id",
  [ST_ITEM_UPSERT]
  = "INSERT INTO items (ticket_id, item_id, position, name, quantity, station, status)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (ticket_id, item_id) DO UPDATE SET position = excluded.position,"
    " name = excluded.name, quantity = excluded.quantity, station = excluded.station,"
    " status = excluded.status",
  [ST_ITEM_DELETE] = "DELETE FROM items WHERE ticket_id = ?1 AND item_id = ?2",
  [ST_EVENT_INSERT] = "INSERT INTO events (seq, op_id, kind, ticket_id, station_id, at, data)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [ST_EVENTS_AFTER] = "SELECT seq, data FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
  [ST_EVENTS_TAIL] = "SELECT MIN(seq) FROM events",
  [ST_EVENTS_PRUNE] = "DELETE FROM events WHERE seq <= ?1",
  /* meta.head_seq is written when pruning, not with every event (that
   * would dirty one more page per commit); the log holds the rest. */
  [ST_HEAD_SEQ] = "SELECT MAX (IFNULL ((SELECT MAX (seq) FROM events), 0),"
                  " IFNULL ((SELECT CAST (value AS INTEGER) FROM meta WHERE key = 'head_seq'), 0))",
  [ST_APPLIED_GET] = "SELECT result, seq, error_code, error_message FROM applied_ops"
                     " WHERE op_id = ?1",
  [ST_APPLIED_INSERT]
  = "INSERT INTO applied_ops (op_id, result, seq, error_code, error_message, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [ST_EVENT_SEQ_OF_OP] = "SELECT seq FROM events WHERE op_id = ?1",
  [ST_EVENT_OP_AT] = "SELECT op_id FROM events WHERE seq = ?1",
  /* Before the events go, so that their op ids stay known. */
  [ST_APPLIED_FROM_EVENTS] = "INSERT OR IGNORE INTO applied_ops (op_id, result, seq, at)"
                             " SELECT op_id, 'applied', seq, at FROM events WHERE seq <= ?1",
  [ST_OUTBOX_INSERT] = "INSERT INTO outbox (op_id, ticket_id, data, created_at)"
                       " VALUES (?1, ?2, ?3, ?4)",
  [ST_OUTBOX_TICKET_OF] = "SELECT ticket_id FROM outbox WHERE op_id = ?1",
  [ST_OUTBOX_DELETE] = "DELETE FROM outbox WHERE op_id = ?1",
  [ST_OUTBOX_FOR_TICKET] = "SELECT data FROM outbox WHERE ticket_id = ?1 ORDER BY pos",
  [ST_OUTBOX_ALL] = "SELECT data FROM outbox ORDER BY pos",
  [ST_OUTBOX_COUNT] = "SELECT COUNT(*) FROM outbox",
  [ST_CODES_CLEAR] = "DELETE FROM pairing_codes",
  [ST_CODE_INSERT] = "INSERT INTO pairing_codes (code_hash, created_at, expires_at)"
                     " VALUES (?1, ?2, ?3)",
  [ST_CODE_GET] = "SELECT expires_at FROM pairing_codes WHERE code_hash = ?1",
  [ST_CODE_DELETE] = "DELETE FROM pairing_codes WHERE code_hash = ?1",
  [ST_PAIRED_UPSERT]
  = "INSERT INTO paired_stations (station_id, token_hash, name, role, created_at, last_seen,"
    " revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, 0)"
    " ON CONFLICT (station_id) DO UPDATE SET token_hash = excluded.token_hash,"
    " name = excluded.name, role = excluded.role, created_at = excluded.created_at,"
    " last_seen = excluded.last_seen, revoked_at = 0",
  [ST_PAIRED_BY_TOKEN] = "SELECT station_id, name, role, created_at, last_seen, revoked_at"
                         " FROM paired_stations WHERE token_hash = ?1",
  [ST_PAIRED_REVOKE] = "UPDATE paired_stations SET revoked_at = ?2"
                       " WHERE station_id = ?1 AND revoked_at = 0",
  [ST_PAIRED_ALL] = "SELECT station_id, name, role, created_at, last_seen, revoked_at"
                    " FROM paired_stations ORDER BY created_at, station_id",
  [ST_PAIRED_TOUCH] = "UPDATE paired_stations SET last_seen = MAX (last_seen, ?2)"
                      " WHERE station_id = ?1",
  [ST_TIMING_GET] = "SELECT number, table_name, order_type, created_at, started_at, ready_at,"
                    " served_at, cancelled_at, recalls FROM ticket_timings WHERE ticket_id = ?1",
  [ST_TIMING_UPSERT]
  = "INSERT INTO ticket_timings (ticket_id, number, table_name, order_type, created_at,"
    " started_at, ready_at, served_at, cancelled_at, recalls)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT (ticket_id) DO UPDATE SET number = excluded.number,"
    " table_name = excluded.table_name, order_type = excluded.order_type,"
    " created_at = excluded.created_at, started_at = excluded.started_at,"
    " ready_at = excluded.ready_at, served_at = excluded.served_at,"
    " cancelled_at = excluded.cancelled_at, recalls = excluded.recalls",
  [ST_ITEM_TIMING_GET] = "SELECT station, added_at, ready_at, voided FROM item_timings"
                         " WHERE ticket_id = ?1 AND item_id = ?2",
  [ST_ITEM_TIMING_UPSERT]
  = "INSERT INTO item_timings (ticket_id, item_id, station, added_at, ready_at, voided)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (ticket_id, item_id) DO UPDATE SET station = excluded.station,"
    " added_at = excluded.added_at, ready_at = excluded.ready_at, voided = excluded.voided",
  /* Items first: they are found through their ticket's created_at. */
  [ST_ITEM_TIMINGS_PRUNE] = "DELETE FROM item_timings WHERE ticket_id IN"
                            " (SELECT ticket_id FROM ticket_timings WHERE created_at < ?1)",
  [ST_TIMINGS_PRUNE] = "DELETE FROM ticket_timings WHERE created_at < ?1",
  [ST_LINK_CLOSE] = "UPDATE station_links SET disconnected_at = ?3, close_code = ?4,"
                    " close_reason = ?5, alive_at = MAX (alive_at, ?3)"
                    " WHERE station_id = ?1 AND connected_at = ?2",
  [ST_LINK_INSERT]
  = "INSERT INTO station_links (station_id, transport, connected_at, alive_at,"
    " disconnected_at, close_code, close_reason) VALUES (?1, ?2, ?3, MAX (?3, IFNULL (?4, 0)),"
    " ?4, ?5, ?6)",
  [ST_LINKS_ALIVE] = "UPDATE station_links SET alive_at = ?1"
                     " WHERE disconnected_at IS NULL AND alive_at < ?1",
  [ST_LINKS_CLOSE_DANGLING] = "UPDATE station_links SET disconnected_at = alive_at,"
                              " close_code = 0, close_reason = ?1 WHERE disconnected_at IS NULL",
  [ST_LINKS_PRUNE] = "DELETE FROM station_links WHERE disconnected_at < ?1",
};

/* ---- SQLite plumbing ---- */

void
_tr_store_statement_release (sqlite3_stmt *stmt)
{
  if (stmt != NULL)
    sqlite3_reset (stmt);
}

gboolean
_tr_store_set_sqlite_error (TrStore *self, GError **error, const char *what)
{
  g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: %s: %s", self->path, what,
               sqlite3_errmsg (self->db));
  return FALSE;
}

sqlite3_stmt *
_tr_store_statement_get (TrStore *self, TrStoreStatementId id, GError **error)
{
  g_assert (id < N_STATEMENTS);

  if (self->statements[id] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, STATEMENT_SQL[id], -1, SQLITE_PREPARE_PERSISTENT,
                                   &self->statements[id], NULL);
      if (rc != SQLITE_OK)
        {
          _tr_store_set_sqlite_error (self, error, "preparing a statement");
          return NULL;
        }
    }
  return self->statements[id];
}

/* Steps a statement that returns no rows. */
gboolean
_tr_store_step_done (TrStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _tr_store_set_sqlite_error (self, error, what);
  return TRUE;
}

/* 1 for a row, 0 when done, -1 with @error. */
int
_tr_store_step_row (TrStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  _tr_store_set_sqlite_error (self, error, what);
  return -1;
}

gboolean
_tr_store_run_cached (TrStore *self, TrStoreStatementId id, const char *what, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, id, error);

  if (stmt == NULL)
    return FALSE;
  return _tr_store_step_done (self, stmt, what, error);
}

void
_tr_store_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  /* Every bound string outlives the step that reads it. */
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

const char *
_tr_store_column_text (sqlite3_stmt *stmt, int index)
{
  return (const char *)sqlite3_column_text (stmt, index);
}

/* ---- meta ---- */

gboolean
_tr_store_head_seq_read (TrStore *self, gint64 *out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_HEAD_SEQ, error);

  if (stmt == NULL || _tr_store_step_row (self, stmt, "reading the log head", error) != 1)
    return FALSE;
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

gboolean
_tr_store_meta_load (TrStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT key, value FROM meta", -1, &stmt, NULL) != SQLITE_OK)
    return _tr_store_set_sqlite_error (self, error, "reading meta");

  while ((rc = _tr_store_step_row (self, stmt, "reading meta", error)) == 1)
    {
      const char *key = _tr_store_column_text (stmt, 0);
      const char *value = _tr_store_column_text (stmt, 1);

      if (g_strcmp0 (key, "db_id") == 0)
        {
          g_free (self->db_id);
          self->db_id = g_strdup (value);
        }
      else if (g_strcmp0 (key, "host_id") == 0)
        {
          g_free (self->host_id);
          self->host_id = g_strdup (value);
        }
      else if (g_strcmp0 (key, "business_day") == 0)
        {
          g_free (self->business_day);
          self->business_day = g_strdup (value);
        }
      else if (g_strcmp0 (key, "station_token") == 0)
        {
          g_free (self->station_token);
          self->station_token = g_strdup (value);
        }
      else if (g_strcmp0 (key, "station_token_host_id") == 0)
        {
          g_free (self->station_token_host_id);
          self->station_token_host_id = g_strdup (value);
        }
      else if (g_strcmp0 (key, "host_fingerprint") == 0)
        {
          g_free (self->host_fingerprint);
          self->host_fingerprint = g_strdup (value);
        }
      else if (g_strcmp0 (key, "last_op_id") == 0)
        {
          g_free (self->last_op_id);
          self->last_op_id = g_strdup (value);
        }
      else if (g_strcmp0 (key, "last_seq") == 0)
        self->last_seq = sqlite3_column_int64 (stmt, 1);
      else if (g_strcmp0 (key, "next_number") == 0)
        self->next_number = sqlite3_column_int64 (stmt, 1);
    }

  /* The statement was prepared for this call only. */
  sqlite3_finalize (g_steal_pointer (&stmt));
  if (rc != 0)
    return FALSE;

  return _tr_store_head_seq_read (self, &self->head_seq, error);
}

gboolean
_tr_store_meta_set_text (TrStore *self, const char *key, const char *value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_META_SET, error);

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, key);
  _tr_store_bind_text (stmt, 2, value);
  return _tr_store_step_done (self, stmt, "writing meta", error);
}

gboolean
_tr_store_meta_set_int (TrStore *self, const char *key, gint64 value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_META_SET, error);

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, key);
  /* The column's TEXT affinity stores it as text. */
  sqlite3_bind_int64 (stmt, 2, value);
  return _tr_store_step_done (self, stmt, "writing meta", error);
}

gboolean
_tr_store_meta_get_int (TrStore *self, const char *key, gint64 *out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_META_GET, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, key);
  rc = _tr_store_step_row (self, stmt, "reading meta", error);
  if (rc < 0)
    return FALSE;
  *out = rc == 1 ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

/* ---- transactions ---- */

gboolean
_tr_store_begin_write (TrStore *self, GError **error)
{
  if (self->readonly)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: opened read-only; its writer is the host",
                   self->path);
      return FALSE;
    }
  if (!_tr_store_run_cached (self, ST_BEGIN_WRITE, "starting a transaction", error))
    return FALSE;

  g_free (self->saved.host_id);
  self->saved.host_id = g_strdup (self->host_id);
  self->saved.last_seq = self->last_seq;
  g_free (self->saved.last_op_id);
  self->saved.last_op_id = g_strdup (self->last_op_id);
  self->saved.head_seq = self->head_seq;
  g_free (self->saved.business_day);
  self->saved.business_day = g_strdup (self->business_day);
  self->saved.next_number = self->next_number;
  return TRUE;
}

/* Undoes the open write transaction, if any, and everything mirrored
 * from it: the mirror goes back to what _tr_store_begin_write() saved. */
void
_tr_store_rollback (TrStore *self)
{
  g_autoptr (GError) local_error = NULL;

  if (!sqlite3_get_autocommit (self->db))
    {
      /* A failed ROLLBACK still ends the transaction (SQLite rolls back
       * on its own after the errors that make ROLLBACK fail). */
      if (!_tr_store_run_cached (self, ST_ROLLBACK, "rolling back", &local_error))
        g_debug ("%s", local_error->message);
      g_clear_error (&local_error);
    }

  g_hash_table_remove_all (self->cache);
  g_free (self->host_id);
  self->host_id = g_strdup (self->saved.host_id);
  self->last_seq = self->saved.last_seq;
  g_free (self->last_op_id);
  self->last_op_id = g_strdup (self->saved.last_op_id);
  self->head_seq = self->saved.head_seq;
  g_free (self->business_day);
  self->business_day = g_strdup (self->saved.business_day);
  self->next_number = self->saved.next_number;
}

gboolean
_tr_store_commit (TrStore *self, GError **error)
{
  if (!_tr_store_run_cached (self, ST_COMMIT, "committing", error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

/* Ends a read transaction; nothing to undo. */
void
_tr_store_end_read (TrStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    {
      g_autoptr (GError) local_error = NULL;

      if (!_tr_store_run_cached (self, ST_COMMIT, "ending a read", &local_error))
        {
          g_debug ("%s", local_error->message);
          g_clear_error (&local_error);
          _tr_store_run_cached (self, ST_ROLLBACK, "ending a read", NULL);
        }
    }
}
