/* tr-host-catchup.c: catch-up, snapshots and the cache of event JSON
 *
 * What a station that (re)connects is sent: the events it missed, or a
 * snapshot when it cannot resume, for WebSocket and long-poll alike.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-protocol.h"

/* An events frame holds at most this many events, or stops growing past
 * this many bytes (one event is a whole ticket, so a frame can still be
 * larger when a single ticket is). */
#define EVENTS_PER_FRAME 1000
#define EVENTS_FRAME_SOFT_BYTES (256 * 1024)

/* The event cache's byte cap bounds its memory whatever the size of
 * the tickets. */
#define EVENT_CACHE_MAX_BYTES (4 * 1024 * 1024)

/* Snapshots carry every open ticket and every closed one touched within
 * this window, so that a host running for months does not send its
 * whole history to each new station. */
#define SNAPSHOT_CLOSED_WINDOW_MS ((gint64)24 * 60 * 60 * 1000)

gboolean
_tr_host_needs_snapshot (TrHost *self, gint64 since, const char *since_op, const char *host_id,
                         gint64 head, gint64 tail)
{
  g_autoptr (TrEvent) event = NULL;

  if (since == 0)
    return TRUE;
  if (host_id != NULL && *host_id != '\0' && g_strcmp0 (host_id, self->db_id) != 0)
    return TRUE;
  /* since + 1 must still be in the log. */
  if (since < tail - 1)
    return TRUE;
  /* Ahead of us: it followed a host that had more, e.g. a restored backup. */
  if (since > head)
    return TRUE;
  /* Our event @since came from another op: a restored backup that went
   * on differently reuses seqs (issue 18, 5). Unknown (pruned, or no
   * since_op): the seq is all there is to go by. The loop's reader, not
   * the writer's store: the writer thread owns that connection. */
  if (since_op != NULL && *since_op != '\0')
    event = tr_store_reader_get_event (self->reader, since, NULL);
  return event != NULL && g_strcmp0 (event->op_id, since_op) != 0;
}

/* Read from the file, not from the writer: the tickets and the head
 * they match may be ahead of the loop's head (a commit whose fsync
 * returned but whose result is not back yet), never behind it. */
static GPtrArray *
snapshot_tickets (TrHost *self, gint64 *out_seq, GError **error)
{
  return tr_store_reader_list_tickets (self->reader, tr_now_ms () - SNAPSHOT_CLOSED_WINDOW_MS,
                                       out_seq, error);
}

/* The log's tail and the file's head, read together. */
gboolean
_tr_host_read_log_bounds (TrHost *self, gint64 *out_tail, gint64 *out_head, GError **error)
{
  gboolean ok;

  if (!tr_store_reader_begin (self->reader, error))
    return FALSE;
  *out_tail = tr_store_reader_get_tail_seq (self->reader, error);
  ok = *out_tail >= 0 && (*out_head = tr_store_reader_get_head_seq (self->reader, error)) >= 0;
  tr_store_reader_end (self->reader);
  /* The loop's head is never ahead of the file's. */
  if (ok)
    *out_head = MAX (*out_head, self->head_seq);
  return ok;
}

/* Events never change once committed, so a seq names its JSON for as
 * long as this host has its store. */
static const char *
event_cache_lookup (TrHost *self, gint64 seq)
{
  guint slot = (guint)(seq % EVENT_CACHE_SLOTS);

  return self->event_cache[slot].seq == seq ? self->event_cache[slot].json : NULL;
}

void
_tr_host_event_cache_insert (TrHost *self, gint64 seq, const char *json)
{
  guint slot = (guint)(seq % EVENT_CACHE_SLOTS);
  gsize length = strlen (json);

  if (self->event_cache[slot].json != NULL)
    {
      self->event_cache_bytes -= strlen (self->event_cache[slot].json);
      g_clear_pointer (&self->event_cache[slot].json, g_free);
      self->event_cache[slot].seq = 0;
    }
  if (self->event_cache_bytes + length > EVENT_CACHE_MAX_BYTES)
    return;
  self->event_cache[slot].seq = seq;
  self->event_cache[slot].json = g_strndup (json, length);
  self->event_cache_bytes += length;
}

void
_tr_host_event_cache_clear (TrHost *self)
{
  for (guint i = 0; i < EVENT_CACHE_SLOTS; i++)
    {
      g_clear_pointer (&self->event_cache[i].json, g_free);
      self->event_cache[i].seq = 0;
    }
  self->event_cache_bytes = 0;
}

void
_tr_host_build_event_frames (GPtrArray *json, GArray *seqs, FrameFunc func, gpointer user_data)
{
  guint start = 0;

  while (start < json->len)
    {
      g_autoptr (GPtrArray) chunk = g_ptr_array_new ();
      g_autofree char *frame = NULL;
      gsize bytes = 0;
      guint end = start;

      while (end < json->len && chunk->len < EVENTS_PER_FRAME
             && (chunk->len == 0 || bytes < EVENTS_FRAME_SOFT_BYTES))
        {
          const char *event = g_ptr_array_index (json, end);

          g_ptr_array_add (chunk, (gpointer)event);
          bytes += strlen (event);
          end++;
        }
      frame = tr_frame_build_events_from_json (chunk);
      func (frame, g_array_index (seqs, gint64, start), g_array_index (seqs, gint64, end - 1),
            user_data);
      start = end;
    }
}

static void
send_catch_up_frame (const char *frame, gint64 first_seq, gint64 last_seq, gpointer user_data)
{
  Connection *conn = user_data;

  _tr_host_connection_send (conn, frame);
  conn->sent_seq = last_seq;
}

