/* tr-store-reader.c: a read-only connection to a host's database
 *
 * The SQL here reads the schema tr-store.c makes (TR_STORE_SCHEMA_VERSION;
 * a migration that changes these tables must change these statements
 * too, and opening checks the version). Statements are prepared once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store-reader.h"

#include <sqlite3.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-service-stats.h"

/* As the writer's: a reader waits only for the rare moments a WAL
 * restart holds the index, never for a commit. */
#define BUSY_TIMEOUT_MS 5000

typedef enum
{
  RS_BEGIN,
  RS_COMMIT,
  RS_HEAD_SEQ,
  RS_TAIL_SEQ,
  RS_EVENTS,
  RS_EVENT,
  RS_SNAPSHOT,
  RS_TICKET,
  RS_PAIRED_BY_TOKEN,
  RS_PAIRED_ALL,
  RS_TIMINGS,
  RS_ITEM_TIMINGS,
  RS_LINKS,
  N_READER_STATEMENTS
} ReaderStatement;

static const char *const READER_SQL[N_READER_STATEMENTS] = {
  [RS_BEGIN] = "BEGIN",
  [RS_COMMIT] = "COMMIT",
  [RS_HEAD_SEQ] = "SELECT MAX (IFNULL ((SELECT MAX (seq) FROM events), 0),"
                  " IFNULL ((SELECT CAST (value AS INTEGER) FROM meta WHERE key = 'head_seq'), 0))",
  [RS_TAIL_SEQ] = "SELECT MIN (seq) FROM events",
  [RS_EVENTS] = "SELECT seq, data FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
  [RS_EVENT] = "SELECT data FROM events WHERE seq = ?1",
  [RS_SNAPSHOT] = "SELECT data FROM tickets"
                  " WHERE status IN ('new', 'preparing', 'ready') OR updated_at >= ?1"
                  " ORDER BY created_at, id",
  [RS_TICKET] = "SELECT data FROM tickets WHERE id = ?1",
  [RS_PAIRED_BY_TOKEN] = "SELECT station_id, name, role, created_at, last_seen, revoked_at"
                         " FROM paired_stations WHERE token_hash = ?1",
  [RS_PAIRED_ALL] = "SELECT station_id, name, role, created_at, last_seen, revoked_at"
                    " FROM paired_stations ORDER BY created_at, station_id",
  [RS_TIMINGS] = "SELECT ticket_id, number, table_name, order_type, created_at, started_at,"
                 " ready_at, served_at, cancelled_at, recalls FROM ticket_timings"
                 " WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, ticket_id",
  [RS_ITEM_TIMINGS] = "SELECT i.ticket_id, i.item_id, i.station, i.added_at, i.ready_at, i.voided"
                      " FROM ticket_timings t JOIN item_timings i ON i.ticket_id = t.ticket_id"
                      " WHERE t.created_at >= ?1 AND t.created_at < ?2",
  /* The links that overlap [?1, ?2), and each station's last one before
   * ?1: the outage under way when the window opens. */
  [RS_LINKS] = "SELECT station_id, transport, connected_at, IFNULL (disconnected_at, 0),"
               " close_code, close_reason FROM station_links"
               " WHERE connected_at < ?2 AND (disconnected_at IS NULL OR disconnected_at >= ?1"
               "  OR id IN (SELECT id FROM station_links s WHERE s.disconnected_at < ?1"
               "   AND s.connected_at = (SELECT MAX (connected_at) FROM station_links t"
               "    WHERE t.station_id = s.station_id AND t.disconnected_at < ?1)))"
               " ORDER BY station_id, connected_at, id",
};

struct _TrStoreReader
{
  sqlite3 *db;
  char *path;
  sqlite3_stmt *statements[N_READER_STATEMENTS];
  gboolean in_read; /* between tr_store_reader_begin() and _end() */
};

