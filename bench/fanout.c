/* fanout.c: how fast and how far the host fans events out to stations
 *
 * Runs the real ticketrail-host as a subprocess on 127.0.0.1 (so that its
 * RSS and CPU time can be read from /proc) and connects N stations to it
 * from this process: raw libsoup WebSockets speaking protocol v1 (hello
 * with since = head, then events; a ping every 5 s with last_seq). One
 * more station issues ops at a fixed rate and records when each op left;
 * every station records when the event carrying that op_id arrived.
 *
 * Scenarios (docs/performance.md, "Fan-out"):
 *   a  50 stations, 200 ops/s, one op per frame, 10 s: p99 ≤ 10 ms
 *   b  200 stations, 500 ops/s sent in bursts of 10, 10 s: ≥ 50,000 deliveries/s
 *   c  host RSS ≤ 64 MB throughout (sampled during every scenario)
 *   d  500 stations; kill -9 the host, restart it on the same data dir
 *      and port, all reconnect at once: connected ≤ 2 s, caught up ≤ 5 s
 *   e  saturation: 100 stations, 3,000 ops/s offered one op per frame,
 *      more than the host can take: deliveries/s, p99 and what is still
 *      missing after the drain (not in the default run: -s e)
 *
 * A bench reports; it never fails because a target was missed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-fanout"

/* memmem() */
#define _GNU_SOURCE

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tr-codec.h"
#include "tr-op.h"
#include "tr-protocol.h"
#include "tr-store.h"
#include "ws-raw.h"

#define PING_INTERVAL_S 5
#define N_ITEMS 4
#define POOL_SIZE 64
#define OP_ID_PREFIX "fanout-"
#define MAX_PAYLOAD (16 * 1024 * 1024)
#define RSS_SAMPLE_MS 50

typedef struct _Bench Bench;
typedef struct _Worker Worker;

/* One receiving station. Touched only by its worker's thread. */
typedef struct
{
  Worker *worker;
  guint index;
  /* Its own session, as a real station has: one libsoup session with
   * hundreds of connections looks each new one up in a list of all the
   * others, which made this process, not the host, the bottleneck. */
  SoupSession *session;
  SoupWebsocketConnection *ws;
  gint64 last_seq;   /* newest seq applied */
  gint64 target_seq; /* the welcome's head: caught up once last_seq reaches it */
  gint64 since;      /* what the next hello sends */
  gboolean connecting;
  gboolean welcomed;
  gboolean caught_up;
  guint attempts;
  guint retry_id;
  /* The storm's phases, monotonic µs: the connect started, the
   * WebSocket was upgraded (the hello goes out), the welcome came. */
  gint64 t_connect, t_upgraded, t_welcome, t_tcp;
} Station;

/* An op's delivery to one station: which op, and when (µs since t_base). */
typedef struct
{
  guint32 op;
  guint32 recv_us;
} Sample;

struct _Worker
{
  Bench *bench;
  GThread *thread;
  pid_t tid; /* for its CPU time in /proc/self/task */
  GMainContext *context;
  GMainLoop *loop;
  GCancellable *cancellable;
  GPtrArray *stations; /* Station*, owned */
  GArray *samples;     /* Sample */
  guint ping_id;
  guint64 bytes; /* payload bytes received */
  guint frames;  /* events frames received */
  GThread *raw_thread; /* the storm's bare-socket stations (--d-client raw) */
  double raw_cpu_s;    /* that thread's CPU, written as it ends */
};

struct _Bench
{
  /* options */
  char *host_bin;
  char **host_args;  /* extra arguments for the host */
  char **limit_args; /* the limits the bench raises, before host_args */
  char *base_dir;
  guint threads;        /* receiving threads started: the larger of the two below */
  guint fanout_threads; /* how many a, b and e deal their stations to (-t) */
  guint d_threads;      /* how many the storm deals its stations to (--d-threads) */
  gboolean d_soup;      /* the storm's stations use libsoup (--d-client soup) */
  guint active_threads; /* the current scenario's */
  guint duration_s;
  guint a_stations, a_rate;
  guint b_stations, b_rate, b_burst;
  guint d_stations, d_backlog;
  guint e_stations, e_rate, e_burst;

  gint64 t_base; /* monotonic µs */
  Worker **workers;

  /* the host subprocess */
  GSubprocess *host;
  GDataInputStream *host_out;
  char *data_dir;
  guint port;
  char *url;
  /* Station tokens, paired in the host's database before it starts:
   * tokens[i] is bench-station-i's, read by the workers only after the
   * main thread wrote them. */
  GPtrArray *tokens;
  char *issuer_token;
  guint64 rss_max_kb;
  guint rss_timer;

  /* set by the main thread while the workers do not look (before any
   * station connects or under the quiesced invoke) */
  gint recording;
  gint n_welcomed;  /* atomic */
  gint n_caught_up; /* atomic */
  gint n_closed;    /* atomic: connections that closed */
  gint n_failed;    /* atomic: connection attempts that failed */
  gint n_snapshots; /* atomic: snapshot frames (unexpected in a resume) */
  gint n_gaps;      /* atomic: events whose seq was not the last one + 1 */
  gint retry;       /* atomic: reconnect failed attempts */
  gint raw_stop;    /* atomic: the bare-socket storm threads give up */

  /* the issuing station, on the main thread */
  SoupSession *session;
  SoupWebsocketConnection *issuer;
  gboolean issuer_welcomed;
  gint64 issuer_since;
  GPtrArray *pool;    /* TrTicket*: the pool's state as the host has it */
  GArray *send_times; /* gint64 µs since t_base, by op number */
  guint n_acked, n_rejected, n_duplicate;
  char *last_reject;

  /* a scenario in progress */
  guint op_first; /* first op number of the scenario */
  guint rate, burst;
  gint64 window_start, window_end;
  guint tick_id;
  gboolean sending;

  /* results kept for the (c) summary */
  gboolean rss_measured;
  guint64 rss_worst_kb;
};

typedef struct
{
  char *name;
  guint stations;
  guint ops;
  guint frames_per_station;
  double p50, p99, max;
  guint64 deliveries;
  guint64 expected;
  double seconds;
  double host_cpu_s, bench_cpu_s;
  guint64 rss_kb, hwm_kb, rss_max_kb;
  guint64 bytes;
} Result;

static gint64
now_us (Bench *bench)
{
  return g_get_monotonic_time () - bench->t_base;
}

/* ---- /proc ---- */

static guint64
proc_status_kb (GPid pid, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  line = strstr (text, field);
  if (line == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (field) + 1, NULL, 10);
}

/* utime + stime in seconds from a /proc stat file. */
static double
stat_cpu_seconds (const char *path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !(p = strrchr (text, ')')))
    return 0;
  /* After the command: state(3) ... utime(14) stime(15). */
  fields = g_strsplit (p + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (double)(g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10))
         / (double)sysconf (_SC_CLK_TCK);
}

/* utime + stime of @pid in seconds. */
static double
proc_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);

  return stat_cpu_seconds (path);
}

/* The same for one of this process's threads. */
static double
thread_cpu_seconds (pid_t tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/stat", (int)tid);

  return stat_cpu_seconds (path);
}

static char *
proc_nofile (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/limits", pid);
  g_autofree char *text = NULL;
  const char *line;
  g_autofree char *copy = NULL;
  g_auto (GStrv) words = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !(line = strstr (text, "Max open files")))
    return g_strdup ("?");
  copy = g_strndup (line, strcspn (line, "\n"));
  words = g_strsplit_set (copy + strlen ("Max open files"), " ", 0);
  {
    g_autoptr (GPtrArray) kept = g_ptr_array_new ();

    for (guint i = 0; words[i]; i++)
      if (*words[i])
        g_ptr_array_add (kept, words[i]);
    if (kept->len >= 2)
      return g_strdup_printf ("%s soft / %s hard", (char *)kept->pdata[0], (char *)kept->pdata[1]);
  }
  return g_strdup ("?");
}

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static GPid
host_pid (Bench *bench)
{
  const char *id = bench->host ? g_subprocess_get_identifier (bench->host) : NULL;

  return id ? (GPid)atoi (id) : 0;
}

