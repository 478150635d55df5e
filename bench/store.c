/* store.c: how fast the host's ledger commits
 *
 * Applies a realistic stream of ops (a ticket with 4 items is created,
 * each item goes preparing then ready, the ticket is served; 16 tickets
 * in flight at once) to a fresh WAL database:
 *   - one op per transaction with synchronous=NORMAL and FULL;
 *   - the latency of one durable (FULL) apply: p50, p99, max;
 *   - group commit, batches of 32, with FULL.
 *
 * Usage: bench-store [--ops N] [--dir DIR]   (DIR: where the files go; the
 * filesystem matters for FULL, so run it where the data will live)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-store"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "tr-store-private.h"
#include "tr-store.h"

#define N_IN_FLIGHT 16
#define N_ITEMS 4
#define BATCH_SIZE 32
/* create + 4 × preparing + 4 × ready + served */
#define STEPS_PER_TICKET (1 + 2 * N_ITEMS + 1)

typedef struct
{
  TrTicket *ticket;
  guint step;
} Plan;

static TrTicket *
make_ticket (void)
{
  static const char *const stations[N_ITEMS] = { "grill", "fry", "cold", "grill" };
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup ("14");
  ticket->server = g_strdup ("Ana");
  ticket->guests = 3;
  for (guint i = 0; i < N_ITEMS; i++)
    {
      TrItem *item = tr_item_new ();

      item->id = tr_uuid_new ();
      item->name = g_strdup_printf ("Dish number %u", i);
      item->quantity = 1 + (int)i % 2;
      item->station = g_strdup (stations[i]);
      if (i == 0)
        {
          g_strfreev (item->modifiers);
          item->modifiers = g_strsplit ("no onions,extra cheese", ",", -1);
        }
      g_ptr_array_add (ticket->items, item);
    }
  return ticket;
}

static TrOp *
plan_next_op (Plan *plan)
{
  guint step = plan->step++;
  const TrTicket *ticket = plan->ticket;

  if (step == 0)
    return tr_op_new_create_ticket ("bench", ticket);
  if (step <= 2 * N_ITEMS)
    {
      guint index = (step - 1) % N_ITEMS;
      TrItemStatus status = step <= N_ITEMS ? TR_ITEM_STATUS_PREPARING : TR_ITEM_STATUS_READY;
      const TrItem *item = g_ptr_array_index (ticket->items, index);

      return tr_op_new_set_item_status ("bench", ticket->id, item->id, status);
    }
  return tr_op_new_set_ticket_status ("bench", ticket->id, TR_TICKET_STATUS_SERVED);
}

/* @n ops of the mix, made before the clock starts. */
static GPtrArray *
make_workload (guint n)
{
  GPtrArray *ops = g_ptr_array_new_full (n, (GDestroyNotify)tr_op_free);
  Plan plans[N_IN_FLIGHT] = { {
    0,
  } };

  for (guint i = 0; i < n; i++)
    {
      Plan *plan = &plans[i % N_IN_FLIGHT];

      if (plan->ticket == NULL || plan->step == STEPS_PER_TICKET)
        {
          g_clear_pointer (&plan->ticket, tr_ticket_free);
          plan->ticket = make_ticket ();
          plan->step = 0;
        }
      g_ptr_array_add (ops, plan_next_op (plan));
    }
  for (guint i = 0; i < N_IN_FLIGHT; i++)
    g_clear_pointer (&plans[i].ticket, tr_ticket_free);
  return ops;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  const char *name;
  guint n_ops;
  double seconds;
  /* per commit, µs */
  gint64 p50;
  gint64 p99;
  gint64 max;
  guint n_not_applied;
  guint n_checkpoints;
  guint n_inline;
  gint64 wal_peak;
} Result;

