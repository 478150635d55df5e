/* tr-clock.h: the one clock every ticket timer on screen follows
 *
 * One GSource ticks once a second for all cards, so a screen of 300
 * tickets wakes once a second, not 300 times. The offset lets a test or
 * a screenshot show tickets as they will look later without touching
 * their data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TR_TYPE_CLOCK (tr_clock_get_type ())
G_DECLARE_FINAL_TYPE (TrClock, tr_clock, TR, CLOCK, GObject)

/* Properties:
 *   "offset"  gint64  ms added to the real time (default 0)
 * Signals:
 *   "tick"    ()      once a second while anyone listens
 */
TrClock *
tr_clock_new (void);
/* Milliseconds since the epoch, offset included. */
gint64
tr_clock_get_now (TrClock *self);
gint64
tr_clock_get_offset (TrClock *self);
void
tr_clock_set_offset (TrClock *self, gint64 offset_ms);

G_END_DECLS
