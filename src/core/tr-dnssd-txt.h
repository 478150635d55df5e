/* tr-dnssd-txt.h: the host's DNS-SD TXT record and which host to follow
 *
 * Pure: no Avahi, no I/O. The advertiser encodes a TrDnssdTxt, the
 * browser parses what it resolves, and a station asks
 * tr_dnssd_pick_host() which of the hosts found it should follow.
 * docs/protocol.md ("Finding the host") is the reference for the keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TR_DNSSD_SERVICE_TYPE "_ticketrail._tcp"
#define TR_DNSSD_TXT_VERSION "1"

/* What the TXT record of one advertised host says. */
typedef struct
{
  char     *lineage; /* the restaurant's id, kept across failovers (a UUID) */
  char     *host_id; /* the id of the host's database */
  gint64    gen;     /* the generation: 1 at creation, +1 at each promotion */
  gboolean  tls;     /* serves https/wss */
  char     *name;    /* shown to people; never empty once parsed */
} TrDnssdTxt;

TrDnssdTxt *tr_dnssd_txt_new  (const char *lineage,
                               const char *host_id,
                               gint64      gen,
                               gboolean    tls,
                               const char *name);
TrDnssdTxt *tr_dnssd_txt_copy (const TrDnssdTxt *txt);
void        tr_dnssd_txt_free (TrDnssdTxt *txt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrDnssdTxt, tr_dnssd_txt_free)

/* The record's strings ("v=1" first, then lineage, host_id, gen, tls,
 * name), NULL-terminated, each at most 255 bytes; a name too long for
 * its string is cut at a character boundary. NULL with TR_ERROR_INVALID
 * when a field could never be parsed back (e.g. a lineage that is not
 * a UUID): the host must not advertise what stations would refuse. */
GStrv       tr_dnssd_txt_encode (const TrDnssdTxt *txt, GError **error);

/* Parses @n_entries strings of @lengths bytes each (a TXT record's
 * strings need not be NUL-terminated and may hold any byte). Strict:
 * TR_ERROR_INVALID naming the key when v, lineage, host_id or gen is
 * missing or malformed, when tls is not 0 or 1, or when the name is not
 * printable UTF-8; TR_ERROR_PROTOCOL when v is not 1 (a newer host this
 * station cannot follow). Unknown keys are ignored, and so is every
 * repeat of a key after its first (RFC 6763, 6.4). A missing or empty
 * name takes @fallback_name (the service's instance name). */
TrDnssdTxt *tr_dnssd_txt_parse (const char *const *entries,
                                const gsize       *lengths,
                                gsize              n_entries,
                                const char        *fallback_name,
                                GError           **error);

/* The same for NUL-terminated strings (tests, the command line). */
TrDnssdTxt *tr_dnssd_txt_parse_strv (const char *const *entries,
                                     const char        *fallback_name,
                                     GError           **error);

/* Which of @candidates a station should follow: one of @lineage, with
 * a generation no lower than @min_gen (the highest it has seen: it
 * never goes back to an older host), the highest generation of those.
 * Two live hosts of one generation should not exist; if they do, the
 * one with @current_host_id wins (no needless switch), then the lowest
 * host_id, so every station picks the same. Returns the index in
 * @candidates, or -1 when none qualifies. */
int         tr_dnssd_pick_host (const TrDnssdTxt *const *candidates,
                                guint                    n_candidates,
                                const char              *lineage,
                                gint64                   min_gen,
                                const char              *current_host_id);

G_END_DECLS
