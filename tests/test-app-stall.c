/* test-app-stall.c: in host mode the kitchen screen keeps drawing while
 * the disk stalls (issue 19)
 *
 * The real application runs as the host with its kitchen window, on a
 * SQLite VFS whose every sync sleeps 150 ms (tests/tr-test-stall-vfs.c),
 * registered before the app opens its store. A station connected over
 * loopback WebSocket sends orders without pause, so the host commits one
 * group after another; meanwhile a tick callback on the window records
 * every frame the GTK frame clock makes. The host's commits must not
 * hold the GTK thread: no two frames more than 50 ms apart while the
 * stalls go on, and the orders do commit (acked, applied).
 *
 * On a loaded two-core CI machine the scheduler alone can delay a frame
 * past 50 ms now and then, whatever the disk does. The syncs run back to
 * back for the whole measurement, so a GTK thread held by them misses
 * its frames in every half second; one that is not held keeps most half
 * seconds clean. So the run is cut into half-second windows, and at
 * least half of them must have no gap over 50 ms (every window's longest
 * gap is in the test's output).
 *
 * Under AddressSanitizer the window alone takes about 50 ms a frame on
 * such a machine with no stall at all, so there the gaps are reported
 * but not judged. What is judged in every build is the cause itself: the
 * stall VFS counts the syncs made on the GTK thread, and there must be
 * none (on a host that commits on its main loop, every commit is one).
 *
 * This holds only once the host commits on a writer thread of its own
 * (branch wt-hthread): on a host that commits on its main loop each
 * stall freezes the window for the whole 150 ms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-stall"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "tr-application.h"
#include "tr-protocol.h"
#include "tr-window.h"
#include "tr-test-stall-vfs.h"
#include "tr-test-util.h"

#define STALL_MS 150
#define MAX_FRAME_GAP_MS 50
/* Long enough for a dozen stalls back to back. */
#define MEASURE_MS 4000
#define WINDOW_MS 500
#define SEND_EVERY_MS 50
/* Orders sent and applied before measuring, so that the window has
 * left its empty state and laid out its grid of cards. */
#define WARM_UP_ORDERS 8
#define SETTLE_MS 1000
#define MIN_COMMITS 5
#define POLL_MS 20
#define GIVE_UP_MS (240 * 1000)

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir;
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gboolean done;
  gint64 started;

  SoupSession *session;
  SoupWebsocketConnection *ws;
  gboolean welcomed;
  gboolean closed;

  guint tick_id;
  GtkWidget *ticking;
  gboolean measuring;
  gint64 measure_started;
  GArray *frames; /* gint64 monotonic µs of each frame while measuring */

  guint send_id;
  guint n_sent;
  guint n_applied;
  guint syncs_before;
  guint gtk_syncs_before;
};

/* ---- The station that keeps ordering ---- */

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, Fixture *f)
{
  g_autoptr (GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  g_autoptr (TrFrame) frame = tr_frame_parse (data, length, &error);

  g_assert_no_error (error);
  if (frame->type == TR_FRAME_WELCOME)
    f->welcomed = TRUE;
  else if (frame->type == TR_FRAME_ACK)
    {
      g_assert_cmpint (frame->result, ==, TR_APPLY_APPLIED);
      f->n_applied++;
    }
}

static void
on_closed (SoupWebsocketConnection *ws, Fixture *f)
{
  f->closed = TRUE;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *hello = NULL;

  f->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  soup_websocket_connection_set_keepalive_interval (f->ws, 0);
  soup_websocket_connection_set_max_incoming_payload_size (f->ws, 64 * 1024 * 1024);
  g_signal_connect (f->ws, "message", G_CALLBACK (on_message), f);
  g_signal_connect (f->ws, "closed", G_CALLBACK (on_closed), f);
  hello = tr_frame_build_hello ("stall-till", "Till", "foh", NULL, NULL, 0);
  soup_websocket_connection_send_text (f->ws, hello);
}

static gboolean
send_order (gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  g_autoptr (TrOp) op = NULL;
  g_autofree char *text = NULL;
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->order_type = TR_ORDER_TYPE_TAKEAWAY;
  item->id = tr_uuid_new ();
  item->name = g_strdup ("Masala Chai");
  item->station = g_strdup ("bar");
  g_ptr_array_add (ticket->items, item);
  op = tr_op_new_create_ticket ("stall-till", ticket);
  text = tr_frame_build_op (op);
  soup_websocket_connection_send_text (f->ws, text);
  f->n_sent++;
  return G_SOURCE_CONTINUE;
}

/* ---- The window's frames ---- */

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  Fixture *f = user_data;

  if (f->measuring)
    {
      gint64 now = g_get_monotonic_time ();

      g_array_append_val (f->frames, now);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- Steps ---- */

static TrWindow *
find_window (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
step_connect (Fixture *f)
{
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  TrWindow *window = find_window (f);
  TrStation *station = tr_application_get_station (f->app);
  TrHost *host;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *url = NULL;

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)) || station == NULL)
    return FALSE;
  g_assert_cmpint (tr_station_get_mode (station), ==, TR_STATION_MODE_HOST);
  host = tr_station_get_host (station);
  /* The orders' sender is not paired: this test is about the disk. */
  g_object_set (host, "require-pairing", FALSE, NULL);

  f->ticking = g_object_ref (GTK_WIDGET (window));
  f->tick_id = gtk_widget_add_tick_callback (f->ticking, on_tick, f, NULL);

  f->session = soup_session_new ();
  url = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws", tr_host_get_bound_port (host));
  msg = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (f->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, NULL, on_connected, f);
  return TRUE;
}

