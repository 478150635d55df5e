/* tr-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-application"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-application.h"
#include "tr-demo.h"
#include "tr-error.h"
#include "tr-protocol.h"
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
};

G_DEFINE_FINAL_TYPE (TrApplication, tr_application, ADW_TYPE_APPLICATION)

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
        N_ ("What this screen is for: kitchen, expo or foh"), N_ ("ROLE") },
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

static TrWindow *
ensure_window (TrApplication *self)
{
  TrWindow *window = find_window (self);

  if (window != NULL)
    return window;
  window = tr_window_new (GTK_APPLICATION (self), self->station, self->settings, self->clock,
                          self->sound_player, self->kiosk);
  if (self->settings != NULL && tr_window_get_kitchen_view (window) != NULL)
    {
      g_settings_bind (self->settings, "kitchen-station", tr_window_get_kitchen_view (window),
                       "kitchen-station", G_SETTINGS_BIND_GET);
      g_settings_bind (self->settings, "role", tr_window_get_kitchen_view (window), "role",
                       G_SETTINGS_BIND_GET);
    }
  return window;
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

static gboolean
start_station (TrApplication *self, const char *dir, const char *join_url, guint port,
               gboolean loopback)
{
  g_autoptr (GError) error = NULL;

  g_clear_error (&self->store_error);
  g_free (self->store_path);
  self->store_path
    = g_build_filename (dir, join_url ? TR_STORE_STATION_FILE : TR_STORE_HOST_FILE, NULL);

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
    }
  else
    self->station = tr_station_new_host (dir, port, loopback, &error);

  if (self->station == NULL)
    {
      self->store_error = g_steal_pointer (&error);
      return FALSE;
    }
  return TRUE;
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
  int demo_count = -1;
  const char *port_text = NULL;
  guint64 port = TR_DEFAULT_PORT;

  g_variant_dict_lookup (options, "demo", "b", &demo);
  g_variant_dict_lookup (options, "demo-count", "i", &demo_count);
  g_variant_dict_lookup (options, "host", "b", &host);
  g_variant_dict_lookup (options, "join", "&s", &join);
  g_variant_dict_lookup (options, "port", "&s", &port_text);
  g_variant_dict_lookup (options, "loopback", "b", &loopback);
  g_variant_dict_lookup (options, "kiosk", "b", &kiosk);
  g_variant_dict_lookup (options, "station", "&s", &station);
  g_variant_dict_lookup (options, "role", "&s", &role);

  if (demo_count >= 0)
    demo = TRUE;
  else
    demo_count = TR_DEMO_N_TICKETS;

  if (role != NULL && g_strcmp0 (role, "kitchen") != 0 && g_strcmp0 (role, "expo") != 0
      && g_strcmp0 (role, "foh") != 0)
    {
      g_application_command_line_printerr (
        cmdline, _ ("Unknown role “%s”: use kitchen, expo or foh\n"), role);
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

  if (demo)
    {
      g_autoptr (GError) error = NULL;

      if (!tr_demo_seed (tr_station_get_store (self->station), (guint)demo_count, &error))
        {
          g_autofree char *body
            = g_strdup_printf (_ ("The sample tickets could not be added.\n\n%s"), error->message);
          show_error (self, _ ("Cannot Add Sample Tickets"), body);
        }
    }

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
    }
  else
    g_debug ("Schema %s is not installed; settings will not be kept", APP_ID);

  apply_color_scheme (self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-recall", recall_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.mute-sounds", mute_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.all-day", all_day_accels);
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

  G_OBJECT_CLASS (tr_application_parent_class)->finalize (object);
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
}

static void
quit_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TrApplication *self = user_data;
  static const char *developers[] = { "The Ticketrail developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (
    window, "application-name", _ ("Ticketrail"), "application-icon", APP_ID, "developer-name",
    _ ("The Ticketrail developers"), "version", PACKAGE_VERSION, "comments",
    _ ("The kitchen display that never loses a ticket"), "website",
    "https://github.com/ticketrail/ticketrail", "issue-url",
    "https://github.com/ticketrail/ticketrail/issues", "developers", developers, "copyright",
    "© 2026 The Ticketrail developers", "license-type", GTK_LICENSE_GPL_3_0,
    /* Translators: your names, one per line */
    "translator-credits", _ ("translator-credits"), NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "about", .activate = about_action },
};

static void
tr_application_init (TrApplication *self)
{
  self->clock = tr_clock_new ();
  self->sound_player = tr_sound_player_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
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
