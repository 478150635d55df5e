/* tr-printers-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-printers-page"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-menu.h"
#include "tr-printer-status.h"
#include "tr-printers-page.h"

struct _TrPrintersPage
{
  AdwPreferencesPage parent_instance;

  TrStation *station;
  TrHost *host;        /* the station's, followed for "printers-changed" */
  GPtrArray *printers; /* TrPrinterInfo*, as shown */
  /* Printers whose test page is on its way: their button waits. */
  GHashTable *testing;
  GCancellable *cancellable; /* test pages and removals; cancelled by dispose */
  TrPrinterEditor *editor;   /* the subpage shown, or NULL */
  char *last_toast;

  AdwPreferencesGroup *group;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (TrPrintersPage, tr_printers_page, ADW_TYPE_PREFERENCES_PAGE)

enum
{
  PROP_0,
  PROP_STATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static AdwPreferencesWindow *
get_window (TrPrintersPage *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);

  return window ? ADW_PREFERENCES_WINDOW (window) : NULL;
}

/* @urgent: what the manager is waiting for (a test page's result) goes
 * ahead of what is only news. */
static void
show_toast (TrPrintersPage *self, const char *text, gboolean urgent)
{
  AdwPreferencesWindow *window = get_window (self);
  AdwToast *toast = adw_toast_new (text);

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  if (urgent)
    adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  if (window != NULL)
    adw_preferences_window_add_toast (window, toast);
  else
    g_object_unref (toast);
}

static const TrPrinterInfo *
find_printer (TrPrintersPage *self, const char *name)
{
  for (guint i = 0; self->printers != NULL && i < self->printers->len; i++)
    {
      const TrPrinterInfo *info = g_ptr_array_index (self->printers, i);

      if (g_strcmp0 (info->printer->name, name) == 0)
        return info;
    }
  return NULL;
}

/* ---- The list ---- */

static GtkWidget *
action_button (const char *label, const char *icon, const char *action, const char *name,
               const char *tooltip)
{
  GtkWidget *button = label ? gtk_button_new_with_mnemonic (label) : gtk_button_new ();

  if (icon != NULL)
    gtk_button_set_icon_name (GTK_BUTTON (button), icon);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  /* The target first: an action name without its target is a warning. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", name);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

/* What changes while it prints: its state, its slips, its set-up. */
static void
update_row (GtkWidget *row, const TrPrinterInfo *info)
{
  static const char *const pill_classes[] = {
    [TR_PRINTER_SEVERITY_NEUTRAL] = NULL,
    [TR_PRINTER_SEVERITY_OK] = "status-ready",
    [TR_PRINTER_SEVERITY_ERROR] = "status-error",
  };
  GtkWidget *pill = g_object_get_data (G_OBJECT (row), "pill");
  g_autofree char *setup = tr_printer_describe_setup (info->printer);
  g_autofree char *status = tr_printer_status_describe (info);
  g_autofree char *subtitle = g_strdup_printf ("%s\n%s", setup, status);
  g_autofree char *escaped = g_markup_escape_text (subtitle, -1);
  const char *pill_class = pill_classes[tr_printer_status_severity (info->state)];

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  gtk_label_set_text (GTK_LABEL (pill), tr_printer_status_label (info->state));
  gtk_widget_remove_css_class (pill, "status-ready");
  gtk_widget_remove_css_class (pill, "status-error");
  if (pill_class != NULL)
    gtk_widget_add_css_class (pill, pill_class);
}

static GtkWidget *
build_row (TrPrintersPage *self, const TrPrinterInfo *info)
{
  const char *name = info->printer->name;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *pill = gtk_label_new (NULL);
  GtkWidget *test;
  GtkWidget *remove;
  g_autofree char *title = g_markup_escape_text (name, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("printer-symbolic"));
  gtk_widget_add_css_class (pill, "status-pill");
  gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), pill);

  test = action_button (_ ("Print _Test Page"), NULL, "printers.test-page", name,
                        _ ("Print a page that shows the printer’s name, address and paper"));
  gtk_widget_set_sensitive (test, !g_hash_table_contains (self->testing, name));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), test);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             action_button (NULL, "document-edit-symbolic", "printers.edit", name,
                                            _ ("Change This Printer")));
  remove = action_button (NULL, "user-trash-symbolic", "printers.remove", name,
                          _ ("Remove This Printer"));
  gtk_widget_add_css_class (remove, "flat");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  g_object_set_data (G_OBJECT (row), "test-button", test);
  g_object_set_data (G_OBJECT (row), "pill", pill);
  g_object_set_data_full (G_OBJECT (row), "printer", g_strdup (name), g_free);
  update_row (row, info);
  return row;
}

