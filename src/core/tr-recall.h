/* tr-recall.h: recall, the same on every screen
 *
 * A recall takes back a bump. The list of what can be recalled is not
 * kept by each screen (a GSettings key, a browser's localStorage): it is
 * derived from the tickets themselves, as every station holds them,
 * replicated from the host's log. An item's ready_at and served_at are
 * stamped by the host's clock when it applies the op, and every station
 * and browser receives the same tickets, so every screen computes the
 * same list: expo sees what grill bumped, and a recall made on one
 * screen (ops through the client like any bump, confirmed by the host)
 * changes the list on all of them.
 *
 * Why derived and not a host endpoint: the tickets already reach every
 * screen, live and in order, offline-cached, over WebSocket and long
 * polling alike; a list built from them needs no new frame, no new
 * request, and can never disagree with the tickets a screen shows.
 *
 * The rules, with no GTK, no I/O and no clock but the one passed in
 * (tests/test-recall.c; data/web/recall.js is the browser's copy):
 *
 *   - a ticket is listed while something of it stands bumped: it is
 *     served, or some of its items are ready or served; it is not
 *     listed once cancelled, nor when nothing of it is bumped;
 *   - it was bumped at the newest host time among those: served_at of
 *     a served ticket's items; else ready_at of its ready items and
 *     served_at of its served ones;
 *   - the list holds the tickets bumped within TR_RECALL_WINDOW_MS of
 *     now, newest first (then the higher number, then the id, so the
 *     order is total), at most TR_RECALL_MAX;
 *   - what a recall does (tr_recall_build_ops()) depends on the ticket
 *     as it is when recalled, not on who bumped it: see there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-kitchen-rules.h"

G_BEGIN_DECLS

/* The most recalls listed, on every screen. */
#define TR_RECALL_MAX 50
/* How long a bump stays recallable: 30 minutes, in ms. */
#define TR_RECALL_WINDOW_MS ((gint64)30 * 60 * 1000)

typedef struct
{
  char *ticket_id;
  int number;
  char *table;      /* NULL when none */
  gint64 bumped_at; /* ms, the host's clock */
} TrRecall;

/* @ticket's recall, or NULL when nothing of it stands bumped (or it is
 * cancelled). Free with tr_recall_free(). */
TrRecall *
tr_recall_new_for_ticket (const TrTicket *ticket);
void
tr_recall_free (TrRecall *recall);
/* Newest bump first, then the higher number, then the id. */
int
tr_recall_compare (const TrRecall *a, const TrRecall *b);

/* What recalling @ticket from @screen means, wherever it was bumped:
 *   - a served ticket goes back to ready, on the pass again;
 *   - otherwise its bumped items go back one step (ready → preparing,
 *     served → ready). A kitchen screen for one station takes back only
 *     its own items when it has some bumped; when it has none (another
 *     station bumped them), it takes back the other station's. The expo
 *     and the whole kitchen take back every bumped item: expo can send
 *     back what grill bumped. A ready ticket whose ready items all come
 *     back goes back as a whole (ready → preparing), which returns the
 *     items nobody had started to pending.
 * Returns the ops (TrOp*, issued by @station_id), empty when nothing of
 * the ticket stands bumped, or NULL with @error
 * TR_ERROR_ILLEGAL_TRANSITION for a cancelled ticket. */
GPtrArray *
tr_recall_build_ops (const TrKitchenScreen *screen, const TrTicket *ticket, const char *station_id,
                     GError **error);

/* The list a screen shows: it takes each ticket as it changes
 * (tr_recall_list_update()) and the time (tr_recall_list_set_now()),
 * and holds the tickets bumped within the window, newest first, at most
 * TR_RECALL_MAX. Tickets past the first TR_RECALL_MAX are kept, so that
 * one comes into the list when a newer one is recalled. */
typedef struct _TrRecallList TrRecallList;

TrRecallList *
tr_recall_list_new (void);
void
tr_recall_list_free (TrRecallList *self);
/* Takes @ticket as it is now: lists it, moves it or drops it. TRUE when
 * the list shown changed. */
gboolean
tr_recall_list_update (TrRecallList *self, const TrTicket *ticket);
/* The ticket is gone. TRUE when the list shown changed. */
gboolean
tr_recall_list_remove (TrRecallList *self, const char *ticket_id);
/* Forgets every ticket. */
void
tr_recall_list_clear (TrRecallList *self);
/* The window ends at @now (ms). TRUE when the list shown changed. */
gboolean
tr_recall_list_set_now (TrRecallList *self, gint64 now);
guint
tr_recall_list_get_n_recalls (const TrRecallList *self);
/* The @index-th newest. */
const TrRecall *
tr_recall_list_get (const TrRecallList *self, guint index);
/* @ticket_id's, when the list shows it, else NULL. */
const TrRecall *
tr_recall_list_find (const TrRecallList *self, const char *ticket_id);

/* The list of @tickets (const TrTicket*) at @now, at once: TrRecall*,
 * owned. */
GPtrArray *
tr_recall_list_build (const GPtrArray *tickets, gint64 now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrRecall, tr_recall_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrRecallList, tr_recall_list_free)

G_END_DECLS
