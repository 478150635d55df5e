/* test-training.c: training mode in the core (docs/training.md)
 *
 * Real files, a real host on loopback and a real client station: the
 * training tickets never reach host.db, Clear removes them all, the live
 * state is the same after a round trip through training, and an op a
 * station queued live is dropped, not replayed, when its host comes
 * back in training.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "tr-codec.h"
#include "tr-demo.h"
#include "tr-error.h"
#include "tr-protocol.h"
#include "tr-station.h"
#include "tr-store-training.h"
#include "tr-test-util.h"
#include "tr-ticket.h"

#define DEADLINE_US (60 * G_USEC_PER_SEC)

typedef gboolean (*Condition) (gpointer data);

static void
wait_until (Condition condition, gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
flag_set (gpointer data)
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

static void
submit_and_wait (TrStation *station, GPtrArray *ops)
{
  gboolean done = FALSE;

  tr_station_submit_ops_async (station, ops, NULL, on_submitted, &done);
  wait_until (flag_set, &done, "the ops to be committed");
}

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_station_clear_training_finish (TR_STATION (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

static void
stop_station (TrStation **station)
{
  tr_station_shutdown (*station);
  g_clear_object (station);
}

/* The tickets in a database file, read on a connection of our own. */
static GPtrArray *
file_tickets (const char *dir, const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr (TrStore) store = tr_store_open_readonly (path, &error);
  GPtrArray *tickets;

  g_assert_no_error (error);
  tickets = tr_store_list_tickets (store, FALSE, NULL, &error);
  g_assert_no_error (error);
  return tickets;
}

static char *
file_hash (const char *dir, const char *file)
{
  g_autoptr (GPtrArray) tickets = file_tickets (dir, file);

  return tr_tickets_hash (tickets);
}

static gboolean
has_ticket (GPtrArray *tickets, const char *id)
{
  for (guint i = 0; i < tickets->len; i++)
    if (g_strcmp0 (((TrTicket *)g_ptr_array_index (tickets, i))->id, id) == 0)
      return TRUE;
  return FALSE;
}

static GPtrArray *
two_live_tickets (void)
{
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (TrTicket) ticket = tr_ticket_new ();
      TrItem *item = tr_item_new ();

      ticket->id = tr_uuid_new ();
      ticket->order_type = TR_ORDER_TYPE_TAKEAWAY;
      item->id = tr_uuid_new ();
      item->name = g_strdup ("Dal Makhani");
      g_ptr_array_add (ticket->items, item);
      g_ptr_array_add (ops, tr_op_new_create_ticket ("till", ticket));
    }
  return ops;
}

static void
test_welcome_says_training (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *on = tr_frame_build_welcome_training ("h", 3, 1000, 0, TRUE);
  g_autofree char *off = tr_frame_build_welcome_full ("h", 3, 1000, 0);
  g_autoptr (TrFrame) frame = NULL;
  const char *older = "{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,\"server_time\":1}";
  const char *bad = "{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,\"server_time\":1,"
                    "\"training\":\"yes\"}";

  frame = tr_frame_parse (on, strlen (on), &error);
  g_assert_no_error (error);
  g_assert_true (frame->training);
  g_clear_pointer (&frame, tr_frame_free);

  frame = tr_frame_parse (off, strlen (off), &error);
  g_assert_no_error (error);
  g_assert_false (frame->training);
  g_assert_nonnull (strstr (off, "\"training\":false"));
  g_clear_pointer (&frame, tr_frame_free);

  /* An older host says nothing: live. */
  frame = tr_frame_parse (older, strlen (older), &error);
  g_assert_no_error (error);
  g_assert_false (frame->training);
  g_clear_pointer (&frame, tr_frame_free);

  /* Not a boolean: a malformed welcome, not a guess. */
  frame = tr_frame_parse (bad, strlen (bad), &error);
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
  g_assert_null (frame);
}

typedef struct
{
  GBytes *body;
  GError *error;
  gboolean done;
} Fetch;

static void
on_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &fetch->error);
  fetch->done = TRUE;
}

