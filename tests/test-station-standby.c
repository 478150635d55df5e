/* test-station-standby.c: a native station made the standby from the
 * host, promoted when the host is gone, and another station that finds
 * it through the fallback address (issue 17; tr-station-standby.h,
 * tr_host_invite_standby()). Real stations in this process, on
 * loopback; the standby's copy is written on its own thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "tr-demo.h"
#include "tr-station-standby.h"
#include "tr-test-peer.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir_a, *dir_b, *dir_c;
  TrStation *a, *b, *c;
  TrStationStandby *keeper_b;
  guint port_b;
  char *url_a;
  char *url_b;
  GAsyncResult *result;
} Fixture;

static gboolean
has_result (gpointer data)
{
  return ((Fixture *)data)->result != NULL;
}

static void
got_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  f->result = g_object_ref (result);
}

static char *
make_dir (const char *name)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (name, &error);

  g_assert_no_error (error);
  return dir;
}

static void
submit_demo (Fixture *f, guint n)
{
  g_autoptr (GPtrArray) ops = tr_demo_build_ops (n, g_get_real_time () / 1000);
  g_autoptr (GError) error = NULL;

  tr_station_submit_ops_async (f->a, ops, NULL, got_result, f);
  tr_test_wait_for (has_result, f, "the host to take the tickets");
  g_assert_true (tr_station_submit_ops_finish (f->a, f->result, &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
}

static TrStation *
paired_client (Fixture *f, const char *dir, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = tr_host_new_pairing_code (tr_station_get_host (f->a), NULL, &error);
  TrStation *station;

  g_assert_no_error (error);
  station = tr_station_new_client (dir, f->url_a, name, "kitchen", &error);
  g_assert_no_error (error);
  tr_client_pair_async (tr_station_get_client (station), code, NULL, got_result, f);
  tr_test_wait_for (has_result, f, "the pairing");
  g_assert_true (tr_client_pair_finish (tr_station_get_client (station), f->result, &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
  return station;
}

static gboolean
online (gpointer data)
{
  return tr_station_get_link_state (data) == TR_CLIENT_STATE_ONLINE_WEBSOCKET;
}

static gboolean
standby_in_sync (gpointer data)
{
  Fixture *f = data;
  TrHost *host = tr_station_get_host (f->a);
  g_autoptr (GPtrArray) tickets = tr_station_list_tickets (f->a, FALSE, NULL);

  return tr_station_standby_is_active (f->keeper_b) && tr_host_get_standby_connected (host)
         && tr_station_standby_get_head_seq (f->keeper_b)
              >= tr_store_get_head_seq (tr_station_get_store (f->a))
         && tickets->len > 0;
}

static gboolean
c_knows_standby (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (tr_client_get_standby_url (tr_station_get_client (f->c)), f->url_b) == 0;
}

static gboolean
c_follows_b (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autofree char *url = NULL;

  if (!online (f->c))
    return FALSE;
  g_object_get (tr_station_get_client (f->c), "host-url", &url, NULL);
  tickets = tr_station_list_tickets (f->c, FALSE, NULL);
  return g_strcmp0 (url, f->url_b) == 0 && tickets != NULL && tickets->len == 8;
}

static void
test_invite_promote_follow (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  TrStationStandby *keeper_c;
  gint64 gen = 0;
  gint64 head;

  g_setenv ("TICKETRAIL_DNSSD", "0", TRUE);
  g_setenv ("TICKETRAIL_FALLBACK_MS", "300", TRUE);
  f->dir_a = make_dir ("test-station-standby-a-XXXXXX");
  f->dir_b = make_dir ("test-station-standby-b-XXXXXX");
  f->dir_c = make_dir ("test-station-standby-c-XXXXXX");
  f->port_b = tr_test_free_port ();
  f->url_b = g_strdup_printf ("http://127.0.0.1:%u", f->port_b);

  f->a = tr_station_new_host (f->dir_a, 0, TRUE, &error);
  g_assert_no_error (error);
  f->url_a
    = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (tr_station_get_host (f->a)));
  submit_demo (f, 5);

  f->b = paired_client (f, f->dir_b, "Grill");
  f->c = paired_client (f, f->dir_c, "Expo");
  f->keeper_b = tr_station_standby_ensure (f->b, f->dir_b, f->port_b);
  keeper_c = tr_station_standby_ensure (f->c, f->dir_c, 0);
  g_assert_nonnull (f->keeper_b);
  g_assert_true (tr_station_standby_ensure (f->c, f->dir_c, 0) == keeper_c);
  g_assert_false (tr_station_standby_is_active (f->keeper_b));
  tr_test_wait_for (online, f->b, "station B online");
  tr_test_wait_for (online, f->c, "station C online");

  /* The monitor's choice: B becomes the standby, copying in its folder. */
  g_assert_false (tr_host_invite_standby (tr_station_get_host (f->a), "nobody", &error));
  g_clear_error (&error);
  g_assert_true (
    tr_host_invite_standby (tr_station_get_host (f->a), tr_station_get_station_id (f->b), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tr_host_get_standby_invited (tr_station_get_host (f->a)), ==,
                   tr_station_get_station_id (f->b));
  tr_test_wait_for (standby_in_sync, f, "B's standby in sync");
  submit_demo (f, 3);
  tr_test_wait_for (standby_in_sync, f, "B's standby in sync again");
  head = tr_store_get_head_seq (tr_station_get_store (f->a));
  g_assert_cmpint (tr_station_standby_get_head_seq (f->keeper_b), ==, head);
  /* Every station learns where the standby would serve. */
  tr_test_wait_for (c_knows_standby, f, "C to learn the standby's address");

  /* The host dies; B's copy becomes the host on B's port. */
  tr_station_shutdown (f->a);
  tr_station_standby_promote_async (f->keeper_b, NULL, got_result, f);
  tr_test_wait_for (has_result, f, "the promotion");
  g_assert_true (tr_station_standby_promote_finish (f->keeper_b, f->result, &gen, &error));
  g_assert_no_error (error);
  g_clear_object (&f->result);
  g_assert_cmpint (gen, ==, 2);
  g_assert_false (tr_station_standby_is_active (f->keeper_b));
  tr_station_shutdown (f->b);
  g_assert_finalize_object (f->b);
  f->b = tr_station_new_host (f->dir_b, f->port_b, TRUE, &error);
  g_assert_no_error (error);
  tickets = tr_station_list_tickets (f->b, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tickets->len, ==, 8);
  g_assert_cmpint (tr_store_get_head_seq (tr_station_get_store (f->b)), ==, head);

  /* C was never told anything: it finds the new host by itself, with
   * its old token, and has every ticket. */
  tr_test_wait_for (c_follows_b, f, "C to follow the promoted station");

  tr_station_shutdown (f->c);
  tr_station_shutdown (f->b);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->c);
  g_assert_finalize_object (f->b);
  g_assert_finalize_object (f->a);
  tr_test_remove_tree (f->dir_a);
  tr_test_remove_tree (f->dir_b);
  tr_test_remove_tree (f->dir_c);
  g_free (f->dir_a);
  g_free (f->dir_b);
  g_free (f->dir_c);
  g_free (f->url_a);
  g_free (f->url_b);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/station-standby/invite-promote-follow", test_invite_promote_follow);
  return g_test_run ();
}
