/* tr-store-replica.c: the standby's copy of the host's database, and its
 * promotion (tr-store-replica.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store-replica.h"
#include "tr-store-lineage.h"
#include "tr-store-printers.h"
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

/* ---- The printers and the print journal (issue 13 on a standby) ---- */

static gboolean
finish_rows (TrStore *self, sqlite3_stmt *stmt, int rc, const char *what, GError **error)
{
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _tr_store_set_sqlite_error (self, error, what);
  return TRUE;
}

JsonNode *
tr_store_dump_printers (TrStore *self, gboolean with_cursors, GError **error)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);

  json_node_take_array (node, array);
  stmt = _tr_store_prepare_once (self,
                  "SELECT name, address, columns, routes, mode, grace_seconds, cursor_seq,"
                  " created_at, updated_at FROM printers ORDER BY name",
                  error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *object = json_object_new ();
      g_autoptr (JsonNode) routes = tr_json_parse (_tr_store_column_text (stmt, 3), -1, NULL);

      if (routes == NULL || !JSON_NODE_HOLDS_ARRAY (routes))
        {
          g_clear_pointer (&routes, json_node_unref);
          routes = json_node_new (JSON_NODE_ARRAY);
          json_node_take_array (routes, json_array_new ());
        }

      json_object_set_string_member (object, "name", _tr_store_column_text (stmt, 0));
      json_object_set_string_member (object, "address", _tr_store_column_text (stmt, 1));
      json_object_set_int_member (object, "columns", sqlite3_column_int64 (stmt, 2));
      json_object_set_member (object, "routes", g_steal_pointer (&routes));
      json_object_set_string_member (object, "mode", _tr_store_column_text (stmt, 4));
      json_object_set_int_member (object, "grace_seconds", sqlite3_column_int64 (stmt, 5));
      if (with_cursors)
        json_object_set_int_member (object, "cursor_seq", sqlite3_column_int64 (stmt, 6));
      json_object_set_int_member (object, "created_at", sqlite3_column_int64 (stmt, 7));
      json_object_set_int_member (object, "updated_at", sqlite3_column_int64 (stmt, 8));
      json_array_add_object_element (array, object);
    }
  if (!finish_rows (self, stmt, rc, "reading the printers", error))
    return NULL;
  return g_steal_pointer (&node);
}

/* A TrPrinter from a dumped entry, validated; NULL with @error. */
static TrPrinter *
printer_from_json (JsonNode *element, GError **error)
{
  g_autoptr (TrPrinter) printer = NULL;
  g_autoptr (GStrvBuilder) routes = g_strv_builder_new ();
  JsonObject *object;
  JsonNode *node;

  if (!JSON_NODE_HOLDS_OBJECT (element))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "a printer is not an object");
      return NULL;
    }
  object = json_node_get_object (element);
  printer = tr_printer_new (json_object_get_string_member_with_default (object, "name", ""),
                            json_object_get_string_member_with_default (object, "address", ""));
  printer->columns = (guint)json_object_get_int_member_with_default (object, "columns", 0);
  printer->grace_seconds
    = (guint)json_object_get_int_member_with_default (object, "grace_seconds", 0);
  if (!tr_printer_mode_from_string (json_object_get_string_member_with_default (object, "mode", ""),
                                    &printer->mode, error))
    return NULL;
  node = json_object_get_member (object, "routes");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      {
        JsonNode *route = json_array_get_element (json_node_get_array (node), i);

        if (JSON_NODE_HOLDS_VALUE (route) && json_node_get_string (route) != NULL)
          g_strv_builder_add (routes, json_node_get_string (route));
      }
  g_strfreev (printer->routes);
  printer->routes = g_strv_builder_end (routes);
  if (!tr_printer_validate (printer, error))
    return NULL;
  return g_steal_pointer (&printer);
}

