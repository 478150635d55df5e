/* test-printer-status.c: what Preferences and the host monitor say about
 * a kitchen printer (tr-printer-status.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-printer-status"

#include <string.h>

#include "tr-printer-status.h"

/* 12:03 local time today, in ms. */
static gint64
at_1203 (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) time
    = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                             g_date_time_get_day_of_month (now), 12, 3, 0);

  return g_date_time_to_unix (time) * 1000;
}

static TrPrinterInfo *
info_new (TrPrinterState state, gint64 since, guint pending, const char *error)
{
  g_autoptr (TrPrinter) printer = tr_printer_new ("Grill", "tcp://10.0.0.7:9100");
  TrPrinterInfo *info = tr_printer_info_new (printer);

  info->state = state;
  info->state_since = since;
  info->pending_slips = pending;
  info->last_error = g_strdup (error);
  return info;
}

static void
assert_describe (TrPrinterInfo *info, const char *expected)
{
  g_autofree char *text = tr_printer_status_describe (info);

  g_assert_cmpstr (text, ==, expected);
  tr_printer_info_free (info);
}

static void
test_states (void)
{
  gint64 t = at_1203 ();
  TrPrinterInfo *info;

  g_assert_cmpstr (tr_printer_status_label (TR_PRINTER_STATE_READY), ==, "Ready");
  g_assert_cmpstr (tr_printer_status_label (TR_PRINTER_STATE_OFFLINE), ==, "Offline");
  g_assert_cmpstr (tr_printer_status_label (TR_PRINTER_STATE_PAPER_OUT), ==, "Paper out");
  g_assert_cmpstr (tr_printer_status_label (TR_PRINTER_STATE_COVER_OPEN), ==, "Cover open");
  g_assert_cmpstr (tr_printer_status_label (TR_PRINTER_STATE_UNKNOWN), ==, "Not reached yet");
  g_assert_cmpint (tr_printer_status_severity (TR_PRINTER_STATE_READY), ==, TR_PRINTER_SEVERITY_OK);
  g_assert_cmpint (tr_printer_status_severity (TR_PRINTER_STATE_UNKNOWN), ==,
                   TR_PRINTER_SEVERITY_NEUTRAL);
  for (TrPrinterState s = TR_PRINTER_STATE_OFFLINE; s <= TR_PRINTER_STATE_COVER_OPEN; s++)
    g_assert_cmpint (tr_printer_status_severity (s), ==, TR_PRINTER_SEVERITY_ERROR);

  g_assert_cmpstr (tr_printer_status_problem (TR_PRINTER_STATE_PAPER_OUT), ==,
                   "it is out of paper: load a new roll");
  g_assert_nonnull (strstr (tr_printer_status_problem (TR_PRINTER_STATE_OFFLINE), "network"));
  g_assert_nonnull (strstr (tr_printer_status_problem (TR_PRINTER_STATE_COVER_OPEN), "cover"));
  g_assert_null (tr_printer_status_problem (TR_PRINTER_STATE_READY));
  g_assert_null (tr_printer_status_problem (TR_PRINTER_STATE_UNKNOWN));

  /* Down: since when, what waits, and why. */
  assert_describe (info_new (TR_PRINTER_STATE_OFFLINE, t, 3, "Connection refused"),
                   "Offline since 12:03 · 3 slips waiting · Connection refused");
  assert_describe (info_new (TR_PRINTER_STATE_PAPER_OUT, t, 1, NULL),
                   "Paper out since 12:03 · 1 slip waiting");
  assert_describe (info_new (TR_PRINTER_STATE_COVER_OPEN, t, 0, NULL), "Cover open since 12:03");
  /* No time known: the state alone. */
  assert_describe (info_new (TR_PRINTER_STATE_OFFLINE, 0, 0, "No route to host"),
                   "Offline · No route to host");
  /* Ready: an old error is history; the last slip is news. */
  info = info_new (TR_PRINTER_STATE_READY, t, 2, "Connection refused");
  info->last_printed_at = t + 2 * 60 * 1000;
  assert_describe (info, "Ready · 2 slips waiting · last slip 12:05");
  assert_describe (info_new (TR_PRINTER_STATE_UNKNOWN, 0, 0, NULL), "Not reached yet");
}

static void
test_setup (void)
{
  g_autoptr (TrPrinter) printer = tr_printer_new ("Grill", "tcp://10.0.0.7:9100");
  g_autofree char *text = NULL;
  g_autofree char *routes = NULL;
  g_autofree char *w32 = tr_printer_width_label (32);
  g_autofree char *w42 = tr_printer_width_label (42);
  g_autofree char *w48 = tr_printer_width_label (48);
  g_autofree char *w40 = tr_printer_width_label (40);
  const char *grill[] = { "grill", "fries", NULL };

  g_assert_cmpstr (w32, ==, "58 mm paper, 32 characters a line");
  g_assert_cmpstr (w42, ==, "80 mm paper, 42 characters a line");
  g_assert_cmpstr (w48, ==, "80 mm paper, 48 characters a line");
  g_assert_cmpstr (w40, ==, "40 characters a line");
  g_assert_cmpuint (tr_printer_widths[0], ==, 32);
  g_assert_cmpuint (tr_printer_widths[2], ==, 48);

  routes = tr_printer_routes_label (printer);
  g_assert_cmpstr (routes, ==, "All stations");
  text = tr_printer_describe_setup (printer);
  g_assert_cmpstr (text, ==,
                   "tcp://10.0.0.7:9100 · All stations · Every ticket · 80 mm paper, 42 "
                   "characters a line");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&routes, g_free);

  g_strfreev (printer->routes);
  printer->routes = g_strdupv ((char **)grill);
  printer->mode = TR_PRINTER_MODE_FALLBACK;
  printer->columns = 32;
  routes = tr_printer_routes_label (printer);
  g_assert_cmpstr (routes, ==, "grill, fries");
  text = tr_printer_describe_setup (printer);
  g_assert_cmpstr (text, ==,
                   "tcp://10.0.0.7:9100 · grill, fries · When a screen is down · 58 mm paper, "
                   "32 characters a line");
}

/* Every mode has a label and a one-line explanation, told apart. */
static void
test_modes (void)
{
  const TrPrinterMode modes[]
    = { TR_PRINTER_MODE_ALWAYS, TR_PRINTER_MODE_FALLBACK, TR_PRINTER_MODE_READY_CHIT };

  g_assert_cmpstr (tr_printer_mode_label (TR_PRINTER_MODE_ALWAYS), ==, "Every ticket");
  g_assert_cmpstr (tr_printer_mode_label (TR_PRINTER_MODE_READY_CHIT), ==, "Ready chits");
  g_assert_nonnull (strstr (tr_printer_mode_explanation (TR_PRINTER_MODE_ALWAYS), "AMENDED"));
  g_assert_nonnull (strstr (tr_printer_mode_explanation (TR_PRINTER_MODE_FALLBACK), "screen"));
  g_assert_nonnull (strstr (tr_printer_mode_explanation (TR_PRINTER_MODE_READY_CHIT), "ready"));
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    for (guint j = i + 1; j < G_N_ELEMENTS (modes); j++)
      {
        g_assert_cmpstr (tr_printer_mode_label (modes[i]), !=, tr_printer_mode_label (modes[j]));
        g_assert_cmpstr (tr_printer_mode_explanation (modes[i]), !=,
                         tr_printer_mode_explanation (modes[j]));
      }
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/printer-status/states", test_states);
  g_test_add_func ("/printer-status/setup", test_setup);
  g_test_add_func ("/printer-status/modes", test_modes);
  return g_test_run ();
}
