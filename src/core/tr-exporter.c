/* tr-exporter.c: streams the host's event log into PostgreSQL
 *
 * One thread runs the loop: look at the log's head; while PostgreSQL
 * lacks events, read a batch (tr-export-log.c) and write it with the
 * host's position in one transaction (tr-export-pg.c); when idle, sleep
 * for the poll interval or until woken. Any failure drops the
 * connection, and the next connection starts from the position stored
 * in PostgreSQL, which is right whatever the failure left behind (a
 * COMMIT whose answer was lost included).
 *
 * The thread shares nothing with the main context but a Status under a
 * mutex: it fills it in and schedules one idle on the main context,
 * which copies it into the object and notifies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-export"

#include "config.h"

#include "tr-exporter.h"

#include <glib-unix.h>
#include <unistd.h>

#include "tr-export-log.h"
#include "tr-export-pg.h"
#include "tr-export-sql.h"

#define DEFAULT_BATCH_SIZE 500
#define DEFAULT_POLL_INTERVAL_MS 200
/* Retries: 250 ms doubling up to 30 s, with jitter. */
#define RETRY_BASE_MS 250
#define RETRY_MAX_MS 30000
/* While it waits to retry, the lag it reports stays fresh. */
#define STATUS_REFRESH_MS 1000
/* The prune bound's seq needs a bisection of the log: now and then. */
#define BOUND_REFRESH_US (10 * G_USEC_PER_SEC)

typedef struct
{
  gboolean connected;
  gint64 exported_seq; /* -1: not known */
  gint64 head_seq;
  gint64 lag_events;     /* -1: not known */
  gint64 lag_seconds;    /* -1: not known */
  gint64 bound_seq;      /* the newest seq older than the prune bound */
  gint64 last_export_at; /* real time, ms; 0: never */
  char *last_error;
} Status;

struct _TrExporter
{
  GObject parent_instance;

  char *database_path;
  char *host_id;
  char *site_id;
  gboolean site_given; /* FALSE: the default, which the host may replace */
  char *site_name;
  char *conninfo;
  guint batch_size;
  guint poll_interval;
  guint prune_bound;

  GMainContext *context; /* where Status is published */
  GThread *thread;
  int wakeup[2]; /* a pipe: the thread polls [0] */
  gint quit;

  GMutex mutex;
  Status pending;          /* under mutex */
  GSource *publish_source; /* under mutex: the idle that will publish it */

  Status status; /* main context's copy */
};

