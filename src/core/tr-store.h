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

#include "tr-op.h"
#include "tr-ticket.h"

G_BEGIN_DECLS

#define TR_TYPE_STORE (tr_store_get_type ())
G_DECLARE_FINAL_TYPE (TrStore, tr_store, TR, STORE, GObject)

#define TR_STORE_SCHEMA_VERSION 1

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

const char *tr_store_get_path     (TrStore *self);
/* This database's own id (a UUID made at creation): the host_id. */
const char *tr_store_get_db_id    (TrStore *self);

/* ---- Host side ---- */

/* The seq of the newest event in the log (0 when empty). */
gint64    tr_store_get_head_seq   (TrStore *self);
/* The seq of the oldest event still in the log (head + 1 when empty). */
gint64    tr_store_get_tail_seq   (TrStore *self);

/* Applies @ops (TrOp*) in order in ONE transaction (group commit): for
 * each, dedupe by op_id, apply, append the event, record the op_id and
 * its outcome. Rejections are recorded too, so a replay gets the same
 * answer. Returns the outcomes (TrOutcome*, same order), or NULL with
 * @error when the database failed, in which case nothing was written. */
GPtrArray *tr_store_apply_ops     (TrStore    *self,
                                   GPtrArray  *ops,
                                   GError    **error);
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

/* ---- Both sides ---- */

/* Tickets (TrTicket*) oldest first. @open_only keeps new, preparing and
 * ready ones. When @out_seq is not NULL it receives the seq the snapshot
 * is consistent with (the head on a host, the last applied on a station),
 * read in the same transaction. */
GPtrArray *tr_store_list_tickets  (TrStore   *self,
                                   gboolean   open_only,
                                   gint64    *out_seq,
                                   GError   **error);
/* NULL with no error when there is no such ticket. */
TrTicket  *tr_store_get_ticket    (TrStore     *self,
                                   const char  *ticket_id,
                                   GError     **error);

/* ---- Station side ---- */

/* The host this cache follows and the last seq applied from it. */
const char *tr_store_get_host_id  (TrStore *self);
gint64      tr_store_get_last_seq (TrStore *self);

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
/* Removes @op_id from the outbox (TRUE also when it was not there) and,
 * if @rejected, rebases its ticket so the optimistic change disappears. */
gboolean   tr_store_outbox_remove (TrStore     *self,
                                   const char  *op_id,
                                   gboolean     rejected,
                                   GError     **error);

/* Checkpoints the WAL (TRUNCATE) so it stays bounded. */
gboolean   tr_store_checkpoint    (TrStore  *self,
                                   GError  **error);

/* Signals:
 * "ticket-changed" (const char *ticket_id): after a commit that changed
 *   the visible state of that ticket (created, updated or removed).
 */

G_END_DECLS
