/* tr-host-private.h: what the files of TrHost share, and nothing else includes
 *
 * TrHost is one GObject in one file per job, around this header: the
 * object itself (tr-host.c), the listening socket (-listener), the
 * station roster (-roster), WebSocket connections (-connection), pairing
 * and tokens (-pairing), rate and connection limits (-limits), catch-up
 * and the event cache (-catchup), group commit and fan-out (-commit), the
 * HTTP API (-http), long-poll (-poll), the periodic checks
 * (-maintenance) and GET /metrics (-metrics); the TLS certificate
 * helpers are in tr-host-tls.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tr-exporter.h"
#include "tr-host.h"
#include "tr-metrics.h"
#include "tr-store-reader.h"

G_BEGIN_DECLS

#define API_PREFIX "/api/v1"

/* Pairing (docs/security.md): after five wrong codes within a minute the
 * pair endpoint answers 429 (tr-host-pairing.c). */
#define PAIRING_MAX_FAILURES 5

/* The JSON of recent events, by seq, for catch-ups: in a reconnect storm
 * hundreds of stations ask for the same events at once, and decoding each
 * from the log and encoding it again cost ~70 µs per event per station.
 * A slot holds seq % EVENT_CACHE_SLOTS (tr-host-catchup.c). */
#define EVENT_CACHE_SLOTS 2048

/* The codec's bound on ids (docs/protocol.md). */
#define MAX_ID_BYTES 128

/* The token hash (a GRefString) that _tr_host_authorize_request() sets
 * on a request it let through, for the ops it carries. */
#define REQUEST_TOKEN_HASH_KEY "tr-host-token-hash"

/* libsoup 3.2 has no name for it (RFC 6585). */
#define HTTP_TOO_MANY_REQUESTS 429

typedef struct _Connection Connection;
typedef struct _HttpRequest HttpRequest;
typedef struct _Poll Poll;

/* A token bucket: ops per second per station, shared by its WebSocket
 * connections and its HTTP requests. */
typedef struct
{
  double tokens;
  gint64 updated_at; /* monotonic ms */
} Bucket;

/* One TCP connection, as libsoup accepted it: what the connection limits
 * count and what the request timer watches. Tracked with a weak
 * reference on its GSocket, which lives exactly as long as the
 * connection does (a WebSocket keeps it). */
typedef struct
{
  TrHost *host;
  GSocket *socket; /* weak */
  char *address;
  guint timeout_id; /* a request is being read */
} Peer;

typedef struct
{
  TrStationInfo info;
  guint n_websockets; /* WebSocket connections past hello, not closing */
  guint n_polls;      /* long-polls waiting now */
  gboolean seen;      /* connected at least once: the next connection is a reconnect */
  /* How its last WebSocket ended, for the connection history: set as
   * it closes, taken when the station counts as disconnected. */
  int close_code;
  char *close_reason;
} Station;

struct _Connection
{
  grefcount ref;
  TrHost *host; /* NULL once the host is gone */
  SoupWebsocketConnection *ws;
  char *address;
  char *station_id;     /* set by hello */
  gint64 opened_at;     /* monotonic ms */
  gint64 last_frame_at; /* monotonic ms */
  gint64 sent_seq;      /* newest seq this station was sent */
  gint64 caught_up_seq; /* the head when its catch-up was sent */
  gboolean hello_done;
  /* Between the hello and the live stream: its catch-up is being read
   * and encoded on the reader thread. Frames it sends meanwhile wait in
   * held (GBytes*), pings excepted. */
  gboolean catching_up;
  GQueue held;
  char *hello_name;
  char *hello_role;
  gint64 hello_since;
  /* A board's: its ops are acked "forbidden" (tr_role_is_read_only). */
  gboolean read_only;
  gboolean closing; /* no more frames either way */
  gboolean counted; /* included in its station and n-stations */
  GQueue throttled; /* PendingOp*: over the station's rate, applied as the bucket refills */
  /* The SHA-256 of the token its hello gave (a GRefString), or NULL when
   * the host does not require pairing: its ops carry it to the writer,
   * which applies none once the token is revoked or replaced. */
  char *token_hash;
  /* Said hello as the host's standby (tr-host-standby.c): it acks the
   * events it has made durable with standby_ack frames. */
  gboolean standby;
  /* The port its station would serve on once promoted (its standby_ack
   * "port"; 0: not said): the stations' fallback address. */
  guint standby_port;
};

