/* tr-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-window"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tr-board-view.h"
#include "tr-foh-view.h"
#include "tr-host-monitor.h"
#include "tr-link-watch.h"
#include "tr-promote-banner.h"
#include "tr-protocol.h"
#include "tr-service-window.h"
#include "tr-training-banner.h"
#include "tr-welcome-page.h"
#include "tr-window.h"

/* How often the frame-stats probe checks that the main loop answers. */
#define LOOP_PROBE_MS 10

struct _TrWindow
{
  AdwApplicationWindow parent_instance;

  TrStation *station;
  GSettings *settings;
  TrClock *clock;
  TrSoundPlayer *sound_player;
  TrLinkWatch *link_watch;
  gboolean kiosk;
  char *last_link_toast;
  char *last_toast;          /* tr_window_add_toast()'s last, for tests */
  GHashTable *outage_toasts; /* station id → AdwToast* on screen or queued */

  TrKitchenView *kitchen_view;
  TrFohView *foh_view;
  TrConnectionIndicator *indicator;
  /* Board mode (tr-board-view.h): only while it is on. Locked on a
   * read-only station (the role "board"), which has nothing else to
   * show. */
  TrBoardView *board_view;
  gboolean board_locked;

  /* TICKETRAIL_FRAME_STATS instrumentation (benches only). */
  FILE *frame_stats;
  gint64 paint_started;
  gint64 last_paint;
  guint loop_probe;
  gint64 loop_probe_due;

  AdwHeaderBar *header_bar;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack *view_stack;
  AdwToastOverlay *toast_overlay;
  GtkRevealer *host_lost_revealer;
  GtkRevealer *training_revealer; /* NULL without a station */
  GtkLabel *host_lost_label;
  GtkMenuButton *recall_button;
  GtkMenuButton *menu_button;
  GtkPopover *recall_popover;
  GtkBox *recall_box;
  GtkWidget *promote_banner; /* a client's, under the lost-host banner */
};

G_DEFINE_FINAL_TYPE (TrWindow, tr_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_SETTINGS,
  PROP_CLOCK,
  PROP_SOUND_PLAYER,
  PROP_KIOSK,
  PROP_LINK_WATCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- Subtitle ---- */

static void
update_subtitle (TrWindow *self)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *count = NULL;
  const char *station;
  guint n;

  if (self->kitchen_view == NULL)
    return;

  n = tr_kitchen_view_get_n_cards (self->kitchen_view);
  station = tr_kitchen_view_get_kitchen_station (self->kitchen_view);
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ticket", "%u tickets", n), n);
  if (g_strcmp0 (tr_kitchen_view_get_role (self->kitchen_view), "kitchen") != 0)
    /* Translators: the window subtitle on the expo screen */
    subtitle = g_strdup_printf (_ ("Expo · %s"), count);
  else if (station != NULL && *station != '\0')
    {
      g_autofree char *name = g_strdup (station);

      name[0] = g_ascii_toupper (name[0]);
      /* Translators: the window subtitle on one kitchen station, e.g. "Grill · 12 tickets" */
      subtitle = g_strdup_printf (_ ("%s · %s"), name, count);
    }
  else
    /* Translators: the window subtitle on a kitchen screen showing every station */
    subtitle = g_strdup_printf (_ ("All stations · %s"), count);

  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
}

/* ---- Recall popover ---- */

