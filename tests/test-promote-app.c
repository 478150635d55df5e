/* test-promote-app.c: the app as the host's standby, promoted from its
 * banner, and a second station that follows it without typing (issue 17)
 *
 * The host is a station in this process (so the test can make it vanish,
 * as a dead tablet does: tr_station_shutdown()); the standby is the real
 * application in a real window under Xvfb, chosen in the host monitor's
 * Standby row; the second station is a client in this process that only
 * knows the old host's address. The unreachable delay is shortened
 * through TICKETRAIL_HOST_UNREACHABLE_MS (the default stays 30 s).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-promote-app"

#include "config.h"

#include <string.h>

#include "tr-application.h"
#include "tr-demo.h"
#include "tr-host-monitor.h"
#include "tr-preferences-window.h"
#include "tr-promote-banner.h"
#include "tr-standby-row.h"
#include "tr-station-standby.h"
#include "tr-store-lineage.h"
#include "tr-window.h"
#include "tr-test-util.h"

#define POLL_MS 50
#define GIVE_UP_MS (240 * 1000)
#define N_TICKETS 6

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir_a, *dir_app, *dir_c;
  TrApplication *app;
  TrStation *a, *c;
  TrHostMonitor *monitor;
  guint port;
  char *url_a, *url_new;
  gboolean paired_c;
  gboolean submitted;
  gboolean pairing_sent;
  GtkWidget *dialog;
  char *dialog_body;
  StepFunc *steps;
  guint step;
  gint64 started;
  gboolean done;
  gulong after_paint; /* waiting to take the screenshot */
  gboolean shot;      /* taken (or not wanted) */
  gint64 tapped_at;   /* monotonic ms: Make Host pressed */
  gint64 hosting_at;
};

static char *
make_dir (const char *name)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (name, &error);

  g_assert_no_error (error);
  return dir;
}

static TrStation *
app_station (Fixture *f)
{
  return tr_application_get_station (f->app);
}

static TrWindow *
find_window (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
online (TrStation *station)
{
  return station != NULL && tr_station_get_link_state (station) == TR_CLIENT_STATE_ONLINE_WEBSOCKET;
}

static void
save_png (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("TICKETRAIL_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  if (dir == NULL)
    {
      gtk_snapshot_free_to_node (snapshot);
      return;
    }
  path = g_build_filename (dir, name, NULL);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA){ 0.98, 0.98, 0.98, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  {
    /* The window as it is on screen, children and their styles included. */
    g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);

    gdk_paintable_snapshot (paintable, snapshot, width, height);
  }
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s", path);
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
on_c_paired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_client_pair_finish (TR_CLIENT (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

/* ---- Steps ---- */

/* The app follows the old host; its cook enters the pairing code. */
static gboolean
step_app_paired (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  if (find_window (f) == NULL || app_station (f) == NULL)
    return FALSE;
  if (!f->pairing_sent)
    {
      g_autofree char *code = tr_host_new_pairing_code (tr_station_get_host (f->a), NULL, &error);

      g_assert_no_error (error);
      g_action_group_activate_action (G_ACTION_GROUP (f->app), "pair", g_variant_new_string (code));
      f->pairing_sent = TRUE;
    }
  return online (app_station (f));
}

/* The second station, and the tickets the host takes meanwhile. */
static gboolean
step_second_station (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  if (f->c == NULL)
    {
      g_autofree char *code = tr_host_new_pairing_code (tr_station_get_host (f->a), NULL, &error);
      g_autoptr (GPtrArray) ops = tr_demo_build_ops (N_TICKETS, g_get_real_time () / 1000);

      g_assert_no_error (error);
      f->c = tr_station_new_client (f->dir_c, f->url_a, "Expo", "expo", &error);
      g_assert_no_error (error);
      tr_client_pair_async (tr_station_get_client (f->c), code, NULL, on_c_paired, &f->paired_c);
      /* It falls back on the standby's address by itself. */
      tr_station_standby_ensure (f->c, f->dir_c, 0);
      tr_station_submit_ops_async (f->a, ops, NULL, on_submitted, &f->submitted);
    }
  return f->paired_c && f->submitted && online (f->c);
}

/* The manager picks the app's station in the host monitor's Standby row. */
static gboolean
step_choose_standby (Fixture *f)
{
  TrStandbyRow *row;

  if (f->monitor == NULL)
    {
      f->monitor = tr_host_monitor_new (NULL, f->a, NULL);
      gtk_window_present (GTK_WINDOW (f->monitor));
    }
  row = TR_STANDBY_ROW (tr_host_monitor_get_standby_row (f->monitor));
  g_assert_nonnull (row);
  tr_standby_row_refresh (row);
  if (tr_host_get_standby_invited (tr_station_get_host (f->a)) == NULL)
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "No standby"));
  tr_standby_row_choose (row, tr_station_get_station_id (app_station (f)));
  return g_strcmp0 (tr_host_get_standby_invited (tr_station_get_host (f->a)),
                    tr_station_get_station_id (app_station (f)))
         == 0;
}

static gboolean
step_standby_in_sync (Fixture *f)
{
  TrStationStandby *keeper = tr_station_standby_get (app_station (f));
  TrHost *host = tr_station_get_host (f->a);
  const char *subtitle;

  if (keeper == NULL || !tr_station_standby_is_active (keeper)
      || !tr_host_get_standby_connected (host)
      || tr_station_standby_get_head_seq (keeper)
           < tr_store_get_head_seq (tr_station_get_store (f->a))
      || g_strcmp0 (tr_client_get_standby_url (tr_station_get_client (f->c)), f->url_new) != 0)
    return FALSE;
  tr_host_monitor_refresh (f->monitor);
  subtitle
    = adw_action_row_get_subtitle (ADW_ACTION_ROW (tr_host_monitor_get_standby_row (f->monitor)));
  g_assert_nonnull (strstr (subtitle, "In sync"));
  return TRUE;
}

/* The host dies: no close, no goodbye that the stations could act on. */
static gboolean
step_host_dies (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&f->monitor)));
  tr_station_shutdown (f->a);
  return TRUE;
}

