/* tr-client.c: the station's link to its host as a GObject: the
 * state it shows, backoff and reconnection, applying what the host sends,
 * the network monitor and the public API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client.h"
#include "tr-client-private.h"
#include "tr-store-lineage.h"

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"
#include "tr-timeouts.h"

G_DEFINE_FINAL_TYPE (TrClient, tr_client, G_TYPE_OBJECT)

GParamSpec *_tr_client_properties[N_PROPS];
guint _tr_client_signals[N_SIGNALS];

const char *
tr_client_state_to_string (TrClientState state)
{
  switch (state)
    {
      case TR_CLIENT_STATE_OFFLINE:
        return "offline";
      case TR_CLIENT_STATE_CONNECTING:
        return "connecting";
      case TR_CLIENT_STATE_ONLINE_WEBSOCKET:
        return "online-websocket";
      case TR_CLIENT_STATE_ONLINE_POLLING:
        return "online-polling";
      default:
        return "unknown";
    }
}

static GType
tr_client_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { TR_CLIENT_STATE_OFFLINE, "TR_CLIENT_STATE_OFFLINE", "offline" },
        { TR_CLIENT_STATE_CONNECTING, "TR_CLIENT_STATE_CONNECTING", "connecting" },
        { TR_CLIENT_STATE_ONLINE_WEBSOCKET, "TR_CLIENT_STATE_ONLINE_WEBSOCKET",
          "online-websocket" },
        { TR_CLIENT_STATE_ONLINE_POLLING, "TR_CLIENT_STATE_ONLINE_POLLING", "online-polling" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("TrClientState"), values);
      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

gint64
_tr_client_monotonic_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* Timers go to the same context as libsoup's I/O: the thread-default
 * one of tr_client_start(), which g_timeout_add() would not honour. */
GSource *
_tr_client_add_timeout (TrClient *self, guint interval_ms, GSourceFunc func)
{
  GSource *source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

void
_tr_client_clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* ---- Observable state ---- */

/* The state follows from what is live, so it can never claim more than
 * the transports show: online only while a synced transport exists,
 * and a transport dies at the watchdog deadline without frames. */
void
_tr_client_update_state (TrClient *self)
{
  TrClientState state;

  if (!self->running)
    state = TR_CLIENT_STATE_OFFLINE;
  else if (self->ws_synced)
    state = TR_CLIENT_STATE_ONLINE_WEBSOCKET;
  else if (self->poll_synced)
    state = TR_CLIENT_STATE_ONLINE_POLLING;
  else if (self->ws_cancellable != NULL || self->ws != NULL || self->poll_phase != POLL_NONE)
    state = TR_CLIENT_STATE_CONNECTING;
  else
    state = TR_CLIENT_STATE_OFFLINE;

  if (state == self->state)
    return;
  g_debug ("%s: %s → %s", self->station_name, tr_client_state_to_string (self->state),
           tr_client_state_to_string (state));
  self->state = state;
  /* Online needs no reason; any other state is explained by what went
   * wrong last, if anything did. */
  tr_link_log_add (self->link_log, tr_now_ms (), tr_client_state_to_string (state),
                   state == TR_CLIENT_STATE_ONLINE_WEBSOCKET
                       || state == TR_CLIENT_STATE_ONLINE_POLLING
                     ? NULL
                     : self->last_error);
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_STATE]);
}

void
_tr_client_update_queued_ops (TrClient *self)
{
  guint count = tr_store_outbox_count (self->store);

  if (count == self->queued_ops)
    return;
  self->queued_ops = count;
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_QUEUED_OPS]);
}

void
_tr_client_set_last_error (TrClient *self, const char *message)
{
  if (g_strcmp0 (message, self->last_error) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if (message != NULL)
    g_debug ("%s: %s", self->station_name, message);
  if (message != NULL && self->state != TR_CLIENT_STATE_ONLINE_WEBSOCKET
      && self->state != TR_CLIENT_STATE_ONLINE_POLLING)
    tr_link_log_explain (self->link_log, message);
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_LAST_ERROR]);
}

void
_tr_client_set_last_errorf (TrClient *self, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _tr_client_set_last_error (self, message);
}

