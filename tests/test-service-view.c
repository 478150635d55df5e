/* test-service-view.c: the Service view against the real app's own host
 * on loopback, under Xvfb
 *
 * Tickets go through the host's op path (earlier ones at earlier hours
 * of today, with the host store's clock set back), the view is opened
 * from the main window's menu action, and what it shows is checked
 * against the figures the host itself gives for the same range. Then a
 * ticket is bumped and served and the view must follow without anyone
 * touching it; a station paired with the host shows the same over
 * HTTP, and after its pairing is revoked keeps them and says why;
 * yesterday is empty; with the host gone the figures stay, with the
 * reason above them. The view is shot into
 * $TICKETRAIL_SCREENSHOT_DIR/service-view.png on the way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-service-view"

#include "config.h"

#include <string.h>

#include "tr-application.h"
#include "tr-error.h"
#include "tr-service-range.h"
#include "tr-service-window.h"
#include "tr-store-private.h"
#include "tr-window.h"
#include "tr-test-util.h"

#define POLL_MS 50
#define GIVE_UP_MS (300 * 1000)
#define MIN_MS ((gint64)60000)

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

  TrServiceWindow *service;
  TrServiceReport *expected; /* the host's own figures */
  gboolean asking;
  guint updates_before;

  /* A station paired with the app's host, and its own Service view. */
  TrStation *client;
  char *client_dir;
  gboolean paired;
  gboolean revoked;
  TrServiceWindow *client_view;
  gboolean resized;
  guint frames;
  gboolean shot;
  char *shot_path;
};

/* The host store's clock: now, or a time set back for the tickets of
 * earlier hours. Read by the host's writer thread. */
static GMutex clock_lock;
static gint64 clock_back_to;

static gint64
store_clock (gpointer user_data)
{
  gint64 at;

  g_mutex_lock (&clock_lock);
  at = clock_back_to > 0 ? clock_back_to : tr_now_ms ();
  g_mutex_unlock (&clock_lock);
  return at;
}

static void
set_clock (gint64 at)
{
  g_mutex_lock (&clock_lock);
  clock_back_to = at;
  g_mutex_unlock (&clock_lock);
}

/* ---- Helpers ---- */

static TrWindow *
find_window (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static TrHost *
get_host (Fixture *f)
{
  return tr_station_get_host (tr_application_get_station (f->app));
}

static void
submit (Fixture *f, TrOp *op, gint64 at)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;

  set_clock (at);
  g_ptr_array_add (ops, op);
  outcomes = tr_host_submit_ops (get_host (f), ops, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((TrOutcome *)g_ptr_array_index (outcomes, 0))->result, ==, TR_APPLY_APPLIED);
  set_clock (0);
}

/* A ticket of one item per route in @routes, created at @at (0: now). */
static char *
create (Fixture *f, int number, const char *const *routes, gint64 at)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  ticket->number = number;
  ticket->table = g_strdup_printf ("%d", number % 20 + 1);
  for (guint i = 0; routes[i] != NULL; i++)
    {
      TrItem *item = tr_item_new ();

      item->id = g_strdup_printf ("item-%u", i);
      item->name = g_strdup (routes[i]);
      item->quantity = 1;
      item->station = g_strdup (routes[i]);
      g_ptr_array_add (ticket->items, item);
    }
  submit (f, tr_op_new_create_ticket ("pos", ticket), at);
  return g_strdup (ticket->id);
}

/* Starts the ticket @start_ms after @at, readies it after @ready_ms,
 * serves it 40 s later (all 0: now). */
static void
complete (Fixture *f, const char *id, gint64 at, gint64 start_ms, gint64 ready_ms)
{
  submit (f, tr_op_new_set_item_status ("grill", id, "item-0", TR_ITEM_STATUS_PREPARING),
          at ? at + start_ms : 0);
  submit (f, tr_op_new_set_ticket_status ("kds", id, TR_TICKET_STATUS_READY),
          at ? at + ready_ms : 0);
  submit (f, tr_op_new_set_ticket_status ("expo", id, TR_TICKET_STATUS_SERVED),
          at ? at + ready_ms + 40000 : 0);
}

static gboolean
has_line (GStrv lines, const char *line)
{
  return g_strv_contains ((const char *const *)lines, line);
}

