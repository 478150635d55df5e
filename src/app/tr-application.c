/* tr-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-application"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "tr-application.h"
#include "tr-connection-settings.h"
#include "tr-demo.h"
#include "tr-error.h"
#include "tr-exporter.h"
#include "tr-foh-view.h"
#include "tr-host-monitor.h"
#include "tr-preferences-window.h"
#include "tr-protocol.h"
#include "tr-store-training.h"
#include "tr-training-actions.h"
#include "tr-window.h"

#define MAX_DEMO_TICKETS 1000

struct _TrApplication
{
  AdwApplication parent_instance;

  TrStation *station;
  GSettings *settings;
  TrClock *clock;
  TrSoundPlayer *sound_player;
  GError *store_error;
  char *store_path;
  gboolean kiosk;

  /* What the command line said, for when the station is rebuilt (the
   * host switch, a new host address). */
  char *data_dir;
  gboolean loopback;
  gboolean training, force_restart; /* serve training.db; restart even a host */
  /* Why the last switch or pairing failed, or what it did. */
  char *station_message;
  GCancellable *pairing;
  /* Which renderer main() asked for and why, for the About window. */
  char *renderer_summary;
};

G_DEFINE_FINAL_TYPE (TrApplication, tr_application, ADW_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_STATION_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[]
  = { { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Add sample tickets to try Ticketrail out"),
        NULL },
      { "demo-count", 0, 0, G_OPTION_ARG_INT, NULL, N_ ("Add N sample tickets (implies --demo)"),
        N_ ("N") },
      { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_ ("Keep the ticket database in DIR"),
        N_ ("DIR") },
      { "host", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Be the host other stations connect to"), NULL },
      { "join", 0, 0, G_OPTION_ARG_STRING, NULL,
        N_ ("Follow the host at URL, e.g. 192.168.1.20:8787"), N_ ("URL") },
      /* A string: GApplication cannot tell an int option set to 0 from an
       * absent one, and 0 (any free port) is a real choice. */
      { "port", 0, 0, G_OPTION_ARG_STRING, NULL,
        N_ ("Serve on PORT when hosting (0 picks a free port)"), N_ ("PORT") },
      { "loopback", 0, 0, G_OPTION_ARG_NONE, NULL,
        N_ ("When hosting, accept connections from this device only"), NULL },
      { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Fill the screen with the kitchen view only"),
        NULL },
      { "station", 0, 0, G_OPTION_ARG_STRING, NULL,
        N_ ("Show only the items of kitchen station NAME, e.g. grill"), N_ ("NAME") },
      { "role", 0, 0, G_OPTION_ARG_STRING, NULL,
        N_ ("What this screen is for: kitchen, expo, foh or board"), N_ ("ROLE") },
      { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Show the version and exit"), NULL },
      { NULL } };

static void
apply_color_scheme (TrApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *scheme = NULL;

  /* Kitchens are dim and screens glare: dark unless asked otherwise. */
  if (self->settings != NULL)
    scheme = g_settings_get_string (self->settings, "color-scheme");

  if (g_strcmp0 (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_strcmp0 (scheme, "system") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
  else
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
}

static TrWindow *
find_window (TrApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return TR_WINDOW (l->data);
  return NULL;
}

static gboolean
seconds_to_ms (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_uint (value, MIN (g_variant_get_uint32 (variant), G_MAXUINT / 1000) * 1000);
  return TRUE;
}

static TrWindow *
create_window (TrApplication *self)
{
  g_autoptr (TrLinkWatch) watch = NULL;
  TrWindow *window;

  /* The window's alerts follow its station, as its views do. */
  if (self->station != NULL)
    watch = tr_link_watch_new (self->station, G_APPLICATION (self), self->sound_player);
  window = g_object_new (TR_TYPE_WINDOW, "application", self, "station", self->station, "settings",
                         self->settings, "clock", self->clock, "sound-player", self->sound_player,
                         "kiosk", self->kiosk, "link-watch", watch, NULL);
  /* The key is in seconds, the watch counts ms. */
  if (self->settings != NULL && watch != NULL)
    g_settings_bind_with_mapping (self->settings, "station-offline-alert-seconds", watch,
                                  "offline-threshold", G_SETTINGS_BIND_GET, seconds_to_ms, NULL,
                                  NULL, NULL);
  if (self->settings != NULL && tr_window_get_kitchen_view (window) != NULL)
    {
      g_settings_bind (self->settings, "kitchen-station", tr_window_get_kitchen_view (window),
                       "kitchen-station", G_SETTINGS_BIND_GET);
      g_settings_bind (self->settings, "role", tr_window_get_kitchen_view (window), "role",
                       G_SETTINGS_BIND_GET);
    }
  /* Front of house and expo are told of the other screens' outages. */
  if (watch != NULL && tr_window_get_kitchen_view (window) != NULL)
    g_object_bind_property (tr_window_get_kitchen_view (window), "role", watch, "role",
                            G_BINDING_SYNC_CREATE);
  return window;
}

static TrWindow *
ensure_window (TrApplication *self)
{
  TrWindow *window = find_window (self);

  return window != NULL ? window : create_window (self);
}

static void
show_error (TrApplication *self, const char *heading, const char *body)
{
  TrWindow *window = ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));
  tr_window_show_error (window, heading, body);
}

static void
show_store_error (TrApplication *self)
{
  g_autofree char *body = NULL;

  g_assert (self->store_error != NULL);

  if (g_error_matches (self->store_error, TR_ERROR, TR_ERROR_STORE_CORRUPT))
    body = g_strdup_printf (_ ("“%s” is damaged or is not a Ticketrail database. It was left "
                               "as it is, so nothing in it is lost; move it away or restore a "
                               "backup, then start Ticketrail again.\n\n%s"),
                            self->store_path, self->store_error->message);
  else if (g_error_matches (self->store_error, TR_ERROR, TR_ERROR_STORE_TOO_NEW))
    body = g_strdup_printf (_ ("“%s” was written by a newer version of Ticketrail. Update "
                               "Ticketrail to use it.\n\n%s"),
                            self->store_path, self->store_error->message);
  else if (g_error_matches (self->store_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    body = g_strdup_printf (_ ("Another program already uses the port this host should serve "
                               "on. Stop it, or start Ticketrail with another --port.\n\n%s"),
                            self->store_error->message);
  else
    body = g_strdup_printf (_ ("“%s” could not be opened.\n\n%s"), self->store_path,
                            self->store_error->message);

  show_error (self, _ ("Cannot Start This Station"), body);
}

/* "192.168.1.20:8787" → "http://192.168.1.20:8787" */
static char *
normalize_host_url (const char *address)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (address));

  if (strstr (trimmed, "://") != NULL)
    return g_steal_pointer (&trimmed);
  return g_strconcat ("http://", trimmed, NULL);
}

static void
on_pairing_response (AdwMessageDialog *dialog, const char *response, TrApplication *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "code");

  if (g_strcmp0 (response, "pair") == 0)
    g_action_group_activate_action (G_ACTION_GROUP (self), "pair",
                                    g_variant_new_string (gtk_editable_get_text (entry)));
}

/* The host turned this station away: say so, and ask for the code the
 * host shows (its host monitor, or `ticketrail-host pair`). */
static void
on_unauthorized (TrApplication *self, const char *reason)
{
  GtkWindow *parent = GTK_WINDOW (find_window (self));
  GtkWidget *dialog;
  GtkWidget *entry;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (g_object_get_data (l->data, "tr-pairing-dialog") != NULL)
      return;

  dialog = adw_message_dialog_new (
    parent, _ ("This Station Is Not Paired"),
    g_strcmp0 (reason, "revoked") == 0
      ? _ ("The host revoked this station. Enter a new pairing code from the host’s Connected "
           "Stations window to connect again.")
      : _ ("The host only serves stations it paired with. Enter the pairing code shown in the "
           "host’s Connected Stations window."));
  entry = gtk_entry_new ();
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_DIGITS);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _ ("Pairing code, e.g. 123 456"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "later", _ ("_Later"), "pair",
                                    _ ("_Pair"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "pair",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "pair");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
  g_object_set_data (G_OBJECT (dialog), "code", entry);
  g_object_set_data (G_OBJECT (dialog), "tr-pairing-dialog", GINT_TO_POINTER (1));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_pairing_response), self, 0);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- The PostgreSQL export (issue 16, docs/reporting.md) ---- */

/* Gives the host the exporter "export-conninfo" asks for, or none; a
 * host already exporting there keeps its exporter (and its lag). */
static gboolean
apply_export (TrApplication *self, GError **error)
{
  TrHost *host = self->station ? tr_station_get_host (self->station) : NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *current = NULL;
  g_autoptr (TrExporter) exporter = NULL;
  TrExporter *running = NULL;
  TrStore *store;

  /* Sample tickets stay out of the reports. */
  if (host == NULL || self->settings == NULL || self->training)
    return TRUE;
  conninfo = g_settings_get_string (self->settings, "export-conninfo");
  g_object_get (host, "exporter", &running, NULL);
  if (running != NULL)
    {
      g_object_get (running, "conninfo", &current, NULL);
      g_object_unref (running);
    }
  if (*conninfo == '\0')
    return tr_host_set_exporter (host, NULL, error);
  if (current != NULL && strcmp (current, conninfo) == 0)
    return TRUE;

  /* As ticketrail-host: the exporter reads the host's file through a
   * connection of its own, and its site is the restaurant's lineage id. */
  store = tr_host_get_store (host);
  exporter
    = tr_exporter_new (tr_store_get_path (store), tr_store_get_db_id (store), NULL, conninfo);
  return tr_host_set_exporter (host, exporter, error);
}

static gboolean
start_station (TrApplication *self, const char *dir, const char *join_url, guint port,
               gboolean loopback)
{
  g_autoptr (GError) error = NULL;

  g_clear_error (&self->store_error);
  g_free (self->store_path);
  self->store_path = g_build_filename (dir,
                                       join_url         ? TR_STORE_STATION_FILE
                                       : self->training ? TR_STORE_TRAINING_FILE
                                                        : TR_STORE_HOST_FILE,
                                       NULL);

  if (join_url != NULL)
    {
      g_autofree char *name
        = self->settings ? g_settings_get_string (self->settings, "station-name") : NULL;
      g_autofree char *role
        = self->settings ? g_settings_get_string (self->settings, "role") : g_strdup ("kitchen");

      if (name == NULL || *name == '\0')
        {
          g_free (name);
          name = g_strdup (g_get_host_name ());
        }
      self->station = tr_station_new_client (dir, join_url, name, role, &error);
      if (self->station != NULL)
        g_signal_connect_object (tr_station_get_client (self->station), "unauthorized",
                                 G_CALLBACK (on_unauthorized), self, G_CONNECT_SWAPPED);
    }
  else
    self->station = tr_station_new_host_full (dir, port, loopback, self->training, &error);

  if (self->station == NULL)
    {
      self->store_error = g_steal_pointer (&error);
      return FALSE;
    }
  if (self->settings != NULL)
    tr_connection_settings_apply (self->settings, self->station);
  /* The station runs without its reports rather than not at all. */
  if (!apply_export (self, &error))
    g_message ("No PostgreSQL export: %s", error->message);
  return TRUE;
}

/* Preferences' Connection page changed a timing: the running link takes
 * it at once. */
static void
on_timeouts_changed (TrApplication *self, const char *key)
{
  if (self->station != NULL && tr_connection_settings_is_key (key))
    tr_connection_settings_apply (self->settings, self->station);
}

/* ---- Switching: host or client, at run time ---- */

static void
set_station_message (TrApplication *self, const char *message);

/* Preferences saved a new connection string: the running host switches
 * to it at once; stations keep serving meanwhile. */
static void
on_export_conninfo_changed (TrApplication *self)
{
  g_autoptr (GError) error = NULL;

  if (apply_export (self, &error))
    return;
  g_message ("No PostgreSQL export: %s", error->message);
  set_station_message (self, error->message);
}

static void
set_station_message (TrApplication *self, const char *message)
{
  if (g_strcmp0 (self->station_message, message) == 0)
    return;
  g_free (self->station_message);
  self->station_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATION_MESSAGE]);
}

