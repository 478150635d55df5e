/* tr-store-cache.c: the station's cache of the host: confirmed and
 * visible tickets, events and snapshots from the host, and the rebase
 * of pending ops on top
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

#include "tr-codec.h"
#include "tr-error.h"

/* Recomputes the visible ticket as @confirmed (borrowed, NULL: none) plus
 * every pending outbox op for it, in outbox order, and stores it. An op
 * that no longer applies is skipped: the host will reject it too. Each op
 * is re-applied at its own time, so a rebase does not move timestamps. */
gboolean
_tr_store_rebase_ticket (TrStore *self, const char *ticket_id, const TrTicket *confirmed,
                         TrStoreConfirmedMode confirmed_mode, const char *confirmed_json,
                         TrStoreChanges *changes, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GError) local_error = NULL;
  TrTicket *visible = NULL;
  const TrTicket *old;

  old = _tr_store_load_visible (self, ticket_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  stmt = _tr_store_statement_get (self, ST_OUTBOX_FOR_TICKET, error);
  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, ticket_id);
  ops = _tr_store_read_ops (self, stmt, error);
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
  return _tr_store_write_ticket (self, ticket_id, old, visible,
                                 ops->len == 0 && confirmed_json != NULL ? confirmed_json : NULL,
                                 confirmed_mode, confirmed_json, changes, error);
}

/* ---- station ---- */

const char *
tr_store_get_host_id (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return self->host_id;
}

const char *
tr_store_get_last_op_id (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return *self->last_op_id != '\0' ? self->last_op_id : NULL;
}

gint64
tr_store_get_last_seq (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), 0);
  return self->last_seq;
}

gboolean
tr_store_apply_events (TrStore *self, GPtrArray *events, GError **error)
{
  gint64 last_seq_before = self->last_seq;
  const char *last_op_id = NULL;
  /* A reconnecting station receives thousands of events for a few dozen
   * tickets: rebasing once per ticket, on its newest confirmed state,
   * instead of once per event keeps catch-up linear in the events. */
  g_autoptr (GHashTable) latest = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) touched = g_ptr_array_new ();
  TrStoreChanges changes;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  _tr_store_changes_init (&changes);

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

      if (event->op_id != NULL && !_tr_store_outbox_delete_op (self, event->op_id, error))
        goto fail;

      if (!g_hash_table_contains (latest, event->ticket->id))
        g_ptr_array_add (touched, event->ticket->id);
      g_hash_table_insert (latest, event->ticket->id, event->ticket);
      self->last_seq = event->seq;
      last_op_id = event->op_id;
    }

  for (guint i = 0; i < touched->len; i++)
    {
      const char *ticket_id = g_ptr_array_index (touched, i);
      const TrTicket *confirmed = g_hash_table_lookup (latest, ticket_id);
      g_autofree char *confirmed_json = tr_ticket_to_string (confirmed);

      if (!_tr_store_rebase_ticket (self, ticket_id, confirmed, CONFIRMED_SET, confirmed_json,
                                    &changes, error))
        goto fail;
    }

  /* The op id goes with the seq: a resume proves with it that the host
   * still has the same event there (tr_frame_build_hello_resume()). */
  if (self->last_seq != last_seq_before)
    {
      if (!_tr_store_meta_set_int (self, "last_seq", self->last_seq, error)
          || !_tr_store_meta_set_text (self, "last_op_id", last_op_id ? last_op_id : "", error))
        goto fail;
      g_free (self->last_op_id);
      self->last_op_id = g_strdup (last_op_id ? last_op_id : "");
    }

  return _tr_store_commit_and_emit (self, &changes, error);

fail:
  _tr_store_rollback (self);
  _tr_store_changes_clear (&changes);
  return FALSE;
}

gboolean
tr_store_apply_snapshot (TrStore *self, const char *host_id, gint64 seq, GPtrArray *tickets,
                         GError **error)
{
  g_autoptr (GHashTable) in_snapshot = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) stored_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TrStoreChanges changes;
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

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  _tr_store_changes_init (&changes);

  /* Collected first: the loop below deletes from the table it reads. */
  stmt = _tr_store_statement_get (self, ST_TICKET_IDS, error);
  if (stmt == NULL)
    goto fail;
  while ((rc = _tr_store_step_row (self, stmt, "listing tickets", error)) == 1)
    g_ptr_array_add (stored_ids, g_strdup (_tr_store_column_text (stmt, 0)));
  if (rc < 0)
    goto fail;
  g_clear_pointer (&stmt, _tr_store_statement_release);

  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);
      g_autofree char *confirmed_json = tr_ticket_to_string (ticket);

      if (!_tr_store_rebase_ticket (self, ticket->id, ticket, CONFIRMED_SET, confirmed_json,
                                    &changes, error))
        goto fail;
    }

  /* The host no longer has these: they survive only as pending local
   * ops (a create the host has not seen yet). */
  for (guint i = 0; i < stored_ids->len; i++)
    {
      const char *id = g_ptr_array_index (stored_ids, i);

      if (g_hash_table_contains (in_snapshot, id))
        continue;
      if (!_tr_store_rebase_ticket (self, id, NULL, CONFIRMED_SET, NULL, &changes, error))
        goto fail;
    }

  /* A snapshot does not name the op of its seq: the resume cannot prove
   * its history until the next event. */
  if (!_tr_store_meta_set_text (self, "host_id", host_id, error)
      || !_tr_store_meta_set_int (self, "last_seq", seq, error)
      || !_tr_store_meta_set_text (self, "last_op_id", "", error))
    goto fail;
  g_free (self->host_id);
  self->host_id = g_strdup (host_id);
  self->last_seq = seq;
  g_free (self->last_op_id);
  self->last_op_id = g_strdup ("");

  return _tr_store_commit_and_emit (self, &changes, error);

fail:
  g_clear_pointer (&stmt, _tr_store_statement_release);
  _tr_store_rollback (self);
  _tr_store_changes_clear (&changes);
  return FALSE;
}
