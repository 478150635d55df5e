/* test-link-alerts.c: when a dropped link is announced
 * (tr-link-alerts.c), on a clock the test moves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-link-alerts.h"

#define S 1000

static TrLinkObservation
up (const char *id, gint64 since)
{
  return (TrLinkObservation){ .station_id = id,
                              .name = "Grill",
                              .connected = TRUE,
                              .connected_since = since,
                              .last_seen = since };
}

static TrLinkObservation
down (const char *id, gint64 went, int code)
{
  return (TrLinkObservation){
    .station_id = id, .name = "Grill", .connected = FALSE, .last_seen = went, .close_code = code
  };
}

/* Down at @went after a link that began at @began. */
static TrLinkObservation
down_after (const char *id, gint64 began, gint64 went, int code)
{
  TrLinkObservation o = down (id, went, code);

  o.connected_since = began;
  return o;
}

static GPtrArray *
check1 (TrLinkAlerts *alerts, TrLinkObservation o, gint64 now)
{
  return tr_link_alerts_check (alerts, &o, 1, now);
}

/* Announced once the threshold passes, once, with the time it went;
 * its return is announced with how long it was away. */
static void
test_offline_then_back (void)
{
  g_autoptr (TrLinkAlerts) alerts = tr_link_alerts_new (30 * S);
  g_autoptr (GPtrArray) a = NULL;
  TrLinkAlert *alert;

  g_assert_cmpint (tr_link_alerts_get_threshold (alerts), ==, 30 * S);
  a = check1 (alerts, up ("grill", 0), 1 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, -1);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* Gone at 100 s; not yet at 129 s. */
  a = check1 (alerts, down ("grill", 100 * S, 1006), 101 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, 130 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down ("grill", 100 * S, 1006), 129 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);

  a = check1 (alerts, down ("grill", 100 * S, 1006), 130 * S);
  g_assert_cmpuint (a->len, ==, 1);
  alert = a->pdata[0];
  g_assert_cmpint (alert->kind, ==, TR_LINK_ALERT_OFFLINE);
  g_assert_cmpstr (alert->station_id, ==, "grill");
  g_assert_cmpstr (alert->name, ==, "Grill");
  g_assert_cmpint (alert->since, ==, 100 * S);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, -1);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* Once per outage. */
  a = check1 (alerts, down ("grill", 100 * S, 1006), 500 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);

  a = check1 (alerts, up ("grill", 600 * S), 601 * S);
  g_assert_cmpuint (a->len, ==, 1);
  alert = a->pdata[0];
  g_assert_cmpint (alert->kind, ==, TR_LINK_ALERT_BACK);
  g_assert_cmpint (alert->since, ==, 600 * S);
  g_assert_cmpint (alert->down_ms, ==, 500 * S);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* The next outage is announced again. */
  a = check1 (alerts, down ("grill", 700 * S, 4010), 731 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpint (((TrLinkAlert *)a->pdata[0])->kind, ==, TR_LINK_ALERT_OFFLINE);
}

/* A blip under the threshold is no news, and neither is its end. */
static void
test_blip (void)
{
  g_autoptr (TrLinkAlerts) alerts = tr_link_alerts_new (30 * S);
  g_autoptr (GPtrArray) a = check1 (alerts, up ("grill", 0), 0);

  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down ("grill", 10 * S, 1006), 20 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, up ("grill", 25 * S), 25 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);
  /* The blip's start does not count towards a later outage. */
  a = check1 (alerts, down ("grill", 50 * S, 1006), 60 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, 80 * S);
}

/* A clean leave is no outage; its return is no news. */
static void
test_clean_leave (void)
{
  g_autoptr (TrLinkAlerts) alerts = tr_link_alerts_new (30 * S);
  g_autoptr (GPtrArray) a = check1 (alerts, up ("grill", 0), 0);

  g_assert_true (tr_link_alerts_is_clean_leave (1000));
  g_assert_true (tr_link_alerts_is_clean_leave (1001));
  g_assert_false (tr_link_alerts_is_clean_leave (1006));
  g_assert_false (tr_link_alerts_is_clean_leave (0));

  for (int code = 1000; code <= 1001; code++)
    {
      g_clear_pointer (&a, g_ptr_array_unref);
      a = check1 (alerts, down ("grill", 10 * S, code), 100 * S);
      g_assert_cmpuint (a->len, ==, 0);
      g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, -1);
      g_clear_pointer (&a, g_ptr_array_unref);
      a = check1 (alerts, up ("grill", 200 * S), 200 * S);
      g_assert_cmpuint (a->len, ==, 0);
    }
}

/* Revoked stations are never announced; revoking an announced one ends
 * its outage without a return. */
