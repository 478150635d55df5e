/* test-recall.c: the recall list every screen shares, and what a recall
 * does to a ticket bumped anywhere
 *
 * Tickets are built through tr_op_apply() with a clock of our own, as
 * the host builds them; every op a recall builds is applied the same
 * way, so a rule the state machine refuses fails here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-recall"

#include "tr-error.h"
#include "tr-recall.h"

#define ME "kds-2"
#define MINUTE ((gint64)60 * 1000)

static const TrKitchenScreen whole_kitchen = { TR_KITCHEN_ROLE_KITCHEN, NULL };
static const TrKitchenScreen grill = { TR_KITCHEN_ROLE_KITCHEN, "grill" };
static const TrKitchenScreen fry = { TR_KITCHEN_ROLE_KITCHEN, "fry" };
static const TrKitchenScreen expo = { TR_KITCHEN_ROLE_EXPO, "grill" };

/* The host's clock: each op applies at the time it says. */
static gint64 host_now = 100 * MINUTE;

static TrTicket *
apply (const TrTicket *current, TrOp *op /* owned */)
{
  g_autoptr (TrOp) owned = op;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrEvent) event = NULL;
  TrApplyContext ctx = { .seq = 0, .now = host_now, .number = 0 };

  event = tr_op_apply (owned, current, &ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  return g_steal_pointer (&event->ticket);
}

/* Replaces *@ticket with it after @op. */
static void
step (TrTicket **ticket, TrOp *op)
{
  TrTicket *next = apply (*ticket, op);

  tr_ticket_free (*ticket);
  *ticket = next;
}

static TrTicket *
apply_all (const TrTicket *current, GPtrArray *ops)
{
  TrTicket *ticket = tr_ticket_copy (current);

  for (guint i = 0; i < ops->len; i++)
    step (&ticket, tr_op_copy (g_ptr_array_index (ops, i)));
  return ticket;
}

static TrItem *
new_item (const char *id, const char *station)
{
  TrItem *item = tr_item_new ();

  item->id = g_strdup (id);
  item->name = g_strdup (id);
  item->quantity = 1;
  item->station = g_strdup (station);
  return item;
}

/* Ticket @number (id "t<number>"): a grill burger and steak, fry fries
 * and an unrouted water, created at host_now. */
static TrTicket *
make_ticket (int number)
{
  g_autoptr (TrTicket) draft = tr_ticket_new ();
  TrTicket *ticket;

  draft->id = g_strdup_printf ("t%d", number);
  g_ptr_array_add (draft->items, new_item ("burger", "grill"));
  g_ptr_array_add (draft->items, new_item ("steak", "grill"));
  g_ptr_array_add (draft->items, new_item ("fries", "fry"));
  g_ptr_array_add (draft->items, new_item ("water", NULL));
  ticket = apply (NULL, tr_op_new_create_ticket ("pos", draft));
  /* The host numbers tickets; the applier leaves that to it. */
  ticket->number = number;
  return ticket;
}

/* The grill station's bump: its items ready, at host_now. */
static void
grill_bumps (TrTicket **ticket)
{
  step (ticket, tr_op_new_set_item_status ("grill", (*ticket)->id, "burger", TR_ITEM_STATUS_READY));
  step (ticket, tr_op_new_set_item_status ("grill", (*ticket)->id, "steak", TR_ITEM_STATUS_READY));
}

/* The expo serves it: ready, then served, at host_now. */
static void
serve (TrTicket **ticket)
{
  if ((*ticket)->status != TR_TICKET_STATUS_READY)
    step (ticket, tr_op_new_set_ticket_status ("expo", (*ticket)->id, TR_TICKET_STATUS_READY));
  step (ticket, tr_op_new_set_ticket_status ("expo", (*ticket)->id, TR_TICKET_STATUS_SERVED));
}

