/* test-link-alerts-app.c: alerts when a link drops (issue 15), in the
 * real app, in a real window (under Xvfb)
 *
 * /link-alerts-app/station-killed: this process runs the host station
 * (A); the other (B) is the ticketrail binary, a kitchen screen paired
 * beforehand, which the test kills with SIGKILL: A's window shows the
 * alert within the threshold (2 s here) and a bit, plays the alert
 * sound, and announces B's return when it is started again.
 *
 * /link-alerts-app/host-lost: this process runs a following station
 * (A) whose host, a TrStation in the test, stops: A's banner shows
 * after its threshold (2 s here) and goes once a host is back.
 *
 * Delays are reported, never judged: the machine may be busy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-link-alerts-app"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "tr-application.h"
#include "tr-window.h"
#include "tr-test-notify.h"
#include "tr-test-util.h"

#define POLL_MS 50
#define GIVE_UP_MS (240 * 1000)
#define THRESHOLD_MS 2000

/* Whether a notification containing @text was sent. */
static gboolean
notified (const char *text)
{
  return tr_test_notify_has (text);
}

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir_a;
  char *dir_b;
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gint64 started;
  gboolean done;

  /* station-killed */
  TrStation *pairer; /* B's station.db, paired from here */
  gboolean paired;
  char *b_station_id;
  GSubprocess *b;
  guint n_alert_sounds;

  /* host-lost */
  TrStation *host;
  guint port;

  gint64 mark; /* monotonic ms: when the link went */
};

static TrWindow *
find_window (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static TrLinkWatch *
window_watch (Fixture *f)
{
  TrLinkWatch *watch = NULL;

  g_object_get (find_window (f), "link-watch", &watch, NULL);
  g_assert_nonnull (watch);
  g_object_unref (watch); /* the window keeps it */
  return watch;
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static gboolean
poll_steps (gpointer data)
{
  Fixture *f = data;

  if (now_ms () - f->started > GIVE_UP_MS)
    g_error ("Gave up waiting at step %u", f->step);

  while (f->steps[f->step] != NULL && f->steps[f->step](f))
    f->step++;

  return f->steps[f->step] == NULL ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean
step_quit (Fixture *f)
{
  f->done = TRUE;
  g_application_quit (G_APPLICATION (f->app));
  return TRUE;
}

static void
run_app (Fixture *f, StepFunc *steps, char **argv, int argc)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_boolean (settings, "sounds", TRUE);
  g_settings_set_boolean (settings, "first-run-done", TRUE);
  f->app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
  f->steps = steps;
  f->started = now_ms ();
  g_timeout_add (POLL_MS, poll_steps, f);
  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), argc, argv), ==, 0);
  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (f->done);
  g_assert_finalize_object (f->app);
}

/* ---- A station is killed ---- */

static TrHost *
host_a (Fixture *f)
{
  return tr_station_get_host (tr_application_get_station (f->app));
}

/* B as the host's roster has it, or NULL. */
static TrStationInfo *
dup_b_info (Fixture *f)
{
  g_autoptr (GPtrArray) stations = tr_host_list_stations (host_a (f));

  for (guint i = 0; i < stations->len; i++)
    {
      TrStationInfo *info = stations->pdata[i];

      if (g_strcmp0 (info->station_id, f->b_station_id) == 0)
        return g_ptr_array_steal_index (stations, i);
    }
  return NULL;
}

static void
on_played (TrSoundPlayer *player, int sound, Fixture *f)
{
  if (sound == TR_SOUND_LINK_ALERT)
    f->n_alert_sounds++;
}

static void
on_paired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_client_pair_finish (TR_CLIENT (source), result, &error));
  g_assert_no_error (error);
  f->paired = TRUE;
}

/* A hosts; B's data folder is paired with it from here, as B's cook
 * would with a code. */