static void
test_revoked (void)
{
  g_autoptr (TrLinkAlerts) alerts = tr_link_alerts_new (30 * S);
  g_autoptr (GPtrArray) a = check1 (alerts, up ("grill", 0), 0);
  TrLinkObservation o = down ("grill", 10 * S, 4403);

  o.revoked = TRUE;
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, o, 100 * S);
  g_assert_cmpuint (a->len, ==, 0);

  /* Announced, then revoked. */
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, up ("bar", 0), 0);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down ("bar", 10 * S, 1006), 50 * S);
  g_assert_cmpuint (a->len, ==, 1);
  o = down ("bar", 10 * S, 1006);
  o.revoked = TRUE;
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, o, 60 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, -1);
}

/* Only stations seen up are watched: one that is off from the start is
 * no outage; a forgotten one is forgotten. */
static void
test_unknown_and_forgotten (void)
{
  g_autoptr (TrLinkAlerts) alerts = tr_link_alerts_new (30 * S);
  g_autoptr (GPtrArray) a = check1 (alerts, down ("grill", 0, 0), 100 * S);
  TrLinkObservation both[2];

  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, -1);

  both[0] = up ("grill", 100 * S);
  both[1] = up ("bar", 100 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = tr_link_alerts_check (alerts, both, 2, 100 * S);
  g_assert_cmpuint (a->len, ==, 0);
  both[0] = down ("grill", 110 * S, 1006);
  both[1] = down ("bar", 120 * S, 1006);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = tr_link_alerts_check (alerts, both, 2, 121 * S);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, 140 * S);
  /* Grill is forgotten: bar's is what is pending. */
  g_clear_pointer (&a, g_ptr_array_unref);
  a = tr_link_alerts_check (alerts, &both[1], 1, 122 * S);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, 150 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = tr_link_alerts_check (alerts, both, 2, 150 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpstr (((TrLinkAlert *)a->pdata[0])->station_id, ==, "bar");
}

/* A link that came and went between two checks still counts: after a
 * clean leave, after an announced outage (whose end is announced), and
 * for a station first met down after the watch began. */
static void
test_missed_link (void)
{
  g_autoptr (TrLinkAlerts) alerts = tr_link_alerts_new (2 * S);
  g_autoptr (GPtrArray) a = check1 (alerts, up ("grill", 1), 1);

  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down_after ("grill", 1, 10 * S, 1001), 11 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, -1);
  /* Back at 20 s and killed at 21 s, both before the next check. */
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down_after ("grill", 20 * S, 21 * S, 1006), 22 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, 23 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down_after ("grill", 20 * S, 21 * S, 1006), 23 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpint (((TrLinkAlert *)a->pdata[0])->since, ==, 21 * S);

  /* Announced; back at 30 s and gone again at 31 s, unseen: the return
   * is announced, and the new outage in its turn. */
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down_after ("grill", 30 * S, 31 * S, 1006), 32 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpint (((TrLinkAlert *)a->pdata[0])->kind, ==, TR_LINK_ALERT_BACK);
  g_assert_cmpint (((TrLinkAlert *)a->pdata[0])->down_ms, ==, 9 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down_after ("grill", 30 * S, 31 * S, 1006), 33 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpint (((TrLinkAlert *)a->pdata[0])->kind, ==, TR_LINK_ALERT_OFFLINE);

  /* Unknown, down, its last link from before the watch began: nothing;
   * from after: watched. */
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down_after ("bar", 0, 1, 1006), 40 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down_after ("expo", 41 * S, 42 * S, 1006), 50 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpstr (((TrLinkAlert *)a->pdata[0])->station_id, ==, "expo");
}

/* A new threshold applies to an outage under way. */
static void
test_threshold_change (void)
{
  g_autoptr (TrLinkAlerts) alerts = tr_link_alerts_new (TR_LINK_ALERT_DEFAULT_THRESHOLD_MS);
  g_autoptr (GPtrArray) a = check1 (alerts, up ("grill", 0), 0);

  g_assert_cmpint (tr_link_alerts_get_threshold (alerts), ==, 30 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down ("grill", 10 * S, 0), 15 * S);
  g_assert_cmpuint (a->len, ==, 0);
  tr_link_alerts_set_threshold (alerts, 2 * S);
  g_assert_cmpint (tr_link_alerts_next_due (alerts), ==, 12 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, down ("grill", 10 * S, 0), 15 * S);
  g_assert_cmpuint (a->len, ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/link-alerts/offline-then-back", test_offline_then_back);
  g_test_add_func ("/link-alerts/blip", test_blip);
  g_test_add_func ("/link-alerts/clean-leave", test_clean_leave);
  g_test_add_func ("/link-alerts/revoked", test_revoked);
  g_test_add_func ("/link-alerts/unknown-and-forgotten", test_unknown_and_forgotten);
  g_test_add_func ("/link-alerts/threshold-change", test_threshold_change);
  g_test_add_func ("/link-alerts/missed-link", test_missed_link);

  return g_test_run ();
}
