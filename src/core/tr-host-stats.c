/* tr-host-stats.c: GET /api/v1/stats and /api/v1/stats.csv, speed of
 * service over a range of time
 *
 * A report of a week reads thousands of rows and sorts them: not on the
 * loop, which keeps the kitchen's screens live. As the catch-up thread
 * does (tr-host-reader.c), one thread with its own read-only connection
 * reads the timings, computes the figures (tr-service-stats.c) and
 * writes the body; the loop only answers. The message stays paused
 * meanwhile; a client that hangs up first is not answered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-service-json.h"
#include "tr-service-stats.h"

#define DAY_MS ((gint64)24 * 60 * 60 * 1000)
/* Preferences' defaults (the warn-minutes and late-minutes keys of
 * the app's GSettings schema): the host has no
 * preferences of its own, so a client passes its own. */
#define DEFAULT_WARN_MINUTES 8
#define DEFAULT_LATE_MINUTES 15
#define MAX_MINUTES 240
/* Reports queued or being read at once: past this a client asking again
 * and again gets 429 rather than a queue that only grows. */
#define MAX_PENDING_REPORTS 8

typedef struct _StatsReader
{
  GThreadPool *pool;
  guint n_pending; /* the loop's: queued or running, until their callback ran */
  char *path;
  TrStoreReader *reader; /* the thread's alone; opened by its first job */
} StatsReader;

typedef struct
{
  SoupServerMessage *msg; /* NULL: tr_host_get_stats_async(), answered with the report */
  gulong finished_id;
  gboolean finished; /* the client went away: never answer */
  gboolean csv;
  gint64 from;
  gint64 to;
  gint64 warn_ms;
  gint64 late_ms;
  gint64 now;
} StatsJob;

static void
stats_job_free (gpointer data)
{
  StatsJob *job = data;

  if (job->msg != NULL)
    g_clear_signal_handler (&job->finished_id, job->msg);
  g_clear_object (&job->msg);
  g_free (job);
}

static char *
build_json (const StatsJob *job, GPtrArray *tickets, GPtrArray *items)
{
  g_autoptr (TrServiceReport) report
    = tr_service_report_new (tickets, items, job->warn_ms, job->late_ms, job->now, NULL);
  g_autoptr (JsonNode) root = NULL;

  report->from = job->from;
  report->to = job->to;
  root = tr_service_report_to_json (report);
  return tr_json_to_string (root);
}

/* RFC 4180, and a cell a spreadsheet would take for a formula (a table
 * named "=HYPERLINK(…)" typed on a POS) is kept text with a quote. */
static void
append_csv_text (GString *out, const char *text)
{
  if (text == NULL)
    return;
  g_string_append_c (out, '"');
  if (strchr ("=+-@\t\r", text[0]) != NULL && text[0] != '\0')
    g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_csv_time (GString *out, gint64 ms)
{
  g_autoptr (GDateTime) time = ms > 0 ? g_date_time_new_from_unix_utc (ms / 1000) : NULL;
  g_autofree char *text = time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%S") : NULL;

  if (text != NULL)
    g_string_append_printf (out, "%s.%03dZ", text, (int)(ms % 1000));
}

static void
append_csv_ms (GString *out, gint64 ms)
{
  if (ms >= 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, ms);
}

static const char *
status_word (const TrTicketTiming *timing)
{
  if (timing->cancelled_at > 0)
    return "cancelled";
  if (timing->served_at > 0)
    return "served";
  if (timing->ready_at > 0)
    return "ready";
  return "open";
}

static char *
build_csv (const StatsJob *job, GPtrArray *tickets)
{
  GString *out = g_string_new ("number,table,order_type,created,started,ready,served,"
                               "start_time_ms,ready_time_ms,wait_time_ms,late,status\r\n");

  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicketTiming *t = g_ptr_array_index (tickets, i);
      TrLateness lateness = tr_ticket_timing_lateness (t, job->warn_ms, job->late_ms, job->now);

      g_string_append_printf (out, "%d,", t->number);
      append_csv_text (out, t->table);
      g_string_append_printf (out, ",%s,", tr_order_type_to_string (t->order_type));
      append_csv_time (out, t->created_at);
      g_string_append_c (out, ',');
      append_csv_time (out, t->started_at);
      g_string_append_c (out, ',');
      append_csv_time (out, t->ready_at);
      g_string_append_c (out, ',');
      append_csv_time (out, t->served_at);
      g_string_append_c (out, ',');
      append_csv_ms (out, tr_ticket_timing_start_ms (t));
      g_string_append_c (out, ',');
      append_csv_ms (out, tr_ticket_timing_ready_ms (t));
      g_string_append_c (out, ',');
      append_csv_ms (out, tr_ticket_timing_wait_ms (t));
      g_string_append_printf (out, ",%d,%s\r\n", lateness == TR_LATENESS_LATE ? 1 : 0,
                              status_word (t));
    }
  return g_string_free (out, FALSE);
}

