/* tr-ctl-reprint.c: the reprint command: print a ticket again, marked
 * REPRINT, on the host's printers that serve its routes
 * (POST /api/v1/tickets/{id}/reprint)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"

int
_tr_ctl_cmd_reprint (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("TICKET_ID"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  int exit_code = TR_CTL_EXIT_OK;
  gint64 n;

  g_option_context_set_summary (
    context, _ ("Print a ticket again, marked REPRINT, on the host's printers that serve its "
                "routes (POST /api/v1/tickets/TICKET_ID/reprint)."));
  if (!_tr_ctl_parse_command_with_args (context, NULL, 1, &argc, &argv, &exit_code))
    return exit_code;
  if (argc < 2)
    return _tr_ctl_usage_error ("reprint", _ ("give the ticket's id"));

  escaped = g_uri_escape_string (argv[1], NULL, FALSE);
  path = g_strdup_printf ("/api/v1/tickets/%s/reprint", escaped);
  session = _tr_ctl_session_new ();
  root = _tr_ctl_http_json (session, SOUP_METHOD_POST, path, NULL, &error);
  if (root == NULL)
    return _tr_ctl_fail (_ ("reprint"), error);
  if (!JSON_NODE_HOLDS_OBJECT (root)
      || (n = json_object_get_int_member_with_default (json_node_get_object (root), "printers", -1))
           < 0)
    {
      g_set_error_literal (&error, TR_ERROR, TR_ERROR_PROTOCOL,
                           _ ("the reprint answer does not say how many printers"));
      return _tr_ctl_fail (_ ("reprint"), error);
    }
  if (n == 0)
    g_print ("%s\n", _ ("No printer serves this ticket's routes: nothing to reprint."));
  else
    /* Translators: %d is a number of printers */
    g_print (g_dngettext (GETTEXT_PACKAGE, "Reprint queued on %d printer.\n",
                          "Reprint queued on %d printers.\n", (gulong)n),
             (int)n);
  return TR_CTL_EXIT_OK;
}
