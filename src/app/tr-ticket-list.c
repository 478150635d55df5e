/* tr-ticket-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-ticket-list"

#include "config.h"

#include "tr-ticket-list.h"

#include "tr-kitchen-rules.h"

struct _TrTicketList
{
  GObject parent_instance;
  TrStation *station;
  gulong changed_handler;
  /* TrTicketObject*, in display order; the lists are tens of tickets, so
   * a linear search by id costs less than keeping an index in step. */
  GPtrArray *items;
  /* A ticket cancelled while on screen stays, struck through, until a
   * cook dismisses it: a cook must see that the work stopped. */
  gboolean keep_cancelled;
  /* Rush tickets ahead of the others (the "rush-first" setting). */
  gboolean rush_first;
};

static void
list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TrTicketList, tr_ticket_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_STATION,
  PROP_N_ITEMS,
  PROP_KEEP_CANCELLED,
  PROP_RUSH_FIRST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The kitchen's order (tr_kitchen_compare_tickets): rush first when set,
 * then oldest first, total and the same on every screen. */
static int
compare_tickets (TrTicketList *self, const TrTicket *a, const TrTicket *b)
{
  return tr_kitchen_compare_tickets (a, b, self->rush_first);
}

static int
compare_objects (gconstpointer a, gconstpointer b, gpointer user_data)
{
  TrTicketObject *oa = *(TrTicketObject *const *)a;
  TrTicketObject *ob = *(TrTicketObject *const *)b;

  return compare_tickets (user_data, tr_ticket_object_get_ticket (oa),
                          tr_ticket_object_get_ticket (ob));
}

