/* tr-service-range.h: the ranges of time a manager looks at speed of
 * service over
 *
 * Today, yesterday and the last seven days, from local midnight to
 * local midnight: a day is the calendar day of the clock on the wall
 * (23 or 25 hours on the days the clocks change), never 24 hours back
 * from now. Pure: the time and its zone are passed in; unit-tested in
 * tests/test-service-range.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TR_SERVICE_RANGE_TODAY,
  TR_SERVICE_RANGE_YESTERDAY,
  TR_SERVICE_RANGE_LAST_7_DAYS,
} TrServiceRange;

/* "today", "yesterday", "week": the names the Service view's action
 * takes. */
const char *
tr_service_range_to_string (TrServiceRange range);
gboolean
tr_service_range_from_string (const char *name, TrServiceRange *out_range);

/* The range containing @now as [@out_from, @out_to) in ms since the
 * epoch, midnights in @now's own time zone:
 *   today       this midnight → the next one
 *   yesterday   the midnight before this one → this one
 *   week        six days before this midnight → the next one (today and
 *               the six days before it)
 * FALSE only when a date would be out of GDateTime's range. */
gboolean
tr_service_range_get_bounds (TrServiceRange range, GDateTime *now, gint64 *out_from,
                             gint64 *out_to);

G_END_DECLS
