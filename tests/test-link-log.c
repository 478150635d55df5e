/* test-link-log.c: a station's own log of its link (tr-link-log.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-link-log.h"

static const TrLinkLogEntry *
entry_at (GPtrArray *list, guint i)
{
  g_assert_cmpuint (i, <, list->len);
  return g_ptr_array_index (list, i);
}

/* Each change ends the one before: its duration is known then. */
static void
test_durations (void)
{
  g_autoptr (TrLinkLog) log = tr_link_log_new ();
  g_autoptr (GPtrArray) list = NULL;

  tr_link_log_add (log, 1000, "connecting", NULL);
  tr_link_log_add (log, 1200, "online-websocket", NULL);
  tr_link_log_add (log, 5000, "online-websocket", NULL); /* no change */
  tr_link_log_add (log, 9000, "connecting", "connection refused");
  list = tr_link_log_list (log);
  g_assert_cmpuint (list->len, ==, 3);
  /* Newest first. */
  g_assert_cmpstr (entry_at (list, 0)->state, ==, "connecting");
  g_assert_cmpstr (entry_at (list, 0)->reason, ==, "connection refused");
  g_assert_cmpint (entry_at (list, 0)->duration_ms, ==, -1);
  g_assert_cmpstr (entry_at (list, 1)->state, ==, "online-websocket");
  g_assert_cmpint (entry_at (list, 1)->duration_ms, ==, 7800);
  g_assert_null (entry_at (list, 1)->reason);
  g_assert_cmpint (entry_at (list, 2)->duration_ms, ==, 200);
}

/* A reason known after the change explains it, once. */
static void
test_explain (void)
{
  g_autoptr (TrLinkLog) log = tr_link_log_new ();
  g_autoptr (GPtrArray) list = NULL;

  tr_link_log_explain (log, "nothing to explain");
  tr_link_log_add (log, 1000, "connecting", NULL);
  tr_link_log_explain (log, "host unreachable");
  tr_link_log_explain (log, "a later error");
  list = tr_link_log_list (log);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (entry_at (list, 0)->reason, ==, "host unreachable");
}

/* The log keeps the last TR_LINK_LOG_SIZE; a clock that steps back
 * gives no negative duration. */
static void
test_bounded (void)
{
  g_autoptr (TrLinkLog) log = tr_link_log_new ();
  g_autoptr (GPtrArray) list = NULL;

  for (int i = 0; i < TR_LINK_LOG_SIZE + 5; i++)
    tr_link_log_add (log, 1000 * i, i % 2 ? "offline" : "connecting", NULL);
  tr_link_log_add (log, 0, "online-polling", NULL);
  list = tr_link_log_list (log);
  g_assert_cmpuint (list->len, ==, TR_LINK_LOG_SIZE);
  g_assert_cmpstr (entry_at (list, 0)->state, ==, "online-polling");
  g_assert_cmpint (entry_at (list, 1)->duration_ms, ==, 0);
  g_assert_cmpint (entry_at (list, TR_LINK_LOG_SIZE - 1)->at, ==, 1000 * 6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/link-log/durations", test_durations);
  g_test_add_func ("/link-log/bounded", test_bounded);
  g_test_add_func ("/link-log/explain", test_explain);
  return g_test_run ();
}
