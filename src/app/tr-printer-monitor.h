/* tr-printer-monitor.h: the host monitor's printers
 *
 * One row per kitchen printer of the host: its set-up, and how it is
 * doing (ready, offline, paper out, cover open; since when, the slips
 * waiting, the last error), in the words of tr-printer-status.h. Follows
 * the host's "printers-changed"; hidden while the host has no printer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-host.h"

G_BEGIN_DECLS

#define TR_TYPE_PRINTER_MONITOR (tr_printer_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TrPrinterMonitor, tr_printer_monitor, TR, PRINTER_MONITOR, GtkWidget)

/* Properties:
 *   "host"  TrHost*  whose printers it shows, or NULL
 */
GtkWidget *tr_printer_monitor_new      (TrHost *host);
void       tr_printer_monitor_set_host (TrPrinterMonitor *self,
                                        TrHost           *host);
/* Reads the host's printers again. */
void       tr_printer_monitor_refresh  (TrPrinterMonitor *self);
/* One line per printer, "NAME\tSTATE\tSTATUS" (STATE as
 * tr_printer_state_to_string(), STATUS the line shown), in display
 * order (tests). */
GStrv      tr_printer_monitor_dup_summary (TrPrinterMonitor *self);

G_END_DECLS
