/* test-host-links.c: the connection history survives a host's restart
 * and its death
 *
 * Real parts: a host on loopback over a real store file, stations that
 * speak the protocol over real WebSockets, one of them cut mid-stream;
 * then the same file under a new host. For a death, the real
 * ticketrail-host is killed with SIGKILL and started again; and
 * ticketrail-ctl prints what the host keeps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-host-links"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-host.h"
#include "tr-protocol.h"
#include "tr-roster-json.h"
#include "tr-store-reader.h"
#include "tr-store.h"
#include "tr-test-host-process.h"
#include "tr-test-peer.h"
#include "tr-test-stall-vfs.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  char *path;
  SoupSession *session;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-host-links-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ticketrail.db", NULL);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->session);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

typedef struct
{
  TrStore *store;
  TrHost *host;
  char *base_url;
} Host;

static Host *
host_start (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  Host *host = g_new0 (Host, 1);

  host->store = tr_store_open (f->path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  host->host = g_object_new (TR_TYPE_HOST, "store", host->store, "port", 0, "loopback-only", TRUE,
                             "heartbeat-timeout", 10 * 60 * 1000, NULL);
  g_assert_true (tr_host_start (host->host, &error));
  g_assert_no_error (error);
  host->base_url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (host->host));
  return host;
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
host_stop (Host *host)
{
  gboolean done = FALSE;

  tr_host_stop (host->host);
  g_assert_finalize_object (host->host);
  /* Lets the closes finish before the store goes. */
  g_timeout_add (200, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (host->store);
  g_free (host->base_url);
  g_free (host);
}

static char *
pair (Fixture *f, Host *host, const char *station_id, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = tr_host_new_pairing_code (host->host, NULL, &error);

  g_assert_no_error (error);
  return tr_test_pair (f->session, host->base_url, code, station_id, name);
}

typedef struct
{
  Fixture *f;
  const char *base_url;
  const char *token;
  const char *station_id;
} RosterCheck;

/* GET /api/v1/stations says @station_id is connected. */
static gboolean
roster_says_connected (gpointer data)
{
  RosterCheck *check = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  guint status = 0;
  g_autofree char *text = tr_test_http (check->f->session, check->base_url, "GET",
                                        "/api/v1/stations", NULL, check->token, &status);
  JsonArray *stations;

  g_assert_cmpuint (status, ==, 200);
  root = tr_json_parse (text, -1, &error);
  g_assert_no_error (error);
  stations = json_object_get_array_member (json_node_get_object (root), "stations");
  for (guint i = 0; i < json_array_get_length (stations); i++)
    {
      JsonObject *station = json_array_get_object_element (stations, i);

      if (g_str_equal (json_object_get_string_member (station, "station"), check->station_id))
        return json_object_get_boolean_member (station, "connected");
    }
  return FALSE;
}

/* A station that says hello and waits until the host counts it in: one
 * that left during its catch-up was never connected. */
static TrTestPeer *
connect_station (Fixture *f, const char *base_url, const char *station_id, const char *token)
{
  TrTestPeer *peer = tr_test_peer_connect (f->session, base_url, station_id, token);
  RosterCheck check = { f, base_url, token, station_id };

  tr_test_wait_for (roster_says_connected, &check, "the station in the roster");
  return peer;
}

/* GET /api/v1/stations/history: the station's object, or NULL. */
static JsonObject *
history_of (JsonNode *root, const char *station_id)
{
  JsonArray *stations = json_object_get_array_member (json_node_get_object (root), "stations");

  for (guint i = 0; i < json_array_get_length (stations); i++)
    {
      JsonObject *station = json_array_get_object_element (stations, i);

      if (g_str_equal (json_object_get_string_member (station, "station"), station_id))
        return station;
    }
  return NULL;
}

static JsonNode *
get_history (Fixture *f, const char *base_url, const char *token)
{
  g_autoptr (GError) error = NULL;
  guint status = 0;
  g_autofree char *text = tr_test_http (f->session, base_url, "GET",
                                        "/api/v1/stations/history?hours=1", NULL, token, &status);
  JsonNode *root;

  g_assert_cmpuint (status, ==, 200);
  root = tr_json_parse (text, -1, &error);
  g_assert_no_error (error);
  return root;
}

static JsonObject *
link_at (JsonObject *station, guint i)
{
  JsonArray *links = json_object_get_array_member (station, "links");

  g_assert_cmpuint (i, <, json_array_get_length (links));
  return json_array_get_object_element (links, i);
}

/* The station's first link has ended, as far as the host knows (what
 * it has not written yet is in the answer too). */
static gboolean
history_has_ended (gpointer data)
{
  gpointer *args = data;
  Fixture *f = args[0];
  g_autoptr (JsonNode) root = get_history (f, args[1], args[2]);
  JsonObject *station = history_of (root, args[3]);

  return station != NULL && !json_object_get_null_member (link_at (station, 0), "disconnected_at");
}

