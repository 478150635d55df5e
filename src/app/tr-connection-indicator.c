/* tr-connection-indicator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-connection-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-connection-indicator.h"

#include <string.h>

#include "tr-link-history.h"

struct _TrConnectionIndicator
{
  GtkWidget parent_instance;

  TrStation *station;
  TrClock *clock;
  char *label_text;
  char *state_class;
  /* A static string: what the icon shows now. */
  const char *icon_name;
  GCancellable *test_cancellable;
  gboolean testing;

  GtkMenuButton *button;
  GtkImage *icon;
  GtkLabel *label;
  GtkPopover *popover;
  GtkLabel *title_label;
  GtkGrid *details_grid;
  GtkLabel *log_label;
  GtkButton *reconnect_button;
  GtkGrid *test_grid;

  GtkLabel *standby_label; /* issue 17: the host's standby warning */

  /* The value labels of the details grid, by row. */
  GtkLabel *detail_values[6];
};

G_DEFINE_FINAL_TYPE (TrConnectionIndicator, tr_connection_indicator, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_CLOCK,
  PROP_LABEL,
  PROP_TESTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  ROW_HOST,
  ROW_LATENCY,
  ROW_LAST_SYNC,
  ROW_QUEUED,
  ROW_RECONNECTS,
  ROW_LAST_ERROR,
};

static TrClient *
client (TrConnectionIndicator *self)
{
  return self->station ? tr_station_get_client (self->station) : NULL;
}

/* When the client's next attempt is due (monotonic ms), or -1. TrClient
 * may expose it as "retry-at"; without it the countdown is left out
 * rather than guessed. */
static gint64
retry_at (TrConnectionIndicator *self)
{
  TrClient *c = client (self);
  gint64 at = -1;

  if (c != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (c), "retry-at") != NULL)
    g_object_get (c, "retry-at", &at, NULL);
  return at > 0 ? at : -1;
}

static char *
dup_host_url (TrConnectionIndicator *self)
{
  TrHost *host;
  TrClient *c = client (self);
  char *url = NULL;

  if (c != NULL)
    {
      g_object_get (c, "host-url", &url, NULL);
      return url;
    }
  host = self->station ? tr_station_get_host (self->station) : NULL;
  if (host != NULL && tr_host_is_running (host))
    return g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (host));
  return NULL;
}

static char *
format_ago (TrConnectionIndicator *self, gint64 at_ms)
{
  gint64 seconds;

  if (at_ms <= 0)
    return g_strdup (C_ ("last sync", "Never"));
  seconds = MAX (0, (tr_now_ms () - at_ms) / 1000);
  if (seconds < 60)
    /* Translators: how long ago the last sync was */
    return g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%u second ago", "%u seconds ago", (gulong)seconds),
      (guint)seconds);
  return g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE, "%u minute ago", "%u minutes ago", (gulong)(seconds / 60)),
    (guint)(seconds / 60));
}

static void
set_state_class (TrConnectionIndicator *self, const char *css_class)
{
  if (g_strcmp0 (self->state_class, css_class) == 0)
    return;
  if (self->state_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->button), self->state_class);
  g_free (self->state_class);
  self->state_class = g_strdup (css_class);
  gtk_widget_add_css_class (GTK_WIDGET (self->button), css_class);
}

static void
set_detail (TrConnectionIndicator *self, guint row, const char *text)
{
  gtk_label_set_label (self->detail_values[row], text ? text : "—");
}

static void update_log (TrConnectionIndicator *self, TrClient *c);

