/* tr-kitchen-rules.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-kitchen-rules"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tr-kitchen-rules.h"

#include "tr-error.h"
#include "tr-state-machine.h"

/* ---- What belongs to a station ---- */

gboolean
tr_item_is_for_station (const TrItem *item, const char *station)
{
  g_return_val_if_fail (item != NULL, FALSE);

  /* An item routed nowhere in particular is every station's business. */
  if (station == NULL || *station == '\0' || item->station == NULL || *item->station == '\0')
    return TRUE;
  return g_ascii_strcasecmp (item->station, station) == 0;
}

gint64
tr_ticket_last_change_at (const TrTicket *ticket)
{
  gint64 last = 0;

  g_return_val_if_fail (ticket != NULL, 0);

  for (guint i = 0; i < ticket->changes->len; i++)
    last = MAX (last, ((const TrChange *)g_ptr_array_index (ticket->changes, i))->at);
  return last;
}

gboolean
tr_change_is_for_station (const TrTicket *ticket, const TrChange *change, const char *station)
{
  const TrItem *item;

  g_return_val_if_fail (ticket != NULL, FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  if (change->item_id == NULL)
    return TRUE;
  item = tr_ticket_find_item (ticket, change->item_id);
  return item == NULL || tr_item_is_for_station (item, station);
}

gboolean
tr_ticket_has_changes_for (const TrTicket *ticket, const char *station, gint64 acked_at)
{
  g_return_val_if_fail (ticket != NULL, FALSE);

  for (guint i = 0; i < ticket->changes->len; i++)
    {
      const TrChange *change = g_ptr_array_index (ticket->changes, i);

      if (change->at > acked_at && tr_change_is_for_station (ticket, change, station))
        return TRUE;
    }
  return FALSE;
}

static gboolean
item_is_unfinished (const TrItem *item)
{
  return item->status == TR_ITEM_STATUS_PENDING || item->status == TR_ITEM_STATUS_PREPARING;
}

/* ---- The screen ---- */

/* A rush is what the pass is waiting on, so with @rush_first it goes
 * before every normal ticket whatever its age. */
int
tr_kitchen_compare_tickets (const TrTicket *a, const TrTicket *b, gboolean rush_first)
{
  g_return_val_if_fail (a != NULL && b != NULL, 0);

  if (rush_first && (a->priority == TR_PRIORITY_RUSH) != (b->priority == TR_PRIORITY_RUSH))
    return a->priority == TR_PRIORITY_RUSH ? -1 : 1;
  if (a->created_at != b->created_at)
    return a->created_at < b->created_at ? -1 : 1;
  if (a->number != b->number)
    return a->number < b->number ? -1 : 1;
  return g_strcmp0 (a->id, b->id);
}

TrKitchenRole
tr_kitchen_role_from_string (const char *role)
{
  /* The front of house watching the kitchen screen stands at the pass. */
  if (g_strcmp0 (role, "expo") == 0 || g_strcmp0 (role, "foh") == 0)
    return TR_KITCHEN_ROLE_EXPO;
  return TR_KITCHEN_ROLE_KITCHEN;
}

const char *
tr_kitchen_screen_get_station_filter (const TrKitchenScreen *screen)
{
  g_return_val_if_fail (screen != NULL, NULL);

  if (screen->role == TR_KITCHEN_ROLE_EXPO || screen->station == NULL || *screen->station == '\0')
    return NULL;
  return screen->station;
}

gboolean
tr_kitchen_screen_shows_ticket (const TrKitchenScreen *screen, const TrTicket *ticket,
                                gint64 acked_at)
{
  const char *station;
  gboolean has_station_items = FALSE;
  gboolean has_work = FALSE;

  g_return_val_if_fail (screen != NULL, FALSE);
  g_return_val_if_fail (ticket != NULL, FALSE);

  station = tr_kitchen_screen_get_station_filter (screen);
  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);

      if (!tr_item_is_for_station (item, station))
        continue;
      has_station_items = TRUE;
      if (item_is_unfinished (item))
        has_work = TRUE;
    }

  if (!has_station_items)
    return FALSE;

  /* Kept until a cook dismisses it (the view's list only keeps ones
   * that were on screen). */
  if (ticket->status == TR_TICKET_STATUS_CANCELLED)
    return TRUE;

  /* A change nobody acknowledged stays in sight, even a void that left
   * the station nothing to cook. */
  if (tr_ticket_has_changes_for (ticket, station, acked_at))
    return TRUE;

  if (screen->role == TR_KITCHEN_ROLE_EXPO)
    return ticket->status == TR_TICKET_STATUS_NEW || ticket->status == TR_TICKET_STATUS_PREPARING
           || ticket->status == TR_TICKET_STATUS_READY;

  return has_work;
}

void
tr_all_day_entry_free (TrAllDayEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry);
}

static int
compare_all_day (gconstpointer a, gconstpointer b)
{
  const TrAllDayEntry *ea = *(TrAllDayEntry *const *)a;
  const TrAllDayEntry *eb = *(TrAllDayEntry *const *)b;

  if (ea->count != eb->count)
    return ea->count > eb->count ? -1 : 1;
  return g_utf8_collate (ea->name, eb->name);
}

