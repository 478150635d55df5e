/* tr-kitchen-view.c: the kitchen view as a widget: its properties, its
 * models and cards, the all-day panel, sounds and pending marks (the
 * board and the actions have files of their own; see
 * tr-kitchen-view-private.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-kitchen-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-kitchen-view-private.h"

G_DEFINE_FINAL_TYPE (TrKitchenView, tr_kitchen_view, GTK_TYPE_WIDGET)

enum
{
  RECALLS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[TR_KITCHEN_VIEW_N_PROPS];
static guint signals[N_SIGNALS];

void
_tr_kitchen_view_notify (TrKitchenView *self, guint prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

void
_tr_kitchen_view_emit_recalls_changed (TrKitchenView *self)
{
  g_signal_emit (self, signals[RECALLS_CHANGED], 0);
}

TrKitchenScreen
_tr_kitchen_view_get_screen (TrKitchenView *self)
{
  TrKitchenScreen screen = { tr_kitchen_role_from_string (self->role), self->kitchen_station };

  return screen;
}

gint64
_tr_kitchen_view_acked_at (TrKitchenView *self, const char *ticket_id)
{
  gint64 *at = g_hash_table_lookup (self->acks, ticket_id);

  return at ? *at : 0;
}

void
_tr_kitchen_view_show_toast (TrKitchenView *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- What this screen shows ---- */

static gboolean
ticket_visible (TrKitchenView *self, const TrTicket *ticket)
{
  TrKitchenScreen screen = _tr_kitchen_view_get_screen (self);

  return tr_kitchen_screen_shows_ticket (&screen, ticket,
                                         _tr_kitchen_view_acked_at (self, ticket->id));
}

static gboolean
filter_func (gpointer item, gpointer user_data)
{
  TrKitchenView *self = user_data;

  return ticket_visible (self, tr_ticket_object_get_ticket (item));
}

TrTicketObject *
_tr_kitchen_view_object_at (TrKitchenView *self, guint position)
{
  return g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
}

static void
configure_card (TrKitchenView *self, TrTicketCard *card)
{
  TrKitchenScreen screen = _tr_kitchen_view_get_screen (self);

  tr_ticket_card_configure (card, self->clock, tr_kitchen_screen_get_station_filter (&screen),
                            screen.role == TR_KITCHEN_ROLE_EXPO, self->warn_minutes,
                            self->late_minutes);
}

static void
reconfigure_cards (TrKitchenView *self)
{
  GHashTableIter iter;
  gpointer card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &card))
    configure_card (self, card);
}

/* ---- Model follow-up ---- */

static void
update_stack (TrKitchenView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "tickets" : "empty");
}

static gboolean
refresh_all_day (gpointer user_data)
{
  TrKitchenView *self = user_data;
  g_autoptr (GPtrArray) entries = NULL;
  GtkWidget *child;

  self->all_day_idle = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->all_day_box))) != NULL)
    gtk_box_remove (self->all_day_box, child);

  entries = tr_kitchen_view_dup_all_day (self);
  for (guint i = 0; i < entries->len; i++)
    {
      TrAllDayEntry *entry = g_ptr_array_index (entries, i);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_autofree char *count = g_strdup_printf ("%u", entry->count);
      GtkWidget *count_label = gtk_label_new (count);
      GtkWidget *name_label = gtk_label_new (entry->name);

      gtk_widget_add_css_class (row, "all-day-row");
      gtk_widget_add_css_class (count_label, "all-day-count");
      gtk_widget_add_css_class (count_label, "numeric");
      gtk_label_set_width_chars (GTK_LABEL (count_label), 3);
      gtk_label_set_xalign (GTK_LABEL (count_label), 1);
      gtk_label_set_xalign (GTK_LABEL (name_label), 0);
      gtk_label_set_wrap (GTK_LABEL (name_label), TRUE);
      gtk_widget_set_hexpand (name_label, TRUE);
      gtk_box_append (GTK_BOX (row), count_label);
      gtk_box_append (GTK_BOX (row), name_label);
      gtk_box_append (self->all_day_box, row);
    }

  if (entries->len == 0)
    {
      GtkWidget *label = gtk_label_new (_ ("Nothing to make"));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (self->all_day_box, label);
    }

  return G_SOURCE_REMOVE;
}