static gboolean
step_warm_up (Fixture *f)
{
  g_assert_false (f->closed);
  if (!f->welcomed)
    return FALSE;
  for (guint i = 0; i < WARM_UP_ORDERS; i++)
    send_order (f);
  return TRUE;
}

static gboolean
step_measure (Fixture *f)
{
  g_assert_false (f->closed);
  if (f->n_applied < f->n_sent)
    return FALSE;
  if (f->measure_started == 0)
    {
      f->measure_started = g_get_monotonic_time () + SETTLE_MS * 1000;
      return FALSE;
    }
  if (g_get_monotonic_time () < f->measure_started)
    return FALSE;

  f->syncs_before = tr_test_stall_vfs_get_n_syncs ();
  f->gtk_syncs_before = tr_test_stall_vfs_get_n_syncs_on_watched ();
  f->measure_started = g_get_monotonic_time ();
  f->measuring = TRUE;
  f->send_id = g_timeout_add (SEND_EVERY_MS, send_order, f);
  return TRUE;
}

static gboolean
step_stop_sending (Fixture *f)
{
  if (g_get_monotonic_time () - f->measure_started < MEASURE_MS * 1000)
    return FALSE;
  g_clear_handle_id (&f->send_id, g_source_remove);
  return TRUE;
}

static gboolean
step_all_applied (Fixture *f)
{
  g_assert_false (f->closed);
  if (f->n_applied < f->n_sent)
    return FALSE;
  f->measuring = FALSE;
  return TRUE;
}

