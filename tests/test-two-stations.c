/* test-two-stations.c: two real ticketrail processes, in real windows
 * (under Xvfb), each with its own data folder
 *
 * This process runs one station (A) in-process, so the test can look
 * at its widgets; it is made host through its preferences switch. The
 * other (B) is the ticketrail binary, a kitchen screen that joins A;
 * the test drives it only from outside, through the actions the app
 * exports on the session bus (org.gtk.Actions), and reads its screen
 * through the state of app.introspect, which exists only when
 * TICKETRAIL_TEST_INTROSPECT=1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-two-stations"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "tr-application.h"
#include "tr-foh-view.h"
#include "tr-host-monitor.h"
#include "tr-order-dialog.h"
#include "tr-preferences-window.h"
#include "tr-window.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"

#define POLL_MS 50
#define GIVE_UP_MS (240 * 1000)
#define B_NAME APP_ID
#define B_PATH "/io/github/ticketrail/Ticketrail"

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir_a;
  char *dir_b;
  guint port;
  TrApplication *app;
  GSubprocess *b;
  GDBusConnection *bus;
  StepFunc *steps;
  guint step;
  gint64 started;
  gboolean done;

  /* B's answers arrive asynchronously; a step sends a call, and a later
   * one waits for its reply. */
  gboolean call_pending;
  GVariant *reply;
  char *call_error;
  JsonNode *screen;

  char *b_station_id;
  char *ticket_id;
  guint ready_signals;
  char *ready_text;
};

/* ---- Files and ports ---- */

/* ---- Station A's widgets ---- */

static GtkWindow *
find_toplevel (Fixture *f, GType type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static TrFohView *
foh (Fixture *f)
{
  TrWindow *window = TR_WINDOW (find_toplevel (f, TR_TYPE_WINDOW));

  return window ? tr_window_get_foh_view (window) : NULL;
}

static TrStation *
station_a (Fixture *f)
{
  return tr_application_get_station (f->app);
}

/* ---- Station B, over D-Bus ---- */

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr (GError) error = NULL;

  f->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (error != NULL)
    f->call_error = g_strdup (error->message);
  f->call_pending = FALSE;
}

/* org.gtk.Actions.Activate (B's app.@action with @param) */
static void
b_activate (Fixture *f, const char *action, GVariant *param)
{
  GVariantBuilder params;

  g_assert_false (f->call_pending);
  g_clear_pointer (&f->reply, g_variant_unref);
  g_clear_pointer (&f->call_error, g_free);
  g_variant_builder_init (&params, G_VARIANT_TYPE ("av"));
  if (param != NULL)
    g_variant_builder_add (&params, "v", param);
  f->call_pending = TRUE;
  g_dbus_connection_call (f->bus, B_NAME, B_PATH, "org.gtk.Actions", "Activate",
                          g_variant_new ("(sava{sv})", action, &params, NULL), NULL,
                          G_DBUS_CALL_FLAGS_NONE, 60000, NULL, on_call_done, f);
}

static void
b_describe (Fixture *f, const char *action)
{
  g_assert_false (f->call_pending);
  g_clear_pointer (&f->reply, g_variant_unref);
  g_clear_pointer (&f->call_error, g_free);
  f->call_pending = TRUE;
  g_dbus_connection_call (f->bus, B_NAME, B_PATH, "org.gtk.Actions", "Describe",
                          g_variant_new ("(s)", action), G_VARIANT_TYPE ("((bgav))"),
                          G_DBUS_CALL_FLAGS_NONE, 60000, NULL, on_call_done, f);
}

/* B's screen as app.introspect describes it, once the Activate (which
 * refreshes it) and the Describe that reads it have both answered. */
static JsonObject *
b_screen (Fixture *f)
{
  g_autoptr (GVariant) inner = NULL;
  g_autoptr (GVariantIter) states = NULL;
  g_autoptr (GVariant) state = NULL;
  gboolean enabled;
  const char *text;

  if (f->call_pending)
    return NULL;
  if (f->call_error != NULL || f->reply == NULL)
    {
      /* B not on the bus yet, or the Describe after the Activate. */
      g_clear_pointer (&f->call_error, g_free);
      b_activate (f, "introspect", NULL);
      return NULL;
    }
  if (!g_variant_is_of_type (f->reply, G_VARIANT_TYPE ("((bgav))")))
    {
      b_describe (f, "introspect");
      return NULL;
    }

  g_variant_get (f->reply, "((b&gav))", &enabled, NULL, &states);
  g_assert_true (enabled);
  g_assert_true (g_variant_iter_next (states, "v", &state));
  text = g_variant_get_string (state, NULL);
  g_clear_pointer (&f->screen, json_node_unref);
  f->screen = json_from_string (text, NULL);
  g_assert_nonnull (f->screen);
  g_clear_pointer (&f->reply, g_variant_unref);
  return json_node_get_object (f->screen);
}

