/* test-foh-screenshots.c: renders the front of house, the order dialog,
 * the preferences with the host switch on and on their Connection page,
 * the host monitor and the
 * welcome page, light and dark, from the real app in a real window
 * (under Xvfb), into $TICKETRAIL_SCREENSHOT_DIR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-foh-screenshots"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tr-application.h"
#include "tr-connection-page.h"
#include "tr-foh-view.h"
#include "tr-host-monitor.h"
#include "tr-order-dialog.h"
#include "tr-preferences-window.h"
#include "tr-window.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"

#define POLL_MS 50
#define GIVE_UP_MS (300 * 1000)

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir;
  char *out_dir;
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gint64 started;
  gboolean done;

  /* The screen being shot, and which of its two looks. */
  GtkWindow *subject;
  const char *shot;
  gboolean dark_done;
  guint frames;
  gboolean waiting_frames;
  char *shot_file;

  /* Stations that connect to the host, for the monitor. */
  TrStation *clients[3];
  char *client_dirs[3];
  guint paired;
  gboolean pairing;
  GPtrArray *written;
};

typedef struct
{
  int number;
  const char *table;
  TrOrderType type;
  TrTicketStatus status;
  int created_min; /* minutes ago */
  int updated_min; /* minutes ago */
  gboolean rush;
  const char *note;
  const char *items[4]; /* "2 Paneer Tikka" */
} Seed;

/* One service, every section full. */
static const Seed seeds[] = {
  { 1038,
    "9",
    TR_ORDER_TYPE_DINE_IN,
    TR_TICKET_STATUS_SERVED,
    31,
    4,
    FALSE,
    NULL,
    { "2 Butter Chicken", "3 Garlic Naan", "1 Raita" } },
  { 1040,
    "1",
    TR_ORDER_TYPE_DINE_IN,
    TR_TICKET_STATUS_SERVED,
    27,
    11,
    FALSE,
    NULL,
    { "1 Caesar Salad", "1 Fresh Lime Soda" } },
  { 1041,
    NULL,
    TR_ORDER_TYPE_TAKEAWAY,
    TR_TICKET_STATUS_SERVED,
    38,
    24,
    FALSE,
    NULL,
    { "2 Vegetable Samosa", "1 Mango Lassi" } },
  { 1043,
    "12",
    TR_ORDER_TYPE_DINE_IN,
    TR_TICKET_STATUS_READY,
    16,
    3,
    TRUE,
    NULL,
    { "2 Paneer Tikka", "1 Garlic Naan", "2 Masala Chai" } },
  { 1044,
    NULL,
    TR_ORDER_TYPE_PICKUP,
    TR_TICKET_STATUS_READY,
    13,
    1,
    FALSE,
    NULL,
    { "1 Classic Burger", "1 Fries" } },
  { 1045,
    "5",
    TR_ORDER_TYPE_DINE_IN,
    TR_TICKET_STATUS_READY,
    12,
    0,
    FALSE,
    NULL,
    { "1 Fish and Chips" } },
  { 1046,
    "7",
    TR_ORDER_TYPE_DINE_IN,
    TR_TICKET_STATUS_PREPARING,
    9,
    7,
    FALSE,
    "Guest has a severe nut allergy",
    { "1 Steak Frites", "1 Caesar Salad" } },
  { 1048,
    NULL,
    TR_ORDER_TYPE_DELIVERY,
    TR_TICKET_STATUS_PREPARING,
    6,
    5,
    FALSE,
    "Ring the side door",
    { "2 Grilled Chicken Sandwich", "2 Onion Rings" } },
  { 1049,
    "2",
    TR_ORDER_TYPE_DINE_IN,
    TR_TICKET_STATUS_PREPARING,
    5,
    4,
    TRUE,
    NULL,
    { "3 Chole Bhature" } },
  { 1051,
    "14",
    TR_ORDER_TYPE_DINE_IN,
    TR_TICKET_STATUS_NEW,
    2,
    2,
    FALSE,
    NULL,
    { "2 Tandoori Chicken", "4 Tandoori Roti", "1 Dal Makhani" } },
  { 1052,
    NULL,
    TR_ORDER_TYPE_TAKEAWAY,
    TR_TICKET_STATUS_NEW,
    1,
    1,
    TRUE,
    NULL,
    { "1 Classic Burger", "1 Fries", "1 Cold Brew" } },
  { 1053,
    "3",
    TR_ORDER_TYPE_DINE_IN,
    TR_TICKET_STATUS_NEW,
    0,
    0,
    FALSE,
    "Birthday: bring dessert with a candle",
    { "2 Gulab Jamun", "2 Masala Chai" } },
};

