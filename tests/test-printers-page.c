/* test-printers-page.c: kitchen printers in the app (issue 13), in real
 * windows under Xvfb, against a real TrHost in this process and a fake
 * ESC/POS printer that is a real TCP server on loopback
 *
 * Preferences' Printers page adds a printer (a bad address or name is
 * refused on the page and saves nothing), prints a test page that the
 * printer reads back as text, changes and removes it; the host monitor
 * shows the printer offline once it is gone and the link watch raises
 * the alert, then "is back"; Reprint on a kitchen card, and on an
 * order's row on front of house, prints a REPRINT slip. The printer is
 * tests/tr-fake-printer.c. The Printers page is rendered to
 * printers-page.png, the host monitor with the printer offline to
 * host-monitor-printer-offline.png, in $TICKETRAIL_SCREENSHOT_DIR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-printers-page"

#include "config.h"

#include <string.h>

#include "tr-foh-view.h"
#include "tr-host-monitor.h"
#include "tr-kitchen-view.h"
#include "tr-link-watch.h"
#include "tr-preferences-window.h"
#include "tr-printer-monitor.h"
#include "tr-printers-page.h"
#include "tr-fake-printer.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"
#include "tr-ticket-card.h"

/* Each wait is for a condition; only this generous limit turns a hang
 * into a failure. */
#define GIVE_UP_MS (120 * 1000)

/* The slips printed so far that hold @text. */
static guint
count_slips (TrFakePrinter *printer, const char *text)
{
  return tr_fake_printer_count_matching (printer, text);
}

/* ---- Fixture ---- */

typedef struct
{
  char *dir;
  GSettings *settings;
  TrStation *station;
  TrHost *host;
  TrFakePrinter *printer;
  char *address;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-test-printers-XXXXXX", &error);
  g_assert_no_error (error);
  f->settings = g_settings_new (APP_ID);
  f->station = tr_station_new_host (f->dir, tr_test_free_port (), TRUE, &error);
  g_assert_no_error (error);
  f->host = tr_station_get_host (f->station);
  /* A printer that comes back is tried again within a second. */
  g_object_set (f->host, "printer-backoff-max", 1000, NULL);
  f->printer = tr_fake_printer_new (42, 0);
  f->address = tr_fake_printer_dup_address (f->printer);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  tr_station_shutdown (f->station);
  g_assert_finalize_object (f->station);
  tr_fake_printer_free (f->printer);
  g_clear_object (&f->settings);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->address);
}

typedef gboolean (*Condition) (Fixture *f, gconstpointer data);

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @condition holds. */
static void
wait_for (Fixture *f, Condition condition, gconstpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + GIVE_UP_MS * 1000;
  guint tick = g_timeout_add (50, wake, NULL);

  while (!condition (f, data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static gpointer
find_one (GtkWidget *root, GType type)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new ();

  tr_test_collect_widgets (root, type, found);
  g_assert_cmpuint (found->len, ==, 1);
  return found->pdata[0];
}

static GtkWidget *
find_row (GtkWidget *root, GType type, const char *title)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  tr_test_collect_widgets (root, type, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (rows->pdata[i]), title) == 0)
      return rows->pdata[i];
  g_error ("No row “%s”", title);
  return NULL;
}

static gboolean
has_label (GtkWidget *root, const char *prefix)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  tr_test_collect_widgets (root, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_str_has_prefix (gtk_label_get_label (labels->pdata[i]), prefix))
      return TRUE;
  return FALSE;
}

static guint
n_host_printers (Fixture *f)
{
  g_autoptr (GPtrArray) printers = tr_host_list_printers (f->host);

  return printers->len;
}

/* The host's printer @name, or NULL. */
static TrPrinterInfo *
host_printer (Fixture *f, const char *name)
{
  g_autoptr (GPtrArray) printers = tr_host_list_printers (f->host);

  for (guint i = 0; i < printers->len; i++)
    {
      TrPrinterInfo *info = printers->pdata[i];

      if (g_strcmp0 (info->printer->name, name) == 0)
        return tr_printer_info_copy (info);
    }
  return NULL;
}

