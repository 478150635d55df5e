/* tr-host.c: the embedded host, a SoupServer over the store of truth
 *
 * One main context does everything: WebSocket frames, HTTP requests, the
 * group-commit flush and the timers. The flow of an op:
 *
 *   frame or request → pending_ops → (G_PRIORITY_HIGH_IDLE flush) one
 *   tr_store_apply_ops() transaction, durable before anything leaves →
 *   the new events as one shared frame to every caught-up station and
 *   every waiting long-poll → then each ack to its origin.
 *
 * docs/protocol.md is the reference for every frame, endpoint and code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host.h"

#include <errno.h>
#include <fcntl.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-protocol.h"
#include "tr-web.h"

#define API_PREFIX "/api/v1"
#define WS_PATH API_PREFIX "/ws"

/* libsoup (through GSocket) listens with a backlog of 10, which turns a
 * reconnect storm of a few hundred stations into seconds of SYN retries. */
#define LISTEN_BACKLOG 1024

/* See on_websocket(): libsoup's own cap, above ours. */
#define HARD_FRAME_LIMIT (2 * TR_MAX_FRAME_BYTES)

#define DEFAULT_HELLO_TIMEOUT_MS 10000
#define DEFAULT_REQUEST_TIMEOUT_MS 10000
#define DEFAULT_MAX_CONNECTIONS 2000
#define DEFAULT_MAX_CONNECTIONS_PER_ADDRESS 32
#define DEFAULT_OPS_RATE 50
#define DEFAULT_OPS_BURST 200
#define DEFAULT_OPS_QUEUE 1000

/* Pairing (docs/security.md): a code lives ten minutes, and after five
 * wrong codes within a minute the endpoint answers 429 until the oldest
 * of them is a minute old. */
#define PAIRING_CODE_LIFETIME_MS (10 * 60 * 1000)
#define PAIRING_MAX_FAILURES 5
#define PAIRING_WINDOW_MS (60 * 1000)
#define TOKEN_BYTES 32
#define CHECK_INTERVAL_MS 1000
/* Every 5 checks: revocations made by another process. */
#define REVOCATION_CHECK_TICKS 5
#define MAINTENANCE_INTERVAL_S 60
#define KEEP_EVENTS 100000
#define DEFAULT_MAX_LAG_EVENTS 5000
#define DEFAULT_HEARTBEAT_MS 15000

/* An events frame holds at most this many events, or stops growing past
 * this many bytes (one event is a whole ticket, so a frame can still be
 * larger when a single ticket is). */
#define EVENTS_PER_FRAME 1000
#define EVENTS_FRAME_SOFT_BYTES (256 * 1024)

/* The JSON of recent events, by seq, for catch-ups: in a reconnect storm
 * hundreds of stations ask for the same events at once, and decoding each
 * from the log and encoding it again cost ~70 µs per event per station.
 * A slot holds seq % EVENT_CACHE_SLOTS; the byte cap bounds the memory
 * whatever the size of the tickets. */
#define EVENT_CACHE_SLOTS 2048
#define EVENT_CACHE_MAX_BYTES (4 * 1024 * 1024)

/* Snapshots carry every open ticket and every closed one touched within
 * this window, so that a host running for months does not send its
 * whole history to each new station. */
#define SNAPSHOT_CLOSED_WINDOW_MS ((gint64)24 * 60 * 60 * 1000)

/* The codec's bound on ids (docs/protocol.md). */
#define MAX_ID_BYTES 128

/* libsoup 3.2 has no name for it (RFC 6585). */
#define HTTP_TOO_MANY_REQUESTS 429

/* The station id of tickets created through POST /api/v1/tickets. */
#define POS_STATION_ID "pos"

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
  gboolean closing; /* no more frames either way */
  gboolean counted; /* included in its station and n-stations */
  GQueue throttled; /* PendingOp*: over the station's rate, applied as the bucket refills */
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
  GPtrArray *outcomes; /* TrOutcome*, borrowed from the flush */
  char *store_error;
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

typedef struct
{
  TrOp *op;             /* NULL for an op the codec refused */
  TrOutcome *invalid;   /* that op's rejection */
  Connection *conn;     /* WebSocket origin, or NULL */
  HttpRequest *request; /* HTTP origin, or NULL */
} PendingOp;

struct _TrHost
{
  GObject parent_instance;

  TrStore *store;
  guint port;
  gboolean loopback_only;
  gboolean websocket_enabled;
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

  GPtrArray *pending_ops;      /* PendingOp* */
  GPtrArray *pending_requests; /* HttpRequest*, owned */
  GPtrArray *pending_events;   /* char*: event JSON, serialized once */
  GArray *pending_seqs;        /* gint64, parallel to pending_events */

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
};

G_DEFINE_FINAL_TYPE (TrHost, tr_host, G_TYPE_OBJECT)

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
  N_PROPS
};

enum
{
  STATIONS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
flush_now (TrHost *self);
static void
schedule_flush (TrHost *self);
static void
pending_op_free (gpointer pending);

static gint64
monotonic_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* ---- Station registry ---- */

void
tr_station_info_free (TrStationInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->station_id);
  g_free (info->name);
  g_free (info->role);
  g_free (info->address);
  g_free (info->transport);
  g_free (info);
}

static TrStationInfo *
station_info_copy (const TrStationInfo *info)
{
  TrStationInfo *copy = g_memdup2 (info, sizeof *info);

  copy->station_id = g_strdup (info->station_id);
  copy->name = g_strdup (info->name);
  copy->role = g_strdup (info->role);
  copy->address = g_strdup (info->address);
  copy->transport = g_strdup (info->transport);
  return copy;
}

static void
station_free (Station *station)
{
  g_free (station->info.station_id);
  g_free (station->info.name);
  g_free (station->info.role);
  g_free (station->info.address);
  g_free (station->info.transport);
  g_free (station);
}

static gboolean
emit_stations_changed_cb (gpointer user_data)
{
  TrHost *self = user_data;

  self->stations_changed_id = 0;
  self->stations_dirty = FALSE;
  g_signal_emit (self, signals[STATIONS_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Coalesced: a reconnect storm gives the monitor one signal, not 500. */
static void
stations_changed (TrHost *self)
{
  if (self->stations_changed_id == 0)
    self->stations_changed_id = g_idle_add (emit_stations_changed_cb, self);
}

static void
replace_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

/* Marks @station_id connected over @transport, counting a reconnect when
 * it was seen before and had dropped. */
static Station *
station_connect (TrHost *self, const char *station_id, const char *name, const char *role,
                 const char *address, const char *transport)
{
  Station *station = g_hash_table_lookup (self->stations, station_id);
  gint64 now = tr_now_ms ();

  if (station == NULL)
    {
      station = g_new0 (Station, 1);
      station->info.station_id = g_strdup (station_id);
      station->info.latency_ms = -1;
      station->info.last_seq = -1;
      g_hash_table_insert (self->stations, station->info.station_id, station);
    }
  if (!station->info.connected)
    {
      if (station->seen)
        station->info.reconnects++;
      station->seen = TRUE;
      station->info.connected = TRUE;
      station->info.connected_since = now;
    }
  if (name != NULL)
    replace_string (&station->info.name, name);
  if (role != NULL)
    replace_string (&station->info.role, role);
  replace_string (&station->info.address, address);
  replace_string (&station->info.transport, transport);
  station->info.last_seen = now;
  stations_changed (self);
  return station;
}

static void
station_maybe_disconnected (TrHost *self, Station *station)
{
  if (station->n_websockets > 0 || station->n_polls > 0 || !station->info.connected)
    return;
  /* A polling station is between polls most of the time; it counts as
   * gone only once it has been silent for the heartbeat timeout (the
   * periodic check handles that). */
  if (g_strcmp0 (station->info.transport, "polling") == 0
      && tr_now_ms () - station->info.last_seen < (gint64)self->heartbeat_timeout)
    return;
  station->info.connected = FALSE;
  stations_changed (self);
}

static guint
count_connected_stations (TrHost *self)
{
  GHashTableIter iter;
  Station *station;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    if (station->info.connected)
      n++;
  return n;
}

/* ---- Connections ---- */

static Connection *
connection_ref (Connection *conn)
{
  g_ref_count_inc (&conn->ref);
  return conn;
}

static void
connection_unref (Connection *conn)
{
  if (!g_ref_count_dec (&conn->ref))
    return;
  g_queue_clear_full (&conn->throttled, pending_op_free);
  g_signal_handlers_disconnect_by_data (conn->ws, conn);
  g_clear_object (&conn->ws);
  g_free (conn->address);
  g_free (conn->station_id);
  g_free (conn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Connection, connection_unref)

static gboolean
connection_is_open (Connection *conn)
{
  return !conn->closing
         && soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
connection_send (Connection *conn, const char *text)
{
  /* libsoup criticizes a send on a connection that is not OPEN. */
  if (connection_is_open (conn))
    soup_websocket_connection_send_text (conn->ws, text);
}

/* Takes the connection out of its station and out of n-stations; once. */
static void
connection_uncount (TrHost *self, Connection *conn)
{
  Station *station;

  if (!conn->counted)
    return;
  conn->counted = FALSE;
  station = g_hash_table_lookup (self->stations, conn->station_id);
  if (station != NULL)
    {
      g_assert (station->n_websockets > 0);
      station->n_websockets--;
      station->info.last_seen = tr_now_ms ();
      station_maybe_disconnected (self, station);
    }
  g_assert (self->n_stations > 0);
  self->n_stations--;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STATIONS]);
}

/* Closes with @code unless already closing. @reason goes into the close
 * frame, which holds at most 123 bytes: keep it short. */
static void
connection_close (Connection *conn, gushort code, const char *reason)
{
  gboolean was_open = connection_is_open (conn);

  g_assert (strlen (reason) <= 123);

  if (conn->closing)
    return;
  conn->closing = TRUE;
  /* Ops held back by the rate limit were never acked; the station
   * still has them in its outbox. */
  g_queue_clear_full (&conn->throttled, pending_op_free);
  if (conn->host != NULL)
    connection_uncount (conn->host, conn);
  if (was_open)
    soup_websocket_connection_close (conn->ws, code, reason);
}

static void
connection_fail (Connection *conn, const char *code, const char *message, gushort close_code,
                 const char *reason)
{
  g_autofree char *frame = tr_frame_build_error (code, message);

  g_debug ("closing %s (%s) with %u: %s", conn->address,
           conn->station_id ? conn->station_id : "before hello", close_code, message);
  connection_send (conn, frame);
  connection_close (conn, close_code, reason);
}

static void
connection_protocol_error (Connection *conn, const char *message)
{
  connection_fail (conn, tr_error_code_to_string (TR_ERROR_PROTOCOL), message, TR_CLOSE_PROTOCOL,
                   "protocol error");
}

/* ---- Secrets, tokens and limits ---- */

/* GRand is no CSPRNG: codes and tokens come from the kernel's. */
static gboolean
random_bytes (guint8 *buffer, gsize length, GError **error)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot read secure random numbers: %s", g_strerror (saved_errno));
          return FALSE;
        }
      done += (gsize)n;
    }
  return TRUE;
}

static char *
new_token (GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  GString *hex;

  if (!random_bytes (bytes, sizeof bytes, error))
    return NULL;
  hex = g_string_sized_new (2 * TOKEN_BYTES);
  for (guint i = 0; i < TOKEN_BYTES; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  memset (bytes, 0, sizeof bytes);
  return g_string_free (hex, FALSE);
}

char *
tr_host_create_pairing_code (TrStore *store, gint64 *out_expires_at, GError **error)
{
  /* The largest multiple of 10^6 that fits in 32 bits: drawing below it
   * keeps every code equally likely. */
  const guint32 limit = 4294000000u;
  guint32 value;
  gint64 now = tr_now_ms ();
  g_autofree char *code = NULL;

  g_return_val_if_fail (TR_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  do
    if (!random_bytes ((guint8 *)&value, sizeof value, error))
      return NULL;
  while (value >= limit);
  code = g_strdup_printf ("%06u", value % 1000000u);
  if (!tr_store_add_pairing_code (store, code, now, now + PAIRING_CODE_LIFETIME_MS, error))
    return NULL;
  if (out_expires_at != NULL)
    *out_expires_at = now + PAIRING_CODE_LIFETIME_MS;
  return g_steal_pointer (&code);
}

char *
tr_tls_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize length = sizeof digest;
  GString *text;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &length);
  text = g_string_sized_new (3 * length);
  for (gsize i = 0; i < length; i++)
    g_string_append_printf (text, "%s%02X", i > 0 ? ":" : "", digest[i]);
  return g_string_free (text, FALSE);
}

typedef enum
{
  AUTH_OK,
  AUTH_MISSING,
  AUTH_UNKNOWN,
  AUTH_REVOKED,
  AUTH_FAILED, /* the store failed */
} AuthResult;

/* Looks @token up; on AUTH_OK *@out_station_id is the station it was
 * issued to. */
