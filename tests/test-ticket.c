/* test-ticket.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ticket"

#include <string.h>

#include "tr-ticket.h"

static TrItem *
make_item (const char *id)
{
  TrItem *item = tr_item_new ();

  item->id = g_strdup (id);
  item->name = g_strdup ("Burger");
  item->quantity = 2;
  g_strfreev (item->modifiers);
  item->modifiers = g_strsplit ("no onion,extra cheese", ",", -1);
  item->note = g_strdup ("medium rare");
  g_strfreev (item->allergens);
  item->allergens = g_strsplit ("gluten,dairy", ",", -1);
  item->station = g_strdup ("grill");
  item->course = 2;
  item->status = TR_ITEM_STATUS_READY;
  item->recall_status = TR_ITEM_STATUS_PREPARING;
  item->ready_at = 1700000000123;
  return item;
}

static TrTicket *
make_ticket (void)
{
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = g_strdup ("0b1c7f3e-1111-4222-8333-444455556666");
  ticket->number = 42;
  ticket->source = TR_SOURCE_POS;
  ticket->external_ref = g_strdup ("POS-991");
  ticket->table = g_strdup ("12");
  ticket->order_type = TR_ORDER_TYPE_DINE_IN;
  ticket->server = g_strdup ("Ana");
  ticket->guests = 4;
  ticket->note = g_strdup ("birthday");
  ticket->priority = TR_PRIORITY_RUSH;
  ticket->created_at = 1700000000000;
  ticket->updated_at = 1700000000500;
  ticket->status = TR_TICKET_STATUS_PREPARING;
  ticket->recall_status = TR_TICKET_STATUS_NEW;
  ticket->version = 3;
  g_ptr_array_add (ticket->items, make_item ("a"));
  g_ptr_array_add (ticket->items, make_item ("b"));
  g_ptr_array_add (ticket->changes,
                   tr_change_new (TR_CHANGE_QUANTITY, 1700000000400, "a", "1", "2"));
  return ticket;
}

static void
test_enum_round_trips (void)
{
  TrTicketStatus ts;
  TrItemStatus is;
  TrTicketSource src;
  TrOrderType ot;
  TrPriority pr;
  TrChangeKind ck;
  static const char *const ticket_names[] = { "new", "preparing", "ready", "served", "cancelled" };
  static const char *const item_names[] = { "pending", "preparing", "ready", "served", "voided" };
  static const char *const source_names[] = { "pos", "app", "web" };
  static const char *const order_names[] = { "dine_in", "takeaway", "delivery", "pickup" };
  static const char *const priority_names[] = { "normal", "rush" };
  static const char *const change_names[] = { "item_added", "item_voided", "quantity", "modifiers",
                                              "item_note",  "table",       "note",     "priority" };

  G_STATIC_ASSERT (G_N_ELEMENTS (ticket_names) == TR_TICKET_N_STATUSES);
  G_STATIC_ASSERT (G_N_ELEMENTS (item_names) == TR_ITEM_N_STATUSES);
  G_STATIC_ASSERT (G_N_ELEMENTS (source_names) == TR_N_SOURCES);
  G_STATIC_ASSERT (G_N_ELEMENTS (order_names) == TR_N_ORDER_TYPES);
  G_STATIC_ASSERT (G_N_ELEMENTS (priority_names) == TR_N_PRIORITIES);
  G_STATIC_ASSERT (G_N_ELEMENTS (change_names) == TR_N_CHANGE_KINDS);

  for (int i = 0; i < TR_TICKET_N_STATUSES; i++)
    {
      g_assert_cmpstr (tr_ticket_status_to_string (i), ==, ticket_names[i]);
      g_assert_true (tr_ticket_status_from_string (ticket_names[i], &ts));
      g_assert_cmpint (ts, ==, i);
    }
  for (int i = 0; i < TR_ITEM_N_STATUSES; i++)
    {
      g_assert_cmpstr (tr_item_status_to_string (i), ==, item_names[i]);
      g_assert_true (tr_item_status_from_string (item_names[i], &is));
      g_assert_cmpint (is, ==, i);
    }
  for (int i = 0; i < TR_N_SOURCES; i++)
    {
      g_assert_cmpstr (tr_source_to_string (i), ==, source_names[i]);
      g_assert_true (tr_source_from_string (source_names[i], &src));
      g_assert_cmpint (src, ==, i);
    }
  for (int i = 0; i < TR_N_ORDER_TYPES; i++)
    {
      g_assert_cmpstr (tr_order_type_to_string (i), ==, order_names[i]);
      g_assert_true (tr_order_type_from_string (order_names[i], &ot));
      g_assert_cmpint (ot, ==, i);
    }
  for (int i = 0; i < TR_N_PRIORITIES; i++)
    {
      g_assert_cmpstr (tr_priority_to_string (i), ==, priority_names[i]);
      g_assert_true (tr_priority_from_string (priority_names[i], &pr));
      g_assert_cmpint (pr, ==, i);
    }
  for (int i = 0; i < TR_N_CHANGE_KINDS; i++)
    {
      g_assert_cmpstr (tr_change_kind_to_string (i), ==, change_names[i]);
      g_assert_true (tr_change_kind_from_string (change_names[i], &ck));
      g_assert_cmpint (ck, ==, i);
    }

  /* A NULL out pointer only checks. */
  g_assert_true (tr_ticket_status_from_string ("ready", NULL));
}

