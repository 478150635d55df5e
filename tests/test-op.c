/* test-op.c: tr_op_apply()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-op"

#include <string.h>

#include "tr-error.h"
#include "tr-op.h"
#include "tr-state-machine.h"

#define STATION "station-grill"
#define TICKET_ID "5d0c6a5e-0000-4000-8000-000000000001"
#define T0 1700000000000

#define ITEM(t, i) ((TrItem *)g_ptr_array_index ((t)->items, (i)))
#define CHANGE(t, i) ((TrChange *)g_ptr_array_index ((t)->changes, (i)))

static TrItem *
make_item (const char *id, const char *name, int quantity)
{
  TrItem *item = tr_item_new ();

  item->id = g_strdup (id);
  item->name = g_strdup (name);
  item->quantity = quantity;
  return item;
}

/* A ticket as a POS would send it, with items "i0".."i<n-1>". */
static TrTicket *
make_ticket (guint n_items)
{
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = g_strdup (TICKET_ID);
  ticket->table = g_strdup ("12");
  ticket->server = g_strdup ("Ana");
  ticket->guests = 2;
  for (guint i = 0; i < n_items; i++)
    {
      g_autofree char *id = g_strdup_printf ("i%u", i);

      g_ptr_array_add (ticket->items, make_item (id, "Burger", 2));
    }
  return ticket;
}

/* Every apply goes through here: whatever the outcome, @current must come
 * out exactly as it went in. */
static TrEvent *
apply_full (const TrOp *op, const TrTicket *current, const TrApplyContext *ctx, GError **error)
{
  g_autoptr (TrTicket) snapshot = current != NULL ? tr_ticket_copy (current) : NULL;
  g_autoptr (TrOp) op_snapshot = tr_op_copy (op);
  TrEvent *event = tr_op_apply (op, current, ctx, error);

  if (current != NULL)
    g_assert_true (tr_ticket_equal (current, snapshot));
  if (op->ticket != NULL)
    g_assert_true (tr_ticket_equal (op->ticket, op_snapshot->ticket));
  g_assert_true ((event == NULL) == (error != NULL && *error != NULL));
  return event;
}

/* Applies @op at @now and returns the new ticket, checking what every
 * success must give. */
static TrTicket *
apply_ok (const TrOp *op, const TrTicket *current, gint64 now)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrEvent) event = NULL;
  TrApplyContext ctx = { .seq = 0, .now = now, .number = 0 };

  event = apply_full (op, current, &ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  g_assert_nonnull (event->ticket);
  g_assert_true (event->ticket != current);
  g_assert_cmpint (event->ticket->version, ==, current != NULL ? current->version + 1 : 1);
  g_assert_cmpint (event->ticket->updated_at, ==, now);
  g_assert_cmpint (event->at, ==, now);
  if (current != NULL)
    {
      g_assert_cmpstr (event->ticket->id, ==, current->id);
      g_assert_cmpint (event->ticket->created_at, ==, current->created_at);
      g_assert_cmpint (event->ticket->number, ==, current->number);
    }
  return g_steal_pointer (&event->ticket);
}

/* Applies @op, expects @code, and checks the message starts with @prefix. */
static void
apply_fails (const TrOp *op, const TrTicket *current, TrErrorCode code, const char *prefix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrEvent) event = NULL;
  TrApplyContext ctx = { .seq = 3, .now = T0 + 999, .number = 0 };

  event = apply_full (op, current, &ctx, &error);
  g_assert_null (event);
  g_assert_error (error, TR_ERROR, (int)code);
  g_test_message ("error: %s", error->message);
  if (prefix != NULL && !g_str_has_prefix (error->message, prefix))
    g_error ("\"%s\" does not start with \"%s\"", error->message, prefix);
}

static TrTicket *
create (guint n_items)
{
  g_autoptr (TrTicket) draft = make_ticket (n_items);
  g_autoptr (TrOp) op = tr_op_new_create_ticket ("pos", draft);

  return apply_ok (op, NULL, T0);
}

/* The steps below replace *ticket with the ticket after the op. */

static void
set_ticket (TrTicket **ticket, TrTicketStatus status, gint64 now)
{
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status (STATION, (*ticket)->id, status);
  TrTicket *next = apply_ok (op, *ticket, now);

  tr_ticket_free (*ticket);
  *ticket = next;
}

static void
set_item (TrTicket **ticket, const char *item_id, TrItemStatus status, gint64 now)
{
  g_autoptr (TrOp) op = tr_op_new_set_item_status (STATION, (*ticket)->id, item_id, status);
  TrTicket *next = apply_ok (op, *ticket, now);

  tr_ticket_free (*ticket);
  *ticket = next;
}

/* Takes @amendment. */
static TrOp *
amend_op (const TrTicket *ticket, TrAmendment *amendment)
{
  TrOp *op = tr_op_new_amend_ticket (STATION, ticket->id);

  g_ptr_array_add (op->amendments, amendment);
  return op;
}

static void
amend (TrTicket **ticket, TrAmendment *amendment, gint64 now)
{
  g_autoptr (TrOp) op = amend_op (*ticket, amendment);
  TrTicket *next = apply_ok (op, *ticket, now);

  tr_ticket_free (*ticket);
  *ticket = next;
}

static TrAmendment *
amendment_for_item (TrAmendKind kind, const char *item_id)
{
  TrAmendment *amendment = tr_amendment_new (kind);

  amendment->item_id = g_strdup (item_id);
  return amendment;
}

static TrAmendment *
add_item_amendment (const char *id, const char *name, int quantity)
{
  TrAmendment *amendment = tr_amendment_new (TR_AMEND_ADD_ITEM);

  amendment->item = make_item (id, name, quantity);
  return amendment;
}

static void
assert_items (const TrTicket *ticket, const TrItemStatus *expected, guint n)
{
  g_assert_cmpuint (ticket->items->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_test_message ("item %u", i);
      g_assert_cmpstr (tr_item_status_to_string (ITEM (ticket, i)->status), ==,
                       tr_item_status_to_string (expected[i]));
    }
}

#define assert_status(t, s)                                                                        \
  g_assert_cmpstr (tr_ticket_status_to_string ((t)->status), ==, tr_ticket_status_to_string (s))

/* ------------------------------------------------------------------ */

static void
test_create (void)
{
  g_autoptr (TrTicket) draft = make_ticket (2);
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrEvent) event = NULL;
  g_autoptr (GError) error = NULL;
  TrApplyContext ctx = { .seq = 17, .now = T0 + 5, .number = 0 };

  /* Whatever the issuer claims about state is thrown away. */
  draft->number = 8;
  draft->status = TR_TICKET_STATUS_SERVED;
  draft->recall_status = TR_TICKET_STATUS_READY;
  draft->version = 40;
  draft->created_at = 1;
  draft->updated_at = 2;
  ITEM (draft, 0)->status = TR_ITEM_STATUS_READY;
  ITEM (draft, 0)->recall_status = TR_ITEM_STATUS_PREPARING;
  ITEM (draft, 0)->ready_at = 3;
  ITEM (draft, 1)->status = TR_ITEM_STATUS_SERVED;
  ITEM (draft, 1)->served_at = 4;
  g_ptr_array_add (draft->changes, tr_change_new (TR_CHANGE_NOTE, 1, NULL, NULL, "x"));
  op = tr_op_new_create_ticket ("pos-1", draft);

  event = apply_full (op, NULL, &ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);

  g_assert_cmpint (event->seq, ==, 17);
  g_assert_cmpint (event->kind, ==, TR_EVENT_TICKET_CREATED);
  g_assert_cmpstr (event->op_id, ==, op->op_id);
  g_assert_true (event->op_id != op->op_id);
  g_assert_cmpstr (event->station_id, ==, "pos-1");
  g_assert_cmpint (event->at, ==, T0 + 5);

  g_assert_cmpstr (event->ticket->id, ==, TICKET_ID);
  g_assert_true (event->ticket != op->ticket);
  g_assert_cmpint (event->ticket->number, ==, 8);
  assert_status (event->ticket, TR_TICKET_STATUS_NEW);
  g_assert_cmpint (event->ticket->recall_status, ==, TR_TICKET_STATUS_NEW);
  g_assert_cmpint (event->ticket->version, ==, 1);
  g_assert_cmpint (event->ticket->created_at, ==, T0 + 5);
  g_assert_cmpint (event->ticket->updated_at, ==, T0 + 5);
  g_assert_cmpuint (event->ticket->changes->len, ==, 0);
  g_assert_cmpstr (event->ticket->table, ==, "12");
  g_assert_cmpstr (event->ticket->server, ==, "Ana");
  g_assert_cmpint (event->ticket->guests, ==, 2);
  g_assert_cmpuint (event->ticket->items->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      TrItem *item = ITEM (event->ticket, i);

      g_assert_cmpint (item->status, ==, TR_ITEM_STATUS_PENDING);
      g_assert_cmpint (item->recall_status, ==, TR_ITEM_STATUS_PENDING);
      g_assert_cmpint (item->ready_at, ==, 0);
      g_assert_cmpint (item->served_at, ==, 0);
      g_assert_cmpstr (item->name, ==, "Burger");
      g_assert_cmpint (item->quantity, ==, 2);
    }
}

