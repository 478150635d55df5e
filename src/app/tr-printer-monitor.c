/* tr-printer-monitor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-printer-monitor"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-printer-monitor.h"
#include "tr-printer-status.h"

struct _TrPrinterMonitor
{
  GtkWidget parent_instance;

  TrHost *host;
  GPtrArray *printers; /* TrPrinterInfo*, as shown */
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (TrPrinterMonitor, tr_printer_monitor, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HOST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Its state, slips and set-up: rows are updated in place while the
 * same printers are listed, so that a printer busy printing does not
 * make its row flicker. */
static void
update_row (GtkWidget *row, const TrPrinterInfo *info)
{
  static const char *const icons[] = {
    [TR_PRINTER_SEVERITY_NEUTRAL] = "printer-symbolic",
    [TR_PRINTER_SEVERITY_OK] = "printer-symbolic",
    [TR_PRINTER_SEVERITY_ERROR] = "printer-error-symbolic",
  };
  static const char *const icon_classes[] = { "dim-label", "success", "error" };
  static const char *const pill_classes[] = { NULL, "status-ready", "status-error" };
  TrPrinterSeverity severity = tr_printer_status_severity (info->state);
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "icon");
  GtkWidget *pill = g_object_get_data (G_OBJECT (row), "pill");
  g_autofree char *setup = tr_printer_describe_setup (info->printer);
  g_autofree char *status = tr_printer_status_describe (info);
  g_autofree char *subtitle = g_strdup_printf ("%s\n%s", status, setup);
  g_autofree char *escaped = g_markup_escape_text (subtitle, -1);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), icons[severity]);
  for (guint i = 0; i < G_N_ELEMENTS (icon_classes); i++)
    if (i == severity)
      gtk_widget_add_css_class (icon, icon_classes[i]);
    else
      gtk_widget_remove_css_class (icon, icon_classes[i]);
  gtk_label_set_text (GTK_LABEL (pill), tr_printer_status_label (info->state));
  for (guint i = 0; i < G_N_ELEMENTS (pill_classes); i++)
    if (pill_classes[i] != NULL && i == severity)
      gtk_widget_add_css_class (pill, pill_classes[i]);
    else if (pill_classes[i] != NULL)
      gtk_widget_remove_css_class (pill, pill_classes[i]);
}

static GtkWidget *
build_row (const TrPrinterInfo *info)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *pill = gtk_label_new (NULL);
  g_autofree char *title = g_markup_escape_text (info->printer->name, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_widget_add_css_class (row, "monitor-row");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (pill, "status-pill");
  gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), pill);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  g_object_set_data (G_OBJECT (row), "pill", pill);
  g_object_set_data_full (G_OBJECT (row), "printer", g_strdup (info->printer->name), g_free);
  update_row (row, info);
  return row;
}

static gboolean
same_printers (TrPrinterMonitor *self, GPtrArray *printers)
{
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list));

  for (guint i = 0; i < printers->len; i++, row = gtk_widget_get_next_sibling (row))
    {
      const TrPrinterInfo *info = g_ptr_array_index (printers, i);

      if (row == NULL
          || g_strcmp0 (g_object_get_data (G_OBJECT (row), "printer"), info->printer->name) != 0)
        return FALSE;
    }
  return row == NULL;
}

void
tr_printer_monitor_refresh (TrPrinterMonitor *self)
{
  GtkWidget *child;
  guint i = 0;

  g_return_if_fail (TR_IS_PRINTER_MONITOR (self));

  g_clear_pointer (&self->printers, g_ptr_array_unref);
  self->printers = self->host != NULL
                     ? tr_host_list_printers (self->host)
                     : g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_info_free);
  if (same_printers (self, self->printers))
    for (child = gtk_widget_get_first_child (GTK_WIDGET (self->list)); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      update_row (child, g_ptr_array_index (self->printers, i++));
  else
    {
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
        gtk_list_box_remove (self->list, child);
      for (i = 0; i < self->printers->len; i++)
        gtk_list_box_append (self->list, build_row (g_ptr_array_index (self->printers, i)));
    }
  /* A host without printers is the common case: no empty section. */
  gtk_widget_set_visible (GTK_WIDGET (self), self->printers->len > 0);
}

void
tr_printer_monitor_set_host (TrPrinterMonitor *self, TrHost *host)
{
  g_return_if_fail (TR_IS_PRINTER_MONITOR (self));
  g_return_if_fail (host == NULL || TR_IS_HOST (host));

  if (self->host == host)
    return;
  if (self->host != NULL)
    g_signal_handlers_disconnect_by_data (self->host, self);
  g_set_object (&self->host, host);
  if (host != NULL)
    g_signal_connect_object (host, "printers-changed", G_CALLBACK (tr_printer_monitor_refresh),
                             self, G_CONNECT_SWAPPED);
  tr_printer_monitor_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

GStrv
tr_printer_monitor_dup_summary (TrPrinterMonitor *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TR_IS_PRINTER_MONITOR (self), NULL);

  for (guint i = 0; self->printers != NULL && i < self->printers->len; i++)
    {
      const TrPrinterInfo *info = g_ptr_array_index (self->printers, i);
      g_autofree char *status = tr_printer_status_describe (info);
      g_autofree char *line = g_strdup_printf ("%s\t%s\t%s", info->printer->name,
                                               tr_printer_state_to_string (info->state), status);

      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

static void
tr_printer_monitor_dispose (GObject *object)
{
  TrPrinterMonitor *self = TR_PRINTER_MONITOR (object);
  GtkWidget *child;

  if (self->host != NULL)
    g_signal_handlers_disconnect_by_data (self->host, self);
  g_clear_object (&self->host);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tr_printer_monitor_parent_class)->dispose (object);
}

static void
tr_printer_monitor_finalize (GObject *object)
{
  TrPrinterMonitor *self = TR_PRINTER_MONITOR (object);

  g_clear_pointer (&self->printers, g_ptr_array_unref);

  G_OBJECT_CLASS (tr_printer_monitor_parent_class)->finalize (object);
}

static void
tr_printer_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrPrinterMonitor *self = TR_PRINTER_MONITOR (object);

  switch (prop_id)
    {
      case PROP_HOST:
        g_value_set_object (value, self->host);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_printer_monitor_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  TrPrinterMonitor *self = TR_PRINTER_MONITOR (object);

  switch (prop_id)
    {
      case PROP_HOST:
        tr_printer_monitor_set_host (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_printer_monitor_class_init (TrPrinterMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_printer_monitor_dispose;
  object_class->finalize = tr_printer_monitor_finalize;
  object_class->get_property = tr_printer_monitor_get_property;
  object_class->set_property = tr_printer_monitor_set_property;

  properties[PROP_HOST]
    = g_param_spec_object ("host", NULL, NULL, TR_TYPE_HOST,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "printermonitor");
}

static void
tr_printer_monitor_init (TrPrinterMonitor *self)
{
  GtkWidget *heading = gtk_label_new (_ ("Printers"));
  GtkWidget *list = gtk_list_box_new ();

  gtk_orientable_set_orientation (
    GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                              6);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_parent (heading, GTK_WIDGET (self));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Printers"), -1);
  gtk_widget_set_parent (list, GTK_WIDGET (self));
  self->list = GTK_LIST_BOX (list);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
tr_printer_monitor_new (TrHost *host)
{
  g_return_val_if_fail (host == NULL || TR_IS_HOST (host), NULL);

  return g_object_new (TR_TYPE_PRINTER_MONITOR, "host", host, NULL);
}
