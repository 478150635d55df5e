/* test-station.c: what the UI reads and writes through TrStation
 *
 * A host station over a real host.db on loopback, and a client station
 * over its own station.db whose host is not there. On a host every
 * write goes through TrHost and every read through a read-only
 * connection of the station's own; on a client both are its cache's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-station"

#include <glib/gstdio.h>

#include "tr-demo.h"
#include "tr-error.h"
#include "tr-station.h"
#include "tr-test-util.h"

#define GIVE_UP_US (120 * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  TrStation *station;
  GPtrArray *changed; /* ticket ids, as "ticket-changed" announced them */
  GAsyncResult *result;
} Fixture;

static void
on_ticket_changed (TrStation *station, const char *ticket_id, Fixture *f)
{
  g_ptr_array_add (f->changed, g_strdup (ticket_id));
}

static void
start (Fixture *f, TrStationMode mode)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-test-station-XXXXXX", &error);
  g_assert_no_error (error);
  if (mode == TR_STATION_MODE_HOST)
    f->station = tr_station_new_host (f->dir, 0, TRUE, &error);
  else
    /* Nothing listens on the discard port: the client stays offline. */
    f->station = tr_station_new_client (f->dir, "http://127.0.0.1:9", "Grill", "kitchen", &error);
  g_assert_no_error (error);
  g_assert_cmpint (tr_station_get_mode (f->station), ==, mode);
  f->changed = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->station, "ticket-changed", G_CALLBACK (on_ticket_changed), f);
}

static void
host_set_up (Fixture *f, gconstpointer data)
{
  start (f, TR_STATION_MODE_HOST);
}

static void
client_set_up (Fixture *f, gconstpointer data)
{
  start (f, TR_STATION_MODE_CLIENT);
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  tr_station_shutdown (f->station);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->station);
  g_ptr_array_unref (f->changed);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
got_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

/* Runs the main loop until the pending call has completed; the caller
 * finishes it and clears f->result. */
