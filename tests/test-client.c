/* test-client.c: TrClient against a real TrHost on loopback
 *
 * Every test runs a real host (SoupServer on 127.0.0.1, port 0) over its
 * own SQLite file and real clients with their own store files; faults
 * come from tr-test-proxy, a real TCP proxy in between.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "tr-client.h"
#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-host-private.h"
#include "tr-protocol.h"
#include "tr-store-private.h"
#include "tr-test-proxy.h"
#include "tr-test-util.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* Generous: no test depends on speed. Valgrind runs ~50x slower, and a
 * sanitizer build on a loaded 2-core machine many times slower too. */
#define WAIT_S (RUNNING_ON_VALGRIND ? 900u : 300u)

/* ---- Fixture ---- */

typedef struct
{
  char *dir;
  guint n_files;
  TrStore *host_store;
  TrHost *host;
  char *host_url;
} Fixture;

/* The host client_new() pairs new stations with: the fixture's. */
static TrHost *pairing_host;

static gboolean
client_is_unauthorized (gpointer data);

static char *
fixture_path (Fixture *fixture, const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%u.db", name, fixture->n_files++);
  return g_build_filename (fixture->dir, file, NULL);
}

static TrStore *
open_store (const char *path, TrStoreDurability durability)
{
  g_autoptr (GError) error = NULL;
  TrStore *store = tr_store_open (path, durability, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static TrHost *
start_host (TrStore *store, gboolean websocket_enabled, char **out_url)
{
  g_autoptr (GError) error = NULL;
  TrHost *host = tr_host_new (store);

  g_object_set (host, "port", 0, "loopback-only", TRUE, "websocket-enabled", websocket_enabled,
                NULL);
  g_assert_true (tr_host_start (host, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tr_host_get_bound_port (host), >, 0);
  *out_url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (host));
  return host;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  gboolean websocket_enabled = GPOINTER_TO_INT (data) == 0;

  fixture->dir = g_dir_make_tmp ("tr-test-client-XXXXXX", &error);
  g_assert_no_error (error);
  path = fixture_path (fixture, "host");
  fixture->host_store = open_store (path, TR_STORE_DURABILITY_FULL);
  fixture->host = start_host (fixture->host_store, websocket_enabled, &fixture->host_url);
  pairing_host = fixture->host;
}

/* Lets cancelled requests and closing sockets finish, so nothing is
 * left for the leak checkers. */
static void
drain_main_context (void)
{
  gint64 end = g_get_monotonic_time () + 200 * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  pairing_host = NULL;
  if (fixture->host != NULL)
    tr_host_stop (fixture->host);
  g_clear_object (&fixture->host);
  g_clear_object (&fixture->host_store);
  g_clear_pointer (&fixture->host_url, g_free);
  drain_main_context ();
  tr_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* ---- Helpers ---- */

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @condition holds; fails the test after
 * @timeout_s with @what. Returns the seconds it took. */
static double
wait_for (Condition condition, gpointer data, guint timeout_s, const char *what)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64)timeout_s * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out after %u s waiting for %s", timeout_s, what);
      if (!g_main_context_pending (NULL))
        g_usleep (500);
      g_main_context_iteration (NULL, FALSE);
    }
  return (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

typedef struct
{
  TrClient *client;
  TrClientState state;
  gboolean reached;
} StateWait;

/* Records the state even when it lasts less than one main-loop turn,
 * e.g. offline during a short backoff. */
static void
on_wait_state (TrClient *client, GParamSpec *pspec, StateWait *wait)
{
  if (tr_client_get_state (client) == wait->state)
    wait->reached = TRUE;
}

static gboolean
client_reached_state (gpointer data)
{
  StateWait *wait = data;
  return wait->reached || tr_client_get_state (wait->client) == wait->state;
}

static double
wait_for_state (TrClient *client, TrClientState state, guint timeout_s)
{
  StateWait wait = { client, state, FALSE };
  g_autofree char *what = g_strdup_printf ("state %s", tr_client_state_to_string (state));
  gulong id = g_signal_connect (client, "notify::state", G_CALLBACK (on_wait_state), &wait);
  double took;

  took = wait_for (client_reached_state, &wait, timeout_s, what);
  g_signal_handler_disconnect (client, id);
  return took;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} PairWait;

static void
on_paired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PairWait *wait = user_data;

  wait->ok = tr_client_pair_finish (TR_CLIENT (source), result, &wait->error);
  wait->done = TRUE;
}

static gboolean
pair_done (gpointer data)
{
  return ((PairWait *)data)->done;
}

/* Pairs @client with @code through its host URL, as a station's UI
 * does; FALSE with @error as tr_client_pair_finish() gives it. */
static gboolean
pair_client_with_code (TrClient *client, const char *code, GError **error)
{
  PairWait wait = { 0 };

  tr_client_pair_async (client, code, NULL, on_paired, &wait);
  wait_for (pair_done, &wait, WAIT_S, "the pairing answer");
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.ok;
}

/* A fresh code from @host, and pairing with it. */
static void
pair_client (TrClient *client, TrHost *host)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = tr_host_new_pairing_code (host, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (pair_client_with_code (client, code, &error));
  g_assert_no_error (error);
}

static TrClient *
client_new (TrStore *store, const char *url, const char *name)
{
  TrClient *client = tr_client_new (store, url, name, "kitchen");

  /* Short backoff keeps reconnects quick; the heartbeat stays default
   * unless a test says otherwise. */
  g_object_set (client, "backoff-min", 20, "backoff-max", 500, NULL);
  /* The host requires pairing, as in production: every station pairs
   * with a code first (through the proxy, when there is one) and keeps
   * its token in its store. */
  if (pairing_host != NULL && tr_store_get_station_token (store) == NULL)
    pair_client (client, pairing_host);
  return client;
}

static void
client_free (TrClient *client)
{
  tr_client_stop (client);
  g_assert_finalize_object (client);
}

static char *
store_hash (TrStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = tr_store_list_tickets (store, FALSE, NULL, &error);

  g_assert_no_error (error);
  return tr_tickets_hash (tickets);
}

typedef struct
{
  TrStore *store;
  TrStore *other;
} HashWait;

static gboolean
hashes_equal (gpointer data)
{
  HashWait *wait = data;
  g_autofree char *a = store_hash (wait->store);
  g_autofree char *b = store_hash (wait->other);

  return g_str_equal (a, b);
}

static gboolean
seq_caught_up (gpointer data)
{
  HashWait *wait = data;

  return g_strcmp0 (tr_store_get_host_id (wait->store), tr_store_get_db_id (wait->other)) == 0
         && tr_store_get_last_seq (wait->store) == tr_store_get_head_seq (wait->other);
}

static double
wait_converged (TrStore *station, TrStore *host)
{
  HashWait wait = { station, host };
  double took;

  /* The seq first: hashing both stores on every main-loop turn would
   * slow the very catch-up being waited for. */
  took = wait_for (seq_caught_up, &wait, WAIT_S, "the station's seq to reach the host's head");
  took += wait_for (hashes_equal, &wait, WAIT_S, "the station's store to match the host's");
  g_assert_cmpint (tr_store_get_last_seq (station), ==, tr_store_get_head_seq (host));
  g_assert_cmpstr (tr_store_get_host_id (station), ==, tr_store_get_db_id (host));
  return took;
}

static TrTicket *
make_ticket (guint n_items)
{
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  ticket->source = TR_SOURCE_APP;
  ticket->order_type = TR_ORDER_TYPE_DINE_IN;
  ticket->table = g_strdup ("12");
  for (guint i = 0; i < n_items; i++)
    {
      TrItem *item = tr_item_new ();

      item->id = tr_uuid_new ();
      item->name = g_strdup_printf ("Dish %u", i + 1);
      item->quantity = 1;
      item->station = g_strdup ("grill");
      g_ptr_array_add (ticket->items, item);
    }
  return ticket;
}

/* Creates a ticket through the host, as its own UI would. */
static TrTicket *
host_create_ticket (Fixture *fixture, guint n_items)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = make_ticket (n_items);
  g_autoptr (TrOp) op = tr_op_new_create_ticket ("test-host", ticket);
  g_autoptr (TrOutcome) outcome = tr_host_submit_op (fixture->host, op, &error);

  g_assert_no_error (error);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  return tr_store_get_ticket (fixture->host_store, ticket->id, NULL);
}

static void
host_submit (Fixture *fixture, TrOp *op /* owned */)
{
  g_autoptr (TrOp) owned = op;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOutcome) outcome = tr_host_submit_op (fixture->host, owned, &error);

  g_assert_no_error (error);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
}

typedef struct
{
  TrStore *store;
  const char *ticket_id;
} TicketWait;

