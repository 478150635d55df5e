/* test-link-history.c: what a station's connection history says
 * (tr-link-history.c): drops, the longest outage, the strip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-link-history.h"
#include "tr-protocol.h"

static TrLink *
make_link (gint64 connected_at, gint64 disconnected_at, int code)
{
  TrLink *link = tr_link_new ();

  link->station_id = g_strdup ("grill");
  link->transport = g_strdup ("websocket");
  link->connected_at = connected_at;
  link->disconnected_at = disconnected_at;
  link->close_code = code;
  return link;
}

static GPtrArray *
links_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);
}

static const TrLinkSegment *
segment_at (const TrLinkSummary *summary, guint i)
{
  g_assert_cmpuint (i, <, summary->segments->len);
  return &g_array_index (summary->segments, TrLinkSegment, i);
}

/* Clean closes are no drops; a cut, a dead peer, a silent poller and a
 * host that died are; an open link is none. */
static void
test_drops (void)
{
  struct
  {
    gint64 disconnected_at;
    int code;
    gboolean drop;
  } cases[] = {
    { 10, TR_CLOSE_NORMAL, FALSE },     { 10, TR_CLOSE_GOING_AWAY, FALSE },
    { 10, 1006, TRUE },                 { 10, TR_CLOSE_DEAD_PEER, TRUE },
    { 10, 0, TRUE },                    { 10, TR_CLOSE_TOO_SLOW, TRUE },
    { 0, 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TrLink) link = make_link (1, cases[i].disconnected_at, cases[i].code);

      g_assert_cmpint (tr_link_is_drop (link), ==, cases[i].drop);
    }
}

/* Up 0–100, cut, down 100–400, up 400–900 then left cleanly, down till
 * the window's end at 1000. */
static void
test_summary (void)
{
  g_autoptr (GPtrArray) links = links_new ();
  g_autoptr (TrLinkSummary) summary = NULL;

  /* Any order. */
  g_ptr_array_add (links, make_link (400, 900, TR_CLOSE_NORMAL));
  g_ptr_array_add (links, make_link (0, 100, 1006));
  summary = tr_link_summary_new (links, 0, 1000);
  g_assert_cmpuint (summary->links, ==, 2);
  g_assert_cmpuint (summary->drops, ==, 1);
  g_assert_cmpint (summary->longest_outage_ms, ==, 300);
  g_assert_cmpint (summary->up_ms, ==, 600);
  g_assert_cmpint (summary->known_ms, ==, 1000);
  g_assert_false (summary->up_now);
  g_assert_cmpuint (summary->segments->len, ==, 4);
  g_assert_cmpint (segment_at (summary, 0)->start, ==, 0);
  g_assert_cmpint (segment_at (summary, 0)->end, ==, 100);
  g_assert_true (segment_at (summary, 0)->up);
  g_assert_false (segment_at (summary, 1)->up);
  g_assert_cmpint (segment_at (summary, 1)->end, ==, 400);
  g_assert_true (segment_at (summary, 2)->up);
  g_assert_false (segment_at (summary, 3)->up);
  g_assert_cmpint (segment_at (summary, 3)->start, ==, 900);
  g_assert_cmpint (segment_at (summary, 3)->end, ==, 1000);
}

/* The window cuts the links: an outage under way when it opens (known
 * from the last link before it) counts from the window's start; what
 * happened before is not counted; an open link is up to the end. */
static void
test_window (void)
{
  g_autoptr (GPtrArray) links = links_new ();
  g_autoptr (TrLinkSummary) summary = NULL;

  g_ptr_array_add (links, make_link (0, 100, 1006));   /* before the window */
  g_ptr_array_add (links, make_link (1500, 1800, 4010));
  g_ptr_array_add (links, make_link (1900, 0, 0)); /* still up */
  summary = tr_link_summary_new (links, 1000, 3000);
  g_assert_cmpuint (summary->links, ==, 2);
  g_assert_cmpuint (summary->drops, ==, 1); /* the 1006 was before */
  g_assert_cmpint (summary->longest_outage_ms, ==, 500);
  g_assert_cmpint (summary->up_ms, ==, 300 + 1100);
  g_assert_cmpint (summary->known_ms, ==, 2000); /* known since before the window */
  g_assert_true (summary->up_now);
  g_assert_cmpuint (summary->segments->len, ==, 4);
  g_assert_false (segment_at (summary, 0)->up);
  g_assert_cmpint (segment_at (summary, 0)->start, ==, 1000);
  g_assert_cmpint (segment_at (summary, 0)->end, ==, 1500);
  g_assert_cmpint (segment_at (summary, 3)->start, ==, 1900);
  g_assert_cmpint (segment_at (summary, 3)->end, ==, 3000);
}

/* Before a station's first link nothing is known: no outage. A link that
 * overlaps another (a second transport) adds only what it adds. */
static void
test_unknown_and_overlap (void)
{
  g_autoptr (GPtrArray) links = links_new ();
  g_autoptr (TrLinkSummary) summary = NULL;
  g_autoptr (GPtrArray) none = links_new ();
  g_autoptr (TrLinkSummary) empty = NULL;

  g_ptr_array_add (links, make_link (500, 800, 1000));
  g_ptr_array_add (links, make_link (600, 700, 1006)); /* inside the first */
  g_ptr_array_add (links, make_link (700, 900, 1001)); /* past its end */
  summary = tr_link_summary_new (links, 0, 1000);
  g_assert_cmpint (summary->longest_outage_ms, ==, 100);
  g_assert_cmpint (summary->up_ms, ==, 400);
  g_assert_cmpint (summary->known_ms, ==, 500); /* since its first link */
  g_assert_cmpuint (summary->segments->len, ==, 2);
  g_assert_cmpint (segment_at (summary, 0)->start, ==, 500);
  g_assert_cmpint (segment_at (summary, 0)->end, ==, 900);

  empty = tr_link_summary_new (none, 0, 1000);
  g_assert_cmpuint (empty->segments->len, ==, 0);
  g_assert_cmpint (empty->longest_outage_ms, ==, 0);
  g_assert_false (empty->up_now);
  g_assert_cmpint (empty->known_ms, ==, 0);
}

static void
test_format_duration (void)
{
  struct
  {
    gint64 ms;
    const char *text;
  } cases[] = {
    { 0, "0:00" },         { 999, "0:00" },          { 61000, "1:01" },
    { 3599000, "59:59" },  { 3600000, "1:00:00" },   { 90061000, "25:01:01" },
    { -5, "0:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = tr_link_format_duration (cases[i].ms);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/link-history/drops", test_drops);
  g_test_add_func ("/link-history/summary", test_summary);
  g_test_add_func ("/link-history/window", test_window);
  g_test_add_func ("/link-history/unknown-and-overlap", test_unknown_and_overlap);
  g_test_add_func ("/link-history/format-duration", test_format_duration);
  return g_test_run ();
}
