/* chaos-station.c: one kitchen station for the chaos test
 *
 * Runs the real TrClient over its own SQLite file (synchronous=NORMAL,
 * as the app does) and issues its own stream of creates, amends and
 * bumps at random intervals, chosen from what it sees. Most are legal
 * from its view; some deliberately race the other stations (hot
 * tickets, a shared "extra" item id), so the host rejects them with a
 * documented reason.
 *
 * Every op id is appended to an fsync'd journal once tr_client_submit()
 * has returned TRUE, that is once the op is durable in the outbox. A
 * SIGKILL between the two can leave an op out of the journal; it was
 * never acknowledged to its issuer, and the driver tolerates at most
 * one such op per kill (docs/reliability.md).
 *
 * Two faults of its own exercise issue 18's scenarios 1 and 2:
 * --apply-faults makes the store fail to apply the host's events (or a
 * snapshot) once, just after an op of its own went out, so the station
 * resyncs by snapshot while the others edit the same hot tickets; and
 * --oversized-pct makes some amendments too large for any frame, which
 * the station must refuse without wedging its outbox.
 *
 * The driver (chaos-driver.c) starts, kills and restarts this process.
 * It prints a status line on stdout four times a second and exits
 * cleanly on SIGTERM.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "chaos-station"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tr-client.h"
#include "tr-codec.h"
#include "tr-error.h"
#include "tr-op.h"
#include "tr-store-private.h"
#include "tr-store.h"

#define STATUS_INTERVAL_MS 250
/* Below this many open tickets creates dominate; above the upper one
 * they become rare, so the set of open tickets stays lively. */
#define FEW_OPEN 6
#define MANY_OPEN 30

typedef struct
{
  TrStore *store;
  TrClient *client;
  GMainLoop *loop;
  GRand *rand;
  char *station_id;
  int journal_fd;
  guint issued;    /* ops in the journal, over every run of this station */
  guint target;    /* stop issuing at this many */
  gint64 deadline; /* wall-clock ms by which the target should be reached */
  guint refused;   /* ops the local store refused (never enqueued) */
  guint rejected;  /* op-rejected signals in this run */
  guint racy_pct;
  guint oversized_pct; /* percent of amends made too large to send */
  guint oversized;     /* those the store refused, in this run */
  guint faults_left;   /* injected apply failures still to come in this run */
  guint faults;        /* injected apply failures that happened in this run */
  gboolean armed;      /* the next apply of the host's state fails */
  guint issue_id;
  guint status_id;
} Station;

static const char *const menu[]
  = { "Burger",  "Fries",    "Caesar salad", "Soup of the day", "Steak",        "Fish tacos",
      "Risotto", "Lemonade", "Brownie",      "Wings",           "Falafel wrap", "Pad thai" };
static const char *const kitchen_stations[] = { "grill", "fry", "cold", "pass" };
static const char *const modifiers[]
  = { "no onion", "extra cheese", "gluten free", "spicy", "rare" };

/* ---- Journal ---- */

/* Counts complete "op " lines; a line cut by a kill has no newline. */
static guint
journal_count (const char *path, gboolean *out_ends_clean)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  guint n = 0;
  const char *line;

  *out_ends_clean = TRUE;
  if (!g_file_get_contents (path, &contents, &length, NULL))
    return 0;
  line = contents;
  while (line < contents + length)
    {
      const char *end = memchr (line, '\n', (gsize)(contents + length - line));

      if (end == NULL)
        {
          *out_ends_clean = FALSE;
          break;
        }
      if (g_str_has_prefix (line, "op "))
        n++;
      line = end + 1;
    }
  return n;
}

static void
journal_write (Station *self, const char *line, gboolean sync)
{
  gsize length = strlen (line);
  gssize written;

  /* One write() per line: a kill leaves it whole or not there. */
  do
    written = write (self->journal_fd, line, length);
  while (written < 0 && errno == EINTR);
  if (written != (gssize)length)
    g_error ("writing the journal failed: %s", g_strerror (errno));
  if (sync && fsync (self->journal_fd) != 0)
    g_error ("fsync of the journal failed: %s", g_strerror (errno));
}

