/* ws-raw.c: a bare WebSocket client for benches (ws-raw.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* memmem */

#include "ws-raw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* A catch-up frame of 100 events is about 140 KB: one or two reads. */
#define READ_SIZE (256 * 1024)
#define MAX_EVENTS 256

typedef enum
{
  RAW_CONNECTING,
  RAW_HEADERS, /* the request is out; reading the 101 */
  RAW_OPEN,
  RAW_DONE,
} RawState;

typedef struct
{
  gpointer station;
  int fd;
  RawState state;
  GByteArray *in;      /* bytes read and not yet parsed */
  GByteArray *message; /* a fragmented message being put together */
} RawConn;

static void
raw_finish (RawConn *conn, const BenchWsRawCallbacks *callbacks, const char *reason)
{
  if (conn->state == RAW_DONE)
    return;
  conn->state = RAW_DONE;
  if (conn->fd >= 0)
    {
      close (conn->fd);
      conn->fd = -1;
    }
  if (reason != NULL && callbacks->closed != NULL)
    callbacks->closed (conn->station, reason);
}

static gboolean
write_all (int fd, const guint8 *data, gsize length)
{
  while (length > 0)
    {
      ssize_t n = send (fd, data, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      /* A hello is a few hundred bytes on a fresh connection: the socket
       * buffer always has room, so EAGAIN here is a failure too. */
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize)n;
    }
  return TRUE;
}

static gboolean
send_text (int fd, const char *text)
{
  gsize length = strlen (text);
  g_autoptr (GByteArray) frame = g_byte_array_sized_new (length + 14);
  guint8 header[14];
  gsize n_header = 0;
  guint32 mask_word = g_random_int ();
  guint8 *mask = (guint8 *)&mask_word;

  header[n_header++] = 0x81; /* FIN, text */
  if (length < 126)
    header[n_header++] = 0x80 | (guint8)length;
  else if (length < 65536)
    {
      header[n_header++] = 0x80 | 126;
      header[n_header++] = (guint8)(length >> 8);
      header[n_header++] = (guint8)length;
    }
  else
    {
      header[n_header++] = 0x80 | 127;
      for (int i = 7; i >= 0; i--)
        header[n_header++] = (guint8)((guint64)length >> (8 * i));
    }
  memcpy (header + n_header, mask, 4);
  n_header += 4;
  g_byte_array_append (frame, header, (guint)n_header);
  g_byte_array_set_size (frame, (guint)(n_header + length));
  for (gsize i = 0; i < length; i++)
    frame->data[n_header + i] = (guint8)text[i] ^ mask[i % 4];
  return write_all (fd, frame->data, frame->len);
}

static void
send_request (RawConn *conn, const BenchWsRawCallbacks *callbacks, guint16 port, const char *path,
              const char *protocol)
{
  g_autofree char *request
    = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                       "Host: 127.0.0.1:%u\r\n"
                       "Upgrade: websocket\r\n"
                       "Connection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n"
                       "Sec-WebSocket-Protocol: %s\r\n"
                       "\r\n",
                       path, port, protocol);

  if (!write_all (conn->fd, (const guint8 *)request, strlen (request)))
    {
      raw_finish (conn, callbacks, "could not send the upgrade request");
      return;
    }
  conn->state = RAW_HEADERS;
}

/* Parses what is in conn->in: the 101, then frames. */
static void
raw_parse (RawConn *conn, const BenchWsRawCallbacks *callbacks)
{
  if (conn->state == RAW_HEADERS)
    {
      const guint8 *end
        = conn->in->len >= 4 ? memmem (conn->in->data, conn->in->len, "\r\n\r\n", 4) : NULL;
      g_autofree char *hello = NULL;

      if (end == NULL)
        return;
      if (conn->in->len < 12 || memcmp (conn->in->data, "HTTP/1.1 101", 12) != 0)
        {
          g_autofree char *status = g_strndup ((const char *)conn->in->data,
                                               MIN (conn->in->len, 64));

          raw_finish (conn, callbacks, status);
          return;
        }
      g_byte_array_remove_range (conn->in, 0, (guint)(end + 4 - conn->in->data));
      conn->state = RAW_OPEN;
      hello = callbacks->upgraded (conn->station);
      if (hello != NULL && !send_text (conn->fd, hello))
        {
          raw_finish (conn, callbacks, "could not send the first frame");
          return;
        }
    }

  while (conn->state == RAW_OPEN)
    {
      const guint8 *p = conn->in->data;
      gsize available = conn->in->len;
      gsize header = 2;
      guint64 length;
      guint8 opcode;
      gboolean fin;

      if (available < 2)
        return;
      fin = (p[0] & 0x80) != 0;
      opcode = p[0] & 0x0f;
      length = p[1] & 0x7f;
      if (length == 126)
        {
          if (available < 4)
            return;
          length = ((guint64)p[2] << 8) | p[3];
          header = 4;
        }
      else if (length == 127)
        {
          if (available < 10)
            return;
          length = 0;
          for (int i = 0; i < 8; i++)
            length = (length << 8) | p[2 + i];
          header = 10;
        }
      if (p[1] & 0x80)
        header += 4; /* a server never masks; skip it if one did */
      if (available < header + length)
        return;

      switch (opcode)
        {
        case 0x0: /* continuation */
        case 0x1: /* text */
          if (!fin || conn->message->len > 0)
            {
              g_byte_array_append (conn->message, p + header, (guint)length);
              if (fin)
                {
                  callbacks->text (conn->station, (const char *)conn->message->data,
                                   conn->message->len);
                  g_byte_array_set_size (conn->message, 0);
                }
            }
          else
            callbacks->text (conn->station, (const char *)p + header, (gsize)length);
          break;
        case 0x8: /* close */
          raw_finish (conn, callbacks, "closed by the server");
          return;
        default: /* ping, pong, binary: a bench has no use for them */
          break;
        }
      g_byte_array_remove_range (conn->in, 0, (guint)(header + length));
    }
}