static void
test_create_number (void)
{
  g_autoptr (TrTicket) draft = make_ticket (1);
  g_autoptr (TrOp) op = NULL;

  draft->number = 5;
  op = tr_op_new_create_ticket ("pos", draft);

  for (int number = 0; number <= 2; number++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TrEvent) event = NULL;
      TrApplyContext ctx = { .seq = 1, .now = T0, .number = number };

      event = apply_full (op, NULL, &ctx, &error);
      g_assert_no_error (error);
      /* 0 keeps the op's number; the host passes the day's next one. */
      g_assert_cmpint (event->ticket->number, ==, number > 0 ? number : 5);
    }
}

static void
test_create_duplicate (void)
{
  g_autoptr (TrTicket) ticket = create (1);
  g_autoptr (TrTicket) draft = make_ticket (1);
  g_autoptr (TrOp) op = tr_op_new_create_ticket ("pos", draft);

  apply_fails (op, ticket, TR_ERROR_DUPLICATE_ID, "ticket_id");
}

static void
test_create_duplicate_item_ids (void)
{
  g_autoptr (TrTicket) draft = make_ticket (3);
  g_autoptr (TrOp) op = NULL;

  g_free (ITEM (draft, 2)->id);
  ITEM (draft, 2)->id = g_strdup ("i0");
  op = tr_op_new_create_ticket ("pos", draft);
  apply_fails (op, NULL, TR_ERROR_DUPLICATE_ID, "ticket.items[2].id");
}

static void
test_create_needs_items (void)
{
  g_autoptr (TrTicket) draft = make_ticket (0);
  g_autoptr (TrOp) op = tr_op_new_create_ticket ("pos", draft);
  g_autoptr (GError) error = NULL;
  TrApplyContext ctx = { .now = T0 };

  g_assert_null (tr_op_apply (op, NULL, &ctx, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "items: a ticket needs at least one item"));
}

/* ------------------------------------------------------------------ */
/* Validation: each broken field is named first in the message.         */

typedef void (*Breaker) (TrOp *op);

static void
break_op_id (TrOp *op)
{
  g_free (op->op_id);
  op->op_id = g_strdup ("");
}

static void
break_station_id (TrOp *op)
{
  g_clear_pointer (&op->station_id, g_free);
}

static void
break_ticket_id_mismatch (TrOp *op)
{
  g_free (op->ticket_id);
  op->ticket_id = g_strdup ("another");
}

static void
break_ticket_id_empty (TrOp *op)
{
  g_clear_pointer (&op->ticket_id, g_free);
}

static void
break_no_ticket (TrOp *op)
{
  g_clear_pointer (&op->ticket, tr_ticket_free);
}

static void
break_quantity_low (TrOp *op)
{
  ITEM (op->ticket, 1)->quantity = TR_MIN_QUANTITY - 1;
}

static void
break_quantity_high (TrOp *op)
{
  ITEM (op->ticket, 0)->quantity = TR_MAX_QUANTITY + 1;
}

static void
break_item_id (TrOp *op)
{
  g_clear_pointer (&ITEM (op->ticket, 1)->id, g_free);
}

static void
break_item_name (TrOp *op)
{
  g_free (ITEM (op->ticket, 0)->name);
  ITEM (op->ticket, 0)->name = g_strdup ("");
}

static void
break_long_name (TrOp *op)
{
  g_free (ITEM (op->ticket, 0)->name);
  ITEM (op->ticket, 0)->name = g_strnfill (TR_MAX_TEXT_BYTES + 1, 'x');
}

static void
break_utf8_note (TrOp *op)
{
  g_free (op->ticket->note);
  op->ticket->note = g_strdup ("caf\xe9");
}

static void
break_utf8_modifier (TrOp *op)
{
  g_strfreev (ITEM (op->ticket, 1)->modifiers);
  ITEM (op->ticket, 1)->modifiers = g_strsplit ("ok,\xff\xfe", ",", -1);
}

static void
break_too_many_modifiers (TrOp *op)
{
  TrItem *item = ITEM (op->ticket, 0);

  g_strfreev (item->modifiers);
  item->modifiers = g_new0 (char *, TR_MAX_MODIFIERS + 2);
  for (int i = 0; i < TR_MAX_MODIFIERS + 1; i++)
    item->modifiers[i] = g_strdup_printf ("m%d", i);
}

static void
break_too_many_allergens (TrOp *op)
{
  TrItem *item = ITEM (op->ticket, 0);

  g_strfreev (item->allergens);
  item->allergens = g_new0 (char *, TR_MAX_ALLERGENS + 2);
  for (int i = 0; i < TR_MAX_ALLERGENS + 1; i++)
    item->allergens[i] = g_strdup_printf ("a%d", i);
}

static void
break_too_many_items (TrOp *op)
{
  for (int i = op->ticket->items->len; i < TR_MAX_ITEMS + 1; i++)
    {
      g_autofree char *id = g_strdup_printf ("extra%d", i);
      g_ptr_array_add (op->ticket->items, make_item (id, "Fries", 1));
    }
}

static void
break_long_table (TrOp *op)
{
  g_free (op->ticket->table);
  op->ticket->table = g_strnfill (TR_MAX_TEXT_BYTES + 1, '7');
}

static void
break_guests (TrOp *op)
{
  op->ticket->guests = TR_MAX_GUESTS + 1;
}

static void
break_course (TrOp *op)
{
  ITEM (op->ticket, 1)->course = TR_MAX_COURSE + 1;
}

static void
break_source (TrOp *op)
{
  op->ticket->source = TR_N_SOURCES;
}

static void
break_priority (TrOp *op)
{
  op->ticket->priority = TR_N_PRIORITIES;
}

static void
break_order_type (TrOp *op)
{
  op->ticket->order_type = -1;
}

static void
break_long_item_id (TrOp *op)
{
  g_free (ITEM (op->ticket, 0)->id);
  ITEM (op->ticket, 0)->id = g_strnfill (129, 'i');
}

static void
break_kind (TrOp *op)
{
  op->kind = TR_N_OP_KINDS;
}

static void
test_create_validation (void)
{
  static const struct
  {
    Breaker breaker;
    const char *prefix;
  } cases[] = {
    { break_op_id, "op_id: " },
    { break_station_id, "station_id: " },
    { break_ticket_id_mismatch, "ticket_id: " },
    { break_ticket_id_empty, "ticket_id: " },
    { break_no_ticket, "ticket: " },
    { break_quantity_low, "ticket.items[1].quantity: " },
    { break_quantity_high, "ticket.items[0].quantity: " },
    { break_item_id, "ticket.items[1].id: " },
    { break_item_name, "ticket.items[0].name: " },
    { break_long_name, "ticket.items[0].name: " },
    { break_utf8_note, "ticket.note: " },
    { break_utf8_modifier, "ticket.items[1].modifiers[1]: " },
    { break_too_many_modifiers, "ticket.items[0].modifiers: " },
    { break_too_many_allergens, "ticket.items[0].allergens: " },
    { break_too_many_items, "ticket.items: " },
    { break_long_table, "ticket.table: " },
    { break_guests, "ticket.guests: " },
    { break_course, "ticket.items[1].course: " },
    { break_source, "ticket.source: " },
    { break_priority, "ticket.priority: " },
    { break_order_type, "ticket.order_type: " },
    { break_long_item_id, "ticket.items[0].id: " },
    { break_kind, "kind: " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TrTicket) draft = make_ticket (2);
      g_autoptr (TrOp) op = tr_op_new_create_ticket ("pos", draft);

      g_test_message ("case %u: %s", i, cases[i].prefix);
      cases[i].breaker (op);
      apply_fails (op, NULL, TR_ERROR_INVALID, cases[i].prefix);
    }
}

/* Hand-built tickets may lack the arrays tr_ticket_new() makes. Not
 * through apply_full(): tr_op_copy() needs both arrays. */
static void
test_create_missing_arrays (void)
{
  for (int which = 0; which < 2; which++)
    {
      g_autoptr (TrTicket) draft = make_ticket (1);
      g_autoptr (TrOp) op = tr_op_new_create_ticket ("pos", draft);
      g_autoptr (GError) error = NULL;
      TrApplyContext ctx = { .now = T0 };

      if (which == 0)
        g_clear_pointer (&op->ticket->items, g_ptr_array_unref);
      else
        g_clear_pointer (&op->ticket->changes, g_ptr_array_unref);
      g_assert_null (tr_op_apply (op, NULL, &ctx, &error));
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
      g_assert_true (
        g_str_has_prefix (error->message, which == 0 ? "ticket.items: " : "ticket.changes: "));
      /* tr_op_free() copes with the hole. */
    }
}

