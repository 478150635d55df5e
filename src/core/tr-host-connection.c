/* tr-host-connection.c: the host's WebSocket connections
 *
 * Accepting them, the hello (auth, welcome, catch-up), the frames a
 * station sends (ops, pings) and closing them with the right code.
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

/* Frames a station may send while its catch-up is read (its outbox, as
 * the ops queue of the rate limit). */
#define DEFAULT_HELD_FRAMES 1000

/* See _tr_host_on_websocket(): libsoup's own cap, above ours. */
#define HARD_FRAME_LIMIT (2 * TR_MAX_FRAME_BYTES)

Connection *
_tr_host_connection_ref (Connection *conn)
{
  g_ref_count_inc (&conn->ref);
  return conn;
}

void
_tr_host_connection_unref (Connection *conn)
{
  if (!g_ref_count_dec (&conn->ref))
    return;
  g_queue_clear_full (&conn->throttled, _tr_host_pending_op_free);
  g_queue_clear_full (&conn->held, (GDestroyNotify)g_bytes_unref);
  g_signal_handlers_disconnect_by_data (conn->ws, conn);
  g_clear_object (&conn->ws);
  g_free (conn->address);
  g_free (conn->station_id);
  g_free (conn->hello_name);
  g_free (conn->hello_role);
  g_clear_pointer (&conn->token_hash, g_ref_string_release);
  g_free (conn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Connection, _tr_host_connection_unref)

gboolean
_tr_host_connection_is_open (Connection *conn)
{
  return !conn->closing
         && soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

void
_tr_host_connection_send (Connection *conn, const char *text)
{
  /* libsoup criticizes a send on a connection that is not OPEN. */
  if (_tr_host_connection_is_open (conn))
    soup_websocket_connection_send_text (conn->ws, text);
}

/* Takes the connection out of its station and out of n-stations; once. */
static void
connection_uncount (TrHost *self, Connection *conn, int close_code, const char *reason)
{
  Station *station;

  if (!conn->counted)
    return;
  conn->counted = FALSE;
  station = g_hash_table_lookup (self->stations, conn->station_id);
  if (station != NULL)
    {
      g_assert (station->n_websockets > 0);
      station->n_websockets--;
      station->info.last_seen = tr_now_ms ();
      station->close_code = close_code;
      g_free (station->close_reason);
      station->close_reason = g_strdup (reason);
      _tr_host_station_maybe_disconnected (self, station);
    }
  g_assert (self->n_stations > 0);
  self->n_stations--;
  g_object_notify_by_pspec (G_OBJECT (self), _tr_host_properties[PROP_N_STATIONS]);
}

/* Closes with @code unless already closing. @reason goes into the close
 * frame, which holds at most 123 bytes: keep it short. */
void
_tr_host_connection_close (Connection *conn, gushort code, const char *reason)
{
  gboolean was_open = _tr_host_connection_is_open (conn);

  g_assert (strlen (reason) <= 123);

  if (conn->closing)
    return;
  conn->closing = TRUE;
  /* Ops held back by the rate limit were never acked; the station
   * still has them in its outbox. */
  g_queue_clear_full (&conn->throttled, _tr_host_pending_op_free);
  if (conn->host != NULL)
    connection_uncount (conn->host, conn, code, reason);
  if (was_open)
    soup_websocket_connection_close (conn->ws, code, reason);
}

void
_tr_host_connection_fail (Connection *conn, const char *code, const char *message,
                          gushort close_code, const char *reason)
{
  g_autofree char *frame = tr_frame_build_error (code, message);

  g_debug ("closing %s (%s) with %u: %s", conn->address,
           conn->station_id ? conn->station_id : "before hello", close_code, message);
  _tr_host_connection_send (conn, frame);
  _tr_host_connection_close (conn, close_code, reason);
}

static void
connection_protocol_error (Connection *conn, const char *message)
{
  _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_PROTOCOL), message,
                            TR_CLOSE_PROTOCOL, "protocol error");
}

