/* tr-host.c: the embedded host, a SoupServer over the store of truth
 *
 * One main context, the host's, does the talking: WebSocket frames, HTTP
 * requests, fan-out and the timers. One writer thread does the writing
 * (tr-host-writer.c), so that no fsync ever holds the loop. The flow of
 * an op:
 *
 *   frame or request → pending_ops → (G_PRIORITY_HIGH_IDLE flush) one
 *   tr_store_apply_ops() transaction on the writer thread, durable before
 *   anything leaves; meanwhile new ops gather for the next one → back on
 *   the loop: "events-committed", the new events as one shared frame to
 *   every caught-up station and every waiting long-poll → then each ack
 *   to its origin.
 *
 * This file is the GObject (properties, signals, life cycle), start and
 * stop and the public getters; tr-host-private.h lists the other files,
 * one job each. docs/protocol.md is the reference for every frame,
 * endpoint and code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"
#include "tr-store-lineage.h"

#include "tr-protocol.h"
#include "tr-web.h"

#define WS_PATH API_PREFIX "/ws"

#define DEFAULT_HELLO_TIMEOUT_MS 10000
#define DEFAULT_REQUEST_TIMEOUT_MS 10000
#define DEFAULT_MAX_CONNECTIONS 2000
#define DEFAULT_MAX_CONNECTIONS_PER_ADDRESS 32
#define DEFAULT_OPS_RATE 50
#define DEFAULT_OPS_BURST 200
#define DEFAULT_OPS_QUEUE 1000
#define DEFAULT_MAX_LAG_EVENTS 5000
#define DEFAULT_HEARTBEAT_MS 15000

#define CHECK_INTERVAL_MS 1000
#define MAINTENANCE_INTERVAL_S 60

G_DEFINE_FINAL_TYPE (TrHost, tr_host, G_TYPE_OBJECT)

GParamSpec *_tr_host_properties[N_PROPS];
guint _tr_host_signals[N_SIGNALS];

/* Before start, the thread default's: a host is made and started on the
 * thread that runs it. */
static GMainContext *
host_context (TrHost *self)
{
  return self->context != NULL ? self->context : g_main_context_get_thread_default ();
}

static guint
attach (TrHost *self, GSource *source, GSourceFunc func, gpointer data)
{
  guint id;

  g_source_set_callback (source, func, data, NULL);
  id = g_source_attach (source, host_context (self));
  g_source_unref (source);
  return id;
}

guint
_tr_host_timeout_add (TrHost *self, guint interval_ms, GSourceFunc func, gpointer data)
{
  return attach (self, g_timeout_source_new (interval_ms), func, data);
}

guint
_tr_host_idle_add (TrHost *self, int priority, GSourceFunc func, gpointer data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, priority);
  return attach (self, source, func, data);
}