/* ---- Choosing ops ---- */

static double
uniform (Station *self)
{
  return g_rand_double (self->rand);
}

static const char *
pick (Station *self, const char *const *names, guint n)
{
  return names[g_rand_int_range (self->rand, 0, (gint32)n)];
}

#define PICK(self, array) pick (self, array, G_N_ELEMENTS (array))

static TrItem *
new_item (Station *self)
{
  TrItem *item = tr_item_new ();

  item->id = tr_uuid_new ();
  item->name = g_strdup (PICK (self, menu));
  item->quantity = g_rand_int_range (self->rand, 1, 4);
  item->station = g_strdup (PICK (self, kitchen_stations));
  if (uniform (self) < 0.3)
    {
      g_strfreev (item->modifiers);
      item->modifiers = g_new0 (char *, 2);
      item->modifiers[0] = g_strdup (PICK (self, modifiers));
    }
  return item;
}

static TrOp *
make_create (Station *self)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  guint n_items = (guint)g_rand_int_range (self->rand, 1, 5);

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup_printf ("%d", g_rand_int_range (self->rand, 1, 40));
  ticket->guests = g_rand_int_range (self->rand, 1, 8);
  ticket->order_type = uniform (self) < 0.8 ? TR_ORDER_TYPE_DINE_IN : TR_ORDER_TYPE_TAKEAWAY;
  ticket->created_at = tr_now_ms ();
  ticket->updated_at = ticket->created_at;
  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (ticket->items, new_item (self));
  return tr_op_new_create_ticket (self->station_id, ticket);
}

static TrItem *
pick_item (Station *self, TrTicket *ticket, gboolean open_only)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();

  for (guint i = 0; i < ticket->items->len; i++)
    {
      TrItem *item = g_ptr_array_index (ticket->items, i);

      if (!open_only
          || (item->status != TR_ITEM_STATUS_VOIDED && item->status != TR_ITEM_STATUS_SERVED))
        g_ptr_array_add (items, item);
    }
  if (items->len == 0)
    return NULL;
  return g_ptr_array_index (items, g_rand_int_range (self->rand, 0, (gint32)items->len));
}

static TrOp *
make_ticket_bump (Station *self, TrTicket *ticket)
{
  TrTicketStatus to;

  if (uniform (self) < 0.04)
    to = TR_TICKET_STATUS_CANCELLED;
  else
    switch (ticket->status)
      {
        case TR_TICKET_STATUS_NEW:
          to = uniform (self) < 0.7 ? TR_TICKET_STATUS_PREPARING : TR_TICKET_STATUS_READY;
          break;
        case TR_TICKET_STATUS_PREPARING:
          to = TR_TICKET_STATUS_READY;
          break;
        case TR_TICKET_STATUS_READY:
          to = uniform (self) < 0.85 ? TR_TICKET_STATUS_SERVED : TR_TICKET_STATUS_PREPARING;
          break;
        case TR_TICKET_STATUS_SERVED:
          to = TR_TICKET_STATUS_READY; /* recall */
          break;
        case TR_TICKET_STATUS_CANCELLED:
        case TR_TICKET_N_STATUSES:
        default:
          return NULL;
      }
  return tr_op_new_set_ticket_status (self->station_id, ticket->id, to);
}

static TrOp *
make_item_bump (Station *self, TrTicket *ticket)
{
  TrItem *item = pick_item (self, ticket, TRUE);
  TrItemStatus to;

  if (item == NULL)
    return NULL;
  if (uniform (self) < 0.05)
    to = TR_ITEM_STATUS_VOIDED;
  else
    switch (item->status)
      {
        case TR_ITEM_STATUS_PENDING:
          to = TR_ITEM_STATUS_PREPARING;
          break;
        case TR_ITEM_STATUS_PREPARING:
          to = TR_ITEM_STATUS_READY;
          break;
        case TR_ITEM_STATUS_READY:
          to = uniform (self) < 0.85 ? TR_ITEM_STATUS_SERVED : TR_ITEM_STATUS_PREPARING;
          break;
        case TR_ITEM_STATUS_SERVED:
        case TR_ITEM_STATUS_VOIDED:
        case TR_ITEM_N_STATUSES:
        default:
          return NULL;
      }
  return tr_op_new_set_item_status (self->station_id, ticket->id, item->id, to);
}

