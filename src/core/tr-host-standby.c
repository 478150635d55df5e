/* tr-host-standby.c: the host's side of its standby (issue 17)
 *
 * A standby is a paired station of role "standby" (tr-standby.c) that
 * keeps a copy of this host's database: it took the file once
 * (GET /api/v1/standby/copy, tr-host-http.c), then says hello like a
 * station, gets the events from its copy's head on, applies each frame
 * to its copy and answers {"type":"standby_ack","seq":N} once they are
 * durable there. The roster (token hashes and revocations), the menu and
 * the printers come in standby_state frames, the print journal in
 * standby_journal frames, at its hello and after each change (the 5 s
 * check finds those made from the command line).
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
static void
standby_push_hello (TrHost *self);

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

void
_tr_host_standby_ack (TrHost *self, Connection *conn, gint64 seq, guint port)
{
  /* Closed (its copy no longer matches, _tr_host_standby_unsend()) or
   * replaced: what it confirms is not the host's. */
  if (conn != self->standby || conn->closing)
    return;
  /* Where its station would serve once promoted (tr-host-promote.c). */
  conn->standby_port = port;
  standby_acked (self, seq);
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
  _tr_host_standby_stream_set_on (self, TRUE);
  g_message ("Standby %s connected from %s at seq %" G_GINT64_FORMAT, conn->station_id,
             conn->address, conn->hello_since);
  standby_push_hello (self);
}

void
_tr_host_standby_closed (TrHost *self, Connection *conn)
{
  if (self->standby != conn)
    return;
  g_message ("The standby %s disconnected", conn->station_id);
  self->standby = NULL;
  _tr_host_standby_stream_set_on (self, FALSE);
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
  _tr_host_standby_stream_stop (self);
}

/* ---- standby_state and standby_journal ----
 *
 * One read on the writer, behind every write queued before it, makes
 * both frames: the journal rows written since the last read (and the
 * printers' cursors), then the roster, the menu and the printers. They
 * come from one consistent state and go out in that order, so the
 * standby never holds a cursor past a slip whose journal row it lacks:
 * a promoted copy may print a slip again (the host died between its
 * journal row and the frame: docs/printing.md), never skip one. */

enum
{
  PUSH_JOURNAL = 1 << 0,
  PUSH_STATE = 1 << 1,
  PUSH_HELLO = 1 << 2, /* a new standby: everything, whatever was sent */
};

/* Rows per standby_journal frame: a whole journal sent at hello stays
 * far below the standby's 16 MiB frame limit. */
#define JOURNAL_ROWS_PER_FRAME 500

/* The writer thread's only. */
struct _TrHostStandbyMark
{
  gint64 journal_max_id; /* rows up to this id were sent */
  gint64 reprints_from;  /* the oldest reprint still waiting when sent */
  char *printers_key;    /* names and creation times: a printer removed sends all again */
  char *cursors;         /* the cursors last sent */
  char *state;           /* the last standby_state, cursors left out */
};

typedef struct
{
  TrHost *host;
  guint what;        /* PUSH_* */
  GPtrArray *frames; /* out: char*, to send in order */
} StandbyRead;

void
_tr_host_standby_free_mark (TrHost *self)
{
  struct _TrHostStandbyMark *mark = self->standby_mark;

  if (mark == NULL)
    return;
  g_free (mark->printers_key);
  g_free (mark->cursors);
  g_free (mark->state);
  g_clear_pointer (&self->standby_mark, g_free);
}

static char *
journal_frame (JsonArray *rows, guint from, guint to, gboolean full, JsonNode *cursors)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "standby_journal");
  json_builder_set_member_name (builder, "full");
  json_builder_add_boolean_value (builder, full);
  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint i = from; i < to; i++)
    json_builder_add_value (builder, json_node_copy (json_array_get_element (rows, i)));
  json_builder_end_array (builder);
  if (cursors != NULL)
    {
      json_builder_set_member_name (builder, "cursors");
      json_builder_add_value (builder, json_node_copy (cursors));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return tr_json_to_string (root);
}

/* TRUE when every printer of @before ("name/created_at\n" lines) is in
 * @now: none was removed, or removed and added again. */
