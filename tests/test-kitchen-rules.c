/* test-kitchen-rules.c: what a kitchen screen shows and what each
 * gesture means, for every ticket and item state
 *
 * Tickets are built through tr_op_apply(), as the store builds them, and
 * every op a gesture builds is applied the same way: a rule that builds
 * an op the state machine refuses fails here, not on a cook's screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-kitchen-rules"

#include <string.h>

#include "tr-error.h"
#include "tr-kitchen-rules.h"

#define ME "kds-1"

/* The three kinds of kitchen screen. */
static const TrKitchenScreen whole_kitchen = { TR_KITCHEN_ROLE_KITCHEN, NULL };
static const TrKitchenScreen grill = { TR_KITCHEN_ROLE_KITCHEN, "grill" };
static const TrKitchenScreen expo = { TR_KITCHEN_ROLE_EXPO, "grill" };

static gint64 clock_ms = 1000000;

static TrTicket *
apply (const TrTicket *current, TrOp *op /* owned */)
{
  g_autoptr (TrOp) owned = op;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrEvent) event = NULL;
  TrApplyContext ctx = { .seq = 0, .now = ++clock_ms, .number = 0 };

  event = tr_op_apply (owned, current, &ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  return g_steal_pointer (&event->ticket);
}

/* Applies @ops in order, as the view submits them. */
static TrTicket *
apply_all (const TrTicket *current, GPtrArray *ops)
{
  TrTicket *ticket = tr_ticket_copy (current);

  for (guint i = 0; i < ops->len; i++)
    {
      TrTicket *next = apply (ticket, tr_op_copy (g_ptr_array_index (ops, i)));

      tr_ticket_free (ticket);
      ticket = next;
    }
  return ticket;
}

static TrItem *
new_item (const char *id, const char *name, int quantity, const char *station)
{
  TrItem *item = tr_item_new ();

  item->id = g_strdup (id);
  item->name = g_strdup (name);
  item->quantity = quantity;
  item->station = g_strdup (station);
  return item;
}

/* Ticket #7: a grill burger, grill steak, fry fries and an unrouted
 * water, brought to @status the way a kitchen would. */
static TrTicket *
make_ticket (TrTicketStatus status)
{
  g_autoptr (TrTicket) draft = tr_ticket_new ();
  TrTicket *ticket;

  draft->id = g_strdup ("t7");
  draft->number = 7;
  g_ptr_array_add (draft->items, new_item ("burger", "Burger", 2, "grill"));
  g_ptr_array_add (draft->items, new_item ("steak", "Steak", 1, "GRILL"));
  g_ptr_array_add (draft->items, new_item ("fries", "Fries", 3, "fry"));
  g_ptr_array_add (draft->items, new_item ("water", "Water", 1, NULL));
  ticket = apply (NULL, tr_op_new_create_ticket ("pos", draft));

  if (status == TR_TICKET_STATUS_NEW)
    return ticket;
  if (status == TR_TICKET_STATUS_CANCELLED)
    {
      TrTicket *next = apply (ticket, tr_op_new_set_ticket_status ("pos", "t7", status));

      tr_ticket_free (ticket);
      return next;
    }
  {
    /* Started: the burger is on the grill. */
    TrTicket *next
      = apply (ticket, tr_op_new_set_item_status ("pos", "t7", "burger", TR_ITEM_STATUS_PREPARING));

    tr_ticket_free (ticket);
    ticket = next;
  }
  g_assert_cmpint (ticket->status, ==, TR_TICKET_STATUS_PREPARING);
  if (status >= TR_TICKET_STATUS_READY)
    {
      TrTicket *next
        = apply (ticket, tr_op_new_set_ticket_status ("pos", "t7", TR_TICKET_STATUS_READY));

      tr_ticket_free (ticket);
      ticket = next;
    }
  if (status == TR_TICKET_STATUS_SERVED)
    {
      TrTicket *next
        = apply (ticket, tr_op_new_set_ticket_status ("pos", "t7", TR_TICKET_STATUS_SERVED));

      tr_ticket_free (ticket);
      ticket = next;
    }
  g_assert_cmpint (ticket->status, ==, status);
  return ticket;
}

static TrItemStatus
item_status (const TrTicket *ticket, const char *item_id)
{
  return tr_ticket_find_item (ticket, item_id)->status;
}

