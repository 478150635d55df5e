/* tr-store-printers.h: the host's printers and its print journal
 *
 * On the host these are written only by its writer thread (through
 * TrHost), or by `ticketrail-host printers` in another process; the
 * print spool reads them on its own read-only connections. The exactly
 * once protocol they carry is in docs/printing.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-printer.h"
#include "tr-store.h"

G_BEGIN_DECLS

/* How long a printed slip stays in the journal once its ticket left the
 * event log (tr_store_prune_journal()). */
#define TR_PRINT_JOURNAL_KEEP_MS ((gint64)24 * 60 * 60 * 1000)

/* The journal's kinds of slip. */
#define TR_PRINT_KIND_TICKET "ticket"
#define TR_PRINT_KIND_AMENDMENT "amendment"
#define TR_PRINT_KIND_READY_CHIT "ready-chit"
#define TR_PRINT_KIND_REPRINT "reprint"

/* TrPrinter*, by name; NULL with @error. */
GPtrArray *tr_store_list_printers  (TrStore *self, GError **error);
/* The cursor (see the table) of @name, -1 when there is no such printer. */
gint64     tr_store_get_printer_cursor (TrStore *self, const char *name, GError **error);
/* Adds or replaces; a new printer's cursor is the log's head (no backlog),
 * a replaced one keeps its own. Validates first (TR_ERROR_INVALID). */
gboolean   tr_store_save_printer   (TrStore *self, const TrPrinter *printer, gint64 now,
                                    GError **error);
/* Removes it and its journal; *@out_found FALSE when there was none. */
gboolean   tr_store_remove_printer (TrStore *self, const char *name, gboolean *out_found,
                                    GError **error);

/* One slip a printer took, or (printed_at 0) a reprint waiting. */
typedef struct
{
  gint64  id;
  char   *printer;
  char   *ticket_id;
  gint64  version;
  char   *kind;
  char   *route;      /* "" = every route */
  gint64  seq;        /* the event that asked for it; 0 for a reprint */
  gint64  printed_at; /* ms; 0: waiting */
  char   *data;       /* the ticket as printed (JSON), or NULL */
} TrPrintRecord;

void tr_print_record_free (TrPrintRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrPrintRecord, tr_print_record_free)

/* Records that @record's printer took it (@record->printed_at set), and
 * moves that printer's cursor to @cursor_seq (when larger), in one
 * transaction. A record with an id (a waiting reprint) is marked
 * printed. A record already in the journal is not an error (nothing
 * changes): the journal is its own dedupe. */
gboolean   tr_store_journal_add    (TrStore *self, const TrPrintRecord *record, gint64 cursor_seq,
                                    GError **error);
/* Moves a printer's cursor on past events that needed no slip. */
gboolean   tr_store_set_printer_cursor (TrStore *self, const char *name, gint64 cursor_seq,
                                        GError **error);
/* Queues a reprint of @ticket_id on @printer (printed_at NULL). */
gboolean   tr_store_queue_reprint  (TrStore *self, const char *printer, const char *ticket_id,
                                    gint64 version, const char *route, gint64 now, GError **error);
/* TRUE in *@out_found when (printer, ticket, version, kind, route) was printed. */
gboolean   tr_store_journal_has    (TrStore *self, const char *printer, const char *ticket_id,
                                    gint64 version, const char *kind, const char *route,
                                    gboolean *out_found, GError **error);
/* The newest ticket or amendment slip of @ticket_id printed on @printer
 * for @route, or NULL (no error) when there is none. */
TrPrintRecord *tr_store_journal_last (TrStore *self, const char *printer, const char *ticket_id,
                                      const char *route, GError **error);
/* The reprints waiting on @printer, oldest first (TrPrintRecord*). */
GPtrArray *tr_store_journal_waiting (TrStore *self, const char *printer, GError **error);
/* Deletes the slips printed before @before_ms whose ticket has no event
 * left in the log (the host's minutely maintenance, with 24 h). */
gboolean   tr_store_prune_journal  (TrStore *self, gint64 before_ms, GError **error);
/* Every record of @printer, oldest first (tests, `printers list`). */
GPtrArray *tr_store_journal_list   (TrStore *self, const char *printer, GError **error);

G_END_DECLS
