/* test-host.c: a real TrHost on loopback, driven by raw WebSocket and HTTP
 *
 * Every test runs a host on 127.0.0.1 with an ephemeral port over a real
 * store file in a fresh folder, and talks to it with plain SoupSession
 * connections, frame by frame, so that what is checked is the wire.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-host"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"
#include "tr-store.h"
#include "tr-store-private.h"

/* Nothing here measures time: this only bounds how long a test waits
 * for something that should happen before it calls it a failure. */
#define GIVE_UP_MS 120000

typedef struct
{
  char *dir;
  TrStore *store;
  TrHost *host;
  SoupSession *session;
  char *base_url;
  GPtrArray *peers;
  GHashTable *tokens; /* station id → token, paired on first use */
  char *http_token;   /* what http() sends as its bearer token */
} Fixture;

typedef struct
{
  Fixture *f;
  SoupWebsocketConnection *ws;
  GQueue frames; /* char*, text frames in arrival order */
  gboolean got_binary;
  gboolean closed;
} Peer;

/* ---- Waiting ---- */

static gboolean
give_up_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (Condition condition, gpointer data, const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (GIVE_UP_MS, give_up_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("gave up waiting for %s", what);
  g_source_remove (id);
}

/* Lets pending closes and async stream closes finish, so nothing is
 * left for the leak checker. */
static void
drain (void)
{
  gboolean done = FALSE;
  guint id = g_timeout_add (200, give_up_cb, &done);

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  (void)id;
}

/* ---- Fixture ---- */

static const char *
station_token (Fixture *f, const char *station_id);

static void
fixture_start (Fixture *f, gboolean websocket_enabled, guint max_lag, guint heartbeat_ms)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("test-host-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "ticketrail.db", NULL);
  f->store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);

  f->host = g_object_new (TR_TYPE_HOST, "store", f->store, "port", 0, "loopback-only", TRUE,
                          "websocket-enabled", websocket_enabled, "max-lag-events", max_lag,
                          "heartbeat-timeout", heartbeat_ms, NULL);
  g_assert_true (tr_host_start (f->host, &error));
  g_assert_no_error (error);
  g_assert_true (tr_host_is_running (f->host));
  g_assert_cmpuint (tr_host_get_bound_port (f->host), >, 0);
  g_assert_true (tr_host_get_store (f->host) == f->store);

  f->base_url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (f->host));
  f->session = soup_session_new ();
  f->peers = g_ptr_array_new ();
  f->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* The host requires pairing, as in production: the helpers pair each
   * station through POST /api/v1/pair the first time they use it. */
  {
    gboolean required = FALSE;

    g_object_get (f->host, "require-pairing", &required, NULL);
    g_assert_true (required);
  }
  f->http_token = g_strdup (station_token (f, "test-http"));
}

/* Long enough that no test depends on how fast it runs (valgrind makes
 * everything ~50x slower); only the dead-peer test shortens it. */
#define RELAXED_HEARTBEAT_MS (10 * 60 * 1000)

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 5000, RELAXED_HEARTBEAT_MS);
}

static void
peer_free (Peer *peer);

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  const char *names[] = { "ticketrail.db", "ticketrail.db-wal", "ticketrail.db-shm" };

  for (guint i = 0; i < f->peers->len; i++)
    peer_free (g_ptr_array_index (f->peers, i));
  g_ptr_array_unref (f->peers);
  tr_host_stop (f->host);
  g_assert_false (tr_host_is_running (f->host));
  g_assert_finalize_object (f->host);
  g_clear_object (&f->session);
  drain ();
  g_assert_finalize_object (f->store);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);

      g_unlink (path);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
  g_free (f->base_url);
  g_hash_table_unref (f->tokens);
  g_free (f->http_token);
}

/* ---- Store helpers ---- */

static TrTicket *
make_ticket (const char *table, guint n_items)
{
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup (table);
  for (guint i = 0; i < n_items; i++)
    {
      TrItem *item = tr_item_new ();

      item->id = tr_uuid_new ();
      item->name = g_strdup_printf ("Dish %u", i + 1);
      g_ptr_array_add (ticket->items, item);
    }
  return ticket;
}

/* Creates a ticket through the host (fan-out included); returns its id. */
static char *
submit_ticket (Fixture *f)
{
  g_autoptr (TrTicket) ticket = make_ticket ("7", 2);
  g_autoptr (TrOp) op = tr_op_new_create_ticket ("test", ticket);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOutcome) outcome = tr_host_submit_op (f->host, op, &error);

  g_assert_no_error (error);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
  return g_strdup (ticket->id);
}

static char *
first_item_id (Fixture *f, const char *ticket_id)
{
  g_autoptr (TrTicket) ticket = tr_store_get_ticket (f->store, ticket_id, NULL);
  TrItem *item;

  g_assert_nonnull (ticket);
  item = g_ptr_array_index (ticket->items, 0);
  return g_strdup (item->id);
}

/* ---- HTTP ---- */

typedef struct
{
  SoupMessage *msg;
  GBytes *body;
  GError *error;
  gboolean done;
} Exchange;

static void
exchange_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Exchange *exchange = user_data;

  exchange->body
    = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &exchange->error);
  exchange->done = TRUE;
}

static gboolean
exchange_is_done (gpointer data)
{
  return ((Exchange *)data)->done;
}

/* @token: the bearer token to send, or NULL for none. */
static void
exchange_start_full (Fixture *f, Exchange *exchange, const char *method, const char *path,
                     const char *body, const char *token)
{
  g_autofree char *url = g_strconcat (f->base_url, path, NULL);

  memset (exchange, 0, sizeof *exchange);
  exchange->msg = soup_message_new (method, url);
  g_assert_nonnull (exchange->msg);
  if (token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (exchange->msg),
                                    "Authorization", bearer);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (exchange->msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (f->session, exchange->msg, G_PRIORITY_DEFAULT, NULL,
                                    exchange_done_cb, exchange);
}

static void
exchange_start (Fixture *f, Exchange *exchange, const char *method, const char *path,
                const char *body)
{
  exchange_start_full (f, exchange, method, path, body, f->http_token);
}

/* Returns the body as a string; @status receives the HTTP status. */
static char *
exchange_finish (Exchange *exchange, guint *status)
{
  gsize length;
  const char *data;
  char *text;

  wait_for (exchange_is_done, exchange, "an HTTP response");
  g_assert_no_error (exchange->error);
  *status = soup_message_get_status (exchange->msg);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (exchange->msg),
                                                 "Cache-Control"),
                   ==, "no-store");
  data = g_bytes_get_data (exchange->body, &length);
  text = g_strndup (data, length);
  g_bytes_unref (exchange->body);
  g_object_unref (exchange->msg);
  return text;
}

static char *
http (Fixture *f, const char *method, const char *path, const char *body, guint *status)
{
  Exchange exchange;

  exchange_start (f, &exchange, method, path, body);
  return exchange_finish (&exchange, status);
}

static char *
http_with_token (Fixture *f, const char *method, const char *path, const char *body,
                 const char *token, guint *status)
{
  Exchange exchange;

  exchange_start_full (f, &exchange, method, path, body, token);
  return exchange_finish (&exchange, status);
}

static JsonObject *
parse_object (const char *text, JsonNode **holder);

/* Pairs @station_id with a fresh code from the host; returns its token. */
static char *
pair_station (Fixture *f, const char *station_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = tr_host_new_pairing_code (f->host, NULL, &error);
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;
  guint status = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (code), ==, 6);
  body = g_strdup_printf ("{\"code\":\"%s\",\"station\":{\"id\":\"%s\",\"name\":\"Test\","
                          "\"role\":\"kitchen\"}}",
                          code, station_id);
  text = http_with_token (f, "POST", "/api/v1/pair", body, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  object = parse_object (text, &node);
  g_assert_cmpstr (json_object_get_string_member (object, "station_id"), ==, station_id);
  g_assert_cmpstr (json_object_get_string_member (object, "host_id"), ==,
                   tr_store_get_db_id (f->store));
  g_assert_true (json_object_get_null_member (object, "fingerprint"));
  /* 256 bits as hex. */
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "token")), ==, 64);
  return g_strdup (json_object_get_string_member (object, "token"));
}

static const char *
station_token (Fixture *f, const char *station_id)
{
  const char *token = g_hash_table_lookup (f->tokens, station_id);

  if (token == NULL)
    {
      token = pair_station (f, station_id);
      g_hash_table_insert (f->tokens, g_strdup (station_id), (char *)token);
    }
  return token;
}

static JsonObject *
parse_object (const char *text, JsonNode **holder)
{
  g_autoptr (GError) error = NULL;

  *holder = tr_json_parse (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*holder));
  return json_node_get_object (*holder);
}

static void
assert_http_error (const char *text, const char *code, const char *message_part)
{
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object = parse_object (text, &node);
  JsonObject *error = json_object_get_object_member (object, "error");

  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  if (message_part != NULL
      && strstr (json_object_get_string_member (error, "message"), message_part) == NULL)
    g_error ("error message \"%s\" does not mention \"%s\"",
             json_object_get_string_member (error, "message"), message_part);
}

static gint64
health_head_seq (Fixture *f)
{
  guint status = 0;
  g_autofree char *text = http (f, "GET", "/api/v1/health", NULL, &status);
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;

  g_assert_cmpuint (status, ==, 200);
  object = parse_object (text, &node);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "ok");
  return json_object_get_int_member (object, "head_seq");
}

/* ---- WebSocket peers ---- */

static void
on_peer_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  Peer *peer = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      peer->got_binary = TRUE;
      return;
    }
  g_queue_push_tail (&peer->frames, g_strndup (data, length));
}

static void
on_peer_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  Peer *peer = user_data;

  peer->closed = TRUE;
}

typedef struct
{
  SoupWebsocketConnection *ws;
  GError *error;
  gboolean done;
} Connecting;

static void
connect_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Connecting *connecting = user_data;

  connecting->ws
    = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &connecting->error);
  connecting->done = TRUE;
}

static gboolean
connecting_done (gpointer data)
{
  return ((Connecting *)data)->done;
}

/* Connects on @session (the fixture's when NULL); @msg_out, if given,
 * receives the handshake message. NULL with @error on failure. */
