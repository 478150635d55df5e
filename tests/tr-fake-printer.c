/* tr-fake-printer.c: a kitchen printer on loopback, for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-fake-printer.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include "tr-test-escpos.h"
#include "tr-test-peer.h"

typedef struct
{
  GSocket *socket;
  TrTestEscpos *reader;
  guint answered; /* status queries answered */
} Client;

struct _TrFakePrinter
{
  guint columns;
  guint port;
  GThread *thread;
  GMutex lock;
  GCond cond;
  /* Under lock. */
  gboolean stop;
  TrFakePrinterMode mode;
  guint generation;      /* of mode */
  guint seen_generation; /* the thread has acted on mode */
  GPtrArray *slips; /* char* */
  guint n_queries;
  guint n_connections;
  /* The thread's only. */
  GSocket *listener;
  GPtrArray *clients; /* Client* */
};

static void
client_free (gpointer data)
{
  Client *client = data;

  g_socket_close (client->socket, NULL);
  g_object_unref (client->socket);
  tr_test_escpos_free (client->reader);
  g_free (client);
}

static GSocket *
listen_on (guint port, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, (guint16)port);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, TRUE, NULL);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

static guint8
answer_for (TrFakePrinterMode mode, guint8 query)
{
  if (mode == TR_FAKE_PRINTER_LYING)
    return 0xff;
  if (mode != TR_FAKE_PRINTER_PAPER_OUT)
    return 0x12;
  switch (query)
    {
      case 1:
        return 0x12 | 0x08; /* offline */
      case 2:
        return 0x12 | 0x20; /* stopped at the paper end */
      default:
        return 0x12 | 0x60; /* paper end */
    }
}

/* Reads what @client sent; FALSE when it is gone. */
static gboolean
serve (TrFakePrinter *self, Client *client, TrFakePrinterMode mode)
{
  guint8 buffer[4096];
  g_autoptr (GError) error = NULL;
  gssize n = g_socket_receive (client->socket, (char *)buffer, sizeof buffer, NULL, &error);
  guint before;

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return TRUE;
  if (n <= 0)
    return FALSE;
  before = client->reader->slips->len;
  if (!tr_test_escpos_feed (client->reader, buffer, (gsize)n, &error))
    g_error ("the fake printer got what no printer takes: %s", error->message);
  g_mutex_lock (&self->lock);
  for (guint i = before; i < client->reader->slips->len; i++)
    g_ptr_array_add (self->slips, g_strdup (g_ptr_array_index (client->reader->slips, i)));
  g_mutex_unlock (&self->lock);
  while (client->answered < client->reader->status_queries->len)
    {
      guint8 query = g_array_index (client->reader->status_queries, guint8, client->answered);
      guint8 answer = answer_for (mode, query);

      client->answered++;
      g_mutex_lock (&self->lock);
      self->n_queries++;
      g_mutex_unlock (&self->lock);
      if (g_socket_send (client->socket, (const char *)&answer, 1, NULL, NULL) != 1)
        return FALSE;
    }
  return TRUE;
}