/* ---- The Printers page ---- */

typedef struct
{
  TrPreferencesWindow *prefs;
  TrPrintersPage *page;
} Page;

static TrPrinterEditor *
editor_of (Page *p)
{
  return tr_printers_page_get_editor (p->page);
}

static void
fill (Page *p, const char *name, const char *address)
{
  GtkWidget *editor = GTK_WIDGET (editor_of (p));

  g_assert_nonnull (editor);
  gtk_editable_set_text (GTK_EDITABLE (find_row (editor, ADW_TYPE_ENTRY_ROW, "_Name, e.g. Grill")),
                         name);
  gtk_editable_set_text (
    GTK_EDITABLE (find_row (editor, ADW_TYPE_ENTRY_ROW, "_Address, e.g. tcp://192.168.1.50:9100")),
    address);
}

static void
save (Page *p)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor_of (p)), "editor.save", NULL));
}

static gboolean
editor_closed (Fixture *f, gconstpointer data)
{
  return tr_printers_page_get_editor (((Page *)data)->page) == NULL;
}

static gboolean
toast_is (Fixture *f, gconstpointer data)
{
  const Page *p = data;
  const char *toast = tr_printers_page_get_last_toast (p->page);

  return toast != NULL && g_str_has_prefix (toast, g_object_get_data (G_OBJECT (p->page), "want"));
}

static gboolean
no_printers (Fixture *f, gconstpointer data)
{
  return n_host_printers (f) == 0;
}

/* Bad input is said on the page, and the host has no printer after it. */
static void
assert_refused (Fixture *f, Page *p, const char *name, const char *address, const char *says)
{
  fill (p, name, address);
  save (p);
  g_assert_nonnull (tr_printer_editor_get_error (editor_of (p)));
  g_assert_nonnull (strstr (tr_printer_editor_get_error (editor_of (p)), says));
  g_assert_false (tr_printer_editor_get_saving (editor_of (p)));
  g_test_message ("Refused %s / %s: %s", name, address,
                  tr_printer_editor_get_error (editor_of (p)));
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
  g_assert_cmpint (width, >, 300);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA){ 0.98, 0.98, 0.98, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s", path);
}

static gboolean
page_shows (Fixture *f, gconstpointer data)
{
  const Page *p = data;
  g_auto (GStrv) summary = tr_printers_page_dup_summary (p->page);
  const char *want = g_object_get_data (G_OBJECT (p->page), "want");

  return summary[0] != NULL && g_strcmp0 (summary[0], want) == 0;
}

static void
count_frame (GdkFrameClock *clock, GObject *window)
{
  guint frames = GPOINTER_TO_UINT (g_object_get_data (window, "frames"));

  g_object_set_data (window, "frames", GUINT_TO_POINTER (frames + 1));
}

/* A few frames after the last change: the toast is in, and every row
 * laid out. */
static gboolean
painted (Fixture *f, gconstpointer data)
{
  GtkWidget *widget = GTK_WIDGET (data);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (g_object_get_data (G_OBJECT (widget), "counting") == NULL)
    {
      g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame), widget);
      g_object_set_data (G_OBJECT (widget), "counting", clock);
    }
  gtk_widget_queue_draw (widget);
  if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "frames")) < 5)
    return FALSE;
  g_signal_handlers_disconnect_by_func (clock, count_frame, widget);
  g_object_set_data (G_OBJECT (widget), "counting", NULL);
  return TRUE;
}

static gboolean
drawn (Fixture *f, gconstpointer data)
{
  GtkWidget *widget = GTK_WIDGET (data);

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 300;
}

/* The switcher's button for @title is shown. */
static gboolean
switcher_shows (GtkWidget *window, const char *title)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();
  GType type = g_type_from_name ("AdwViewSwitcherButton");

  g_assert_true (type != 0);
  tr_test_collect_widgets (window, type, buttons);
  g_assert_cmpuint (buttons->len, >, 0);
  for (guint i = 0; i < buttons->len; i++)
    if (gtk_widget_is_visible (buttons->pdata[i]) && has_label (buttons->pdata[i], title))
      return TRUE;
  return FALSE;
}