static void
rebuild_recalls (TrWindow *self)
{
  GtkWidget *child;
  guint n;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recall_box))) != NULL)
    gtk_box_remove (self->recall_box, child);

  n = self->kitchen_view ? tr_kitchen_view_get_n_recalls (self->kitchen_view) : 0;
  for (guint i = 0; i < n; i++)
    {
      int number = 0;
      gint64 bumped_at = 0;
      const char *id = tr_kitchen_view_get_recall (self->kitchen_view, i, &number, &bumped_at);
      gint64 minutes = MAX (0, (tr_clock_get_now (self->clock) - bumped_at) / 60000);
      g_autofree char *ago = NULL;
      g_autofree char *text = NULL;
      GtkWidget *button;

      if (minutes == 0)
        ago = g_strdup (_ ("just now"));
      else
        ago = g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "%u min ago", "%u min ago", (gulong)minutes),
          (guint)minutes);
      /* Translators: a recall entry, e.g. "#1042 · bumped 3 min ago" */
      text = g_strdup_printf (_ ("#%d · bumped %s"), number, ago);
      button = gtk_button_new_with_label (text);
      gtk_widget_add_css_class (button, "recall-row");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.recall");
      gtk_box_append (self->recall_box, button);
    }

  if (n == 0)
    {
      GtkWidget *label = gtk_label_new (_ ("Nothing bumped yet"));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (self->recall_box, label);
    }
}

static void
on_recall_popover_visible (TrWindow *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->recall_popover)))
    rebuild_recalls (self);
}

static void
on_recalls_changed (TrWindow *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->recall_popover)))
    rebuild_recalls (self);
}

/* ---- Actions ---- */

static void
recall_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrWindow *self = user_data;

  gtk_popover_popdown (self->recall_popover);
  if (self->kitchen_view != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->kitchen_view), "kitchen.recall", "s",
                                g_variant_get_string (param, NULL));
}

static void
show_recall_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrWindow *self = user_data;

  if (gtk_widget_get_visible (GTK_WIDGET (self->recall_button)))
    gtk_menu_button_popup (self->recall_button);
}

static void
mute_sounds_action (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  TrWindow *self = user_data;
  gboolean muted = g_variant_get_boolean (state);

  g_simple_action_set_state (action, state);
  tr_sound_player_set_muted (self->sound_player, muted);
  if (self->settings != NULL && g_settings_get_boolean (self->settings, "sounds") == muted)
    g_settings_set_boolean (self->settings, "sounds", !muted);
}

static void
on_sounds_setting_changed (TrWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "mute-sounds");

  g_action_change_state (
    action, g_variant_new_boolean (!g_settings_get_boolean (self->settings, "sounds")));
}

static void
host_monitor_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrWindow *self = user_data;

  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  for (GList *l = app ? gtk_application_get_windows (app) : NULL; l != NULL; l = l->next)
    if (TR_IS_HOST_MONITOR (l->data) && gtk_window_get_transient_for (l->data) == GTK_WINDOW (self))
      {
        gtk_window_present (l->data);
        return;
      }
  if (self->station != NULL && tr_station_get_mode (self->station) == TR_STATION_MODE_HOST)
    {
      GtkWindow *monitor
        = GTK_WINDOW (tr_host_monitor_new (GTK_WINDOW (self), self->station, self->clock));

      gtk_window_set_application (monitor, gtk_window_get_application (GTK_WINDOW (self)));
      gtk_window_present (monitor);
    }
}

/* The Service view: any station with a link to the figures, host or
 * paired; the station and the thresholds' settings come with it. */
static void
service_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrWindow *self = user_data;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GtkWindow *service;

  for (GList *l = app ? gtk_application_get_windows (app) : NULL; l != NULL; l = l->next)
    if (TR_IS_SERVICE_WINDOW (l->data)
        && gtk_window_get_transient_for (l->data) == GTK_WINDOW (self))
      {
        gtk_window_present (l->data);
        return;
      }
  if (self->station == NULL)
    return;
  service = GTK_WINDOW (
    tr_service_window_new (GTK_WINDOW (self), self->station, self->settings, self->clock));
  gtk_window_set_application (service, app);
  gtk_window_present (service);
}

/* ---- Board mode ---- */

static void
sync_board_actions (TrWindow *self)
{
  GAction *board = g_action_map_lookup_action (G_ACTION_MAP (self), "board-mode");
  GAction *leave = g_action_map_lookup_action (G_ACTION_MAP (self), "leave-board-mode");
  gboolean on = self->board_view != NULL;

  g_simple_action_set_state (G_SIMPLE_ACTION (board), g_variant_new_boolean (on));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (board),
                               self->station != NULL && !self->board_locked);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (leave), on && !self->board_locked);
}

