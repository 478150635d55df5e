/* test-standby-printing.c: the standby keeps the host's printers and
 * print journal (issues 13 and 17), with real processes on loopback: a
 * ticketrail-host, its standby (--standby-of), the promoted standby
 * (--promote), and a fake ESC/POS printer that is a real TCP server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-fake-printer.h"
#include "tr-printer.h"
#include "tr-store-printers.h"
#include "tr-store-replica.h"
#include "tr-test-host-process.h"
#include "tr-test-peer.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  char *host_dir;
  char *standby_dir;
  SoupSession *session;
  GSubprocess *host;
  GSubprocess *standby;
  char *url;
  char *pos_token;
  TrFakePrinter *printer;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-standby-printing-XXXXXX", &error);
  g_assert_no_error (error);
  f->host_dir = g_build_filename (f->dir, "host", NULL);
  f->standby_dir = g_build_filename (f->dir, "standby", NULL);
  g_mkdir (f->host_dir, 0700);
  g_mkdir (f->standby_dir, 0700);
  f->session = soup_session_new ();
  f->printer = tr_fake_printer_new (42, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  tr_test_host_process_stop (&f->standby);
  tr_test_host_process_stop (&f->host);
  g_clear_pointer (&f->printer, tr_fake_printer_free);
  g_clear_object (&f->session);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->host_dir);
  g_free (f->standby_dir);
  g_free (f->url);
  g_free (f->pos_token);
}

/* `ticketrail-host ARGS… --data-dir @dir`: its exit status; its output
 * in *@out when not NULL. */
static int
run_cli (const char *dir, char **out, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer)tr_test_host_process_binary ());
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, (gpointer)dir);
  g_ptr_array_add (argv, NULL);
  return tr_test_host_process_run ((const char *const *)argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                   out, NULL);
}

static gboolean
standby_connected (gpointer data)
{
  Fixture *f = data;
  guint status = 0;
  g_autofree char *body
    = tr_test_http (f->session, f->url, "GET", "/api/v1/health", NULL, NULL, &status);

  g_assert_cmpuint (status, ==, 200);
  return strstr (body, "\"standby_connected\":true") != NULL;
}

/* A host with printer "line" (always, every route) on the fake printer,
 * a POS, and a standby in sync. */
static void
start_pair (Fixture *f)
{
  const char *extra[] = { "--standby-timeout", "120000", NULL };
  g_autofree char *address = tr_fake_printer_dup_address (f->printer);
  g_autofree char *pos_code = NULL;
  g_autofree char *standby_code = NULL;

  g_assert_cmpint (run_cli (f->host_dir, NULL, "printers", "add", "line", "--address", address,
                            "--mode", "always", NULL),
                   ==, 0);
  f->host = tr_test_host_process_start (f->host_dir, extra, &f->url, NULL);
  pos_code = tr_test_host_process_pair_code (f->host_dir);
  f->pos_token = tr_test_pair (f->session, f->url, pos_code, "pos", "POS");
  standby_code = tr_test_host_process_pair_code (f->host_dir);
  f->standby = tr_test_host_process_start_standby (f->url, f->standby_dir, standby_code);
  tr_test_wait_for (standby_connected, f, "the standby in sync");
}

/* The new ticket's id. */
static char *
post_ticket (Fixture *f, const char *item)
{
  g_autofree char *body
    = g_strdup_printf ("{\"table\":\"4\",\"items\":[{\"name\":\"%s\",\"quantity\":1}]}", item);
  guint status = 0;
  g_autofree char *answer
    = tr_test_http (f->session, f->url, "POST", "/api/v1/tickets", body, f->pos_token, &status);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;

  g_assert_cmpuint (status, ==, 201);
  ticket = tr_ticket_from_string (answer, -1, &error);
  g_assert_no_error (error);
  return g_strdup (ticket->id);
}

