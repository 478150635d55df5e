/* tr-kitchen-view.h: the kitchen display, a grid of ticket cards
 *
 * Shows the tickets of a TrStation's store as cards, oldest first, for
 * one kitchen station (or all), and turns taps and bump-bar keys into
 * ops submitted through the station; what each gesture means is
 * tr-kitchen-rules.h's. The actions it installs (all under
 * "kitchen.") carry the bump-bar shortcuts, so the shortcuts window
 * and a test reach the same code as a cook's keypress.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-clock.h"
#include "tr-recall.h"
#include "tr-sound-player.h"
#include "tr-station.h"
#include "tr-ticket-card.h"
#include "tr-ticket-list.h"

G_BEGIN_DECLS

#define TR_KITCHEN_VIEW_MAX_RECALLS TR_RECALL_MAX

#define TR_TYPE_KITCHEN_VIEW (tr_kitchen_view_get_type ())
G_DECLARE_FINAL_TYPE (TrKitchenView, tr_kitchen_view, TR, KITCHEN_VIEW, GtkWidget)

/* Properties:
 *   "station"           TrStation*     construct-only
 *   "settings"          GSettings*     construct-only, may be NULL
 *   "clock"             TrClock*       construct-only (one is made if NULL)
 *   "sound-player"      TrSoundPlayer* construct-only (one is made if NULL)
 *   "kitchen-station"   string         e.g. "grill"; "" shows all
 *   "role"              string         "kitchen" (bump readies) or "expo"/"foh" (bump serves)
 *   "all-day-visible"   gboolean       the all-day side panel
 *   "n-cards"           guint          (read-only) cards in the grid
 *   "selected-ticket"   string         (read-only) id of the selected ticket or NULL
 * Signals:
 *   "recalls-changed"   ()
 */
GtkWidget *
tr_kitchen_view_new (TrStation *station, GSettings *settings, TrClock *clock,
                     TrSoundPlayer *sound_player);

TrStation *
tr_kitchen_view_get_station (TrKitchenView *self);
TrClock *
tr_kitchen_view_get_clock (TrKitchenView *self);
TrSoundPlayer *
tr_kitchen_view_get_sound_player (TrKitchenView *self);
const char *
tr_kitchen_view_get_kitchen_station (TrKitchenView *self);
void
tr_kitchen_view_set_kitchen_station (TrKitchenView *self, const char *station);
const char *
tr_kitchen_view_get_role (TrKitchenView *self);
void
tr_kitchen_view_set_role (TrKitchenView *self, const char *role);
gboolean
tr_kitchen_view_get_all_day_visible (TrKitchenView *self);
void
tr_kitchen_view_set_all_day_visible (TrKitchenView *self, gboolean visible);
/* The tickets as cards show them (TrTicketObject), filtered and in order. */
GListModel *
tr_kitchen_view_get_model (TrKitchenView *self);
guint
tr_kitchen_view_get_n_cards (TrKitchenView *self);
const char *
tr_kitchen_view_get_selected_ticket (TrKitchenView *self);
/* The card on screen for @ticket_id, or NULL when none is bound. */
TrTicketCard *
tr_kitchen_view_find_card (TrKitchenView *self, const char *ticket_id);
/* "All day": (name, count) of the items still to make, most first
 * (TrAllDayEntry*, tr-kitchen-rules.h). */
GPtrArray *
tr_kitchen_view_dup_all_day (TrKitchenView *self);

/* The tickets bumped on any screen within the last 30 minutes, newest
 * first, at most TR_KITCHEN_VIEW_MAX_RECALLS: the same list on every
 * screen (tr-recall.h). */
guint
tr_kitchen_view_get_n_recalls (TrKitchenView *self);
const char *
tr_kitchen_view_get_recall (TrKitchenView *self, guint index, int *number, gint64 *bumped_at);

G_END_DECLS
