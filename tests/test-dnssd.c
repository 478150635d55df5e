/* test-dnssd.c: advertiser, browser and ticketrail-ctl discover against a
 * private avahi-daemon in a network namespace (tr-test-avahi.h)
 *
 * The tests run in order: the first while no avahi-daemon runs (the
 * "Avahi is not running" state), the others after it starts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <sys/wait.h>

#include <json-glib/json-glib.h>

#include "tr-dnssd-advertiser.h"
#include "tr-dnssd-browser.h"
#include "tr-host-dnssd.h"
#include "tr-host.h"
#include "tr-station.h"
#include "tr-store-lineage.h"
#include "tr-test-avahi.h"
#include "tr-test-util.h"

/* Generous: a 2-core CI machine under load; nothing is timed. */
#define WAIT_S 60

static char *harness_error;
static gboolean daemon_started;

typedef struct
{
  char *dir;
  TrStore *store;
  TrHost *host;
} HostFixture;

static gboolean
require_harness (void)
{
  if (harness_error != NULL)
    {
      tr_test_avahi_unavailable (harness_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
require_daemon (void)
{
  g_autoptr (GError) error = NULL;

  if (!require_harness ())
    return FALSE;
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

static void
host_start (HostFixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("tr-dnssd-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "host.db", NULL);
  f->store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  f->host = tr_host_new (f->store);
  /* Port 0: any free port; on all interfaces, so it is advertised. */
  g_object_set (f->host, "port", 0, NULL);
  if (name != NULL)
    tr_host_set_advertised_name (f->host, name);
  g_assert_true (tr_host_start (f->host, &error));
  g_assert_no_error (error);
}

static void
host_finish (HostFixture *f)
{
  if (f->host != NULL)
    tr_host_stop (f->host);
  g_clear_object (&f->host);
  g_clear_object (&f->store);
  if (f->dir != NULL)
    tr_test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
}

static gboolean
advertiser_in_state (gpointer data)
{
  HostFixture *f = data;
  TrDnssdAdvertiser *advertiser = tr_host_get_advertiser (f->host);
  TrDnssdState want = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (f->host), "want-state"));

  return advertiser != NULL && tr_dnssd_advertiser_get_state (advertiser) == want;
}

static gboolean
wait_advertiser (HostFixture *f, TrDnssdState state)
{
  g_object_set_data (G_OBJECT (f->host), "want-state", GINT_TO_POINTER (state));
  return tr_test_avahi_wait (advertiser_in_state, f, WAIT_S);
}

static gboolean
browser_settled (gpointer data)
{
  TrDnssdState state = tr_dnssd_browser_get_state (data);

  return state != TR_DNSSD_STATE_STARTING && state != TR_DNSSD_STATE_STOPPED;
}

typedef struct
{
  TrDnssdBrowser *browser;
  const char *host_id;
  gboolean present; /* wait for it to be listed (TRUE) or gone (FALSE) */
} Lookup;

static TrDnssdHost *
find_host (TrDnssdBrowser *browser, const char *host_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (browser));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TrDnssdHost) host = g_list_model_get_item (G_LIST_MODEL (browser), i);

      if (g_strcmp0 (tr_dnssd_host_get_txt (host)->host_id, host_id) == 0)
        return host;
    }
  return NULL;
}

static gboolean
lookup_done (gpointer data)
{
  Lookup *lookup = data;

  return (find_host (lookup->browser, lookup->host_id) != NULL) == lookup->present;
}

static char *
run_ctl (int *exit_status, char **err_out, const char *first, ...)
{
  const char *ctl = g_getenv ("TICKETRAIL_CTL_BIN");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  char *out = NULL;
  int status = 0;
  va_list args;

  g_assert_nonnull (ctl);
  g_ptr_array_add (argv, (gpointer)ctl);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **)argv->pdata, NULL, 0, NULL, NULL, &out, err_out, &status, &error);
  g_assert_no_error (error);
  *exit_status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  return out;
}

/* ---- Avahi not running ---- */

