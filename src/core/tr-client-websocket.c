/* tr-client-websocket.c: the WebSocket link: connect, hello and resume,
 * frames, heartbeat and watchdog, close and fall back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client.h"
#include "tr-client-private.h"

#include <glib/gi18n-lib.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"
#include "tr-store-lineage.h"
#include "tr-timeouts.h"

/* ---- WebSocket ---- */

void
_tr_client_ws_send (TrClient *self, const char *text)
{
  g_assert (self->ws != NULL);

  /* Sending on a closing connection is a critical in libsoup. */
  if (soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_send_text (self->ws, text);
}

static gboolean
on_ws_retry (gpointer user_data)
{
  TrClient *self = user_data;

  g_clear_pointer (&self->ws_retry_source, g_source_unref);
  if (self->ws == NULL && self->ws_cancellable == NULL)
    _tr_client_ws_start_attempt (self);
  return G_SOURCE_REMOVE;
}

void
_tr_client_ws_schedule_retry_while_polling (TrClient *self)
{
  if (self->ws_retry_source != NULL || !self->running)
    return;
  self->ws_retry_source
    = _tr_client_add_timeout (self, MAX (self->websocket_retry, 1), on_ws_retry);
}

void
_tr_client_ws_teardown (TrClient *self, gushort close_code)
{
  _tr_client_clear_source (&self->ws_watchdog);
  _tr_client_clear_source (&self->heartbeat_source);
  if (self->ws_cancellable != NULL)
    {
      g_cancellable_cancel (self->ws_cancellable);
      g_clear_object (&self->ws_cancellable);
    }
  if (self->ws != NULL)
    {
      g_clear_signal_handler (&self->ws_message_id, self->ws);
      g_clear_signal_handler (&self->ws_closed_id, self->ws);
      g_clear_signal_handler (&self->ws_error_id, self->ws);
      /* libsoup would then wait up to 5 s for the peer's close frame;
       * dropping our reference ends that, so a dead peer cannot hold
       * the client back. */
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, close_code, NULL);
      g_clear_object (&self->ws);
    }
  g_hash_table_remove_all (self->ws_in_flight);
  g_clear_pointer (&self->ws_host_id, g_free);
  /* The next host may say otherwise; until it does, our own interval. */
  self->host_heartbeat_timeout = 0;
  self->ws_welcomed = FALSE;
  self->ws_synced = FALSE;
  self->ws_head_seq = 0;
}

/* An attempt that failed, or a connection that was lost. */
static void
ws_failed (TrClient *self, gushort close_code)
{
  gboolean was_synced = self->ws_synced;

  _tr_client_ws_teardown (self, close_code);
  if (!self->running)
    return;
  if (!was_synced)
    self->ws_failures++;

  if (self->poll_phase == POLL_ACTIVE)
    /* The WebSocket retry while polling failed; polling carries on. */
    _tr_client_ws_schedule_retry_while_polling (self);
  else if (self->poll_phase == POLL_HEALTH)
    ; /* the health check decides */
  else if (self->ws_failures >= MAX (self->websocket_failures, 1))
    _tr_client_poll_start_health (self);
  else
    _tr_client_schedule_reconnect (self);
  _tr_client_update_state (self);
}

static gboolean
on_ws_watchdog (gpointer user_data)
{
  TrClient *self = user_data;
  gint64 silent = _tr_client_monotonic_ms () - self->ws_life;

  g_clear_pointer (&self->ws_watchdog, g_source_unref);
  if (silent < self->dead_timeout)
    {
      self->ws_watchdog
        = _tr_client_add_timeout (self, (guint)(self->dead_timeout - silent), on_ws_watchdog);
      return G_SOURCE_REMOVE;
    }
  if (self->ws != NULL)
    _tr_client_set_last_errorf (self, _ ("No frame from the host for %u ms: connection lost"),
                                self->dead_timeout);
  else
    _tr_client_set_last_errorf (self, _ ("No WebSocket handshake within %u ms"),
                                self->dead_timeout);
  ws_failed (self, TR_CLOSE_DEAD_PEER);
  return G_SOURCE_REMOVE;
}

/* Every frame only stamps the time; the timer re-arms itself for the
 * remainder when it fires early, which keeps frames cheap. */
static void
ws_touch (TrClient *self)
{
  self->ws_life = _tr_client_monotonic_ms ();
  if (self->ws_watchdog == NULL)
    self->ws_watchdog = _tr_client_add_timeout (self, MAX (self->dead_timeout, 1), on_ws_watchdog);
}

