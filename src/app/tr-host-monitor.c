/* tr-host-monitor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host-monitor"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tr-export-status.h"
#include "tr-host-monitor.h"
#include "tr-lan-address.h"
#include "tr-link-timeline.h"
#include "tr-printer-monitor.h"
#include "tr-training-banner.h"
#include "tr-standby-row.h"

#define DAY_MS ((gint64)24 * 60 * 60 * 1000)
/* The history is read again when the roster changes, else this often. */
#define HISTORY_MAX_AGE_MS ((gint64)60 * 1000)

struct _TrHostMonitor
{
  AdwWindow parent_instance;

  TrStation *station;
  TrClock *clock;
  GPtrArray *stations;  /* TrStationInfo*, as shown */
  TrExporter *exporter; /* the host's, followed for the export row; or NULL */
  char *export_status;
  char *screen_check; /* the last screen test's answer, as shown; or NULL */
  gboolean testing_screens;
  /* The last 24 hours of each station's links (tr-host-links.c). */
  GHashTable *histories; /* station_id → TrStationHistory* */
  gint64 history_read_at;
  gboolean history_dirty;
  /* Who was connected when the history was read: the clock's refresh
   * can see a link begin or end before the roster's signal comes. */
  char *history_roster;

  AdwWindowTitle *window_title;
  GtkButton *pair_button;
  GtkStack *stack;
  AdwStatusPage *empty_page;
  GtkLabel *join_label;
  GtkListBox *list;
  AdwActionRow *export_row;
  GtkImage *export_icon;
  TrPrinterMonitor *printer_monitor;
  TrStandbyRow *standby_row; /* with a host; NULL otherwise */
};

G_DEFINE_FINAL_TYPE (TrHostMonitor, tr_host_monitor, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_CLOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_ago (gint64 ms)
{
  gint64 seconds = MAX (0, ms) / 1000;

  if (seconds < 60)
    /* Translators: a time span in seconds, e.g. "12 s" */
    return g_strdup_printf (_ ("%u s"), (guint)seconds);
  if (seconds < 3600)
    return g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%u min", "%u min", (gulong)(seconds / 60)),
      (guint)(seconds / 60));
  /* Translators: a time span in hours and minutes, e.g. "2 h 05" */
  return g_strdup_printf (_ ("%u h %02u"), (guint)(seconds / 3600), (guint)(seconds / 60 % 60));
}

static char *
format_clock_time (gint64 ms)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (ms / 1000);

  return time ? g_date_time_format (time, "%H:%M") : g_strdup ("");
}

static const char *
role_label (const char *role)
{
  if (g_strcmp0 (role, "kitchen") == 0)
    return C_ ("station role", "Kitchen");
  if (g_strcmp0 (role, "expo") == 0)
    return C_ ("station role", "Expo");
  if (g_strcmp0 (role, "foh") == 0)
    return C_ ("station role", "Front of house");
  if (g_strcmp0 (role, "browser") == 0)
    return C_ ("station role", "Browser");
  if (g_strcmp0 (role, "board") == 0)
    return C_ ("station role", "Order board");
  return role && *role ? role : C_ ("station role", "Station");
}

static const char *
display_name (const TrStationInfo *info)
{
  if (info->name != NULL && *info->name != '\0')
    return info->name;
  return info->station_id;
}

/* Joins facts that each stand alone ("Kitchen", "live", "12 ms") into one
 * line; none is part of another's sentence. Frees @facts' strings. */
static char *
join_facts (GPtrArray *facts)
{
  g_ptr_array_add (facts, NULL);
  /* Translators: what separates the facts about a station on one line,
   * e.g. "Kitchen · 192.168.1.31 · live" */
  return g_strjoinv (C_ ("list of facts", " · "), (char **)facts->pdata);
}

