/* tr-printer-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-printer-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tr-printer-editor.h"
#include "tr-printer-status.h"

struct _TrPrinterEditor
{
  GtkWidget parent_instance;

  TrHost *host;
  TrPrinter *printer; /* as it was, or NULL for a new one */
  GStrv stations;
  GStrv taken_names;
  char *error;
  GCancellable *cancellable; /* the save on its way, if any */
  TrPrinter *saving;         /* what it saves */

  GPtrArray *route_checks; /* GtkCheckButton*, each with its "route" */
  GtkCheckButton *mode_checks[3];

  AdwWindowTitle *window_title;
  GtkButton *save_button;
  AdwPreferencesGroup *error_group;
  GtkLabel *error_label;
  AdwEntryRow *name_row;
  AdwEntryRow *address_row;
  AdwComboRow *width_row;
  AdwPreferencesGroup *routes_group;
  AdwActionRow *all_row;
  GtkSwitch *all_switch;
  AdwPreferencesGroup *mode_group;
};

G_DEFINE_FINAL_TYPE (TrPrinterEditor, tr_printer_editor, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HOST,
  PROP_PRINTER,
  PROP_STATIONS,
  PROP_TAKEN_NAMES,
  N_PROPS
};

enum
{
  DONE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const TrPrinterMode modes[]
  = { TR_PRINTER_MODE_ALWAYS, TR_PRINTER_MODE_FALLBACK, TR_PRINTER_MODE_READY_CHIT };

/* ---- Errors, said next to what is wrong ---- */

static void
show_error (TrPrinterEditor *self, const char *text, AdwEntryRow *row)
{
  g_free (self->error);
  self->error = g_strdup (text);
  gtk_label_set_text (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_group), text != NULL);
  if (row != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }
  if (text != NULL)
    {
      /* The top of the page, where the error is. */
      GtkWidget *scroller
        = gtk_widget_get_ancestor (GTK_WIDGET (self->error_group), GTK_TYPE_SCROLLED_WINDOW);

      if (scroller != NULL)
        gtk_adjustment_set_value (
          gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
    }
}

static void
on_row_changed (GtkWidget *row)
{
  gtk_widget_remove_css_class (row, "error");
}

/* ---- Reading the page ---- */

/* "192.168.1.50" or "192.168.1.50:9100" mean tcp://: it is the only
 * scheme, and a manager copies the address off the printer's test page. */
static char *
normalize_address (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (*stripped == '\0' || strstr (stripped, "://") != NULL)
    return g_steal_pointer (&stripped);
  return g_strconcat ("tcp://", stripped, NULL);
}

static TrPrinter *
read_page (TrPrinterEditor *self)
{
  g_autofree char *name
    = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *address
    = normalize_address (gtk_editable_get_text (GTK_EDITABLE (self->address_row)));
  TrPrinter *printer = tr_printer_new (name, address);
  guint width = adw_combo_row_get_selected (self->width_row);
  g_autoptr (GStrvBuilder) routes = g_strv_builder_new ();

  /* What the page does not show (the grace time) stays as it was. */
  if (self->printer != NULL)
    printer->grace_seconds = self->printer->grace_seconds;
  printer->columns = tr_printer_widths[MIN (width, TR_PRINTER_N_WIDTHS - 1)];
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    if (gtk_check_button_get_active (self->mode_checks[i]))
      printer->mode = modes[i];
  if (!gtk_switch_get_active (self->all_switch))
    for (guint i = 0; i < self->route_checks->len; i++)
      {
        GtkCheckButton *check = g_ptr_array_index (self->route_checks, i);

        if (gtk_check_button_get_active (check))
          g_strv_builder_add (routes, g_object_get_data (G_OBJECT (check), "route"));
      }
  g_strfreev (printer->routes);
  printer->routes = g_strv_builder_end (routes);
  return printer;
}

/* Everything a person can get wrong, in their words; the core's own
 * check last, for what this page cannot get wrong. */
static gboolean
check_page (TrPrinterEditor *self, const TrPrinter *printer)
{
  g_autoptr (GError) error = NULL;
  gboolean renamed = self->printer == NULL || g_strcmp0 (self->printer->name, printer->name) != 0;

  if (*printer->name == '\0')
    {
      show_error (self, _ ("Give the printer a name, such as Grill or Expo."), self->name_row);
      return FALSE;
    }
  if (g_utf8_strlen (printer->name, -1) > TR_PRINTER_MAX_NAME || strpbrk (printer->name, "/\\")
      || printer->name[0] == '-')
    {
      g_autofree char *text = g_strdup_printf (
        /* Translators: %d is the longest a printer's name may be */
        _ ("A printer’s name has at most %d characters, no slashes, and does not start with a "
           "dash."),
        TR_PRINTER_MAX_NAME);

      show_error (self, text, self->name_row);
      return FALSE;
    }
  if (renamed && self->taken_names != NULL
      && g_strv_contains ((const char *const *)self->taken_names, printer->name))
    {
      /* Translators: %s is a printer's name */
      g_autofree char *text = g_strdup_printf (
        _ ("There is already a printer called “%s”. Choose another name."), printer->name);

      show_error (self, text, self->name_row);
      return FALSE;
    }
  if (*printer->address == '\0' || !tr_printer_parse_address (printer->address, NULL, NULL, NULL))
    {
      show_error (self,
                  _ ("The address must look like tcp://192.168.1.50:9100: the printer’s IP "
                     "address or name on the network, then its port (usually 9100)."),
                  self->address_row);
      return FALSE;
    }
  if (!gtk_switch_get_active (self->all_switch) && printer->routes[0] == NULL)
    {
      show_error (self, _ ("Choose the stations it prints for, or All Stations."), NULL);
      return FALSE;
    }
  if (!tr_printer_validate (printer, &error))
    {
      show_error (self, error->message, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- Saving ---- */

static void
set_saving (TrPrinterEditor *self, gboolean saving)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", !saving);
  if (!saving)
    {
      g_clear_object (&self->cancellable);
      g_clear_pointer (&self->saving, tr_printer_free);
    }
}

static void
on_old_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrPrinterEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  /* Left, or gone: nobody waits for the answer. */
  if ((!tr_host_remove_printer_finish (TR_HOST (source), result, &error)
       && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      || self->host == NULL)
    return;
  /* The new name is saved: the old one left behind is only clutter, and
   * the page lists it still, to remove by hand. */
  if (error != NULL)
    g_message ("Cannot remove the printer's old name: %s", error->message);
  set_saving (self, FALSE);
  g_signal_emit (self, signals[DONE], 0, TRUE);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrPrinterEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  if ((!tr_host_save_printer_finish (TR_HOST (source), result, &error)
       && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      || self->host == NULL)
    return;
  if (error != NULL)
    {
      /* Translators: %s is why the host did not save it */
      g_autofree char *text = g_strdup_printf (_ ("Not saved: %s"), error->message);

      set_saving (self, FALSE);
      show_error (self, text, NULL);
      return;
    }
  if (self->printer != NULL && g_strcmp0 (self->printer->name, self->saving->name) != 0)
    {
      tr_host_remove_printer_async (self->host, self->printer->name, self->cancellable,
                                    on_old_removed, g_object_ref (self));
      return;
    }
  set_saving (self, FALSE);
  g_signal_emit (self, signals[DONE], 0, TRUE);
}

static void
action_save (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrPrinterEditor *self = TR_PRINTER_EDITOR (widget);
  g_autoptr (TrPrinter) printer = read_page (self);

  if (self->cancellable != NULL)
    return;
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
  if (!check_page (self, printer))
    return;
  show_error (self, NULL, NULL);
  set_saving (self, TRUE);
  self->cancellable = g_cancellable_new ();
  self->saving = g_steal_pointer (&printer);
  /* The host's writer saves it; the page waits for its answer. */
  tr_host_save_printer_async (self->host, self->saving, self->cancellable, on_saved,
                              g_object_ref (self));
}

static void
action_cancel (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrPrinterEditor *self = TR_PRINTER_EDITOR (widget);

  g_cancellable_cancel (self->cancellable);
  set_saving (self, FALSE);
  g_signal_emit (self, signals[DONE], 0, FALSE);
}

/* ---- Filling the page ---- */

static GtkCheckButton *
add_check_row (AdwPreferencesGroup *group, const char *title, const char *subtitle,
               GtkCheckButton *radio_group)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  if (subtitle != NULL)
    {
      g_autofree char *escaped_subtitle = g_markup_escape_text (subtitle, -1);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_subtitle);
    }
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  if (radio_group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), radio_group);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  adw_preferences_group_add (group, row);
  return GTK_CHECK_BUTTON (check);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_utf8_collate (*(const char *const *)a, *(const char *const *)b);
}

static void
on_all_changed (TrPrinterEditor *self)
{
  gboolean all = gtk_switch_get_active (self->all_switch);

  for (guint i = 0; i < self->route_checks->len; i++)
    gtk_widget_set_sensitive (
      gtk_widget_get_ancestor (g_ptr_array_index (self->route_checks, i), ADW_TYPE_ACTION_ROW),
      !all);
}

static void
fill_routes (TrPrinterEditor *self)
{
  const TrPrinter *printer = self->printer;
  g_autoptr (GPtrArray) routes = g_ptr_array_new ();
  gboolean all = printer == NULL || printer->routes == NULL || printer->routes[0] == NULL;

  /* The menu's stations, and any the printer serves that the menu no
   * longer names (set from the command line, or a dish since renamed). */
  for (guint i = 0; self->stations != NULL && self->stations[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (routes, self->stations[i], g_str_equal, NULL))
      g_ptr_array_add (routes, self->stations[i]);
  for (guint i = 0; printer != NULL && printer->routes[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (routes, printer->routes[i], g_str_equal, NULL))
      g_ptr_array_add (routes, printer->routes[i]);
  g_ptr_array_sort (routes, compare_strings);

  for (guint i = 0; i < routes->len; i++)
    {
      const char *route = g_ptr_array_index (routes, i);
      GtkCheckButton *check = add_check_row (self->routes_group, route, NULL, NULL);

      g_object_set_data_full (G_OBJECT (check), "route", g_strdup (route), g_free);
      gtk_check_button_set_active (
        check, printer != NULL && g_strv_contains ((const char *const *)printer->routes, route));
      g_ptr_array_add (self->route_checks, check);
    }
  if (routes->len == 0)
    {
      /* Nothing to choose from: every station it is. */
      all = TRUE;
      gtk_widget_set_sensitive (GTK_WIDGET (self->all_row), FALSE);
      adw_action_row_set_subtitle (self->all_row,
                                   _ ("The menu names no kitchen stations: add a station to "
                                      "its dishes to print for some only"));
    }
  gtk_switch_set_active (self->all_switch, all);
  g_signal_connect_object (self->all_switch, "notify::active", G_CALLBACK (on_all_changed), self,
                           G_CONNECT_SWAPPED);
  on_all_changed (self);
}

static void
fill_page (TrPrinterEditor *self)
{
  const TrPrinter *printer = self->printer;
  GtkStringList *widths = gtk_string_list_new (NULL);
  guint selected = 1; /* 42: what most 80 mm printers print */

  adw_window_title_set_title (self->window_title,
                              printer ? _ ("Printer Settings") : _ ("Add a Printer"));
  if (printer != NULL)
    adw_window_title_set_subtitle (self->window_title, printer->name);
  for (guint i = 0; i < TR_PRINTER_N_WIDTHS; i++)
    {
      g_autofree char *label = tr_printer_width_label (tr_printer_widths[i]);

      gtk_string_list_append (widths, label);
      if (printer != NULL && printer->columns == tr_printer_widths[i])
        selected = i;
    }
  adw_combo_row_set_model (self->width_row, G_LIST_MODEL (widths));
  g_object_unref (widths);
  adw_combo_row_set_selected (self->width_row, selected);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), printer ? printer->name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), printer ? printer->address : "");
  fill_routes (self);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      self->mode_checks[i] = add_check_row (self->mode_group, tr_printer_mode_label (modes[i]),
                                            tr_printer_mode_explanation (modes[i]),
                                            i > 0 ? self->mode_checks[0] : NULL);
      gtk_check_button_set_active (self->mode_checks[i],
                                   modes[i] == (printer ? printer->mode : TR_PRINTER_MODE_ALWAYS));
    }
}

