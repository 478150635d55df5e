/* test-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-demo"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tr-demo.h"
#include "tr-error.h"
#include "tr-protocol.h"
#include "tr-station.h"
#include "tr-test-util.h"

#define GIVE_UP_MS (120 * 1000)

typedef struct
{
  char *dir;
  TrStore *store;
} Fixture;

static TrStore *
open_store (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  TrStore *store = tr_store_open (path, TR_STORE_DURABILITY_NORMAL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-test-demo-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = open_store (f->dir, "demo.db");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->store);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* What a standalone store (no host) gets from the demo: the ops, applied
 * in one transaction, every one of them applied. */
static void
seed (TrStore *store, guint n_tickets)
{
  g_autoptr (GPtrArray) ops = tr_demo_build_ops (n_tickets, tr_now_ms ());
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;

  if (ops->len == 0)
    return;
  outcomes = tr_store_apply_ops (store, ops, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, ==, ops->len);
  for (guint i = 0; i < outcomes->len; i++)
    {
      const TrOutcome *outcome = g_ptr_array_index (outcomes, i);

      if (outcome->result != TR_APPLY_APPLIED)
        g_error ("demo op %u was %s: %s", i, tr_apply_result_to_string (outcome->result),
                 outcome->error_message);
    }
}

static GPtrArray *
list_all (TrStore *store)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *tickets = tr_store_list_tickets (store, FALSE, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tickets);
  return tickets;
}

static int
compare_by_number (gconstpointer a, gconstpointer b)
{
  const TrTicket *ta = *(const TrTicket *const *)a;
  const TrTicket *tb = *(const TrTicket *const *)b;

  return ta->number - tb->number;
}

static void
test_seed_realistic (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (GHashTable) numbers = g_hash_table_new (NULL, NULL);
  guint by_status[TR_TICKET_N_STATUSES] = { 0 };
  guint by_type[TR_N_ORDER_TYPES] = { 0 };
  guint n_rush = 0, n_modifiers = 0, n_allergens = 0, n_items_ready = 0;

  seed (f->store, TR_DEMO_N_TICKETS);
  g_assert_no_error (error);

  tickets = list_all (f->store);
  g_assert_cmpuint (tickets->len, ==, TR_DEMO_N_TICKETS);

  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *t = g_ptr_array_index (tickets, i);

      g_assert_true (tr_ticket_is_open (t));
      g_assert_cmpint (t->number, >, 0);
      g_assert_false (g_hash_table_contains (numbers, GINT_TO_POINTER (t->number)));
      g_hash_table_add (numbers, GINT_TO_POINTER (t->number));
      g_assert_cmpuint (t->items->len, >=, 1);
      g_assert_cmpuint (t->items->len, <=, TR_MAX_ITEMS);

      by_status[t->status]++;
      by_type[t->order_type]++;
      if (t->priority == TR_PRIORITY_RUSH)
        n_rush++;
      if (t->order_type == TR_ORDER_TYPE_DINE_IN)
        {
          g_assert_nonnull (t->table);
          g_assert_cmpint (t->guests, >, 0);
          g_assert_nonnull (t->server);
        }
      else
        g_assert_null (t->table);

      for (guint j = 0; j < t->items->len; j++)
        {
          const TrItem *item = g_ptr_array_index (t->items, j);

          g_assert_nonnull (item->name);
          g_assert_nonnull (item->station);
          g_assert_true (g_strv_contains (
            (const char *const[]){ "grill", "tandoor", "fry", "bar", "cold", NULL },
            item->station));
          g_assert_cmpint (item->quantity, >=, TR_MIN_QUANTITY);
          g_assert_cmpint (item->quantity, <=, TR_MAX_QUANTITY);
          n_modifiers += g_strv_length (item->modifiers);
          n_allergens += g_strv_length (item->allergens);
          if (item->status == TR_ITEM_STATUS_READY)
            n_items_ready++;
        }
    }

  /* A rail mid-service: some new, some started, some at the pass. */
  g_assert_cmpuint (by_status[TR_TICKET_STATUS_NEW], >, 0);
  g_assert_cmpuint (by_status[TR_TICKET_STATUS_PREPARING], >, 0);
  g_assert_cmpuint (by_status[TR_TICKET_STATUS_READY], >, 0);
  g_assert_cmpuint (by_type[TR_ORDER_TYPE_DINE_IN], >, 0);
  g_assert_cmpuint (by_type[TR_ORDER_TYPE_DINE_IN], <, TR_DEMO_N_TICKETS);
  g_assert_cmpuint (n_rush, >, 0);
  g_assert_cmpuint (n_modifiers, >, 0);
  g_assert_cmpuint (n_allergens, >, 0);
  g_assert_cmpuint (n_items_ready, >, 0);
}

