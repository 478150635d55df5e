/* tr-export-pg.c: the PostgreSQL side of the export, over libpq
 *
 * libpq's own calls block without a way out (PQconnectdb, PQexec), so
 * everything here is its asynchronous API driven by poll(2) on the
 * connection's socket and the exporter's wakeup pipe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-export"

#include "tr-export-pg.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include "tr-export-sql.h"
#include "tr-export-status.h"

/* Generous: a batch of 1,000 events is written in tens of ms; this only
 * catches a server or a network that went silent (then TCP keepalives
 * may take longer). */
#define STATEMENT_TIMEOUT_MS (120 * 1000)
#define CONNECT_TIMEOUT_MS (15 * 1000)

struct _TrExportPg
{
  PGconn *conn;
  int wakeup_fd;
  const gint *quit;
  char *description;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

gboolean
tr_export_pg_available (void)
{
  return TRUE;
}

static char *
trim_message (const char *message)
{
  /* libpq's messages end with a newline, and some span several lines. */
  g_autofree char *copy = g_strdup (message != NULL && *message ? message : "unknown error");

  return g_strdelimit (g_strstrip (g_steal_pointer (&copy)), "\n\t", ' ');
}

static void
set_conn_error (TrExportPg *pg, const char *what, GError **error)
{
  g_autofree char *message = trim_message (PQerrorMessage (pg->conn));

  g_set_error (error, G_IO_ERROR,
               PQstatus (pg->conn) == CONNECTION_BAD ? G_IO_ERROR_CONNECTION_CLOSED
                                                     : G_IO_ERROR_FAILED,
               "%s: %s", what, message);
}

/* "schema ticketrail already exists, skipping" and the like: libpq
 * would print them on stderr. */
static void
on_notice (void *data, const char *message)
{
  g_debug ("PostgreSQL: %s", message);
}

static void
drain (int fd)
{
  char buffer[64];

  while (read (fd, buffer, sizeof buffer) > 0)
    ;
}

/* Waits until the socket is ready for @events, the deadline passes or
 * the exporter is told to quit. Wakeups that are not a quit are drained
 * and ignored: the exporter reads the log's head again after each
 * statement anyway. */
static gboolean
wait_socket (TrExportPg *pg, short events, gint64 deadline, const char *what, GError **error)
{
  for (;;)
    {
      struct pollfd fds[2] = { { PQsocket (pg->conn), events, 0 }, { pg->wakeup_fd, POLLIN, 0 } };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      int n;

      if (fds[0].fd < 0)
        {
          set_conn_error (pg, what, error);
          return FALSE;
        }
      if (pg->quit != NULL && g_atomic_int_get (pg->quit))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s: stopped", what);
          return FALSE;
        }
      if (left <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s: no answer in %u s", what,
                       (guint)(STATEMENT_TIMEOUT_MS / 1000));
          return FALSE;
        }
      n = poll (fds, pg->wakeup_fd >= 0 ? 2 : 1, (int)MIN (left, 1000));
      if (n < 0 && errno != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: poll: %s", what,
                       g_strerror (errno));
          return FALSE;
        }
      if (n > 0 && (fds[1].revents & POLLIN))
        drain (pg->wakeup_fd);
      if (n > 0 && fds[0].revents != 0)
        return TRUE;
    }
}

static TrExportPg *
connect_unredacted (const char *conninfo, int wakeup_fd, const gint *quit, GError **error)
{
  /* The caller's string comes last and is expanded (expand_dbname), so
   * whatever it says wins over these defaults: keepalives notice a
   * silent server, and the name shows in pg_stat_activity. */
  const char *const keywords[] = { "keepalives",
                                   "keepalives_idle",
                                   "keepalives_interval",
                                   "keepalives_count",
                                   "fallback_application_name",
                                   "dbname",
                                   NULL };
  const char *const values[] = { "1", "30", "10", "3", "ticketrail-exporter", conninfo, NULL };
  g_autoptr (TrExportPg) pg = g_new0 (TrExportPg, 1);
  gint64 deadline = g_get_monotonic_time () + CONNECT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;

  pg->wakeup_fd = wakeup_fd;
  pg->quit = quit;
  pg->conn = PQconnectStartParams (keywords, values, 1);
  if (pg->conn == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libpq: out of memory");
      return NULL;
    }
  if (PQstatus (pg->conn) == CONNECTION_BAD)
    {
      set_conn_error (pg, "connecting to PostgreSQL", error);
      return NULL;
    }
  while (status != PGRES_POLLING_OK)
    {
      if (status == PGRES_POLLING_FAILED)
        {
          set_conn_error (pg, "connecting to PostgreSQL", error);
          return NULL;
        }
      if (!wait_socket (pg, status == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline,
                        "connecting to PostgreSQL", error))
        return NULL;
      status = PQconnectPoll (pg->conn);
    }
  PQsetNoticeProcessor (pg->conn, on_notice, NULL);
  if (PQsetnonblocking (pg->conn, 1) != 0)
    {
      set_conn_error (pg, "connecting to PostgreSQL", error);
      return NULL;
    }
  pg->description = g_strdup_printf ("%s@%s:%s/%s", PQuser (pg->conn), PQhost (pg->conn),
                                     PQport (pg->conn), PQdb (pg->conn));
  return g_steal_pointer (&pg);
}

