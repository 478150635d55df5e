/* test-printing.c: kitchen printers on a real host, with a fake ESC/POS
 * printer that is a real TCP server on loopback (tr-fake-printer.c)
 *
 * Each mode (always, fallback against a real TrClient station,
 * ready-chit), a printer offline for a while, paper out, a printer that
 * lies, reprint over HTTP, and the host API. No sleeps: every wait is on
 * a condition with a generous deadline (tr_test_wait_for()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tr-client.h"
#include "tr-codec.h"
#include "tr-error.h"
#include "tr-fake-printer.h"
#include "tr-host.h"
#include "tr-op.h"
#include "tr-station.h"
#include "tr-store-printers.h"
#include "tr-store-replica.h"
#include "tr-test-peer.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  char *path;
  TrStore *store;
  TrStore *reader; /* the test's own read-only look at host.db */
  TrHost *host;
  char *base_url;
  SoupSession *session;
  TrFakePrinter *printer;
  int next_number;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-printing-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "host.db", NULL);
  f->store = tr_store_open (f->path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  f->host = g_object_new (TR_TYPE_HOST, "store", f->store, "port", 0, "loopback-only", TRUE,
                          "require-pairing", FALSE,
                          /* Short, so that a printer back online prints soon;
                           * the minute-long case keeps the host's own 30 s. */
                          "printer-backoff-max", data != NULL ? 30000u : 200u, NULL);
  g_assert_true (tr_host_start (f->host, &error));
  g_assert_no_error (error);
  f->base_url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (f->host));
  f->reader = tr_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  f->session = soup_session_new ();
  f->printer = tr_fake_printer_new (42, 0);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gboolean done = FALSE;

  tr_host_stop (f->host);
  g_assert_finalize_object (f->host);
  g_timeout_add (100, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->reader);
  g_assert_finalize_object (f->store);
  g_clear_pointer (&f->printer, tr_fake_printer_free);
  g_clear_object (&f->session);
  g_free (f->base_url);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* ---- Helpers ---- */

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
  guint n;
} Wait;

static gboolean
wait_done (gpointer data)
{
  return ((Wait *)data)->done;
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->ok = tr_host_save_printer_finish (TR_HOST (source), result, &wait->error);
  wait->done = TRUE;
}

static void
add_printer (Fixture *f, const char *name, TrPrinterMode mode, const char *const *routes,
             guint grace_seconds)
{
  g_autofree char *address = tr_fake_printer_dup_address (f->printer);
  g_autoptr (TrPrinter) printer = tr_printer_new (name, address);
  Wait wait = { 0 };

  printer->mode = mode;
  printer->grace_seconds = grace_seconds;
  if (routes != NULL)
    {
      g_strfreev (printer->routes);
      printer->routes = g_strdupv ((char **)routes);
    }
  tr_host_save_printer_async (f->host, printer, NULL, saved_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the printer saved");
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);
}

static TrItem *
item (const char *name, const char *station)
{
  TrItem *item = tr_item_new ();

  item->id = tr_uuid_new ();
  item->name = g_strdup (name);
  item->quantity = 1;
  item->station = g_strdup (station);
  return item;
}

/* A ticket with @grill_item for the grill and @fry_item (or none) for
 * the fry station; its id. */
static char *
create_ticket (Fixture *f, const char *grill_item, const char *fry_item)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrOutcome) outcome = NULL;

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup ("7");
  ticket->created_at = tr_now_ms ();
  if (grill_item != NULL)
    g_ptr_array_add (ticket->items, item (grill_item, "grill"));
  if (fry_item != NULL)
    g_ptr_array_add (ticket->items, item (fry_item, "fry"));
  op = tr_op_new_create_ticket ("test", ticket);
  outcome = tr_host_submit_op (f->host, op, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  return g_strdup (ticket->id);
}

static gint64
add_item (Fixture *f, const char *ticket_id, const char *name, const char *station)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOp) op = tr_op_new_amend_ticket ("test", ticket_id);
  g_autoptr (TrOutcome) outcome = NULL;
  TrAmendment *amendment = tr_amendment_new (TR_AMEND_ADD_ITEM);

  amendment->item = item (name, station);
  g_ptr_array_add (op->amendments, amendment);
  outcome = tr_host_submit_op (f->host, op, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  return outcome->seq;
}