/* "Last 24 h: 2 drops · longest outage 3:05 · up 97 %" */
static char *
dup_history_line (TrHostMonitor *self, const char *station_id)
{
  const TrStationHistory *history
    = self->histories != NULL ? g_hash_table_lookup (self->histories, station_id) : NULL;
  const TrLinkSummary *summary;
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func (g_free);

  if (history == NULL)
    /* Translators: the connection history line of a station that did
     * not connect in the last 24 hours */
    return g_strdup (_ ("Last 24 h: not connected"));
  summary = history->summary;
  g_ptr_array_add (facts, g_strdup_printf (
                            /* Translators: the start of the history line, e.g. "Last 24 h:
                             * 2 drops"; %u is a number of drops (links that ended badly) */
                            g_dngettext (GETTEXT_PACKAGE, "Last 24 h: %u drop",
                                         "Last 24 h: %u drops", summary->drops),
                            summary->drops));
  if (summary->longest_outage_ms > 0)
    {
      g_autofree char *outage = tr_link_format_duration (summary->longest_outage_ms);

      /* Translators: %s is a duration, m:ss or h:mm:ss */
      g_ptr_array_add (facts, g_strdup_printf (_ ("longest outage %s"), outage));
    }
  if (summary->known_ms > 0)
    /* Translators: the share of the last 24 hours (since its first
     * connection, if later) the station was connected, e.g. "up 97 %" */
    g_ptr_array_add (facts, g_strdup_printf (_ ("up %d %%"),
                                             (int)(summary->up_ms * 100 / summary->known_ms)));
  return join_facts (facts);
}

static char *
dup_roster_links (GPtrArray *stations)
{
  GString *links = g_string_new (NULL);

  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);

      g_string_append_printf (links, "%s %d %" G_GINT64_FORMAT "\n", info->station_id,
                              info->connected, info->connected_since);
    }
  return g_string_free (links, FALSE);
}

/* Reads the history when the roster changed (a link began or ended), or
 * every minute: the clock refreshes the rows every second. */
static void
read_history (TrHostMonitor *self, TrHost *host, GPtrArray *stations)
{
  gint64 now = tr_clock_get_now (self->clock);
  g_autoptr (GPtrArray) histories = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *roster = dup_roster_links (stations);

  if (host == NULL)
    {
      g_clear_pointer (&self->histories, g_hash_table_unref);
      return;
    }
  if (g_strcmp0 (roster, self->history_roster) != 0)
    {
      self->history_dirty = TRUE;
      g_free (self->history_roster);
      self->history_roster = g_steal_pointer (&roster);
    }
  if (self->histories != NULL && !self->history_dirty
      && now - self->history_read_at < HISTORY_MAX_AGE_MS)
    return;
  self->history_dirty = FALSE;
  self->history_read_at = now;
  if (!(histories = tr_host_list_link_history (host, now - DAY_MS, now, &error)))
    {
      g_warning ("Reading the connection history failed: %s", error->message);
      return;
    }
  g_clear_pointer (&self->histories, g_hash_table_unref);
  self->histories = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify)tr_station_history_free);
  g_ptr_array_set_free_func (histories, NULL);
  for (guint i = 0; i < histories->len; i++)
    {
      TrStationHistory *history = g_ptr_array_index (histories, i);

      g_hash_table_insert (self->histories, history->station_id, history);
    }
}

char *
tr_host_monitor_dup_history_line (TrHostMonitor *self, const char *station_id)
{
  g_return_val_if_fail (TR_IS_HOST_MONITOR (self), NULL);
  g_return_val_if_fail (station_id != NULL, NULL);

  return dup_history_line (self, station_id);
}