/* ---- Main-loop helpers ---- */

static gboolean
wait_until (gboolean (*done) (Bench *), Bench *bench, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (!done (bench))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      /* Non-blocking plus a short sleep: the workers make progress on
       * their own threads and this loop only watches counters. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
  return TRUE;
}

static void
spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (200);
}

/* Runs @func on @worker's thread and waits for it to return. */
typedef struct
{
  GMutex mutex;
  GCond cond;
  gboolean done;
  void (*func) (Worker *);
  Worker *worker;
} Call;

static gboolean
call_cb (gpointer user_data)
{
  Call *call = user_data;

  call->func (call->worker);
  g_mutex_lock (&call->mutex);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
  return G_SOURCE_REMOVE;
}

static void
worker_call (Worker *worker, void (*func) (Worker *))
{
  Call call = { .func = func, .worker = worker };

  g_mutex_init (&call.mutex);
  g_cond_init (&call.cond);
  g_main_context_invoke (worker->context, call_cb, &call);
  g_mutex_lock (&call.mutex);
  while (!call.done)
    g_cond_wait (&call.cond, &call.mutex);
  g_mutex_unlock (&call.mutex);
  g_mutex_clear (&call.mutex);
  g_cond_clear (&call.cond);
}

static void
all_workers_call (Bench *bench, void (*func) (Worker *))
{
  for (guint i = 0; i < bench->threads; i++)
    worker_call (bench->workers[i], func);
}

/* ---- Receiving stations (worker threads) ---- */

static void
station_connect (Station *station);

static gint64
parse_int_after (const char *p, const char *end)
{
  gint64 value = 0;

  while (p < end && *p >= '0' && *p <= '9')
    value = value * 10 + (*p++ - '0');
  return value;
}

/* Finds "key": in [p, end) and returns the integer after it, or -1. */
static gint64
scan_int (const char *p, const char *end, const char *key)
{
  gsize n = strlen (key);
  const char *hit = memmem (p, end - p, key, n);

  return hit ? parse_int_after (hit + n, end) : -1;
}

static void
station_mark_caught_up (Station *station)
{
  if (!station->caught_up && station->welcomed && station->last_seq >= station->target_seq)
    {
      station->caught_up = TRUE;
      g_atomic_int_inc (&station->worker->bench->n_caught_up);
    }
}

/* Parses only what it needs: the events frame is JSON, and decoding all
 * of it in every connection would cost this process more than the host
 * spends sending it. A scan for each event's leading "seq" and its
 * "op_id" is exact for the host's canonical encoding (the ticket inside
 * has neither member). */
static void
station_handle_text (Station *station, const char *data, gsize length)
{
  Worker *worker = station->worker;
  Bench *bench = worker->bench;
  const char *end = data + length;
  static const char events_head[] = "{\"type\":\"events\"";

  worker->bytes += length;
  if (length > sizeof events_head && memcmp (data, events_head, sizeof events_head - 1) == 0)
    {
      const char *p = data;
      gboolean recording = g_atomic_int_get (&bench->recording);
      guint32 recv_us = (guint32)now_us (bench);

      worker->frames++;
      while ((p = memmem (p, end - p, "{\"seq\":", 7)) != NULL)
        {
          const char *op;
          gint64 seq;

          p += 7;
          seq = parse_int_after (p, end);
          /* Events come in order with no gap, live or in a catch-up. */
          if (seq != station->last_seq + 1)
            g_atomic_int_inc (&bench->n_gaps);
          station->last_seq = seq;
          op = memmem (p, end - p, "\"op_id\":\"", 9);
          if (op == NULL)
            break;
          p = op + 9;
          if (recording && end - p > (gssize)strlen (OP_ID_PREFIX)
              && memcmp (p, OP_ID_PREFIX, strlen (OP_ID_PREFIX)) == 0)
            {
              Sample sample
                = { (guint32)parse_int_after (p + strlen (OP_ID_PREFIX), end), recv_us };

              g_array_append_val (worker->samples, sample);
            }
        }
      station_mark_caught_up (station);
    }
  else if (g_str_has_prefix (data, "{\"type\":\"welcome\""))
    {
      station->target_seq = scan_int (data, end, "\"head_seq\":");
      station->welcomed = TRUE;
      station->t_welcome = g_get_monotonic_time ();
      g_atomic_int_inc (&bench->n_welcomed);
      station_mark_caught_up (station);
    }
  else if (g_str_has_prefix (data, "{\"type\":\"snapshot\""))
    {
      /* Only when the resume point is gone; the seq member sits before
       * the tickets. */
      g_atomic_int_inc (&bench->n_snapshots);
      station->last_seq = scan_int (data, MIN (end, data + 128), "\"seq\":");
      station_mark_caught_up (station);
    }
  /* pong, error: nothing to do. */
}

static void
on_station_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  station_handle_text (user_data, data, length);
}

static void
on_station_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  Station *station = user_data;

  g_atomic_int_inc (&station->worker->bench->n_closed);
  g_signal_handlers_disconnect_by_data (ws, station);
  g_clear_object (&station->ws);
  station->welcomed = FALSE;
  /* The next hello resumes where this connection left off. */
  station->since = station->last_seq;
}

static gboolean
retry_cb (gpointer user_data)
{
  Station *station = user_data;

  station->retry_id = 0;
  station_connect (station);
  return G_SOURCE_REMOVE;
}

/* The hello resumes from station->since. */
static char *
station_build_hello (Station *station)
{
  g_autofree char *station_id = g_strdup_printf ("bench-station-%u", station->index);

  station->last_seq = station->since;
  return tr_frame_build_hello (station_id, station_id, "kitchen",
                               g_ptr_array_index (station->worker->bench->tokens, station->index),
                               NULL, station->since);
}

static void
on_station_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws
    = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  Station *station;
  g_autofree char *hello = NULL;

  if (ws == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* the worker was reset: @user_data is gone */
  station = user_data;
  station->connecting = FALSE;
  if (ws == NULL)
    {
      Bench *bench = station->worker->bench;

      g_atomic_int_inc (&bench->n_failed);
      if (g_atomic_int_get (&bench->retry))
        {
          GSource *retry = g_timeout_source_new (100);

          g_source_set_callback (retry, retry_cb, station, NULL);
          station->retry_id = g_source_attach (retry, station->worker->context);
          g_source_unref (retry);
        }
      else
        g_printerr ("station %u: %s\n", station->index, error->message);
      return;
    }

  station->ws = ws;
  station->t_upgraded = g_get_monotonic_time ();
  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_PAYLOAD);
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  g_signal_connect (ws, "message", G_CALLBACK (on_station_message), station);
  g_signal_connect (ws, "closed", G_CALLBACK (on_station_closed), station);

  hello = station_build_hello (station);
  soup_websocket_connection_send_text (ws, hello);
}

/* ---- The storm's stations on bare sockets (ws-raw.c, --d-client raw) ---- */

static void
raw_on_connected (gpointer user_data)
{
  Station *station = user_data;

  station->t_tcp = g_get_monotonic_time ();
}

static char *
raw_on_upgraded (gpointer user_data)
{
  Station *station = user_data;

  station->t_upgraded = g_get_monotonic_time ();
  return station_build_hello (station);
}

static void
raw_on_text (gpointer user_data, const char *data, gsize length)
{
  station_handle_text (user_data, data, length);
}

static void
raw_on_closed (gpointer user_data, const char *reason)
{
  Station *station = user_data;

  g_atomic_int_inc (&station->worker->bench->n_failed);
  g_printerr ("station %u: %s\n", station->index, reason);
}

static gboolean
raw_worker_done (gpointer data)
{
  Worker *worker = data;
  Bench *bench = worker->bench;

  if (g_atomic_int_get (&bench->raw_stop))
    return TRUE;
  for (guint i = 0; i < worker->stations->len; i++)
    if (!((Station *)g_ptr_array_index (worker->stations, i))->caught_up)
      return FALSE;
  return TRUE;
}