static void
handle_hello (TrHost *self, Connection *conn, TrFrame *frame)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *welcome = NULL;
  gboolean live = FALSE;
  gboolean read_only = FALSE;
  gint64 head;

  if (conn->hello_done || conn->catching_up)
    {
      connection_protocol_error (conn, "second hello on one connection");
      return;
    }
  if (frame->protocol != TR_PROTOCOL_VERSION)
    {
      g_autofree char *message
        = g_strdup_printf ("unsupported protocol version %d; this host speaks %d", frame->protocol,
                           TR_PROTOCOL_VERSION);

      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_PROTOCOL), message,
                                TR_CLOSE_VERSION, "unsupported protocol version");
      return;
    }

  if (self->require_pairing)
    {
      g_autofree char *paired_id = NULL;
      char *token_hash = NULL;
      AuthResult result
        = _tr_host_check_token (self, frame->token, &paired_id, &token_hash, &read_only);
      const char *code = tr_error_code_to_string (TR_ERROR_UNAUTHORIZED);

      switch (result)
        {
          case AUTH_OK:
            break;
          case AUTH_REVOKED:
            _tr_host_connection_fail (conn, code, _tr_host_auth_message (result), TR_CLOSE_REVOKED,
                                      "revoked");
            return;
          case AUTH_FAILED:
            _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_STORE),
                                      _tr_host_auth_message (result), 1011, "host store failure");
            return;
          case AUTH_MISSING:
          case AUTH_UNKNOWN:
          default:
            _tr_host_connection_fail (conn, code, _tr_host_auth_message (result),
                                      TR_CLOSE_UNAUTHORIZED,
                                      result == AUTH_MISSING ? "not paired" : "unknown token");
            return;
        }
      /* A token speaks for the station it was issued to, so one paired
       * station cannot pass itself off as another in the monitor. */
      if (g_strcmp0 (paired_id, frame->station_id) != 0)
        {
          g_ref_string_release (token_hash);
          _tr_host_connection_fail (conn, code, "this token was issued to another station",
                                    TR_CLOSE_UNAUTHORIZED, "token of another station");
          return;
        }
      /* Its ops carry it: a revocation or a re-pairing that the writer
       * commits before them keeps them out of the log. */
      conn->token_hash = token_hash;
    }

  /* After the token: only a paired station may tell this host it was
   * replaced. */
  if (_tr_host_check_superseded (self, frame->gen))
    {
      g_autofree char *message = _tr_host_superseded_message (self);
      g_autofree char *reason = _tr_host_superseded_reason (self);

      _tr_host_connection_fail (conn, "superseded", message, TR_CLOSE_SUPERSEDED, reason);
      return;
    }

  /* The catch-up ends at the loop's head, where the live stream goes on:
   * what is pending or on the writer thread comes to this station live,
   * with everyone's, once it is committed. */
  head = self->head_seq;
  /* Stations ping often enough for this host from the first frame on. */
  welcome = tr_frame_build_welcome_lineage (
    self->db_id, head, tr_now_ms (), self->heartbeat_timeout, self->training,
    tr_host_count_reprint_printers (self), self->lineage, self->gen);
  _tr_host_connection_send (conn, welcome);

  conn->station_id = g_strdup (frame->station_id);
  conn->hello_name = g_strdup (frame->station_name);
  conn->hello_role = g_strdup (frame->station_role);
  /* The token's role decides; a board that is not paired (a host that
   * does not require pairing) is read-only by its own word too. */
  conn->read_only = read_only || tr_role_is_read_only (frame->station_role);
  conn->hello_since = frame->since;
  /* The token's role when the host requires pairing, else its word. */
  if (g_strcmp0 (frame->station_role, TR_ROLE_STANDBY) == 0)
    _tr_host_standby_hello (self, conn);
  if (!_tr_host_catch_up (self, conn, frame->since, frame->since_op, frame->host_id, head, &live,
                          &error))
    {
      g_warning ("Catch-up for station %s failed: %s", frame->station_id, error->message);
      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_STORE), error->message,
                                1011, "host store failure");
      return;
    }
  if (live)
    _tr_host_connection_go_live (self, conn);
}

static void
handle_message (TrHost *self, Connection *conn, gint type, GBytes *message);