static void
sync_host_action (TrApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "host");
  gboolean hosting
    = self->station != NULL && tr_station_get_mode (self->station) == TR_STATION_MODE_HOST;

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (hosting));
}

/* Replaces the station with a host (@address NULL) or a follower of
 * @address, and the window with one on the new station. The new one
 * starts before the old one stops, so a failure (a port in use, a bad
 * file) leaves this station working as it was and says why. */
static gboolean
switch_station (TrApplication *self, const char *address)
{
  g_autoptr (TrStation) old = g_steal_pointer (&self->station);
  g_autoptr (GError) old_error = g_steal_pointer (&self->store_error);
  g_autofree char *old_path = g_steal_pointer (&self->store_path);
  g_autofree char *join_url = address ? normalize_host_url (address) : NULL;
  guint port = self->settings ? g_settings_get_uint (self->settings, "host-port")
                              : TR_DEFAULT_PORT;
  TrWindow *old_window = find_window (self);
  TrWindow *window;
  g_autofree char *dir = self->data_dir ? g_strdup (self->data_dir) : tr_store_default_dir ();

  if (old != NULL && tr_station_get_mode (old) == TR_STATION_MODE_HOST && join_url == NULL
      && !self->force_restart)
    {
      self->station = g_steal_pointer (&old);
      self->store_path = g_steal_pointer (&old_path);
      return TRUE;
    }

  /* A host's port must be free before another host takes it; a
   * following station stops following the old address. */
  if (old != NULL)
    tr_station_shutdown (old);

  if (!start_station (self, dir, join_url, port, self->loopback))
    {
      g_autofree char *message = g_strdup (self->store_error->message);
      g_autoptr (GError) restart_error = NULL;

      g_clear_error (&self->store_error);
      g_free (self->store_path);
      self->store_path = g_steal_pointer (&old_path);
      self->station = g_steal_pointer (&old);
      self->store_error = g_steal_pointer (&old_error);
      /* Back to what it was: the old station's store is still open, so
       * only its link restarts. */
      if (self->station != NULL)
        {
          TrClient *client = tr_station_get_client (self->station);
          TrHost *host = tr_station_get_host (self->station);

          if (client != NULL)
            tr_client_start (client);
          if (host != NULL && !tr_host_start (host, &restart_error))
            g_warning ("Cannot serve again: %s", restart_error->message);
        }
      set_station_message (self, message);
      sync_host_action (self);
      return FALSE;
    }

  /* Not g_settings_delay(): it would hold back every later write of
   * this object (Preferences' too) for good. */
  if (self->settings != NULL)
    {
      g_settings_set_boolean (self->settings, "is-host", join_url == NULL);
      if (address != NULL)
        g_settings_set_string (self->settings, "host-address", address);
    }
  set_station_message (self, NULL);

  /* The views follow one station for their lifetime; a new window on
   * the new station is simpler and surer than re-pointing each. */
  window = create_window (self);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (l->data != window && l->data != old_window
        && gtk_window_get_transient_for (l->data) == GTK_WINDOW (old_window))
      gtk_window_set_transient_for (l->data, GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  if (old_window != NULL)
    gtk_window_destroy (GTK_WINDOW (old_window));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATION]);
  sync_host_action (self);
  return TRUE;
}