/* One such thread per worker runs that worker's stations; the worker's
 * own thread stays idle meanwhile (its stations have no libsoup
 * connection during the storm). */
static gpointer
raw_storm_thread (gpointer data)
{
  Worker *worker = data;
  static const BenchWsRawCallbacks callbacks
    = { raw_on_connected, raw_on_upgraded, raw_on_text, raw_on_closed };
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < worker->stations->len; i++)
    {
      Station *station = g_ptr_array_index (worker->stations, i);

      station->welcomed = station->caught_up = FALSE;
      station->t_connect = now;
      station->t_tcp = station->t_upgraded = station->t_welcome = 0;
    }
  if (!bench_ws_raw_run ((guint16)worker->bench->port, "/api/v1/ws", TR_PROTOCOL_SUBPROTOCOL,
                         worker->stations, &callbacks, raw_worker_done, worker, 30000, &error))
    g_printerr ("bench-fanout: %s\n", error->message);
  {
    struct timespec cpu;

    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
    worker->raw_cpu_s = cpu.tv_sec + cpu.tv_nsec / 1e9;
  }
  return NULL;
}

/* When the TCP connection is up, before the upgrade request. */
static void
on_net_event (SoupMessage *msg, GSocketClientEvent event, GIOStream *conn, gpointer user_data)
{
  Station *station = user_data;

  if (event == G_SOCKET_CLIENT_CONNECTED)
    station->t_tcp = g_get_monotonic_time ();
}

static void
station_connect (Station *station)
{
  Worker *worker = station->worker;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws", worker->bench->port);
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };

  g_assert (station->ws == NULL);
  station->connecting = TRUE;
  station->welcomed = FALSE;
  station->caught_up = FALSE;
  station->attempts++;
  station->t_connect = g_get_monotonic_time ();
  station->t_upgraded = station->t_welcome = 0;
  msg = soup_message_new (SOUP_METHOD_GET, url);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_net_event), station);
  if (station->session == NULL)
    station->session = soup_session_new ();
  soup_session_websocket_connect_async (station->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, worker->cancellable,
                                        on_station_connected, station);
}

static gboolean
ping_cb (gpointer user_data)
{
  Worker *worker = user_data;

  for (guint i = 0; i < worker->stations->len; i++)
    {
      Station *station = g_ptr_array_index (worker->stations, i);
      g_autofree char *ping = NULL;

      if (station->ws == NULL || !station->welcomed
          || soup_websocket_connection_get_state (station->ws) != SOUP_WEBSOCKET_STATE_OPEN)
        continue;
      ping = g_strdup_printf ("{\"type\":\"ping\",\"t\":%" G_GINT64_FORMAT
                              ",\"last_seq\":%" G_GINT64_FORMAT ",\"queued\":0}",
                              g_get_real_time () / 1000, station->last_seq);
      soup_websocket_connection_send_text (station->ws, ping);
    }
  return G_SOURCE_CONTINUE;
}

static void
worker_connect_all (Worker *worker)
{
  for (guint i = 0; i < worker->stations->len; i++)
    {
      Station *station = g_ptr_array_index (worker->stations, i);

      if (station->ws == NULL && !station->connecting)
        station_connect (station);
    }
}

static void
worker_drop_samples (Worker *worker)
{
  g_array_set_size (worker->samples, 0);
  worker->bytes = 0;
  worker->frames = 0;
}

/* Forgets every station: closes what is open, cancels what connects. */
static void
worker_reset (Worker *worker)
{
  g_cancellable_cancel (worker->cancellable);
  g_clear_object (&worker->cancellable);
  worker->cancellable = g_cancellable_new ();
  for (guint i = 0; i < worker->stations->len; i++)
    {
      Station *station = g_ptr_array_index (worker->stations, i);

      /* A pending retry holds the station. */
      if (station->retry_id != 0)
        g_source_destroy (g_main_context_find_source_by_id (worker->context, station->retry_id));
      if (station->ws != NULL)
        {
          g_signal_handlers_disconnect_by_data (station->ws, station);
          if (soup_websocket_connection_get_state (station->ws) == SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_close (station->ws, TR_CLOSE_NORMAL, NULL);
          g_clear_object (&station->ws);
        }
      g_clear_object (&station->session);
    }
  g_ptr_array_set_size (worker->stations, 0);
}

static void
worker_quit (Worker *worker)
{
  g_main_loop_quit (worker->loop);
}

static gpointer
worker_thread (gpointer user_data)
{
  Worker *worker = user_data;

  worker->tid = (pid_t)syscall (SYS_gettid);
  g_main_context_push_thread_default (worker->context);
  worker->ping_id = g_timeout_add_seconds (PING_INTERVAL_S, ping_cb, worker);
  g_main_loop_run (worker->loop);
  g_clear_handle_id (&worker->ping_id, g_source_remove);
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

/* Deals @n new stations out to the workers, round robin. */
static void
add_stations (Bench *bench, guint n, gint64 since)
{
  for (guint i = 0; i < n; i++)
    {
      Worker *worker = bench->workers[i % bench->active_threads];
      Station *station = g_new0 (Station, 1);

      station->worker = worker;
      station->index = i;
      station->since = since;
      /* Safe: the worker touches its array only in calls the main thread
       * waits for, and none runs now. */
      g_ptr_array_add (worker->stations, station);
    }
}

/* ---- The host subprocess ---- */

static gboolean
rss_sample_cb (gpointer user_data)
{
  Bench *bench = user_data;
  guint64 rss = proc_status_kb (host_pid (bench), "VmRSS:");

  bench->rss_max_kb = MAX (bench->rss_max_kb, rss);
  return G_SOURCE_CONTINUE;
}

/* The host goes when the bench goes, however the bench ends. */
static void
host_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
host_start (Bench *bench, GError **error)
{
  g_autofree char *port = g_strdup_printf ("%u", bench->port);
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) argv = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  /* Debug logging on the host would measure the logger. */
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, host_child_setup, NULL, NULL);
  g_strv_builder_add_many (builder, bench->host_bin, "--loopback", "--port", port, "--data-dir",
                           bench->data_dir, NULL);
  g_strv_builder_addv (builder, (const char **)bench->limit_args);
  if (bench->host_args != NULL)
    g_strv_builder_addv (builder, (const char **)bench->host_args);
  argv = g_strv_builder_end (builder);
  bench->host = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv, error);
  if (bench->host == NULL)
    return FALSE;
  bench->host_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bench->host));

  /* "ticketrail-host: listening on http://127.0.0.1:PORT (host_id …)" */
  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *line = g_data_input_stream_read_line (bench->host_out, NULL, NULL, error);
      const char *p;

      if (line == NULL)
        {
          if (error && !*error)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the host exited at start");
          return FALSE;
        }
      if ((p = strstr (line, "listening on http://127.0.0.1:")) != NULL)
        {
          bench->port = (guint)atoi (p + strlen ("listening on http://127.0.0.1:"));
          g_free (bench->url);
          bench->url = g_strdup_printf ("http://127.0.0.1:%u", bench->port);
          bench->rss_max_kb = 0;
          rss_sample_cb (bench);
          if (bench->rss_timer == 0)
            bench->rss_timer = g_timeout_add (RSS_SAMPLE_MS, rss_sample_cb, bench);
          return TRUE;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the host did not start");
  return FALSE;
}

static void
host_forget (Bench *bench)
{
  g_clear_handle_id (&bench->rss_timer, g_source_remove);
  g_clear_object (&bench->host_out);
  g_clear_object (&bench->host);
}

static void
host_stop (Bench *bench)
{
  if (bench->host == NULL)
    return;
  g_subprocess_send_signal (bench->host, SIGTERM);
  g_subprocess_wait (bench->host, NULL, NULL);
  host_forget (bench);
}

static void
host_kill (Bench *bench)
{
  g_subprocess_force_exit (bench->host);
  g_subprocess_wait (bench->host, NULL, NULL);
  host_forget (bench);
}

/* ---- HTTP ---- */