/* Whether the list shows these printers, by name and in this order: a
 * printer that only changed state keeps its row (and the button under
 * the pointer), the state is updated in place. */
static gboolean
same_printers (TrPrintersPage *self, GPtrArray *printers)
{
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list));

  for (guint i = 0; i < printers->len; i++, row = gtk_widget_get_next_sibling (row))
    {
      const TrPrinterInfo *info = g_ptr_array_index (printers, i);

      if (row == NULL
          || g_strcmp0 (g_object_get_data (G_OBJECT (row), "printer"), info->printer->name) != 0)
        return FALSE;
    }
  return row == NULL && printers->len > 0;
}

static void
rebuild (TrPrintersPage *self)
{
  GtkWidget *child;
  guint i = 0;

  g_clear_pointer (&self->printers, g_ptr_array_unref);
  self->printers = self->host != NULL
                     ? tr_host_list_printers (self->host)
                     : g_ptr_array_new_with_free_func ((GDestroyNotify)tr_printer_info_free);
  if (same_printers (self, self->printers))
    {
      for (child = gtk_widget_get_first_child (GTK_WIDGET (self->list)); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        update_row (child, g_ptr_array_index (self->printers, i++));
      return;
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (i = 0; i < self->printers->len; i++)
    gtk_list_box_append (self->list, build_row (self, g_ptr_array_index (self->printers, i)));
  if (self->printers->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("No printers yet"));
      adw_action_row_set_subtitle (
        ADW_ACTION_ROW (row),
        _ ("Screens show every ticket without one. Add a printer to print tickets as well, or "
           "only when a screen is down."));
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->list, row);
    }
}

/* ---- Adding and changing: the editor as a subpage ---- */

static GStrv
dup_menu_stations (TrPrintersPage *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GPtrArray) seen = g_ptr_array_new ();
  g_autoptr (GPtrArray) menu = NULL;
  g_autoptr (GError) error = NULL;

  menu = tr_menu_load (self->station, &error);
  if (menu == NULL)
    {
      g_message ("Cannot read the menu: %s", error->message);
      return g_strv_builder_end (builder);
    }
  for (guint i = 0; i < menu->len; i++)
    {
      const TrMenuItem *item = g_ptr_array_index (menu, i);

      if (item->station != NULL && *item->station != '\0'
          && !g_ptr_array_find_with_equal_func (seen, item->station, g_str_equal, NULL))
        {
          g_ptr_array_add (seen, item->station);
          g_strv_builder_add (builder, item->station);
        }
    }
  return g_strv_builder_end (builder);
}

static void
on_editor_done (TrPrintersPage *self, gboolean saved, TrPrinterEditor *editor)
{
  AdwPreferencesWindow *window = get_window (self);

  if (editor != self->editor)
    return;
  if (saved)
    show_toast (self, _ ("Printer saved"), FALSE);
  g_clear_object (&self->editor);
  if (window != NULL)
    adw_preferences_window_close_subpage (window);
  rebuild (self);
}

