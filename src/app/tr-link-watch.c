/* tr-link-watch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-link-watch"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-link-alerts.h"
#include "tr-link-watch.h"
#include "tr-printer-alerts.h"

/* The notification of a lost host; one at a time, so it has one id. */
#define HOST_LOST_ID "host-lost"
/* No frame tells a station when another one drops, so a watching station
 * reads the host's roster: every 5 s costs the host one small answer per
 * watching station, and stays well inside the 30 s threshold; an outage
 * due sooner is read again when it is due (schedule_roster_read()). */
#define ROSTER_READ_MS 5000
/* Never read again sooner than this: host and station clocks tick
 * alike but not in step to the ms. */
#define ROSTER_READ_MIN_MS 100

struct _TrLinkWatch
{
  GObject parent_instance;

  TrStation *station;
  GApplication *application; /* weak */
  TrSoundPlayer *sound_player;
  /* Which notification services are on the bus: without one, GLib
   * warns on each notification (a kiosk has none). */
  guint notify_watches[3];
  guint notifiers;

  /* Host mode, and front of house: the other stations' outages. */
  TrLinkAlerts *alerts;
  guint check_id;
  char *last_alert;

  /* Host mode: its kitchen printers, down as a screen can be. */
  TrPrinterAlerts *printer_alerts;
  guint printer_check_id;

  /* Client mode, role foh or expo: the host's roster, read while this
   * station's own link is up (when it is down, nothing can be known of
   * the others: the outages known stay as they were). */
  char *role;
  gboolean watching_stations;
  GCancellable *roster_request; /* while a read is on its way */
  guint roster_read_id;
  gint64 roster_now;     /* the host's clock at the last read (ms) */
  gint64 roster_read_at; /* monotonic ms of that read */
  guint roster_reads;

  /* Client mode. */
  guint host_lost_threshold;
  gint64 link_down_since; /* ms; 0 while online */
  gboolean host_lost;
  guint host_lost_id;
};

G_DEFINE_FINAL_TYPE (TrLinkWatch, tr_link_watch, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_APPLICATION,
  PROP_SOUND_PLAYER,
  PROP_OFFLINE_THRESHOLD,
  PROP_HOST_LOST_THRESHOLD,
  PROP_HOST_LOST,
  PROP_HOST_LOST_SINCE,
  PROP_ROLE,
  PROP_WATCHING_STATIONS,
  N_PROPS
};

enum
{
  ALERT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

char *
tr_link_watch_format_time (gint64 ms)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%H:%M") : g_strdup ("?");
}

static const char *const notifier_names[]
  = { "org.freedesktop.Notifications", "org.gtk.Notifications", "org.freedesktop.portal.Desktop" };

static void
set_notifier (TrLinkWatch *self, const char *name, gboolean present)
{
  for (guint i = 0; i < G_N_ELEMENTS (notifier_names); i++)
    if (g_strcmp0 (name, notifier_names[i]) == 0)
      {
        if (present)
          self->notifiers |= 1u << i;
        else
          self->notifiers &= ~(1u << i);
      }
}

static void
on_notifier_appeared (GDBusConnection *connection, const char *name, const char *owner,
                      gpointer user_data)
{
  set_notifier (TR_LINK_WATCH (user_data), name, TRUE);
}

static void
on_notifier_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  set_notifier (TR_LINK_WATCH (user_data), name, FALSE);
}

static void
watch_notifiers (TrLinkWatch *self)
{
  GDBusConnection *bus
    = self->application ? g_application_get_dbus_connection (self->application) : NULL;

  if (bus == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (notifier_names); i++)
    self->notify_watches[i]
      = g_bus_watch_name_on_connection (bus, notifier_names[i], G_BUS_NAME_WATCHER_FLAGS_NONE,
                                        on_notifier_appeared, on_notifier_vanished, self, NULL);
}

static void
send_notification (TrLinkWatch *self, const char *id, const char *title, const char *body,
                   GNotificationPriority priority)
{
  g_autoptr (GNotification) notification = NULL;

  if (self->application == NULL || self->notifiers == 0
      || !g_application_get_is_registered (self->application))
    return;
  notification = g_notification_new (title);
  if (body != NULL)
    g_notification_set_body (notification, body);
  g_notification_set_priority (notification, priority);
  g_application_send_notification (self->application, id, notification);
}

static void
play_alert (TrLinkWatch *self)
{
  if (self->sound_player != NULL)
    tr_sound_player_play (self->sound_player, TR_SOUND_LINK_ALERT);
}

