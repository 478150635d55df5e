/* tr-host-standby.c: the host's side of its standby (issue 17)
 *
 * A standby is a paired station of role "standby" (tr-standby.c) that
 * keeps a copy of this host's database: it took the file once
 * (GET /api/v1/standby/copy, tr-host-http.c), then says hello like a
 * station, gets the events from its copy's head on, applies each frame
 * to its copy and answers {"type":"standby_ack","seq":N} once they are
 * durable there. The roster (token hashes and revocations) and the menu
 * come in standby_state frames, at its hello and after each change.
 *
 * Semi-synchronous acks: while a standby is in sync, the answers of a
 * batch wait (tr-host-commit.c) until it confirmed the batch's last
 * event, so promoting it cannot lose an op whose issuer saw an ack. If
 * it does not confirm within standby_timeout ms (gone, stalled), the
 * host answers alone and says so, until the standby reaches the head
 * again: the trade of PostgreSQL's synchronous standby with a fallback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tr-host-private.h"

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-protocol.h"
#include "tr-store-replica.h"

static gboolean
standby_timer_cb (gpointer user_data);

gboolean
tr_host_get_standby_connected (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), FALSE);

  return self->standby != NULL && !self->standby_lagging;
}

const char *
tr_host_get_standby_warning (TrHost *self)
{
  g_return_val_if_fail (TR_IS_HOST (self), NULL);

  if (!self->standby_seen || tr_host_get_standby_connected (self))
    return NULL;
  return _ ("No standby: a host failure could lose the last changes");
}

void
tr_host_set_standby_timeout (TrHost *self, guint timeout_ms)
{
  g_return_if_fail (TR_IS_HOST (self));

  self->standby_timeout = timeout_ms;
}

static guint
standby_timeout (TrHost *self)
{
  return self->standby_timeout > 0 ? self->standby_timeout : TR_HOST_STANDBY_TIMEOUT_DEFAULT;
}

gboolean
_tr_host_standby_must_wait (TrHost *self, gint64 last_seq)
{
  if (!self->standby_seen || self->standby_lagging || self->standby_acked_seq >= last_seq)
    return FALSE;
  /* Gone for a moment (a reconnect) counts as there until the timeout:
   * the held answers wait for it, or for the fallback. */
  return self->standby != NULL
         || _tr_host_monotonic_ms () - self->standby_gone_at < standby_timeout (self);
}

static void
arm_timer (TrHost *self)
{
  gint64 oldest = _tr_host_oldest_held_at (self);
  gint64 left;

  _tr_host_clear_source (self, &self->standby_timer_id);
  if (oldest == 0)
    return;
  left = oldest + standby_timeout (self) - _tr_host_monotonic_ms ();
  self->standby_timer_id
    = _tr_host_timeout_add (self, (guint)CLAMP (left, 1, G_MAXINT), standby_timer_cb, self);
}

void
_tr_host_standby_held (TrHost *self)
{
  if (self->standby_timer_id == 0)
    arm_timer (self);
}

static void
fall_back (TrHost *self, const char *why)
{
  if (!self->standby_lagging)
    g_message ("No standby (%s): acking alone; a host failure could lose the last changes", why);
  self->standby_lagging = TRUE;
  _tr_host_release_held (self, TRUE);
  g_object_notify (G_OBJECT (self), "n-stations");
}

static gboolean
standby_timer_cb (gpointer user_data)
{
  TrHost *self = user_data;
  gint64 oldest = _tr_host_oldest_held_at (self);

  self->standby_timer_id = 0;
  if (oldest != 0 && _tr_host_monotonic_ms () - oldest >= standby_timeout (self))
    fall_back (self, self->standby != NULL ? "it did not confirm in time" : "it is gone");
  else
    arm_timer (self);
  return G_SOURCE_REMOVE;
}

static void
standby_acked (TrHost *self, gint64 seq)
{
  if (seq > self->standby_acked_seq)
    self->standby_acked_seq = seq;
  /* Back in sync once it holds everything the host answered alone. */
  if (self->standby_lagging && self->standby_acked_seq >= self->head_seq)
    {
      g_message ("The standby is in sync again at seq %" G_GINT64_FORMAT, self->standby_acked_seq);
      self->standby_lagging = FALSE;
    }
  _tr_host_release_held (self, FALSE);
  arm_timer (self);
}

