/* tr-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client.h"

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"

/* The host refuses more than 100 ops per frame or POST, and frames over
 * TR_MAX_FRAME_BYTES; stay clear of both. */
#define MAX_OPS_PER_BATCH 100
#define MAX_WS_BATCH_BYTES (TR_MAX_FRAME_BYTES - 4096)
#define MAX_POST_BATCH_BYTES (TR_MAX_BODY_BYTES - 4096)
/* A snapshot of a busy day is one frame; never 0 (unbounded). */
#define MAX_INCOMING_PAYLOAD (64 * 1024 * 1024)
#define LONG_POLL_WAIT_S 25
#define WS_FAILURES_BEFORE_POLLING 3

/**
 * TrClient:
 *
 * Read-only debug counters, for tests and the troubleshooting CLI:
 * "snapshots-received" (snapshot frames applied) and "events-received"
 * (events applied, i.e. the advance of the store's last seq by event
 * frames), both since the client was made.
 */
struct _TrClient
{
  GObject parent_instance;

  TrStore *store;
  char *host_url;
  char *station_id;
  char *station_name;
  char *role;
  char *token;
  /* The host refused the token (4401/4403, HTTP 401): no retrying until
   * the token changes or tr_client_refresh(). */
  gboolean unauthorized;

  TrClientState state;
  guint queued_ops;
  gint64 latency_ms;
  char *last_error;
  gint64 last_sync;
  guint reconnects;
  guint snapshots_received;
  guint events_received;

  guint heartbeat_interval;
  guint dead_timeout;
  guint backoff_min;
  guint backoff_max;
  guint websocket_retry;

  gboolean running;
  gboolean synced_once;
  guint failures;    /* attempts failed in a row: the backoff exponent */
  guint ws_failures; /* WebSocket attempts failed in a row */
  gboolean want_snapshot;
  GMainContext *context; /* tr_client_start()'s thread-default */
  SoupSession *session;
  GNetworkMonitor *monitor;
  gulong network_changed_id;
  GSource *reconnect_source;

  /* WebSocket: an attempt (ws_cancellable) or a connection (ws). */
  GCancellable *ws_cancellable;
  SoupWebsocketConnection *ws;
  gulong ws_message_id;
  gulong ws_closed_id;
  gulong ws_error_id;
  gboolean ws_welcomed;
  gboolean ws_synced;
  gint64 ws_head_seq;
  char *ws_host_id;         /* from the welcome */
  GHashTable *ws_in_flight; /* op ids sent on this connection */
  gint64 ws_life;           /* monotonic µs of the last sign of life */
  GSource *ws_watchdog;
  GSource *heartbeat_source;
  GSource *ws_retry_source;

  /* Polling: health check, long-poll loop and POSTs share poll_cancellable. */
  enum
  {
    POLL_NONE,
    POLL_HEALTH,
    POLL_ACTIVE
  } poll_phase;
  GCancellable *poll_cancellable;
  char *poll_host_id;
  gboolean poll_synced;
  gboolean long_poll_pending;
  gboolean post_pending;
  GHashTable *post_in_flight;
  gint64 poll_life;
  GSource *poll_watchdog;
};

G_DEFINE_FINAL_TYPE (TrClient, tr_client, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORE,
  PROP_HOST_URL,
  PROP_STATION_ID,
  PROP_STATION_NAME,
  PROP_ROLE,
  PROP_TOKEN,
  PROP_STATE,
  PROP_QUEUED_OPS,
  PROP_LATENCY_MS,
  PROP_LAST_ERROR,
  PROP_LAST_SYNC,
  PROP_RECONNECTS,
  PROP_HEARTBEAT_INTERVAL,
  PROP_DEAD_TIMEOUT,
  PROP_BACKOFF_MIN,
  PROP_BACKOFF_MAX,
  PROP_WEBSOCKET_RETRY,
  PROP_SNAPSHOTS_RECEIVED,
  PROP_EVENTS_RECEIVED,
  PROP_RETRY_AT,
  PROP_UNAUTHORIZED,
  N_PROPS
};

enum
{
  OP_REJECTED,
  SYNCED,
  UNAUTHORIZED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
ws_start_attempt (TrClient *self);
static void
poll_start_health (TrClient *self);
static void
poll_request_events (TrClient *self);
static void
poll_flush_outbox (TrClient *self);
static void
ws_flush_outbox (TrClient *self);

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

static gint64
monotonic_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* Timers go to the same context as libsoup's I/O: the thread-default
 * one of tr_client_start(), which g_timeout_add() would not honour. */
static GSource *
add_timeout (TrClient *self, guint interval_ms, GSourceFunc func)
{
  GSource *source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
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
static void
update_state (TrClient *self)
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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
update_queued_ops (TrClient *self)
{
  guint count = tr_store_outbox_count (self->store);

  if (count == self->queued_ops)
    return;
  self->queued_ops = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUED_OPS]);
}

static void
set_last_error (TrClient *self, const char *message)
{
  if (g_strcmp0 (message, self->last_error) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if (message != NULL)
    g_debug ("%s: %s", self->station_name, message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void G_GNUC_PRINTF (2, 3) set_last_errorf (TrClient *self, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  set_last_error (self, message);
}

static void
touch_last_sync (TrClient *self)
{
  self->last_sync = tr_now_ms ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
}

static void
set_latency (TrClient *self, gint64 latency_ms)
{
  if (latency_ms == self->latency_ms)
    return;
  self->latency_ms = latency_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATENCY_MS]);
}

static char *
make_url (TrClient *self, const char *path)
{
  const char *base = self->host_url != NULL ? self->host_url : "";
  gsize len = strlen (base);

  /* Tolerate "http://host:port/" as typed by a person. */
  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int)len, base, path);
}

static void
set_unauthorized (TrClient *self, const char *reason, const char *message);

static gboolean
refuse_certificate_cb (gpointer user_data)
{
  TrClient *self = user_data;
  const char *message = g_object_get_data (G_OBJECT (self), "tr-refused-certificate");

  if (message != NULL && self->running)
    set_unauthorized (self, "certificate", message);
  return G_SOURCE_REMOVE;
}

