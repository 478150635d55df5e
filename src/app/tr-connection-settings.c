/* tr-connection-settings.c: the link's timings in GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-connection-settings.h"

const char *const tr_connection_settings_keys[] = {
  "heartbeat-interval-ms",
  "dead-timeout-ms",
  "backoff-max-ms",
  "websocket-failures-before-polling",
  "host-hello-timeout-ms",
  "host-heartbeat-timeout-ms",
  "station-offline-alert-seconds",
  NULL,
};

gboolean
tr_connection_settings_is_key (const char *key)
{
  return key != NULL && g_strv_contains (tr_connection_settings_keys, key);
}

void
tr_connection_settings_read (GSettings *settings, TrTimeouts *out)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (out != NULL);

  out->heartbeat_interval_ms = g_settings_get_uint (settings, "heartbeat-interval-ms");
  out->dead_timeout_ms = g_settings_get_uint (settings, "dead-timeout-ms");
  out->backoff_max_ms = g_settings_get_uint (settings, "backoff-max-ms");
  out->websocket_failures = g_settings_get_uint (settings, "websocket-failures-before-polling");
  out->hello_timeout_ms = g_settings_get_uint (settings, "host-hello-timeout-ms");
  out->host_heartbeat_timeout_ms = g_settings_get_uint (settings, "host-heartbeat-timeout-ms");
}

void
tr_connection_settings_apply (GSettings *settings, TrStation *station)
{
  TrTimeouts timeouts;

  g_return_if_fail (TR_IS_STATION (station));

  tr_connection_settings_read (settings, &timeouts);
  /* The station clamps: the keys stay as the user left them, so an
   * interval held down by a short dead timeout comes back when the
   * timeout is raised again. */
  tr_station_set_timeouts (station, &timeouts);
}

void
tr_connection_settings_reset (GSettings *settings)
{
  g_return_if_fail (G_IS_SETTINGS (settings));

  for (guint i = 0; tr_connection_settings_keys[i] != NULL; i++)
    g_settings_reset (settings, tr_connection_settings_keys[i]);
}
