/* tr-service-chart.h: tickets per hour of day, coloured by how long
 * they took
 *
 * One bar per hour: its height the hour's tickets, its colour the
 * kitchen's age colour its average time to ready earns against the
 * report's thresholds (tr_lateness_of()): the fresh card's green, the
 * warning's yellow, the late one's red, the colours style.css defines
 * once for the cards and this chart (@age_fresh_color and the others).
 * Drawn with GtkSnapshot; its accessible description says the same in
 * words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-service-stats.h"

G_BEGIN_DECLS

#define TR_TYPE_SERVICE_CHART (tr_service_chart_get_type ())
G_DECLARE_FINAL_TYPE (TrServiceChart, tr_service_chart, TR, SERVICE_CHART, GtkWidget)

GtkWidget *
tr_service_chart_new (void);
/* Shows @report's hours (copied; NULL: none). */
void
tr_service_chart_set_report (TrServiceChart *self, const TrServiceReport *report);
/* The accessible description, e.g. "42 tickets. Busiest hour: 13:00,
 * 12 tickets. 2 hours past the warning time, 1 past the late time." */
const char *
tr_service_chart_get_summary (TrServiceChart *self);
/* The lateness the bar of @hour is drawn in (tests). */
TrLateness
tr_service_chart_get_hour_lateness (TrServiceChart *self, guint hour);

G_END_DECLS
