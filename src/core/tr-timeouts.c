/* tr-timeouts.c: the link's timings, their bounds and how they fit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-timeouts.h"

void
tr_timeouts_init_defaults (TrTimeouts *timeouts)
{
  g_return_if_fail (timeouts != NULL);

  timeouts->heartbeat_interval_ms = TR_TIMEOUT_HEARTBEAT_INTERVAL_DEFAULT;
  timeouts->dead_timeout_ms = TR_TIMEOUT_DEAD_DEFAULT;
  timeouts->backoff_max_ms = TR_TIMEOUT_BACKOFF_MAX_DEFAULT;
  timeouts->websocket_failures = TR_TIMEOUT_WS_FAILURES_DEFAULT;
  timeouts->hello_timeout_ms = TR_TIMEOUT_HELLO_DEFAULT;
  timeouts->host_heartbeat_timeout_ms = TR_TIMEOUT_HOST_HEARTBEAT_DEFAULT;
}

static gboolean
clamp_one (guint *value, guint min, guint max)
{
  guint clamped = CLAMP (*value, min, max);

  if (clamped == *value)
    return FALSE;
  *value = clamped;
  return TRUE;
}

gboolean
tr_timeouts_clamp (TrTimeouts *timeouts)
{
  gboolean changed = FALSE;
  guint most;

  g_return_val_if_fail (timeouts != NULL, FALSE);

  changed |= clamp_one (&timeouts->heartbeat_interval_ms, TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN,
                        TR_TIMEOUT_HEARTBEAT_INTERVAL_MAX);
  changed |= clamp_one (&timeouts->dead_timeout_ms, TR_TIMEOUT_DEAD_MIN, TR_TIMEOUT_DEAD_MAX);
  changed |= clamp_one (&timeouts->backoff_max_ms, TR_TIMEOUT_BACKOFF_MAX_MIN,
                        TR_TIMEOUT_BACKOFF_MAX_MAX);
  changed |= clamp_one (&timeouts->websocket_failures, TR_TIMEOUT_WS_FAILURES_MIN,
                        TR_TIMEOUT_WS_FAILURES_MAX);
  changed |= clamp_one (&timeouts->hello_timeout_ms, TR_TIMEOUT_HELLO_MIN, TR_TIMEOUT_HELLO_MAX);
  changed |= clamp_one (&timeouts->host_heartbeat_timeout_ms, TR_TIMEOUT_HOST_HEARTBEAT_MIN,
                        TR_TIMEOUT_HOST_HEARTBEAT_MAX);

  /* The pongs to our pings are what keeps the watchdog quiet: a ping
   * interval near the dead timeout would drop a healthy link whenever
   * one pong is late. The interval gives way, not the timeout, since
   * a longer timeout is what someone on a stalling Wi-Fi asked for. */
  most = timeouts->dead_timeout_ms / TR_TIMEOUT_PINGS_PER_TIMEOUT;
  changed |= clamp_one (&timeouts->heartbeat_interval_ms, TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN,
                        MAX (most, TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN));
  return changed;
}

guint
tr_timeouts_effective_interval (guint interval_ms, guint host_heartbeat_timeout_ms)
{
  guint interval = MAX (interval_ms, 1);

  /* The host drops a station silent for its heartbeat timeout, whatever
   * the station was told locally. A station told to ping faster (tests
   * do) keeps its own pace: the floor only bounds what a host imposes. */
  if (host_heartbeat_timeout_ms > 0)
    interval = MIN (interval, MAX (host_heartbeat_timeout_ms / TR_TIMEOUT_PINGS_PER_TIMEOUT,
                                   TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN));
  return interval;
}

gboolean
tr_timeouts_host_heartbeat_is_valid (gint64 ms)
{
  return ms >= TR_TIMEOUT_HOST_HEARTBEAT_MIN && ms <= TR_TIMEOUT_HOST_HEARTBEAT_MAX;
}

gboolean
tr_timeouts_hello_is_valid (gint64 ms)
{
  return ms >= TR_TIMEOUT_HELLO_MIN && ms <= TR_TIMEOUT_HELLO_MAX;
}
