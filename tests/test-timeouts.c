/* test-timeouts.c: the link's timings and how they fit (tr-timeouts.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-timeouts.h"

/* The defaults are within their bounds and already fit together. */
static void
test_defaults_fit (void)
{
  TrTimeouts t;

  tr_timeouts_init_defaults (&t);
  g_assert_false (tr_timeouts_clamp (&t));
  g_assert_cmpuint (t.heartbeat_interval_ms, ==, 5000);
  g_assert_cmpuint (t.dead_timeout_ms, ==, 15000);
  g_assert_cmpuint (t.backoff_max_ms, ==, 30000);
  g_assert_cmpuint (t.websocket_failures, ==, 3);
  g_assert_cmpuint (t.hello_timeout_ms, ==, 10000);
  g_assert_cmpuint (t.host_heartbeat_timeout_ms, ==, 15000);
}

/* Each value out of its bounds comes back to the nearest one. */
static void
test_bounds (void)
{
  TrTimeouts low = { 0, 0, 0, 0, 0, 0 };
  TrTimeouts high = { G_MAXUINT, G_MAXUINT, G_MAXUINT, G_MAXUINT, G_MAXUINT, G_MAXUINT };

  g_assert_true (tr_timeouts_clamp (&low));
  g_assert_cmpuint (low.heartbeat_interval_ms, ==, TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN);
  g_assert_cmpuint (low.dead_timeout_ms, ==, TR_TIMEOUT_DEAD_MIN);
  g_assert_cmpuint (low.backoff_max_ms, ==, TR_TIMEOUT_BACKOFF_MAX_MIN);
  g_assert_cmpuint (low.websocket_failures, ==, TR_TIMEOUT_WS_FAILURES_MIN);
  g_assert_cmpuint (low.hello_timeout_ms, ==, TR_TIMEOUT_HELLO_MIN);
  g_assert_cmpuint (low.host_heartbeat_timeout_ms, ==, TR_TIMEOUT_HOST_HEARTBEAT_MIN);

  g_assert_true (tr_timeouts_clamp (&high));
  g_assert_cmpuint (high.heartbeat_interval_ms, ==, TR_TIMEOUT_HEARTBEAT_INTERVAL_MAX);
  g_assert_cmpuint (high.dead_timeout_ms, ==, TR_TIMEOUT_DEAD_MAX);
  g_assert_cmpuint (high.backoff_max_ms, ==, TR_TIMEOUT_BACKOFF_MAX_MAX);
  g_assert_cmpuint (high.websocket_failures, ==, TR_TIMEOUT_WS_FAILURES_MAX);
  g_assert_cmpuint (high.hello_timeout_ms, ==, TR_TIMEOUT_HELLO_MAX);
  g_assert_cmpuint (high.host_heartbeat_timeout_ms, ==, TR_TIMEOUT_HOST_HEARTBEAT_MAX);
}

/* The interval stays well under the dead timeout: the interval gives
 * way, the timeout someone raised for a stalling Wi-Fi stays. */
static void
test_interval_under_dead_timeout (void)
{
  TrTimeouts t;

  tr_timeouts_init_defaults (&t);
  t.heartbeat_interval_ms = 20000;
  t.dead_timeout_ms = 30000;
  g_assert_true (tr_timeouts_clamp (&t));
  g_assert_cmpuint (t.dead_timeout_ms, ==, 30000);
  g_assert_cmpuint (t.heartbeat_interval_ms, ==, 10000);

  /* Exactly a third is fine. */
  t.heartbeat_interval_ms = 10000;
  g_assert_false (tr_timeouts_clamp (&t));

  /* The smallest dead timeout still leaves the smallest interval. */
  t.dead_timeout_ms = TR_TIMEOUT_DEAD_MIN;
  g_assert_true (tr_timeouts_clamp (&t));
  g_assert_cmpuint (t.heartbeat_interval_ms, ==, TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN);
  g_assert_cmpuint (t.heartbeat_interval_ms * TR_TIMEOUT_PINGS_PER_TIMEOUT, <=, t.dead_timeout_ms);
}

/* A station pings often enough for the host it is on. */
static void
test_effective_interval (void)
{
  /* The host did not say (an older host): the station's own. */
  g_assert_cmpuint (tr_timeouts_effective_interval (5000, 0), ==, 5000);
  /* A generous host changes nothing. */
  g_assert_cmpuint (tr_timeouts_effective_interval (5000, 60000), ==, 5000);
  /* A strict one: a third of its timeout. */
  g_assert_cmpuint (tr_timeouts_effective_interval (5000, 6000), ==, 2000);
  g_assert_cmpuint (tr_timeouts_effective_interval (20000, 15000), ==, 5000);
  /* A host never makes it faster than the floor, however strict. */
  g_assert_cmpuint (tr_timeouts_effective_interval (5000, 1200), ==,
                    TR_TIMEOUT_HEARTBEAT_INTERVAL_MIN);
  /* A station told to ping faster keeps its pace; never 0. */
  g_assert_cmpuint (tr_timeouts_effective_interval (200, 15000), ==, 200);
  g_assert_cmpuint (tr_timeouts_effective_interval (0, 0), ==, 1);
}

static void
test_validity (void)
{
  g_assert_true (tr_timeouts_host_heartbeat_is_valid (15000));
  g_assert_true (tr_timeouts_host_heartbeat_is_valid (TR_TIMEOUT_HOST_HEARTBEAT_MIN));
  g_assert_true (tr_timeouts_host_heartbeat_is_valid (TR_TIMEOUT_HOST_HEARTBEAT_MAX));
  g_assert_false (tr_timeouts_host_heartbeat_is_valid (TR_TIMEOUT_HOST_HEARTBEAT_MIN - 1));
  g_assert_false (tr_timeouts_host_heartbeat_is_valid (TR_TIMEOUT_HOST_HEARTBEAT_MAX + 1));
  g_assert_false (tr_timeouts_host_heartbeat_is_valid (-1));
  g_assert_true (tr_timeouts_hello_is_valid (10000));
  g_assert_false (tr_timeouts_hello_is_valid (0));
  g_assert_false (tr_timeouts_hello_is_valid (TR_TIMEOUT_HELLO_MAX + 1));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timeouts/defaults-fit", test_defaults_fit);
  g_test_add_func ("/timeouts/bounds", test_bounds);
  g_test_add_func ("/timeouts/interval-under-dead-timeout", test_interval_under_dead_timeout);
  g_test_add_func ("/timeouts/effective-interval", test_effective_interval);
  g_test_add_func ("/timeouts/validity", test_validity);
  return g_test_run ();
}
