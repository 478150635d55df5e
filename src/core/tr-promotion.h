/* tr-promotion.h: when a station offers to become the host, and how far
 * behind it is (issue 17, docs/reliability.md "Promotion on a station")
 *
 * Pure rules, so the banner, the dialog and the tests agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How long the host must be unreachable before a station says "The host
 * is not answering" (ms). TICKETRAIL_HOST_UNREACHABLE_MS overrides it
 * (tests; 100 … 600000). */
#define TR_PROMOTION_UNREACHABLE_DEFAULT_MS 30000
/* How long a station tries its host, then the standby's address, before
 * it tries the other one (ms). TICKETRAIL_FALLBACK_MS overrides it. */
#define TR_PROMOTION_FALLBACK_DEFAULT_MS 10000

typedef struct
{
  /* This station keeps a standby copy: only a copy has what a host
   * needs (the roster's token hashes, the op ids for dedupe). */
  gboolean can_promote;
  gint64 local_seq;  /* the copy's head, durable */
  gint64 newest_seq; /* the newest head this station ever saw announced */
  gint64 behind;     /* changes it may lack: newest_seq - local_seq, >= 0 */
  /* Nothing known to be missing: promoting it loses no change anyone
   * saw acknowledged through this station. */
  gboolean fresh;
} TrPromotionCheck;

void     tr_promotion_check            (gboolean          has_copy,
                                        gint64            copy_seq,
                                        gint64            newest_seen,
                                        TrPromotionCheck *out);
/* "This station has every change up to #N; the newest the host
 * announced was #M", translated. */
char    *tr_promotion_describe         (const TrPromotionCheck *check);

/* TRUE when a link down since @down_since_ms (monotonic ms; 0: up) has
 * been down for @delay_ms at @now_ms. */
gboolean tr_promotion_host_unreachable (gint64 down_since_ms,
                                        gint64 now_ms,
                                        guint  delay_ms);
/* Automatic promotion of a native standby (off by default: the
 * "standby-auto-promote-seconds" setting, 0 = off). TRUE when this
 * station keeps the standby copy (@has_copy), has reached its host since
 * it started (@heard_host: a station started during an outage, or
 * pointed at a wrong address, never promotes itself, as
 * ticketrail-host --auto-promote-after), @after_s > 0, its link has
 * been down since @down_since_ms (monotonic ms; 0: up) for @after_s at
 * @now_ms, and DNS-SD shows no other live host of its lineage at its
 * generation @own_gen or above: @other_gen is the highest generation
 * DNS-SD shows for the lineage, leaving out the host the copy follows
 * (a killed host's record outlives it in Avahi's cache), or -1 when it
 * shows none or DNS-SD does not run. */
#define TR_PROMOTION_AUTO_MAX_S 3600
gboolean tr_promotion_should_auto_promote (gboolean has_copy,
                                           gboolean heard_host,
                                           guint    after_s,
                                           gint64   down_since_ms,
                                           gint64   now_ms,
                                           gint64   own_gen,
                                           gint64   other_gen);

/* The delays, with their environment overrides clamped. */
guint    tr_promotion_unreachable_delay_ms (void);
guint    tr_promotion_fallback_delay_ms    (void);

/* Which address a station whose link has been down for @down_ms should
 * try now: @host_url for the first @delay_ms, then @standby_url and
 * @host_url in turns of @delay_ms, so a host that comes back is found as
 * surely as a promoted standby. Returns @host_url when @standby_url is
 * NULL or the same. */
const char *tr_promotion_pick_url      (const char *host_url,
                                        const char *standby_url,
                                        gint64      down_ms,
                                        guint       delay_ms);

G_END_DECLS
