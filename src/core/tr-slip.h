/* tr-slip.h: what a kitchen printer puts on paper, line by line
 *
 * A cook reads a slip in one glance, at arm's length, with greasy
 * hands: the ticket number big, RUSH and allergens impossible to miss,
 * then the items, grouped by course. A slip here is a list of lines
 * that already fit the paper (a 58 mm roll has 32 columns, an 80 mm
 * one 42 or 48), each with its emphasis. Turning it into printer bytes
 * is tr-escpos.c's job; deciding what to print, and when, is the host's.
 *
 * Pure: no I/O, no clock (times come in the ticket, the time zone is
 * passed), unit-tested in tests/test-slip.c against golden texts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tr-ticket.h"

G_BEGIN_DECLS

/* The narrowest and widest rolls printed on: 58 mm and 80 mm paper. */
#define TR_SLIP_MIN_COLUMNS 32
#define TR_SLIP_MAX_COLUMNS 48

typedef enum
{
  TR_SLIP_STYLE_PLAIN = 0,
  TR_SLIP_STYLE_BOLD = 1 << 0,
  /* Double width and height: half as many columns. */
  TR_SLIP_STYLE_DOUBLE = 1 << 1,
  /* White on black. */
  TR_SLIP_STYLE_REVERSED = 1 << 2,
  TR_SLIP_STYLE_CENTRED = 1 << 3,
} TrSlipStyle;

typedef struct
{
  char *text; /* UTF-8, no newline, fits the slip's columns */
  TrSlipStyle style;
} TrSlipLine;

typedef enum
{
  TR_SLIP_TICKET,     /* a new ticket: everything for the route */
  TR_SLIP_AMENDMENT,  /* AMENDED: only what changed */
  TR_SLIP_READY_CHIT, /* for expo or runners: the ticket is ready */
  TR_SLIP_TEST_PAGE,
} TrSlipKind;

typedef struct
{
  TrSlipKind kind;
  guint columns;
  GPtrArray *lines; /* TrSlipLine*, owned */
} TrSlip;

typedef struct
{
  /* TR_SLIP_MIN_COLUMNS..TR_SLIP_MAX_COLUMNS */
  guint columns;
  /* Only the items routed there (and those routed nowhere), and the
   * route's name on top; NULL: every item. */
  const char *route;
  /* Printed again on purpose: marked REPRINT. */
  gboolean reprint;
  /* Where the restaurant is, for the times printed; NULL: local. */
  GTimeZone *time_zone;
} TrSlipOptions;

void
tr_slip_free (TrSlip *slip);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrSlip, tr_slip_free)

/* The slip of a new ticket, or NULL when nothing on it is for
 * @options->route (no paper for a station with nothing to cook). */
TrSlip *
tr_slip_new_ticket (const TrTicket *ticket, const TrSlipOptions *options);

/* The AMENDED slip between two versions of a ticket: added, voided and
 * changed lines only, and the ticket's own changes (table, note, rush).
 * NULL when nothing changed for @options->route. */
TrSlip *
tr_slip_new_amendment (const TrTicket *before, const TrTicket *after, const TrSlipOptions *options);

/* A short chit when @ticket turns ready: the number, where it goes and
 * what is on it. */
TrSlip *
tr_slip_new_ready_chit (const TrTicket *ticket, const TrSlipOptions *options);

/* What Print Test Page prints: the printer's name and settings, a ruler
 * of the columns and the emphasis it can do. @now: ms. */
TrSlip *
tr_slip_new_test_page (const char *printer_name, const char *address, gint64 now,
                       const TrSlipOptions *options);

/* The slip as plain text: one line per line, for logs and previews. */
char *
tr_slip_to_text (const TrSlip *slip);

G_END_DECLS
