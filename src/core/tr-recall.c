/* tr-recall.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-recall"

#include "config.h"

#include "tr-recall.h"

#include "tr-state-machine.h"

/* ---- One ticket ---- */

static gboolean
item_is_bumped (const TrItem *item)
{
  return item->status == TR_ITEM_STATUS_READY || item->status == TR_ITEM_STATUS_SERVED;
}

/* When @item got where it stands: the host stamped it. */
static gint64
item_bumped_at (const TrItem *item)
{
  return item->status == TR_ITEM_STATUS_SERVED ? item->served_at : item->ready_at;
}

static gint64
ticket_bumped_at (const TrTicket *ticket)
{
  gint64 at = 0;
  gboolean any = FALSE;

  if (ticket->status == TR_TICKET_STATUS_CANCELLED)
    return 0;

  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);

      if (!item_is_bumped (item))
        continue;
      any = TRUE;
      at = MAX (at, item_bumped_at (item));
    }

  /* A served ticket is bumped even with no item to say when (all its
   * items voided): its last change was the serving. */
  if (ticket->status == TR_TICKET_STATUS_SERVED && at == 0)
    return ticket->updated_at > 0 ? ticket->updated_at : 1;
  /* Bumped items with no time (a ticket from an older host): listed,
   * oldest of all. */
  if (any && at == 0)
    return 1;
  return at;
}

TrRecall *
tr_recall_new_for_ticket (const TrTicket *ticket)
{
  TrRecall *recall;
  gint64 at;

  g_return_val_if_fail (ticket != NULL, NULL);

  at = ticket_bumped_at (ticket);
  if (at == 0)
    return NULL;

  recall = g_new0 (TrRecall, 1);
  recall->ticket_id = g_strdup (ticket->id);
  recall->number = ticket->number;
  recall->table = g_strdup (ticket->table);
  recall->bumped_at = at;
  return recall;
}

void
tr_recall_free (TrRecall *recall)
{
  if (recall == NULL)
    return;
  g_free (recall->ticket_id);
  g_free (recall->table);
  g_free (recall);
}

int
tr_recall_compare (const TrRecall *a, const TrRecall *b)
{
  if (a->bumped_at != b->bumped_at)
    return a->bumped_at > b->bumped_at ? -1 : 1;
  if (a->number != b->number)
    return a->number > b->number ? -1 : 1;
  return g_strcmp0 (a->ticket_id, b->ticket_id);
}

static gboolean
recall_equal (const TrRecall *a, const TrRecall *b)
{
  return tr_recall_compare (a, b) == 0 && g_strcmp0 (a->table, b->table) == 0;
}

/* ---- What a recall does ---- */

GPtrArray *
tr_recall_build_ops (const TrKitchenScreen *screen, const TrTicket *ticket, const char *station_id,
                     GError **error)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) bumped = g_ptr_array_new ();
  g_autoptr (GPtrArray) own = g_ptr_array_new ();
  const char *station;
  GPtrArray *taken;
  guint n_ready = 0, n_taken_ready = 0;

  g_return_val_if_fail (screen != NULL, NULL);
  g_return_val_if_fail (ticket != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Cancelled after the bump: nothing of it can come back. */
  if (ticket->status == TR_TICKET_STATUS_CANCELLED)
    {
      tr_ticket_transition_check (ticket->status, TR_TICKET_STATUS_READY, error);
      return NULL;
    }

  /* A served ticket's items are closed to item ops (tr_op_apply): it
   * comes back one step, to the pass, items and all. */
  if (ticket->status == TR_TICKET_STATUS_SERVED)
    {
      g_ptr_array_add (
        ops, tr_op_new_set_ticket_status (station_id, ticket->id, TR_TICKET_STATUS_READY));
      return g_steal_pointer (&ops);
    }

  station = screen->role == TR_KITCHEN_ROLE_KITCHEN ? tr_kitchen_screen_get_station_filter (screen)
                                                    : NULL;
  for (guint i = 0; i < ticket->items->len; i++)
    {
      TrItem *item = g_ptr_array_index (ticket->items, i);

      if (item->status == TR_ITEM_STATUS_READY)
        n_ready++;
      if (!item_is_bumped (item))
        continue;
      g_ptr_array_add (bumped, item);
      if (station != NULL && tr_item_is_for_station (item, station))
        g_ptr_array_add (own, item);
    }

  /* A station takes back its own bump; with none on this ticket, the
   * bump it recalls is another station's. */
  taken = own->len > 0 ? own : bumped;
  for (guint i = 0; i < taken->len; i++)
    if (((TrItem *)g_ptr_array_index (taken, i))->status == TR_ITEM_STATUS_READY)
      n_taken_ready++;

  /* The whole ready ticket back: as a ticket op, so that items nobody
   * had started go back to pending (tr_op_apply), not to preparing. */
  if (ticket->status == TR_TICKET_STATUS_READY && n_taken_ready == taken->len
      && n_taken_ready == n_ready && n_ready > 0)
    {
      g_ptr_array_add (
        ops, tr_op_new_set_ticket_status (station_id, ticket->id, TR_TICKET_STATUS_PREPARING));
      return g_steal_pointer (&ops);
    }

  for (guint i = 0; i < taken->len; i++)
    {
      const TrItem *item = g_ptr_array_index (taken, i);
      TrItemStatus back
        = item->status == TR_ITEM_STATUS_SERVED ? TR_ITEM_STATUS_READY : TR_ITEM_STATUS_PREPARING;

      g_ptr_array_add (ops, tr_op_new_set_item_status (station_id, ticket->id, item->id, back));
    }
  return g_steal_pointer (&ops);
}

