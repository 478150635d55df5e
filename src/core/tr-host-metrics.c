/* tr-host-metrics.c: GET /metrics, for Prometheus
 *
 * The text exposition format 0.0.4 (tr-metrics-text.c) of the host's
 * counters (tr-metrics.c), its stations as the roster knows them, and
 * the process. Who may read it: a paired station's token as a bearer
 * token, or anyone on the host itself (loopback), so that a Prometheus
 * on the same machine needs no token. docs/monitoring.md lists every
 * metric.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-exporter.h"
#include "tr-host-private.h"

#include <string.h>

#include "tr-metrics-text.h"

void
_tr_host_metrics_on_request_finished (SoupServer *server, SoupServerMessage *msg,
                                      gpointer user_data)
{
  TrHost *self = user_data;

  tr_metrics_count_http_request (self->metrics, soup_server_message_get_status (msg));
}

static gboolean
is_loopback (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  GInetAddress *address;
  g_autofree char *text = NULL;

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return FALSE;
  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  if (g_inet_address_get_is_loopback (address))
    return TRUE;
  /* 127.0.0.1 on a dual-stack socket arrives as ::ffff:127.0.0.1, which
   * GLib does not call loopback. */
  text = g_inet_address_to_string (address);
  return g_str_has_prefix (text, "::ffff:127.");
}

/* A bearer token must be a live station's; without one, only the host
 * itself may ask. Either way, regardless of "require-pairing": the
 * metrics name every station and address, and an unpaired host's
 * stations have no tokens to show. */
static gboolean
authorize (TrHost *self, SoupServerMessage *msg)
{
  const char *header
    = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *token = NULL;
  g_autofree char *station_id = NULL;
  AuthResult result;

  if (header == NULL && is_loopback (msg))
    return TRUE;
  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    token = g_strstrip (g_strdup (header + 7));
  result = _tr_host_check_token (self, token, &station_id, NULL, NULL);
  if (result == AUTH_OK)
    return TRUE;
  if (result == AUTH_FAILED)
    _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "store",
                            _tr_host_auth_message (result));
  else
    {
      _tr_host_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                              header == NULL
                                ? "metrics need a station token, except from the host itself"
                                : _tr_host_auth_message (result));
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer realm=\"ticketrail\"");
    }
  return FALSE;
}

static void
write_stations (TrHost *self, GString *out)
{
  g_autoptr (GPtrArray) stations = tr_host_list_stations (self);
  guint n_websocket = 0;
  guint n_polling = 0;

  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);

      if (!info->connected)
        continue;
      if (g_strcmp0 (info->transport, "polling") == 0)
        n_polling++;
      else
        n_websocket++;
    }
  tr_metrics_text_family (out, "ticketrail_stations_connected", "gauge",
                          "Stations connected now, by transport.");
  {
    const char *websocket[] = { "transport", "websocket", NULL };
    const char *polling[] = { "transport", "polling", NULL };

    tr_metrics_text_sample (out, "ticketrail_stations_connected", polling, n_polling);
    tr_metrics_text_sample (out, "ticketrail_stations_connected", websocket, n_websocket);
  }

  /* Revoked stations are left out: they are not expected back. */
  tr_metrics_text_family (out, "ticketrail_station_up", "gauge",
                          "1 while the station is connected, 0 while a known or paired "
                          "station is not.");
  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);
      const char *labels[] = { "station", info->station_id,
                               "name",    info->name ? info->name : "",
                               "role",    info->role ? info->role : "",
                               NULL };

      if (!info->revoked)
        tr_metrics_text_sample (out, "ticketrail_station_up", labels, info->connected ? 1 : 0);
    }

  tr_metrics_text_family (out, "ticketrail_station_reconnects_total", "counter",
                          "Times the station connected again since the host started.");
  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);
      const char *labels[] = { "station", info->station_id, NULL };

      if (!info->revoked)
        tr_metrics_text_sample (out, "ticketrail_station_reconnects_total", labels,
                                info->reconnects);
    }

  /* The next two come from the station's pings: only a station that
   * connected over WebSocket since the host started has sent one (a
   * polling station does not ping). */
  tr_metrics_text_family (out, "ticketrail_station_outbox_ops", "gauge",
                          "Ops waiting in the station's outbox, as of its last ping.");
  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);
      const char *labels[] = { "station", info->station_id, NULL };

      if (!info->revoked && info->connected_since != 0
          && g_strcmp0 (info->transport, "websocket") == 0)
        tr_metrics_text_sample (out, "ticketrail_station_outbox_ops", labels, info->queued_ops);
    }
  tr_metrics_text_family (out, "ticketrail_station_latency_seconds", "gauge",
                          "The station's last measured ping round trip to the host.");
  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);
      const char *labels[] = { "station", info->station_id, NULL };

      if (!info->revoked && info->latency_ms >= 0)
        tr_metrics_text_sample (out, "ticketrail_station_latency_seconds", labels,
                                (double)info->latency_ms / 1000.0);
    }
}

/* The PostgreSQL export's lag (issue 16), when the host runs one and
 * knows it: what an alert on a stalled export watches. */
static void
write_export (TrHost *self, GString *out)
{
  gint64 events;
  gint64 seconds;

  if (self->exporter == NULL)
    return;
  events = tr_exporter_get_lag_events (self->exporter);
  seconds = tr_exporter_get_lag_seconds (self->exporter);
  tr_metrics_text_family (out, "ticketrail_export_connected", "gauge",
                          "1 while the exporter is connected to PostgreSQL.");
  tr_metrics_text_sample (out, "ticketrail_export_connected", NULL,
                          tr_exporter_get_connected (self->exporter) ? 1 : 0);
  if (events >= 0)
    {
      tr_metrics_text_family (out, "ticketrail_export_lag_events", "gauge",
                              "Events in the host's log not yet in PostgreSQL.");
      tr_metrics_text_sample (out, "ticketrail_export_lag_events", NULL, (double)events);
    }
  if (seconds >= 0)
    {
      tr_metrics_text_family (out, "ticketrail_export_lag_seconds", "gauge",
                              "Age of the oldest event not yet in PostgreSQL.");
      tr_metrics_text_sample (out, "ticketrail_export_lag_seconds", NULL, (double)seconds);
    }
}

void
_tr_host_handle_metrics (SoupServer *server, SoupServerMessage *msg, const char *path,
                         GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  SoupMessageHeaders *headers;
  GString *out;

  if (!_tr_host_require_exact_path (msg, path, "/metrics")
      || !_tr_host_require_method (msg, SOUP_METHOD_GET, SOUP_METHOD_HEAD, NULL)
      || !authorize (self, msg))
    return;

  out = g_string_sized_new (8192);
  write_stations (self, out);
  tr_metrics_text_family (out, "ticketrail_events_head_seq", "gauge",
                          "The newest event committed and sent out.");
  tr_metrics_text_sample (out, "ticketrail_events_head_seq", NULL, (double)self->head_seq);
  tr_metrics_text_family (out, "ticketrail_standby_connected", "gauge",
                          "1 while a standby is connected and in sync: acks wait for it.");
  tr_metrics_text_sample (out, "ticketrail_standby_connected", NULL,
                          tr_host_get_standby_connected (self) ? 1 : 0);
  write_export (self, out);
  _tr_host_printers_metrics (self, out);
  tr_metrics_write (self->metrics, out);
  tr_metrics_write_process (out);

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, TR_METRICS_CONTENT_TYPE, SOUP_MEMORY_TAKE, out->str,
                                    out->len);
  g_string_free (out, FALSE);
}