/* The board takes the whole screen: no header bar, views or toasts;
 * the lost-host banner stays, as staff need to see that the numbers
 * stopped following. */
static void
enter_board_mode (TrWindow *self)
{
  GtkWidget *content = gtk_widget_get_parent (GTK_WIDGET (self->toast_overlay));

  if (self->board_view != NULL || self->station == NULL)
    return;
  self->board_view
    = TR_BOARD_VIEW (tr_board_view_new (self->station, self->clock, self->sound_player));
  gtk_widget_set_vexpand (GTK_WIDGET (self->board_view), TRUE);
  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "board-linger-seconds", self->board_view, "linger-seconds",
                       G_SETTINGS_BIND_GET);
      g_settings_bind (self->settings, "rush-first", self->board_view, "rush-first",
                       G_SETTINGS_BIND_GET);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->toast_overlay), FALSE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->board_view));
  /* One chime per ready number, the board's: the views behind it would
   * chime too, and beep at each new order in the dining room. */
  tr_sound_player_set_ticket_sounds_owner (self->sound_player, self->board_view);
  gtk_window_fullscreen (GTK_WINDOW (self));
  sync_board_actions (self);
}

static void
leave_board_mode (TrWindow *self)
{
  GtkWidget *content = gtk_widget_get_parent (GTK_WIDGET (self->toast_overlay));

  if (self->board_view == NULL || self->board_locked)
    return;
  /* Gone, not hidden: a kitchen screen does not keep a board up to date. */
  tr_sound_player_set_ticket_sounds_owner (self->sound_player, NULL);
  gtk_box_remove (GTK_BOX (content), GTK_WIDGET (self->board_view));
  self->board_view = NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->toast_overlay), TRUE);
  if (!self->kiosk)
    gtk_window_unfullscreen (GTK_WINDOW (self));
  sync_board_actions (self);
}

static void
board_mode_action (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  TrWindow *self = user_data;

  if (g_variant_get_boolean (state))
    enter_board_mode (self);
  else
    leave_board_mode (self);
}

static void
leave_board_mode_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  leave_board_mode (user_data);
}

/* Escape leaves the board, when it may be left; otherwise the key goes
 * on to whatever else wants it. */
static gboolean
on_escape (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  TrWindow *self = TR_WINDOW (widget);

  if (self->board_view == NULL || self->board_locked)
    return FALSE;
  leave_board_mode (self);
  return TRUE;
}

/* A station paired as an order board may only read: the board is all
 * it shows, from the start (`ticketrail --join HOST --role board`). */
static void
on_role_changed (TrWindow *self)
{
  gboolean locked = tr_role_is_read_only (tr_kitchen_view_get_role (self->kitchen_view));

  if (locked == self->board_locked)
    return;
  if (locked)
    {
      enter_board_mode (self);
      self->board_locked = TRUE;
    }
  else
    {
      self->board_locked = FALSE;
      leave_board_mode (self);
    }
  sync_board_actions (self);
}

/* ---- Link alerts (tr-link-watch.h) ---- */

static void
on_outage_toast_dismissed (AdwToast *toast, TrWindow *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->outage_toasts == NULL)
    return;
  g_hash_table_iter_init (&iter, self->outage_toasts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == toast)
      g_hash_table_iter_remove (&iter);
}

static void
on_link_alert (TrWindow *self, const char *station_id, const char *text, gboolean back)
{
  AdwToast *toast = adw_toast_new (text);
  AdwToast *outage = g_hash_table_lookup (self->outage_toasts, station_id);

  /* The outage is over: its toast goes, the return takes its place. */
  if (outage != NULL)
    adw_toast_dismiss (outage);
  /* An outage stays up until someone sees it, ahead of other toasts; a
   * return is news that can go by itself. */
  adw_toast_set_timeout (toast, back ? 5 : 0);
  adw_toast_set_priority (toast, back ? ADW_TOAST_PRIORITY_NORMAL : ADW_TOAST_PRIORITY_HIGH);
  if (!back)
    {
      g_hash_table_replace (self->outage_toasts, g_strdup (station_id), toast);
      g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_outage_toast_dismissed), self, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  g_free (self->last_link_toast);
  self->last_link_toast = g_strdup (text);
}

