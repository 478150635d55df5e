/* tr-ticket-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-ticket-row"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ticket-row.h"

struct _TrTicketRow
{
  GtkWidget parent_instance;

  TrTicketObject *ticket;
  char *status_class;

  GtkLabel *number_label;
  GtkLabel *destination_label;
  GtkLabel *details_label;
  GtkLabel *summary_label;
  GtkLabel *note_label;
  GtkLabel *rush_label;
  GtkLabel *count_label;
  GtkLabel *status_label;
};

G_DEFINE_FINAL_TYPE (TrTicketRow, tr_ticket_row, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TICKET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
dup_details (const TrTicket *ticket)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (ticket->guests > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d guest", "%d guests",
                                                          (gulong)ticket->guests),
                                             ticket->guests));
  if (ticket->server != NULL && ticket->server[0] != '\0')
    g_ptr_array_add (parts, g_strdup (ticket->server));
  if (ticket->external_ref != NULL && ticket->external_ref[0] != '\0')
    g_ptr_array_add (parts, g_strdup (ticket->external_ref));
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **)parts->pdata);
}

static void
update (TrTicketRow *self)
{
  const TrTicket *ticket;
  g_autofree char *title = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *details = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *count = NULL;
  guint n_items;

  if (self->status_class != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), self->status_class);
      g_clear_pointer (&self->status_class, g_free);
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self), "rush");

  if (self->ticket == NULL)
    {
      gtk_label_set_label (self->number_label, NULL);
      gtk_label_set_label (self->destination_label, NULL);
      gtk_label_set_label (self->details_label, NULL);
      gtk_label_set_label (self->summary_label, NULL);
      gtk_label_set_label (self->count_label, NULL);
      gtk_label_set_label (self->status_label, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->rush_label), FALSE);
      return;
    }

  ticket = tr_ticket_object_get_ticket (self->ticket);
  title = tr_ticket_object_dup_title (self->ticket);
  destination = tr_ticket_object_dup_destination (self->ticket);
  details = dup_details (ticket);
  summary = tr_ticket_object_dup_summary (self->ticket);
  n_items = tr_ticket_object_get_item_count (self->ticket);
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u item", "%u items", n_items), n_items);

  gtk_label_set_label (self->number_label, title);
  gtk_label_set_label (self->destination_label, destination);
  gtk_label_set_label (self->details_label, details);
  gtk_label_set_label (self->summary_label, summary);
  gtk_label_set_label (self->count_label, count);
  gtk_label_set_label (self->status_label, tr_ticket_object_get_status_label (self->ticket));

  gtk_label_set_label (self->note_label, ticket->note);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label),
                          ticket->note != NULL && ticket->note[0] != '\0');

  gtk_widget_set_visible (GTK_WIDGET (self->rush_label), tr_ticket_object_get_rush (self->ticket));
  if (tr_ticket_object_get_rush (self->ticket))
    gtk_widget_add_css_class (GTK_WIDGET (self), "rush");

  /* One class per wire status, e.g. "status-preparing", for style.css. */
  self->status_class = g_strconcat ("status-", tr_ticket_status_to_string (ticket->status), NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), self->status_class);
}

static void
tr_ticket_row_dispose (GObject *object)
{
  TrTicketRow *self = (TrTicketRow *)object;

  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_TICKET_ROW);
  /* The template's unnamed boxes are ours to unparent too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->ticket);

  G_OBJECT_CLASS (tr_ticket_row_parent_class)->dispose (object);
}

static void
tr_ticket_row_finalize (GObject *object)
{
  TrTicketRow *self = (TrTicketRow *)object;

  g_clear_pointer (&self->status_class, g_free);

  G_OBJECT_CLASS (tr_ticket_row_parent_class)->finalize (object);
}

static void
tr_ticket_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrTicketRow *self = TR_TICKET_ROW (object);

  switch (prop_id)
    {
      case PROP_TICKET:
        g_value_set_object (value, self->ticket);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_ticket_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrTicketRow *self = TR_TICKET_ROW (object);

  switch (prop_id)
    {
      case PROP_TICKET:
        tr_ticket_row_set_ticket (self, g_value_get_object (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_ticket_row_class_init (TrTicketRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_ticket_row_dispose;
  object_class->finalize = tr_ticket_row_finalize;
  object_class->get_property = tr_ticket_row_get_property;
  object_class->set_property = tr_ticket_row_set_property;

  properties[PROP_TICKET]
    = g_param_spec_object ("ticket", NULL, NULL, TR_TYPE_TICKET_OBJECT,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ticketrail/Ticketrail/tr-ticket-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TrTicketRow, number_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketRow, destination_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketRow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketRow, note_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketRow, rush_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketRow, count_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketRow, status_label);
  gtk_widget_class_set_css_name (widget_class, "ticketrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tr_ticket_row_init (TrTicketRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tr_ticket_row_new (void)
{
  return g_object_new (TR_TYPE_TICKET_ROW, NULL);
}

TrTicketObject *
tr_ticket_row_get_ticket (TrTicketRow *self)
{
  g_return_val_if_fail (TR_IS_TICKET_ROW (self), NULL);

  return self->ticket;
}

void
tr_ticket_row_set_ticket (TrTicketRow *self, TrTicketObject *ticket)
{
  g_return_if_fail (TR_IS_TICKET_ROW (self));
  g_return_if_fail (ticket == NULL || TR_IS_TICKET_OBJECT (ticket));

  if (g_set_object (&self->ticket, ticket))
    {
      update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TICKET]);
    }
}
