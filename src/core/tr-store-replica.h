/* tr-store-replica.h: a host-format replica kept by a standby, and its
 * promotion (issue 17)
 *
 * A standby keeps a copy of the host's database: first the whole file
 * (tr_store_copy_file(), on the host), then each event the host commits
 * (tr_store_replicate_events()), and the pairing roster as it changes
 * (tr_store_replace_roster()), the printers and the print journal
 * (tr_store_replace_printers(), tr_store_replicate_journal()): a promoted
 * copy prints what the old host had not printed, and only that.
 * tr_store_promote() turns the copy into a host of its own: a new host
 * id, the same lineage, the next generation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tr-store.h"

G_BEGIN_DECLS

/* A consistent copy of the database at @path into @dest_path (which
 * must not exist), read through its own read-only connection, so it may
 * run on any thread while the host writes (VACUUM INTO). */
gboolean   tr_store_copy_file         (const char  *path,
                                       const char  *dest_path,
                                       GError     **error);

/* Appends @events (TrEvent*, the host's, in seq order) to the log and
 * writes their tickets, in one transaction; events at or below the head
 * are skipped, and a gap (an event after head + 1) is an error that
 * changes nothing. The ticket numbering follows the created tickets. */
gboolean   tr_store_replicate_events  (TrStore     *self,
                                       GPtrArray   *events,
                                       GError     **error);

/* The paired stations with their token hashes and revocations, as a JSON
 * array of objects (station_id, token_hash, name, role, created_at,
 * last_seen, revoked_at). */
JsonNode  *tr_store_dump_roster       (TrStore     *self,
                                       GError     **error);
/* Replaces the roster with @roster (as tr_store_dump_roster() makes
 * it), in one transaction; a malformed entry changes nothing. */
gboolean   tr_store_replace_roster    (TrStore     *self,
                                       JsonNode    *roster,
                                       GError     **error);

/* The printers as a JSON array of objects (name, address, columns,
 * routes, mode, grace_seconds, created_at, updated_at, and cursor_seq
 * when @with_cursors). */
JsonNode  *tr_store_dump_printers     (TrStore     *self,
                                       gboolean     with_cursors,
                                       GError     **error);
/* Makes the printers those of @printers (as tr_store_dump_printers()
 * makes them), in one transaction: a printer absent from it goes with
 * its journal, the others are added or changed. A cursor only moves
 * forward and never past this store's head. A printer that does not
 * validate (tr_printer_validate()) changes nothing. */
gboolean   tr_store_replace_printers  (TrStore     *self,
                                       JsonNode    *printers,
                                       GError     **error);

/* The print journal's rows with an id above @after_id, and the reprints
 * from @reprints_from on (a reprint is the one row that changes: queued,
 * then printed), as a JSON array of objects (id, printer, ticket_id,
 * version, kind, route, seq, queued_at, printed_at or null, data or
 * null), oldest first. *@out_max_id: the highest id seen (at least
 * @after_id); *@out_waiting_min: the lowest id of a reprint still
 * waiting among them, or *@out_max_id + 1. @after_id -1: every row. */
JsonNode  *tr_store_dump_journal      (TrStore     *self,
                                       gint64       after_id,
                                       gint64       reprints_from,
                                       gint64      *out_max_id,
                                       gint64      *out_waiting_min,
                                       GError     **error);
/* The highest id in the print journal (0 when empty), -1 on error. */
gint64     tr_store_journal_max_id    (TrStore     *self,
                                       GError     **error);
/* Keeps @rows (as tr_store_dump_journal() makes them) under their ids,
 * replacing a row of the same id or the same slip (deleting none); then
 * moves the printers' cursors to @cursors (an array
 * of {printer, cursor_seq}, may be NULL), forward only and never past
 * this store's head. One transaction; a malformed row changes nothing. */
gboolean   tr_store_replicate_journal (TrStore     *self,
                                       JsonNode    *rows,
                                       JsonNode    *cursors,
                                       GError     **error);

/* Makes this replica a host: a new host id (db_id), the same lineage,
 * generation + 1. Returns the new generation in @out_gen. */
gboolean   tr_store_promote           (TrStore     *self,
                                       gint64      *out_gen,
                                       GError     **error);

G_END_DECLS
