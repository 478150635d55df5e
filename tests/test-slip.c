/* test-slip.c: what a kitchen slip says, and that it fits the paper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tr-slip.h"
#include "tr-test-slips.h"

static const guint widths[] = { 32, 42, 48 };

static TrSlipOptions
options_for (guint columns, const char *route, GTimeZone *utc)
{
  TrSlipOptions options = { columns, route, FALSE, utc };

  return options;
}

/* The index of the first line that holds @needle, or -1. */
static int
find_line (const TrSlip *slip, const char *needle)
{
  for (guint i = 0; i < slip->lines->len; i++)
    {
      const TrSlipLine *line = g_ptr_array_index (slip->lines, i);

      if (strstr (line->text, needle) != NULL)
        return (int)i;
    }
  return -1;
}

static const TrSlipLine *
line_at (const TrSlip *slip, int i)
{
  g_assert_cmpint (i, >=, 0);
  return g_ptr_array_index (slip->lines, (guint)i);
}

static void
assert_fits (const TrSlip *slip)
{
  for (guint i = 0; i < slip->lines->len; i++)
    {
      const TrSlipLine *line = g_ptr_array_index (slip->lines, i);
      glong width = g_utf8_strlen (line->text, -1);

      if (line->style & TR_SLIP_STYLE_DOUBLE)
        width *= 2;
      if (width > (glong)slip->columns)
        g_error ("line \"%s\" is %ld columns wide on %u-column paper", line->text, width,
                 slip->columns);
    }
}

static void
test_ticket (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = options_for (42, NULL, utc);
  g_autoptr (TrSlip) slip = tr_slip_new_ticket (ticket, &options);
  int number, rush, table, burger, allergy, course1, course2, dessert, note;

  g_assert_nonnull (slip);
  g_assert_cmpint (slip->kind, ==, TR_SLIP_TICKET);
  assert_fits (slip);

  /* The number first, big and bold. */
  number = find_line (slip, "#42");
  g_assert_cmpint (number, ==, 0);
  g_assert_cmpint (line_at (slip, number)->style, ==, TR_SLIP_STYLE_DOUBLE | TR_SLIP_STYLE_BOLD);
  /* RUSH reversed, right under it. */
  rush = find_line (slip, "RUSH");
  g_assert_cmpint (rush, ==, number + 1);
  g_assert_true (line_at (slip, rush)->style & TR_SLIP_STYLE_REVERSED);
  g_assert_cmpint (g_utf8_strlen (line_at (slip, rush)->text, -1), ==, 21);
  table = find_line (slip, "Table 7");
  g_assert_cmpint (table, >, rush);
  g_assert_cmpint (find_line (slip, "Server: Ana · Guests: 4"), >, table);
  g_assert_cmpint (find_line (slip, "Ordered 12:03"), >, table);

  /* Items by course: unrouted water first (no course), then course 1,
   * then course 2; the voided salad nowhere. */
  course1 = find_line (slip, "Course 1");
  course2 = find_line (slip, "Course 2");
  burger = find_line (slip, "2 x Smash Burger");
  dessert = find_line (slip, "1 x Chocolate fondant");
  g_assert_cmpint (find_line (slip, "2 x Sparkling water"), <, course1);
  g_assert_cmpint (course1, <, burger);
  g_assert_cmpint (burger, <, find_line (slip, "1 x Fries"));
  g_assert_cmpint (find_line (slip, "1 x Fries"), <, course2);
  g_assert_cmpint (course2, <, dessert);
  g_assert_cmpint (find_line (slip, "Caesar"), ==, -1);
  g_assert_true (line_at (slip, burger)->style & TR_SLIP_STYLE_BOLD);
  g_assert_cmpint (find_line (slip, "+ no onion"), ==, burger + 1);
  g_assert_cmpint (find_line (slip, "+ extra cheese"), ==, burger + 2);
  /* Allergens: bold and reversed. */
  allergy = find_line (slip, "ALLERGY: gluten, milk");
  g_assert_cmpint (allergy, ==, burger + 3);
  g_assert_cmpint (line_at (slip, allergy)->style, ==, TR_SLIP_STYLE_BOLD | TR_SLIP_STYLE_REVERSED);
  g_assert_cmpint (find_line (slip, "Note: one well done"), ==, burger + 4);
  note = find_line (slip, "Note: Birthday: candle on the fondant");
  g_assert_cmpint (note, >, dessert);
  g_assert_cmpint (note, ==, (int)slip->lines->len - 1);
}

static void
test_not_rush (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = options_for (42, NULL, utc);
  g_autoptr (TrSlip) slip = NULL;

  ticket->priority = TR_PRIORITY_NORMAL;
  slip = tr_slip_new_ticket (ticket, &options);
  g_assert_cmpint (find_line (slip, "RUSH"), ==, -1);
  g_assert_cmpint (find_line (slip, "REPRINT"), ==, -1);
  options.reprint = TRUE;
  g_clear_pointer (&slip, tr_slip_free);
  slip = tr_slip_new_ticket (ticket, &options);
  g_assert_cmpint (find_line (slip, "REPRINT"), ==, 0);
  g_assert_true (line_at (slip, 0)->style & TR_SLIP_STYLE_REVERSED);
}