void
_tr_host_clear_source (TrHost *self, guint *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (host_context (self), *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}

void
_tr_host_iterate_until (TrHost *self, const gboolean *done)
{
  GMainContext *context = host_context (self);

  while (!*done)
    g_main_context_iteration (context, TRUE);
}

TrHost *
tr_host_new (TrStore *store)
{
  g_return_val_if_fail (TR_IS_STORE (store), NULL);

  return g_object_new (TR_TYPE_HOST, "store", store, NULL);
}

gboolean
tr_host_start (TrHost *self, GError **error)
{
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TR_IS_HOST (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  /* Before the writer owns the store, the loop reads what it keeps. */
  if (self->reader == NULL
      && !(self->reader = tr_store_reader_open (tr_store_get_path (self->store), error)))
    return FALSE;
  if (!_tr_host_reader_start (self, error))
    return FALSE;
  g_free (self->db_id);
  self->db_id = g_strdup (tr_store_get_db_id (self->store));
  self->head_seq = tr_store_get_head_seq (self->store);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->test_skip_seq = 0;
  if (g_getenv ("TICKETRAIL_TEST_SKIP_SEQ") != NULL)
    {
      self->test_skip_seq = g_ascii_strtoll (g_getenv ("TICKETRAIL_TEST_SKIP_SEQ"), NULL, 10);
      /* Loud: a host that drops events must never pass for a real one. */
      g_message ("TICKETRAIL_TEST_SKIP_SEQ: a test hook, not for production: the event of seq "
                 "%" G_GINT64_FORMAT " will not be sent to live stations",
                 self->test_skip_seq);
    }
  /* The restaurant's lineage, made on a new database: here, before the
   * writer owns the store, so that an export reports under it from its
   * first row (issue 16: a replacement host continues the same site). */
  {
    gint64 gen = 0;

    g_clear_pointer (&self->lineage, g_free);
    if (!tr_store_ensure_lineage (self->store, &self->lineage, &gen, error))
      return FALSE;
    self->gen = gen;
  }
  if (!_tr_host_links_start (self, error))
    return FALSE;
  /* Its own thread and connections: nothing it does waits on this loop. */
  if (self->exporter != NULL)
    tr_exporter_set_default_site (self->exporter, self->lineage);
  if (self->exporter != NULL && !tr_exporter_start (self->exporter, error))
    return FALSE;

  server = g_object_new (SOUP_TYPE_SERVER, "server-header", "ticketrail/" PACKAGE_VERSION, NULL);
  /* permessage-deflate costs ~25x the memory per connection and 7x the
   * tail latency for frames this small. */
  soup_server_remove_websocket_extension (server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);

  g_signal_connect (server, "request-started", G_CALLBACK (_tr_host_on_request_started), self);
  g_signal_connect (server, "request-read", G_CALLBACK (_tr_host_on_request_read), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (_tr_host_on_request_done), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (_tr_host_on_request_done), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (_tr_host_metrics_on_request_finished),
                    self);
  if (self->tls_certificate != NULL)
    soup_server_set_tls_certificate (server, self->tls_certificate);
  /* The browser display owns "/" (and 404s what nobody claims); API
   * paths nobody claims get a JSON 404 instead. */
  tr_web_register (server);
  soup_server_add_handler (server, API_PREFIX, _tr_host_handle_not_found, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/health", _tr_host_handle_health, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/standby/copy", _tr_host_handle_standby_copy, self,
                           NULL);
  soup_server_add_handler (server, API_PREFIX "/pair", _tr_host_handle_pair, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/events", _tr_host_handle_events, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/ops", _tr_host_handle_ops, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/tickets", _tr_host_handle_tickets, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/test-screens", _tr_host_handle_test_screens, self,
                           NULL);
  soup_server_add_handler (server, API_PREFIX "/stats", _tr_host_handle_stats, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/stats.csv", _tr_host_handle_stats, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/stations", _tr_host_handle_stations, self, NULL);
  soup_server_add_handler (server, WS_PATH, _tr_host_handle_ws_http, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/printers", _tr_host_handle_printers, self, NULL);
  soup_server_add_handler (server, "/metrics", _tr_host_handle_metrics, self, NULL);
  if (self->websocket_enabled)
    soup_server_add_websocket_handler (server, WS_PATH, NULL, (char **)protocols,
                                       _tr_host_on_websocket, self, NULL);

  if (!(socket = _tr_host_create_listen_socket (self, &local_error))
      || !soup_server_listen_socket (
        server, socket, self->tls_certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, &local_error))
    {
      g_set_error (error, G_IO_ERROR,
                   local_error->domain == G_IO_ERROR ? local_error->code : G_IO_ERROR_FAILED,
                   "Could not listen on port %u: %s", self->port, local_error->message);
      if (self->exporter != NULL)
        tr_exporter_stop (self->exporter);
      return FALSE;
    }

  local = g_socket_get_local_address (socket, NULL);
  if (local != NULL)
    {
      GInetAddress *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));

      self->bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
      g_free (self->bound_address);
      self->bound_address = g_inet_address_to_string (address);
    }

  self->server = g_steal_pointer (&server);
  self->socket = g_steal_pointer (&socket);
  self->running = TRUE;
  _tr_host_writer_start (self);
  _tr_host_printers_start (self);
  self->check_id = _tr_host_timeout_add (self, CHECK_INTERVAL_MS, _tr_host_check_cb, self);
  self->maintenance_id
    = _tr_host_timeout_add (self, MAINTENANCE_INTERVAL_S * 1000, _tr_host_maintenance_cb, self);

  g_debug ("listening on %s port %u", self->bound_address, self->bound_port);
  g_object_notify_by_pspec (G_OBJECT (self), _tr_host_properties[PROP_BOUND_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), _tr_host_properties[PROP_BOUND_ADDRESS]);
  _tr_host_dnssd_start (self);
  return TRUE;
}

void
tr_host_stop (TrHost *self)
{
  GHashTableIter iter;
  Station *station;

  g_return_if_fail (TR_IS_HOST (self));

  if (!self->running)
    return;
  self->running = FALSE;
  _tr_host_dnssd_stop (self);

  /* What was received is committed and acknowledged before the close;
   * answers still waiting for the standby go now. */
  _tr_host_drain (self);
  _tr_host_standby_stop (self);

  for (guint i = 0; i < self->connections->len; i++)
    _tr_host_connection_close (g_ptr_array_index (self->connections, i), TR_CLOSE_GOING_AWAY,
                               "host shutting down");
  while (self->polls->len > 0)
    _tr_host_poll_answer (self, g_ptr_array_index (self->polls, self->polls->len - 1));

  _tr_host_clear_source (self, &self->check_id);
  _tr_host_clear_source (self, &self->maintenance_id);
  _tr_host_clear_source (self, &self->throttle_id);
  _tr_host_links_stop (self);
  _tr_host_write_seen (self);
  /* The last writes (the times stations were seen) go before the store
   * is the caller's again. */
  _tr_host_printers_stop (self);
  _tr_host_drain (self);
  _tr_host_writer_stop (self);
  _tr_host_reader_stop (self);
  _tr_host_stats_stop (self);
  if (self->exporter != NULL)
    tr_exporter_stop (self->exporter);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);

  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    if (station->info.connected)
      {
        station->info.connected = FALSE;
        station->n_polls = 0;
        station->info.last_seen = tr_now_ms ();
      }
  _tr_host_stations_changed (self);
}

