/* tr-test-slips.c: the ticket the slip tests print
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-slips.h"

static TrItem *
item (const char *id, const char *name, int quantity, const char *station, int course)
{
  TrItem *item = tr_item_new ();

  item->id = g_strdup (id);
  item->name = g_strdup (name);
  item->quantity = quantity;
  item->station = g_strdup (station);
  item->course = course;
  return item;
}

static void
set_strv (GStrv *field, const char *const *values)
{
  g_strfreev (*field);
  *field = g_strdupv ((GStrv)values);
}

TrTicket *
tr_test_slips_ticket (void)
{
  TrTicket *ticket = tr_ticket_new ();
  TrItem *burger, *fries, *dessert, *salad;

  ticket->id = g_strdup ("ticket-42");
  ticket->number = 42;
  ticket->order_type = TR_ORDER_TYPE_DINE_IN;
  ticket->table = g_strdup ("7");
  ticket->server = g_strdup ("Ana");
  ticket->guests = 4;
  ticket->priority = TR_PRIORITY_RUSH;
  ticket->created_at = TR_TEST_SLIP_TIME;
  ticket->updated_at = TR_TEST_SLIP_TIME;
  ticket->version = 1;
  ticket->note = g_strdup ("Birthday: candle on the fondant");

  burger = item ("burger", "Smash Burger", 2, "grill", 1);
  set_strv (&burger->modifiers, (const char *const[]){ "no onion", "extra cheese", NULL });
  set_strv (&burger->allergens, (const char *const[]){ "gluten", "milk", NULL });
  burger->note = g_strdup ("one well done");
  g_ptr_array_add (ticket->items, burger);
  fries = item ("fries", "Fries", 1, "fry", 1);
  g_ptr_array_add (ticket->items, fries);
  dessert = item ("fondant", "Chocolate fondant with salted caramel and vanilla ice cream", 1,
                  "pastry", 2);
  set_strv (&dessert->allergens, (const char *const[]){ "egg", NULL });
  g_ptr_array_add (ticket->items, dessert);
  g_ptr_array_add (ticket->items, item ("water", "Sparkling water", 2, NULL, 0));
  salad = item ("salad", "Caesar salad", 1, "grill", 1);
  salad->status = TR_ITEM_STATUS_VOIDED;
  g_ptr_array_add (ticket->items, salad);
  return ticket;
}
