/* tr-host-links.c: the connection history of every station, kept in the
 * host's database across restarts, and GET /api/v1/stations (its JSON
 * is tr-roster-json.c's)
 *
 * The roster (tr-host-roster.c) says when a station connects and when it
 * counts as gone; each of those becomes a TrLink change here. The
 * changes wait up to FLUSH_DELAY_MS and go to the writer as one
 * transaction: a reconnect storm of 500 stations is one fsync queued
 * between two group commits, never 500. Every minute the maintenance
 * also marks the open links alive, so that a host that dies (no close
 * for anyone) ends them at restart at most a minute late.
 *
 * What a window of links says (drops, the longest outage, the strip the
 * host monitor draws) is tr-link-history.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-protocol.h"
#include "tr-roster-json.h"

/* How long a change waits for others to share its transaction. */
#define FLUSH_DELAY_MS 1000
#define HOUR_MS ((gint64)60 * 60 * 1000)
/* GET /api/v1/stations/history?hours=: at most what is kept. */
#define MAX_HISTORY_HOURS (30 * 24)
#define DEFAULT_HISTORY_HOURS 24

static TrLink *
link_of (Station *station)
{
  TrLink *link = tr_link_new ();

  link->station_id = g_strdup (station->info.station_id);
  link->transport = g_strdup (station->info.transport);
  link->connected_at = station->info.connected_since;
  return link;
}

static gboolean
flush_cb (gpointer user_data)
{
  TrHost *self = user_data;

  self->links_flush_id = 0;
  _tr_host_links_flush (self, 0);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (TrHost *self)
{
  if (self->links_flush_id == 0 && self->running)
    self->links_flush_id = _tr_host_timeout_add (self, FLUSH_DELAY_MS, flush_cb, self);
}

void
_tr_host_link_opened (TrHost *self, Station *station)
{
  g_debug ("link of %s opened over %s", station->info.station_id, station->info.transport);
  g_ptr_array_add (self->link_changes, link_of (station));
  schedule_flush (self);
}

void
_tr_host_link_closed (TrHost *self, Station *station, gint64 at, int close_code, const char *reason)
{
  TrLink *link = link_of (station);

  /* Never before it began: last_seen can lag connected_since by a
   * clock step. */
  link->disconnected_at = MAX (at, link->connected_at);
  link->close_code = close_code;
  link->close_reason = g_strdup (reason);
  g_debug ("link of %s closed with %d", station->info.station_id, close_code);
  g_ptr_array_add (self->link_changes, link);
  schedule_flush (self);
}

typedef struct
{
  GPtrArray *links;
  gint64 alive_at;
} LinkBatch;

static void
link_batch_free (gpointer data)
{
  LinkBatch *batch = data;

  g_ptr_array_unref (batch->links);
  g_free (batch);
}

static gboolean
save_links (TrStore *store, gpointer data, GError **error)
{
  LinkBatch *batch = data;

  return tr_store_save_links (store, batch->links, batch->alive_at, error);
}

static void
save_links_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* History is worth less than the kitchen: a failed batch is reported
   * and dropped, never retried ahead of the ops. */
  if (!_tr_host_write_finish (TR_HOST (source), result, &error))
    g_warning ("Writing the connection history failed: %s", error->message);
  /* Written (or dropped): from now on the file says what it says. */
  g_ptr_array_remove (TR_HOST (source)->links_writing, user_data);
}

void
_tr_host_links_flush (TrHost *self, gint64 alive_at)
{
  LinkBatch *batch;

  _tr_host_clear_source (self, &self->links_flush_id);
  if (self->link_changes->len == 0 && alive_at == 0)
    return;
  if (self->writer == NULL)
    return; /* not started, or stopped: the next start closes what is open */
  batch = g_new (LinkBatch, 1);
  batch->links = g_steal_pointer (&self->link_changes);
  batch->alive_at = alive_at;
  self->link_changes = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);
  /* Only read on either side while on the writer. */
  g_ptr_array_add (self->links_writing, g_ptr_array_ref (batch->links));
  _tr_host_write_async (self, save_links, batch, link_batch_free, NULL, save_links_cb,
                        batch->links);
}

gboolean
_tr_host_links_start (TrHost *self, GError **error)
{
  g_ptr_array_set_size (self->link_changes, 0);
  return tr_store_links_close_dangling (self->store, "the host stopped without closing", error);
}

void
_tr_host_links_stop (TrHost *self)
{
  GHashTableIter iter;
  Station *station;
  gint64 now = tr_now_ms ();

  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    if (station->info.connected)
      _tr_host_link_closed (self, station, now, TR_CLOSE_GOING_AWAY, "host shutting down");
  _tr_host_links_flush (self, 0);
}