static void
assert_ticket_op (GPtrArray *ops, guint index, TrTicketStatus status)
{
  const TrOp *op = g_ptr_array_index (ops, index);

  g_assert_cmpint (op->kind, ==, TR_OP_SET_TICKET_STATUS);
  g_assert_cmpstr (op->station_id, ==, ME);
  g_assert_cmpstr (op->ticket_id, ==, "t7");
  g_assert_cmpint (op->ticket_status, ==, status);
}

static void
assert_item_op (GPtrArray *ops, guint index, const char *item_id, TrItemStatus status)
{
  const TrOp *op = g_ptr_array_index (ops, index);

  g_assert_cmpint (op->kind, ==, TR_OP_SET_ITEM_STATUS);
  g_assert_cmpstr (op->station_id, ==, ME);
  g_assert_cmpstr (op->ticket_id, ==, "t7");
  g_assert_cmpstr (op->item_id, ==, item_id);
  g_assert_cmpint (op->item_status, ==, status);
}

/* ---- What belongs to a station ---- */

static void
test_station_items (void)
{
  g_autoptr (TrItem) routed = new_item ("a", "Burger", 1, "Grill");
  g_autoptr (TrItem) unrouted = new_item ("b", "Water", 1, NULL);
  g_autoptr (TrItem) blank = new_item ("c", "Bread", 1, "");

  g_assert_true (tr_item_is_for_station (routed, "grill"));
  g_assert_true (tr_item_is_for_station (routed, "GRILL"));
  g_assert_false (tr_item_is_for_station (routed, "fry"));
  g_assert_false (tr_item_is_for_station (routed, "gril"));
  g_assert_true (tr_item_is_for_station (routed, NULL));
  g_assert_true (tr_item_is_for_station (routed, ""));
  g_assert_true (tr_item_is_for_station (unrouted, "fry"));
  g_assert_true (tr_item_is_for_station (blank, "fry"));
}

static void
test_changes_for_station (void)
{
  g_autoptr (TrTicket) ticket = make_ticket (TR_TICKET_STATUS_NEW);
  g_autoptr (TrTicket) amended = NULL;
  TrOp *op = tr_op_new_amend_ticket ("pos", "t7");
  TrAmendment *amendment = tr_amendment_new (TR_AMEND_SET_QUANTITY);
  gint64 at;

  g_assert_cmpint (tr_ticket_last_change_at (ticket), ==, 0);
  g_assert_false (tr_ticket_has_changes_for (ticket, NULL, 0));

  /* The fryer's quantity changes: news to the fryer and the whole
   * kitchen, not to the grill. */
  amendment->item_id = g_strdup ("fries");
  amendment->quantity = 4;
  g_ptr_array_add (op->amendments, amendment);
  amended = apply (ticket, op);
  at = tr_ticket_last_change_at (amended);
  g_assert_cmpint (at, >, 0);
  g_assert_true (tr_ticket_has_changes_for (amended, "fry", 0));
  g_assert_true (tr_ticket_has_changes_for (amended, NULL, 0));
  g_assert_false (tr_ticket_has_changes_for (amended, "grill", 0));
  /* Acknowledged at that time: no longer news. */
  g_assert_false (tr_ticket_has_changes_for (amended, "fry", at));
  g_assert_true (tr_ticket_has_changes_for (amended, "fry", at - 1));
}

/* ---- The screen ---- */

static void
test_roles (void)
{
  TrKitchenScreen blank = { TR_KITCHEN_ROLE_KITCHEN, "" };

  g_assert_cmpint (tr_kitchen_role_from_string ("expo"), ==, TR_KITCHEN_ROLE_EXPO);
  g_assert_cmpint (tr_kitchen_role_from_string ("foh"), ==, TR_KITCHEN_ROLE_EXPO);
  g_assert_cmpint (tr_kitchen_role_from_string ("kitchen"), ==, TR_KITCHEN_ROLE_KITCHEN);
  g_assert_cmpint (tr_kitchen_role_from_string ("pos"), ==, TR_KITCHEN_ROLE_KITCHEN);
  g_assert_cmpint (tr_kitchen_role_from_string (""), ==, TR_KITCHEN_ROLE_KITCHEN);
  g_assert_cmpint (tr_kitchen_role_from_string (NULL), ==, TR_KITCHEN_ROLE_KITCHEN);

  g_assert_cmpstr (tr_kitchen_screen_get_station_filter (&grill), ==, "grill");
  g_assert_null (tr_kitchen_screen_get_station_filter (&whole_kitchen));
  g_assert_null (tr_kitchen_screen_get_station_filter (&blank));
  /* The expo sees the whole pass whatever station is set. */
  g_assert_null (tr_kitchen_screen_get_station_filter (&expo));
}