static void
on_host_lost (TrWindow *self)
{
  gboolean lost = tr_link_watch_get_host_lost (self->link_watch);

  if (lost)
    {
      g_autofree char *at
        = tr_link_watch_format_time (tr_link_watch_get_host_lost_since (self->link_watch));
      /* Translators: the banner of a screen that cannot reach the host,
       * e.g. "No link to the host since 12:03: new tickets will not
       * arrive until it is back" */
      g_autofree char *text = g_strdup_printf (
        _ ("No link to the host since %s: new tickets will not arrive until it is back"), at);

      gtk_label_set_label (self->host_lost_label, text);
    }
  gtk_revealer_set_reveal_child (self->host_lost_revealer, lost);
}

/* ---- First run ---- */

static void
show_saved_view (TrWindow *self)
{
  g_autofree char *view = self->settings ? g_settings_get_string (self->settings, "view") : NULL;

  if (view != NULL && adw_view_stack_get_child_by_name (self->view_stack, view) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, view);
  else if (self->kitchen_view != NULL)
    adw_view_stack_set_visible_child (self->view_stack, GTK_WIDGET (self->kitchen_view));
}

static void
on_first_run_done_changed (TrWindow *self)
{
  GtkWidget *welcome = adw_view_stack_get_child_by_name (self->view_stack, "welcome");
  gboolean done = g_settings_get_boolean (self->settings, "first-run-done");

  if (done && welcome != NULL)
    {
      show_saved_view (self);
      adw_view_stack_remove (self->view_stack, welcome);
    }
  else if (!done && welcome == NULL)
    {
      adw_view_stack_add_named (self->view_stack, tr_welcome_page_new (), "welcome");
      adw_view_stack_set_visible_child_name (self->view_stack, "welcome");
    }
}

/* ---- Frame stats ---- */

static void
on_before_paint (GdkFrameClock *clock, TrWindow *self)
{
  self->paint_started = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock, TrWindow *self)
{
  gint64 now = g_get_monotonic_time ();

  fprintf (self->frame_stats,
           "frame %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", now,
           now - self->paint_started, self->last_paint ? now - self->last_paint : 0);
  self->last_paint = now;
}

static gboolean
on_loop_probe (gpointer user_data)
{
  TrWindow *self = user_data;
  gint64 now = g_get_monotonic_time ();

  /* How late the main loop ran a timer due now: the time a tap would
   * have waited. */
  fprintf (self->frame_stats, "loop %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", now,
           MAX (0, now - self->loop_probe_due));
  self->loop_probe_due = now + LOOP_PROBE_MS * 1000;
  return G_SOURCE_CONTINUE;
}

static void
tr_window_realize (GtkWidget *widget)
{
  TrWindow *self = TR_WINDOW (widget);
  const char *path = g_getenv ("TICKETRAIL_FRAME_STATS");

  GTK_WIDGET_CLASS (tr_window_parent_class)->realize (widget);

  if (path != NULL && *path != '\0' && self->frame_stats == NULL)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

      self->frame_stats = fopen (path, "a");
      if (self->frame_stats == NULL)
        {
          g_message ("Cannot write frame stats to %s", path);
          return;
        }
      setvbuf (self->frame_stats, NULL, _IOLBF, 0);
      g_signal_connect_object (clock, "before-paint", G_CALLBACK (on_before_paint), self, 0);
      g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_after_paint), self, 0);
      self->loop_probe_due = g_get_monotonic_time () + LOOP_PROBE_MS * 1000;
      self->loop_probe = g_timeout_add (LOOP_PROBE_MS, on_loop_probe, self);
    }
}

/* ---- GObject ---- */

