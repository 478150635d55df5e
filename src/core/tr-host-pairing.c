/* tr-host-pairing.c: pairing codes and station tokens
 *
 * The pair endpoint, checking a station's token (for a hello or an HTTP
 * request) and revoking a station (docs/security.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-protocol.h"

/* Pairing (docs/security.md): a code lives ten minutes, and after
 * PAIRING_MAX_FAILURES wrong codes within a minute the endpoint answers
 * 429 until the oldest of them is a minute old. */
#define PAIRING_CODE_LIFETIME_MS (10 * 60 * 1000)
#define PAIRING_WINDOW_MS (60 * 1000)
#define TOKEN_BYTES 32

/* GRand is no CSPRNG: codes and tokens come from the kernel's. */
gboolean
_tr_host_random_bytes (guint8 *buffer, gsize length, GError **error)
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

  if (!_tr_host_random_bytes (bytes, sizeof bytes, error))
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
    if (!_tr_host_random_bytes ((guint8 *)&value, sizeof value, error))
      return NULL;
  while (value >= limit);
  code = g_strdup_printf ("%06u", value % 1000000u);
  if (!tr_store_add_pairing_code (store, code, now, now + PAIRING_CODE_LIFETIME_MS, error))
    return NULL;
  if (out_expires_at != NULL)
    *out_expires_at = now + PAIRING_CODE_LIFETIME_MS;
  return g_steal_pointer (&code);
}

/* Looks @token up; on AUTH_OK *@out_station_id is the station it was
 * issued to, *@out_token_hash (nullable) its hash, as a GRefString, and
 * *@out_read_only (nullable) whether it was paired as a board, which may
 * read but not change anything. */
AuthResult
_tr_host_check_token (TrHost *self, const char *token, char **out_station_id,
                      char **out_token_hash, gboolean *out_read_only)
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
  /* The loop's read-only connection: never waits for a commit. */
  paired = tr_store_reader_lookup_token (self->reader, hash, &error);
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

    /* Written in batches by _tr_host_maintenance_cb(): a write per request would
     * cost an fsync each. */
    *now = tr_now_ms ();
    g_hash_table_insert (self->seen, g_strdup (paired->station_id), now);
  }
  *out_station_id = g_strdup (paired->station_id);
  if (out_token_hash != NULL)
    *out_token_hash = g_ref_string_new (hash);
  if (out_read_only != NULL)
    *out_read_only = tr_role_is_read_only (paired->role);
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

const char *
_tr_host_auth_message (AuthResult result)
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

static gboolean
touch_stations (TrStore *store, gpointer data, GError **error)
{
  return tr_store_touch_stations (store, data, error);
}

static void
touch_stations_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!_tr_host_write_finish (TR_HOST (source), result, &error))
    g_warning ("Recording when stations were last seen failed: %s", error->message);
}

/* On the writer thread, behind the commits already queued. */
void
_tr_host_write_seen (TrHost *self)
{
  GHashTable *seen;

  if (g_hash_table_size (self->seen) == 0)
    return;
  seen = g_steal_pointer (&self->seen);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  _tr_host_write_async (self, touch_stations, seen, (GDestroyNotify)g_hash_table_unref, NULL,
                        touch_stations_cb, NULL);
}

/* 401 with the reason a station shows: "missing", "unknown", "revoked". */
void
_tr_host_respond_unauthorized (SoupServerMessage *msg, AuthResult result)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();

  if (result == AUTH_FAILED)
    {
      _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                              tr_error_code_to_string (TR_ERROR_STORE),
                              _tr_host_auth_message (result));
      return;
    }
  json_object_set_string_member (error, "code", tr_error_code_to_string (TR_ERROR_UNAUTHORIZED));
  json_object_set_string_member (error, "message", _tr_host_auth_message (result));
  json_object_set_string_member (error, "reason", auth_reason (result));
  json_object_set_object_member (root, "error", error);
  json_node_take_object (node, root);
  _tr_host_respond_json_take (msg, SOUP_STATUS_UNAUTHORIZED, tr_json_to_string (node));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate",
                                "Bearer realm=\"ticketrail\"");
}