static void
test_shows_ticket (void)
{
  /* [status]: whole kitchen, grill, fry, expo. */
  const struct
  {
    TrTicketStatus status;
    gboolean whole, grill, fry, expo;
  } rows[] = {
    { TR_TICKET_STATUS_NEW, TRUE, TRUE, TRUE, TRUE },
    { TR_TICKET_STATUS_PREPARING, TRUE, TRUE, TRUE, TRUE },
    { TR_TICKET_STATUS_READY, FALSE, FALSE, FALSE, TRUE },
    { TR_TICKET_STATUS_SERVED, FALSE, FALSE, FALSE, FALSE },
    /* Kept until dismissed. */
    { TR_TICKET_STATUS_CANCELLED, TRUE, TRUE, TRUE, TRUE },
  };
  const TrKitchenScreen fry = { TR_KITCHEN_ROLE_KITCHEN, "fry" };
  const TrKitchenScreen pastry = { TR_KITCHEN_ROLE_KITCHEN, "pastry" };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket (rows[i].status);

      g_test_message ("status %s", tr_ticket_status_to_string (rows[i].status));
      g_assert_cmpint (tr_kitchen_screen_shows_ticket (&whole_kitchen, ticket, 0), ==,
                       rows[i].whole);
      g_assert_cmpint (tr_kitchen_screen_shows_ticket (&grill, ticket, 0), ==, rows[i].grill);
      g_assert_cmpint (tr_kitchen_screen_shows_ticket (&fry, ticket, 0), ==, rows[i].fry);
      g_assert_cmpint (tr_kitchen_screen_shows_ticket (&expo, ticket, 0), ==, rows[i].expo);
      /* The water is unrouted, so every station has a part of it. */
      g_assert_cmpint (tr_kitchen_screen_shows_ticket (&pastry, ticket, 0), ==, rows[i].fry);
    }

  /* The grill is done but the fryer is not: off the grill's screen. */
  {
    g_autoptr (TrTicket) ticket = make_ticket (TR_TICKET_STATUS_PREPARING);
    g_autoptr (TrTicket) burger
      = apply (ticket, tr_op_new_set_item_status (ME, "t7", "burger", TR_ITEM_STATUS_READY));
    g_autoptr (TrTicket) water
      = apply (burger, tr_op_new_set_item_status (ME, "t7", "water", TR_ITEM_STATUS_READY));
    g_autoptr (TrTicket) steak
      = apply (water, tr_op_new_set_item_status (ME, "t7", "steak", TR_ITEM_STATUS_READY));

    /* The unrouted water is the grill's business too. */
    g_assert_true (tr_kitchen_screen_shows_ticket (&grill, burger, 0));
    g_assert_true (tr_kitchen_screen_shows_ticket (&grill, water, 0));
    g_assert_false (tr_kitchen_screen_shows_ticket (&grill, steak, 0));
    g_assert_true (tr_kitchen_screen_shows_ticket (&fry, steak, 0));
    g_assert_true (tr_kitchen_screen_shows_ticket (&whole_kitchen, steak, 0));
  }

  /* A ticket with nothing for a station is never on its screen. */
  {
    g_autoptr (TrTicket) draft = tr_ticket_new ();
    g_autoptr (TrTicket) ticket = NULL;
    g_autoptr (TrTicket) cancelled = NULL;

    draft->id = g_strdup ("t7");
    g_ptr_array_add (draft->items, new_item ("fries", "Fries", 1, "fry"));
    ticket = apply (NULL, tr_op_new_create_ticket ("pos", draft));
    cancelled
      = apply (ticket, tr_op_new_set_ticket_status ("pos", "t7", TR_TICKET_STATUS_CANCELLED));
    g_assert_false (tr_kitchen_screen_shows_ticket (&grill, ticket, 0));
    g_assert_false (tr_kitchen_screen_shows_ticket (&grill, cancelled, 0));
    g_assert_true (tr_kitchen_screen_shows_ticket (&expo, ticket, 0));
  }
}