/* The bounds themselves are accepted. */
static void
test_create_bounds (void)
{
  g_autoptr (TrTicket) draft = make_ticket (0);
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  TrItem *first;

  for (int i = 0; i < TR_MAX_ITEMS; i++)
    {
      g_autofree char *id = g_strdup_printf ("i%d", i);
      g_ptr_array_add (draft->items, make_item (id, "Fries", TR_MAX_QUANTITY));
    }
  first = ITEM (draft, 0);
  first->quantity = TR_MIN_QUANTITY;
  g_free (first->name);
  first->name = g_strnfill (TR_MAX_TEXT_BYTES, 'x');
  g_strfreev (first->modifiers);
  first->modifiers = g_new0 (char *, TR_MAX_MODIFIERS + 1);
  for (int i = 0; i < TR_MAX_MODIFIERS; i++)
    first->modifiers[i] = g_strdup ("Käse 🧀");
  first->course = TR_MAX_COURSE;
  draft->guests = TR_MAX_GUESTS;

  op = tr_op_new_create_ticket ("pos", draft);
  ticket = apply_ok (op, NULL, T0);
  g_assert_cmpuint (ticket->items->len, ==, TR_MAX_ITEMS);
  g_assert_cmpuint (strlen (ITEM (ticket, 0)->name), ==, TR_MAX_TEXT_BYTES);
  g_assert_cmpuint (g_strv_length (ITEM (ticket, 0)->modifiers), ==, TR_MAX_MODIFIERS);
}

static void
test_amend_validation (void)
{
  g_autoptr (TrTicket) ticket = create (2);
  struct
  {
    TrAmendment *amendment;
    const char *prefix;
  } cases[] = {
    { amendment_for_item (TR_AMEND_SET_QUANTITY, "i0"), "amendments[0].quantity: " },
    { amendment_for_item (TR_AMEND_VOID_ITEM, ""), "amendments[0].item_id: " },
    { amendment_for_item (TR_AMEND_SET_ITEM_NOTE, NULL), "amendments[0].item_id: " },
    { amendment_for_item (TR_AMEND_SET_MODIFIERS, "i0"), "amendments[0].modifiers: " },
    { tr_amendment_new (TR_AMEND_SET_NOTE), "amendments[0].text: " },
    { tr_amendment_new (TR_AMEND_SET_TABLE), "amendments[0].text: " },
    { tr_amendment_new (TR_AMEND_SET_PRIORITY), "amendments[0].priority: " },
    { tr_amendment_new (TR_AMEND_ADD_ITEM), "amendments[0].item: " },
    { add_item_amendment ("new", "Soup", 0), "amendments[0].item.quantity: " },
    { add_item_amendment ("", "Soup", 1), "amendments[0].item.id: " },
    { tr_amendment_new (TR_N_AMEND_KINDS), "amendments[0].kind: " },
  };

  cases[0].amendment->quantity = TR_MAX_QUANTITY + 1;
  g_strfreev (cases[3].amendment->modifiers);
  cases[3].amendment->modifiers = g_new0 (char *, TR_MAX_MODIFIERS + 2);
  for (int i = 0; i < TR_MAX_MODIFIERS + 1; i++)
    cases[3].amendment->modifiers[i] = g_strdup ("x");
  cases[4].amendment->text = g_strnfill (TR_MAX_TEXT_BYTES + 1, 'n');
  cases[5].amendment->text = g_strdup ("\xc3\x28");
  cases[6].amendment->priority = 7;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TrOp) op = amend_op (ticket, cases[i].amendment);

      g_test_message ("case %u: %s", i, cases[i].prefix);
      apply_fails (op, ticket, TR_ERROR_INVALID, cases[i].prefix);
    }
}

static void
test_amend_validation_index (void)
{
  g_autoptr (TrTicket) ticket = create (2);
  g_autoptr (TrOp) op = amend_op (ticket, amendment_for_item (TR_AMEND_VOID_ITEM, "i0"));
  TrAmendment *bad = amendment_for_item (TR_AMEND_SET_QUANTITY, "i1");

  /* The path names the amendment that is wrong, not the first one. */
  bad->quantity = 0;
  g_ptr_array_add (op->amendments, bad);
  apply_fails (op, ticket, TR_ERROR_INVALID, "amendments[1].quantity: ");
}

static void
test_amend_needs_amendments (void)
{
  g_autoptr (TrTicket) ticket = create (1);
  g_autoptr (TrOp) op = tr_op_new_amend_ticket (STATION, ticket->id);

  apply_fails (op, ticket, TR_ERROR_INVALID, "amendments: ");
  g_clear_pointer (&op->amendments, g_ptr_array_unref);
  apply_fails (op, ticket, TR_ERROR_INVALID, "amendments: ");
}

static void
test_amend_bounds (void)
{
  g_autoptr (TrTicket) ticket = create (1);
  g_autoptr (TrOp) op = tr_op_new_amend_ticket (STATION, ticket->id);
  g_autoptr (TrTicket) amended = NULL;
  g_autofree char *long_id = g_strnfill (128, 'x');

  /* 400 amendments (the codec's bound) pass, 401 do not. */
  for (int i = 0; i < 400; i++)
    g_ptr_array_add (op->amendments, tr_amendment_new (TR_AMEND_SET_PRIORITY));
  amended = apply_ok (op, ticket, T0 + 1);
  g_assert_cmpuint (amended->changes->len, ==, 100);
  g_ptr_array_add (op->amendments, tr_amendment_new (TR_AMEND_SET_PRIORITY));
  apply_fails (op, ticket, TR_ERROR_INVALID, "amendments: ");

  /* Ids: 128 bytes pass, 129 do not. */
  g_ptr_array_set_size (op->amendments, 0);
  g_ptr_array_add (op->amendments, add_item_amendment (long_id, "Soup", 1));
  g_clear_pointer (&amended, tr_ticket_free);
  amended = apply_ok (op, ticket, T0 + 2);
  g_assert_nonnull (tr_ticket_find_item (amended, long_id));
  g_ptr_array_set_size (op->amendments, 0);
  g_ptr_array_add (op->amendments, amendment_for_item (TR_AMEND_VOID_ITEM, NULL));
  ((TrAmendment *)g_ptr_array_index (op->amendments, 0))->item_id = g_strnfill (129, 'x');
  apply_fails (op, ticket, TR_ERROR_INVALID, "amendments[0].item_id: ");
  g_free (op->op_id);
  op->op_id = g_strnfill (129, 'o');
  apply_fails (op, ticket, TR_ERROR_INVALID, "op_id: ");
}

static void
test_status_op_validation (void)
{
  g_autoptr (TrTicket) ticket = create (1);
  g_autoptr (TrOp) ticket_op = tr_op_new_set_ticket_status (STATION, ticket->id, 9);
  g_autoptr (TrOp) item_op
    = tr_op_new_set_item_status (STATION, ticket->id, NULL, TR_ITEM_STATUS_READY);
  g_autoptr (TrOp) item_op2 = tr_op_new_set_item_status (STATION, ticket->id, "i0", -1);
  g_autoptr (TrOp) long_id
    = tr_op_new_set_item_status (STATION, ticket->id, "i0", TR_ITEM_STATUS_READY);

  apply_fails (ticket_op, ticket, TR_ERROR_INVALID, "ticket_status: ");
  apply_fails (item_op, ticket, TR_ERROR_INVALID, "item_id: ");
  apply_fails (item_op2, ticket, TR_ERROR_INVALID, "item_status: ");
  g_free (long_id->station_id);
  long_id->station_id = g_strnfill (TR_MAX_TEXT_BYTES + 1, 's');
  apply_fails (long_id, ticket, TR_ERROR_INVALID, "station_id: ");
}

/* ------------------------------------------------------------------ */
/* Unknown, closed, illegal                                             */

static void
test_unknown_ticket (void)
{
  g_autoptr (TrOp) status_op
    = tr_op_new_set_ticket_status (STATION, "nope", TR_TICKET_STATUS_READY);
  g_autoptr (TrOp) item_op
    = tr_op_new_set_item_status (STATION, "nope", "i0", TR_ITEM_STATUS_READY);
  g_autoptr (TrOp) amend = tr_op_new_amend_ticket (STATION, "nope");

  g_ptr_array_add (amend->amendments, tr_amendment_new (TR_AMEND_SET_NOTE));
  apply_fails (status_op, NULL, TR_ERROR_UNKNOWN_TICKET, NULL);
  apply_fails (item_op, NULL, TR_ERROR_UNKNOWN_TICKET, NULL);
  apply_fails (amend, NULL, TR_ERROR_UNKNOWN_TICKET, NULL);
}

