/* tr-found-hosts.h: the Ticketrail hosts found on the LAN, to pick from
 *
 * A boxed list of the hosts a TrDnssdBrowser finds, by name, and a line
 * that says when there is nothing to show and why (still looking, Avahi
 * not running). The first-run page and the join field in Preferences put
 * it above their address field, which stays the fallback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-dnssd-browser.h"

G_BEGIN_DECLS

#define TR_TYPE_FOUND_HOSTS (tr_found_hosts_get_type ())
G_DECLARE_FINAL_TYPE (TrFoundHosts, tr_found_hosts, TR, FOUND_HOSTS, GtkWidget)

/* Signals:
 *   "host-activated" (TrDnssdHost *host): a row was chosen
 * Browses from construction until dispose. */
GtkWidget      *tr_found_hosts_new         (void);
TrDnssdBrowser *tr_found_hosts_get_browser (TrFoundHosts *self);
/* The status line as shown now ("" when hidden), for tests. */
const char     *tr_found_hosts_get_status  (TrFoundHosts *self);

G_END_DECLS
