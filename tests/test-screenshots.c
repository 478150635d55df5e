/* test-screenshots.c: the kitchen screen at 1280×800, dark and light,
 * and the connection popover, rendered to PNG in the build folder
 *
 * The tickets come in three waves about half a minute apart, and the
 * screen's clock (TrClock's offset) is then moved on so that the first
 * wave is late, the second past the warning and the third fresh: the
 * ticket data stays as the host made it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-screenshots"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tr-application.h"
#include "tr-kitchen-view.h"
#include "tr-window.h"
#include "tr-test-util.h"

#define POLL_MS 50
#define GIVE_UP_MS (300 * 1000)
/* Between waves: with the warning at 14 and late at 15 minutes, the
 * first and last waves must be more than a minute apart. */
#define WAVE_SPACING_MS 33000
#define WARN_MINUTES 14
#define LATE_MINUTES 15

typedef struct _Fixture Fixture;
typedef gboolean (*StepFunc) (Fixture *f);

struct _Fixture
{
  char *dir;
  char *out_dir;
  TrApplication *app;
  StepFunc *steps;
  guint step;
  gboolean done;
  gint64 started;
  gint64 wave_at;
  guint wave;
  gint64 first_created_at;
  GPtrArray *ids; /* ticket ids in creation order */
  guint frames_waited;
  guint64 frame_counter;
  /* A shot waiting for the end of the next frame, and whether it is done. */
  const char *shot_name;
  GtkPopover *shot_popover;
  gboolean shot_done;
};

typedef struct
{
  const char *name;
  int quantity;
  const char *station;
  const char *modifiers[4];
  const char *allergens[4];
  const char *note;
} ItemSpec;

typedef struct
{
  TrOrderType type;
  const char *table;
  const char *server;
  gboolean rush;
  const char *note;
  ItemSpec items[4];
} TicketSpec;

/* A Friday dinner service, in three waves (wave_starts): the first
 * three tickets will be late, the next three past the warning, the rest
 * fresh, so that the top of the screen shows all three. */
