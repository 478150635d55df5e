/* ticketrail-host.c: the headless host
 *
 *   ticketrail-host [OPTION…]            serve
 *   ticketrail-host pair [--data-dir D]  print a fresh pairing code
 *   ticketrail-host stations             list paired stations
 *   ticketrail-host revoke STATION_ID    revoke one
 *   ticketrail-host printers add|list|remove|test …   kitchen printers
 *                                        (tr-host-printers-cmd.c)
 *   ticketrail-host --training           serve training.db (docs/training.md)
 *   ticketrail-host --clear-training     empty training.db, then exit
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
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "tr-dnssd-browser.h"
#include "tr-exporter.h"
#include "tr-host.h"
#include "tr-host-printers-cmd.h"
#include "tr-protocol.h"
#include "tr-standby.h"
#include "tr-store-lineage.h"
#include "tr-store-replica.h"
#include "tr-store-training.h"
#include "tr-store.h"
#include "tr-timeouts.h"

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
    /* Translators: when a station was last seen: never */
    return g_strdup (_ ("never"));
  time = g_date_time_new_from_unix_local (ms / 1000);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

/* --auto-promote-after (issue 17, off by default). */
typedef struct
{
  TrStandby *standby;
  TrDnssdBrowser *browser; /* NULL with TICKETRAIL_DNSSD=0 */
  GMainLoop *loop;
  guint after_s;
  gboolean promote;
  gboolean said_other;
} AutoPromote;

/* Promote once the host has been silent for after_s, unless DNS-SD
 * shows another live host of this lineage at our generation or above
 * (someone promoted already). The host we copy is not counted: a
 * SIGKILLed host's record outlives it in Avahi's cache. A standby that
 * never heard its host in this run never promotes itself. */
static gboolean
auto_promote_check (gpointer data)
{
  AutoPromote *auto_promote = data;
  gint64 heard = tr_standby_get_last_heard (auto_promote->standby);
  TrStore *copy = tr_standby_get_store (auto_promote->standby);
  g_autofree char *lineage = NULL;
  gint64 gen = 0;

  if (heard == 0 || copy == NULL
      || g_get_monotonic_time () - heard < (gint64)auto_promote->after_s * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;
  if (auto_promote->browser != NULL && tr_store_get_lineage (copy, &lineage, &gen, NULL)
      && lineage != NULL)
    {
      GListModel *hosts = G_LIST_MODEL (auto_promote->browser);

      for (guint i = 0; i < g_list_model_get_n_items (hosts); i++)
        {
          g_autoptr (TrDnssdHost) host = g_list_model_get_item (hosts, i);
          const TrDnssdTxt *txt = tr_dnssd_host_get_txt (host);

          if (g_strcmp0 (txt->lineage, lineage) == 0 && txt->gen >= gen
              && g_strcmp0 (txt->host_id, tr_store_get_db_id (copy)) != 0)
            {
              if (!auto_promote->said_other)
                g_print ("ticketrail-host: not promoting: %s serves generation %" G_GINT64_FORMAT
                         "\n",
                         tr_dnssd_host_get_url (host), txt->gen);
              auto_promote->said_other = TRUE;
              return G_SOURCE_CONTINUE;
            }
        }
    }
  /* Not translated: tests and scripts wait for it. */
  g_print ("ticketrail-host: no word from the host for %u s: promoting this standby\n",
           auto_promote->after_s);
  fflush (stdout);
  auto_promote->promote = TRUE;
  g_main_loop_quit (auto_promote->loop);
  return G_SOURCE_REMOVE;
}

/* --standby-of: keep a copy of that host until SIGINT or SIGTERM, or
 * until --auto-promote-after decides to promote it (*promote TRUE). */
static int
run_standby (const char *data_dir, const char *url, const char *code, guint auto_promote_after,
             gboolean *promote)
{
  g_autoptr (TrStandby) standby = tr_standby_new (data_dir);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrDnssdBrowser) browser = NULL;
  Shutdown shutdown = { loop };
  AutoPromote auto_promote = { standby, NULL, loop, auto_promote_after, FALSE, FALSE };
  guint sigint_id, sigterm_id, auto_promote_id = 0;

  if (code != NULL && !tr_standby_pair (standby, url, code, &error))
    {
      g_printerr ("ticketrail-host: --pairing-code: %s\n", error->message);
      return 1;
    }
  if (!tr_standby_start (standby, &error))
    {
      g_printerr ("ticketrail-host: --standby-of: %s\n", error->message);
      return 1;
    }
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &shutdown);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &shutdown);
  /* Not translated: tests and scripts wait for it. */
  g_print ("ticketrail-host: standby of %s at seq %" G_GINT64_FORMAT "\n", url,
           tr_standby_get_head_seq (standby));
  fflush (stdout);
  if (auto_promote_after > 0)
    {
      if (g_strcmp0 (g_getenv ("TICKETRAIL_DNSSD"), "0") != 0)
        {
          browser = tr_dnssd_browser_new ();
          tr_dnssd_browser_start (browser);
          auto_promote.browser = browser;
        }
      auto_promote_id = g_timeout_add (250, auto_promote_check, &auto_promote);
    }
  g_main_loop_run (loop);
  if (browser != NULL)
    tr_dnssd_browser_stop (browser);
  if (auto_promote_id != 0 && !auto_promote.promote)
    g_source_remove (auto_promote_id);
  tr_standby_stop (standby);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  *promote = auto_promote.promote;
  if (!auto_promote.promote)
    g_print ("ticketrail-host: %s\n", C_ ("host status", "stopped"));
  return 0;
}