static gboolean
store_has_ticket (gpointer data)
{
  TicketWait *wait = data;
  g_autoptr (TrTicket) ticket = tr_store_get_ticket (wait->store, wait->ticket_id, NULL);

  return ticket != NULL;
}

static gboolean
outbox_empty (gpointer data)
{
  return tr_store_outbox_count (data) == 0;
}

static guint
get_uint (TrClient *client, const char *property)
{
  guint value;

  g_object_get (client, property, &value, NULL);
  return value;
}

/* ---- Fan-out ---- */

#define N_FANOUT 12

typedef struct
{
  TrStore **stores;
  guint n;
  const char *ticket_id;
  const char *item_id;
  TrItemStatus status;
} AllWait;

static gboolean
all_have_ticket (gpointer data)
{
  AllWait *wait = data;

  for (guint i = 0; i < wait->n; i++)
    {
      g_autoptr (TrTicket) ticket = tr_store_get_ticket (wait->stores[i], wait->ticket_id, NULL);
      if (ticket == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
all_have_item_status (gpointer data)
{
  AllWait *wait = data;

  for (guint i = 0; i < wait->n; i++)
    {
      g_autoptr (TrTicket) ticket = tr_store_get_ticket (wait->stores[i], wait->ticket_id, NULL);
      TrItem *item = ticket ? tr_ticket_find_item (ticket, wait->item_id) : NULL;

      if (item == NULL || item->status != wait->status)
        return FALSE;
    }
  return TRUE;
}

static gboolean
all_online (gpointer data)
{
  TrClient **clients = data;

  for (guint i = 0; i < N_FANOUT; i++)
    if (tr_client_get_state (clients[i]) != TR_CLIENT_STATE_ONLINE_WEBSOCKET)
      return FALSE;
  return TRUE;
}

typedef struct
{
  GBytes *answer;
  GError *error;
  gboolean done;
} HttpWait;

static void
on_http_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HttpWait *wait = user_data;

  wait->answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &wait->error);
  wait->done = TRUE;
}

static gboolean
http_done (gpointer data)
{
  return ((HttpWait *)data)->done;
}

/* A token for a POS, paired once per host through the host's store, as
 * `ticketrail-host pair` and the pairing endpoint would do it. */
static const char *
pos_token (TrHost *host)
{
  const char *token = g_object_get_data (G_OBJECT (host), "test-pos-token");

  if (token == NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *code = tr_host_new_pairing_code (host, NULL, &error);
      g_autofree char *uuid1 = g_uuid_string_random ();
      g_autofree char *uuid2 = g_uuid_string_random ();
      g_autofree char *fresh = g_strconcat (uuid1, uuid2, NULL);
      g_autofree char *hash = tr_token_hash (fresh);
      TrPairingStatus status;

      g_assert_true (tr_store_redeem_pairing_code (tr_host_get_store (host), code, tr_now_ms (),
                                                   "test-pos", "POS", "pos", hash, &status,
                                                   &error));
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, TR_PAIRING_OK);
      g_object_set_data_full (G_OBJECT (host), "test-pos-token", g_steal_pointer (&fresh), g_free);
      token = g_object_get_data (G_OBJECT (host), "test-pos-token");
    }
  return token;
}

/* A POS's ticket, in the shape of POST /api/v1/tickets; asynchronous
 * because the host answers from this same main loop. */
static char *
post_ticket (const char *host_url, const TrTicket *ticket)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/api/v1/tickets", host_url);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autofree char *body = tr_ticket_to_string (ticket);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  HttpWait wait = { 0 };
  char *answer;

  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  /* The POS is a paired station too. */
  if (pairing_host != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", pos_token (pairing_host), NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_http_answer, &wait);
  wait_for (http_done, &wait, WAIT_S, "the POST /api/v1/tickets answer");
  g_assert_no_error (wait.error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_CREATED);
  answer = g_strndup (g_bytes_get_data (wait.answer, NULL), g_bytes_get_size (wait.answer));
  g_bytes_unref (wait.answer);
  return answer;
}

static void
test_fanout (Fixture *fixture, gconstpointer data)
{
  TrStore *stores[N_FANOUT + 1];
  TrClient *clients[N_FANOUT];
  g_autoptr (TrTicket) ticket = make_ticket (3);
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autoptr (TrOp) bump = NULL;
  TrItem *item;
  AllWait wait;
  gint64 start;
  double took;

  for (guint i = 0; i < N_FANOUT; i++)
    {
      g_autofree char *path = fixture_path (fixture, "station");
      g_autofree char *name = g_strdup_printf ("Station %u", i);

      stores[i] = open_store (path, TR_STORE_DURABILITY_NORMAL);
      clients[i] = client_new (stores[i], fixture->host_url, name);
      tr_client_start (clients[i]);
    }
  wait_for (all_online, clients, WAIT_S, "every client online");

  /* The POS creates a ticket; every station gets it. */
  start = g_get_monotonic_time ();
  answer = post_ticket (fixture->host_url, ticket);
  {
    g_autoptr (TrTicket) created = tr_ticket_from_string (answer, -1, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (created->id, ==, ticket->id);
    g_assert_cmpint (created->number, >, 0);
  }
  wait = (AllWait){ stores, N_FANOUT, ticket->id, NULL, 0 };
  wait_for (all_have_ticket, &wait, WAIT_S, "the POS ticket at every station");
  g_test_message ("POS ticket reached %u stations %.1f ms after the POST", N_FANOUT,
                  (double)(g_get_monotonic_time () - start) / 1000);

  /* A cook bumps an item at station 0; all the others see it. */
  item = g_ptr_array_index (ticket->items, 1);
  bump = tr_op_new_set_item_status (tr_store_get_db_id (stores[0]), ticket->id, item->id,
                                    TR_ITEM_STATUS_PREPARING);
  g_assert_true (tr_client_submit (clients[0], bump, &error));
  g_assert_no_error (error);
  wait = (AllWait){ stores, N_FANOUT, ticket->id, item->id, TR_ITEM_STATUS_PREPARING };
  took = wait_for (all_have_item_status, &wait, WAIT_S, "the bump at every station");
  g_test_message ("item bump reached %u stations in %.1f ms", N_FANOUT, took * 1000);
  wait_for (outbox_empty, stores[0], WAIT_S, "the bump's ack");

  for (guint i = 0; i < N_FANOUT; i++)
    {
      wait_converged (stores[i], fixture->host_store);
      g_assert_cmpuint (get_uint (clients[i], "snapshots-received"), ==, 1);
    }

  for (guint i = 0; i < N_FANOUT; i++)
    {
      client_free (clients[i]);
      g_assert_finalize_object (stores[i]);
    }
}

/* ---- Offline queue ---- */

#define N_QUEUED 100

static void
test_offline_queue (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) op_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) outbox = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GHashTable) ours = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (TrTicket) items_ticket = NULL;
  g_autoptr (TrTicket) status_ticket = NULL;
  g_autofree char *proxy_url = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  g_autofree char *other_path = fixture_path (fixture, "station");
  TrStore *store;
  TrStore *other_store;
  TrClient *client;
  TrClient *other;
  const char *item_id;
  gint64 head_before;
  guint seen = 0;
  double took;

  items_ticket = host_create_ticket (fixture, 2);
  status_ticket = host_create_ticket (fixture, 2);
  item_id = ((TrItem *)g_ptr_array_index (items_ticket->items, 0))->id;

  proxy = tr_test_proxy_new (tr_host_get_bound_port (fixture->host), &error);
  g_assert_no_error (error);
  proxy_url = tr_test_proxy_get_url (proxy);

  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, proxy_url, "Grill");
  other_store = open_store (other_path, TR_STORE_DURABILITY_NORMAL);
  other = client_new (other_store, fixture->host_url, "Expo");
  tr_client_start (client);
  tr_client_start (other);
  wait_converged (store, fixture->host_store);
  wait_converged (other_store, fixture->host_store);
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_ONLINE_WEBSOCKET);

  /* The network drops: the connection is reset, and new ones refused. */
  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_REFUSE);
  g_assert_cmpuint (tr_test_proxy_cut (proxy, TRUE), >=, 1);
  took = wait_for_state (client, TR_CLIENT_STATE_OFFLINE, WAIT_S);
  g_test_message ("offline %.0f ms after the reset", took * 1000);

  /* The cook keeps bumping: alternately an item of one ticket (which
   * stays open) and the status of another (recalled and served again). */
  for (guint i = 0; i < N_QUEUED; i++)
    {
      g_autoptr (TrOp) op = NULL;
      g_autoptr (TrTicket) after = NULL;
      guint n = i / 2;

      if (i % 2 == 0)
        {
          TrItemStatus status = n % 2 == 0 ? TR_ITEM_STATUS_PREPARING : TR_ITEM_STATUS_READY;

          op = tr_op_new_set_item_status (tr_store_get_db_id (store), items_ticket->id, item_id,
                                          status);
          g_assert_true (tr_client_submit (client, op, &error));
          g_assert_no_error (error);
          after = tr_store_get_ticket (store, items_ticket->id, &error);
          g_assert_cmpint (tr_ticket_find_item (after, item_id)->status, ==, status);
        }
      else
        {
          TrTicketStatus status = n == 0       ? TR_TICKET_STATUS_PREPARING
                                  : n % 2 == 1 ? TR_TICKET_STATUS_READY
                                               : TR_TICKET_STATUS_SERVED;

          op = tr_op_new_set_ticket_status (tr_store_get_db_id (store), status_ticket->id, status);
          g_assert_true (tr_client_submit (client, op, &error));
          g_assert_no_error (error);
          after = tr_store_get_ticket (store, status_ticket->id, &error);
          g_assert_cmpint (after->status, ==, status);
        }
      g_ptr_array_add (op_ids, g_strdup (op->op_id));
      g_hash_table_add (ours, g_ptr_array_index (op_ids, op_ids->len - 1));
      g_assert_cmpuint (tr_client_get_queued_ops (client), ==, i + 1);
    }
  g_assert_cmpint (tr_client_get_state (client), !=, TR_CLIENT_STATE_ONLINE_WEBSOCKET);

  /* The station restarts while still offline. */
  client_free (client);
  g_assert_finalize_object (store);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  outbox = tr_store_outbox_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, N_QUEUED);
  for (guint i = 0; i < N_QUEUED; i++)
    g_assert_cmpstr (((TrOp *)g_ptr_array_index (outbox, i))->op_id, ==,
                     g_ptr_array_index (op_ids, i));
  client = client_new (store, proxy_url, "Grill");
  g_assert_cmpuint (tr_client_get_queued_ops (client), ==, N_QUEUED);
  tr_client_start (client);
  head_before = tr_store_get_head_seq (fixture->host_store);

  /* The network comes back. */
  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_FORWARD);
  took = wait_for (outbox_empty, store, WAIT_S, "the outbox to empty");
  g_test_message ("%u queued ops delivered in %.0f ms", N_QUEUED, took * 1000);
  g_assert_cmpuint (tr_client_get_queued_ops (client), ==, 0);

  /* Exactly once, in order, in the host's log. */
  events = tr_store_read_events (fixture->host_store, head_before, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      TrEvent *event = g_ptr_array_index (events, i);

      if (event->op_id == NULL || !g_hash_table_contains (ours, event->op_id))
        continue;
      g_assert_cmpuint (seen, <, N_QUEUED);
      g_assert_cmpstr (event->op_id, ==, g_ptr_array_index (op_ids, seen));
      seen++;
    }
  g_assert_cmpuint (seen, ==, N_QUEUED);

  wait_converged (store, fixture->host_store);
  wait_converged (other_store, fixture->host_store);
  {
    g_autoptr (TrTicket) final = tr_store_get_ticket (fixture->host_store, status_ticket->id, NULL);
    g_assert_cmpint (final->status, ==, TR_TICKET_STATUS_READY);
  }

  client_free (client);
  client_free (other);
  g_assert_finalize_object (store);
  g_assert_finalize_object (other_store);
}

