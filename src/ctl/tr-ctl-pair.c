/* tr-ctl-pair.c: the pair command: a pairing code for a station token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ctl-private.h"

static gboolean opt_board;

static const GOptionEntry pair_entries[] = {
  { "board", 0, 0, G_OPTION_ARG_NONE, &opt_board,
    N_ ("Pair as an order-ready board: a token that may read but not change anything"), NULL },
  { NULL },
};

int
_tr_ctl_cmd_pair (int argc, char **argv)
{
  g_autoptr (GOptionContext) context
    /* Translators: CODE is a placeholder: keep it as it is */
    = g_option_context_new (N_ ("CODE - trade a pairing code for a station token"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) request = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *station_id = NULL;
  JsonObject *object, *station;
  const char *token;
  int exit_code;

  g_option_context_set_description (
    context, N_ ("The host prints a code with 'ticketrail-host pair' or shows one in its station "
                 "monitor.\nThe token goes to stdout; keep it secret, and pass the same "
                 "--station-id with it.\n"));
  if (!_tr_ctl_parse_command_with_args (context, pair_entries, 1, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 2)
    return _tr_ctl_usage_error ("pair", _ ("pair needs exactly one CODE"));

  station_id = _tr_ctl_options.station_id != NULL
                 ? g_strdup (_tr_ctl_options.station_id)
                 : g_strdup_printf (TR_CTL_STATION "-%s", g_get_host_name ());
  request = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  station = json_object_new ();
  json_object_set_string_member (object, "code", argv[1]);
  json_object_set_string_member (station, "id", station_id);
  json_object_set_string_member (station, "name", "ticketrail-ctl");
  /* The host keeps the role with the token: a board's stays read-only
   * whatever its hello says later. */
  json_object_set_string_member (station, "role", opt_board ? TR_ROLE_BOARD : "monitor");
  json_object_set_object_member (object, "station", station);
  json_node_take_object (request, object);
  body = tr_json_to_string (request);

  session = _tr_ctl_session_new ();
  /* The pairing endpoint takes no token. */
  g_clear_pointer (&_tr_ctl_options.token, g_free);
  root = _tr_ctl_http_json (session, SOUP_METHOD_POST, "/api/v1/pair", body, &error);
  if (root == NULL)
    return _tr_ctl_fail ("pair", error);
  token
    = JSON_NODE_HOLDS_OBJECT (root)
        ? json_object_get_string_member_with_default (json_node_get_object (root), "token", NULL)
        : NULL;
  if (token == NULL)
    {
      g_printerr ("ticketrail-ctl: pair: %s\n", _ ("the host's answer has no token"));
      return TR_CTL_EXIT_FAILED;
    }
  g_print ("%s\n", token);
  /* Translators: both %s are the same station id; keep the command line
   * as it is */
  g_printerr (_ ("Paired as station %s. Use: ticketrail-ctl --station-id %s --token TOKEN …\n"),
              station_id, station_id);
  return TR_CTL_EXIT_OK;
}