/* ---- GObject ---- */

static void
tr_printer_editor_constructed (GObject *object)
{
  TrPrinterEditor *self = TR_PRINTER_EDITOR (object);

  G_OBJECT_CLASS (tr_printer_editor_parent_class)->constructed (object);

  g_assert (TR_IS_HOST (self->host));
  fill_page (self);
  g_signal_connect (self->name_row, "changed", G_CALLBACK (on_row_changed), NULL);
  g_signal_connect (self->address_row, "changed", G_CALLBACK (on_row_changed), NULL);
}

static void
tr_printer_editor_dispose (GObject *object)
{
  TrPrinterEditor *self = TR_PRINTER_EDITOR (object);
  GtkWidget *child;

  /* A save on its way finishes on the host; only its answer is lost. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_PRINTER_EDITOR);
  /* The header bar is a template child too, only not bound. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->host);

  G_OBJECT_CLASS (tr_printer_editor_parent_class)->dispose (object);
}

static void
tr_printer_editor_finalize (GObject *object)
{
  TrPrinterEditor *self = TR_PRINTER_EDITOR (object);

  g_clear_pointer (&self->printer, tr_printer_free);
  g_clear_pointer (&self->saving, tr_printer_free);
  g_clear_pointer (&self->route_checks, g_ptr_array_unref);
  g_strfreev (self->stations);
  g_strfreev (self->taken_names);
  g_free (self->error);

  G_OBJECT_CLASS (tr_printer_editor_parent_class)->finalize (object);
}

static void
tr_printer_editor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrPrinterEditor *self = TR_PRINTER_EDITOR (object);

  switch (prop_id)
    {
      case PROP_HOST:
        g_value_set_object (value, self->host);
        break;
      case PROP_PRINTER:
        g_value_set_boxed (value, self->printer);
        break;
      case PROP_STATIONS:
        g_value_set_boxed (value, self->stations);
        break;
      case PROP_TAKEN_NAMES:
        g_value_set_boxed (value, self->taken_names);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_printer_editor_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  TrPrinterEditor *self = TR_PRINTER_EDITOR (object);

  switch (prop_id)
    {
      case PROP_HOST:
        self->host = g_value_dup_object (value);
        break;
      case PROP_PRINTER:
        self->printer = g_value_dup_boxed (value);
        break;
      case PROP_STATIONS:
        self->stations = g_value_dup_boxed (value);
        break;
      case PROP_TAKEN_NAMES:
        self->taken_names = g_value_dup_boxed (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_printer_editor_class_init (TrPrinterEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_printer_editor_constructed;
  object_class->dispose = tr_printer_editor_dispose;
  object_class->finalize = tr_printer_editor_finalize;
  object_class->get_property = tr_printer_editor_get_property;
  object_class->set_property = tr_printer_editor_set_property;

  properties[PROP_HOST] = g_param_spec_object ("host", NULL, NULL, TR_TYPE_HOST, construct);
  properties[PROP_PRINTER] = g_param_spec_boxed ("printer", NULL, NULL, TR_TYPE_PRINTER, construct);
  properties[PROP_STATIONS] = g_param_spec_boxed ("stations", NULL, NULL, G_TYPE_STRV, construct);
  properties[PROP_TAKEN_NAMES]
    = g_param_spec_boxed ("taken-names", NULL, NULL, G_TYPE_STRV, construct);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-printer-editor.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TrPrinterEditor, name)
  BIND (window_title);
  BIND (save_button);
  BIND (error_group);
  BIND (error_label);
  BIND (name_row);
  BIND (address_row);
  BIND (width_row);
  BIND (routes_group);
  BIND (all_row);
  BIND (all_switch);
  BIND (mode_group);
#undef BIND

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, action_save);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, action_cancel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save",
                                       NULL);
}

static void
tr_printer_editor_init (TrPrinterEditor *self)
{
  self->route_checks = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

TrPrinterEditor *
tr_printer_editor_new (TrHost *host, const TrPrinter *printer, const char *const *stations,
                       const char *const *taken_names)
{
  g_return_val_if_fail (TR_IS_HOST (host), NULL);

  return g_object_new (TR_TYPE_PRINTER_EDITOR, "host", host, "printer", printer, "stations",
                       stations, "taken-names", taken_names, NULL);
}

const char *
tr_printer_editor_get_error (TrPrinterEditor *self)
{
  g_return_val_if_fail (TR_IS_PRINTER_EDITOR (self), NULL);
  return self->error;
}

gboolean
tr_printer_editor_get_saving (TrPrinterEditor *self)
{
  g_return_val_if_fail (TR_IS_PRINTER_EDITOR (self), FALSE);
  return self->cancellable != NULL;
}
