/* tr-link-timeline.h: a station's connection history as a strip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-link-history.h"

G_BEGIN_DECLS

#define TR_TYPE_LINK_TIMELINE (tr_link_timeline_get_type ())
G_DECLARE_FINAL_TYPE (TrLinkTimeline, tr_link_timeline, TR, LINK_TIMELINE, GtkWidget)

GtkWidget *tr_link_timeline_new (void);
/* Draws @summary's window: up in the theme's success colour, outages in
 * its error colour, what is unknown (before the first link) dim. NULL
 * draws nothing known. The summary is copied. */
void tr_link_timeline_set_summary (TrLinkTimeline *self, const TrLinkSummary *summary);

G_END_DECLS
