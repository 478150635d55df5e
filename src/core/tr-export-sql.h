/* tr-export-sql.h: the SQL of the PostgreSQL export, and its retry policy
 *
 * Pure: no libpq, no I/O. The exporter (tr-exporter.c) sends these
 * statements; the schema they build is documented in docs/reporting.md.
 * Every statement takes its values as text parameters, so nothing from
 * the log is ever spliced into SQL text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The schema version this build writes; ticketrail.schema_version holds
 * the version of the database. */
#define TR_EXPORT_SCHEMA_VERSION 1

/* Parameters per event row of tr_export_sql_insert_events(): seq, at
 * (ms), kind, op_id, station_id, ticket_id, the event's JSON. */
#define TR_EXPORT_EVENT_PARAMS 7

/* The largest batch one INSERT carries: 2 + 7 × 1,000 parameters stays
 * far below PostgreSQL's 65,535, and 1,000 events of a few KiB each is a
 * statement of a few MiB. */
#define TR_EXPORT_MAX_BATCH 1000

/* Takes the schema lock for the rest of the transaction, so that fifty
 * hosts starting at once migrate one after the other. */
const char *tr_export_sql_lock_schema (void);
/* Creates the schema and its version table if missing; then
 * tr_export_sql_schema_version() reads the version (one row, one
 * column; 0 for a new database). */
const char *tr_export_sql_create_version_table (void);
const char *tr_export_sql_schema_version (void);
/* The SQL that turns schema version @from into @from + 1, or NULL when
 * @from is TR_EXPORT_SCHEMA_VERSION or more. Several statements, no
 * parameters; it records its own version. */
const char *tr_export_sql_migration (guint from);

/* $1 site, $2 name (NULL keeps the current one), $3 time zone (an IANA
 * name; 'UTC' when PostgreSQL does not know it). Creates the site or
 * updates its name. */
const char *tr_export_sql_upsert_site (void);
/* $1 host_id, $2 site. Registers the host under its site (at position 0)
 * and returns one row: the site the host is registered under, and its
 * last exported seq. */
const char *tr_export_sql_register_host (void);
/* $1 host_id, $2 expected last_seq, $3 new last_seq. Moves the host's
 * position and locks its row for the transaction; no row returned means
 * another exporter moved it first. */
const char *tr_export_sql_advance_host (void);
/* $1 site, $2 host_id, $3 seq. The site's position after a batch. */
const char *tr_export_sql_advance_site (void);
/* $1 site, $2 host_id, $3 first seq of the batch minus one, $4 last seq.
 * Upserts the current state of every ticket that batch touched, keeping
 * the first time each was ready. */
const char *tr_export_sql_upsert_tickets (void);

/* The INSERT of @n_rows events (1 ≤ @n_rows ≤ TR_EXPORT_MAX_BATCH): $1
 * site, $2 host_id, then TR_EXPORT_EVENT_PARAMS per row. Rows already
 * there are left alone (ON CONFLICT DO NOTHING), so a batch sent twice
 * is stored once. */
char *tr_export_sql_insert_events (guint n_rows);

/* Milliseconds to wait before retry number @attempt (0 is the first
 * retry): exponential from @base_ms, capped at @max_ms, with "equal
 * jitter": half the delay is fixed, the other half is @random (any
 * 32-bit value) scaled into it, so fifty hosts that lost the same server
 * do not all come back in the same millisecond. */
guint tr_export_backoff_ms (guint attempt, guint base_ms, guint max_ms, guint32 random);

/* The seq at or below which the host may prune its log: what PostgreSQL
 * has (@exported_seq, -1 when not yet known), but never holding back
 * events older than the bound (@bound_seq: the newest seq older than the
 * bound, 0 when none). */
gint64 tr_export_prune_floor (gint64 exported_seq, gint64 bound_seq);

G_END_DECLS