/* Checks "Authorization: Bearer TOKEN". TRUE when the request may go
 * on; *@out_station_id is then the paired station (NULL when the host
 * does not require pairing). FALSE: the 401 is set, or, for a request
 * that @writes with a board's read-only token, the 403. */
gboolean
_tr_host_authorize_request (TrHost *self, SoupServerMessage *msg, gboolean writes,
                            char **out_station_id)
{
  const char *header;
  g_autofree char *token = NULL;
  char *hash = NULL;
  gboolean read_only = FALSE;
  AuthResult result;

  *out_station_id = NULL;
  if (!self->require_pairing)
    return TRUE;
  header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                         "Authorization");
  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    token = g_strstrip (g_strdup (header + 7));
  result = _tr_host_check_token (self, token, out_station_id, &hash, &read_only);
  if (result != AUTH_OK)
    {
      _tr_host_respond_unauthorized (msg, result);
      return FALSE;
    }
  if (writes && read_only)
    {
      g_clear_pointer (out_station_id, g_free);
      g_ref_string_release (hash);
      _tr_host_respond_error (msg, SOUP_STATUS_FORBIDDEN,
                              tr_error_code_to_string (TR_ERROR_FORBIDDEN),
                              "this station was paired as a board: it may read, not change");
      return FALSE;
    }
  /* For the ops the request carries: the writer checks the token again
   * when it commits them (tr-host-commit.c). */
  g_object_set_data_full (G_OBJECT (msg), REQUEST_TOKEN_HASH_KEY, hash,
                          (GDestroyNotify)g_ref_string_release);
  return TRUE;
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
  _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, tr_error_code_to_string (TR_ERROR_INVALID),
                          message);
  return FALSE;
}

/* Five wrong codes within a minute lock pairing for everyone until the
 * oldest of them is a minute old: a guest cannot try the million codes,
 * only make a manager wait. */
static gint64
pairing_locked_for_ms (TrHost *self)
{
  gint64 now = _tr_host_monotonic_ms ();
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
  self->pair_failures[self->n_pair_failures++] = _tr_host_monotonic_ms ();
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
  _tr_host_respond_json_take (msg, SOUP_STATUS_UNAUTHORIZED, tr_json_to_string (node));
}

/* A pairing request waiting for the writer to redeem its code. */
typedef struct
{
  SoupServerMessage *msg;
  gulong finished_id;
  gboolean finished; /* the client went away: never touch msg again */
  char *code;
  char *station_id;
  char *name;
  char *role;
  char *token;
  char *hash;
  char *remote_host;
  gint64 now;
  TrPairingStatus status;
} Pairing;

static void
pairing_free (Pairing *pairing)
{
  g_clear_signal_handler (&pairing->finished_id, pairing->msg);
  g_clear_object (&pairing->msg);
  g_free (pairing->code);
  g_free (pairing->station_id);
  g_free (pairing->name);
  g_free (pairing->role);
  if (pairing->token != NULL)
    memset (pairing->token, 0, strlen (pairing->token));
  g_free (pairing->token);
  g_free (pairing->hash);
  g_free (pairing->remote_host);
  g_free (pairing);
}

static void
on_pairing_finished (SoupServerMessage *msg, gpointer user_data)
{
  Pairing *pairing = user_data;

  pairing->finished = TRUE;
}

/* Closes @station_id's WebSocket connections whose token is not
 * @keep_hash (all of them when NULL) with @message and 4403, and answers
 * its waiting long-polls 401 "revoked". A connection still catching up
 * counts too: it has a station id from its hello. What they sent and the
 * host has not yet committed is refused by the writer, which checks the
 * token of every op it commits (tr-host-commit.c). */