/* A station that follows a host has no Printers page. */
static void
test_follower_has_none (Fixture *f, gconstpointer data)
{
  TrPreferencesWindow *prefs = tr_preferences_window_new (NULL, NULL, f->settings, NULL);
  TrPrintersPage *page;

  gtk_window_present (GTK_WINDOW (prefs));
  page = find_one (GTK_WIDGET (prefs), TR_TYPE_PRINTERS_PAGE);
  g_assert_true (switcher_shows (GTK_WIDGET (prefs), "_Menu"));
  g_assert_false (switcher_shows (GTK_WIDGET (prefs), "_Printers"));
  g_object_set (prefs, "station", f->station, NULL);
  g_assert_true (switcher_shows (GTK_WIDGET (prefs), "_Printers"));
  {
    g_autoptr (TrStation) shown = NULL;

    g_object_get (page, "station", &shown, NULL);
    g_assert_true (shown == f->station);
  }
  g_object_set (prefs, "station", NULL, NULL);
  g_assert_false (switcher_shows (GTK_WIDGET (prefs), "_Printers"));
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
test_page (Fixture *f, gconstpointer data)
{
  Page page = { 0 };
  Page *p = &page;
  g_autoptr (TrPrinterInfo) info = NULL;
  g_autoptr (GPtrArray) dialogs = g_ptr_array_new ();
  GtkWidget *editor;

  p->prefs = tr_preferences_window_new (NULL, NULL, f->settings, f->station);
  gtk_window_set_default_size (GTK_WINDOW (p->prefs), 900, 760);
  gtk_window_present (GTK_WINDOW (p->prefs));
  p->page = find_one (GTK_WIDGET (p->prefs), TR_TYPE_PRINTERS_PAGE);
  g_assert_true (switcher_shows (GTK_WIDGET (p->prefs), "_Printers"));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (p->prefs),
                                           ADW_PREFERENCES_PAGE (p->page));

  /* Add: a bad address, no name, a bad port, each refused on the page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (p->page), "printers.add", NULL));
  editor = GTK_WIDGET (editor_of (p));
  g_assert_nonnull (editor);
  assert_refused (f, p, "Grill", "the printer by the pass", "tcp://");
  g_assert_true (gtk_widget_has_css_class (
    find_row (editor, ADW_TYPE_ENTRY_ROW, "_Address, e.g. tcp://192.168.1.50:9100"), "error"));
  assert_refused (f, p, "Grill", "http://127.0.0.1:9100", "tcp://");
  assert_refused (f, p, "Grill", "tcp://127.0.0.1:70000", "tcp://");
  assert_refused (f, p, "  ", f->address, "name");
  assert_refused (f, p, "Grill/Fry", f->address, "name");
  g_assert_cmpuint (n_host_printers (f), ==, 0);
  g_assert_true (editor_of (p) == TR_PRINTER_EDITOR (editor));

  /* A good one: "HOST:PORT" means tcp://. */
  fill (p, "Grill", f->address + strlen ("tcp://"));
  save (p);
  wait_for (f, editor_closed, p, "the editor to close after a save");
  info = host_printer (f, "Grill");
  g_assert_nonnull (info);
  g_assert_cmpstr (info->printer->address, ==, f->address);
  g_assert_cmpuint (info->printer->columns, ==, 42);
  g_assert_cmpint (info->printer->mode, ==, TR_PRINTER_MODE_ALWAYS);
  g_assert_cmpstr (info->printer->routes[0], ==, NULL);
  g_clear_pointer (&info, tr_printer_info_free);

  /* Print Test Page: the printer prints it, and the toast says so. */
  g_assert_true (
    gtk_widget_activate_action (GTK_WIDGET (p->page), "printers.test-page", "s", "Grill"));
  g_object_set_data (G_OBJECT (p->page), "want", (gpointer) "Test page printed on Grill");
  wait_for (f, toast_is, p, "the test page");
  /* Its name double size, one letter every two columns. */
  g_assert_cmpuint (count_slips (f->printer, "G r i l l"), ==, 1);
  g_assert_cmpuint (count_slips (f->printer, f->address + strlen ("tcp://")), ==, 1);
  {
    g_autoptr (GPtrArray) slips = tr_fake_printer_dup_slips (f->printer);

    g_test_message ("The test page:\n%s", (char *)g_ptr_array_index (slips, 0));
  }
  g_object_set_data (G_OBJECT (p->page), "want", (gpointer) "Grill\tready");
  wait_for (f, page_shows, p, "the page to show the printer ready");

  /* The screenshot: the page, its printer ready, and the toast. */
  wait_for (f, drawn, p->prefs, "the window to be drawn");
  g_object_set_data (G_OBJECT (p->prefs), "frames", GUINT_TO_POINTER (0));
  wait_for (f, painted, p->prefs, "a few frames");
  save_png (GTK_WIDGET (p->prefs), "printers-page.png");

  /* Out of paper: the toast says so, and no page came out. */
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_PAPER_OUT);
  g_assert_true (
    gtk_widget_activate_action (GTK_WIDGET (p->page), "printers.test-page", "s", "Grill"));
  g_object_set_data (G_OBJECT (p->page), "want", (gpointer) "Grill did not print the test page: ");
  wait_for (f, toast_is, p, "the test page's failure");
  g_test_message ("Paper out: %s", tr_printers_page_get_last_toast (p->page));
  g_assert_cmpstr (tr_printers_page_get_last_toast (p->page), ==,
                   "Grill did not print the test page: it is out of paper: load a new roll");
  g_assert_cmpuint (count_slips (f->printer, "G r i l l"), ==, 1);
  g_object_set_data (G_OBJECT (p->page), "want", (gpointer) "Grill\tpaper-out");
  wait_for (f, page_shows, p, "the page to show the paper out");
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);

  /* A second printer may not take its name. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (p->page), "printers.add", NULL));
  assert_refused (f, p, "Grill", f->address, "already");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor_of (p)), "editor.cancel", NULL));
  g_assert_null (editor_of (p));
  g_assert_cmpuint (n_host_printers (f), ==, 1);

  /* Change it: 58 mm paper, only when a screen is down. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (p->page), "printers.edit", "s", "Grill"));
  editor = GTK_WIDGET (editor_of (p));
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (editor, ADW_TYPE_COMBO_ROW, "_Paper")), 0);
  gtk_widget_activate (find_row (editor, ADW_TYPE_ACTION_ROW, "When a screen is down"));
  save (p);
  wait_for (f, editor_closed, p, "the editor to close after a change");
  info = host_printer (f, "Grill");
  g_assert_cmpuint (info->printer->columns, ==, 32);
  g_assert_cmpint (info->printer->mode, ==, TR_PRINTER_MODE_FALLBACK);
  g_clear_pointer (&info, tr_printer_info_free);

  /* Remove it, once the dialog is answered. */
  g_assert_true (
    gtk_widget_activate_action (GTK_WIDGET (p->page), "printers.remove", "s", "Grill"));
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (ADW_IS_MESSAGE_DIALOG (l->data))
      g_ptr_array_add (dialogs, l->data);
  g_assert_cmpuint (dialogs->len, ==, 1);
  g_assert_cmpuint (n_host_printers (f), ==, 1);
  adw_message_dialog_response (dialogs->pdata[0], "remove");
  gtk_window_destroy (dialogs->pdata[0]);
  wait_for (f, no_printers, NULL, "the printer to be removed");

  gtk_window_destroy (GTK_WINDOW (p->prefs));
}