static void
host_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  TrApplication *self = user_data;
  gboolean want = g_variant_get_boolean (value);
  g_autofree char *address = NULL;

  if (want)
    {
      switch_station (self, NULL);
      return;
    }
  if (self->station == NULL || tr_station_get_mode (self->station) != TR_STATION_MODE_HOST)
    return;

  address = self->settings ? g_settings_get_string (self->settings, "host-address") : NULL;
  if (address == NULL || *g_strstrip (address) == '\0')
    {
      set_station_message (self, _ ("To stop hosting, enter the address of the station that "
                                    "hosts now"));
      sync_host_action (self);
      return;
    }
  switch_station (self, address);
}

static void
join_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrApplication *self = user_data;
  g_autofree char *address = g_strstrip (g_strdup (g_variant_get_string (param, NULL)));

  if (*address == '\0')
    {
      set_station_message (self, _ ("Enter the host's address, e.g. 192.168.1.20:8787"));
      return;
    }
  switch_station (self, address);
}

static void
on_paired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrApplication) self = user_data;
  g_autoptr (GError) error = NULL;

  if (tr_client_pair_finish (TR_CLIENT (source), result, &error))
    {
      set_station_message (self, _ ("Paired with the host"));
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
        if (g_object_get_data (l->data, "tr-pairing-dialog") != NULL)
          {
            gtk_window_destroy (l->data);
            break;
          }
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: pairing with the host failed; %s says why */
      g_autofree char *message = g_strdup_printf (_ ("Not paired: %s"), error->message);

      set_station_message (self, message);
    }
}

