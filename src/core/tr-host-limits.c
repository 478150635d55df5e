/* tr-host-limits.c: the host's rate and connection limits
 *
 * Token buckets for ops (WebSocket ops wait in a per-connection queue,
 * HTTP requests get 429), connections per address and in all, the
 * request timer against slow clients, body sizes and foreign origins
 * (docs/security.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <string.h>
#include <sys/socket.h>

#include "tr-error.h"
#include "tr-protocol.h"

/* Takes @n tokens from @key's bucket; FALSE (taking none) when it holds
 * fewer, with *@out_wait_ms until it would hold @n. */
static gboolean
bucket_take (TrHost *self, const char *key, guint n, gint64 *out_wait_ms)
{
  Bucket *bucket;
  gint64 now = _tr_host_monotonic_ms ();

  if (self->ops_rate == 0)
    return TRUE;
  bucket = g_hash_table_lookup (self->buckets, key);
  if (bucket == NULL)
    {
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = self->ops_burst;
      bucket->updated_at = now;
      g_hash_table_insert (self->buckets, g_strdup (key), bucket);
    }
  bucket->tokens = MIN ((double)self->ops_burst,
                        bucket->tokens + (double)(now - bucket->updated_at) * self->ops_rate / 1000.0);
  bucket->updated_at = now;
  if (bucket->tokens >= n)
    {
      bucket->tokens -= n;
      return TRUE;
    }
  if (out_wait_ms != NULL)
    *out_wait_ms = (gint64)((n - bucket->tokens) * 1000.0 / self->ops_rate) + 1;
  return FALSE;
}

static gboolean
throttle_cb (gpointer user_data);

static void
schedule_throttle (TrHost *self)
{
  if (self->throttle_id == 0)
    self->throttle_id
      = _tr_host_timeout_add (self, MAX (1u, 1000 / MAX (1u, self->ops_rate)), throttle_cb, self);
}

/* An op (or an invalid op's rejection) from a station's WebSocket: at
 * once while its bucket has tokens, else queued behind the ones already
 * waiting, so acks keep the order of the frames. A station whose queue
 * overflows is flooding: it is closed with 4429, and what it sent but
 * was not acked stays in its outbox for later. */
void
_tr_host_connection_submit (TrHost *self, Connection *conn, TrOp *op, TrOutcome *invalid)
{
  PendingOp *pending;

  if (conn->closing)
    {
      g_clear_pointer (&op, tr_op_free);
      g_clear_pointer (&invalid, tr_outcome_free);
      return;
    }
  if (conn->throttled.length == 0 && bucket_take (self, conn->station_id, 1, NULL))
    {
      _tr_host_enqueue_op (self, op, invalid, conn, NULL);
      return;
    }
  if (conn->throttled.length >= self->ops_queue)
    {
      g_autofree char *message = g_strdup_printf (
        "more than %u ops waiting at %u ops/s; send fewer, or wait for the acks", self->ops_queue,
        self->ops_rate);

      g_clear_pointer (&op, tr_op_free);
      g_clear_pointer (&invalid, tr_outcome_free);
      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_LIMIT), message,
                                TR_CLOSE_RATE_LIMITED, "rate limited");
      return;
    }
  pending = g_new0 (PendingOp, 1);
  pending->op = op;
  pending->invalid = invalid;
  pending->received_at = g_get_monotonic_time ();
  g_queue_push_tail (&conn->throttled, pending);
  schedule_throttle (self);
}

static gboolean
throttle_cb (gpointer user_data)
{
  TrHost *self = user_data;
  gboolean waiting = FALSE;

  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *conn = g_ptr_array_index (self->connections, i);

      while (conn->throttled.length > 0 && bucket_take (self, conn->station_id, 1, NULL))
        {
          PendingOp *pending = g_queue_pop_head (&conn->throttled);
          PendingOp *queued = _tr_host_enqueue_op (self, g_steal_pointer (&pending->op),
                                                   g_steal_pointer (&pending->invalid), conn, NULL);

          /* Its ack time counts the wait for the bucket too. */
          queued->received_at = pending->received_at;
          _tr_host_pending_op_free (pending);
        }
      if (conn->throttled.length > 0)
        waiting = TRUE;
    }
  if (waiting)
    return G_SOURCE_CONTINUE;
  self->throttle_id = 0;
  return G_SOURCE_REMOVE;
}

/* Cross-site WebSocket hijacking and drive-by requests: a browser names
 * the page's origin, which must be this host as the browser addressed
 * it (scheme://Host). Native stations send no Origin. */