static gboolean
fail (TrStoreReader *self, GError **error, const char *what)
{
  g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: %s: %s", self->path, what,
               sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
statement (TrStoreReader *self, ReaderStatement id, GError **error)
{
  if (self->statements[id] == NULL
      && sqlite3_prepare_v3 (self->db, READER_SQL[id], -1, SQLITE_PREPARE_PERSISTENT,
                             &self->statements[id], NULL)
           != SQLITE_OK)
    {
      fail (self, error, "preparing a read");
      return NULL;
    }
  return self->statements[id];
}

static void
release (sqlite3_stmt *stmt)
{
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, release)

static const char *
column_text (sqlite3_stmt *stmt, int column)
{
  return (const char *)sqlite3_column_text (stmt, column);
}

TrStoreReader *
tr_store_reader_open (const char *path, GError **error)
{
  g_autoptr (TrStoreReader) self = g_new0 (TrStoreReader, 1);
  sqlite3_stmt *stmt = NULL;
  gint64 version = -1;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self->path = g_strdup (path);
  /* One thread at a time: SQLite's mutexes are dead weight. */
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      fail (self, error, "opening for reading");
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (version != TR_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE,
                   "%s: schema version %" G_GINT64_FORMAT ", this reader reads %d", path, version,
                   TR_STORE_SCHEMA_VERSION);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
tr_store_reader_free (TrStoreReader *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < N_READER_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_free (self->path);
  g_free (self);
}

gboolean
tr_store_reader_begin (TrStoreReader *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->in_read, FALSE);

  if (!(stmt = statement (self, RS_BEGIN, error)))
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return fail (self, error, "starting a read");
  self->in_read = TRUE;
  return TRUE;
}

void
tr_store_reader_end (TrStoreReader *self)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_if_fail (self != NULL);

  self->in_read = FALSE;
  if (sqlite3_get_autocommit (self->db))
    return;
  stmt = statement (self, RS_COMMIT, NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
    g_debug ("%s: ending a read: %s", self->path, sqlite3_errmsg (self->db));
}

static gint64
read_int (TrStoreReader *self, ReaderStatement id, gint64 if_null, const char *what, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement (self, id, error);
  int rc;

  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      fail (self, error, what);
      return -1;
    }
  return sqlite3_column_type (stmt, 0) == SQLITE_NULL ? if_null : sqlite3_column_int64 (stmt, 0);
}

gint64
tr_store_reader_get_head_seq (TrStoreReader *self, GError **error)
{
  g_return_val_if_fail (self != NULL, -1);

  return read_int (self, RS_HEAD_SEQ, 0, "reading the log head", error);
}

gint64
tr_store_reader_get_tail_seq (TrStoreReader *self, GError **error)
{
  gint64 tail;
  gboolean own_read;

  g_return_val_if_fail (self != NULL, -1);

  /* Head and tail from one state of the file. */
  own_read = !self->in_read;
  if (own_read && !tr_store_reader_begin (self, error))
    return -1;
  tail = read_int (self, RS_TAIL_SEQ, 0, "reading the log tail", error);
  if (tail == 0)
    {
      gint64 head = tr_store_reader_get_head_seq (self, error);

      tail = head < 0 ? -1 : head + 1;
    }
  if (own_read)
    tr_store_reader_end (self);
  return tail;
}

gboolean
tr_store_reader_read_event_json (TrStoreReader *self, gint64 after_seq, gint64 last_seq,
                                 guint limit, GPtrArray *out_json, GArray *out_seqs, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_json != NULL && out_seqs != NULL, FALSE);

  if (!(stmt = statement (self, RS_EVENTS, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, after_seq);
  sqlite3_bind_int64 (stmt, 2, last_seq);
  sqlite3_bind_int64 (stmt, 3, limit == 0 ? -1 : (gint64)limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      g_ptr_array_add (out_json, g_strndup (column_text (stmt, 1), sqlite3_column_bytes (stmt, 1)));
      g_array_append_val (out_seqs, seq);
    }
  if (rc != SQLITE_DONE)
    return fail (self, error, "reading the log");
  return TRUE;
}

GPtrArray *
tr_store_reader_list_tickets (TrStoreReader *self, gint64 closed_since, gint64 *out_seq,
                              GError **error)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean own_read;
  gint64 head;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (out_seq != NULL, NULL);

  own_read = !self->in_read;
  if (own_read && !tr_store_reader_begin (self, error))
    return NULL;
  if ((head = tr_store_reader_get_head_seq (self, error)) < 0
      || !(stmt = statement (self, RS_SNAPSHOT, error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, closed_since);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (GError) local_error = NULL;
      TrTicket *ticket = tr_ticket_from_string (column_text (stmt, 0),
                                                sqlite3_column_bytes (stmt, 0), &local_error);

      if (ticket == NULL)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
                       "%s: a stored ticket is invalid (%s)", self->path, local_error->message);
          goto fail;
        }
      g_ptr_array_add (tickets, ticket);
    }
  if (rc != SQLITE_DONE)
    {
      fail (self, error, "listing tickets");
      goto fail;
    }
  g_clear_pointer (&stmt, release);
  if (own_read)
    tr_store_reader_end (self);
  *out_seq = head;
  return g_steal_pointer (&tickets);

fail:
  g_clear_pointer (&stmt, release);
  if (own_read)
    tr_store_reader_end (self);
  return NULL;
}

