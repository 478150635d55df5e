/* test-codec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-codec"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"

/* ---------------------------------------------------------------------------
 * Fixtures
 */

static TrItem *
make_item (const char *id, const char *name)
{
  TrItem *item = tr_item_new ();

  item->id = g_strdup (id);
  item->name = g_strdup (name);
  return item;
}

/* Every field away from its default, so a dropped or swapped member
 * shows up in the round trip. */
static TrTicket *
make_full_ticket (const char *id)
{
  TrTicket *ticket = tr_ticket_new ();
  TrItem *item;
  const char *modifiers[] = { "no onion", "extra cheese", "\"quoted\" \\ back/slash", NULL };
  const char *allergens[] = { "gluten", "dairy", NULL };

  ticket->id = g_strdup (id);
  ticket->number = 42;
  ticket->source = TR_SOURCE_POS;
  ticket->external_ref = g_strdup ("POS-9001");
  ticket->table = g_strdup ("T12");
  ticket->order_type = TR_ORDER_TYPE_TAKEAWAY;
  ticket->server = g_strdup ("Zoë");
  ticket->guests = 4;
  ticket->note = g_strdup ("Birthday — bring the cake last\nline two\ttab");
  ticket->priority = TR_PRIORITY_RUSH;
  ticket->created_at = 1700000000000;
  ticket->updated_at = 1700000005000;
  ticket->status = TR_TICKET_STATUS_READY;
  ticket->recall_status = TR_TICKET_STATUS_PREPARING;
  ticket->version = 7;

  item = make_item ("item-1", "Cheeseburger");
  item->quantity = 3;
  g_strfreev (item->modifiers);
  item->modifiers = g_strdupv ((char **)modifiers);
  item->note = g_strdup ("medium rare");
  g_strfreev (item->allergens);
  item->allergens = g_strdupv ((char **)allergens);
  item->station = g_strdup ("grill");
  item->course = 2;
  item->status = TR_ITEM_STATUS_SERVED;
  item->recall_status = TR_ITEM_STATUS_READY;
  item->ready_at = 1700000003000;
  item->served_at = 1700000004000;
  g_ptr_array_add (ticket->items, item);

  item = make_item ("item-2", "Fries \u2603");
  g_ptr_array_add (ticket->items, item);

  for (int kind = 0; kind < TR_N_CHANGE_KINDS; kind++)
    g_ptr_array_add (ticket->changes,
                     tr_change_new (kind, 1700000001000 + kind, kind % 2 ? "item-1" : NULL,
                                    kind % 3 ? "old" : NULL, kind % 4 ? NULL : "new"));
  return ticket;
}

static TrAmendment *
make_amendment (TrAmendKind kind)
{
  TrAmendment *amendment = tr_amendment_new (kind);

  switch (kind)
    {
      case TR_AMEND_ADD_ITEM:
        amendment->item = make_item ("item-3", "Salad");
        amendment->item->quantity = 2;
        break;
      case TR_AMEND_VOID_ITEM:
        amendment->item_id = g_strdup ("item-2");
        break;
      case TR_AMEND_SET_QUANTITY:
        amendment->item_id = g_strdup ("item-1");
        amendment->quantity = 5;
        break;
      case TR_AMEND_SET_MODIFIERS:
        {
          const char *modifiers[] = { "gluten free", "no salt", NULL };

          amendment->item_id = g_strdup ("item-1");
          g_strfreev (amendment->modifiers);
          amendment->modifiers = g_strdupv ((char **)modifiers);
        }
        break;
      case TR_AMEND_SET_ITEM_NOTE:
        amendment->item_id = g_strdup ("item-1");
        amendment->text = g_strdup ("well done");
        break;
      case TR_AMEND_SET_TABLE:
        amendment->text = g_strdup ("T7");
        break;
      case TR_AMEND_SET_NOTE:
        amendment->text = NULL; /* clears */
        break;
      case TR_AMEND_SET_PRIORITY:
        amendment->priority = TR_PRIORITY_RUSH;
        break;
      case TR_N_AMEND_KINDS:
      default:
        g_assert_not_reached ();
    }
  return amendment;
}

static TrOp *
make_op (TrOpKind kind)
{
  TrOp *op = NULL;

  switch (kind)
    {
      case TR_OP_CREATE_TICKET:
        {
          g_autoptr (TrTicket) ticket = make_full_ticket ("ticket-1");
          op = tr_op_new_create_ticket ("station-pos", ticket);
        }
        break;
      case TR_OP_AMEND_TICKET:
        op = tr_op_new_amend_ticket ("station-pos", "ticket-1");
        for (int k = 0; k < TR_N_AMEND_KINDS; k++)
          g_ptr_array_add (op->amendments, make_amendment (k));
        break;
      case TR_OP_SET_TICKET_STATUS:
        op = tr_op_new_set_ticket_status ("station-grill", "ticket-1", TR_TICKET_STATUS_CANCELLED);
        break;
      case TR_OP_SET_ITEM_STATUS:
        op = tr_op_new_set_item_status ("station-grill", "ticket-1", "item-1",
                                        TR_ITEM_STATUS_PREPARING);
        break;
      case TR_N_OP_KINDS:
      default:
        g_assert_not_reached ();
    }
  op->at = 1700000000123;
  return op;
}

static void
assert_invalid (const GError *error, const char *expected_prefix)
{
  g_assert_nonnull (error);
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, expected_prefix))
    g_error ("expected a message starting with '%s', got '%s'", expected_prefix, error->message);
}

/* ---------------------------------------------------------------------------
 * Round trips
 */

static void
test_item_round_trip (void)
{
  g_autoptr (TrTicket) ticket = make_full_ticket ("ticket-1");

  for (guint i = 0; i < ticket->items->len; i++)
    {
      TrItem *item = g_ptr_array_index (ticket->items, i);
      g_autoptr (JsonNode) node = tr_item_to_json (item);
      g_autoptr (GError) error = NULL;
      g_autoptr (TrItem) decoded = tr_item_from_json (node, &error);

      g_assert_no_error (error);
      g_assert_true (tr_item_equal (item, decoded));
    }
}

static void
test_ticket_round_trip (void)
{
  g_autoptr (TrTicket) ticket = make_full_ticket ("ticket-1");
  g_autoptr (JsonNode) node = tr_ticket_to_json (ticket);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) from_node = tr_ticket_from_json (node, &error);
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr (TrTicket) from_text = NULL;

  g_assert_no_error (error);
  g_assert_true (tr_ticket_equal (ticket, from_node));

  text = tr_ticket_to_string (ticket);
  from_text = tr_ticket_from_string (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (tr_ticket_equal (ticket, from_text));

  text_again = tr_ticket_to_string (from_text);
  g_assert_cmpstr (text, ==, text_again);

  /* Compact: no whitespace outside strings. */
  g_assert_null (strstr (text, "\": "));
  g_assert_null (strstr (text, ", \""));
  g_assert_null (strchr (text, '\n'));
}

/* Pins the documented member order and the use of null for NULL
 * strings: the hash depends on these exact bytes. */
static void
test_ticket_canonical_bytes (void)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  g_autofree char *text = NULL;
  const char *expected
    = "{\"id\":\"t1\",\"number\":0,\"source\":\"app\",\"external_ref\":null,\"table\":null,"
      "\"order_type\":\"dine_in\",\"server\":null,\"guests\":0,\"note\":null,\"priority\":"
      "\"normal\","
      "\"created_at\":0,\"updated_at\":0,\"status\":\"new\",\"recall_status\":\"new\",\"version\":"
      "0,"
      "\"items\":[{\"id\":\"i1\",\"name\":\"Soup\",\"quantity\":1,\"modifiers\":[],\"note\":null,"
      "\"allergens\":[],\"station\":null,\"course\":0,\"status\":\"pending\","
      "\"recall_status\":\"pending\",\"ready_at\":0,\"served_at\":0}],"
      "\"changes\":[{\"kind\":\"table\",\"at\":5,\"item_id\":null,\"before\":\"T1\",\"after\":null}"
      "]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) decoded = NULL;
  g_autofree char *reencoded = NULL;

  ticket->id = g_strdup ("t1");
  g_ptr_array_add (ticket->items, make_item ("i1", "Soup"));
  g_ptr_array_add (ticket->changes, tr_change_new (TR_CHANGE_TABLE, 5, NULL, "T1", NULL));
  text = tr_ticket_to_string (ticket);
  g_assert_cmpstr (text, ==, expected);

  decoded = tr_ticket_from_string (expected, -1, &error);
  g_assert_no_error (error);
  reencoded = tr_ticket_to_string (decoded);
  g_assert_cmpstr (reencoded, ==, expected);
}