static void
pair_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrApplication *self = user_data;

  if (self->station == NULL || tr_station_get_mode (self->station) != TR_STATION_MODE_CLIENT)
    {
      set_station_message (self, _ ("Only a station that follows a host pairs with it"));
      return;
    }
  g_cancellable_cancel (self->pairing);
  g_clear_object (&self->pairing);
  self->pairing = g_cancellable_new ();
  tr_client_pair_async (tr_station_get_client (self->station), g_variant_get_string (param, NULL),
                        self->pairing, on_paired, g_object_ref (self));
}

/* For tr-training-actions.c: a new host on training.db or host.db. */
static gboolean
restart_host (GApplication *app, gboolean training)
{
  TrApplication *self = TR_APPLICATION (app);
  gboolean was = self->training, done;

  self->training = training;
  self->force_restart = TRUE;
  done = switch_station (self, NULL);
  self->force_restart = FALSE;
  if (!done)
    self->training = was;
  return done;
}

static void
welcome_done_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrApplication *self = user_data;

  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "first-run-done", TRUE);
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrApplication *self = user_data;
  GtkWindow *parent = GTK_WINDOW (find_window (self));
  TrPreferencesWindow *prefs;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (TR_IS_PREFERENCES_WINDOW (l->data))
      {
        gtk_window_present (l->data);
        return;
      }
  prefs = tr_preferences_window_new (parent, GTK_APPLICATION (self), self->settings, self->station);
  /* Preferences knows nothing of TrApplication: it follows these. */
  g_object_bind_property (self, "station", prefs, "station", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "station-message", prefs, "station-message",
                          G_BINDING_SYNC_CREATE);
  gtk_window_present (GTK_WINDOW (prefs));
}

