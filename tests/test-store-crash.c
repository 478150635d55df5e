/* test-store-crash.c: kill -9 a writer mid-stream and check the ledger
 *
 * The same binary started with `--child <dbpath>` is the writer: it opens
 * the store with FULL durability and applies ops forever, single ones and
 * batches, printing "committed <op_id> <seq>" after each returns. The
 * parent reads a random number of those lines, SIGKILLs it, and checks
 * that every reported commit is in the file and the log has no gap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-store-crash"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "tr-store.h"
#include "tr-test-sqlite.h"

#define N_KILLS 10

static const char *program_path;

/* ---- the child ---- */

static TrTicket *
make_ticket (guint n_items)
{
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  for (guint i = 0; i < n_items; i++)
    {
      TrItem *item = tr_item_new ();

      item->id = tr_uuid_new ();
      item->name = g_strdup_printf ("Dish %u", i);
      g_ptr_array_add (ticket->items, item);
    }
  return ticket;
}

static void
report (const TrOutcome *outcome)
{
  if (outcome->result != TR_APPLY_APPLIED)
    {
      fprintf (stderr, "op %s was %s: %s\n", outcome->op_id,
               tr_apply_result_to_string (outcome->result),
               outcome->error_message ? outcome->error_message : "");
      exit (2);
    }
  printf ("committed %s %" G_GINT64_FORMAT "\n", outcome->op_id, outcome->seq);
  fflush (stdout);
}

static int
run_child (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_autoptr (TrTicket) previous = NULL;

  if (store == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  for (guint64 round = 0;; round++)
    {
      g_autoptr (TrTicket) ticket = make_ticket (4);
      g_autoptr (TrOp) create = tr_op_new_create_ticket ("crash", ticket);
      g_autoptr (TrOutcome) created = tr_store_apply_op (store, create, &error);

      if (created == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      report (created);

      if (previous != NULL)
        {
          g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
          g_autoptr (GPtrArray) outcomes = NULL;
          g_autoptr (TrOp) bump = NULL;
          g_autoptr (TrOutcome) bumped = NULL;

          /* A group commit of item bumps on the previous ticket... */
          for (guint i = 0; i < previous->items->len; i++)
            g_ptr_array_add (batch, tr_op_new_set_item_status (
                                      "crash", previous->id,
                                      ((TrItem *)g_ptr_array_index (previous->items, i))->id,
                                      TR_ITEM_STATUS_PREPARING));
          outcomes = tr_store_apply_ops (store, batch, &error);
          if (outcomes == NULL)
            {
              fprintf (stderr, "%s\n", error->message);
              return 1;
            }
          for (guint i = 0; i < outcomes->len; i++)
            report (g_ptr_array_index (outcomes, i));

          /* ...then a ticket bump on its own. */
          bump = tr_op_new_set_ticket_status ("crash", previous->id, TR_TICKET_STATUS_READY);
          bumped = tr_store_apply_op (store, bump, &error);
          if (bumped == NULL)
            {
              fprintf (stderr, "%s\n", error->message);
              return 1;
            }
          report (bumped);
        }

      if (round % 25 == 24 && !tr_store_checkpoint (store, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }

      g_clear_pointer (&previous, tr_ticket_free);
      previous = g_steal_pointer (&ticket);
    }
}

/* ---- the parent ---- */

static void
check_file (const char *path, GHashTable *reported)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *applied = NULL;
  sqlite3_stmt *event = NULL;
  sqlite3_stmt *check = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 head, tail, count, max;

  /* The store recovers the file first (the WAL of the killed writer). */
  store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  head = tr_store_get_head_seq (store);
  tail = tr_store_get_tail_seq (store);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &check, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (check), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (check, 0), ==, "ok");
  sqlite3_finalize (check);

  /* The log is tail..head with nothing missing. */
  count = raw_int (db, "SELECT COUNT(*) FROM events");
  max = raw_int (db, "SELECT MAX(seq) FROM events");
  g_assert_cmpint (tail, ==, 1);
  g_assert_cmpint (count, ==, head - tail + 1);
  g_assert_cmpint (max, ==, head);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM op_results WHERE result = 'applied'"), ==,
                   count);
  g_assert_cmpint (count, >=, g_hash_table_size (reported));

  /* Every commit the writer reported is there, with its seq. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT result, seq FROM op_results WHERE op_id = ?", -1,
                                       &applied, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "SELECT seq FROM events WHERE op_id = ?", -1, &event, NULL), ==,
    SQLITE_OK);
  g_hash_table_iter_init (&iter, reported);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 seq = *(gint64 *)value;

      sqlite3_bind_text (applied, 1, key, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (applied), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *)sqlite3_column_text (applied, 0), ==, "applied");
      g_assert_cmpint (sqlite3_column_int64 (applied, 1), ==, seq);
      sqlite3_reset (applied);

      sqlite3_bind_text (event, 1, key, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (event), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int64 (event, 0), ==, seq);
      sqlite3_reset (event);
    }
  sqlite3_finalize (applied);
  sqlite3_finalize (event);
  sqlite3_close (db);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

static void
test_kill_loop (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-store-crash-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr (GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gint64 last_seq = 0;

  g_assert_no_error (error);
  path = g_build_filename (dir, "host.db", NULL);

  for (guint kill = 0; kill < N_KILLS; kill++)
    {
      g_autoptr (GSubprocess) child = NULL;
      g_autoptr (GDataInputStream) lines = NULL;
      guint n_lines = (guint)g_test_rand_int_range (50, 501);

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program_path, "--child",
                                path, NULL);
      g_assert_no_error (error);
      lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

      for (guint i = 0; i < n_lines; i++)
        {
          g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
          g_auto (GStrv) fields = NULL;
          gint64 seq;

          g_assert_no_error (error);
          g_assert_nonnull (line); /* the writer must not stop by itself */
          fields = g_strsplit (line, " ", -1);
          g_assert_cmpuint (g_strv_length (fields), ==, 3);
          g_assert_cmpstr (fields[0], ==, "committed");
          seq = g_ascii_strtoll (fields[2], NULL, 10);
          /* Seqs continue across kills without reuse. */
          g_assert_cmpint (seq, ==, last_seq + 1);
          last_seq = seq;
          g_assert_true (
            g_hash_table_insert (reported, g_strdup (fields[1]), g_memdup2 (&seq, sizeof seq)));
        }

      /* Sometimes the writer gets a little further than the last line
       * read, so the kill lands anywhere in its cycle. */
      g_usleep ((gulong)g_test_rand_int_range (0, 2000));
      g_subprocess_force_exit (child);
      g_assert_true (g_subprocess_wait (child, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (child));
      g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

      check_file (path, reported);
      /* The next writer continues from what was committed, which may be
       * past the last line read. */
      {
        g_autoptr (TrStore) store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);

        g_assert_no_error (error);
        last_seq = tr_store_get_head_seq (store);
      }
      g_test_message ("kill %u: %u lines read, head %" G_GINT64_FORMAT, kill + 1, n_lines,
                      last_seq);
    }

  remove_tree (dir);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

int
main (int argc, char *argv[])
{
  if (argc == 3 && strcmp (argv[1], "--child") == 0)
    return run_child (argv[2]);

  program_path = argv[0];
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store-crash/kill-loop", test_kill_loop);
  return g_test_run ();
}