/* Issue 18, scenario 2: three set_modifiers of 50 x 500 bytes, about
 * 75 KB encoded, over the host's 64 KiB frame limit. */
static TrOp *
make_oversized_amend (Station *self, TrTicket *ticket, TrItem *item)
{
  TrOp *op = tr_op_new_amend_ticket (self->station_id, ticket->id);

  for (guint i = 0; i < 3; i++)
    {
      TrAmendment *amendment = tr_amendment_new (TR_AMEND_SET_MODIFIERS);

      amendment->item_id = g_strdup (item->id);
      g_strfreev (amendment->modifiers);
      amendment->modifiers = g_new0 (char *, TR_MAX_MODIFIERS + 1);
      for (guint j = 0; j < TR_MAX_MODIFIERS; j++)
        {
          char *modifier = g_malloc (TR_MAX_TEXT_BYTES + 1);

          memset (modifier, 'a' + (int)((i + j) % 26), TR_MAX_TEXT_BYTES);
          modifier[TR_MAX_TEXT_BYTES] = '\0';
          amendment->modifiers[j] = modifier;
        }
      g_ptr_array_add (op->amendments, amendment);
    }
  return op;
}

static TrOp *
make_amend (Station *self, TrTicket *ticket)
{
  g_autoptr (TrOp) op = tr_op_new_amend_ticket (self->station_id, ticket->id);
  TrAmendment *amendment = NULL;
  TrItem *item = pick_item (self, ticket, TRUE);
  double roll = uniform (self);

  if (item != NULL && g_rand_int_range (self->rand, 0, 100) < (gint32)self->oversized_pct)
    return make_oversized_amend (self, ticket, item);
  if (roll < 0.15)
    {
      amendment = tr_amendment_new (TR_AMEND_SET_NOTE);
      amendment->text
        = uniform (self) < 0.2 ? NULL : g_strdup_printf ("note %08x", g_rand_int (self->rand));
    }
  else if (roll < 0.25)
    {
      amendment = tr_amendment_new (TR_AMEND_SET_TABLE);
      amendment->text = g_strdup_printf ("%d", g_rand_int_range (self->rand, 1, 40));
    }
  else if (roll < 0.35)
    {
      amendment = tr_amendment_new (TR_AMEND_SET_PRIORITY);
      amendment->priority
        = ticket->priority == TR_PRIORITY_RUSH ? TR_PRIORITY_NORMAL : TR_PRIORITY_RUSH;
    }
  else if (roll < 0.55)
    {
      amendment = tr_amendment_new (TR_AMEND_ADD_ITEM);
      amendment->item = new_item (self);
    }
  else if (roll < 0.62)
    {
      /* Every station that thinks of it adds the same extra, with the
       * same item id: the host takes the first and rejects the others
       * as duplicate_id. */
      amendment = tr_amendment_new (TR_AMEND_ADD_ITEM);
      amendment->item = tr_item_new ();
      amendment->item->id = g_strdup ("extra-bread");
      amendment->item->name = g_strdup ("Bread basket");
    }
  else if (item != NULL && roll < 0.75)
    {
      amendment = tr_amendment_new (TR_AMEND_SET_QUANTITY);
      amendment->item_id = g_strdup (item->id);
      amendment->quantity = item->quantity % 5 + 1;
    }
  else if (item != NULL && roll < 0.85)
    {
      amendment = tr_amendment_new (TR_AMEND_SET_MODIFIERS);
      amendment->item_id = g_strdup (item->id);
      g_strfreev (amendment->modifiers);
      amendment->modifiers = g_new0 (char *, 2);
      amendment->modifiers[0] = g_strdup (PICK (self, modifiers));
    }
  else if (item != NULL && roll < 0.93)
    {
      amendment = tr_amendment_new (TR_AMEND_SET_ITEM_NOTE);
      amendment->item_id = g_strdup (item->id);
      amendment->text
        = g_strdup_printf ("item note %04x", g_rand_int_range (self->rand, 0, 0xffff));
    }
  else if (item != NULL)
    {
      amendment = tr_amendment_new (TR_AMEND_VOID_ITEM);
      amendment->item_id = g_strdup (item->id);
    }
  if (amendment == NULL)
    return NULL;
  g_ptr_array_add (op->amendments, amendment);
  return g_steal_pointer (&op);
}

