/* tr-client-polling.c: the HTTP polling fallback: health check, long-poll
 * of events, and its watchdog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client.h"
#include "tr-client-private.h"

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"

static void
poll_request_events (TrClient *self);

/* ---- Long-polling fallback ---- */

void
_tr_client_poll_teardown (TrClient *self)
{
  _tr_client_clear_source (&self->poll_watchdog);
  _tr_client_clear_source (&self->ws_retry_source);
  if (self->poll_cancellable != NULL)
    {
      g_cancellable_cancel (self->poll_cancellable);
      g_clear_object (&self->poll_cancellable);
    }
  g_hash_table_remove_all (self->post_in_flight);
  g_clear_pointer (&self->poll_host_id, g_free);
  self->poll_phase = POLL_NONE;
  self->poll_synced = FALSE;
  self->long_poll_pending = FALSE;
  self->post_pending = FALSE;
}

void
_tr_client_poll_failed (TrClient *self)
{
  _tr_client_poll_teardown (self);
  if (!self->running)
    return;
  /* The WebSocket retry in flight, if any, continues on its own. */
  if (self->ws == NULL && self->ws_cancellable == NULL)
    _tr_client_schedule_reconnect (self);
  _tr_client_update_state (self);
}

static gboolean
on_poll_watchdog (gpointer user_data)
{
  TrClient *self = user_data;
  /* A long-poll is silent by design for up to its wait. */
  gint64 deadline = self->dead_timeout + (self->long_poll_pending ? LONG_POLL_WAIT_S * 1000 : 0);
  gint64 silent = _tr_client_monotonic_ms () - self->poll_life;

  g_clear_pointer (&self->poll_watchdog, g_source_unref);
  if (silent < deadline)
    {
      self->poll_watchdog
        = _tr_client_add_timeout (self, (guint)(deadline - silent), on_poll_watchdog);
      return G_SOURCE_REMOVE;
    }
  _tr_client_set_last_errorf (self, _ ("No HTTP answer from the host for %lld ms"),
                              (long long)silent);
  _tr_client_poll_failed (self);
  return G_SOURCE_REMOVE;
}

void
_tr_client_poll_touch (TrClient *self)
{
  self->poll_life = _tr_client_monotonic_ms ();
  if (self->poll_watchdog == NULL)
    self->poll_watchdog
      = _tr_client_add_timeout (self, MAX (self->dead_timeout, 1), on_poll_watchdog);
}

SoupMessage *
_tr_client_poll_message_new (TrClient *self, const char *method, const char *path)
{
  g_autofree char *url = _tr_client_make_url (self, path);
  SoupMessage *msg = soup_message_new (method, url);

  if (msg != NULL)
    _tr_client_add_auth (self, msg);
  return msg;
}

static void
poll_set_failed (TrClient *self, TrClientPollRequest request, const char *detail)
{
  switch (request)
    {
      case REQUEST_HEALTH:
        _tr_client_set_last_errorf (self, _ ("The health check failed: %s"), detail);
        break;
      case REQUEST_EVENTS:
        _tr_client_set_last_errorf (self, _ ("The long-poll for events failed: %s"), detail);
        break;
      case REQUEST_OPS:
      default:
        _tr_client_set_last_errorf (self, _ ("Sending the changes failed: %s"), detail);
        break;
    }
}

/* 409 superseded (docs/protocol.md): the host was replaced and names
 * the new one in error.url, as a WebSocket's 4410 reason does. The
 * failure that follows reconnects there. */
static void
poll_note_superseded (TrClient *self, GBytes *body)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  g_autoptr (JsonNode) root = tr_json_parse (data, (gssize)size, NULL);
  JsonNode *member;
  JsonObject *object;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  member = json_object_get_member (json_node_get_object (root), "error");
  object = member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
  if (object == NULL
      || g_strcmp0 (json_object_get_string_member_with_default (object, "code", NULL), "superseded")
           != 0)
    return;
  _tr_client_remember_new_host (self,
                                json_object_get_string_member_with_default (object, "url", NULL));
}

