/* tr-promotion.c: when a station offers to become the host (tr-promotion.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-promotion.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

void
tr_promotion_check (gboolean has_copy, gint64 copy_seq, gint64 newest_seen, TrPromotionCheck *out)
{
  g_return_if_fail (out != NULL);

  out->can_promote = has_copy;
  out->local_seq = MAX (copy_seq, 0);
  /* The copy may be ahead of what this station's own screen saw: the
   * host sends the standby its events first (semi-sync). */
  out->newest_seq = MAX (newest_seen, out->local_seq);
  out->behind = out->newest_seq - out->local_seq;
  out->fresh = has_copy && out->behind == 0;
}

char *
tr_promotion_describe (const TrPromotionCheck *check)
{
  g_autofree char *local = g_strdup_printf ("%" G_GINT64_FORMAT, check->local_seq);
  g_autofree char *newest = g_strdup_printf ("%" G_GINT64_FORMAT, check->newest_seq);

  /* Translators: two change numbers: this station's newest, then the
   * newest the host announced. */
  return g_strdup_printf (_ ("This station has every change up to #%s; the newest the host "
                             "announced was #%s"),
                          local, newest);
}

gboolean
tr_promotion_host_unreachable (gint64 down_since_ms, gint64 now_ms, guint delay_ms)
{
  return down_since_ms > 0 && now_ms - down_since_ms >= (gint64)delay_ms;
}

gboolean
tr_promotion_should_auto_promote (gboolean has_copy, gboolean heard_host, guint after_s,
                                  gint64 down_since_ms, gint64 now_ms, gint64 own_gen,
                                  gint64 other_gen)
{
  if (!has_copy || !heard_host || after_s == 0)
    return FALSE;
  after_s = MIN (after_s, TR_PROMOTION_AUTO_MAX_S);
  if (!tr_promotion_host_unreachable (down_since_ms, now_ms, after_s * 1000))
    return FALSE;
  /* Someone was promoted already (or the host moved): two hosts of one
   * lineage at one generation would be a split brain. */
  return other_gen < 0 || other_gen < MAX (own_gen, 0);
}

static guint
env_ms (const char *name, guint fallback)
{
  const char *text = g_getenv (name);
  gint64 value;
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return fallback;
  value = g_ascii_strtoll (text, &end, 10);
  if (end == NULL || *end != '\0')
    return fallback;
  return (guint)CLAMP (value, 100, 600000);
}

guint
tr_promotion_unreachable_delay_ms (void)
{
  return env_ms ("TICKETRAIL_HOST_UNREACHABLE_MS", TR_PROMOTION_UNREACHABLE_DEFAULT_MS);
}

guint
tr_promotion_fallback_delay_ms (void)
{
  return env_ms ("TICKETRAIL_FALLBACK_MS", TR_PROMOTION_FALLBACK_DEFAULT_MS);
}

const char *
tr_promotion_pick_url (const char *host_url, const char *standby_url, gint64 down_ms,
                       guint delay_ms)
{
  if (standby_url == NULL || *standby_url == '\0' || g_strcmp0 (host_url, standby_url) == 0
      || delay_ms == 0 || down_ms < (gint64)delay_ms)
    return host_url;
  /* Turns of @delay_ms: odd ones on the standby's address. */
  return (down_ms / delay_ms) % 2 == 1 ? standby_url : host_url;
}