static int
compare_updated_desc (gconstpointer a, gconstpointer b)
{
  const TrTicket *ta = *(TrTicket *const *)a;
  const TrTicket *tb = *(TrTicket *const *)b;

  return (tb->updated_at > ta->updated_at) - (tb->updated_at < ta->updated_at);
}

static TrOp *
make_op (Station *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) open = tr_store_list_tickets (self->store, TRUE, NULL, &error);
  double p_create;
  TrTicket *ticket;
  double roll;

  if (open == NULL)
    g_error ("listing tickets failed: %s", error->message);
  p_create = open->len < FEW_OPEN ? 0.7 : open->len > MANY_OPEN ? 0.04 : 0.2;
  if (open->len == 0 || uniform (self) < p_create)
    return make_create (self);

  /* A racing op goes for the tickets that changed last, which the other
   * stations are most likely busy with too. */
  if (g_rand_int_range (self->rand, 0, 100) < (gint32)self->racy_pct)
    {
      g_ptr_array_sort (open, compare_updated_desc);
      ticket
        = g_ptr_array_index (open, g_rand_int_range (self->rand, 0, (gint32)MIN (open->len, 3)));
    }
  else
    ticket = g_ptr_array_index (open, g_rand_int_range (self->rand, 0, (gint32)open->len));

  roll = uniform (self);
  if (roll < 0.45)
    return make_ticket_bump (self, ticket);
  if (roll < 0.75)
    return make_item_bump (self, ticket);
  return make_amend (self, ticket);
}

/* ---- Injected apply failures ---- */

/* A temp trigger on the store's own connection fails the write of
 * meta.last_seq, which every apply of events or of a snapshot makes,
 * while temp.chaos_fault.armed is set. The failure rolls the apply back
 * as a disk error would; the client then resyncs by snapshot. */
static void
faults_install (Station *self)
{
  sqlite3 *db = tr_store_get_sqlite (self->store);
  char *message = NULL;

  if (sqlite3_exec (db,
                    "CREATE TEMP TABLE chaos_fault (armed INTEGER NOT NULL);"
                    "INSERT INTO temp.chaos_fault VALUES (0);"
                    "CREATE TEMP TRIGGER chaos_fail_apply BEFORE UPDATE ON main.meta"
                    " WHEN new.key = 'last_seq' AND (SELECT armed FROM temp.chaos_fault) <> 0"
                    " BEGIN SELECT RAISE (ABORT, 'chaos: injected apply failure'); END;",
                    NULL, NULL, &message)
      != SQLITE_OK)
    g_error ("installing the apply fault failed: %s", message);
}

static void
faults_set_armed (Station *self, gboolean armed)
{
  sqlite3 *db = tr_store_get_sqlite (self->store);

  if (sqlite3_exec (db,
                    armed ? "UPDATE temp.chaos_fault SET armed = 1"
                          : "UPDATE temp.chaos_fault SET armed = 0",
                    NULL, NULL, NULL)
      != SQLITE_OK)
    g_error ("arming the apply fault failed: %s", sqlite3_errmsg (db));
  self->armed = armed;
}

/* ---- The loop ---- */

static void
schedule_issue (Station *self);

