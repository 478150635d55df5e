/* test-failover-dnssd.c: the chaos failover run with station processes
 * that find the promoted host over DNS-SD (issue 17)
 *
 * In a private network namespace with a private avahi-daemon
 * (tr-test-avahi.h), all real processes: a ticketrail-host advertising
 * itself, its standby (ticketrail-host --standby-of), six stations
 * (tests/tr-test-station.c, each a TrStation over its own SQLite file)
 * and a POS feed (POST /api/v1/tickets from this process, retried with
 * the same op_id). The host is SIGKILLed mid-stream and never
 * restarted; the standby is promoted headless (ticketrail-host
 * --promote). Three stations have no fallback address and follow the
 * new generation over DNS-SD only; three run without DNS-SD
 * (TICKETRAIL_DNSSD=0) and have the promoted host's address as their
 * fallback after a second offline, as a manager would type it. Every op any
 * station or the POS journaled must have exactly one outcome on the
 * promoted host.
 *
 * Then the old host comes back on its old file: it sees the higher
 * generation over DNS-SD and refuses ops (409 superseded naming the new
 * host's address; a station's hello gets 4410 with that address, and
 * the station goes there), and the stations stay on the new host.
 *
 * A second test: a standby with --auto-promote-after promotes itself
 * once the host is gone, and a station follows it over DNS-SD.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "tr-client.h"
#include "tr-dnssd-browser.h"
#include "tr-test-avahi.h"
#include "tr-test-host-process.h"
#include "tr-test-peer.h"
#include "tr-test-util.h"

#define N_STATIONS 6
#define OPS_PER_STATION 60
#define N_POS_ORDERS 30
/* Generous: a 2-core CI machine under load; nothing is timed. */
#define WAIT_S 120

static char *harness_error;
static gboolean daemon_started;

typedef struct _Run Run;

/* A child process and the lines it printed so far. */
typedef struct
{
  Run *run;
  GSubprocess *proc;
  GDataInputStream *out;
  GCancellable *cancellable;
  GPtrArray *lines;
  gboolean eof;
  gboolean reaped;
  /* Stations: what their lines said. */
  char *station_id;
  char *online_host; /* the last "online" line's host id */
  char *status;      /* the last "status" line, after SIGUSR1 */
  gint64 gen;        /* the last "lineage" line's */
  gint64 online_at;  /* monotonic µs of the last "online" line */
  gboolean done;
  gboolean fell_back;
  guint n_ops;
} Child;

struct _Run
{
  char *dir;
  SoupSession *session;
  Child *host;
  Child *standby;
  Child *stations[N_STATIONS];
  char *url;     /* where the POS sends: the host, then the promoted one */
  char *host_id; /* the first host's */
  char *new_url; /* the promoted host's (chosen before, for the fallback) */
  char *new_host_id;
  char *pos_token;
  GPtrArray *pos_ops;
  guint pos_sent;
  gboolean pos_in_flight;
  gboolean pos_running;
  guint n_ops; /* station ops journaled, from their lines */
  gboolean killed;
  gint64 killed_at;   /* monotonic µs */
  gint64 promoted_at; /* the promoted host listens */
  gint64 followed_at; /* every station online with it */
};

static gboolean
require_daemon (void)
{
  g_autoptr (GError) error = NULL;

  if (harness_error != NULL)
    {
      tr_test_avahi_unavailable (harness_error);
      return FALSE;
    }
  if (!daemon_started)
    {
      if (!tr_test_avahi_start_daemon (&error))
        {
          tr_test_avahi_unavailable (error->message);
          return FALSE;
        }
      daemon_started = TRUE;
    }
  return TRUE;
}

static const char *
env_binary (const char *name)
{
  const char *binary = g_getenv (name);

  g_assert_nonnull (binary);
  return binary;
}

/* ---- Children and their lines ---- */

static void
child_read_next (Child *child);