static Peer *
peer_connect_full (Fixture *f, SoupSession *session, SoupMessage **msg_out, GError **error)
{
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autofree char *url = g_strconcat (f->base_url, "/api/v1/ws", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  Connecting connecting = { 0 };
  Peer *peer;

  soup_session_websocket_connect_async (session ? session : f->session, msg, NULL,
                                        (char **)protocols, G_PRIORITY_DEFAULT, NULL,
                                        connect_done_cb, &connecting);
  wait_for (connecting_done, &connecting, "the WebSocket handshake");
  if (msg_out != NULL)
    *msg_out = g_object_ref (msg);
  if (connecting.ws == NULL)
    {
      g_propagate_error (error, connecting.error);
      return NULL;
    }

  peer = g_new0 (Peer, 1);
  peer->f = f;
  peer->ws = connecting.ws;
  g_queue_init (&peer->frames);
  /* Snapshots and catch-up frames may exceed what a station sends. */
  soup_websocket_connection_set_max_incoming_payload_size (peer->ws, 64 * 1024 * 1024);
  soup_websocket_connection_set_keepalive_interval (peer->ws, 0);
  g_signal_connect (peer->ws, "message", G_CALLBACK (on_peer_message), peer);
  g_signal_connect (peer->ws, "closed", G_CALLBACK (on_peer_closed), peer);
  g_ptr_array_add (f->peers, peer);
  return peer;
}

static Peer *
peer_connect (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  Peer *peer = peer_connect_full (f, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (peer->ws), ==, TR_PROTOCOL_SUBPROTOCOL);
  return peer;
}

static gboolean
peer_is_closed (gpointer data)
{
  return ((Peer *)data)->closed;
}

static void
peer_free (Peer *peer)
{
  if (soup_websocket_connection_get_state (peer->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  wait_for (peer_is_closed, peer, "the peer to close");
  g_signal_handlers_disconnect_by_data (peer->ws, peer);
  g_object_unref (peer->ws);
  g_queue_clear_full (&peer->frames, g_free);
  g_free (peer);
}

static void
peer_send (Peer *peer, const char *text)
{
  g_assert_cmpint (soup_websocket_connection_get_state (peer->ws), ==, SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (peer->ws, text);
}

static gboolean
peer_has_frame_or_closed (gpointer data)
{
  Peer *peer = data;

  return !g_queue_is_empty (&peer->frames) || peer->closed;
}

/* The next text frame, as sent. */
static char *
peer_next_text (Peer *peer)
{
  wait_for (peer_has_frame_or_closed, peer, "a frame from the host");
  if (g_queue_is_empty (&peer->frames))
    g_error ("the host closed the connection (code %u) instead of sending a frame",
             soup_websocket_connection_get_close_code (peer->ws));
  return g_queue_pop_head (&peer->frames);
}

static TrFrame *
peer_next_frame (Peer *peer, TrFrameType expected)
{
  g_autofree char *text = peer_next_text (peer);
  g_autoptr (GError) error = NULL;
  TrFrame *frame = tr_frame_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  if (frame->type != expected)
    g_error ("expected a %s frame, got %s", tr_frame_type_to_string (expected), text);
  return frame;
}

/* Waits for the close and returns its code, after checking the frames
 * that came before it: an error frame with @error_code when given. */
static gushort
peer_wait_close (Peer *peer, const char *error_code)
{
  wait_for (peer_is_closed, peer, "the host to close the connection");
  if (error_code != NULL)
    {
      gboolean found = FALSE;

      for (GList *l = peer->frames.head; l != NULL; l = l->next)
        {
          g_autoptr (TrFrame) frame = tr_frame_parse (l->data, strlen (l->data), NULL);

          if (frame != NULL && frame->type == TR_FRAME_ERROR)
            {
              g_assert_cmpstr (frame->error_code, ==, error_code);
              g_assert_nonnull (frame->error_message);
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
  return soup_websocket_connection_get_close_code (peer->ws);
}

static TrFrame *
peer_hello (Peer *peer, const char *station_id, const char *host_id, gint64 since)
{
  g_autofree char *hello = tr_frame_build_hello (station_id, "Test station", "kitchen",
                                                 station_token (peer->f, station_id), host_id,
                                                 since);

  peer_send (peer, hello);
  return peer_next_frame (peer, TR_FRAME_WELCOME);
}

/* A ping round trip proves the host sent nothing else in between: frames
 * on one connection arrive in order. */
static void
peer_assert_nothing_pending (Peer *peer)
{
  g_autofree char *ping = tr_frame_build_ping (424242, -1, 0);
  g_autoptr (TrFrame) pong = NULL;

  peer_send (peer, ping);
  pong = peer_next_frame (peer, TR_FRAME_PONG);
  g_assert_cmpint (pong->t, ==, 424242);
}

/* Sends @op and returns its ack, after checking that the events frame
 * (when the op applied) came first. */
static TrFrame *
peer_send_op (Peer *peer, const TrOp *op)
{
  g_autofree char *text = tr_frame_build_op (op);
  TrFrame *frame;

  peer_send (peer, text);
  frame = peer_next_frame (peer, TR_FRAME_ACK);
  g_assert_cmpstr (frame->op_id, ==, op->op_id);
  return frame;
}

/* "Send Test Ticket to Every Screen": the ticket reaches each connected
 * screen, which says so in its ping; the answer names every paired
 * station, and the ticket is cancelled afterwards. */
static void
test_screens (Fixture *f, gconstpointer data)
{
  Peer *grill = peer_connect (f);
  Peer *expo = peer_connect (f);
  g_autoptr (TrFrame) grill_welcome = peer_hello (grill, "grill", NULL, 0);
  g_autoptr (TrFrame) expo_welcome = peer_hello (expo, "expo", NULL, 0);
  g_autoptr (TrFrame) grill_snapshot = peer_next_frame (grill, TR_FRAME_SNAPSHOT);
  g_autoptr (TrFrame) expo_snapshot = peer_next_frame (expo, TR_FRAME_SNAPSHOT);
  g_autoptr (TrFrame) created = NULL;
  g_autoptr (TrFrame) cancelled = NULL;
  g_autoptr (TrTicket) stored = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *ticket_id = NULL;
  Peer *peers[] = { grill, expo };
  Exchange exchange;
  JsonObject *object;
  JsonArray *stations;
  TrEvent *event;
  guint status = 0;

  /* Bad input changes nothing. */
  text = http (f, "POST", "/api/v1/test-screens?timeout_ms=5", NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", "timeout_ms");
  g_clear_pointer (&text, g_free);
  text = http_with_token (f, "POST", "/api/v1/test-screens", NULL, "not-a-token", &status);
  g_assert_cmpuint (status, ==, 401);
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 0);

  station_token (f, "bar"); /* paired, never connects */
  /* Generous: it ends as soon as every connected screen has said so. */
  exchange_start (f, &exchange, "POST", "/api/v1/test-screens?timeout_ms=120000", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    {
      g_autoptr (TrFrame) events = peer_next_frame (peers[i], TR_FRAME_EVENTS);

      /* A polling station reports with the since of its next poll. */
      if (i == 0)
        {
          g_autofree char *path = g_strdup_printf (
            "/api/v1/events?since=1&wait=0&host_id=%s", tr_store_get_db_id (f->store));

          g_free (http (f, "GET", path, NULL, &status));
          g_assert_cmpuint (status, ==, 200);
        }
      g_autofree char *ping = NULL;
      g_autoptr (TrFrame) pong = NULL;

      g_assert_cmpuint (events->events->len, ==, 1);
      event = g_ptr_array_index (events->events, 0);
      g_assert_cmpstr (event->ticket->external_ref, ==, "screen-test");
      g_assert_cmpint (event->ticket->status, ==, TR_TICKET_STATUS_NEW);
      g_free (ticket_id);
      ticket_id = g_strdup (event->ticket->id);
      ping = tr_frame_build_ping (1, event->seq, 0);
      peer_send (peers[i], ping);
      pong = peer_next_frame (peers[i], TR_FRAME_PONG);
    }
  text = exchange_finish (&exchange, &status);
  g_assert_cmpuint (status, ==, 200);
  object = parse_object (text, &node);
  g_assert_cmpstr (json_object_get_string_member (object, "ticket_id"), ==, ticket_id);
  g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "shown"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "no_answer"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "offline"), ==, 1);
  stations = json_object_get_array_member (object, "stations");
  g_assert_cmpuint (json_array_get_length (stations), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *station = json_array_get_object_element (stations, i);
      const char *id = json_object_get_string_member (station, "station");

      if (g_str_equal (id, "bar"))
        g_assert_cmpstr (json_object_get_string_member (station, "state"), ==, "offline");
      else
        {
          g_assert_cmpstr (json_object_get_string_member (station, "state"), ==, "shown");
          g_assert_cmpint (json_object_get_int_member (station, "shown_after_ms"), >=, 0);
        }
    }

  /* Then it clears itself, on every screen. */
  cancelled = peer_next_frame (grill, TR_FRAME_EVENTS);
  event = g_ptr_array_index (cancelled->events, 0);
  g_assert_cmpstr (event->ticket->id, ==, ticket_id);
  g_assert_cmpint (event->ticket->status, ==, TR_TICKET_STATUS_CANCELLED);
  stored = tr_store_get_ticket (f->store, ticket_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->status, ==, TR_TICKET_STATUS_CANCELLED);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 2);
}

/* ticketrail-ctl test-screens, against this host: a screen that is
 * connected and never reports the ticket makes it fail, by name. */
typedef struct
{
  char *out;
  int status;
  gboolean done;
} CtlRun;

static void
ctl_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CtlRun *run = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, NULL, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  run->done = TRUE;
}

static gboolean
ctl_is_done (gpointer data)
{
  return ((CtlRun *)data)->done;
}

static void
test_screens_ctl (Fixture *f, gconstpointer data)
{
  const char *ctl = g_getenv ("TICKETRAIL_CTL_BIN");
  Peer *grill = peer_connect (f);
  g_autoptr (TrFrame) welcome = peer_hello (grill, "grill", NULL, 0);
  g_autoptr (TrFrame) snapshot = peer_next_frame (grill, TR_FRAME_SNAPSHOT);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  CtlRun run = { NULL, -1, FALSE };

  g_assert_nonnull (ctl); /* tests/meson.build sets it */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, ctl, "--host", f->base_url,
                              "--token", f->http_token, "test-screens", "--wait", "2", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, ctl_done_cb, &run);
  /* The grill gets the ticket and never says so. */
  {
    g_autoptr (TrFrame) events = peer_next_frame (grill, TR_FRAME_EVENTS);

    g_assert_cmpstr (((TrEvent *)g_ptr_array_index (events->events, 0))->ticket->external_ref, ==,
                     "screen-test");
  }
  wait_for (ctl_is_done, &run, "ticketrail-ctl test-screens");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.out, "Test station"));
  g_assert_nonnull (strstr (run.out, "did not show it in time"));
  g_assert_nonnull (strstr (run.out, "0 shown, 1 did not answer, 1 offline"));
  g_free (run.out);
}

/* Another station can still connect, say hello and get an op applied. */
static void
assert_host_still_serves (Fixture *f)
{
  g_autofree char *ticket_id = submit_ticket (f);
  Peer *peer;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (TrFrame) snapshot = NULL;
  g_autoptr (TrFrame) events = NULL;
  g_autoptr (TrFrame) ack = NULL;
  g_autoptr (TrOp) op = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpint (health_head_seq (f), ==, tr_store_get_head_seq (f->store));

  peer = peer_connect (f);
  welcome = peer_hello (peer, "bystander", NULL, 0);
  snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);
  op = tr_op_new_set_ticket_status ("bystander", ticket_id, TR_TICKET_STATUS_PREPARING);
  text = tr_frame_build_op (op);
  peer_send (peer, text);
  events = peer_next_frame (peer, TR_FRAME_EVENTS);
  g_assert_cmpuint (events->events->len, ==, 1);
  g_assert_cmpstr (((TrEvent *)g_ptr_array_index (events->events, 0))->op_id, ==, op->op_id);
  ack = peer_next_frame (peer, TR_FRAME_ACK);
  g_assert_cmpint (ack->result, ==, TR_APPLY_APPLIED);
}

/* ---- Tests ---- */

static void
test_health (Fixture *f, gconstpointer data)
{
  Exchange exchange;
  guint status = 0;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;
  const char *server;

  exchange_start (f, &exchange, "GET", "/api/v1/health", NULL);
  wait_for (exchange_is_done, &exchange, "health");
  server
    = soup_message_headers_get_one (soup_message_get_response_headers (exchange.msg), "Server");
  g_assert_true (g_str_has_prefix (server, "ticketrail/"));
  g_assert_cmpstr (
    soup_message_headers_get_content_type (soup_message_get_response_headers (exchange.msg), NULL),
    ==, "application/json");
  text = exchange_finish (&exchange, &status);
  g_assert_cmpuint (status, ==, 200);
  object = parse_object (text, &node);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (object, "host_id"), ==,
                   tr_store_get_db_id (f->store));
  g_assert_cmpint (json_object_get_int_member (object, "head_seq"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "stations"), ==, 0);
  g_assert_nonnull (json_object_get_string_member (object, "version"));
  g_clear_pointer (&text, g_free);

  g_free (submit_ticket (f));
  g_assert_cmpint (health_head_seq (f), ==, 1);

  text = http (f, "POST", "/api/v1/health", "{}", &status);
  g_assert_cmpuint (status, ==, 405);
  assert_http_error (text, "method_not_allowed", "POST");
  g_clear_pointer (&text, g_free);

  text = http (f, "GET", "/api/v1/nothing-here", NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  assert_http_error (text, "not_found", NULL);
}

static void
test_hello_snapshot (Fixture *f, gconstpointer data)
{
  Peer *peer;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (TrFrame) snapshot = NULL;
  g_autoptr (GPtrArray) stations = NULL;
  TrStationInfo *info;
  guint n_stations = 0;

  for (int i = 0; i < 3; i++)
    g_free (submit_ticket (f));

  peer = peer_connect (f);
  welcome = peer_hello (peer, "station-a", NULL, 0);
  g_assert_cmpstr (welcome->host_id, ==, tr_store_get_db_id (f->store));
  g_assert_cmpint (welcome->head_seq, ==, 3);
  g_assert_cmpint (welcome->server_time, >, 0);

  snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);
  g_assert_cmpint (snapshot->seq, ==, 3);
  g_assert_cmpuint (snapshot->tickets->len, ==, 3);
  peer_assert_nothing_pending (peer);

  g_object_get (f->host, "n-stations", &n_stations, NULL);
  g_assert_cmpuint (n_stations, ==, 1);
  stations = tr_host_list_stations (f->host);
  /* station-a, connected, then the fixture's HTTP station, paired only. */
  g_assert_cmpuint (stations->len, ==, 2);
  g_assert_false (((TrStationInfo *)g_ptr_array_index (stations, 1))->connected);
  info = g_ptr_array_index (stations, 0);
  g_assert_cmpstr (info->station_id, ==, "station-a");
  g_assert_cmpstr (info->name, ==, "Test station");
  g_assert_cmpstr (info->role, ==, "kitchen");
  g_assert_cmpstr (info->transport, ==, "websocket");
  g_assert_cmpstr (info->address, ==, "127.0.0.1");
  g_assert_true (info->connected);
  g_assert_cmpuint (info->reconnects, ==, 0);
}

static void
test_hello_resume (Fixture *f, gconstpointer data)
{
  const char *host_id = tr_store_get_db_id (f->store);
  Peer *peer;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (TrFrame) events = NULL;
  Peer *current;
  g_autoptr (TrFrame) current_welcome = NULL;

  for (int i = 0; i < 5; i++)
    g_free (submit_ticket (f));

  peer = peer_connect (f);
  welcome = peer_hello (peer, "station-b", host_id, 2);
  g_assert_cmpint (welcome->head_seq, ==, 5);
  events = peer_next_frame (peer, TR_FRAME_EVENTS);
  g_assert_cmpuint (events->events->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (((TrEvent *)g_ptr_array_index (events->events, i))->seq, ==, 3 + i);
  peer_assert_nothing_pending (peer);

  /* Already at the head: the welcome is all there is. */
  current = peer_connect (f);
  current_welcome = peer_hello (current, "station-c", host_id, 5);
  g_assert_cmpint (current_welcome->head_seq, ==, 5);
  peer_assert_nothing_pending (current);
}

static void
test_hello_catch_up_in_chunks (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  Peer *peer;
  g_autoptr (TrFrame) welcome = NULL;
  gint64 expected = 1;

  /* One group commit, fanned out to no one yet. */
  for (int i = 0; i < 1500; i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket ("9", 1);

      g_ptr_array_add (ops, tr_op_new_create_ticket ("bulk", ticket));
    }
  outcomes = tr_host_submit_ops (f->host, ops, &error);
  g_assert_no_error (error);

  peer = peer_connect (f);
  welcome = peer_hello (peer, "station-d", tr_store_get_db_id (f->store), 1);
  g_assert_cmpint (welcome->head_seq, ==, 1500);
  while (expected < 1500)
    {
      g_autoptr (TrFrame) events = peer_next_frame (peer, TR_FRAME_EVENTS);

      g_assert_cmpuint (events->events->len, >, 0);
      g_assert_cmpuint (events->events->len, <=, 1000);
      for (guint i = 0; i < events->events->len; i++)
        g_assert_cmpint (((TrEvent *)g_ptr_array_index (events->events, i))->seq, ==, ++expected);
    }
  g_assert_cmpint (expected, ==, 1500);
  peer_assert_nothing_pending (peer);
}

static void
test_hello_snapshot_cases (Fixture *f, gconstpointer data)
{
  for (int i = 0; i < 4; i++)
    g_free (submit_ticket (f));

  /* Another host's seq numbers mean nothing here. */
  {
    Peer *peer = peer_connect (f);
    g_autoptr (TrFrame) welcome = peer_hello (peer, "station-e", "some-other-host", 2);
    g_autoptr (TrFrame) snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);

    g_assert_cmpint (snapshot->seq, ==, 4);
    g_assert_cmpuint (snapshot->tickets->len, ==, 4);
  }
  /* Ahead of the head: it followed a host with more history. */
  {
    Peer *peer = peer_connect (f);
    g_autoptr (TrFrame) welcome = peer_hello (peer, "station-f", tr_store_get_db_id (f->store), 9);
    g_autoptr (TrFrame) snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);

    g_assert_cmpint (snapshot->seq, ==, 4);
  }
  /* Behind the log's tail after pruning. */
  {
    g_autoptr (GError) error = NULL;
    Peer *peer;
    g_autoptr (TrFrame) welcome = NULL;
    g_autoptr (TrFrame) snapshot = NULL;

    g_assert_true (tr_store_prune_events (f->store, 1, &error));
    g_assert_no_error (error);
    peer = peer_connect (f);
    welcome = peer_hello (peer, "station-g", tr_store_get_db_id (f->store), 2);
    snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);
    g_assert_cmpint (snapshot->seq, ==, 4);
  }
}