static void
test_ticket_id_mismatch (void)
{
  g_autoptr (TrTicket) ticket = create (1);
  g_autoptr (TrOp) op
    = tr_op_new_set_ticket_status (STATION, "other-ticket", TR_TICKET_STATUS_READY);

  apply_fails (op, ticket, TR_ERROR_INVALID, "ticket_id: ");
}

static void
test_unknown_item (void)
{
  g_autoptr (TrTicket) ticket = create (2);
  g_autoptr (TrOp) item_op
    = tr_op_new_set_item_status (STATION, ticket->id, "i9", TR_ITEM_STATUS_READY);
  static const TrAmendKind kinds[]
    = { TR_AMEND_VOID_ITEM, TR_AMEND_SET_QUANTITY, TR_AMEND_SET_MODIFIERS, TR_AMEND_SET_ITEM_NOTE };

  apply_fails (item_op, ticket, TR_ERROR_UNKNOWN_ITEM, "item_id: ");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      TrAmendment *amendment = amendment_for_item (kinds[i], "i9");
      g_autoptr (TrOp) op = NULL;

      amendment->quantity = 3;
      op = amend_op (ticket, amendment);
      apply_fails (op, ticket, TR_ERROR_UNKNOWN_ITEM, "amendments[0].item_id: ");
    }
}

static void
test_illegal_ticket_transition (void)
{
  g_autoptr (TrTicket) ticket = create (1);
  g_autoptr (TrOp) same = tr_op_new_set_ticket_status (STATION, ticket->id, TR_TICKET_STATUS_NEW);
  g_autoptr (TrOp) back
    = tr_op_new_set_ticket_status (STATION, ticket->id, TR_TICKET_STATUS_PREPARING);
  g_autoptr (TrOp) skip
    = tr_op_new_set_ticket_status (STATION, ticket->id, TR_TICKET_STATUS_SERVED);

  apply_fails (skip, ticket, TR_ERROR_ILLEGAL_TRANSITION, "ticket cannot go from new to served");
  apply_fails (same, ticket, TR_ERROR_ILLEGAL_TRANSITION, "ticket cannot go from new to new");
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 1);
  set_ticket (&ticket, TR_TICKET_STATUS_SERVED, T0 + 2);
  apply_fails (back, ticket, TR_ERROR_ILLEGAL_TRANSITION,
               "ticket cannot go from served to preparing");
}

static void
test_illegal_item_transition (void)
{
  g_autoptr (TrTicket) ticket = create (2);
  g_autoptr (TrOp) serve
    = tr_op_new_set_item_status (STATION, ticket->id, "i0", TR_ITEM_STATUS_SERVED);
  g_autoptr (TrOp) revive
    = tr_op_new_set_item_status (STATION, ticket->id, "i1", TR_ITEM_STATUS_READY);

  apply_fails (serve, ticket, TR_ERROR_ILLEGAL_TRANSITION, "item cannot go from pending to served");
  set_item (&ticket, "i1", TR_ITEM_STATUS_VOIDED, T0 + 1);
  apply_fails (revive, ticket, TR_ERROR_ILLEGAL_TRANSITION, "item cannot go from voided to ready");
}

static void
test_closed_ticket (void)
{
  for (int closed = 0; closed < 2; closed++)
    {
      g_autoptr (TrTicket) ticket = create (2);
      g_autoptr (TrOp) item_op = NULL;
      static const TrAmendKind kinds[]
        = { TR_AMEND_ADD_ITEM, TR_AMEND_SET_NOTE, TR_AMEND_SET_PRIORITY, TR_AMEND_SET_TABLE };

      if (closed == 0)
        {
          set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 1);
          set_ticket (&ticket, TR_TICKET_STATUS_SERVED, T0 + 2);
        }
      else
        set_ticket (&ticket, TR_TICKET_STATUS_CANCELLED, T0 + 1);

      for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
        {
          TrAmendment *amendment = kinds[i] == TR_AMEND_ADD_ITEM
                                     ? add_item_amendment ("late", "Pie", 1)
                                     : tr_amendment_new (kinds[i]);
          g_autoptr (TrOp) op = amend_op (ticket, amendment);

          apply_fails (op, ticket, TR_ERROR_TICKET_CLOSED, NULL);
        }

      /* Items of a closed ticket move only with a ticket recall. */
      item_op = tr_op_new_set_item_status (
        STATION, ticket->id, "i0", closed == 0 ? TR_ITEM_STATUS_READY : TR_ITEM_STATUS_PREPARING);
      apply_fails (item_op, ticket, TR_ERROR_TICKET_CLOSED, NULL);
    }
}

/* ------------------------------------------------------------------ */
/* Ticket-level moves and what the items do                             */

static void
test_start (void)
{
  g_autoptr (TrTicket) ticket = create (3);

  set_item (&ticket, "i2", TR_ITEM_STATUS_VOIDED, T0 + 1);
  assert_status (ticket, TR_TICKET_STATUS_NEW);
  set_ticket (&ticket, TR_TICKET_STATUS_PREPARING, T0 + 2);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_NEW);
  assert_items (
    ticket,
    (TrItemStatus[]){ TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_VOIDED },
    3);
  g_assert_cmpint (ITEM (ticket, 0)->ready_at, ==, 0);
  g_assert_cmpint (ticket->version, ==, 3);
}

static void
test_ticket_ready_readies_items (void)
{
  g_autoptr (TrTicket) ticket = create (4);

  /* i0 preparing, i1 pending, i2 ready, i3 voided. */
  set_item (&ticket, "i0", TR_ITEM_STATUS_PREPARING, T0 + 1);
  set_item (&ticket, "i2", TR_ITEM_STATUS_READY, T0 + 2);
  set_item (&ticket, "i3", TR_ITEM_STATUS_VOIDED, T0 + 3);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);

  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 10);
  assert_status (ticket, TR_TICKET_STATUS_READY);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_PREPARING);
  assert_items (ticket,
                (TrItemStatus[]){ TR_ITEM_STATUS_READY, TR_ITEM_STATUS_READY, TR_ITEM_STATUS_READY,
                                  TR_ITEM_STATUS_VOIDED },
                4);
  g_assert_cmpint (ITEM (ticket, 0)->ready_at, ==, T0 + 10);
  g_assert_cmpint (ITEM (ticket, 0)->recall_status, ==, TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (ITEM (ticket, 1)->ready_at, ==, T0 + 10);
  g_assert_cmpint (ITEM (ticket, 1)->recall_status, ==, TR_ITEM_STATUS_PENDING);
  /* Already ready: keeps its own time. */
  g_assert_cmpint (ITEM (ticket, 2)->ready_at, ==, T0 + 2);
  g_assert_cmpint (ITEM (ticket, 3)->ready_at, ==, 0);
}

static void
test_ticket_ready_from_new (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  /* A cook bumps a ticket nobody started. */
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 4);
  assert_status (ticket, TR_TICKET_STATUS_READY);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_NEW);
  assert_items (ticket, (TrItemStatus[]){ TR_ITEM_STATUS_READY, TR_ITEM_STATUS_READY }, 2);
  g_assert_cmpint (ITEM (ticket, 1)->recall_status, ==, TR_ITEM_STATUS_PENDING);
}

static void
test_ticket_served_serves_items (void)
{
  g_autoptr (TrTicket) ticket = create (3);

  set_item (&ticket, "i1", TR_ITEM_STATUS_VOIDED, T0 + 1);
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 2);
  set_ticket (&ticket, TR_TICKET_STATUS_SERVED, T0 + 3);
  assert_status (ticket, TR_TICKET_STATUS_SERVED);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_READY);
  assert_items (
    ticket, (TrItemStatus[]){ TR_ITEM_STATUS_SERVED, TR_ITEM_STATUS_VOIDED, TR_ITEM_STATUS_SERVED },
    3);
  g_assert_cmpint (ITEM (ticket, 0)->served_at, ==, T0 + 3);
  g_assert_cmpint (ITEM (ticket, 0)->ready_at, ==, T0 + 2);
  g_assert_cmpint (ITEM (ticket, 0)->recall_status, ==, TR_ITEM_STATUS_READY);
  g_assert_cmpint (ITEM (ticket, 1)->served_at, ==, 0);
}

static void
test_ticket_served_keeps_served_items (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 1);
  set_item (&ticket, "i0", TR_ITEM_STATUS_SERVED, T0 + 2);
  /* Half served is still ready: the pass holds the rest. */
  assert_status (ticket, TR_TICKET_STATUS_READY);
  set_ticket (&ticket, TR_TICKET_STATUS_SERVED, T0 + 3);
  g_assert_cmpint (ITEM (ticket, 0)->served_at, ==, T0 + 2);
  g_assert_cmpint (ITEM (ticket, 1)->served_at, ==, T0 + 3);
}

