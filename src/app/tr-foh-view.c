/* tr-foh-view.c: the board follows the station's tickets
 *
 * The sections (one GListStore each) follow the store; the lists on
 * screen follow the sections while the board is mapped. Rows and
 * columns are drawn in tr-foh-view-rows.c, the foh.* actions are in
 * tr-foh-view-actions.c, the rules of where and in which order a ticket
 * is listed in src/core/tr-foh-board.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-foh-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-error.h"
#include "tr-foh-columns.h"
#include "tr-foh-view-private.h"
#include "tr-ticket-object.h"

G_DEFINE_FINAL_TYPE (TrFohView, tr_foh_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_CLOCK,
  PROP_SOUND_PLAYER,
  PROP_RUSH_FIRST,
  N_PROPS
};

enum
{
  TICKET_READY,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- Helpers ---- */

gint64
_tr_foh_view_now_ms (TrFohView *self)
{
  return tr_clock_get_now (self->clock);
}

typedef struct
{
  TrFohSection section;
  gboolean rush_first;
} SectionOrder;

/* GCompareDataFunc for a section's store; @user_data is a SectionOrder. */
static int
compare_in_section (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const SectionOrder *order = user_data;

  return tr_foh_compare_full (order->section, tr_ticket_object_get_ticket ((TrTicketObject *)a),
                              tr_ticket_object_get_ticket ((TrTicketObject *)b), order->rush_first);
}

static gboolean
find_in_section (TrFohView *self, TrFohSection section, const char *ticket_id, guint *position)
{
  GListModel *model = G_LIST_MODEL (self->sections[section]);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (model, i);

      if (g_strcmp0 (tr_ticket_object_get_id (obj), ticket_id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

char *
tr_foh_dup_ready_announcement (const TrTicket *ticket)
{
  g_return_val_if_fail (ticket != NULL, NULL);

  if (ticket->order_type == TR_ORDER_TYPE_DINE_IN && ticket->table != NULL
      && *ticket->table != '\0')
    /* Translators: announced when a dine-in order is ready, e.g. "Table 12 is ready" */
    return g_strdup_printf (_ ("Table %s is ready"), ticket->table);
  if (ticket->number > 0)
    /* Translators: announced when an order is ready, e.g. "Order #1042 is ready" */
    return g_strdup_printf (_ ("Order #%d is ready"), ticket->number);
  return g_strdup (_ ("An order is ready"));
}

void
_tr_foh_view_show_toast (TrFohView *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
}

/* ---- Counts ---- */

static void
update_counts (TrFohView *self)
{
  guint n[TR_FOH_N_SECTIONS];
  g_autofree char *kitchen = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *summary = NULL;

  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      g_autofree char *text = NULL;

      n[s] = g_list_model_get_n_items (G_LIST_MODEL (self->sections[s]));
      text = g_strdup_printf ("%u", n[s]);
      gtk_label_set_text (self->counts[s], text);
    }

  ready = g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE, "%u order ready", "%u orders ready", n[TR_FOH_SECTION_READY]),
    n[TR_FOH_SECTION_READY]);
  kitchen = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u in the kitchen", "%u in the kitchen",
                                          n[TR_FOH_SECTION_NEW] + n[TR_FOH_SECTION_PREPARING]),
                             n[TR_FOH_SECTION_NEW] + n[TR_FOH_SECTION_PREPARING]);
  /* Translators: the front-of-house summary, e.g. "2 orders ready · 5 in the kitchen" */
  summary = g_strdup_printf (_ ("%s · %s"), ready, kitchen);
  gtk_label_set_text (self->summary_label, summary);
}

/* ---- Following the store ---- */

static void
announce_ready (TrFohView *self, const TrTicket *ticket)
{
  g_autofree char *text = tr_foh_dup_ready_announcement (ticket);
  GApplication *app = g_application_get_default ();

  _tr_foh_view_show_toast (self, text);
  tr_sound_player_play (self->sound_player, TR_SOUND_CHANGED_TICKET);

  if (self->notifiers > 0 && app != NULL && g_application_get_is_registered (app))
    {
      g_autoptr (GNotification) notification = g_notification_new (text);
      g_autoptr (TrTicketObject) obj = tr_ticket_object_new (ticket);
      g_autofree char *body = tr_ticket_object_dup_summary (obj);
      g_autofree char *id = g_strconcat ("ticket-ready-", ticket->id, NULL);

      g_notification_set_body (notification, body);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      g_application_send_notification (app, id, notification);
    }

  g_signal_emit (self, signals[TICKET_READY], 0, ticket->id, text);
}

