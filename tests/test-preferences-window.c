/* test-preferences-window.c: Preferences follows what it is given
 *
 * The window knows nothing of TrApplication: it gets the settings, the
 * station and the station's message as properties, and asks the
 * application for things through app.* actions. These tests hold it to
 * that, in a real window (under Xvfb).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-preferences-window"

#include "config.h"

#include <string.h>

#include "tr-menu.h"
#include "tr-preferences-window.h"
#include "tr-test-util.h"
#include "tr-test-widgets.h"

typedef struct
{
  char *dir;
  guint port;
  GSettings *settings;
  TrStation *station;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-test-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  f->port = tr_test_free_port ();
  f->settings = g_settings_new (APP_ID);
  f->station = tr_station_new_host (f->dir, f->port, TRUE, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->station);
  g_clear_object (&f->settings);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* The row of @type whose title is @title, or NULL. */
static GtkWidget *
find_row (GtkWidget *root, GType type, const char *title)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  tr_test_collect_widgets (root, type, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (rows->pdata[i]), title) == 0)
      return rows->pdata[i];
  return NULL;
}

/* No station yet, then one, then none again: the host rows and the
 * addresses follow each time, and the station's message shows and goes. */
static void
test_follows_station (Fixture *f, gconstpointer data)
{
  g_autofree char *expected = g_strdup_printf ("127.0.0.1:%u", f->port);
  g_autoptr (GPtrArray) default_menu = tr_menu_new_default ();
  TrPreferencesWindow *prefs = tr_preferences_window_new (NULL, NULL, f->settings, NULL);
  GtkWidget *message;

  g_object_ref_sink (prefs);
  g_assert_cmpstr (tr_preferences_window_get_join_text (prefs), ==, "");
  g_assert_cmpuint (tr_preferences_window_get_menu (prefs)->len, ==, default_menu->len);

  g_object_set (prefs, "station", f->station, NULL);
  g_assert_nonnull (strstr (tr_preferences_window_get_join_text (prefs), expected));

  g_assert_null (find_row (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW, "The disk is full"));
  g_object_set (prefs, "station-message", "The disk is full", NULL);
  message = find_row (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW, "The disk is full");
  g_assert_nonnull (message);
  g_assert_true (gtk_widget_get_visible (message));
  g_object_set (prefs, "station-message", NULL, NULL);
  g_assert_false (gtk_widget_get_visible (message));

  g_object_set (prefs, "station", NULL, NULL);
  g_assert_cmpstr (tr_preferences_window_get_join_text (prefs), ==, "");

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

static void
on_pair (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  char **code = user_data;

  g_free (*code);
  *code = g_variant_dup_string (param, NULL);
}

/* The pairing code goes to app.pair, not to an application object. */
static void
test_pairing_code_activates_app_pair (Fixture *f, gconstpointer data)
{
  g_autoptr (GtkApplication) app
    = gtk_application_new ("io.github.ticketrail.TestPreferences", G_APPLICATION_NON_UNIQUE);
  g_autoptr (GSimpleAction) pair = g_simple_action_new ("pair", G_VARIANT_TYPE_STRING);
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  TrPreferencesWindow *prefs;
  GtkWidget *row;

  g_signal_connect (pair, "activate", G_CALLBACK (on_pair), &code);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (pair));
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  prefs = tr_preferences_window_new (NULL, app, f->settings, f->station);
  g_object_ref_sink (prefs);
  row = find_row (GTK_WIDGET (prefs), ADW_TYPE_ENTRY_ROW, "_Pairing Code from the Host");
  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), "123456");
  g_signal_emit_by_name (row, "apply");
  g_assert_cmpstr (code, ==, "123456");
  /* The code is used once: the row is emptied. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/preferences/follows-station", Fixture, NULL, fixture_set_up, test_follows_station,
              fixture_tear_down);
  g_test_add ("/preferences/pairing-code", Fixture, NULL, fixture_set_up,
              test_pairing_code_activates_app_pair, fixture_tear_down);
  return g_test_run ();
}