/* Over HTTPS the host's certificate is self-signed: what vouches for it
 * is its fingerprint, pinned when the station paired (trust on first
 * use). Before pairing there is nothing to pin, and the pairing answer
 * must then name the certificate this connection saw. */
static gboolean
on_accept_certificate (SoupMessage *msg, GTlsCertificate *certificate, GTlsCertificateFlags errors,
                       gpointer user_data)
{
  TrClient *self = user_data;
  const char *pinned = tr_store_get_host_fingerprint (self->store);
  g_autofree char *seen = tr_tls_certificate_fingerprint (certificate);

  g_object_set_data_full (G_OBJECT (msg), "tr-fingerprint", g_strdup (seen), g_free);
  /* Pairing (again) is a manager's deliberate act with a code from the
   * host; the answer then names the certificate to pin. */
  if (g_object_get_data (G_OBJECT (msg), "tr-pairing") != NULL)
    return TRUE;
  if (pinned == NULL)
    return FALSE;
  if (g_strcmp0 (seen, pinned) == 0)
    return TRUE;
  {
    g_autofree char *message = g_strdup_printf (
      _ (
        "The host's certificate changed (fingerprint %s, paired with %s): refusing it. If the host "
        "was reinstalled, pair this station again; otherwise someone may be impersonating it"),
      /* Translators: in place of a certificate fingerprint. */
      seen ? seen : _ ("unknown"), pinned);

    g_message ("%s", message);
    /* Not from inside libsoup's handshake: it fails on its own once
     * this returns FALSE. */
    g_object_set_data_full (G_OBJECT (self), "tr-refused-certificate", g_steal_pointer (&message),
                            g_free);
    g_idle_add_full (G_PRIORITY_DEFAULT, refuse_certificate_cb, g_object_ref (self),
                     g_object_unref);
  }
  return FALSE;
}

static void
add_auth (TrClient *self, SoupMessage *msg)
{
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);
  if (self->token != NULL && self->token[0] != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", self->token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
}

/* ---- Applying what the host sends ---- */

static gboolean
apply_events (TrClient *self, GPtrArray *events, GError **error)
{
  gint64 before = tr_store_get_last_seq (self->store);
  gint64 after;

  if (!tr_store_apply_events (self->store, events, error))
    return FALSE;
  after = tr_store_get_last_seq (self->store);
  if (after > before)
    {
      self->events_received += (guint)(after - before);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENTS_RECEIVED]);
    }
  touch_last_sync (self);
  update_queued_ops (self);
  return TRUE;
}

static gboolean
apply_snapshot (TrClient *self, const char *host_id, gint64 seq, GPtrArray *tickets, GError **error)
{
  if (!tr_store_apply_snapshot (self->store, host_id, seq, tickets, error))
    return FALSE;
  self->want_snapshot = FALSE;
  self->snapshots_received++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOTS_RECEIVED]);
  touch_last_sync (self);
  update_queued_ops (self);
  return TRUE;
}

/* Applied and duplicate acks clear the op; a rejection (also a duplicate
 * of a rejection) clears it and reverts its optimistic change. */
static void
apply_ack (TrClient *self, const char *op_id, TrApplyResult result, const char *code,
           const char *message)
{
  g_autoptr (GError) error = NULL;
  gboolean rejected = result == TR_APPLY_REJECTED || (result == TR_APPLY_DUPLICATE && code != NULL);

  if (!tr_store_outbox_remove (self->store, op_id, rejected, &error))
    {
      set_last_errorf (self, _ ("Could not clear op %s from the outbox: %s"), op_id,
                       error->message);
      return;
    }
  update_queued_ops (self);
  if (rejected)
    {
      if (message != NULL && *message != '\0')
        /* Translators: the op id, the error code, the host's message. */
        set_last_errorf (self, _ ("The host rejected op %s: %s: %s"), op_id,
                         code ? code : "rejected", message);
      else
        /* Translators: the op id and the error code. */
        set_last_errorf (self, _ ("The host rejected op %s: %s"), op_id, code ? code : "rejected");
      g_signal_emit (self, signals[OP_REJECTED], 0, op_id, code ? code : "rejected",
                     message ? message : "");
    }
}

/* Splits @ops into batches the host accepts, in order. */
static GPtrArray *
next_batch (GPtrArray *ops, guint *index, GHashTable *skip, gsize max_bytes)
{
  GPtrArray *batch = g_ptr_array_new ();
  gsize bytes = 0;

  while (*index < ops->len && batch->len < MAX_OPS_PER_BATCH)
    {
      TrOp *op = g_ptr_array_index (ops, *index);
      g_autofree char *json = NULL;

      if (g_hash_table_contains (skip, op->op_id))
        {
          (*index)++;
          continue;
        }
      json = tr_op_to_string (op);
      if (batch->len > 0 && bytes + strlen (json) + 1 > max_bytes)
        break;
      bytes += strlen (json) + 1;
      g_ptr_array_add (batch, op);
      (*index)++;
    }
  return batch;
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
  ws_start_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (TrClient *self)
{
  guint delay;

  if (!self->running || self->reconnect_source != NULL || self->unauthorized)
    return;
  delay = backoff_delay (self);
  self->failures++;
  g_debug ("%s: reconnecting in %u ms", self->station_name, delay);
  self->reconnect_source = add_timeout (self, delay, on_reconnect_timeout);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_AT]);
}

static void
mark_synced (TrClient *self)
{
  gboolean was_online = self->state == TR_CLIENT_STATE_ONLINE_WEBSOCKET
                        || self->state == TR_CLIENT_STATE_ONLINE_POLLING;

  self->failures = 0;
  if (self->synced_once && !was_online)
    {
      self->reconnects++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECTS]);
    }
  self->synced_once = TRUE;
  if (self->ws_synced)
    set_last_error (self, NULL);
  update_state (self);
}

/* ---- WebSocket ---- */

