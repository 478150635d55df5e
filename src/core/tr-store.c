/* tr-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"

/* Restaurants close after midnight: a ticket made at 01:30 belongs to the
 * previous evening's service, so the business day starts at 04:00. */
#define BUSINESS_DAY_OFFSET_SECONDS (4 * 3600)
#define FIRST_TICKET_NUMBER 1001
/* The WAL file is truncated back to this when it starts over. As large as
 * the WAL may grow (CHECKPOINT_LIMIT_PAGES), so that a commit overwrites
 * blocks the file already has: an fdatasync that also has to record a new
 * file size cost 0.43-0.50 ms here against 0.29-0.32 ms
 * (docs/performance.md). */
#define JOURNAL_SIZE_LIMIT (64 * 1024 * 1024)
#define BUSY_TIMEOUT_MS 5000
/* The WAL size (4 KiB pages) that wakes the checkpoint thread, SQLite's
 * own default; and the size at which a commit checkpoints inline because
 * the thread fell behind (tr-checkpointer.c). */
#define CHECKPOINT_PAGES 1000
#define CHECKPOINT_LIMIT_PAGES 16000
/* Decoded tickets kept in memory; a busy day stays well below this, and
 * past it the cache simply starts over. */
#define CACHE_MAX_TICKETS 8192

/* One entry per schema version: MIGRATIONS[v] turns version v into v + 1.
 * They run in one transaction with the application_id and user_version. */
static const char *const MIGRATIONS[TR_STORE_SCHEMA_VERSION] = {
  /* 0 → 1 */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ");"
  "CREATE TABLE tickets ("
  "  id TEXT PRIMARY KEY,"
  "  number INTEGER NOT NULL,"
  "  status TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  data TEXT NOT NULL," /* the visible ticket, canonical JSON */
  "  confirmed TEXT"      /* station: the host's ticket, NULL = local only; host: NULL */
  ");"
  /* (created_at, id) is the order list_tickets() returns. */
  "CREATE INDEX tickets_created_at ON tickets (created_at, id);"
  "CREATE TABLE items ("
  "  ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,"
  "  item_id TEXT NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  quantity INTEGER NOT NULL,"
  "  station TEXT,"
  "  status TEXT NOT NULL,"
  "  PRIMARY KEY (ticket_id, item_id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE events ("
  "  seq INTEGER PRIMARY KEY,"
  "  op_id TEXT NOT NULL UNIQUE,"
  "  kind TEXT NOT NULL,"
  "  ticket_id TEXT NOT NULL,"
  "  station_id TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  data TEXT NOT NULL"
  ");"
  "CREATE TABLE applied_ops ("
  "  op_id TEXT PRIMARY KEY,"
  "  result TEXT NOT NULL,"
  "  seq INTEGER,"
  "  error_code TEXT,"
  "  error_message TEXT,"
  "  at INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE outbox ("
  "  pos INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  op_id TEXT NOT NULL UNIQUE,"
  "  ticket_id TEXT NOT NULL,"
  "  data TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  /* A rebase reads the pending ops of one ticket. */
  "CREATE INDEX outbox_ticket ON outbox (ticket_id, pos);"
  "INSERT INTO meta (key, value) VALUES"
  "  ('db_id', lower (hex (randomblob (16)))),"
  "  ('host_id', ''),"
  "  ('last_seq', 0),"
  "  ('head_seq', 0),"
  "  ('business_day', ''),"
  "  ('next_number', 1001);",
  /* 1 → 2: pairing (docs/security.md). A host keeps its paired stations
   * with the SHA-256 of each station token, never the token, and the
   * pending pairing code's hash; a station keeps its own token in meta. */
  "CREATE TABLE paired_stations ("
  "  station_id TEXT PRIMARY KEY,"
  "  token_hash TEXT NOT NULL UNIQUE,"
  "  name TEXT,"
  "  role TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  last_seen INTEGER NOT NULL DEFAULT 0,"
  "  revoked_at INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"
  "CREATE TABLE pairing_codes ("
  "  code_hash TEXT PRIMARY KEY,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "INSERT INTO meta (key, value) VALUES"
  "  ('station_token', ''),"
  "  ('station_token_host_id', ''),"
  "  ('host_fingerprint', '');",
  /* 2 → 3: an applied op's event is its record, so applying one writes
   * one b-tree fewer (a random page per commit: docs/performance.md).
   * applied_ops keeps rejected ops, and applied ones whose event was
   * pruned; rows from before stay valid. op_results is the union. */
  "CREATE VIEW op_results AS"
  "  SELECT op_id, 'applied' AS result, seq, NULL AS error_code, NULL AS error_message, at"
  "  FROM events"
  "  UNION ALL"
  "  SELECT op_id, result, seq, error_code, error_message, at FROM applied_ops"
  "  WHERE result <> 'applied' OR NOT EXISTS (SELECT 1 FROM events WHERE events.seq = "
  "applied_ops.seq);",
};

typedef enum
{
  ST_BEGIN_WRITE,
  ST_BEGIN_READ,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_META_GET,
  ST_META_SET,
  ST_TICKET_DATA,
  ST_TICKET_CONFIRMED,
  ST_TICKET_UPSERT_VISIBLE,
  ST_TICKET_UPSERT_BOTH,
  ST_TICKET_UPDATE_VISIBLE,
  ST_TICKET_UPDATE_BOTH,
  ST_TICKET_DELETE,
  ST_TICKET_IDS,
  ST_TICKETS_ALL,
  ST_TICKETS_OPEN,
  ST_ITEM_UPSERT,
  ST_ITEM_DELETE,
  ST_EVENT_INSERT,
  ST_EVENTS_AFTER,
  ST_EVENTS_TAIL,
  ST_EVENTS_PRUNE,
  ST_HEAD_SEQ,
  ST_APPLIED_GET,
  ST_APPLIED_INSERT,
  ST_EVENT_SEQ_OF_OP,
  ST_APPLIED_FROM_EVENTS,
  ST_OUTBOX_INSERT,
  ST_OUTBOX_TICKET_OF,
  ST_OUTBOX_DELETE,
  ST_OUTBOX_FOR_TICKET,
  ST_OUTBOX_ALL,
  ST_OUTBOX_COUNT,
  ST_CODES_CLEAR,
  ST_CODE_INSERT,
  ST_CODE_GET,
  ST_CODE_DELETE,
  ST_PAIRED_UPSERT,
  ST_PAIRED_BY_TOKEN,
  ST_PAIRED_REVOKE,
  ST_PAIRED_ALL,
  ST_PAIRED_TOUCH,
  N_STATEMENTS
} StatementId;

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
};

struct _TrStore
{
  GObject parent_instance;

  sqlite3 *db;
  char *path;
  TrStoreDurability durability;
  TrCheckpointer *checkpointer;
  sqlite3_stmt *statements[N_STATEMENTS];

  /* The meta table, mirrored; reloaded after every rollback. */
  char *db_id;
  char *host_id;
  gint64 last_seq;
  gint64 head_seq;
  char *business_day;
  gint64 next_number;
  /* Station side: the token from pairing, the host it is for, and the
   * host's pinned TLS fingerprint ("" when none). */
  char *station_token;
  char *station_token_host_id;
  char *host_fingerprint;

  /* Opened with tr_store_open_readonly(): another connection writes the
   * file, so nothing mirrored from it (the cache, head_seq) stays true. */
  gboolean readonly;

  /* id → TrTicket*: the visible ticket as stored in tickets.data, so that
   * an op does not re-parse JSON. Written only together with the row and
   * dropped on rollback, so it never holds what the file does not. */
  GHashTable *cache;
};

G_DEFINE_FINAL_TYPE (TrStore, tr_store, G_TYPE_OBJECT)