static void
reprint (Fixture *f, const char *ticket_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/tickets/%s/reprint", ticket_id);
  guint status = 0;
  g_autofree char *answer
    = tr_test_http (f->session, f->url, "POST", path, NULL, f->pos_token, &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (answer, ==, "{\"printers\":1}");
}

/* The standby's copy, read through a read-only connection of our own
 * while the standby writes it. */
static TrStore *
open_copy (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->standby_dir, "ticketrail.db", NULL);
  g_autoptr (GError) error = NULL;
  TrStore *store = tr_store_open_readonly (path, &error);

  g_assert_no_error (error);
  return store;
}

typedef struct
{
  Fixture *f;
  const char *printer;
  guint n;
} JournalCheck;

/* The standby's journal of @printer has @n printed rows. */
static gboolean
copy_journal_has (gpointer data)
{
  JournalCheck *check = data;
  g_autoptr (TrStore) store = open_copy (check->f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = tr_store_journal_list (store, check->printer, &error);
  guint printed = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    if (((TrPrintRecord *)g_ptr_array_index (rows, i))->printed_at != 0)
      printed++;
  return printed == check->n;
}

/* The standby's journal has a reprint waiting for the printer. */
static gboolean
copy_reprint_waits (gpointer data)
{
  JournalCheck *check = data;
  g_autoptr (TrStore) store = open_copy (check->f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) waiting = tr_store_journal_waiting (store, check->printer, &error);

  g_assert_no_error (error);
  return waiting->len == 1;
}

static gboolean
host_has_pending (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GError) error = NULL;
  guint status = 0;
  g_autofree char *body
    = tr_test_http (f->session, f->url, "GET", "/api/v1/printers", NULL, f->pos_token, &status);
  g_autoptr (GPtrArray) infos = NULL;

  g_assert_cmpuint (status, ==, 200);
  infos = tr_printer_infos_parse (body, -1, &error);
  g_assert_no_error (error);
  return infos->len == 1 && ((TrPrinterInfo *)g_ptr_array_index (infos, 0))->pending_slips >= 1;
}

/* Five tickets printed and journaled on the host, and a reprint of the
 * first; the printer jammed, two more tickets and a reprint of the
 * second wait when the host is SIGKILLed; the standby promoted with the
 * same printer prints those three and two new tickets: every slip on
 * paper exactly once. */
