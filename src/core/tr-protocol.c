/* tr-protocol.c: protocol v1 frames (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-protocol"

#include "config.h"

#include "tr-protocol.h"

#include <math.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-timeouts.h"

/* Tokens are opaque to the protocol; this only keeps a hostile hello
 * from making the host hold a large string. */
#define MAX_TOKEN_BYTES 1024
/* The codec's bound on ids (docs/protocol.md): a station whose id is
 * longer could say hello but none of its ops would decode. */
#define MAX_ID_BYTES 128

static const char *const frame_type_names[] = {
  [TR_FRAME_HELLO] = "hello",
  [TR_FRAME_OP] = "op",
  [TR_FRAME_OPS] = "ops",
  [TR_FRAME_PING] = "ping",
  [TR_FRAME_WELCOME] = "welcome",
  [TR_FRAME_EVENTS] = "events",
  [TR_FRAME_SNAPSHOT] = "snapshot",
  [TR_FRAME_ACK] = "ack",
  [TR_FRAME_PONG] = "pong",
  [TR_FRAME_ERROR] = "error",
  [TR_FRAME_STANDBY_INVITE] = "standby_invite",
  [TR_FRAME_STANDBY_ACK] = "standby_ack",
};
G_STATIC_ASSERT (G_N_ELEMENTS (frame_type_names) == TR_N_FRAME_TYPES);
/* Room for the "ops" frame around one op of the largest size. */
G_STATIC_ASSERT (TR_MAX_OP_BYTES + 1024 <= TR_MAX_FRAME_BYTES);

gboolean
tr_role_is_read_only (const char *role)
{
  return g_strcmp0 (role, TR_ROLE_BOARD) == 0;
}

const char *
tr_frame_type_to_string (TrFrameType type)
{
  if ((guint)type < G_N_ELEMENTS (frame_type_names))
    return frame_type_names[type];
  return NULL;
}

static gboolean
frame_type_from_string (const char *str, TrFrameType *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (frame_type_names); i++)
    if (strcmp (frame_type_names[i], str) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

static TrFrame *
frame_new (TrFrameType type)
{
  TrFrame *frame = g_new0 (TrFrame, 1);

  frame->type = type;
  frame->last_seq = -1;
  frame->latency_ms = -1;
  frame->printers = -1;
  return frame;
}

void
tr_frame_free (TrFrame *frame)
{
  if (frame == NULL)
    return;
  g_free (frame->station_id);
  g_free (frame->station_name);
  g_free (frame->station_role);
  g_free (frame->token);
  g_free (frame->host_id);
  g_free (frame->since_op);
  g_clear_pointer (&frame->ops, g_ptr_array_unref);
  g_clear_pointer (&frame->events, g_ptr_array_unref);
  g_clear_pointer (&frame->tickets, g_ptr_array_unref);
  g_free (frame->op_id);
  g_free (frame->error_code);
  g_free (frame->error_message);
  g_free (frame->standby_url);
  g_free (frame->lineage);
  g_free (frame->invite_code);
  g_free (frame);
}

/* ---- Parsing helpers ----
 *
 * Every error names the offending member with its dotted path in the
 * frame ("station.id: must be a string", "ops[2].ticket.items[0].quantity:
 * ..."), so the peer's log says exactly what to fix. */

static gboolean G_GNUC_PRINTF (4, 5)
  fail (GError **error, TrErrorCode code, const char *path, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TR_ERROR, code, "%s: %s", path, message);
  return FALSE;
}

/* Paths are relative to the frame object, like the codec's ("ops[2].kind",
 * "station.id"); @where is NULL for a member of the frame itself. */
static char *
member_path (const char *where, const char *name)
{
  return where ? g_strconcat (where, ".", name, NULL) : g_strdup (name);
}

/* NULL when the member is absent or JSON null: optional members may be
 * either. */