static gboolean
b_call_finished (Fixture *f)
{
  if (f->call_pending)
    return FALSE;
  g_assert_null (f->call_error);
  return TRUE;
}

/* ---- Steps ---- */

static void
on_ready (TrFohView *view, const char *ticket_id, const char *text, Fixture *f)
{
  if (g_strcmp0 (ticket_id, f->ticket_id) == 0)
    {
      f->ready_signals++;
      g_free (f->ready_text);
      f->ready_text = g_strdup (text);
    }
}

/* A starts following a host that is not there: a new till whose
 * manager has not set it up yet. */
static gboolean
step_a_shown (Fixture *f)
{
  TrWindow *window = TR_WINDOW (find_toplevel (f, TR_TYPE_WINDOW));

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return FALSE;
  g_assert_cmpint (tr_station_get_mode (station_a (f)), ==, TR_STATION_MODE_CLIENT);
  g_settings_set_uint (tr_application_get_settings (f->app), "host-port", f->port);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  return TRUE;
}

/* The manager opens the preferences and flips "This station is the
 * host". */
static gboolean
step_flip_host_switch (Fixture *f)
{
  GtkWindow *prefs = find_toplevel (f, TR_TYPE_PREFERENCES_WINDOW);
  GtkWidget *host_switch;

  if (prefs == NULL || !gtk_widget_get_mapped (GTK_WIDGET (prefs)))
    return FALSE;
  host_switch = tr_test_find_actionable (GTK_WIDGET (prefs), GTK_TYPE_SWITCH, "app.host");
  g_assert_nonnull (host_switch);
  if (!gtk_widget_get_mapped (host_switch))
    return FALSE;
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (host_switch)));
  /* What a tap or Space does. */
  gtk_widget_activate (host_switch);
  return TRUE;
}

static gboolean
step_hosting (Fixture *f)
{
  GtkWindow *prefs = find_toplevel (f, TR_TYPE_PREFERENCES_WINDOW);
  g_autofree char *expected = g_strdup_printf ("127.0.0.1:%u", f->port);
  GtkWidget *host_switch;
  TrWindow *window;

  if (station_a (f) == NULL || tr_station_get_mode (station_a (f)) != TR_STATION_MODE_HOST)
    return FALSE;
  window = TR_WINDOW (find_toplevel (f, TR_TYPE_WINDOW));
  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)) || foh (f) == NULL)
    return FALSE;
  host_switch = tr_test_find_actionable (GTK_WIDGET (prefs), GTK_TYPE_SWITCH, "app.host");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (host_switch)));
  g_assert_true (g_settings_get_boolean (tr_application_get_settings (f->app), "is-host"));
  /* The address the preferences tell other stations to enter. */
  g_assert_nonnull (
    strstr (tr_preferences_window_get_join_text (TR_PREFERENCES_WINDOW (prefs)), expected));
  g_assert_cmpuint (tr_host_get_bound_port (tr_station_get_host (station_a (f))), ==, f->port);

  gtk_window_close (prefs);
  g_signal_connect (foh (f), "ticket-ready", G_CALLBACK (on_ready), f);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.host-monitor", NULL);
  return TRUE;
}

/* B: a kitchen screen joining A at the address A showed. */
static gboolean
step_start_b (Fixture *f)
{
  const char *bin = g_getenv ("TICKETRAIL_BIN");
  g_autofree char *join = g_strdup_printf ("127.0.0.1:%u", f->port);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (bin);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "TICKETRAIL_TEST_INTROSPECT", "1", TRUE);
  /* B's own settings, in its own memory. */
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  f->b = g_subprocess_launcher_spawn (launcher, &error, bin, "--data-dir", f->dir_b, "--join", join,
                                      "--role", "kitchen", NULL);
  g_assert_no_error (error);
  return TRUE;
}

/* A's host turns B away until it pairs: A shows a code, B's cook enters
 * it (app.pair). */
