/* tr-store-ledger.c: the host's ledger: apply ops in one transaction,
 * number tickets, log events and applied ops, read and prune the log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"

/* ---- host ---- */

gint64
tr_store_get_head_seq (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), 0);

  if (self->readonly)
    {
      g_autoptr (GError) error = NULL;
      gint64 head = 0;

      if (!_tr_store_head_seq_read (self, &head, &error))
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
  stmt = _tr_store_statement_get (self, ST_EVENTS_TAIL, &error);
  if (stmt != NULL && _tr_store_step_row (self, stmt, "reading the log", &error) == 1
      && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    tail = sqlite3_column_int64 (stmt, 0);
  if (error != NULL)
    g_warning ("%s", error->message);
  return tail;
}

char *
tr_store_get_event_op_id (TrStore *self, gint64 seq, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _tr_store_statement_get (self, ST_EVENT_OP_AT, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = _tr_store_step_row (self, stmt, "reading the log", error);
  if (rc != 1)
    return NULL;
  return g_strdup (_tr_store_column_text (stmt, 0));
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
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_APPLIED_INSERT, error);

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, op_id);
  _tr_store_bind_text (stmt, 2, tr_apply_result_to_string (result));
  if (seq > 0)
    sqlite3_bind_int64 (stmt, 3, seq);
  else
    sqlite3_bind_null (stmt, 3);
  _tr_store_bind_text (stmt, 4, error_code);
  _tr_store_bind_text (stmt, 5, error_message);
  sqlite3_bind_int64 (stmt, 6, at);
  return _tr_store_step_done (self, stmt, "recording an op", error);
}

/* The outcome of an op_id seen before, or NULL (@error unset) if new.
 * A retry usually comes soon after, while its event is still in the log. */
static TrOutcome *
lookup_applied (TrStore *self, const char *op_id, GError **error)
{
  g_autoptr (sqlite3_stmt) event = _tr_store_statement_get (self, ST_EVENT_SEQ_OF_OP, error);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TrOutcome *outcome;
  int rc;

  if (event == NULL)
    return NULL;
  _tr_store_bind_text (event, 1, op_id);
  rc = _tr_store_step_row (self, event, "looking up an op", error);
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
  g_clear_pointer (&event, _tr_store_statement_release);

  stmt = _tr_store_statement_get (self, ST_APPLIED_GET, error);
  if (stmt == NULL)
    return NULL;
  _tr_store_bind_text (stmt, 1, op_id);
  rc = _tr_store_step_row (self, stmt, "looking up an op", error);
  if (rc <= 0)
    return NULL;

  outcome = g_new0 (TrOutcome, 1);
  outcome->op_id = g_strdup (op_id);
  outcome->result = TR_APPLY_DUPLICATE;
  outcome->original = g_strcmp0 (_tr_store_column_text (stmt, 0), "applied") == 0
                        ? TR_APPLY_APPLIED
                        : TR_APPLY_REJECTED;
  outcome->seq = sqlite3_column_int64 (stmt, 1);
  outcome->error_code = g_strdup (_tr_store_column_text (stmt, 2));
  outcome->error_message = g_strdup (_tr_store_column_text (stmt, 3));
  return outcome;
}

