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
_tr_host_needs_snapshot (TrHost *self, gint64 since, const char *host_id, gint64 head, gint64 tail)
{
  if (since == 0)
    return TRUE;
  if (host_id != NULL && *host_id != '\0'
      && g_strcmp0 (host_id, tr_store_get_db_id (self->store)) != 0)
    return TRUE;
  /* since + 1 must still be in the log. */
  if (since < tail - 1)
    return TRUE;
  /* Ahead of us: it followed a host that had more, e.g. a restored backup. */
  if (since > head)
    return TRUE;
  return FALSE;
}

static GPtrArray *
snapshot_tickets (TrHost *self, gint64 *out_seq, GError **error)
{
  g_autoptr (GPtrArray) all = tr_store_list_tickets (self->store, FALSE, out_seq, error);
  g_autoptr (GPtrArray) kept = NULL;
  gint64 horizon = tr_now_ms () - SNAPSHOT_CLOSED_WINDOW_MS;

  if (all == NULL)
    return NULL;
  /* Moved over one by one, keeping the store's oldest-first order. */
  kept = g_ptr_array_new_full (all->len, (GDestroyNotify)tr_ticket_free);
  g_ptr_array_set_free_func (all, NULL);
  for (guint i = 0; i < all->len; i++)
    {
      TrTicket *ticket = g_ptr_array_index (all, i);

      if (tr_ticket_is_open (ticket) || ticket->updated_at >= horizon)
        g_ptr_array_add (kept, ticket);
      else
        tr_ticket_free (ticket);
    }
  return g_steal_pointer (&kept);
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

/* Sends since+1 … head (or a snapshot) right after the welcome; all in
 * this one main-loop callback, so no live frame can slip in between. */
gboolean
_tr_host_catch_up (TrHost *self, Connection *conn, gint64 since, const char *host_id, gint64 head,
                   GError **error)
{
  gint64 tail = tr_store_get_tail_seq (self->store);

  if (_tr_host_needs_snapshot (self, since, host_id, head, tail))
    {
      gint64 seq = 0;
      g_autoptr (GPtrArray) tickets = snapshot_tickets (self, &seq, error);
      g_autofree char *frame = NULL;

      if (tickets == NULL)
        return FALSE;
      frame = tr_frame_build_snapshot (seq, tickets);
      _tr_host_connection_send (conn, frame);
      conn->sent_seq = seq;
      return TRUE;
    }

  /* since == head: nothing is missing and nothing beyond the welcome is
   * sent (docs/protocol.md). */
  conn->sent_seq = since;
  while (conn->sent_seq < head)
    {
      g_autoptr (GPtrArray) json = g_ptr_array_new ();       /* borrowed from the cache or owned */
      g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
      const char *cached;

      for (gint64 seq = conn->sent_seq + 1;
           seq <= head && json->len < EVENTS_PER_FRAME && (cached = event_cache_lookup (self, seq));
           seq++)
        {
          g_ptr_array_add (json, (gpointer)cached);
          g_array_append_val (seqs, seq);
        }
      if (json->len == 0)
        {
          g_autoptr (GPtrArray) events
            = tr_store_read_events (self->store, conn->sent_seq, EVENTS_PER_FRAME, error);

          if (events == NULL)
            return FALSE;
          if (events->len == 0)
            break;
          for (guint i = 0; i < events->len; i++)
            {
              const TrEvent *event = g_ptr_array_index (events, i);
              char *text = tr_event_to_string (event);

              _tr_host_event_cache_insert (self, event->seq, text);
              g_ptr_array_add (owned, text);
              g_ptr_array_add (json, text);
              g_array_append_val (seqs, event->seq);
            }
        }
      _tr_host_build_event_frames (json, seqs, send_catch_up_frame, conn);
      if (!_tr_host_connection_is_open (conn))
        break;
    }
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
  json_object_set_string_member (object, "host_id", tr_store_get_db_id (self->store));
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
  g_autoptr (GPtrArray) events = tr_store_read_events (self->store, since, EVENTS_PER_FRAME, error);
  g_autoptr (JsonNode) host_id = NULL;
  g_autofree char *host_id_json = NULL;
  GString *body;

  if (events == NULL)
    return NULL;
  host_id = json_node_init_string (json_node_alloc (), tr_store_get_db_id (self->store));
  host_id_json = tr_json_to_string (host_id);
  body = g_string_new ("{\"type\":\"events\",\"host_id\":");
  g_string_append_printf (body, "%s,\"head_seq\":%" G_GINT64_FORMAT ",\"events\":[", host_id_json,
                          tr_store_get_head_seq (self->store));
  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *json = tr_event_to_string (g_ptr_array_index (events, i));

      if (i > 0)
        g_string_append_c (body, ',');
      g_string_append (body, json);
    }
  g_string_append (body, "]}");
  return g_string_free (body, FALSE);
}
