/* tr-print-spool.c: the host's printers, the loop's side
 *
 * The loop never waits for a printer: it wakes the workers when events
 * commit (a mutex held for a few assignments), tells them which routes
 * no live screen shows, hands their journal writes to the host's writer
 * and publishes their state. Everything slow (TCP, status round trips,
 * reading the log) is on the workers (tr-print-worker.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-print"

#include "config.h"

#include "tr-print-spool-private.h"

#include "tr-error.h"
#include "tr-kitchen-rules.h"
#include "tr-protocol.h"

static TrPrintSpool *
spool_ref (TrPrintSpool *self)
{
  g_ref_count_inc (&self->ref);
  return self;
}

static void
spool_unref (TrPrintSpool *self)
{
  if (!g_ref_count_dec (&self->ref))
    return;
  g_hash_table_unref (self->uncovered);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_main_context_unref (self->context);
  g_free (self->db_path);
  g_free (self);
}

gboolean
tr_print_role_shows_route (const char *role, const char *route)
{
  if (role == NULL || tr_role_is_read_only (role)
      || tr_kitchen_role_from_string (role) == TR_KITCHEN_ROLE_EXPO)
    return FALSE;
  /* A "kitchen" screen shows every station's items; a station's screen
   * (its role is the station, "grill") its own and those routed nowhere. */
  return route == NULL || *route == '\0' || g_str_equal (role, "kitchen")
         || g_str_equal (role, route);
}

TrPrintSpool *
tr_print_spool_new (const char *db_path, GMainContext *context, TrPrintSubmitWrite submit_write,
                    gpointer owner, GCallback changed, guint backoff_max_ms)
{
  TrPrintSpool *self = g_new0 (TrPrintSpool, 1);

  g_ref_count_init (&self->ref);
  self->db_path = g_strdup (db_path);
  self->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  self->submit_write = submit_write;
  self->owner = owner;
  self->changed = (void (*) (gpointer))changed;
  self->backoff_max_ms = backoff_max_ms;
  self->workers = g_hash_table_new (g_str_hash, g_str_equal);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->uncovered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->outgoing);
  return self;
}

/* ---- Journal writes: worker → loop → writer → loop → worker ---- */

typedef struct
{
  gatomicrefcount ref;
  TrPrintSpool *spool;
  TrPrintRecord *record; /* NULL: only the cursor moves */
  char *printer;
  gint64 cursor;
  gboolean done; /* under the spool's lock */
  gboolean ok;
  GError *error;
} JournalWrite;

static JournalWrite *
journal_write_ref (JournalWrite *write)
{
  g_atomic_ref_count_inc (&write->ref);
  return write;
}

static void
journal_write_unref (gpointer data)
{
  JournalWrite *write = data;

  if (!g_atomic_ref_count_dec (&write->ref))
    return;
  tr_print_record_free (write->record);
  g_free (write->printer);
  g_clear_error (&write->error);
  spool_unref (write->spool);
  g_free (write);
}

/* On the writer thread. */
static gboolean
journal_write_run (TrStore *store, gpointer data, GError **error)
{
  JournalWrite *write = data;

  if (write->record != NULL)
    return tr_store_journal_add (store, write->record, write->cursor, error);
  return tr_store_set_printer_cursor (store, write->printer, write->cursor, error);
}

static void
journal_write_done (gpointer data, gboolean ok, const GError *error)
{
  JournalWrite *write = data;
  TrPrintSpool *self = write->spool;

  if (!ok)
    g_warning ("Writing the print journal of %s failed: %s", write->printer, error->message);
  g_mutex_lock (&self->lock);
  write->done = TRUE;
  write->ok = ok;
  if (error != NULL)
    write->error = g_error_copy (error);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  journal_write_unref (write);
}

static void
submit_outgoing (TrPrintSpool *self)
{
  JournalWrite *write;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->outgoing_idle, g_source_unref);
  while ((write = g_queue_pop_head (&self->outgoing)) != NULL)
    {
      g_mutex_unlock (&self->lock);
      /* One reference for the writer's data, the queue's for done. */
      self->submit_write (self->owner, journal_write_run, journal_write_ref (write),
                          journal_write_unref, journal_write_done, write);
      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);
}

static gboolean
outgoing_idle_cb (gpointer data)
{
  submit_outgoing (data);
  return G_SOURCE_REMOVE;
}

gboolean
_tr_print_spool_journal (TrPrintSpool *self, Worker *worker, TrPrintRecord *record,
                         gint64 cursor_seq, GError **error)
{
  JournalWrite *write = g_new0 (JournalWrite, 1);
  gboolean ok = FALSE;

  g_atomic_ref_count_init (&write->ref);
  write->spool = spool_ref (self);
  write->record = record;
  write->printer = g_strdup (worker->printer->name);
  write->cursor = cursor_seq;

  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->outgoing, journal_write_ref (write));
  if (self->outgoing_idle == NULL && !self->freed)
    {
      self->outgoing_idle = g_idle_source_new ();
      g_source_set_priority (self->outgoing_idle, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->outgoing_idle, outgoing_idle_cb, self, NULL);
      g_source_attach (self->outgoing_idle, self->context);
    }
  while (!write->done && !worker->stop)
    g_cond_wait (&self->cond, &self->lock);
  if (write->done)
    {
      ok = write->ok;
      if (!ok && write->error != NULL)
        g_propagate_error (error, g_error_copy (write->error));
    }
  g_mutex_unlock (&self->lock);
  journal_write_unref (write);
  return ok;
}

