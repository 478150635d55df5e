/* tr-preferences-window.h: the station's preferences
 *
 * Station name, role, kitchen station and style; the "This station is
 * the host" switch (the app.host action) with the addresses other
 * stations should enter, or the host address to follow (app.join);
 * timer thresholds and sounds; and the menu orders are picked from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-application.h"

G_BEGIN_DECLS

#define TR_TYPE_PREFERENCES_WINDOW (tr_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (TrPreferencesWindow, tr_preferences_window, TR, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* Properties (construct-only):
 *   "application"  TrApplication*  the settings, the station and the
 *                                  app.host / app.join actions come from it
 */
TrPreferencesWindow *
tr_preferences_window_new (GtkWindow *parent, TrApplication *application);
/* The addresses shown under the host switch (tests). */
const char *
tr_preferences_window_get_join_text (TrPreferencesWindow *self);
/* The menu as the Menu page shows it (TrMenuItem*). */
GPtrArray *
tr_preferences_window_get_menu (TrPreferencesWindow *self);

G_END_DECLS
