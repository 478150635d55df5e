/* test-promotion.c: when a station offers to become the host, how far
 * behind it is, and which address a station tries (tr-promotion.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-promotion.h"

static void
test_check (void)
{
  TrPromotionCheck check;
  g_autofree char *text = NULL;

  /* No copy: nothing to promote, whatever the numbers. */
  tr_promotion_check (FALSE, 0, 120, &check);
  g_assert_false (check.can_promote);
  g_assert_false (check.fresh);

  /* In sync. */
  tr_promotion_check (TRUE, 120, 120, &check);
  g_assert_true (check.can_promote);
  g_assert_true (check.fresh);
  g_assert_cmpint (check.behind, ==, 0);

  /* Behind the newest head this station saw: promotable, not fresh. */
  tr_promotion_check (TRUE, 100, 120, &check);
  g_assert_true (check.can_promote);
  g_assert_false (check.fresh);
  g_assert_cmpint (check.behind, ==, 20);
  text = tr_promotion_describe (&check);
  g_assert_cmpstr (text, ==,
                   "This station has every change up to #100; the newest the host announced "
                   "was #120");

  /* The copy ahead of its own screen (semi-sync sends it first). */
  tr_promotion_check (TRUE, 130, 120, &check);
  g_assert_true (check.fresh);
  g_assert_cmpint (check.newest_seq, ==, 130);
  g_assert_cmpint (check.behind, ==, 0);

  /* A negative seq from a broken caller counts as nothing. */
  tr_promotion_check (TRUE, -5, 0, &check);
  g_assert_cmpint (check.local_seq, ==, 0);
  g_assert_true (check.fresh);
}

static void
test_unreachable (void)
{
  g_assert_false (tr_promotion_host_unreachable (0, 100000, 30000));
  g_assert_false (tr_promotion_host_unreachable (1000, 30999, 30000));
  g_assert_true (tr_promotion_host_unreachable (1000, 31000, 30000));
}

static void
test_delays (void)
{
  g_unsetenv ("TICKETRAIL_HOST_UNREACHABLE_MS");
  g_unsetenv ("TICKETRAIL_FALLBACK_MS");
  g_assert_cmpuint (tr_promotion_unreachable_delay_ms (), ==, 30000);
  g_assert_cmpuint (tr_promotion_fallback_delay_ms (), ==, 10000);
  g_setenv ("TICKETRAIL_HOST_UNREACHABLE_MS", "500", TRUE);
  g_assert_cmpuint (tr_promotion_unreachable_delay_ms (), ==, 500);
  /* Clamped, and nonsense ignored. */
  g_setenv ("TICKETRAIL_HOST_UNREACHABLE_MS", "1", TRUE);
  g_assert_cmpuint (tr_promotion_unreachable_delay_ms (), ==, 100);
  g_setenv ("TICKETRAIL_HOST_UNREACHABLE_MS", "soon", TRUE);
  g_assert_cmpuint (tr_promotion_unreachable_delay_ms (), ==, 30000);
  g_unsetenv ("TICKETRAIL_HOST_UNREACHABLE_MS");
}

static void
test_pick_url (void)
{
  const char *host = "http://10.0.0.2:8787";
  const char *standby = "http://10.0.0.3:8787";

  /* No standby named, or the same address: always the host. */
  g_assert_cmpstr (tr_promotion_pick_url (host, NULL, 99999, 1000), ==, host);
  g_assert_cmpstr (tr_promotion_pick_url (host, host, 99999, 1000), ==, host);
  /* The host first, then the standby and the host in turns. */
  g_assert_cmpstr (tr_promotion_pick_url (host, standby, 0, 1000), ==, host);
  g_assert_cmpstr (tr_promotion_pick_url (host, standby, 999, 1000), ==, host);
  g_assert_cmpstr (tr_promotion_pick_url (host, standby, 1000, 1000), ==, standby);
  g_assert_cmpstr (tr_promotion_pick_url (host, standby, 1999, 1000), ==, standby);
  g_assert_cmpstr (tr_promotion_pick_url (host, standby, 2000, 1000), ==, host);
  g_assert_cmpstr (tr_promotion_pick_url (host, standby, 3500, 1000), ==, standby);
}

static void
test_auto_promote (void)
{
  /* Off by default (0 s), and only a station that keeps the copy. */
  g_assert_false (tr_promotion_should_auto_promote (TRUE, TRUE, 0, 1000, 999999, 1, -1));
  g_assert_false (tr_promotion_should_auto_promote (FALSE, TRUE, 5, 1000, 999999, 1, -1));
  /* Never reached its host since it started (an outage at start, a
   * wrong address): never by itself. */
  g_assert_false (tr_promotion_should_auto_promote (TRUE, FALSE, 5, 1000, 999999, 1, -1));
  /* Link up, or not down long enough. */
  g_assert_false (tr_promotion_should_auto_promote (TRUE, TRUE, 5, 0, 999999, 1, -1));
  g_assert_false (tr_promotion_should_auto_promote (TRUE, TRUE, 5, 1000, 5999, 1, -1));
  /* Down for 5 s, DNS-SD off or showing no other host. */
  g_assert_true (tr_promotion_should_auto_promote (TRUE, TRUE, 5, 1000, 6000, 1, -1));
  /* DNS-SD shows another live host at our generation or above: someone
   * was promoted already. An older one does not count. */
  g_assert_false (tr_promotion_should_auto_promote (TRUE, TRUE, 5, 1000, 6000, 1, 1));
  g_assert_false (tr_promotion_should_auto_promote (TRUE, TRUE, 5, 1000, 6000, 1, 2));
  g_assert_true (tr_promotion_should_auto_promote (TRUE, TRUE, 5, 1000, 6000, 2, 1));
  /* The delay is clamped to an hour. */
  g_assert_false (tr_promotion_should_auto_promote (TRUE, TRUE, G_MAXUINT, 1000, 3600999, 1, -1));
  g_assert_true (tr_promotion_should_auto_promote (TRUE, TRUE, G_MAXUINT, 1000, 3601000, 1, -1));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/promotion/check", test_check);
  g_test_add_func ("/promotion/unreachable", test_unreachable);
  g_test_add_func ("/promotion/delays", test_delays);
  g_test_add_func ("/promotion/pick-url", test_pick_url);
  g_test_add_func ("/promotion/auto-promote", test_auto_promote);
  return g_test_run ();
}
