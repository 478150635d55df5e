/* test-service-range.c: today, yesterday and the last seven days, from
 * local midnight to local midnight
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-service-range"

#include "tr-service-range.h"

#define HOUR_MS ((gint64)60 * 60 * 1000)
#define DAY_MS (24 * HOUR_MS)

/* ms since the epoch of @text (ISO 8601 with its zone). */
static gint64
ms_of (const char *text)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time) * 1000;
}

static void
assert_bounds (TrServiceRange range, const char *now_text, const char *zone, const char *from,
               const char *to)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_autoptr (GDateTime) utc = g_date_time_new_from_iso8601 (now_text, NULL);
  g_autoptr (GDateTime) now = NULL;
  gint64 got_from = 0, got_to = 0;

  g_assert_nonnull (tz);
  g_assert_nonnull (utc);
  now = g_date_time_to_timezone (utc, tz);
  g_assert_true (tr_service_range_get_bounds (range, now, &got_from, &got_to));
  g_assert_cmpint (got_from, ==, ms_of (from));
  g_assert_cmpint (got_to, ==, ms_of (to));
}

static void
test_plain (void)
{
  /* 14:30 in Madrid (winter, UTC+1). */
  assert_bounds (TR_SERVICE_RANGE_TODAY, "2026-03-10T13:30:00Z", "+01:00",
                 "2026-03-10T00:00:00+01:00", "2026-03-11T00:00:00+01:00");
  assert_bounds (TR_SERVICE_RANGE_YESTERDAY, "2026-03-10T13:30:00Z", "+01:00",
                 "2026-03-09T00:00:00+01:00", "2026-03-10T00:00:00+01:00");
  assert_bounds (TR_SERVICE_RANGE_LAST_7_DAYS, "2026-03-10T13:30:00Z", "+01:00",
                 "2026-03-04T00:00:00+01:00", "2026-03-11T00:00:00+01:00");
}

/* Local midnight, not UTC's: at 23:30 UTC it is already tomorrow in
 * India and still today in New York. */
static void
test_local_day (void)
{
  assert_bounds (TR_SERVICE_RANGE_TODAY, "2026-03-10T23:30:00Z", "+05:30",
                 "2026-03-11T00:00:00+05:30", "2026-03-12T00:00:00+05:30");
  assert_bounds (TR_SERVICE_RANGE_TODAY, "2026-03-11T03:30:00Z", "-05:00",
                 "2026-03-10T00:00:00-05:00", "2026-03-11T00:00:00-05:00");
  /* Midnight itself starts its day. */
  assert_bounds (TR_SERVICE_RANGE_TODAY, "2026-03-10T00:00:00Z", "UTC", "2026-03-10T00:00:00Z",
                 "2026-03-11T00:00:00Z");
  assert_bounds (TR_SERVICE_RANGE_YESTERDAY, "2026-03-10T23:59:59Z", "UTC", "2026-03-09T00:00:00Z",
                 "2026-03-10T00:00:00Z");
}

static void
test_month_boundaries (void)
{
  /* Yesterday of the 1st is the last of the month before. */
  assert_bounds (TR_SERVICE_RANGE_YESTERDAY, "2026-03-01T10:00:00Z", "UTC", "2026-02-28T00:00:00Z",
                 "2026-03-01T00:00:00Z");
  /* A leap year's February. */
  assert_bounds (TR_SERVICE_RANGE_YESTERDAY, "2028-03-01T10:00:00Z", "UTC", "2028-02-29T00:00:00Z",
                 "2028-03-01T00:00:00Z");
  /* Today on the last of the month ends on the 1st of the next. */
  assert_bounds (TR_SERVICE_RANGE_TODAY, "2026-04-30T20:00:00Z", "UTC", "2026-04-30T00:00:00Z",
                 "2026-05-01T00:00:00Z");
  /* The week across a month and a year. */
  assert_bounds (TR_SERVICE_RANGE_LAST_7_DAYS, "2027-01-03T12:00:00Z", "UTC",
                 "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z");
  assert_bounds (TR_SERVICE_RANGE_YESTERDAY, "2027-01-01T08:00:00Z", "+01:00",
                 "2026-12-31T00:00:00+01:00", "2027-01-01T00:00:00+01:00");
  /* 23:30 UTC on the 31st is already the 1st in Kolkata. */
  assert_bounds (TR_SERVICE_RANGE_TODAY, "2026-01-31T23:30:00Z", "+05:30",
                 "2026-02-01T00:00:00+05:30", "2026-02-02T00:00:00+05:30");
}

/* On the day the clocks go forward the day has 23 hours; its midnights
 * are still midnights. Only where the system has the zone's rules. */
static void
test_clock_change (void)
{
  g_autoptr (GTimeZone) madrid = g_time_zone_new_identifier ("Europe/Madrid");
  g_autoptr (GDateTime) now = NULL;
  gint64 from = 0, to = 0;

  if (madrid == NULL)
    {
      g_test_skip ("no time zone data for Europe/Madrid");
      return;
    }
  /* 2026-03-29, 12:00 CEST: the clocks went from 02:00 to 03:00. */
  now = g_date_time_new (madrid, 2026, 3, 29, 12, 0, 0);
  g_assert_true (tr_service_range_get_bounds (TR_SERVICE_RANGE_TODAY, now, &from, &to));
  g_assert_cmpint (from, ==, ms_of ("2026-03-29T00:00:00+01:00"));
  g_assert_cmpint (to, ==, ms_of ("2026-03-30T00:00:00+02:00"));
  g_assert_cmpint (to - from, ==, 23 * HOUR_MS);
  g_assert_true (tr_service_range_get_bounds (TR_SERVICE_RANGE_LAST_7_DAYS, now, &from, &to));
  g_assert_cmpint (to - from, ==, 7 * DAY_MS - HOUR_MS);
}

static void
test_names (void)
{
  TrServiceRange range = TR_SERVICE_RANGE_TODAY;

  for (guint i = TR_SERVICE_RANGE_TODAY; i <= TR_SERVICE_RANGE_LAST_7_DAYS; i++)
    {
      g_assert_true (tr_service_range_from_string (tr_service_range_to_string (i), &range));
      g_assert_cmpuint (range, ==, i);
    }
  g_assert_cmpstr (tr_service_range_to_string (TR_SERVICE_RANGE_LAST_7_DAYS), ==, "week");
  g_assert_false (tr_service_range_from_string ("tomorrow", &range));
  g_assert_false (tr_service_range_from_string (NULL, &range));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/service-range/plain", test_plain);
  g_test_add_func ("/service-range/local-day", test_local_day);
  g_test_add_func ("/service-range/month-boundaries", test_month_boundaries);
  g_test_add_func ("/service-range/clock-change", test_clock_change);
  g_test_add_func ("/service-range/names", test_names);
  return g_test_run ();
}