static char *
format_duration (const TrDurationSummary *summary, gint64 ms)
{
  gint64 seconds = (ms + 500) / 1000;

  if (summary->count == 0)
    return g_strdup ("—");
  return g_strdup_printf ("%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

static void
on_expected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr (GError) error = NULL;

  f->expected = tr_station_get_stats_finish (TR_STATION (source), result, &error);
  g_assert_no_error (error);
  f->asking = FALSE;
}

/* Asks the station for today's figures, as the view does; FALSE until
 * they are in f->expected. */
static gboolean
ask_expected (Fixture *f)
{
  GSettings *settings = tr_application_get_settings (f->app);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  gint64 from = 0, to = 0;

  if (f->asking)
    return FALSE;
  if (f->expected != NULL)
    return TRUE;
  g_assert_true (tr_service_range_get_bounds (TR_SERVICE_RANGE_TODAY, now, &from, &to));
  f->asking = TRUE;
  tr_station_get_stats_async (tr_application_get_station (f->app), from, to,
                              g_settings_get_uint (settings, "warn-minutes"),
                              g_settings_get_uint (settings, "late-minutes"), NULL, on_expected, f);
  return FALSE;
}

/* @view shows f->expected: the headline and every route row. */
static gboolean
shows_expected (Fixture *f, TrServiceWindow *view)
{
  const TrServiceReport *r = f->expected;
  g_auto (GStrv) figures = tr_service_window_dup_figures (view);
  g_auto (GStrv) routes = tr_service_window_dup_routes (view);
  g_autofree char *tickets = g_strdup_printf ("tickets\t%u", r->tickets);
  g_autofree char *late = g_strdup_printf ("late\t%u", r->late);
  g_autofree char *warning = g_strdup_printf ("warning\t%u", r->warning);
  g_autofree char *avg = format_duration (&r->ready, r->ready.avg);
  g_autofree char *ready_avg = g_strdup_printf ("ready-avg\t%s", avg);
  g_autofree char *p90 = format_duration (&r->ready, r->ready.p90);
  g_autofree char *ready_p90 = g_strdup_printf ("ready-p90\t%s", p90);

  if (g_strcmp0 (tr_service_window_get_page (view), "report") != 0 || !has_line (figures, tickets)
      || !has_line (figures, late) || !has_line (figures, warning) || !has_line (figures, ready_avg)
      || !has_line (figures, ready_p90) || g_strv_length (routes) != r->by_station->len)
    return FALSE;
  for (guint i = 0; i < r->by_station->len; i++)
    {
      const TrServiceGroup *group = g_ptr_array_index (r->by_station, i);
      g_autofree char *group_avg = format_duration (&group->ready, group->ready.avg);
      g_autofree char *group_p90 = format_duration (&group->ready, group->ready.p90);
      g_autofree char *row = g_strdup_printf ("%s\t%u\t%s\t%s\t%u", group->key, group->items,
                                              group_avg, group_p90, group->late);

      if (g_strcmp0 (routes[i], row) != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
view_shows_expected (Fixture *f)
{
  return shows_expected (f, f->service);
}

/* ---- Steps ---- */

static const char *const grill_fry[] = { "grill", "fry", NULL };
static const char *const grill_bar[] = { "grill", "bar", NULL };

/* Today's service so far: tickets at earlier hours (when today has
 * any), some quick, some past the warning time, some late; one
 * cancelled, one still being made. */
static gboolean
step_service (Fixture *f)
{
  TrWindow *window = find_window (f);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (TrStore) store = NULL;
  gint64 midnight = 0, to = 0, span;
  static const int ready_min[] = { 4, 6, 9, 5, 17, 19, 3, 11, 6, 5, 8, 4 };
  g_autofree char *cancelled = NULL;
  g_autofree char *open = NULL;

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)) || get_host (f) == NULL)
    return FALSE;
  g_object_get (get_host (f), "store", &store, NULL);
  tr_store_set_clock (store, store_clock, NULL);

  g_assert_true (tr_service_range_get_bounds (TR_SERVICE_RANGE_TODAY, now, &midnight, &to));
  span = g_date_time_to_unix (now) * 1000 - 40 * MIN_MS - midnight;
  for (guint i = 0; span > 0 && i < 24; i++)
    {
      gint64 at = midnight + span * (i + 1) / 25;
      g_autofree char *id = create (f, 1001 + i, i % 3 ? grill_fry : grill_bar, at);

      complete (f, id, at, 45000, ready_min[i % G_N_ELEMENTS (ready_min)] * MIN_MS);
    }

  cancelled = create (f, 1100, grill_fry, 0);
  submit (f, tr_op_new_set_ticket_status ("pos", cancelled, TR_TICKET_STATUS_CANCELLED), 0);
  open = create (f, 1101, grill_bar, 0);
  {
    g_autofree char *id = create (f, 1102, grill_fry, 0);

    complete (f, id, 0, 0, 0);
  }
  return TRUE;
}

static gboolean
step_open_view (Fixture *f)
{
  TrWindow *window = find_window (f);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (TR_IS_SERVICE_WINDOW (l->data))
      f->service = l->data;
  if (f->service == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.service", NULL);
      return FALSE;
    }
  /* The menu's window works; one of a known size replaces it for the
   * screenshot (a mapped window keeps its size), its request in flight
   * cancelled as it goes. */
  if (!f->resized && gtk_widget_get_mapped (GTK_WIDGET (f->service)))
    {
      gtk_window_destroy (GTK_WINDOW (f->service));
      f->service = tr_service_window_new (GTK_WINDOW (window), tr_application_get_station (f->app),
                                          tr_application_get_settings (f->app),
                                          tr_application_get_clock (f->app));
      gtk_window_set_default_size (GTK_WINDOW (f->service), 1000, 980);
      gtk_window_set_application (GTK_WINDOW (f->service), GTK_APPLICATION (f->app));
      gtk_window_present (GTK_WINDOW (f->service));
      f->resized = TRUE;
    }
  return f->resized && gtk_widget_get_mapped (GTK_WIDGET (f->service));
}

static gboolean
step_matches_host (Fixture *f)
{
  if (!ask_expected (f))
    return FALSE;
  g_assert_cmpuint (f->expected->tickets, >=, 2);
  g_assert_cmpuint (f->expected->cancelled, ==, 1);
  g_assert_cmpuint (f->expected->by_station->len, ==, 3);
  if (!view_shows_expected (f))
    return FALSE;
  g_assert_null (tr_service_window_get_error (f->service));
  return TRUE;
}

static void
save_png (Fixture *f)
{
  GtkWidget *widget = GTK_WIDGET (f->service);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (widget));

  g_assert_cmpint (width, >, 300);
  g_assert_cmpint (height, >, 300);
  /* The window's own background, under its rounded corners. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA){ 0.98, 0.98, 0.98, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, f->shot_path));
  g_test_message ("Wrote %s", f->shot_path);
}

static void
on_after_paint (GdkFrameClock *clock, Fixture *f)
{
  if (++f->frames == 3)
    {
      save_png (f);
      f->shot = TRUE;
    }
}

/* After a few frames, everything is laid out. */
static gboolean
step_shoot (Fixture *f)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->service));

  if (f->frames == 0 && !f->shot)
    {
      g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), f);
      f->frames = 0;
    }
  gtk_widget_queue_draw (GTK_WIDGET (f->service));
  if (!f->shot)
    return FALSE;
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, f);
  return TRUE;
}

