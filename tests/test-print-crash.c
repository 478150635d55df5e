/* test-print-crash.c: the real ticketrail-host and its printers
 *
 * The host SIGKILLed while its printer is stalled mid-print, then
 * started again: every slip is printed, none twice. And the
 * `ticketrail-host printers` commands, run beside a running host, which
 * picks their changes up on its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-fake-printer.h"
#include "tr-printer.h"
#include "tr-store-printers.h"
#include "tr-test-host-process.h"
#include "tr-test-peer.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  SoupSession *session;
  TrFakePrinter *printer;
  const char *host_bin;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->host_bin = g_getenv ("TICKETRAIL_HOST_BIN");
  if (f->host_bin == NULL)
    g_error ("TICKETRAIL_HOST_BIN must be set (meson sets it)");
  f->dir = g_dir_make_tmp ("test-print-crash-XXXXXX", &error);
  g_assert_no_error (error);
  f->session = soup_session_new ();
  f->printer = tr_fake_printer_new (42, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->printer, tr_fake_printer_free);
  g_clear_object (&f->session);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* `ticketrail-host printers ARGS… --data-dir DIR` in the C locale: its
 * exit status, and its output in *@out. */
static int
run_printers (Fixture *f, char **out, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer)f->host_bin);
  g_ptr_array_add (argv, "printers");
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, f->dir);
  g_ptr_array_add (argv, NULL);
  return tr_test_host_process_run ((const char *const *)argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                   out, NULL);
}

static char *
child_pair (Fixture *f, TrTestHostProcess *child)
{
  g_autofree char *code = tr_test_host_process_pair_code (f->dir);

  return tr_test_pair (f->session, child->url, code, "pos", "POS");
}

static void
post_ticket (Fixture *f, TrTestHostProcess *child, const char *token, const char *item)
{
  g_autofree char *body
    = g_strdup_printf ("{\"table\":\"4\",\"items\":[{\"name\":\"%s\",\"quantity\":1}]}", item);
  g_autofree char *answer = NULL;
  guint status = 0;

  answer = tr_test_http (f->session, child->url, "POST", "/api/v1/tickets", body, token,
                         &status);
  g_assert_cmpuint (status, ==, 201);
}

static GPtrArray *
get_printers (Fixture *f, TrTestHostProcess *child, const char *token)
{
  g_autoptr (GError) error = NULL;
  guint status = 0;
  g_autofree char *body
    = tr_test_http (f->session, child->url, "GET", "/api/v1/printers", NULL, token, &status);
  GPtrArray *infos;

  g_assert_cmpuint (status, ==, 200);
  infos = tr_printer_infos_parse (body, -1, &error);
  g_assert_no_error (error);
  return infos;
}

typedef struct
{
  Fixture *f;
  TrTestHostProcess *child;
  const char *token;
  guint n;
} PrintersCheck;

/* The host is stuck on a slip: it is pending. */
static gboolean
slip_pending (gpointer data)
{
  PrintersCheck *check = data;
  g_autoptr (GPtrArray) infos = get_printers (check->f, check->child, check->token);

  return infos->len == 1 && ((TrPrinterInfo *)g_ptr_array_index (infos, 0))->pending_slips >= 1;
}

static gboolean
printers_are (gpointer data)
{
  PrintersCheck *check = data;
  g_autoptr (GPtrArray) infos = get_printers (check->f, check->child, check->token);

  return infos->len == check->n;
}

static gint64
journal_rows (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "ticketrail.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) store = tr_store_open_readonly (path, &error);
  g_autoptr (GPtrArray) journal = NULL;

  g_assert_no_error (error);
  journal = tr_store_journal_list (store, "line", &error);
  g_assert_no_error (error);
  return journal->len;
}

static gboolean
journal_has_one (gpointer data)
{
  return journal_rows (data) >= 1;
}