static char *
dup_details (TrHostMonitor *self, const TrStationInfo *info)
{
  gint64 now = tr_clock_get_now (self->clock);
  g_autoptr (GPtrArray) facts1 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) facts2 = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line1 = NULL;
  g_autofree char *line2 = NULL;

  g_ptr_array_add (facts1, g_strdup (role_label (info->role)));
  if (info->address != NULL && *info->address != '\0')
    g_ptr_array_add (facts1, g_strdup (info->address));
  if (info->connected && g_strcmp0 (info->transport, "polling") == 0)
    /* Translators: how a station is connected: it asks the host every few
     * seconds */
    g_ptr_array_add (facts1, g_strdup (_ ("polling")));
  else if (info->connected)
    /* Translators: how a station is connected: over a WebSocket */
    g_ptr_array_add (facts1, g_strdup (_ ("live")));

  if (info->connected)
    {
      g_autofree char *since = format_clock_time (info->connected_since);
      g_autofree char *span = format_ago (now - info->connected_since);

      /* Translators: e.g. "Connected since 19:02 (5 min)" */
      g_ptr_array_add (facts2, g_strdup_printf (_ ("Connected since %s (%s)"), since, span));
      if (info->latency_ms >= 0)
        /* Translators: a round-trip time in milliseconds, e.g. "12 ms" */
        g_ptr_array_add (facts2, g_strdup_printf (_ ("%d ms"), (int)info->latency_ms));
      g_ptr_array_add (facts2, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u change queued",
                                                             "%u changes queued", info->queued_ops),
                                                info->queued_ops));
    }
  else if (info->last_seen > 0)
    {
      g_autofree char *span = format_ago (now - info->last_seen);

      g_ptr_array_add (facts2, g_strdup (_ ("Disconnected")));
      /* Translators: %s is a time span, e.g. "Last seen 3 min ago" */
      g_ptr_array_add (facts2, g_strdup_printf (_ ("Last seen %s ago"), span));
    }
  else
    g_ptr_array_add (facts2, g_strdup (_ ("Paired, not seen since the host started")));

  g_ptr_array_add (facts2, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u reconnect",
                                                         "%u reconnects", info->reconnects),
                                            info->reconnects));

  line1 = join_facts (facts1);
  line2 = join_facts (facts2);
  {
    g_autofree char *line3 = dup_history_line (self, info->station_id);

    return g_strdup_printf ("%s\n%s\n%s", line1, line2, line3);
  }
}

static GtkWidget *
build_row (TrHostMonitor *self, const TrStationInfo *info)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *dot = gtk_image_new_from_icon_name ("media-record-symbolic");
  GtkWidget *state = gtk_label_new (NULL);
  GtkWidget *timeline = tr_link_timeline_new ();
  g_autofree char *title = g_markup_escape_text (display_name (info), -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_widget_add_css_class (row, "monitor-row");
  gtk_widget_add_css_class (dot, "monitor-dot");
  gtk_widget_add_css_class (state, "status-pill");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), dot);
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), timeline);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
  g_object_set_data (G_OBJECT (row), "timeline", timeline);
  g_object_set_data (G_OBJECT (row), "dot", dot);
  g_object_set_data (G_OBJECT (row), "state", state);
  g_object_set_data_full (G_OBJECT (row), "station-id", g_strdup (info->station_id), g_free);

  if (info->paired && !info->revoked)
    {
      GtkWidget *revoke = gtk_button_new_with_mnemonic (_ ("_Revoke"));

      gtk_widget_set_valign (revoke, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (revoke, "destructive-action");
      gtk_widget_set_tooltip_text (revoke, _ ("Stop trusting this station: it must pair again"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (revoke), "monitor.revoke");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (revoke), "s", info->station_id);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), revoke);
    }
  return row;
}

static void
update_row (TrHostMonitor *self, GtkWidget *row, const TrStationInfo *info)
{
  GtkWidget *dot = g_object_get_data (G_OBJECT (row), "dot");
  GtkWidget *state = g_object_get_data (G_OBJECT (row), "state");
  GtkWidget *timeline = g_object_get_data (G_OBJECT (row), "timeline");
  const TrStationHistory *history
    = self->histories != NULL ? g_hash_table_lookup (self->histories, info->station_id) : NULL;
  g_autofree char *details = dup_details (self, info);
  g_autofree char *escaped = g_markup_escape_text (details, -1);
  g_autofree char *history_line = dup_history_line (self, info->station_id);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  tr_link_timeline_set_summary (TR_LINK_TIMELINE (timeline), history ? history->summary : NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (timeline), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  history_line, -1);
  gtk_widget_set_tooltip_text (timeline, history_line);
  gtk_widget_remove_css_class (dot, "connected");
  gtk_widget_remove_css_class (state, "status-ready");
  gtk_widget_remove_css_class (state, "status-cancelled");
  if (info->revoked)
    {
      gtk_label_set_text (GTK_LABEL (state), _ ("Revoked"));
      gtk_widget_add_css_class (state, "status-cancelled");
    }
  else if (info->connected)
    {
      gtk_label_set_text (GTK_LABEL (state), _ ("Connected"));
      gtk_widget_add_css_class (state, "status-ready");
      gtk_widget_add_css_class (dot, "connected");
    }
  else
    gtk_label_set_text (GTK_LABEL (state), _ ("Disconnected"));
}