static void
test_enum_rejects (void)
{
  TrTicketStatus ts = TR_TICKET_STATUS_SERVED;
  TrItemStatus is = TR_ITEM_STATUS_SERVED;
  TrPriority pr = TR_PRIORITY_RUSH;

  /* Out of range values have no name. */
  g_assert_null (tr_ticket_status_to_string (TR_TICKET_N_STATUSES));
  g_assert_null (tr_ticket_status_to_string (-1));
  g_assert_null (tr_item_status_to_string (TR_ITEM_N_STATUSES));
  g_assert_null (tr_source_to_string (TR_N_SOURCES));
  g_assert_null (tr_order_type_to_string (TR_N_ORDER_TYPES));
  g_assert_null (tr_priority_to_string (TR_N_PRIORITIES));
  g_assert_null (tr_change_kind_to_string (TR_N_CHANGE_KINDS));

  /* Names are exact and case sensitive; a rejected name leaves @out alone. */
  g_assert_false (tr_ticket_status_from_string (NULL, &ts));
  g_assert_false (tr_ticket_status_from_string ("", &ts));
  g_assert_false (tr_ticket_status_from_string ("Ready", &ts));
  g_assert_false (tr_ticket_status_from_string ("ready ", &ts));
  g_assert_false (tr_ticket_status_from_string ("pending", &ts));
  g_assert_cmpint (ts, ==, TR_TICKET_STATUS_SERVED);
  g_assert_false (tr_item_status_from_string ("cancelled", &is));
  g_assert_false (tr_item_status_from_string ("new", &is));
  g_assert_cmpint (is, ==, TR_ITEM_STATUS_SERVED);
  g_assert_false (tr_source_from_string ("POS", NULL));
  g_assert_false (tr_order_type_from_string ("dine-in", NULL));
  g_assert_false (tr_priority_from_string ("urgent", &pr));
  g_assert_cmpint (pr, ==, TR_PRIORITY_RUSH);
  g_assert_false (tr_change_kind_from_string ("item-added", NULL));
}

static void
test_item_defaults (void)
{
  g_autoptr (TrItem) item = tr_item_new ();

  g_assert_null (item->id);
  g_assert_cmpint (item->quantity, ==, 1);
  g_assert_nonnull (item->modifiers);
  g_assert_cmpuint (g_strv_length (item->modifiers), ==, 0);
  g_assert_nonnull (item->allergens);
  g_assert_cmpuint (g_strv_length (item->allergens), ==, 0);
  g_assert_cmpint (item->status, ==, TR_ITEM_STATUS_PENDING);
  g_assert_cmpint (item->recall_status, ==, TR_ITEM_STATUS_PENDING);
  g_assert_cmpint (item->ready_at, ==, 0);
  g_assert_cmpint (item->served_at, ==, 0);
}