/* ---- Reading ---- */

void
tr_station_history_free (TrStationHistory *history)
{
  if (history == NULL)
    return;
  g_free (history->station_id);
  g_free (history->name);
  g_free (history->role);
  g_clear_pointer (&history->links, g_ptr_array_unref);
  tr_link_summary_free (history->summary);
  g_free (history);
}

static void
merge_changes (GPtrArray *changes, GPtrArray *links)
{
  for (guint i = 0; i < changes->len; i++)
    {
      const TrLink *change = g_ptr_array_index (changes, i);
      TrLink *found = NULL;

      for (guint j = 0; j < links->len && found == NULL; j++)
        {
          TrLink *link = g_ptr_array_index (links, j);

          if (link->connected_at == change->connected_at
              && g_str_equal (link->station_id, change->station_id))
            found = link;
        }
      if (found == NULL)
        {
          found = tr_link_new ();
          found->station_id = g_strdup (change->station_id);
          found->transport = g_strdup (change->transport);
          found->connected_at = change->connected_at;
          g_ptr_array_add (links, found);
        }
      if (change->disconnected_at != 0)
        {
          found->disconnected_at = change->disconnected_at;
          found->close_code = change->close_code;
          g_free (found->close_reason);
          found->close_reason = g_strdup (change->close_reason);
        }
    }
}

/* The changes not written yet over what the file says: those on the
 * writer now, oldest first, then those waiting for the next batch. */
static void
merge_pending (TrHost *self, GPtrArray *links)
{
  for (guint i = 0; i < self->links_writing->len; i++)
    merge_changes (g_ptr_array_index (self->links_writing, i), links);
  merge_changes (self->link_changes, links);
}

static int
compare_histories (gconstpointer a, gconstpointer b)
{
  const TrStationHistory *x = *(TrStationHistory *const *)a;
  const TrStationHistory *y = *(TrStationHistory *const *)b;
  int by_name
    = g_utf8_collate (x->name ? x->name : x->station_id, y->name ? y->name : y->station_id);

  return by_name != 0 ? by_name : strcmp (x->station_id, y->station_id);
}

GPtrArray *
tr_host_list_link_history (TrHost *self, gint64 from, gint64 to, GError **error)
{
  g_autoptr (GPtrArray) links = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);
  g_autoptr (GPtrArray) stations = NULL;
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *histories;

  g_return_val_if_fail (TR_IS_HOST (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->reader == NULL
      && !(self->reader = tr_store_reader_open (tr_store_get_path (self->store), error)))
    return NULL;
  if (!tr_store_reader_list_links (self->reader, from, to, links, error))
    return NULL;
  merge_pending (self, links);

  histories = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_station_history_free);
  /* Steal each link into its station's list; the reader gave them by
   * station. */
  g_ptr_array_set_free_func (links, NULL);
  for (guint i = 0; i < links->len; i++)
    {
      TrLink *link = g_ptr_array_index (links, i);
      TrStationHistory *history = g_hash_table_lookup (by_id, link->station_id);

      if (history == NULL)
        {
          history = g_new0 (TrStationHistory, 1);
          history->station_id = g_strdup (link->station_id);
          history->links = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);
          g_ptr_array_add (histories, history);
          g_hash_table_insert (by_id, history->station_id, history);
        }
      g_ptr_array_add (history->links, link);
    }

  stations = tr_host_list_stations (self);
  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);
      TrStationHistory *history = g_hash_table_lookup (by_id, info->station_id);

      if (history != NULL)
        {
          history->name = g_strdup (info->name);
          history->role = g_strdup (info->role);
        }
    }
  for (guint i = 0; i < histories->len; i++)
    {
      TrStationHistory *history = g_ptr_array_index (histories, i);

      history->summary = tr_link_summary_new (history->links, from, to);
      /* The earlier link that says an outage was under way is the
       * summary's business; the list shows the window. */
      for (guint j = history->links->len; j-- > 0;)
        {
          const TrLink *link = g_ptr_array_index (history->links, j);

          if (link->disconnected_at != 0 && link->disconnected_at < from)
            g_ptr_array_remove_index (history->links, j);
        }
    }
  g_ptr_array_sort (histories, compare_histories);
  return histories;
}

/* ---- HTTP ---- */

