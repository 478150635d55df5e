/* test-link-alerts-foh.c: a front-of-house station is told when another
 * screen drops (issue 15), in the real app, in a real window (under Xvfb)
 *
 * /link-alerts-foh/station-killed: this process runs the app (A) as a
 * front-of-house station following a host, a TrStation in the test; the
 * other station (B) is the ticketrail binary, a kitchen screen, which
 * the test kills with SIGKILL. A reads the host's roster over HTTP and
 * shows the alert (toast, notification, sound) once B has been gone for
 * the threshold (2 s here), once. Then A's own link goes (the host
 * stops and starts again): A stops reading while it cannot, and keeps
 * what it knew, so that B's return, after, is announced. As expo it
 * still watches; made a kitchen screen, it stops reading and says
 * nothing of B's next death.
 *
 * Delays are reported, never judged: the machine may be busy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-link-alerts-foh"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "tr-application.h"
#include "tr-test-notify.h"
#include "tr-test-util.h"
#include "tr-window.h"

#define POLL_MS 50
#define GIVE_UP_MS (300 * 1000)
#define THRESHOLD_MS 2000

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir_host;
  char *dir_a;
  char *dir_b;
  guint port;
  TrStation *host;
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gint64 started;
  gboolean done;

  char *a_station_id;
  char *b_station_id;
  GSubprocess *b;
  guint n_alert_sounds;
  guint reads;           /* roster reads seen at a step */
  guint n_notifications; /* notifications sent at a step */
  char *toast;           /* the last toast at a step */
  gint64 mark;           /* monotonic ms */
};

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

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

static const char *
last_toast (Fixture *f)
{
  return tr_window_get_last_link_toast (find_window (f));
}

static void
start_host (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  f->host = tr_station_new_host (f->dir_host, f->port, TRUE, &error);
  g_assert_no_error (error);
}

static void
stop_host (Fixture *f)
{
  tr_station_shutdown (f->host);
  g_assert_finalize_object (g_steal_pointer (&f->host));
}

/* A station as the host's roster has it, or NULL. */
static TrStationInfo *
dup_info (Fixture *f, const char *station_id)
{
  g_autoptr (GPtrArray) stations = tr_host_list_stations (tr_station_get_host (f->host));

  for (guint i = 0; i < stations->len; i++)
    {
      TrStationInfo *info = stations->pdata[i];

      if (g_strcmp0 (info->station_id, station_id) == 0)
        return g_ptr_array_steal_index (stations, i);
    }
  return NULL;
}

static gboolean
is_connected (Fixture *f, const char *station_id)
{
  g_autoptr (TrStationInfo) info = dup_info (f, station_id);

  return info != NULL && info->connected;
}

static void
on_paired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *paired = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_client_pair_finish (TR_CLIENT (source), result, &error));
  g_assert_no_error (error);
  *paired = TRUE;
}

static void
iterate_until_connected (Fixture *f, const char *station_id, gboolean connected)
{
  gint64 until = now_ms () + GIVE_UP_MS;

  while (is_connected (f, station_id) != connected)
    {
      if (now_ms () > until)
        g_error ("Gave up waiting for %s to be %s", station_id,
                 connected ? "connected" : "disconnected");
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Pairs the station of @dir with the host, as its staff would with a
 * code, then closes it cleanly; returns its id. */
static char *
pair_dir (Fixture *f, const char *dir, const char *name, const char *role)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  g_autofree char *code = NULL;
  g_autoptr (GError) error = NULL;
  TrStation *pairer = tr_station_new_client (dir, url, name, role, &error);
  char *station_id;
  gboolean paired = FALSE;

  g_assert_no_error (error);
  station_id = g_strdup (tr_station_get_station_id (pairer));
  code = tr_host_new_pairing_code (tr_station_get_host (f->host), NULL, &error);
  g_assert_no_error (error);
  tr_client_pair_async (tr_station_get_client (pairer), code, NULL, on_paired, &paired);
  while (!paired)
    g_main_context_iteration (NULL, TRUE);
  iterate_until_connected (f, station_id, TRUE);
  tr_station_shutdown (pairer);
  iterate_until_connected (f, station_id, FALSE);
  g_assert_finalize_object (pairer);
  return station_id;
}

static void
on_played (TrSoundPlayer *player, int sound, Fixture *f)
{
  if (sound == TR_SOUND_LINK_ALERT)
    f->n_alert_sounds++;
}

/* B: the real app on its folder, with its token. */
static void
spawn_b (Fixture *f)
{
  const char *bin = g_getenv ("TICKETRAIL_BIN");
  g_autofree char *join = g_strdup_printf ("127.0.0.1:%u", f->port);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (bin);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  f->b = g_subprocess_launcher_spawn (launcher, &error, bin, "--data-dir", f->dir_b, "--join", join,
                                      "--role", "kitchen", NULL);
  g_assert_no_error (error);
}

/* B dies, as a tablet whose app crashes or whose power is cut. */
static void
kill_b (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (f->b, SIGKILL);
  g_subprocess_wait (f->b, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->b);
  f->mark = now_ms ();
}

static void
remember (Fixture *f)
{
  f->reads = tr_link_watch_get_roster_reads (window_watch (f));
  f->n_notifications = tr_test_notify_get_sent ()->len;
  g_free (f->toast);
  f->toast = g_strdup (last_toast (f));
}

static void
set_role (const char *role)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, "role", role);
}