/* Members in another order, whitespace and unknown members all decode to
 * the same ticket and so re-encode to the canonical bytes. */
static void
test_ticket_noncanonical_input (void)
{
  const char *input = " {\n  \"items\" : [ {\"quantity\":1, \"name\":\"Soup\", \"id\":\"i1\","
                      " \"x-color\": [1, {\"deep\": true}]} ],\n"
                      "  \"future_field\": {\"a\": 1.5}, \"id\" : \"t1\" }\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) decoded = tr_ticket_from_string (input, -1, &error);
  g_autoptr (TrTicket) expected = tr_ticket_new ();
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_no_error (error);
  expected->id = g_strdup ("t1");
  g_ptr_array_add (expected->items, make_item ("i1", "Soup"));
  g_assert_true (tr_ticket_equal (decoded, expected));
  a = tr_ticket_to_string (decoded);
  b = tr_ticket_to_string (expected);
  g_assert_cmpstr (a, ==, b);
}

static void
check_op_round_trip (const TrOp *op)
{
  g_autofree char *text = tr_op_to_string (op);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOp) decoded = tr_op_from_string (text, -1, &error);
  g_autofree char *text_again = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (TrOp) from_node = NULL;
  g_autofree char *text_from_node = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  text_again = tr_op_to_string (decoded);
  g_assert_cmpstr (text, ==, text_again);

  g_assert_cmpstr (decoded->op_id, ==, op->op_id);
  g_assert_cmpint (decoded->kind, ==, op->kind);
  g_assert_cmpstr (decoded->station_id, ==, op->station_id);
  g_assert_cmpint (decoded->at, ==, op->at);
  g_assert_cmpstr (decoded->ticket_id, ==, op->ticket_id);

  node = tr_op_to_json (op);
  from_node = tr_op_from_json (node, &error);
  g_assert_no_error (error);
  text_from_node = tr_op_to_string (from_node);
  g_assert_cmpstr (text, ==, text_from_node);
}

static void
test_op_round_trip (void)
{
  for (int kind = 0; kind < TR_N_OP_KINDS; kind++)
    {
      g_autoptr (TrOp) op = make_op (kind);
      check_op_round_trip (op);
    }
}