static gint64
set_status (Fixture *f, const char *ticket_id, TrTicketStatus status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status ("test", ticket_id, status);
  g_autoptr (TrOutcome) outcome = tr_host_submit_op (f->host, op, &error);

  g_assert_no_error (error);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  return outcome->seq;
}

static TrPrinterInfo *
printer_info (Fixture *f, const char *name)
{
  g_autoptr (GPtrArray) infos = tr_host_list_printers (f->host);

  for (guint i = 0; i < infos->len; i++)
    {
      TrPrinterInfo *info = g_ptr_array_index (infos, i);

      if (g_str_equal (info->printer->name, name))
        return tr_printer_info_copy (info);
    }
  return NULL;
}

typedef struct
{
  Fixture *f;
  const char *name;
  TrPrinterState state;
  gint64 seq;
} PrinterCheck;

static gboolean
printer_in_state (gpointer data)
{
  PrinterCheck *check = data;
  g_autoptr (TrPrinterInfo) info = printer_info (check->f, check->name);

  return info != NULL && info->state == check->state;
}

static gboolean
printer_idle (gpointer data)
{
  PrinterCheck *check = data;
  g_autoptr (TrPrinterInfo) info = printer_info (check->f, check->name);

  return info != NULL && info->state == TR_PRINTER_STATE_READY && info->pending_slips == 0
         && info->last_error == NULL;
}

static void
wait_idle (Fixture *f, const char *name)
{
  PrinterCheck check = { f, name, 0, 0 };

  tr_test_wait_for (printer_idle, &check, "the printer idle");
}

static void
wait_state (Fixture *f, const char *name, TrPrinterState state)
{
  PrinterCheck check = { f, name, state, 0 };

  tr_test_wait_for (printer_in_state, &check, tr_printer_state_to_string (state));
}

/* The printer's worker has handled every event up to @seq (its cursor
 * in host.db, written once it has decided and printed them). */
static gboolean
cursor_reached (gpointer data)
{
  PrinterCheck *check = data;

  return tr_store_get_printer_cursor (check->f->reader, check->name, NULL) >= check->seq;
}

static void
wait_cursor (Fixture *f, const char *name, gint64 seq)
{
  PrinterCheck check = { f, name, 0, seq };

  tr_test_wait_for (cursor_reached, &check, "the printer's cursor");
}

typedef struct
{
  Fixture *f;
  const char *name;
  guint n;
} JournalCheck;

static gboolean
journal_has (gpointer data)
{
  JournalCheck *check = data;
  g_autoptr (GPtrArray) journal = tr_store_journal_list (check->f->reader, check->name, NULL);

  return journal != NULL && journal->len >= check->n;
}

/* The slips the printer took are journaled right after: wait for it. */
static void
wait_journal (Fixture *f, const char *name, guint n)
{
  JournalCheck check = { f, name, n };

  tr_test_wait_for (journal_has, &check, "the print journal");
}

static guint
count (Fixture *f, const char *needle)
{
  return tr_fake_printer_count_matching (f->printer, needle);
}

/* ---- Always ---- */