static AuthResult
check_token (TrHost *self, const char *token, char **out_station_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrPairedStation) paired = NULL;
  g_autofree char *hash = NULL;

  if (token == NULL || *token == '\0')
    return AUTH_MISSING;
  /* Ours are 64 characters; anything much longer is not one. */
  if (strlen (token) > 256)
    return AUTH_UNKNOWN;
  hash = tr_token_hash (token);
  paired = tr_store_lookup_token (self->store, hash, &error);
  if (error != NULL)
    {
      g_warning ("Checking a station token failed: %s", error->message);
      return AUTH_FAILED;
    }
  if (paired == NULL)
    return AUTH_UNKNOWN;
  if (paired->revoked_at != 0)
    return AUTH_REVOKED;
  {
    gint64 *now = g_new (gint64, 1);

    /* Written in batches by maintenance_cb(): a write per request would
     * cost an fsync each. */
    *now = tr_now_ms ();
    g_hash_table_insert (self->seen, g_strdup (paired->station_id), now);
  }
  *out_station_id = g_strdup (paired->station_id);
  return AUTH_OK;
}

static const char *
auth_reason (AuthResult result)
{
  switch (result)
    {
      case AUTH_MISSING:
        return "missing";
      case AUTH_UNKNOWN:
        return "unknown";
      case AUTH_REVOKED:
        return "revoked";
      case AUTH_OK:
      case AUTH_FAILED:
      default:
        return "failed";
    }
}

static const char *
auth_message (AuthResult result)
{
  switch (result)
    {
      case AUTH_MISSING:
        return "this station is not paired: pair it with a code from the host";
      case AUTH_UNKNOWN:
        return "this host does not know this station's token: pair it again";
      case AUTH_REVOKED:
        return "this station's pairing was revoked on the host: pair it again";
      case AUTH_OK:
      case AUTH_FAILED:
      default:
        return "the host could not check the token";
    }
}

static void
write_seen (TrHost *self)
{
  g_autoptr (GError) error = NULL;

  if (g_hash_table_size (self->seen) == 0)
    return;
  if (!tr_store_touch_stations (self->store, self->seen, &error))
    g_warning ("Recording when stations were last seen failed: %s", error->message);
  g_hash_table_remove_all (self->seen);
}

/* Takes @n tokens from @key's bucket; FALSE (taking none) when it holds
 * fewer, with *@out_wait_ms until it would hold @n. */
static gboolean
bucket_take (TrHost *self, const char *key, guint n, gint64 *out_wait_ms)
{
  Bucket *bucket;
  gint64 now = monotonic_ms ();

  if (self->ops_rate == 0)
    return TRUE;
  bucket = g_hash_table_lookup (self->buckets, key);
  if (bucket == NULL)
    {
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = self->ops_burst;
      bucket->updated_at = now;
      g_hash_table_insert (self->buckets, g_strdup (key), bucket);
    }
  bucket->tokens = MIN ((double)self->ops_burst,
                        bucket->tokens + (double)(now - bucket->updated_at) * self->ops_rate / 1000.0);
  bucket->updated_at = now;
  if (bucket->tokens >= n)
    {
      bucket->tokens -= n;
      return TRUE;
    }
  if (out_wait_ms != NULL)
    *out_wait_ms = (gint64)((n - bucket->tokens) * 1000.0 / self->ops_rate) + 1;
  return FALSE;
}

/* ---- Catch-up ---- */

static gboolean
needs_snapshot (TrHost *self, gint64 since, const char *since_op, const char *host_id, gint64 head,
                gint64 tail)
{
  g_autofree char *op_id = NULL;

  if (since == 0)
    return TRUE;
  if (host_id != NULL && *host_id != '\0'
      && g_strcmp0 (host_id, tr_store_get_db_id (self->store)) != 0)
    return TRUE;
  /* since + 1 must still be in the log. */
  if (since < tail - 1)
    return TRUE;
  /* Ahead of us: it followed a host that had more, e.g. a restored backup. */
  if (since > head)
    return TRUE;
  /* Our event @since came from another op: a restored backup that went
   * on differently reuses seqs (issue 18, 5). Unknown (pruned, or no
   * since_op): the seq is all there is to go by. */
  if (since_op != NULL && *since_op != '\0')
    op_id = tr_store_get_event_op_id (self->store, since, NULL);
  return op_id != NULL && g_strcmp0 (op_id, since_op) != 0;
}

static GPtrArray *
snapshot_tickets (TrHost *self, gint64 *out_seq, GError **error)
{
  g_autoptr (GPtrArray) all = tr_store_list_tickets (self->store, FALSE, out_seq, error);
  g_autoptr (GPtrArray) kept = NULL;
  gint64 horizon = tr_now_ms () - SNAPSHOT_CLOSED_WINDOW_MS;

  if (all == NULL)
    return NULL;
  /* Moved over one by one, keeping the store's oldest-first order. */
  kept = g_ptr_array_new_full (all->len, (GDestroyNotify)tr_ticket_free);
  g_ptr_array_set_free_func (all, NULL);
  for (guint i = 0; i < all->len; i++)
    {
      TrTicket *ticket = g_ptr_array_index (all, i);

      if (tr_ticket_is_open (ticket) || ticket->updated_at >= horizon)
        g_ptr_array_add (kept, ticket);
      else
        tr_ticket_free (ticket);
    }
  return g_steal_pointer (&kept);
}

/* Events never change once committed, so a seq names its JSON for as
 * long as this host has its store. */
static const char *
event_cache_lookup (TrHost *self, gint64 seq)
{
  guint slot = (guint)(seq % EVENT_CACHE_SLOTS);

  return self->event_cache[slot].seq == seq ? self->event_cache[slot].json : NULL;
}

static void
event_cache_insert (TrHost *self, gint64 seq, const char *json)
{
  guint slot = (guint)(seq % EVENT_CACHE_SLOTS);
  gsize length = strlen (json);

  if (self->event_cache[slot].json != NULL)
    {
      self->event_cache_bytes -= strlen (self->event_cache[slot].json);
      g_clear_pointer (&self->event_cache[slot].json, g_free);
      self->event_cache[slot].seq = 0;
    }
  if (self->event_cache_bytes + length > EVENT_CACHE_MAX_BYTES)
    return;
  self->event_cache[slot].seq = seq;
  self->event_cache[slot].json = g_strndup (json, length);
  self->event_cache_bytes += length;
}

static void
event_cache_clear (TrHost *self)
{
  for (guint i = 0; i < EVENT_CACHE_SLOTS; i++)
    {
      g_clear_pointer (&self->event_cache[i].json, g_free);
      self->event_cache[i].seq = 0;
    }
  self->event_cache_bytes = 0;
}

/* Splits @json (event JSON) into events frames within the frame limits
 * and calls @send for each. */
typedef void (*FrameFunc) (const char *frame, gint64 first_seq, gint64 last_seq,
                           gpointer user_data);

static void
build_event_frames (GPtrArray *json, GArray *seqs, FrameFunc func, gpointer user_data)
{
  guint start = 0;

  while (start < json->len)
    {
      g_autoptr (GPtrArray) chunk = g_ptr_array_new ();
      g_autofree char *frame = NULL;
      gsize bytes = 0;
      guint end = start;

      while (end < json->len && chunk->len < EVENTS_PER_FRAME
             && (chunk->len == 0 || bytes < EVENTS_FRAME_SOFT_BYTES))
        {
          const char *event = g_ptr_array_index (json, end);

          g_ptr_array_add (chunk, (gpointer)event);
          bytes += strlen (event);
          end++;
        }
      frame = tr_frame_build_events_from_json (chunk);
      func (frame, g_array_index (seqs, gint64, start), g_array_index (seqs, gint64, end - 1),
            user_data);
      start = end;
    }
}

static void
send_catch_up_frame (const char *frame, gint64 first_seq, gint64 last_seq, gpointer user_data)
{
  Connection *conn = user_data;

  connection_send (conn, frame);
  conn->sent_seq = last_seq;
}

/* Sends since+1 … head (or a snapshot) right after the welcome; all in
 * this one main-loop callback, so no live frame can slip in between. */
static gboolean
catch_up (TrHost *self, Connection *conn, gint64 since, const char *since_op, const char *host_id,
          gint64 head, GError **error)
{
  gint64 tail = tr_store_get_tail_seq (self->store);

  if (needs_snapshot (self, since, since_op, host_id, head, tail))
    {
      gint64 seq = 0;
      g_autoptr (GPtrArray) tickets = snapshot_tickets (self, &seq, error);
      g_autofree char *frame = NULL;

      if (tickets == NULL)
        return FALSE;
      frame = tr_frame_build_snapshot (seq, tickets);
      connection_send (conn, frame);
      conn->sent_seq = seq;
      return TRUE;
    }

  /* since == head: nothing is missing and nothing beyond the welcome is
   * sent (docs/protocol.md). */
  conn->sent_seq = since;
  while (conn->sent_seq < head)
    {
      g_autoptr (GPtrArray) json = g_ptr_array_new ();       /* borrowed from the cache or owned */
      g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
      const char *cached;

      for (gint64 seq = conn->sent_seq + 1;
           seq <= head && json->len < EVENTS_PER_FRAME && (cached = event_cache_lookup (self, seq));
           seq++)
        {
          g_ptr_array_add (json, (gpointer)cached);
          g_array_append_val (seqs, seq);
        }
      if (json->len == 0)
        {
          g_autoptr (GPtrArray) events
            = tr_store_read_events (self->store, conn->sent_seq, EVENTS_PER_FRAME, error);

          if (events == NULL)
            return FALSE;
          if (events->len == 0)
            break;
          for (guint i = 0; i < events->len; i++)
            {
              const TrEvent *event = g_ptr_array_index (events, i);
              char *text = tr_event_to_string (event);

              event_cache_insert (self, event->seq, text);
              g_ptr_array_add (owned, text);
              g_ptr_array_add (json, text);
              g_array_append_val (seqs, event->seq);
            }
        }
      build_event_frames (json, seqs, send_catch_up_frame, conn);
      if (!connection_is_open (conn))
        break;
    }
  return TRUE;
}

/* ---- WebSocket frames ---- */

static void
handle_hello (TrHost *self, Connection *conn, TrFrame *frame)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *welcome = NULL;
  Station *station;
  gint64 head;

  if (conn->hello_done)
    {
      connection_protocol_error (conn, "second hello on one connection");
      return;
    }
  if (frame->protocol != TR_PROTOCOL_VERSION)
    {
      g_autofree char *message
        = g_strdup_printf ("unsupported protocol version %d; this host speaks %d", frame->protocol,
                           TR_PROTOCOL_VERSION);

      connection_fail (conn, tr_error_code_to_string (TR_ERROR_PROTOCOL), message, TR_CLOSE_VERSION,
                       "unsupported protocol version");
      return;
    }

  if (self->require_pairing)
    {
      g_autofree char *paired_id = NULL;
      AuthResult result = check_token (self, frame->token, &paired_id);
      const char *code = tr_error_code_to_string (TR_ERROR_UNAUTHORIZED);

      switch (result)
        {
          case AUTH_OK:
            break;
          case AUTH_REVOKED:
            connection_fail (conn, code, auth_message (result), TR_CLOSE_REVOKED, "revoked");
            return;
          case AUTH_FAILED:
            connection_fail (conn, tr_error_code_to_string (TR_ERROR_STORE), auth_message (result),
                             1011, "host store failure");
            return;
          case AUTH_MISSING:
          case AUTH_UNKNOWN:
          default:
            connection_fail (conn, code, auth_message (result), TR_CLOSE_UNAUTHORIZED,
                             result == AUTH_MISSING ? "not paired" : "unknown token");
            return;
        }
      /* A token speaks for the station it was issued to, so one paired
       * station cannot pass itself off as another in the monitor. */
      if (g_strcmp0 (paired_id, frame->station_id) != 0)
        {
          connection_fail (conn, code, "this token was issued to another station",
                           TR_CLOSE_UNAUTHORIZED, "token of another station");
          return;
        }
    }

  /* Whatever is pending goes out first, so that the catch-up below ends
   * exactly where live frames begin. */
  flush_now (self);
  if (!connection_is_open (conn))
    return;

  head = tr_store_get_head_seq (self->store);
  welcome = tr_frame_build_welcome (tr_store_get_db_id (self->store), head, tr_now_ms ());
  connection_send (conn, welcome);

  if (!catch_up (self, conn, frame->since, frame->since_op, frame->host_id, head, &error))
    {
      g_warning ("Catch-up for station %s failed: %s", frame->station_id, error->message);
      connection_fail (conn, tr_error_code_to_string (TR_ERROR_STORE), error->message, 1011,
                       "host store failure");
      return;
    }

  conn->hello_done = TRUE;
  conn->caught_up_seq = head;
  conn->station_id = g_strdup (frame->station_id);
  station = station_connect (self, frame->station_id, frame->station_name, frame->station_role,
                             conn->address, "websocket");
  station->n_websockets++;
  station->info.last_seq = frame->since;
  conn->counted = TRUE;
  self->n_stations++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STATIONS]);
}