/* ---- Catch-up ---- */

#define N_CATCH_UP_TICKETS 500
#define N_CATCH_UP_EVENTS (N_CATCH_UP_TICKETS * 10)

/* 10 events per ticket: created, then bumped and recalled to the end;
 * through the host, as everything the host keeps is written. */
static void
apply_many_events (TrHost *host)
{
  static const TrTicketStatus steps[] = {
    TR_TICKET_STATUS_PREPARING, TR_TICKET_STATUS_READY,  TR_TICKET_STATUS_SERVED,
    TR_TICKET_STATUS_READY,     TR_TICKET_STATUS_SERVED, TR_TICKET_STATUS_READY,
    TR_TICKET_STATUS_SERVED,    TR_TICKET_STATUS_READY,  TR_TICKET_STATUS_SERVED,
  };
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);

  for (guint t = 0; t < N_CATCH_UP_TICKETS; t++)
    {
      g_autoptr (TrTicket) ticket = make_ticket (2);

      g_ptr_array_add (ops, tr_op_new_create_ticket ("test-host", ticket));
      for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
        g_ptr_array_add (ops, tr_op_new_set_ticket_status ("test-host", ticket->id, steps[s]));
      if (ops->len >= 1000 || t == N_CATCH_UP_TICKETS - 1)
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (GPtrArray) outcomes = tr_host_submit_ops (host, ops, &error);

          g_assert_no_error (error);
          for (guint i = 0; i < outcomes->len; i++)
            g_assert_cmpint (((TrOutcome *)g_ptr_array_index (outcomes, i))->result, ==,
                             TR_APPLY_APPLIED);
          g_ptr_array_set_size (ops, 0);
        }
    }
}

static void
test_catch_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) first = NULL;
  g_autoptr (TrStore) fresh_store = NULL;
  g_autoptr (TrHost) fresh_host = NULL;
  g_autofree char *proxy_url = NULL;
  g_autofree char *fresh_url = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  g_autofree char *fresh_path = fixture_path (fixture, "fresh-host");
  TrStore *store;
  TrClient *client;
  guint events_before;
  guint snapshots_before;
  gint64 head_before;
  double took;

  first = host_create_ticket (fixture, 2);
  proxy = tr_test_proxy_new (tr_host_get_bound_port (fixture->host), &error);
  g_assert_no_error (error);
  proxy_url = tr_test_proxy_get_url (proxy);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, proxy_url, "Pass");
  tr_client_start (client);
  wait_converged (store, fixture->host_store);

  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_REFUSE);
  tr_test_proxy_cut (proxy, FALSE);
  wait_for_state (client, TR_CLIENT_STATE_OFFLINE, WAIT_S);

  head_before = tr_store_get_head_seq (fixture->host_store);
  apply_many_events (fixture->host);
  g_assert_cmpint (tr_store_get_head_seq (fixture->host_store), ==,
                   head_before + N_CATCH_UP_EVENTS);

  events_before = get_uint (client, "events-received");
  snapshots_before = get_uint (client, "snapshots-received");
  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_FORWARD);
  took = wait_converged (store, fixture->host_store);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  g_assert_cmpuint (get_uint (client, "events-received") - events_before, ==, N_CATCH_UP_EVENTS);
  g_assert_cmpuint (get_uint (client, "snapshots-received"), ==, snapshots_before);

  /* The host is replaced by one with a fresh database behind the same
   * address: a new host_id, so a snapshot instead of events. */
  fresh_store = open_store (fresh_path, TR_STORE_DURABILITY_FULL);
  fresh_host = start_host (fresh_store, TRUE, &fresh_url);
  {
    g_autoptr (TrTicket) ticket = make_ticket (1);
    g_autoptr (TrOp) op = tr_op_new_create_ticket ("test-host", ticket);
    g_autoptr (TrOutcome) outcome = tr_host_submit_op (fresh_host, op, &error);

    g_assert_no_error (error);
    g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  }
  g_assert_cmpstr (tr_store_get_db_id (fresh_store), !=, tr_store_get_db_id (fixture->host_store));
  snapshots_before = get_uint (client, "snapshots-received");
  events_before = get_uint (client, "events-received");
  tr_test_proxy_set_target_port (proxy, tr_host_get_bound_port (fresh_host));
  tr_host_stop (fixture->host);
  tr_test_proxy_cut (proxy, TRUE);
  /* The new host does not know this station's token: it stops and says
   * so, and pairing with the new host brings it back. */
  wait_for (client_is_unauthorized, client, WAIT_S, "the client to be refused");
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_OFFLINE);
  pair_client (client, fresh_host);
  wait_converged (store, fresh_store);
  g_assert_cmpuint (get_uint (client, "snapshots-received"), ==, snapshots_before + 1);
  g_assert_cmpuint (get_uint (client, "events-received"), ==, events_before);
  g_assert_null (tr_store_get_ticket (store, first->id, NULL));
  g_test_message ("caught up with %u events in %.0f ms", N_CATCH_UP_EVENTS, took * 1000);

  client_free (client);
  g_assert_finalize_object (store);
  tr_host_stop (fresh_host);
}

/* ---- Pairing ---- */

static gboolean
client_is_unauthorized (gpointer data)
{
  gboolean unauthorized = FALSE;

  g_object_get (data, "unauthorized", &unauthorized, NULL);
  return unauthorized;
}

static void
on_unauthorized (TrClient *client, const char *reason, gpointer user_data)
{
  GPtrArray *reasons = user_data;

  g_ptr_array_add (reasons, g_strdup (reason));
}

