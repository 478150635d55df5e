/* test-failover.c: the host dies for good and its standby is promoted
 * headless (issue 17), with real processes on loopback: a
 * ticketrail-host, its standby (ticketrail-host --standby-of), four
 * stations (TrClient over their own SQLite files, in this process) and a
 * POS feed (POST /api/v1/tickets, retried with the same op_id). The host
 * is SIGKILLed mid-stream and never restarted; the standby is promoted
 * (ticketrail-host --promote); the stations and the POS go to its
 * address (the fallback address a manager would type) and carry on.
 * No op is lost, none is applied twice.
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
#include "tr-op.h"
#include "tr-store-lineage.h"
#include "tr-test-host-process.h"
#include "tr-test-peer.h"
#include "tr-test-util.h"

#define N_STATIONS 4
#define OPS_PER_STATION 40
#define N_POS_ORDERS 30
#define STALL_AFTER_OPS 12 /* station 0's ops before the standby stalls */
#define KILL_AFTER_OPS 20  /* station 0's ops before the host dies */

typedef struct
{
  TrStore *store;
  TrClient *client;
  char *id;
  guint n_submitted;
  GPtrArray *op_ids;
} Station;

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
  Station stations[N_STATIONS];
  GPtrArray *pos_ops;
  guint pos_sent; /* orders answered */
  gboolean pos_in_flight;
  gboolean killed;
  gint64 killed_at;   /* monotonic µs */
  gint64 promoted_at; /* monotonic µs: the promoted host listens */
  gint64 followed_at; /* monotonic µs: every station online with it */
  char *new_host_id;
  guint n_timers;
} Run;

/* The host (or, with @promote, the standby's copy promoted) on
 * loopback; its URL in *@out_url. */
