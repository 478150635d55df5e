/* tr-test-stall-vfs.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-stall-vfs.h"

#include <sqlite3.h>

typedef struct
{
  sqlite3_file base;
  /* The wrapped VFS's file, allocated right after this struct. */
  sqlite3_file *real;
} StallFile;

static sqlite3_vfs stall_vfs;
static sqlite3_vfs *real_vfs;
static guint stall_ms;
static guint n_syncs;

#define REAL(file) (((StallFile *)(file))->real)

static int
stall_close (sqlite3_file *file)
{
  return REAL (file)->pMethods->xClose (REAL (file));
}

static int
stall_read (sqlite3_file *file, void *buf, int amount, sqlite3_int64 offset)
{
  return REAL (file)->pMethods->xRead (REAL (file), buf, amount, offset);
}

static int
stall_write (sqlite3_file *file, const void *buf, int amount, sqlite3_int64 offset)
{
  return REAL (file)->pMethods->xWrite (REAL (file), buf, amount, offset);
}

static int
stall_truncate (sqlite3_file *file, sqlite3_int64 size)
{
  return REAL (file)->pMethods->xTruncate (REAL (file), size);
}

/* The point of it all: the disk takes its time. */
static int
stall_sync (sqlite3_file *file, int flags)
{
  g_atomic_int_inc (&n_syncs);
  g_usleep ((gulong)g_atomic_int_get (&stall_ms) * 1000);
  return REAL (file)->pMethods->xSync (REAL (file), flags);
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

static const sqlite3_io_methods stall_io_methods = {
  3,
  stall_close,
  stall_read,
  stall_write,
  stall_truncate,
  stall_sync,
  stall_file_size,
  stall_lock,
  stall_unlock,
  stall_check_reserved_lock,
  stall_file_control,
  stall_sector_size,
  stall_device_characteristics,
  stall_shm_map,
  stall_shm_lock,
  stall_shm_barrier,
  stall_shm_unmap,
  stall_fetch,
  stall_unfetch,
};

static int
stall_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  StallFile *stall = (StallFile *)file;
  int rc;

  stall->real = (sqlite3_file *)(stall + 1);
  rc = real_vfs->xOpen (real_vfs, name, stall->real, flags, out_flags);
  /* SQLite calls xClose only on a file whose pMethods is set. */
  file->pMethods = stall->real->pMethods != NULL ? &stall_io_methods : NULL;
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
stall_sleep (sqlite3_vfs *vfs, int us)
{
  return real_vfs->xSleep (real_vfs, us);
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
tr_test_stall_vfs_register (guint sync_ms)
{
  g_atomic_int_set (&stall_ms, sync_ms);
  if (real_vfs != NULL)
    return;

  real_vfs = sqlite3_vfs_find (NULL);
  g_assert_nonnull (real_vfs);
  stall_vfs = (sqlite3_vfs){
    .iVersion = 2,
    .szOsFile = (int)sizeof (StallFile) + real_vfs->szOsFile,
    .mxPathname = real_vfs->mxPathname,
    .zName = "tr-test-stall",
    .xOpen = stall_open,
    .xDelete = stall_delete,
    .xAccess = stall_access,
    .xFullPathname = stall_full_pathname,
    .xDlOpen = stall_dl_open,
    .xDlError = stall_dl_error,
    .xDlSym = stall_dl_sym,
    .xDlClose = stall_dl_close,
    .xRandomness = stall_randomness,
    .xSleep = stall_sleep,
    .xCurrentTime = stall_current_time,
    .xGetLastError = stall_get_last_error,
    .xCurrentTimeInt64 = stall_current_time_int64,
  };
  g_assert_cmpint (sqlite3_vfs_register (&stall_vfs, 1), ==, SQLITE_OK);
}

guint
tr_test_stall_vfs_get_n_syncs (void)
{
  return (guint)g_atomic_int_get (&n_syncs);
}