/* The stats thread. */
static void
stats_run (gpointer task_data, gpointer pool_data)
{
  g_autoptr (GTask) task = task_data;
  StatsReader *self = pool_data;
  StatsJob *job = g_task_get_task_data (task);
  g_autoptr (GPtrArray) tickets
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_timing_free);
  g_autoptr (GPtrArray) items
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_item_timing_free);
  GError *error = NULL;

  if (self->reader == NULL)
    self->reader = tr_store_reader_open (self->path, &error);
  if (self->reader == NULL
      || !tr_store_reader_list_timings (self->reader, job->from, job->to, tickets, items, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->msg == NULL)
    {
      TrServiceReport *report
        = tr_service_report_new (tickets, items, job->warn_ms, job->late_ms, job->now, NULL);

      report->from = job->from;
      report->to = job->to;
      g_task_return_pointer (task, report, (GDestroyNotify)tr_service_report_free);
      return;
    }
  g_task_return_pointer (
    task, job->csv ? build_csv (job, tickets) : build_json (job, tickets, items), g_free);
}

static void
stats_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StatsJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *body = g_task_propagate_pointer (G_TASK (result), &error);
  TrHost *self = TR_HOST (source);
  SoupMessageHeaders *headers;

  if (self->stats_reader != NULL && self->stats_reader->n_pending > 0)
    self->stats_reader->n_pending--;
  /* After tr_host_stop() the server that paused it is gone. */
  if (job->finished || !self->running)
    return;
  if (body == NULL)
    {
      g_warning ("Reading the speed-of-service figures failed: %s", error->message);
      _tr_host_respond_error (job->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                              tr_error_code_to_string (TR_ERROR_STORE), error->message);
    }
  else if (!job->csv)
    _tr_host_respond_json_take (job->msg, SOUP_STATUS_OK, g_steal_pointer (&body));
  else
    {
      headers = soup_server_message_get_response_headers (job->msg);
      soup_message_headers_replace (headers, "Cache-Control", "no-store");
      soup_message_headers_replace (headers, "Content-Disposition",
                                    "attachment; filename=\"ticketrail-stats.csv\"");
      soup_server_message_set_status (job->msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (job->msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE, body,
                                        strlen (body));
      body = NULL;
    }
  soup_server_message_unpause (job->msg);
}

static void
on_job_finished (SoupServerMessage *msg, gpointer user_data)
{
  StatsJob *job = user_data;

  job->finished = TRUE;
}

static gboolean
stats_start (TrHost *self, GError **error)
{
  StatsReader *reader;

  if (self->stats_reader != NULL)
    return TRUE;
  reader = g_new0 (StatsReader, 1);
  reader->path = g_strdup (tr_store_get_path (self->store));
  reader->pool = g_thread_pool_new (stats_run, reader, 1, TRUE, error);
  if (reader->pool == NULL)
    {
      g_free (reader->path);
      g_free (reader);
      return FALSE;
    }
  self->stats_reader = reader;
  return TRUE;
}

void
_tr_host_stats_stop (TrHost *self)
{
  StatsReader *reader = g_steal_pointer (&self->stats_reader);

  if (reader == NULL)
    return;
  /* Queued reports are read first; their answers go to messages the
   * server has let go, which are marked finished. */
  g_thread_pool_free (reader->pool, FALSE, TRUE);
  g_clear_pointer (&reader->reader, tr_store_reader_free);
  g_free (reader->path);
  g_free (reader);
}