static void
ws_send (TrClient *self, const char *text)
{
  g_assert (self->ws != NULL);

  /* Sending on a closing connection is a critical in libsoup. */
  if (soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_send_text (self->ws, text);
}

static gboolean
on_ws_retry (gpointer user_data)
{
  TrClient *self = user_data;

  g_clear_pointer (&self->ws_retry_source, g_source_unref);
  if (self->ws == NULL && self->ws_cancellable == NULL)
    ws_start_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
ws_schedule_retry_while_polling (TrClient *self)
{
  if (self->ws_retry_source != NULL || !self->running)
    return;
  self->ws_retry_source = add_timeout (self, MAX (self->websocket_retry, 1), on_ws_retry);
}

static void
ws_teardown (TrClient *self, gushort close_code)
{
  clear_source (&self->ws_watchdog);
  clear_source (&self->heartbeat_source);
  if (self->ws_cancellable != NULL)
    {
      g_cancellable_cancel (self->ws_cancellable);
      g_clear_object (&self->ws_cancellable);
    }
  if (self->ws != NULL)
    {
      g_clear_signal_handler (&self->ws_message_id, self->ws);
      g_clear_signal_handler (&self->ws_closed_id, self->ws);
      g_clear_signal_handler (&self->ws_error_id, self->ws);
      /* libsoup would then wait up to 5 s for the peer's close frame;
       * dropping our reference ends that, so a dead peer cannot hold
       * the client back. */
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, close_code, NULL);
      g_clear_object (&self->ws);
    }
  g_hash_table_remove_all (self->ws_in_flight);
  g_clear_pointer (&self->ws_host_id, g_free);
  self->ws_welcomed = FALSE;
  self->ws_synced = FALSE;
  self->ws_head_seq = 0;
}

static void
poll_teardown (TrClient *self);

/* An attempt that failed, or a connection that was lost. */
static void
ws_failed (TrClient *self, gushort close_code)
{
  gboolean was_synced = self->ws_synced;

  ws_teardown (self, close_code);
  if (!self->running)
    return;
  if (!was_synced)
    self->ws_failures++;

  if (self->poll_phase == POLL_ACTIVE)
    /* The WebSocket retry while polling failed; polling carries on. */
    ws_schedule_retry_while_polling (self);
  else if (self->poll_phase == POLL_HEALTH)
    ; /* the health check decides */
  else if (self->ws_failures >= WS_FAILURES_BEFORE_POLLING)
    poll_start_health (self);
  else
    schedule_reconnect (self);
  update_state (self);
}

static gboolean
on_ws_watchdog (gpointer user_data)
{
  TrClient *self = user_data;
  gint64 silent = monotonic_ms () - self->ws_life;

  g_clear_pointer (&self->ws_watchdog, g_source_unref);
  if (silent < self->dead_timeout)
    {
      self->ws_watchdog = add_timeout (self, (guint)(self->dead_timeout - silent), on_ws_watchdog);
      return G_SOURCE_REMOVE;
    }
  if (self->ws != NULL)
    set_last_errorf (self, _ ("No frame from the host for %u ms: connection lost"),
                     self->dead_timeout);
  else
    set_last_errorf (self, _ ("No WebSocket handshake within %u ms"), self->dead_timeout);
  ws_failed (self, TR_CLOSE_DEAD_PEER);
  return G_SOURCE_REMOVE;
}

/* Every frame only stamps the time; the timer re-arms itself for the
 * remainder when it fires early, which keeps frames cheap. */
static void
ws_touch (TrClient *self)
{
  self->ws_life = monotonic_ms ();
  if (self->ws_watchdog == NULL)
    self->ws_watchdog = add_timeout (self, MAX (self->dead_timeout, 1), on_ws_watchdog);
}

static gboolean
on_heartbeat (gpointer user_data)
{
  TrClient *self = user_data;
  g_autofree char *text = NULL;

  g_assert (self->ws != NULL);

  text = tr_frame_build_ping_full (tr_now_ms (), tr_store_get_last_seq (self->store),
                                   self->queued_ops, self->latency_ms);
  ws_send (self, text);
  return G_SOURCE_CONTINUE;
}

static void
ws_flush_outbox (TrClient *self)
{
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GError) error = NULL;
  guint index = 0;

  if (self->ws == NULL || !self->ws_synced)
    return;
  ops = tr_store_outbox_list (self->store, &error);
  if (ops == NULL)
    {
      set_last_errorf (self, _ ("Could not read the outbox: %s"), error->message);
      return;
    }
  while (index < ops->len)
    {
      g_autoptr (GPtrArray) batch
        = next_batch (ops, &index, self->ws_in_flight, MAX_WS_BATCH_BYTES);
      g_autofree char *text = NULL;

      if (batch->len == 0)
        break;
      text = tr_frame_build_ops (batch);
      ws_send (self, text);
      for (guint i = 0; i < batch->len; i++)
        {
          TrOp *op = g_ptr_array_index (batch, i);
          g_hash_table_add (self->ws_in_flight, g_strdup (op->op_id));
        }
    }
}

static void
ws_mark_synced (TrClient *self)
{
  if (self->ws_synced)
    return;
  self->ws_synced = TRUE;
  self->ws_failures = 0;
  clear_source (&self->ws_retry_source);
  mark_synced (self);
  ws_flush_outbox (self);
  g_signal_emit (self, signals[SYNCED], 0);
}

/* A frame that breaks the protocol: drop the connection and resync. */
static void
ws_protocol_error (TrClient *self, const char *what, const GError *error)
{
  if (error != NULL)
    set_last_errorf (self, "%s: %s", what, error->message);
  else
    set_last_error (self, what);
  ws_failed (self, TR_CLOSE_PROTOCOL);
}

/* Store signals run other code, which may stop or refresh us: after
 * each store call, check the connection is still the one we had. */
