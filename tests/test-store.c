/* test-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-store"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-service-stats.h"
#include "tr-store-private.h"
#include "tr-store-reader.h"
#include "tr-store.h"
#include "tr-test-sqlite.h"

#define STATION "test-station"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_remove (path);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "store.db", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  remove_tree (fixture->dir);
  g_assert_false (g_file_test (fixture->dir, G_FILE_TEST_EXISTS));
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* ---- helpers ---- */

static TrStore *
open_store (const char *path, TrStoreDurability durability)
{
  g_autoptr (GError) error = NULL;
  TrStore *store = tr_store_open (path, durability, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
}

static TrTicket *
make_ticket (guint n_items)
{
  TrTicket *ticket = tr_ticket_new ();
  static const char *const stations[] = { "grill", "fry", NULL, "cold" };

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup ("12");
  for (guint i = 0; i < n_items; i++)
    {
      TrItem *item = tr_item_new ();

      item->id = tr_uuid_new ();
      item->name = g_strdup_printf ("Dish %u", i);
      item->quantity = (int)i + 1;
      item->station = g_strdup (stations[i % G_N_ELEMENTS (stations)]);
      g_ptr_array_add (ticket->items, item);
    }
  return ticket;
}

static const char *
item_id (const TrTicket *ticket, guint index)
{
  return ((const TrItem *)g_ptr_array_index (ticket->items, index))->id;
}

static TrItemStatus
item_status (const TrTicket *ticket, guint index)
{
  return ((const TrItem *)g_ptr_array_index (ticket->items, index))->status;
}

static TrOutcome *
apply (TrStore *store, const TrOp *op)
{
  g_autoptr (GError) error = NULL;
  TrOutcome *outcome = tr_store_apply_op (store, op, &error);

  g_assert_no_error (error);
  g_assert_nonnull (outcome);
  return outcome;
}

/* Creates a ticket on a host store and returns it as stored. */
static TrTicket *
host_create (TrStore *store, guint n_items)
{
  g_autoptr (TrTicket) ticket = make_ticket (n_items);
  g_autoptr (TrOp) op = tr_op_new_create_ticket (STATION, ticket);
  g_autoptr (TrOutcome) outcome = apply (store, op);

  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  return tr_ticket_copy (outcome->event->ticket);
}

static TrOutcome *
host_bump_item (TrStore *store, const TrTicket *ticket, guint index, TrItemStatus status)
{
  g_autoptr (TrOp) op
    = tr_op_new_set_item_status (STATION, ticket->id, item_id (ticket, index), status);

  return apply (store, op);
}

static char *
expected_business_day (void)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (tr_now_ms () / 1000 - 4 * 3600);

  return g_date_time_format (time, "%Y-%m-%d");
}

/* ---- opening ---- */

static void
test_open_create_reopen (Fixture *fixture, gconstpointer data)
{
  g_autofree char *nested = g_build_filename (fixture->dir, "a", "b", "store.db", NULL);
  g_autofree char *db_id = NULL;
  g_autofree char *journal_mode = NULL;
  g_autofree char *nested_dir = g_path_get_dirname (nested);
  GStatBuf st;
  TrStore *store;
  sqlite3 *db;

  store = open_store (nested, TR_STORE_DURABILITY_FULL);
  g_assert_true (g_file_test (nested, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (nested_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpstr (tr_store_get_path (store), ==, nested);

  db_id = g_strdup (tr_store_get_db_id (store));
  g_assert_cmpuint (strlen (db_id), ==, 32);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 0);
  g_assert_cmpint (tr_store_get_tail_seq (store), ==, 1);
  g_assert_cmpint (tr_store_get_last_seq (store), ==, 0);
  g_assert_cmpstr (tr_store_get_host_id (store), ==, "");

  db = tr_store_get_sqlite (store);
  journal_mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (raw_int (db, "PRAGMA synchronous"), ==, 2);
  g_assert_cmpint (raw_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (raw_int (db, "PRAGMA busy_timeout"), ==, 5000);
  g_assert_cmpint (raw_int (db, "PRAGMA journal_size_limit"), ==, 64 * 1024 * 1024);
  g_assert_cmpint (raw_int (db, "PRAGMA temp_store"), ==, 2);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, TR_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "PRAGMA application_id"), ==, TR_STORE_APPLICATION_ID);
  g_clear_object (&store);

  store = open_store (nested, TR_STORE_DURABILITY_NORMAL);
  g_assert_cmpstr (tr_store_get_db_id (store), ==, db_id);
  db = tr_store_get_sqlite (store);
  g_assert_cmpint (raw_int (db, "PRAGMA synchronous"), ==, 1);
  g_assert_cmpint (raw_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, TR_STORE_SCHEMA_VERSION);
  g_clear_object (&store);
}

static void
test_open_default_dir (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("TICKETRAIL_DATA_DIR"));
  g_autofree char *dir = NULL;
  g_autofree char *fallback = g_build_filename (g_get_user_data_dir (), "ticketrail", NULL);

  g_setenv ("TICKETRAIL_DATA_DIR", "/some/where/else", TRUE);
  dir = tr_store_default_dir ();
  g_assert_cmpstr (dir, ==, "/some/where/else");
  g_clear_pointer (&dir, g_free);

  g_unsetenv ("TICKETRAIL_DATA_DIR");
  dir = tr_store_default_dir ();
  g_assert_cmpstr (dir, ==, fallback);

  if (saved != NULL)
    g_setenv ("TICKETRAIL_DATA_DIR", saved, TRUE);
}

static void
assert_open_fails (const char *path, int code, const char *message_part)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = file_checksum (path);
  g_autofree char *after = NULL;
  TrStore *store;

  store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_null (store);
  g_assert_error (error, TR_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
  if (message_part != NULL)
    g_assert_nonnull (strstr (error->message, message_part));

  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_open_random_bytes (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint8 bytes[8192];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8)g_test_rand_int_range (0, 256);
  g_file_set_contents (fixture->path, (const char *)bytes, sizeof bytes, &error);
  g_assert_no_error (error);

  assert_open_fails (fixture->path, TR_ERROR_STORE_CORRUPT, "not a Ticketrail database");
}

static void
test_open_foreign (Fixture *fixture, gconstpointer data)
{
  g_autofree char *other = g_build_filename (fixture->dir, "other.db", NULL);
  sqlite3 *db = NULL;

  /* Another application's database, with a table and no application id. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  raw_exec (db, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');");
  sqlite3_close (db);
  assert_open_fails (fixture->path, TR_ERROR_STORE_CORRUPT, "not a Ticketrail database");

  /* An empty one that claims to belong to someone else. */
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  raw_exec (db, "PRAGMA application_id = 305419896; CREATE TABLE t (x); DROP TABLE t;");
  sqlite3_close (db);
  assert_open_fails (other, TR_ERROR_STORE_CORRUPT, "not a Ticketrail database");
}

static void
test_open_damaged (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);

  /* Enough tickets to spread over many pages. */
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr (TrTicket) ticket = host_create (store, 8);
    }
  g_clear_object (&store); /* the last close checkpoints the WAL into the file */

  g_file_get_contents (fixture->path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 8 * 4096);
  /* Scribble over the b-tree pages but keep the header valid. */
  for (gsize i = 2 * 4096; i < length; i++)
    contents[i] = (char)g_test_rand_int_range (0, 256);
  g_file_set_contents (fixture->path, contents, length, &error);
  g_assert_no_error (error);

  assert_open_fails (fixture->path, TR_ERROR_STORE_CORRUPT, "corrupt");
}

static void
test_open_too_new (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  sqlite3 *db;

  g_clear_object (&store);
  db = raw_open (fixture->path);
  raw_exec (db, "PRAGMA user_version = 99");
  sqlite3_close (db);

  assert_open_fails (fixture->path, TR_ERROR_STORE_TOO_NEW, "99");
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *expected = g_strdup_printf ("schema version %d", TR_STORE_SCHEMA_VERSION);

    store = tr_store_open (fixture->path, TR_STORE_DURABILITY_FULL, &error);
    g_assert_null (store);
    g_assert_error (error, TR_ERROR, TR_ERROR_STORE_TOO_NEW);
    g_assert_nonnull (strstr (error->message, expected));
  }
}

/* ---- host ---- */

static void
test_apply_create_numbers (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) ticket = make_ticket (2);
  g_autoptr (TrTicket) second = make_ticket (1);
  g_autoptr (TrOp) op = tr_op_new_create_ticket (STATION, ticket);
  g_autoptr (TrOp) op2 = tr_op_new_create_ticket (STATION, second);
  g_autoptr (TrOutcome) outcome = NULL;
  g_autoptr (TrOutcome) outcome2 = NULL;
  g_autoptr (TrTicket) stored = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *day = NULL;
  g_autofree char *expected_day = NULL;

  outcome = apply (store, op);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpstr (outcome->op_id, ==, op->op_id);
  g_assert_cmpint (outcome->seq, ==, 1);
  g_assert_nonnull (outcome->event);
  g_assert_cmpint (outcome->event->seq, ==, 1);
  g_assert_cmpint (outcome->event->ticket->number, ==, 1001);
  g_assert_null (outcome->error_code);

  outcome2 = apply (store, op2);
  g_assert_cmpint (outcome2->seq, ==, 2);
  g_assert_cmpint (outcome2->event->ticket->number, ==, 1002);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 2);
  g_assert_cmpint (tr_store_get_tail_seq (store), ==, 1);

  stored = tr_store_get_ticket (store, ticket->id, &error);
  g_assert_no_error (error);
  g_assert_true (tr_ticket_equal (stored, outcome->event->ticket));
  g_clear_pointer (&stored, tr_ticket_free);
  g_assert_null (tr_store_get_ticket (store, "no-such-ticket", &error));
  g_assert_no_error (error);

  day = raw_text (tr_store_get_sqlite (store), "SELECT value FROM meta WHERE key = 'business_day'");
  expected_day = expected_business_day ();
  g_assert_cmpstr (day, ==, expected_day);
  g_clear_object (&store);

  /* A fresh connection, with an empty cache, reads the same ticket. */
  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  stored = tr_store_get_ticket (store, second->id, &error);
  g_assert_no_error (error);
  g_assert_true (tr_ticket_equal (stored, outcome2->event->ticket));
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 2);
  g_clear_object (&store);
}

