/* tr-host-settings.c: writes that are not ops (the menu), through the
 * host's one writer
 *
 * The host's store belongs to its writer thread (tr-host-writer.c), so a
 * setting the app changes is queued there like a commit, behind every
 * write before it, and the caller hears back on its own context once it
 * is durable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-host"

#include "config.h"

#include "tr-host-private.h"
#include "tr-store-training.h"

static gboolean
write_menu (TrStore *store, gpointer data, GError **error)
{
  return tr_store_set_menu (store, data, error);
}

void
tr_host_save_menu_async (TrHost *self, const char *menu_json, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (TR_IS_HOST (self));

  _tr_host_write_async (self, write_menu, g_strdup (menu_json), g_free, cancellable, callback,
                        user_data);
  /* Read behind that write: the standby gets the new menu. */
  _tr_host_standby_push_state (self);
}

gboolean
tr_host_save_menu_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TR_IS_HOST (self), FALSE);

  return _tr_host_write_finish (self, result, error);
}

static gboolean
clear_tickets (TrStore *store, gpointer data, GError **error)
{
  return tr_store_clear_tickets (store, error);
}

void
tr_host_clear_tickets_async (TrHost *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (TR_IS_HOST (self));

  _tr_host_write_async (self, clear_tickets, NULL, NULL, cancellable, callback, user_data);
}

gboolean
tr_host_clear_tickets_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TR_IS_HOST (self), FALSE);

  return _tr_host_write_finish (self, result, error);
}
