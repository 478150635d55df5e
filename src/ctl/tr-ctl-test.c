/* tr-ctl-test.c: the health and test commands: is the host there, and where does the path to it
 * break
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"

int
_tr_ctl_cmd_health (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (N_ ("- print the host's health"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  int exit_code;

  if (!_tr_ctl_parse_command (context, NULL, &argc, &argv, &exit_code))
    return exit_code;
  session = _tr_ctl_session_new ();
  root = _tr_ctl_http_json (session, SOUP_METHOD_GET, "/api/v1/health", NULL, &error);
  if (root == NULL)
    return _tr_ctl_fail ("health", error);
  _tr_ctl_print_json (root);
  return TR_CTL_EXIT_OK;
}

static gint64 step_start;

static void
step_begin (const char *what)
{
  /* Pad by characters, not bytes: the step names hold arrows. */
  g_print ("%s%*s ", what, (int)MAX (0, 42 - (glong)g_utf8_strlen (what, -1)), "");
  fflush (stdout);
  step_start = g_get_monotonic_time ();
}

static double
step_ms (void)
{
  return (double)(g_get_monotonic_time () - step_start) / 1000.0;
}

static void
step_ok (const char *detail)
{
  g_print ("ok   %8.2f ms  %s\n", step_ms (), detail ? detail : "");
}

static int
step_fail (const char *hint, const GError *error)
{
  g_print ("FAIL %8.2f ms\n", step_ms ());
  g_printerr ("ticketrail-ctl: test: %s\n  %s\n", error ? error->message : _ ("failed"), hint);
  return TR_CTL_EXIT_FAILED;
}

int
_tr_ctl_cmd_test (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (N_ ("- check the path to the host"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (GSocketClient) client = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (JsonNode) health = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (TrFrame) pong = NULL;
  g_autofree char *url = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *hello = NULL;
  g_autofree char *ping = NULL;
  g_autofree char *station_id = NULL;
  TrCtlWsState state = { 0 };
  const char *host_id = NULL;
  const char *protocol;
  gint64 head_seq = 0;
  gint64 sent;
  int port;
  int exit_code;

  if (!_tr_ctl_parse_command (context, NULL, &argc, &argv, &exit_code))
    return exit_code;

  url = _tr_ctl_make_url ("");
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      if (error != NULL)
        /* Translators: %s is a URL, then why it is not valid */
        g_printerr (_ ("ticketrail-ctl: test: not a valid host URL \"%s\": %s\n"), url,
                    error->message);
      else
        /* Translators: %s is a URL */
        g_printerr (_ ("ticketrail-ctl: test: not a valid host URL \"%s\"\n"), url);
      return TR_CTL_EXIT_USAGE;
    }
  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_str_equal (g_uri_get_scheme (uri), "https") ? 443 : 80;

  /* 1. TCP */
  /* Translators: a step of ticketrail-ctl test; %s:%d is an address and
   * port. Keep it under 42 characters, the width of the step column */
  detail = g_strdup_printf (_ ("TCP connect to %s:%d"), g_uri_get_host (uri), port);
  step_begin (detail);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, (guint)MAX (_tr_ctl_options.timeout, 1));
  connection
    = g_socket_client_connect_to_host (client, g_uri_get_host (uri), (guint16)port, NULL, &error);
  if (connection == NULL)
    return step_fail (_ ("Is the host running, and is the address and port right? A firewall?"),
                      error);
  step_ok (NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  /* 2. HTTP health */
  session = _tr_ctl_session_new ();
  step_begin ("HTTP GET /api/v1/health");
  health = _tr_ctl_get_health (session, &host_id, &head_seq, &error);
  if (health == NULL)
    return step_fail (
      _ ("The port answers but not as a Ticketrail host (or a proxy is in the way)."), error);
  g_free (detail);
  /* Translators: the host's id and the sequence number of its newest event */
  detail = g_strdup_printf (_ ("host %s, head seq %lld"), host_id, (long long)head_seq);
  step_ok (detail);

  /* 3. WebSocket handshake */
  g_free (detail);
  /* Translators: a step of ticketrail-ctl test; %s is the subprotocol name,
   * ticketrail.v1 */
  detail = g_strdup_printf (_ ("WebSocket handshake (%s)"), TR_PROTOCOL_SUBPROTOCOL);
  step_begin (detail);
  if (!_tr_ctl_ws_connect (session, &state, &error))
    {
      _tr_ctl_ws_state_clear (&state);
      return step_fail (_ ("HTTP works but WebSocket does not: a proxy that strips Upgrade, or a "
                           "host started with --no-websocket. Stations fall back to polling."),
                        error);
    }
  protocol = soup_websocket_connection_get_protocol (state.ws);
  if (g_strcmp0 (protocol, TR_PROTOCOL_SUBPROTOCOL) != 0)
    {
      if (protocol != NULL)
        /* Translators: %s is a WebSocket subprotocol name */
        g_set_error (&error, TR_ERROR, TR_ERROR_PROTOCOL, _ ("the host chose subprotocol \"%s\""),
                     protocol);
      else
        g_set_error_literal (&error, TR_ERROR, TR_ERROR_PROTOCOL,
                             _ ("the host chose no subprotocol"));
      _tr_ctl_ws_state_clear (&state);
      return step_fail (_ ("The host speaks another protocol version."), error);
    }
  step_ok (protocol);

  /* 4. hello / welcome */
  step_begin ("hello → welcome");
  station_id = _tr_ctl_options.station_id != NULL
                 ? g_strdup (_tr_ctl_options.station_id)
                 : g_strdup_printf (TR_CTL_STATION "-test-%u", (guint)getpid ());
  hello = tr_frame_build_hello (station_id, "ticketrail-ctl test", "monitor", _tr_ctl_options.token,
                                host_id, head_seq);
  if (!_tr_ctl_ws_send (&state, hello, &error)
      || !(welcome
           = _tr_ctl_ws_wait_frame (&state, TR_FRAME_WELCOME, _tr_ctl_options.timeout, &error)))
    {
      _tr_ctl_ws_state_clear (&state);
      return step_fail (_ ("The host refused the hello: check --token."), error);
    }
  g_free (detail);
  detail = g_strdup_printf (_ ("host %s, head seq %lld"), welcome->host_id,
                            (long long)welcome->head_seq);
  step_ok (detail);

  /* 5. ping / pong */
  step_begin ("ping → pong");
  sent = tr_now_ms ();
  ping = tr_frame_build_ping (sent, head_seq, 0);
  if (!_tr_ctl_ws_send (&state, ping, &error)
      || !(pong = _tr_ctl_ws_wait_frame (&state, TR_FRAME_PONG, _tr_ctl_options.timeout, &error)))
    {
      _tr_ctl_ws_state_clear (&state);
      return step_fail (_ ("The connection opened but the host does not answer pings."), error);
    }
  /* Translators: the detail of the ping → pong step of ticketrail-ctl test */
  step_ok (_ ("round trip"));

  _tr_ctl_ws_state_clear (&state);
  _tr_ctl_drain ();
  g_print ("%s\n", _ ("All checks passed."));
  return TR_CTL_EXIT_OK;
}
