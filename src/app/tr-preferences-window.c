/* tr-preferences-window.c
 *
 * Knows nothing of TrApplication: the application hands it the settings
 * and keeps its "station" and "station-message" current (bound
 * properties), and what Preferences asks of the application goes
 * through app.* actions, as GNOME Console's windows get KgxSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-connection-page.h"
#include "tr-export-status.h"
#include "tr-exporter.h"
#include "tr-found-hosts.h"
#include "tr-lan-address.h"
#include "tr-menu.h"
#include "tr-preferences-window.h"
#include "tr-printers-page.h"

struct _TrPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;
  TrStation *station; /* the one the rows describe now, or NULL */
  char *station_message;
  GPtrArray *menu; /* TrMenuItem* */
  char *join_text;
  /* The export's Test (or the test before a save) in flight, if any;
   * cancelled by the next one and by dispose. */
  GCancellable *export_test;
  char *export_tested; /* the string that test is trying */
  char *export_result;

  AdwActionRow *host_row;
  GtkSwitch *host_switch;
  AdwActionRow *join_row;
  GtkLabel *join_label;
  AdwActionRow *port_row;
  GtkSpinButton *port_spin;
  AdwActionRow *auto_promote_row;
  GtkSpinButton *auto_promote_spin;
  AdwEntryRow *host_address_row;
  AdwPreferencesGroup *found_hosts_group;
  TrFoundHosts *found_hosts;
  AdwActionRow *link_row;
  AdwEntryRow *pairing_row;
  AdwActionRow *message_row;
  AdwPreferencesGroup *export_group;
  AdwEntryRow *export_row;
  AdwActionRow *export_test_row;
  GtkButton *export_test_button;
  AdwEntryRow *name_row;
  AdwComboRow *role_row;
  AdwEntryRow *kitchen_station_row;
  AdwComboRow *style_row;
  GtkSpinButton *warn_spin;
  GtkSpinButton *late_spin;
  GtkSwitch *sounds_switch;
  GtkSwitch *rush_first_switch;
  AdwEntryRow *dish_name_row;
  AdwEntryRow *dish_station_row;
  AdwEntryRow *dish_allergens_row;
  AdwEntryRow *dish_modifiers_row;
  GtkListBox *menu_list;
  TrPrintersPage *printers_page; /* shown while this station hosts */
};

G_DEFINE_FINAL_TYPE (TrPreferencesWindow, tr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum
{
  PROP_0,
  PROP_SETTINGS,
  PROP_STATION,
  PROP_STATION_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const role_nicks[] = { "kitchen", "expo", "foh", NULL };
static const char *const style_nicks[] = { "system", "light", "dark", NULL };

/* ---- Settings mappings: a combo row's index ↔ an enum key's nick ---- */

static gboolean
nick_to_index (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_strcmp0 (nicks[i], nick) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const char *const *nicks = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **)nicks))
    return NULL;
  return g_variant_new_string (nicks[index]);
}

/* ---- Host ---- */

static const char *
link_label (TrStation *station)
{
  switch (tr_station_get_link_state (station))
    {
      case TR_CLIENT_STATE_ONLINE_WEBSOCKET:
        return tr_station_get_mode (station) == TR_STATION_MODE_HOST ? _ ("Hosting") : _ ("Live");
      case TR_CLIENT_STATE_ONLINE_POLLING:
        return _ ("Connected, polling");
      case TR_CLIENT_STATE_CONNECTING:
        return _ ("Connecting…");
      case TR_CLIENT_STATE_OFFLINE:
      default:
        return _ ("Offline");
    }
}