static void
issue_one (Station *self)
{
  g_autoptr (TrOp) op = NULL;
  g_autoptr (GError) error = NULL;

  for (guint attempt = 0; attempt < 5 && op == NULL; attempt++)
    op = make_op (self);
  if (op == NULL)
    return;
  if (!tr_client_submit (self->client, op, &error))
    {
      /* Not applicable to what this station sees now (its view moved
       * between the choice and the submit, or the choice was racy):
       * nothing was enqueued, so it is not an op of the run. An
       * oversized amendment must end here too, with a limit error. */
      if (g_error_matches (error, TR_ERROR, TR_ERROR_LIMIT))
        self->oversized++;
      self->refused++;
      return;
    }
  {
    g_autofree char *json = tr_op_to_string (op);

    if (strlen (json) > TR_MAX_OP_BYTES)
      g_error ("an oversized op (%zu bytes) was enqueued", strlen (json));
  }
  {
    g_autofree char *line
      = g_strdup_printf ("op %s %s\n", op->op_id, tr_op_kind_to_string (op->kind));

    journal_write (self, line, TRUE);
  }
  self->issued++;
  /* Fail the apply that will most likely carry this op's event. */
  if (self->faults_left > 0 && !self->armed && g_rand_int_range (self->rand, 0, 8) == 0)
    faults_set_armed (self, TRUE);
}

static gboolean
on_issue (gpointer user_data)
{
  Station *self = user_data;

  self->issue_id = 0;
  issue_one (self);
  schedule_issue (self);
  return G_SOURCE_REMOVE;
}

/* Paces the remaining ops to end near the deadline, whatever time the
 * kills took: each wait is uniform in 0..2x the fair share. */
static void
schedule_issue (Station *self)
{
  gint64 left_ms;
  guint left_ops, mean_ms;

  if (self->issued >= self->target)
    return;
  left_ms = MAX (self->deadline - tr_now_ms (), 0);
  left_ops = self->target - self->issued;
  mean_ms = (guint)CLAMP (left_ms / left_ops, 5, 5000);
  self->issue_id = g_timeout_add (
    (guint)g_rand_int_range (self->rand, 0, (gint32)(2 * mean_ms) + 1), on_issue, self);
}

