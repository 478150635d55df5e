/* tr-host-commit.c: group commit and fan-out
 *
 * Ops from WebSockets and HTTP requests wait in pending_ops until the
 * main loop goes idle; then one store transaction applies them all, the
 * new events go out to every caught-up station and waiting long-poll,
 * and only then the acks and the answers to the waiting requests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-protocol.h"

static void
schedule_flush (TrHost *self);

void
_tr_host_enqueue_op (TrHost *self, TrOp *op, TrOutcome *invalid, Connection *conn,
                     HttpRequest *request)
{
  PendingOp *pending = g_new0 (PendingOp, 1);

  pending->op = op;
  pending->invalid = invalid;
  pending->conn = conn ? _tr_host_connection_ref (conn) : NULL;
  pending->request = request;
  g_ptr_array_add (self->pending_ops, pending);
  schedule_flush (self);
}

void
_tr_host_pending_op_free (gpointer data)
{
  PendingOp *pending = data;

  g_clear_pointer (&pending->op, tr_op_free);
  g_clear_pointer (&pending->invalid, tr_outcome_free);
  g_clear_pointer (&pending->conn, _tr_host_connection_unref);
  g_free (pending);
}

static void
queue_event (TrHost *self, const TrEvent *event)
{
  char *json = tr_event_to_string (event);

  _tr_host_event_cache_insert (self, event->seq, json);
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
      if (!conn->hello_done || conn->sent_seq >= last_seq || !_tr_host_connection_is_open (conn))
        continue;
      _tr_host_connection_send (conn, frame);
      conn->sent_seq = last_seq;
      fan_out->n_sent++;
    }
}

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

  _tr_host_build_event_frames (events, seqs, fan_out_frame, &fan_out);

  head = g_array_index (seqs, gint64, seqs->len - 1);
  for (guint i = self->polls->len; i > 0; i--)
    {
      Poll *poll = g_ptr_array_index (self->polls, i - 1);

      if (poll->since < head)
        _tr_host_poll_answer (self, poll);
    }
}

static void
request_answer (TrHost *self, HttpRequest *request);

void
_tr_host_flush_now (TrHost *self)
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
  self->pending_ops = g_ptr_array_new_with_free_func (_tr_host_pending_op_free);
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
            _tr_host_connection_close (p->conn, 1011, "host store failure");
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
          if (p->conn != NULL && _tr_host_connection_is_open (p->conn))
            {
              g_ptr_array_add (acks, _tr_host_connection_ref (p->conn));
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

      _tr_host_connection_send (conn, ack);
      _tr_host_connection_unref (conn);
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
  _tr_host_flush_now (self);
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

static void
on_request_finished (SoupServerMessage *msg, gpointer user_data)
{
  HttpRequest *request = user_data;

  request->finished = TRUE;
}

HttpRequest *
_tr_host_request_new (TrHost *self, SoupServerMessage *msg, RequestKind kind)
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
      _tr_host_respond_json_take (msg, SOUP_STATUS_CREATED,
                                  tr_ticket_to_string (outcome->event->ticket));
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
        _tr_host_respond_json_take (msg, SOUP_STATUS_OK, tr_ticket_to_string (ticket));
      else
        _tr_host_respond_error (msg, SOUP_STATUS_CONFLICT, "duplicate_id",
                                "this op_id was used before for a ticket no longer on the host");
      return;
    }

  /* Rejected now or the first time. */
  _tr_host_respond_error (
    msg,
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
    _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            tr_error_code_to_string (TR_ERROR_STORE), request->store_error);
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
      _tr_host_respond_json_take (msg, SOUP_STATUS_OK, g_string_free (body, FALSE));
    }
  soup_server_message_unpause (msg);
  request_free (request);
}

TrOutcome *
tr_host_submit_op (TrHost *self, const TrOp *op, GError **error)
{
  TrOutcome *outcome;

  g_return_val_if_fail (TR_IS_HOST (self), NULL);
  g_return_val_if_fail (op != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Ops that arrived earlier keep their place in the log. */
  _tr_host_flush_now (self);

  if (!(outcome = tr_store_apply_op (self->store, op, error)))
    return NULL;
  if (outcome->result == TR_APPLY_APPLIED && outcome->event != NULL)
    {
      queue_event (self, outcome->event);
      schedule_flush (self);
    }
  return outcome;
}
