/* tr-dnssd-browser.h: the Ticketrail hosts on the LAN, as a GListModel
 *
 * Browses _ticketrail._tcp through Avahi on the creator's thread-default
 * main context and lists every host that resolved and whose TXT record
 * parsed (TrDnssdHost items, in the order found). A host leaves the
 * list when it withdraws its service (stops, or its goodbye packets),
 * or when the daemon's cache expires it. A record that fails
 * tr_dnssd_txt_parse() is never listed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tr-dnssd-host.h"

G_BEGIN_DECLS

#define TR_TYPE_DNSSD_BROWSER (tr_dnssd_browser_get_type ())
G_DECLARE_FINAL_TYPE (TrDnssdBrowser, tr_dnssd_browser, TR, DNSSD_BROWSER, GObject)

/* Implements GListModel (item type TrDnssdHost). Properties (read-only):
 *   "state"    TrDnssdState: NO_DAEMON is "Avahi is not running"
 *   "n-items"  guint
 */
TrDnssdBrowser *tr_dnssd_browser_new        (void);
void            tr_dnssd_browser_start      (TrDnssdBrowser *self);
void            tr_dnssd_browser_stop       (TrDnssdBrowser *self);
TrDnssdState    tr_dnssd_browser_get_state  (TrDnssdBrowser *self);

/* The host a station of @lineage should follow now (tr_dnssd_pick_host()
 * over the list), or NULL. Transfer none: valid until the list changes. */
TrDnssdHost    *tr_dnssd_browser_pick_host  (TrDnssdBrowser *self,
                                             const char     *lineage,
                                             gint64          min_gen,
                                             const char     *current_host_id);

G_END_DECLS
