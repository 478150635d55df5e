/* tr-host-printers.c: the host's kitchen printers, its API and endpoints
 *
 * The printers live in the host's database, written by its writer; the
 * print spool (tr-print-spool.c) drives them off the loop. Here: the
 * public calls (list, save, remove, test page, reprint), GET
 * /api/v1/printers, POST /api/v1/tickets/{id}/reprint, the metrics,
 * and the glue that wakes the spool when events commit and tells it
 * which routes a live screen shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include "tr-error.h"
#include "tr-metrics-text.h"
#include "tr-print-spool.h"
#include "tr-slip.h"
#include "tr-store-printers.h"

/* ---- The spool's writes go through the one writer ---- */

typedef struct
{
  TrPrintDoneFunc done;
  gpointer done_data;
} SpoolWrite;

static void
spool_write_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SpoolWrite *write = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = _tr_host_write_finish (TR_HOST (source), result, &error);

  if (write->done != NULL)
    write->done (write->done_data, ok, error);
  g_free (write);
  /* A journal row or a cursor moved: the standby gets it (issue 13). */
  if (ok)
    _tr_host_standby_push_journal (TR_HOST (source));
}

static void
submit_spool_write (gpointer owner, TrPrintWriteFunc func, gpointer data, GDestroyNotify destroy,
                    TrPrintDoneFunc done, gpointer done_data)
{
  SpoolWrite *write = g_new0 (SpoolWrite, 1);

  write->done = done;
  write->done_data = done_data;
  _tr_host_write_async (TR_HOST (owner), func, data, destroy, NULL, spool_write_cb, write);
}

static void
on_spool_changed (gpointer owner)
{
  g_signal_emit (TR_HOST (owner), _tr_host_signals[PRINTERS_CHANGED], 0);
}

static void
on_events_committed (TrHost *self, GPtrArray *events, gpointer user_data)
{
  if (self->print_spool != NULL && events->len > 0)
    tr_print_spool_wake (self->print_spool,
                         ((TrEvent *)g_ptr_array_index (events, events->len - 1))->seq);
}

static void
on_stations_changed (TrHost *self, gpointer user_data)
{
  g_autoptr (GPtrArray) stations = NULL;

  if (self->print_spool == NULL)
    return;
  stations = tr_host_list_stations (self);
  tr_print_spool_set_stations (self->print_spool, stations);
}

void
_tr_host_printers_start (TrHost *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) stations = NULL;

  self->print_spool
    = tr_print_spool_new (tr_store_get_path (self->store), self->context, submit_spool_write, self,
                          G_CALLBACK (on_spool_changed), self->printer_backoff_max);
  stations = tr_host_list_stations (self);
  tr_print_spool_set_stations (self->print_spool, stations);
  if (!tr_print_spool_reload (self->print_spool, &error))
    g_warning ("Reading the printers failed: %s", error->message);
  g_signal_connect (self, "events-committed", G_CALLBACK (on_events_committed), NULL);
  g_signal_connect (self, "stations-changed", G_CALLBACK (on_stations_changed), NULL);
}

void
_tr_host_printers_stop (TrHost *self)
{
  g_signal_handlers_disconnect_by_func (self, on_events_committed, NULL);
  g_signal_handlers_disconnect_by_func (self, on_stations_changed, NULL);
  g_clear_pointer (&self->print_spool, tr_print_spool_free);
}

void
_tr_host_printers_check (TrHost *self)
{
  g_autoptr (GError) error = NULL;

  if (self->print_spool != NULL && !tr_print_spool_reload (self->print_spool, &error))
    g_warning ("Reading the printers failed: %s", error->message);
  /* Every 5 s and after each change here: the standby gets the printers,
   * and the roster a `ticketrail-host revoke` changed, when they changed
   * (tr-host-standby.c compares). */
  _tr_host_standby_push_state (self);
}

/* ---- The public calls ---- */

int
tr_host_count_reprint_printers (TrHost *self)
{
  g_autoptr (GPtrArray) infos = NULL;
  int n = 0;

  g_return_val_if_fail (TR_IS_HOST (self), 0);

  /* The printers tr_host_reprint_async() would queue on: all but the
   * ready-chit ones. */
  infos = tr_host_list_printers (self);
  for (guint i = 0; i < infos->len; i++)
    if (((const TrPrinterInfo *)g_ptr_array_index (infos, i))->printer->mode
        != TR_PRINTER_MODE_READY_CHIT)
      n++;
  return n;
}

GPtrArray *
tr_host_list_printers (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  if (self->print_spool == NULL)
    {
      /* Not running: straight from the store, which is the caller's. */
      g_autoptr (GPtrArray) printers = tr_store_list_printers (self->store, NULL);
      GPtrArray *infos = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_info_free);

      for (guint i = 0; printers != NULL && i < printers->len; i++)
        g_ptr_array_add (infos, tr_printer_info_new (g_ptr_array_index (printers, i)));
      return infos;
    }
  return tr_print_spool_list (self->print_spool);
}