static void
test_op_payloads (void)
{
  g_autoptr (TrOp) create = make_op (TR_OP_CREATE_TICKET);
  g_autoptr (TrOp) amend = make_op (TR_OP_AMEND_TICKET);
  g_autoptr (TrOp) item_status = make_op (TR_OP_SET_ITEM_STATUS);
  g_autoptr (TrOp) ticket_status = make_op (TR_OP_SET_TICKET_STATUS);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr (TrOp) decoded = NULL;

  text = tr_op_to_string (create);
  decoded = tr_op_from_string (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (tr_ticket_equal (decoded->ticket, create->ticket));
  g_clear_pointer (&decoded, tr_op_free);
  g_clear_pointer (&text, g_free);

  text = tr_op_to_string (amend);
  decoded = tr_op_from_string (text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->amendments->len, ==, TR_N_AMEND_KINDS);
  for (guint i = 0; i < decoded->amendments->len; i++)
    {
      TrAmendment *a = g_ptr_array_index (amend->amendments, i);
      TrAmendment *b = g_ptr_array_index (decoded->amendments, i);

      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_true ((a->item == NULL) == (b->item == NULL));
      if (a->item)
        g_assert_true (tr_item_equal (a->item, b->item));
      g_assert_cmpstr (a->item_id, ==, b->item_id);
      g_assert_cmpint (a->quantity, ==, b->quantity);
      g_assert_cmpstr (a->text, ==, b->text);
      g_assert_cmpint (a->priority, ==, b->priority);
      if (a->kind == TR_AMEND_SET_MODIFIERS)
        g_assert_true (
          g_strv_equal ((const char *const *)a->modifiers, (const char *const *)b->modifiers));
    }
  g_clear_pointer (&decoded, tr_op_free);
  g_clear_pointer (&text, g_free);

  text = tr_op_to_string (item_status);
  decoded = tr_op_from_string (text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded->item_id, ==, "item-1");
  g_assert_cmpint (decoded->item_status, ==, TR_ITEM_STATUS_PREPARING);
  g_clear_pointer (&decoded, tr_op_free);
  g_clear_pointer (&text, g_free);

  text = tr_op_to_string (ticket_status);
  decoded = tr_op_from_string (text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->ticket_status, ==, TR_TICKET_STATUS_CANCELLED);
}

/* One amend op per amendment kind, so each shape round-trips alone. */
static void
test_amendment_round_trip (void)
{
  for (int kind = 0; kind < TR_N_AMEND_KINDS; kind++)
    {
      g_autoptr (TrOp) op = tr_op_new_amend_ticket ("s", "ticket-1");

      g_ptr_array_add (op->amendments, make_amendment (kind));
      check_op_round_trip (op);
    }
}

static void
test_op_canonical_bytes (void)
{
  g_autoptr (TrOp) op = tr_op_new_amend_ticket ("s1", "t1");
  g_autoptr (TrAmendment) note = make_amendment (TR_AMEND_SET_NOTE);
  g_autofree char *text = NULL;
  const char *expected
    = "{\"op_id\":\"o1\",\"kind\":\"amend_ticket\",\"station_id\":\"s1\",\"at\":9,"
      "\"ticket_id\":\"t1\",\"amendments\":[{\"kind\":\"set_note\",\"text\":null},"
      "{\"kind\":\"set_quantity\",\"item_id\":\"item-1\",\"quantity\":5}]}";

  g_free (op->op_id);
  op->op_id = g_strdup ("o1");
  op->at = 9;
  g_ptr_array_add (op->amendments, g_steal_pointer (&note));
  g_ptr_array_add (op->amendments, make_amendment (TR_AMEND_SET_QUANTITY));
  text = tr_op_to_string (op);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_create_ticket_id_default (void)
{
  const char *input = "{\"op_id\":\"o1\",\"kind\":\"create_ticket\",\"station_id\":\"pos\","
                      "\"ticket\":{\"id\":\"t9\",\"items\":[{\"id\":\"a\",\"name\":\"Tea\","
                      "\"quantity\":1}]}}";
  const char *matching = "{\"op_id\":\"o1\",\"kind\":\"create_ticket\",\"station_id\":\"pos\","
                         "\"ticket_id\":\"t9\",\"at\":77,"
                         "\"ticket\":{\"id\":\"t9\",\"items\":[{\"id\":\"a\",\"name\":\"Tea\","
                         "\"quantity\":1}]}}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOp) op = tr_op_from_string (input, -1, &error);
  g_autoptr (TrOp) op2 = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (op->kind, ==, TR_OP_CREATE_TICKET);
  g_assert_cmpstr (op->ticket_id, ==, "t9");
  g_assert_cmpint (op->at, ==, 0);
  g_assert_nonnull (op->ticket);
  g_assert_null (op->amendments);

  op2 = tr_op_from_string (matching, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (op2->ticket_id, ==, "t9");
  g_assert_cmpint (op2->at, ==, 77);
}

static void
test_event_round_trip (void)
{
  g_autoptr (TrEvent) event = tr_event_new ();
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrEvent) decoded = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (TrEvent) from_node = NULL;

  event->seq = 123456789012;
  event->kind = TR_EVENT_ITEM_STATUS;
  event->op_id = g_strdup ("op-1");
  event->station_id = g_strdup ("grill");
  event->at = 1700000009999;
  event->ticket = make_full_ticket ("ticket-1");

  text = tr_event_to_string (event);
  g_assert_true (g_str_has_prefix (text, "{\"seq\":123456789012,\"kind\":\"item.status\","
                                         "\"op_id\":\"op-1\",\"station_id\":\"grill\","
                                         "\"at\":1700000009999,\"ticket\":{\"id\":\"ticket-1\","));
  decoded = tr_event_from_string (text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->seq, ==, event->seq);
  g_assert_cmpint (decoded->kind, ==, event->kind);
  g_assert_cmpstr (decoded->op_id, ==, event->op_id);
  g_assert_cmpstr (decoded->station_id, ==, event->station_id);
  g_assert_cmpint (decoded->at, ==, event->at);
  g_assert_true (tr_ticket_equal (decoded->ticket, event->ticket));
  text_again = tr_event_to_string (decoded);
  g_assert_cmpstr (text, ==, text_again);

  node = tr_event_to_json (event);
  from_node = tr_event_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_true (tr_ticket_equal (from_node->ticket, event->ticket));

  for (int kind = 0; kind < TR_N_EVENT_KINDS; kind++)
    {
      g_autofree char *t = NULL;
      g_autoptr (TrEvent) d = NULL;

      event->kind = kind;
      t = tr_event_to_string (event);
      d = tr_event_from_string (t, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (d->kind, ==, kind);
    }
}

static void
test_minimal_pos_ticket (void)
{
  const char *input
    = "{\"id\":\"pos-77\",\"source\":\"pos\",\"external_ref\":\"ORD-5\","
      "\"items\":[{\"id\":\"a\",\"name\":\"Burger\",\"quantity\":2},"
      "{\"id\":\"b\",\"name\":\"Cola\",\"quantity\":1,\"modifiers\":[\"no ice\"]}]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_ticket_from_string (input, -1, &error);
  TrItem *item;

  g_assert_no_error (error);
  g_assert_cmpstr (ticket->id, ==, "pos-77");
  g_assert_cmpint (ticket->number, ==, 0);
  g_assert_cmpint (ticket->source, ==, TR_SOURCE_POS);
  g_assert_cmpstr (ticket->external_ref, ==, "ORD-5");
  g_assert_null (ticket->table);
  g_assert_cmpint (ticket->order_type, ==, TR_ORDER_TYPE_DINE_IN);
  g_assert_null (ticket->server);
  g_assert_cmpint (ticket->guests, ==, 0);
  g_assert_null (ticket->note);
  g_assert_cmpint (ticket->priority, ==, TR_PRIORITY_NORMAL);
  g_assert_cmpint (ticket->created_at, ==, 0);
  g_assert_cmpint (ticket->updated_at, ==, 0);
  g_assert_cmpint (ticket->status, ==, TR_TICKET_STATUS_NEW);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_NEW);
  g_assert_cmpint (ticket->version, ==, 0);
  g_assert_cmpuint (ticket->changes->len, ==, 0);
  g_assert_cmpuint (ticket->items->len, ==, 2);

  item = g_ptr_array_index (ticket->items, 0);
  g_assert_cmpstr (item->id, ==, "a");
  g_assert_cmpstr (item->name, ==, "Burger");
  g_assert_cmpint (item->quantity, ==, 2);
  g_assert_nonnull (item->modifiers);
  g_assert_cmpuint (g_strv_length (item->modifiers), ==, 0);
  g_assert_null (item->note);
  g_assert_nonnull (item->allergens);
  g_assert_cmpuint (g_strv_length (item->allergens), ==, 0);
  g_assert_null (item->station);
  g_assert_cmpint (item->course, ==, 0);
  g_assert_cmpint (item->status, ==, TR_ITEM_STATUS_PENDING);
  g_assert_cmpint (item->recall_status, ==, TR_ITEM_STATUS_PENDING);
  g_assert_cmpint (item->ready_at, ==, 0);
  g_assert_cmpint (item->served_at, ==, 0);

  item = g_ptr_array_index (ticket->items, 1);
  g_assert_cmpuint (g_strv_length (item->modifiers), ==, 1);
  g_assert_cmpstr (item->modifiers[0], ==, "no ice");
}

/* Explicit nulls for the nullable strings are the same as absent. */
static void
test_explicit_nulls (void)
{
  const char *input = "{\"id\":\"t\",\"external_ref\":null,\"table\":null,\"server\":null,"
                      "\"note\":null,\"items\":[{\"id\":\"a\",\"name\":\"X\",\"quantity\":1,"
                      "\"note\":null,\"station\":null}],\"changes\":[{\"kind\":\"note\","
                      "\"item_id\":null,\"before\":null,\"after\":null}]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_ticket_from_string (input, -1, &error);
  TrChange *change;

  g_assert_no_error (error);
  g_assert_null (ticket->external_ref);
  g_assert_null (ticket->table);
  g_assert_null (((TrItem *)g_ptr_array_index (ticket->items, 0))->station);
  change = g_ptr_array_index (ticket->changes, 0);
  g_assert_cmpint (change->kind, ==, TR_CHANGE_NOTE);
  g_assert_null (change->item_id);
  g_assert_cmpint (change->at, ==, 0);
}

/* ---------------------------------------------------------------------------
 * Bounds that must still be accepted
 */

static char *
ticket_json_with_items (guint n_items, const char *item_extra)
{
  GString *s = g_string_new ("{\"id\":\"t\",\"items\":[");

  for (guint i = 0; i < n_items; i++)
    g_string_append_printf (s, "%s{\"id\":\"i%u\",\"name\":\"n\",\"quantity\":1%s}", i ? "," : "",
                            i, item_extra);
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static char *
strv_json (guint n)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s\"m%u\"", i ? "," : "", i);
  g_string_append (s, "]");
  return g_string_free (s, FALSE);
}

static char *
nested_arrays (guint depth)
{
  GString *s = g_string_sized_new (depth * 2);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
test_bounds_accepted (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *long_text = g_strnfill (TR_MAX_TEXT_BYTES, 'x');
  g_autofree char *long_id = g_strnfill (128, 'i');
  g_autofree char *mods = strv_json (TR_MAX_MODIFIERS);
  g_autofree char *extra = g_strdup_printf (",\"note\":\"%s\",\"modifiers\":%s,\"allergens\":%s,"
                                            "\"course\":%d",
                                            long_text, mods, mods, TR_MAX_COURSE);
  g_autofree char *max_items = ticket_json_with_items (TR_MAX_ITEMS, extra);
  g_autoptr (TrTicket) ticket = tr_ticket_from_string (max_items, -1, &error);
  g_autofree char *edge = NULL;
  g_autoptr (TrTicket) edge_ticket = NULL;
  g_autofree char *deep = nested_arrays (TR_MAX_JSON_DEPTH);
  g_autoptr (JsonNode) deep_node = NULL;
  g_autoptr (JsonNode) big_ints = NULL;
  TrItem *item;

  g_assert_no_error (error);
  g_assert_cmpuint (ticket->items->len, ==, TR_MAX_ITEMS);
  item = g_ptr_array_index (ticket->items, TR_MAX_ITEMS - 1);
  g_assert_cmpuint (strlen (item->note), ==, TR_MAX_TEXT_BYTES);
  g_assert_cmpuint (g_strv_length (item->modifiers), ==, TR_MAX_MODIFIERS);
  g_assert_cmpint (item->course, ==, TR_MAX_COURSE);

  edge = g_strdup_printf ("{\"id\":\"%s\",\"guests\":%d,\"number\":%d,\"items\":["
                          "{\"id\":\"a\",\"name\":\"n\",\"quantity\":%d},"
                          "{\"id\":\"b\",\"name\":\"n\",\"quantity\":%d}],"
                          "\"created_at\":9223372036854775807}",
                          long_id, TR_MAX_GUESTS, G_MAXINT, TR_MIN_QUANTITY, TR_MAX_QUANTITY);
  edge_ticket = tr_ticket_from_string (edge, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (edge_ticket->guests, ==, TR_MAX_GUESTS);
  g_assert_cmpint (edge_ticket->number, ==, G_MAXINT);
  g_assert_cmpint (edge_ticket->created_at, ==, G_MAXINT64);
  g_assert_cmpint (((TrItem *)g_ptr_array_index (edge_ticket->items, 1))->quantity, ==,
                   TR_MAX_QUANTITY);
  /* The writer's own integer formatting, at both ends of the range. */
  {
    g_autofree char *again = tr_ticket_to_string (edge_ticket);
    g_autoptr (TrTicket) extreme = tr_ticket_copy (edge_ticket);
    g_autofree char *extreme_text = NULL;

    g_assert_nonnull (strstr (again, "\"created_at\":9223372036854775807,"));
    extreme->updated_at = G_MININT64;
    extreme->version = 0;
    extreme_text = tr_ticket_to_string (extreme);
    g_assert_nonnull (strstr (extreme_text, "\"updated_at\":-9223372036854775808,"));
    g_assert_nonnull (strstr (extreme_text, "\"version\":0"));
  }

  deep_node = tr_json_parse (deep, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (deep_node);

  big_ints
    = tr_json_parse ("[9223372036854775807,-9223372036854775808,0,-0,1.5e3,-0.25]", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_int_element (json_node_get_array (big_ints), 0), ==, G_MAXINT64);
  g_assert_cmpint (json_array_get_int_element (json_node_get_array (big_ints), 1), ==, G_MININT64);

  {
    GString *s = g_string_new ("{\"op_id\":\"o\",\"station_id\":\"s\",\"kind\":\"amend_ticket\","
                               "\"ticket_id\":\"t\",\"amendments\":[");
    g_autofree char *text = NULL;
    g_autoptr (TrOp) op = NULL;

    for (int i = 0; i < 2 * TR_MAX_ITEMS; i++)
      g_string_append_printf (s, "%s{\"kind\":\"void_item\",\"item_id\":\"i%d\"}", i ? "," : "", i);
    g_string_append (s, "]}");
    text = g_string_free (s, FALSE);
    op = tr_op_from_string (text, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (op->amendments->len, ==, 2 * TR_MAX_ITEMS);
  }
}

/* ---------------------------------------------------------------------------
 * Malformed input
 */

typedef enum
{
  TARGET_TICKET,
  TARGET_OP,
  TARGET_EVENT,
} Target;

typedef struct
{
  Target target;
  char *json;
  char *expected; /* prefix of the error message */
} BadCase;

#define ITEM "{\"id\":\"i1\",\"name\":\"Soup\",\"quantity\":1}"
#define TICKET_WITH(extra) "{\"id\":\"t1\",\"items\":[" ITEM "]" extra "}"
#define ITEM_WITH(extra) "{\"id\":\"t1\",\"items\":[{\"id\":\"i1\",\"name\":\"Soup\"" extra "}]}"
#define OP_HEAD "\"op_id\":\"o1\",\"station_id\":\"s1\","
#define AMEND_WITH(amendments)                                                                     \
  "{" OP_HEAD "\"kind\":\"amend_ticket\",\"ticket_id\":\"t1\",\"amendments\":" amendments "}"
#define EVENT_WITH(extra) "{\"seq\":1,\"kind\":\"ticket.created\",\"op_id\":\"o1\"" extra "}"
#define EVENT_TAIL ",\"station_id\":\"s\",\"at\":5"

static const struct
{
  Target target;
  const char *json;
  const char *expected;
} static_bad_cases[] = {
  /* ticket: required members */
  { TARGET_TICKET, "{\"items\":[" ITEM "]}", "id: missing" },
  { TARGET_TICKET, "{\"id\":\"t1\"}", "items: missing" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[]}", "items: a ticket needs at least one item" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[{\"id\":\"i1\",\"quantity\":1,\"name\":null}]}",
    "items[0].name: expected a string, got null" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[{\"id\":\"i1\",\"quantity\":1}]}",
    "items[0].name: missing" },
  { TARGET_TICKET, ITEM_WITH (""), "items[0].quantity: missing" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[{\"name\":\"x\",\"quantity\":1}]}",
    "items[0].id: missing" },
  /* ticket: wrong types */
  { TARGET_TICKET, "{\"id\":5,\"items\":[" ITEM "]}", "id: expected a string, got an integer" },
  { TARGET_TICKET, "{\"id\":null,\"items\":[" ITEM "]}", "id: expected a string, got null" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":\"5\""), "number: expected an integer, got a string" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":2.5"),
    "number: expected an integer, got a non-integer number" },
  { TARGET_TICKET, TICKET_WITH (",\"guests\":2.0"),
    "guests: expected an integer, got a non-integer number" },
  { TARGET_TICKET, TICKET_WITH (",\"guests\":true"), "guests: expected an integer, got a boolean" },
  { TARGET_TICKET, TICKET_WITH (",\"version\":null"), "version: expected an integer, got null" },
  { TARGET_TICKET, TICKET_WITH (",\"priority\":null"), "priority: expected a string, got null" },
  { TARGET_TICKET, TICKET_WITH (",\"table\":[]"), "table: expected a string, got an array" },
  { TARGET_TICKET, TICKET_WITH (",\"server\":{}"), "server: expected a string, got an object" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":{}}", "items: expected an array, got an object" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[\"soup\"]}",
    "items[0]: expected an object, got a string" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[[]]}", "items[0]: expected an object, got an array" },
  { TARGET_TICKET, TICKET_WITH (",\"changes\":\"x\""), "changes: expected an array, got a string" },
  { TARGET_TICKET, TICKET_WITH (",\"changes\":[null]"),
    "changes[0]: expected an object, got null" },
  { TARGET_TICKET, "[" ITEM "]", "ticket: expected an object, got an array" },
  { TARGET_TICKET, "\"ticket\"", "ticket: expected an object, got a string" },
  { TARGET_TICKET, "null", "ticket: expected an object, got null" },
  /* ticket: enums */
  { TARGET_TICKET, TICKET_WITH (",\"source\":\"fax\""), "source: unknown value \"fax\"" },
  { TARGET_TICKET, TICKET_WITH (",\"order_type\":\"drive_thru\""),
    "order_type: unknown value \"drive_thru\"" },
  { TARGET_TICKET, TICKET_WITH (",\"status\":\"done\""), "status: unknown value \"done\"" },
  { TARGET_TICKET, TICKET_WITH (",\"status\":\"NEW\""), "status: unknown value \"NEW\"" },
  { TARGET_TICKET, TICKET_WITH (",\"recall_status\":\"pending\""),
    "recall_status: unknown value \"pending\"" },
  { TARGET_TICKET, TICKET_WITH (",\"priority\":\"urgent\""), "priority: unknown value \"urgent\"" },
  { TARGET_TICKET, TICKET_WITH (",\"changes\":[{\"kind\":\"renamed\"}]"),
    "changes[0].kind: unknown value \"renamed\"" },
  { TARGET_TICKET, TICKET_WITH (",\"changes\":[{\"at\":1}]"), "changes[0].kind: missing" },
  { TARGET_TICKET, TICKET_WITH (",\"changes\":[{\"kind\":\"note\",\"item_id\":\"\"}]"),
    "changes[0].item_id: must not be empty" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"status\":\"cooking\""),
    "items[0].status: unknown value \"cooking\"" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"status\":\"new\""),
    "items[0].status: unknown value \"new\"" },
  /* ticket: bounds */
  { TARGET_TICKET, "{\"id\":\"\",\"items\":[" ITEM "]}", "id: must not be empty" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[{\"id\":\"\",\"name\":\"x\",\"quantity\":1}]}",
    "items[0].id: must not be empty" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[{\"id\":\"i1\",\"quantity\":1,\"name\":\"\"}]}",
    "items[0].name: must not be empty" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":0"), "items[0].quantity: must be between 1 and 999" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1000"),
    "items[0].quantity: must be between 1 and 999" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":-1"), "items[0].quantity: must be between 1 and 999" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":\"2\""),
    "items[0].quantity: expected an integer, got a string" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":2.5"),
    "items[0].quantity: expected an integer, got a non-integer number" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1e1"),
    "items[0].quantity: expected an integer, got a non-integer number" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":false"),
    "items[0].quantity: expected an integer, got a boolean" },
  { TARGET_TICKET,
    "{\"id\":\"t1\",\"items\":[" ITEM ",{\"id\":\"i2\",\"name\":\"x\",\"quantity\":1000}]}",
    "items[1].quantity: must be between 1 and 999" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"course\":100"),
    "items[0].course: must be between 0 and 99" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"course\":-1"),
    "items[0].course: must be between 0 and 99" },
  { TARGET_TICKET, TICKET_WITH (",\"guests\":1000"), "guests: must be between 0 and 999" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":-1"), "number: must be between 0 and 2147483647" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":2147483648"),
    "number: must be between 0 and 2147483647" },
  { TARGET_TICKET, TICKET_WITH (",\"created_at\":-5"), "created_at: must be at least 0" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"ready_at\":\"soon\""),
    "items[0].ready_at: expected an integer, got a string" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"served_at\":-1"),
    "items[0].served_at: must be at least 0" },
  /* ticket: lists */
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"modifiers\":\"no onion\""),
    "items[0].modifiers: expected an array, got a string" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"modifiers\":{}"),
    "items[0].modifiers: expected an array, got an object" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"modifiers\":[\"a\",1]"),
    "items[0].modifiers[1]: expected a string, got an integer" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"modifiers\":[null]"),
    "items[0].modifiers[0]: expected a string, got null" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"allergens\":[[\"nuts\"]]"),
    "items[0].allergens[0]: expected a string, got an array" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"allergens\":null"),
    "items[0].allergens: expected an array, got null" },

  /* op: required members */
  { TARGET_OP,
    "{\"station_id\":\"s1\",\"kind\":\"set_ticket_status\",\"ticket_id\":\"t1\",\"status\":"
    "\"ready\"}",
    "op_id: missing" },
  { TARGET_OP, "{" OP_HEAD "\"ticket_id\":\"t1\",\"status\":\"ready\"}", "kind: missing" },
  { TARGET_OP,
    "{\"op_id\":\"o1\",\"kind\":\"set_ticket_status\",\"ticket_id\":\"t1\",\"status\":\"ready\"}",
    "station_id: missing" },
  { TARGET_OP, "{" OP_HEAD "\"kind\":\"set_ticket_status\",\"status\":\"ready\"}",
    "ticket_id: missing" },
  { TARGET_OP, "{" OP_HEAD "\"kind\":\"set_ticket_status\",\"ticket_id\":\"t1\"}",
    "status: missing" },
  { TARGET_OP,
    "{" OP_HEAD "\"kind\":\"set_item_status\",\"ticket_id\":\"t1\",\"status\":\"ready\"}",
    "item_id: missing" },
  { TARGET_OP, "{" OP_HEAD "\"kind\":\"set_item_status\",\"ticket_id\":\"t1\",\"item_id\":\"i1\"}",
    "status: missing" },
  { TARGET_OP, "{" OP_HEAD "\"kind\":\"create_ticket\"}", "ticket: missing" },
  { TARGET_OP, "{" OP_HEAD "\"kind\":\"amend_ticket\",\"ticket_id\":\"t1\"}",
    "amendments: missing" },
  /* op: values */
  { TARGET_OP, "{" OP_HEAD "\"kind\":\"frobnicate\"}", "kind: unknown value \"frobnicate\"" },
  { TARGET_OP, "{" OP_HEAD "\"kind\":5}", "kind: expected a string, got an integer" },
  { TARGET_OP,
    "{\"op_id\":\"\",\"station_id\":\"s1\",\"kind\":\"set_ticket_status\",\"ticket_id\":\"t1\","
    "\"status\":\"ready\"}",
    "op_id: must not be empty" },
  { TARGET_OP,
    "{" OP_HEAD "\"kind\":\"set_ticket_status\",\"ticket_id\":\"t1\",\"status\":\"done\"}",
    "status: unknown value \"done\"" },
  { TARGET_OP,
    "{" OP_HEAD
    "\"kind\":\"set_item_status\",\"ticket_id\":\"t1\",\"item_id\":\"i1\",\"status\":\"new\"}",
    "status: unknown value \"new\"" },
  { TARGET_OP,
    "{" OP_HEAD
    "\"kind\":\"set_ticket_status\",\"ticket_id\":\"t1\",\"status\":\"ready\",\"at\":\"now\"}",
    "at: expected an integer, got a string" },
  { TARGET_OP,
    "{" OP_HEAD
    "\"kind\":\"set_ticket_status\",\"ticket_id\":\"t1\",\"status\":\"ready\",\"at\":-1}",
    "at: must be at least 0" },
  { TARGET_OP, "{" OP_HEAD "\"kind\":\"create_ticket\",\"ticket\":\"t1\"}",
    "ticket: expected an object, got a string" },
  { TARGET_OP,
    "{" OP_HEAD
    "\"kind\":\"create_ticket\",\"ticket_id\":\"other\",\"ticket\":" TICKET_WITH ("") "}",
    "ticket_id: must equal ticket.id" },
  { TARGET_OP,
    "{" OP_HEAD "\"kind\":\"create_ticket\",\"ticket\":" ITEM_WITH (",\"quantity\":0") "}",
    "ticket.items[0].quantity: must be between 1 and 999" },
  { TARGET_OP, "{" OP_HEAD "\"kind\":\"create_ticket\",\"ticket\":{\"items\":[" ITEM "]}}",
    "ticket.id: missing" },
  { TARGET_OP, "[]", "op: expected an object, got an array" },
  /* op: amendments */
  { TARGET_OP, AMEND_WITH ("[]"), "amendments: an amend op needs at least one amendment" },
  { TARGET_OP, AMEND_WITH ("{}"), "amendments: expected an array, got an object" },
  { TARGET_OP, AMEND_WITH ("[\"void_item\"]"), "amendments[0]: expected an object, got a string" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"frobnicate\"}]"),
    "amendments[0].kind: unknown value \"frobnicate\"" },
  { TARGET_OP, AMEND_WITH ("[{\"item_id\":\"i1\"}]"), "amendments[0].kind: missing" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"set_quantity\",\"item_id\":\"i1\"}]"),
    "amendments[0].quantity: missing" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"set_quantity\",\"item_id\":\"i1\",\"quantity\":0}]"),
    "amendments[0].quantity: must be between 1 and 999" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"set_quantity\",\"quantity\":2}]"),
    "amendments[0].item_id: missing" },
  { TARGET_OP,
    AMEND_WITH ("[{\"kind\":\"set_modifiers\",\"item_id\":\"i1\",\"modifiers\":[\"a\",7]}]"),
    "amendments[0].modifiers[1]: expected a string, got an integer" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"set_modifiers\",\"item_id\":\"i1\"}]"),
    "amendments[0].modifiers: missing" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"add_item\"}]"), "amendments[0].item: missing" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"add_item\",\"item\":[]}]"),
    "amendments[0].item: expected an object, got an array" },
  { TARGET_OP,
    AMEND_WITH (
      "[{\"kind\":\"add_item\",\"item\":{\"id\":\"i9\",\"name\":\"x\",\"quantity\":1000}}]"),
    "amendments[0].item.quantity: must be between 1 and 999" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"void_item\",\"item_id\":\"\"}]"),
    "amendments[0].item_id: must not be empty" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"void_item\",\"item_id\":null}]"),
    "amendments[0].item_id: expected a string, got null" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"set_note\"}]"), "amendments[0].text: missing" },
  { TARGET_OP,
    AMEND_WITH ("[{\"kind\":\"set_note\",\"text\":null},{\"kind\":\"set_table\",\"text\":5}]"),
    "amendments[1].text: expected a string, got an integer" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"set_item_note\",\"text\":\"x\"}]"),
    "amendments[0].item_id: missing" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"set_priority\",\"priority\":\"urgent\"}]"),
    "amendments[0].priority: unknown value \"urgent\"" },
  { TARGET_OP, AMEND_WITH ("[{\"kind\":\"set_priority\"}]"), "amendments[0].priority: missing" },

  /* event: every member required */
  { TARGET_EVENT,
    "{\"kind\":\"ticket.created\",\"op_id\":\"o1\"" EVENT_TAIL ",\"ticket\":" TICKET_WITH ("") "}",
    "seq: missing" },
  { TARGET_EVENT, "{\"seq\":1,\"op_id\":\"o1\"" EVENT_TAIL ",\"ticket\":" TICKET_WITH ("") "}",
    "kind: missing" },
  { TARGET_EVENT, EVENT_WITH (",\"station_id\":\"s\",\"ticket\":" TICKET_WITH ("")),
    "at: missing" },
  { TARGET_EVENT, EVENT_WITH (",\"at\":5,\"ticket\":" TICKET_WITH ("")), "station_id: missing" },
  { TARGET_EVENT,
    "{\"seq\":1,\"kind\":\"ticket.created\"" EVENT_TAIL ",\"ticket\":" TICKET_WITH ("") "}",
    "op_id: missing" },
  { TARGET_EVENT, EVENT_WITH (EVENT_TAIL), "ticket: missing" },
  { TARGET_EVENT,
    "{\"seq\":1,\"kind\":\"ticket.deleted\",\"op_id\":\"o1\"" EVENT_TAIL
    ",\"ticket\":" TICKET_WITH ("") "}",
    "kind: unknown value \"ticket.deleted\"" },
  { TARGET_EVENT,
    "{\"seq\":-1,\"kind\":\"ticket.created\",\"op_id\":\"o1\"" EVENT_TAIL
    ",\"ticket\":" TICKET_WITH ("") "}",
    "seq: must be at least 0" },
  { TARGET_EVENT,
    "{\"seq\":\"1\",\"kind\":\"ticket.created\",\"op_id\":\"o1\"" EVENT_TAIL
    ",\"ticket\":" TICKET_WITH ("") "}",
    "seq: expected an integer, got a string" },
  { TARGET_EVENT, EVENT_WITH (EVENT_TAIL ",\"ticket\":{\"items\":[" ITEM "]}"),
    "ticket.id: missing" },
  { TARGET_EVENT, EVENT_WITH (EVENT_TAIL ",\"ticket\":null"),
    "ticket: expected an object, got null" },
  { TARGET_EVENT, "5", "event: expected an object, got an integer" },

  /* text level */
  { TARGET_TICKET, "", "json: empty input" },
  { TARGET_TICKET, " \n\t ", "json: empty input" },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[", "json: " },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[" ITEM "]", "json: " },
  { TARGET_TICKET, "{\"id\":\"t1", "json: unterminated string" },
  { TARGET_TICKET, TICKET_WITH ("") " x", "json: unexpected data after the top-level value" },
  { TARGET_TICKET, TICKET_WITH ("") "{}", "json: unexpected data after the top-level value" },
  { TARGET_TICKET, TICKET_WITH ("") "]", "json: unexpected data after the top-level value" },
  { TARGET_TICKET, "hello", "json: " },
  { TARGET_TICKET, "nul", "json: " },
  { TARGET_TICKET, "{\"id\":\"t1\",\"items\":[" ITEM ",]}", "json: " },
  { TARGET_TICKET, "{\"id\" \"t1\"}", "json: " },
  { TARGET_TICKET, "{'id':'t1','items':[" ITEM "]}", "json: unexpected character '''" },
  { TARGET_TICKET, "/* c */" TICKET_WITH (""), "json: unexpected character '/'" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":0x10"), "json: invalid number" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":01"), "json: invalid number" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":1."), "json: invalid number" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":+1"), "json: unexpected character '+'" },
  { TARGET_TICKET, TICKET_WITH (",\"number\":.5"), "json: unexpected character '.'" },
  /* json-glib wraps this one to 1 */
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":-18446744073709551615"),
    "json: integer out of range" },
  { TARGET_TICKET, TICKET_WITH (",\"created_at\":9223372036854775808"),
    "json: integer out of range" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"a\\u0000b\""),
    "json: \\u0000 in a string" },
  /* json-glib turns lone surrogates into bytes that are not UTF-8 */
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"\\udca4x\""),
    "json: lone low surrogate in a string" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"\\ud83dx\""),
    "json: lone high surrogate in a string" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"\\ud83d\\u0041\""),
    "json: lone high surrogate in a string" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"x\\ud83d\""),
    "json: lone high surrogate in a string" },
  /* json-glib's scanner takes octal escapes: "\251" would be the byte 0xA9 */
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"\\251x\""),
    "json: invalid escape in a string" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"\\x41\""),
    "json: invalid escape in a string" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"\\'\""),
    "json: invalid escape in a string" },
  /* json-glib keeps a short escape's digits: "\udddx" is a lone U+DDD0 */
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"o\\udddx\""),
    "json: \\u escape without four hex digits" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"\\u41\""),
    "json: \\u escape without four hex digits" },
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"\\u12G4\""),
    "json: \\u escape without four hex digits" },
  { TARGET_TICKET, "{\"id\":\"t\xff\",\"items\":[" ITEM "]}", "json: invalid UTF-8 at offset 8" },
  { TARGET_TICKET, "{\"id\":\"t\xc3\",\"items\":[" ITEM "]}", "json: invalid UTF-8" },
  { TARGET_TICKET, "{\"id\":\"\xed\xa0\x80\",\"items\":[" ITEM "]}", "json: invalid UTF-8" },
  { TARGET_TICKET, "]", "json: unbalanced ']'" },
  { TARGET_OP, "{\"op_id\":\x01}",
    "json: unexpected byte 0x01" }, /* Control characters: json-glib would write U+001F raw, which
                                       browsers refuse. */
  { TARGET_TICKET, ITEM_WITH (",\"quantity\":1,\"note\":\"a\\u001fb\""),
    "items[0].note: must not contain control characters" },
  { TARGET_TICKET, "{\"id\":\"t\\n1\",\"items\":[" ITEM "]}",
    "id: must not contain control characters" },
  { TARGET_TICKET, TICKET_WITH (",\"table\":\"\\u0007\""),
    "table: must not contain control characters" },
};

