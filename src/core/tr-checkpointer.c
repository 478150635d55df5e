/* tr-checkpointer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-checkpointer"

#include "tr-checkpointer.h"

#include "tr-error.h"

/* SQLite's automatic checkpoint runs inside the COMMIT that crosses its
 * threshold: it copies the WAL into the database file and fsyncs it, which
 * on the host's main loop held every station's ack and fan-out for 10 ms
 * or more (docs/performance.md). Here the writer's COMMIT only appends to
 * the WAL, and each time the WAL has grown by @threshold_pages a thread
 * with a connection of its own copies it back in PASSIVE mode, which never
 * blocks the writer.
 *
 * A PASSIVE checkpoint only lets the WAL start over if no commit came in
 * while it ran, which under a steady stream of ops never happens, and the
 * file would grow without bound. So at @limit_pages the writer waits for
 * the thread and checkpoints inline in RESTART mode: by then the thread
 * has copied all but the last few hundred pages, so the pause is short,
 * and the WAL stays bounded. */
struct _TrCheckpointer
{
  sqlite3 *writer;
  sqlite3 *db;
  GThread *thread;
  guint threshold_pages;
  guint limit_pages;

  /* Everything below is under @mutex. @cond is broadcast whenever
   * @requested, @running or @quit changes. */
  GMutex mutex;
  GCond cond;
  gboolean requested;
  gboolean running;
  gboolean quit;
  /* WAL size when the last checkpoint started. */
  guint last_log;
  guint n_checkpoints;
  guint n_inline;
};

static gpointer
checkpointer_thread (gpointer data)
{
  TrCheckpointer *self = data;

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      int n_log = -1;
      int rc;

      while (!self->requested && !self->quit)
        g_cond_wait (&self->cond, &self->mutex);
      if (self->quit)
        break;
      self->requested = FALSE;
      self->running = TRUE;
      g_mutex_unlock (&self->mutex);

      /* BUSY only means another checkpoint (the host's TRUNCATE, or
       * another process) is running; the WAL's growth asks again. */
      rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &n_log, NULL);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
        g_debug ("checkpoint: %s", sqlite3_errmsg (self->db));

      g_mutex_lock (&self->mutex);
      self->running = FALSE;
      self->n_checkpoints++;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/* Runs on the writer's thread after each COMMIT, with the WAL's size. */
static int
wal_hook (void *data, sqlite3 *db, const char *schema, int n_pages)
{
  TrCheckpointer *self = data;
  guint pages = MAX (n_pages, 0);

  (void)db;
  g_mutex_lock (&self->mutex);
  /* The WAL started over since. */
  if (pages < self->last_log)
    self->last_log = 0;

  if (pages >= self->limit_pages)
    {
      int rc;

      while (self->running || self->requested)
        g_cond_wait (&self->cond, &self->mutex);
      self->running = TRUE;
      g_mutex_unlock (&self->mutex);

      rc = sqlite3_wal_checkpoint_v2 (self->writer, schema, SQLITE_CHECKPOINT_RESTART, NULL, NULL);

      g_mutex_lock (&self->mutex);
      self->running = FALSE;
      if (rc == SQLITE_OK)
        {
          self->n_inline++;
          self->last_log = 0;
        }
      g_cond_broadcast (&self->cond);
    }
  else if (!self->running && !self->requested && pages >= self->last_log + self->threshold_pages)
    {
      self->requested = TRUE;
      self->last_log = pages;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
  return SQLITE_OK;
}

/**
 * tr_checkpointer_start:
 * @db: the writer's connection, in WAL mode; its automatic checkpoints are
 *   turned off
 * @path: the database file, opened again for the thread
 * @full_sync: whether the database is synchronous=FULL
 * @threshold_pages: the WAL size that wakes the thread
 * @limit_pages: the WAL size at which the writer checkpoints itself
 *
 * Returns: (transfer full) (nullable): the checkpointer, or %NULL with
 *   @error set, in which case @db keeps SQLite's automatic checkpoints.
 */
TrCheckpointer *
tr_checkpointer_start (sqlite3 *db, const char *path, gboolean full_sync, guint threshold_pages,
                       guint limit_pages, GError **error)
{
  TrCheckpointer *self;
  g_autofree char *pragmas = NULL;
  int rc;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (threshold_pages > 0 && limit_pages > threshold_pages, NULL);

  self = g_new0 (TrCheckpointer, 1);
  self->writer = db;
  self->threshold_pages = threshold_pages;
  self->limit_pages = limit_pages;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  /* The thread is the only user of its connection. */
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  pragmas = g_strdup_printf ("PRAGMA synchronous = %s", full_sync ? "FULL" : "NORMAL");
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (self->db, pragmas, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_STORE, "%s: cannot open for checkpoints: %s", path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      sqlite3_close_v2 (self->db);
      g_mutex_clear (&self->mutex);
      g_cond_clear (&self->cond);
      g_free (self);
      return NULL;
    }
  /* The writer is the last to close and checkpoints then; this one must
   * not do it on the way out, under the writer's feet. */
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

  self->thread = g_thread_new ("tr-checkpointer", checkpointer_thread, self);
  /* This replaces sqlite3_wal_autocheckpoint(), which is itself a WAL hook. */
  sqlite3_wal_hook (db, wal_hook, self);
  return self;
}

/**
 * tr_checkpointer_stop:
 *
 * Joins the thread and gives the writer back SQLite's automatic
 * checkpoints. Call it before closing the writer.
 */
void
tr_checkpointer_stop (TrCheckpointer *self)
{
  if (self == NULL)
    return;

  /* Also drops our hook, which must not outlive @self. */
  sqlite3_wal_autocheckpoint (self->writer, 1000);
  g_mutex_lock (&self->mutex);
  self->quit = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_thread_join (self->thread);
  sqlite3_close_v2 (self->db);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

void
tr_checkpointer_hold (TrCheckpointer *self)
{
  g_mutex_lock (&self->mutex);
  while (self->running || self->requested)
    g_cond_wait (&self->cond, &self->mutex);
  /* The WAL hook runs on the writer's thread too, so nothing asks the
   * thread for a checkpoint while this one holds. */
  self->running = TRUE;
  g_mutex_unlock (&self->mutex);
}

void
tr_checkpointer_release (TrCheckpointer *self)
{
  g_mutex_lock (&self->mutex);
  self->running = FALSE;
  self->last_log = 0;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

/* How many checkpoints the thread ran, and the writer inline; for tests
 * and benchmarks. */
guint
tr_checkpointer_get_n_checkpoints (TrCheckpointer *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->mutex);
  n = self->n_checkpoints;
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
tr_checkpointer_get_n_inline (TrCheckpointer *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->mutex);
  n = self->n_inline;
  g_mutex_unlock (&self->mutex);
  return n;
}
