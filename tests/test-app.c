/* test-app.c: the real application in a real window (under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tr-application.h"
#include "tr-connection-indicator.h"
#include "tr-demo.h"
#include "tr-error.h"
#include "tr-kitchen-view.h"
#include "tr-window.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"

/* Polling, not a threshold: the checks wait for the window as long as
 * it takes, and only this generous limit turns a hang into a failure. */
#define POLL_MS 50
#define GIVE_UP_MS (120 * 1000)

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
  /* per-test state */
  char *served_id;
  int served_number;
  guint expected_after;
  GtkWidget *dialog;
  gboolean about_requested;
};

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-test-app-XXXXXX", &error);
  g_assert_no_error (error);
  f->app = tr_application_new ();
  /* Tests may run side by side on one bus. */
  g_application_set_flags (G_APPLICATION (f->app), g_application_get_flags (G_APPLICATION (f->app))
                                                     | G_APPLICATION_NON_UNIQUE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  /* --demo starts in training and the app remembers it
   * (docs/training.md); the next test starts on a folder of its own,
   * live. */
  g_settings_reset (settings, "training");
  g_assert_finalize_object (f->app);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->served_id);
}

static TrWindow *
find_window (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* The texts a person sees in @widget: visible, mapped labels. */
static char *
visible_text (GtkWidget *widget)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  g_autoptr (GString) text = g_string_new (NULL);

  tr_test_collect_widgets (widget, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);

      if (gtk_widget_get_mapped (label))
        g_string_append_printf (text, "%s\n", gtk_label_get_text (GTK_LABEL (label)));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The shown cards by ticket number, with the text of each. */
static GHashTable *
shown_cards (TrWindow *window)
{
  g_autoptr (GPtrArray) cards = g_ptr_array_new ();
  GHashTable *shown = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  tr_test_collect_widgets (GTK_WIDGET (window), TR_TYPE_TICKET_CARD, cards);
  for (guint i = 0; i < cards->len; i++)
    {
      TrTicketCard *card = g_ptr_array_index (cards, i);
      TrTicketObject *ticket = tr_ticket_card_get_ticket (card);

      if (ticket != NULL && gtk_widget_get_mapped (GTK_WIDGET (card)))
        {
          int number = tr_ticket_object_get_number (ticket);

          g_assert_false (g_hash_table_contains (shown, GINT_TO_POINTER (number)));
          g_hash_table_insert (shown, GINT_TO_POINTER (number), visible_text (GTK_WIDGET (card)));
        }
    }
  return shown;
}

static GPtrArray *
open_tickets (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  TrStore *store = tr_application_get_store (f->app);
  GPtrArray *tickets;

  g_assert_nonnull (store);
  tickets = tr_store_list_tickets (store, TRUE, NULL, &error);
  g_assert_no_error (error);
  return tickets;
}

/* The kitchen shows what still has work: a pending or preparing item. */
static gboolean
has_work (const TrTicket *ticket)
{
  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);

      if (item->status == TR_ITEM_STATUS_PENDING || item->status == TR_ITEM_STATUS_PREPARING)
        return TRUE;
    }
  return FALSE;
}

static gboolean
window_shown (TrWindow *window)
{
  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static const char *
visible_page (TrWindow *window)
{
  g_autoptr (GPtrArray) stacks = g_ptr_array_new ();
  GtkStack *main_stack = NULL;

  /* Menus have stacks of their own; ours is the one with the grid. */
  tr_test_collect_widgets (GTK_WIDGET (window), GTK_TYPE_STACK, stacks);
  for (guint i = 0; i < stacks->len; i++)
    if (gtk_stack_get_child_by_name (g_ptr_array_index (stacks, i), "tickets") != NULL)
      {
        g_assert_null (main_stack);
        main_stack = g_ptr_array_index (stacks, i);
      }
  g_assert_nonnull (main_stack);
  return gtk_stack_get_visible_child_name (main_stack);
}

/* Step: the demo tickets with kitchen work are on screen, one card
 * each, with their numbers, items and rush badges. */
static gboolean
step_demo_shown (Fixture *f)
{
  TrWindow *window = find_window (f);
  g_autoptr (GHashTable) shown = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  guint expected = 0;

  if (!window_shown (window))
    return FALSE;

  /* The demo goes through the host's writer: it is there once it has
   * been committed, a little after the window. */
  tickets = open_tickets (f);
  if (tickets->len < TR_DEMO_N_TICKETS)
    return FALSE;
  g_assert_cmpuint (tickets->len, ==, TR_DEMO_N_TICKETS);
  for (guint i = 0; i < tickets->len; i++)
    if (has_work (g_ptr_array_index (tickets, i)))
      expected++;
  /* The demo has some, and some already on the pass. */
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (expected, <, tickets->len);

  shown = shown_cards (window);
  if (g_hash_table_size (shown) < expected)
    return FALSE;

  g_assert_cmpuint (g_hash_table_size (shown), ==, expected);
  g_assert_cmpuint (tr_kitchen_view_get_n_cards (tr_window_get_kitchen_view (window)), ==,
                    expected);
  g_assert_cmpstr (visible_page (window), ==, "tickets");

  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);
      const TrItem *item = g_ptr_array_index (ticket->items, 0);
      const char *text = g_hash_table_lookup (shown, GINT_TO_POINTER (ticket->number));
      g_autofree char *number = g_strdup_printf ("#%d\n", ticket->number);

      if (!has_work (ticket))
        {
          g_assert_null (text);
          continue;
        }
      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, number));
      g_assert_nonnull (strstr (text, item->name));
      if (ticket->priority == TR_PRIORITY_RUSH)
        g_assert_nonnull (strstr (text, "RUSH"));
      else
        g_assert_null (strstr (text, "RUSH"));
    }

  /* A host says so in its header bar. */
  g_assert_true (g_str_has_prefix (
    tr_connection_indicator_get_label (tr_window_get_indicator (window)), "Hosting"));
  return TRUE;
}