static void
open_editor (TrPrintersPage *self, const TrPrinter *printer)
{
  AdwPreferencesWindow *window = get_window (self);
  g_auto (GStrv) stations = NULL;
  g_autoptr (GStrvBuilder) taken = g_strv_builder_new ();
  g_auto (GStrv) taken_names = NULL;

  if (self->host == NULL || window == NULL)
    return;
  stations = dup_menu_stations (self);
  for (guint i = 0; i < self->printers->len; i++)
    {
      const TrPrinterInfo *info = g_ptr_array_index (self->printers, i);

      g_strv_builder_add (taken, info->printer->name);
    }
  taken_names = g_strv_builder_end (taken);
  g_clear_object (&self->editor);
  self->editor = g_object_ref_sink (tr_printer_editor_new (
    self->host, printer, (const char *const *)stations, (const char *const *)taken_names));
  g_signal_connect_object (self->editor, "done", G_CALLBACK (on_editor_done), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_window_present_subpage (window, GTK_WIDGET (self->editor));
}

static void
action_add (GtkWidget *widget, const char *action_name, GVariant *param)
{
  open_editor (TR_PRINTERS_PAGE (widget), NULL);
}

static void
action_edit (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrPrintersPage *self = TR_PRINTERS_PAGE (widget);
  const TrPrinterInfo *info = find_printer (self, g_variant_get_string (param, NULL));

  if (info != NULL)
    open_editor (self, info->printer);
}

/* ---- Removing ---- */

static void
on_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrPrintersPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (tr_host_remove_printer_finish (TR_HOST (source), result, &error))
    return; /* "printers-changed" redraws the list */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  {
    /* Translators: %s says why */
    g_autofree char *text = g_strdup_printf (_ ("Cannot remove the printer: %s"), error->message);

    show_toast (self, text, TRUE);
  }
}

static void
on_remove_response (AdwMessageDialog *dialog, const char *response, TrPrintersPage *self)
{
  if (g_strcmp0 (response, "remove") != 0 || self->host == NULL)
    return;
  tr_host_remove_printer_async (self->host, g_object_get_data (G_OBJECT (dialog), "printer"),
                                self->cancellable, on_removed, g_object_ref (self));
}

static void
action_remove (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrPrintersPage *self = TR_PRINTERS_PAGE (widget);
  const char *name = g_variant_get_string (param, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* Translators: %s is a printer's name, e.g. "Remove “Grill”?" */
  heading = g_strdup_printf (_ ("Remove “%s”?"), name);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _ ("Slips waiting for it are dropped. The screens still show "
                                      "every ticket."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _ ("_Keep"), "remove",
                                    _ ("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data_full (G_OBJECT (dialog), "printer", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Print Test Page ---- */

static void
set_testing (TrPrintersPage *self, const char *name, gboolean testing)
{
  if (testing)
    g_hash_table_add (self->testing, g_strdup (name));
  else
    g_hash_table_remove (self->testing, name);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *button = g_object_get_data (G_OBJECT (row), "test-button");

      if (button != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (row), "printer"), name) == 0)
        gtk_widget_set_sensitive (button, !testing);
    }
}

typedef struct
{
  TrPrintersPage *self; /* a reference */
  char *name;
} TestPage;

static void
test_page_free (TestPage *test)
{
  g_object_unref (test->self);
  g_free (test->name);
  g_free (test);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestPage, test_page_free)

static void
on_test_page_printed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TestPage) test = user_data;
  TrPrintersPage *self = test->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (!tr_station_print_test_page_finish (TR_STATION (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_testing (self, test->name, FALSE);
  if (error == NULL)
    /* Translators: %s is a printer's name */
    text = g_strdup_printf (_ ("Test page printed on %s"), test->name);
  else
    {
      /* What the host now knows of the printer says it best; the error
       * itself when that is no printer's state (a bad address). */
      g_autoptr (GPtrArray) printers = self->host ? tr_host_list_printers (self->host) : NULL;
      const char *problem = NULL;

      for (guint i = 0; printers != NULL && i < printers->len; i++)
        {
          const TrPrinterInfo *info = g_ptr_array_index (printers, i);

          if (g_strcmp0 (info->printer->name, test->name) == 0)
            problem = tr_printer_status_problem (info->state);
        }
      /* Translators: the first %s is a printer's name, the second why it
       * did not print, e.g. "Grill did not print the test page: it is
       * out of paper: load a new roll" */
      text = g_strdup_printf (_ ("%s did not print the test page: %s"), test->name,
                              problem ? problem : error->message);
    }
  show_toast (self, text, TRUE);
}

static void
action_test_page (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrPrintersPage *self = TR_PRINTERS_PAGE (widget);
  const char *name = g_variant_get_string (param, NULL);
  TestPage *test;

  if (self->station == NULL || g_hash_table_contains (self->testing, name))
    return;
  test = g_new0 (TestPage, 1);
  test->self = g_object_ref (self);
  test->name = g_strdup (name);
  set_testing (self, name, TRUE);
  /* The host prints it ahead of the printer's queue, off its loop; a
   * printer that is down takes a while to say so, and the page stays
   * usable meanwhile. */
  tr_station_print_test_page_async (self->station, name, self->cancellable, on_test_page_printed,
                                    test);
}

/* ---- Following the station ---- */

void
tr_printers_page_set_station (TrPrintersPage *self, TrStation *station)
{
  TrHost *host;

  g_return_if_fail (TR_IS_PRINTERS_PAGE (self));
  g_return_if_fail (station == NULL || TR_IS_STATION (station));

  if (self->station == station)
    return;
  /* An editor open on the old host would save there. */
  if (self->editor != NULL)
    {
      AdwPreferencesWindow *window = get_window (self);

      g_clear_object (&self->editor);
      if (window != NULL)
        adw_preferences_window_close_subpage (window);
    }
  if (self->host != NULL)
    g_signal_handlers_disconnect_by_data (self->host, self);
  g_clear_object (&self->host);
  g_set_object (&self->station, station);
  host = station ? tr_station_get_host (station) : NULL;
  if (host != NULL)
    {
      self->host = g_object_ref (host);
      g_signal_connect_object (host, "printers-changed", G_CALLBACK (rebuild), self,
                               G_CONNECT_SWAPPED);
    }
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATION]);
}