/* A station's printer gets its own items and the unrouted ones; one with
 * nothing to cook gets no paper. */
static void
test_route (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = options_for (42, "grill", utc);
  g_autoptr (TrSlip) grill = tr_slip_new_ticket (ticket, &options);
  g_autoptr (TrSlip) bar = NULL;

  g_assert_cmpint (find_line (grill, "GRILL"), ==, 1);
  g_assert_cmpint (find_line (grill, "Smash Burger"), >, 0);
  g_assert_cmpint (find_line (grill, "Sparkling water"), >, 0);
  g_assert_cmpint (find_line (grill, "Fries"), ==, -1);
  g_assert_cmpint (find_line (grill, "Chocolate"), ==, -1);
  /* Only one course left on it: still headed, it is course 1. */
  g_assert_cmpint (find_line (grill, "Course 2"), ==, -1);

  /* Only the water is for everyone: take it off, and the bar, which
   * has nothing, prints nothing. */
  g_ptr_array_remove_index (ticket->items, 3);
  options.route = "bar";
  bar = tr_slip_new_ticket (ticket, &options);
  g_assert_null (bar);
}

/* On 58 mm paper a long name wraps under its own start, and nothing is
 * lost. */
static void
test_wrap (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      TrSlipOptions options = options_for (widths[w], NULL, utc);
      g_autoptr (TrSlip) slip = tr_slip_new_ticket (ticket, &options);
      g_autoptr (GString) joined = g_string_new (NULL);
      int first = find_line (slip, "1 x Chocolate");
      guint n_lines = 0;

      assert_fits (slip);
      for (guint i = (guint)first; i < slip->lines->len; i++)
        {
          const char *text = line_at (slip, (int)i)->text;
          g_autofree char *stripped = g_strstrip (g_strdup (text));

          if (i > (guint)first && (!g_str_has_prefix (text, "    ") || strstr (text, "ALLERGY")))
            break;
          g_string_append_printf (joined, "%s%s", i > (guint)first ? " " : "", stripped);
          n_lines++;
        }
      g_assert_nonnull (
        strstr (joined->str, "1 x Chocolate fondant with salted caramel and vanilla ice cream"));
      g_assert_cmpuint (n_lines, ==, widths[w] == 32 ? 3 : 2);
    }
}

/* A word wider than the paper is cut, never lost or overflowing. */
static void
test_long_word (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = options_for (32, NULL, utc);
  g_autoptr (TrSlip) slip = NULL;
  TrItem *burger = g_ptr_array_index (ticket->items, 0);
  g_autofree char *word = g_strnfill (100, 'W');
  g_autofree char *text = NULL;

  g_free (burger->note);
  burger->note = g_strdup (word);
  g_free (ticket->table);
  ticket->table = g_strdup ("Terrace-by-the-fountain-number-12");
  slip = tr_slip_new_ticket (ticket, &options);
  assert_fits (slip);
  text = tr_slip_to_text (slip);
  {
    g_auto (GStrv) parts = g_strsplit (text, "\n", -1);
    g_autoptr (GString) ws = g_string_new (NULL);

    for (guint i = 0; parts[i] != NULL; i++)
      for (const char *p = parts[i]; *p; p++)
        if (*p == 'W')
          g_string_append_c (ws, 'W');
    g_assert_cmpuint (ws->len, ==, 100);
  }
}

static TrTicket *
amended (const TrTicket *before)
{
  TrTicket *after = tr_ticket_copy (before);
  TrItem *burger = tr_ticket_find_item (after, "burger");
  TrItem *fries = tr_ticket_find_item (after, "fries");
  TrItem *extra = tr_item_new ();

  after->version++;
  after->updated_at = before->created_at + 7 * 60 * 1000;
  burger->quantity = 3;
  g_strfreev (burger->modifiers);
  burger->modifiers = g_strdupv ((GStrv)(const char *const[]){ "no onion", "bacon", NULL });
  fries->status = TR_ITEM_STATUS_VOIDED;
  extra->id = g_strdup ("wings");
  extra->name = g_strdup ("Chicken wings");
  extra->quantity = 1;
  extra->station = g_strdup ("fry");
  extra->course = 1;
  g_ptr_array_add (after->items, extra);
  return after;
}

