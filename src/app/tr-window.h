/* tr-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-ticket-list.h"

G_BEGIN_DECLS

#define TR_TYPE_WINDOW (tr_window_get_type ())
G_DECLARE_FINAL_TYPE (TrWindow, tr_window, TR, WINDOW, AdwApplicationWindow)

/* @settings may be NULL (no schema installed): the window then does not
 * remember its size. */
TrWindow *
tr_window_new (GtkApplication *application, TrTicketList *tickets, GSettings *settings);
TrTicketList *
tr_window_get_tickets (TrWindow *self);
/* Shows a modal message dialog over the window and returns it (owned by
 * the window). */
GtkWidget *
tr_window_show_error (TrWindow *self, const char *heading, const char *body);

G_END_DECLS