TrTicket *
tr_store_reader_get_ticket (TrStoreReader *self, const char *ticket_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ticket_id != NULL, NULL);

  if (!(stmt = statement (self, RS_TICKET, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, ticket_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      fail (self, error, "reading a ticket");
      return NULL;
    }
  return tr_ticket_from_string (column_text (stmt, 0), sqlite3_column_bytes (stmt, 0), error);
}

TrEvent *
tr_store_reader_get_event (TrStoreReader *self, gint64 seq, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);

  if (!(stmt = statement (self, RS_EVENT, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      fail (self, error, "reading an event");
      return NULL;
    }
  return tr_event_from_string (column_text (stmt, 0), sqlite3_column_bytes (stmt, 0), error);
}

static TrPairedStation *
paired_station_from_row (sqlite3_stmt *stmt)
{
  TrPairedStation *station = g_new0 (TrPairedStation, 1);

  station->station_id = g_strdup (column_text (stmt, 0));
  station->name = g_strdup (column_text (stmt, 1));
  station->role = g_strdup (column_text (stmt, 2));
  station->created_at = sqlite3_column_int64 (stmt, 3);
  station->last_seen = sqlite3_column_int64 (stmt, 4);
  station->revoked_at = sqlite3_column_int64 (stmt, 5);
  return station;
}

TrPairedStation *
tr_store_reader_lookup_token (TrStoreReader *self, const char *token_hash, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (token_hash != NULL, NULL);

  if (!(stmt = statement (self, RS_PAIRED_BY_TOKEN, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return paired_station_from_row (stmt);
  if (rc != SQLITE_DONE)
    fail (self, error, "reading paired stations");
  return NULL;
}

GPtrArray *
tr_store_reader_list_paired_stations (TrStoreReader *self, GError **error)
{
  g_autoptr (GPtrArray) list
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_paired_station_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);

  if (!(stmt = statement (self, RS_PAIRED_ALL, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, paired_station_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      fail (self, error, "listing paired stations");
      return NULL;
    }
  return g_steal_pointer (&list);
}

gboolean
tr_store_reader_list_timings (TrStoreReader *self, gint64 from, gint64 to, GPtrArray *out_tickets,
                              GPtrArray *out_items, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean own_read;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_tickets != NULL && out_items != NULL, FALSE);

  own_read = !self->in_read;
  if (own_read && !tr_store_reader_begin (self, error))
    return FALSE;
  if (!(stmt = statement (self, RS_TIMINGS, error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TrTicketTiming *timing = tr_ticket_timing_new ();
      TrOrderType order_type = TR_ORDER_TYPE_DINE_IN;

      timing->ticket_id = g_strdup (column_text (stmt, 0));
      timing->number = sqlite3_column_int (stmt, 1);
      timing->table = g_strdup (column_text (stmt, 2));
      tr_order_type_from_string (column_text (stmt, 3), &order_type);
      timing->order_type = order_type;
      timing->created_at = sqlite3_column_int64 (stmt, 4);
      timing->started_at = sqlite3_column_int64 (stmt, 5);
      timing->ready_at = sqlite3_column_int64 (stmt, 6);
      timing->served_at = sqlite3_column_int64 (stmt, 7);
      timing->cancelled_at = sqlite3_column_int64 (stmt, 8);
      timing->recalls = sqlite3_column_int (stmt, 9);
      g_ptr_array_add (out_tickets, timing);
    }
  if (rc != SQLITE_DONE)
    {
      fail (self, error, "reading the timings");
      goto fail;
    }
  g_clear_pointer (&stmt, release);

  if (!(stmt = statement (self, RS_ITEM_TIMINGS, error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TrItemTiming *timing = tr_item_timing_new ();

      timing->ticket_id = g_strdup (column_text (stmt, 0));
      timing->item_id = g_strdup (column_text (stmt, 1));
      timing->station = g_strdup (column_text (stmt, 2));
      timing->added_at = sqlite3_column_int64 (stmt, 3);
      timing->ready_at = sqlite3_column_int64 (stmt, 4);
      timing->voided = sqlite3_column_int (stmt, 5) != 0;
      g_ptr_array_add (out_items, timing);
    }
  if (rc != SQLITE_DONE)
    {
      fail (self, error, "reading the timings");
      goto fail;
    }
  g_clear_pointer (&stmt, release);
  if (own_read)
    tr_store_reader_end (self);
  return TRUE;

fail:
  g_clear_pointer (&stmt, release);
  if (own_read)
    tr_store_reader_end (self);
  return FALSE;
}

gboolean
tr_store_reader_list_links (TrStoreReader *self, gint64 from, gint64 to, GPtrArray *out_links,
                            GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_links != NULL, FALSE);

  if (!(stmt = statement (self, RS_LINKS, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TrLink *link = tr_link_new ();

      link->station_id = g_strdup (column_text (stmt, 0));
      link->transport = g_strdup (column_text (stmt, 1));
      link->connected_at = sqlite3_column_int64 (stmt, 2);
      link->disconnected_at = sqlite3_column_int64 (stmt, 3);
      link->close_code = sqlite3_column_int (stmt, 4);
      link->close_reason = g_strdup (column_text (stmt, 5));
      g_ptr_array_add (out_links, link);
    }
  if (rc != SQLITE_DONE)
    return fail (self, error, "reading the connection history");
  return TRUE;
}
