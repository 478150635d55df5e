/* tr-test-proxy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-test-proxy"

#include "tr-test-proxy.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define CHUNK_SIZE 16384
/* Split writes go out this many bytes per main-loop turn, so the peer
 * gets to read between them and other connections keep moving. */
#define SPLIT_BURST 32

typedef struct _Conn Conn;

/* One direction of one connection. */
typedef struct
{
  Conn *conn;
  gboolean to_target;
  GInputStream *in;
  GOutputStream *out;
  guint8 buf[CHUNK_SIZE];
  /* Bytes read and not yet written (held while blackholed): buf[offset,
   * pending). */
  gsize pending;
  gsize offset;
  gboolean delayed; /* the chunk in buf has served its delay */
  gboolean busy;    /* a read, a write or a timer is in flight */
  GSource *source;  /* the delay timer or a split write's wait; holds a ref */
} Pipe;

struct _Conn
{
  gatomicrefcount ref_count;
  TrTestProxy *proxy;      /* NULL once closed */
  GSocketConnection *down; /* the client's side */
  GSocketConnection *up;   /* the target's side; NULL until connected */
  gboolean connecting;     /* an upstream connect is in flight */
  GCancellable *cancellable;
  Pipe pipes[2]; /* 0: down → up, 1: up → down */
};

struct _TrTestProxy
{
  GSocketService *service;
  gulong incoming_id;
  GSocketClient *client;
  GMainContext *context;
  guint port;
  guint target_port;
  TrTestProxyMode mode;
  GPtrArray *conns; /* Conn*, open ones */
  guint n_accepted;
  guint delay_ms;
  guint jitter_ms;
  gboolean split;
  TrTestProxyTap tap;
  gpointer tap_data;
};

static void
pipe_pump (Pipe *pipe);

static Conn *
conn_ref (Conn *conn)
{
  g_atomic_ref_count_inc (&conn->ref_count);
  return conn;
}

static void
conn_unref (Conn *conn)
{
  if (!g_atomic_ref_count_dec (&conn->ref_count))
    return;
  g_assert (conn->proxy == NULL);
  g_clear_object (&conn->down);
  g_clear_object (&conn->up);
  g_clear_object (&conn->cancellable);
  g_free (conn);
}

static void
set_nodelay (GSocketConnection *connection)
{
  /* Without it, single-byte writes would wait on delayed acks. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
}

static void
close_socket (GSocketConnection *connection, gboolean reset)
{
  GSocket *socket;

  if (connection == NULL)
    return;
  socket = g_socket_connection_get_socket (connection);
  if (g_socket_is_closed (socket))
    return;
  if (reset)
    {
      /* A zero linger time makes close() send RST instead of FIN. */
      struct linger linger = { .l_onoff = 1, .l_linger = 0 };
      (void)setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
    }
  g_socket_close (socket, NULL);
}

/* Drops a pipe's timer or wait, and the reference it held. */
static void
pipe_clear_source (Pipe *pipe)
{
  if (pipe->source == NULL)
    return;
  g_source_destroy (pipe->source);
  g_clear_pointer (&pipe->source, g_source_unref);
  pipe->busy = FALSE;
  conn_unref (pipe->conn);
}

/* Closes both sockets at once; pending reads and writes end cancelled. */
static void
conn_close (Conn *conn, gboolean reset)
{
  TrTestProxy *proxy = conn->proxy;

  if (proxy == NULL)
    return;
  conn->proxy = NULL;
  conn_ref (conn);
  g_cancellable_cancel (conn->cancellable);
  close_socket (conn->down, reset);
  close_socket (conn->up, reset);
  /* The list holds a reference; this may drop the last but one. */
  g_ptr_array_remove_fast (proxy->conns, conn);
  pipe_clear_source (&conn->pipes[0]);
  pipe_clear_source (&conn->pipes[1]);
  conn_unref (conn);
}

static void
pipe_chunk_done (Pipe *pipe)
{
  pipe->pending = 0;
  pipe->offset = 0;
  pipe->delayed = FALSE;
}