void
_tr_client_ws_update_heartbeat (TrClient *self)
{
  guint interval
    = tr_timeouts_effective_interval (self->heartbeat_interval, self->host_heartbeat_timeout);

  if (self->ws != NULL
      && (self->heartbeat_source == NULL || interval != self->effective_heartbeat_interval))
    {
      _tr_client_clear_source (&self->heartbeat_source);
      self->heartbeat_source = _tr_client_add_timeout (self, interval, _tr_client_on_heartbeat);
    }
  if (interval == self->effective_heartbeat_interval)
    return;
  self->effective_heartbeat_interval = interval;
  g_object_notify_by_pspec (G_OBJECT (self),
                            _tr_client_properties[PROP_EFFECTIVE_HEARTBEAT_INTERVAL]);
}

gboolean
_tr_client_on_heartbeat (gpointer user_data)
{
  TrClient *self = user_data;
  g_autofree char *text = NULL;

  g_assert (self->ws != NULL);

  text = tr_frame_build_ping_full (tr_now_ms (), tr_store_get_last_seq (self->store),
                                   self->queued_ops, self->latency_ms);
  _tr_client_ws_send (self, text);
  return G_SOURCE_CONTINUE;
}
static void
ws_mark_synced (TrClient *self)
{
  if (self->ws_synced)
    return;
  self->ws_synced = TRUE;
  self->ws_failures = 0;
  _tr_client_clear_source (&self->ws_retry_source);
  _tr_client_mark_synced (self);
  _tr_client_ws_flush_outbox (self);
  g_signal_emit (self, _tr_client_signals[SYNCED], 0);
}

/* A frame that breaks the protocol: drop the connection and resync. */
static void
ws_protocol_error (TrClient *self, const char *what, const GError *error)
{
  if (error != NULL)
    _tr_client_set_last_errorf (self, "%s: %s", what, error->message);
  else
    _tr_client_set_last_error (self, what);
  ws_failed (self, TR_CLOSE_PROTOCOL);
}

/* The welcome names the host's lineage and generation: a station that
 * came here by a typed or fallback address, not DNS-SD, learns the
 * generation too, and says it in its next hellos, so an older host of
 * its lineage that comes back is told it was replaced (issue 17). The
 * store keeps the highest gen of a lineage; nothing is written when it
 * already has this one. */
static void
ws_note_lineage (TrClient *self, const char *lineage, gint64 gen)
{
  g_autofree char *stored = NULL;
  gint64 stored_gen = 0;
  g_autoptr (GError) error = NULL;

  if (tr_store_get_lineage (self->store, &stored, &stored_gen, NULL)
      && g_strcmp0 (stored, lineage) == 0 && stored_gen >= gen)
    return;
  if (!tr_store_set_lineage (self->store, lineage, gen, &error))
    g_message ("Could not keep the host's generation: %s", error->message);
}

/* Store signals run other code, which may stop or refresh us: after
 * each store call, check the connection is still the one we had. */