/* A clean leave, a cut cable and a host that stops, then the same file
 * under a new host: every link is there, with how it ended. */
static void
test_restart (Fixture *f, gconstpointer data)
{
  Host *host = host_start (f);
  g_autofree char *grill = pair (f, host, "grill", "Grill");
  g_autofree char *fry = pair (f, host, "fry", "Fry");
  g_autoptr (JsonNode) root = NULL;
  TrTestPeer *peer;
  JsonObject *station;
  JsonObject *link;
  guint status = 0;
  g_autofree char *roster = NULL;

  peer = connect_station (f, host->base_url, "grill", grill);
  tr_test_peer_close (peer, TR_CLOSE_NORMAL);
  tr_test_peer_free (peer);
  peer = connect_station (f, host->base_url, "fry", fry);
  tr_test_peer_cut (peer);
  tr_test_peer_free (peer);
  peer = connect_station (f, host->base_url, "grill", grill);
  {
    gpointer args[] = { f, host->base_url, grill, "fry" };

    tr_test_wait_for (history_has_ended, args, "the end of fry's link");
  }
  /* The roster says who is up now. */
  roster = tr_test_http (f->session, host->base_url, "GET", "/api/v1/stations", NULL, fry, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (roster, "\"station\":\"grill\""));
  g_assert_nonnull (strstr (roster, "\"connected\":true"));
  /* What a front-of-house station reads to announce a dropped screen:
   * how fry's link ended, and when it began. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TrRoster) parsed = tr_roster_parse (roster, -1, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < parsed->stations->len; i++)
      {
        const TrStationInfo *info = parsed->stations->pdata[i];

        if (g_str_equal (info->station_id, "fry"))
          {
            g_assert_false (info->connected);
            g_assert_cmpint (info->close_code, ==, 1006);
            g_assert_cmpint (info->connected_since, >, 0);
            g_assert_cmpint (info->connected_since, <=, info->last_seen);
          }
        else if (g_str_equal (info->station_id, "grill"))
          {
            g_assert_true (info->connected);
            g_assert_cmpint (info->close_code, ==, 0);
          }
      }
    g_assert_cmpuint (parsed->stations->len, ==, 2);
  }
  g_clear_pointer (&roster, g_free);
  roster
    = tr_test_http (f->session, host->base_url, "GET", "/api/v1/stations", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 401);

  host_stop (host);
  tr_test_peer_wait_closed (peer);
  tr_test_peer_free (peer);

  host = host_start (f);
  root = get_history (f, host->base_url, grill);

  station = history_of (root, "grill");
  g_assert_nonnull (station);
  g_assert_cmpstr (json_object_get_string_member (station, "name"), ==, "Grill");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (station, "links")), ==, 2);
  link = link_at (station, 0);
  g_assert_cmpint (json_object_get_int_member (link, "close_code"), ==, TR_CLOSE_NORMAL);
  g_assert_false (json_object_get_boolean_member (link, "drop"));
  g_assert_cmpstr (json_object_get_string_member (link, "transport"), ==, "websocket");
  g_assert_cmpint (json_object_get_int_member (link, "duration_ms"), ==,
                   json_object_get_int_member (link, "disconnected_at")
                     - json_object_get_int_member (link, "connected_at"));
  link = link_at (station, 1);
  g_assert_cmpint (json_object_get_int_member (link, "close_code"), ==, TR_CLOSE_GOING_AWAY);
  g_assert_cmpstr (json_object_get_string_member (link, "close_reason"), ==, "host shutting down");
  g_assert_cmpint (json_object_get_int_member (station, "drops"), ==, 0);
  g_assert_false (json_object_get_boolean_member (station, "up"));

  station = history_of (root, "fry");
  g_assert_nonnull (station);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (station, "links")), ==, 1);
  link = link_at (station, 0);
  g_assert_cmpint (json_object_get_int_member (link, "close_code"), ==, 1006);
  g_assert_true (json_object_get_boolean_member (link, "drop"));
  g_assert_cmpint (json_object_get_int_member (station, "drops"), ==, 1);
  /* Down since the cut: the longest outage runs to now. */
  g_assert_cmpint (json_object_get_int_member (station, "longest_outage_ms"), >, 0);

  /* A bad window is refused, and changes nothing. */
  g_clear_pointer (&roster, g_free);
  roster = tr_test_http (f->session, host->base_url, "GET", "/api/v1/stations/history?hours=0",
                         NULL, grill, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (roster, "\"invalid\""));
  host_stop (host);
}

/* ---- The real ticketrail-host, killed ---- */

static char *
child_pair (Fixture *f, TrTestHostProcess *child, const char *station_id)
{
  g_autofree char *code = tr_test_host_process_pair_code (f->dir);

  return tr_test_pair (f->session, child->url, code, station_id, station_id);
}