static void
touch_last_sync (TrClient *self)
{
  self->last_sync = tr_now_ms ();
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_LAST_SYNC]);
}

void
_tr_client_set_latency (TrClient *self, gint64 latency_ms)
{
  if (latency_ms == self->latency_ms)
    return;
  self->latency_ms = latency_ms;
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_LATENCY_MS]);
}

char *
_tr_client_make_url (TrClient *self, const char *path)
{
  const char *base = self->host_url != NULL ? self->host_url : "";
  gsize len = strlen (base);

  /* Tolerate "http://host:port/" as typed by a person. */
  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int)len, base, path);
}

/* ---- Applying what the host sends ---- */

gboolean
_tr_client_apply_events (TrClient *self, GPtrArray *events, GError **error)
{
  gint64 before = tr_store_get_last_seq (self->store);
  gint64 after;

  if (!tr_store_apply_events (self->store, events, error))
    return FALSE;
  after = tr_store_get_last_seq (self->store);
  if (after > before)
    {
      self->events_received += (guint)(after - before);
      g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_EVENTS_RECEIVED]);
    }
  touch_last_sync (self);
  _tr_client_update_queued_ops (self);
  return TRUE;
}

gboolean
_tr_client_apply_snapshot (TrClient *self, const char *host_id, gint64 seq, GPtrArray *tickets,
                           GError **error)
{
  if (!tr_store_apply_snapshot (self->store, host_id, seq, tickets, error))
    return FALSE;
  self->want_snapshot = FALSE;
  self->snapshots_received++;
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_SNAPSHOTS_RECEIVED]);
  touch_last_sync (self);
  _tr_client_update_queued_ops (self);
  return TRUE;
}

/* ---- Backoff and reconnection ---- */

static guint
backoff_delay (TrClient *self)
{
  guint64 delay = MAX (self->backoff_min, 1);
  guint half;

  for (guint i = 0; i < self->failures && delay < self->backoff_max; i++)
    delay *= 2;
  delay = MIN (delay, MAX (self->backoff_max, self->backoff_min));
  /* Full jitter over the upper half spreads a reconnect storm. */
  half = (guint)(delay / 2);
  return half + (guint)g_random_int_range (0, (gint32)(delay - half) + 1);
}

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  TrClient *self = user_data;

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  _tr_client_ws_start_attempt (self);
  return G_SOURCE_REMOVE;
}

void
_tr_client_schedule_reconnect (TrClient *self)
{
  guint delay;

  if (!self->running || self->reconnect_source != NULL || self->unauthorized)
    return;
  delay = backoff_delay (self);
  self->failures++;
  g_debug ("%s: reconnecting in %u ms", self->station_name, delay);
  self->reconnect_source = _tr_client_add_timeout (self, delay, on_reconnect_timeout);
  _tr_client_update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_RETRY_AT]);
}

void
_tr_client_mark_synced (TrClient *self)
{
  gboolean was_online = self->state == TR_CLIENT_STATE_ONLINE_WEBSOCKET
                        || self->state == TR_CLIENT_STATE_ONLINE_POLLING;

  self->failures = 0;
  if (self->synced_once && !was_online)
    {
      self->reconnects++;
      g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_RECONNECTS]);
    }
  self->synced_once = TRUE;
  if (self->ws_synced)
    _tr_client_set_last_error (self, NULL);
  _tr_client_update_state (self);
}

/* ---- Network monitor ---- */

static void
on_network_changed (GNetworkMonitor *monitor, gboolean available, gpointer user_data)
{
  TrClient *self = user_data;

  if (!available || !self->running)
    return;
  /* Waiting out a backoff is pointless when the network just came back. */
  if (self->reconnect_source != NULL && self->ws == NULL && self->ws_cancellable == NULL)
    {
      g_debug ("%s: network changed, reconnecting now", self->station_name);
      self->failures = 0;
      _tr_client_ws_start_attempt (self);
    }
  else if (self->ws != NULL && self->ws_synced)
    _tr_client_on_heartbeat (self); /* a route change may have killed the path: probe it */
}

/* ---- Public API ---- */

static void
stop_everything (TrClient *self)
{
  _tr_client_clear_source (&self->reconnect_source);
  _tr_client_ws_teardown (self, TR_CLOSE_GOING_AWAY);
  _tr_client_poll_teardown (self);
  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->network_changed_id, self->monitor);
      g_clear_object (&self->monitor);
    }
}