/* Starts @exporter with this host's context as the thread-default one:
 * its notifications come back where the host's own callbacks do. */
static gboolean
start_exporter (TrHost *self, TrExporter *exporter, GError **error)
{
  gboolean started;

  g_main_context_push_thread_default (self->context);
  tr_exporter_set_default_site (exporter, self->lineage);
  started = tr_exporter_start (exporter, error);
  g_main_context_pop_thread_default (self->context);
  return started;
}

gboolean
tr_host_set_exporter (TrHost *self, TrExporter *exporter, GError **error)
{
  g_autoptr (TrExporter) old = NULL;

  g_return_val_if_fail (TR_IS_HOST (self), FALSE);
  g_return_val_if_fail (exporter == NULL || TR_IS_EXPORTER (exporter), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->exporter == exporter)
    return TRUE;
  g_return_val_if_fail (exporter == NULL || !tr_exporter_is_running (exporter), FALSE);

  if (self->running)
    {
      /* One exporter per host at a time: two would race for the same
       * position in PostgreSQL (the loser's batch is refused, but it
       * would keep retrying). The old one resumes where it stopped if
       * the new one cannot start, so a failure changes nothing. */
      old = self->exporter != NULL ? g_object_ref (self->exporter) : NULL;
      if (old != NULL)
        tr_exporter_stop (old);
      if (exporter != NULL && !start_exporter (self, exporter, error))
        {
          g_autoptr (GError) restart_error = NULL;

          if (old != NULL && !start_exporter (self, old, &restart_error))
            g_warning ("Cannot restart the PostgreSQL export: %s", restart_error->message);
          return FALSE;
        }
    }

  g_set_object (&self->exporter, exporter);
  g_object_notify_by_pspec (G_OBJECT (self), _tr_host_properties[PROP_EXPORTER]);
  return TRUE;
}

gboolean
tr_host_is_running (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), FALSE);

  return self->running;
}

guint
tr_host_get_bound_port (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), 0);

  return self->bound_port;
}

TrStore *
tr_host_get_store (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  return self->store;
}

const char *
tr_host_get_tls_fingerprint (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  return self->tls_fingerprint;
}

