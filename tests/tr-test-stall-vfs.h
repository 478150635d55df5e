/* tr-test-stall-vfs.h: a SQLite VFS whose syncs stall, for the tests
 *
 * Kitchen tablets' virtual disks stall: an fsync that takes 150 ms is
 * common. The stall VFS wraps the default VFS and sleeps in every xSync
 * before passing it on, so a test can check that nothing waits for the
 * disk that should not. It is registered in-process (no LD_PRELOAD,
 * which does not mix with ASan).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the stall VFS as SQLite's default, wrapping the one that was
 * the default; call it before any store is opened. Idempotent. Syncs do
 * not stall until tr_test_stall_vfs_set_delay() says so. */
void
tr_test_stall_vfs_register (void);

/* Every xSync from now on sleeps @delay_ms first (0: none). Any thread. */
void
tr_test_stall_vfs_set_delay (guint delay_ms);

/* Syncs started since registration, and those sleeping or syncing now. */
guint
tr_test_stall_vfs_get_n_syncs (void);
guint
tr_test_stall_vfs_get_n_syncing (void);

/* Syncs that returned (well or not) since registration. */
guint
tr_test_stall_vfs_get_n_synced (void);

/* The next @n syncs fail with SQLITE_IOERR_FSYNC after their delay. */
void
tr_test_stall_vfs_fail_syncs (guint n);

/* Counts apart the syncs made on the calling thread from now on: a
 * thread that must never wait for the disk (the GTK thread). */
void
tr_test_stall_vfs_watch_thread (void);
guint
tr_test_stall_vfs_get_n_syncs_on_watched (void);

G_END_DECLS