static void
enqueue_op (TrHost *self, TrOp *op, TrOutcome *invalid, Connection *conn, HttpRequest *request)
{
  PendingOp *pending = g_new0 (PendingOp, 1);

  pending->op = op;
  pending->invalid = invalid;
  pending->conn = conn ? connection_ref (conn) : NULL;
  pending->request = request;
  g_ptr_array_add (self->pending_ops, pending);
  schedule_flush (self);
}

static gboolean
throttle_cb (gpointer user_data);

static void
schedule_throttle (TrHost *self)
{
  if (self->throttle_id == 0)
    self->throttle_id = g_timeout_add (MAX (1u, 1000 / MAX (1u, self->ops_rate)), throttle_cb, self);
}

/* An op (or an invalid op's rejection) from a station's WebSocket: at
 * once while its bucket has tokens, else queued behind the ones already
 * waiting, so acks keep the order of the frames. A station whose queue
 * overflows is flooding: it is closed with 4429, and what it sent but
 * was not acked stays in its outbox for later. */
static void
connection_submit (TrHost *self, Connection *conn, TrOp *op, TrOutcome *invalid)
{
  PendingOp *pending;

  if (conn->closing)
    {
      g_clear_pointer (&op, tr_op_free);
      g_clear_pointer (&invalid, tr_outcome_free);
      return;
    }
  if (conn->throttled.length == 0 && bucket_take (self, conn->station_id, 1, NULL))
    {
      enqueue_op (self, op, invalid, conn, NULL);
      return;
    }
  if (conn->throttled.length >= self->ops_queue)
    {
      g_autofree char *message = g_strdup_printf (
        "more than %u ops waiting at %u ops/s; send fewer, or wait for the acks", self->ops_queue,
        self->ops_rate);

      g_clear_pointer (&op, tr_op_free);
      g_clear_pointer (&invalid, tr_outcome_free);
      connection_fail (conn, tr_error_code_to_string (TR_ERROR_LIMIT), message,
                       TR_CLOSE_RATE_LIMITED, "rate limited");
      return;
    }
  pending = g_new0 (PendingOp, 1);
  pending->op = op;
  pending->invalid = invalid;
  g_queue_push_tail (&conn->throttled, pending);
  schedule_throttle (self);
}

static gboolean
throttle_cb (gpointer user_data)
{
  TrHost *self = user_data;
  gboolean waiting = FALSE;

  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *conn = g_ptr_array_index (self->connections, i);

      while (conn->throttled.length > 0 && bucket_take (self, conn->station_id, 1, NULL))
        {
          PendingOp *pending = g_queue_pop_head (&conn->throttled);

          enqueue_op (self, g_steal_pointer (&pending->op), g_steal_pointer (&pending->invalid),
                      conn, NULL);
          pending_op_free (pending);
        }
      if (conn->throttled.length > 0)
        waiting = TRUE;
    }
  if (waiting)
    return G_SOURCE_CONTINUE;
  self->throttle_id = 0;
  return G_SOURCE_REMOVE;
}

static void
pending_op_free (gpointer data)
{
  PendingOp *pending = data;

  g_clear_pointer (&pending->op, tr_op_free);
  g_clear_pointer (&pending->invalid, tr_outcome_free);
  g_clear_pointer (&pending->conn, connection_unref);
  g_free (pending);
}

static TrOutcome *
invalid_outcome_new (const char *op_id, const char *message)
{
  TrOutcome *outcome = g_new0 (TrOutcome, 1);

  outcome->op_id = g_strdup (op_id);
  outcome->result = TR_APPLY_REJECTED;
  outcome->original = TR_APPLY_REJECTED;
  outcome->error_code = g_strdup (tr_error_code_to_string (TR_ERROR_INVALID));
  outcome->error_message = g_strdup (message);
  return outcome;
}

/* An op or ops frame that parsed as JSON but holds an op the codec
 * refuses: each good op still goes through, each bad one is acked as
 * rejected ("invalid") when its op_id can be read, or answered with an
 * error frame when not. Nothing here closes the connection. */
static void
handle_invalid_ops (TrHost *self, Connection *conn, const char *data, gsize length,
                    const GError *parse_error)
{
  g_autoptr (JsonNode) root = tr_json_parse (data, (gssize)length, NULL);
  JsonObject *object;
  const char *type;
  g_autoptr (GPtrArray) elements = g_ptr_array_new ();
  const char *prefix;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      connection_protocol_error (conn, parse_error->message);
      return;
    }
  object = json_node_get_object (root);
  type = json_object_get_string_member_with_default (object, "type", "");
  if (g_str_equal (type, "op") && json_object_has_member (object, "op"))
    {
      g_ptr_array_add (elements, json_object_get_member (object, "op"));
      prefix = "op";
    }
  else if (g_str_equal (type, "ops") && json_object_get_array_member (object, "ops") != NULL)
    {
      JsonArray *array = json_object_get_array_member (object, "ops");

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (elements, json_array_get_element (array, i));
      prefix = "ops";
    }
  else
    {
      /* events, snapshot, ...: nothing a station may send. */
      connection_protocol_error (conn, parse_error->message);
      return;
    }

  if (!conn->hello_done)
    {
      connection_protocol_error (conn, "op before hello");
      return;
    }

  for (guint i = 0; i < elements->len; i++)
    {
      JsonNode *node = g_ptr_array_index (elements, i);
      g_autoptr (GError) error = NULL;
      g_autofree char *path
        = g_str_equal (prefix, "op") ? g_strdup ("op") : g_strdup_printf ("ops[%u]", i);
      g_autofree char *message = NULL;
      const char *op_id = NULL;
      TrOp *op = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node) && (op = tr_op_from_json (node, &error)) != NULL)
        {
          connection_submit (self, conn, op, NULL);
          continue;
        }

      /* The codec's messages start with the member's path inside the op. */
      if (error != NULL)
        message = g_strdup_printf ("%s.%s", path, error->message);
      else
        message = g_strdup_printf ("%s: must be an object", path);
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonNode *id_node = json_object_get_member (json_node_get_object (node), "op_id");

          if (id_node != NULL && JSON_NODE_HOLDS_VALUE (id_node)
              && json_node_get_value_type (id_node) == G_TYPE_STRING
              && *json_node_get_string (id_node) != '\0'
              && strlen (json_node_get_string (id_node)) <= MAX_ID_BYTES)
            op_id = json_node_get_string (id_node);
        }
      if (op_id != NULL)
        connection_submit (self, conn, NULL, invalid_outcome_new (op_id, message));
      else
        {
          g_autofree char *frame
            = tr_frame_build_error (tr_error_code_to_string (TR_ERROR_INVALID), message);

          connection_send (conn, frame);
        }
    }
}

static void
handle_ping (TrHost *self, Connection *conn, TrFrame *frame)
{
  g_autofree char *pong = tr_frame_build_pong (frame->t);
  Station *station;
  gint64 head;

  connection_send (conn, pong);
  if (!conn->hello_done)
    return;

  station = g_hash_table_lookup (self->stations, conn->station_id);
  if (station != NULL)
    {
      station->info.last_seen = tr_now_ms ();
      station->info.queued_ops = frame->queued;
      if (frame->latency_ms >= 0)
        station->info.latency_ms = frame->latency_ms;
      if (frame->last_seq >= 0)
        station->info.last_seq = frame->last_seq;
      /* Pings are frequent; the periodic check emits these changes. */
      self->stations_dirty = TRUE;
    }

  /* libsoup's send queue has no bound: a station that applies events
   * slower than they come would make it grow for ever. Cut it loose; it
   * comes back with a resume or a snapshot. */
  /* The catch-up backlog is not lag: it went out in one go, and a slow
   * station working through it would otherwise be cut loose, reconnect,
   * get the same backlog and never arrive. Only live events count. */
  head = tr_store_get_head_seq (self->store);
  if (frame->last_seq >= 0 &&
      head - MAX (frame->last_seq, conn->caught_up_seq) > (gint64)self->max_lag_events)
    {
      g_autofree char *message
        = g_strdup_printf ("%" G_GINT64_FORMAT " events behind (limit %u); reconnect to catch up",
                           head - MAX (frame->last_seq, conn->caught_up_seq),
                           self->max_lag_events);

      connection_fail (conn, tr_error_code_to_string (TR_ERROR_LIMIT), message, TR_CLOSE_TOO_SLOW,
                       "too far behind");
    }
}

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  g_autoptr (Connection) conn = connection_ref (user_data);
  TrHost *self = conn->host;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) frame = NULL;
  const char *data;
  gsize length;

  if (self == NULL || conn->closing)
    return;
  conn->last_frame_at = monotonic_ms ();

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      connection_fail (conn, tr_error_code_to_string (TR_ERROR_PROTOCOL),
                       "binary frames are not supported; send JSON text", TR_CLOSE_UNSUPPORTED,
                       "binary frames are not supported");
      return;
    }

  data = g_bytes_get_data (message, &length);
  if (length > TR_MAX_FRAME_BYTES)
    {
      g_autofree char *text = g_strdup_printf (
        "frame of %" G_GSIZE_FORMAT " bytes; the limit is %d", length, TR_MAX_FRAME_BYTES);

      connection_fail (conn, tr_error_code_to_string (TR_ERROR_LIMIT), text, TR_CLOSE_TOO_BIG,
                       "frame too big");
      return;
    }
  frame = tr_frame_parse (data, length, &error);
  if (frame == NULL)
    {
      if (g_error_matches (error, TR_ERROR, TR_ERROR_INVALID))
        handle_invalid_ops (self, conn, data, length, error);
      else
        connection_protocol_error (conn, error->message);
      return;
    }

  switch (frame->type)
    {
      case TR_FRAME_HELLO:
        handle_hello (self, conn, frame);
        break;

      case TR_FRAME_OP:
      case TR_FRAME_OPS:
        if (!conn->hello_done)
          {
            connection_protocol_error (conn, "op before hello");
            break;
          }
        while (frame->ops->len > 0)
          connection_submit (self, conn, g_ptr_array_steal_index (frame->ops, 0), NULL);
        break;

      case TR_FRAME_PING:
        handle_ping (self, conn, frame);
        break;

      case TR_FRAME_WELCOME:
      case TR_FRAME_EVENTS:
      case TR_FRAME_SNAPSHOT:
      case TR_FRAME_ACK:
      case TR_FRAME_PONG:
      case TR_FRAME_ERROR:
      case TR_N_FRAME_TYPES:
      default:
        {
          g_autofree char *text = g_strdup_printf ("a station may not send \"%s\" frames",
                                                   tr_frame_type_to_string (frame->type));

          connection_protocol_error (conn, text);
        }
        break;
    }
}

static void
on_ws_error (SoupWebsocketConnection *ws, GError *error, gpointer user_data)
{
  Connection *conn = user_data;

  g_debug ("connection from %s: %s", conn->address, error->message);
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  Connection *conn = user_data;
  TrHost *self = conn->host;

  g_debug ("connection from %s closed (code %u)", conn->address,
           soup_websocket_connection_get_close_code (ws));
  conn->closing = TRUE;
  g_queue_clear_full (&conn->throttled, pending_op_free);
  if (self == NULL)
    return;
  connection_uncount (self, conn);
  /* Drops the array's reference, which may free @conn. */
  g_ptr_array_remove_fast (self->connections, conn);
}

static void
on_websocket (SoupServer *server, SoupServerMessage *msg, const char *path,
              SoupWebsocketConnection *ws, gpointer user_data)
{
  TrHost *self = user_data;
  Connection *conn = g_new0 (Connection, 1);

  g_ref_count_init (&conn->ref);
  conn->host = self;
  /* The server drops its reference when this callback returns. */
  conn->ws = g_object_ref (ws);
  conn->address = g_strdup (soup_server_message_get_remote_host (msg));
  conn->opened_at = conn->last_frame_at = monotonic_ms ();

  /* libsoup 3.2 answers a frame over this size by dropping the TCP
   * connection without a close frame, so the station would never learn
   * why. It is only the hard backstop; frames over TR_MAX_FRAME_BYTES but
   * under it get an error frame and a proper 1009 in on_ws_message().
   * The station heartbeat (ping frames) replaces libsoup's keepalive,
   * which has no pong timeout in 3.2. */
  soup_websocket_connection_set_max_incoming_payload_size (ws, HARD_FRAME_LIMIT);
  soup_websocket_connection_set_keepalive_interval (ws, 0);

  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), conn);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), conn);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), conn);
  g_ptr_array_add (self->connections, conn);
}

/* ---- Flush: group commit, fan-out, acks ---- */

static void
queue_event (TrHost *self, const TrEvent *event)
{
  char *json = tr_event_to_string (event);

  event_cache_insert (self, event->seq, json);
  g_ptr_array_add (self->pending_events, json);
  g_array_append_val (self->pending_seqs, event->seq);
}

typedef struct
{
  TrHost *self;
  guint n_sent;
} FanOut;

static void
fan_out_frame (const char *frame, gint64 first_seq, gint64 last_seq, gpointer user_data)
{
  FanOut *fan_out = user_data;
  TrHost *self = fan_out->self;

  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *conn = g_ptr_array_index (self->connections, i);

      /* A station that said hello after these events were committed got
       * them in its catch-up already. */
      if (!conn->hello_done || conn->sent_seq >= last_seq || !connection_is_open (conn))
        continue;
      connection_send (conn, frame);
      conn->sent_seq = last_seq;
      fan_out->n_sent++;
    }
}