static void
update (TrConnectionIndicator *self)
{
  TrClient *c = client (self);
  g_autofree char *text = NULL;
  g_autofree char *queued_text = NULL;
  const char *css_class;
  const char *icon_name;
  guint queued = 0;

  if (self->station == NULL)
    return;

  if (tr_station_get_mode (self->station) == TR_STATION_MODE_HOST)
    {
      TrHost *host = tr_station_get_host (self->station);
      guint n = 0;

      if (host != NULL)
        g_object_get (host, "n-stations", &n, NULL);
      if (host != NULL && tr_host_is_running (host))
        {
          /* Translators: this station is the host; %u other stations follow it */
          text = g_strdup_printf (
            g_dngettext (GETTEXT_PACKAGE, "Hosting · %u station", "Hosting · %u stations", n), n);
          css_class = "hosting";
          icon_name = "network-server-symbolic";
        }
      else
        {
          text = g_strdup (_ ("Host stopped"));
          css_class = "offline";
          icon_name = "network-offline-symbolic";
        }
    }
  else
    {
      TrClientState state = tr_client_get_state (c);
      gint64 at;

      queued = tr_client_get_queued_ops (c);
      switch (state)
        {
          case TR_CLIENT_STATE_ONLINE_WEBSOCKET:
            text = g_strdup (C_ ("connection", "Live"));
            css_class = "live";
            icon_name = "network-wireless-signal-excellent-symbolic";
            break;
          case TR_CLIENT_STATE_ONLINE_POLLING:
            text = g_strdup (C_ ("connection", "Polling"));
            css_class = "polling";
            icon_name = "network-wireless-signal-ok-symbolic";
            break;
          case TR_CLIENT_STATE_CONNECTING:
            text = g_strdup (C_ ("connection", "Connecting…"));
            css_class = "connecting";
            icon_name = "network-wireless-acquiring-symbolic";
            break;
          case TR_CLIENT_STATE_OFFLINE:
          default:
            at = retry_at (self);
            if (queued == 0 && at > 0)
              {
                gint64 seconds = MAX (0, (at - g_get_monotonic_time () / 1000 + 999) / 1000);

                /* Translators: the next reconnection attempt is in %u seconds */
                text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Reconnecting in %u s",
                                                     "Reconnecting in %u s", (gulong)seconds),
                                        (guint)seconds);
              }
            else
              text = g_strdup (C_ ("connection", "Offline"));
            css_class = "offline";
            icon_name = "network-offline-symbolic";
            break;
        }
    }

  if (queued > 0)
    {
      g_autofree char *with_queue = NULL;

      queued_text = g_strdup_printf (
        /* Translators: changes this station made that the host has not confirmed */
        g_dngettext (GETTEXT_PACKAGE, "%u change queued", "%u changes queued", queued), queued);
      with_queue = g_strdup_printf ("%s · %s", text, queued_text);
      g_free (text);
      text = g_steal_pointer (&with_queue);
    }

  set_state_class (self, css_class);
  /* The clock calls this every second. GtkImage does not compare names:
   * setting the same one again queues a resize of the header bar and a
   * frame, once a second on an idle screen. */
  if (g_strcmp0 (icon_name, self->icon_name) != 0)
    {
      self->icon_name = icon_name;
      gtk_image_set_from_icon_name (self->icon, icon_name);
    }
  if (g_strcmp0 (text, self->label_text) != 0)
    {
      g_free (self->label_text);
      self->label_text = g_steal_pointer (&text);
      gtk_label_set_label (self->label, self->label_text);
      gtk_label_set_label (self->title_label, self->label_text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
    }

  /* The details only matter while someone looks at them. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    {
      TrHost *standby_host = tr_station_get_host (self->station);
      gboolean no_standby = standby_host != NULL
                              ? tr_host_get_standby_warning (standby_host) != NULL
                              : c != NULL && tr_client_get_standby_warning (c);

      gtk_widget_set_visible (GTK_WIDGET (self->standby_label), no_standby);
    }
  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    {
      g_autofree char *url = dup_host_url (self);

      set_detail (self, ROW_HOST, url);
      if (c != NULL)
        {
          gint64 latency = -1, last_sync = 0;
          guint reconnects = 0;
          g_autofree char *error = NULL;
          g_autofree char *latency_text = NULL;
          g_autofree char *ago = NULL;
          g_autofree char *reconnects_text = NULL;
          g_autofree char *queued_count = g_strdup_printf ("%u", queued);

          g_object_get (c, "latency-ms", &latency, "last-sync", &last_sync, "reconnects",
                        &reconnects, "last-error", &error, NULL);
          if (latency >= 0)
            /* Translators: a round trip time in milliseconds */
            latency_text = g_strdup_printf (_ ("%d ms"), (int)MIN (latency, G_MAXINT));
          ago = format_ago (self, last_sync);
          reconnects_text = g_strdup_printf ("%u", reconnects);
          set_detail (self, ROW_LATENCY, latency_text);
          set_detail (self, ROW_LAST_SYNC, ago);
          set_detail (self, ROW_QUEUED, queued_count);
          set_detail (self, ROW_RECONNECTS, reconnects_text);
          set_detail (self, ROW_LAST_ERROR, error ? error : C_ ("last error", "None"));
          update_log (self, c);
        }
      else
        {
          TrHost *host = tr_station_get_host (self->station);
          guint n = 0;
          g_autofree char *stations = NULL;

          if (host != NULL)
            g_object_get (host, "n-stations", &n, NULL);
          stations = g_strdup_printf ("%u", n);
          set_detail (self, ROW_LATENCY, NULL);
          set_detail (self, ROW_LAST_SYNC, NULL);
          set_detail (self, ROW_QUEUED, "0");
          set_detail (self, ROW_RECONNECTS, stations);
          set_detail (self, ROW_LAST_ERROR, C_ ("last error", "None"));
        }
    }
}

