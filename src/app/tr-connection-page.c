/* tr-connection-page.c: Preferences' Connection page (advanced)
 *
 * The link's timings, each a row with a spin button bound to its key.
 * libadwaita 1.2 has no AdwSpinRow, hence an AdwActionRow with a
 * GtkSpinButton suffix. The rows are alike but for their key, words and
 * unit, so a table makes them: the table keeps each row's bounds next to
 * its key, where a template would repeat the schema's numbers.
 *
 * The page only writes the keys; the application applies them to the
 * running station (tr-connection-settings.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-connection-page.h"

#include <glib/gi18n.h>

#include "tr-connection-settings.h"

struct _TrConnectionPage
{
  AdwPreferencesPage parent_instance;

  GSettings *settings;
  GHashTable *spins; /* key → GtkSpinButton* (owned by the rows) */
};

G_DEFINE_FINAL_TYPE (TrConnectionPage, tr_connection_page, ADW_TYPE_PREFERENCES_PAGE)

enum
{
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  UNIT_MS,    /* the key in ms, the row in seconds */
  UNIT_S,     /* the key and the row in seconds */
  UNIT_COUNT, /* a plain number */
} Unit;

typedef struct
{
  const char *key;
  const char *title;
  const char *subtitle;
  Unit unit;
  gboolean host; /* the host's group, else this station's */
} RowSpec;

static const RowSpec rows[] = {
  { "heartbeat-interval-ms", N_ ("_Heartbeat Interval"),
    N_ ("Seconds between pings to the host. Never more than a third of the dead-host timeout"),
    UNIT_MS, FALSE },
  { "dead-timeout-ms", N_ ("_Dead-Host Timeout"),
    N_ ("Seconds without a word from the host before reconnecting. Raise it on a Wi-Fi that "
        "stalls"),
    UNIT_MS, FALSE },
  { "backoff-max-ms", N_ ("_Longest Wait Between Attempts"),
    N_ ("Seconds, at most, between attempts to reach the host"), UNIT_MS, FALSE },
  { "websocket-failures-before-polling", N_ ("_WebSocket Failures Before Polling"),
    N_ ("Failed connections in a row before falling back to HTTP polling"), UNIT_COUNT, FALSE },
  { "host-hello-timeout-ms", N_ ("H_ello Timeout"),
    N_ ("Seconds a new connection may stay silent before the host closes it"), UNIT_MS, TRUE },
  { "host-heartbeat-timeout-ms", N_ ("Heartbeat _Timeout"),
    N_ ("Seconds without a word from a station before the host drops it. Stations are told, "
        "and ping at least three times within it"),
    UNIT_MS, TRUE },
  { "station-offline-alert-seconds", N_ ("Station-_Offline Alert"),
    N_ ("Seconds a station may be disconnected before the host raises an alert"), UNIT_S, TRUE },
};

static gboolean
ms_to_seconds (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant) / 1000.0);
  return TRUE;
}

static GVariant *
seconds_to_ms (const GValue *value, const GVariantType *expected_type, gpointer user_data)
{
  return g_variant_new_uint32 ((guint32)(g_value_get_double (value) * 1000.0 + 0.5));
}

/* The row's adjustment from the key's <range>, so the two never part. */
static GtkAdjustment *
adjustment_for_key (GSettings *settings, const RowSpec *spec)
{
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettingsSchemaKey) key = NULL;
  g_autoptr (GVariant) range = NULL;
  g_autoptr (GVariant) bounds = NULL;
  const char *type;
  guint32 min, max;
  double scale = spec->unit == UNIT_MS ? 1000.0 : 1.0;
  double step = spec->unit == UNIT_MS ? 0.5 : 1.0;

  g_object_get (settings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, spec->key);
  range = g_settings_schema_key_get_range (key);
  g_variant_get (range, "(&sv)", &type, &bounds);
  g_assert (g_str_equal (type, "range"));
  g_variant_get (bounds, "(uu)", &min, &max);
  return gtk_adjustment_new (min / scale, min / scale, max / scale, step, step * 10, 0);
}

