/* test-app-timeouts.c: Preferences' Connection page drives the live link
 *
 * The real application in a real window (under Xvfb): once as a station
 * following a real host on loopback (in this process), once as the host.
 * A timing changed in Preferences, through its row or the settings,
 * reaches the running TrClient or TrHost at once, and "Restore Defaults"
 * brings every one back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-timeouts"

#include "config.h"

#include "tr-application.h"
#include "tr-connection-page.h"
#include "tr-connection-settings.h"
#include "tr-preferences-window.h"
#include "tr-window.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"

/* Polling, not a threshold: each step waits as long as it takes, and
 * only this generous limit turns a hang into a failure. */
#define POLL_MS 50
#define GIVE_UP_MS (240 * 1000)
/* The in-process host's: a third of it is 3 s, under the default 5 s. */
#define HOST_HEARTBEAT_TIMEOUT 9000

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir;
  char *host_dir;
  TrStation *host; /* the client test's host */
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gboolean done;
  gint64 started;
};

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-test-timeouts-XXXXXX", &error);
  g_assert_no_error (error);
  f->app = tr_application_new ();
  /* Tests may run side by side on one bus. */
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->app);
  if (f->host != NULL)
    {
      tr_station_shutdown (f->host);
      g_assert_finalize_object (f->host);
    }
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  if (f->host_dir != NULL)
    tr_test_remove_tree (f->host_dir);
  g_free (f->host_dir);
}

static GtkWindow *
find_toplevel (Fixture *f, GType type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static gboolean
shown (gpointer window)
{
  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static TrConnectionPage *
connection_page (Fixture *f)
{
  GtkWindow *prefs = find_toplevel (f, TR_TYPE_PREFERENCES_WINDOW);
  g_autoptr (GPtrArray) pages = g_ptr_array_new ();

  if (!shown (prefs))
    return NULL;
  tr_test_collect_widgets (GTK_WIDGET (prefs), TR_TYPE_CONNECTION_PAGE, pages);
  g_assert_cmpuint (pages->len, ==, 1);
  return pages->pdata[0];
}

static GtkButton *
restore_button (TrConnectionPage *page)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();

  tr_test_collect_widgets (GTK_WIDGET (page), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (buttons->pdata[i]), "_Restore Defaults") == 0)
      return buttons->pdata[i];
  g_assert_not_reached ();
}

static guint
get_uint (gpointer object, const char *property)
{
  guint value = 0;

  g_object_get (object, property, &value, NULL);
  return value;
}

static GSettings *
settings (Fixture *f)
{
  return tr_application_get_settings (f->app);
}

/* ---- The station ---- */

/* The app follows the host; the manager pairs it with the host's code. */
static gboolean
step_client_shown (Fixture *f)
{
  TrStation *station = tr_application_get_station (f->app);
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;

  if (!shown (find_toplevel (f, TR_TYPE_WINDOW)))
    return FALSE;
  g_assert_cmpint (tr_station_get_mode (station), ==, TR_STATION_MODE_CLIENT);
  code = tr_host_new_pairing_code (tr_station_get_host (f->host), NULL, &error);
  g_assert_no_error (error);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "pair", g_variant_new_string (code));
  return TRUE;
}

/* Online, it paces its pings for the host's heartbeat timeout. */
static gboolean
step_client_online (Fixture *f)
{
  TrClient *client = tr_station_get_client (tr_application_get_station (f->app));

  if (tr_client_get_state (client) != TR_CLIENT_STATE_ONLINE_WEBSOCKET
      || get_uint (client, "effective-heartbeat-interval") != HOST_HEARTBEAT_TIMEOUT / 3)
    return FALSE;
  g_assert_cmpuint (get_uint (client, "heartbeat-interval"), ==, 5000);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  return TRUE;
}

/* Each change on the Connection page reaches the running client. */
static gboolean
step_client_changes (Fixture *f)
{
  TrConnectionPage *page = connection_page (f);
  TrClient *client = tr_station_get_client (tr_application_get_station (f->app));
  GtkSpinButton *heartbeat;

  if (page == NULL)
    return FALSE;
  heartbeat = tr_connection_page_get_spin (page, "heartbeat-interval-ms");
  g_assert_nonnull (heartbeat);
  /* The row shows seconds; the key and the client have ms. */
  g_assert_cmpfloat (gtk_spin_button_get_value (heartbeat), ==, 5.0);

  /* Faster than the host needs: the client pings at the new pace now. */
  gtk_spin_button_set_value (heartbeat, 2.0);
  g_assert_cmpuint (g_settings_get_uint (settings (f), "heartbeat-interval-ms"), ==, 2000);
  g_assert_cmpuint (get_uint (client, "heartbeat-interval"), ==, 2000);
  g_assert_cmpuint (get_uint (client, "effective-heartbeat-interval"), ==, 2000);

  /* Through the settings, as another part of the app would. */
  g_settings_set_uint (settings (f), "dead-timeout-ms", 45000);
  g_assert_cmpuint (get_uint (client, "dead-timeout"), ==, 45000);
  g_settings_set_uint (settings (f), "backoff-max-ms", 60000);
  g_assert_cmpuint (get_uint (client, "backoff-max"), ==, 60000);
  g_settings_set_uint (settings (f), "websocket-failures-before-polling", 5);
  g_assert_cmpuint (get_uint (client, "websocket-failures"), ==, 5);

  /* Slower than the dead timeout allows: a third of it. The key keeps
   * what was asked, and the host's timeout still sets the pace. */
  gtk_spin_button_set_value (heartbeat, 20.0);
  g_assert_cmpuint (g_settings_get_uint (settings (f), "heartbeat-interval-ms"), ==, 20000);
  g_assert_cmpuint (get_uint (client, "heartbeat-interval"), ==, 15000);
  g_assert_cmpuint (get_uint (client, "effective-heartbeat-interval"), ==,
                    HOST_HEARTBEAT_TIMEOUT / 3);

  g_signal_emit_by_name (restore_button (page), "clicked");
  g_assert_cmpfloat (gtk_spin_button_get_value (heartbeat), ==, 5.0);
  g_assert_cmpuint (get_uint (client, "heartbeat-interval"), ==, 5000);
  g_assert_cmpuint (get_uint (client, "dead-timeout"), ==, 15000);
  g_assert_cmpuint (get_uint (client, "backoff-max"), ==, 30000);
  g_assert_cmpuint (get_uint (client, "websocket-failures"), ==, 3);
  /* The link lived through it all. */
  g_assert_cmpint (tr_client_get_state (client), ==, TR_CLIENT_STATE_ONLINE_WEBSOCKET);
  return TRUE;
}

