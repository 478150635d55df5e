/* test-printer.c: a printer's configuration, its checks and its JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-error.h"
#include "tr-printer.h"

#include <string.h>

static void
test_address (void)
{
  struct
  {
    const char *address;
    const char *host; /* NULL: refused */
    guint port;
  } cases[] = {
    { "tcp://192.168.1.50:9100", "192.168.1.50", 9100 },
    { "tcp://kitchen-printer", "kitchen-printer", 9100 },
    { "tcp://[fe80::1]:9101", "fe80::1", 9101 },
    { "tcp://printer:0", NULL, 0 },
    { "tcp://printer:65536", NULL, 0 },
    { "tcp://printer:91x", NULL, 0 },
    { "tcp://:9100", NULL, 0 },
    { "http://printer:9100", NULL, 0 },
    { "tcp://a/b:9100", NULL, 0 },
    { "tcp://fe80::1:9100", NULL, 0 },
    { "", NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 0;
      gboolean ok = tr_printer_parse_address (cases[i].address, &host, &port, &error);

      if (cases[i].host == NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
          g_assert_null (host);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (host, ==, cases[i].host);
          g_assert_cmpuint (port, ==, cases[i].port);
        }
    }
}

static void
test_validate (void)
{
  g_autoptr (TrPrinter) printer = tr_printer_new ("grill", "tcp://10.0.0.9:9100");
  g_autoptr (GError) error = NULL;
  TrPrinterMode mode;

  g_assert_true (tr_printer_validate (printer, &error));
  g_assert_cmpuint (printer->columns, ==, 42);
  g_assert_cmpuint (printer->grace_seconds, ==, 20);
  g_assert_cmpint (printer->mode, ==, TR_PRINTER_MODE_ALWAYS);
  g_assert_true (tr_printer_serves_route (printer, "grill"));

  printer->columns = 40;
  g_assert_false (tr_printer_validate (printer, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "32"));
  g_clear_error (&error);
  printer->columns = 32;

  g_free (printer->name);
  printer->name = g_strdup ("-rm");
  g_assert_false (tr_printer_validate (printer, &error));
  g_clear_error (&error);
  g_free (printer->name);
  printer->name = g_strdup ("a\nb");
  g_assert_false (tr_printer_validate (printer, &error));
  g_clear_error (&error);
  g_free (printer->name);
  printer->name = g_strdup ("Grill line");

  g_strfreev (printer->routes);
  printer->routes = g_strsplit ("grill,fry", ",", -1);
  g_assert_true (tr_printer_validate (printer, &error));
  g_assert_true (tr_printer_serves_route (printer, "fry"));
  g_assert_false (tr_printer_serves_route (printer, "pastry"));
  /* Items routed nowhere go to every printer. */
  g_assert_true (tr_printer_serves_route (printer, NULL));

  g_assert_true (tr_printer_mode_from_string ("ready-chit", &mode, &error));
  g_assert_cmpint (mode, ==, TR_PRINTER_MODE_READY_CHIT);
  g_assert_false (tr_printer_mode_from_string ("sometimes", &mode, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "always, fallback or ready-chit"));
  g_clear_error (&error);

  g_assert_true (tr_printer_state_is_alert (TR_PRINTER_STATE_PAPER_OUT));
  g_assert_false (tr_printer_state_is_alert (TR_PRINTER_STATE_READY));
  g_assert_false (tr_printer_state_is_alert (TR_PRINTER_STATE_UNKNOWN));
}

static void
test_json (void)
{
  g_autoptr (GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_info_free);
  g_autoptr (TrPrinter) printer = tr_printer_new ("grill", "tcp://10.0.0.9:9100");
  g_autoptr (GPtrArray) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  TrPrinterInfo *info;
  const TrPrinterInfo *read;

  printer->mode = TR_PRINTER_MODE_FALLBACK;
  printer->columns = 32;
  printer->grace_seconds = 45;
  g_strfreev (printer->routes);
  printer->routes = g_strsplit ("grill", ",", -1);
  info = tr_printer_info_new (printer);
  info->state = TR_PRINTER_STATE_PAPER_OUT;
  info->state_since = 1000;
  info->last_error = g_strdup ("the printer says: paper-out");
  info->pending_slips = 3;
  info->last_printed_at = 900;
  g_ptr_array_add (infos, info);

  json = tr_printer_infos_to_json (infos);
  back = tr_printer_infos_parse (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 1);
  read = g_ptr_array_index (back, 0);
  g_assert_cmpstr (read->printer->name, ==, "grill");
  g_assert_cmpstr (read->printer->address, ==, "tcp://10.0.0.9:9100");
  g_assert_cmpuint (read->printer->columns, ==, 32);
  g_assert_cmpuint (read->printer->grace_seconds, ==, 45);
  g_assert_cmpint (read->printer->mode, ==, TR_PRINTER_MODE_FALLBACK);
  g_assert_cmpstr (read->printer->routes[0], ==, "grill");
  g_assert_null (read->printer->routes[1]);
  g_assert_cmpint (read->state, ==, TR_PRINTER_STATE_PAPER_OUT);
  g_assert_cmpint (read->state_since, ==, 1000);
  g_assert_cmpstr (read->last_error, ==, "the printer says: paper-out");
  g_assert_cmpuint (read->pending_slips, ==, 3);
  g_assert_cmpint (read->last_printed_at, ==, 900);

  g_clear_pointer (&back, g_ptr_array_unref);
  back = tr_printer_infos_parse ("{\"printers\":[{\"name\":\"x\",\"address\":\"tcp://x\","
                                 "\"columns\":41}]}",
                                 -1, &error);
  g_assert_null (back);
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
  g_clear_error (&error);
  back = tr_printer_infos_parse ("[]", -1, &error);
  g_assert_null (back);
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/printer/address", test_address);
  g_test_add_func ("/printer/validate", test_validate);
  g_test_add_func ("/printer/json", test_json);
  return g_test_run ();
}
