/* test-order-board.c: the customer order-ready board's rules, which the
 * GTK app's Board mode draws (the browser's are data/web/rules.js,
 * tested by tests/web/test-web-rules.mjs: the same cases)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-order-board"

#include "tr-order-board.h"

#define T0 1700000000000
#define LINGER (5 * 60 * 1000)

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
test_column_by_status (void)
{
  static const struct
  {
    TrTicketStatus status;
    int column;
  } cases[] = {
    { TR_TICKET_STATUS_NEW, TR_ORDER_BOARD_PREPARING },
    { TR_TICKET_STATUS_PREPARING, TR_ORDER_BOARD_PREPARING },
    { TR_TICKET_STATUS_READY, TR_ORDER_BOARD_READY },
    { TR_TICKET_STATUS_SERVED, TR_ORDER_BOARD_READY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TrTicket) t = make_ticket ("a", 1, cases[i].status, T0, T0 + 1000);

      g_assert_cmpint (tr_order_board_column_of (t, T0 + 2000, LINGER), ==, cases[i].column);
    }
}

/* Open orders never leave by themselves, however old. */
static void
test_open_stays (void)
{
  g_autoptr (TrTicket) t = make_ticket ("a", 1, TR_TICKET_STATUS_PREPARING, T0, T0);

  g_assert_cmpint (tr_order_board_column_of (t, T0 + 48 * 3600 * 1000LL, LINGER), ==,
                   TR_ORDER_BOARD_PREPARING);
  g_assert_cmpint (tr_order_board_leaves_at (t, LINGER), ==, G_MAXINT64);
  g_assert_false (tr_order_board_is_leaving (t));
  t->status = TR_TICKET_STATUS_READY;
  g_assert_cmpint (tr_order_board_leaves_at (t, LINGER), ==, G_MAXINT64);
}

/* Served: in Ready for the linger after its serving, then gone. */
static void
test_served_lingers (void)
{
  g_autoptr (TrTicket) t = make_ticket ("a", 7, TR_TICKET_STATUS_SERVED, T0, T0 + 60000);

  g_assert_true (tr_order_board_is_leaving (t));
  g_assert_cmpint (tr_order_board_leaves_at (t, LINGER), ==, T0 + 60000 + LINGER);
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 60000, LINGER), ==, TR_ORDER_BOARD_READY);
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 60000 + LINGER - 1, LINGER), ==,
                   TR_ORDER_BOARD_READY);
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 60000 + LINGER, LINGER), ==, -1);
  /* A shorter linger (the setting) lets it go sooner. */
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 62000, 2000), ==, -1);
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 61999, 2000), ==, TR_ORDER_BOARD_READY);
  /* No linger: gone at once. */
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 60000, 0), ==, -1);
}

/* Cancelled: where it was, faded, for the linger. */
static void
test_cancelled_stays_where_it_was (void)
{
  g_autoptr (TrTicket) t = make_ticket ("a", 3, TR_TICKET_STATUS_CANCELLED, T0, T0 + 1000);

  t->recall_status = TR_TICKET_STATUS_PREPARING;
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 2000, LINGER), ==, TR_ORDER_BOARD_PREPARING);
  t->recall_status = TR_TICKET_STATUS_READY;
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 2000, LINGER), ==, TR_ORDER_BOARD_READY);
  t->recall_status = TR_TICKET_STATUS_NEW;
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 2000, LINGER), ==, TR_ORDER_BOARD_PREPARING);
  g_assert_cmpint (tr_order_board_column_of (t, T0 + 1000 + LINGER, LINGER), ==, -1);
  g_assert_true (tr_order_board_is_leaving (t));
}

/* Past a day the linger is a day, as on the web. */
static void
test_linger_bounds (void)
{
  g_autoptr (TrTicket) t = make_ticket ("a", 3, TR_TICKET_STATUS_SERVED, T0, T0);

  g_assert_cmpint (tr_order_board_linger_ms (0), ==, 0);
  g_assert_cmpint (tr_order_board_linger_ms (300), ==, LINGER);
  g_assert_cmpint (tr_order_board_linger_ms (G_MAXUINT), ==, TR_ORDER_BOARD_MAX_LINGER_MS);
  g_assert_cmpint (tr_order_board_leaves_at (t, G_MAXINT64), ==, T0 + TR_ORDER_BOARD_MAX_LINGER_MS);
  g_assert_cmpint (tr_order_board_leaves_at (t, -5), ==, T0);
}

/* Preparing: open before lingering, rush first when asked, then oldest
 * first, the number and the id breaking ties. */
