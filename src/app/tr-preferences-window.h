/* tr-preferences-window.h: the station's preferences
 *
 * Station name, role, kitchen station and style; the "This station is
 * the host" switch (the app.host action) with the addresses other
 * stations should enter, or the host address to follow (app.join);
 * timer thresholds and sounds; the menu orders are picked from; and, on
 * the host, the PostgreSQL connection string for reports ("export-conninfo",
 * saved only once a test connects) with its Test button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_PREFERENCES_WINDOW (tr_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (TrPreferencesWindow, tr_preferences_window, TR, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* Properties:
 *   "settings"         GSettings*  construct-only: the station's settings
 *                                  (NULL shows defaults and binds nothing)
 *   "station"          TrStation*  the running station, or NULL; the host
 *                                  rows describe it and the menu is kept in it
 *   "station-message"  char*       why the station is not running, or NULL
 * The opener keeps "station" and "station-message" current, e.g. with
 * g_object_bind_property(). The host switch, the host address and the
 * pairing code activate app.host, app.join (s) and app.pair (s): give
 * the window its GtkApplication so they reach it.
 */
TrPreferencesWindow *
tr_preferences_window_new (GtkWindow *parent, GtkApplication *application, GSettings *settings,
                           TrStation *station);
/* The addresses shown under the host switch (tests). */
const char *
tr_preferences_window_get_join_text (TrPreferencesWindow *self);
/* The last result of the export's Test (or of the test before saving
 * the connection string), as shown, or NULL (tests). */
const char *
tr_preferences_window_get_export_result (TrPreferencesWindow *self);
/* The menu as the Menu page shows it (TrMenuItem*). */
GPtrArray *
tr_preferences_window_get_menu (TrPreferencesWindow *self);

G_END_DECLS