static void
test_apply_business_day (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) first = host_create (store, 1);
  g_autoptr (TrTicket) second = NULL;
  g_autoptr (TrTicket) third = NULL;
  sqlite3 *db;

  g_assert_cmpint (first->number, ==, 1001);
  g_clear_object (&store);

  /* Same day: the counter continues from what is stored. */
  db = raw_open (fixture->path);
  raw_exec (db, "UPDATE meta SET value = '1500' WHERE key = 'next_number'");
  sqlite3_close (db);
  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  second = host_create (store, 1);
  g_assert_cmpint (second->number, ==, 1500);
  g_clear_object (&store);

  /* A new business day starts again at 1001. */
  db = raw_open (fixture->path);
  raw_exec (db, "UPDATE meta SET value = '2000-01-01' WHERE key = 'business_day'");
  sqlite3_close (db);
  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  third = host_create (store, 1);
  g_assert_cmpint (third->number, ==, 1001);
  g_clear_object (&store);
}

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *)user_data;
}

/* Local time on @day (relative to @base) at @hour, in ms. */
static gint64
local_ms (GDateTime *base, int day, int hour)
{
  g_autoptr (GDateTime) date = g_date_time_add_days (base, day);
  g_autoptr (GDateTime) time
    = g_date_time_new_local (g_date_time_get_year (date), g_date_time_get_month (date),
                             g_date_time_get_day_of_month (date), hour, 0, 0);

  return g_date_time_to_unix (time) * 1000;
}

static void
assert_open_numbers_unique (TrStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) open = tr_store_list_tickets (store, TRUE, NULL, &error);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);

  g_assert_no_error (error);
  for (guint i = 0; i < open->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (open, i);

      if (g_hash_table_contains (seen, GINT_TO_POINTER (ticket->number)))
        g_error ("two open tickets are #%d", ticket->number);
      g_hash_table_add (seen, GINT_TO_POINTER (ticket->number));
    }
}

/* Issue 18, scenario 6: an NTP step back, or a tablet booting with a
 * stale clock, must not start the numbers over: the business day only
 * moves forward. */
static void
test_apply_clock_steps_back (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (GDateTime) today = g_date_time_new_now_local ();
  g_autoptr (TrTicket) first = NULL;
  g_autoptr (TrTicket) second = NULL;
  g_autoptr (TrTicket) stale = NULL;
  g_autoptr (TrTicket) back = NULL;
  g_autoptr (TrTicket) tomorrow = NULL;
  gint64 now;

  tr_store_set_clock (store, fake_clock, &now);

  now = local_ms (today, 0, 10); /* day D, 10:00 */
  first = host_create (store, 1);
  second = host_create (store, 1);
  g_assert_cmpint (first->number, ==, 1001);
  g_assert_cmpint (second->number, ==, 1002);

  now = local_ms (today, -2, 10); /* the clock steps back to D-2 */
  stale = host_create (store, 1);
  assert_open_numbers_unique (store);
  g_assert_cmpint (stale->number, ==, 1003);

  now = local_ms (today, 0, 11); /* and forward again, D 11:00 */
  back = host_create (store, 1);
  assert_open_numbers_unique (store);
  g_assert_cmpint (back->number, ==, 1004);

  /* A real new day still starts over, and it survives a reopen. */
  now = local_ms (today, 1, 10);
  tomorrow = host_create (store, 1);
  g_assert_cmpint (tomorrow->number, ==, 1001);
  g_clear_object (&store);
  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  tr_store_set_clock (store, fake_clock, &now);
  now = local_ms (today, -1, 10);
  g_clear_pointer (&stale, tr_ticket_free);
  stale = host_create (store, 1);
  g_assert_cmpint (stale->number, ==, 1002);
  g_clear_object (&store);
}

static void
test_apply_duplicate (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) ticket = make_ticket (2);
  g_autoptr (TrOp) op = tr_op_new_create_ticket (STATION, ticket);
  g_autoptr (TrOp) bump = NULL;
  g_autoptr (TrOutcome) first = apply (store, op);
  g_autoptr (TrOutcome) again = apply (store, op);
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  TrOutcome *o;

  g_assert_cmpint (first->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (again->result, ==, TR_APPLY_DUPLICATE);
  g_assert_cmpint (again->original, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (again->seq, ==, 1);
  g_assert_null (again->event);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 1);

  events = tr_store_read_events (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);

  /* Twice in one batch: the second sees the first. */
  bump = tr_op_new_set_item_status (STATION, ticket->id, item_id (ticket, 0),
                                    TR_ITEM_STATUS_PREPARING);
  g_ptr_array_add (batch, bump);
  g_ptr_array_add (batch, bump);
  outcomes = tr_store_apply_ops (store, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, ==, 2);
  o = g_ptr_array_index (outcomes, 0);
  g_assert_cmpint (o->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (o->seq, ==, 2);
  o = g_ptr_array_index (outcomes, 1);
  g_assert_cmpint (o->result, ==, TR_APPLY_DUPLICATE);
  g_assert_cmpint (o->original, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (o->seq, ==, 2);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 2);
  g_clear_object (&store);
}

static void
test_apply_rejected (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) ticket = host_create (store, 1);
  g_autoptr (TrOp) unknown
    = tr_op_new_set_ticket_status (STATION, "no-such-ticket", TR_TICKET_STATUS_READY);
  g_autoptr (TrOp) illegal
    = tr_op_new_set_item_status (STATION, ticket->id, item_id (ticket, 0), TR_ITEM_STATUS_PENDING);
  g_autoptr (TrOutcome) rejected = apply (store, unknown);
  g_autoptr (TrOutcome) replay = apply (store, unknown);
  g_autoptr (TrOutcome) rejected2 = apply (store, illegal);
  g_autoptr (TrOutcome) replay2 = NULL;
  g_autofree char *result = NULL;
  g_autofree char *sql = NULL;

  g_assert_cmpint (rejected->result, ==, TR_APPLY_REJECTED);
  g_assert_cmpstr (rejected->error_code, ==, "unknown_ticket");
  g_assert_nonnull (rejected->error_message);
  g_assert_cmpint (rejected->seq, ==, 0);
  g_assert_null (rejected->event);

  g_assert_cmpint (replay->result, ==, TR_APPLY_DUPLICATE);
  g_assert_cmpint (replay->original, ==, TR_APPLY_REJECTED);
  g_assert_cmpstr (replay->error_code, ==, "unknown_ticket");
  g_assert_cmpstr (replay->error_message, ==, rejected->error_message);
  g_assert_cmpint (replay->seq, ==, 0);

  g_assert_cmpint (rejected2->result, ==, TR_APPLY_REJECTED);
  g_assert_cmpstr (rejected2->error_code, ==, "illegal_transition");
  /* Rejections use no seq. */
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 1);

  sql = g_strdup_printf ("SELECT result FROM applied_ops WHERE op_id = '%s'", unknown->op_id);
  result = raw_text (tr_store_get_sqlite (store), sql);
  g_assert_cmpstr (result, ==, "rejected");
  g_clear_object (&store);

  /* The answer survives a restart. */
  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  replay2 = apply (store, illegal);
  g_assert_cmpint (replay2->result, ==, TR_APPLY_DUPLICATE);
  g_assert_cmpint (replay2->original, ==, TR_APPLY_REJECTED);
  g_assert_cmpstr (replay2->error_code, ==, "illegal_transition");
  g_clear_object (&store);
}

static int
count_commit (void *data)
{
  (*(guint *)data)++;
  return 0;
}

typedef struct
{
  GPtrArray *ids;
  char *path;
  gboolean all_committed;
} SignalLog;

static void
on_ticket_changed (TrStore *store, const char *ticket_id, SignalLog *log)
{
  g_autofree char *sql
    = g_strdup_printf ("SELECT COUNT(*) FROM tickets WHERE id = '%s'", ticket_id);
  /* Another connection sees only committed data. */
  sqlite3 *db = raw_open (log->path);

  if (raw_int (db, sql) != 1)
    log->all_committed = FALSE;
  sqlite3_close (db);
  g_ptr_array_add (log->ids, g_strdup (ticket_id));
}

static void
test_apply_batch (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  SignalLog log = { g_ptr_array_new_with_free_func (g_free), fixture->path, TRUE };
  guint n_commits = 0;

  for (guint t = 0; t < 10; t++)
    {
      TrTicket *ticket = make_ticket (4);

      g_ptr_array_add (tickets, ticket);
      g_ptr_array_add (ops, tr_op_new_create_ticket (STATION, ticket));
      for (guint i = 0; i < 4; i++)
        g_ptr_array_add (ops, tr_op_new_set_item_status (STATION, ticket->id, item_id (ticket, i),
                                                         TR_ITEM_STATUS_PREPARING));
    }
  g_assert_cmpuint (ops->len, ==, 50);

  sqlite3_commit_hook (tr_store_get_sqlite (store), count_commit, &n_commits);
  g_signal_connect (store, "ticket-changed", G_CALLBACK (on_ticket_changed), &log);

  outcomes = tr_store_apply_ops (store, ops, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, ==, 50);
  g_assert_cmpuint (n_commits, ==, 1);
  for (guint i = 0; i < outcomes->len; i++)
    {
      const TrOutcome *o = g_ptr_array_index (outcomes, i);

      g_assert_cmpint (o->result, ==, TR_APPLY_APPLIED);
      g_assert_cmpint (o->seq, ==, (gint64)i + 1);
      g_assert_cmpint (o->event->seq, ==, (gint64)i + 1);
      g_assert_cmpstr (o->op_id, ==, ((TrOp *)g_ptr_array_index (ops, i))->op_id);
    }
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 50);
  g_assert_cmpint (raw_int (tr_store_get_sqlite (store), "SELECT COUNT(*) FROM events"), ==, 50);

  /* One signal per ticket, after the commit, in first-change order. */
  g_assert_true (log.all_committed);
  g_assert_cmpuint (log.ids->len, ==, 10);
  for (guint t = 0; t < 10; t++)
    g_assert_cmpstr (g_ptr_array_index (log.ids, t), ==,
                     ((TrTicket *)g_ptr_array_index (tickets, t))->id);

  sqlite3_commit_hook (tr_store_get_sqlite (store), NULL, NULL);
  g_signal_handlers_disconnect_by_data (store, &log);
  g_ptr_array_unref (log.ids);
  g_clear_object (&store);
}

