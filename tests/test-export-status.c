/* test-export-status.c: what the host monitor and Preferences say about
 * the PostgreSQL export (tr-export-status.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-export-status"

#include <string.h>

#include "tr-export-status.h"

static void
assert_status (TrExportFacts facts, TrExportState state, TrExportSeverity severity,
               const char *text)
{
  TrExportSeverity got_severity = 99;
  g_autofree char *got_text = tr_export_status_describe (&facts, &got_severity);

  g_assert_cmpint (tr_export_status_classify (&facts, NULL), ==, state);
  g_assert_cmpint (got_severity, ==, severity);
  g_assert_cmpstr (got_text, ==, text);
}

static void
test_states (void)
{
  /* Not configured: whatever stale values remain. */
  assert_status ((TrExportFacts){ FALSE, TRUE, 5, 50, "boom" }, TR_EXPORT_STATE_OFF,
                 TR_EXPORT_SEVERITY_NEUTRAL, "Off");
  /* Started, nothing known yet. */
  assert_status ((TrExportFacts){ TRUE, FALSE, -1, -1, NULL }, TR_EXPORT_STATE_CONNECTING,
                 TR_EXPORT_SEVERITY_NEUTRAL, "Connecting…");
  /* Connected but the lag not measured yet is still connecting. */
  assert_status ((TrExportFacts){ TRUE, TRUE, -1, -1, NULL }, TR_EXPORT_STATE_CONNECTING,
                 TR_EXPORT_SEVERITY_NEUTRAL, "Connecting…");
  assert_status ((TrExportFacts){ TRUE, TRUE, 0, 0, NULL }, TR_EXPORT_STATE_UP_TO_DATE,
                 TR_EXPORT_SEVERITY_OK, "Connected and up to date");
}

/* The normal stream has a few events in flight: within the grace they
 * are "up to date"; at the grace they are a lag, and long past it an
 * error. */
static void
test_lag_bounds (void)
{
  assert_status ((TrExportFacts){ TRUE, TRUE, 40, TR_EXPORT_STATUS_GRACE_S - 1, NULL },
                 TR_EXPORT_STATE_UP_TO_DATE, TR_EXPORT_SEVERITY_OK, "Connected and up to date");
  assert_status ((TrExportFacts){ TRUE, TRUE, 40, TR_EXPORT_STATUS_GRACE_S, NULL },
                 TR_EXPORT_STATE_BEHIND, TR_EXPORT_SEVERITY_WARNING, "Behind by 40 events (10 s)");
  assert_status ((TrExportFacts){ TRUE, TRUE, 1, 45, NULL }, TR_EXPORT_STATE_BEHIND,
                 TR_EXPORT_SEVERITY_WARNING, "Behind by 1 event (45 s)");
  assert_status ((TrExportFacts){ TRUE, TRUE, 1200, 119, NULL }, TR_EXPORT_STATE_BEHIND,
                 TR_EXPORT_SEVERITY_WARNING, "Behind by 1200 events (119 s)");
  assert_status ((TrExportFacts){ TRUE, TRUE, 1200, 120, NULL }, TR_EXPORT_STATE_BEHIND,
                 TR_EXPORT_SEVERITY_WARNING, "Behind by 1200 events (2 min)");
  assert_status ((TrExportFacts){ TRUE, TRUE, 3000, TR_EXPORT_STATUS_STALE_S - 1, NULL },
                 TR_EXPORT_STATE_BEHIND, TR_EXPORT_SEVERITY_WARNING,
                 "Behind by 3000 events (14 min)");
  assert_status ((TrExportFacts){ TRUE, TRUE, 3000, TR_EXPORT_STATUS_STALE_S, NULL },
                 TR_EXPORT_STATE_BEHIND, TR_EXPORT_SEVERITY_ERROR,
                 "Behind by 3000 events (15 min)");
  assert_status ((TrExportFacts){ TRUE, TRUE, 90000, 3 * 3600 + 59 * 60, NULL },
                 TR_EXPORT_STATE_BEHIND, TR_EXPORT_SEVERITY_ERROR, "Behind by 90000 events (3 h)");
}

/* An error wins over everything but "off", and says how much waits. */
static void
test_failing (void)
{
  assert_status ((TrExportFacts){ TRUE, FALSE, -1, -1, "connection refused" },
                 TR_EXPORT_STATE_FAILING, TR_EXPORT_SEVERITY_ERROR, "Failing: connection refused");
  assert_status ((TrExportFacts){ TRUE, TRUE, 0, 0, "timeout" }, TR_EXPORT_STATE_FAILING,
                 TR_EXPORT_SEVERITY_ERROR, "Failing: timeout");
  assert_status ((TrExportFacts){ TRUE, FALSE, 1, 3, "refused" }, TR_EXPORT_STATE_FAILING,
                 TR_EXPORT_SEVERITY_ERROR, "Failing, 1 event waiting: refused");
  assert_status ((TrExportFacts){ TRUE, FALSE, 250, 3, "refused" }, TR_EXPORT_STATE_FAILING,
                 TR_EXPORT_SEVERITY_ERROR, "Failing, 250 events waiting: refused");
}

static void
test_test_ok (void)
{
  g_autofree char *full = tr_export_status_describe_test_ok (
    "PostgreSQL 15.10 (Debian 15.10-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc");
  g_autofree char *odd = tr_export_status_describe_test_ok ("Custom");

  g_assert_cmpstr (full, ==, "Connected to PostgreSQL 15.10");
  g_assert_cmpstr (odd, ==, "Connected to Custom");
}

static void
assert_redacted (const char *conninfo, const char *message, const char *expected)
{
  g_autofree char *redacted = tr_export_redact_password (conninfo, message);

  g_assert_cmpstr (redacted, ==, expected);
}

static void
test_redact (void)
{
  /* key=value, plain and quoted (with an escaped quote and a space). */
  assert_redacted ("host=db password=s3cret user=me", "bad s3cret here", "bad *** here");
  assert_redacted ("host=db password = 'it\\'s a secret'", "saw \"it's a secret\"", "saw \"***\"");
  /* A URI's password, as written and percent-decoded, and in the query. */
  assert_redacted ("postgresql://me:p%40ss@db:5432/x", "invalid token \"p%40ss\" or p@ss",
                   "invalid token \"***\" or ***");
  assert_redacted ("postgres://me@db/x?sslmode=require&password=qwerty&x=1",
                   "unknown option password=qwerty", "unknown option password=***");
  /* No password: nothing changes; a word that merely ends in "password"
   * is not the keyword. */
  assert_redacted ("host=db user=me", "could not connect to db", "could not connect to db");
  assert_redacted ("host=db mypassword=abc", "abc", "abc");
  assert_redacted ("postgresql://me@db/x", "me@db", "me@db");
  assert_redacted (NULL, "as is", "as is");
  g_assert_null (tr_export_redact_password ("password=x", NULL));
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export-status/states", test_states);
  g_test_add_func ("/export-status/lag-bounds", test_lag_bounds);
  g_test_add_func ("/export-status/failing", test_failing);
  g_test_add_func ("/export-status/test-ok", test_test_ok);
  g_test_add_func ("/export-status/redact", test_redact);
  return g_test_run ();
}
