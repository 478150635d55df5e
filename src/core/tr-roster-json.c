/* tr-roster-json.c: the host's roster to and from JSON (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-roster-json"

#include "config.h"

#include "tr-roster-json.h"

#include "tr-codec.h"
#include "tr-error.h"

/* WebSocket close codes are 16 bits; 0 is "none or unknown". */
#define MAX_CLOSE_CODE 65535

void
tr_roster_free (TrRoster *roster)
{
  if (roster == NULL)
    return;
  g_clear_pointer (&roster->stations, g_ptr_array_unref);
  g_free (roster);
}

/* ---- Encoding ---- */

static void
add_nullable_string (JsonObject *object, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static void
add_info (JsonArray *list, const TrStationInfo *info)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "station", info->station_id);
  add_nullable_string (object, "name", info->name);
  add_nullable_string (object, "role", info->role);
  json_object_set_boolean_member (object, "connected", info->connected);
  add_nullable_string (object, "transport", info->connected ? info->transport : NULL);
  add_nullable_string (object, "address", info->address);
  json_object_set_int_member (object, "connected_since",
                              info->connected ? info->connected_since : 0);
  /* What a watcher needs to count a link that came and went between two
   * of its reads: connected_since has always been 0 for a station that
   * is not connected, and readers may rely on that. */
  json_object_set_int_member (object, "link_since", info->connected_since);
  json_object_set_int_member (object, "last_seen", info->last_seen);
  json_object_set_int_member (object, "close_code", info->connected ? 0 : info->close_code);
  json_object_set_int_member (object, "reconnects", info->reconnects);
  if (info->latency_ms >= 0)
    json_object_set_int_member (object, "latency_ms", info->latency_ms);
  else
    json_object_set_null_member (object, "latency_ms");
  json_object_set_int_member (object, "queued_ops", info->queued_ops);
  json_object_set_int_member (object, "last_seq", info->last_seq);
  json_object_set_boolean_member (object, "paired", info->paired);
  json_object_set_boolean_member (object, "revoked", info->revoked);
  json_array_add_object_element (list, object);
}

JsonNode *
tr_roster_to_json (GPtrArray *stations, gint64 now, gint64 head_seq)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonArray *list = json_array_new ();

  g_return_val_if_fail (stations != NULL, NULL);

  for (guint i = 0; i < stations->len; i++)
    add_info (list, g_ptr_array_index (stations, i));
  json_object_set_int_member (root, "now", now);
  json_object_set_int_member (root, "head_seq", head_seq);
  json_object_set_array_member (root, "stations", list);
  json_node_take_object (node, root);
  return node;
}

/* ---- Decoding ---- */

static gboolean G_GNUC_PRINTF (3, 4)
  fail (GError **error, const char *path, const char *format, ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "%s: %s", path, reason);
  return FALSE;
}

/* An integer member in [@min, @max]; @fallback when absent, unless
 * @required. */