static GSubprocess *
spawn_host (const char *dir, gboolean promote, char **out_url)
{
  const char *extra[]
    = { "--ops-rate", "0", "--standby-timeout", "120000", promote ? "--promote" : NULL, NULL };

  return tr_test_host_process_start (dir, extra, out_url, NULL);
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

static gboolean
all_followed (gpointer data);

static gboolean
watch_followed (gpointer data)
{
  Run *run = data;

  if (!all_followed (run))
    return G_SOURCE_CONTINUE;
  run->followed_at = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static void
kill_host_and_promote (Run *run)
{
  g_autofree char *old_url = NULL;

  run->killed = TRUE;
  run->killed_at = g_get_monotonic_time ();
  tr_test_host_process_kill (&run->host);
  /* The standby has nothing to follow now; its copy becomes the host. */
  tr_test_host_process_stop (&run->standby);
  old_url = g_steal_pointer (&run->url);
  run->host = spawn_host (run->standby_dir, TRUE, &run->url);
  run->promoted_at = g_get_monotonic_time ();
  {
    g_autoptr (JsonObject) health = tr_test_host_process_health (run->session, run->url);

    run->new_host_id = g_strdup (json_object_get_string_member (health, "host_id"));
  }
  /* The fallback address: what a manager types, or what DNS-SD finds. */
  for (guint i = 0; i < N_STATIONS; i++)
    g_object_set (run->stations[i].client, "host-url", run->url, NULL);
  g_timeout_add (10, watch_followed, run);
}

static gboolean
station_tick (gpointer data)
{
  Station *station = data;
  Run *run = g_object_get_data (G_OBJECT (station->client), "run");
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  g_autoptr (TrOp) op = NULL;
  g_autoptr (GError) error = NULL;
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->source = TR_SOURCE_APP;
  ticket->order_type = TR_ORDER_TYPE_DINE_IN;
  ticket->table = g_strdup ("5");
  item->id = tr_uuid_new ();
  item->name = g_strdup ("Soup");
  item->quantity = 1;
  g_ptr_array_add (ticket->items, item);
  op = tr_op_new_create_ticket (station->id, ticket);
  g_assert_true (tr_client_submit (station->client, op, &error));
  g_assert_no_error (error);
  g_ptr_array_add (station->op_ids, g_strdup (op->op_id));
  station->n_submitted++;
  /* The standby stalls a while before the host dies: every op the host
   * commits meanwhile is not in its copy, so none of them may be acked
   * (semi-synchronous acks; the fallback is two minutes away). Without
   * that, those acks would empty outboxes, and the promoted copy would
   * lack the ops: lost > 0. */
  if (station == &run->stations[0] && station->n_submitted == STALL_AFTER_OPS)
    g_subprocess_send_signal (run->standby, SIGSTOP);
  /* Mid-stream: the other stations and the POS have ops in flight. */
  if (station == &run->stations[0] && station->n_submitted == KILL_AFTER_OPS)
    kill_host_and_promote (run);
  if (station->n_submitted < OPS_PER_STATION)
    return G_SOURCE_CONTINUE;
  run->n_timers--;
  return G_SOURCE_REMOVE;
}

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
  /* 201 or, for a retry of an order that went in, 200: answered. Any
   * other (the host is dead, a new one starting): the same op again. */
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
      run->n_timers--;
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
  run->pos_in_flight = TRUE;
  soup_session_send_and_read_async (run->session, msg, G_PRIORITY_DEFAULT, NULL, pos_answered, run);
}

static gboolean
all_done (gpointer data)
{
  Run *run = data;

  if (run->n_timers > 0 || run->pos_in_flight || run->followed_at == 0)
    return FALSE;
  for (guint i = 0; i < N_STATIONS; i++)
    if (tr_client_get_queued_ops (run->stations[i].client) > 0
        || tr_client_get_state (run->stations[i].client) != TR_CLIENT_STATE_ONLINE_WEBSOCKET)
      return FALSE;
  return TRUE;
}

static gboolean
all_followed (gpointer data)
{
  Run *run = data;

  for (guint i = 0; i < N_STATIONS; i++)
    if (tr_client_get_state (run->stations[i].client) != TR_CLIENT_STATE_ONLINE_WEBSOCKET
        || g_strcmp0 (tr_store_get_host_id (run->stations[i].store), run->new_host_id) != 0)
      return FALSE;
  return TRUE;
}

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

static void
test_failover (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *standby_code = NULL;
  g_autofree char *db_path = NULL;
  const char *seed_text = g_getenv ("TICKETRAIL_FAILOVER_SEED");
  guint32 seed = seed_text != NULL ? (guint32)atoll (seed_text) : g_random_int ();
  guint ops = 0, acked = 0, lost = 0, duplicated = 0;
  sqlite3 *db = NULL;
  Run run = { 0 };

  g_test_message ("seed %u", seed);
  g_random_set_seed (seed);
  run.dir = g_dir_make_tmp ("test-failover-XXXXXX", &error);
  g_assert_no_error (error);
  run.host_dir = g_build_filename (run.dir, "host", NULL);
  run.standby_dir = g_build_filename (run.dir, "standby", NULL);
  g_mkdir (run.host_dir, 0700);
  run.session = soup_session_new ();
  run.pos_ops = g_ptr_array_new_with_free_func (g_free);
  run.host = spawn_host (run.host_dir, FALSE, &run.url);

  {
    g_autofree char *code = tr_test_host_process_pair_code (run.host_dir);

    run.pos_token = tr_test_pair (run.session, run.url, code, "pos", "POS");
  }
  for (guint i = 0; i < N_STATIONS; i++)
    {
      Station *s = &run.stations[i];
      g_autofree char *path = g_strdup_printf ("%s/station-%u.db", run.dir, i);
      g_autofree char *code = tr_test_host_process_pair_code (run.host_dir);
      g_autofree char *token = NULL;

      s->store = tr_store_open (path, TR_STORE_DURABILITY_NORMAL, &error);
      g_assert_no_error (error);
      s->id = g_strdup (tr_store_get_db_id (s->store));
      s->op_ids = g_ptr_array_new_with_free_func (g_free);
      token = tr_test_pair (run.session, run.url, code, s->id, "Line");
      s->client = tr_client_new (s->store, run.url, "Line", "kitchen");
      g_object_set (s->client, "token", token, NULL);
      g_object_set_data (G_OBJECT (s->client), "run", &run);
      tr_client_start (s->client);
    }
  standby_code = tr_test_host_process_pair_code (run.host_dir);
  {
    const char *argv[] = { tr_test_host_process_binary (),
                           "--standby-of",
                           run.url,
                           "--data-dir",
                           run.standby_dir,
                           "--pairing-code",
                           standby_code,
                           NULL };

    run.standby = tr_test_host_process_spawn (argv, NULL);
  }
  tr_test_wait_for (standby_in_sync, &run, "the standby in sync");

  /* The stream: every station and the POS at random paces. */
  for (guint i = 0; i < N_STATIONS; i++)
    {
      g_timeout_add (g_random_int_range (10, 40), station_tick, &run.stations[i]);
      run.n_timers++;
    }
  g_timeout_add (g_random_int_range (10, 40), pos_tick, &run);
  run.n_timers++;

  tr_test_wait_for (all_done, &run, "every op answered after the failover");
  g_assert_true (run.killed);
  {
    /* The promoted host's file: its events and op results. */
    db_path = g_build_filename (run.standby_dir, "ticketrail.db", NULL);
    g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 10000);
  }
  for (guint i = 0; i < N_STATIONS; i++)
    for (guint j = 0; j < run.stations[i].op_ids->len; j++)
      {
        gint64 n = outcomes_of (db, g_ptr_array_index (run.stations[i].op_ids, j));

        ops++;
        if (n == 0)
          lost++;
        else
          acked++;
      }
  for (guint j = 0; j < run.pos_ops->len; j++)
    {
      gint64 n = outcomes_of (db, g_ptr_array_index (run.pos_ops, j));

      ops++;
      if (n == 0)
        lost++;
      else
        acked++;
    }
  {
    sqlite3_stmt *stmt = NULL;

    sqlite3_prepare_v2 (db, "SELECT count(*) - count(DISTINCT op_id) FROM events", -1, &stmt, NULL);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      duplicated = (guint)sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);
  /* A TAP comment, so meson keeps it as it is. */
  g_print (
    "# chaos-failover: ops=%u acked=%u lost=%u duplicated=%u promoted_in_ms=%" G_GINT64_FORMAT
    " followed_in_ms=%" G_GINT64_FORMAT " seed=%u\n",
    ops, acked, lost, duplicated, (run.promoted_at - run.killed_at) / 1000,
    (run.followed_at - run.promoted_at) / 1000, seed);
  g_assert_cmpuint (ops, ==, N_STATIONS * OPS_PER_STATION + N_POS_ORDERS);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (duplicated, ==, 0);

  /* They came by the address a manager typed, without DNS-SD: the
   * promoted host's welcome told them its generation, which their next
   * hello to any older host of the lineage will carry. */
  for (guint i = 0; i < N_STATIONS; i++)
    {
      g_autofree char *lineage = NULL;
      gint64 gen = 0;

      g_assert_true (tr_store_get_lineage (run.stations[i].store, &lineage, &gen, NULL));
      g_assert_nonnull (lineage);
      g_assert_cmpint (gen, ==, 2);
    }

  for (guint i = 0; i < N_STATIONS; i++)
    {
      tr_client_stop (run.stations[i].client);
      g_assert_finalize_object (run.stations[i].client);
      g_clear_object (&run.stations[i].store);
      g_free (run.stations[i].id);
      g_ptr_array_unref (run.stations[i].op_ids);
    }
  tr_test_host_process_stop (&run.host);
  g_clear_object (&run.session);
  g_ptr_array_unref (run.pos_ops);
  tr_test_remove_tree (run.dir);
  g_free (run.dir);
  g_free (run.host_dir);
  g_free (run.standby_dir);
  g_free (run.url);
  g_free (run.pos_token);
  g_free (run.new_host_id);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/failover/host-killed-standby-promoted", test_failover);
  return g_test_run ();
}