static void
close_station (TrHost *self, const char *station_id, const char *keep_hash, const char *message)
{
  for (guint i = self->connections->len; i > 0; i--)
    {
      Connection *conn = g_ptr_array_index (self->connections, i - 1);

      if (g_strcmp0 (conn->station_id, station_id) != 0
          || (keep_hash != NULL && g_strcmp0 (conn->token_hash, keep_hash) == 0))
        continue;
      _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_UNAUTHORIZED), message,
                                TR_CLOSE_REVOKED, "revoked");
    }
  /* Polls keep no token; they all predate @keep_hash, which is only now
   * being sent to the station that paired. */
  for (guint i = self->polls->len; i > 0; i--)
    {
      Poll *poll = g_ptr_array_index (self->polls, i - 1);
      SoupServerMessage *msg;

      if (g_strcmp0 (poll->station_id, station_id) != 0)
        continue;
      msg = g_object_ref (poll->msg);
      _tr_host_poll_detach (self, poll);
      _tr_host_respond_unauthorized (msg, AUTH_REVOKED);
      soup_server_message_unpause (msg);
      g_object_unref (msg);
    }
}

/* The writer thread. */
static gboolean
redeem_code (TrStore *store, gpointer data, GError **error)
{
  Pairing *pairing = data;

  return tr_store_redeem_pairing_code (store, pairing->code, pairing->now, pairing->station_id,
                                       pairing->name, pairing->role, pairing->hash,
                                       &pairing->status, error);
}

static void
redeem_code_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrHost *self = TR_HOST (source);
  Pairing *pairing = user_data;
  SoupServerMessage *msg = pairing->msg;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) answer = NULL;
  JsonObject *reply;
  gboolean ok = _tr_host_write_finish (self, result, &error);

  if (ok && pairing->status != TR_PAIRING_OK)
    {
      pairing_failed (self);
      g_message ("A wrong pairing code from %s (%u in the last minute)", pairing->remote_host,
                 self->n_pair_failures);
    }
  if (ok && pairing->status == TR_PAIRING_OK)
    {
      g_message ("Paired station %s (%s) from %s", pairing->station_id,
                 pairing->name ? pairing->name : "no name", pairing->remote_host);
      /* A re-pairing replaced the station's token: whoever holds the old
       * one (a lost tablet, the screen being replaced) is out now, not at
       * its next hello. A host that does not require pairing let its
       * connections in without a token: none of them is "the old one". */
      if (self->require_pairing)
        close_station (self, pairing->station_id, pairing->hash,
                       "this station was paired again; this token no longer works: pair it again");
      _tr_host_stations_changed (self);
      /* A promoted standby must know this token. */
      _tr_host_standby_push_state (self);
    }
  if (pairing->finished)
    return;

  if (!ok)
    _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            tr_error_code_to_string (TR_ERROR_STORE), error->message);
  else if (pairing->status == TR_PAIRING_EXPIRED_CODE)
    respond_pairing_refused (msg, "expired_code",
                             "this pairing code has expired; ask the host for a new one");
  else if (pairing->status != TR_PAIRING_OK)
    respond_pairing_refused (msg, "wrong_code", "wrong pairing code");
  else
    {
      answer = json_node_new (JSON_NODE_OBJECT);
      reply = json_object_new ();
      json_object_set_string_member (reply, "token", pairing->token);
      json_object_set_string_member (reply, "host_id", self->db_id);
      json_object_set_string_member (reply, "station_id", pairing->station_id);
      if (self->tls_fingerprint != NULL)
        json_object_set_string_member (reply, "fingerprint", self->tls_fingerprint);
      else
        json_object_set_null_member (reply, "fingerprint");
      json_node_take_object (answer, reply);
      _tr_host_respond_json_take (msg, SOUP_STATUS_OK, tr_json_to_string (answer));
    }
  soup_server_message_unpause (msg);
}

/* POST /api/v1/pair {"code","station":{"id","name","role"}}: trades a
 * pairing code for a station token. */