/* Right after a frame was painted, every widget has its allocation: the
 * link's labels change between frames, and a snapshot taken then would
 * meet a widget not laid out again yet. */
static void
on_after_paint (GdkFrameClock *clock, Fixture *f)
{
  save_png (GTK_WIDGET (find_window (f)), "host-not-answering.png");
  g_clear_signal_handler (&f->after_paint, clock);
  f->shot = TRUE;
}

static gboolean
step_banner_offers (Fixture *f)
{
  TrWindow *window = find_window (f);
  TrPromoteBanner *banner = TR_PROMOTE_BANNER (tr_window_get_promote_banner (window));

  if (!tr_promote_banner_get_revealed (banner)
      || !gtk_widget_get_visible (GTK_WIDGET (tr_promote_banner_get_button (banner))))
    return FALSE;
  g_assert_nonnull (strstr (tr_promote_banner_get_text (banner), "The host is not answering"));
  if (!f->shot && f->after_paint == 0)
    {
      f->after_paint = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)),
                                         "after-paint", G_CALLBACK (on_after_paint), f);
      gtk_widget_queue_draw (GTK_WIDGET (window));
    }
  if (!f->shot)
    return FALSE;
  gtk_widget_activate (GTK_WIDGET (tr_promote_banner_get_button (banner)));
  return TRUE;
}

static gboolean
step_dialog (Fixture *f)
{
  /* Owned by GTK. */
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) widget = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (widget) && gtk_widget_get_mapped (widget))
        {
          const char *body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (widget));
          g_autofree char *seq = g_strdup_printf (
            "#%" G_GINT64_FORMAT,
            tr_station_standby_get_head_seq (tr_station_standby_get (app_station (f))));

          g_test_message ("The dialog says: %s", body);
          g_assert_nonnull (strstr (body, "This station has every change up to"));
          g_assert_nonnull (strstr (body, seq));
          g_assert_nonnull (strstr (body, "Nothing is missing"));
          f->tapped_at = g_get_monotonic_time () / 1000;
          adw_message_dialog_response (ADW_MESSAGE_DIALOG (widget), "promote");
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
step_app_hosts (Fixture *f)
{
  TrStation *station = app_station (f);
  g_autoptr (GPtrArray) tickets = NULL;

  if (station == NULL || tr_station_get_mode (station) != TR_STATION_MODE_HOST)
    return FALSE;
  g_assert_cmpuint (tr_host_get_bound_port (tr_station_get_host (station)), ==, f->port);
  tickets = tr_station_list_tickets (station, FALSE, NULL);
  g_assert_cmpuint (tickets->len, ==, N_TICKETS);
  f->hosting_at = g_get_monotonic_time () / 1000;
  return TRUE;
}