static void
station_line (Child *child, const char *line)
{
  Run *run = child->run;
  g_auto (GStrv) words = g_strsplit (line, " ", 0);
  guint n = g_strv_length (words);

  if (n == 2 && g_str_equal (words[0], "station"))
    child->station_id = g_strdup (words[1]);
  else if (n == 3 && g_str_equal (words[0], "online"))
    {
      g_free (child->online_host);
      child->online_host = g_strdup (words[1]);
      child->online_at = g_get_monotonic_time ();
    }
  else if (n == 3 && g_str_equal (words[0], "lineage"))
    child->gen = g_ascii_strtoll (words[2], NULL, 10);
  else if (n == 2 && g_str_equal (words[0], "op"))
    {
      child->n_ops++;
      run->n_ops++;
    }
  else if (n == 2 && g_str_equal (words[0], "done"))
    child->done = TRUE;
  else if (n == 2 && g_str_equal (words[0], "fallback"))
    child->fell_back = TRUE;
  else if (g_str_equal (words[0], "status"))
    {
      g_free (child->status);
      child->status = g_strdup (line);
    }
  else if (g_str_equal (words[0], "rejected"))
    g_error ("a station's op was rejected: %s", line);
}

static void
child_line_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Child *child = user_data;
  g_autoptr (GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL)
    {
      child->eof = TRUE;
      return;
    }
  g_ptr_array_add (child->lines, line);
  if (child->station_id != NULL || g_str_has_prefix (line, "station "))
    station_line (child, line);
  child_read_next (child);
}

static void
child_read_next (Child *child)
{
  g_data_input_stream_read_line_async (child->out, G_PRIORITY_DEFAULT, child->cancellable,
                                       child_line_cb, child);
}

/* @no_dnssd: the child runs with TICKETRAIL_DNSSD=0 (no browsing). */
static Child *
child_spawn_full (Run *run, const char *const *argv, gboolean no_dnssd)
{
  const char *const env[] = { "TICKETRAIL_DNSSD", "0", NULL };
  Child *child = g_new0 (Child, 1);

  child->run = run;
  child->proc = tr_test_host_process_spawn (argv, no_dnssd ? env : NULL);
  child->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->proc));
  child->cancellable = g_cancellable_new ();
  child->lines = g_ptr_array_new_with_free_func (g_free);
  child_read_next (child);
  return child;
}

static Child *
child_spawn (Run *run, const char *const *argv)
{
  return child_spawn_full (run, argv, FALSE);
}

static void
child_signal (Child *child, int signal)
{
  g_subprocess_send_signal (child->proc, signal);
}

static gboolean
child_eof (gpointer data)
{
  return ((Child *)data)->eof;
}

static void
child_free (Child *child)
{
  if (child == NULL)
    return;
  if (!child->reaped)
    {
      g_subprocess_send_signal (child->proc, SIGKILL);
      g_subprocess_wait (child->proc, NULL, NULL);
    }
  g_cancellable_cancel (child->cancellable);
  g_object_unref (child->cancellable);
  g_object_unref (child->out);
  g_object_unref (child->proc);
  g_ptr_array_unref (child->lines);
  g_free (child->station_id);
  g_free (child->online_host);
  g_free (child->status);
  g_free (child);
}

/* Stops a child with @signal and waits until it is gone, its last lines
 * read. */
static void
child_stop (Child *child, int signal)
{
  child_signal (child, signal);
  g_assert_true (tr_test_avahi_wait (child_eof, child, WAIT_S));
  g_subprocess_wait (child->proc, NULL, NULL);
  child->reaped = TRUE;
}

typedef struct
{
  Child *child;
  const char *prefix;
  const char *found; /* the line, once seen */
} LineWait;

static gboolean
line_seen (gpointer data)
{
  LineWait *wait = data;

  for (guint i = 0; i < wait->child->lines->len; i++)
    {
      const char *line = g_ptr_array_index (wait->child->lines, i);

      if (strstr (line, wait->prefix) != NULL)
        {
          wait->found = line;
          return TRUE;
        }
    }
  return wait->child->eof;
}