/* ---- The host ---- */

static gboolean
step_host_shown (Fixture *f)
{
  TrStation *station = tr_application_get_station (f->app);

  if (!shown (find_toplevel (f, TR_TYPE_WINDOW)))
    return FALSE;
  g_assert_cmpint (tr_station_get_mode (station), ==, TR_STATION_MODE_HOST);
  g_assert_cmpuint (get_uint (tr_station_get_host (station), "heartbeat-timeout"), ==, 15000);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  return TRUE;
}

static gboolean
step_host_changes (Fixture *f)
{
  TrConnectionPage *page = connection_page (f);
  TrHost *host = tr_station_get_host (tr_application_get_station (f->app));
  GtkSpinButton *spin;

  if (page == NULL)
    return FALSE;
  spin = tr_connection_page_get_spin (page, "host-heartbeat-timeout-ms");
  gtk_spin_button_set_value (spin, 45.0);
  g_assert_cmpuint (get_uint (host, "heartbeat-timeout"), ==, 45000);
  g_settings_set_uint (settings (f), "host-hello-timeout-ms", 20000);
  g_assert_cmpuint (get_uint (host, "hello-timeout"), ==, 20000);

  /* The alert's threshold is only a key here: its row writes it. */
  spin = tr_connection_page_get_spin (page, "station-offline-alert-seconds");
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 30.0);
  gtk_spin_button_set_value (spin, 90.0);
  g_assert_cmpuint (g_settings_get_uint (settings (f), "station-offline-alert-seconds"), ==, 90);

  g_signal_emit_by_name (restore_button (page), "clicked");
  g_assert_cmpuint (get_uint (host, "heartbeat-timeout"), ==, 15000);
  g_assert_cmpuint (get_uint (host, "hello-timeout"), ==, 10000);
  g_assert_cmpuint (g_settings_get_uint (settings (f), "station-offline-alert-seconds"), ==, 30);
  return TRUE;
}

static gboolean
step_quit (Fixture *f)
{
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
  return f->steps[f->step] == NULL ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static int
run_app (Fixture *f, StepFunc *steps, const char *join)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  int status;

  g_ptr_array_add (argv, (char *)"ticketrail");
  g_ptr_array_add (argv, (char *)"--data-dir");
  g_ptr_array_add (argv, f->dir);
  g_ptr_array_add (argv, (char *)"--port");
  g_ptr_array_add (argv, (char *)"0");
  g_ptr_array_add (argv, (char *)"--loopback");
  if (join != NULL)
    {
      g_ptr_array_add (argv, (char *)"--join");
      g_ptr_array_add (argv, (char *)join);
    }
  g_ptr_array_add (argv, NULL);

  f->steps = steps;
  f->started = g_get_monotonic_time () / 1000;
  g_timeout_add (POLL_MS, poll_steps, f);
  status = g_application_run (G_APPLICATION (f->app), (int)argv->len - 1, (char **)argv->pdata);

  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return status;
}

static void
test_client (Fixture *f, gconstpointer data)
{
  StepFunc steps[]
    = { step_client_shown, step_client_online, step_client_changes, step_quit, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  guint port = tr_test_free_port ();

  f->host_dir = g_dir_make_tmp ("ticketrail-test-timeouts-host-XXXXXX", &error);
  g_assert_no_error (error);
  f->host = tr_station_new_host (f->host_dir, port, TRUE, &error);
  g_assert_no_error (error);
  g_object_set (tr_station_get_host (f->host), "heartbeat-timeout", HOST_HEARTBEAT_TIMEOUT, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  g_assert_cmpint (run_app (f, steps, url), ==, 0);
  g_assert_true (f->done);
}

static void
test_host (Fixture *f, gconstpointer data)
{
  StepFunc steps[] = { step_host_shown, step_host_changes, step_quit, NULL };

  g_assert_cmpint (run_app (f, steps, NULL), ==, 0);
  g_assert_true (f->done);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  /* No DNS-SD browsing: the host is given. */
  g_setenv ("TICKETRAIL_DNSSD", "0", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/app-timeouts/client", Fixture, NULL, fixture_set_up, test_client,
              fixture_tear_down);
  g_test_add ("/app-timeouts/host", Fixture, NULL, fixture_set_up, test_host, fixture_tear_down);
  return g_test_run ();
}