static TrItemStatus
item_status (const TrTicket *ticket, const char *item_id)
{
  return tr_ticket_find_item (ticket, item_id)->status;
}

/* ---- Which tickets, and when they were bumped ---- */

static void
test_for_ticket (void)
{
  g_autoptr (TrTicket) ticket = make_ticket (7);
  g_autoptr (TrRecall) recall = NULL;
  gint64 ready_at;

  /* Nothing bumped yet: new, then started. */
  g_assert_null (tr_recall_new_for_ticket (ticket));
  step (&ticket, tr_op_new_set_item_status ("grill", "t7", "burger", TR_ITEM_STATUS_PREPARING));
  g_assert_null (tr_recall_new_for_ticket (ticket));

  /* The grill bumps its part: the host's time of its last item. */
  host_now += MINUTE;
  step (&ticket, tr_op_new_set_item_status ("grill", "t7", "burger", TR_ITEM_STATUS_READY));
  host_now += 1;
  step (&ticket, tr_op_new_set_item_status ("grill", "t7", "steak", TR_ITEM_STATUS_READY));
  ready_at = host_now;
  recall = tr_recall_new_for_ticket (ticket);
  g_assert_nonnull (recall);
  g_assert_cmpstr (recall->ticket_id, ==, "t7");
  g_assert_cmpint (recall->number, ==, 7);
  g_assert_cmpint (recall->bumped_at, ==, ready_at);
  g_clear_pointer (&recall, tr_recall_free);

  /* Served at the pass: when it was served. */
  host_now += MINUTE;
  serve (&ticket);
  recall = tr_recall_new_for_ticket (ticket);
  g_assert_cmpint (recall->bumped_at, ==, host_now);
  g_clear_pointer (&recall, tr_recall_free);

  /* Recalled from served: on the pass again, and listed as bumped when
   * it became ready, not when it was recalled. */
  host_now += MINUTE;
  step (&ticket, tr_op_new_set_ticket_status ("expo", "t7", TR_TICKET_STATUS_READY));
  recall = tr_recall_new_for_ticket (ticket);
  g_assert_nonnull (recall);
  g_assert_cmpint (recall->bumped_at, <, host_now);
  g_clear_pointer (&recall, tr_recall_free);

  /* Recalled to the line: nothing of it stands bumped. */
  step (&ticket, tr_op_new_set_ticket_status ("expo", "t7", TR_TICKET_STATUS_PREPARING));
  g_assert_null (tr_recall_new_for_ticket (ticket));

  /* Cancelled: never listed, even with items it had made. */
  grill_bumps (&ticket);
  g_assert_nonnull ((recall = tr_recall_new_for_ticket (ticket)));
  g_clear_pointer (&recall, tr_recall_free);
  step (&ticket, tr_op_new_set_ticket_status ("pos", "t7", TR_TICKET_STATUS_CANCELLED));
  g_assert_null (tr_recall_new_for_ticket (ticket));
}

/* ---- The list: 30 minutes, newest first, 50 at most ---- */

