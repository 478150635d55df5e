/* test-screen-check.c: the rules of "Send Test Ticket to Every Screen"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-screen-check.h"

#define T0 1700000000000
#define TIMEOUT 15000

static const TrScreenResult *
result_of (TrScreenCheck *check, const char *station_id)
{
  for (guint i = 0; i < tr_screen_check_get_n_results (check); i++)
    if (g_str_equal (tr_screen_check_get_result (check, i)->station_id, station_id))
      return tr_screen_check_get_result (check, i);
  g_assert_not_reached ();
}

static void
test_shown_when_reported (void)
{
  g_autoptr (TrScreenCheck) check = tr_screen_check_new ("t1", 1042, 50, T0);

  /* Nothing observed yet: not over, whatever the roster will hold. */
  g_assert_false (tr_screen_check_is_done (check, T0, TIMEOUT));

  tr_screen_check_observe (check, "grill", "Grill", "kitchen", TRUE, 49, T0 + 100);
  tr_screen_check_observe (check, "expo", "Expo", "foh", TRUE, 49, T0 + 100);
  g_assert_cmpint (result_of (check, "grill")->state, ==, TR_SCREEN_WAITING);
  g_assert_false (tr_screen_check_is_done (check, T0 + 100, TIMEOUT));

  /* A later seq proves the ticket's too: events apply in order. */
  tr_screen_check_observe (check, "grill", "Grill", "kitchen", TRUE, 53, T0 + 900);
  g_assert_cmpint (result_of (check, "grill")->state, ==, TR_SCREEN_SHOWN);
  g_assert_cmpint (result_of (check, "grill")->shown_after_ms, ==, 900);
  g_assert_false (tr_screen_check_is_done (check, T0 + 900, TIMEOUT));

  tr_screen_check_observe (check, "expo", "Expo", "foh", TRUE, 50, T0 + 4000);
  g_assert_true (tr_screen_check_is_done (check, T0 + 4000, TIMEOUT));
  tr_screen_check_finish (check, T0 + 4000);
  g_assert_cmpuint (tr_screen_check_count (check, TR_SCREEN_SHOWN), ==, 2);

  /* Shown stays shown; a report after the end changes nothing. */
  tr_screen_check_observe (check, "grill", "Grill", "kitchen", FALSE, 0, T0 + 5000);
  tr_screen_check_observe (check, "late", "Late", "kitchen", TRUE, 60, T0 + 5000);
  g_assert_cmpint (result_of (check, "grill")->state, ==, TR_SCREEN_SHOWN);
  g_assert_cmpuint (tr_screen_check_get_n_results (check), ==, 2);
}

static void
test_offline_and_no_answer (void)
{
  g_autoptr (TrScreenCheck) check = tr_screen_check_new ("t1", 7, 10, T0);

  tr_screen_check_observe (check, "bar", "Bar", "kitchen", FALSE, 3, T0 + 10);
  tr_screen_check_observe (check, "fry", "Fry", "kitchen", TRUE, 9, T0 + 10);
  g_assert_cmpint (result_of (check, "bar")->state, ==, TR_SCREEN_OFFLINE);
  g_assert_cmpint (result_of (check, "bar")->shown_after_ms, ==, -1);
  /* An offline screen does not hold the check up... */
  tr_screen_check_observe (check, "fry", "Fry", "kitchen", TRUE, 10, T0 + 200);
  g_assert_true (tr_screen_check_is_done (check, T0 + 200, TIMEOUT));

  /* ...but one that was connected and dropped does, until the timeout:
   * it may come back and catch up. */
  {
    g_autoptr (TrScreenCheck) second = tr_screen_check_new ("t2", 8, 20, T0);

    tr_screen_check_observe (second, "fry", "Fry", "kitchen", TRUE, 19, T0 + 10);
    tr_screen_check_observe (second, "fry", "Fry", "kitchen", FALSE, 19, T0 + 500);
    g_assert_cmpint (result_of (second, "fry")->state, ==, TR_SCREEN_WAITING);
    g_assert_false (tr_screen_check_is_done (second, T0 + TIMEOUT - 1, TIMEOUT));
    g_assert_true (tr_screen_check_is_done (second, T0 + TIMEOUT, TIMEOUT));
    tr_screen_check_finish (second, T0 + TIMEOUT);
    g_assert_cmpint (result_of (second, "fry")->state, ==, TR_SCREEN_NO_ANSWER);
  }
}

static void
test_no_screens (void)
{
  g_autoptr (TrScreenCheck) check = tr_screen_check_new ("t1", 1, 1, T0);

  /* An empty roster observed: nobody to wait for. */
  tr_screen_check_observe (check, "paired-only", NULL, NULL, FALSE, 0, T0);
  g_assert_true (tr_screen_check_is_done (check, T0, TIMEOUT));
  g_assert_cmpstr (result_of (check, "paired-only")->name, ==, "paired-only");
}

static void
test_json (void)
{
  g_autoptr (TrScreenCheck) check = tr_screen_check_new ("t9", 1042, 77, T0);
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;

  tr_screen_check_observe (check, "s2", "Zed", NULL, TRUE, 80, T0 + 1500);
  tr_screen_check_observe (check, "s1", "Alpha", "kitchen", TRUE, 5, T0 + 1500);
  tr_screen_check_observe (check, "s3", "Mid", "foh", FALSE, 5, T0 + 1500);
  tr_screen_check_finish (check, T0 + 2000);
  node = tr_screen_check_to_json (check);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (
    text, ==,
    "{\"ticket_id\":\"t9\",\"number\":1042,\"seq\":77,\"elapsed_ms\":2000,\"shown\":1,"
    "\"no_answer\":1,\"offline\":1,\"stations\":["
    "{\"station\":\"s1\",\"name\":\"Alpha\",\"role\":\"kitchen\",\"state\":\"no_answer\","
    "\"shown_after_ms\":null},"
    "{\"station\":\"s3\",\"name\":\"Mid\",\"role\":\"foh\",\"state\":\"offline\","
    "\"shown_after_ms\":null},"
    "{\"station\":\"s2\",\"name\":\"Zed\",\"role\":null,\"state\":\"shown\","
    "\"shown_after_ms\":1500}]}");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/screen-check/shown-when-reported", test_shown_when_reported);
  g_test_add_func ("/screen-check/offline-and-no-answer", test_offline_and_no_answer);
  g_test_add_func ("/screen-check/no-screens", test_no_screens);
  g_test_add_func ("/screen-check/json", test_json);
  return g_test_run ();
}