static gboolean
tr_window_close_request (GtkWindow *window)
{
  TrWindow *self = TR_WINDOW (window);

  if (self->settings != NULL && !self->kiosk)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (tr_window_parent_class)->close_request (window);
}

static void
on_visible_child_changed (TrWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  if (self->settings != NULL && name != NULL && g_strcmp0 (name, "error") != 0
      && g_strcmp0 (name, "welcome") != 0)
    g_settings_set_string (self->settings, "view", name);
}

static void
add_error_page (TrWindow *self)
{
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "dialog-error-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (page), _ ("Not Running"));
  adw_status_page_set_description (ADW_STATUS_PAGE (page),
                                   _ ("This station could not start; the message says why"));
  adw_view_stack_add_named (self->view_stack, page, "error");
  gtk_widget_set_visible (GTK_WIDGET (self->recall_button), FALSE);
}

static void
tr_window_constructed (GObject *object)
{
  TrWindow *self = (TrWindow *)object;
  GPropertyAction *all_day;
  const GActionEntry entries[] = {
    { .name = "recall", .activate = recall_action, .parameter_type = "s" },
    { .name = "show-recall", .activate = show_recall_action },
    { .name = "mute-sounds", .state = "false", .change_state = mute_sounds_action },
    { .name = "host-monitor", .activate = host_monitor_action },
    { .name = "service", .activate = service_action },
    { .name = "board-mode", .state = "false", .change_state = board_mode_action },
    { .name = "leave-board-mode", .activate = leave_board_mode_action },
  };
  GtkEventController *shortcuts;

  G_OBJECT_CLASS (tr_window_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = tr_clock_new ();
  if (self->sound_player == NULL)
    self->sound_player = tr_sound_player_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (shortcuts),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                      gtk_callback_action_new (on_escape, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  if (self->station == NULL)
    add_error_page (self);
  else
    {
      AdwViewStackPage *page;

      self->kitchen_view = TR_KITCHEN_VIEW (
        tr_kitchen_view_new (self->station, self->settings, self->clock, self->sound_player));
      page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->kitchen_view),
                                        "kitchen", _ ("Kitchen"));
      adw_view_stack_page_set_icon_name (page, "io.github.ticketrail.Ticketrail-symbolic");
      g_signal_connect_object (self->kitchen_view, "notify::n-cards", G_CALLBACK (update_subtitle),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->kitchen_view, "notify::kitchen-station",
                               G_CALLBACK (update_subtitle), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->kitchen_view, "notify::role", G_CALLBACK (update_subtitle),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->kitchen_view, "recalls-changed",
                               G_CALLBACK (on_recalls_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->kitchen_view, "notify::role", G_CALLBACK (on_role_changed),
                               self, G_CONNECT_SWAPPED);

      self->foh_view
        = TR_FOH_VIEW (tr_foh_view_new (self->station, self->clock, self->sound_player));
      page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->foh_view), "foh",
                                        _ ("Front of House"));
      adw_view_stack_page_set_icon_name (page, "emoji-food-symbolic");

      self->indicator
        = TR_CONNECTION_INDICATOR (tr_connection_indicator_new (self->station, self->clock));
      adw_header_bar_pack_end (self->header_bar, GTK_WIDGET (self->indicator));

      all_day = g_property_action_new ("all-day", self->kitchen_view, "all-day-visible");
      g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (all_day));
      g_object_unref (all_day);
      update_subtitle (self);
    }

  if (self->settings != NULL)
    {
      g_autofree char *view = g_settings_get_string (self->settings, "view");

      if (self->kitchen_view != NULL)
        g_settings_bind (self->settings, "all-day-panel", self->kitchen_view, "all-day-visible",
                         G_SETTINGS_BIND_DEFAULT);
      if (self->foh_view != NULL)
        g_settings_bind (self->settings, "rush-first", self->foh_view, "rush-first",
                         G_SETTINGS_BIND_GET);
      if (adw_view_stack_get_child_by_name (self->view_stack, view) != NULL)
        adw_view_stack_set_visible_child_name (self->view_stack, view);
      g_signal_connect_object (self->settings, "changed::sounds",
                               G_CALLBACK (on_sounds_setting_changed), self, G_CONNECT_SWAPPED);
      on_sounds_setting_changed (self);

      if (!self->kiosk)
        {
          gtk_window_set_default_size (GTK_WINDOW (self),
                                       g_settings_get_int (self->settings, "window-width"),
                                       g_settings_get_int (self->settings, "window-height"));
          if (g_settings_get_boolean (self->settings, "window-maximized"))
            gtk_window_maximize (GTK_WINDOW (self));
        }
    }
  g_simple_action_set_enabled (
    G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "service")),
    self->station != NULL);
  g_simple_action_set_enabled (
    G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "host-monitor")),
    self->station != NULL && tr_station_get_mode (self->station) == TR_STATION_MODE_HOST);
  if (self->settings != NULL && self->station != NULL && !self->kiosk)
    {
      /* A front-of-house screen opens on the front of house until
       * someone picks a view. */
      g_autoptr (GVariant) chosen = g_settings_get_user_value (self->settings, "view");
      g_autofree char *role = g_settings_get_string (self->settings, "role");

      if (chosen == NULL && g_strcmp0 (role, "foh") == 0)
        adw_view_stack_set_visible_child_name (self->view_stack, "foh");
      g_signal_connect_object (self->settings, "changed::first-run-done",
                               G_CALLBACK (on_first_run_done_changed), self, G_CONNECT_SWAPPED);
      on_first_run_done_changed (self);
    }
  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (on_visible_child_changed), self, G_CONNECT_SWAPPED);
  sync_board_actions (self);

  /* Under the header bar, above every view, and kept in Board mode: a
   * follower's station says "training" as its host's welcome does. */
  if (self->station != NULL)
    {
      self->training_revealer = GTK_REVEALER (tr_training_banner_new (self->station));
      gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->header_bar))),
                                  GTK_WIDGET (self->training_revealer),
                                  GTK_WIDGET (self->header_bar));
    }

  if (self->link_watch != NULL)
    {
      g_signal_connect_object (self->link_watch, "alert", G_CALLBACK (on_link_alert), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->link_watch, "notify::host-lost", G_CALLBACK (on_host_lost),
                               self, G_CONNECT_SWAPPED);
      on_host_lost (self);
    }
  if (self->station != NULL)
    {
      self->promote_banner = tr_promote_banner_new (
        self->station, self->settings != NULL ? g_settings_get_uint (self->settings, "host-port")
                                              : TR_DEFAULT_PORT);
      if (self->settings != NULL)
        g_settings_bind (self->settings, "standby-auto-promote-seconds", self->promote_banner,
                         "auto-promote-seconds", G_SETTINGS_BIND_GET);
      gtk_box_insert_child_after (
        GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->host_lost_revealer))),
        self->promote_banner, GTK_WIDGET (self->host_lost_revealer));
    }

  if (self->kiosk)
    {
      /* One view and nothing to wander off into; the connection state
       * and recall stay, because cooks need them. */
      adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->menu_button), FALSE);
      gtk_window_fullscreen (GTK_WINDOW (self));
    }
}