/* The same seed gives the same tickets in another store, apart from the
 * ids and clocks. */
static void
test_seed_deterministic (Fixture *f, gconstpointer data)
{
  g_autoptr (TrStore) other = open_store (f->dir, "other.db");
  g_autoptr (GPtrArray) a = NULL;
  g_autoptr (GPtrArray) b = NULL;
  g_autoptr (GError) error = NULL;

  seed (f->store, 9);
  g_assert_no_error (error);
  seed (other, 9);
  g_assert_no_error (error);

  a = list_all (f->store);
  b = list_all (other);
  g_ptr_array_sort (a, compare_by_number);
  g_ptr_array_sort (b, compare_by_number);
  g_assert_cmpuint (a->len, ==, 9);
  g_assert_cmpuint (b->len, ==, 9);

  for (guint i = 0; i < a->len; i++)
    {
      const TrTicket *ta = g_ptr_array_index (a, i);
      const TrTicket *tb = g_ptr_array_index (b, i);

      g_assert_cmpstr (ta->id, !=, tb->id);
      g_assert_cmpint (ta->number, ==, tb->number);
      g_assert_cmpstr (ta->table, ==, tb->table);
      g_assert_cmpint (ta->order_type, ==, tb->order_type);
      g_assert_cmpint (ta->status, ==, tb->status);
      g_assert_cmpint (ta->priority, ==, tb->priority);
      g_assert_cmpuint (ta->items->len, ==, tb->items->len);
      for (guint j = 0; j < ta->items->len; j++)
        {
          const TrItem *ia = g_ptr_array_index (ta->items, j);
          const TrItem *ib = g_ptr_array_index (tb->items, j);

          g_assert_cmpstr (ia->name, ==, ib->name);
          g_assert_cmpint (ia->quantity, ==, ib->quantity);
          g_assert_true (
            g_strv_equal ((const char *const *)ia->modifiers, (const char *const *)ib->modifiers));
        }
    }

  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
test_seed_twice (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  seed (f->store, 5);
  seed (f->store, 5);
  g_assert_no_error (error);

  tickets = list_all (f->store);
  g_assert_cmpuint (tickets->len, ==, 10);
  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *t = g_ptr_array_index (tickets, i);
      g_assert_true (g_hash_table_add (ids, t->id));
    }
}

static void
test_seed_none (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;

  seed (f->store, 0);
  g_assert_no_error (error);
  tickets = list_all (f->store);
  g_assert_cmpuint (tickets->len, ==, 0);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 0);
}

/* Every seeded ticket is in the log, so stations following the host get
 * the demo like any other order. */
static void
test_seed_logged (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  guint n_created = 0;

  seed (f->store, 6);
  events = tr_store_read_events (f->store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  for (guint i = 0; i < events->len; i++)
    {
      const TrEvent *event = g_ptr_array_index (events, i);
      if (event->kind == TR_EVENT_TICKET_CREATED)
        n_created++;
    }
  g_assert_cmpuint (n_created, ==, 6);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, (gint64)events->len);
}

/* The ops alone: one create per ticket before any op on it, all issued
 * by the demo at the given time, and the same kinds in the same order
 * for the same count. */