G_DEFINE_FINAL_TYPE (TrExporter, tr_exporter, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_HOST_ID,
  PROP_SITE_ID,
  PROP_SITE_NAME,
  PROP_CONNINFO,
  PROP_BATCH_SIZE,
  PROP_POLL_INTERVAL,
  PROP_PRUNE_BOUND,
  PROP_CONNECTED,
  PROP_EXPORTED_SEQ,
  PROP_LAG_EVENTS,
  PROP_LAG_SECONDS,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
status_init (Status *status)
{
  *status = (Status){ .exported_seq = -1, .lag_events = -1, .lag_seconds = -1 };
}

static void
status_clear (Status *status)
{
  g_clear_pointer (&status->last_error, g_free);
}

/* ---- the main context's side ---- */

static void
publish_apply (TrExporter *self)
{
  Status next;
  Status *old = &self->status;

  g_mutex_lock (&self->mutex);
  next = self->pending;
  next.last_error = g_strdup (self->pending.last_error);
  g_clear_pointer (&self->publish_source, g_source_unref);
  g_mutex_unlock (&self->mutex);

  g_object_freeze_notify (G_OBJECT (self));
  if (old->connected != next.connected)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
  if (old->exported_seq != next.exported_seq)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTED_SEQ]);
  if (old->lag_events != next.lag_events)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAG_EVENTS]);
  if (old->lag_seconds != next.lag_seconds)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAG_SECONDS]);
  if (g_strcmp0 (old->last_error, next.last_error) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
  status_clear (old);
  *old = next;
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
publish_cb (gpointer user_data)
{
  publish_apply (user_data);
  return G_SOURCE_REMOVE;
}

/* ---- the thread ---- */

typedef struct
{
  TrExporter *self;
  TrExportLog *log;
  TrExportPg *pg;
  gint64 position; /* -1: not known */
  gint64 tail, head;
  gint64 bound_seq;
  gint64 bound_refreshed_at; /* monotonic µs; 0: never */
  gint64 last_export_at;
  guint attempt;
  gboolean failing; /* the last attempt failed: the next failure is only debug */
  char *error;
} Worker;

/* Sleeps up to @ms; TRUE unless told to quit. */
static gboolean
worker_sleep (Worker *w, guint ms)
{
  TrExporter *self = w->self;
  GPollFD fd = { self->wakeup[0], G_IO_IN, 0 };

  if (g_atomic_int_get (&self->quit))
    return FALSE;
  if (g_poll (&fd, 1, (int)ms) > 0)
    {
      char buffer[64];

      while (read (self->wakeup[0], buffer, sizeof buffer) > 0)
        ;
    }
  return !g_atomic_int_get (&self->quit);
}

static void
worker_publish (Worker *w)
{
  TrExporter *self = w->self;
  gint64 lag_events = -1;
  gint64 lag_seconds = -1;

  if (w->position >= 0 && w->log != NULL)
    {
      /* Events pruned before they could be exported will never be:
       * they are not lag. */
      gint64 from = MAX (w->position, w->tail - 1);
      gint64 next_at = 0;

      lag_events = MAX (w->head - from, 0);
      lag_seconds = 0;
      if (lag_events > 0 && tr_export_log_get_next_at (w->log, from, &next_at, NULL) && next_at > 0)
        lag_seconds = MAX ((g_get_real_time () / 1000 - next_at) / 1000, 0);
    }

  g_mutex_lock (&self->mutex);
  status_clear (&self->pending);
  self->pending.connected = w->pg != NULL && w->position >= 0;
  self->pending.exported_seq = w->position;
  self->pending.head_seq = w->head;
  self->pending.lag_events = lag_events;
  self->pending.lag_seconds = lag_seconds;
  self->pending.bound_seq = w->bound_seq;
  self->pending.last_export_at = w->last_export_at;
  self->pending.last_error = g_strdup (w->error);
  /* No reference to self: stop() destroys this source after joining the
   * thread, before the object can go. */
  if (self->publish_source == NULL)
    {
      self->publish_source = g_idle_source_new ();
      /* Not an idle priority: a busy host's loop always has work, and
       * the lag must show precisely then. */
      g_source_set_priority (self->publish_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->publish_source, publish_cb, self, NULL);
      g_source_set_static_name (self->publish_source, "[ticketrail] export status");
      g_source_attach (self->publish_source, self->context);
    }
  g_mutex_unlock (&self->mutex);
}

static void
worker_fail (Worker *w, const char *what, GError *error)
{
  /* libpq's messages say what failed already ("connecting to PostgreSQL: …"). */
  g_autofree char *message
    = what != NULL ? g_strdup_printf ("%s: %s", what, error->message) : g_strdup (error->message);

  g_clear_pointer (&w->pg, tr_export_pg_close);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (!w->failing)
        g_message ("PostgreSQL export: %s; retrying with backoff", message);
      else
        g_debug ("PostgreSQL export: %s", message);
    }
  w->failing = TRUE;
  g_free (w->error);
  w->error = g_steal_pointer (&message);
}

/* The seq below which events may be pruned even if not exported. */
static void
worker_refresh_bound (Worker *w)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cutoff = g_get_real_time () / 1000 - (gint64)w->self->prune_bound * 1000;

  if (w->bound_refreshed_at != 0 && now - w->bound_refreshed_at < BOUND_REFRESH_US)
    return;
  if (tr_export_log_last_seq_before (w->log, cutoff, &w->bound_seq, NULL))
    w->bound_refreshed_at = now;
}

static gboolean
worker_open_log (Worker *w, GError **error)
{
  if (w->log == NULL && !(w->log = tr_export_log_open (w->self->database_path, error)))
    return FALSE;
  if (!tr_export_log_get_range (w->log, &w->tail, &w->head, error))
    {
      g_clear_pointer (&w->log, tr_export_log_close);
      return FALSE;
    }
  worker_refresh_bound (w);
  return TRUE;
}