static void
tr_window_dispose (GObject *object)
{
  TrWindow *self = (TrWindow *)object;

  g_clear_handle_id (&self->loop_probe, g_source_remove);
  g_clear_pointer (&self->frame_stats, fclose);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_WINDOW);
  self->kitchen_view = NULL;
  self->foh_view = NULL;
  self->indicator = NULL;
  self->promote_banner = NULL;
  if (self->board_view != NULL && self->sound_player != NULL)
    tr_sound_player_set_ticket_sounds_owner (self->sound_player, NULL);
  self->board_view = NULL;
  g_clear_object (&self->station);
  g_clear_object (&self->settings);
  g_clear_object (&self->clock);
  g_clear_object (&self->sound_player);
  g_clear_object (&self->link_watch);
  g_clear_pointer (&self->last_link_toast, g_free);
  g_clear_pointer (&self->last_toast, g_free);
  g_clear_pointer (&self->outage_toasts, g_hash_table_unref);

  G_OBJECT_CLASS (tr_window_parent_class)->dispose (object);
}

static void
tr_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrWindow *self = TR_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_SETTINGS:
        g_value_set_object (value, self->settings);
        break;
      case PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      case PROP_SOUND_PLAYER:
        g_value_set_object (value, self->sound_player);
        break;
      case PROP_KIOSK:
        g_value_set_boolean (value, self->kiosk);
        break;
      case PROP_LINK_WATCH:
        g_value_set_object (value, self->link_watch);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrWindow *self = TR_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_SETTINGS:
        self->settings = g_value_dup_object (value);
        break;
      case PROP_CLOCK:
        self->clock = g_value_dup_object (value);
        break;
      case PROP_SOUND_PLAYER:
        self->sound_player = g_value_dup_object (value);
        break;
      case PROP_KIOSK:
        self->kiosk = g_value_get_boolean (value);
        break;
      case PROP_LINK_WATCH:
        self->link_watch = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_window_class_init (TrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_window_constructed;
  object_class->dispose = tr_window_dispose;
  object_class->get_property = tr_window_get_property;
  object_class->set_property = tr_window_set_property;

  widget_class->realize = tr_window_realize;
  window_class->close_request = tr_window_close_request;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_SETTINGS]
    = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  properties[PROP_SOUND_PLAYER]
    = g_param_spec_object ("sound-player", NULL, NULL, TR_TYPE_SOUND_PLAYER, construct);
  properties[PROP_KIOSK] = g_param_spec_boolean ("kiosk", NULL, NULL, FALSE, construct);
  properties[PROP_LINK_WATCH]
    = g_param_spec_object ("link-watch", NULL, NULL, TR_TYPE_LINK_WATCH, construct);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ticketrail/Ticketrail/tr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TrWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, host_lost_revealer);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, host_lost_label);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, recall_button);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, recall_popover);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, recall_box);
  gtk_widget_class_bind_template_callback (widget_class, on_recall_popover_visible);

  g_type_ensure (TR_TYPE_KITCHEN_VIEW);
}

