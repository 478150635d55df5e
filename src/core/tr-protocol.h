/* tr-protocol.h: protocol v1 frames, shared by the host, the client and
 * the CLI (docs/protocol.md is the reference)
 *
 * Builders return compact JSON text; the parser turns one text frame
 * into a TrFrame or a GError (TR_ERROR_PROTOCOL for a frame that is JSON
 * but not a valid message, TR_ERROR_INVALID from the codec for a bad op
 * or ticket inside it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tr-op.h"
#include "tr-store.h"

G_BEGIN_DECLS

#define TR_PROTOCOL_VERSION      1
#define TR_PROTOCOL_SUBPROTOCOL  "ticketrail.v1"
#define TR_DEFAULT_PORT          8787
#define TR_MAX_FRAME_BYTES       (64 * 1024)
#define TR_MAX_BODY_BYTES        (256 * 1024)
#define TR_MAX_LONG_POLL_SECONDS 30

/* WebSocket close codes (RFC 6455 private range 4000-4999 for ours). */
#define TR_CLOSE_NORMAL          1000
#define TR_CLOSE_GOING_AWAY      1001 /* host shutting down */
#define TR_CLOSE_UNSUPPORTED     1003 /* binary frame */
#define TR_CLOSE_TOO_BIG         1009 /* frame over TR_MAX_FRAME_BYTES */
#define TR_CLOSE_PROTOCOL        4000 /* malformed JSON, unknown type, op before hello, second hello */
#define TR_CLOSE_VERSION         4001 /* unsupported protocol version */
#define TR_CLOSE_HELLO_TIMEOUT   4008 /* no hello in time */
#define TR_CLOSE_TOO_SLOW        4009 /* fell too far behind; resume later */
#define TR_CLOSE_DEAD_PEER       4010 /* no frame within the heartbeat timeout */
#define TR_CLOSE_UNAUTHORIZED    4401
#define TR_CLOSE_REVOKED         4403
#define TR_CLOSE_RATE_LIMITED    4429
#define TR_CLOSE_SUPERSEDED      4410 /* a newer generation of this restaurant's host took over */

typedef enum
{
  TR_FRAME_HELLO,
  TR_FRAME_OP,
  TR_FRAME_OPS,
  TR_FRAME_PING,
  TR_FRAME_WELCOME,
  TR_FRAME_EVENTS,
  TR_FRAME_SNAPSHOT,
  TR_FRAME_ACK,
  TR_FRAME_PONG,
  TR_FRAME_ERROR,
  /* Host to one station: be my standby, pairing with this code (issue 17). */
  TR_FRAME_STANDBY_INVITE,
  /* Standby to host: its copy holds everything up to seq, durable. */
  TR_FRAME_STANDBY_ACK,
  TR_N_FRAME_TYPES
} TrFrameType;

const char *tr_frame_type_to_string (TrFrameType type);

/* The role of a customer order-ready board (a TV on the wall). A token
 * paired with it, or a hello that names it, may read but never change:
 * its ops are acked "forbidden" and write endpoints answer 403. */
#define TR_ROLE_BOARD "board"

/* TRUE for a role whose stations may not send ops (TR_ROLE_BOARD). */
gboolean tr_role_is_read_only (const char *role);

typedef struct
{
  TrFrameType  type;

  /* HELLO */
  int          protocol;
  char        *station_id;
  char        *station_name;
  char        *station_role;
  char        *token;          /* may be NULL */
  char        *host_id;        /* HELLO: last known host or NULL; WELCOME: the host's */
  gint64       since;          /* HELLO */
  char        *since_op;       /* HELLO: op id of the station's event @since, or NULL */

  /* OP / OPS: TrOp* (OP has exactly one) */
  GPtrArray   *ops;

  /* PING / PONG */
  gint64       t;
  gint64       last_seq;       /* PING: last seq the station applied; -1 if absent */
  guint        queued;         /* PING: the station's outbox length */

  /* WELCOME */
  gint64       head_seq;
  gint64       server_time;

  /* EVENTS: TrEvent*; SNAPSHOT: TrTicket* with seq */
  GPtrArray   *events;
  GPtrArray   *tickets;
  gint64       seq;            /* SNAPSHOT seq; ACK seq (0 when absent) */

  /* ACK */
  char        *op_id;
  TrApplyResult result;
  /* ACK error and ERROR frame */
  char        *error_code;
  char        *error_message;

  /* PING: the station's own measured round trip in ms; -1 if absent.
   * (Added last so the layout above stays as it was.) */
  gint64       latency_ms;

  /* WELCOME: the ms of silence after which the host drops a station, so
   * the station pings often enough (tr_timeouts_effective_interval());
   * 0 when absent (an older host) or out of range. */
  gint64       heartbeat_timeout_ms;

  /* HELLO: the highest generation of its restaurant's host the station
   * has seen (issue 17); 0 when absent. A host of a lower generation was
   * superseded and refuses ops. WELCOME: the host's own generation, 0
   * when absent (an older host). */
  gint64       gen;
  /* WELCOME: the host serves its training database; FALSE when absent
   * (an older host, which has no training mode). */
  gboolean     training;
  /* PONG: where this host's standby would serve if it were promoted
   * (issue 17): a station's fallback address; NULL when absent. */
  char        *standby_url;
  /* PONG: the host had a standby that is not in sync: a host failure
   * could lose the last changes; FALSE when absent. */
  gboolean     standby_warning;
  /* WELCOME: the host's lineage (the restaurant's id, tr-store-lineage.h),
   * with its gen above; NULL when absent (an older host). */
  char        *lineage;
  /* WELCOME and PONG: how many of the host's printers take a reprint
   * (issue 13); -1 when absent (an older host: unknown) or not a
   * non-negative integer (advice, ignored rather than a malformed frame). */
  gint64       printers;
  /* STANDBY_INVITE: the pairing code the station answers with. */
  char        *invite_code;
  /* STANDBY_ACK: the port its station would serve on once promoted;
   * 0 when absent (a headless standby). Its seq is @seq. */
  guint        standby_port;
} TrFrame;