static void
on_write (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pipe *pipe = user_data;
  Conn *conn = pipe->conn;
  g_autoptr (GError) error = NULL;

  pipe->busy = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        conn_close (conn, FALSE);
    }
  else if (conn->proxy != NULL)
    {
      pipe_chunk_done (pipe);
      pipe_pump (pipe);
    }
  conn_unref (conn);
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pipe *pipe = user_data;
  Conn *conn = pipe->conn;
  g_autoptr (GError) error = NULL;
  gssize n;

  pipe->busy = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else if (n <= 0)
    conn_close (conn, FALSE); /* EOF or error on one side ends both */
  else if (conn->proxy != NULL)
    {
      TrTestProxy *proxy = conn->proxy;

      pipe->pending = (gsize)n;
      pipe->offset = 0;
      pipe->delayed = FALSE;
      if (proxy->tap != NULL)
        proxy->tap (proxy, pipe->to_target, pipe->buf, (gsize)n, proxy->tap_data);
      pipe_pump (pipe);
    }
  conn_unref (conn);
}

/* The pipe's source fired: forget it (its reference passes to the
 * caller, which drops it) and move on. */
static gboolean
pipe_source_fired (Pipe *pipe)
{
  Conn *conn = pipe->conn;

  g_clear_pointer (&pipe->source, g_source_unref);
  pipe->busy = FALSE;
  if (conn->proxy != NULL)
    pipe_pump (pipe);
  conn_unref (conn);
  return G_SOURCE_REMOVE;
}

static gboolean
on_delay_done (gpointer user_data)
{
  Pipe *pipe = user_data;

  pipe->delayed = TRUE;
  return pipe_source_fired (pipe);
}

static gboolean
on_split_writable (GObject *stream, gpointer user_data)
{
  return pipe_source_fired (user_data);
}

static gboolean
on_split_next (gpointer user_data)
{
  return pipe_source_fired (user_data);
}

/* Takes @source, which calls @func with the pipe. */
static void
pipe_wait (Pipe *pipe, GSource *source, GSourceFunc func)
{
  g_assert (pipe->source == NULL);
  pipe->busy = TRUE;
  pipe->source = source;
  g_source_set_callback (source, func, pipe, NULL);
  g_source_attach (source, pipe->conn->proxy->context);
  conn_ref (pipe->conn);
}

/* Up to SPLIT_BURST single-byte writes, then a turn of the main loop;
 * waits for the socket when its buffer is full. */
static void
pipe_write_split (Pipe *pipe)
{
  Conn *conn = pipe->conn;
  GPollableOutputStream *out = G_POLLABLE_OUTPUT_STREAM (pipe->out);

  for (guint i = 0; i < SPLIT_BURST && pipe->offset < pipe->pending; i++)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (out, pipe->buf + pipe->offset, 1,
                                                             conn->cancellable, &error);

      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              pipe_wait (pipe, g_pollable_output_stream_create_source (out, conn->cancellable),
                         G_SOURCE_FUNC (on_split_writable));
            }
          else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            conn_close (conn, FALSE);
          return;
        }
      pipe->offset += (gsize)n;
    }
  if (pipe->offset < pipe->pending)
    {
      pipe_wait (pipe, g_idle_source_new (), on_split_next);
      return;
    }
  pipe_chunk_done (pipe);
  pipe_pump (pipe);
}

static gboolean
pipe_held (Pipe *pipe)
{
  TrTestProxyMode mode = pipe->conn->proxy->mode;

  return mode == TR_TEST_PROXY_BLACKHOLE || (mode == TR_TEST_PROXY_HALF_OPEN && !pipe->to_target);
}

/* Moves the pipe one step: hold, delay or write what is pending, else
 * read more. */
static void
pipe_pump (Pipe *pipe)
{
  Conn *conn = pipe->conn;
  TrTestProxy *proxy = conn->proxy;

  if (proxy == NULL || pipe->busy || conn->up == NULL)
    return;
  if (pipe->pending > 0)
    {
      if (pipe_held (pipe))
        return; /* held until the mode changes */
      if (!pipe->delayed && (proxy->delay_ms > 0 || proxy->jitter_ms > 0))
        {
          guint ms = proxy->delay_ms + (guint)g_random_int_range (0, (gint32)proxy->jitter_ms + 1);

          pipe_wait (pipe, g_timeout_source_new (ms), on_delay_done);
          return;
        }
      if (proxy->split)
        {
          pipe_write_split (pipe);
          return;
        }
      pipe->busy = TRUE;
      g_output_stream_write_all_async (pipe->out, pipe->buf + pipe->offset,
                                       pipe->pending - pipe->offset, G_PRIORITY_DEFAULT,
                                       conn->cancellable, on_write, pipe);
    }
  else
    {
      if (pipe_held (pipe))
        return; /* let TCP back up, as on a dead path */
      pipe->busy = TRUE;
      g_input_stream_read_async (pipe->in, pipe->buf, sizeof pipe->buf, G_PRIORITY_DEFAULT,
                                 conn->cancellable, on_read, pipe);
    }
  conn_ref (conn);
}

