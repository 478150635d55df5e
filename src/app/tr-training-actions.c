/* tr-training-actions.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-training-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-demo.h"
#include "tr-training-actions.h"
#include "tr-window.h"

#define TRAINING_KEY "training"
#define DATA_KEY "tr-training-actions"

/* What the actions need of the application, kept on it. */
typedef struct
{
  GSettings *settings;
  TrTrainingRestartFunc restart;
} Training;

static void
training_free (Training *training)
{
  g_clear_object (&training->settings);
  g_free (training);
}

static Training *
get_training (GApplication *app)
{
  return g_object_get_data (G_OBJECT (app), DATA_KEY);
}

/* The application's station, owned by it. */
static TrStation *
get_station (GApplication *app)
{
  TrStation *station = NULL;

  g_object_get (app, "station", &station, NULL);
  if (station != NULL)
    g_object_unref (station);
  return station;
}

static gboolean
restart_host (GApplication *app, gboolean training)
{
  return get_training (app)->restart (app, training);
}

static TrWindow *
find_window (GApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (TR_IS_WINDOW (l->data))
      return TR_WINDOW (l->data);
  return NULL;
}

static void
toast (GApplication *app, const char *text)
{
  TrWindow *window = find_window (app);

  if (window != NULL)
    tr_window_add_toast (window, text);
}

static gboolean
is_host (TrStation *station)
{
  return station != NULL && tr_station_get_mode (station) == TR_STATION_MODE_HOST;
}

/* A failed restart leaves the old station serving; the message says why. */
static void
toast_failure (GApplication *app)
{
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;

  g_object_get (app, "station-message", &message, NULL);
  /* Translators: switching between training and live failed; %s says why */
  text = g_strdup_printf (_ ("Could not switch: %s"), message ? message : "");

  toast (app, text);
}

/* The actions follow the station; a host remembers its mode. */
static void
sync_actions (GApplication *app)
{
  TrStation *station = get_station (app);
  gboolean host = is_host (station);
  gboolean training = host && tr_station_is_training (station);
  GSettings *settings = get_training (app)->settings;
  GAction *action;

  action = g_action_map_lookup_action (G_ACTION_MAP (app), "switch-training");
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (training));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), host);
  action = g_action_map_lookup_action (G_ACTION_MAP (app), "clear-training");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), training);
  if (host && settings != NULL && g_settings_get_boolean (settings, TRAINING_KEY) != training)
    g_settings_set_boolean (settings, TRAINING_KEY, training);
}

static void
switch_training_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  GApplication *app = user_data;
  gboolean want = g_variant_get_boolean (value);
  TrStation *station = get_station (app);

  if (!is_host (station) || tr_station_is_training (station) == want)
    return;
  if (!restart_host (app, want))
    {
      toast_failure (app);
      return;
    }
  toast (app, want ? _ ("Training: new tickets are samples and never reach the live kitchen")
                   : _ ("Back to live: the live tickets are as they were"));
}

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GApplication) app = user_data;
  g_autoptr (GError) error = NULL;

  if (!tr_station_clear_training_finish (TR_STATION (source), result, &error))
    {
      /* Translators: %s says why the training tickets were not cleared */
      g_autofree char *text
        = g_strdup_printf (_ ("Training tickets not cleared: %s"), error->message);
      toast (app, text);
      return;
    }
  /* The app switched meanwhile: the next start meets the empty file. */
  if (TR_STATION (source) != get_station (app))
    return;
  /* A new host on the emptied file: every station meets the new
   * history and takes a snapshot of it. */
  if (!restart_host (app, TRUE))
    {
      toast_failure (app);
      return;
    }
  toast (app, _ ("Training tickets cleared"));
}

static void
on_clear_response (AdwMessageDialog *dialog, const char *response, GApplication *app)
{
  TrStation *station = get_station (app);

  if (g_strcmp0 (response, "clear") != 0 || station == NULL || !tr_station_is_training (station))
    return;
  tr_station_clear_training_async (station, NULL, on_cleared, g_object_ref (app));
}

static void
clear_training_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (
    GTK_WINDOW (find_window (app)), _ ("Clear Training Tickets?"),
    _ ("Every ticket made in training goes, on every screen. The live tickets are not touched."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "clear",
                                    _ ("_Clear"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clear",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_clear_response), app, 0);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_demo_added (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GApplication) app = user_data;
  g_autoptr (GError) error = NULL;

  if (!tr_station_submit_ops_finish (TR_STATION (source), result, &error))
    {
      g_autofree char *body
        = g_strdup_printf (_ ("The sample tickets could not be added.\n\n%s"), error->message);
      TrWindow *window = find_window (app);

      if (window != NULL)
        tr_window_show_error (window, _ ("Cannot Add Sample Tickets"), body);
    }
}

void
tr_training_actions_add_demo (GApplication *app, guint n_tickets)
{
  g_autoptr (GPtrArray) ops = tr_demo_build_ops (n_tickets, tr_now_ms ());

  g_return_if_fail (G_IS_APPLICATION (app));
  g_return_if_fail (get_station (app) != NULL);

  tr_station_submit_ops_async (get_station (app), ops, NULL, on_demo_added, g_object_ref (app));
}

/* Sample orders belong on a host, and in training: on a follower they
 * would reach no one, and in host.db they would mix with the live
 * orders (and the reports). A manager who asks for them while live
 * expects them, so the host switches and says so, rather than refuse. */
static void
demo_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;
  TrStation *station = get_station (app);
  gboolean was_live_host = is_host (station) && !tr_station_is_training (station);

  if (!is_host (station) || !tr_station_is_training (station))
    if (!restart_host (app, TRUE))
      {
        toast_failure (app);
        return;
      }
  tr_training_actions_add_demo (app, TR_DEMO_N_TICKETS);
  if (was_live_host)
    toast (app, _ ("Switched to training for the sample tickets; the live tickets are kept "
                   "as they were"));
}

gboolean
tr_training_actions_start_in_training (GSettings *settings, gboolean demo)
{
  return demo || (settings != NULL && g_settings_get_boolean (settings, TRAINING_KEY));
}

static const GActionEntry training_actions[] = {
  { .name = "switch-training", .state = "false", .change_state = switch_training_change_state },
  { .name = "clear-training", .activate = clear_training_action },
  { .name = "demo", .activate = demo_action },
};

void
tr_training_actions_install (GApplication *app, GSettings *settings, TrTrainingRestartFunc restart)
{
  Training *training = g_new0 (Training, 1);

  g_return_if_fail (G_IS_APPLICATION (app));
  g_return_if_fail (restart != NULL);

  training->settings = settings ? g_object_ref (settings) : NULL;
  training->restart = restart;
  g_object_set_data_full (G_OBJECT (app), DATA_KEY, training, (GDestroyNotify)training_free);

  g_action_map_add_action_entries (G_ACTION_MAP (app), training_actions,
                                   G_N_ELEMENTS (training_actions), app);
  g_signal_connect (app, "notify::station", G_CALLBACK (sync_actions), NULL);
  sync_actions (app);
}