/* ---- Test introspection (TICKETRAIL_TEST_INTROSPECT=1 only) ---- */

static void
dump_model (JsonBuilder *builder, GListModel *model)
{
  json_builder_begin_array (builder);
  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (model, i);
      g_autofree char *title = tr_ticket_object_dup_title (obj);
      g_autofree char *destination = tr_ticket_object_dup_destination (obj);
      g_autofree char *text = g_strdup_printf ("%s · %s", title, destination);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, tr_ticket_object_get_id (obj));
      json_builder_set_member_name (builder, "number");
      json_builder_add_int_value (builder, tr_ticket_object_get_number (obj));
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder,
                                     tr_ticket_status_to_string (tr_ticket_object_get_status (obj)));
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* What this station's screen shows, as JSON, in the action's state, so
 * that a test in another process can read it over D-Bus. */
static void
introspect_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrApplication *self = user_data;
  TrWindow *window = find_window (self);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  TrKitchenView *kitchen = window ? tr_window_get_kitchen_view (window) : NULL;
  TrFohView *foh = window ? tr_window_get_foh_view (window) : NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder,
                                 self->station == NULL ? "none"
                                 : tr_station_get_mode (self->station) == TR_STATION_MODE_HOST
                                   ? "host"
                                   : "client");
  json_builder_set_member_name (builder, "station_id");
  json_builder_add_string_value (builder,
                                 self->station ? tr_station_get_station_id (self->station) : "");
  json_builder_set_member_name (builder, "link");
  json_builder_add_string_value (
    builder, self->station ? tr_client_state_to_string (tr_station_get_link_state (self->station))
                           : "offline");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, self->station_message ? self->station_message : "");
  json_builder_set_member_name (builder, "kitchen");
  dump_model (builder, kitchen ? tr_kitchen_view_get_model (kitchen) : NULL);
  json_builder_set_member_name (builder, "foh_ready");
  dump_model (builder, foh ? tr_foh_view_get_section (foh, TR_FOH_SECTION_READY) : NULL);
  json_builder_set_member_name (builder, "last_toast");
  json_builder_add_string_value (builder,
                                 foh && tr_foh_view_get_last_toast (foh)
                                   ? tr_foh_view_get_last_toast (foh)
                                   : "");
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  g_simple_action_set_state (action, g_variant_new_string (text));
}

/* Activates a view's widget action, e.g. ("kitchen", "kitchen.bump",
 * TICKET_ID): the same code path as the tap. */
