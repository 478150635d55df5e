/* tr-test-proxy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-test-proxy"

#include "tr-test-proxy.h"

#include <sys/socket.h>

#define CHUNK_SIZE 16384

typedef struct _Conn Conn;

/* One direction of one connection. */
typedef struct
{
  Conn *conn;
  GInputStream *in;
  GOutputStream *out;
  guint8 buf[CHUNK_SIZE];
  /* Bytes read and not yet written: held while blackholed. */
  gsize pending;
  gboolean busy; /* a read or write is in flight */
} Pipe;

struct _Conn
{
  gatomicrefcount ref_count;
  TrTestProxy *proxy;      /* NULL once closed */
  GSocketConnection *down; /* the client's side */
  GSocketConnection *up;   /* the target's side; NULL until connected */
  GCancellable *cancellable;
  Pipe pipes[2]; /* 0: down → up, 1: up → down */
};

struct _TrTestProxy
{
  GSocketService *service;
  gulong incoming_id;
  GSocketClient *client;
  guint port;
  guint target_port;
  TrTestProxyMode mode;
  GPtrArray *conns; /* Conn*, open ones */
  guint n_accepted;
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

/* Closes both sockets at once; pending reads and writes end cancelled. */
static void
conn_close (Conn *conn, gboolean reset)
{
  TrTestProxy *proxy = conn->proxy;

  if (proxy == NULL)
    return;
  conn->proxy = NULL;
  g_cancellable_cancel (conn->cancellable);
  close_socket (conn->down, reset);
  close_socket (conn->up, reset);
  /* The list holds a reference; this may drop the last but one. */
  g_ptr_array_remove_fast (proxy->conns, conn);
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
      pipe->pending = 0;
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
      pipe->pending = (gsize)n;
      pipe_pump (pipe);
    }
  conn_unref (conn);
}

/* Moves the pipe one step: write what is pending unless blackholed,
 * else read more. */
static void
pipe_pump (Pipe *pipe)
{
  Conn *conn = pipe->conn;

  if (conn->proxy == NULL || pipe->busy)
    return;
  if (pipe->pending > 0)
    {
      if (conn->proxy->mode == TR_TEST_PROXY_BLACKHOLE)
        return; /* held until the mode changes */
      pipe->busy = TRUE;
      g_output_stream_write_all_async (pipe->out, pipe->buf, pipe->pending, G_PRIORITY_DEFAULT,
                                       conn->cancellable, on_write, pipe);
    }
  else
    {
      if (conn->proxy->mode == TR_TEST_PROXY_BLACKHOLE)
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
      conn->pipes[0].in = g_io_stream_get_input_stream (G_IO_STREAM (conn->down));
      conn->pipes[0].out = g_io_stream_get_output_stream (G_IO_STREAM (conn->up));
      conn->pipes[1].in = g_io_stream_get_input_stream (G_IO_STREAM (conn->up));
      conn->pipes[1].out = g_io_stream_get_output_stream (G_IO_STREAM (conn->down));
      pipe_pump (&conn->pipes[0]);
      pipe_pump (&conn->pipes[1]);
    }
  conn_unref (conn);
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source_object,
             gpointer user_data)
{
  TrTestProxy *proxy = user_data;
  g_autoptr (GInetAddress) loopback = NULL;
  g_autoptr (GSocketAddress) target = NULL;
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
  conn->cancellable = g_cancellable_new ();
  conn->pipes[0].conn = conn;
  conn->pipes[1].conn = conn;
  g_ptr_array_add (proxy->conns, conn);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  target = g_inet_socket_address_new (loopback, proxy->target_port);
  g_socket_client_connect_async (proxy->client, G_SOCKET_CONNECTABLE (target), conn->cancellable,
                                 on_upstream_connected, conn_ref (conn));
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

void
tr_test_proxy_set_mode (TrTestProxy *proxy, TrTestProxyMode mode)
{
  g_autoptr (GPtrArray) conns = NULL;

  g_return_if_fail (proxy != NULL);

  proxy->mode = mode;
  if (mode == TR_TEST_PROXY_BLACKHOLE)
    return;
  /* Resume the pipes a blackhole held; pumping may close connections,
   * so walk a copy. */
  conns = g_ptr_array_new_with_free_func ((GDestroyNotify)conn_unref);
  for (guint i = 0; i < proxy->conns->len; i++)
    g_ptr_array_add (conns, conn_ref (g_ptr_array_index (proxy->conns, i)));
  for (guint i = 0; i < conns->len; i++)
    {
      Conn *conn = g_ptr_array_index (conns, i);

      if (conn->up == NULL)
        continue;
      pipe_pump (&conn->pipes[0]);
      pipe_pump (&conn->pipes[1]);
    }
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