static void
test_duplicate_ws_then_http (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  g_autofree char *op_json = NULL;
  g_autofree char *body = NULL;
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (TrFrame) snapshot = NULL;
  g_autoptr (TrFrame) events = NULL;
  g_autoptr (TrFrame) ack = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GPtrArray) log = NULL;
  g_autofree char *text = NULL;
  JsonArray *acks;
  JsonObject *second;
  guint status = 0;
  guint with_op = 0;
  Peer *peer;

  peer = peer_connect (f);
  welcome = peer_hello (peer, "station-h", NULL, 0);
  snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);

  op = tr_op_new_set_ticket_status ("station-h", ticket_id, TR_TICKET_STATUS_PREPARING);
  text = tr_frame_build_op (op);
  peer_send (peer, text);
  /* The effect first, then the ack. */
  events = peer_next_frame (peer, TR_FRAME_EVENTS);
  g_assert_cmpuint (events->events->len, ==, 1);
  g_assert_cmpint (((TrEvent *)g_ptr_array_index (events->events, 0))->seq, ==, 2);
  ack = peer_next_frame (peer, TR_FRAME_ACK);
  g_assert_cmpstr (ack->op_id, ==, op->op_id);
  g_assert_cmpint (ack->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (ack->seq, ==, 2);

  op_json = tr_op_to_string (op);
  body = http (f, "POST", "/api/v1/ops", op_json, &status);
  g_assert_cmpuint (status, ==, 200);
  acks = json_object_get_array_member (parse_object (body, &node), "acks");
  g_assert_cmpuint (json_array_get_length (acks), ==, 1);
  second = json_array_get_object_element (acks, 0);
  g_assert_cmpstr (json_object_get_string_member (second, "op_id"), ==, op->op_id);
  g_assert_cmpstr (json_object_get_string_member (second, "result"), ==, "duplicate");
  g_assert_cmpstr (json_object_get_string_member (second, "original"), ==, "applied");
  g_assert_cmpint (json_object_get_int_member (second, "seq"), ==, 2);

  /* Exactly one event in the log carries the op. */
  log = tr_store_read_events (f->store, 0, 0, NULL);
  for (guint i = 0; i < log->len; i++)
    if (g_strcmp0 (((TrEvent *)g_ptr_array_index (log, i))->op_id, op->op_id) == 0)
      with_op++;
  g_assert_cmpuint (with_op, ==, 1);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 2);
  /* And the duplicate fanned nothing out. */
  peer_assert_nothing_pending (peer);
}

static void
test_http_ops_batch_and_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  g_autofree char *item_id = first_item_id (f, ticket_id);
  g_autoptr (TrOp) a
    = tr_op_new_set_item_status ("pos", ticket_id, item_id, TR_ITEM_STATUS_PREPARING);
  g_autoptr (TrOp) b = tr_op_new_set_ticket_status ("pos", ticket_id, TR_TICKET_STATUS_SERVED);
  g_autofree char *a_json = tr_op_to_string (a);
  g_autofree char *b_json = tr_op_to_string (b);
  g_autofree char *batch = g_strdup_printf ("[%s,%s]", a_json, b_json);
  g_autofree char *bad_batch = g_strdup_printf ("[%s,{\"op_id\":\"x\"}]", a_json);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonArray *acks;
  guint status = 0;

  text = http (f, "POST", "/api/v1/ops", batch, &status);
  g_assert_cmpuint (status, ==, 200);
  acks = json_object_get_array_member (parse_object (text, &node), "acks");
  g_assert_cmpuint (json_array_get_length (acks), ==, 2);
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (acks, 0), "result"), ==,
    "applied");
  /* new → served is not a transition. */
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (acks, 1), "result"), ==,
    "rejected");
  g_assert_cmpstr (
    json_object_get_string_member (
      json_object_get_object_member (json_array_get_object_element (acks, 1), "error"), "code"),
    ==, "illegal_transition");
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 2);
  g_clear_pointer (&text, g_free);

  /* A malformed body applies nothing and names the field. */
  text = http (f, "POST", "/api/v1/ops", bad_batch, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", "[1].");
  g_clear_pointer (&text, g_free);
  text = http (f, "POST", "/api/v1/ops", "{\"op_id\":", &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", NULL);
  g_clear_pointer (&text, g_free);
  text = http (f, "POST", "/api/v1/ops", "[]", &status);
  g_assert_cmpuint (status, ==, 400);
  g_clear_pointer (&text, g_free);
  text = http (f, "POST", "/api/v1/ops", "42", &status);
  g_assert_cmpuint (status, ==, 400);
  g_clear_pointer (&text, g_free);
  text = http (f, "GET", "/api/v1/ops", NULL, &status);
  g_assert_cmpuint (status, ==, 405);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 2);
}

static void
test_fan_out (Fixture *f, gconstpointer data)
{
  enum
  {
    N_PEERS = 12
  };
  Peer *peers[N_PEERS];
  g_autofree char *first_text = NULL;
  g_autofree char *body = NULL;
  g_autofree char *ticket_id = NULL;
  g_autofree char *item_id = NULL;
  g_autofree char *bump_text = NULL;
  g_autoptr (TrOp) bump = NULL;
  g_autoptr (TrFrame) bump_ack = NULL;
  g_autoptr (JsonNode) node = NULL;
  guint status = 0;

  for (int i = 0; i < N_PEERS; i++)
    {
      g_autofree char *id = g_strdup_printf ("fan-%02d", i);
      g_autoptr (TrFrame) welcome = NULL;
      g_autoptr (TrFrame) snapshot = NULL;

      peers[i] = peer_connect (f);
      welcome = peer_hello (peers[i], id, NULL, 0);
      snapshot = peer_next_frame (peers[i], TR_FRAME_SNAPSHOT);
    }

  /* A POS ticket reaches everyone, as the very same bytes. */
  body = http (f, "POST", "/api/v1/tickets",
               "{\"table\":\"4\",\"items\":[{\"name\":\"Soup\",\"quantity\":1},"
               "{\"name\":\"Bread\",\"quantity\":2}]}",
               &status);
  g_assert_cmpuint (status, ==, 201);
  ticket_id = g_strdup (json_object_get_string_member (parse_object (body, &node), "id"));
  for (int i = 0; i < N_PEERS; i++)
    {
      g_autofree char *text = peer_next_text (peers[i]);
      g_autoptr (TrFrame) frame = tr_frame_parse (text, strlen (text), NULL);

      g_assert_nonnull (frame);
      g_assert_cmpint (frame->type, ==, TR_FRAME_EVENTS);
      g_assert_cmpuint (frame->events->len, ==, 1);
      g_assert_cmpstr (((TrEvent *)g_ptr_array_index (frame->events, 0))->ticket->id, ==,
                       ticket_id);
      if (first_text == NULL)
        first_text = g_strdup (text);
      else
        g_assert_cmpstr (text, ==, first_text);
    }

  /* An item bump from one station reaches all the others. */
  item_id = first_item_id (f, ticket_id);
  bump = tr_op_new_set_item_status ("fan-00", ticket_id, item_id, TR_ITEM_STATUS_READY);
  bump_text = tr_frame_build_op (bump);
  peer_send (peers[0], bump_text);
  g_clear_pointer (&first_text, g_free);
  for (int i = 0; i < N_PEERS; i++)
    {
      g_autofree char *text = peer_next_text (peers[i]);
      g_autoptr (TrFrame) frame = tr_frame_parse (text, strlen (text), NULL);
      TrEvent *event;

      g_assert_cmpint (frame->type, ==, TR_FRAME_EVENTS);
      event = g_ptr_array_index (frame->events, 0);
      g_assert_cmpstr (event->op_id, ==, bump->op_id);
      g_assert_cmpint (((TrItem *)g_ptr_array_index (event->ticket->items, 0))->status, ==,
                       TR_ITEM_STATUS_READY);
      if (first_text == NULL)
        first_text = g_strdup (text);
      else
        g_assert_cmpstr (text, ==, first_text);
    }
  bump_ack = peer_next_frame (peers[0], TR_FRAME_ACK);
  g_assert_cmpint (bump_ack->result, ==, TR_APPLY_APPLIED);
  for (int i = 1; i < N_PEERS; i++)
    peer_assert_nothing_pending (peers[i]);
}

static void
test_group_commit_batch (Fixture *f, gconstpointer data)
{
  Peer *peer = peer_connect (f);
  g_autoptr (TrFrame) welcome = peer_hello (peer, "batcher", NULL, 0);
  g_autoptr (TrFrame) snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autofree char *text = NULL;
  guint n_events = 0;

  for (int i = 0; i < 5; i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket ("B", 1);

      g_ptr_array_add (ops, tr_op_new_create_ticket ("batcher", ticket));
    }
  text = tr_frame_build_ops (ops);
  peer_send (peer, text);

  /* All five events before any ack, then the acks in order. */
  while (n_events < 5)
    {
      g_autoptr (TrFrame) events = peer_next_frame (peer, TR_FRAME_EVENTS);

      n_events += events->events->len;
    }
  g_assert_cmpuint (n_events, ==, 5);
  for (int i = 0; i < 5; i++)
    {
      g_autoptr (TrFrame) ack = peer_next_frame (peer, TR_FRAME_ACK);

      g_assert_cmpstr (ack->op_id, ==, ((TrOp *)g_ptr_array_index (ops, i))->op_id);
      g_assert_cmpint (ack->result, ==, TR_APPLY_APPLIED);
      g_assert_cmpint (ack->seq, ==, i + 1);
    }
}

/* ---- Bad input ---- */

static Peer *
hello_peer (Fixture *f, const char *station_id)
{
  Peer *peer = peer_connect (f);
  g_autoptr (TrFrame) welcome = peer_hello (peer, station_id, NULL, 0);
  g_autoptr (TrFrame) snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);

  return peer;
}

static void
test_bad_malformed_json (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "bad-json");

  peer_send (peer, "{\"type\":\"ping\",");
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_PROTOCOL);
  assert_host_still_serves (f);
}

static void
test_bad_not_an_object (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "bad-array");

  peer_send (peer, "[\"hello\"]");
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_PROTOCOL);
  assert_host_still_serves (f);
}

static void
test_bad_unknown_type (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "bad-type");
  Peer *other = hello_peer (f, "bad-type-2");

  peer_send (peer, "{\"type\":\"subscribe\",\"topic\":\"all\"}");
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_PROTOCOL);
  /* Host-to-station frames are unknown types too when a station sends them. */
  peer_send (other, "{\"type\":\"pong\",\"t\":1}");
  g_assert_cmpuint (peer_wait_close (other, "protocol"), ==, TR_CLOSE_PROTOCOL);
  assert_host_still_serves (f);
}

static void
test_bad_binary (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "bad-binary");
  static const guint8 bytes[] = { 0x00, 0xff, 0x10 };

  soup_websocket_connection_send_binary (peer->ws, bytes, sizeof bytes);
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_UNSUPPORTED);
  assert_host_still_serves (f);
}

static char *
big_ping (gsize size)
{
  GString *big = g_string_new ("{\"type\":\"ping\",\"t\":1,\"pad\":\"");

  while (big->len < size)
    g_string_append (big, "xxxxxxxxxxxxxxxx");
  g_string_append (big, "\"}");
  return g_string_free (big, FALSE);
}

static void
test_bad_oversize (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "bad-big");
  g_autofree char *big = big_ping (TR_MAX_FRAME_BYTES + 16);

  peer_send (peer, big);
  g_assert_cmpuint (peer_wait_close (peer, "limit"), ==, TR_CLOSE_TOO_BIG);
  assert_host_still_serves (f);
}

static void
test_bad_huge (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "bad-huge");
  g_autofree char *huge = big_ping (1024 * 1024);

  /* Far beyond the limit, libsoup drops the connection without a close
   * frame (docs/protocol.md); what matters is that it goes and that the
   * host carries on. */
  peer_send (peer, huge);
  g_assert_cmpuint (peer_wait_close (peer, NULL), !=, TR_CLOSE_NORMAL);
  assert_host_still_serves (f);
}

static void
test_bad_second_hello (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "bad-hello");
  g_autofree char *hello = tr_frame_build_hello ("bad-hello", NULL, NULL, NULL, NULL, 0);

  peer_send (peer, hello);
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_PROTOCOL);
  assert_host_still_serves (f);
}

static void
test_bad_op_before_hello (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status ("early", ticket_id, TR_TICKET_STATUS_READY);
  g_autofree char *text = tr_frame_build_op (op);
  Peer *peer = peer_connect (f);

  peer_send (peer, text);
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_PROTOCOL);
  /* Nothing applied. */
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 1);
  assert_host_still_serves (f);
}

