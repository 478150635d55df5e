/* tr-store-private.h: TrStore's insides, shared by the tr-store*.c files
 * (the struct, its cached statements, the _tr_store_* helpers); tests and
 * benches use only tr_store_get_sqlite() and tr_store_get_checkpointer()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "tr-checkpointer.h"
#include "tr-store.h"

G_BEGIN_DECLS

/* A clock in ms since the epoch (see tr_store_set_clock()). */
typedef gint64 (*TrStoreClock) (gpointer user_data);

/* Restaurants close after midnight: a ticket made at 01:30 belongs to the
 * previous evening's service, so the business day starts at 04:00. */
#define BUSINESS_DAY_OFFSET_SECONDS (4 * 3600)
#define FIRST_TICKET_NUMBER 1001

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
  ST_TICKETS_RECENT,
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
  ST_EVENT_OP_AT,
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
  ST_TIMING_GET,
  ST_TIMING_UPSERT,
  ST_ITEM_TIMING_GET,
  ST_ITEM_TIMING_UPSERT,
  ST_ITEM_TIMINGS_PRUNE,
  ST_TIMINGS_PRUNE,
  ST_LINK_CLOSE,
  ST_LINK_INSERT,
  ST_LINKS_ALIVE,
  ST_LINKS_CLOSE_DANGLING,
  ST_LINKS_PRUNE,
  N_STATEMENTS
} TrStoreStatementId;

struct _TrStore
{
  GObject parent_instance;

  sqlite3 *db;
  char *path;
  TrStoreDurability durability;
  TrCheckpointer *checkpointer;
  sqlite3_stmt *statements[N_STATEMENTS];

  /* The meta table, mirrored; read at open, and after a rollback put
   * back from saved (below), never read back from the file. */
  char *db_id;
  char *host_id;
  gint64 last_seq;
  char *last_op_id;
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

  /* The mirrored meta that write transactions change, as
   * _tr_store_begin_write() found it: what a rollback puts back. Under
   * EIO, reading meta back can fail too, and a head left past the log
   * would leave a hole in seq. */
  struct
  {
    char *host_id;
    gint64 last_seq;
    char *last_op_id;
    gint64 head_seq;
    char *business_day;
    gint64 next_number;
  } saved;

  /* tr_store_set_clock(); NULL: tr_now_ms(). */
  TrStoreClock clock;
  gpointer clock_data;
};

/* The tickets whose visible state a transaction changed, in first-change
 * order; announced after COMMIT. */
typedef struct
{
  GPtrArray *ids;
  GHashTable *seen;
} TrStoreChanges;

typedef enum
{
  CONFIRMED_KEEP, /* leave tickets.confirmed as it is (NULL for a new row) */
  CONFIRMED_SET,  /* set it to the given JSON, possibly NULL */
} TrStoreConfirmedMode;

/* "TRKT": PRAGMA application_id of every Ticketrail database. */
#define TR_STORE_APPLICATION_ID 0x54524B54

/* The store's own connection, so a test can check its per-connection
 * pragmas. Not for writing. */
sqlite3 *
tr_store_get_sqlite (TrStore *self);

/* The thread that checkpoints the WAL, or %NULL if it could not start
 * (then SQLite's automatic checkpoints run). */
TrCheckpointer *
tr_store_get_checkpointer (TrStore *self);

/* Sets the clock the host's ledger stamps and numbers ops with, so a
 * test can step it back across a business day. %NULL: tr_now_ms(). */
void
tr_store_set_clock (TrStore *self, TrStoreClock clock, gpointer user_data);

/* tr-store.c */

void
_tr_store_changes_init (TrStoreChanges *changes);

void
_tr_store_changes_clear (TrStoreChanges *changes);

void
_tr_store_changes_add (TrStoreChanges *changes, const char *ticket_id);

void
_tr_store_changes_emit (TrStore *self, TrStoreChanges *changes);
/* Commits the open transaction; on success emits ::ticket-changed for
 * @changes. Clears @changes either way. */
gboolean
_tr_store_commit_and_emit (TrStore *self, TrStoreChanges *changes, GError **error);

/* tr-store-statements.c */

void
_tr_store_statement_release (sqlite3_stmt *stmt);

gboolean
_tr_store_set_sqlite_error (TrStore *self, GError **error, const char *what);

/* Prepares @sql for one use (tr-store-printers.c); NULL with @error. */
sqlite3_stmt *
_tr_store_prepare_once (TrStore *self, const char *sql, GError **error);

sqlite3_stmt *
_tr_store_statement_get (TrStore *self, TrStoreStatementId id, GError **error);

gboolean
_tr_store_step_done (TrStore *self, sqlite3_stmt *stmt, const char *what, GError **error);

int
_tr_store_step_row (TrStore *self, sqlite3_stmt *stmt, const char *what, GError **error);

gboolean
_tr_store_run_cached (TrStore *self, TrStoreStatementId id, const char *what, GError **error);

void
_tr_store_bind_text (sqlite3_stmt *stmt, int index, const char *text);

const char *
_tr_store_column_text (sqlite3_stmt *stmt, int index);

gboolean
_tr_store_head_seq_read (TrStore *self, gint64 *out, GError **error);

gboolean
_tr_store_meta_load (TrStore *self, GError **error);

gboolean
_tr_store_meta_set_text (TrStore *self, const char *key, const char *value, GError **error);

gboolean
_tr_store_meta_set_int (TrStore *self, const char *key, gint64 value, GError **error);

gboolean
_tr_store_meta_get_int (TrStore *self, const char *key, gint64 *out, GError **error);

gboolean
_tr_store_begin_write (TrStore *self, GError **error);

void
_tr_store_rollback (TrStore *self);

gboolean
_tr_store_commit (TrStore *self, GError **error);

void
_tr_store_end_read (TrStore *self);

/* tr-store-tickets.c */

TrTicket *
_tr_store_decode_ticket (TrStore *self, const char *ticket_id, const char *json, GError **error);

void
_tr_store_cache_put (TrStore *self, const char *ticket_id, TrTicket *ticket);

const TrTicket *
_tr_store_load_visible (TrStore *self, const char *ticket_id, GError **error);

TrTicket *
_tr_store_load_confirmed (TrStore *self, const char *ticket_id, GError **error);

gboolean
_tr_store_write_ticket (TrStore *self, const char *ticket_id, const TrTicket *old, TrTicket *ticket,
                        const char *ticket_json, TrStoreConfirmedMode confirmed_mode,
                        const char *confirmed_json, TrStoreChanges *changes, GError **error);

/* tr-store-timings.c */

/* Follows the speed-of-service timings of @after's ticket from @before
 * (NULL: just created) in the open transaction (tr-service-stats.h). */
gboolean
_tr_store_record_timings (TrStore *self, const TrTicket *before, const TrTicket *after, gint64 at,
                          GError **error);

/* tr-store-cache.c */

gboolean
_tr_store_rebase_ticket (TrStore *self, const char *ticket_id, const TrTicket *confirmed,
                         TrStoreConfirmedMode confirmed_mode, const char *confirmed_json,
                         TrStoreChanges *changes, GError **error);

/* tr-store-outbox.c */

GPtrArray *
_tr_store_read_ops (TrStore *self, sqlite3_stmt *stmt, GError **error);

gboolean
_tr_store_outbox_delete_op (TrStore *self, const char *op_id, GError **error);

/* g_autoptr(sqlite3_stmt) resets a cached statement at scope exit; the
 * statement itself stays prepared. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, _tr_store_statement_release)

G_END_DECLS
