/* tr-standby.c: a standby that keeps a copy of a host (tr-standby.h)
 *
 * The host's side is tr-host-standby.c; docs/protocol.md "Standby" has
 * the frames. The copy is a host-format database: promoting it
 * (tr_store_promote(), ticketrail-host --promote) starts a host that has
 * the tickets, the op ids for dedupe and the roster.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-standby"

#include "config.h"

#include "tr-standby.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <errno.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"
#include "tr-store-replica.h"
#include "tr-store.h"

#define GROUP "standby"
/* The state frame carries the roster and the menu: more than a station
 * frame may be. */
#define MAX_INCOMING_PAYLOAD (16 * 1024 * 1024)
#define PING_INTERVAL_MS 2000
#define RECONNECT_MS 500

struct _TrStandby
{
  GObject parent_instance;

  char *data_dir;
  char *db_path;
  char *ini_path;
  char *host_url;
  char *station_id;
  char *token;

  SoupSession *session;
  TrStore *store;
  SoupWebsocketConnection *ws;
  GCancellable *cancellable;
  guint ping_id;
  guint reconnect_id;
  gboolean running;
  gboolean recopy;   /* the host answered with a snapshot: the copy is too old */
  gint64 last_heard; /* monotonic µs of the host's last frame; 0 never (auto-promotion) */
  guint listen_port; /* said in standby_ack: where this station would serve */
};

G_DEFINE_FINAL_TYPE (TrStandby, tr_standby, G_TYPE_OBJECT)

static void
connect_ws (TrStandby *self);

static void
tr_standby_dispose (GObject *object)
{
  TrStandby *self = TR_STANDBY (object);

  tr_standby_stop (self);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (tr_standby_parent_class)->dispose (object);
}

static void
tr_standby_finalize (GObject *object)
{
  TrStandby *self = TR_STANDBY (object);

  g_free (self->data_dir);
  g_free (self->db_path);
  g_free (self->ini_path);
  g_free (self->host_url);
  g_free (self->station_id);
  g_free (self->token);
  G_OBJECT_CLASS (tr_standby_parent_class)->finalize (object);
}

static void
tr_standby_class_init (TrStandbyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_standby_dispose;
  object_class->finalize = tr_standby_finalize;
}

static void
tr_standby_init (TrStandby *self)
{
  self->session = soup_session_new_with_options ("timeout", 60, NULL);
}

TrStandby *
tr_standby_new (const char *data_dir)
{
  TrStandby *self;

  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (TR_TYPE_STANDBY, NULL);
  self->data_dir = g_strdup (data_dir);
  self->db_path = g_build_filename (data_dir, "ticketrail.db", NULL);
  self->ini_path = g_build_filename (data_dir, "standby.ini", NULL);
  return self;
}

static char *
make_url (TrStandby *self, const char *path)
{
  const char *base = self->host_url;
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int)len, base, path);
}

gboolean
tr_standby_pair (TrStandby *self, const char *host_url, const char *code, GError **error)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GKeyFile) ini = g_key_file_new ();
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *station_id = NULL;
  JsonNode *root;
  const char *token;

  g_return_val_if_fail (TR_IS_STANDBY (self), FALSE);

  g_free (self->host_url);
  self->host_url = g_strdup (host_url);
  {
    g_autofree char *uuid = g_uuid_string_random ();

    station_id = g_strdup_printf ("standby-%s", uuid);
  }
  url = make_url (self, "/api/v1/pair");
  if (!(msg = soup_message_new (SOUP_METHOD_POST, url)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "not a valid host URL: %s", host_url);
      return FALSE;
    }
  body = g_strdup_printf ("{\"code\":\"%s\",\"station\":{\"id\":\"%s\",\"name\":\"Standby\","
                          "\"role\":\"" TR_ROLE_STANDBY "\"}}",
                          code, station_id);
  {
    g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  }
  if (!(reply = soup_session_send_and_read (self->session, msg, NULL, error)))
    return FALSE;
  if (soup_message_get_status (msg) != SOUP_STATUS_OK
      && soup_message_get_status (msg) != SOUP_STATUS_CREATED)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_UNAUTHORIZED, "pairing refused (HTTP %u): %.*s",
                   soup_message_get_status (msg), (int)g_bytes_get_size (reply),
                   (const char *)g_bytes_get_data (reply, NULL));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                   (gssize)g_bytes_get_size (reply), error))
    return FALSE;
  root = json_parser_get_root (parser);
  token
    = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
        ? json_object_get_string_member_with_default (json_node_get_object (root), "token", NULL)
        : NULL;
  if (token == NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL, "the host's pairing answer has no token");
      return FALSE;
    }
  g_mkdir_with_parents (self->data_dir, 0700);
  g_key_file_set_string (ini, GROUP, "host_url", host_url);
  g_key_file_set_string (ini, GROUP, "station_id", station_id);
  g_key_file_set_string (ini, GROUP, "token", token);
  /* The token is a secret: readable by this user only. */
  if (!g_key_file_save_to_file (ini, self->ini_path, error))
    return FALSE;
  g_chmod (self->ini_path, 0600);
  g_free (self->station_id);
  self->station_id = g_steal_pointer (&station_id);
  g_free (self->token);
  self->token = g_strdup (token);
  return TRUE;
}