static void
test_apply_rollback (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) existing = host_create (store, 2);
  g_autoptr (TrTicket) fresh = make_ticket (2);
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) after = NULL;
  SignalLog log = { g_ptr_array_new_with_free_func (g_free), fixture->path, TRUE };
  sqlite3 *db = tr_store_get_sqlite (store);

  g_ptr_array_add (ops, tr_op_new_set_item_status (STATION, existing->id, item_id (existing, 0),
                                                   TR_ITEM_STATUS_READY));
  g_ptr_array_add (ops, tr_op_new_create_ticket (STATION, fresh));
  g_ptr_array_add (ops, tr_op_new_set_ticket_status (STATION, fresh->id, TR_TICKET_STATUS_READY));

  /* The third event fails to insert, after the first two were written. */
  raw_exec (db, "CREATE TEMP TRIGGER fail_third BEFORE INSERT ON main.events"
                " WHEN new.seq = 4 BEGIN SELECT RAISE (ABORT, 'disk on fire'); END");
  g_signal_connect (store, "ticket-changed", G_CALLBACK (on_ticket_changed), &log);

  outcomes = tr_store_apply_ops (store, ops, &error);
  g_assert_error (error, TR_ERROR, TR_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "disk on fire"));
  g_assert_null (outcomes);
  g_clear_error (&error);
  g_assert_cmpuint (log.ids->len, ==, 0);

  /* Nothing stayed, neither in the file nor in memory. */
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM events"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM op_results"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM tickets"), ==, 1);
  /* The timings are written in the same transaction. */
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM ticket_timings"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM item_timings WHERE ready_at > 0"), ==, 0);
  g_assert_null (tr_store_get_ticket (store, fresh->id, &error));
  g_assert_no_error (error);
  after = tr_store_get_ticket (store, existing->id, &error);
  g_assert_no_error (error);
  g_assert_true (tr_ticket_equal (after, existing));
  g_assert_cmpint (item_status (after, 0), ==, TR_ITEM_STATUS_PENDING);

  raw_exec (db, "DROP TRIGGER temp.fail_third");
  outcomes = tr_store_apply_ops (store, ops, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((TrOutcome *)g_ptr_array_index (outcomes, 1))->event->ticket->number, ==, 1002);
  g_assert_cmpint (((TrOutcome *)g_ptr_array_index (outcomes, 2))->seq, ==, 4);
  g_assert_cmpuint (log.ids->len, ==, 2);

  g_signal_handlers_disconnect_by_data (store, &log);
  g_ptr_array_unref (log.ids);
  g_clear_object (&store);
}

/* Denies every read of the meta table, as a disk that fails (EIO) would
 * fail the store's reading it back. */
static int
deny_meta_reads (void *data, int action, const char *table, const char *column,
                 const char *database, const char *trigger)
{
  if (action == SQLITE_READ && g_strcmp0 (table, "meta") == 0)
    return SQLITE_DENY;
  return SQLITE_OK;
}

/* A failed batch puts back the head, the ticket number and the business
 * day it found, from memory: reading them back from meta can fail too
 * (the same disk), and then the next batch would leave a hole in seq and
 * number tickets on a day that was never committed. */
static void
test_apply_rollback_unreadable (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (GDateTime) today = g_date_time_new_now_local ();
  g_autoptr (TrTicket) first = NULL;
  g_autoptr (TrTicket) second = NULL;
  g_autoptr (TrTicket) third = make_ticket (1);
  g_autoptr (TrTicket) fourth = make_ticket (1);
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3 *db = tr_store_get_sqlite (store);
  gint64 now;

  tr_store_set_clock (store, fake_clock, &now);
  now = local_ms (today, 0, 10);
  first = host_create (store, 1);
  g_assert_cmpint (first->number, ==, 1001);

  /* The next day's first batch fails on its second event... */
  now = local_ms (today, 1, 10);
  g_ptr_array_add (ops, tr_op_new_create_ticket (STATION, third));
  g_ptr_array_add (ops, tr_op_new_create_ticket (STATION, fourth));
  raw_exec (db, "CREATE TEMP TRIGGER fail_second BEFORE INSERT ON main.events"
                " WHEN new.seq = 3 BEGIN SELECT RAISE (ABORT, 'disk on fire'); END");
  /* ...and meta cannot be read back either. */
  sqlite3_set_authorizer (db, deny_meta_reads, NULL);
  outcomes = tr_store_apply_ops (store, ops, &error);
  sqlite3_set_authorizer (db, NULL, NULL);
  g_assert_error (error, TR_ERROR, TR_ERROR_STORE);
  g_assert_null (outcomes);
  g_clear_error (&error);
  raw_exec (db, "DROP TRIGGER temp.fail_second");
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 1);

  /* The next op follows the log with no hole, first of its day. */
  second = host_create (store, 1);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT MAX(seq) FROM events"), ==, 2);
  g_assert_cmpint (second->number, ==, 1001);
  g_clear_object (&store);

  /* And so does the file. */
  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 2);
  g_clear_object (&store);
}

static void
test_events_read_prune (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) ticket = make_ticket (1);
  g_autoptr (TrOp) create = tr_op_new_create_ticket (STATION, ticket);
  g_autoptr (TrOutcome) created = apply (store, create);
  g_autoptr (TrOutcome) replay = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GError) error = NULL;

  for (guint i = 1; i < 20; i++)
    {
      g_autoptr (TrTicket) other = host_create (store, 1);
    }
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 20);

  events = tr_store_read_events (store, 5, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 15);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (((TrEvent *)g_ptr_array_index (events, i))->seq, ==, (gint64)i + 6);
  g_clear_pointer (&events, g_ptr_array_unref);

  events = tr_store_read_events (store, 5, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_cmpint (((TrEvent *)g_ptr_array_index (events, 3))->seq, ==, 9);
  g_clear_pointer (&events, g_ptr_array_unref);

  events = tr_store_read_events (store, 0, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_true (
    tr_ticket_equal (((TrEvent *)g_ptr_array_index (events, 0))->ticket, created->event->ticket));
  g_assert_cmpstr (((TrEvent *)g_ptr_array_index (events, 0))->op_id, ==, create->op_id);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* An applied op is recorded by its event alone, until it is pruned. */
  g_assert_cmpint (raw_int (tr_store_get_sqlite (store), "SELECT COUNT(*) FROM applied_ops"), ==,
                   0);
  g_assert_cmpint (raw_int (tr_store_get_sqlite (store), "SELECT COUNT(*) FROM op_results"), ==,
                   20);

  g_assert_true (tr_store_prune_events (store, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (tr_store_get_sqlite (store), "SELECT COUNT(*) FROM applied_ops"), ==,
                   15);
  g_assert_cmpint (
    raw_int (tr_store_get_sqlite (store), "SELECT COUNT(DISTINCT op_id) FROM op_results"), ==, 20);
  g_assert_cmpint (raw_int (tr_store_get_sqlite (store), "SELECT COUNT(*) FROM op_results"), ==,
                   20);
  g_assert_cmpint (tr_store_get_tail_seq (store), ==, 16);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 20);
  events = tr_store_read_events (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 5);
  g_assert_cmpint (((TrEvent *)g_ptr_array_index (events, 0))->seq, ==, 16);
  g_clear_pointer (&events, g_ptr_array_unref);

  g_assert_true (tr_store_prune_events (store, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tr_store_get_tail_seq (store), ==, 21);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 20);
  g_clear_object (&store);

  /* The head survives an empty log and a restart, and a pruned op is
   * still known. */
  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 20);
  g_assert_cmpint (tr_store_get_tail_seq (store), ==, 21);
  replay = apply (store, create);
  g_assert_cmpint (replay->result, ==, TR_APPLY_DUPLICATE);
  g_assert_cmpint (replay->seq, ==, 1);
  {
    g_autoptr (TrTicket) next = host_create (store, 1);

    g_assert_cmpint (tr_store_get_head_seq (store), ==, 21);
    g_assert_cmpint (tr_store_get_tail_seq (store), ==, 21);
  }
  g_clear_object (&store);
}

static int
compare_created (gconstpointer a, gconstpointer b)
{
  const TrTicket *ta = *(const TrTicket *const *)a;
  const TrTicket *tb = *(const TrTicket *const *)b;

  if (ta->created_at != tb->created_at)
    return ta->created_at < tb->created_at ? -1 : 1;
  return strcmp (ta->id, tb->id);
}

static void
test_list_tickets (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) open = NULL;
  g_autoptr (GError) error = NULL;
  gint64 seq = -1;

  for (guint i = 0; i < 6; i++)
    g_ptr_array_add (created, host_create (store, 2));
  g_ptr_array_sort (created, compare_created);

  /* Serve #0 (new → ready → served), cancel #1, start #2. */
  {
    const TrTicket *t0 = g_ptr_array_index (created, 0);
    const TrTicket *t1 = g_ptr_array_index (created, 1);
    const TrTicket *t2 = g_ptr_array_index (created, 2);
    g_autoptr (TrOp) ready = tr_op_new_set_ticket_status (STATION, t0->id, TR_TICKET_STATUS_READY);
    g_autoptr (TrOp) served
      = tr_op_new_set_ticket_status (STATION, t0->id, TR_TICKET_STATUS_SERVED);
    g_autoptr (TrOp) cancel
      = tr_op_new_set_ticket_status (STATION, t1->id, TR_TICKET_STATUS_CANCELLED);
    g_autoptr (TrOutcome) o1 = apply (store, ready);
    g_autoptr (TrOutcome) o2 = apply (store, served);
    g_autoptr (TrOutcome) o3 = apply (store, cancel);
    g_autoptr (TrOutcome) o4 = host_bump_item (store, t2, 1, TR_ITEM_STATUS_PREPARING);

    g_assert_cmpint (o2->result, ==, TR_APPLY_APPLIED);
    g_assert_cmpint (o3->result, ==, TR_APPLY_APPLIED);
    g_assert_cmpint (o4->result, ==, TR_APPLY_APPLIED);
  }
  g_clear_object (&store);

  /* From the file, then from the warm cache: the same. */
  for (guint round = 0; round < 2; round++)
    {
      if (round == 0)
        store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);

      all = tr_store_list_tickets (store, FALSE, &seq, &error);
      g_assert_no_error (error);
      g_assert_cmpint (seq, ==, 10);
      g_assert_cmpuint (all->len, ==, 6);
      for (guint i = 0; i < all->len; i++)
        g_assert_cmpstr (((TrTicket *)g_ptr_array_index (all, i))->id, ==,
                         ((TrTicket *)g_ptr_array_index (created, i))->id);
      g_assert_cmpint (((TrTicket *)g_ptr_array_index (all, 0))->status, ==,
                       TR_TICKET_STATUS_SERVED);
      g_assert_cmpint (((TrTicket *)g_ptr_array_index (all, 1))->status, ==,
                       TR_TICKET_STATUS_CANCELLED);
      g_assert_cmpint (((TrTicket *)g_ptr_array_index (all, 2))->status, ==,
                       TR_TICKET_STATUS_PREPARING);

      open = tr_store_list_tickets (store, TRUE, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (open->len, ==, 4);
      for (guint i = 0; i < open->len; i++)
        {
          g_assert_true (tr_ticket_is_open (g_ptr_array_index (open, i)));
          g_assert_cmpstr (((TrTicket *)g_ptr_array_index (open, i))->id, ==,
                           ((TrTicket *)g_ptr_array_index (created, i + 2))->id);
        }
      g_clear_pointer (&all, g_ptr_array_unref);
      g_clear_pointer (&open, g_ptr_array_unref);

      /* Recent: the open ones, and the closed ones changed since then
       * (what a recall list reads): all six since the epoch, the four
       * open ones only since a time to come. */
      all = tr_store_list_recent_tickets (store, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (all->len, ==, 6);
      open = tr_store_list_recent_tickets (store, G_MAXINT64, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (open->len, ==, 4);
      for (guint i = 0; i < open->len; i++)
        g_assert_true (tr_ticket_is_open (g_ptr_array_index (open, i)));
      g_clear_pointer (&all, g_ptr_array_unref);
      g_clear_pointer (&open, g_ptr_array_unref);
    }
  g_clear_object (&store);
}

static char *
item_row (sqlite3 *db, const char *ticket_id, const char *id)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT position || '|' || name || '|' || quantity || '|' || IFNULL (station, '-') || '|' || "
    "status FROM items WHERE ticket_id = '%s' AND item_id = '%s'",
    ticket_id, id);

  return raw_text (db, sql);
}