static void
poll_answer (TrHost *self, Poll *poll);

static void
fan_out_pending_events (TrHost *self)
{
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GArray) seqs = NULL;
  FanOut fan_out = { self, 0 };
  gint64 head;

  if (self->pending_events->len == 0)
    return;
  events = g_steal_pointer (&self->pending_events);
  seqs = g_steal_pointer (&self->pending_seqs);
  self->pending_events = g_ptr_array_new_with_free_func (g_free);
  self->pending_seqs = g_array_new (FALSE, FALSE, sizeof (gint64));

  build_event_frames (events, seqs, fan_out_frame, &fan_out);

  head = g_array_index (seqs, gint64, seqs->len - 1);
  for (guint i = self->polls->len; i > 0; i--)
    {
      Poll *poll = g_ptr_array_index (self->polls, i - 1);

      if (poll->since < head)
        poll_answer (self, poll);
    }
}

static void
respond_json_take (SoupServerMessage *msg, guint status, char *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
respond_error (SoupServerMessage *msg, guint status, const char *code, const char *message)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (root, "error", error);
  json_node_take_object (node, root);
  respond_json_take (msg, status, tr_json_to_string (node));
}

/* Cross-site WebSocket hijacking and drive-by requests: a browser names
 * the page's origin, which must be this host as the browser addressed
 * it (scheme://Host). Native stations send no Origin. */
static gboolean
origin_is_foreign (TrHost *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  const char *host = soup_message_headers_get_one (headers, "Host");
  const char *scheme = self->tls_certificate != NULL ? "https" : "http";
  g_autoptr (GUri) origin_uri = NULL;
  g_autoptr (GUri) host_uri = NULL;
  g_autofree char *host_url = NULL;
  int origin_port, host_port;

  if (origin == NULL)
    return FALSE;
  if (host == NULL || strpbrk (host, "/?#@ ") != NULL)
    return TRUE;
  host_url = g_strdup_printf ("%s://%s/", scheme, host);
  origin_uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  host_uri = g_uri_parse (host_url, G_URI_FLAGS_NONE, NULL);
  /* "null" (a sandboxed or file: page) does not parse. */
  if (origin_uri == NULL || host_uri == NULL || g_uri_get_host (origin_uri) == NULL
      || g_uri_get_host (host_uri) == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (origin_uri), scheme) != 0
      || g_ascii_strcasecmp (g_uri_get_host (origin_uri), g_uri_get_host (host_uri)) != 0)
    return TRUE;
  origin_port = g_uri_get_port (origin_uri);
  host_port = g_uri_get_port (host_uri);
  if (origin_port < 0)
    origin_port = g_str_equal (scheme, "https") ? 443 : 80;
  if (host_port < 0)
    host_port = g_str_equal (scheme, "https") ? 443 : 80;
  return origin_port != host_port;
}

/* 401 with the reason a station shows: "missing", "unknown", "revoked". */
static void
respond_unauthorized (SoupServerMessage *msg, AuthResult result)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  if (result == AUTH_FAILED)
    {
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                     tr_error_code_to_string (TR_ERROR_STORE), auth_message (result));
      return;
    }
  json_object_set_string_member (error, "code", tr_error_code_to_string (TR_ERROR_UNAUTHORIZED));
  json_object_set_string_member (error, "message", auth_message (result));
  json_object_set_string_member (error, "reason", auth_reason (result));
  json_object_set_object_member (root, "error", error);
  json_node_take_object (node, root);
  respond_json_take (msg, SOUP_STATUS_UNAUTHORIZED, tr_json_to_string (node));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"ticketrail\"");
}

/* Checks "Authorization: Bearer TOKEN". TRUE when the request may go
 * on; *@out_station_id is then the paired station (NULL when the host
 * does not require pairing). FALSE: the 401 is set. */
static gboolean
authorize_request (TrHost *self, SoupServerMessage *msg, char **out_station_id)
{
  const char *header;
  g_autofree char *token = NULL;
  AuthResult result;

  *out_station_id = NULL;
  if (!self->require_pairing)
    return TRUE;
  header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                         "Authorization");
  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    token = g_strstrip (g_strdup (header + 7));
  result = check_token (self, token, out_station_id);
  if (result == AUTH_OK)
    return TRUE;
  respond_unauthorized (msg, result);
  return FALSE;
}

static void
request_answer (TrHost *self, HttpRequest *request);

static void
flush_now (TrHost *self)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) requests = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) acks = NULL; /* Connection*, char* pairs */
  guint k = 0;

  g_clear_handle_id (&self->flush_id, g_source_remove);

  pending = g_steal_pointer (&self->pending_ops);
  requests = g_steal_pointer (&self->pending_requests);
  self->pending_ops = g_ptr_array_new_with_free_func (pending_op_free);
  self->pending_requests = g_ptr_array_new ();

  ops = g_ptr_array_new ();
  for (guint i = 0; i < pending->len; i++)
    {
      PendingOp *p = g_ptr_array_index (pending, i);

      if (p->op != NULL)
        g_ptr_array_add (ops, p->op);
    }

  if (ops->len > 0)
    outcomes = tr_store_apply_ops (self->store, ops, &error);
  else
    outcomes = g_ptr_array_new ();

  if (outcomes == NULL)
    {
      /* Nothing was written: ack nothing. The stations still hold the ops
       * in their outboxes and resend them on reconnect. */
      g_warning ("Applying %u ops failed: %s", ops->len, error->message);
      for (guint i = 0; i < pending->len; i++)
        {
          PendingOp *p = g_ptr_array_index (pending, i);

          if (p->conn != NULL)
            connection_close (p->conn, 1011, "host store failure");
          if (p->request != NULL && p->request->store_error == NULL)
            p->request->store_error = g_strdup (error->message);
        }
    }
  else
    {
      acks = g_ptr_array_new ();
      for (guint i = 0; i < pending->len; i++)
        {
          PendingOp *p = g_ptr_array_index (pending, i);
          TrOutcome *outcome = p->op != NULL ? g_ptr_array_index (outcomes, k++) : p->invalid;

          if (outcome->result == TR_APPLY_APPLIED && outcome->event != NULL)
            queue_event (self, outcome->event);
          if (p->conn != NULL && connection_is_open (p->conn))
            {
              g_ptr_array_add (acks, connection_ref (p->conn));
              g_ptr_array_add (acks, tr_frame_build_ack (outcome));
            }
          if (p->request != NULL)
            g_ptr_array_add (p->request->outcomes, outcome);
        }
    }

  /* Events before acks: a station never sees its op acked before it has
   * seen what the op did. */
  fan_out_pending_events (self);

  for (guint i = 0; acks != NULL && i < acks->len; i += 2)
    {
      Connection *conn = g_ptr_array_index (acks, i);
      char *ack = g_ptr_array_index (acks, i + 1);

      connection_send (conn, ack);
      connection_unref (conn);
      g_free (ack);
    }

  /* The outcomes (borrowed by the requests) are still alive here. */
  for (guint i = 0; i < requests->len; i++)
    request_answer (self, g_ptr_array_index (requests, i));
}

static gboolean
flush_cb (gpointer user_data)
{
  TrHost *self = user_data;

  self->flush_id = 0;
  flush_now (self);
  return G_SOURCE_REMOVE;
}

/* Everything that arrives before the main loop goes idle shares one
 * transaction: durable with synchronous=FULL, at the cost of one fsync. */
static void
schedule_flush (TrHost *self)
{
  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, flush_cb, self, NULL);
}

/* ---- HTTP: helpers ---- */

static gboolean
require_method (SoupServerMessage *msg, const char *allow, ...)
{
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *message = NULL;
  va_list args;
  const char *m;

  va_start (args, allow);
  for (m = allow; m != NULL; m = va_arg (args, const char *))
    if (g_str_equal (method, m))
      {
        va_end (args);
        return TRUE;
      }
  va_end (args);

  message = g_strdup_printf ("method %s not allowed here", method);
  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", message);
  {
    GString *list = g_string_new (NULL);

    va_start (args, allow);
    for (m = allow; m != NULL; m = va_arg (args, const char *))
      g_string_append_printf (list, "%s%s", list->len ? ", " : "", m);
    va_end (args);
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                  list->str);
    g_string_free (list, TRUE);
  }
  return FALSE;
}

/* The exact path, so "/api/v1/health/x" is a 404 rather than health. */
static gboolean
require_exact_path (SoupServerMessage *msg, const char *path, const char *expected)
{
  if (g_str_equal (path, expected))
    return TRUE;
  respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint");
  return FALSE;
}

static JsonNode *
parse_body (SoupServerMessage *msg, GError **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (length == 0)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_INVALID, "body: empty; expected JSON");
      return NULL;
    }
  return tr_json_parse (data, (gssize)length, error);
}

static gboolean
parse_query_int (GHashTable *query, const char *name, gint64 fallback, gint64 *out)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;
  guint64 parsed;

  if (value == NULL || *value == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &parsed, NULL))
    return FALSE;
  *out = (gint64)parsed;
  return TRUE;
}

static const char *
query_string (GHashTable *query, const char *name)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

static void
on_request_finished (SoupServerMessage *msg, gpointer user_data)
{
  HttpRequest *request = user_data;

  request->finished = TRUE;
}

static HttpRequest *
request_new (TrHost *self, SoupServerMessage *msg, RequestKind kind)
{
  HttpRequest *request = g_new0 (HttpRequest, 1);

  request->host = self;
  request->msg = g_object_ref (msg);
  request->kind = kind;
  request->outcomes = g_ptr_array_new ();
  request->finished_id
    = g_signal_connect (msg, "finished", G_CALLBACK (on_request_finished), request);
  g_ptr_array_add (self->pending_requests, request);
  soup_server_message_pause (msg);
  return request;
}

static void
request_free (HttpRequest *request)
{
  g_clear_signal_handler (&request->finished_id, request->msg);
  g_clear_object (&request->msg);
  g_ptr_array_unref (request->outcomes);
  g_free (request->store_error);
  g_free (request);
}

static void
respond_ticket_outcome (TrHost *self, SoupServerMessage *msg, TrOutcome *outcome)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;

  if (outcome->result == TR_APPLY_APPLIED)
    {
      respond_json_take (msg, SOUP_STATUS_CREATED, tr_ticket_to_string (outcome->event->ticket));
      return;
    }

  if (outcome->result == TR_APPLY_DUPLICATE && outcome->original == TR_APPLY_APPLIED)
    {
      /* A retry: answer with the ticket as it is now. Its id comes from
       * the event the first submission made, as the retry may have
       * carried a different one. */
      g_autoptr (GPtrArray) events
        = outcome->seq > 0 ? tr_store_read_events (self->store, outcome->seq - 1, 1, NULL) : NULL;
      TrEvent *event = events && events->len == 1 ? g_ptr_array_index (events, 0) : NULL;

      if (event != NULL && event->seq == outcome->seq && event->ticket != NULL)
        ticket = tr_store_get_ticket (self->store, event->ticket->id, &error);
      if (ticket != NULL)
        respond_json_take (msg, SOUP_STATUS_OK, tr_ticket_to_string (ticket));
      else
        respond_error (msg, SOUP_STATUS_CONFLICT, "duplicate_id",
                       "this op_id was used before for a ticket no longer on the host");
      return;
    }

  /* Rejected now or the first time. */
  respond_error (msg,
                 g_strcmp0 (outcome->error_code, tr_error_code_to_string (TR_ERROR_INVALID)) == 0
                   ? SOUP_STATUS_BAD_REQUEST
                   : SOUP_STATUS_CONFLICT,
                 outcome->error_code ? outcome->error_code : "rejected",
                 outcome->error_message ? outcome->error_message : "rejected");
}

static void
request_answer (TrHost *self, HttpRequest *request)
{
  SoupServerMessage *msg = request->msg;

  if (request->finished)
    {
      request_free (request);
      return;
    }

  if (request->store_error != NULL)
    respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, tr_error_code_to_string (TR_ERROR_STORE),
                   request->store_error);
  else if (request->kind == REQUEST_TICKET)
    {
      g_assert (request->outcomes->len == 1);
      respond_ticket_outcome (self, msg, g_ptr_array_index (request->outcomes, 0));
    }
  else
    {
      GString *body = g_string_new ("{\"acks\":[");

      for (guint i = 0; i < request->outcomes->len; i++)
        {
          g_autofree char *ack = tr_frame_build_ack (g_ptr_array_index (request->outcomes, i));

          if (i > 0)
            g_string_append_c (body, ',');
          g_string_append (body, ack);
        }
      g_string_append (body, "]}");
      respond_json_take (msg, SOUP_STATUS_OK, g_string_free (body, FALSE));
    }
  soup_server_message_unpause (msg);
  request_free (request);
}

/* ---- HTTP: endpoints ---- */