static gboolean
worker_connect (Worker *w, GError **error)
{
  TrExporter *self = w->self;
  g_autoptr (TrExportPg) pg = NULL;
  g_autoptr (GTimeZone) zone = g_time_zone_new_local ();
  gint64 position;

  pg = tr_export_pg_connect (self->conninfo, self->wakeup[0], &self->quit, error);
  if (pg == NULL || !tr_export_pg_migrate (pg, error)
      || !tr_export_pg_register (pg, self->site_id, self->site_name,
                                 g_time_zone_get_identifier (zone), self->host_id, &position,
                                 error))
    return FALSE;

  if (position > w->head)
    /* Its log was restored from a backup older than what PostgreSQL got:
     * the seqs in between will be written again with other events, and
     * PostgreSQL keeps the first ones. */
    g_warning ("PostgreSQL export: PostgreSQL has events of host %s up to seq %" G_GINT64_FORMAT
               " but its log ends at %" G_GINT64_FORMAT
               "; was this database restored from a backup? Events up to %" G_GINT64_FORMAT
               " are not exported again",
               self->host_id, position, w->head, position);
  if (w->tail > position + 1)
    g_message ("PostgreSQL export: events %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
               " were pruned from the log before they could be exported",
               position + 1, w->tail - 1);
  g_message (
    "PostgreSQL export: connected to %s as site %s; host %s resumes after seq %" G_GINT64_FORMAT,
    tr_export_pg_describe (pg), self->site_id, self->host_id, position);
  w->pg = g_steal_pointer (&pg);
  w->position = position;
  return TRUE;
}

/* One batch; FALSE with @error on failure. */
static gboolean
worker_export_batch (Worker *w, GError **error)
{
  TrExporter *self = w->self;
  g_autoptr (TrExportBatch) batch = NULL;
  gboolean conflict = FALSE;

  batch = tr_export_log_read (w->log, w->position, self->batch_size, error);
  if (batch == NULL)
    return error == NULL || *error == NULL;
  if (!tr_export_pg_write_batch (w->pg, self->site_id, self->host_id, w->position, batch, &conflict,
                                 error))
    return FALSE;
  if (conflict)
    {
      /* Another exporter of this host moved the position: start over from
       * what PostgreSQL says. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "another exporter of host %s moved its position", self->host_id);
      return FALSE;
    }
  w->position = batch->last_seq;
  w->last_export_at = g_get_real_time () / 1000;
  return TRUE;
}

static gpointer
export_thread (gpointer data)
{
  Worker w = { .self = data, .position = -1 };
  TrExporter *self = w.self;

  while (!g_atomic_int_get (&self->quit))
    {
      g_autoptr (GError) error = NULL;
      gboolean more = FALSE;

      if (!worker_open_log (&w, &error))
        worker_fail (&w, "reading the host's log", error);
      else if (w.pg == NULL && !worker_connect (&w, &error))
        worker_fail (&w, NULL, error);
      else if (w.head > w.position && !worker_export_batch (&w, &error))
        worker_fail (&w, NULL, error);
      else
        {
          if (w.failing)
            g_message ("PostgreSQL export: working again");
          w.failing = FALSE;
          w.attempt = 0;
          g_clear_pointer (&w.error, g_free);
          more = w.head > w.position;
        }
      worker_publish (&w);

      if (error != NULL)
        {
          guint delay
            = tr_export_backoff_ms (w.attempt++, RETRY_BASE_MS, RETRY_MAX_MS, g_random_int ());

          /* In slices, so that the lag it reports keeps growing. */
          while (delay > 0 && !g_atomic_int_get (&self->quit))
            {
              guint slice = MIN (delay, STATUS_REFRESH_MS);

              if (!worker_sleep (&w, slice))
                break;
              delay -= slice;
              if (w.log != NULL && tr_export_log_get_range (w.log, &w.tail, &w.head, NULL))
                {
                  worker_refresh_bound (&w);
                  worker_publish (&w);
                }
            }
        }
      else if (!more)
        worker_sleep (&w, self->poll_interval);
    }

  g_clear_pointer (&w.pg, tr_export_pg_close);
  g_clear_pointer (&w.log, tr_export_log_close);
  g_free (w.error);
  return NULL;
}

/* ---- the object ---- */

