/* tr-metrics.h: the host's counters, for GET /metrics
 *
 * What the host counts as it goes (ops, HTTP answers, WebSocket closes,
 * commit and ack times), and the process's own figures read from /proc.
 * Not thread-safe: the host updates it on its loop only; the writer
 * thread measures a commit and the loop records it (tr-host-commit.c).
 * The gauges that describe the host's state now (stations, head seq)
 * are written by the handler (tr-host-metrics.c) from the host itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TrMetrics TrMetrics;

TrMetrics *
tr_metrics_new (void);
void
tr_metrics_free (TrMetrics *metrics);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrMetrics, tr_metrics_free)

/* @result: "applied", "duplicate", "rejected", or "failed" (the store
 * failed and nothing was written). */
void
tr_metrics_count_op (TrMetrics *metrics, const char *result);
/* An HTTP response, by status code. */
void
tr_metrics_count_http_request (TrMetrics *metrics, guint code);
/* A closed WebSocket, by close code; 0 (no close frame) counts as 1006. */
void
tr_metrics_count_websocket_close (TrMetrics *metrics, guint code);
/* One group commit, transaction and fsync, in seconds. */
void
tr_metrics_observe_commit (TrMetrics *metrics, double seconds);
/* From an op's arrival to its ack going out, in seconds. */
void
tr_metrics_observe_op_ack (TrMetrics *metrics, double seconds);

guint64
tr_metrics_get_ops (TrMetrics *metrics, const char *result);

/* Appends the counters' families (ticketrail_ops_total,
 * ticketrail_http_requests_total, ticketrail_websocket_closes_total,
 * ticketrail_commit_seconds, ticketrail_op_ack_seconds). */
void
tr_metrics_write (TrMetrics *metrics, GString *out);

/* Appends the process's figures: process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_cpu_seconds_total,
 * process_open_fds, process_max_fds, process_start_time_seconds. What
 * /proc cannot tell (another OS) is left out rather than made up. */
void
tr_metrics_write_process (GString *out);

G_END_DECLS
