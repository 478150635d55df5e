/* bench/export.c: a chain of restaurants exporting into one PostgreSQL
 *
 *   bench-export [--sites 50] [--rate 2] [--seconds 60] [--fsync]
 *   bench-export --backlog 20000 [--sites 50] [--fsync]
 *
 * Starts a throwaway PostgreSQL (tests/tr-test-postgres.c), then one
 * process per site: this program again with --child, a host of its own
 * (a TrStore with FULL durability and a TrExporter, as ticketrail-host
 * --export runs them) that applies ops at --rate events per second for
 * --seconds, then waits for its export to catch up. Each child reports,
 * for every event, the time from its commit on the host to the moment
 * the exporter reported it in PostgreSQL.
 *
 * Reports: events/s offered and sustained into PostgreSQL, that lag's
 * p50/p99/max, and PostgreSQL's bytes per 1,000 events. The figures are
 * in docs/reporting.md.
 *
 * With --backlog N each site first writes N events with PostgreSQL out
 * of reach, then all start exporting at once, as after an outage: what
 * PostgreSQL absorbs in full batches is the ceiling.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-export"

#include <gio/gio.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "tr-exporter.h"
#include "tr-store.h"
#include "tr-test-postgres.h"
#include "tr-test-util.h"

static gint64
pg_int (PGconn *conn, const char *sql);

/* ---- one site ---- */

/* A lunch ticket: four items on three routes, then each item bumped,
 * then served: six events. */
static const char *const DISHES[][2] = {
  { "Cheeseburger", "grill" },
  { "Fries", "fry" },
  { "Caesar salad", "cold" },
  { "Steak frites", "grill" },
};

typedef struct
{
  TrStore *store;
  TrExporter *exporter;
  GQueue open;     /* TrTicket*: oldest first */
  GArray *commits; /* gint64 monotonic µs, by seq */
  GArray *lags;    /* gint64 ms, one per exported event */
  gint64 reported; /* seqs up to here have their lag in lags */
  guint64 written;
  guint64 target;
  guint ticket_no;
} Site;

static TrOp *
site_next_op (Site *site, const char *site_id)
{
  TrTicket *ticket = g_queue_peek_head (&site->open);

  /* Three tickets in the kitchen at a time, one step at a time. */
  if (ticket == NULL || g_queue_get_length (&site->open) < 3)
    {
      g_autoptr (TrTicket) fresh = tr_ticket_new ();
      TrOp *op;

      fresh->id = tr_uuid_new ();
      fresh->table = g_strdup_printf ("T%u", 1 + site->ticket_no % 24);
      fresh->server = g_strdup ("Sam");
      fresh->guests = 2;
      for (guint i = 0; i < G_N_ELEMENTS (DISHES); i++)
        {
          TrItem *item = tr_item_new ();

          item->id = tr_uuid_new ();
          item->name = g_strdup (DISHES[i][0]);
          item->station = g_strdup (DISHES[i][1]);
          item->quantity = 1 + (site->ticket_no + i) % 2;
          g_strfreev (item->modifiers);
          item->modifiers = g_strsplit (i == 0 ? "no onion,extra pickles" : "", ",", -1);
          g_ptr_array_add (fresh->items, item);
        }
      site->ticket_no++;
      op = tr_op_new_create_ticket (site_id, fresh);
      g_queue_push_tail (&site->open, g_steal_pointer (&fresh));
      return op;
    }

  for (guint i = 0; i < ticket->items->len; i++)
    {
      TrItem *item = g_ptr_array_index (ticket->items, i);

      if (item->status != TR_ITEM_STATUS_READY)
        {
          item->status = TR_ITEM_STATUS_READY;
          return tr_op_new_set_item_status (DISHES[i][1], ticket->id, item->id,
                                            TR_ITEM_STATUS_READY);
        }
    }
  {
    TrOp *op = tr_op_new_set_ticket_status ("expo", ticket->id, TR_TICKET_STATUS_SERVED);

    tr_ticket_free (g_queue_pop_head (&site->open));
    return op;
  }
}

static void
site_on_exported (TrExporter *exporter, GParamSpec *pspec, Site *site)
{
  gint64 exported = tr_exporter_get_exported_seq (exporter);
  gint64 now = g_get_monotonic_time ();

  for (gint64 seq = site->reported + 1; seq <= exported && seq < (gint64)site->commits->len; seq++)
    {
      gint64 lag = (now - g_array_index (site->commits, gint64, seq)) / 1000;

      g_array_append_val (site->lags, lag);
    }
  if (exported > site->reported)
    site->reported = exported;
}