/* ---- State ---- */

static gboolean
changed_idle_cb (gpointer data)
{
  TrPrintSpool *self = data;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->changed_idle, g_source_unref);
  g_mutex_unlock (&self->lock);
  if (self->changed != NULL)
    self->changed (self->owner);
  return G_SOURCE_REMOVE;
}

void
_tr_print_spool_changed_locked (TrPrintSpool *self)
{
  if (self->changed_idle != NULL || self->freed)
    return;
  self->changed_idle = g_idle_source_new ();
  g_source_set_priority (self->changed_idle, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (self->changed_idle, changed_idle_cb, self, NULL);
  g_source_attach (self->changed_idle, self->context);
}

gint64
_tr_print_spool_uncovered_since_locked (TrPrintSpool *self, const char *route)
{
  gint64 *since = g_hash_table_lookup (self->uncovered, route != NULL ? route : "");

  return since != NULL ? *since : 0;
}

static int
compare_infos (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 ((*(TrPrinterInfo *const *)a)->printer->name,
                    (*(TrPrinterInfo *const *)b)->printer->name);
}

/* A worker counts what waits when it tries (the slips of the event it is
 * on, and every event after it, one slip each at most). While it backs
 * off from a printer that is down it does not count again, so the events
 * that came meanwhile are added here: a monitor must not say "1 slip
 * waiting" after a minute of tickets. */
static guint
pending_slips_locked (TrPrintSpool *self, Worker *worker)
{
  guint pending = worker->pending;

  if (pending > 0 && self->head_seq > worker->pending_head)
    pending += (guint)(self->head_seq - worker->pending_head);
  return pending + worker->test_pages.length;
}

GPtrArray *
tr_print_spool_list (TrPrintSpool *self)
{
  GPtrArray *infos = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_info_free);
  GHashTableIter iter;
  Worker *worker;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&worker))
    {
      TrPrinterInfo *info = tr_printer_info_new (worker->printer);

      info->state = worker->state;
      info->state_since = worker->state_since;
      info->last_error = g_strdup (worker->last_error);
      info->pending_slips = pending_slips_locked (self, worker);
      info->last_printed_at = worker->last_printed_at;
      g_ptr_array_add (infos, info);
    }
  g_mutex_unlock (&self->lock);
  g_ptr_array_sort (infos, compare_infos);
  return infos;
}

GPtrArray *
tr_print_spool_get_printers (TrPrintSpool *self)
{
  GPtrArray *printers = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_free);
  GHashTableIter iter;
  Worker *worker;

  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&worker))
    g_ptr_array_add (printers, tr_printer_copy (worker->printer));
  return printers;
}

/* ---- Workers ---- */

static void
worker_stop_and_free (TrPrintSpool *self, Worker *worker)
{
  GTask *task;

  g_mutex_lock (&self->lock);
  worker->stop = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (worker->cancellable);
  g_thread_join (worker->thread);

  while ((task = g_queue_pop_head (&worker->test_pages)) != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "the printer %s was removed or changed", worker->printer->name);
      g_object_unref (task);
    }
  g_object_unref (worker->cancellable);
  tr_printer_free (worker->printer);
  g_free (worker->last_error);
  g_free (worker);
}

static Worker *
worker_new (TrPrintSpool *self, const TrPrinter *printer)
{
  Worker *worker = g_new0 (Worker, 1);

  worker->spool = self;
  worker->printer = tr_printer_copy (printer);
  worker->cancellable = g_cancellable_new ();
  worker->state = TR_PRINTER_STATE_UNKNOWN;
  worker->wake = TRUE;
  g_queue_init (&worker->test_pages);
  return worker;
}

static void
worker_start (Worker *worker)
{
  g_autofree char *name = g_strdup_printf ("tr-print-%.6s", worker->printer->name);

  worker->thread = g_thread_new (name, _tr_print_worker_run, worker);
}

static gboolean
printer_equal (const TrPrinter *a, const TrPrinter *b)
{
  return g_str_equal (a->address, b->address) && a->columns == b->columns && a->mode == b->mode
         && a->grace_seconds == b->grace_seconds
         && g_strv_equal ((const char *const *)a->routes, (const char *const *)b->routes);
}