typedef enum
{
  REQUEST_OPS,
  REQUEST_TICKET,
} RequestKind;

/* A POST whose ops wait for the flush; the message stays paused until
 * the transaction committed and the events went out. */
struct _HttpRequest
{
  TrHost *host;
  SoupServerMessage *msg;
  gulong finished_id;
  gboolean finished; /* the client went away: never touch msg again */
  RequestKind kind;
  gint64 received_at;  /* monotonic µs, for ticketrail_op_ack_seconds */
  GPtrArray *outcomes; /* TrOutcome*, borrowed from the flush */
  char *store_error;
  char *token_hash; /* GRefString, as Connection's */
  gboolean refused; /* its token was revoked or replaced before the commit */
};

struct _Poll
{
  TrHost *host;
  SoupServerMessage *msg;
  gulong finished_id;
  gint64 since;
  char *station_id;
  guint timeout_id;
};

/* Ops submitted in-process (tr_host_submit_ops_async()): the task
 * returns their outcomes once the last of them is committed and fanned
 * out. */
typedef struct
{
  grefcount ref;
  GTask *task;
  GPtrArray *outcomes; /* TrOutcome*, in the order of the ops */
  guint n_left;
  char *error;         /* the store failed */
} LocalSubmit;

typedef struct
{
  TrOp *op;             /* NULL for an op the codec refused */
  TrOutcome *invalid;   /* that op's rejection */
  Connection *conn;     /* WebSocket origin, or NULL */
  HttpRequest *request; /* HTTP origin, or NULL */
  LocalSubmit *local;   /* in-process origin, or NULL */
  guint local_index;    /* its place in local->outcomes */
  gint64 received_at;   /* monotonic µs, for ticketrail_op_ack_seconds */
  char *token_hash;     /* GRefString: its sender's token, or NULL (in-process, no pairing) */
  /* Set on the writer thread: the token was revoked or replaced when
   * the batch came to be committed, so the op was neither applied nor
   * recorded. */
  gboolean refused;
} PendingOp;

/* One group commit: the ops go to the writer thread, which applies them
 * in one transaction and, while it is there, encodes what the loop will
 * send; the loop gets it all back once the fsync returned. */
typedef struct _Batch Batch;

/* One events frame of a batch, and the seqs it carries. */
typedef struct
{
  char *text;
  gint64 first_seq;
  gint64 last_seq;
} EventsFrame;

EventsFrame *
_tr_host_events_frame_new (const char *text, gint64 first_seq, gint64 last_seq);
void
_tr_host_events_frame_free (gpointer data);

struct _TrHost
{
  GObject parent_instance;

  TrStore *store;
  guint port;
  gboolean loopback_only;
  gboolean websocket_enabled;
  gboolean training; /* serving training.db: said in welcome and health */
  guint max_lag_events;
  guint heartbeat_timeout;
  gboolean require_pairing;
  guint hello_timeout;
  guint request_timeout;
  guint max_connections;
  guint max_connections_per_address;
  guint ops_rate;
  guint ops_burst;
  guint ops_queue;
  GTlsCertificate *tls_certificate;
  char *tls_fingerprint; /* SHA-256 of the certificate (DER), "AB:CD:…" */

  SoupServer *server;
  GSocket *socket;
  guint bound_port;
  char *bound_address;
  gboolean running;

  GPtrArray *connections; /* Connection*, owned */
  GHashTable *stations;   /* station_id → Station* */
  guint n_stations;
  GPtrArray *polls; /* Poll*, owned */

