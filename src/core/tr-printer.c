/* tr-printer.c: a kitchen printer's configuration and state, and their JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-printer"

#include "config.h"

#include "tr-printer.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"

static const char *const MODES[] = {
  [TR_PRINTER_MODE_ALWAYS] = "always",
  [TR_PRINTER_MODE_FALLBACK] = "fallback",
  [TR_PRINTER_MODE_READY_CHIT] = "ready-chit",
};

static const char *const STATES[] = {
  [TR_PRINTER_STATE_UNKNOWN] = "unknown",
  [TR_PRINTER_STATE_READY] = "ready",
  [TR_PRINTER_STATE_OFFLINE] = "offline",
  [TR_PRINTER_STATE_PAPER_OUT] = "paper-out",
  [TR_PRINTER_STATE_COVER_OPEN] = "cover-open",
};

const char *
tr_printer_mode_to_string (TrPrinterMode mode)
{
  g_return_val_if_fail ((guint)mode < G_N_ELEMENTS (MODES), "always");
  return MODES[mode];
}

gboolean
tr_printer_mode_from_string (const char *text, TrPrinterMode *out, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (MODES); i++)
    if (g_strcmp0 (text, MODES[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
               "unknown printer mode \"%s\" (always, fallback or ready-chit)", text ? text : "");
  return FALSE;
}

const char *
tr_printer_state_to_string (TrPrinterState state)
{
  g_return_val_if_fail ((guint)state < G_N_ELEMENTS (STATES), "unknown");
  return STATES[state];
}

TrPrinterState
tr_printer_state_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (STATES); i++)
    if (g_strcmp0 (text, STATES[i]) == 0)
      return i;
  return TR_PRINTER_STATE_UNKNOWN;
}

gboolean
tr_printer_state_is_alert (TrPrinterState state)
{
  return state == TR_PRINTER_STATE_OFFLINE || state == TR_PRINTER_STATE_PAPER_OUT
         || state == TR_PRINTER_STATE_COVER_OPEN;
}

G_DEFINE_BOXED_TYPE (TrPrinter, tr_printer, tr_printer_copy, tr_printer_free)
G_DEFINE_BOXED_TYPE (TrPrinterInfo, tr_printer_info, tr_printer_info_copy, tr_printer_info_free)

TrPrinter *
tr_printer_new (const char *name, const char *address)
{
  TrPrinter *printer = g_new0 (TrPrinter, 1);

  printer->name = g_strdup (name);
  printer->address = g_strdup (address);
  printer->columns = TR_PRINTER_DEFAULT_COLUMNS;
  printer->routes = g_new0 (char *, 1);
  printer->mode = TR_PRINTER_MODE_ALWAYS;
  printer->grace_seconds = TR_PRINTER_DEFAULT_GRACE_SECONDS;
  return printer;
}

TrPrinter *
tr_printer_copy (const TrPrinter *printer)
{
  TrPrinter *copy;

  if (printer == NULL)
    return NULL;
  copy = g_memdup2 (printer, sizeof *printer);
  copy->name = g_strdup (printer->name);
  copy->address = g_strdup (printer->address);
  copy->routes = printer->routes ? g_strdupv (printer->routes) : g_new0 (char *, 1);
  return copy;
}

void
tr_printer_free (TrPrinter *printer)
{
  if (printer == NULL)
    return;
  g_free (printer->name);
  g_free (printer->address);
  g_strfreev (printer->routes);
  g_free (printer);
}

gboolean
tr_printer_parse_address (const char *address, char **out_host, guint16 *out_port, GError **error)
{
  const char *rest;
  g_autofree char *host = NULL;
  const char *port_text = NULL;
  guint64 port = TR_PRINTER_DEFAULT_PORT;

  if (address == NULL || !g_str_has_prefix (address, "tcp://"))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                   "printer address \"%s\" is not tcp://HOST:PORT", address ? address : "");
      return FALSE;
    }
  rest = address + strlen ("tcp://");
  if (*rest == '[')
    {
      const char *end = strchr (rest, ']');

      if (end == NULL || (end[1] != '\0' && end[1] != ':'))
        goto bad;
      host = g_strndup (rest + 1, end - rest - 1);
      if (end[1] == ':')
        port_text = end + 2;
    }
  else
    {
      const char *colon = strrchr (rest, ':');

      if (colon != NULL)
        {
          host = g_strndup (rest, colon - rest);
          port_text = colon + 1;
        }
      else
        host = g_strdup (rest);
    }
  if (*host == '\0' || strpbrk (host, "/?#@ \t") != NULL
      || (strchr (host, ':') != NULL && *rest != '['))
    goto bad;
  if (port_text != NULL
      && (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                   "printer address \"%s\": the port must be 1 to 65535", address);
      return FALSE;
    }
  if (out_host != NULL)
    *out_host = g_steal_pointer (&host);
  if (out_port != NULL)
    *out_port = (guint16)port;
  return TRUE;

bad:
  g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
               "printer address \"%s\" is not tcp://HOST:PORT", address);
  return FALSE;
}

static gboolean
is_plain_word (const char *text, gsize max)
{
  gsize len = strlen (text);

  if (len == 0 || len > max || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == '/' || c == '\\')
        return FALSE;
    }
  return TRUE;
}

gboolean
tr_printer_validate (const TrPrinter *printer, GError **error)
{
  g_return_val_if_fail (printer != NULL, FALSE);

  if (printer->name == NULL || !is_plain_word (printer->name, TR_PRINTER_MAX_NAME)
      || g_str_has_prefix (printer->name, "-"))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                   "a printer needs a name of 1 to %d characters, without control "
                   "characters or slashes, not starting with -",
                   TR_PRINTER_MAX_NAME);
      return FALSE;
    }
  if (!tr_printer_parse_address (printer->address, NULL, NULL, error))
    return FALSE;
  if (printer->columns != 32 && printer->columns != 42 && printer->columns != 48)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                   "printer width %u: use 32 (58 mm paper), 42 or 48 (80 mm paper)",
                   printer->columns);
      return FALSE;
    }
  if ((guint)printer->mode >= G_N_ELEMENTS (MODES))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "unknown printer mode %d", printer->mode);
      return FALSE;
    }
  if (printer->grace_seconds > 3600)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                   "grace time %u s: at most 3600 s", printer->grace_seconds);
      return FALSE;
    }
  for (guint i = 0; printer->routes != NULL && printer->routes[i] != NULL; i++)
    if (!is_plain_word (printer->routes[i], 128))
      {
        g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "route \"%s\" is not a station name",
                     printer->routes[i]);
        return FALSE;
      }
  return TRUE;
}

gboolean
tr_printer_serves_route (const TrPrinter *printer, const char *route)
{
  if (printer->routes == NULL || printer->routes[0] == NULL || route == NULL || *route == '\0')
    return TRUE;
  return g_strv_contains ((const char *const *)printer->routes, route);
}

TrPrinterInfo *
tr_printer_info_new (const TrPrinter *printer)
{
  TrPrinterInfo *info = g_new0 (TrPrinterInfo, 1);

  info->printer = tr_printer_copy (printer);
  info->state = TR_PRINTER_STATE_UNKNOWN;
  return info;
}

TrPrinterInfo *
tr_printer_info_copy (const TrPrinterInfo *info)
{
  TrPrinterInfo *copy;

  if (info == NULL)
    return NULL;
  copy = g_memdup2 (info, sizeof *info);
  copy->printer = tr_printer_copy (info->printer);
  copy->last_error = g_strdup (info->last_error);
  return copy;
}

void
tr_printer_info_free (TrPrinterInfo *info)
{
  if (info == NULL)
    return;
  tr_printer_free (info->printer);
  g_free (info->last_error);
  g_free (info);
}

static void
add_printer_members (JsonBuilder *builder, const TrPrinter *printer)
{
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, printer->name);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, printer->address);
  json_builder_set_member_name (builder, "columns");
  json_builder_add_int_value (builder, printer->columns);
  json_builder_set_member_name (builder, "routes");
  json_builder_begin_array (builder);
  for (guint i = 0; printer->routes != NULL && printer->routes[i] != NULL; i++)
    json_builder_add_string_value (builder, printer->routes[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, tr_printer_mode_to_string (printer->mode));
  json_builder_set_member_name (builder, "grace_seconds");
  json_builder_add_int_value (builder, printer->grace_seconds);
}

JsonNode *
tr_printer_to_json (const TrPrinter *printer)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_printer_members (builder, printer);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
get_int (JsonObject *object, const char *name, gint64 fallback, gint64 *out, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "\"%s\" must be an integer", name);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
get_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

TrPrinter *
tr_printer_from_json (JsonNode *node, GError **error)
{
  g_autoptr (TrPrinter) printer = NULL;
  JsonObject *object;
  JsonNode *routes;
  gint64 columns, grace;
  const char *mode;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "a printer must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);
  printer = tr_printer_new (get_string (object, "name"), get_string (object, "address"));
  if (!get_int (object, "columns", TR_PRINTER_DEFAULT_COLUMNS, &columns, error)
      || !get_int (object, "grace_seconds", TR_PRINTER_DEFAULT_GRACE_SECONDS, &grace, error))
    return NULL;
  printer->columns = (columns < 0 || columns > 1000) ? 0 : (guint)columns;
  printer->grace_seconds = (grace < 0 || grace > 100000) ? 100000 : (guint)grace;
  mode = get_string (object, "mode");
  if (mode != NULL && !tr_printer_mode_from_string (mode, &printer->mode, error))
    return NULL;
  routes = json_object_get_member (object, "routes");
  if (routes != NULL && !JSON_NODE_HOLDS_NULL (routes))
    {
      JsonArray *array;
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

      if (!JSON_NODE_HOLDS_ARRAY (routes))
        {
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "\"routes\" must be an array");
          return NULL;
        }
      array = json_node_get_array (routes);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *route = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (route) || json_node_get_value_type (route) != G_TYPE_STRING)
            {
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "a route must be a string");
              return NULL;
            }
          g_strv_builder_add (builder, json_node_get_string (route));
        }
      g_strfreev (printer->routes);
      printer->routes = g_strv_builder_end (builder);
    }
  if (!tr_printer_validate (printer, error))
    return NULL;
  return g_steal_pointer (&printer);
}

char *
tr_printer_infos_to_json (GPtrArray *infos)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "printers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < infos->len; i++)
    {
      const TrPrinterInfo *info = g_ptr_array_index (infos, i);

      json_builder_begin_object (builder);
      add_printer_members (builder, info->printer);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, tr_printer_state_to_string (info->state));
      json_builder_set_member_name (builder, "state_since");
      json_builder_add_int_value (builder, info->state_since);
      json_builder_set_member_name (builder, "last_error");
      if (info->last_error != NULL)
        json_builder_add_string_value (builder, info->last_error);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "pending_slips");
      json_builder_add_int_value (builder, info->pending_slips);
      json_builder_set_member_name (builder, "last_printed_at");
      json_builder_add_int_value (builder, info->last_printed_at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return tr_json_to_string (root);
}

GPtrArray *
tr_printer_infos_parse (const char *json, gssize length, GError **error)
{
  g_autoptr (JsonNode) root = tr_json_parse (json, length, error);
  g_autoptr (GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_info_free);
  JsonNode *printers;
  JsonArray *array;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root)
      || !(printers = json_object_get_member (json_node_get_object (root), "printers"))
      || !JSON_NODE_HOLDS_ARRAY (printers))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "no \"printers\" array in the answer");
      return NULL;
    }
  array = json_node_get_array (printers);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr (GError) local_error = NULL;
      g_autoptr (TrPrinter) printer = tr_printer_from_json (node, &local_error);
      TrPrinterInfo *info;
      JsonObject *object;
      gint64 value;
      const char *last_error;

      if (printer == NULL)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "printer %u: %s", i,
                       local_error->message);
          return NULL;
        }
      object = json_node_get_object (node);
      info = tr_printer_info_new (printer);
      g_ptr_array_add (infos, info);
      info->state = tr_printer_state_from_string (get_string (object, "state"));
      if (get_int (object, "state_since", 0, &value, NULL))
        info->state_since = value;
      if (get_int (object, "pending_slips", 0, &value, NULL))
        info->pending_slips = (guint)CLAMP (value, 0, G_MAXUINT);
      if (get_int (object, "last_printed_at", 0, &value, NULL))
        info->last_printed_at = value;
      last_error = get_string (object, "last_error");
      info->last_error = g_strdup (last_error);
    }
  return g_steal_pointer (&infos);
}

gboolean
tr_printer_reprint_task_finish (GTask *task, guint *out_n_printers, GError **error)
{
  GError *local_error = NULL;
  gssize n = g_task_propagate_int (task, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (out_n_printers != NULL)
    *out_n_printers = (guint)n;
  return TRUE;
}