static void
run (const char *dir, const char *name, TrStoreDurability durability, guint batch_size, guint n_ops,
     Result *result)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "bench.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr (GPtrArray) ops = make_workload (n_ops);
  g_autoptr (TrStore) store = NULL;
  g_autofree gint64 *latencies = NULL;
  guint n_commits = (n_ops + batch_size - 1) / batch_size;
  gint64 start, end;

  g_remove (path);
  g_remove (wal);
  g_remove (shm);
  store = tr_store_open (path, durability, &error);
  if (store == NULL)
    g_error ("%s", error->message);

  latencies = g_new0 (gint64, n_commits);
  result->name = name;
  result->n_ops = n_ops;
  result->n_not_applied = 0;

  start = g_get_monotonic_time ();
  for (guint c = 0; c < n_commits; c++)
    {
      guint first = c * batch_size;
      guint count = MIN (batch_size, n_ops - first);
      gint64 t0 = g_get_monotonic_time ();

      if (batch_size == 1)
        {
          g_autoptr (TrOutcome) outcome
            = tr_store_apply_op (store, g_ptr_array_index (ops, first), &error);

          if (outcome == NULL)
            g_error ("%s", error->message);
          if (outcome->result != TR_APPLY_APPLIED)
            result->n_not_applied++;
        }
      else
        {
          g_autoptr (GPtrArray) batch = g_ptr_array_new_full (count, NULL);
          g_autoptr (GPtrArray) outcomes = NULL;

          for (guint i = 0; i < count; i++)
            g_ptr_array_add (batch, g_ptr_array_index (ops, first + i));
          outcomes = tr_store_apply_ops (store, batch, &error);
          if (outcomes == NULL)
            g_error ("%s", error->message);
          for (guint i = 0; i < outcomes->len; i++)
            if (((TrOutcome *)g_ptr_array_index (outcomes, i))->result != TR_APPLY_APPLIED)
              result->n_not_applied++;
        }
      latencies[c] = g_get_monotonic_time () - t0;

      /* The store's checkpoint thread keeps the WAL bounded; the host's
       * minutely TRUNCATE (tr_store_checkpoint) never falls in a run. */
      if (c % 64 == 0)
        {
          GStatBuf st;

          if (g_stat (wal, &st) == 0)
            result->wal_peak = MAX (result->wal_peak, (gint64)st.st_size);
        }
    }
  end = g_get_monotonic_time ();
  if (tr_store_get_checkpointer (store) != NULL)
    {
      result->n_checkpoints = tr_checkpointer_get_n_checkpoints (tr_store_get_checkpointer (store));
      result->n_inline = tr_checkpointer_get_n_inline (tr_store_get_checkpointer (store));
    }

  qsort (latencies, n_commits, sizeof (gint64), compare_gint64);
  result->seconds = (double)(end - start) / G_USEC_PER_SEC;
  result->p50 = latencies[n_commits / 2];
  result->p99 = latencies[MIN (n_commits - 1, (guint)((guint64)n_commits * 99 / 100))];
  result->max = latencies[n_commits - 1];

  g_clear_object (&store);
  g_remove (path);
  g_remove (wal);
  g_remove (shm);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- SQLite store throughput");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  int n_ops = 20000;
  int only = -1;
  GOptionEntry entries[] = {
    { "ops", 0, 0, G_OPTION_ARG_INT, &n_ops, "Ops per run (default 20000)", "N" },
    { "only", 0, 0, G_OPTION_ARG_INT, &only, "Run only this row (0-3), for profiling", "ROW" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where to put the database", "DIR" },
    { NULL },
  };
  static const struct
  {
    const char *name;
    TrStoreDurability durability;
    guint batch_size;
  } runs[] = {
    { "WAL + NORMAL, 1 op/commit", TR_STORE_DURABILITY_NORMAL, 1 },
    { "WAL + FULL, 1 op/commit", TR_STORE_DURABILITY_FULL, 1 },
    { "WAL + FULL, 32 ops/commit", TR_STORE_DURABILITY_FULL, BATCH_SIZE },
    { "WAL + NORMAL, 32 ops/commit", TR_STORE_DURABILITY_NORMAL, BATCH_SIZE },
  };
  Result results[G_N_ELEMENTS (runs)] = { {
    0,
  } };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_ops < BATCH_SIZE)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--ops: at least 32");
      return 2;
    }
  if (dir == NULL)
    {
      tmp = g_dir_make_tmp ("bench-store-XXXXXX", &error);
      if (tmp == NULL)
        g_error ("%s", error->message);
      dir = g_strdup (tmp);
    }

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    if (only < 0 || (guint)only == i)
      run (dir, runs[i].name, runs[i].durability, runs[i].batch_size, (guint)n_ops, &results[i]);

  if (tmp != NULL)
    g_rmdir (tmp);

  printf ("Store benchmark: %d ops per run; mix per ticket: 1 create (4 items), 8 item bumps,\n"
          "1 ticket bump; %d tickets in flight. Latency is per commit (one apply call).\n\n",
          n_ops, N_IN_FLIGHT);
  printf ("| %-28s | %10s | %9s | %9s | %9s | %12s | %8s |\n", "run", "ops/s", "p50 (ms)",
          "p99 (ms)", "max (ms)", "checkpoints", "WAL MiB");
  printf ("|------------------------------|-----------:|----------:|----------:|----------:|"
          "-------------:|---------:|\n");
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      const Result *r = &results[i];

      if (r->name == NULL)
        continue;
      g_autofree char *checkpoints
        = g_strdup_printf ("%u + %u inline", r->n_checkpoints, r->n_inline);

      printf ("| %-28s | %10.0f | %9.3f | %9.3f | %9.3f | %12s | %8.1f |\n", r->name,
              r->n_ops / r->seconds, r->p50 / 1000.0, r->p99 / 1000.0, r->max / 1000.0, checkpoints,
              r->wal_peak / 1048576.0);
      if (r->n_not_applied > 0)
        printf ("  warning: %u ops were not applied\n", r->n_not_applied);
    }
  return 0;
}
