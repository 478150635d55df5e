/* ticketrail-ctl.c: a small CLI for integrators and for troubleshooting
 *
 * This file holds the global options, the conventions every command
 * shares (parsing, exit status, error lines) and the dispatch; each
 * command is in tr-ctl-COMMAND.c, the HTTP and WebSocket plumbing in
 * tr-ctl-http.c and tr-ctl-websocket.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "tr-ctl-private.h"

TrCtlOptions _tr_ctl_options = { NULL, NULL, NULL, 10 };

static const GOptionEntry global_entries[] = {
  { "host", 'H', 0, G_OPTION_ARG_STRING, &_tr_ctl_options.host,
    N_ ("Host URL (default http://127.0.0.1:8787)"), N_ ("URL") },
  { "token", 't', 0, G_OPTION_ARG_STRING, &_tr_ctl_options.token,
    N_ ("Station token from 'pair', sent as a bearer token (default: $TICKETRAIL_TOKEN)"), "T" },
  { "station-id", 0, 0, G_OPTION_ARG_STRING, &_tr_ctl_options.station_id,
    N_ ("The station id the token was issued to (default: one per command and process)"),
    N_ ("ID") },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &_tr_ctl_options.timeout,
    N_ ("Seconds to wait for each step (default 10)"), "S" },
  { NULL },
};

static const char *const description =
  /* Translators: the end of ticketrail-ctl --help. Command names, option
   * names and the item syntax stay as they are; the lines after each
   * command name are indented by 11 spaces. */
  N_ ("Commands:\n"
      "  health   Print the host's health (GET /api/v1/health)\n"
      "  watch    Print live events, one line each: seq, kind, ticket number, status, op id\n"
      "           (--json prints the raw frames)\n"
      "  create   Create a ticket from flags or from a JSON file (POST /api/v1/tickets)\n"
      "  bump     Set a ticket's or an item's status (POST /api/v1/ops)\n"
      "  pair     Trade a pairing code from the host for a station token, printed on\n"
      "           stdout (ticketrail-ctl pair CODE --station-id ID); use it with\n"
      "           --token and the same --station-id\n"
      "  test     Check the path to the host step by step: TCP connect, HTTP health,\n"
      "           WebSocket handshake with the ticketrail.v1 subprotocol, hello/welcome\n"
      "           round trip, ping/pong latency; stops at the first failure\n"
      "  discover List the hosts on this network found over DNS-SD (Avahi), with\n"
      "           their lineage and generation (--json, --wait S)\n"
      "  test-screens\n"
      "           Send a test ticket to every screen, say which show it, then cancel\n"
      "           it (POST /api/v1/test-screens; --wait S, --json)\n"
      "  stats    Print the speed of service over a range (--from, --to, --csv,\n"
      "           --json); GET /api/v1/stats\n"
      "  stations Print the stations and whether they are connected; --history\n"
      "           prints each one's connects, drops and longest outage (--hours N)\n"
      "  reprint  Print a ticket again, marked REPRINT, on the printers that serve\n"
      "           its routes (ticketrail-ctl reprint TICKET_ID)\n"
      "\n"
      "Run 'ticketrail-ctl COMMAND --help' for a command's options.\n"
      "\n"
      "Item syntax for create --item (repeat the option for more items):\n"
      "  \"[QTYx] NAME [STATION] {MODIFIER,MODIFIER} !ALLERGEN !ALLERGEN (NOTE)\"\n"
      "  e.g. --item \"2x Butter Chicken [curry] {extra hot,no onion} !dairy (for table 4's "
      "child)\"\n"
      "  Every part but NAME is optional; QTY is 1 to 999.\n"
      "\n"
      "Exit status:\n"
      "  0  success\n"
      "  1  failure: host unreachable, an error answer, a rejected op, or a failed test step\n"
      "  2  usage error: bad arguments, bad item syntax, unreadable JSON file\n");

static const char *const exit_status_help
  = N_ ("Exit status: 0 success; 1 host unreachable, error answer, rejected op or failed\n"
        "test step; 2 usage error.\n");

