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

#include "tr-application.h"

G_BEGIN_DECLS

/* Adds the actions to @app; call once, from its init. */
void
tr_training_actions_install (TrApplication *app);
/* Whether the host starts in training: the remembered mode, or @demo
 * (sample tickets never go into host.db). */
gboolean
tr_training_actions_start_in_training (TrApplication *app, gboolean demo);
/* Adds @n_tickets sample tickets through the op path, like any order,
 * so every connected station gets them as events in sequence. */
void
tr_training_actions_add_demo (TrApplication *app, guint n_tickets);

G_END_DECLS