/* ---- Helpers ---- */

static TrTicket *
build_ticket (const Seed *seed, gint64 now)
{
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  ticket->number = seed->number;
  ticket->table = g_strdup (seed->table);
  ticket->order_type = seed->type;
  ticket->priority = seed->rush ? TR_PRIORITY_RUSH : TR_PRIORITY_NORMAL;
  ticket->note = g_strdup (seed->note);
  ticket->status = seed->status;
  ticket->created_at = now - seed->created_min * 60000 - 20000;
  ticket->updated_at = now - seed->updated_min * 60000 - 10000;
  ticket->version = 3;
  for (guint i = 0; i < G_N_ELEMENTS (seed->items) && seed->items[i] != NULL; i++)
    {
      TrItem *item = tr_item_new ();
      char *end = NULL;

      item->id = tr_uuid_new ();
      item->quantity = (int)g_ascii_strtoll (seed->items[i], &end, 10);
      item->name = g_strdup (end + 1);
      item->status = seed->status == TR_TICKET_STATUS_SERVED  ? TR_ITEM_STATUS_SERVED
                     : seed->status == TR_TICKET_STATUS_READY ? TR_ITEM_STATUS_READY
                                                              : TR_ITEM_STATUS_PENDING;
      g_ptr_array_add (ticket->items, item);
    }
  return ticket;
}

/* A host database holding a service in full swing, with the times it
 * would have: ops applied now would all be "just now". */
static void
seed_store (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, TR_STORE_HOST_FILE, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  gint64 now = tr_now_ms ();

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    g_ptr_array_add (tickets, build_ticket (&seeds[i], now));
  g_assert_true (tr_store_apply_snapshot (store, "seed", 0, tickets, &error));
  g_assert_no_error (error);
}

static TrWindow *
find_window (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static GtkWindow *
find_toplevel (Fixture *f, GType type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static GtkWindow *
find_any_toplevel (GType type)
{
  g_autoptr (GList) list = gtk_window_list_toplevels ();

  for (GList *l = list; l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_mapped (l->data))
      return l->data;
  return NULL;
}

/* ---- Shooting ---- */

static void
save_png (Fixture *f, const char *name);

/* Right after a frame everything is laid out: nothing waits for an
 * allocation, so the snapshot is the frame itself. */
static void
on_after_paint (GdkFrameClock *clock, Fixture *f)
{
  if (++f->frames >= 3 && f->shot_file != NULL)
    {
      save_png (f, f->shot_file);
      g_clear_pointer (&f->shot_file, g_free);
    }
}

static void
save_png (Fixture *f, const char *name)
{
  GtkWidget *widget = GTK_WIDGET (f->subject);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (f->out_dir, name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (widget));

  g_assert_cmpint (width, >, 300);
  g_assert_cmpint (height, >, 300);
  /* The window's own background, under its rounded corners. */
  gtk_snapshot_append_color (snapshot,
                             adw_style_manager_get_dark (adw_style_manager_get_default ())
                               ? &(GdkRGBA){ 0.14, 0.14, 0.14, 1 }
                               : &(GdkRGBA){ 0.98, 0.98, 0.98, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_ptr_array_add (f->written, g_steal_pointer (&path));
  g_test_message ("Wrote %s", name);
}

/* Shoots f->subject dark, then light, as NAME-dark.png and
 * NAME-light.png, each after a few frames in that style; TRUE when
 * both are written (the style is dark again then). */
static gboolean
shoot (Fixture *f, const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GSettings *settings = tr_application_get_settings (f->app);
  GdkFrameClock *clock;
  if (f->subject == NULL || !gtk_widget_get_mapped (GTK_WIDGET (f->subject)))
    return FALSE;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->subject));
  if (adw_style_manager_get_dark (style) == f->dark_done)
    return FALSE; /* the style is still changing */

  if (!f->waiting_frames)
    {
      f->frames = 0;
      f->waiting_frames = TRUE;
      f->shot_file = g_strdup_printf ("%s-%s.png", name, f->dark_done ? "light" : "dark");
      g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), f);
    }
  gtk_widget_queue_draw (GTK_WIDGET (f->subject));
  if (f->shot_file != NULL)
    return FALSE;
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, f);
  f->waiting_frames = FALSE;

  if (!f->dark_done)
    {
      f->dark_done = TRUE;
      g_settings_set_string (settings, "color-scheme", "light");
      return FALSE;
    }
  f->dark_done = FALSE;
  g_settings_set_string (settings, "color-scheme", "dark");
  return TRUE;
}