static JsonNode *
get_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static gboolean
read_string (JsonObject *object, const char *where, const char *name, gboolean required,
             gsize max_bytes, char **out, GError **error)
{
  g_autofree char *path = member_path (where, name);
  JsonNode *node = get_member (object, name);
  const char *value;

  if (node == NULL)
    {
      if (required)
        return fail (error, TR_ERROR_PROTOCOL, path, "missing");
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, TR_ERROR_PROTOCOL, path, "must be a string");
  value = json_node_get_string (node);
  if (required && *value == '\0')
    return fail (error, TR_ERROR_PROTOCOL, path, "must not be empty");
  if (max_bytes > 0 && strlen (value) > max_bytes)
    return fail (error, TR_ERROR_PROTOCOL, path, "longer than %" G_GSIZE_FORMAT " bytes",
                 max_bytes);
  *out = g_strdup (value);
  return TRUE;
}

/* JSON has one number type: an integer field also takes a double with
 * an integral value (what some JavaScript serializers produce), and
 * @allow_fraction fields (times measured with performance.now()) take any
 * finite number, truncated. */
static gboolean
read_int (JsonObject *object, const char *where, const char *name, gboolean required,
          gboolean allow_fraction, gint64 min, gint64 fallback, gint64 *out, GError **error)
{
  g_autofree char *path = member_path (where, name);
  JsonNode *node = get_member (object, name);
  gint64 value;

  if (node == NULL)
    {
      if (required)
        return fail (error, TR_ERROR_PROTOCOL, path, "missing");
      *out = fallback;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return fail (error, TR_ERROR_PROTOCOL, path, "must be an integer");

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (!isfinite (d) || d < -9.0e18 || d > 9.0e18 || (!allow_fraction && d != floor (d)))
        return fail (error, TR_ERROR_PROTOCOL, path, "must be an integer");
      value = (gint64)d;
    }
  else
    return fail (error, TR_ERROR_PROTOCOL, path, "must be an integer");

  if (value < min)
    return fail (error, TR_ERROR_PROTOCOL, path, "must be at least %" G_GINT64_FORMAT, min);
  *out = value;
  return TRUE;
}

static JsonObject *
read_object (JsonObject *object, const char *where, const char *name, gboolean required,
             GError **error)
{
  g_autofree char *path = member_path (where, name);
  JsonNode *node = get_member (object, name);

  if (node == NULL)
    {
      if (required)
        fail (error, TR_ERROR_PROTOCOL, path, "missing");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, TR_ERROR_PROTOCOL, path, "must be an object");
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
read_array (JsonObject *object, const char *where, const char *name, GError **error)
{
  g_autofree char *path = member_path (where, name);
  JsonNode *node = get_member (object, name);

  if (node == NULL)
    {
      fail (error, TR_ERROR_PROTOCOL, path, "missing");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (error, TR_ERROR_PROTOCOL, path, "must be an array");
      return NULL;
    }
  return json_node_get_array (node);
}

/* The codec's messages start with the path inside the decoded value;
 * prefix it with where that value sits in the frame. */
static void
prefix_codec_error (GError *codec_error, const char *path, GError **error)
{
  g_set_error (error, codec_error->domain, codec_error->code, "%s.%s", path, codec_error->message);
}

typedef gpointer (*DecodeFunc) (JsonNode *node, GError **error);

static GPtrArray *
decode_array (JsonArray *array, const char *path, DecodeFunc decode, GDestroyNotify free_func,
              GError **error)
{
  guint n = json_array_get_length (array);
  g_autoptr (GPtrArray) values = g_ptr_array_new_full (n, free_func);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);
      JsonNode *element = json_array_get_element (array, i);
      gpointer value;

      /* Checked here so that the codec's messages always start with a
       * member name, which prefix_codec_error() joins with a dot. */
      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          fail (error, TR_ERROR_INVALID, item_path, "must be an object");
          return NULL;
        }
      value = decode (element, &local_error);
      if (value == NULL)
        {
          prefix_codec_error (local_error, item_path, error);
          return NULL;
        }
      g_ptr_array_add (values, value);
    }
  return g_steal_pointer (&values);
}

/* ---- One parser per frame type ---- */

