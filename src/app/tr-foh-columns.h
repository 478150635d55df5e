/* tr-foh-columns.h: the front-of-house board's column layout
 *
 * Lays out a widget's children as columns side by side when each gets
 * at least 270 pixels, else one above the other at full width. (No
 * AdwBreakpoint in libadwaita 1.2, and a flow box lines its children
 * up by their natural width, which wrapped text makes wide.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkLayoutManager *tr_foh_columns_layout_new (void);

G_END_DECLS