enum
{
  TICKET_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The tickets whose visible state a transaction changed, in first-change
 * order; announced after COMMIT. */
typedef struct
{
  GPtrArray *ids;
  GHashTable *seen;
} Changes;

static void
changes_init (Changes *changes)
{
  changes->ids = g_ptr_array_new_with_free_func (g_free);
  changes->seen = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
changes_clear (Changes *changes)
{
  g_clear_pointer (&changes->seen, g_hash_table_unref);
  g_clear_pointer (&changes->ids, g_ptr_array_unref);
}

static void
changes_add (Changes *changes, const char *ticket_id)
{
  char *id;

  if (g_hash_table_contains (changes->seen, ticket_id))
    return;
  id = g_strdup (ticket_id);
  g_ptr_array_add (changes->ids, id);
  g_hash_table_add (changes->seen, id);
}

static void
changes_emit (TrStore *self, Changes *changes)
{
  for (guint i = 0; i < changes->ids->len; i++)
    g_signal_emit (self, signals[TICKET_CHANGED], 0,
                   (const char *)g_ptr_array_index (changes->ids, i));
}

/* ---- SQLite plumbing ---- */

static void
statement_release (sqlite3_stmt *stmt)
{
  if (stmt != NULL)
    sqlite3_reset (stmt);
}

/* g_autoptr(sqlite3_stmt) resets a cached statement at scope exit; the
 * statement itself stays prepared. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, statement_release)

static gboolean
set_sqlite_error (TrStore *self, GError **error, const char *what)
{
  g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: %s: %s", self->path, what,
               sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
statement_get (TrStore *self, StatementId id, GError **error)
{
  g_assert (id < N_STATEMENTS);

  if (self->statements[id] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, STATEMENT_SQL[id], -1, SQLITE_PREPARE_PERSISTENT,
                                   &self->statements[id], NULL);
      if (rc != SQLITE_OK)
        {
          set_sqlite_error (self, error, "preparing a statement");
          return NULL;
        }
    }
  return self->statements[id];
}

/* Steps a statement that returns no rows. */
static gboolean
step_done (TrStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error, what);
  return TRUE;
}

/* 1 for a row, 0 when done, -1 with @error. */
static int
step_row (TrStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  set_sqlite_error (self, error, what);
  return -1;
}

static gboolean
run_cached (TrStore *self, StatementId id, const char *what, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, id, error);

  if (stmt == NULL)
    return FALSE;
  return step_done (self, stmt, what, error);
}

static void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  /* Every bound string outlives the step that reads it. */
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

static const char *
column_text (sqlite3_stmt *stmt, int index)
{
  return (const char *)sqlite3_column_text (stmt, index);
}

/* ---- meta ---- */

static gboolean
head_seq_read (TrStore *self, gint64 *out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_HEAD_SEQ, error);

  if (stmt == NULL || step_row (self, stmt, "reading the log head", error) != 1)
    return FALSE;
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
meta_load (TrStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT key, value FROM meta", -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, "reading meta");

  while ((rc = step_row (self, stmt, "reading meta", error)) == 1)
    {
      const char *key = column_text (stmt, 0);
      const char *value = column_text (stmt, 1);

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
      else if (g_strcmp0 (key, "last_seq") == 0)
        self->last_seq = sqlite3_column_int64 (stmt, 1);
      else if (g_strcmp0 (key, "next_number") == 0)
        self->next_number = sqlite3_column_int64 (stmt, 1);
    }

  /* The statement was prepared for this call only. */
  sqlite3_finalize (g_steal_pointer (&stmt));
  if (rc != 0)
    return FALSE;

  return head_seq_read (self, &self->head_seq, error);
}

static gboolean
meta_set_text (TrStore *self, const char *key, const char *value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_META_SET, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  return step_done (self, stmt, "writing meta", error);
}

static gboolean
meta_set_int (TrStore *self, const char *key, gint64 value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_META_SET, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  /* The column's TEXT affinity stores it as text. */
  sqlite3_bind_int64 (stmt, 2, value);
  return step_done (self, stmt, "writing meta", error);
}

static gboolean
meta_get_int (TrStore *self, const char *key, gint64 *out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_META_GET, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  rc = step_row (self, stmt, "reading meta", error);
  if (rc < 0)
    return FALSE;
  *out = rc == 1 ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

/* ---- transactions ---- */

static gboolean
begin_write (TrStore *self, GError **error)
{
  if (self->readonly)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: opened read-only; its writer is the host",
                   self->path);
      return FALSE;
    }
  return run_cached (self, ST_BEGIN_WRITE, "starting a transaction", error);
}

/* Undoes the open transaction, if any, and everything mirrored from it. */
static void
rollback (TrStore *self)
{
  g_autoptr (GError) local_error = NULL;

  if (!sqlite3_get_autocommit (self->db))
    {
      /* A failed ROLLBACK still ends the transaction (SQLite rolls back
       * on its own after the errors that make ROLLBACK fail). */
      if (!run_cached (self, ST_ROLLBACK, "rolling back", &local_error))
        g_debug ("%s", local_error->message);
      g_clear_error (&local_error);
    }

  g_hash_table_remove_all (self->cache);
  if (!meta_load (self, &local_error))
    g_debug ("%s", local_error->message);
}

static gboolean
commit (TrStore *self, GError **error)
{
  if (!run_cached (self, ST_COMMIT, "committing", error))
    {
      rollback (self);
      return FALSE;
    }
  return TRUE;
}

/* Ends a read transaction; nothing to undo. */
static void
end_read (TrStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    {
      g_autoptr (GError) local_error = NULL;

      if (!run_cached (self, ST_COMMIT, "ending a read", &local_error))
        {
          g_debug ("%s", local_error->message);
          g_clear_error (&local_error);
          run_cached (self, ST_ROLLBACK, "ending a read", NULL);
        }
    }
}

/* ---- tickets ---- */

static TrTicket *
decode_ticket (TrStore *self, const char *ticket_id, const char *json, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  TrTicket *ticket = tr_ticket_from_string (json, -1, &local_error);

  if (ticket == NULL)
    g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
                 "%s: ticket %s: stored JSON is invalid (%s)", self->path, ticket_id,
                 local_error->message);
  return ticket;
}

static void
cache_put (TrStore *self, const char *ticket_id, TrTicket *ticket)
{
  if (g_hash_table_size (self->cache) >= CACHE_MAX_TICKETS
      && !g_hash_table_contains (self->cache, ticket_id))
    g_hash_table_remove_all (self->cache);
  g_hash_table_replace (self->cache, g_strdup (ticket_id), ticket);
}

/* The visible ticket, borrowed from the cache (valid until the next write
 * of that ticket); NULL with @error unset when there is none. */
static const TrTicket *
load_visible (TrStore *self, const char *ticket_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TrTicket *ticket;
  int rc;

  if (ticket_id == NULL)
    return NULL;

  /* What another connection committed is not in the cache: read afresh
   * (the entry kept below lives until the next read). */
  if (self->readonly)
    g_hash_table_remove_all (self->cache);
  ticket = g_hash_table_lookup (self->cache, ticket_id);
  if (ticket != NULL)
    return ticket;

  stmt = statement_get (self, ST_TICKET_DATA, error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, ticket_id);
  rc = step_row (self, stmt, "reading a ticket", error);
  if (rc <= 0)
    return NULL;

  ticket = decode_ticket (self, ticket_id, column_text (stmt, 0), error);
  if (ticket == NULL)
    return NULL;
  cache_put (self, ticket_id, ticket);
  return ticket;
}

/* The host's version of a ticket on a station (a new TrTicket, or NULL). */
static TrTicket *
load_confirmed (TrStore *self, const char *ticket_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_TICKET_CONFIRMED, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, ticket_id);
  rc = step_row (self, stmt, "reading a ticket", error);
  if (rc <= 0 || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return NULL;
  return decode_ticket (self, ticket_id, column_text (stmt, 0), error);
}

static gboolean
item_row_equal (const TrItem *a, guint a_position, const TrItem *b, guint b_position)
{
  return a_position == b_position && a->quantity == b->quantity && a->status == b->status
         && g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->station, b->station) == 0;
}

