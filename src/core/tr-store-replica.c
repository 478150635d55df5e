/* tr-store-replica.c: the standby's copy of the host's database, and its
 * promotion (tr-store-replica.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store-replica.h"
#include "tr-store-lineage.h"
#include "tr-store-private.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"

gboolean
tr_store_copy_file (const char *path, const char *dest_path, GError **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (path != NULL && dest_path != NULL, FALSE);

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 5000);
      /* One read transaction: a copy as of one commit, whatever the
       * host's writer does meanwhile (WAL). */
      rc = sqlite3_prepare_v2 (db, "VACUUM INTO ?1", -1, &stmt, NULL);
    }
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, dest_path, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    g_set_error (error, TR_ERROR, TR_ERROR_STORE, "copying %s: %s", path,
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rc == SQLITE_OK;
}

/* As tr-store-ledger.c: the local date of @at_ms, shifted back by the
 * business-day offset. */
static char *
business_day_of (gint64 at_ms)
{
  g_autoptr (GDateTime) time
    = g_date_time_new_from_unix_local (at_ms / 1000 - BUSINESS_DAY_OFFSET_SECONDS);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d") : g_strdup ("");
}

static gboolean
replicate_one (TrStore *self, const TrEvent *event, TrStoreChanges *changes, gboolean *numbering,
               GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *event_json = tr_event_to_string (event);
  g_autofree char *ticket_json = tr_ticket_to_string (event->ticket);
  GError *local_error = NULL;
  const TrTicket *current;

  current = _tr_store_load_visible (self, event->ticket->id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  /* The same timings the host follows, so that a promoted standby's
   * speed-of-service reports go on where the host's stopped. */
  if (!_tr_store_record_timings (self, current, event->ticket, event->at, error)
      || !_tr_store_write_ticket (self, event->ticket->id, current, tr_ticket_copy (event->ticket),
                                  ticket_json, CONFIRMED_KEEP, NULL, changes, error))
    return FALSE;
  if (!(stmt = _tr_store_statement_get (self, ST_EVENT_INSERT, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->seq);
  _tr_store_bind_text (stmt, 2, event->op_id);
  _tr_store_bind_text (stmt, 3, tr_event_kind_to_string (event->kind));
  _tr_store_bind_text (stmt, 4, event->ticket->id);
  _tr_store_bind_text (stmt, 5, event->station_id != NULL ? event->station_id : "");
  sqlite3_bind_int64 (stmt, 6, event->at);
  _tr_store_bind_text (stmt, 7, event_json);
  if (!_tr_store_step_done (self, stmt, "appending a replicated event", error))
    return FALSE;

  if (event->kind == TR_EVENT_TICKET_CREATED && event->ticket->number > 0)
    {
      g_autofree char *day = business_day_of (event->at);

      /* The host numbers from where its last create left off, within its
       * business day: a promoted standby must go on from there. */
      if (g_strcmp0 (day, self->business_day) > 0)
        {
          g_free (self->business_day);
          self->business_day = g_steal_pointer (&day);
          self->next_number = event->ticket->number + 1;
        }
      else
        self->next_number = MAX (self->next_number, (gint64)event->ticket->number + 1);
      *numbering = TRUE;
    }
  self->head_seq = event->seq;
  return TRUE;
}

gboolean
tr_store_replicate_events (TrStore *self, GPtrArray *events, GError **error)
{
  TrStoreChanges changes;
  gboolean numbering = FALSE;
  gint64 head;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  head = self->head_seq;
  _tr_store_changes_init (&changes);
  for (guint i = 0; i < events->len; i++)
    {
      const TrEvent *event = g_ptr_array_index (events, i);

      if (event->seq <= self->head_seq)
        continue;
      if (event->seq != self->head_seq + 1 || event->ticket == NULL || event->op_id == NULL)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL,
                       "event %" G_GINT64_FORMAT
                       " does not follow the replica's head %" G_GINT64_FORMAT,
                       event->seq, self->head_seq);
          goto fail;
        }
      if (!replicate_one (self, event, &changes, &numbering, error))
        goto fail;
    }
  if (numbering
      && (!_tr_store_meta_set_int (self, "next_number", self->next_number, error)
          || !_tr_store_meta_set_text (self, "business_day", self->business_day, error)))
    goto fail;
  if (!_tr_store_commit_and_emit (self, &changes, error))
    return FALSE;
  return TRUE;

fail:
  _tr_store_rollback (self);
  _tr_store_changes_clear (&changes);
  self->head_seq = head;
  return FALSE;
}

JsonNode *
tr_store_dump_roster (TrStore *self, GError **error)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);

  json_node_take_array (node, array);
  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT station_id, token_hash, name, role, created_at, last_seen,"
                           " revoked_at FROM paired_stations ORDER BY created_at, station_id",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK || rc == SQLITE_ROW)
    {
      if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
        break;
      {
        JsonObject *object = json_object_new ();
        const char *name = _tr_store_column_text (stmt, 2);
        const char *role = _tr_store_column_text (stmt, 3);

        json_object_set_string_member (object, "station_id", _tr_store_column_text (stmt, 0));
        json_object_set_string_member (object, "token_hash", _tr_store_column_text (stmt, 1));
        if (name != NULL)
          json_object_set_string_member (object, "name", name);
        if (role != NULL)
          json_object_set_string_member (object, "role", role);
        json_object_set_int_member (object, "created_at", sqlite3_column_int64 (stmt, 4));
        json_object_set_int_member (object, "last_seen", sqlite3_column_int64 (stmt, 5));
        json_object_set_int_member (object, "revoked_at", sqlite3_column_int64 (stmt, 6));
        json_array_add_object_element (array, object);
      }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _tr_store_set_sqlite_error (self, error, "reading the roster");
      _tr_store_end_read (self);
      return NULL;
    }
  _tr_store_end_read (self);
  return g_steal_pointer (&node);
}