static gboolean
parse_minutes (GHashTable *query, const char *name, gint64 fallback, gint64 *out_ms)
{
  gint64 minutes;

  if (!_tr_host_parse_query_int (query, name, fallback, &minutes) || minutes < 1
      || minutes > MAX_MINUTES)
    return FALSE;
  *out_ms = minutes * 60 * 1000;
  return TRUE;
}

void
_tr_host_handle_stats (SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *paired_id = NULL;
  gboolean csv = g_str_equal (path, API_PREFIX "/stats.csv");
  gint64 now = tr_now_ms ();
  StatsJob *job;
  GTask *task;

  if ((!csv && !_tr_host_require_exact_path (msg, path, API_PREFIX "/stats"))
      || !_tr_host_require_method (msg, SOUP_METHOD_GET, NULL)
      || !_tr_host_authorize_request (self, msg, FALSE, &paired_id))
    return;

  job = g_new0 (StatsJob, 1);
  job->csv = csv;
  job->now = now;
  if (!_tr_host_parse_query_int (query, "to", now, &job->to)
      || !_tr_host_parse_query_int (query, "from", MAX (job->to - DAY_MS, 0), &job->from)
      || job->from >= job->to)
    {
      g_free (job);
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "from, to: ms since the epoch, from before to");
      return;
    }
  if (!parse_minutes (query, "warn_minutes", DEFAULT_WARN_MINUTES, &job->warn_ms)
      || !parse_minutes (query, "late_minutes", DEFAULT_LATE_MINUTES, &job->late_ms))
    {
      g_free (job);
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "warn_minutes, late_minutes: 1 to 240");
      return;
    }
  if (!stats_start (self, &error))
    {
      g_free (job);
      _tr_host_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", error->message);
      return;
    }
  if (self->stats_reader->n_pending >= MAX_PENDING_REPORTS)
    {
      g_free (job);
      _tr_host_respond_error (msg, HTTP_TOO_MANY_REQUESTS, tr_error_code_to_string (TR_ERROR_LIMIT),
                              "too many reports being read; retry later");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "1");
      return;
    }

  job->msg = g_object_ref (msg);
  job->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_job_finished), job);
  soup_server_message_pause (msg);
  /* The result comes back to the host's context (see tr-host-writer.c). */
  g_main_context_push_thread_default (self->context);
  task = g_task_new (self, NULL, stats_done_cb, NULL);
  g_main_context_pop_thread_default (self->context);
  g_task_set_task_data (task, job, stats_job_free);
  self->stats_reader->n_pending++;
  if (!g_thread_pool_push (self->stats_reader->pool, task, &error))
    g_error ("Cannot queue a speed-of-service report: %s", error->message);
}

void
tr_host_get_stats_async (TrHost *self, gint64 from, gint64 to, gint64 warn_ms, gint64 late_ms,
                         GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  StatsJob *job;

  g_return_if_fail (TR_IS_HOST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_host_get_stats_async);
  if (from < 0 || from >= to || warn_ms < 1 || late_ms < 1)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID,
                               "from, to: ms since the epoch, from before to");
      return;
    }
  /* After tr_host_stop() nothing would stop a new thread again. */
  if (!self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "the host is not running");
      return;
    }
  if (!stats_start (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job = g_new0 (StatsJob, 1);
  job->from = from;
  job->to = to;
  job->warn_ms = warn_ms;
  job->late_ms = late_ms;
  job->now = tr_now_ms ();
  g_task_set_task_data (task, job, stats_job_free);
  /* Not counted in n_pending: that limit is for clients over HTTP, and
   * this station's own view asks one at a time. The thread owns the
   * task's reference from here. */
  if (!g_thread_pool_push (self->stats_reader->pool, g_steal_pointer (&task), &error))
    g_error ("Cannot queue a speed-of-service report: %s", error->message);
}

TrServiceReport *
tr_host_get_stats_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