static void
queue_all_day (TrKitchenView *self)
{
  /* A burst of events recounts once, after the frame. */
  if (self->all_day_visible && self->all_day_idle == 0)
    self->all_day_idle = g_idle_add_full (G_PRIORITY_LOW, refresh_all_day, self, NULL);
}

static void
on_filtered_changed (TrKitchenView *self, guint position, guint removed, guint added,
                     GListModel *model)
{
  if (removed != added)
    {
      update_stack (self);
      _tr_kitchen_view_set_page (self, self->page);
      g_object_notify_by_pspec (G_OBJECT (self), properties[TR_KITCHEN_VIEW_PROP_N_CARDS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[TR_KITCHEN_VIEW_PROP_N_PAGES]);
    }

  if (self->selected_id != NULL && removed > 0)
    {
      guint found;

      if (_tr_kitchen_view_find_position (self, self->selected_id, &found))
        self->selected_pos = found;
      else
        _tr_kitchen_view_select_position (self, self->selected_pos);
    }
  else if (self->selected_id != NULL && position <= self->selected_pos)
    _tr_kitchen_view_find_position (self, self->selected_id, &self->selected_pos);

  queue_all_day (self);
}

static gboolean
play_sounds (gpointer user_data)
{
  TrKitchenView *self = user_data;

  self->sound_idle = 0;
  /* One chime per burst; a new ticket is the louder news. */
  if (self->sound_new)
    tr_sound_player_play (self->sound_player, TR_SOUND_NEW_TICKET);
  else if (self->sound_changed)
    tr_sound_player_play (self->sound_player, TR_SOUND_CHANGED_TICKET);
  self->sound_new = self->sound_changed = FALSE;
  return G_SOURCE_REMOVE;
}

static void
on_tickets_changed (TrKitchenView *self, guint position, guint removed, guint added,
                    GListModel *model)
{
  TrKitchenScreen screen = _tr_kitchen_view_get_screen (self);

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (model, i);
      const TrTicket *ticket = tr_ticket_object_get_ticket (obj);
      gpointer seen;
      gboolean known = g_hash_table_lookup_extended (self->known, ticket->id, NULL, &seen);
      guint n_changes = ticket->changes->len;

      if (self->loaded && ticket_visible (self, ticket))
        {
          if (!known)
            self->sound_new = TRUE;
          else if (n_changes > GPOINTER_TO_UINT (seen)
                   && tr_ticket_has_changes_for (ticket,
                                                 tr_kitchen_screen_get_station_filter (&screen),
                                                 _tr_kitchen_view_acked_at (self, ticket->id)))
            self->sound_changed = TRUE;
        }
      g_hash_table_insert (self->known, g_strdup (ticket->id), GUINT_TO_POINTER (n_changes));
    }

  if ((self->sound_new || self->sound_changed) && self->sound_idle == 0)
    self->sound_idle = g_idle_add (play_sounds, self);
}

static gboolean
refresh_pending (gpointer user_data)
{
  TrKitchenView *self = user_data;
  g_autoptr (GHashTable) now_pending
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GError) error = NULL;
  GHashTableIter iter;
  gpointer key;
  TrTicketCard *card;

  self->pending_idle = 0;

  if (tr_station_get_mode (self->station) == TR_STATION_MODE_CLIENT)
    {
      ops = tr_station_list_outbox (self->station, &error);
      if (ops == NULL)
        g_debug ("Cannot read the outbox: %s", error->message);
      for (guint i = 0; ops != NULL && i < ops->len; i++)
        {
          const TrOp *op = g_ptr_array_index (ops, i);

          if (op->ticket_id != NULL)
            g_hash_table_add (now_pending, g_strdup (op->ticket_id));
        }
    }

  /* Only cards whose mark changes are touched. */
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (now_pending, key)
        && (card = g_hash_table_lookup (self->cards, key)) != NULL)
      tr_ticket_card_set_pending (card, FALSE);
  g_hash_table_iter_init (&iter, now_pending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (self->pending, key)
        && (card = g_hash_table_lookup (self->cards, key)) != NULL)
      tr_ticket_card_set_pending (card, TRUE);

  g_hash_table_unref (self->pending);
  self->pending = g_steal_pointer (&now_pending);
  return G_SOURCE_REMOVE;
}