static void
on_upstream_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Conn *conn = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) up = NULL;

  conn->connecting = FALSE;
  up = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (up == NULL)
    {
      /* Target down: the client sees a reset, as if refused. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        conn_close (conn, TRUE);
    }
  else if (conn->proxy == NULL)
    close_socket (up, FALSE);
  else
    {
      conn->up = g_steal_pointer (&up);
      set_nodelay (conn->up);
      conn->pipes[0].in = g_io_stream_get_input_stream (G_IO_STREAM (conn->down));
      conn->pipes[0].out = g_io_stream_get_output_stream (G_IO_STREAM (conn->up));
      conn->pipes[1].in = g_io_stream_get_input_stream (G_IO_STREAM (conn->up));
      conn->pipes[1].out = g_io_stream_get_output_stream (G_IO_STREAM (conn->down));
      pipe_pump (&conn->pipes[0]);
      pipe_pump (&conn->pipes[1]);
    }
  conn_unref (conn);
}

static void
conn_connect_upstream (Conn *conn)
{
  TrTestProxy *proxy = conn->proxy;
  g_autoptr (GInetAddress) loopback = NULL;
  g_autoptr (GSocketAddress) target = NULL;

  if (conn->up != NULL || conn->connecting)
    return;
  conn->connecting = TRUE;
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  target = g_inet_socket_address_new (loopback, proxy->target_port);
  g_socket_client_connect_async (proxy->client, G_SOCKET_CONNECTABLE (target), conn->cancellable,
                                 on_upstream_connected, conn_ref (conn));
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source_object,
             gpointer user_data)
{
  TrTestProxy *proxy = user_data;
  Conn *conn;

  proxy->n_accepted++;
  if (proxy->mode == TR_TEST_PROXY_REFUSE)
    {
      close_socket (connection, FALSE);
      return TRUE;
    }

  conn = g_new0 (Conn, 1);
  g_atomic_ref_count_init (&conn->ref_count);
  conn->proxy = proxy;
  conn->down = g_object_ref (connection);
  set_nodelay (conn->down);
  conn->cancellable = g_cancellable_new ();
  conn->pipes[0].conn = conn;
  conn->pipes[0].to_target = TRUE;
  conn->pipes[1].conn = conn;
  conn->pipes[1].to_target = FALSE;
  g_ptr_array_add (proxy->conns, conn);

  /* On a dead path the target never hears of the connection. */
  if (proxy->mode != TR_TEST_PROXY_BLACKHOLE)
    conn_connect_upstream (conn);
  return TRUE;
}

/**
 * tr_test_proxy_new:
 * @target_port: the loopback port to forward to
 *
 * Returns: (transfer full): a proxy in FORWARD mode, or %NULL with @error
 */
TrTestProxy *
tr_test_proxy_new (guint target_port, GError **error)
{
  g_autoptr (GInetAddress) loopback = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  TrTestProxy *proxy;

  g_return_val_if_fail (target_port > 0 && target_port <= G_MAXUINT16, NULL);

  proxy = g_new0 (TrTestProxy, 1);
  proxy->target_port = target_port;
  proxy->mode = TR_TEST_PROXY_FORWARD;
  proxy->conns = g_ptr_array_new_with_free_func ((GDestroyNotify)conn_unref);
  proxy->client = g_socket_client_new ();
  proxy->context = g_main_context_ref_thread_default ();
  proxy->service = g_socket_service_new ();

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                      error))
    {
      tr_test_proxy_free (proxy);
      return NULL;
    }
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  proxy->incoming_id
    = g_signal_connect (proxy->service, "incoming", G_CALLBACK (on_incoming), proxy);
  g_socket_service_start (proxy->service);
  return proxy;
}

