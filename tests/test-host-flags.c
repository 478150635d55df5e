/* test-host-flags.c: ticketrail-host's timing and training flags
 *
 * The real ticketrail-host binary: a value out of bounds is refused with
 * a clear message before anything starts, and a heartbeat timeout it is
 * given reaches a real TrClient through the welcome. --training serves
 * training.db (the health says so) and leaves the live file alone;
 * --clear-training refuses while that host runs, and empties the file
 * once it has stopped (docs/training.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tr-client.h"
#include "tr-demo.h"
#include "tr-station.h"
#include "tr-store-training.h"
#include "tr-test-host-process.h"
#include "tr-test-peer.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  SoupSession *session;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-host-flags-XXXXXX", &error);
  g_assert_no_error (error);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->session);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Runs ticketrail-host with @flag @value: its exit status and stderr. */
static int
run_refused (Fixture *f, const char *flag, const char *value, char **err)
{
  const char *argv[] = { tr_test_host_process_binary (),
                         "--loopback",
                         "--port",
                         "0",
                         "--data-dir",
                         f->dir,
                         flag,
                         value,
                         NULL };

  return tr_test_host_process_run (
    argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL, err);
}

static void
test_out_of_range (Fixture *f, gconstpointer data)
{
  const struct
  {
    const char *flag;
    const char *value;
    const char *says;
  } cases[] = {
    { "--heartbeat-timeout", "15", "--heartbeat-timeout must be between 3000 and 300000" },
    { "--heartbeat-timeout", "300001", "--heartbeat-timeout must be between 3000 and 300000" },
    { "--hello-timeout", "0", "--hello-timeout must be between 1000 and 120000" },
    { "--hello-timeout", "-5", "--hello-timeout must be between 1000 and 120000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (run_refused (f, cases[i].flag, cases[i].value, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].says));
    }
}

typedef struct
{
  TrClient *client;
  guint interval;
} IntervalCheck;

static gboolean
client_paces_for (gpointer data)
{
  IntervalCheck *check = data;
  guint effective = 0;

  g_object_get (check->client, "effective-heartbeat-interval", &effective, NULL);
  return tr_client_get_state (check->client) == TR_CLIENT_STATE_ONLINE_WEBSOCKET
         && effective == check->interval;
}

/* --heartbeat-timeout 6000: the welcome says so, and a station set to
 * ping every 5 s pings every 2 s instead. */
static void
test_heartbeat_timeout_announced (Fixture *f, gconstpointer data)
{
  const char *extra[] = { "--heartbeat-timeout", "6000", "--hello-timeout", "20000", NULL };
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *code = NULL;
  g_autofree char *token = NULL;
  g_autofree char *store_path = g_build_filename (f->dir, "station.db", NULL);
  g_autoptr (TrStore) store = NULL;
  TrClient *client;
  IntervalCheck check;
  guint interval = 0;

  child = tr_test_host_process_start (f->dir, extra, &base_url, NULL);

  store = tr_store_open (store_path, TR_STORE_DURABILITY_NORMAL, &error);
  g_assert_no_error (error);
  code = tr_test_host_process_pair_code (f->dir);
  token = tr_test_pair (f->session, base_url, code, tr_store_get_db_id (store), "Grill");
  client = tr_client_new (store, base_url, "Grill", "kitchen");
  g_object_set (client, "token", token, NULL);
  g_object_get (client, "heartbeat-interval", &interval, NULL);
  g_assert_cmpuint (interval, ==, 5000);
  tr_client_start (client);
  check = (IntervalCheck){ client, 6000 / 3 };
  tr_test_wait_for (client_paces_for, &check, "the client pacing for the host's 6 s");

  tr_client_stop (client);
  g_assert_finalize_object (client);
  tr_test_host_process_stop (&child);
}

/* Runs ticketrail-host with @args (after --data-dir): its exit status,
 * stdout and stderr. */
static int
run_host (Fixture *f, const char *arg1, const char *arg2, char **out, char **err)
{
  const char *argv[] = { tr_test_host_process_binary (), "--data-dir", f->dir, arg1, arg2, NULL };

  return tr_test_host_process_run (
    argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, out, err);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *)data;
}

static void
on_submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_station_submit_ops_finish (TR_STATION (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

static guint
count_tickets (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = tr_store_open_readonly (path, &error);
  g_autoptr (GPtrArray) tickets = NULL;

  g_assert_no_error (error);
  tickets = tr_store_list_tickets (store, FALSE, NULL, &error);
  g_assert_no_error (error);
  return tickets->len;
}

static void
test_training (Fixture *f, gconstpointer data)
{
  const char *extra[] = { "--training", NULL };
  g_autofree char *training_path = g_build_filename (f->dir, TR_STORE_TRAINING_FILE, NULL);
  g_autofree char *live_path = g_build_filename (f->dir, "ticketrail.db", NULL);
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *health = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint status = 0;

  /* Nothing to clear yet: said, and nothing made. */
  g_assert_cmpint (run_host (f, "--clear-training", NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "nothing to clear"));
  g_assert_false (g_file_test (training_path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Sample tickets in training.db, through a host's op path. */
  {
    g_autoptr (TrStation) station = tr_station_new_host_full (f->dir, 0, TRUE, TRUE, &error);
    g_autoptr (GPtrArray) ops = tr_demo_build_ops (TR_DEMO_N_TICKETS, tr_now_ms ());
    gboolean done = FALSE;

    g_assert_no_error (error);
    tr_station_submit_ops_async (station, ops, NULL, on_submitted, &done);
    tr_test_wait_for (is_true, &done, "the sample tickets");
    tr_station_shutdown (station);
  }
  g_assert_cmpuint (count_tickets (training_path), ==, TR_DEMO_N_TICKETS);

  child = tr_test_host_process_start (f->dir, extra, &base_url, &line);
  g_assert_true (g_str_has_suffix (line, " in training"));
  health = tr_test_http (f->session, base_url, "GET", "/api/v1/health", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (health, "\"training\":true"));

  /* The host has the file open: no clearing behind its back. */
  g_assert_cmpint (run_host (f, "--clear-training", NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "a host is serving"));
  g_assert_cmpuint (count_tickets (training_path), ==, TR_DEMO_N_TICKETS);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  tr_test_host_process_stop (&child);

  g_assert_cmpint (run_host (f, "--clear-training", NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Cleared the training tickets"));
  g_assert_cmpuint (count_tickets (training_path), ==, 0);
  /* The live file was never opened, let alone written. */
  g_assert_false (g_file_test (live_path, G_FILE_TEST_EXISTS));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/host-flags/out-of-range", Fixture, NULL, fixture_setup, test_out_of_range,
              fixture_teardown);
  g_test_add ("/host-flags/heartbeat-timeout-announced", Fixture, NULL, fixture_setup,
              test_heartbeat_timeout_announced, fixture_teardown);
  g_test_add ("/host-flags/training", Fixture, NULL, fixture_setup, test_training,
              fixture_teardown);
  return g_test_run ();
}