static void
test_no_daemon (void)
{
  g_autoptr (TrDnssdBrowser) browser = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  HostFixture f = { 0 };
  int status;

  if (!require_harness ())
    return;
  g_assert_false (daemon_started);

  /* The browser says so, instead of listing nothing forever. */
  browser = tr_dnssd_browser_new ();
  tr_dnssd_browser_start (browser);
  g_assert_true (tr_test_avahi_wait (browser_settled, browser, WAIT_S));
  g_assert_cmpint (tr_dnssd_browser_get_state (browser), ==, TR_DNSSD_STATE_NO_DAEMON);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 0);

  /* ctl discover names the reason and fails. */
  out = run_ctl (&status, &err, "discover", "--wait", "2", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "Avahi is not running"));

  /* The host runs on: it starts, says it is not advertised, serves. */
  host_start (&f, NULL);
  g_assert_true (wait_advertiser (&f, TR_DNSSD_STATE_NO_DAEMON));
  g_assert_true (tr_host_is_running (f.host));
  g_assert_cmpuint (tr_host_get_bound_port (f.host), >, 0);

  /* And advertises by itself once Avahi starts. */
  g_assert_true (tr_test_avahi_start_daemon (&error));
  g_assert_no_error (error);
  daemon_started = TRUE;
  g_assert_true (wait_advertiser (&f, TR_DNSSD_STATE_RUNNING));
  {
    Lookup lookup = { browser, tr_store_get_db_id (f.store), TRUE };

    g_assert_true (tr_test_avahi_wait (lookup_done, &lookup, WAIT_S));
    g_assert_cmpint (tr_dnssd_browser_get_state (browser), ==, TR_DNSSD_STATE_RUNNING);
  }
  host_finish (&f);
}

/* ---- A host advertises, ctl discover finds it with its TXT ---- */

static void
test_discover (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *lineage = NULL;
  g_autofree char *port = NULL;
  HostFixture f = { 0 };
  JsonArray *hosts;
  JsonObject *found = NULL;
  gint64 gen = 0;
  int status;

  if (!require_daemon ())
    return;
  host_start (&f, "Grill Host");
  g_assert_true (wait_advertiser (&f, TR_DNSSD_STATE_RUNNING));
  /* The lineage was made at the first start, through the host's writer. */
  g_assert_true (tr_store_get_lineage (f.store, &lineage, &gen, &error));
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (lineage));
  g_assert_cmpint (gen, ==, 1);

  out = run_ctl (&status, &err, "discover", "--json", "--count", "1", "--wait", "60", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "state"), ==, "running");
  hosts = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "hosts");
  for (guint i = 0; i < json_array_get_length (hosts); i++)
    {
      JsonObject *host = json_array_get_object_element (hosts, i);

      if (g_strcmp0 (json_object_get_string_member (host, "host_id"), tr_store_get_db_id (f.store)) == 0)
        found = host;
    }
  g_assert_nonnull (found);
  g_assert_cmpstr (json_object_get_string_member (found, "name"), ==, "Grill Host");
  g_assert_cmpstr (json_object_get_string_member (found, "lineage"), ==, lineage);
  g_assert_cmpint (json_object_get_int_member (found, "gen"), ==, 1);
  g_assert_false (json_object_get_boolean_member (found, "tls"));
  g_assert_cmpint (json_object_get_int_member (found, "port"), ==, tr_host_get_bound_port (f.host));
  g_assert_cmpstr (json_object_get_string_member (found, "address"), ==, tr_test_avahi_address ());
  port = g_strdup_printf ("http://%s:%u", tr_test_avahi_address (), tr_host_get_bound_port (f.host));
  g_assert_cmpstr (json_object_get_string_member (found, "url"), ==, port);

  /* The plain listing carries the same fields. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_ctl (&status, &err, "discover", "--count", "1", "--wait", "60", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Grill Host\t"));
  g_assert_nonnull (strstr (out, lineage));

  /* A restart keeps the lineage and gen: they live in the database. */
  tr_host_stop (f.host);
  g_assert_true (tr_host_start (f.host, &error));
  g_assert_no_error (error);
  g_assert_true (wait_advertiser (&f, TR_DNSSD_STATE_RUNNING));
  g_assert_cmpstr (tr_dnssd_advertiser_get_txt (tr_host_get_advertiser (f.host))->lineage, ==,
                   lineage);
  g_assert_cmpint (tr_dnssd_advertiser_get_txt (tr_host_get_advertiser (f.host))->gen, ==, 1);
  host_finish (&f);
}

/* ---- A browser sees a host come and go ---- */