/* The host serves on this thread's context: ask without blocking it. */
static gboolean
health_says_training (TrStation *host)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/health",
                                          tr_host_get_bound_port (tr_station_get_host (host)));
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  Fetch fetch = { 0 };

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_fetched, &fetch);
  wait_until (flag_set, &fetch.done, "the health answer");
  g_assert_no_error (fetch.error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  root = json_from_string (g_bytes_get_data (fetch.body, NULL), &error);
  g_bytes_unref (fetch.body);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (json_node_get_object (root), "training"));
  return json_object_get_boolean_member (json_node_get_object (root), "training");
}

static void
test_training_never_touches_live (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ticketrail-test-training-XXXXXX", &error);
  g_autoptr (GPtrArray) live_ops = two_live_tickets ();
  g_autoptr (GPtrArray) demo_ops = NULL;
  g_autoptr (GPtrArray) live_after = NULL;
  g_autoptr (GPtrArray) training = NULL;
  g_autofree char *live_hash = NULL;
  g_autofree char *live_hash_after = NULL;
  g_autofree char *live_path = g_build_filename (dir, TR_STORE_HOST_FILE, NULL);
  g_autofree char *training_id = NULL;
  TrStation *station;
  GStatBuf before, after;
  gboolean cleared = FALSE;

  g_assert_no_error (error);

  /* Live: two tickets. */
  station = tr_station_new_host_full (dir, 0, TRUE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (tr_station_is_training (station));
  g_assert_false (health_says_training (station));
  submit_and_wait (station, live_ops);
  stop_station (&station);
  live_hash = file_hash (dir, TR_STORE_HOST_FILE);
  g_assert_cmpint (g_stat (live_path, &before), ==, 0);

  /* Training: the demo, through the op path. */
  station = tr_station_new_host_full (dir, 0, TRUE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (tr_station_is_training (station));
  g_assert_true (health_says_training (station));
  training_id = g_strdup (tr_station_get_station_id (station));
  demo_ops = tr_demo_build_ops (TR_DEMO_N_TICKETS, tr_now_ms ());
  submit_and_wait (station, demo_ops);
  stop_station (&station);

  /* Not one training ticket in host.db, which is exactly as it was. */
  training = file_tickets (dir, TR_STORE_TRAINING_FILE);
  g_assert_cmpuint (training->len, ==, TR_DEMO_N_TICKETS);
  live_after = file_tickets (dir, TR_STORE_HOST_FILE);
  g_assert_cmpuint (live_after->len, ==, 2);
  for (guint i = 0; i < training->len; i++)
    g_assert_false (has_ticket (live_after, ((TrTicket *)training->pdata[i])->id));
  live_hash_after = file_hash (dir, TR_STORE_HOST_FILE);
  g_assert_cmpstr (live_hash_after, ==, live_hash);
  g_assert_cmpint (g_stat (live_path, &after), ==, 0);
  g_assert_cmpint (after.st_size, ==, before.st_size);
  g_assert_cmpint (after.st_mtime, ==, before.st_mtime);

  /* Clear: through the host's writer, then a restart on the file. */
  station = tr_station_new_host_full (dir, 0, TRUE, TRUE, &error);
  g_assert_no_error (error);
  tr_station_clear_training_async (station, NULL, on_cleared, &cleared);
  wait_until (flag_set, &cleared, "the training tickets to be cleared");
  stop_station (&station);
  g_clear_pointer (&training, g_ptr_array_unref);
  training = file_tickets (dir, TR_STORE_TRAINING_FILE);
  g_assert_cmpuint (training->len, ==, 0);

  station = tr_station_new_host_full (dir, 0, TRUE, TRUE, &error);
  g_assert_no_error (error);
  /* A new history: stations that knew the old one take a snapshot. */
  g_assert_cmpstr (tr_station_get_station_id (station), !=, training_id);
  g_assert_cmpint (tr_store_get_head_seq (tr_station_get_store (station)), ==, 0);
  stop_station (&station);

  /* Back to live: the state it had. */
  station = tr_station_new_host_full (dir, 0, TRUE, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&live_after, g_ptr_array_unref);
  live_after = tr_station_list_tickets (station, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&live_hash_after, g_free);
  live_hash_after = tr_tickets_hash (live_after);
  g_assert_cmpstr (live_hash_after, ==, live_hash);
  stop_station (&station);

  tr_test_remove_tree (dir);
}

static void
on_clear_refused (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (tr_station_clear_training_finish (TR_STATION (source), result, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  *(gboolean *)user_data = TRUE;
}

/* Live data is never cleared, whatever asks. */
static void
test_clear_refused_live (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ticketrail-test-training-XXXXXX", &error);
  g_autoptr (TrStation) station = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) ops = two_live_tickets ();
  g_autoptr (GPtrArray) tickets = NULL;
  gboolean refused = FALSE;

  station = tr_station_new_host_full (dir, 0, TRUE, FALSE, &error);
  g_assert_no_error (error);
  submit_and_wait (station, ops);
  tr_station_clear_training_async (station, NULL, on_clear_refused, &refused);
  wait_until (flag_set, &refused, "the refusal");
  tickets = tr_station_list_tickets (station, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tickets->len, ==, 2);
  tr_station_shutdown (station);
  g_clear_object (&station);
  tr_test_remove_tree (dir);
}

static void
test_pairings_follow (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ticketrail-test-training-XXXXXX", &error);
  g_autofree char *live_path = g_build_filename (dir, TR_STORE_HOST_FILE, NULL);
  g_autofree char *training_path = g_build_filename (dir, TR_STORE_TRAINING_FILE, NULL);
  g_autoptr (TrStore) live = tr_store_open (live_path, TR_STORE_DURABILITY_FULL, &error);
  g_autoptr (TrStore) training = NULL;
  g_autoptr (TrPairedStation) found = NULL;
  TrPairingStatus status;
  gint64 now = tr_now_ms ();

  g_assert_no_error (error);
  g_assert_true (tr_store_add_pairing_code (live, "123456", now, now + 60000, &error));
  g_assert_true (tr_store_redeem_pairing_code (live, "123456", now, "grill-1", "Grill", "kitchen",
                                               "feedbeef", &status, &error));
  g_assert_no_error (error);
  g_clear_object (&live);

  training = tr_store_open (training_path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  g_assert_null (tr_store_lookup_token (training, "feedbeef", &error));
  g_assert_no_error (error);
  g_assert_true (tr_store_copy_pairings (training, live_path, &error));
  g_assert_no_error (error);
  found = tr_store_lookup_token (training, "feedbeef", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_clear_object (&training);

  /* No host.db: nothing to copy, and none is made. */
  tr_test_remove_tree (dir);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  training = tr_store_open (training_path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_copy_pairings (training, live_path, &error));
  g_assert_false (g_file_test (live_path, G_FILE_TEST_EXISTS));
  g_clear_object (&training);
  tr_test_remove_tree (dir);
}

typedef struct
{
  TrStation *client;
  guint n_switch_rejections;
  char *rejected_op;
} Follower;

static void
on_op_rejected (TrStation *station, const char *op_id, const char *code, const char *message,
                Follower *f)
{
  g_assert_cmpstr (code, ==, TR_REJECT_TRAINING_SWITCH);
  g_assert_cmpstr (message, !=, "");
  f->n_switch_rejections++;
  g_free (f->rejected_op);
  f->rejected_op = g_strdup (op_id);
}

static gboolean
client_online (gpointer data)
{
  Follower *f = data;

  return tr_station_get_link_state (f->client) == TR_CLIENT_STATE_ONLINE_WEBSOCKET
         && tr_store_get_host_id (tr_station_get_store (f->client))[0] != '\0';
}

static gboolean
client_offline (gpointer data)
{
  return !client_online (data);
}

static gboolean
client_in_training (gpointer data)
{
  Follower *f = data;

  return tr_station_is_training (f->client) && f->n_switch_rejections > 0;
}

static gboolean
client_sees_n_tickets (gpointer data)
{
  Follower *f = data;
  g_autoptr (GPtrArray) tickets = tr_station_list_tickets (f->client, FALSE, NULL);

  return tickets != NULL
         && tickets->len == GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->client), "want"));
}

static TrStation *
start_host (const char *dir, guint port, gboolean training)
{
  g_autoptr (GError) error = NULL;
  TrStation *host = tr_station_new_host_full (dir, port, TRUE, training, &error);

  g_assert_no_error (error);
  g_object_set (tr_station_get_host (host), "require-pairing", FALSE, NULL);
  return host;
}

static void
test_outbox_dropped_on_switch (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *host_dir = g_dir_make_tmp ("ticketrail-test-training-XXXXXX", &error);
  g_autofree char *client_dir = g_dir_make_tmp ("ticketrail-test-training-XXXXXX", &error);
  g_autoptr (GPtrArray) ops = two_live_tickets ();
  g_autoptr (GPtrArray) live = NULL;
  g_autoptr (GPtrArray) outbox = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autofree char *url = NULL;
  g_autofree char *live_hash = NULL;
  g_autofree char *live_hash_after = NULL;
  const char *ticket_id = ((TrOp *)ops->pdata[0])->ticket->id;
  guint port = tr_test_free_port ();
  TrStation *host;
  Follower f = { 0 };

  host = start_host (host_dir, port, FALSE);
  submit_and_wait (host, ops);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  f.client = tr_station_new_client (client_dir, url, "Grill", "kitchen", &error);
  g_assert_no_error (error);
  g_object_set (tr_station_get_client (f.client), "backoff-min", 50, "backoff-max", 200, NULL);
  g_signal_connect (f.client, "op-rejected", G_CALLBACK (on_op_rejected), &f);
  g_object_set_data (G_OBJECT (f.client), "want", GUINT_TO_POINTER (2));
  wait_until (client_online, &f, "the station to follow the live host");
  wait_until (client_sees_n_tickets, &f, "the live tickets at the station");
  g_assert_false (tr_station_is_training (f.client));

  /* The host goes away; a cook bumps a live ticket meanwhile. */
  stop_station (&host);
  wait_until (client_offline, &f, "the station to notice");
  bump = tr_op_new_set_ticket_status (tr_station_get_station_id (f.client), ticket_id,
                                      TR_TICKET_STATUS_PREPARING);
  g_assert_true (tr_station_submit (f.client, bump, &error));
  g_assert_no_error (error);
  outbox = tr_station_list_outbox (f.client, &error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_clear_pointer (&outbox, g_ptr_array_unref);

  /* It comes back in training: the live bump is dropped, not sent. */
  host = start_host (host_dir, port, TRUE);
  wait_until (client_in_training, &f, "the station to see training");
  g_assert_cmpuint (f.n_switch_rejections, ==, 1);
  g_assert_cmpstr (f.rejected_op, ==, bump->op_id);
  outbox = tr_station_list_outbox (f.client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 0);
  g_object_set_data (G_OBJECT (f.client), "want", GUINT_TO_POINTER (0));
  wait_until (client_sees_n_tickets, &f, "the station to show training's (none)");
  stop_station (&host);

  /* host.db never got it: both tickets still new. */
  live = file_tickets (host_dir, TR_STORE_HOST_FILE);
  g_assert_cmpuint (live->len, ==, 2);
  for (guint i = 0; i < live->len; i++)
    g_assert_cmpint (((TrTicket *)live->pdata[i])->status, ==, TR_TICKET_STATUS_NEW);

  stop_station (&f.client);
  g_free (f.rejected_op);
  tr_test_remove_tree (host_dir);
  tr_test_remove_tree (client_dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("TICKETRAIL_DNSSD", "0", TRUE);

  g_test_add_func ("/training/welcome", test_welcome_says_training);
  g_test_add_func ("/training/never-touches-live", test_training_never_touches_live);
  g_test_add_func ("/training/clear-refused-live", test_clear_refused_live);
  g_test_add_func ("/training/pairings-follow", test_pairings_follow);
  g_test_add_func ("/training/outbox-dropped-on-switch", test_outbox_dropped_on_switch);
  return g_test_run ();
}
