/* tr-ticket-object.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-ticket-object"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ticket-object.h"

struct _TrTicketObject
{
  GObject parent_instance;
  TrTicket *ticket;
};

G_DEFINE_FINAL_TYPE (TrTicketObject, tr_ticket_object, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TICKET,
  PROP_ID,
  PROP_NUMBER,
  PROP_TITLE,
  PROP_TABLE,
  PROP_DESTINATION,
  PROP_STATUS,
  PROP_STATUS_LABEL,
  PROP_RUSH,
  PROP_SUMMARY,
  PROP_ITEM_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tr_ticket_object_finalize (GObject *object)
{
  TrTicketObject *self = (TrTicketObject *)object;

  g_clear_pointer (&self->ticket, tr_ticket_free);

  G_OBJECT_CLASS (tr_ticket_object_parent_class)->finalize (object);
}

static void
tr_ticket_object_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrTicketObject *self = TR_TICKET_OBJECT (object);

  switch (prop_id)
    {
      case PROP_TICKET:
        g_value_set_boxed (value, self->ticket);
        break;

      case PROP_ID:
        g_value_set_string (value, self->ticket->id);
        break;

      case PROP_NUMBER:
        g_value_set_int (value, self->ticket->number);
        break;

      case PROP_TITLE:
        g_value_take_string (value, tr_ticket_object_dup_title (self));
        break;

      case PROP_TABLE:
        g_value_set_string (value, self->ticket->table);
        break;

      case PROP_DESTINATION:
        g_value_take_string (value, tr_ticket_object_dup_destination (self));
        break;

      case PROP_STATUS:
        g_value_set_string (value, tr_ticket_status_to_string (self->ticket->status));
        break;

      case PROP_STATUS_LABEL:
        g_value_set_string (value, tr_ticket_object_get_status_label (self));
        break;

      case PROP_RUSH:
        g_value_set_boolean (value, tr_ticket_object_get_rush (self));
        break;

      case PROP_SUMMARY:
        g_value_take_string (value, tr_ticket_object_dup_summary (self));
        break;

      case PROP_ITEM_COUNT:
        g_value_set_uint (value, tr_ticket_object_get_item_count (self));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_ticket_object_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  TrTicketObject *self = TR_TICKET_OBJECT (object);

  switch (prop_id)
    {
      case PROP_TICKET:
        g_assert (self->ticket == NULL);
        self->ticket = g_value_dup_boxed (value);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_ticket_object_constructed (GObject *object)
{
  TrTicketObject *self = (TrTicketObject *)object;

  G_OBJECT_CLASS (tr_ticket_object_parent_class)->constructed (object);

  /* Every getter relies on having a ticket. */
  if (self->ticket == NULL)
    self->ticket = tr_ticket_new ();
}

static void
tr_ticket_object_class_init (TrTicketObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tr_ticket_object_finalize;
  object_class->get_property = tr_ticket_object_get_property;
  object_class->set_property = tr_ticket_object_set_property;
  object_class->constructed = tr_ticket_object_constructed;

  properties[PROP_TICKET]
    = g_param_spec_boxed ("ticket", NULL, NULL, TR_TYPE_TICKET,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_NUMBER] = g_param_spec_int ("number", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_TABLE] = g_param_spec_string ("table", NULL, NULL, NULL, ro);
  properties[PROP_DESTINATION] = g_param_spec_string ("destination", NULL, NULL, NULL, ro);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, ro);
  properties[PROP_STATUS_LABEL] = g_param_spec_string ("status-label", NULL, NULL, NULL, ro);
  properties[PROP_RUSH] = g_param_spec_boolean ("rush", NULL, NULL, FALSE, ro);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, ro);
  properties[PROP_ITEM_COUNT] = g_param_spec_uint ("item-count", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tr_ticket_object_init (TrTicketObject *self)
{
}

TrTicketObject *
tr_ticket_object_new (const TrTicket *ticket)
{
  g_return_val_if_fail (ticket != NULL, NULL);

  return g_object_new (TR_TYPE_TICKET_OBJECT, "ticket", ticket, NULL);
}

const TrTicket *
tr_ticket_object_get_ticket (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), NULL);

  return self->ticket;
}