static void
test_pairing (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = fixture_path (fixture, "station");
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *token = NULL;
  TrStore *store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  TrClient *client = tr_client_new (store, fixture->host_url, "Tandoor", "kitchen");
  guint reconnects;

  g_object_set (client, "backoff-min", 20, "backoff-max", 500, NULL);
  g_signal_connect (client, "unauthorized", G_CALLBACK (on_unauthorized), reasons);

  /* No token: refused, and it says so instead of retrying for ever. */
  tr_client_start (client);
  wait_for (client_is_unauthorized, client, WAIT_S, "the client to be refused");
  g_assert_cmpuint (reasons->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (reasons, 0), ==, "unknown");
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_OFFLINE);
  g_assert_nonnull (strstr (tr_client_get_last_error (client), "not paired"));
  reconnects = get_uint (client, "reconnects");
  drain_main_context ();
  g_assert_cmpuint (get_uint (client, "reconnects"), ==, reconnects);

  /* A wrong code, then the right one. */
  code = tr_host_new_pairing_code (fixture->host, NULL, &error);
  g_assert_no_error (error);
  wrong = g_strdup_printf ("%06u", (guint)((g_ascii_strtoull (code, NULL, 10) + 1) % 1000000));
  g_assert_false (pair_client_with_code (client, wrong, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_null (tr_store_get_station_token (store));
  g_assert_true (pair_client_with_code (client, code, &error));
  g_assert_no_error (error);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  g_assert_false (client_is_unauthorized (client));
  token = g_strdup (tr_store_get_station_token (store));
  g_assert_cmpuint (strlen (token), ==, 64);
  g_assert_cmpstr (tr_store_get_station_token_host_id (store), ==,
                   tr_store_get_db_id (fixture->host_store));
  g_assert_null (tr_store_get_host_fingerprint (store));

  /* The token is the station's: a new client on its store uses it. */
  client_free (client);
  client = tr_client_new (store, fixture->host_url, "Tandoor", "kitchen");
  g_signal_connect (client, "unauthorized", G_CALLBACK (on_unauthorized), reasons);
  tr_client_start (client);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);

  /* Revoked on the host: disconnected at once, and told why. */
  g_assert_true (tr_host_revoke_station (fixture->host, tr_store_get_db_id (store), &error));
  g_assert_no_error (error);
  wait_for (client_is_unauthorized, client, WAIT_S, "the client to learn it was revoked");
  g_assert_cmpuint (reasons->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (reasons, 1), ==, "revoked");
  g_assert_nonnull (strstr (tr_client_get_last_error (client), "revoked"));
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_OFFLINE);

  /* Pairing again brings it back. */
  pair_client (client, fixture->host);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  g_assert_cmpstr (tr_store_get_station_token (store), !=, token);

  client_free (client);
  g_assert_finalize_object (store);
}

/* Issue 18, "Revocation": a station paired again while it is online.
 * The host closes the old token's connection (4403) as it redeems the
 * code, often before the client has read the answer with the new token;
 * the client waits for that answer instead of calling itself unpaired,
 * and goes on with the new token. Which of the two comes first is up to
 * the sockets, so it pairs again a few times. A pairing that fails while
 * the station is revoked leaves it unpaired, and says why. */
static void
test_pair_again_online (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = fixture_path (fixture, "station");
  g_autoptr (TrTicket) ticket = host_create_ticket (fixture, 1);
  g_autoptr (TrOp) bump = NULL;
  TrStore *store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  TrClient *client = client_new (store, fixture->host_url, "Pass");

  g_signal_connect (client, "unauthorized", G_CALLBACK (on_unauthorized), reasons);
  tr_client_start (client);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  wait_for (store_has_ticket, &(TicketWait){ store, ticket->id }, WAIT_S, "the snapshot");

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *old_token = g_strdup (tr_store_get_station_token (store));
      g_autofree char *token = NULL;

      pair_client (client, fixture->host);
      wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
      g_object_get (client, "token", &token, NULL);
      g_assert_cmpstr (token, !=, old_token);
      g_assert_cmpstr (token, ==, tr_store_get_station_token (store));
      g_assert_false (client_is_unauthorized (client));
      g_assert_cmpuint (reasons->len, ==, 0);
    }

  /* The host takes its ops: the old tokens are dead, so it is the new one. */
  bump = tr_op_new_set_ticket_status (tr_store_get_db_id (store), ticket->id,
                                      TR_TICKET_STATUS_PREPARING);
  g_assert_true (tr_client_submit (client, bump, &error));
  g_assert_no_error (error);
  wait_for (outbox_empty, store, WAIT_S, "the op's ack");
  {
    g_autoptr (TrTicket) host_ticket = tr_store_get_ticket (fixture->host_store, ticket->id, NULL);

    g_assert_cmpint (host_ticket->status, ==, TR_TICKET_STATUS_PREPARING);
  }
  g_assert_cmpuint (reasons->len, ==, 0);

  /* Revoked while a pairing with a wrong code is on its way: once the
   * host turns the code down, the revocation stands. */
  {
    PairWait wait = { 0 };
    g_autofree char *code = tr_host_new_pairing_code (fixture->host, NULL, &error);
    g_autofree char *wrong = NULL;

    g_assert_no_error (error);
    wrong = g_strdup_printf ("%06u", (guint)((g_ascii_strtoull (code, NULL, 10) + 1) % 1000000));
    tr_client_pair_async (client, wrong, NULL, on_paired, &wait);
    g_assert_true (tr_host_revoke_station (fixture->host, tr_store_get_db_id (store), &error));
    g_assert_no_error (error);
    wait_for (pair_done, &wait, WAIT_S, "the pairing answer");
    g_assert_false (wait.ok);
    g_assert_error (wait.error, TR_ERROR, TR_ERROR_UNAUTHORIZED);
    g_clear_error (&wait.error);
  }
  wait_for (client_is_unauthorized, client, WAIT_S, "the client to learn it was revoked");
  g_assert_cmpuint (reasons->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (reasons, 0), ==, "revoked");
  g_assert_nonnull (strstr (tr_client_get_last_error (client), "revoked"));

  client_free (client);
  g_assert_finalize_object (store);
}

static TrHost *
start_tls_host (TrStore *store, GTlsCertificate *certificate, char **out_url)
{
  g_autoptr (GError) error = NULL;
  TrHost *host = g_object_new (TR_TYPE_HOST, "store", store, "port", 0, "loopback-only", TRUE,
                               "tls-certificate", certificate, NULL);

  g_assert_true (tr_host_start (host, &error));
  g_assert_no_error (error);
  *out_url = g_strdup_printf ("https://127.0.0.1:%u", tr_host_get_bound_port (host));
  return host;
}

static gboolean
client_refused_certificate (gpointer data)
{
  TrClient *client = data;
  const char *last_error = tr_client_get_last_error (client);

  return client_is_unauthorized (client) && last_error != NULL
         && strstr (last_error, "certificate changed") != NULL;
}

static void
test_tls_pinning (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *pem = g_build_filename (fixture->dir, "tls.pem", NULL);
  g_autofree char *other_pem = g_build_filename (fixture->dir, "other.pem", NULL);
  g_autofree char *path = fixture_path (fixture, "station");
  g_autofree char *url = NULL;
  g_autofree char *other_url = NULL;
  g_autoptr (GTlsCertificate) certificate = tr_tls_ensure_certificate (pem, &error);
  g_autoptr (GTlsCertificate) again = NULL;
  g_autoptr (GTlsCertificate) other = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *again_fingerprint = NULL;
  TrStore *store;
  TrClient *client;
  TrHost *host, *impostor;

  /* Made once, then read back: the same certificate. */
  g_assert_no_error (error);
  g_assert_nonnull (certificate);
  again = tr_tls_ensure_certificate (pem, &error);
  g_assert_no_error (error);
  fingerprint = tr_tls_certificate_fingerprint (certificate);
  again_fingerprint = tr_tls_certificate_fingerprint (again);
  g_assert_cmpstr (fingerprint, ==, again_fingerprint);
  g_assert_cmpuint (strlen (fingerprint), ==, 32 * 3 - 1);
  other = tr_tls_ensure_certificate (other_pem, &error);
  g_assert_no_error (error);

  host = start_tls_host (fixture->host_store, certificate, &url);
  g_assert_cmpstr (tr_host_get_tls_fingerprint (host), ==, fingerprint);

  /* Pairing pins the host's fingerprint; the station then connects. */
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = tr_client_new (store, url, "Pass", "expo");
  g_object_set (client, "backoff-min", 20, "backoff-max", 500, NULL);
  pair_client (client, host);
  g_assert_cmpstr (tr_store_get_host_fingerprint (store), ==, fingerprint);
  tr_client_start (client);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);

  /* Another certificate on the same database: refused, and said why. */
  impostor = start_tls_host (fixture->host_store, other, &other_url);
  g_object_set (client, "host-url", other_url, NULL);
  wait_for (client_refused_certificate, client, WAIT_S, "the client to refuse the certificate");
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_OFFLINE);
  g_assert_nonnull (strstr (tr_client_get_last_error (client), fingerprint));

  client_free (client);
  g_assert_finalize_object (store);
  /* The refused handshake is closed on both ends first: GIO's TLS close
   * on the host side waits for the peer, which lives in this thread. */
  drain_main_context ();
  tr_host_stop (impostor);
  tr_host_stop (host);
  g_object_unref (impostor);
  g_object_unref (host);
}