/* Nobody typed anything on the second station. */
static gboolean
step_c_follows (Fixture *f)
{
  g_autoptr (GPtrArray) tickets = NULL;
  g_autofree char *url = NULL;

  if (!online (f->c))
    return FALSE;
  g_object_get (tr_station_get_client (f->c), "host-url", &url, NULL);
  tickets = tr_station_list_tickets (f->c, FALSE, NULL);
  if (g_strcmp0 (url, f->url_new) != 0 || tickets->len != N_TICKETS)
    return FALSE;
  /* Figures, not thresholds: the targets are 5 s and 10 s. */
  g_test_message ("promote-app: serving_in_ms=%" G_GINT64_FORMAT
                  " followed_in_ms=%" G_GINT64_FORMAT,
                  f->hosting_at - f->tapped_at, g_get_monotonic_time () / 1000 - f->hosting_at);
  return TRUE;
}

static gboolean
step_quit (Fixture *f)
{
  f->done = TRUE;
  g_application_quit (G_APPLICATION (f->app));
  return TRUE;
}

/* ---- An old host that a promoted standby replaced ---- */

static gboolean
step_host_followed (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  TrStation *station = app_station (f);

  if (station == NULL || find_window (f) == NULL || tr_station_get_host (station) == NULL)
    return FALSE;
  if (f->c == NULL)
    {
      TrHost *host = tr_station_get_host (station);
      g_autofree char *code = tr_host_new_pairing_code (host, NULL, &error);

      g_assert_no_error (error);
      f->url_a = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (host));
      f->c = tr_station_new_client (f->dir_c, f->url_a, "Expo", "expo", &error);
      g_assert_no_error (error);
      tr_client_pair_async (tr_station_get_client (f->c), code, NULL, on_c_paired, &f->paired_c);
    }
  return f->paired_c && online (f->c);
}

/* The station has followed generation 9 of this restaurant's host
 * elsewhere: its next hello tells this host it was replaced. */
static gboolean
step_station_saw_newer (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_store_set_lineage (tr_station_get_store (f->c),
                                       "6f1c2a3e-0000-4000-8000-000000000017", 9, &error));
  g_assert_no_error (error);
  tr_client_refresh (tr_station_get_client (f->c));
  return TRUE;
}

static gboolean
step_superseded_banner (Fixture *f)
{
  TrPromoteBanner *banner = TR_PROMOTE_BANNER (tr_window_get_promote_banner (find_window (f)));

  if (tr_host_get_superseded_by (tr_station_get_host (app_station (f))) != 9
      || !tr_promote_banner_get_revealed (banner))
    return FALSE;
  g_assert_nonnull (
    strstr (tr_promote_banner_get_text (banner), "Another station is now the host"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tr_promote_banner_get_button (banner))));
  /* No DNS-SD here: rejoining asks for the new host's address. */
  gtk_widget_activate (GTK_WIDGET (tr_promote_banner_get_button (banner)));
  return TRUE;
}

/* The button's "clicked" comes after its activation's feedback. */
static gboolean
step_preferences_shown (Fixture *f)
{
  TrPromoteBanner *banner = TR_PROMOTE_BANNER (tr_window_get_promote_banner (find_window (f)));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_PREFERENCES_WINDOW (l->data))
      {
        g_assert_nonnull (strstr (tr_promote_banner_get_text (banner), "Preferences"));
        return TRUE;
      }
  return FALSE;
}

static gboolean
poll_steps (gpointer data)
{
  Fixture *f = data;

  if (g_get_monotonic_time () / 1000 - f->started > GIVE_UP_MS)
    g_error ("Gave up waiting at step %u", f->step);
  while (f->steps[f->step] != NULL && f->steps[f->step](f))
    f->step++;
  return f->steps[f->step] == NULL ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
test_superseded (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  StepFunc steps[] = { step_host_followed,
                       step_station_saw_newer,
                       step_superseded_banner,
                       step_preferences_shown,
                       step_quit,
                       NULL };
  const char *argv[]
    = { "ticketrail", "--data-dir", NULL, "--host", "--port", "0", "--loopback", NULL };
  g_autoptr (GError) error = NULL;

  f->dir_app = make_dir ("test-promote-app-old-XXXXXX");
  f->dir_c = make_dir ("test-promote-app-c-XXXXXX");
  argv[2] = f->dir_app;
  f->app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
  f->steps = steps;
  f->started = g_get_monotonic_time () / 1000;
  g_timeout_add (POLL_MS, poll_steps, f);
  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), 7, (char **)argv), ==, 0);
  g_assert_true (f->done);

  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  tr_station_shutdown (f->c);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->app);
  g_assert_finalize_object (f->c);
  tr_test_remove_tree (f->dir_app);
  tr_test_remove_tree (f->dir_c);
  g_free (f->dir_app);
  g_free (f->dir_c);
  g_free (f->url_a);
}

