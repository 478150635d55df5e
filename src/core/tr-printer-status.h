/* tr-printer-status.h: what a manager is told about a kitchen printer
 *
 * Preferences' Printers page and the host monitor only draw what these
 * functions say: the words for a printer's state, its set-up and its
 * modes, and their severity, are kept here without GTK so that they are
 * unit-tested (tests/test-printer-status.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tr-printer.h"

G_BEGIN_DECLS

typedef enum
{
  TR_PRINTER_SEVERITY_NEUTRAL, /* not reached yet */
  TR_PRINTER_SEVERITY_OK,      /* ready */
  TR_PRINTER_SEVERITY_ERROR,   /* down: offline, paper out, cover open */
} TrPrinterSeverity;

/* The paper widths a kitchen printer comes in, as columns of text. */
#define TR_PRINTER_N_WIDTHS 3
extern const guint tr_printer_widths[TR_PRINTER_N_WIDTHS]; /* 32, 42, 48 */

/* A short label for a pill: "Ready", "Offline", "Paper out"… */
const char       *tr_printer_status_label      (TrPrinterState state);
TrPrinterSeverity tr_printer_status_severity   (TrPrinterState state);

/* What to do about a printer in @state, for the end of a sentence
 * ("Grill did not print the test page: it is out of paper: load a new
 * roll"), or NULL for a state that is no problem. */
const char       *tr_printer_status_problem    (TrPrinterState state);

/* One line of how it is doing, e.g. "Offline since 12:03 · 3 slips
 * waiting · Connection refused" or "Ready · last slip 12:05". */
char             *tr_printer_status_describe   (const TrPrinterInfo *info);

/* "58 mm paper, 32 characters a line"; any other width says its
 * characters only. */
char             *tr_printer_width_label       (guint columns);
/* "Every ticket", "When a screen is down", "Ready chits" */
const char       *tr_printer_mode_label        (TrPrinterMode mode);
/* One line a manager understands, e.g. "Prints every new ticket for its
 * stations, and every change to one as an AMENDED slip". */
const char       *tr_printer_mode_explanation  (TrPrinterMode mode);
/* "grill, fries", or "All stations" for none. */
char             *tr_printer_routes_label      (const TrPrinter *printer);
/* One line of its set-up: "tcp://10.0.0.7:9100 · grill · Every ticket
 * · 80 mm paper, 42 characters a line". */
char             *tr_printer_describe_setup    (const TrPrinter *printer);

G_END_DECLS