static void
test_list_window_and_order (void)
{
  g_autoptr (TrRecallList) list = tr_recall_list_new ();
  g_autoptr (TrTicket) a = make_ticket (1);
  g_autoptr (TrTicket) b = make_ticket (2);
  g_autoptr (TrTicket) c = make_ticket (3);
  gint64 start = host_now;

  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, 0);
  g_assert_false (tr_recall_list_set_now (list, start));

  /* Nothing bumped is nothing listed. */
  g_assert_false (tr_recall_list_update (list, a));

  grill_bumps (&a);
  g_assert_true (tr_recall_list_update (list, a));
  /* The same ticket again is no change. */
  g_assert_false (tr_recall_list_update (list, a));
  host_now += MINUTE;
  grill_bumps (&b);
  g_assert_true (tr_recall_list_update (list, b));
  /* c is bumped at the same time as b: the higher number first. */
  grill_bumps (&c);
  g_assert_true (tr_recall_list_update (list, c));

  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, 3);
  g_assert_cmpstr (tr_recall_list_get (list, 0)->ticket_id, ==, "t3");
  g_assert_cmpstr (tr_recall_list_get (list, 1)->ticket_id, ==, "t2");
  g_assert_cmpstr (tr_recall_list_get (list, 2)->ticket_id, ==, "t1");

  /* a is served later: it moves to the top. */
  host_now += MINUTE;
  serve (&a);
  g_assert_true (tr_recall_list_update (list, a));
  g_assert_cmpstr (tr_recall_list_get (list, 0)->ticket_id, ==, "t1");
  g_assert_cmpint (tr_recall_list_get (list, 0)->bumped_at, ==, host_now);

  /* 30 minutes after b and c were bumped, they leave; a stays a minute
   * more. Exactly 30 minutes old is out. */
  g_assert_true (tr_recall_list_set_now (list, start + MINUTE + TR_RECALL_WINDOW_MS));
  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, 1);
  g_assert_nonnull (tr_recall_list_find (list, "t1"));
  g_assert_null (tr_recall_list_find (list, "t2"));
  g_assert_false (tr_recall_list_set_now (list, start + MINUTE + TR_RECALL_WINDOW_MS + 1));
  g_assert_true (tr_recall_list_set_now (list, start + 2 * MINUTE + TR_RECALL_WINDOW_MS));
  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, 0);

  /* Back in time (a screen's clock corrected): they are back. */
  g_assert_true (tr_recall_list_set_now (list, start + MINUTE));
  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, 3);

  /* Recalled to the line, or gone: off the list. */
  {
    g_autoptr (GPtrArray) ops = tr_recall_build_ops (&expo, c, ME, NULL);
    g_autoptr (TrTicket) recalled = apply_all (c, ops);

    g_assert_true (tr_recall_list_update (list, recalled));
  }
  g_assert_null (tr_recall_list_find (list, "t3"));
  g_assert_true (tr_recall_list_remove (list, "t2"));
  g_assert_false (tr_recall_list_remove (list, "t2"));
  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, 1);
  tr_recall_list_clear (list);
  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, 0);
}

static void
test_list_limit (void)
{
  g_autoptr (TrRecallList) list = tr_recall_list_new ();
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (GPtrArray) built = NULL;
  const int n = TR_RECALL_MAX + 10;

  for (int i = 1; i <= n; i++)
    {
      TrTicket *ticket = make_ticket (i);

      host_now += 1000;
      grill_bumps (&ticket);
      g_ptr_array_add (tickets, ticket);
    }
  tr_recall_list_set_now (list, host_now);
  for (guint i = 0; i < tickets->len; i++)
    tr_recall_list_update (list, tickets->pdata[i]);

  /* The 50 newest, newest first. */
  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, TR_RECALL_MAX);
  g_assert_cmpint (tr_recall_list_get (list, 0)->number, ==, n);
  g_assert_cmpint (tr_recall_list_get (list, TR_RECALL_MAX - 1)->number, ==, n - TR_RECALL_MAX + 1);
  g_assert_null (tr_recall_list_find (list, "t1"));

  /* The same, built at once, as a screen that just started would. */
  built = tr_recall_list_build (tickets, host_now);
  g_assert_cmpuint (built->len, ==, TR_RECALL_MAX);
  for (guint i = 0; i < built->len; i++)
    g_assert_cmpint (tr_recall_compare (built->pdata[i], tr_recall_list_get (list, i)), ==, 0);

  /* The newest is recalled: the 51st newest comes into the list. */
  {
    g_autoptr (GPtrArray) ops = tr_recall_build_ops (&expo, tickets->pdata[n - 1], ME, NULL);
    g_autoptr (TrTicket) recalled = apply_all (tickets->pdata[n - 1], ops);

    g_assert_true (tr_recall_list_update (list, recalled));
  }
  g_assert_cmpuint (tr_recall_list_get_n_recalls (list), ==, TR_RECALL_MAX);
  g_assert_cmpint (tr_recall_list_get (list, 0)->number, ==, n - 1);
  g_assert_cmpint (tr_recall_list_get (list, TR_RECALL_MAX - 1)->number, ==, n - TR_RECALL_MAX);

  /* An old one that changes without coming into the list is no change
   * of the list. */
  {
    TrTicket **oldest = (TrTicket **)&tickets->pdata[0];

    step (oldest, tr_op_new_set_item_status ("fry", "t1", "fries", TR_ITEM_STATUS_PREPARING));
    g_assert_false (tr_recall_list_update (list, *oldest));
    g_assert_false (tr_recall_list_remove (list, "t1"));
  }
}

