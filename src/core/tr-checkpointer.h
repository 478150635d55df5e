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
guint
tr_checkpointer_get_n_checkpoints (TrCheckpointer *self);
guint
tr_checkpointer_get_n_inline (TrCheckpointer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrCheckpointer, tr_checkpointer_stop)

G_END_DECLS