static void
tr_host_dispose (GObject *object)
{
  TrHost *self = TR_HOST (object);

  tr_host_stop (self);
  _tr_host_drain (self);

  /* Connections still finishing their close handshake are let go: the
   * close frame was queued, and libsoup finishes the socket on its own. */
  for (guint i = 0; i < self->connections->len; i++)
    ((Connection *)g_ptr_array_index (self->connections, i))->host = NULL;
  g_ptr_array_set_size (self->connections, 0);

  _tr_host_clear_source (self, &self->stations_changed_id);
  _tr_host_clear_source (self, &self->throttle_id);
  _tr_host_clear_source (self, &self->links_flush_id);
  _tr_host_forget_peers (self);
  g_clear_pointer (&self->reader, tr_store_reader_free);
  g_clear_object (&self->store);
  g_clear_object (&self->tls_certificate);
  g_clear_object (&self->exporter);

  G_OBJECT_CLASS (tr_host_parent_class)->dispose (object);
}

static void
tr_host_finalize (GObject *object)
{
  TrHost *self = TR_HOST (object);

  g_ptr_array_unref (self->connections);
  g_ptr_array_unref (self->polls);
  g_ptr_array_unref (self->pending_ops);
  g_ptr_array_unref (self->pending_requests);
  g_free (self->db_id);
  g_free (self->lineage);
  g_free (self->superseded_url);
  _tr_host_event_cache_clear (self);
  g_free (self->event_cache);
  g_hash_table_unref (self->stations);
  g_hash_table_unref (self->peers);
  g_hash_table_unref (self->peers_per_address);
  g_hash_table_unref (self->buckets);
  g_hash_table_unref (self->seen);
  g_ptr_array_unref (self->link_changes);
  g_ptr_array_unref (self->links_writing);
  g_free (self->bound_address);
  g_free (self->tls_fingerprint);
  _tr_host_standby_free_mark (self);
  _tr_host_standby_stream_stop (self);
  g_mutex_clear (&self->standby_early_lock);
  tr_metrics_free (self->metrics);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (tr_host_parent_class)->finalize (object);
}

