/* test-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-demo"

#include <glib/gstdio.h>

#include "tr-demo.h"
#include "tr-error.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  TrStore *store;
} Fixture;

static TrStore *
open_store (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  TrStore *store = tr_store_open (path, TR_STORE_DURABILITY_NORMAL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-test-demo-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = open_store (f->dir, "demo.db");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->store);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
}

static GPtrArray *
list_all (TrStore *store)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *tickets = tr_store_list_tickets (store, FALSE, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tickets);
  return tickets;
}

static int
compare_by_number (gconstpointer a, gconstpointer b)
{
  const TrTicket *ta = *(const TrTicket *const *)a;
  const TrTicket *tb = *(const TrTicket *const *)b;

  return ta->number - tb->number;
}

static void
test_seed_realistic (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (GHashTable) numbers = g_hash_table_new (NULL, NULL);
  guint by_status[TR_TICKET_N_STATUSES] = { 0 };
  guint by_type[TR_N_ORDER_TYPES] = { 0 };
  guint n_rush = 0, n_modifiers = 0, n_allergens = 0, n_items_ready = 0;

  g_assert_true (tr_demo_seed (f->store, TR_DEMO_N_TICKETS, &error));
  g_assert_no_error (error);

  tickets = list_all (f->store);
  g_assert_cmpuint (tickets->len, ==, TR_DEMO_N_TICKETS);

  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *t = g_ptr_array_index (tickets, i);

      g_assert_true (tr_ticket_is_open (t));
      g_assert_cmpint (t->number, >, 0);
      g_assert_false (g_hash_table_contains (numbers, GINT_TO_POINTER (t->number)));
      g_hash_table_add (numbers, GINT_TO_POINTER (t->number));
      g_assert_cmpuint (t->items->len, >=, 1);
      g_assert_cmpuint (t->items->len, <=, TR_MAX_ITEMS);

      by_status[t->status]++;
      by_type[t->order_type]++;
      if (t->priority == TR_PRIORITY_RUSH)
        n_rush++;
      if (t->order_type == TR_ORDER_TYPE_DINE_IN)
        {
          g_assert_nonnull (t->table);
          g_assert_cmpint (t->guests, >, 0);
          g_assert_nonnull (t->server);
        }
      else
        g_assert_null (t->table);

      for (guint j = 0; j < t->items->len; j++)
        {
          const TrItem *item = g_ptr_array_index (t->items, j);

          g_assert_nonnull (item->name);
          g_assert_nonnull (item->station);
          g_assert_true (g_strv_contains (
            (const char *const[]){ "grill", "tandoor", "fry", "bar", "cold", NULL },
            item->station));
          g_assert_cmpint (item->quantity, >=, TR_MIN_QUANTITY);
          g_assert_cmpint (item->quantity, <=, TR_MAX_QUANTITY);
          n_modifiers += g_strv_length (item->modifiers);
          n_allergens += g_strv_length (item->allergens);
          if (item->status == TR_ITEM_STATUS_READY)
            n_items_ready++;
        }
    }

  /* A rail mid-service: some new, some started, some at the pass. */
  g_assert_cmpuint (by_status[TR_TICKET_STATUS_NEW], >, 0);
  g_assert_cmpuint (by_status[TR_TICKET_STATUS_PREPARING], >, 0);
  g_assert_cmpuint (by_status[TR_TICKET_STATUS_READY], >, 0);
  g_assert_cmpuint (by_type[TR_ORDER_TYPE_DINE_IN], >, 0);
  g_assert_cmpuint (by_type[TR_ORDER_TYPE_DINE_IN], <, TR_DEMO_N_TICKETS);
  g_assert_cmpuint (n_rush, >, 0);
  g_assert_cmpuint (n_modifiers, >, 0);
  g_assert_cmpuint (n_allergens, >, 0);
  g_assert_cmpuint (n_items_ready, >, 0);
}

