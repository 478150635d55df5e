/* chaos-driver.c: proves Ticketrail never loses or duplicates an op
 *
 * All on loopback: the real ticketrail-host process, N chaos-station
 * processes (each the real TrClient over its own SQLite file) each
 * behind its own fault-injecting proxy (tr-test-proxy), and a
 * point-of-sale feed posting tickets over HTTP, behind a proxy too.
 * On a schedule drawn from one seed it SIGKILLs and restarts the host
 * and the stations, keeps one station offline for over a minute, and
 * makes the proxies cut (RST or FIN), black-hole, delay with jitter and
 * split into single bytes. Then it lifts every fault, lets everything
 * drain, stops the processes and checks the databases:
 *
 *  - every op any station or the POS journaled has exactly one outcome
 *    on the host (op_results), applied with its event or rejected with
 *    a documented reason;
 *  - no op id is twice in the event log, and the log has no gap;
 *  - every station's tickets hash the same as the host's (diverged=0).
 *
 * Two stations also fail to apply the host's state a few times (a fault
 * injected in their store) while the others edit the same hot tickets,
 * and every station now and then makes an amendment too large for any
 * frame, which it must refuse without wedging its outbox: issue 18's
 * scenarios 1 and 2.
 *
 * The last line is always
 *   chaos: ops=N applied=N rejected=N lost=N duplicated=N diverged=N reconnects=N
 *          host_kills=N station_kills=N converge_ms=N seed=S
 * (one line). Exit 0: all checks passed; 1: a check failed (the seed is
 * printed; --seed replays the schedule); 2: bad usage; 3: the harness
 * itself could not run.
 *
 * docs/reliability.md describes the run and its figures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "chaos-driver"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "tr-codec.h"
#include "tr-store-private.h"
#include "tr-store.h"
#include "tr-test-proxy.h"

#ifndef TR_CHAOS_HOST_BIN
#define TR_CHAOS_HOST_BIN "ticketrail-host"
#endif
#ifndef TR_CHAOS_STATION_BIN
#define TR_CHAOS_STATION_BIN "chaos-station"
#endif

/* A sanitizer build runs each process 2-3x slower: the short run then
 * spreads the same ops and faults over twice the time. */
#if defined(__SANITIZE_ADDRESS__)
#define SLOWDOWN 2
#else
#define SLOWDOWN 1
#endif

#define TICK_MS 50
#define HEALTH_EVERY_MS 200
#define DUPLICATE_MARK "\"result\":\"duplicate\""

/* Rejections the run can produce, each explained in docs/reliability.md. */
static const char *const documented_codes[]
  = { "illegal_transition", "ticket_closed", "unknown_ticket", "unknown_item",
      "duplicate_id",       "invalid",       "limit" };

typedef enum
{
  F_HOST_KILL,
  F_HOST_START,
  F_STATION_KILL,
  F_STATION_START,
  F_CUT,   /* a: reset */
  F_MODE,  /* a: TrTestProxyMode */
  F_DELAY, /* a: delay ms, b: jitter ms */
  F_SPLIT, /* a: on */
  F_INJECT_ISOLATE,
  F_INJECT_KILL,
} FaultKind;

typedef struct
{
  gint64 at; /* ms after the start of the chaos phase */
  FaultKind kind;
  guint target; /* station index; n_stations is the POS's proxy */
  int a, b;
  guint order; /* keeps equal times in the order they were drawn */
} Fault;

typedef struct
{
  guint index;
  char *id;
  char *token;
  char *db_path;
  char *journal_path;
  char *log_path;
  TrTestProxy *proxy;
  GSubprocess *proc;
  GDataInputStream *out;
  GCancellable *cancellable;
  gboolean expect_exit;
  gboolean exited;
  int exit_status;
  guint runs;
  /* From the latest status line. */
  guint issued;
  guint queued;
  gint64 last_seq;
  char *state;
  char *host_id;
  guint run_reconnects;
  guint run_rejected;
  guint run_refused;
  guint run_oversized;
  guint run_apply_faults;
  gint64 status_at; /* monotonic ms */
  /* Summed over finished runs. */
  guint reconnects;
  guint rejected;
  guint refused;
  guint oversized;
  guint apply_faults;
} Station;

typedef struct
{
  char *token;
  char *url;
  TrTestProxy *proxy;
  SoupSession *session;
  int journal_fd;
  GPtrArray *op_ids;
  char *op_id; /* the order in flight, retried with the same op id */
  char *body;
  gboolean in_flight;
  gint64 next_at;
  guint created;
  guint replayed;
  guint refused;
  guint retries;
} Pos;

typedef enum
{
  PHASE_CHAOS,
  PHASE_CALM,
  PHASE_STOP,
  PHASE_DONE,
} Phase;

typedef struct
{
  /* Options */
  gint64 seed;
  guint n_stations;
  guint ops;
  guint chaos_s;
  guint host_kills;
  guint station_kills;
  guint offline_s;
  guint offline_every_s;
  guint converge_timeout_s;
  guint apply_faults;  /* per run of each of the first two stations */
  guint oversized_pct; /* of every station's amends */
  gboolean inject;
  gboolean keep;
  char *host_bin;
  char *station_bin;

  char *dir;
  char *host_dir;
  char *host_log;
  char *host_g_debug; /* G_DEBUG without fatal-warnings */
  guint host_port;
  GSubprocess *host;
  gboolean host_expect_exit;
  gboolean host_exited;
  int host_exit_status;
  char *host_id;
  Station *stations;
  Pos pos;
  GArray *faults;
  guint next_fault;
  FILE *fault_log;
  GMainLoop *loop;
  SoupSession *session;
  Phase phase;
  gint64 start;         /* monotonic ms of the chaos phase's start */
  gint64 deadline;      /* wall-clock ms by which stations should have issued all */
  gint64 calm_at;       /* monotonic ms when the faults were lifted */
  gint64 last_fault_at; /* monotonic ms of the last fault action (a restart, a link back) */
  gint64 last_host_start_at;
  gint64 converged_at;
  gint64 converge_ms;
  gint64 head_seq;
  gint64 last_head;
  gint64 head_at;
  gboolean health_pending;
  gint64 health_next;
  gint64 stop_at;
  GPtrArray *failures;
  /* Injection */
  guint inject_victim;
  gint64 inject_since; /* wall-clock ms */
  gboolean inject_pending;
  char *injected_op;
  /* Counters */
  guint n_host_kills;
  guint n_station_kills;
  guint n_cuts;
  guint n_blackholes;
  guint n_half_open;
  guint n_delays;
  guint n_splits;
  guint n_offline;
  guint dup_acks;
  GHashTable *dup_carry; /* TrTestProxy* → GString of the last bytes */
} Driver;

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static void G_GNUC_PRINTF (2, 3) fail (Driver *self, const char *format, ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("chaos-driver: FAILURE: %s\n", message);
  g_ptr_array_add (self->failures, message);
}

static void
child_setup (gpointer data)
{
  /* Whatever happens to the driver, no child outlives it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static int
open_log (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

  if (fd < 0)
    g_error ("cannot open %s: %s", path, g_strerror (errno));
  return fd;
}

/* ---- The host process ---- */

/* The tests' ASAN_OPTIONS ask for the slow unwinder on every malloc,
 * for full leak stacks. Twelve processes doing that spend their time
 * unwinding, and the run measures nothing but that, so the children
 * use the fast one. The fast unwinder stops at GLib's frames, which
 * makes lsan.supp's suppression of libsoup 3.2's leaked accepted
 * sockets unmatchable: the host's leak check is left to test-host,
 * which runs it with full stacks; the stations keep theirs. */
static void
set_child_asan_options (Driver *self, GSubprocessLauncher *launcher, gboolean is_host)
{
  const char *options = g_getenv ("ASAN_OPTIONS");
  g_autoptr (GString) child = NULL;

  if (options == NULL)
    return;
  child = g_string_new (options);
  g_string_replace (child, "fast_unwind_on_malloc=0", "fast_unwind_on_malloc=1", 0);
  if (is_host)
    {
      g_string_replace (child, "detect_leaks=1", "detect_leaks=0", 0);
      if (strstr (child->str, "detect_leaks=") == NULL)
        g_string_append (child, ":detect_leaks=0");
    }
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", child->str, TRUE);
}

static void
host_start (Driver *self);

static void
on_host_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GSubprocess *proc = G_SUBPROCESS (source);
  Driver *self = user_data;

  g_subprocess_wait_finish (proc, result, NULL);
  if (proc != self->host)
    {
      g_object_unref (proc);
      return;
    }
  self->host_exited = TRUE;
  self->host_exit_status = g_subprocess_get_status (proc);
  if (!self->host_expect_exit)
    {
      fail (self, "the host exited by itself (wait status %d); see %s", self->host_exit_status,
            self->host_log);
      g_clear_object (&self->host);
      if (self->phase == PHASE_CHAOS || self->phase == PHASE_CALM)
        host_start (self);
    }
  g_object_unref (proc);
}