static int
find_item_position (const TrTicket *ticket, const char *item_id)
{
  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);

      if (g_strcmp0 (item->id, item_id) == 0)
        return (int)i;
    }
  return -1;
}

/* Brings the items rows of @ticket from @old to @ticket, touching only
 * the rows whose content differs. */
static gboolean
write_items (TrStore *self, const TrTicket *old, const TrTicket *ticket, GError **error)
{
  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);
      g_autoptr (sqlite3_stmt) stmt = NULL;

      if (old != NULL)
        {
          int old_position;

          /* Items keep their place, so look there first. */
          if (i < old->items->len
              && g_strcmp0 (((const TrItem *)g_ptr_array_index (old->items, i))->id, item->id) == 0)
            old_position = (int)i;
          else
            old_position = find_item_position (old, item->id);

          if (old_position >= 0
              && item_row_equal (g_ptr_array_index (old->items, old_position), old_position, item,
                                 i))
            continue;
        }

      stmt = statement_get (self, ST_ITEM_UPSERT, error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, ticket->id);
      bind_text (stmt, 2, item->id);
      sqlite3_bind_int (stmt, 3, (int)i);
      bind_text (stmt, 4, item->name);
      sqlite3_bind_int (stmt, 5, item->quantity);
      bind_text (stmt, 6, item->station);
      bind_text (stmt, 7, tr_item_status_to_string (item->status));
      if (!step_done (self, stmt, "writing an item", error))
        return FALSE;
    }

  if (old == NULL)
    return TRUE;

  /* Items vanish only when a rebase drops a local amendment. */
  for (guint i = 0; i < old->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (old->items, i);
      g_autoptr (sqlite3_stmt) stmt = NULL;

      if (find_item_position (ticket, item->id) >= 0)
        continue;

      stmt = statement_get (self, ST_ITEM_DELETE, error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, ticket->id);
      bind_text (stmt, 2, item->id);
      if (!step_done (self, stmt, "deleting an item", error))
        return FALSE;
    }
  return TRUE;
}

typedef enum
{
  CONFIRMED_KEEP, /* leave tickets.confirmed as it is (NULL for a new row) */
  CONFIRMED_SET,  /* set it to the given JSON, possibly NULL */
} ConfirmedMode;

/* Makes @ticket (NULL: none) the visible state of @ticket_id. @old is the
 * current visible ticket (borrowed from the cache, so it is only used
 * before the cache is updated). @ticket_json, when given, is @ticket's
 * canonical JSON. Takes @ticket. */
static gboolean
write_ticket (TrStore *self, const char *ticket_id, const TrTicket *old, TrTicket *ticket,
              const char *ticket_json, ConfirmedMode confirmed_mode, const char *confirmed_json,
              Changes *changes, GError **error)
{
  g_autoptr (TrTicket) owned = ticket;
  g_autofree char *json = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (owned == NULL)
    {
      if (old == NULL)
        return TRUE;

      /* Its item rows go with it (ON DELETE CASCADE). */
      stmt = statement_get (self, ST_TICKET_DELETE, error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, ticket_id);
      if (!step_done (self, stmt, "deleting a ticket", error))
        return FALSE;
      g_hash_table_remove (self->cache, ticket_id);
      changes_add (changes, ticket_id);
      return TRUE;
    }

  g_assert (g_strcmp0 (owned->id, ticket_id) == 0);

  if (ticket_json == NULL)
    ticket_json = json = tr_ticket_to_string (owned);

  if (old != NULL && old->created_at == owned->created_at)
    stmt = statement_get (
      self, confirmed_mode == CONFIRMED_SET ? ST_TICKET_UPDATE_BOTH : ST_TICKET_UPDATE_VISIBLE,
      error);
  else
    stmt = statement_get (
      self, confirmed_mode == CONFIRMED_SET ? ST_TICKET_UPSERT_BOTH : ST_TICKET_UPSERT_VISIBLE,
      error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, owned->id);
  sqlite3_bind_int (stmt, 2, owned->number);
  bind_text (stmt, 3, tr_ticket_status_to_string (owned->status));
  sqlite3_bind_int64 (stmt, 4, owned->created_at);
  sqlite3_bind_int64 (stmt, 5, owned->updated_at);
  sqlite3_bind_int64 (stmt, 6, owned->version);
  bind_text (stmt, 7, ticket_json);
  if (confirmed_mode == CONFIRMED_SET)
    bind_text (stmt, 8, confirmed_json);
  if (!step_done (self, stmt, "writing a ticket", error))
    return FALSE;

  if (!write_items (self, old, owned, error))
    return FALSE;

  if (!tr_ticket_equal (old, owned))
    changes_add (changes, ticket_id);
  /* This frees @old when it was cached: nothing uses it past here. */
  cache_put (self, ticket_id, g_steal_pointer (&owned));
  return TRUE;
}

/* ---- station: outbox and rebase ---- */

static GPtrArray *
read_ops (TrStore *self, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  int rc;

  while ((rc = step_row (self, stmt, "reading the outbox", error)) == 1)
    {
      g_autoptr (GError) local_error = NULL;
      TrOp *op = tr_op_from_string (column_text (stmt, 0), -1, &local_error);

      if (op == NULL)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT, "%s: an outbox op is invalid (%s)",
                       self->path, local_error->message);
          return NULL;
        }
      g_ptr_array_add (ops, op);
    }
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&ops);
}

/* Recomputes the visible ticket as @confirmed (borrowed, NULL: none) plus
 * every pending outbox op for it, in outbox order, and stores it. An op
 * that no longer applies is skipped: the host will reject it too. Each op
 * is re-applied at its own time, so a rebase does not move timestamps. */
static gboolean
rebase_ticket (TrStore *self, const char *ticket_id, const TrTicket *confirmed,
               ConfirmedMode confirmed_mode, const char *confirmed_json, Changes *changes,
               GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GError) local_error = NULL;
  TrTicket *visible = NULL;
  const TrTicket *old;

  old = load_visible (self, ticket_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  stmt = statement_get (self, ST_OUTBOX_FOR_TICKET, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, ticket_id);
  ops = read_ops (self, stmt, error);
  if (ops == NULL)
    return FALSE;

  if (confirmed != NULL)
    visible = tr_ticket_copy (confirmed);

  for (guint i = 0; i < ops->len; i++)
    {
      const TrOp *op = g_ptr_array_index (ops, i);
      TrApplyContext ctx = { .seq = 0, .now = op->at, .number = 0 };
      g_autoptr (TrEvent) event = tr_op_apply (op, visible, &ctx, NULL);

      if (event == NULL || event->ticket == NULL)
        continue;
      g_clear_pointer (&visible, tr_ticket_free);
      visible = g_steal_pointer (&event->ticket);
    }

  /* Keep the confirmed JSON when visible is the same ticket. */
  return write_ticket (self, ticket_id, old, visible,
                       ops->len == 0 && confirmed_json != NULL ? confirmed_json : NULL,
                       confirmed_mode, confirmed_json, changes, error);
}

/* ---- GObject ---- */

static void
tr_store_finalize (GObject *object)
{
  TrStore *self = (TrStore *)object;

  g_clear_pointer (&self->checkpointer, tr_checkpointer_stop);
  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->db_id, g_free);
  g_clear_pointer (&self->host_id, g_free);
  g_clear_pointer (&self->business_day, g_free);
  g_clear_pointer (&self->station_token, g_free);
  g_clear_pointer (&self->station_token_host_id, g_free);
  g_clear_pointer (&self->host_fingerprint, g_free);

  G_OBJECT_CLASS (tr_store_parent_class)->finalize (object);
}