/* ---- The host monitor, and the alert ---- */

static void
got_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
save_printer (Fixture *f, TrPrinterMode mode)
{
  g_autoptr (TrPrinter) printer = tr_printer_new ("Grill", f->address);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  printer->mode = mode;
  tr_host_save_printer_async (f->host, printer, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tr_host_save_printer_finish (f->host, result, &error));
  g_assert_no_error (error);
}

static gboolean
monitor_shows (Fixture *f, gconstpointer data)
{
  TrPrinterMonitor *monitor = (TrPrinterMonitor *)data;
  g_auto (GStrv) summary = tr_printer_monitor_dup_summary (monitor);
  const char *want = g_object_get_data (G_OBJECT (monitor), "want");

  return summary[0] != NULL && g_str_has_prefix (summary[0], want);
}

static gboolean
alert_is (Fixture *f, gconstpointer data)
{
  TrLinkWatch *watch = (TrLinkWatch *)data;
  const char *alert = tr_link_watch_get_last_alert (watch);

  return alert != NULL && g_str_has_prefix (alert, g_object_get_data (G_OBJECT (watch), "want"));
}

static TrTicket *
new_ticket (const char *item_name)
{
  TrTicket *ticket = tr_ticket_new ();
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->order_type = TR_ORDER_TYPE_TAKEAWAY;
  item->id = tr_uuid_new ();
  item->name = g_strdup (item_name);
  item->station = g_strdup ("grill");
  g_ptr_array_add (ticket->items, item);
  return ticket;
}