static gboolean
step_hosting (Fixture *f)
{
  TrWindow *window = find_window (f);
  TrStation *station = tr_application_get_station (f->app);
  g_autofree char *url = NULL;
  g_autofree char *code = NULL;
  g_autoptr (GError) error = NULL;

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)) || station == NULL)
    return FALSE;
  g_assert_cmpint (tr_station_get_mode (station), ==, TR_STATION_MODE_HOST);
  g_assert_cmpuint (tr_link_watch_get_offline_threshold (window_watch (f)), ==, 30000);
  tr_link_watch_set_offline_threshold (window_watch (f), THRESHOLD_MS);
  g_signal_connect (tr_application_get_sound_player (f->app), "played", G_CALLBACK (on_played), f);

  url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (host_a (f)));
  f->pairer = tr_station_new_client (f->dir_b, url, "Grill", "kitchen", &error);
  g_assert_no_error (error);
  f->b_station_id = g_strdup (tr_station_get_station_id (f->pairer));
  code = tr_host_new_pairing_code (host_a (f), NULL, &error);
  g_assert_no_error (error);
  tr_client_pair_async (tr_station_get_client (f->pairer), code, NULL, on_paired, f);
  return TRUE;
}

/* Paired and connected: the pairing station leaves cleanly, which is
 * no outage. */
static gboolean
step_paired (Fixture *f)
{
  g_autoptr (TrStationInfo) info = NULL;

  if (!f->paired)
    return FALSE;
  info = dup_b_info (f);
  if (info == NULL || !info->connected)
    return FALSE;
  tr_station_shutdown (f->pairer);
  return TRUE;
}

/* B: the real app on its folder, with its token. */
static void
spawn_b (Fixture *f)
{
  const char *bin = g_getenv ("TICKETRAIL_BIN");
  g_autofree char *join = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (bin);
  join = g_strdup_printf ("127.0.0.1:%u", tr_host_get_bound_port (host_a (f)));
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  f->b = g_subprocess_launcher_spawn (launcher, &error, bin, "--data-dir", f->dir_b, "--join", join,
                                      "--role", "kitchen", NULL);
  g_assert_no_error (error);
}

static gboolean
step_pairer_gone (Fixture *f)
{
  g_autoptr (TrStationInfo) info = dup_b_info (f);

  if (info->connected)
    return FALSE;
  g_assert_true (info->close_code == 1000 || info->close_code == 1001);
  g_assert_finalize_object (g_steal_pointer (&f->pairer));
  spawn_b (f);
  return TRUE;
}

static gboolean
step_b_connected (Fixture *f)
{
  g_autoptr (TrStationInfo) info = dup_b_info (f);

  if (!info->connected)
    return FALSE;
  /* The clean leave was not announced, even past the threshold. */
  g_assert_null (tr_window_get_last_link_toast (find_window (f)));
  g_assert_null (tr_link_watch_get_last_alert (window_watch (f)));
  return TRUE;
}

/* B dies, as a tablet whose app crashes or whose power is cut. */
static gboolean
step_kill_b (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (f->b, SIGKILL);
  g_subprocess_wait (f->b, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->b);
  f->mark = now_ms ();
  return TRUE;
}

static gboolean
step_alerted (Fixture *f)
{
  const char *toast = tr_window_get_last_link_toast (find_window (f));
  g_autoptr (TrStationInfo) info = NULL;

  if (toast == NULL)
    return FALSE;
  g_test_message ("Killed station announced %" G_GINT64_FORMAT " ms after the kill "
                  "(threshold %d ms; the issue asks for within threshold + 2 s)",
                  now_ms () - f->mark, THRESHOLD_MS);
  info = dup_b_info (f);
  g_assert_false (info->connected);
  g_assert_false (info->close_code == 1000 || info->close_code == 1001);
  g_assert_nonnull (strstr (toast, " has been offline since "));
  g_assert_nonnull (strstr (toast, info->name != NULL ? info->name : info->station_id));
  g_assert_cmpstr (toast, ==, tr_link_watch_get_last_alert (window_watch (f)));
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  return TRUE;
}

static gboolean
step_notified (Fixture *f)
{
  return notified (tr_window_get_last_link_toast (find_window (f)));
}

/* Once per outage: a few thresholds later, still the one alert. */
static gboolean
step_once (Fixture *f)
{
  if (now_ms () - f->mark < 3 * THRESHOLD_MS)
    return FALSE;
  g_assert_nonnull (strstr (tr_window_get_last_link_toast (find_window (f)), " offline "));
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  spawn_b (f);
  return TRUE;
}

