/* tr-link-log.h: a station's own log of its link to the host
 *
 * The host keeps every station's links (tr-link-history.h); a station
 * keeps what it saw itself: each change of its link's state (connecting,
 * online over WebSocket or polling, offline), why, and how long the state
 * before it lasted. The last TR_LINK_LOG_SIZE changes, in memory: the
 * connection popover shows them, so whoever stands at the screen sees
 * "offline 2:13, connection refused" without a host to ask. Pure: no
 * I/O, the caller passes the time; tests/test-link-log.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TR_LINK_LOG_SIZE 20

typedef struct
{
  gint64 at;               /* ms since the epoch: when the state began */
  char *state;             /* "offline", "connecting", "online-websocket", "online-polling" */
  char *reason;            /* why, when known (the last error); NULL otherwise */
  gint64 duration_ms;      /* how long it lasted; -1 while it is the current state */
} TrLinkLogEntry;

typedef struct _TrLinkLog TrLinkLog;

TrLinkLog *tr_link_log_new  (void);
void       tr_link_log_free (TrLinkLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrLinkLog, tr_link_log_free)

/* @state began at @at, for @reason (nullable). The same state again is
 * no change; the oldest entry goes past TR_LINK_LOG_SIZE. */
void tr_link_log_add (TrLinkLog *log, gint64 at, const char *state, const char *reason);

/* The reason for the current state, when it came after the change (an
 * error is often known only once the state has moved): the newest entry
 * takes it unless it has one. */
void tr_link_log_explain (TrLinkLog *log, const char *reason);

/* Copies (TrLinkLogEntry*, to free), newest first. */
GPtrArray *tr_link_log_list (TrLinkLog *log);

void tr_link_log_entry_free (TrLinkLogEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrLinkLogEntry, tr_link_log_entry_free)

G_END_DECLS