static void
test_activate_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrApplication *self = user_data;
  TrWindow *window = find_window (self);
  const char *view, *name, *target;
  GtkWidget *widget = NULL;

  g_variant_get (param, "(&s&s&s)", &view, &name, &target);
  if (window != NULL && g_strcmp0 (view, "kitchen") == 0)
    widget = GTK_WIDGET (tr_window_get_kitchen_view (window));
  else if (window != NULL && g_strcmp0 (view, "foh") == 0)
    widget = GTK_WIDGET (tr_window_get_foh_view (window));
  if (widget == NULL)
    {
      g_message ("test-activate: no %s view", view);
      return;
    }
  if (*target != '\0')
    gtk_widget_activate_action (widget, name, "s", target);
  else
    gtk_widget_activate_action (widget, name, NULL);
}

static int
tr_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  TrApplication *self = TR_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree char *dir = NULL;
  g_autofree char *join_url = NULL;
  const char *data_dir = NULL;
  const char *join = NULL;
  const char *station = NULL;
  const char *role = NULL;
  gboolean demo = FALSE, host = FALSE, loopback = FALSE, kiosk = FALSE;
  gboolean port_given = FALSE;
  int demo_count = -1;
  const char *port_text = NULL;
  guint64 port = TR_DEFAULT_PORT;

  g_variant_dict_lookup (options, "demo", "b", &demo);
  g_variant_dict_lookup (options, "demo-count", "i", &demo_count);
  g_variant_dict_lookup (options, "host", "b", &host);
  g_variant_dict_lookup (options, "join", "&s", &join);
  if (g_variant_dict_lookup (options, "port", "&s", &port_text))
    port_given = TRUE;
  else if (self->settings != NULL)
    port = g_settings_get_uint (self->settings, "host-port");
  g_variant_dict_lookup (options, "loopback", "b", &loopback);
  g_variant_dict_lookup (options, "kiosk", "b", &kiosk);
  g_variant_dict_lookup (options, "station", "&s", &station);
  g_variant_dict_lookup (options, "role", "&s", &role);

  if (demo_count >= 0)
    demo = TRUE;
  else
    demo_count = TR_DEMO_N_TICKETS;

  /* "board": a TV's order-ready board, read-only (tr-window.c's Board mode). */
  if (role != NULL
      && !g_strv_contains ((const char *const[]){ "kitchen", "expo", "foh", TR_ROLE_BOARD, NULL },
                           role))
    {
      g_application_command_line_printerr (
        cmdline, _ ("Unknown role “%s”: use kitchen, expo, foh or board\n"), role);
      return EXIT_FAILURE;
    }
  if ((port_text != NULL && !g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
      || demo_count > MAX_DEMO_TICKETS)
    {
      g_application_command_line_printerr (cmdline, _ ("--port or --demo-count is out of range\n"));
      return EXIT_FAILURE;
    }
  if (host && join != NULL)
    {
      g_application_command_line_printerr (cmdline, _ ("--host and --join cannot go together\n"));
      return EXIT_FAILURE;
    }

  /* A second launch only brings the window up. */
  if (self->station != NULL || self->store_error != NULL)
    {
      gtk_window_present (GTK_WINDOW (ensure_window (self)));
      return EXIT_SUCCESS;
    }

  if (join != NULL)
    join_url = normalize_host_url (join);
  else if (!host && self->settings != NULL && !g_settings_get_boolean (self->settings, "is-host"))
    {
      g_autofree char *address = g_settings_get_string (self->settings, "host-address");

      if (*address == '\0')
        {
          g_application_command_line_printerr (
            cmdline, _ ("This station is set to follow a host, but no host address is set: "
                        "start it with --join ADDRESS or --host\n"));
          return EXIT_FAILURE;
        }
      join_url = normalize_host_url (address);
    }

  if (demo && join_url != NULL)
    {
      g_application_command_line_printerr (
        cmdline,
        _ ("--demo adds sample tickets on the host; this station follows %s, so add "
           "them there\n"),
        join_url);
      return EXIT_FAILURE;
    }

  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir) && data_dir[0] != '\0')
    {
      /* Relative to where the command ran, which for a remote
       * invocation is not our own working directory. */
      g_autoptr (GFile) file = g_application_command_line_create_file_for_arg (cmdline, data_dir);
      dir = g_file_get_path (file);
    }
  if (dir == NULL)
    dir = tr_store_default_dir ();

  /* The station remembers what it was told it is. */
  if (self->settings != NULL && role != NULL)
    g_settings_set_string (self->settings, "role", role);
  if (self->settings != NULL && station != NULL)
    g_settings_set_string (self->settings, "kitchen-station", station);
  self->kiosk = kiosk;
  /* Set up on the command line: nothing to ask on first run. */
  if (self->settings != NULL && (host || join != NULL || demo || kiosk || port_given || loopback))
    g_settings_set_boolean (self->settings, "first-run-done", TRUE);
  g_free (self->data_dir);
  self->data_dir = g_strdup (dir);
  self->loopback = loopback;
  self->training = tr_training_actions_start_in_training (self->settings, demo);

  if (!start_station (self, dir, join_url, (guint)port, loopback))
    {
      show_store_error (self);
      return EXIT_SUCCESS;
    }

  {
    TrWindow *window = ensure_window (self);

    /* Without a schema the options still apply, for this run. */
    if (self->settings == NULL)
      {
        if (role != NULL)
          tr_kitchen_view_set_role (tr_window_get_kitchen_view (window), role);
        if (station != NULL)
          tr_kitchen_view_set_kitchen_station (tr_window_get_kitchen_view (window), station);
      }
    gtk_window_present (GTK_WINDOW (window));
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATION]);
  sync_host_action (self);

  if (demo)
    tr_training_actions_add_demo (app, (guint)demo_count);

  return EXIT_SUCCESS;
}

