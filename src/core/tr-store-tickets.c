/* tr-store-tickets.c: the tickets and items tables and their decoded
 * cache, on both sides: read, write, list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

#include "tr-codec.h"
#include "tr-error.h"

/* Decoded tickets kept in memory; a busy day stays well below this, and
 * past it the cache simply starts over. */
#define CACHE_MAX_TICKETS 8192

/* ---- tickets ---- */

TrTicket *
_tr_store_decode_ticket (TrStore *self, const char *ticket_id, const char *json, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  TrTicket *ticket = tr_ticket_from_string (json, -1, &local_error);

  if (ticket == NULL)
    g_set_error (error, TR_ERROR, TR_ERROR_STORE_CORRUPT,
                 "%s: ticket %s: stored JSON is invalid (%s)", self->path, ticket_id,
                 local_error->message);
  return ticket;
}

void
_tr_store_cache_put (TrStore *self, const char *ticket_id, TrTicket *ticket)
{
  if (g_hash_table_size (self->cache) >= CACHE_MAX_TICKETS
      && !g_hash_table_contains (self->cache, ticket_id))
    g_hash_table_remove_all (self->cache);
  g_hash_table_replace (self->cache, g_strdup (ticket_id), ticket);
}

/* The visible ticket, borrowed from the cache (valid until the next write
 * of that ticket); NULL with @error unset when there is none. */
const TrTicket *
_tr_store_load_visible (TrStore *self, const char *ticket_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TrTicket *ticket;
  int rc;

  if (ticket_id == NULL)
    return NULL;

  /* What another connection committed is not in the cache: read afresh
   * (the entry kept below lives until the next read). */
  if (self->readonly)
    g_hash_table_remove_all (self->cache);
  ticket = g_hash_table_lookup (self->cache, ticket_id);
  if (ticket != NULL)
    return ticket;

  stmt = _tr_store_statement_get (self, ST_TICKET_DATA, error);
  if (stmt == NULL)
    return NULL;
  _tr_store_bind_text (stmt, 1, ticket_id);
  rc = _tr_store_step_row (self, stmt, "reading a ticket", error);
  if (rc <= 0)
    return NULL;

  ticket = _tr_store_decode_ticket (self, ticket_id, _tr_store_column_text (stmt, 0), error);
  if (ticket == NULL)
    return NULL;
  _tr_store_cache_put (self, ticket_id, ticket);
  return ticket;
}

/* The host's version of a ticket on a station (a new TrTicket, or NULL). */
TrTicket *
_tr_store_load_confirmed (TrStore *self, const char *ticket_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_TICKET_CONFIRMED, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  _tr_store_bind_text (stmt, 1, ticket_id);
  rc = _tr_store_step_row (self, stmt, "reading a ticket", error);
  if (rc <= 0 || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return NULL;
  return _tr_store_decode_ticket (self, ticket_id, _tr_store_column_text (stmt, 0), error);
}

static gboolean
item_row_equal (const TrItem *a, guint a_position, const TrItem *b, guint b_position)
{
  return a_position == b_position && a->quantity == b->quantity && a->status == b->status
         && g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->station, b->station) == 0;
}

static int
find_item_position (const TrTicket *ticket, const char *item_id)
{
  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);

      if (g_strcmp0 (item->id, item_id) == 0)
        return (int)i;
    }
  return -1;
}

/* Brings the items rows of @ticket from @old to @ticket, touching only
 * the rows whose content differs. */
static gboolean
write_items (TrStore *self, const TrTicket *old, const TrTicket *ticket, GError **error)
{
  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);
      g_autoptr (sqlite3_stmt) stmt = NULL;

      if (old != NULL)
        {
          int old_position;

          /* Items keep their place, so look there first. */
          if (i < old->items->len
              && g_strcmp0 (((const TrItem *)g_ptr_array_index (old->items, i))->id, item->id) == 0)
            old_position = (int)i;
          else
            old_position = find_item_position (old, item->id);

          if (old_position >= 0
              && item_row_equal (g_ptr_array_index (old->items, old_position), old_position, item,
                                 i))
            continue;
        }

      stmt = _tr_store_statement_get (self, ST_ITEM_UPSERT, error);
      if (stmt == NULL)
        return FALSE;
      _tr_store_bind_text (stmt, 1, ticket->id);
      _tr_store_bind_text (stmt, 2, item->id);
      sqlite3_bind_int (stmt, 3, (int)i);
      _tr_store_bind_text (stmt, 4, item->name);
      sqlite3_bind_int (stmt, 5, item->quantity);
      _tr_store_bind_text (stmt, 6, item->station);
      _tr_store_bind_text (stmt, 7, tr_item_status_to_string (item->status));
      if (!_tr_store_step_done (self, stmt, "writing an item", error))
        return FALSE;
    }

  if (old == NULL)
    return TRUE;

  /* Items vanish only when a rebase drops a local amendment. */
  for (guint i = 0; i < old->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (old->items, i);
      g_autoptr (sqlite3_stmt) stmt = NULL;

      if (find_item_position (ticket, item->id) >= 0)
        continue;

      stmt = _tr_store_statement_get (self, ST_ITEM_DELETE, error);
      if (stmt == NULL)
        return FALSE;
      _tr_store_bind_text (stmt, 1, ticket->id);
      _tr_store_bind_text (stmt, 2, item->id);
      if (!_tr_store_step_done (self, stmt, "deleting an item", error))
        return FALSE;
    }
  return TRUE;
}

