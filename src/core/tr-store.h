/* tr-store.h: one SQLite database per station
 *
 * The same store serves the host (the source of truth: current tickets,
 * the append-only event log and the applied op ids) and a station (a
 * cache of the host's tickets plus the outbox of ops not yet
 * acknowledged). See docs/architecture.md.
 *
 * All calls are synchronous and belong to one thread; every write is one
 * BEGIN IMMEDIATE transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tr-link-history.h"
#include "tr-op.h"
#include "tr-ticket.h"

G_BEGIN_DECLS

#define TR_TYPE_STORE (tr_store_get_type ())
G_DECLARE_FINAL_TYPE (TrStore, tr_store, TR, STORE, GObject)

#define TR_STORE_SCHEMA_VERSION 6

typedef enum
{
  /* synchronous=NORMAL: a station, whose outbox row outlives a lost commit */
  TR_STORE_DURABILITY_NORMAL,
  /* synchronous=FULL: the host, whose commit precedes every ack */
  TR_STORE_DURABILITY_FULL,
} TrStoreDurability;

typedef enum
{
  TR_APPLY_APPLIED,   /* "applied" */
  TR_APPLY_DUPLICATE, /* "duplicate": the op_id was seen before */
  TR_APPLY_REJECTED,  /* "rejected" */
} TrApplyResult;

const char *tr_apply_result_to_string (TrApplyResult result);

/* The outcome of one op on the host. */
typedef struct
{
  char          *op_id;
  TrApplyResult  result;
  /* For DUPLICATE: what the first submission got (APPLIED or REJECTED). */
  TrApplyResult  original;
  gint64         seq;            /* the event's seq when applied (or originally applied), else 0 */
  TrEvent       *event;          /* APPLIED only: the new event, owned */
  char          *error_code;     /* REJECTED, or DUPLICATE of a rejection: tr_error_code_to_string() */
  char          *error_message;
} TrOutcome;

void tr_outcome_free (TrOutcome *outcome);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrOutcome, tr_outcome_free)

/* $TICKETRAIL_DATA_DIR if set, else $XDG_DATA_HOME/ticketrail. */
char     *tr_store_default_dir    (void);

/* Opens or creates @path (its folder is created). A file that is not a
 * Ticketrail database, is corrupt, or was written by a newer schema
 * fails with TR_ERROR_STORE_CORRUPT or TR_ERROR_STORE_TOO_NEW and is
 * left untouched. */
TrStore  *tr_store_open           (const char        *path,
                                   TrStoreDurability  durability,
                                   GError           **error);

/* Opens @path, which a writer (the host) has created, for reading only,
 * on a connection of its own: a reader in another thread or loop than
 * the writer's never waits for its commits, and always sees whole ones.
 * Every write on it fails with TR_ERROR_STORE; it never emits
 * "ticket-changed" (the writer's commits are announced by the writer). */
TrStore  *tr_store_open_readonly  (const char  *path,
                                   GError     **error);

const char *tr_store_get_path     (TrStore *self);
/* This database's own id (a UUID made at creation): the host_id. */
const char *tr_store_get_db_id    (TrStore *self);

/* ---- Host side ---- */

/* The seq of the newest event in the log (0 when empty). */
gint64    tr_store_get_head_seq   (TrStore *self);
/* The seq of the oldest event still in the log (head + 1 when empty). */
gint64    tr_store_get_tail_seq   (TrStore *self);
/* The op id of event @seq, or NULL (@error unset) when it is not in the
 * log: what a resuming station's since_op is checked against. */
char     *tr_store_get_event_op_id (TrStore     *self,
                                    gint64       seq,
                                    GError     **error);

/* Applies @ops (TrOp*) in order in ONE transaction (group commit): for
 * each, dedupe by op_id, apply, append the event, record the op_id and
 * its outcome. Rejections are recorded too, so a replay gets the same
 * answer. Returns the outcomes (TrOutcome*, same order), or NULL with
 * @error when the database failed, in which case nothing was written. */
GPtrArray *tr_store_apply_ops     (TrStore    *self,
                                   GPtrArray  *ops,
                                   GError    **error);
/* Called by tr_store_apply_ops_full() inside its transaction, once
 * every op is applied and before the COMMIT and its fsync: @outcomes are
 * what the call returns if the commit succeeds (borrowed). Nothing it
 * learns may be presented as durable before the call returned them. */
typedef void (*TrStoreBeforeCommitFunc) (GPtrArray *outcomes,
                                         gpointer   user_data);
/* tr_store_apply_ops() with @before_commit (may be NULL): the host
 * sends the new events to its standby while its own fsync runs. */