static guint
insert_position (TrTicketList *self, const TrTicket *ticket)
{
  guint lo = 0;
  guint hi = self->items->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      TrTicketObject *obj = g_ptr_array_index (self->items, mid);

      if (compare_tickets (self, tr_ticket_object_get_ticket (obj), ticket) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/* TRUE when @ticket may sit at @position without breaking the order. */
static gboolean
fits_at (TrTicketList *self, guint position, const TrTicket *ticket)
{
  if (position > 0)
    {
      TrTicketObject *prev = g_ptr_array_index (self->items, position - 1);
      if (compare_tickets (self, tr_ticket_object_get_ticket (prev), ticket) > 0)
        return FALSE;
    }
  if (position + 1 < self->items->len)
    {
      TrTicketObject *next = g_ptr_array_index (self->items, position + 1);
      if (compare_tickets (self, ticket, tr_ticket_object_get_ticket (next)) > 0)
        return FALSE;
    }
  return TRUE;
}

static void
emit_items_changed (TrTicketList *self, guint position, guint removed, guint added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
remove_at (TrTicketList *self, guint position)
{
  g_ptr_array_remove_index (self->items, position);
  emit_items_changed (self, position, 1, 0);
}

static void
insert_sorted (TrTicketList *self, const TrTicket *ticket)
{
  guint position = insert_position (self, ticket);

  g_ptr_array_insert (self->items, (int)position, tr_ticket_object_new (ticket));
  emit_items_changed (self, position, 0, 1);
}

static void
on_ticket_changed (TrTicketList *self, const char *ticket_id, TrStation *station)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  guint position;
  gboolean present;

  g_assert (TR_IS_TICKET_LIST (self));
  g_assert (TR_IS_STATION (station));

  ticket = tr_station_get_ticket (station, ticket_id, &error);
  if (error != NULL)
    {
      /* Keep showing the last known state: a kitchen screen that goes
       * blank on a read error is worse than a slightly stale one. */
      g_warning ("Cannot read ticket %s: %s", ticket_id, error->message);
      return;
    }

  present = tr_ticket_list_find (self, ticket_id, &position) != NULL;

  if (ticket != NULL && present && self->keep_cancelled
      && ticket->status == TR_TICKET_STATUS_CANCELLED)
    {
      gpointer *slot = &g_ptr_array_index (self->items, position);

      g_object_unref (*slot);
      *slot = tr_ticket_object_new (ticket);
      emit_items_changed (self, position, 1, 1);
      return;
    }

  if (ticket == NULL || !tr_ticket_is_open (ticket))
    {
      if (present)
        remove_at (self, position);
      return;
    }

  if (!present)
    {
      insert_sorted (self, ticket);
      return;
    }

  if (fits_at (self, position, ticket))
    {
      gpointer *slot = &g_ptr_array_index (self->items, position);

      g_object_unref (*slot);
      *slot = tr_ticket_object_new (ticket);
      emit_items_changed (self, position, 1, 1);
    }
  else
    {
      remove_at (self, position);
      insert_sorted (self, ticket);
    }
}

static GType
tr_ticket_list_get_item_type (GListModel *model)
{
  return TR_TYPE_TICKET_OBJECT;
}

static guint
tr_ticket_list_get_n_items (GListModel *model)
{
  return TR_TICKET_LIST (model)->items->len;
}

static gpointer
tr_ticket_list_get_item (GListModel *model, guint position)
{
  TrTicketList *self = TR_TICKET_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = tr_ticket_list_get_item_type;
  iface->get_n_items = tr_ticket_list_get_n_items;
  iface->get_item = tr_ticket_list_get_item;
}

static void
disconnect_station (TrTicketList *self)
{
  if (self->station != NULL)
    g_clear_signal_handler (&self->changed_handler, self->station);
  g_clear_object (&self->station);
}

static void
tr_ticket_list_dispose (GObject *object)
{
  TrTicketList *self = (TrTicketList *)object;

  disconnect_station (self);

  G_OBJECT_CLASS (tr_ticket_list_parent_class)->dispose (object);
}

static void
tr_ticket_list_finalize (GObject *object)
{
  TrTicketList *self = (TrTicketList *)object;

  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (tr_ticket_list_parent_class)->finalize (object);
}

static void
tr_ticket_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrTicketList *self = TR_TICKET_LIST (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;

      case PROP_N_ITEMS:
        g_value_set_uint (value, self->items->len);
        break;

      case PROP_KEEP_CANCELLED:
        g_value_set_boolean (value, self->keep_cancelled);
        break;

      case PROP_RUSH_FIRST:
        g_value_set_boolean (value, self->rush_first);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_ticket_list_set_property (GObject *object, guint prop_id, const GValue *value,
                             GParamSpec *pspec)
{
  TrTicketList *self = TR_TICKET_LIST (object);

  switch (prop_id)
    {
      case PROP_KEEP_CANCELLED:
        tr_ticket_list_set_keep_cancelled (self, g_value_get_boolean (value));
        break;

      case PROP_RUSH_FIRST:
        tr_ticket_list_set_rush_first (self, g_value_get_boolean (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_ticket_list_class_init (TrTicketListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_ticket_list_dispose;
  object_class->finalize = tr_ticket_list_finalize;
  object_class->get_property = tr_ticket_list_get_property;
  object_class->set_property = tr_ticket_list_set_property;

  properties[PROP_STATION] = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEEP_CANCELLED]
    = g_param_spec_boolean ("keep-cancelled", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUSH_FIRST]
    = g_param_spec_boolean ("rush-first", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tr_ticket_list_init (TrTicketList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->rush_first = TRUE;
}

TrTicketList *
tr_ticket_list_new (void)
{
  return g_object_new (TR_TYPE_TICKET_LIST, NULL);
}

TrStation *
tr_ticket_list_get_station (TrTicketList *self)
{
  g_return_val_if_fail (TR_IS_TICKET_LIST (self), NULL);

  return self->station;
}

gboolean
tr_ticket_list_set_station (TrTicketList *self, TrStation *station, GError **error)
{
  g_autoptr (GPtrArray) old_items = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  guint n_removed;

  g_return_val_if_fail (TR_IS_TICKET_LIST (self), FALSE);
  g_return_val_if_fail (station == NULL || TR_IS_STATION (station), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (station != self->station)
    {
      disconnect_station (self);
      if (station != NULL)
        {
          self->station = g_object_ref (station);
          self->changed_handler = g_signal_connect_object (
            station, "ticket-changed", G_CALLBACK (on_ticket_changed), self, G_CONNECT_SWAPPED);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATION]);
    }

  /* Swap the contents before telling anyone, so that handlers of
   * items-changed see a consistent list. */
  old_items = g_steal_pointer (&self->items);
  n_removed = old_items->len;
  self->items = g_ptr_array_new_with_free_func (g_object_unref);

  if (station != NULL)
    {
      tickets = tr_station_list_tickets (station, TRUE, error);
      if (tickets != NULL)
        {
          for (guint i = 0; i < tickets->len; i++)
            g_ptr_array_add (self->items, tr_ticket_object_new (g_ptr_array_index (tickets, i)));
          g_ptr_array_sort_with_data (self->items, compare_objects, self);
        }
    }

  if (n_removed > 0 || self->items->len > 0)
    emit_items_changed (self, 0, n_removed, self->items->len);

  return station == NULL || tickets != NULL;
}

TrTicketObject *
tr_ticket_list_find (TrTicketList *self, const char *ticket_id, guint *position)
{
  g_return_val_if_fail (TR_IS_TICKET_LIST (self), NULL);

  if (ticket_id == NULL)
    return NULL;

  for (guint i = 0; i < self->items->len; i++)
    {
      TrTicketObject *obj = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (tr_ticket_object_get_id (obj), ticket_id) == 0)
        {
          if (position != NULL)
            *position = i;
          return obj;
        }
    }

  return NULL;
}

gboolean
tr_ticket_list_get_keep_cancelled (TrTicketList *self)
{
  g_return_val_if_fail (TR_IS_TICKET_LIST (self), FALSE);

  return self->keep_cancelled;
}

void
tr_ticket_list_set_keep_cancelled (TrTicketList *self, gboolean keep_cancelled)
{
  g_return_if_fail (TR_IS_TICKET_LIST (self));

  keep_cancelled = !!keep_cancelled;
  if (self->keep_cancelled == keep_cancelled)
    return;
  self->keep_cancelled = keep_cancelled;

  /* Letting go drops the cancelled tickets being kept. */
  if (!keep_cancelled)
    for (guint i = self->items->len; i > 0; i--)
      if (tr_ticket_object_get_status (g_ptr_array_index (self->items, i - 1))
          == TR_TICKET_STATUS_CANCELLED)
        remove_at (self, i - 1);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP_CANCELLED]);
}

gboolean
tr_ticket_list_dismiss (TrTicketList *self, const char *ticket_id)
{
  TrTicketObject *obj;
  guint position;

  g_return_val_if_fail (TR_IS_TICKET_LIST (self), FALSE);
  g_return_val_if_fail (ticket_id != NULL, FALSE);

  obj = tr_ticket_list_find (self, ticket_id, &position);
  if (obj == NULL || tr_ticket_object_get_status (obj) != TR_TICKET_STATUS_CANCELLED)
    return FALSE;
  remove_at (self, position);
  return TRUE;
}

gboolean
tr_ticket_list_get_rush_first (TrTicketList *self)
{
  g_return_val_if_fail (TR_IS_TICKET_LIST (self), TRUE);

  return self->rush_first;
}

void
tr_ticket_list_set_rush_first (TrTicketList *self, gboolean rush_first)
{
  g_return_if_fail (TR_IS_TICKET_LIST (self));

  rush_first = !!rush_first;
  if (self->rush_first == rush_first)
    return;
  self->rush_first = rush_first;
  /* A new order for the whole list: one change for every row. */
  if (self->items->len > 0)
    {
      g_ptr_array_sort_with_data (self->items, compare_objects, self);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, self->items->len, self->items->len);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUSH_FIRST]);
}