/* ---- Dead peer ---- */

static void
test_dead_peer (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autofree char *proxy_url = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  TrStore *store;
  TrClient *client;
  guint heartbeat, dead;
  double took;

  proxy = tr_test_proxy_new (tr_host_get_bound_port (fixture->host), &error);
  g_assert_no_error (error);
  proxy_url = tr_test_proxy_get_url (proxy);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, proxy_url, "Fryer");
  g_object_get (client, "heartbeat-interval", &heartbeat, "dead-timeout", &dead, NULL);
  g_assert_cmpuint (heartbeat, ==, 5000);
  g_assert_cmpuint (dead, ==, 15000);
  tr_client_start (client);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);

  /* The path silently swallows everything; no socket closes. */
  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_BLACKHOLE);
  took = wait_for_state (client, TR_CLIENT_STATE_OFFLINE, WAIT_S);
  g_test_message ("blackholed peer reported offline after %.1f s (acceptance: within 20 s)", took);
  g_assert_cmpuint (tr_test_proxy_get_n_connections (proxy), >=, 1);
  g_assert_nonnull (tr_client_get_last_error (client));

  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_FORWARD);
  took = wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  g_test_message ("back online %.1f s after the path returned", took);
  g_assert_cmpuint (get_uint (client, "reconnects"), >=, 1);

  /* And it is live again, not just claiming so. */
  ticket = host_create_ticket (fixture, 1);
  wait_for (store_has_ticket, &(TicketWait){ store, ticket->id }, WAIT_S, "a live event");
  wait_converged (store, fixture->host_store);

  /* The station's own log says what happened, and why (the popover
   * shows it): live now, offline before with the error, live before. */
  {
    g_autoptr (GPtrArray) log = tr_client_list_link_log (client);
    const TrLinkLogEntry *offline = NULL;
    const TrLinkLogEntry *newest = g_ptr_array_index (log, 0);

    g_assert_cmpstr (newest->state, ==, "online-websocket");
    g_assert_cmpint (newest->duration_ms, ==, -1);
    for (guint i = 1; i < log->len && offline == NULL; i++)
      if (g_str_equal (((TrLinkLogEntry *)g_ptr_array_index (log, i))->state, "offline"))
        offline = g_ptr_array_index (log, i);
    if (offline == NULL)
      g_error ("the link log has no offline entry");
    g_assert_nonnull (offline->reason);
    g_assert_cmpint (offline->duration_ms, >=, 0);
    g_assert_cmpstr (((TrLinkLogEntry *)g_ptr_array_index (log, log->len - 1))->state, ==,
                     "connecting");
  }

  client_free (client);
  g_assert_finalize_object (store);
}

/* ---- Polling fallback ---- */

static void
test_polling (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) before = NULL;
  g_autoptr (TrTicket) after = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  TrStore *store;
  TrClient *client;
  double took;

  before = host_create_ticket (fixture, 2);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, fixture->host_url, "Bar");
  tr_client_start (client);
  took = wait_for_state (client, TR_CLIENT_STATE_ONLINE_POLLING, WAIT_S);
  g_test_message ("polling after %.0f ms", took * 1000);
  wait_converged (store, fixture->host_store);

  /* A live event arrives within one long-poll (it waits 25 s). */
  after = host_create_ticket (fixture, 1);
  took = wait_for (store_has_ticket, &(TicketWait){ store, after->id }, WAIT_S,
                   "an event over the long-poll");
  g_test_message ("event reached the polling station in %.1f ms", took * 1000);
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_ONLINE_POLLING);

  /* Its own ops go by POST. */
  bump = tr_op_new_set_ticket_status (tr_store_get_db_id (store), before->id,
                                      TR_TICKET_STATUS_PREPARING);
  g_assert_true (tr_client_submit (client, bump, &error));
  g_assert_no_error (error);
  wait_for (outbox_empty, store, WAIT_S, "the POSTed op's ack");
  wait_converged (store, fixture->host_store);
  {
    g_autoptr (TrTicket) host_ticket = tr_store_get_ticket (fixture->host_store, before->id, NULL);
    g_assert_cmpint (host_ticket->status, ==, TR_TICKET_STATUS_PREPARING);
  }

  client_free (client);
  g_assert_finalize_object (store);
}

/* While polling, the client keeps trying WebSocket and switches back as
 * soon as the host offers it again: here a second host over the same
 * database takes over the address for new connections only, so the
 * long-poll in flight keeps working while the retry succeeds. */
static void
test_polling_to_websocket (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrHost) ws_host = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autofree char *proxy_url = NULL;
  g_autofree char *ws_url = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  TrStore *store;
  TrClient *client;
  double took;

  proxy = tr_test_proxy_new (tr_host_get_bound_port (fixture->host), &error);
  g_assert_no_error (error);
  proxy_url = tr_test_proxy_get_url (proxy);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, proxy_url, "Bar");
  g_object_set (client, "websocket-retry", 300, NULL);
  tr_client_start (client);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_POLLING, WAIT_S);

  ws_host = start_host (fixture->host_store, TRUE, &ws_url);
  tr_test_proxy_set_target_port (proxy, tr_host_get_bound_port (ws_host));
  took = wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  g_test_message ("back on WebSocket %.0f ms after it became available", took * 1000);

  /* Live over the WebSocket now. */
  {
    g_autoptr (TrTicket) created = make_ticket (1);
    g_autoptr (TrOp) op = tr_op_new_create_ticket ("test-host", created);
    g_autoptr (TrOutcome) outcome = tr_host_submit_op (ws_host, op, &error);

    g_assert_no_error (error);
    g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
    ticket = tr_ticket_copy (created);
  }
  wait_for (store_has_ticket, &(TicketWait){ store, ticket->id }, WAIT_S,
            "an event over the new WebSocket");
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_ONLINE_WEBSOCKET);
  wait_converged (store, fixture->host_store);

  client_free (client);
  g_assert_finalize_object (store);
  tr_host_stop (ws_host);
}

/* A polling station whose host was replaced gets 409 superseded naming
 * the new host (error.url) and goes there, as a WebSocket does on 4410.
 * The new host here is a second host over the same database, so the
 * station's token is good there. */
typedef struct
{
  TrClient *client;
  const char *url;
} UrlWait;

static gboolean
polling_at (gpointer data)
{
  UrlWait *wait = data;
  g_autofree char *url = NULL;

  g_object_get (wait->client, "host-url", &url, NULL);
  return g_strcmp0 (url, wait->url) == 0
         && tr_client_get_state (wait->client) == TR_CLIENT_STATE_ONLINE_POLLING;
}

static void
test_polling_superseded (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrHost) new_host = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autofree char *new_url = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  TrStore *store;
  TrClient *client;
  double took;

  ticket = host_create_ticket (fixture, 1);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, fixture->host_url, "Bar");
  tr_client_start (client);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_POLLING, WAIT_S);
  wait_converged (store, fixture->host_store);

  new_host = start_host (fixture->host_store, FALSE, &new_url);
  /* What DNS-SD tells a host a promoted standby replaced. */
  _tr_host_supersede (fixture->host, fixture->host->gen + 1, new_url);
  /* An op: its POST gets the 409 at once (the long-poll in flight
   * would only ask again after its wait). */
  bump = tr_op_new_set_ticket_status (tr_store_get_db_id (store), ticket->id,
                                      TR_TICKET_STATUS_PREPARING);
  g_assert_true (tr_client_submit (client, bump, &error));
  g_assert_no_error (error);
  took = wait_for (polling_at, &(UrlWait){ client, new_url }, WAIT_S,
                   "the polling station to follow the new host");
  g_test_message ("polling the new host %.0f ms after the 409", took * 1000);
  wait_for (outbox_empty, store, WAIT_S, "the op's ack from the new host");
  {
    g_autoptr (TrTicket) host_ticket = tr_store_get_ticket (fixture->host_store, ticket->id, NULL);
    g_assert_cmpint (host_ticket->status, ==, TR_TICKET_STATUS_PREPARING);
  }

  client_free (client);
  g_assert_finalize_object (store);
  tr_host_stop (new_host);
}

