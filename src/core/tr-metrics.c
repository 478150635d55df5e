/* tr-metrics.c: the host's counters, for GET /metrics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-metrics.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tr-metrics-text.h"

/* A group commit is one fsync: well under a millisecond on an SSD,
 * tens of milliseconds on an SD card, seconds when the disk is failing. */
static const double commit_bounds[]
  = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };
/* An ack also waits for the commit before it and for the rate limit. */
static const double ack_bounds[]
  = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

/* Every result is listed from the start, so that rate() sees a counter
 * go from 0 rather than appear. */
static const char *const op_results[] = { "applied", "duplicate", "rejected", "failed" };

struct _TrMetrics
{
  GHashTable *ops;              /* result → guint64* */
  GHashTable *http_requests;    /* GUINT_TO_POINTER (code) → guint64* */
  GHashTable *websocket_closes; /* GUINT_TO_POINTER (code) → guint64* */
  TrHistogram commit_seconds;
  TrHistogram op_ack_seconds;
};

TrMetrics *
tr_metrics_new (void)
{
  TrMetrics *metrics = g_new0 (TrMetrics, 1);

  metrics->ops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (op_results); i++)
    g_hash_table_insert (metrics->ops, g_strdup (op_results[i]), g_new0 (guint64, 1));
  metrics->http_requests = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  metrics->websocket_closes = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  tr_histogram_init (&metrics->commit_seconds, commit_bounds, G_N_ELEMENTS (commit_bounds));
  tr_histogram_init (&metrics->op_ack_seconds, ack_bounds, G_N_ELEMENTS (ack_bounds));
  return metrics;
}

void
tr_metrics_free (TrMetrics *metrics)
{
  if (metrics == NULL)
    return;
  g_hash_table_unref (metrics->ops);
  g_hash_table_unref (metrics->http_requests);
  g_hash_table_unref (metrics->websocket_closes);
  tr_histogram_clear (&metrics->commit_seconds);
  tr_histogram_clear (&metrics->op_ack_seconds);
  g_free (metrics);
}

static void
count_code (GHashTable *table, guint code)
{
  guint64 *n = g_hash_table_lookup (table, GUINT_TO_POINTER (code));

  if (n == NULL)
    {
      n = g_new0 (guint64, 1);
      g_hash_table_insert (table, GUINT_TO_POINTER (code), n);
    }
  (*n)++;
}

void
tr_metrics_count_op (TrMetrics *metrics, const char *result)
{
  guint64 *n = g_hash_table_lookup (metrics->ops, result);

  if (n == NULL)
    {
      n = g_new0 (guint64, 1);
      g_hash_table_insert (metrics->ops, g_strdup (result), n);
    }
  (*n)++;
}

guint64
tr_metrics_get_ops (TrMetrics *metrics, const char *result)
{
  guint64 *n = g_hash_table_lookup (metrics->ops, result);

  return n != NULL ? *n : 0;
}

void
tr_metrics_count_http_request (TrMetrics *metrics, guint code)
{
  count_code (metrics->http_requests, code);
}

void
tr_metrics_count_websocket_close (TrMetrics *metrics, guint code)
{
  /* RFC 6455 reserves 1006 for "closed without a close frame", which
   * libsoup reports as 0. */
  count_code (metrics->websocket_closes, code != 0 ? code : 1006);
}

void
tr_metrics_observe_commit (TrMetrics *metrics, double seconds)
{
  tr_histogram_observe (&metrics->commit_seconds, seconds);
}

void
tr_metrics_observe_op_ack (TrMetrics *metrics, double seconds)
{
  tr_histogram_observe (&metrics->op_ack_seconds, seconds);
}

/* g_hash_table_get_keys_as_ptr_array() is GLib 2.76. */
static GPtrArray *
keys_of (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (table));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  return keys;
}

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (*(gconstpointer *)a);
  guint y = GPOINTER_TO_UINT (*(gconstpointer *)b);

  return x < y ? -1 : x > y;
}