static void
handle_health (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;

  if (!require_exact_path (msg, path, API_PREFIX "/health")
      || !require_method (msg, SOUP_METHOD_GET, SOUP_METHOD_HEAD, NULL))
    return;

  node = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();

  json_object_set_string_member (object, "status", "ok");
  json_object_set_string_member (object, "host_id", tr_store_get_db_id (self->store));
  json_object_set_int_member (object, "head_seq", tr_store_get_head_seq (self->store));
  json_object_set_int_member (object, "stations", count_connected_stations (self));
  json_object_set_string_member (object, "version", PACKAGE_VERSION);
  json_node_take_object (node, object);
  respond_json_take (msg, SOUP_STATUS_OK, tr_json_to_string (node));
}

/* {"type":"snapshot","host_id","seq","tickets"}: the WebSocket snapshot
 * plus the host_id a polling station gets no welcome for. */
static char *
build_http_snapshot (TrHost *self, GError **error)
{
  g_autoptr (GPtrArray) tickets = NULL;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;
  JsonArray *array;
  gint64 seq = 0;

  if (!(tickets = snapshot_tickets (self, &seq, error)))
    return NULL;
  object = json_object_new ();
  json_object_set_string_member (object, "type", "snapshot");
  json_object_set_string_member (object, "host_id", tr_store_get_db_id (self->store));
  json_object_set_int_member (object, "seq", seq);
  array = json_array_sized_new (tickets->len);
  for (guint i = 0; i < tickets->len; i++)
    json_array_add_element (array, tr_ticket_to_json (g_ptr_array_index (tickets, i)));
  json_object_set_array_member (object, "tickets", array);
  json_node_take_object (node, object);
  return tr_json_to_string (node);
}

/* {"type":"events","host_id","head_seq","events":[…]} with at most
 * EVENTS_PER_FRAME events after @since; head_seq tells the station
 * whether to ask again at once. */
static char *
build_http_events (TrHost *self, gint64 since, GError **error)
{
  g_autoptr (GPtrArray) events = tr_store_read_events (self->store, since, EVENTS_PER_FRAME, error);
  g_autoptr (JsonNode) host_id = NULL;
  g_autofree char *host_id_json = NULL;
  GString *body;

  if (events == NULL)
    return NULL;
  host_id = json_node_init_string (json_node_alloc (), tr_store_get_db_id (self->store));
  host_id_json = tr_json_to_string (host_id);
  body = g_string_new ("{\"type\":\"events\",\"host_id\":");
  g_string_append_printf (body, "%s,\"head_seq\":%" G_GINT64_FORMAT ",\"events\":[", host_id_json,
                          tr_store_get_head_seq (self->store));
  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *json = tr_event_to_string (g_ptr_array_index (events, i));

      if (i > 0)
        g_string_append_c (body, ',');
      g_string_append (body, json);
    }
  g_string_append (body, "]}");
  return g_string_free (body, FALSE);
}

static void
poll_free (Poll *poll)
{
  g_clear_handle_id (&poll->timeout_id, g_source_remove);
  g_clear_signal_handler (&poll->finished_id, poll->msg);
  g_clear_object (&poll->msg);
  g_free (poll->station_id);
  g_free (poll);
}

static void
poll_detach (TrHost *self, Poll *poll)
{
  Station *station
    = poll->station_id ? g_hash_table_lookup (self->stations, poll->station_id) : NULL;

  if (station != NULL)
    {
      g_assert (station->n_polls > 0);
      station->n_polls--;
      station->info.last_seen = tr_now_ms ();
      station_maybe_disconnected (self, station);
    }
  g_ptr_array_remove_fast (self->polls, poll);
}

/* Answers with whatever lies after poll->since (maybe nothing) and
 * frees the poll. */
static void
poll_answer (TrHost *self, Poll *poll)
{
  g_autoptr (GError) error = NULL;
  SoupServerMessage *msg = g_object_ref (poll->msg);
  char *body = build_http_events (self, poll->since, &error);

  g_ptr_array_set_free_func (self->polls, NULL);
  poll_detach (self, poll);
  g_ptr_array_set_free_func (self->polls, (GDestroyNotify)poll_free);
  poll_free (poll);

  if (body != NULL)
    respond_json_take (msg, SOUP_STATUS_OK, body);
  else
    respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, tr_error_code_to_string (TR_ERROR_STORE),
                   error->message);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static gboolean
poll_timeout_cb (gpointer user_data)
{
  Poll *poll = user_data;

  poll->timeout_id = 0;
  poll_answer (poll->host, poll);
  return G_SOURCE_REMOVE;
}

static void
on_poll_finished (SoupServerMessage *msg, gpointer user_data)
{
  Poll *poll = user_data;

  /* The client went away while waiting. */
  poll_detach (poll->host, poll);
}

static void
handle_events (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  const char *station_id = query_string (query, "station_id");
  const char *host_id = query_string (query, "host_id");
  g_autofree char *paired_id = NULL;
  gint64 since, wait, head, tail;
  char *body;
  Poll *poll;

  if (!require_exact_path (msg, path, API_PREFIX "/events")
      || !require_method (msg, SOUP_METHOD_GET, NULL)
      || !authorize_request (self, msg, &paired_id))
    return;
  /* A paired station is listed under the id its token was issued to. */
  if (paired_id != NULL)
    station_id = paired_id;
  if (!parse_query_int (query, "since", 0, &since))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     "since: must be a non-negative integer");
      return;
    }
  if (!parse_query_int (query, "wait", 0, &wait))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     "wait: must be a non-negative integer (seconds)");
      return;
    }
  wait = MIN (wait, TR_MAX_LONG_POLL_SECONDS);

  if (station_id != NULL)
    {
      if (strlen (station_id) > MAX_ID_BYTES)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "station_id: too long");
          return;
        }
      station_connect (self, station_id, query_string (query, "name"), query_string (query, "role"),
                       soup_server_message_get_remote_host (msg), "polling");
    }

  /* Ops still pending are committed first, so that what this answer
   * says is the head stays true. */
  flush_now (self);

  head = tr_store_get_head_seq (self->store);
  tail = tr_store_get_tail_seq (self->store);
  if (needs_snapshot (self, since, query_string (query, "since_op"), host_id, head, tail))
    body = build_http_snapshot (self, &error);
  else if (since < head || wait == 0 || !self->running)
    body = build_http_events (self, since, &error);
  else
    {
      poll = g_new0 (Poll, 1);
      poll->host = self;
      poll->msg = g_object_ref (msg);
      poll->since = since;
      poll->station_id = g_strdup (station_id);
      poll->timeout_id = g_timeout_add ((guint)wait * 1000, poll_timeout_cb, poll);
      poll->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_poll_finished), poll);
      g_ptr_array_add (self->polls, poll);
      if (station_id != NULL)
        {
          Station *station = g_hash_table_lookup (self->stations, station_id);

          station->n_polls++;
        }
      soup_server_message_pause (msg);
      return;
    }

  if (body != NULL)
    respond_json_take (msg, SOUP_STATUS_OK, body);
  else
    respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, tr_error_code_to_string (TR_ERROR_STORE),
                   error->message);
}

/* The rate limit for ops that come over HTTP: the whole request fits in
 * the station's bucket or it gets 429 and nothing is applied; the
 * station keeps the ops in its outbox and retries after Retry-After. */
static gboolean
take_http_tokens (TrHost *self, SoupServerMessage *msg, const char *station_id, guint n)
{
  g_autofree char *key = station_id != NULL
                           ? g_strdup (station_id)
                           : g_strconcat ("@", soup_server_message_get_remote_host (msg), NULL);
  g_autofree char *message = NULL;
  g_autofree char *retry = NULL;
  gint64 wait_ms = 0;

  if (n > self->ops_burst && self->ops_rate > 0)
    {
      message = g_strdup_printf ("%u ops in one request; at most %u", n, self->ops_burst);
      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                     tr_error_code_to_string (TR_ERROR_LIMIT), message);
      return FALSE;
    }
  if (bucket_take (self, key, n, &wait_ms))
    return TRUE;
  message = g_strdup_printf ("more than %u ops/s from this station; retry later", self->ops_rate);
  respond_error (msg, HTTP_TOO_MANY_REQUESTS, tr_error_code_to_string (TR_ERROR_LIMIT),
                 message);
  retry = g_strdup_printf ("%" G_GINT64_FORMAT, (wait_ms + 999) / 1000);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                retry);
  return FALSE;
}

static void
handle_ops (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
            gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autofree char *paired_id = NULL;
  HttpRequest *request;

  if (!require_exact_path (msg, path, API_PREFIX "/ops")
      || !require_method (msg, SOUP_METHOD_POST, NULL)
      || !authorize_request (self, msg, &paired_id))
    return;
  if (!(root = parse_body (msg, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);
      guint n = json_array_get_length (array);

      if (n == 0)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "body: an empty array of ops");
          return;
        }
      for (guint i = 0; i < n; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          TrOp *op = NULL;

          if (JSON_NODE_HOLDS_OBJECT (element))
            op = tr_op_from_json (element, &error);
          if (op == NULL)
            {
              g_autofree char *message = g_strdup_printf (
                "[%u]%s%s", i, error ? "." : ": ", error ? error->message : "must be an object");

              respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", message);
              return;
            }
          g_ptr_array_add (ops, op);
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      TrOp *op = tr_op_from_json (root, &error);

      if (op == NULL)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
          return;
        }
      g_ptr_array_add (ops, op);
    }
  else
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     "body: must be an op object or an array of ops");
      return;
    }

  if (!take_http_tokens (self, msg, paired_id, ops->len))
    return;
  request = request_new (self, msg, REQUEST_OPS);
  while (ops->len > 0)
    enqueue_op (self, g_ptr_array_steal_index (ops, 0), NULL, NULL, request);
}

/* A stable UUID (v5 layout) from the POS's idempotency key, so that a
 * retry of a ticket without ids creates the same ids again. */
static char *
derive_uuid (const char *op_id, const char *what)
{
  g_autofree char *input = g_strconcat ("ticketrail/pos/", op_id, "/", what, NULL);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

  hex[12] = '5';
  hex[16] = "89ab"[g_ascii_xdigit_value (hex[16]) & 3];
  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static gboolean
member_is_missing (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static void
handle_tickets (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autofree char *op_id = NULL;
  g_autofree char *paired_id = NULL;
  gboolean idempotent;
  JsonObject *object;
  JsonNode *items;
  TrOp *op;

  if (!require_exact_path (msg, path, API_PREFIX "/tickets")
      || !require_method (msg, SOUP_METHOD_GET, SOUP_METHOD_POST, NULL)
      || !authorize_request (self, msg, &paired_id))
    return;

  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    {
      char *body;

      flush_now (self);
      body = build_http_snapshot (self, &error);
      if (body != NULL)
        respond_json_take (msg, SOUP_STATUS_OK, body);
      else
        respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                       tr_error_code_to_string (TR_ERROR_STORE), error->message);
      return;
    }

  if (!(root = parse_body (msg, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "ticket: must be a JSON object");
      return;
    }
  object = json_node_get_object (root);

  /* The idempotency key: "op_id" in the body, else the header. */
  if (!member_is_missing (object, "op_id"))
    {
      JsonNode *node = json_object_get_member (object, "op_id");

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
          || *json_node_get_string (node) == '\0')
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                         "op_id: must be a non-empty string");
          return;
        }
      op_id = g_strdup (json_node_get_string (node));
    }
  else
    op_id = g_strdup (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                    "Idempotency-Key"));
  if (op_id != NULL && (strlen (op_id) > MAX_ID_BYTES || !g_utf8_validate (op_id, -1, NULL)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "op_id: too long or not UTF-8");
      return;
    }
  idempotent = op_id != NULL;
  if (op_id == NULL)
    op_id = tr_uuid_new ();

  /* Fill in what a POS need not know: ids, and where the ticket came
   * from. The codec then validates everything else. */
  if (member_is_missing (object, "id"))
    {
      g_autofree char *id = idempotent ? derive_uuid (op_id, "ticket") : tr_uuid_new ();

      json_object_set_string_member (object, "id", id);
    }
  if (member_is_missing (object, "source"))
    json_object_set_string_member (object, "source", tr_source_to_string (TR_SOURCE_POS));
  items = json_object_get_member (object, "items");
  if (items != NULL && JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (item)
              && member_is_missing (json_node_get_object (item), "id"))
            {
              g_autofree char *what = g_strdup_printf ("item/%u", i);
              g_autofree char *id = idempotent ? derive_uuid (op_id, what) : tr_uuid_new ();

              json_object_set_string_member (json_node_get_object (item), "id", id);
            }
        }
    }

  if (!(ticket = tr_ticket_from_json (root, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }

  if (!take_http_tokens (self, msg, paired_id, 1))
    return;
  op = tr_op_new_create_ticket (POS_STATION_ID, ticket);
  g_free (op->op_id);
  op->op_id = g_steal_pointer (&op_id);
  enqueue_op (self, op, NULL, NULL, request_new (self, msg, REQUEST_TICKET));
}

/* Reads a string member of at most @max bytes; NULL member or absent is
 * NULL unless @required. FALSE with a 400 set. */
static gboolean
read_body_string (SoupServerMessage *msg, JsonObject *object, const char *path, const char *name,
                  gboolean required, gsize max, const char **out)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  g_autofree char *message = NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!required)
        return TRUE;
      message = g_strdup_printf ("%s%s: missing", path, name);
    }
  else if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    message = g_strdup_printf ("%s%s: must be a string", path, name);
  else if (strlen (json_node_get_string (node)) > max)
    message = g_strdup_printf ("%s%s: longer than %" G_GSIZE_FORMAT " bytes", path, name, max);
  else if (required && *json_node_get_string (node) == '\0')
    message = g_strdup_printf ("%s%s: must not be empty", path, name);
  else
    {
      *out = json_node_get_string (node);
      return TRUE;
    }
  respond_error (msg, SOUP_STATUS_BAD_REQUEST, tr_error_code_to_string (TR_ERROR_INVALID), message);
  return FALSE;
}