static void
tr_store_class_init (TrStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tr_store_finalize;

  /**
   * TrStore::ticket-changed:
   * @ticket_id: the ticket whose visible state changed
   *
   * Emitted after the commit that created, changed or removed it.
   */
  signals[TICKET_CHANGED]
    = g_signal_new ("ticket-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
tr_store_init (TrStore *self)
{
  self->cache
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)tr_ticket_free);
  self->db_id = g_strdup ("");
  self->host_id = g_strdup ("");
  self->business_day = g_strdup ("");
  self->station_token = g_strdup ("");
  self->station_token_host_id = g_strdup ("");
  self->host_fingerprint = g_strdup ("");
  self->next_number = FIRST_TICKET_NUMBER;
}

/* ---- opening ---- */

const char *
tr_apply_result_to_string (TrApplyResult result)
{
  switch (result)
    {
      case TR_APPLY_APPLIED:
        return "applied";
      case TR_APPLY_DUPLICATE:
        return "duplicate";
      case TR_APPLY_REJECTED:
        return "rejected";
      default:
        return NULL;
    }
}

void
tr_outcome_free (TrOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->op_id);
  g_clear_pointer (&outcome->event, tr_event_free);
  g_free (outcome->error_code);
  g_free (outcome->error_message);
  g_free (outcome);
}

char *
tr_store_default_dir (void)
{
  const char *dir = g_getenv ("TICKETRAIL_DATA_DIR");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  return g_build_filename (g_get_user_data_dir (), "ticketrail", NULL);
}

/* Runs a one-value pragma or query that only reads. */
static gboolean
query_int (sqlite3 *db, const char *sql, gint64 *out, int *out_rc)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  *out = 0;
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        {
          *out = 0;
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    rc = sqlite3_extended_errcode (db);
  sqlite3_finalize (stmt);
  *out_rc = rc;
  return rc == SQLITE_OK;
}

static gboolean
is_corruption (int rc)
{
  int primary = rc & 0xff;

  return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

static gboolean
fail_open (const char *path, sqlite3 *db, int rc, GError **error)
{
  if (is_corruption (rc))
    g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
                 "%s: not a Ticketrail database / database is corrupt (%s)", path,
                 sqlite3_errstr (rc));
  else
    g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: cannot open: %s", path,
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

/* Decides, reading only, whether @db is a Ticketrail database this build
 * can use: a new empty file or ours at a schema not newer than ours. */
static gboolean
check_file (const char *path, sqlite3 *db, gint64 *out_user_version, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 application_id = 0;
  gint64 user_version = 0;
  gint64 n_objects = 0;
  g_autofree char *check = NULL;
  int rc;

  if (!query_int (db, "PRAGMA application_id", &application_id, &rc)
      || !query_int (db, "PRAGMA user_version", &user_version, &rc)
      || !query_int (db, "SELECT COUNT(*) FROM sqlite_master", &n_objects, &rc))
    return fail_open (path, db, rc, error);

  rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          check = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    rc = sqlite3_extended_errcode (db);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return fail_open (path, db, rc, error);

  if (g_strcmp0 (check, "ok") != 0)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
                   "%s: not a Ticketrail database / database is corrupt (%s)", path,
                   check != NULL ? check : "quick_check returned nothing");
      return FALSE;
    }

  if (application_id == 0)
    {
      /* Zero is also what another application's database usually has. */
      if (n_objects > 0 || user_version != 0)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
                       "%s: not a Ticketrail database / database is corrupt "
                       "(it holds tables but no Ticketrail application id)",
                       path);
          return FALSE;
        }
    }
  else if (application_id != TR_STORE_APPLICATION_ID)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
                   "%s: not a Ticketrail database / database is corrupt "
                   "(application id 0x%08" G_GINT64_MODIFIER "x)",
                   path, application_id);
      return FALSE;
    }
  else if (user_version > TR_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE_TOO_NEW,
                   "%s: written by schema version %" G_GINT64_FORMAT
                   ", but this version of Ticketrail reads up to schema version %d",
                   path, user_version, TR_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  else if (user_version < 1)
    {
      g_set_error (
        error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
        "%s: not a Ticketrail database / database is corrupt (schema version %" G_GINT64_FORMAT ")",
        path, user_version);
      return FALSE;
    }

  *out_user_version = user_version;
  return TRUE;
}

static gboolean
exec (TrStore *self, const char *sql, GError **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: %s", self->path,
                   message != NULL ? message : sqlite3_errmsg (self->db));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
configure (TrStore *self, GError **error)
{
  g_autofree char *pragmas = NULL;
  gint64 foreign_keys = 0;
  int rc;
  sqlite3_stmt *stmt = NULL;
  gboolean wal;

  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    wal = g_ascii_strcasecmp ((const char *)sqlite3_column_text (stmt, 0), "wal") == 0;
  else
    wal = FALSE;
  sqlite3_finalize (stmt);
  if (!wal)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: cannot switch to WAL mode: %s", self->path,
                   sqlite3_errmsg (self->db));
      return FALSE;
    }

  pragmas = g_strdup_printf ("PRAGMA synchronous = %s;"
                             "PRAGMA foreign_keys = ON;"
                             "PRAGMA busy_timeout = %d;"
                             "PRAGMA journal_size_limit = %d;"
                             "PRAGMA temp_store = MEMORY;",
                             self->durability == TR_STORE_DURABILITY_FULL ? "FULL" : "NORMAL",
                             BUSY_TIMEOUT_MS, JOURNAL_SIZE_LIMIT);
  if (!exec (self, pragmas, error))
    return FALSE;

  /* A build without foreign keys would silently keep orphan item rows. */
  if (!query_int (self->db, "PRAGMA foreign_keys", &foreign_keys, &rc) || foreign_keys != 1)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: cannot enable foreign keys", self->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (TrStore *self, gint64 from_version, GError **error)
{
  g_autofree char *footer = NULL;
  gint64 version = 0;
  int rc;

  if (from_version >= TR_STORE_SCHEMA_VERSION)
    return TRUE;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* Another process may have created it while we waited for the lock. */
  if (!query_int (self->db, "PRAGMA user_version", &version, &rc))
    {
      fail_open (self->path, self->db, rc, error);
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }

  for (gint64 v = version; v < TR_STORE_SCHEMA_VERSION; v++)
    if (!exec (self, MIGRATIONS[v], error))
      {
        g_prefix_error (error, "migrating to schema version %" G_GINT64_FORMAT ": ", v + 1);
        exec (self, "ROLLBACK", NULL);
        return FALSE;
      }

  footer = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d; COMMIT;",
                            TR_STORE_APPLICATION_ID, TR_STORE_SCHEMA_VERSION);
  if (!exec (self, footer, error))
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

TrStore *
tr_store_open (const char *path, TrStoreDurability durability, GError **error)
{
  g_autoptr (TrStore) self = NULL;
  g_autofree char *dir = NULL;
  gint64 user_version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: cannot create the folder: %s", dir,
                   g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (TR_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->durability = durability;

  /* One thread owns a store, so SQLite's own mutexes are dead weight. */
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      fail_open (path, self->db, rc, error);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);

  /* Nothing below writes until the file has been judged; if it is not
   * ours, close without the checkpoint a last connection would run. */
  if (!check_file (path, self->db, &user_version, error))
    {
      sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
      return NULL;
    }

  if (!configure (self, error) || !migrate (self, user_version, error) || !meta_load (self, error))
    return NULL;

  {
    g_autoptr (GError) local_error = NULL;

    self->checkpointer
      = tr_checkpointer_start (self->db, path, durability == TR_STORE_DURABILITY_FULL,
                               CHECKPOINT_PAGES, CHECKPOINT_LIMIT_PAGES, &local_error);
    if (self->checkpointer == NULL)
      g_debug ("checkpoints stay inline: %s", local_error->message);
  }

  return g_steal_pointer (&self);
}

