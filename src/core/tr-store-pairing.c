/* tr-store-pairing.c: pairing: the host's codes, paired stations and
 * their token hashes, revocations; the station's own token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store.h"
#include "tr-store-private.h"

#include "tr-error.h"

/* ---- pairing ---- */

void
tr_paired_station_free (TrPairedStation *station)
{
  if (station == NULL)
    return;
  g_free (station->station_id);
  g_free (station->name);
  g_free (station->role);
  g_free (station);
}

const char *
tr_pairing_status_to_string (TrPairingStatus status)
{
  switch (status)
    {
      case TR_PAIRING_OK:
        return "ok";
      case TR_PAIRING_UNKNOWN_CODE:
        return "unknown_code";
      case TR_PAIRING_EXPIRED_CODE:
        return "expired_code";
      default:
        return NULL;
    }
}

/* Codes are six digits, so a hash hides nothing from someone who can
 * read the file; it only keeps the code out of plain sight in backups
 * and sqlite3 sessions. What protects a code is its ten minutes and the
 * host's lockout. */
static char *
code_hash (const char *code)
{
  g_autofree char *input = g_strconcat ("ticketrail/pairing-code/", code, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
}

char *
tr_token_hash (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

gboolean
tr_store_add_pairing_code (TrStore *self, const char *code, gint64 now, gint64 expires_at,
                           GError **error)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hash = code_hash (code);
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  /* One code at a time: every code alive is one more an attacker could
   * guess. */
  if (!_tr_store_run_cached (self, ST_CODES_CLEAR, "clearing pairing codes", error))
    goto fail;
  {
    g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_CODE_INSERT, error);

    if (stmt == NULL)
      goto fail;
    _tr_store_bind_text (stmt, 1, hash);
    sqlite3_bind_int64 (stmt, 2, now);
    sqlite3_bind_int64 (stmt, 3, expires_at);
    if (!_tr_store_step_done (self, stmt, "writing a pairing code", error))
      goto fail;
  }
  return _tr_store_commit (self, error);

fail:
  _tr_store_rollback (self);
  return FALSE;
}

gboolean
tr_store_redeem_pairing_code (TrStore *self, const char *code, gint64 now, const char *station_id,
                              const char *name, const char *role, const char *token_hash,
                              TrPairingStatus *out_status, GError **error)
{
  g_autofree char *hash = NULL;
  gint64 expires_at = 0;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (station_id != NULL, FALSE);
  g_return_val_if_fail (token_hash != NULL, FALSE);
  g_return_val_if_fail (out_status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  hash = code_hash (code);
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  {
    g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_CODE_GET, error);

    if (stmt == NULL)
      goto fail;
    _tr_store_bind_text (stmt, 1, hash);
    if ((rc = _tr_store_step_row (self, stmt, "reading pairing codes", error)) < 0)
      goto fail;
    if (rc == 1)
      expires_at = sqlite3_column_int64 (stmt, 0);
  }

  if (rc == 0)
    *out_status = TR_PAIRING_UNKNOWN_CODE;
  else if (now >= expires_at)
    *out_status = TR_PAIRING_EXPIRED_CODE;
  else
    {
      g_autoptr (sqlite3_stmt) del = NULL;
      g_autoptr (sqlite3_stmt) upsert = NULL;

      *out_status = TR_PAIRING_OK;
      /* Single use: the code goes in the transaction that uses it. */
      if (!(del = _tr_store_statement_get (self, ST_CODE_DELETE, error)))
        goto fail;
      _tr_store_bind_text (del, 1, hash);
      if (!_tr_store_step_done (self, del, "deleting a pairing code", error))
        goto fail;
      if (!(upsert = _tr_store_statement_get (self, ST_PAIRED_UPSERT, error)))
        goto fail;
      _tr_store_bind_text (upsert, 1, station_id);
      _tr_store_bind_text (upsert, 2, token_hash);
      _tr_store_bind_text (upsert, 3, name);
      _tr_store_bind_text (upsert, 4, role);
      sqlite3_bind_int64 (upsert, 5, now);
      if (!_tr_store_step_done (self, upsert, "recording a paired station", error))
        goto fail;
    }
  return _tr_store_commit (self, error);

fail:
  _tr_store_rollback (self);
  return FALSE;
}