static gboolean
roster_entry_valid (JsonNode *element)
{
  JsonObject *object;
  const char *id, *hash;

  if (!JSON_NODE_HOLDS_OBJECT (element))
    return FALSE;
  object = json_node_get_object (element);
  id = json_object_get_string_member_with_default (object, "station_id", NULL);
  hash = json_object_get_string_member_with_default (object, "token_hash", NULL);
  /* A SHA-256 in hex: never a token. */
  return id != NULL && *id != '\0' && hash != NULL && strlen (hash) == 64;
}

gboolean
tr_store_replace_roster (TrStore *self, JsonNode *roster, GError **error)
{
  JsonArray *array;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (roster == NULL || !JSON_NODE_HOLDS_ARRAY (roster))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "the roster is not an array");
      return FALSE;
    }
  array = json_node_get_array (roster);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!roster_entry_valid (json_array_get_element (array, i)))
      {
        g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL,
                     "roster entry %u has no station_id or no SHA-256 token_hash", i);
        return FALSE;
      }

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  rc = sqlite3_exec (self->db, "DELETE FROM paired_stations", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (
      self->db,
      "INSERT INTO paired_stations (station_id, token_hash, name, role,"
      " created_at, last_seen, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      -1, &stmt, NULL);
  for (guint i = 0; rc == SQLITE_OK && i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      sqlite3_reset (stmt);
      _tr_store_bind_text (stmt, 1, json_object_get_string_member (o, "station_id"));
      _tr_store_bind_text (stmt, 2, json_object_get_string_member (o, "token_hash"));
      _tr_store_bind_text (stmt, 3, json_object_get_string_member_with_default (o, "name", NULL));
      _tr_store_bind_text (stmt, 4, json_object_get_string_member_with_default (o, "role", NULL));
      sqlite3_bind_int64 (stmt, 5, json_object_get_int_member_with_default (o, "created_at", 0));
      sqlite3_bind_int64 (stmt, 6, json_object_get_int_member_with_default (o, "last_seen", 0));
      sqlite3_bind_int64 (stmt, 7, json_object_get_int_member_with_default (o, "revoked_at", 0));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    {
      _tr_store_set_sqlite_error (self, error, "replacing the roster");
      sqlite3_finalize (stmt);
      _tr_store_rollback (self);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return _tr_store_commit (self, error);
}

gboolean
tr_store_promote (TrStore *self, gint64 *out_gen, GError **error)
{
  g_autofree char *lineage = NULL;
  gint64 gen = 0;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (!tr_store_get_lineage (self, &lineage, &gen, error))
    return FALSE;
  if (lineage == NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                   "this database has no lineage: it is not a copy of a host");
      return FALSE;
    }
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  /* A new host id: stations that knew the old host take a snapshot from
   * this one rather than trusting seqs across two writers. */
  if (sqlite3_exec (self->db,
                    "UPDATE meta SET value = lower (hex (randomblob (16))) WHERE key = 'db_id';"
                    "DELETE FROM pairing_codes;",
                    NULL, NULL, NULL)
      != SQLITE_OK)
    {
      _tr_store_set_sqlite_error (self, error, "promoting");
      _tr_store_rollback (self);
      return FALSE;
    }
  if (!_tr_store_meta_set_int (self, "gen", gen + 1, error) || !_tr_store_commit (self, error)
      || !_tr_store_meta_load (self, error))
    return FALSE;
  if (out_gen != NULL)
    *out_gen = gen + 1;
  return TRUE;
}
