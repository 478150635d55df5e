/* tr-ctl-watch.c: the watch command: live events, one line each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tr-ctl-private.h"

static gboolean opt_watch_json = FALSE;

static const GOptionEntry watch_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_watch_json, N_ ("Print the raw events frames"), NULL },
  { NULL },
};

static gboolean
on_watch_ping (gpointer user_data)
{
  TrCtlWsState *state = user_data;
  g_autofree char *ping = tr_frame_build_ping (tr_now_ms (), -1, 0);

  _tr_ctl_ws_send (state, ping, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_watch_interrupt (gpointer user_data)
{
  gboolean *interrupted = user_data;

  *interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
print_event (const TrEvent *event)
{
  const TrTicket *ticket = event->ticket;

  g_print ("%" G_GINT64_FORMAT "\t%s\t#%d\t%s\t%s\n", event->seq,
           tr_event_kind_to_string (event->kind), ticket ? ticket->number : 0,
           ticket ? tr_ticket_status_to_string (ticket->status) : "-",
           event->op_id ? event->op_id : "-");
}

int
_tr_ctl_cmd_watch (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (N_ ("- print live events"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) health = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *hello = NULL;
  g_autofree char *station_id = NULL;
  g_autoptr (TrFrame) welcome = NULL;
  TrCtlWsState state = { 0 };
  const char *host_id = NULL;
  gint64 head_seq = 0;
  guint ping_source;
  guint sigint_source;
  guint sigterm_source;
  gboolean interrupted = FALSE;
  int exit_code;

  if (!_tr_ctl_parse_command (context, watch_entries, &argc, &argv, &exit_code))
    return exit_code;

  session = _tr_ctl_session_new ();
  health = _tr_ctl_get_health (session, &host_id, &head_seq, &error);
  if (health == NULL)
    return _tr_ctl_fail ("watch", error);
  if (!_tr_ctl_ws_connect (session, &state, &error))
    {
      _tr_ctl_ws_state_clear (&state);
      return _tr_ctl_fail ("watch: WebSocket", error);
    }
  /* since = head with the host's id: no backlog, only live events. */
  station_id = _tr_ctl_options.station_id != NULL
                 ? g_strdup (_tr_ctl_options.station_id)
                 : g_strdup_printf (TR_CTL_STATION "-watch-%u", (guint)getpid ());
  hello = tr_frame_build_hello (station_id, "ticketrail-ctl watch", "monitor",
                                _tr_ctl_options.token, host_id, head_seq);
  if (!_tr_ctl_ws_send (&state, hello, &error)
      || !(welcome
           = _tr_ctl_ws_wait_frame (&state, TR_FRAME_WELCOME, _tr_ctl_options.timeout, &error)))
    {
      _tr_ctl_ws_state_clear (&state);
      return _tr_ctl_fail ("watch", error);
    }
  /* Translators: "Watching http://127.0.0.1:8787 (host 4f1c…, head 1042)":
   * a URL, the host's id and a sequence number */
  g_printerr (_ ("Watching %s (host %s, head %lld)\n"),
              _tr_ctl_options.host ? _tr_ctl_options.host : TR_CTL_DEFAULT_HOST, welcome->host_id,
              (long long)welcome->head_seq);
  /* The header and the event lines are for scripts: not translated. */
  if (!opt_watch_json)
    g_print ("seq\tkind\tticket\tstatus\top_id\n");

  /* The host drops a station it has not heard from in its heartbeat
   * timeout. */
  ping_source = g_timeout_add_seconds (5, on_watch_ping, &state);
  sigint_source = g_unix_signal_add (SIGINT, on_watch_interrupt, &interrupted);
  sigterm_source = g_unix_signal_add (SIGTERM, on_watch_interrupt, &interrupted);
  while (!state.closed && !interrupted)
    {
      while (!g_queue_is_empty (&state.frames))
        {
          g_autofree char *text = g_queue_pop_head (&state.frames);
          g_autoptr (TrFrame) frame = NULL;

          if (opt_watch_json)
            {
              if (strstr (text, "\"type\":\"pong\"") == NULL)
                g_print ("%s\n", text);
              continue;
            }
          frame = tr_frame_parse (text, strlen (text), &error);
          if (frame == NULL)
            {
              g_printerr (_ ("ticketrail-ctl: bad frame: %s\n"), error->message);
              g_clear_error (&error);
              continue;
            }
          if (frame->type == TR_FRAME_EVENTS)
            for (guint i = 0; i < frame->events->len; i++)
              print_event (g_ptr_array_index (frame->events, i));
          else if (frame->type == TR_FRAME_SNAPSHOT)
            g_print ("snapshot at seq %" G_GINT64_FORMAT ": %u tickets\n", frame->seq,
                     frame->tickets->len);
          else if (frame->type == TR_FRAME_ERROR)
            /* Translators: the first %s is an error code, e.g. limit, the
             * second the host's message */
            g_printerr (_ ("host error %s: %s\n"), frame->error_code,
                        frame->error_message ? frame->error_message : "");
        }
      fflush (stdout);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (ping_source);
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  if (interrupted)
    {
      _tr_ctl_ws_state_clear (&state);
      _tr_ctl_drain ();
      return TR_CTL_EXIT_OK;
    }
  if (state.close_code != 0)
    /* Translators: %u is a WebSocket close code, e.g. 1001 */
    g_printerr (_ ("The host closed the connection (close code %u)\n"), state.close_code);
  else
    g_printerr ("%s\n", _ ("The connection to the host was lost"));
  _tr_ctl_ws_state_clear (&state);
  return TR_CTL_EXIT_FAILED;
}