/* Step: serve the oldest ticket with work from outside the window, as
 * another station would; the window follows without a refresh. */
static gboolean
step_serve_one (Fixture *f)
{
  g_autoptr (GPtrArray) tickets = open_tickets (f);
  const TrTicket *ticket = NULL;
  g_autoptr (GError) error = NULL;
  TrStation *station = tr_application_get_station (f->app);

  for (guint i = 0; i < tickets->len && ticket == NULL; i++)
    if (has_work (g_ptr_array_index (tickets, i)))
      ticket = g_ptr_array_index (tickets, i);
  g_assert_nonnull (ticket);

  f->served_id = g_strdup (ticket->id);
  f->served_number = ticket->number;
  {
    g_autoptr (TrOp) ready
      = tr_op_new_set_ticket_status ("test", ticket->id, TR_TICKET_STATUS_READY);
    g_autoptr (TrOp) served
      = tr_op_new_set_ticket_status ("test", ticket->id, TR_TICKET_STATUS_SERVED);

    g_assert_true (tr_station_submit (station, ready, &error));
    g_assert_no_error (error);
    g_assert_true (tr_station_submit (station, served, &error));
    g_assert_no_error (error);
  }
  /* Submitting does not wait for the commit: the card is still shown,
   * and goes when the host's writer has the op. */
  {
    g_autoptr (GHashTable) shown = shown_cards (find_window (f));

    g_assert_true (g_hash_table_contains (shown, GINT_TO_POINTER (f->served_number)));
  }
  f->expected_after
    = tr_kitchen_view_get_n_cards (tr_window_get_kitchen_view (find_window (f))) - 1;
  return TRUE;
}

static gboolean
step_served_gone (Fixture *f)
{
  TrWindow *window = find_window (f);
  g_autoptr (GHashTable) shown = shown_cards (window);

  if (g_hash_table_contains (shown, GINT_TO_POINTER (f->served_number)))
    return FALSE;
  g_assert_cmpuint (tr_kitchen_view_get_n_cards (tr_window_get_kitchen_view (window)), ==,
                    f->expected_after);
  return TRUE;
}

/* Clicks the shown button labelled @label under @widget, as a person
 * would. */
static void
click_button (GtkWidget *widget, const char *label)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();
  GtkButton *found = NULL;

  tr_test_collect_widgets (widget, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), label) == 0
        && gtk_widget_get_mapped (g_ptr_array_index (buttons, i)))
      {
        g_assert_null (found);
        found = g_ptr_array_index (buttons, i);
      }
  g_assert_nonnull (found);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (found)));
  g_signal_emit_by_name (found, "clicked");
}

/* Step: the store could not be opened; an error dialog says so over a
 * window that is still there. */
static gboolean
step_error_dialog_shown (Fixture *f)
{
  TrWindow *window = find_window (f);
  g_autoptr (GListModel) toplevels = NULL;
  const GError *store_error;
  AdwMessageDialog *dialog = NULL;
  g_autofree char *text = NULL;

  if (!window_shown (window))
    return FALSE;

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        dialog = ADW_MESSAGE_DIALOG (toplevel);
    }
  if (dialog == NULL)
    return FALSE;

  store_error = tr_application_get_store_error (f->app);
  g_assert_error ((GError *)store_error, TR_ERROR, TR_ERROR_STORE_CORRUPT);
  g_assert_null (tr_application_get_store (f->app));
  g_assert_null (tr_application_get_station (f->app));
  g_assert_null (tr_window_get_kitchen_view (window));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Cannot Start This Station");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), f->dir));
  text = visible_text (GTK_WIDGET (window));
  g_assert_nonnull (strstr (text, "Not Running"));

  f->dialog = GTK_WIDGET (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *)&f->dialog);
  click_button (GTK_WIDGET (dialog), "_Close");
  return TRUE;
}