static void
test_sigkill (Fixture *f, gconstpointer data)
{
  g_autofree char *address = tr_fake_printer_dup_address (f->printer);
  g_autofree char *token = NULL;
  const char *names[] = { "Burger One", "Burger Two", "Burger Three", "Burger Four" };
  TrTestHostProcess *child;

  g_assert_cmpint (run_printers (f, NULL, "add", "line", "--address", address, NULL), ==, 0);
  child = tr_test_host_process_new (f->dir);
  token = child_pair (f, child);
  post_ticket (f, child, token, names[0]);
  tr_fake_printer_wait_slips (f->printer, 1);
  /* Journaled: a kill before that is the window docs/printing.md
   * describes, where that slip prints again. */
  tr_test_wait_for (journal_has_one, f, "the first slip journaled");

  /* Jammed: the host waits for the status of the next slip, and dies. */
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_STALLED);
  post_ticket (f, child, token, names[1]);
  post_ticket (f, child, token, names[2]);
  {
    PrintersCheck check = { f, child, token, 0 };

    tr_test_wait_for (slip_pending, &check, "a slip stuck on the printer");
  }
  tr_test_host_process_kill_and_free (child);
  g_assert_cmpint (journal_rows (f), ==, 1);
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);

  child = tr_test_host_process_new (f->dir);
  tr_fake_printer_wait_slips (f->printer, 3);
  /* Printed in order, so once the fourth is out nothing else is coming. */
  post_ticket (f, child, token, names[3]);
  tr_fake_printer_wait_slips (f->printer, 4);
  {
    g_autoptr (GPtrArray) slips = tr_fake_printer_dup_slips (f->printer);

    for (guint i = 0; i < slips->len; i++)
      g_test_message ("slip %u:\n%s", i, (const char *)g_ptr_array_index (slips, i));
  }
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpuint (tr_fake_printer_count_matching (f->printer, names[i]), ==, 1);
  tr_test_host_process_kill_and_free (child);
}

static void
test_cli (Fixture *f, gconstpointer data)
{
  g_autofree char *address = tr_fake_printer_dup_address (f->printer);
  g_autofree char *out = NULL;
  g_autofree char *token = NULL;
  TrTestHostProcess *child;

  /* Refusals change nothing. */
  g_assert_cmpint (run_printers (f, &out, "add", "line", "--address", "http://x", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "tcp://HOST:PORT"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_printers (f, &out, "add", "line", "--address", address, "--width", "40",
                                 NULL),
                   ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_printers (f, &out, "add", "line", "--address", address, "--mode", "often",
                                 NULL),
                   ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_printers (f, &out, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "No printers"));
  g_clear_pointer (&out, g_free);

  child = tr_test_host_process_new (f->dir);
  token = child_pair (f, child);

  /* Added beside the running host: it prints within seconds. */
  g_assert_cmpint (run_printers (f, NULL, "add", "line", "--address", address, "--width", "32",
                                 "--route", "grill", "--route", "fry", "--mode", "always", NULL),
                   ==, 0);
  g_assert_cmpint (run_printers (f, &out, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "line\t"));
  g_assert_nonnull (strstr (out, "\t32\talways\tgrill,fry\t"));
  g_clear_pointer (&out, g_free);
  {
    PrintersCheck check = { f, child, token, 1 };

    tr_test_wait_for (printers_are, &check, "the host using the new printer");
  }
  post_ticket (f, child, token, "Burger Picked Up");
  tr_fake_printer_wait_slips (f->printer, 1);
  g_assert_cmpuint (tr_fake_printer_count_matching (f->printer, "Burger Picked Up"), ==, 1);

  g_assert_cmpint (run_printers (f, &out, "test", "line", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Test page printed"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (tr_fake_printer_count_matching (f->printer, "T E S T   P A G E"), ==, 1);
  g_assert_cmpint (run_printers (f, &out, "test", "nope", NULL), ==, 1);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_printers (f, NULL, "remove", "line", NULL), ==, 0);
  g_assert_cmpint (run_printers (f, &out, "remove", "line", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "no printer called line"));
  {
    PrintersCheck check = { f, child, token, 0 };

    tr_test_wait_for (printers_are, &check, "the host dropping the printer");
  }
  tr_test_host_process_kill_and_free (child);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/print-crash/sigkill", Fixture, NULL, fixture_setup, test_sigkill,
              fixture_teardown);
  g_test_add ("/print-crash/cli", Fixture, NULL, fixture_setup, test_cli, fixture_teardown);
  return g_test_run ();
}