static void
test_item_copy_equal (void)
{
  g_autoptr (TrItem) item = make_item ("a");
  g_autoptr (TrItem) copy = tr_item_copy (item);

  g_assert_true (tr_item_equal (item, copy));
  g_assert_true (tr_item_equal (item, item));
  g_assert_true (tr_item_equal (NULL, NULL));
  g_assert_false (tr_item_equal (item, NULL));
  g_assert_false (tr_item_equal (NULL, item));

  /* Deep: no string or list is shared. */
  g_assert_true (copy->id != item->id);
  g_assert_true (copy->name != item->name);
  g_assert_true (copy->modifiers != item->modifiers);
  g_assert_true (copy->modifiers[0] != item->modifiers[0]);
  g_assert_true (copy->allergens != item->allergens);
  g_assert_true (copy->note != item->note);
  g_assert_true (copy->station != item->station);

  copy->name[0] = 'b';
  g_assert_cmpstr (item->name, ==, "Burger");
  g_assert_false (tr_item_equal (item, copy));
}

/* Each field on its own makes two items unequal. */
static void
test_item_equal_each_field (void)
{
  g_autoptr (TrItem) item = make_item ("a");

  for (int field = 0; field < 12; field++)
    {
      g_autoptr (TrItem) other = tr_item_copy (item);

      switch (field)
        {
          case 0:
            g_free (other->id);
            other->id = g_strdup ("b");
            break;
          case 1:
            g_free (other->name);
            other->name = NULL;
            break;
          case 2:
            other->quantity++;
            break;
          case 3:
            g_free (other->modifiers[1]);
            other->modifiers[1] = NULL;
            break;
          case 4:
            g_free (other->note);
            other->note = g_strdup ("well done");
            break;
          case 5:
            g_strfreev (other->allergens);
            other->allergens = g_new0 (char *, 1);
            break;
          case 6:
            g_clear_pointer (&other->station, g_free);
            break;
          case 7:
            other->course = 0;
            break;
          case 8:
            other->status = TR_ITEM_STATUS_SERVED;
            break;
          case 9:
            other->recall_status = TR_ITEM_STATUS_PENDING;
            break;
          case 10:
            other->ready_at++;
            break;
          case 11:
            other->served_at = 5;
            break;
          default:
            g_assert_not_reached ();
        }
      g_test_message ("item field %d", field);
      g_assert_false (tr_item_equal (item, other));
      g_assert_false (tr_item_equal (other, item));
    }
}

static void
test_item_copy_null_lists (void)
{
  g_autoptr (TrItem) item = tr_item_new ();
  g_autoptr (TrItem) copy = NULL;

  /* Hand-built items may leave the lists NULL; a copy repairs that. */
  g_clear_pointer (&item->modifiers, g_strfreev);
  g_clear_pointer (&item->allergens, g_strfreev);
  copy = tr_item_copy (item);
  g_assert_nonnull (copy->modifiers);
  g_assert_null (copy->modifiers[0]);
  g_assert_nonnull (copy->allergens);
  g_assert_null (copy->allergens[0]);
}

static void
test_change (void)
{
  g_autoptr (TrChange) change = tr_change_new (TR_CHANGE_NOTE, 99, NULL, "old", NULL);
  g_autoptr (TrChange) copy = tr_change_copy (change);

  g_assert_cmpint (copy->kind, ==, TR_CHANGE_NOTE);
  g_assert_cmpint (copy->at, ==, 99);
  g_assert_null (copy->item_id);
  g_assert_cmpstr (copy->before, ==, "old");
  g_assert_true (copy->before != change->before);
  g_assert_null (copy->after);
}

static void
test_ticket_defaults (void)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();

  g_assert_nonnull (ticket->items);
  g_assert_cmpuint (ticket->items->len, ==, 0);
  g_assert_nonnull (ticket->changes);
  g_assert_cmpuint (ticket->changes->len, ==, 0);
  g_assert_cmpint (ticket->status, ==, TR_TICKET_STATUS_NEW);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_NEW);
  g_assert_cmpint (ticket->priority, ==, TR_PRIORITY_NORMAL);
  g_assert_cmpint (ticket->version, ==, 0);
  g_assert_cmpint (ticket->number, ==, 0);
}

