/* tr-reprint.h: Reprint, from a kitchen card or a front-of-house row
 *
 * Asks the station to print a ticket again, marked REPRINT, on the
 * host's printers that serve its stations (tr_station_reprint_async():
 * in process on the host, over HTTP from another station), and says how
 * it went in one line for a toast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tr-station.h"

G_BEGIN_DECLS

/* Shows @text on @widget (a toast). */
typedef void (*TrReprintShowFunc) (GtkWidget *widget, const char *text);

/* Reprints @ticket_id; once the host has answered, @show gets the toast
 * ("Reprinting #42 on 1 printer", "No printer prints for #42", or why
 * not), unless @widget was disposed meanwhile (it is kept alive, not
 * shown to). */
void tr_reprint_ticket (TrStation         *station,
                        const char        *ticket_id,
                        GtkWidget         *widget,
                        TrReprintShowFunc  show);

G_END_DECLS