static void
test_items_table (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) ticket = host_create (store, 4);
  g_autoptr (TrOp) amend = tr_op_new_amend_ticket (STATION, ticket->id);
  g_autoptr (TrOutcome) o1 = NULL;
  g_autoptr (TrOutcome) o2 = NULL;
  g_autoptr (TrOutcome) o3 = NULL;
  g_autoptr (TrOutcome) o4 = NULL;
  TrAmendment *amendment;
  TrItem *added = tr_item_new ();
  sqlite3 *db = tr_store_get_sqlite (store);
  char *row;

  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM items"), ==, 4);
  row = item_row (db, ticket->id, item_id (ticket, 2));
  g_assert_cmpstr (row, ==, "2|Dish 2|3|-|pending");
  g_free (row);

  /* Count the item rows each write touches. */
  raw_exec (db, "CREATE TEMP TABLE item_writes (item_id TEXT);"
                "CREATE TEMP TRIGGER count_insert AFTER INSERT ON main.items"
                " BEGIN INSERT INTO item_writes VALUES (new.item_id); END;"
                "CREATE TEMP TRIGGER count_update AFTER UPDATE ON main.items"
                " BEGIN INSERT INTO item_writes VALUES (new.item_id); END;");

  o1 = host_bump_item (store, ticket, 0, TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (o1->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM item_writes"), ==, 1);
  o2 = host_bump_item (store, ticket, 1, TR_ITEM_STATUS_READY);
  o3 = host_bump_item (store, ticket, 3, TR_ITEM_STATUS_VOIDED);
  g_assert_cmpint (o3->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM item_writes"), ==, 3);

  added->id = tr_uuid_new ();
  added->name = g_strdup ("Fries");
  added->quantity = 2;
  added->station = g_strdup ("fry");
  amendment = tr_amendment_new (TR_AMEND_ADD_ITEM);
  amendment->item = added;
  g_ptr_array_add (amend->amendments, amendment);
  amendment = tr_amendment_new (TR_AMEND_SET_QUANTITY);
  amendment->item_id = g_strdup (item_id (ticket, 2));
  amendment->quantity = 7;
  g_ptr_array_add (amend->amendments, amendment);
  o4 = apply (store, amend);
  g_assert_cmpint (o4->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM item_writes"), ==, 5);

  row = item_row (db, ticket->id, item_id (ticket, 0));
  g_assert_cmpstr (row, ==, "0|Dish 0|1|grill|preparing");
  g_free (row);
  row = item_row (db, ticket->id, item_id (ticket, 1));
  g_assert_cmpstr (row, ==, "1|Dish 1|2|fry|ready");
  g_free (row);
  row = item_row (db, ticket->id, item_id (ticket, 2));
  g_assert_cmpstr (row, ==, "2|Dish 2|7|-|pending");
  g_free (row);
  row = item_row (db, ticket->id, item_id (ticket, 3));
  g_assert_cmpstr (row, ==, "3|Dish 3|4|cold|voided");
  g_free (row);
  row = item_row (db, ticket->id, added->id);
  g_assert_cmpstr (row, ==, "4|Fries|2|fry|pending");
  g_free (row);

  /* The all-day count a kitchen asks for. */
  g_assert_cmpint (raw_int (db, "SELECT SUM(quantity) FROM items WHERE station = 'fry'"
                                " AND status NOT IN ('voided', 'served')"),
                   ==, 4);
  g_clear_object (&store);
}

/* ---- station ---- */

typedef struct
{
  TrStore *host;
  TrStore *station;
} Pair;

static void
pair_open (Pair *pair, Fixture *fixture)
{
  g_autofree char *host_path = g_build_filename (fixture->dir, "host.db", NULL);

  pair->host = open_store (host_path, TR_STORE_DURABILITY_FULL);
  pair->station = open_store (fixture->path, TR_STORE_DURABILITY_NORMAL);
}

static void
pair_close (Pair *pair)
{
  g_clear_object (&pair->host);
  g_clear_object (&pair->station);
}

/* Gives the station the host's current state. */
static void
pair_sync_snapshot (Pair *pair)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  gint64 seq = 0;

  tickets = tr_store_list_tickets (pair->host, FALSE, &seq, &error);
  g_assert_no_error (error);
  g_assert_true (
    tr_store_apply_snapshot (pair->station, tr_store_get_db_id (pair->host), seq, tickets, &error));
  g_assert_no_error (error);
}

/* Sends the station's outbox to the host and the resulting events back. */
static void
pair_sync_ops (Pair *pair)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = tr_store_outbox_list (pair->station, &error);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GPtrArray) events = NULL;

  g_assert_no_error (error);
  outcomes = tr_store_apply_ops (pair->host, ops, &error);
  g_assert_no_error (error);
  events = tr_store_read_events (pair->host, tr_store_get_last_seq (pair->station), 0, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_apply_events (pair->station, events, &error));
  g_assert_no_error (error);
}

static TrTicket *
get_ticket (TrStore *store, const char *id)
{
  g_autoptr (GError) error = NULL;
  TrTicket *ticket = tr_store_get_ticket (store, id, &error);

  g_assert_no_error (error);
  return ticket;
}

static void
enqueue (TrStore *store, const TrOp *op)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_store_enqueue_op (store, op, &error));
  g_assert_no_error (error);
}

static char *
confirmed_json (TrStore *store, const char *ticket_id)
{
  g_autofree char *sql
    = g_strdup_printf ("SELECT confirmed FROM tickets WHERE id = '%s'", ticket_id);

  return raw_text (tr_store_get_sqlite (store), sql);
}

static void
test_station_enqueue (Fixture *fixture, gconstpointer data)
{
  Pair pair;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrTicket) visible = NULL;
  g_autoptr (TrTicket) unchanged = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autoptr (TrOp) illegal = NULL;
  g_autoptr (TrOp) note = NULL;
  g_autoptr (GPtrArray) outbox = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *confirmed = NULL;
  TrAmendment *amendment;
  g_autofree char *host_json = NULL;
  SignalLog log = { g_ptr_array_new_with_free_func (g_free), fixture->path, TRUE };

  pair_open (&pair, fixture);
  ticket = host_create (pair.host, 3);
  pair_sync_snapshot (&pair);
  g_assert_cmpstr (tr_store_get_host_id (pair.station), ==, tr_store_get_db_id (pair.host));
  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 1);
  visible = get_ticket (pair.station, ticket->id);
  g_assert_true (tr_ticket_equal (visible, ticket));
  g_clear_pointer (&visible, tr_ticket_free);

  g_signal_connect (pair.station, "ticket-changed", G_CALLBACK (on_ticket_changed), &log);
  bump = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, 1),
                                    TR_ITEM_STATUS_PREPARING);
  enqueue (pair.station, bump);
  g_assert_cmpuint (log.ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (log.ids, 0), ==, ticket->id);
  g_assert_true (log.all_committed);

  visible = get_ticket (pair.station, ticket->id);
  g_assert_cmpint (item_status (visible, 1), ==, TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (visible->status, ==, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (visible->version, ==, ticket->version + 1);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 1);
  outbox = tr_store_outbox_list (pair.station, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpstr (((TrOp *)g_ptr_array_index (outbox, 0))->op_id, ==, bump->op_id);

  /* The host's version is kept apart from the optimistic one. */
  confirmed = confirmed_json (pair.station, ticket->id);
  host_json = tr_ticket_to_string (ticket);
  g_assert_cmpstr (confirmed, ==, host_json);

  /* An op that does not apply locally writes nothing. */
  illegal
    = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, 0), TR_ITEM_STATUS_SERVED);
  g_assert_false (tr_store_enqueue_op (pair.station, illegal, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
  g_clear_error (&error);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 1);
  unchanged = get_ticket (pair.station, ticket->id);
  g_assert_true (tr_ticket_equal (unchanged, visible));
  g_assert_cmpuint (log.ids->len, ==, 1);

  /* The same op twice cannot sit in the outbox; the second attempt's
   * ticket write is rolled back with it. */
  note = tr_op_new_amend_ticket ("kitchen", ticket->id);
  amendment = tr_amendment_new (TR_AMEND_SET_NOTE);
  amendment->text = g_strdup ("no onions");
  g_ptr_array_add (note->amendments, amendment);
  enqueue (pair.station, note);
  g_clear_pointer (&visible, tr_ticket_free);
  visible = get_ticket (pair.station, ticket->id);
  g_assert_cmpstr (visible->note, ==, "no onions");
  g_assert_false (tr_store_enqueue_op (pair.station, note, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_STORE);
  g_clear_error (&error);
  g_clear_pointer (&unchanged, tr_ticket_free);
  unchanged = get_ticket (pair.station, ticket->id);
  g_assert_true (tr_ticket_equal (unchanged, visible));
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 2);

  g_signal_handlers_disconnect_by_data (pair.station, &log);
  g_ptr_array_unref (log.ids);
  pair_close (&pair);
}