static void
test_ticket_copy_equal (void)
{
  g_autoptr (TrTicket) ticket = make_ticket ();
  g_autoptr (TrTicket) copy = tr_ticket_copy (ticket);
  TrItem *item;
  TrChange *change;

  g_assert_true (tr_ticket_equal (ticket, copy));
  g_assert_true (tr_ticket_equal (copy, ticket));
  g_assert_true (tr_ticket_equal (ticket, ticket));
  g_assert_true (tr_ticket_equal (NULL, NULL));
  g_assert_false (tr_ticket_equal (ticket, NULL));

  /* Deep: the arrays and their elements are new. */
  g_assert_true (copy->items != ticket->items);
  g_assert_true (copy->changes != ticket->changes);
  g_assert_true (g_ptr_array_index (copy->items, 0) != g_ptr_array_index (ticket->items, 0));
  g_assert_true (g_ptr_array_index (copy->changes, 0) != g_ptr_array_index (ticket->changes, 0));
  g_assert_true (copy->id != ticket->id);

  /* Changing the copy's item leaves the original alone. */
  item = g_ptr_array_index (copy->items, 1);
  item->quantity = 9;
  g_assert_false (tr_ticket_equal (ticket, copy));
  item = g_ptr_array_index (ticket->items, 1);
  g_assert_cmpint (item->quantity, ==, 2);
  item = g_ptr_array_index (copy->items, 1);
  item->quantity = 2;
  g_assert_true (tr_ticket_equal (ticket, copy));

  change = g_ptr_array_index (copy->changes, 0);
  g_free (change->after);
  change->after = g_strdup ("3");
  g_assert_false (tr_ticket_equal (ticket, copy));
}

static void
test_ticket_equal_each_field (void)
{
  g_autoptr (TrTicket) ticket = make_ticket ();

  for (int field = 0; field < 22; field++)
    {
      g_autoptr (TrTicket) other = tr_ticket_copy (ticket);

      switch (field)
        {
          case 0:
            other->id[0] = 'X';
            break;
          case 1:
            other->number = 43;
            break;
          case 2:
            other->source = TR_SOURCE_WEB;
            break;
          case 3:
            g_clear_pointer (&other->external_ref, g_free);
            break;
          case 4:
            g_free (other->table);
            other->table = g_strdup ("13");
            break;
          case 5:
            other->order_type = TR_ORDER_TYPE_TAKEAWAY;
            break;
          case 6:
            g_clear_pointer (&other->server, g_free);
            break;
          case 7:
            other->guests = 5;
            break;
          case 8:
            g_free (other->note);
            other->note = g_strdup ("anniversary");
            break;
          case 9:
            other->priority = TR_PRIORITY_NORMAL;
            break;
          case 10:
            other->created_at++;
            break;
          case 11:
            other->updated_at++;
            break;
          case 12:
            other->status = TR_TICKET_STATUS_READY;
            break;
          case 13:
            other->recall_status = TR_TICKET_STATUS_PREPARING;
            break;
          case 14:
            other->version++;
            break;
          case 15:
            g_ptr_array_remove_index (other->items, 1);
            break;
          case 16:
            g_ptr_array_add (other->changes, tr_change_new (TR_CHANGE_NOTE, 1, NULL, NULL, "x"));
            break;
          case 17:
            {
              /* Same items in another order. */
              TrItem *first = g_ptr_array_steal_index (other->items, 0);
              g_ptr_array_add (other->items, first);
            }
            break;
          case 18:
            ((TrChange *)g_ptr_array_index (other->changes, 0))->kind = TR_CHANGE_MODIFIERS;
            break;
          case 19:
            ((TrChange *)g_ptr_array_index (other->changes, 0))->at++;
            break;
          case 20:
            g_clear_pointer (&((TrChange *)g_ptr_array_index (other->changes, 0))->item_id, g_free);
            break;
          case 21:
            g_clear_pointer (&((TrChange *)g_ptr_array_index (other->changes, 0))->before, g_free);
            break;
          default:
            g_assert_not_reached ();
        }
      g_test_message ("ticket field %d", field);
      g_assert_false (tr_ticket_equal (ticket, other));
      g_assert_false (tr_ticket_equal (other, ticket));
    }
}