/* Appends the JSON of the events after @after up to @last, at most
 * @limit, to @json (borrowed from the cache, or owned by @owned) and
 * their seqs to @seqs: from the cache while it has them, else from the
 * file (and into the cache). */
gboolean
_tr_host_collect_events (TrHost *self, gint64 after, gint64 last, guint limit, GPtrArray *json,
                         GPtrArray *owned, GArray *seqs, GError **error)
{
  const char *cached;
  gint64 seq = after + 1;

  for (; seq <= last && json->len < limit && (cached = event_cache_lookup (self, seq)); seq++)
    {
      g_ptr_array_add (json, (gpointer)cached);
      g_array_append_val (seqs, seq);
    }
  if (seq <= last && json->len < limit)
    {
      guint from = owned->len;
      guint seq_from = seqs->len;

      if (!tr_store_reader_read_event_json (self->reader, seq - 1, last, limit - json->len, owned,
                                            seqs, error))
        return FALSE;
      for (guint i = from; i < owned->len; i++)
        {
          const char *text = g_ptr_array_index (owned, i);

          _tr_host_event_cache_insert (self, g_array_index (seqs, gint64, seq_from + i - from),
                                       text);
          g_ptr_array_add (json, (gpointer)text);
        }
    }
  return TRUE;
}

/* Whether since+1 … head are all in the cache of recent events. */
static gboolean
all_cached (TrHost *self, gint64 since, gint64 head)
{
  for (gint64 seq = since + 1; seq <= head; seq++)
    if (event_cache_lookup (self, seq) == NULL)
      return FALSE;
  return TRUE;
}

/* Right after the welcome: since+1 … head, or a snapshot. A station a
 * frame or less behind, with those events still in the cache (a
 * reconnect storm after a restart), is caught up here, in this one
 * callback, so no live frame can slip in between. Anything bigger goes
 * to the reader thread, and the station joins the live stream when it
 * is done (tr-host-reader.c). @head is the loop's: the batch in flight,
 * if any, comes live after. */
gboolean
_tr_host_catch_up (TrHost *self, Connection *conn, gint64 since, const char *since_op,
                   const char *host_id, gint64 head, gboolean *out_live, GError **error)
{
  gint64 tail, file_head;

  *out_live = FALSE;
  if (!_tr_host_read_log_bounds (self, &tail, &file_head, error))
    return FALSE;
  if (_tr_host_needs_snapshot (self, since, since_op, host_id, file_head, tail))
    {
      _tr_host_catch_up_async (self, conn, TRUE, 0, 0);
      return TRUE;
    }

  /* since == head: nothing is missing and nothing beyond the welcome is
   * sent (docs/protocol.md). since may be past the loop's head (a
   * snapshot read from the file, a moment before its commit came back):
   * then the frames up to it are skipped. */
  conn->sent_seq = since;
  if (since >= head)
    {
      *out_live = TRUE;
      return TRUE;
    }
  if (head - since > EVENTS_PER_FRAME || !all_cached (self, since, head))
    {
      _tr_host_catch_up_async (self, conn, FALSE, since, head);
      return TRUE;
    }
  {
    g_autoptr (GPtrArray) json = g_ptr_array_new ();
    g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));

    if (!_tr_host_collect_events (self, since, head, EVENTS_PER_FRAME, json, owned, seqs, error))
      return FALSE;
    _tr_host_build_event_frames (json, seqs, send_catch_up_frame, conn);
  }
  *out_live = TRUE;
  return TRUE;
}

/* {"type":"snapshot","host_id","seq","tickets"}: the WebSocket snapshot
 * plus the host_id a polling station gets no welcome for. */
char *
_tr_host_build_http_snapshot (TrHost *self, GError **error)
{
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;
  JsonArray *array;
  gint64 seq = 0;

  if (!(tickets = snapshot_tickets (self, &seq, error)))
    return NULL;
  object = json_object_new ();
  json_object_set_string_member (object, "type", "snapshot");
  json_object_set_string_member (object, "host_id", self->db_id);
  json_object_set_int_member (object, "seq", seq);
  array = json_array_sized_new (tickets->len);
  for (guint i = 0; i < tickets->len; i++)
    json_array_add_element (array, tr_ticket_to_json (g_ptr_array_index (tickets, i)));
  json_object_set_array_member (object, "tickets", array);
  json_node_take_object (node, object);
  return tr_json_to_string (node);
}

/* {"type":"events","host_id","head_seq","events":[…]} with at most
 * EVENTS_PER_FRAME events after @since; head_seq tells the station
 * whether to ask again at once. */
char *
_tr_host_build_http_events (TrHost *self, gint64 since, GError **error)
{
  g_autoptr (GPtrArray) json = g_ptr_array_new ();
  g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (JsonNode) host_id = NULL;
  g_autofree char *host_id_json = NULL;
  GString *body;

  /* Up to the loop's head: what lies beyond is still on its way to the
   * stations, and comes to this one with its next poll. */
  if (!_tr_host_collect_events (self, since, self->head_seq, EVENTS_PER_FRAME, json, owned, seqs,
                                error))
    return NULL;
  host_id = json_node_init_string (json_node_alloc (), self->db_id);
  host_id_json = tr_json_to_string (host_id);
  body = g_string_new ("{\"type\":\"events\",\"host_id\":");
  g_string_append_printf (body, "%s,\"head_seq\":%" G_GINT64_FORMAT ",\"events\":[", host_id_json,
                          self->head_seq);
  for (guint i = 0; i < json->len; i++)
    {
      if (i > 0)
        g_string_append_c (body, ',');
      g_string_append (body, g_ptr_array_index (json, i));
    }
  g_string_append (body, "]}");
  return g_string_free (body, FALSE);
}