static gboolean
parse_hello (JsonObject *object, TrFrame *frame, GError **error)
{
  JsonObject *station;
  gint64 protocol;

  if (!read_int (object, NULL, "protocol", TRUE, FALSE, G_MININT, 0, &protocol, error))
    return FALSE;
  if (protocol > G_MAXINT)
    return fail (error, TR_ERROR_PROTOCOL, "protocol", "out of range");
  frame->protocol = (int)protocol;

  /* Another version may shape its hello differently; hand back just the
   * version so the receiver can close with TR_CLOSE_VERSION rather than
   * a generic protocol error. */
  if (frame->protocol != TR_PROTOCOL_VERSION)
    return TRUE;

  if (!(station = read_object (object, NULL, "station", TRUE, error)))
    return FALSE;
  if (!read_string (station, "station", "id", TRUE, MAX_ID_BYTES, &frame->station_id, error)
      || !read_string (station, "station", "name", FALSE, TR_MAX_TEXT_BYTES, &frame->station_name,
                       error)
      || !read_string (station, "station", "role", FALSE, TR_MAX_TEXT_BYTES, &frame->station_role,
                       error)
      || !read_string (object, NULL, "token", FALSE, MAX_TOKEN_BYTES, &frame->token, error)
      || !read_string (object, NULL, "host_id", FALSE, MAX_ID_BYTES, &frame->host_id, error)
      || !read_int (object, NULL, "since", FALSE, FALSE, 0, 0, &frame->since, error)
      || !read_string (object, NULL, "since_op", FALSE, MAX_ID_BYTES, &frame->since_op, error)
      || !read_int (object, NULL, "gen", FALSE, FALSE, 0, 0, &frame->gen, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_op (JsonObject *object, TrFrame *frame, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  JsonNode *node = get_member (object, "op");
  TrOp *op;

  if (node == NULL)
    return fail (error, TR_ERROR_PROTOCOL, "op", "missing");
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, TR_ERROR_INVALID, "op", "must be an object");
  if (!(op = tr_op_from_json (node, &local_error)))
    {
      prefix_codec_error (local_error, "op", error);
      return FALSE;
    }
  frame->ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_ptr_array_add (frame->ops, op);
  return TRUE;
}

static gboolean
parse_ops (JsonObject *object, TrFrame *frame, GError **error)
{
  JsonArray *array;

  if (!(array = read_array (object, NULL, "ops", error)))
    return FALSE;
  if (json_array_get_length (array) == 0)
    return fail (error, TR_ERROR_PROTOCOL, "ops", "must hold at least one op");
  frame->ops
    = decode_array (array, "ops", (DecodeFunc)tr_op_from_json, (GDestroyNotify)tr_op_free, error);
  return frame->ops != NULL;
}

static gboolean
parse_ping (JsonObject *object, TrFrame *frame, GError **error)
{
  gint64 queued;

  if (!read_int (object, NULL, "t", TRUE, TRUE, G_MININT64, 0, &frame->t, error)
      || !read_int (object, NULL, "last_seq", FALSE, FALSE, 0, -1, &frame->last_seq, error)
      || !read_int (object, NULL, "queued", FALSE, FALSE, 0, 0, &queued, error)
      || !read_int (object, NULL, "latency_ms", FALSE, TRUE, 0, -1, &frame->latency_ms, error))
    return FALSE;
  frame->queued = (guint)MIN (queued, (gint64)G_MAXUINT);
  return TRUE;
}

/* Optional advice for the screens (issue 13): a value that is not a
 * non-negative integer counts as absent (-1, unknown), never as a
 * malformed frame, so a host's slip cannot cut the link. */
static void
read_printers (JsonObject *object, TrFrame *frame)
{
  JsonNode *node = json_object_get_member (object, "printers");

  frame->printers = -1;
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) >= 0)
    frame->printers = MIN (json_node_get_int (node), (gint64)G_MAXINT);
}

