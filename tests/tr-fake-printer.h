/* tr-fake-printer.h: a kitchen printer on loopback, for the tests
 *
 * A real TCP server (its own thread) that reads the ESC/POS stream the
 * way a printer does (tr-test-escpos.c: any byte sequence a printer
 * would not take fails the test), records each cut slip as text and
 * answers DLE EOT status queries. It can be told to go offline (the
 * port refuses, open connections are cut), to stall (it stops reading,
 * as a jammed printer does), to report paper out, or to lie (answer a
 * byte that is no ESC/POS status).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TR_FAKE_PRINTER_ONLINE,
  TR_FAKE_PRINTER_OFFLINE,
  TR_FAKE_PRINTER_STALLED,
  TR_FAKE_PRINTER_PAPER_OUT,
  TR_FAKE_PRINTER_LYING,
} TrFakePrinterMode;

typedef struct _TrFakePrinter TrFakePrinter;

/* Listens on 127.0.0.1, on @port (0: a free one). */
TrFakePrinter *tr_fake_printer_new (guint columns, guint port);
void           tr_fake_printer_free (TrFakePrinter *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrFakePrinter, tr_fake_printer_free)

guint  tr_fake_printer_get_port (TrFakePrinter *self);
/* "tcp://127.0.0.1:PORT" */
char  *tr_fake_printer_dup_address (TrFakePrinter *self);
void   tr_fake_printer_set_mode (TrFakePrinter *self, TrFakePrinterMode mode);

/* The slips printed so far, as text (tr-test-escpos.h), oldest first. */
GPtrArray *tr_fake_printer_dup_slips (TrFakePrinter *self);
guint  tr_fake_printer_count_slips (TrFakePrinter *self);
/* Status queries answered so far. */
guint  tr_fake_printer_count_queries (TrFakePrinter *self);
/* Connections accepted so far. */
guint  tr_fake_printer_count_connections (TrFakePrinter *self);
/* How many slips contain @needle. */
guint  tr_fake_printer_count_matching (TrFakePrinter *self, const char *needle);
/* Iterates the thread-default context until @n slips are printed (a
 * generous deadline, then the test fails). */
void   tr_fake_printer_wait_slips (TrFakePrinter *self, guint n);

G_END_DECLS