/**
 * tr_client_new:
 * @store: the station's store
 * @host_url: (nullable): e.g. "http://127.0.0.1:8787"
 * @station_name: (nullable): shown on the host's station list
 * @role: (nullable): "kitchen", "expo", "foh", …
 *
 * Returns: (transfer full): a client, not yet started
 */
TrClient *
tr_client_new (TrStore *store, const char *host_url, const char *station_name, const char *role)
{
  g_return_val_if_fail (TR_IS_STORE (store), NULL);

  return g_object_new (TR_TYPE_CLIENT, "store", store, "host-url", host_url, "station-name",
                       station_name, "role", role, NULL);
}

/**
 * tr_client_start:
 *
 * Connects, and keeps connecting, until tr_client_stop(). Networking
 * runs on the thread-default main context of the caller.
 */
void
tr_client_start (TrClient *self)
{
  g_return_if_fail (TR_IS_CLIENT (self));

  if (self->running)
    return;
  self->running = TRUE;
  self->failures = 0;
  /* The station keeps its token in its store (tr_client_pair_async()). */
  if ((self->token == NULL || *self->token == '\0')
      && tr_store_get_station_token (self->store) != NULL)
    self->token = g_strdup (tr_store_get_station_token (self->store));
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_changed_id
    = g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);
  _tr_client_update_queued_ops (self);
  _tr_client_ws_start_attempt (self);
}

void
tr_client_stop (TrClient *self)
{
  g_return_if_fail (TR_IS_CLIENT (self));

  if (!self->running)
    return;
  self->running = FALSE;
  stop_everything (self);
  _tr_client_printers_stop (self);
  /* Anything in flight is abandoned; libsoup may still hold sockets. */
  soup_session_abort (self->session);
  _tr_client_update_state (self);
}

gboolean
tr_client_submit (TrClient *self, const TrOp *op, GError **error)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (op != NULL && op->op_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tr_store_enqueue_op (self->store, op, error))
    return FALSE;
  _tr_client_update_queued_ops (self);
  if (self->ws_synced)
    _tr_client_ws_flush_outbox (self);
  else if (self->poll_synced)
    _tr_client_poll_flush_outbox (self);
  return TRUE;
}

void
tr_client_refresh (TrClient *self)
{
  g_return_if_fail (TR_IS_CLIENT (self));

  if (!self->running)
    return;
  g_debug ("%s: refresh", self->station_name);
  /* A refusal held for a pairing is of the connection being replaced. */
  g_clear_pointer (&self->held_reason, g_free);
  g_clear_pointer (&self->held_message, g_free);
  if (self->unauthorized)
    {
      self->unauthorized = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_UNAUTHORIZED]);
    }
  _tr_client_clear_source (&self->reconnect_source);
  _tr_client_ws_teardown (self, TR_CLOSE_NORMAL);
  _tr_client_poll_teardown (self);
  self->failures = 0;
  _tr_client_ws_start_attempt (self);
}

TrClientState
tr_client_get_state (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), TR_CLIENT_STATE_OFFLINE);
  return self->state;
}

gint64
tr_client_get_newest_head_seq (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), 0);
  return MAX (self->newest_head_seq, tr_store_get_last_seq (self->store));
}

const char *
tr_client_get_standby_url (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), NULL);

  /* What an earlier run was told, until a pong says otherwise. */
  if (!self->standby_url_loaded && self->store != NULL)
    {
      self->standby_url_loaded = TRUE;
      if (!tr_store_get_standby_url (self->store, &self->standby_url, NULL))
        self->standby_url = NULL;
    }
  return self->standby_url;
}

gboolean
tr_client_get_standby_warning (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), FALSE);
  return self->standby_warning;
}

guint
tr_client_get_queued_ops (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), 0);
  return self->queued_ops;
}

GPtrArray *
tr_client_list_link_log (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), NULL);

  return tr_link_log_list (self->link_log);
}

const char *
tr_client_get_last_error (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), NULL);
  return self->last_error;
}

gint64
tr_client_get_host_clock_offset (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), 0);
  return self->host_clock_offset;
}

