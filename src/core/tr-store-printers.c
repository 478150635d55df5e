/* tr-store-printers.c: the printers table and the print journal
 *
 * Rare, small statements (a handful per slip printed), prepared each
 * time rather than cached with the hot ones in tr-store-statements.c.
 * Reads work on a read-only store too: the print spool's own connections.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-store"

#include "tr-store-printers.h"
#include "tr-store-private.h"

#include "tr-codec.h"
#include "tr-error.h"

/* A statement used once (the printers' and the replica's writes are
 * rare: no cache). */
sqlite3_stmt *
_tr_store_prepare_once (TrStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      _tr_store_set_sqlite_error (self, error, "preparing a statement");
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

static gboolean
step_done (TrStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _tr_store_set_sqlite_error (self, error, what);
  return TRUE;
}

static char *
routes_to_json (GStrv routes)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; routes != NULL && routes[i] != NULL; i++)
    json_builder_add_string_value (builder, routes[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return tr_json_to_string (root);
}

static GStrv
routes_from_json (const char *json)
{
  g_autoptr (JsonNode) root = tr_json_parse (json, -1, NULL);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *route = json_array_get_string_element (array, i);

          if (route != NULL)
            g_strv_builder_add (builder, route);
        }
    }
  return g_strv_builder_end (builder);
}

GPtrArray *
tr_store_list_printers (TrStore *self, GError **error)
{
  g_autoptr (GPtrArray) printers
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TR_IS_STORE (self), NULL);

  stmt = _tr_store_prepare_once (self,
                  "SELECT name, address, columns, routes, mode, grace_seconds FROM printers"
                  " ORDER BY name",
                  error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TrPrinter *printer = tr_printer_new ((const char *)sqlite3_column_text (stmt, 0),
                                           (const char *)sqlite3_column_text (stmt, 1));

      printer->columns = (guint)sqlite3_column_int (stmt, 2);
      g_strfreev (printer->routes);
      printer->routes = routes_from_json ((const char *)sqlite3_column_text (stmt, 3));
      if (!tr_printer_mode_from_string ((const char *)sqlite3_column_text (stmt, 4),
                                        &printer->mode, NULL))
        printer->mode = TR_PRINTER_MODE_ALWAYS;
      printer->grace_seconds = (guint)sqlite3_column_int (stmt, 5);
      g_ptr_array_add (printers, printer);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _tr_store_set_sqlite_error (self, error, "listing the printers");
      return NULL;
    }
  return g_steal_pointer (&printers);
}

gint64
tr_store_get_printer_cursor (TrStore *self, const char *name, GError **error)
{
  sqlite3_stmt *stmt = _tr_store_prepare_once (self, "SELECT cursor_seq FROM printers WHERE name = ?1", error);
  gint64 cursor = -1;
  int rc;

  if (stmt == NULL)
    return -2;
  _tr_store_bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    cursor = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _tr_store_set_sqlite_error (self, error, "reading a printer's cursor");
      return -2;
    }
  return cursor;
}