/* The routes fallback printers watch, now that the roster is @roles. */
static void
update_coverage_locked (TrPrintSpool *self, GPtrArray *roles)
{
  g_autoptr (GHashTable) watched = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  Worker *worker;
  const char *route;
  gint64 now = tr_now_ms ();

  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&worker))
    {
      if (worker->printer->mode != TR_PRINTER_MODE_FALLBACK)
        continue;
      if (worker->printer->routes[0] == NULL)
        g_hash_table_add (watched, "");
      for (guint i = 0; worker->printer->routes[i] != NULL; i++)
        g_hash_table_add (watched, worker->printer->routes[i]);
    }
  g_hash_table_iter_init (&iter, watched);
  while (g_hash_table_iter_next (&iter, (gpointer *)&route, NULL))
    {
      gboolean shown = FALSE;

      for (guint i = 0; roles != NULL && i < roles->len && !shown; i++)
        shown = tr_print_role_shows_route (g_ptr_array_index (roles, i), route);
      if (shown)
        g_hash_table_remove (self->uncovered, route);
      else if (!g_hash_table_contains (self->uncovered, route))
        g_hash_table_insert (self->uncovered, g_strdup (route), g_memdup2 (&now, sizeof now));
    }
  g_cond_broadcast (&self->cond);
}

void
tr_print_spool_set_stations (TrPrintSpool *self, GPtrArray *stations)
{
  g_clear_pointer (&self->roles, g_ptr_array_unref);
  self->roles = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);

      if (info->connected && !info->revoked)
        g_ptr_array_add (self->roles, g_strdup (info->role));
    }
  g_mutex_lock (&self->lock);
  update_coverage_locked (self, self->roles);
  g_mutex_unlock (&self->lock);
}

gboolean
tr_print_spool_reload (TrPrintSpool *self, GError **error)
{
  g_autoptr (GPtrArray) printers = NULL;
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  Worker *worker;
  gboolean changed = FALSE;

  if (self->config == NULL
      && !(self->config = tr_store_open_readonly (self->db_path, error)))
    return FALSE;
  if (!(printers = tr_store_list_printers (self->config, error)))
    return FALSE;

  for (guint i = 0; i < printers->len; i++)
    g_hash_table_insert (wanted, ((TrPrinter *)g_ptr_array_index (printers, i))->name,
                         g_ptr_array_index (printers, i));
  /* Gone or changed: stop (a change restarts from the stored cursor). */
  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&worker))
    {
      TrPrinter *printer = g_hash_table_lookup (wanted, worker->printer->name);

      if (printer != NULL && printer_equal (printer, worker->printer))
        {
          g_hash_table_remove (wanted, printer->name);
          continue;
        }
      g_mutex_lock (&self->lock);
      g_hash_table_iter_remove (&iter);
      g_mutex_unlock (&self->lock);
      worker_stop_and_free (self, worker);
      changed = TRUE;
    }
  for (guint i = 0; i < printers->len; i++)
    {
      TrPrinter *printer = g_ptr_array_index (printers, i);

      if (!g_hash_table_contains (wanted, printer->name))
        continue;
      worker = worker_new (self, printer);
      g_mutex_lock (&self->lock);
      g_hash_table_insert (self->workers, worker->printer->name, worker);
      g_mutex_unlock (&self->lock);
      changed = TRUE;
    }
  if (changed)
    {
      g_mutex_lock (&self->lock);
      /* Before any new worker runs: a fallback printer must find its
       * routes' coverage known, else it would take them as shown. */
      update_coverage_locked (self, self->roles);
      _tr_print_spool_changed_locked (self);
      g_mutex_unlock (&self->lock);
      g_hash_table_iter_init (&iter, self->workers);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&worker))
        if (worker->thread == NULL)
          worker_start (worker);
    }
  return TRUE;
}

void
tr_print_spool_wake (TrPrintSpool *self, gint64 head_seq)
{
  GHashTableIter iter;
  Worker *worker;

  g_mutex_lock (&self->lock);
  self->head_seq = MAX (self->head_seq, head_seq);
  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&worker))
    {
      worker->wake = TRUE;
      /* A worker backing off counts no more: the monitors recount. */
      if (worker->pending > 0)
        _tr_print_spool_changed_locked (self);
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
tr_print_spool_test_page (TrPrintSpool *self, const char *name, GTask *task)
{
  Worker *worker = g_hash_table_lookup (self->workers, name);

  if (worker == NULL)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID, "no printer called \"%s\"",
                               name);
      g_object_unref (task);
      return;
    }
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&worker->test_pages, task);
  worker->wake = TRUE;
  _tr_print_spool_changed_locked (self);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
tr_print_spool_free (TrPrintSpool *self)
{
  GHashTableIter iter;
  Worker *worker;

  if (self == NULL)
    return;
  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&worker))
    {
      g_mutex_lock (&self->lock);
      g_hash_table_iter_remove (&iter);
      g_mutex_unlock (&self->lock);
      worker_stop_and_free (self, worker);
    }
  /* What the workers printed is journaled, even now. */
  submit_outgoing (self);
  g_mutex_lock (&self->lock);
  self->freed = TRUE;
  if (self->outgoing_idle != NULL)
    g_source_destroy (self->outgoing_idle);
  g_clear_pointer (&self->outgoing_idle, g_source_unref);
  if (self->changed_idle != NULL)
    g_source_destroy (self->changed_idle);
  g_clear_pointer (&self->changed_idle, g_source_unref);
  g_mutex_unlock (&self->lock);
  g_hash_table_unref (self->workers);
  g_clear_pointer (&self->roles, g_ptr_array_unref);
  g_clear_object (&self->config);
  spool_unref (self);
}