static char *
submit_ticket (Fixture *f, const char *item_name)
{
  g_autoptr (TrTicket) ticket = new_ticket (item_name);
  g_autoptr (TrOp) op = tr_op_new_create_ticket (tr_station_get_station_id (f->station), ticket);
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_station_submit (f->station, op, &error));
  g_assert_no_error (error);
  return g_strdup (ticket->id);
}

static gboolean
slips_with (Fixture *f, gconstpointer text)
{
  return count_slips (f->printer, text) > 0;
}

static void
test_monitor_offline (Fixture *f, gconstpointer data)
{
  g_autoptr (TrLinkWatch) watch = tr_link_watch_new (f->station, NULL, NULL);
  TrHostMonitor *monitor = tr_host_monitor_new (NULL, f->station, NULL);
  TrPrinterMonitor *printers;
  g_autofree char *id = NULL;

  gtk_window_present (GTK_WINDOW (monitor));
  printers = find_one (GTK_WIDGET (monitor), TR_TYPE_PRINTER_MONITOR);
  /* No printer: no section. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (printers)));

  save_printer (f, TR_PRINTER_MODE_ALWAYS);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (printers)));
  /* It prints a ticket: ready. */
  g_free (submit_ticket (f, "Smash Burger"));
  wait_for (f, slips_with, "Smash Burger", "the first ticket on paper");
  g_object_set_data (G_OBJECT (printers), "want", (gpointer) "Grill\tready");
  wait_for (f, monitor_shows, printers, "the monitor to show the printer ready");

  /* Unplugged, with a ticket for it: offline on the monitor, the slip
   * waiting, and the alert once it has been down long enough. */
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_OFFLINE);
  id = submit_ticket (f, "Ribeye");
  g_object_set_data (G_OBJECT (printers), "want", (gpointer) "Grill\toffline\tOffline since");
  wait_for (f, monitor_shows, printers, "the monitor to show the printer offline");
  {
    g_auto (GStrv) summary = tr_printer_monitor_dup_summary (printers);

    g_test_message ("The monitor says: %s", summary[0]);
  }
  g_object_set_data (G_OBJECT (watch), "want", (gpointer) "Printer Grill has been offline since");
  wait_for (f, alert_is, watch, "the printer's alert");
  g_assert_cmpuint (count_slips (f->printer, "Ribeye"), ==, 0);
  gtk_window_set_default_size (GTK_WINDOW (monitor), 760, 420);
  wait_for (f, drawn, monitor, "the monitor to be drawn");
  g_object_set_data (G_OBJECT (monitor), "frames", GUINT_TO_POINTER (0));
  wait_for (f, painted, monitor, "a few frames of the monitor");
  save_png (GTK_WIDGET (monitor), "host-monitor-printer-offline.png");

  /* Plugged in again: the slip prints, the printer is ready, and its
   * return is announced. */
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);
  wait_for (f, slips_with, "Ribeye", "the waiting slip on paper");
  g_object_set_data (G_OBJECT (watch), "want", (gpointer) "Printer Grill is back");
  wait_for (f, alert_is, watch, "the printer's return");
  g_object_set_data (G_OBJECT (printers), "want", (gpointer) "Grill\tready");
  wait_for (f, monitor_shows, printers, "the monitor to show the printer ready again");
  g_assert_cmpuint (count_slips (f->printer, "Ribeye"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (monitor));
}

