/* tr-print-spool-private.h: what the spool (the loop's side) and its
 * workers (one thread per printer) share
 *
 * One mutex and one condition for the whole spool: a kitchen has a few
 * printers, and every wait re-checks its own condition.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-print-spool.h"

G_BEGIN_DECLS

typedef struct _Worker Worker;

struct _TrPrintSpool
{
  grefcount ref; /* the owner's, and each journal write in flight */

  char *db_path;
  GMainContext *context;
  TrPrintSubmitWrite submit_write;
  gpointer owner;
  void (*changed) (gpointer owner);
  guint backoff_max_ms;

  /* The loop's only. */
  TrStore *config;     /* read-only: the printers table */
  GHashTable *workers; /* name → Worker* */
  gboolean freed;      /* the owner let go: no more idles */
  GPtrArray *roles;    /* the roles of the stations connected now (char*) */

  GMutex lock;
  GCond cond;          /* every wait of every worker */
  /* route ("" for a printer of every route) → gint64* ms since no live
   * screen shows it; absent while one does. Under lock. */
  GHashTable *uncovered;
  gint64 head_seq;     /* under lock */
  GQueue outgoing;     /* JournalWrite*, for the loop to hand to the writer; under lock */
  GSource *outgoing_idle;  /* under lock */
  GSource *changed_idle;   /* under lock */
};

struct _Worker
{
  TrPrintSpool *spool;
  TrPrinter *printer; /* fixed for the worker's life: a change makes a new worker */
  GThread *thread;
  GCancellable *cancellable;

  /* Under the spool's lock. */
  gboolean stop;
  gboolean wake;
  GQueue test_pages; /* GTask* */
  TrPrinterState state;
  gint64 state_since;
  char *last_error;
  guint pending;
  gint64 pending_head; /* the spool's head_seq when pending was counted */
  gint64 last_printed_at;
};

/* tr-print-worker.c */
gpointer _tr_print_worker_run (gpointer data);

/* tr-print-spool.c, from a worker: the spool's state changed. Called
 * with the lock held. */
void _tr_print_spool_changed_locked (TrPrintSpool *self);
/* Hands @record to the writer through the loop and waits until it is
 * durable (TRUE), failed (FALSE with @error) or the worker is stopped
 * (FALSE, no error: the write still happens). */
gboolean _tr_print_spool_journal (TrPrintSpool *self, Worker *worker, TrPrintRecord *record,
                                  gint64 cursor_seq, GError **error);
/* The ms since when no live screen shows @route (NULL: every route), 0
 * while one does. Under lock. */
gint64 _tr_print_spool_uncovered_since_locked (TrPrintSpool *self, const char *route);

G_END_DECLS
