/* tr-host-roster.c: the station roster the host monitor shows
 *
 * Who is connected over what, since when, and how they are doing (from
 * their pings); paired stations are listed too, so that one that is off
 * can still be revoked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <string.h>

static TrStationInfo *
station_info_copy (const TrStationInfo *info)
{
  TrStationInfo *copy = g_memdup2 (info, sizeof *info);

  copy->station_id = g_strdup (info->station_id);
  copy->name = g_strdup (info->name);
  copy->role = g_strdup (info->role);
  copy->address = g_strdup (info->address);
  copy->transport = g_strdup (info->transport);
  return copy;
}

void
_tr_host_station_free (Station *station)
{
  g_free (station->info.station_id);
  g_free (station->info.name);
  g_free (station->info.role);
  g_free (station->info.address);
  g_free (station->info.transport);
  g_free (station->close_reason);
  g_free (station);
}

static gboolean
emit_stations_changed_cb (gpointer user_data)
{
  TrHost *self = user_data;

  self->stations_changed_id = 0;
  self->stations_dirty = FALSE;
  g_signal_emit (self, _tr_host_signals[STATIONS_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Coalesced: a reconnect storm gives the monitor one signal, not 500. */
void
_tr_host_stations_changed (TrHost *self)
{
  if (self->stations_changed_id == 0)
    self->stations_changed_id
      = _tr_host_idle_add (self, G_PRIORITY_DEFAULT_IDLE, emit_stations_changed_cb, self);
}

static void
replace_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

/* Marks @station_id connected over @transport, counting a reconnect when
 * it was seen before and had dropped. */
Station *
_tr_host_station_connect (TrHost *self, const char *station_id, const char *name, const char *role,
                          const char *address, const char *transport)
{
  Station *station = g_hash_table_lookup (self->stations, station_id);
  gint64 now = tr_now_ms ();

  if (station == NULL)
    {
      station = g_new0 (Station, 1);
      station->info.station_id = g_strdup (station_id);
      station->info.latency_ms = -1;
      station->info.last_seq = -1;
      g_hash_table_insert (self->stations, station->info.station_id, station);
    }
  if (!station->info.connected)
    {
      if (station->seen)
        station->info.reconnects++;
      station->seen = TRUE;
      station->info.connected = TRUE;
      station->info.connected_since = now;
      g_clear_pointer (&station->close_reason, g_free);
      station->close_code = 0;
      station->info.close_code = 0;
      replace_string (&station->info.transport, transport);
      _tr_host_link_opened (self, station);
    }
  if (name != NULL)
    replace_string (&station->info.name, name);
  if (role != NULL)
    replace_string (&station->info.role, role);
  replace_string (&station->info.address, address);
  replace_string (&station->info.transport, transport);
  station->info.last_seen = now;
  _tr_host_stations_changed (self);
  return station;
}

void
_tr_host_station_maybe_disconnected (TrHost *self, Station *station)
{
  if (station->n_websockets > 0 || station->n_polls > 0 || !station->info.connected)
    return;
  /* A polling station is between polls most of the time; it counts as
   * gone only once it has been silent for the heartbeat timeout (the
   * periodic check handles that). */
  if (g_strcmp0 (station->info.transport, "polling") == 0
      && tr_now_ms () - station->info.last_seen < (gint64)self->heartbeat_timeout)
    return;
  station->info.connected = FALSE;
  station->info.close_code = station->close_code;
  if (g_strcmp0 (station->info.transport, "polling") == 0 && station->close_reason == NULL)
    _tr_host_link_closed (self, station, station->info.last_seen, 0,
                          "no poll within the heartbeat timeout");
  else
    _tr_host_link_closed (self, station, station->info.last_seen, station->close_code,
                          station->close_reason);
  _tr_host_stations_changed (self);
}

guint
_tr_host_count_connected_stations (TrHost *self)
{
  GHashTableIter iter;
  Station *station;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    if (station->info.connected)
      n++;
  return n;
}

static int
compare_station_info (gconstpointer a, gconstpointer b)
{
  const TrStationInfo *x = *(TrStationInfo *const *)a;
  const TrStationInfo *y = *(TrStationInfo *const *)b;
  const char *x_name = x->name ? x->name : x->station_id;
  const char *y_name = y->name ? y->name : y->station_id;
  int by_name;

  if (x->connected != y->connected)
    return x->connected ? -1 : 1;
  by_name = g_utf8_collate (x_name, y_name);
  return by_name != 0 ? by_name : strcmp (x->station_id, y->station_id);
}

GPtrArray *
tr_host_list_stations (TrHost *self)
{
  GPtrArray *list;
  GHashTableIter iter;
  Station *station;
  g_autoptr (GPtrArray) paired = NULL;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  list = g_ptr_array_new_full (g_hash_table_size (self->stations),
                               (GDestroyNotify)tr_station_info_free);
  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    g_ptr_array_add (list, station_info_copy (&station->info));

  /* Paired stations too, the ones not seen since the host started
   * included, so the monitor can revoke a stolen tablet that is off. */
  /* Once started, the store is the writer's: read the file. */
  paired = self->reader != NULL ? tr_store_reader_list_paired_stations (self->reader, &error)
                                : tr_store_list_paired_stations (self->store, &error);
  if (paired == NULL)
    g_warning ("Listing paired stations failed: %s", error->message);
  for (guint i = 0; paired != NULL && i < paired->len; i++)
    {
      TrPairedStation *p = g_ptr_array_index (paired, i);
      TrStationInfo *info = NULL;
      const gint64 *seen = g_hash_table_lookup (self->seen, p->station_id);

      for (guint j = 0; j < list->len && info == NULL; j++)
        if (g_str_equal (((TrStationInfo *)g_ptr_array_index (list, j))->station_id, p->station_id))
          info = g_ptr_array_index (list, j);
      if (info == NULL)
        {
          info = g_new0 (TrStationInfo, 1);
          info->station_id = g_strdup (p->station_id);
          info->name = g_strdup (p->name);
          info->role = g_strdup (p->role);
          info->latency_ms = -1;
          info->last_seq = -1;
          info->last_seen = MAX (p->last_seen, seen != NULL ? *seen : 0);
          g_ptr_array_add (list, info);
        }
      info->paired = TRUE;
      info->paired_at = p->created_at;
      info->revoked = p->revoked_at != 0;
      info->revoked_at = p->revoked_at;
    }
  g_ptr_array_sort (list, compare_station_info);
  return list;
}