static void
ws_handle_frame (TrClient *self, TrFrame *frame)
{
  SoupWebsocketConnection *ws = self->ws;
  g_autoptr (GError) error = NULL;

  switch (frame->type)
    {
      case TR_FRAME_WELCOME:
        if (self->ws_welcomed)
          {
            ws_protocol_error (self, _ ("Second welcome from the host"), NULL);
            return;
          }
        self->ws_welcomed = TRUE;
        self->ws_head_seq = frame->head_seq;
        self->ws_host_id = g_strdup (frame->host_id);
        /* Nothing to catch up on: the host sends no backlog then. */
        if (!self->want_snapshot
            && g_strcmp0 (frame->host_id, tr_store_get_host_id (self->store)) == 0
            && frame->head_seq <= tr_store_get_last_seq (self->store))
          ws_mark_synced (self);
        break;

      case TR_FRAME_EVENTS:
        if (!self->ws_welcomed)
          {
            ws_protocol_error (self, _ ("Events before the welcome"), NULL);
            return;
          }
        if (!apply_events (self, frame->events, &error))
          {
            /* A gap: our seq is not what the host thinks. Start over
             * from a snapshot rather than loop on the same gap. */
            self->want_snapshot = TRUE;
            if (self->ws == ws)
              ws_protocol_error (self, _ ("Could not apply the host's events"), error);
            return;
          }
        if (self->ws == ws && tr_store_get_last_seq (self->store) >= self->ws_head_seq)
          ws_mark_synced (self);
        break;

      case TR_FRAME_SNAPSHOT:
        if (!self->ws_welcomed)
          {
            ws_protocol_error (self, _ ("Snapshot before the welcome"), NULL);
            return;
          }
        if (!apply_snapshot (self, self->ws_host_id, frame->seq, frame->tickets, &error))
          {
            if (self->ws == ws)
              ws_protocol_error (self, _ ("Could not apply the host's snapshot"), error);
            return;
          }
        if (self->ws == ws)
          ws_mark_synced (self);
        break;

      case TR_FRAME_ACK:
        if (self->ws == ws)
          g_hash_table_remove (self->ws_in_flight, frame->op_id);
        apply_ack (self, frame->op_id, frame->result, frame->error_code, frame->error_message);
        break;

      case TR_FRAME_PONG:
        set_latency (self, MAX (0, tr_now_ms () - frame->t));
        break;

      case TR_FRAME_ERROR:
        /* Translators: an error code, then the host's message. */
        set_last_errorf (self, _ ("The host reports %s: %s"), frame->error_code,
                         frame->error_message ? frame->error_message : "");
        break;

      case TR_FRAME_HELLO:
      case TR_FRAME_OP:
      case TR_FRAME_OPS:
      case TR_FRAME_PING:
      case TR_N_FRAME_TYPES:
      default:
        ws_protocol_error (self, _ ("Unexpected frame from the host"), NULL);
        break;
    }
}

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  TrClient *self = user_data;
  g_autoptr (TrClient) guard = g_object_ref (self);
  g_autoptr (TrFrame) frame = NULL;
  g_autoptr (GError) error = NULL;
  gconstpointer data;
  gsize size;

  g_assert (ws == self->ws);

  ws_touch (self);
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      ws_protocol_error (self, _ ("Binary frame from the host"), NULL);
      return;
    }
  data = g_bytes_get_data (message, &size);
  frame = tr_frame_parse (data, size, &error);
  if (frame == NULL)
    {
      ws_protocol_error (self, _ ("Bad frame from the host"), error);
      return;
    }
  ws_handle_frame (self, frame);
}

/* The host refused this station's token. Retrying with it cannot help:
 * stop until the station pairs again (a new "token") or
 * tr_client_refresh(). The outbox keeps its ops for then. */
static void
set_unauthorized (TrClient *self, const char *reason, const char *message)
{
  clear_source (&self->reconnect_source);
  ws_teardown (self, TR_CLOSE_NORMAL);
  poll_teardown (self);
  set_last_error (self, message);
  if (!self->unauthorized)
    {
      self->unauthorized = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNAUTHORIZED]);
    }
  update_state (self);
  g_signal_emit (self, signals[UNAUTHORIZED], 0, reason);
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  TrClient *self = user_data;
  gushort code = soup_websocket_connection_get_close_code (ws);
  const char *reason = soup_websocket_connection_get_close_data (ws);

  g_assert (ws == self->ws);

  if (code == TR_CLOSE_UNAUTHORIZED || code == TR_CLOSE_REVOKED)
    {
      set_unauthorized (self, code == TR_CLOSE_REVOKED ? "revoked" : "unknown",
                        code == TR_CLOSE_REVOKED
                          ? _ ("The host revoked this station's pairing: pair it again")
                          : _ ("This station is not paired with the host: pair it"));
      return;
    }
  else if (code != 0 && code != SOUP_WEBSOCKET_CLOSE_NO_STATUS)
    {
      if (reason != NULL && *reason != '\0')
        /* Translators: a WebSocket close code and its reason. */
        set_last_errorf (self, _ ("The host closed the connection (close %u: %s)"), code, reason);
      else
        set_last_errorf (self, _ ("The host closed the connection (close %u)"), code);
    }
  else
    set_last_error (self, _ ("The connection to the host was lost"));
  ws_failed (self, TR_CLOSE_NORMAL);
}

static void
on_ws_error (SoupWebsocketConnection *ws, GError *error, gpointer user_data)
{
  TrClient *self = user_data;

  /* "closed" follows when the error ends the connection. */
  set_last_errorf (self, _ ("WebSocket error: %s"), error->message);
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupWebsocketConnection) ws = NULL;
  g_autofree char *hello = NULL;
  TrClient *self;
  const char *host_id;
  gint64 since;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  /* Whoever cancels has moved on (or disposed of the client). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_clear_object (&self->ws_cancellable);
  if (ws == NULL)
    {
      /* A refused certificate already said why. */
      if (!self->unauthorized)
        set_last_errorf (self, _ ("WebSocket connection failed: %s"), error->message);
      ws_failed (self, TR_CLOSE_NORMAL);
      return;
    }

  /* A WebSocket retry that works ends polling. */
  if (self->poll_phase != POLL_NONE)
    poll_teardown (self);

  self->ws = g_steal_pointer (&ws);
  soup_websocket_connection_set_max_incoming_payload_size (self->ws, MAX_INCOMING_PAYLOAD);
  /* Our own ping carries the station's state, and libsoup 3.2 has no
   * pong timeout anyway. */
  soup_websocket_connection_set_keepalive_interval (self->ws, 0);
  self->ws_message_id = g_signal_connect (self->ws, "message", G_CALLBACK (on_ws_message), self);
  self->ws_closed_id = g_signal_connect (self->ws, "closed", G_CALLBACK (on_ws_closed), self);
  self->ws_error_id = g_signal_connect (self->ws, "error", G_CALLBACK (on_ws_error), self);

  host_id = tr_store_get_host_id (self->store);
  if (host_id != NULL && host_id[0] == '\0')
    host_id = NULL;
  since = self->want_snapshot ? 0 : tr_store_get_last_seq (self->store);
  hello = tr_frame_build_hello (self->station_id, self->station_name, self->role, self->token,
                                host_id, since);
  ws_send (self, hello);
  ws_touch (self);
  self->heartbeat_source = add_timeout (self, MAX (self->heartbeat_interval, 1), on_heartbeat);
  update_state (self);
}