/* The file holds @station_id's link, open: the host wrote it. */
static gboolean
link_written (gpointer data)
{
  Fixture *f = data;
  g_autoptr (TrStoreReader) reader = tr_store_reader_open (f->path, NULL);
  g_autoptr (GPtrArray) links = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);

  g_assert_nonnull (reader);
  g_assert_true (tr_store_reader_list_links (reader, 0, G_MAXINT64, links, NULL));
  return links->len > 0;
}

static int
run_ctl (const char *base_url, const char *token, char **out)
{
  const char *ctl = g_getenv ("TICKETRAIL_CTL_BIN");
  const char *argv[]
    = { ctl, "--host", base_url, "--token", token, "stations", "--history", "--hours", "2", NULL };
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, NULL, &error));
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* SIGKILL leaves the link open in the file; the next start ends it when
 * it was last known alive, as a drop, and the CLI prints it. */
static void
test_host_killed (Fixture *f, gconstpointer data)
{
  const char *binary = g_getenv ("TICKETRAIL_HOST_BIN");
  TrTestHostProcess *child;
  g_autofree char *token = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *out = NULL;
  TrTestPeer *peer;
  JsonObject *station;
  JsonObject *link;

  if (binary == NULL || g_getenv ("TICKETRAIL_CTL_BIN") == NULL)
    g_error ("TICKETRAIL_HOST_BIN and TICKETRAIL_CTL_BIN must be set (meson sets them)");
  child = tr_test_host_process_new (f->dir);
  token = child_pair (f, child, "grill");
  peer = connect_station (f, child->url, "grill", token);
  tr_test_wait_for (link_written, f, "the link in the file");
  tr_test_host_process_kill_and_free (child);
  tr_test_peer_wait_closed (peer);
  tr_test_peer_free (peer);

  child = tr_test_host_process_new (f->dir);
  root = get_history (f, child->url, token);
  station = history_of (root, "grill");
  g_assert_nonnull (station);
  link = link_at (station, 0);
  g_assert_cmpint (json_object_get_int_member (link, "close_code"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (link, "close_reason"), ==,
                   "the host stopped without closing");
  g_assert_true (json_object_get_boolean_member (link, "drop"));
  g_assert_cmpint (json_object_get_int_member (link, "disconnected_at"), >=,
                   json_object_get_int_member (link, "connected_at"));
  g_assert_cmpint (json_object_get_int_member (station, "drops"), ==, 1);

  g_assert_cmpint (run_ctl (child->url, token, &out), ==, 0);
  g_assert_nonnull (strstr (out, "grill"));
  g_assert_nonnull (strstr (out, "1 drop"));
  g_assert_nonnull (strstr (out, "the host stopped without closing"));
  tr_test_host_process_kill_and_free (child);
}

/* Whether the host's history, read on its loop, has a link of
 * @station_id. */
static gboolean
host_knows_link (TrHost *host, const char *station_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) histories
    = tr_host_list_link_history (host, tr_now_ms () - 60 * 60 * 1000, tr_now_ms () + 1000, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < histories->len; i++)
    {
      const TrStationHistory *history = g_ptr_array_index (histories, i);

      if (g_str_equal (history->station_id, station_id))
        return history->links->len > 0;
    }
  return FALSE;
}

/* While the disk stalls, the batch that holds a new link sits on the
 * writer for seconds: the link is in neither the file nor the changes
 * still waiting. The host monitor reads the history then too, and must
 * see the station (seen failing under load: a connected station drawn
 * as "not connected"). The history is read again and again until the
 * link is in the file, and never misses it. */
static void
test_read_while_writing (Fixture *f, gconstpointer data)
{
  Host *host = host_start (f);
  g_autofree char *token = pair (f, host, "pass", "Pass");
  TrTestPeer *peer;
  guint reads = 0, stalled_reads = 0;

  tr_test_stall_vfs_set_delay (2000);
  peer = connect_station (f, host->base_url, "pass", token);
  while (!link_written (f))
    {
      gboolean done = FALSE;

      g_timeout_add (20, timeout_cb, &done);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      if (tr_test_stall_vfs_get_n_syncing () > 0)
        stalled_reads++;
      g_assert_true (host_knows_link (host->host, "pass"));
      reads++;
    }
  g_test_message ("%u reads of the history, %u of them during a stalled sync", reads,
                  stalled_reads);
  g_assert_cmpuint (stalled_reads, >, 0);
  tr_test_stall_vfs_set_delay (0);
  tr_test_peer_free (peer);
  host_stop (host);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  tr_test_stall_vfs_register ();
  g_test_add ("/host-links/read-while-writing", Fixture, NULL, fixture_setup,
              test_read_while_writing, fixture_teardown);
  g_test_add ("/host-links/restart", Fixture, NULL, fixture_setup, test_restart, fixture_teardown);
  g_test_add ("/host-links/host-killed", Fixture, NULL, fixture_setup, test_host_killed,
              fixture_teardown);
  return g_test_run ();
}