static void
test_ticket_cancelled_voids_items (void)
{
  g_autoptr (TrTicket) ticket = create (3);

  set_item (&ticket, "i0", TR_ITEM_STATUS_READY, T0 + 1);
  set_item (&ticket, "i1", TR_ITEM_STATUS_PREPARING, T0 + 2);
  set_ticket (&ticket, TR_TICKET_STATUS_CANCELLED, T0 + 3);
  assert_status (ticket, TR_TICKET_STATUS_CANCELLED);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_PREPARING);
  assert_items (
    ticket, (TrItemStatus[]){ TR_ITEM_STATUS_VOIDED, TR_ITEM_STATUS_VOIDED, TR_ITEM_STATUS_VOIDED },
    3);
}

static void
test_ticket_cancelled_keeps_served_items (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 1);
  set_item (&ticket, "i0", TR_ITEM_STATUS_SERVED, T0 + 2);
  set_ticket (&ticket, TR_TICKET_STATUS_CANCELLED, T0 + 3);
  /* The status is what was asked for, although the items alone would
   * say served. */
  assert_status (ticket, TR_TICKET_STATUS_CANCELLED);
  assert_items (ticket, (TrItemStatus[]){ TR_ITEM_STATUS_SERVED, TR_ITEM_STATUS_VOIDED }, 2);
}

static void
test_recall_served (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 1);
  set_ticket (&ticket, TR_TICKET_STATUS_SERVED, T0 + 2);
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 3);
  assert_status (ticket, TR_TICKET_STATUS_READY);
  /* A recall is not a forward move and keeps recall_status. */
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_READY);
  assert_items (ticket, (TrItemStatus[]){ TR_ITEM_STATUS_READY, TR_ITEM_STATUS_READY }, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (ITEM (ticket, i)->served_at, ==, 0);
      g_assert_cmpint (ITEM (ticket, i)->ready_at, ==, T0 + 1);
    }

  /* Served again: a second round trip works. */
  set_ticket (&ticket, TR_TICKET_STATUS_SERVED, T0 + 4);
  assert_status (ticket, TR_TICKET_STATUS_SERVED);
  g_assert_cmpint (ITEM (ticket, 0)->served_at, ==, T0 + 4);
}

static void
test_recall_ready (void)
{
  g_autoptr (TrTicket) ticket = create (5);

  /* Before the bump: i0 preparing, i1 pending, i2 ready, i3 voided,
   * i4 pending. */
  set_item (&ticket, "i0", TR_ITEM_STATUS_PREPARING, T0 + 1);
  set_item (&ticket, "i2", TR_ITEM_STATUS_PREPARING, T0 + 2);
  set_item (&ticket, "i2", TR_ITEM_STATUS_READY, T0 + 3);
  set_item (&ticket, "i3", TR_ITEM_STATUS_VOIDED, T0 + 4);
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 5);
  assert_status (ticket, TR_TICKET_STATUS_READY);

  set_ticket (&ticket, TR_TICKET_STATUS_PREPARING, T0 + 6);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  /* Each item goes back to where it was before it became ready: one
   * nobody started is pending again. */
  assert_items (ticket,
                (TrItemStatus[]){ TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_PENDING,
                                  TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_VOIDED,
                                  TR_ITEM_STATUS_PENDING },
                5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (ITEM (ticket, i)->ready_at, ==, 0);
}

static void
test_recall_ready_all_pending (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 1);
  set_ticket (&ticket, TR_TICKET_STATUS_PREPARING, T0 + 2);
  /* All items pending again, but the ticket does not go back to new. */
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  assert_items (ticket, (TrItemStatus[]){ TR_ITEM_STATUS_PENDING, TR_ITEM_STATUS_PENDING }, 2);
  /* And the items can be bumped again. */
  set_item (&ticket, "i0", TR_ITEM_STATUS_READY, T0 + 3);
  set_item (&ticket, "i1", TR_ITEM_STATUS_READY, T0 + 4);
  assert_status (ticket, TR_TICKET_STATUS_READY);
}

static void
test_recall_twice (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  /* served → ready → preparing: an item recalled from served remembers
   * only "ready", so it goes to preparing; a half-served ticket keeps
   * its served item. */
  set_item (&ticket, "i1", TR_ITEM_STATUS_PREPARING, T0 + 1);
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 2);
  set_ticket (&ticket, TR_TICKET_STATUS_SERVED, T0 + 3);
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 4);
  set_item (&ticket, "i1", TR_ITEM_STATUS_SERVED, T0 + 5);
  assert_status (ticket, TR_TICKET_STATUS_READY);
  set_ticket (&ticket, TR_TICKET_STATUS_PREPARING, T0 + 6);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  assert_items (ticket, (TrItemStatus[]){ TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_SERVED }, 2);
  g_assert_cmpint (ITEM (ticket, 1)->served_at, ==, T0 + 5);
}

/* ------------------------------------------------------------------ */
/* Item-level moves and the derived ticket status                       */

static void
test_item_start_starts_ticket (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  set_item (&ticket, "i0", TR_ITEM_STATUS_PREPARING, T0 + 1);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_NEW);
  g_assert_cmpint (ITEM (ticket, 1)->status, ==, TR_ITEM_STATUS_PENDING);
}

static void
test_all_items_ready (void)
{
  g_autoptr (TrTicket) ticket = create (3);

  set_item (&ticket, "i0", TR_ITEM_STATUS_READY, T0 + 1);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (ITEM (ticket, 0)->ready_at, ==, T0 + 1);
  g_assert_cmpint (ITEM (ticket, 0)->recall_status, ==, TR_ITEM_STATUS_PENDING);
  set_item (&ticket, "i1", TR_ITEM_STATUS_PREPARING, T0 + 2);
  set_item (&ticket, "i1", TR_ITEM_STATUS_READY, T0 + 3);
  g_assert_cmpint (ITEM (ticket, 1)->recall_status, ==, TR_ITEM_STATUS_PREPARING);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  set_item (&ticket, "i2", TR_ITEM_STATUS_READY, T0 + 4);
  assert_status (ticket, TR_TICKET_STATUS_READY);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_PREPARING);
}

static void
test_ready_when_last_unready_voided (void)
{
  /* Once with an item op, once with an amendment. */
  for (int by_amend = 0; by_amend < 2; by_amend++)
    {
      g_autoptr (TrTicket) ticket = create (3);

      set_item (&ticket, "i0", TR_ITEM_STATUS_READY, T0 + 1);
      set_item (&ticket, "i1", TR_ITEM_STATUS_READY, T0 + 2);
      assert_status (ticket, TR_TICKET_STATUS_PREPARING);
      if (by_amend)
        amend (&ticket, amendment_for_item (TR_AMEND_VOID_ITEM, "i2"), T0 + 3);
      else
        set_item (&ticket, "i2", TR_ITEM_STATUS_VOIDED, T0 + 3);
      assert_status (ticket, TR_TICKET_STATUS_READY);
      g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_PREPARING);
    }
}

static void
test_all_items_voided (void)
{
  for (int by_amend = 0; by_amend < 2; by_amend++)
    {
      g_autoptr (TrTicket) ticket = create (2);

      set_item (&ticket, "i0", TR_ITEM_STATUS_PREPARING, T0 + 1);
      if (by_amend)
        {
          g_autoptr (TrOp) op = amend_op (ticket, amendment_for_item (TR_AMEND_VOID_ITEM, "i0"));
          TrTicket *next;

          g_ptr_array_add (op->amendments, amendment_for_item (TR_AMEND_VOID_ITEM, "i1"));
          next = apply_ok (op, ticket, T0 + 2);
          tr_ticket_free (ticket);
          ticket = next;
        }
      else
        {
          set_item (&ticket, "i0", TR_ITEM_STATUS_VOIDED, T0 + 2);
          assert_status (ticket, TR_TICKET_STATUS_PREPARING);
          set_item (&ticket, "i1", TR_ITEM_STATUS_VOIDED, T0 + 3);
        }
      assert_status (ticket, TR_TICKET_STATUS_CANCELLED);
      g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_PREPARING);
    }
}

static void
test_all_items_served (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  set_item (&ticket, "i0", TR_ITEM_STATUS_READY, T0 + 1);
  set_item (&ticket, "i0", TR_ITEM_STATUS_SERVED, T0 + 2);
  g_assert_cmpint (ITEM (ticket, 0)->served_at, ==, T0 + 2);
  g_assert_cmpint (ITEM (ticket, 0)->recall_status, ==, TR_ITEM_STATUS_READY);
  /* One item served while another is pending: still being prepared. */
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  set_item (&ticket, "i1", TR_ITEM_STATUS_READY, T0 + 3);
  assert_status (ticket, TR_TICKET_STATUS_READY);
  set_item (&ticket, "i1", TR_ITEM_STATUS_SERVED, T0 + 4);
  assert_status (ticket, TR_TICKET_STATUS_SERVED);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_READY);
}

