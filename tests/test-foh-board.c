/* test-foh-board.c: the front-of-house board's rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-foh-board"

#include "tr-foh-board.h"

#define T0 1700000000000

static TrTicket *
make_ticket (const char *id, int number, TrTicketStatus status, gint64 created_at,
             gint64 updated_at)
{
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = g_strdup (id);
  ticket->number = number;
  ticket->status = status;
  ticket->created_at = created_at;
  ticket->updated_at = updated_at;
  return ticket;
}

static void
test_section_by_status (void)
{
  static const struct
  {
    TrTicketStatus status;
    int section;
  } cases[] = {
    { TR_TICKET_STATUS_NEW, TR_FOH_SECTION_NEW },
    { TR_TICKET_STATUS_PREPARING, TR_FOH_SECTION_PREPARING },
    { TR_TICKET_STATUS_READY, TR_FOH_SECTION_READY },
    { TR_TICKET_STATUS_SERVED, TR_FOH_SECTION_SERVED },
    { TR_TICKET_STATUS_CANCELLED, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket ("t", 1, cases[i].status, T0, T0);

      g_assert_cmpint (tr_foh_section_of (ticket, T0 + 1000), ==, cases[i].section);
    }
}

/* A served order stays for exactly the window after its serving, and
 * only a served one leaves: an old open order stays on the board. */
static void
test_served_window (void)
{
  g_autoptr (TrTicket) served = make_ticket ("s", 1, TR_TICKET_STATUS_SERVED, T0, T0 + 5000);
  g_autoptr (TrTicket) old_ready = make_ticket ("r", 2, TR_TICKET_STATUS_READY, T0, T0);

  g_assert_cmpint (tr_foh_section_of (served, T0 + 5000 + TR_FOH_SERVED_WINDOW_MS), ==,
                   TR_FOH_SECTION_SERVED);
  g_assert_cmpint (tr_foh_section_of (served, T0 + 5000 + TR_FOH_SERVED_WINDOW_MS + 1), ==, -1);
  g_assert_cmpint (tr_foh_section_of (old_ready, T0 + 10 * TR_FOH_SERVED_WINDOW_MS), ==,
                   TR_FOH_SECTION_READY);
}

static int
compare_in (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return tr_foh_compare (GPOINTER_TO_INT (user_data), *(TrTicket *const *)a, *(TrTicket *const *)b);
}

static char *
sorted_ids (GPtrArray *tickets, TrFohSection section)
{
  GString *ids = g_string_new (NULL);

  g_ptr_array_sort_with_data (tickets, compare_in, GINT_TO_POINTER (section));
  for (guint i = 0; i < tickets->len; i++)
    {
      if (i > 0)
        g_string_append_c (ids, ' ');
      g_string_append (ids, ((TrTicket *)g_ptr_array_index (tickets, i))->id);
    }
  return g_string_free (ids, FALSE);
}

/* The kitchen's sections: the oldest order first; same time, the lower
 * number; then the id, so the order never depends on arrival. */
static void
test_order_oldest_first (void)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autofree char *ids = NULL;

  g_ptr_array_add (tickets, make_ticket ("late", 1, TR_TICKET_STATUS_READY, T0 + 60000, T0));
  g_ptr_array_add (tickets, make_ticket ("b", 7, TR_TICKET_STATUS_READY, T0, T0 + 90000));
  g_ptr_array_add (tickets, make_ticket ("num9", 9, TR_TICKET_STATUS_READY, T0, T0));
  g_ptr_array_add (tickets, make_ticket ("a", 7, TR_TICKET_STATUS_READY, T0, T0));
  g_ptr_array_add (tickets, make_ticket ("early", 50, TR_TICKET_STATUS_READY, T0 - 1, T0));

  for (TrFohSection s = TR_FOH_SECTION_NEW; s <= TR_FOH_SECTION_READY; s++)
    {
      g_clear_pointer (&ids, g_free);
      ids = sorted_ids (tickets, s);
      g_assert_cmpstr (ids, ==, "early a b num9 late");
    }
}

static int
compare_rush_first (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return tr_foh_compare_full (GPOINTER_TO_INT (user_data), *(TrTicket *const *)a,
                              *(TrTicket *const *)b, TRUE);
}

/* Rush first: every rush order ahead in the kitchen's sections, each
 * group oldest first; served keeps its own order; off is tr_foh_compare(). */