static void
test_build_ops (void)
{
  const gint64 now = 1795804790934;
  g_autoptr (GPtrArray) ops = tr_demo_build_ops (TR_DEMO_N_TICKETS, now);
  g_autoptr (GPtrArray) again = tr_demo_build_ops (TR_DEMO_N_TICKETS, now + 1);
  g_autoptr (GPtrArray) none = tr_demo_build_ops (0, now);
  g_autoptr (GHashTable) created = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) op_ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_status = 0;

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (ops->len, ==, again->len);
  g_assert_cmpuint (ops->len, >, TR_DEMO_N_TICKETS);

  for (guint i = 0; i < ops->len; i++)
    {
      const TrOp *op = g_ptr_array_index (ops, i);
      const TrOp *other = g_ptr_array_index (again, i);

      g_assert_cmpstr (op->station_id, ==, TR_DEMO_STATION_ID);
      g_assert_cmpint (op->at, ==, now);
      g_assert_cmpint (other->at, ==, now + 1);
      g_assert_cmpint (op->kind, ==, other->kind);
      g_assert_true (g_hash_table_add (op_ids, op->op_id));
      g_assert_false (g_hash_table_contains (op_ids, other->op_id));
      if (op->kind == TR_OP_CREATE_TICKET)
        {
          g_assert_nonnull (op->ticket);
          g_assert_cmpstr (op->ticket_id, ==, op->ticket->id);
          g_assert_cmpstr (op->ticket_id, !=, other->ticket_id);
          g_assert_cmpuint (op->ticket->items->len, ==, other->ticket->items->len);
          g_assert_true (g_hash_table_add (created, op->ticket_id));
        }
      else
        {
          g_assert_true (g_hash_table_contains (created, op->ticket_id));
          n_status++;
        }
    }
  g_assert_cmpuint (g_hash_table_size (created), ==, TR_DEMO_N_TICKETS);
  g_assert_cmpuint (n_status, >, 0);
}

/* ---- Through the host, as "Add sample tickets" runs them ---- */

typedef struct
{
  char *dir;
  TrStation *host;
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GPtrArray *frames; /* TrFrame*, everything the host sent after the welcome */
  gboolean closed;
  gboolean submitted;
  GError *submit_error;
} Link;

