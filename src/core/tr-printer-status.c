/* tr-printer-status.c: the words for a kitchen printer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-printer"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tr-printer-status.h"

const guint tr_printer_widths[TR_PRINTER_N_WIDTHS] = { 32, 42, 48 };

const char *
tr_printer_status_label (TrPrinterState state)
{
  switch (state)
    {
      case TR_PRINTER_STATE_READY:
        /* Translators: a kitchen printer's state, on a pill */
        return C_ ("printer state", "Ready");
      case TR_PRINTER_STATE_OFFLINE:
        return C_ ("printer state", "Offline");
      case TR_PRINTER_STATE_PAPER_OUT:
        return C_ ("printer state", "Paper out");
      case TR_PRINTER_STATE_COVER_OPEN:
        return C_ ("printer state", "Cover open");
      case TR_PRINTER_STATE_UNKNOWN:
      default:
        /* Translators: a kitchen printer the host has not tried to reach
         * since it started */
        return C_ ("printer state", "Not reached yet");
    }
}

TrPrinterSeverity
tr_printer_status_severity (TrPrinterState state)
{
  if (state == TR_PRINTER_STATE_READY)
    return TR_PRINTER_SEVERITY_OK;
  if (tr_printer_state_is_alert (state))
    return TR_PRINTER_SEVERITY_ERROR;
  return TR_PRINTER_SEVERITY_NEUTRAL;
}

const char *
tr_printer_status_problem (TrPrinterState state)
{
  switch (state)
    {
      case TR_PRINTER_STATE_OFFLINE:
        return _ ("it does not answer: check that it is on and plugged into the network");
      case TR_PRINTER_STATE_PAPER_OUT:
        return _ ("it is out of paper: load a new roll");
      case TR_PRINTER_STATE_COVER_OPEN:
        return _ ("its cover is open: close it");
      case TR_PRINTER_STATE_READY:
      case TR_PRINTER_STATE_UNKNOWN:
      default:
        return NULL;
    }
}

static char *
format_time (gint64 ms)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%H:%M") : g_strdup ("?");
}

char *
tr_printer_status_describe (const TrPrinterInfo *info)
{
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func (g_free);
  gboolean down;

  g_return_val_if_fail (info != NULL, NULL);

  down = tr_printer_state_is_alert (info->state);
  if (down && info->state_since > 0)
    {
      g_autofree char *at = format_time (info->state_since);

      switch (info->state)
        {
          case TR_PRINTER_STATE_PAPER_OUT:
            /* Translators: %s is a time of day, e.g. "Paper out since 12:03" */
            g_ptr_array_add (facts, g_strdup_printf (_ ("Paper out since %s"), at));
            break;
          case TR_PRINTER_STATE_COVER_OPEN:
            g_ptr_array_add (facts, g_strdup_printf (_ ("Cover open since %s"), at));
            break;
          case TR_PRINTER_STATE_OFFLINE:
          default:
            g_ptr_array_add (facts, g_strdup_printf (_ ("Offline since %s"), at));
            break;
        }
    }
  else
    g_ptr_array_add (facts, g_strdup (tr_printer_status_label (info->state)));

  if (info->pending_slips > 0)
    g_ptr_array_add (facts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u slip waiting",
                                                          "%u slips waiting", info->pending_slips),
                                             info->pending_slips));
  /* A ready printer's last error is history; a down one's says why. */
  if (info->last_error != NULL && *info->last_error != '\0'
      && info->state != TR_PRINTER_STATE_READY)
    g_ptr_array_add (facts, g_strdup (info->last_error));
  if (info->last_printed_at > 0 && !down)
    {
      g_autofree char *at = format_time (info->last_printed_at);

      /* Translators: when the printer last printed, e.g. "last slip 12:05" */
      g_ptr_array_add (facts, g_strdup_printf (_ ("last slip %s"), at));
    }
  g_ptr_array_add (facts, NULL);
  /* Translators: what separates facts about a printer on one line */
  return g_strjoinv (C_ ("list of facts", " · "), (char **)facts->pdata);
}

char *
tr_printer_width_label (guint columns)
{
  switch (columns)
    {
      case 32:
        /* Translators: a kitchen printer's paper */
        return g_strdup (_ ("58 mm paper, 32 characters a line"));
      case 42:
        return g_strdup (_ ("80 mm paper, 42 characters a line"));
      case 48:
        return g_strdup (_ ("80 mm paper, 48 characters a line"));
      default:
        return g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "%u character a line", "%u characters a line", columns),
          columns);
    }
}

const char *
tr_printer_mode_label (TrPrinterMode mode)
{
  switch (mode)
    {
      case TR_PRINTER_MODE_FALLBACK:
        /* Translators: when a kitchen printer prints */
        return C_ ("printer mode", "When a screen is down");
      case TR_PRINTER_MODE_READY_CHIT:
        return C_ ("printer mode", "Ready chits");
      case TR_PRINTER_MODE_ALWAYS:
      default:
        return C_ ("printer mode", "Every ticket");
    }
}

const char *
tr_printer_mode_explanation (TrPrinterMode mode)
{
  switch (mode)
    {
      case TR_PRINTER_MODE_FALLBACK:
        return _ ("Prints only while no screen shows its stations, such as when the grill "
                  "screen is off or unplugged");
      case TR_PRINTER_MODE_READY_CHIT:
        return _ ("Prints a short chit when an order is ready, for expo or the runners");
      case TR_PRINTER_MODE_ALWAYS:
      default:
        return _ ("Prints every new ticket for its stations, and every change to one as an "
                  "AMENDED slip");
    }
}

char *
tr_printer_routes_label (const TrPrinter *printer)
{
  g_return_val_if_fail (printer != NULL, NULL);

  if (printer->routes == NULL || printer->routes[0] == NULL)
    /* Translators: a kitchen printer that prints for every station */
    return g_strdup (_ ("All stations"));
  /* Translators: what separates the stations a printer prints for */
  return g_strjoinv (C_ ("list of stations", ", "), printer->routes);
}

char *
tr_printer_describe_setup (const TrPrinter *printer)
{
  g_autofree char *routes = NULL;
  g_autofree char *width = NULL;

  g_return_val_if_fail (printer != NULL, NULL);

  routes = tr_printer_routes_label (printer);
  width = tr_printer_width_label (printer->columns);
  /* Translators: a printer's set-up on one line: its address, the
   * stations it prints for, when it prints and its paper, e.g.
   * "tcp://10.0.0.7:9100 · grill · Every ticket · 80 mm paper, 42
   * characters a line" */
  return g_strdup_printf (_ ("%s · %s · %s · %s"), printer->address, routes,
                          tr_printer_mode_label (printer->mode), width);
}