static GPtrArray *
build_bad_cases (void)
{
  GPtrArray *cases = g_ptr_array_new ();
  g_autofree char *text_501 = g_strnfill (TR_MAX_TEXT_BYTES + 1, 'x');
  g_autofree char *id_129 = g_strnfill (129, 'i');
  g_autofree char *mods_51 = strv_json (TR_MAX_MODIFIERS + 1);
  g_autofree char *allergens_51 = strv_json (TR_MAX_ALLERGENS + 1);
  GString *deep;

#define ADD(target_, json_, expected_)                                                             \
  G_STMT_START                                                                                     \
  {                                                                                                \
    BadCase *c_ = g_new0 (BadCase, 1);                                                             \
    c_->target = (target_);                                                                        \
    c_->json = (json_);                                                                            \
    c_->expected = (expected_);                                                                    \
    g_ptr_array_add (cases, c_);                                                                   \
  }                                                                                                \
  G_STMT_END

  for (guint i = 0; i < G_N_ELEMENTS (static_bad_cases); i++)
    ADD (static_bad_cases[i].target, g_strdup (static_bad_cases[i].json),
         g_strdup (static_bad_cases[i].expected));

  ADD (TARGET_TICKET, g_strdup_printf (TICKET_WITH (",\"note\":\"%s\""), text_501),
       g_strdup ("note: must be at most 500 bytes"));
  ADD (TARGET_TICKET, g_strdup_printf (ITEM_WITH (",\"quantity\":1,\"note\":\"%s\""), text_501),
       g_strdup ("items[0].note: must be at most 500 bytes"));
  ADD (TARGET_TICKET,
       g_strdup_printf (ITEM_WITH (",\"quantity\":1,\"modifiers\":[\"%s\"]"), text_501),
       g_strdup ("items[0].modifiers[0]: must be at most 500 bytes"));
  ADD (TARGET_TICKET,
       g_strdup_printf (
         "{\"id\":\"t1\",\"items\":[{\"id\":\"i1\",\"quantity\":1,\"name\":\"%s\"}]}", text_501),
       g_strdup ("items[0].name: must be at most 500 bytes"));
  ADD (TARGET_TICKET, g_strdup_printf ("{\"id\":\"%s\",\"items\":[" ITEM "]}", id_129),
       g_strdup ("id: must be at most 128 bytes"));
  ADD (
    TARGET_OP,
    g_strdup_printf ("{\"op_id\":\"o\",\"station_id\":\"%s\",\"kind\":\"create_ticket\"}", id_129),
    g_strdup ("station_id: must be at most 128 bytes"));
  ADD (TARGET_OP,
       g_strdup_printf (AMEND_WITH ("[{\"kind\":\"set_table\",\"text\":\"%s\"}]"), text_501),
       g_strdup ("amendments[0].text: must be at most 500 bytes"));
  ADD (TARGET_TICKET, g_strdup_printf (ITEM_WITH (",\"quantity\":1,\"modifiers\":%s"), mods_51),
       g_strdup ("items[0].modifiers: must have at most 50 entries"));
  ADD (TARGET_TICKET,
       g_strdup_printf (ITEM_WITH (",\"quantity\":1,\"allergens\":%s"), allergens_51),
       g_strdup ("items[0].allergens: must have at most 50 entries"));
  ADD (TARGET_OP,
       g_strdup_printf (
         AMEND_WITH ("[{\"kind\":\"set_modifiers\",\"item_id\":\"i\",\"modifiers\":%s}]"), mods_51),
       g_strdup ("amendments[0].modifiers: must have at most 50 entries"));
  ADD (TARGET_TICKET, ticket_json_with_items (TR_MAX_ITEMS + 1, ""),
       g_strdup ("items: must have at most 200 items"));
  ADD (TARGET_TICKET, ticket_json_with_items (3, ",\"course\":\"first\""),
       g_strdup ("items[0].course: expected an integer, got a string"));
  {
    /* 400 amendments are allowed, 401 are not. */
    GString *s = g_string_new ("{" OP_HEAD
                               "\"kind\":\"amend_ticket\",\"ticket_id\":\"t1\",\"amendments\":[");

    for (int i = 0; i <= 2 * TR_MAX_ITEMS; i++)
      g_string_append_printf (s, "%s{\"kind\":\"set_note\",\"text\":null}", i ? "," : "");
    g_string_append (s, "]}");
    ADD (TARGET_OP, g_string_free (s, FALSE),
         g_strdup ("amendments: must have at most 400 amendments"));
  }

  /* 33 levels of nesting inside a ticket, and an absurd depth. */
  ADD (TARGET_TICKET, nested_arrays (TR_MAX_JSON_DEPTH + 1),
       g_strdup ("json: nesting deeper than 32 levels"));
  deep = g_string_new ("{\"id\":\"t1\",\"items\":[" ITEM "],\"x\":");
  for (int i = 0; i < 100000; i++)
    g_string_append (deep, "{\"a\":");
  ADD (TARGET_TICKET, g_string_free (deep, FALSE),
       g_strdup ("json: nesting deeper than 32 levels"));
  ADD (TARGET_EVENT, nested_arrays (100000), g_strdup ("json: nesting deeper than 32 levels"));
  {
    /* An object holding a ticket whose modifiers sit exactly one level
     * too deep. */
    GString *s = g_string_new (NULL);

    for (int i = 0; i < TR_MAX_JSON_DEPTH - 3; i++)
      g_string_append (s, "{\"a\":");
    g_string_append (s, ITEM_WITH (",\"quantity\":1,\"modifiers\":[]"));
    for (int i = 0; i < TR_MAX_JSON_DEPTH - 3; i++)
      g_string_append_c (s, '}');
    ADD (TARGET_TICKET, g_string_free (s, FALSE), g_strdup ("json: nesting deeper than 32 levels"));
  }
#undef ADD
  return cases;
}

