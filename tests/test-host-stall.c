/* test-host-stall.c: the host's loop is never held by the disk
 *
 * A real TrHost on loopback over a store whose every sync sleeps 150 ms
 * (tr-test-stall-vfs.c, a slow tablet disk). One station issues ops
 * without pause, another pings, and stations say hello while a commit is
 * in its sync. Checked on the wire:
 *
 *   - a ping's round trip stays short (p99 ≤ 30 ms) while commits stall,
 *     so the loop keeps serving;
 *   - no ack comes sooner than the stall after its op left: nothing is
 *     acknowledged before its sync returned;
 *   - each station sees its events before their acks, and every station
 *     sees contiguous seqs, those that said hello mid-commit included
 *     (catch-up to the committed head, then the batch in flight live:
 *     no gap, no duplicate).
 *
 * The test process runs the host too, so a round trip measured here
 * includes the host's loop, which is what a stall would hold.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* memmem */
#define G_LOG_DOMAIN "test-host-stall"

#include <libsoup/soup.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"
#include "tr-store.h"
#include "tr-test-stall-vfs.h"
#include "tr-test-util.h"

#define STALL_MS 150
/* The acceptance figure; a stalled loop gives ~STALL_MS. */
#define PING_P99_LIMIT_MS 30
/* Many pings, so that p99 is a tail and not one unlucky sample: 1 % of
 * a window of 400 is 4 pings. The bound holds when one of the windows
 * meets it: a shared machine has busy seconds whatever the host does,
 * while a loop held by the disk misses it in every window (every ping
 * that meets a commit waits for its sync, and commits never stop). */
#define PING_WINDOW 400
#define N_PING_WINDOWS 3
#define N_PINGS (PING_WINDOW * N_PING_WINDOWS)
#define PING_INTERVAL_MS 4
#define OP_INTERVAL_MS 20
#define N_LATE_STATIONS 8
/* Only bounds how long the test waits before calling it a failure. */
#define GIVE_UP_MS 120000

typedef struct _Fixture Fixture;

typedef struct
{
  Fixture *f;
  char *station_id;
  char *token;
  SoupWebsocketConnection *ws;
  gboolean welcomed;
  gboolean closed;
  gint64 since;     /* what its hello said */
  gint64 first_seq; /* first seq it got after the welcome, or the snapshot's + 1 */
  gint64 last_seq;  /* the last seq applied (the snapshot's when one came) */
  gboolean got_snapshot;
  guint n_disorders; /* a seq that was not last_seq + 1 */
  char *first_disorder;
  GHashTable *event_op_ids; /* op_ids of events received */
  /* Issuer */
  guint n_acks;
  guint n_early_acks; /* sooner than the stall after the op left */
  guint n_acks_first; /* an applied op acked before its event came */
  gint64 min_ack_us;
  gint64 last_ack_seq;
  /* Pinger */
  gint64 ping_t;
  gint64 ping_sent_at;
  gboolean ping_outstanding;
  GArray *rtts_us; /* gint64 */
  /* Standby: answers each events frame with a standby_ack */
  gboolean standby;
  guint n_events_frames;
  guint n_before_commit; /* events frames that came before the host's commit returned */
  char *error_code;      /* an error frame's, when the test expects one */
  gboolean error_expected;
} Station;

struct _Fixture
{
  char *dir;
  TrStore *store;
  TrHost *host;
  SoupSession *session;
  char *ws_url;
  GHashTable *sent_at; /* op_id → gint64*: when the op left the issuer */
  guint n_ops_sent;
  gint64 committed_seq; /* the last seq of the host's "events-committed" */
};

/* ---- Waiting ---- */

static gboolean
give_up_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

/* A timeout on the calling thread's context: the stations run on a
 * thread of their own (see run_ops_and_pings()). */