TrStore *
tr_store_open_readonly (const char *path, GError **error)
{
  g_autoptr (TrStore) self = NULL;
  gint64 user_version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TR_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->readonly = TRUE;

  /* No CREATE: the writer made the file and its schema. In WAL mode a
   * reader sees each commit whole and never waits for the writer. */
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      fail_open (path, self->db, rc, error);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  if (!check_file (path, self->db, &user_version, error))
    return NULL;
  if (user_version < TR_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE,
                   "%s: schema version %" G_GINT64_FORMAT
                   " is not migrated yet; open it for writing first",
                   path, user_version);
      return NULL;
    }
  if (!meta_load (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

TrCheckpointer *
tr_store_get_checkpointer (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);

  return self->checkpointer;
}

const char *
tr_store_get_path (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return self->path;
}

const char *
tr_store_get_db_id (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return self->db_id;
}

sqlite3 *
tr_store_get_sqlite (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return self->db;
}

/* ---- host ---- */

gint64
tr_store_get_head_seq (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), 0);

  if (self->readonly)
    {
      g_autoptr (GError) error = NULL;
      gint64 head = 0;

      if (!head_seq_read (self, &head, &error))
        g_warning ("%s", error->message);
      return head;
    }
  return self->head_seq;
}

gint64
tr_store_get_tail_seq (TrStore *self)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) error = NULL;
  gint64 tail;

  g_return_val_if_fail (TR_IS_STORE (self), 0);

  tail = self->head_seq + 1;
  stmt = statement_get (self, ST_EVENTS_TAIL, &error);
  if (stmt != NULL && step_row (self, stmt, "reading the log", &error) == 1
      && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    tail = sqlite3_column_int64 (stmt, 0);
  if (error != NULL)
    g_warning ("%s", error->message);
  return tail;
}

/* The local date of @now_ms shifted back by the business-day offset. */
static char *
business_day_of (gint64 now_ms)
{
  g_autoptr (GDateTime) time
    = g_date_time_new_from_unix_local (now_ms / 1000 - BUSINESS_DAY_OFFSET_SECONDS);

  if (time == NULL)
    return g_strdup ("");
  return g_date_time_format (time, "%Y-%m-%d");
}

static gboolean
record_applied (TrStore *self, const char *op_id, TrApplyResult result, gint64 seq,
                const char *error_code, const char *error_message, gint64 at, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_APPLIED_INSERT, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, op_id);
  bind_text (stmt, 2, tr_apply_result_to_string (result));
  if (seq > 0)
    sqlite3_bind_int64 (stmt, 3, seq);
  else
    sqlite3_bind_null (stmt, 3);
  bind_text (stmt, 4, error_code);
  bind_text (stmt, 5, error_message);
  sqlite3_bind_int64 (stmt, 6, at);
  return step_done (self, stmt, "recording an op", error);
}

/* The outcome of an op_id seen before, or NULL (@error unset) if new.
 * A retry usually comes soon after, while its event is still in the log. */
static TrOutcome *
lookup_applied (TrStore *self, const char *op_id, GError **error)
{
  g_autoptr (sqlite3_stmt) event = statement_get (self, ST_EVENT_SEQ_OF_OP, error);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TrOutcome *outcome;
  int rc;

  if (event == NULL)
    return NULL;
  bind_text (event, 1, op_id);
  rc = step_row (self, event, "looking up an op", error);
  if (rc < 0)
    return NULL;
  if (rc > 0)
    {
      outcome = g_new0 (TrOutcome, 1);
      outcome->op_id = g_strdup (op_id);
      outcome->result = TR_APPLY_DUPLICATE;
      outcome->original = TR_APPLY_APPLIED;
      outcome->seq = sqlite3_column_int64 (event, 0);
      return outcome;
    }
  g_clear_pointer (&event, statement_release);

  stmt = statement_get (self, ST_APPLIED_GET, error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, op_id);
  rc = step_row (self, stmt, "looking up an op", error);
  if (rc <= 0)
    return NULL;

  outcome = g_new0 (TrOutcome, 1);
  outcome->op_id = g_strdup (op_id);
  outcome->result = TR_APPLY_DUPLICATE;
  outcome->original
    = g_strcmp0 (column_text (stmt, 0), "applied") == 0 ? TR_APPLY_APPLIED : TR_APPLY_REJECTED;
  outcome->seq = sqlite3_column_int64 (stmt, 1);
  outcome->error_code = g_strdup (column_text (stmt, 2));
  outcome->error_message = g_strdup (column_text (stmt, 3));
  return outcome;
}

static gboolean
insert_event (TrStore *self, const TrEvent *event, const char *event_json, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_EVENT_INSERT, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->seq);
  bind_text (stmt, 2, event->op_id);
  bind_text (stmt, 3, tr_event_kind_to_string (event->kind));
  bind_text (stmt, 4, event->ticket->id);
  bind_text (stmt, 5, event->station_id != NULL ? event->station_id : "");
  sqlite3_bind_int64 (stmt, 6, event->at);
  bind_text (stmt, 7, event_json);
  return step_done (self, stmt, "appending an event", error);
}

/* Encodes @event and its ticket, serializing the ticket only once: the
 * event is encoded without its ticket (a few bytes) and the ticket's JSON
 * is put where the codec writes "ticket":null. The codec writes "ticket"
 * last, compactly, so this gives the same bytes as tr_event_to_string();
 * should that ever change, the suffix check falls back to it. */
static void
encode_event (const TrEvent *event, char **out_event_json, char **out_ticket_json)
{
  static const char null_ticket[] = "\"ticket\":null}";
  TrEvent shell = *event;
  g_autofree char *head = NULL;
  char *ticket_json;
  gsize head_len;

  shell.ticket = NULL;
  head = tr_event_to_string (&shell);
  ticket_json = tr_ticket_to_string (event->ticket);
  head_len = strlen (head);

  if (head_len >= sizeof null_ticket - 1 && g_str_has_suffix (head, null_ticket))
    {
      gsize prefix_len = head_len - (sizeof null_ticket - 1) + strlen ("\"ticket\":");
      gsize ticket_len = strlen (ticket_json);
      char *json = g_malloc (prefix_len + ticket_len + 2);

      memcpy (json, head, prefix_len);
      memcpy (json + prefix_len, ticket_json, ticket_len);
      json[prefix_len + ticket_len] = '}';
      json[prefix_len + ticket_len + 1] = '\0';
      *out_event_json = json;
    }
  else
    {
      *out_event_json = tr_event_to_string (event);
    }
  *out_ticket_json = ticket_json;
}

typedef struct
{
  gboolean day_changed;
} Batch;