static int
compare_string (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* In a stable order, so that two scrapes differ only in their values. */
static void
write_by_code (GString *out, const char *name, GHashTable *table)
{
  g_autoptr (GPtrArray) codes = keys_of (table);

  g_ptr_array_sort (codes, compare_uint);
  for (guint i = 0; i < codes->len; i++)
    {
      g_autofree char *code = g_strdup_printf ("%u", GPOINTER_TO_UINT (codes->pdata[i]));
      const char *labels[] = { "code", code, NULL };
      const guint64 *n = g_hash_table_lookup (table, codes->pdata[i]);

      tr_metrics_text_sample (out, name, labels, (double)*n);
    }
}

void
tr_metrics_write (TrMetrics *metrics, GString *out)
{
  g_autoptr (GPtrArray) results = keys_of (metrics->ops);

  tr_metrics_text_family (out, "ticketrail_ops_total", "counter",
                          "Ops the host has answered, by result.");
  g_ptr_array_sort (results, compare_string);
  for (guint i = 0; i < results->len; i++)
    {
      const char *labels[] = { "result", results->pdata[i], NULL };

      tr_metrics_text_sample (out, "ticketrail_ops_total", labels,
                              (double)tr_metrics_get_ops (metrics, results->pdata[i]));
    }

  tr_metrics_text_family (out, "ticketrail_commit_seconds", "histogram",
                          "Time of one group commit on the writer thread, fsync included.");
  tr_metrics_text_histogram (out, "ticketrail_commit_seconds", NULL, &metrics->commit_seconds);

  tr_metrics_text_family (out, "ticketrail_op_ack_seconds", "histogram",
                          "Time from an op's arrival to its ack or HTTP answer going out.");
  tr_metrics_text_histogram (out, "ticketrail_op_ack_seconds", NULL, &metrics->op_ack_seconds);

  tr_metrics_text_family (out, "ticketrail_http_requests_total", "counter",
                          "HTTP responses the host sent, by status code.");
  write_by_code (out, "ticketrail_http_requests_total", metrics->http_requests);

  tr_metrics_text_family (out, "ticketrail_websocket_closes_total", "counter",
                          "WebSocket connections that closed, by close code.");
  write_by_code (out, "ticketrail_websocket_closes_total", metrics->websocket_closes);
}

/* ---- The process, from /proc (Linux) ---- */

static char *
read_proc (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
write_gauge (GString *out, const char *name, const char *type, const char *help, double value)
{
  tr_metrics_text_family (out, name, type, help);
  tr_metrics_text_sample (out, name, NULL, value);
}

void
tr_metrics_write_process (GString *out)
{
  g_autofree char *stat = read_proc ("/proc/self/stat");
  g_autofree char *uptime = read_proc ("/proc/uptime");
  long ticks = sysconf (_SC_CLK_TCK);
  long page = sysconf (_SC_PAGESIZE);
  struct rlimit limit;
  GDir *dir;

  /* The fields after the command, which may hold spaces and
   * parentheses, so it is skipped up to its last ')'. Field 3 is the
   * state; utime is 14, stime 15, starttime 22, vsize 23, rss 24. */
  if (stat != NULL && strrchr (stat, ')') != NULL && ticks > 0 && page > 0)
    {
      g_auto (GStrv) fields = g_strsplit (strrchr (stat, ')') + 2, " ", -1);

      if (g_strv_length (fields) > 21)
        {
          double utime = g_ascii_strtod (fields[11], NULL);
          double stime = g_ascii_strtod (fields[12], NULL);
          double start = g_ascii_strtod (fields[19], NULL);
          double vsize = g_ascii_strtod (fields[20], NULL);
          double rss = g_ascii_strtod (fields[21], NULL);

          write_gauge (out, "process_cpu_seconds_total", "counter",
                       "Total user and system CPU time spent in seconds.",
                       (utime + stime) / (double)ticks);
          write_gauge (out, "process_resident_memory_bytes", "gauge",
                       "Resident memory size in bytes.", rss * (double)page);
          write_gauge (out, "process_virtual_memory_bytes", "gauge",
                       "Virtual memory size in bytes.", vsize);
          /* Since boot in the file; since the epoch in the metric. */
          if (uptime != NULL)
            {
              double since_boot = g_ascii_strtod (uptime, NULL);
              double now = (double)g_get_real_time () / G_USEC_PER_SEC;

              write_gauge (out, "process_start_time_seconds", "gauge",
                           "Start time of the process since unix epoch in seconds.",
                           floor (now - since_boot + start / (double)ticks));
            }
        }
    }

  if ((dir = g_dir_open ("/proc/self/fd", 0, NULL)) != NULL)
    {
      guint n = 0;

      while (g_dir_read_name (dir) != NULL)
        n++;
      g_dir_close (dir);
      /* Less the one g_dir_open() held while it counted. */
      write_gauge (out, "process_open_fds", "gauge", "Number of open file descriptors.",
                   n > 0 ? n - 1 : 0);
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    write_gauge (out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
                 (double)limit.rlim_cur);
}
