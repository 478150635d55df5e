/* test-ticket-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ticket-list"

#include <glib/gstdio.h>

#include "tr-demo.h"
#include "tr-ticket-list.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

typedef struct
{
  char *dir;
  /* A real host on loopback: the list reads what the host commits,
   * through the station's read-only connection. */
  TrStation *station;
  TrTicketList *list;
  GArray *changes;
  /* The station's "ticket-changed" announcements, and a submission in
   * flight (see submit()). */
  GPtrArray *announced;
  gboolean submitted;
  GError *submit_error;
} Fixture;

static void
on_station_ticket_changed (TrStation *station, const char *ticket_id, Fixture *f)
{
  g_ptr_array_add (f->announced, g_strdup (ticket_id));
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, Fixture *f)
{
  Change change = { position, removed, added };

  /* The model must already hold what the signal announces. */
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, position + added);
  g_array_append_val (f->changes, change);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ticketrail-test-list-XXXXXX", &error);
  g_assert_no_error (error);
  f->station = tr_station_new_host (f->dir, 0, TRUE, &error);
  g_assert_no_error (error);
  f->announced = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->station, "ticket-changed", G_CALLBACK (on_station_ticket_changed), f);
  f->list = tr_ticket_list_new ();
  f->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (f->list, "items-changed", G_CALLBACK (on_items_changed), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = NULL;
  const char *name;

  g_assert_finalize_object (f->list);
  tr_station_shutdown (f->station);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->station);
  g_array_unref (f->changes);
  g_ptr_array_unref (f->announced);

  d = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

static void
on_submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  tr_station_submit_ops_finish (TR_STATION (source), result, &f->submit_error);
  f->submitted = TRUE;
}

static gboolean
announced (Fixture *f, const char *ticket_id)
{
  for (guint i = 0; i < f->announced->len; i++)
    if (g_strcmp0 (g_ptr_array_index (f->announced, i), ticket_id) == 0)
      return TRUE;
  return FALSE;
}

/* Submits @ops through the host's op path and waits until they are
 * committed and the station has announced the last one's ticket. */
static void
submit (Fixture *f, GPtrArray *ops)
{
  const TrOp *last = g_ptr_array_index (ops, ops->len - 1);
  gint64 give_up = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  f->submitted = FALSE;
  g_ptr_array_set_size (f->announced, 0);
  tr_station_submit_ops_async (f->station, ops, NULL, on_submitted, f);
  while (!f->submitted || !announced (f, last->ticket_id))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_no_error (f->submit_error);
}

static void
apply (Fixture *f, TrOp *op)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);

  g_ptr_array_add (ops, op);
  submit (f, ops);
}

static char *
create_ticket (Fixture *f, const char *table, const char *dish)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup (table);
  item->id = tr_uuid_new ();
  item->name = g_strdup (dish);
  item->quantity = 2;
  g_ptr_array_add (ticket->items, item);
  apply (f, tr_op_new_create_ticket ("test", ticket));
  return g_strdup (ticket->id);
}

static char *
create_rush_ticket (Fixture *f, const char *table)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup (table);
  ticket->priority = TR_PRIORITY_RUSH;
  item->id = tr_uuid_new ();
  item->name = g_strdup ("Fries");
  item->quantity = 1;
  g_ptr_array_add (ticket->items, item);
  apply (f, tr_op_new_create_ticket ("test", ticket));
  return g_strdup (ticket->id);
}

static TrTicketObject *
item_at (Fixture *f, guint position)
{
  /* The list keeps its own reference, so the borrowed pointer stays
   * valid as long as the row does. */
  g_autoptr (TrTicketObject) obj = g_list_model_get_item (G_LIST_MODEL (f->list), position);
  return obj;
}

static void
assert_ordered (Fixture *f)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->list));

  for (guint i = 1; i < n; i++)
    {
      TrTicketObject *prev = item_at (f, i - 1);
      TrTicketObject *next = item_at (f, i);

      g_assert_cmpint (tr_ticket_object_get_created_at (prev), <=,
                       tr_ticket_object_get_created_at (next));
      if (tr_ticket_object_get_created_at (prev) == tr_ticket_object_get_created_at (next))
        g_assert_cmpint (tr_ticket_object_get_number (prev), <, tr_ticket_object_get_number (next));
    }
}