static void
queue_pending (TrKitchenView *self)
{
  if (self->pending_idle == 0 && tr_station_get_mode (self->station) == TR_STATION_MODE_CLIENT)
    self->pending_idle = g_idle_add (refresh_pending, self);
}

/* ---- Cards ---- */

static void
on_card_destroy (TrTicketCard *card, TrKitchenView *self)
{
  /* The card has let go of its ticket by now; the id was kept aside. */
  const char *id = g_object_get_data (G_OBJECT (card), "ticket-id");

  /* The card of a changed ticket may be made before the old one goes. */
  if (id != NULL && g_hash_table_lookup (self->cards, id) == (gpointer)card)
    g_hash_table_remove (self->cards, id);
}

static GtkWidget *
create_card (gpointer item, gpointer user_data)
{
  TrKitchenView *self = user_data;
  TrTicketObject *obj = item;
  TrTicketCard *card = TR_TICKET_CARD (tr_ticket_card_new ());
  const char *id = tr_ticket_object_get_id (obj);

  configure_card (self, card);
  tr_ticket_card_set_acknowledged (card, _tr_kitchen_view_acked_at (self, id));
  tr_ticket_card_set_pending (card, g_hash_table_contains (self->pending, id));
  tr_ticket_card_set_selected (card, g_strcmp0 (id, self->selected_id) == 0);
  tr_ticket_card_set_can_reprint (card, tr_station_get_can_reprint (self->station));
  tr_ticket_card_set_ticket (card, obj);
  g_hash_table_insert (self->cards, g_strdup (id), card);
  g_object_set_data_full (G_OBJECT (card), "ticket-id", g_strdup (id), g_free);
  g_signal_connect (card, "destroy", G_CALLBACK (on_card_destroy), self);
  return GTK_WIDGET (card);
}

/* ---- Settings ---- */

static void
on_thresholds_changed (TrKitchenView *self)
{
  self->warn_minutes = g_settings_get_uint (self->settings, "warn-minutes");
  self->late_minutes = g_settings_get_uint (self->settings, "late-minutes");
  reconfigure_cards (self);
}

/* ---- GObject ---- */

static void
tr_kitchen_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  GTK_WIDGET_CLASS (tr_kitchen_view_parent_class)->size_allocate (widget, width, height, baseline);
  _tr_kitchen_view_lay_out (TR_KITCHEN_VIEW (widget), width);
}

static void
tr_kitchen_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tr_kitchen_view_parent_class)->map (widget);

  /* The bump-bar keys reach the view through the focus. */
  gtk_widget_grab_focus (widget);
}