/* Automatic promotion: nobody taps anything. The clock of the figures
 * starts when the host dies. */
static gboolean
step_host_dies_unattended (Fixture *f)
{
  step_host_dies (f);
  f->tapped_at = g_get_monotonic_time () / 1000;
  return TRUE;
}

static gboolean
step_promotes_itself (Fixture *f)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  TrStation *station = app_station (f);

  /* No dialog asks anyone. */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) widget = g_list_model_get_item (toplevels, i);

      g_assert_false (ADW_IS_MESSAGE_DIALOG (widget) && gtk_widget_get_mapped (widget));
    }
  return station != NULL && tr_station_get_mode (station) == TR_STATION_MODE_HOST;
}

static void
run_promote (StepFunc *steps, guint auto_promote_s)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *port_text = NULL;
  const char *argv[10];
  int status;

  f->dir_a = make_dir ("test-promote-app-a-XXXXXX");
  f->dir_app = make_dir ("test-promote-app-b-XXXXXX");
  f->dir_c = make_dir ("test-promote-app-c-XXXXXX");
  f->a = tr_station_new_host (f->dir_a, 0, TRUE, &error);
  g_assert_no_error (error);
  f->url_a
    = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (tr_station_get_host (f->a)));
  /* Where the app would host: the standby's address its host names. */
  f->port = tr_test_free_port ();
  f->url_new = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  g_settings_set_uint (settings, "host-port", f->port);
  g_settings_set_uint (settings, "standby-auto-promote-seconds", auto_promote_s);
  port_text = g_strdup_printf ("%u", f->port);

  f->app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
  argv[0] = "ticketrail";
  argv[1] = "--data-dir";
  argv[2] = f->dir_app;
  argv[3] = "--join";
  argv[4] = f->url_a;
  argv[5] = "--port";
  argv[6] = port_text;
  argv[7] = "--loopback";
  argv[8] = NULL;
  f->steps = steps;
  f->started = g_get_monotonic_time () / 1000;
  g_timeout_add (POLL_MS, poll_steps, f);
  status = g_application_run (G_APPLICATION (f->app), 8, (char **)argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (f->done);

  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  tr_station_shutdown (f->c);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->app);
  g_assert_finalize_object (f->c);
  g_assert_finalize_object (f->a);
  tr_test_remove_tree (f->dir_a);
  tr_test_remove_tree (f->dir_app);
  tr_test_remove_tree (f->dir_c);
  g_free (f->dir_a);
  g_free (f->dir_app);
  g_free (f->dir_c);
  g_free (f->url_a);
  g_free (f->url_new);
  g_settings_reset (settings, "standby-auto-promote-seconds");
}

static void
test_promote (void)
{
  StepFunc steps[] = { step_app_paired,
                       step_second_station,
                       step_choose_standby,
                       step_standby_in_sync,
                       step_host_dies,
                       step_banner_offers,
                       step_dialog,
                       step_app_hosts,
                       step_c_follows,
                       step_quit,
                       NULL };

  run_promote (steps, 0);
}

/* The "standby-auto-promote-seconds" setting: the standby app makes
 * itself the host without a tap, and the second station follows. */
static void
test_auto_promote (void)
{
  StepFunc steps[] = { step_app_paired,
                       step_second_station,
                       step_choose_standby,
                       step_standby_in_sync,
                       step_host_dies_unattended,
                       step_promotes_itself,
                       step_app_hosts,
                       step_c_follows,
                       step_quit,
                       NULL };

  run_promote (steps, 1);
}

int
main (int argc, char *argv[])
{
  g_setenv ("TICKETRAIL_HOST_UNREACHABLE_MS", "1500", TRUE);
  g_setenv ("TICKETRAIL_FALLBACK_MS", "300", TRUE);
  g_setenv ("TICKETRAIL_DNSSD", "0", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_test_add_func ("/promote-app/banner-promote-follow", test_promote);
  g_test_add_func ("/promote-app/superseded-rejoin", test_superseded);
  g_test_add_func ("/promote-app/auto-promote-follow", test_auto_promote);
  return g_test_run ();
}