/* ---- Host mode: the roster ---- */

static void
schedule_check (TrLinkWatch *self);

/* An outage (sound, high priority) or its end: @notification_id's
 * notification, replaced by the next of the same id, and "alert" with
 * @key for the window's toasts. */
static void
raise_alert (TrLinkWatch *self, const char *notification_id, const char *key, const char *text,
             const char *body, gboolean back)
{
  g_debug ("%s", text);
  g_free (self->last_alert);
  self->last_alert = g_strdup (text);
  /* The return replaces the outage's notification: one per station. */
  send_notification (self, notification_id, text, body,
                     back ? G_NOTIFICATION_PRIORITY_NORMAL : G_NOTIFICATION_PRIORITY_HIGH);
  if (!back)
    play_alert (self);
  g_signal_emit (self, signals[ALERT], 0, key, text, back);
}

static void
announce (TrLinkWatch *self, const TrLinkAlert *alert)
{
  const char *name = alert->name != NULL && *alert->name != '\0' ? alert->name : alert->station_id;
  g_autofree char *id = g_strconcat ("station-link-", alert->station_id, NULL);
  g_autofree char *at = tr_link_watch_format_time (alert->since);
  g_autofree char *text = NULL;
  gboolean back = alert->kind == TR_LINK_ALERT_BACK;

  if (back)
    /* Translators: a screen that was announced offline is connected
     * again, e.g. "Grill is back" */
    text = g_strdup_printf (_ ("%s is back"), name);
  else
    /* Translators: a screen lost its link, e.g. "Grill has been offline
     * since 12:03" */
    text = g_strdup_printf (_ ("%s has been offline since %s"), name, at);

  raise_alert (self, id, alert->station_id, text,
               back ? NULL : _ ("Tickets sent to it will wait until it is back"), back);
}

static void
check_stations (TrLinkWatch *self)
{
  TrHost *host = tr_station_get_host (self->station);
  g_autoptr (GPtrArray) stations = NULL;
  g_autoptr (GPtrArray) alerts = NULL;

  if (host == NULL || !tr_host_is_running (host))
    return;
  stations = tr_host_list_stations (host);
  alerts = tr_link_alerts_check_stations (self->alerts, stations, NULL, tr_now_ms ());
  for (guint i = 0; i < alerts->len; i++)
    announce (self, alerts->pdata[i]);
  schedule_check (self);
}

static gboolean
check_due_cb (gpointer user_data)
{
  TrLinkWatch *self = user_data;

  self->check_id = 0;
  check_stations (self);
  return G_SOURCE_REMOVE;
}

/* Nothing in the roster changes when a threshold passes: a timer wakes
 * the check then. */
static void
schedule_check (TrLinkWatch *self)
{
  gint64 due = tr_link_alerts_next_due (self->alerts);

  g_clear_handle_id (&self->check_id, g_source_remove);
  if (due < 0)
    return;
  self->check_id
    = g_timeout_add ((guint)CLAMP (due - tr_now_ms () + 1, 1, G_MAXINT), check_due_cb, self);
}

/* ---- Host mode: the kitchen printers ---- */

static void
schedule_printer_check (TrLinkWatch *self);

static void
announce_printer (TrLinkWatch *self, const TrPrinterAlert *alert)
{
  g_autofree char *id = g_strconcat ("printer-", alert->name, NULL);
  /* Not a station id (those have no colon): the window keys its
   * toasts by it. */
  g_autofree char *key = g_strconcat ("printer:", alert->name, NULL);
  g_autofree char *at = tr_link_watch_format_time (alert->since);
  g_autofree char *text = NULL;
  g_autofree char *body = NULL;

  if (alert->back)
    /* Translators: a printer announced down works again, e.g. "Printer
     * Grill is back" */
    text = g_strdup_printf (_ ("Printer %s is back"), alert->name);
  else if (alert->state == TR_PRINTER_STATE_PAPER_OUT)
    /* Translators: e.g. "Printer Grill has been out of paper since 12:03" */
    text = g_strdup_printf (_ ("Printer %s has been out of paper since %s"), alert->name, at);
  else if (alert->state == TR_PRINTER_STATE_COVER_OPEN)
    text = g_strdup_printf (_ ("Printer %s has had its cover open since %s"), alert->name, at);
  else
    text = g_strdup_printf (_ ("Printer %s has been offline since %s"), alert->name, at);
  if (!alert->back)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u slip is waiting: it prints when the printer is back",
                                         "%u slips are waiting: they print when the printer is "
                                         "back",
                                         alert->pending_slips),
                            alert->pending_slips);
  raise_alert (self, id, key, text, body, alert->back);
}