/* ---- What a recall does ---- */

static void
test_ops_served_and_cancelled (void)
{
  const TrKitchenScreen *screens[] = { &whole_kitchen, &grill, &fry, &expo };
  g_autoptr (TrTicket) served = make_ticket (8);
  g_autoptr (TrTicket) cancelled = make_ticket (9);

  serve (&served);
  grill_bumps (&cancelled);
  step (&cancelled, tr_op_new_set_ticket_status ("pos", "t9", TR_TICKET_STATUS_CANCELLED));

  for (guint k = 0; k < G_N_ELEMENTS (screens); k++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) ops = tr_recall_build_ops (screens[k], served, ME, &error);
      g_autoptr (TrTicket) after = NULL;
      const TrOp *op;

      /* Served, from any screen: back on the pass. */
      g_assert_no_error (error);
      g_assert_cmpuint (ops->len, ==, 1);
      op = ops->pdata[0];
      g_assert_cmpint (op->kind, ==, TR_OP_SET_TICKET_STATUS);
      g_assert_cmpstr (op->station_id, ==, ME);
      g_assert_cmpint (op->ticket_status, ==, TR_TICKET_STATUS_READY);
      after = apply_all (served, ops);
      g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_READY);

      /* Cancelled since: refused. */
      g_clear_pointer (&ops, g_ptr_array_unref);
      ops = tr_recall_build_ops (screens[k], cancelled, ME, &error);
      g_assert_null (ops);
      g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
    }

  /* Nothing bumped: nothing to do. */
  {
    g_autoptr (TrTicket) fresh = make_ticket (10);
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) ops = tr_recall_build_ops (&expo, fresh, ME, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ops->len, ==, 0);
  }
}

/* The grill bumped its part; whoever recalls it, the grill's items go
 * back, and nothing else moves. */
static void
test_ops_bumped_elsewhere (void)
{
  const TrKitchenScreen *screens[] = { &grill, &fry, &expo, &whole_kitchen };
  g_autoptr (TrTicket) ticket = make_ticket (11);

  step (&ticket, tr_op_new_set_item_status ("fry", "t11", "fries", TR_ITEM_STATUS_PREPARING));
  grill_bumps (&ticket);
  g_assert_cmpint (ticket->status, ==, TR_TICKET_STATUS_PREPARING);

  for (guint k = 0; k < G_N_ELEMENTS (screens); k++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) ops = tr_recall_build_ops (screens[k], ticket, ME, &error);
      g_autoptr (TrTicket) after = NULL;

      g_test_message ("screen %u", k);
      g_assert_no_error (error);
      g_assert_cmpuint (ops->len, ==, 2);
      for (guint i = 0; i < ops->len; i++)
        {
          const TrOp *op = ops->pdata[i];

          g_assert_cmpint (op->kind, ==, TR_OP_SET_ITEM_STATUS);
          g_assert_cmpint (op->item_status, ==, TR_ITEM_STATUS_PREPARING);
        }
      after = apply_all (ticket, ops);
      g_assert_cmpint (item_status (after, "burger"), ==, TR_ITEM_STATUS_PREPARING);
      g_assert_cmpint (item_status (after, "steak"), ==, TR_ITEM_STATUS_PREPARING);
      g_assert_cmpint (item_status (after, "fries"), ==, TR_ITEM_STATUS_PREPARING);
      g_assert_cmpint (item_status (after, "water"), ==, TR_ITEM_STATUS_PENDING);
      /* Un-bumped: off every screen's list. */
      g_assert_null (tr_recall_new_for_ticket (after));
    }
}

