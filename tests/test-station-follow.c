/* test-station-follow.c: when a station moves to another host it found
 * over DNS-SD (tr_station_follow_should_switch(), tr-station-follow.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-station.h"

#define LINEAGE "0b8f3c1e-5d7a-4f2b-9c6e-1a2b3c4d5e6f"

static TrDnssdHost *
host (const char *host_id, gint64 gen, const char *address)
{
  g_autoptr (TrDnssdTxt) txt = tr_dnssd_txt_new (LINEAGE, host_id, gen, FALSE, host_id);

  return tr_dnssd_host_new (host_id, address, 8787, txt);
}

static void
test_should_switch (void)
{
  g_autoptr (TrDnssdHost) same = host ("old", 1, "10.0.0.1");
  g_autoptr (TrDnssdHost) moved = host ("old", 1, "10.0.0.9");
  g_autoptr (TrDnssdHost) promoted = host ("new", 2, "10.0.0.2");
  g_autoptr (TrDnssdHost) older = host ("ancient", 1, "10.0.0.3");
  const char *url = "http://10.0.0.1:8787";

  /* Nothing found, or already there: stay. */
  g_assert_false (tr_station_follow_should_switch (url, "old", 1, FALSE, NULL));
  g_assert_false (tr_station_follow_should_switch (url, "old", 1, FALSE, same));
  /* Our host at a new address: only once the old address stops working. */
  g_assert_false (tr_station_follow_should_switch (url, "old", 1, TRUE, moved));
  g_assert_true (tr_station_follow_should_switch (url, "old", 1, FALSE, moved));
  /* A promoted host (higher gen): go, even while the old one answers. */
  g_assert_true (tr_station_follow_should_switch (url, "old", 1, TRUE, promoted));
  g_assert_true (tr_station_follow_should_switch (url, "old", 1, FALSE, promoted));
  /* Never to a lower generation than seen, link up or down. */
  g_assert_false (tr_station_follow_should_switch ("http://10.0.0.2:8787", "new", 2, FALSE, older));
  g_assert_false (tr_station_follow_should_switch ("http://10.0.0.2:8787", "new", 2, TRUE, older));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/station-follow/should-switch", test_should_switch);
  return g_test_run ();
}