static void
tr_application_activate (GApplication *app)
{
  TrApplication *self = TR_APPLICATION (app);
  TrWindow *window = find_window (self);

  if (window != NULL)
    gtk_window_present (GTK_WINDOW (window));
}

static int
tr_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "ticketrail", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  return G_APPLICATION_CLASS (tr_application_parent_class)->handle_local_options (app, options);
}

static void
tr_application_startup (GApplication *app)
{
  TrApplication *self = TR_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *recall_accels[] = { "<Control>r", NULL };
  static const char *mute_accels[] = { "<Control>m", NULL };
  static const char *all_day_accels[] = { "<Control>d", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *host_monitor_accels[] = { "<Control><Shift>s", NULL };
  GSettingsSchemaSource *source;
  g_autoptr (GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (tr_application_parent_class)->startup (app);

  /* A build-tree run has no installed schema; it should still start,
   * only without remembering anything. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      g_signal_connect_object (self->settings, "changed::color-scheme",
                               G_CALLBACK (apply_color_scheme), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::export-conninfo",
                               G_CALLBACK (on_export_conninfo_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_timeouts_changed), self,
                               G_CONNECT_SWAPPED);
    }
  else
    g_debug ("Schema %s is not installed; settings will not be kept", APP_ID);

  apply_color_scheme (self);
  tr_training_actions_install (app, self->settings, restart_host);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-recall", recall_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.mute-sounds", mute_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.all-day", all_day_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.host-monitor",
                                         host_monitor_accels);
}

static void
tr_application_shutdown (GApplication *app)
{
  TrApplication *self = TR_APPLICATION (app);

  /* Stop serving or syncing and close the database before the process
   * goes. */
  if (self->station != NULL)
    tr_station_shutdown (self->station);

  G_APPLICATION_CLASS (tr_application_parent_class)->shutdown (app);
}

static void
tr_application_dispose (GObject *object)
{
  TrApplication *self = (TrApplication *)object;

  g_cancellable_cancel (self->pairing);
  g_clear_object (&self->pairing);
  g_clear_object (&self->station);
  g_clear_object (&self->settings);
  g_clear_object (&self->clock);
  g_clear_object (&self->sound_player);

  G_OBJECT_CLASS (tr_application_parent_class)->dispose (object);
}

static void
tr_application_finalize (GObject *object)
{
  TrApplication *self = (TrApplication *)object;

  g_clear_error (&self->store_error);
  g_clear_pointer (&self->store_path, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->station_message, g_free);
  g_clear_pointer (&self->renderer_summary, g_free);

  G_OBJECT_CLASS (tr_application_parent_class)->finalize (object);
}

static void
tr_application_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrApplication *self = TR_APPLICATION (object);

  switch (prop_id)
    {
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
tr_application_class_init (TrApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tr_application_dispose;
  object_class->finalize = tr_application_finalize;

  app_class->activate = tr_application_activate;
  app_class->command_line = tr_application_command_line;
  app_class->handle_local_options = tr_application_handle_local_options;
  app_class->startup = tr_application_startup;
  app_class->shutdown = tr_application_shutdown;

  object_class->get_property = tr_application_get_property;
  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATION_MESSAGE]
    = g_param_spec_string ("station-message", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
quit_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* Untranslated, for bug reports: what a kiosk's idle cost depends on. */
static char *
dup_debug_info (TrApplication *self, GtkWindow *window)
{
  GString *info = g_string_new (NULL);
  GskRenderer *renderer = window ? gtk_native_get_renderer (GTK_NATIVE (window)) : NULL;

  g_string_append_printf (info, "Ticketrail %s\n", PACKAGE_VERSION);
  g_string_append_printf (info, "GTK %u.%u.%u, libadwaita %u.%u.%u, GLib %u.%u.%u\n",
                          gtk_get_major_version (), gtk_get_minor_version (),
                          gtk_get_micro_version (), adw_get_major_version (),
                          adw_get_minor_version (), adw_get_micro_version (), glib_major_version,
                          glib_minor_version, glib_micro_version);
  if (self->renderer_summary != NULL)
    g_string_append_printf (info, "%s\n", self->renderer_summary);
  /* What GTK ended up with: it falls back to cairo on its own when GL
   * fails to start. */
  if (renderer != NULL)
    g_string_append_printf (info, "Renderer in use: %s\n", G_OBJECT_TYPE_NAME (renderer));
  return g_string_free (info, FALSE);
}

static void
about_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TrApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { _ ("The Ticketrail developers"), NULL };
  g_autofree char *debug_info = dup_debug_info (self, window);

  /* clang-format off */
  adw_show_about_window (window,
                         "application-name", _ ("Ticketrail"),
                         "application-icon", APP_ID,
                         "developer-name", _ ("The Ticketrail developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _ ("The kitchen display that never loses a ticket"),
                         "website", "https://github.com/ticketrail/ticketrail",
                         "issue-url", "https://github.com/ticketrail/ticketrail/issues",
                         "developers", developers,
                         /* Translators: the About window's copyright line */
                         "copyright", _ ("© 2026 The Ticketrail developers"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         /* Translators: your names, one per line, e.g.
                          * "Asha Rao <asha@example.com>" */
                         "translator-credits", _ ("translator-credits"),
                         "debug-info", debug_info,
                         "debug-info-filename", "ticketrail-debug-info.txt",
                         NULL);
  /* clang-format on */
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "about", .activate = about_action },
  { .name = "preferences", .activate = preferences_action },
  { .name = "host", .state = "false", .change_state = host_change_state },
  { .name = "join", .activate = join_action, .parameter_type = "s" },
  { .name = "pair", .activate = pair_action, .parameter_type = "s" },
  { .name = "welcome-done", .activate = welcome_done_action },
};

static const GActionEntry test_actions[] = {
  { .name = "introspect", .activate = introspect_action, .state = "''" },
  { .name = "test-activate", .activate = test_activate_action, .parameter_type = "(sss)" },
};

static void
tr_application_init (TrApplication *self)
{
  self->clock = tr_clock_new ();
  self->sound_player = tr_sound_player_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  /* Lets a test in another process drive and read this one over the
   * session bus; never there in normal use. */
  if (g_strcmp0 (g_getenv ("TICKETRAIL_TEST_INTROSPECT"), "1") == 0)
    g_action_map_add_action_entries (G_ACTION_MAP (self), test_actions,
                                     G_N_ELEMENTS (test_actions), self);
}

TrApplication *
tr_application_new (void)
{
  return g_object_new (TR_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_HANDLES_COMMAND_LINE, "resource-base-path",
                       "/io/github/ticketrail/Ticketrail", NULL);
}

TrStation *
tr_application_get_station (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);
  return self->station;
}

TrStore *
tr_application_get_store (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);
  return self->station ? tr_station_get_store (self->station) : NULL;
}

GSettings *
tr_application_get_settings (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);
  return self->settings;
}

TrClock *
tr_application_get_clock (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);
  return self->clock;
}

TrSoundPlayer *
tr_application_get_sound_player (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);
  return self->sound_player;
}

const GError *
tr_application_get_store_error (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);
  return self->store_error;
}

void
tr_application_set_renderer_summary (TrApplication *self, const char *summary)
{
  g_return_if_fail (TR_IS_APPLICATION (self));

  g_free (self->renderer_summary);
  self->renderer_summary = g_strdup (summary);
}

const char *
tr_application_get_renderer_summary (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);
  return self->renderer_summary;
}

const char *
tr_application_get_station_message (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);
  return self->station_message;
}