static void
ws_start_attempt (TrClient *self)
{
  static const char *const protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *url = NULL;

  g_assert (self->ws == NULL && self->ws_cancellable == NULL);

  clear_source (&self->reconnect_source);
  url = make_url (self, "/api/v1/ws");
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      set_last_errorf (self, _ ("Not a valid host URL: %s"), self->host_url ? self->host_url : "");
      schedule_reconnect (self);
      return;
    }
  add_auth (self, msg);

  self->ws_cancellable = g_cancellable_new ();
  soup_session_websocket_connect_async (self->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, self->ws_cancellable, on_ws_connected,
                                        self);
  /* The handshake gets the same deadline as a silent peer: a path that
   * swallows packets would otherwise hang it for minutes. */
  ws_touch (self);
  update_state (self);
}

/* ---- Long-polling fallback ---- */

static void
poll_teardown (TrClient *self)
{
  clear_source (&self->poll_watchdog);
  clear_source (&self->ws_retry_source);
  if (self->poll_cancellable != NULL)
    {
      g_cancellable_cancel (self->poll_cancellable);
      g_clear_object (&self->poll_cancellable);
    }
  g_hash_table_remove_all (self->post_in_flight);
  g_clear_pointer (&self->poll_host_id, g_free);
  self->poll_phase = POLL_NONE;
  self->poll_synced = FALSE;
  self->long_poll_pending = FALSE;
  self->post_pending = FALSE;
}

static void
poll_failed (TrClient *self)
{
  poll_teardown (self);
  if (!self->running)
    return;
  /* The WebSocket retry in flight, if any, continues on its own. */
  if (self->ws == NULL && self->ws_cancellable == NULL)
    schedule_reconnect (self);
  update_state (self);
}

static gboolean
on_poll_watchdog (gpointer user_data)
{
  TrClient *self = user_data;
  /* A long-poll is silent by design for up to its wait. */
  gint64 deadline = self->dead_timeout + (self->long_poll_pending ? LONG_POLL_WAIT_S * 1000 : 0);
  gint64 silent = monotonic_ms () - self->poll_life;

  g_clear_pointer (&self->poll_watchdog, g_source_unref);
  if (silent < deadline)
    {
      self->poll_watchdog = add_timeout (self, (guint)(deadline - silent), on_poll_watchdog);
      return G_SOURCE_REMOVE;
    }
  set_last_errorf (self, _ ("No HTTP answer from the host for %lld ms"), (long long)silent);
  poll_failed (self);
  return G_SOURCE_REMOVE;
}

static void
poll_touch (TrClient *self)
{
  self->poll_life = monotonic_ms ();
  if (self->poll_watchdog == NULL)
    self->poll_watchdog = add_timeout (self, MAX (self->dead_timeout, 1), on_poll_watchdog);
}

static SoupMessage *
poll_message_new (TrClient *self, const char *method, const char *path)
{
  g_autofree char *url = make_url (self, path);
  SoupMessage *msg = soup_message_new (method, url);

  if (msg != NULL)
    add_auth (self, msg);
  return msg;
}

/* The body of a 200 answer, or NULL with last-error set. */
typedef enum
{
  REQUEST_HEALTH,
  REQUEST_EVENTS,
  REQUEST_OPS,
} PollRequest;

static void
poll_set_failed (TrClient *self, PollRequest request, const char *detail)
{
  switch (request)
    {
      case REQUEST_HEALTH:
        set_last_errorf (self, _ ("The health check failed: %s"), detail);
        break;
      case REQUEST_EVENTS:
        set_last_errorf (self, _ ("The long-poll for events failed: %s"), detail);
        break;
      case REQUEST_OPS:
      default:
        set_last_errorf (self, _ ("Sending the changes failed: %s"), detail);
        break;
    }
}

static GBytes *
poll_finish (TrClient *self, SoupSession *session, GAsyncResult *result, GError *error,
             GBytes *body, PollRequest request)
{
  SoupMessage *msg = soup_session_get_async_result_message (session, result);
  guint status;

  if (body == NULL)
    {
      if (!self->unauthorized)
        poll_set_failed (self, request, error->message);
      return NULL;
    }
  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (body, &size);
      g_autoptr (JsonNode) root = tr_json_parse (data, (gssize)size, NULL);
      JsonObject *object = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                             ? json_object_get_object_member (json_node_get_object (root), "error")
                             : NULL;
      gboolean revoked
        = object != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (object, "reason", NULL),
                        "revoked")
               == 0;

      set_unauthorized (self, revoked ? "revoked" : "unknown",
                        revoked ? _ ("The host revoked this station's pairing: pair it again")
                                : _ ("This station is not paired with the host: pair it"));
      return NULL;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *detail = g_strdup_printf (
        "HTTP %u %s", status,
        soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg) : "");

      poll_set_failed (self, request, detail);
      return NULL;
    }
  return g_bytes_ref (body);
}

static void
on_health (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) ok_body = NULL;
  g_autoptr (JsonNode) root = NULL;
  TrClient *self;
  const char *host_id = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  ok_body = poll_finish (self, SOUP_SESSION (source), result, error, body, REQUEST_HEALTH);
  if (ok_body != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (ok_body, &size);

      root = tr_json_parse (data, (gssize)size, NULL);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        host_id = json_object_get_string_member_with_default (json_node_get_object (root),
                                                              "host_id", NULL);
    }
  if (host_id == NULL)
    {
      if (ok_body != NULL)
        set_last_error (self, _ ("The health check failed: not a Ticketrail host"));
      poll_failed (self);
      return;
    }

  g_debug ("%s: WebSocket failed %u times but the host answers: polling", self->station_name,
           self->ws_failures);
  self->poll_phase = POLL_ACTIVE;
  self->poll_host_id = g_strdup (host_id);
  poll_request_events (self);
  ws_schedule_retry_while_polling (self);
  update_state (self);
}