/* A change stays in sight until acknowledged, even on a ticket with
 * nothing left to make. */
static void
test_shows_news (void)
{
  g_autoptr (TrTicket) ready = make_ticket (TR_TICKET_STATUS_READY);
  g_autoptr (TrTicket) amended = NULL;
  TrOp *op = tr_op_new_amend_ticket ("pos", "t7");
  TrAmendment *amendment = tr_amendment_new (TR_AMEND_SET_NOTE);
  gint64 at;

  amendment->text = g_strdup ("No salt");
  g_ptr_array_add (op->amendments, amendment);
  amended = apply (ready, op);
  g_assert_cmpint (amended->status, ==, TR_TICKET_STATUS_READY);
  at = tr_ticket_last_change_at (amended);

  g_assert_true (tr_kitchen_screen_shows_ticket (&whole_kitchen, amended, 0));
  g_assert_true (tr_kitchen_screen_shows_ticket (&grill, amended, at - 1));
  g_assert_false (tr_kitchen_screen_shows_ticket (&whole_kitchen, amended, at));
  g_assert_false (tr_kitchen_screen_shows_ticket (&grill, amended, at));
  /* Ready is still on the pass, news or not. */
  g_assert_true (tr_kitchen_screen_shows_ticket (&expo, amended, at));
}

static void
test_all_day (void)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) grill_day = NULL;
  g_autoptr (GPtrArray) expo_day = NULL;
  g_autoptr (GPtrArray) none = NULL;
  const TrAllDayEntry *entry;

  /* Two open tickets (burger ×2 preparing / pending, steak ×1, fries
   * ×3, water ×1 each), one ready, one cancelled: only the open ones'
   * unfinished items count. */
  g_ptr_array_add (tickets, make_ticket (TR_TICKET_STATUS_NEW));
  g_ptr_array_add (tickets, make_ticket (TR_TICKET_STATUS_PREPARING));
  g_ptr_array_add (tickets, make_ticket (TR_TICKET_STATUS_READY));
  g_ptr_array_add (tickets, make_ticket (TR_TICKET_STATUS_CANCELLED));

  all = tr_kitchen_screen_count_all_day (&whole_kitchen, tickets);
  g_assert_cmpuint (all->len, ==, 4);
  /* Most first; a tie by name. */
  entry = all->pdata[0];
  g_assert_cmpstr (entry->name, ==, "Fries");
  g_assert_cmpuint (entry->count, ==, 6);
  entry = all->pdata[1];
  g_assert_cmpstr (entry->name, ==, "Burger");
  g_assert_cmpuint (entry->count, ==, 4);
  entry = all->pdata[2];
  g_assert_cmpstr (entry->name, ==, "Steak");
  g_assert_cmpuint (entry->count, ==, 2);
  entry = all->pdata[3];
  g_assert_cmpstr (entry->name, ==, "Water");
  g_assert_cmpuint (entry->count, ==, 2);

  grill_day = tr_kitchen_screen_count_all_day (&grill, tickets);
  g_assert_cmpuint (grill_day->len, ==, 3);
  g_assert_cmpstr (((TrAllDayEntry *)grill_day->pdata[0])->name, ==, "Burger");
  g_assert_cmpstr (((TrAllDayEntry *)grill_day->pdata[1])->name, ==, "Steak");
  g_assert_cmpstr (((TrAllDayEntry *)grill_day->pdata[2])->name, ==, "Water");

  /* The expo counts the whole pass. */
  expo_day = tr_kitchen_screen_count_all_day (&expo, tickets);
  g_assert_cmpuint (expo_day->len, ==, 4);

  g_ptr_array_set_size (tickets, 0);
  none = tr_kitchen_screen_count_all_day (&grill, tickets);
  g_assert_cmpuint (none->len, ==, 0);
}

/* ---- Bump ---- */