static void
ws_handle_frame (TrClient *self, TrFrame *frame)
{
  SoupWebsocketConnection *ws = self->ws;
  g_autoptr (GError) error = NULL;

  switch (frame->type)
    {
      case TR_FRAME_WELCOME:
        if (self->ws_welcomed)
          {
            ws_protocol_error (self, _ ("Second welcome from the host"), NULL);
            return;
          }
        self->ws_welcomed = TRUE;
        self->ws_head_seq = frame->head_seq;
        /* Only a head of the same history compares (a snapshot from a
         * new host starts it over). */
        if (g_strcmp0 (frame->host_id, tr_store_get_host_id (self->store)) != 0)
          self->newest_head_seq = 0;
        self->newest_head_seq = MAX (self->newest_head_seq, frame->head_seq);
        self->ws_host_id = g_strdup (frame->host_id);
        self->host_heartbeat_timeout = (guint)frame->heartbeat_timeout_ms;
        /* Half a round trip off at most: screens compare minutes. */
        if (frame->server_time > 0)
          {
            self->host_clock_offset = frame->server_time - tr_now_ms ();
            g_object_notify_by_pspec (G_OBJECT (self),
                                      _tr_client_properties[PROP_HOST_CLOCK_OFFSET]);
          }
        _tr_client_ws_update_heartbeat (self);
        /* Before anything is flushed: ops queued in the other mode go. */
        _tr_client_note_host_training (self, frame->training);
        if (self->ws != ws)
          return;
        /* Absent from an older host: unknown, so Reprint stays. */
        _tr_client_note_host_printers (self, (int)frame->printers);
        if (frame->lineage != NULL)
          ws_note_lineage (self, frame->lineage, frame->gen);
        /* Nothing to catch up on: the host sends no backlog then. */
        if (!self->want_snapshot
            && g_strcmp0 (frame->host_id, tr_store_get_host_id (self->store)) == 0
            && frame->head_seq <= tr_store_get_last_seq (self->store))
          ws_mark_synced (self);
        break;

      case TR_FRAME_EVENTS:
        if (!self->ws_welcomed)
          {
            ws_protocol_error (self, _ ("Events before the welcome"), NULL);
            return;
          }
        if (!_tr_client_apply_events (self, frame->events, &error))
          {
            /* A gap: our seq is not what the host thinks. Start over
             * from a snapshot rather than loop on the same gap. */
            self->want_snapshot = TRUE;
            if (self->ws == ws)
              ws_protocol_error (self, _ ("Could not apply the host's events"), error);
            return;
          }
        if (self->ws == ws && tr_store_get_last_seq (self->store) >= self->ws_head_seq)
          ws_mark_synced (self);
        break;

      case TR_FRAME_SNAPSHOT:
        if (!self->ws_welcomed)
          {
            ws_protocol_error (self, _ ("Snapshot before the welcome"), NULL);
            return;
          }
        if (!_tr_client_apply_snapshot (self, self->ws_host_id, frame->seq, frame->tickets, &error))
          {
            if (self->ws == ws)
              ws_protocol_error (self, _ ("Could not apply the host's snapshot"), error);
            return;
          }
        if (self->ws == ws)
          ws_mark_synced (self);
        break;

      case TR_FRAME_ACK:
        if (self->ws == ws)
          g_hash_table_remove (self->ws_in_flight, frame->op_id);
        _tr_client_apply_ack (self, frame->op_id, frame->result, frame->seq, frame->error_code,
                              frame->error_message);
        break;

      case TR_FRAME_PONG:
        _tr_client_set_latency (self, MAX (0, tr_now_ms () - frame->t));
        if (frame->standby_url != NULL
            && g_strcmp0 (frame->standby_url, tr_client_get_standby_url (self)) != 0)
          {
            g_autoptr (GError) url_error = NULL;

            g_free (self->standby_url);
            self->standby_url = g_strdup (frame->standby_url);
            self->standby_url_loaded = TRUE;
            /* Kept for a restart during an outage; rare (a new standby). */
            if (!tr_store_set_standby_url (self->store, self->standby_url, &url_error))
              g_debug ("cannot keep the standby's address: %s", url_error->message);
            g_signal_emit (self, _tr_client_signals[STANDBY_URL], 0, self->standby_url);
          }
        self->standby_warning = frame->standby_warning;
        /* A printer added or removed on the host (issue 13); a pong
         * without the member keeps what the welcome said. */
        if (frame->printers >= 0)
          _tr_client_note_host_printers (self, (int)frame->printers);
        break;

      case TR_FRAME_ERROR:
        /* Translators: an error code, then the host's message. */
        _tr_client_set_last_errorf (self, _ ("The host reports %s: %s"), frame->error_code,
                                    frame->error_message ? frame->error_message : "");
        break;

      case TR_FRAME_STANDBY_INVITE:
        /* The host chose this station as its standby (issue 17). */
        g_signal_emit (self, _tr_client_signals[STANDBY_INVITE], 0, frame->invite_code);
        break;

      case TR_FRAME_HELLO:
      case TR_FRAME_OP:
      case TR_FRAME_OPS:
      case TR_FRAME_PING:
      case TR_FRAME_STANDBY_ACK:
      case TR_N_FRAME_TYPES:
      default:
        ws_protocol_error (self, _ ("Unexpected frame from the host"), NULL);
        break;
    }
}

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  TrClient *self = user_data;
  /* A handler may drop the station's last reference to the client. */
  g_autoptr (TrClient) guard G_GNUC_UNUSED = g_object_ref (self);
  g_autoptr (TrFrame) frame = NULL;
  g_autoptr (GError) error = NULL;
  gconstpointer data;
  gsize size;

  g_assert (ws == self->ws);

  ws_touch (self);
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      ws_protocol_error (self, _ ("Binary frame from the host"), NULL);
      return;
    }
  data = g_bytes_get_data (message, &size);
  frame = tr_frame_parse (data, size, &error);
  if (frame == NULL)
    {
      ws_protocol_error (self, _ ("Bad frame from the host"), error);
      return;
    }
  ws_handle_frame (self, frame);
}