gboolean
_tr_host_origin_is_foreign (TrHost *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  const char *host = soup_message_headers_get_one (headers, "Host");
  const char *scheme = self->tls_certificate != NULL ? "https" : "http";
  g_autoptr (GUri) origin_uri = NULL;
  g_autoptr (GUri) host_uri = NULL;
  g_autofree char *host_url = NULL;
  int origin_port, host_port;

  if (origin == NULL)
    return FALSE;
  if (host == NULL || strpbrk (host, "/?#@ ") != NULL)
    return TRUE;
  host_url = g_strdup_printf ("%s://%s/", scheme, host);
  origin_uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  host_uri = g_uri_parse (host_url, G_URI_FLAGS_NONE, NULL);
  /* "null" (a sandboxed or file: page) does not parse. */
  if (origin_uri == NULL || host_uri == NULL || g_uri_get_host (origin_uri) == NULL
      || g_uri_get_host (host_uri) == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (origin_uri), scheme) != 0
      || g_ascii_strcasecmp (g_uri_get_host (origin_uri), g_uri_get_host (host_uri)) != 0)
    return TRUE;
  origin_port = g_uri_get_port (origin_uri);
  host_port = g_uri_get_port (host_uri);
  if (origin_port < 0)
    origin_port = g_str_equal (scheme, "https") ? 443 : 80;
  if (host_port < 0)
    host_port = g_str_equal (scheme, "https") ? 443 : 80;
  return origin_port != host_port;
}

/* The rate limit for ops that come over HTTP: the whole request fits in
 * the station's bucket or it gets 429 and nothing is applied; the
 * station keeps the ops in its outbox and retries after Retry-After. */
gboolean
_tr_host_take_http_tokens (TrHost *self, SoupServerMessage *msg, const char *station_id, guint n)
{
  g_autofree char *key = station_id != NULL
                           ? g_strdup (station_id)
                           : g_strconcat ("@", soup_server_message_get_remote_host (msg), NULL);
  g_autofree char *message = NULL;
  g_autofree char *retry = NULL;
  gint64 wait_ms = 0;

  if (n > self->ops_burst && self->ops_rate > 0)
    {
      message = g_strdup_printf ("%u ops in one request; at most %u", n, self->ops_burst);
      _tr_host_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                              tr_error_code_to_string (TR_ERROR_LIMIT), message);
      return FALSE;
    }
  if (bucket_take (self, key, n, &wait_ms))
    return TRUE;
  message = g_strdup_printf ("more than %u ops/s from this station; retry later", self->ops_rate);
  _tr_host_respond_error (msg, HTTP_TOO_MANY_REQUESTS, tr_error_code_to_string (TR_ERROR_LIMIT),
                          message);
  retry = g_strdup_printf ("%" G_GINT64_FORMAT, (wait_ms + 999) / 1000);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                retry);
  return FALSE;
}

/* Oversize bodies are refused before they are read into memory. */
static void
refuse_body (SoupServerMessage *msg)
{
  g_autofree char *message = g_strdup_printf ("request body over %d bytes", TR_MAX_BODY_BYTES);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  _tr_host_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                          tr_error_code_to_string (TR_ERROR_LIMIT), message);
}

static void
on_request_got_headers (SoupServerMessage *msg, gpointer user_data)
{
  TrHost *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));

  /* Before any handler and before the body: the whole API refuses other
   * sites' pages (the browser display's own files are public). */
  if (soup_server_message_get_status (msg) == 0 && g_str_has_prefix (path, "/api/")
      && _tr_host_origin_is_foreign (self, msg))
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      _tr_host_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                              "requests from other sites' pages are refused");
      return;
    }
  if (soup_server_message_get_status (msg) == 0
      && soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > TR_MAX_BODY_BYTES)
    refuse_body (msg);
}

static void
on_request_got_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  /* Chunked bodies announce no length. */
  if (soup_server_message_get_status (msg) == 0 && body->length > TR_MAX_BODY_BYTES)
    refuse_body (msg);
}

void
_tr_host_peer_free (gpointer data)
{
  Peer *peer = data;

  _tr_host_clear_source (peer->host, &peer->timeout_id);
  g_free (peer->address);
  g_free (peer);
}

/* Stops counting @peer (and frees it). */
static void
peer_forget (TrHost *self, Peer *peer, GObject *socket)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->peers_per_address, peer->address));

  if (n <= 1)
    g_hash_table_remove (self->peers_per_address, peer->address);
  else
    g_hash_table_insert (self->peers_per_address, g_strdup (peer->address), GUINT_TO_POINTER (n - 1));
  g_hash_table_remove (self->peers, socket);
}

static void
on_peer_socket_gone (gpointer data, GObject *where_the_object_was)
{
  Peer *peer = data;

  peer_forget (peer->host, peer, where_the_object_was);
}

/* Ends @peer's connection and stops counting it (which frees @peer). */
static void
close_peer (Peer *peer)
{
  _tr_host_clear_source (peer->host, &peer->timeout_id);
  /* A shutdown, not a close: libsoup still polls the descriptor, and
   * reads the end of the stream from it. */
  g_socket_shutdown (peer->socket, TRUE, TRUE, NULL);
  /* libsoup closes it on its own time; it counts no more from now on. */
  g_object_weak_unref (G_OBJECT (peer->socket), on_peer_socket_gone, peer);
  peer_forget (peer->host, peer, G_OBJECT (peer->socket));
}

/* libsoup 3.2 has no header or idle timeout: a client that sends its
 * request a byte at a time holds a connection for ever (slowloris). */
static gboolean
peer_timeout_cb (gpointer user_data)
{
  Peer *peer = user_data;

  peer->timeout_id = 0;
  g_debug ("closing the connection from %s: no complete request within %u ms", peer->address,
           peer->host->request_timeout);
  close_peer (peer);
  return G_SOURCE_REMOVE;
}