static void
host_start (Driver *self)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", self->host_port);
  int fd = open_log (self->host_log);

  g_assert (self->host == NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* The host runs as in production, where a warning is a log line: with
   * fatal-warnings, libsoup's own warning about a peer that reset
   * before the accept completed (the proxies do reset) would abort it.
   * check_logs() still fails the run on any unexpected warning. */
  if (self->host_g_debug != NULL)
    g_subprocess_launcher_setenv (launcher, "G_DEBUG", self->host_g_debug, TRUE);
  set_child_asan_options (self, launcher, TRUE);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (fd));
  g_subprocess_launcher_take_stderr_fd (launcher, fd);
  self->host = g_subprocess_launcher_spawn (launcher, &error, self->host_bin, "--port", port,
                                            "--loopback", "--data-dir", self->host_dir, NULL);
  if (self->host == NULL)
    g_error ("cannot start %s: %s", self->host_bin, error->message);
  self->host_expect_exit = FALSE;
  self->host_exited = FALSE;
  /* The callback's own reference: a killed run's object stays alive
   * until its exit is seen, so a new run never reuses its address. */
  g_object_ref (self->host);
  g_subprocess_wait_async (self->host, NULL, on_host_exited, self);
}

static void
host_kill (Driver *self)
{
  if (self->host == NULL)
    return;
  self->host_expect_exit = TRUE;
  g_subprocess_send_signal (self->host, SIGKILL);
  g_clear_object (&self->host);
  self->n_host_kills++;
}

/* ---- Station processes ---- */

static void
station_start (Driver *self, Station *station);

static gboolean
parse_uint (const char *value, guint *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &v, NULL))
    return FALSE;
  *out = (guint)v;
  return TRUE;
}

static void
station_parse_status (Station *station, const char *line)
{
  g_auto (GStrv) fields = g_strsplit (line + strlen ("status "), " ", -1);

  for (guint i = 0; fields[i] != NULL; i++)
    {
      char *eq = strchr (fields[i], '=');
      const char *value;

      if (eq == NULL)
        continue;
      *eq = '\0';
      value = eq + 1;
      if (g_str_equal (fields[i], "issued"))
        parse_uint (value, &station->issued);
      else if (g_str_equal (fields[i], "queued"))
        parse_uint (value, &station->queued);
      else if (g_str_equal (fields[i], "last_seq"))
        station->last_seq = g_ascii_strtoll (value, NULL, 10);
      else if (g_str_equal (fields[i], "state"))
        {
          g_free (station->state);
          station->state = g_strdup (value);
        }
      else if (g_str_equal (fields[i], "host"))
        {
          g_free (station->host_id);
          station->host_id = g_strdup (value);
        }
      else if (g_str_equal (fields[i], "reconnects"))
        parse_uint (value, &station->run_reconnects);
      else if (g_str_equal (fields[i], "rejected"))
        parse_uint (value, &station->run_rejected);
      else if (g_str_equal (fields[i], "refused"))
        parse_uint (value, &station->run_refused);
      else if (g_str_equal (fields[i], "oversized"))
        parse_uint (value, &station->run_oversized);
      else if (g_str_equal (fields[i], "apply_faults"))
        parse_uint (value, &station->run_apply_faults);
    }
  station->status_at = now_ms ();
}

typedef struct
{
  Driver *driver;
  Station *station;
  GDataInputStream *out;
} LineRead;

static void
on_station_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineRead *read = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length;

  line
    = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, &length, &error);
  if (line == NULL || read->station->out != read->out)
    {
      /* EOF, cancelled, or a run that was replaced. */
      if (read->station->out == read->out)
        read->station->out = NULL;
      g_object_unref (read->out);
      g_free (read);
      return;
    }
  if (g_str_has_prefix (line, "status "))
    station_parse_status (read->station, line);
  g_data_input_stream_read_line_async (read->out, G_PRIORITY_DEFAULT, read->station->cancellable,
                                       on_station_line, read);
}

/* Folds the finished run's counters into the totals. */
static void
station_end_run (Station *station)
{
  station->reconnects += station->run_reconnects;
  station->rejected += station->run_rejected;
  station->refused += station->run_refused;
  station->oversized += station->run_oversized;
  station->apply_faults += station->run_apply_faults;
  station->run_reconnects = station->run_rejected = station->run_refused = 0;
  station->run_oversized = station->run_apply_faults = 0;
}

static void
inject_drop_row (Driver *self, Station *station);

typedef struct
{
  Driver *driver;
  Station *station;
} ExitWait;

static void
on_station_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ExitWait *wait = user_data;
  GSubprocess *proc = G_SUBPROCESS (source);
  Driver *self = wait->driver;
  Station *station = wait->station;

  g_subprocess_wait_finish (proc, result, NULL);
  g_free (wait);
  if (proc != station->proc)
    {
      /* A killed run: its replacement may already be up. */
      if (self->inject_pending && station->index == self->inject_victim)
        inject_drop_row (self, station);
      g_object_unref (proc);
      return;
    }
  station->exited = TRUE;
  station->exit_status = g_subprocess_get_status (proc);
  if (!station->expect_exit)
    {
      fail (self, "station %s exited by itself (wait status %d); see %s", station->id,
            station->exit_status, station->log_path);
      g_clear_object (&station->proc);
      station->out = NULL;
      station_end_run (station);
      if (self->phase == PHASE_CHAOS || self->phase == PHASE_CALM)
        station_start (self, station);
    }
  g_object_unref (proc);
}

static void
station_start (Driver *self, Station *station)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = tr_test_proxy_get_url (station->proxy);
  g_autofree char *seed = g_strdup_printf ("%" G_GINT64_FORMAT, self->seed * 1000 + station->index);
  g_autofree char *ops = g_strdup_printf ("%u", self->ops);
  g_autofree char *deadline = g_strdup_printf ("%" G_GINT64_FORMAT, self->deadline);
  g_autofree char *oversized_pct = g_strdup_printf ("%u", self->oversized_pct);
  g_autofree char *apply_faults
    = g_strdup_printf ("%u", station->index < 2 ? self->apply_faults : 0);
  LineRead *read;
  ExitWait *wait;

  g_assert (station->proc == NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  set_child_asan_options (self, launcher, FALSE);
  g_subprocess_launcher_take_stderr_fd (launcher, open_log (station->log_path));
  station->proc = g_subprocess_launcher_spawn (
    launcher, &error, self->station_bin, "--db", station->db_path, "--journal",
    station->journal_path, "--url", url, "--id", station->id, "--token", station->token, "--seed",
    seed, "--ops", ops, "--deadline", deadline, "--oversized-pct", oversized_pct, "--apply-faults",
    apply_faults, NULL);
  if (station->proc == NULL)
    g_error ("cannot start %s: %s", self->station_bin, error->message);
  station->runs++;
  station->expect_exit = FALSE;
  station->exited = FALSE;
  station->status_at = 0;
  station->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (station->proc));
  read = g_new0 (LineRead, 1);
  read->driver = self;
  read->station = station;
  read->out = station->out; /* the read loop owns it */
  g_data_input_stream_read_line_async (read->out, G_PRIORITY_DEFAULT, station->cancellable,
                                       on_station_line, read);
  wait = g_new0 (ExitWait, 1);
  wait->driver = self;
  wait->station = station;
  g_subprocess_wait_async (station->proc, NULL, on_station_exited, wait);
  g_object_ref (station->proc); /* for on_station_exited */
}

static gboolean
station_kill (Driver *self, Station *station)
{
  if (station->proc == NULL)
    return FALSE;
  station->expect_exit = TRUE;
  g_subprocess_send_signal (station->proc, SIGKILL);
  g_clear_object (&station->proc);
  station->out = NULL;
  station_end_run (station);
  self->n_station_kills++;
  return TRUE;
}

/* ---- The injected fault ---- */

static gboolean
journal_has (const char *path, const char *op_id)
{
  g_autofree char *contents = NULL;
  g_autofree char *needle = g_strdup_printf ("op %s ", op_id);

  return g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, needle) != NULL;
}

/* With the victim dead, deletes the newest outbox row it made after it
 * was cut off (so the op cannot have reached the host) and journaled:
 * the one thing the client must never do. */