static const char *
state_label (const char *state)
{
  if (g_strcmp0 (state, "online-websocket") == 0)
    return C_ ("connection", "Live");
  if (g_strcmp0 (state, "online-polling") == 0)
    return C_ ("connection", "Polling");
  if (g_strcmp0 (state, "connecting") == 0)
    return C_ ("connection", "Connecting…");
  return C_ ("connection", "Offline");
}

/* The last link changes this station saw (tr-link-log.h), newest first:
 * "12:03:10 Offline for 2:13 — connection refused". */
char *
tr_connection_indicator_dup_log_text (TrConnectionIndicator *self)
{
  TrClient *c;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GString) text = g_string_new (NULL);

  g_return_val_if_fail (TR_IS_CONNECTION_INDICATOR (self), NULL);

  if (self->station == NULL || (c = tr_station_get_client (self->station)) == NULL)
    return g_strdup ("");
  entries = tr_client_list_link_log (c);
  /* Translators: the title of the list of recent connection changes */
  g_string_append (text, _ ("Recent changes"));
  for (guint i = 0; i < MIN (entries->len, 5); i++)
    {
      const TrLinkLogEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (entry->at / 1000);
      g_autofree char *clock = time ? g_date_time_format (time, "%H:%M:%S") : g_strdup ("");
      g_autofree char *line = NULL;

      if (entry->duration_ms < 0)
        /* Translators: a connection change that is still the current
         * state, e.g. "12:03:10 Live, now" */
        line = g_strdup_printf (_ ("%s %s, now"), clock, state_label (entry->state));
      else
        {
          g_autofree char *lasted = tr_link_format_duration (entry->duration_ms);

          /* Translators: a past connection state and how long it lasted
           * (m:ss), e.g. "12:01:02 Offline for 2:08" */
          line = g_strdup_printf (_ ("%s %s for %s"), clock, state_label (entry->state), lasted);
        }
      g_string_append_c (text, '\n');
      g_string_append (text, line);
      if (entry->reason != NULL)
        g_string_append_printf (text, " — %s", entry->reason);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_log (TrConnectionIndicator *self, TrClient *c)
{
  g_autofree char *text = tr_connection_indicator_dup_log_text (self);

  gtk_label_set_text (self->log_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->log_label), strchr (text, '\n') != NULL);
}

static void
on_popover_visible (TrConnectionIndicator *self)
{
  update (self);
}

/* ---- Test connection ---- */

static const char *
step_title (TrConnectionStep step)
{
  switch (step)
    {
      case TR_CONNECTION_STEP_TCP:
        return _ ("TCP connect");
      case TR_CONNECTION_STEP_HTTP:
        return _ ("HTTP health");
      case TR_CONNECTION_STEP_WEBSOCKET:
        return _ ("WebSocket handshake");
      case TR_CONNECTION_STEP_ROUND_TRIP:
        return _ ("Round trip");
      case TR_CONNECTION_N_STEPS:
      default:
        return "";
    }
}

static void
clear_test_grid (TrConnectionIndicator *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->test_grid))) != NULL)
    gtk_grid_remove (self->test_grid, child);
}