/* The host refused this station's token. Retrying with it cannot help:
 * stop until the station pairs again (a new "token") or
 * tr_client_refresh(). The outbox keeps its ops for then. */
void
_tr_client_set_unauthorized (TrClient *self, const char *reason, const char *message)
{
  gboolean token_refused = g_strcmp0 (reason, "revoked") == 0 || g_strcmp0 (reason, "unknown") == 0;
  const char *stored = tr_store_get_station_token (self->store);

  _tr_client_clear_source (&self->reconnect_source);
  _tr_client_ws_teardown (self, TR_CLOSE_NORMAL);
  _tr_client_poll_teardown (self);
  /* The station paired again since this token was taken (the store
   * keeps the newest one): that one, at once. */
  if (token_refused && stored != NULL && g_strcmp0 (stored, self->token) != 0)
    {
      g_debug ("%s: token refused (%s); the store has a newer one", self->station_name, reason);
      g_free (self->token);
      self->token = g_strdup (stored);
      g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_TOKEN]);
      tr_client_refresh (self);
      return;
    }
  /* Nothing tries again until the pairing answers (see held_reason). */
  if (token_refused && self->pairings > 0)
    {
      g_debug ("%s: token refused (%s) while pairing", self->station_name, reason);
      g_free (self->held_reason);
      g_free (self->held_message);
      self->held_reason = g_strdup (reason);
      self->held_message = g_strdup (message);
      _tr_client_update_state (self);
      return;
    }
  _tr_client_set_last_error (self, message);
  if (!self->unauthorized)
    {
      self->unauthorized = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_UNAUTHORIZED]);
    }
  _tr_client_update_state (self);
  g_signal_emit (self, _tr_client_signals[UNAUTHORIZED], 0, reason);
}

/* The last pairing on its way failed: a refusal held meanwhile stands. */
void
_tr_client_release_held_refusal (TrClient *self)
{
  g_autofree char *reason = g_steal_pointer (&self->held_reason);
  g_autofree char *message = g_steal_pointer (&self->held_message);

  if (reason != NULL && self->running)
    _tr_client_set_unauthorized (self, reason, message);
}

/* A superseded host names the new host in its 4410 reason, "superseded
 * URL" (docs/protocol.md). Only an address of the same scheme is
 * taken: a station that pinned a TLS host never falls back to plain
 * HTTP, and the new host's certificate is checked as any other. */
static void
remember_new_host (TrClient *self, const char *reason)
{
  if (reason == NULL || !g_str_has_prefix (reason, "superseded "))
    return;
  _tr_client_remember_new_host (self, reason + strlen ("superseded "));
}

void
_tr_client_remember_new_host (TrClient *self, const char *url)
{
  const char *scheme, *current;

  if (url == NULL || self->host_url == NULL || g_strcmp0 (url, self->host_url) == 0
      || !g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL))
    return;
  scheme = g_uri_peek_scheme (url);
  current = g_uri_peek_scheme (self->host_url);
  if (scheme == NULL || current == NULL || strcmp (scheme, current) != 0
      || (strcmp (scheme, "http") != 0 && strcmp (scheme, "https") != 0))
    return;
  g_free (self->superseded_url);
  self->superseded_url = g_strdup (url);
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  TrClient *self = user_data;
  gushort code = soup_websocket_connection_get_close_code (ws);
  const char *reason = soup_websocket_connection_get_close_data (ws);

  g_assert (ws == self->ws);

  if (code == TR_CLOSE_UNAUTHORIZED || code == TR_CLOSE_REVOKED)
    {
      _tr_client_set_unauthorized (self, code == TR_CLOSE_REVOKED ? "revoked" : "unknown",
                                   code == TR_CLOSE_REVOKED
                                     ? _ ("The host revoked this station's pairing: pair it again")
                                     : _ ("This station is not paired with the host: pair it"));
      return;
    }
  if (code == TR_CLOSE_SUPERSEDED)
    remember_new_host (self, reason);
  if (code != 0 && code != SOUP_WEBSOCKET_CLOSE_NO_STATUS)
    {
      if (reason != NULL && *reason != '\0')
        /* Translators: a WebSocket close code and its reason. */
        _tr_client_set_last_errorf (self, _ ("The host closed the connection (close %u: %s)"), code,
                                    reason);
      else
        _tr_client_set_last_errorf (self, _ ("The host closed the connection (close %u)"), code);
    }
  else
    _tr_client_set_last_error (self, _ ("The connection to the host was lost"));
  ws_failed (self, TR_CLOSE_NORMAL);
}