static void
test_always (Fixture *f, gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autoptr (GPtrArray) journal = NULL;
  g_autoptr (GError) error = NULL;

  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  a = create_ticket (f, "Burger Alpha", "Fries Alpha");
  add_item (f, a, "Shake Alpha", "grill");
  b = create_ticket (f, "Burger Bravo", NULL);
  tr_fake_printer_wait_slips (f->printer, 3);
  c = create_ticket (f, "Burger Charlie", NULL);
  tr_fake_printer_wait_slips (f->printer, 4);
  wait_state (f, "line", TR_PRINTER_STATE_READY);

  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 4);
  g_assert_cmpuint (count (f, "Burger Alpha"), ==, 1);
  g_assert_cmpuint (count (f, "Burger Bravo"), ==, 1);
  g_assert_cmpuint (count (f, "Burger Charlie"), ==, 1);
  /* The AMENDED slip has the change only. */
  g_assert_cmpuint (count (f, "A M E N D E D"), ==, 1);
  g_assert_cmpuint (count (f, "Shake Alpha"), ==, 1);
  {
    g_autoptr (GPtrArray) slips = tr_fake_printer_dup_slips (f->printer);
    const char *amended = g_ptr_array_index (slips, 1);

    g_assert_nonnull (strstr (amended, "A M E N D E D"));
    g_assert_nonnull (strstr (amended, "ADD 1 x Shake Alpha"));
    g_assert_null (strstr (amended, "Burger Alpha"));
  }
  wait_journal (f, "line", 4);
  journal = tr_store_journal_list (f->reader, "line", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (journal->len, ==, 4);
  g_assert_cmpstr (((TrPrintRecord *)g_ptr_array_index (journal, 1))->kind, ==,
                   TR_PRINT_KIND_AMENDMENT);
}

/* ---- Fallback, against a real station ---- */

typedef struct
{
  Fixture *f;
  const char *role;
  gboolean connected;
} StationCheck;

static gboolean
station_is (gpointer data)
{
  StationCheck *check = data;
  g_autoptr (GPtrArray) stations = tr_host_list_stations (check->f->host);
  gboolean connected = FALSE;

  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);

      connected = connected || (info->connected && g_strcmp0 (info->role, check->role) == 0);
    }
  return connected == check->connected;
}

static void
wait_station (Fixture *f, const char *role, gboolean connected)
{
  StationCheck check = { f, role, connected };

  tr_test_wait_for (station_is, &check, connected ? "the station connected" : "the station gone");
}

static TrClient *
start_grill (Fixture *f, TrStore **out_store)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "grill.db", NULL);
  TrClient *client;

  *out_store = tr_store_open (path, TR_STORE_DURABILITY_NORMAL, &error);
  g_assert_no_error (error);
  client = tr_client_new (*out_store, f->base_url, "Grill", "grill");
  tr_client_start (client);
  wait_station (f, "grill", TRUE);
  return client;
}

static void
stop_grill (Fixture *f, TrClient *client, TrStore *store)
{
  tr_client_stop (client);
  g_object_unref (client);
  g_object_unref (store);
  wait_station (f, "grill", FALSE);
}

static void
test_fallback (Fixture *f, gconstpointer data)
{
  const char *grill[] = { "grill", NULL };
  TrStore *grill_store = NULL;
  TrClient *client;
  g_autofree char *seen = NULL;
  g_autofree char *missed = NULL;
  g_autofree char *fry_only = NULL;
  g_autofree char *back = NULL;
  gint64 seq;

  client = start_grill (f, &grill_store);
  add_printer (f, "grill", TR_PRINTER_MODE_FALLBACK, grill, 1);

  /* The grill screen shows it: no paper. */
  seen = create_ticket (f, "Burger Seen", NULL);
  seq = set_status (f, seen, TR_TICKET_STATUS_PREPARING);
  wait_cursor (f, "grill", seq);
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 0);

  /* The screen goes: the grill's tickets print once the grace is over,
   * the fry station's never. */
  stop_grill (f, client, grill_store);
  missed = create_ticket (f, "Burger Missed", NULL);
  fry_only = create_ticket (f, NULL, "Fries Only");
  tr_fake_printer_wait_slips (f->printer, 1);
  seq = add_item (f, missed, "Cola Missed", "grill");
  tr_fake_printer_wait_slips (f->printer, 2);
  wait_cursor (f, "grill", seq);
  g_assert_cmpuint (count (f, "Burger Missed"), ==, 1);
  g_assert_cmpuint (count (f, "Cola Missed"), ==, 1);
  g_assert_cmpuint (count (f, "Fries Only"), ==, 0);
  g_assert_cmpuint (count (f, "Burger Seen"), ==, 0);

  /* It is back: nothing more. */
  client = start_grill (f, &grill_store);
  back = create_ticket (f, "Burger Back", NULL);
  seq = add_item (f, missed, "Pie Missed", "grill");
  wait_cursor (f, "grill", seq);
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 2);
  g_assert_cmpuint (count (f, "Burger Back"), ==, 0);
  tr_client_stop (client);
  g_object_unref (client);
  g_object_unref (grill_store);
}

