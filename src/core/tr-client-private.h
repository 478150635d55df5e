/* tr-client-private.h: TrClient's insides, shared by the tr-client*.c
 * files: the struct, its property and signal ids, and the _tr_client_*
 * helpers each file lends the others
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "tr-client.h"
#include "tr-link-log.h"

G_BEGIN_DECLS

typedef enum
{
  POLL_NONE,
  POLL_HEALTH,
  POLL_ACTIVE
} TrClientPollPhase;

/* The host refuses more than 100 ops per frame or POST, and frames over
 * TR_MAX_FRAME_BYTES; stay clear of both. */
#define MAX_OPS_PER_BATCH 100
#define MAX_WS_BATCH_BYTES (TR_MAX_FRAME_BYTES - 4096)
#define MAX_POST_BATCH_BYTES (TR_MAX_BODY_BYTES - 4096)
/* A snapshot of a busy day is one frame; never 0 (unbounded). */
#define MAX_INCOMING_PAYLOAD (64 * 1024 * 1024)
#define LONG_POLL_WAIT_S 25

/**
 * TrClient:
 *
 * Read-only debug counters, for tests and the troubleshooting CLI:
 * "snapshots-received" (snapshot frames applied) and "events-received"
 * (events applied, i.e. the advance of the store's last seq by event
 * frames), both since the client was made.
 */
struct _TrClient
{
  GObject parent_instance;

  TrStore *store;
  char *host_url;
  /* The new host's address a superseded host named in its 4410 (issue
   * 17): the next attempt goes there. NULL otherwise. */
  char *superseded_url;
  char *station_id;
  char *station_name;
  char *role;
  char *token;
  /* The host refused the token (4401/4403, HTTP 401): no retrying until
   * the token changes or tr_client_refresh(). */
  gboolean unauthorized;
  /* Pairings on their way (tr_client_pair_async()). A refusal that
   * comes meanwhile is held (held_reason, held_message) until the
   * answer: the host closes the old token's connection (4403) as it
   * pairs the station again, often before its answer with the new
   * token is read. A pairing that works makes it moot. */
  guint pairings;
  char *held_reason;
  char *held_message;

  TrClientState state;
  guint queued_ops;
  gint64 latency_ms;
  char *last_error;
  TrLinkLog *link_log; /* what the state was, why and for how long */
  gint64 last_sync;
  /* The host's clock minus ours, from its welcome (0 until known). */
  gint64 host_clock_offset;
  /* The host serves its training database (its welcome or health). */
  gboolean host_training;
  /* Issue 17: the newest head any welcome announced, and where the
   * host's standby would serve (its pongs' standby_url), or NULL. */
  gint64 newest_head_seq;
  char *standby_url;
  gboolean standby_url_loaded; /* read from the store once */
  gboolean standby_warning; /* the host's last pong said it has no standby in sync */
  /* Issue 13: how many printers take a reprint on the host, from its
   * welcome and pongs; -1 unknown (an older host, or not heard yet). */
  int host_printers;
  GSource *printers_poll; /* while polling: GET /api/v1/health for them */
  GCancellable *printers_cancellable; /* that GET, while in flight */
  guint reconnects;
  guint snapshots_received;
  guint events_received;

  guint heartbeat_interval;
  guint dead_timeout;
  guint backoff_min;
  guint backoff_max;
  guint websocket_retry;
  guint websocket_failures; /* failed WebSocket attempts before polling */
  /* The host's heartbeat timeout from its welcome; 0 unknown. The pings
   * go at the effective interval (tr_timeouts_effective_interval()). */
  guint host_heartbeat_timeout;
  guint effective_heartbeat_interval;

  gboolean running;
  gboolean synced_once;
  guint failures;    /* attempts failed in a row: the backoff exponent */
  guint ws_failures; /* WebSocket attempts failed in a row */
  gboolean want_snapshot;
  GMainContext *context; /* tr_client_start()'s thread-default */
  SoupSession *session;
  GNetworkMonitor *monitor;
  gulong network_changed_id;
  GSource *reconnect_source;

  /* WebSocket: an attempt (ws_cancellable) or a connection (ws). */
  GCancellable *ws_cancellable;
  SoupWebsocketConnection *ws;
  gulong ws_message_id;
  gulong ws_closed_id;
  gulong ws_error_id;
  gboolean ws_welcomed;
  gboolean ws_synced;
  gint64 ws_head_seq;
  char *ws_host_id;         /* from the welcome */
  GHashTable *ws_in_flight; /* op ids sent on this connection */
  gint64 ws_life;           /* monotonic µs of the last sign of life */
  GSource *ws_watchdog;
  GSource *heartbeat_source;
  GSource *ws_retry_source;

  /* Polling: health check, long-poll loop and POSTs share poll_cancellable. */
  TrClientPollPhase poll_phase;
  GCancellable *poll_cancellable;
  char *poll_host_id;
  gboolean poll_synced;
  gboolean long_poll_pending;
  gboolean post_pending;
  GHashTable *post_in_flight;
  gint64 poll_life;
  GSource *poll_watchdog;
};