static void
check_printers (TrLinkWatch *self)
{
  TrHost *host = tr_station_get_host (self->station);
  g_autoptr (GPtrArray) printers = NULL;
  g_autoptr (GPtrArray) alerts = NULL;

  if (host == NULL || !tr_host_is_running (host))
    return;
  printers = tr_host_list_printers (host);
  alerts = tr_printer_alerts_check (self->printer_alerts, printers, tr_now_ms ());
  for (guint i = 0; i < alerts->len; i++)
    announce_printer (self, alerts->pdata[i]);
  schedule_printer_check (self);
}

static gboolean
printer_check_due_cb (gpointer user_data)
{
  TrLinkWatch *self = user_data;

  self->printer_check_id = 0;
  check_printers (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_printer_check (TrLinkWatch *self)
{
  gint64 due = tr_printer_alerts_next_due (self->printer_alerts);

  g_clear_handle_id (&self->printer_check_id, g_source_remove);
  if (due < 0)
    return;
  self->printer_check_id = g_timeout_add ((guint)CLAMP (due - tr_now_ms () + 1, 1, G_MAXINT),
                                          printer_check_due_cb, self);
}

/* ---- Client mode: this station's own link ---- */

static gboolean
is_online (TrLinkWatch *self)
{
  TrClientState state = tr_station_get_link_state (self->station);

  return state == TR_CLIENT_STATE_ONLINE_WEBSOCKET || state == TR_CLIENT_STATE_ONLINE_POLLING;
}

/* An unpaired station is not lost: its pairing dialog says what to do,
 * and a new tablet being set up should not sound the alarm. */
static gboolean
is_unpaired (TrLinkWatch *self)
{
  TrClient *client = tr_station_get_client (self->station);
  gboolean unauthorized = FALSE;

  if (client != NULL)
    g_object_get (client, "unauthorized", &unauthorized, NULL);
  return unauthorized;
}

static void
set_host_lost (TrLinkWatch *self, gboolean lost)
{
  if (self->host_lost == lost)
    return;
  self->host_lost = lost;
  if (lost)
    {
      g_autofree char *at = tr_link_watch_format_time (self->link_down_since);
      /* Translators: the notification when this screen cannot reach the
       * host, e.g. "No link to the host since 12:03" */
      g_autofree char *title = g_strdup_printf (_ ("No link to the host since %s"), at);

      send_notification (self, HOST_LOST_ID, title,
                         _ ("New tickets will not arrive on this screen until the link is back"),
                         G_NOTIFICATION_PRIORITY_URGENT);
      play_alert (self);
    }
  else if (self->application != NULL && self->notifiers != 0)
    g_application_withdraw_notification (self->application, HOST_LOST_ID);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_LOST]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_LOST_SINCE]);
}

static gboolean
host_lost_due_cb (gpointer user_data)
{
  TrLinkWatch *self = user_data;

  self->host_lost_id = 0;
  set_host_lost (self, !is_online (self) && !is_unpaired (self));
  return G_SOURCE_REMOVE;
}

static void
update_watching_stations (TrLinkWatch *self);

static void
on_link_state (TrLinkWatch *self)
{
  update_watching_stations (self);
  if (is_online (self) || is_unpaired (self))
    {
      g_clear_handle_id (&self->host_lost_id, g_source_remove);
      self->link_down_since = 0;
      set_host_lost (self, FALSE);
    }
  else if (self->link_down_since == 0)
    {
      /* Connecting counts as down: a reconnect that keeps failing is a
       * lost host as much as an offline one. */
      self->link_down_since = tr_now_ms ();
      g_clear_handle_id (&self->host_lost_id, g_source_remove);
      self->host_lost_id = g_timeout_add (self->host_lost_threshold, host_lost_due_cb, self);
    }
}

/* ---- Client mode, front of house and expo: the other stations ---- */

static gint64
monotonic_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static gboolean
role_watches_stations (const char *role)
{
  return g_strcmp0 (role, "foh") == 0 || g_strcmp0 (role, "expo") == 0;
}

static void
read_roster (TrLinkWatch *self);

static gboolean
roster_read_due_cb (gpointer user_data)
{
  TrLinkWatch *self = user_data;

  self->roster_read_id = 0;
  read_roster (self);
  return G_SOURCE_REMOVE;
}