static void
test_item_recall (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 1);
  set_item (&ticket, "i0", TR_ITEM_STATUS_SERVED, T0 + 2);
  set_item (&ticket, "i0", TR_ITEM_STATUS_READY, T0 + 3);
  g_assert_cmpint (ITEM (ticket, 0)->served_at, ==, 0);
  g_assert_cmpint (ITEM (ticket, 0)->ready_at, ==, T0 + 1);
  assert_status (ticket, TR_TICKET_STATUS_READY);

  /* Recalling one item takes a ready ticket back to preparing, without
   * touching the ticket's recall_status (not a forward move). */
  set_item (&ticket, "i1", TR_ITEM_STATUS_PREPARING, T0 + 4);
  g_assert_cmpint (ITEM (ticket, 1)->ready_at, ==, 0);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_NEW);
}

/* ------------------------------------------------------------------ */
/* Amendments                                                           */

static void
test_amend_add_item_to_ready (void)
{
  g_autoptr (TrTicket) ticket = create (1);
  TrAmendment *amendment = add_item_amendment ("late", "Fries", 1);

  /* Whatever status the added item claims, it starts pending. */
  amendment->item->status = TR_ITEM_STATUS_SERVED;
  amendment->item->ready_at = 5;
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 1);
  amend (&ticket, amendment, T0 + 2);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (ticket->recall_status, ==, TR_TICKET_STATUS_NEW);
  assert_items (ticket, (TrItemStatus[]){ TR_ITEM_STATUS_READY, TR_ITEM_STATUS_PENDING }, 2);
  g_assert_cmpint (ITEM (ticket, 1)->ready_at, ==, 0);
  g_assert_cmpint (ITEM (ticket, 1)->recall_status, ==, TR_ITEM_STATUS_PENDING);

  set_item (&ticket, "late", TR_ITEM_STATUS_READY, T0 + 3);
  assert_status (ticket, TR_TICKET_STATUS_READY);
}

static void
test_amend_add_item_to_new (void)
{
  g_autoptr (TrTicket) ticket = create (1);

  amend (&ticket, add_item_amendment ("more", "Salad", 1), T0 + 1);
  assert_status (ticket, TR_TICKET_STATUS_NEW);
  g_assert_cmpuint (ticket->items->len, ==, 2);
}

static void
test_amend_revives_to_preparing (void)
{
  g_autoptr (TrTicket) ticket = create (1);

  /* Everything voided but a fresh pending item: the ticket was worked
   * on, so it is preparing, not new. */
  set_item (&ticket, "i0", TR_ITEM_STATUS_PREPARING, T0 + 1);
  {
    g_autoptr (TrOp) op = amend_op (ticket, amendment_for_item (TR_AMEND_VOID_ITEM, "i0"));
    TrTicket *next;

    g_ptr_array_add (op->amendments, add_item_amendment ("swap", "Soup", 1));
    next = apply_ok (op, ticket, T0 + 2);
    tr_ticket_free (ticket);
    ticket = next;
  }
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);
  assert_items (ticket, (TrItemStatus[]){ TR_ITEM_STATUS_VOIDED, TR_ITEM_STATUS_PENDING }, 2);
}

