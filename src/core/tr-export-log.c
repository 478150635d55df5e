/* tr-export-log.c: the host's event log, as the exporter reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-export"

#include "tr-export-log.h"

#include <sqlite3.h>

#include "tr-error.h"
#include "tr-export-sql.h"

/* A read waits this long for the writer's WAL recovery, not for commits:
 * in WAL mode a reader never waits for a writer. */
#define BUSY_TIMEOUT_MS 5000

struct _TrExportLog
{
  sqlite3 *db;
  char *path;
  sqlite3_stmt *range;
  sqlite3_stmt *read;
  sqlite3_stmt *next_at;
};

void
tr_export_batch_free (TrExportBatch *batch)
{
  if (batch == NULL)
    return;
  g_ptr_array_unref (batch->values);
  g_free (batch);
}

static gboolean
fail (TrExportLog *log, const char *what, GError **error)
{
  g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: %s: %s", log->path, what,
               sqlite3_errmsg (log->db));
  return FALSE;
}

static gboolean
prepare (TrExportLog *log, const char *sql, sqlite3_stmt **out, GError **error)
{
  if (sqlite3_prepare_v3 (log->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
    return fail (log, "preparing a read of the log", error);
  return TRUE;
}

TrExportLog *
tr_export_log_open (const char *path, GError **error)
{
  g_autoptr (TrExportLog) log = g_new0 (TrExportLog, 1);

  g_return_val_if_fail (path != NULL, NULL);

  log->path = g_strdup (path);
  /* READONLY: this connection can never write the host's file, whatever
   * a bug here would try. */
  if (sqlite3_open_v2 (path, &log->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)
      != SQLITE_OK)
    {
      fail (log, "opening the log read-only", error);
      return NULL;
    }
  sqlite3_busy_timeout (log->db, BUSY_TIMEOUT_MS);
  if (!prepare (log, "SELECT IFNULL (MIN (seq), 0), IFNULL (MAX (seq), 0) FROM events", &log->range,
                error)
      || !prepare (log,
                   "SELECT seq, at, kind, op_id, station_id, ticket_id, data FROM events"
                   " WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                   &log->read, error)
      || !prepare (log, "SELECT at FROM events WHERE seq > ?1 ORDER BY seq LIMIT 1", &log->next_at,
                   error))
    return NULL;
  return g_steal_pointer (&log);
}

void
tr_export_log_close (TrExportLog *log)
{
  if (log == NULL)
    return;
  sqlite3_finalize (log->range);
  sqlite3_finalize (log->read);
  sqlite3_finalize (log->next_at);
  sqlite3_close (log->db);
  g_free (log->path);
  g_free (log);
}

gboolean
tr_export_log_get_range (TrExportLog *log, gint64 *out_tail, gint64 *out_head, GError **error)
{
  int rc = sqlite3_step (log->range);
  gboolean ok = rc == SQLITE_ROW;

  if (ok)
    {
      *out_tail = sqlite3_column_int64 (log->range, 0);
      *out_head = sqlite3_column_int64 (log->range, 1);
    }
  else
    fail (log, "reading the log's range", error);
  /* Reset at once: a statement left running would pin its snapshot and
   * hold back the host's checkpoints. */
  sqlite3_reset (log->range);
  return ok;
}

static char *
column_text (sqlite3_stmt *stmt, int column)
{
  const char *text = (const char *)sqlite3_column_text (stmt, column);

  return g_strdup (text != NULL ? text : "");
}

TrExportBatch *
tr_export_log_read (TrExportLog *log, gint64 after_seq, guint limit, GError **error)
{
  g_autoptr (TrExportBatch) batch = g_new0 (TrExportBatch, 1);
  int rc;

  batch->values = g_ptr_array_new_full (limit * TR_EXPORT_EVENT_PARAMS, g_free);
  sqlite3_bind_int64 (log->read, 1, after_seq);
  sqlite3_bind_int64 (log->read, 2, limit);
  while ((rc = sqlite3_step (log->read)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (log->read, 0);
      gint64 at = sqlite3_column_int64 (log->read, 1);

      if (batch->n_events == 0)
        {
          batch->first_seq = seq;
          batch->first_at = at;
        }
      batch->last_seq = seq;
      batch->n_events++;
      /* The order of tr_export_sql_insert_events()'s VALUES. */
      g_ptr_array_add (batch->values, g_strdup_printf ("%" G_GINT64_FORMAT, seq));
      g_ptr_array_add (batch->values, g_strdup_printf ("%" G_GINT64_FORMAT, at));
      g_ptr_array_add (batch->values, column_text (log->read, 2));
      g_ptr_array_add (batch->values, column_text (log->read, 3));
      g_ptr_array_add (batch->values, column_text (log->read, 4));
      g_ptr_array_add (batch->values, column_text (log->read, 5));
      g_ptr_array_add (batch->values, column_text (log->read, 6));
    }
  if (rc != SQLITE_DONE)
    {
      fail (log, "reading the log", error);
      sqlite3_reset (log->read);
      return NULL;
    }
  sqlite3_reset (log->read);
  if (batch->n_events == 0)
    return NULL;
  return g_steal_pointer (&batch);
}

gboolean
tr_export_log_get_next_at (TrExportLog *log, gint64 after_seq, gint64 *out_at, GError **error)
{
  int rc;

  sqlite3_bind_int64 (log->next_at, 1, after_seq);
  rc = sqlite3_step (log->next_at);
  *out_at = rc == SQLITE_ROW ? sqlite3_column_int64 (log->next_at, 0) : 0;
  sqlite3_reset (log->next_at);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return fail (log, "reading an event's time", error);
  return TRUE;
}

gboolean
tr_export_log_last_seq_before (TrExportLog *log, gint64 cutoff_ms, gint64 *out_seq, GError **error)
{
  gint64 lo, hi;

  /* Invariant: every seq below lo was applied before the cutoff, every
   * seq from hi up at or after it (hi = head + 1 when none is). */
  if (!tr_export_log_get_range (log, &lo, &hi, error))
    return FALSE;
  if (hi == 0)
    {
      *out_seq = 0;
      return TRUE;
    }
  hi++;
  while (lo < hi)
    {
      gint64 mid = lo + (hi - lo) / 2;
      gint64 at;

      /* The first event at mid or after: the log has no holes above
       * its tail, but a read must not depend on it. */
      if (!tr_export_log_get_next_at (log, mid - 1, &at, error))
        return FALSE;
      if (at != 0 && at < cutoff_ms)
        lo = mid + 1;
      else
        hi = mid;
    }
  *out_seq = lo - 1 > 0 ? lo - 1 : 0;
  return TRUE;
}