static gboolean
step_back (Fixture *f)
{
  const char *toast = tr_window_get_last_link_toast (find_window (f));

  if (strstr (toast, " is back") == NULL || !notified (toast))
    return FALSE;
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  g_subprocess_force_exit (f->b);
  g_subprocess_wait (f->b, NULL, NULL);
  g_clear_object (&f->b);
  return TRUE;
}

static void
test_station_killed (void)
{
  StepFunc steps[]
    = { step_hosting,  step_paired, step_pairer_gone, step_b_connected, step_kill_b, step_alerted,
        step_notified, step_once,   step_back,        step_quit,        NULL };
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GError) error = NULL;
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL,
                   (char *)"--port",     (char *)"0",          (char *)"--loopback",
                   (char *)"--role",     (char *)"foh",        NULL };

  f->dir_a = g_dir_make_tmp ("ticketrail-alerts-a-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir_b = g_dir_make_tmp ("ticketrail-alerts-b-XXXXXX", &error);
  g_assert_no_error (error);
  argv[2] = f->dir_a;

  run_app (f, steps, argv, G_N_ELEMENTS (argv) - 1);

  if (f->b != NULL)
    {
      g_subprocess_force_exit (f->b);
      g_subprocess_wait (f->b, NULL, NULL);
      g_clear_object (&f->b);
    }
  tr_test_remove_tree (f->dir_a);
  tr_test_remove_tree (f->dir_b);
  g_free (f->dir_a);
  g_free (f->dir_b);
  g_free (f->b_station_id);
}

/* ---- A station loses its host ---- */

static TrStation *
start_host (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  TrStation *host = tr_station_new_host (f->dir_b, f->port, TRUE, &error);

  g_assert_no_error (error);
  return host;
}

static gboolean
step_following (Fixture *f)
{
  TrWindow *window = find_window (f);
  TrStation *station = tr_application_get_station (f->app);

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)) || station == NULL)
    return FALSE;
  g_assert_cmpint (tr_station_get_mode (station), ==, TR_STATION_MODE_CLIENT);
  g_assert_cmpuint (tr_link_watch_get_host_lost_threshold (window_watch (f)), ==, 10000);
  g_signal_connect (tr_application_get_sound_player (f->app), "played", G_CALLBACK (on_played), f);
  return TRUE;
}

static gboolean
is_unpaired (Fixture *f)
{
  TrClient *client = tr_station_get_client (tr_application_get_station (f->app));
  gboolean unauthorized = FALSE;

  g_object_get (client, "unauthorized", &unauthorized, NULL);
  return unauthorized;
}

/* The host has said this station is not paired. From here the short
 * threshold is on: the first answer can take longer than it on a loaded
 * ASan run, and a station that has had none may well be lost. */
static gboolean
step_told_unpaired (Fixture *f)
{
  if (!is_unpaired (f))
    return FALSE;
  tr_link_watch_set_host_lost_threshold (window_watch (f), THRESHOLD_MS);
  f->mark = now_ms ();
  return TRUE;
}

/* Waiting to be paired, for longer than the threshold, is no lost host.
 * Then the station is paired. */
static gboolean
step_unpaired_quiet (Fixture *f)
{
  g_autofree char *code = NULL;
  g_autoptr (GError) error = NULL;

  if (now_ms () - f->mark < 2 * THRESHOLD_MS)
    return FALSE;
  g_assert_true (is_unpaired (f));
  g_assert_false (tr_link_watch_get_host_lost (window_watch (f)));
  g_assert_null (tr_window_get_host_lost_banner (find_window (f)));
  g_assert_cmpuint (f->n_alert_sounds, ==, 0);
  /* The reconnect with the new token is not what is under test: on a
   * loaded ASan run it can take longer than 2 s. */
  tr_link_watch_set_host_lost_threshold (window_watch (f), 60 * 1000);
  code = tr_host_new_pairing_code (tr_station_get_host (f->host), NULL, &error);
  g_assert_no_error (error);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "pair", g_variant_new_string (code));
  return TRUE;
}