static void
inject_drop_row (Driver *self, Station *station)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);

  self->inject_pending = FALSE;
  if (sqlite3_open_v2 (station->db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      fail (self, "inject: cannot open %s: %s", station->db_path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return;
    }
  sqlite3_busy_timeout (db, 5000);
  sqlite3_prepare_v2 (db, "SELECT op_id FROM outbox WHERE created_at > ?1 ORDER BY pos DESC", -1,
                      &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, self->inject_since + 200);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (candidates, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  for (guint i = 0; i < candidates->len && self->injected_op == NULL; i++)
    if (journal_has (station->journal_path, g_ptr_array_index (candidates, i)))
      self->injected_op = g_strdup (g_ptr_array_index (candidates, i));
  if (self->injected_op != NULL)
    {
      sqlite3_prepare_v2 (db, "DELETE FROM outbox WHERE op_id = ?1", -1, &stmt, NULL);
      sqlite3_bind_text (stmt, 1, self->injected_op, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE || sqlite3_changes (db) != 1)
        fail (self, "inject: deleting the row failed: %s", sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      g_print ("chaos-driver: injected fault: dropped the outbox row of op %s at %s\n",
               self->injected_op, station->id);
    }
  else
    fail (self, "inject: %s had no journaled outbox row to drop", station->id);
  sqlite3_close (db);
}

/* ---- The POS feed ---- */

static void
pos_send (Driver *self);

static void
pos_done (Driver *self)
{
  Pos *pos = &self->pos;

  g_clear_pointer (&pos->op_id, g_free);
  g_clear_pointer (&pos->body, g_free);
  pos->next_at = now_ms () + g_random_int_range (400, 1600);
}

static gboolean
on_pos_retry (gpointer user_data)
{
  pos_send (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_pos_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Driver *self = user_data;
  Pos *pos = &self->pos;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
    = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status = body != NULL ? soup_message_get_status (msg) : 0;

  pos->in_flight = FALSE;
  if (status == SOUP_STATUS_CREATED)
    pos->created++;
  else if (status == SOUP_STATUS_OK)
    pos->replayed++; /* a retry of an order the host already has */
  else if (status == SOUP_STATUS_CONFLICT || status == SOUP_STATUS_BAD_REQUEST)
    pos->refused++;
  else
    {
      /* Not answered (cut, black-holed, host down) or 5xx/429: the same
       * order again, with the same op_id. */
      pos->retries++;
      g_timeout_add (300, on_pos_retry, self);
      return;
    }
  pos_done (self);
}

static void
pos_send (Driver *self)
{
  Pos *pos = &self->pos;
  g_autofree char *url = g_strdup_printf ("%s/api/v1/tickets", pos->url);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", pos->token);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) bytes = g_bytes_new (pos->body, strlen (pos->body));

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  pos->in_flight = TRUE;
  soup_session_send_and_read_async (pos->session, msg, G_PRIORITY_DEFAULT, NULL, on_pos_answer,
                                    self);
}

static void
pos_new_order (Driver *self)
{
  static const char *const dishes[]
    = { "Margherita", "Lasagne", "Tiramisu", "Espresso", "Calzone" };
  Pos *pos = &self->pos;
  g_autoptr (GString) body = g_string_new (NULL);
  guint n_items = (guint)g_random_int_range (1, 4);
  g_autofree char *line = NULL;

  pos->op_id = g_strdup_printf ("pos-%" G_GINT64_FORMAT "-%u", self->seed, pos->op_ids->len + 1);
  g_string_append_printf (body,
                          "{\"op_id\":\"%s\",\"external_ref\":\"%u\",\"table\":\"%d\",\"items\":[",
                          pos->op_id, pos->op_ids->len + 1, g_random_int_range (1, 40));
  for (guint i = 0; i < n_items; i++)
    g_string_append_printf (body, "%s{\"name\":\"%s\",\"quantity\":%d}", i ? "," : "",
                            dishes[g_random_int_range (0, G_N_ELEMENTS (dishes))],
                            g_random_int_range (1, 4));
  g_string_append (body, "]}");
  pos->body = g_string_free (g_steal_pointer (&body), FALSE);
  /* Journaled before the first attempt: the feed retries it until the
   * host answers, so every journaled order must have an outcome. */
  line = g_strdup_printf ("op %s pos\n", pos->op_id);
  if (write (pos->journal_fd, line, strlen (line)) != (gssize)strlen (line)
      || fsync (pos->journal_fd) != 0)
    g_error ("writing the POS journal failed: %s", g_strerror (errno));
  g_ptr_array_add (pos->op_ids, g_strdup (pos->op_id));
  pos_send (self);
}

static void
pos_tick (Driver *self)
{
  Pos *pos = &self->pos;

  if (pos->in_flight || pos->op_id != NULL)
    return;
  if (self->phase == PHASE_CHAOS && now_ms () >= pos->next_at)
    pos_new_order (self);
}

static gboolean
pos_idle (Driver *self)
{
  return !self->pos.in_flight && self->pos.op_id == NULL;
}

/* ---- Counting duplicate acks on the wire ---- */

static void
on_tap (TrTestProxy *proxy, gboolean to_target, const guint8 *data, gsize length,
        gpointer user_data)
{
  Driver *self = user_data;
  GString *carry;
  const gsize mark_len = strlen (DUPLICATE_MARK);
  const char *p;

  if (to_target)
    return;
  carry = g_hash_table_lookup (self->dup_carry, proxy);
  g_string_append_len (carry, (const char *)data, (gssize)length);
  p = carry->str;
  while ((p = g_strstr_len (p, (gssize)(carry->str + carry->len - p), DUPLICATE_MARK)) != NULL)
    {
      self->dup_acks++;
      p += mark_len;
    }
  /* Keep only what could start a mark cut by the chunk's end. */
  if (carry->len >= mark_len)
    g_string_erase (carry, 0, (gssize)(carry->len - (mark_len - 1)));
}

/* ---- The schedule ---- */

static void
add_fault (GArray *faults, gint64 at, FaultKind kind, guint target, int a, int b)
{
  Fault fault = { at, kind, target, a, b, faults->len };

  g_array_append_val (faults, fault);
}

static int
compare_faults (gconstpointer a, gconstpointer b)
{
  const Fault *fa = a, *fb = b;

  if (fa->at != fb->at)
    return fa->at < fb->at ? -1 : 1;
  return fa->order < fb->order ? -1 : fa->order > fb->order;
}

/* Everything from the seed, before anything runs, so --seed S replays
 * the same schedule (the interleavings of real processes still vary). */
static void
build_schedule (Driver *self)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32)self->seed);
  gint64 chaos_ms = (gint64)self->chaos_s * 1000;
  guint n = self->n_stations;
  /* Per proxy (stations, then the POS): busy with a fault until. */
  g_autofree gint64 *busy = g_new0 (gint64, n + 1);
  g_autofree gint64 *down = g_new0 (gint64, n);
  gint64 t;

  self->faults = g_array_new (FALSE, FALSE, sizeof (Fault));

  /* Host kills, spread over the run, each down 0.2-2.5 s. The last one
   * is the run's last fault: the drain after it is what converge_ms
   * measures (a host restart, reconnects, catch-ups and outbox replays,
   * with the stations done issuing). */
  for (guint k = 0; k + 1 < self->host_kills; k++)
    {
      gint64 slot = (chaos_ms - 6000) / (self->host_kills - 1);
      gint64 at = slot * k + slot / 4 + g_rand_int_range (rand, 0, (gint32)(slot / 2));

      add_fault (self->faults, at, F_HOST_KILL, 0, 0, 0);
      add_fault (self->faults, at + g_rand_int_range (rand, 200, 2500), F_HOST_START, 0, 0, 0);
    }
  add_fault (self->faults, chaos_ms - 2000, F_HOST_KILL, 0, 0, 0);
  add_fault (self->faults, chaos_ms - 2000 + g_rand_int_range (rand, 200, 1500), F_HOST_START, 0, 0,
             0);

  /* Offline windows: the first from 15% of the run, then one every
   * offline_every_s; each over a minute, first black-holed (the station
   * must notice the silence), then refusing, with its outbox filling. */
  for (t = chaos_ms * 15 / 100; t + (gint64)self->offline_s * 1000 < chaos_ms - 5000;
       t += (gint64)MAX (self->offline_every_s, self->offline_s + 30) * 1000)
    {
      guint victim = (guint)g_rand_int_range (rand, 0, (gint32)n);
      gint64 len = (gint64)self->offline_s * 1000;

      if (self->inject && victim == self->inject_victim)
        victim = (victim + 1) % n;
      add_fault (self->faults, t, F_MODE, victim, TR_TEST_PROXY_BLACKHOLE, 0);
      add_fault (self->faults, t + len / 2, F_MODE, victim, TR_TEST_PROXY_REFUSE, 0);
      add_fault (self->faults, t + len / 2, F_CUT, victim, 1, 0);
      add_fault (self->faults, t + len, F_MODE, victim, TR_TEST_PROXY_FORWARD, 0);
      busy[victim] = MAX (busy[victim], t + len + 2000);
      self->n_offline++;
      if (self->offline_every_s == 0)
        break;
    }

  if (self->inject)
    {
      guint v = self->inject_victim;
      gint64 at = chaos_ms / 2;

      add_fault (self->faults, at, F_INJECT_ISOLATE, v, 0, 0);
      add_fault (self->faults, at + 3000, F_INJECT_KILL, v, 0, 0);
      add_fault (self->faults, at + 3500, F_STATION_START, v, 0, 0);
      add_fault (self->faults, at + 4000, F_MODE, v, TR_TEST_PROXY_FORWARD, 0);
      busy[v] = MAX (busy[v], at + 5000);
      down[v] = at + 5000;
    }

  /* Station kills, spread over the run, each down 0.2-1.5 s. */
  for (guint k = 0; k < self->station_kills; k++)
    {
      gint64 slot = chaos_ms / self->station_kills;
      gint64 at = slot * k + g_rand_int_range (rand, 500, (gint32)MAX (slot, 1000));
      gint64 back;
      guint victim = (guint)g_rand_int_range (rand, 0, (gint32)n);

      at = MIN (at, chaos_ms - 3000);
      for (guint tries = 0; tries < n && down[victim] > at - 1000; tries++)
        victim = (victim + 1) % n;
      back = at + g_rand_int_range (rand, 200, 1500);
      add_fault (self->faults, at, F_STATION_KILL, victim, 0, 0);
      add_fault (self->faults, back, F_STATION_START, victim, 0, 0);
      down[victim] = MAX (down[victim], back);
    }

  /* Link faults on a random proxy every 0.4-1.6 s. */
  for (t = 1000; t < chaos_ms - 3000; t += g_rand_int_range (rand, 400, 1600))
    {
      guint target = (guint)g_rand_int_range (rand, 0, (gint32)n + 1);
      double roll = g_rand_double (rand);
      gint64 len;

      if (busy[target] > t)
        continue;
      if (roll < 0.30)
        {
          add_fault (self->faults, t, F_CUT, target, g_rand_boolean (rand), 0);
          busy[target] = t + 200;
        }
      else if (roll < 0.42)
        {
          /* Ops land but their acks do not; the reset loses them, and
           * the station's resend must come back "duplicate". */
          len = g_rand_int_range (rand, 1000, 5000);
          add_fault (self->faults, t, F_MODE, target, TR_TEST_PROXY_HALF_OPEN, 0);
          add_fault (self->faults, t + len, F_CUT, target, 1, 0);
          add_fault (self->faults, t + len, F_MODE, target, TR_TEST_PROXY_FORWARD, 0);
          busy[target] = t + len + 500;
        }
      else if (roll < 0.60)
        {
          /* Some outlast the 15 s dead-peer timeouts on both sides. */
          len = g_rand_int_range (rand, 1000, 20000);
          add_fault (self->faults, t, F_MODE, target, TR_TEST_PROXY_BLACKHOLE, 0);
          add_fault (self->faults, t + len, F_MODE, target, TR_TEST_PROXY_FORWARD, 0);
          busy[target] = t + len + 500;
        }
      else if (roll < 0.82)
        {
          len = g_rand_int_range (rand, 2000, 10000);
          add_fault (self->faults, t, F_DELAY, target, g_rand_int_range (rand, 20, 300),
                     g_rand_int_range (rand, 0, 250));
          /* Half of them end in a cut with bytes still held. */
          if (g_rand_boolean (rand))
            add_fault (self->faults, t + len / 2, F_CUT, target, g_rand_boolean (rand), 0);
          add_fault (self->faults, t + len, F_DELAY, target, 0, 0);
          busy[target] = t + len + 500;
        }
      else
        {
          len = g_rand_int_range (rand, 2000, 6000);
          add_fault (self->faults, t, F_SPLIT, target, 1, 0);
          add_fault (self->faults, t + len, F_SPLIT, target, 0, 0);
          busy[target] = t + len + 500;
        }
    }

  g_array_sort (self->faults, compare_faults);
}

static TrTestProxy *
target_proxy (Driver *self, guint target)
{
  return target < self->n_stations ? self->stations[target].proxy : self->pos.proxy;
}

static const char *const fault_names[]
  = { "host-kill", "host-start", "station-kill", "station-start",  "cut",
      "mode",      "delay",      "split",        "inject-isolate", "inject-kill" };

static void
run_fault (Driver *self, const Fault *fault)
{
  TrTestProxy *proxy = target_proxy (self, fault->target);
  Station *station = fault->target < self->n_stations ? &self->stations[fault->target] : NULL;

  {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S.%f");

    fprintf (self->fault_log, "%.12s %8.1f s %s %s %d %d\n", stamp,
             (double)(now_ms () - self->start) / 1000, fault_names[fault->kind],
             fault->kind <= F_HOST_START ? "host"
             : station                   ? station->id
                                         : "pos",
             fault->a, fault->b);
    fflush (self->fault_log);
  }

  switch (fault->kind)
    {
      case F_HOST_KILL:
        host_kill (self);
        break;
      case F_HOST_START:
        if (self->host == NULL)
          host_start (self);
        self->last_host_start_at = now_ms ();
        break;
      case F_STATION_KILL:
        station_kill (self, station);
        break;
      case F_STATION_START:
        if (station->proc == NULL)
          station_start (self, station);
        break;
      case F_CUT:
        tr_test_proxy_cut (proxy, fault->a != 0);
        self->n_cuts++;
        break;
      case F_MODE:
        if (fault->a == TR_TEST_PROXY_BLACKHOLE)
          self->n_blackholes++;
        else if (fault->a == TR_TEST_PROXY_HALF_OPEN)
          self->n_half_open++;
        tr_test_proxy_set_mode (proxy, fault->a);
        break;
      case F_DELAY:
        if (fault->a > 0)
          self->n_delays++;
        tr_test_proxy_set_delay (proxy, (guint)fault->a, (guint)fault->b);
        break;
      case F_SPLIT:
        if (fault->a)
          self->n_splits++;
        tr_test_proxy_set_split (proxy, fault->a != 0);
        break;
      case F_INJECT_ISOLATE:
        self->inject_since = tr_now_ms ();
        tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_REFUSE);
        tr_test_proxy_cut (proxy, TRUE);
        break;
      case F_INJECT_KILL:
        self->inject_pending = station_kill (self, station);
        if (!self->inject_pending)
          fail (self, "inject: %s was not running", station->id);
        break;
      default:
        g_assert_not_reached ();
    }
}