static gboolean
parse_pong (JsonObject *object, TrFrame *frame, GError **error)
{
  JsonNode *warning = json_object_get_member (object, "standby_warning");

  read_printers (object, frame);
  /* Optional and advisory: anything but true counts as no warning. */
  frame->standby_warning = warning != NULL && JSON_NODE_HOLDS_VALUE (warning)
                           && json_node_get_value_type (warning) == G_TYPE_BOOLEAN
                           && json_node_get_boolean (warning);
  return read_int (object, NULL, "t", TRUE, TRUE, G_MININT64, 0, &frame->t, error)
         && read_string (object, NULL, "standby_url", FALSE, TR_MAX_TEXT_BYTES, &frame->standby_url,
                         error);
}

static gboolean
parse_standby_invite (JsonObject *object, TrFrame *frame, GError **error)
{
  return read_string (object, NULL, "code", TRUE, TR_MAX_TEXT_BYTES, &frame->invite_code, error);
}

static gboolean
parse_standby_ack (JsonObject *object, TrFrame *frame, GError **error)
{
  gint64 port;

  if (!read_int (object, NULL, "seq", TRUE, FALSE, 0, 0, &frame->seq, error)
      || !read_int (object, NULL, "port", FALSE, FALSE, 0, 0, &port, error))
    return FALSE;
  if (port > 65535)
    return fail (error, TR_ERROR_PROTOCOL, "port", "must be at most 65535");
  frame->standby_port = (guint)port;
  return TRUE;
}

/* Optional, a JSON boolean when present: anything else is a malformed
 * welcome, never a guess at the mode. */
