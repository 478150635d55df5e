/* tr-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-demo"

#include "tr-demo.h"

/* A fixed seed: tests count what the demo makes, and screenshots should
 * not change from one run to the next. */
#define DEMO_SEED 20261127

typedef struct
{
  const char *name;
  const char *station;
  /* NULL-terminated lists, at most four entries each */
  const char *allergens[4];
  const char *modifiers[4];
  int course;
} DemoDish;

/* An Indian and western mix, as in the restaurants that call their
 * tickets KOTs. */
/* clang-format off */
static const DemoDish menu[] = {
  { "Paneer Tikka", "tandoor", { "dairy", NULL }, { "extra spicy", "no onion", NULL }, 1 },
  { "Chicken Tikka", "tandoor", { "dairy", NULL }, { "well done", "extra spicy", NULL }, 1 },
  { "Tandoori Chicken", "tandoor", { "dairy", NULL }, { "half", "extra lemon", NULL }, 2 },
  { "Butter Chicken", "tandoor", { "dairy", "nuts", NULL }, { "mild", "extra gravy", NULL }, 2 },
  { "Garlic Naan", "tandoor", { "gluten", "dairy", NULL },
    { "extra butter", "no garlic", NULL },
    2 },
  { "Tandoori Roti", "tandoor", { "gluten", NULL }, { "no butter", NULL }, 2 },
  { "Dal Makhani", "grill", { "dairy", NULL }, { "less cream", NULL }, 2 },
  { "Masala Dosa", "grill", { NULL }, { "no onion", "extra chutney", NULL }, 2 },
  { "Chole Bhature", "fry", { "gluten", NULL }, { "no onion", NULL }, 2 },
  { "Vegetable Samosa", "fry", { "gluten", NULL }, { "extra chutney", NULL }, 1 },
  { "Onion Bhaji", "fry", { "gluten", NULL }, { "extra spicy", NULL }, 1 },
  { "Classic Burger", "grill", { "gluten", "dairy", NULL },
    { "no cheese", "medium rare", "no pickles", NULL },
    2 },
  { "Grilled Chicken Sandwich", "grill", { "gluten", NULL }, { "no mayo", NULL }, 2 },
  { "Fries", "fry", { NULL }, { "extra salt", "no salt", NULL }, 2 },
  { "Onion Rings", "fry", { "gluten", NULL }, { NULL }, 1 },
  { "Caesar Salad", "cold", { "dairy", "gluten", "fish", NULL },
    { "no croutons", "dressing on the side", NULL },
    1 },
  { "Kachumber Salad", "cold", { NULL }, { "no onion", NULL }, 1 },
  { "Raita", "cold", { "dairy", NULL }, { NULL }, 2 },
  { "Gulab Jamun", "cold", { "dairy", "gluten", NULL }, { "warm", NULL }, 3 },
  { "Mango Lassi", "bar", { "dairy", NULL }, { "less sugar", "no ice", NULL }, 0 },
  { "Masala Chai", "bar", { "dairy", NULL }, { "no sugar", "extra ginger", NULL }, 0 },
  { "Fresh Lime Soda", "bar", { NULL }, { "sweet", "salted", NULL }, 0 },
  { "Cold Brew", "bar", { NULL }, { "oat milk", NULL }, 0 },
};
/* clang-format on */

static const char *const servers[] = {
  "Priya", "Arjun", "Maria", "Tom", "Aisha", "Ravi",
};

static const char *const ticket_notes[] = {
  "Birthday — bring dessert with a candle",
  "Guest has a severe nut allergy",
  "Serve starters first",
  "Regular: table by the window",
};

static const char *const item_notes[] = {
  "cut in half for the kids",
  "sauce on the side",
  "well done, please",
};

static char **
strv_from_list (const char *const *list, GRand *rand, gboolean pick_one)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  while (n < 4 && list[n] != NULL)
    n++;

  if (pick_one)
    {
      if (n > 0)
        g_strv_builder_add (builder, list[g_rand_int_range (rand, 0, (gint32)n)]);
    }
  else
    {
      for (guint i = 0; i < n; i++)
        g_strv_builder_add (builder, list[i]);
    }

  return g_strv_builder_end (builder);
}