static void
bad_case_free (BadCase *c)
{
  g_free (c->json);
  g_free (c->expected);
  g_free (c);
}

static void
test_malformed (void)
{
  g_autoptr (GPtrArray) cases = build_bad_cases ();

  g_ptr_array_set_free_func (cases, (GDestroyNotify)bad_case_free);
  g_assert_cmpuint (cases->len, >=, 40);

  for (guint i = 0; i < cases->len; i++)
    {
      BadCase *c = g_ptr_array_index (cases, i);
      g_autoptr (GError) error = NULL;
      g_autoptr (TrTicket) ticket = NULL;
      g_autoptr (TrOp) op = NULL;
      g_autoptr (TrEvent) event = NULL;

      g_test_message ("case %u: expecting '%s'", i, c->expected);
      switch (c->target)
        {
          case TARGET_TICKET:
            ticket = tr_ticket_from_string (c->json, -1, &error);
            g_assert_null (ticket);
            break;
          case TARGET_OP:
            op = tr_op_from_string (c->json, -1, &error);
            g_assert_null (op);
            break;
          case TARGET_EVENT:
            event = tr_event_from_string (c->json, -1, &error);
            g_assert_null (event);
            break;
          default:
            g_assert_not_reached ();
        }
      if (error == NULL)
        g_error ("case %u was accepted: %.200s", i, c->json);
      assert_invalid (error, c->expected);
    }
}

