/* tr-training-actions.h: the app's training mode (docs/training.md)
 *
 * The actions a manager uses to train staff on sample tickets, kept on
 * the application and in step with its station:
 *   app.switch-training  state b: this host serves training.db. Changing
 *                        it restarts the host on the other file; enabled
 *                        on a host only. The GSettings key "training"
 *                        remembers it, so a restart comes back in the
 *                        same mode.
 *   app.clear-training   asks, then empties training.db through the
 *                        host's writer and restarts the host on it, so
 *                        every station takes a snapshot; enabled on a
 *                        host in training only.
 *   app.demo             adds the sample tickets, always in training: a
 *                        live host (or a follower) switches to training
 *                        first and says so in a toast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-station.h"

G_BEGIN_DECLS

/* Replaces @app's station with a host on training.db (@training) or
 * host.db, even when it hosts already; FALSE when it could not, the old
 * station serving on and @app's "station-message" saying why. */
typedef gboolean (*TrTrainingRestartFunc) (GApplication *app, gboolean training);

/* Adds the actions to @app, which has a "station" (TrStation) and a
 * "station-message" (string) property; call once, from its startup.
 * @settings (the app's; NULL without a schema) keeps the mode. */
void
tr_training_actions_install (GApplication *app, GSettings *settings, TrTrainingRestartFunc restart);
/* Whether the host starts in training: the remembered mode, or @demo
 * (sample tickets never go into host.db). */
gboolean
tr_training_actions_start_in_training (GSettings *settings, gboolean demo);
/* Adds @n_tickets sample tickets to @app's station through the op path,
 * like any order, so every connected station gets them in sequence. */
void
tr_training_actions_add_demo (GApplication *app, guint n_tickets);

G_END_DECLS