static GtkWidget *
grid_label (const char *text, gboolean dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
on_test_step (const TrConnectionStepResult *result, gpointer user_data)
{
  TrConnectionIndicator *self = user_data;
  int row = (int)result->step;
  const char *icon_name;
  const char *css_class;
  g_autofree char *detail = NULL;
  GtkWidget *icon;

  switch (result->status)
    {
      case TR_CONNECTION_STEP_OK:
        icon_name = "emblem-ok-symbolic";
        css_class = "success";
        detail
          = g_strdup_printf ("%.1f ms%s%s", (double)result->elapsed_us / 1000.0,
                             result->detail ? " · " : "", result->detail ? result->detail : "");
        break;
      case TR_CONNECTION_STEP_FAILED:
        icon_name = "dialog-error-symbolic";
        css_class = "error";
        detail = g_strdup_printf ("%.1f ms · %s", (double)result->elapsed_us / 1000.0,
                                  result->detail ? result->detail : _ ("failed"));
        break;
      case TR_CONNECTION_STEP_SKIPPED:
      case TR_CONNECTION_STEP_PENDING:
      default:
        icon_name = "action-unavailable-symbolic";
        css_class = "dim-label";
        detail = g_strdup (_ ("skipped"));
        break;
    }

  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_add_css_class (icon, css_class);
  gtk_grid_attach (self->test_grid, icon, 0, row, 1, 1);
  gtk_grid_attach (self->test_grid, grid_label (step_title (result->step), FALSE), 1, row, 1, 1);
  gtk_grid_attach (self->test_grid, grid_label (detail, TRUE), 2, row, 1, 1);
}

static void
set_testing (TrConnectionIndicator *self, gboolean testing)
{
  self->testing = testing;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "indicator.test", !testing);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TESTING]);
}

static void
on_test_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrConnectionIndicator) self = user_data;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;

  results = tr_connection_test_run_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (results == NULL)
    gtk_grid_attach (self->test_grid, grid_label (error->message, FALSE), 0, 0, 3, 1);
  g_clear_object (&self->test_cancellable);
  set_testing (self, FALSE);
}

static void
action_test (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrConnectionIndicator *self = TR_CONNECTION_INDICATOR (widget);
  g_autofree char *url = dup_host_url (self);
  g_autofree char *token = NULL;

  clear_test_grid (self);
  gtk_widget_set_visible (GTK_WIDGET (self->test_grid), TRUE);
  if (url == NULL)
    {
      gtk_grid_attach (self->test_grid, grid_label (_ ("There is no host to test"), FALSE), 0, 0, 3,
                       1);
      return;
    }
  if (client (self) != NULL)
    g_object_get (client (self), "token", &token, NULL);

  self->test_cancellable = g_cancellable_new ();
  set_testing (self, TRUE);
  tr_connection_test_run_async (url, token, 5000, on_test_step, self, NULL, self->test_cancellable,
                                on_test_done, g_object_ref (self));
}

static void
action_reconnect (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrConnectionIndicator *self = TR_CONNECTION_INDICATOR (widget);

  if (client (self) != NULL)
    tr_client_refresh (client (self));
  update (self);
}

/* ---- GObject ---- */

static void
tr_connection_indicator_constructed (GObject *object)
{
  TrConnectionIndicator *self = TR_CONNECTION_INDICATOR (object);
  const char *titles[] = { N_ ("Host"),           N_ ("Latency"),    N_ ("Last sync"),
                           N_ ("Queued changes"), N_ ("Reconnects"), N_ ("Last error") };
  TrClient *c;

  G_OBJECT_CLASS (tr_connection_indicator_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));
  if (self->clock == NULL)
    self->clock = tr_clock_new ();

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      GtkWidget *title = grid_label (_ (titles[i]), TRUE);
      GtkWidget *value = grid_label (NULL, FALSE);

      if (i == ROW_RECONNECTS && tr_station_get_mode (self->station) == TR_STATION_MODE_HOST)
        gtk_label_set_label (GTK_LABEL (title), _ ("Stations"));
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_grid_attach (self->details_grid, title, 0, (int)i, 1, 1);
      gtk_grid_attach (self->details_grid, value, 1, (int)i, 1, 1);
      self->detail_values[i] = GTK_LABEL (value);
    }

  /* Under the title: the host's words (tr_host_get_standby_warning()). */
  self->standby_label
    = GTK_LABEL (gtk_label_new (_ ("No standby: a host failure could lose the last changes")));
  gtk_label_set_wrap (self->standby_label, TRUE);
  gtk_label_set_xalign (self->standby_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->standby_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->standby_label), FALSE);
  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->title_label))),
                              GTK_WIDGET (self->standby_label), GTK_WIDGET (self->title_label));

  c = client (self);
  gtk_widget_set_visible (GTK_WIDGET (self->reconnect_button), c != NULL);
  g_signal_connect_object (self->station, "notify::link-state", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  if (c != NULL)
    {
      const char *const watched[]
        = { "notify::state",      "notify::queued-ops", "notify::latency-ms",
            "notify::last-error", "notify::last-sync",  "notify::reconnects" };

      for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
        g_signal_connect_object (c, watched[i], G_CALLBACK (update), self, G_CONNECT_SWAPPED);
    }
  else if (tr_station_get_host (self->station) != NULL)
    {
      g_signal_connect_object (tr_station_get_host (self->station), "notify::n-stations",
                               G_CALLBACK (update), self, G_CONNECT_SWAPPED);
    }
  /* The countdown and "seconds ago" move on their own. */
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
tr_connection_indicator_dispose (GObject *object)
{
  TrConnectionIndicator *self = TR_CONNECTION_INDICATOR (object);

  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_CONNECTION_INDICATOR);
  g_clear_object (&self->station);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (tr_connection_indicator_parent_class)->dispose (object);
}

