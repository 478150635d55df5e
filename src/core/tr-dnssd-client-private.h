/* tr-dnssd-client-private.h: one connection to the Avahi daemon that
 * survives the daemon's restarts (for the advertiser and the browser)
 *
 * Only built with Avahi (TR_HAVE_DNSSD).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <avahi-client/client.h>

#include "tr-dnssd-host.h"

G_BEGIN_DECLS

typedef struct _TrDnssdClient TrDnssdClient;

/* Called on the thread-default main context of _tr_dnssd_client_new():
 *   RUNNING   @avahi is ready: publish or browse with it now;
 *   STARTING  @avahi is (re)registering its host name: a publisher
 *             resets its entry group and waits for RUNNING;
 *   NO_DAEMON the daemon is gone or not there yet: drop every Avahi
 *             object made with the old client (it is freed right after
 *             this returns; @avahi is NULL or that client) and wait;
 *   FAILED    the daemon refused us; nothing more will come. */
typedef void (*TrDnssdClientFunc) (AvahiClient  *avahi,
                                   TrDnssdState  state,
                                   gpointer      user_data);

TrDnssdClient *_tr_dnssd_client_new  (TrDnssdClientFunc func,
                                      gpointer          user_data);
void           _tr_dnssd_client_free (TrDnssdClient    *self);

G_END_DECLS