static TrItem *
make_item (const DemoDish *dish, GRand *rand)
{
  TrItem *item = tr_item_new ();

  item->id = tr_uuid_new ();
  item->name = g_strdup (dish->name);
  item->station = g_strdup (dish->station);
  item->course = dish->course;
  item->quantity = g_rand_int_range (rand, 0, 4) == 0 ? g_rand_int_range (rand, 2, 5) : 1;

  g_strfreev (item->allergens);
  item->allergens = strv_from_list (dish->allergens, rand, FALSE);

  /* About one item in three carries a modifier, as on a real rail. */
  g_strfreev (item->modifiers);
  if (g_rand_int_range (rand, 0, 3) == 0)
    item->modifiers = strv_from_list (dish->modifiers, rand, TRUE);
  else
    item->modifiers = g_new0 (char *, 1);

  if (g_rand_int_range (rand, 0, 8) == 0)
    item->note = g_strdup (item_notes[g_rand_int_range (rand, 0, G_N_ELEMENTS (item_notes))]);

  return item;
}

static TrTicket *
make_ticket (guint index, GRand *rand)
{
  TrTicket *ticket = tr_ticket_new ();
  guint n_items;
  int kind;

  ticket->id = tr_uuid_new ();
  ticket->source = g_rand_int_range (rand, 0, 3) == 0 ? TR_SOURCE_APP : TR_SOURCE_POS;
  if (ticket->source == TR_SOURCE_POS)
    ticket->external_ref = g_strdup_printf ("POS-%05u", 40000 + index * 7);

  /* Mostly dine-in, as in a full-service restaurant at lunch. */
  kind = g_rand_int_range (rand, 0, 10);
  if (kind < 6)
    {
      ticket->order_type = TR_ORDER_TYPE_DINE_IN;
      ticket->table = g_strdup_printf ("%d", g_rand_int_range (rand, 1, 25));
      ticket->guests = g_rand_int_range (rand, 1, 7);
      ticket->server = g_strdup (servers[g_rand_int_range (rand, 0, G_N_ELEMENTS (servers))]);
    }
  else if (kind < 8)
    ticket->order_type = TR_ORDER_TYPE_TAKEAWAY;
  else if (kind < 9)
    ticket->order_type = TR_ORDER_TYPE_DELIVERY;
  else
    ticket->order_type = TR_ORDER_TYPE_PICKUP;

  ticket->priority = g_rand_int_range (rand, 0, 6) == 0 ? TR_PRIORITY_RUSH : TR_PRIORITY_NORMAL;
  if (g_rand_int_range (rand, 0, 5) == 0)
    ticket->note = g_strdup (ticket_notes[g_rand_int_range (rand, 0, G_N_ELEMENTS (ticket_notes))]);

  n_items = (guint)g_rand_int_range (rand, 1, 6);
  for (guint i = 0; i < n_items; i++)
    {
      const DemoDish *dish = &menu[g_rand_int_range (rand, 0, G_N_ELEMENTS (menu))];
      g_ptr_array_add (ticket->items, make_item (dish, rand));
    }

  return ticket;
}

/* The older half of the rail is being worked on: some tickets started,
 * some already at the pass. */
static void
add_progress_ops (GPtrArray *ops, const TrTicket *ticket, guint index, guint n_tickets)
{
  if (index >= n_tickets / 2)
    return;

  switch (index % 3)
    {
      case 0:
        g_ptr_array_add (ops, tr_op_new_set_ticket_status (TR_DEMO_STATION_ID, ticket->id,
                                                           TR_TICKET_STATUS_READY));
        break;

      case 1:
        {
          const TrItem *first = g_ptr_array_index (ticket->items, 0);

          /* Starting a ticket starts its items too. */
          g_ptr_array_add (ops, tr_op_new_set_ticket_status (TR_DEMO_STATION_ID, ticket->id,
                                                             TR_TICKET_STATUS_PREPARING));
          /* One item done, the rest still cooking: never all of them, so
           * the ticket stays in preparing. */
          if (ticket->items->len > 1)
            g_ptr_array_add (ops, tr_op_new_set_item_status (TR_DEMO_STATION_ID, ticket->id,
                                                             first->id, TR_ITEM_STATUS_READY));
        }
        break;

      default:
        break;
    }
}

GPtrArray *
tr_demo_build_ops (guint n_tickets, gint64 now)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (DEMO_SEED);
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);

  for (guint i = 0; i < n_tickets; i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket (i, rand);

      g_ptr_array_add (ops, tr_op_new_create_ticket (TR_DEMO_STATION_ID, ticket));
      add_progress_ops (ops, ticket, i, n_tickets);
    }

  /* One clock for the whole set, as if it had been keyed in at once:
   * the caller's, so that a test can tell the demo's ops by their time. */
  for (guint i = 0; i < ops->len; i++)
    ((TrOp *)g_ptr_array_index (ops, i))->at = now;

  return ops;
}