static void
test_browser_sees_host_go (void)
{
  g_autoptr (TrDnssdBrowser) browser = tr_dnssd_browser_new ();
  HostFixture f = { 0 };
  Lookup lookup = { browser, NULL, TRUE };
  TrDnssdHost *host;

  if (!require_daemon ())
    return;
  tr_dnssd_browser_start (browser);
  host_start (&f, "Expo Host");
  lookup.host_id = tr_store_get_db_id (f.store);
  g_assert_true (tr_test_avahi_wait (lookup_done, &lookup, WAIT_S));
  host = find_host (browser, lookup.host_id);
  g_assert_cmpstr (tr_dnssd_host_get_name (host), ==, "Expo Host");
  g_assert_cmpuint (tr_dnssd_host_get_port (host), ==, tr_host_get_bound_port (f.host));

  /* Stopping withdraws the service: goodbye packets, not the TTL. */
  tr_host_stop (f.host);
  lookup.present = FALSE;
  g_assert_true (tr_test_avahi_wait (lookup_done, &lookup, WAIT_S));
  host_finish (&f);
}

/* ---- Two hosts with one name: the second takes "Name #2" ---- */

static void
test_name_collision (void)
{
  g_autoptr (TrDnssdBrowser) browser = tr_dnssd_browser_new ();
  HostFixture a = { 0 }, b = { 0 };
  Lookup la = { browser, NULL, TRUE }, lb = { browser, NULL, TRUE };
  const char *name_a, *name_b;

  if (!require_daemon ())
    return;
  tr_dnssd_browser_start (browser);
  host_start (&a, "Kitchen");
  g_assert_true (wait_advertiser (&a, TR_DNSSD_STATE_RUNNING));
  host_start (&b, "Kitchen");
  g_assert_true (wait_advertiser (&b, TR_DNSSD_STATE_RUNNING));
  name_a = tr_dnssd_advertiser_get_service_name (tr_host_get_advertiser (a.host));
  name_b = tr_dnssd_advertiser_get_service_name (tr_host_get_advertiser (b.host));
  g_assert_cmpstr (name_a, ==, "Kitchen");
  g_assert_cmpstr (name_b, !=, "Kitchen");
  g_assert_true (g_str_has_prefix (name_b, "Kitchen"));

  /* Both are listed, both under the name people gave them. */
  la.host_id = tr_store_get_db_id (a.store);
  lb.host_id = tr_store_get_db_id (b.store);
  g_assert_true (tr_test_avahi_wait (lookup_done, &la, WAIT_S));
  g_assert_true (tr_test_avahi_wait (lookup_done, &lb, WAIT_S));
  g_assert_cmpstr (tr_dnssd_host_get_name (find_host (browser, lb.host_id)), ==, "Kitchen");
  g_assert_cmpstr (tr_dnssd_host_get_service_name (find_host (browser, lb.host_id)), ==, name_b);
  host_finish (&a);
  host_finish (&b);
}

/* ---- The daemon restarts: advertised again, found again ---- */

static void
test_daemon_restart (void)
{
  g_autoptr (TrDnssdBrowser) browser = tr_dnssd_browser_new ();
  g_autoptr (GError) error = NULL;
  HostFixture f = { 0 };
  Lookup lookup = { browser, NULL, TRUE };

  if (!require_daemon ())
    return;
  tr_dnssd_browser_start (browser);
  host_start (&f, "Bar Host");
  lookup.host_id = tr_store_get_db_id (f.store);
  g_assert_true (tr_test_avahi_wait (lookup_done, &lookup, WAIT_S));

  tr_test_avahi_stop_daemon ();
  daemon_started = FALSE;
  g_assert_true (wait_advertiser (&f, TR_DNSSD_STATE_NO_DAEMON));
  lookup.present = FALSE;
  g_assert_true (tr_test_avahi_wait (lookup_done, &lookup, WAIT_S));
  g_assert_cmpint (tr_dnssd_browser_get_state (browser), ==, TR_DNSSD_STATE_NO_DAEMON);
  g_assert_true (tr_host_is_running (f.host));

  g_assert_true (tr_test_avahi_start_daemon (&error));
  g_assert_no_error (error);
  daemon_started = TRUE;
  g_assert_true (wait_advertiser (&f, TR_DNSSD_STATE_RUNNING));
  lookup.present = TRUE;
  g_assert_true (tr_test_avahi_wait (lookup_done, &lookup, WAIT_S));
  g_assert_cmpint (tr_dnssd_browser_get_state (browser), ==, TR_DNSSD_STATE_RUNNING);
  host_finish (&f);
}

/* ---- A station follows the newer generation of its lineage ---- */

typedef struct
{
  TrStation *station;
  const char *host_id; /* wait until its cache follows this host, online */
} Following;

static gboolean
following_done (gpointer data)
{
  Following *following = data;
  TrClientState state = tr_client_get_state (tr_station_get_client (following->station));

  return g_strcmp0 (tr_store_get_host_id (tr_station_get_store (following->station)),
                    following->host_id)
           == 0
         && (state == TR_CLIENT_STATE_ONLINE_WEBSOCKET || state == TR_CLIENT_STATE_ONLINE_POLLING);
}