/* AMENDED: what changed, nothing else. */
static void
test_amendment (void)
{
  g_autoptr (TrTicket) before = tr_test_slips_ticket ();
  g_autoptr (TrTicket) after = amended (before);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = options_for (42, NULL, utc);
  g_autoptr (TrSlip) slip = tr_slip_new_amendment (before, after, &options);
  g_autoptr (TrSlip) pastry = NULL;
  g_autoptr (TrSlip) same = NULL;
  int quantity;

  g_assert_nonnull (slip);
  g_assert_cmpint (slip->kind, ==, TR_SLIP_AMENDMENT);
  assert_fits (slip);
  g_assert_cmpint (find_line (slip, "AMENDED"), ==, 0);
  g_assert_true (line_at (slip, 0)->style & TR_SLIP_STYLE_REVERSED);
  g_assert_cmpint (find_line (slip, "#42"), ==, 1);
  g_assert_cmpint (find_line (slip, "Amended 12:10"), >, 1);
  quantity = find_line (slip, "QTY 2 -> 3 x Smash Burger");
  g_assert_cmpint (quantity, >, 0);
  g_assert_cmpint (find_line (slip, "+ bacon"), ==, quantity + 1);
  g_assert_cmpint (find_line (slip, "- extra cheese"), ==, quantity + 2);
  g_assert_cmpint (find_line (slip, "no onion"), ==, -1);
  g_assert_cmpint (find_line (slip, "VOID 1 x Fries"), >, 0);
  g_assert_true (line_at (slip, find_line (slip, "VOID 1 x Fries"))->style
                 & TR_SLIP_STYLE_REVERSED);
  g_assert_cmpint (find_line (slip, "ADD 1 x Chicken wings"), >, 0);
  /* Unchanged lines are not printed again. */
  g_assert_cmpint (find_line (slip, "Sparkling water"), ==, -1);
  g_assert_cmpint (find_line (slip, "Chocolate"), ==, -1);
  g_assert_cmpint (find_line (slip, "ALLERGY"), ==, -1);

  /* Nothing changed for pastry: no paper there. */
  options.route = "pastry";
  pastry = tr_slip_new_amendment (before, after, &options);
  g_assert_null (pastry);
  /* Nor for a version that changed nothing. */
  options.route = NULL;
  same = tr_slip_new_amendment (before, before, &options);
  g_assert_null (same);
}

/* Where it goes changed: every station hears it. */
static void
test_amendment_table (void)
{
  g_autoptr (TrTicket) before = tr_test_slips_ticket ();
  g_autoptr (TrTicket) after = tr_ticket_copy (before);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = options_for (32, "pastry", utc);
  g_autoptr (TrSlip) slip = NULL;

  g_free (after->table);
  after->table = g_strdup ("12");
  slip = tr_slip_new_amendment (before, after, &options);
  g_assert_nonnull (slip);
  g_assert_cmpint (find_line (slip, "Table 7 -> Table 12"), >, 0);
  g_assert_cmpint (find_line (slip, "Chocolate"), ==, -1);
}

static void
test_ready_chit (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = options_for (32, NULL, utc);
  g_autoptr (TrSlip) slip = NULL;
  TrItem *burger = g_ptr_array_index (ticket->items, 0);

  burger->ready_at = TR_TEST_SLIP_TIME + 14 * 60 * 1000;
  slip = tr_slip_new_ready_chit (ticket, &options);
  assert_fits (slip);
  g_assert_cmpint (slip->kind, ==, TR_SLIP_READY_CHIT);
  g_assert_cmpint (find_line (slip, "READY"), ==, 0);
  g_assert_cmpint (find_line (slip, "#42"), ==, 1);
  g_assert_cmpint (find_line (slip, "Ready 12:17"), >, 0);
  g_assert_cmpint (find_line (slip, "2 x Smash Burger"), >, 0);
  /* Short: no modifiers, allergens or notes. */
  g_assert_cmpint (find_line (slip, "no onion"), ==, -1);
  g_assert_cmpint (find_line (slip, "ALLERGY"), ==, -1);
}

static void
test_test_page (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      TrSlipOptions options = options_for (widths[w], NULL, utc);
      g_autoptr (TrSlip) slip = tr_slip_new_test_page ("Grill printer", "tcp://10.0.0.9:9100",
                                                       TR_TEST_SLIP_TIME, &options);
      g_autofree char *columns = g_strdup_printf ("Columns: %u", widths[w]);
      int ruler = find_line (slip, "1234567890");

      assert_fits (slip);
      g_assert_cmpint (find_line (slip, "TEST PAGE"), ==, 0);
      g_assert_cmpint (find_line (slip, columns), >, 0);
      g_assert_cmpint (find_line (slip, "Printed 12:03"), >, 0);
      g_assert_cmpint (g_utf8_strlen (line_at (slip, ruler)->text, -1), ==, widths[w]);
    }
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slip/ticket", test_ticket);
  g_test_add_func ("/slip/not-rush-and-reprint", test_not_rush);
  g_test_add_func ("/slip/route", test_route);
  g_test_add_func ("/slip/wrap", test_wrap);
  g_test_add_func ("/slip/long-word", test_long_word);
  g_test_add_func ("/slip/amendment", test_amendment);
  g_test_add_func ("/slip/amendment-table", test_amendment_table);
  g_test_add_func ("/slip/ready-chit", test_ready_chit);
  g_test_add_func ("/slip/test-page", test_test_page);
  return g_test_run ();
}