static GSource *
timeout_here (guint ms, GSourceFunc func, gpointer data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
source_destroy (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static void
wait_for (Condition condition, gpointer data, const char *what)
{
  gboolean timed_out = FALSE;
  GSource *give_up = timeout_here (GIVE_UP_MS, give_up_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  if (timed_out)
    g_error ("gave up waiting for %s", what);
  source_destroy (give_up);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *)data;
}

static void
spin_ms (guint ms)
{
  gboolean done = FALSE;
  GSource *source = timeout_here (ms, give_up_cb, &done);

  while (!done)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_unref (source);
}

/* ---- Stations ---- */

static void
station_record_seq (Station *station, gint64 seq)
{
  if (station->first_seq == 0)
    station->first_seq = seq;
  if (seq != station->last_seq + 1)
    {
      if (station->n_disorders++ == 0)
        station->first_disorder = g_strdup_printf (
          "seq %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT, seq, station->last_seq);
    }
  station->last_seq = MAX (station->last_seq, seq);
}

static gint64
parse_int_after (const char *p, const char *end)
{
  gint64 value = 0;

  while (p < end && *p >= '0' && *p <= '9')
    value = value * 10 + (*p++ - '0');
  return value;
}

/* Events frames are scanned, not decoded: ten stations decoding every
 * ticket would make this process, not the host, what the pings time
 * (with ASan most of all). A scan for each event's leading "seq" and its
 * "op_id" is exact for the host's canonical encoding, where the ticket
 * inside has neither member (bench/fanout.c does the same). */
static gboolean
scan_events (Station *station, const char *data, gsize length)
{
  static const char head[] = "{\"type\":\"events\"";
  const char *end = data + length;
  const char *p = data;

  if (length < sizeof head || memcmp (data, head, sizeof head - 1) != 0)
    return FALSE;
  g_assert_true (station->welcomed);
  while ((p = memmem (p, end - p, "{\"seq\":", 7)) != NULL)
    {
      const char *op_id, *quote;

      p += 7;
      station_record_seq (station, parse_int_after (p, end));
      op_id = memmem (p, end - p, "\"op_id\":\"", 9);
      g_assert_nonnull (op_id);
      op_id += 9;
      quote = memchr (op_id, '"', end - op_id);
      g_assert_nonnull (quote);
      g_hash_table_add (station->event_op_ids, g_strndup (op_id, quote - op_id));
      p = quote;
    }
  return TRUE;
}

static void
station_send (Station *station, const char *text);

/* As tr-standby.c does once the events are durable in its copy. */
static void
standby_got_events (Station *station)
{
  g_autofree char *ack = tr_frame_build_standby_ack (station->last_seq, 0);

  station->n_events_frames++;
  if (station->f->committed_seq < station->last_seq)
    station->n_before_commit++;
  station_send (station, ack);
}

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  Station *station = user_data;
  Fixture *f = station->f;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) frame = NULL;
  gint64 now = g_get_monotonic_time ();
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  if (scan_events (station, data, length))
    {
      if (station->standby)
        standby_got_events (station);
      return;
    }
  /* The roster and the print journal: a real standby keeps them. */
  if (station->standby && g_str_has_prefix (data, "{\"type\":\"standby_"))
    return;
  frame = tr_frame_parse (data, length, &error);
  g_assert_no_error (error);

  switch (frame->type)
    {
      case TR_FRAME_WELCOME:
        g_assert_false (station->welcomed);
        station->welcomed = TRUE;
        break;

      case TR_FRAME_SNAPSHOT:
        g_assert_true (station->welcomed);
        g_assert_cmpint (station->first_seq, ==, 0);
        station->got_snapshot = TRUE;
        station->first_seq = frame->seq + 1;
        station->last_seq = frame->seq;
        break;

      case TR_FRAME_ACK:
        {
          const gint64 *sent_at = g_hash_table_lookup (f->sent_at, frame->op_id);

          g_assert_nonnull (sent_at);
          station->n_acks++;
          station->min_ack_us = MIN (station->min_ack_us, now - *sent_at);
          if (now - *sent_at < (gint64)STALL_MS * 1000)
            station->n_early_acks++;
          g_assert_cmpint (frame->result, ==, TR_APPLY_APPLIED);
          if (!g_hash_table_contains (station->event_op_ids, frame->op_id))
            station->n_acks_first++;
          station->last_ack_seq = MAX (station->last_ack_seq, frame->seq);
        }
        break;

      case TR_FRAME_PONG:
        if (station->ping_outstanding && frame->t == station->ping_t)
          {
            gint64 rtt = now - station->ping_sent_at;

            g_array_append_val (station->rtts_us, rtt);
            station->ping_outstanding = FALSE;
          }
        break;

      case TR_FRAME_EVENTS: /* scanned above */
      case TR_FRAME_HELLO:
      case TR_FRAME_OP:
      case TR_FRAME_OPS:
      case TR_FRAME_PING:
      case TR_FRAME_ERROR:
        if (station->error_expected && station->error_code == NULL)
          {
            station->error_code = g_strdup (frame->error_code);
            break;
          }
        G_GNUC_FALLTHROUGH;
      case TR_FRAME_STANDBY_INVITE:
      case TR_FRAME_STANDBY_ACK:
      case TR_N_FRAME_TYPES:
      default:
        g_error ("unexpected %s frame: %.*s", tr_frame_type_to_string (frame->type), (int)length,
                 data);
    }
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  Station *station = user_data;

  station->closed = TRUE;
}

/* Pairs @station_id in the store before the host starts, as
 * `ticketrail-host pair` and a station's POST /pair would. */
static Station *
station_new_role (Fixture *f, const char *station_id, const char *role);

static Station *
station_new (Fixture *f, const char *station_id)
{
  return station_new_role (f, station_id, "kitchen");
}

static Station *
station_new_role (Fixture *f, const char *station_id, const char *role)
{
  Station *station = g_new0 (Station, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *code = g_strdup_printf ("%06u", g_random_int_range (0, 1000000));
  g_autofree char *hash = NULL;
  TrPairingStatus status;
  gint64 now = tr_now_ms ();

  station->f = f;
  station->station_id = g_strdup (station_id);
  station->token = tr_uuid_new ();
  station->event_op_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  station->min_ack_us = G_MAXINT64;
  station->rtts_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  hash = tr_token_hash (station->token);
  g_assert_true (tr_store_add_pairing_code (f->store, code, now, now + 600000, &error));
  g_assert_no_error (error);
  g_assert_true (tr_store_redeem_pairing_code (f->store, code, now, station_id, station_id, role,
                                               hash, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, TR_PAIRING_OK);
  return station;
}

static void
station_free (Station *station)
{
  if (station->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (station->ws, station);
      if (soup_websocket_connection_get_state (station->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (station->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&station->ws);
    }
  g_hash_table_unref (station->event_op_ids);
  g_array_unref (station->rtts_us);
  g_free (station->first_disorder);
  g_free (station->error_code);
  g_free (station->station_id);
  g_free (station->token);
  g_free (station);
}

typedef struct
{
  Station *station;
  GError *error;
  gboolean done;
} Connecting;

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Connecting *connecting = user_data;

  connecting->station->ws
    = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &connecting->error);
  connecting->done = TRUE;
}

/* Opens the WebSocket; the hello is sent separately. */
static void
station_connect (Station *station)
{
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  Fixture *f = station->f;
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", f->ws_url);
  Connecting connecting = { station, NULL, FALSE };

  soup_session_websocket_connect_async (f->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, NULL, connected_cb, &connecting);
  wait_for (is_true, &connecting.done, "the WebSocket handshake");
  g_assert_no_error (connecting.error);
  soup_websocket_connection_set_max_incoming_payload_size (station->ws, 64 * 1024 * 1024);
  soup_websocket_connection_set_keepalive_interval (station->ws, 0);
  g_signal_connect (station->ws, "message", G_CALLBACK (on_message), station);
  g_signal_connect (station->ws, "closed", G_CALLBACK (on_closed), station);
}

static void
station_send (Station *station, const char *text)
{
  g_assert_false (station->closed);
  g_assert_cmpint (soup_websocket_connection_get_state (station->ws), ==,
                   SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (station->ws, text);
}

static void
station_hello_as (Station *station, const char *role, gint64 since, const char *since_op)
{
  g_autofree char *hello = tr_frame_build_hello_resume (
    station->station_id, station->station_id, role, station->token, NULL, since, since_op);

  station->since = since;
  station->last_seq = since;
  station_send (station, hello);
}

static void
station_hello (Station *station, gint64 since)
{
  station_hello_as (station, "kitchen", since, NULL);
}

static gboolean
station_caught_up_cb (gpointer data)
{
  Station *station = data;

  return station->welcomed
         && (station->got_snapshot || station->since == station->last_seq
             || station->first_seq > 0);
}

/* ---- Fixture ---- */

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  tr_test_stall_vfs_register ();
  tr_test_stall_vfs_set_delay (0);
  f->dir = g_dir_make_tmp ("test-host-stall-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "ticketrail.db", NULL);
  f->store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  f->sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
fixture_start_host (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  /* No rate limit: the issuer speaks for a whole POS. Timeouts long
   * enough for the slowest build. */
  f->host
    = g_object_new (TR_TYPE_HOST, "store", f->store, "port", 0, "loopback-only", TRUE, "ops-rate",
                    0, "hello-timeout", 10 * 60 * 1000, "heartbeat-timeout", 10 * 60 * 1000, NULL);
  g_assert_true (tr_host_start (f->host, &error));
  g_assert_no_error (error);
  f->ws_url = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws", tr_host_get_bound_port (f->host));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  tr_test_stall_vfs_set_delay (0);
  if (f->host != NULL)
    {
      tr_host_stop (f->host);
      g_assert_finalize_object (f->host);
    }
  spin_ms (100);
  g_assert_finalize_object (f->store);
  tr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->ws_url);
  g_hash_table_unref (f->sent_at);
}

/* ---- The run ---- */

typedef struct
{
  Fixture *f;
  Station *issuer;
  Station *pinger;
  Station *late[N_LATE_STATIONS];
  guint n_late;
  guint n_late_started;
  gint64 last_hello_at;
  gboolean sending;
  guint n_pings;
  guint n_pings_wanted;
  guint stall_ms;
  gint done; /* atomic: the stations' thread has finished */
  /* What the test checks afterwards */
  GArray *rtts_us;
  gint64 min_ack_us;
  guint n_early_acks;
} Run;

/* A new ticket from @issuer; the op id. */
static char *
issuer_send_op (Fixture *f, Station *issuer)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  g_autoptr (TrOp) op = NULL;
  g_autofree char *frame = NULL;
  TrItem *item = tr_item_new ();
  gint64 *now = g_new (gint64, 1);

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup ("12");
  item->id = tr_uuid_new ();
  item->name = g_strdup ("Risotto");
  g_ptr_array_add (ticket->items, item);
  op = tr_op_new_create_ticket (issuer->station_id, ticket);
  frame = tr_frame_build_op (op);
  *now = g_get_monotonic_time ();
  g_hash_table_insert (f->sent_at, g_strdup (op->op_id), now);
  station_send (issuer, frame);
  f->n_ops_sent++;
  return g_strdup (op->op_id);
}

static gboolean
send_op_cb (gpointer user_data)
{
  Run *run = user_data;

  if (run->sending)
    g_free (issuer_send_op (run->f, run->issuer));
  return G_SOURCE_CONTINUE;
}

static gboolean
send_ping_cb (gpointer user_data)
{
  Run *run = user_data;
  Station *pinger = run->pinger;
  g_autofree char *frame = NULL;

  if (run->n_pings >= run->n_pings_wanted)
    return G_SOURCE_CONTINUE;
  if (pinger->ping_outstanding)
    return G_SOURCE_CONTINUE;
  pinger->ping_t = ++run->n_pings;
  frame = tr_frame_build_ping (pinger->ping_t, pinger->last_seq, 0);
  pinger->ping_outstanding = TRUE;
  pinger->ping_sent_at = g_get_monotonic_time ();
  station_send (pinger, frame);
  return G_SOURCE_CONTINUE;
}

/* Says hello on the next late station while a commit is in its sync:
 * the host must then catch it up to the committed head and give it the
 * batch in flight live. Every other one resumes, the rest snapshot. */
static gboolean
late_hello_cb (gpointer user_data)
{
  Run *run = user_data;
  Station *station;

  gint64 now = g_get_monotonic_time ();

  if (run->n_late_started == run->n_late)
    return G_SOURCE_CONTINUE;
  /* A loop that syncs itself never sees a sync in progress: then any
   * moment will do, for the ordering checks still to run. */
  if (now - run->last_hello_at < STALL_MS * 1000
      || (tr_test_stall_vfs_get_n_syncing () == 0 && now - run->last_hello_at < 2 * STALL_MS * 1000)
      || run->pinger->last_seq == 0)
    return G_SOURCE_CONTINUE;
  run->last_hello_at = now;
  station = run->late[run->n_late_started];
  station_hello (station, run->n_late_started % 2 == 0 ? run->pinger->last_seq : 0);
  run->n_late_started++;
  return G_SOURCE_CONTINUE;
}

static gboolean
pings_done_cb (gpointer data)
{
  Run *run = data;

  return run->n_pings >= run->n_pings_wanted && !run->pinger->ping_outstanding;
}

static gboolean
all_acked_cb (gpointer data)
{
  Run *run = data;

  return run->issuer->n_acks == run->f->n_ops_sent;
}

static gboolean
all_at_head_cb (gpointer data)
{
  Run *run = data;
  gint64 head = run->issuer->last_ack_seq;

  if (run->issuer->last_seq != head || run->pinger->last_seq != head)
    return FALSE;
  for (guint i = 0; i < run->n_late_started; i++)
    if (run->late[i]->last_seq != head)
      return FALSE;
  return TRUE;
}

static void
assert_contiguous (Station *station)
{
  if (station->n_disorders > 0)
    g_error ("station %s: %u seqs out of order, the first %s", station->station_id,
             station->n_disorders, station->first_disorder);
}

/* The stations' side of a run, on a thread of its own with its own
 * context and session: a station that shared the host's loop would send
 * its ping only when the loop is free, and so never time a stall. */
static gpointer
stations_thread (gpointer data)
{
  Run *run = data;
  Fixture *f = run->f;
  g_autoptr (GMainContext) context = g_main_context_new ();
  GSource *op_source, *ping_source, *late_source;

  g_main_context_push_thread_default (context);
  f->session = soup_session_new ();

  station_connect (run->issuer);
  station_connect (run->pinger);
  for (guint i = 0; i < run->n_late; i++)
    station_connect (run->late[i]);
  station_hello (run->issuer, 0);
  station_hello (run->pinger, 0);
  wait_for (station_caught_up_cb, run->issuer, "the issuer's welcome");
  wait_for (station_caught_up_cb, run->pinger, "the pinger's welcome");

  tr_test_stall_vfs_set_delay (run->stall_ms);
  run->sending = TRUE;
  run->n_pings_wanted = N_PINGS;
  run->last_hello_at = g_get_monotonic_time ();
  op_source = timeout_here (OP_INTERVAL_MS, send_op_cb, run);
  ping_source = timeout_here (PING_INTERVAL_MS, send_ping_cb, run);
  late_source = timeout_here (5, late_hello_cb, run);
  wait_for (pings_done_cb, run, "the pings");
  while (run->n_late_started < run->n_late)
    g_main_context_iteration (context, TRUE);
  run->sending = FALSE;
  wait_for (all_acked_cb, run, "every ack");
  wait_for (all_at_head_cb, run, "every station at the head");
  source_destroy (op_source);
  source_destroy (ping_source);
  source_destroy (late_source);

  g_assert_cmpuint (run->issuer->n_acks_first, ==, 0);
  assert_contiguous (run->issuer);
  assert_contiguous (run->pinger);
  g_assert_cmpint (run->issuer->first_seq, ==, 1);
  g_assert_cmpint (run->pinger->first_seq, ==, 1);
  for (guint i = 0; i < run->n_late; i++)
    {
      Station *late = run->late[i];

      assert_contiguous (late);
      /* A resume begins right after its since, a snapshot right after
       * its seq, and both end at the head (all_at_head_cb). */
      g_assert_true (late->got_snapshot == (i % 2 == 1));
      if (!late->got_snapshot)
        g_assert_cmpint (late->first_seq, ==, late->since + 1);
      else
        g_assert_cmpint (late->since, ==, 0);
    }

  run->rtts_us = g_array_ref (run->pinger->rtts_us);
  run->min_ack_us = run->issuer->min_ack_us;
  run->n_early_acks = run->issuer->n_early_acks;
  station_free (run->issuer);
  station_free (run->pinger);
  for (guint i = 0; i < run->n_late; i++)
    station_free (run->late[i]);
  g_clear_object (&f->session);
  spin_ms (100);
  g_main_context_pop_thread_default (context);

  g_atomic_int_set (&run->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* Pings while ops commit, with @stall_ms per sync. The host runs on this
 * thread's (the default) context, the stations on another thread. */
static void
run_ops_and_pings (Fixture *f, Run *run, guint stall_ms, guint n_late)
{
  GThread *thread;

  run->f = f;
  run->stall_ms = stall_ms;
  run->n_late = n_late;
  run->issuer = station_new (f, "issuer");
  run->pinger = station_new (f, "pinger");
  for (guint i = 0; i < n_late; i++)
    {
      g_autofree char *id = g_strdup_printf ("late-%u", i);

      run->late[i] = station_new (f, id);
    }
  fixture_start_host (f);

  thread = g_thread_new ("stations", stations_thread, run);
  while (!g_atomic_int_get (&run->done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
}

static gint
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

static gint64
percentile_ms (GArray *rtts, double p)
{
  g_autoptr (GArray) sorted = g_array_copy (rtts);
  guint index;

  g_array_sort (sorted, compare_int64);
  index = (guint)MIN ((double)sorted->len - 1, p * sorted->len);
  return g_array_index (sorted, gint64, index) / 1000;
}

/* The best p99 of the windows of PING_WINDOW pings. */
static gint64
p99_ms (GArray *rtts)
{
  gint64 best = G_MAXINT64;

  g_assert_cmpuint (rtts->len, ==, N_PINGS);
  for (guint w = 0; w < N_PING_WINDOWS; w++)
    {
      g_autoptr (GArray) window = g_array_new (FALSE, FALSE, sizeof (gint64));
      gint64 p99;

      g_array_append_vals (window, &g_array_index (rtts, gint64, w * PING_WINDOW), PING_WINDOW);
      p99 = percentile_ms (window, 0.99);
      g_test_message ("round trips %u-%u: p50 %" G_GINT64_FORMAT " ms, p95 %" G_GINT64_FORMAT
                      " ms, p99 %" G_GINT64_FORMAT " ms, max %" G_GINT64_FORMAT " ms",
                      w * PING_WINDOW + 1, (w + 1) * PING_WINDOW, percentile_ms (window, 0.5),
                      percentile_ms (window, 0.95), p99, percentile_ms (window, 1.0));
      best = MIN (best, p99);
    }
  return best;
}

static void
test_ping_under_stall (Fixture *f, gconstpointer data)
{
  Run run = { 0 };
  gint64 p99;
  guint syncs_before = tr_test_stall_vfs_get_n_syncs ();

  run_ops_and_pings (f, &run, STALL_MS, N_LATE_STATIONS);
  p99 = p99_ms (run.rtts_us);
  g_test_message (
    "%u pings, best p99 %" G_GINT64_FORMAT " ms; %u ops, %u syncs of %d ms; first ack "
    "%.1f ms after its op",
    run.rtts_us->len, p99, f->n_ops_sent, tr_test_stall_vfs_get_n_syncs () - syncs_before, STALL_MS,
    run.min_ack_us / 1000.0);
  /* Enough commits stalled for the pings to have met them. */
  g_assert_cmpuint (tr_test_stall_vfs_get_n_syncs () - syncs_before, >=, 10);
  /* No ack before its op's sync had returned. */
  g_assert_cmpuint (run.n_early_acks, ==, 0);
  g_assert_cmpint (run.min_ack_us, >=, (gint64)STALL_MS * 1000);
  g_assert_cmpint (p99, <=, PING_P99_LIMIT_MS);
  g_array_unref (run.rtts_us);
}

/* The same without a stall: the ordering checks on a fast disk, and the
 * figure docs/performance.md compares with. Its round trips measure the
 * machine more than the host (there is no sync to hold anything), so
 * they are reported, not bounded. */
static void
test_ping_no_stall (Fixture *f, gconstpointer data)
{
  Run run = { 0 };
  gint64 p99;

  run_ops_and_pings (f, &run, 0, N_LATE_STATIONS);
  p99 = p99_ms (run.rtts_us);
  g_test_message ("no stall: %u pings, best p99 %" G_GINT64_FORMAT " ms; %u ops", run.rtts_us->len,
                  p99, f->n_ops_sent);
  g_array_unref (run.rtts_us);
}

/* ---- events-committed and in-process submits ---- */

typedef struct
{
  GThread *main_thread;
  GArray *signal_seqs;     /* gint64: from "events-committed", in order */
  guint n_off_thread;      /* signals of the host or the store off the main thread */
  guint n_ticket_changed;  /* the store's, re-emitted by the host */
  guint n_signals_at_done; /* "events-committed" emissions when the submit came back */
  GPtrArray *outcomes;
  gboolean done;
} Committed;

static void
on_events_committed (TrHost *host, GPtrArray *events, gpointer user_data)
{
  Committed *committed = user_data;

  if (g_thread_self () != committed->main_thread)
    committed->n_off_thread++;
  for (guint i = 0; i < events->len; i++)
    g_array_append_val (committed->signal_seqs, ((TrEvent *)g_ptr_array_index (events, i))->seq);
}

static void
on_ticket_changed (TrStore *store, const char *ticket_id, gpointer user_data)
{
  Committed *committed = user_data;

  if (g_thread_self () != committed->main_thread)
    committed->n_off_thread++;
  committed->n_ticket_changed++;
}

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Committed *committed = user_data;
  g_autoptr (GError) error = NULL;

  committed->outcomes = tr_host_submit_ops_finish (TR_HOST (source), result, &error);
  g_assert_no_error (error);
  committed->n_signals_at_done = committed->signal_seqs->len;
  committed->done = TRUE;
}

/* Ops submitted in-process under stalled syncs: the loop goes on, the
 * events come through "events-committed" on the host's thread before the
 * submit returns, and the store's "ticket-changed" never fires on the
 * writer thread. */
static void
test_events_committed (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  Committed committed = { g_thread_self (), g_array_new (FALSE, FALSE, sizeof (gint64)) };
  gint64 started;
  guint n_ticks = 0;

  fixture_start_host (f);
  g_signal_connect (f->host, "events-committed", G_CALLBACK (on_events_committed), &committed);
  g_signal_connect (f->store, "ticket-changed", G_CALLBACK (on_ticket_changed), &committed);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (TrTicket) ticket = tr_ticket_new ();
      TrItem *item = tr_item_new ();

      ticket->id = tr_uuid_new ();
      item->id = tr_uuid_new ();
      item->name = g_strdup ("Soup");
      g_ptr_array_add (ticket->items, item);
      g_ptr_array_add (ops, tr_op_new_create_ticket ("host", ticket));
    }
  /* A duplicate of the first: its outcome says so, and it makes no event. */
  g_ptr_array_add (ops, tr_op_copy (g_ptr_array_index (ops, 0)));

  tr_test_stall_vfs_set_delay (STALL_MS);
  started = g_get_monotonic_time ();
  tr_host_submit_ops_async (f->host, ops, NULL, submitted_cb, &committed);
  /* The loop turns while the writer sleeps in its sync. */
  while (!committed.done)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      n_ticks++;
    }
  g_assert_cmpint (g_get_monotonic_time () - started, >=, (gint64)STALL_MS * 1000);
  g_assert_cmpuint (n_ticks, >, 10);

  g_assert_cmpuint (committed.n_off_thread, ==, 0);
  g_assert_cmpuint (committed.n_signals_at_done, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (g_array_index (committed.signal_seqs, gint64, i), ==, i + 1);
  g_assert_cmpuint (committed.n_ticket_changed, ==, 3);
  g_assert_cmpuint (committed.outcomes->len, ==, 4);
  for (guint i = 0; i < 3; i++)
    {
      TrOutcome *outcome = g_ptr_array_index (committed.outcomes, i);

      g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
      g_assert_cmpint (outcome->seq, ==, i + 1);
    }
  g_assert_cmpint (((TrOutcome *)g_ptr_array_index (committed.outcomes, 3))->result, ==,
                   TR_APPLY_DUPLICATE);

  g_signal_handlers_disconnect_by_data (f->store, &committed);
  g_ptr_array_unref (committed.outcomes);
  g_array_unref (committed.signal_seqs);
}

/* ---- The standby ---- */

/* The host's warnings a test causes on purpose: each seen once, and not
 * fatal (the host logs with structured logging, which
 * g_test_expect_message() does not see in GLib 2.74). */
static const char *expected_warnings[2];
static gint n_expected_seen;

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (level & G_LOG_LEVEL_WARNING)
    for (gsize i = 0; i < n_fields; i++)
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
        for (guint k = 0; k < G_N_ELEMENTS (expected_warnings); k++)
          if (expected_warnings[k] != NULL
              && g_pattern_match_simple (expected_warnings[k], fields[i].value))
            {
              expected_warnings[k] = NULL;
              g_atomic_int_inc (&n_expected_seen);
              return G_LOG_WRITER_HANDLED;
            }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* A long stall: the standby's frame must come while the commit's sync
 * still runs, however slow this machine's loop is. */
#define STANDBY_STALL_MS 1500
#define N_STANDBY_OPS 3

static void
note_committed (TrHost *host, GPtrArray *events, gpointer user_data)
{
  Fixture *f = user_data;
  const TrEvent *last = g_ptr_array_index (events, events->len - 1);

  f->committed_seq = MAX (f->committed_seq, last->seq);
}

static gboolean
standby_in_sync_cb (gpointer data)
{
  return tr_host_get_standby_connected (((Fixture *)data)->host);
}

static gboolean
closed_cb (gpointer data)
{
  return ((Station *)data)->closed;
}

static gboolean
got_snapshot_cb (gpointer data)
{
  return ((Station *)data)->got_snapshot;
}

static gboolean
n_acks_cb (gpointer data)
{
  Station *station = data;

  return station->n_acks == station->f->n_ops_sent;
}

/* An issuer and a standby on this thread's loop, which is the host's. */
static void
standby_start (Fixture *f, Station **issuer, Station **standby)
{
  *issuer = station_new (f, "pos");
  *standby = station_new_role (f, "backoffice", TR_ROLE_STANDBY);
  (*standby)->standby = TRUE;
  fixture_start_host (f);
  g_signal_connect (f->host, "events-committed", G_CALLBACK (note_committed), f);
  f->session = soup_session_new ();
  station_connect (*issuer);
  station_connect (*standby);
  station_hello (*issuer, 0);
  station_hello_as (*standby, TR_ROLE_STANDBY, 0, NULL);
  wait_for (station_caught_up_cb, *issuer, "the issuer's welcome");
  /* Its catch-up (a snapshot, from 0) is over: it is live. */
  wait_for (got_snapshot_cb, *standby, "the standby's snapshot");
  wait_for (standby_in_sync_cb, f, "the standby in sync");
}

/* The events go to the standby while the host's own commit is in its
 * sync (tr-host-standby-stream.c): the standby's round trip overlaps the
 * host's fsync instead of coming after it. The ack still waits for
 * both. */
static void
test_standby_before_sync (Fixture *f, gconstpointer data)
{
  Station *issuer, *standby;

  standby_start (f, &issuer, &standby);
  tr_test_stall_vfs_set_delay (STANDBY_STALL_MS);
  for (guint i = 0; i < N_STANDBY_OPS; i++)
    {
      g_free (issuer_send_op (f, issuer));
      wait_for (n_acks_cb, issuer, "the ack");
    }
  tr_test_stall_vfs_set_delay (0);

  g_assert_cmpuint (standby->n_events_frames, ==, N_STANDBY_OPS);
  g_assert_cmpuint (standby->n_before_commit, ==, N_STANDBY_OPS);
  assert_contiguous (standby);
  g_assert_cmpint (standby->last_seq, ==, N_STANDBY_OPS);
  /* Nothing else changed: the issuer saw each event before its ack, and
   * no ack before the sync. */
  g_assert_cmpuint (issuer->n_early_acks, ==, 0);
  g_assert_cmpuint (issuer->n_acks_first, ==, 0);
  g_assert_cmpint (issuer->last_seq, ==, N_STANDBY_OPS);

  /* Only the standby confirms: from a station it breaks the protocol. */
  {
    g_autofree char *ack = tr_frame_build_standby_ack (N_STANDBY_OPS + 10, 0);

    issuer->error_expected = TRUE;
    station_send (issuer, ack);
    wait_for (closed_cb, issuer, "the host to close a station that sent standby_ack");
    g_assert_cmpstr (issuer->error_code, ==, "protocol");
    g_assert_cmpint (soup_websocket_connection_get_close_code (issuer->ws), ==, TR_CLOSE_PROTOCOL);
  }
  station_free (issuer);
  station_free (standby);
  g_clear_object (&f->session);
}

/* The host's commit fails after the standby got its events: the host
 * reuses those seqs, so the standby is closed, and at its next hello
 * (since_op the op it holds) it is told to start again from a snapshot. */
static void
test_standby_commit_fails (Fixture *f, gconstpointer data)
{
  Station *issuer, *standby, *again;
  g_autofree char *op_id = NULL;

  standby_start (f, &issuer, &standby);
  /* The writer is idle: the next sync is the batch's. */
  spin_ms (200);
  tr_test_stall_vfs_set_delay (STANDBY_STALL_MS);
  tr_test_stall_vfs_fail_syncs (1);
  expected_warnings[0] = "Applying 1 ops failed: *: committing: disk I/O error";
  expected_warnings[1] = "The standby got events from seq 1 that the host failed to commit*";
  op_id = issuer_send_op (f, issuer);
  wait_for (closed_cb, standby, "the host to close the standby");
  wait_for (closed_cb, issuer, "the host to close the issuer");
  g_assert_cmpuint (g_atomic_int_get (&n_expected_seen), ==, 2);
  expected_warnings[0] = expected_warnings[1] = NULL;
  tr_test_stall_vfs_set_delay (0);

  g_assert_cmpuint (standby->n_events_frames, ==, 1);
  g_assert_cmpint (standby->last_seq, ==, 1);
  g_assert_cmpuint (issuer->n_acks, ==, 0);
  g_assert_cmpint (f->committed_seq, ==, 0);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 0);

  again = station_new_role (f, "backoffice-again", TR_ROLE_STANDBY);
  station_connect (again);
  station_hello_as (again, TR_ROLE_STANDBY, 1, op_id);
  wait_for (got_snapshot_cb, again, "a snapshot for the standby's second hello");
  g_assert_cmpint (again->last_seq, ==, 0);

  station_free (issuer);
  station_free (standby);
  station_free (again);
  g_clear_object (&f->session);
}

int
main (int argc, char *argv[])
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/host-stall/ping-no-stall", Fixture, NULL, fixture_setup, test_ping_no_stall,
              fixture_teardown);
  g_test_add ("/host-stall/ping-under-stall", Fixture, NULL, fixture_setup, test_ping_under_stall,
              fixture_teardown);
  g_test_add ("/host-stall/events-committed", Fixture, NULL, fixture_setup, test_events_committed,
              fixture_teardown);
  g_test_add ("/host-stall/standby-before-sync", Fixture, NULL, fixture_setup,
              test_standby_before_sync, fixture_teardown);
  g_test_add ("/host-stall/standby-commit-fails", Fixture, NULL, fixture_setup,
              test_standby_commit_fails, fixture_teardown);
  return g_test_run ();
}
