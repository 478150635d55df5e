/* tr-host-listener.c: the host's listening socket (IPv6 dual-stack or IPv4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <netinet/in.h>
#include <sys/socket.h>

/* libsoup (through GSocket) listens with a backlog of 10, which turns a
 * reconnect storm of a few hundred stations into seconds of SYN retries. */
#define LISTEN_BACKLOG 1024

static GSocket *
bind_and_listen (GSocketFamily family, GInetAddress *address, guint port, gboolean dual_stack,
                 GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;

  if (!(socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error)))
    return NULL;
  if (dual_stack && !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 0, error))
    return NULL;
  socket_address = g_inet_socket_address_new (address, (guint16)port);
  /* allow_reuse sets SO_REUSEADDR, so a restarted host binds at once
   * while its old connections sit in TIME_WAIT. */
  if (!g_socket_bind (socket, socket_address, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

GSocket *
_tr_host_create_listen_socket (TrHost *self, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GError) local_error = NULL;
  GSocket *socket;

  if (self->loopback_only)
    {
      address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      return bind_and_listen (G_SOCKET_FAMILY_IPV4, address, self->port, FALSE, error);
    }

  /* One dual-stack socket serves IPv6 and IPv4-mapped clients. */
  address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  socket = bind_and_listen (G_SOCKET_FAMILY_IPV6, address, self->port, TRUE, &local_error);
  if (socket != NULL)
    return socket;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_debug ("No IPv6 (%s); listening on IPv4 only", local_error->message);
  g_clear_object (&address);
  address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  return bind_and_listen (G_SOCKET_FAMILY_IPV4, address, self->port, FALSE, error);
}