int
_tr_ctl_fail (const char *what, const GError *error)
{
  g_printerr ("ticketrail-ctl: %s: %s\n", what, error ? error->message : _ ("failed"));
  return TR_CTL_EXIT_FAILED;
}

int
_tr_ctl_usage_error (const char *command, const char *message)
{
  g_printerr ("ticketrail-ctl: %s\n", message);
  /* Translators: %s is a command name, e.g. bump */
  g_printerr (_ ("Try 'ticketrail-ctl %s --help'.\n"), command);
  return TR_CTL_EXIT_USAGE;
}

/* Parses @argv with @entries plus the global ones, so --host may come
 * after the command too; @n_args plain arguments may follow the command
 * name (pair's CODE), more is a usage error. */
gboolean
_tr_ctl_parse_command_with_args (GOptionContext *context, const GOptionEntry *entries,
                                 guint n_args, int *argc, char ***argv, int *exit_code)
{
  g_autoptr (GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (g_option_context_get_description (context) == NULL)
    g_option_context_set_description (context, exit_status_help);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, global_entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("ticketrail-ctl: %s\n", error->message);
      *exit_code = TR_CTL_EXIT_USAGE;
      return FALSE;
    }
  if (*argc > 1 + (int)n_args)
    {
      g_printerr (_ ("ticketrail-ctl: unexpected argument \"%s\"\n"), (*argv)[1 + n_args]);
      *exit_code = TR_CTL_EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

gboolean
_tr_ctl_parse_command (GOptionContext *context, const GOptionEntry *entries, int *argc,
                       char ***argv, int *exit_code)
{
  return _tr_ctl_parse_command_with_args (context, entries, 0, argc, argv, exit_code);
}

typedef struct
{
  const char *name;
  int (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "health", _tr_ctl_cmd_health }, { "watch", _tr_ctl_cmd_watch },
  { "create", _tr_ctl_cmd_create }, { "bump", _tr_ctl_cmd_bump },
  { "test", _tr_ctl_cmd_test },     { "pair", _tr_ctl_cmd_pair },
  { "discover", _tr_ctl_cmd_discover }, { "test-screens", _tr_ctl_cmd_test_screens },
  { "stats", _tr_ctl_cmd_stats }, { "stations", _tr_ctl_cmd_stations },
  { "reprint", _tr_ctl_cmd_reprint },
};

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  gboolean version = FALSE;
  /* As in the app's main.c: an installed copy in a temporary prefix (the
   * install and translation tests) finds its own catalogues. */
  const char *localedir = g_getenv ("TICKETRAIL_LOCALEDIR");
  const GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version"), NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Translators: COMMAND and OPTIONS are placeholders: keep them as they are */
  context = g_option_context_new (N_ ("COMMAND [OPTIONS] - talk to a Ticketrail host"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, global_entries, NULL);
  g_option_context_add_main_entries (context, version_entries, NULL);
  /* Stop at the command: its options are its own. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ticketrail-ctl: %s\n", error->message);
      return TR_CTL_EXIT_USAGE;
    }
  if (version)
    {
      g_print ("ticketrail-ctl %s\n", PACKAGE_VERSION);
      return TR_CTL_EXIT_OK;
    }
  /* Keeps the token out of the process list. */
  if (_tr_ctl_options.token == NULL && g_getenv ("TICKETRAIL_TOKEN") != NULL)
    _tr_ctl_options.token = g_strdup (g_getenv ("TICKETRAIL_TOKEN"));
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return TR_CTL_EXIT_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("ticketrail-ctl %s", argv[1]);

        g_set_prgname (prgname);
        /* The command sees itself as argv[0]. */
        return commands[i].run (argc - 1, argv + 1);
      }

  /* Translators: %s is what was typed as the command */
  g_printerr (_ ("ticketrail-ctl: unknown command \"%s\"; try --help\n"), argv[1]);
  return TR_CTL_EXIT_USAGE;
}
