/* tr-host-dnssd.h: the host advertises itself over DNS-SD while it runs
 *
 * tr_host_start() and tr_host_stop() call _tr_host_dnssd_start() and
 * _tr_host_dnssd_stop() (tr-host-private.h); everything else about
 * advertising lives in tr-host-dnssd.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-dnssd-advertiser.h"
#include "tr-host.h"

G_BEGIN_DECLS

/* The name stations list this host by (TXT name= and the service's
 * instance name); set it before tr_host_start(). Default: "Ticketrail on
 * HOSTNAME". */
void               tr_host_set_advertised_name (TrHost     *host,
                                                const char *name);

/* The host's advertiser while it runs and advertises, else NULL. A host
 * listening on loopback only is not advertised (no station could reach
 * it), nor is one started with TICKETRAIL_DNSSD=0 in its environment. */
TrDnssdAdvertiser *tr_host_get_advertiser      (TrHost     *host);

G_END_DECLS