GPtrArray *tr_store_apply_ops_full (TrStore                *self,
                                    GPtrArray              *ops,
                                    TrStoreBeforeCommitFunc before_commit,
                                    gpointer                user_data,
                                    GError                **error);
/* One op; same rules. */
TrOutcome *tr_store_apply_op      (TrStore    *self,
                                   const TrOp *op,
                                   GError    **error);

/* Events with seq > @after_seq, oldest first, at most @limit (0 = all). */
GPtrArray *tr_store_read_events   (TrStore  *self,
                                   gint64    after_seq,
                                   guint     limit,
                                   GError  **error);

/* Keeps the newest @keep events; older ones are deleted (applied op ids
 * stay, for dedup). */
gboolean  tr_store_prune_events   (TrStore  *self,
                                   gint64    keep,
                                   GError  **error);

/* Deletes the speed-of-service timings of tickets created before
 * @before_ms (the host keeps TR_SERVICE_KEEP_MS of them); one
 * transaction. */
gboolean  tr_store_prune_timings  (TrStore  *self,
                                   gint64    before_ms,
                                   GError  **error);

/* Connection history (tr-store-links.c, tr-link-history.h), in one
 * transaction: each of @links (TrLink*) is added, or, when a link of
 * its station that began at the same time is there already, gets its
 * end written. Then, when @alive_at is not 0, every link still open was
 * up at @alive_at. */
gboolean  tr_store_save_links     (TrStore     *self,
                                   GPtrArray   *links,
                                   gint64       alive_at,
                                   GError     **error);
/* At a host's start: the links it left open (it died, or its machine
 * did) end when they were last known alive, with @reason. */
gboolean  tr_store_links_close_dangling (TrStore     *self,
                                         const char  *reason,
                                         GError     **error);
/* Deletes the links that ended before @before_ms. */
gboolean  tr_store_prune_links    (TrStore     *self,
                                   gint64       before_ms,
                                   GError     **error);

/* ---- Both sides ---- */

/* Tickets (TrTicket*) oldest first. @open_only keeps new, preparing and
 * ready ones. When @out_seq is not NULL it receives the seq the snapshot
 * is consistent with (the head on a host, the last applied on a station),
 * read in the same transaction. */
GPtrArray *tr_store_list_tickets  (TrStore   *self,
                                   gboolean   open_only,
                                   gint64    *out_seq,
                                   GError   **error);
/* The open tickets and those changed at or after @since (ms), oldest
 * first: what a recall list needs (tr-recall.h) without reading a
 * long-lived host's whole history. */
GPtrArray *tr_store_list_recent_tickets (TrStore  *self,
                                         gint64    since,
                                         GError  **error);
/* NULL with no error when there is no such ticket. */
TrTicket  *tr_store_get_ticket    (TrStore     *self,
                                   const char  *ticket_id,
                                   GError     **error);

/* ---- Station side ---- */

/* The host this cache follows and the last seq applied from it. */
const char *tr_store_get_host_id  (TrStore *self);
gint64      tr_store_get_last_seq (TrStore *self);
/* The op id of the event at the last seq, when the station applied that
 * event itself; NULL after a snapshot, until the next event. */
const char *tr_store_get_last_op_id (TrStore *self);

/* In one transaction: applies @op optimistically to the local ticket and
 * appends it to the outbox. Fails (writing nothing) if the op does not
 * apply locally. */
gboolean  tr_store_enqueue_op     (TrStore     *self,
                                   const TrOp  *op,
                                   GError     **error);

/* Applies host events in one transaction. Each must be last_seq + 1 (an
 * event at or below last_seq is skipped; a gap fails with
 * TR_ERROR_PROTOCOL and writes nothing). The host's ticket becomes the
 * confirmed state, the op is cleared from the outbox, and still-pending
 * ops for that ticket are re-applied on top (rebase). */
gboolean  tr_store_apply_events   (TrStore    *self,
                                   GPtrArray  *events,
                                   GError    **error);

/* Replaces every confirmed ticket with @tickets, sets host id and seq,
 * and rebases the outbox, in one transaction. */
gboolean  tr_store_apply_snapshot (TrStore     *self,
                                   const char  *host_id,
                                   gint64       seq,
                                   GPtrArray   *tickets,
                                   GError     **error);

/* Pending ops (TrOp*) in the order they were enqueued. */
GPtrArray *tr_store_outbox_list   (TrStore  *self,
                                   GError  **error);
