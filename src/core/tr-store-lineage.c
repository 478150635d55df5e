/* tr-store-lineage.c: the lineage and generation keys of meta
 *
 * Kept in meta rather than in TrStore's mirror so the store's hot path
 * is untouched: they are read once at start and written at most once
 * per promotion or per host followed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store-lineage.h"

#include "tr-store-private.h"
#include "tr-ticket.h"

#define KEY_LINEAGE "lineage"
#define KEY_GEN "gen"
#define KEY_STANDBY_URL "standby_url"

static gboolean
meta_get_text (TrStore *self, const char *key, char **out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_META_GET, error);
  const char *value;
  int rc;

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, key);
  rc = _tr_store_step_row (self, stmt, "reading meta", error);
  if (rc < 0)
    return FALSE;
  value = rc == 1 ? _tr_store_column_text (stmt, 0) : NULL;
  *out = value != NULL && *value != '\0' ? g_strdup (value) : NULL;
  return TRUE;
}

gboolean
tr_store_get_lineage (TrStore *self, char **out_lineage, gint64 *out_gen, GError **error)
{
  g_autofree char *lineage = NULL;
  gint64 gen = 0;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_lineage != NULL && out_gen != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!meta_get_text (self, KEY_LINEAGE, &lineage, error)
      || !_tr_store_meta_get_int (self, KEY_GEN, &gen, error))
    return FALSE;
  *out_lineage = g_steal_pointer (&lineage);
  *out_gen = *out_lineage != NULL ? gen : 0;
  return TRUE;
}

static gboolean
write_lineage (TrStore *self, const char *lineage, gint64 gen, GError **error)
{
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  if (!_tr_store_meta_set_text (self, KEY_LINEAGE, lineage, error)
      || !_tr_store_meta_set_int (self, KEY_GEN, gen, error) || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

gboolean
tr_store_ensure_lineage (TrStore *self, char **out_lineage, gint64 *out_gen, GError **error)
{
  g_autofree char *lineage = NULL;
  gint64 gen = 0;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_lineage != NULL && out_gen != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tr_store_get_lineage (self, &lineage, &gen, error))
    return FALSE;
  if (lineage == NULL || gen < 1)
    {
      /* A database older than lineages is its restaurant's first host. */
      if (lineage == NULL)
        lineage = tr_uuid_new ();
      gen = 1;
      if (!write_lineage (self, lineage, gen, error))
        return FALSE;
    }
  *out_lineage = g_steal_pointer (&lineage);
  *out_gen = gen;
  return TRUE;
}

gboolean
tr_store_set_lineage (TrStore *self, const char *lineage, gint64 gen, GError **error)
{
  g_autofree char *old_lineage = NULL;
  gint64 old_gen = 0;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (lineage != NULL && *lineage != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tr_store_get_lineage (self, &old_lineage, &old_gen, error))
    return FALSE;
  if (g_strcmp0 (old_lineage, lineage) == 0 && gen <= old_gen)
    return TRUE;
  return write_lineage (self, lineage, gen, error);
}

gboolean
tr_store_get_standby_url (TrStore *self, char **out_url, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_url != NULL, FALSE);

  return meta_get_text (self, KEY_STANDBY_URL, out_url, error);
}

gboolean
tr_store_set_standby_url (TrStore *self, const char *url, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  if (!_tr_store_meta_set_text (self, KEY_STANDBY_URL, url != NULL ? url : "", error)
      || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}
