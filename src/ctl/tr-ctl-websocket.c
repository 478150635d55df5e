/* tr-ctl-websocket.c: the WebSocket plumbing shared by watch and test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"

/* Runs the default main context until *@done or @timeout_s elapse. */
gboolean
_tr_ctl_wait_until (gboolean *done, int timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)MAX (timeout_s, 1) * G_USEC_PER_SEC;

  while (!*done)
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      /* Wake up at least every 100 ms to check the deadline. */
      if (!g_main_context_pending (NULL))
        g_usleep (1000);
      g_main_context_iteration (NULL, FALSE);
    }
  return TRUE;
}

/* Lets a close frame go out and libsoup finish with the socket. */
void
_tr_ctl_drain (void)
{
  gint64 end = g_get_monotonic_time () + 200 * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

void
_tr_ctl_ws_state_clear (TrCtlWsState *state)
{
  if (state->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (state->ws, state);
      if (soup_websocket_connection_get_state (state->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (state->ws, TR_CLOSE_NORMAL, NULL);
      g_clear_object (&state->ws);
    }
  g_clear_error (&state->error);
  g_queue_clear_full (&state->frames, g_free);
}

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  TrCtlWsState *state = user_data;
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    g_queue_push_tail (&state->frames, g_strndup (data, size));
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  TrCtlWsState *state = user_data;

  state->closed = TRUE;
  state->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrCtlWsState *state = user_data;

  state->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &state->error);
  if (state->ws != NULL)
    {
      soup_websocket_connection_set_max_incoming_payload_size (state->ws, 64 * 1024 * 1024);
      soup_websocket_connection_set_keepalive_interval (state->ws, 0);
      g_signal_connect (state->ws, "message", G_CALLBACK (on_ws_message), state);
      g_signal_connect (state->ws, "closed", G_CALLBACK (on_ws_closed), state);
    }
  state->done = TRUE;
}

gboolean
_tr_ctl_ws_connect (SoupSession *session, TrCtlWsState *state, GError **error)
{
  static const char *const protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autoptr (SoupMessage) msg = _tr_ctl_message_new (SOUP_METHOD_GET, "/api/v1/ws", error);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  if (msg == NULL)
    return FALSE;
  soup_session_websocket_connect_async (session, msg, NULL, (char **)protocols, G_PRIORITY_DEFAULT,
                                        cancellable, on_ws_connected, state);
  if (!_tr_ctl_wait_until (&state->done, _tr_ctl_options.timeout))
    {
      g_cancellable_cancel (cancellable);
      _tr_ctl_wait_until (&state->done, 5);
      g_clear_error (&state->error);
      g_clear_object (&state->ws);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _ ("no handshake answer within %d s"),
                   _tr_ctl_options.timeout);
      return FALSE;
    }
  if (state->ws == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&state->error));
      return FALSE;
    }
  return TRUE;
}

/* Waits for the next frame of type @type, skipping others; an error
 * frame or a close ends the wait. */
TrFrame *
_tr_ctl_ws_wait_frame (TrCtlWsState *state, TrFrameType type, int timeout_s, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;

  for (;;)
    {
      while (!g_queue_is_empty (&state->frames))
        {
          g_autofree char *text = g_queue_pop_head (&state->frames);
          g_autoptr (TrFrame) frame = tr_frame_parse (text, strlen (text), error);

          if (frame == NULL)
            return NULL;
          if (frame->type == TR_FRAME_ERROR)
            {
              /* Translators: the first %s is an error code, e.g. unauthorized,
               * the second the host's message */
              g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, _ ("the host answered %s: %s"),
                           frame->error_code, frame->error_message ? frame->error_message : "");
              return NULL;
            }
          if (frame->type == type)
            return g_steal_pointer (&frame);
        }
      if (state->closed)
        {
          /* Translators: %u is a WebSocket close code, e.g. 1008 */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                       _ ("the host closed the connection (%u)"), state->close_code);
          return NULL;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          /* Translators: %s is a protocol frame type, e.g. welcome or pong */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _ ("no %s frame within %d s"),
                       tr_frame_type_to_string (type), timeout_s);
          return NULL;
        }
      if (!g_main_context_pending (NULL))
        g_usleep (1000);
      g_main_context_iteration (NULL, FALSE);
    }
}

gboolean
_tr_ctl_ws_send (TrCtlWsState *state, const char *text, GError **error)
{
  if (state->ws == NULL
      || soup_websocket_connection_get_state (state->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("the connection is closed"));
      return FALSE;
    }
  soup_websocket_connection_send_text (state->ws, text);
  return TRUE;
}
