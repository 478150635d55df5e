/* tr-connection-settings.h: the link's timings in GSettings
 *
 * The keys of Preferences' Connection page, read into a TrTimeouts the
 * station applies (tr_station_set_timeouts()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-station.h"

G_BEGIN_DECLS

/* The keys, NULL-terminated: the page shows them, "Restore Defaults"
 * resets them. station-offline-alert-seconds is among them but is no
 * part of TrTimeouts: the host's alerts read it themselves. */
extern const char *const tr_connection_settings_keys[];

gboolean tr_connection_settings_is_key (const char *key);
void     tr_connection_settings_read   (GSettings  *settings,
                                        TrTimeouts *out);
/* Reads the keys and gives them to @station. */
void     tr_connection_settings_apply  (GSettings *settings,
                                        TrStation *station);
/* Every key back to its default. */
void     tr_connection_settings_reset  (GSettings *settings);

G_END_DECLS