  /* Every source and every GTask result lands here: the thread-default
   * context of the thread that called tr_host_start() (tr-host.h). */
  GMainContext *context;
  /* The store's id, copied at start: the writer's mirror of it may be
   * rewritten under the loop's feet. */
  char *db_id;
  char *lineage; /* the restaurant's id (tr-store-lineage.h), from start */
  /* The newest seq committed and fanned out: what the loop may promise
   * (welcome, health, lag). The file may already hold more. */
  gint64 head_seq;

  /* The one writer (tr-host-writer.c): a one-thread pool used as a
   * serial queue, the only code that touches self->store after start. */
  GThreadPool *writer;
  guint n_writes; /* queued or running */
  Batch *batch;   /* the group commit in flight, or NULL */
  /* The loop's own read-only connection: tokens, the roster, small
   * reads, none of which waits for the writer. */
  TrStoreReader *reader;
  /* The catch-up thread (tr-host-reader.c): reads and encodes big
   * catch-ups and snapshots off the loop, sharing each frame between
   * the stations that need it. */
  struct _CatchUpReader *catch_up_reader;
  guint n_catch_ups; /* queued or running, until their callback ran */
  /* The speed-of-service thread (tr-host-stats.c), made by the first
   * report asked for. */
  struct _StatsReader *stats_reader;
  /* Links begun or ended since the last batch (TrLink*), and the timer
   * that writes them (tr-host-links.c). */
  GPtrArray *link_changes;
  /* The batches on the writer now (GPtrArray* of TrLink*): a reader
   * merges them too, else a link vanishes between the batch leaving
   * link_changes and its commit. */
  GPtrArray *links_writing;
  guint links_flush_id;

  GPtrArray *pending_ops;      /* PendingOp*: the next group commit */
  GPtrArray *pending_requests; /* HttpRequest*, owned */

  struct
  {
    gint64 seq; /* 0: empty */
    char *json;
  } *event_cache; /* EVENT_CACHE_SLOTS */
  gsize event_cache_bytes;

  guint flush_id;
  guint check_id;
  guint maintenance_id;
  guint stations_changed_id;
  gboolean stations_dirty;

  GHashTable *peers;             /* GSocket* → Peer* */
  GHashTable *peers_per_address; /* address → GUINT_TO_POINTER (count) */
  GHashTable *buckets;           /* station id or "@address" → Bucket* */
  guint throttle_id;
  guint n_checks;
  GHashTable *seen;              /* paired station id → gint64* last seen, not yet written */
  gint64 pair_failures[PAIRING_MAX_FAILURES]; /* monotonic ms of the latest wrong codes */
  guint n_pair_failures;

  TrExporter *exporter; /* the PostgreSQL export (issue 16), or NULL */

  /* Kitchen printers (tr-host-printers.c): the spool and its workers,
   * from start to stop; NULL otherwise. */
  struct _TrPrintSpool *print_spool;
  guint printer_backoff_max; /* ms */

  TrMetrics *metrics; /* GET /metrics (tr-host-metrics.c); loop only */
  /* A test hook, from $TICKETRAIL_TEST_SKIP_SEQ (docs/monitoring.md): the
   * event of this seq is left out of the live fan-out, as if its frame
   * was lost, so that the web tests can check that a station notices
   * the gap. Catch-ups, long-polls and the log keep it. 0: off. */
  gint64 test_skip_seq;