static gboolean
load_ini (TrStandby *self, GError **error)
{
  g_autoptr (GKeyFile) ini = g_key_file_new ();

  if (!g_key_file_load_from_file (ini, self->ini_path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "not paired as a standby (--pairing-code): ");
      return FALSE;
    }
  g_free (self->host_url);
  g_free (self->station_id);
  g_free (self->token);
  self->host_url = g_key_file_get_string (ini, GROUP, "host_url", NULL);
  self->station_id = g_key_file_get_string (ini, GROUP, "station_id", NULL);
  self->token = g_key_file_get_string (ini, GROUP, "token", NULL);
  if (self->host_url == NULL || self->station_id == NULL || self->token == NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "%s lacks host_url, station_id or token",
                   self->ini_path);
      return FALSE;
    }
  return TRUE;
}

static void
add_token (TrStandby *self, SoupMessage *msg)
{
  g_autofree char *value = g_strdup_printf ("Bearer %s", self->token);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
}

/* The whole file, into a temporary name, fsynced, then renamed over: a
 * crash leaves the old copy or the new one, never half of one. */
static gboolean
copy_database (TrStandby *self, GError **error)
{
  g_autofree char *url = make_url (self, "/api/v1/standby/copy");
  g_autofree char *tmp = g_strconcat (self->db_path, ".copy", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr (GBytes) bytes = NULL;
  const char *suffixes[] = { "-wal", "-shm", NULL };

  if (msg == NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "not a valid host URL: %s", self->host_url);
      return FALSE;
    }
  add_token (self, msg);
  if (!(bytes = soup_session_send_and_read (self->session, msg, NULL, error)))
    return FALSE;
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_UNAUTHORIZED, "the host refused the copy (HTTP %u)",
                   soup_message_get_status (msg));
      return FALSE;
    }
  if (!g_file_set_contents_full (tmp, g_bytes_get_data (bytes, NULL),
                                 (gssize)g_bytes_get_size (bytes), G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, error))
    return FALSE;
  g_clear_object (&self->store);
  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *side = g_strconcat (self->db_path, suffixes[i], NULL);

      g_unlink (side);
    }
  if (g_rename (tmp, self->db_path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "renaming %s: %s", tmp,
                   g_strerror (errno));
      return FALSE;
    }
  g_message ("Copied the host's database (%" G_GSIZE_FORMAT " bytes)", g_bytes_get_size (bytes));
  return TRUE;
}

static gboolean
open_copy (TrStandby *self, GError **error)
{
  if (!g_file_test (self->db_path, G_FILE_TEST_EXISTS) && !copy_database (self, error))
    return FALSE;
  if (self->store == NULL
      && !(self->store = tr_store_open (self->db_path, TR_STORE_DURABILITY_FULL, error)))
    return FALSE;
  return TRUE;
}

void
tr_standby_set_listen_port (TrStandby *self, guint port)
{
  g_return_if_fail (TR_IS_STANDBY (self));

  self->listen_port = port;
}

gint64
tr_standby_get_head_seq (TrStandby *self)
{
  g_return_val_if_fail (TR_IS_STANDBY (self), 0);

  return self->store != NULL ? tr_store_get_head_seq (self->store) : 0;
}