static void
test_load (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *served_id = NULL;

  g_autoptr (GPtrArray) demo = tr_demo_build_ops (7, tr_now_ms ());

  submit (f, demo);
  served_id = create_ticket (f, "3", "Masala Dosa");
  apply (f, tr_op_new_set_ticket_status ("test", served_id, TR_TICKET_STATUS_READY));
  apply (f, tr_op_new_set_ticket_status ("test", served_id, TR_TICKET_STATUS_SERVED));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 0);
  g_assert_true (tr_ticket_list_set_station (f->list, f->station, &error));
  g_assert_no_error (error);
  g_assert_true (tr_ticket_list_get_station (f->list) == f->station);

  /* Open tickets only, in one change. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 7);
  g_assert_cmpuint (f->changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).removed, ==, 0);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).added, ==, 7);
  g_assert_null (tr_ticket_list_find (f->list, served_id, NULL));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (f->list)) == TR_TYPE_TICKET_OBJECT);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->list), 7));
  assert_ordered (f);

  g_assert_true (tr_ticket_list_set_station (f->list, NULL, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 0);
  g_assert_cmpuint (f->changes->len, ==, 2);
  g_assert_cmpuint (g_array_index (f->changes, Change, 1).removed, ==, 7);
}

/* Tables in list order, "1 2 3". */
static char *
tables (Fixture *f)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->list)); i++)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (G_LIST_MODEL (f->list), i);

      g_string_append_printf (text, "%s%s", i ? " " : "", tr_ticket_object_get_ticket (obj)->table);
    }
  return g_string_free (text, FALSE);
}

/* Rush first (the default): a rush ticket goes ahead of older normal
 * ones, when loaded and when it arrives; turning it off puts the list
 * back in age order in one change. */
static void
test_rush_first (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = create_ticket (f, "1", "Dosa");
  g_autofree char *b = create_rush_ticket (f, "2");
  g_autofree char *c = create_ticket (f, "3", "Naan");
  g_autofree char *order = NULL;
  g_autofree char *d = NULL;

  g_assert_true (tr_ticket_list_get_rush_first (f->list));
  g_assert_true (tr_ticket_list_set_station (f->list, f->station, &error));
  g_assert_no_error (error);
  order = tables (f);
  g_assert_cmpstr (order, ==, "2 1 3");

  g_array_set_size (f->changes, 0);
  g_object_set (f->list, "rush-first", FALSE, NULL);
  g_clear_pointer (&order, g_free);
  order = tables (f);
  g_assert_cmpstr (order, ==, "1 2 3");
  g_assert_cmpuint (f->changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).removed, ==, 3);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).added, ==, 3);

  tr_ticket_list_set_rush_first (f->list, TRUE);
  d = create_rush_ticket (f, "4");
  g_clear_pointer (&order, g_free);
  order = tables (f);
  g_assert_cmpstr (order, ==, "2 4 1 3");
  g_assert_true (tr_ticket_list_set_station (f->list, NULL, &error));
}

