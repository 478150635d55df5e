/* tr-host-ops.c: ops and writes submitted to the host, completed by GTask
 *
 * The interim body of the asynchronous API the host's writer thread
 * (issue 19, point 3) provides: here each write still runs at once on
 * the caller's thread, through the same synchronous path as before
 * (tr_host_submit_op() for ops, so they are logged and fanned out like a
 * station's). Callers are written against the asynchronous signatures,
 * so moving the writes to the writer thread changes none of them. The
 * result always arrives from the main loop, never from inside the _async
 * call, as it will once the write runs elsewhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "tr-host.h"

static void
outcomes_unref (gpointer outcomes)
{
  g_ptr_array_unref (outcomes);
}

void
tr_host_submit_ops_async (TrHost *self, GPtrArray *ops, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TR_IS_HOST (self));
  g_return_if_fail (ops != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_host_submit_ops_async);
  /* Once a write has started it is not undone: a cancellation only
   * means the caller no longer wants to hear the outcome. */
  g_task_set_check_cancellable (task, FALSE);

  outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_outcome_free);
  for (guint i = 0; i < ops->len; i++)
    {
      TrOutcome *outcome = tr_host_submit_op (self, g_ptr_array_index (ops, i), &error);

      /* The ops before it stay applied (and fanned out), as they would
       * in a failed group commit's predecessors. */
      if (outcome == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (outcomes, outcome);
    }
  g_task_return_pointer (task, g_steal_pointer (&outcomes), outcomes_unref);
}

GPtrArray *
tr_host_submit_ops_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tr_host_submit_ops_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_tr_host_write_async (TrHost *self, TrHostWriteFunc func, gpointer data, GDestroyNotify destroy,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_return_if_fail (TR_IS_HOST (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _tr_host_write_async);
  g_task_set_check_cancellable (task, FALSE);

  ok = func (tr_host_get_store (self), data, &error);
  if (destroy != NULL)
    destroy (data);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

gboolean
_tr_host_write_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TR_IS_HOST (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _tr_host_write_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
