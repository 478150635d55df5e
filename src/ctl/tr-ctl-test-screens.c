/* tr-ctl-test-screens.c: the test-screens command: does every screen get a new ticket?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"
#include "tr-screen-check.h"

#define DEFAULT_WAIT_S 15

static void
print_check (JsonObject *object)
{
  JsonArray *stations = json_object_get_array_member (object, "stations");
  guint n = stations ? json_array_get_length (stations) : 0;

  /* Translators: %d is the test ticket's number */
  g_print (_ ("Test ticket #%d:\n"), (int)json_object_get_int_member (object, "number"));
  for (guint i = 0; i < n; i++)
    {
      JsonObject *station = json_array_get_object_element (stations, i);
      const char *state = json_object_get_string_member_with_default (station, "state", NULL);
      JsonNode *after = json_object_get_member (station, "shown_after_ms");

      g_print ("  %-24s %s", json_object_get_string_member_with_default (station, "name", "?"),
               tr_screen_state_label (tr_screen_state_from_string (state)));
      if (after != NULL && JSON_NODE_HOLDS_VALUE (after))
        /* Translators: how soon a screen showed the test ticket */
        g_print (_ (" (after %.1f s)"), json_node_get_int (after) / 1000.0);
      g_print ("\n");
    }
  if (n == 0)
    g_print ("  %s\n", _ ("No screen is paired with this host."));
  /* Translators: the summary line of ticketrail-ctl test-screens */
  g_print (_ ("%d shown, %d did not answer, %d offline\n"),
           (int)json_object_get_int_member (object, "shown"),
           (int)json_object_get_int_member (object, "no_answer"),
           (int)json_object_get_int_member (object, "offline"));
}

int
_tr_ctl_cmd_test_screens (int argc, char **argv)
{
  int wait_s = DEFAULT_WAIT_S;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "wait", 'w', 0, G_OPTION_ARG_INT, &wait_s,
      N_ ("Seconds to wait for the screens (1 to 120, default 15)"), "S" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the host's JSON answer"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context
    = g_option_context_new (N_ ("- send a test ticket to every screen and say which show it"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  int exit_code;

  g_option_context_set_description (
    context, N_ ("The host cancels the test ticket when the check is over.\n"
                 "Exit status: 0 when every connected screen showed it; 1 when one did not,\n"
                 "or the host is unreachable or refused; 2 usage error.\n"));
  if (!_tr_ctl_parse_command (context, entries, &argc, &argv, &exit_code))
    return exit_code;
  if (argc != 1)
    return _tr_ctl_usage_error ("test-screens", _ ("test-screens takes no arguments"));
  if (wait_s < 1 || wait_s > 120)
    return _tr_ctl_usage_error ("test-screens", _ ("--wait is 1 to 120 seconds"));

  /* The answer comes when the check is over: wait for it, and a little
   * longer for the cancel. */
  session
    = soup_session_new_with_options ("timeout", (guint)MAX (_tr_ctl_options.timeout, wait_s + 10),
                                     "user-agent", "ticketrail-ctl/" PACKAGE_VERSION, NULL);
  path = g_strdup_printf ("/api/v1/test-screens?timeout_ms=%d", wait_s * 1000);
  root = _tr_ctl_http_json (session, SOUP_METHOD_POST, path, NULL, &error);
  if (root == NULL)
    return _tr_ctl_fail ("test-screens", error);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (&error, TR_ERROR, TR_ERROR_PROTOCOL, _ ("the answer is no object"));
      return _tr_ctl_fail ("test-screens", error);
    }
  if (json)
    _tr_ctl_print_json (root);
  else
    print_check (json_node_get_object (root));
  return json_object_get_int_member (json_node_get_object (root), "no_answer") == 0
           ? TR_CTL_EXIT_OK
           : TR_CTL_EXIT_FAILED;
}
