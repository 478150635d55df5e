/* tr-service-range.c: today, yesterday, the last seven days (see the
 * header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-service-range"

#include "tr-service-range.h"

static const char *const names[] = {
  [TR_SERVICE_RANGE_TODAY] = "today",
  [TR_SERVICE_RANGE_YESTERDAY] = "yesterday",
  [TR_SERVICE_RANGE_LAST_7_DAYS] = "week",
};

const char *
tr_service_range_to_string (TrServiceRange range)
{
  g_return_val_if_fail ((guint)range < G_N_ELEMENTS (names), NULL);

  return names[range];
}

gboolean
tr_service_range_from_string (const char *name, TrServiceRange *out_range)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i]))
      {
        *out_range = (TrServiceRange)i;
        return TRUE;
      }
  return FALSE;
}

/* The midnight that starts the day @days after @now's, in @now's zone,
 * as ms since the epoch. The days are counted on the calendar at noon,
 * which no clock change skips, and the midnight is then made from the
 * date: adding 24 hours would land at 23:00 or 01:00 across a change. */
static gboolean
midnight_after (GDateTime *now, int days, gint64 *out_ms)
{
  GTimeZone *tz = g_date_time_get_timezone (now);
  g_autoptr (GDateTime) noon
    = g_date_time_new (tz, g_date_time_get_year (now), g_date_time_get_month (now),
                       g_date_time_get_day_of_month (now), 12, 0, 0);
  g_autoptr (GDateTime) day = noon != NULL ? g_date_time_add_days (noon, days) : NULL;
  g_autoptr (GDateTime) midnight = NULL;

  if (day == NULL)
    return FALSE;
  midnight = g_date_time_new (tz, g_date_time_get_year (day), g_date_time_get_month (day),
                              g_date_time_get_day_of_month (day), 0, 0, 0);
  if (midnight == NULL)
    return FALSE;
  *out_ms = g_date_time_to_unix (midnight) * 1000;
  return TRUE;
}

gboolean
tr_service_range_get_bounds (TrServiceRange range, GDateTime *now, gint64 *out_from, gint64 *out_to)
{
  int first, last;

  g_return_val_if_fail (now != NULL && out_from != NULL && out_to != NULL, FALSE);

  switch (range)
    {
      case TR_SERVICE_RANGE_YESTERDAY:
        first = -1, last = 0;
        break;
      case TR_SERVICE_RANGE_LAST_7_DAYS:
        first = -6, last = 1;
        break;
      case TR_SERVICE_RANGE_TODAY:
      default:
        first = 0, last = 1;
        break;
    }
  return midnight_after (now, first, out_from) && midnight_after (now, last, out_to);
}