GPtrArray *
tr_kitchen_screen_count_all_day (const TrKitchenScreen *screen, const GPtrArray *tickets)
{
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_all_day_entry_free);
  const char *station;

  g_return_val_if_fail (screen != NULL, entries);
  g_return_val_if_fail (tickets != NULL, entries);

  station = tr_kitchen_screen_get_station_filter (screen);
  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);

      if (ticket->status == TR_TICKET_STATUS_CANCELLED)
        continue;
      for (guint j = 0; j < ticket->items->len; j++)
        {
          const TrItem *item = g_ptr_array_index (ticket->items, j);
          TrAllDayEntry *entry;

          /* What is still to make: what a cook calls "all day". */
          if (!tr_item_is_for_station (item, station) || !item_is_unfinished (item))
            continue;
          entry = g_hash_table_lookup (counts, item->name);
          if (entry == NULL)
            {
              entry = g_new0 (TrAllDayEntry, 1);
              entry->name = g_strdup (item->name);
              g_ptr_array_add (entries, entry);
              g_hash_table_insert (counts, entry->name, entry);
            }
          entry->count += (guint)MAX (item->quantity, 0);
        }
    }

  g_ptr_array_sort (entries, compare_all_day);
  return entries;
}

/* ---- Gestures ---- */

static GPtrArray *
new_op_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
}

GPtrArray *
tr_kitchen_rules_bump (const TrKitchenScreen *screen, const TrTicket *ticket,
                       const char *station_id, TrBumpAction *action, GError **error)
{
  g_autoptr (GPtrArray) ops = new_op_array ();
  const char *station;

  g_return_val_if_fail (screen != NULL, NULL);
  g_return_val_if_fail (ticket != NULL, NULL);
  g_return_val_if_fail (action != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *action = TR_BUMP_SUBMIT;
  station = tr_kitchen_screen_get_station_filter (screen);

  if (ticket->status == TR_TICKET_STATUS_CANCELLED)
    {
      *action = TR_BUMP_DISMISS;
      return g_steal_pointer (&ops);
    }

  if (screen->role == TR_KITCHEN_ROLE_EXPO)
    {
      /* The pass serves; a ticket the kitchen has not finished is ready
       * the moment the expo sends it. Served already is no bump. */
      if (ticket->status == TR_TICKET_STATUS_NEW || ticket->status == TR_TICKET_STATUS_PREPARING)
        g_ptr_array_add (
          ops, tr_op_new_set_ticket_status (station_id, ticket->id, TR_TICKET_STATUS_READY));
      else if (ticket->status != TR_TICKET_STATUS_READY)
        {
          tr_ticket_transition_check (ticket->status, TR_TICKET_STATUS_SERVED, error);
          return NULL;
        }
      g_ptr_array_add (
        ops, tr_op_new_set_ticket_status (station_id, ticket->id, TR_TICKET_STATUS_SERVED));
    }
  else if (station != NULL)
    {
      /* A station readies its own items; the ticket follows when the
       * last station is done (tr_op_apply's derived rules). */
      for (guint i = 0; i < ticket->items->len; i++)
        {
          const TrItem *item = g_ptr_array_index (ticket->items, i);

          if (tr_item_is_for_station (item, station) && item_is_unfinished (item))
            g_ptr_array_add (ops, tr_op_new_set_item_status (station_id, ticket->id, item->id,
                                                             TR_ITEM_STATUS_READY));
        }
    }
  else if (ticket->status == TR_TICKET_STATUS_NEW || ticket->status == TR_TICKET_STATUS_PREPARING)
    g_ptr_array_add (ops,
                     tr_op_new_set_ticket_status (station_id, ticket->id, TR_TICKET_STATUS_READY));

  /* Only a modified ticket with nothing left to make is on a kitchen
   * screen with nothing to bump: bumping it is acknowledging it. */
  if (ops->len == 0)
    *action = TR_BUMP_ACKNOWLEDGE;
  return g_steal_pointer (&ops);
}

TrOp *
tr_kitchen_rules_tap_item (const TrKitchenScreen *screen, const TrTicket *ticket,
                           const char *item_id, const char *station_id, GError **error)
{
  const TrItem *item;
  TrItemStatus next;

  g_return_val_if_fail (screen != NULL, NULL);
  g_return_val_if_fail (ticket != NULL, NULL);
  g_return_val_if_fail (item_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  item = tr_ticket_find_item (ticket, item_id);
  if (item == NULL)
    {
      /* Translators: keep the field name, item_id, as it is; the first %s
       * is an item id, the second a ticket id */
      g_set_error (error, TR_ERROR, TR_ERROR_UNKNOWN_ITEM, _ ("item_id: no item %s on ticket %s"),
                   item_id, ticket->id);
      return NULL;
    }

  switch (item->status)
    {
      case TR_ITEM_STATUS_PENDING:
        next = TR_ITEM_STATUS_PREPARING;
        break;
      case TR_ITEM_STATUS_PREPARING:
        next = TR_ITEM_STATUS_READY;
        break;
      case TR_ITEM_STATUS_READY:
        /* A second tap on a finished line takes back a mis-tap. */
        next = TR_ITEM_STATUS_PREPARING;
        break;
      case TR_ITEM_STATUS_SERVED:
      case TR_ITEM_STATUS_VOIDED:
      case TR_ITEM_N_STATUSES:
      default:
        /* Gone from the kitchen: a tap has no step to take, and says
         * so in the state machine's words. */
        tr_item_transition_check (item->status, item->status, error);
        return NULL;
    }

  return tr_op_new_set_item_status (station_id, ticket->id, item->id, next);
}
