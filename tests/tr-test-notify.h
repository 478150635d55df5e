/* tr-test-notify.h: a notification server on the test's session bus
 *
 * The app sends its notifications only when a notification service is
 * there (a kiosk without one would otherwise log a warning for each);
 * this one keeps the summaries it is sent, for the test to read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Owns org.freedesktop.Notifications on the session bus; returns once
 * it does. */
void
tr_test_notify_start (void);
void
tr_test_notify_stop (void);

/* The summaries sent ("closed" for a withdrawal), oldest first. */
GPtrArray *
tr_test_notify_get_sent (void);
/* Whether a notification containing @text was sent. */
gboolean
tr_test_notify_has (const char *text);

G_END_DECLS