static GtkWidget *
make_row (TrConnectionPage *self, const RowSpec *spec)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin;

  spin = gtk_spin_button_new (adjustment_for_key (self->settings, spec), 1,
                              spec->unit == UNIT_MS ? 1 : 0);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_widget_add_css_class (spin, "numeric");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ (spec->title));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _ (spec->subtitle));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);

  if (spec->unit == UNIT_MS)
    g_settings_bind_with_mapping (self->settings, spec->key, spin, "value", G_SETTINGS_BIND_DEFAULT,
                                  ms_to_seconds, seconds_to_ms, NULL, NULL);
  else
    g_settings_bind (self->settings, spec->key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_hash_table_insert (self->spins, (gpointer)spec->key, spin);
  return row;
}

static void
on_restore_clicked (TrConnectionPage *self)
{
  tr_connection_settings_reset (self->settings);
}

static void
tr_connection_page_constructed (GObject *object)
{
  TrConnectionPage *self = TR_CONNECTION_PAGE (object);
  AdwPreferencesGroup *station_group;
  AdwPreferencesGroup *host_group;
  AdwPreferencesGroup *restore_group;
  GtkWidget *restore;

  G_OBJECT_CLASS (tr_connection_page_parent_class)->constructed (object);

  g_return_if_fail (G_IS_SETTINGS (self->settings));

  station_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (station_group, _ ("This Station’s Link"));
  adw_preferences_group_set_description (
    station_group, _ ("The defaults suit most kitchens. Change them only when the connection "
                      "drops often; every change applies at once"));
  host_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (host_group, _ ("When This Station Is the Host"));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    adw_preferences_group_add (rows[i].host ? host_group : station_group,
                               make_row (self, &rows[i]));

  restore_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  restore = gtk_button_new_with_mnemonic (_ ("_Restore Defaults"));
  gtk_widget_set_halign (restore, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (restore, "pill");
  g_signal_connect_object (restore, "clicked", G_CALLBACK (on_restore_clicked), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (restore_group, restore);

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), station_group);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), host_group);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), restore_group);
}

static void
tr_connection_page_finalize (GObject *object)
{
  TrConnectionPage *self = TR_CONNECTION_PAGE (object);

  g_clear_pointer (&self->spins, g_hash_table_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tr_connection_page_parent_class)->finalize (object);
}

static void
tr_connection_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrConnectionPage *self = TR_CONNECTION_PAGE (object);

  switch (prop_id)
    {
      case PROP_SETTINGS:
        g_value_set_object (value, self->settings);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_connection_page_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  TrConnectionPage *self = TR_CONNECTION_PAGE (object);

  switch (prop_id)
    {
      case PROP_SETTINGS:
        self->settings = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_connection_page_class_init (TrConnectionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tr_connection_page_constructed;
  object_class->finalize = tr_connection_page_finalize;
  object_class->get_property = tr_connection_page_get_property;
  object_class->set_property = tr_connection_page_set_property;

  properties[PROP_SETTINGS]
    = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tr_connection_page_init (TrConnectionPage *self)
{
  self->spins = g_hash_table_new (g_str_hash, g_str_equal);
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (self), _ ("_Connection"));
  adw_preferences_page_set_use_underline (ADW_PREFERENCES_PAGE (self), TRUE);
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (self),
                                      "network-transmit-receive-symbolic");
}

GtkWidget *
tr_connection_page_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (TR_TYPE_CONNECTION_PAGE, "settings", settings, NULL);
}

GtkSpinButton *
tr_connection_page_get_spin (TrConnectionPage *self, const char *key)
{
  g_return_val_if_fail (TR_IS_CONNECTION_PAGE (self), NULL);

  return g_hash_table_lookup (self->spins, key);
}