/* The same stations, in the same order, with the same pairing state:
 * the rows can be updated in place, keeping focus and scroll. */
static gboolean
same_layout (GPtrArray *a, GPtrArray *b)
{
  if (a == NULL || a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const TrStationInfo *x = g_ptr_array_index (a, i);
      const TrStationInfo *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->station_id, y->station_id) != 0 || g_strcmp0 (x->name, y->name) != 0
          || x->paired != y->paired || x->revoked != y->revoked)
        return FALSE;
    }
  return TRUE;
}

static void
update_join_label (TrHostMonitor *self)
{
  g_auto (GStrv) addresses = tr_station_dup_join_addresses (self->station);
  g_autofree char *text = NULL;

  if (addresses[0] == NULL)
    text = g_strdup (_ ("This station is not hosting"));
  else if (addresses[1] == NULL)
    /* Translators: %s is an address, e.g. "192.168.1.20:8787" */
    text = g_strdup_printf (_ ("Other stations join this host at %s"), addresses[0]);
  else
    {
      /* Translators: what separates addresses in a list, e.g.
       * "192.168.1.20:8787, 10.0.0.5:8787" */
      g_autofree char *list = g_strjoinv (C_ ("list of addresses", ", "), addresses);

      text = g_strdup_printf (
        /* Translators: %s is a list of two or more addresses, e.g.
         * "192.168.1.20:8787, 10.0.0.5:8787" */
        _ ("Other stations join this host at any of these addresses: %s"), list);
    }
  gtk_label_set_text (self->join_label, text);
  adw_status_page_set_description (self->empty_page, text);
  adw_window_title_set_subtitle (self->window_title, addresses[0] ? addresses[0] : "");
}

void
tr_host_monitor_refresh (TrHostMonitor *self)
{
  TrHost *host;
  g_autoptr (GPtrArray) stations = NULL;
  GtkWidget *row;
  guint i = 0;

  g_return_if_fail (TR_IS_HOST_MONITOR (self));

  host = tr_station_get_host (self->station);
  stations = host ? tr_host_list_stations (host)
                  : g_ptr_array_new_with_free_func ((GDestroyNotify)tr_station_info_free);
  read_history (self, host, stations);

  if (!same_layout (self->stations, stations))
    {
      while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
        gtk_list_box_remove (self->list, row);
      for (i = 0; i < stations->len; i++)
        gtk_list_box_append (self->list, build_row (self, g_ptr_array_index (stations, i)));
    }

  i = 0;
  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) && i < stations->len)
      update_row (self, row, g_ptr_array_index (stations, i++));

  g_clear_pointer (&self->stations, g_ptr_array_unref);
  self->stations = g_steal_pointer (&stations);
  gtk_stack_set_visible_child_name (self->stack, self->stations->len > 0 ? "list" : "empty");
  update_join_label (self);
  if (self->standby_row != NULL)
    tr_standby_row_refresh (self->standby_row);
}