/* Makes @ticket (NULL: none) the visible state of @ticket_id. @old is the
 * current visible ticket (borrowed from the cache, so it is only used
 * before the cache is updated). @ticket_json, when given, is @ticket's
 * canonical JSON. Takes @ticket. */
gboolean
_tr_store_write_ticket (TrStore *self, const char *ticket_id, const TrTicket *old, TrTicket *ticket,
                        const char *ticket_json, TrStoreConfirmedMode confirmed_mode,
                        const char *confirmed_json, TrStoreChanges *changes, GError **error)
{
  g_autoptr (TrTicket) owned = ticket;
  g_autofree char *json = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (owned == NULL)
    {
      if (old == NULL)
        return TRUE;

      /* Its item rows go with it (ON DELETE CASCADE). */
      stmt = _tr_store_statement_get (self, ST_TICKET_DELETE, error);
      if (stmt == NULL)
        return FALSE;
      _tr_store_bind_text (stmt, 1, ticket_id);
      if (!_tr_store_step_done (self, stmt, "deleting a ticket", error))
        return FALSE;
      g_hash_table_remove (self->cache, ticket_id);
      _tr_store_changes_add (changes, ticket_id);
      return TRUE;
    }

  g_assert (g_strcmp0 (owned->id, ticket_id) == 0);

  if (ticket_json == NULL)
    ticket_json = json = tr_ticket_to_string (owned);

  if (old != NULL && old->created_at == owned->created_at)
    stmt = _tr_store_statement_get (
      self, confirmed_mode == CONFIRMED_SET ? ST_TICKET_UPDATE_BOTH : ST_TICKET_UPDATE_VISIBLE,
      error);
  else
    stmt = _tr_store_statement_get (
      self, confirmed_mode == CONFIRMED_SET ? ST_TICKET_UPSERT_BOTH : ST_TICKET_UPSERT_VISIBLE,
      error);
  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, owned->id);
  sqlite3_bind_int (stmt, 2, owned->number);
  _tr_store_bind_text (stmt, 3, tr_ticket_status_to_string (owned->status));
  sqlite3_bind_int64 (stmt, 4, owned->created_at);
  sqlite3_bind_int64 (stmt, 5, owned->updated_at);
  sqlite3_bind_int64 (stmt, 6, owned->version);
  _tr_store_bind_text (stmt, 7, ticket_json);
  if (confirmed_mode == CONFIRMED_SET)
    _tr_store_bind_text (stmt, 8, confirmed_json);
  if (!_tr_store_step_done (self, stmt, "writing a ticket", error))
    return FALSE;

  if (!write_items (self, old, owned, error))
    return FALSE;

  if (!tr_ticket_equal (old, owned))
    _tr_store_changes_add (changes, ticket_id);
  /* This frees @old when it was cached: nothing uses it past here. */
  _tr_store_cache_put (self, ticket_id, g_steal_pointer (&owned));
  return TRUE;
}

/* ---- both sides ---- */

/* @which: ST_TICKETS_ALL, _OPEN, or _RECENT with @since. */
static GPtrArray *
list_tickets (TrStore *self, int which, gint64 since, gint64 *out_seq, GError **error)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 head_seq = 0;
  gint64 last_seq = 0;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->readonly)
    g_hash_table_remove_all (self->cache);
  if (!_tr_store_run_cached (self, ST_BEGIN_READ, "starting a read", error))
    return NULL;

  if (out_seq != NULL
      && (!_tr_store_head_seq_read (self, &head_seq, error)
          || !_tr_store_meta_get_int (self, "last_seq", &last_seq, error)))
    goto fail;

  stmt = _tr_store_statement_get (self, which, error);
  if (stmt == NULL)
    goto fail;
  if (which == ST_TICKETS_RECENT)
    sqlite3_bind_int64 (stmt, 1, since);

  while ((rc = _tr_store_step_row (self, stmt, "listing tickets", error)) == 1)
    {
      const char *id = _tr_store_column_text (stmt, 0);
      const TrTicket *cached = g_hash_table_lookup (self->cache, id);
      TrTicket *ticket;

      if (cached != NULL)
        {
          ticket = tr_ticket_copy (cached);
        }
      else
        {
          ticket = _tr_store_decode_ticket (self, id, _tr_store_column_text (stmt, 1), error);
          if (ticket == NULL)
            goto fail;
          _tr_store_cache_put (self, id, tr_ticket_copy (ticket));
        }
      g_ptr_array_add (tickets, ticket);
    }
  if (rc < 0)
    goto fail;
  g_clear_pointer (&stmt, _tr_store_statement_release);
  _tr_store_end_read (self);

  /* A host has applied events; a station only follows them. */
  if (out_seq != NULL)
    *out_seq = head_seq > 0 ? head_seq : last_seq;
  return g_steal_pointer (&tickets);

fail:
  g_clear_pointer (&stmt, _tr_store_statement_release);
  _tr_store_end_read (self);
  return NULL;
}

GPtrArray *
tr_store_list_tickets (TrStore *self, gboolean open_only, gint64 *out_seq, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return list_tickets (self, open_only ? ST_TICKETS_OPEN : ST_TICKETS_ALL, 0, out_seq, error);
}

GPtrArray *
tr_store_list_recent_tickets (TrStore *self, gint64 since, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return list_tickets (self, ST_TICKETS_RECENT, since, NULL, error);
}

TrTicket *
tr_store_get_ticket (TrStore *self, const char *ticket_id, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  const TrTicket *ticket;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (ticket_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ticket = _tr_store_load_visible (self, ticket_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return ticket != NULL ? tr_ticket_copy (ticket) : NULL;
}