static void
test_follow_changes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = create_ticket (f, "1", "Paneer Tikka");
  g_autofree char *b = create_ticket (f, "2", "Butter Chicken");
  g_autofree char *c = create_ticket (f, "3", "Garlic Naan");
  g_autofree char *d = NULL;
  TrTicketObject *row_a, *row_b, *row_c;
  guint position = G_MAXUINT;
  Change change;

  g_assert_true (tr_ticket_list_set_station (f->list, f->station, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 3);
  row_a = item_at (f, 0);
  row_b = item_at (f, 1);
  row_c = item_at (f, 2);
  g_assert_cmpstr (tr_ticket_object_get_id (row_a), ==, a);
  g_assert_cmpstr (tr_ticket_object_get_id (row_b), ==, b);
  g_assert_cmpstr (tr_ticket_object_get_id (row_c), ==, c);
  g_array_set_size (f->changes, 0);

  /* A bump replaces exactly that row; its neighbours are untouched. */
  apply (f, tr_op_new_set_ticket_status ("test", b, TR_TICKET_STATUS_PREPARING));
  g_assert_cmpuint (f->changes->len, ==, 1);
  change = g_array_index (f->changes, Change, 0);
  g_assert_cmpuint (change.position, ==, 1);
  g_assert_cmpuint (change.removed, ==, 1);
  g_assert_cmpuint (change.added, ==, 1);
  g_assert_true (item_at (f, 0) == row_a);
  g_assert_true (item_at (f, 2) == row_c);
  g_assert_cmpint (tr_ticket_object_get_status (item_at (f, 1)), ==, TR_TICKET_STATUS_PREPARING);
  g_assert_true (tr_ticket_list_find (f->list, b, &position) == item_at (f, 1));
  g_assert_cmpuint (position, ==, 1);

  /* Served leaves the rail. */
  apply (f, tr_op_new_set_ticket_status ("test", a, TR_TICKET_STATUS_READY));
  apply (f, tr_op_new_set_ticket_status ("test", a, TR_TICKET_STATUS_SERVED));
  g_assert_cmpuint (f->changes->len, ==, 3);
  change = g_array_index (f->changes, Change, 2);
  g_assert_cmpuint (change.position, ==, 0);
  g_assert_cmpuint (change.removed, ==, 1);
  g_assert_cmpuint (change.added, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 2);
  g_assert_null (tr_ticket_list_find (f->list, a, NULL));
  g_assert_true (item_at (f, 1) == row_c);

  /* A new order joins at the end. */
  d = create_ticket (f, "4", "Mango Lassi");
  g_assert_cmpuint (f->changes->len, ==, 4);
  change = g_array_index (f->changes, Change, 3);
  g_assert_cmpuint (change.position, ==, 2);
  g_assert_cmpuint (change.removed, ==, 0);
  g_assert_cmpuint (change.added, ==, 1);
  g_assert_cmpstr (tr_ticket_object_get_id (item_at (f, 2)), ==, d);
  assert_ordered (f);

  /* Cancelled leaves too. */
  apply (f, tr_op_new_set_ticket_status ("test", c, TR_TICKET_STATUS_CANCELLED));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 2);
  g_assert_null (tr_ticket_list_find (f->list, c, NULL));

  /* A recall from served brings a ticket back, in its place. */
  apply (f, tr_op_new_set_ticket_status ("test", a, TR_TICKET_STATUS_READY));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 3);
  g_assert_cmpstr (tr_ticket_object_get_id (item_at (f, 0)), ==, a);
  assert_ordered (f);

  /* After the list lets go of the station, changes no longer reach it. */
  g_assert_true (tr_ticket_list_set_station (f->list, NULL, &error));
  g_array_set_size (f->changes, 0);
  g_free (create_ticket (f, "5", "Fries"));
  g_assert_cmpuint (f->changes->len, ==, 0);
}

static void
test_object_text (Fixture *f, gconstpointer data)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  g_autoptr (TrTicketObject) obj = NULL;
  g_autofree char *title = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *summary = NULL;
  const char *names[] = { "Paneer Tikka", "Garlic Naan", "Fries" };
  const int quantities[] = { 2, 3, 1 };

  ticket->id = g_strdup ("t1");
  ticket->number = 1042;
  ticket->table = g_strdup ("12");
  ticket->priority = TR_PRIORITY_RUSH;
  ticket->status = TR_TICKET_STATUS_PREPARING;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      TrItem *item = tr_item_new ();
      item->id = g_strdup_printf ("i%u", i);
      item->name = g_strdup (names[i]);
      item->quantity = quantities[i];
      item->status = i == 2 ? TR_ITEM_STATUS_VOIDED : TR_ITEM_STATUS_PENDING;
      g_ptr_array_add (ticket->items, item);
    }

  obj = tr_ticket_object_new (ticket);
  title = tr_ticket_object_dup_title (obj);
  destination = tr_ticket_object_dup_destination (obj);
  summary = tr_ticket_object_dup_summary (obj);
  g_assert_cmpstr (title, ==, "#1042");
  g_assert_cmpstr (destination, ==, "Table 12");
  g_assert_cmpstr (summary, ==, "2 × Paneer Tikka, 3 × Garlic Naan");
  g_assert_cmpuint (tr_ticket_object_get_item_count (obj), ==, 5);
  g_assert_true (tr_ticket_object_get_rush (obj));
  g_assert_cmpstr (tr_ticket_object_get_status_label (obj), ==, "Preparing");
  /* A copy: changing the original does not reach the row. */
  ticket->number = 7;
  g_assert_cmpint (tr_ticket_object_get_number (obj), ==, 1042);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The strings under test are the untranslated ones. */
  g_setenv ("LANGUAGE", "C", TRUE);

  g_test_add ("/ticket-list/load", Fixture, NULL, fixture_set_up, test_load, fixture_tear_down);
  g_test_add ("/ticket-list/rush-first", Fixture, NULL, fixture_set_up, test_rush_first,
              fixture_tear_down);
  g_test_add ("/ticket-list/follow-changes", Fixture, NULL, fixture_set_up, test_follow_changes,
              fixture_tear_down);
  g_test_add ("/ticket-object/text", Fixture, NULL, fixture_set_up, test_object_text,
              fixture_tear_down);

  return g_test_run ();
}