/* Five wrong codes within a minute lock pairing for everyone until the
 * oldest of them is a minute old: a guest cannot try the million codes,
 * only make a manager wait. */
static gint64
pairing_locked_for_ms (TrHost *self)
{
  gint64 now = monotonic_ms ();
  gint64 oldest;

  if (self->n_pair_failures < PAIRING_MAX_FAILURES)
    return 0;
  oldest = self->pair_failures[0];
  return oldest + PAIRING_WINDOW_MS > now ? oldest + PAIRING_WINDOW_MS - now : 0;
}

static void
pairing_failed (TrHost *self)
{
  if (self->n_pair_failures == PAIRING_MAX_FAILURES)
    {
      memmove (self->pair_failures, self->pair_failures + 1,
               (PAIRING_MAX_FAILURES - 1) * sizeof self->pair_failures[0]);
      self->n_pair_failures--;
    }
  self->pair_failures[self->n_pair_failures++] = monotonic_ms ();
}

static void
respond_pairing_refused (SoupServerMessage *msg, const char *reason, const char *message)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", tr_error_code_to_string (TR_ERROR_UNAUTHORIZED));
  json_object_set_string_member (error, "message", message);
  json_object_set_string_member (error, "reason", reason);
  json_object_set_object_member (root, "error", error);
  json_node_take_object (node, root);
  respond_json_take (msg, SOUP_STATUS_UNAUTHORIZED, tr_json_to_string (node));
}

/* POST /api/v1/pair {"code","station":{"id","name","role"}}: trades a
 * pairing code for a station token. */
static void
handle_pair (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
             gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  JsonObject *object, *station = NULL, *reply;
  const char *code, *station_id, *name, *role;
  TrPairingStatus status;
  gint64 locked_ms;

  if (!require_exact_path (msg, path, API_PREFIX "/pair")
      || !require_method (msg, SOUP_METHOD_POST, NULL))
    return;

  if ((locked_ms = pairing_locked_for_ms (self)) > 0)
    {
      g_autofree char *message = g_strdup_printf (
        "too many wrong pairing codes; try again in %" G_GINT64_FORMAT " s", (locked_ms + 999) / 1000);
      g_autofree char *retry = g_strdup_printf ("%" G_GINT64_FORMAT, (locked_ms + 999) / 1000);

      respond_error (msg, HTTP_TOO_MANY_REQUESTS, tr_error_code_to_string (TR_ERROR_LIMIT), message);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    retry);
      return;
    }

  if (!(root = parse_body (msg, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, tr_error_code_to_string (TR_ERROR_INVALID),
                     error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, tr_error_code_to_string (TR_ERROR_INVALID),
                     "body: must be an object {\"code\",\"station\"}");
      return;
    }
  object = json_node_get_object (root);
  if (json_object_has_member (object, "station"))
    {
      JsonNode *node = json_object_get_member (object, "station");

      if (JSON_NODE_HOLDS_OBJECT (node))
        station = json_node_get_object (node);
    }
  if (station == NULL)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, tr_error_code_to_string (TR_ERROR_INVALID),
                     "station: must be an object {\"id\",\"name\",\"role\"}");
      return;
    }
  if (!read_body_string (msg, object, "", "code", TRUE, 64, &code)
      || !read_body_string (msg, station, "station.", "id", TRUE, MAX_ID_BYTES, &station_id)
      || !read_body_string (msg, station, "station.", "name", FALSE, TR_MAX_TEXT_BYTES, &name)
      || !read_body_string (msg, station, "station.", "role", FALSE, TR_MAX_TEXT_BYTES, &role))
    return;

  if (!(token = new_token (&error)))
    {
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", error->message);
      return;
    }
  hash = tr_token_hash (token);
  if (!tr_store_redeem_pairing_code (self->store, code, tr_now_ms (), station_id, name, role, hash,
                                     &status, &error))
    {
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                     tr_error_code_to_string (TR_ERROR_STORE), error->message);
      return;
    }
  if (status != TR_PAIRING_OK)
    {
      pairing_failed (self);
      g_message ("A wrong pairing code from %s (%u in the last minute)",
                 soup_server_message_get_remote_host (msg), self->n_pair_failures);
      if (status == TR_PAIRING_EXPIRED_CODE)
        respond_pairing_refused (msg, "expired_code",
                                 "this pairing code has expired; ask the host for a new one");
      else
        respond_pairing_refused (msg, "wrong_code", "wrong pairing code");
      return;
    }

  g_message ("Paired station %s (%s) from %s", station_id, name ? name : "no name",
             soup_server_message_get_remote_host (msg));
  answer = json_node_new (JSON_NODE_OBJECT);
  reply = json_object_new ();
  json_object_set_string_member (reply, "token", token);
  json_object_set_string_member (reply, "host_id", tr_store_get_db_id (self->store));
  json_object_set_string_member (reply, "station_id", station_id);
  if (self->tls_fingerprint != NULL)
    json_object_set_string_member (reply, "fingerprint", self->tls_fingerprint);
  else
    json_object_set_null_member (reply, "fingerprint");
  json_node_take_object (answer, reply);
  respond_json_take (msg, SOUP_STATUS_OK, tr_json_to_string (answer));
  stations_changed (self);
}

static void
handle_ws_http (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer user_data)
{
  TrHost *self = user_data;

  /* libsoup runs this before the upgrade, so a status set here refuses
   * it. A foreign Origin was already refused in on_request_got_headers()
   * (403); the token comes in the hello, as browsers cannot set headers
   * on a WebSocket. */
  if (origin_is_foreign (self, msg))
    respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                   "WebSocket connections are accepted only from the host's own pages");
  else if (!self->websocket_enabled)
    respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                   "WebSocket is disabled on this host; use GET /api/v1/events long-polling");
}

static void
handle_not_found (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                  gpointer user_data)
{
  respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint");
}

/* Oversize bodies are refused before they are read into memory. */
static void
refuse_body (SoupServerMessage *msg)
{
  g_autofree char *message = g_strdup_printf ("request body over %d bytes", TR_MAX_BODY_BYTES);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                 tr_error_code_to_string (TR_ERROR_LIMIT), message);
}

static void
on_request_got_headers (SoupServerMessage *msg, gpointer user_data)
{
  TrHost *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));

  /* Before any handler and before the body: the whole API refuses other
   * sites' pages (the browser display's own files are public). */
  if (soup_server_message_get_status (msg) == 0 && g_str_has_prefix (path, "/api/")
      && origin_is_foreign (self, msg))
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                     "requests from other sites' pages are refused");
      return;
    }
  if (soup_server_message_get_status (msg) == 0
      && soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > TR_MAX_BODY_BYTES)
    refuse_body (msg);
}

static void
on_request_got_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  /* Chunked bodies announce no length. */
  if (soup_server_message_get_status (msg) == 0 && body->length > TR_MAX_BODY_BYTES)
    refuse_body (msg);
}

/* ---- TCP connections: limits and the request timer ---- */

static void
peer_free (gpointer data)
{
  Peer *peer = data;

  g_clear_handle_id (&peer->timeout_id, g_source_remove);
  g_free (peer->address);
  g_free (peer);
}

/* Stops counting @peer (and frees it). */
static void
peer_forget (TrHost *self, Peer *peer, GObject *socket)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->peers_per_address, peer->address));

  if (n <= 1)
    g_hash_table_remove (self->peers_per_address, peer->address);
  else
    g_hash_table_insert (self->peers_per_address, g_strdup (peer->address), GUINT_TO_POINTER (n - 1));
  g_hash_table_remove (self->peers, socket);
}

static void
on_peer_socket_gone (gpointer data, GObject *where_the_object_was)
{
  Peer *peer = data;

  peer_forget (peer->host, peer, where_the_object_was);
}

/* libsoup 3.2 has no header or idle timeout: a client that sends its
 * request a byte at a time holds a connection for ever (slowloris). */
static gboolean
peer_timeout_cb (gpointer user_data)
{
  Peer *peer = user_data;

  peer->timeout_id = 0;
  g_debug ("closing the connection from %s: no complete request within %u ms", peer->address,
           peer->host->request_timeout);
  /* A shutdown, not a close: libsoup still polls the descriptor, and
   * reads the end of the stream from it. */
  g_socket_shutdown (peer->socket, TRUE, TRUE, NULL);
  /* libsoup closes it on its own time; it counts no more from now on. */
  g_object_weak_unref (G_OBJECT (peer->socket), on_peer_socket_gone, peer);
  peer_forget (peer->host, peer, G_OBJECT (peer->socket));
  return G_SOURCE_REMOVE;
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  TrHost *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Peer *peer;

  g_signal_connect (msg, "got-headers", G_CALLBACK (on_request_got_headers), self);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_request_got_chunk), NULL);

  if (socket == NULL)
    return;
  peer = g_hash_table_lookup (self->peers, socket);
  if (peer == NULL)
    {
      const char *address = soup_server_message_get_remote_host (msg);
      guint n;

      peer = g_new0 (Peer, 1);
      peer->host = self;
      peer->socket = socket;
      peer->address = g_strdup (address != NULL ? address : "");
      g_object_weak_ref (G_OBJECT (socket), on_peer_socket_gone, peer);
      g_hash_table_insert (self->peers, socket, peer);
      n = GPOINTER_TO_UINT (g_hash_table_lookup (self->peers_per_address, peer->address)) + 1;
      g_hash_table_insert (self->peers_per_address, g_strdup (peer->address), GUINT_TO_POINTER (n));

      if ((self->max_connections > 0 && g_hash_table_size (self->peers) > self->max_connections)
          || (self->max_connections_per_address > 0 && n > self->max_connections_per_address))
        {
          g_autofree char *message = g_strdup_printf (
            "too many connections (at most %u from one address, %u in all)",
            self->max_connections_per_address, self->max_connections);

          g_debug ("refusing a connection from %s: %s", peer->address, message);
          respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                         tr_error_code_to_string (TR_ERROR_LIMIT), message);
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Connection", "close");
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", "5");
        }
    }
  /* Also an idle timeout between requests on a kept-alive connection. */
  g_clear_handle_id (&peer->timeout_id, g_source_remove);
  if (self->request_timeout > 0)
    peer->timeout_id = g_timeout_add (self->request_timeout, peer_timeout_cb, peer);
}

static void
on_request_read (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  TrHost *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Peer *peer = socket != NULL ? g_hash_table_lookup (self->peers, socket) : NULL;

  if (peer != NULL)
    g_clear_handle_id (&peer->timeout_id, g_source_remove);
}

/* libsoup 3.2 starts the next request on a kept-alive connection, and
 * emits "request-started", only when its first bytes come: the idle
 * time in between is timed from the end of the previous request. */
static void
on_request_done (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  TrHost *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Peer *peer = socket != NULL ? g_hash_table_lookup (self->peers, socket) : NULL;

  if (peer == NULL)
    return;
  g_clear_handle_id (&peer->timeout_id, g_source_remove);
  if (self->request_timeout > 0)
    peer->timeout_id = g_timeout_add (self->request_timeout, peer_timeout_cb, peer);
}

static void
forget_peers (TrHost *self)
{
  GHashTableIter iter;
  Peer *peer;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&peer))
    g_object_weak_unref (G_OBJECT (peer->socket), on_peer_socket_gone, peer);
  g_hash_table_remove_all (self->peers);
  g_hash_table_remove_all (self->peers_per_address);
}

/* ---- Timers ---- */

/* libsoup 3.2 never frees the GSocket of a connection it accepted (fixed
 * in 3.3), so the weak reference alone would count a closed connection
 * for ever: closed sockets are swept here too. */
static void
forget_closed_peers (TrHost *self)
{
  GHashTableIter iter;
  Peer *peer;
  g_autoptr (GPtrArray) closed = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&peer))
    if (g_socket_is_closed (peer->socket))
      g_ptr_array_add (closed, peer);
  for (guint i = 0; i < closed->len; i++)
    {
      peer = g_ptr_array_index (closed, i);
      g_object_weak_unref (G_OBJECT (peer->socket), on_peer_socket_gone, peer);
      peer_forget (self, peer, G_OBJECT (peer->socket));
    }
}

