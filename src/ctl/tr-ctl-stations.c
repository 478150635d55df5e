/* tr-ctl-stations.c: the stations command: who is connected now (GET
 * /api/v1/stations), or each station's connection history with
 * --history (GET /api/v1/stations/history)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"
#include "tr-link-history.h"

static gboolean opt_history = FALSE;
static int opt_hours = 24;
static gboolean opt_json = FALSE;

static const GOptionEntry stations_entries[] = {
  { "history", 0, 0, G_OPTION_ARG_NONE, &opt_history,
    N_ ("Print each station's connects and disconnects, its drops and its longest outage"),
    NULL },
  { "hours", 0, 0, G_OPTION_ARG_INT, &opt_hours,
    N_ ("How far back the history goes, 1 to 720 (default 24)"), N_ ("HOURS") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_ ("Print the host's JSON answer"), NULL },
  { NULL },
};

/* A local date and time from ms since the epoch. */
static char *
format_time (gint64 ms)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (ms / 1000);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static const char *
label_of (JsonObject *station)
{
  const char *name = json_object_get_string_member_with_default (station, "name", NULL);

  return name != NULL ? name : json_object_get_string_member (station, "station");
}

static void
print_roster (JsonArray *stations)
{
  for (guint i = 0; i < json_array_get_length (stations); i++)
    {
      JsonObject *station = json_array_get_object_element (stations, i);
      gboolean connected = json_object_get_boolean_member_with_default (station, "connected", FALSE);
      g_autofree char *seen
        = format_time (json_object_get_int_member_with_default (station, "last_seen", 0));

      if (connected)
        /* Translators: a line of the stations command: a station's name
         * and id, then the transport (websocket or polling) */
        g_print (_ ("%-20s %-24s connected over %s\n"), label_of (station),
                 json_object_get_string_member (station, "station"),
                 json_object_get_string_member_with_default (station, "transport", "?"));
      else
        /* Translators: a line of the stations command: a station's name
         * and id, then a date and time */
        g_print (_ ("%-20s %-24s offline, last seen %s\n"), label_of (station),
                 json_object_get_string_member (station, "station"), seen);
    }
}

static void
print_link (JsonObject *link)
{
  g_autofree char *start
    = format_time (json_object_get_int_member_with_default (link, "connected_at", 0));
  g_autofree char *duration
    = tr_link_format_duration (json_object_get_int_member_with_default (link, "duration_ms", 0));
  JsonNode *end = json_object_get_member (link, "disconnected_at");
  const char *transport = json_object_get_string_member_with_default (link, "transport", "?");

  if (end == NULL || JSON_NODE_HOLDS_NULL (end))
    {
      /* Translators: a link still up: when it began, the transport,
       * how long it has been up (m:ss) */
      g_print (_ ("    %s  %-9s  up for %s, still connected\n"), start, transport, duration);
      return;
    }
  {
    const char *reason = json_object_get_string_member_with_default (link, "close_reason", NULL);
    int code = (int)json_object_get_int_member_with_default (link, "close_code", 0);
    gboolean drop = json_object_get_boolean_member_with_default (link, "drop", FALSE);

    /* Translators: a link that ended: when it began, the transport, how
     * long it was up, then how it ended (a close code and its reason);
     * DROP marks one that did not end cleanly */
    g_print (_ ("    %s  %-9s  up for %s, ended %d %s%s\n"), start, transport, duration, code,
             reason != NULL ? reason : "", drop ? _ (" — DROP") : "");
  }
}

static void
print_history (JsonArray *stations, int hours)
{
  if (json_array_get_length (stations) == 0)
    {
      /* Translators: %d is a number of hours */
      g_print (g_dngettext (GETTEXT_PACKAGE, "No station connected in the last %d hour.\n",
                            "No station connected in the last %d hours.\n", hours),
               hours);
      return;
    }
  for (guint i = 0; i < json_array_get_length (stations); i++)
    {
      JsonObject *station = json_array_get_object_element (stations, i);
      JsonArray *links = json_object_get_array_member (station, "links");
      guint drops = (guint)json_object_get_int_member_with_default (station, "drops", 0);
      g_autofree char *outage = tr_link_format_duration (
        json_object_get_int_member_with_default (station, "longest_outage_ms", 0));
      g_autofree char *drops_text = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%u drop", "%u drops", drops), drops);

      /* Translators: a station's history headline: its name and id,
       * whether it is up now, its drops ("2 drops"), the longest time it
       * was off (m:ss) */
      g_print (_ ("%s (%s): %s, %s, longest outage %s\n"), label_of (station),
               json_object_get_string_member (station, "station"),
               json_object_get_boolean_member_with_default (station, "up", FALSE) ? _ ("up")
                                                                                   : _ ("down"),
               drops_text, outage);
      for (guint j = 0; links != NULL && j < json_array_get_length (links); j++)
        print_link (json_array_get_object_element (links, j));
    }
}

int
_tr_ctl_cmd_stations (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *path = NULL;
  JsonArray *stations;
  int exit_code = TR_CTL_EXIT_OK;

  g_option_context_set_summary (
    context, _ ("Print the stations the host knows and whether they are connected; with "
                "--history, each one's connects and disconnects (GET /api/v1/stations)."));
  if (!_tr_ctl_parse_command (context, stations_entries, &argc, &argv, &exit_code))
    return exit_code;
  if (opt_hours < 1 || opt_hours > 720)
    return _tr_ctl_usage_error ("stations", _ ("--hours must be from 1 to 720"));

  path = opt_history ? g_strdup_printf ("/api/v1/stations/history?hours=%d", opt_hours)
                     : g_strdup ("/api/v1/stations");
  session = _tr_ctl_session_new ();
  root = _tr_ctl_http_json (session, SOUP_METHOD_GET, path, NULL, &error);
  if (root == NULL)
    return _tr_ctl_fail (_ ("stations"), error);
  if (!JSON_NODE_HOLDS_OBJECT (root)
      || !(stations = json_object_get_array_member (json_node_get_object (root), "stations")))
    {
      g_set_error_literal (&error, TR_ERROR, TR_ERROR_PROTOCOL,
                           _ ("the stations answer has no list of stations"));
      return _tr_ctl_fail (_ ("stations"), error);
    }
  if (opt_json)
    _tr_ctl_print_json (root);
  else if (opt_history)
    print_history (stations, opt_hours);
  else
    print_roster (stations);
  return TR_CTL_EXIT_OK;
}