static gboolean
insert_event (TrStore *self, const TrEvent *event, const char *event_json, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_EVENT_INSERT, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->seq);
  _tr_store_bind_text (stmt, 2, event->op_id);
  _tr_store_bind_text (stmt, 3, tr_event_kind_to_string (event->kind));
  _tr_store_bind_text (stmt, 4, event->ticket->id);
  _tr_store_bind_text (stmt, 5, event->station_id != NULL ? event->station_id : "");
  sqlite3_bind_int64 (stmt, 6, event->at);
  _tr_store_bind_text (stmt, 7, event_json);
  return _tr_store_step_done (self, stmt, "appending an event", error);
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
apply_one (TrStore *self, const TrOp *op, Batch *batch, TrStoreChanges *changes, GError **error)
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
  current = _tr_store_load_visible (self, ticket_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  ctx.seq = self->head_seq + 1;
  ctx.now = self->clock != NULL ? self->clock (self->clock_data) : tr_now_ms ();
  if (op->kind == TR_OP_CREATE_TICKET)
    {
      g_autofree char *day = business_day_of (ctx.now);

      /* Only forward ("YYYY-MM-DD" sorts as dates): a clock stepped
       * back (NTP, a tablet booting with a stale clock) keeps counting
       * the current day, or two open tickets would share a number. */
      if (g_strcmp0 (day, self->business_day) > 0)
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
  /* The timings first: writing the ticket replaces @current in the cache. */
  if (!_tr_store_record_timings (self, current, event->ticket, ctx.now, error)
      || !_tr_store_write_ticket (self, event->ticket->id, current, tr_ticket_copy (event->ticket),
                                  ticket_json, CONFIRMED_KEEP, NULL, changes, error)
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
apply_ops (TrStore *self, const TrOp *const *ops, guint n_ops,
           TrStoreBeforeCommitFunc before_commit, gpointer user_data, GError **error)
{
  g_autoptr (GPtrArray) outcomes = g_ptr_array_new_full (n_ops, (GDestroyNotify)tr_outcome_free);
  TrStoreChanges changes;
  Batch batch = { FALSE };
  gint64 number_before = self->next_number;

  if (!_tr_store_begin_write (self, error))
    return NULL;

  _tr_store_changes_init (&changes);
  for (guint i = 0; i < n_ops; i++)
    {
      TrOutcome *outcome = apply_one (self, ops[i], &batch, &changes, error);

      if (outcome == NULL)
        goto fail;
      g_ptr_array_add (outcomes, outcome);
    }

  if ((batch.day_changed || self->next_number != number_before)
      && !_tr_store_meta_set_int (self, "next_number", self->next_number, error))
    goto fail;
  if (batch.day_changed
      && !_tr_store_meta_set_text (self, "business_day", self->business_day, error))
    goto fail;

  if (before_commit != NULL)
    before_commit (outcomes, user_data);
  if (!_tr_store_commit_and_emit (self, &changes, error))
    return NULL;
  return g_steal_pointer (&outcomes);

fail:
  _tr_store_rollback (self);
  _tr_store_changes_clear (&changes);
  return NULL;
}

GPtrArray *
tr_store_apply_ops_full (TrStore *self, GPtrArray *ops, TrStoreBeforeCommitFunc before_commit,
                         gpointer user_data, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (ops != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  for (guint i = 0; i < ops->len; i++)
    g_return_val_if_fail (ops->pdata[i] != NULL && ((TrOp *)ops->pdata[i])->op_id != NULL, NULL);

  return apply_ops (self, (const TrOp *const *)ops->pdata, ops->len, before_commit, user_data,
                    error);
}

GPtrArray *
tr_store_apply_ops (TrStore *self, GPtrArray *ops, GError **error)
{
  return tr_store_apply_ops_full (self, ops, NULL, NULL, error);
}

TrOutcome *
tr_store_apply_op (TrStore *self, const TrOp *op, GError **error)
{
  g_autoptr (GPtrArray) outcomes = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (op != NULL && op->op_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  outcomes = apply_ops (self, &op, 1, NULL, NULL, error);
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

  stmt = _tr_store_statement_get (self, ST_EVENTS_AFTER, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_seq);
  sqlite3_bind_int64 (stmt, 2, limit == 0 ? -1 : (gint64)limit);

  while ((rc = _tr_store_step_row (self, stmt, "reading the log", error)) == 1)
    {
      g_autoptr (GError) local_error = NULL;
      TrEvent *event = tr_event_from_string (_tr_store_column_text (stmt, 1), -1, &local_error);

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

  if (!_tr_store_begin_write (self, error))
    return FALSE;

  /* The head must outlive the events that carry it. */
  if (!_tr_store_meta_set_int (self, "head_seq", self->head_seq, error))
    goto fail;

  stmt = _tr_store_statement_get (self, ST_APPLIED_FROM_EVENTS, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, self->head_seq - keep);
  if (!_tr_store_step_done (self, stmt, "keeping the pruned op ids", error))
    goto fail;
  g_clear_pointer (&stmt, _tr_store_statement_release);

  stmt = _tr_store_statement_get (self, ST_EVENTS_PRUNE, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, self->head_seq - keep);
  if (!_tr_store_step_done (self, stmt, "pruning the log", error))
    goto fail;
  g_clear_pointer (&stmt, _tr_store_statement_release);

  return _tr_store_commit (self, error);

fail:
  g_clear_pointer (&stmt, _tr_store_statement_release);
  _tr_store_rollback (self);
  return FALSE;
}