static void
test_boxed (void)
{
  g_autoptr (TrTicket) ticket = make_ticket ();
  TrTicket *boxed;
  TrItem *item;

  g_assert_true (G_TYPE_IS_BOXED (TR_TYPE_TICKET));
  g_assert_true (G_TYPE_IS_BOXED (TR_TYPE_ITEM));
  g_assert_true (G_TYPE_IS_BOXED (TR_TYPE_CHANGE));

  boxed = g_boxed_copy (TR_TYPE_TICKET, ticket);
  g_assert_true (tr_ticket_equal (ticket, boxed));
  g_boxed_free (TR_TYPE_TICKET, boxed);

  item = g_boxed_copy (TR_TYPE_ITEM, g_ptr_array_index (ticket->items, 0));
  g_assert_true (tr_item_equal (item, g_ptr_array_index (ticket->items, 0)));
  g_boxed_free (TR_TYPE_ITEM, item);

  /* Freeing NULL is a no-op. */
  tr_ticket_free (NULL);
  tr_item_free (NULL);
  tr_change_free (NULL);
}

static void
test_find_item (void)
{
  g_autoptr (TrTicket) ticket = make_ticket ();
  TrItem *item;

  item = tr_ticket_find_item (ticket, "b");
  g_assert_nonnull (item);
  g_assert_true (item == g_ptr_array_index (ticket->items, 1));
  item = tr_ticket_find_item (ticket, "a");
  g_assert_true (item == g_ptr_array_index (ticket->items, 0));
  g_assert_null (tr_ticket_find_item (ticket, "c"));
  g_assert_null (tr_ticket_find_item (ticket, ""));
  g_assert_null (tr_ticket_find_item (ticket, "A"));
  g_assert_null (tr_ticket_find_item (ticket, NULL));

  g_ptr_array_set_size (ticket->items, 0);
  g_assert_null (tr_ticket_find_item (ticket, "a"));
}

static void
test_is_open (void)
{
  g_autoptr (TrTicket) ticket = make_ticket ();
  static const gboolean expected[] = { TRUE, TRUE, TRUE, FALSE, FALSE };

  G_STATIC_ASSERT (G_N_ELEMENTS (expected) == TR_TICKET_N_STATUSES);
  for (int s = 0; s < TR_TICKET_N_STATUSES; s++)
    {
      ticket->status = s;
      g_assert_cmpint (tr_ticket_is_open (ticket), ==, expected[s]);
    }
}

static void
test_uuid (void)
{
  g_autofree char *a = tr_uuid_new ();
  g_autofree char *b = tr_uuid_new ();

  g_assert_true (g_uuid_string_is_valid (a));
  g_assert_true (g_uuid_string_is_valid (b));
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpuint (strlen (a), ==, 36);
  /* Version 4, lower case. */
  g_assert_cmpint (a[14], ==, '4');
  for (const char *p = a; *p; p++)
    g_assert_false (g_ascii_isupper (*p));
}

static void
test_now_ms (void)
{
  gint64 before = g_get_real_time () / 1000;
  gint64 now = tr_now_ms ();
  gint64 after = g_get_real_time () / 1000;

  /* Milliseconds, not micro- or seconds: bracketed by the real clock. */
  g_assert_cmpint (now, >=, before);
  g_assert_cmpint (now, <=, after);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ticket/enum/round-trips", test_enum_round_trips);
  g_test_add_func ("/ticket/enum/rejects", test_enum_rejects);
  g_test_add_func ("/ticket/item/defaults", test_item_defaults);
  g_test_add_func ("/ticket/item/copy-equal", test_item_copy_equal);
  g_test_add_func ("/ticket/item/equal-each-field", test_item_equal_each_field);
  g_test_add_func ("/ticket/item/copy-null-lists", test_item_copy_null_lists);
  g_test_add_func ("/ticket/change", test_change);
  g_test_add_func ("/ticket/defaults", test_ticket_defaults);
  g_test_add_func ("/ticket/copy-equal", test_ticket_copy_equal);
  g_test_add_func ("/ticket/equal-each-field", test_ticket_equal_each_field);
  g_test_add_func ("/ticket/boxed", test_boxed);
  g_test_add_func ("/ticket/find-item", test_find_item);
  g_test_add_func ("/ticket/is-open", test_is_open);
  g_test_add_func ("/ticket/uuid", test_uuid);
  g_test_add_func ("/ticket/now-ms", test_now_ms);

  return g_test_run ();
}