static void
place_ticket (TrFohView *self, const char *ticket_id, const TrTicket *ticket, gboolean announce)
{
  int was = GPOINTER_TO_INT (g_hash_table_lookup (self->listed, ticket_id)) - 1;
  int now = ticket ? tr_foh_section_of (ticket, _tr_foh_view_now_ms (self)) : -1;
  guint position;

  if (was >= 0 && find_in_section (self, was, ticket_id, &position))
    g_list_store_remove (self->sections[was], position);

  if (now >= 0)
    {
      g_autoptr (TrTicketObject) obj = tr_ticket_object_new (ticket);
      SectionOrder order = { now, self->rush_first };

      g_list_store_insert_sorted (self->sections[now], obj, compare_in_section, &order);
      g_hash_table_insert (self->listed, g_strdup (ticket_id), GINT_TO_POINTER (now + 1));
    }
  else
    g_hash_table_remove (self->listed, ticket_id);

  if (announce && now == TR_FOH_SECTION_READY && was != TR_FOH_SECTION_READY)
    announce_ready (self, ticket);
}

static void
on_ticket_changed (TrFohView *self, const char *ticket_id, TrStation *station)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_station_get_ticket (station, ticket_id, &error);

  if (error != NULL)
    {
      /* The board keeps what it showed rather than going blank. */
      g_warning ("Cannot read ticket %s: %s", ticket_id, error->message);
      return;
    }
  place_ticket (self, ticket_id, ticket, TRUE);
  update_counts (self);
}

static void
load_tickets (TrFohView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = tr_station_list_tickets (self->station, FALSE, &error);

  if (tickets == NULL)
    {
      g_warning ("Cannot list tickets: %s", error->message);
      return;
    }
  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);

      place_ticket (self, ticket->id, ticket, FALSE);
    }
  update_counts (self);
}

/* The host's message is in the host's language: the toast says why from
 * the code, and the message goes to the log. */
static void
on_op_rejected (TrFohView *self, const char *op_id, const char *code, const char *message)
{
  g_autofree char *text = NULL;

  g_debug ("The host refused op %s: %s: %s", op_id, code, message ? message : "");
  text = g_strdup_printf (
    /* Translators: the host refused a change made on this screen; %s says
     * why, e.g. "someone else changed it first" */
    _ ("The host refused a change: %s"), tr_error_describe_refusal (code, NULL));
  _tr_foh_view_show_toast (self, text);
}

static void
on_tick (TrFohView *self)
{
  GListModel *served = G_LIST_MODEL (self->sections[TR_FOH_SECTION_SERVED]);
  gboolean pruned = FALSE;

  /* Served orders leave the board once their half hour is up; the list
   * is newest first, so the expired ones are at the end. */
  for (guint i = g_list_model_get_n_items (served); i > 0; i--)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (served, i - 1);

      if (tr_foh_section_of (tr_ticket_object_get_ticket (obj), _tr_foh_view_now_ms (self))
          == TR_FOH_SECTION_SERVED)
        break;
      g_hash_table_remove (self->listed, tr_ticket_object_get_id (obj));
      g_list_store_remove (self->sections[TR_FOH_SECTION_SERVED], i - 1);
      pruned = TRUE;
    }
  if (pruned)
    update_counts (self);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->lists[s])); row != NULL;
         row = gtk_widget_get_next_sibling (row))
      {
        GtkLabel *label = g_object_get_data (G_OBJECT (row), "time-label");

        if (label != NULL)
          _tr_foh_view_update_time_label (self, label);
      }
}

TrTicket *
_tr_foh_view_lookup_ticket (TrFohView *self, const char *ticket_id)
{
  g_autoptr (GError) error = NULL;
  TrTicket *ticket = tr_station_get_ticket (self->station, ticket_id, &error);

  if (ticket == NULL)
    _tr_foh_view_show_toast (self, error ? error->message : _ ("That order is no longer there"));
  return ticket;
}

/* ---- Notifications ---- */

static const char *const notifier_names[]
  = { "org.freedesktop.Notifications", "org.gtk.Notifications", "org.freedesktop.portal.Desktop" };

static void
set_notifier (TrFohView *self, const char *name, gboolean present)
{
  for (guint i = 0; i < G_N_ELEMENTS (notifier_names); i++)
    if (g_strcmp0 (name, notifier_names[i]) == 0)
      {
        if (present)
          self->notifiers |= 1u << i;
        else
          self->notifiers &= ~(1u << i);
      }
}

static void
on_notifier_appeared (GDBusConnection *connection, const char *name, const char *owner,
                      gpointer user_data)
{
  set_notifier (TR_FOH_VIEW (user_data), name, TRUE);
}

static void
on_notifier_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  set_notifier (TR_FOH_VIEW (user_data), name, FALSE);
}

static void
watch_notifiers (TrFohView *self)
{
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app ? g_application_get_dbus_connection (app) : NULL;

  if (bus == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (notifier_names); i++)
    self->notify_watches[i]
      = g_bus_watch_name_on_connection (bus, notifier_names[i], G_BUS_NAME_WATCHER_FLAGS_NONE,
                                        on_notifier_appeared, on_notifier_vanished, self, NULL);
}