static gboolean
last_error_409 (gpointer data)
{
  g_autofree char *last_error = NULL;

  g_object_get (data, "last-error", &last_error, NULL);
  return last_error != NULL && strstr (last_error, "409") != NULL;
}

/* Another scheme is never taken from a 409: a station on plain HTTP does
 * not follow an https address it cannot check, nor the reverse. */
static void
test_polling_superseded_other_scheme (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  g_autofree char *url = NULL;
  g_autofree char *last_error = NULL;
  TrStore *store;
  TrClient *client;

  ticket = host_create_ticket (fixture, 1);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, fixture->host_url, "Bar");
  tr_client_start (client);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_POLLING, WAIT_S);
  _tr_host_supersede (fixture->host, fixture->host->gen + 1, "https://127.0.0.1:1");
  bump = tr_op_new_set_ticket_status (tr_store_get_db_id (store), ticket->id,
                                      TR_TICKET_STATUS_PREPARING);
  g_assert_true (tr_client_submit (client, bump, &error));
  g_assert_no_error (error);
  wait_for (last_error_409, client, WAIT_S, "the 409");
  g_object_get (client, "host-url", &url, "last-error", &last_error, NULL);
  g_test_message ("last error: %s", last_error);
  g_assert_cmpstr (url, ==, fixture->host_url);

  client_free (client);
  g_assert_finalize_object (store);
}

/* ---- Heartbeat, refresh and stop ---- */

static gboolean
latency_known (gpointer data)
{
  gint64 latency;

  g_object_get (data, "latency-ms", &latency, NULL);
  return latency >= 0;
}

typedef struct
{
  GArray *states;
} StateLog;

static void
on_state_notify (TrClient *client, GParamSpec *pspec, StateLog *log)
{
  TrClientState state = tr_client_get_state (client);

  g_array_append_val (log->states, state);
}

static void
test_heartbeat_refresh_stop (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "station");
  StateLog log = { g_array_new (FALSE, FALSE, sizeof (TrClientState)) };
  g_autoptr (TrTicket) ticket = NULL;
  TrStore *store;
  TrClient *client;
  gint64 latency, last_sync;
  guint synced = 0;

  /* Something in the log, so the resume after refresh is by events. */
  ticket = host_create_ticket (fixture, 1);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, fixture->host_url, "Expo");
  g_object_set (client, "heartbeat-interval", 50, NULL);
  g_signal_connect (client, "notify::state", G_CALLBACK (on_state_notify), &log);
  g_signal_connect_swapped (client, "synced", G_CALLBACK (g_atomic_int_inc), &synced);
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_OFFLINE);
  g_object_get (client, "latency-ms", &latency, "last-sync", &last_sync, NULL);
  g_assert_cmpint (latency, ==, -1);
  g_assert_cmpint (last_sync, ==, 0);

  tr_client_start (client);
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_CONNECTING);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  g_assert_cmpuint (synced, ==, 1);
  g_object_get (client, "last-sync", &last_sync, NULL);
  g_assert_cmpint (last_sync, >, 0);

  /* Pings go out and pongs come back. */
  wait_for (latency_known, client, WAIT_S, "a pong");
  g_assert_cmpuint (get_uint (client, "reconnects"), ==, 0);

  /* Refresh drops the connection and is back at once. */
  tr_client_refresh (client);
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_CONNECTING);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  g_assert_cmpuint (get_uint (client, "reconnects"), ==, 1);
  g_assert_cmpuint (synced, ==, 2);
  g_assert_cmpuint (get_uint (client, "snapshots-received"), ==, 1);

  /* Stop means offline, and stays so. */
  tr_client_stop (client);
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_OFFLINE);
  drain_main_context ();
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_OFFLINE);

  /* Never online without having connected first. */
  g_assert_cmpuint (log.states->len, >=, 5);
  for (guint i = 0; i < log.states->len; i++)
    if (g_array_index (log.states, TrClientState, i) == TR_CLIENT_STATE_ONLINE_WEBSOCKET)
      g_assert_cmpint (g_array_index (log.states, TrClientState, i - 1), ==,
                       TR_CLIENT_STATE_CONNECTING);

  g_assert_finalize_object (client);
  g_assert_finalize_object (store);
  g_array_unref (log.states);
}

/* ---- Rejected op ---- */

typedef struct
{
  guint count;
  char *op_id;
  char *code;
} Rejection;

static void
on_op_rejected (TrClient *client, const char *op_id, const char *code, const char *message,
                Rejection *rejection)
{
  rejection->count++;
  g_free (rejection->op_id);
  rejection->op_id = g_strdup (op_id);
  g_free (rejection->code);
  rejection->code = g_strdup (code);
}

static gboolean
rejected (gpointer data)
{
  return ((Rejection *)data)->count > 0;
}

static void
test_rejected (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrTicket) local = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autofree char *proxy_url = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  Rejection rejection = { 0 };
  TrStore *store;
  TrClient *client;

  ticket = host_create_ticket (fixture, 2);
  proxy = tr_test_proxy_new (tr_host_get_bound_port (fixture->host), &error);
  g_assert_no_error (error);
  proxy_url = tr_test_proxy_get_url (proxy);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, proxy_url, "Grill");
  g_signal_connect (client, "op-rejected", G_CALLBACK (on_op_rejected), &rejection);
  tr_client_start (client);
  wait_converged (store, fixture->host_store);

  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_REFUSE);
  tr_test_proxy_cut (proxy, TRUE);
  wait_for_state (client, TR_CLIENT_STATE_OFFLINE, WAIT_S);

  /* Offline, the cook bumps the ticket to ready: legal here... */
  bump
    = tr_op_new_set_ticket_status (tr_store_get_db_id (store), ticket->id, TR_TICKET_STATUS_READY);
  g_assert_true (tr_client_submit (client, bump, &error));
  g_assert_no_error (error);
  local = tr_store_get_ticket (store, ticket->id, NULL);
  g_assert_cmpint (local->status, ==, TR_TICKET_STATUS_READY);
  g_clear_pointer (&local, tr_ticket_free);

  /* ...but meanwhile the front of house cancelled it on the host. */
  host_submit (fixture,
               tr_op_new_set_ticket_status ("test-host", ticket->id, TR_TICKET_STATUS_CANCELLED));
  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_FORWARD);
  wait_for (rejected, &rejection, WAIT_S, "op-rejected");
  g_assert_cmpuint (rejection.count, ==, 1);
  g_assert_cmpstr (rejection.op_id, ==, bump->op_id);
  g_assert_cmpstr (rejection.code, ==, tr_error_code_to_string (TR_ERROR_ILLEGAL_TRANSITION));
  g_assert_cmpuint (tr_store_outbox_count (store), ==, 0);
  g_assert_cmpuint (tr_client_get_queued_ops (client), ==, 0);
  g_assert_nonnull (tr_client_get_last_error (client));

  /* The optimistic "ready" is gone: the station shows the host's truth. */
  local = tr_store_get_ticket (store, ticket->id, NULL);
  g_assert_cmpint (local->status, ==, TR_TICKET_STATUS_CANCELLED);
  wait_converged (store, fixture->host_store);

  client_free (client);
  g_assert_finalize_object (store);
  g_free (rejection.op_id);
  g_free (rejection.code);
}

/* ---- Oversized ops (issue 18, scenario 2) ---- */

/* A valid amendment over the host's frame limit: three set_modifiers of
 * 50 modifiers of 500 bytes each, about 75 KB encoded. */
static TrOp *
oversized_amendment (const char *station_id, const TrTicket *ticket)
{
  TrOp *op = tr_op_new_amend_ticket (station_id, ticket->id);
  g_autofree char *json = NULL;

  for (guint i = 0; i < 3; i++)
    {
      TrAmendment *amendment = tr_amendment_new (TR_AMEND_SET_MODIFIERS);
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

      amendment->item_id = g_strdup (((TrItem *)g_ptr_array_index (ticket->items, i))->id);
      for (guint j = 0; j < TR_MAX_MODIFIERS; j++)
        {
          char modifier[TR_MAX_TEXT_BYTES + 1];

          memset (modifier, 'a' + (int)(j % 26), TR_MAX_TEXT_BYTES);
          modifier[TR_MAX_TEXT_BYTES] = '\0';
          memcpy (modifier, "no.", 3);
          modifier[3] = (char)('0' + j / 10);
          modifier[4] = (char)('0' + j % 10);
          g_strv_builder_add (builder, modifier);
        }
      g_strfreev (amendment->modifiers);
      amendment->modifiers = g_strv_builder_end (builder);
      g_ptr_array_add (op->amendments, amendment);
    }
  json = tr_op_to_string (op);
  g_assert_cmpuint (strlen (json), >, TR_MAX_FRAME_BYTES);
  return op;
}

