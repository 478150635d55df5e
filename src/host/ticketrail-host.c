/* ticketrail-host.c: the headless host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-host"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tr-host.h"
#include "tr-protocol.h"
#include "tr-store.h"

typedef struct
{
  GMainLoop *loop;
} Shutdown;

static gboolean
on_signal (gpointer user_data)
{
  Shutdown *shutdown = user_data;

  g_main_loop_quit (shutdown->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = NULL;
  g_autoptr (TrHost) host = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *address = NULL;
  g_autofree char *url_host = NULL;
  int port = TR_DEFAULT_PORT;
  gboolean loopback = FALSE;
  gboolean no_websocket = FALSE;
  Shutdown shutdown = { 0 };
  guint sigint_id, sigterm_id;
  const GOptionEntry entries[]
    = { { "port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port to listen on (0 picks a free one)",
          "PORT" },
        { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
          "Folder of ticketrail.db (default: $TICKETRAIL_DATA_DIR or $XDG_DATA_HOME/ticketrail)",
          "DIR" },
        { "loopback", 0, 0, G_OPTION_ARG_NONE, &loopback, "Listen on 127.0.0.1 only", NULL },
        { "no-websocket", 0, 0, G_OPTION_ARG_NONE, &no_websocket,
          "Refuse WebSocket upgrades, so stations long-poll (diagnostics)", NULL },
        { NULL } };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("— the Ticketrail host, without a window");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ticketrail-host: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("ticketrail-host: --port must be between 0 and 65535\n");
      return 2;
    }

  if (data_dir == NULL)
    data_dir = tr_store_default_dir ();
  db_path = g_build_filename (data_dir, "ticketrail.db", NULL);

  /* The host's commits precede its acks: synchronous=FULL. */
  store = tr_store_open (db_path, TR_STORE_DURABILITY_FULL, &error);
  if (store == NULL)
    {
      g_printerr ("ticketrail-host: cannot open %s: %s\n", db_path, error->message);
      return 1;
    }

  host = g_object_new (TR_TYPE_HOST, "store", store, "port", (guint)port, "loopback-only", loopback,
                       "websocket-enabled", !no_websocket, NULL);
  if (!tr_host_start (host, &error))
    {
      g_printerr ("ticketrail-host: %s\n", error->message);
      return 1;
    }

  /* Before the "listening" line: whoever waits for it may signal at
   * once. The handlers stay until the end, so a second signal during
   * the shutdown cannot kill the process half way. */
  loop = g_main_loop_new (NULL, FALSE);
  shutdown.loop = loop;
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &shutdown);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &shutdown);

  g_object_get (host, "bound-address", &address, NULL);
  url_host = address && strchr (address, ':') ? g_strdup_printf ("[%s]", address)
                                              : g_strdup (address ? address : "0.0.0.0");
  g_print ("ticketrail-host: listening on http://%s:%u (host_id %s)\n", url_host,
           tr_host_get_bound_port (host), tr_store_get_db_id (store));
  fflush (stdout);

  g_main_loop_run (loop);

  /* Stations get 1001 and reconnect to whoever hosts next. */
  tr_host_stop (host);
  /* Let the close frames reach the wire before the process goes. */
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_print ("ticketrail-host: stopped\n");
  return 0;
}
