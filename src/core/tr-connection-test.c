/* tr-connection-test.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-connection-test"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tr-connection-test.h"
#include "tr-error.h"
#include "tr-protocol.h"
#include "tr-ticket.h"

#define DEFAULT_TIMEOUT_MS 5000
/* The close handshake is polite, not part of the test: give up on it
 * quickly so a host that never answers it does not hold the result. */
#define CLOSE_WAIT_MS 1000

typedef struct
{
  char *host;
  int port;
  char *http_base;
  char *ws_url;
  char *token;
  guint timeout_ms;

  TrConnectionStepFunc step_func;
  gpointer step_data;
  GDestroyNotify step_data_destroy;

  GPtrArray *results;
  TrConnectionStep current;
  gint64 step_started;

  SoupSession *session;
  SoupWebsocketConnection *ws;
  gulong message_handler;
  gulong closed_handler;
  guint timeout_source;
  gint64 ping_t;
  gboolean round_trip_done;
} Run;

const char *
tr_connection_step_to_string (TrConnectionStep step)
{
  switch (step)
    {
      case TR_CONNECTION_STEP_TCP:
        return "tcp";
      case TR_CONNECTION_STEP_HTTP:
        return "http";
      case TR_CONNECTION_STEP_WEBSOCKET:
        return "websocket";
      case TR_CONNECTION_STEP_ROUND_TRIP:
        return "round_trip";
      case TR_CONNECTION_N_STEPS:
      default:
        return NULL;
    }
}

void
tr_connection_step_result_free (TrConnectionStepResult *result)
{
  if (result == NULL)
    return;
  g_free (result->detail);
  g_free (result);
}

gboolean
tr_connection_test_passed (GPtrArray *results)
{
  g_return_val_if_fail (results != NULL, FALSE);

  if (results->len != TR_CONNECTION_N_STEPS)
    return FALSE;
  for (guint i = 0; i < results->len; i++)
    if (((TrConnectionStepResult *)g_ptr_array_index (results, i))->status != TR_CONNECTION_STEP_OK)
      return FALSE;
  return TRUE;
}

static void
run_free (Run *run)
{
  g_clear_handle_id (&run->timeout_source, g_source_remove);
  if (run->ws != NULL)
    {
      g_clear_signal_handler (&run->message_handler, run->ws);
      g_clear_signal_handler (&run->closed_handler, run->ws);
      g_clear_object (&run->ws);
    }
  g_clear_object (&run->session);
  g_clear_pointer (&run->results, g_ptr_array_unref);
  if (run->step_data_destroy != NULL)
    run->step_data_destroy (run->step_data);
  g_free (run->host);
  g_free (run->http_base);
  g_free (run->ws_url);
  g_free (run->token);
  g_free (run);
}

static void
step_begin (GTask *task, TrConnectionStep step);

static void
report (Run *run, TrConnectionStep step, TrConnectionStepStatus status, gint64 elapsed_us,
        char *detail /* owned */)
{
  TrConnectionStepResult *result = g_new0 (TrConnectionStepResult, 1);

  result->step = step;
  result->status = status;
  result->elapsed_us = elapsed_us;
  result->detail = detail;
  g_ptr_array_add (run->results, result);
  if (run->step_func != NULL)
    run->step_func (result, run->step_data);
}

static void
finish (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  g_clear_handle_id (&run->timeout_source, g_source_remove);
  g_task_return_pointer (task, g_ptr_array_ref (run->results), (GDestroyNotify)g_ptr_array_unref);
}

static void
close_ws_then_finish (GTask *task);

/* Ends the current step; on failure the rest are skipped. Consumes the
 * task reference the step held. */
static void
step_end (GTask *task, gboolean ok, char *detail /* owned */)
{
  Run *run = g_task_get_task_data (task);
  gint64 elapsed = g_get_monotonic_time () - run->step_started;
  TrConnectionStep step = run->current;

  g_clear_handle_id (&run->timeout_source, g_source_remove);

  /* After a cancel nobody may be left to hear about the step. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_free (detail);
      g_object_unref (task);
      return;
    }

  report (run, step, ok ? TR_CONNECTION_STEP_OK : TR_CONNECTION_STEP_FAILED, elapsed, detail);

  if (!ok)
    {
      for (int s = step + 1; s < TR_CONNECTION_N_STEPS; s++)
        report (run, (TrConnectionStep)s, TR_CONNECTION_STEP_SKIPPED, 0, NULL);
    }

  if (ok && step + 1 < TR_CONNECTION_N_STEPS)
    step_begin (task, step + 1);
  else
    close_ws_then_finish (task);
}

static char *
describe_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    /* Translators: a step of the connection test got no answer in time */
    return g_strdup (_ ("timed out"));
  return g_strdup (error->message);
}