static void
update_host_rows (TrPreferencesWindow *self)
{
  TrStation *station = self->station;
  const char *message = self->station_message;
  gboolean hosting = station != NULL && tr_station_get_mode (station) == TR_STATION_MODE_HOST;
  g_auto (GStrv) addresses = station ? tr_station_dup_join_addresses (station) : NULL;
  GtkWidget *printers_stack;

  g_free (self->join_text);
  self->join_text = addresses ? g_strjoinv ("\n", addresses) : g_strdup ("");
  gtk_label_set_text (self->join_label, self->join_text);

  adw_action_row_set_subtitle (self->host_row,
                               hosting ? _ ("Other stations and browsers connect to this one")
                                       : _ ("This station follows the host at the address "
                                            "below"));
  gtk_widget_set_visible (GTK_WIDGET (self->join_row), hosting && addresses && addresses[0]);
  gtk_widget_set_visible (GTK_WIDGET (self->port_row), hosting);
  gtk_widget_set_visible (GTK_WIDGET (self->host_address_row), !hosting);
  /* Only a station that follows a host can be its standby. */
  gtk_widget_set_visible (GTK_WIDGET (self->auto_promote_row), !hosting);
  gtk_widget_set_visible (GTK_WIDGET (self->found_hosts_group), !hosting);
  gtk_widget_set_visible (GTK_WIDGET (self->link_row), station != NULL && !hosting);
  if (station != NULL)
    adw_action_row_set_subtitle (self->link_row, link_label (station));

  gtk_widget_set_visible (GTK_WIDGET (self->pairing_row), station != NULL && !hosting);
  /* Only a host has a log to export, and printers to drive. */
  gtk_widget_set_visible (GTK_WIDGET (self->export_group), hosting);
  tr_printers_page_set_station (self->printers_page, hosting ? station : NULL);
  /* The switcher shows a page by its stack page, not by the widget. */
  printers_stack = gtk_widget_get_parent (GTK_WIDGET (self->printers_page));
  if (ADW_IS_VIEW_STACK (printers_stack))
    adw_view_stack_page_set_visible (
      adw_view_stack_get_page (ADW_VIEW_STACK (printers_stack), GTK_WIDGET (self->printers_page)),
      hosting);
  gtk_widget_set_visible (GTK_WIDGET (self->message_row), message != NULL);
  if (message != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (message, -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->message_row), escaped);
    }
}

static void
on_pairing_apply (TrPreferencesWindow *self)
{
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->pairing_row));

  gtk_widget_activate_action (GTK_WIDGET (self), "app.pair", "s", code);
  gtk_editable_set_text (GTK_EDITABLE (self->pairing_row), "");
}

static void
on_host_address_apply (TrPreferencesWindow *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->host_address_row));

  gtk_widget_activate_action (GTK_WIDGET (self), "app.join", "s", address);
}

/* A host found on the LAN is joined exactly as its typed address. */
static void
on_found_host_activated (TrPreferencesWindow *self, TrDnssdHost *host)
{
  gtk_editable_set_text (GTK_EDITABLE (self->host_address_row), tr_dnssd_host_get_url (host));
  on_host_address_apply (self);
}

/* ---- Reports in PostgreSQL ---- */

static void
set_export_result (TrPreferencesWindow *self, const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_free (self->export_result);
  self->export_result = g_strdup (text);
  adw_action_row_set_subtitle (self->export_test_row, escaped);
}

static char *
describe_failure (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    return g_strdup (_ ("This build of Ticketrail cannot export to PostgreSQL"));
  /* Translators: the Test button's result; %s is PostgreSQL's error
   * (the password never shows in it) */
  return g_strdup_printf (_ ("Could not connect: %s"), error->message);
}

/* What tr_exporter_test_connection_async() says. Only when it was not
 * cancelled is @self still there to be told. */
static gboolean
finish_export_test (GAsyncResult *result, TrPreferencesWindow **out_self, char **out_text,
                    gboolean *out_ok, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *version = tr_exporter_test_connection_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  *out_self = user_data;
  *out_ok = version != NULL;
  *out_text = version ? tr_export_status_describe_test_ok (version) : describe_failure (error);
  g_clear_object (&(*out_self)->export_test);
  gtk_widget_set_sensitive (GTK_WIDGET ((*out_self)->export_test_button), TRUE);
  return TRUE;
}

static void
on_export_tested (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrPreferencesWindow *self;
  g_autofree char *text = NULL;
  gboolean ok;

  if (finish_export_test (result, &self, &text, &ok, user_data))
    set_export_result (self, text);
}

/* The test before a save: a connection string that does not connect is
 * not saved, so the running export carries on as it was. */
static void
on_export_tested_for_save (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrPreferencesWindow *self;
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;
  gboolean ok;

  if (!finish_export_test (result, &self, &text, &ok, user_data))
    return;
  if (ok && self->settings != NULL)
    {
      /* What was tested, even if the entry was edited meanwhile. */
      g_settings_set_string (self->settings, "export-conninfo", self->export_tested);
      /* Translators: %s is e.g. "Connected to PostgreSQL 15.10" */
      shown = g_strdup_printf (_ ("%s. Saved: the host exports there now"), text);
    }
  else
    /* Translators: %s says why, e.g. "Could not connect: …" */
    shown = g_strdup_printf (_ ("Not saved. %s"), text);
  set_export_result (self, shown);
}