TrExporter *
tr_exporter_new (const char *database_path, const char *host_id, const char *site_id,
                 const char *conninfo)
{
  return g_object_new (TR_TYPE_EXPORTER, "database-path", database_path, "host-id", host_id,
                       "site-id", site_id, "conninfo", conninfo, NULL);
}

gboolean
tr_exporter_start (TrExporter *self, GError **error)
{
  g_return_val_if_fail (TR_IS_EXPORTER (self), FALSE);
  g_return_val_if_fail (self->database_path != NULL && self->host_id != NULL, FALSE);

  if (self->thread != NULL)
    return TRUE;
  if (!tr_export_pg_available ())
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "this build has no PostgreSQL export (meson -Dexport=enabled, "
                           "libpq-dev)");
      return FALSE;
    }
  if (!g_unix_open_pipe (self->wakeup, FD_CLOEXEC, error))
    return FALSE;
  if (!g_unix_set_fd_nonblocking (self->wakeup[0], TRUE, error)
      || !g_unix_set_fd_nonblocking (self->wakeup[1], TRUE, error))
    goto fail;

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_atomic_int_set (&self->quit, 0);
  /* The thread holds no reference: stop() joins it before anything it
   * uses can go. */
  self->thread = g_thread_try_new ("tr-exporter", export_thread, self, error);
  if (self->thread == NULL)
    goto fail;
  return TRUE;

fail:
  close (self->wakeup[0]);
  close (self->wakeup[1]);
  self->wakeup[0] = self->wakeup[1] = -1;
  return FALSE;
}

void
tr_exporter_wake (TrExporter *self)
{
  g_return_if_fail (TR_IS_EXPORTER (self));

  /* A full pipe already says "wake up". */
  if (self->wakeup[1] >= 0 && write (self->wakeup[1], "w", 1) < 0)
    return;
}

void
tr_exporter_stop (TrExporter *self)
{
  GSource *source;

  g_return_if_fail (TR_IS_EXPORTER (self));

  if (self->thread == NULL)
    return;
  g_atomic_int_set (&self->quit, 1);
  tr_exporter_wake (self);
  g_thread_join (g_steal_pointer (&self->thread));
  close (self->wakeup[0]);
  close (self->wakeup[1]);
  self->wakeup[0] = self->wakeup[1] = -1;

  g_mutex_lock (&self->mutex);
  source = g_steal_pointer (&self->publish_source);
  g_mutex_unlock (&self->mutex);
  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
  /* What it did last, even if that idle had not run yet. */
  publish_apply (self);
}

gboolean
tr_exporter_is_running (TrExporter *self)
{
  g_return_val_if_fail (TR_IS_EXPORTER (self), FALSE);
  return self->thread != NULL;
}

const char *
tr_exporter_get_site_id (TrExporter *self)
{
  g_return_val_if_fail (TR_IS_EXPORTER (self), NULL);
  return self->site_id;
}

void
tr_exporter_set_default_site (TrExporter *self, const char *site_id)
{
  g_return_if_fail (TR_IS_EXPORTER (self));
  g_return_if_fail (!tr_exporter_is_running (self));

  if (self->site_given || site_id == NULL || *site_id == '\0')
    return;
  g_free (self->site_id);
  self->site_id = g_strdup (site_id);
}

gboolean
tr_exporter_get_connected (TrExporter *self)
{
  g_return_val_if_fail (TR_IS_EXPORTER (self), FALSE);
  return self->status.connected;
}

gint64
tr_exporter_get_exported_seq (TrExporter *self)
{
  g_return_val_if_fail (TR_IS_EXPORTER (self), -1);
  return self->status.exported_seq;
}

gint64
tr_exporter_get_lag_events (TrExporter *self)
{
  g_return_val_if_fail (TR_IS_EXPORTER (self), -1);
  return self->status.lag_events;
}

gint64
tr_exporter_get_lag_seconds (TrExporter *self)
{
  g_return_val_if_fail (TR_IS_EXPORTER (self), -1);
  return self->status.lag_seconds;
}

const char *
tr_exporter_get_last_error (TrExporter *self)
{
  g_return_val_if_fail (TR_IS_EXPORTER (self), NULL);
  return self->status.last_error;
}

static gboolean
is_overdue (TrExporter *self)
{
  return self->status.bound_seq > MAX (self->status.exported_seq, 0);
}