static void
tr_connection_indicator_finalize (GObject *object)
{
  TrConnectionIndicator *self = TR_CONNECTION_INDICATOR (object);

  g_free (self->label_text);
  g_free (self->state_class);

  G_OBJECT_CLASS (tr_connection_indicator_parent_class)->finalize (object);
}

static void
tr_connection_indicator_get_property (GObject *object, guint prop_id, GValue *value,
                                      GParamSpec *pspec)
{
  TrConnectionIndicator *self = TR_CONNECTION_INDICATOR (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      case PROP_LABEL:
        g_value_set_string (value, self->label_text);
        break;
      case PROP_TESTING:
        g_value_set_boolean (value, self->testing);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_connection_indicator_set_property (GObject *object, guint prop_id, const GValue *value,
                                      GParamSpec *pspec)
{
  TrConnectionIndicator *self = TR_CONNECTION_INDICATOR (object);

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_CLOCK:
        self->clock = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_connection_indicator_class_init (TrConnectionIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_connection_indicator_constructed;
  object_class->dispose = tr_connection_indicator_dispose;
  object_class->finalize = tr_connection_indicator_finalize;
  object_class->get_property = tr_connection_indicator_get_property;
  object_class->set_property = tr_connection_indicator_set_property;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  properties[PROP_LABEL]
    = g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TESTING] = g_param_spec_boolean ("testing", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-connection-indicator.ui");
  gtk_widget_class_set_css_name (widget_class, "connectionindicator");
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, log_label);
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, title_label);
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, details_grid);
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, reconnect_button);
  gtk_widget_class_bind_template_child (widget_class, TrConnectionIndicator, test_grid);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_visible);

  gtk_widget_class_install_action (widget_class, "indicator.reconnect", NULL, action_reconnect);
  gtk_widget_class_install_action (widget_class, "indicator.test", NULL, action_test);
}

static void
tr_connection_indicator_init (TrConnectionIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tr_connection_indicator_new (TrStation *station, TrClock *clock)
{
  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (clock == NULL || TR_IS_CLOCK (clock), NULL);

  return g_object_new (TR_TYPE_CONNECTION_INDICATOR, "station", station, "clock", clock, NULL);
}

const char *
tr_connection_indicator_get_label (TrConnectionIndicator *self)
{
  g_return_val_if_fail (TR_IS_CONNECTION_INDICATOR (self), NULL);
  return self->label_text;
}

gboolean
tr_connection_indicator_get_testing (TrConnectionIndicator *self)
{
  g_return_val_if_fail (TR_IS_CONNECTION_INDICATOR (self), FALSE);
  return self->testing;
}

GtkPopover *
tr_connection_indicator_get_popover (TrConnectionIndicator *self)
{
  g_return_val_if_fail (TR_IS_CONNECTION_INDICATOR (self), NULL);
  return self->popover;
}

void
tr_connection_indicator_popup (TrConnectionIndicator *self)
{
  g_return_if_fail (TR_IS_CONNECTION_INDICATOR (self));
  gtk_menu_button_popup (self->button);
}