void
_tr_host_connection_go_live (TrHost *self, Connection *conn)
{
  Station *station;

  conn->catching_up = FALSE;
  conn->hello_done = TRUE;
  conn->caught_up_seq = MAX (self->head_seq, conn->sent_seq);
  station = _tr_host_station_connect (self, conn->station_id, conn->hello_name, conn->hello_role,
                                      conn->address, "websocket");
  station->n_websockets++;
  station->info.last_seq = conn->hello_since;
  conn->counted = TRUE;
  self->n_stations++;
  g_object_notify_by_pspec (G_OBJECT (self), _tr_host_properties[PROP_N_STATIONS]);

  /* What it sent while its catch-up was read, in order. */
  while (conn->held.length > 0 && !conn->closing)
    {
      g_autoptr (GBytes) message = g_queue_pop_head (&conn->held);

      handle_message (self, conn, SOUP_WEBSOCKET_DATA_TEXT, message);
    }
}

static TrOutcome *
rejected_outcome_new (const char *op_id, TrErrorCode code, const char *message)
{
  TrOutcome *outcome = g_new0 (TrOutcome, 1);

  outcome->op_id = g_strdup (op_id);
  outcome->result = TR_APPLY_REJECTED;
  outcome->original = TR_APPLY_REJECTED;
  outcome->error_code = g_strdup (tr_error_code_to_string (code));
  outcome->error_message = g_strdup (message);
  return outcome;
}

static TrOutcome *
invalid_outcome_new (const char *op_id, const char *message)
{
  return rejected_outcome_new (op_id, TR_ERROR_INVALID, message);
}

/* Every op reaches the station's ack stream in order; a board's never
 * reach the writer. */
static void
submit_op (TrHost *self, Connection *conn, TrOp *op)
{
  TrOutcome *forbidden;

  if (!conn->read_only)
    {
      _tr_host_connection_submit (self, conn, op, NULL);
      return;
    }
  forbidden = rejected_outcome_new (op->op_id, TR_ERROR_FORBIDDEN,
                                    "this station was paired as a board: it may read, not change");
  tr_op_free (op);
  _tr_host_connection_submit (self, conn, NULL, forbidden);
}

/* An op or ops frame that parsed as JSON but holds an op the codec
 * refuses: each good op still goes through, each bad one is acked as
 * rejected ("invalid") when its op_id can be read, or answered with an
 * error frame when not. Nothing here closes the connection. */
static void
handle_invalid_ops (TrHost *self, Connection *conn, const char *data, gsize length,
                    const GError *parse_error)
{
  g_autoptr (JsonNode) root = tr_json_parse (data, (gssize)length, NULL);
  JsonObject *object;
  const char *type;
  g_autoptr (GPtrArray) elements = g_ptr_array_new ();
  const char *prefix;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      connection_protocol_error (conn, parse_error->message);
      return;
    }
  object = json_node_get_object (root);
  type = json_object_get_string_member_with_default (object, "type", "");
  if (g_str_equal (type, "op") && json_object_has_member (object, "op"))
    {
      g_ptr_array_add (elements, json_object_get_member (object, "op"));
      prefix = "op";
    }
  else if (g_str_equal (type, "ops") && json_object_get_array_member (object, "ops") != NULL)
    {
      JsonArray *array = json_object_get_array_member (object, "ops");

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (elements, json_array_get_element (array, i));
      prefix = "ops";
    }
  else
    {
      /* events, snapshot, ...: nothing a station may send. */
      connection_protocol_error (conn, parse_error->message);
      return;
    }

  if (!conn->hello_done)
    {
      connection_protocol_error (conn, "op before hello");
      return;
    }

  for (guint i = 0; i < elements->len; i++)
    {
      JsonNode *node = g_ptr_array_index (elements, i);
      g_autoptr (GError) error = NULL;
      g_autofree char *path
        = g_str_equal (prefix, "op") ? g_strdup ("op") : g_strdup_printf ("ops[%u]", i);
      g_autofree char *message = NULL;
      const char *op_id = NULL;
      TrOp *op = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node) && (op = tr_op_from_json (node, &error)) != NULL)
        {
          submit_op (self, conn, op);
          continue;
        }

      /* The codec's messages start with the member's path inside the op. */
      if (error != NULL)
        message = g_strdup_printf ("%s.%s", path, error->message);
      else
        message = g_strdup_printf ("%s: must be an object", path);
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonNode *id_node = json_object_get_member (json_node_get_object (node), "op_id");

          if (id_node != NULL && JSON_NODE_HOLDS_VALUE (id_node)
              && json_node_get_value_type (id_node) == G_TYPE_STRING
              && *json_node_get_string (id_node) != '\0'
              && strlen (json_node_get_string (id_node)) <= MAX_ID_BYTES)
            op_id = json_node_get_string (id_node);
        }
      if (op_id != NULL)
        _tr_host_connection_submit (self, conn, NULL, invalid_outcome_new (op_id, message));
      else
        {
          g_autofree char *frame
            = tr_frame_build_error (tr_error_code_to_string (TR_ERROR_INVALID), message);

          _tr_host_connection_send (conn, frame);
        }
    }
}

