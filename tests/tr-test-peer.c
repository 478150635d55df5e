/* tr-test-peer.c: a host's HTTP API and a raw WebSocket station, for
 * tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-peer.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-protocol.h"

static gboolean
give_up_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
tr_test_wait_for (TrTestCondition condition, gpointer data, const char *what)
{
  gboolean timed_out = FALSE;
  GSource *source = g_timeout_source_new (TR_TEST_PEER_GIVE_UP_MS);
  GMainContext *context = g_main_context_ref_thread_default ();

  /* Conditions that poll (an HTTP answer, a file) need a wake-up when
   * nothing else happens. */
  GSource *tick = g_timeout_source_new (20);

  g_source_set_callback (source, give_up_cb, &timed_out, NULL);
  g_source_attach (source, context);
  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, context);
  while (!condition (data) && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
  g_source_destroy (source);
  g_source_unref (source);
  g_main_context_unref (context);
  if (timed_out)
    g_error ("gave up waiting for %s", what);
}

typedef struct
{
  GBytes *body;
  GError *error;
  gboolean done;
} Exchange;

static void
exchange_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Exchange *exchange = user_data;

  exchange->body
    = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &exchange->error);
  exchange->done = TRUE;
}

static gboolean
exchange_is_done (gpointer data)
{
  return ((Exchange *)data)->done;
}

char *
tr_test_http (SoupSession *session, const char *base_url, const char *method, const char *path,
              const char *body, const char *token, guint *status)
{
  return tr_test_http_full (session, base_url, method, path, body, token, status, NULL);
}

char *
tr_test_http_full (SoupSession *session, const char *base_url, const char *method,
                   const char *path, const char *body, const char *token, guint *status,
                   char **content_type)
{
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  Exchange exchange = { 0 };
  gsize length;
  const char *data;
  char *text;

  if (token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, exchange_done_cb,
                                    &exchange);
  tr_test_wait_for (exchange_is_done, &exchange, "an HTTP response");
  g_assert_no_error (exchange.error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (
      soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Type"));
  data = g_bytes_get_data (exchange.body, &length);
  text = g_strndup (data, length);
  g_bytes_unref (exchange.body);
  return text;
}

char *
tr_test_pair (SoupSession *session, const char *base_url, const char *code,
              const char *station_id, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  guint status = 0;

  body = g_strdup_printf ("{\"code\":\"%s\",\"station\":{\"id\":\"%s\",\"name\":\"%s\","
                          "\"role\":\"kitchen\"}}",
                          code, station_id, name);
  text = tr_test_http (session, base_url, "POST", "/api/v1/pair", body, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  node = tr_json_parse (text, -1, &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "token"));
}

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  TrTestPeer *peer = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  g_queue_push_tail (&peer->frames, g_strndup (data, length));
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  ((TrTestPeer *)user_data)->closed = TRUE;
}

static void
connect_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrTestPeer *peer = user_data;

  peer->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &peer->error);
  peer->done = TRUE;
}

static gboolean
peer_connected (gpointer data)
{
  return ((TrTestPeer *)data)->done;
}

static gboolean
peer_has_frame (gpointer data)
{
  TrTestPeer *peer = data;

  return !g_queue_is_empty (&peer->frames) || peer->closed;
}

static gboolean
peer_closed (gpointer data)
{
  return ((TrTestPeer *)data)->closed;
}

gpointer
tr_test_peer_wait_frame (TrTestPeer *peer, int type)
{
  for (;;)
    {
      g_autofree char *text = NULL;
      g_autoptr (GError) error = NULL;
      TrFrame *frame;

      tr_test_wait_for (peer_has_frame, peer, "a frame");
      if (g_queue_is_empty (&peer->frames))
        g_error ("the host closed the connection");
      text = g_queue_pop_head (&peer->frames);
      frame = tr_frame_parse (text, strlen (text), &error);
      g_assert_no_error (error);
      if ((int)frame->type == type)
        return frame;
      tr_frame_free (frame);
    }
}

TrTestPeer *
tr_test_peer_connect (SoupSession *session, const char *base_url, const char *station_id,
                      const char *token)
{
  return tr_test_peer_connect_named (session, base_url, station_id, station_id, token);
}

TrTestPeer *
tr_test_peer_connect_named (SoupSession *session, const char *base_url, const char *station_id,
                            const char *name, const char *token)
{
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autofree char *url = g_strconcat (base_url, "/api/v1/ws", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *hello = NULL;
  TrTestPeer *peer = g_new0 (TrTestPeer, 1);

  g_queue_init (&peer->frames);
  soup_session_websocket_connect_async (session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, NULL, connect_done_cb, peer);
  tr_test_wait_for (peer_connected, peer, "the WebSocket handshake");
  g_assert_no_error (peer->error);
  soup_websocket_connection_set_keepalive_interval (peer->ws, 0);
  g_signal_connect (peer->ws, "message", G_CALLBACK (on_message), peer);
  g_signal_connect (peer->ws, "closed", G_CALLBACK (on_closed), peer);
  hello = tr_frame_build_hello (station_id, name, "kitchen", token, NULL, 0);
  soup_websocket_connection_send_text (peer->ws, hello);
  tr_frame_free (tr_test_peer_wait_frame (peer, TR_FRAME_WELCOME));
  return peer;
}

void
tr_test_peer_close (TrTestPeer *peer, gushort code)
{
  if (soup_websocket_connection_get_state (peer->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->ws, code, NULL);
  tr_test_peer_wait_closed (peer);
}

void
tr_test_peer_cut (TrTestPeer *peer)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (peer->ws);

  g_assert_true (g_io_stream_close (stream, NULL, NULL));
  tr_test_peer_wait_closed (peer);
}

void
tr_test_peer_wait_closed (TrTestPeer *peer)
{
  tr_test_wait_for (peer_closed, peer, "the connection to close");
}

void
tr_test_peer_free (TrTestPeer *peer)
{
  if (peer == NULL)
    return;
  if (peer->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (peer->ws, peer);
      g_object_unref (peer->ws);
    }
  g_clear_error (&peer->error);
  g_queue_clear_full (&peer->frames, g_free);
  g_free (peer);
}