static void
test_preparing_order (void)
{
  g_autoptr (TrTicket) old = make_ticket ("b", 2, TR_TICKET_STATUS_PREPARING, T0, T0);
  g_autoptr (TrTicket) young = make_ticket ("a", 1, TR_TICKET_STATUS_NEW, T0 + 5000, T0 + 5000);
  g_autoptr (TrTicket) cancelled
    = make_ticket ("c", 3, TR_TICKET_STATUS_CANCELLED, T0 - 5000, T0 + 6000);
  g_autoptr (TrTicket) twin = make_ticket ("d", 4, TR_TICKET_STATUS_NEW, T0, T0);

  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_PREPARING, old, young, TRUE), <, 0);
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_PREPARING, young, old, TRUE), >, 0);
  /* Cancelled, though older, comes after the open ones. */
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_PREPARING, cancelled, young, TRUE), >, 0);
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_PREPARING, young, cancelled, TRUE), <, 0);
  /* Same age: the number. */
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_PREPARING, old, twin, TRUE), <, 0);

  young->priority = TR_PRIORITY_RUSH;
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_PREPARING, young, old, TRUE), <, 0);
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_PREPARING, young, old, FALSE), >, 0);
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_PREPARING, old, old, TRUE), ==, 0);
}

/* Ready: the latest ready first, whatever the rush; served after. */
static void
test_ready_order (void)
{
  g_autoptr (TrTicket) first = make_ticket ("a", 1, TR_TICKET_STATUS_READY, T0, T0 + 10000);
  g_autoptr (TrTicket) latest = make_ticket ("b", 2, TR_TICKET_STATUS_READY, T0 + 1000, T0 + 20000);
  g_autoptr (TrTicket) served = make_ticket ("c", 3, TR_TICKET_STATUS_SERVED, T0, T0 + 30000);
  g_autoptr (TrTicket) same = make_ticket ("d", 4, TR_TICKET_STATUS_READY, T0 + 2000, T0 + 20000);

  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_READY, latest, first, TRUE), <, 0);
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_READY, first, latest, TRUE), >, 0);
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_READY, served, first, TRUE), >, 0);
  /* Ready at the same time: oldest first. */
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_READY, latest, same, TRUE), <, 0);
  first->priority = TR_PRIORITY_RUSH;
  g_assert_cmpint (tr_order_board_compare (TR_ORDER_BOARD_READY, latest, first, TRUE), <, 0);
}

static void
test_became_ready (void)
{
  g_autoptr (TrTicket) before = make_ticket ("a", 1, TR_TICKET_STATUS_PREPARING, T0, T0);
  g_autoptr (TrTicket) after = make_ticket ("a", 1, TR_TICKET_STATUS_READY, T0, T0 + 1000);
  g_autoptr (TrTicket) served = make_ticket ("a", 1, TR_TICKET_STATUS_SERVED, T0, T0 + 2000);

  g_assert_true (tr_order_board_became_ready (before, after));
  /* Seen for the first time already ready: it just happened too. */
  g_assert_true (tr_order_board_became_ready (NULL, after));
  /* Still ready (an amendment, a resync): no second chime. */
  g_assert_false (tr_order_board_became_ready (after, after));
  g_assert_false (tr_order_board_became_ready (after, served));
  g_assert_false (tr_order_board_became_ready (before, before));
  /* Recalled from served to ready: ready again. */
  g_assert_true (tr_order_board_became_ready (served, after));
}

static void
test_highlight (void)
{
  g_assert_true (tr_order_board_is_highlighted (T0, T0));
  g_assert_true (tr_order_board_is_highlighted (T0, T0 + TR_ORDER_BOARD_HIGHLIGHT_MS - 1));
  g_assert_false (tr_order_board_is_highlighted (T0, T0 + TR_ORDER_BOARD_HIGHLIGHT_MS));
}

static void
test_detail (void)
{
  g_autoptr (TrTicket) t = make_ticket ("a", 1, TR_TICKET_STATUS_NEW, T0, T0);

  g_assert_null (tr_order_board_detail (t));
  t->table = g_strdup ("");
  g_assert_null (tr_order_board_detail (t));
  g_free (t->table);
  t->table = g_strdup ("12");
  g_assert_cmpstr (tr_order_board_detail (t), ==, "12");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/order-board/column-by-status", test_column_by_status);
  g_test_add_func ("/order-board/open-stays", test_open_stays);
  g_test_add_func ("/order-board/served-lingers", test_served_lingers);
  g_test_add_func ("/order-board/cancelled-stays-where-it-was", test_cancelled_stays_where_it_was);
  g_test_add_func ("/order-board/linger-bounds", test_linger_bounds);
  g_test_add_func ("/order-board/preparing-order", test_preparing_order);
  g_test_add_func ("/order-board/ready-order", test_ready_order);
  g_test_add_func ("/order-board/became-ready", test_became_ready);
  g_test_add_func ("/order-board/highlight", test_highlight);
  g_test_add_func ("/order-board/detail", test_detail);

  return g_test_run ();
}