gboolean
_tr_host_standby_handle_frame (TrHost *self, Connection *conn, const char *data, gsize length)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *object;
  JsonNode *root;

  /* Cheap first: only the standby sends these, and only these. */
  if (!conn->standby || g_strstr_len (data, MIN (length, 64), "standby_ack") == NULL)
    return FALSE;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize)length, NULL)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "type", NULL), "standby_ack")
      != 0)
    return FALSE;
  /* Where its station would serve once promoted (tr-host-promote.c). */
  conn->standby_port
    = (guint)CLAMP (json_object_get_int_member_with_default (object, "port", 0), 0, 65535);
  standby_acked (self, json_object_get_int_member_with_default (object, "seq", 0));
  return TRUE;
}

static gboolean
is_standby_station (TrHost *self, const char *station_id);

void
_tr_host_standby_hello (TrHost *self, Connection *conn)
{
  /* The pairing decides, not the hello's word: a standby gets the token
   * hashes and can hold every ack for the timeout. */
  if (self->require_pairing && !is_standby_station (self, conn->station_id))
    {
      g_message ("Station %s said it is a standby but was not paired as one: a station",
                 conn->station_id);
      return;
    }
  conn->standby = TRUE;
  if (self->standby != NULL && self->standby != conn)
    g_message ("A second standby said hello from %s: it replaces the one from %s", conn->address,
               self->standby->address);
  self->standby = conn;
  self->standby_seen = TRUE;
  self->standby_gone_at = 0;
  /* It catches up from its copy's head: in sync once it confirms the
   * head; until then the host answers alone. */
  self->standby_acked_seq = conn->hello_since;
  self->standby_lagging = self->standby_acked_seq < self->head_seq;
  g_message ("Standby %s connected from %s at seq %" G_GINT64_FORMAT, conn->station_id,
             conn->address, conn->hello_since);
  _tr_host_standby_push_state (self);
}

void
_tr_host_standby_closed (TrHost *self, Connection *conn)
{
  if (self->standby != conn)
    return;
  g_message ("The standby %s disconnected", conn->station_id);
  self->standby = NULL;
  self->standby_gone_at = MAX (_tr_host_monotonic_ms (), 1);
  /* The held answers wait for its return or the timeout; new batches
   * too, until then (_tr_host_standby_must_wait()). */
  arm_timer (self);
}

void
_tr_host_standby_stop (TrHost *self)
{
  _tr_host_clear_source (self, &self->standby_timer_id);
  _tr_host_release_held (self, TRUE);
  self->standby = NULL;
}

/* ---- standby_state: the roster and the menu ---- */

static gboolean
read_state (TrStore *store, gpointer data, GError **error)
{
  char **out = data;
  g_autoptr (JsonNode) roster = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *menu = NULL;
  GError *local_error = NULL;

  if (!(roster = tr_store_dump_roster (store, error)))
    return FALSE;
  menu = tr_store_get_menu (store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "standby_state");
  json_builder_set_member_name (builder, "roster");
  json_builder_add_value (builder, g_steal_pointer (&roster));
  json_builder_set_member_name (builder, "menu");
  if (menu != NULL)
    json_builder_add_string_value (builder, menu);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  *out = tr_json_to_string (root);
  return TRUE;
}

static void
free_state (gpointer data)
{
  char **out = data;

  g_free (*out);
  g_free (out);
}

static void
read_state_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrHost *self = TR_HOST (source);
  char **state = user_data; /* freed by free_state after this */
  g_autoptr (GError) error = NULL;

  if (!_tr_host_write_finish (self, result, &error))
    {
      g_warning ("Reading the roster for the standby failed: %s", error->message);
      return;
    }
  if (self->standby != NULL && *state != NULL)
    _tr_host_connection_send (self->standby, *state);
}

void
_tr_host_standby_push_state (TrHost *self)
{
  char **state;

  if (self->standby == NULL || self->writer == NULL)
    return;
  state = g_new0 (char *, 1);
  _tr_host_write_async (self, read_state, state, free_state, NULL, read_state_cb, state);
}

/* ---- GET /api/v1/standby/copy: the whole database, once ---- */

typedef struct
{
  SoupServerMessage *msg;
  char *db_path;
  gboolean finished; /* the client went away */
  gulong finished_id;
} CopyRequest;

static void
copy_request_free (gpointer data)
{
  CopyRequest *copy = data;

  g_clear_signal_handler (&copy->finished_id, copy->msg);
  g_object_unref (copy->msg);
  g_free (copy->db_path);
  g_free (copy);
}

static void
on_copy_finished (SoupServerMessage *msg, gpointer user_data)
{
  CopyRequest *copy = user_data;

  copy->finished = TRUE;
}

