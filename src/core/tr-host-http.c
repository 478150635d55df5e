/* tr-host-http.c: the host's HTTP API
 *
 * Health, ops, tickets (the POS endpoint) and the WebSocket path's HTTP
 * side, with the helpers every endpoint uses to read a request and
 * answer it. Long-poll is in tr-host-poll.c, pairing in
 * tr-host-pairing.c.
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

/* The station id of tickets created through POST /api/v1/tickets. */
#define POS_STATION_ID "pos"

void
_tr_host_respond_json_take (SoupServerMessage *msg, guint status, char *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

void
_tr_host_respond_error (SoupServerMessage *msg, guint status, const char *code, const char *message)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (root, "error", error);
  json_node_take_object (node, root);
  _tr_host_respond_json_take (msg, status, tr_json_to_string (node));
}

gboolean
_tr_host_require_method (SoupServerMessage *msg, const char *allow, ...)
{
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *message = NULL;
  va_list args;
  const char *m;

  va_start (args, allow);
  for (m = allow; m != NULL; m = va_arg (args, const char *))
    if (g_str_equal (method, m))
      {
        va_end (args);
        return TRUE;
      }
  va_end (args);

  message = g_strdup_printf ("method %s not allowed here", method);
  _tr_host_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", message);
  {
    GString *list = g_string_new (NULL);

    va_start (args, allow);
    for (m = allow; m != NULL; m = va_arg (args, const char *))
      g_string_append_printf (list, "%s%s", list->len ? ", " : "", m);
    va_end (args);
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                  list->str);
    g_string_free (list, TRUE);
  }
  return FALSE;
}

/* The exact path, so "/api/v1/health/x" is a 404 rather than health. */
gboolean
_tr_host_require_exact_path (SoupServerMessage *msg, const char *path, const char *expected)
{
  if (g_str_equal (path, expected))
    return TRUE;
  _tr_host_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint");
  return FALSE;
}

JsonNode *
_tr_host_parse_body (SoupServerMessage *msg, GError **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (length == 0)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_INVALID, "body: empty; expected JSON");
      return NULL;
    }
  return tr_json_parse (data, (gssize)length, error);
}

gboolean
_tr_host_parse_query_int (GHashTable *query, const char *name, gint64 fallback, gint64 *out)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;
  guint64 parsed;

  if (value == NULL || *value == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &parsed, NULL))
    return FALSE;
  *out = (gint64)parsed;
  return TRUE;
}

const char *
_tr_host_query_string (GHashTable *query, const char *name)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

void
_tr_host_handle_health (SoupServer *server, SoupServerMessage *msg, const char *path,
                        GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;

  if (!_tr_host_require_exact_path (msg, path, API_PREFIX "/health")
      || !_tr_host_require_method (msg, SOUP_METHOD_GET, SOUP_METHOD_HEAD, NULL))
    return;

  node = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();

  json_object_set_string_member (object, "status", "ok");
  json_object_set_string_member (object, "host_id", self->db_id);
  json_object_set_int_member (object, "head_seq", self->head_seq);
  json_object_set_int_member (object, "stations", _tr_host_count_connected_stations (self));
  json_object_set_string_member (object, "version", PACKAGE_VERSION);
  /* Issue 17: FALSE means acks are not backed by a standby. */
  json_object_set_boolean_member (object, "standby_connected", tr_host_get_standby_connected (self));
  /* Issue 17: a station has seen a newer host of this restaurant. */
  if (self->superseded_by > 0)
    json_object_set_int_member (object, "superseded_by", self->superseded_by);
  if (tr_host_get_standby_warning (self) != NULL)
    json_object_set_string_member (object, "standby_warning", tr_host_get_standby_warning (self));
  json_object_set_boolean_member (object, "training", self->training);
  /* Issue 13: a polling station shows Reprint only while this is > 0. */
  json_object_set_int_member (object, "printers", tr_host_count_reprint_printers (self));
  if (self->exporter != NULL)
    tr_exporter_add_health (self->exporter, object);
  json_node_take_object (node, object);
  _tr_host_respond_json_take (msg, SOUP_STATUS_OK, tr_json_to_string (node));
}

void
_tr_host_handle_ops (SoupServer *server, SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autofree char *paired_id = NULL;
  HttpRequest *request;

  if (!_tr_host_require_exact_path (msg, path, API_PREFIX "/ops")
      || !_tr_host_require_method (msg, SOUP_METHOD_POST, NULL)
      || !_tr_host_authorize_request (self, msg, TRUE, &paired_id))
    return;
  if (_tr_host_refuse_if_superseded (self, msg))
    return;
  if (!(root = _tr_host_parse_body (msg, &error)))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);
      guint n = json_array_get_length (array);

      if (n == 0)
        {
          _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                                  "body: an empty array of ops");
          return;
        }
      for (guint i = 0; i < n; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          TrOp *op = NULL;

          if (JSON_NODE_HOLDS_OBJECT (element))
            op = tr_op_from_json (element, &error);
          if (op == NULL)
            {
              g_autofree char *message = g_strdup_printf (
                "[%u]%s%s", i, error ? "." : ": ", error ? error->message : "must be an object");

              _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", message);
              return;
            }
          g_ptr_array_add (ops, op);
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      TrOp *op = tr_op_from_json (root, &error);

      if (op == NULL)
        {
          _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
          return;
        }
      g_ptr_array_add (ops, op);
    }
  else
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "body: must be an op object or an array of ops");
      return;
    }

  if (!_tr_host_take_http_tokens (self, msg, paired_id, ops->len))
    return;
  request = _tr_host_request_new (self, msg, REQUEST_OPS);
  while (ops->len > 0)
    _tr_host_enqueue_op (self, g_ptr_array_steal_index (ops, 0), NULL, NULL, request);
}