/* Both stations bumped: a station takes back its own part; the expo,
 * the whole ticket. */
static void
test_ops_bumped_by_two (void)
{
  g_autoptr (TrTicket) ticket = make_ticket (12);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (TrTicket) after = NULL;
  g_autoptr (TrRecall) recall = NULL;

  step (&ticket, tr_op_new_set_item_status ("fry", "t12", "fries", TR_ITEM_STATUS_PREPARING));
  grill_bumps (&ticket);
  host_now += MINUTE;
  step (&ticket, tr_op_new_set_item_status ("fry", "t12", "fries", TR_ITEM_STATUS_READY));
  step (&ticket, tr_op_new_set_item_status ("fry", "t12", "water", TR_ITEM_STATUS_READY));
  g_assert_cmpint (ticket->status, ==, TR_TICKET_STATUS_READY);

  /* The fry screen: fries and the unrouted water (everyone's). */
  ops = tr_recall_build_ops (&fry, ticket, ME, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 2);
  after = apply_all (ticket, ops);
  g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (item_status (after, "fries"), ==, TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (item_status (after, "water"), ==, TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (item_status (after, "burger"), ==, TR_ITEM_STATUS_READY);
  /* The grill's bump still stands, and is still listed, as bumped when
   * the grill bumped it. */
  recall = tr_recall_new_for_ticket (after);
  g_assert_nonnull (recall);
  g_assert_cmpint (recall->bumped_at, ==, host_now - MINUTE);
  g_clear_pointer (&ops, g_ptr_array_unref);
  g_clear_pointer (&after, tr_ticket_free);

  /* The expo: the whole ready ticket, as one ticket op; items nobody
   * had started go back to pending. */
  ops = tr_recall_build_ops (&expo, ticket, ME, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 1);
  g_assert_cmpint (((TrOp *)ops->pdata[0])->kind, ==, TR_OP_SET_TICKET_STATUS);
  g_assert_cmpint (((TrOp *)ops->pdata[0])->ticket_status, ==, TR_TICKET_STATUS_PREPARING);
  after = apply_all (ticket, ops);
  g_assert_cmpint (item_status (after, "burger"), ==, TR_ITEM_STATUS_PENDING);
  g_assert_cmpint (item_status (after, "fries"), ==, TR_ITEM_STATUS_PREPARING);
  g_assert_null (tr_recall_new_for_ticket (after));
  g_clear_pointer (&ops, g_ptr_array_unref);
  g_clear_pointer (&after, tr_ticket_free);

  /* The whole kitchen: the same. */
  ops = tr_recall_build_ops (&whole_kitchen, ticket, ME, &error);
  g_assert_cmpuint (ops->len, ==, 1);
  g_assert_cmpint (((TrOp *)ops->pdata[0])->ticket_status, ==, TR_TICKET_STATUS_PREPARING);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/recall/for-ticket", test_for_ticket);
  g_test_add_func ("/recall/list/window-and-order", test_list_window_and_order);
  g_test_add_func ("/recall/list/limit", test_list_limit);
  g_test_add_func ("/recall/ops/served-and-cancelled", test_ops_served_and_cancelled);
  g_test_add_func ("/recall/ops/bumped-elsewhere", test_ops_bumped_elsewhere);
  g_test_add_func ("/recall/ops/bumped-by-two", test_ops_bumped_by_two);

  return g_test_run ();
}