/* ---- The steps ---- */

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

/* A follows the host as front of house, and reads its roster. */
static gboolean
step_watching (Fixture *f)
{
  TrWindow *window = find_window (f);
  TrStation *station = tr_application_get_station (f->app);
  TrLinkWatch *watch;

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)) || station == NULL
      || tr_station_get_link_state (station) != TR_CLIENT_STATE_ONLINE_WEBSOCKET)
    return FALSE;
  watch = window_watch (f);
  g_assert_cmpint (tr_station_get_mode (station), ==, TR_STATION_MODE_CLIENT);
  g_assert_cmpstr (tr_station_get_station_id (station), ==, f->a_station_id);
  g_assert_cmpstr (tr_link_watch_get_role (watch), ==, "foh");
  if (tr_link_watch_get_roster_reads (watch) == 0)
    return FALSE;
  g_assert_true (tr_link_watch_get_watching_stations (watch));
  g_assert_cmpuint (tr_link_watch_get_offline_threshold (watch), ==, 30000);
  tr_link_watch_set_offline_threshold (watch, THRESHOLD_MS);
  /* A's own outage below is not what is under test: its banner (and its
   * sound) would be. */
  tr_link_watch_set_host_lost_threshold (watch, 30 * 60 * 1000);
  g_signal_connect (tr_application_get_sound_player (f->app), "played", G_CALLBACK (on_played), f);
  spawn_b (f);
  return TRUE;
}

/* B is up, and A has read the roster since. */
static gboolean
step_b_seen (Fixture *f)
{
  if (f->reads == 0)
    {
      if (!is_connected (f, f->b_station_id))
        return FALSE;
      f->reads = tr_link_watch_get_roster_reads (window_watch (f));
    }
  if (tr_link_watch_get_roster_reads (window_watch (f)) <= f->reads)
    return FALSE;
  /* Nothing so far: the pairing stations left, cleanly, before A
   * started watching. */
  g_assert_null (last_toast (f));
  kill_b (f);
  return TRUE;
}

static gboolean
step_alerted (Fixture *f)
{
  const char *toast = last_toast (f);
  g_autoptr (TrStationInfo) info = NULL;

  if (toast == NULL)
    return FALSE;
  g_test_message ("Killed station announced on front of house %" G_GINT64_FORMAT
                  " ms after the kill (threshold %d ms, roster read every 5 s)",
                  now_ms () - f->mark, THRESHOLD_MS);
  info = dup_info (f, f->b_station_id);
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
  return tr_test_notify_has (last_toast (f));
}

/* Once per outage: a few thresholds later, still the one alert. Then
 * A's own link goes: the host stops. */
static gboolean
step_once (Fixture *f)
{
  if (now_ms () - f->mark < 3 * THRESHOLD_MS)
    return FALSE;
  g_assert_nonnull (strstr (last_toast (f), " has been offline since "));
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  stop_host (f);
  return TRUE;
}

/* No link, no roster: A stops reading, and says nothing. */
static gboolean
step_link_down (Fixture *f)
{
  if (tr_link_watch_get_watching_stations (window_watch (f)))
    return FALSE;
  g_assert_cmpint (tr_station_get_link_state (tr_application_get_station (f->app)), !=,
                   TR_CLIENT_STATE_ONLINE_WEBSOCKET);
  remember (f);
  f->mark = now_ms ();
  return TRUE;
}

static gboolean
step_quiet_while_down (Fixture *f)
{
  if (now_ms () - f->mark < 3 * THRESHOLD_MS)
    return FALSE;
  g_assert_false (tr_link_watch_get_watching_stations (window_watch (f)));
  g_assert_cmpuint (tr_link_watch_get_roster_reads (window_watch (f)), ==, f->reads);
  g_assert_cmpstr (last_toast (f), ==, f->toast);
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  start_host (f);
  return TRUE;
}

