/* tr-dnssd-client.c: a connection to the Avahi daemon that comes back
 *
 * avahi-client talks D-Bus to the system's avahi-daemon, driven by
 * avahi-glib on the creator's main context. With AVAHI_CLIENT_NO_FAIL a
 * missing daemon is a state (CONNECTING) rather than an error, and the
 * client connects by itself when the daemon appears. Two cases it does
 * not cover: a daemon that goes away later (the client fails with
 * AVAHI_ERR_DISCONNECTED and is dead: make a new one), and no system bus
 * at all (avahi_client_new() fails: try again every few seconds, since
 * a headless host may start before D-Bus does).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-dnssd"

#include "tr-dnssd-client-private.h"

#include <avahi-common/error.h>
#include <avahi-glib/glib-watch.h>

#define RETRY_SECONDS 5

struct _TrDnssdClient
{
  GMainContext *context;
  AvahiGLibPoll *poll;
  AvahiClient *avahi;
  TrDnssdClientFunc func;
  gpointer user_data;
  guint retry_id;
  /* Set while the client is being replaced from its own callback. */
  guint restart_id;
};

static void
connect_now (TrDnssdClient *self);

/* On the owner's context, which need not be the global default one. */
static guint
add_source (TrDnssdClient *self, GSource *source, GSourceFunc func)
{
  guint id;

  g_source_set_callback (source, func, self, NULL);
  id = g_source_attach (source, self->context);
  g_source_unref (source);
  return id;
}

static gboolean
retry_cb (gpointer user_data)
{
  TrDnssdClient *self = user_data;

  self->retry_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static gboolean
restart_cb (gpointer user_data)
{
  TrDnssdClient *self = user_data;

  self->restart_id = 0;
  if (self->avahi != NULL)
    {
      avahi_client_free (self->avahi);
      self->avahi = NULL;
    }
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
client_cb (AvahiClient *avahi, AvahiClientState state, void *user_data)
{
  TrDnssdClient *self = user_data;

  switch (state)
    {
      case AVAHI_CLIENT_S_RUNNING:
        self->func (avahi, TR_DNSSD_STATE_RUNNING, self->user_data);
        break;
      case AVAHI_CLIENT_S_REGISTERING:
      case AVAHI_CLIENT_S_COLLISION:
        self->func (avahi, TR_DNSSD_STATE_STARTING, self->user_data);
        break;
      case AVAHI_CLIENT_CONNECTING:
        self->func (avahi, TR_DNSSD_STATE_NO_DAEMON, self->user_data);
        break;
      case AVAHI_CLIENT_FAILURE:
        if (avahi_client_errno (avahi) == AVAHI_ERR_DISCONNECTED)
          {
            /* The daemon went away (restarted, upgraded). The owner drops
             * its objects now; the dead client is replaced outside of
             * its own callback. */
            self->func (avahi, TR_DNSSD_STATE_NO_DAEMON, self->user_data);
            if (self->restart_id == 0)
              self->restart_id = add_source (self, g_idle_source_new (), restart_cb);
          }
        else
          {
            g_debug ("Avahi client failed: %s", avahi_strerror (avahi_client_errno (avahi)));
            self->func (avahi, TR_DNSSD_STATE_FAILED, self->user_data);
          }
        break;
      default:
        break;
    }
}

static void
connect_now (TrDnssdClient *self)
{
  int error = 0;

  /* The callback may run inside avahi_client_new() (RUNNING at once when
   * the daemon is there), so the owner sees the client only through it. */
  self->avahi = avahi_client_new (avahi_glib_poll_get (self->poll), AVAHI_CLIENT_NO_FAIL, client_cb,
                                  self, &error);
  if (self->avahi == NULL)
    {
      /* No system bus, most likely: Avahi cannot be running either. */
      g_debug ("cannot reach Avahi: %s", avahi_strerror (error));
      self->func (NULL, TR_DNSSD_STATE_NO_DAEMON, self->user_data);
      self->retry_id = add_source (self, g_timeout_source_new_seconds (RETRY_SECONDS), retry_cb);
    }
}

TrDnssdClient *
_tr_dnssd_client_new (TrDnssdClientFunc func, gpointer user_data)
{
  TrDnssdClient *self = g_new0 (TrDnssdClient, 1);

  self->func = func;
  self->user_data = user_data;
  self->context = g_main_context_ref_thread_default ();
  self->poll = avahi_glib_poll_new (self->context, G_PRIORITY_DEFAULT);
  connect_now (self);
  return self;
}

void
_tr_dnssd_client_free (TrDnssdClient *self)
{
  if (self == NULL)
    return;
  if (self->retry_id != 0)
    g_source_destroy (g_main_context_find_source_by_id (self->context, self->retry_id));
  if (self->restart_id != 0)
    g_source_destroy (g_main_context_find_source_by_id (self->context, self->restart_id));
  /* Frees its entry groups, browsers and resolvers too: the daemon
   * withdraws what they published (goodbye packets) at once. */
  if (self->avahi != NULL)
    avahi_client_free (self->avahi);
  avahi_glib_poll_free (self->poll);
  g_main_context_unref (self->context);
  g_free (self);
}