/* ---- Phases ---- */

static void
on_health (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Driver *self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr (JsonNode) root = NULL;

  self->health_pending = FALSE;
  if (body == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK)
    return;
  root = tr_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  {
    JsonObject *object = json_node_get_object (root);
    gint64 head = json_object_get_int_member_with_default (object, "head_seq", -1);
    const char *host_id = json_object_get_string_member_with_default (object, "host_id", NULL);

    if (host_id != NULL && self->host_id == NULL)
      self->host_id = g_strdup (host_id);
    self->head_seq = head;
    self->head_at = now_ms ();
  }
}

static void
request_health (Driver *self)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/health", self->host_port);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  self->health_pending = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL, on_health, self);
}

static gboolean
station_converged (Driver *self, Station *station)
{
  return station->proc != NULL && station->status_at > self->calm_at && station->queued == 0
         && station->issued >= self->ops && station->last_seq == self->head_seq
         && g_strcmp0 (station->host_id, self->host_id) == 0
         && g_str_has_prefix (station->state ? station->state : "", "online");
}

static void
lift_faults (Driver *self)
{
  for (guint i = 0; i <= self->n_stations; i++)
    {
      TrTestProxy *proxy = target_proxy (self, i);

      tr_test_proxy_set_delay (proxy, 0, 0);
      tr_test_proxy_set_split (proxy, FALSE);
      tr_test_proxy_set_mode (proxy, TR_TEST_PROXY_FORWARD);
    }
  if (self->host == NULL)
    host_start (self);
  for (guint i = 0; i < self->n_stations; i++)
    if (self->stations[i].proc == NULL)
      station_start (self, &self->stations[i]);
  self->calm_at = now_ms ();
  g_print ("chaos-driver: faults lifted after %.1f s; draining\n",
           (double)(self->calm_at - self->start) / 1000);
}