/* ---- Ready chits ---- */

static void
test_ready_chit (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL;
  g_autofree char *other = NULL;
  gint64 seq;

  add_printer (f, "expo", TR_PRINTER_MODE_READY_CHIT, NULL, 20);
  id = create_ticket (f, "Burger Ready", "Fries Ready");
  other = create_ticket (f, "Burger Later", NULL);
  set_status (f, id, TR_TICKET_STATUS_PREPARING);
  set_status (f, id, TR_TICKET_STATUS_READY);
  tr_fake_printer_wait_slips (f->printer, 1);
  seq = set_status (f, id, TR_TICKET_STATUS_SERVED);
  wait_cursor (f, "expo", seq);
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 1);
  g_assert_cmpuint (count (f, "R E A D Y"), ==, 1);
  g_assert_cmpuint (count (f, "Burger Ready"), ==, 1);
  g_assert_cmpuint (count (f, "Burger Later"), ==, 0);
}

/* ---- A printer that is down ---- */

static void
test_offline (Fixture *f, gconstpointer data)
{
  g_autoptr (TrPrinterInfo) info = NULL;
  char *ids[3] = { NULL };
  const char *names[] = { "Burger One", "Burger Two", "Burger Three" };

  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_OFFLINE);
  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    ids[i] = create_ticket (f, names[i], NULL);
  wait_state (f, "line", TR_PRINTER_STATE_OFFLINE);
  info = printer_info (f, "line");
  g_assert_nonnull (info->last_error);
  g_assert_cmpuint (info->pending_slips, >=, 1);
  g_assert_true (tr_printer_state_is_alert (info->state));

  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);
  tr_fake_printer_wait_slips (f->printer, 3);
  wait_idle (f, "line");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpuint (count (f, names[i]), ==, 1);
  g_clear_pointer (&info, tr_printer_info_free);
  info = printer_info (f, "line");
  g_assert_null (info->last_error);
  g_assert_cmpuint (info->pending_slips, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *)data;
}

/* The case: a printer off for a whole minute while tickets keep
 * coming, with the host's own retry backoff (up to 30 s). Every slip
 * comes out once it is back, once each. Its own meson test: it lasts
 * about a minute and a half, nearly all of it waiting. */
#define MINUTE_TICKETS 6

static void
test_offline_a_minute (Fixture *f, gconstpointer data)
{
  g_autoptr (TrPrinterInfo) info = NULL;
  gboolean minute_over = FALSE;

  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_OFFLINE);
  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  g_timeout_add_seconds (60, flag_cb, &minute_over);
  for (guint i = 0; i < MINUTE_TICKETS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Minute Burger %u", i);
      g_autofree char *id = create_ticket (f, name, NULL);
      gboolean paced = FALSE;

      /* One ticket every ten seconds of the outage. */
      if (i + 1 < MINUTE_TICKETS)
        {
          g_timeout_add_seconds (10, flag_cb, &paced);
          tr_test_wait_for (flag_is_set, &paced, "ten seconds of the outage");
        }
    }
  tr_test_wait_for (flag_is_set, &minute_over, "the end of the minute offline");
  info = printer_info (f, "line");
  g_assert_cmpint (info->state, ==, TR_PRINTER_STATE_OFFLINE);
  g_assert_cmpuint (info->pending_slips, ==, MINUTE_TICKETS);
  g_assert_true (tr_printer_state_is_alert (info->state));
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 0);

  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);
  tr_fake_printer_wait_slips (f->printer, MINUTE_TICKETS);
  wait_idle (f, "line");
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, MINUTE_TICKETS);
  for (guint i = 0; i < MINUTE_TICKETS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Minute Burger %u", i);

      g_assert_cmpuint (count (f, name), ==, 1);
    }
}

