/* tr-test-escpos.h: reads an ESC/POS stream back, as a printer would
 *
 * What the fake printer of the tests records, and what the golden slips
 * in docs/slips/ show: each printed line framed at the paper's width,
 * double-size text spread over two columns a letter, and the emphasis
 * named on the right (B bold, 2 double, R reversed, C centred). A cut
 * ends a slip. Any byte sequence a kitchen printer would not take is an
 * error, so a test sees a stray command in a name or a note.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  /* Each cut slip as text, oldest first. */
  GPtrArray *slips;
  /* The status queries seen (DLE EOT n), in order. */
  GArray *status_queries; /* guint8 */
  /* What came after the last cut. */
  GString *pending;
} TrTestEscpos;

TrTestEscpos *
tr_test_escpos_new (guint columns);
void
tr_test_escpos_free (TrTestEscpos *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrTestEscpos, tr_test_escpos_free)

/* Reads @len bytes (a whole stream or a piece of one: a command cut
 * between two reads waits for the rest). FALSE with @error on a byte
 * sequence no kitchen printer takes. */
gboolean
tr_test_escpos_feed (TrTestEscpos *self, const guint8 *data, gsize len, GError **error);

/* The rendering of a whole stream: its slips one after another. */
char *
tr_test_escpos_render (GBytes *stream, guint columns, GError **error);

G_END_DECLS