/* A ticket made, readied and served: the view follows, untouched. */
static gboolean
step_live_update (Fixture *f)
{
  g_autofree char *id = NULL;

  f->updates_before = tr_service_window_get_n_updates (f->service);
  id = create (f, 1103, grill_fry, 0);
  complete (f, id, 0, 0, 0);
  g_clear_pointer (&f->expected, tr_service_report_free);
  return TRUE;
}

static gboolean
step_updated (Fixture *f)
{
  const TrServiceReport *shown = tr_service_window_get_report (f->service);

  if (!ask_expected (f))
    return FALSE;
  if (shown == NULL || shown->tickets != f->expected->tickets
      || tr_service_window_get_n_updates (f->service) <= f->updates_before)
    return FALSE;
  /* The earlier figures, plus the one ticket. */
  g_assert_cmpuint (f->expected->tickets, ==, shown->tickets);
  return view_shows_expected (f);
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

/* Another station pairs with the host. */
static gboolean
step_pair_client (Fixture *f)
{
  g_autofree char *url
    = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (get_host (f)));
  g_autofree char *code = NULL;
  g_autoptr (GError) error = NULL;

  f->client_dir = g_dir_make_tmp ("ticketrail-service-client-XXXXXX", &error);
  g_assert_no_error (error);
  f->client = tr_station_new_client (f->client_dir, url, "Office", "kitchen", &error);
  g_assert_no_error (error);
  code = tr_host_new_pairing_code (get_host (f), NULL, &error);
  g_assert_no_error (error);
  tr_client_pair_async (tr_station_get_client (f->client), code, NULL, on_paired, f);
  return TRUE;
}

/* Its Service view asks the host over HTTP, and shows the same. */
static gboolean
step_client_view (Fixture *f)
{
  if (!f->paired)
    return FALSE;
  if (f->client_view == NULL)
    {
      f->client_view = tr_service_window_new (GTK_WINDOW (find_window (f)), f->client,
                                              tr_application_get_settings (f->app),
                                              tr_application_get_clock (f->app));
      gtk_window_set_application (GTK_WINDOW (f->client_view), GTK_APPLICATION (f->app));
      gtk_window_present (GTK_WINDOW (f->client_view));
    }
  return shows_expected (f, f->client_view);
}

