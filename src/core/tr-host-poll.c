/* tr-host-poll.c: long-polling (GET /api/v1/events)
 *
 * For stations that cannot keep a WebSocket: a request waits until new
 * events are committed or its wait runs out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <string.h>

#include "tr-error.h"
#include "tr-protocol.h"

void
_tr_host_poll_free (Poll *poll)
{
  _tr_host_clear_source (poll->host, &poll->timeout_id);
  g_clear_signal_handler (&poll->finished_id, poll->msg);
  g_clear_object (&poll->msg);
  g_free (poll->station_id);
  g_free (poll);
}

void
_tr_host_poll_detach (TrHost *self, Poll *poll)
{
  Station *station
    = poll->station_id ? g_hash_table_lookup (self->stations, poll->station_id) : NULL;

  if (station != NULL)
    {
      g_assert (station->n_polls > 0);
      station->n_polls--;
      station->info.last_seen = tr_now_ms ();
      _tr_host_station_maybe_disconnected (self, station);
    }
  g_ptr_array_remove_fast (self->polls, poll);
}

/* Answers with whatever lies after poll->since (maybe nothing) and
 * frees the poll. */
void
_tr_host_poll_answer (TrHost *self, Poll *poll)
{
  g_autoptr (GError) error = NULL;
  SoupServerMessage *msg = g_object_ref (poll->msg);
  char *body = _tr_host_build_http_events (self, poll->since, &error);

  g_ptr_array_set_free_func (self->polls, NULL);
  _tr_host_poll_detach (self, poll);
  g_ptr_array_set_free_func (self->polls, (GDestroyNotify)_tr_host_poll_free);
  _tr_host_poll_free (poll);

  if (body != NULL)
    _tr_host_respond_json_take (msg, SOUP_STATUS_OK, body);
  else
    _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            tr_error_code_to_string (TR_ERROR_STORE), error->message);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static gboolean
poll_timeout_cb (gpointer user_data)
{
  Poll *poll = user_data;

  poll->timeout_id = 0;
  _tr_host_poll_answer (poll->host, poll);
  return G_SOURCE_REMOVE;
}

static void
on_poll_finished (SoupServerMessage *msg, gpointer user_data)
{
  Poll *poll = user_data;

  /* The client went away while waiting. */
  _tr_host_poll_detach (poll->host, poll);
}

void
_tr_host_handle_events (SoupServer *server, SoupServerMessage *msg, const char *path,
                        GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autoptr (GError) error = NULL;
  const char *station_id = _tr_host_query_string (query, "station_id");
  const char *host_id = _tr_host_query_string (query, "host_id");
  g_autofree char *paired_id = NULL;
  gint64 since, wait, head, tail;
  char *body;
  Poll *poll;

  if (!_tr_host_require_exact_path (msg, path, API_PREFIX "/events")
      || !_tr_host_require_method (msg, SOUP_METHOD_GET, NULL)
      || !_tr_host_authorize_request (self, msg, FALSE, &paired_id))
    return;
  /* A paired station polling a replaced host goes to the new one, as
   * its WebSocket would on 4410; unpaired readers (web boards) still
   * read. */
  if (paired_id != NULL && _tr_host_refuse_if_superseded (self, msg))
    return;
  /* A paired station is listed under the id its token was issued to. */
  if (paired_id != NULL)
    station_id = paired_id;
  if (!_tr_host_parse_query_int (query, "since", 0, &since))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "since: must be a non-negative integer");
      return;
    }
  if (!_tr_host_parse_query_int (query, "wait", 0, &wait))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "wait: must be a non-negative integer (seconds)");
      return;
    }
  wait = MIN (wait, TR_MAX_LONG_POLL_SECONDS);

  if (station_id != NULL)
    {
      if (strlen (station_id) > MAX_ID_BYTES)
        {
          _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "station_id: too long");
          return;
        }
      Station *station
        = _tr_host_station_connect (self, station_id, _tr_host_query_string (query, "name"),
                                    _tr_host_query_string (query, "role"),
                                    soup_server_message_get_remote_host (msg), "polling");

      /* What a poll asks for comes after what the station has applied:
       * its report, as a WebSocket station's ping is (the screen test
       * and the monitor read it). */
      if (host_id != NULL && g_strcmp0 (host_id, self->db_id) == 0)
        station->info.last_seq = since;
    }

  /* The answer goes up to the loop's head; what is still being committed
   * answers the poll when it is out (tr-host-commit.c). */
  if (!_tr_host_read_log_bounds (self, &tail, &head, &error))
    body = NULL;
  else if (_tr_host_needs_snapshot (self, since, _tr_host_query_string (query, "since_op"), host_id,
                                    head, tail))
    body = _tr_host_build_http_snapshot (self, &error);
  else if (since < self->head_seq || wait == 0 || !self->running)
    body = _tr_host_build_http_events (self, since, &error);
  else
    {
      poll = g_new0 (Poll, 1);
      poll->host = self;
      poll->msg = g_object_ref (msg);
      poll->since = since;
      poll->station_id = g_strdup (station_id);
      poll->timeout_id = _tr_host_timeout_add (self, (guint)wait * 1000, poll_timeout_cb, poll);
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
    _tr_host_respond_json_take (msg, SOUP_STATUS_OK, body);
  else
    _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            tr_error_code_to_string (TR_ERROR_STORE), error->message);
}
