/* tr-dnssd-host.h: one host found over DNS-SD, and the state of DNS-SD
 *
 * TrDnssdHost is the item of TrDnssdBrowser's list: immutable, made
 * from a resolved service whose TXT record parsed (tr-dnssd-txt.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tr-dnssd-txt.h"

G_BEGIN_DECLS

/* What the advertiser or browser can do now. */
typedef enum
{
  TR_DNSSD_STATE_STOPPED,     /* not started, or stopped */
  TR_DNSSD_STATE_UNSUPPORTED, /* built without Avahi (-Ddnssd=disabled) */
  TR_DNSSD_STATE_STARTING,    /* talking to the daemon */
  TR_DNSSD_STATE_NO_DAEMON,   /* Avahi is not running (or no system bus); waiting for it */
  TR_DNSSD_STATE_RUNNING,     /* advertised, or browsing */
  TR_DNSSD_STATE_FAILED,      /* the daemon refused; see the log */
} TrDnssdState;

#define TR_TYPE_DNSSD_STATE (tr_dnssd_state_get_type ())
GType tr_dnssd_state_get_type (void);

/* "stopped", "unsupported", …: for logs and --json. */
const char *tr_dnssd_state_to_string (TrDnssdState state);

#define TR_TYPE_DNSSD_HOST (tr_dnssd_host_get_type ())
G_DECLARE_FINAL_TYPE (TrDnssdHost, tr_dnssd_host, TR, DNSSD_HOST, GObject)

/* Properties (read-only, construct-only):
 *   "service-name"  string  the DNS-SD instance name (unique on the LAN)
 *   "address"       string  the resolved IP address, as text
 *   "port"          guint
 *   "txt"           TrDnssdTxt* (boxed) what its TXT record says
 * Read-only, from those:
 *   "name"          string  the TXT name (what people see)
 *   "lineage", "host-id" string; "gen" gint64; "tls" gboolean
 *   "url"           string  http(s)://address:port, IPv6 in brackets
 */
#define TR_TYPE_DNSSD_TXT (tr_dnssd_txt_get_type ())
GType tr_dnssd_txt_get_type (void);

TrDnssdHost      *tr_dnssd_host_new              (const char       *service_name,
                                                  const char       *address,
                                                  guint             port,
                                                  const TrDnssdTxt *txt);
const char       *tr_dnssd_host_get_service_name (TrDnssdHost *self);
const char       *tr_dnssd_host_get_address      (TrDnssdHost *self);
guint             tr_dnssd_host_get_port         (TrDnssdHost *self);
const TrDnssdTxt *tr_dnssd_host_get_txt          (TrDnssdHost *self);
const char       *tr_dnssd_host_get_name         (TrDnssdHost *self);
const char       *tr_dnssd_host_get_url          (TrDnssdHost *self);

G_END_DECLS