static void
tr_kitchen_view_constructed (GObject *object)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);
  g_autoptr (GError) error = NULL;
  TrClient *client;

  G_OBJECT_CLASS (tr_kitchen_view_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));

  if (self->clock == NULL)
    self->clock = tr_clock_new ();
  if (self->sound_player == NULL)
    self->sound_player = tr_sound_player_new ();

  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::warn-minutes",
                               G_CALLBACK (on_thresholds_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::late-minutes",
                               G_CALLBACK (on_thresholds_changed), self, G_CONNECT_SWAPPED);
      self->warn_minutes = g_settings_get_uint (self->settings, "warn-minutes");
      self->late_minutes = g_settings_get_uint (self->settings, "late-minutes");
      _tr_kitchen_view_load_state (self);
    }

  self->tickets = tr_ticket_list_new ();
  tr_ticket_list_set_keep_cancelled (self->tickets, TRUE);
  /* Before the first load, so that it is sorted once. */
  if (self->settings != NULL)
    g_settings_bind (self->settings, "rush-first", self->tickets, "rush-first",
                     G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->tickets, "items-changed", G_CALLBACK (on_tickets_changed), self,
                           G_CONNECT_SWAPPED);
  if (!tr_ticket_list_set_station (self->tickets, self->station, &error))
    {
      g_autofree char *text = g_strdup_printf (_ ("Cannot read the tickets: %s"), error->message);

      _tr_kitchen_view_show_toast (self, text);
    }
  self->loaded = TRUE;

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->tickets)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (on_filtered_changed), self,
                           G_CONNECT_SWAPPED);
  self->page_model
    = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)), 0, self->page_size);
  gtk_flow_box_bind_model (self->grid_view, G_LIST_MODEL (self->page_model), create_card, self,
                           NULL);
  _tr_kitchen_view_update_pager (self);
  update_stack (self);

  g_signal_connect_object (self->station, "op-rejected",
                           G_CALLBACK (_tr_kitchen_view_on_op_rejected), self, G_CONNECT_SWAPPED);
  _tr_kitchen_view_follow_recalls (self);
  _tr_kitchen_view_follow_can_reprint (self);
  client = tr_station_get_client (self->station);
  if (client != NULL)
    {
      g_signal_connect_object (client, "notify::queued-ops", G_CALLBACK (queue_pending), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->station, "ticket-changed", G_CALLBACK (queue_pending), self,
                               G_CONNECT_SWAPPED);
      refresh_pending (self);
    }
}

static void
tr_kitchen_view_dispose (GObject *object)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);

  g_clear_handle_id (&self->pending_idle, g_source_remove);
  g_clear_handle_id (&self->all_day_idle, g_source_remove);
  g_clear_handle_id (&self->sound_idle, g_source_remove);
  g_clear_handle_id (&self->page_size_idle, g_source_remove);

  if (self->grid_view != NULL)
    gtk_flow_box_bind_model (self->grid_view, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_KITCHEN_VIEW);

  /* The list empties itself below: nothing is left to show it. */
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_data (self->filtered, self);
  if (self->tickets != NULL)
    g_signal_handlers_disconnect_by_data (self->tickets, self);
  if (self->tickets != NULL)
    tr_ticket_list_set_station (self->tickets, NULL, NULL);
  g_clear_object (&self->page_model);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->tickets);
  g_clear_object (&self->station);
  g_clear_object (&self->settings);
  g_clear_object (&self->clock);
  g_clear_object (&self->sound_player);

  G_OBJECT_CLASS (tr_kitchen_view_parent_class)->dispose (object);
}

static void
tr_kitchen_view_finalize (GObject *object)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);

  g_hash_table_unref (self->cards);
  g_hash_table_unref (self->acks);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->known);
  g_hash_table_unref (self->op_numbers);
  tr_recall_list_free (self->recalls);
  g_free (self->kitchen_station);
  g_free (self->role);
  g_free (self->selected_id);

  G_OBJECT_CLASS (tr_kitchen_view_parent_class)->finalize (object);
}

