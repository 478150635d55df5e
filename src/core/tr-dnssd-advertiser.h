/* tr-dnssd-advertiser.h: a host announces itself as _ticketrail._tcp
 *
 * Runs on the thread-default main context of its creator, through
 * avahi-glib: nothing here blocks that loop waiting for the network.
 * When Avahi is not running it says so once in the log, waits for the
 * daemon, and the host serves on regardless (stations can still type
 * its address).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tr-dnssd-host.h"
#include "tr-dnssd-txt.h"

G_BEGIN_DECLS

#define TR_TYPE_DNSSD_ADVERTISER (tr_dnssd_advertiser_get_type ())
G_DECLARE_FINAL_TYPE (TrDnssdAdvertiser, tr_dnssd_advertiser, TR, DNSSD_ADVERTISER, GObject)

/* Properties:
 *   "port"          guint        (construct-only) the host's bound port
 *   "txt"           TrDnssdTxt*  what the TXT record says; setting it
 *                                while advertised updates the record
 *                                (a promotion's new gen)
 *   "service-name"  string       (read-only) the instance name in use:
 *                                txt's name, or Avahi's alternative
 *                                ("Name #2") after a collision
 *   "state"         TrDnssdState (read-only)
 */
TrDnssdAdvertiser *tr_dnssd_advertiser_new              (guint              port,
                                                         const TrDnssdTxt  *txt);
void               tr_dnssd_advertiser_start            (TrDnssdAdvertiser *self);
void               tr_dnssd_advertiser_stop             (TrDnssdAdvertiser *self);
TrDnssdState       tr_dnssd_advertiser_get_state        (TrDnssdAdvertiser *self);
const char        *tr_dnssd_advertiser_get_service_name (TrDnssdAdvertiser *self);
const TrDnssdTxt  *tr_dnssd_advertiser_get_txt          (TrDnssdAdvertiser *self);
void               tr_dnssd_advertiser_set_txt          (TrDnssdAdvertiser *self,
                                                         const TrDnssdTxt  *txt);

G_END_DECLS