static void
poll_start_health (TrClient *self)
{
  g_autoptr (SoupMessage) msg = NULL;

  g_assert (self->poll_phase == POLL_NONE);

  clear_source (&self->reconnect_source);
  msg = poll_message_new (self, SOUP_METHOD_GET, "/api/v1/health");
  if (msg == NULL)
    {
      set_last_errorf (self, _ ("Not a valid host URL: %s"), self->host_url ? self->host_url : "");
      schedule_reconnect (self);
      return;
    }
  self->poll_phase = POLL_HEALTH;
  self->poll_cancellable = g_cancellable_new ();
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->poll_cancellable,
                                    on_health, self);
  poll_touch (self);
  update_state (self);
}

static void
poll_mark_synced (TrClient *self)
{
  if (self->poll_synced)
    return;
  self->poll_synced = TRUE;
  mark_synced (self);
  poll_flush_outbox (self);
  g_signal_emit (self, signals[SYNCED], 0);
}

/* Applies one long-poll answer: an events or snapshot frame. */
static gboolean
poll_apply (TrClient *self, GBytes *body, SoupMessage *msg, gboolean *caught_up, GError **error)
{
  g_autoptr (TrFrame) frame = NULL;
  g_autoptr (JsonNode) root = NULL;
  const char *host_id = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  frame = tr_frame_parse (data, size, error);
  if (frame == NULL)
    return FALSE;

  if (frame->type == TR_FRAME_EVENTS)
    {
      if (!apply_events (self, frame->events, error))
        {
          self->want_snapshot = TRUE;
          return FALSE;
        }
      /* One answer holds a bounded number of events; head_seq says
       * whether more are waiting. */
      *caught_up = frame->head_seq < 0 || tr_store_get_last_seq (self->store) >= frame->head_seq;
      return TRUE;
    }
  if (frame->type == TR_FRAME_SNAPSHOT)
    {
      /* The snapshot names its host when the answer carries it; else
       * the health check's answer does. */
      root = tr_json_parse (data, (gssize)size, NULL);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        host_id = json_object_get_string_member_with_default (json_node_get_object (root),
                                                              "host_id", NULL);
      if (host_id == NULL)
        host_id = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                "X-Ticketrail-Host-Id");
      if (host_id == NULL)
        host_id = self->poll_host_id;
      *caught_up = TRUE;
      return apply_snapshot (self, host_id, frame->seq, frame->tickets, error);
    }
  g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "unexpected %s frame in a long-poll answer",
               tr_frame_type_to_string (frame->type));
  return FALSE;
}

static void
on_events_polled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) ok_body = NULL;
  g_autoptr (TrClient) guard = NULL;
  TrClient *self;
  SoupMessage *msg;
  gboolean caught_up = FALSE;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  guard = g_object_ref (self);
  self->long_poll_pending = FALSE;
  ok_body = poll_finish (self, SOUP_SESSION (source), result, error, body, REQUEST_EVENTS);
  if (ok_body == NULL)
    {
      poll_failed (self);
      return;
    }
  poll_touch (self);
  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  if (!poll_apply (self, ok_body, msg, &caught_up, &error))
    {
      set_last_errorf (self, _ ("Could not apply the long-poll answer: %s"), error->message);
      poll_failed (self);
      return;
    }
  /* Store signals may have stopped us or switched to WebSocket. */
  if (self->poll_phase != POLL_ACTIVE)
    return;
  if (caught_up)
    poll_mark_synced (self);
  if (self->poll_phase == POLL_ACTIVE && !self->long_poll_pending)
    poll_request_events (self);
}

static void
poll_request_events (TrClient *self)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GString) path = g_string_new ("/api/v1/events?");
  const char *host_id = tr_store_get_host_id (self->store);
  gint64 since = self->want_snapshot ? 0 : tr_store_get_last_seq (self->store);

  g_assert (self->poll_phase == POLL_ACTIVE && !self->long_poll_pending);

  /* The first request must not wait: it is what tells us we are in
   * step, and a station already at the head would sit out a whole
   * long-poll before it could call itself online. */
  g_string_append_printf (path, "since=%" G_GINT64_FORMAT "&wait=%d", since,
                          self->poll_synced ? LONG_POLL_WAIT_S : 0);
  if (host_id != NULL && host_id[0] != '\0')
    g_string_append_printf (path, "&host_id=%s", host_id);
  g_string_append (path, "&station_id=");
  g_string_append_uri_escaped (path, self->station_id, NULL, FALSE);
  if (self->station_name != NULL)
    {
      g_string_append (path, "&name=");
      g_string_append_uri_escaped (path, self->station_name, NULL, FALSE);
    }
  if (self->role != NULL)
    {
      g_string_append (path, "&role=");
      g_string_append_uri_escaped (path, self->role, NULL, FALSE);
    }

  msg = poll_message_new (self, SOUP_METHOD_GET, path->str);
  g_assert (msg != NULL); /* the health check used the same base URL */
  self->long_poll_pending = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->poll_cancellable,
                                    on_events_polled, self);
  poll_touch (self);
}

/* The answer to POST /api/v1/ops: an array of acks (or one ack, or an
 * object holding "acks"), each {"op_id","result","error"?}. */