/* The next read: in ROSTER_READ_MS, or when an outage under way
 * crosses the threshold, if sooner. The rules run on the host's clock
 * (the roster's "now" and its stations' times are the host's), so the
 * moment due is counted from the last read's "now", less the time gone
 * since on this station's own clock; the two may be set apart, never
 * mixed. */
static void
schedule_roster_read (TrLinkWatch *self)
{
  gint64 delay = ROSTER_READ_MS;
  gint64 due = tr_link_alerts_next_due (self->alerts);

  g_clear_handle_id (&self->roster_read_id, g_source_remove);
  if (!self->watching_stations || self->roster_request != NULL)
    return;
  if (due >= 0 && self->roster_reads > 0)
    delay = CLAMP (due - self->roster_now - (monotonic_ms () - self->roster_read_at) + 1,
                   ROSTER_READ_MIN_MS, ROSTER_READ_MS);
  self->roster_read_id = g_timeout_add ((guint)delay, roster_read_due_cb, self);
}

static void
check_roster (TrLinkWatch *self, TrRoster *roster)
{
  TrStore *store = tr_station_get_store (self->station);
  /* Not itself, and not its host (whose id is its own station's): the
   * host's roster lists this station, and a host that is gone is the
   * banner's news. */
  const char *skip[] = { tr_station_get_station_id (self->station),
                         store ? tr_store_get_host_id (store) : NULL, NULL };
  g_autoptr (GPtrArray) alerts = NULL;

  self->roster_now = roster->now;
  self->roster_read_at = monotonic_ms ();
  self->roster_reads++;
  alerts = tr_link_alerts_check_stations (self->alerts, roster->stations, skip, roster->now);
  for (guint i = 0; i < alerts->len; i++)
    announce (self, alerts->pdata[i]);
}

static void
on_roster (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrRoster) roster = tr_client_get_roster_finish (TR_CLIENT (source), result, &error);
  TrLinkWatch *self;

  /* The watch stopped reading (role, link, or gone): @user_data may be
   * freed. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = TR_LINK_WATCH (user_data);
  g_clear_object (&self->roster_request);
  /* An answer that does not read changes nothing; the next may. */
  if (roster == NULL)
    g_debug ("Cannot read the host's roster: %s", error->message);
  else
    check_roster (self, roster);
  schedule_roster_read (self);
}

static void
read_roster (TrLinkWatch *self)
{
  g_clear_handle_id (&self->roster_read_id, g_source_remove);
  if (self->roster_request != NULL)
    return;
  self->roster_request = g_cancellable_new ();
  tr_client_get_roster_async (tr_station_get_client (self->station), self->roster_request,
                              on_roster, self);
}

static void
stop_reading_roster (TrLinkWatch *self)
{
  g_clear_handle_id (&self->roster_read_id, g_source_remove);
  if (self->roster_request != NULL)
    {
      g_cancellable_cancel (self->roster_request);
      g_clear_object (&self->roster_request);
    }
}

/* Reads the roster while this station is front of house or expo and its
 * link is up. */
static void
update_watching_stations (TrLinkWatch *self)
{
  gboolean watch;

  if (self->station == NULL || tr_station_get_mode (self->station) != TR_STATION_MODE_CLIENT)
    return;
  watch = role_watches_stations (self->role) && is_online (self);
  if (!role_watches_stations (self->role))
    {
      /* A kitchen screen gets no such alerts; if it is made front of
       * house again, it starts afresh, as a new watch would. */
      gint64 threshold = tr_link_alerts_get_threshold (self->alerts);

      tr_link_alerts_free (self->alerts);
      self->alerts = tr_link_alerts_new (threshold);
    }
  if (watch == self->watching_stations)
    return;
  self->watching_stations = watch;
  if (watch)
    read_roster (self);
  else
    stop_reading_roster (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING_STATIONS]);
}

/* ---- GObject ---- */