static void
test_failover_prints_once (Fixture *f, gconstpointer data)
{
  const char *promote[] = { "--promote", NULL };
  const char *names[]
    = { "Burger One", "Burger Two",   "Burger Three", "Burger Four", "Burger Five",
        "Burger Six", "Burger Seven", "Burger Eight", "Burger Nine" };
  char *ids[G_N_ELEMENTS (names)] = { NULL };
  JournalCheck check = { f, "line", 6 };

  start_pair (f);
  for (guint i = 0; i < 5; i++)
    ids[i] = post_ticket (f, names[i]);
  tr_fake_printer_wait_slips (f->printer, 5);
  /* A reprint is queued, then marked printed: the standby hears both. */
  reprint (f, ids[0]);
  tr_fake_printer_wait_slips (f->printer, 6);
  /* Journaled on the host and replicated: a kill before that is the
   * window docs/printing.md describes, where a slip prints again. */
  tr_test_wait_for (copy_journal_has, &check, "the standby to hold six printed journal rows");

  /* Jammed: the host waits on the status before the next slip, and dies
   * with two tickets (in the standby's copy: acked) and a reprint not
   * printed. */
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_STALLED);
  ids[5] = post_ticket (f, names[5]);
  ids[6] = post_ticket (f, names[6]);
  reprint (f, ids[1]);
  tr_test_wait_for (host_has_pending, f, "a slip stuck on the printer");
  tr_test_wait_for (copy_reprint_waits, &check, "the standby to know of the waiting reprint");
  tr_test_host_process_kill (&f->host);
  tr_test_host_process_stop (&f->standby);
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 6);

  g_clear_pointer (&f->url, g_free);
  f->host = tr_test_host_process_start (f->standby_dir, promote, &f->url, NULL);
  /* Printed in order: once the last new one is out, nothing else comes. */
  tr_fake_printer_wait_slips (f->printer, 9);
  ids[7] = post_ticket (f, names[7]);
  ids[8] = post_ticket (f, names[8]);
  tr_fake_printer_wait_slips (f->printer, 11);
  {
    g_autoptr (GPtrArray) slips = tr_fake_printer_dup_slips (f->printer);

    for (guint i = 0; i < slips->len; i++)
      g_test_message ("slip %u:\n%s", i, (const char *)g_ptr_array_index (slips, i));
  }
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 11);
  g_assert_cmpuint (tr_fake_printer_count_matching (f->printer, "R E P R I N T"), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpuint (tr_fake_printer_count_matching (f->printer, names[i]), ==, i < 2 ? 2 : 1);
  tr_test_host_process_stop (&f->host);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

typedef struct
{
  Fixture *f;
  const char *name;
  gboolean present;
} PrinterCheck;

static gboolean
copy_printer_is (gpointer data)
{
  PrinterCheck *check = data;
  g_autoptr (TrStore) store = open_copy (check->f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) printers = tr_store_list_printers (store, &error);
  gboolean found = FALSE;

  g_assert_no_error (error);
  for (guint i = 0; i < printers->len; i++)
    {
      const TrPrinter *printer = g_ptr_array_index (printers, i);

      if (g_str_equal (printer->name, check->name))
        found = printer->columns == 32 && printer->mode == TR_PRINTER_MODE_FALLBACK
                && g_strv_length (printer->routes) == 1
                && g_str_equal (printer->routes[0], "grill");
    }
  return found == check->present;
}

typedef struct
{
  Fixture *f;
  const char *station_id;
} RevokeCheck;

static gboolean
copy_station_revoked (gpointer data)
{
  RevokeCheck *check = data;
  g_autoptr (TrStore) store = open_copy (check->f);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) roster = tr_store_dump_roster (store, &error);
  JsonArray *array;

  g_assert_no_error (error);
  array = json_node_get_array (roster);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (o, "station_id"), check->station_id))
        return json_object_get_int_member (o, "revoked_at") != 0;
    }
  return FALSE;
}

/* Changes made with the command line beside the running host reach the
 * standby with the host's 5 s pick-up, with no other change after them. */
static void
test_cli_changes_reach_standby (Fixture *f, gconstpointer data)
{
  g_autofree char *address = tr_fake_printer_dup_address (f->printer);
  g_autofree char *code = NULL;
  g_autofree char *token = NULL;
  PrinterCheck printer = { f, "pass", TRUE };
  RevokeCheck revoke = { f, "grill-1" };

  start_pair (f);
  g_assert_cmpint (run_cli (f->host_dir, NULL, "printers", "add", "pass", "--address", address,
                            "--width", "32", "--route", "grill", "--mode", "fallback", NULL),
                   ==, 0);
  tr_test_wait_for (copy_printer_is, &printer, "the standby to have the new printer");

  g_assert_cmpint (run_cli (f->host_dir, NULL, "printers", "remove", "pass", NULL), ==, 0);
  printer.present = FALSE;
  tr_test_wait_for (copy_printer_is, &printer, "the standby to drop the printer");

  code = tr_test_host_process_pair_code (f->host_dir);
  token = tr_test_pair (f->session, f->url, code, revoke.station_id, "Grill");
  g_assert_cmpint (run_cli (f->host_dir, NULL, "revoke", revoke.station_id, NULL), ==, 0);
  tr_test_wait_for (copy_station_revoked, &revoke, "the standby to know of the revocation");
}

/* The standby's own write path refuses what a host would never send, and
 * changes nothing; cursors never pass the copy's head. */
