/* tr-store-links.c: the host's connection history, one row per link
 *
 * What the rows say is tr-link-history.c's; here they are only written
 * and pruned. The host batches them (tr-host-links.c): a reconnect storm
 * of 500 stations is one transaction, one fsync, not 500.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

static gboolean
save_link (TrStore *self, const TrLink *link, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (link->disconnected_at != 0)
    {
      if (!(stmt = _tr_store_statement_get (self, ST_LINK_CLOSE, error)))
        return FALSE;
      _tr_store_bind_text (stmt, 1, link->station_id);
      sqlite3_bind_int64 (stmt, 2, link->connected_at);
      sqlite3_bind_int64 (stmt, 3, link->disconnected_at);
      sqlite3_bind_int (stmt, 4, link->close_code);
      _tr_store_bind_text (stmt, 5, link->close_reason);
      if (!_tr_store_step_done (self, stmt, "ending a station's link", error))
        return FALSE;
      if (sqlite3_changes (self->db) > 0)
        return TRUE;
      /* It came and went between two batches: add it whole. */
      g_clear_pointer (&stmt, _tr_store_statement_release);
    }
  if (!(stmt = _tr_store_statement_get (self, ST_LINK_INSERT, error)))
    return FALSE;
  _tr_store_bind_text (stmt, 1, link->station_id);
  _tr_store_bind_text (stmt, 2, link->transport != NULL ? link->transport : "websocket");
  sqlite3_bind_int64 (stmt, 3, link->connected_at);
  if (link->disconnected_at != 0)
    sqlite3_bind_int64 (stmt, 4, link->disconnected_at);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int (stmt, 5, link->close_code);
  _tr_store_bind_text (stmt, 6, link->close_reason);
  return _tr_store_step_done (self, stmt, "adding a station's link", error);
}

gboolean
tr_store_save_links (TrStore *self, GPtrArray *links, gint64 alive_at, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (links != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (links->len == 0 && alive_at == 0)
    return TRUE;
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  for (guint i = 0; i < links->len; i++)
    if (!save_link (self, g_ptr_array_index (links, i), error))
      goto fail;
  if (alive_at != 0)
    {
      g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_LINKS_ALIVE, error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, alive_at);
      if (!_tr_store_step_done (self, stmt, "marking the links alive", error))
        goto fail;
    }
  return _tr_store_commit (self, error);

fail:
  _tr_store_rollback (self);
  return FALSE;
}

gboolean
tr_store_links_close_dangling (TrStore *self, const char *reason, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  if (!(stmt = _tr_store_statement_get (self, ST_LINKS_CLOSE_DANGLING, error)))
    goto fail;
  _tr_store_bind_text (stmt, 1, reason);
  if (!_tr_store_step_done (self, stmt, "ending the links a host left open", error))
    goto fail;
  g_clear_pointer (&stmt, _tr_store_statement_release);
  return _tr_store_commit (self, error);

fail:
  g_clear_pointer (&stmt, _tr_store_statement_release);
  _tr_store_rollback (self);
  return FALSE;
}

gboolean
tr_store_prune_links (TrStore *self, gint64 before_ms, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _tr_store_statement_get (self, ST_LINKS_PRUNE, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before_ms);
  return _tr_store_step_done (self, stmt, "pruning the connection history", error);
}