TrStore *
tr_client_get_store (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), NULL);
  return self->store;
}

/* ---- GObject ---- */

static void
tr_client_constructed (GObject *object)
{
  TrClient *self = TR_CLIENT (object);

  G_OBJECT_CLASS (tr_client_parent_class)->constructed (object);

  g_assert (self->store != NULL);
  if (self->station_id == NULL)
    self->station_id = g_strdup (tr_store_get_db_id (self->store));
  self->queued_ops = tr_store_outbox_count (self->store);
}

static void
tr_client_dispose (GObject *object)
{
  TrClient *self = TR_CLIENT (object);

  self->running = FALSE;
  stop_everything (self);
  _tr_client_printers_stop (self);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (tr_client_parent_class)->dispose (object);
}

static void
tr_client_finalize (GObject *object)
{
  TrClient *self = TR_CLIENT (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->ws_in_flight, g_hash_table_unref);
  g_clear_pointer (&self->post_in_flight, g_hash_table_unref);
  g_free (self->host_url);
  g_free (self->superseded_url);
  g_free (self->standby_url);
  g_free (self->station_id);
  g_free (self->station_name);
  g_free (self->role);
  g_free (self->token);
  g_free (self->held_reason);
  g_free (self->held_message);
  g_free (self->last_error);
  tr_link_log_free (self->link_log);

  G_OBJECT_CLASS (tr_client_parent_class)->finalize (object);
}

