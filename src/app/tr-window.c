/* tr-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ticket-row.h"
#include "tr-window.h"

struct _TrWindow
{
  AdwApplicationWindow parent_instance;

  TrTicketList *tickets;
  GSettings *settings;

  AdwWindowTitle *window_title;
  GtkStack *stack;
  GtkListView *list_view;
};

G_DEFINE_FINAL_TYPE (TrWindow, tr_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_TICKETS,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_view (TrWindow *self)
{
  guint n_tickets = g_list_model_get_n_items (G_LIST_MODEL (self->tickets));
  g_autofree char *subtitle = NULL;

  if (n_tickets > 0)
    subtitle = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%u open ticket", "%u open tickets", n_tickets), n_tickets);

  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_stack_set_visible_child_name (self->stack, n_tickets > 0 ? "tickets" : "empty");
}

static void
on_items_changed (TrWindow *self, guint position, guint removed, guint added, GListModel *model)
{
  if (removed != added)
    update_view (self);
}

static void
on_setup_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, TrWindow *self)
{
  /* Nothing to select or activate yet; the kitchen views that replace
   * this list bring their own bump actions. */
  gtk_list_item_set_selectable (list_item, FALSE);
  gtk_list_item_set_activatable (list_item, FALSE);
  gtk_list_item_set_child (list_item, tr_ticket_row_new ());
}

static void
on_bind_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, TrWindow *self)
{
  TrTicketRow *row = TR_TICKET_ROW (gtk_list_item_get_child (list_item));

  tr_ticket_row_set_ticket (row, gtk_list_item_get_item (list_item));
}

static void
on_unbind_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, TrWindow *self)
{
  TrTicketRow *row = TR_TICKET_ROW (gtk_list_item_get_child (list_item));

  tr_ticket_row_set_ticket (row, NULL);
}

static gboolean
tr_window_close_request (GtkWindow *window)
{
  TrWindow *self = TR_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (tr_window_parent_class)->close_request (window);
}

static void
tr_window_constructed (GObject *object)
{
  TrWindow *self = (TrWindow *)object;
  g_autoptr (GtkNoSelection) selection = NULL;

  G_OBJECT_CLASS (tr_window_parent_class)->constructed (object);

  if (self->tickets == NULL)
    self->tickets = tr_ticket_list_new ();

  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->tickets)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect_object (self->tickets, "items-changed", G_CALLBACK (on_items_changed), self,
                           G_CONNECT_SWAPPED);
  update_view (self);

  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}

static void
tr_window_dispose (GObject *object)
{
  TrWindow *self = (TrWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_WINDOW);
  g_clear_object (&self->tickets);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tr_window_parent_class)->dispose (object);
}

static void
tr_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrWindow *self = TR_WINDOW (object);

  switch (prop_id)
    {
      case PROP_TICKETS:
        g_value_set_object (value, self->tickets);
        break;

      case PROP_SETTINGS:
        g_value_set_object (value, self->settings);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrWindow *self = TR_WINDOW (object);

  switch (prop_id)
    {
      case PROP_TICKETS:
        self->tickets = g_value_dup_object (value);
        break;

      case PROP_SETTINGS:
        self->settings = g_value_dup_object (value);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_window_class_init (TrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = tr_window_constructed;
  object_class->dispose = tr_window_dispose;
  object_class->get_property = tr_window_get_property;
  object_class->set_property = tr_window_set_property;

  window_class->close_request = tr_window_close_request;

  properties[PROP_TICKETS]
    = g_param_spec_object ("tickets", NULL, NULL, TR_TYPE_TICKET_LIST,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS]
    = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ticketrail/Ticketrail/tr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TrWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TrWindow, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_setup_row);
  gtk_widget_class_bind_template_callback (widget_class, on_bind_row);
  gtk_widget_class_bind_template_callback (widget_class, on_unbind_row);

  g_type_ensure (TR_TYPE_TICKET_ROW);
}

static void
tr_window_init (TrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

TrWindow *
tr_window_new (GtkApplication *application, TrTicketList *tickets, GSettings *settings)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (tickets == NULL || TR_IS_TICKET_LIST (tickets), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (TR_TYPE_WINDOW, "application", application, "tickets", tickets, "settings",
                       settings, NULL);
}

TrTicketList *
tr_window_get_tickets (TrWindow *self)
{
  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);

  return self->tickets;
}

GtkWidget *
tr_window_show_error (TrWindow *self, const char *heading, const char *body)
{
  GtkWidget *dialog;

  g_return_val_if_fail (TR_IS_WINDOW (self), NULL);
  g_return_val_if_fail (heading != NULL, NULL);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}
