/* tr-printer-editor.h: adding or changing one kitchen printer
 *
 * A page of Preferences' Printers page (shown as a subpage): the name,
 * the address (tcp://HOST:PORT; "HOST" alone means port 9100), the
 * paper, the stations it prints for and when it prints, each mode with
 * one line a manager understands. Save checks everything first
 * (tr_printer_validate(), and a new name must not be another printer's):
 * a mistake is said on the page, next to the row, and nothing is saved.
 * The host's writer saves it (tr_host_save_printer_async()); a renamed
 * printer is saved under its new name, then the old one is removed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-host.h"

G_BEGIN_DECLS

#define TR_TYPE_PRINTER_EDITOR (tr_printer_editor_get_type ())
G_DECLARE_FINAL_TYPE (TrPrinterEditor, tr_printer_editor, TR, PRINTER_EDITOR, GtkWidget)

/* Properties (construct-only):
 *   "host"         TrHost*     where it is saved
 *   "printer"      TrPrinter*  the printer to change, or NULL for a new one
 *   "stations"     GStrv       the kitchen stations to offer (the menu's)
 *   "taken-names"  GStrv       the other printers' names
 * Actions (editor.): save, cancel
 * Signals:
 *   "done" (gboolean saved)  saved, or left without saving
 */
TrPrinterEditor *tr_printer_editor_new       (TrHost            *host,
                                              const TrPrinter   *printer,
                                              const char *const *stations,
                                              const char *const *taken_names);
/* What the page says is wrong, or NULL (tests). */
const char      *tr_printer_editor_get_error (TrPrinterEditor *self);
/* Whether a save is on its way to the host (tests). */
gboolean         tr_printer_editor_get_saving (TrPrinterEditor *self);

G_END_DECLS