static gboolean
on_status (gpointer user_data)
{
  Station *self = user_data;
  guint reconnects = 0;
  const char *host_id = tr_store_get_host_id (self->store);

  g_object_get (self->client, "reconnects", &reconnects, NULL);
  printf ("status issued=%u target=%u queued=%u last_seq=%" G_GINT64_FORMAT
          " state=%s reconnects=%u rejected=%u refused=%u oversized=%u apply_faults=%u"
          " host=%s\n",
          self->issued, self->target, tr_store_outbox_count (self->store),
          tr_store_get_last_seq (self->store),
          tr_client_state_to_string (tr_client_get_state (self->client)), reconnects,
          self->rejected, self->refused, self->oversized, self->faults,
          host_id && *host_id ? host_id : "-");
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

static void
on_rejected (TrClient *client, const char *op_id, const char *code, const char *message,
             Station *self)
{
  g_autofree char *line = g_strdup_printf ("rejected %s %s\n", op_id, code);

  self->rejected++;
  journal_write (self, line, FALSE);
}

/* The link's story, in the station's log, for when a run fails. */
static void
on_link_notify (TrClient *client, GParamSpec *pspec, Station *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S.%f");
  const char *error = tr_client_get_last_error (client);

  if (self->armed && error != NULL && strstr (error, "chaos: injected apply failure") != NULL)
    {
      faults_set_armed (self, FALSE);
      self->faults_left--;
      self->faults++;
    }

  g_printerr ("%.12s %s: %s, queued %u, last seq %" G_GINT64_FORMAT "%s%s\n", stamp,
              self->station_id, tr_client_state_to_string (tr_client_get_state (client)),
              tr_store_outbox_count (self->store), tr_store_get_last_seq (self->store),
              error ? ": " : "", error ? error : "");
}

static gboolean
on_term (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *url = NULL;
  g_autofree char *station_id = NULL;
  g_autofree char *token = NULL;
  gint64 seed = 1;
  int target = 300;
  gint64 deadline = 0;
  int racy_pct = 10;
  int oversized_pct = 0;
  int apply_faults = 0;
  int backoff_max = 3000;
  gboolean clean = TRUE;
  Station self = { 0 };
  guint term_id, int_id;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "The station's SQLite file", "PATH" },
    { "journal", 0, 0, G_OPTION_ARG_FILENAME, &journal, "Append-only journal of op ids", "PATH" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "Host URL (through the station's proxy)", "URL" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &station_id, "Station id (as paired)", "ID" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token, "Station token from pairing", "TOKEN" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the op choices", "N" },
    { "ops", 0, 0, G_OPTION_ARG_INT, &target, "Ops to issue over all runs", "N" },
    { "deadline", 0, 0, G_OPTION_ARG_INT64, &deadline, "Wall-clock ms to finish issuing by", "MS" },
    { "racy-pct", 0, 0, G_OPTION_ARG_INT, &racy_pct, "Percent of ops aimed at hot tickets", "P" },
    { "backoff-max", 0, 0, G_OPTION_ARG_INT, &backoff_max, "Client reconnect backoff cap", "MS" },
    { "oversized-pct", 0, 0, G_OPTION_ARG_INT, &oversized_pct,
      "Percent of amends too large to send", "P" },
    { "apply-faults", 0, 0, G_OPTION_ARG_INT, &apply_faults,
      "Applies of the host's state to fail once each, in this run", "N" },
    { NULL },
  };

  context = g_option_context_new ("— a Ticketrail station for the chaos test");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("chaos-station: %s\n", error->message);
      return 2;
    }
  if (db == NULL || journal == NULL || url == NULL || station_id == NULL || target < 0
      || racy_pct < 0 || racy_pct > 100 || backoff_max < 1 || oversized_pct < 0
      || oversized_pct > 100 || apply_faults < 0)
    {
      g_printerr ("chaos-station: --db, --journal, --url and --id are required\n");
      return 2;
    }

  self.store = tr_store_open (db, TR_STORE_DURABILITY_NORMAL, &error);
  if (self.store == NULL)
    {
      g_printerr ("chaos-station: cannot open %s: %s\n", db, error->message);
      return 1;
    }
  self.station_id = station_id;
  self.issued = journal_count (journal, &clean);
  self.target = (guint)target;
  self.deadline = deadline > 0 ? deadline : tr_now_ms () + 60000;
  self.racy_pct = (guint)racy_pct;
  self.oversized_pct = (guint)oversized_pct;
  self.faults_left = (guint)apply_faults;
  if (apply_faults > 0)
    faults_install (&self);
  /* Each run of the station makes different choices. */
  self.rand = g_rand_new_with_seed ((guint32)(seed * 7919 + self.issued));
  self.journal_fd = open (journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (self.journal_fd < 0)
    {
      g_printerr ("chaos-station: cannot open %s: %s\n", journal, g_strerror (errno));
      return 1;
    }
  if (!clean)
    journal_write (&self, "\n", TRUE); /* end the line a kill cut short */

  self.client = g_object_new (TR_TYPE_CLIENT, "store", self.store, "host-url", url, "station-id",
                              station_id, "station-name", station_id, "role", "kitchen", "token",
                              token, "backoff-max", (guint)backoff_max, NULL);
  g_signal_connect (self.client, "op-rejected", G_CALLBACK (on_rejected), &self);
  g_signal_connect (self.client, "notify::state", G_CALLBACK (on_link_notify), &self);
  g_signal_connect (self.client, "notify::last-error", G_CALLBACK (on_link_notify), &self);

  self.loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, on_term, self.loop);
  int_id = g_unix_signal_add (SIGINT, on_term, self.loop);
  tr_client_start (self.client);
  self.status_id = g_timeout_add (STATUS_INTERVAL_MS, on_status, &self);
  on_status (&self);
  schedule_issue (&self);

  g_main_loop_run (self.loop);

  g_clear_handle_id (&self.issue_id, g_source_remove);
  g_clear_handle_id (&self.status_id, g_source_remove);
  g_source_remove (term_id);
  g_source_remove (int_id);
  tr_client_stop (self.client);
  /* Let the client's cancelled requests finish before it goes. */
  for (int i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_object (&self.client);
  for (int i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_object (&self.store);
  g_main_loop_unref (self.loop);
  g_rand_free (self.rand);
  close (self.journal_fd);
  printf ("stopped issued=%u\n", self.issued);
  return 0;
}
