/* tr-host-writer.c: the one writer, a thread that owns the host's store
 *
 * A commit's fdatasync can take 150 ms on a tablet's disk. Held on the
 * loop, it would hold every ping, every frame and, in host mode, the
 * kitchen screen. So after tr_host_start() the store belongs to one
 * thread: a one-thread GThreadPool used as a serial queue (as libide
 * does), fed with jobs whose results GTask brings back to the host's
 * context. The queue keeps the order of the jobs, so the group commits,
 * the maintenance and the pairing writes happen in the order the loop
 * asked for them, one at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

typedef struct
{
  TrHostWriteFunc func;
  gpointer data;
  GDestroyNotify destroy;
  GAsyncReadyCallback callback;
  gpointer user_data;
} WriteJob;

/* Set on the writer thread while a job runs. */
static GPrivate in_writer = G_PRIVATE_INIT (NULL);

static void
write_job_free (gpointer data)
{
  WriteJob *job = data;

  if (job->destroy != NULL)
    job->destroy (job->data);
  g_free (job);
}

static void
writer_run (gpointer task_data, gpointer pool_data)
{
  g_autoptr (GTask) task = task_data;
  TrHost *self = g_task_get_source_object (task);
  WriteJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_private_set (&in_writer, GINT_TO_POINTER (1));
  if (job->func (self->store, job->data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_private_set (&in_writer, NULL);
}

/* On the host's context: the write is over for _tr_host_drain() too. */
static void
write_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrHost *self = TR_HOST (source);
  WriteJob *job = user_data;

  g_assert (self->n_writes > 0);
  self->n_writes--;
  if (job->callback != NULL)
    job->callback (source, result, job->user_data);
}

gboolean
_tr_host_in_writer (void)
{
  return g_private_get (&in_writer) != NULL;
}

void
_tr_host_writer_start (TrHost *self)
{
  g_autoptr (GError) error = NULL;

  g_assert (self->writer == NULL);
  /* Exclusive: the thread lives as long as the host, so no write waits
   * for a thread to be made or borrowed. */
  self->writer = g_thread_pool_new (writer_run, self, 1, TRUE, &error);
  g_assert_no_error (error);
}

void
_tr_host_writer_stop (TrHost *self)
{
  if (self->writer == NULL)
    return;
  /* wait: every queued job runs first. */
  g_thread_pool_free (g_steal_pointer (&self->writer), FALSE, TRUE);
}

void
_tr_host_write_async (TrHost *self, TrHostWriteFunc func, gpointer data, GDestroyNotify destroy,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  WriteJob *job;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TR_IS_HOST (self));
  g_return_if_fail (func != NULL);

  job = g_new0 (WriteJob, 1);
  job->func = func;
  job->data = data;
  job->destroy = destroy;
  job->callback = callback;
  job->user_data = user_data;
  /* The result must come back to the host's context: a task reports to
   * the thread-default context current when it is made. */
  if (self->context != NULL)
    g_main_context_push_thread_default (self->context);
  task = g_task_new (self, cancellable, write_done_cb, job);
  if (self->context != NULL)
    g_main_context_pop_thread_default (self->context);
  g_task_set_source_tag (task, _tr_host_write_async);
  g_task_set_task_data (task, job, write_job_free);
  self->n_writes++;

  if (self->writer == NULL)
    {
      /* Not started (or stopped): the caller's thread is the only one
       * with the store. */
      GError *local_error = NULL;

      if (func (self->store, data, &local_error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, local_error);
      g_object_unref (task);
      return;
    }
  if (!g_thread_pool_push (self->writer, task, &error))
    g_error ("Cannot queue a write: %s", error->message);
}

gboolean
_tr_host_write_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} SyncWrite;

static void
write_sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncWrite *sync = user_data;

  sync->ok = _tr_host_write_finish (TR_HOST (source), result, &sync->error);
  sync->done = TRUE;
}

gboolean
_tr_host_write_sync (TrHost *self, TrHostWriteFunc func, gpointer data, GError **error)
{
  SyncWrite sync = { FALSE, FALSE, NULL };

  _tr_host_write_async (self, func, data, NULL, NULL, write_sync_cb, &sync);
  _tr_host_iterate_until (self, &sync.done);
  if (!sync.ok)
    g_propagate_error (error, sync.error);
  return sync.ok;
}

/* The store emits "ticket-changed" from inside the commit, that is on the
 * writer thread, where nothing that draws may run. Connected first, this
 * handler stops those emissions there; the host emits the signal again on
 * its own context once the commit is back (tr-host-commit.c), for the
 * code that still listens to the store. */
static void
on_store_ticket_changed (TrStore *store, const char *ticket_id, gpointer user_data)
{
  if (_tr_host_in_writer ())
    g_signal_stop_emission_by_name (store, "ticket-changed");
}

void
_tr_host_writer_watch_store (TrHost *self)
{
  g_signal_connect_object (self->store, "ticket-changed", G_CALLBACK (on_store_ticket_changed),
                           self, 0);
}