TrExportPg *
tr_export_pg_connect (const char *conninfo, int wakeup_fd, const gint *quit, GError **error)
{
  GError *local_error = NULL;
  TrExportPg *pg = connect_unredacted (conninfo, wakeup_fd, quit, &local_error);

  /* libpq may quote the connection string back (a bad percent-escape,
   * an option it does not know); the message reaches the host monitor,
   * the log and the Preferences, which never show a password. */
  if (pg == NULL)
    {
      char *redacted = tr_export_redact_password (conninfo, local_error->message);

      g_free (local_error->message);
      local_error->message = redacted;
      g_propagate_error (error, local_error);
    }
  return pg;
}

void
tr_export_pg_close (TrExportPg *pg)
{
  if (pg == NULL)
    return;
  g_clear_pointer (&pg->conn, PQfinish);
  g_free (pg->description);
  g_free (pg);
}

const char *
tr_export_pg_describe (TrExportPg *pg)
{
  return pg->description;
}

/* Sends @sql (several statements when @n_params is 0 and @params NULL)
 * and returns the last result, or NULL with @error when any statement
 * failed. */
static PGresult *
exec (TrExportPg *pg, const char *sql, int n_params, const char *const *params, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + STATEMENT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  g_autoptr (PGresult) last = NULL;
  g_autofree char *failure = NULL;
  int sent;
  int flushed;

  sent = params == NULL ? PQsendQuery (pg->conn, sql)
                        : PQsendQueryParams (pg->conn, sql, n_params, NULL, params, NULL, NULL, 0);
  if (!sent)
    {
      set_conn_error (pg, "sending a statement", error);
      return NULL;
    }
  /* A batch is megabytes: the socket takes it in pieces, and the server
   * may answer (an error) before it took it all. */
  while ((flushed = PQflush (pg->conn)) == 1)
    {
      if (!wait_socket (pg, POLLOUT | POLLIN, deadline, "sending a statement", error))
        return NULL;
      if (!PQconsumeInput (pg->conn))
        {
          set_conn_error (pg, "sending a statement", error);
          return NULL;
        }
    }
  if (flushed < 0)
    {
      set_conn_error (pg, "sending a statement", error);
      return NULL;
    }

  for (;;)
    {
      PGresult *result;
      ExecStatusType status;

      while (PQisBusy (pg->conn))
        {
          if (!wait_socket (pg, POLLIN, deadline, "waiting for PostgreSQL", error))
            return NULL;
          if (!PQconsumeInput (pg->conn))
            {
              set_conn_error (pg, "waiting for PostgreSQL", error);
              return NULL;
            }
        }
      result = PQgetResult (pg->conn);
      if (result == NULL)
        break;
      status = PQresultStatus (result);
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && failure == NULL)
        {
          const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
          g_autofree char *message = trim_message (PQresultErrorMessage (result));

          failure = g_strdup_printf ("%s (SQLSTATE %s)", message, state ? state : "?");
        }
      g_clear_pointer (&last, PQclear);
      last = result;
    }
  if (failure != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, failure);
      return NULL;
    }
  if (last == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PostgreSQL returned no result");
  return g_steal_pointer (&last);
}

static gboolean
exec_command (TrExportPg *pg, const char *sql, GError **error)
{
  g_autoptr (PGresult) result = exec (pg, sql, 0, NULL, error);

  return result != NULL;
}

static gboolean
exec_int64 (TrExportPg *pg, const char *sql, int n_params, const char *const *params, gint64 *out,
            GError **error)
{
  g_autoptr (PGresult) result = exec (pg, sql, n_params, params, error);

  if (result == NULL)
    return FALSE;
  if (PQntuples (result) != 1 || PQgetisnull (result, 0, 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "expected one number from %.40s…", sql);
      return FALSE;
    }
  *out = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  return TRUE;
}

/* After a failed statement the transaction is aborted; a connection that
 * still works can be reused, one that does not is dropped by the caller
 * anyway. */
static void
rollback (TrExportPg *pg)
{
  g_autoptr (GError) error = NULL;

  if (PQstatus (pg->conn) == CONNECTION_OK && PQtransactionStatus (pg->conn) != PQTRANS_IDLE)
    exec_command (pg, "ROLLBACK", &error);
}