static void
test_station_apply_events (Fixture *fixture, gconstpointer data)
{
  Pair pair;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrTicket) visible = NULL;
  g_autoptr (TrTicket) confirmed = NULL;
  g_autoptr (TrTicket) host_view = NULL;
  g_autoptr (TrOp) first = NULL;
  g_autoptr (TrOp) second = NULL;
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GPtrArray) outbox = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *confirmed_text = NULL;

  pair_open (&pair, fixture);
  ticket = host_create (pair.host, 3);
  pair_sync_snapshot (&pair);

  first = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, 0),
                                     TR_ITEM_STATUS_PREPARING);
  second = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, 1),
                                      TR_ITEM_STATUS_PREPARING);
  enqueue (pair.station, first);
  enqueue (pair.station, second);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 2);

  /* Only the first reaches the host before its event comes back. */
  g_ptr_array_add (batch, first);
  outcomes = tr_store_apply_ops (pair.host, batch, &error);
  g_assert_no_error (error);
  events = tr_store_read_events (pair.host, 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_true (tr_store_apply_events (pair.station, events, &error));
  g_assert_no_error (error);

  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 2);
  outbox = tr_store_outbox_list (pair.station, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpstr (((TrOp *)g_ptr_array_index (outbox, 0))->op_id, ==, second->op_id);

  /* Confirmed is the host's; visible still shows the pending second op. */
  host_view = get_ticket (pair.host, ticket->id);
  confirmed_text = confirmed_json (pair.station, ticket->id);
  confirmed = tr_ticket_from_string (confirmed_text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (tr_ticket_equal (confirmed, host_view));
  g_assert_cmpint (item_status (confirmed, 1), ==, TR_ITEM_STATUS_PENDING);
  visible = get_ticket (pair.station, ticket->id);
  g_assert_cmpint (item_status (visible, 0), ==, TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (item_status (visible, 1), ==, TR_ITEM_STATUS_PREPARING);
  g_assert_cmpint (visible->version, ==, host_view->version + 1);

  /* An event at or below last_seq is skipped. */
  g_assert_true (tr_store_apply_events (pair.station, events, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 2);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 1);

  /* Once everything round-trips, visible equals the host's ticket. */
  pair_sync_ops (&pair);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 0);
  g_clear_pointer (&visible, tr_ticket_free);
  g_clear_pointer (&host_view, tr_ticket_free);
  visible = get_ticket (pair.station, ticket->id);
  host_view = get_ticket (pair.host, ticket->id);
  g_assert_true (tr_ticket_equal (visible, host_view));
  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 3);
  g_clear_pointer (&visible, tr_ticket_free);
  pair_close (&pair);

  /* And so after a restart. */
  pair_open (&pair, fixture);
  visible = get_ticket (pair.station, ticket->id);
  g_assert_true (tr_ticket_equal (visible, host_view));
  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 3);
  pair_close (&pair);
}

static void
test_station_gap (Fixture *fixture, gconstpointer data)
{
  Pair pair;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrTicket) before = NULL;
  g_autoptr (TrTicket) after = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GPtrArray) gapped = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOp) pending = NULL;
  g_autofree char *sum_before = NULL;
  g_autofree char *sum_after = NULL;
  sqlite3 *db;

  pair_open (&pair, fixture);
  ticket = host_create (pair.host, 2);
  pair_sync_snapshot (&pair);
  pending = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, 0),
                                       TR_ITEM_STATUS_PREPARING);
  enqueue (pair.station, pending);
  {
    g_autoptr (TrOutcome) o1 = apply (pair.host, pending);
    g_autoptr (TrOutcome) o2 = host_bump_item (pair.host, ticket, 1, TR_ITEM_STATUS_READY);
    g_autoptr (TrTicket) other = host_create (pair.host, 1);
  }
  events = tr_store_read_events (pair.host, 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);

  /* seq 2 then seq 4: the good first one must not be written either. */
  g_ptr_array_add (gapped, g_ptr_array_index (events, 0));
  g_ptr_array_add (gapped, g_ptr_array_index (events, 2));
  before = get_ticket (pair.station, ticket->id);
  db = tr_store_get_sqlite (pair.station);
  sum_before = raw_text (db, "SELECT group_concat (id || data || IFNULL (confirmed, ''), ';')"
                             " FROM tickets");

  g_assert_false (tr_store_apply_events (pair.station, gapped, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT value FROM meta WHERE key = 'last_seq'"), ==, 1);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 1);
  after = get_ticket (pair.station, ticket->id);
  g_assert_true (tr_ticket_equal (before, after));
  sum_after = raw_text (db, "SELECT group_concat (id || data || IFNULL (confirmed, ''), ';')"
                            " FROM tickets");
  g_assert_cmpstr (sum_before, ==, sum_after);

  /* The whole run applies. */
  g_assert_true (tr_store_apply_events (pair.station, events, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 4);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 0);
  pair_close (&pair);
}

static void
test_station_snapshot (Fixture *fixture, gconstpointer data)
{
  Pair pair;
  g_autoptr (TrTicket) kept = NULL;
  g_autoptr (TrTicket) dropped = NULL;
  g_autoptr (TrTicket) local = make_ticket (2);
  g_autoptr (TrTicket) visible = NULL;
  g_autoptr (TrOp) local_create = NULL;
  g_autoptr (TrOp) pending = NULL;
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *confirmed = NULL;
  SignalLog log = { g_ptr_array_new_with_free_func (g_free), fixture->path, TRUE };
  sqlite3 *db;

  pair_open (&pair, fixture);
  kept = host_create (pair.host, 2);
  dropped = host_create (pair.host, 3);
  pair_sync_snapshot (&pair);
  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 2);

  local_create = tr_op_new_create_ticket ("kitchen", local);
  enqueue (pair.station, local_create);
  pending
    = tr_op_new_set_item_status ("kitchen", kept->id, item_id (kept, 0), TR_ITEM_STATUS_READY);
  enqueue (pair.station, pending);

  /* A new host that knows only a changed version of one ticket. */
  {
    TrTicket *changed = tr_ticket_copy (kept);

    g_free (changed->table);
    changed->table = g_strdup ("40");
    changed->version = 7;
    g_ptr_array_add (tickets, changed);
  }
  g_signal_connect (pair.station, "ticket-changed", G_CALLBACK (on_ticket_changed), &log);
  g_assert_true (tr_store_apply_snapshot (pair.station, "other-host", 77, tickets, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (tr_store_get_host_id (pair.station), ==, "other-host");
  g_assert_cmpint (tr_store_get_last_seq (pair.station), ==, 77);

  /* The snapshot's ticket, with the pending op rebased on top. */
  visible = get_ticket (pair.station, kept->id);
  g_assert_cmpstr (visible->table, ==, "40");
  g_assert_cmpint (visible->version, ==, 8);
  g_assert_cmpint (item_status (visible, 0), ==, TR_ITEM_STATUS_READY);
  g_clear_pointer (&visible, tr_ticket_free);

  /* The local-only ticket stays, with no confirmed state. */
  visible = get_ticket (pair.station, local->id);
  g_assert_nonnull (visible);
  sql = g_strdup_printf ("SELECT COUNT(*) FROM tickets WHERE id = '%s' AND confirmed IS NULL",
                         local->id);
  db = tr_store_get_sqlite (pair.station);
  g_assert_cmpint (raw_int (db, sql), ==, 1);
  g_clear_pointer (&visible, tr_ticket_free);

  /* The one the host forgot, with nothing pending, is gone with its items. */
  g_assert_null (tr_store_get_ticket (pair.station, dropped->id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT COUNT(*) FROM items WHERE ticket_id = '%s'", dropped->id);
  g_assert_cmpint (raw_int (db, sql), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM tickets"), ==, 2);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 2);

  confirmed = confirmed_json (pair.station, kept->id);
  g_assert_nonnull (strstr (confirmed, "\"40\""));

  /* kept changed and dropped vanished. (The local ticket may be
   * announced too: its rebase replays the create at the op's own time.) */
  g_assert_cmpuint (log.ids->len, >=, 2);
  g_assert_cmpstr (g_ptr_array_index (log.ids, 0), ==, kept->id);
  g_assert_cmpstr (g_ptr_array_index (log.ids, 1), ==, dropped->id);

  g_signal_handlers_disconnect_by_data (pair.station, &log);
  g_ptr_array_unref (log.ids);
  pair_close (&pair);
}

static void
test_station_rejected (Fixture *fixture, gconstpointer data)
{
  Pair pair;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrTicket) visible = NULL;
  g_autoptr (TrTicket) local = make_ticket (1);
  g_autoptr (TrOp) doomed = NULL;
  g_autoptr (TrOp) later = NULL;
  g_autoptr (TrOp) local_create = NULL;
  g_autoptr (GError) error = NULL;
  SignalLog log = { g_ptr_array_new_with_free_func (g_free), fixture->path, TRUE };

  pair_open (&pair, fixture);
  ticket = host_create (pair.host, 2);
  pair_sync_snapshot (&pair);

  doomed
    = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, 0), TR_ITEM_STATUS_READY);
  later = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, 1),
                                     TR_ITEM_STATUS_PREPARING);
  enqueue (pair.station, doomed);
  enqueue (pair.station, later);

  g_signal_connect (pair.station, "ticket-changed", G_CALLBACK (on_ticket_changed), &log);
  g_assert_true (tr_store_outbox_remove (pair.station, doomed->op_id, TRUE, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.ids->len, ==, 1);

  /* The rejected change is gone, the later one still shows. */
  visible = get_ticket (pair.station, ticket->id);
  g_assert_cmpint (item_status (visible, 0), ==, TR_ITEM_STATUS_PENDING);
  g_assert_cmpint (item_status (visible, 1), ==, TR_ITEM_STATUS_PREPARING);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 1);
  g_clear_pointer (&visible, tr_ticket_free);

  g_assert_true (tr_store_outbox_remove (pair.station, later->op_id, TRUE, 0, &error));
  g_assert_no_error (error);
  visible = get_ticket (pair.station, ticket->id);
  g_assert_true (tr_ticket_equal (visible, ticket));
  g_clear_pointer (&visible, tr_ticket_free);

  /* Unknown op ids are fine. */
  g_assert_true (tr_store_outbox_remove (pair.station, "never-queued", TRUE, 0, &error));
  g_assert_no_error (error);

  /* A rejected local create takes its ticket away. */
  local_create = tr_op_new_create_ticket ("kitchen", local);
  enqueue (pair.station, local_create);
  visible = get_ticket (pair.station, local->id);
  g_assert_nonnull (visible);
  g_clear_pointer (&visible, tr_ticket_free);
  g_assert_true (tr_store_outbox_remove (pair.station, local_create->op_id, TRUE, 0, &error));
  g_assert_no_error (error);
  g_assert_null (tr_store_get_ticket (pair.station, local->id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (tr_store_get_sqlite (pair.station), "SELECT COUNT(*) FROM items"), ==,
                   2);

  g_signal_handlers_disconnect_by_data (pair.station, &log);
  g_ptr_array_unref (log.ids);
  pair_close (&pair);
}

static TrOp *
note_op (const char *station, const char *ticket_id, const char *text)
{
  TrOp *op = tr_op_new_amend_ticket (station, ticket_id);
  TrAmendment *amendment = tr_amendment_new (TR_AMEND_SET_NOTE);

  amendment->text = g_strdup (text);
  g_ptr_array_add (op->amendments, amendment);
  return op;
}

/* Applies the station's outbox on the host without telling the station:
 * the events frame that carried it was lost or failed to apply. Returns
 * the seq of the last op's event. */
static gint64
pair_host_takes_outbox (Pair *pair)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = tr_store_outbox_list (pair->station, &error);
  g_autoptr (GPtrArray) outcomes = NULL;
  const TrOutcome *last;

  g_assert_no_error (error);
  outcomes = tr_store_apply_ops (pair->host, ops, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, >, 0);
  last = g_ptr_array_index (outcomes, outcomes->len - 1);
  g_assert_cmpint (last->result, ==, TR_APPLY_APPLIED);
  return last->seq;
}