/* ---- The list ---- */

struct _TrRecallList
{
  /* ticket id (owned by its recall) → TrRecall*, every ticket that
   * stands bumped, in the window or not. */
  GHashTable *all;
  /* The list shown: borrowed from @all, newest first. */
  GPtrArray *shown;
  gint64 now;
};

TrRecallList *
tr_recall_list_new (void)
{
  TrRecallList *self = g_new0 (TrRecallList, 1);

  self->all = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)tr_recall_free);
  self->shown = g_ptr_array_new ();
  return self;
}

void
tr_recall_list_free (TrRecallList *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->shown);
  g_hash_table_unref (self->all);
  g_free (self);
}

static gboolean
in_window (const TrRecall *recall, gint64 now)
{
  return recall->bumped_at > now - TR_RECALL_WINDOW_MS;
}

static int
compare_ptrs (gconstpointer a, gconstpointer b)
{
  return tr_recall_compare (*(const TrRecall *const *)a, *(const TrRecall *const *)b);
}

/* Recomputes the list shown; TRUE when it changed. A recall that did
 * not change keeps its pointer, so comparing pointers is enough. */
static gboolean
reshow (TrRecallList *self)
{
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  gboolean changed;

  g_hash_table_iter_init (&iter, self->all);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (in_window (value, self->now))
      g_ptr_array_add (shown, value);
  g_ptr_array_sort (shown, compare_ptrs);
  if (shown->len > TR_RECALL_MAX)
    g_ptr_array_set_size (shown, TR_RECALL_MAX);

  changed = shown->len != self->shown->len;
  for (guint i = 0; !changed && i < shown->len; i++)
    changed = shown->pdata[i] != self->shown->pdata[i];

  g_ptr_array_unref (self->shown);
  self->shown = g_steal_pointer (&shown);
  return changed;
}

gboolean
tr_recall_list_update (TrRecallList *self, const TrTicket *ticket)
{
  g_autoptr (TrRecall) recall = NULL;
  const TrRecall *old;
  gboolean was_shown = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (ticket != NULL, FALSE);

  recall = tr_recall_new_for_ticket (ticket);
  if (recall == NULL)
    return tr_recall_list_remove (self, ticket->id);

  old = g_hash_table_lookup (self->all, ticket->id);
  if (old != NULL && recall_equal (old, recall))
    return FALSE;
  /* The list shown borrows the old one, which goes: drop it from there
   * first (and a shown one that changed is a change of the list). */
  if (old != NULL)
    was_shown = g_ptr_array_remove (self->shown, (gpointer)old);
  /* The key is the recall's own id: replace, not insert, keeps the
   * key and value together. */
  g_hash_table_replace (self->all, recall->ticket_id, recall);
  g_steal_pointer (&recall);
  return reshow (self) || was_shown;
}

gboolean
tr_recall_list_remove (TrRecallList *self, const char *ticket_id)
{
  gpointer old;
  gboolean was_shown;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (ticket_id != NULL, FALSE);

  if ((old = g_hash_table_lookup (self->all, ticket_id)) == NULL)
    return FALSE;
  /* The list shown borrows it: drop it from there first. */
  was_shown = g_ptr_array_remove (self->shown, old);
  g_hash_table_remove (self->all, ticket_id);
  return reshow (self) || was_shown;
}

void
tr_recall_list_clear (TrRecallList *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->shown, 0);
  g_hash_table_remove_all (self->all);
}

gboolean
tr_recall_list_set_now (TrRecallList *self, gint64 now)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (now == self->now)
    return FALSE;
  self->now = now;
  return reshow (self);
}

guint
tr_recall_list_get_n_recalls (const TrRecallList *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->shown->len;
}

const TrRecall *
tr_recall_list_get (const TrRecallList *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->shown->len, NULL);
  return g_ptr_array_index (self->shown, index);
}

const TrRecall *
tr_recall_list_find (const TrRecallList *self, const char *ticket_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->shown->len; i++)
    if (g_strcmp0 (((const TrRecall *)self->shown->pdata[i])->ticket_id, ticket_id) == 0)
      return self->shown->pdata[i];
  return NULL;
}

static TrRecall *
recall_copy (const TrRecall *recall)
{
  TrRecall *copy = g_new0 (TrRecall, 1);

  copy->ticket_id = g_strdup (recall->ticket_id);
  copy->number = recall->number;
  copy->table = g_strdup (recall->table);
  copy->bumped_at = recall->bumped_at;
  return copy;
}

GPtrArray *
tr_recall_list_build (const GPtrArray *tickets, gint64 now)
{
  g_autoptr (TrRecallList) list = tr_recall_list_new ();
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_recall_free);

  g_return_val_if_fail (tickets != NULL, out);

  tr_recall_list_set_now (list, now);
  for (guint i = 0; i < tickets->len; i++)
    tr_recall_list_update (list, g_ptr_array_index (tickets, i));
  for (guint i = 0; i < tr_recall_list_get_n_recalls (list); i++)
    g_ptr_array_add (out, recall_copy (tr_recall_list_get (list, i)));
  return out;
}