  /* The standby (tr-host-standby.c, issue 17): while one is in sync, the
   * answers of a batch (acks, HTTP answers, in-process submits) wait in
   * held_batches until it confirmed the batch's last event durable. */
  Connection *standby;        /* borrowed; NULL when none is connected */
  gboolean standby_seen;      /* a standby said hello since the start */
  gboolean standby_lagging;   /* it failed to confirm in time: acks alone until it is at the head */
  gint64 standby_acked_seq;   /* the newest seq it confirmed */
  gint64 standby_gone_at;     /* monotonic ms it disconnected, 0 while connected */
  guint standby_timeout;      /* ms an answer may wait for it before the host answers alone */
  guint standby_timer_id;
  /* What the standby was sent of the printers and the journal: touched
   * by the writer thread only (tr-host-standby.c). */
  struct _TrHostStandbyMark *standby_mark;
  guint standby_reading;      /* a read for the standby is queued on the writer */
  guint standby_read_again;   /* what to read again once it is back (PUSH_* flags) */
  GQueue held_batches;        /* Batch*, in commit order */
  /* Events for the standby made by the writer before its fsync
   * (tr-host-standby-stream.c), under standby_early_lock. */
  GMutex standby_early_lock;
  GQueue standby_early;       /* EventsFrame*, oldest first */
  GSource *standby_early_source; /* wakes the loop to send them; NULL when stopped */
  gboolean standby_early_on;  /* the loop has a standby to send them to */
  gint64 gen;                 /* this host's generation in its lineage, from start */
  gint64 superseded_by;       /* a higher generation a paired station has seen: ops refused; 0 */
  char *superseded_url;       /* that generation's address, when DNS-SD showed it; else NULL */
};

typedef enum
{
  AUTH_OK,
  AUTH_MISSING,
  AUTH_UNKNOWN,
  AUTH_REVOKED,
  AUTH_FAILED, /* the store failed */
} AuthResult;

/* Splits @json (event JSON) into events frames within the frame limits
 * and calls @send for each. */
typedef void (*FrameFunc) (const char *frame, gint64 first_seq, gint64 last_seq,
                           gpointer user_data);

enum
{
  PROP_0,
  PROP_STORE,
  PROP_PORT,
  PROP_LOOPBACK_ONLY,
  PROP_WEBSOCKET_ENABLED,
  PROP_MAX_LAG_EVENTS,
  PROP_HEARTBEAT_TIMEOUT,
  PROP_REQUIRE_PAIRING,
  PROP_HELLO_TIMEOUT,
  PROP_REQUEST_TIMEOUT,
  PROP_MAX_CONNECTIONS,
  PROP_MAX_CONNECTIONS_PER_ADDRESS,
  PROP_OPS_RATE,
  PROP_OPS_BURST,
  PROP_OPS_QUEUE,
  PROP_TLS_CERTIFICATE,
  PROP_BOUND_PORT,
  PROP_BOUND_ADDRESS,
  PROP_N_STATIONS,
  PROP_N_CONNECTIONS,
  PROP_EXPORTER,
  PROP_PRINTER_BACKOFF_MAX,
  PROP_TRAINING,
  N_PROPS
};

enum
{
  STATIONS_CHANGED,
  EVENTS_COMMITTED,
  PRINTERS_CHANGED,
  N_SIGNALS
};

extern GParamSpec *_tr_host_properties[N_PROPS];
extern guint _tr_host_signals[N_SIGNALS];

static inline gint64
_tr_host_monotonic_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* tr-host.c: sources on the host's context */

guint
_tr_host_timeout_add (TrHost *self, guint interval_ms, GSourceFunc func, gpointer data);
guint
_tr_host_idle_add (TrHost *self, int priority, GSourceFunc func, gpointer data);
/* Destroys the source @*id names on the host's context and zeroes it. */
void
_tr_host_clear_source (TrHost *self, guint *id);
/* Iterates the host's context until @*done (for the blocking calls). */
void
_tr_host_iterate_until (TrHost *self, const gboolean *done);

/* tr-host-writer.c: the one writer */

/* Runs on the writer thread, with the host's store, which no other
 * thread touches meanwhile. */
typedef gboolean (*TrHostWriteFunc) (TrStore *store, gpointer data, GError **error);

void
_tr_host_writer_start (TrHost *self);
/* Waits for every queued write, then ends the thread. */
void
_tr_host_writer_stop (TrHost *self);
/* Queues @func behind every write queued before it; @callback runs on
 * the host's context once it returned. @destroy frees @data after that. */