/* A thread of its own: a copy of a big database takes seconds, and the
 * host's loop and writer go on meanwhile (VACUUM INTO reads one
 * snapshot through its own connection). */
static void
copy_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CopyRequest *copy = task_data;
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!(dir = g_dir_make_tmp ("ticketrail-copy-XXXXXX", &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  dest = g_build_filename (dir, "ticketrail.db", NULL);
  if (tr_store_copy_file (copy->db_path, dest, &error))
    g_file_get_contents (dest, &contents, &length, &error);
  g_unlink (dest);
  g_rmdir (dir);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_bytes_new_take (contents, length),
                           (GDestroyNotify)g_bytes_unref);
}

static void
copy_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CopyRequest *copy = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);

  if (copy->finished)
    return;
  if (bytes == NULL)
    {
      g_warning ("Copying the database for the standby failed: %s", error->message);
      _tr_host_respond_error (copy->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                              tr_error_code_to_string (TR_ERROR_STORE), error->message);
    }
  else
    {
      soup_server_message_set_status (copy->msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (copy->msg, "application/vnd.sqlite3", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  soup_server_message_unpause (copy->msg);
}

static gboolean
is_standby_station (TrHost *self, const char *station_id)
{
  g_autoptr (GPtrArray) paired = tr_store_reader_list_paired_stations (self->reader, NULL);

  for (guint i = 0; paired != NULL && i < paired->len; i++)
    {
      TrPairedStation *p = g_ptr_array_index (paired, i);

      if (g_strcmp0 (p->station_id, station_id) == 0)
        return p->revoked_at == 0 && g_strcmp0 (p->role, TR_ROLE_STANDBY) == 0;
    }
  return FALSE;
}

void
_tr_host_handle_standby_copy (SoupServer *server, SoupServerMessage *msg, const char *path,
                              GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autofree char *station_id = NULL;
  g_autoptr (GTask) task = NULL;
  CopyRequest *copy;

  if (!_tr_host_require_exact_path (msg, path, API_PREFIX "/standby/copy")
      || !_tr_host_require_method (msg, SOUP_METHOD_GET, NULL)
      || !_tr_host_authorize_request (self, msg, FALSE, &station_id))
    return;
  /* The whole file, tickets and token hashes: for a standby only. */
  if (self->require_pairing && !is_standby_station (self, station_id))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_FORBIDDEN,
                              tr_error_code_to_string (TR_ERROR_FORBIDDEN),
                              "only a station paired as a standby may copy the host's database");
      return;
    }
  copy = g_new0 (CopyRequest, 1);
  copy->msg = g_object_ref (msg);
  copy->db_path = g_strdup (tr_store_get_path (self->store));
  copy->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_copy_finished), copy);
  soup_server_message_pause (msg);
  if (self->context != NULL)
    g_main_context_push_thread_default (self->context);
  task = g_task_new (self, NULL, copy_done_cb, NULL);
  if (self->context != NULL)
    g_main_context_pop_thread_default (self->context);
  g_task_set_task_data (task, copy, copy_request_free);
  g_task_run_in_thread (task, copy_thread);
}

/* ---- No split brain ---- */

gboolean
_tr_host_check_superseded (TrHost *self, gint64 gen)
{
  if (gen > self->gen && gen > self->superseded_by)
    {
      g_message ("A station has seen generation %" G_GINT64_FORMAT " of this restaurant's host; "
                 "this host (generation %" G_GINT64_FORMAT ") was replaced and refuses ops now",
                 gen, self->gen);
      self->superseded_by = gen;
      /* Every station goes to look for the new host. */
      for (guint i = self->connections->len; i > 0; i--)
        {
          Connection *conn = g_ptr_array_index (self->connections, i - 1);

          if (conn->hello_done)
            _tr_host_connection_fail (conn, "superseded", "this host was replaced",
                                      TR_CLOSE_SUPERSEDED, "superseded");
        }
    }
  return self->superseded_by > 0;
}

gboolean
_tr_host_refuse_if_superseded (TrHost *self, SoupServerMessage *msg)
{
  g_autofree char *message = NULL;

  if (self->superseded_by == 0)
    return FALSE;
  message = g_strdup_printf ("this host was replaced by generation %" G_GINT64_FORMAT
                             " of the restaurant's host; send ops to the new host",
                             self->superseded_by);
  _tr_host_respond_error (msg, SOUP_STATUS_CONFLICT, "superseded", message);
  return TRUE;
}