static gboolean
lineage_learned (gpointer data)
{
  g_autofree char *lineage = NULL;
  gint64 gen = 0;

  return tr_store_get_lineage (tr_station_get_store (data), &lineage, &gen, NULL)
         && lineage != NULL;
}

static void
test_station_follows_new_generation (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStation) station = NULL;
  g_autofree char *station_dir = NULL;
  g_autofree char *url_a = NULL;
  g_autofree char *url = NULL;
  g_autofree char *lineage = NULL;
  g_autofree char *seen_lineage = NULL;
  g_autofree char *path_b = NULL;
  HostFixture a = { 0 }, b = { 0 };
  Following following = { 0 };
  gint64 gen = 0;

  if (!require_daemon ())
    return;
  host_start (&a, "Old Host");
  g_object_set (a.host, "require-pairing", FALSE, NULL);
  g_assert_true (wait_advertiser (&a, TR_DNSSD_STATE_RUNNING));
  g_assert_true (tr_store_get_lineage (a.store, &lineage, &gen, &error));
  g_assert_cmpint (gen, ==, 1);

  /* A station joined the old host by its address. */
  station_dir = g_dir_make_tmp ("tr-dnssd-station-XXXXXX", &error);
  g_assert_no_error (error);
  url_a = g_strdup_printf ("http://%s:%u", tr_test_avahi_address (), tr_host_get_bound_port (a.host));
  station = tr_station_new_client (station_dir, url_a, "Grill", "kitchen", &error);
  g_assert_no_error (error);
  following.station = station;
  following.host_id = tr_store_get_db_id (a.store);
  g_assert_true (tr_test_avahi_wait (following_done, &following, WAIT_S));
  /* It learns its lineage from its host's record. */
  g_assert_true (tr_test_avahi_wait (lineage_learned, station, WAIT_S));
  g_assert_true (tr_store_get_lineage (tr_station_get_store (station), &seen_lineage, &gen, &error));
  g_assert_cmpstr (seen_lineage, ==, lineage);
  g_assert_cmpint (gen, ==, 1);

  /* A host of the same lineage and generation 2 (what a promoted
   * standby will be) appears: the station moves to it by itself. */
  b.dir = g_dir_make_tmp ("tr-dnssd-XXXXXX", &error);
  path_b = g_build_filename (b.dir, "host.db", NULL);
  b.store = tr_store_open (path_b, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_set_lineage (b.store, lineage, 2, &error));
  b.host = tr_host_new (b.store);
  g_object_set (b.host, "port", 0, "require-pairing", FALSE, NULL);
  tr_host_set_advertised_name (b.host, "New Host");
  g_assert_true (tr_host_start (b.host, &error));
  g_assert_no_error (error);

  following.host_id = tr_store_get_db_id (b.store);
  g_assert_true (tr_test_avahi_wait (following_done, &following, WAIT_S));
  g_object_get (tr_station_get_client (station), "host-url", &url, NULL);
  g_assert_cmpuint (tr_host_get_bound_port (b.host), !=, tr_host_get_bound_port (a.host));
  g_free (url_a);
  url_a = g_strdup_printf ("http://%s:%u", tr_test_avahi_address (), tr_host_get_bound_port (b.host));
  g_assert_cmpstr (url, ==, url_a);
  g_clear_pointer (&seen_lineage, g_free);
  g_assert_true (tr_store_get_lineage (tr_station_get_store (station), &seen_lineage, &gen, &error));
  g_assert_cmpstr (seen_lineage, ==, lineage);
  g_assert_cmpint (gen, ==, 2);

  tr_station_shutdown (station);
  g_clear_object (&station);
  tr_test_remove_tree (station_dir);
  host_finish (&a);
  host_finish (&b);
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
  g_test_add_func ("/dnssd/no-daemon", test_no_daemon);
  g_test_add_func ("/dnssd/discover", test_discover);
  g_test_add_func ("/dnssd/browser-sees-host-go", test_browser_sees_host_go);
  g_test_add_func ("/dnssd/name-collision", test_name_collision);
  g_test_add_func ("/dnssd/daemon-restart", test_daemon_restart);
  g_test_add_func ("/dnssd/station-follows-new-generation", test_station_follows_new_generation);
  result = g_test_run ();

  tr_test_avahi_teardown ();
  g_free (harness_error);
  return result;
}