static char *
http (Bench *bench, const char *method, const char *path, const char *body, guint *status,
      GError **error)
{
  g_autofree char *url = g_strconcat (bench->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) reply = NULL;

  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (bench->issuer_token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", bench->issuer_token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  reply = soup_session_send_and_read (bench->session, msg, NULL, error);
  if (reply == NULL)
    return NULL;
  *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

static gint64
host_head (Bench *bench)
{
  g_autoptr (GError) error = NULL;
  guint status = 0;
  g_autofree char *body = http (bench, SOUP_METHOD_GET, "/api/v1/health", NULL, &status, &error);

  if (body == NULL)
    g_error ("health: %s", error->message);
  return scan_int (body, body + strlen (body), "\"head_seq\":");
}

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

/* The tickets the issuer bumps, created the way a POS creates them. */
static void
create_pool (Bench *bench)
{
  if (bench->pool)
    g_ptr_array_unref (bench->pool);
  bench->pool = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  for (guint i = 0; i < POOL_SIZE; i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket ();
      g_autofree char *body = tr_ticket_to_string (ticket);
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) node = NULL;
      guint status = 0;
      g_autofree char *reply
        = http (bench, SOUP_METHOD_POST, "/api/v1/tickets", body, &status, &error);

      if (reply == NULL || status != SOUP_STATUS_CREATED)
        g_error ("POST /api/v1/tickets: %u %s", status, reply ? reply : error->message);
      if (!(node = tr_json_parse (reply, -1, &error)))
        g_error ("POST /api/v1/tickets answer: %s", error->message);
      g_ptr_array_add (bench->pool, tr_ticket_from_json (node, &error));
    }
}

/* ---- The issuing station (main thread) ---- */

static void
on_issuer_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  Bench *bench = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (g_str_has_prefix (data, "{\"type\":\"ack\""))
    {
      bench->n_acked++;
      if (strstr (data, "\"result\":\"rejected\"") != NULL)
        {
          bench->n_rejected++;
          if (bench->last_reject == NULL)
            bench->last_reject = g_strndup (data, length);
        }
      else if (strstr (data, "\"result\":\"duplicate\"") != NULL)
        bench->n_duplicate++;
    }
  else if (g_str_has_prefix (data, "{\"type\":\"welcome\""))
    bench->issuer_welcomed = TRUE;
}

static void
on_issuer_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Bench *bench = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *hello = NULL;

  bench->issuer = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (bench->issuer == NULL)
    g_error ("issuer: %s", error->message);
  soup_websocket_connection_set_max_incoming_payload_size (bench->issuer, MAX_PAYLOAD);
  soup_websocket_connection_set_keepalive_interval (bench->issuer, 0);
  g_signal_connect (bench->issuer, "message", G_CALLBACK (on_issuer_message), bench);
  hello = tr_frame_build_hello ("bench-issuer", "Bench issuer", "pos", bench->issuer_token, NULL,
                                bench->issuer_since);
  soup_websocket_connection_send_text (bench->issuer, hello);
}

static gboolean
issuer_ready (Bench *bench)
{
  return bench->issuer_welcomed;
}

static void
issuer_connect (Bench *bench)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws", bench->port);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };

  bench->issuer_welcomed = FALSE;
  bench->issuer_since = host_head (bench);
  soup_session_websocket_connect_async (bench->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, NULL, on_issuer_connected, bench);
  if (!wait_until (issuer_ready, bench, 10000))
    g_error ("the issuing station got no welcome");
}

static void
issuer_close (Bench *bench)
{
  if (bench->issuer == NULL)
    return;
  g_signal_handlers_disconnect_by_data (bench->issuer, bench);
  if (soup_websocket_connection_get_state (bench->issuer) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (bench->issuer, TR_CLOSE_NORMAL, NULL);
  g_clear_object (&bench->issuer);
}

/* The next op of the rotation: every 20th creates a ticket, every 10th
 * (offset 5) moves a pool ticket's status, the rest move one item. Each
 * op is applied to the local copy first with the same pure applier the
 * host runs, so every op sent is legal (the bench is the only writer). */
static TrOp *
next_op (Bench *bench, guint n)
{
  g_autofree char *op_id = g_strdup_printf (OP_ID_PREFIX "%u", n);
  TrApplyContext ctx = { .seq = 0, .now = tr_now_ms (), .number = 0 };
  TrOp *op = NULL;

  if (n % 20 == 0)
    {
      g_autoptr (TrTicket) ticket = make_ticket ();

      op = tr_op_new_create_ticket ("bench-issuer", ticket);
    }
  else
    {
      guint slot = n % POOL_SIZE;
      TrTicket *ticket = g_ptr_array_index (bench->pool, slot);

      for (guint attempt = 0; attempt < 4 && op == NULL; attempt++)
        {
          g_autoptr (TrOp) candidate = NULL;
          g_autoptr (TrEvent) event = NULL;

          if (n % 10 == 5 && attempt < 2)
            {
              TrTicketStatus to = (ticket->status == TR_TICKET_STATUS_PREPARING) ^ (attempt == 1)
                                    ? TR_TICKET_STATUS_READY
                                    : TR_TICKET_STATUS_PREPARING;

              candidate = tr_op_new_set_ticket_status ("bench-issuer", ticket->id, to);
            }
          else
            {
              TrItem *item = g_ptr_array_index (ticket->items, (n / POOL_SIZE + attempt) % N_ITEMS);
              TrItemStatus to = item->status == TR_ITEM_STATUS_PREPARING ? TR_ITEM_STATUS_READY
                                                                         : TR_ITEM_STATUS_PREPARING;

              candidate = tr_op_new_set_item_status ("bench-issuer", ticket->id, item->id, to);
            }
          if ((event = tr_op_apply (candidate, ticket, &ctx, NULL)) != NULL)
            {
              g_ptr_array_index (bench->pool, slot) = g_steal_pointer (&event->ticket);
              tr_ticket_free (ticket);
              op = g_steal_pointer (&candidate);
            }
        }
      g_assert (op != NULL);
    }
  g_free (op->op_id);
  op->op_id = g_steal_pointer (&op_id);
  return op;
}

/* Sends @count ops in one frame ("op" for one, "ops" for more). */
static void
issue_ops (Bench *bench, guint count)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autofree char *frame = NULL;
  gint64 t;

  for (guint i = 0; i < count; i++)
    g_ptr_array_add (ops, next_op (bench, bench->send_times->len + i));
  frame = count == 1 ? tr_frame_build_op (g_ptr_array_index (ops, 0)) : tr_frame_build_ops (ops);
  t = now_us (bench);
  for (guint i = 0; i < count; i++)
    g_array_append_val (bench->send_times, t);
  soup_websocket_connection_send_text (bench->issuer, frame);
}