/* ---- Reprint from a kitchen card ---- */

static gboolean
card_bound (Fixture *f, gconstpointer data)
{
  TrKitchenView *view = g_object_get_data (G_OBJECT (data), "view");

  return tr_kitchen_view_find_card (view, g_object_get_data (G_OBJECT (data), "id")) != NULL;
}

static gboolean
toast_shown (Fixture *f, gconstpointer data)
{
  return has_label (GTK_WIDGET (data), "Reprinting #");
}

static gboolean
foh_button (Fixture *f, gconstpointer data)
{
  return tr_test_find_actionable (gtk_window_get_child (GTK_WINDOW (data)), GTK_TYPE_BUTTON,
                                  "foh.reprint")
         != NULL;
}

static gboolean
two_reprints (Fixture *f, gconstpointer data)
{
  return count_slips (f->printer, "R E P R I N T") == 2;
}

static void
test_reprint (Fixture *f, gconstpointer data)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = tr_kitchen_view_new (f->station, f->settings, NULL, NULL);
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();
  g_autofree char *id = NULL;
  GtkWidget *reprint = NULL;
  TrTicketCard *card;

  save_printer (f, TR_PRINTER_MODE_ALWAYS);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  id = submit_ticket (f, "Halloumi Skewer");
  wait_for (f, slips_with, "Halloumi Skewer", "the ticket on paper");
  g_assert_cmpuint (count_slips (f->printer, "R E P R I N T"), ==, 0);

  g_object_set_data (G_OBJECT (window), "view", view);
  g_object_set_data (G_OBJECT (window), "id", id);
  wait_for (f, card_bound, window, "the ticket's card");
  card = tr_kitchen_view_find_card (TR_KITCHEN_VIEW (view), id);
  tr_test_collect_widgets (GTK_WIDGET (card), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), "kitchen.reprint") == 0)
      reprint = buttons->pdata[i];
  g_assert_nonnull (reprint);
  g_assert_true (gtk_widget_get_visible (reprint));
  gtk_widget_activate (reprint);

  wait_for (f, slips_with, "R E P R I N T", "the REPRINT slip");
  g_assert_cmpuint (count_slips (f->printer, "Halloumi Skewer"), ==, 2);
  g_assert_cmpuint (count_slips (f->printer, "R E P R I N T"), ==, 1);
  wait_for (f, toast_shown, view, "the reprint toast");
  gtk_window_destroy (GTK_WINDOW (window));

  /* The same from the order's row on front of house. */
  window = gtk_window_new ();
  view = tr_foh_view_new (f->station, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  g_ptr_array_set_size (buttons, 0);
  g_object_set_data (G_OBJECT (window), "id", id);
  wait_for (f, foh_button, window, "the order's Reprint button");
  tr_test_collect_widgets (view, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), "foh.reprint") == 0)
      gtk_widget_activate (buttons->pdata[i]);
  wait_for (f, two_reprints, NULL, "the second REPRINT slip");
  g_assert_cmpuint (count_slips (f->printer, "Halloumi Skewer"), ==, 3);
  wait_for (f, toast_shown, view, "the reprint toast on front of house");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- No printer, no Reprint (issue 13) ---- */

static gboolean
reprint_visible (Fixture *f, gconstpointer data)
{
  GtkWidget *button
    = tr_test_find_actionable (GTK_WIDGET (data), GTK_TYPE_BUTTON, "kitchen.reprint");

  return button != NULL && gtk_widget_get_visible (button);
}

static gboolean
select_hint_shown (Fixture *f, gconstpointer data)
{
  return has_label (GTK_WIDGET (data), "Select a ticket first");
}

static gboolean
can_reprint (Fixture *f, gconstpointer data)
{
  return tr_station_get_can_reprint (f->station) == GPOINTER_TO_INT (data);
}