static void
tr_link_watch_constructed (GObject *object)
{
  TrLinkWatch *self = TR_LINK_WATCH (object);

  G_OBJECT_CLASS (tr_link_watch_parent_class)->constructed (object);

  g_return_if_fail (TR_IS_STATION (self->station));
  watch_notifiers (self);
  if (tr_station_get_mode (self->station) == TR_STATION_MODE_HOST)
    {
      g_signal_connect_object (tr_station_get_host (self->station), "stations-changed",
                               G_CALLBACK (check_stations), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (tr_station_get_host (self->station), "printers-changed",
                               G_CALLBACK (check_printers), self, G_CONNECT_SWAPPED);
      check_stations (self);
      check_printers (self);
    }
  else
    {
      g_signal_connect_object (self->station, "notify::link-state", G_CALLBACK (on_link_state),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (tr_station_get_client (self->station), "notify::unauthorized",
                               G_CALLBACK (on_link_state), self, G_CONNECT_SWAPPED);
      on_link_state (self);
    }
}

static void
tr_link_watch_dispose (GObject *object)
{
  TrLinkWatch *self = TR_LINK_WATCH (object);

  g_clear_handle_id (&self->check_id, g_source_remove);
  g_clear_handle_id (&self->printer_check_id, g_source_remove);
  g_clear_handle_id (&self->host_lost_id, g_source_remove);
  stop_reading_roster (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->notify_watches); i++)
    g_clear_handle_id (&self->notify_watches[i], g_bus_unwatch_name);
  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *)&self->application);
  self->application = NULL;
  g_clear_object (&self->station);
  g_clear_object (&self->sound_player);

  G_OBJECT_CLASS (tr_link_watch_parent_class)->dispose (object);
}

static void
tr_link_watch_finalize (GObject *object)
{
  TrLinkWatch *self = TR_LINK_WATCH (object);

  g_clear_pointer (&self->alerts, tr_link_alerts_free);
  g_clear_pointer (&self->printer_alerts, tr_printer_alerts_free);
  g_free (self->last_alert);
  g_free (self->role);

  G_OBJECT_CLASS (tr_link_watch_parent_class)->finalize (object);
}