void     tr_frame_free  (TrFrame *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrFrame, tr_frame_free)

/* Parses one text frame (any direction). */
TrFrame *tr_frame_parse (const char *data, gsize length, GError **error);

char *tr_frame_build_hello    (const char *station_id, const char *station_name,
                               const char *role, const char *token,
                               const char *host_id, gint64 since);
/* The same, proving the shared history: @since_op (nullable) is the op
 * id of the station's event @since. A host whose event @since came from
 * another op (a restored backup that went on differently) answers with
 * a snapshot. */
char *tr_frame_build_hello_resume (const char *station_id, const char *station_name,
                                   const char *role, const char *token,
                                   const char *host_id, gint64 since,
                                   const char *since_op);
/* The same, with the highest generation seen (0 leaves it out). */
char *tr_frame_build_hello_full (const char *station_id, const char *station_name,
                                 const char *role, const char *token,
                                 const char *host_id, gint64 since,
                                 const char *since_op, gint64 gen);
char *tr_frame_build_op       (const TrOp *op);
char *tr_frame_build_ops      (GPtrArray *ops /* TrOp* */);
char *tr_frame_build_ping     (gint64 t, gint64 last_seq, guint queued);
/* Same, also reporting the station's last measured round trip (-1: none),
 * which the host shows in its station list. */
char *tr_frame_build_ping_full (gint64 t, gint64 last_seq, guint queued, gint64 latency_ms);
char *tr_frame_build_pong     (gint64 t);
/* Same, also naming the standby's address (NULL leaves it out) and
 * saying "standby_warning": true when @standby_warning. */
char *tr_frame_build_pong_full (gint64 t, const char *standby_url, gboolean standby_warning);
/* Same, also saying how many printers take a reprint ("printers": N;
 * a negative @printers leaves it out). */
char *tr_frame_build_pong_printers (gint64 t, const char *standby_url, gboolean standby_warning,
                                    int printers);
char *tr_frame_build_welcome  (const char *host_id, gint64 head_seq, gint64 server_time);
/* Same, also announcing the host's heartbeat timeout (ms; 0 leaves it out). */
char *tr_frame_build_welcome_full (const char *host_id, gint64 head_seq, gint64 server_time,
                                   gint64 heartbeat_timeout_ms);
/* Same, also saying whether the host serves its training database
 * ("training": true|false, docs/training.md). */
char *tr_frame_build_welcome_training (const char *host_id, gint64 head_seq, gint64 server_time,
                                       gint64 heartbeat_timeout_ms, gboolean training);
/* Same, also saying how many printers take a reprint ("printers": N;
 * a negative @printers leaves it out). */
char *tr_frame_build_welcome_printers (const char *host_id, gint64 head_seq, gint64 server_time,
                                       gint64 heartbeat_timeout_ms, gboolean training,
                                       int printers);
/* Same, also naming the host's lineage and generation (both left out
 * when @lineage is NULL or @gen < 1), so that a station that reached it
 * without DNS-SD (a typed or fallback address) learns the generation too
 * and never goes back to an older host (issue 17). */
char *tr_frame_build_welcome_lineage (const char *host_id, gint64 head_seq, gint64 server_time,
                                      gint64 heartbeat_timeout_ms, gboolean training,
                                      int printers, const char *lineage, gint64 gen);
/* @events_json: already-encoded event objects, so the host serializes
 * each event once however many stations receive it. */
char *tr_frame_build_events   (GPtrArray *events /* TrEvent* */);
char *tr_frame_build_events_from_json (GPtrArray *event_json /* char* */);
char *tr_frame_build_snapshot (gint64 seq, GPtrArray *tickets /* TrTicket* */);
char *tr_frame_build_ack      (const TrOutcome *outcome);
char *tr_frame_build_error    (const char *code, const char *message);
char *tr_frame_build_standby_invite (const char *pairing_code);
/* @port 0: none (a headless standby). */
char *tr_frame_build_standby_ack (gint64 seq, guint port);

G_END_DECLS