static gboolean
in_transaction (TrStore *self, gboolean ok, GError **error)
{
  if (!ok || !_tr_store_commit (self, error))
    {
      _tr_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

gboolean
tr_store_save_printer (TrStore *self, const TrPrinter *printer, gint64 now, GError **error)
{
  g_autofree char *routes = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (!tr_printer_validate (printer, error))
    return FALSE;
  routes = routes_to_json (printer->routes);
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  /* A new printer starts at the head: a printer added at 9 pm does not
   * print the lunch service. */
  stmt = _tr_store_prepare_once (self,
                  "INSERT INTO printers (name, address, columns, routes, mode, grace_seconds,"
                  " cursor_seq, created_at, updated_at)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                  "  MAX (IFNULL ((SELECT MAX (seq) FROM events), 0),"
                  "   IFNULL ((SELECT CAST (value AS INTEGER) FROM meta WHERE key = 'head_seq'), 0)),"
                  "  ?7, ?7)"
                  " ON CONFLICT (name) DO UPDATE SET address = excluded.address,"
                  " columns = excluded.columns, routes = excluded.routes, mode = excluded.mode,"
                  " grace_seconds = excluded.grace_seconds, updated_at = excluded.updated_at",
                  error);
  if (stmt == NULL)
    return in_transaction (self, FALSE, error);
  _tr_store_bind_text (stmt, 1, printer->name);
  _tr_store_bind_text (stmt, 2, printer->address);
  sqlite3_bind_int (stmt, 3, (int)printer->columns);
  _tr_store_bind_text (stmt, 4, routes);
  _tr_store_bind_text (stmt, 5, tr_printer_mode_to_string (printer->mode));
  sqlite3_bind_int (stmt, 6, (int)printer->grace_seconds);
  sqlite3_bind_int64 (stmt, 7, now);
  return in_transaction (self, step_done (self, stmt, "saving a printer", error), error);
}

gboolean
tr_store_remove_printer (TrStore *self, const char *name, gboolean *out_found, GError **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  *out_found = FALSE;
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  if (!(stmt = _tr_store_prepare_once (self, "DELETE FROM printers WHERE name = ?1", error)))
    return in_transaction (self, FALSE, error);
  _tr_store_bind_text (stmt, 1, name);
  ok = step_done (self, stmt, "removing a printer", error);
  *out_found = ok && sqlite3_changes (self->db) > 0;
  if (ok && (stmt = _tr_store_prepare_once (self, "DELETE FROM print_journal WHERE printer = ?1", error)))
    {
      _tr_store_bind_text (stmt, 1, name);
      ok = step_done (self, stmt, "removing a printer's journal", error);
    }
  else
    ok = FALSE;
  return in_transaction (self, ok, error);
}

static gboolean
set_cursor (TrStore *self, const char *name, gint64 cursor_seq, GError **error)
{
  sqlite3_stmt *stmt = _tr_store_prepare_once (self,
                                "UPDATE printers SET cursor_seq = ?2"
                                " WHERE name = ?1 AND cursor_seq < ?2",
                                error);

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, cursor_seq);
  return step_done (self, stmt, "moving a printer's cursor", error);
}

gboolean
tr_store_set_printer_cursor (TrStore *self, const char *name, gint64 cursor_seq, GError **error)
{
  if (!_tr_store_begin_write (self, error))
    return FALSE;
  return in_transaction (self, set_cursor (self, name, cursor_seq, error), error);
}

gboolean
tr_store_journal_add (TrStore *self, const TrPrintRecord *record, gint64 cursor_seq,
                      GError **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  if (record->id != 0)
    stmt = _tr_store_prepare_once (self, "UPDATE print_journal SET printed_at = ?2 WHERE id = ?1", error);
  else
    stmt = _tr_store_prepare_once (self,
                    "INSERT INTO print_journal (printer, ticket_id, version, kind, route, seq,"
                    " queued_at, printed_at, data) VALUES (?3, ?4, ?5, ?6, ?7, ?8, ?2, ?2, ?9)"
                    " ON CONFLICT DO NOTHING",
                    error);
  if (stmt == NULL)
    return in_transaction (self, FALSE, error);
  sqlite3_bind_int64 (stmt, 1, record->id);
  sqlite3_bind_int64 (stmt, 2, record->printed_at);
  if (record->id == 0)
    {
      _tr_store_bind_text (stmt, 3, record->printer);
      _tr_store_bind_text (stmt, 4, record->ticket_id);
      sqlite3_bind_int64 (stmt, 5, record->version);
      _tr_store_bind_text (stmt, 6, record->kind);
      _tr_store_bind_text (stmt, 7, record->route ? record->route : "");
      sqlite3_bind_int64 (stmt, 8, record->seq);
      _tr_store_bind_text (stmt, 9, record->data);
    }
  ok = step_done (self, stmt, "writing the print journal", error)
       && (cursor_seq <= 0 || set_cursor (self, record->printer, cursor_seq, error));
  return in_transaction (self, ok, error);
}

gboolean
tr_store_queue_reprint (TrStore *self, const char *printer, const char *ticket_id, gint64 version,
                        const char *route, gint64 now, GError **error)
{
  sqlite3_stmt *stmt;

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  stmt = _tr_store_prepare_once (self,
                  "INSERT INTO print_journal (printer, ticket_id, version, kind, route, seq,"
                  " queued_at, printed_at, data) VALUES (?1, ?2, ?3, 'reprint', ?4, 0, ?5, NULL,"
                  " NULL)",
                  error);
  if (stmt == NULL)
    return in_transaction (self, FALSE, error);
  _tr_store_bind_text (stmt, 1, printer);
  _tr_store_bind_text (stmt, 2, ticket_id);
  sqlite3_bind_int64 (stmt, 3, version);
  _tr_store_bind_text (stmt, 4, route ? route : "");
  sqlite3_bind_int64 (stmt, 5, now);
  return in_transaction (self, step_done (self, stmt, "queueing a reprint", error), error);
}

gboolean
tr_store_journal_has (TrStore *self, const char *printer, const char *ticket_id, gint64 version,
                      const char *kind, const char *route, gboolean *out_found, GError **error)
{
  sqlite3_stmt *stmt = _tr_store_prepare_once (self,
                                "SELECT 1 FROM print_journal WHERE printer = ?1 AND ticket_id = ?2"
                                " AND version = ?3 AND kind = ?4 AND route = ?5",
                                error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  _tr_store_bind_text (stmt, 1, printer);
  _tr_store_bind_text (stmt, 2, ticket_id);
  sqlite3_bind_int64 (stmt, 3, version);
  _tr_store_bind_text (stmt, 4, kind);
  _tr_store_bind_text (stmt, 5, route ? route : "");
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _tr_store_set_sqlite_error (self, error, "reading the print journal");
  *out_found = rc == SQLITE_ROW;
  return TRUE;
}

void
tr_print_record_free (TrPrintRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->printer);
  g_free (record->ticket_id);
  g_free (record->kind);
  g_free (record->route);
  g_free (record->data);
  g_free (record);
}

#define RECORD_COLUMNS "id, printer, ticket_id, version, kind, route, seq, printed_at, data"

static TrPrintRecord *
record_from_row (sqlite3_stmt *stmt)
{
  TrPrintRecord *record = g_new0 (TrPrintRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->printer = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  record->ticket_id = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
  record->version = sqlite3_column_int64 (stmt, 3);
  record->kind = g_strdup ((const char *)sqlite3_column_text (stmt, 4));
  record->route = g_strdup ((const char *)sqlite3_column_text (stmt, 5));
  record->seq = sqlite3_column_int64 (stmt, 6);
  record->printed_at = sqlite3_column_int64 (stmt, 7);
  record->data = g_strdup ((const char *)sqlite3_column_text (stmt, 8));
  return record;
}

static GPtrArray *
list_records (TrStore *self, const char *sql, const char *printer, const char *ticket_id,
              const char *route, GError **error)
{
  g_autoptr (GPtrArray) records
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_print_record_free);
  sqlite3_stmt *stmt = _tr_store_prepare_once (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  _tr_store_bind_text (stmt, 1, printer);
  if (ticket_id != NULL)
    {
      _tr_store_bind_text (stmt, 2, ticket_id);
      _tr_store_bind_text (stmt, 3, route ? route : "");
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, record_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _tr_store_set_sqlite_error (self, error, "reading the print journal");
      return NULL;
    }
  return g_steal_pointer (&records);
}

TrPrintRecord *
tr_store_journal_last (TrStore *self, const char *printer, const char *ticket_id,
                       const char *route, GError **error)
{
  g_autoptr (GPtrArray) records = list_records (
    self,
    "SELECT " RECORD_COLUMNS " FROM print_journal WHERE printer = ?1 AND ticket_id = ?2"
    " AND route = ?3 AND kind IN ('ticket', 'amendment') AND printed_at IS NOT NULL"
    " ORDER BY version DESC, id DESC LIMIT 1",
    printer, ticket_id, route, error);

  if (records == NULL || records->len == 0)
    return NULL;
  return g_ptr_array_steal_index (records, 0);
}

GPtrArray *
tr_store_journal_waiting (TrStore *self, const char *printer, GError **error)
{
  return list_records (self,
                       "SELECT " RECORD_COLUMNS " FROM print_journal WHERE printer = ?1"
                       " AND printed_at IS NULL ORDER BY id",
                       printer, NULL, NULL, error);
}

GPtrArray *
tr_store_journal_list (TrStore *self, const char *printer, GError **error)
{
  return list_records (self,
                       "SELECT " RECORD_COLUMNS " FROM print_journal WHERE printer = ?1"
                       " ORDER BY id",
                       printer, NULL, NULL, error);
}

gboolean
tr_store_prune_journal (TrStore *self, gint64 before_ms, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TR_IS_STORE (self), FALSE);

  if (!_tr_store_begin_write (self, error))
    return FALSE;
  /* A ticket still in the log may be amended: its last slip is the
   * "before" of the AMENDED one. A waiting reprint is never old. */
  stmt = _tr_store_prepare_once (self,
                  "DELETE FROM print_journal WHERE printed_at IS NOT NULL AND printed_at < ?1"
                  " AND ticket_id NOT IN (SELECT ticket_id FROM events)",
                  error);
  if (stmt == NULL)
    return in_transaction (self, FALSE, error);
  sqlite3_bind_int64 (stmt, 1, before_ms);
  return in_transaction (self, step_done (self, stmt, "pruning the print journal", error), error);
}
