/* test-proxy.c: the fault-injecting proxy's own faults, against an echo
 * server on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tr-test-proxy.h"

#define WAIT_S 60

typedef struct
{
  GSocketService *service;
  guint port;
  guint n_accepted;
  gsize n_received; /* bytes the server read, over every connection */
  char *peer;       /* the last client's address */
  GPtrArray *conns;
} Echo;

typedef struct
{
  Echo *echo;
  GSocketConnection *conn;
  guint8 buf[4096];
} EchoConn;

static void
echo_read (EchoConn *ec);

static void
on_echo_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  EchoConn *ec = user_data;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    echo_read (ec);
}

static void
on_echo_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  EchoConn *ec = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    return;
  ec->echo->n_received += (gsize)n;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (ec->conn)), ec->buf,
                                   (gsize)n, G_PRIORITY_DEFAULT, NULL, on_echo_written, ec);
}

static void
echo_read (EchoConn *ec)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (ec->conn)), ec->buf,
                             sizeof ec->buf, G_PRIORITY_DEFAULT, NULL, on_echo_read, ec);
}

static void
echo_conn_free (gpointer data)
{
  EchoConn *ec = data;

  g_io_stream_close (G_IO_STREAM (ec->conn), NULL, NULL);
  g_object_unref (ec->conn);
  g_free (ec);
}

static gboolean
on_echo_incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
                  gpointer user_data)
{
  Echo *echo = user_data;
  EchoConn *ec = g_new0 (EchoConn, 1);
  g_autoptr (GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  echo->n_accepted++;
  g_free (echo->peer);
  echo->peer = remote ? g_inet_address_to_string (
                 g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)))
                      : NULL;
  ec->echo = echo;
  ec->conn = g_object_ref (connection);
  g_ptr_array_add (echo->conns, ec);
  echo_read (ec);
  return TRUE;
}

static void
echo_start (Echo *echo)
{
  g_autoptr (GError) error = NULL;

  echo->conns = g_ptr_array_new_with_free_func (echo_conn_free);
  echo->service = g_socket_service_new ();
  echo->port
    = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (echo->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (echo->service, "incoming", G_CALLBACK (on_echo_incoming), echo);
  g_socket_service_start (echo->service);
}

static void
drain (void)
{
  gint64 end = g_get_monotonic_time () + 100 * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

static void
echo_stop (Echo *echo)
{
  g_socket_service_stop (echo->service);
  g_socket_listener_close (G_SOCKET_LISTENER (echo->service));
  g_ptr_array_unref (echo->conns);
  g_object_unref (echo->service);
  g_free (echo->peer);
  drain ();
}

/* Runs the main loop for @ms. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static GSocketConnection *
connect_to (TrTestProxy *proxy)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *conn;

  /* The kernel completes the handshake from the listen backlog, so a
   * blocking connect does not need the proxy's main loop. */
  conn = g_socket_client_connect_to_host (client, "127.0.0.1",
                                          (guint16)tr_test_proxy_get_port (proxy), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (g_socket_connection_get_socket (conn), FALSE);
  return conn;
}

static void
send_bytes (GSocketConnection *conn, const guint8 *data, gsize length)
{
  GPollableOutputStream *out
    = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (conn)));
  gsize done = 0;

  while (done < length)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (out, data + done, length - done, NULL,
                                                             &error);

      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          spin (1);
          continue;
        }
      done += (gsize)n;
    }
}

/* Reads what has arrived within @ms into @got. */
static void
receive_for (GSocketConnection *conn, GByteArray *got, gsize want, guint ms)
{
  GPollableInputStream *in
    = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (got->len < want && g_get_monotonic_time () < end)
    {
      guint8 buf[4096];
      g_autoptr (GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (in, buf, sizeof buf, NULL, &error);

      if (n > 0)
        g_byte_array_append (got, buf, (guint)n);
      else
        {
          g_assert_true (n < 0);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          spin (1);
        }
    }
}

typedef struct
{
  gsize to_target;
  gsize from_target;
  guint chunks;
} Tap;

static void
on_tap (TrTestProxy *proxy, gboolean to_target, const guint8 *data, gsize length,
        gpointer user_data)
{
  Tap *tap = user_data;

  if (to_target)
    tap->to_target += length;
  else
    tap->from_target += length;
  tap->chunks++;
}

static guint8 *
pattern (gsize length)
{
  guint8 *data = g_malloc (length);

  for (gsize i = 0; i < length; i++)
    data[i] = (guint8)(i * 7 + i / 251);
  return data;
}

static void
test_split (void)
{
  Echo echo = { 0 };
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GByteArray) got = g_byte_array_new ();
  g_autofree guint8 *data = pattern (5000);
  Tap tap = { 0 };

  echo_start (&echo);
  proxy = tr_test_proxy_new (echo.port, &error);
  g_assert_no_error (error);
  tr_test_proxy_set_tap (proxy, on_tap, &tap);
  tr_test_proxy_set_split (proxy, TRUE);
  conn = connect_to (proxy);

  send_bytes (conn, data, 5000);
  receive_for (conn, got, 5000, WAIT_S * 1000);
  /* Every byte, in order, through a proxy writing one byte at a time
   * both ways. */
  g_assert_cmpmem (got->data, got->len, data, 5000);
  g_assert_cmpuint (tap.to_target, ==, 5000);
  g_assert_cmpuint (tap.from_target, ==, 5000);
  /* The echo server's side was written byte by byte, so it read the
   * data in more than one piece, and so did the client's side. */
  g_assert_cmpuint (tap.chunks, >, 2);

  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  g_clear_pointer (&proxy, tr_test_proxy_free);
  echo_stop (&echo);
}