static gboolean
printers_kept (const char *before, const char *now)
{
  g_auto (GStrv) lines = g_strsplit (before != NULL ? before : "", "\n", -1);
  g_autofree char *framed = g_strconcat ("\n", now, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strconcat ("\n", lines[i], "\n", NULL);

      if (*lines[i] != '\0' && strstr (framed, line) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* The journal since the mark, in frames of JOURNAL_ROWS_PER_FRAME rows,
 * the cursors on the last one. */
static gboolean
read_journal (TrStore *store, StandbyRead *read, JsonNode *printers, GError **error)
{
  struct _TrHostStandbyMark *mark = read->host->standby_mark;
  g_autoptr (JsonNode) cursors = json_node_new (JSON_NODE_ARRAY);
  JsonArray *cursor_array = json_array_new ();
  g_autoptr (GString) key = g_string_new (NULL);
  g_autoptr (JsonNode) rows = NULL;
  g_autofree char *cursors_text = NULL;
  JsonArray *printer_array = json_node_get_array (printers);
  gint64 max_now, max_id = 0, waiting_min = 0;
  gboolean full;
  guint n;

  json_node_take_array (cursors, cursor_array);
  for (guint i = 0; i < json_array_get_length (printer_array); i++)
    {
      JsonObject *printer = json_array_get_object_element (printer_array, i);
      JsonObject *cursor = json_object_new ();
      const char *name = json_object_get_string_member (printer, "name");

      json_object_set_string_member (cursor, "printer", name);
      json_object_set_int_member (cursor, "cursor_seq",
                                  json_object_get_int_member (printer, "cursor_seq"));
      json_array_add_object_element (cursor_array, cursor);
      g_string_append_printf (key, "%s/%" G_GINT64_FORMAT "\n", name,
                              json_object_get_int_member (printer, "created_at"));
    }
  if ((max_now = tr_store_journal_max_id (store, error)) < 0)
    return FALSE;
  /* A printer removed took its rows with it (from here or from
   * `ticketrail-host printers remove`): the ids may be given again, so
   * the standby gets the journal whole. */
  full = (read->what & PUSH_HELLO) || !printers_kept (mark->printers_key, key->str)
         || max_now < mark->journal_max_id;
  if (!(rows
        = tr_store_dump_journal (store, full ? -1 : mark->journal_max_id,
                                 full ? 0 : mark->reprints_from, &max_id, &waiting_min, error)))
    return FALSE;
  cursors_text = tr_json_to_string (cursors);
  n = json_array_get_length (json_node_get_array (rows));
  if (full || n > 0 || g_strcmp0 (cursors_text, mark->cursors) != 0)
    for (guint from = 0; from < MAX (n, 1); from += JOURNAL_ROWS_PER_FRAME)
      {
        guint to = MIN (n, from + JOURNAL_ROWS_PER_FRAME);

        g_ptr_array_add (read->frames, journal_frame (json_node_get_array (rows), from, to,
                                                      full && from == 0, to == n ? cursors : NULL));
      }
  mark->journal_max_id = max_id;
  mark->reprints_from = waiting_min;
  g_free (mark->printers_key);
  mark->printers_key = g_string_free (g_steal_pointer (&key), FALSE);
  g_free (mark->cursors);
  mark->cursors = g_steal_pointer (&cursors_text);
  return TRUE;
}

static char *
state_frame (JsonNode *roster, const char *menu, JsonNode *printers)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "standby_state");
  json_builder_set_member_name (builder, "roster");
  json_builder_add_value (builder, json_node_copy (roster));
  json_builder_set_member_name (builder, "menu");
  if (menu != NULL)
    json_builder_add_string_value (builder, menu);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "printers");
  json_builder_add_value (builder, json_node_copy (printers));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return tr_json_to_string (root);
}

