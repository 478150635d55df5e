/* tr-escpos.h: slips as ESC/POS bytes, and what a printer says back
 *
 * ESC/POS is what every network kitchen printer (Epson, Star in its
 * ESC/POS mode, Bixolon, the many clones) takes raw on TCP port 9100. We
 * use the small common subset: initialise, code page, bold, double size,
 * reverse, alignment, feed and a partial cut, and the DLE EOT real-time
 * status queries that say whether the cover is open or the paper out.
 *
 * A plain ESC/POS printer prints single-byte code pages only. Text goes
 * out in CP858 (Western European with €), transliterated where it can be
 * (ł → l, “ → ") and as "?" where it cannot: Devanagari, Arabic, Hebrew,
 * Thai, Cyrillic beyond transliteration, and CJK need a printer with
 * their own code page or a raster mode, which we do not drive (see
 * docs/printing.md).
 *
 * Pure: no I/O. Unit-tested in tests/test-escpos.c, and read back by the
 * fake printer of the tests (tests/tr-test-printer.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tr-slip.h"

G_BEGIN_DECLS

#define TR_ESCPOS_ESC 0x1b
#define TR_ESCPOS_GS 0x1d
#define TR_ESCPOS_DLE 0x10
#define TR_ESCPOS_EOT 0x04
#define TR_ESCPOS_LF 0x0a

/* ESC t n: the code page table; only the ones we transliterate into. */
typedef enum
{
  TR_ESCPOS_CP437 = 0,  /* PC437, every printer's default */
  TR_ESCPOS_CP858 = 19, /* PC858, Western European with the euro sign */
} TrEscposCodePage;

/* @text (UTF-8) in @code_page: what has no place in it transliterated,
 * else "?". Control characters become "?" too: a name or a note never
 * reaches the printer as a command. */
GBytes *
tr_escpos_encode_text (const char *text, TrEscposCodePage code_page);

/* The slip as one job: initialise, code page, its lines with their
 * emphasis, a feed and a partial cut (GS V 66). */
GBytes *
tr_escpos_encode_slip (const TrSlip *slip, TrEscposCodePage code_page);

/* DLE EOT n: the real-time status queries. */
typedef enum
{
  TR_ESCPOS_STATUS_PRINTER = 1, /* online or offline */
  TR_ESCPOS_STATUS_OFFLINE = 2, /* why: cover open, paper end, error */
  TR_ESCPOS_STATUS_PAPER = 4,   /* the roll sensor: near end, end */
} TrEscposStatusQuery;

typedef struct
{
  gboolean offline;
  gboolean cover_open;
  gboolean paper_out;
  gboolean paper_low;
  gboolean error;
} TrPrinterStatus;

/* The three bytes of a query. */
void
tr_escpos_status_query (TrEscposStatusQuery query, guint8 out[3]);

/* Reads the answer @byte to @query into @status (only the fields that
 * query covers). A byte whose fixed bits are wrong is no ESC/POS status
 * (a printer that lies, or something else on the port): FALSE with
 * @error, and @status unchanged. */
gboolean
tr_escpos_read_status (TrEscposStatusQuery query, guint8 byte, TrPrinterStatus *status,
                       GError **error);

G_END_DECLS