static void
wait_until (gboolean (*done) (Link *link), Link *link, const char *what)
{
  gint64 give_up = g_get_monotonic_time () + GIVE_UP_MS * 1000;

  while (!done (link))
    {
      if (g_get_monotonic_time () > give_up)
        g_error ("gave up waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
on_link_message (SoupWebsocketConnection *ws, gint type, GBytes *message, Link *link)
{
  g_autoptr (GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  TrFrame *frame = tr_frame_parse (data, length, &error);

  g_assert_no_error (error);
  g_ptr_array_add (link->frames, frame);
}

static void
on_link_closed (SoupWebsocketConnection *ws, Link *link)
{
  link->closed = TRUE;
}

static void
on_link_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;
  g_autoptr (GError) error = NULL;

  link->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
link_connected (Link *link)
{
  return link->ws != NULL;
}

static gboolean
link_has_frame (Link *link)
{
  return link->frames->len > 0 || link->closed;
}

static gboolean
link_submitted (Link *link)
{
  return link->submitted;
}

static gint64
link_last_seq (Link *link)
{
  gint64 last = 0;

  for (guint i = 0; i < link->frames->len; i++)
    {
      const TrFrame *frame = g_ptr_array_index (link->frames, i);

      if (frame->type == TR_FRAME_EVENTS && frame->events->len > 0)
        last = ((TrEvent *)g_ptr_array_index (frame->events, frame->events->len - 1))->seq;
    }
  return last;
}

static gboolean
link_caught_up (Link *link)
{
  TrStore *store = tr_station_get_store (link->host);

  return link->closed || link_last_seq (link) >= tr_store_get_head_seq (store);
}

static void
on_demo_submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;

  tr_station_submit_ops_finish (TR_STATION (source), result, &link->submit_error);
  link->submitted = TRUE;
}

static void
test_host_fans_out (void)
{
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) first = tr_ticket_new ();
  g_autoptr (TrOp) create = NULL;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  g_autofree char *hello = NULL;
  TrItem *item = tr_item_new ();
  Link link = { 0 };
  gint64 since, expected;
  guint n_events = 0, n_created = 0;

  link.dir = g_dir_make_tmp ("ticketrail-test-demo-host-XXXXXX", &error);
  g_assert_no_error (error);
  link.host = tr_station_new_host (link.dir, 0, TRUE, &error);
  g_assert_no_error (error);
  /* The station below is not paired: this test is about sequence. */
  g_object_set (tr_station_get_host (link.host), "require-pairing", FALSE, NULL);
  link.frames = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_frame_free);

  /* A ticket before the station connects, so that it resumes from a
   * seq of its own and a snapshot would stand out. */
  first->id = tr_uuid_new ();
  first->order_type = TR_ORDER_TYPE_TAKEAWAY;
  item->id = tr_uuid_new ();
  item->name = g_strdup ("Masala Chai");
  g_ptr_array_add (first->items, item);
  create = tr_op_new_create_ticket ("till", first);
  g_assert_true (tr_station_submit (link.host, create, &error));
  g_assert_no_error (error);
  while (tr_station_get_n_ops_in_flight (link.host) > 0)
    g_main_context_iteration (NULL, TRUE);
  since = tr_store_get_head_seq (tr_station_get_store (link.host));
  g_assert_cmpint (since, ==, 1);

  link.session = soup_session_new ();
  url = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws",
                         tr_host_get_bound_port (tr_station_get_host (link.host)));
  msg = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (link.session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, NULL, on_link_connected, &link);
  wait_until (link_connected, &link, "the WebSocket handshake");
  soup_websocket_connection_set_keepalive_interval (link.ws, 0);
  g_signal_connect (link.ws, "message", G_CALLBACK (on_link_message), &link);
  g_signal_connect (link.ws, "closed", G_CALLBACK (on_link_closed), &link);

  hello = tr_frame_build_hello ("follower", "Pass", "expo", NULL,
                                tr_station_get_station_id (link.host), since);
  soup_websocket_connection_send_text (link.ws, hello);
  wait_until (link_has_frame, &link, "the welcome");
  g_assert_false (link.closed);
  welcome = g_ptr_array_steal_index (link.frames, 0);
  g_assert_cmpint (welcome->type, ==, TR_FRAME_WELCOME);

  /* What the app's "Add sample tickets" (and --demo) runs. */
  ops = tr_demo_build_ops (TR_DEMO_N_TICKETS, tr_now_ms ());
  tr_station_submit_ops_async (link.host, ops, NULL, on_demo_submitted, &link);
  wait_until (link_submitted, &link, "the demo to be applied");
  g_assert_no_error (link.submit_error);
  expected = since + (gint64)ops->len;
  g_assert_cmpint (tr_store_get_head_seq (tr_station_get_store (link.host)), ==, expected);

  wait_until (link_caught_up, &link, "the demo's events at the station");
  g_assert_false (link.closed);

  /* Every demo event, each once, in order, straight after the seq the
   * station had: no gap, so no snapshot. */
  for (guint i = 0; i < link.frames->len; i++)
    {
      const TrFrame *frame = g_ptr_array_index (link.frames, i);

      if (frame->type == TR_FRAME_SNAPSHOT)
        g_error ("the station got a snapshot (seq %" G_GINT64_FORMAT ")", frame->seq);
      if (frame->type != TR_FRAME_EVENTS)
        continue;
      for (guint j = 0; j < frame->events->len; j++)
        {
          const TrEvent *event = g_ptr_array_index (frame->events, j);

          g_assert_cmpint (event->seq, ==, since + 1 + n_events);
          g_assert_cmpstr (event->station_id, ==, TR_DEMO_STATION_ID);
          g_assert_cmpstr (event->op_id, ==, ((TrOp *)ops->pdata[n_events])->op_id);
          if (event->kind == TR_EVENT_TICKET_CREATED)
            n_created++;
          n_events++;
        }
    }
  g_assert_cmpuint (n_events, ==, ops->len);
  g_assert_cmpuint (n_created, ==, TR_DEMO_N_TICKETS);

  /* The station reads them back through its read-only connection. */
  tickets = tr_station_list_tickets (link.host, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tickets->len, ==, TR_DEMO_N_TICKETS + 1);

  soup_websocket_connection_close (link.ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  while (!link.closed)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&link.ws);
  g_clear_object (&link.session);
  tr_station_shutdown (link.host);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (link.host);
  g_ptr_array_unref (link.frames);
  tr_test_remove_tree (link.dir);
  g_free (link.dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/demo/seed/realistic", Fixture, NULL, fixture_set_up, test_seed_realistic,
              fixture_tear_down);
  g_test_add ("/demo/seed/deterministic", Fixture, NULL, fixture_set_up, test_seed_deterministic,
              fixture_tear_down);
  g_test_add ("/demo/seed/twice", Fixture, NULL, fixture_set_up, test_seed_twice,
              fixture_tear_down);
  g_test_add ("/demo/seed/none", Fixture, NULL, fixture_set_up, test_seed_none, fixture_tear_down);
  g_test_add ("/demo/seed/logged", Fixture, NULL, fixture_set_up, test_seed_logged,
              fixture_tear_down);
  g_test_add_func ("/demo/build-ops", test_build_ops);
  g_test_add_func ("/demo/host-fans-out", test_host_fans_out);

  return g_test_run ();
}