static void
test_bump_whole_kitchen (void)
{
  for (TrTicketStatus s = 0; s < TR_TICKET_N_STATUSES; s++)
    {
      g_autoptr (TrTicket) ticket = make_ticket (s);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) ops = NULL;
      TrBumpAction action = -1;

      g_test_message ("status %s", tr_ticket_status_to_string (s));
      ops = tr_kitchen_rules_bump (&whole_kitchen, ticket, ME, &action, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ops);
      switch (s)
        {
          case TR_TICKET_STATUS_NEW:
          case TR_TICKET_STATUS_PREPARING:
            {
              g_autoptr (TrTicket) after = NULL;

              g_assert_cmpint (action, ==, TR_BUMP_SUBMIT);
              g_assert_cmpuint (ops->len, ==, 1);
              assert_ticket_op (ops, 0, TR_TICKET_STATUS_READY);
              after = apply_all (ticket, ops);
              g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_READY);
              g_assert_cmpint (item_status (after, "fries"), ==, TR_ITEM_STATUS_READY);
              g_assert_false (tr_kitchen_screen_shows_ticket (&whole_kitchen, after, 0));
            }
            break;
          case TR_TICKET_STATUS_READY:
          case TR_TICKET_STATUS_SERVED:
            /* Only news brings these to a kitchen screen. */
            g_assert_cmpint (action, ==, TR_BUMP_ACKNOWLEDGE);
            g_assert_cmpuint (ops->len, ==, 0);
            break;
          case TR_TICKET_STATUS_CANCELLED:
            g_assert_cmpint (action, ==, TR_BUMP_DISMISS);
            g_assert_cmpuint (ops->len, ==, 0);
            break;
          case TR_TICKET_N_STATUSES:
          default:
            g_assert_not_reached ();
        }
    }
}

static void
test_bump_station (void)
{
  for (TrTicketStatus s = 0; s < TR_TICKET_N_STATUSES; s++)
    {
      g_autoptr (TrTicket) ticket = make_ticket (s);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) ops = NULL;
      TrBumpAction action = -1;

      g_test_message ("status %s", tr_ticket_status_to_string (s));
      ops = tr_kitchen_rules_bump (&grill, ticket, ME, &action, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ops);
      if (s == TR_TICKET_STATUS_NEW || s == TR_TICKET_STATUS_PREPARING)
        {
          g_autoptr (TrTicket) after = NULL;

          /* The grill's items, and the unrouted water: no ticket op. */
          g_assert_cmpint (action, ==, TR_BUMP_SUBMIT);
          g_assert_cmpuint (ops->len, ==, 3);
          assert_item_op (ops, 0, "burger", TR_ITEM_STATUS_READY);
          assert_item_op (ops, 1, "steak", TR_ITEM_STATUS_READY);
          assert_item_op (ops, 2, "water", TR_ITEM_STATUS_READY);
          after = apply_all (ticket, ops);
          g_assert_cmpint (item_status (after, "fries"), ==, TR_ITEM_STATUS_PENDING);
          g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_PREPARING);
          g_assert_false (tr_kitchen_screen_shows_ticket (&grill, after, 0));
        }
      else if (s == TR_TICKET_STATUS_CANCELLED)
        {
          g_assert_cmpint (action, ==, TR_BUMP_DISMISS);
          g_assert_cmpuint (ops->len, ==, 0);
        }
      else
        {
          g_assert_cmpint (action, ==, TR_BUMP_ACKNOWLEDGE);
          g_assert_cmpuint (ops->len, ==, 0);
        }
    }

  /* Only the unfinished ones: a steak the grill already finished is not
   * bumped again, and the last station's bump readies the ticket. */
  {
    g_autoptr (TrTicket) started = make_ticket (TR_TICKET_STATUS_PREPARING);
    g_autoptr (TrTicket) fried = NULL;
    g_autoptr (TrTicket) steak = NULL;
    g_autoptr (TrTicket) after = NULL;
    g_autoptr (GPtrArray) ops = NULL;
    g_autoptr (GError) error = NULL;
    TrBumpAction action = -1;

    fried = apply (started, tr_op_new_set_item_status (ME, "t7", "fries", TR_ITEM_STATUS_READY));
    steak = apply (fried, tr_op_new_set_item_status (ME, "t7", "steak", TR_ITEM_STATUS_READY));
    ops = tr_kitchen_rules_bump (&grill, steak, ME, &action, &error);
    g_assert_no_error (error);
    g_assert_cmpint (action, ==, TR_BUMP_SUBMIT);
    g_assert_cmpuint (ops->len, ==, 2);
    assert_item_op (ops, 0, "burger", TR_ITEM_STATUS_READY);
    assert_item_op (ops, 1, "water", TR_ITEM_STATUS_READY);
    after = apply_all (steak, ops);
    g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_READY);
  }
}