static void
test_order_rush_first (void)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  GString *ids = g_string_new (NULL);
  TrTicket *young_rush = make_ticket ("young-rush", 5, TR_TICKET_STATUS_READY, T0 + 90000, T0);
  TrTicket *old_rush = make_ticket ("old-rush", 4, TR_TICKET_STATUS_READY, T0 + 60000, T0);

  young_rush->priority = TR_PRIORITY_RUSH;
  old_rush->priority = TR_PRIORITY_RUSH;
  g_ptr_array_add (tickets, make_ticket ("oldest", 1, TR_TICKET_STATUS_READY, T0, T0));
  g_ptr_array_add (tickets, young_rush);
  g_ptr_array_add (tickets, make_ticket ("middle", 2, TR_TICKET_STATUS_READY, T0 + 30000, T0));
  g_ptr_array_add (tickets, old_rush);

  for (TrFohSection s = TR_FOH_SECTION_NEW; s <= TR_FOH_SECTION_READY; s++)
    {
      g_string_truncate (ids, 0);
      g_ptr_array_sort_with_data (tickets, compare_rush_first, GINT_TO_POINTER (s));
      for (guint i = 0; i < tickets->len; i++)
        g_string_append_printf (ids, "%s%s", i ? " " : "",
                                ((TrTicket *)g_ptr_array_index (tickets, i))->id);
      g_assert_cmpstr (ids->str, ==, "old-rush young-rush oldest middle");
    }
  {
    g_autofree char *off = sorted_ids (tickets, TR_FOH_SECTION_READY);

    g_assert_cmpstr (off, ==, "oldest middle old-rush young-rush");
  }
  /* The served section ignores the priority. */
  g_assert_cmpint (tr_foh_compare_full (TR_FOH_SECTION_SERVED, young_rush, old_rush, TRUE), ==,
                   tr_foh_compare (TR_FOH_SECTION_SERVED, young_rush, old_rush));
  g_string_free (ids, TRUE);
}

/* Served: the one served last on top, whatever its age. */
static void
test_order_served_latest_first (void)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autofree char *ids = NULL;

  g_ptr_array_add (tickets, make_ticket ("first", 1, TR_TICKET_STATUS_SERVED, T0, T0 + 1000));
  g_ptr_array_add (tickets, make_ticket ("last", 2, TR_TICKET_STATUS_SERVED, T0 - 9, T0 + 3000));
  g_ptr_array_add (tickets, make_ticket ("y", 3, TR_TICKET_STATUS_SERVED, T0, T0 + 2000));
  g_ptr_array_add (tickets, make_ticket ("x", 4, TR_TICKET_STATUS_SERVED, T0, T0 + 2000));

  ids = sorted_ids (tickets, TR_FOH_SECTION_SERVED);
  g_assert_cmpstr (ids, ==, "last x y first");
}

static void
test_actions (void)
{
  static const struct
  {
    TrTicketStatus status;
    TrFohActions actions;
  } cases[] = {
    { TR_TICKET_STATUS_NEW, TR_FOH_ACTION_AMEND | TR_FOH_ACTION_CANCEL },
    { TR_TICKET_STATUS_PREPARING, TR_FOH_ACTION_AMEND | TR_FOH_ACTION_CANCEL },
    { TR_TICKET_STATUS_READY,
      TR_FOH_ACTION_MARK_SERVED | TR_FOH_ACTION_AMEND | TR_FOH_ACTION_CANCEL },
    { TR_TICKET_STATUS_SERVED, TR_FOH_ACTION_NONE },
    { TR_TICKET_STATUS_CANCELLED, TR_FOH_ACTION_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket ("t", 1, cases[i].status, T0, T0);

      g_assert_cmpint (tr_foh_actions_for (ticket), ==, cases[i].actions);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/foh-board/section/by-status", test_section_by_status);
  g_test_add_func ("/foh-board/section/served-window", test_served_window);
  g_test_add_func ("/foh-board/order/oldest-first", test_order_oldest_first);
  g_test_add_func ("/foh-board/order/served-latest-first", test_order_served_latest_first);
  g_test_add_func ("/foh-board/order/rush-first", test_order_rush_first);
  g_test_add_func ("/foh-board/actions", test_actions);
  return g_test_run ();
}