static void
send_text (TrStandby *self, const char *text)
{
  if (self->ws != NULL
      && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (self->ws, text);
}

static void
send_ack (TrStandby *self)
{
  g_autofree char *ack
    = tr_frame_build_standby_ack (tr_store_get_head_seq (self->store), self->listen_port);

  send_text (self, ack);
}

static void
apply_state (TrStandby *self, JsonObject *object)
{
  g_autoptr (GError) error = NULL;
  JsonNode *menu = json_object_get_member (object, "menu");
  JsonNode *printers = json_object_get_member (object, "printers");

  /* A host from before issue 13's replication sends no printers: the
   * copy keeps the ones it has. */
  if (!tr_store_replace_roster (self->store, json_object_get_member (object, "roster"), &error)
      || (menu != NULL
          && !tr_store_set_menu (
            self->store, JSON_NODE_HOLDS_VALUE (menu) ? json_node_get_string (menu) : NULL, &error))
      || (printers != NULL && !tr_store_replace_printers (self->store, printers, &error)))
    g_warning ("Keeping the host's roster, menu and printers failed: %s", error->message);
}

/* The slips the host printed: a promoted copy does not print them again. */
static void
apply_journal (TrStandby *self, JsonObject *object)
{
  g_autoptr (GError) error = NULL;

  if (!tr_store_replicate_journal (self->store, json_object_get_member (object, "rows"),
                                   json_object_get_member (object, "cursors"), &error))
    g_warning ("Keeping the host's print journal failed: %s", error->message);
}

/* A frame of the standby's own (standby_state, standby_journal), or NULL
 * for the protocol's frames. The host writes "type" first; the JSON is
 * read with the codec's limits and pre-scan, as every frame is. */
static JsonNode *
parse_standby_frame (const char *data, gsize length)
{
  static const char prefix[] = "{\"type\":\"standby_";
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  if (length < sizeof prefix - 1 || memcmp (data, prefix, sizeof prefix - 1) != 0)
    return NULL;
  if (!(root = tr_json_parse (data, (gssize)length, &error)))
    {
      g_warning ("A standby frame from the host the standby cannot read: %s", error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    g_clear_pointer (&root, json_node_unref);
  return root;
}

static void
close_ws (TrStandby *self, gushort code, const char *reason)
{
  if (self->ws != NULL
      && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->ws, code, reason);
}

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  TrStandby *self = user_data;
  g_autoptr (JsonNode) own_root = NULL;
  g_autoptr (TrFrame) frame = NULL;
  g_autoptr (GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  /* Its pongs come every PING_INTERVAL_MS: silence means no host. */
  self->last_heard = g_get_monotonic_time ();
  if ((own_root = parse_standby_frame (data, length)) != NULL)
    {
      JsonObject *own = json_node_get_object (own_root);
      const char *kind = json_object_get_string_member_with_default (own, "type", NULL);

      if (g_strcmp0 (kind, "standby_state") == 0)
        apply_state (self, own);
      else if (g_strcmp0 (kind, "standby_journal") == 0)
        apply_journal (self, own);
      return;
    }
  if (!(frame = tr_frame_parse (data, length, &error)))
    {
      g_warning ("A frame from the host the standby cannot read: %s", error->message);
      return;
    }
  switch (frame->type)
    {
      case TR_FRAME_EVENTS:
        /* Durable before the ack: the host acks the ops only after it. */
        if (!tr_store_replicate_events (self->store, frame->events, &error))
          {
            g_warning ("Keeping the host's events failed: %s", error->message);
            close_ws (self, TR_CLOSE_NORMAL, "standby store failure");
            return;
          }
        send_ack (self);
        break;

      case TR_FRAME_WELCOME:
        /* Nothing to catch up: in sync as of now. */
        if (frame->head_seq <= tr_store_get_head_seq (self->store))
          send_ack (self);
        break;

      case TR_FRAME_SNAPSHOT:
        /* A host says hello at seq 0 with a snapshot: with nothing in
         * it, both hold nothing yet. */
        if (frame->seq == 0 && tr_store_get_head_seq (self->store) == 0)
          {
            send_ack (self);
            break;
          }
        /* The host's log no longer reaches back to this copy's head (or
         * it is another host): take the whole file again. */
        g_message ("The host sent a snapshot: copying its database again");
        self->recopy = TRUE;
        close_ws (self, TR_CLOSE_NORMAL, "copying again");
        break;

      case TR_FRAME_ERROR:
        g_warning ("The host refused the standby: %s", frame->error_message);
        break;

      case TR_FRAME_PONG:
      default:
        break;
    }
}

/* On the thread-default context, as the session's callbacks: the app
 * runs its standby on a thread of its own (tr-station-standby.c). */
static guint
add_timeout (guint interval_ms, GSourceFunc func, gpointer data)
{
  g_autoptr (GSource) source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, data, NULL);
  return g_source_attach (source, g_main_context_get_thread_default ());
}

static void
remove_source (guint *id)
{
  GSource *source;

  if (*id != 0
      && (source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), *id)))
    g_source_destroy (source);
  *id = 0;
}