static void
test_bump_expo (void)
{
  for (TrTicketStatus s = 0; s < TR_TICKET_N_STATUSES; s++)
    {
      g_autoptr (TrTicket) ticket = make_ticket (s);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) ops = NULL;
      g_autoptr (TrTicket) after = NULL;
      TrBumpAction action = -1;

      g_test_message ("status %s", tr_ticket_status_to_string (s));
      ops = tr_kitchen_rules_bump (&expo, ticket, ME, &action, &error);
      switch (s)
        {
          case TR_TICKET_STATUS_NEW:
          case TR_TICKET_STATUS_PREPARING:
            /* Sent from the pass unfinished: ready, then served. */
            g_assert_no_error (error);
            g_assert_cmpint (action, ==, TR_BUMP_SUBMIT);
            g_assert_cmpuint (ops->len, ==, 2);
            assert_ticket_op (ops, 0, TR_TICKET_STATUS_READY);
            assert_ticket_op (ops, 1, TR_TICKET_STATUS_SERVED);
            after = apply_all (ticket, ops);
            g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_SERVED);
            break;
          case TR_TICKET_STATUS_READY:
            g_assert_no_error (error);
            g_assert_cmpint (action, ==, TR_BUMP_SUBMIT);
            g_assert_cmpuint (ops->len, ==, 1);
            assert_ticket_op (ops, 0, TR_TICKET_STATUS_SERVED);
            after = apply_all (ticket, ops);
            g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_SERVED);
            g_assert_false (tr_kitchen_screen_shows_ticket (&expo, after, 0));
            break;
          case TR_TICKET_STATUS_SERVED:
            /* Served twice is no move: refused, as the state machine
             * refuses it, not a recall to ready. */
            g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
            g_assert_null (ops);
            break;
          case TR_TICKET_STATUS_CANCELLED:
            g_assert_no_error (error);
            g_assert_cmpint (action, ==, TR_BUMP_DISMISS);
            g_assert_cmpuint (ops->len, ==, 0);
            break;
          case TR_TICKET_N_STATUSES:
          default:
            g_assert_not_reached ();
        }
    }
}

/* ---- Tap ---- */

