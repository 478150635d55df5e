/* test-standby.c: the standby (issue 17), with real processes on
 * loopback: a ticketrail-host, its standby (ticketrail-host
 * --standby-of) and the promoted standby (ticketrail-host --promote).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "tr-client.h"
#include "tr-store-lineage.h"
#include "tr-test-host-process.h"
#include "tr-test-peer.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  char *host_dir;
  char *standby_dir;
  SoupSession *session;
  GSubprocess *host;
  GSubprocess *standby;
  char *url;
  char *pos_token;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-standby-XXXXXX", &error);
  g_assert_no_error (error);
  f->host_dir = g_build_filename (f->dir, "host", NULL);
  f->standby_dir = g_build_filename (f->dir, "standby", NULL);
  g_mkdir (f->host_dir, 0700);
  g_mkdir (f->standby_dir, 0700);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  tr_test_host_process_stop (&f->standby);
  tr_test_host_process_stop (&f->host);
  g_clear_object (&f->session);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->host_dir);
  g_free (f->standby_dir);
  g_free (f->url);
  g_free (f->pos_token);
}

static JsonObject *
health (Fixture *f)
{
  return tr_test_host_process_health (f->session, f->url);
}

static gboolean
standby_is (Fixture *f, gboolean connected)
{
  g_autoptr (JsonObject) object = health (f);

  return json_object_get_boolean_member (object, "standby_connected") == connected
         && (json_object_has_member (object, "standby_warning") == !connected);
}

static gboolean
standby_connected (gpointer data)
{
  return standby_is (data, TRUE);
}

static gboolean
standby_not_connected (gpointer data)
{
  return standby_is (data, FALSE);
}

/* The host, a POS paired with it, and a paired standby in sync. */
static void
start_pair (Fixture *f, const char *standby_timeout)
{
  const char *extra[] = { "--standby-timeout", standby_timeout, NULL };
  g_autofree char *pos_code = NULL;
  g_autofree char *standby_code = NULL;

  f->host = tr_test_host_process_start (f->host_dir, extra, &f->url, NULL);
  pos_code = tr_test_host_process_pair_code (f->host_dir);
  f->pos_token = tr_test_pair (f->session, f->url, pos_code, "pos", "POS");
  /* One code at a time: a new one replaces the last. */
  standby_code = tr_test_host_process_pair_code (f->host_dir);
  f->standby = tr_test_host_process_start_standby (f->url, f->standby_dir, standby_code);
  tr_test_wait_for (standby_connected, f, "the standby in sync");
}

static char *
order_body (const char *op_id)
{
  return g_strdup_printf ("{\"op_id\":\"%s\",\"table\":\"7\",\"items\":[{\"name\":\"Soup\","
                          "\"quantity\":1}]}",
                          op_id);
}

static guint
post_order (Fixture *f, const char *op_id)
{
  g_autofree char *body = order_body (op_id);
  guint status = 0;
  g_autofree char *answer
    = tr_test_http (f->session, f->url, "POST", "/api/v1/tickets", body, f->pos_token, &status);

  return status;
}

/* How many rows of @db_path answer @sql (one integer), read through a
 * read-only connection of our own while the owner writes. */