static gboolean
read_training (JsonObject *object, TrFrame *frame, GError **error)
{
  JsonNode *node = json_object_get_member (object, "training");

  frame->training = FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (error, TR_ERROR_PROTOCOL, "training", "must be a boolean");
  frame->training = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
parse_welcome (JsonObject *object, TrFrame *frame, GError **error)
{
  if (!read_string (object, NULL, "host_id", TRUE, TR_MAX_TEXT_BYTES, &frame->host_id, error)
      || !read_int (object, NULL, "head_seq", TRUE, FALSE, 0, 0, &frame->head_seq, error)
      || !read_int (object, NULL, "server_time", TRUE, FALSE, 0, 0, &frame->server_time, error)
      || !read_int (object, NULL, "heartbeat_timeout_ms", FALSE, FALSE, G_MININT64, 0,
                    &frame->heartbeat_timeout_ms, error))
    return FALSE;
  /* Advice, not a term of the link: a value this station would not
   * accept from its own settings is dropped rather than the welcome, so
   * a host with other bounds never stops stations from connecting. */
  if (frame->heartbeat_timeout_ms != 0
      && !tr_timeouts_host_heartbeat_is_valid (frame->heartbeat_timeout_ms))
    frame->heartbeat_timeout_ms = 0;
  /* lineage and gen come together or not at all. */
  if (!read_string (object, NULL, "lineage", FALSE, TR_MAX_TEXT_BYTES, &frame->lineage, error)
      || !read_int (object, NULL, "gen", FALSE, FALSE, 1, 0, &frame->gen, error))
    return FALSE;
  if ((frame->lineage == NULL) != (frame->gen == 0))
    return fail (error, TR_ERROR_PROTOCOL, frame->lineage == NULL ? "lineage" : "gen",
                 "lineage and gen go together");
  read_printers (object, frame);
  return read_training (object, frame, error);
}

static gboolean
parse_events (JsonObject *object, TrFrame *frame, GError **error)
{
  JsonArray *array;

  /* head_seq and host_id are only in HTTP long-poll answers (a polling
   * station gets no welcome); head_seq -1 says it was absent. */
  if (!read_int (object, NULL, "head_seq", FALSE, FALSE, 0, -1, &frame->head_seq, error)
      || !read_string (object, NULL, "host_id", FALSE, MAX_ID_BYTES, &frame->host_id, error))
    return FALSE;
  if (!(array = read_array (object, NULL, "events", error)))
    return FALSE;
  frame->events = decode_array (array, "events", (DecodeFunc)tr_event_from_json,
                                (GDestroyNotify)tr_event_free, error);
  return frame->events != NULL;
}

static gboolean
parse_snapshot (JsonObject *object, TrFrame *frame, GError **error)
{
  JsonArray *array;

  if (!read_int (object, NULL, "seq", TRUE, FALSE, 0, 0, &frame->seq, error)
      || !read_string (object, NULL, "host_id", FALSE, MAX_ID_BYTES, &frame->host_id, error))
    return FALSE;
  if (!(array = read_array (object, NULL, "tickets", error)))
    return FALSE;
  frame->tickets = decode_array (array, "tickets", (DecodeFunc)tr_ticket_from_json,
                                 (GDestroyNotify)tr_ticket_free, error);
  return frame->tickets != NULL;
}

static gboolean
parse_ack (JsonObject *object, TrFrame *frame, GError **error)
{
  g_autofree char *result = NULL;
  JsonObject *error_object;
  g_autoptr (GError) local_error = NULL;

  if (!read_string (object, NULL, "op_id", TRUE, TR_MAX_TEXT_BYTES, &frame->op_id, error)
      || !read_string (object, NULL, "result", TRUE, 0, &result, error)
      || !read_int (object, NULL, "seq", FALSE, FALSE, 0, 0, &frame->seq, error))
    return FALSE;

  if (g_str_equal (result, tr_apply_result_to_string (TR_APPLY_APPLIED)))
    frame->result = TR_APPLY_APPLIED;
  else if (g_str_equal (result, tr_apply_result_to_string (TR_APPLY_DUPLICATE)))
    frame->result = TR_APPLY_DUPLICATE;
  else if (g_str_equal (result, tr_apply_result_to_string (TR_APPLY_REJECTED)))
    frame->result = TR_APPLY_REJECTED;
  else
    return fail (error, TR_ERROR_PROTOCOL, "result", "unknown result \"%s\"", result);

  error_object = read_object (object, NULL, "error", FALSE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (error_object != NULL)
    {
      if (!read_string (error_object, "error", "code", TRUE, TR_MAX_TEXT_BYTES, &frame->error_code,
                        error)
          || !read_string (error_object, "error", "message", FALSE, 0, &frame->error_message,
                           error))
        return FALSE;
    }
  if (frame->result == TR_APPLY_REJECTED && frame->error_code == NULL)
    return fail (error, TR_ERROR_PROTOCOL, "error", "missing for a rejection");
  return TRUE;
}

static gboolean
parse_error_frame (JsonObject *object, TrFrame *frame, GError **error)
{
  return read_string (object, NULL, "code", TRUE, TR_MAX_TEXT_BYTES, &frame->error_code, error)
         && read_string (object, NULL, "message", FALSE, 0, &frame->error_message, error);
}

TrFrame *
tr_frame_parse (const char *data, gsize length, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TrFrame) frame = NULL;
  JsonObject *object;
  JsonNode *type_node;
  const char *type_name;
  TrFrameType type;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > G_MAXSSIZE)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_LIMIT, "frame too large");
      return NULL;
    }

  /* A frame that is not JSON at all breaks the protocol itself;
   * TR_ERROR_INVALID is kept for a well-formed frame whose op, event or
   * ticket the codec refuses, which a host answers per op. */
  if (!(root = tr_json_parse (data, (gssize)length, &local_error)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "not valid JSON: %s", local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL, "frame: must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);

  type_node = json_object_get_member (object, "type");
  if (type_node == NULL)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL, "type: missing");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (type_node) || json_node_get_value_type (type_node) != G_TYPE_STRING)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL, "type: must be a string");
      return NULL;
    }
  type_name = json_node_get_string (type_node);
  if (!frame_type_from_string (type_name, &type))
    {
      g_autofree char *shown = g_strndup (type_name, 64);

      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "type: unknown frame type \"%s\"", shown);
      return NULL;
    }

  frame = frame_new (type);
  switch (type)
    {
      case TR_FRAME_HELLO:
        ok = parse_hello (object, frame, error);
        break;
      case TR_FRAME_OP:
        ok = parse_op (object, frame, error);
        break;
      case TR_FRAME_OPS:
        ok = parse_ops (object, frame, error);
        break;
      case TR_FRAME_PING:
        ok = parse_ping (object, frame, error);
        break;
      case TR_FRAME_WELCOME:
        ok = parse_welcome (object, frame, error);
        break;
      case TR_FRAME_EVENTS:
        ok = parse_events (object, frame, error);
        break;
      case TR_FRAME_SNAPSHOT:
        ok = parse_snapshot (object, frame, error);
        break;
      case TR_FRAME_ACK:
        ok = parse_ack (object, frame, error);
        break;
      case TR_FRAME_PONG:
        ok = parse_pong (object, frame, error);
        break;
      case TR_FRAME_ERROR:
        ok = parse_error_frame (object, frame, error);
        break;
      case TR_FRAME_STANDBY_INVITE:
        ok = parse_standby_invite (object, frame, error);
        break;
      case TR_FRAME_STANDBY_ACK:
        ok = parse_standby_ack (object, frame, error);
        break;
      case TR_N_FRAME_TYPES:
      default:
        g_assert_not_reached ();
    }

  if (!ok)
    return NULL;
  return g_steal_pointer (&frame);
}

