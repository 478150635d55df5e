/* tr-station-follow.c: following the live host of this station's lineage
 *
 * The browser hangs off the station as qdata, so TrStation itself only
 * gains one call. Every decision is made again whenever the list of
 * hosts or the client's link changes; there is no timer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-station"

#include "tr-station.h"

#include "tr-store-lineage.h"

typedef struct
{
  TrStation *station; /* not a ref: this lives in the station's qdata */
  TrDnssdBrowser *browser;
  gulong state_handler;
} Follow;

static GQuark
follow_quark (void)
{
  return g_quark_from_static_string ("tr-station-follow");
}

gboolean
tr_station_follow_should_switch (const char *current_url, const char *current_host_id,
                                 gint64 seen_gen, gboolean online, TrDnssdHost *candidate)
{
  const TrDnssdTxt *txt;

  if (candidate == NULL)
    return FALSE;
  txt = tr_dnssd_host_get_txt (candidate);
  /* Already there: the same host at the same address. */
  if (g_strcmp0 (tr_dnssd_host_get_url (candidate), current_url) == 0)
    return FALSE;
  /* Never back to an older host (tr_dnssd_pick_host() holds this too). */
  if (txt->gen < seen_gen)
    return FALSE;
  /* A newer generation replaced the host we follow: go, even if the old
   * one still answers (it must not be written to any more). */
  if (txt->gen > seen_gen && g_strcmp0 (txt->host_id, current_host_id) != 0)
    return TRUE;
  /* Otherwise only when our host is unreachable: the same host at a new
   * address, or another of the same generation. A live link is never
   * dropped for an equal. */
  return !online;
}

static void
reconsider (Follow *follow)
{
  TrStore *store = tr_station_get_store (follow->station);
  TrClient *client = tr_station_get_client (follow->station);
  const char *host_id = tr_store_get_host_id (store);
  g_autofree char *lineage = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GError) error = NULL;
  TrClientState state = tr_client_get_state (client);
  GListModel *hosts = G_LIST_MODEL (follow->browser);
  TrDnssdHost *pick;
  gint64 gen = 0;

  if (!tr_store_get_lineage (store, &lineage, &gen, &error))
    {
      g_debug ("not following over DNS-SD: %s", error->message);
      return;
    }

  /* Learn the lineage (and newer gens) from our own host's record. */
  for (guint i = 0; host_id != NULL && *host_id != '\0' && i < g_list_model_get_n_items (hosts);
       i++)
    {
      g_autoptr (TrDnssdHost) host = g_list_model_get_item (hosts, i);
      const TrDnssdTxt *txt = tr_dnssd_host_get_txt (host);

      if (g_strcmp0 (txt->host_id, host_id) != 0
          || (lineage != NULL && (g_strcmp0 (txt->lineage, lineage) != 0 || txt->gen <= gen)))
        continue;
      if (!tr_store_set_lineage (store, txt->lineage, txt->gen, &error))
        {
          g_debug ("cannot record the lineage: %s", error->message);
          return;
        }
      g_free (lineage);
      lineage = g_strdup (txt->lineage);
      gen = txt->gen;
    }
  if (lineage == NULL)
    return;

  g_object_get (client, "host-url", &url, NULL);
  pick = tr_dnssd_browser_pick_host (follow->browser, lineage, gen, host_id);
  if (!tr_station_follow_should_switch (
        url, host_id, gen,
        state == TR_CLIENT_STATE_ONLINE_WEBSOCKET || state == TR_CLIENT_STATE_ONLINE_POLLING, pick))
    return;

  g_message ("following \"%s\" at %s (generation %" G_GINT64_FORMAT ")",
             tr_dnssd_host_get_name (pick), tr_dnssd_host_get_url (pick),
             tr_dnssd_host_get_txt (pick)->gen);
  if (!tr_store_set_lineage (store, lineage, tr_dnssd_host_get_txt (pick)->gen, &error))
    g_debug ("cannot record the generation: %s", error->message);
  /* Changing the URL makes the client reconnect there. */
  g_object_set (client, "host-url", tr_dnssd_host_get_url (pick), NULL);
}

static void
follow_free (gpointer data)
{
  Follow *follow = data;
  TrClient *client = tr_station_get_client (follow->station);

  if (client != NULL && follow->state_handler != 0)
    g_signal_handler_disconnect (client, follow->state_handler);
  g_signal_handlers_disconnect_by_data (follow->browser, follow);
  tr_dnssd_browser_stop (follow->browser);
  g_object_unref (follow->browser);
  g_free (follow);
}

void
tr_station_follow_start (TrStation *station)
{
  Follow *follow;

  g_return_if_fail (TR_IS_STATION (station));

  if (tr_station_get_mode (station) != TR_STATION_MODE_CLIENT
      || g_object_get_qdata (G_OBJECT (station), follow_quark ()) != NULL
      || g_strcmp0 (g_getenv ("TICKETRAIL_DNSSD"), "0") == 0)
    return;

  follow = g_new0 (Follow, 1);
  follow->station = station;
  follow->browser = tr_dnssd_browser_new ();
  g_signal_connect_swapped (follow->browser, "items-changed", G_CALLBACK (reconsider), follow);
  follow->state_handler = g_signal_connect_swapped (
    tr_station_get_client (station), "notify::state", G_CALLBACK (reconsider), follow);
  g_object_set_qdata_full (G_OBJECT (station), follow_quark (), follow, follow_free);
  tr_dnssd_browser_start (follow->browser);
}

void
tr_station_follow_stop (TrStation *station)
{
  g_return_if_fail (TR_IS_STATION (station));

  g_object_set_qdata (G_OBJECT (station), follow_quark (), NULL);
}

TrDnssdBrowser *
tr_station_follow_get_browser (TrStation *station)
{
  Follow *follow;

  g_return_val_if_fail (TR_IS_STATION (station), NULL);

  follow = g_object_get_qdata (G_OBJECT (station), follow_quark ());
  return follow != NULL ? follow->browser : NULL;
}