static void
close_revoked (TrHost *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) paired = NULL;

  if (self->connections->len == 0)
    return;
  if (!(paired = tr_store_list_paired_stations (self->store, &error)))
    {
      g_warning ("Listing paired stations failed: %s", error->message);
      return;
    }
  for (guint i = 0; i < paired->len; i++)
    {
      TrPairedStation *p = g_ptr_array_index (paired, i);

      if (p->revoked_at == 0)
        continue;
      for (guint j = self->connections->len; j > 0; j--)
        {
          Connection *conn = g_ptr_array_index (self->connections, j - 1);

          if (conn->hello_done && g_strcmp0 (conn->station_id, p->station_id) == 0)
            connection_fail (conn, tr_error_code_to_string (TR_ERROR_UNAUTHORIZED),
                             auth_message (AUTH_REVOKED), TR_CLOSE_REVOKED, "revoked");
        }
    }
}

static gboolean
check_cb (gpointer user_data)
{
  TrHost *self = user_data;
  gint64 now = monotonic_ms ();
  GHashTableIter iter;
  Station *station;

  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *conn = g_ptr_array_index (self->connections, i);

      if (conn->closing)
        continue;
      if (!conn->hello_done && now - conn->opened_at >= (gint64)self->hello_timeout)
        {
          g_autofree char *message
            = g_strdup_printf ("no hello within %u ms", self->hello_timeout);

          connection_fail (conn, tr_error_code_to_string (TR_ERROR_PROTOCOL), message,
                           TR_CLOSE_HELLO_TIMEOUT, "no hello in time");
        }
      else if (now - conn->last_frame_at > (gint64)self->heartbeat_timeout)
        {
          g_debug ("station %s at %s silent for %" G_GINT64_FORMAT " ms: dead",
                   conn->station_id ? conn->station_id : "(before hello)", conn->address,
                   now - conn->last_frame_at);
          connection_close (conn, TR_CLOSE_DEAD_PEER, "no frame within the heartbeat timeout");
        }
    }

  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    station_maybe_disconnected (self, station);

  forget_closed_peers (self);

  /* `ticketrail-host revoke` writes to the store from another process. */
  if (self->require_pairing && ++self->n_checks % REVOCATION_CHECK_TICKS == 0)
    close_revoked (self);

  if (self->stations_dirty)
    stations_changed (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
maintenance_cb (gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tr_store_checkpoint (self->store, &error))
    {
      g_warning ("WAL checkpoint failed: %s", error->message);
      g_clear_error (&error);
    }
  if (!tr_store_prune_events (self->store, KEEP_EVENTS, &error))
    g_warning ("Pruning the event log failed: %s", error->message);
  write_seen (self);
  /* A full bucket is the same as none. */
  {
    GHashTableIter iter;
    Bucket *bucket;
    gint64 now = monotonic_ms ();

    g_hash_table_iter_init (&iter, self->buckets);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&bucket))
      if (bucket->tokens + (double)(now - bucket->updated_at) * self->ops_rate / 1000.0
          >= self->ops_burst)
        g_hash_table_iter_remove (&iter);
  }
  return G_SOURCE_CONTINUE;
}

/* ---- Listening ---- */

static GSocket *
bind_and_listen (GSocketFamily family, GInetAddress *address, guint port, gboolean dual_stack,
                 GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;

  if (!(socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error)))
    return NULL;
  if (dual_stack && !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 0, error))
    return NULL;
  socket_address = g_inet_socket_address_new (address, (guint16)port);
  /* allow_reuse sets SO_REUSEADDR, so a restarted host binds at once
   * while its old connections sit in TIME_WAIT. */
  if (!g_socket_bind (socket, socket_address, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static GSocket *
create_listen_socket (TrHost *self, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GError) local_error = NULL;
  GSocket *socket;

  if (self->loopback_only)
    {
      address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      return bind_and_listen (G_SOCKET_FAMILY_IPV4, address, self->port, FALSE, error);
    }

  /* One dual-stack socket serves IPv6 and IPv4-mapped clients. */
  address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  socket = bind_and_listen (G_SOCKET_FAMILY_IPV6, address, self->port, TRUE, &local_error);
  if (socket != NULL)
    return socket;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_debug ("No IPv6 (%s); listening on IPv4 only", local_error->message);
  g_clear_object (&address);
  address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  return bind_and_listen (G_SOCKET_FAMILY_IPV4, address, self->port, FALSE, error);
}

/* ---- Public API ---- */

TrHost *
tr_host_new (TrStore *store)
{
  g_return_val_if_fail (TR_IS_STORE (store), NULL);

  return g_object_new (TR_TYPE_HOST, "store", store, NULL);
}

gboolean
tr_host_start (TrHost *self, GError **error)
{
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TR_IS_HOST (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  server = g_object_new (SOUP_TYPE_SERVER, "server-header", "ticketrail/" PACKAGE_VERSION, NULL);
  /* permessage-deflate costs ~25x the memory per connection and 7x the
   * tail latency for frames this small. */
  soup_server_remove_websocket_extension (server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);

  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (server, "request-read", G_CALLBACK (on_request_read), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (on_request_done), self);
  if (self->tls_certificate != NULL)
    soup_server_set_tls_certificate (server, self->tls_certificate);
  /* The browser display owns "/" (and 404s what nobody claims); API
   * paths nobody claims get a JSON 404 instead. */
  tr_web_register (server);
  soup_server_add_handler (server, API_PREFIX, handle_not_found, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/health", handle_health, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/pair", handle_pair, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/events", handle_events, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/ops", handle_ops, self, NULL);
  soup_server_add_handler (server, API_PREFIX "/tickets", handle_tickets, self, NULL);
  soup_server_add_handler (server, WS_PATH, handle_ws_http, self, NULL);
  if (self->websocket_enabled)
    soup_server_add_websocket_handler (server, WS_PATH, NULL, (char **)protocols, on_websocket,
                                       self, NULL);

  if (!(socket = create_listen_socket (self, &local_error))
      || !soup_server_listen_socket (server, socket,
                                     self->tls_certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                     &local_error))
    {
      g_set_error (error, G_IO_ERROR,
                   local_error->domain == G_IO_ERROR ? local_error->code : G_IO_ERROR_FAILED,
                   "Could not listen on port %u: %s", self->port, local_error->message);
      return FALSE;
    }

  local = g_socket_get_local_address (socket, NULL);
  if (local != NULL)
    {
      GInetAddress *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));

      self->bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
      g_free (self->bound_address);
      self->bound_address = g_inet_address_to_string (address);
    }

  self->server = g_steal_pointer (&server);
  self->socket = g_steal_pointer (&socket);
  self->running = TRUE;
  self->check_id = g_timeout_add (CHECK_INTERVAL_MS, check_cb, self);
  self->maintenance_id = g_timeout_add_seconds (MAINTENANCE_INTERVAL_S, maintenance_cb, self);

  g_debug ("listening on %s port %u", self->bound_address, self->bound_port);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_ADDRESS]);
  return TRUE;
}

void
tr_host_stop (TrHost *self)
{
  GHashTableIter iter;
  Station *station;

  g_return_if_fail (TR_IS_HOST (self));

  if (!self->running)
    return;
  self->running = FALSE;

  /* What was received is committed and acknowledged before the close. */
  flush_now (self);

  for (guint i = 0; i < self->connections->len; i++)
    connection_close (g_ptr_array_index (self->connections, i), TR_CLOSE_GOING_AWAY,
                      "host shutting down");
  while (self->polls->len > 0)
    poll_answer (self, g_ptr_array_index (self->polls, self->polls->len - 1));

  g_clear_handle_id (&self->check_id, g_source_remove);
  g_clear_handle_id (&self->maintenance_id, g_source_remove);
  g_clear_handle_id (&self->throttle_id, g_source_remove);
  write_seen (self);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);

  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    if (station->info.connected)
      {
        station->info.connected = FALSE;
        station->n_polls = 0;
        station->info.last_seen = tr_now_ms ();
      }
  stations_changed (self);
}

gboolean
tr_host_is_running (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), FALSE);

  return self->running;
}

guint
tr_host_get_bound_port (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), 0);

  return self->bound_port;
}

TrStore *
tr_host_get_store (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  return self->store;
}

TrOutcome *
tr_host_submit_op (TrHost *self, const TrOp *op, GError **error)
{
  TrOutcome *outcome;

  g_return_val_if_fail (TR_IS_HOST (self), NULL);
  g_return_val_if_fail (op != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Ops that arrived earlier keep their place in the log. */
  flush_now (self);

  if (!(outcome = tr_store_apply_op (self->store, op, error)))
    return NULL;
  if (outcome->result == TR_APPLY_APPLIED && outcome->event != NULL)
    {
      queue_event (self, outcome->event);
      schedule_flush (self);
    }
  return outcome;
}

char *
tr_host_new_pairing_code (TrHost *self, gint64 *out_expires_at, GError **error)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  return tr_host_create_pairing_code (self->store, out_expires_at, error);
}

const char *
tr_host_get_tls_fingerprint (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  return self->tls_fingerprint;
}

gboolean
tr_host_revoke_station (TrHost *self, const char *station_id, GError **error)
{
  gboolean found = FALSE;

  g_return_val_if_fail (TR_IS_HOST (self), FALSE);
  g_return_val_if_fail (station_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tr_store_revoke_station (self->store, station_id, tr_now_ms (), &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "no paired station %s to revoke", station_id);
      return FALSE;
    }
  g_message ("Revoked station %s", station_id);
  g_hash_table_remove (self->seen, station_id);

  /* At once: its connections close with 4403, its waiting polls get 401. */
  for (guint i = self->connections->len; i > 0; i--)
    {
      Connection *conn = g_ptr_array_index (self->connections, i - 1);

      if (conn->hello_done && g_strcmp0 (conn->station_id, station_id) == 0)
        connection_fail (conn, tr_error_code_to_string (TR_ERROR_UNAUTHORIZED),
                         auth_message (AUTH_REVOKED), TR_CLOSE_REVOKED, "revoked");
    }
  for (guint i = self->polls->len; i > 0; i--)
    {
      Poll *poll = g_ptr_array_index (self->polls, i - 1);
      SoupServerMessage *msg;

      if (g_strcmp0 (poll->station_id, station_id) != 0)
        continue;
      msg = g_object_ref (poll->msg);
      poll_detach (self, poll);
      respond_unauthorized (msg, AUTH_REVOKED);
      soup_server_message_unpause (msg);
      g_object_unref (msg);
    }
  stations_changed (self);
  return TRUE;
}

static int
compare_station_info (gconstpointer a, gconstpointer b)
{
  const TrStationInfo *x = *(TrStationInfo *const *)a;
  const TrStationInfo *y = *(TrStationInfo *const *)b;
  const char *x_name = x->name ? x->name : x->station_id;
  const char *y_name = y->name ? y->name : y->station_id;
  int by_name;

  if (x->connected != y->connected)
    return x->connected ? -1 : 1;
  by_name = g_utf8_collate (x_name, y_name);
  return by_name != 0 ? by_name : strcmp (x->station_id, y->station_id);
}

GPtrArray *
tr_host_list_stations (TrHost *self)
{
  GPtrArray *list;
  GHashTableIter iter;
  Station *station;
  g_autoptr (GPtrArray) paired = NULL;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  list = g_ptr_array_new_full (g_hash_table_size (self->stations),
                               (GDestroyNotify)tr_station_info_free);
  g_hash_table_iter_init (&iter, self->stations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&station))
    g_ptr_array_add (list, station_info_copy (&station->info));

  /* Paired stations too, the ones not seen since the host started
   * included, so the monitor can revoke a stolen tablet that is off. */
  paired = tr_store_list_paired_stations (self->store, &error);
  if (paired == NULL)
    g_warning ("Listing paired stations failed: %s", error->message);
  for (guint i = 0; paired != NULL && i < paired->len; i++)
    {
      TrPairedStation *p = g_ptr_array_index (paired, i);
      TrStationInfo *info = NULL;
      const gint64 *seen = g_hash_table_lookup (self->seen, p->station_id);

      for (guint j = 0; j < list->len && info == NULL; j++)
        if (g_str_equal (((TrStationInfo *)g_ptr_array_index (list, j))->station_id, p->station_id))
          info = g_ptr_array_index (list, j);
      if (info == NULL)
        {
          info = g_new0 (TrStationInfo, 1);
          info->station_id = g_strdup (p->station_id);
          info->name = g_strdup (p->name);
          info->role = g_strdup (p->role);
          info->latency_ms = -1;
          info->last_seq = -1;
          info->last_seen = MAX (p->last_seen, seen != NULL ? *seen : 0);
          g_ptr_array_add (list, info);
        }
      info->paired = TRUE;
      info->paired_at = p->created_at;
      info->revoked = p->revoked_at != 0;
      info->revoked_at = p->revoked_at;
    }
  g_ptr_array_sort (list, compare_station_info);
  return list;
}

/* ---- GObject ---- */

static void
tr_host_dispose (GObject *object)
{
  TrHost *self = TR_HOST (object);

  tr_host_stop (self);
  flush_now (self);

  /* Connections still finishing their close handshake are let go: the
   * close frame was queued, and libsoup finishes the socket on its own. */
  for (guint i = 0; i < self->connections->len; i++)
    ((Connection *)g_ptr_array_index (self->connections, i))->host = NULL;
  g_ptr_array_set_size (self->connections, 0);

  g_clear_handle_id (&self->stations_changed_id, g_source_remove);
  g_clear_handle_id (&self->throttle_id, g_source_remove);
  forget_peers (self);
  g_clear_object (&self->store);
  g_clear_object (&self->tls_certificate);

  G_OBJECT_CLASS (tr_host_parent_class)->dispose (object);
}