/* The body of a 200 answer, or NULL with last-error set. */
GBytes *
_tr_client_poll_finish (TrClient *self, SoupSession *session, GAsyncResult *result, GError *error,
                        GBytes *body, TrClientPollRequest request)
{
  SoupMessage *msg = soup_session_get_async_result_message (session, result);
  guint status;

  if (body == NULL)
    {
      if (!self->unauthorized)
        poll_set_failed (self, request, error->message);
      return NULL;
    }
  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (body, &size);
      g_autoptr (JsonNode) root = tr_json_parse (data, (gssize)size, NULL);
      JsonObject *object = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                             ? json_object_get_object_member (json_node_get_object (root), "error")
                             : NULL;
      gboolean revoked
        = object != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (object, "reason", NULL),
                        "revoked")
               == 0;

      _tr_client_set_unauthorized (self, revoked ? "revoked" : "unknown",
                                   revoked
                                     ? _ ("The host revoked this station's pairing: pair it again")
                                     : _ ("This station is not paired with the host: pair it"));
      return NULL;
    }
  if (status == SOUP_STATUS_CONFLICT)
    poll_note_superseded (self, body);
  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *detail = g_strdup_printf (
        "HTTP %u %s", status,
        soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg) : "");

      poll_set_failed (self, request, detail);
      return NULL;
    }
  return g_bytes_ref (body);
}

static void
on_health (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) ok_body = NULL;
  g_autoptr (JsonNode) root = NULL;
  TrClient *self;
  const char *host_id = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  ok_body
    = _tr_client_poll_finish (self, SOUP_SESSION (source), result, error, body, REQUEST_HEALTH);
  if (ok_body != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (ok_body, &size);

      root = tr_json_parse (data, (gssize)size, NULL);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        host_id = json_object_get_string_member_with_default (json_node_get_object (root),
                                                              "host_id", NULL);
    }
  if (host_id != NULL)
    {
      /* Polling has no welcome: health says the mode before the outbox
       * is flushed (tr-client-training.c). */
      _tr_client_note_host_training (
        self, json_object_get_boolean_member_with_default (json_node_get_object (root), "training",
                                                           FALSE));
    }
  if (host_id == NULL)
    {
      if (ok_body != NULL)
        _tr_client_set_last_error (self, _ ("The health check failed: not a Ticketrail host"));
      _tr_client_poll_failed (self);
      return;
    }

  g_debug ("%s: WebSocket failed %u times but the host answers: polling", self->station_name,
           self->ws_failures);
  self->poll_phase = POLL_ACTIVE;
  self->poll_host_id = g_strdup (host_id);
  poll_request_events (self);
  _tr_client_ws_schedule_retry_while_polling (self);
  _tr_client_update_state (self);
}

void
_tr_client_poll_start_health (TrClient *self)
{
  g_autoptr (SoupMessage) msg = NULL;

  g_assert (self->poll_phase == POLL_NONE);

  _tr_client_clear_source (&self->reconnect_source);
  msg = _tr_client_poll_message_new (self, SOUP_METHOD_GET, "/api/v1/health");
  if (msg == NULL)
    {
      _tr_client_set_last_errorf (self, _ ("Not a valid host URL: %s"),
                                  self->host_url ? self->host_url : "");
      _tr_client_schedule_reconnect (self);
      return;
    }
  self->poll_phase = POLL_HEALTH;
  self->poll_cancellable = g_cancellable_new ();
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->poll_cancellable,
                                    on_health, self);
  _tr_client_poll_touch (self);
  _tr_client_update_state (self);
}

static void
poll_mark_synced (TrClient *self)
{
  if (self->poll_synced)
    return;
  self->poll_synced = TRUE;
  _tr_client_mark_synced (self);
  _tr_client_poll_flush_outbox (self);
  g_signal_emit (self, _tr_client_signals[SYNCED], 0);
}

