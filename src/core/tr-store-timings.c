/* tr-store-timings.c: the host's speed-of-service rows, written in the
 * transaction of the event that changes them, and pruned after 90 days
 *
 * What a row means is tr-service-stats.c's; here they are only loaded
 * and saved. A ticket's row is read only when an event touches it (a
 * lookup of pages the ticket's own write just read) and written only
 * when a timestamp moved, and an item's only when its status or route
 * did, so a commit dirties no page for the ops that change nothing here
 * (notes, modifiers, acknowledgements).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

#include "tr-service-stats.h"

/* FALSE with @error when the store failed; *@out_found says whether the
 * ticket has a row (not one created before the timings existed). */
static gboolean
load_timing (TrStore *self, const char *ticket_id, TrTicketTiming *timing, gboolean *out_found,
             GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_TIMING_GET, error);
  TrOrderType order_type = TR_ORDER_TYPE_DINE_IN;
  int rc;

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, ticket_id);
  rc = _tr_store_step_row (self, stmt, "reading a ticket's timings", error);
  if (rc < 0)
    return FALSE;
  *out_found = rc == 1;
  if (rc == 0)
    return TRUE;
  timing->ticket_id = g_strdup (ticket_id);
  timing->number = sqlite3_column_int (stmt, 0);
  timing->table = g_strdup (_tr_store_column_text (stmt, 1));
  tr_order_type_from_string (_tr_store_column_text (stmt, 2), &order_type);
  timing->order_type = order_type;
  timing->created_at = sqlite3_column_int64 (stmt, 3);
  timing->started_at = sqlite3_column_int64 (stmt, 4);
  timing->ready_at = sqlite3_column_int64 (stmt, 5);
  timing->served_at = sqlite3_column_int64 (stmt, 6);
  timing->cancelled_at = sqlite3_column_int64 (stmt, 7);
  timing->recalls = sqlite3_column_int (stmt, 8);
  return TRUE;
}

static gboolean
save_timing (TrStore *self, const TrTicketTiming *timing, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_TIMING_UPSERT, error);

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, timing->ticket_id);
  sqlite3_bind_int (stmt, 2, timing->number);
  _tr_store_bind_text (stmt, 3, timing->table);
  _tr_store_bind_text (stmt, 4, tr_order_type_to_string (timing->order_type));
  sqlite3_bind_int64 (stmt, 5, timing->created_at);
  sqlite3_bind_int64 (stmt, 6, timing->started_at);
  sqlite3_bind_int64 (stmt, 7, timing->ready_at);
  sqlite3_bind_int64 (stmt, 8, timing->served_at);
  sqlite3_bind_int64 (stmt, 9, timing->cancelled_at);
  sqlite3_bind_int (stmt, 10, timing->recalls);
  return _tr_store_step_done (self, stmt, "writing a ticket's timings", error);
}

static gboolean
load_item_timing (TrStore *self, const char *ticket_id, const char *item_id, TrItemTiming *timing,
                  GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_ITEM_TIMING_GET, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, ticket_id);
  _tr_store_bind_text (stmt, 2, item_id);
  rc = _tr_store_step_row (self, stmt, "reading an item's timings", error);
  if (rc < 0)
    return FALSE;
  timing->ticket_id = g_strdup (ticket_id);
  timing->item_id = g_strdup (item_id);
  if (rc == 1)
    {
      timing->station = g_strdup (_tr_store_column_text (stmt, 0));
      timing->added_at = sqlite3_column_int64 (stmt, 1);
      timing->ready_at = sqlite3_column_int64 (stmt, 2);
      timing->voided = sqlite3_column_int (stmt, 3) != 0;
    }
  return TRUE;
}

static gboolean
save_item_timing (TrStore *self, const TrItemTiming *timing, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_ITEM_TIMING_UPSERT, error);

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, timing->ticket_id);
  _tr_store_bind_text (stmt, 2, timing->item_id);
  _tr_store_bind_text (stmt, 3, timing->station);
  sqlite3_bind_int64 (stmt, 4, timing->added_at);
  sqlite3_bind_int64 (stmt, 5, timing->ready_at);
  sqlite3_bind_int (stmt, 6, timing->voided ? 1 : 0);
  return _tr_store_step_done (self, stmt, "writing an item's timings", error);
}

gboolean
_tr_store_record_timings (TrStore *self, const TrTicket *before, const TrTicket *after, gint64 at,
                          GError **error)
{
  g_autoptr (TrTicketTiming) timing = tr_ticket_timing_new ();
  gboolean found = TRUE;

  if (before != NULL && !load_timing (self, after->id, timing, &found, error))
    return FALSE;
  if (!found)
    return TRUE;
  if (tr_ticket_timing_update (timing, before, after, at) && !save_timing (self, timing, error))
    return FALSE;

  for (guint i = 0; i < after->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (after->items, i);
      const TrItem *was = before != NULL ? tr_ticket_find_item (before, item->id) : NULL;
      g_autoptr (TrItemTiming) item_timing = NULL;

      if (was != NULL && was->status == item->status
          && g_strcmp0 (was->station, item->station) == 0)
        continue;
      item_timing = tr_item_timing_new ();
      if (was != NULL && !load_item_timing (self, after->id, item->id, item_timing, error))
        return FALSE;
      if (tr_item_timing_update (item_timing, after->id, was, item, at)
          && !save_item_timing (self, item_timing, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
tr_store_prune_timings (TrStore *self, gint64 before_ms, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  for (TrStoreStatementId id = ST_ITEM_TIMINGS_PRUNE; id <= ST_TIMINGS_PRUNE; id++)
    {
      g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, id, error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, before_ms);
      if (!_tr_store_step_done (self, stmt, "pruning the timings", error))
        goto fail;
    }
  return _tr_store_commit (self, error);

fail:
  _tr_store_rollback (self);
  return FALSE;
}