static void
test_delay (void)
{
  Echo echo = { 0 };
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GByteArray) got = g_byte_array_new ();
  gint64 start;

  echo_start (&echo);
  proxy = tr_test_proxy_new (echo.port, &error);
  g_assert_no_error (error);
  tr_test_proxy_set_delay (proxy, 150, 50);
  conn = connect_to (proxy);

  start = g_get_monotonic_time ();
  send_bytes (conn, (const guint8 *)"hello", 5);
  receive_for (conn, got, 5, WAIT_S * 1000);
  g_assert_cmpmem (got->data, got->len, "hello", 5);
  /* Held at least the delay each way: a lower bound, never a speed
   * target. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * 150 * 1000);

  /* Off again: the next chunk is not held. */
  tr_test_proxy_set_delay (proxy, 0, 0);
  g_byte_array_set_size (got, 0);
  send_bytes (conn, (const guint8 *)"again", 5);
  receive_for (conn, got, 5, WAIT_S * 1000);
  g_assert_cmpmem (got->data, got->len, "again", 5);

  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  g_clear_pointer (&proxy, tr_test_proxy_free);
  echo_stop (&echo);
}

static void
test_half_open (void)
{
  Echo echo = { 0 };
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GByteArray) got = g_byte_array_new ();

  echo_start (&echo);
  proxy = tr_test_proxy_new (echo.port, &error);
  g_assert_no_error (error);
  conn = connect_to (proxy);
  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_HALF_OPEN);

  send_bytes (conn, (const guint8 *)"order", 5);
  /* The request lands... */
  while (echo.n_received < 5)
    spin (1);
  /* ...the reply does not. */
  receive_for (conn, got, 5, 300);
  g_assert_cmpuint (got->len, ==, 0);

  /* The path heals: what was held goes out. */
  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_FORWARD);
  receive_for (conn, got, 5, WAIT_S * 1000);
  g_assert_cmpmem (got->data, got->len, "order", 5);

  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  g_clear_pointer (&proxy, tr_test_proxy_free);
  echo_stop (&echo);
}

static void
test_blackhole_connects_late (void)
{
  Echo echo = { 0 };
  g_autoptr (TrTestProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GByteArray) got = g_byte_array_new ();

  echo_start (&echo);
  proxy = tr_test_proxy_new (echo.port, &error);
  g_assert_no_error (error);
  tr_test_proxy_set_source_address (proxy, "127.0.0.7");
  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_BLACKHOLE);
  conn = connect_to (proxy);
  send_bytes (conn, (const guint8 *)"x", 1);
  spin (300);

  /* On a dead path the far end never hears of the connection. */
  g_assert_cmpuint (tr_test_proxy_get_n_connections (proxy), ==, 1);
  g_assert_cmpuint (echo.n_accepted, ==, 0);

  tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_FORWARD);
  receive_for (conn, got, 1, WAIT_S * 1000);
  g_assert_cmpmem (got->data, got->len, "x", 1);
  g_assert_cmpuint (echo.n_accepted, ==, 1);
  /* From the address it was given, as its own device. */
  g_assert_cmpstr (echo.peer, ==, "127.0.0.7");

  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  g_clear_pointer (&proxy, tr_test_proxy_free);
  echo_stop (&echo);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proxy/split", test_split);
  g_test_add_func ("/proxy/delay", test_delay);
  g_test_add_func ("/proxy/half-open", test_half_open);
  g_test_add_func ("/proxy/blackhole-connects-late", test_blackhole_connects_late);
  return g_test_run ();
}