static void
tr_window_init (TrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The toasts are the overlay's: the table only points at them. */
  self->outage_toasts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

TrWindow *
tr_window_new (GtkApplication *application, TrStation *station, GSettings *settings, TrClock *clock,
               TrSoundPlayer *sound_player, gboolean kiosk)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (station == NULL || TR_IS_STATION (station), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (TR_TYPE_WINDOW, "application", application, "station", station, "settings",
                       settings, "clock", clock, "sound-player", sound_player, "kiosk", kiosk,
                       NULL);
}

TrKitchenView *
tr_window_get_kitchen_view (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  return self->kitchen_view;
}

TrFohView *
tr_window_get_foh_view (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  return self->foh_view;
}

TrBoardView *
tr_window_get_board_view (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  return self->board_view;
}

TrConnectionIndicator *
tr_window_get_indicator (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  return self->indicator;
}

GtkWidget *
tr_window_show_error (TrWindow *self, const char *heading, const char *body)
{
  GtkWidget *dialog;

  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  g_return_val_if_fail (heading != NULL, NULL);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

const char *
tr_window_get_last_link_toast (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  return self->last_link_toast;
}

const char *
tr_window_get_host_lost_banner (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  return gtk_revealer_get_reveal_child (self->host_lost_revealer)
           ? gtk_label_get_label (self->host_lost_label)
           : NULL;
}

gboolean
tr_window_get_training_banner (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), FALSE);
  return self->training_revealer != NULL && gtk_revealer_get_reveal_child (self->training_revealer)
         && gtk_widget_get_mapped (GTK_WIDGET (self->training_revealer));
}

void
tr_window_add_toast (TrWindow *self, const char *text)
{
  g_return_if_fail (TR_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

const char *
tr_window_get_last_toast (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  return self->last_toast;
}

GtkWidget *
tr_window_get_promote_banner (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  return self->promote_banner;
}