static TrOutcome *
apply_one (TrStore *self, const TrOp *op, Batch *batch, Changes *changes, GError **error)
{
  g_autoptr (GError) apply_error = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TrEvent) event = NULL;
  g_autofree char *event_json = NULL;
  g_autofree char *ticket_json = NULL;
  TrApplyContext ctx = {
    0,
  };
  const TrTicket *current;
  const char *ticket_id;
  TrOutcome *outcome;

  outcome = lookup_applied (self, op->op_id, &local_error);
  if (outcome != NULL)
    return outcome;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  ticket_id = op->ticket_id;
  if (ticket_id == NULL && op->ticket != NULL)
    ticket_id = op->ticket->id;
  current = load_visible (self, ticket_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  ctx.seq = self->head_seq + 1;
  ctx.now = tr_now_ms ();
  if (op->kind == TR_OP_CREATE_TICKET)
    {
      g_autofree char *day = business_day_of (ctx.now);

      if (g_strcmp0 (day, self->business_day) != 0)
        {
          g_free (self->business_day);
          self->business_day = g_steal_pointer (&day);
          self->next_number = FIRST_TICKET_NUMBER;
          batch->day_changed = TRUE;
        }
      ctx.number = (int)self->next_number;
    }

  outcome = g_new0 (TrOutcome, 1);
  outcome->op_id = g_strdup (op->op_id);

  event = tr_op_apply (op, current, &ctx, &apply_error);
  if (event == NULL || event->ticket == NULL)
    {
      if (apply_error == NULL)
        g_set_error (&apply_error, TR_ERROR, TR_ERROR_INVALID, "the op produced no ticket");
      outcome->result = TR_APPLY_REJECTED;
      outcome->original = TR_APPLY_REJECTED;
      outcome->error_code
        = g_strdup (apply_error->domain == TR_ERROR ? tr_error_code_to_string (apply_error->code)
                                                    : tr_error_code_to_string (TR_ERROR_INVALID));
      outcome->error_message = g_strdup (apply_error->message);
      if (!record_applied (self, op->op_id, TR_APPLY_REJECTED, 0, outcome->error_code,
                           outcome->error_message, ctx.now, error))
        g_clear_pointer (&outcome, tr_outcome_free);
      return outcome;
    }

  encode_event (event, &event_json, &ticket_json);
  /* The host's visible ticket is the confirmed one: tickets.confirmed
   * stays NULL there rather than holding a second copy. */
  /* The event (op_id UNIQUE) is the record of an applied op. */
  if (!write_ticket (self, event->ticket->id, current, tr_ticket_copy (event->ticket), ticket_json,
                     CONFIRMED_KEEP, NULL, changes, error)
      || !insert_event (self, event, event_json, error))
    {
      tr_outcome_free (outcome);
      return NULL;
    }

  self->head_seq = ctx.seq;
  if (op->kind == TR_OP_CREATE_TICKET)
    self->next_number++;

  outcome->result = TR_APPLY_APPLIED;
  outcome->original = TR_APPLY_APPLIED;
  outcome->seq = ctx.seq;
  outcome->event = g_steal_pointer (&event);
  return outcome;
}

static GPtrArray *
apply_ops (TrStore *self, const TrOp *const *ops, guint n_ops, GError **error)
{
  g_autoptr (GPtrArray) outcomes = g_ptr_array_new_full (n_ops, (GDestroyNotify)tr_outcome_free);
  Changes changes;
  Batch batch = { FALSE };
  gint64 number_before = self->next_number;

  if (!begin_write (self, error))
    return NULL;

  changes_init (&changes);
  for (guint i = 0; i < n_ops; i++)
    {
      TrOutcome *outcome = apply_one (self, ops[i], &batch, &changes, error);

      if (outcome == NULL)
        goto fail;
      g_ptr_array_add (outcomes, outcome);
    }

  if ((batch.day_changed || self->next_number != number_before)
      && !meta_set_int (self, "next_number", self->next_number, error))
    goto fail;
  if (batch.day_changed && !meta_set_text (self, "business_day", self->business_day, error))
    goto fail;

  if (!commit (self, error))
    {
      changes_clear (&changes);
      return NULL;
    }

  changes_emit (self, &changes);
  changes_clear (&changes);
  return g_steal_pointer (&outcomes);

fail:
  rollback (self);
  changes_clear (&changes);
  return NULL;
}

GPtrArray *
tr_store_apply_ops (TrStore *self, GPtrArray *ops, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (ops != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  for (guint i = 0; i < ops->len; i++)
    g_return_val_if_fail (ops->pdata[i] != NULL && ((TrOp *)ops->pdata[i])->op_id != NULL, NULL);

  return apply_ops (self, (const TrOp *const *)ops->pdata, ops->len, error);
}

TrOutcome *
tr_store_apply_op (TrStore *self, const TrOp *op, GError **error)
{
  g_autoptr (GPtrArray) outcomes = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (op != NULL && op->op_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  outcomes = apply_ops (self, &op, 1, error);
  if (outcomes == NULL)
    return NULL;
  return g_ptr_array_steal_index (outcomes, 0);
}

GPtrArray *
tr_store_read_events (TrStore *self, gint64 after_seq, guint limit, GError **error)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_event_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = statement_get (self, ST_EVENTS_AFTER, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_seq);
  sqlite3_bind_int64 (stmt, 2, limit == 0 ? -1 : (gint64)limit);

  while ((rc = step_row (self, stmt, "reading the log", error)) == 1)
    {
      g_autoptr (GError) local_error = NULL;
      TrEvent *event = tr_event_from_string (column_text (stmt, 1), -1, &local_error);

      if (event == NULL)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
                       "%s: event %" G_GINT64_FORMAT " is invalid (%s)", self->path,
                       (gint64)sqlite3_column_int64 (stmt, 0), local_error->message);
          return NULL;
        }
      g_ptr_array_add (events, event);
    }
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&events);
}

gboolean
tr_store_prune_events (TrStore *self, gint64 keep, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (keep >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_write (self, error))
    return FALSE;

  /* The head must outlive the events that carry it. */
  if (!meta_set_int (self, "head_seq", self->head_seq, error))
    goto fail;

  stmt = statement_get (self, ST_APPLIED_FROM_EVENTS, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, self->head_seq - keep);
  if (!step_done (self, stmt, "keeping the pruned op ids", error))
    goto fail;
  g_clear_pointer (&stmt, statement_release);

  stmt = statement_get (self, ST_EVENTS_PRUNE, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, self->head_seq - keep);
  if (!step_done (self, stmt, "pruning the log", error))
    goto fail;
  g_clear_pointer (&stmt, statement_release);

  return commit (self, error);

fail:
  g_clear_pointer (&stmt, statement_release);
  rollback (self);
  return FALSE;
}

/* ---- both sides ---- */

GPtrArray *
tr_store_list_tickets (TrStore *self, gboolean open_only, gint64 *out_seq, GError **error)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 head_seq = 0;
  gint64 last_seq = 0;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->readonly)
    g_hash_table_remove_all (self->cache);
  if (!run_cached (self, ST_BEGIN_READ, "starting a read", error))
    return NULL;

  if (out_seq != NULL
      && (!head_seq_read (self, &head_seq, error)
          || !meta_get_int (self, "last_seq", &last_seq, error)))
    goto fail;

  stmt = statement_get (self, open_only ? ST_TICKETS_OPEN : ST_TICKETS_ALL, error);
  if (stmt == NULL)
    goto fail;

  while ((rc = step_row (self, stmt, "listing tickets", error)) == 1)
    {
      const char *id = column_text (stmt, 0);
      const TrTicket *cached = g_hash_table_lookup (self->cache, id);
      TrTicket *ticket;

      if (cached != NULL)
        {
          ticket = tr_ticket_copy (cached);
        }
      else
        {
          ticket = decode_ticket (self, id, column_text (stmt, 1), error);
          if (ticket == NULL)
            goto fail;
          cache_put (self, id, tr_ticket_copy (ticket));
        }
      g_ptr_array_add (tickets, ticket);
    }
  if (rc < 0)
    goto fail;
  g_clear_pointer (&stmt, statement_release);
  end_read (self);

  /* A host has applied events; a station only follows them. */
  if (out_seq != NULL)
    *out_seq = head_seq > 0 ? head_seq : last_seq;
  return g_steal_pointer (&tickets);

fail:
  g_clear_pointer (&stmt, statement_release);
  end_read (self);
  return NULL;
}

TrTicket *
tr_store_get_ticket (TrStore *self, const char *ticket_id, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  const TrTicket *ticket;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (ticket_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ticket = load_visible (self, ticket_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return ticket != NULL ? tr_ticket_copy (ticket) : NULL;
}

/* ---- station ---- */

const char *
tr_store_get_host_id (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return self->host_id;
}

gint64
tr_store_get_last_seq (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), 0);
  return self->last_seq;
}