/* Every millisecond: sends what the schedule says is due by now. */
static gboolean
tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 t = now_us (bench);
  guint sent = bench->send_times->len - bench->op_first;
  guint due;

  if (t >= bench->window_end)
    {
      bench->sending = FALSE;
      bench->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  /* Bursts leave on the schedule's boundaries: burst k at k·burst/rate. */
  due = (guint)((t - bench->window_start) * (gint64)bench->rate / G_USEC_PER_SEC) / bench->burst
          * bench->burst
        + bench->burst;
  while (sent < due)
    {
      issue_ops (bench, bench->burst);
      sent += bench->burst;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
sending_done (Bench *bench)
{
  return !bench->sending;
}

/* ---- Scenarios ---- */

static gboolean
all_welcomed (Bench *bench)
{
  guint n = 0;

  for (guint i = 0; i < bench->threads; i++)
    n += bench->workers[i]->stations->len;
  return (guint)g_atomic_int_get (&bench->n_welcomed) >= n;
}

static gboolean
all_caught_up (Bench *bench)
{
  guint n = 0;

  for (guint i = 0; i < bench->threads; i++)
    n += bench->workers[i]->stations->len;
  return (guint)g_atomic_int_get (&bench->n_caught_up) >= n;
}

static void
reset_counters (Bench *bench)
{
  g_atomic_int_set (&bench->n_welcomed, 0);
  g_atomic_int_set (&bench->n_caught_up, 0);
  g_atomic_int_set (&bench->n_closed, 0);
  g_atomic_int_set (&bench->n_failed, 0);
  g_atomic_int_set (&bench->n_snapshots, 0);
  g_atomic_int_set (&bench->n_gaps, 0);
}

/* A station token as the host makes them: 32 bytes from the kernel. */
static char *
new_token (void)
{
  guint8 bytes[32];
  GString *hex = g_string_sized_new (2 * sizeof bytes);
  FILE *random = fopen ("/dev/urandom", "rb");

  if (random == NULL || fread (bytes, 1, sizeof bytes, random) != sizeof bytes)
    g_error ("cannot read /dev/urandom");
  fclose (random);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  return g_string_free (hex, FALSE);
}

/* Pairs one station the way the host does when it redeems a code: a
 * fresh single-use code, redeemed for a token whose hash is stored. */
static char *
pair_station (TrStore *store, const char *station_id, const char *role)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = new_token ();
  g_autofree char *hash = tr_token_hash (token);
  g_autofree char *code = g_strdup_printf ("%06u", g_random_int_range (0, 1000000));
  TrPairingStatus status = TR_PAIRING_UNKNOWN_CODE;
  gint64 now = tr_now_ms ();

  if (!tr_store_add_pairing_code (store, code, now, now + 10 * 60 * 1000, &error)
      || !tr_store_redeem_pairing_code (store, code, now, station_id, station_id, role, hash,
                                        &status, &error))
    g_error ("pairing %s: %s", station_id, error->message);
  if (status != TR_PAIRING_OK)
    g_error ("pairing %s: %s", station_id, tr_pairing_status_to_string (status));
  return g_steal_pointer (&token);
}

/* The host requires pairing: before it starts, its database gets the
 * issuer and @n receiving stations paired, and the bench keeps their
 * tokens. */
static void
pair_stations (Bench *bench, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (bench->data_dir, "ticketrail.db", NULL);
  g_autoptr (TrStore) store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  gint64 t0 = g_get_monotonic_time ();

  if (store == NULL)
    g_error ("opening %s: %s", path, error->message);
  g_ptr_array_set_size (bench->tokens, 0);
  g_free (bench->issuer_token);
  bench->issuer_token = pair_station (store, "bench-issuer", "pos");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *station_id = g_strdup_printf ("bench-station-%u", i);

      g_ptr_array_add (bench->tokens, pair_station (store, station_id, "kitchen"));
    }
  g_print ("\n(paired %u stations and the issuer in the host's database in %.2f s)\n", n,
           (g_get_monotonic_time () - t0) / 1e6);
}

static void
start_fresh_host (Bench *bench, guint n)
{
  g_autoptr (GError) error = NULL;

  g_free (bench->data_dir);
  bench->data_dir = g_build_filename (bench->base_dir, "bench-fanout-XXXXXX", NULL);
  if (g_mkdtemp (bench->data_dir) == NULL)
    g_error ("mkdtemp %s: %s", bench->data_dir, g_strerror (errno));
  pair_stations (bench, n);
  bench->port = 0;
  if (!host_start (bench, &error))
    g_error ("%s: %s", bench->host_bin, error->message);
  create_pool (bench);
}

static void
remove_data_dir (Bench *bench)
{
  const char *names[] = { "ticketrail.db", "ticketrail.db-wal", "ticketrail.db-shm", NULL };

  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_build_filename (bench->data_dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (bench->data_dir);
}

static void
finish_scenario (Bench *bench)
{
  issuer_close (bench);
  all_workers_call (bench, worker_reset);
  host_stop (bench);
  remove_data_dir (bench);
  spin (200);
}

/* Connects @n stations at since = head and the issuer. */
static double
connect_stations (Bench *bench, guint n)
{
  gint64 since = host_head (bench);
  gint64 t0;

  reset_counters (bench);
  add_stations (bench, n, since);
  t0 = g_get_monotonic_time ();
  all_workers_call (bench, worker_connect_all);
  if (!wait_until (all_welcomed, bench, 60000))
    g_printerr ("only %d of %u stations connected\n", g_atomic_int_get (&bench->n_welcomed), n);
  issuer_connect (bench);
  return (g_get_monotonic_time () - t0) / 1e6;
}

static int
compare_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

  return x < y ? -1 : x > y;
}

static void
collect (Bench *bench, Result *result, guint n_stations, guint n_ops)
{
  g_autoptr (GArray) latencies = g_array_new (FALSE, FALSE, sizeof (guint32));
  gint64 last_recv = 0;

  result->bytes = 0;
  result->frames_per_station = 0;
  for (guint w = 0; w < bench->threads; w++)
    {
      Worker *worker = bench->workers[w];

      result->bytes += worker->bytes;
      result->frames_per_station += worker->frames;
      for (guint i = 0; i < worker->samples->len; i++)
        {
          Sample *s = &g_array_index (worker->samples, Sample, i);
          guint32 latency;

          if (s->op < bench->op_first || s->op >= bench->send_times->len)
            continue;
          latency = (guint32)MAX (0, (gint64)s->recv_us
                                       - g_array_index (bench->send_times, gint64, s->op));
          g_array_append_val (latencies, latency);
          last_recv = MAX (last_recv, (gint64)s->recv_us);
        }
    }
  result->frames_per_station /= MAX (n_stations, 1);
  result->stations = n_stations;
  result->ops = n_ops;
  result->deliveries = latencies->len;
  result->expected = (guint64)n_stations * n_ops;
  result->seconds = (last_recv - bench->window_start) / 1e6;
  g_array_sort (latencies, compare_u32);
  if (latencies->len > 0)
    {
      guint n = latencies->len;

      result->p50 = g_array_index (latencies, guint32, (n - 1) / 2) / 1000.0;
      result->p99 = g_array_index (latencies, guint32, (guint)((n - 1) * 0.99)) / 1000.0;
      result->max = g_array_index (latencies, guint32, n - 1) / 1000.0;
    }
}

static gboolean
delivered_all (Bench *bench)
{
  /* Read without a lock: only a hint to stop waiting early; collect()
   * reads the samples after the workers were quiesced. */
  guint n_stations = 0;
  guint64 have = 0;

  for (guint i = 0; i < bench->threads; i++)
    {
      n_stations += bench->workers[i]->stations->len;
      have += g_atomic_int_get ((gint *)&bench->workers[i]->samples->len);
    }
  return have >= (guint64)n_stations * (bench->send_times->len - bench->op_first);
}

static void
worker_noop (Worker *worker)
{
}

static void
print_result (const Result *r)
{
  g_print ("  %-28s %8u %6u %9.3f %9.3f %9.3f %12.0f %9.1f %9.1f %7.1f %7.1f %7.1f\n", r->name,
           r->stations, r->ops, r->p50, r->p99, r->max,
           r->seconds > 0 ? r->deliveries / r->seconds : 0.0, r->host_cpu_s, r->bench_cpu_s,
           r->rss_kb / 1024.0, r->hwm_kb / 1024.0, r->rss_max_kb / 1024.0);
}

static void
print_header (void)
{
  g_print ("  %-28s %8s %6s %9s %9s %9s %12s %9s %9s %7s %7s %7s\n", "run", "stations", "ops",
           "p50 ms", "p99 ms", "max ms", "deliveries/s", "host cpu", "bench cpu", "RSS MB",
           "HWM MB", "max MB");
}