static void
tr_link_watch_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrLinkWatch *self = TR_LINK_WATCH (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_APPLICATION:
        g_value_set_object (value, self->application);
        break;
      case PROP_SOUND_PLAYER:
        g_value_set_object (value, self->sound_player);
        break;
      case PROP_OFFLINE_THRESHOLD:
        g_value_set_uint (value, tr_link_watch_get_offline_threshold (self));
        break;
      case PROP_HOST_LOST_THRESHOLD:
        g_value_set_uint (value, self->host_lost_threshold);
        break;
      case PROP_HOST_LOST:
        g_value_set_boolean (value, self->host_lost);
        break;
      case PROP_HOST_LOST_SINCE:
        g_value_set_int64 (value, tr_link_watch_get_host_lost_since (self));
        break;
      case PROP_ROLE:
        g_value_set_string (value, self->role);
        break;
      case PROP_WATCHING_STATIONS:
        g_value_set_boolean (value, self->watching_stations);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_link_watch_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrLinkWatch *self = TR_LINK_WATCH (object);

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_APPLICATION:
        self->application = g_value_get_object (value);
        if (self->application != NULL)
          g_object_add_weak_pointer (G_OBJECT (self->application), (gpointer *)&self->application);
        break;
      case PROP_SOUND_PLAYER:
        self->sound_player = g_value_dup_object (value);
        break;
      case PROP_OFFLINE_THRESHOLD:
        tr_link_watch_set_offline_threshold (self, g_value_get_uint (value));
        break;
      case PROP_HOST_LOST_THRESHOLD:
        tr_link_watch_set_host_lost_threshold (self, g_value_get_uint (value));
        break;
      case PROP_ROLE:
        tr_link_watch_set_role (self, g_value_get_string (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_link_watch_class_init (TrLinkWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_link_watch_constructed;
  object_class->dispose = tr_link_watch_dispose;
  object_class->finalize = tr_link_watch_finalize;
  object_class->get_property = tr_link_watch_get_property;
  object_class->set_property = tr_link_watch_set_property;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_APPLICATION]
    = g_param_spec_object ("application", NULL, NULL, G_TYPE_APPLICATION, construct);
  properties[PROP_SOUND_PLAYER]
    = g_param_spec_object ("sound-player", NULL, NULL, TR_TYPE_SOUND_PLAYER, construct);
  properties[PROP_OFFLINE_THRESHOLD] = g_param_spec_uint (
    "offline-threshold", NULL, NULL, 0, G_MAXINT, (guint)TR_LINK_ALERT_DEFAULT_THRESHOLD_MS, rw);
  properties[PROP_HOST_LOST_THRESHOLD] = g_param_spec_uint (
    "host-lost-threshold", NULL, NULL, 1, G_MAXINT, (guint)TR_LINK_ALERT_HOST_LOST_MS, rw);
  properties[PROP_HOST_LOST] = g_param_spec_boolean ("host-lost", NULL, NULL, FALSE, ro);
  properties[PROP_HOST_LOST_SINCE]
    = g_param_spec_int64 ("host-lost-since", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, "kitchen", rw);
  properties[PROP_WATCHING_STATIONS]
    = g_param_spec_boolean ("watching-stations", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ALERT]
    = g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
tr_link_watch_init (TrLinkWatch *self)
{
  self->alerts = tr_link_alerts_new (TR_LINK_ALERT_DEFAULT_THRESHOLD_MS);
  self->printer_alerts = tr_printer_alerts_new (TR_PRINTER_ALERT_DEFAULT_THRESHOLD_MS);
  self->host_lost_threshold = (guint)TR_LINK_ALERT_HOST_LOST_MS;
  self->role = g_strdup ("kitchen");
}

TrLinkWatch *
tr_link_watch_new (TrStation *station, GApplication *application, TrSoundPlayer *sound_player)
{
  g_return_val_if_fail (TR_IS_STATION (station), NULL);

  return g_object_new (TR_TYPE_LINK_WATCH, "station", station, "application", application,
                       "sound-player", sound_player, NULL);
}

guint
tr_link_watch_get_offline_threshold (TrLinkWatch *self)
{
  g_return_val_if_fail (TR_IS_LINK_WATCH (self), 0);
  return (guint)tr_link_alerts_get_threshold (self->alerts);
}

void
tr_link_watch_set_offline_threshold (TrLinkWatch *self, guint ms)
{
  g_return_if_fail (TR_IS_LINK_WATCH (self));

  if (tr_link_alerts_get_threshold (self->alerts) == (gint64)ms)
    return;
  tr_link_alerts_set_threshold (self->alerts, ms);
  /* An outage under way may be due now. */
  if (self->station != NULL && tr_station_get_mode (self->station) == TR_STATION_MODE_HOST)
    schedule_check (self);
  else if (self->station != NULL)
    schedule_roster_read (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_THRESHOLD]);
}

guint
tr_link_watch_get_host_lost_threshold (TrLinkWatch *self)
{
  g_return_val_if_fail (TR_IS_LINK_WATCH (self), 0);
  return self->host_lost_threshold;
}

void
tr_link_watch_set_host_lost_threshold (TrLinkWatch *self, guint ms)
{
  g_return_if_fail (TR_IS_LINK_WATCH (self));

  ms = MAX (ms, 1);
  if (self->host_lost_threshold == ms)
    return;
  self->host_lost_threshold = ms;
  /* Measured from when the link went, as if it had always been so. */
  if (self->host_lost_id != 0)
    {
      gint64 left = self->link_down_since + ms - tr_now_ms ();

      g_source_remove (self->host_lost_id);
      self->host_lost_id = g_timeout_add ((guint)CLAMP (left, 1, G_MAXINT), host_lost_due_cb, self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_LOST_THRESHOLD]);
}

gboolean
tr_link_watch_get_host_lost (TrLinkWatch *self)
{
  g_return_val_if_fail (TR_IS_LINK_WATCH (self), FALSE);
  return self->host_lost;
}

gint64
tr_link_watch_get_host_lost_since (TrLinkWatch *self)
{
  g_return_val_if_fail (TR_IS_LINK_WATCH (self), 0);
  return self->host_lost ? self->link_down_since : 0;
}

const char *
tr_link_watch_get_role (TrLinkWatch *self)
{
  g_return_val_if_fail (TR_IS_LINK_WATCH (self), NULL);
  return self->role;
}

void
tr_link_watch_set_role (TrLinkWatch *self, const char *role)
{
  g_return_if_fail (TR_IS_LINK_WATCH (self));

  if (role == NULL)
    role = "kitchen";
  if (g_strcmp0 (self->role, role) == 0)
    return;
  g_free (self->role);
  self->role = g_strdup (role);
  update_watching_stations (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
}

gboolean
tr_link_watch_get_watching_stations (TrLinkWatch *self)
{
  g_return_val_if_fail (TR_IS_LINK_WATCH (self), FALSE);
  return self->watching_stations;
}

guint
tr_link_watch_get_roster_reads (TrLinkWatch *self)
{
  g_return_val_if_fail (TR_IS_LINK_WATCH (self), 0);
  return self->roster_reads;
}

const char *
tr_link_watch_get_last_alert (TrLinkWatch *self)
{
  g_return_val_if_fail (TR_IS_LINK_WATCH (self), NULL);
  return self->last_alert;
}