static void
handle_ping (TrHost *self, Connection *conn, TrFrame *frame)
{
  g_autofree char *pong = _tr_host_build_pong (self, conn, frame->t);
  Station *station;
  gint64 head;

  _tr_host_connection_send (conn, pong);
  if (!conn->hello_done)
    return;

  station = g_hash_table_lookup (self->stations, conn->station_id);
  if (station != NULL)
    {
      station->info.last_seen = tr_now_ms ();
      station->info.queued_ops = frame->queued;
      if (frame->latency_ms >= 0)
        station->info.latency_ms = frame->latency_ms;
      if (frame->last_seq >= 0)
        station->info.last_seq = frame->last_seq;
      /* Pings are frequent; the periodic check emits these changes. */
      self->stations_dirty = TRUE;
    }

  /* libsoup's send queue has no bound: a station that applies events
   * slower than they come would make it grow for ever. Cut it loose; it
   * comes back with a resume or a snapshot. */
  /* The catch-up backlog is not lag: it went out in one go, and a slow
   * station working through it would otherwise be cut loose, reconnect,
   * get the same backlog and never arrive. Only live events count. */
  head = self->head_seq;
  if (frame->last_seq >= 0
      && head - MAX (frame->last_seq, conn->caught_up_seq) > (gint64)self->max_lag_events)
    {
      g_autofree char *message
        = g_strdup_printf ("%" G_GINT64_FORMAT " events behind (limit %u); reconnect to catch up",
                           head - MAX (frame->last_seq, conn->caught_up_seq), self->max_lag_events);

      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_LIMIT), message,
                                TR_CLOSE_TOO_SLOW, "too far behind");
    }
}

/* A station catching up sends ops (its outbox) right after its hello;
 * they wait for the live stream, so that their acks come after the
 * events before them. A station that floods meanwhile is cut off. */
static gboolean
hold_during_catch_up (Connection *conn, GBytes *message)
{
  if (!conn->catching_up)
    return FALSE;
  if (conn->held.length >= DEFAULT_HELD_FRAMES)
    {
      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_LIMIT),
                                "too many frames during the catch-up; wait for it",
                                TR_CLOSE_RATE_LIMITED, "rate limited");
      return TRUE;
    }
  g_queue_push_tail (&conn->held, g_bytes_ref (message));
  return TRUE;
}

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  g_autoptr (Connection) conn = _tr_host_connection_ref (user_data);
  TrHost *self = conn->host;

  if (self == NULL || conn->closing)
    return;
  conn->last_frame_at = _tr_host_monotonic_ms ();
  handle_message (self, conn, type, message);
}

