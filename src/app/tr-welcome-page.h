/* tr-welcome-page.h: the first run
 *
 * Asks the one question a new station needs answered: is it the host
 * of this restaurant, or does it join one? Or should it just show
 * sample orders? Each answer is a few taps and uses the app's own
 * actions (app.host, app.join, app.demo), then app.welcome-done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TR_TYPE_WELCOME_PAGE (tr_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (TrWelcomePage, tr_welcome_page, TR, WELCOME_PAGE, GtkWidget)

/* Actions (welcome.): host, show-join, test, join, demo */
GtkWidget *
tr_welcome_page_new (void);
/* The join form's address entry (tests). */
GtkEditable *
tr_welcome_page_get_address (TrWelcomePage *self);
/* What the last connection test said, or NULL. */
const char *
tr_welcome_page_get_test_result (TrWelcomePage *self);

G_END_DECLS