/* One fan-out run: @n stations, @rate ops/s in frames of @burst ops. */
static Result
run_fanout (Bench *bench, const char *name, guint n, guint rate, guint burst)
{
  Result result = { 0 };
  double host_cpu0, bench_cpu0, connect_s;
  guint n_ops;
  GPid pid;

  bench->active_threads = bench->fanout_threads;
  start_fresh_host (bench, n);
  pid = host_pid (bench);
  connect_s = connect_stations (bench, n);

  /* A short warm-up settles the connections before the clock starts. */
  spin (500);
  all_workers_call (bench, worker_drop_samples);
  bench->n_acked = bench->n_rejected = bench->n_duplicate = 0;
  bench->op_first = bench->send_times->len;
  bench->rate = rate;
  bench->burst = burst;
  host_cpu0 = proc_cpu_seconds (pid);
  bench_cpu0 = self_cpu_seconds ();
  g_atomic_int_set (&bench->recording, 1);
  bench->window_start = now_us (bench);
  bench->window_end = bench->window_start + (gint64)bench->duration_s * G_USEC_PER_SEC;
  bench->sending = TRUE;
  bench->tick_id = g_timeout_add_full (G_PRIORITY_HIGH, 1, tick_cb, bench, NULL);
  wait_until (sending_done, bench, (bench->duration_s + 5) * 1000);
  n_ops = bench->send_times->len - bench->op_first;
  /* Drain: whatever is still queued counts, and stretches the time. */
  wait_until (delivered_all, bench, 15000);
  result.host_cpu_s = proc_cpu_seconds (pid) - host_cpu0;
  result.bench_cpu_s = self_cpu_seconds () - bench_cpu0;
  g_atomic_int_set (&bench->recording, 0);
  all_workers_call (bench, worker_noop);

  result.name = g_strdup (name);
  collect (bench, &result, n, n_ops);
  result.rss_kb = proc_status_kb (pid, "VmRSS:");
  result.hwm_kb = proc_status_kb (pid, "VmHWM:");
  rss_sample_cb (bench);
  result.rss_max_kb = bench->rss_max_kb;
  bench->rss_worst_kb = MAX (bench->rss_worst_kb, MAX (result.hwm_kb, result.rss_max_kb));
  bench->rss_measured = TRUE;

  g_print ("\n%s: %u stations (connected in %.2f s), %u ops/s in frames of %u, %u s\n", name, n,
           connect_s, rate, burst, bench->duration_s);
  print_header ();
  print_result (&result);
  g_print ("  deliveries %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " expected over %.2f s; "
           "%u events frames per station; %.1f MB received\n",
           result.deliveries, result.expected, result.seconds, result.frames_per_station,
           result.bytes / 1e6);
  g_print ("  events out of order or missing: %d; deliveries missing after the drain: %" G_GUINT64_FORMAT
           "\n",
           g_atomic_int_get (&bench->n_gaps),
           result.expected - MIN (result.deliveries, result.expected));
  g_print ("  acks %u (rejected %u, duplicate %u); connections closed during the run %d; "
           "CPU: host %.0f%%, bench %.0f%% of one core\n",
           bench->n_acked, bench->n_rejected, bench->n_duplicate,
           g_atomic_int_get (&bench->n_closed), 100 * result.host_cpu_s / result.seconds,
           100 * result.bench_cpu_s / result.seconds);
  if (bench->last_reject)
    g_print ("  first rejection: %s\n", bench->last_reject);
  g_clear_pointer (&bench->last_reject, g_free);

  finish_scenario (bench);
  return result;
}

static int
compare_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* Median and last of one phase of the storm's stations, in seconds
 * after @t0; -1 where a station never got there. */
static void
storm_phase (Bench *bench, gsize offset, gint64 t0, double *out_median, double *out_last)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint w = 0; w < bench->threads; w++)
    for (guint i = 0; i < bench->workers[w]->stations->len; i++)
      {
        Station *station = g_ptr_array_index (bench->workers[w]->stations, i);
        gint64 t = G_STRUCT_MEMBER (gint64, station, offset);

        if (t != 0)
          g_array_append_val (times, t);
      }
  *out_median = *out_last = -1;
  if (times->len == 0)
    return;
  g_array_sort (times, compare_i64);
  *out_median = (g_array_index (times, gint64, times->len / 2) - t0) / 1e6;
  *out_last = (g_array_index (times, gint64, times->len - 1) - t0) / 1e6;
}