static void
stop_processes (Driver *self)
{
  self->phase = PHASE_STOP;
  self->stop_at = now_ms ();
  for (guint i = 0; i < self->n_stations; i++)
    {
      Station *station = &self->stations[i];

      if (station->proc != NULL)
        {
          station->expect_exit = TRUE;
          g_subprocess_send_signal (station->proc, SIGTERM);
        }
    }
}

static gboolean
all_stations_exited (Driver *self)
{
  for (guint i = 0; i < self->n_stations; i++)
    if (self->stations[i].proc != NULL && !self->stations[i].exited)
      return FALSE;
  return TRUE;
}

static gboolean
on_tick (gpointer user_data)
{
  Driver *self = user_data;
  gint64 now = now_ms ();

  switch (self->phase)
    {
      case PHASE_CHAOS:
        {
          gboolean issued_all = TRUE;

          while (self->next_fault < self->faults->len)
            {
              const Fault *fault = &g_array_index (self->faults, Fault, self->next_fault);

              if (fault->at > now - self->start)
                break;
              /* The victim comes back only once its row is gone. */
              if (fault->kind == F_STATION_START && self->inject_pending
                  && fault->target == self->inject_victim)
                break;
              run_fault (self, fault);
              self->last_fault_at = now_ms ();
              self->next_fault++;
            }
          pos_tick (self);
          for (guint i = 0; i < self->n_stations; i++)
            if (self->stations[i].issued < self->ops)
              issued_all = FALSE;
          if (self->next_fault >= self->faults->len
              && now - self->start >= (gint64)self->chaos_s * 1000 && issued_all)
            {
              self->phase = PHASE_CALM;
              lift_faults (self);
            }
          else if (now - self->start
                   > (gint64)self->chaos_s * 1000 + (gint64)self->converge_timeout_s * 1000)
            {
              for (guint i = 0; i < self->n_stations; i++)
                if (self->stations[i].issued < self->ops)
                  fail (self, "station %s issued only %u of %u ops in time", self->stations[i].id,
                        self->stations[i].issued, self->ops);
              self->phase = PHASE_CALM;
              lift_faults (self);
            }
          break;
        }

      case PHASE_CALM:
        {
          /* With every station done issuing and its outbox empty, and the
           * POS idle, nothing can move the head any more: the state at
           * that moment is final. */
          gboolean done = pos_idle (self) && self->head_seq >= 0 && self->head_at > self->calm_at;

          if (!self->health_pending && now >= self->health_next)
            {
              request_health (self);
              self->health_next = now + HEALTH_EVERY_MS;
            }
          for (guint i = 0; done && i < self->n_stations; i++)
            done = station_converged (self, &self->stations[i]);
          if (done)
            {
              self->converge_ms = now - MAX (self->last_fault_at, self->start);
              self->converged_at = now;
              g_print ("chaos-driver: converged %" G_GINT64_FORMAT
                       " ms after the last fault, at seq %" G_GINT64_FORMAT "\n",
                       self->converge_ms, self->head_seq);
              stop_processes (self);
            }
          else if (now - self->calm_at > (gint64)self->converge_timeout_s * 1000)
            {
              fail (self,
                    "not converged %u s after the last fault (host head %" G_GINT64_FORMAT ")",
                    self->converge_timeout_s, self->head_seq);
              for (guint i = 0; i < self->n_stations; i++)
                {
                  Station *s = &self->stations[i];

                  if (!station_converged (self, s))
                    g_printerr ("  %s: queued=%u last_seq=%" G_GINT64_FORMAT " state=%s host=%s\n",
                                s->id, s->queued, s->last_seq, s->state ? s->state : "?",
                                s->host_id ? s->host_id : "?");
                }
              self->converge_ms = now - MAX (self->last_fault_at, self->start);
              stop_processes (self);
            }
          break;
        }

      case PHASE_STOP:
        if (all_stations_exited (self))
          {
            if (self->host != NULL && !self->host_expect_exit)
              {
                self->host_expect_exit = TRUE;
                g_subprocess_send_signal (self->host, SIGTERM);
              }
            if (self->host == NULL || self->host_exited)
              {
                self->phase = PHASE_DONE;
                g_main_loop_quit (self->loop);
              }
          }
        if (now - self->stop_at > 60000)
          {
            fail (self, "processes did not stop within 60 s of SIGTERM");
            self->phase = PHASE_DONE;
            g_main_loop_quit (self->loop);
          }
        break;

      case PHASE_DONE:
      default:
        break;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- Setup ---- */

static guint
free_port (void)
{
  g_autoptr (GSocket) socket
    = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, NULL)
      || !(bound = g_socket_get_local_address (socket, NULL)))
    g_error ("cannot find a free port");
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
wait_for_health (Driver *self, guint timeout_s)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/health", self->host_port);
  gint64 end = now_ms () + (gint64)timeout_s * 1000;

  while (now_ms () < end)
    {
      g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
      g_autoptr (GBytes) body = soup_session_send_and_read (self->session, msg, NULL, NULL);

      if (body != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK)
        return TRUE;
      g_usleep (100 * 1000);
    }
  return FALSE;
}

/* Pairs @station_id the way an installer would: a code from
 * `ticketrail-host pair`, traded at POST /api/v1/pair for a token. */
static char *
pair_station (Driver *self, const char *station_id, GError **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/pair", self->host_port);
  g_autofree char *request = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GRegex) regex = g_regex_new ("code:\\s*([0-9]{4,})", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *code = NULL;
  const char *argv[] = { self->host_bin, "pair", "--data-dir", self->host_dir, NULL };
  int status = 0;
  const char *token;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, child_setup, NULL, &out, &err,
                     &status, error)
      || !g_spawn_check_wait_status (status, error))
    return NULL;
  if (!g_regex_match (regex, out, 0, &match))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no code in `ticketrail-host pair`: %s%s",
                   out, err);
      return NULL;
    }
  code = g_match_info_fetch (match, 1);
  request = g_strdup_printf (
    "{\"code\":\"%s\",\"station\":{\"id\":\"%s\",\"name\":\"%s\",\"role\":\"kitchen\"}}", code,
    station_id, station_id);
  msg = soup_message_new (SOUP_METHOD_POST, url);
  bytes = g_bytes_new (request, strlen (request));
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  body = soup_session_send_and_read (self->session, msg, NULL, error);
  if (body == NULL)
    return NULL;
  if (soup_message_get_status (msg) != SOUP_STATUS_OK
      || !(root
           = tr_json_parse (g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body), NULL))
      || !JSON_NODE_HOLDS_OBJECT (root)
      || !(token = json_object_get_string_member_with_default (json_node_get_object (root), "token",
                                                               NULL)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "pairing %s: HTTP %u %.*s", station_id,
                   soup_message_get_status (msg), (int)g_bytes_get_size (body),
                   (const char *)g_bytes_get_data (body, NULL));
      return NULL;
    }
  return g_strdup (token);
}

/* ---- Checks ---- */

typedef struct
{
  char *result;
  gint64 seq;
  char *code;
} Outcome;

static void
outcome_free (gpointer data)
{
  Outcome *outcome = data;

  g_free (outcome->result);
  g_free (outcome->code);
  g_free (outcome);
}

/* op id → owner ("chaos-s03", "pos"), from the journals. */
static void
read_journal (GHashTable *ops, const char *path, const char *owner)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  /* The last element follows the last newline: empty or cut short. */
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], " ", 3);

      if (g_strv_length (fields) >= 2 && g_str_equal (fields[0], "op"))
        g_hash_table_insert (ops, g_strdup (fields[1]), g_strdup (owner));
    }
}

typedef struct
{
  guint ops, applied, rejected, lost, duplicated, undocumented, inconsistent, unjournaled;
  guint hash_mismatches;
  guint diverged; /* stations whose tickets do not hash as the host's */
  gint64 tail, head, n_events;
  guint n_tickets;
  char *hash;
  GHashTable *by_code;
} Results;