static gpointer
run (gpointer data)
{
  TrFakePrinter *self = data;

  for (;;)
    {
      GPollFD fds[65];
      guint n_fds = 0;
      TrFakePrinterMode mode;
      gboolean stop;

      g_mutex_lock (&self->lock);
      mode = self->mode;
      stop = self->stop;
      self->seen_generation = self->generation;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      if (stop)
        break;

      if (mode == TR_FAKE_PRINTER_OFFLINE)
        {
          /* Off: connections cut, the port refuses. */
          g_ptr_array_set_size (self->clients, 0);
          if (self->listener != NULL)
            g_socket_close (self->listener, NULL);
          g_clear_object (&self->listener);
          g_usleep (10000);
          continue;
        }
      if (self->listener == NULL)
        {
          g_autoptr (GError) error = NULL;

          self->listener = listen_on (self->port, &error);
          if (self->listener == NULL)
            {
              /* The port may linger a moment after the close. */
              g_usleep (20000);
              continue;
            }
        }

      fds[n_fds].fd = g_socket_get_fd (self->listener);
      fds[n_fds].events = G_IO_IN;
      fds[n_fds++].revents = 0;
      if (mode != TR_FAKE_PRINTER_STALLED)
        for (guint i = 0; i < self->clients->len && n_fds < G_N_ELEMENTS (fds); i++)
          {
            fds[n_fds].fd = g_socket_get_fd (((Client *)g_ptr_array_index (self->clients, i))->socket);
            fds[n_fds].events = G_IO_IN | G_IO_HUP | G_IO_ERR;
            fds[n_fds++].revents = 0;
          }
      g_poll (fds, n_fds, 20);

      if (fds[0].revents & G_IO_IN)
        {
          GSocket *accepted = g_socket_accept (self->listener, NULL, NULL);

          if (accepted != NULL)
            {
              Client *client = g_new0 (Client, 1);

              g_socket_set_blocking (accepted, FALSE);
              client->socket = accepted;
              client->reader = tr_test_escpos_new (self->columns);
              g_ptr_array_add (self->clients, client);
              g_mutex_lock (&self->lock);
              self->n_connections++;
              g_mutex_unlock (&self->lock);
            }
        }
      if (mode == TR_FAKE_PRINTER_STALLED)
        continue;
      /* Backwards: removing one leaves the indexes below it as they were. */
      for (guint i = n_fds - 1; i >= 1; i--)
        if (fds[i].revents != 0
            && !serve (self, g_ptr_array_index (self->clients, i - 1), mode))
          g_ptr_array_remove_index (self->clients, i - 1);
    }
  g_ptr_array_set_size (self->clients, 0);
  if (self->listener != NULL)
    g_socket_close (self->listener, NULL);
  g_clear_object (&self->listener);
  return NULL;
}

TrFakePrinter *
tr_fake_printer_new (guint columns, guint port)
{
  TrFakePrinter *self = g_new0 (TrFakePrinter, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) local = NULL;

  self->columns = columns;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->slips = g_ptr_array_new_with_free_func (g_free);
  self->clients = g_ptr_array_new_with_free_func (client_free);
  self->listener = listen_on (port, &error);
  g_assert_no_error (error);
  local = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  self->thread = g_thread_new ("fake-printer", run, self);
  return self;
}

void
tr_fake_printer_free (TrFakePrinter *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  g_ptr_array_unref (self->clients);
  g_ptr_array_unref (self->slips);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

guint
tr_fake_printer_get_port (TrFakePrinter *self)
{
  return self->port;
}

char *
tr_fake_printer_dup_address (TrFakePrinter *self)
{
  return g_strdup_printf ("tcp://127.0.0.1:%u", self->port);
}

void
tr_fake_printer_set_mode (TrFakePrinter *self, TrFakePrinterMode mode)
{
  g_mutex_lock (&self->lock);
  self->mode = mode;
  self->generation++;
  /* Returns once the thread acts on it: nothing read after this call is
   * served in the old mode. */
  while (self->seen_generation != self->generation)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

GPtrArray *
tr_fake_printer_dup_slips (TrFakePrinter *self)
{
  GPtrArray *slips = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->slips->len; i++)
    g_ptr_array_add (slips, g_strdup (g_ptr_array_index (self->slips, i)));
  g_mutex_unlock (&self->lock);
  return slips;
}

guint
tr_fake_printer_count_slips (TrFakePrinter *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->slips->len;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
tr_fake_printer_count_queries (TrFakePrinter *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_queries;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
tr_fake_printer_count_connections (TrFakePrinter *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_connections;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
tr_fake_printer_count_matching (TrFakePrinter *self, const char *needle)
{
  guint n = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->slips->len; i++)
    if (strstr (g_ptr_array_index (self->slips, i), needle) != NULL)
      n++;
  g_mutex_unlock (&self->lock);
  return n;
}

typedef struct
{
  TrFakePrinter *printer;
  guint n;
} SlipWait;

static gboolean
has_slips (gpointer data)
{
  SlipWait *wait = data;

  return tr_fake_printer_count_slips (wait->printer) >= wait->n;
}

void
tr_fake_printer_wait_slips (TrFakePrinter *self, guint n)
{
  SlipWait wait = { self, n };
  g_autofree char *what = g_strdup_printf ("%u slips on the fake printer", n);

  tr_test_wait_for (has_slips, &wait, what);
}
