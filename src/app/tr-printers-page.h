/* tr-printers-page.h: Preferences' Printers page (host station only)
 *
 * Lists the host's kitchen printers with how each is doing, follows the
 * host's "printers-changed", and adds, changes (tr-printer-editor.h, as a
 * subpage) and removes them through the host's writer. Each printer has
 * a Print Test Page button; the result is a toast: printed, or why not
 * (offline, paper out). The window adds the page while its station is
 * the host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-printer-editor.h"
#include "tr-station.h"

G_BEGIN_DECLS

#define TR_TYPE_PRINTERS_PAGE (tr_printers_page_get_type ())
G_DECLARE_FINAL_TYPE (TrPrintersPage, tr_printers_page, TR, PRINTERS_PAGE, AdwPreferencesPage)

/* Properties:
 *   "station"  TrStation*  the host station whose printers it shows, or NULL
 * Actions (printers.): add, edit (s), remove (s: asks first), test-page (s)
 */
GtkWidget       *tr_printers_page_new            (TrStation *station);
void             tr_printers_page_set_station    (TrPrintersPage *self,
                                                  TrStation      *station);
/* One line per listed printer, "NAME\tSTATE" (tr_printer_state_to_string()),
 * in display order (tests). */
GStrv            tr_printers_page_dup_summary    (TrPrintersPage *self);
/* The editor shown as a subpage now, or NULL (tests). */
TrPrinterEditor *tr_printers_page_get_editor     (TrPrintersPage *self);
/* The text of the last toast, or NULL (tests). */
const char      *tr_printers_page_get_last_toast (TrPrintersPage *self);

G_END_DECLS