gboolean
tr_store_replace_printers (TrStore *self, JsonNode *printers, GError **error)
{
  g_autoptr (GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_free);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) current = NULL;
  JsonArray *array;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (printers == NULL || !JSON_NODE_HOLDS_ARRAY (printers))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "the printers are not an array");
      return FALSE;
    }
  array = json_node_get_array (printers);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      TrPrinter *printer = printer_from_json (json_array_get_element (array, i), error);

      if (printer == NULL)
        {
          g_prefix_error (error, "printer %u: ", i);
          return FALSE;
        }
      g_ptr_array_add (parsed, printer);
      g_hash_table_add (names, printer->name);
    }
  if (!(current = tr_store_list_printers (self, error)) || !_tr_store_begin_write (self, error))
    return FALSE;
  /* Gone on the host: gone here, with their journal, as
   * tr_store_remove_printer() does there. */
  for (guint i = 0; ok && i < current->len; i++)
    {
      const TrPrinter *printer = g_ptr_array_index (current, i);

      if (g_hash_table_contains (names, printer->name))
        continue;
      ok = (stmt = _tr_store_prepare_once (self, "DELETE FROM printers WHERE name = ?1", error)) != NULL;
      if (ok)
        {
          _tr_store_bind_text (stmt, 1, printer->name);
          ok = finish_rows (self, stmt, sqlite3_step (stmt), "removing a printer", error);
        }
      ok
        = ok
          && (stmt = _tr_store_prepare_once (self, "DELETE FROM print_journal WHERE printer = ?1", error)) != NULL;
      if (ok)
        {
          _tr_store_bind_text (stmt, 1, printer->name);
          ok = finish_rows (self, stmt, sqlite3_step (stmt), "removing a printer's journal", error);
        }
    }
  /* A cursor never passes this copy's head: the events past it are not
   * here yet, and a promoted copy gives their seqs to new events. It
   * never goes back either. */
  for (guint i = 0; ok && i < parsed->len; i++)
    {
      const TrPrinter *printer = g_ptr_array_index (parsed, i);
      JsonObject *object = json_array_get_object_element (array, i);
      g_autofree char *routes = NULL;
      g_autoptr (JsonNode) routes_node = json_node_new (JSON_NODE_ARRAY);
      JsonArray *routes_array = json_array_new ();

      for (guint r = 0; printer->routes[r] != NULL; r++)
        json_array_add_string_element (routes_array, printer->routes[r]);
      json_node_take_array (routes_node, routes_array);
      routes = tr_json_to_string (routes_node);
      if (!(stmt = _tr_store_prepare_once (self,
                            "INSERT INTO printers (name, address, columns, routes, mode,"
                            " grace_seconds, cursor_seq, created_at, updated_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, MIN (?7, ?8), ?9, ?10)"
                            " ON CONFLICT (name) DO UPDATE SET address = excluded.address,"
                            " columns = excluded.columns, routes = excluded.routes,"
                            " mode = excluded.mode, grace_seconds = excluded.grace_seconds,"
                            " updated_at = excluded.updated_at,"
                            " cursor_seq = MAX (printers.cursor_seq, excluded.cursor_seq)",
                            error)))
        {
          ok = FALSE;
          break;
        }
      _tr_store_bind_text (stmt, 1, printer->name);
      _tr_store_bind_text (stmt, 2, printer->address);
      sqlite3_bind_int (stmt, 3, (int)printer->columns);
      _tr_store_bind_text (stmt, 4, routes);
      _tr_store_bind_text (stmt, 5, tr_printer_mode_to_string (printer->mode));
      sqlite3_bind_int (stmt, 6, (int)printer->grace_seconds);
      sqlite3_bind_int64 (
        stmt, 7, json_object_get_int_member_with_default (object, "cursor_seq", self->head_seq));
      sqlite3_bind_int64 (stmt, 8, self->head_seq);
      sqlite3_bind_int64 (stmt, 9,
                          json_object_get_int_member_with_default (object, "created_at", 0));
      sqlite3_bind_int64 (stmt, 10,
                          json_object_get_int_member_with_default (object, "updated_at", 0));
      ok = finish_rows (self, stmt, sqlite3_step (stmt), "keeping a printer", error);
    }
  if (!ok || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

JsonNode *
tr_store_dump_journal (TrStore *self, gint64 after_id, gint64 reprints_from, gint64 *out_max_id,
                       gint64 *out_waiting_min, GError **error)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();
  gint64 max_id = MAX (after_id, 0);
  gint64 waiting_min = G_MAXINT64;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);

  json_node_take_array (node, array);
  /* New rows, and the reprints that were waiting: a reprint is queued
   * first and marked printed later, the only row that changes. */
  stmt = _tr_store_prepare_once (self,
                  "SELECT id, printer, ticket_id, version, kind, route, seq, queued_at,"
                  " printed_at, data FROM print_journal"
                  " WHERE id > ?1 OR (kind = 'reprint' AND id >= ?2) ORDER BY id",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int64 (stmt, 2, reprints_from);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *object = json_object_new ();
      gint64 id = sqlite3_column_int64 (stmt, 0);

      json_object_set_int_member (object, "id", id);
      json_object_set_string_member (object, "printer", _tr_store_column_text (stmt, 1));
      json_object_set_string_member (object, "ticket_id", _tr_store_column_text (stmt, 2));
      json_object_set_int_member (object, "version", sqlite3_column_int64 (stmt, 3));
      json_object_set_string_member (object, "kind", _tr_store_column_text (stmt, 4));
      json_object_set_string_member (object, "route", _tr_store_column_text (stmt, 5));
      json_object_set_int_member (object, "seq", sqlite3_column_int64 (stmt, 6));
      json_object_set_int_member (object, "queued_at", sqlite3_column_int64 (stmt, 7));
      if (sqlite3_column_type (stmt, 8) == SQLITE_NULL)
        {
          json_object_set_null_member (object, "printed_at");
          waiting_min = MIN (waiting_min, id);
        }
      else
        json_object_set_int_member (object, "printed_at", sqlite3_column_int64 (stmt, 8));
      if (sqlite3_column_type (stmt, 9) == SQLITE_NULL)
        json_object_set_null_member (object, "data");
      else
        json_object_set_string_member (object, "data", _tr_store_column_text (stmt, 9));
      json_array_add_object_element (array, object);
      max_id = MAX (max_id, id);
    }
  if (!finish_rows (self, stmt, rc, "reading the print journal", error))
    return NULL;
  if (out_max_id != NULL)
    *out_max_id = max_id;
  if (out_waiting_min != NULL)
    *out_waiting_min = waiting_min == G_MAXINT64 ? max_id + 1 : waiting_min;
  return g_steal_pointer (&node);
}