static void
site_write (Site *site, const char *site_id, guint n)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now;

  /* The host's group commit: what arrived in one loop iteration, in one
   * transaction. Each op reads the state the ones before it leave. */
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (ops, site_next_op (site, site_id));
  outcomes = tr_store_apply_ops (site->store, ops, &error);
  if (outcomes == NULL)
    g_error ("%s", error->message);
  now = g_get_monotonic_time ();
  for (guint i = 0; i < outcomes->len; i++)
    {
      TrOutcome *outcome = g_ptr_array_index (outcomes, i);

      if (outcome->result != TR_APPLY_APPLIED)
        g_error ("op %s: %s", outcome->op_id, outcome->error_message);
      if ((gint64)site->commits->len <= outcome->seq)
        g_array_set_size (site->commits, outcome->seq + 1);
      g_array_index (site->commits, gint64, outcome->seq) = now;
    }
  site->written += n;
}

static int
run_backlog (const char *site_id, const char *conninfo, const char *dir, guint backlog)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, site_id, "ticketrail.db", NULL);
  Site site = { 0 };
  gint64 start;

  site.commits = g_array_new (FALSE, TRUE, sizeof (gint64));
  site.store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  if (site.store == NULL)
    g_error ("%s", error->message);
  for (guint written = 0; written < backlog; written += 50)
    site_write (&site, site_id, MIN (50, backlog - written));
  /* The parent starts the clock when every site has its backlog. */
  printf ("R\n");
  fflush (stdout);
  if (getchar () == EOF)
    return 1;

  site.exporter = g_object_new (TR_TYPE_EXPORTER, "database-path", path, "host-id",
                                tr_store_get_db_id (site.store), "site-id", site_id, "conninfo",
                                conninfo, NULL);
  start = g_get_monotonic_time ();
  if (!tr_exporter_start (site.exporter, &error))
    g_error ("%s", error->message);
  while (tr_exporter_get_exported_seq (site.exporter) < tr_store_get_head_seq (site.store))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  printf ("C %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", tr_store_get_head_seq (site.store),
          g_get_monotonic_time () - start);
  fflush (stdout);
  tr_exporter_stop (site.exporter);
  g_object_unref (site.exporter);
  g_object_unref (site.store);
  g_queue_clear_full (&site.open, (GDestroyNotify)tr_ticket_free);
  g_array_unref (site.commits);
  return 0;
}

