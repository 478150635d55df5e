/* tr-host-reader.c: the catch-up thread and the frames it shares
 *
 * A station that comes back thousands of events behind needs megabytes
 * of frames. Read and encoded on the loop, ten of them held it for
 * 1.67 s, one after the other. Here one thread with its own read-only
 * connection reads the events and builds the frames, off the loop, and
 * keeps what it built: the stations that ask for the same range (a
 * reconnect storm asks for the same events hundreds of times) get the
 * same frames, built once. A range is cut into segments at multiples of
 * EVENTS_PER_FRAME (one partial segment at each end), so stations with
 * different starting points still share the middle. The loop only
 * sends, in order, then what was fanned out meanwhile, then lets the
 * station join the live stream.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <string.h>

#include "tr-error.h"
#include "tr-protocol.h"

/* As the frames of tr-host-catchup.c. */
#define SEGMENT_EVENTS 1000
/* Past this the cache starts over: frames are rebuilt from the file. */
#define FRAME_CACHE_MAX_BYTES (64 * 1024 * 1024)
#define SNAPSHOT_CLOSED_WINDOW_MS ((gint64)24 * 60 * 60 * 1000)

typedef struct _CatchUpReader
{
  GThreadPool *pool;
  /* The reader thread's alone. */
  TrStoreReader *reader;
  GHashTable *segments; /* "first:last" → GPtrArray of CatchUpFrame* (shared) */
  gsize cached_bytes;
} CatchUpReader;

typedef struct
{
  GBytes *text; /* NUL included, for soup_websocket_connection_send_text() */
  gint64 first_seq;
  gint64 last_seq;
} CatchUpFrame;

typedef struct
{
  Connection *conn;
  gboolean snapshot;
  gint64 after;
  gint64 last;
  /* The reader thread's answer */
  GPtrArray *frames; /* GPtrArray of CatchUpFrame*, one per segment, shared with the cache */
  gint64 snapshot_seq;
} CatchUpJob;

static void
catch_up_frame_free (gpointer data)
{
  CatchUpFrame *frame = data;

  g_bytes_unref (frame->text);
  g_free (frame);
}

static void
catch_up_job_free (gpointer data)
{
  CatchUpJob *job = data;

  g_clear_pointer (&job->conn, _tr_host_connection_unref);
  g_clear_pointer (&job->frames, g_ptr_array_unref);
  g_free (job);
}

static void
keep_frame (const char *text, gint64 first_seq, gint64 last_seq, gpointer user_data)
{
  GPtrArray *frames = user_data;
  CatchUpFrame *frame = g_new0 (CatchUpFrame, 1);

  frame->text = g_bytes_new (text, strlen (text) + 1);
  frame->first_seq = first_seq;
  frame->last_seq = last_seq;
  g_ptr_array_add (frames, frame);
}

/* The frames of first … last, from the cache or built now. */
static GPtrArray *
segment_frames (CatchUpReader *self, gint64 first, gint64 last, GError **error)
{
  g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, first, last);
  GPtrArray *frames = g_hash_table_lookup (self->segments, key);
  g_autoptr (GPtrArray) json = NULL;
  g_autoptr (GArray) seqs = NULL;
  gsize bytes = 0;

  if (frames != NULL)
    return g_ptr_array_ref (frames);

  json = g_ptr_array_new_with_free_func (g_free);
  seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!tr_store_reader_read_event_json (self->reader, first - 1, last, 0, json, seqs, error))
    return NULL;
  frames = g_ptr_array_new_with_free_func (catch_up_frame_free);
  _tr_host_build_event_frames (json, seqs, keep_frame, frames);

  /* Only a whole segment is kept: a pruned log gives a short one. */
  if (seqs->len != (guint)(last - first + 1))
    return frames;
  for (guint i = 0; i < frames->len; i++)
    bytes += g_bytes_get_size (((CatchUpFrame *)g_ptr_array_index (frames, i))->text);
  if (self->cached_bytes + bytes > FRAME_CACHE_MAX_BYTES)
    {
      g_hash_table_remove_all (self->segments);
      self->cached_bytes = 0;
    }
  if (bytes <= FRAME_CACHE_MAX_BYTES)
    {
      g_hash_table_insert (self->segments, g_steal_pointer (&key), g_ptr_array_ref (frames));
      self->cached_bytes += bytes;
    }
  return frames;
}

static gboolean
read_events (CatchUpReader *self, CatchUpJob *job, GError **error)
{
  gint64 first = job->after + 1;

  job->frames = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  while (first <= job->last)
    {
      gint64 segment_end = ((first - 1) / SEGMENT_EVENTS + 1) * SEGMENT_EVENTS;
      gint64 last = MIN (segment_end, job->last);
      GPtrArray *frames = segment_frames (self, first, last, error);

      if (frames == NULL)
        return FALSE;
      g_ptr_array_add (job->frames, frames);
      first = last + 1;
    }
  return TRUE;
}