static void
test_paper_out (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL;

  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_PAPER_OUT);
  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  id = create_ticket (f, "Burger Paper", NULL);
  wait_state (f, "line", TR_PRINTER_STATE_PAPER_OUT);
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 0);
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);
  tr_fake_printer_wait_slips (f->printer, 1);
  g_assert_cmpuint (count (f, "Burger Paper"), ==, 1);
}

/* A byte that is no ESC/POS status is refused: nothing is sent on a
 * printer that cannot say whether it has paper. */
static void
test_lying (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL;
  g_autoptr (TrPrinterInfo) info = NULL;

  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_LYING);
  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  id = create_ticket (f, "Burger Lie", NULL);
  wait_state (f, "line", TR_PRINTER_STATE_OFFLINE);
  info = printer_info (f, "line");
  g_assert_nonnull (strstr (info->last_error, "not an ESC/POS status"));
  g_assert_cmpuint (tr_fake_printer_count_slips (f->printer), ==, 0);
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);
  tr_fake_printer_wait_slips (f->printer, 1);
  g_assert_cmpuint (count (f, "Burger Lie"), ==, 1);
}

/* ---- Reprint over HTTP, test page and the API ---- */

static void
test_reprint (Fixture *f, gconstpointer data)
{
  g_autofree char *id = create_ticket (f, "Burger Again", NULL);
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  add_printer (f, "expo", TR_PRINTER_MODE_READY_CHIT, NULL, 20);
  path = g_strdup_printf ("/api/v1/tickets/%s/reprint", id);
  body = tr_test_http (f->session, f->base_url, "POST", path, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (body, ==, "{\"printers\":1}");
  tr_fake_printer_wait_slips (f->printer, 1);
  g_assert_cmpuint (count (f, "R E P R I N T"), ==, 1);
  g_assert_cmpuint (count (f, "Burger Again"), ==, 1);

  g_clear_pointer (&body, g_free);
  body = tr_test_http (f->session, f->base_url, "POST", "/api/v1/tickets/nope/reprint", NULL,
                       NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  g_clear_pointer (&body, g_free);
  body = tr_test_http (f->session, f->base_url, "GET", path, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 405);

  /* A reprint costs paper: it counts against the station's rate (two at
   * once, then one a second); six in a row meet the limit. */
  g_object_set (f->host, "ops-rate", 1, "ops-burst", 2, NULL);
  {
    guint refused = 0;

    for (guint i = 0; i < 6; i++)
      {
        g_clear_pointer (&body, g_free);
        body = tr_test_http (f->session, f->base_url, "POST", path, NULL, NULL, &status);
        g_assert_true (status == 200 || status == 429);
        if (status == 429)
          {
            g_assert_nonnull (strstr (body, "\"limit\""));
            refused++;
          }
      }
    g_assert_cmpuint (refused, >=, 1);
  }
}

/* ---- The journal is pruned with the log ---- */

static gboolean
copy_journal_has (TrStore *store, const char *ticket_id, const char *kind)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = tr_store_journal_list (store, "line", &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      const TrPrintRecord *row = g_ptr_array_index (rows, i);

      if (g_str_equal (row->ticket_id, ticket_id) && g_str_equal (row->kind, kind))
        return TRUE;
    }
  return FALSE;
}

static void
journal_row (TrStore *store, const char *ticket_id, gint64 printed_at)
{
  TrPrintRecord record = { 0, "line", (char *)ticket_id, 1, TR_PRINT_KIND_TICKET, "", 0,
                           printed_at, NULL };
  g_autoptr (GError) error = NULL;

  g_assert_true (tr_store_journal_add (store, &record, 0, &error));
  g_assert_no_error (error);
}

static void
test_journal_pruned (Fixture *f, gconstpointer data)
{
  g_autofree char *id = create_ticket (f, "Burger Kept", NULL);
  g_autofree char *copy_path = g_build_filename (f->dir, "copy.db", NULL);
  g_autoptr (TrStore) copy = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = tr_now_ms ();

  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  /* A copy of the host's file (the host's store is its writer's): its
   * log holds @id. */
  g_assert_true (tr_store_copy_file (f->path, copy_path, &error));
  g_assert_no_error (error);
  copy = tr_store_open (copy_path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  journal_row (copy, id, now - 2 * TR_PRINT_JOURNAL_KEEP_MS);
  journal_row (copy, "gone-old", now - 2 * TR_PRINT_JOURNAL_KEEP_MS);
  journal_row (copy, "gone-recent", now - 1000);
  g_assert_true (tr_store_queue_reprint (copy, "line", "gone-old", 1, NULL,
                                         now - 2 * TR_PRINT_JOURNAL_KEEP_MS, &error));

  g_assert_true (tr_store_prune_journal (copy, now - TR_PRINT_JOURNAL_KEEP_MS, &error));
  g_assert_no_error (error);
  g_assert_true (copy_journal_has (copy, id, TR_PRINT_KIND_TICKET));
  g_assert_false (copy_journal_has (copy, "gone-old", TR_PRINT_KIND_TICKET));
  g_assert_true (copy_journal_has (copy, "gone-recent", TR_PRINT_KIND_TICKET));
  /* Still waiting for the printer: never old. */
  g_assert_true (copy_journal_has (copy, "gone-old", TR_PRINT_KIND_REPRINT));
}

static void
test_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->ok = tr_host_print_test_page_finish (TR_HOST (source), result, &wait->error);
  wait->done = TRUE;
}

static void
removed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->ok = tr_host_remove_printer_finish (TR_HOST (source), result, &wait->error);
  wait->done = TRUE;
}