static void
raw_read (RawConn *conn, const BenchWsRawCallbacks *callbacks, guint8 *buffer)
{
  for (;;)
    {
      ssize_t n = recv (conn->fd, buffer, READ_SIZE, 0);

      if (n > 0)
        {
          g_byte_array_append (conn->in, buffer, (guint)n);
          if (n < READ_SIZE)
            break;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      raw_finish (conn, callbacks, n == 0 ? "the server hung up" : g_strerror (errno));
      return;
    }
  raw_parse (conn, callbacks);
}

gboolean
bench_ws_raw_run (guint16 port, const char *path, const char *protocol, GPtrArray *stations,
                  const BenchWsRawCallbacks *callbacks, gboolean (*done) (gpointer data),
                  gpointer done_data, guint timeout_ms, GError **error)
{
  int epfd = epoll_create1 (EPOLL_CLOEXEC);
  g_autofree RawConn *conns = g_new0 (RawConn, MAX (stations->len, 1));
  g_autofree guint8 *buffer = g_malloc (READ_SIZE);
  struct sockaddr_in address = { 0 };
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  gboolean ok = TRUE;

  if (epfd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "epoll_create1: %s",
                   g_strerror (errno));
      return FALSE;
    }
  address.sin_family = AF_INET;
  address.sin_port = htons (port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);

  for (guint i = 0; i < stations->len; i++)
    {
      RawConn *conn = &conns[i];
      struct epoll_event event = { .events = EPOLLIN | EPOLLOUT, .data.ptr = conn };
      int one = 1;

      conn->station = g_ptr_array_index (stations, i);
      conn->in = g_byte_array_new ();
      conn->message = g_byte_array_new ();
      conn->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (conn->fd < 0)
        {
          raw_finish (conn, callbacks, g_strerror (errno));
          continue;
        }
      setsockopt (conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (connect (conn->fd, (struct sockaddr *)&address, sizeof address) < 0
          && errno != EINPROGRESS)
        {
          raw_finish (conn, callbacks, g_strerror (errno));
          continue;
        }
      conn->state = RAW_CONNECTING;
      if (epoll_ctl (epfd, EPOLL_CTL_ADD, conn->fd, &event) < 0)
        raw_finish (conn, callbacks, g_strerror (errno));
    }

  while (!done (done_data))
    {
      struct epoll_event events[MAX_EVENTS];
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      int n;

      if (left <= 0)
        break;
      n = epoll_wait (epfd, events, MAX_EVENTS, (int)MIN (left, 100));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "epoll_wait: %s",
                       g_strerror (errno));
          ok = FALSE;
          break;
        }
      for (int e = 0; e < n; e++)
        {
          RawConn *conn = events[e].data.ptr;

          if (conn->state == RAW_DONE)
            continue;
          if (conn->state == RAW_CONNECTING)
            {
              int so_error = 0;
              socklen_t len = sizeof so_error;
              struct epoll_event event = { .events = EPOLLIN, .data.ptr = conn };

              if (!(events[e].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
                continue;
              getsockopt (conn->fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
              if (so_error != 0)
                {
                  raw_finish (conn, callbacks, g_strerror (so_error));
                  continue;
                }
              /* From now on only reads wake this loop up. */
              epoll_ctl (epfd, EPOLL_CTL_MOD, conn->fd, &event);
              if (callbacks->connected != NULL)
                callbacks->connected (conn->station);
              send_request (conn, callbacks, port, path, protocol);
              continue;
            }
          raw_read (conn, callbacks, buffer);
        }
    }

  for (guint i = 0; i < stations->len; i++)
    {
      raw_finish (&conns[i], callbacks, NULL);
      g_clear_pointer (&conns[i].in, g_byte_array_unref);
      g_clear_pointer (&conns[i].message, g_byte_array_unref);
    }
  close (epfd);
  return ok;
}
