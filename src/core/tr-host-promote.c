/* tr-host-promote.c: the host's part in making a native station its
 * standby, and in telling stations where the standby would serve
 * (issue 17, docs/protocol.md "Standby and failover")
 *
 * The host monitor picks a connected station; the host sends that
 * station alone, on its authenticated connection, a one-time pairing
 * code (a standby_invite frame). The station's app pairs with it as a
 * standby (role "standby") and keeps a copy beside its own cache
 * (tr-station-standby.c). Every pong then names the standby's address,
 * which stations keep as their fallback host after a promotion.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include <string.h>

#include "tr-host-private.h"

#include "tr-error.h"
#include "tr-protocol.h"

static GQuark
invited_quark (void)
{
  return g_quark_from_static_string ("tr-host-standby-invited");
}

static Connection *
find_station_connection (TrHost *self, const char *station_id)
{
  for (guint i = self->connections->len; i > 0; i--)
    {
      Connection *conn = g_ptr_array_index (self->connections, i - 1);

      /* Its hello passed the token check: an authenticated connection. */
      if (conn->hello_done && !conn->closing && !conn->standby
          && g_strcmp0 (conn->station_id, station_id) == 0)
        return conn;
    }
  return NULL;
}

gboolean
tr_host_invite_standby (TrHost *self, const char *station_id, GError **error)
{
  g_autofree char *code = NULL;
  g_autofree char *frame = NULL;
  Connection *conn;

  g_return_val_if_fail (TR_IS_HOST (self), FALSE);
  g_return_val_if_fail (station_id != NULL, FALSE);

  if (!(conn = find_station_connection (self, station_id)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "station %s is not connected", station_id);
      return FALSE;
    }
  if (!(code = tr_host_new_pairing_code (self, NULL, error)))
    return FALSE;
  frame = tr_frame_build_standby_invite (code);
  _tr_host_connection_send (conn, frame);
  g_object_set_qdata_full (G_OBJECT (self), invited_quark (), g_strdup (station_id), g_free);
  g_message ("Asked station %s to be the standby", station_id);
  return TRUE;
}

const char *
tr_host_get_standby_invited (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  return g_object_get_qdata (G_OBJECT (self), invited_quark ());
}

gboolean
tr_host_clear_standby (TrHost *self, GError **error)
{
  g_autofree char *standby_id = NULL;

  g_return_val_if_fail (TR_IS_HOST (self), FALSE);

  g_object_set_qdata (G_OBJECT (self), invited_quark (), NULL);
  if (self->standby == NULL)
    return TRUE;
  /* Its pairing goes: it holds no acks any more, and cannot come back
   * without a new invitation. */
  standby_id = g_strdup (self->standby->station_id);
  return tr_host_revoke_station (self, standby_id, error);
}

char *
tr_host_dup_standby_url (TrHost *self)
{
  Connection *conn;

  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  conn = self->standby;
  if (conn == NULL || conn->standby_port == 0 || conn->address == NULL)
    return NULL;
  return g_strdup_printf (strchr (conn->address, ':') != NULL ? "%s://[%s]:%u" : "%s://%s:%u",
                          self->tls_certificate != NULL ? "https" : "http", conn->address,
                          conn->standby_port);
}

gint64
tr_host_get_superseded_by (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), 0);

  return self->superseded_by;
}

char *
_tr_host_build_pong (TrHost *self, Connection *conn, gint64 t)
{
  g_autofree char *url = conn->standby ? NULL : tr_host_dup_standby_url (self);

  /* "printers": a station hears of a printer added or removed with its
   * next pong (issue 13). */
  return tr_frame_build_pong_printers (t, url, tr_host_get_standby_warning (self) != NULL,
                                       tr_host_count_reprint_printers (self));
}