/* The first line of @child containing @text; fails when it exits first. */
static const char *
child_wait_line (Child *child, const char *text)
{
  LineWait wait = { child, text, NULL };

  g_assert_true (tr_test_avahi_wait (line_seen, &wait, WAIT_S));
  if (wait.found == NULL)
    g_error ("%s exited before saying \"%s\"",
             g_subprocess_get_identifier (child->proc) ? g_subprocess_get_identifier (child->proc)
                                                       : "a child",
             text);
  return wait.found;
}

/* "ticketrail-host: listening on http://…:PORT (host_id ID)": the URL
 * stations reach it at on the veth, and its host id. */
static char *
host_url_from (Child *host, char **host_id)
{
  const char *line = child_wait_line (host, "listening on");
  const char *port = strrchr (strstr (line, "://"), ':');
  const char *id = strstr (line, "(host_id ");

  g_assert_nonnull (id);
  *host_id = g_strndup (id + strlen ("(host_id "), strcspn (id + strlen ("(host_id "), ")"));
  return g_strdup_printf ("http://%s:%d", tr_test_avahi_address (), atoi (port + 1));
}

static Child *
spawn_host (Run *run, const char *data_dir, const char *port, gboolean promote)
{
  const char *argv[] = { tr_test_host_process_binary (),
                         "--port",
                         port,
                         "--data-dir",
                         data_dir,
                         "--ops-rate",
                         "0",
                         "--standby-timeout",
                         "120000",
                         promote ? "--promote" : NULL,
                         NULL };

  /* Not --loopback: on the namespace's veth, so it is advertised. */
  return child_spawn (run, argv);
}

/* A port nothing listens on now, on the veth: the promoted host's, so
 * that half the stations can have its address as their fallback. */