static void
test_bad_protocol_version (Fixture *f, gconstpointer data)
{
  Peer *peer = peer_connect (f);

  peer_send (peer,
             "{\"type\":\"hello\",\"protocol\":2,\"station\":{\"id\":\"future\"},\"since\":0}");
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_VERSION);
  assert_host_still_serves (f);
}

static void
test_bad_unknown_ticket (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "bad-ticket");
  g_autoptr (TrOp) op
    = tr_op_new_set_ticket_status ("bad-ticket", "no-such-ticket", TR_TICKET_STATUS_READY);
  g_autoptr (TrFrame) ack = peer_send_op (peer, op);

  g_assert_cmpint (ack->result, ==, TR_APPLY_REJECTED);
  g_assert_cmpstr (ack->error_code, ==, "unknown_ticket");
  /* The connection stays open and working. */
  peer_assert_nothing_pending (peer);
  assert_host_still_serves (f);
}

static void
test_bad_illegal_transition (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  Peer *peer = hello_peer (f, "bad-move");
  g_autoptr (TrOp) op
    = tr_op_new_set_ticket_status ("bad-move", ticket_id, TR_TICKET_STATUS_SERVED);
  g_autoptr (TrFrame) ack = peer_send_op (peer, op);
  g_autoptr (TrFrame) again = NULL;

  g_assert_cmpint (ack->result, ==, TR_APPLY_REJECTED);
  g_assert_cmpstr (ack->error_code, ==, "illegal_transition");
  g_assert_nonnull (ack->error_message);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 1);

  /* A replay gets the same answer, as a duplicate of the rejection. */
  again = peer_send_op (peer, op);
  g_assert_cmpint (again->result, ==, TR_APPLY_DUPLICATE);
  g_assert_cmpstr (again->error_code, ==, "illegal_transition");
  peer_assert_nothing_pending (peer);
  assert_host_still_serves (f);
}

static void
test_bad_invalid_op (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  Peer *peer = hello_peer (f, "bad-op");
  g_autoptr (TrOp) good
    = tr_op_new_set_ticket_status ("bad-op", ticket_id, TR_TICKET_STATUS_PREPARING);
  g_autofree char *good_json = tr_op_to_string (good);
  g_autofree char *frame = g_strdup_printf (
    "{\"type\":\"ops\",\"ops\":[{\"op_id\":\"broken-1\",\"kind\":\"fly\",\"station_id\":\"bad-op\","
    "\"ticket_id\":\"t\"},%s,{\"kind\":\"set_ticket_status\"}]}",
    good_json);
  g_autoptr (TrFrame) rejected = NULL;
  g_autoptr (TrFrame) events = NULL;
  g_autoptr (TrFrame) error_frame = NULL;
  g_autoptr (TrFrame) applied = NULL;

  peer_send (peer, frame);

  /* No op_id to ack: an error frame, at once, without closing. */
  error_frame = peer_next_frame (peer, TR_FRAME_ERROR);
  g_assert_cmpstr (error_frame->error_code, ==, "invalid");
  g_assert_true (g_str_has_prefix (error_frame->error_message, "ops[2]."));
  /* The good op applies; the broken one with an op_id is rejected. */
  events = peer_next_frame (peer, TR_FRAME_EVENTS);
  rejected = peer_next_frame (peer, TR_FRAME_ACK);
  g_assert_cmpstr (rejected->op_id, ==, "broken-1");
  g_assert_cmpint (rejected->result, ==, TR_APPLY_REJECTED);
  g_assert_cmpstr (rejected->error_code, ==, "invalid");
  g_assert_true (g_str_has_prefix (rejected->error_message, "ops[0].kind"));
  applied = peer_next_frame (peer, TR_FRAME_ACK);
  g_assert_cmpstr (applied->op_id, ==, good->op_id);
  g_assert_cmpint (applied->result, ==, TR_APPLY_APPLIED);
  peer_assert_nothing_pending (peer);
}

/* ---- Compression ---- */

static void
test_no_deflate (Fixture *f, gconstpointer data)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (TrFrame) snapshot = NULL;
  const char *offered;
  Peer *peer;

  if (!soup_session_has_feature (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER))
    soup_session_add_feature_by_type (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  soup_session_add_feature_by_type (session, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);

  peer = peer_connect_full (f, session, &msg, &error);
  g_assert_no_error (error);

  /* The client did offer it... */
  offered = soup_message_headers_get_list (soup_message_get_request_headers (msg),
                                           "Sec-WebSocket-Extensions");
  g_assert_nonnull (offered);
  g_assert_nonnull (strstr (offered, "permessage-deflate"));
  /* ...and the host declined. */
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                               "Sec-WebSocket-Extensions"));
  g_assert_null (soup_websocket_connection_get_extensions (peer->ws));

  welcome = peer_hello (peer, "plain", NULL, 0);
  snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);
  g_ptr_array_remove (f->peers, peer);
  peer_free (peer);
}

/* ---- Long-polling ---- */

static gboolean
poller_waiting (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GPtrArray) stations = tr_host_list_stations (f->host);

  for (guint i = 0; i < stations->len; i++)
    {
      TrStationInfo *info = g_ptr_array_index (stations, i);

      if (g_str_equal (info->station_id, "poller") && info->connected)
        return TRUE;
    }
  return FALSE;
}

static void
test_long_poll (Fixture *f, gconstpointer data)
{
  const char *host_id = tr_store_get_db_id (f->store);
  g_autofree char *ticket_id = submit_ticket (f);
  g_autofree char *path = g_strdup_printf (
    "/api/v1/events?since=1&wait=30&host_id=%s&station_id=poller&name=Pass&role=expo", host_id);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (TrFrame) frame = NULL;
  g_autoptr (GPtrArray) stations = NULL;
  TrStationInfo *info;
  Exchange exchange;
  guint status = 0;

  /* Listed under the id its token was issued to. */
  exchange_start_full (f, &exchange, "GET", path, NULL, station_token (f, "poller"));
  wait_for (poller_waiting, f, "the poller to be registered");
  g_assert_false (exchange.done);

  stations = tr_host_list_stations (f->host);
  info = g_ptr_array_index (stations, 0);
  g_assert_cmpstr (info->transport, ==, "polling");
  g_assert_cmpstr (info->name, ==, "Pass");

  /* An event answers the waiting poll. */
  g_free (submit_ticket (f));
  text = exchange_finish (&exchange, &status);
  g_assert_cmpuint (status, ==, 200);
  frame = tr_frame_parse (text, strlen (text), NULL);
  g_assert_nonnull (frame);
  g_assert_cmpint (frame->type, ==, TR_FRAME_EVENTS);
  g_assert_cmpint (frame->head_seq, ==, 2);
  g_assert_cmpstr (frame->host_id, ==, host_id);
  g_assert_cmpuint (frame->events->len, ==, 1);
  g_assert_cmpint (((TrEvent *)g_ptr_array_index (frame->events, 0))->seq, ==, 2);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&frame, tr_frame_free);

  /* Nothing happens: an empty answer when the wait runs out. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/events?since=2&wait=1&host_id=%s", host_id);
  text = http (f, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  frame = tr_frame_parse (text, strlen (text), NULL);
  g_assert_cmpint (frame->type, ==, TR_FRAME_EVENTS);
  g_assert_cmpuint (frame->events->len, ==, 0);
  g_assert_cmpint (frame->head_seq, ==, 2);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&frame, tr_frame_free);

  /* Behind: the missing events at once. Unknown: a snapshot. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/events?since=1&wait=30&host_id=%s", host_id);
  text = http (f, "GET", path, NULL, &status);
  frame = tr_frame_parse (text, strlen (text), NULL);
  g_assert_cmpint (frame->type, ==, TR_FRAME_EVENTS);
  g_assert_cmpuint (frame->events->len, ==, 1);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&frame, tr_frame_free);

  text = http (f, "GET", "/api/v1/events?since=0", NULL, &status);
  frame = tr_frame_parse (text, strlen (text), NULL);
  g_assert_cmpint (frame->type, ==, TR_FRAME_SNAPSHOT);
  g_assert_cmpint (frame->seq, ==, 2);
  g_assert_cmpuint (frame->tickets->len, ==, 2);
  g_assert_cmpstr (frame->host_id, ==, host_id);
  g_clear_pointer (&text, g_free);

  text = http (f, "GET", "/api/v1/events?since=minus-one", NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", "since");
  (void)node;
}

static void
test_tickets_endpoint (Fixture *f, gconstpointer data)
{
  static const char pos_ticket[]
    = "{\"op_id\":\"pos-order-77\",\"external_ref\":\"77\",\"table\":\"12\",\"guests\":3,"
      "\"items\":[{\"name\":\"Steak\",\"quantity\":2,\"modifiers\":[\"medium\"]},"
      "{\"name\":\"Fries\",\"quantity\":1}]}";
  g_autofree char *created = NULL;
  g_autofree char *replayed = NULL;
  g_autofree char *text = NULL;
  g_autoptr (TrTicket) first = NULL;
  g_autoptr (TrTicket) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) snapshot = NULL;
  Exchange exchange;
  guint status = 0;

  created = http (f, "POST", "/api/v1/tickets", pos_ticket, &status);
  g_assert_cmpuint (status, ==, 201);
  first = tr_ticket_from_string (created, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->number, >, 0);
  g_assert_cmpint (first->source, ==, TR_SOURCE_POS);
  g_assert_cmpuint (first->items->len, ==, 2);
  g_assert_nonnull (((TrItem *)g_ptr_array_index (first->items, 0))->id);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 1);

  /* The POS retries (its connection dropped before the answer). */
  replayed = http (f, "POST", "/api/v1/tickets", pos_ticket, &status);
  g_assert_cmpuint (status, ==, 200);
  second = tr_ticket_from_string (replayed, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->id, ==, first->id);
  g_assert_cmpint (second->number, ==, first->number);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 1);

  /* The same through the Idempotency-Key header. */
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *body = NULL;

      exchange_start (f, &exchange, "POST", "/api/v1/tickets",
                      "{\"items\":[{\"name\":\"Tea\",\"quantity\":1}]}");
      soup_message_headers_replace (soup_message_get_request_headers (exchange.msg),
                                    "Idempotency-Key", "header-key-1");
      body = exchange_finish (&exchange, &status);
      g_assert_cmpuint (status, ==, i == 0 ? 201 : 200);
    }
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 2);

  /* Without a key every POST is a new ticket. */
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *body = http (f, "POST", "/api/v1/tickets",
                                    "{\"items\":[{\"name\":\"Water\",\"quantity\":1}]}", &status);

      g_assert_cmpuint (status, ==, 201);
    }
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 4);

  /* Bad tickets change nothing. */
  text = http (f, "POST", "/api/v1/tickets", "{\"items\":[]}", &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", "items");
  g_clear_pointer (&text, g_free);
  text = http (f, "POST", "/api/v1/tickets", "{\"items\":[{\"name\":\"Pie\",\"quantity\":1000}]}",
               &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", "items[0].quantity");
  g_clear_pointer (&text, g_free);
  text = http (f, "POST", "/api/v1/tickets", "not json", &status);
  g_assert_cmpuint (status, ==, 400);
  g_clear_pointer (&text, g_free);
  /* A ticket id that exists already. */
  {
    g_autofree char *dup = g_strdup_printf ("{\"id\":\"%s\",\"items\":[{\"name\":\"X\","
                                            "\"quantity\":1}]}",
                                            first->id);

    text = http (f, "POST", "/api/v1/tickets", dup, &status);
    g_assert_cmpuint (status, ==, 409);
    assert_http_error (text, "duplicate_id", NULL);
    g_clear_pointer (&text, g_free);
  }
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 4);

  /* GET gives the snapshot shape. */
  text = http (f, "GET", "/api/v1/tickets", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  snapshot = tr_frame_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpint (snapshot->type, ==, TR_FRAME_SNAPSHOT);
  g_assert_cmpint (snapshot->seq, ==, 4);
  g_assert_cmpuint (snapshot->tickets->len, ==, 4);
}

static void
test_body_too_large (Fixture *f, gconstpointer data)
{
  GString *big = g_string_new ("{\"items\":[{\"name\":\"");
  g_autofree char *text = NULL;
  guint status = 0;

  while (big->len <= TR_MAX_BODY_BYTES)
    g_string_append (big, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_string_append (big, "\",\"quantity\":1}]}");
  text = http (f, "POST", "/api/v1/tickets", big->str, &status);
  g_assert_cmpuint (status, ==, 413);
  assert_http_error (text, "limit", NULL);
  g_clear_pointer (&text, g_free);
  text = http (f, "POST", "/api/v1/ops", big->str, &status);
  g_assert_cmpuint (status, ==, 413);
  g_string_free (big, TRUE);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 0);
  g_assert_cmpint (health_head_seq (f), ==, 0);
}

/* ---- Slow and dead peers ---- */

static void
slow_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 2, RELAXED_HEARTBEAT_MS);
}

static void
test_slow_reader (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "slowpoke");
  g_autofree char *ping = NULL;

  for (int i = 0; i < 5; i++)
    g_free (submit_ticket (f));
  /* It reports having applied nothing of the five. */
  ping = tr_frame_build_ping (1, 0, 0);
  peer_send (peer, ping);
  g_assert_cmpuint (peer_wait_close (peer, "limit"), ==, TR_CLOSE_TOO_SLOW);
  assert_host_still_serves (f);
}

static void
test_lag_within_limit (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "keeping-up");
  g_autofree char *ping = NULL;
  g_autoptr (GPtrArray) stations = NULL;
  TrStationInfo *info;

  for (int i = 0; i < 3; i++)
    g_free (submit_ticket (f));
  ping = tr_frame_build_ping_full (99, 1, 4, 12);
  peer_send (peer, ping);
  while (TRUE)
    {
      g_autofree char *text = peer_next_text (peer);

      if (strstr (text, "\"pong\""))
        break;
    }
  g_assert_false (peer->closed);
  stations = tr_host_list_stations (f->host);
  info = g_ptr_array_index (stations, 0);
  g_assert_cmpint (info->last_seq, ==, 1);
  g_assert_cmpuint (info->queued_ops, ==, 4);
  g_assert_cmpint (info->latency_ms, ==, 12);
}

