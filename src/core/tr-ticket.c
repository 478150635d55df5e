/* tr-ticket.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-ticket"

#include "tr-ticket.h"

#include <string.h>

#define DEFINE_ENUM_STRINGS(prefix, Type, n_values, ...)                              \
  static const char *const prefix##_names[] = { __VA_ARGS__ };                        \
  G_STATIC_ASSERT (G_N_ELEMENTS (prefix##_names) == n_values);                        \
  const char *prefix##_to_string (Type value)                                         \
  {                                                                                   \
    if ((guint) value < G_N_ELEMENTS (prefix##_names))                                \
      return prefix##_names[value];                                                   \
    return NULL;                                                                      \
  }                                                                                   \
  gboolean prefix##_from_string (const char *str, Type *out)                          \
  {                                                                                   \
    if (str == NULL)                                                                  \
      return FALSE;                                                                   \
    for (guint i = 0; i < G_N_ELEMENTS (prefix##_names); i++)                         \
      if (strcmp (str, prefix##_names[i]) == 0)                                       \
        {                                                                             \
          if (out)                                                                    \
            *out = (Type) i;                                                          \
          return TRUE;                                                                \
        }                                                                             \
    return FALSE;                                                                     \
  }

DEFINE_ENUM_STRINGS (tr_ticket_status, TrTicketStatus, TR_TICKET_N_STATUSES,
                     "new", "preparing", "ready", "served", "cancelled")
DEFINE_ENUM_STRINGS (tr_item_status, TrItemStatus, TR_ITEM_N_STATUSES,
                     "pending", "preparing", "ready", "served", "voided")
DEFINE_ENUM_STRINGS (tr_source, TrTicketSource, TR_N_SOURCES, "pos", "app", "web")
DEFINE_ENUM_STRINGS (tr_order_type, TrOrderType, TR_N_ORDER_TYPES,
                     "dine_in", "takeaway", "delivery", "pickup")
DEFINE_ENUM_STRINGS (tr_priority, TrPriority, TR_N_PRIORITIES, "normal", "rush")
DEFINE_ENUM_STRINGS (tr_change_kind, TrChangeKind, TR_N_CHANGE_KINDS,
                     "item_added", "item_voided", "quantity", "modifiers", "item_note",
                     "table", "note", "priority")

G_DEFINE_BOXED_TYPE (TrItem, tr_item, tr_item_copy, tr_item_free)
G_DEFINE_BOXED_TYPE (TrChange, tr_change, tr_change_copy, tr_change_free)
G_DEFINE_BOXED_TYPE (TrTicket, tr_ticket, tr_ticket_copy, tr_ticket_free)

static GStrv
empty_strv (void)
{
  return g_new0 (char *, 1);
}

static gboolean
strv_equal0 (const char *const *a, const char *const *b)
{
  return g_strv_equal (a, b);
}

TrItem *
tr_item_new (void)
{
  TrItem *item = g_new0 (TrItem, 1);

  item->quantity = 1;
  item->modifiers = empty_strv ();
  item->allergens = empty_strv ();
  item->status = TR_ITEM_STATUS_PENDING;
  item->recall_status = TR_ITEM_STATUS_PENDING;
  return item;
}

TrItem *
tr_item_copy (const TrItem *item)
{
  TrItem *copy;

  g_return_val_if_fail (item != NULL, NULL);

  copy = g_memdup2 (item, sizeof *item);
  copy->id = g_strdup (item->id);
  copy->name = g_strdup (item->name);
  copy->modifiers = item->modifiers ? g_strdupv (item->modifiers) : empty_strv ();
  copy->note = g_strdup (item->note);
  copy->allergens = item->allergens ? g_strdupv (item->allergens) : empty_strv ();
  copy->station = g_strdup (item->station);
  return copy;
}

void
tr_item_free (TrItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->name);
  g_strfreev (item->modifiers);
  g_free (item->note);
  g_strfreev (item->allergens);
  g_free (item->station);
  g_free (item);
}

gboolean
tr_item_equal (const TrItem *a, const TrItem *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  return g_strcmp0 (a->id, b->id) == 0 && g_strcmp0 (a->name, b->name) == 0 &&
         a->quantity == b->quantity && strv_equal0 ((const char *const *) a->modifiers,
                                                    (const char *const *) b->modifiers) &&
         g_strcmp0 (a->note, b->note) == 0 &&
         strv_equal0 ((const char *const *) a->allergens, (const char *const *) b->allergens) &&
         g_strcmp0 (a->station, b->station) == 0 && a->course == b->course &&
         a->status == b->status && a->recall_status == b->recall_status &&
         a->ready_at == b->ready_at && a->served_at == b->served_at;
}

TrChange *
tr_change_new (TrChangeKind kind, gint64 at, const char *item_id, const char *before,
               const char *after)
{
  TrChange *change = g_new0 (TrChange, 1);

  change->kind = kind;
  change->at = at;
  change->item_id = g_strdup (item_id);
  change->before = g_strdup (before);
  change->after = g_strdup (after);
  return change;
}

TrChange *
tr_change_copy (const TrChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);
  return tr_change_new (change->kind, change->at, change->item_id, change->before, change->after);
}

void
tr_change_free (TrChange *change)
{
  if (change == NULL)
    return;
  g_free (change->item_id);
  g_free (change->before);
  g_free (change->after);
  g_free (change);
}

static gboolean
change_equal (const TrChange *a, const TrChange *b)
{
  return a->kind == b->kind && a->at == b->at && g_strcmp0 (a->item_id, b->item_id) == 0 &&
         g_strcmp0 (a->before, b->before) == 0 && g_strcmp0 (a->after, b->after) == 0;
}

TrTicket *
tr_ticket_new (void)
{
  TrTicket *ticket = g_new0 (TrTicket, 1);

  ticket->source = TR_SOURCE_APP;
  ticket->order_type = TR_ORDER_TYPE_DINE_IN;
  ticket->priority = TR_PRIORITY_NORMAL;
  ticket->status = TR_TICKET_STATUS_NEW;
  ticket->recall_status = TR_TICKET_STATUS_NEW;
  ticket->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tr_item_free);
  ticket->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) tr_change_free);
  return ticket;
}

TrTicket *
tr_ticket_copy (const TrTicket *ticket)
{
  TrTicket *copy;

  g_return_val_if_fail (ticket != NULL, NULL);

  copy = g_memdup2 (ticket, sizeof *ticket);
  copy->id = g_strdup (ticket->id);
  copy->external_ref = g_strdup (ticket->external_ref);
  copy->table = g_strdup (ticket->table);
  copy->server = g_strdup (ticket->server);
  copy->note = g_strdup (ticket->note);
  copy->items = g_ptr_array_new_full (ticket->items->len, (GDestroyNotify) tr_item_free);
  for (guint i = 0; i < ticket->items->len; i++)
    g_ptr_array_add (copy->items, tr_item_copy (g_ptr_array_index (ticket->items, i)));
  copy->changes = g_ptr_array_new_full (ticket->changes->len, (GDestroyNotify) tr_change_free);
  for (guint i = 0; i < ticket->changes->len; i++)
    g_ptr_array_add (copy->changes, tr_change_copy (g_ptr_array_index (ticket->changes, i)));
  return copy;
}

void
tr_ticket_free (TrTicket *ticket)
{
  if (ticket == NULL)
    return;
  g_free (ticket->id);
  g_free (ticket->external_ref);
  g_free (ticket->table);
  g_free (ticket->server);
  g_free (ticket->note);
  g_clear_pointer (&ticket->items, g_ptr_array_unref);
  g_clear_pointer (&ticket->changes, g_ptr_array_unref);
  g_free (ticket);
}

gboolean
tr_ticket_equal (const TrTicket *a, const TrTicket *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  if (g_strcmp0 (a->id, b->id) != 0 || a->number != b->number || a->source != b->source ||
      g_strcmp0 (a->external_ref, b->external_ref) != 0 || g_strcmp0 (a->table, b->table) != 0 ||
      a->order_type != b->order_type || g_strcmp0 (a->server, b->server) != 0 ||
      a->guests != b->guests || g_strcmp0 (a->note, b->note) != 0 || a->priority != b->priority ||
      a->created_at != b->created_at || a->updated_at != b->updated_at || a->status != b->status ||
      a->recall_status != b->recall_status || a->version != b->version ||
      a->items->len != b->items->len || a->changes->len != b->changes->len)
    return FALSE;
  for (guint i = 0; i < a->items->len; i++)
    if (!tr_item_equal (g_ptr_array_index (a->items, i), g_ptr_array_index (b->items, i)))
      return FALSE;
  for (guint i = 0; i < a->changes->len; i++)
    if (!change_equal (g_ptr_array_index (a->changes, i), g_ptr_array_index (b->changes, i)))
      return FALSE;
  return TRUE;
}

TrItem *
tr_ticket_find_item (const TrTicket *ticket, const char *item_id)
{
  g_return_val_if_fail (ticket != NULL, NULL);

  if (item_id == NULL)
    return NULL;
  for (guint i = 0; i < ticket->items->len; i++)
    {
      TrItem *item = g_ptr_array_index (ticket->items, i);
      if (g_strcmp0 (item->id, item_id) == 0)
        return item;
    }
  return NULL;
}

gboolean
tr_ticket_is_open (const TrTicket *ticket)
{
  g_return_val_if_fail (ticket != NULL, FALSE);
  return ticket->status == TR_TICKET_STATUS_NEW || ticket->status == TR_TICKET_STATUS_PREPARING ||
         ticket->status == TR_TICKET_STATUS_READY;
}

char *
tr_uuid_new (void)
{
  return g_uuid_string_random ();
}

gint64
tr_now_ms (void)
{
  return g_get_real_time () / 1000;
}