void
_tr_host_on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  TrHost *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Peer *peer;

  g_signal_connect (msg, "got-headers", G_CALLBACK (on_request_got_headers), self);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_request_got_chunk), NULL);

  if (socket == NULL)
    return;
  peer = g_hash_table_lookup (self->peers, socket);
  if (peer == NULL)
    {
      const char *address = soup_server_message_get_remote_host (msg);
      guint n;

      peer = g_new0 (Peer, 1);
      peer->host = self;
      peer->socket = socket;
      peer->address = g_strdup (address != NULL ? address : "");
      g_object_weak_ref (G_OBJECT (socket), on_peer_socket_gone, peer);
      g_hash_table_insert (self->peers, socket, peer);
      n = GPOINTER_TO_UINT (g_hash_table_lookup (self->peers_per_address, peer->address)) + 1;
      g_hash_table_insert (self->peers_per_address, g_strdup (peer->address), GUINT_TO_POINTER (n));

      if ((self->max_connections > 0 && g_hash_table_size (self->peers) > self->max_connections)
          || (self->max_connections_per_address > 0 && n > self->max_connections_per_address))
        {
          g_autofree char *message = g_strdup_printf (
            "too many connections (at most %u from one address, %u in all)",
            self->max_connections_per_address, self->max_connections);

          g_debug ("refusing a connection from %s: %s", peer->address, message);
          _tr_host_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                  tr_error_code_to_string (TR_ERROR_LIMIT), message);
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Connection", "close");
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", "5");
        }
    }
  /* Also an idle timeout between requests on a kept-alive connection. */
  _tr_host_clear_source (peer->host, &peer->timeout_id);
  if (self->request_timeout > 0)
    peer->timeout_id = _tr_host_timeout_add (self, self->request_timeout, peer_timeout_cb, peer);
}

void
_tr_host_on_request_read (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  TrHost *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Peer *peer = socket != NULL ? g_hash_table_lookup (self->peers, socket) : NULL;

  if (peer != NULL)
    _tr_host_clear_source (peer->host, &peer->timeout_id);
}

/* libsoup 3.2 starts the next request on a kept-alive connection, and
 * emits "request-started", only when its first bytes come: the idle
 * time in between is timed from the end of the previous request. */
void
_tr_host_on_request_done (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  TrHost *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Peer *peer = socket != NULL ? g_hash_table_lookup (self->peers, socket) : NULL;

  if (peer == NULL)
    return;
  _tr_host_clear_source (peer->host, &peer->timeout_id);
  if (self->request_timeout > 0)
    peer->timeout_id = _tr_host_timeout_add (self, self->request_timeout, peer_timeout_cb, peer);
}

void
_tr_host_forget_peers (TrHost *self)
{
  GHashTableIter iter;
  Peer *peer;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&peer))
    g_object_weak_unref (G_OBJECT (peer->socket), on_peer_socket_gone, peer);
  g_hash_table_remove_all (self->peers);
  g_hash_table_remove_all (self->peers_per_address);
}

/* Whether the client of a connection waiting for its next request has
 * hung up: the end of the stream is the next thing to read. libsoup 3.2
 * does not read a kept-alive connection between requests, so it leaves
 * such a socket in CLOSE_WAIT until the request timer fires; a browser
 * that closes a page leaves half a dozen, and they would fill the limit
 * of connections from its address (a screen reloading twice would be
 * refused). */
static gboolean
peer_hung_up (Peer *peer)
{
  char byte;
  gssize n;

  if (peer->timeout_id == 0 || g_socket_is_closed (peer->socket)
      || !(g_socket_condition_check (peer->socket, G_IO_IN | G_IO_HUP | G_IO_ERR)))
    return FALSE;
  n = recv (g_socket_get_fd (peer->socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0;
}

/* libsoup 3.2 never frees the GSocket of a connection it accepted (fixed
 * in 3.3), so the weak reference alone would count a closed connection
 * for ever: closed sockets are swept here too, and so are connections
 * whose client has gone (see peer_hung_up()). */
void
_tr_host_forget_closed_peers (TrHost *self)
{
  GHashTableIter iter;
  Peer *peer;
  g_autoptr (GPtrArray) closed = g_ptr_array_new ();
  g_autoptr (GPtrArray) gone = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&peer))
    {
      if (g_socket_is_closed (peer->socket))
        g_ptr_array_add (closed, peer);
      else if (peer_hung_up (peer))
        g_ptr_array_add (gone, peer);
    }
  for (guint i = 0; i < closed->len; i++)
    {
      peer = g_ptr_array_index (closed, i);
      g_object_weak_unref (G_OBJECT (peer->socket), on_peer_socket_gone, peer);
      peer_forget (self, peer, G_OBJECT (peer->socket));
    }
  for (guint i = 0; i < gone->len; i++)
    {
      peer = g_ptr_array_index (gone, i);
      g_debug ("closing the connection from %s: the client has hung up", peer->address);
      close_peer (peer);
    }
}