/* A's link is back and it reads again: B is still gone, which it knew
 * (no second alert). Then B comes back. */
static gboolean
step_link_back (Fixture *f)
{
  TrLinkWatch *watch = window_watch (f);

  if (!tr_link_watch_get_watching_stations (watch)
      || tr_link_watch_get_roster_reads (watch) <= f->reads)
    return FALSE;
  g_assert_false (is_connected (f, f->b_station_id));
  g_assert_cmpstr (last_toast (f), ==, f->toast);
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  spawn_b (f);
  return TRUE;
}

static gboolean
step_back (Fixture *f)
{
  const char *toast = last_toast (f);

  if (strstr (toast, " is back") == NULL || !tr_test_notify_has (toast))
    return FALSE;
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  /* Expo watches too. */
  set_role ("expo");
  g_assert_cmpstr (tr_link_watch_get_role (window_watch (f)), ==, "expo");
  g_assert_true (tr_link_watch_get_watching_stations (window_watch (f)));
  /* A kitchen screen does not. */
  set_role ("kitchen");
  g_assert_cmpstr (tr_link_watch_get_role (window_watch (f)), ==, "kitchen");
  g_assert_false (tr_link_watch_get_watching_stations (window_watch (f)));
  remember (f);
  kill_b (f);
  return TRUE;
}

static gboolean
step_kitchen_quiet (Fixture *f)
{
  if (is_connected (f, f->b_station_id) || now_ms () - f->mark < 3 * THRESHOLD_MS)
    return FALSE;
  g_assert_cmpuint (tr_link_watch_get_roster_reads (window_watch (f)), ==, f->reads);
  g_assert_cmpstr (last_toast (f), ==, f->toast);
  g_assert_cmpuint (tr_test_notify_get_sent ()->len, ==, f->n_notifications);
  g_assert_cmpuint (f->n_alert_sounds, ==, 1);
  return TRUE;
}

static gboolean
step_quit (Fixture *f)
{
  f->done = TRUE;
  g_application_quit (G_APPLICATION (f->app));
  return TRUE;
}

static void
test_station_killed (void)
{
  StepFunc steps[] = { step_watching,         step_b_seen,    step_alerted,
                       step_notified,         step_once,      step_link_down,
                       step_quiet_while_down, step_link_back, step_back,
                       step_kitchen_quiet,    step_quit,      NULL };
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autoptr (GError) error = NULL;
  g_autofree char *join = NULL;
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL, (char *)"--join", NULL,
                   (char *)"--role",     (char *)"foh",        NULL };
  int argc = G_N_ELEMENTS (argv) - 1;

  f->dir_host = g_dir_make_tmp ("ticketrail-foh-alerts-host-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir_a = g_dir_make_tmp ("ticketrail-foh-alerts-a-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir_b = g_dir_make_tmp ("ticketrail-foh-alerts-b-XXXXXX", &error);
  g_assert_no_error (error);
  f->port = tr_test_free_port ();
  start_host (f);
  /* Both are paired beforehand, as set up before service. */
  f->a_station_id = pair_dir (f, f->dir_a, "Pass", "foh");
  f->b_station_id = pair_dir (f, f->dir_b, "Grill", "kitchen");

  join = g_strdup_printf ("127.0.0.1:%u", f->port);
  argv[2] = f->dir_a;
  argv[4] = join;
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

  if (f->b != NULL)
    {
      g_subprocess_force_exit (f->b);
      g_subprocess_wait (f->b, NULL, NULL);
      g_clear_object (&f->b);
    }
  if (f->host != NULL)
    stop_host (f);
  tr_test_remove_tree (f->dir_host);
  tr_test_remove_tree (f->dir_a);
  tr_test_remove_tree (f->dir_b);
  g_free (f->dir_host);
  g_free (f->dir_a);
  g_free (f->dir_b);
  g_free (f->a_station_id);
  g_free (f->b_station_id);
  g_free (f->toast);
}

int
main (int argc, char *argv[])
{
  int status;

  g_setenv ("LANGUAGE", "C", TRUE);
  /* The stations' DNS-SD following would look for other hosts. */
  g_setenv ("TICKETRAIL_DNSSD", "0", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  tr_test_notify_start ();

  g_test_add_func ("/link-alerts-foh/station-killed", test_station_killed);

  status = g_test_run ();
  tr_test_notify_stop ();
  return status;
}