void
tr_test_proxy_free (TrTestProxy *proxy)
{
  if (proxy == NULL)
    return;

  g_clear_signal_handler (&proxy->incoming_id, proxy->service);
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  while (proxy->conns->len > 0)
    conn_close (g_ptr_array_index (proxy->conns, proxy->conns->len - 1), FALSE);
  g_ptr_array_unref (proxy->conns);
  g_clear_object (&proxy->service);
  g_clear_object (&proxy->client);
  g_clear_pointer (&proxy->context, g_main_context_unref);
  g_free (proxy);
}

guint
tr_test_proxy_get_port (TrTestProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, 0);
  return proxy->port;
}

char *
tr_test_proxy_get_url (TrTestProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  return g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
}

void
tr_test_proxy_set_target_port (TrTestProxy *proxy, guint target_port)
{
  g_return_if_fail (proxy != NULL);
  g_return_if_fail (target_port > 0 && target_port <= G_MAXUINT16);
  proxy->target_port = target_port;
}

/* Pumps every connection (pumping may close some, so walk a copy). */
static void
pump_all (TrTestProxy *proxy)
{
  g_autoptr (GPtrArray) conns = g_ptr_array_new_with_free_func ((GDestroyNotify)conn_unref);

  for (guint i = 0; i < proxy->conns->len; i++)
    g_ptr_array_add (conns, conn_ref (g_ptr_array_index (proxy->conns, i)));
  for (guint i = 0; i < conns->len; i++)
    {
      Conn *conn = g_ptr_array_index (conns, i);

      if (conn->proxy == NULL)
        continue;
      if (conn->up == NULL)
        {
          if (proxy->mode != TR_TEST_PROXY_BLACKHOLE)
            conn_connect_upstream (conn);
          continue;
        }
      pipe_pump (&conn->pipes[0]);
      pipe_pump (&conn->pipes[1]);
    }
}

void
tr_test_proxy_set_mode (TrTestProxy *proxy, TrTestProxyMode mode)
{
  g_return_if_fail (proxy != NULL);

  proxy->mode = mode;
  if (mode == TR_TEST_PROXY_BLACKHOLE)
    return;
  /* Resume the pipes a blackhole held, and connect the connections it
   * accepted. */
  pump_all (proxy);
}

TrTestProxyMode
tr_test_proxy_get_mode (TrTestProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, TR_TEST_PROXY_FORWARD);
  return proxy->mode;
}

guint
tr_test_proxy_cut (TrTestProxy *proxy, gboolean reset)
{
  guint n = 0;

  g_return_val_if_fail (proxy != NULL, 0);

  while (proxy->conns->len > 0)
    {
      conn_close (g_ptr_array_index (proxy->conns, proxy->conns->len - 1), reset);
      n++;
    }
  return n;
}

guint
tr_test_proxy_get_n_connections (TrTestProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, 0);
  return proxy->conns->len;
}

guint
tr_test_proxy_get_n_accepted (TrTestProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, 0);
  return proxy->n_accepted;
}

void
tr_test_proxy_set_delay (TrTestProxy *proxy, guint delay_ms, guint jitter_ms)
{
  g_return_if_fail (proxy != NULL);
  g_return_if_fail (jitter_ms < G_MAXINT32);

  proxy->delay_ms = delay_ms;
  proxy->jitter_ms = jitter_ms;
}

void
tr_test_proxy_set_split (TrTestProxy *proxy, gboolean split)
{
  g_return_if_fail (proxy != NULL);
  proxy->split = !!split;
}

void
tr_test_proxy_set_source_address (TrTestProxy *proxy, const char *address)
{
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) local = NULL;

  g_return_if_fail (proxy != NULL);

  if (address != NULL)
    {
      inet = g_inet_address_new_from_string (address);
      g_return_if_fail (inet != NULL && g_inet_address_get_is_loopback (inet));
      local = g_inet_socket_address_new (inet, 0);
    }
  g_socket_client_set_local_address (proxy->client, local);
}

void
tr_test_proxy_set_tap (TrTestProxy *proxy, TrTestProxyTap tap, gpointer user_data)
{
  g_return_if_fail (proxy != NULL);
  proxy->tap = tap;
  proxy->tap_data = user_data;
}
