/* tr-host-printers-cmd.c: `ticketrail-host printers`
 *
 *   ticketrail-host printers add NAME --address tcp://HOST:PORT [--width 42]
 *                            [--route grill]… [--mode always|fallback|ready-chit]
 *                            [--grace SECONDS] [--data-dir D]
 *   ticketrail-host printers list|remove NAME|test NAME [--data-dir D]
 *
 * Like `revoke`, it writes the running host's database from this
 * process (SQLite WAL allows it); the host reads its printers table
 * again every 5 s (tr-host-maintenance.c) and starts, restarts or stops
 * their workers. `test` prints a test page straight from here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-host"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-host-printers-cmd.h"
#include "tr-print-spool.h"
#include "tr-slip.h"
#include "tr-store-printers.h"

static int
usage (void)
{
  g_printerr ("%s\n",
              _ ("Usage: ticketrail-host printers add NAME --address tcp://HOST:PORT "
                 "[--width 32|42|48] [--route ROUTE]… [--mode always|fallback|ready-chit] "
                 "[--grace SECONDS]\n"
                 "       ticketrail-host printers list | remove NAME | test NAME"));
  return 2;
}

static TrPrinter *
find_printer (TrStore *store, const char *name, GError **error)
{
  g_autoptr (GPtrArray) printers = tr_store_list_printers (store, error);

  if (printers == NULL)
    return NULL;
  for (guint i = 0; i < printers->len; i++)
    if (g_str_equal (((TrPrinter *)g_ptr_array_index (printers, i))->name, name))
      return tr_printer_copy (g_ptr_array_index (printers, i));
  /* Translators: %s is a printer's name */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("no printer called %s"), name);
  return NULL;
}

static int
list_printers (TrStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) printers = tr_store_list_printers (store, &error);

  if (printers == NULL)
    {
      g_printerr ("ticketrail-host printers: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < printers->len; i++)
    {
      const TrPrinter *printer = g_ptr_array_index (printers, i);
      g_autofree char *routes = g_strjoinv (",", printer->routes);

      /* One tab-separated row per printer: name, address, width, mode,
       * routes, grace. */
      g_print ("%s\t%s\t%u\t%s\t%s\t%us\n", printer->name, printer->address, printer->columns,
               tr_printer_mode_to_string (printer->mode),
               /* Translators: in `ticketrail-host printers list`, a
                * printer that serves every route */
               *routes != '\0' ? routes : _ ("all routes"), printer->grace_seconds);
    }
  if (printers->len == 0)
    g_print ("%s\n", _ ("No printers. Add one with ticketrail-host printers add."));
  return 0;
}

int
tr_host_printers_main (const char *data_dir, int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *address = NULL;
  g_autofree char *mode = NULL;
  g_auto (GStrv) routes = NULL;
  int width = 0;
  int grace = -1;
  const char *command;
  GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir,
      N_ ("Where the host keeps its database"), N_ ("DIR") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address,
      N_ ("The printer's raw ESC/POS address, tcp://HOST:PORT (port 9100 usually)"),
      N_ ("ADDRESS") },
    { "width", 0, 0, G_OPTION_ARG_INT, &width,
      N_ ("Characters per line: 32 (58 mm paper), 42 or 48 (80 mm); default 42"), N_ ("N") },
    { "route", 0, 0, G_OPTION_ARG_STRING_ARRAY, &routes,
      N_ ("A kitchen station it prints for, such as grill; repeat for more; none: all"),
      N_ ("ROUTE") },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode,
      N_ ("always, fallback (only while no screen shows its routes) or ready-chit"),
      N_ ("MODE") },
    { "grace", 0, 0, G_OPTION_ARG_INT, &grace,
      N_ ("Fallback: seconds without a screen before it prints (default 20)"), N_ ("SECONDS") },
    { NULL },
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ticketrail-host printers: %s\n", error->message);
      return 2;
    }
  /* argv: ticketrail-host printers COMMAND [NAME] */
  if (argc < 3)
    return usage ();
  command = argv[2];

  if (dir == NULL)
    dir = tr_store_default_dir ();
  db_path = g_build_filename (dir, "ticketrail.db", NULL);
  store = tr_store_open (db_path, TR_STORE_DURABILITY_FULL, &error);
  if (store == NULL)
    {
      g_printerr (_ ("ticketrail-host: cannot open %s: %s\n"), db_path, error->message);
      return 1;
    }

  if (g_str_equal (command, "list") && argc == 3)
    return list_printers (store);

  if (g_str_equal (command, "add") && argc == 4)
    {
      g_autoptr (TrPrinter) printer = tr_printer_new (argv[3], address);

      if (address == NULL)
        return usage ();
      if (width != 0)
        printer->columns = (guint)MAX (width, 1);
      if (grace >= 0)
        printer->grace_seconds = (guint)grace;
      if (routes != NULL)
        {
          g_strfreev (printer->routes);
          printer->routes = g_steal_pointer (&routes);
        }
      if ((mode != NULL && !tr_printer_mode_from_string (mode, &printer->mode, &error))
          || !tr_store_save_printer (store, printer, tr_now_ms (), &error))
        {
          g_printerr ("ticketrail-host printers add: %s\n", error->message);
          return 1;
        }
      /* Translators: %s is a printer's name */
      g_print (_ ("Saved printer %s; a running host uses it within seconds.\n"), printer->name);
      return 0;
    }

  if (g_str_equal (command, "remove") && argc == 4)
    {
      gboolean found = FALSE;

      if (!tr_store_remove_printer (store, argv[3], &found, &error))
        {
          g_printerr ("ticketrail-host printers remove: %s\n", error->message);
          return 1;
        }
      if (!found)
        {
          /* Translators: %s is a printer's name */
          g_printerr (_ ("ticketrail-host printers remove: no printer called %s\n"), argv[3]);
          return 1;
        }
      /* Translators: %s is a printer's name */
      g_print (_ ("Removed printer %s.\n"), argv[3]);
      return 0;
    }

  if (g_str_equal (command, "test") && argc == 4)
    {
      g_autoptr (TrPrinter) printer = find_printer (store, argv[3], &error);
      g_autoptr (TrSlip) slip = NULL;
      TrSlipOptions options = { 0, NULL, FALSE, NULL };
      TrPrinterState state = TR_PRINTER_STATE_UNKNOWN;

      if (printer == NULL)
        {
          g_printerr ("ticketrail-host printers test: %s\n", error->message);
          return 1;
        }
      options.columns = printer->columns;
      slip = tr_slip_new_test_page (printer->name, printer->address, tr_now_ms (), &options);
      if (!tr_print_send_slip (printer, slip, &state, &error))
        {
          g_printerr ("ticketrail-host printers test: %s\n", error->message);
          return 1;
        }
      /* Translators: %s is a printer's name */
      g_print (_ ("Test page printed on %s.\n"), printer->name);
      return 0;
    }

  return usage ();
}