GStrv
tr_host_monitor_dup_summary (TrHostMonitor *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TR_IS_HOST_MONITOR (self), NULL);

  for (guint i = 0; self->stations != NULL && i < self->stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (self->stations, i);
      g_autofree char *line = g_strdup_printf ("%s\t%s\t%s", display_name (info),
                                               info->revoked     ? "revoked"
                                               : info->connected ? "connected"
                                                                 : "disconnected",
                                               info->station_id);

      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

/* ---- The PostgreSQL export ---- */

static void
update_export_row (TrHostMonitor *self)
{
  static const char *const icons[] = {
    [TR_EXPORT_SEVERITY_NEUTRAL] = "network-server-symbolic",
    [TR_EXPORT_SEVERITY_OK] = "emblem-ok-symbolic",
    [TR_EXPORT_SEVERITY_WARNING] = "dialog-warning-symbolic",
    [TR_EXPORT_SEVERITY_ERROR] = "dialog-error-symbolic",
  };
  static const char *const classes[] = { "dim-label", "success", "warning", "error" };
  TrExporter *exporter = self->exporter;
  TrExportFacts facts = { exporter != NULL };
  TrExportSeverity severity;
  g_autofree char *escaped = NULL;

  if (exporter != NULL)
    {
      facts.connected = tr_exporter_get_connected (exporter);
      facts.lag_events = tr_exporter_get_lag_events (exporter);
      facts.lag_seconds = tr_exporter_get_lag_seconds (exporter);
      facts.last_error = tr_exporter_get_last_error (exporter);
    }
  /* The wording is tr-export-status.c's; this only draws it. */
  g_free (self->export_status);
  self->export_status = tr_export_status_describe (&facts, &severity);
  escaped = g_markup_escape_text (self->export_status, -1);
  adw_action_row_set_subtitle (self->export_row, escaped);
  gtk_image_set_from_icon_name (self->export_icon, icons[severity]);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (i == severity)
      gtk_widget_add_css_class (GTK_WIDGET (self->export_icon), classes[i]);
    else
      gtk_widget_remove_css_class (GTK_WIDGET (self->export_icon), classes[i]);
}

/* The app swaps the host's exporter when Preferences saves a new
 * connection string: follow whichever is current. */
static void
follow_exporter (TrHostMonitor *self)
{
  TrHost *host = tr_station_get_host (self->station);
  g_autoptr (TrExporter) exporter = NULL;

  if (host != NULL)
    g_object_get (host, "exporter", &exporter, NULL);
  if (exporter != self->exporter)
    {
      if (self->exporter != NULL)
        g_signal_handlers_disconnect_by_data (self->exporter, self);
      g_set_object (&self->exporter, exporter);
      if (exporter != NULL)
        g_signal_connect_object (exporter, "notify", G_CALLBACK (update_export_row), self,
                                 G_CONNECT_SWAPPED);
    }
  update_export_row (self);
}

const char *
tr_host_monitor_get_export_status (TrHostMonitor *self)
{
  g_return_val_if_fail (TR_IS_HOST_MONITOR (self), NULL);
  return self->export_status;
}

/* ---- Send Test Ticket to Every Screen ---- */

#define SCREEN_TEST_TIMEOUT_MS 15000

static char *
dup_screen_check_text (const TrScreenCheck *check)
{
  g_autoptr (GString) text = g_string_new (NULL);
  guint n = tr_screen_check_get_n_results (check);

  for (guint i = 0; i < n; i++)
    {
      const TrScreenResult *result = tr_screen_check_get_result (check, i);

      /* Translators: a screen and its result, e.g. "Grill: shows it" */
      g_string_append_printf (text, _ ("%s: %s"), result->name,
                              tr_screen_state_label (result->state));
      if (result->state == TR_SCREEN_SHOWN)
        g_string_append_printf (text, _ (" (after %.1f s)"), result->shown_after_ms / 1000.0);
      if (i + 1 < n)
        g_string_append_c (text, '\n');
    }
  if (n == 0)
    g_string_append (text, _ ("No screen is paired with this host."));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_screens_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrHostMonitor) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrScreenCheck) check = tr_host_test_screens_finish (TR_HOST (source), result, &error);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;
  GtkWidget *label;

  self->testing_screens = FALSE;
  /* Closed meanwhile: the host removed the ticket all the same. */
  if (self->station == NULL)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "monitor.test-screens", TRUE);
  g_free (self->screen_check);
  if (check == NULL)
    {
      self->screen_check = g_strdup (error->message);
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("Cannot Send a Test Ticket"),
                                       error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  self->screen_check = dup_screen_check_text (check);
  /* Translators: the heading of the screen test's answer; %d is the
   * test ticket's number */
  heading = g_strdup_printf (_ ("Test Ticket #%d"), tr_screen_check_get_number (check));
  dialog = adw_message_dialog_new (
    GTK_WINDOW (self), heading,
    tr_screen_check_count (check, TR_SCREEN_NO_ANSWER) > 0
      ? _ ("A screen that is connected but did not show it is not keeping up: restart it, or run "
           "the connection test on it. The test ticket has been removed.")
      : _ ("The test ticket has been removed from every screen."));
  label = gtk_label_new (self->screen_check);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Done"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
  tr_host_monitor_refresh (self);
}