/* The parent's side of --backlog. */
static void
measure_backlog (GPtrArray *children, PGconn *conn)
{
  g_autoptr (GError) error = NULL;
  gint64 total = 0, slowest = 0, start;

  for (guint i = 0; i < children->len; i++)
    {
      g_autoptr (GDataInputStream) out
        = g_data_input_stream_new (g_subprocess_get_stdout_pipe (g_ptr_array_index (children, i)));
      g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, "R");
      g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
    }
  start = g_get_monotonic_time ();
  for (guint i = 0; i < children->len; i++)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (g_ptr_array_index (children, i));

      g_output_stream_write_all (in, "go\n", 3, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < children->len; i++)
    {
      g_autofree char *out = NULL;
      gint64 n = 0, us = 0;

      g_subprocess_communicate_utf8 (g_ptr_array_index (children, i), NULL, NULL, &out, NULL,
                                     &error);
      g_assert_no_error (error);
      g_assert_cmpint (sscanf (out, "C %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &n, &us), ==, 2);
      total += n;
      slowest = MAX (slowest, us);
    }
  g_print ("backlog of %" G_GINT64_FORMAT " events: in PostgreSQL (%" G_GINT64_FORMAT
           ") after %.1f s, %.0f events/s; slowest site %.1f s\n",
           total, pg_int (conn, "SELECT count (*) FROM ticketrail.events"),
           (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC,
           (double)total * G_USEC_PER_SEC / (double)(g_get_monotonic_time () - start),
           (double)slowest / G_USEC_PER_SEC);
}

static int
run_site (const char *site_id, const char *conninfo, const char *dir, double rate, guint seconds)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, site_id, "ticketrail.db", NULL);
  Site site = { 0 };
  gint64 start, end, next;
  double interval_us = G_USEC_PER_SEC / rate;
  guint64 due = 0;

  site.commits = g_array_new (FALSE, TRUE, sizeof (gint64));
  site.lags = g_array_new (FALSE, FALSE, sizeof (gint64));
  site.store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  if (site.store == NULL)
    g_error ("%s", error->message);
  site.exporter = g_object_new (TR_TYPE_EXPORTER, "database-path", path, "host-id",
                                tr_store_get_db_id (site.store), "site-id", site_id, "site-name",
                                site_id, "conninfo", conninfo, NULL);
  g_signal_connect (site.exporter, "notify::exported-seq", G_CALLBACK (site_on_exported), &site);
  if (!tr_exporter_start (site.exporter, &error))
    g_error ("%s", error->message);

  /* Each site starts at its own moment within the first interval. */
  start = g_get_monotonic_time () + g_random_int_range (0, (gint32)MIN (interval_us, 1e6));
  end = start + (gint64)seconds * G_USEC_PER_SEC;
  next = start;
  while (g_get_monotonic_time () < end)
    {
      gint64 now = g_get_monotonic_time ();

      if (now >= next)
        {
          guint64 wanted = (guint64)((now - start) / interval_us) + 1;

          if (wanted > due)
            {
              site_write (&site, site_id, (guint)MIN (wanted - due, 50));
              due = wanted;
            }
          next = start + (gint64)(due * interval_us);
        }
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (MIN (MAX (next - g_get_monotonic_time (), 0), 10000));
    }

  /* Then let it catch up (bounded: a stuck export is a result too). */
  end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (site.reported < tr_store_get_head_seq (site.store) && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  /* At the end: a pipe nobody reads yet would block the writer. */
  for (guint i = 0; i < site.lags->len; i++)
    printf ("L %" G_GINT64_FORMAT "\n", g_array_index (site.lags, gint64, i));
  printf ("W %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n", site.written, site.reported);
  fflush (stdout);
  g_array_unref (site.lags);
  tr_exporter_stop (site.exporter);
  g_object_unref (site.exporter);
  g_object_unref (site.store);
  g_queue_clear_full (&site.open, (GDestroyNotify)tr_ticket_free);
  g_array_unref (site.commits);
  return 0;
}

/* ---- the chain ---- */

static gint64
pg_int (PGconn *conn, const char *sql)
{
  PGresult *result = PQexec (conn, sql);
  gint64 value = -1;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1
      && !PQgetisnull (result, 0, 0))
    value = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  return value;
}

static int
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

static gint64
percentile (GArray *sorted, double p)
{
  if (sorted->len == 0)
    return -1;
  return g_array_index (sorted, gint64, MIN ((guint)(p * sorted->len), sorted->len - 1));
}