/* The host has no printer: no Reprint on a card or an order's row, and
 * P does nothing at all (not even "Select a ticket first"). A printer
 * added: the button shows and P answers; removed: gone again. */
static void
test_reprint_hidden (Fixture *f, gconstpointer data)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = tr_kitchen_view_new (f->station, f->settings, NULL, NULL);
  GtkWidget *foh_window = NULL;
  GtkWidget *foh = NULL;
  g_autofree char *id = NULL;
  TrTicketCard *card;
  GtkWidget *button;

  g_assert_false (tr_station_get_can_reprint (f->station));
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  id = submit_ticket (f, "Paneer Tikka");
  g_object_set_data (G_OBJECT (window), "view", view);
  g_object_set_data (G_OBJECT (window), "id", id);
  wait_for (f, card_bound, window, "the ticket's card");
  card = tr_kitchen_view_find_card (TR_KITCHEN_VIEW (view), id);
  button = tr_test_find_actionable (GTK_WIDGET (card), GTK_TYPE_BUTTON, "kitchen.reprint");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (button));

  /* P with nothing selected would say "Select a ticket first" at once;
   * disabled, it says nothing. */
  gtk_widget_activate_action (view, "kitchen.reprint-selected", NULL);
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_assert_false (has_label (view, "Select a ticket first"));
  g_assert_false (has_label (view, "No printer prints"));

  /* Front of house: the order's row has no Reprint either. */
  foh_window = gtk_window_new ();
  foh = tr_foh_view_new (f->station, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (foh_window), foh);
  gtk_window_present (GTK_WINDOW (foh_window));
  wait_for (f, foh_button, foh_window, "the order's row");
  button = tr_test_find_actionable (foh, GTK_TYPE_BUTTON, "foh.reprint");
  g_assert_false (gtk_widget_get_visible (button));

  save_printer (f, TR_PRINTER_MODE_ALWAYS);
  wait_for (f, can_reprint, GINT_TO_POINTER (TRUE), "the station to reprint");
  wait_for (f, reprint_visible, card, "the card's Reprint button");
  g_assert_true (
    gtk_widget_get_visible (tr_test_find_actionable (foh, GTK_TYPE_BUTTON, "foh.reprint")));
  gtk_widget_activate_action (view, "kitchen.reprint-selected", NULL);
  wait_for (f, select_hint_shown, view, "P to answer");

  /* A printer that only prints ready chits takes no reprint. */
  save_printer (f, TR_PRINTER_MODE_READY_CHIT);
  wait_for (f, can_reprint, GINT_TO_POINTER (FALSE), "the station not to reprint");
  g_assert_false (gtk_widget_get_visible (
    tr_test_find_actionable (GTK_WIDGET (tr_kitchen_view_find_card (TR_KITCHEN_VIEW (view), id)),
                             GTK_TYPE_BUTTON, "kitchen.reprint")));
  g_assert_false (
    gtk_widget_get_visible (tr_test_find_actionable (foh, GTK_TYPE_BUTTON, "foh.reprint")));

  gtk_window_destroy (GTK_WINDOW (foh_window));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* A subpage opened while the last one still slides away would wait
   * for the slide; a person is slower than that, a test is not. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  {
    /* The app's style, for the pills of the screenshot. */
    g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/ticketrail/Ticketrail/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add ("/printers-page/add-test-change-remove", Fixture, NULL, fixture_set_up, test_page,
              fixture_tear_down);
  g_test_add ("/printers-page/follower-has-none", Fixture, NULL, fixture_set_up,
              test_follower_has_none, fixture_tear_down);
  g_test_add ("/printers-page/monitor-offline", Fixture, NULL, fixture_set_up, test_monitor_offline,
              fixture_tear_down);
  g_test_add ("/printers-page/reprint", Fixture, NULL, fixture_set_up, test_reprint,
              fixture_tear_down);
  g_test_add ("/printers-page/reprint-hidden", Fixture, NULL, fixture_set_up, test_reprint_hidden,
              fixture_tear_down);
  return g_test_run ();
}