static gboolean
read_for_standby (TrStore *store, gpointer data, GError **error)
{
  StandbyRead *read = data;
  struct _TrHostStandbyMark *mark;
  g_autoptr (JsonNode) printers = NULL;
  g_autoptr (JsonNode) roster = NULL;
  g_autofree char *menu = NULL;
  g_autofree char *key = NULL;
  JsonArray *array;
  GError *local_error = NULL;

  if (read->host->standby_mark == NULL)
    read->host->standby_mark = g_new0 (struct _TrHostStandbyMark, 1);
  mark = read->host->standby_mark;
  if (!(printers = tr_store_dump_printers (store, TRUE, error))
      || !read_journal (store, read, printers, error))
    return FALSE;
  if (!(read->what & (PUSH_STATE | PUSH_HELLO)))
    return TRUE;
  if (!(roster = tr_store_dump_roster (store, error)))
    return FALSE;
  menu = tr_store_get_menu (store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  /* Sent when it changed (the 5 s check reads it for the changes the
   * command line makes); the cursors move with the journal frames. */
  array = json_node_get_array (printers);
  for (guint i = 0; i < json_array_get_length (array); i++)
    json_object_remove_member (json_array_get_object_element (array, i), "cursor_seq");
  key = state_frame (roster, menu, printers);
  if (!(read->what & PUSH_HELLO) && g_strcmp0 (key, mark->state) == 0)
    return TRUE;
  g_free (mark->state);
  mark->state = g_steal_pointer (&key);
  /* The frame carries the cursors, for a printer new to the standby. */
  g_clear_pointer (&printers, json_node_unref);
  if (!(printers = tr_store_dump_printers (store, TRUE, error)))
    return FALSE;
  g_ptr_array_add (read->frames, state_frame (roster, menu, printers));
  return TRUE;
}

static void
standby_read_free (gpointer data)
{
  StandbyRead *read = data;

  g_ptr_array_unref (read->frames);
  g_free (read);
}

static void
push (TrHost *self, guint what);

static void
read_for_standby_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrHost *self = TR_HOST (source);
  StandbyRead *read = user_data; /* freed by standby_read_free after this */
  g_autoptr (GError) error = NULL;
  guint again;

  self->standby_reading = FALSE;
  if (!_tr_host_write_finish (self, result, &error))
    g_warning ("Reading the roster and the print journal for the standby failed: %s",
               error->message);
  else if (self->standby != NULL)
    for (guint i = 0; i < read->frames->len; i++)
      _tr_host_connection_send (self->standby, g_ptr_array_index (read->frames, i));
  again = self->standby_read_again;
  self->standby_read_again = 0;
  if (again != 0)
    push (self, again);
}

/* One read queued at a time: the changes asked for meanwhile are read
 * once it is back, behind the writes they follow. */
static void
push (TrHost *self, guint what)
{
  StandbyRead *read;

  if (self->standby == NULL || self->writer == NULL)
    return;
  if (self->standby_reading)
    {
      self->standby_read_again |= what;
      return;
    }
  read = g_new0 (StandbyRead, 1);
  read->host = self;
  read->what = what;
  read->frames = g_ptr_array_new_with_free_func (g_free);
  self->standby_reading = TRUE;
  _tr_host_write_async (self, read_for_standby, read, standby_read_free, NULL, read_for_standby_cb,
                        read);
}

void
_tr_host_standby_push_state (TrHost *self)
{
  push (self, PUSH_STATE);
}

void
_tr_host_standby_push_journal (TrHost *self)
{
  push (self, PUSH_JOURNAL);
}

static void
standby_push_hello (TrHost *self)
{
  push (self, PUSH_HELLO);
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
      g_message ("Generation %" G_GINT64_FORMAT " of this restaurant's host exists (a station's "
                 "hello or DNS-SD); this host (generation %" G_GINT64_FORMAT ") was replaced and "
                 "refuses ops now",
                 gen, self->gen);
      self->superseded_by = gen;
      _tr_host_dnssd_withdraw (self);
      /* Every station goes to look for the new host. */
      for (guint i = self->connections->len; i > 0; i--)
        {
          Connection *conn = g_ptr_array_index (self->connections, i - 1);

          if (conn->hello_done)
            {
              g_autofree char *message = _tr_host_superseded_message (self);
              g_autofree char *reason = _tr_host_superseded_reason (self);

              _tr_host_connection_fail (conn, "superseded", message, TR_CLOSE_SUPERSEDED, reason);
            }
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
  message = _tr_host_superseded_message (self);
  {
    g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
    JsonObject *root = json_object_new ();
    JsonObject *error = json_object_new ();

    json_object_set_string_member (error, "code", "superseded");
    json_object_set_string_member (error, "message", message);
    /* For a polling station to follow, as the 4410 reason does. */
    if (self->superseded_url != NULL)
      json_object_set_string_member (error, "url", self->superseded_url);
    json_object_set_int_member (error, "gen", self->superseded_by);
    json_object_set_object_member (root, "error", error);
    json_node_take_object (node, root);
    _tr_host_respond_json_take (msg, SOUP_STATUS_CONFLICT, tr_json_to_string (node));
  }
  return TRUE;
}