static guint
poll_apply_acks (TrClient *self, GBytes *body, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonArray *acks = NULL;
  g_autoptr (JsonArray) single = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  guint n_applied = 0;

  root = tr_json_parse (data, (gssize)size, error);
  if (root == NULL)
    return 0;
  if (JSON_NODE_HOLDS_ARRAY (root))
    acks = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);

      if (json_object_has_member (object, "acks")
          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "acks")))
        acks = json_object_get_array_member (object, "acks");
      else
        {
          single = json_array_new ();
          json_array_add_element (single, json_node_copy (root));
          acks = single;
        }
    }
  if (acks == NULL)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL, "the acks are not JSON objects");
      return 0;
    }

  for (guint i = 0; i < json_array_get_length (acks); i++)
    {
      JsonNode *node = json_array_get_element (acks, i);
      g_autoptr (JsonObject) object = NULL;
      g_autoptr (JsonNode) framed = NULL;
      g_autofree char *text = NULL;
      g_autoptr (TrFrame) frame = NULL;
      g_autoptr (GError) ack_error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      /* Reuse the frame parser's checks: make it an ack frame. */
      object = json_object_ref (json_node_get_object (node));
      if (!json_object_has_member (object, "type"))
        {
          g_autoptr (JsonObject) copy = json_object_new ();
          GList *members = json_object_get_members (object);

          json_object_set_string_member (copy, "type", "ack");
          for (GList *l = members; l != NULL; l = l->next)
            json_object_set_member (copy, l->data,
                                    json_node_copy (json_object_get_member (object, l->data)));
          g_list_free (members);
          g_clear_pointer (&object, json_object_unref);
          object = g_steal_pointer (&copy);
        }
      framed = json_node_init_object (json_node_alloc (), object);
      text = tr_json_to_string (framed);
      frame = tr_frame_parse (text, strlen (text), &ack_error);
      if (frame == NULL || frame->type != TR_FRAME_ACK)
        {
          set_last_errorf (self, _ ("Bad ack from the host: %s"),
                           ack_error ? ack_error->message : _ ("not an ack"));
          continue;
        }
      g_hash_table_remove (self->post_in_flight, frame->op_id);
      apply_ack (self, frame->op_id, frame->result, frame->error_code, frame->error_message);
      n_applied++;
      if (self->poll_phase != POLL_ACTIVE)
        break;
    }
  return n_applied;
}

static void
on_ops_posted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) ok_body = NULL;
  g_autoptr (TrClient) guard = NULL;
  TrClient *self;
  guint n_acks;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  guard = g_object_ref (self);
  self->post_pending = FALSE;
  ok_body = poll_finish (self, SOUP_SESSION (source), result, error, body, REQUEST_OPS);
  if (ok_body == NULL)
    {
      poll_failed (self);
      return;
    }
  poll_touch (self);
  n_acks = poll_apply_acks (self, ok_body, &error);
  if (error != NULL)
    {
      set_last_errorf (self, _ ("Bad answer to the ops: %s"), error->message);
      poll_failed (self);
      return;
    }
  if (self->poll_phase != POLL_ACTIVE)
    return;
  /* Ops the host did not answer go again with the next batch, but only
   * while the host makes progress, so a bad answer cannot spin. */
  g_hash_table_remove_all (self->post_in_flight);
  if (n_acks > 0)
    poll_flush_outbox (self);
}

static void
poll_flush_outbox (TrClient *self)
{
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GPtrArray) batch = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonArray) array = NULL;
  g_autoptr (JsonNode) root = NULL;
  char *text;
  guint index = 0;

  if (self->poll_phase != POLL_ACTIVE || !self->poll_synced || self->post_pending)
    return;
  ops = tr_store_outbox_list (self->store, &error);
  if (ops == NULL)
    {
      set_last_errorf (self, _ ("Could not read the outbox: %s"), error->message);
      return;
    }
  batch = next_batch (ops, &index, self->post_in_flight, MAX_POST_BATCH_BYTES);
  if (batch->len == 0)
    return;

  array = json_array_sized_new (batch->len);
  for (guint i = 0; i < batch->len; i++)
    {
      TrOp *op = g_ptr_array_index (batch, i);

      json_array_add_element (array, tr_op_to_json (op));
      g_hash_table_add (self->post_in_flight, g_strdup (op->op_id));
    }
  root = json_node_init_array (json_node_alloc (), array);
  text = tr_json_to_string (root);
  bytes = g_bytes_new_take (text, strlen (text));

  msg = poll_message_new (self, SOUP_METHOD_POST, "/api/v1/ops");
  g_assert (msg != NULL);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  self->post_pending = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->poll_cancellable,
                                    on_ops_posted, self);
  poll_touch (self);
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
      ws_start_attempt (self);
    }
  else if (self->ws != NULL && self->ws_synced)
    on_heartbeat (self); /* a route change may have killed the path: probe it */
}

/* ---- Public API ---- */

static void
stop_everything (TrClient *self)
{
  clear_source (&self->reconnect_source);
  ws_teardown (self, TR_CLOSE_GOING_AWAY);
  poll_teardown (self);
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
  update_queued_ops (self);
  ws_start_attempt (self);
}

void
tr_client_stop (TrClient *self)
{
  g_return_if_fail (TR_IS_CLIENT (self));

  if (!self->running)
    return;
  self->running = FALSE;
  stop_everything (self);
  /* Anything in flight is abandoned; libsoup may still hold sockets. */
  soup_session_abort (self->session);
  update_state (self);
}

gboolean
tr_client_submit (TrClient *self, const TrOp *op, GError **error)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (op != NULL && op->op_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tr_store_enqueue_op (self->store, op, error))
    return FALSE;
  update_queued_ops (self);
  if (self->ws_synced)
    ws_flush_outbox (self);
  else if (self->poll_synced)
    poll_flush_outbox (self);
  return TRUE;
}

void
tr_client_refresh (TrClient *self)
{
  g_return_if_fail (TR_IS_CLIENT (self));

  if (!self->running)
    return;
  g_debug ("%s: refresh", self->station_name);
  if (self->unauthorized)
    {
      self->unauthorized = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNAUTHORIZED]);
    }
  clear_source (&self->reconnect_source);
  ws_teardown (self, TR_CLOSE_NORMAL);
  poll_teardown (self);
  self->failures = 0;
  ws_start_attempt (self);
}

/* ---- Pairing ---- */