guint      tr_store_outbox_count  (TrStore  *self);
/* Removes @op_id from the outbox (TRUE also when it was not there), as
 * its ack came back. @seq is the seq of the op's event when the host
 * applied it (0: none or unknown). Its ticket is rebased if @rejected, so
 * the optimistic change disappears, and also when the station already
 * follows the host past @seq: its confirmed ticket then holds the op (a
 * snapshot that came before the ack), and the visible one must stop
 * replaying it on top of later changes. */
gboolean   tr_store_outbox_remove (TrStore     *self,
                                   const char  *op_id,
                                   gboolean     rejected,
                                   gint64       seq,
                                   GError     **error);

/* Checkpoints the WAL (TRUNCATE) so it stays bounded. */
gboolean   tr_store_checkpoint    (TrStore  *self,
                                   GError  **error);

/* ---- Pairing (docs/security.md) ---- */

/* A station the host paired with. Times in ms; 0 = never / not revoked. */
typedef struct
{
  char   *station_id;
  char   *name;
  char   *role;
  gint64  created_at;  /* when it (last) paired */
  gint64  last_seen;   /* as last written by the host (it batches these) */
  gint64  revoked_at;
} TrPairedStation;

void tr_paired_station_free (TrPairedStation *station);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrPairedStation, tr_paired_station_free)

typedef enum
{
  TR_PAIRING_OK,
  TR_PAIRING_UNKNOWN_CODE,
  TR_PAIRING_EXPIRED_CODE,
} TrPairingStatus;

const char *tr_pairing_status_to_string (TrPairingStatus status);

/* SHA-256 (lower-case hex) of a station token: all the host keeps. */
char      *tr_token_hash                 (const char *token);

/* Host side. Stores @code (only its hash), valid until @expires_at (ms),
 * replacing every earlier code: one code is valid at a time. Another
 * process may call this on the same file while the host runs
 * (`ticketrail-host pair`). */
gboolean   tr_store_add_pairing_code     (TrStore     *self,
                                          const char  *code,
                                          gint64       now,
                                          gint64       expires_at,
                                          GError     **error);
/* In one transaction: checks @code at @now and, when valid, deletes it
 * (single use) and records @station_id with @token_hash (a re-pairing
 * replaces its old token and clears a revocation). FALSE only when the
 * database failed; the verdict goes to @out_status. */
gboolean   tr_store_redeem_pairing_code  (TrStore         *self,
                                          const char      *code,
                                          gint64           now,
                                          const char      *station_id,
                                          const char      *name,
                                          const char      *role,
                                          const char      *token_hash,
                                          TrPairingStatus *out_status,
                                          GError         **error);
/* The station holding @token_hash (revoked ones included), or NULL
 * (with @error only when the database failed). */
TrPairedStation *tr_store_lookup_token   (TrStore     *self,
                                          const char  *token_hash,
                                          GError     **error);
/* Marks @station_id revoked at @now; *@out_found says whether an active
 * pairing was there. */
gboolean   tr_store_revoke_station       (TrStore     *self,
                                          const char  *station_id,
                                          gint64       now,
                                          gboolean    *out_found,
                                          GError     **error);
/* TrPairedStation*, oldest pairing first. */
GPtrArray *tr_store_list_paired_stations (TrStore  *self,
                                          GError  **error);
/* @last_seen: station_id → gint64* (ms); one transaction. */
gboolean   tr_store_touch_stations       (TrStore     *self,
                                          GHashTable  *last_seen,
                                          GError     **error);

/* Station side: the token this station got by pairing with @host_id,
 * and the host's TLS certificate fingerprint pinned then (NULL: none,
 * or plain HTTP). NULL token: not paired. */
const char *tr_store_get_station_token         (TrStore *self);
const char *tr_store_get_station_token_host_id (TrStore *self);
const char *tr_store_get_host_fingerprint      (TrStore *self);
/* Saves (or, with NULLs, forgets) the pairing; one transaction. */
gboolean    tr_store_set_station_token         (TrStore     *self,
                                                const char  *host_id,
                                                const char  *token,
                                                const char  *fingerprint,
                                                GError     **error);

/* ---- The menu (issue 5) ---- */

/* The station's small editable menu, a JSON document kept in the meta
 * table as it was given (the app parses and checks it). NULL with no
 * error when none was ever set. */
char      *tr_store_get_menu              (TrStore     *self,
                                           GError     **error);
/* Replaces the menu (NULL forgets it); one transaction. */
gboolean   tr_store_set_menu              (TrStore     *self,
                                           const char  *menu_json,
                                           GError     **error);

/* Signals:
 * "ticket-changed" (const char *ticket_id): after a commit that changed
 *   the visible state of that ticket (created, updated or removed).
 */

G_END_DECLS