static gboolean
is_documented (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (documented_codes); i++)
    if (g_strcmp0 (code, documented_codes[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
check_everything (Driver *self, Results *r)
{
  g_autoptr (GHashTable) journaled
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) outcomes
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, outcome_free);
  g_autoptr (GHashTable) event_seq
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrStore) host_store = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  g_autofree char *host_db = g_build_filename (self->host_dir, "ticketrail.db", NULL);
  g_autofree char *pos_journal = g_build_filename (self->dir, "pos.journal", NULL);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 expect;
  guint shown = 0;

  r->by_code = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < self->n_stations; i++)
    read_journal (journaled, self->stations[i].journal_path, self->stations[i].id);
  read_journal (journaled, pos_journal, "pos");
  r->ops = g_hash_table_size (journaled);

  host_store = tr_store_open (host_db, TR_STORE_DURABILITY_FULL, &error);
  if (host_store == NULL)
    {
      fail (self, "cannot open the host's database: %s", error->message);
      return;
    }
  db = tr_store_get_sqlite (host_store);

  sqlite3_prepare_v2 (db, "SELECT op_id, result, seq, error_code FROM op_results", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Outcome *outcome = g_new0 (Outcome, 1);

      outcome->result = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
      outcome->seq = sqlite3_column_int64 (stmt, 2);
      outcome->code = g_strdup ((const char *)sqlite3_column_text (stmt, 3));
      g_hash_table_insert (outcomes, g_strdup ((const char *)sqlite3_column_text (stmt, 0)),
                           outcome);
    }
  sqlite3_finalize (stmt);

  /* The log: contiguous seqs from tail to head, each op id once. */
  r->head = tr_store_get_head_seq (host_store);
  r->tail = tr_store_get_tail_seq (host_store);
  expect = r->tail;
  sqlite3_prepare_v2 (db, "SELECT seq, op_id FROM events ORDER BY seq", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      const char *op_id = (const char *)sqlite3_column_text (stmt, 1);
      Outcome *outcome = g_hash_table_lookup (outcomes, op_id);

      if (seq != expect)
        fail (self, "the event log has a gap: seq %" G_GINT64_FORMAT " follows %" G_GINT64_FORMAT,
              seq, expect - 1);
      expect = seq + 1;
      r->n_events++;
      if (g_hash_table_contains (event_seq, op_id))
        {
          r->duplicated++;
          if (shown++ < 10)
            g_printerr ("  op %s is in the event log twice\n", op_id);
        }
      else
        {
          gint64 *s = g_new (gint64, 1);

          *s = seq;
          g_hash_table_insert (event_seq, g_strdup (op_id), s);
        }
      if (outcome == NULL || g_strcmp0 (outcome->result, "applied") != 0 || outcome->seq != seq)
        {
          r->inconsistent++;
          if (shown++ < 10)
            g_printerr ("  event %" G_GINT64_FORMAT " (op %s) has no matching applied outcome\n",
                        seq, op_id);
        }
    }
  sqlite3_finalize (stmt);
  if (expect - 1 != r->head)
    fail (self, "the event log ends at %" G_GINT64_FORMAT " but the head is %" G_GINT64_FORMAT,
          expect - 1, r->head);

  /* Every journaled op: exactly one outcome. */
  g_hash_table_iter_init (&iter, journaled);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Outcome *outcome = g_hash_table_lookup (outcomes, key);
      gint64 *seq = g_hash_table_lookup (event_seq, key);

      if (outcome == NULL)
        {
          r->lost++;
          g_printerr ("  lost: op %s from %s has no outcome on the host\n", (char *)key,
                      (char *)value);
          continue;
        }
      if (g_str_equal (outcome->result, "applied"))
        {
          r->applied++;
          /* Pruned events (below the tail) are gone by design. */
          if (outcome->seq >= r->tail && (seq == NULL || *seq != outcome->seq))
            r->inconsistent++;
        }
      else if (g_str_equal (outcome->result, "rejected"))
        {
          r->rejected++;
          g_hash_table_replace (
            r->by_code, g_strdup (outcome->code ? outcome->code : "(none)"),
            GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (
                                r->by_code, outcome->code ? outcome->code : "(none)"))
                              + 1));
          if (!is_documented (outcome->code))
            r->undocumented++;
          if (seq != NULL)
            r->inconsistent++;
        }
      else
        r->inconsistent++;
    }
  g_hash_table_iter_init (&iter, outcomes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (journaled, key))
      r->unjournaled++;

  /* Convergence: every station's tickets are the host's. */
  tickets = tr_store_list_tickets (host_store, FALSE, NULL, &error);
  if (tickets == NULL)
    {
      fail (self, "cannot list the host's tickets: %s", error->message);
      return;
    }
  r->n_tickets = tickets->len;
  r->hash = tr_tickets_hash (tickets);
  for (guint i = 0; i < self->n_stations; i++)
    {
      Station *station = &self->stations[i];
      g_autoptr (TrStore) store
        = tr_store_open (station->db_path, TR_STORE_DURABILITY_NORMAL, &error);
      g_autoptr (GPtrArray) mine = NULL;
      g_autofree char *hash = NULL;
      guint queued;

      if (store == NULL)
        {
          fail (self, "cannot open %s: %s", station->db_path, error->message);
          g_clear_error (&error);
          r->hash_mismatches++;
          r->diverged++;
          continue;
        }
      queued = tr_store_outbox_count (store);
      mine = tr_store_list_tickets (store, FALSE, NULL, NULL);
      hash = mine ? tr_tickets_hash (mine) : NULL;
      if (g_strcmp0 (hash, r->hash) != 0)
        r->diverged++;
      if (queued != 0 || tr_store_get_last_seq (store) != r->head
          || g_strcmp0 (tr_store_get_host_id (store), tr_store_get_db_id (host_store)) != 0
          || g_strcmp0 (hash, r->hash) != 0)
        {
          r->hash_mismatches++;
          fail (self,
                "station %s differs from the host: outbox %u, last seq %" G_GINT64_FORMAT
                " (host %" G_GINT64_FORMAT "), %u tickets (host %u), hash %.12s (host %.12s)",
                station->id, queued, tr_store_get_last_seq (store), r->head, mine ? mine->len : 0,
                r->n_tickets, hash ? hash : "-", r->hash);
        }
    }

  if (r->lost > 0)
    fail (self, "%u journaled ops have no outcome on the host (lost)", r->lost);
  if (r->duplicated > 0)
    fail (self, "%u ops are in the event log more than once", r->duplicated);
  if (r->inconsistent > 0)
    fail (self, "%u outcomes and events disagree", r->inconsistent);
  if (r->undocumented > 0)
    fail (self, "%u rejections have a reason outside the documented set", r->undocumented);
  /* A kill between the outbox commit and the journal's write can cost
   * one journal line per kill, no more. */
  if (r->unjournaled > self->n_station_kills)
    fail (self,
          "%u ops on the host are in no journal (at most %u station kills could explain that)",
          r->unjournaled, self->n_station_kills);
}

/* Warnings and criticals in the processes' logs. libsoup 3.2 warns when
 * it accepts a connection whose peer has already reset it ("could not
 * get remote address"), which the proxies' RST cuts provoke; that one
 * is expected. Anything else fails the run. */
static void
check_log (Driver *self, const char *path)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint expected = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (strstr (line, "-WARNING **") == NULL && strstr (line, "-CRITICAL **") == NULL
          && strstr (line, "ERROR:") == NULL && strstr (line, "-ERROR **") == NULL)
        continue;
      if (strstr (line, "libsoup-WARNING") != NULL
          && strstr (line, "could not get remote address") != NULL)
        expected++;
      else
        fail (self, "%s: %s", path, line);
    }
  if (expected > 0)
    g_print ("chaos-driver: %s: %u x libsoup's warning about a connection reset before its "
             "accept (expected with RST cuts)\n",
             path, expected);
}

/* ---- Main ---- */

static void
free_carry (gpointer data)
{
  g_string_free (data, TRUE);
}

