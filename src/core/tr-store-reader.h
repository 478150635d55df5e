/* tr-store-reader.h: a read-only connection to a host's database
 *
 * The host's TrStore belongs to its writer thread, which holds it for
 * the whole of each commit, fsync included. Whatever else needs to read
 * the file (the host's loop checking a token, a catch-up thread reading
 * the log) opens a reader: its own SQLite connection, read-only, which
 * in WAL mode never waits for the writer. A reader sees what was
 * committed when its read began, never a half-done transaction.
 *
 * One reader belongs to one thread at a time. It keeps no cache: every
 * call reads the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tr-store.h"

G_BEGIN_DECLS

typedef struct _TrStoreReader TrStoreReader;

/* Opens @path, which a TrStore must have created (the schema is not
 * made or checked here). */
TrStoreReader *tr_store_reader_open (const char *path, GError **error);
void tr_store_reader_free (TrStoreReader *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrStoreReader, tr_store_reader_free)

/* Brackets several reads in one read transaction, so they see one state
 * of the file. Calls outside begin/end each read on their own. */
gboolean tr_store_reader_begin (TrStoreReader *self, GError **error);
void tr_store_reader_end (TrStoreReader *self);

/* The newest seq in the log (0 when empty), as tr_store_get_head_seq()
 * would say once the writer's mirror caught up; -1 with @error. */
gint64 tr_store_reader_get_head_seq (TrStoreReader *self, GError **error);
/* The oldest seq still in the log (head + 1 when empty); -1 with @error. */
gint64 tr_store_reader_get_tail_seq (TrStoreReader *self, GError **error);

/* Appends the stored JSON of the events after @after_seq up to
 * @last_seq (inclusive), oldest first, at most @limit, to @out_json
 * (char*, to free) and their seqs to @out_seqs (gint64). The JSON is
 * the canonical encoding, the bytes tr_event_to_string() gives. */
gboolean tr_store_reader_read_event_json (TrStoreReader *self, gint64 after_seq, gint64 last_seq,
                                          guint limit, GPtrArray *out_json, GArray *out_seqs,
                                          GError **error);

/* The tickets (TrTicket*) a snapshot holds: every open one and every
 * closed one updated at or after @closed_since (ms), oldest first, and
 * in *@out_seq the head they are consistent with (one read
 * transaction). */
GPtrArray *tr_store_reader_list_tickets (TrStoreReader *self, gint64 closed_since,
                                         gint64 *out_seq, GError **error);
/* NULL with no error when there is no such ticket. */
TrTicket *tr_store_reader_get_ticket (TrStoreReader *self, const char *ticket_id,
                                      GError **error);
/* The event with @seq, or NULL with no error when it is not in the log. */
TrEvent *tr_store_reader_get_event (TrStoreReader *self, gint64 seq, GError **error);

/* As tr_store_lookup_token() and tr_store_list_paired_stations(). */
TrPairedStation *tr_store_reader_lookup_token (TrStoreReader *self, const char *token_hash,
                                               GError **error);
GPtrArray *tr_store_reader_list_paired_stations (TrStoreReader *self, GError **error);

/* The speed-of-service timings of the tickets created in [@from, @to)
 * (ms), oldest first, appended to @out_tickets (TrTicketTiming*, to
 * free), and their items' to @out_items (TrItemTiming*), from one read
 * transaction. */
gboolean tr_store_reader_list_timings (TrStoreReader *self, gint64 from, gint64 to,
                                       GPtrArray *out_tickets, GPtrArray *out_items,
                                       GError **error);

/* The connection history (TrLink*, to free) of every station: the
 * links that overlap [@from, @to) (ms) and each station's last one that
 * ended before @from, by station then time, appended to @out_links. */
gboolean tr_store_reader_list_links (TrStoreReader *self, gint64 from, gint64 to,
                                     GPtrArray *out_links, GError **error);

G_END_DECLS
