/* tr-printer-alerts.h: when a kitchen printer that is down is worth
 * telling people about
 *
 * A printer that goes down mid-service is as bad as a dropped screen:
 * its slips wait, and a line that works from paper sees nothing. The app
 * raises the same kind of alert for it (tr-link-watch.c: a toast, a
 * notification, the alert sound). What to announce, and when, is decided
 * here: no I/O, no clock but the one passed in; unit-tested in
 * tests/test-printer-alerts.c.
 *
 * The rules:
 *   - A printer is down while its state is one that alerts
 *     (tr_printer_state_is_alert(): offline, paper out, cover open).
 *     "Unknown" (not reached yet) changes nothing known.
 *   - Down for @threshold_ms or more, counted from its state_since (or
 *     from the first check that saw it down, when the host does not
 *     say), it is announced once per outage, with its state then.
 *   - An outage lasts until the printer is ready again: going from
 *     offline to paper out is the same outage, not a second alert.
 *   - Its return is announced only when its outage was.
 *   - Unlike a screen, a printer need not be seen ready first: it is
 *     configured to print, so one that is down from the start is news.
 *   - A printer no longer listed (removed, renamed) is forgotten.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tr-printer.h"

G_BEGIN_DECLS

/* Short enough for paper running out mid-rush, long enough that a
 * printer's own reconnect after a blip is no news. */
#define TR_PRINTER_ALERT_DEFAULT_THRESHOLD_MS ((gint64)10 * 1000)

typedef struct
{
  gboolean back;          /* FALSE: it is down; TRUE: it is back */
  char *name;             /* the printer's */
  TrPrinterState state;   /* down: why (offline, paper out, cover open); back: ready */
  gint64 since;           /* ms: when it went down (down), when it came back (back) */
  gint64 down_ms;         /* back: how long it was down */
  guint pending_slips;    /* slips waiting when the alert was raised */
} TrPrinterAlert;

void tr_printer_alert_free (TrPrinterAlert *alert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrPrinterAlert, tr_printer_alert_free)

typedef struct _TrPrinterAlerts TrPrinterAlerts;

TrPrinterAlerts *tr_printer_alerts_new           (gint64 threshold_ms);
void             tr_printer_alerts_free          (TrPrinterAlerts *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrPrinterAlerts, tr_printer_alerts_free)

gint64           tr_printer_alerts_get_threshold (TrPrinterAlerts *self);
/* Applies from the next check, to outages under way too. */
void             tr_printer_alerts_set_threshold (TrPrinterAlerts *self,
                                                  gint64           threshold_ms);

/* Takes the printers as they are at @now (@infos: TrPrinterInfo*, as
 * tr_host_list_printers() gives them; one not in it is forgotten) and
 * returns the alerts due (TrPrinterAlert*, possibly empty, to unref). */
GPtrArray       *tr_printer_alerts_check         (TrPrinterAlerts *self,
                                                  GPtrArray       *infos,
                                                  gint64           now);
/* When, at the latest, to check again if nothing changes in between: the
 * earliest moment an outage under way crosses the threshold (ms, the
 * clock of @now), or -1 when none is pending. */
gint64           tr_printer_alerts_next_due      (TrPrinterAlerts *self);

G_END_DECLS