/* A stable UUID (v5 layout) from the POS's idempotency key, so that a
 * retry of a ticket without ids creates the same ids again. */
static char *
derive_uuid (const char *op_id, const char *what)
{
  g_autofree char *input = g_strconcat ("ticketrail/pos/", op_id, "/", what, NULL);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

  hex[12] = '5';
  hex[16] = "89ab"[g_ascii_xdigit_value (hex[16]) & 3];
  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static gboolean
member_is_missing (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

void
_tr_host_handle_tickets (SoupServer *server, SoupServerMessage *msg, const char *path,
                         GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autofree char *op_id = NULL;
  g_autofree char *paired_id = NULL;
  gboolean idempotent;
  JsonObject *object;
  JsonNode *items;
  TrOp *op;

  /* POST /api/v1/tickets/{id}/reprint */
  if (g_str_has_prefix (path, API_PREFIX "/tickets/") && g_str_has_suffix (path, "/reprint"))
    {
      const char *id = path + strlen (API_PREFIX "/tickets/");
      g_autofree char *ticket_id = g_strndup (id, strlen (id) - strlen ("/reprint"));

      /* A reprint costs paper: it counts against the station's rate. */
      if (!_tr_host_require_method (msg, SOUP_METHOD_POST, NULL)
          || !_tr_host_authorize_request (self, msg, TRUE, &paired_id)
          || !_tr_host_take_http_tokens (self, msg, paired_id, 1))
        return;
      _tr_host_handle_reprint (self, msg, ticket_id);
      return;
    }
  if (!_tr_host_require_exact_path (msg, path, API_PREFIX "/tickets")
      || !_tr_host_require_method (msg, SOUP_METHOD_GET, SOUP_METHOD_POST, NULL)
      || !_tr_host_authorize_request (
        self, msg, !g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET),
        &paired_id))
    return;
  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST)
      && _tr_host_refuse_if_superseded (self, msg))
    return;

  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    {
      char *body;

      body = _tr_host_build_http_snapshot (self, &error);
      if (body != NULL)
        _tr_host_respond_json_take (msg, SOUP_STATUS_OK, body);
      else
        _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                tr_error_code_to_string (TR_ERROR_STORE), error->message);
      return;
    }

  if (!(root = _tr_host_parse_body (msg, &error)))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "ticket: must be a JSON object");
      return;
    }
  object = json_node_get_object (root);

  /* The idempotency key: "op_id" in the body, else the header. */
  if (!member_is_missing (object, "op_id"))
    {
      JsonNode *node = json_object_get_member (object, "op_id");

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
          || *json_node_get_string (node) == '\0')
        {
          _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                                  "op_id: must be a non-empty string");
          return;
        }
      op_id = g_strdup (json_node_get_string (node));
    }
  else
    op_id = g_strdup (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                    "Idempotency-Key"));
  if (op_id != NULL && (strlen (op_id) > MAX_ID_BYTES || !g_utf8_validate (op_id, -1, NULL)))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "op_id: too long or not UTF-8");
      return;
    }
  idempotent = op_id != NULL;
  if (op_id == NULL)
    op_id = tr_uuid_new ();

  /* Fill in what a POS need not know: ids, and where the ticket came
   * from. The codec then validates everything else. */
  if (member_is_missing (object, "id"))
    {
      g_autofree char *id = idempotent ? derive_uuid (op_id, "ticket") : tr_uuid_new ();

      json_object_set_string_member (object, "id", id);
    }
  if (member_is_missing (object, "source"))
    json_object_set_string_member (object, "source", tr_source_to_string (TR_SOURCE_POS));
  items = json_object_get_member (object, "items");
  if (items != NULL && JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (item)
              && member_is_missing (json_node_get_object (item), "id"))
            {
              g_autofree char *what = g_strdup_printf ("item/%u", i);
              g_autofree char *id = idempotent ? derive_uuid (op_id, what) : tr_uuid_new ();

              json_object_set_string_member (json_node_get_object (item), "id", id);
            }
        }
    }

  if (!(ticket = tr_ticket_from_json (root, &error)))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }

  if (!_tr_host_take_http_tokens (self, msg, paired_id, 1))
    return;
  op = tr_op_new_create_ticket (POS_STATION_ID, ticket);
  g_free (op->op_id);
  op->op_id = g_steal_pointer (&op_id);
  _tr_host_enqueue_op (self, op, NULL, NULL, _tr_host_request_new (self, msg, REQUEST_TICKET));
}

void
_tr_host_handle_ws_http (SoupServer *server, SoupServerMessage *msg, const char *path,
                         GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;

  /* libsoup runs this before the upgrade, so a status set here refuses
   * it. A foreign Origin was already refused in on_request_got_headers()
   * (403); the token comes in the hello, as browsers cannot set headers
   * on a WebSocket. */
  if (_tr_host_origin_is_foreign (self, msg))
    _tr_host_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                            "WebSocket connections are accepted only from the host's own pages");
  else if (!self->websocket_enabled)
    _tr_host_respond_error (
      msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
      "WebSocket is disabled on this host; use GET /api/v1/events long-polling");
}

void
_tr_host_handle_not_found (SoupServer *server, SoupServerMessage *msg, const char *path,
                           GHashTable *query, gpointer user_data)
{
  _tr_host_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint");
}