static void
wait_host_item_status (Fixture *fixture, const TrTicket *ticket, guint index, TrItemStatus status)
{
  AllWait wait = { &fixture->host_store, 1, ticket->id,
                   ((TrItem *)g_ptr_array_index (ticket->items, index))->id, status };

  wait_for (all_have_item_status, &wait, WAIT_S, "the station's bump to reach the host");
}

/* A cook saves an amendment too large for any frame, then bumps an item:
 * the bump must reach the host, and the amendment is refused up front
 * with a reason the UI can show, instead of wedging the outbox. */
static void
test_oversized_op (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) big_error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrTicket) local = NULL;
  g_autoptr (TrOp) big = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  TrStore *store;
  TrClient *client;

  ticket = host_create_ticket (fixture, 3);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, fixture->host_url, "Grill");
  tr_client_start (client);
  wait_converged (store, fixture->host_store);

  big = oversized_amendment (tr_store_get_db_id (store), ticket);
  g_assert_false (tr_client_submit (client, big, &big_error));
  g_assert_error (big_error, TR_ERROR, TR_ERROR_LIMIT);
  g_assert_cmpuint (tr_store_outbox_count (store), ==, 0);
  local = tr_store_get_ticket (store, ticket->id, NULL);
  g_assert_cmpuint (g_strv_length (((TrItem *)g_ptr_array_index (local->items, 1))->modifiers), ==,
                    0);

  bump = tr_op_new_set_item_status (tr_store_get_db_id (store), ticket->id,
                                    ((TrItem *)g_ptr_array_index (ticket->items, 0))->id,
                                    TR_ITEM_STATUS_PREPARING);
  g_assert_true (tr_client_submit (client, bump, &error));
  g_assert_no_error (error);
  wait_host_item_status (fixture, ticket, 0, TR_ITEM_STATUS_PREPARING);
  wait_for (outbox_empty, store, WAIT_S, "the outbox to empty");
  wait_converged (store, fixture->host_store);

  client_free (client);
  g_assert_finalize_object (store);
}

/* An outbox written before enqueue refused such ops can still hold one:
 * the client drops it as rejected ("limit") and sends what follows. */
static void
test_oversized_outbox (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrOp) big = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  g_autofree char *big_json = NULL;
  Rejection rejection = { 0 };
  sqlite3_stmt *stmt = NULL;
  TrStore *store;
  TrClient *client;

  ticket = host_create_ticket (fixture, 3);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, fixture->host_url, "Grill");
  g_signal_connect (client, "op-rejected", G_CALLBACK (on_op_rejected), &rejection);
  tr_client_start (client);
  wait_converged (store, fixture->host_store);
  tr_client_stop (client);

  /* As an older version queued it, straight into the outbox table. */
  big = oversized_amendment (tr_store_get_db_id (store), ticket);
  big_json = tr_op_to_string (big);
  g_assert_cmpint (sqlite3_prepare_v2 (tr_store_get_sqlite (store),
                                       "INSERT INTO outbox (op_id, ticket_id, data, created_at)"
                                       " VALUES (?1, ?2, ?3, ?4)",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, big->op_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ticket->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, big_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, big->at);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  bump = tr_op_new_set_item_status (tr_store_get_db_id (store), ticket->id,
                                    ((TrItem *)g_ptr_array_index (ticket->items, 0))->id,
                                    TR_ITEM_STATUS_PREPARING);
  g_assert_true (tr_client_submit (client, bump, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tr_store_outbox_count (store), ==, 2);

  tr_client_start (client);
  wait_host_item_status (fixture, ticket, 0, TR_ITEM_STATUS_PREPARING);
  wait_for (rejected, &rejection, WAIT_S, "op-rejected");
  g_assert_cmpuint (rejection.count, ==, 1);
  g_assert_cmpstr (rejection.op_id, ==, big->op_id);
  g_assert_cmpstr (rejection.code, ==, tr_error_code_to_string (TR_ERROR_LIMIT));
  wait_for (outbox_empty, store, WAIT_S, "the outbox to empty");
  wait_converged (store, fixture->host_store);

  client_free (client);
  g_assert_finalize_object (store);
  g_free (rejection.op_id);
  g_free (rejection.code);
}

/* ---- A host restored from a backup (issue 18, scenario 5) ---- */

static TrOp *
note_op (const char *station_id, const char *ticket_id, const char *text)
{
  TrOp *op = tr_op_new_amend_ticket (station_id, ticket_id);
  TrAmendment *amendment = tr_amendment_new (TR_AMEND_SET_NOTE);

  amendment->text = g_strdup (text);
  g_ptr_array_add (op->amendments, amendment);
  return op;
}

/* @n notes on @ticket_id written straight into the host's store, in
 * batches, while no station is connected to be told. */
static void
store_add_notes (TrStore *store, const char *ticket_id, guint n, const char *prefix)
{
  for (guint done = 0; done < n;)
    {
      g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
      g_autoptr (GPtrArray) outcomes = NULL;
      g_autoptr (GError) error = NULL;

      for (; done < n && ops->len < 100; done++)
        {
          g_autofree char *text = g_strdup_printf ("%s %u", prefix, done);

          g_ptr_array_add (ops, note_op ("test-host", ticket_id, text));
        }
      outcomes = tr_store_apply_ops (store, ops, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < outcomes->len; i++)
        g_assert_cmpint (((TrOutcome *)g_ptr_array_index (outcomes, i))->result, ==,
                         TR_APPLY_APPLIED);
    }
}

/* @n notes through the running host, fanned out to the stations. */
static void
host_add_notes (Fixture *fixture, const char *ticket_id, guint n, const char *prefix)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s %u", prefix, i);

      host_submit (fixture, note_op ("test-host", ticket_id, text));
    }
}

static void
wait_seq_caught_up (TrStore *station, TrStore *host)
{
  HashWait wait = { station, host };

  wait_for (seq_caught_up, &wait, WAIT_S, "the station's seq to reach the host's head");
}

/* sqlite3 .backup, as docs/install.md recommends: it copies the
 * database id too. */
static void
backup_database (TrStore *store, const char *to)
{
  sqlite3 *dest = NULL;
  sqlite3_backup *backup;

  g_assert_cmpint (sqlite3_open (to, &dest), ==, SQLITE_OK);
  backup = sqlite3_backup_init (dest, "main", tr_store_get_sqlite (store), "main");
  g_assert_nonnull (backup);
  g_assert_cmpint (sqlite3_backup_step (backup, -1), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_backup_finish (backup), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (dest), ==, SQLITE_OK);
}

/* The host goes down, its database is replaced by @backup_path, and it
 * comes back on a new port. */
static void
restore_host (Fixture *fixture, const char *backup_path, gboolean websocket_enabled)
{
  g_autofree char *path = g_strdup (tr_store_get_path (fixture->host_store));
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;

  tr_host_stop (fixture->host);
  g_clear_object (&fixture->host);
  g_assert_finalize_object (g_steal_pointer (&fixture->host_store));
  g_clear_pointer (&fixture->host_url, g_free);
  drain_main_context ();
  for (guint i = 0; i < 3; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
  g_assert_true (g_file_get_contents (backup_path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, contents, (gssize)length, &error));
  g_assert_no_error (error);

  fixture->host_store = open_store (path, TR_STORE_DURABILITY_FULL);
  fixture->host = start_host (fixture->host_store, websocket_enabled, &fixture->host_url);
  pairing_host = fixture->host;
}

/* Backed up at 900, the host goes on to 1,000; a station follows it to
 * 950. The backup is restored and takes 200 other ops, so its 901-950
 * are not the events the station has. Resuming at 950 must not keep the
 * station's 901-950: it must end up with the host's tickets. */
static void
test_restored_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrTicket) a = NULL;
  g_autoptr (TrTicket) b = NULL;
  g_autofree char *path = fixture_path (fixture, "station");
  g_autofree char *backup_path = g_build_filename (fixture->dir, "backup.db", NULL);
  g_autofree char *station_hash = NULL;
  g_autofree char *host_hash = NULL;
  TrStore *store;
  TrClient *client;

  a = host_create_ticket (fixture, 1);
  b = host_create_ticket (fixture, 1);
  store_add_notes (fixture->host_store, a->id, 898, "before");
  g_assert_cmpint (tr_store_get_head_seq (fixture->host_store), ==, 900);

  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, fixture->host_url, "Grill");
  tr_client_start (client);
  wait_converged (store, fixture->host_store);
  backup_database (fixture->host_store, backup_path);

  /* The station follows the host to 950 by events, then goes away. */
  host_add_notes (fixture, a->id, 50, "lost");
  wait_converged (store, fixture->host_store);
  g_assert_cmpint (tr_store_get_last_seq (store), ==, 950);
  client_free (client);
  host_add_notes (fixture, a->id, 50, "lost later");
  g_assert_cmpint (tr_store_get_head_seq (fixture->host_store), ==, 1000);

  /* data: as fixture_set_up(), 1 for a host without WebSocket. */
  restore_host (fixture, backup_path, GPOINTER_TO_INT (data) == 0);
  g_assert_cmpint (tr_store_get_head_seq (fixture->host_store), ==, 900);
  host_add_notes (fixture, b->id, 200, "after the restore");
  g_assert_cmpstr (tr_store_get_db_id (fixture->host_store), ==, tr_store_get_host_id (store));

  client = client_new (store, fixture->host_url, "Grill");
  tr_client_start (client);
  wait_seq_caught_up (store, fixture->host_store);
  /* Caught up to the head, with nothing queued: nothing more will come. */
  g_assert_cmpuint (tr_store_outbox_count (store), ==, 0);
  station_hash = store_hash (store);
  host_hash = store_hash (fixture->host_store);
  g_assert_cmpstr (station_hash, ==, host_hash);

  client_free (client);
  g_assert_finalize_object (store);
}