gint64
tr_exporter_limit_prune (TrExporter *self, gint64 head_seq, gint64 keep)
{
  gint64 floor_seq;

  g_return_val_if_fail (TR_IS_EXPORTER (self), keep);

  floor_seq = tr_export_prune_floor (self->status.exported_seq, self->status.bound_seq);
  if (is_overdue (self) && head_seq - keep > MAX (self->status.exported_seq, 0))
    g_warning (
      "PostgreSQL export is more than %u days behind (in PostgreSQL up to seq %" G_GINT64_FORMAT
      ", log at %" G_GINT64_FORMAT "): pruning events up to seq %" G_GINT64_FORMAT
      " that were never exported. Check the export's connection (/api/v1/health)",
      self->prune_bound / (24 * 3600), self->status.exported_seq, head_seq,
      MIN (floor_seq, head_seq - keep));
  return MAX (keep, head_seq - floor_seq);
}

void
tr_exporter_add_health (TrExporter *self, JsonObject *health)
{
  JsonObject *export = json_object_new ();

  g_return_if_fail (TR_IS_EXPORTER (self));

  json_object_set_string_member (export, "site", self->site_id);
  json_object_set_boolean_member (export, "connected", self->status.connected);
  json_object_set_int_member (export, "exported_seq", self->status.exported_seq);
  json_object_set_int_member (export, "lag_events", self->status.lag_events);
  json_object_set_int_member (export, "lag_seconds", self->status.lag_seconds);
  json_object_set_boolean_member (export, "overdue", is_overdue (self));
  json_object_set_int_member (export, "last_export_at", self->status.last_export_at);
  /* Health needs no token (docs/security.md): the error itself, which
   * can name the server and its user, stays in the log and the monitor. */
  json_object_set_string_member (export, "state",
                                 self->status.last_error != NULL ? "retrying"
                                 : self->status.connected        ? "exporting"
                                                                 : "connecting");
  json_object_set_object_member (health, "export", export);
}

static void
test_connection_thread (GTask *task, gpointer source_object, gpointer task_data,
                        GCancellable *cancellable)
{
  GError *error = NULL;
  char *version = tr_export_pg_check (task_data, &error);

  if (version == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, version, g_free);
}

void
tr_exporter_test_connection_async (const char *conninfo, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, tr_exporter_test_connection_async);
  g_task_set_task_data (task, g_strdup (conninfo != NULL ? conninfo : ""), g_free);
  g_task_run_in_thread (task, test_connection_thread);
}

char *
tr_exporter_test_connection_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
tr_exporter_dispose (GObject *object)
{
  tr_exporter_stop (TR_EXPORTER (object));
  G_OBJECT_CLASS (tr_exporter_parent_class)->dispose (object);
}

