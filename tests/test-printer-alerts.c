/* test-printer-alerts.c: when a printer that is down is announced
 * (tr-printer-alerts.c), on a clock the test moves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-printer-alerts.h"

#define S 1000

/* A list of one printer @name in @state since @since (ms). */
static GPtrArray *
printers1 (const char *name, TrPrinterState state, gint64 since, guint pending)
{
  GPtrArray *infos = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_info_free);
  g_autoptr (TrPrinter) printer = tr_printer_new (name, "tcp://127.0.0.1:9100");
  TrPrinterInfo *info = tr_printer_info_new (printer);

  info->state = state;
  info->state_since = since;
  info->pending_slips = pending;
  g_ptr_array_add (infos, info);
  return infos;
}

static GPtrArray *
check1 (TrPrinterAlerts *alerts, const char *name, TrPrinterState state, gint64 since, gint64 now)
{
  g_autoptr (GPtrArray) infos = printers1 (name, state, since, 3);

  return tr_printer_alerts_check (alerts, infos, now);
}

/* Down past the threshold: announced once, with why and since when; its
 * return with how long it was down. */
static void
test_offline_then_back (void)
{
  g_autoptr (TrPrinterAlerts) alerts = tr_printer_alerts_new (10 * S);
  g_autoptr (GPtrArray) a = NULL;
  TrPrinterAlert *alert;

  g_assert_cmpint (tr_printer_alerts_get_threshold (alerts), ==, 10 * S);
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_READY, 1 * S, 1 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_printer_alerts_next_due (alerts), ==, -1);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* Offline at 100 s: not yet at 109 s, due at 110 s. */
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_OFFLINE, 100 * S, 101 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_printer_alerts_next_due (alerts), ==, 110 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_OFFLINE, 100 * S, 109 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);

  a = check1 (alerts, "Grill", TR_PRINTER_STATE_OFFLINE, 100 * S, 110 * S);
  g_assert_cmpuint (a->len, ==, 1);
  alert = a->pdata[0];
  g_assert_false (alert->back);
  g_assert_cmpstr (alert->name, ==, "Grill");
  g_assert_cmpint (alert->state, ==, TR_PRINTER_STATE_OFFLINE);
  g_assert_cmpint (alert->since, ==, 100 * S);
  g_assert_cmpuint (alert->pending_slips, ==, 3);
  g_assert_cmpint (tr_printer_alerts_next_due (alerts), ==, -1);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* Once per outage: the paper running out meanwhile is the same one. */
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_OFFLINE, 100 * S, 200 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_PAPER_OUT, 210 * S, 300 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);

  a = check1 (alerts, "Grill", TR_PRINTER_STATE_READY, 400 * S, 401 * S);
  g_assert_cmpuint (a->len, ==, 1);
  alert = a->pdata[0];
  g_assert_true (alert->back);
  g_assert_cmpint (alert->state, ==, TR_PRINTER_STATE_READY);
  g_assert_cmpint (alert->since, ==, 400 * S);
  g_assert_cmpint (alert->down_ms, ==, 300 * S);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* And once back, nothing more. */
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_READY, 400 * S, 500 * S);
  g_assert_cmpuint (a->len, ==, 0);
}

/* Down for less than the threshold: no news, and neither is its end. */
static void
test_blip_is_no_news (void)
{
  g_autoptr (TrPrinterAlerts) alerts = tr_printer_alerts_new (10 * S);
  g_autoptr (GPtrArray) a = NULL;

  a = check1 (alerts, "Grill", TR_PRINTER_STATE_READY, 0, 1 * S);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_COVER_OPEN, 5 * S, 6 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_READY, 12 * S, 13 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_printer_alerts_next_due (alerts), ==, -1);
  g_clear_pointer (&a, g_ptr_array_unref);
  /* A new outage counts from its own start. */
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_COVER_OPEN, 20 * S, 29 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_COVER_OPEN, 20 * S, 30 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpint (((TrPrinterAlert *)a->pdata[0])->state, ==, TR_PRINTER_STATE_COVER_OPEN);
}

/* A printer is configured to print: down from the first check is news,
 * unlike a screen that was never seen; "not reached yet" is not. */
