/* test-connection-test.c: the step-by-step connection test against a
 * real host on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-connection-test"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "tr-connection-test.h"
#include "tr-error.h"
#include "tr-host.h"

typedef struct
{
  GPtrArray *seen;    /* step results as reported, copied */
  GPtrArray *results; /* from _finish */
  GError *error;
  gboolean done;
} Run;

static void
on_step (const TrConnectionStepResult *result, gpointer user_data)
{
  Run *run = user_data;
  TrConnectionStepResult *copy = g_new0 (TrConnectionStepResult, 1);

  *copy = *result;
  copy->detail = g_strdup (result->detail);
  g_ptr_array_add (run->seen, copy);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  run->results = tr_connection_test_run_finish (result, &run->error);
  run->done = TRUE;
}

static void
run_test (Run *run, const char *url, GCancellable *cancellable)
{
  run->seen = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_connection_step_result_free);
  tr_connection_test_run_async (url, NULL, 5000, on_step, run, NULL, cancellable, on_done, run);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->seen, g_ptr_array_unref);
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_clear_error (&run->error);
  run->done = FALSE;
}

static TrConnectionStepResult *
result_at (GPtrArray *results, guint i)
{
  return g_ptr_array_index (results, i);
}

static void
test_all_steps_pass (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ticketrail-conntest-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "host.db", NULL);
  g_autoptr (TrStore) store = NULL;
  g_autoptr (TrHost) host = NULL;
  g_autofree char *url = NULL;
  Run run = { 0 };

  g_assert_no_error (error);
  store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  host = tr_host_new (store);
  g_object_set (host, "port", 0, "loopback-only", TRUE, NULL);
  g_assert_true (tr_host_start (host, &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (host));

  run_test (&run, url, NULL);
  g_assert_no_error (run.error);
  g_assert_nonnull (run.results);
  g_assert_cmpuint (run.results->len, ==, TR_CONNECTION_N_STEPS);
  g_assert_cmpuint (run.seen->len, ==, TR_CONNECTION_N_STEPS);
  for (guint i = 0; i < TR_CONNECTION_N_STEPS; i++)
    {
      TrConnectionStepResult *r = result_at (run.results, i);

      g_assert_cmpint (r->step, ==, i);
      g_assert_cmpint (r->status, ==, TR_CONNECTION_STEP_OK);
      g_assert_cmpint (r->elapsed_us, >, 0);
      g_assert_cmpint (result_at (run.seen, i)->step, ==, i);
    }
  g_assert_true (tr_connection_test_passed (run.results));
  g_assert_cmpstr (result_at (run.results, TR_CONNECTION_STEP_HTTP)->detail, ==, "HTTP 200 OK");
  g_assert_cmpstr (result_at (run.results, TR_CONNECTION_STEP_WEBSOCKET)->detail, ==,
                   "ticketrail.v1");
  g_assert_true (
    g_str_has_prefix (result_at (run.results, TR_CONNECTION_STEP_TCP)->detail, "127.0.0.1:"));

  /* The test pings before any hello, so the host lists no station. */
  {
    g_autoptr (GPtrArray) stations = tr_host_list_stations (host);

    g_assert_cmpuint (stations->len, ==, 0);
  }
  run_clear (&run);

  /* Without the host the first step fails and the rest are skipped. */
  tr_host_stop (host);
  run_test (&run, url, NULL);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.results->len, ==, TR_CONNECTION_N_STEPS);
  g_assert_cmpint (result_at (run.results, 0)->status, ==, TR_CONNECTION_STEP_FAILED);
  g_assert_nonnull (result_at (run.results, 0)->detail);
  for (guint i = 1; i < TR_CONNECTION_N_STEPS; i++)
    g_assert_cmpint (result_at (run.results, i)->status, ==, TR_CONNECTION_STEP_SKIPPED);
  g_assert_false (tr_connection_test_passed (run.results));
  run_clear (&run);

  g_clear_object (&host);
  g_clear_object (&store);
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        g_assert_cmpint (g_remove (p), ==, 0);
      }
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A plain HTTP server that is not a Ticketrail host: TCP passes, the
 * health check fails with its status, and the rest are skipped. */
static void
on_not_found (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
test_not_a_host (void)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoslist (GUri) uris = NULL;
  g_autofree char *url = NULL;
  Run run = { 0 };

  soup_server_add_handler (server, NULL, on_not_found, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));

  run_test (&run, url, NULL);
  g_assert_no_error (run.error);
  g_assert_cmpint (result_at (run.results, 0)->status, ==, TR_CONNECTION_STEP_OK);
  g_assert_cmpint (result_at (run.results, 1)->status, ==, TR_CONNECTION_STEP_FAILED);
  g_assert_true (g_str_has_prefix (result_at (run.results, 1)->detail, "HTTP 404"));
  g_assert_cmpint (result_at (run.results, 2)->status, ==, TR_CONNECTION_STEP_SKIPPED);
  g_assert_cmpint (result_at (run.results, 3)->status, ==, TR_CONNECTION_STEP_SKIPPED);
  run_clear (&run);
  soup_server_disconnect (server);
}

static void
test_bad_url (void)
{
  Run run = { 0 };

  run_test (&run, "ftp://example", NULL);
  g_assert_error (run.error, TR_ERROR, TR_ERROR_INVALID);
  g_assert_null (run.results);
  g_assert_cmpuint (run.seen->len, ==, 0);
  run_clear (&run);

  run_test (&run, "http://", NULL);
  g_assert_error (run.error, TR_ERROR, TR_ERROR_INVALID);
  run_clear (&run);
}

static void
test_cancelled (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Run run = { 0 };

  g_cancellable_cancel (cancellable);
  run_test (&run, "http://127.0.0.1:1", cancellable);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (run.results);
  run_clear (&run);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/connection-test/all-steps-pass", test_all_steps_pass);
  g_test_add_func ("/connection-test/not-a-host", test_not_a_host);
  g_test_add_func ("/connection-test/bad-url", test_bad_url);
  g_test_add_func ("/connection-test/cancelled", test_cancelled);

  return g_test_run ();
}