static void
dead_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 5000, 300);
}

static void
test_dead_peer (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "silent");
  guint n_stations = 1;

  /* It never sends another frame. */
  g_assert_cmpuint (peer_wait_close (peer, NULL), ==, TR_CLOSE_DEAD_PEER);
  g_object_get (f->host, "n-stations", &n_stations, NULL);
  g_assert_cmpuint (n_stations, ==, 0);
}

/* ---- Modes and lifecycle ---- */

static void
no_websocket_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, FALSE, 5000, RELAXED_HEARTBEAT_MS);
}

static void
test_no_websocket (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *text = NULL;
  guint status = 0;
  Peer *peer = peer_connect_full (f, NULL, &msg, &error);

  g_assert_null (peer);
  g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 503);

  text = http (f, "GET", "/api/v1/ws", NULL, &status);
  g_assert_cmpuint (status, ==, 503);
  assert_http_error (text, "unavailable", NULL);
  g_clear_pointer (&text, g_free);

  /* Polling still works. */
  g_free (submit_ticket (f));
  text = http (f, "GET", "/api/v1/events?since=0", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (text, "\"snapshot\""));
}

static void
test_stop_going_away (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "leaving");

  tr_host_stop (f->host);
  g_assert_cmpuint (peer_wait_close (peer, NULL), ==, TR_CLOSE_GOING_AWAY);
  g_assert_false (tr_host_is_running (f->host));
}

static TrStationInfo *
find_station (GPtrArray *stations, const char *station_id)
{
  for (guint i = 0; i < stations->len; i++)
    if (g_str_equal (((TrStationInfo *)g_ptr_array_index (stations, i))->station_id, station_id))
      return g_ptr_array_index (stations, i);
  return NULL;
}

static gboolean
station_disconnected (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GPtrArray) stations = tr_host_list_stations (f->host);
  TrStationInfo *info = find_station (stations, "regular");

  return info != NULL && !info->connected;
}

static gboolean
uint_nonzero (gpointer data)
{
  return *(guint *)data != 0;
}

static void
on_stations_changed (TrHost *host, gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_station_registry (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "regular");
  g_autoptr (GPtrArray) stations = NULL;
  TrStationInfo *info;
  guint changes = 0;
  gulong id
    = g_signal_connect (f->host, "stations-changed", G_CALLBACK (on_stations_changed), &changes);

  g_ptr_array_remove (f->peers, peer);
  peer_free (peer);
  wait_for (station_disconnected, f, "the station to show as disconnected");
  wait_for (uint_nonzero, &changes, "stations-changed");

  /* Disconnected stations stay listed; a comeback counts. */
  peer = hello_peer (f, "regular");
  stations = tr_host_list_stations (f->host);
  /* The fixture's HTTP station is paired but has no connection. */
  g_assert_cmpuint (stations->len, ==, 2);
  info = g_ptr_array_index (stations, 0);
  g_assert_cmpstr (info->station_id, ==, "regular");
  g_assert_true (info->connected);
  g_assert_true (info->paired);
  g_assert_false (info->revoked);
  info = g_ptr_array_index (stations, 1);
  g_assert_cmpstr (info->station_id, ==, "test-http");
  g_assert_false (info->connected);
  g_assert_true (info->paired);
  info = g_ptr_array_index (stations, 0);
  g_assert_cmpuint (info->reconnects, ==, 1);
  g_assert_cmpint (info->last_seen, >, 0);
  g_signal_handler_disconnect (f->host, id);
}


/* ---- Security (docs/security.md) ---- */

static void
assert_unauthorized (const char *text, const char *reason)
{
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object = parse_object (text, &node);
  JsonObject *error = json_object_get_object_member (object, "error");

  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "unauthorized");
  g_assert_cmpstr (json_object_get_string_member (error, "reason"), ==, reason);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
}

static void
test_auth_http (Fixture *f, gconstpointer data)
{
  static const char *const requests[][2] = {
    { "GET", "/api/v1/events?since=0" },
    { "GET", "/api/v1/tickets" },
    { "POST", "/api/v1/ops" },
    { "POST", "/api/v1/tickets" },
  };
  g_autofree char *ticket_id = submit_ticket (f);
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status ("test-http", ticket_id, TR_TICKET_STATUS_READY);
  g_autofree char *op_json = tr_op_to_string (op);
  guint status = 0;

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      const char *body = g_str_equal (requests[i][0], "POST") ? op_json : NULL;
      g_autofree char *none = http_with_token (f, requests[i][0], requests[i][1], body, NULL, &status);
      g_autofree char *wrong = NULL;
      g_autofree char *forged = NULL;

      /* No token. */
      g_assert_cmpuint (status, ==, 401);
      assert_unauthorized (none, "missing");
      /* A token that was never issued, and one of the right shape. */
      wrong = http_with_token (f, requests[i][0], requests[i][1], body, "not-a-token", &status);
      g_assert_cmpuint (status, ==, 401);
      assert_unauthorized (wrong, "unknown");
      forged = http_with_token (f, requests[i][0], requests[i][1], body,
                                "0000000000000000000000000000000000000000000000000000000000000000",
                                &status);
      g_assert_cmpuint (status, ==, 401);
      assert_unauthorized (forged, "unknown");
    }
  /* Nothing was applied by any of them. */
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 1);

  /* The token works, and the challenge names the scheme. */
  {
    Exchange exchange;
    g_autofree char *text = NULL;

    exchange_start_full (f, &exchange, "GET", "/api/v1/events?since=0", NULL, NULL);
    wait_for (exchange_is_done, &exchange, "an HTTP response");
    g_assert_cmpstr (soup_message_headers_get_one (
                       soup_message_get_response_headers (exchange.msg), "WWW-Authenticate"),
                     ==, "Bearer realm=\"ticketrail\"");
    g_bytes_unref (exchange.body);
    g_object_unref (exchange.msg);
    text = http (f, "POST", "/api/v1/ops", op_json, &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (tr_store_get_head_seq (f->store), ==, 2);
  }

  /* Health and the page need none. */
  g_free (http_with_token (f, "GET", "/api/v1/health", NULL, NULL, &status));
  g_assert_cmpuint (status, ==, 200);
}

/* Connects and says hello with @token; returns the peer, closed or not. */
static Peer *
hello_with_token (Fixture *f, const char *station_id, const char *token)
{
  Peer *peer = peer_connect (f);
  g_autofree char *hello = tr_frame_build_hello (station_id, "Intruder", "kitchen", token, NULL, 0);

  peer_send (peer, hello);
  return peer;
}

static void
test_auth_websocket (Fixture *f, gconstpointer data)
{
  Peer *none = hello_with_token (f, "intruder", NULL);
  Peer *empty = hello_with_token (f, "intruder", "");
  Peer *wrong = hello_with_token (f, "intruder", "deadbeef");
  /* A paired station's token used under another station's id. */
  Peer *borrowed = hello_with_token (f, "intruder", station_token (f, "owner"));

  g_assert_cmpuint (peer_wait_close (none, "unauthorized"), ==, TR_CLOSE_UNAUTHORIZED);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (none->ws), ==, "not paired");
  g_assert_cmpuint (peer_wait_close (empty, "unauthorized"), ==, TR_CLOSE_UNAUTHORIZED);
  g_assert_cmpuint (peer_wait_close (wrong, "unauthorized"), ==, TR_CLOSE_UNAUTHORIZED);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (wrong->ws), ==, "unknown token");
  g_assert_cmpuint (peer_wait_close (borrowed, "unauthorized"), ==, TR_CLOSE_UNAUTHORIZED);

  /* None of them got a welcome, or counts as a station. */
  for (guint i = 0; i < f->peers->len; i++)
    for (GList *l = ((Peer *)g_ptr_array_index (f->peers, i))->frames.head; l; l = l->next)
      g_assert_null (strstr (l->data, "\"welcome\""));
  {
    guint n_stations = 99;

    g_object_get (f->host, "n-stations", &n_stations, NULL);
    g_assert_cmpuint (n_stations, ==, 0);
  }
  assert_host_still_serves (f);
}

