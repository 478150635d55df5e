/* tr-application.h: the Ticketrail application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-clock.h"
#include "tr-sound-player.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_APPLICATION (tr_application_get_type ())
G_DECLARE_FINAL_TYPE (TrApplication, tr_application, TR, APPLICATION, AdwApplication)

/* Properties (read-only): "station" (notified when the host switch or
 * the host address replaces it), "station-message".
 * Actions: app.preferences (Ctrl+,), app.host (state b: this station
 * hosts), app.join (s: follow the host at this address), app.pair (s:
 * pairing code), app.welcome-done, app.about, app.quit; app.demo,
 * app.switch-training and app.clear-training (tr-training-actions.h). */
TrApplication *
tr_application_new (void);
/* The station, host or client, once started; NULL before and when it
 * could not start. */
TrStation *
tr_application_get_station (TrApplication *self);
/* What the station reads (on a host a read-only connection), or NULL. */
TrStore *
tr_application_get_store (TrApplication *self);
/* NULL when the schema is not installed. */
GSettings *
tr_application_get_settings (TrApplication *self);
TrClock *
tr_application_get_clock (TrApplication *self);
TrSoundPlayer *
tr_application_get_sound_player (TrApplication *self);
/* What the last switch (app.host, app.join) or pairing (app.pair) came
 * to: why it failed, "Paired with the host", or NULL. */
const char *
tr_application_get_station_message (TrApplication *self);
/* Which GSK renderer main() asked for and why (tr-renderer-choice.h),
 * shown in the About window's debug info; NULL when not set. */
void
tr_application_set_renderer_summary (TrApplication *self, const char *summary);
const char *
tr_application_get_renderer_summary (TrApplication *self);
/* Why the station could not start, or NULL. */
const GError *
tr_application_get_store_error (TrApplication *self);

G_END_DECLS