static int
compare_gaps (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

static gboolean
step_check (Fixture *f)
{
  g_autoptr (GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint syncs = tr_test_stall_vfs_get_n_syncs () - f->syncs_before;
  gint64 max_gap = 0;

  for (guint i = 1; i < f->frames->len; i++)
    {
      gint64 gap = g_array_index (f->frames, gint64, i) - g_array_index (f->frames, gint64, i - 1);

      g_array_append_val (gaps, gap);
      max_gap = MAX (max_gap, gap);
    }
  g_array_sort (gaps, compare_gaps);
  g_test_message ("%u orders applied; %u syncs of %d ms; %u frames, gaps p50 %.1f ms, "
                  "p99 %.1f ms, longest %.1f ms",
                  f->n_applied, syncs, STALL_MS, f->frames->len,
                  gaps->len ? g_array_index (gaps, gint64, gaps->len / 2) / 1000.0 : 0.0,
                  gaps->len ? g_array_index (gaps, gint64, gaps->len * 99 / 100) / 1000.0 : 0.0,
                  max_gap / 1000.0);

  /* The orders did commit, through stalling syncs, none of them on the
   * GTK thread. */
  g_assert_cmpuint (f->n_applied, ==, f->n_sent);
  g_assert_cmpuint (f->n_sent, >, 0);
  g_assert_cmpuint (syncs, >=, MIN_COMMITS);
  g_assert_cmpuint (tr_test_stall_vfs_get_n_syncs_on_watched () - f->gtk_syncs_before, ==, 0);
  /* And the window kept drawing: most half seconds without a gap. */
  {
    guint n_windows = MEASURE_MS / WINDOW_MS;
    g_autofree gint64 *window_max = g_new0 (gint64, n_windows);
    g_autoptr (GString) maxima = g_string_new (NULL);
    guint clean = 0;

    for (guint i = 1; i < f->frames->len; i++)
      {
        gint64 end = g_array_index (f->frames, gint64, i);
        gint64 gap = end - g_array_index (f->frames, gint64, i - 1);
        gint64 w = (end - f->measure_started) / (WINDOW_MS * 1000);

        if (w >= 0 && w < (gint64)n_windows)
          window_max[w] = MAX (window_max[w], gap);
      }
    for (guint w = 0; w < n_windows; w++)
      {
        g_string_append_printf (maxima, "%s%.1f", w ? ", " : "", window_max[w] / 1000.0);
        if (window_max[w] > 0 && window_max[w] <= MAX_FRAME_GAP_MS * 1000)
          clean++;
      }
    g_test_message ("longest gap in each %d ms window: %s ms; %u of %u windows within %d ms",
                    WINDOW_MS, maxima->str, clean, n_windows, MAX_FRAME_GAP_MS);
#if defined(__SANITIZE_ADDRESS__)
    /* Reported above, not judged: see the top of this file. */
    (void)clean;
#else
    if (clean * 2 < n_windows)
      g_error ("frame gaps over %d ms in %u of %u half-second windows (longest %.1f ms) while the "
               "host committed through %d ms syncs: the disk held the GTK thread",
               MAX_FRAME_GAP_MS, n_windows - clean, n_windows, max_gap / 1000.0, STALL_MS);
#endif
  }
  /* The frame clock ran through the stalls. How often it drew is judged
   * above where the machine allows (not under ASan, where a CI run at
   * load 24 drew 6 frames in the 4 s with no sync on the GTK thread). */
  g_assert_cmpuint (f->frames->len, >, 1);
  return TRUE;
}

static gboolean
step_quit (Fixture *f)
{
  gtk_widget_remove_tick_callback (f->ticking, f->tick_id);
  g_clear_object (&f->ticking);
  soup_websocket_connection_close (f->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  f->done = TRUE;
  return TRUE;
}

static gboolean
poll_steps (gpointer data)
{
  Fixture *f = data;

  if (g_get_monotonic_time () / 1000 - f->started > GIVE_UP_MS)
    g_error ("Gave up waiting at step %u", f->step);

  while (f->steps[f->step] != NULL && f->steps[f->step](f))
    f->step++;

  if (f->steps[f->step] == NULL)
    return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

static void
test_frames_during_stalls (void)
{
  StepFunc steps[] = { step_connect,     step_warm_up, step_measure, step_stop_sending,
                       step_all_applied, step_check,   step_quit,    NULL };
  g_autoptr (GError) error = NULL;
  Fixture f = { 0 };
  int status;

  f.dir = g_dir_make_tmp ("ticketrail-test-app-stall-XXXXXX", &error);
  g_assert_no_error (error);
  f.frames = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Before the app opens host.db, so that every connection to it
   * (the host's, the checkpointer's, the views') stalls on sync. */
  tr_test_stall_vfs_register ();
  tr_test_stall_vfs_set_delay (STALL_MS);
  tr_test_stall_vfs_watch_thread ();

  f.app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f.app), g_application_get_flags (G_APPLICATION (f.app))
                                                    | G_APPLICATION_NON_UNIQUE);
  {
    /* The kitchen screen is the grill's and the orders are the bar's:
     * the window stays up and ticking, and what is measured is the
     * host's commits, not the cost of laying out a new card (the idle
     * and rendering costs have benches of their own). */
    char *argv[] = { (char *)"ticketrail", (char *)"--host",
                     (char *)"--station",  (char *)"grill",
                     (char *)"--data-dir", f.dir,
                     (char *)"--port",     (char *)"0",
                     (char *)"--loopback", NULL };

    f.steps = steps;
    f.started = g_get_monotonic_time () / 1000;
    g_timeout_add (POLL_MS, poll_steps, &f);
    status = g_application_run (G_APPLICATION (f.app), G_N_ELEMENTS (argv) - 1, argv);
  }
  g_assert_cmpint (status, ==, 0);
  g_assert_true (f.done);

  while (gtk_application_get_windows (GTK_APPLICATION (f.app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f.app))->data);
  while (!f.closed)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f.ws);
  g_clear_object (&f.session);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f.app);
  g_array_unref (f.frames);
  tr_test_remove_tree (f.dir);
  g_free (f.dir);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app-stall/frames-during-stalls", test_frames_during_stalls);

  return g_test_run ();
}