void
_tr_host_handle_pair (SoupServer *server, SoupServerMessage *msg, const char *path,
                      GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *token = NULL;
  JsonObject *object, *station = NULL;
  const char *code, *station_id, *name, *role;
  Pairing *pairing;
  gint64 locked_ms;

  if (!_tr_host_require_exact_path (msg, path, API_PREFIX "/pair")
      || !_tr_host_require_method (msg, SOUP_METHOD_POST, NULL))
    return;

  if ((locked_ms = pairing_locked_for_ms (self)) > 0)
    {
      g_autofree char *message = g_strdup_printf (
        "too many wrong pairing codes; try again in %" G_GINT64_FORMAT " s", (locked_ms + 999) / 1000);
      g_autofree char *retry = g_strdup_printf ("%" G_GINT64_FORMAT, (locked_ms + 999) / 1000);

      _tr_host_respond_error (msg, HTTP_TOO_MANY_REQUESTS, tr_error_code_to_string (TR_ERROR_LIMIT),
                              message);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    retry);
      return;
    }

  if (!(root = _tr_host_parse_body (msg, &error)))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                              tr_error_code_to_string (TR_ERROR_INVALID), error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                              tr_error_code_to_string (TR_ERROR_INVALID),
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
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                              tr_error_code_to_string (TR_ERROR_INVALID),
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
      _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", error->message);
      return;
    }

  /* The code is redeemed by the writer; the request waits for it. */
  pairing = g_new0 (Pairing, 1);
  pairing->msg = g_object_ref (msg);
  pairing->finished_id
    = g_signal_connect (msg, "finished", G_CALLBACK (on_pairing_finished), pairing);
  pairing->code = g_strdup (code);
  pairing->station_id = g_strdup (station_id);
  pairing->name = g_strdup (name);
  pairing->role = g_strdup (role);
  pairing->token = g_steal_pointer (&token);
  pairing->hash = tr_token_hash (pairing->token);
  pairing->remote_host = g_strdup (soup_server_message_get_remote_host (msg));
  pairing->now = tr_now_ms ();
  soup_server_message_pause (msg);
  _tr_host_write_async (self, redeem_code, pairing, (GDestroyNotify)pairing_free, NULL,
                        redeem_code_cb, pairing);
}

void
_tr_host_close_revoked (TrHost *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) paired = NULL;

  if (self->connections->len == 0)
    return;
  if (!(paired = tr_store_reader_list_paired_stations (self->reader, &error)))
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

          if (g_strcmp0 (conn->station_id, p->station_id) == 0)
            _tr_host_connection_fail (conn, tr_error_code_to_string (TR_ERROR_UNAUTHORIZED),
                                      _tr_host_auth_message (AUTH_REVOKED), TR_CLOSE_REVOKED,
                                      "revoked");
        }
    }
}

typedef struct
{
  char *code;
  gint64 expires_at;
} NewCode;

static gboolean
new_code (TrStore *store, gpointer data, GError **error)
{
  NewCode *new = data;

  new->code = tr_host_create_pairing_code (store, &new->expires_at, error);
  return new->code != NULL;
}

char *
tr_host_new_pairing_code (TrHost *self, gint64 *out_expires_at, GError **error)
{
  NewCode new = { NULL, 0 };

  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  /* Through the writer, the store's one user while the host runs. */
  if (!_tr_host_write_sync (self, new_code, &new, error))
    return NULL;
  if (out_expires_at != NULL)
    *out_expires_at = new.expires_at;
  return new.code;
}

typedef struct
{
  const char *station_id;
  gint64 now;
  gboolean found;
} Revocation;

static gboolean
revoke_in_store (TrStore *store, gpointer data, GError **error)
{
  Revocation *revocation = data;

  return tr_store_revoke_station (store, revocation->station_id, revocation->now,
                                  &revocation->found, error);
}

gboolean
tr_host_revoke_station (TrHost *self, const char *station_id, GError **error)
{
  Revocation revocation = { station_id, tr_now_ms (), FALSE };

  g_return_val_if_fail (TR_IS_HOST (self), FALSE);
  g_return_val_if_fail (station_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_tr_host_write_sync (self, revoke_in_store, &revocation, error))
    return FALSE;
  if (!revocation.found)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "no paired station %s to revoke", station_id);
      return FALSE;
    }
  g_message ("Revoked station %s", station_id);
  g_hash_table_remove (self->seen, station_id);

  /* At once: its connections close with 4403, its waiting polls get 401. */
  close_station (self, station_id, NULL, _tr_host_auth_message (AUTH_REVOKED));
  _tr_host_stations_changed (self);
  _tr_host_standby_push_state (self);
  return TRUE;
}
