/* ticketrail-host.c: the headless host
 *
 *   ticketrail-host [OPTION…]            serve
 *   ticketrail-host pair [--data-dir D]  print a fresh pairing code
 *   ticketrail-host stations             list paired stations
 *   ticketrail-host revoke STATION_ID    revoke one
 *
 * The subcommands open the running host's database next to it (SQLite
 * WAL allows that) instead of talking to the process: the host reads
 * pairing codes from the store when a station pairs, checks tokens
 * against it on every connection, and closes the connections of a
 * station revoked there within seconds. So they work whether the host
 * runs or not, and need no control socket.
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
#include <sys/resource.h>

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

static char *
format_time (gint64 ms)
{
  g_autoptr (GDateTime) time = NULL;

  if (ms <= 0)
    return g_strdup ("never");
  time = g_date_time_new_from_unix_local (ms / 1000);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static int
run_subcommand (const char *command, TrStore *store, int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;

  if (g_str_equal (command, "pair"))
    {
      gint64 expires_at = 0;
      g_autofree char *code = tr_host_create_pairing_code (store, &expires_at, &error);
      g_autofree char *until = NULL;

      if (code == NULL)
        {
          g_printerr ("ticketrail-host pair: %s\n", error->message);
          return 1;
        }
      until = format_time (expires_at);
      g_print ("Pairing code: %s\n", code);
      g_print ("Valid once, until %s (10 minutes). Enter it on the station, or open\n"
               "http://HOST:PORT/?pair=%s in its browser.\n",
               until, code);
      return 0;
    }

  if (g_str_equal (command, "stations"))
    {
      g_autoptr (GPtrArray) stations = tr_store_list_paired_stations (store, &error);

      if (stations == NULL)
        {
          g_printerr ("ticketrail-host stations: %s\n", error->message);
          return 1;
        }
      for (guint i = 0; i < stations->len; i++)
        {
          TrPairedStation *station = g_ptr_array_index (stations, i);
          g_autofree char *paired = format_time (station->created_at);
          g_autofree char *seen = format_time (station->last_seen);

          g_print ("%s\t%s\t%s\tpaired %s\tlast seen %s%s\n", station->station_id,
                   station->name ? station->name : "-", station->role ? station->role : "-", paired,
                   seen, station->revoked_at != 0 ? "\tREVOKED" : "");
        }
      if (stations->len == 0)
        g_print ("No paired stations. Run ticketrail-host pair to pair one.\n");
      return 0;
    }

  if (g_str_equal (command, "revoke"))
    {
      gboolean found = FALSE;

      if (argc != 3)
        {
          g_printerr ("Usage: ticketrail-host revoke STATION_ID\n");
          return 2;
        }
      if (!tr_store_revoke_station (store, argv[2], tr_now_ms (), &found, &error))
        {
          g_printerr ("ticketrail-host revoke: %s\n", error->message);
          return 1;
        }
      if (!found)
        {
          g_printerr ("ticketrail-host revoke: no paired station %s\n", argv[2]);
          return 1;
        }
      g_print ("Revoked %s; a running host disconnects it within seconds.\n", argv[2]);
      return 0;
    }

  g_printerr ("ticketrail-host: unknown command %s (pair, stations, revoke)\n", command);
  return 2;
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
  gboolean tls = FALSE;
  /* -1: keep TrHost's default (docs/security.md). */
  int max_connections = -1;
  int max_connections_per_address = -1;
  int ops_rate = -1;
  int ops_burst = -1;
  int ops_queue = -1;
  const char *command = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
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
        { "tls", 0, 0, G_OPTION_ARG_NONE, &tls,
          "Serve HTTPS/WSS with a self-signed certificate made on first use (tls.pem in the data "
          "folder); stations pin its fingerprint when they pair",
          NULL },
        { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
          "TCP connections in all (default 2000; 0 no limit)", "N" },
        { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &max_connections_per_address,
          "TCP connections from one IP address (default 32; 0 no limit). Raise it when many "
          "stations share one address, e.g. behind NAT or a proxy",
          "N" },
        { "ops-rate", 0, 0, G_OPTION_ARG_INT, &ops_rate,
          "Ops per second per station, a token bucket (default 50; 0 no limit). Raise it for a "
          "POS that sends more",
          "N" },
        { "ops-burst", 0, 0, G_OPTION_ARG_INT, &ops_burst,
          "Size of that bucket: ops a station may send at once (default 200; at least 1)", "N" },
        { "ops-queue", 0, 0, G_OPTION_ARG_INT, &ops_queue,
          "Ops a station may have waiting for the bucket before it is disconnected (default "
          "1000)",
          "N" },
        { NULL } };

  setlocale (LC_ALL, "");

  /* Every station is a socket: the usual soft limit of 1024 descriptors
   * would refuse a busy restaurant's reconnect storm. */
  {
    struct rlimit nofile;

    if (getrlimit (RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max)
      {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit (RLIMIT_NOFILE, &nofile);
      }
  }

  context = g_option_context_new ("[pair | stations | revoke STATION_ID] — the Ticketrail host, "
                                  "without a window");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ticketrail-host: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    command = argv[1];
  if (port < 0 || port > 65535)
    {
      g_printerr ("ticketrail-host: --port must be between 0 and 65535\n");
      return 2;
    }
  if (max_connections < -1 || max_connections_per_address < -1 || ops_rate < -1 || ops_queue < -1
      || ops_burst == 0 || ops_burst < -1)
    {
      g_printerr ("ticketrail-host: limits must be 0 or more (--ops-burst 1 or more)\n");
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
  if (command != NULL)
    return run_subcommand (command, store, argc, argv);

  if (tls)
    {
      g_autofree char *pem = g_build_filename (data_dir, "tls.pem", NULL);

      if (!(certificate = tr_tls_ensure_certificate (pem, &error)))
        {
          g_printerr ("ticketrail-host: --tls: %s\n", error->message);
          return 1;
        }
    }

  host = g_object_new (TR_TYPE_HOST, "store", store, "port", (guint)port, "loopback-only", loopback,
                       "websocket-enabled", !no_websocket, "require-pairing", TRUE,
                       "tls-certificate", certificate, NULL);
  if (max_connections >= 0)
    g_object_set (host, "max-connections", (guint)max_connections, NULL);
  if (max_connections_per_address >= 0)
    g_object_set (host, "max-connections-per-address", (guint)max_connections_per_address, NULL);
  if (ops_rate >= 0)
    g_object_set (host, "ops-rate", (guint)ops_rate, NULL);
  if (ops_burst >= 0)
    g_object_set (host, "ops-burst", (guint)ops_burst, NULL);
  if (ops_queue >= 0)
    g_object_set (host, "ops-queue", (guint)ops_queue, NULL);
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
  g_print ("ticketrail-host: listening on %s://%s:%u (host_id %s)\n", tls ? "https" : "http",
           url_host, tr_host_get_bound_port (host), tr_store_get_db_id (store));
  if (tls)
    g_print ("ticketrail-host: TLS certificate fingerprint (SHA-256) %s\n",
             tr_host_get_tls_fingerprint (host));
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