/* ---- Steps ---- */

static gboolean
step_board (Fixture *f)
{
  TrWindow *window = find_window (f);
  TrFohView *foh;

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return FALSE;
  foh = tr_window_get_foh_view (window);
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    g_assert_cmpuint (g_list_model_get_n_items (tr_foh_view_get_section (foh, s)), ==, 3);
  {
    GPtrArray *stacks = g_ptr_array_new ();

    tr_test_collect_widgets (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, stacks);
    g_assert_cmpuint (stacks->len, ==, 1);
    adw_view_stack_set_visible_child_name (stacks->pdata[0], "foh");
    g_ptr_array_unref (stacks);
  }
  f->subject = GTK_WINDOW (window);
  return TRUE;
}

static gboolean
step_shoot_board (Fixture *f)
{
  return shoot (f, "foh");
}

static gboolean
step_open_order (Fixture *f)
{
  TrFohView *foh = tr_window_get_foh_view (find_window (f));
  TrOrderDialog *dialog;
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  g_autoptr (GPtrArray) expanders = g_ptr_array_new ();

  gtk_widget_activate_action (GTK_WIDGET (foh), "foh.new-order", NULL);
  dialog = TR_ORDER_DIALOG (tr_foh_view_get_dialog (foh));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 1180, 780);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 6);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 6);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 7);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-menu-item", "u", 10);
  tr_test_collect_widgets (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      const char *title = adw_preferences_row_get_title (rows->pdata[i]);

      if (g_strcmp0 (title, "_Table") == 0)
        gtk_editable_set_text (rows->pdata[i], "12");
      else if (g_strcmp0 (title, "_Note for the kitchen") == 0)
        gtk_editable_set_text (rows->pdata[i], "Birthday: candle on the dessert");
    }
  tr_test_collect_widgets (GTK_WIDGET (dialog), ADW_TYPE_EXPANDER_ROW, expanders);
  g_assert_cmpuint (expanders->len, ==, 3);
  rows->len = 0;
  tr_test_collect_widgets (GTK_WIDGET (expanders->pdata[0]), ADW_TYPE_ENTRY_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_str_has_prefix (adw_preferences_row_get_title (rows->pdata[i]), "_Modifiers"))
      gtk_editable_set_text (rows->pdata[i], "extra spicy");
  f->subject = GTK_WINDOW (dialog);
  return TRUE;
}

static gboolean
step_shoot_order (Fixture *f)
{
  if (!shoot (f, "order-dialog"))
    return FALSE;
  gtk_window_destroy (f->subject);
  f->subject = NULL;
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  return TRUE;
}