/* The same malformed tickets fail the same way when reached through an
 * op (paths gain "ticket.") and the prefix is the whole path. */
static void
test_malformed_paths_nest (void)
{
  const char *inner[][2] = {
    { ITEM_WITH (",\"quantity\":1,\"modifiers\":[1]"), "items[0].modifiers[0]: expected a string" },
    { "{\"id\":\"t1\",\"items\":[]}", "items: a ticket needs at least one item" },
    { TICKET_WITH (",\"priority\":\"urgent\""), "priority: unknown value \"urgent\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (inner); i++)
    {
      g_autofree char *op
        = g_strdup_printf ("{" OP_HEAD "\"kind\":\"create_ticket\",\"ticket\":%s}", inner[i][0]);
      g_autofree char *event
        = g_strdup_printf (EVENT_WITH (EVENT_TAIL ",\"ticket\":%s"), inner[i][0]);
      g_autofree char *nested = g_strdup_printf ("ticket.%s", inner[i][1]);
      g_autoptr (GError) error = NULL;
      g_autoptr (TrTicket) ticket = tr_ticket_from_string (inner[i][0], -1, &error);
      g_autoptr (TrOp) decoded_op = NULL;
      g_autoptr (TrEvent) decoded_event = NULL;

      g_assert_null (ticket);
      assert_invalid (error, inner[i][1]);
      g_clear_error (&error);

      decoded_op = tr_op_from_string (op, -1, &error);
      g_assert_null (decoded_op);
      assert_invalid (error, nested);
      g_clear_error (&error);

      decoded_event = tr_event_from_string (event, -1, &error);
      g_assert_null (decoded_event);
      assert_invalid (error, nested);
    }
}

/* Embedded NUL and explicit lengths: the length wins over the NUL. */
static void
test_parse_lengths (void)
{
  const char with_nul[] = "{\"id\":\"t\0\",\"items\":[" ITEM "]}";
  const char *valid = TICKET_WITH ("") "garbage after the length";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = tr_json_parse (with_nul, sizeof with_nul - 1, &error);
  g_assert_null (node);
  assert_invalid (error, "json: invalid UTF-8 at offset 8");
  g_clear_error (&error);

  ticket = tr_ticket_from_string (valid, strlen (TICKET_WITH ("")), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ticket->id, ==, "t1");

  node = tr_json_parse ("{}", 0, &error);
  g_assert_null (node);
  assert_invalid (error, "json: empty input");
  g_clear_error (&error);

  /* An escape cut off by the length reads nothing past it (the sanitizer
   * build checks the exact-size copies; the fuzzers found "\\" last). */
  {
    const char *cut[] = { "\"e\\", "{\"x\\u", "{\"x\\ud83d", "{\"x\\ud83d\\", "{\"x\\ud83d\\u" };

    for (guint i = 0; i < G_N_ELEMENTS (cut); i++)
      {
        g_autofree char *exact = g_memdup2 (cut[i], strlen (cut[i]));

        node = tr_json_parse (exact, (gssize)strlen (cut[i]), &error);
        g_assert_null (node);
        g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
        g_clear_error (&error);
      }
  }
}

/* Nodes built in code skip the parser's UTF-8 check; the decoder still
 * catches bad strings. */
/* A surrogate pair is how JSON spells a character outside the BMP; only
 * a lone half is refused (the malformed table). */
static void
test_surrogate_pair (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_ticket_from_string (
    "{\"id\":\"t1\",\"note\":\"burger \\ud83c\\udf54!\",\"items\":[{\"id\":\"i1\","
    "\"name\":\"Soup\",\"quantity\":1}]}",
    -1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (ticket->note, ==, "burger \xf0\x9f\x8d\x94!");
}

static void
test_node_invalid_utf8 (void)
{
  g_autoptr (TrTicket) ticket = make_full_ticket ("t1");
  g_autoptr (JsonNode) node = tr_ticket_to_json (ticket);
  JsonObject *item = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (node), "items"), 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) decoded = NULL;

  json_object_set_string_member (item, "name", "bad \xff byte");
  decoded = tr_ticket_from_json (node, &error);
  g_assert_null (decoded);
  assert_invalid (error, "items[1].name: invalid UTF-8");
}

static void
test_unknown_value_quoting (void)
{
  g_autofree char *long_value = g_strnfill (300, 'z');
  g_autofree char *json = g_strdup_printf (TICKET_WITH (",\"source\":\"%s\""), long_value);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_ticket_from_string (json, -1, &error);
  g_autoptr (TrTicket) ticket2 = NULL;

  g_assert_null (ticket);
  assert_invalid (error, "source: unknown value \"zzzz");
  g_assert_cmpuint (strlen (error->message), <, 100);
  g_clear_error (&error);

  ticket2 = tr_ticket_from_string (TICKET_WITH (",\"source\":\"a\\\"b\\nc\""), -1, &error);
  g_assert_null (ticket2);
  g_assert_cmpstr (error->message, ==, "source: unknown value \"a\\\"b\\nc\"");
}

/* ---------------------------------------------------------------------------
 * Hash
 */

static void
test_hash (void)
{
  g_autoptr (GPtrArray) a = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (GPtrArray) b = g_ptr_array_new ();
  g_autoptr (GPtrArray) c = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (GPtrArray) empty = g_ptr_array_new ();
  g_autofree char *hash_a = NULL;
  g_autofree char *hash_b = NULL;
  g_autofree char *hash_c = NULL;
  g_autofree char *hash_empty = NULL;
  g_autofree char *expected_empty = NULL;
  const char *ids[] = { "c-3", "a-1", "b-2", "d-4" };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_ptr_array_add (a, make_full_ticket (ids[i]));
  for (guint i = a->len; i > 0; i--)
    g_ptr_array_add (b, g_ptr_array_index (a, i - 1));

  hash_a = tr_tickets_hash (a);
  hash_b = tr_tickets_hash (b);
  g_assert_cmpuint (strlen (hash_a), ==, 64);
  g_assert_cmpstr (hash_a, ==, hash_b);

  for (guint i = 0; i < a->len; i++)
    g_ptr_array_add (c, tr_ticket_copy (g_ptr_array_index (a, i)));
  hash_c = tr_tickets_hash (c);
  g_assert_cmpstr (hash_a, ==, hash_c);

  /* Each kind of difference changes the hash. */
  {
    TrTicket *t = g_ptr_array_index (c, 2);
    TrItem *item = g_ptr_array_index (t->items, 0);
    g_autofree char *h1 = NULL;
    g_autofree char *h2 = NULL;
    g_autofree char *h3 = NULL;

    item->quantity++;
    h1 = tr_tickets_hash (c);
    g_assert_cmpstr (h1, !=, hash_a);
    item->quantity--;

    g_clear_pointer (&t->table, g_free);
    h2 = tr_tickets_hash (c);
    g_assert_cmpstr (h2, !=, hash_a);
    t->table = g_strdup ("T12");

    t->version++;
    h3 = tr_tickets_hash (c);
    g_assert_cmpstr (h3, !=, hash_a);
    g_assert_cmpstr (h3, !=, h1);
    t->version--;
  }
  g_clear_pointer (&hash_c, g_free);
  hash_c = tr_tickets_hash (c);
  g_assert_cmpstr (hash_c, ==, hash_a);

  /* Dropping a ticket changes it too. */
  g_ptr_array_remove_index (c, 0);
  g_clear_pointer (&hash_c, g_free);
  hash_c = tr_tickets_hash (c);
  g_assert_cmpstr (hash_c, !=, hash_a);

  hash_empty = tr_tickets_hash (empty);
  expected_empty = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "[]", -1);
  g_assert_cmpstr (hash_empty, ==, expected_empty);
}