static void
scenario_storm (Bench *bench)
{
  g_autoptr (GError) error = NULL;
  guint n = bench->d_stations;
  gint64 t_kill, t_ready, t_connected = 0, t_caught = 0;
  double connect_s, host_cpu0, host_cpu_connected = 0, bench_cpu0, bench_cpu_connected = 0;
  double bench_cpu, host_cpu;
  guint n_threads = bench->d_threads;
  g_autofree double *worker_cpu0 = g_new0 (double, n_threads);
  g_autofree double *worker_cpu_connected = g_new0 (double, n_threads);
  guint64 hwm;
  GPid pid;

  bench->active_threads = bench->d_threads;
  start_fresh_host (bench, n);
  connect_s = connect_stations (bench, n);

  /* History to resume into: a few hundred ops, all delivered. */
  bench->op_first = bench->send_times->len;
  for (guint i = 0; i < MAX (200u, bench->d_backlog); i += 10)
    issue_ops (bench, 10);
  g_atomic_int_set (&bench->recording, 1);
  all_workers_call (bench, worker_drop_samples);
  wait_until (delivered_all, bench, 30000);
  g_atomic_int_set (&bench->recording, 0);
  spin (300);
  issuer_close (bench);
  rss_sample_cb (bench);
  bench->rss_worst_kb = MAX (bench->rss_worst_kb,
                             MAX (bench->rss_max_kb, proc_status_kb (host_pid (bench), "VmHWM:")));
  spin (100);

  g_atomic_int_set (&bench->retry, 1);
  t_kill = g_get_monotonic_time ();
  host_kill (bench);
  /* Every station has seen its connection die (libsoup reports the
   * closed socket) before the host is back. */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (g_atomic_int_get (&bench->n_closed) < (gint)n && g_get_monotonic_time () < deadline)
      g_usleep (1000);
  }

  /* Each station comes back d_backlog events behind its last applied
   * seq: the events a station misses while its host restarts. */
  for (guint w = 0; w < bench->threads; w++)
    for (guint i = 0; i < bench->workers[w]->stations->len; i++)
      {
        Station *station = g_ptr_array_index (bench->workers[w]->stations, i);

        station->since = MAX (1, station->last_seq - (gint64)bench->d_backlog);
      }
  g_atomic_int_set (&bench->n_welcomed, 0);
  g_atomic_int_set (&bench->n_caught_up, 0);
  g_atomic_int_set (&bench->n_failed, 0);

  if (!host_start (bench, &error))
    g_error ("restart: %s", error->message);
  pid = host_pid (bench);
  /* A profiler can attach to both processes here and see the storm
   * alone: "perf record -p BENCH,HOST", then kill -CONT BENCH. */
  if (g_getenv ("BENCH_FANOUT_STOP_BEFORE_STORM") != NULL)
    {
      g_printerr ("bench-fanout: stopped before the storm; bench %d, host %d\n", (int)getpid (),
                  (int)pid);
      raise (SIGSTOP);
    }
  t_ready = g_get_monotonic_time ();
  host_cpu0 = proc_cpu_seconds (pid);
  bench_cpu0 = self_cpu_seconds ();
  for (guint w = 0; w < n_threads; w++)
    worker_cpu0[w] = thread_cpu_seconds (bench->workers[w]->tid);

  /* The storm: every station at once, no jitter (the worst case). */
  if (bench->d_soup)
    all_workers_call (bench, worker_connect_all);
  else
    {
      g_atomic_int_set (&bench->raw_stop, 0);
      for (guint w = 0; w < n_threads; w++)
        bench->workers[w]->raw_thread
          = g_thread_new ("storm-raw", raw_storm_thread, bench->workers[w]);
    }
  while (g_get_monotonic_time () - t_ready < 30 * G_USEC_PER_SEC)
    {
      gboolean welcomed = t_connected == 0 && all_welcomed (bench);
      gboolean caught_up = all_caught_up (bench);

      if (welcomed || (caught_up && t_connected == 0))
        {
          t_connected = g_get_monotonic_time ();
          /* What each side had spent by then: on a loaded machine the
           * wall time says little, the CPU time says who was busy. */
          host_cpu_connected = proc_cpu_seconds (pid) - host_cpu0;
          bench_cpu_connected = self_cpu_seconds () - bench_cpu0;
          for (guint w = 0; w < n_threads; w++)
            worker_cpu_connected[w] = thread_cpu_seconds (bench->workers[w]->tid) - worker_cpu0[w];
        }
      if (caught_up)
        {
          t_caught = g_get_monotonic_time ();
          break;
        }
      /* A millisecond is the figures' resolution. Polling faster cost
       * this thread a third of a core, taken from the host and the
       * receiving threads on a two-core machine. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  host_cpu = proc_cpu_seconds (pid) - host_cpu0;
  g_atomic_int_set (&bench->raw_stop, 1);
  for (guint w = 0; w < n_threads; w++)
    if (bench->workers[w]->raw_thread != NULL)
      {
        g_thread_join (g_steal_pointer (&bench->workers[w]->raw_thread));
        worker_cpu_connected[w] = bench->workers[w]->raw_cpu_s;
      }
  bench_cpu = self_cpu_seconds () - bench_cpu0;
  /* The stations' timestamps are read once their threads are idle. */
  all_workers_call (bench, worker_noop);
  rss_sample_cb (bench);
  hwm = proc_status_kb (pid, "VmHWM:");
  bench->rss_worst_kb = MAX (bench->rss_worst_kb, MAX (hwm, bench->rss_max_kb));

  g_print ("\nd. reconnect storm: %u stations (first connected in %.2f s), kill -9, restart on "
           "port %u, all reconnect at once, each %u events behind\n",
           n, connect_s, bench->port, bench->d_backlog);
  g_print ("  host restart (kill to listening)   %8.3f s\n", (t_ready - t_kill) / 1e6);
  if (t_connected)
    g_print ("  all %u connected (welcome)        %8.3f s after listening\n", n,
             (t_connected - t_ready) / 1e6);
  else
    g_print ("  connected: only %d of %u within 30 s\n", g_atomic_int_get (&bench->n_welcomed), n);
  if (t_caught)
    g_print ("  all %u caught up to head          %8.3f s after listening\n", n,
             (t_caught - t_ready) / 1e6);
  else
    g_print ("  caught up: only %d of %u within 30 s\n", g_atomic_int_get (&bench->n_caught_up), n);
  g_print ("  failed connection attempts (retried after 100 ms): %d; snapshots: %d; "
           "events out of order or missing: %d\n",
           g_atomic_int_get (&bench->n_failed), g_atomic_int_get (&bench->n_snapshots),
           g_atomic_int_get (&bench->n_gaps));
  g_print ("  host: CPU %.2f s during the storm, RSS %.1f MB, HWM %.1f MB, open files %s\n",
           host_cpu, proc_status_kb (pid, "VmRSS:") / 1024.0, hwm / 1024.0, proc_nofile (pid));
  {
    double median, last;
    GString *workers = g_string_new (NULL);

    for (guint w = 0; w < n_threads; w++)
      g_string_append_printf (workers, "%s%.2f", w ? " + " : "", worker_cpu_connected[w]);
    g_print ("  CPU until all connected: host %.2f s; bench %.2f s (receiving thread(s) %s s)\n",
             host_cpu_connected, bench_cpu_connected, workers->str);
    g_string_free (workers, TRUE);
    g_print ("  bench: CPU %.2f s during the storm, %u receiving thread(s) (--d-threads), %s\n",
             bench_cpu, n_threads,
             bench->d_soup ? "libsoup stations (--d-client soup)"
                           : "bare-socket stations (--d-client raw; the raw threads' CPU is "
                             "for the whole storm)");
    storm_phase (bench, G_STRUCT_OFFSET (Station, t_connect), t_ready, &median, &last);
    g_print ("  stations, s after listening (median / last): connect started %.3f / %.3f,", median,
             last);
    storm_phase (bench, G_STRUCT_OFFSET (Station, t_tcp), t_ready, &median, &last);
    g_print (" TCP up %.3f / %.3f,", median, last);
    storm_phase (bench, G_STRUCT_OFFSET (Station, t_upgraded), t_ready, &median, &last);
    g_print (" upgraded %.3f / %.3f,", median, last);
    storm_phase (bench, G_STRUCT_OFFSET (Station, t_welcome), t_ready, &median, &last);
    g_print (" welcome %.3f / %.3f\n", median, last);
  }

  g_print ("  => storm: connected %s (target <= 2 s); caught up %s (target <= 5 s)\n",
           t_connected && t_connected - t_ready <= 2 * G_USEC_PER_SEC ? "PASS" : "MISS",
           t_caught && t_caught - t_ready <= 5 * G_USEC_PER_SEC ? "PASS" : "MISS");
  g_atomic_int_set (&bench->retry, 0);
  finish_scenario (bench);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *scenarios = NULL;
  g_autofree char *d_client = NULL;
  Bench bench_ = { 0 };
  Bench *bench = &bench_;
  int threads = 1, d_threads = 2, duration = 10;
  int a_stations = 50, a_rate = 200;
  int b_stations = 200, b_rate = 500, b_burst = 10;
  int d_stations = 500, d_backlog = 100;
  int e_stations = 100, e_rate = 3000, e_burst = 1;
  struct rlimit nofile;
  Result a = { 0 }, b = { 0 }, e = { 0 };
  gboolean ran_a = FALSE, ran_b = FALSE, ran_e = FALSE;
  const GOptionEntry entries[]
    = { { "scenario", 's', 0, G_OPTION_ARG_STRING, &scenarios,
          "Scenarios to run, e.g. \"abd\" (default: abcd; c is judged on what ran; e on request)",
          "LIST" },
        { "host-bin", 0, 0, G_OPTION_ARG_FILENAME, &bench->host_bin,
          "ticketrail-host to run (default: the one in this build tree)", "PATH" },
        { "host-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bench->host_args,
          "One more argument for the host (repeat for more)", "ARG" },
        { "dir", 0, 0, G_OPTION_ARG_FILENAME, &bench->base_dir,
          "Where the host's data directories go (default: the temp dir)", "DIR" },
        { "threads", 't', 0, G_OPTION_ARG_INT, &threads,
          "Threads for the receiving stations in a, b and e (1)", "N" },
        { "duration", 0, 0, G_OPTION_ARG_INT, &duration, "Seconds of ops in a and b (10)", "S" },
        { "a-stations", 0, 0, G_OPTION_ARG_INT, &a_stations, "Stations in a (50)", "N" },
        { "a-rate", 0, 0, G_OPTION_ARG_INT, &a_rate, "Ops/s in a (200)", "R" },
        { "b-stations", 0, 0, G_OPTION_ARG_INT, &b_stations, "Stations in b (200)", "N" },
        { "b-rate", 0, 0, G_OPTION_ARG_INT, &b_rate, "Ops/s in b (500)", "R" },
        { "b-burst", 0, 0, G_OPTION_ARG_INT, &b_burst, "Ops per frame in b (10)", "N" },
        { "d-stations", 0, 0, G_OPTION_ARG_INT, &d_stations, "Stations in the storm (500)", "N" },
        { "d-backlog", 0, 0, G_OPTION_ARG_INT, &d_backlog,
          "Events each station is behind when it reconnects (100)", "N" },
        { "d-threads", 0, 0, G_OPTION_ARG_INT, &d_threads,
          "Threads for the storm's receiving stations (2)", "N" },
        { "d-client", 0, 0, G_OPTION_ARG_STRING, &d_client,
          "The storm's stations: raw (bare sockets, 256 KB reads; the default) or soup "
          "(libsoup's client, as the app)",
          "raw|soup" },
        { "e-stations", 0, 0, G_OPTION_ARG_INT, &e_stations, "Stations in e, saturation (100)",
          "N" },
        { "e-rate", 0, 0, G_OPTION_ARG_INT, &e_rate, "Ops/s offered in e (3000)", "R" },
        { "e-burst", 0, 0, G_OPTION_ARG_INT, &e_burst, "Ops per frame in e (1)", "N" },
        { NULL } };

  context = g_option_context_new ("— fan-out latency, throughput, memory and reconnect storm");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-fanout: %s\n", error->message);
      return 2;
    }
  if (threads < 1 || d_threads < 1 || duration < 1 || a_stations < 1 || a_rate < 1 || b_stations < 1
      || b_rate < 1 || b_burst < 1 || d_stations < 1 || d_backlog < 0 || e_stations < 1
      || e_rate < 1 || e_burst < 1)
    {
      g_printerr ("bench-fanout: counts must be positive\n");
      return 2;
    }
  bench->fanout_threads = (guint)threads;
  bench->d_threads = (guint)d_threads;
  if (d_client != NULL && g_strcmp0 (d_client, "raw") != 0 && g_strcmp0 (d_client, "soup") != 0)
    {
      g_printerr ("bench-fanout: --d-client is raw or soup\n");
      return 2;
    }
  bench->d_soup = g_strcmp0 (d_client, "soup") == 0;
  /* The storm's bottleneck is this process: libsoup reads each
   * station's catch-up 1 KB at a time (docs/performance.md), so one
   * thread doing 500 stations' reading measures the bench, not the
   * host. */
  bench->threads = MAX (bench->fanout_threads, bench->d_threads);
  bench->active_threads = bench->fanout_threads;
  bench->duration_s = (guint)duration;
  bench->a_stations = (guint)a_stations;
  bench->a_rate = (guint)a_rate;
  bench->b_stations = (guint)b_stations;
  bench->b_rate = (guint)b_rate;
  bench->b_burst = (guint)b_burst;
  bench->d_stations = (guint)d_stations;
  bench->d_backlog = (guint)d_backlog;
  bench->e_stations = (guint)e_stations;
  bench->e_rate = (guint)e_rate;
  bench->e_burst = (guint)e_burst;
  if (scenarios == NULL)
    scenarios = g_strdup ("abcd");

  /* The host's defaults guard a restaurant against one misbehaving
   * device: 32 connections per address and 50 ops/s per station. Here
   * every station shares 127.0.0.1 and one issuer speaks for a whole
   * POS, so the bench raises those limits the way a back office would
   * (ticketrail-host --help); --host-arg comes later and wins. */
  {
    g_autoptr (GStrvBuilder) limits = g_strv_builder_new ();
    guint most = MAX (MAX (bench->a_stations, bench->e_stations),
                      MAX (bench->b_stations, bench->d_stations));
    guint rate = MAX (MAX (bench->a_rate, bench->b_rate), bench->e_rate);
    /* The storm's history goes out at once; so does the pool of tickets. */
    guint burst = MAX (MAX (200u, bench->d_backlog) + 10, MAX (POOL_SIZE, bench->b_burst));
    g_autofree char *max_connections = g_strdup_printf ("%u", MAX (2000u, most + 100));
    g_autofree char *ops_rate = g_strdup_printf ("%u", MAX (1000u, 2 * rate));
    g_autofree char *ops_burst = g_strdup_printf ("%u", MAX (1000u, burst));

    g_strv_builder_add_many (limits, "--max-connections", max_connections,
                             "--max-connections-per-address", "0", "--ops-rate", ops_rate,
                             "--ops-burst", ops_burst, NULL);
    bench->limit_args = g_strv_builder_end (limits);
  }
  if (bench->base_dir == NULL)
    bench->base_dir = g_strdup (g_get_tmp_dir ());
  if (bench->host_bin == NULL)
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
      g_autofree char *dir = g_path_get_dirname (self ? self : argv[0]);

      bench->host_bin = g_build_filename (dir, "..", "src", "host", "ticketrail-host", NULL);
    }
  if (!g_file_test (bench->host_bin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("bench-fanout: no host at %s (use --host-bin)\n", bench->host_bin);
      return 2;
    }

  /* Each station is a descriptor here and in the host (which raises its
   * own soft limit the same way). */
  if (getrlimit (RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max)
    {
      nofile.rlim_cur = nofile.rlim_max;
      setrlimit (RLIMIT_NOFILE, &nofile);
    }
  getrlimit (RLIMIT_NOFILE, &nofile);
  signal (SIGPIPE, SIG_IGN);

  bench->t_base = g_get_monotonic_time ();
  bench->send_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench->tokens = g_ptr_array_new_with_free_func (g_free);
  bench->session = g_object_new (SOUP_TYPE_SESSION, "max-conns", 64, "max-conns-per-host", 64,
                                 "timeout", 30, NULL);
  bench->workers = g_new0 (Worker *, bench->threads);
  for (guint i = 0; i < bench->threads; i++)
    {
      Worker *worker = g_new0 (Worker, 1);

      worker->bench = bench;
      worker->context = g_main_context_new ();
      worker->loop = g_main_loop_new (worker->context, FALSE);
      worker->cancellable = g_cancellable_new ();
      worker->stations = g_ptr_array_new_with_free_func (g_free);
      worker->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
      worker->thread = g_thread_new ("stations", worker_thread, worker);
      bench->workers[i] = worker;
    }

  {
    g_autofree char *loadavg = NULL;
    g_auto (GStrv) fields = NULL;

    g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
    fields = g_strsplit (loadavg ? loadavg : "? ? ?", " ", 4);
    g_autofree char *limits = g_strjoinv (" ", bench->limit_args);
    g_autofree char *extra
      = bench->host_args ? g_strjoinv (" ", bench->host_args) : g_strdup ("(none)");

    g_print ("bench-fanout: host %s\n", bench->host_bin);
    g_print ("  host limits raised: %s; --host-arg: %s\n", limits, extra);
    g_print ("  every station and the issuer is paired (its own token in its hello)\n");
    g_print (
      "  %u CPUs, %u receiving thread(s) for a, b, e and %u for d, bench open-file limit %lu, load "
      "average %s %s %s\n",
      g_get_num_processors (), bench->fanout_threads, bench->d_threads,
      (unsigned long)nofile.rlim_cur, fields[0], fields[1], fields[2]);
  }

  if (strchr (scenarios, 'a'))
    {
      a = run_fanout (bench, "a. latency", bench->a_stations, bench->a_rate, 1);
      ran_a = TRUE;
    }
  if (strchr (scenarios, 'b'))
    {
      b = run_fanout (bench, "b. throughput", bench->b_stations, bench->b_rate, bench->b_burst);
      ran_b = TRUE;
    }
  if (strchr (scenarios, 'd'))
    scenario_storm (bench);
  if (strchr (scenarios, 'e'))
    {
      /* Saturation: more than the host can take. What it delivers, how
       * late, and what never arrives within the drain. */
      e = run_fanout (bench, "e. saturation", bench->e_stations, bench->e_rate, bench->e_burst);
      ran_e = TRUE;
    }

  g_print ("\nSummary\n");
  if (ran_a)
    g_print ("  a. %u stations x %u ops/s: p99 %.2f ms (target <= 10 ms): %s\n", a.stations,
             bench->a_rate, a.p99, a.p99 <= 10.0 && a.deliveries == a.expected ? "PASS" : "MISS");
  if (ran_b)
    g_print ("  b. %u stations: %.0f deliveries/s (target >= 50,000): %s\n", b.stations,
             b.seconds > 0 ? b.deliveries / b.seconds : 0.0,
             b.seconds > 0 && b.deliveries / b.seconds >= 50000 && b.deliveries == b.expected
               ? "PASS"
               : "MISS");
  if (ran_e)
    g_print ("  e. %u stations, %u ops/s offered: %.0f deliveries/s, p99 %.1f ms, %" G_GUINT64_FORMAT
             " of %" G_GUINT64_FORMAT " deliveries missing after the drain (no target)\n",
             e.stations, bench->e_rate, e.seconds > 0 ? e.deliveries / e.seconds : 0.0, e.p99,
             e.expected - MIN (e.deliveries, e.expected), e.expected);
  if (strchr (scenarios, 'c') && bench->rss_measured)
    g_print ("  c. host RSS peak %.1f MB over the runs above (target <= 64 MB): %s\n",
             bench->rss_worst_kb / 1024.0, bench->rss_worst_kb <= 64 * 1024 ? "PASS" : "MISS");

  for (guint i = 0; i < bench->threads; i++)
    {
      worker_call (bench->workers[i], worker_quit);
      g_thread_join (bench->workers[i]->thread);
    }
  return 0;
}
