/* tr-found-hosts.c: the hosts found over DNS-SD, as rows to tap
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-found-hosts"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-found-hosts.h"

struct _TrFoundHosts
{
  GtkWidget parent_instance;

  TrDnssdBrowser *browser;
  GtkListBox *list;
  GtkLabel *status;
};

G_DEFINE_FINAL_TYPE (TrFoundHosts, tr_found_hosts, GTK_TYPE_WIDGET)

enum
{
  HOST_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
create_row (gpointer item, gpointer user_data)
{
  TrDnssdHost *host = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *where
    = g_strdup_printf ("%s:%u", tr_dnssd_host_get_address (host), tr_dnssd_host_get_port (host));

  /* Names come from the network: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tr_dnssd_host_get_name (host));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), where);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "host", g_object_ref (host), g_object_unref);
  return row;
}

static void
update_status (TrFoundHosts *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->browser));
  const char *text = NULL;

  switch (tr_dnssd_browser_get_state (self->browser))
    {
      case TR_DNSSD_STATE_NO_DAEMON:
        text = _ ("Avahi is not running on this device, so hosts cannot be found by themselves: "
                  "type the host’s address instead");
        break;
      case TR_DNSSD_STATE_UNSUPPORTED:
        text = _ ("This build cannot look for hosts: type the host’s address");
        break;
      case TR_DNSSD_STATE_FAILED:
        text = _ ("Could not look for hosts: type the host’s address");
        break;
      case TR_DNSSD_STATE_STARTING:
      case TR_DNSSD_STATE_RUNNING:
        if (n == 0)
          text = _ ("Looking for hosts on this network…");
        break;
      case TR_DNSSD_STATE_STOPPED:
      default:
        break;
    }
  gtk_label_set_text (self->status, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status), text != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->list), n > 0);
}

static void
on_row_activated (TrFoundHosts *self, GtkListBoxRow *row)
{
  TrDnssdHost *host = g_object_get_data (G_OBJECT (row), "host");

  if (host != NULL)
    g_signal_emit (self, signals[HOST_ACTIVATED], 0, host);
}

static void
tr_found_hosts_dispose (GObject *object)
{
  TrFoundHosts *self = TR_FOUND_HOSTS (object);
  GtkWidget *child;

  if (self->browser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->browser, self);
      tr_dnssd_browser_stop (self->browser);
    }
  g_clear_object (&self->browser);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tr_found_hosts_parent_class)->dispose (object);
}

static void
tr_found_hosts_class_init (TrFoundHostsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_found_hosts_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "foundhosts");

  signals[HOST_ACTIVATED]
    = g_signal_new ("host-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, TR_TYPE_DNSSD_HOST);
}

static void
tr_found_hosts_init (TrFoundHosts *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 8);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Hosts found on this network"), -1);
  gtk_widget_set_parent (GTK_WIDGET (self->list), GTK_WIDGET (self));

  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status, 0);
  gtk_label_set_wrap (self->status, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  gtk_widget_set_parent (GTK_WIDGET (self->status), GTK_WIDGET (self));

  self->browser = tr_dnssd_browser_new ();
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->browser), create_row, NULL, NULL);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (on_row_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->browser, "notify::state", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->browser, "items-changed", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  tr_dnssd_browser_start (self->browser);
  update_status (self);
}

GtkWidget *
tr_found_hosts_new (void)
{
  return g_object_new (TR_TYPE_FOUND_HOSTS, NULL);
}

TrDnssdBrowser *
tr_found_hosts_get_browser (TrFoundHosts *self)
{
  g_return_val_if_fail (TR_IS_FOUND_HOSTS (self), NULL);
  return self->browser;
}

const char *
tr_found_hosts_get_status (TrFoundHosts *self)
{
  g_return_val_if_fail (TR_IS_FOUND_HOSTS (self), NULL);
  return gtk_label_get_text (self->status);
}