/* ---- Showing ---- */

/* The lists follow the sections only while the board is on screen.
 * Hidden behind the kitchen view, rebuilding a row for every changed
 * ticket (and styling it in the next frame) held the main loop for
 * 100-300 ms per burst of 100 events. The sections themselves stay
 * current; when the board is shown again, only the rows of tickets that
 * changed meanwhile are made again. */
static void
on_section_items_changed (TrFohView *self, guint position, guint removed, guint added,
                          GListModel *section)
{
  guint s = 0;
  g_autoptr (GPtrArray) items = NULL;

  if (self->shown_stale || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->shown_stale = TRUE;
      return;
    }
  while (s < TR_FOH_N_SECTIONS && G_LIST_MODEL (self->sections[s]) != section)
    s++;
  g_assert (s < TR_FOH_N_SECTIONS);
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < added; i++)
    g_ptr_array_add (items, g_list_model_get_item (section, position + i));
  g_list_store_splice (self->shown[s], position, removed, items->pdata, added);
}

/* Brings the shown lists up to the sections. A ticket's object is
 * replaced whenever it changes, and both lists keep the same order, so
 * the shown objects still in the section are a subsequence of it: drop
 * the others, then insert what is missing. */
static void
sync_shown (TrFohView *self)
{
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      GListModel *section = G_LIST_MODEL (self->sections[s]);
      GListModel *shown = G_LIST_MODEL (self->shown[s]);
      guint n = g_list_model_get_n_items (section);
      g_autoptr (GHashTable) current = g_hash_table_new (NULL, NULL);
      guint j = 0;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (TrTicketObject) obj = g_list_model_get_item (section, i);

          g_hash_table_add (current, obj);
        }
      for (guint i = g_list_model_get_n_items (shown); i > 0; i--)
        {
          g_autoptr (TrTicketObject) obj = g_list_model_get_item (shown, i - 1);

          if (!g_hash_table_contains (current, obj))
            g_list_store_remove (self->shown[s], i - 1);
        }
      for (guint i = 0; i < n; i++, j++)
        {
          g_autoptr (TrTicketObject) obj = g_list_model_get_item (section, i);
          g_autoptr (TrTicketObject) at = g_list_model_get_item (shown, j);

          if (at != obj)
            g_list_store_insert (self->shown[s], j, obj);
        }

      /* Had the order differed after all, show the section afresh. */
      if (g_list_model_get_n_items (shown) != n)
        {
          g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

          for (guint i = 0; i < n; i++)
            g_ptr_array_add (items, g_list_model_get_item (section, i));
          g_list_store_splice (self->shown[s], 0, g_list_model_get_n_items (shown), items->pdata,
                               n);
        }
    }
  self->shown_stale = FALSE;
}

static void
tr_foh_view_map (GtkWidget *widget)
{
  TrFohView *self = TR_FOH_VIEW (widget);

  if (self->shown_stale)
    sync_shown (self);
  GTK_WIDGET_CLASS (tr_foh_view_parent_class)->map (widget);
}

/* ---- GObject ---- */

static void
tr_foh_view_constructed (GObject *object)
{
  TrFohView *self = (TrFohView *)object;

  G_OBJECT_CLASS (tr_foh_view_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));
  if (self->clock == NULL)
    self->clock = tr_clock_new ();
  if (self->sound_player == NULL)
    self->sound_player = tr_sound_player_new ();

  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      _tr_foh_view_build_column (self, s);
      g_signal_connect_object (self->sections[s], "items-changed",
                               G_CALLBACK (on_section_items_changed), self, G_CONNECT_SWAPPED);
    }

  load_tickets (self);
  self->changed_handler = g_signal_connect_object (
    self->station, "ticket-changed", G_CALLBACK (on_ticket_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->station, "op-rejected", G_CALLBACK (on_op_rejected), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (on_tick), self, G_CONNECT_SWAPPED);
  _tr_foh_view_follow_can_reprint (self);
  watch_notifiers (self);
}

static void
tr_foh_view_dispose (GObject *object)
{
  TrFohView *self = (TrFohView *)object;

  for (guint i = 0; i < G_N_ELEMENTS (self->notify_watches); i++)
    g_clear_handle_id (&self->notify_watches[i], g_bus_unwatch_name);
  _tr_foh_view_close_dialog (self);
  if (self->station != NULL && self->changed_handler != 0)
    g_clear_signal_handler (&self->changed_handler, self->station);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_FOH_VIEW);
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      g_clear_object (&self->sections[s]);
      g_clear_object (&self->shown[s]);
    }
  g_clear_object (&self->station);
  g_clear_object (&self->clock);
  g_clear_object (&self->sound_player);

  G_OBJECT_CLASS (tr_foh_view_parent_class)->dispose (object);
}