static void
test_store_refuses_malformed (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "copy.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_autoptr (JsonNode) printers = NULL;
  g_autoptr (JsonNode) bad_printers = NULL;
  g_autoptr (JsonNode) rows = NULL;
  g_autoptr (JsonNode) bad_rows = NULL;
  g_autoptr (JsonNode) cursors = NULL;
  g_autoptr (GPtrArray) journal = NULL;
  g_autoptr (JsonNode) dumped = NULL;
  gint64 max_id = 0, waiting_min = 0;

  g_assert_no_error (error);
  printers = tr_json_parse ("[{\"name\":\"line\",\"address\":\"tcp://127.0.0.1:9100\","
                            "\"columns\":42,\"routes\":[],\"mode\":\"always\","
                            "\"grace_seconds\":20,\"cursor_seq\":500,\"created_at\":1,"
                            "\"updated_at\":1}]",
                            -1, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_replace_printers (store, printers, &error));
  g_assert_no_error (error);
  /* Head 0: a cursor from the host never passes it. */
  g_assert_cmpint (tr_store_get_printer_cursor (store, "line", &error), ==, 0);

  bad_printers = tr_json_parse ("[{\"name\":\"line\",\"address\":\"tcp://127.0.0.1:9100\","
                                "\"columns\":40,\"routes\":[],\"mode\":\"always\"}]",
                                -1, &error);
  g_assert_false (tr_store_replace_printers (store, bad_printers, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (tr_store_get_printer_cursor (store, "line", &error), ==, 0);

  rows = tr_json_parse ("[{\"id\":7,\"printer\":\"line\",\"ticket_id\":\"t1\",\"version\":1,"
                        "\"kind\":\"ticket\",\"route\":\"\",\"seq\":1,\"queued_at\":5,"
                        "\"printed_at\":5,\"data\":\"{}\"},"
                        "{\"id\":8,\"printer\":\"line\",\"ticket_id\":\"t1\",\"version\":1,"
                        "\"kind\":\"reprint\",\"route\":\"\",\"seq\":0,\"queued_at\":6,"
                        "\"printed_at\":null,\"data\":null}]",
                        -1, &error);
  cursors = tr_json_parse ("[{\"printer\":\"line\",\"cursor_seq\":3}]", -1, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_replicate_journal (store, rows, cursors, &error));
  g_assert_no_error (error);
  journal = tr_store_journal_list (store, "line", &error);
  g_assert_cmpuint (journal->len, ==, 2);
  g_assert_cmpint (tr_store_get_printer_cursor (store, "line", &error), ==, 0);
  /* What the host's side reads back: both, and the waiting reprint. */
  dumped = tr_store_dump_journal (store, -1, 0, &max_id, &waiting_min, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (dumped)), ==, 2);
  g_assert_cmpint (max_id, ==, 8);
  g_assert_cmpint (waiting_min, ==, 8);

  /* One row without a printer: the whole frame is refused. */
  bad_rows = tr_json_parse ("[{\"id\":9,\"printer\":\"line\",\"ticket_id\":\"t2\",\"version\":1,"
                            "\"kind\":\"ticket\",\"route\":\"\"},"
                            "{\"id\":10,\"ticket_id\":\"t3\",\"version\":1,"
                            "\"kind\":\"ticket\",\"route\":\"\"}]",
                            -1, &error);
  g_assert_false (tr_store_replicate_journal (store, bad_rows, NULL, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_clear_pointer (&journal, g_ptr_array_unref);
  journal = tr_store_journal_list (store, "line", &error);
  g_assert_cmpuint (journal->len, ==, 2);

  /* The printer gone from the host: gone here with its journal. */
  g_clear_pointer (&printers, json_node_unref);
  printers = tr_json_parse ("[]", -1, &error);
  g_assert_true (tr_store_replace_printers (store, printers, &error));
  g_clear_pointer (&journal, g_ptr_array_unref);
  journal = tr_store_journal_list (store, "line", &error);
  g_assert_cmpuint (journal->len, ==, 0);
  g_assert_cmpint (tr_store_get_printer_cursor (store, "line", &error), ==, -1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/standby-printing/failover-prints-once", Fixture, NULL, fixture_setup,
              test_failover_prints_once, fixture_teardown);
  g_test_add ("/standby-printing/cli-changes-reach-standby", Fixture, NULL, fixture_setup,
              test_cli_changes_reach_standby, fixture_teardown);
  g_test_add ("/standby-printing/store-refuses-malformed", Fixture, NULL, fixture_setup,
              test_store_refuses_malformed, fixture_teardown);
  return g_test_run ();
}