static void
assert_station_matches_host (Pair *pair, const char *ticket_id)
{
  g_autoptr (TrTicket) on_host = get_ticket (pair->host, ticket_id);
  g_autoptr (TrTicket) on_station = get_ticket (pair->station, ticket_id);
  g_autofree char *host_json = tr_ticket_to_string (on_host);
  g_autofree char *station_json = tr_ticket_to_string (on_station);

  g_assert_cmpstr (station_json, ==, host_json);
}

/* Issue 18, scenario 1: the host applied op O, but the station never took
 * the events frame that carried it (an apply that failed, a long
 * absence) and syncs by snapshot instead. The snapshot already holds O,
 * under a later edit from another station; O, still pending, is replayed
 * on top, and its late ack must take that replay back. */
static void
test_station_snapshot_then_ack (Fixture *fixture, gconstpointer data)
{
  Pair pair;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrTicket) visible = NULL;
  g_autoptr (TrOp) note_a = NULL;
  g_autoptr (TrOp) note_b = NULL;
  g_autoptr (TrOp) ready = NULL;
  g_autoptr (TrOp) recall = NULL;
  g_autoptr (TrOp) note_c = NULL;
  g_autoptr (TrOutcome) outcome = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GError) error = NULL;
  gint64 seq_a, seq_ready, seq_c;

  pair_open (&pair, fixture);
  ticket = host_create (pair.host, 2);
  pair_sync_snapshot (&pair);

  note_a = note_op ("kitchen", ticket->id, "A");
  enqueue (pair.station, note_a);
  seq_a = pair_host_takes_outbox (&pair);
  note_b = note_op ("expo", ticket->id, "B");
  outcome = apply (pair.host, note_b);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  g_clear_pointer (&outcome, tr_outcome_free);

  pair_sync_snapshot (&pair);
  g_assert_cmpint (tr_store_get_last_seq (pair.station), >, seq_a);
  /* O's ack comes back (a duplicate, after the outbox replay). */
  g_assert_true (tr_store_outbox_remove (pair.station, note_a->op_id, FALSE, seq_a, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 0);
  visible = get_ticket (pair.station, ticket->id);
  g_assert_cmpstr (visible->note, ==, "B");
  assert_station_matches_host (&pair, ticket->id);
  g_clear_pointer (&visible, tr_ticket_free);

  /* The same with a recall: an item readied by O and recalled since must
   * not show as ready again. */
  ready
    = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, 0), TR_ITEM_STATUS_READY);
  enqueue (pair.station, ready);
  seq_ready = pair_host_takes_outbox (&pair);
  recall
    = tr_op_new_set_item_status ("expo", ticket->id, item_id (ticket, 0), TR_ITEM_STATUS_PREPARING);
  outcome = apply (pair.host, recall);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  pair_sync_snapshot (&pair);
  g_assert_cmpint (tr_store_get_last_seq (pair.station), >, seq_ready);
  g_assert_true (tr_store_outbox_remove (pair.station, ready->op_id, FALSE, seq_ready, &error));
  g_assert_no_error (error);
  visible = get_ticket (pair.station, ticket->id);
  g_assert_cmpint (item_status (visible, 0), ==, TR_ITEM_STATUS_PREPARING);
  assert_station_matches_host (&pair, ticket->id);
  g_clear_pointer (&visible, tr_ticket_free);

  /* An ack ahead of its event (over polling, acks and events come apart)
   * keeps the change on screen until the event confirms it. */
  note_c = note_op ("kitchen", ticket->id, "C");
  enqueue (pair.station, note_c);
  seq_c = pair_host_takes_outbox (&pair);
  g_assert_cmpint (seq_c, >, tr_store_get_last_seq (pair.station));
  g_assert_true (tr_store_outbox_remove (pair.station, note_c->op_id, FALSE, seq_c, &error));
  g_assert_no_error (error);
  visible = get_ticket (pair.station, ticket->id);
  g_assert_cmpstr (visible->note, ==, "C");
  events = tr_store_read_events (pair.host, tr_store_get_last_seq (pair.station), 0, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_apply_events (pair.station, events, &error));
  g_assert_no_error (error);
  assert_station_matches_host (&pair, ticket->id);

  pair_close (&pair);
}

static void
test_station_outbox_persists (Fixture *fixture, gconstpointer data)
{
  Pair pair;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (GPtrArray) queued = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) outbox = NULL;
  g_autoptr (GError) error = NULL;
  static const TrItemStatus steps[] = { TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_READY };

  pair_open (&pair, fixture);
  ticket = host_create (pair.host, 3);
  pair_sync_snapshot (&pair);
  for (guint i = 0; i < 3; i++)
    for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
      {
        TrOp *op = tr_op_new_set_item_status ("kitchen", ticket->id, item_id (ticket, i), steps[s]);

        enqueue (pair.station, op);
        g_ptr_array_add (queued, op);
      }
  pair_close (&pair);

  pair_open (&pair, fixture);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, queued->len);
  outbox = tr_store_outbox_list (pair.station, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, queued->len);
  for (guint i = 0; i < outbox->len; i++)
    {
      const TrOp *a = g_ptr_array_index (outbox, i);
      const TrOp *b = g_ptr_array_index (queued, i);

      g_assert_cmpstr (a->op_id, ==, b->op_id);
      g_assert_cmpint (a->item_status, ==, b->item_status);
      g_assert_cmpstr (a->item_id, ==, b->item_id);
    }

  /* Delivered in that order, they all apply on the host. */
  pair_sync_ops (&pair);
  g_assert_cmpuint (tr_store_outbox_count (pair.station), ==, 0);
  g_assert_cmpint (tr_store_get_head_seq (pair.host), ==, 7);
  {
    g_autoptr (TrTicket) host_view = get_ticket (pair.host, ticket->id);
    g_autoptr (TrTicket) visible = get_ticket (pair.station, ticket->id);

    g_assert_cmpint (host_view->status, ==, TR_TICKET_STATUS_READY);
    g_assert_true (tr_ticket_equal (visible, host_view));
  }
  pair_close (&pair);
}

static void
test_checkpoint (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autoptr (GError) error = NULL;
  GStatBuf st;

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr (TrTicket) ticket = host_create (store, 4);
    }
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);

  g_assert_true (tr_store_checkpoint (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  g_assert_cmpint (raw_int (tr_store_get_sqlite (store), "SELECT COUNT(*) FROM tickets"), ==, 20);
  g_clear_object (&store);
}

/* ---- pairing (schema 2) ---- */

static void
test_migrate_v1 (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) ticket = host_create (store, 2);
  g_autofree char *db_id = g_strdup (tr_store_get_db_id (store));
  g_autoptr (GPtrArray) paired = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3 *db;

  g_clear_object (&store);

  /* Back to what a version 1 file looks like. */
  db = raw_open (fixture->path);
  /* Before version 3 an applied op had an applied_ops row too. */
  raw_exec (db,
            "INSERT INTO applied_ops SELECT op_id, 'applied', seq, NULL, NULL, at FROM events;");
  raw_exec (db, "DROP TABLE ticket_timings; DROP TABLE item_timings; DROP TABLE station_links;"
                "DROP TABLE printers; DROP TABLE print_journal;"
                "DROP VIEW op_results; DROP TABLE paired_stations; DROP TABLE pairing_codes;"
                "DELETE FROM meta WHERE key IN ('station_token', 'station_token_host_id',"
                " 'host_fingerprint');"
                "PRAGMA user_version = 1;");
  sqlite3_close (db);

  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  db = tr_store_get_sqlite (store);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, TR_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM paired_stations"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM pairing_codes"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM ticket_timings"), ==, 0);
  /* The op is there once, whichever table holds it. */
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM op_results"), ==, 1);
  /* Nothing else changed. */
  g_assert_cmpstr (tr_store_get_db_id (store), ==, db_id);
  g_assert_cmpint (tr_store_get_head_seq (store), ==, 1);
  {
    g_autoptr (TrTicket) again = get_ticket (store, ticket->id);

    g_assert_cmpuint (again->items->len, ==, 2);
  }
  g_assert_null (tr_store_get_station_token (store));
  paired = tr_store_list_paired_stations (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (paired->len, ==, 0);
  g_clear_object (&store);
}

static void
test_pairing_codes (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = tr_token_hash ("secret-token");
  g_autofree char *hash2 = tr_token_hash ("other-token");
  TrPairingStatus status;
  sqlite3 *db = tr_store_get_sqlite (store);

  g_assert_cmpuint (strlen (hash), ==, 64);
  g_assert_cmpstr (hash, !=, hash2);

  g_assert_true (tr_store_add_pairing_code (store, "123456", 1000, 2000, &error));
  g_assert_no_error (error);
  /* Only a hash of the code is kept. */
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM pairing_codes WHERE code_hash = '123456'"),
                   ==, 0);

  g_assert_true (
    tr_store_redeem_pairing_code (store, "654321", 1500, "a", NULL, NULL, hash, &status, &error));
  g_assert_cmpint (status, ==, TR_PAIRING_UNKNOWN_CODE);
  g_assert_true (
    tr_store_redeem_pairing_code (store, "123456", 2000, "a", NULL, NULL, hash, &status, &error));
  g_assert_cmpint (status, ==, TR_PAIRING_EXPIRED_CODE);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM paired_stations"), ==, 0);

  /* A new code replaces the old; valid once. */
  g_assert_true (tr_store_add_pairing_code (store, "222222", 1000, 5000, &error));
  g_assert_true (
    tr_store_redeem_pairing_code (store, "123456", 1500, "a", NULL, NULL, hash, &status, &error));
  g_assert_cmpint (status, ==, TR_PAIRING_UNKNOWN_CODE);
  g_assert_true (tr_store_redeem_pairing_code (store, "222222", 1500, "grill", "Grill", "kitchen",
                                               hash, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, TR_PAIRING_OK);
  g_assert_cmpstr (tr_pairing_status_to_string (status), ==, "ok");
  g_assert_true (tr_store_redeem_pairing_code (store, "222222", 1600, "pass", NULL, NULL, hash2,
                                               &status, &error));
  g_assert_cmpint (status, ==, TR_PAIRING_UNKNOWN_CODE);

  /* The token itself is nowhere in the file. */
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM paired_stations WHERE token_hash ="
                                " 'secret-token' OR name = 'secret-token'"),
                   ==, 0);
  {
    g_autoptr (TrPairedStation) station = tr_store_lookup_token (store, hash, &error);

    g_assert_no_error (error);
    g_assert_nonnull (station);
    g_assert_cmpstr (station->station_id, ==, "grill");
    g_assert_cmpstr (station->name, ==, "Grill");
    g_assert_cmpstr (station->role, ==, "kitchen");
    g_assert_cmpint (station->created_at, ==, 1500);
    g_assert_cmpint (station->revoked_at, ==, 0);
  }
  g_assert_null (tr_store_lookup_token (store, hash2, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
}

static void
test_pairing_revoke (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *old_hash = tr_token_hash ("old");
  g_autofree char *new_hash = tr_token_hash ("new");
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) list = NULL;
  TrPairingStatus status;
  gboolean found = FALSE;
  gint64 *when = g_new (gint64, 1);

  g_assert_true (tr_store_add_pairing_code (store, "111111", 0, 10000, &error));
  g_assert_true (tr_store_redeem_pairing_code (store, "111111", 100, "tablet", "Tablet", "foh",
                                               old_hash, &status, &error));
  g_assert_cmpint (status, ==, TR_PAIRING_OK);

  *when = 4242;
  g_hash_table_insert (seen, g_strdup ("tablet"), when);
  g_assert_true (tr_store_touch_stations (store, seen, &error));
  g_assert_no_error (error);

  g_assert_true (tr_store_revoke_station (store, "tablet", 5000, &found, &error));
  g_assert_true (found);
  g_assert_true (tr_store_revoke_station (store, "tablet", 6000, &found, &error));
  g_assert_false (found);
  g_assert_true (tr_store_revoke_station (store, "nobody", 6000, &found, &error));
  g_assert_false (found);
  {
    g_autoptr (TrPairedStation) station = tr_store_lookup_token (store, old_hash, &error);

    g_assert_cmpint (station->revoked_at, ==, 5000);
    g_assert_cmpint (station->last_seen, ==, 4242);
  }

  /* Pairing again replaces the token and lifts the revocation. */
  g_assert_true (tr_store_add_pairing_code (store, "333333", 0, 10000, &error));
  g_assert_true (tr_store_redeem_pairing_code (store, "333333", 7000, "tablet", "Tablet 2", "foh",
                                               new_hash, &status, &error));
  g_assert_null (tr_store_lookup_token (store, old_hash, &error));
  list = tr_store_list_paired_stations (store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((TrPairedStation *)g_ptr_array_index (list, 0))->name, ==, "Tablet 2");
  g_assert_cmpint (((TrPairedStation *)g_ptr_array_index (list, 0))->revoked_at, ==, 0);
  g_clear_object (&store);
}