static gboolean
effective_interval_is (gpointer data)
{
  gpointer *args = data;

  return get_uint (args[0], "effective-heartbeat-interval") == GPOINTER_TO_UINT (args[1]);
}

static void
wait_effective_interval (TrClient *client, guint interval)
{
  gpointer args[] = { client, GUINT_TO_POINTER (interval) };
  g_autofree char *what = g_strdup_printf ("an effective heartbeat interval of %u ms", interval);

  wait_for (effective_interval_is, args, WAIT_S, what);
}

/* A host with a short heartbeat timeout says so in its welcome, and the
 * station pings often enough for it, whatever its own setting; a change
 * of the host's reaches the station with its next welcome. */
static void
test_host_heartbeat_timeout (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "station");
  TrStore *store;
  TrClient *client;
  guint host_timeout = 6000;

  g_object_set (fixture->host, "heartbeat-timeout", host_timeout, NULL);
  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = client_new (store, fixture->host_url, "Grill");
  g_assert_cmpuint (get_uint (client, "heartbeat-interval"), ==, 5000);
  g_assert_cmpuint (get_uint (client, "effective-heartbeat-interval"), ==, 5000);

  tr_client_start (client);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);
  wait_effective_interval (client, host_timeout / 3);
  g_assert_cmpuint (get_uint (client, "effective-heartbeat-interval") * 3, <=, host_timeout);
  /* Its own setting is what it was: only the pace gave way. */
  g_assert_cmpuint (get_uint (client, "heartbeat-interval"), ==, 5000);

  /* Faster than the host needs is fine, and applies on the live link. */
  g_object_set (client, "heartbeat-interval", 1000, NULL);
  g_assert_cmpuint (get_uint (client, "effective-heartbeat-interval"), ==, 1000);
  /* Slower is not. */
  g_object_set (client, "heartbeat-interval", 30000, NULL);
  g_assert_cmpuint (get_uint (client, "effective-heartbeat-interval"), ==, host_timeout / 3);

  /* A more patient host lets it slow down, once it says so again. */
  g_object_set (fixture->host, "heartbeat-timeout", 60000, NULL);
  tr_client_refresh (client);
  wait_effective_interval (client, 20000);
  wait_for_state (client, TR_CLIENT_STATE_ONLINE_WEBSOCKET, WAIT_S);

  client_free (client);
  g_assert_finalize_object (store);
}

/* ---- The host's clock ---- */

#define AN_HOUR_MS ((gint64)3600 * 1000)

/* A host whose clock is an hour ahead: it answers any hello with a
 * welcome saying so, and nothing else. */
static void
on_fake_host_message (SoupWebsocketConnection *ws, int type, GBytes *message, gpointer data)
{
  g_autofree char *welcome
    = tr_frame_build_welcome_full ("fake-host", 0, tr_now_ms () + AN_HOUR_MS, 0);

  soup_websocket_connection_send_text (ws, welcome);
}

static void
on_fake_host_ws (SoupServer *server, SoupServerMessage *msg, const char *path,
                 SoupWebsocketConnection *ws, gpointer data)
{
  g_ptr_array_add (data, g_object_ref (ws));
  g_signal_connect (ws, "message", G_CALLBACK (on_fake_host_message), NULL);
}

static gboolean
client_knows_host_clock (gpointer data)
{
  return tr_client_get_host_clock_offset (data) != 0;
}

/* A screen's recall window is over the host's times (tr-recall.h): the
 * client learns how far the host's clock is from ours from its welcome. */
static void
test_host_clock_offset (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tr-test-client-clock-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "station.db", NULL);
  g_autoptr (GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (TrStore) store = NULL;
  g_autoptr (TrClient) client = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  gint64 offset;

  g_assert_no_error (error);
  soup_server_add_websocket_handler (server, "/api/v1/ws", NULL, NULL, on_fake_host_ws, sockets,
                                     NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  store = open_store (path, TR_STORE_DURABILITY_NORMAL);
  client = tr_client_new (store, url, "clock", "kitchen");
  g_assert_cmpint (tr_client_get_host_clock_offset (client), ==, 0);
  tr_client_start (client);
  wait_for (client_knows_host_clock, client, 60, "the host's welcome");

  /* An hour, less the time the welcome took to arrive here. */
  offset = tr_client_get_host_clock_offset (client);
  g_assert_cmpint (offset, <=, AN_HOUR_MS);
  g_assert_cmpint (offset, >, AN_HOUR_MS / 2);
  tr_client_stop (client);
  for (guint i = 0; i < sockets->len; i++)
    if (soup_websocket_connection_get_state (sockets->pdata[i]) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (sockets->pdata[i], SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&client);
  drain_main_context ();
  soup_server_disconnect (server);
  g_clear_object (&store);
  tr_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/client/fanout", Fixture, NULL, fixture_set_up, test_fanout, fixture_tear_down);
  g_test_add ("/client/offline-queue", Fixture, NULL, fixture_set_up, test_offline_queue,
              fixture_tear_down);
  g_test_add ("/client/catch-up", Fixture, NULL, fixture_set_up, test_catch_up, fixture_tear_down);
  g_test_add ("/client/dead-peer", Fixture, NULL, fixture_set_up, test_dead_peer,
              fixture_tear_down);
  g_test_add ("/client/polling", Fixture, GINT_TO_POINTER (1), fixture_set_up, test_polling,
              fixture_tear_down);
  g_test_add ("/client/polling-to-websocket", Fixture, GINT_TO_POINTER (1), fixture_set_up,
              test_polling_to_websocket, fixture_tear_down);
  g_test_add ("/client/polling-superseded", Fixture, GINT_TO_POINTER (1), fixture_set_up,
              test_polling_superseded, fixture_tear_down);
  g_test_add ("/client/polling-superseded-other-scheme", Fixture, GINT_TO_POINTER (1),
              fixture_set_up, test_polling_superseded_other_scheme, fixture_tear_down);
  g_test_add ("/client/heartbeat-refresh-stop", Fixture, NULL, fixture_set_up,
              test_heartbeat_refresh_stop, fixture_tear_down);
  g_test_add ("/client/host-heartbeat-timeout", Fixture, NULL, fixture_set_up,
              test_host_heartbeat_timeout, fixture_tear_down);
  g_test_add ("/client/rejected", Fixture, NULL, fixture_set_up, test_rejected, fixture_tear_down);
  g_test_add ("/client/oversized-op", Fixture, NULL, fixture_set_up, test_oversized_op,
              fixture_tear_down);
  g_test_add ("/client/oversized-outbox", Fixture, NULL, fixture_set_up, test_oversized_outbox,
              fixture_tear_down);
  g_test_add ("/client/restored-host", Fixture, NULL, fixture_set_up, test_restored_host,
              fixture_tear_down);
  g_test_add ("/client/restored-host-polling", Fixture, GINT_TO_POINTER (1), fixture_set_up,
              test_restored_host, fixture_tear_down);
  g_test_add ("/client/pairing", Fixture, NULL, fixture_set_up, test_pairing, fixture_tear_down);
  g_test_add ("/client/pair-again-online", Fixture, NULL, fixture_set_up, test_pair_again_online,
              fixture_tear_down);
  g_test_add ("/client/tls-pinning", Fixture, NULL, fixture_set_up, test_tls_pinning,
              fixture_tear_down);
  g_test_add_func ("/client/host-clock-offset", test_host_clock_offset);

  return g_test_run ();
}
