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
#include "tr-window.h"

struct _TrApplication
{
  AdwApplication parent_instance;

  TrStore *store;
  TrTicketList *tickets;
  GSettings *settings;
  GError *store_error;
  char *store_path;
};

G_DEFINE_FINAL_TYPE (TrApplication, tr_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[]
  = { { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Add sample tickets to try Ticketrail out"),
        NULL },
      { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_ ("Keep the ticket database in DIR"),
        N_ ("DIR") },
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
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_PREFER_DARK);
}

static TrWindow *
ensure_window (TrApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return TR_WINDOW (l->data);

  return tr_window_new (GTK_APPLICATION (self), self->tickets, self->settings);
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
  else
    body = g_strdup_printf (_ ("“%s” could not be opened.\n\n%s"), self->store_path,
                            self->store_error->message);

  show_error (self, _ ("Cannot Open the Ticket Database"), body);
}

/* Opens the database in @dir unless it is already open. Returns FALSE
 * (with self->store_error set) when it cannot be opened. */
static gboolean
open_store (TrApplication *self, const char *dir)
{
  g_autofree char *path = g_build_filename (dir, TR_STORE_FILE_NAME, NULL);
  g_autoptr (TrStore) store = NULL;
  g_autoptr (GError) error = NULL;

  if (self->store != NULL && g_strcmp0 (self->store_path, path) == 0)
    return TRUE;

  g_clear_error (&self->store_error);
  g_free (self->store_path);
  self->store_path = g_steal_pointer (&path);

  /* This app is the host for now, and the host acknowledges only what
   * is on disk. */
  store = tr_store_open (self->store_path, TR_STORE_DURABILITY_FULL, &error);
  if (store == NULL)
    {
      tr_ticket_list_set_store (self->tickets, NULL, NULL);
      g_clear_object (&self->store);
      self->store_error = g_steal_pointer (&error);
      return FALSE;
    }

  g_set_object (&self->store, store);
  if (!tr_ticket_list_set_store (self->tickets, self->store, &error))
    {
      self->store_error = g_steal_pointer (&error);
      return FALSE;
    }

  return TRUE;
}

static void
tr_application_activate (GApplication *app)
{
  TrApplication *self = TR_APPLICATION (app);

  if (self->store == NULL && self->store_error == NULL)
    {
      g_autofree char *dir = tr_store_default_dir ();

      if (!open_store (self, dir))
        {
          show_store_error (self);
          return;
        }
    }

  gtk_window_present (GTK_WINDOW (ensure_window (self)));
}

static int
tr_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  TrApplication *self = TR_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree char *dir = NULL;
  const char *data_dir = NULL;
  gboolean demo = FALSE;

  g_variant_dict_lookup (options, "demo", "b", &demo);
  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir) && data_dir[0] != '\0')
    {
      /* Relative to where the command ran, which for a remote
       * invocation is not our own working directory. */
      g_autoptr (GFile) file = g_application_command_line_create_file_for_arg (cmdline, data_dir);
      dir = g_file_get_path (file);
    }
  if (dir == NULL)
    dir = tr_store_default_dir ();

  if (!open_store (self, dir))
    {
      show_store_error (self);
      return EXIT_SUCCESS;
    }

  gtk_window_present (GTK_WINDOW (ensure_window (self)));

  if (demo)
    {
      g_autoptr (GError) error = NULL;

      if (!tr_demo_seed (self->store, TR_DEMO_N_TICKETS, &error))
        {
          g_autofree char *body
            = g_strdup_printf (_ ("The sample tickets could not be added.\n\n%s"), error->message);
          show_error (self, _ ("Cannot Add Sample Tickets"), body);
        }
    }

  return EXIT_SUCCESS;
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
}

static void
tr_application_shutdown (GApplication *app)
{
  TrApplication *self = TR_APPLICATION (app);

  /* Close the database before the process goes. */
  tr_ticket_list_set_store (self->tickets, NULL, NULL);
  g_clear_object (&self->store);

  G_APPLICATION_CLASS (tr_application_parent_class)->shutdown (app);
}

static void
tr_application_dispose (GObject *object)
{
  TrApplication *self = (TrApplication *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->tickets);
  g_clear_object (&self->settings);

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
  self->tickets = tr_ticket_list_new ();

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

TrStore *
tr_application_get_store (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);

  return self->store;
}

TrTicketList *
tr_application_get_tickets (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);

  return self->tickets;
}

GSettings *
tr_application_get_settings (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);

  return self->settings;
}

const GError *
tr_application_get_store_error (TrApplication *self)
{
  g_return_val_if_fail (TR_IS_APPLICATION (self), NULL);

  return self->store_error;
}
