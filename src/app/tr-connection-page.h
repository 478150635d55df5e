/* tr-connection-page.h: Preferences' Connection page (advanced)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TR_TYPE_CONNECTION_PAGE (tr_connection_page_get_type ())
G_DECLARE_FINAL_TYPE (TrConnectionPage, tr_connection_page, TR, CONNECTION_PAGE,
                      AdwPreferencesPage)

/* Properties:
 *   "settings"  GSettings*  construct-only: the app's; each row is bound
 *                           to one key of tr_connection_settings_keys
 */
GtkWidget *tr_connection_page_new (GSettings *settings);

/* The spin button of the row for @key, or NULL (tests). */
GtkSpinButton *tr_connection_page_get_spin (TrConnectionPage *self,
                                            const char       *key);

G_END_DECLS