static void
handle_message (TrHost *self, Connection *conn, gint type, GBytes *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) frame = NULL;
  const char *data;
  gsize length;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_PROTOCOL),
                                "binary frames are not supported; send JSON text",
                                TR_CLOSE_UNSUPPORTED, "binary frames are not supported");
      return;
    }

  data = g_bytes_get_data (message, &length);
  if (length > TR_MAX_FRAME_BYTES)
    {
      g_autofree char *text = g_strdup_printf (
        "frame of %" G_GSIZE_FORMAT " bytes; the limit is %d", length, TR_MAX_FRAME_BYTES);

      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_LIMIT), text,
                                TR_CLOSE_TOO_BIG, "frame too big");
      return;
    }
  frame = tr_frame_parse (data, length, &error);
  /* Pings are answered at once, catching up or not, and the standby's
   * confirmations are taken at once: answers may be waiting for them. */
  if ((frame == NULL || (frame->type != TR_FRAME_PING && frame->type != TR_FRAME_STANDBY_ACK))
      && hold_during_catch_up (conn, message))
    return;
  if (frame == NULL)
    {
      if (g_error_matches (error, TR_ERROR, TR_ERROR_INVALID))
        handle_invalid_ops (self, conn, data, length, error);
      else
        connection_protocol_error (conn, error->message);
      return;
    }

  switch (frame->type)
    {
      case TR_FRAME_HELLO:
        handle_hello (self, conn, frame);
        break;

      case TR_FRAME_OP:
      case TR_FRAME_OPS:
        if (!conn->hello_done)
          {
            connection_protocol_error (conn, "op before hello");
            break;
          }
        while (frame->ops->len > 0)
          submit_op (self, conn, g_ptr_array_steal_index (frame->ops, 0));
        break;

      case TR_FRAME_PING:
        handle_ping (self, conn, frame);
        break;

      case TR_FRAME_STANDBY_ACK:
        /* Only from a connection whose hello said standby. */
        if (conn->standby)
          {
            _tr_host_standby_ack (self, conn, frame->seq, frame->standby_port);
            break;
          }
        G_GNUC_FALLTHROUGH;
      case TR_FRAME_WELCOME:
      case TR_FRAME_EVENTS:
      case TR_FRAME_SNAPSHOT:
      case TR_FRAME_ACK:
      case TR_FRAME_PONG:
      case TR_FRAME_ERROR:
      case TR_FRAME_STANDBY_INVITE:
      case TR_N_FRAME_TYPES:
      default:
        {
          g_autofree char *text = g_strdup_printf ("a station may not send \"%s\" frames",
                                                   tr_frame_type_to_string (frame->type));

          connection_protocol_error (conn, text);
        }
        break;
    }
}

static void
on_ws_error (SoupWebsocketConnection *ws, GError *error, gpointer user_data)
{
  Connection *conn = user_data;

  g_debug ("connection from %s: %s", conn->address, error->message);
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  Connection *conn = user_data;
  TrHost *self = conn->host;

  g_debug ("connection from %s closed (code %u)", conn->address,
           soup_websocket_connection_get_close_code (ws));
  conn->closing = TRUE;
  g_queue_clear_full (&conn->throttled, _tr_host_pending_op_free);
  if (self == NULL)
    return;
  tr_metrics_count_websocket_close (self->metrics, soup_websocket_connection_get_close_code (ws));
  _tr_host_standby_closed (self, conn);
  {
    /* No close frame: the socket was cut (1006, as browsers say). */
    gushort code = soup_websocket_connection_get_close_code (ws);
    const char *data = soup_websocket_connection_get_close_data (ws);

    connection_uncount (self, conn, code != 0 ? code : 1006,
                        data != NULL && *data != '\0' ? data
                        : code != 0                   ? NULL
                                                      : "connection lost");
  }
  /* Drops the array's reference, which may free @conn. */
  g_ptr_array_remove_fast (self->connections, conn);
}

void
_tr_host_on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
                       SoupWebsocketConnection *ws, gpointer user_data)
{
  TrHost *self = user_data;
  Connection *conn = g_new0 (Connection, 1);

  g_ref_count_init (&conn->ref);
  conn->host = self;
  /* The server drops its reference when this callback returns. */
  conn->ws = g_object_ref (ws);
  conn->address = g_strdup (soup_server_message_get_remote_host (msg));
  conn->opened_at = conn->last_frame_at = _tr_host_monotonic_ms ();

  /* libsoup 3.2 answers a frame over this size by dropping the TCP
   * connection without a close frame, so the station would never learn
   * why. It is only the hard backstop; frames over TR_MAX_FRAME_BYTES but
   * under it get an error frame and a proper 1009 in on_ws_message().
   * The station heartbeat (ping frames) replaces libsoup's keepalive,
   * which has no pong timeout in 3.2. */
  soup_websocket_connection_set_max_incoming_payload_size (ws, HARD_FRAME_LIMIT);
  soup_websocket_connection_set_keepalive_interval (ws, 0);

  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), conn);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), conn);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), conn);
  g_ptr_array_add (self->connections, conn);
}
