/* tr-host-maintenance.c: the host's periodic checks
 *
 * Every second: hello and heartbeat timeouts, stations gone quiet,
 * closed sockets and (now and then) revocations made by another process.
 * Every minute: WAL checkpoint, pruning the event log, the print
 * journal (slips of tickets gone from the log, after 24 h) and the
 * speed-of-service timings past 90 days, and writing when
 * stations were last seen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include "tr-error.h"
#include "tr-protocol.h"
#include "tr-service-stats.h"
#include "tr-store-printers.h"

/* Every 5 checks: revocations made by another process. */
#define REVOCATION_CHECK_TICKS 5
#define KEEP_EVENTS 100000

gboolean
_tr_host_check_cb (gpointer user_data)
{
  TrHost *self = user_data;
  gint64 now = _tr_host_monotonic_ms ();
  GHashTableIter iter;
  Station *station;

  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *conn = g_ptr_array_index (self->connections, i);

      if (conn->closing)
        continue;
      if (!conn->hello_done && !conn->catching_up
          && now - conn->opened_at >= (gint64)self->hello_timeout)
        {
          g_autofree char *message = g_strdup_printf ("no hello within %u ms", self->hello_timeout);

          _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_PROTOCOL), message,
                                    TR_CLOSE_HELLO_TIMEOUT, "no hello in time");
        }
      else if (now - conn->last_frame_at > (gint64)self->heartbeat_timeout)
        {
          g_debug ("station %s at %s silent for %" G_GINT64_FORMAT " ms: dead",
                   conn->station_id ? conn->station_id : "(before hello)", conn->address,
                   now - conn->last_frame_at);
          _tr_host_connection_close (conn, TR_CLOSE_DEAD_PEER,
                                     "no frame within the heartbeat timeout");
        }
    }

  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    _tr_host_station_maybe_disconnected (self, station);

  _tr_host_forget_closed_peers (self);

  /* `ticketrail-host revoke` writes to the store from another process. */
  /* So do `ticketrail-host revoke` and `printers`. */
  if (++self->n_checks % REVOCATION_CHECK_TICKS == 0)
    {
      if (self->require_pairing)
        _tr_host_close_revoked (self);
      _tr_host_printers_check (self);
    }

  if (self->stations_dirty)
    _tr_host_stations_changed (self);
  return G_SOURCE_CONTINUE;
}

/* The writer thread, between two commits: a checkpoint and a prune each
 * end with an fsync the loop must not wait for. */
typedef struct
{
  gint64 keep_events;
  gint64 timings_before; /* ms: speed-of-service rows older go */
  gint64 links_before;   /* ms: connection history that ended before goes */
  gint64 journal_before; /* ms: slips printed before go, once their ticket left the log */
} Pruning;

static gboolean
checkpoint_and_prune (TrStore *store, gpointer data, GError **error)
{
  const Pruning *pruning = data;
  g_autoptr (GError) checkpoint_error = NULL;

  if (!tr_store_checkpoint (store, &checkpoint_error))
    g_warning ("WAL checkpoint failed: %s", checkpoint_error->message);
  /* The timings outlive the log: a report of last month needs them. */
  return tr_store_prune_events (store, pruning->keep_events, error)
         && tr_store_prune_timings (store, pruning->timings_before, error)
         && tr_store_prune_links (store, pruning->links_before, error)
         && tr_store_prune_journal (store, pruning->journal_before, error);
}

static void
checkpoint_and_prune_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!_tr_host_write_finish (TR_HOST (source), result, &error))
    g_warning ("Pruning the event log failed: %s", error->message);
}

gboolean
_tr_host_maintenance_cb (gpointer user_data)
{
  TrHost *self = user_data;
  /* Not what PostgreSQL lacks, unless it is older than the export's
   * bound (tr-exporter.c): the exporter's state lives on this loop, so
   * the bound is taken here and the writer only prunes. */
  Pruning *pruning = g_new (Pruning, 1);

  pruning->keep_events = KEEP_EVENTS;
  if (self->exporter != NULL)
    pruning->keep_events
      = tr_exporter_limit_prune (self->exporter, self->head_seq, pruning->keep_events);
  pruning->timings_before = tr_now_ms () - TR_SERVICE_KEEP_MS;
  pruning->links_before = tr_now_ms () - TR_LINK_KEEP_MS;
  pruning->journal_before = tr_now_ms () - TR_PRINT_JOURNAL_KEEP_MS;
  /* The links still up were up now: a host that dies loses at most a
   * minute of their history. */
  _tr_host_links_flush (self, tr_now_ms ());
  _tr_host_write_async (self, checkpoint_and_prune, pruning, g_free, NULL, checkpoint_and_prune_cb,
                        NULL);
  _tr_host_write_seen (self);
  /* A full bucket is the same as none. */
  {
    GHashTableIter iter;
    Bucket *bucket;
    gint64 now = _tr_host_monotonic_ms ();

    g_hash_table_iter_init (&iter, self->buckets);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&bucket))
      if (bucket->tokens + (double)(now - bucket->updated_at) * self->ops_rate / 1000.0
          >= self->ops_burst)
        g_hash_table_iter_remove (&iter);
  }
  return G_SOURCE_CONTINUE;
}