/* The same seed gives the same tickets in another store, apart from the
 * ids and clocks. */
static void
test_seed_deterministic (Fixture *f, gconstpointer data)
{
  g_autoptr (TrStore) other = open_store (f->dir, "other.db");
  g_autoptr (GPtrArray) a = NULL;
  g_autoptr (GPtrArray) b = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_demo_seed (f->store, 9, &error));
  g_assert_no_error (error);
  g_assert_true (tr_demo_seed (other, 9, &error));
  g_assert_no_error (error);

  a = list_all (f->store);
  b = list_all (other);
  g_ptr_array_sort (a, compare_by_number);
  g_ptr_array_sort (b, compare_by_number);
  g_assert_cmpuint (a->len, ==, 9);
  g_assert_cmpuint (b->len, ==, 9);

  for (guint i = 0; i < a->len; i++)
    {
      const TrTicket *ta = g_ptr_array_index (a, i);
      const TrTicket *tb = g_ptr_array_index (b, i);

      g_assert_cmpstr (ta->id, !=, tb->id);
      g_assert_cmpint (ta->number, ==, tb->number);
      g_assert_cmpstr (ta->table, ==, tb->table);
      g_assert_cmpint (ta->order_type, ==, tb->order_type);
      g_assert_cmpint (ta->status, ==, tb->status);
      g_assert_cmpint (ta->priority, ==, tb->priority);
      g_assert_cmpuint (ta->items->len, ==, tb->items->len);
      for (guint j = 0; j < ta->items->len; j++)
        {
          const TrItem *ia = g_ptr_array_index (ta->items, j);
          const TrItem *ib = g_ptr_array_index (tb->items, j);

          g_assert_cmpstr (ia->name, ==, ib->name);
          g_assert_cmpint (ia->quantity, ==, ib->quantity);
          g_assert_true (
            g_strv_equal ((const char *const *)ia->modifiers, (const char *const *)ib->modifiers));
        }
    }

  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
test_seed_twice (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_true (tr_demo_seed (f->store, 5, &error));
  g_assert_true (tr_demo_seed (f->store, 5, &error));
  g_assert_no_error (error);

  tickets = list_all (f->store);
  g_assert_cmpuint (tickets->len, ==, 10);
  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *t = g_ptr_array_index (tickets, i);
      g_assert_true (g_hash_table_add (ids, t->id));
    }
}

static void
test_seed_none (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;

  g_assert_true (tr_demo_seed (f->store, 0, &error));
  g_assert_no_error (error);
  tickets = list_all (f->store);
  g_assert_cmpuint (tickets->len, ==, 0);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 0);
}

/* Every seeded ticket is in the log, so stations following the host get
 * the demo like any other order. */
static void
test_seed_logged (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  guint n_created = 0;

  g_assert_true (tr_demo_seed (f->store, 6, &error));
  events = tr_store_read_events (f->store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  for (guint i = 0; i < events->len; i++)
    {
      const TrEvent *event = g_ptr_array_index (events, i);
      if (event->kind == TR_EVENT_TICKET_CREATED)
        n_created++;
    }
  g_assert_cmpuint (n_created, ==, 6);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, (gint64)events->len);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/demo/seed/realistic", Fixture, NULL, fixture_set_up, test_seed_realistic,
              fixture_tear_down);
  g_test_add ("/demo/seed/deterministic", Fixture, NULL, fixture_set_up, test_seed_deterministic,
              fixture_tear_down);
  g_test_add ("/demo/seed/twice", Fixture, NULL, fixture_set_up, test_seed_twice,
              fixture_tear_down);
  g_test_add ("/demo/seed/none", Fixture, NULL, fixture_set_up, test_seed_none, fixture_tear_down);
  g_test_add ("/demo/seed/logged", Fixture, NULL, fixture_set_up, test_seed_logged,
              fixture_tear_down);

  return g_test_run ();
}
