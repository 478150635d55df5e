/* tr-print-worker.c: one printer's thread
 *
 * It reads the event log from the printer's cursor on its own read-only
 * connection, decides which slips each event asks for (by mode, route
 * and the journal), and for each slip:
 *
 *   1. DLE EOT 1, 2 and 4: online, cover, paper. Not ready: wait, retry;
 *   2. the slip's bytes;
 *   3. DLE EOT 1 again: its answer comes after the printer read the slip;
 *   4. the journal row, through the host's writer, durable;
 *
 * and only then the next. A restart resumes from the cursor and skips
 * what the journal has. docs/printing.md says where a slip can still be
 * printed twice (a crash between 3 and 4). Everything here blocks, with
 * timeouts and the worker's cancellable, never on the host's loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-print"

#include "config.h"

#include "tr-print-spool-private.h"

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-escpos.h"
#include "tr-op.h"
#include "tr-slip.h"

#define CONNECT_TIMEOUT_S 5
/* A printer busy cutting answers in well under a second; one that says
 * nothing for this long is stalled. */
#define IO_TIMEOUT_S 10
#define BACKOFF_MIN_MS 250
#define EVENTS_PER_READ 64

typedef struct
{
  Worker *worker;
  TrPrintSpool *spool;
  const TrPrinter *printer;
  TrStore *store;
  GSocketConnection *conn;
  guint backoff_ms;
  gint64 cursor;           /* every event up to here is handled */
  gint64 written_cursor;   /* … and the store knows it */
  TrPrinterState state;    /* without a spool (tr_print_send_slip()) */
} Run;

typedef struct
{
  TrSlip *slip;
  TrPrintRecord *record;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  tr_slip_free (job->slip);
  tr_print_record_free (job->record);
  g_free (job);
}

/* ---- State, published under the spool's lock ---- */

static void
set_state (Run *run, TrPrinterState state, const char *error)
{
  Worker *worker = run->worker;

  run->state = state;
  if (run->spool == NULL)
    return;
  g_mutex_lock (&run->spool->lock);
  if (worker->state != state)
    {
      worker->state = state;
      worker->state_since = tr_now_ms ();
      if (tr_printer_state_is_alert (state))
        g_message ("Printer %s: %s (%s)", run->printer->name, tr_printer_state_to_string (state),
                   error ? error : "");
    }
  if (g_strcmp0 (worker->last_error, error) != 0)
    {
      g_free (worker->last_error);
      worker->last_error = g_strdup (error);
    }
  _tr_print_spool_changed_locked (run->spool);
  g_mutex_unlock (&run->spool->lock);
}

static void
set_pending (Run *run, guint pending)
{
  g_mutex_lock (&run->spool->lock);
  run->worker->pending_head = run->spool->head_seq;
  if (run->worker->pending != pending)
    {
      run->worker->pending = pending;
      _tr_print_spool_changed_locked (run->spool);
    }
  g_mutex_unlock (&run->spool->lock);
}

/* Waits @ms or until stopped (FALSE). */
static gboolean
sleep_ms (Run *run, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;
  gboolean stop;

  g_mutex_lock (&run->spool->lock);
  /* A test page asked for meanwhile is tried at once: a manager who
   * pressed Print Test Page on a printer that is down hears why now. */
  while (!run->worker->stop && g_get_monotonic_time () < end
         && run->worker->test_pages.length == 0)
    g_cond_wait_until (&run->spool->cond, &run->spool->lock, end);
  stop = run->worker->stop;
  g_mutex_unlock (&run->spool->lock);
  return !stop;
}

/* ---- The wire ---- */

static void
disconnect (Run *run)
{
  if (run->conn != NULL)
    g_io_stream_close (G_IO_STREAM (run->conn), NULL, NULL);
  g_clear_object (&run->conn);
}

static gboolean
ensure_connected (Run *run, GError **error)
{
  g_autoptr (GSocketClient) client = NULL;
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (run->conn != NULL)
    return TRUE;
  if (!tr_printer_parse_address (run->printer->address, &host, &port, error))
    return FALSE;
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  run->conn = g_socket_client_connect_to_host (client, host, port, run->worker->cancellable, error);
  if (run->conn == NULL)
    return FALSE;
  g_socket_set_timeout (g_socket_connection_get_socket (run->conn), IO_TIMEOUT_S);
  return TRUE;
}