/* ---- Builders ---- */

static JsonObject *
frame_object_new (TrFrameType type)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", tr_frame_type_to_string (type));
  return object;
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return tr_json_to_string (node);
}

static void
set_nullable_string (JsonObject *object, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

char *
tr_frame_build_hello (const char *station_id, const char *station_name, const char *role,
                      const char *token, const char *host_id, gint64 since)
{
  return tr_frame_build_hello_resume (station_id, station_name, role, token, host_id, since, NULL);
}

char *
tr_frame_build_hello_resume (const char *station_id, const char *station_name, const char *role,
                             const char *token, const char *host_id, gint64 since,
                             const char *since_op)
{
  return tr_frame_build_hello_full (station_id, station_name, role, token, host_id, since, since_op,
                                    0);
}

char *
tr_frame_build_hello_full (const char *station_id, const char *station_name, const char *role,
                           const char *token, const char *host_id, gint64 since,
                           const char *since_op, gint64 gen)
{
  JsonObject *object;
  JsonObject *station;

  g_return_val_if_fail (station_id != NULL, NULL);
  g_return_val_if_fail (since >= 0, NULL);

  object = frame_object_new (TR_FRAME_HELLO);
  json_object_set_int_member (object, "protocol", TR_PROTOCOL_VERSION);
  station = json_object_new ();
  json_object_set_string_member (station, "id", station_id);
  set_nullable_string (station, "name", station_name);
  set_nullable_string (station, "role", role);
  json_object_set_object_member (object, "station", station);
  set_nullable_string (object, "token", token);
  set_nullable_string (object, "host_id", host_id);
  json_object_set_int_member (object, "since", since);
  if (since_op != NULL && *since_op != '\0')
    json_object_set_string_member (object, "since_op", since_op);
  if (gen > 0)
    json_object_set_int_member (object, "gen", gen);
  return object_to_string (object);
}

char *
tr_frame_build_op (const TrOp *op)
{
  JsonObject *object;

  g_return_val_if_fail (op != NULL, NULL);

  object = frame_object_new (TR_FRAME_OP);
  json_object_set_member (object, "op", tr_op_to_json (op));
  return object_to_string (object);
}

char *
tr_frame_build_ops (GPtrArray *ops)
{
  JsonObject *object;
  JsonArray *array;

  g_return_val_if_fail (ops != NULL && ops->len > 0, NULL);

  object = frame_object_new (TR_FRAME_OPS);
  array = json_array_sized_new (ops->len);
  for (guint i = 0; i < ops->len; i++)
    json_array_add_element (array, tr_op_to_json (g_ptr_array_index (ops, i)));
  json_object_set_array_member (object, "ops", array);
  return object_to_string (object);
}

char *
tr_frame_build_ping_full (gint64 t, gint64 last_seq, guint queued, gint64 latency_ms)
{
  JsonObject *object = frame_object_new (TR_FRAME_PING);

  json_object_set_int_member (object, "t", t);
  if (last_seq >= 0)
    json_object_set_int_member (object, "last_seq", last_seq);
  json_object_set_int_member (object, "queued", queued);
  if (latency_ms >= 0)
    json_object_set_int_member (object, "latency_ms", latency_ms);
  return object_to_string (object);
}

char *
tr_frame_build_ping (gint64 t, gint64 last_seq, guint queued)
{
  return tr_frame_build_ping_full (t, last_seq, queued, -1);
}

char *
tr_frame_build_pong (gint64 t)
{
  return tr_frame_build_pong_full (t, NULL, FALSE);
}

char *
tr_frame_build_pong_full (gint64 t, const char *standby_url, gboolean standby_warning)
{
  return tr_frame_build_pong_printers (t, standby_url, standby_warning, -1);
}

char *
tr_frame_build_pong_printers (gint64 t, const char *standby_url, gboolean standby_warning,
                              int printers)
{
  JsonObject *object = frame_object_new (TR_FRAME_PONG);

  json_object_set_int_member (object, "t", t);
  if (standby_url != NULL)
    json_object_set_string_member (object, "standby_url", standby_url);
  if (standby_warning)
    json_object_set_boolean_member (object, "standby_warning", TRUE);
  if (printers >= 0)
    json_object_set_int_member (object, "printers", printers);
  return object_to_string (object);
}

char *
tr_frame_build_welcome (const char *host_id, gint64 head_seq, gint64 server_time)
{
  return tr_frame_build_welcome_full (host_id, head_seq, server_time, 0);
}

char *
tr_frame_build_welcome_full (const char *host_id, gint64 head_seq, gint64 server_time,
                             gint64 heartbeat_timeout_ms)
{
  return tr_frame_build_welcome_training (host_id, head_seq, server_time, heartbeat_timeout_ms,
                                          FALSE);
}

char *
tr_frame_build_welcome_training (const char *host_id, gint64 head_seq, gint64 server_time,
                                 gint64 heartbeat_timeout_ms, gboolean training)
{
  return tr_frame_build_welcome_printers (host_id, head_seq, server_time, heartbeat_timeout_ms,
                                          training, -1);
}

char *
tr_frame_build_welcome_printers (const char *host_id, gint64 head_seq, gint64 server_time,
                                 gint64 heartbeat_timeout_ms, gboolean training, int printers)
{
  return tr_frame_build_welcome_lineage (host_id, head_seq, server_time, heartbeat_timeout_ms,
                                         training, printers, NULL, 0);
}

char *
tr_frame_build_welcome_lineage (const char *host_id, gint64 head_seq, gint64 server_time,
                                gint64 heartbeat_timeout_ms, gboolean training, int printers,
                                const char *lineage, gint64 gen)
{
  JsonObject *object;

  g_return_val_if_fail (host_id != NULL, NULL);

  object = frame_object_new (TR_FRAME_WELCOME);
  json_object_set_string_member (object, "host_id", host_id);
  json_object_set_int_member (object, "head_seq", head_seq);
  json_object_set_int_member (object, "server_time", server_time);
  if (heartbeat_timeout_ms > 0)
    json_object_set_int_member (object, "heartbeat_timeout_ms", heartbeat_timeout_ms);
  json_object_set_boolean_member (object, "training", training);
  if (printers >= 0)
    json_object_set_int_member (object, "printers", printers);
  if (lineage != NULL && gen >= 1)
    {
      json_object_set_string_member (object, "lineage", lineage);
      json_object_set_int_member (object, "gen", gen);
    }
  return object_to_string (object);
}

char *
tr_frame_build_events (GPtrArray *events)
{
  JsonObject *object;
  JsonArray *array;

  g_return_val_if_fail (events != NULL, NULL);

  object = frame_object_new (TR_FRAME_EVENTS);
  array = json_array_sized_new (events->len);
  for (guint i = 0; i < events->len; i++)
    json_array_add_element (array, tr_event_to_json (g_ptr_array_index (events, i)));
  json_object_set_array_member (object, "events", array);
  return object_to_string (object);
}

char *
tr_frame_build_events_from_json (GPtrArray *event_json)
{
  static const char head[] = "{\"type\":\"events\",\"events\":[";
  GString *string;
  gsize size = sizeof head + 2;

  g_return_val_if_fail (event_json != NULL, NULL);

  /* Plain concatenation: the events are already canonical JSON, and
   * re-parsing them is what this function exists to avoid. */
  for (guint i = 0; i < event_json->len; i++)
    size += strlen (g_ptr_array_index (event_json, i)) + 1;
  string = g_string_sized_new (size);
  g_string_append_len (string, head, sizeof head - 1);
  for (guint i = 0; i < event_json->len; i++)
    {
      if (i > 0)
        g_string_append_c (string, ',');
      g_string_append (string, g_ptr_array_index (event_json, i));
    }
  g_string_append (string, "]}");
  return g_string_free (string, FALSE);
}

char *
tr_frame_build_snapshot (gint64 seq, GPtrArray *tickets)
{
  JsonObject *object;
  JsonArray *array;

  g_return_val_if_fail (tickets != NULL, NULL);

  object = frame_object_new (TR_FRAME_SNAPSHOT);
  json_object_set_int_member (object, "seq", seq);
  array = json_array_sized_new (tickets->len);
  for (guint i = 0; i < tickets->len; i++)
    json_array_add_element (array, tr_ticket_to_json (g_ptr_array_index (tickets, i)));
  json_object_set_array_member (object, "tickets", array);
  return object_to_string (object);
}

char *
tr_frame_build_ack (const TrOutcome *outcome)
{
  JsonObject *object;

  g_return_val_if_fail (outcome != NULL, NULL);
  g_return_val_if_fail (outcome->op_id != NULL, NULL);

  object = frame_object_new (TR_FRAME_ACK);
  json_object_set_string_member (object, "op_id", outcome->op_id);
  json_object_set_string_member (object, "result", tr_apply_result_to_string (outcome->result));
  /* What the first submission got, so a POS retrying over HTTP can tell
   * "already done" from "already refused" without reading the error. */
  if (outcome->result == TR_APPLY_DUPLICATE)
    json_object_set_string_member (object, "original",
                                   tr_apply_result_to_string (outcome->original));
  if (outcome->seq > 0)
    json_object_set_int_member (object, "seq", outcome->seq);
  if (outcome->error_code != NULL)
    {
      JsonObject *error_object = json_object_new ();

      json_object_set_string_member (error_object, "code", outcome->error_code);
      json_object_set_string_member (error_object, "message",
                                     outcome->error_message ? outcome->error_message : "");
      json_object_set_object_member (object, "error", error_object);
    }
  return object_to_string (object);
}

char *
tr_frame_build_error (const char *code, const char *message)
{
  JsonObject *object;

  g_return_val_if_fail (code != NULL, NULL);

  object = frame_object_new (TR_FRAME_ERROR);
  json_object_set_string_member (object, "code", code);
  json_object_set_string_member (object, "message", message ? message : "");
  return object_to_string (object);
}

char *
tr_frame_build_standby_invite (const char *pairing_code)
{
  JsonObject *object;

  g_return_val_if_fail (pairing_code != NULL && *pairing_code != '\0', NULL);

  object = frame_object_new (TR_FRAME_STANDBY_INVITE);
  json_object_set_string_member (object, "code", pairing_code);
  return object_to_string (object);
}

char *
tr_frame_build_standby_ack (gint64 seq, guint port)
{
  JsonObject *object;

  g_return_val_if_fail (seq >= 0, NULL);
  g_return_val_if_fail (port <= 65535, NULL);

  object = frame_object_new (TR_FRAME_STANDBY_ACK);
  json_object_set_int_member (object, "seq", seq);
  if (port > 0)
    json_object_set_int_member (object, "port", port);
  return object_to_string (object);
}