/* Whether another process has @path open: in WAL mode every connection
 * keeps a shared lock, so an exclusive one is refused while a host (the
 * app's or this program's) serves the file. */
static gboolean
file_in_use (const char *path)
{
  sqlite3 *db = NULL;
  gboolean busy = FALSE;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 200);
      busy = sqlite3_exec (db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;", NULL, NULL, NULL)
             != SQLITE_OK;
      sqlite3_exec (db, "ROLLBACK;", NULL, NULL, NULL);
    }
  sqlite3_close (db);
  return busy;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} Cleared;

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Cleared *cleared = user_data;

  cleared->ok = tr_host_clear_tickets_finish (TR_HOST (source), result, &cleared->error);
  cleared->done = TRUE;
}

/* --clear-training: empties DATA_DIR/training.db through a TrHost's
 * writer, as the app's Clear Training Tickets does, and exits. The host
 * is not started: the write runs here, the file's one writer. */
static int
clear_training (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, TR_STORE_TRAINING_FILE, NULL);
  g_autoptr (TrStore) store = NULL;
  g_autoptr (TrHost) host = NULL;
  g_autoptr (GError) error = NULL;
  Cleared cleared = { 0 };

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      /* Translators: %s is a file name */
      g_print (_ ("No training database at %s: nothing to clear.\n"), path);
      return 0;
    }
  if (file_in_use (path))
    {
      /* Translators: %s is a file name */
      g_printerr (_ ("ticketrail-host: a host is serving %s; stop it first, or use Clear "
                     "Training Tickets on it\n"),
                  path);
      return 1;
    }
  store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  if (store == NULL)
    {
      g_printerr (_ ("ticketrail-host: cannot open %s: %s\n"), path, error->message);
      return 1;
    }
  host = tr_host_new (store);
  tr_host_clear_tickets_async (host, NULL, on_cleared, &cleared);
  while (!cleared.done)
    g_main_context_iteration (NULL, TRUE);
  if (!cleared.ok)
    {
      g_printerr ("ticketrail-host: --clear-training: %s\n", cleared.error->message);
      g_error_free (cleared.error);
      return 1;
    }
  /* Translators: %s is a file name */
  g_print (_ ("Cleared the training tickets in %s.\n"), path);
  return 0;
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
      /* Translators: %s is a six-digit code */
      g_print (_ ("Pairing code: %s\n"), code);
      /* Translators: the first %s is a date and time, the second the code
       * again; keep HOST:PORT and ?pair= as they are, they are part of an
       * address */
      g_print (_ ("Valid once, until %s (10 minutes). Enter it on the station, or open\n"
                  "http://HOST:PORT/?pair=%s in its browser.\n"),
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

          /* One tab-separated row per station: the columns are phrases of
           * their own, so each translates alone. */
          g_autofree char *paired_column = g_strdup_printf (
            /* Translators: a column of "ticketrail-host stations"; %s is when
             * the station paired, a date and time */
            _ ("paired %s"), paired);
          g_autofree char *seen_column = g_strdup_printf (
            /* Translators: a column of "ticketrail-host stations"; %s is a
             * date and time, or "never" */
            _ ("last seen %s"), seen);

          g_print ("%s\t%s\t%s\t%s\t%s%s%s\n", station->station_id,
                   station->name ? station->name : "-", station->role ? station->role : "-",
                   paired_column, seen_column, station->revoked_at != 0 ? "\t" : "",
                   /* Translators: a column of "ticketrail-host stations",
                    * shown for a station whose pairing was revoked */
                   station->revoked_at != 0 ? _ ("REVOKED") : "");
        }
      if (stations->len == 0)
        g_print ("%s\n", _ ("No paired stations. Run ticketrail-host pair to pair one."));
      return 0;
    }

  if (g_str_equal (command, "revoke"))
    {
      gboolean found = FALSE;

      if (argc != 3)
        {
          g_printerr ("%s\n", _ ("Usage: ticketrail-host revoke STATION_ID"));
          return 2;
        }
      if (!tr_store_revoke_station (store, argv[2], tr_now_ms (), &found, &error))
        {
          g_printerr ("ticketrail-host revoke: %s\n", error->message);
          return 1;
        }
      if (!found)
        {
          /* Translators: %s is a station id */
          g_printerr (_ ("ticketrail-host revoke: no paired station %s\n"), argv[2]);
          return 1;
        }
      /* Translators: %s is a station id */
      g_print (_ ("Revoked %s; a running host disconnects it within seconds.\n"), argv[2]);
      return 0;
    }

  /* Translators: %s is what was typed; pair, stations and revoke are the
   * command names, which stay as they are */
  g_printerr (_ ("ticketrail-host: unknown command %s (pair, stations, revoke)\n"), command);
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
  g_autofree char *live_path = NULL;
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
  /* -1: TrHost's defaults (tr-timeouts.h). */
  int heartbeat_timeout = -1;
  int hello_timeout = -1;
  /* NULL: no export; "": libpq's PG* environment variables. */
  g_autofree char *export_conninfo = NULL;
  g_autofree char *export_site = NULL;
  g_autofree char *export_site_name = NULL;
  const char *command = NULL;
  g_autofree char *standby_of = NULL;
  g_autofree char *pairing_code = NULL;
  gboolean promote = FALSE;
  gboolean training = FALSE;
  gboolean clear = FALSE;
  int auto_promote_after = 0;
  int standby_timeout = -1;
  g_autoptr (GTlsCertificate) certificate = NULL;
  Shutdown shutdown = { 0 };
  guint sigint_id, sigterm_id;
  /* As in the app's main.c: an installed copy in a temporary prefix (the
   * install and translation tests) finds its own catalogues. */
  const char *localedir = g_getenv ("TICKETRAIL_LOCALEDIR");
  const GOptionEntry entries[]
    = { { "port", 'p', 0, G_OPTION_ARG_INT, &port,
          N_ ("TCP port to listen on (0 picks a free one)"), N_ ("PORT") },
        { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
          N_ ("Folder of ticketrail.db (default: $TICKETRAIL_DATA_DIR or "
              "$XDG_DATA_HOME/ticketrail)"),
          N_ ("DIR") },
        { "loopback", 0, 0, G_OPTION_ARG_NONE, &loopback, N_ ("Listen on 127.0.0.1 only"), NULL },
        { "no-websocket", 0, 0, G_OPTION_ARG_NONE, &no_websocket,
          N_ ("Refuse WebSocket upgrades, so stations long-poll (diagnostics)"), NULL },
        { "tls", 0, 0, G_OPTION_ARG_NONE, &tls,
          N_ ("Serve HTTPS/WSS with a self-signed certificate made on first use (tls.pem in the "
              "data folder); stations pin its fingerprint when they pair"),
          NULL },
        { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
          N_ ("TCP connections in all (default 2000; 0 no limit)"), N_ ("N") },
        { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &max_connections_per_address,
          N_ ("TCP connections from one IP address (default 32; 0 no limit). Raise it when many "
              "stations share one address, e.g. behind NAT or a proxy"),
          N_ ("N") },
        { "ops-rate", 0, 0, G_OPTION_ARG_INT, &ops_rate,
          N_ ("Ops per second per station, a token bucket (default 50; 0 no limit). Raise it for "
              "a POS that sends more"),
          N_ ("N") },
        { "ops-burst", 0, 0, G_OPTION_ARG_INT, &ops_burst,
          N_ ("Size of that bucket: ops a station may send at once (default 200; at least 1)"),
          N_ ("N") },
        { "ops-queue", 0, 0, G_OPTION_ARG_INT, &ops_queue,
          N_ ("Ops a station may have waiting for the bucket before it is disconnected (default "
              "1000)"),
          N_ ("N") },
        { "heartbeat-timeout", 0, 0, G_OPTION_ARG_INT, &heartbeat_timeout,
          N_ ("Milliseconds without a word from a station before dropping it (default 15000, "
              "3000 to 300000). Stations are told and ping at least three times within it; "
              "raise it on a Wi-Fi that stalls"),
          N_ ("MS") },
        { "hello-timeout", 0, 0, G_OPTION_ARG_INT, &hello_timeout,
          N_ ("Milliseconds a new connection may take to say hello (default 10000, 1000 to "
              "120000)"),
          N_ ("MS") },
        { "export", 0, 0, G_OPTION_ARG_STRING, &export_conninfo,
          N_ ("Stream the ticket log into PostgreSQL for reporting: a libpq connection string "
              "or URI, e.g. postgresql://USER@HOST/DB; \"\" uses the PG* environment variables "
              "(docs/reporting.md)"),
          N_ ("CONNINFO") },
        { "export-site", 0, 0, G_OPTION_ARG_STRING, &export_site,
          N_ ("The restaurant's id in PostgreSQL, kept when this host is replaced (default: "
              "the restaurant's lineage id)"),
          N_ ("ID") },
        { "export-site-name", 0, 0, G_OPTION_ARG_STRING, &export_site_name,
          N_ ("The restaurant's name in PostgreSQL's ticketrail.sites"), N_ ("NAME") },
        { "standby-of", 0, 0, G_OPTION_ARG_STRING, &standby_of,
          N_ ("Be the standby of the host at URL: keep a copy of its database in the data "
              "folder, so that --promote can replace it without losing an acknowledged op"),
          N_ ("URL") },
        { "pairing-code", 0, 0, G_OPTION_ARG_STRING, &pairing_code,
          N_ ("With --standby-of, the first time: a pairing code from that host"), N_ ("CODE") },
        { "promote", 0, 0, G_OPTION_ARG_NONE, &promote,
          N_ ("Make this standby's copy the host (new host id, next generation) and serve it"),
          NULL },
        { "training", 0, 0, G_OPTION_ARG_NONE, &training,
          N_ ("Serve the training database (training.db in the data folder): sample tickets "
              "that never reach the live one; every screen shows TRAINING"),
          NULL },
        { "clear-training", 0, 0, G_OPTION_ARG_NONE, &clear,
          N_ ("Remove every ticket from the training database, then exit"), NULL },
        { "auto-promote-after", 0, 0, G_OPTION_ARG_INT, &auto_promote_after,
          N_ ("With --standby-of: promote this standby by itself once the host has not answered "
              "for SECONDS, unless DNS-SD shows another host already serving (default 0: never)"),
          N_ ("SECONDS") },
        { "standby-timeout", 0, 0, G_OPTION_ARG_INT, &standby_timeout,
          N_ ("Milliseconds an acknowledgement may wait for the standby before the host acks "
              "alone (default 3000)"),
          N_ ("MS") },
        { NULL } };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Its own options (--address, --route…): parsed there. */
  if (argc > 1 && g_str_equal (argv[1], "printers"))
    return tr_host_printers_main (NULL, argc, argv);

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

  context = g_option_context_new (
    /* Translators: the command line synopsis of ticketrail-host --help;
     * pair, stations and revoke are command names and STATION_ID a
     * placeholder: keep them as they are */
    N_ ("[pair | stations | revoke STATION_ID | printers …] — the Ticketrail host, without a "
        "window"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
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
      g_printerr ("ticketrail-host: %s\n", _ ("--port must be between 0 and 65535"));
      return 2;
    }
  if (export_conninfo == NULL && (export_site != NULL || export_site_name != NULL))
    {
      g_printerr ("ticketrail-host: %s\n", _ ("--export-site and --export-site-name need --export"));
      return 2;
    }
  if (max_connections < -1 || max_connections_per_address < -1 || ops_rate < -1 || ops_queue < -1
      || ops_burst == 0 || ops_burst < -1)
    {
      g_printerr ("ticketrail-host: %s\n", _ ("limits must be 0 or more (--ops-burst 1 or more)"));
      return 2;
    }

  /* The same bounds as the app's settings: a typo such as 15 (meant as
   * seconds) would drop every station after 15 ms. */
  if (heartbeat_timeout != -1 && !tr_timeouts_host_heartbeat_is_valid (heartbeat_timeout))
    {
      /* Translators: %d are numbers of milliseconds */
      g_autofree char *message
        = g_strdup_printf (_ ("--heartbeat-timeout must be between %d and %d milliseconds"),
                           TR_TIMEOUT_HOST_HEARTBEAT_MIN, TR_TIMEOUT_HOST_HEARTBEAT_MAX);

      g_printerr ("ticketrail-host: %s\n", message);
      return 2;
    }
  if (hello_timeout != -1 && !tr_timeouts_hello_is_valid (hello_timeout))
    {
      /* Translators: %d are numbers of milliseconds */
      g_autofree char *message
        = g_strdup_printf (_ ("--hello-timeout must be between %d and %d milliseconds"),
                           TR_TIMEOUT_HELLO_MIN, TR_TIMEOUT_HELLO_MAX);

      g_printerr ("ticketrail-host: %s\n", message);
      return 2;
    }

  if (data_dir == NULL)
    data_dir = tr_store_default_dir ();
  db_path = g_build_filename (data_dir, "ticketrail.db", NULL);

  if (clear)
    return clear_training (data_dir);
  if (training && (standby_of != NULL || promote || export_conninfo != NULL))
    {
      /* Sample tickets have no place in a standby's copy or the reports. */
      g_printerr ("ticketrail-host: %s\n",
                  _ ("--training goes without --standby-of, --promote and --export"));
      return 2;
    }
  /* The live file's twin; the live one stays closed. With a command
   * (pair, stations, revoke), that command works on the training file. */
  if (training)
    {
      live_path = g_steal_pointer (&db_path);
      db_path = g_build_filename (data_dir, TR_STORE_TRAINING_FILE, NULL);
    }

  if (auto_promote_after < 0 || auto_promote_after > 86400)
    {
      g_printerr ("ticketrail-host: %s\n",
                  _ ("--auto-promote-after must be between 0 and 86400 seconds"));
      return 2;
    }
  if (standby_of != NULL || pairing_code != NULL)
    {
      if (standby_of == NULL || promote)
        {
          g_printerr ("ticketrail-host: %s\n",
                      _ ("--pairing-code needs --standby-of, which goes without --promote"));
          return 2;
        }
      {
        gboolean promote_now = FALSE;
        int status = run_standby (data_dir, standby_of, pairing_code, (guint)auto_promote_after,
                                  &promote_now);

        if (!promote_now)
          return status;
        /* The standby stopped; its copy becomes the host below. */
        promote = TRUE;
      }
    }
  else if (auto_promote_after != 0)
    {
      g_printerr ("ticketrail-host: %s\n", _ ("--auto-promote-after needs --standby-of"));
      return 2;
    }

  /* The host's commits precede its acks: synchronous=FULL. */
  store = tr_store_open (db_path, TR_STORE_DURABILITY_FULL, &error);
  if (store == NULL)
    {
      /* Translators: %s is a file name, then why it cannot be opened */
      g_printerr (_ ("ticketrail-host: cannot open %s: %s\n"), db_path, error->message);
      return 1;
    }
  if (command != NULL)
    return run_subcommand (command, store, argc, argv);
  /* Before serving: paired stations follow the host into training with
   * the tokens they have (as tr_station_new_host_full() does). */
  if (training && !tr_store_copy_pairings (store, live_path, &error))
    {
      g_printerr (_ ("ticketrail-host: cannot open %s: %s\n"), live_path, error->message);
      return 1;
    }
  if (promote)
    {
      gint64 gen = 0;

      if (!tr_store_promote (store, &gen, &error))
        {
          g_printerr ("ticketrail-host: --promote: %s\n", error->message);
          return 1;
        }
      /* Not translated: tests and scripts wait for it. */
      g_print ("ticketrail-host: promoted to host %s, generation %" G_GINT64_FORMAT "\n",
               tr_store_get_db_id (store), gen);
    }

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
                       "tls-certificate", certificate, "training", training, NULL);
  if (heartbeat_timeout != -1)
    g_object_set (host, "heartbeat-timeout", (guint)heartbeat_timeout, NULL);
  if (hello_timeout != -1)
    g_object_set (host, "hello-timeout", (guint)hello_timeout, NULL);
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
  if (standby_timeout > 0)
    tr_host_set_standby_timeout (host, (guint)standby_timeout);
  if (export_conninfo != NULL)
    {
      /* Without --export-site the host makes the site its restaurant's
       * lineage id (tr_host_start()), which a promoted standby carries. */
      g_autoptr (TrExporter) exporter = g_object_new (
        TR_TYPE_EXPORTER, "database-path", db_path, "host-id", tr_store_get_db_id (store),
        "site-id", export_site, "site-name", export_site_name, "conninfo", export_conninfo, NULL);

      g_object_set (host, "exporter", exporter, NULL);
    }
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
  /* Not translated: scripts, tests and the service unit's watchers wait
   * for this exact line. */
  g_print ("ticketrail-host: listening on %s://%s:%u (host_id %s)%s\n", tls ? "https" : "http",
           url_host, tr_host_get_bound_port (host), tr_store_get_db_id (store),
           training ? " in training" : "");
  if (tls)
    /* Translators: %s is a SHA-256 fingerprint, hex digits */
    g_print (_ ("ticketrail-host: TLS certificate fingerprint (SHA-256) %s\n"),
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
  /* Translators: the last line ticketrail-host prints, once it stopped
   * serving */
  g_print ("ticketrail-host: %s\n", C_ ("host status", "stopped"));
  return 0;
}