static void
test_auth_revoke (Fixture *f, gconstpointer data)
{
  Peer *peer = hello_peer (f, "stolen-tablet");
  Peer *other = hello_peer (f, "grill");
  char *token = g_strdup (station_token (f, "stolen-tablet"));
  g_autoptr (GPtrArray) stations = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *hello = NULL;
  TrStationInfo *info;
  guint status = 0;

  g_assert_true (tr_host_revoke_station (f->host, "stolen-tablet", &error));
  g_assert_no_error (error);
  /* At once, with the reason. */
  g_assert_cmpuint (peer_wait_close (peer, "unauthorized"), ==, TR_CLOSE_REVOKED);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (peer->ws), ==, "revoked");

  /* Its token is refused from now on, on both transports. */
  peer = hello_with_token (f, "stolen-tablet", token);
  g_assert_cmpuint (peer_wait_close (peer, "unauthorized"), ==, TR_CLOSE_REVOKED);
  text = http_with_token (f, "GET", "/api/v1/events?since=0", NULL, token, &status);
  g_assert_cmpuint (status, ==, 401);
  assert_unauthorized (text, "revoked");

  /* The monitor shows it revoked; the other station was not touched. */
  stations = tr_host_list_stations (f->host);
  info = find_station (stations, "stolen-tablet");
  if (info == NULL)
    g_error ("the revoked station is not listed");
  g_assert_true (info->paired);
  g_assert_true (info->revoked);
  g_assert_cmpint (info->revoked_at, >, 0);
  g_assert_cmpint (info->last_seen, >, 0);
  info = find_station (stations, "grill");
  if (info == NULL)
    g_error ("the other station is not listed");
  g_assert_false (info->revoked);
  peer_assert_nothing_pending (other);

  /* Revoking twice, or a stranger, says so. */
  g_assert_false (tr_host_revoke_station (f->host, "stolen-tablet", &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (tr_host_revoke_station (f->host, "nobody", &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  g_clear_error (&error);

  /* Pairing again gives a new token and lets it back in; the old one
   * stays dead. */
  g_hash_table_remove (f->tokens, "stolen-tablet");
  g_assert_cmpstr (station_token (f, "stolen-tablet"), !=, token);
  g_clear_pointer (&text, g_free);
  text = http_with_token (f, "GET", "/api/v1/events?since=0", NULL, token, &status);
  g_assert_cmpuint (status, ==, 401);
  hello_peer (f, "stolen-tablet");
  g_free (token);
}

static char *
pair_request (Fixture *f, const char *code, const char *station_id, guint *status)
{
  g_autofree char *body = g_strdup_printf (
    "{\"code\":\"%s\",\"station\":{\"id\":\"%s\",\"name\":\"Pass\",\"role\":\"expo\"}}", code,
    station_id);

  return http_with_token (f, "POST", "/api/v1/pair", body, NULL, status);
}

static void
test_pair_codes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *text = NULL;
  g_autofree char *second = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GPtrArray) paired = NULL;
  gint64 expires_at = 0;
  gint64 now = tr_now_ms ();
  guint status = 0;

  /* Six digits, ten minutes. */
  code = tr_host_new_pairing_code (f->host, &expires_at, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (code), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_true (g_ascii_isdigit (code[i]));
  g_assert_cmpint (expires_at, >=, now + 10 * 60 * 1000);
  g_assert_cmpint (expires_at, <=, tr_now_ms () + 10 * 60 * 1000);

  /* A new code replaces the old one. */
  second = tr_host_new_pairing_code (f->host, NULL, &error);
  if (!g_str_equal (second, code))
    {
      text = pair_request (f, code, "pass", &status);
      g_assert_cmpuint (status, ==, 401);
      assert_unauthorized (text, "wrong_code");
      g_clear_pointer (&text, g_free);
    }

  /* Single use. */
  text = pair_request (f, second, "pass", &status);
  g_assert_cmpuint (status, ==, 200);
  parse_object (text, &node);
  g_clear_pointer (&text, g_free);
  text = pair_request (f, second, "pass-2", &status);
  g_assert_cmpuint (status, ==, 401);
  assert_unauthorized (text, "wrong_code");
  g_clear_pointer (&text, g_free);

  /* An expired code says so. */
  g_assert_true (tr_store_add_pairing_code (f->store, "424242", now - 20 * 60 * 1000,
                                            now - 10 * 60 * 1000, &error));
  g_assert_no_error (error);
  text = pair_request (f, "424242", "late", &status);
  g_assert_cmpuint (status, ==, 401);
  assert_unauthorized (text, "expired_code");
  g_clear_pointer (&text, g_free);

  /* Malformed requests are 400 and name the field. */
  text = http_with_token (f, "POST", "/api/v1/pair", "{\"code\":\"123456\"}", NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", "station");
  g_clear_pointer (&text, g_free);
  text = http_with_token (f, "POST", "/api/v1/pair", "{\"code\":7,\"station\":{\"id\":\"x\"}}",
                          NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", "code: must be a string");
  g_clear_pointer (&text, g_free);
  text = http_with_token (f, "GET", "/api/v1/pair", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 405);

  /* Only "pass" (and the fixture's station) got paired. */
  paired = tr_store_list_paired_stations (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (paired->len, ==, 2);
}

static void
test_pair_lockout (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = tr_host_new_pairing_code (f->host, NULL, &error);
  g_autofree char *wrong = g_strdup_printf ("%06u", (guint)((g_ascii_strtoull (code, NULL, 10) + 1) % 1000000));
  g_autoptr (GPtrArray) paired = NULL;
  guint status = 0;

  /* Paired before the lockout, to show it does not shut them out. */
  station_token (f, "bystander");
  g_free (code);
  code = tr_host_new_pairing_code (f->host, NULL, &error);
  g_free (wrong);
  wrong = g_strdup_printf ("%06u", (guint)((g_ascii_strtoull (code, NULL, 10) + 1) % 1000000));

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = pair_request (f, wrong, "guesser", &status);

      g_assert_cmpuint (status, ==, 401);
      assert_unauthorized (text, "wrong_code");
    }

  /* The sixth try in a minute is refused unread, even with the right
   * code, and says when to come back. */
  {
    Exchange exchange;
    g_autofree char *body = g_strdup_printf (
      "{\"code\":\"%s\",\"station\":{\"id\":\"guesser\"}}", code);
    g_autofree char *text = NULL;
    const char *retry;

    exchange_start_full (f, &exchange, "POST", "/api/v1/pair", body, NULL);
    wait_for (exchange_is_done, &exchange, "an HTTP response");
    g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, 429);
    retry = soup_message_headers_get_one (soup_message_get_response_headers (exchange.msg),
                                          "Retry-After");
    g_assert_nonnull (retry);
    g_assert_cmpint (g_ascii_strtoll (retry, NULL, 10), >, 0);
    g_assert_cmpint (g_ascii_strtoll (retry, NULL, 10), <=, 60);
    text = g_strndup (g_bytes_get_data (exchange.body, NULL), g_bytes_get_size (exchange.body));
    assert_http_error (text, "limit", "too many wrong pairing codes");
    g_bytes_unref (exchange.body);
    g_object_unref (exchange.msg);
  }

  paired = tr_store_list_paired_stations (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < paired->len; i++)
    g_assert_cmpstr (((TrPairedStation *)g_ptr_array_index (paired, i))->station_id, !=, "guesser");

  /* Stations already paired are not locked out. */
  assert_host_still_serves (f);
}

/* Pairs @station_id as an order-ready board; returns its token. */
static char *
pair_board (Fixture *f, const char *station_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = tr_host_new_pairing_code (f->host, NULL, &error);
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  guint status = 0;

  g_assert_no_error (error);
  body = g_strdup_printf (
    "{\"code\":\"%s\",\"station\":{\"id\":\"%s\",\"name\":\"TV\",\"role\":\"board\"}}", code,
    station_id);
  text = http_with_token (f, "POST", "/api/v1/pair", body, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  return g_strdup (json_object_get_string_member (parse_object (text, &node), "token"));
}

/* A board's token reads everything a screen reads, and changes nothing:
 * 403 "forbidden" over HTTP, a "forbidden" ack over WebSocket, even when
 * its hello claims another role. */
static void
test_board_read_only (Fixture *f, gconstpointer data)
{
  g_autofree char *token = pair_board (f, "wall-tv");
  g_autofree char *ticket_id = submit_ticket (f);
  g_autofree char *text = NULL;
  g_autofree char *hello = NULL;
  g_autoptr (TrTicket) after = NULL;
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status ("wall-tv", ticket_id, TR_TICKET_STATUS_READY);
  g_autofree char *op_json = tr_op_to_string (op);
  guint status = 0;
  gint64 head = tr_store_get_head_seq (f->store);

  /* Reading: the events, the tickets. */
  text = http_with_token (f, "GET", "/api/v1/events?since=0", NULL, token, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (text, ticket_id));
  g_clear_pointer (&text, g_free);
  text = http_with_token (f, "GET", "/api/v1/tickets", NULL, token, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (text, ticket_id));
  g_clear_pointer (&text, g_free);

  /* Writing over HTTP: 403. */
  text = http_with_token (f, "POST", "/api/v1/ops", op_json, token, &status);
  g_assert_cmpuint (status, ==, 403);
  assert_http_error (text, "forbidden", "board");
  g_clear_pointer (&text, g_free);
  text = http_with_token (f, "POST", "/api/v1/tickets",
                          "{\"table\":\"9\",\"items\":[{\"name\":\"Soup\"}]}", token, &status);
  g_assert_cmpuint (status, ==, 403);
  assert_http_error (text, "forbidden", "board");
  g_clear_pointer (&text, g_free);
  text = http_with_token (f, "POST", "/api/v1/test-screens?timeout_ms=1000", NULL, token, &status);
  g_assert_cmpuint (status, ==, 403);
  assert_http_error (text, "forbidden", "board");
  g_clear_pointer (&text, g_free);
  /* The service figures are for reading. */
  text = http_with_token (f, "GET", "/api/v1/stats", NULL, token, &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&text, g_free);

  /* Over WebSocket, as a board and as a board that says it is a kitchen. */
  for (guint i = 0; i < 2; i++)
    {
      Peer *peer = peer_connect (f);
      g_autoptr (TrFrame) welcome = NULL;
      g_autoptr (TrFrame) snapshot = NULL;
      g_autoptr (TrFrame) ack = NULL;
      g_autoptr (TrOp) again
        = tr_op_new_set_ticket_status ("wall-tv", ticket_id, TR_TICKET_STATUS_READY);

      g_clear_pointer (&hello, g_free);
      hello = tr_frame_build_hello ("wall-tv", "TV", i == 0 ? TR_ROLE_BOARD : "kitchen", token,
                                    NULL, 0);
      peer_send (peer, hello);
      welcome = peer_next_frame (peer, TR_FRAME_WELCOME);
      snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);
      g_assert_cmpuint (snapshot->tickets->len, ==, 1);
      ack = peer_send_op (peer, again);
      g_assert_cmpint (ack->result, ==, TR_APPLY_REJECTED);
      g_assert_cmpstr (ack->error_code, ==, "forbidden");
      /* Still connected, and nothing was applied. */
      peer_assert_nothing_pending (peer);
      g_ptr_array_remove (f->peers, peer);
      peer_free (peer);
    }
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, head);
  after = tr_store_get_ticket (f->store, ticket_id, NULL);
  g_assert_cmpint (after->status, ==, TR_TICKET_STATUS_NEW);

  /* The same op from a kitchen's token goes through. */
  text = http (f, "POST", "/api/v1/ops", op_json, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (tr_store_get_head_seq (f->store), ==, head + 1);
  assert_host_still_serves (f);
}

static void
test_origin (Fixture *f, gconstpointer data)
{
  static const char *protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autofree char *url = g_strconcat (f->base_url, "/api/v1/ws", NULL);
  g_autofree char *own = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (f->host));
  const char *foreign[] = { "http://evil.example", "null", "https://127.0.0.1:1",
                            "http://127.0.0.1:1" };

  for (guint i = 0; i < G_N_ELEMENTS (foreign); i++)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
      Connecting connecting = { 0 };

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", foreign[i]);
      soup_session_websocket_connect_async (f->session, msg, NULL, (char **)protocols,
                                            G_PRIORITY_DEFAULT, NULL, connect_done_cb,
                                            &connecting);
      wait_for (connecting_done, &connecting, "the WebSocket handshake");
      g_assert_null (connecting.ws);
      g_assert_error (connecting.error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
      g_clear_error (&connecting.error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 403);
    }

  /* The host's own pages may. */
  {
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
    Connecting connecting = { 0 };

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", own);
    soup_session_websocket_connect_async (f->session, msg, NULL, (char **)protocols,
                                          G_PRIORITY_DEFAULT, NULL, connect_done_cb, &connecting);
    wait_for (connecting_done, &connecting, "the WebSocket handshake");
    g_assert_no_error (connecting.error);
    g_assert_nonnull (connecting.ws);
    soup_websocket_connection_close (connecting.ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref (connecting.ws);
  }

  /* Plain requests from another site's page are refused too, with JSON. */
  {
    Exchange exchange;
    g_autofree char *body = NULL;

    exchange_start_full (f, &exchange, "POST", "/api/v1/pair",
                         "{\"code\":\"000000\",\"station\":{\"id\":\"x\"}}", NULL);
    soup_message_headers_replace (soup_message_get_request_headers (exchange.msg), "Origin",
                                  "http://evil.example");
    wait_for (exchange_is_done, &exchange, "an HTTP response");
    g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, 403);
    body = g_strndup (g_bytes_get_data (exchange.body, NULL), g_bytes_get_size (exchange.body));
    assert_http_error (body, "forbidden", "other sites");
    g_bytes_unref (exchange.body);
    g_object_unref (exchange.msg);
  }
  drain ();
}

static void
test_deep_nesting (Fixture *f, gconstpointer data)
{
  GString *deep = g_string_new ("{\"type\":\"ping\",\"t\":1,\"x\":");
  Peer *peer = hello_peer (f, "nester");
  g_autofree char *text = NULL;
  guint status = 0;

  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');

  peer_send (peer, deep->str);
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_PROTOCOL);

  text = http (f, "POST", "/api/v1/ops", deep->str + strlen ("{\"type\":\"ping\",\"t\":1,\"x\":"),
               &status);
  g_assert_cmpuint (status, ==, 400);
  assert_http_error (text, "invalid", "nesting deeper than 32");
  g_string_free (deep, TRUE);
  assert_host_still_serves (f);
}

static void
flood_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 5000, RELAXED_HEARTBEAT_MS);
  g_object_set (f->host, "ops-rate", 20, "ops-burst", 20, "ops-queue", 40, NULL);
}

static guint
count_frames (Peer *peer, const char *type)
{
  g_autofree char *needle = g_strdup_printf ("{\"type\":\"%s\"", type);
  guint n = 0;

  for (GList *l = peer->frames.head; l != NULL; l = l->next)
    if (g_str_has_prefix (l->data, needle))
      n++;
  return n;
}

/* @n set_ticket_status ops for a ticket that does not exist: cheap to
 * apply, each one acked (rejected). */
static char *
build_unknown_ops (const char *station_id, guint n)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (ops, tr_op_new_set_ticket_status (station_id, "no-such-ticket",
                                                       TR_TICKET_STATUS_READY));
  return tr_frame_build_ops (ops);
}

typedef struct
{
  Peer *peer;
  guint n;
} AckCount;

static gboolean
has_acks (gpointer data)
{
  AckCount *count = data;

  return count_frames (count->peer, "ack") >= count->n || count->peer->closed;
}

static void
test_op_flood (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  Peer *polite = hello_peer (f, "polite");
  Peer *flooder = hello_peer (f, "flooder");
  Peer *bystander = hello_peer (f, "bystander-2");
  g_autofree char *burst = build_unknown_ops ("polite", 50);
  g_autofree char *op_text = NULL;
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrFrame) events = NULL;
  g_autoptr (TrFrame) ack = NULL;
  AckCount polite_acks = { polite, 50 };
  guint n_acks = 0;
  gint prev = 0;

  /* Over the burst but within the queue: slowed down, nothing lost, in
   * order. */
  peer_send (polite, burst);
  wait_for (has_acks, &polite_acks, "50 acks");
  g_assert_false (polite->closed);
  g_assert_cmpuint (count_frames (polite, "ack"), ==, 50);
  for (GList *l = polite->frames.head; l != NULL; l = l->next)
    {
      g_autoptr (TrFrame) frame = tr_frame_parse (l->data, strlen (l->data), NULL);

      if (frame->type == TR_FRAME_ACK)
        {
          g_assert_cmpint (frame->result, ==, TR_APPLY_REJECTED);
          g_assert_cmpstr (frame->error_code, ==, "unknown_ticket");
        }
    }
  (void)prev;

  /* A flood: 10 frames of 50 ops at once. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *frame = build_unknown_ops ("flooder", 50);

      peer_send (flooder, frame);
    }
  /* Meanwhile the others are served. */
  op = tr_op_new_set_ticket_status ("bystander-2", ticket_id, TR_TICKET_STATUS_PREPARING);
  op_text = tr_frame_build_op (op);
  peer_send (bystander, op_text);
  events = peer_next_frame (bystander, TR_FRAME_EVENTS);
  ack = peer_next_frame (bystander, TR_FRAME_ACK);
  g_assert_cmpint (ack->result, ==, TR_APPLY_APPLIED);

  g_assert_cmpuint (peer_wait_close (flooder, "limit"), ==, TR_CLOSE_RATE_LIMITED);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (flooder->ws), ==, "rate limited");
  n_acks = count_frames (flooder, "ack");
  g_assert_cmpuint (n_acks, <, 500);
  /* The host took the burst (and what refilled meanwhile), not the 500:
   * the rest was dropped unacked, for the station to resend later. */
  {
    sqlite3_stmt *stmt = NULL;
    gint64 n_recorded;

    g_assert_cmpint (sqlite3_prepare_v2 (tr_store_get_sqlite (f->store),
                                         "SELECT COUNT(*) FROM op_results", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    /* Less the ticket, the polite 50 and the bystander's op. */
    n_recorded = sqlite3_column_int64 (stmt, 0) - 52;
    sqlite3_finalize (stmt);
    g_assert_cmpint (n_recorded, >=, 20);
    g_assert_cmpint (n_recorded, <, 500);
  }
  peer_assert_nothing_pending (bystander);
  assert_host_still_serves (f);
}

static void
test_op_flood_http (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autofree char *text = NULL;
  GString *body = g_string_new ("[");
  guint status = 0;

  for (guint i = 0; i < 25; i++)
    {
      g_autoptr (TrOp) op = tr_op_new_set_ticket_status ("test-http", "nothing",
                                                         TR_TICKET_STATUS_READY);
      g_autofree char *json = tr_op_to_string (op);

      g_string_append_printf (body, "%s%s", i ? "," : "", json);
      /* Cut at 15 ops for the next requests. */
      if (i == 14)
        g_ptr_array_add (ops, g_strdup_printf ("%s]", body->str));
    }
  g_string_append_c (body, ']');

  /* More ops in one request than the burst: never. */
  text = http (f, "POST", "/api/v1/ops", body->str, &status);
  g_assert_cmpuint (status, ==, 413);
  assert_http_error (text, "limit", "at most 20");
  g_clear_pointer (&text, g_free);

  /* 15 fit; 15 more at once do not, and nothing of them is applied. */
  text = http (f, "POST", "/api/v1/ops", g_ptr_array_index (ops, 0), &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&text, g_free);
  {
    Exchange exchange;
    g_autofree char *reply = NULL;

    exchange_start (f, &exchange, "POST", "/api/v1/ops", g_ptr_array_index (ops, 0));
    wait_for (exchange_is_done, &exchange, "an HTTP response");
    g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, 429);
    g_assert_nonnull (soup_message_headers_get_one (
      soup_message_get_response_headers (exchange.msg), "Retry-After"));
    reply = g_strndup (g_bytes_get_data (exchange.body, NULL), g_bytes_get_size (exchange.body));
    assert_http_error (reply, "limit", "ops/s");
    g_bytes_unref (exchange.body);
    g_object_unref (exchange.msg);
  }
  g_ptr_array_set_free_func (ops, g_free);
  g_string_free (body, TRUE);
}