static void
start_export_test (TrPreferencesWindow *self, GAsyncReadyCallback callback)
{
  g_cancellable_cancel (self->export_test);
  g_clear_object (&self->export_test);
  self->export_test = g_cancellable_new ();
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_test_button), FALSE);
  set_export_result (self, _ ("Testing…"));
  g_free (self->export_tested);
  self->export_tested = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->export_row)));
  /* libpq blocks for up to 15 s: the core runs it on a worker thread. */
  tr_exporter_test_connection_async (self->export_tested, self->export_test, callback, self);
}

static void
on_export_test_clicked (TrPreferencesWindow *self)
{
  start_export_test (self, on_export_tested);
}

static void
on_export_apply (TrPreferencesWindow *self)
{
  const char *conninfo = gtk_editable_get_text (GTK_EDITABLE (self->export_row));

  if (*conninfo != '\0')
    {
      start_export_test (self, on_export_tested_for_save);
      return;
    }
  /* Turning reports off needs no server. */
  g_cancellable_cancel (self->export_test);
  g_clear_object (&self->export_test);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_test_button), TRUE);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "export-conninfo", "");
  set_export_result (self, _ ("Reports are off"));
}

/* ---- Menu ---- */

static void
rebuild_menu_list (TrPreferencesWindow *self);

static void
on_menu_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tr_station_save_menu_finish (TR_STATION (source), result, &error))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (error->message));
}

/* The station saves it: on a host its writer does, not this window. */
static void
save_menu (TrPreferencesWindow *self)
{
  TrStation *station = self->station;
  g_autofree char *json = NULL;

  if (station == NULL)
    return;
  json = tr_menu_to_json (self->menu);
  tr_station_save_menu_async (station, json, NULL, on_menu_saved, g_object_ref (self));
}

static void
load_menu (TrPreferencesWindow *self)
{
  TrStation *station = self->station;
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&self->menu, g_ptr_array_unref);
  if (station != NULL)
    self->menu = tr_menu_load (station, &error);
  if (self->menu == NULL)
    {
      if (error != NULL)
        g_message ("Cannot read the menu: %s", error->message);
      self->menu = tr_menu_new_default ();
    }
  rebuild_menu_list (self);
}

static void
rebuild_menu_list (TrPreferencesWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->menu_list))) != NULL)
    gtk_list_box_remove (self->menu_list, child);

  for (guint i = 0; i < self->menu->len; i++)
    {
      const TrMenuItem *item = g_ptr_array_index (self->menu, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *title = g_markup_escape_text (item->name, -1);
      g_autofree char *allergens = g_strjoinv (", ", item->allergens);
      g_autofree char *subtitle = NULL;
      g_autofree char *escaped = NULL;

      if (*allergens != '\0')
        /* Translators: a dish's station and allergens, e.g. "grill · allergens: gluten" */
        subtitle = g_strdup_printf (_ ("%s · allergens: %s"),
                                    item->station ? item->station : _ ("any station"), allergens);
      else
        subtitle = g_strdup (item->station ? item->station : _ ("any station"));
      escaped = g_markup_escape_text (subtitle, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _ ("Remove From Menu"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "prefs.remove-dish");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "u", i);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_append (self->menu_list, row);
    }
}

static GStrv
split_list (const char *text)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (*part != '\0')
        g_strv_builder_add (builder, part);
    }
  return g_strv_builder_end (builder);
}

static void
action_add_dish (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrPreferencesWindow *self = TR_PREFERENCES_WINDOW (widget);
  g_autofree char *name
    = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->dish_name_row))));
  g_autofree char *station
    = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->dish_station_row))));
  g_auto (GStrv) allergens
    = split_list (gtk_editable_get_text (GTK_EDITABLE (self->dish_allergens_row)));
  g_auto (GStrv) modifiers
    = split_list (gtk_editable_get_text (GTK_EDITABLE (self->dish_modifiers_row)));
  g_autoptr (GPtrArray) check = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;

  if (*name == '\0')
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_ ("A dish needs a name")));
      return;
    }
  g_ptr_array_add (self->menu, tr_menu_item_new (name, station, (const char *const *)modifiers,
                                                 (const char *const *)allergens));
  /* The same checks as reading it back, so nothing is saved that the
   * order dialog would refuse to load. */
  json = tr_menu_to_json (self->menu);
  check = tr_menu_parse (json, &error);
  if (check == NULL)
    {
      g_ptr_array_remove_index (self->menu, self->menu->len - 1);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (error->message));
      return;
    }
  save_menu (self);
  rebuild_menu_list (self);
  gtk_editable_set_text (GTK_EDITABLE (self->dish_name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->dish_allergens_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->dish_modifiers_row), "");
}