static void
tr_foh_view_finalize (GObject *object)
{
  TrFohView *self = (TrFohView *)object;

  g_clear_pointer (&self->listed, g_hash_table_unref);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (tr_foh_view_parent_class)->finalize (object);
}

static void
tr_foh_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrFohView *self = TR_FOH_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      case PROP_SOUND_PLAYER:
        g_value_set_object (value, self->sound_player);
        break;
      case PROP_RUSH_FIRST:
        g_value_set_boolean (value, self->rush_first);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_foh_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrFohView *self = TR_FOH_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_CLOCK:
        self->clock = g_value_dup_object (value);
        break;
      case PROP_SOUND_PLAYER:
        self->sound_player = g_value_dup_object (value);
        break;
      case PROP_RUSH_FIRST:
        tr_foh_view_set_rush_first (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_foh_view_class_init (TrFohViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_foh_view_constructed;
  object_class->dispose = tr_foh_view_dispose;
  widget_class->map = tr_foh_view_map;
  object_class->finalize = tr_foh_view_finalize;
  object_class->get_property = tr_foh_view_get_property;
  object_class->set_property = tr_foh_view_set_property;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  properties[PROP_SOUND_PLAYER]
    = g_param_spec_object ("sound-player", NULL, NULL, TR_TYPE_SOUND_PLAYER, construct);
  properties[PROP_RUSH_FIRST]
    = g_param_spec_boolean ("rush-first", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TICKET_READY]
    = g_signal_new ("ticket-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ticketrail/Ticketrail/tr-foh-view.ui");
  gtk_widget_class_set_css_name (widget_class, "fohview");
  gtk_widget_class_bind_template_child (widget_class, TrFohView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TrFohView, columns);
  gtk_widget_class_bind_template_child (widget_class, TrFohView, summary_label);

  _tr_foh_view_class_actions_init (widget_class);
}

static void
tr_foh_view_init (TrFohView *self)
{
  self->rush_first = TRUE;
  self->listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      self->sections[s] = g_list_store_new (TR_TYPE_TICKET_OBJECT);
      self->shown[s] = g_list_store_new (TR_TYPE_TICKET_OBJECT);
    }
  self->shown_stale = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_layout_manager (self->columns, tr_foh_columns_layout_new ());
}

GtkWidget *
tr_foh_view_new (TrStation *station, TrClock *clock, TrSoundPlayer *sound_player)
{
  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (clock == NULL || TR_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (sound_player == NULL || TR_IS_SOUND_PLAYER (sound_player), NULL);

  return g_object_new (TR_TYPE_FOH_VIEW, "station", station, "clock", clock, "sound-player",
                       sound_player, NULL);
}

TrStation *
tr_foh_view_get_station (TrFohView *self)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), NULL);
  return self->station;
}

GListModel *
tr_foh_view_get_section (TrFohView *self, TrFohSection section)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), NULL);
  g_return_val_if_fail (section < TR_FOH_N_SECTIONS, NULL);
  return G_LIST_MODEL (self->sections[section]);
}

int
tr_foh_view_find_ticket (TrFohView *self, const char *ticket_id)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), -1);
  g_return_val_if_fail (ticket_id != NULL, -1);
  return GPOINTER_TO_INT (g_hash_table_lookup (self->listed, ticket_id)) - 1;
}

const char *
tr_foh_view_get_last_toast (TrFohView *self)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), NULL);
  return self->last_toast;
}

GtkWindow *
tr_foh_view_get_dialog (TrFohView *self)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), NULL);
  return self->dialog;
}

gboolean
tr_foh_view_get_rush_first (TrFohView *self)
{
  g_return_val_if_fail (TR_IS_FOH_VIEW (self), TRUE);
  return self->rush_first;
}

void
tr_foh_view_set_rush_first (TrFohView *self, gboolean rush_first)
{
  g_return_if_fail (TR_IS_FOH_VIEW (self));

  rush_first = !!rush_first;
  if (self->rush_first == rush_first)
    return;
  self->rush_first = rush_first;
  /* Every section in its new order; what the lists show follows at once
   * (sync_shown() only inserts and drops, it never reorders). */
  for (guint s = 0; s < TR_FOH_N_SECTIONS; s++)
    {
      SectionOrder order = { s, rush_first };
      GListModel *section = G_LIST_MODEL (self->sections[s]);
      guint n = g_list_model_get_n_items (section);
      g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      g_list_store_sort (self->sections[s], compare_in_section, &order);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (items, g_list_model_get_item (section, i));
      g_list_store_splice (self->shown[s], 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->shown[s])), items->pdata,
                           items->len);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUSH_FIRST]);
}
