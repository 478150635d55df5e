/* tr-lan-address.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-lan-address"

#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include "tr-lan-address.h"

GStrv
tr_lan_addresses (void)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return g_strv_builder_end (builder);

  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      char text[INET_ADDRSTRLEN];

      if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET)
        continue;
      if ((ifa->ifa_flags & IFF_LOOPBACK) || !(ifa->ifa_flags & IFF_UP))
        continue;
      if (inet_ntop (AF_INET, &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, text, sizeof text)
          == NULL)
        continue;
      if (g_hash_table_add (seen, g_strdup (text)))
        g_strv_builder_add (builder, text);
    }
  freeifaddrs (list);
  return g_strv_builder_end (builder);
}

GStrv
tr_station_dup_join_addresses (TrStation *station)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *bound = NULL;
  g_auto (GStrv) addresses = NULL;
  TrHost *host;
  guint port;

  g_return_val_if_fail (TR_IS_STATION (station), NULL);

  host = tr_station_get_host (station);
  if (host == NULL || !tr_host_is_running (host))
    return g_strv_builder_end (builder);

  port = tr_host_get_bound_port (host);
  g_object_get (host, "bound-address", &bound, NULL);
  if (g_strcmp0 (bound, "127.0.0.1") != 0 && g_strcmp0 (bound, "::1") != 0)
    addresses = tr_lan_addresses ();

  if (addresses == NULL || addresses[0] == NULL)
    {
      g_autofree char *text = g_strdup_printf ("127.0.0.1:%u", port);

      g_strv_builder_add (builder, text);
    }
  else
    for (guint i = 0; addresses[i] != NULL; i++)
      {
        g_autofree char *text = g_strdup_printf ("%s:%u", addresses[i], port);

        g_strv_builder_add (builder, text);
      }
  return g_strv_builder_end (builder);
}
