/* tr-test-stall-vfs.h: a SQLite VFS whose every sync stalls, as a slow disk does
 *
 * Wraps the default VFS ("unix") and becomes the default: every
 * connection opened after tr_test_stall_vfs_register() goes through it.
 * xSync sleeps @sync_ms before it syncs, on whichever thread called it,
 * so a commit holds its thread for at least that long, as on the kitchen
 * tablets whose virtual disks stall (issue 19). Everything else passes
 * straight through.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the VFS as the default, once per process; later calls only
 * change the stall. */
void
tr_test_stall_vfs_register (guint sync_ms);
/* Syncs that went through it, on every thread, since registration. */
guint
tr_test_stall_vfs_get_n_syncs (void);

G_END_DECLS