/* ---- TCP ---- */

static void
on_tcp_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GError) error = NULL;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      step_end (task, FALSE, describe_error (error));
      return;
    }

  {
    g_autoptr (GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);
    g_autofree char *text = NULL;

    if (G_IS_INET_SOCKET_ADDRESS (address))
      {
        g_autofree char *ip = g_inet_address_to_string (
          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));

        text = g_strdup_printf ("%s:%u", ip,
                                g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
      }
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    step_end (task, TRUE, g_steal_pointer (&text));
  }
}

static void
begin_tcp (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr (GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_timeout (client, MAX (1, (run->timeout_ms + 999) / 1000));
  g_socket_client_connect_to_host_async (client, run->host, (guint16)run->port,
                                         g_task_get_cancellable (task), on_tcp_connected, task);
}

/* ---- HTTP health ---- */

static SoupMessage *
new_message (Run *run, const char *method, const char *url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (msg != NULL && run->token != NULL && *run->token != '\0')
    {
      g_autofree char *bearer = g_strdup_printf ("Bearer %s", run->token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  return msg;
}

static void
on_health_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      step_end (task, FALSE, describe_error (error));
      return;
    }

  status = soup_message_get_status (msg);
  step_end (task, status == SOUP_STATUS_OK,
            g_strdup_printf (
              "HTTP %u %s", status,
              soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg) : ""));
}

static void
begin_http (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autofree char *url = g_strconcat (run->http_base, "/api/v1/health", NULL);
  g_autoptr (SoupMessage) msg = new_message (run, SOUP_METHOD_GET, url);

  g_assert (msg != NULL);
  soup_session_send_and_read_async (run->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_health_read, task);
}

/* ---- WebSocket handshake ---- */

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  run->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (run->ws == NULL)
    {
      step_end (task, FALSE, describe_error (error));
      return;
    }

  step_end (task, TRUE,
            g_strdup (soup_websocket_connection_get_protocol (run->ws)
                        ? soup_websocket_connection_get_protocol (run->ws)
                        /* Translators: the WebSocket step's detail when the host
                         * named no subprotocol */
                        : _ ("no subprotocol")));
}

static void
begin_websocket (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr (SoupMessage) msg = new_message (run, SOUP_METHOD_GET, run->ws_url);
  const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };

  g_assert (msg != NULL);
  soup_session_websocket_connect_async (run->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                        on_ws_connected, task);
}

/* ---- Round trip ---- */

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (TrFrame) frame = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (run->round_trip_done || type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  frame = tr_frame_parse (data, length, NULL);
  if (frame == NULL || frame->type != TR_FRAME_PONG || frame->t != run->ping_t)
    return;

  run->round_trip_done = TRUE;
  g_clear_signal_handler (&run->message_handler, ws);
  g_clear_signal_handler (&run->closed_handler, ws);
  step_end (task, TRUE, NULL);
}

static void
on_ws_closed_early (SoupWebsocketConnection *ws, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  const char *reason = soup_websocket_connection_get_close_data (ws);

  if (run->round_trip_done)
    return;
  run->round_trip_done = TRUE;
  g_clear_signal_handler (&run->message_handler, ws);
  g_clear_signal_handler (&run->closed_handler, ws);
  if (reason != NULL && *reason != '\0')
    step_end (task, FALSE,
              /* Translators: %u is a WebSocket close code, e.g. 1008, and %s
               * the host's reason, in its own words */
              g_strdup_printf (_ ("closed by the host (%u: %s)"),
                               soup_websocket_connection_get_close_code (ws), reason));
  else
    step_end (task, FALSE,
              /* Translators: %u is a WebSocket close code, e.g. 1008 */
              g_strdup_printf (_ ("closed by the host (%u)"),
                               soup_websocket_connection_get_close_code (ws)));
}

static gboolean
on_step_timeout (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  run->timeout_source = 0;
  if (run->current == TR_CONNECTION_STEP_ROUND_TRIP && !run->round_trip_done)
    {
      run->round_trip_done = TRUE;
      g_clear_signal_handler (&run->message_handler, run->ws);
      g_clear_signal_handler (&run->closed_handler, run->ws);
      /* Translators: the round-trip step of the connection test failed */
      step_end (task, FALSE, g_strdup (_ ("no answer to the ping: timed out")));
    }
  return G_SOURCE_REMOVE;
}