static gboolean
write_printer (TrStore *store, gpointer data, GError **error)
{
  return tr_store_save_printer (store, data, tr_now_ms (), error);
}

static void
printers_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TrHost *self = TR_HOST (source);
  GError *error = NULL;

  if (!_tr_host_write_finish (self, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _tr_host_printers_check (self);
  g_signal_emit (self, _tr_host_signals[PRINTERS_CHANGED], 0);
  g_task_return_boolean (task, TRUE);
}

void
tr_host_save_printer_async (TrHost *self, const TrPrinter *printer, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (TR_IS_HOST (self));
  g_return_if_fail (printer != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_host_save_printer_async);
  if (!tr_printer_validate (printer, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  _tr_host_write_async (self, write_printer, tr_printer_copy (printer),
                        (GDestroyNotify)tr_printer_free, NULL, printers_written_cb, task);
}

gboolean
tr_host_save_printer_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
delete_printer (TrStore *store, gpointer data, GError **error)
{
  gboolean found = FALSE;

  if (!tr_store_remove_printer (store, data, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "no printer called \"%s\"",
                   (const char *)data);
      return FALSE;
    }
  return TRUE;
}

void
tr_host_remove_printer_async (TrHost *self, const char *name, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (TR_IS_HOST (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_host_remove_printer_async);
  _tr_host_write_async (self, delete_printer, g_strdup (name), g_free, NULL, printers_written_cb,
                        task);
}

gboolean
tr_host_remove_printer_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tr_host_print_test_page_async (TrHost *self, const char *name, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (TR_IS_HOST (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_host_print_test_page_async);
  if (self->print_spool == NULL)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID, "the host is not running");
      g_object_unref (task);
      return;
    }
  tr_print_spool_test_page (self->print_spool, name, task);
}

gboolean
tr_host_print_test_page_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Reprint ---- */

typedef struct
{
  char *ticket_id;
  gint64 version;
  GPtrArray *printers; /* char* printer name, per route queued */
  GPtrArray *routes;   /* char*, "" for every route, same length */
} Reprint;

static void
reprint_free (gpointer data)
{
  Reprint *reprint = data;

  g_free (reprint->ticket_id);
  g_ptr_array_unref (reprint->printers);
  g_ptr_array_unref (reprint->routes);
  g_free (reprint);
}

static gboolean
queue_reprints (TrStore *store, gpointer data, GError **error)
{
  Reprint *reprint = data;
  gint64 now = tr_now_ms ();

  for (guint i = 0; i < reprint->printers->len; i++)
    if (!tr_store_queue_reprint (store, g_ptr_array_index (reprint->printers, i),
                                 reprint->ticket_id, reprint->version,
                                 g_ptr_array_index (reprint->routes, i), now, error))
      return FALSE;
  return TRUE;
}

static void
reprints_queued_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TrHost *self = TR_HOST (source);
  GError *error = NULL;

  if (!_tr_host_write_finish (self, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->print_spool != NULL)
    tr_print_spool_wake (self->print_spool, 0);
  _tr_host_standby_push_journal (self);
  g_task_return_int (task, GPOINTER_TO_INT (g_task_get_task_data (task)));
}

void
tr_host_reprint_async (TrHost *self, const char *ticket_id, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (GPtrArray) printers = NULL;
  g_autoptr (GHashTable) counted = g_hash_table_new (g_str_hash, g_str_equal);
  Reprint *reprint;

  g_return_if_fail (TR_IS_HOST (self));
  g_return_if_fail (ticket_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_host_reprint_async);
  if (self->reader != NULL)
    ticket = tr_store_reader_get_ticket (self->reader, ticket_id, &error);
  else
    ticket = tr_store_get_ticket (self->store, ticket_id, &error);
  if (ticket == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, TR_ERROR, TR_ERROR_UNKNOWN_TICKET, "no ticket %s",
                                 ticket_id);
      return;
    }

  reprint = g_new0 (Reprint, 1);
  reprint->ticket_id = g_strdup (ticket_id);
  reprint->version = ticket->version;
  reprint->printers = g_ptr_array_new_with_free_func (g_free);
  reprint->routes = g_ptr_array_new_with_free_func (g_free);
  printers = self->print_spool != NULL ? tr_print_spool_get_printers (self->print_spool)
                                       : tr_store_list_printers (self->store, NULL);
  for (guint i = 0; printers != NULL && i < printers->len; i++)
    {
      const TrPrinter *printer = g_ptr_array_index (printers, i);
      guint n_routes = g_strv_length (printer->routes);

      if (printer->mode == TR_PRINTER_MODE_READY_CHIT)
        continue;
      /* One slip per route it serves that has something on this ticket. */
      for (guint r = 0; r < MAX (n_routes, 1); r++)
        {
          const char *route = n_routes > 0 ? printer->routes[r] : NULL;
          TrSlipOptions options = { printer->columns, route, TRUE, NULL };
          g_autoptr (TrSlip) slip = tr_slip_new_ticket (ticket, &options);

          if (slip == NULL)
            continue;
          g_ptr_array_add (reprint->printers, g_strdup (printer->name));
          g_ptr_array_add (reprint->routes, g_strdup (route != NULL ? route : ""));
          g_hash_table_add (counted, printer->name);
        }
    }
  g_task_set_task_data (task, GUINT_TO_POINTER (g_hash_table_size (counted)), NULL);
  _tr_host_write_async (self, queue_reprints, reprint, reprint_free, NULL, reprints_queued_cb,
                        g_steal_pointer (&task));
}

gboolean
tr_host_reprint_finish (TrHost *self, GAsyncResult *result, guint *out_n_printers,
                        GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return tr_printer_reprint_task_finish (G_TASK (result), out_n_printers, error);
}

/* ---- HTTP ---- */

typedef struct
{
  SoupServerMessage *msg;
  gulong finished_id;
  gboolean finished;
} Waiting;

static void
on_finished (SoupServerMessage *msg, gpointer user_data)
{
  ((Waiting *)user_data)->finished = TRUE;
}

static void
reprint_answer_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiting *waiting = user_data;
  TrHost *self = TR_HOST (source);
  g_autoptr (GError) error = NULL;
  guint n = 0;
  gboolean ok = tr_host_reprint_finish (self, result, &n, &error);

  g_clear_signal_handler (&waiting->finished_id, waiting->msg);
  if (!waiting->finished && self->running)
    {
      if (ok)
        _tr_host_respond_json_take (waiting->msg, SOUP_STATUS_OK,
                                    g_strdup_printf ("{\"printers\":%u}", n));
      else if (g_error_matches (error, TR_ERROR, TR_ERROR_UNKNOWN_TICKET))
        _tr_host_respond_error (waiting->msg, SOUP_STATUS_NOT_FOUND,
                                tr_error_code_to_string (TR_ERROR_UNKNOWN_TICKET), error->message);
      else
        _tr_host_respond_error (waiting->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                tr_error_code_to_string (TR_ERROR_STORE), error->message);
      soup_server_message_unpause (waiting->msg);
    }
  g_object_unref (waiting->msg);
  g_free (waiting);
}

void
_tr_host_handle_reprint (TrHost *self, SoupServerMessage *msg, const char *ticket_id)
{
  Waiting *waiting;

  if (*ticket_id == '\0' || strlen (ticket_id) > MAX_ID_BYTES || strchr (ticket_id, '/') != NULL)
    {
      _tr_host_respond_error (msg, SOUP_STATUS_NOT_FOUND,
                              tr_error_code_to_string (TR_ERROR_UNKNOWN_TICKET), "no such ticket");
      return;
    }
  waiting = g_new0 (Waiting, 1);
  waiting->msg = g_object_ref (msg);
  waiting->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_finished), waiting);
  soup_server_message_pause (msg);
  tr_host_reprint_async (self, ticket_id, NULL, reprint_answer_cb, waiting);
}