static void
test_down_from_the_start (void)
{
  g_autoptr (TrPrinterAlerts) alerts = tr_printer_alerts_new (10 * S);
  g_autoptr (GPtrArray) a = NULL;

  a = check1 (alerts, "Bar", TR_PRINTER_STATE_UNKNOWN, 0, 1 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_printer_alerts_next_due (alerts), ==, -1);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* Down an hour before the watch began: announced at once. */
  a = check1 (alerts, "Bar", TR_PRINTER_STATE_PAPER_OUT, 1 * S, 3600 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpint (((TrPrinterAlert *)a->pdata[0])->since, ==, 1 * S);
  g_assert_cmpint (((TrPrinterAlert *)a->pdata[0])->state, ==, TR_PRINTER_STATE_PAPER_OUT);
  g_clear_pointer (&a, g_ptr_array_unref);

  /* No state_since from the host: counted from the first check that saw
   * it down. */
  {
    g_autoptr (TrPrinterAlerts) other = tr_printer_alerts_new (10 * S);

    a = check1 (other, "Bar", TR_PRINTER_STATE_OFFLINE, 0, 50 * S);
    g_assert_cmpuint (a->len, ==, 0);
    g_assert_cmpint (tr_printer_alerts_next_due (other), ==, 60 * S);
    g_clear_pointer (&a, g_ptr_array_unref);
    a = check1 (other, "Bar", TR_PRINTER_STATE_OFFLINE, 0, 60 * S);
    g_assert_cmpuint (a->len, ==, 1);
    g_clear_pointer (&a, g_ptr_array_unref);
  }
  /* A state_since ahead of now (a clock stepped back) does not put the
   * alert off for ever. */
  {
    g_autoptr (TrPrinterAlerts) other = tr_printer_alerts_new (10 * S);

    a = check1 (other, "Bar", TR_PRINTER_STATE_OFFLINE, 999 * S, 50 * S);
    g_assert_cmpuint (a->len, ==, 0);
    g_assert_cmpint (tr_printer_alerts_next_due (other), ==, 60 * S);
    g_clear_pointer (&a, g_ptr_array_unref);
  }
}

/* A removed printer is forgotten: listed again under the same name, it
 * starts afresh, and an outage of the old one has no return. */
static void
test_removed_is_forgotten (void)
{
  g_autoptr (TrPrinterAlerts) alerts = tr_printer_alerts_new (10 * S);
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  g_autoptr (GPtrArray) a = NULL;

  a = check1 (alerts, "Grill", TR_PRINTER_STATE_OFFLINE, 1 * S, 20 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = tr_printer_alerts_check (alerts, none, 21 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_printer_alerts_next_due (alerts), ==, -1);
  g_clear_pointer (&a, g_ptr_array_unref);
  a = check1 (alerts, "Grill", TR_PRINTER_STATE_READY, 22 * S, 22 * S);
  g_assert_cmpuint (a->len, ==, 0);
}

/* Two printers are watched apart; a threshold set later applies to an
 * outage under way. */
static void
test_two_printers_and_threshold (void)
{
  g_autoptr (TrPrinterAlerts) alerts = tr_printer_alerts_new (60 * S);
  g_autoptr (GPtrArray) infos = printers1 ("Grill", TR_PRINTER_STATE_OFFLINE, 10 * S, 0);
  g_autoptr (GPtrArray) more = printers1 ("Expo", TR_PRINTER_STATE_READY, 0, 0);
  g_autoptr (GPtrArray) a = NULL;

  g_ptr_array_extend_and_steal (infos, g_steal_pointer (&more));
  a = tr_printer_alerts_check (alerts, infos, 20 * S);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpint (tr_printer_alerts_next_due (alerts), ==, 70 * S);
  g_clear_pointer (&a, g_ptr_array_unref);

  tr_printer_alerts_set_threshold (alerts, 5 * S);
  g_assert_cmpint (tr_printer_alerts_next_due (alerts), ==, 15 * S);
  a = tr_printer_alerts_check (alerts, infos, 21 * S);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpstr (((TrPrinterAlert *)a->pdata[0])->name, ==, "Grill");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/printer-alerts/offline-then-back", test_offline_then_back);
  g_test_add_func ("/printer-alerts/blip", test_blip_is_no_news);
  g_test_add_func ("/printer-alerts/down-from-the-start", test_down_from_the_start);
  g_test_add_func ("/printer-alerts/removed", test_removed_is_forgotten);
  g_test_add_func ("/printer-alerts/two-printers", test_two_printers_and_threshold);
  return g_test_run ();
}
