/* tr-store.c: opening a store (file checks, pragmas, schema and
 * migrations), its GObject and signal, the checkpoint and the menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tr-error.h"

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
  /* 3 → 4: speed of service (tr-service-stats.h). A few integers per
   * ticket and per item, written with the event that changes them and
   * kept 90 days whatever happens to the log; the tickets from before
   * have no row, their times being unknown. */
  "CREATE TABLE ticket_timings ("
  "  ticket_id TEXT PRIMARY KEY,"
  "  number INTEGER NOT NULL,"
  "  table_name TEXT,"
  "  order_type TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  started_at INTEGER NOT NULL,"
  "  ready_at INTEGER NOT NULL,"
  "  served_at INTEGER NOT NULL,"
  "  cancelled_at INTEGER NOT NULL,"
  "  recalls INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  /* Every read is a range of created_at, and so is the pruning. */
  "CREATE INDEX ticket_timings_created_at ON ticket_timings (created_at);"
  "CREATE TABLE item_timings ("
  "  ticket_id TEXT NOT NULL,"
  "  item_id TEXT NOT NULL,"
  "  station TEXT,"
  "  added_at INTEGER NOT NULL,"
  "  ready_at INTEGER NOT NULL,"
  "  voided INTEGER NOT NULL,"
  "  PRIMARY KEY (ticket_id, item_id)"
  ") WITHOUT ROWID;",
  /* 4 → 5: connection history (tr-link-history.h). One row per link,
   * written when a station connects and when it goes; alive_at moves
   * every minute while it is up, so a host that died closes its links
   * at restart no later than it last knew them alive. Kept 30 days. */
  "CREATE TABLE station_links ("
  "  id INTEGER PRIMARY KEY,"
  "  station_id TEXT NOT NULL,"
  "  transport TEXT NOT NULL,"
  "  connected_at INTEGER NOT NULL,"
  "  alive_at INTEGER NOT NULL,"
  "  disconnected_at INTEGER," /* NULL: up when last written */
  "  close_code INTEGER NOT NULL DEFAULT 0,"
  "  close_reason TEXT"
  ");"
  "CREATE INDEX station_links_by_station ON station_links (station_id, connected_at);"
  "CREATE INDEX station_links_disconnected_at ON station_links (disconnected_at);",
  /* 5 → 6: kitchen printers (tr-printer.h, docs/printing.md). cursor_seq
   * is the last event whose slips the printer has printed or needs not
   * print; the journal says which slip each printer took, once, so a
   * restart never prints one twice. data is the ticket as printed: the
   * "before" of the next AMENDED slip. A reprint waits with printed_at
   * NULL until the printer takes it. */
  "CREATE TABLE printers ("
  "  name TEXT PRIMARY KEY,"
  "  address TEXT NOT NULL,"
  "  columns INTEGER NOT NULL,"
  "  routes TEXT NOT NULL," /* JSON array of strings; [] = every route */
  "  mode TEXT NOT NULL,"
  "  grace_seconds INTEGER NOT NULL,"
  "  cursor_seq INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE print_journal ("
  "  id INTEGER PRIMARY KEY,"
  "  printer TEXT NOT NULL,"
  "  ticket_id TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  kind TEXT NOT NULL," /* ticket, amendment, ready-chit, reprint */
  "  route TEXT NOT NULL," /* '' = every route */
  "  seq INTEGER NOT NULL," /* the event that asked for it; 0 for a reprint */
  "  queued_at INTEGER NOT NULL,"
  "  printed_at INTEGER,"
  "  data TEXT"
  ");"
  "CREATE UNIQUE INDEX print_journal_once ON print_journal"
  "  (printer, ticket_id, version, kind, route) WHERE kind <> 'reprint';"
  "CREATE INDEX print_journal_waiting ON print_journal (printer, id) WHERE printed_at IS NULL;",
};

G_DEFINE_FINAL_TYPE (TrStore, tr_store, G_TYPE_OBJECT)

enum
{
  TICKET_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
_tr_store_changes_init (TrStoreChanges *changes)
{
  changes->ids = g_ptr_array_new_with_free_func (g_free);
  changes->seen = g_hash_table_new (g_str_hash, g_str_equal);
}

void
_tr_store_changes_clear (TrStoreChanges *changes)
{
  g_clear_pointer (&changes->seen, g_hash_table_unref);
  g_clear_pointer (&changes->ids, g_ptr_array_unref);
}

void
_tr_store_changes_add (TrStoreChanges *changes, const char *ticket_id)
{
  char *id;

  if (g_hash_table_contains (changes->seen, ticket_id))
    return;
  id = g_strdup (ticket_id);
  g_ptr_array_add (changes->ids, id);
  g_hash_table_add (changes->seen, id);
}

void
_tr_store_changes_emit (TrStore *self, TrStoreChanges *changes)
{
  for (guint i = 0; i < changes->ids->len; i++)
    g_signal_emit (self, signals[TICKET_CHANGED], 0,
                   (const char *)g_ptr_array_index (changes->ids, i));
}

gboolean
_tr_store_commit_and_emit (TrStore *self, TrStoreChanges *changes, GError **error)
{
  gboolean committed = _tr_store_commit (self, error);

  /* Nothing is announced that the disk does not hold. */
  if (committed)
    _tr_store_changes_emit (self, changes);
  _tr_store_changes_clear (changes);
  return committed;
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
  g_clear_pointer (&self->saved.host_id, g_free);
  g_clear_pointer (&self->last_op_id, g_free);
  g_clear_pointer (&self->saved.last_op_id, g_free);
  g_clear_pointer (&self->saved.business_day, g_free);
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
  self->saved.host_id = g_strdup ("");
  self->last_op_id = g_strdup ("");
  self->saved.last_op_id = g_strdup ("");
  self->saved.business_day = g_strdup ("");
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

  if (!configure (self, error) || !migrate (self, user_version, error)
      || !_tr_store_meta_load (self, error))
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
  if (!_tr_store_meta_load (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

TrCheckpointer *
tr_store_get_checkpointer (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);

  return self->checkpointer;
}

void
tr_store_set_clock (TrStore *self, TrStoreClock clock, gpointer user_data)
{
  g_return_if_fail (TR_IS_STORE (self));

  self->clock = clock;
  self->clock_data = user_data;
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

gboolean
tr_store_checkpoint (TrStore *self, GError **error)
{
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* TRUNCATE also resets the WAL file to zero bytes; it needs no reader
   * in the way, which one-thread use guarantees for our own connection,
   * and no checkpoint of the background thread's running at the same
   * time (seen failing BUSY under load). */
  if (self->checkpointer != NULL)
    tr_checkpointer_hold (self->checkpointer);
  rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  if (self->checkpointer != NULL)
    tr_checkpointer_release (self->checkpointer);
  if (rc != SQLITE_OK)
    return _tr_store_set_sqlite_error (self, error, "checkpointing");
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

  stmt = _tr_store_statement_get (self, ST_META_GET, error);
  if (stmt == NULL)
    return NULL;
  _tr_store_bind_text (stmt, 1, "menu");
  rc = _tr_store_step_row (self, stmt, "reading the menu", error);
  if (rc == 1 && _tr_store_column_text (stmt, 0) != NULL
      && *_tr_store_column_text (stmt, 0) != '\0')
    menu = g_strdup (_tr_store_column_text (stmt, 0));
  return menu;
}

gboolean
tr_store_set_menu (TrStore *self, const char *menu_json, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  if (!_tr_store_meta_set_text (self, "menu", menu_json ? menu_json : "", error)
      || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}