GStrv
tr_printers_page_dup_summary (TrPrintersPage *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TR_IS_PRINTERS_PAGE (self), NULL);

  for (guint i = 0; self->printers != NULL && i < self->printers->len; i++)
    {
      const TrPrinterInfo *info = g_ptr_array_index (self->printers, i);
      g_autofree char *line
        = g_strdup_printf ("%s\t%s", info->printer->name, tr_printer_state_to_string (info->state));

      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

TrPrinterEditor *
tr_printers_page_get_editor (TrPrintersPage *self)
{
  g_return_val_if_fail (TR_IS_PRINTERS_PAGE (self), NULL);
  return self->editor;
}

const char *
tr_printers_page_get_last_toast (TrPrintersPage *self)
{
  g_return_val_if_fail (TR_IS_PRINTERS_PAGE (self), NULL);
  return self->last_toast;
}

/* ---- GObject ---- */

static void
tr_printers_page_dispose (GObject *object)
{
  TrPrintersPage *self = TR_PRINTERS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->host != NULL)
    g_signal_handlers_disconnect_by_data (self->host, self);
  g_clear_object (&self->host);
  g_clear_object (&self->station);
  g_clear_object (&self->editor);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_PRINTERS_PAGE);

  G_OBJECT_CLASS (tr_printers_page_parent_class)->dispose (object);
}

static void
tr_printers_page_finalize (GObject *object)
{
  TrPrintersPage *self = TR_PRINTERS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->printers, g_ptr_array_unref);
  g_clear_pointer (&self->testing, g_hash_table_unref);
  g_free (self->last_toast);

  G_OBJECT_CLASS (tr_printers_page_parent_class)->finalize (object);
}

static void
tr_printers_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrPrintersPage *self = TR_PRINTERS_PAGE (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_printers_page_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  TrPrintersPage *self = TR_PRINTERS_PAGE (object);

  switch (prop_id)
    {
      case PROP_STATION:
        tr_printers_page_set_station (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_printers_page_class_init (TrPrintersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_printers_page_dispose;
  object_class->finalize = tr_printers_page_finalize;
  object_class->get_property = tr_printers_page_get_property;
  object_class->set_property = tr_printers_page_set_property;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-printers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TrPrintersPage, group);
  gtk_widget_class_bind_template_child (widget_class, TrPrintersPage, list);

  gtk_widget_class_install_action (widget_class, "printers.add", NULL, action_add);
  gtk_widget_class_install_action (widget_class, "printers.edit", "s", action_edit);
  gtk_widget_class_install_action (widget_class, "printers.remove", "s", action_remove);
  gtk_widget_class_install_action (widget_class, "printers.test-page", "s", action_test_page);
}

static void
tr_printers_page_init (TrPrintersPage *self)
{
  self->testing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  rebuild (self);
}

GtkWidget *
tr_printers_page_new (TrStation *station)
{
  g_return_val_if_fail (station == NULL || TR_IS_STATION (station), NULL);

  return g_object_new (TR_TYPE_PRINTERS_PAGE, "station", station, NULL);
}