static gboolean
send_bytes (Run *run, const void *data, gsize len, GError **error)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (run->conn)), data,
                                    len, NULL, run->worker->cancellable, error);
}

static gboolean
query (Run *run, TrEscposStatusQuery which, TrPrinterStatus *status, GError **error)
{
  guint8 bytes[3];
  guint8 answer = 0;
  gssize n;

  tr_escpos_status_query (which, bytes);
  if (!send_bytes (run, bytes, sizeof bytes, error))
    return FALSE;
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (run->conn)), &answer, 1,
                           run->worker->cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "the printer closed the connection");
      return FALSE;
    }
  return tr_escpos_read_status (which, answer, status, error);
}

/* Sends @bytes once: FALSE with @error (and the state set) when the
 * printer is not there, not ready, or did not answer after it. */
static gboolean
try_print (Run *run, GBytes *bytes, GError **error)
{
  TrPrinterStatus status = { 0 };
  TrPrinterState state = TR_PRINTER_STATE_READY;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!ensure_connected (run, error) || !query (run, TR_ESCPOS_STATUS_PRINTER, &status, error)
      || !query (run, TR_ESCPOS_STATUS_OFFLINE, &status, error)
      || !query (run, TR_ESCPOS_STATUS_PAPER, &status, error))
    {
      disconnect (run);
      /* Stopped (removed, changed, the host going): not the printer's fault. */
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_state (run, TR_PRINTER_STATE_OFFLINE, (*error)->message);
      return FALSE;
    }
  if (status.cover_open)
    state = TR_PRINTER_STATE_COVER_OPEN;
  else if (status.paper_out)
    state = TR_PRINTER_STATE_PAPER_OUT;
  else if (status.offline || status.error)
    state = TR_PRINTER_STATE_OFFLINE;
  if (state != TR_PRINTER_STATE_READY)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "the printer says: %s",
                   tr_printer_state_to_string (state));
      set_state (run, state, (*error)->message);
      return FALSE;
    }
  /* The status after the slip is answered once the printer has read
   * the slip: then, and only then, it is the printer's. */
  if (!send_bytes (run, data, len, error) || !query (run, TR_ESCPOS_STATUS_PRINTER, &status, error))
    {
      disconnect (run);
      /* Stopped (removed, changed, the host going): not the printer's fault. */
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_state (run, TR_PRINTER_STATE_OFFLINE, (*error)->message);
      return FALSE;
    }
  set_state (run, TR_PRINTER_STATE_READY, NULL);
  return TRUE;
}

static void print_test_pages (Run *run);

/* Retries with backoff until printed (TRUE) or stopped (FALSE). */
static gboolean
print_until_done (Run *run, const TrSlip *slip)
{
  g_autoptr (GBytes) bytes = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);

  for (;;)
    {
      g_autoptr (GError) error = NULL;

      if (try_print (run, bytes, &error))
        {
          run->backoff_ms = BACKOFF_MIN_MS;
          return TRUE;
        }
      g_debug ("printer %s: %s; again in %u ms", run->printer->name, error->message,
               run->backoff_ms);
      if (!sleep_ms (run, run->backoff_ms))
        return FALSE;
      print_test_pages (run);
      run->backoff_ms = MIN (run->backoff_ms * 2, run->spool->backoff_max_ms);
    }
}