void
_tr_host_handle_printers (SoupServer *server, SoupServerMessage *msg, const char *path,
                          GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autofree char *station_id = NULL;
  g_autoptr (GPtrArray) infos = NULL;

  if (!_tr_host_require_exact_path (msg, path, API_PREFIX "/printers")
      || !_tr_host_require_method (msg, SOUP_METHOD_GET, NULL)
      || !_tr_host_authorize_request (self, msg, FALSE, &station_id))
    return;
  infos = tr_host_list_printers (self);
  _tr_host_respond_json_take (msg, SOUP_STATUS_OK, tr_printer_infos_to_json (infos));
}

void
_tr_host_printers_metrics (TrHost *self, GString *out)
{
  g_autoptr (GPtrArray) infos = tr_host_list_printers (self);

  tr_metrics_text_family (out, "ticketrail_printer_up", "gauge",
                          "1 when the printer took its last slip or status query, else 0.");
  for (guint i = 0; i < infos->len; i++)
    {
      const TrPrinterInfo *info = g_ptr_array_index (infos, i);
      const char *labels[] = { "printer", info->printer->name, NULL };

      tr_metrics_text_sample (out, "ticketrail_printer_up", labels,
                              info->state == TR_PRINTER_STATE_READY ? 1 : 0);
    }
  tr_metrics_text_family (out, "ticketrail_printer_pending_slips", "gauge",
                          "Slips waiting for the printer.");
  for (guint i = 0; i < infos->len; i++)
    {
      const TrPrinterInfo *info = g_ptr_array_index (infos, i);
      const char *labels[] = { "printer", info->printer->name, NULL };

      tr_metrics_text_sample (out, "ticketrail_printer_pending_slips", labels,
                              info->pending_slips);
    }
}
