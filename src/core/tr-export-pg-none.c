/* tr-export-pg-none.c: the PostgreSQL export in a build without libpq
 * (-Dexport=disabled, or auto without libpq-dev)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-export"

#include "tr-export-pg.h"

static gboolean
not_supported (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "this build has no PostgreSQL export (meson -Dexport=enabled, libpq-dev)");
  return FALSE;
}

gboolean
tr_export_pg_available (void)
{
  return FALSE;
}

TrExportPg *
tr_export_pg_connect (const char *conninfo, int wakeup_fd, const gint *quit, GError **error)
{
  not_supported (error);
  return NULL;
}

void
tr_export_pg_close (TrExportPg *pg)
{
  g_return_if_fail (pg == NULL);
}

const char *
tr_export_pg_describe (TrExportPg *pg)
{
  return "";
}

gboolean
tr_export_pg_migrate (TrExportPg *pg, GError **error)
{
  return not_supported (error);
}

gboolean
tr_export_pg_register (TrExportPg *pg, const char *site, const char *name, const char *time_zone,
                       const char *host_id, gint64 *out_position, GError **error)
{
  return not_supported (error);
}

gboolean
tr_export_pg_write_batch (TrExportPg *pg, const char *site, const char *host_id, gint64 position,
                          const TrExportBatch *batch, gboolean *out_conflict, GError **error)
{
  return not_supported (error);
}

char *
tr_export_pg_check (const char *conninfo, GError **error)
{
  not_supported (error);
  return NULL;
}