static gboolean
step_online (Fixture *f)
{
  TrClientState state = tr_station_get_link_state (tr_application_get_station (f->app));

  if (state != TR_CLIENT_STATE_ONLINE_WEBSOCKET)
    return FALSE;
  g_assert_null (tr_window_get_host_lost_banner (find_window (f)));
  g_assert_false (tr_link_watch_get_host_lost (window_watch (f)));
  g_assert_cmpuint (f->n_alert_sounds, ==, 0);
  tr_link_watch_set_host_lost_threshold (window_watch (f), THRESHOLD_MS);
  /* The host goes away. */
  tr_station_shutdown (f->host);
  g_assert_finalize_object (g_steal_pointer (&f->host));
  f->mark = now_ms ();
  return TRUE;
}

static gboolean
step_banner (Fixture *f)
{
  const char *banner = tr_window_get_host_lost_banner (find_window (f));

  if (banner == NULL)
    return FALSE;
  g_test_message ("Lost host shown %" G_GINT64_FORMAT " ms after the host stopped "
                  "(threshold %d ms)",
                  now_ms () - f->mark, THRESHOLD_MS);
  g_assert_nonnull (strstr (banner, "No link to the host since "));
  g_assert_true (tr_link_watch_get_host_lost (window_watch (f)));
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  return TRUE;
}

static gboolean
step_host_lost_notified (Fixture *f)
{
  return notified ("No link to the host since ");
}

/* The banner stays while the host is away. */
static gboolean
step_banner_stays (Fixture *f)
{
  if (now_ms () - f->mark < 3 * THRESHOLD_MS)
    return FALSE;
  g_assert_nonnull (tr_window_get_host_lost_banner (find_window (f)));
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  f->host = start_host (f);
  return TRUE;
}

static gboolean
step_banner_gone (Fixture *f)
{
  if (tr_window_get_host_lost_banner (find_window (f)) != NULL)
    return FALSE;
  g_assert_cmpint (tr_station_get_link_state (tr_application_get_station (f->app)), ==,
                   TR_CLIENT_STATE_ONLINE_WEBSOCKET);
  g_assert_false (tr_link_watch_get_host_lost (window_watch (f)));
  return TRUE;
}

/* The notification is withdrawn once the link is back. */
static gboolean
step_withdrawn (Fixture *f)
{
  GPtrArray *sent = tr_test_notify_get_sent ();

  return sent->len > 0 && g_strcmp0 (sent->pdata[sent->len - 1], "closed") == 0;
}

static void
test_host_lost (void)
{
  StepFunc steps[] = { step_following,
                       step_told_unpaired,
                       step_unpaired_quiet,
                       step_online,
                       step_banner,
                       step_host_lost_notified,
                       step_banner_stays,
                       step_banner_gone,
                       step_withdrawn,
                       step_quit,
                       NULL };
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GError) error = NULL;
  g_autofree char *join = NULL;
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL, (char *)"--join", NULL,
                   (char *)"--role",     (char *)"kitchen",    NULL };

  f->dir_a = g_dir_make_tmp ("ticketrail-lost-a-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir_b = g_dir_make_tmp ("ticketrail-lost-host-XXXXXX", &error);
  g_assert_no_error (error);
  f->port = tr_test_free_port ();
  f->host = start_host (f);
  join = g_strdup_printf ("127.0.0.1:%u", f->port);
  argv[2] = f->dir_a;
  argv[4] = join;

  run_app (f, steps, argv, G_N_ELEMENTS (argv) - 1);

  if (f->host != NULL)
    {
      tr_station_shutdown (f->host);
      g_assert_finalize_object (g_steal_pointer (&f->host));
    }
  tr_test_remove_tree (f->dir_a);
  tr_test_remove_tree (f->dir_b);
  g_free (f->dir_a);
  g_free (f->dir_b);
}

int
main (int argc, char *argv[])
{
  int status;

  g_setenv ("LANGUAGE", "C", TRUE);
  /* The app's DNS-SD following would look for other hosts. */
  g_setenv ("TICKETRAIL_DNSSD", "0", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  tr_test_notify_start ();

  g_test_add_func ("/link-alerts-app/station-killed", test_station_killed);
  g_test_add_func ("/link-alerts-app/host-lost", test_host_lost);

  status = g_test_run ();
  tr_test_notify_stop ();
  return status;
}