static void
test_api (Fixture *f, gconstpointer data)
{
  g_autoptr (TrPrinter) bad = tr_printer_new ("bad", "http://printer");
  g_autoptr (GPtrArray) infos = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;
  Wait wait = { 0 };

  tr_host_save_printer_async (f->host, bad, NULL, saved_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the refusal");
  g_assert_error (wait.error, TR_ERROR, TR_ERROR_INVALID);
  g_clear_error (&wait.error);

  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  body = tr_test_http (f->session, f->base_url, "GET", "/api/v1/printers", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  infos = tr_printer_infos_parse (body, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (infos->len, ==, 1);
  g_assert_cmpstr (((TrPrinterInfo *)g_ptr_array_index (infos, 0))->printer->name, ==, "line");

  memset (&wait, 0, sizeof wait);
  tr_host_print_test_page_async (f->host, "line", NULL, test_page_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the test page");
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);
  g_assert_cmpuint (count (f, "T E S T   P A G E"), ==, 1);
  g_assert_cmpuint (count (f, "l i n e"), ==, 1);

  /* Down, with slips waiting: the test page says why at once, it does
   * not wait behind them. */
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_OFFLINE);
  g_free (create_ticket (f, "Burger Waiting", NULL));
  wait_state (f, "line", TR_PRINTER_STATE_OFFLINE);
  memset (&wait, 0, sizeof wait);
  tr_host_print_test_page_async (f->host, "line", NULL, test_page_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the test page's failure");
  g_assert_false (wait.ok);
  g_assert_nonnull (wait.error);
  g_clear_error (&wait.error);
  tr_fake_printer_set_mode (f->printer, TR_FAKE_PRINTER_ONLINE);
  tr_fake_printer_wait_slips (f->printer, 2);
  g_assert_cmpuint (count (f, "Burger Waiting"), ==, 1);

  memset (&wait, 0, sizeof wait);
  tr_host_print_test_page_async (f->host, "nope", NULL, test_page_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the refusal");
  g_assert_error (wait.error, TR_ERROR, TR_ERROR_INVALID);
  g_clear_error (&wait.error);

  memset (&wait, 0, sizeof wait);
  tr_host_remove_printer_async (f->host, "line", NULL, removed_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the removal");
  g_assert_no_error (wait.error);
  g_clear_pointer (&infos, g_ptr_array_unref);
  infos = tr_host_list_printers (f->host);
  g_assert_cmpuint (infos->len, ==, 0);

  memset (&wait, 0, sizeof wait);
  tr_host_remove_printer_async (f->host, "line", NULL, removed_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the refusal");
  g_assert_error (wait.error, TR_ERROR, TR_ERROR_INVALID);
  g_clear_error (&wait.error);
}

/* ---- Reprint shows only where a printer can print (issue 13) ---- */

typedef struct
{
  TrStation *station;
  gboolean can;
} CanReprint;

static gboolean
can_reprint_is (gpointer data)
{
  CanReprint *check = data;

  return tr_station_get_can_reprint (check->station) == check->can;
}

static void
wait_can_reprint (TrStation *station, gboolean can)
{
  CanReprint check = { station, can };
  gboolean property = !can;

  tr_test_wait_for (can_reprint_is, &check, can ? "Reprint to show" : "Reprint to hide");
  g_object_get (station, "can-reprint", &property, NULL);
  g_assert_true (property == can);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *)user_data)++;
}

static gboolean
host_printers_is (gpointer data)
{
  CanReprint *check = data;

  return tr_client_get_host_printers (tr_station_get_client (check->station)) == (int)check->can;
}

static void
remove_printer (TrHost *host, const char *name)
{
  Wait wait = { 0 };

  tr_host_remove_printer_async (host, name, NULL, removed_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the removal");
  g_assert_no_error (wait.error);
}

/* A client station hears the host's printers in its welcome and every
 * pong; a host station asks its own host. A ready-chit printer takes no
 * reprint, so it does not count. */
static void
test_can_reprint (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *client_dir = g_build_filename (f->dir, "client", NULL);
  g_autofree char *host_dir = g_build_filename (f->dir, "own-host", NULL);
  g_autoptr (TrStation) client = NULL;
  g_autoptr (TrStation) host = NULL;
  g_autofree char *body = NULL;
  guint status = 0;
  guint notifies = 0;
  CanReprint one = { NULL, 1 };

  g_assert_no_errno (g_mkdir_with_parents (client_dir, 0700));
  g_assert_no_errno (g_mkdir_with_parents (host_dir, 0700));

  body = tr_test_http (f->session, f->base_url, "GET", "/api/v1/health", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (body, "\"printers\":0"));

  client = tr_station_new_client (client_dir, f->base_url, "Grill", "grill", &error);
  g_assert_no_error (error);
  /* Pongs come with each ping: often, so the test does not wait 5 s. */
  g_object_set (tr_station_get_client (client), "heartbeat-interval", 200u, NULL);
  g_signal_connect (client, "notify::can-reprint", G_CALLBACK (count_notify), &notifies);
  /* Unknown until the welcome: an older host keeps today's Reprint. */
  g_assert_cmpint (tr_client_get_host_printers (tr_station_get_client (client)), ==, -1);
  wait_can_reprint (client, FALSE);
  g_assert_cmpint (tr_client_get_host_printers (tr_station_get_client (client)), ==, 0);
  g_assert_cmpuint (notifies, ==, 1);

  add_printer (f, "expo", TR_PRINTER_MODE_READY_CHIT, NULL, 20);
  g_clear_pointer (&body, g_free);
  body = tr_test_http (f->session, f->base_url, "GET", "/api/v1/health", NULL, NULL, &status);
  g_assert_nonnull (strstr (body, "\"printers\":0"));
  add_printer (f, "line", TR_PRINTER_MODE_ALWAYS, NULL, 20);
  g_clear_pointer (&body, g_free);
  body = tr_test_http (f->session, f->base_url, "GET", "/api/v1/health", NULL, NULL, &status);
  g_assert_nonnull (strstr (body, "\"printers\":1"));
  wait_can_reprint (client, TRUE);
  one.station = client;
  tr_test_wait_for (host_printers_is, &one, "one printer in a pong");
  g_assert_cmpuint (notifies, ==, 2);

  remove_printer (f->host, "line");
  wait_can_reprint (client, FALSE);
  g_assert_cmpuint (notifies, ==, 3);
  tr_station_shutdown (client);

  /* A host station: its own printers, at once. */
  host = tr_station_new_host (host_dir, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_false (tr_station_get_can_reprint (host));
  notifies = 0;
  g_signal_connect (host, "notify::can-reprint", G_CALLBACK (count_notify), &notifies);
  {
    g_autoptr (TrPrinter) printer = tr_printer_new ("line", "tcp://127.0.0.1:9");
    Wait wait = { 0 };

    tr_host_save_printer_async (tr_station_get_host (host), printer, NULL, saved_cb, &wait);
    tr_test_wait_for (wait_done, &wait, "the printer saved");
    g_assert_no_error (wait.error);
  }
  wait_can_reprint (host, TRUE);
  g_assert_cmpuint (notifies, ==, 1);
  remove_printer (tr_station_get_host (host), "line");
  wait_can_reprint (host, FALSE);
  g_assert_cmpuint (notifies, ==, 2);
  tr_station_shutdown (host);
}

typedef struct
{
  TrClient *client;
  int printers;
  TrClientState state;
} ClientCheck;

static gboolean
client_is (gpointer data)
{
  ClientCheck *check = data;

  return tr_client_get_state (check->client) == check->state
         && tr_client_get_host_printers (check->client) == check->printers;
}

/* A station that polls (no WebSocket, so no pongs) reads the count from
 * /api/v1/health as often as it would ping. */
static void
test_can_reprint_polling (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *host_path = g_build_filename (f->dir, "polled.db", NULL);
  g_autofree char *client_path = g_build_filename (f->dir, "poller.db", NULL);
  g_autoptr (TrStore) host_store = tr_store_open (host_path, TR_STORE_DURABILITY_FULL, &error);
  g_autoptr (TrHost) host = NULL;
  g_autoptr (TrStore) client_store = NULL;
  g_autoptr (TrClient) client = NULL;
  g_autoptr (TrPrinter) printer = tr_printer_new ("line", "tcp://127.0.0.1:9");
  g_autofree char *url = NULL;
  ClientCheck check = { NULL, 0, TR_CLIENT_STATE_ONLINE_POLLING };
  Wait wait = { 0 };

  g_assert_no_error (error);
  host = g_object_new (TR_TYPE_HOST, "store", host_store, "port", 0, "loopback-only", TRUE,
                       "require-pairing", FALSE, "websocket-enabled", FALSE, NULL);
  g_assert_true (tr_host_start (host, &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (host));
  client_store = tr_store_open (client_path, TR_STORE_DURABILITY_NORMAL, &error);
  g_assert_no_error (error);
  client = tr_client_new (client_store, url, "Grill", "grill");
  g_object_set (client, "backoff-min", 20, "backoff-max", 500, "heartbeat-interval", 200u, NULL);
  tr_client_start (client);
  check.client = client;
  tr_test_wait_for (client_is, &check, "polling, no printer");

  tr_host_save_printer_async (host, printer, NULL, saved_cb, &wait);
  tr_test_wait_for (wait_done, &wait, "the printer saved");
  g_assert_no_error (wait.error);
  check.printers = 1;
  tr_test_wait_for (client_is, &check, "polling, one printer");

  remove_printer (host, "line");
  check.printers = 0;
  tr_test_wait_for (client_is, &check, "polling, the printer gone");

  tr_client_stop (client);
  g_clear_object (&client);
  g_clear_object (&client_store);
  tr_host_stop (host);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/printing/always", test_always);
  ADD ("/printing/fallback", test_fallback);
  ADD ("/printing/ready-chit", test_ready_chit);
  ADD ("/printing/offline", test_offline);
  ADD ("/printing/paper-out", test_paper_out);
  ADD ("/printing/lying", test_lying);
  ADD ("/printing/reprint", test_reprint);
  ADD ("/printing/journal-pruned", test_journal_pruned);
  ADD ("/printing/api", test_api);
  ADD ("/printing/can-reprint", test_can_reprint);
  ADD ("/printing/can-reprint-polling", test_can_reprint_polling);
#undef ADD
  /* Any non-NULL data: the host's own backoff. */
  g_test_add ("/printing/offline-a-minute", Fixture, "real-backoff", fixture_setup,
              test_offline_a_minute, fixture_teardown);

  return g_test_run ();
}