gint64
tr_store_journal_max_id (TrStore *self, GError **error)
{
  sqlite3_stmt *stmt = _tr_store_prepare_once (self, "SELECT IFNULL (MAX (id), 0) FROM print_journal", error);
  gint64 max_id = -1;
  int rc;

  if (stmt == NULL)
    return -1;
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      max_id = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_DONE;
    }
  if (!finish_rows (self, stmt, rc, "reading the print journal", error))
    return -1;
  return max_id;
}

static gboolean
journal_row_valid (JsonNode *element)
{
  JsonObject *object;
  const char *text[] = { "printer", "ticket_id", "kind", "route" };
  JsonNode *data;

  if (!JSON_NODE_HOLDS_OBJECT (element))
    return FALSE;
  object = json_node_get_object (element);
  if (json_object_get_int_member_with_default (object, "id", 0) <= 0)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (text); i++)
    if (json_object_get_string_member_with_default (object, text[i], NULL) == NULL
        || (i < 3 && *json_object_get_string_member (object, text[i]) == '\0'))
      return FALSE;
  data = json_object_get_member (object, "data");
  return data == NULL || JSON_NODE_HOLDS_NULL (data)
         || (JSON_NODE_HOLDS_VALUE (data) && json_node_get_string (data) != NULL);
}

