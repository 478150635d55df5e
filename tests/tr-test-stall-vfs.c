/* tr-test-stall-vfs.c: a SQLite VFS whose syncs stall
 *
 * A shim VFS: every call goes to the wrapped (default) VFS, whose own
 * state lives in its pAppData, so each method is called with the wrapped
 * VFS, never with this one. Files are the wrapped VFS's files placed
 * right after a small header whose io methods forward too, except that
 * xSync sleeps first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-stall-vfs.h"

#include <sqlite3.h>

typedef struct
{
  sqlite3_file base;
  sqlite3_file *real; /* right after this struct, sized by the real VFS */
} StallFile;

static sqlite3_vfs stall_vfs;
static sqlite3_vfs *real_vfs;
static gint delay_ms;
static gint n_syncs;
static gint n_syncing;
static gint n_synced;
static gint n_fail_syncs;
/* The thread whose syncs are counted apart (the GTK thread, say). */
static GThread *watched_thread;
static gint n_syncs_on_watched;

#define REAL(file) (((StallFile *)(file))->real)

static int
stall_close (sqlite3_file *file)
{
  return REAL (file)->pMethods->xClose (REAL (file));
}

static int
stall_read (sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset)
{
  return REAL (file)->pMethods->xRead (REAL (file), buffer, amount, offset);
}

static int
stall_write (sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset)
{
  return REAL (file)->pMethods->xWrite (REAL (file), buffer, amount, offset);
}

static int
stall_truncate (sqlite3_file *file, sqlite3_int64 size)
{
  return REAL (file)->pMethods->xTruncate (REAL (file), size);
}

static int
stall_sync (sqlite3_file *file, int flags)
{
  guint delay = (guint)g_atomic_int_get (&delay_ms);
  int rc;

  g_atomic_int_inc (&n_syncs);
  if (g_thread_self () == g_atomic_pointer_get (&watched_thread))
    g_atomic_int_inc (&n_syncs_on_watched);
  g_atomic_int_inc (&n_syncing);
  if (delay > 0)
    g_usleep ((gulong)delay * 1000);
  /* A disk that reports a failed flush: nothing is known to be on it. */
  if (g_atomic_int_get (&n_fail_syncs) > 0 && g_atomic_int_add (&n_fail_syncs, -1) > 0)
    rc = SQLITE_IOERR_FSYNC;
  else
    rc = REAL (file)->pMethods->xSync (REAL (file), flags);
  g_atomic_int_inc (&n_synced);
  g_atomic_int_dec_and_test (&n_syncing);
  return rc;
}

static int
stall_file_size (sqlite3_file *file, sqlite3_int64 *size)
{
  return REAL (file)->pMethods->xFileSize (REAL (file), size);
}

static int
stall_lock (sqlite3_file *file, int lock)
{
  return REAL (file)->pMethods->xLock (REAL (file), lock);
}

static int
stall_unlock (sqlite3_file *file, int lock)
{
  return REAL (file)->pMethods->xUnlock (REAL (file), lock);
}

static int
stall_check_reserved_lock (sqlite3_file *file, int *out)
{
  return REAL (file)->pMethods->xCheckReservedLock (REAL (file), out);
}

static int
stall_file_control (sqlite3_file *file, int op, void *arg)
{
  return REAL (file)->pMethods->xFileControl (REAL (file), op, arg);
}

static int
stall_sector_size (sqlite3_file *file)
{
  return REAL (file)->pMethods->xSectorSize (REAL (file));
}

static int
stall_device_characteristics (sqlite3_file *file)
{
  return REAL (file)->pMethods->xDeviceCharacteristics (REAL (file));
}

static int
stall_shm_map (sqlite3_file *file, int page, int page_size, int extend, void volatile **out)
{
  return REAL (file)->pMethods->xShmMap (REAL (file), page, page_size, extend, out);
}

static int
stall_shm_lock (sqlite3_file *file, int offset, int n, int flags)
{
  return REAL (file)->pMethods->xShmLock (REAL (file), offset, n, flags);
}

static void
stall_shm_barrier (sqlite3_file *file)
{
  REAL (file)->pMethods->xShmBarrier (REAL (file));
}

static int
stall_shm_unmap (sqlite3_file *file, int delete_flag)
{
  return REAL (file)->pMethods->xShmUnmap (REAL (file), delete_flag);
}

static int
stall_fetch (sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
  return REAL (file)->pMethods->xFetch (REAL (file), offset, amount, out);
}

static int
stall_unfetch (sqlite3_file *file, sqlite3_int64 offset, void *page)
{
  return REAL (file)->pMethods->xUnfetch (REAL (file), offset, page);
}

/* Version 3, what the unix VFS gives (WAL needs the shm methods; mmap
 * the fetch ones). A file whose real methods are older gets a table of
 * the same version, so SQLite never calls what is not there. */
static const sqlite3_io_methods stall_methods[4] = {
  { 0 },
  { 1, stall_close, stall_read, stall_write, stall_truncate, stall_sync, stall_file_size,
    stall_lock, stall_unlock, stall_check_reserved_lock, stall_file_control, stall_sector_size,
    stall_device_characteristics, NULL, NULL, NULL, NULL, NULL, NULL },
  { 2, stall_close, stall_read, stall_write, stall_truncate, stall_sync, stall_file_size,
    stall_lock, stall_unlock, stall_check_reserved_lock, stall_file_control, stall_sector_size,
    stall_device_characteristics, stall_shm_map, stall_shm_lock, stall_shm_barrier, stall_shm_unmap,
    NULL, NULL },
  { 3, stall_close, stall_read, stall_write, stall_truncate, stall_sync, stall_file_size,
    stall_lock, stall_unlock, stall_check_reserved_lock, stall_file_control, stall_sector_size,
    stall_device_characteristics, stall_shm_map, stall_shm_lock, stall_shm_barrier, stall_shm_unmap,
    stall_fetch, stall_unfetch },
};

