/* tr-link-history.h: what a station's connection history says
 *
 * The host writes one row per link: a station connecting over a
 * transport, until it drops, leaves or the host stops
 * (tr-store-links.c). What a window of those rows says (the drops, the
 * longest outage, the strip the host monitor draws) is decided here: no
 * I/O, no clock but the one passed in, unit-tested in
 * tests/test-link-history.c.
 *
 * The rules:
 *   - A link is up from connected_at to disconnected_at (0: still up).
 *   - A drop is a link that ended in anything but a clean close: 1000
 *     (the station left) and 1001 (going away: the app quit, or the host
 *     stopped) are not drops; a cut socket (1006), a dead peer (4010), a
 *     station that stopped polling (0) and a host that died (0) are.
 *   - An outage is a gap between the end of one link and the start of
 *     the next (or the window's end), whatever ended the link: a station
 *     that is off is off for the kitchen. Before a station's first link
 *     nothing is known, so nothing counts as an outage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Links are kept 30 days (the host prunes older ones). */
#define TR_LINK_KEEP_MS ((gint64)30 * 24 * 60 * 60 * 1000)

typedef struct
{
  char *station_id;
  char *transport;       /* "websocket" or "polling" */
  gint64 connected_at;   /* ms since the epoch */
  gint64 disconnected_at; /* 0: still connected */
  int close_code;        /* 0: none (polling stopped, host died) */
  char *close_reason;    /* NULL: none */
} TrLink;

TrLink  *tr_link_new      (void);
void     tr_link_free     (TrLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrLink, tr_link_free)

/* See the rules above; an open link is no drop. */
gboolean tr_link_is_drop  (const TrLink *link);

typedef struct
{
  gint64 start;
  gint64 end;
  gboolean up; /* FALSE: an outage */
} TrLinkSegment;

typedef struct
{
  gint64 from;
  gint64 to;
  guint links;              /* links that overlap the window */
  guint drops;              /* drops that ended inside the window */
  gint64 longest_outage_ms; /* inside the window; 0: none */
  gint64 up_ms;             /* time connected inside the window */
  gint64 known_ms;          /* time inside the window since its first link: what up_ms is of */
  gboolean up_now;          /* the last link is still open */
  GArray *segments;         /* TrLinkSegment, in time order, clipped to the window */
} TrLinkSummary;

/* The summary of one station's @links (TrLink*, any order, all of the
 * same station) over [@from, @to). The caller passes the last link
 * that ended before @from too, when there is one, so that an outage
 * already under way at @from is known. */
TrLinkSummary *tr_link_summary_new  (GPtrArray *links, gint64 from, gint64 to);
void           tr_link_summary_free (TrLinkSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrLinkSummary, tr_link_summary_free)

/* "h:mm:ss" past an hour, else "m:ss": how long an outage lasted. */
char *tr_link_format_duration (gint64 ms);

G_END_DECLS