static void
on_pair_replied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TrClient *self = g_task_get_source_object (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
    = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object = NULL;
  const char *token, *host_id, *fingerprint;
  guint status;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (msg);
  root = tr_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    object = json_node_get_object (root);
  if (status != SOUP_STATUS_OK)
    {
      JsonObject *err = object != NULL && json_object_has_member (object, "error")
                            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "error"))
                          ? json_object_get_object_member (object, "error")
                          : NULL;
      const char *message
        = err != NULL ? json_object_get_string_member_with_default (err, "message", NULL) : NULL;

      g_task_return_new_error (task, TR_ERROR,
                               status == 429   ? TR_ERROR_LIMIT
                               : status == 401 ? TR_ERROR_UNAUTHORIZED
                                               : TR_ERROR_PROTOCOL,
                               "%s", message ? message : soup_status_get_phrase (status));
      return;
    }
  token = object ? json_object_get_string_member_with_default (object, "token", NULL) : NULL;
  host_id = object ? json_object_get_string_member_with_default (object, "host_id", NULL) : NULL;
  fingerprint
    = object ? json_object_get_string_member_with_default (object, "fingerprint", NULL) : NULL;
  if (token == NULL || *token == '\0')
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_PROTOCOL, "the host's answer has no token");
      return;
    }
  /* Over HTTPS, the host names its certificate, and it must be the one
   * this connection saw. */
  if (g_object_get_data (G_OBJECT (msg), "tr-fingerprint") != NULL
      && g_strcmp0 (fingerprint, g_object_get_data (G_OBJECT (msg), "tr-fingerprint")) != 0)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_UNAUTHORIZED,
                               "the host's certificate (%s) is not the one it names (%s)",
                               (char *)g_object_get_data (G_OBJECT (msg), "tr-fingerprint"),
                               fingerprint ? fingerprint : "none");
      return;
    }
  if (!tr_store_set_station_token (self->store, host_id, token, fingerprint, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_object_set (self, "token", token, NULL);
  /* At once, not after the backoff the refusals built up. */
  tr_client_refresh (self);
  g_task_return_boolean (task, TRUE);
}

void
tr_client_pair_async (TrClient *self, const char *code, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (JsonNode) request = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *url = NULL;
  JsonObject *object, *station;
  char *body;

  g_return_if_fail (TR_IS_CLIENT (self));
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_client_pair_async);
  url = make_url (self, "/api/v1/pair");
  if (!(msg = soup_message_new (SOUP_METHOD_POST, url)))
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_INVALID, "not a valid host URL: %s",
                               self->host_url ? self->host_url : "");
      return;
    }
  request = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  station = json_object_new ();
  json_object_set_string_member (object, "code", code);
  json_object_set_string_member (station, "id", self->station_id);
  json_object_set_string_member (station, "name", self->station_name);
  json_object_set_string_member (station, "role", self->role);
  json_object_set_object_member (object, "station", station);
  json_node_take_object (request, object);
  body = tr_json_to_string (request);
  bytes = g_bytes_new_take (body, strlen (body));
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  g_object_set_data (G_OBJECT (msg), "tr-pairing", GINT_TO_POINTER (1));
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_pair_replied, g_steal_pointer (&task));
}

gboolean
tr_client_pair_finish (TrClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

TrClientState
tr_client_get_state (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), TR_CLIENT_STATE_OFFLINE);
  return self->state;
}

guint
tr_client_get_queued_ops (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), 0);
  return self->queued_ops;
}

const char *
tr_client_get_last_error (TrClient *self)
{
  g_return_val_if_fail (TR_IS_CLIENT (self), NULL);
  return self->last_error;
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
  g_free (self->station_id);
  g_free (self->station_name);
  g_free (self->role);
  g_free (self->token);
  g_free (self->last_error);

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
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
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

  properties[PROP_STORE]
    = g_param_spec_object ("store", NULL, NULL, TR_TYPE_STORE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST_URL] = g_param_spec_string ("host-url", NULL, NULL, NULL, rw);
  properties[PROP_STATION_ID]
    = g_param_spec_string ("station-id", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATION_NAME] = g_param_spec_string ("station-name", NULL, NULL, NULL, rw);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, rw);
  properties[PROP_TOKEN] = g_param_spec_string ("token", NULL, NULL, NULL, rw);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, tr_client_state_get_type (),
                                              TR_CLIENT_STATE_OFFLINE, ro);
  properties[PROP_QUEUED_OPS] = g_param_spec_uint ("queued-ops", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LATENCY_MS]
    = g_param_spec_int64 ("latency-ms", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_LAST_SYNC] = g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_RECONNECTS] = g_param_spec_uint ("reconnects", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_HEARTBEAT_INTERVAL]
    = g_param_spec_uint ("heartbeat-interval", NULL, NULL, 1, G_MAXINT, 5000, tunable);
  properties[PROP_DEAD_TIMEOUT]
    = g_param_spec_uint ("dead-timeout", NULL, NULL, 1, G_MAXINT, 15000, tunable);
  properties[PROP_BACKOFF_MIN]
    = g_param_spec_uint ("backoff-min", NULL, NULL, 1, G_MAXINT, 500, tunable);
  properties[PROP_BACKOFF_MAX]
    = g_param_spec_uint ("backoff-max", NULL, NULL, 1, G_MAXINT, 30000, tunable);
  properties[PROP_WEBSOCKET_RETRY]
    = g_param_spec_uint ("websocket-retry", NULL, NULL, 1, G_MAXINT, 60000, tunable);
  properties[PROP_SNAPSHOTS_RECEIVED]
    = g_param_spec_uint ("snapshots-received", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_EVENTS_RECEIVED]
    = g_param_spec_uint ("events-received", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RETRY_AT] = g_param_spec_int64 ("retry-at", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_UNAUTHORIZED] = g_param_spec_boolean ("unauthorized", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OP_REJECTED]
    = g_signal_new ("op-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[SYNCED] = g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 0);
  signals[UNAUTHORIZED]
    = g_signal_new ("unauthorized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
tr_client_init (TrClient *self)
{
  self->latency_ms = -1;
  self->heartbeat_interval = 5000;
  self->dead_timeout = 15000;
  self->backoff_min = 500;
  self->backoff_max = 30000;
  self->websocket_retry = 60000;
  self->ws_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->post_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* No cookie jar: the token is the only credential. A short idle
   * timeout drops kept-alive sockets to a host that moved. */
  self->session = soup_session_new_with_options ("idle-timeout", 10, "max-conns-per-host", 6,
                                                 "user-agent", "ticketrail/" PACKAGE_VERSION, NULL);
}