static gint64
count_rows (const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static gint64
count_event (const char *dir, const char *op_id)
{
  g_autofree char *path = g_build_filename (dir, "ticketrail.db", NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM events WHERE op_id = '%s'", op_id);

  return count_rows (path, sql);
}

typedef struct
{
  Fixture *f;
  const char *station_id;
} RosterCheck;

static gboolean
standby_knows_station (gpointer data)
{
  RosterCheck *check = data;
  g_autofree char *path = g_build_filename (check->f->standby_dir, "ticketrail.db", NULL);
  g_autofree char *sql = g_strdup_printf (
    "SELECT count(*) FROM paired_stations WHERE station_id = '%s' AND length (token_hash) = 64",
    check->station_id);

  return count_rows (path, sql) == 1;
}

static gboolean
host_superseded (gpointer data)
{
  g_autoptr (JsonObject) object = health (data);

  return json_object_has_member (object, "superseded_by");
}

/* The standby keeps every acked op, the roster as it changes; promoted,
 * it serves the same tickets with the old tokens, dedupes a replay and
 * numbers on. */
static void
test_replicates_and_promotes (Fixture *f, gconstpointer data)
{
  g_autofree char *kitchen_code = NULL;
  g_autofree char *kitchen_token = NULL;
  g_autofree char *old_host_id = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *body = NULL;
  g_autoptr (JsonObject) before = NULL;
  g_autoptr (JsonObject) after = NULL;
  const char *promote[] = { "--promote", NULL };
  RosterCheck check = { f, NULL };
  g_autofree char *station_path = NULL;
  g_autoptr (TrStore) station_store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *old_url = NULL;
  guint status = 0;

  /* Long: any ack the test sees came after the standby confirmed. */
  start_pair (f, "120000");
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *op_id = g_strdup_printf ("order-%u", i);

      g_assert_cmpuint (post_order (f, op_id), ==, 201);
      /* Semi-synchronous: answered, so the standby holds it. */
      g_assert_cmpint (count_event (f->standby_dir, op_id), ==, 1);
    }

  /* A station paired after the standby: its token hash reaches it. */
  station_path = g_build_filename (f->dir, "grill.db", NULL);
  station_store = tr_store_open (station_path, TR_STORE_DURABILITY_NORMAL, &error);
  g_assert_no_error (error);
  check.station_id = tr_store_get_db_id (station_store);
  kitchen_code = tr_test_host_process_pair_code (f->host_dir);
  kitchen_token = tr_test_pair (f->session, f->url, kitchen_code, check.station_id, "Grill");
  tr_test_wait_for (standby_knows_station, &check, "the standby to know the new station");

  before = health (f);
  old_host_id = g_strdup (json_object_get_string_member (before, "host_id"));
  /* The host dies for good; the standby's copy is promoted. */
  tr_test_host_process_kill (&f->host);
  tr_test_host_process_stop (&f->standby);
  old_url = g_steal_pointer (&f->url);
  f->host = tr_test_host_process_start (f->standby_dir, promote, &f->url, NULL);

  after = health (f);
  g_assert_cmpstr (json_object_get_string_member (after, "host_id"), !=, old_host_id);
  g_assert_cmpint (json_object_get_int_member (after, "head_seq"), ==, 5);
  {
    g_autofree char *path = g_build_filename (f->standby_dir, "ticketrail.db", NULL);

    g_assert_cmpint (count_rows (path, "SELECT value FROM meta WHERE key = 'gen'"), ==, 2);
  }

  /* A POS replaying its last order: the same op, not a second ticket. */
  body = order_body ("order-4");
  answer
    = tr_test_http (f->session, f->url, "POST", "/api/v1/tickets", body, f->pos_token, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (count_event (f->standby_dir, "order-4"), ==, 1);
  /* The old tokens work, and the numbers go on. */
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&answer, g_free);
  body = order_body ("order-5");
  answer
    = tr_test_http (f->session, f->url, "POST", "/api/v1/tickets", body, kitchen_token, &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_nonnull (strstr (answer, "\"number\":1006"));

  /* The old host comes back; a station that followed generation 2 says
   * hello to it: it refuses that station with 4410 and every op with
   * 409, and nothing is written there. */
  {
    const char *extra[] = { NULL };
    g_autofree char *lineage = NULL;
    g_autofree char *back_url = NULL;
    g_autoptr (GSubprocess) old_host = NULL;
    g_autoptr (JsonObject) old_health = NULL;
    gint64 gen = 0;
    TrClient *client;
    Fixture old = *f;

    g_assert_true (tr_store_ensure_lineage (station_store, &lineage, &gen, &error));
    g_assert_no_error (error);
    g_clear_pointer (&lineage, g_free);
    {
      g_autofree char *path = g_build_filename (f->host_dir, "ticketrail.db", NULL);
      g_autoptr (TrStore) host_copy = tr_store_open_readonly (path, &error);

      g_assert_no_error (error);
      g_assert_true (tr_store_get_lineage (host_copy, &lineage, &gen, &error));
      g_assert_cmpint (gen, ==, 1);
    }
    g_assert_true (tr_store_set_lineage (station_store, lineage, 2, &error));
    g_assert_no_error (error);
    old_host = tr_test_host_process_start (f->host_dir, extra, &back_url, NULL);
    old.url = back_url;
    client = tr_client_new (station_store, back_url, "Grill", "kitchen");
    g_object_set (client, "token", kitchen_token, NULL);
    tr_client_start (client);
    tr_test_wait_for (host_superseded, &old, "the old host to learn it was replaced");
    old_health = health (&old);
    g_assert_cmpint (json_object_get_int_member (old_health, "superseded_by"), ==, 2);
    g_clear_pointer (&body, g_free);
    g_clear_pointer (&answer, g_free);
    body = order_body ("order-6");
    answer
      = tr_test_http (f->session, back_url, "POST", "/api/v1/tickets", body, f->pos_token, &status);
    g_assert_cmpuint (status, ==, 409);
    g_assert_nonnull (strstr (answer, "\"superseded\""));
    g_assert_cmpint (count_event (f->host_dir, "order-6"), ==, 0);
    tr_client_stop (client);
    g_assert_finalize_object (client);
    tr_test_host_process_stop (&old_host);
  }
}

typedef struct
{
  gboolean done;
  guint status;
} Answer;

static void
answer_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Answer *answer = user_data;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  answer->status = soup_message_get_status (
    soup_session_get_async_result_message (SOUP_SESSION (source), result));
  answer->done = TRUE;
}

static void
post_order_async (Fixture *f, const char *op_id, Answer *answer)
{
  g_autofree char *url = g_strconcat (f->url, "/api/v1/tickets", NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", f->pos_token, NULL);
  g_autofree char *body = order_body (op_id);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, answer_cb, answer);
}

static gboolean
answered (gpointer data)
{
  return ((Answer *)data)->done;
}

typedef struct
{
  const char *dir;
  const char *op_id;
} EventCheck;

static gboolean
event_committed (gpointer data)
{
  EventCheck *check = data;

  return count_event (check->dir, check->op_id) == 1;
}

/* A stalled standby holds the ack: the host has committed the op, the
 * POS has no answer; the standby resumes, confirms, and the answer
 * comes. */
static void
test_ack_waits_for_standby (Fixture *f, gconstpointer data)
{
  Answer answer = { FALSE, 0 };
  EventCheck check;

  start_pair (f, "120000");
  g_assert_cmpuint (post_order (f, "warm-up"), ==, 201);

  g_subprocess_send_signal (f->standby, SIGSTOP);
  post_order_async (f, "stalled", &answer);
  check = (EventCheck){ f->host_dir, "stalled" };
  tr_test_wait_for (event_committed, &check, "the host to commit the op");
  /* Committed, sent to the standby, which cannot confirm: neither the
   * answer nor the event may reach anyone else until it does (the
   * fallback is two minutes away), and the host does not promise the
   * new head (health, catch-ups) either. A few round trips through the
   * host's loop give a wrong answer every chance to arrive. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr (JsonObject) object = health (f);

      g_assert_cmpint (json_object_get_int_member (object, "head_seq"), ==, 1);
    }
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (answer.done);
  g_assert_cmpint (count_event (f->standby_dir, "stalled"), ==, 0);

  g_subprocess_send_signal (f->standby, SIGCONT);
  tr_test_wait_for (answered, &answer, "the answer once the standby confirmed");
  g_assert_cmpuint (answer.status, ==, 201);
  g_assert_cmpint (count_event (f->standby_dir, "stalled"), ==, 1);
}

/* The standby stalls past the timeout: the host answers alone and says
 * so, then is in sync again once the standby catches up; a standby that
 * is gone leaves the host acking alone. */
static void
test_fallback_when_standby_is_gone (Fixture *f, gconstpointer data)
{
  Answer answer = { FALSE, 0 };
  guint status = 0;
  g_autofree char *metrics = NULL;

  start_pair (f, "1000");
  g_subprocess_send_signal (f->standby, SIGSTOP);
  post_order_async (f, "alone", &answer);
  tr_test_wait_for (answered, &answer, "the host to answer alone");
  g_assert_cmpuint (answer.status, ==, 201);
  g_assert_true (standby_is (f, FALSE));
  metrics = tr_test_http (f->session, f->url, "GET", "/metrics", NULL, f->pos_token, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (metrics, "ticketrail_standby_connected 0"));

  g_subprocess_send_signal (f->standby, SIGCONT);
  tr_test_wait_for (standby_connected, f, "the standby in sync again");
  g_assert_cmpint (count_event (f->standby_dir, "alone"), ==, 1);

  /* Gone for good. */
  tr_test_host_process_kill (&f->standby);
  g_assert_cmpuint (post_order (f, "after-standby"), ==, 201);
  tr_test_wait_for (standby_not_connected, f, "the host to say it has no standby");
  g_assert_cmpint (count_event (f->host_dir, "after-standby"), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/standby/replicates-and-promotes", Fixture, NULL, fixture_setup,
              test_replicates_and_promotes, fixture_teardown);
  g_test_add ("/standby/ack-waits-for-standby", Fixture, NULL, fixture_setup,
              test_ack_waits_for_standby, fixture_teardown);
  g_test_add ("/standby/fallback", Fixture, NULL, fixture_setup, test_fallback_when_standby_is_gone,
              fixture_teardown);
  return g_test_run ();
}