void
_tr_host_write_async (TrHost *self, TrHostWriteFunc func, gpointer data, GDestroyNotify destroy,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean
_tr_host_write_finish (TrHost *self, GAsyncResult *result, GError **error);
/* The same, iterating the host's context until it is done: for the rare
 * blocking calls of the public API (a pairing code, a revocation). */
gboolean
_tr_host_write_sync (TrHost *self, TrHostWriteFunc func, gpointer data, GError **error);
/* TRUE on the writer thread, in a write. */
gboolean
_tr_host_in_writer (void);
/* Keeps the store's "ticket-changed" off the writer thread: the host
 * emits it again on its own context after each commit. */
void
_tr_host_writer_watch_store (TrHost *self);

/* tr-host-commit.c: answers held for the standby */

/* Answers the held batches the standby confirmed (all of them with
 * @all), in commit order. */
void
_tr_host_release_held (TrHost *self, gboolean all);
/* Monotonic ms the oldest held batch was held at, or 0. */
gint64
_tr_host_oldest_held_at (TrHost *self);

/* tr-host-standby.c: the standby's side of the host */

/* TRUE when the answers of a batch ending at @last_seq must wait for the
 * standby (semi-synchronous replication). */
gboolean
_tr_host_standby_must_wait (TrHost *self, gint64 last_seq);
/* A batch was held: make sure the fallback timer runs. */
void
_tr_host_standby_held (TrHost *self);
/* The standby @conn's copy holds everything up to @seq, durable; its
 * station would serve on @port once promoted (0: a headless standby). */
void
_tr_host_standby_ack (TrHost *self, Connection *conn, gint64 seq, guint port);
void
_tr_host_standby_hello (TrHost *self, Connection *conn);
void
_tr_host_standby_closed (TrHost *self, Connection *conn);
/* Sends the journal rows written since the last push to the standby
 * (standby_journal), read on the writer behind the writes before. */
void
_tr_host_standby_push_journal (TrHost *self);
/* Frees what the writer kept of the standby's state (finalize). */
void
_tr_host_standby_free_mark (TrHost *self);
/* Sends the roster, the menu and the printers to the standby, read on the writer
 * after every write queued so far. */
void
_tr_host_standby_push_state (TrHost *self);
void
_tr_host_standby_stop (TrHost *self);

/* tr-host-standby-stream.c: the events to the standby */

/* The writer thread, before the COMMIT of the events from @first_seq to
 * @last_seq: queues @text for the standby, so that its commit runs
 * while the host's fsync does. FALSE (nothing queued) with no standby. */
gboolean
_tr_host_standby_post_early (TrHost *self, const char *text, gint64 first_seq, gint64 last_seq);
/* The loop, once the batch is durable: sends @text to the standby
 * unless it had it before the fsync. */
void
_tr_host_standby_send (TrHost *self, const char *text, gint64 first_seq, gint64 last_seq);
/* The loop: the batch whose events from @first_seq on were posted
 * early failed to commit. A standby that got them takes the file again. */
void
_tr_host_standby_unsend (TrHost *self, gint64 first_seq);
/* The loop: a standby said hello, or the last one went (@on FALSE). */
void
_tr_host_standby_stream_set_on (TrHost *self, gboolean on);
/* Stops the stream for good (tr_host_stop()) and frees what waits. */
void
_tr_host_standby_stream_stop (TrHost *self);

/* The pong to @conn's ping at @t: with the standby's address for the
 * stations' fallback (tr-host-promote.c). */
char *
_tr_host_build_pong (TrHost *self, Connection *conn, gint64 t);
/* A paired station has seen generation @gen of this restaurant's host:
 * when it is higher than this host's, this host stops accepting ops and
 * closes its stations with 4410 (no split brain). TRUE when superseded. */
gboolean
_tr_host_check_superseded (TrHost *self, gint64 gen);
/* The same, learnt from DNS-SD (tr-host-dnssd.c): a live host of this
 * lineage advertises @gen at @url. The 4410 reason, the error frame and
 * the 409 then name @url, so stations go there. */
void
_tr_host_supersede (TrHost *self, gint64 gen, const char *url);
/* "this host was replaced by generation N …; connect to the new host[ at
 * URL]" for the error frame and the 409 body. */
char *
_tr_host_superseded_message (TrHost *self);
/* The 4410 close reason: "superseded URL" when the address is known and
 * fits in a close frame's 123 bytes, else "superseded". */
char *
_tr_host_superseded_reason (TrHost *self);
/* Answers 409 superseded and returns TRUE once this host was superseded. */
gboolean
_tr_host_refuse_if_superseded (TrHost *self, SoupServerMessage *msg);
void
_tr_host_handle_standby_copy (SoupServer *server, SoupServerMessage *msg, const char *path,
                              GHashTable *query, gpointer user_data);

/* tr-host-listener.c: the listening socket */

GSocket *
_tr_host_create_listen_socket (TrHost *self, GError **error);

/* tr-host-roster.c: the station roster */

void
_tr_host_station_free (Station *station);
void
_tr_host_stations_changed (TrHost *self);
Station *
_tr_host_station_connect (TrHost *self, const char *station_id, const char *name, const char *role,
                          const char *address, const char *transport);
void
_tr_host_station_maybe_disconnected (TrHost *self, Station *station);
guint
_tr_host_count_connected_stations (TrHost *self);

/* tr-host-links.c: the connection history (GET /api/v1/stations and
 * /api/v1/stations/history), written in batches by the writer */

void
_tr_host_link_opened (TrHost *self, Station *station);
void
_tr_host_link_closed (TrHost *self, Station *station, gint64 at, int close_code,
                      const char *reason);
/* Writes what is pending; @alive_at (not 0) marks the open links alive. */
void
_tr_host_links_flush (TrHost *self, gint64 alive_at);
/* At start, before the writer owns the store: the links a host that
 * died left open end when they were last known alive. */
gboolean
_tr_host_links_start (TrHost *self, GError **error);
/* At stop: every link still open ends (1001, the host stopped). */
void
_tr_host_links_stop (TrHost *self);
void
_tr_host_handle_stations (SoupServer *server, SoupServerMessage *msg, const char *path,
                          GHashTable *query, gpointer user_data);

/* tr-host-connection.c: WebSocket connections */

Connection *
_tr_host_connection_ref (Connection *conn);
void
_tr_host_connection_unref (Connection *conn);
gboolean
_tr_host_connection_is_open (Connection *conn);
void
_tr_host_connection_send (Connection *conn, const char *text);
void
_tr_host_connection_close (Connection *conn, gushort code, const char *reason);
void
_tr_host_connection_fail (Connection *conn, const char *code, const char *message,
                          gushort close_code, const char *reason);
void
_tr_host_on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
                       SoupWebsocketConnection *ws, gpointer user_data);

