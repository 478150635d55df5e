/* tr-kitchen-rules.h: what a kitchen screen shows, and what a cook's
 * gestures on it mean
 *
 * The kitchen view draws cards and routes input; the rules it follows
 * are here, with no GTK, no I/O and no clock but the one passed in, so
 * that every state × gesture is unit-tested (tests/test-kitchen-rules.c):
 *
 *   - which tickets a screen shows, and what it counts "all day";
 *   - which op(s) a bump or a tap on an item builds for a ticket or an
 *     item in a given state, or the TR_ERROR that refuses it.
 *
 * Recall, the same on every screen, is tr-recall.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-op.h"

G_BEGIN_DECLS

/* ---- What belongs to a station ---- */

/* TRUE when @item is @station's to make; an item routed nowhere, or a
 * @station of NULL or "" (the whole kitchen), matches. Case-insensitive. */
gboolean tr_item_is_for_station    (const TrItem *item, const char *station);
/* The newest change time on @ticket, 0 when it was never amended. */
gint64   tr_ticket_last_change_at  (const TrTicket *ticket);
/* TRUE when @change (one of @ticket's) is news to @station: a ticket
 * change is everyone's, an item change that item's station's. */
gboolean tr_change_is_for_station  (const TrTicket *ticket, const TrChange *change,
                                    const char *station);
/* TRUE when @ticket has changes after @acked_at that @station sees. */
gboolean tr_ticket_has_changes_for (const TrTicket *ticket, const char *station, gint64 acked_at);

/* ---- Display order ---- */

/* The order of a kitchen screen's tickets: with @rush_first (the
 * "rush-first" setting, on by default) every rush ticket ahead of the
 * normal ones; within each group oldest first (created_at, then number,
 * then id, so the order is total and the same on every screen).
 * <0, 0 or >0. */
int tr_kitchen_compare_tickets (const TrTicket *a, const TrTicket *b, gboolean rush_first);

/* ---- The screen ---- */

typedef enum
{
  TR_KITCHEN_ROLE_KITCHEN, /* "kitchen": a bump readies what this screen makes */
  TR_KITCHEN_ROLE_EXPO,    /* "expo" or "foh": the pass; a bump serves */
} TrKitchenRole;

/* "expo" and "foh" are the pass; anything else, NULL too, a kitchen. */
TrKitchenRole tr_kitchen_role_from_string (const char *role);

typedef struct
{
  TrKitchenRole role;
  const char   *station; /* e.g. "grill"; NULL or "" for the whole kitchen; not owned */
} TrKitchenScreen;

/* The station whose items @screen shows, or NULL for all of them: the
 * expo sees the whole pass whatever station is set. */
const char *tr_kitchen_screen_get_station_filter (const TrKitchenScreen *screen);

/* TRUE when @screen shows @ticket, whose changes were last acknowledged
 * on it at @acked_at (0: never). A kitchen shows tickets with something
 * left to make; the expo, open ones; both keep a cancelled ticket until
 * it is dismissed and a change until it is acknowledged. */
gboolean tr_kitchen_screen_shows_ticket (const TrKitchenScreen *screen, const TrTicket *ticket,
                                         gint64 acked_at);

typedef struct
{
  char  *name;
  guint  count;
} TrAllDayEntry;

void tr_all_day_entry_free (TrAllDayEntry *entry);

/* "All day": what is still to make on @screen across @tickets (const
 * TrTicket*), by item name, most first, then by name. Returns
 * TrAllDayEntry*, owned. */
GPtrArray *tr_kitchen_screen_count_all_day (const TrKitchenScreen *screen,
                                            const GPtrArray       *tickets);

/* ---- Gestures ---- */

typedef enum
{
  TR_BUMP_SUBMIT,      /* submit the ops, in order, stopping at the first refused */
  TR_BUMP_DISMISS,     /* a cancelled ticket: take it off this screen; no op */
  TR_BUMP_ACKNOWLEDGE, /* nothing left to make here, only news: acknowledge it; no op */
} TrBumpAction;

/* What bumping @ticket on @screen means. On a kitchen screen for one
 * station, its unfinished items go ready; for the whole kitchen, the
 * ticket goes ready; on the expo it goes served (through ready). Returns
 * the ops (TrOp*, issued by @station_id; empty unless *@action is
 * TR_BUMP_SUBMIT), or NULL with @error TR_ERROR_ILLEGAL_TRANSITION when
 * the bump cannot mean anything (a served ticket on the expo). */
GPtrArray *tr_kitchen_rules_bump (const TrKitchenScreen *screen,
                                  const TrTicket        *ticket,
                                  const char            *station_id,
                                  TrBumpAction          *action,
                                  GError               **error);

/* What a tap on item @item_id of @ticket means: pending → preparing,
 * preparing → ready, and ready → preparing again, which takes back a
 * mis-tap. Returns the op, issued by @station_id, or NULL with @error:
 * TR_ERROR_UNKNOWN_ITEM, or TR_ERROR_ILLEGAL_TRANSITION for a served or
 * voided item. */
TrOp *tr_kitchen_rules_tap_item (const TrKitchenScreen *screen,
                                 const TrTicket        *ticket,
                                 const char            *item_id,
                                 const char            *station_id,
                                 GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrAllDayEntry, tr_all_day_entry_free)

G_END_DECLS