/* The host sends one ticket and watches the screens report it; the
 * window stays usable meanwhile (it takes up to 15 s). */
static void
action_test_screens (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrHostMonitor *self = TR_HOST_MONITOR (widget);
  TrHost *host = tr_station_get_host (self->station);

  if (host == NULL || self->testing_screens)
    return;
  self->testing_screens = TRUE;
  g_clear_pointer (&self->screen_check, g_free);
  gtk_widget_action_set_enabled (widget, "monitor.test-screens", FALSE);
  tr_host_test_screens_async (host, SCREEN_TEST_TIMEOUT_MS, NULL, test_screens_done_cb,
                              g_object_ref (self));
}

const char *
tr_host_monitor_get_screen_check (TrHostMonitor *self)
{
  g_return_val_if_fail (TR_IS_HOST_MONITOR (self), NULL);
  return self->screen_check;
}

/* ---- Pairing ---- */

static void
action_pair (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrHostMonitor *self = TR_HOST_MONITOR (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *spaced = NULL;
  GtkWidget *dialog;
  GtkWidget *label;
  TrHost *host = tr_station_get_host (self->station);

  code = host ? tr_host_new_pairing_code (host, NULL, &error) : NULL;
  if (code == NULL)
    {
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("Cannot Make a Pairing Code"),
                                       error ? error->message : NULL);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  /* "123456" reads better across a kitchen as "123 456". */
  spaced = strlen (code) == 6 ? g_strdup_printf ("%.3s %s", code, code + 3) : g_strdup (code);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("Pair a Station"),
                                   _ ("On the new station, open Preferences, enter this host's "
                                      "address and then this code. It works once, for 10 "
                                      "minutes."));
  label = gtk_label_new (spaced);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "pairing-code");
  gtk_widget_add_css_class (label, "numeric");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Done"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_revoke_response (AdwMessageDialog *dialog, const char *response, TrHostMonitor *self)
{
  g_autoptr (GError) error = NULL;
  TrHost *host = tr_station_get_host (self->station);

  if (g_strcmp0 (response, "revoke") != 0 || host == NULL)
    return;
  if (!tr_host_revoke_station (host, g_object_get_data (G_OBJECT (dialog), "station-id"), &error))
    g_message ("Cannot revoke: %s", error->message);
  tr_host_monitor_refresh (self);
}

