/* tr-reprint.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-reprint"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-error.h"
#include "tr-reprint.h"

typedef struct
{
  GtkWidget *widget; /* a reference */
  TrReprintShowFunc show;
  int number;
} Reprint;

static void
on_reprinted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reprint *reprint = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  guint n_printers = 0;

  if (tr_station_reprint_finish (TR_STATION (source), result, &n_printers, &error))
    {
      if (n_printers > 0)
        text = g_strdup_printf (
          /* Translators: e.g. "Reprinting #42 on 2 printers" */
          g_dngettext (GETTEXT_PACKAGE, "Reprinting #%d on %u printer",
                       "Reprinting #%d on %u printers", n_printers),
          reprint->number, n_printers);
      else
        /* Translators: %d is a ticket number */
        text = g_strdup_printf (_ ("No printer prints for #%d"), reprint->number);
    }
  else
    /* Translators: %d is a ticket number, %s says why */
    text = g_strdup_printf (_ ("Cannot reprint #%d: %s"), reprint->number,
                            tr_error_describe_local_refusal (error));
  /* Disposed meanwhile (its window closed): nothing to show it on. */
  if (gtk_widget_get_root (reprint->widget) != NULL)
    reprint->show (reprint->widget, text);
  g_object_unref (reprint->widget);
  g_free (reprint);
}

void
tr_reprint_ticket (TrStation *station, const char *ticket_id, GtkWidget *widget,
                   TrReprintShowFunc show)
{
  g_autoptr (TrTicket) ticket = NULL;
  Reprint *reprint;

  g_return_if_fail (TR_IS_STATION (station));
  g_return_if_fail (ticket_id != NULL);
  g_return_if_fail (GTK_IS_WIDGET (widget));

  ticket = tr_station_get_ticket (station, ticket_id, NULL);
  if (ticket == NULL)
    return;
  reprint = g_new0 (Reprint, 1);
  reprint->widget = g_object_ref (widget);
  reprint->show = show;
  reprint->number = ticket->number;
  tr_station_reprint_async (station, ticket_id, NULL, on_reprinted, reprint);
}