static void
begin_round_trip (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autofree char *ping = NULL;

  g_assert (run->ws != NULL);
  if (soup_websocket_connection_get_state (run->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      /* Translators: the round-trip step of the connection test failed */
      step_end (task, FALSE, g_strdup (_ ("the WebSocket closed before the ping")));
      return;
    }

  /* Monotonic, so a clock step cannot confuse it with another pong. */
  run->ping_t = g_get_monotonic_time ();
  run->message_handler = g_signal_connect (run->ws, "message", G_CALLBACK (on_ws_message), task);
  run->closed_handler = g_signal_connect (run->ws, "closed", G_CALLBACK (on_ws_closed_early), task);
  run->timeout_source = g_timeout_add (run->timeout_ms, on_step_timeout, task);
  ping = tr_frame_build_ping (run->ping_t, -1, 0);
  soup_websocket_connection_send_text (run->ws, ping);
}

static void
step_begin (GTask *task, TrConnectionStep step)
{
  Run *run = g_task_get_task_data (task);

  run->current = step;
  run->step_started = g_get_monotonic_time ();
  switch (step)
    {
      case TR_CONNECTION_STEP_TCP:
        begin_tcp (task);
        break;
      case TR_CONNECTION_STEP_HTTP:
        begin_http (task);
        break;
      case TR_CONNECTION_STEP_WEBSOCKET:
        begin_websocket (task);
        break;
      case TR_CONNECTION_STEP_ROUND_TRIP:
        begin_round_trip (task);
        break;
      case TR_CONNECTION_N_STEPS:
      default:
        g_assert_not_reached ();
    }
}

/* ---- Closing ---- */

static void
on_ws_closed_at_end (SoupWebsocketConnection *ws, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_signal_handler (&run->closed_handler, ws);
  finish (task);
  g_object_unref (task);
}

static gboolean
on_close_timeout (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  run->timeout_source = 0;
  g_clear_signal_handler (&run->closed_handler, run->ws);
  finish (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
close_ws_then_finish (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->ws == NULL
      || soup_websocket_connection_get_state (run->ws) == SOUP_WEBSOCKET_STATE_CLOSED)
    {
      finish (task);
      g_object_unref (task);
      return;
    }

  run->closed_handler
    = g_signal_connect (run->ws, "closed", G_CALLBACK (on_ws_closed_at_end), task);
  run->timeout_source = g_timeout_add (CLOSE_WAIT_MS, on_close_timeout, task);
  /* Closing twice is a critical in libsoup; only an open one is closed. */
  if (soup_websocket_connection_get_state (run->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (run->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

/* ---- Public ---- */

void
tr_connection_test_run_async (const char *host_url, const char *token, guint timeout_ms,
                              TrConnectionStepFunc step_func, gpointer step_data,
                              GDestroyNotify step_data_destroy, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *with_scheme = NULL;
  const char *scheme;
  Run *run;

  g_return_if_fail (host_url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_connection_test_run_async);

  run = g_new0 (Run, 1);
  run->token = g_strdup (token);
  run->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
  run->step_func = step_func;
  run->step_data = step_data;
  run->step_data_destroy = step_data_destroy;
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_connection_step_result_free);
  g_task_set_task_data (task, run, (GDestroyNotify)run_free);

  /* People type "192.168.1.20:8787"; the client accepts that too. */
  with_scheme
    = strstr (host_url, "://") ? g_strdup (host_url) : g_strconcat ("http://", host_url, NULL);
  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, &error);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID,
                               /* Translators: %s is what was typed; keep
                                * http://HOST:PORT as it is */
                               _ ("“%s” is not a host address (expected http://HOST:PORT)"),
                               host_url);
      return;
    }

  run->host = g_strdup (g_uri_get_host (uri));
  run->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : TR_DEFAULT_PORT;
  {
    g_autofree char *host_part
      = strchr (run->host, ':') ? g_strdup_printf ("[%s]", run->host) : g_strdup (run->host);
    gboolean tls = g_str_equal (scheme, "https");

    run->http_base = g_strdup_printf ("%s://%s:%d", tls ? "https" : "http", host_part, run->port);
    run->ws_url
      = g_strdup_printf ("%s://%s:%d/api/v1/ws", tls ? "wss" : "ws", host_part, run->port);
  }
  run->session = g_object_new (SOUP_TYPE_SESSION, "timeout",
                               MAX (1, (run->timeout_ms + 999) / 1000), "idle-timeout", 1, NULL);

  step_begin (g_steal_pointer (&task), TR_CONNECTION_STEP_TCP);
}

GPtrArray *
tr_connection_test_run_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tr_connection_test_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