static void
hello_timeout_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 5000, RELAXED_HEARTBEAT_MS);
  g_object_set (f->host, "hello-timeout", 300, NULL);
}

static void
test_hello_timeout (Fixture *f, gconstpointer data)
{
  Peer *peer = peer_connect (f);
  guint timeout = 0;

  g_object_get (f->host, "hello-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 300);
  g_assert_cmpuint (peer_wait_close (peer, "protocol"), ==, TR_CLOSE_HELLO_TIMEOUT);
  assert_host_still_serves (f);
}

/* ---- Raw TCP ---- */

static GSocket *
raw_connect (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address
    = g_inet_socket_address_new (loopback, (guint16)tr_host_get_bound_port (f->host));
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  /* Loopback completes the handshake in the kernel, before any accept. */
  g_assert_true (g_socket_connect (socket, address, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  return socket;
}

static void
raw_send (GSocket *socket, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_socket_send (socket, text, strlen (text), NULL, &error), ==, strlen (text));
  g_assert_no_error (error);
}

typedef struct
{
  GSocket *socket;
  GString *received;
  gboolean ended; /* EOF or reset */
  guint dribbled;
} Raw;

static void
raw_poll (Raw *raw)
{
  char buffer[4096];
  g_autoptr (GError) error = NULL;
  gssize n;

  while ((n = g_socket_receive (raw->socket, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (raw->received, buffer, n);
  if (n == 0 || (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
    raw->ended = TRUE;
}

static gboolean
raw_ended (gpointer data)
{
  Raw *raw = data;

  raw_poll (raw);
  return raw->ended;
}

static gboolean
dribble_cb (gpointer user_data)
{
  Raw *raw = user_data;
  static const char header[] = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  g_autoptr (GError) error = NULL;

  if (raw->ended)
    return G_SOURCE_REMOVE;
  /* One byte at a time, never finishing the headers. */
  if (g_socket_send (raw->socket, header + raw->dribbled % (sizeof header - 1), 1, NULL, &error) < 0)
    {
      raw->ended = TRUE;
      return G_SOURCE_REMOVE;
    }
  raw->dribbled++;
  return G_SOURCE_CONTINUE;
}

static void
slowloris_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 5000, RELAXED_HEARTBEAT_MS);
  g_object_set (f->host, "request-timeout", 1000, NULL);
}

static void
test_slowloris (Fixture *f, gconstpointer data)
{
  /* A WebSocket outlives the request timeout: it applies to requests. */
  Peer *station = hello_peer (f, "patient");
  Raw raw = { raw_connect (f), g_string_new (NULL), FALSE, 0 };
  guint id;

  raw_send (raw.socket, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  id = g_timeout_add (50, dribble_cb, &raw);
  wait_for (raw_ended, &raw, "the host to close a connection whose headers never end");
  g_source_remove (id);
  /* Closed while the headers were still coming, and never answered. */
  g_assert_cmpuint (raw.dribbled, >, 0);
  g_assert_cmpuint (raw.received->len, ==, 0);
  g_string_free (raw.received, TRUE);
  g_object_unref (raw.socket);
  g_assert_false (station->closed);
  peer_assert_nothing_pending (station);
  assert_host_still_serves (f);
}

static gboolean
no_connections (gpointer data)
{
  Fixture *f = data;
  guint n = 99;

  g_object_get (f->host, "n-connections", &n, NULL);
  return n == 0;
}

static void
connections_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 5000, RELAXED_HEARTBEAT_MS);
  /* A short idle timeout lets the fixture's kept-alive connection go. */
  g_object_set (f->host, "max-connections-per-address", 2, "request-timeout", 2000, NULL);
}

static void
test_connection_limit (Fixture *f, gconstpointer data)
{
  Raw first = { NULL, g_string_new (NULL), FALSE, 0 };
  Raw second = { NULL, g_string_new (NULL), FALSE, 0 };
  Raw third = { NULL, g_string_new (NULL), FALSE, 0 };
  guint n = 0;

  /* The fixture's own keep-alive connection goes first. */
  soup_session_abort (f->session);
  wait_for (no_connections, f, "the host to see no connection");
  first.socket = raw_connect (f);
  second.socket = raw_connect (f);

  raw_send (first.socket, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  raw_send (second.socket, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  third.socket = raw_connect (f);
  raw_send (third.socket, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  wait_for (raw_ended, &third, "the third connection to be answered and closed");
  g_assert_true (g_str_has_prefix (third.received->str, "HTTP/1.1 503"));
  g_assert_nonnull (strstr (third.received->str, "\"code\":\"limit\""));
  g_object_get (f->host, "n-connections", &n, NULL);
  g_assert_cmpuint (n, >=, 2);

  /* The first two are served once they finish. */
  raw_send (first.socket, "Connection: close\r\n\r\n");
  wait_for (raw_ended, &first, "the first connection's answer");
  g_assert_true (g_str_has_prefix (first.received->str, "HTTP/1.1 200"));

  /* Gone connections stop counting. */
  g_object_unref (first.socket);
  g_object_unref (second.socket);
  g_object_unref (third.socket);
  wait_for (no_connections, f, "the host to see no connection");
  /* A station that reconnects again and again is not locked out: closed
   * WebSockets stop counting too. */
  for (guint i = 0; i < 4; i++)
    {
      Peer *peer = hello_peer (f, "comes-and-goes");

      g_ptr_array_remove (f->peers, peer);
      peer_free (peer);
      soup_session_abort (f->session);
      wait_for (no_connections, f, "the host to see no connection");
    }

  /* The checks below use several connections at once. */
  g_object_set (f->host, "max-connections-per-address", 0, NULL);
  assert_host_still_serves (f);
  g_string_free (first.received, TRUE);
  g_string_free (second.received, TRUE);
  g_string_free (third.received, TRUE);
}

static gboolean
raw_answered (gpointer data)
{
  Raw *raw = data;

  raw_poll (raw);
  /* The health answer is one JSON object. */
  return raw->ended || (strstr (raw->received->str, "\r\n\r\n") != NULL
                        && g_str_has_suffix (raw->received->str, "}"));
}

static void
hung_up_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 5000, RELAXED_HEARTBEAT_MS);
  /* An idle timeout far beyond the test's patience: only noticing that
   * the client hung up frees the connections below. */
  g_object_set (f->host, "max-connections-per-address", 2, "request-timeout", 600000, NULL);
}

/* A browser that closes a page hangs up its kept-alive connections; the
 * host must stop counting them at once, or a screen that reloads a few
 * times is refused by the limit on connections from its address. */
static void
test_hung_up_connections_stop_counting (Fixture *f, gconstpointer data)
{
  Raw raws[3];

  soup_session_abort (f->session);
  wait_for (no_connections, f, "the host to see no connection");
  for (guint round = 0; round < 3; round++)
    {
      /* Two kept-alive connections, each answered, then hung up. */
      for (guint i = 0; i < 2; i++)
        {
          raws[i] = (Raw){ raw_connect (f), g_string_new (NULL), FALSE, 0 };
          raw_send (raws[i].socket, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
          wait_for (raw_answered, &raws[i], "a kept-alive connection's answer");
          g_assert_true (g_str_has_prefix (raws[i].received->str, "HTTP/1.1 200"));
          g_assert_false (raws[i].ended);
        }
      for (guint i = 0; i < 2; i++)
        {
          g_assert_true (g_socket_close (raws[i].socket, NULL));
          g_object_unref (raws[i].socket);
          g_string_free (raws[i].received, TRUE);
        }
      wait_for (no_connections, f, "the host to stop counting hung-up connections");
    }

  /* And a new one is served. */
  raws[2] = (Raw){ raw_connect (f), g_string_new (NULL), FALSE, 0 };
  raw_send (raws[2].socket, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  wait_for (raw_ended, &raws[2], "the last connection's answer");
  g_assert_true (g_str_has_prefix (raws[2].received->str, "HTTP/1.1 200"));
  g_object_unref (raws[2].socket);
  g_string_free (raws[2].received, TRUE);

  g_object_set (f->host, "max-connections-per-address", 0, NULL);
  assert_host_still_serves (f);
}

/* ---- Ops and writes submitted in-process (tr-host-ops.c) ---- */

typedef struct
{
  GAsyncResult *result;
  guint destroyed;
} Submitted;

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Submitted *submitted = user_data;

  g_assert_null (submitted->result);
  submitted->result = g_object_ref (result);
}

static gboolean
submitted_done (gpointer data)
{
  return ((Submitted *)data)->result != NULL;
}

/* Several ops in one call: each gets its outcome in order, the applied
 * ones reach a connected station as events (before the call completes,
 * as a station's would), and the result always comes from the main
 * loop, never from inside the call. */
static void
test_submit_ops_async (Fixture *f, gconstpointer data)
{
  g_autoptr (TrTicket) ticket = make_ticket ("7", 1);
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (TrFrame) welcome = NULL;
  g_autoptr (TrFrame) snapshot = NULL;
  g_autoptr (GError) error = NULL;
  Submitted submitted = { 0 };
  Peer *peer = peer_connect (f);
  gint64 head = tr_store_get_head_seq (f->store);
  guint n_events = 0;

  welcome = peer_hello (peer, "watcher", NULL, 0);
  snapshot = peer_next_frame (peer, TR_FRAME_SNAPSHOT);

  g_ptr_array_add (ops, tr_op_new_create_ticket ("till", ticket));
  g_ptr_array_add (ops,
                   tr_op_new_set_ticket_status ("till", ticket->id, TR_TICKET_STATUS_PREPARING));
  /* Served straight from preparing is not a legal move. */
  g_ptr_array_add (ops, tr_op_new_set_ticket_status ("till", ticket->id, TR_TICKET_STATUS_SERVED));

  tr_host_submit_ops_async (f->host, ops, NULL, submitted_cb, &submitted);
  g_assert_null (submitted.result);
  wait_for (submitted_done, &submitted, "the ops' outcomes");
  outcomes = tr_host_submit_ops_finish (f->host, submitted.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, ==, 3);
  g_assert_cmpint (((TrOutcome *)outcomes->pdata[0])->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (((TrOutcome *)outcomes->pdata[0])->seq, ==, head + 1);
  g_assert_cmpint (((TrOutcome *)outcomes->pdata[1])->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (((TrOutcome *)outcomes->pdata[1])->seq, ==, head + 2);
  g_assert_cmpint (((TrOutcome *)outcomes->pdata[2])->result, ==, TR_APPLY_REJECTED);
  g_assert_cmpstr (((TrOutcome *)outcomes->pdata[2])->error_code, ==, "illegal_transition");
  g_clear_object (&submitted.result);

  while (n_events < 2)
    {
      g_autoptr (TrFrame) events = peer_next_frame (peer, TR_FRAME_EVENTS);

      for (guint i = 0; i < events->events->len; i++, n_events++)
        {
          const TrEvent *event = g_ptr_array_index (events->events, i);

          g_assert_cmpint (event->seq, ==, head + 1 + n_events);
          g_assert_cmpstr (event->op_id, ==, ((TrOp *)ops->pdata[n_events])->op_id);
        }
    }
  g_assert_cmpuint (n_events, ==, 2);
  peer_assert_nothing_pending (peer);
}

/* The menu, a write that is not an op, goes through the host's writer
 * and is in the file once the call completes. */
static void
test_save_menu_async (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *menu = NULL;
  Submitted submitted = { 0 };

  tr_host_save_menu_async (f->host, "[{\"name\":\"Dal\"}]", NULL, submitted_cb, &submitted);
  g_assert_null (submitted.result);
  wait_for (submitted_done, &submitted, "the menu to be written");
  g_assert_true (tr_host_save_menu_finish (f->host, submitted.result, &error));
  g_assert_no_error (error);
  g_clear_object (&submitted.result);
  menu = tr_store_get_menu (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (menu, ==, "[{\"name\":\"Dal\"}]");
}

/* ---- Revocation and re-pairing: ops already queued are not applied ---- */

/* From tr-host-private.h, which this file cannot include (its Peer is
 * not ours): a job on the host's one writer thread. The tests below use
 * it to hold the writer, so that a station's ops are still waiting on
 * the host, deterministically, when its token is revoked. */
typedef gboolean (*TrHostWriteFunc) (TrStore *store, gpointer data, GError **error);
void
_tr_host_write_async (TrHost *self, TrHostWriteFunc func, gpointer data, GDestroyNotify destroy,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);

typedef struct
{
  GMutex mutex;
  GCond cond;
  gboolean open;
} Gate;

/* The writer thread: waits until the test opens the gate. */
static gboolean
gate_wait (TrStore *store, gpointer data, GError **error)
{
  Gate *gate = data;

  g_mutex_lock (&gate->mutex);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
  return TRUE;
}

static gboolean
gate_open_cb (gpointer data)
{
  Gate *gate = data;

  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
  return G_SOURCE_REMOVE;
}

/* Holds the writer, then queues a commit of the host's own behind it:
 * with that commit in flight, what a station sends from now on waits in
 * the host's pending ops (or its throttle queue) for the next one. */
static void
hold_writer (Fixture *f, Gate *gate, const char *ticket_id, Submitted *submitted)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);

  g_mutex_init (&gate->mutex);
  g_cond_init (&gate->cond);
  gate->open = FALSE;
  _tr_host_write_async (f->host, gate_wait, gate, NULL, NULL, NULL, NULL);
  g_ptr_array_add (ops,
                   tr_op_new_set_ticket_status ("host-ui", ticket_id, TR_TICKET_STATUS_PREPARING));
  tr_host_submit_ops_async (f->host, ops, NULL, submitted_cb, submitted);
  /* The flush is an idle: once nothing is ready, that commit is queued
   * on the writer, behind the gate. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
gate_clear (Gate *gate)
{
  g_mutex_clear (&gate->mutex);
  g_cond_clear (&gate->cond);
}

/* @n create_ticket ops from @station_id, their op ids added to @op_ids. */
static char *
build_create_ops (const char *station_id, guint n, GPtrArray *op_ids)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket ("12", 1);
      TrOp *op = tr_op_new_create_ticket (station_id, ticket);

      g_ptr_array_add (op_ids, g_strdup (op->op_id));
      g_ptr_array_add (ops, op);
    }
  return tr_frame_build_ops (ops);
}

/* How many of @op_ids the host's log holds, applied or rejected. */
static guint
count_in_log (Fixture *f, GPtrArray *op_ids)
{
  guint n = 0;

  for (guint i = 0; i < op_ids->len; i++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (tr_store_get_sqlite (f->store),
                                           "SELECT COUNT(*) FROM op_results WHERE op_id = ?", -1,
                                           &stmt, NULL),
                       ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, g_ptr_array_index (op_ids, i), -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      n += (guint)sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
    }
  return n;
}

/* An op of the host's own, queued behind everything that is pending:
 * once it is back, every op the host had taken in is committed or gone. */
static void
host_barrier (Fixture *f, const char *ticket_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOp) op = tr_op_new_amend_ticket ("host-ui", ticket_id);
  g_autoptr (TrOutcome) outcome = NULL;
  TrAmendment *amendment = tr_amendment_new (TR_AMEND_SET_NOTE);

  amendment->text = g_strdup ("barrier");
  g_ptr_array_add (op->amendments, amendment);
  outcome = tr_host_submit_op (f->host, op, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome->result, ==, TR_APPLY_APPLIED);
}

static void
throttle_setup (Fixture *f, gconstpointer data)
{
  fixture_start (f, TRUE, 5000, RELAXED_HEARTBEAT_MS);
  /* One op a second after a burst of 5: most of what the station sends
   * waits in the throttle queue for the whole test. */
  g_object_set (f->host, "ops-rate", 1, "ops-burst", 5, "ops-queue", 1000, NULL);
}

/* Issue 18, "Revocation": a station revoked while its ops wait on the
 * host, in the throttle queue or for the next group commit, gets none
 * of them applied. */
static void
test_revoke_queued_ops (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  Peer *peer = hello_peer (f, "slow-tablet");
  g_autoptr (GPtrArray) op_ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *frame = build_create_ops ("slow-tablet", 40, op_ids);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) outcomes = NULL;
  Submitted submitted = { 0 };
  Gate gate;

  hold_writer (f, &gate, ticket_id, &submitted);
  /* 5 ops go to the next commit, 35 to the throttle queue; the pong
   * says the host has taken the frame in (and acked nothing yet). */
  peer_send (peer, frame);
  peer_assert_nothing_pending (peer);

  /* The revocation is queued behind the gate and the commit in flight;
   * the gate opens once it is. */
  g_idle_add (gate_open_cb, &gate);
  g_assert_true (tr_host_revoke_station (f->host, "slow-tablet", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (peer_wait_close (peer, "unauthorized"), ==, TR_CLOSE_REVOKED);
  wait_for (submitted_done, &submitted, "the host's own commit");
  outcomes = tr_host_submit_ops_finish (f->host, submitted.result, &error);
  g_assert_no_error (error);
  g_clear_object (&submitted.result);
  host_barrier (f, ticket_id);

  /* None of its ops is in the log, and none was acked. */
  g_assert_cmpuint (count_in_log (f, op_ids), ==, 0);
  g_assert_cmpuint (count_frames (peer, "ack"), ==, 0);
  gate_clear (&gate);
  assert_host_still_serves (f);
}

/* The same over HTTP: a POST whose ops wait for the next group commit
 * when its station is revoked gets 401 "revoked", and nothing of it is
 * applied. */
static void
test_revoke_queued_http (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  const char *token = station_token (f, "till");
  g_autoptr (GPtrArray) op_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autofree char *text = NULL;
  GString *body = g_string_new ("[");
  Submitted submitted = { 0 };
  Exchange exchange;
  guint status = 0;
  Gate gate;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (TrTicket) ticket = make_ticket ("3", 1);
      g_autoptr (TrOp) op = tr_op_new_create_ticket ("till", ticket);
      g_autofree char *json = tr_op_to_string (op);

      g_ptr_array_add (op_ids, g_strdup (op->op_id));
      g_string_append_printf (body, "%s%s", i ? "," : "", json);
    }
  g_string_append_c (body, ']');

  hold_writer (f, &gate, ticket_id, &submitted);
  exchange_start_full (f, &exchange, "POST", "/api/v1/ops", body->str, token);
  /* On loopback the request is in the host's socket once written: when
   * nothing is ready any more, the host has read it and queued its ops
   * (had it not, the token check refuses it: the same answer). */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_idle_add (gate_open_cb, &gate);
  g_assert_true (tr_host_revoke_station (f->host, "till", &error));
  g_assert_no_error (error);
  text = exchange_finish (&exchange, &status);
  g_assert_cmpuint (status, ==, 401);
  assert_unauthorized (text, "revoked");
  wait_for (submitted_done, &submitted, "the host's own commit");
  outcomes = tr_host_submit_ops_finish (f->host, submitted.result, &error);
  g_assert_no_error (error);
  g_clear_object (&submitted.result);
  host_barrier (f, ticket_id);
  g_assert_cmpuint (count_in_log (f, op_ids), ==, 0);
  gate_clear (&gate);
  g_string_free (body, TRUE);
}

/* Issue 18, "Revocation": pairing a station again (a new token for the
 * same station id) closes the connections that said hello with its old
 * token, and what they had sent but the host had not yet committed is
 * never applied. */
static void
test_repair_closes_old_token (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket_id = submit_ticket (f);
  Peer *old = hello_peer (f, "tablet-7");
  char *old_token = g_strdup (station_token (f, "tablet-7"));
  g_autoptr (GPtrArray) op_ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *frame = build_create_ops ("tablet-7", 40, op_ids);
  g_autoptr (TrFrame) ack = NULL;
  g_autoptr (TrOp) op = NULL;
  Peer *fresh;
  guint n_applied_acks = 0;

  /* 5 go through at once; 35 wait in the throttle queue. */
  peer_send (old, frame);
  peer_assert_nothing_pending (old);

  /* The same station id pairs again, with a new code. */
  g_hash_table_remove (f->tokens, "tablet-7");
  g_assert_cmpstr (station_token (f, "tablet-7"), !=, old_token);
  g_assert_cmpuint (peer_wait_close (old, "unauthorized"), ==, TR_CLOSE_REVOKED);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (old->ws), ==, "revoked");
  host_barrier (f, ticket_id);

  /* What the host applied from the old token, it acked before the
   * close: nothing of it was applied after the re-pairing. */
  for (GList *l = old->frames.head; l != NULL; l = l->next)
    {
      g_autoptr (TrFrame) parsed = tr_frame_parse (l->data, strlen (l->data), NULL);

      if (parsed != NULL && parsed->type == TR_FRAME_ACK)
        {
          g_assert_cmpint (parsed->result, ==, TR_APPLY_APPLIED);
          n_applied_acks++;
        }
    }
  g_assert_cmpuint (n_applied_acks, <, 40);
  g_assert_cmpuint (count_in_log (f, op_ids), ==, n_applied_acks);

  /* The old token is dead; the new one works. */
  {
    Peer *stale = hello_with_token (f, "tablet-7", old_token);

    g_assert_cmpuint (peer_wait_close (stale, "unauthorized"), ==, TR_CLOSE_UNAUTHORIZED);
  }
  fresh = hello_peer (f, "tablet-7");
  op = tr_op_new_set_ticket_status ("tablet-7", ticket_id, TR_TICKET_STATUS_READY);
  {
    g_autofree char *text = tr_frame_build_op (op);
    g_autoptr (TrFrame) events = NULL;

    peer_send (fresh, text);
    events = peer_next_frame (fresh, TR_FRAME_EVENTS);
    ack = peer_next_frame (fresh, TR_FRAME_ACK);
  }
  g_assert_cmpint (ack->result, ==, TR_APPLY_APPLIED);
  g_free (old_token);
}

static void
test_port_in_use (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-host-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ticketrail.db", NULL);
  g_autoptr (TrStore) store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_autoptr (TrHost) first = NULL;
  g_autoptr (TrHost) second = NULL;
  const char *names[] = { "ticketrail.db", "ticketrail.db-wal", "ticketrail.db-shm" };

  g_assert_no_error (error);
  first = g_object_new (TR_TYPE_HOST, "store", store, "port", 0, "loopback-only", TRUE, NULL);
  g_assert_true (tr_host_start (first, &error));
  second = g_object_new (TR_TYPE_HOST, "store", store, "port", tr_host_get_bound_port (first),
                         "loopback-only", TRUE, NULL);
  g_assert_false (tr_host_start (second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_false (tr_host_is_running (second));
  tr_host_stop (first);
  g_clear_object (&first);
  g_clear_object (&second);
  g_clear_object (&store);
  drain ();
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_build_filename (dir, names[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, setup, func) g_test_add (path, Fixture, NULL, setup, func, fixture_teardown)
  ADD ("/host/health", fixture_setup, test_health);
  ADD ("/host/hello/snapshot", fixture_setup, test_hello_snapshot);
  ADD ("/host/hello/resume", fixture_setup, test_hello_resume);
  ADD ("/host/hello/catch-up-in-chunks", fixture_setup, test_hello_catch_up_in_chunks);
  ADD ("/host/hello/snapshot-cases", fixture_setup, test_hello_snapshot_cases);
  ADD ("/host/ops/duplicate-ws-then-http", fixture_setup, test_duplicate_ws_then_http);
  ADD ("/host/ops/http-batch-and-errors", fixture_setup, test_http_ops_batch_and_errors);
  ADD ("/host/ops/group-commit", fixture_setup, test_group_commit_batch);
  ADD ("/host/fan-out", fixture_setup, test_fan_out);
  ADD ("/host/test-screens", fixture_setup, test_screens);
  ADD ("/host/test-screens/ctl", fixture_setup, test_screens_ctl);
  ADD ("/host/bad/malformed-json", fixture_setup, test_bad_malformed_json);
  ADD ("/host/bad/not-an-object", fixture_setup, test_bad_not_an_object);
  ADD ("/host/bad/unknown-type", fixture_setup, test_bad_unknown_type);
  ADD ("/host/bad/binary", fixture_setup, test_bad_binary);
  ADD ("/host/bad/oversize", fixture_setup, test_bad_oversize);
  ADD ("/host/bad/huge", fixture_setup, test_bad_huge);
  ADD ("/host/bad/second-hello", fixture_setup, test_bad_second_hello);
  ADD ("/host/bad/op-before-hello", fixture_setup, test_bad_op_before_hello);
  ADD ("/host/bad/protocol-version", fixture_setup, test_bad_protocol_version);
  ADD ("/host/bad/unknown-ticket", fixture_setup, test_bad_unknown_ticket);
  ADD ("/host/bad/illegal-transition", fixture_setup, test_bad_illegal_transition);
  ADD ("/host/bad/invalid-op", fixture_setup, test_bad_invalid_op);
  ADD ("/host/no-deflate", fixture_setup, test_no_deflate);
  ADD ("/host/long-poll", fixture_setup, test_long_poll);
  ADD ("/host/tickets", fixture_setup, test_tickets_endpoint);
  ADD ("/host/body-too-large", fixture_setup, test_body_too_large);
  ADD ("/host/slow-reader", slow_setup, test_slow_reader);
  ADD ("/host/lag-within-limit", fixture_setup, test_lag_within_limit);
  ADD ("/host/dead-peer", dead_setup, test_dead_peer);
  ADD ("/host/no-websocket", no_websocket_setup, test_no_websocket);
  ADD ("/host/stop-going-away", fixture_setup, test_stop_going_away);
  ADD ("/host/station-registry", fixture_setup, test_station_registry);
  ADD ("/host/security/auth-http", fixture_setup, test_auth_http);
  ADD ("/host/security/auth-websocket", fixture_setup, test_auth_websocket);
  ADD ("/host/security/revoke", fixture_setup, test_auth_revoke);
  ADD ("/host/security/pair-codes", fixture_setup, test_pair_codes);
  ADD ("/host/security/pair-lockout", fixture_setup, test_pair_lockout);
  ADD ("/host/security/origin", fixture_setup, test_origin);
  ADD ("/host/security/board-read-only", fixture_setup, test_board_read_only);
  ADD ("/host/security/deep-nesting", fixture_setup, test_deep_nesting);
  ADD ("/host/security/op-flood", flood_setup, test_op_flood);
  ADD ("/host/security/op-flood-http", flood_setup, test_op_flood_http);
  ADD ("/host/security/hello-timeout", hello_timeout_setup, test_hello_timeout);
  ADD ("/host/security/slowloris", slowloris_setup, test_slowloris);
  ADD ("/host/security/connection-limit", connections_setup, test_connection_limit);
  ADD ("/host/security/hung-up-connections", hung_up_setup, test_hung_up_connections_stop_counting);
  ADD ("/host/submit-ops-async", fixture_setup, test_submit_ops_async);
  ADD ("/host/save-menu-async", fixture_setup, test_save_menu_async);
  ADD ("/host/security/revoke-queued-ops", throttle_setup, test_revoke_queued_ops);
  ADD ("/host/security/revoke-queued-http", fixture_setup, test_revoke_queued_http);
  ADD ("/host/security/repair-closes-old-token", throttle_setup, test_repair_closes_old_token);
#undef ADD
  g_test_add_func ("/host/port-in-use", test_port_in_use);

  return g_test_run ();
}
