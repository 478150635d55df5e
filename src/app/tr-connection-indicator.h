/* tr-connection-indicator.h: the header bar's honest connection state
 *
 * A button that says how this station stands with the host ("Live",
 * "Polling", "Reconnecting in 4 s", "Offline · 2 changes queued", or
 * "Hosting · 3 stations"), with a popover of the details, "Reconnect
 * now" and "Test connection".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-clock.h"
#include "tr-connection-test.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_CONNECTION_INDICATOR (tr_connection_indicator_get_type ())
G_DECLARE_FINAL_TYPE (TrConnectionIndicator, tr_connection_indicator, TR, CONNECTION_INDICATOR,
                      GtkWidget)

/* Properties:
 *   "station"  TrStation*  construct-only
 *   "clock"    TrClock*    construct-only
 *   "label"    string      (read-only) what the button says
 *   "testing"  gboolean    (read-only) a connection test is running
 * Actions: indicator.reconnect, indicator.test
 */
GtkWidget *
tr_connection_indicator_new (TrStation *station, TrClock *clock);
const char *
tr_connection_indicator_get_label (TrConnectionIndicator *self);
gboolean
tr_connection_indicator_get_testing (TrConnectionIndicator *self);
/* The popover (for tests and screenshots). */
GtkPopover *
tr_connection_indicator_get_popover (TrConnectionIndicator *self);
/* The popover's list of this station's last link changes, newest first,
 * after a title line; "" on the host (tests). */
char *
tr_connection_indicator_dup_log_text (TrConnectionIndicator *self);
void
tr_connection_indicator_popup (TrConnectionIndicator *self);

G_END_DECLS