static gboolean
read_snapshot (CatchUpReader *self, CatchUpJob *job, GError **error)
{
  g_autoptr (GPtrArray) tickets = tr_store_reader_list_tickets (
    self->reader, tr_now_ms () - SNAPSHOT_CLOSED_WINDOW_MS, &job->snapshot_seq, error);
  char *text;
  GPtrArray *frames;
  CatchUpFrame *frame;

  if (tickets == NULL)
    return FALSE;
  text = tr_frame_build_snapshot (job->snapshot_seq, tickets);
  frame = g_new0 (CatchUpFrame, 1);
  frame->text = g_bytes_new_take (text, strlen (text) + 1);
  frames = g_ptr_array_new_with_free_func (catch_up_frame_free);
  g_ptr_array_add (frames, frame);
  job->frames = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  g_ptr_array_add (job->frames, frames);
  return TRUE;
}

static void
reader_run (gpointer task_data, gpointer pool_data)
{
  g_autoptr (GTask) task = task_data;
  CatchUpReader *self = pool_data;
  CatchUpJob *job = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok = job->snapshot ? read_snapshot (self, job, &error) : read_events (self, job, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

gboolean
_tr_host_reader_start (TrHost *self, GError **error)
{
  CatchUpReader *reader;

  if (self->catch_up_reader != NULL)
    return TRUE;
  reader = g_new0 (CatchUpReader, 1);
  if (!(reader->reader = tr_store_reader_open (tr_store_get_path (self->store), error)))
    {
      g_free (reader);
      return FALSE;
    }
  reader->segments
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  reader->pool = g_thread_pool_new (reader_run, reader, 1, TRUE, error);
  if (reader->pool == NULL)
    {
      tr_store_reader_free (reader->reader);
      g_hash_table_unref (reader->segments);
      g_free (reader);
      return FALSE;
    }
  self->catch_up_reader = reader;
  return TRUE;
}

void
_tr_host_reader_stop (TrHost *self)
{
  CatchUpReader *reader = g_steal_pointer (&self->catch_up_reader);

  if (reader == NULL)
    return;
  /* Every queued catch-up is read first; their results find their
   * connections closed. */
  g_thread_pool_free (reader->pool, FALSE, TRUE);
  tr_store_reader_free (reader->reader);
  g_hash_table_unref (reader->segments);
  g_free (reader);
}

static void
send_frame (Connection *conn, const CatchUpFrame *frame)
{
  _tr_host_connection_send (conn, g_bytes_get_data (frame->text, NULL));
}

static void
send_splice_frame (const char *text, gint64 first_seq, gint64 last_seq, gpointer user_data)
{
  Connection *conn = user_data;

  _tr_host_connection_send (conn, text);
  conn->sent_seq = last_seq;
}

static void
catch_up_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrHost *self = TR_HOST (source);
  CatchUpJob *job = user_data;
  Connection *conn = job->conn;
  g_autoptr (GError) error = NULL;

  g_assert (self->n_catch_ups > 0);
  self->n_catch_ups--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("Catch-up for station %s failed: %s", conn->station_id, error->message);
      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_STORE), error->message,
                                1011, "host store failure");
      return;
    }
  if (conn->host == NULL || !_tr_host_connection_is_open (conn))
    return;

  for (guint i = 0; i < job->frames->len; i++)
    {
      GPtrArray *frames = g_ptr_array_index (job->frames, i);

      for (guint j = 0; j < frames->len; j++)
        {
          const CatchUpFrame *frame = g_ptr_array_index (frames, j);

          if (!job->snapshot && frame->last_seq <= conn->sent_seq)
            continue;
          send_frame (conn, frame);
          conn->sent_seq = job->snapshot ? job->snapshot_seq : frame->last_seq;
        }
    }

  /* Spliced into the live stream: what was fanned out while this was
   * read comes from the recent events (a few commits' worth), in this
   * same callback, so nothing live slips in between. */
  while (conn->sent_seq < self->head_seq && _tr_host_connection_is_open (conn))
    {
      g_autoptr (GPtrArray) json = g_ptr_array_new ();
      g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));

      if (!_tr_host_collect_events (self, conn->sent_seq, self->head_seq, SEGMENT_EVENTS, json,
                                    owned, seqs, &error))
        {
          _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_STORE), error->message,
                                    1011, "host store failure");
          return;
        }
      if (json->len == 0)
        break;
      _tr_host_build_event_frames (json, seqs, send_splice_frame, conn);
    }
  if (_tr_host_connection_is_open (conn))
    _tr_host_connection_go_live (self, conn);
}

void
_tr_host_catch_up_async (TrHost *self, Connection *conn, gboolean snapshot, gint64 after,
                         gint64 last)
{
  CatchUpJob *job = g_new0 (CatchUpJob, 1);
  g_autoptr (GError) error = NULL;
  GTask *task;

  g_assert (self->catch_up_reader != NULL);

  job->conn = _tr_host_connection_ref (conn);
  job->snapshot = snapshot;
  job->after = after;
  job->last = last;
  conn->catching_up = TRUE;
  /* The result comes back to the host's context (see tr-host-writer.c). */
  g_main_context_push_thread_default (self->context);
  task = g_task_new (self, NULL, catch_up_done_cb, job);
  g_main_context_pop_thread_default (self->context);
  g_task_set_task_data (task, job, catch_up_job_free);
  self->n_catch_ups++;
  if (!g_thread_pool_push (self->catch_up_reader->pool, task, &error))
    g_error ("Cannot queue a catch-up: %s", error->message);
}