static gboolean
step_shoot_preferences (Fixture *f)
{
  GtkWindow *prefs = find_toplevel (f, TR_TYPE_PREFERENCES_WINDOW);

  if (prefs == NULL)
    return FALSE;
  if (f->subject == NULL)
    {
      g_autoptr (GPtrArray) switches = g_ptr_array_new ();

      tr_test_collect_widgets (GTK_WIDGET (prefs), GTK_TYPE_SWITCH, switches);
      g_assert_cmpuint (switches->len, >=, 1);
      /* The host switch, on: this station hosts. */
      g_assert_cmpstr (gtk_actionable_get_action_name (switches->pdata[0]), ==, "app.host");
      g_assert_true (gtk_switch_get_active (switches->pdata[0]));
      gtk_window_set_default_size (prefs, 720, 860);
      f->subject = prefs;
    }
  if (!shoot (f, "preferences-host"))
    return FALSE;
  return TRUE;
}

/* The same window on its advanced Connection page. */
static gboolean
step_shoot_connection (Fixture *f)
{
  GtkWindow *prefs = f->subject;
  g_autoptr (GPtrArray) pages = g_ptr_array_new ();

  tr_test_collect_widgets (GTK_WIDGET (prefs), TR_TYPE_CONNECTION_PAGE, pages);
  g_assert_cmpuint (pages->len, ==, 1);
  if (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (prefs)) != pages->pdata[0])
    adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), pages->pdata[0]);
  if (!shoot (f, "preferences-connection"))
    return FALSE;
  gtk_window_destroy (prefs);
  f->subject = NULL;
  return TRUE;
}

static void
on_paired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_client_pair_finish (TR_CLIENT (source), result, &error));
  g_assert_no_error (error);
  f->paired++;
  f->pairing = FALSE;
}

/* Three stations pair with the host; the bar's screen then goes away. */
static gboolean
step_stations (Fixture *f)
{
  static const char *const names[] = { "Grill 1", "Expo", "Bar" };
  static const char *const roles[] = { "kitchen", "expo", "kitchen" };
  TrStation *host = tr_application_get_station (f->app);
  g_autofree char *url = NULL;
  g_autofree char *code = NULL;
  g_autoptr (GError) error = NULL;
  guint i = f->paired;

  if (f->pairing)
    return FALSE;
  if (i == G_N_ELEMENTS (names))
    return TRUE;

  url
    = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (tr_station_get_host (host)));
  f->client_dirs[i] = g_dir_make_tmp ("ticketrail-shots-client-XXXXXX", &error);
  g_assert_no_error (error);
  f->clients[i] = tr_station_new_client (f->client_dirs[i], url, names[i], roles[i], &error);
  g_assert_no_error (error);
  code = tr_host_new_pairing_code (tr_station_get_host (host), NULL, &error);
  g_assert_no_error (error);
  f->pairing = TRUE;
  tr_client_pair_async (tr_station_get_client (f->clients[i]), code, NULL, on_paired, f);
  return FALSE;
}

static guint
count_state (GStrv rows, const char *state)
{
  guint n = 0;

  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (rows[i], "\t", 3);

      n += g_strcmp0 (fields[1], state) == 0;
    }
  return n;
}

static gboolean
step_all_connected (Fixture *f)
{
  TrHost *host = tr_station_get_host (tr_application_get_station (f->app));
  GtkWindow *monitor = find_toplevel (f, TR_TYPE_HOST_MONITOR);

  if (monitor == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (find_window (f)), "win.host-monitor", NULL);
      return FALSE;
    }
  {
    g_auto (GStrv) rows = tr_host_monitor_dup_summary (TR_HOST_MONITOR (monitor));

    if (count_state (rows, "connected") < 3)
      return FALSE;
  }
  g_assert_nonnull (host);
  /* The bar's screen is switched off. */
  tr_station_shutdown (f->clients[2]);
  return TRUE;
}