static void
print_test_pages (Run *run)
{
  for (;;)
    {
      GTask *task;
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (TrSlip) slip = NULL;
      TrSlipOptions options = { run->printer->columns, NULL, FALSE, NULL };

      g_mutex_lock (&run->spool->lock);
      task = g_queue_pop_head (&run->worker->test_pages);
      g_mutex_unlock (&run->spool->lock);
      if (task == NULL)
        return;
      slip = tr_slip_new_test_page (run->printer->name, run->printer->address, tr_now_ms (),
                                    &options);
      bytes = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);
      if (try_print (run, bytes, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
    }
}

static gboolean
is_stopped (Run *run)
{
  gboolean stop;

  if (run->spool == NULL)
    return FALSE;
  g_mutex_lock (&run->spool->lock);
  stop = run->worker->stop;
  g_mutex_unlock (&run->spool->lock);
  return stop;
}

/* ---- What an event asks of this printer ---- */

static TrTicket *
ticket_from_data (const char *data)
{
  g_autoptr (JsonNode) node = data != NULL ? tr_json_parse (data, -1, NULL) : NULL;

  return node != NULL ? tr_ticket_from_json (node, NULL) : NULL;
}

static char *
ticket_to_data (const TrTicket *ticket)
{
  g_autoptr (JsonNode) node = tr_ticket_to_json (ticket);

  return tr_json_to_string (node);
}

static Job *
job_new (TrSlip *slip, const char *printer, const TrTicket *ticket, const char *kind,
         const char *route, gint64 seq)
{
  Job *job = g_new0 (Job, 1);

  job->slip = slip;
  job->record = g_new0 (TrPrintRecord, 1);
  job->record->printer = g_strdup (printer);
  job->record->ticket_id = g_strdup (ticket->id);
  /* A ticket's ready chit is printed once, whatever its version. */
  job->record->version = g_str_equal (kind, TR_PRINT_KIND_READY_CHIT) ? 0 : ticket->version;
  job->record->kind = g_strdup (kind);
  job->record->route = g_strdup (route != NULL ? route : "");
  job->record->seq = seq;
  if (!g_str_equal (kind, TR_PRINT_KIND_READY_CHIT))
    job->record->data = ticket_to_data (ticket);
  return job;
}

typedef enum
{
  GATE_PRINT,
  GATE_SKIP,
  GATE_STOP,
} Gate;

/* Fallback: print while no live screen has shown @route for the grace
 * time; wait while it is shorter; skip while a screen shows it. */
static Gate
fallback_gate (Run *run, const char *route)
{
  Gate gate;

  g_mutex_lock (&run->spool->lock);
  for (;;)
    {
      gint64 since, deadline, now;

      if (run->worker->stop)
        {
          gate = GATE_STOP;
          break;
        }
      since = _tr_print_spool_uncovered_since_locked (run->spool, route);
      if (since == 0)
        {
          gate = GATE_SKIP;
          break;
        }
      deadline = since + (gint64)run->printer->grace_seconds * 1000;
      now = tr_now_ms ();
      if (now >= deadline)
        {
          gate = GATE_PRINT;
          break;
        }
      g_cond_wait_until (&run->spool->cond, &run->spool->lock,
                         g_get_monotonic_time () + (deadline - now) * 1000);
    }
  g_mutex_unlock (&run->spool->lock);
  return gate;
}

/* The slips @event asks of this printer, each not yet in the journal,
 * into @jobs; FALSE when stopped or the store failed. */
static gboolean
decide (Run *run, const TrEvent *event, GPtrArray *jobs, GError **error)
{
  const TrPrinter *printer = run->printer;
  const TrTicket *ticket = event->ticket;
  guint n_routes = g_strv_length (printer->routes);

  for (guint r = 0; r < MAX (n_routes, 1); r++)
    {
      const char *route = n_routes > 0 ? printer->routes[r] : NULL;
      TrSlipOptions options = { printer->columns, route, FALSE, NULL };
      TrSlip *slip = NULL;
      const char *kind = NULL;
      gboolean found = FALSE;

      if (printer->mode == TR_PRINTER_MODE_READY_CHIT)
        {
          if ((event->kind == TR_EVENT_TICKET_STATUS || event->kind == TR_EVENT_ITEM_STATUS)
              && ticket->status == TR_TICKET_STATUS_READY)
            {
              kind = TR_PRINT_KIND_READY_CHIT;
              if (!tr_store_journal_has (run->store, printer->name, ticket->id, 0, kind, route,
                                         &found, error))
                return FALSE;
              if (!found)
                slip = tr_slip_new_ready_chit (ticket, &options);
            }
        }
      else if (event->kind == TR_EVENT_TICKET_CREATED || event->kind == TR_EVENT_TICKET_AMENDED)
        {
          g_autoptr (TrPrintRecord) last = NULL;
          g_autoptr (GError) local_error = NULL;
          g_autoptr (TrTicket) before = NULL;

          last = tr_store_journal_last (run->store, printer->name, ticket->id, route, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (last != NULL && last->version >= ticket->version)
            continue; /* printed already (a restart) */
          before = last != NULL ? ticket_from_data (last->data) : NULL;
          /* Never printed here: the whole ticket (a fallback printer's
           * first slip, or a route's first item added by an amendment). */
          if (before == NULL)
            {
              slip = tr_slip_new_ticket (ticket, &options);
              kind = TR_PRINT_KIND_TICKET;
            }
          else
            {
              slip = tr_slip_new_amendment (before, ticket, &options);
              kind = TR_PRINT_KIND_AMENDMENT;
            }
          if (slip != NULL && printer->mode == TR_PRINTER_MODE_FALLBACK)
            switch (fallback_gate (run, route))
              {
                case GATE_STOP:
                  tr_slip_free (slip);
                  return FALSE;
                case GATE_SKIP:
                  g_clear_pointer (&slip, tr_slip_free);
                  break;
                case GATE_PRINT:
                  break;
              }
        }
      if (slip != NULL)
        g_ptr_array_add (jobs, job_new (slip, printer->name, ticket, kind, route, event->seq));
    }
  return TRUE;
}

/* ---- The loop of the thread ---- */

static gboolean
print_job (Run *run, Job *job, gint64 cursor)
{
  g_autoptr (GError) error = NULL;

  if (!print_until_done (run, job->slip))
    return FALSE;
  job->record->printed_at = tr_now_ms ();
  if (!_tr_print_spool_journal (run->spool, run->worker, g_steal_pointer (&job->record), cursor,
                                &error))
    {
      if (error != NULL)
        set_state (run, TR_PRINTER_STATE_READY, error->message);
      return FALSE;
    }
  if (cursor > run->written_cursor)
    run->written_cursor = cursor;
  g_mutex_lock (&run->spool->lock);
  run->worker->last_printed_at = tr_now_ms ();
  g_mutex_unlock (&run->spool->lock);
  return TRUE;
}

static gboolean
print_reprints (Run *run, GError **error)
{
  g_autoptr (GPtrArray) waiting = tr_store_journal_waiting (run->store, run->printer->name, error);

  if (waiting == NULL)
    return FALSE;
  for (guint i = 0; i < waiting->len; i++)
    {
      TrPrintRecord *record = g_ptr_array_index (waiting, i);
      g_autoptr (TrTicket) ticket = tr_store_get_ticket (run->store, record->ticket_id, NULL);
      TrSlipOptions options = { run->printer->columns, *record->route ? record->route : NULL, TRUE,
                                NULL };
      Job job = { NULL, NULL };

      set_pending (run, waiting->len - i);
      job.slip = ticket != NULL ? tr_slip_new_ticket (ticket, &options) : NULL;
      job.record = g_ptr_array_steal_index (waiting, i);
      g_ptr_array_insert (waiting, i, NULL);
      if (job.slip == NULL)
        {
          /* Nothing left for it there: done all the same. */
          job.record->printed_at = tr_now_ms ();
          if (!_tr_print_spool_journal (run->spool, run->worker, g_steal_pointer (&job.record), 0,
                                        error))
            return FALSE;
          continue;
        }
      if (!print_job (run, &job, 0))
        {
          tr_slip_free (job.slip);
          tr_print_record_free (job.record);
          return FALSE;
        }
      tr_slip_free (job.slip);
    }
  return TRUE;
}

/* One read of the log: TRUE to go on at once (more to read), FALSE to
 * wait for a wake-up; *@stopped when the worker was stopped. */
static gboolean
print_events (Run *run, gboolean *stopped)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  gint64 head;

  *stopped = FALSE;
  if (!print_reprints (run, &error))
    {
      if (error != NULL)
        g_warning ("Printer %s: %s", run->printer->name, error->message);
      *stopped = is_stopped (run);
      return FALSE;
    }
  events = tr_store_read_events (run->store, run->cursor, EVENTS_PER_READ, &error);
  if (events == NULL)
    {
      g_warning ("Printer %s: reading the log: %s", run->printer->name, error->message);
      return FALSE;
    }
  g_mutex_lock (&run->spool->lock);
  head = run->spool->head_seq;
  g_mutex_unlock (&run->spool->lock);
  for (guint i = 0; i < events->len; i++)
    {
      const TrEvent *event = g_ptr_array_index (events, i);
      g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (job_free);

      if (!decide (run, event, jobs, &error))
        {
          if (error != NULL)
            g_warning ("Printer %s: %s", run->printer->name, error->message);
          *stopped = error == NULL;
          return FALSE;
        }
      for (guint j = 0; j < jobs->len; j++)
        {
          set_pending (run, (guint)(jobs->len - j + MAX (head - event->seq, 0)));
          if (!print_job (run, g_ptr_array_index (jobs, j), event->seq))
            {
              /* Stopped, or the journal could not be written: then wait
               * for the next wake-up and try again from the cursor. */
              *stopped = is_stopped (run);
              return FALSE;
            }
        }
      run->cursor = event->seq;
    }
  set_pending (run, 0);
  /* Events that needed no slip: the cursor moves on, once per read. */
  if (run->cursor > run->written_cursor)
    {
      if (!_tr_print_spool_journal (run->spool, run->worker, NULL, run->cursor, &error))
        {
          *stopped = is_stopped (run);
          return FALSE;
        }
      run->written_cursor = run->cursor;
    }
  return events->len == EVENTS_PER_READ;
}

gpointer
_tr_print_worker_run (gpointer data)
{
  Worker *worker = data;
  Run run = { worker, worker->spool, worker->printer, NULL, NULL, BACKOFF_MIN_MS, 0, 0, 0 };
  g_autoptr (GError) error = NULL;
  gboolean more = TRUE;

  run.store = tr_store_open_readonly (run.spool->db_path, &error);
  if (run.store != NULL)
    run.cursor = tr_store_get_printer_cursor (run.store, run.printer->name, &error);
  if (run.store == NULL || run.cursor < 0)
    {
      if (error != NULL)
        {
          g_warning ("Printer %s: %s", run.printer->name, error->message);
          set_state (&run, TR_PRINTER_STATE_UNKNOWN, error->message);
        }
      g_clear_object (&run.store);
      /* Nothing to do but wait for the stop (removed meanwhile). */
      g_mutex_lock (&run.spool->lock);
      while (!worker->stop)
        g_cond_wait (&run.spool->cond, &run.spool->lock);
      g_mutex_unlock (&run.spool->lock);
      return NULL;
    }
  run.written_cursor = run.cursor;

  for (;;)
    {
      gboolean stopped = FALSE;

      g_mutex_lock (&run.spool->lock);
      while (!worker->stop && !worker->wake && !more && worker->test_pages.length == 0)
        g_cond_wait (&run.spool->cond, &run.spool->lock);
      worker->wake = FALSE;
      g_mutex_unlock (&run.spool->lock);
      if (worker->stop)
        break;
      print_test_pages (&run);
      more = print_events (&run, &stopped);
      if (stopped)
        break;
    }
  disconnect (&run);
  g_clear_object (&run.store);
  return NULL;
}

gboolean
tr_print_send_slip (const TrPrinter *printer, const TrSlip *slip, TrPrinterState *out_state,
                    GError **error)
{
  Worker worker = { 0 };
  Run run = { &worker, NULL, printer, NULL, NULL, BACKOFF_MIN_MS, 0, 0, TR_PRINTER_STATE_UNKNOWN };
  g_autoptr (GBytes) bytes = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);
  gboolean ok;

  worker.printer = (TrPrinter *)printer;
  ok = try_print (&run, bytes, error);
  disconnect (&run);
  if (out_state != NULL)
    *out_state = run.state;
  return ok;
}
