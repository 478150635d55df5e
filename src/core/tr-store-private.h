/* tr-store-private.h: what the tests and benches may see of TrStore
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "tr-checkpointer.h"
#include "tr-store.h"

G_BEGIN_DECLS

/* "TRKT": PRAGMA application_id of every Ticketrail database. */
#define TR_STORE_APPLICATION_ID 0x54524B54

/* The store's own connection, so a test can check its per-connection
 * pragmas. Not for writing. */
sqlite3 *
tr_store_get_sqlite (TrStore *self);

/* The thread that checkpoints the WAL, or %NULL if it could not start
 * (then SQLite's automatic checkpoints run). */
TrCheckpointer *
tr_store_get_checkpointer (TrStore *self);

G_END_DECLS