static gboolean
step_bar_gone (Fixture *f)
{
  GtkWindow *monitor = find_toplevel (f, TR_TYPE_HOST_MONITOR);
  g_auto (GStrv) rows = tr_host_monitor_dup_summary (TR_HOST_MONITOR (monitor));

  if (count_state (rows, "connected") != 2 || count_state (rows, "disconnected") != 1)
    return FALSE;
  /* Each row draws its last 24 hours: every station has a link. */
  {
    g_autofree char *never
      = tr_host_monitor_dup_history_line (TR_HOST_MONITOR (monitor), "no-such-station");

    for (guint i = 0; rows[i] != NULL; i++)
      {
        g_auto (GStrv) fields = g_strsplit (rows[i], "\t", 3);
        g_autofree char *line
          = tr_host_monitor_dup_history_line (TR_HOST_MONITOR (monitor), fields[2]);

        g_assert_cmpstr (line, !=, never);
      }
  }
  gtk_window_set_default_size (monitor, 760, 560);
  f->subject = monitor;
  return TRUE;
}

static gboolean
step_shoot_monitor (Fixture *f)
{
  if (!shoot (f, "host-monitor"))
    return FALSE;
  gtk_window_destroy (f->subject);
  f->subject = NULL;
  g_settings_set_boolean (tr_application_get_settings (f->app), "first-run-done", FALSE);
  return TRUE;
}

static gboolean
step_shoot_welcome (Fixture *f)
{
  if (f->subject == NULL)
    {
      g_assert_nonnull (find_any_toplevel (TR_TYPE_WINDOW));
      f->subject = GTK_WINDOW (find_window (f));
    }
  return shoot (f, "welcome");
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
test_screenshots (void)
{
  StepFunc steps[] = { step_board,
                       step_shoot_board,
                       step_open_order,
                       step_shoot_order,
                       step_shoot_preferences,
                       step_shoot_connection,
                       step_stations,
                       step_all_connected,
                       step_bar_gone,
                       step_shoot_monitor,
                       step_shoot_welcome,
                       step_quit,
                       NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL,
                   (char *)"--port",     (char *)"0",          (char *)"--loopback",
                   (char *)"--role",     (char *)"foh",        NULL };

  f->dir = g_dir_make_tmp ("ticketrail-foh-shots-XXXXXX", &error);
  g_assert_no_error (error);
  f->out_dir = g_strdup (g_getenv ("TICKETRAIL_SCREENSHOT_DIR"));
  if (f->out_dir == NULL)
    f->out_dir = g_get_current_dir ();
  f->written = g_ptr_array_new_with_free_func (g_free);
  argv[2] = f->dir;
  seed_store (f->dir);

  g_settings_set_int (settings, "window-width", 1280);
  g_settings_set_int (settings, "window-height", 800);
  g_settings_set_string (settings, "color-scheme", "dark");
  g_settings_set_string (settings, "station-name", "Front Counter");
  g_settings_set_boolean (settings, "sounds", FALSE);

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

  /* Six screens, light and dark, all readable back. */
  g_assert_cmpuint (f->written->len, ==, 12);
  for (guint i = 0; i < f->written->len; i++)
    {
      g_autoptr (GdkTexture) texture = gdk_texture_new_from_filename (f->written->pdata[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (gdk_texture_get_width (texture), >, 300);
    }

  for (guint i = 0; i < G_N_ELEMENTS (f->clients); i++)
    if (f->clients[i] != NULL)
      {
        tr_station_shutdown (f->clients[i]);
        g_assert_finalize_object (f->clients[i]);
        tr_test_remove_tree (f->client_dirs[i]);
        g_free (f->client_dirs[i]);
      }
  g_assert_finalize_object (f->app);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->out_dir);
  g_ptr_array_unref (f->written);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/foh-screenshots/render", test_screenshots);

  return g_test_run ();
}