/* Its pairing revoked: the figures stay, and it says why they are old. */
static gboolean
step_client_revoked (Fixture *f)
{
  const char *error = tr_service_window_get_error (f->client_view);

  if (!f->revoked)
    {
      g_autoptr (GError) local = NULL;

      g_assert_true (
        tr_host_revoke_station (get_host (f), tr_station_get_station_id (f->client), &local));
      g_assert_no_error (local);
      f->revoked = TRUE;
      gtk_widget_activate_action (GTK_WIDGET (f->client_view), "service.refresh", NULL);
      return FALSE;
    }
  if (error == NULL)
    return FALSE;
  g_assert_nonnull (strstr (error, "not paired with the host"));
  g_assert_cmpstr (tr_service_window_get_page (f->client_view), ==, "report");
  g_assert_true (shows_expected (f, f->client_view));
  gtk_window_destroy (GTK_WINDOW (f->client_view));
  f->client_view = NULL;
  return TRUE;
}

static gboolean
step_yesterday (Fixture *f)
{
  if (g_strcmp0 (tr_service_window_get_page (f->service), "empty") != 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (f->service), "service.range", "s", "yesterday");
      return FALSE;
    }
  /* Yesterday's figures: nothing, not today's left over. */
  g_assert_nonnull (tr_service_window_get_report (f->service));
  g_assert_cmpuint (tr_service_window_get_report (f->service)->tickets, ==, 0);
  g_assert_cmpuint (tr_service_window_get_report (f->service)->cancelled, ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (f->service), "service.range", "s", "today");
  return TRUE;
}

static gboolean
step_back_to_today (Fixture *f)
{
  if (!view_shows_expected (f))
    return FALSE;
  /* The host goes away: the figures stay, with why they are old. */
  tr_host_stop (get_host (f));
  gtk_widget_activate_action (GTK_WIDGET (f->service), "service.refresh", NULL);
  return TRUE;
}

static gboolean
step_error_keeps_figures (Fixture *f)
{
  const char *error = tr_service_window_get_error (f->service);

  if (error == NULL)
    return FALSE;
  g_assert_nonnull (strstr (error, "Could not update"));
  g_assert_nonnull (strstr (error, "The host cannot be reached"));
  g_assert_cmpstr (tr_service_window_get_page (f->service), ==, "report");
  g_assert_true (view_shows_expected (f));
  return TRUE;
}

static gboolean
step_quit (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->service));
  f->service = NULL;
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
test_service_view (void)
{
  StepFunc steps[] = { step_service,        step_open_view,
                       step_matches_host,   step_shoot,
                       step_live_update,    step_updated,
                       step_pair_client,    step_client_view,
                       step_client_revoked, step_yesterday,
                       step_back_to_today,  step_error_keeps_figures,
                       step_quit,           NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL, (char *)"--port",
                   (char *)"0",          (char *)"--loopback", NULL };

  f->dir = g_dir_make_tmp ("ticketrail-service-view-XXXXXX", &error);
  g_assert_no_error (error);
  f->out_dir = g_strdup (g_getenv ("TICKETRAIL_SCREENSHOT_DIR"));
  if (f->out_dir == NULL)
    f->out_dir = g_get_current_dir ();
  f->shot_path = g_build_filename (f->out_dir, "service-view.png", NULL);
  argv[2] = f->dir;

  g_settings_set_boolean (settings, "first-run-done", TRUE);
  g_settings_set_string (settings, "color-scheme", "light");
  g_settings_set_boolean (settings, "sounds", FALSE);
  g_settings_set_uint (settings, "warn-minutes", 8);
  g_settings_set_uint (settings, "late-minutes", 15);

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
  g_assert_true (f->shot);
  {
    g_autoptr (GdkTexture) texture = gdk_texture_new_from_filename (f->shot_path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (gdk_texture_get_width (texture), >, 300);
  }

  tr_station_shutdown (f->client);
  g_assert_finalize_object (f->client);
  tr_test_remove_tree (f->client_dir);
  g_free (f->client_dir);
  g_assert_finalize_object (f->app);
  g_clear_pointer (&f->expected, tr_service_report_free);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->out_dir);
  g_free (f->shot_path);
}

int
main (int argc, char *argv[])
{
  /* Today and its hours are the machine's; one zone for every run. */
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/service-view/figures", test_service_view);

  return g_test_run ();
}