static void
tr_exporter_finalize (GObject *object)
{
  TrExporter *self = TR_EXPORTER (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  status_clear (&self->pending);
  status_clear (&self->status);
  g_mutex_clear (&self->mutex);
  g_free (self->database_path);
  g_free (self->host_id);
  g_free (self->site_id);
  g_free (self->site_name);
  g_free (self->conninfo);
  G_OBJECT_CLASS (tr_exporter_parent_class)->finalize (object);
}

static void
tr_exporter_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrExporter *self = TR_EXPORTER (object);

  switch (prop_id)
    {
      case PROP_DATABASE_PATH:
        g_value_set_string (value, self->database_path);
        break;
      case PROP_HOST_ID:
        g_value_set_string (value, self->host_id);
        break;
      case PROP_SITE_ID:
        g_value_set_string (value, self->site_id);
        break;
      case PROP_SITE_NAME:
        g_value_set_string (value, self->site_name);
        break;
      case PROP_CONNINFO:
        g_value_set_string (value, self->conninfo);
        break;
      case PROP_BATCH_SIZE:
        g_value_set_uint (value, self->batch_size);
        break;
      case PROP_POLL_INTERVAL:
        g_value_set_uint (value, self->poll_interval);
        break;
      case PROP_PRUNE_BOUND:
        g_value_set_uint (value, self->prune_bound);
        break;
      case PROP_CONNECTED:
        g_value_set_boolean (value, self->status.connected);
        break;
      case PROP_EXPORTED_SEQ:
        g_value_set_int64 (value, self->status.exported_seq);
        break;
      case PROP_LAG_EVENTS:
        g_value_set_int64 (value, self->status.lag_events);
        break;
      case PROP_LAG_SECONDS:
        g_value_set_int64 (value, self->status.lag_seconds);
        break;
      case PROP_LAST_ERROR:
        g_value_set_string (value, self->status.last_error);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_exporter_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrExporter *self = TR_EXPORTER (object);

  switch (prop_id)
    {
      case PROP_DATABASE_PATH:
        self->database_path = g_value_dup_string (value);
        break;
      case PROP_HOST_ID:
        self->host_id = g_value_dup_string (value);
        break;
      case PROP_SITE_ID:
        self->site_id = g_value_dup_string (value);
        break;
      case PROP_SITE_NAME:
        self->site_name = g_value_dup_string (value);
        break;
      case PROP_CONNINFO:
        self->conninfo = g_value_dup_string (value);
        break;
      case PROP_BATCH_SIZE:
        self->batch_size = g_value_get_uint (value);
        break;
      case PROP_POLL_INTERVAL:
        self->poll_interval = g_value_get_uint (value);
        break;
      case PROP_PRUNE_BOUND:
        self->prune_bound = g_value_get_uint (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_exporter_constructed (GObject *object)
{
  TrExporter *self = TR_EXPORTER (object);

  G_OBJECT_CLASS (tr_exporter_parent_class)->constructed (object);

  /* The host that runs it replaces this default with the restaurant's
   * lineage (tr_exporter_set_default_site()); on its own, the restaurant
   * is its host database. */
  self->site_given = self->site_id != NULL && *self->site_id != '\0';
  if (!self->site_given)
    {
      g_free (self->site_id);
      self->site_id = g_strdup (self->host_id);
    }
  if (self->conninfo == NULL)
    self->conninfo = g_strdup ("");
}

static void
tr_exporter_class_init (TrExporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tr_exporter_dispose;
  object_class->finalize = tr_exporter_finalize;
  object_class->constructed = tr_exporter_constructed;
  object_class->get_property = tr_exporter_get_property;
  object_class->set_property = tr_exporter_set_property;

  properties[PROP_DATABASE_PATH]
    = g_param_spec_string ("database-path", NULL, NULL, NULL, construct);
  properties[PROP_HOST_ID] = g_param_spec_string ("host-id", NULL, NULL, NULL, construct);
  properties[PROP_SITE_ID] = g_param_spec_string ("site-id", NULL, NULL, NULL, construct);
  properties[PROP_SITE_NAME] = g_param_spec_string ("site-name", NULL, NULL, NULL, construct);
  properties[PROP_CONNINFO] = g_param_spec_string ("conninfo", NULL, NULL, NULL, construct);
  properties[PROP_BATCH_SIZE] = g_param_spec_uint ("batch-size", NULL, NULL, 1, TR_EXPORT_MAX_BATCH,
                                                   DEFAULT_BATCH_SIZE, construct);
  properties[PROP_POLL_INTERVAL] = g_param_spec_uint ("poll-interval", NULL, NULL, 1, 60000,
                                                      DEFAULT_POLL_INTERVAL_MS, construct);
  properties[PROP_PRUNE_BOUND] = g_param_spec_uint ("prune-bound", NULL, NULL, 60, G_MAXUINT,
                                                    TR_EXPORTER_DEFAULT_PRUNE_BOUND, construct);
  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE, readable);
  properties[PROP_EXPORTED_SEQ]
    = g_param_spec_int64 ("exported-seq", NULL, NULL, -1, G_MAXINT64, -1, readable);
  properties[PROP_LAG_EVENTS]
    = g_param_spec_int64 ("lag-events", NULL, NULL, -1, G_MAXINT64, -1, readable);
  properties[PROP_LAG_SECONDS]
    = g_param_spec_int64 ("lag-seconds", NULL, NULL, -1, G_MAXINT64, -1, readable);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, readable);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tr_exporter_init (TrExporter *self)
{
  g_mutex_init (&self->mutex);
  self->wakeup[0] = self->wakeup[1] = -1;
  status_init (&self->pending);
  status_init (&self->status);
}
