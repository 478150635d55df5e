/* tr-export-status.h: what a person is told about the PostgreSQL export
 *
 * The host monitor's export row and the Preferences' Test button only
 * draw what these functions say: the wording and its severity are
 * domain rules, kept here without GTK so that they are unit-tested.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TR_EXPORT_STATE_OFF,        /* no export configured */
  TR_EXPORT_STATE_CONNECTING, /* started, nothing known yet */
  TR_EXPORT_STATE_UP_TO_DATE, /* connected, nothing (or nothing old) waiting */
  TR_EXPORT_STATE_BEHIND,     /* connected, events waiting longer than the grace */
  TR_EXPORT_STATE_FAILING,    /* the last attempt failed; retrying */
} TrExportState;

typedef enum
{
  TR_EXPORT_SEVERITY_NEUTRAL,
  TR_EXPORT_SEVERITY_OK,
  TR_EXPORT_SEVERITY_WARNING,
  TR_EXPORT_SEVERITY_ERROR,
} TrExportSeverity;

/* What the exporter reports (its properties), as plain values. */
typedef struct
{
  gboolean enabled; /* an exporter is configured */
  gboolean connected;
  gint64 lag_events;      /* -1 not known yet */
  gint64 lag_seconds;     /* -1 not known yet */
  const char *last_error; /* NULL after a success */
} TrExportFacts;

/* Events that have waited less than this are the normal stream (the
 * exporter polls the log every 200 ms), not a lag worth a word. */
#define TR_EXPORT_STATUS_GRACE_S 10
/* Behind for this long is an error, not a warning: reports go stale. */
#define TR_EXPORT_STATUS_STALE_S (15 * 60)

TrExportState
tr_export_status_classify (const TrExportFacts *facts, TrExportSeverity *out_severity);

/* One translated line for @facts, e.g. "Behind by 120 events (45 s)". */
char *
tr_export_status_describe (const TrExportFacts *facts, TrExportSeverity *out_severity);

/* The Test button's result: "Connected to PostgreSQL 15.10" from the
 * server's version() string. */
char *
tr_export_status_describe_test_ok (const char *server_version);

/* @message with every password @conninfo holds (key=value or URI form,
 * also percent-decoded) replaced by "***": libpq's errors can quote
 * parts of the connection string back. */
char *
tr_export_redact_password (const char *conninfo, const char *message);

G_END_DECLS
