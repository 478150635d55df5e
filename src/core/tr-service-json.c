/* tr-service-json.c: speed-of-service figures to and from JSON (see the
 * header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-service-json"

#include "tr-service-json.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"

/* ---- Encoding ---- */

static void
add_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_summary (JsonBuilder *builder, const char *name, const TrDurationSummary *summary)
{
  json_builder_set_member_name (builder, name);
  /* No ticket with that time: null, never a misleading 0. */
  if (summary->count == 0)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  add_int (builder, "count", summary->count);
  add_int (builder, "avg", summary->avg);
  add_int (builder, "p50", summary->p50);
  add_int (builder, "p90", summary->p90);
  add_int (builder, "max", summary->max);
  json_builder_end_object (builder);
}

static void
add_groups (JsonBuilder *builder, const char *name, const char *key_name, gboolean items,
            GPtrArray *groups)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < groups->len; i++)
    {
      const TrServiceGroup *group = g_ptr_array_index (groups, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, key_name);
      if (group->key != NULL)
        json_builder_add_string_value (builder, group->key);
      else
        json_builder_add_null_value (builder);
      if (items)
        add_int (builder, "items", group->items);
      else
        add_int (builder, "tickets", group->tickets);
      add_int (builder, "late", group->late);
      add_summary (builder, "ready_time_ms", &group->ready);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
tr_service_report_to_json (const TrServiceReport *report)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (report != NULL, NULL);

  json_builder_begin_object (builder);
  add_int (builder, "from", report->from);
  add_int (builder, "to", report->to);
  add_int (builder, "warn_ms", report->warn_ms);
  add_int (builder, "late_ms", report->late_ms);
  add_int (builder, "tickets", report->tickets);
  add_int (builder, "cancelled", report->cancelled);
  add_int (builder, "warning", report->warning);
  add_int (builder, "late", report->late);
  add_int (builder, "recalls", report->recalls);
  add_summary (builder, "start_time_ms", &report->start);
  add_summary (builder, "ready_time_ms", &report->ready);
  add_summary (builder, "wait_time_ms", &report->wait);
  add_groups (builder, "by_station", "station", TRUE, report->by_station);
  add_groups (builder, "by_order_type", "order_type", FALSE, report->by_order_type);
  json_builder_set_member_name (builder, "by_hour");
  json_builder_begin_array (builder);
  for (guint h = 0; h < 24; h++)
    {
      json_builder_begin_object (builder);
      add_int (builder, "hour", h);
      add_int (builder, "tickets", report->by_hour[h].tickets);
      add_int (builder, "late", report->by_hour[h].late);
      add_summary (builder, "ready_time_ms", &report->by_hour[h].ready);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
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

static char *
member_path (const char *parent, const char *name)
{
  return parent != NULL ? g_strdup_printf ("%s.%s", parent, name) : g_strdup (name);
}

static gboolean
is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

/* An integer member ≥ 0, required. */
static gboolean
read_count (JsonObject *object, const char *parent, const char *name, gint64 max, gint64 *out,
            GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autofree char *path = member_path (parent, name);

  if (node == NULL)
    return fail (error, path, "missing");
  if (!is_integer (node))
    return fail (error, path, "must be an integer");
  *out = json_node_get_int (node);
  if (*out < 0 || *out > max)
    return fail (error, path, "out of range");
  return TRUE;
}

static gboolean
read_uint (JsonObject *object, const char *parent, const char *name, guint *out, GError **error)
{
  gint64 value = 0;

  if (!read_count (object, parent, name, G_MAXUINT, &value, error))
    return FALSE;
  *out = (guint)value;
  return TRUE;
}

/* A summary, or null (count 0). */
static gboolean
read_summary (JsonObject *object, const char *parent, const char *name, TrDurationSummary *out,
              GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autofree char *path = member_path (parent, name);
  JsonObject *summary;
  gint64 *const fields[] = { &out->avg, &out->p50, &out->p90, &out->max };
  const char *const names[] = { "avg", "p50", "p90", "max" };

  memset (out, 0, sizeof *out);
  if (node == NULL)
    return fail (error, path, "missing");
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, path, "must be an object or null");
  summary = json_node_get_object (node);
  if (!read_uint (summary, path, "count", &out->count, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (!read_count (summary, path, names[i], G_MAXINT64, fields[i], error))
      return FALSE;
  if (out->count == 0)
    return fail (error, path, "count must be at least 1 (no figures is null)");
  return TRUE;
}

static JsonArray *
read_array (JsonObject *object, const char *name, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return fail (error, name, "missing"), NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, name, "must be an array"), NULL;
  return json_node_get_array (node);
}

static JsonObject *
read_element (JsonArray *array, const char *name, guint i, char **out_path, GError **error)
{
  JsonNode *node = json_array_get_element (array, i);

  *out_path = g_strdup_printf ("%s[%u]", name, i);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, *out_path, "must be an object"), NULL;
  return json_node_get_object (node);
}

static gboolean
read_groups (JsonObject *root, const char *name, const char *key_name, gboolean items,
             GPtrArray *out, GError **error)
{
  JsonArray *array = read_array (root, name, error);

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = NULL;
      JsonObject *object = read_element (array, name, i, &path, error);
      JsonNode *key;
      TrServiceGroup *group;
      g_autofree char *key_path = NULL;

      if (object == NULL)
        return FALSE;
      key = json_object_get_member (object, key_name);
      key_path = member_path (path, key_name);
      if (key == NULL)
        return fail (error, key_path, "missing");
      if (!JSON_NODE_HOLDS_NULL (key)
          && !(JSON_NODE_HOLDS_VALUE (key) && json_node_get_value_type (key) == G_TYPE_STRING))
        return fail (error, key_path, "must be a string or null");
      group = tr_service_group_new (JSON_NODE_HOLDS_NULL (key) ? NULL : json_node_get_string (key));
      g_ptr_array_add (out, group);
      if (!read_uint (object, path, items ? "items" : "tickets",
                      items ? &group->items : &group->tickets, error)
          || !read_uint (object, path, "late", &group->late, error)
          || !read_summary (object, path, "ready_time_ms", &group->ready, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_hours (JsonObject *root, TrServiceReport *report, GError **error)
{
  JsonArray *array = read_array (root, "by_hour", error);

  if (array == NULL)
    return FALSE;
  if (json_array_get_length (array) != 24)
    return fail (error, "by_hour", "must have 24 entries, has %u", json_array_get_length (array));
  for (guint h = 0; h < 24; h++)
    {
      g_autofree char *path = NULL;
      JsonObject *object = read_element (array, "by_hour", h, &path, error);
      gint64 hour = 0;

      if (object == NULL || !read_count (object, path, "hour", 23, &hour, error))
        return FALSE;
      if (hour != h)
        return fail (error, path, "hour %d out of order", (int)hour);
      if (!read_uint (object, path, "tickets", &report->by_hour[h].tickets, error)
          || !read_uint (object, path, "late", &report->by_hour[h].late, error)
          || !read_summary (object, path, "ready_time_ms", &report->by_hour[h].ready, error))
        return FALSE;
    }
  return TRUE;
}

TrServiceReport *
tr_service_report_from_json (JsonNode *node, GError **error)
{
  g_autoptr (TrServiceReport) report = NULL;
  JsonObject *root;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, "stats", "expected an object"), NULL;
  root = json_node_get_object (node);
  report = tr_service_report_new_empty ();
  if (!read_count (root, NULL, "from", G_MAXINT64, &report->from, error)
      || !read_count (root, NULL, "to", G_MAXINT64, &report->to, error)
      || !read_count (root, NULL, "warn_ms", G_MAXINT64, &report->warn_ms, error)
      || !read_count (root, NULL, "late_ms", G_MAXINT64, &report->late_ms, error)
      || !read_uint (root, NULL, "tickets", &report->tickets, error)
      || !read_uint (root, NULL, "cancelled", &report->cancelled, error)
      || !read_uint (root, NULL, "warning", &report->warning, error)
      || !read_uint (root, NULL, "late", &report->late, error)
      || !read_uint (root, NULL, "recalls", &report->recalls, error)
      || !read_summary (root, NULL, "start_time_ms", &report->start, error)
      || !read_summary (root, NULL, "ready_time_ms", &report->ready, error)
      || !read_summary (root, NULL, "wait_time_ms", &report->wait, error)
      || !read_groups (root, "by_station", "station", TRUE, report->by_station, error)
      || !read_groups (root, "by_order_type", "order_type", FALSE, report->by_order_type, error)
      || !read_hours (root, report, error))
    return NULL;
  return g_steal_pointer (&report);
}

TrServiceReport *
tr_service_report_parse (const char *data, gssize length, GError **error)
{
  g_autoptr (JsonNode) node = tr_json_parse (data, length, error);

  return node != NULL ? tr_service_report_from_json (node, error) : NULL;
}