static void
test_station_token (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_NORMAL);
  g_autoptr (GError) error = NULL;

  g_assert_null (tr_store_get_station_token (store));
  g_assert_null (tr_store_get_host_fingerprint (store));
  g_assert_true (tr_store_set_station_token (store, "host-1", "tok", "AB:CD", &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* It survives a restart. */
  store = open_store (fixture->path, TR_STORE_DURABILITY_NORMAL);
  g_assert_cmpstr (tr_store_get_station_token (store), ==, "tok");
  g_assert_cmpstr (tr_store_get_station_token_host_id (store), ==, "host-1");
  g_assert_cmpstr (tr_store_get_host_fingerprint (store), ==, "AB:CD");
  g_assert_true (tr_store_set_station_token (store, NULL, NULL, NULL, &error));
  g_assert_null (tr_store_get_station_token (store));
  g_assert_null (tr_store_get_station_token_host_id (store));
  g_clear_object (&store);
}

static void
count_changes (TrStore *store, const char *ticket_id, guint *n)
{
  (*n)++;
}

/* A reader on a connection of its own: it sees each of the writer's
 * commits as soon as it is made (nothing cached from before it), and
 * every write through it is refused, touching nothing. */
static void
test_open_readonly (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrStore) writer = NULL;
  g_autoptr (TrStore) reader = NULL;
  g_autoptr (TrTicket) created = NULL;
  g_autoptr (TrTicket) seen = NULL;
  g_autoptr (TrTicket) again = NULL;
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrOutcome) outcome = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint n_changes = 0;
  gint64 seq = 0;

  /* It never creates a file: only the writer does. */
  g_assert_null (tr_store_open_readonly (missing, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_STORE);
  g_clear_error (&error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  writer = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  reader = tr_store_open_readonly (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tr_store_get_db_id (reader), ==, tr_store_get_db_id (writer));
  g_signal_connect (reader, "ticket-changed", G_CALLBACK (count_changes), &n_changes);

  created = host_create (writer, 2);
  seen = tr_store_get_ticket (reader, created->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (seen);
  g_assert_cmpint (seen->status, ==, TR_TICKET_STATUS_NEW);
  g_assert_cmpint (tr_store_get_head_seq (reader), ==, 1);

  /* The writer moves on; the reader's next read has it. */
  op = tr_op_new_set_ticket_status ("kitchen", created->id, TR_TICKET_STATUS_PREPARING);
  outcome = apply (writer, op);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  again = tr_store_get_ticket (reader, created->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->status, ==, TR_TICKET_STATUS_PREPARING);
  tickets = tr_store_list_tickets (reader, TRUE, &seq, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tickets->len, ==, 1);
  g_assert_cmpint (((TrTicket *)tickets->pdata[0])->status, ==, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (seq, ==, 2);
  g_assert_cmpint (tr_store_get_head_seq (reader), ==, 2);

  /* Writes are refused and leave the file as it was. */
  g_clear_pointer (&op, tr_op_free);
  g_clear_pointer (&outcome, tr_outcome_free);
  g_assert_true (tr_store_checkpoint (writer, &error));
  before = file_checksum (fixture->path);
  op = tr_op_new_set_ticket_status ("kitchen", created->id, TR_TICKET_STATUS_READY);
  g_assert_null (tr_store_apply_op (reader, op, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_STORE);
  g_clear_error (&error);
  g_assert_false (tr_store_set_menu (reader, "[]", &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_STORE);
  g_clear_error (&error);
  g_assert_false (tr_store_enqueue_op (reader, op, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* Not even SQL behind the store's back gets through. */
  g_assert_cmpint (
    sqlite3_exec (tr_store_get_sqlite (reader), "DELETE FROM events", NULL, NULL, NULL), ==,
    SQLITE_READONLY);
  g_assert_cmpint (tr_store_get_head_seq (writer), ==, 2);
  g_assert_cmpuint (n_changes, ==, 0);
  g_clear_object (&reader);
  g_assert_true (tr_store_checkpoint (writer, &error));
  after = file_checksum (fixture->path);
  g_assert_cmpstr (after, ==, before);
}

/* ---- speed-of-service timings (schema 4) ---- */

static TrOutcome *
host_set_status (TrStore *store, const TrTicket *ticket, TrTicketStatus status)
{
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status (STATION, ticket->id, status);

  return apply (store, op);
}

static gint64
timing_of (sqlite3 *db, const char *ticket_id, const char *column)
{
  g_autofree char *sql
    = g_strdup_printf ("SELECT %s FROM ticket_timings WHERE ticket_id = '%s'", column, ticket_id);

  return raw_int (db, sql);
}

#define MINUTE ((gint64)60000)

/* Each event moves the ticket's row in its own transaction; a recall
 * makes the second ready the one that counts. */
static void
test_timings (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  sqlite3 *db = tr_store_get_sqlite (store);
  gint64 t0 = (gint64)1773144000 * 1000, now = t0;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrStoreReader) reader = NULL;
  g_autoptr (GPtrArray) tickets
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_timing_free);
  g_autoptr (GPtrArray) items
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_item_timing_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *item_sql = NULL;

  tr_store_set_clock (store, fake_clock, &now);
  ticket = host_create (store, 2);
  g_assert_cmpint (timing_of (db, ticket->id, "created_at"), ==, t0);
  g_assert_cmpint (timing_of (db, ticket->id, "started_at"), ==, 0);
  g_assert_cmpint (timing_of (db, ticket->id, "number"), ==, ticket->number);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM item_timings"), ==, 2);

  now = t0 + 1 * MINUTE;
  tr_outcome_free (host_bump_item (store, ticket, 0, TR_ITEM_STATUS_PREPARING));
  now = t0 + 5 * MINUTE;
  tr_outcome_free (host_set_status (store, ticket, TR_TICKET_STATUS_READY));
  g_assert_cmpint (timing_of (db, ticket->id, "ready_at"), ==, t0 + 5 * MINUTE);
  now = t0 + 6 * MINUTE;
  tr_outcome_free (host_set_status (store, ticket, TR_TICKET_STATUS_PREPARING));
  g_assert_cmpint (timing_of (db, ticket->id, "ready_at"), ==, 0);
  now = t0 + 8 * MINUTE;
  tr_outcome_free (host_set_status (store, ticket, TR_TICKET_STATUS_READY));
  now = t0 + 9 * MINUTE;
  tr_outcome_free (host_set_status (store, ticket, TR_TICKET_STATUS_SERVED));

  g_assert_cmpint (timing_of (db, ticket->id, "started_at"), ==, t0 + 1 * MINUTE);
  g_assert_cmpint (timing_of (db, ticket->id, "ready_at"), ==, t0 + 8 * MINUTE);
  g_assert_cmpint (timing_of (db, ticket->id, "served_at"), ==, t0 + 9 * MINUTE);
  g_assert_cmpint (timing_of (db, ticket->id, "recalls"), ==, 1);
  item_sql = g_strdup_printf ("SELECT ready_at FROM item_timings WHERE item_id = '%s'",
                              item_id (ticket, 0));
  g_assert_cmpint (raw_int (db, item_sql), ==, t0 + 8 * MINUTE);

  /* What the host's stats read, off the writer's connection. */
  reader = tr_store_reader_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_reader_list_timings (reader, t0, t0 + 1, tickets, items, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tickets->len, ==, 1);
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpint (tr_ticket_timing_ready_ms (tickets->pdata[0]), ==, 8 * MINUTE);
  g_assert_cmpint (tr_ticket_timing_wait_ms (tickets->pdata[0]), ==, 1 * MINUTE);
  g_assert_cmpstr (((TrTicketTiming *)tickets->pdata[0])->table, ==, "12");
  g_ptr_array_set_size (tickets, 0);
  g_ptr_array_set_size (items, 0);
  /* [from, to): a ticket created at @to is not in it. */
  g_assert_true (tr_store_reader_list_timings (reader, t0 - MINUTE, t0, tickets, items, &error));
  g_assert_cmpuint (tickets->len, ==, 0);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&reader, tr_store_reader_free);
  g_clear_object (&store);
}

/* 90 days, counted from created_at, items with their ticket. */
static void
test_timings_prune (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  sqlite3 *db = tr_store_get_sqlite (store);
  gint64 t0 = (gint64)1773144000 * 1000, now = t0 - TR_SERVICE_KEEP_MS - MINUTE;
  g_autoptr (TrTicket) old = NULL;
  g_autoptr (TrTicket) recent = NULL;
  g_autoptr (GError) error = NULL;

  tr_store_set_clock (store, fake_clock, &now);
  old = host_create (store, 3);
  now = t0 - TR_SERVICE_KEEP_MS + MINUTE;
  recent = host_create (store, 2);
  now = t0;
  g_assert_true (tr_store_prune_timings (store, t0 - TR_SERVICE_KEEP_MS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM ticket_timings"), ==, 1);
  g_assert_cmpint (timing_of (db, recent->id, "created_at"), ==, t0 - TR_SERVICE_KEEP_MS + MINUTE);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM item_timings"), ==, 2);
  /* The tickets themselves are not the timings' to prune. */
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM tickets"), ==, 2);
  g_clear_object (&store);
}

/* A version 4 file gets the connection history, empty; its tickets and
 * timings stay. */
static void
test_migrate_v4 (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) ticket = host_create (store, 2);
  sqlite3 *db;

  g_clear_object (&store);
  db = raw_open (fixture->path);
  raw_exec (db, "DROP TABLE station_links; DROP TABLE printers; DROP TABLE print_journal;"
                "PRAGMA user_version = 4;");
  sqlite3_close (db);

  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  db = tr_store_get_sqlite (store);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, TR_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM station_links"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM printers"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM tickets"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM ticket_timings"), ==, 1);
  g_clear_object (&store);
}

static TrLink *
make_link (const char *station_id, gint64 connected_at, gint64 disconnected_at, int code,
           const char *reason)
{
  TrLink *link = tr_link_new ();

  link->station_id = g_strdup (station_id);
  link->transport = g_strdup ("websocket");
  link->connected_at = connected_at;
  link->disconnected_at = disconnected_at;
  link->close_code = code;
  link->close_reason = g_strdup (reason);
  return link;
}

static GPtrArray *
read_links (const char *path, gint64 from, gint64 to)
{
  g_autoptr (TrStoreReader) reader = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *links = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);

  reader = tr_store_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_reader_list_links (reader, from, to, links, &error));
  g_assert_no_error (error);
  return links;
}

/* A link opened in one batch is ended by a later one; one that came and
 * went between two batches is written whole. The reader gives the
 * window, by station then time, with the last link before it. */
static void
test_links_save_and_read (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrStore) store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);
  g_autoptr (GPtrArray) links = NULL;
  g_autoptr (GError) error = NULL;
  const TrLink *link;

  g_ptr_array_add (batch, make_link ("grill", 1000, 0, 0, NULL));
  g_ptr_array_add (batch, make_link ("fry", 100, 200, 1006, "connection lost"));
  g_assert_true (tr_store_save_links (store, batch, 0, &error));
  g_assert_no_error (error);
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, make_link ("grill", 1000, 5000, 4010, "no frame"));
  g_ptr_array_add (batch, make_link ("grill", 6000, 0, 0, NULL));
  g_ptr_array_add (batch, make_link ("fry", 300, 400, 1000, NULL));
  g_assert_true (tr_store_save_links (store, batch, 7000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (tr_store_get_sqlite (store), "SELECT COUNT(*) FROM station_links"), ==,
                   4);
  g_assert_cmpint (raw_int (tr_store_get_sqlite (store),
                            "SELECT alive_at FROM station_links WHERE connected_at = 6000"),
                   ==, 7000);

  /* From 2000: fry's links both ended before, so only its last one;
   * grill's first ended inside, its second is open. */
  links = read_links (fixture->path, 2000, 10000);
  g_assert_cmpuint (links->len, ==, 3);
  link = g_ptr_array_index (links, 0);
  g_assert_cmpstr (link->station_id, ==, "fry");
  g_assert_cmpint (link->connected_at, ==, 300);
  g_assert_cmpint (link->close_code, ==, 1000);
  link = g_ptr_array_index (links, 1);
  g_assert_cmpstr (link->station_id, ==, "grill");
  g_assert_cmpint (link->disconnected_at, ==, 5000);
  g_assert_cmpint (link->close_code, ==, 4010);
  g_assert_cmpstr (link->close_reason, ==, "no frame");
  link = g_ptr_array_index (links, 2);
  g_assert_cmpint (link->connected_at, ==, 6000);
  g_assert_cmpint (link->disconnected_at, ==, 0);
  g_assert_cmpstr (link->transport, ==, "websocket");
  g_clear_pointer (&links, g_ptr_array_unref);

  /* A window that ends before a link began leaves it out. */
  links = read_links (fixture->path, 0, 150);
  g_assert_cmpuint (links->len, ==, 1);
  g_assert_cmpint (((TrLink *)g_ptr_array_index (links, 0))->connected_at, ==, 100);
}