static void
test_amend_changes (void)
{
  g_autoptr (TrTicket) ticket = create (2);
  g_autoptr (TrOp) op = tr_op_new_amend_ticket (STATION, ticket->id);
  g_autoptr (TrEvent) event = NULL;
  g_autoptr (GError) error = NULL;
  TrApplyContext ctx = { .seq = 44, .now = T0 + 50 };
  TrAmendment *a;
  const TrTicket *t;
  static const struct
  {
    TrChangeKind kind;
    const char *item_id;
    const char *before;
    const char *after;
  } expected[] = {
    { TR_CHANGE_QUANTITY, "i0", "2", "3" },
    { TR_CHANGE_MODIFIERS, "i0", NULL, "no onion, extra cheese" },
    { TR_CHANGE_MODIFIERS, "i0", "no onion, extra cheese", "gluten free" },
    { TR_CHANGE_ITEM_NOTE, "i0", NULL, "well done" },
    { TR_CHANGE_ITEM_NOTE, "i0", "well done", NULL },
    { TR_CHANGE_ITEM_ADDED, "new", NULL, "2× Milkshake" },
    { TR_CHANGE_ITEM_VOIDED, "i1", "2× Burger", NULL },
    { TR_CHANGE_TABLE, NULL, "12", "14" },
    { TR_CHANGE_NOTE, NULL, NULL, "allergy at table" },
    { TR_CHANGE_NOTE, NULL, "allergy at table", NULL },
    { TR_CHANGE_PRIORITY, NULL, "normal", "rush" },
  };

  a = amendment_for_item (TR_AMEND_SET_QUANTITY, "i0");
  a->quantity = 3;
  g_ptr_array_add (op->amendments, a);
  a = amendment_for_item (TR_AMEND_SET_MODIFIERS, "i0");
  g_strfreev (a->modifiers);
  a->modifiers = g_strsplit ("no onion|extra cheese", "|", -1);
  g_ptr_array_add (op->amendments, a);
  a = amendment_for_item (TR_AMEND_SET_MODIFIERS, "i0");
  g_strfreev (a->modifiers);
  a->modifiers = g_strsplit ("gluten free", "|", -1);
  g_ptr_array_add (op->amendments, a);
  a = amendment_for_item (TR_AMEND_SET_ITEM_NOTE, "i0");
  a->text = g_strdup ("well done");
  g_ptr_array_add (op->amendments, a);
  g_ptr_array_add (op->amendments, amendment_for_item (TR_AMEND_SET_ITEM_NOTE, "i0"));
  g_ptr_array_add (op->amendments, add_item_amendment ("new", "Milkshake", 2));
  g_ptr_array_add (op->amendments, amendment_for_item (TR_AMEND_VOID_ITEM, "i1"));
  a = tr_amendment_new (TR_AMEND_SET_TABLE);
  a->text = g_strdup ("14");
  g_ptr_array_add (op->amendments, a);
  a = tr_amendment_new (TR_AMEND_SET_NOTE);
  a->text = g_strdup ("allergy at table");
  g_ptr_array_add (op->amendments, a);
  g_ptr_array_add (op->amendments, tr_amendment_new (TR_AMEND_SET_NOTE));
  a = tr_amendment_new (TR_AMEND_SET_PRIORITY);
  a->priority = TR_PRIORITY_RUSH;
  g_ptr_array_add (op->amendments, a);

  event = apply_full (op, ticket, &ctx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (event->kind, ==, TR_EVENT_TICKET_AMENDED);
  g_assert_cmpint (event->seq, ==, 44);
  g_assert_cmpstr (event->station_id, ==, STATION);
  g_assert_cmpstr (event->op_id, ==, op->op_id);
  t = event->ticket;
  g_assert_cmpint (t->version, ==, 2);

  g_assert_cmpuint (t->changes->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      TrChange *change = CHANGE (t, i);

      g_test_message ("change %u", i);
      g_assert_cmpstr (tr_change_kind_to_string (change->kind), ==,
                       tr_change_kind_to_string (expected[i].kind));
      g_assert_cmpint (change->at, ==, T0 + 50);
      g_assert_cmpstr (change->item_id, ==, expected[i].item_id);
      g_assert_cmpstr (change->before, ==, expected[i].before);
      g_assert_cmpstr (change->after, ==, expected[i].after);
    }

  /* And the values themselves changed. */
  g_assert_cmpint (ITEM (t, 0)->quantity, ==, 3);
  g_assert_cmpstr (ITEM (t, 0)->modifiers[0], ==, "gluten free");
  g_assert_null (ITEM (t, 0)->modifiers[1]);
  g_assert_null (ITEM (t, 0)->note);
  g_assert_cmpint (ITEM (t, 1)->status, ==, TR_ITEM_STATUS_VOIDED);
  g_assert_cmpstr (ITEM (t, 2)->id, ==, "new");
  g_assert_cmpint (ITEM (t, 2)->quantity, ==, 2);
  g_assert_cmpstr (t->table, ==, "14");
  g_assert_null (t->note);
  g_assert_cmpint (t->priority, ==, TR_PRIORITY_RUSH);
  assert_status (t, TR_TICKET_STATUS_NEW);
}

static void
test_amend_each_kind_alone (void)
{
  /* Every amendment kind, applied on its own, records exactly one change
   * of the matching kind. */
  static const TrChangeKind change_for_amend[] = {
    [TR_AMEND_ADD_ITEM] = TR_CHANGE_ITEM_ADDED,     [TR_AMEND_VOID_ITEM] = TR_CHANGE_ITEM_VOIDED,
    [TR_AMEND_SET_QUANTITY] = TR_CHANGE_QUANTITY,   [TR_AMEND_SET_MODIFIERS] = TR_CHANGE_MODIFIERS,
    [TR_AMEND_SET_ITEM_NOTE] = TR_CHANGE_ITEM_NOTE, [TR_AMEND_SET_TABLE] = TR_CHANGE_TABLE,
    [TR_AMEND_SET_NOTE] = TR_CHANGE_NOTE,           [TR_AMEND_SET_PRIORITY] = TR_CHANGE_PRIORITY,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (change_for_amend) == TR_N_AMEND_KINDS);
  for (int kind = 0; kind < TR_N_AMEND_KINDS; kind++)
    {
      g_autoptr (TrTicket) ticket = create (2);
      TrAmendment *amendment;

      if (kind == TR_AMEND_ADD_ITEM)
        amendment = add_item_amendment ("x", "Tea", 1);
      else
        amendment = amendment_for_item (kind, "i1");
      amendment->quantity = 5;
      amend (&ticket, amendment, T0 + kind);
      g_assert_cmpuint (ticket->changes->len, ==, 1);
      g_assert_cmpint (CHANGE (ticket, 0)->kind, ==, change_for_amend[kind]);
      g_assert_cmpint (CHANGE (ticket, 0)->at, ==, T0 + kind);
      g_assert_cmpint (ticket->version, ==, 2);
    }
}

static void
test_amend_is_atomic (void)
{
  g_autoptr (TrTicket) ticket = create (2);
  g_autoptr (TrOp) op = tr_op_new_amend_ticket (STATION, ticket->id);
  TrAmendment *a = tr_amendment_new (TR_AMEND_SET_NOTE);

  /* Good, good, then one that fails: nothing of it applies (and
   * apply_fails() checks @current is untouched). */
  a->text = g_strdup ("first");
  g_ptr_array_add (op->amendments, a);
  g_ptr_array_add (op->amendments, amendment_for_item (TR_AMEND_VOID_ITEM, "i0"));
  g_ptr_array_add (op->amendments, amendment_for_item (TR_AMEND_VOID_ITEM, "i0"));
  apply_fails (op, ticket, TR_ERROR_ILLEGAL_TRANSITION, "item cannot go from voided to voided");
}

static void
test_amend_duplicate_item (void)
{
  g_autoptr (TrTicket) ticket = create (2);
  g_autoptr (TrOp) op = amend_op (ticket, add_item_amendment ("i1", "Burger", 1));
  g_autoptr (TrOp) twice = amend_op (ticket, add_item_amendment ("z", "Tea", 1));

  apply_fails (op, ticket, TR_ERROR_DUPLICATE_ID, "amendments[0].item.id: ");
  /* Two amendments of one op adding the same id clash too. */
  g_ptr_array_add (twice->amendments, add_item_amendment ("z", "Tea", 1));
  apply_fails (twice, ticket, TR_ERROR_DUPLICATE_ID, "amendments[1].item.id: ");
}

static void
test_amend_item_limit (void)
{
  g_autoptr (TrTicket) draft = make_ticket (TR_MAX_ITEMS);
  g_autoptr (TrOp) create_op = tr_op_new_create_ticket ("pos", draft);
  g_autoptr (TrTicket) ticket = apply_ok (create_op, NULL, T0);
  g_autoptr (TrOp) op = amend_op (ticket, add_item_amendment ("one-too-many", "Tea", 1));

  apply_fails (op, ticket, TR_ERROR_INVALID, "amendments[0].item: ");
}

static void
test_amend_uneditable_items (void)
{
  g_autoptr (TrTicket) ticket = create (3);
  static const TrAmendKind kinds[]
    = { TR_AMEND_SET_QUANTITY, TR_AMEND_SET_MODIFIERS, TR_AMEND_SET_ITEM_NOTE };
  g_autoptr (TrOp) void_served = NULL;

  set_item (&ticket, "i0", TR_ITEM_STATUS_VOIDED, T0 + 1);
  set_item (&ticket, "i1", TR_ITEM_STATUS_READY, T0 + 2);
  set_item (&ticket, "i1", TR_ITEM_STATUS_SERVED, T0 + 3);
  assert_status (ticket, TR_TICKET_STATUS_PREPARING);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr (TrOp) on_voided = NULL;
      g_autoptr (TrOp) on_served = NULL;
      TrAmendment *a = amendment_for_item (kinds[i], "i0");
      TrAmendment *b = amendment_for_item (kinds[i], "i1");

      a->quantity = b->quantity = 4;
      on_voided = amend_op (ticket, a);
      on_served = amend_op (ticket, b);
      apply_fails (on_voided, ticket, TR_ERROR_INVALID, "amendments[0].item_id: ");
      apply_fails (on_served, ticket, TR_ERROR_INVALID, "amendments[0].item_id: ");
    }

  void_served = amend_op (ticket, amendment_for_item (TR_AMEND_VOID_ITEM, "i1"));
  apply_fails (void_served, ticket, TR_ERROR_ILLEGAL_TRANSITION,
               "item cannot go from served to voided");

  /* A preparing item can still be edited. */
  {
    TrAmendment *c = amendment_for_item (TR_AMEND_SET_QUANTITY, "i2");

    c->quantity = 4;
    amend (&ticket, c, T0 + 4);
    g_assert_cmpint (ITEM (ticket, 2)->quantity, ==, 4);
  }
}

static void
test_amend_changes_capped (void)
{
  g_autoptr (TrTicket) ticket = create (1);

  for (int i = 0; i < 105; i++)
    {
      TrAmendment *a = tr_amendment_new (TR_AMEND_SET_NOTE);

      a->text = g_strdup_printf ("note %d", i);
      amend (&ticket, a, T0 + i);
    }
  g_assert_cmpuint (ticket->changes->len, ==, 100);
  /* The oldest went. */
  g_assert_cmpstr (CHANGE (ticket, 0)->after, ==, "note 5");
  g_assert_cmpint (CHANGE (ticket, 0)->at, ==, T0 + 5);
  g_assert_cmpstr (CHANGE (ticket, 99)->after, ==, "note 104");
  g_assert_cmpint (ticket->version, ==, 106);

  /* Also within one op. */
  {
    g_autoptr (TrOp) op = tr_op_new_amend_ticket (STATION, ticket->id);
    TrTicket *next;

    for (int i = 0; i < 150; i++)
      {
        TrAmendment *a = tr_amendment_new (TR_AMEND_SET_PRIORITY);

        a->priority = i % 2;
        g_ptr_array_add (op->amendments, a);
      }
    next = apply_ok (op, ticket, T0 + 500);
    tr_ticket_free (ticket);
    ticket = next;
  }
  g_assert_cmpuint (ticket->changes->len, ==, 100);
  g_assert_cmpint (CHANGE (ticket, 0)->kind, ==, TR_CHANGE_PRIORITY);
  g_assert_cmpstr (CHANGE (ticket, 99)->after, ==, "rush");
}

/* ------------------------------------------------------------------ */
/* Events and versions                                                  */

static void
test_event_fields (void)
{
  g_autoptr (TrTicket) ticket = create (1);
  struct
  {
    TrOp *op;
    TrEventKind kind;
  } steps[] = {
    { tr_op_new_set_item_status ("s-a", ticket->id, "i0", TR_ITEM_STATUS_PREPARING),
      TR_EVENT_ITEM_STATUS },
    { tr_op_new_amend_ticket ("s-b", ticket->id), TR_EVENT_TICKET_AMENDED },
    { tr_op_new_set_ticket_status ("s-c", ticket->id, TR_TICKET_STATUS_READY),
      TR_EVENT_TICKET_STATUS },
  };

  g_ptr_array_add (steps[1].op->amendments, tr_amendment_new (TR_AMEND_SET_NOTE));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr (TrOp) op = steps[i].op;
      g_autoptr (TrEvent) event = NULL;
      g_autoptr (GError) error = NULL;
      TrApplyContext ctx = { .seq = 100 + i, .now = T0 + 1000 * (i + 1), .number = 77 };

      event = apply_full (op, ticket, &ctx, &error);
      g_assert_no_error (error);
      g_assert_cmpint (event->seq, ==, 100 + i);
      g_assert_cmpint (event->kind, ==, steps[i].kind);
      g_assert_cmpstr (event->op_id, ==, op->op_id);
      g_assert_cmpstr (event->station_id, ==, op->station_id);
      g_assert_cmpint (event->at, ==, T0 + 1000 * (i + 1));
      g_assert_cmpint (event->ticket->updated_at, ==, T0 + 1000 * (i + 1));
      g_assert_cmpint (event->ticket->created_at, ==, T0);
      g_assert_cmpint (event->ticket->version, ==, ticket->version + 1);
      /* ctx->number is for creation only. */
      g_assert_cmpint (event->ticket->number, ==, ticket->number);

      tr_ticket_free (ticket);
      ticket = g_steal_pointer (&event->ticket);
    }
  g_assert_cmpint (ticket->version, ==, 4);
  assert_status (ticket, TR_TICKET_STATUS_READY);
}