static void
wait_for_result (Fixture *f)
{
  gint64 give_up = g_get_monotonic_time () + GIVE_UP_US;

  while (f->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
announced (Fixture *f, const char *ticket_id)
{
  for (guint i = 0; i < f->changed->len; i++)
    if (g_str_equal (g_ptr_array_index (f->changed, i), ticket_id))
      return TRUE;
  return FALSE;
}

static void
wait_announced (Fixture *f, const char *ticket_id)
{
  gint64 give_up = g_get_monotonic_time () + GIVE_UP_US;

  while (!announced (f, ticket_id))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
submit_ops (Fixture *f, GPtrArray *ops, GError **error)
{
  gboolean ok;

  tr_station_submit_ops_async (f->station, ops, NULL, got_result, f);
  /* The result comes from the main loop, never from inside the call. */
  g_assert_null (f->result);
  wait_for_result (f);
  ok = tr_station_submit_ops_finish (f->station, f->result, error);
  g_clear_object (&f->result);
  return ok;
}

static TrTicket *
make_ticket (const char *table)
{
  TrTicket *ticket = tr_ticket_new ();
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup (table);
  item->id = tr_uuid_new ();
  item->name = g_strdup ("Garlic Naan");
  g_ptr_array_add (ticket->items, item);
  return ticket;
}

/* ---- Host ---- */

static void
test_host_reads (Fixture *f, gconstpointer data)
{
  g_autoptr (TrTicket) ticket = make_ticket ("4");
  g_autoptr (TrTicket) read = NULL;
  g_autoptr (TrOp) create = tr_op_new_create_ticket ("till", ticket);
  g_autoptr (TrOp) start_op = NULL;
  g_autoptr (GPtrArray) open = NULL;
  g_autoptr (GPtrArray) outbox = NULL;
  g_autoptr (GError) error = NULL;
  TrStore *store = tr_station_get_store (f->station);

  /* What the station reads is not the host's connection, and no one
   * writes through it. */
  g_assert_true (store != tr_host_get_store (tr_station_get_host (f->station)));
  g_assert_cmpstr (tr_station_get_station_id (f->station), ==,
                   tr_store_get_db_id (tr_host_get_store (tr_station_get_host (f->station))));
  g_assert_false (tr_store_set_menu (store, "[]", &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_STORE);
  g_clear_error (&error);

  g_assert_true (tr_station_submit (f->station, create, &error));
  g_assert_no_error (error);
  wait_announced (f, ticket->id);
  read = tr_station_get_ticket (f->station, ticket->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (read);
  g_assert_cmpint (read->status, ==, TR_TICKET_STATUS_NEW);
  g_clear_pointer (&read, tr_ticket_free);

  /* Each change is announced, and what is read then is the change. */
  g_ptr_array_set_size (f->changed, 0);
  start_op = tr_op_new_set_ticket_status ("grill", ticket->id, TR_TICKET_STATUS_PREPARING);
  g_assert_true (tr_station_submit (f->station, start_op, &error));
  wait_announced (f, ticket->id);
  read = tr_station_get_ticket (f->station, ticket->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->status, ==, TR_TICKET_STATUS_PREPARING);

  open = tr_station_list_tickets (f->station, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  g_assert_cmpstr (((TrTicket *)open->pdata[0])->id, ==, ticket->id);
  g_assert_null (tr_station_get_ticket (f->station, "no-such-ticket", &error));
  g_assert_no_error (error);

  /* The host applies its own ops at once: nothing waits in an outbox. */
  outbox = tr_station_list_outbox (f->station, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 0);
}

/* A host station's submit never waits for the writer: each op is judged
 * against the ticket as the ops before it leave it, and what the host
 * refuses later comes back as "op-rejected". */
static void
on_op_rejected (TrStation *station, const char *op_id, const char *code, const char *message,
                Fixture *f)
{
  g_ptr_array_add (f->changed, g_strdup_printf ("rejected %s %s", op_id, code));
}

static void
wait_settled (Fixture *f)
{
  gint64 give_up = g_get_monotonic_time () + GIVE_UP_US;

  while (tr_station_get_n_ops_in_flight (f->station) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_host_submit_in_order (Fixture *f, gconstpointer data)
{
  g_autoptr (TrTicket) ticket = make_ticket ("7");
  g_autoptr (TrOp) create = tr_op_new_create_ticket ("till", ticket);
  g_autoptr (TrOp) start_op
    = tr_op_new_set_ticket_status ("grill", ticket->id, TR_TICKET_STATUS_PREPARING);
  g_autoptr (TrOp) ready
    = tr_op_new_set_ticket_status ("grill", ticket->id, TR_TICKET_STATUS_READY);
  g_autoptr (TrOp) back_to_new
    = tr_op_new_set_ticket_status ("grill", ticket->id, TR_TICKET_STATUS_NEW);
  g_autoptr (TrOp) cancel
    = tr_op_new_set_ticket_status ("till", ticket->id, TR_TICKET_STATUS_CANCELLED);
  g_autoptr (TrOp) serve
    = tr_op_new_set_ticket_status ("till", ticket->id, TR_TICKET_STATUS_SERVED);
  g_autoptr (GPtrArray) first = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (TrTicket) read = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  TrStore *host_store = tr_host_get_store (tr_station_get_host (f->station));

  g_signal_connect (f->station, "op-rejected", G_CALLBACK (on_op_rejected), f);

  /* Three ops on one ticket in one go: none has reached the disk when
   * the next is judged. */
  g_assert_true (tr_station_submit (f->station, create, &error));
  g_assert_true (tr_station_submit (f->station, start_op, &error));
  g_assert_true (tr_station_submit (f->station, ready, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tr_station_get_n_ops_in_flight (f->station), ==, 3);
  g_assert_cmpint (tr_store_get_head_seq (host_store), ==, 0);
  /* Judged against "ready", not against what is on disk (nothing). */
  g_assert_false (tr_station_submit (f->station, back_to_new, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
  g_clear_error (&error);
  wait_settled (f);
  g_assert_cmpint (tr_store_get_head_seq (host_store), ==, 3);
  read = tr_station_get_ticket (f->station, ticket->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->status, ==, TR_TICKET_STATUS_READY);

  /* Another station cancels first; this one's serve, fine against what
   * it read, is refused by the host and said so. */
  g_ptr_array_add (first, tr_op_copy (cancel));
  tr_host_submit_ops_async (tr_station_get_host (f->station), first, NULL, got_result, f);
  g_assert_true (tr_station_submit (f->station, serve, &error));
  g_assert_no_error (error);
  wait_settled (f);
  wait_for_result (f);
  g_clear_object (&f->result);
  expected = g_strdup_printf ("rejected %s illegal_transition", serve->op_id);
  g_assert_true (announced (f, expected));
  g_assert_cmpint (tr_store_get_head_seq (host_store), ==, 4);
}

static void
test_host_submit_ops (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) demo = tr_demo_build_ops (4, tr_now_ms ());
  g_autoptr (GPtrArray) bad = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (TrTicket) ticket = make_ticket ("9");
  g_autoptr (TrTicket) read = NULL;
  g_autoptr (GPtrArray) open = NULL;
  g_autoptr (GError) error = NULL;
  TrStore *host_store = tr_host_get_store (tr_station_get_host (f->station));

  g_assert_true (submit_ops (f, demo, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tr_store_get_head_seq (host_store), ==, (gint64)demo->len);
  for (guint i = 0; i < demo->len; i++)
    g_assert_true (announced (f, ((TrOp *)demo->pdata[i])->ticket_id));
  open = tr_station_list_tickets (f->station, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 4);

  /* The first refusal is the answer; what came before it stays. */
  g_ptr_array_add (bad, tr_op_new_create_ticket ("till", ticket));
  g_ptr_array_add (bad, tr_op_new_set_ticket_status ("till", ticket->id, TR_TICKET_STATUS_SERVED));
  g_assert_false (submit_ops (f, bad, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
  g_clear_error (&error);
  read = tr_station_get_ticket (f->station, ticket->id, &error);
  g_assert_nonnull (read);
  g_assert_cmpint (read->status, ==, TR_TICKET_STATUS_NEW);
}

static void
test_menu (Fixture *f, gconstpointer data)
{
  TrStation *station = f->station;
  g_autoptr (GError) error = NULL;
  g_autofree char *menu = tr_station_load_menu (station, &error);
  g_autofree char *back = NULL;

  /* None yet. */
  g_assert_no_error (error);
  g_assert_null (menu);

  tr_station_save_menu_async (station, "[{\"name\":\"Dal Makhani\"}]", NULL, got_result, f);
  g_assert_null (f->result);
  wait_for_result (f);
  g_assert_true (tr_station_save_menu_finish (station, f->result, &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);

  back = tr_station_load_menu (station, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back, ==, "[{\"name\":\"Dal Makhani\"}]");
  g_clear_pointer (&back, g_free);
  /* On a host the host's own connection wrote it. */
  if (tr_station_get_mode (station) == TR_STATION_MODE_HOST)
    {
      back = tr_store_get_menu (tr_host_get_store (tr_station_get_host (station)), &error);
      g_assert_cmpstr (back, ==, "[{\"name\":\"Dal Makhani\"}]");
      g_clear_pointer (&back, g_free);
    }

  /* NULL forgets it. */
  tr_station_save_menu_async (station, NULL, NULL, got_result, f);
  wait_for_result (f);
  g_assert_true (tr_station_save_menu_finish (station, f->result, &error));
  g_clear_object (&f->result);
  back = tr_station_load_menu (station, &error);
  g_assert_no_error (error);
  g_assert_null (back);
}

/* ---- Client ---- */

/* Offline, a client's ops wait in its outbox, applied to what it shows,
 * and each is announced like a host's commit. */
static void
test_client_outbox (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) demo = tr_demo_build_ops (3, tr_now_ms ());
  g_autoptr (GPtrArray) outbox = NULL;
  g_autoptr (GPtrArray) open = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (submit_ops (f, demo, &error));
  g_assert_no_error (error);

  outbox = tr_station_list_outbox (f->station, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, demo->len);
  for (guint i = 0; i < outbox->len; i++)
    {
      g_assert_cmpstr (((TrOp *)outbox->pdata[i])->op_id, ==, ((TrOp *)demo->pdata[i])->op_id);
      g_assert_true (announced (f, ((TrOp *)demo->pdata[i])->ticket_id));
    }
  open = tr_station_list_tickets (f->station, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 3);
}

static guint
get_uint (gpointer object, const char *property)
{
  guint value = 0;

  g_object_get (object, property, &value, NULL);
  return value;
}

/* The timings reach the running client or host, clamped: out of their
 * bounds, and the interval to a third of the dead timeout. */
static void
test_timeouts (Fixture *f, gconstpointer data)
{
  TrTimeouts timeouts = { .heartbeat_interval_ms = 20000,
                          .dead_timeout_ms = 30000,
                          .backoff_max_ms = 1,
                          .websocket_failures = 7,
                          .hello_timeout_ms = 20000,
                          .host_heartbeat_timeout_ms = G_MAXUINT };
  TrClient *client = tr_station_get_client (f->station);
  TrHost *host = tr_station_get_host (f->station);

  tr_station_set_timeouts (f->station, &timeouts);
  if (client != NULL)
    {
      g_assert_null (host);
      g_assert_cmpuint (get_uint (client, "heartbeat-interval"), ==, 10000);
      g_assert_cmpuint (get_uint (client, "dead-timeout"), ==, 30000);
      g_assert_cmpuint (get_uint (client, "backoff-max"), ==, TR_TIMEOUT_BACKOFF_MAX_MIN);
      g_assert_cmpuint (get_uint (client, "websocket-failures"), ==, 7);
    }
  else
    {
      g_assert_nonnull (host);
      g_assert_cmpuint (get_uint (host, "hello-timeout"), ==, 20000);
      g_assert_cmpuint (get_uint (host, "heartbeat-timeout"), ==, TR_TIMEOUT_HOST_HEARTBEAT_MAX);
    }
  /* The caller's values are its own. */
  g_assert_cmpuint (timeouts.heartbeat_interval_ms, ==, 20000);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/station/host/reads", Fixture, NULL, host_set_up, test_host_reads, tear_down);
  g_test_add ("/station/host/submit-ops", Fixture, NULL, host_set_up, test_host_submit_ops,
              tear_down);
  g_test_add ("/station/host/submit-in-order", Fixture, NULL, host_set_up,
              test_host_submit_in_order, tear_down);
  g_test_add ("/station/host/timeouts", Fixture, NULL, host_set_up, test_timeouts, tear_down);
  g_test_add ("/station/client/timeouts", Fixture, NULL, client_set_up, test_timeouts, tear_down);
  g_test_add ("/station/host/menu", Fixture, NULL, host_set_up, test_menu, tear_down);
  g_test_add ("/station/client/outbox", Fixture, NULL, client_set_up, test_client_outbox,
              tear_down);
  g_test_add ("/station/client/menu", Fixture, NULL, client_set_up, test_menu, tear_down);

  return g_test_run ();
}