static void
tr_kitchen_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);

  switch (prop_id)
    {
      case TR_KITCHEN_VIEW_PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case TR_KITCHEN_VIEW_PROP_SETTINGS:
        g_value_set_object (value, self->settings);
        break;
      case TR_KITCHEN_VIEW_PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      case TR_KITCHEN_VIEW_PROP_SOUND_PLAYER:
        g_value_set_object (value, self->sound_player);
        break;
      case TR_KITCHEN_VIEW_PROP_KITCHEN_STATION:
        g_value_set_string (value, self->kitchen_station);
        break;
      case TR_KITCHEN_VIEW_PROP_ROLE:
        g_value_set_string (value, self->role);
        break;
      case TR_KITCHEN_VIEW_PROP_ALL_DAY_VISIBLE:
        g_value_set_boolean (value, self->all_day_visible);
        break;
      case TR_KITCHEN_VIEW_PROP_N_CARDS:
        g_value_set_uint (value, tr_kitchen_view_get_n_cards (self));
        break;
      case TR_KITCHEN_VIEW_PROP_SELECTED_TICKET:
        g_value_set_string (value, self->selected_id);
        break;
      case TR_KITCHEN_VIEW_PROP_PAGE:
        g_value_set_uint (value, self->page);
        break;
      case TR_KITCHEN_VIEW_PROP_N_PAGES:
        g_value_set_uint (value, self->filtered ? _tr_kitchen_view_n_pages (self) : 1);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_kitchen_view_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);

  switch (prop_id)
    {
      case TR_KITCHEN_VIEW_PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case TR_KITCHEN_VIEW_PROP_SETTINGS:
        self->settings = g_value_dup_object (value);
        break;
      case TR_KITCHEN_VIEW_PROP_CLOCK:
        self->clock = g_value_dup_object (value);
        break;
      case TR_KITCHEN_VIEW_PROP_SOUND_PLAYER:
        self->sound_player = g_value_dup_object (value);
        break;
      case TR_KITCHEN_VIEW_PROP_KITCHEN_STATION:
        tr_kitchen_view_set_kitchen_station (self, g_value_get_string (value));
        break;
      case TR_KITCHEN_VIEW_PROP_ROLE:
        tr_kitchen_view_set_role (self, g_value_get_string (value));
        break;
      case TR_KITCHEN_VIEW_PROP_ALL_DAY_VISIBLE:
        tr_kitchen_view_set_all_day_visible (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_kitchen_view_class_init (TrKitchenViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_kitchen_view_constructed;
  object_class->dispose = tr_kitchen_view_dispose;
  object_class->finalize = tr_kitchen_view_finalize;
  object_class->get_property = tr_kitchen_view_get_property;
  object_class->set_property = tr_kitchen_view_set_property;

  widget_class->map = tr_kitchen_view_map;
  widget_class->size_allocate = tr_kitchen_view_size_allocate;

  properties[TR_KITCHEN_VIEW_PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[TR_KITCHEN_VIEW_PROP_SETTINGS]
    = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS, construct);
  properties[TR_KITCHEN_VIEW_PROP_CLOCK]
    = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  properties[TR_KITCHEN_VIEW_PROP_SOUND_PLAYER]
    = g_param_spec_object ("sound-player", NULL, NULL, TR_TYPE_SOUND_PLAYER, construct);
  properties[TR_KITCHEN_VIEW_PROP_KITCHEN_STATION]
    = g_param_spec_string ("kitchen-station", NULL, NULL, NULL, rw);
  properties[TR_KITCHEN_VIEW_PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, "kitchen", rw);
  properties[TR_KITCHEN_VIEW_PROP_ALL_DAY_VISIBLE]
    = g_param_spec_boolean ("all-day-visible", NULL, NULL, FALSE, rw);
  properties[TR_KITCHEN_VIEW_PROP_N_CARDS] = g_param_spec_uint (
    "n-cards", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[TR_KITCHEN_VIEW_PROP_SELECTED_TICKET] = g_param_spec_string (
    "selected-ticket", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[TR_KITCHEN_VIEW_PROP_PAGE] = g_param_spec_uint (
    "page", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[TR_KITCHEN_VIEW_PROP_N_PAGES] = g_param_spec_uint (
    "n-pages", NULL, NULL, 1, G_MAXUINT, 1, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, TR_KITCHEN_VIEW_N_PROPS, properties);

  signals[RECALLS_CHANGED] = g_signal_new ("recalls-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-kitchen-view.ui");
  gtk_widget_class_set_css_name (widget_class, "kitchenview");
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, stack);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, grid_view);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, scroller);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, pager);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, page_label);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, all_day_revealer);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, all_day_box);

  _tr_kitchen_view_class_actions_init (widget_class);
}