static void
action_remove_dish (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrPreferencesWindow *self = TR_PREFERENCES_WINDOW (widget);
  guint index = g_variant_get_uint32 (param);

  if (index >= self->menu->len)
    return;
  g_ptr_array_remove_index (self->menu, index);
  save_menu (self);
  rebuild_menu_list (self);
}

/* ---- Following the station ---- */

static void
set_station (TrPreferencesWindow *self, TrStation *station)
{
  if (self->station == station)
    return;
  if (self->station != NULL)
    g_signal_handlers_disconnect_by_data (self->station, self);
  g_set_object (&self->station, station);
  if (station != NULL)
    g_signal_connect_object (station, "notify::link-state", G_CALLBACK (update_host_rows), self,
                             G_CONNECT_SWAPPED);
  /* Until constructed() has shown the first station (and loaded the
   * menu), there is nothing to update. */
  if (self->menu != NULL)
    {
      update_host_rows (self);
      load_menu (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATION]);
}

static void
set_station_message (TrPreferencesWindow *self, const char *message)
{
  if (g_strcmp0 (self->station_message, message) == 0)
    return;
  g_free (self->station_message);
  self->station_message = g_strdup (message);
  if (self->menu != NULL)
    update_host_rows (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATION_MESSAGE]);
}

static void
tr_preferences_window_constructed (GObject *object)
{
  TrPreferencesWindow *self = (TrPreferencesWindow *)object;
  g_autofree char *conninfo = NULL;
  GSettings *settings;

  G_OBJECT_CLASS (tr_preferences_window_parent_class)->constructed (object);

  /* Before the advanced page. */
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                              ADW_PREFERENCES_PAGE (self->printers_page));
  settings = self->settings;
  if (settings != NULL)
    {
      g_autofree char *address = g_settings_get_string (settings, "host-address");

      g_settings_bind (settings, "station-name", self->name_row, "text", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "kitchen-station", self->kitchen_station_row, "text",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind_with_mapping (settings, "role", self->role_row, "selected",
                                    G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick,
                                    (gpointer)role_nicks, NULL);
      g_settings_bind_with_mapping (settings, "color-scheme", self->style_row, "selected",
                                    G_SETTINGS_BIND_DEFAULT, nick_to_index, index_to_nick,
                                    (gpointer)style_nicks, NULL);
      g_settings_bind (settings, "warn-minutes", self->warn_spin, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "late-minutes", self->late_spin, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "sounds", self->sounds_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "rush-first", self->rush_first_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "host-port", self->port_spin, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "standby-auto-promote-seconds", self->auto_promote_spin, "value",
                       G_SETTINGS_BIND_DEFAULT);
      gtk_editable_set_text (GTK_EDITABLE (self->host_address_row), address);
      /* Not bound: what is typed is only saved once it connects. */
      conninfo = g_settings_get_string (settings, "export-conninfo");
      gtk_editable_set_text (GTK_EDITABLE (self->export_row), conninfo);
      /* Advanced, so last; the application applies its keys. */
      adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                                  ADW_PREFERENCES_PAGE (tr_connection_page_new (settings)));
    }

  g_signal_connect_object (self->found_hosts, "host-activated",
                           G_CALLBACK (on_found_host_activated), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host_address_row, "apply", G_CALLBACK (on_host_address_apply),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pairing_row, "apply", G_CALLBACK (on_pairing_apply), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->export_row, "apply", G_CALLBACK (on_export_apply), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->export_test_button, "clicked", G_CALLBACK (on_export_test_clicked),
                           self, G_CONNECT_SWAPPED);
  update_host_rows (self);
  load_menu (self);
}

static void
tr_preferences_window_dispose (GObject *object)
{
  TrPreferencesWindow *self = (TrPreferencesWindow *)object;

  if (self->station != NULL)
    g_signal_handlers_disconnect_by_data (self->station, self);
  g_clear_object (&self->station);
  g_cancellable_cancel (self->export_test);
  g_clear_object (&self->export_test);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tr_preferences_window_parent_class)->dispose (object);
}