/* The hash is the SHA-256 of the compact JSON array of the sorted
 * tickets, so anyone with json-glib (or any canonical encoder) can
 * recompute it. */
static void
test_hash_matches_array (void)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *hash = NULL;

  g_ptr_array_add (tickets, make_full_ticket ("zeta"));
  g_ptr_array_add (tickets, make_full_ticket ("alpha"));
  json_array_add_element (array, tr_ticket_to_json (g_ptr_array_index (tickets, 1)));
  json_array_add_element (array, tr_ticket_to_json (g_ptr_array_index (tickets, 0)));
  json_node_take_array (node, array);
  text = tr_json_to_string (node);
  expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  hash = tr_tickets_hash (tickets);
  g_assert_cmpstr (hash, ==, expected);
}

/* The direct writer behind tr_ticket_to_string() and tr_event_to_string()
 * must give exactly the generator's bytes, escapes and all. */
static void
test_writer_matches_generator (void)
{
  static const char *const texts[] = {
    "plain",
    "quote \" and backslash \\",
    "tab\tnew\nline\rreturn",
    "\b\f bell\x07 del\x7f",
    "slash / é € 😀",
    "",
    "\x01\x02\x1e",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (TrTicket) ticket = make_full_ticket ("t-writer");
      g_autoptr (TrEvent) event = tr_event_new ();
      g_autoptr (JsonNode) ticket_node = NULL;
      g_autoptr (JsonNode) event_node = NULL;
      g_autofree char *direct = NULL;
      g_autofree char *generated = NULL;
      g_autofree char *direct_event = NULL;
      g_autofree char *generated_event = NULL;
      TrItem *item = g_ptr_array_index (ticket->items, 0);

      g_free (ticket->note);
      ticket->note = g_strdup (texts[i]);
      g_free (item->name);
      item->name = g_strdup (texts[i]);
      g_clear_pointer (&ticket->table, g_free);

      ticket_node = tr_ticket_to_json (ticket);
      direct = tr_ticket_to_string (ticket);
      generated = tr_json_to_string (ticket_node);
      g_assert_cmpstr (direct, ==, generated);

      event->seq = 42;
      event->kind = TR_EVENT_ITEM_STATUS;
      event->op_id = g_strdup ("op-1");
      event->station_id = g_strdup (texts[i]);
      event->at = 1700000000000;
      event->ticket = tr_ticket_copy (ticket);
      event_node = tr_event_to_json (event);
      direct_event = tr_event_to_string (event);
      generated_event = tr_json_to_string (event_node);
      g_assert_cmpstr (direct_event, ==, generated_event);
    }
}

