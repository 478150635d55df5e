/* tr-store-training.h: what training mode needs of a database
 *
 * A host in training serves training.db, a database of the same schema
 * beside host.db, so no sample ticket ever touches live data
 * (docs/training.md). These are the few writes that mode adds: emptying
 * the training tickets, carrying the live pairings over so stations
 * keep their tokens, and, on a station, the mode of the host it last
 * followed, so that ops queued in one mode never reach the other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-store.h"

G_BEGIN_DECLS

#define TR_STORE_TRAINING_FILE "training.db"

/* Host side, through the host's writer only: removes every ticket, item,
 * event, op result and timing, and gives the database a new id, so
 * each station that meets it again takes a snapshot (empty) rather
 * than keep what it had. One transaction; pairings, menu and lineage
 * stay. */
gboolean tr_store_clear_tickets    (TrStore  *self,
                                    GError  **error);

/* Host side, before the host starts on @self: copies the paired
 * stations of the database at @live_path (host.db) into @self, so a
 * station paired with the live host is still paired in training. Does
 * nothing when @live_path does not exist; never writes it. */
gboolean tr_store_copy_pairings    (TrStore     *self,
                                    const char  *live_path,
                                    GError     **error);

/* Station side: the mode of the host this station last followed,
 * -1 when not known yet (never followed one, or an older host). */
gint64   tr_store_get_host_training (TrStore  *self,
                                     GError  **error);
gboolean tr_store_set_host_training (TrStore   *self,
                                     gboolean   training,
                                     GError   **error);

G_END_DECLS
