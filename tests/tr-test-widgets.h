/* tr-test-widgets.h: finding widgets in a window, for the UI tests
 *
 * The UI tests press what a cook would press, so they look widgets up
 * the way the screen shows them: by type and by the action they run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Adds @root and every widget below it that is a @type to @out, depth
 * first, in the order they are drawn. */
void
tr_test_collect_widgets (GtkWidget *root, GType type, GPtrArray *out);

/* The first @type (a GtkActionable) at or below @root whose action is
 * @action, or NULL. */
GtkWidget *
tr_test_find_actionable (GtkWidget *root, GType type, const char *action);

G_END_DECLS