static gboolean
step_still_running (Fixture *f)
{
  TrWindow *window = find_window (f);

  if (f->dialog != NULL && gtk_widget_get_mapped (f->dialog))
    return FALSE;

  /* Dismissing the error leaves the app up, with its window. */
  g_assert_true (window_shown (window));
  return TRUE;
}

static gboolean
step_quit (Fixture *f)
{
  /* Through the action, as <Control>q does. */
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
    {
      g_assert_true (f->done);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static int
run_app (Fixture *f, StepFunc *steps, const char *const *extra_args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  int status;

  g_ptr_array_add (argv, (char *)"ticketrail");
  g_ptr_array_add (argv, (char *)"--data-dir");
  g_ptr_array_add (argv, f->dir);
  /* Host mode binds a port: a free one, on loopback only. */
  g_ptr_array_add (argv, (char *)"--port");
  g_ptr_array_add (argv, (char *)"0");
  g_ptr_array_add (argv, (char *)"--loopback");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)extra_args[i]);
  g_ptr_array_add (argv, NULL);

  f->steps = steps;
  f->started = g_get_monotonic_time () / 1000;
  g_timeout_add (POLL_MS, poll_steps, f);

  status = g_application_run (G_APPLICATION (f->app), (int)argv->len - 1, (char **)argv->pdata);

  /* Quitting leaves the windows to their owner; close them so that the
   * application can go. */
  while (gtk_application_get_windows (GTK_APPLICATION (f->app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  return status;
}

static void
test_demo_window (Fixture *f, gconstpointer data)
{
  StepFunc steps[] = { step_demo_shown, step_serve_one, step_served_gone, step_quit, NULL };
  const char *const args[] = { "--demo", NULL };

  g_assert_cmpint (run_app (f, steps, args), ==, 0);
  g_assert_true (f->done);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (steps) - 1);
}

static void
test_corrupt_store (Fixture *f, gconstpointer data)
{
  StepFunc steps[] = { step_error_dialog_shown, step_still_running, step_quit, NULL };
  g_autofree char *path = g_build_filename (f->dir, TR_STORE_HOST_FILE, NULL);
  g_autofree char *garbage = NULL;
  g_autofree char *after = NULL;
  g_autoptr (GError) error = NULL;
  gsize garbage_len = 8192, after_len = 0;

  /* Not a database at all, and long enough to look like one's size. */
  garbage = g_malloc (garbage_len);
  for (gsize i = 0; i < garbage_len; i++)
    garbage[i] = "not an SQLite database. "[i % 24];
  g_file_set_contents (path, garbage, (gssize)garbage_len, &error);
  g_assert_no_error (error);

  g_assert_cmpint (run_app (f, steps, NULL), ==, 0);
  g_assert_true (f->done);
  g_assert_cmpuint (f->step, ==, G_N_ELEMENTS (steps) - 1);

  /* The file was left as it was. */
  g_file_get_contents (path, &after, &after_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (after, after_len, garbage, garbage_len);
}

/* Step: a fresh store shows the empty state. */
static gboolean
step_empty_shown (Fixture *f)
{
  TrWindow *window = find_window (f);
  g_autofree char *text = NULL;

  if (!window_shown (window))
    return FALSE;
  g_assert_nonnull (tr_application_get_store (f->app));
  g_assert_cmpstr (visible_page (window), ==, "empty");
  text = visible_text (GTK_WIDGET (window));
  g_assert_nonnull (strstr (text, "All Caught Up"));
  return TRUE;
}

static void
count_notify (GObject *object, GParamSpec *pspec, guint *count)
{
  (*count)++;
}

/* Step: clock ticks with nothing to show change nothing on screen. The
 * connection indicator used to set its icon again on every tick, and
 * GtkImage takes that as a new icon: a relayout and a frame a second. */
static gboolean
step_tick_changes_nothing (Fixture *f)
{
  TrWindow *window = find_window (f);
  g_autoptr (GPtrArray) indicators = g_ptr_array_new ();
  g_autoptr (GPtrArray) images = g_ptr_array_new ();
  guint icon_notifies = 0;

  tr_test_collect_widgets (GTK_WIDGET (window), TR_TYPE_CONNECTION_INDICATOR, indicators);
  g_assert_cmpuint (indicators->len, ==, 1);
  tr_test_collect_widgets (indicators->pdata[0], GTK_TYPE_IMAGE, images);
  g_assert_cmpuint (images->len, >, 0);
  for (guint i = 0; i < images->len; i++)
    g_signal_connect (images->pdata[i], "notify::icon-name", G_CALLBACK (count_notify),
                      &icon_notifies);

  for (guint i = 0; i < 3; i++)
    g_signal_emit_by_name (tr_application_get_clock (f->app), "tick");

  for (guint i = 0; i < images->len; i++)
    g_signal_handlers_disconnect_by_func (images->pdata[i], count_notify, &icon_notifies);
  g_assert_cmpuint (icon_notifies, ==, 0);
  return TRUE;
}

/* Step: the About window's debug info says which renderer was asked
 * for and why, and which one GTK uses. */
static gboolean
step_about_shows_renderer (Fixture *f)
{
  const char *summary = "Renderer: cairo (no hardware GL: no DRM render node)";
  g_autoptr (GListModel) toplevels = NULL;
  AdwAboutWindow *about = NULL;
  const char *info;

  if (!f->about_requested)
    {
      tr_application_set_renderer_summary (f->app, summary);
      g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
      f->about_requested = TRUE;
    }
  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && about == NULL; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (item))
        about = ADW_ABOUT_WINDOW (item);
    }
  if (about == NULL)
    return FALSE;

  info = adw_about_window_get_debug_info (about);
  g_assert_nonnull (strstr (info, summary));
  /* The tests run with GSK_RENDERER=cairo (tests/meson.build). */
  g_assert_nonnull (strstr (info, "Renderer in use: GskCairoRenderer"));
  gtk_window_destroy (GTK_WINDOW (about));
  return TRUE;
}

static void
test_empty_window (Fixture *f, gconstpointer data)
{
  StepFunc steps[]
    = { step_empty_shown, step_tick_changes_nothing, step_about_shows_renderer, step_quit, NULL };

  g_assert_cmpint (run_app (f, steps, NULL), ==, 0);
  g_assert_true (f->done);
}

/* Step: a kiosk fills the screen with one view and nothing to wander
 * off into, and the options were remembered. */
static gboolean
step_kiosk_shown (Fixture *f)
{
  TrWindow *window = find_window (f);
  GSettings *settings = tr_application_get_settings (f->app);
  g_autoptr (GPtrArray) titles = g_ptr_array_new ();
  g_autoptr (GPtrArray) menus = g_ptr_array_new ();
  g_autofree char *role = NULL;
  g_autofree char *station = NULL;

  if (!window_shown (window) || !gtk_window_is_fullscreen (GTK_WINDOW (window)))
    return FALSE;

  tr_test_collect_widgets (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_TITLE, titles);
  g_assert_cmpuint (titles->len, ==, 1);
  g_assert_false (adw_view_switcher_title_get_view_switcher_enabled (titles->pdata[0]));
  tr_test_collect_widgets (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, menus);
  for (guint i = 0; i < menus->len; i++)
    g_assert_true (gtk_menu_button_get_menu_model (menus->pdata[i]) == NULL
                   || !gtk_widget_get_mapped (menus->pdata[i]));

  role = g_settings_get_string (settings, "role");
  station = g_settings_get_string (settings, "kitchen-station");
  g_assert_cmpstr (role, ==, "expo");
  g_assert_cmpstr (station, ==, "grill");
  g_assert_cmpstr (tr_kitchen_view_get_role (tr_window_get_kitchen_view (window)), ==, "expo");
  return TRUE;
}

static void
test_kiosk (Fixture *f, gconstpointer data)
{
  StepFunc steps[] = { step_kiosk_shown, step_quit, NULL };
  const char *const args[] = { "--kiosk", "--role", "expo", "--station", "grill", NULL };

  g_assert_cmpint (run_app (f, steps, args), ==, 0);
  g_assert_true (f->done);
}

static void
test_version (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (TrApplication) app = tr_application_new ();
      char *argv[] = { (char *)"ticketrail", (char *)"--version", NULL };

      exit (g_application_run (G_APPLICATION (app), 2, argv));
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("ticketrail " PACKAGE_VERSION "\n");
}

int
main (int argc, char *argv[])
{
  /* The strings under test are the untranslated ones. */
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/app/demo-window", Fixture, NULL, fixture_set_up, test_demo_window,
              fixture_tear_down);
  g_test_add ("/app/corrupt-store", Fixture, NULL, fixture_set_up, test_corrupt_store,
              fixture_tear_down);
  g_test_add ("/app/empty-window", Fixture, NULL, fixture_set_up, test_empty_window,
              fixture_tear_down);
  g_test_add ("/app/kiosk", Fixture, NULL, fixture_set_up, test_kiosk, fixture_tear_down);
  g_test_add_func ("/app/version", test_version);

  return g_test_run ();
}