static void
tr_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrClient *self = TR_CLIENT (object);

  switch (prop_id)
    {
      case PROP_STORE:
        g_value_set_object (value, self->store);
        break;
      case PROP_HOST_URL:
        g_value_set_string (value, self->host_url);
        break;
      case PROP_STATION_ID:
        g_value_set_string (value, self->station_id);
        break;
      case PROP_STATION_NAME:
        g_value_set_string (value, self->station_name);
        break;
      case PROP_ROLE:
        g_value_set_string (value, self->role);
        break;
      case PROP_TOKEN:
        g_value_set_string (value, self->token);
        break;
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_QUEUED_OPS:
        g_value_set_uint (value, self->queued_ops);
        break;
      case PROP_LATENCY_MS:
        g_value_set_int64 (value, self->latency_ms);
        break;
      case PROP_LAST_ERROR:
        g_value_set_string (value, self->last_error);
        break;
      case PROP_LAST_SYNC:
        g_value_set_int64 (value, self->last_sync);
        break;
      case PROP_HOST_CLOCK_OFFSET:
        g_value_set_int64 (value, self->host_clock_offset);
        break;
      case PROP_HOST_TRAINING:
        g_value_set_boolean (value, self->host_training);
        break;
      case PROP_HOST_PRINTERS:
        g_value_set_int (value, self->host_printers);
        break;
      case PROP_RECONNECTS:
        g_value_set_uint (value, self->reconnects);
        break;
      case PROP_UNAUTHORIZED:
        g_value_set_boolean (value, self->unauthorized);
        break;
      case PROP_RETRY_AT:
        /* The pending attempt's due time, so a UI can count down to it. */
        g_value_set_int64 (value, self->reconnect_source != NULL
                                    ? g_source_get_ready_time (self->reconnect_source) / 1000
                                    : -1);
        break;
      case PROP_HEARTBEAT_INTERVAL:
        g_value_set_uint (value, self->heartbeat_interval);
        break;
      case PROP_DEAD_TIMEOUT:
        g_value_set_uint (value, self->dead_timeout);
        break;
      case PROP_BACKOFF_MIN:
        g_value_set_uint (value, self->backoff_min);
        break;
      case PROP_BACKOFF_MAX:
        g_value_set_uint (value, self->backoff_max);
        break;
      case PROP_WEBSOCKET_RETRY:
        g_value_set_uint (value, self->websocket_retry);
        break;
      case PROP_WEBSOCKET_FAILURES:
        g_value_set_uint (value, self->websocket_failures);
        break;
      case PROP_EFFECTIVE_HEARTBEAT_INTERVAL:
        g_value_set_uint (value, self->effective_heartbeat_interval);
        break;
      case PROP_SNAPSHOTS_RECEIVED:
        g_value_set_uint (value, self->snapshots_received);
        break;
      case PROP_EVENTS_RECEIVED:
        g_value_set_uint (value, self->events_received);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
set_string (char **field, const GValue *value)
{
  const char *str = g_value_get_string (value);

  if (g_strcmp0 (*field, str) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (str);
  return TRUE;
}

static void
set_uint (TrClient *self, guint *field, const GValue *value, guint prop_id)
{
  guint v = g_value_get_uint (value);

  if (*field == v)
    return;
  *field = v;
  g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[prop_id]);
}

static void
tr_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrClient *self = TR_CLIENT (object);

  switch (prop_id)
    {
      case PROP_STORE:
        self->store = g_value_dup_object (value);
        break;
      case PROP_HOST_URL:
        /* Whoever sets the address knows better than an old 4410. */
        g_clear_pointer (&self->superseded_url, g_free);
        if (set_string (&self->host_url, value))
          {
            g_object_notify_by_pspec (object, pspec);
            tr_client_refresh (self);
          }
        break;
      case PROP_STATION_ID:
        g_free (self->station_id);
        self->station_id = g_value_dup_string (value);
        break;
      case PROP_STATION_NAME:
        if (set_string (&self->station_name, value))
          g_object_notify_by_pspec (object, pspec);
        break;
      case PROP_ROLE:
        if (set_string (&self->role, value))
          g_object_notify_by_pspec (object, pspec);
        break;
      case PROP_TOKEN:
        if (set_string (&self->token, value))
          {
            g_object_notify_by_pspec (object, pspec);
            /* A new token after a refusal: try it at once. */
            if (self->unauthorized)
              tr_client_refresh (self);
          }
        break;
      case PROP_HEARTBEAT_INTERVAL:
        set_uint (self, &self->heartbeat_interval, value, prop_id);
        /* Preferences changes it on a live link: ping at the new pace now. */
        _tr_client_ws_update_heartbeat (self);
        break;
      case PROP_DEAD_TIMEOUT:
        set_uint (self, &self->dead_timeout, value, prop_id);
        break;
      case PROP_BACKOFF_MIN:
        set_uint (self, &self->backoff_min, value, prop_id);
        break;
      case PROP_BACKOFF_MAX:
        set_uint (self, &self->backoff_max, value, prop_id);
        break;
      case PROP_WEBSOCKET_RETRY:
        set_uint (self, &self->websocket_retry, value, prop_id);
        break;
      case PROP_WEBSOCKET_FAILURES:
        set_uint (self, &self->websocket_failures, value, prop_id);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_client_class_init (TrClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  GParamFlags tunable = rw | G_PARAM_CONSTRUCT;

  object_class->constructed = tr_client_constructed;
  object_class->dispose = tr_client_dispose;
  object_class->finalize = tr_client_finalize;
  object_class->get_property = tr_client_get_property;
  object_class->set_property = tr_client_set_property;

  _tr_client_properties[PROP_STORE]
    = g_param_spec_object ("store", NULL, NULL, TR_TYPE_STORE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  _tr_client_properties[PROP_HOST_URL] = g_param_spec_string ("host-url", NULL, NULL, NULL, rw);
  _tr_client_properties[PROP_STATION_ID]
    = g_param_spec_string ("station-id", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  _tr_client_properties[PROP_STATION_NAME]
    = g_param_spec_string ("station-name", NULL, NULL, NULL, rw);
  _tr_client_properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, rw);
  _tr_client_properties[PROP_TOKEN] = g_param_spec_string ("token", NULL, NULL, NULL, rw);
  _tr_client_properties[PROP_STATE] = g_param_spec_enum (
    "state", NULL, NULL, tr_client_state_get_type (), TR_CLIENT_STATE_OFFLINE, ro);
  _tr_client_properties[PROP_QUEUED_OPS]
    = g_param_spec_uint ("queued-ops", NULL, NULL, 0, G_MAXUINT, 0, ro);
  _tr_client_properties[PROP_LATENCY_MS]
    = g_param_spec_int64 ("latency-ms", NULL, NULL, -1, G_MAXINT64, -1, ro);
  _tr_client_properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  _tr_client_properties[PROP_LAST_SYNC]
    = g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0, ro);
  _tr_client_properties[PROP_HOST_CLOCK_OFFSET]
    = g_param_spec_int64 ("host-clock-offset", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  _tr_client_properties[PROP_HOST_TRAINING]
    = g_param_spec_boolean ("host-training", NULL, NULL, FALSE, ro);
  _tr_client_properties[PROP_HOST_PRINTERS]
    = g_param_spec_int ("host-printers", NULL, NULL, -1, G_MAXINT, -1, ro);
  _tr_client_properties[PROP_RECONNECTS]
    = g_param_spec_uint ("reconnects", NULL, NULL, 0, G_MAXUINT, 0, ro);
  _tr_client_properties[PROP_HEARTBEAT_INTERVAL]
    = g_param_spec_uint ("heartbeat-interval", NULL, NULL, 1, G_MAXINT, 5000, tunable);
  _tr_client_properties[PROP_DEAD_TIMEOUT]
    = g_param_spec_uint ("dead-timeout", NULL, NULL, 1, G_MAXINT, 15000, tunable);
  _tr_client_properties[PROP_BACKOFF_MIN]
    = g_param_spec_uint ("backoff-min", NULL, NULL, 1, G_MAXINT, 500, tunable);
  _tr_client_properties[PROP_BACKOFF_MAX]
    = g_param_spec_uint ("backoff-max", NULL, NULL, 1, G_MAXINT, 30000, tunable);
  _tr_client_properties[PROP_WEBSOCKET_RETRY]
    = g_param_spec_uint ("websocket-retry", NULL, NULL, 1, G_MAXINT, 60000, tunable);
  _tr_client_properties[PROP_WEBSOCKET_FAILURES] = g_param_spec_uint (
    "websocket-failures", NULL, NULL, 1, G_MAXINT, TR_TIMEOUT_WS_FAILURES_DEFAULT, tunable);
  _tr_client_properties[PROP_EFFECTIVE_HEARTBEAT_INTERVAL]
    = g_param_spec_uint ("effective-heartbeat-interval", NULL, NULL, 1, G_MAXUINT,
                         TR_TIMEOUT_HEARTBEAT_INTERVAL_DEFAULT, ro);
  _tr_client_properties[PROP_SNAPSHOTS_RECEIVED]
    = g_param_spec_uint ("snapshots-received", NULL, NULL, 0, G_MAXUINT, 0, ro);
  _tr_client_properties[PROP_EVENTS_RECEIVED]
    = g_param_spec_uint ("events-received", NULL, NULL, 0, G_MAXUINT, 0, ro);
  _tr_client_properties[PROP_RETRY_AT]
    = g_param_spec_int64 ("retry-at", NULL, NULL, -1, G_MAXINT64, -1, ro);
  _tr_client_properties[PROP_UNAUTHORIZED]
    = g_param_spec_boolean ("unauthorized", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, _tr_client_properties);

  _tr_client_signals[OP_REJECTED]
    = g_signal_new ("op-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  _tr_client_signals[SYNCED] = g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  _tr_client_signals[UNAUTHORIZED]
    = g_signal_new ("unauthorized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  _tr_client_signals[STANDBY_INVITE]
    = g_signal_new ("standby-invite", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  _tr_client_signals[STANDBY_URL]
    = g_signal_new ("standby-url", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
tr_client_init (TrClient *self)
{
  self->latency_ms = -1;
  self->host_printers = -1;
  g_signal_connect (self, "notify::state", G_CALLBACK (_tr_client_printers_on_state), NULL);
  self->link_log = tr_link_log_new ();
  self->heartbeat_interval = 5000;
  self->dead_timeout = 15000;
  self->backoff_min = 500;
  self->backoff_max = 30000;
  self->websocket_retry = 60000;
  self->websocket_failures = TR_TIMEOUT_WS_FAILURES_DEFAULT;
  self->effective_heartbeat_interval = self->heartbeat_interval;
  self->ws_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->post_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* No cookie jar: the token is the only credential. A short idle
   * timeout drops kept-alive sockets to a host that moved. */
  self->session = soup_session_new_with_options ("idle-timeout", 10, "max-conns-per-host", 6,
                                                 "user-agent", "ticketrail/" PACKAGE_VERSION, NULL);
}
