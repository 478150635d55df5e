/* test-training-app.c: training mode in the real app (issue 14, part 5),
 * in a real window under Xvfb (docs/training.md)
 *
 * /training-app/switch: a live host (`ticketrail --data-dir D`) takes
 * three live orders through the op path; the TRAINING banner is hidden.
 * app.switch-training (the menu's Training Mode) restarts the host on
 * training.db: the banner shows on the new window, with its Clear and
 * Back to Live buttons, and none of the live tickets is there. Add
 * Sample Tickets adds the demo's twelve; on the way,
 * $TICKETRAIL_SCREENSHOT_DIR/training-banner.png (docs/screenshots/).
 * The host monitor (Connected Stations) has the banner too.
 * Clear Training Tickets, confirmed in its dialog, empties the list.
 * Back to Live (the banner's button) hides the banner and shows the
 * three live tickets exactly as they were (tr_tickets_hash); host.db,
 * opened read-only once the app is gone, holds those three only.
 *
 * /training-app/demo: `ticketrail --demo` starts in training: the
 * banner shows over the sample tickets, and host.db holds none (it is
 * not even made). The mode is remembered: a plain restart comes back
 * in training, on the same sample tickets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-training-app"

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "tr-application.h"
#include "tr-codec.h"
#include "tr-demo.h"
#include "tr-host-monitor.h"
#include "tr-store-training.h"
#include "tr-window.h"
#include "tr-test-util.h"

#define POLL_MS 50
#define GIVE_UP_MS (300 * 1000)
#define N_LIVE 3

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir;
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gint64 started;
  gboolean done;

  TrStation *seen; /* the station of the last step, to see it replaced */
  char *live_hash;
  gboolean submitted;

  guint frames;
  gboolean shot_done;
  char *shot_path;
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

static TrStation *
station (Fixture *f)
{
  return tr_application_get_station (f->app);
}

/* The tickets the station reads, open and done. */
static GPtrArray *
list_tickets (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *tickets
    = tr_store_list_tickets (tr_station_get_store (station (f)), FALSE, NULL, &error);

  g_assert_no_error (error);
  return tickets;
}

static guint
n_tickets (Fixture *f)
{
  g_autoptr (GPtrArray) tickets = list_tickets (f);

  return tickets->len;
}

/* The kitchen view's list: what the cook sees. */
static guint
n_shown (Fixture *f)
{
  TrWindow *window = find_window (f);

  return g_list_model_get_n_items (tr_kitchen_view_get_model (tr_window_get_kitchen_view (window)));
}

/* A new window on a new station (the host restarted) is up and mapped. */
static gboolean
restarted (Fixture *f)
{
  TrWindow *window = find_window (f);

  return station (f) != NULL && station (f) != f->seen && window != NULL
         && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static gboolean
action_enabled (Fixture *f, const char *name)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), name);
}

static gboolean
action_state (Fixture *f, const char *name)
{
  g_autoptr (GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (f->app), name);

  return g_variant_get_boolean (state);
}

/* Rows in @file's tickets table, read-only, once the app has closed it;
 * -1 when the file does not exist. */
static int
count_tickets_in_file (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return -1;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM tickets", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
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

  g_settings_set_boolean (settings, "first-run-done", TRUE);
  g_settings_set_int (settings, "window-width", 1280);
  g_settings_set_int (settings, "window-height", 800);
  g_settings_set_string (settings, "color-scheme", "dark");
  f->app = tr_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
  f->steps = steps;
  f->step = 0;
  f->done = FALSE;
  f->seen = NULL;
  f->started = now_ms ();
  g_timeout_add (POLL_MS, poll_steps, f);
  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), argc, argv), ==, 0);
  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (f->done);
  g_assert_finalize_object (f->app);
  f->app = NULL;
}

/* ---- The screenshot: the kitchen with the sample tickets ---- */

static void
on_after_paint (GdkFrameClock *clock, Fixture *f)
{
  GtkWidget *widget = GTK_WIDGET (find_window (f));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  if (f->shot_done || ++f->frames < 3)
    return;
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &(GdkRGBA){ 0.14, 0.14, 0.14, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, f->shot_path));
  g_test_message ("Wrote %s", f->shot_path);
  f->shot_done = TRUE;
}