/* tr-host-pairing.c: pairing and tokens */

gboolean
_tr_host_random_bytes (guint8 *buffer, gsize length, GError **error);
AuthResult
_tr_host_check_token (TrHost *self, const char *token, char **out_station_id,
                      char **out_token_hash, gboolean *out_read_only);
const char *
_tr_host_auth_message (AuthResult result);
void
_tr_host_write_seen (TrHost *self);
gboolean
_tr_host_authorize_request (TrHost *self, SoupServerMessage *msg, gboolean writes,
                            char **out_station_id);
void
_tr_host_handle_pair (SoupServer *server, SoupServerMessage *msg, const char *path,
                      GHashTable *query, gpointer user_data);
void
_tr_host_close_revoked (TrHost *self);
void
_tr_host_respond_unauthorized (SoupServerMessage *msg, AuthResult result);

/* tr-host-limits.c: rate and connection limits */

void
_tr_host_connection_submit (TrHost *self, Connection *conn, TrOp *op, TrOutcome *invalid);
gboolean
_tr_host_origin_is_foreign (TrHost *self, SoupServerMessage *msg);
gboolean
_tr_host_take_http_tokens (TrHost *self, SoupServerMessage *msg, const char *station_id, guint n);
void
_tr_host_peer_free (gpointer data);
void
_tr_host_on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data);
void
_tr_host_on_request_read (SoupServer *server, SoupServerMessage *msg, gpointer user_data);
void
_tr_host_on_request_done (SoupServer *server, SoupServerMessage *msg, gpointer user_data);
void
_tr_host_forget_peers (TrHost *self);
void
_tr_host_forget_closed_peers (TrHost *self);