static void
tr_kitchen_view_init (TrKitchenView *self)
{
  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->acks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->op_numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->recalls = tr_recall_list_new ();
  self->role = g_strdup ("kitchen");
  self->warn_minutes = 8;
  self->late_minutes = 15;
  self->page_size = 4 * TR_KITCHEN_VIEW_PAGE_ROWS;

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tr_kitchen_view_new (TrStation *station, GSettings *settings, TrClock *clock,
                     TrSoundPlayer *sound_player)
{
  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (clock == NULL || TR_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (sound_player == NULL || TR_IS_SOUND_PLAYER (sound_player), NULL);

  return g_object_new (TR_TYPE_KITCHEN_VIEW, "station", station, "settings", settings, "clock",
                       clock, "sound-player", sound_player, NULL);
}

TrStation *
tr_kitchen_view_get_station (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->station;
}

TrClock *
tr_kitchen_view_get_clock (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->clock;
}

TrSoundPlayer *
tr_kitchen_view_get_sound_player (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->sound_player;
}

const char *
tr_kitchen_view_get_kitchen_station (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->kitchen_station ? self->kitchen_station : "";
}

static void
filter_changed (TrKitchenView *self)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  reconfigure_cards (self);
  queue_all_day (self);
}

void
tr_kitchen_view_set_kitchen_station (TrKitchenView *self, const char *station)
{
  g_return_if_fail (TR_IS_KITCHEN_VIEW (self));

  if (station != NULL && *station == '\0')
    station = NULL;
  if (g_strcmp0 (station, self->kitchen_station) == 0)
    return;
  g_free (self->kitchen_station);
  self->kitchen_station = g_strdup (station);
  filter_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[TR_KITCHEN_VIEW_PROP_KITCHEN_STATION]);
}

const char *
tr_kitchen_view_get_role (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->role;
}

void
tr_kitchen_view_set_role (TrKitchenView *self, const char *role)
{
  g_return_if_fail (TR_IS_KITCHEN_VIEW (self));

  if (role == NULL || *role == '\0')
    role = "kitchen";
  if (g_strcmp0 (role, self->role) == 0)
    return;
  g_free (self->role);
  self->role = g_strdup (role);
  filter_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[TR_KITCHEN_VIEW_PROP_ROLE]);
}

gboolean
tr_kitchen_view_get_all_day_visible (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), FALSE);
  return self->all_day_visible;
}

void
tr_kitchen_view_set_all_day_visible (TrKitchenView *self, gboolean visible)
{
  g_return_if_fail (TR_IS_KITCHEN_VIEW (self));

  visible = !!visible;
  if (visible == self->all_day_visible)
    return;
  self->all_day_visible = visible;
  gtk_revealer_set_reveal_child (self->all_day_revealer, visible);
  queue_all_day (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[TR_KITCHEN_VIEW_PROP_ALL_DAY_VISIBLE]);
}

GListModel *
tr_kitchen_view_get_model (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

guint
tr_kitchen_view_get_n_cards (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), 0);
  return self->filtered ? g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) : 0;
}

const char *
tr_kitchen_view_get_selected_ticket (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->selected_id;
}

TrTicketCard *
tr_kitchen_view_find_card (TrKitchenView *self, const char *ticket_id)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  g_return_val_if_fail (ticket_id != NULL, NULL);
  return g_hash_table_lookup (self->cards, ticket_id);
}

GPtrArray *
tr_kitchen_view_dup_all_day (TrKitchenView *self)
{
  TrKitchenScreen screen;
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();
  guint n;

  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);

  screen = _tr_kitchen_view_get_screen (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; i < n; i++)
    {
      TrTicketObject *obj = _tr_kitchen_view_object_at (self, i);

      g_ptr_array_add (tickets, obj);
      g_ptr_array_add (shown, (gpointer)tr_ticket_object_get_ticket (obj));
    }
  return tr_kitchen_screen_count_all_day (&screen, shown);
}

guint
tr_kitchen_view_get_n_recalls (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), 0);
  return tr_recall_list_get_n_recalls (self->recalls);
}

const char *
tr_kitchen_view_get_recall (TrKitchenView *self, guint index, int *number, gint64 *bumped_at)
{
  const TrRecall *recall;

  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  g_return_val_if_fail (index < tr_recall_list_get_n_recalls (self->recalls), NULL);

  recall = tr_recall_list_get (self->recalls, index);
  if (number != NULL)
    *number = recall->number;
  if (bumped_at != NULL)
    *bumped_at = recall->bumped_at;
  return recall->ticket_id;
}