static gboolean
step_shoot (Fixture *f)
{
  GtkWidget *widget = GTK_WIDGET (find_window (f));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (f->shot_path == NULL)
    {
      const char *dir = g_getenv ("TICKETRAIL_SCREENSHOT_DIR");

      f->shot_path = g_build_filename (dir ? dir : f->dir, "training-banner.png", NULL);
      g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), f);
    }
  gtk_widget_queue_draw (widget);
  if (!f->shot_done)
    return FALSE;
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, f);
  return TRUE;
}

/* ---- /training-app/switch ---- */

static void
on_live_submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_station_submit_ops_finish (TR_STATION (source), result, &error));
  g_assert_no_error (error);
}

static gboolean
step_live (Fixture *f)
{
  TrWindow *window = find_window (f);

  if (window == NULL || station (f) == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return FALSE;
  g_assert_false (tr_station_is_training (station (f)));
  g_assert_false (tr_window_get_training_banner (window));
  g_assert_true (action_enabled (f, "switch-training"));
  g_assert_false (action_state (f, "switch-training"));
  g_assert_false (action_enabled (f, "clear-training"));
  if (!f->submitted)
    {
      /* Live orders, as a POS would send them: the op path. */
      g_autoptr (GPtrArray) ops = tr_demo_build_ops (N_LIVE, tr_now_ms ());

      tr_station_submit_ops_async (station (f), ops, NULL, on_live_submitted, NULL);
      f->submitted = TRUE;
    }
  if (n_tickets (f) != N_LIVE || n_shown (f) == 0)
    return FALSE;
  {
    g_autoptr (GPtrArray) tickets = list_tickets (f);

    f->live_hash = tr_tickets_hash (tickets);
  }
  f->seen = station (f);
  g_action_group_change_action_state (G_ACTION_GROUP (f->app), "switch-training",
                                      g_variant_new_boolean (TRUE));
  return TRUE;
}

static gboolean
step_in_training (Fixture *f)
{
  TrWindow *window = find_window (f);

  if (!restarted (f) || !tr_window_get_training_banner (window))
    return FALSE;
  g_assert_true (tr_station_is_training (station (f)));
  g_assert_true (action_state (f, "switch-training"));
  g_assert_true (action_enabled (f, "clear-training"));
  /* training.db starts empty: no live ticket crossed over. */
  g_assert_cmpuint (n_tickets (f), ==, 0);
  g_assert_cmpuint (n_shown (f), ==, 0);
  g_assert_nonnull (strstr (tr_window_get_last_toast (window), "Training"));
  /* Add Sample Tickets, already in training: no restart. */
  f->seen = station (f);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "demo", NULL);
  g_assert_true (station (f) == f->seen);
  return TRUE;
}

static gboolean
step_samples (Fixture *f)
{
  if (n_tickets (f) != TR_DEMO_N_TICKETS || n_shown (f) == 0)
    return FALSE;
  g_assert_true (tr_window_get_training_banner (find_window (f)));
  return TRUE;
}

/* The host monitor (Connected Stations), once open and mapped. */
static GtkWidget *
find_monitor (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_HOST_MONITOR (l->data) && gtk_widget_get_mapped (l->data))
      return l->data;
  return NULL;
}

/* The monitor has the banner too, open, under its header bar. */
static gboolean
step_monitor (Fixture *f)
{
  GtkWidget *monitor = find_monitor (f);
  GtkWidget *content;

  if (monitor == NULL)
    {
      g_action_group_activate_action (G_ACTION_GROUP (find_window (f)), "host-monitor", NULL);
      return FALSE;
    }
  content = adw_window_get_content (ADW_WINDOW (monitor));
  for (GtkWidget *child = gtk_widget_get_first_child (content); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_REVEALER (child) && gtk_revealer_get_reveal_child (GTK_REVEALER (child))
        && gtk_widget_get_mapped (child)
        && gtk_widget_has_css_class (gtk_revealer_get_child (GTK_REVEALER (child)),
                                     "training-banner"))
      {
        gtk_window_destroy (GTK_WINDOW (monitor));
        return TRUE;
      }
  g_error ("The host monitor has no TRAINING banner");
  return FALSE;
}

static AdwMessageDialog *
find_dialog (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data))
      return l->data;
  return NULL;
}

