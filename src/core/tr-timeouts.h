/* tr-timeouts.h: the link's timings, their bounds and how they fit
 *
 * Staff may tune how often a station pings, when it gives up on a
 * silent host, how long it backs off and when it falls back to polling;
 * the host how long it waits for a hello and for a silent station. The
 * settings schema, ticketrail-host's flags and the protocol share these
 * bounds, and the rules that keep the timings sane live here, pure, so
 * every caller clamps the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each value in ms; the schema's <range>s match these. */
#define TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN 1000
#define TR_TIMEOUT_HEARTBEAT_INTERVAL_MAX 60000
#define TR_TIMEOUT_HEARTBEAT_INTERVAL_DEFAULT 5000
#define TR_TIMEOUT_DEAD_MIN 3000
#define TR_TIMEOUT_DEAD_MAX 300000
#define TR_TIMEOUT_DEAD_DEFAULT 15000
#define TR_TIMEOUT_BACKOFF_MAX_MIN 1000
#define TR_TIMEOUT_BACKOFF_MAX_MAX 300000
#define TR_TIMEOUT_BACKOFF_MAX_DEFAULT 30000
#define TR_TIMEOUT_WS_FAILURES_MIN 1
#define TR_TIMEOUT_WS_FAILURES_MAX 20
#define TR_TIMEOUT_WS_FAILURES_DEFAULT 3
#define TR_TIMEOUT_HELLO_MIN 1000
#define TR_TIMEOUT_HELLO_MAX 120000
#define TR_TIMEOUT_HELLO_DEFAULT 10000
#define TR_TIMEOUT_HOST_HEARTBEAT_MIN 3000
#define TR_TIMEOUT_HOST_HEARTBEAT_MAX 300000
#define TR_TIMEOUT_HOST_HEARTBEAT_DEFAULT 15000

/* A station pings at least this many times within a silence that would
 * end its link (its own dead timeout, or the host's heartbeat timeout),
 * so one or two lost pings on a stalling Wi-Fi never drop it. */
#define TR_TIMEOUT_PINGS_PER_TIMEOUT 3

typedef struct
{
  /* A station (TrClient) */
  guint heartbeat_interval_ms;
  guint dead_timeout_ms;
  guint backoff_max_ms;
  guint websocket_failures; /* failed WebSocket attempts before polling */
  /* The host (TrHost) */
  guint hello_timeout_ms;
  guint host_heartbeat_timeout_ms;
} TrTimeouts;

/* The defaults, as the schema has them. */
void
tr_timeouts_init_defaults (TrTimeouts *timeouts);

/* Brings each value within its bounds, then the heartbeat interval to at
 * most a third of the dead timeout. TRUE when it changed anything. */
gboolean
tr_timeouts_clamp (TrTimeouts *timeouts);

/* How often a station configured with @interval_ms really pings a host
 * that announced @host_heartbeat_timeout_ms (0: it did not say): never
 * less often than a third of the host's timeout, though a host never
 * makes it ping more often than TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN. */
guint
tr_timeouts_effective_interval (guint interval_ms, guint host_heartbeat_timeout_ms);

/* Whether @ms is a heartbeat timeout a host may announce or be given
 * (ticketrail-host --heartbeat-timeout, the welcome's
 * heartbeat_timeout_ms). */
gboolean
tr_timeouts_host_heartbeat_is_valid (gint64 ms);
/* Whether @ms is a hello timeout the host may be given. */
gboolean
tr_timeouts_hello_is_valid (gint64 ms);

G_END_DECLS