int
main (int argc, char *argv[])
{
  int sites = 50;
  double rate = 2;
  int seconds = 60;
  gboolean fsync = FALSE;
  int backlog = 0;
  g_autofree char *child_site = NULL;
  g_autofree char *child_conninfo = NULL;
  g_autofree char *child_dir = NULL;
  const GOptionEntry entries[]
    = { { "sites", 0, 0, G_OPTION_ARG_INT, &sites, "Sites, one process each (default 50)", "N" },
        { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, "Events per second per site (default 2)", "R" },
        { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "How long they write (default 60)", "S" },
        { "fsync", 0, 0, G_OPTION_ARG_NONE, &fsync, "PostgreSQL with fsync=on", NULL },
        { "backlog", 0, 0, G_OPTION_ARG_INT, &backlog,
          "Write N events per site first, then export them all at once", "N" },
        { "child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &child_site, NULL, NULL },
        { "conninfo", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &child_conninfo, NULL, NULL },
        { "dir", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &child_dir, NULL, NULL },
        { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new ("— a chain exporting into PostgreSQL");
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTestPostgres) server = NULL;
  g_autoptr (GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) lags = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *dir = NULL;
  g_autofree char *conninfo = NULL;
  PGconn *conn;
  gint64 t0, t1, count0, count1, written = 0, size_events, size_all, n_events;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (child_site != NULL && backlog > 0)
    return run_backlog (child_site, child_conninfo, child_dir, (guint)backlog);
  if (child_site != NULL)
    return run_site (child_site, child_conninfo, child_dir, rate, (guint)seconds);

  server = tr_test_postgres_new (fsync, &error);
  if (server == NULL)
    g_error ("%s", error->message);
  conn = PQconnectdb (tr_test_postgres_get_conninfo (server));
  PQclear (PQexec (conn, "CREATE DATABASE bench"));
  PQfinish (conn);
  conninfo = g_strdup_printf ("%s dbname=bench", tr_test_postgres_get_conninfo (server));
  conn = PQconnectdb (conninfo);
  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (conn));
  dir = g_dir_make_tmp ("bench-export-XXXXXX", &error);
  g_assert_no_error (error);

  if (backlog > 0)
    g_print ("%d sites with a backlog of %d events each into one PostgreSQL 15 (fsync=%s)\n", sites,
             backlog, fsync ? "on" : "off");
  else
    g_print ("%d sites x %.1f events/s for %d s into one PostgreSQL 15 (fsync=%s)\n", sites, rate,
             seconds, fsync ? "on" : "off");
  for (int i = 0; i < sites; i++)
    {
      g_autofree char *site = g_strdup_printf ("site-%03d", i);
      g_autofree char *rate_text = g_strdup_printf ("%g", rate);
      g_autofree char *seconds_text = g_strdup_printf ("%d", seconds);
      g_autofree char *backlog_text = g_strdup_printf ("%d", backlog);
      const char *child_argv[]
        = { argv[0],  "--child", site,        "--conninfo", conninfo,    "--dir",      dir,
            "--rate", rate_text, "--seconds", seconds_text, "--backlog", backlog_text, NULL };
      GSubprocess *child = g_subprocess_newv (
        child_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);

      g_assert_no_error (error);
      g_ptr_array_add (children, child);
    }

  if (backlog > 0)
    measure_backlog (children, conn);
  else
    {
      guint n_done = 0;

      /* Warm-up: the first 10 s of the run are not counted. */
      g_usleep (10 * G_USEC_PER_SEC);
      t0 = g_get_monotonic_time ();
      count0 = pg_int (conn, "SELECT count (*) FROM ticketrail.events");
      g_usleep ((gulong)MAX (seconds - 15, 1) * G_USEC_PER_SEC);
      t1 = g_get_monotonic_time ();
      count1 = pg_int (conn, "SELECT count (*) FROM ticketrail.events");

      for (guint i = 0; i < children->len; i++)
        {
          GSubprocess *child = g_ptr_array_index (children, i);
          g_autofree char *out = NULL;

          g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error);
          g_assert_no_error (error);
          g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

          for (guint l = 0; lines[l] != NULL; l++)
            {
              gint64 a, b;

              if (sscanf (lines[l], "L %" G_GINT64_FORMAT, &a) == 1)
                g_array_append_val (lags, a);
              else if (sscanf (lines[l], "W %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &a, &b) == 2)
                {
                  written += a;
                  n_done++;
                }
            }
        }
      g_array_sort (lags, compare_int64);
      n_events = pg_int (conn, "SELECT count (*) FROM ticketrail.events");
      PQclear (PQexec (conn, "VACUUM ANALYZE"));
      size_events = pg_int (conn, "SELECT pg_total_relation_size ('ticketrail.events')");
      size_all = pg_int (conn, "SELECT sum (pg_total_relation_size (c.oid)) FROM pg_class c"
                               " JOIN pg_namespace n ON n.oid = c.relnamespace"
                               " WHERE n.nspname = 'ticketrail' AND c.relkind = 'r'");
      g_print ("events written on the hosts: %" G_GINT64_FORMAT "; in PostgreSQL: %" G_GINT64_FORMAT
               "; sites that finished: %u/%d\n",
               written, n_events, n_done, sites);
      g_print ("offered: %.0f events/s; sustained into PostgreSQL: %.0f events/s (over %.0f s)\n",
               sites * rate, (double)(count1 - count0) * G_USEC_PER_SEC / (double)(t1 - t0),
               (double)(t1 - t0) / G_USEC_PER_SEC);
      g_print ("lag, commit on the host to in PostgreSQL (ms): p50 %" G_GINT64_FORMAT
               ", p99 %" G_GINT64_FORMAT ", max %" G_GINT64_FORMAT " (%u events)\n",
               percentile (lags, 0.5), percentile (lags, 0.99), percentile (lags, 1.0), lags->len);
      g_print ("size per 1,000 events: events %.0f KiB, all tables with indexes %.0f KiB\n",
               (double)size_events / (double)MAX (n_events, 1) * 1000 / 1024,
               (double)size_all / (double)MAX (n_events, 1) * 1000 / 1024);
    }
  PQfinish (conn);
  tr_test_remove_tree (dir);
  return 0;
}