static const TicketSpec tickets[] = {
  { TR_ORDER_TYPE_DINE_IN,
    "12",
    "Priya",
    TRUE,
    NULL,
    { { "Butter Chicken", 2, "tandoor", { "mild", NULL }, { "dairy", "nuts", NULL }, NULL },
      { "Garlic Naan", 3, "tandoor", { "extra butter", NULL }, { "gluten", NULL }, NULL } } },
  { TR_ORDER_TYPE_TAKEAWAY,
    NULL,
    "Sam",
    FALSE,
    NULL,
    { { "Classic Burger",
        1,
        "grill",
        { "no cheese", "medium rare", NULL },
        { "gluten", NULL },
        "cut in half" },
      { "Fries", 2, "fry", { NULL }, { NULL }, NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "3",
    "Marco",
    FALSE,
    NULL,
    { { "Caesar Salad",
        1,
        "cold",
        { "dressing on the side", NULL },
        { "fish", "dairy", NULL },
        NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "8",
    "Priya",
    FALSE,
    NULL,
    { { "Masala Dosa", 2, "grill", { "no onion", NULL }, { NULL }, NULL },
      { "Mango Lassi", 1, "bar", { NULL }, { "dairy", NULL }, NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "5",
    "Marco",
    FALSE,
    NULL,
    { { "Paneer Tikka", 1, "tandoor", { "extra spicy", NULL }, { "dairy", NULL }, NULL },
      { "Tandoori Roti", 2, "tandoor", { NULL }, { "gluten", NULL }, NULL } } },
  { TR_ORDER_TYPE_DELIVERY,
    NULL,
    NULL,
    FALSE,
    NULL,
    { { "Vegetable Samosa", 4, "fry", { NULL }, { "gluten", NULL }, NULL },
      { "Onion Bhaji", 2, "fry", { "extra spicy", NULL }, { "gluten", NULL }, NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "14",
    "Sam",
    TRUE,
    NULL,
    { { "Grilled Chicken Sandwich", 1, "grill", { "no mayo", NULL }, { "gluten", NULL }, NULL },
      { "Onion Rings", 1, "fry", { NULL }, { NULL }, NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "2",
    "Priya",
    FALSE,
    "Birthday: bring the mains out together",
    { { "Dal Makhani", 1, "grill", { NULL }, { "dairy", NULL }, NULL },
      { "Garlic Naan", 2, "tandoor", { NULL }, { "gluten", NULL }, NULL } } },
  { TR_ORDER_TYPE_PICKUP,
    NULL,
    NULL,
    FALSE,
    NULL,
    { { "Classic Burger", 2, "grill", { "no pickles", NULL }, { "gluten", NULL }, NULL },
      { "Fries", 2, "fry", { "no salt", NULL }, { NULL }, NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "9",
    "Marco",
    FALSE,
    NULL,
    { { "Chole Bhature", 1, "fry", { NULL }, { "gluten", NULL }, NULL },
      { "Masala Chai", 1, "bar", { "no sugar", NULL }, { "dairy", NULL }, NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "11",
    "Sam",
    FALSE,
    NULL,
    { { "Gulab Jamun", 2, "cold", { "warm", NULL }, { "dairy", "gluten", NULL }, NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "6",
    "Priya",
    FALSE,
    NULL,
    { { "Tandoori Chicken", 1, "tandoor", { "half", NULL }, { "dairy", NULL }, NULL },
      { "Kachumber Salad", 1, "cold", { NULL }, { NULL }, NULL } } },
  { TR_ORDER_TYPE_DINE_IN,
    "1",
    "Marco",
    FALSE,
    NULL,
    { { "Chicken Tikka",
        1,
        "tandoor",
        { "well done", NULL },
        { "dairy", NULL },
        "no food colouring" } } },
};

static const guint wave_starts[] = { 0, 3, 6, G_N_ELEMENTS (tickets) };

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

static void
submit (Fixture *f, TrOp *op /* owned */)
{
  g_autoptr (TrOp) owned = op;
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_station_submit (station (f), owned, &error));
  g_assert_no_error (error);
  /* The shots show each change: wait for the host's writer to commit it. */
  while (tr_station_get_n_ops_in_flight (station (f)) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static TrTicket *
build_ticket (const TicketSpec *spec)
{
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  ticket->source = TR_SOURCE_POS;
  ticket->order_type = spec->type;
  ticket->table = g_strdup (spec->table);
  ticket->server = g_strdup (spec->server);
  ticket->note = g_strdup (spec->note);
  ticket->priority = spec->rush ? TR_PRIORITY_RUSH : TR_PRIORITY_NORMAL;
  for (guint i = 0; i < G_N_ELEMENTS (spec->items) && spec->items[i].name != NULL; i++)
    {
      const ItemSpec *is = &spec->items[i];
      TrItem *item = tr_item_new ();

      item->id = tr_uuid_new ();
      item->name = g_strdup (is->name);
      item->quantity = is->quantity;
      item->station = g_strdup (is->station);
      item->note = g_strdup (is->note);
      g_strfreev (item->modifiers);
      item->modifiers = g_strdupv ((char **)is->modifiers);
      g_strfreev (item->allergens);
      item->allergens = g_strdupv ((char **)is->allergens);
      g_ptr_array_add (ticket->items, item);
    }
  return ticket;
}

static const TrTicket *
ticket_at (Fixture *f, guint index, TrTicket **owned)
{
  g_autoptr (GError) error = NULL;

  *owned = tr_store_get_ticket (tr_application_get_store (f->app), f->ids->pdata[index], &error);
  g_assert_no_error (error);
  g_assert_nonnull (*owned);
  return *owned;
}

static gboolean
step_wave (Fixture *f)
{
  if (find_window (f) == NULL || station (f) == NULL)
    return FALSE;
  if (f->wave > 0 && g_get_monotonic_time () / 1000 - f->wave_at < WAVE_SPACING_MS)
    return FALSE;

  for (guint i = wave_starts[f->wave]; i < wave_starts[f->wave + 1]; i++)
    {
      g_autoptr (TrTicket) ticket = build_ticket (&tickets[i]);

      g_ptr_array_add (f->ids, g_strdup (ticket->id));
      submit (f, tr_op_new_create_ticket ("pos", ticket));
    }
  f->wave_at = g_get_monotonic_time () / 1000;
  f->wave++;
  return f->wave == G_N_ELEMENTS (wave_starts) - 1;
}

/* Work in progress, an amendment and a cancellation, as a service has. */
static gboolean
step_service (Fixture *f)
{
  g_autoptr (TrTicket) t0 = NULL, t1 = NULL, t3 = NULL, t4 = NULL, t6 = NULL;
  const char *sid = "expo";
  TrOp *amend;
  TrAmendment *add, *void_item;
  TrItem *raita;

  ticket_at (f, 0, &t0);
  submit (f, tr_op_new_set_item_status (sid, t0->id, ((TrItem *)t0->items->pdata[0])->id,
                                        TR_ITEM_STATUS_PREPARING));
  ticket_at (f, 1, &t1);
  submit (f, tr_op_new_set_item_status (sid, t1->id, ((TrItem *)t1->items->pdata[0])->id,
                                        TR_ITEM_STATUS_READY));
  ticket_at (f, 6, &t6);
  submit (f, tr_op_new_set_item_status (sid, t6->id, ((TrItem *)t6->items->pdata[0])->id,
                                        TR_ITEM_STATUS_PREPARING));

  /* Table 5 adds a raita and drops the roti. */
  ticket_at (f, 4, &t4);
  amend = tr_op_new_amend_ticket (sid, t4->id);
  add = tr_amendment_new (TR_AMEND_ADD_ITEM);
  raita = tr_item_new ();
  raita->id = tr_uuid_new ();
  raita->name = g_strdup ("Raita");
  raita->quantity = 1;
  raita->station = g_strdup ("cold");
  g_strfreev (raita->allergens);
  raita->allergens = g_strdupv ((char *[]){ (char *)"dairy", NULL });
  add->item = raita;
  g_ptr_array_add (amend->amendments, add);
  void_item = tr_amendment_new (TR_AMEND_VOID_ITEM);
  void_item->item_id = g_strdup (((TrItem *)t4->items->pdata[1])->id);
  g_ptr_array_add (amend->amendments, void_item);
  submit (f, amend);

  /* Table 8 walked out. */
  ticket_at (f, 3, &t3);
  submit (f, tr_op_new_set_ticket_status (sid, t3->id, TR_TICKET_STATUS_CANCELLED));
  return TRUE;
}

/* The window's default size counts its frame; grow it until the
 * content is exactly 1280×800. */
static gboolean
step_size (Fixture *f)
{
  GtkWindow *window = GTK_WINDOW (find_window (f));
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));
  int default_width, default_height;

  if (width == 1280 && height == 800)
    return TRUE;
  g_test_message ("Window is %d×%d", width, height);
  if (width > 0 && height > 0)
    {
      gtk_window_get_default_size (window, &default_width, &default_height);
      gtk_window_set_default_size (window, default_width + 1280 - width,
                                   default_height + 800 - height);
    }
  return FALSE;
}

static gboolean
step_age (Fixture *f)
{
  TrKitchenView *view = tr_window_get_kitchen_view (find_window (f));
  g_autoptr (TrTicket) first = NULL;
  TrClock *clock = tr_kitchen_view_get_clock (view);
  gint64 first_age;

  if (tr_kitchen_view_get_n_cards (view) != G_N_ELEMENTS (tickets))
    return FALSE;

  ticket_at (f, 0, &first);
  f->first_created_at = first->created_at;
  first_age = tr_now_ms () - first->created_at;
  /* The first wave just past late; the others fall where they came. */
  tr_clock_set_offset (clock, (gint64)LATE_MINUTES * 60000 + 2000 - first_age);
  gtk_widget_activate_action (GTK_WIDGET (view), "kitchen.select", "i", 2);
  return TRUE;
}

static gboolean
step_ages_shown (Fixture *f)
{
  TrKitchenView *view = tr_window_get_kitchen_view (find_window (f));
  guint late = 0, warn = 0, fresh = 0, modified = 0, cancelled = 0, rush = 0, allergens = 0;

  for (guint i = 0; i < f->ids->len; i++)
    {
      TrTicketCard *card = tr_kitchen_view_find_card (view, f->ids->pdata[i]);
      const TrTicket *ticket;

      if (card == NULL || !gtk_widget_get_mapped (GTK_WIDGET (card)))
        continue;
      ticket = tr_ticket_object_get_ticket (tr_ticket_card_get_ticket (card));
      late += tr_ticket_card_get_age (card) == TR_TICKET_AGE_LATE;
      warn += tr_ticket_card_get_age (card) == TR_TICKET_AGE_WARN;
      fresh += tr_ticket_card_get_age (card) == TR_TICKET_AGE_FRESH
               && ticket->status != TR_TICKET_STATUS_CANCELLED;
      modified += tr_ticket_card_get_modified (card);
      cancelled += ticket->status == TR_TICKET_STATUS_CANCELLED;
      rush += ticket->priority == TR_PRIORITY_RUSH;
      for (guint j = 0; j < ticket->items->len; j++)
        allergens += ((TrItem *)ticket->items->pdata[j])->allergens[0] != NULL;
    }

  /* What the screenshot is for: every case on screen at once. */
  if (late == 0 || warn == 0 || fresh == 0)
    return FALSE;
  g_assert_cmpuint (modified, >=, 1);
  g_assert_cmpuint (cancelled, ==, 1);
  g_assert_cmpuint (rush, >=, 1);
  g_assert_cmpuint (allergens, >=, 1);
  g_assert_cmpuint (tr_kitchen_view_get_n_cards (view), >=, 12);
  return TRUE;
}

static void
on_after_paint (GdkFrameClock *clock, Fixture *f)
{
  f->frame_counter++;
}

/* Waits for two fresh frames, so the last change is on screen. */
static gboolean
step_settle (Fixture *f)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (find_window (f)));

  if (f->frames_waited == 0)
    {
      g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), f);
      f->frame_counter = 0;
      f->frames_waited = 1;
    }
  gtk_widget_queue_draw (GTK_WIDGET (find_window (f)));
  if (f->frame_counter < 3)
    return FALSE;
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, f);
  f->frames_waited = 0;
  return TRUE;
}

static void
save_png (Fixture *f, const char *name, GtkPopover *popover)
{
  TrWindow *window = find_window (f);
  GtkWidget *widget = GTK_WIDGET (window);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (f->out_dir, name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  g_assert_cmpint (width, ==, 1280);
  g_assert_cmpint (height, ==, 800);

  /* The window's own background, under its rounded corners. */
  gtk_snapshot_append_color (snapshot,
                             adw_style_manager_get_dark (adw_style_manager_get_default ())
                               ? &(GdkRGBA){ 0.14, 0.14, 0.14, 1 }
                               : &(GdkRGBA){ 0.98, 0.98, 0.98, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  /* What the window would draw in its next frame. */
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);

  if (popover != NULL)
    {
      /* A popover is a surface of its own; draw it where the compositor
       * would, from its position relative to the window's surface. */
      GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (popover));
      double win_x, win_y, pop_x, pop_y;
      int x = gdk_popup_get_position_x (GDK_POPUP (surface));
      int y = gdk_popup_get_position_y (GDK_POPUP (surface));

      gtk_native_get_surface_transform (GTK_NATIVE (window), &win_x, &win_y);
      gtk_native_get_surface_transform (GTK_NATIVE (popover), &pop_x, &pop_y);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT ((float)(x - win_x), (float)(y - win_y)));
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float)pop_x, (float)pop_y));
      GTK_WIDGET_GET_CLASS (popover)->snapshot (GTK_WIDGET (popover), snapshot);
      gtk_snapshot_restore (snapshot);
    }

  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s", path);
}

static void
on_shot_after_paint (GdkFrameClock *clock, Fixture *f)
{
  /* Right after a frame everything is laid out: nothing is waiting for
   * an allocation, so the snapshot is the frame itself. */
  if (f->shot_name == NULL || f->shot_done)
    return;
  save_png (f, f->shot_name, f->shot_popover);
  f->shot_done = TRUE;
  g_signal_handlers_disconnect_by_func (clock, on_shot_after_paint, f);
}

/* Takes the shot @name at the end of the next frame; TRUE once taken. */
static gboolean
shoot (Fixture *f, const char *name, GtkPopover *popover)
{
  if (f->shot_name == NULL)
    {
      f->shot_name = name;
      f->shot_popover = popover;
      f->shot_done = FALSE;
      g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (find_window (f))), "after-paint",
                        G_CALLBACK (on_shot_after_paint), f);
    }
  gtk_widget_queue_draw (GTK_WIDGET (find_window (f)));
  if (!f->shot_done)
    return FALSE;
  f->shot_name = NULL;
  return TRUE;
}

static gboolean
step_shoot_dark (Fixture *f)
{
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  if (!shoot (f, "kitchen-dark.png", NULL))
    return FALSE;
  g_settings_set_string (tr_application_get_settings (f->app), "color-scheme", "light");
  return TRUE;
}

static gboolean
step_shoot_light (Fixture *f)
{
  if (adw_style_manager_get_dark (adw_style_manager_get_default ()))
    return FALSE;
  if (!shoot (f, "kitchen-light.png", NULL))
    return FALSE;
  g_settings_set_string (tr_application_get_settings (f->app), "color-scheme", "dark");
  return TRUE;
}

static gboolean
step_open_popover (Fixture *f)
{
  TrConnectionIndicator *indicator = tr_window_get_indicator (find_window (f));

  if (!adw_style_manager_get_dark (adw_style_manager_get_default ()))
    return FALSE;
  tr_connection_indicator_popup (indicator);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (indicator), "indicator.test", NULL));
  return TRUE;
}

static gboolean
step_test_done (Fixture *f)
{
  TrConnectionIndicator *indicator = tr_window_get_indicator (find_window (f));
  GtkPopover *popover = tr_connection_indicator_get_popover (indicator);

  return !tr_connection_indicator_get_testing (indicator)
         && gtk_widget_get_mapped (GTK_WIDGET (popover));
}

static gboolean
step_shoot_popover (Fixture *f)
{
  TrConnectionIndicator *indicator = tr_window_get_indicator (find_window (f));

  return shoot (f, "connection-popover.png", tr_connection_indicator_get_popover (indicator));
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
    {
      f->step++;
      g_test_message ("Step %u done", f->step);
    }

  return f->steps[f->step] == NULL ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
test_screenshots (void)
{
  StepFunc steps[]
    = { step_wave,      step_service,    step_size,          step_age,         step_ages_shown,
        step_settle,    step_shoot_dark, step_settle,        step_shoot_light, step_open_popover,
        step_test_done, step_settle,     step_shoot_popover, step_quit,        NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  char *argv[] = { (char *)"ticketrail", (char *)"--data-dir", NULL, (char *)"--port",
                   (char *)"0",          (char *)"--loopback", NULL };

  f->dir = g_dir_make_tmp ("ticketrail-shots-XXXXXX", &error);
  g_assert_no_error (error);
  f->out_dir = g_strdup (g_getenv ("TICKETRAIL_SCREENSHOT_DIR"));
  if (f->out_dir == NULL)
    f->out_dir = g_get_current_dir ();
  f->ids = g_ptr_array_new_with_free_func (g_free);
  argv[2] = f->dir;

  /* The memory backend lives as long as the process: what is set here
   * is what the app reads. */
  g_settings_set_int (settings, "window-width", 1280);
  g_settings_set_int (settings, "window-height", 800);
  g_settings_set_uint (settings, "warn-minutes", WARN_MINUTES);
  g_settings_set_uint (settings, "late-minutes", LATE_MINUTES);
  g_settings_set_string (settings, "color-scheme", "dark");
  /* Chimes are not for screenshots. */
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

  for (guint i = 0; i < 3; i++)
    {
      const char *names[] = { "kitchen-dark.png", "kitchen-light.png", "connection-popover.png" };
      g_autofree char *path = g_build_filename (f->out_dir, names[i], NULL);
      g_autoptr (GdkTexture) texture = gdk_texture_new_from_filename (path, &error);

      g_assert_no_error (error);
      g_assert_cmpint (gdk_texture_get_width (texture), ==, 1280);
      g_assert_cmpint (gdk_texture_get_height (texture), ==, 800);
    }

  g_assert_finalize_object (f->app);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->out_dir);
  g_ptr_array_unref (f->ids);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/screenshots/kitchen", test_screenshots);

  return g_test_run ();
}