static void
add_nullable_string (JsonObject *object, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static JsonNode *
history_to_json (GPtrArray *histories, gint64 from, gint64 to)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonArray *list = json_array_new ();

  json_object_set_int_member (root, "from", from);
  json_object_set_int_member (root, "to", to);
  for (guint i = 0; i < histories->len; i++)
    {
      const TrStationHistory *history = g_ptr_array_index (histories, i);
      const TrLinkSummary *summary = history->summary;
      JsonObject *object = json_object_new ();
      JsonArray *links = json_array_new ();
      JsonArray *segments = json_array_new ();

      json_object_set_string_member (object, "station", history->station_id);
      add_nullable_string (object, "name", history->name);
      add_nullable_string (object, "role", history->role);
      json_object_set_boolean_member (object, "up", summary->up_now);
      json_object_set_int_member (object, "drops", summary->drops);
      json_object_set_int_member (object, "longest_outage_ms", summary->longest_outage_ms);
      json_object_set_int_member (object, "up_ms", summary->up_ms);
      json_object_set_int_member (object, "known_ms", summary->known_ms);
      for (guint j = 0; j < history->links->len; j++)
        {
          const TrLink *link = g_ptr_array_index (history->links, j);
          JsonObject *entry = json_object_new ();

          json_object_set_string_member (entry, "transport", link->transport);
          json_object_set_int_member (entry, "connected_at", link->connected_at);
          if (link->disconnected_at != 0)
            {
              json_object_set_int_member (entry, "disconnected_at", link->disconnected_at);
              json_object_set_int_member (entry, "duration_ms",
                                          link->disconnected_at - link->connected_at);
              json_object_set_int_member (entry, "close_code", link->close_code);
              json_object_set_boolean_member (entry, "drop", tr_link_is_drop (link));
            }
          else
            {
              json_object_set_null_member (entry, "disconnected_at");
              json_object_set_int_member (entry, "duration_ms", to - link->connected_at);
              json_object_set_null_member (entry, "close_code");
              json_object_set_boolean_member (entry, "drop", FALSE);
            }
          add_nullable_string (entry, "close_reason", link->close_reason);
          json_array_add_object_element (links, entry);
        }
      json_object_set_array_member (object, "links", links);
      for (guint j = 0; j < summary->segments->len; j++)
        {
          const TrLinkSegment *segment = &g_array_index (summary->segments, TrLinkSegment, j);
          JsonObject *entry = json_object_new ();

          json_object_set_int_member (entry, "start", segment->start);
          json_object_set_int_member (entry, "end", segment->end);
          json_object_set_boolean_member (entry, "up", segment->up);
          json_array_add_object_element (segments, entry);
        }
      json_object_set_array_member (object, "segments", segments);
      json_array_add_object_element (list, object);
    }
  json_object_set_array_member (root, "stations", list);
  json_node_take_object (node, root);
  return node;
}

static void
respond_roster (TrHost *self, SoupServerMessage *msg)
{
  g_autoptr (GPtrArray) stations = tr_host_list_stations (self);
  g_autoptr (JsonNode) node = tr_roster_to_json (stations, tr_now_ms (), self->head_seq);

  _tr_host_respond_json_take (msg, SOUP_STATUS_OK, tr_json_to_string (node));
}

static void
respond_history (TrHost *self, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (GPtrArray) histories = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  gint64 now = tr_now_ms ();
  gint64 hours;
  gint64 from;
  gint64 to;

  if (!_tr_host_parse_query_int (query, "hours", DEFAULT_HISTORY_HOURS, &hours) || hours < 1
      || hours > MAX_HISTORY_HOURS)
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "hours: a whole number from 1 to 720");
      return;
    }
  if (!_tr_host_parse_query_int (query, "to", now, &to)
      || !_tr_host_parse_query_int (query, "from", to - hours * HOUR_MS, &from) || from >= to)
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "from, to: ms since the epoch, from before to");
      return;
    }
  if (!(histories = tr_host_list_link_history (self, from, to, &error)))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                              tr_error_code_to_string (TR_ERROR_STORE), error->message);
      return;
    }
  node = history_to_json (histories, from, to);
  _tr_host_respond_json_take (msg, SOUP_STATUS_OK, tr_json_to_string (node));
}

/* GET /api/v1/stations: the roster; GET /api/v1/stations/history: the
 * connection history. Any paired token may read them, a board's too:
 * nothing here writes. */
void
_tr_host_handle_stations (SoupServer *server, SoupServerMessage *msg, const char *path,
                          GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  gboolean history = g_str_equal (path, API_PREFIX "/stations/history");
  g_autofree char *station_id = NULL;

  if (!history && !_tr_host_require_exact_path (msg, path, API_PREFIX "/stations"))
    return;
  if (!_tr_host_require_method (msg, SOUP_METHOD_GET, SOUP_METHOD_HEAD, NULL)
      || !_tr_host_authorize_request (self, msg, FALSE, &station_id))
    return;
  if (history)
    respond_history (self, msg, query);
  else
    respond_roster (self, msg);
}