static void
test_version_increments (void)
{
  g_autoptr (TrTicket) ticket = create (2);

  g_assert_cmpint (ticket->version, ==, 1);
  set_ticket (&ticket, TR_TICKET_STATUS_PREPARING, T0 + 1);
  g_assert_cmpint (ticket->version, ==, 2);
  set_item (&ticket, "i0", TR_ITEM_STATUS_READY, T0 + 2);
  g_assert_cmpint (ticket->version, ==, 3);
  amend (&ticket, tr_amendment_new (TR_AMEND_SET_TABLE), T0 + 3);
  g_assert_cmpint (ticket->version, ==, 4);
  g_assert_null (ticket->table);
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 4);
  set_ticket (&ticket, TR_TICKET_STATUS_SERVED, T0 + 5);
  set_ticket (&ticket, TR_TICKET_STATUS_READY, T0 + 6);
  g_assert_cmpint (ticket->version, ==, 7);
  g_assert_cmpint (ticket->updated_at, ==, T0 + 6);
  g_assert_cmpint (ticket->created_at, ==, T0);

  /* A failure does not count. */
  {
    g_autoptr (TrOp) op = tr_op_new_set_ticket_status (STATION, ticket->id, TR_TICKET_STATUS_READY);
    apply_fails (op, ticket, TR_ERROR_ILLEGAL_TRANSITION, NULL);
    g_assert_cmpint (ticket->version, ==, 7);
  }
}

/* The same op on the same ticket gives the same result: the host and
 * every station must agree. */
static void
test_deterministic (void)
{
  g_autoptr (TrTicket) ticket = create (3);
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status (STATION, ticket->id, TR_TICKET_STATUS_READY);
  g_autoptr (TrTicket) a = apply_ok (op, ticket, T0 + 9);
  g_autoptr (TrTicket) b = apply_ok (op, ticket, T0 + 9);

  g_assert_true (tr_ticket_equal (a, b));
}

/* Walks every ticket-level transition the table allows from every
 * reachable state and checks the result agrees with its items. */
static void
test_ticket_status_consistency (void)
{
  static const TrTicketStatus paths[][4] = {
    { TR_TICKET_STATUS_PREPARING, TR_TICKET_STATUS_READY, TR_TICKET_STATUS_SERVED,
      TR_TICKET_STATUS_READY },
    { TR_TICKET_STATUS_READY, TR_TICKET_STATUS_PREPARING, TR_TICKET_STATUS_READY,
      TR_TICKET_STATUS_CANCELLED },
    { TR_TICKET_STATUS_PREPARING, TR_TICKET_STATUS_CANCELLED, TR_TICKET_N_STATUSES },
    { TR_TICKET_STATUS_CANCELLED, TR_TICKET_N_STATUSES },
  };

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    {
      g_autoptr (TrTicket) ticket = create (3);

      set_item (&ticket, "i1", TR_ITEM_STATUS_VOIDED, T0 + 1);
      for (guint s = 0; s < 4 && paths[p][s] != TR_TICKET_N_STATUSES; s++)
        {
          TrTicketStatus target = paths[p][s];

          set_ticket (&ticket, target, T0 + 10 + s);
          assert_status (ticket, target);
          for (guint i = 0; i < ticket->items->len; i++)
            {
              TrItem *item = ITEM (ticket, i);

              if (i == 1 || target == TR_TICKET_STATUS_CANCELLED)
                g_assert_cmpint (item->status, ==, TR_ITEM_STATUS_VOIDED);
              else if (target == TR_TICKET_STATUS_PREPARING)
                g_assert_true (item->status == TR_ITEM_STATUS_PREPARING
                               || item->status == TR_ITEM_STATUS_PENDING);
              else if (target == TR_TICKET_STATUS_READY)
                g_assert_cmpint (item->status, ==, TR_ITEM_STATUS_READY);
              else if (target == TR_TICKET_STATUS_SERVED)
                g_assert_cmpint (item->status, ==, TR_ITEM_STATUS_SERVED);
            }
        }
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/op/create/basic", test_create);
  g_test_add_func ("/op/create/number", test_create_number);
  g_test_add_func ("/op/create/duplicate", test_create_duplicate);
  g_test_add_func ("/op/create/duplicate-item-ids", test_create_duplicate_item_ids);
  g_test_add_func ("/op/create/needs-items", test_create_needs_items);
  g_test_add_func ("/op/create/validation", test_create_validation);
  g_test_add_func ("/op/create/bounds", test_create_bounds);
  g_test_add_func ("/op/create/missing-arrays", test_create_missing_arrays);
  g_test_add_func ("/op/validation/amend", test_amend_validation);
  g_test_add_func ("/op/validation/amend-index", test_amend_validation_index);
  g_test_add_func ("/op/validation/amend-empty", test_amend_needs_amendments);
  g_test_add_func ("/op/validation/status-ops", test_status_op_validation);
  g_test_add_func ("/op/validation/amend-bounds", test_amend_bounds);
  g_test_add_func ("/op/errors/unknown-ticket", test_unknown_ticket);
  g_test_add_func ("/op/errors/ticket-id-mismatch", test_ticket_id_mismatch);
  g_test_add_func ("/op/errors/unknown-item", test_unknown_item);
  g_test_add_func ("/op/errors/illegal-ticket-transition", test_illegal_ticket_transition);
  g_test_add_func ("/op/errors/illegal-item-transition", test_illegal_item_transition);
  g_test_add_func ("/op/errors/closed-ticket", test_closed_ticket);
  g_test_add_func ("/op/ticket/start", test_start);
  g_test_add_func ("/op/ticket/ready-readies-items", test_ticket_ready_readies_items);
  g_test_add_func ("/op/ticket/ready-from-new", test_ticket_ready_from_new);
  g_test_add_func ("/op/ticket/served-serves-items", test_ticket_served_serves_items);
  g_test_add_func ("/op/ticket/served-keeps-served", test_ticket_served_keeps_served_items);
  g_test_add_func ("/op/ticket/cancelled-voids-items", test_ticket_cancelled_voids_items);
  g_test_add_func ("/op/ticket/cancelled-keeps-served", test_ticket_cancelled_keeps_served_items);
  g_test_add_func ("/op/ticket/recall-served", test_recall_served);
  g_test_add_func ("/op/ticket/recall-ready", test_recall_ready);
  g_test_add_func ("/op/ticket/recall-ready-all-pending", test_recall_ready_all_pending);
  g_test_add_func ("/op/ticket/recall-twice", test_recall_twice);
  g_test_add_func ("/op/ticket/consistency", test_ticket_status_consistency);
  g_test_add_func ("/op/item/start-starts-ticket", test_item_start_starts_ticket);
  g_test_add_func ("/op/item/all-ready", test_all_items_ready);
  g_test_add_func ("/op/item/last-unready-voided", test_ready_when_last_unready_voided);
  g_test_add_func ("/op/item/all-voided", test_all_items_voided);
  g_test_add_func ("/op/item/all-served", test_all_items_served);
  g_test_add_func ("/op/item/recall", test_item_recall);
  g_test_add_func ("/op/amend/add-item-to-ready", test_amend_add_item_to_ready);
  g_test_add_func ("/op/amend/add-item-to-new", test_amend_add_item_to_new);
  g_test_add_func ("/op/amend/revives-to-preparing", test_amend_revives_to_preparing);
  g_test_add_func ("/op/amend/changes", test_amend_changes);
  g_test_add_func ("/op/amend/each-kind", test_amend_each_kind_alone);
  g_test_add_func ("/op/amend/atomic", test_amend_is_atomic);
  g_test_add_func ("/op/amend/duplicate-item", test_amend_duplicate_item);
  g_test_add_func ("/op/amend/item-limit", test_amend_item_limit);
  g_test_add_func ("/op/amend/uneditable-items", test_amend_uneditable_items);
  g_test_add_func ("/op/amend/changes-capped", test_amend_changes_capped);
  g_test_add_func ("/op/event/fields", test_event_fields);
  g_test_add_func ("/op/event/version", test_version_increments);
  g_test_add_func ("/op/event/deterministic", test_deterministic);

  return g_test_run ();
}