static int
stall_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  StallFile *self = (StallFile *)file;
  int rc;

  self->real = (sqlite3_file *)(self + 1);
  self->real->pMethods = NULL;
  rc = real_vfs->xOpen (real_vfs, name, self->real, flags, out_flags);
  /* SQLite calls xClose only on files whose pMethods is set. */
  if (self->real->pMethods == NULL)
    self->base.pMethods = NULL;
  else
    self->base.pMethods = &stall_methods[CLAMP (self->real->pMethods->iVersion, 1, 3)];
  return rc;
}

static int
stall_delete (sqlite3_vfs *vfs, const char *name, int sync_dir)
{
  return real_vfs->xDelete (real_vfs, name, sync_dir);
}

static int
stall_access (sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
  return real_vfs->xAccess (real_vfs, name, flags, out);
}

static int
stall_full_pathname (sqlite3_vfs *vfs, const char *name, int n_out, char *out)
{
  return real_vfs->xFullPathname (real_vfs, name, n_out, out);
}

static void *
stall_dl_open (sqlite3_vfs *vfs, const char *name)
{
  return real_vfs->xDlOpen (real_vfs, name);
}

static void
stall_dl_error (sqlite3_vfs *vfs, int n, char *out)
{
  real_vfs->xDlError (real_vfs, n, out);
}

static void (*stall_dl_sym (sqlite3_vfs *vfs, void *handle, const char *symbol)) (void)
{
  return real_vfs->xDlSym (real_vfs, handle, symbol);
}

static void
stall_dl_close (sqlite3_vfs *vfs, void *handle)
{
  real_vfs->xDlClose (real_vfs, handle);
}

static int
stall_randomness (sqlite3_vfs *vfs, int n, char *out)
{
  return real_vfs->xRandomness (real_vfs, n, out);
}

static int
stall_sleep (sqlite3_vfs *vfs, int microseconds)
{
  return real_vfs->xSleep (real_vfs, microseconds);
}

static int
stall_current_time (sqlite3_vfs *vfs, double *out)
{
  return real_vfs->xCurrentTime (real_vfs, out);
}

static int
stall_get_last_error (sqlite3_vfs *vfs, int n, char *out)
{
  return real_vfs->xGetLastError (real_vfs, n, out);
}

static int
stall_current_time_int64 (sqlite3_vfs *vfs, sqlite3_int64 *out)
{
  return real_vfs->xCurrentTimeInt64 (real_vfs, out);
}

void
tr_test_stall_vfs_register (void)
{
  int rc;

  if (real_vfs != NULL)
    return;
  g_assert_cmpint (sqlite3_initialize (), ==, SQLITE_OK);
  real_vfs = sqlite3_vfs_find (NULL);
  g_assert_nonnull (real_vfs);
  /* The unix VFS is version 3; the system-call overrides (version 3)
   * are left out: nothing here needs them. */
  g_assert_cmpint (real_vfs->iVersion, >=, 2);

  stall_vfs.iVersion = 2;
  stall_vfs.szOsFile = (int)sizeof (StallFile) + real_vfs->szOsFile;
  stall_vfs.mxPathname = real_vfs->mxPathname;
  stall_vfs.zName = "tr-stall";
  stall_vfs.xOpen = stall_open;
  stall_vfs.xDelete = stall_delete;
  stall_vfs.xAccess = stall_access;
  stall_vfs.xFullPathname = stall_full_pathname;
  stall_vfs.xDlOpen = stall_dl_open;
  stall_vfs.xDlError = stall_dl_error;
  stall_vfs.xDlSym = stall_dl_sym;
  stall_vfs.xDlClose = stall_dl_close;
  stall_vfs.xRandomness = stall_randomness;
  stall_vfs.xSleep = stall_sleep;
  stall_vfs.xCurrentTime = stall_current_time;
  stall_vfs.xGetLastError = stall_get_last_error;
  stall_vfs.xCurrentTimeInt64 = stall_current_time_int64;

  rc = sqlite3_vfs_register (&stall_vfs, 1);
  g_assert_cmpint (rc, ==, SQLITE_OK);
}

void
tr_test_stall_vfs_set_delay (guint delay)
{
  g_atomic_int_set (&delay_ms, (gint)delay);
}

guint
tr_test_stall_vfs_get_n_syncs (void)
{
  return (guint)g_atomic_int_get (&n_syncs);
}

guint
tr_test_stall_vfs_get_n_syncing (void)
{
  return (guint)g_atomic_int_get (&n_syncing);
}

void
tr_test_stall_vfs_watch_thread (void)
{
  g_atomic_pointer_set (&watched_thread, g_thread_self ());
}

guint
tr_test_stall_vfs_get_n_syncs_on_watched (void)
{
  return (guint)g_atomic_int_get (&n_syncs_on_watched);
}

guint
tr_test_stall_vfs_get_n_synced (void)
{
  return (guint)g_atomic_int_get (&n_synced);
}

void
tr_test_stall_vfs_fail_syncs (guint n)
{
  g_atomic_int_set (&n_fail_syncs, (gint)n);
}