static gboolean
read_int (JsonObject *object, const char *parent, const char *name, gboolean required, gint64 min,
          gint64 max, gint64 fallback, gint64 *out, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autofree char *path
    = parent != NULL ? g_strdup_printf ("%s.%s", parent, name) : g_strdup (name);

  if (node == NULL)
    {
      if (required)
        return fail (error, path, "missing");
      *out = fallback;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (error, path, "must be an integer");
  *out = json_node_get_int (node);
  if (*out < min || *out > max)
    return fail (error, path, "out of range");
  return TRUE;
}

static gboolean
read_bool (JsonObject *object, const char *parent, const char *name, gboolean required,
           gboolean *out, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autofree char *path = g_strdup_printf ("%s.%s", parent, name);

  if (node == NULL)
    {
      if (required)
        return fail (error, path, "missing");
      *out = FALSE;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (error, path, "must be true or false");
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* An optional string or null member: @out stays NULL for null or
 * absent. */
static gboolean
read_string (JsonObject *object, const char *parent, const char *name, char **out, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autofree char *path = g_strdup_printf ("%s.%s", parent, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, path, "must be a string or null");
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static TrStationInfo *
read_station (JsonArray *array, guint i, GError **error)
{
  g_autofree char *path = g_strdup_printf ("stations[%u]", i);
  g_autoptr (TrStationInfo) info = g_new0 (TrStationInfo, 1);
  JsonNode *node = json_array_get_element (array, i);
  JsonObject *object;
  gint64 connected_since = 0, link_since = 0, reconnects = 0, latency = -1, queued = 0;
  gint64 close_code = 0;
  JsonNode *latency_node;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, path, "must be an object"), NULL;
  object = json_node_get_object (node);
  if (!read_string (object, path, "station", &info->station_id, error))
    return NULL;
  if (info->station_id == NULL || info->station_id[0] == '\0')
    return fail (error, path, "station: must be a station id"), NULL;

  latency_node = json_object_get_member (object, "latency_ms");
  if (!read_string (object, path, "name", &info->name, error)
      || !read_string (object, path, "role", &info->role, error)
      || !read_string (object, path, "transport", &info->transport, error)
      || !read_string (object, path, "address", &info->address, error)
      || !read_bool (object, path, "connected", TRUE, &info->connected, error)
      || !read_int (object, path, "connected_since", FALSE, 0, G_MAXINT64, 0, &connected_since,
                    error)
      || !read_int (object, path, "link_since", FALSE, 0, G_MAXINT64, connected_since, &link_since,
                    error)
      || !read_int (object, path, "last_seen", TRUE, 0, G_MAXINT64, 0, &info->last_seen, error)
      || !read_int (object, path, "close_code", FALSE, 0, MAX_CLOSE_CODE, 0, &close_code, error)
      || !read_int (object, path, "reconnects", FALSE, 0, G_MAXUINT, 0, &reconnects, error)
      || (latency_node != NULL && !JSON_NODE_HOLDS_NULL (latency_node)
          && !read_int (object, path, "latency_ms", FALSE, 0, G_MAXINT64, -1, &latency, error))
      || !read_int (object, path, "queued_ops", FALSE, 0, G_MAXUINT, 0, &queued, error)
      || !read_int (object, path, "last_seq", FALSE, -1, G_MAXINT64, -1, &info->last_seq, error)
      || !read_bool (object, path, "paired", FALSE, &info->paired, error)
      || !read_bool (object, path, "revoked", FALSE, &info->revoked, error))
    return NULL;
  /* As tr_host_list_stations() has it: kept once the link is down. */
  info->connected_since = info->connected ? connected_since : link_since;
  info->close_code = info->connected ? 0 : (int)close_code;
  info->reconnects = (guint)reconnects;
  info->latency_ms = latency;
  info->queued_ops = (guint)queued;
  return g_steal_pointer (&info);
}

TrRoster *
tr_roster_from_json (JsonNode *node, GError **error)
{
  g_autoptr (TrRoster) roster = g_new0 (TrRoster, 1);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *root;
  JsonNode *list;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, "roster", "expected an object"), NULL;
  root = json_node_get_object (node);
  roster->stations = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_station_info_free);
  if (!read_int (root, NULL, "now", TRUE, 1, G_MAXINT64, 0, &roster->now, error)
      || !read_int (root, NULL, "head_seq", FALSE, 0, G_MAXINT64, 0, &roster->head_seq, error))
    return NULL;
  list = json_object_get_member (root, "stations");
  if (list == NULL)
    return fail (error, "stations", "missing"), NULL;
  if (!JSON_NODE_HOLDS_ARRAY (list))
    return fail (error, "stations", "must be an array"), NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      TrStationInfo *info = read_station (json_node_get_array (list), i, error);

      if (info == NULL)
        return NULL;
      g_ptr_array_add (roster->stations, info);
      /* One station, one state: two would make the alerts flip. */
      if (!g_hash_table_add (seen, info->station_id))
        {
          g_autofree char *path = g_strdup_printf ("stations[%u].station", i);

          return fail (error, path, "%s is listed twice", info->station_id), NULL;
        }
    }
  return g_steal_pointer (&roster);
}

TrRoster *
tr_roster_parse (const char *data, gssize length, GError **error)
{
  g_autoptr (JsonNode) node = tr_json_parse (data, length, error);

  return node != NULL ? tr_roster_from_json (node, error) : NULL;
}