const char *
tr_ticket_object_get_id (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), NULL);

  return self->ticket->id;
}

int
tr_ticket_object_get_number (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), 0);

  return self->ticket->number;
}

TrTicketStatus
tr_ticket_object_get_status (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), TR_TICKET_STATUS_NEW);

  return self->ticket->status;
}

gboolean
tr_ticket_object_get_rush (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), FALSE);

  return self->ticket->priority == TR_PRIORITY_RUSH;
}

gint64
tr_ticket_object_get_created_at (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), 0);

  return self->ticket->created_at;
}

char *
tr_ticket_object_dup_title (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), NULL);

  /* Until the host numbers it, a ticket has only its id to show. */
  if (self->ticket->number <= 0)
    /* Translators: a ticket the host has not numbered yet */
    return g_strdup (_ ("New Ticket"));

  /* Translators: a ticket number as cooks call it out, e.g. "#1042" */
  return g_strdup_printf (_ ("#%d"), self->ticket->number);
}

char *
tr_ticket_object_dup_destination (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), NULL);

  switch (self->ticket->order_type)
    {
      case TR_ORDER_TYPE_DINE_IN:
        if (self->ticket->table != NULL && self->ticket->table[0] != '\0')
          /* Translators: the table a dine-in order goes to */
          return g_strdup_printf (_ ("Table %s"), self->ticket->table);
        return g_strdup (_ ("Dine-In"));

      case TR_ORDER_TYPE_TAKEAWAY:
        return g_strdup (_ ("Takeaway"));

      case TR_ORDER_TYPE_DELIVERY:
        return g_strdup (_ ("Delivery"));

      case TR_ORDER_TYPE_PICKUP:
        return g_strdup (_ ("Pickup"));

      case TR_N_ORDER_TYPES:
      default:
        return g_strdup (_ ("Order"));
    }
}

char *
tr_ticket_object_dup_summary (TrTicketObject *self)
{
  g_autoptr (GString) summary = NULL;

  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), NULL);

  summary = g_string_new (NULL);
  for (guint i = 0; i < self->ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (self->ticket->items, i);

      if (item->status == TR_ITEM_STATUS_VOIDED)
        continue;
      if (summary->len > 0)
        g_string_append (summary, ", ");
      /* Translators: an item's quantity and name, e.g. "2 × Garlic Naan" */
      g_string_append_printf (summary, _ ("%d × %s"), item->quantity, item->name ? item->name : "");
    }

  return g_string_free (g_steal_pointer (&summary), FALSE);
}

guint
tr_ticket_object_get_item_count (TrTicketObject *self)
{
  guint count = 0;

  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), 0);

  for (guint i = 0; i < self->ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (self->ticket->items, i);

      if (item->status != TR_ITEM_STATUS_VOIDED)
        count += (guint)MAX (item->quantity, 0);
    }

  return count;
}

const char *
tr_ticket_object_get_status_label (TrTicketObject *self)
{
  g_return_val_if_fail (TR_IS_TICKET_OBJECT (self), NULL);

  switch (self->ticket->status)
    {
      case TR_TICKET_STATUS_NEW:
        return C_ ("ticket status", "New");
      case TR_TICKET_STATUS_PREPARING:
        return C_ ("ticket status", "Preparing");
      case TR_TICKET_STATUS_READY:
        return C_ ("ticket status", "Ready");
      case TR_TICKET_STATUS_SERVED:
        return C_ ("ticket status", "Served");
      case TR_TICKET_STATUS_CANCELLED:
        return C_ ("ticket status", "Cancelled");
      case TR_TICKET_N_STATUSES:
      default:
        return "";
    }
}