static gboolean
step_clear (Fixture *f)
{
  AdwMessageDialog *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "clear-training", NULL);
  dialog = find_dialog (f);
  g_assert_nonnull (dialog);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "clear"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  /* Cancel first: nothing happens. */
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (station (f) == f->seen);
  g_assert_cmpuint (n_tickets (f), ==, TR_DEMO_N_TICKETS);

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "clear-training", NULL);
  dialog = find_dialog (f);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "clear");
  gtk_window_destroy (GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
step_cleared (Fixture *f)
{
  TrWindow *window = find_window (f);

  if (!restarted (f) || n_tickets (f) != 0 || n_shown (f) != 0)
    return FALSE;
  g_assert_true (tr_station_is_training (station (f)));
  g_assert_true (tr_window_get_training_banner (window));
  g_assert_cmpstr (tr_window_get_last_toast (window), ==, "Training tickets cleared");
  f->seen = station (f);
  /* The banner's Back to Live button, as a tap: the action it names. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "switch-training", NULL);
  return TRUE;
}

static gboolean
step_back_to_live (Fixture *f)
{
  TrWindow *window = find_window (f);
  g_autoptr (GPtrArray) tickets = NULL;
  g_autofree char *hash = NULL;

  if (!restarted (f) || tr_window_get_training_banner (window) || n_shown (f) == 0)
    return FALSE;
  g_assert_false (tr_station_is_training (station (f)));
  g_assert_false (action_state (f, "switch-training"));
  g_assert_false (action_enabled (f, "clear-training"));
  /* The live tickets, untouched. */
  tickets = list_tickets (f);
  hash = tr_tickets_hash (tickets);
  g_assert_cmpuint (tickets->len, ==, N_LIVE);
  g_assert_cmpstr (hash, ==, f->live_hash);
  return TRUE;
}

static void
test_switch (void)
{
  StepFunc steps[] = { step_live,  step_in_training, step_samples,      step_shoot, step_monitor,
                       step_clear, step_cleared,     step_back_to_live, step_quit,  NULL };
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL,
                   (char *)"--port",     (char *)"0",          (char *)"--loopback",
                   (char *)"--role",     (char *)"kitchen",    NULL };

  f->dir = g_dir_make_tmp ("ticketrail-training-app-XXXXXX", &error);
  g_assert_no_error (error);
  argv[2] = f->dir;
  g_settings_set_boolean (settings, "training", FALSE);

  run_app (f, steps, argv, G_N_ELEMENTS (argv) - 1);

  /* Live back, and remembered so. */
  g_assert_false (g_settings_get_boolean (settings, "training"));
  g_assert_cmpint (count_tickets_in_file (f->dir, "host.db"), ==, N_LIVE);
  g_assert_cmpint (count_tickets_in_file (f->dir, TR_STORE_TRAINING_FILE), ==, 0);

  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->live_hash);
  g_free (f->shot_path);
}

/* ---- /training-app/demo ---- */

static gboolean
step_demo (Fixture *f)
{
  TrWindow *window = find_window (f);

  if (window == NULL || station (f) == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window))
      || n_tickets (f) != TR_DEMO_N_TICKETS || n_shown (f) == 0)
    return FALSE;
  g_assert_true (tr_station_is_training (station (f)));
  g_assert_true (tr_window_get_training_banner (window));
  return TRUE;
}

static void
test_demo (void)
{
  StepFunc steps[] = { step_demo, step_quit, NULL };
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL, (char *)"--port", (char *)"0",
                   (char *)"--loopback", (char *)"--demo",     NULL };
  char *plain_argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL, (char *)"--port",
                         (char *)"0",          (char *)"--loopback", NULL };

  f->dir = g_dir_make_tmp ("ticketrail-training-demo-XXXXXX", &error);
  g_assert_no_error (error);
  argv[2] = plain_argv[2] = f->dir;
  g_settings_set_boolean (settings, "training", FALSE);

  run_app (f, steps, argv, G_N_ELEMENTS (argv) - 1);
  g_assert_true (g_settings_get_boolean (settings, "training"));
  /* No sample ticket in the live file: it was never even made. */
  g_assert_cmpint (count_tickets_in_file (f->dir, "host.db"), <=, 0);
  g_assert_cmpint (count_tickets_in_file (f->dir, TR_STORE_TRAINING_FILE), ==, TR_DEMO_N_TICKETS);

  /* A plain restart comes back in training, on the same samples. */
  run_app (f, steps, plain_argv, G_N_ELEMENTS (plain_argv) - 1);
  g_assert_cmpint (count_tickets_in_file (f->dir, "host.db"), <=, 0);

  g_settings_reset (settings, "training");
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  /* The app's DNS-SD following would look for other hosts. */
  g_setenv ("TICKETRAIL_DNSSD", "0", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The screenshot shows the cards, not a cross-fade to them. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/training-app/switch", test_switch);
  g_test_add_func ("/training-app/demo", test_demo);

  return g_test_run ();
}