/* tr-host-catchup.c: catch-up, snapshots and the event cache */

gboolean
_tr_host_needs_snapshot (TrHost *self, gint64 since, const char *since_op, const char *host_id,
                         gint64 head, gint64 tail);
void
_tr_host_event_cache_insert (TrHost *self, gint64 seq, const char *json);
void
_tr_host_event_cache_clear (TrHost *self);
void
_tr_host_build_event_frames (GPtrArray *json, GArray *seqs, FrameFunc func, gpointer user_data);
/* TRUE when @conn went live at once (nothing or little to send), FALSE
 * when its catch-up went to the reader thread; NULL error either way,
 * FALSE with @error when the store failed. */
gboolean
_tr_host_catch_up (TrHost *self, Connection *conn, gint64 since, const char *since_op,
                   const char *host_id, gint64 head, gboolean *out_live, GError **error);
gboolean
_tr_host_read_log_bounds (TrHost *self, gint64 *out_tail, gint64 *out_head, GError **error);
gboolean
_tr_host_collect_events (TrHost *self, gint64 after, gint64 last, guint limit, GPtrArray *json,
                         GPtrArray *owned, GArray *seqs, GError **error);
char *
_tr_host_build_http_snapshot (TrHost *self, GError **error);
char *
_tr_host_build_http_events (TrHost *self, gint64 since, GError **error);

/* tr-host-reader.c: the catch-up thread and its shared frames */

gboolean
_tr_host_reader_start (TrHost *self, GError **error);
void
_tr_host_reader_stop (TrHost *self);
/* Reads and encodes on the reader thread a snapshot (@snapshot) or the
 * events @after+1 … @last, then, on the loop, sends them to @conn,
 * then what was fanned out meanwhile, and makes it live. */
void
_tr_host_catch_up_async (TrHost *self, Connection *conn, gboolean snapshot, gint64 after,
                         gint64 last);
/* tr-host-connection.c: the station joins the live stream, then handles
 * the frames it sent during its catch-up. */
void
_tr_host_connection_go_live (TrHost *self, Connection *conn);

/* tr-host-commit.c: group commit and fan-out */

/* Returns the pending op, whose received_at a caller that held the op
 * back (the rate limit) may set to when it arrived. */
PendingOp *
_tr_host_enqueue_op (TrHost *self, TrOp *op, TrOutcome *invalid, Connection *conn,
                     HttpRequest *request);
void
_tr_host_pending_op_free (gpointer data);
/* Starts the group commit of what is pending unless one is in flight
 * (its end starts the next); returns at once. */
void
_tr_host_flush_now (TrHost *self);
/* Iterates the host's context until nothing is pending or in flight. */
void
_tr_host_drain (TrHost *self);
HttpRequest *
_tr_host_request_new (TrHost *self, SoupServerMessage *msg, RequestKind kind);

/* tr-host-http.c: the HTTP API */

void
_tr_host_respond_json_take (SoupServerMessage *msg, guint status, char *body);
void
_tr_host_respond_error (SoupServerMessage *msg, guint status, const char *code,
                        const char *message);