static TrPairedStation *
paired_station_from_row (sqlite3_stmt *stmt)
{
  TrPairedStation *station = g_new0 (TrPairedStation, 1);

  station->station_id = g_strdup (_tr_store_column_text (stmt, 0));
  station->name = g_strdup (_tr_store_column_text (stmt, 1));
  station->role = g_strdup (_tr_store_column_text (stmt, 2));
  station->created_at = sqlite3_column_int64 (stmt, 3);
  station->last_seen = sqlite3_column_int64 (stmt, 4);
  station->revoked_at = sqlite3_column_int64 (stmt, 5);
  return station;
}

TrPairedStation *
tr_store_lookup_token (TrStore *self, const char *token_hash, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (token_hash != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _tr_store_statement_get (self, ST_PAIRED_BY_TOKEN, error)))
    return NULL;
  _tr_store_bind_text (stmt, 1, token_hash);
  rc = _tr_store_step_row (self, stmt, "reading paired stations", error);
  return rc == 1 ? paired_station_from_row (stmt) : NULL;
}

gboolean
tr_store_revoke_station (TrStore *self, const char *station_id, gint64 now, gboolean *out_found,
                         GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (station_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _tr_store_statement_get (self, ST_PAIRED_REVOKE, error)))
    return FALSE;
  _tr_store_bind_text (stmt, 1, station_id);
  sqlite3_bind_int64 (stmt, 2, now > 0 ? now : 1);
  if (!_tr_store_step_done (self, stmt, "revoking a station", error))
    return FALSE;
  if (out_found != NULL)
    *out_found = sqlite3_changes (self->db) > 0;
  return TRUE;
}

GPtrArray *
tr_store_list_paired_stations (TrStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _tr_store_statement_get (self, ST_PAIRED_ALL, error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_paired_station_free);
  while ((rc = _tr_store_step_row (self, stmt, "reading paired stations", error)) == 1)
    g_ptr_array_add (list, paired_station_from_row (stmt));
  return rc == 0 ? g_steal_pointer (&list) : NULL;
}

gboolean
tr_store_touch_stations (TrStore *self, GHashTable *last_seen, GError **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (last_seen != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_hash_table_size (last_seen) == 0)
    return TRUE;
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  g_hash_table_iter_init (&iter, last_seen);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr (sqlite3_stmt) stmt = _tr_store_statement_get (self, ST_PAIRED_TOUCH, error);

      if (stmt == NULL)
        goto fail;
      _tr_store_bind_text (stmt, 1, key);
      sqlite3_bind_int64 (stmt, 2, *(gint64 *)value);
      if (!_tr_store_step_done (self, stmt, "recording last-seen times", error))
        goto fail;
    }
  return _tr_store_commit (self, error);

fail:
  _tr_store_rollback (self);
  return FALSE;
}

const char *
tr_store_get_station_token (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return *self->station_token != '\0' ? self->station_token : NULL;
}

const char *
tr_store_get_station_token_host_id (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return *self->station_token_host_id != '\0' ? self->station_token_host_id : NULL;
}

const char *
tr_store_get_host_fingerprint (TrStore *self)
{
  g_return_val_if_fail (TR_IS_STORE (self), NULL);
  return *self->host_fingerprint != '\0' ? self->host_fingerprint : NULL;
}

gboolean
tr_store_set_station_token (TrStore *self, const char *host_id, const char *token,
                            const char *fingerprint, GError **error)
{
  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  if (!_tr_store_meta_set_text (self, "station_token", token ? token : "", error)
      || !_tr_store_meta_set_text (self, "station_token_host_id", host_id ? host_id : "", error)
      || !_tr_store_meta_set_text (self, "host_fingerprint", fingerprint ? fingerprint : "", error)
      || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  g_free (self->station_token);
  self->station_token = g_strdup (token ? token : "");
  g_free (self->station_token_host_id);
  self->station_token_host_id = g_strdup (host_id ? host_id : "");
  g_free (self->host_fingerprint);
  self->host_fingerprint = g_strdup (fingerprint ? fingerprint : "");
  return TRUE;
}