static gboolean
reconnect_cb (gpointer user_data)
{
  TrStandby *self = user_data;

  self->reconnect_id = 0;
  connect_ws (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (TrStandby *self)
{
  if (self->running && self->reconnect_id == 0)
    self->reconnect_id = add_timeout (RECONNECT_MS, reconnect_cb, self);
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  TrStandby *self = user_data;

  g_message ("The host closed the standby's connection (%u)",
             soup_websocket_connection_get_close_code (ws));
  remove_source (&self->ping_id);
  g_signal_handlers_disconnect_by_data (ws, self);
  g_clear_object (&self->ws);
  schedule_reconnect (self);
}

static gboolean
ping_cb (gpointer user_data)
{
  TrStandby *self = user_data;
  g_autofree char *ping
    = tr_frame_build_ping (g_get_real_time () / 1000, tr_store_get_head_seq (self->store), 0);

  send_text (self, ping);
  return G_SOURCE_CONTINUE;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrStandby *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *hello = NULL;
  g_autofree char *since_op = NULL;
  SoupWebsocketConnection *ws
    = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  if (ws == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("Connecting to the host failed: %s", error->message);
          schedule_reconnect (self);
        }
      g_object_unref (self);
      return;
    }
  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_INCOMING_PAYLOAD);
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), self);
  /* With the op id of its head: a copy that got events the host then
   * failed to commit (they go before the host's fsync,
   * tr-host-standby-stream.c) no longer matches the host's event at that
   * seq, and is sent a snapshot, so it takes the file again. */
  since_op = tr_store_get_event_op_id (self->store, tr_store_get_head_seq (self->store), NULL);
  hello = tr_frame_build_hello_resume (self->station_id, "Standby", TR_ROLE_STANDBY, self->token,
                                       tr_store_get_db_id (self->store),
                                       tr_store_get_head_seq (self->store), since_op);
  send_text (self, hello);
  self->ping_id = add_timeout (PING_INTERVAL_MS, ping_cb, self);
  g_message ("Standby connected to %s at seq %" G_GINT64_FORMAT, self->host_url,
             tr_store_get_head_seq (self->store));
  g_object_unref (self);
}

static void
connect_ws (TrStandby *self)
{
  static const char *const protocols[] = { TR_PROTOCOL_SUBPROTOCOL, NULL };
  g_autofree char *url = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) error = NULL;

  if (!self->running)
    return;
  if (self->recopy)
    {
      /* Blocking: this process has nothing else to do meanwhile. */
      g_clear_object (&self->store);
      g_unlink (self->db_path);
      if (!copy_database (self, &error) || !open_copy (self, &error))
        {
          g_warning ("Copying the host's database again failed: %s", error->message);
          schedule_reconnect (self);
          return;
        }
      self->recopy = FALSE;
    }
  url = make_url (self, "/api/v1/ws");
  if (!(msg = soup_message_new (SOUP_METHOD_GET, url)))
    return;
  soup_session_websocket_connect_async (self->session, msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, self->cancellable, on_connected,
                                        g_object_ref (self));
}

gint64
tr_standby_get_last_heard (TrStandby *self)
{
  g_return_val_if_fail (TR_IS_STANDBY (self), 0);

  return self->last_heard;
}

TrStore *
tr_standby_get_store (TrStandby *self)
{
  g_return_val_if_fail (TR_IS_STANDBY (self), NULL);

  return self->store;
}

gboolean
tr_standby_start (TrStandby *self, GError **error)
{
  g_return_val_if_fail (TR_IS_STANDBY (self), FALSE);

  if (self->running)
    return TRUE;
  if ((self->token == NULL && !load_ini (self, error)) || !open_copy (self, error))
    return FALSE;
  self->running = TRUE;
  self->cancellable = g_cancellable_new ();
  connect_ws (self);
  return TRUE;
}

void
tr_standby_stop (TrStandby *self)
{
  g_return_if_fail (TR_IS_STANDBY (self));

  self->running = FALSE;
  remove_source (&self->reconnect_id);
  remove_source (&self->ping_id);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      close_ws (self, TR_CLOSE_GOING_AWAY, "standby stopping");
      g_clear_object (&self->ws);
    }
}