gboolean
tr_store_enqueue_op (TrStore *self, const TrOp *op, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TrEvent) event = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *op_json = NULL;
  TrApplyContext ctx = { .seq = 0, .now = 0, .number = 0 };
  const TrTicket *current;
  const char *ticket_id;
  Changes changes;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (op != NULL && op->op_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ticket_id = op->ticket_id;
  if (ticket_id == NULL && op->ticket != NULL)
    ticket_id = op->ticket->id;

  if (!begin_write (self, error))
    return FALSE;
  changes_init (&changes);

  current = load_visible (self, ticket_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto fail;
    }

  ctx.now = tr_now_ms ();
  event = tr_op_apply (op, current, &ctx, error);
  if (event == NULL)
    goto fail;
  if (event->ticket == NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "the op produced no ticket");
      goto fail;
    }

  ticket_id = event->ticket->id;
  if (!write_ticket (self, ticket_id, current, g_steal_pointer (&event->ticket), NULL,
                     CONFIRMED_KEEP, NULL, &changes, error))
    goto fail;

  op_json = tr_op_to_string (op);
  stmt = statement_get (self, ST_OUTBOX_INSERT, error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, op->op_id);
  bind_text (stmt, 2, ticket_id);
  bind_text (stmt, 3, op_json);
  sqlite3_bind_int64 (stmt, 4, ctx.now);
  if (!step_done (self, stmt, "writing the outbox", error))
    goto fail;
  g_clear_pointer (&stmt, statement_release);

  if (!commit (self, error))
    {
      changes_clear (&changes);
      return FALSE;
    }
  changes_emit (self, &changes);
  changes_clear (&changes);
  return TRUE;

fail:
  g_clear_pointer (&stmt, statement_release);
  rollback (self);
  changes_clear (&changes);
  return FALSE;
}

static gboolean
delete_outbox_op (TrStore *self, const char *op_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_OUTBOX_DELETE, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, op_id);
  return step_done (self, stmt, "clearing the outbox", error);
}

gboolean
tr_store_apply_events (TrStore *self, GPtrArray *events, GError **error)
{
  gint64 last_seq_before = self->last_seq;
  /* A reconnecting station receives thousands of events for a few dozen
   * tickets: rebasing once per ticket, on its newest confirmed state,
   * instead of once per event keeps catch-up linear in the events. */
  g_autoptr (GHashTable) latest = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) touched = g_ptr_array_new ();
  Changes changes;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_write (self, error))
    return FALSE;
  changes_init (&changes);

  for (guint i = 0; i < events->len; i++)
    {
      const TrEvent *event = g_ptr_array_index (events, i);

      if (event->seq <= self->last_seq)
        continue;
      if (event->seq != self->last_seq + 1)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL,
                       "event %" G_GINT64_FORMAT " follows %" G_GINT64_FORMAT
                       ": events are missing",
                       event->seq, self->last_seq);
          goto fail;
        }
      if (event->ticket == NULL || event->ticket->id == NULL)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL,
                       "event %" G_GINT64_FORMAT " carries no ticket", event->seq);
          goto fail;
        }

      if (event->op_id != NULL && !delete_outbox_op (self, event->op_id, error))
        goto fail;

      if (!g_hash_table_contains (latest, event->ticket->id))
        g_ptr_array_add (touched, event->ticket->id);
      g_hash_table_insert (latest, event->ticket->id, event->ticket);
      self->last_seq = event->seq;
    }

  for (guint i = 0; i < touched->len; i++)
    {
      const char *ticket_id = g_ptr_array_index (touched, i);
      const TrTicket *confirmed = g_hash_table_lookup (latest, ticket_id);
      g_autofree char *confirmed_json = tr_ticket_to_string (confirmed);

      if (!rebase_ticket (self, ticket_id, confirmed, CONFIRMED_SET, confirmed_json, &changes,
                          error))
        goto fail;
    }

  if (self->last_seq != last_seq_before && !meta_set_int (self, "last_seq", self->last_seq, error))
    goto fail;

  if (!commit (self, error))
    {
      changes_clear (&changes);
      return FALSE;
    }
  changes_emit (self, &changes);
  changes_clear (&changes);
  return TRUE;

fail:
  rollback (self);
  changes_clear (&changes);
  return FALSE;
}

gboolean
tr_store_apply_snapshot (TrStore *self, const char *host_id, gint64 seq, GPtrArray *tickets,
                         GError **error)
{
  g_autoptr (GHashTable) in_snapshot = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) stored_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  Changes changes;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (host_id != NULL, FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);
  g_return_val_if_fail (tickets != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);

      g_return_val_if_fail (ticket != NULL && ticket->id != NULL, FALSE);
      g_hash_table_add (in_snapshot, ticket->id);
    }

  if (!begin_write (self, error))
    return FALSE;
  changes_init (&changes);

  /* Collected first: the loop below deletes from the table it reads. */
  stmt = statement_get (self, ST_TICKET_IDS, error);
  if (stmt == NULL)
    goto fail;
  while ((rc = step_row (self, stmt, "listing tickets", error)) == 1)
    g_ptr_array_add (stored_ids, g_strdup (column_text (stmt, 0)));
  if (rc < 0)
    goto fail;
  g_clear_pointer (&stmt, statement_release);

  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);
      g_autofree char *confirmed_json = tr_ticket_to_string (ticket);

      if (!rebase_ticket (self, ticket->id, ticket, CONFIRMED_SET, confirmed_json, &changes, error))
        goto fail;
    }

  /* The host no longer has these: they survive only as pending local
   * ops (a create the host has not seen yet). */
  for (guint i = 0; i < stored_ids->len; i++)
    {
      const char *id = g_ptr_array_index (stored_ids, i);

      if (g_hash_table_contains (in_snapshot, id))
        continue;
      if (!rebase_ticket (self, id, NULL, CONFIRMED_SET, NULL, &changes, error))
        goto fail;
    }

  if (!meta_set_text (self, "host_id", host_id, error)
      || !meta_set_int (self, "last_seq", seq, error))
    goto fail;
  g_free (self->host_id);
  self->host_id = g_strdup (host_id);
  self->last_seq = seq;

  if (!commit (self, error))
    {
      changes_clear (&changes);
      return FALSE;
    }
  changes_emit (self, &changes);
  changes_clear (&changes);
  return TRUE;

fail:
  g_clear_pointer (&stmt, statement_release);
  rollback (self);
  changes_clear (&changes);
  return FALSE;
}

GPtrArray *
tr_store_outbox_list (TrStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = statement_get (self, ST_OUTBOX_ALL, error);
  if (stmt == NULL)
    return NULL;
  return read_ops (self, stmt, error);
}

guint
tr_store_outbox_count (TrStore *self)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) error = NULL;
  guint count = 0;

  g_return_val_if_fail (TR_IS_STORE (self), 0);

  stmt = statement_get (self, ST_OUTBOX_COUNT, &error);
  if (stmt != NULL && step_row (self, stmt, "counting the outbox", &error) == 1)
    count = (guint)sqlite3_column_int64 (stmt, 0);
  if (error != NULL)
    g_warning ("%s", error->message);
  return count;
}

gboolean
tr_store_outbox_remove (TrStore *self, const char *op_id, gboolean rejected, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (TrTicket) confirmed = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *ticket_id = NULL;
  Changes changes;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (op_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_write (self, error))
    return FALSE;
  changes_init (&changes);

  stmt = statement_get (self, ST_OUTBOX_TICKET_OF, error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, op_id);
  rc = step_row (self, stmt, "reading the outbox", error);
  if (rc < 0)
    goto fail;
  if (rc == 1)
    ticket_id = g_strdup (column_text (stmt, 0));
  g_clear_pointer (&stmt, statement_release);

  if (ticket_id != NULL)
    {
      if (!delete_outbox_op (self, op_id, error))
        goto fail;

      if (rejected)
        {
          confirmed = load_confirmed (self, ticket_id, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              goto fail;
            }
          if (!rebase_ticket (self, ticket_id, confirmed, CONFIRMED_KEEP, NULL, &changes, error))
            goto fail;
        }
    }

  if (!commit (self, error))
    {
      changes_clear (&changes);
      return FALSE;
    }
  changes_emit (self, &changes);
  changes_clear (&changes);
  return TRUE;

fail:
  g_clear_pointer (&stmt, statement_release);
  rollback (self);
  changes_clear (&changes);
  return FALSE;
}

