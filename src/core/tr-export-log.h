/* tr-export-log.h: the host's event log, as the exporter reads it
 *
 * A read-only SQLite connection of the exporter's own, on the exporter's
 * thread: the host's TrStore stays the file's one writer, and a read
 * here is one short statement, so it never holds a checkpoint back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TrExportLog TrExportLog;

/* Consecutive events of the log, as text parameters ready for
 * tr_export_sql_insert_events(). */
typedef struct
{
  GPtrArray *values; /* char*, owned: TR_EXPORT_EVENT_PARAMS per event */
  guint n_events;
  gint64 first_seq;
  gint64 last_seq;
  gint64 first_at; /* ms */
} TrExportBatch;

void tr_export_batch_free (TrExportBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrExportBatch, tr_export_batch_free)

/* Opens @path read-only; fails if it has no event log. */
TrExportLog *tr_export_log_open (const char *path, GError **error);
void tr_export_log_close (TrExportLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrExportLog, tr_export_log_close)

/* The oldest and newest seq in the log; both 0 when it is empty. */
gboolean tr_export_log_get_range (TrExportLog *log, gint64 *out_tail, gint64 *out_head,
                                  GError **error);
/* Up to @limit events after @after_seq, oldest first; NULL with no error
 * when there are none. */
TrExportBatch *tr_export_log_read (TrExportLog *log, gint64 after_seq, guint limit,
                                   GError **error);
/* When the first event after @after_seq was applied (ms); 0 when none. */
gboolean tr_export_log_get_next_at (TrExportLog *log, gint64 after_seq, gint64 *out_at,
                                    GError **error);
/* The newest seq applied before @cutoff_ms (0 when none), by bisection
 * over seq: the host's clock is assumed to go forwards. */
gboolean tr_export_log_last_seq_before (TrExportLog *log, gint64 cutoff_ms, gint64 *out_seq,
                                        GError **error);

G_END_DECLS
