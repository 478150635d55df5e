/* tr-store-outbox.c: the station's outbox: enqueue an op (applied
 * optimistically), list, count and remove pending ops
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "config.h"

#include "tr-store.h"
#include "tr-store-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"

/* ---- station: outbox and rebase ---- */

GPtrArray *
_tr_store_read_ops (TrStore *self, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  int rc;

  while ((rc = _tr_store_step_row (self, stmt, "reading the outbox", error)) == 1)
    {
      g_autoptr (GError) local_error = NULL;
      TrOp *op = tr_op_from_string (_tr_store_column_text (stmt, 0), -1, &local_error);

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
  TrStoreChanges changes;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (op != NULL && op->op_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ticket_id = op->ticket_id;
  if (ticket_id == NULL && op->ticket != NULL)
    ticket_id = op->ticket->id;

  /* Refused here, where the cook can still be told: once queued, an op no
   * frame can carry would never reach the host. */
  op_json = tr_op_to_string (op);
  if (strlen (op_json) > TR_MAX_OP_BYTES)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_LIMIT,
                   /* Translators: sizes in KB. */
                   _ ("This change is too large to send to the host (%u KB, at most %u KB). "
                      "Make it in smaller steps."),
                   (guint)((strlen (op_json) + 1023) / 1024), (guint)(TR_MAX_OP_BYTES / 1024));
      return FALSE;
    }

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  _tr_store_changes_init (&changes);

  current = _tr_store_load_visible (self, ticket_id, &local_error);
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
  if (!_tr_store_write_ticket (self, ticket_id, current, g_steal_pointer (&event->ticket), NULL,
                               CONFIRMED_KEEP, NULL, &changes, error))
    goto fail;

  stmt = _tr_store_statement_get (self, ST_OUTBOX_INSERT, error);
  if (stmt == NULL)
    goto fail;
  _tr_store_bind_text (stmt, 1, op->op_id);
  _tr_store_bind_text (stmt, 2, ticket_id);
  _tr_store_bind_text (stmt, 3, op_json);
  sqlite3_bind_int64 (stmt, 4, ctx.now);
  if (!_tr_store_step_done (self, stmt, "writing the outbox", error))
    goto fail;
  g_clear_pointer (&stmt, _tr_store_statement_release);

  return _tr_store_commit_and_emit (self, &changes, error);

fail:
  g_clear_pointer (&stmt, _tr_store_statement_release);
  _tr_store_rollback (self);
  _tr_store_changes_clear (&changes);
  return FALSE;
}

gboolean
_tr_store_outbox_delete_op (TrStore *self, const char *op_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_OUTBOX_DELETE, error);

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, op_id);
  return _tr_store_step_done (self, stmt, "clearing the outbox", error);
}

GPtrArray *
tr_store_outbox_list (TrStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _tr_store_statement_get (self, ST_OUTBOX_ALL, error);
  if (stmt == NULL)
    return NULL;
  return _tr_store_read_ops (self, stmt, error);
}

guint
tr_store_outbox_count (TrStore *self)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) error = NULL;
  guint count = 0;

  g_return_val_if_fail (TR_IS_STORE (self), 0);

  stmt = _tr_store_statement_get (self, ST_OUTBOX_COUNT, &error);
  if (stmt != NULL && _tr_store_step_row (self, stmt, "counting the outbox", &error) == 1)
    count = (guint)sqlite3_column_int64 (stmt, 0);
  if (error != NULL)
    g_warning ("%s", error->message);
  return count;
}

gboolean
tr_store_outbox_remove (TrStore *self, const char *op_id, gboolean rejected, gint64 seq,
                        GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (TrTicket) confirmed = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *ticket_id = NULL;
  TrStoreChanges changes;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (op_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  _tr_store_changes_init (&changes);

  stmt = _tr_store_statement_get (self, ST_OUTBOX_TICKET_OF, error);
  if (stmt == NULL)
    goto fail;
  _tr_store_bind_text (stmt, 1, op_id);
  rc = _tr_store_step_row (self, stmt, "reading the outbox", error);
  if (rc < 0)
    goto fail;
  if (rc == 1)
    ticket_id = g_strdup (_tr_store_column_text (stmt, 0));
  g_clear_pointer (&stmt, _tr_store_statement_release);

  if (ticket_id != NULL)
    {
      if (!_tr_store_outbox_delete_op (self, op_id, error))
        goto fail;

      /* When seq is still ahead, the op's event is on its way and will
       * rebase the ticket on a confirmed state that holds the op; a
       * rebase now would only make the change blink out until then. */
      if (rejected || (seq > 0 && seq <= self->last_seq))
        {
          confirmed = _tr_store_load_confirmed (self, ticket_id, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              goto fail;
            }
          if (!_tr_store_rebase_ticket (self, ticket_id, confirmed, CONFIRMED_KEEP, NULL, &changes,
                                        error))
            goto fail;
        }
    }

  return _tr_store_commit_and_emit (self, &changes, error);

fail:
  g_clear_pointer (&stmt, _tr_store_statement_release);
  _tr_store_rollback (self);
  _tr_store_changes_clear (&changes);
  return FALSE;
}