enum
{
  PROP_0,
  PROP_STORE,
  PROP_HOST_URL,
  PROP_STATION_ID,
  PROP_STATION_NAME,
  PROP_ROLE,
  PROP_TOKEN,
  PROP_STATE,
  PROP_QUEUED_OPS,
  PROP_LATENCY_MS,
  PROP_LAST_ERROR,
  PROP_LAST_SYNC,
  PROP_HOST_CLOCK_OFFSET,
  PROP_RECONNECTS,
  PROP_HEARTBEAT_INTERVAL,
  PROP_DEAD_TIMEOUT,
  PROP_BACKOFF_MIN,
  PROP_BACKOFF_MAX,
  PROP_WEBSOCKET_RETRY,
  PROP_SNAPSHOTS_RECEIVED,
  PROP_EVENTS_RECEIVED,
  PROP_RETRY_AT,
  PROP_UNAUTHORIZED,
  PROP_WEBSOCKET_FAILURES,
  PROP_EFFECTIVE_HEARTBEAT_INTERVAL,
  PROP_HOST_TRAINING,
  PROP_HOST_PRINTERS,
  N_PROPS
};

enum
{
  OP_REJECTED,
  SYNCED,
  UNAUTHORIZED,
  STANDBY_INVITE,
  STANDBY_URL,
  N_SIGNALS
};

/* The request a polling failure came from, which words its error. */
typedef enum
{
  REQUEST_HEALTH,
  REQUEST_EVENTS,
  REQUEST_OPS,
} TrClientPollRequest;

extern GParamSpec *_tr_client_properties[N_PROPS];
extern guint _tr_client_signals[N_SIGNALS];

/* tr-client.c */

gint64
_tr_client_monotonic_ms (void);

GSource *
_tr_client_add_timeout (TrClient *self, guint interval_ms, GSourceFunc func);

void
_tr_client_clear_source (GSource **source);

void
_tr_client_update_state (TrClient *self);

void
_tr_client_update_queued_ops (TrClient *self);

void
_tr_client_set_last_error (TrClient *self, const char *message);

void
_tr_client_set_last_errorf (TrClient *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

void
_tr_client_set_latency (TrClient *self, gint64 latency_ms);

char *
_tr_client_make_url (TrClient *self, const char *path);

gboolean
_tr_client_apply_events (TrClient *self, GPtrArray *events, GError **error);

gboolean
_tr_client_apply_snapshot (TrClient *self, const char *host_id, gint64 seq, GPtrArray *tickets,
                           GError **error);

void
_tr_client_schedule_reconnect (TrClient *self);

void
_tr_client_mark_synced (TrClient *self);

/* tr-client-pairing.c */

void
_tr_client_add_auth (TrClient *self, SoupMessage *msg);

/* tr-client-get.c */

/* GET @path on the host with this station's token: the body of a 200;
 * else the errors tr_client_get_stats_async() lists, timing out after
 * @timeout_s. */
void
_tr_client_get_async (TrClient *self, const char *path, guint timeout_s, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data);
GBytes *
_tr_client_get_finish (TrClient *self, GAsyncResult *result, GError **error);
/* The same with another @method (a POST with an empty body); its
 * _finish() is _tr_client_get_finish(). */
void
_tr_client_request_async (TrClient *self, const char *method, const char *path, guint timeout_s,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data);

/* tr-client-outbox.c */

void
_tr_client_apply_ack (TrClient *self, const char *op_id, TrApplyResult result, gint64 seq,
                      const char *code, const char *message);

/* tr-client-print.c: the host's printer count from a welcome or pong
 * (-1: unknown); notifies "host-printers" when it changes. */
void
_tr_client_note_host_printers (TrClient *self, int printers);
/* Follows "state": while polling (no pongs) reads "printers" from
 * /api/v1/health every heartbeat interval; stops otherwise. */
void
_tr_client_printers_on_state (TrClient *self);
/* Stops that, cancelling a GET in flight (stop and dispose). */
void
_tr_client_printers_stop (TrClient *self);

/* tr-client-training.c: the host's mode, from its welcome or health.
 * When it is not the mode this station last followed, every op still
 * in the outbox was made in the other mode: each is dropped as rejected
 * with code TR_REJECT_TRAINING_SWITCH (its change reverted, "op-rejected"
 * emitted), never replayed into the other database. */
void
_tr_client_note_host_training (TrClient *self, gboolean training);

void
_tr_client_ws_flush_outbox (TrClient *self);

void
_tr_client_poll_flush_outbox (TrClient *self);

/* tr-client-websocket.c */

void
_tr_client_ws_send (TrClient *self, const char *text);

void
_tr_client_ws_schedule_retry_while_polling (TrClient *self);

void
_tr_client_ws_teardown (TrClient *self, gushort close_code);

gboolean
_tr_client_on_heartbeat (gpointer user_data);

/* Works out the effective heartbeat interval again and, when connected,
 * pings at it from now on. */
void
_tr_client_ws_update_heartbeat (TrClient *self);

void
_tr_client_set_unauthorized (TrClient *self, const char *reason, const char *message);
void
_tr_client_release_held_refusal (TrClient *self);

void
_tr_client_ws_start_attempt (TrClient *self);
/* A superseded host named @url as the new host (the 4410 reason, or a
 * polling 409's error.url): the next attempt goes there. Same scheme
 * only (http or https), never the current address. */
void
_tr_client_remember_new_host (TrClient *self, const char *url);

/* tr-client-polling.c */

void
_tr_client_poll_teardown (TrClient *self);

void
_tr_client_poll_failed (TrClient *self);

void
_tr_client_poll_touch (TrClient *self);

SoupMessage *
_tr_client_poll_message_new (TrClient *self, const char *method, const char *path);

GBytes *
_tr_client_poll_finish (TrClient *self, SoupSession *session, GAsyncResult *result, GError *error,
                        GBytes *body, TrClientPollRequest request);

void
_tr_client_poll_start_health (TrClient *self);

G_END_DECLS