/* A host that died left a link open: the next start ends it when it was
 * last known alive. Pruning drops what ended before the bound, never an
 * open link. */
static void
test_links_dangling_and_prune (Fixture *fixture, gconstpointer data)
{
  g_autoptr (TrStore) store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_free);
  g_autoptr (GPtrArray) links = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3 *db = tr_store_get_sqlite (store);
  const TrLink *link;

  g_ptr_array_add (batch, make_link ("grill", 1000, 0, 0, NULL));
  g_ptr_array_add (batch, make_link ("fry", 100, 200, 1006, NULL));
  g_assert_true (tr_store_save_links (store, batch, 0, &error));
  g_ptr_array_set_size (batch, 0);
  g_assert_true (tr_store_save_links (store, batch, 61000, &error));
  g_assert_no_error (error);

  g_assert_true (tr_store_links_close_dangling (store, "the host stopped without closing", &error));
  g_assert_no_error (error);
  links = read_links (fixture->path, 0, 100000);
  link = g_ptr_array_index (links, 1);
  g_assert_cmpstr (link->station_id, ==, "grill");
  g_assert_cmpint (link->disconnected_at, ==, 61000);
  g_assert_cmpint (link->close_code, ==, 0);
  g_assert_cmpstr (link->close_reason, ==, "the host stopped without closing");
  g_assert_true (tr_link_is_drop (link));

  g_ptr_array_add (batch, make_link ("grill", 70000, 0, 0, NULL));
  g_assert_true (tr_store_save_links (store, batch, 0, &error));
  g_assert_true (tr_store_prune_links (store, 61000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM station_links"), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM station_links WHERE station_id = 'fry'"),
                   ==, 0);
  g_assert_true (tr_store_prune_links (store, G_MAXINT64, &error));
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM station_links"), ==, 1);
}

/* A version 3 file gets the tables; its tickets' times are unknown and
 * stay out, the next ones are in. */
static void
test_migrate_v3 (Fixture *fixture, gconstpointer data)
{
  TrStore *store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  g_autoptr (TrTicket) before = host_create (store, 2);
  g_autoptr (TrTicket) after = NULL;
  sqlite3 *db;

  g_clear_object (&store);
  db = raw_open (fixture->path);
  raw_exec (db, "DROP TABLE ticket_timings; DROP TABLE item_timings; DROP TABLE station_links;"
                "DROP TABLE printers; DROP TABLE print_journal; PRAGMA user_version = 3;");
  sqlite3_close (db);

  store = open_store (fixture->path, TR_STORE_DURABILITY_FULL);
  db = tr_store_get_sqlite (store);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, TR_STORE_SCHEMA_VERSION);
  g_assert_cmpint (TR_STORE_SCHEMA_VERSION, ==, 6);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM ticket_timings"), ==, 0);
  tr_outcome_free (host_set_status (store, before, TR_TICKET_STATUS_READY));
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM ticket_timings"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM item_timings"), ==, 0);
  after = host_create (store, 1);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM ticket_timings"), ==, 1);
  g_assert_cmpint (timing_of (db, after->id, "ready_at"), ==, 0);
  g_clear_object (&store);
}

static void
test_apply_result_strings (void)
{
  g_assert_cmpstr (tr_apply_result_to_string (TR_APPLY_APPLIED), ==, "applied");
  g_assert_cmpstr (tr_apply_result_to_string (TR_APPLY_DUPLICATE), ==, "duplicate");
  g_assert_cmpstr (tr_apply_result_to_string (TR_APPLY_REJECTED), ==, "rejected");
}

#define ADD(name, func)                                                                            \
  g_test_add ("/store/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/default-dir", test_open_default_dir);
  g_test_add_func ("/store/result-strings", test_apply_result_strings);
  ADD ("open/create-reopen", test_open_create_reopen);
  ADD ("open/random-bytes", test_open_random_bytes);
  ADD ("open/foreign", test_open_foreign);
  ADD ("open/damaged", test_open_damaged);
  ADD ("open/too-new", test_open_too_new);
  ADD ("open/migrate-v1", test_migrate_v1);
  ADD ("open/readonly", test_open_readonly);
  ADD ("open/migrate-v3", test_migrate_v3);
  ADD ("open/migrate-v4", test_migrate_v4);
  ADD ("links/save-and-read", test_links_save_and_read);
  ADD ("links/dangling-and-prune", test_links_dangling_and_prune);
  ADD ("timings/follow", test_timings);
  ADD ("timings/prune", test_timings_prune);
  ADD ("pairing/codes", test_pairing_codes);
  ADD ("pairing/revoke", test_pairing_revoke);
  ADD ("pairing/station-token", test_station_token);
  ADD ("apply/create-numbers", test_apply_create_numbers);
  ADD ("apply/business-day", test_apply_business_day);
  ADD ("apply/clock-steps-back", test_apply_clock_steps_back);
  ADD ("apply/duplicate", test_apply_duplicate);
  ADD ("apply/rejected", test_apply_rejected);
  ADD ("apply/batch", test_apply_batch);
  ADD ("apply/rollback", test_apply_rollback);
  ADD ("apply/rollback-unreadable", test_apply_rollback_unreadable);
  ADD ("events/read-prune", test_events_read_prune);
  ADD ("list", test_list_tickets);
  ADD ("items", test_items_table);
  ADD ("station/enqueue", test_station_enqueue);
  ADD ("station/apply-events", test_station_apply_events);
  ADD ("station/gap", test_station_gap);
  ADD ("station/snapshot", test_station_snapshot);
  ADD ("station/rejected", test_station_rejected);
  ADD ("station/outbox-persists", test_station_outbox_persists);
  ADD ("station/snapshot-then-ack", test_station_snapshot_then_ack);
  ADD ("checkpoint", test_checkpoint);

  return g_test_run ();
}
