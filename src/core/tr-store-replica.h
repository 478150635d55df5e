/* tr-store-replica.h: a host-format replica kept by a standby, and its
 * promotion (issue 17)
 *
 * A standby keeps a copy of the host's database: first the whole file
 * (tr_store_copy_file(), on the host), then each event the host commits
 * (tr_store_replicate_events()), and the pairing roster as it changes
 * (tr_store_replace_roster()). tr_store_promote() turns the copy into a
 * host of its own: a new host id, the same lineage, the next generation.
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

/* Makes this replica a host: a new host id (db_id), the same lineage,
 * generation + 1. Returns the new generation in @out_gen. */
gboolean   tr_store_promote           (TrStore     *self,
                                       gint64      *out_gen,
                                       GError     **error);

G_END_DECLS