static void
driver_free (Driver *self, Results *results)
{
  for (guint i = 0; i < self->n_stations; i++)
    {
      Station *station = &self->stations[i];

      g_cancellable_cancel (station->cancellable);
      g_clear_object (&station->proc);
      g_clear_pointer (&station->proxy, tr_test_proxy_free);
      g_clear_object (&station->cancellable);
      g_free (station->id);
      g_free (station->token);
      g_free (station->db_path);
      g_free (station->journal_path);
      g_free (station->log_path);
      g_free (station->state);
      g_free (station->host_id);
    }
  /* Let cancelled reads and closed sockets finish. */
  for (int i = 0; i < 200 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_free (self->stations);
  g_clear_pointer (&self->pos.proxy, tr_test_proxy_free);
  g_clear_object (&self->pos.session);
  g_clear_pointer (&self->pos.op_ids, g_ptr_array_unref);
  g_free (self->pos.token);
  g_free (self->pos.url);
  g_free (self->pos.op_id);
  g_free (self->pos.body);
  close (self->pos.journal_fd);
  g_clear_object (&self->session);
  g_clear_object (&self->host);
  for (int i = 0; i < 200 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_pointer (&self->faults, g_array_unref);
  g_clear_pointer (&self->fault_log, fclose);
  g_clear_pointer (&self->failures, g_ptr_array_unref);
  g_clear_pointer (&self->dup_carry, g_hash_table_unref);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&results->by_code, g_hash_table_unref);
  g_free (results->hash);
  g_free (self->dir);
  g_free (self->host_dir);
  g_free (self->host_log);
  g_free (self->host_g_debug);
  g_free (self->host_id);
  g_free (self->host_bin);
  g_free (self->station_bin);
  g_free (self->injected_op);
}

static void
kill_children (Driver *self)
{
  if (self->host != NULL)
    {
      g_subprocess_send_signal (self->host, SIGKILL);
      g_subprocess_wait (self->host, NULL, NULL);
    }
  for (guint i = 0; self->stations != NULL && i < self->n_stations; i++)
    if (self->stations[i].proc != NULL)
      {
        g_subprocess_send_signal (self->stations[i].proc, SIGKILL);
        g_subprocess_wait (self->stations[i].proc, NULL, NULL);
      }
}

static gboolean
on_driver_signal (gpointer user_data)
{
  Driver *self = user_data;

  g_printerr ("chaos-driver: interrupted; killing every child (seed %" G_GINT64_FORMAT ")\n",
              self->seed);
  kill_children (self);
  _exit (3);
  return G_SOURCE_REMOVE;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static char *
sibling_binary (const char *argv0, const char *relative)
{
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = g_path_get_dirname (self_path ? self_path : argv0);

  return g_canonicalize_filename (relative, dir);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  Driver driver = { 0 };
  Driver *self = &driver;
  gint64 seed = -1;
  int n_stations = 10, ops = 320, seconds = -1, host_kills = 6, station_kills = 12;
  int offline_s = 65, minutes = 0, converge_timeout = -1;
  g_autofree char *inject = NULL;
  g_autofree char *host_bin = NULL;
  g_autofree char *station_bin = NULL;
  gboolean keep = FALSE;
  Results results = { 0 };
  guint reconnects = 0, refused = 0, oversized = 0, apply_faults_total = 0;
  int apply_faults = 2, oversized_pct = 2;
  int status;
  const GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the schedule (default: random)", "S" },
    { "minutes", 0, 0, G_OPTION_ARG_INT, &minutes,
      "Soak: a chaos phase of this many minutes, faults and ops scaled to it", "M" },
    { "stations", 0, 0, G_OPTION_ARG_INT, &n_stations, "Station processes (default 10)", "N" },
    { "ops", 0, 0, G_OPTION_ARG_INT, &ops, "Ops per station (default 320)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds,
      "Length of the chaos phase (default 105; 210 in a sanitizer build)", "S" },
    { "host-kills", 0, 0, G_OPTION_ARG_INT, &host_kills, "Host SIGKILLs (default 6)", "N" },
    { "station-kills", 0, 0, G_OPTION_ARG_INT, &station_kills,
      "Station SIGKILLs in all (default 12)", "N" },
    { "offline", 0, 0, G_OPTION_ARG_INT, &offline_s,
      "Seconds one station stays offline (default 65)", "S" },
    { "converge-timeout", 0, 0, G_OPTION_ARG_INT, &converge_timeout,
      "Seconds allowed to drain (default 120; 240 in a sanitizer build)", "S" },
    { "apply-faults", 0, 0, G_OPTION_ARG_INT, &apply_faults,
      "Injected apply failures per run of each of the first two stations (default 2)", "N" },
    { "oversized-pct", 0, 0, G_OPTION_ARG_INT, &oversized_pct,
      "Percent of amends too large to send (default 2)", "P" },
    { "inject", 0, 0, G_OPTION_ARG_STRING, &inject,
      "Inject a fault the checks must catch: drop-outbox-row", "FAULT" },
    { "host-bin", 0, 0, G_OPTION_ARG_FILENAME, &host_bin, "ticketrail-host to run", "PATH" },
    { "station-bin", 0, 0, G_OPTION_ARG_FILENAME, &station_bin, "chaos-station to run", "PATH" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the run's folder even when it passes", NULL },
    { NULL },
  };

  context = g_option_context_new ("— the Ticketrail chaos test");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("chaos-driver: %s\n", error->message);
      return 2;
    }
  if (inject != NULL && !g_str_equal (inject, "drop-outbox-row"))
    {
      g_printerr ("chaos-driver: --inject: only drop-outbox-row is known\n");
      return 2;
    }
  if (seconds < 0)
    seconds = 105 * SLOWDOWN;
  if (converge_timeout < 0)
    converge_timeout = 120 * SLOWDOWN;
  if (minutes > 0)
    {
      /* The soak: ~3 ops/s per station, a host kill every 20 s, a
       * station kill every 10 s, a station offline 70 s every 5 min. */
      seconds = minutes * 60;
      ops = seconds * 3;
      host_kills = seconds / 20;
      station_kills = seconds / 10;
      offline_s = 70;
      driver.offline_every_s = 300;
      converge_timeout = 180;
    }
  if (n_stations < 2 || n_stations > 100 || ops < 1 || seconds < 10 || host_kills < 1
      || station_kills < 1 || offline_s < 1 || offline_s > seconds - 10 || converge_timeout < 1
      || apply_faults < 0 || oversized_pct < 0 || oversized_pct > 100)
    {
      g_printerr ("chaos-driver: out-of-range option\n");
      return 2;
    }
  if (seed < 0)
    seed = g_random_int_range (1, G_MAXINT32);

  driver.seed = seed;
  driver.n_stations = (guint)n_stations;
  driver.ops = (guint)ops;
  driver.chaos_s = (guint)seconds;
  driver.host_kills = (guint)host_kills;
  driver.station_kills = (guint)station_kills;
  driver.offline_s = (guint)offline_s;
  driver.converge_timeout_s = (guint)converge_timeout;
  driver.apply_faults = (guint)apply_faults;
  driver.oversized_pct = (guint)oversized_pct;
  driver.inject = inject != NULL;
  driver.keep = keep;
  driver.failures = g_ptr_array_new_with_free_func (g_free);
  driver.head_seq = -1;
  driver.host_bin = host_bin                         ? g_strdup (host_bin)
                    : g_getenv ("TR_CHAOS_HOST_BIN") ? g_strdup (g_getenv ("TR_CHAOS_HOST_BIN"))
                                                     : g_strdup (TR_CHAOS_HOST_BIN);
  driver.station_bin = station_bin ? g_strdup (station_bin)
                       : g_getenv ("TR_CHAOS_STATION_BIN")
                         ? g_strdup (g_getenv ("TR_CHAOS_STATION_BIN"))
                         : g_strdup (TR_CHAOS_STATION_BIN);
  if (!g_path_is_absolute (driver.station_bin))
    {
      g_autofree char *relative = g_steal_pointer (&driver.station_bin);
      driver.station_bin = sibling_binary (argv[0], relative);
    }
  driver.dup_carry = g_hash_table_new_full (NULL, NULL, NULL, free_carry);

  driver.dir = g_dir_make_tmp ("tr-chaos-XXXXXX", &error);
  if (driver.dir == NULL)
    {
      g_printerr ("chaos-driver: %s\n", error->message);
      return 3;
    }
  driver.host_dir = g_build_filename (driver.dir, "host", NULL);
  g_mkdir (driver.host_dir, 0700);
  driver.host_log = g_build_filename (driver.dir, "host.log", NULL);
  driver.session = soup_session_new_with_options ("timeout", 5, NULL);
  driver.host_port = free_port ();
  if (g_getenv ("G_DEBUG") != NULL)
    {
      g_auto (GStrv) flags = g_strsplit (g_getenv ("G_DEBUG"), ",", -1);
      g_autoptr (GStrvBuilder) kept = g_strv_builder_new ();
      g_auto (GStrv) joined = NULL;

      for (guint i = 0; flags[i] != NULL; i++)
        if (!g_str_equal (flags[i], "fatal-warnings") && !g_str_equal (flags[i], "fatal-criticals"))
          g_strv_builder_add (kept, flags[i]);
      joined = g_strv_builder_end (kept);
      driver.host_g_debug = g_strjoinv (",", joined);
    }
  driver.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_driver_signal, self);
  g_unix_signal_add (SIGTERM, on_driver_signal, self);
  /* The victim of an injected fault is never the offline station. */
  driver.inject_victim = (guint)(seed % n_stations);

  g_print (
    "chaos-driver: seed %" G_GINT64_FORMAT ": %u stations x %u ops and a POS feed; a %u s chaos "
    "phase with %u host kills, %u station kills, %u s offline%s; in %s\n",
    seed, driver.n_stations, driver.ops, driver.chaos_s, driver.host_kills, driver.station_kills,
    driver.offline_s, driver.inject ? "; injecting drop-outbox-row" : "", driver.dir);

  host_start (self);
  if (!wait_for_health (self, 60))
    {
      g_printerr ("chaos-driver: the host did not come up; see %s\n", driver.host_log);
      kill_children (self);
      return 3;
    }

  driver.stations = g_new0 (Station, driver.n_stations);
  for (guint i = 0; i < driver.n_stations; i++)
    {
      Station *station = &driver.stations[i];
      g_autofree char *address = g_strdup_printf ("127.0.0.%u", 10 + i);
      g_autofree char *name = NULL;

      station->index = i;
      station->id = g_strdup_printf ("chaos-s%02u", i + 1);
      station->token = pair_station (self, station->id, &error);
      if (station->token == NULL)
        {
          g_printerr ("chaos-driver: pairing %s failed: %s\n", station->id, error->message);
          kill_children (self);
          return 3;
        }
      station->proxy = tr_test_proxy_new (driver.host_port, &error);
      g_assert_no_error (error);
      /* Each station its own peer address, as separate tablets would
       * be; the host limits connections per address. */
      tr_test_proxy_set_source_address (station->proxy, address);
      tr_test_proxy_set_tap (station->proxy, on_tap, self);
      g_hash_table_insert (driver.dup_carry, station->proxy, g_string_new (NULL));
      name = g_strdup_printf ("%s.db", station->id);
      station->db_path = g_build_filename (driver.dir, name, NULL);
      g_free (name);
      name = g_strdup_printf ("%s.journal", station->id);
      station->journal_path = g_build_filename (driver.dir, name, NULL);
      g_free (name);
      name = g_strdup_printf ("%s.log", station->id);
      station->log_path = g_build_filename (driver.dir, name, NULL);
      station->cancellable = g_cancellable_new ();
    }

  {
    Pos *pos = &driver.pos;
    g_autofree char *journal = g_build_filename (driver.dir, "pos.journal", NULL);

    pos->token = pair_station (self, "chaos-pos", &error);
    if (pos->token == NULL)
      {
        g_printerr ("chaos-driver: pairing the POS failed: %s\n", error->message);
        kill_children (self);
        return 3;
      }
    pos->proxy = tr_test_proxy_new (driver.host_port, &error);
    g_assert_no_error (error);
    tr_test_proxy_set_source_address (pos->proxy, "127.0.0.9");
    tr_test_proxy_set_tap (pos->proxy, on_tap, self);
    g_hash_table_insert (driver.dup_carry, pos->proxy, g_string_new (NULL));
    pos->url = tr_test_proxy_get_url (pos->proxy);
    pos->session = soup_session_new_with_options ("timeout", 5, NULL);
    pos->op_ids = g_ptr_array_new_with_free_func (g_free);
    pos->journal_fd = open_log (journal);
  }

  build_schedule (self);
  {
    g_autofree char *path = g_build_filename (driver.dir, "faults.log", NULL);

    driver.fault_log = fopen (path, "w");
    if (driver.fault_log == NULL)
      g_error ("cannot write %s", path);
  }
  /* Stations pace their ops to be done a little before the faults end. */
  driver.deadline = tr_now_ms () + (gint64)driver.chaos_s * 1000 - 5000;
  for (guint i = 0; i < driver.n_stations; i++)
    station_start (self, &driver.stations[i]);
  driver.start = now_ms ();
  driver.phase = PHASE_CHAOS;
  g_timeout_add (TICK_MS, on_tick, self);
  g_main_loop_run (driver.loop);

  for (guint i = 0; i < driver.n_stations; i++)
    {
      Station *station = &driver.stations[i];

      if (station->proc != NULL && station->exited
          && !g_spawn_check_wait_status (station->exit_status, NULL))
        fail (self, "station %s did not exit cleanly on SIGTERM (wait status %d); see %s",
              station->id, station->exit_status, station->log_path);
      station_end_run (station);
      reconnects += station->reconnects + station->runs - 1;
      refused += station->refused;
      oversized += station->oversized;
      apply_faults_total += station->apply_faults;
    }
  if (driver.host_exited && !g_spawn_check_wait_status (driver.host_exit_status, NULL))
    fail (self, "the host did not exit cleanly on SIGTERM (wait status %d); see %s",
          driver.host_exit_status, driver.host_log);
  kill_children (self);

  check_log (self, driver.host_log);
  for (guint i = 0; i < driver.n_stations; i++)
    check_log (self, driver.stations[i].log_path);
  check_everything (self, &results);

  /* The report. */
  {
    g_autoptr (GString) codes = g_string_new (NULL);
    g_autoptr (GList) keys = g_hash_table_get_keys (results.by_code);

    keys = g_list_sort (keys, (GCompareFunc)g_strcmp0);
    for (GList *l = keys; l != NULL; l = l->next)
      g_string_append_printf (codes, "%s%s %u", codes->len ? ", " : "", (char *)l->data,
                              GPOINTER_TO_UINT (g_hash_table_lookup (results.by_code, l->data)));
    g_print ("chaos-driver: seed %" G_GINT64_FORMAT "\n", seed);
    g_print ("  ops issued:            %u (%u by %u stations, %u by the POS); %u more refused "
             "locally, never enqueued\n",
             results.ops, results.ops - driver.pos.op_ids->len, driver.n_stations,
             driver.pos.op_ids->len, refused);
    g_print ("  applied:               %u\n", results.applied);
    g_print ("  rejected:              %u (%s)\n", results.rejected,
             codes->len ? codes->str : "none");
    g_print ("  duplicates suppressed: %u (%u duplicate acks to stations, %u POS retries answered "
             "from the first outcome)\n",
             driver.dup_acks + driver.pos.replayed, driver.dup_acks, driver.pos.replayed);
    g_print ("  lost: %u, duplicated: %u, inconsistent: %u, undocumented rejections: %u, "
             "ops in no journal: %u\n",
             results.lost, results.duplicated, results.inconsistent, results.undocumented,
             results.unjournaled);
    g_print ("  reconnects:            %u; POS retries %u\n", reconnects, driver.pos.retries);
    g_print ("  issue 18:              %u injected apply failures (resynced by snapshot), %u "
             "oversized amends refused at submit; %u of %u stations diverged\n",
             apply_faults_total, oversized, results.diverged, driver.n_stations);
    g_print ("  faults:                %u host kills, %u station kills, %u cuts, %u black-holes, "
             "%u one-way (acks held, then reset), %u delays, %u byte-splits, %u offline windows "
             "of %u s\n",
             driver.n_host_kills, driver.n_station_kills, driver.n_cuts, driver.n_blackholes,
             driver.n_half_open, driver.n_delays, driver.n_splits, driver.n_offline,
             driver.offline_s);
    g_print ("  converged:             %" G_GINT64_FORMAT
             " ms after the last fault, %" G_GINT64_FORMAT " ms after the last host restart\n",
             driver.converge_ms,
             driver.converged_at > 0 ? driver.converged_at - driver.last_host_start_at : -1);
    g_print ("  event log:             seq %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
             ", %" G_GINT64_FORMAT
             " events; %u tickets, hash %.16s on the host and %u of %u stations\n",
             results.tail, results.head, results.n_events, results.n_tickets,
             results.hash ? results.hash : "-", driver.n_stations - results.hash_mismatches,
             driver.n_stations);
  }

  /* The scenarios must have been exercised, not just configured. */
  if (driver.apply_faults > 0 && apply_faults_total == 0)
    fail (self, "no injected apply failure happened");
  if (driver.oversized_pct > 0 && oversized == 0)
    fail (self, "no oversized amend was tried");
  if (driver.n_host_kills < driver.host_kills || driver.n_station_kills < driver.station_kills)
    fail (self, "only %u host kills and %u station kills happened", driver.n_host_kills,
          driver.n_station_kills);

  status = driver.failures->len == 0 ? 0 : 1;
  if (status != 0)
    {
      g_print ("chaos-driver: FAILED (%u problems); the run's files are in %s\n"
               "chaos-driver: replay the schedule with --seed %" G_GINT64_FORMAT "\n",
               driver.failures->len, driver.dir, seed);
    }
  else if (!driver.keep)
    remove_tree (driver.dir);
  else
    g_print ("chaos-driver: the run's files are in %s\n", driver.dir);

  g_print ("chaos: ops=%u applied=%u rejected=%u lost=%u duplicated=%u diverged=%u reconnects=%u "
           "host_kills=%u station_kills=%u converge_ms=%" G_GINT64_FORMAT " seed=%" G_GINT64_FORMAT
           "\n",
           results.ops, results.applied, results.rejected, results.lost, results.duplicated,
           results.diverged, reconnects, driver.n_host_kills, driver.n_station_kills,
           driver.converge_ms, seed);
  fflush (stdout);

  driver_free (self, &results);
  return status;
}