gboolean
_tr_host_require_method (SoupServerMessage *msg, const char *allow, ...);
gboolean
_tr_host_require_exact_path (SoupServerMessage *msg, const char *path, const char *expected);
JsonNode *
_tr_host_parse_body (SoupServerMessage *msg, GError **error);
gboolean
_tr_host_parse_query_int (GHashTable *query, const char *name, gint64 fallback, gint64 *out);
const char *
_tr_host_query_string (GHashTable *query, const char *name);
void
_tr_host_handle_health (SoupServer *server, SoupServerMessage *msg, const char *path,
                        GHashTable *query, gpointer user_data);
void
_tr_host_handle_ops (SoupServer *server, SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer user_data);
void
_tr_host_handle_tickets (SoupServer *server, SoupServerMessage *msg, const char *path,
                         GHashTable *query, gpointer user_data);
void
_tr_host_handle_ws_http (SoupServer *server, SoupServerMessage *msg, const char *path,
                         GHashTable *query, gpointer user_data);
void
_tr_host_handle_test_screens (SoupServer *server, SoupServerMessage *msg, const char *path,
                              GHashTable *query, gpointer user_data);
void
_tr_host_handle_not_found (SoupServer *server, SoupServerMessage *msg, const char *path,
                           GHashTable *query, gpointer user_data);

/* tr-host-stats.c: speed of service, read and computed off the loop */

void
_tr_host_handle_stats (SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer user_data);
/* Waits for the reports being read, then ends the thread. */
void
_tr_host_stats_stop (TrHost *self);

/* tr-host-poll.c: long-poll */

void
_tr_host_poll_free (Poll *poll);
void
_tr_host_poll_detach (TrHost *self, Poll *poll);
void
_tr_host_poll_answer (TrHost *self, Poll *poll);
void
_tr_host_handle_events (SoupServer *server, SoupServerMessage *msg, const char *path,
                        GHashTable *query, gpointer user_data);

/* tr-host-metrics.c: GET /metrics */

void
_tr_host_handle_metrics (SoupServer *server, SoupServerMessage *msg, const char *path,
                         GHashTable *query, gpointer user_data);
void
_tr_host_metrics_on_request_finished (SoupServer *server, SoupServerMessage *msg,
                                      gpointer user_data);

/* tr-host-maintenance.c: the periodic checks */

gboolean
_tr_host_check_cb (gpointer user_data);
gboolean
_tr_host_maintenance_cb (gpointer user_data);

/* tr-host-printers.c: kitchen printers (docs/printing.md) */

/* After the writer started: reads the printers and starts their workers;
 * never fails the start (a printer table that cannot be read is logged). */
void
_tr_host_printers_start (TrHost *self);
/* Before the writer stops: stops the workers; their last journal writes
 * are queued. */
void
_tr_host_printers_stop (TrHost *self);
/* Every 5 s: printers changed by `ticketrail-host printers` elsewhere. */
void
_tr_host_printers_check (TrHost *self);
void
_tr_host_handle_printers (SoupServer *server, SoupServerMessage *msg, const char *path,
                          GHashTable *query, gpointer user_data);
/* POST /api/v1/tickets/{id}/reprint, from _tr_host_handle_tickets(). */
void
_tr_host_handle_reprint (TrHost *self, SoupServerMessage *msg, const char *ticket_id);
/* GET /metrics: the printers' gauges. */
void
_tr_host_printers_metrics (TrHost *self, GString *out);

/* tr-host-dnssd.c: advertising over DNS-SD (tr-host-dnssd.h). Start,
 * once listening, reads or makes the lineage and gen through the writer
 * and never fails the start; stop withdraws the advertisement. */

void
_tr_host_dnssd_start (TrHost *self);
void
_tr_host_dnssd_stop (TrHost *self);
/* Superseded (_tr_host_check_superseded()): withdraw the advertisement,
 * so join lists and following stations stop seeing this old generation;
 * keep browsing the lineage (the 4410 and 409 name the newest host). */
void
_tr_host_dnssd_withdraw (TrHost *self);

G_END_DECLS
