/* tr-link-history.c: what a station's connection history says (see the
 * header for the rules)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-link-history.h"

/* RFC 6455's codes, as tr-protocol.h's TR_CLOSE_NORMAL and
 * TR_CLOSE_GOING_AWAY; not included from there, which would make
 * tr-store.h (it holds TrLink) include the protocol. */
#define CLOSE_NORMAL 1000
#define CLOSE_GOING_AWAY 1001

TrLink *
tr_link_new (void)
{
  return g_new0 (TrLink, 1);
}

void
tr_link_free (TrLink *link)
{
  if (link == NULL)
    return;
  g_free (link->station_id);
  g_free (link->transport);
  g_free (link->close_reason);
  g_free (link);
}

gboolean
tr_link_is_drop (const TrLink *link)
{
  g_return_val_if_fail (link != NULL, FALSE);

  return link->disconnected_at != 0 && link->close_code != CLOSE_NORMAL
         && link->close_code != CLOSE_GOING_AWAY;
}

static int
compare_links (gconstpointer a, gconstpointer b)
{
  const TrLink *x = *(TrLink *const *)a;
  const TrLink *y = *(TrLink *const *)b;

  return x->connected_at < y->connected_at ? -1 : x->connected_at > y->connected_at;
}

/* Appends [@start, @end) clipped to the window, merging it into the
 * last segment when they touch and say the same. */
static void
add_segment (TrLinkSummary *summary, gint64 start, gint64 end, gboolean up)
{
  TrLinkSegment segment;

  start = MAX (start, summary->from);
  end = MIN (end, summary->to);
  if (end <= start)
    return;
  if (summary->segments->len > 0)
    {
      TrLinkSegment *last
        = &g_array_index (summary->segments, TrLinkSegment, summary->segments->len - 1);

      if (last->up == up && last->end >= start)
        {
          last->end = MAX (last->end, end);
          return;
        }
    }
  segment.start = start;
  segment.end = end;
  segment.up = up;
  g_array_append_val (summary->segments, segment);
}

static void
add_outage (TrLinkSummary *summary, gint64 start, gint64 end)
{
  gint64 clipped = MIN (end, summary->to) - MAX (start, summary->from);

  if (clipped <= 0)
    return;
  summary->longest_outage_ms = MAX (summary->longest_outage_ms, clipped);
  add_segment (summary, start, end, FALSE);
}

TrLinkSummary *
tr_link_summary_new (GPtrArray *links, gint64 from, gint64 to)
{
  TrLinkSummary *summary = g_new0 (TrLinkSummary, 1);
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  /* When the station was last seen going down; -1: unknown (before its
   * first link) or up. */
  gint64 down_since = -1;
  /* The end of what the links seen so far covered. */
  gint64 covered_until = G_MININT64;

  g_return_val_if_fail (links != NULL, summary);

  summary->from = from;
  summary->to = MAX (from, to);
  summary->segments = g_array_new (FALSE, FALSE, sizeof (TrLinkSegment));

  for (guint i = 0; i < links->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (links, i));
  g_ptr_array_sort (sorted, compare_links);

  for (guint i = 0; i < sorted->len; i++)
    {
      const TrLink *link = g_ptr_array_index (sorted, i);
      gint64 end = link->disconnected_at != 0 ? link->disconnected_at : G_MAXINT64;
      gint64 up_start;

      if (end <= covered_until)
        continue; /* inside an earlier link (a second transport) */
      if (down_since >= 0 && link->connected_at > down_since)
        add_outage (summary, down_since, link->connected_at);
      up_start = MAX (link->connected_at, covered_until);
      if (end > summary->from && link->connected_at < summary->to)
        {
          summary->links++;
          summary->up_ms += MAX (0, MIN (end, summary->to) - MAX (up_start, summary->from));
          add_segment (summary, up_start, end, TRUE);
        }
      if (tr_link_is_drop (link) && link->disconnected_at >= summary->from
          && link->disconnected_at < summary->to)
        summary->drops++;
      covered_until = end;
      down_since = link->disconnected_at != 0 ? link->disconnected_at : -1;
    }
  summary->up_now = sorted->len > 0 && covered_until == G_MAXINT64;
  if (sorted->len > 0)
    summary->known_ms = summary->to
                        - CLAMP (((const TrLink *)g_ptr_array_index (sorted, 0))->connected_at,
                                 summary->from, summary->to);
  if (down_since >= 0)
    add_outage (summary, down_since, summary->to);
  return summary;
}

void
tr_link_summary_free (TrLinkSummary *summary)
{
  if (summary == NULL)
    return;
  g_array_unref (summary->segments);
  g_free (summary);
}

char *
tr_link_format_duration (gint64 ms)
{
  gint64 s = MAX (ms, 0) / 1000;

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int)(s / 60 % 60),
                            (int)(s % 60));
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d", s / 60, (int)(s % 60));
}
