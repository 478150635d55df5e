/* test-host-flags.c: ticketrail-host's timing flags
 *
 * The real ticketrail-host binary: a value out of bounds is refused with
 * a clear message before anything starts, and a heartbeat timeout it is
 * given reaches a real TrClient through the welcome.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tr-client.h"
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

static const char *
host_binary (void)
{
  const char *binary = g_getenv ("TICKETRAIL_HOST_BIN");

  g_assert_nonnull (binary);
  return binary;
}

/* Runs ticketrail-host with @flag @value: its exit status and stderr. */
static int
run_refused (Fixture *f, const char *flag, const char *value, char **err)
{
  const char *argv[]
    = { host_binary (), "--loopback", "--port", "0", "--data-dir", f->dir, flag, value, NULL };
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, err, &error));
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
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

static char *
pair_code (Fixture *f)
{
  const char *argv[] = { host_binary (), "pair", "--data-dir", f->dir, NULL };
  g_autoptr (GSubprocess) pair = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  const char *code;

  pair = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (pair, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  /* "Pairing code: 123456" in any language: the first six digits. */
  code = strpbrk (out, "0123456789");
  g_assert_nonnull (code);
  return g_strndup (code, 6);
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
  const char *argv[]
    = { host_binary (),        "--loopback", "--port",          "0",     "--data-dir", f->dir,
        "--heartbeat-timeout", "6000",       "--hello-timeout", "20000", NULL };
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *code = NULL;
  g_autofree char *token = NULL;
  g_autofree char *store_path = g_build_filename (f->dir, "station.db", NULL);
  g_autoptr (TrStore) store = NULL;
  TrClient *client;
  IntervalCheck check;
  const char *port;
  guint interval = 0;

  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = strrchr (strstr (line, "://"), ':');
  g_assert_nonnull (port);
  base_url = g_strdup_printf ("http://127.0.0.1:%d", atoi (port + 1));

  store = tr_store_open (store_path, TR_STORE_DURABILITY_NORMAL, &error);
  g_assert_no_error (error);
  code = pair_code (f);
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
  g_subprocess_send_signal (child, SIGTERM);
  g_subprocess_wait (child, NULL, NULL);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/host-flags/out-of-range", Fixture, NULL, fixture_setup, test_out_of_range,
              fixture_teardown);
  g_test_add ("/host-flags/heartbeat-timeout-announced", Fixture, NULL, fixture_setup,
              test_heartbeat_timeout_announced, fixture_teardown);
  return g_test_run ();
}