gboolean
tr_store_replicate_journal (TrStore *self, JsonNode *rows, JsonNode *cursors, GError **error)
{
  JsonArray *array;
  JsonArray *cursor_array = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (rows == NULL || !JSON_NODE_HOLDS_ARRAY (rows)
      || (cursors != NULL && !JSON_NODE_HOLDS_ARRAY (cursors)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "the journal rows are not an array");
      return FALSE;
    }
  array = json_node_get_array (rows);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!journal_row_valid (json_array_get_element (array, i)))
      {
        g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL,
                     "journal row %u lacks an id, a printer, a ticket or a kind", i);
        return FALSE;
      }
  if (cursors != NULL)
    {
      cursor_array = json_node_get_array (cursors);
      for (guint i = 0; i < json_array_get_length (cursor_array); i++)
        {
          JsonNode *element = json_array_get_element (cursor_array, i);

          if (!JSON_NODE_HOLDS_OBJECT (element)
              || json_object_get_string_member_with_default (json_node_get_object (element),
                                                             "printer", NULL)
                   == NULL)
            {
              g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "cursor %u names no printer", i);
              return FALSE;
            }
        }
    }

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  /* The host's ids: a reprint marked printed later replaces its row, and
   * a row the host deleted and wrote again replaces the old one. Nothing
   * is deleted, even when the whole journal comes again: a standby cut
   * off in the middle of it keeps what it had (a row the host pruned
   * costs nothing here; a removed printer's go with the printer). */
  if (ok
      && !(stmt = _tr_store_prepare_once (self,
                           "INSERT OR REPLACE INTO print_journal (id, printer, ticket_id, version,"
                           " kind, route, seq, queued_at, printed_at, data)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           error)))
    ok = FALSE;
  for (guint i = 0; ok && i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      JsonNode *printed = json_object_get_member (o, "printed_at");
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, json_object_get_int_member (o, "id"));
      _tr_store_bind_text (stmt, 2, json_object_get_string_member (o, "printer"));
      _tr_store_bind_text (stmt, 3, json_object_get_string_member (o, "ticket_id"));
      sqlite3_bind_int64 (stmt, 4, json_object_get_int_member_with_default (o, "version", 0));
      _tr_store_bind_text (stmt, 5, json_object_get_string_member (o, "kind"));
      _tr_store_bind_text (stmt, 6, json_object_get_string_member (o, "route"));
      sqlite3_bind_int64 (stmt, 7, json_object_get_int_member_with_default (o, "seq", 0));
      sqlite3_bind_int64 (stmt, 8, json_object_get_int_member_with_default (o, "queued_at", 0));
      if (printed != NULL && JSON_NODE_HOLDS_VALUE (printed))
        sqlite3_bind_int64 (stmt, 9, json_node_get_int (printed));
      else
        sqlite3_bind_null (stmt, 9);
      _tr_store_bind_text (stmt, 10, json_object_get_string_member_with_default (o, "data", NULL));
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        ok = _tr_store_set_sqlite_error (self, error, "keeping the print journal");
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  /* As in tr_store_replace_printers(): never past this copy's head. */
  for (guint i = 0; ok && cursor_array != NULL && i < json_array_get_length (cursor_array); i++)
    {
      JsonObject *o = json_array_get_object_element (cursor_array, i);

      if (!(stmt = _tr_store_prepare_once (self,
                            "UPDATE printers SET cursor_seq = MIN (?2, ?3)"
                            " WHERE name = ?1 AND cursor_seq < MIN (?2, ?3)",
                            error)))
        {
          ok = FALSE;
          break;
        }
      _tr_store_bind_text (stmt, 1, json_object_get_string_member (o, "printer"));
      sqlite3_bind_int64 (stmt, 2, json_object_get_int_member_with_default (o, "cursor_seq", 0));
      sqlite3_bind_int64 (stmt, 3, self->head_seq);
      ok = finish_rows (self, stmt, sqlite3_step (stmt), "moving a printer's cursor", error);
    }
  if (!ok || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}