gboolean
tr_store_checkpoint (TrStore *self, GError **error)
{
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* TRUNCATE also resets the WAL file to zero bytes; it needs no reader
   * in the way, which one-thread use guarantees for our own connection. */
  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  if (rc != SQLITE_OK)
    return set_sqlite_error (self, error, "checkpointing");
  return TRUE;
}

/* ---- pairing ---- */

void
tr_paired_station_free (TrPairedStation *station)
{
  if (station == NULL)
    return;
  g_free (station->station_id);
  g_free (station->name);
  g_free (station->role);
  g_free (station);
}

const char *
tr_pairing_status_to_string (TrPairingStatus status)
{
  switch (status)
    {
      case TR_PAIRING_OK:
        return "ok";
      case TR_PAIRING_UNKNOWN_CODE:
        return "unknown_code";
      case TR_PAIRING_EXPIRED_CODE:
        return "expired_code";
      default:
        return NULL;
    }
}

/* Codes are six digits, so a hash hides nothing from someone who can
 * read the file; it only keeps the code out of plain sight in backups
 * and sqlite3 sessions. What protects a code is its ten minutes and the
 * host's lockout. */
static char *
code_hash (const char *code)
{
  g_autofree char *input = g_strconcat ("ticketrail/pairing-code/", code, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
}

char *
tr_token_hash (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

gboolean
tr_store_add_pairing_code (TrStore *self, const char *code, gint64 now, gint64 expires_at,
                           GError **error)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hash = code_hash (code);
  if (!begin_write (self, error))
    return FALSE;
  /* One code at a time: every code alive is one more an attacker could
   * guess. */
  if (!run_cached (self, ST_CODES_CLEAR, "clearing pairing codes", error))
    goto fail;
  {
    g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_CODE_INSERT, error);

    if (stmt == NULL)
      goto fail;
    bind_text (stmt, 1, hash);
    sqlite3_bind_int64 (stmt, 2, now);
    sqlite3_bind_int64 (stmt, 3, expires_at);
    if (!step_done (self, stmt, "writing a pairing code", error))
      goto fail;
  }
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

gboolean
tr_store_redeem_pairing_code (TrStore *self, const char *code, gint64 now, const char *station_id,
                              const char *name, const char *role, const char *token_hash,
                              TrPairingStatus *out_status, GError **error)
{
  g_autofree char *hash = NULL;
  gint64 expires_at = 0;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (station_id != NULL, FALSE);
  g_return_val_if_fail (token_hash != NULL, FALSE);
  g_return_val_if_fail (out_status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hash = code_hash (code);
  if (!begin_write (self, error))
    return FALSE;
  {
    g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_CODE_GET, error);

    if (stmt == NULL)
      goto fail;
    bind_text (stmt, 1, hash);
    if ((rc = step_row (self, stmt, "reading pairing codes", error)) < 0)
      goto fail;
    if (rc == 1)
      expires_at = sqlite3_column_int64 (stmt, 0);
  }

  if (rc == 0)
    *out_status = TR_PAIRING_UNKNOWN_CODE;
  else if (now >= expires_at)
    *out_status = TR_PAIRING_EXPIRED_CODE;
  else
    {
      g_autoptr (sqlite3_stmt) del = NULL;
      g_autoptr (sqlite3_stmt) upsert = NULL;

      *out_status = TR_PAIRING_OK;
      /* Single use: the code goes in the transaction that uses it. */
      if (!(del = statement_get (self, ST_CODE_DELETE, error)))
        goto fail;
      bind_text (del, 1, hash);
      if (!step_done (self, del, "deleting a pairing code", error))
        goto fail;
      if (!(upsert = statement_get (self, ST_PAIRED_UPSERT, error)))
        goto fail;
      bind_text (upsert, 1, station_id);
      bind_text (upsert, 2, token_hash);
      bind_text (upsert, 3, name);
      bind_text (upsert, 4, role);
      sqlite3_bind_int64 (upsert, 5, now);
      if (!step_done (self, upsert, "recording a paired station", error))
        goto fail;
    }
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
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
tr_store_lookup_token (TrStore *self, const char *token_hash, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (token_hash != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = statement_get (self, ST_PAIRED_BY_TOKEN, error)))
    return NULL;
  bind_text (stmt, 1, token_hash);
  rc = step_row (self, stmt, "reading paired stations", error);
  return rc == 1 ? paired_station_from_row (stmt) : NULL;
}

gboolean
tr_store_revoke_station (TrStore *self, const char *station_id, gint64 now, gboolean *out_found,
                         GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (station_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = statement_get (self, ST_PAIRED_REVOKE, error)))
    return FALSE;
  bind_text (stmt, 1, station_id);
  sqlite3_bind_int64 (stmt, 2, now > 0 ? now : 1);
  if (!step_done (self, stmt, "revoking a station", error))
    return FALSE;
  if (out_found != NULL)
    *out_found = sqlite3_changes (self->db) > 0;
  return TRUE;
}

GPtrArray *
tr_store_list_paired_stations (TrStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = statement_get (self, ST_PAIRED_ALL, error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_paired_station_free);
  while ((rc = step_row (self, stmt, "reading paired stations", error)) == 1)
    g_ptr_array_add (list, paired_station_from_row (stmt));
  return rc == 0 ? g_steal_pointer (&list) : NULL;
}

gboolean
tr_store_touch_stations (TrStore *self, GHashTable *last_seen, GError **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (last_seen != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_hash_table_size (last_seen) == 0)
    return TRUE;
  if (!begin_write (self, error))
    return FALSE;
  g_hash_table_iter_init (&iter, last_seen);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr (sqlite3_stmt) stmt = statement_get (self, ST_PAIRED_TOUCH, error);

      if (stmt == NULL)
        goto fail;
      bind_text (stmt, 1, key);
      sqlite3_bind_int64 (stmt, 2, *(gint64 *)value);
      if (!step_done (self, stmt, "recording last-seen times", error))
        goto fail;
    }
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

const char *
tr_store_get_station_token (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return *self->station_token != '\0' ? self->station_token : NULL;
}

const char *
tr_store_get_station_token_host_id (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return *self->station_token_host_id != '\0' ? self->station_token_host_id : NULL;
}

const char *
tr_store_get_host_fingerprint (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return *self->host_fingerprint != '\0' ? self->host_fingerprint : NULL;
}

gboolean
tr_store_set_station_token (TrStore *self, const char *host_id, const char *token,
                            const char *fingerprint, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_write (self, error))
    return FALSE;
  if (!meta_set_text (self, "station_token", token ? token : "", error)
      || !meta_set_text (self, "station_token_host_id", host_id ? host_id : "", error)
      || !meta_set_text (self, "host_fingerprint", fingerprint ? fingerprint : "", error)
      || !commit (self, error))
    {
      rollback (self);
      return FALSE;
    }
  g_free (self->station_token);
  self->station_token = g_strdup (token ? token : "");
  g_free (self->station_token_host_id);
  self->station_token_host_id = g_strdup (host_id ? host_id : "");
  g_free (self->host_fingerprint);
  self->host_fingerprint = g_strdup (fingerprint ? fingerprint : "");
  return TRUE;
}

/* ---- The menu ---- */

char *
tr_store_get_menu (TrStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  char *menu = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = statement_get (self, ST_META_GET, error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, "menu");
  rc = step_row (self, stmt, "reading the menu", error);
  if (rc == 1 && column_text (stmt, 0) != NULL && *column_text (stmt, 0) != '\0')
    menu = g_strdup (column_text (stmt, 0));
  return menu;
}

gboolean
tr_store_set_menu (TrStore *self, const char *menu_json, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_write (self, error))
    return FALSE;
  if (!meta_set_text (self, "menu", menu_json ? menu_json : "", error) || !commit (self, error))
    {
      rollback (self);
      return FALSE;
    }
  return TRUE;
}