static void
assert_op_forms_agree (const TrOp *op)
{
  g_autoptr (JsonNode) node = tr_op_to_json (op);
  g_autofree char *direct = tr_op_to_string (op);
  g_autofree char *generated = tr_json_to_string (node);

  g_assert_cmpstr (direct, ==, generated);
}

/* Ops are written by the same calls as tickets: text and JsonNode must
 * agree for every kind and every amendment, with hard strings and with
 * the members a malformed op leaves NULL. */
static void
test_op_writer_matches_generator (void)
{
  static const char *const texts[] = {
    "plain", "quote \" and backslash \\", "tab\tnew\nline", "\x01 del\x7f", "é € 😀", "",
  };

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      g_autoptr (TrOp) amend = tr_op_new_amend_ticket (texts[t], "ticket-1");

      for (int kind = 0; kind < TR_N_OP_KINDS; kind++)
        {
          g_autoptr (TrOp) op = make_op (kind);

          g_free (op->station_id);
          op->station_id = g_strdup (texts[t]);
          if (op->ticket != NULL)
            {
              g_free (op->ticket->note);
              op->ticket->note = g_strdup (texts[t]);
            }
          assert_op_forms_agree (op);
        }
      for (int kind = 0; kind < TR_N_AMEND_KINDS; kind++)
        {
          TrAmendment *amendment = make_amendment (kind);

          if (amendment->text != NULL)
            {
              g_free (amendment->text);
              amendment->text = g_strdup (texts[t]);
            }
          g_ptr_array_add (amend->amendments, amendment);
        }
      g_ptr_array_add (amend->amendments, tr_amendment_new (TR_AMEND_ADD_ITEM));
      assert_op_forms_agree (amend);
    }

  {
    g_autoptr (TrOp) create = make_op (TR_OP_CREATE_TICKET);
    g_autoptr (TrOp) empty_amend = tr_op_new_amend_ticket ("s", NULL);
    g_autoptr (TrEvent) event = tr_event_new ();
    g_autoptr (JsonNode) event_node = NULL;
    g_autofree char *direct_event = NULL;
    g_autofree char *generated_event = NULL;

    g_clear_pointer (&create->ticket, tr_ticket_free);
    assert_op_forms_agree (create);
    assert_op_forms_agree (empty_amend);

    event_node = tr_event_to_json (event);
    direct_event = tr_event_to_string (event);
    generated_event = tr_json_to_string (event_node);
    g_assert_cmpstr (direct_event, ==, generated_event);
    g_assert_nonnull (strstr (direct_event, "\"ticket\":null"));
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/codec/item/round-trip", test_item_round_trip);
  g_test_add_func ("/codec/ticket/round-trip", test_ticket_round_trip);
  g_test_add_func ("/codec/ticket/canonical-bytes", test_ticket_canonical_bytes);
  g_test_add_func ("/codec/ticket/noncanonical-input", test_ticket_noncanonical_input);
  g_test_add_func ("/codec/ticket/minimal-pos", test_minimal_pos_ticket);
  g_test_add_func ("/codec/ticket/explicit-nulls", test_explicit_nulls);
  g_test_add_func ("/codec/op/round-trip", test_op_round_trip);
  g_test_add_func ("/codec/op/payloads", test_op_payloads);
  g_test_add_func ("/codec/op/amendment-round-trip", test_amendment_round_trip);
  g_test_add_func ("/codec/op/canonical-bytes", test_op_canonical_bytes);
  g_test_add_func ("/codec/op/create-ticket-id", test_create_ticket_id_default);
  g_test_add_func ("/codec/event/round-trip", test_event_round_trip);
  g_test_add_func ("/codec/bounds/accepted", test_bounds_accepted);
  g_test_add_func ("/codec/malformed/table", test_malformed);
  g_test_add_func ("/codec/malformed/nested-paths", test_malformed_paths_nest);
  g_test_add_func ("/codec/malformed/lengths", test_parse_lengths);
  g_test_add_func ("/codec/malformed/node-utf8", test_node_invalid_utf8);
  g_test_add_func ("/codec/surrogate-pair", test_surrogate_pair);
  g_test_add_func ("/codec/malformed/unknown-value-quoting", test_unknown_value_quoting);
  g_test_add_func ("/codec/hash/order-and-difference", test_hash);
  g_test_add_func ("/codec/hash/matches-array", test_hash_matches_array);
  g_test_add_func ("/codec/writer/matches-generator", test_writer_matches_generator);
  g_test_add_func ("/codec/writer/ops-match-generator", test_op_writer_matches_generator);

  return g_test_run ();
}
