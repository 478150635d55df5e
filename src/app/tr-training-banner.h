/* tr-training-banner.h: the TRAINING banner
 *
 * A strongly coloured band (style class "training-banner", style.css)
 * that shows while a station's host serves its training database
 * (docs/training.md): the main window puts it above every view, the
 * host monitor under its header bar. libadwaita 1.2 has no AdwBanner.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-station.h"

G_BEGIN_DECLS

/* A GtkRevealer open while @station's "training" holds. On a host it
 * also holds Clear Training Tickets… (app.clear-training) and Back to
 * Live (app.switch-training); a follower cannot change its host's mode. */
GtkWidget *
tr_training_banner_new (TrStation *station);

G_END_DECLS