static void
tr_preferences_window_finalize (GObject *object)
{
  TrPreferencesWindow *self = (TrPreferencesWindow *)object;

  g_clear_pointer (&self->menu, g_ptr_array_unref);
  g_clear_pointer (&self->join_text, g_free);
  g_clear_pointer (&self->export_result, g_free);
  g_clear_pointer (&self->export_tested, g_free);
  g_clear_pointer (&self->station_message, g_free);

  G_OBJECT_CLASS (tr_preferences_window_parent_class)->finalize (object);
}

static void
tr_preferences_window_get_property (GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec)
{
  TrPreferencesWindow *self = TR_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
      case PROP_SETTINGS:
        g_value_set_object (value, self->settings);
        break;
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_STATION_MESSAGE:
        g_value_set_string (value, self->station_message);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_preferences_window_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  TrPreferencesWindow *self = TR_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
      case PROP_SETTINGS:
        self->settings = g_value_dup_object (value);
        break;
      case PROP_STATION:
        set_station (self, g_value_get_object (value));
        break;
      case PROP_STATION_MESSAGE:
        set_station_message (self, g_value_get_string (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_preferences_window_class_init (TrPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = tr_preferences_window_constructed;
  object_class->dispose = tr_preferences_window_dispose;
  object_class->finalize = tr_preferences_window_finalize;
  object_class->get_property = tr_preferences_window_get_property;
  object_class->set_property = tr_preferences_window_set_property;

  properties[PROP_SETTINGS]
    = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Not construct-only: the station changes under an open window when
   * the host switch is flipped, and the application keeps it bound. */
  properties[PROP_STATION] = g_param_spec_object (
    "station", NULL, NULL, TR_TYPE_STATION,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATION_MESSAGE] = g_param_spec_string (
    "station-message", NULL, NULL, NULL,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TR_TYPE_FOUND_HOSTS);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-preferences-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TrPreferencesWindow, name)
  BIND (host_row);
  BIND (host_switch);
  BIND (join_row);
  BIND (join_label);
  BIND (port_row);
  BIND (port_spin);
  BIND (auto_promote_row);
  BIND (auto_promote_spin);
  BIND (host_address_row);
  BIND (found_hosts_group);
  BIND (found_hosts);
  BIND (link_row);
  BIND (pairing_row);
  BIND (message_row);
  BIND (export_group);
  BIND (export_row);
  BIND (export_test_row);
  BIND (export_test_button);
  BIND (name_row);
  BIND (role_row);
  BIND (kitchen_station_row);
  BIND (style_row);
  BIND (warn_spin);
  BIND (late_spin);
  BIND (sounds_switch);
  BIND (rush_first_switch);
  BIND (dish_name_row);
  BIND (dish_station_row);
  BIND (dish_allergens_row);
  BIND (dish_modifiers_row);
  BIND (menu_list);
#undef BIND

  gtk_widget_class_install_action (widget_class, "prefs.add-dish", NULL, action_add_dish);
  gtk_widget_class_install_action (widget_class, "prefs.remove-dish", "u", action_remove_dish);
}

static void
tr_preferences_window_init (TrPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->printers_page = TR_PRINTERS_PAGE (tr_printers_page_new (NULL));
}

TrPreferencesWindow *
tr_preferences_window_new (GtkWindow *parent, GtkApplication *application, GSettings *settings,
                           TrStation *station)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (station == NULL || TR_IS_STATION (station), NULL);

  return g_object_new (TR_TYPE_PREFERENCES_WINDOW, "transient-for", parent, "application",
                       application, "settings", settings, "station", station, NULL);
}

const char *
tr_preferences_window_get_join_text (TrPreferencesWindow *self)
{
  g_return_val_if_fail (TR_IS_PREFERENCES_WINDOW (self), NULL);
  return self->join_text;
}

GPtrArray *
tr_preferences_window_get_menu (TrPreferencesWindow *self)
{
  g_return_val_if_fail (TR_IS_PREFERENCES_WINDOW (self), NULL);
  return self->menu;
}

const char *
tr_preferences_window_get_export_result (TrPreferencesWindow *self)
{
  g_return_val_if_fail (TR_IS_PREFERENCES_WINDOW (self), NULL);
  return self->export_result;
}