/* Applies one long-poll answer: an events or snapshot frame. */
static gboolean
poll_apply (TrClient *self, GBytes *body, SoupMessage *msg, gboolean *caught_up, GError **error)
{
  g_autoptr (TrFrame) frame = NULL;
  g_autoptr (JsonNode) root = NULL;
  const char *host_id = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  frame = tr_frame_parse (data, size, error);
  if (frame == NULL)
    return FALSE;

  if (frame->type == TR_FRAME_EVENTS)
    {
      if (!_tr_client_apply_events (self, frame->events, error))
        {
          self->want_snapshot = TRUE;
          return FALSE;
        }
      /* One answer holds a bounded number of events; head_seq says
       * whether more are waiting. */
      *caught_up = frame->head_seq < 0 || tr_store_get_last_seq (self->store) >= frame->head_seq;
      return TRUE;
    }
  if (frame->type == TR_FRAME_SNAPSHOT)
    {
      /* The snapshot names its host when the answer carries it; else
       * the health check's answer does. */
      root = tr_json_parse (data, (gssize)size, NULL);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        host_id = json_object_get_string_member_with_default (json_node_get_object (root),
                                                              "host_id", NULL);
      if (host_id == NULL)
        host_id = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                "X-Ticketrail-Host-Id");
      if (host_id == NULL)
        host_id = self->poll_host_id;
      *caught_up = TRUE;
      return _tr_client_apply_snapshot (self, host_id, frame->seq, frame->tickets, error);
    }
  g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "unexpected %s frame in a long-poll answer",
               tr_frame_type_to_string (frame->type));
  return FALSE;
}

static void
on_events_polled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) ok_body = NULL;
  g_autoptr (TrClient) guard = NULL;
  TrClient *self;
  SoupMessage *msg;
  gboolean caught_up = FALSE;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  guard = g_object_ref (self);
  self->long_poll_pending = FALSE;
  ok_body
    = _tr_client_poll_finish (self, SOUP_SESSION (source), result, error, body, REQUEST_EVENTS);
  if (ok_body == NULL)
    {
      _tr_client_poll_failed (self);
      return;
    }
  _tr_client_poll_touch (self);
  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  if (!poll_apply (self, ok_body, msg, &caught_up, &error))
    {
      _tr_client_set_last_errorf (self, _ ("Could not apply the long-poll answer: %s"),
                                  error->message);
      _tr_client_poll_failed (self);
      return;
    }
  /* Store signals may have stopped us or switched to WebSocket. */
  if (self->poll_phase != POLL_ACTIVE)
    return;
  if (caught_up)
    poll_mark_synced (self);
  if (self->poll_phase == POLL_ACTIVE && !self->long_poll_pending)
    poll_request_events (self);
}

static void
poll_request_events (TrClient *self)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GString) path = g_string_new ("/api/v1/events?");
  const char *host_id = tr_store_get_host_id (self->store);
  gint64 since = self->want_snapshot ? 0 : tr_store_get_last_seq (self->store);

  g_assert (self->poll_phase == POLL_ACTIVE && !self->long_poll_pending);

  /* The first request must not wait: it is what tells us we are in
   * step, and a station already at the head would sit out a whole
   * long-poll before it could call itself online. */
  g_string_append_printf (path, "since=%" G_GINT64_FORMAT "&wait=%d", since,
                          self->poll_synced ? LONG_POLL_WAIT_S : 0);
  if (host_id != NULL && host_id[0] != '\0')
    g_string_append_printf (path, "&host_id=%s", host_id);
  /* As in the WebSocket hello: the host checks that its event @since is
   * ours. */
  if (since > 0 && tr_store_get_last_op_id (self->store) != NULL)
    {
      g_string_append (path, "&since_op=");
      g_string_append_uri_escaped (path, tr_store_get_last_op_id (self->store), NULL, FALSE);
    }
  g_string_append (path, "&station_id=");
  g_string_append_uri_escaped (path, self->station_id, NULL, FALSE);
  if (self->station_name != NULL)
    {
      g_string_append (path, "&name=");
      g_string_append_uri_escaped (path, self->station_name, NULL, FALSE);
    }
  if (self->role != NULL)
    {
      g_string_append (path, "&role=");
      g_string_append_uri_escaped (path, self->role, NULL, FALSE);
    }

  msg = _tr_client_poll_message_new (self, SOUP_METHOD_GET, path->str);
  g_assert (msg != NULL); /* the health check used the same base URL */
  self->long_poll_pending = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->poll_cancellable,
                                    on_events_polled, self);
  _tr_client_poll_touch (self);
}