static gboolean
step_pair_b (Fixture *f)
{
  JsonObject *screen = b_screen (f);
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;

  if (screen == NULL)
    return FALSE;
  g_assert_cmpstr (json_object_get_string_member (screen, "mode"), ==, "client");
  f->b_station_id = g_strdup (json_object_get_string_member (screen, "station_id"));
  code = tr_host_new_pairing_code (tr_station_get_host (station_a (f)), NULL, &error);
  g_assert_no_error (error);
  b_activate (f, "pair", g_variant_new_string (code));
  return TRUE;
}

static gboolean
step_b_paired (Fixture *f)
{
  return b_call_finished (f);
}

/* The host monitor lists B, connected. */
static gboolean
step_monitor_lists_b (Fixture *f)
{
  GtkWindow *monitor = find_toplevel (f, TR_TYPE_HOST_MONITOR);
  g_auto (GStrv) rows = NULL;
  g_autofree char *line = NULL;

  if (monitor == NULL || !gtk_widget_get_mapped (GTK_WIDGET (monitor)))
    return FALSE;
  rows = tr_host_monitor_dup_summary (TR_HOST_MONITOR (monitor));
  line = g_strjoinv ("\n", rows);
  if (strstr (line, f->b_station_id) == NULL || strstr (line, "\tconnected") == NULL)
    return FALSE;
  g_assert_cmpuint (g_strv_length (rows), ==, 1);
  return TRUE;
}

/* "Send Test Ticket to Every Screen" from A's monitor: B, a real second
 * process, shows it (it says so in its next ping). */
static gboolean
step_test_screens (Fixture *f)
{
  GtkWindow *monitor = find_toplevel (f, TR_TYPE_HOST_MONITOR);

  g_assert_null (tr_host_monitor_get_screen_check (TR_HOST_MONITOR (monitor)));
  gtk_widget_activate_action (GTK_WIDGET (monitor), "monitor.test-screens", NULL);
  return TRUE;
}

static gboolean
step_screens_answered (Fixture *f)
{
  GtkWindow *monitor = find_toplevel (f, TR_TYPE_HOST_MONITOR);
  const char *answer = tr_host_monitor_get_screen_check (TR_HOST_MONITOR (monitor));
  g_auto (GStrv) lines = NULL;

  if (answer == NULL)
    return FALSE;
  lines = g_strsplit (answer, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_nonnull (strstr (lines[0], "shows it (after "));
  return TRUE;
}

static gboolean
step_b_live (Fixture *f)
{
  JsonObject *screen = b_screen (f);

  return screen != NULL
         && g_strcmp0 (json_object_get_string_member (screen, "link"), "online-websocket") == 0;
}

static void
on_sent (TrOrderDialog *dialog, const char *op_id, const char *ticket_id, Fixture *f)
{
  g_assert_null (f->ticket_id);
  f->ticket_id = g_strdup (ticket_id);
}

/* A server takes an order for table 12 on A's front-of-house view. */
static gboolean
step_create_order (Fixture *f)
{
  TrOrderDialog *dialog;
  GtkWidget *table = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  gtk_widget_activate_action (GTK_WIDGET (foh (f)), "foh.new-order", NULL);
  dialog = TR_ORDER_DIALOG (tr_foh_view_get_dialog (foh (f)));
  g_assert_nonnull (dialog);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 0);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 3);
  tr_test_collect_widgets (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (rows->pdata[i]), "_Table") == 0)
      table = rows->pdata[i];
  g_assert_nonnull (table);
  gtk_editable_set_text (GTK_EDITABLE (table), "12");
  g_signal_connect (dialog, "sent", G_CALLBACK (on_sent), f);
  return TRUE;
}

static gboolean
step_send_order (Fixture *f)
{
  TrOrderDialog *dialog = TR_ORDER_DIALOG (tr_foh_view_get_dialog (foh (f)));
  GtkWidget *send;

  if (!gtk_widget_get_mapped (GTK_WIDGET (dialog)))
    return FALSE;
  send = tr_test_find_actionable (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "order.send");
  g_signal_emit_by_name (send, "clicked");
  g_assert_nonnull (f->ticket_id);
  return TRUE;
}

/* The host's writer commits the order off the loop; A's board shows it
 * once it is on disk. */
static gboolean
step_order_on_a (Fixture *f)
{
  return tr_foh_view_find_ticket (foh (f), f->ticket_id) == TR_FOH_SECTION_NEW;
}

static JsonObject *
find_ticket (JsonArray *tickets, const char *id)
{
  for (guint i = 0; tickets && i < json_array_get_length (tickets); i++)
    {
      JsonObject *t = json_array_get_object_element (tickets, i);

      if (g_strcmp0 (json_object_get_string_member (t, "id"), id) == 0)
        return t;
    }
  return NULL;
}