static void
tr_host_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrHost *self = TR_HOST (object);

  switch (prop_id)
    {
      case PROP_STORE:
        g_value_set_object (value, self->store);
        break;
      case PROP_PORT:
        g_value_set_uint (value, self->port);
        break;
      case PROP_LOOPBACK_ONLY:
        g_value_set_boolean (value, self->loopback_only);
        break;
      case PROP_WEBSOCKET_ENABLED:
        g_value_set_boolean (value, self->websocket_enabled);
        break;
      case PROP_TRAINING:
        g_value_set_boolean (value, self->training);
        break;
      case PROP_MAX_LAG_EVENTS:
        g_value_set_uint (value, self->max_lag_events);
        break;
      case PROP_HEARTBEAT_TIMEOUT:
        g_value_set_uint (value, self->heartbeat_timeout);
        break;
      case PROP_REQUIRE_PAIRING:
        g_value_set_boolean (value, self->require_pairing);
        break;
      case PROP_HELLO_TIMEOUT:
        g_value_set_uint (value, self->hello_timeout);
        break;
      case PROP_REQUEST_TIMEOUT:
        g_value_set_uint (value, self->request_timeout);
        break;
      case PROP_MAX_CONNECTIONS:
        g_value_set_uint (value, self->max_connections);
        break;
      case PROP_MAX_CONNECTIONS_PER_ADDRESS:
        g_value_set_uint (value, self->max_connections_per_address);
        break;
      case PROP_OPS_RATE:
        g_value_set_uint (value, self->ops_rate);
        break;
      case PROP_OPS_BURST:
        g_value_set_uint (value, self->ops_burst);
        break;
      case PROP_OPS_QUEUE:
        g_value_set_uint (value, self->ops_queue);
        break;
      case PROP_TLS_CERTIFICATE:
        g_value_set_object (value, self->tls_certificate);
        break;
      case PROP_BOUND_PORT:
        g_value_set_uint (value, self->bound_port);
        break;
      case PROP_BOUND_ADDRESS:
        g_value_set_string (value, self->bound_address);
        break;
      case PROP_N_STATIONS:
        g_value_set_uint (value, self->n_stations);
        break;
      case PROP_N_CONNECTIONS:
        g_value_set_uint (value, g_hash_table_size (self->peers));
        break;
      case PROP_EXPORTER:
        g_value_set_object (value, self->exporter);
        break;
      case PROP_PRINTER_BACKOFF_MAX:
        g_value_set_uint (value, self->printer_backoff_max);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_property (TrHost *self, guint *field, const GValue *value, GParamSpec *pspec)
{
  guint v = g_value_get_uint (value);

  if (*field != v)
    {
      *field = v;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
set_boolean_property (TrHost *self, gboolean *field, const GValue *value, GParamSpec *pspec)
{
  gboolean v = g_value_get_boolean (value);

  if (*field != v)
    {
      *field = v;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
tr_host_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrHost *self = TR_HOST (object);

  switch (prop_id)
    {
      case PROP_STORE:
        g_set_object (&self->store, g_value_get_object (value));
        if (self->store != NULL)
          _tr_host_writer_watch_store (self);
        break;
      case PROP_PORT:
        if (self->running)
          g_warning ("TrHost:port changes only take effect after a restart");
        set_uint_property (self, &self->port, value, pspec);
        break;
      case PROP_LOOPBACK_ONLY:
        set_boolean_property (self, &self->loopback_only, value, pspec);
        break;
      case PROP_WEBSOCKET_ENABLED:
        set_boolean_property (self, &self->websocket_enabled, value, pspec);
        break;
      case PROP_TRAINING:
        if (self->running)
          g_warning ("TrHost:training is set before start, with the store it describes");
        else
          set_boolean_property (self, &self->training, value, pspec);
        break;
      case PROP_MAX_LAG_EVENTS:
        set_uint_property (self, &self->max_lag_events, value, pspec);
        break;
      case PROP_HEARTBEAT_TIMEOUT:
        set_uint_property (self, &self->heartbeat_timeout, value, pspec);
        break;
      case PROP_REQUIRE_PAIRING:
        set_boolean_property (self, &self->require_pairing, value, pspec);
        break;
      case PROP_HELLO_TIMEOUT:
        set_uint_property (self, &self->hello_timeout, value, pspec);
        break;
      case PROP_REQUEST_TIMEOUT:
        set_uint_property (self, &self->request_timeout, value, pspec);
        break;
      case PROP_MAX_CONNECTIONS:
        set_uint_property (self, &self->max_connections, value, pspec);
        break;
      case PROP_MAX_CONNECTIONS_PER_ADDRESS:
        set_uint_property (self, &self->max_connections_per_address, value, pspec);
        break;
      case PROP_OPS_RATE:
        set_uint_property (self, &self->ops_rate, value, pspec);
        break;
      case PROP_OPS_BURST:
        set_uint_property (self, &self->ops_burst, value, pspec);
        break;
      case PROP_OPS_QUEUE:
        set_uint_property (self, &self->ops_queue, value, pspec);
        break;
      case PROP_TLS_CERTIFICATE:
        if (self->running)
          g_warning ("TrHost:tls-certificate changes only take effect after a restart");
        if (g_set_object (&self->tls_certificate, g_value_get_object (value)))
          {
            g_clear_pointer (&self->tls_fingerprint, g_free);
            if (self->tls_certificate != NULL)
              self->tls_fingerprint = tr_tls_certificate_fingerprint (self->tls_certificate);
            g_object_notify_by_pspec (object, pspec);
          }
        break;
      case PROP_EXPORTER:
        {
          g_autoptr (GError) error = NULL;

          if (!tr_host_set_exporter (self, g_value_get_object (value), &error))
            g_warning ("TrHost:exporter: %s", error->message);
        }
        break;
      case PROP_PRINTER_BACKOFF_MAX:
        set_uint_property (self, &self->printer_backoff_max, value, pspec);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_host_class_init (TrHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_host_dispose;
  object_class->finalize = tr_host_finalize;
  object_class->get_property = tr_host_get_property;
  object_class->set_property = tr_host_set_property;

  _tr_host_properties[PROP_STORE]
    = g_param_spec_object ("store", NULL, NULL, TR_TYPE_STORE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_PORT] = g_param_spec_uint (
    "port", NULL, NULL, 0, G_MAXUINT16, TR_DEFAULT_PORT,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_LOOPBACK_ONLY] = g_param_spec_boolean (
    "loopback-only", NULL, NULL, FALSE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_WEBSOCKET_ENABLED] = g_param_spec_boolean (
    "websocket-enabled", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Which file the host serves is the station's choice (training.db);
   * the host only says so, in every welcome and in health. */
  _tr_host_properties[PROP_TRAINING]
    = g_param_spec_boolean ("training", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY
                              | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_MAX_LAG_EVENTS] = g_param_spec_uint (
    "max-lag-events", NULL, NULL, 1, G_MAXUINT, DEFAULT_MAX_LAG_EVENTS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_HEARTBEAT_TIMEOUT] = g_param_spec_uint (
    "heartbeat-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_HEARTBEAT_MS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_REQUIRE_PAIRING] = g_param_spec_boolean (
    "require-pairing", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_HELLO_TIMEOUT] = g_param_spec_uint (
    "hello-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_HELLO_TIMEOUT_MS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_REQUEST_TIMEOUT] = g_param_spec_uint (
    "request-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_REQUEST_TIMEOUT_MS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_MAX_CONNECTIONS] = g_param_spec_uint (
    "max-connections", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_CONNECTIONS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_MAX_CONNECTIONS_PER_ADDRESS] = g_param_spec_uint (
    "max-connections-per-address", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_OPS_RATE] = g_param_spec_uint (
    "ops-rate", NULL, NULL, 0, G_MAXUINT, DEFAULT_OPS_RATE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_OPS_BURST] = g_param_spec_uint (
    "ops-burst", NULL, NULL, 1, G_MAXUINT, DEFAULT_OPS_BURST,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_OPS_QUEUE] = g_param_spec_uint (
    "ops-queue", NULL, NULL, 0, G_MAXUINT, DEFAULT_OPS_QUEUE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_TLS_CERTIFICATE]
    = g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_BOUND_PORT] = g_param_spec_uint (
    "bound-port", NULL, NULL, 0, G_MAXUINT16, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_BOUND_ADDRESS] = g_param_spec_string (
    "bound-address", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_N_STATIONS] = g_param_spec_uint (
    "n-stations", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_N_CONNECTIONS] = g_param_spec_uint (
    "n-connections", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  _tr_host_properties[PROP_EXPORTER]
    = g_param_spec_object ("exporter", NULL, NULL, TR_TYPE_EXPORTER,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Tests set it short, so that a printer back online prints soon. */
  _tr_host_properties[PROP_PRINTER_BACKOFF_MAX] = g_param_spec_uint (
    "printer-backoff-max", NULL, NULL, 100, 600000, 30000,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, _tr_host_properties);

  _tr_host_signals[STATIONS_CHANGED]
    = g_signal_new ("stations-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);
  /* The array is the host's, only for the emission (static scope). */
  _tr_host_signals[EVENTS_COMMITTED]
    = g_signal_new ("events-committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);
  _tr_host_signals[PRINTERS_CHANGED]
    = g_signal_new ("printers-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);
}

static void
tr_host_init (TrHost *self)
{
  self->port = TR_DEFAULT_PORT;
  self->websocket_enabled = TRUE;
  self->max_lag_events = DEFAULT_MAX_LAG_EVENTS;
  self->heartbeat_timeout = DEFAULT_HEARTBEAT_MS;
  self->connections = g_ptr_array_new_with_free_func ((GDestroyNotify)_tr_host_connection_unref);
  self->polls = g_ptr_array_new_with_free_func ((GDestroyNotify)_tr_host_poll_free);
  self->pending_ops = g_ptr_array_new_with_free_func (_tr_host_pending_op_free);
  self->pending_requests = g_ptr_array_new ();
  self->metrics = tr_metrics_new ();
  g_mutex_init (&self->standby_early_lock);
  self->event_cache = g_malloc0 (EVENT_CACHE_SLOTS * sizeof *self->event_cache);
  self->stations
    = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)_tr_host_station_free);
  self->require_pairing = TRUE;
  self->hello_timeout = DEFAULT_HELLO_TIMEOUT_MS;
  self->request_timeout = DEFAULT_REQUEST_TIMEOUT_MS;
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->max_connections_per_address = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  self->ops_rate = DEFAULT_OPS_RATE;
  self->ops_burst = DEFAULT_OPS_BURST;
  self->ops_queue = DEFAULT_OPS_QUEUE;
  self->printer_backoff_max = 30000;
  self->peers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, _tr_host_peer_free);
  self->peers_per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->link_changes = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);
  self->links_writing = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
}