static void
on_ws_error (SoupWebsocketConnection *ws, GError *error, gpointer user_data)
{
  TrClient *self = user_data;

  /* "closed" follows when the error ends the connection. */
  _tr_client_set_last_errorf (self, _ ("WebSocket error: %s"), error->message);
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupWebsocketConnection) ws = NULL;
  g_autofree char *hello = NULL;
  TrClient *self;
  const char *host_id;
  gint64 since;
  gint64 gen;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  /* Whoever cancels has moved on (or disposed of the client). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_clear_object (&self->ws_cancellable);
  if (ws == NULL)
    {
      /* A refused certificate already said why. */
      if (!self->unauthorized)
        _tr_client_set_last_errorf (self, _ ("WebSocket connection failed: %s"), error->message);
      ws_failed (self, TR_CLOSE_NORMAL);
      return;
    }

  /* A WebSocket retry that works ends polling. */
  if (self->poll_phase != POLL_NONE)
    _tr_client_poll_teardown (self);

  self->ws = g_steal_pointer (&ws);
  soup_websocket_connection_set_max_incoming_payload_size (self->ws, MAX_INCOMING_PAYLOAD);
  /* Our own ping carries the station's state, and libsoup 3.2 has no
   * pong timeout anyway. */
  soup_websocket_connection_set_keepalive_interval (self->ws, 0);
  self->ws_message_id = g_signal_connect (self->ws, "message", G_CALLBACK (on_ws_message), self);
  self->ws_closed_id = g_signal_connect (self->ws, "closed", G_CALLBACK (on_ws_closed), self);
  self->ws_error_id = g_signal_connect (self->ws, "error", G_CALLBACK (on_ws_error), self);

  host_id = tr_store_get_host_id (self->store);
  if (host_id != NULL && host_id[0] == '\0')
    host_id = NULL;
  since = self->want_snapshot ? 0 : tr_store_get_last_seq (self->store);
  gen = 0;
  /* The op of event @since proves the host still has our history (a
   * restored backup reuses seqs for other events). */
  /* The highest generation it followed (tr-station-follow.c): an old
   * host that comes back learns it was replaced (issue 17). */
  {
    g_autofree char *lineage = NULL;

    if (!tr_store_get_lineage (self->store, &lineage, &gen, NULL))
      gen = 0;
  }
  hello = tr_frame_build_hello_full (self->station_id, self->station_name, self->role,
                                     self->token, host_id, since,
                                     since > 0 ? tr_store_get_last_op_id (self->store) : NULL, gen);
  _tr_client_ws_send (self, hello);
  ws_touch (self);
  _tr_client_ws_update_heartbeat (self);
  _tr_client_update_state (self);
}

void
_tr_client_ws_start_attempt (TrClient *self)
{
  static const char *const protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *url = NULL;

  g_assert (self->ws == NULL && self->ws_cancellable == NULL);

  _tr_client_clear_source (&self->reconnect_source);
  /* The host we knew was replaced and said by whom: go there. */
  if (self->superseded_url != NULL)
    {
      g_message ("the host was replaced; following it to %s", self->superseded_url);
      g_free (self->host_url);
      self->host_url = g_steal_pointer (&self->superseded_url);
      g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_HOST_URL]);
    }
  url = _tr_client_make_url (self, "/api/v1/ws");
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      _tr_client_set_last_errorf (self, _ ("Not a valid host URL: %s"),
                                  self->host_url ? self->host_url : "");
      _tr_client_schedule_reconnect (self);
      return;
    }
  _tr_client_add_auth (self, msg);

  self->ws_cancellable = g_cancellable_new ();
  soup_session_websocket_connect_async (self->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, self->ws_cancellable, on_ws_connected,
                                        self);
  /* The handshake gets the same deadline as a silent peer: a path that
   * swallows packets would otherwise hang it for minutes. */
  ws_touch (self);
  _tr_client_update_state (self);
}
