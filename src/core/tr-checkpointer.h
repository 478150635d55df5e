/* tr-checkpointer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _TrCheckpointer TrCheckpointer;

TrCheckpointer *
tr_checkpointer_start (sqlite3 *db, const char *path, gboolean full_sync, guint threshold_pages,
                       guint limit_pages, GError **error);
void
tr_checkpointer_stop (TrCheckpointer *self);
/* On the writer's thread: waits for a checkpoint the thread is running,
 * and keeps it from starting one, until tr_checkpointer_release(). A
 * checkpoint of the writer's own (TRUNCATE) would otherwise fail BUSY
 * whenever the two meet. */
void
tr_checkpointer_hold (TrCheckpointer *self);
void
tr_checkpointer_release (TrCheckpointer *self);
guint
tr_checkpointer_get_n_checkpoints (TrCheckpointer *self);
guint
tr_checkpointer_get_n_inline (TrCheckpointer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrCheckpointer, tr_checkpointer_stop)

G_END_DECLS
