/* tr-print-spool.h: the host's printers, driven off its loop
 *
 * One worker thread per printer (tr-print-worker.c) reads the event log
 * on its own read-only connection from the printer's cursor, decides
 * the slips (tr-print-decide.c), sends them over TCP with DLE EOT status
 * before and after, and has the host's writer journal each slip once the
 * printer took it. The loop only wakes the workers when events commit,
 * tells them which routes no live screen shows, and publishes their
 * state. Private to TrHost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-printer.h"
#include "tr-slip.h"
#include "tr-station-info.h"
#include "tr-store-printers.h"

G_BEGIN_DECLS

typedef struct _TrPrintSpool TrPrintSpool;

/* How the workers reach the host's writer: @write queues @func(@data)
 * on it from the loop and calls @done(@done_data, ok) on the loop. */
typedef gboolean (*TrPrintWriteFunc) (TrStore *store, gpointer data, GError **error);
typedef void (*TrPrintDoneFunc) (gpointer done_data, gboolean ok, const GError *error);
typedef void (*TrPrintSubmitWrite) (gpointer owner, TrPrintWriteFunc func, gpointer data,
                                    GDestroyNotify destroy, TrPrintDoneFunc done,
                                    gpointer done_data);

/* On the owner's @context (the host's). @changed runs there, coalesced,
 * when a printer's state, pending count or configuration changed. */
TrPrintSpool *tr_print_spool_new (const char *db_path, GMainContext *context,
                                  TrPrintSubmitWrite submit_write, gpointer owner,
                                  GCallback changed, guint backoff_max_ms);
/* Stops every worker (cancelling their I/O), hands their last journal
 * writes to the writer, then frees. */
void          tr_print_spool_free (TrPrintSpool *self);

/* Reads the printers table again and starts, restarts or stops workers
 * to match it. */
gboolean      tr_print_spool_reload (TrPrintSpool *self, GError **error);
/* New events are committed up to @head_seq. */
void          tr_print_spool_wake (TrPrintSpool *self, gint64 head_seq);
/* The roster changed: which routes a live screen shows now. */
void          tr_print_spool_set_stations (TrPrintSpool *self, GPtrArray *stations);
/* TrPrinterInfo* copies, by name. */
GPtrArray    *tr_print_spool_list (TrPrintSpool *self);
/* Prints a test page on @name ahead of its queue; @task (owned) returns
 * a boolean. */
void          tr_print_spool_test_page (TrPrintSpool *self, const char *name, GTask *task);
/* The printers (TrPrinter* copies) that a reprint goes to. */
GPtrArray    *tr_print_spool_get_printers (TrPrintSpool *self);

/* TRUE when a station of @role shows @route on a screen (NULL route:
 * the items routed nowhere, which every kitchen screen shows). */
gboolean      tr_print_role_shows_route (const char *role, const char *route);

/* Sends @slip to @printer once, from this thread, blocking: status
 * before, the slip, status after (tr-print-worker.c). For `ticketrail-host
 * printers test`, which runs beside the host. *@out_state: what the
 * printer said. */
gboolean      tr_print_send_slip (const TrPrinter *printer, const TrSlip *slip,
                                  TrPrinterState *out_state, GError **error);

G_END_DECLS