static void
test_tap_item (void)
{
  /* The burger taken through every item status. */
  const struct
  {
    TrItemStatus from;
    int to; /* -1: refused */
  } rows[] = {
    { TR_ITEM_STATUS_PENDING, TR_ITEM_STATUS_PREPARING },
    { TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_READY },
    /* A second tap takes back a mis-tap. */
    { TR_ITEM_STATUS_READY, TR_ITEM_STATUS_PREPARING },
    { TR_ITEM_STATUS_SERVED, -1 },
    { TR_ITEM_STATUS_VOIDED, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket (TR_TICKET_STATUS_NEW);
      g_autoptr (GError) error = NULL;
      g_autoptr (TrOp) op = NULL;

      g_test_message ("item %s", tr_item_status_to_string (rows[i].from));
      /* Bring the burger there the legal way. */
      if (rows[i].from == TR_ITEM_STATUS_VOIDED)
        {
          TrOp *amend = tr_op_new_amend_ticket ("pos", "t7");
          TrAmendment *amendment = tr_amendment_new (TR_AMEND_VOID_ITEM);
          TrTicket *next;

          amendment->item_id = g_strdup ("burger");
          g_ptr_array_add (amend->amendments, amendment);
          next = apply (ticket, amend);
          tr_ticket_free (ticket);
          ticket = next;
        }
      else
        for (TrItemStatus s = TR_ITEM_STATUS_PREPARING; s <= rows[i].from; s++)
          {
            TrTicket *next = apply (ticket, tr_op_new_set_item_status ("pos", "t7", "burger", s));

            tr_ticket_free (ticket);
            ticket = next;
          }
      g_assert_cmpint (item_status (ticket, "burger"), ==, rows[i].from);

      /* The same on every screen. */
      for (guint k = 0; k < 3; k++)
        {
          const TrKitchenScreen *screen = k == 0 ? &whole_kitchen : k == 1 ? &grill : &expo;

          g_clear_error (&error);
          g_clear_pointer (&op, tr_op_free);
          op = tr_kitchen_rules_tap_item (screen, ticket, "burger", ME, &error);
          if (rows[i].to < 0)
            {
              g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
              g_assert_null (op);
            }
          else
            {
              g_autoptr (GPtrArray) ops = g_ptr_array_new ();
              g_autoptr (TrTicket) after = NULL;

              g_assert_no_error (error);
              g_ptr_array_add (ops, op);
              assert_item_op (ops, 0, "burger", rows[i].to);
              after = apply_all (ticket, ops);
              g_assert_cmpint (item_status (after, "burger"), ==, rows[i].to);
            }
        }
    }

  /* A line that is not on the ticket. */
  {
    g_autoptr (TrTicket) ticket = make_ticket (TR_TICKET_STATUS_NEW);
    g_autoptr (GError) error = NULL;

    g_assert_null (tr_kitchen_rules_tap_item (&grill, ticket, "soup", ME, &error));
    g_assert_error (error, TR_ERROR, TR_ERROR_UNKNOWN_ITEM);
  }

  /* Every line of a cancelled ticket is voided: no tap moves one. */
  {
    g_autoptr (TrTicket) ticket = make_ticket (TR_TICKET_STATUS_CANCELLED);

    for (guint i = 0; i < ticket->items->len; i++)
      {
        g_autoptr (GError) error = NULL;
        const TrItem *item = ticket->items->pdata[i];

        g_assert_null (tr_kitchen_rules_tap_item (&whole_kitchen, ticket, item->id, ME, &error));
        g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
      }
  }
}

/* Rush first: a rush ahead of any normal ticket, each group oldest
 * first, ties by number then id; without it, age alone. */
static void
test_compare_rush_first (void)
{
  g_autoptr (TrTicket) old = make_ticket (TR_TICKET_STATUS_NEW);
  g_autoptr (TrTicket) young = make_ticket (TR_TICKET_STATUS_NEW);
  g_autoptr (TrTicket) rush = make_ticket (TR_TICKET_STATUS_PREPARING);
  g_autoptr (TrTicket) twin = NULL;

  old->created_at = 1000;
  young->created_at = 2000;
  rush->created_at = 3000;
  rush->priority = TR_PRIORITY_RUSH;

  g_assert_cmpint (tr_kitchen_compare_tickets (old, young, TRUE), <, 0);
  g_assert_cmpint (tr_kitchen_compare_tickets (rush, old, TRUE), <, 0);
  g_assert_cmpint (tr_kitchen_compare_tickets (old, rush, TRUE), >, 0);
  g_assert_cmpint (tr_kitchen_compare_tickets (rush, young, TRUE), <, 0);
  /* Off: the rush waits its turn. */
  g_assert_cmpint (tr_kitchen_compare_tickets (rush, old, FALSE), >, 0);
  g_assert_cmpint (tr_kitchen_compare_tickets (old, young, FALSE), <, 0);

  /* Two rushes: oldest first; then the number, then the id. */
  twin = tr_ticket_copy (rush);
  twin->created_at = 2500;
  g_assert_cmpint (tr_kitchen_compare_tickets (twin, rush, TRUE), <, 0);
  twin->created_at = rush->created_at;
  twin->number = rush->number + 1;
  g_assert_cmpint (tr_kitchen_compare_tickets (rush, twin, TRUE), <, 0);
  twin->number = rush->number;
  g_free (twin->id);
  twin->id = g_strconcat (rush->id, "z", NULL);
  g_assert_cmpint (tr_kitchen_compare_tickets (rush, twin, TRUE), <, 0);
  g_assert_cmpint (tr_kitchen_compare_tickets (rush, rush, TRUE), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kitchen-rules/station-items", test_station_items);
  g_test_add_func ("/kitchen-rules/changes-for-station", test_changes_for_station);
  g_test_add_func ("/kitchen-rules/roles", test_roles);
  g_test_add_func ("/kitchen-rules/compare/rush-first", test_compare_rush_first);
  g_test_add_func ("/kitchen-rules/shows-ticket", test_shows_ticket);
  g_test_add_func ("/kitchen-rules/shows-news", test_shows_news);
  g_test_add_func ("/kitchen-rules/all-day", test_all_day);
  g_test_add_func ("/kitchen-rules/bump/whole-kitchen", test_bump_whole_kitchen);
  g_test_add_func ("/kitchen-rules/bump/station", test_bump_station);
  g_test_add_func ("/kitchen-rules/bump/expo", test_bump_expo);
  g_test_add_func ("/kitchen-rules/tap-item", test_tap_item);

  return g_test_run ();
}