static guint
free_port (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket
    = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr (GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (any, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
standby_in_sync (gpointer data)
{
  Run *run = data;
  guint status = 0;
  g_autofree char *body
    = tr_test_http (run->session, run->url, "GET", "/api/v1/health", NULL, NULL, &status);

  return status == 200 && strstr (body, "\"standby_connected\":true") != NULL;
}

/* ---- Stations ---- */

static Child *
spawn_station (Run *run, guint i, const char *url, const char *code, const char *fallback,
               guint32 seed, guint ops)
{
  g_autofree char *dir = g_strdup_printf ("%s/station-%u", run->dir, i);
  g_autofree char *name = g_strdup_printf ("Line %u", i);
  g_autofree char *ops_text = g_strdup_printf ("%u", ops);
  g_autofree char *seed_text = g_strdup_printf ("%u", seed + i);
  const char *argv[] = { env_binary ("TICKETRAIL_TEST_STATION_BIN"),
                         "--data-dir",
                         dir,
                         "--url",
                         url,
                         "--code",
                         code,
                         "--name",
                         name,
                         "--ops",
                         ops_text,
                         "--seed",
                         seed_text,
                         "--fallback-after-ms",
                         "1000",
                         fallback != NULL ? "--fallback-url" : NULL,
                         fallback,
                         NULL };

  g_mkdir (dir, 0700);
  /* A station with a fallback address has no DNS-SD: it can only get
   * there by that address, so both paths are taken in every run. */
  return child_spawn_full (run, argv, fallback != NULL);
}

typedef struct
{
  Child **stations;
  guint n;
  const char *host_id; /* every one online with it; NULL: any */
  gint64 gen;          /* and knowing at least this gen; 0: any */
  gboolean done;       /* and done */
} StationsWait;

static gboolean
stations_ready (gpointer data)
{
  StationsWait *wait = data;

  for (guint i = 0; i < wait->n; i++)
    {
      Child *s = wait->stations[i];

      if (s->eof)
        g_error ("station %u exited (see its stderr above)", i);
      if (s->online_host == NULL
          || (wait->host_id != NULL && g_strcmp0 (s->online_host, wait->host_id) != 0)
          || s->gen < wait->gen || (wait->done && !s->done))
        return FALSE;
    }
  return TRUE;
}

static void
wait_stations (Child **stations, guint n, const char *host_id, gint64 gen, gboolean done)
{
  StationsWait wait = { stations, n, host_id, gen, done };

  g_assert_true (tr_test_avahi_wait (stations_ready, &wait, WAIT_S));
}

/* ---- The POS feed (as in test-failover.c) ---- */

static void
pos_send (Run *run);

static void
pos_answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
    = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  guint status = body != NULL ? soup_message_get_status (msg) : 0;

  run->pos_in_flight = FALSE;
  /* 201, or 200 for a retry of an order that went in: answered. Any
   * other (the host is dead, the new one starting): the same op again. */
  if (status == 201 || status == 200)
    run->pos_sent++;
  else
    g_assert_true (status == 0 || status >= 500);
}

static gboolean
pos_tick (gpointer data)
{
  Run *run = data;

  if (run->pos_sent == N_POS_ORDERS)
    {
      run->pos_running = FALSE;
      return G_SOURCE_REMOVE;
    }
  if (!run->pos_in_flight)
    pos_send (run);
  return G_SOURCE_CONTINUE;
}

static void
pos_send (Run *run)
{
  g_autofree char *url = g_strconcat (run->url, "/api/v1/tickets", NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", run->pos_token, NULL);
  g_autofree char *body = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (run->pos_ops->len == run->pos_sent)
    g_ptr_array_add (run->pos_ops, g_strdup_printf ("pos-%u", run->pos_sent));
  body = g_strdup_printf ("{\"op_id\":\"%s\",\"table\":\"9\",\"items\":[{\"name\":\"Tea\","
                          "\"quantity\":1}]}",
                          (char *)g_ptr_array_index (run->pos_ops, run->pos_sent));
  msg = soup_message_new (SOUP_METHOD_POST, url);
  bytes = g_bytes_new (body, strlen (body));
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  /* A dead host must not hold the feed for libsoup's default minute. */
  soup_message_set_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
  run->pos_in_flight = TRUE;
  soup_session_send_and_read_async (run->session, msg, G_PRIORITY_DEFAULT, NULL, pos_answered, run);
}

/* ---- Checks against the promoted host's file ---- */

static gint64
outcomes_of (sqlite3 *db, const char *op_id)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "SELECT count(*) FROM op_results WHERE op_id = ?1", -1, &stmt, NULL),
    ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static sqlite3 *
open_db (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "ticketrail.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  return db;
}

static void
count_outcomes (Run *run, const char *dir, guint *ops, guint *acked, guint *lost, guint *duplicated)
{
  sqlite3 *db = open_db (dir);
  sqlite3_stmt *stmt = NULL;

  *ops = *acked = *lost = *duplicated = 0;
  for (guint i = 0; i < N_STATIONS; i++)
    for (guint j = 0; j < run->stations[i]->lines->len; j++)
      {
        const char *line = g_ptr_array_index (run->stations[i]->lines, j);

        if (!g_str_has_prefix (line, "op "))
          continue;
        (*ops)++;
        if (outcomes_of (db, line + strlen ("op ")) == 0)
          (*lost)++;
        else
          (*acked)++;
      }
  for (guint j = 0; j < run->pos_ops->len; j++)
    {
      (*ops)++;
      if (outcomes_of (db, g_ptr_array_index (run->pos_ops, j)) == 0)
        (*lost)++;
      else
        (*acked)++;
    }
  sqlite3_prepare_v2 (db, "SELECT count(*) - count(DISTINCT op_id) FROM events", -1, &stmt, NULL);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    *duplicated = (guint)sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* ---- The run ---- */

static gboolean
kill_time (gpointer data)
{
  Run *run = data;

  /* Mid-stream: a third of the stations' ops journaled. */
  return run->n_ops >= N_STATIONS * OPS_PER_STATION / 3;
}

static gboolean
all_done (gpointer data)
{
  Run *run = data;

  if (run->pos_running || run->pos_in_flight)
    return FALSE;
  for (guint i = 0; i < N_STATIONS; i++)
    if (!run->stations[i]->done || g_strcmp0 (run->stations[i]->online_host, run->new_host_id) != 0)
      return FALSE;
  return TRUE;
}

typedef struct
{
  Run *run;
  const char *url;
} Superseded;

static gboolean
old_host_superseded (gpointer data)
{
  Superseded *s = data;
  guint status = 0;
  g_autofree char *body
    = tr_test_http (s->run->session, s->url, "GET", "/api/v1/health", NULL, NULL, &status);

  return status == 200 && strstr (body, "\"superseded_by\":2") != NULL;
}

typedef struct
{
  TrClient *client;
  TrStore *store;
  const char *host_id;
} ClientWait;

static gboolean
client_on (gpointer data)
{
  ClientWait *wait = data;

  return tr_client_get_state (wait->client) == TR_CLIENT_STATE_ONLINE_WEBSOCKET
         && g_strcmp0 (tr_store_get_host_id (wait->store), wait->host_id) == 0;
}

typedef struct
{
  TrDnssdBrowser *browser;
  const char *old_host_id;
} Withdrawn;

/* A browse shows generation 2 and no record of the old host's. */
static gboolean
old_record_withdrawn (gpointer data)
{
  Withdrawn *w = data;
  GListModel *hosts = G_LIST_MODEL (w->browser);
  gboolean newer = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (hosts); i++)
    {
      g_autoptr (TrDnssdHost) host = g_list_model_get_item (hosts, i);
      const TrDnssdTxt *txt = tr_dnssd_host_get_txt (host);

      if (g_strcmp0 (txt->host_id, w->old_host_id) == 0 || txt->gen < 2)
        return FALSE;
      newer = newer || txt->gen == 2;
    }
  return newer;
}

static gboolean
statuses_in (gpointer data)
{
  Run *run = data;

  for (guint i = 0; i < N_STATIONS; i++)
    if (run->stations[i]->status == NULL)
      return FALSE;
  return TRUE;
}

static void
test_promoted_and_followed (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *host_dir = NULL;
  g_autofree char *standby_dir = NULL;
  g_autofree char *standby_code = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *old_url = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *late_path = NULL;
  g_autofree char *late_token = NULL;
  g_autofree char *last_error = NULL;
  g_autofree char *late_url = NULL;
  g_autoptr (TrStore) late_store = NULL;
  g_autoptr (TrClient) late = NULL;
  const char *seed_text = g_getenv ("TICKETRAIL_FAILOVER_SEED");
  guint32 seed = seed_text != NULL ? (guint32)atoll (seed_text) : g_random_int ();
  guint ops, acked, lost, duplicated, by_fallback = 0;
  Run run = { 0 };

  if (!require_daemon ())
    return;
  g_test_message ("seed %u", seed);
  g_random_set_seed (seed);
  run.dir = g_dir_make_tmp ("test-failover-dnssd-XXXXXX", &error);
  g_assert_no_error (error);
  host_dir = g_build_filename (run.dir, "host", NULL);
  standby_dir = g_build_filename (run.dir, "standby", NULL);
  g_mkdir (host_dir, 0700);
  run.session = soup_session_new_with_options ("timeout", 10, NULL);
  run.pos_ops = g_ptr_array_new_with_free_func (g_free);

  run.host = spawn_host (&run, host_dir, "0", FALSE);
  run.url = host_url_from (run.host, &run.host_id);
  run.new_url = g_strdup_printf ("http://%s:%u", tr_test_avahi_address (), free_port ());
  {
    g_autofree char *code = tr_test_host_process_pair_code (host_dir);

    run.pos_token = tr_test_pair (run.session, run.url, code, "pos", "POS");
  }
  /* A station that stays away during the run, and comes back to the old
   * host's address once the old host is back (below). */
  late_path = g_build_filename (run.dir, "late.db", NULL);
  late_store = tr_store_open (late_path, TR_STORE_DURABILITY_NORMAL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *code = tr_test_host_process_pair_code (host_dir);

    late_token = tr_test_pair (run.session, run.url, code, tr_store_get_db_id (late_store), "Late");
  }
  standby_code = tr_test_host_process_pair_code (host_dir);
  {
    const char *argv[] = { tr_test_host_process_binary (),
                           "--standby-of",
                           run.url,
                           "--data-dir",
                           standby_dir,
                           "--pairing-code",
                           standby_code,
                           NULL };

    run.standby = child_spawn (&run, argv);
  }
  g_assert_true (tr_test_avahi_wait (standby_in_sync, &run, WAIT_S));

  /* Six stations join by the host's address; odd ones also have the
   * promoted host's address as their fallback. */
  for (guint i = 0; i < N_STATIONS; i++)
    {
      g_autofree char *code = tr_test_host_process_pair_code (host_dir);

      run.stations[i] = spawn_station (&run, i, run.url, code, i % 2 == 1 ? run.new_url : NULL,
                                       seed, OPS_PER_STATION);
      /* One pairing code is valid at a time: paired before the next. */
      wait_stations (&run.stations[i], 1, run.host_id, 0, FALSE);
    }
  /* Each DNS-SD one learnt its lineage from the host's record. */
  for (guint i = 0; i < N_STATIONS; i += 2)
    wait_stations (&run.stations[i], 1, run.host_id, 1, FALSE);

  /* The stream: every station and the POS at random paces. */
  for (guint i = 0; i < N_STATIONS; i++)
    child_signal (run.stations[i], SIGUSR2);
  run.pos_running = TRUE;
  g_timeout_add (g_random_int_range (10, 40), pos_tick, &run);

  g_assert_true (tr_test_avahi_wait (kill_time, &run, WAIT_S));
  run.killed = TRUE;
  run.killed_at = g_get_monotonic_time ();
  child_stop (run.host, SIGKILL);
  /* The standby has nothing to follow now; its copy becomes the host. */
  child_stop (run.standby, SIGTERM);
  port_text = g_strdup (strrchr (run.new_url, ':') + 1);
  g_clear_pointer (&run.host, child_free);
  run.host = spawn_host (&run, standby_dir, port_text, TRUE);
  {
    /* The POS keeps trying the dead address meanwhile. */
    char *url = host_url_from (run.host, &run.new_host_id);

    run.promoted_at = g_get_monotonic_time ();
    g_free (run.url);
    run.url = url;
  }
  g_assert_cmpstr (run.url, ==, run.new_url);
  g_assert_cmpstr (run.new_host_id, !=, run.host_id);

  /* Every station finds it, over DNS-SD or its fallback, generation 2. */
  wait_stations (run.stations, N_STATIONS, run.new_host_id, 0, FALSE);
  run.followed_at = g_get_monotonic_time ();
  g_assert_true (tr_test_avahi_wait (all_done, &run, WAIT_S));
  wait_stations (run.stations, N_STATIONS, run.new_host_id, 0, TRUE);
  /* A station says "lineage" from a 100 ms poll of its store, so under
   * load its "done" can come first: wait for the DNS-SD ones' gen 2. */
  for (guint i = 0; i < N_STATIONS; i += 2)
    wait_stations (&run.stations[i], 1, run.new_host_id, 2, TRUE);
  for (guint i = 0; i < N_STATIONS; i++)
    {
      g_assert_cmpuint (run.stations[i]->n_ops, ==, OPS_PER_STATION);
      /* Each came the only way it had: DNS-SD, or the fallback. */
      g_assert_cmpint (run.stations[i]->fell_back, ==, i % 2 == 1);
      if (i % 2 == 0)
        g_assert_cmpint (run.stations[i]->gen, ==, 2);
      by_fallback += run.stations[i]->fell_back;
      g_test_message ("station %u (%s) online with the promoted host after %" G_GINT64_FORMAT " ms",
                      i, i % 2 == 1 ? "fallback" : "DNS-SD",
                      (run.stations[i]->online_at - run.promoted_at) / 1000);
    }

  count_outcomes (&run, standby_dir, &ops, &acked, &lost, &duplicated);
  /* A TAP comment, so meson keeps it as it is. */
  g_print (
    "# chaos-failover: ops=%u acked=%u lost=%u duplicated=%u promoted_in_ms=%" G_GINT64_FORMAT
    " followed_in_ms=%" G_GINT64_FORMAT " seed=%u stations=%u by_fallback=%u\n",
    ops, acked, lost, duplicated, (run.promoted_at - run.killed_at) / 1000,
    (run.followed_at - run.promoted_at) / 1000, seed, N_STATIONS, by_fallback);
  g_assert_cmpuint (ops, ==, N_STATIONS * OPS_PER_STATION + N_POS_ORDERS);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (duplicated, ==, 0);

  /* ---- The old host comes back on its old file ---- */
  {
    Child *old = spawn_host (&run, host_dir, "0", FALSE);
    Superseded superseded = { &run, NULL };
    g_autoptr (TrDnssdBrowser) browser = NULL;
    Withdrawn withdrawn = { NULL, NULL };
    ClientWait wait = { NULL, late_store, run.new_host_id };
    guint status = 0;
    g_autofree char *body = NULL;
    g_autofree char *old_body = NULL;
    sqlite3 *db;

    old_url = host_url_from (old, &old_id);
    g_assert_cmpstr (old_id, ==, run.host_id);
    /* It sees generation 2 of its lineage over DNS-SD, with no station
     * telling it. Nothing is sent to it before. */
    superseded.url = old_url;
    g_assert_true (tr_test_avahi_wait (old_host_superseded, &superseded, WAIT_S));

    /* And it withdraws its generation-1 record: join lists stop showing
     * a host that refuses ops. Checked again at the end of this part,
     * seconds later, so a record still being probed now cannot slip
     * through. */
    browser = tr_dnssd_browser_new ();
    withdrawn.browser = browser;
    withdrawn.old_host_id = old_id;
    tr_dnssd_browser_start (browser);
    g_assert_true (tr_test_avahi_wait (old_record_withdrawn, &withdrawn, WAIT_S));

    /* HTTP: 409 superseded, naming the new host. */
    body = tr_test_http (run.session, old_url, "POST", "/api/v1/tickets",
                         "{\"op_id\":\"pos-after-return\",\"table\":\"9\",\"items\":[{\"name\":"
                         "\"Tea\",\"quantity\":1}]}",
                         run.pos_token, &status);
    g_assert_cmpuint (status, ==, 409);
    g_assert_nonnull (strstr (body, "\"superseded\""));
    g_assert_nonnull (strstr (body, run.new_url));

    /* A station that comes to the old address gets 4410 with the new
     * host's address, goes there, and is served by the new host. */
    late = tr_client_new (late_store, old_url, "Late", "kitchen");
    g_object_set (late, "token", late_token, NULL);
    tr_client_start (late);
    wait.client = late;
    g_assert_true (tr_test_avahi_wait (client_on, &wait, WAIT_S));
    g_object_get (late, "host-url", &late_url, "last-error", &last_error, NULL);
    g_assert_cmpstr (late_url, ==, run.new_url);
    g_test_message ("the late station's last error: %s", last_error ? last_error : "(none)");

    /* The stations stay on the new host. */
    for (guint i = 0; i < N_STATIONS; i++)
      child_signal (run.stations[i], SIGUSR1);
    g_assert_true (tr_test_avahi_wait (statuses_in, &run, WAIT_S));
    for (guint i = 0; i < N_STATIONS; i++)
      {
        g_autofree char *want
          = g_strdup_printf ("status %s %s online", run.new_host_id, run.new_url);

        g_assert_cmpstr (run.stations[i]->status, ==, want);
      }

    /* And the old host wrote nothing. */
    db = open_db (host_dir);
    g_assert_cmpint (outcomes_of (db, "pos-after-return"), ==, 0);
    sqlite3_close (db);
    old_body
      = tr_test_http (run.session, run.new_url, "GET", "/api/v1/health", NULL, NULL, &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_null (strstr (old_body, "superseded_by"));
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_true (old_record_withdrawn (&withdrawn));
    tr_dnssd_browser_stop (browser);

    tr_client_stop (late);
    child_stop (old, SIGTERM);
    child_free (old);
  }

  for (guint i = 0; i < N_STATIONS; i++)
    {
      child_stop (run.stations[i], SIGTERM);
      child_free (run.stations[i]);
    }
  child_stop (run.host, SIGTERM);
  child_free (run.host);
  child_free (run.standby);
  g_clear_object (&late);
  g_clear_object (&late_store);
  g_clear_object (&run.session);
  g_ptr_array_unref (run.pos_ops);
  tr_test_remove_tree (run.dir);
  g_free (run.dir);
  g_free (run.url);
  g_free (run.host_id);
  g_free (run.new_url);
  g_free (run.new_host_id);
  g_free (run.pos_token);
}

/* ---- Automatic promotion ---- */

static void
test_auto_promote (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *host_dir = NULL;
  g_autofree char *standby_dir = NULL;
  g_autofree char *code = NULL;
  g_autofree char *standby_code = NULL;
  g_autofree char *new_url = NULL;
  g_autofree char *new_id = NULL;
  Child *station;
  Run run = { 0 };

  if (!require_daemon ())
    return;
  run.dir = g_dir_make_tmp ("test-failover-auto-XXXXXX", &error);
  g_assert_no_error (error);
  host_dir = g_build_filename (run.dir, "host", NULL);
  standby_dir = g_build_filename (run.dir, "standby", NULL);
  g_mkdir (host_dir, 0700);
  run.session = soup_session_new_with_options ("timeout", 10, NULL);

  run.host = spawn_host (&run, host_dir, "0", FALSE);
  run.url = host_url_from (run.host, &run.host_id);
  standby_code = tr_test_host_process_pair_code (host_dir);
  {
    const char *argv[] = { tr_test_host_process_binary (),
                           "--standby-of",
                           run.url,
                           "--data-dir",
                           standby_dir,
                           "--pairing-code",
                           standby_code,
                           "--auto-promote-after",
                           "2",
                           "--port",
                           "0",
                           "--ops-rate",
                           "0",
                           NULL };

    run.standby = child_spawn (&run, argv);
  }
  g_assert_true (tr_test_avahi_wait (standby_in_sync, &run, WAIT_S));
  code = tr_test_host_process_pair_code (host_dir);
  station = spawn_station (&run, 0, run.url, code, NULL, 1, 20);
  wait_stations (&station, 1, run.host_id, 1, FALSE);
  child_signal (station, SIGUSR2);
  wait_stations (&station, 1, run.host_id, 1, TRUE);

  /* The host dies; nobody runs --promote. */
  child_stop (run.host, SIGKILL);
  child_wait_line (run.standby, "promoting this standby");
  child_wait_line (run.standby, "generation 2");
  new_url = host_url_from (run.standby, &new_id);
  g_assert_cmpstr (new_id, !=, run.host_id);
  /* The station follows it over DNS-SD, with its 20 tickets. */
  wait_stations (&station, 1, new_id, 2, FALSE);
  {
    guint status = 0;
    g_autofree char *body
      = tr_test_http (run.session, new_url, "GET", "/api/v1/health", NULL, NULL, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_nonnull (strstr (body, "\"head_seq\":20"));
  }

  child_stop (station, SIGTERM);
  child_free (station);
  child_stop (run.standby, SIGTERM);
  child_free (run.standby);
  child_free (run.host);
  g_clear_object (&run.session);
  tr_test_remove_tree (run.dir);
  g_free (run.dir);
  g_free (run.url);
  g_free (run.host_id);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  int result;

  /* Before anything starts a thread: the namespace is per thread. */
  if (!tr_test_avahi_setup (&error))
    harness_error = g_strdup (error->message);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/failover-dnssd/promoted-and-followed", test_promoted_and_followed);
  g_test_add_func ("/failover-dnssd/auto-promote", test_auto_promote);
  result = g_test_run ();

  tr_test_avahi_teardown ();
  g_free (harness_error);
  return result;
}