static void
tr_host_finalize (GObject *object)
{
  TrHost *self = TR_HOST (object);

  g_ptr_array_unref (self->connections);
  g_ptr_array_unref (self->polls);
  g_ptr_array_unref (self->pending_ops);
  g_ptr_array_unref (self->pending_requests);
  g_ptr_array_unref (self->pending_events);
  g_array_unref (self->pending_seqs);
  event_cache_clear (self);
  g_free (self->event_cache);
  g_hash_table_unref (self->stations);
  g_hash_table_unref (self->peers);
  g_hash_table_unref (self->peers_per_address);
  g_hash_table_unref (self->buckets);
  g_hash_table_unref (self->seen);
  g_free (self->bound_address);
  g_free (self->tls_fingerprint);

  G_OBJECT_CLASS (tr_host_parent_class)->finalize (object);
}

static void
tr_host_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrHost *self = TR_HOST (object);

  switch (prop_id)
    {
      case PROP_STORE:
        g_value_set_object (value, self->store);
        break;
      case PROP_PORT:
        g_value_set_uint (value, self->port);
        break;
      case PROP_LOOPBACK_ONLY:
        g_value_set_boolean (value, self->loopback_only);
        break;
      case PROP_WEBSOCKET_ENABLED:
        g_value_set_boolean (value, self->websocket_enabled);
        break;
      case PROP_MAX_LAG_EVENTS:
        g_value_set_uint (value, self->max_lag_events);
        break;
      case PROP_HEARTBEAT_TIMEOUT:
        g_value_set_uint (value, self->heartbeat_timeout);
        break;
      case PROP_REQUIRE_PAIRING:
        g_value_set_boolean (value, self->require_pairing);
        break;
      case PROP_HELLO_TIMEOUT:
        g_value_set_uint (value, self->hello_timeout);
        break;
      case PROP_REQUEST_TIMEOUT:
        g_value_set_uint (value, self->request_timeout);
        break;
      case PROP_MAX_CONNECTIONS:
        g_value_set_uint (value, self->max_connections);
        break;
      case PROP_MAX_CONNECTIONS_PER_ADDRESS:
        g_value_set_uint (value, self->max_connections_per_address);
        break;
      case PROP_OPS_RATE:
        g_value_set_uint (value, self->ops_rate);
        break;
      case PROP_OPS_BURST:
        g_value_set_uint (value, self->ops_burst);
        break;
      case PROP_OPS_QUEUE:
        g_value_set_uint (value, self->ops_queue);
        break;
      case PROP_TLS_CERTIFICATE:
        g_value_set_object (value, self->tls_certificate);
        break;
      case PROP_BOUND_PORT:
        g_value_set_uint (value, self->bound_port);
        break;
      case PROP_BOUND_ADDRESS:
        g_value_set_string (value, self->bound_address);
        break;
      case PROP_N_STATIONS:
        g_value_set_uint (value, self->n_stations);
        break;
      case PROP_N_CONNECTIONS:
        g_value_set_uint (value, g_hash_table_size (self->peers));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_property (TrHost *self, guint *field, const GValue *value, GParamSpec *pspec)
{
  guint v = g_value_get_uint (value);

  if (*field != v)
    {
      *field = v;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
set_boolean_property (TrHost *self, gboolean *field, const GValue *value, GParamSpec *pspec)
{
  gboolean v = g_value_get_boolean (value);

  if (*field != v)
    {
      *field = v;
      g_object_notify_by_pspec (G_OBJECT (self), pspec);
    }
}

static void
tr_host_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrHost *self = TR_HOST (object);

  switch (prop_id)
    {
      case PROP_STORE:
        g_set_object (&self->store, g_value_get_object (value));
        break;
      case PROP_PORT:
        if (self->running)
          g_warning ("TrHost:port changes only take effect after a restart");
        set_uint_property (self, &self->port, value, pspec);
        break;
      case PROP_LOOPBACK_ONLY:
        set_boolean_property (self, &self->loopback_only, value, pspec);
        break;
      case PROP_WEBSOCKET_ENABLED:
        set_boolean_property (self, &self->websocket_enabled, value, pspec);
        break;
      case PROP_MAX_LAG_EVENTS:
        set_uint_property (self, &self->max_lag_events, value, pspec);
        break;
      case PROP_HEARTBEAT_TIMEOUT:
        set_uint_property (self, &self->heartbeat_timeout, value, pspec);
        break;
      case PROP_REQUIRE_PAIRING:
        set_boolean_property (self, &self->require_pairing, value, pspec);
        break;
      case PROP_HELLO_TIMEOUT:
        set_uint_property (self, &self->hello_timeout, value, pspec);
        break;
      case PROP_REQUEST_TIMEOUT:
        set_uint_property (self, &self->request_timeout, value, pspec);
        break;
      case PROP_MAX_CONNECTIONS:
        set_uint_property (self, &self->max_connections, value, pspec);
        break;
      case PROP_MAX_CONNECTIONS_PER_ADDRESS:
        set_uint_property (self, &self->max_connections_per_address, value, pspec);
        break;
      case PROP_OPS_RATE:
        set_uint_property (self, &self->ops_rate, value, pspec);
        break;
      case PROP_OPS_BURST:
        set_uint_property (self, &self->ops_burst, value, pspec);
        break;
      case PROP_OPS_QUEUE:
        set_uint_property (self, &self->ops_queue, value, pspec);
        break;
      case PROP_TLS_CERTIFICATE:
        if (self->running)
          g_warning ("TrHost:tls-certificate changes only take effect after a restart");
        if (g_set_object (&self->tls_certificate, g_value_get_object (value)))
          {
            g_clear_pointer (&self->tls_fingerprint, g_free);
            if (self->tls_certificate != NULL)
              self->tls_fingerprint = tr_tls_certificate_fingerprint (self->tls_certificate);
            g_object_notify_by_pspec (object, pspec);
          }
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_host_class_init (TrHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_host_dispose;
  object_class->finalize = tr_host_finalize;
  object_class->get_property = tr_host_get_property;
  object_class->set_property = tr_host_set_property;

  properties[PROP_STORE]
    = g_param_spec_object ("store", NULL, NULL, TR_TYPE_STORE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, TR_DEFAULT_PORT,
                                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT
                                               | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOOPBACK_ONLY] = g_param_spec_boolean (
    "loopback-only", NULL, NULL, FALSE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WEBSOCKET_ENABLED] = g_param_spec_boolean (
    "websocket-enabled", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_LAG_EVENTS] = g_param_spec_uint (
    "max-lag-events", NULL, NULL, 1, G_MAXUINT, DEFAULT_MAX_LAG_EVENTS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEARTBEAT_TIMEOUT] = g_param_spec_uint (
    "heartbeat-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_HEARTBEAT_MS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUIRE_PAIRING] = g_param_spec_boolean (
    "require-pairing", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HELLO_TIMEOUT] = g_param_spec_uint (
    "hello-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_HELLO_TIMEOUT_MS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUEST_TIMEOUT] = g_param_spec_uint (
    "request-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_REQUEST_TIMEOUT_MS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_CONNECTIONS] = g_param_spec_uint (
    "max-connections", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_CONNECTIONS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_CONNECTIONS_PER_ADDRESS] = g_param_spec_uint (
    "max-connections-per-address", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPS_RATE] = g_param_spec_uint (
    "ops-rate", NULL, NULL, 0, G_MAXUINT, DEFAULT_OPS_RATE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPS_BURST] = g_param_spec_uint (
    "ops-burst", NULL, NULL, 1, G_MAXUINT, DEFAULT_OPS_BURST,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPS_QUEUE] = g_param_spec_uint (
    "ops-queue", NULL, NULL, 0, G_MAXUINT, DEFAULT_OPS_QUEUE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TLS_CERTIFICATE] = g_param_spec_object (
    "tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOUND_PORT] = g_param_spec_uint ("bound-port", NULL, NULL, 0, G_MAXUINT16, 0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOUND_ADDRESS] = g_param_spec_string ("bound-address", NULL, NULL, NULL,
                                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_STATIONS] = g_param_spec_uint ("n-stations", NULL, NULL, 0, G_MAXUINT, 0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_CONNECTIONS] = g_param_spec_uint ("n-connections", NULL, NULL, 0, G_MAXUINT, 0,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STATIONS_CHANGED] = g_signal_new ("stations-changed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tr_host_init (TrHost *self)
{
  self->port = TR_DEFAULT_PORT;
  self->websocket_enabled = TRUE;
  self->max_lag_events = DEFAULT_MAX_LAG_EVENTS;
  self->heartbeat_timeout = DEFAULT_HEARTBEAT_MS;
  self->connections = g_ptr_array_new_with_free_func ((GDestroyNotify)connection_unref);
  self->polls = g_ptr_array_new_with_free_func ((GDestroyNotify)poll_free);
  self->pending_ops = g_ptr_array_new_with_free_func (pending_op_free);
  self->pending_requests = g_ptr_array_new ();
  self->pending_events = g_ptr_array_new_with_free_func (g_free);
  self->pending_seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->event_cache = g_malloc0 (EVENT_CACHE_SLOTS * sizeof *self->event_cache);
  self->stations
    = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)station_free);
  self->require_pairing = TRUE;
  self->hello_timeout = DEFAULT_HELLO_TIMEOUT_MS;
  self->request_timeout = DEFAULT_REQUEST_TIMEOUT_MS;
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->max_connections_per_address = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  self->ops_rate = DEFAULT_OPS_RATE;
  self->ops_burst = DEFAULT_OPS_BURST;
  self->ops_queue = DEFAULT_OPS_QUEUE;
  self->peers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, peer_free);
  self->peers_per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* ---- TLS ---- */

#ifdef HAVE_GNUTLS
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define CERTIFICATE_YEARS 20

static gboolean
gnutls_failed (int rc, const char *what, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot make a TLS certificate (%s): %s", what,
               gnutls_strerror (rc));
  return FALSE;
}

/* A self-signed ECDSA P-256 certificate and its key, as PEM. Stations
 * pin its fingerprint at pairing instead of checking a name, so the
 * subject only says what it is. */
static char *
make_certificate_pem (GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t key_pem = { NULL, 0 }, crt_pem = { NULL, 0 };
  guint8 serial[16];
  time_t now = time (NULL);
  char *pem = NULL;
  int rc;

  if (!random_bytes (serial, sizeof serial, error))
    return NULL;
  serial[0] &= 0x7f; /* a positive INTEGER */

  if ((rc = gnutls_x509_privkey_init (&key)) < 0
      || (rc = gnutls_x509_privkey_generate (
            key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0))
           < 0)
    {
      gnutls_failed (rc, "key", error);
      goto out;
    }
  if ((rc = gnutls_x509_crt_init (&crt)) < 0 || (rc = gnutls_x509_crt_set_version (crt, 3)) < 0
      || (rc = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0
      || (rc = gnutls_x509_crt_set_activation_time (crt, now - 24 * 60 * 60)) < 0
      || (rc = gnutls_x509_crt_set_expiration_time (
            crt, now + (time_t)CERTIFICATE_YEARS * 365 * 24 * 60 * 60))
           < 0
      || (rc = gnutls_x509_crt_set_dn (crt, "CN=Ticketrail host,O=Ticketrail", NULL)) < 0
      || (rc = gnutls_x509_crt_set_key (crt, key)) < 0
      || (rc = gnutls_x509_crt_set_basic_constraints (crt, 0, -1)) < 0
      || (rc = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0
      || (rc = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0
      || (rc = gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0)
    {
      gnutls_failed (rc, "certificate", error);
      goto out;
    }
  if ((rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem)) < 0
      || (rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                  &key_pem))
           < 0)
    {
      gnutls_failed (rc, "export", error);
      goto out;
    }
  pem = g_strdup_printf ("%.*s%.*s", (int)crt_pem.size, (const char *)crt_pem.data,
                         (int)key_pem.size, (const char *)key_pem.data);

out:
  if (key_pem.data != NULL)
    {
      memset (key_pem.data, 0, key_pem.size);
      gnutls_free (key_pem.data);
    }
  gnutls_free (crt_pem.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return pem;
}
#endif

GTlsCertificate *
tr_tls_ensure_certificate (const char *path, GError **error)
{
  g_autofree char *pem = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_tls_certificate_new_from_file (path, error);

#ifdef HAVE_GNUTLS
  if (!(pem = make_certificate_pem (error)))
    return NULL;
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", dir,
                   g_strerror (saved_errno));
      return NULL;
    }
  /* The private key is in it: owner only. */
  if (!g_file_set_contents_full (path, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;
  return g_tls_certificate_new_from_pem (pem, -1, error);
#else
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "%s does not exist, and this build cannot make certificates (no GnuTLS)", path);
  return NULL;
#endif
}