/* It appears on B's kitchen view; the cook bumps it there. */
static gboolean
step_on_b_kitchen (Fixture *f)
{
  JsonObject *screen = b_screen (f);
  JsonObject *card;

  if (screen == NULL)
    return FALSE;
  card = find_ticket (json_object_get_array_member (screen, "kitchen"), f->ticket_id);
  if (card == NULL)
    return FALSE;
  g_assert_cmpstr (json_object_get_string_member (card, "status"), ==, "new");
  g_assert_nonnull (strstr (json_object_get_string_member (card, "text"), "Table 12"));
  b_activate (f, "test-activate", g_variant_new ("(sss)", "kitchen", "kitchen.bump", f->ticket_id));
  return TRUE;
}

static gboolean
step_bumped (Fixture *f)
{
  return b_call_finished (f);
}

/* A's front of house shows it ready, with a toast. */
static gboolean
step_ready_on_a (Fixture *f)
{
  if (tr_foh_view_find_ticket (foh (f), f->ticket_id) != TR_FOH_SECTION_READY)
    return FALSE;
  g_assert_cmpuint (f->ready_signals, ==, 1);
  g_assert_cmpstr (f->ready_text, ==, "Table 12 is ready");
  g_assert_cmpstr (tr_foh_view_get_last_toast (foh (f)), ==, "Table 12 is ready");
  return TRUE;
}

/* B dies; the monitor keeps it, disconnected. */
static gboolean
step_kill_b (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (f->b, SIGKILL);
  g_subprocess_wait (f->b, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static gboolean
step_monitor_shows_disconnected (Fixture *f)
{
  GtkWindow *monitor = find_toplevel (f, TR_TYPE_HOST_MONITOR);
  g_auto (GStrv) rows = tr_host_monitor_dup_summary (TR_HOST_MONITOR (monitor));
  g_autofree char *line = g_strjoinv ("\n", rows);

  if (strstr (line, "\tdisconnected") == NULL)
    return FALSE;
  g_assert_cmpuint (g_strv_length (rows), ==, 1);
  g_assert_nonnull (strstr (line, f->b_station_id));
  return TRUE;
}

static gboolean
step_quit (Fixture *f)
{
  f->done = TRUE;
  g_application_quit (G_APPLICATION (f->app));
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

static void
test_two_stations (void)
{
  StepFunc steps[] = { step_a_shown,
                       step_flip_host_switch,
                       step_hosting,
                       step_start_b,
                       step_pair_b,
                       step_b_paired,
                       step_monitor_lists_b,
                       step_b_live,
                       step_create_order,
                       step_send_order,
                       step_order_on_a,
                       step_on_b_kitchen,
                       step_bumped,
                       step_ready_on_a,
                       step_test_screens,
                       step_screens_answered,
                       step_kill_b,
                       step_monitor_shows_disconnected,
                       step_quit,
                       NULL };
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GError) error = NULL;
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir",  NULL,
                   (char *)"--join",     (char *)"127.0.0.1:9", (char *)"--role",
                   (char *)"foh",        (char *)"--loopback",  NULL };

  f->dir_a = g_dir_make_tmp ("ticketrail-two-a-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir_b = g_dir_make_tmp ("ticketrail-two-b-XXXXXX", &error);
  g_assert_no_error (error);
  f->port = tr_test_free_port ();
  f->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  argv[2] = f->dir_a;

  /* A is not the app on the bus: B is, so the test can reach it. */
  f->app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
  f->steps = steps;
  f->started = g_get_monotonic_time () / 1000;
  g_timeout_add (POLL_MS, poll_steps, f);

  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), G_N_ELEMENTS (argv) - 1, argv), ==,
                   0);
  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_true (f->done);
  g_assert_finalize_object (f->app);
  if (f->b != NULL && g_subprocess_get_identifier (f->b) != NULL)
    {
      g_subprocess_force_exit (f->b);
      g_subprocess_wait (f->b, NULL, NULL);
    }
  g_clear_object (&f->b);
  g_clear_object (&f->bus);
  g_clear_pointer (&f->reply, g_variant_unref);
  g_clear_pointer (&f->screen, json_node_unref);
  tr_test_remove_tree (f->dir_a);
  tr_test_remove_tree (f->dir_b);
  g_free (f->dir_a);
  g_free (f->dir_b);
  g_free (f->call_error);
  g_free (f->b_station_id);
  g_free (f->ticket_id);
  g_free (f->ready_text);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/two-stations/order-bump-monitor", test_two_stations);

  return g_test_run ();
}