static void
action_revoke (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrHostMonitor *self = TR_HOST_MONITOR (widget);
  const char *station_id = g_variant_get_string (param, NULL);
  const char *name = station_id;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  for (guint i = 0; self->stations != NULL && i < self->stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (self->stations, i);

      if (g_strcmp0 (info->station_id, station_id) == 0)
        name = display_name (info);
    }
  /* Translators: e.g. "Revoke “Grill 1”?" */
  heading = g_strdup_printf (_ ("Revoke “%s”?"), name);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _ ("It is disconnected at once and cannot connect again "
                                      "until it is paired with a new code."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _ ("_Keep"), "revoke",
                                    _ ("_Revoke"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revoke",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data_full (G_OBJECT (dialog), "station-id", g_strdup (station_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_revoke_response), self, 0);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- GObject ---- */

static void
on_stations_changed (TrHostMonitor *self)
{
  self->history_dirty = TRUE;
  tr_host_monitor_refresh (self);
}

static void
tr_host_monitor_constructed (GObject *object)
{
  TrHostMonitor *self = (TrHostMonitor *)object;
  TrHost *host;
  GtkWidget *content;

  G_OBJECT_CLASS (tr_host_monitor_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));
  if (self->clock == NULL)
    self->clock = tr_clock_new ();

  host = tr_station_get_host (self->station);
  if (host != NULL)
    {
      g_signal_connect_object (host, "stations-changed", G_CALLBACK (on_stations_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (host, "notify::exporter", G_CALLBACK (follow_exporter), self,
                               G_CONNECT_SWAPPED);
      /* Under the export's row, in the same boxed list. */
      self->standby_row = TR_STANDBY_ROW (tr_standby_row_new (host));
      gtk_list_box_append (GTK_LIST_BOX (gtk_widget_get_parent (GTK_WIDGET (self->export_row))),
                           GTK_WIDGET (self->standby_row));
    }
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (tr_host_monitor_refresh), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pair_button), host != NULL);
  /* TRAINING under the header bar, as on the main window. */
  content = adw_window_get_content (ADW_WINDOW (self));
  gtk_box_insert_child_after (GTK_BOX (content), tr_training_banner_new (self->station),
                              gtk_widget_get_first_child (content));
  tr_printer_monitor_set_host (self->printer_monitor, host);
  follow_exporter (self);
  tr_host_monitor_refresh (self);
}

static void
tr_host_monitor_dispose (GObject *object)
{
  TrHostMonitor *self = (TrHostMonitor *)object;

  if (self->exporter != NULL)
    g_signal_handlers_disconnect_by_data (self->exporter, self);
  g_clear_object (&self->exporter);
  g_clear_pointer (&self->export_status, g_free);
  g_clear_pointer (&self->screen_check, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_HOST_MONITOR);
  g_clear_object (&self->station);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->stations, g_ptr_array_unref);
  g_clear_pointer (&self->histories, g_hash_table_unref);
  g_clear_pointer (&self->history_roster, g_free);

  G_OBJECT_CLASS (tr_host_monitor_parent_class)->dispose (object);
}

static void
tr_host_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrHostMonitor *self = TR_HOST_MONITOR (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_host_monitor_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  TrHostMonitor *self = TR_HOST_MONITOR (object);

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
tr_host_monitor_class_init (TrHostMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_host_monitor_constructed;
  object_class->dispose = tr_host_monitor_dispose;
  object_class->get_property = tr_host_monitor_get_property;
  object_class->set_property = tr_host_monitor_set_property;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TR_TYPE_PRINTER_MONITOR);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-host-monitor.ui");
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, window_title);
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, pair_button);
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, stack);
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, join_label);
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, list);
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, export_row);
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, export_icon);
  gtk_widget_class_bind_template_child (widget_class, TrHostMonitor, printer_monitor);

  gtk_widget_class_install_action (widget_class, "monitor.pair", NULL, action_pair);
  gtk_widget_class_install_action (widget_class, "monitor.revoke", "s", action_revoke);
  gtk_widget_class_install_action (widget_class, "monitor.test-screens", NULL, action_test_screens);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "monitor.pair",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tr_host_monitor_init (TrHostMonitor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

TrHostMonitor *
tr_host_monitor_new (GtkWindow *parent, TrStation *station, TrClock *clock)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TR_IS_STATION (station), NULL);

  return g_object_new (TR_TYPE_HOST_MONITOR, "transient-for", parent, "station", station, "clock",
                       clock, NULL);
}

GtkWidget *
tr_host_monitor_get_standby_row (TrHostMonitor *self)
{
  g_return_val_if_fail (TR_IS_HOST_MONITOR (self), NULL);
  return GTK_WIDGET (self->standby_row);
}