gboolean
tr_export_pg_migrate (TrExportPg *pg, GError **error)
{
  gint64 version;

  if (!exec_command (pg, "BEGIN", error))
    return FALSE;
  {
    g_autoptr (PGresult) locked = exec (pg, tr_export_sql_lock_schema (), 0, NULL, error);

    if (locked == NULL)
      goto fail;
  }
  if (!exec_command (pg, tr_export_sql_create_version_table (), error)
      || !exec_int64 (pg, tr_export_sql_schema_version (), 0, NULL, &version, error))
    goto fail;
  if (version > TR_EXPORT_SCHEMA_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "the ticketrail schema in PostgreSQL is version %" G_GINT64_FORMAT
                   ", newer than this host's %d: update the host",
                   version, TR_EXPORT_SCHEMA_VERSION);
      goto fail;
    }
  for (guint from = (guint)version; from < TR_EXPORT_SCHEMA_VERSION; from++)
    {
      if (!exec_command (pg, tr_export_sql_migration (from), error))
        goto fail;
      g_message ("PostgreSQL export: schema ticketrail migrated to version %u", from + 1);
    }
  return exec_command (pg, "COMMIT", error);

fail:
  rollback (pg);
  return FALSE;
}

gboolean
tr_export_pg_register (TrExportPg *pg, const char *site, const char *name, const char *time_zone,
                       const char *host_id, gint64 *out_position, GError **error)
{
  const char *site_params[] = { site, name, time_zone };
  const char *host_params[] = { host_id, site };
  g_autoptr (PGresult) result = NULL;

  if (!exec_command (pg, "BEGIN", error))
    return FALSE;
  {
    g_autoptr (PGresult) upserted = exec (pg, tr_export_sql_upsert_site (), 3, site_params, error);

    if (upserted == NULL)
      goto fail;
  }
  result = exec (pg, tr_export_sql_register_host (), 2, host_params, error);
  if (result == NULL)
    goto fail;
  if (PQntuples (result) != 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "registering the host: no row");
      goto fail;
    }
  if (g_strcmp0 (PQgetvalue (result, 0, 0), site) != 0)
    {
      /* Its events are keyed by (host_id, seq): they cannot belong to
       * two sites. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "host %s already exports as site %s, not %s; keep its site id", host_id,
                   PQgetvalue (result, 0, 0), site);
      goto fail;
    }
  *out_position = g_ascii_strtoll (PQgetvalue (result, 0, 1), NULL, 10);
  return exec_command (pg, "COMMIT", error);

fail:
  rollback (pg);
  return FALSE;
}

gboolean
tr_export_pg_write_batch (TrExportPg *pg, const char *site, const char *host_id, gint64 position,
                          const TrExportBatch *batch, gboolean *out_conflict, GError **error)
{
  g_autofree char *position_text = g_strdup_printf ("%" G_GINT64_FORMAT, position);
  g_autofree char *last_text = g_strdup_printf ("%" G_GINT64_FORMAT, batch->last_seq);
  const char *advance_params[] = { host_id, position_text, last_text };
  const char *site_params[] = { site, host_id, last_text };
  const char *tickets_params[] = { site, host_id, position_text, last_text };
  g_autofree const char **event_params = NULL;
  g_autofree char *insert = NULL;
  guint n_params = 2 + batch->values->len;

  g_return_val_if_fail (batch->n_events >= 1 && batch->n_events <= TR_EXPORT_MAX_BATCH, FALSE);

  *out_conflict = FALSE;
  if (!exec_command (pg, "BEGIN", error))
    return FALSE;

  /* First, so the row stays locked to the end: a second exporter of the
   * same host waits here, then finds the position moved. */
  {
    g_autoptr (PGresult) advanced
      = exec (pg, tr_export_sql_advance_host (), 3, advance_params, error);

    if (advanced == NULL)
      goto fail;
    if (PQntuples (advanced) == 0)
      {
        *out_conflict = TRUE;
        rollback (pg);
        return TRUE;
      }
  }

  event_params = g_new (const char *, n_params);
  event_params[0] = site;
  event_params[1] = host_id;
  for (guint i = 0; i < batch->values->len; i++)
    event_params[2 + i] = g_ptr_array_index (batch->values, i);
  insert = tr_export_sql_insert_events (batch->n_events);
  {
    g_autoptr (PGresult) inserted = exec (pg, insert, (int)n_params, event_params, error);

    if (inserted == NULL)
      goto fail;
  }
  {
    g_autoptr (PGresult) upserted
      = exec (pg, tr_export_sql_upsert_tickets (), 4, tickets_params, error);

    if (upserted == NULL)
      goto fail;
  }
  {
    g_autoptr (PGresult) site_moved
      = exec (pg, tr_export_sql_advance_site (), 3, site_params, error);

    if (site_moved == NULL)
      goto fail;
  }
  return exec_command (pg, "COMMIT", error);

fail:
  rollback (pg);
  return FALSE;
}

char *
tr_export_pg_check (const char *conninfo, GError **error)
{
  g_autoptr (TrExportPg) pg = tr_export_pg_connect (conninfo, -1, NULL, error);
  g_autoptr (PGresult) result = NULL;

  if (pg == NULL)
    return NULL;
  result = exec (pg, "SELECT version ()", 0, NULL, error);
  if (result == NULL)
    return NULL;
  return g_strdup (PQgetvalue (result, 0, 0));
}
