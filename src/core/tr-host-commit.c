/* tr-host-commit.c: group commit and fan-out
 *
 * Ops from WebSockets and HTTP requests wait in pending_ops until the
 * main loop goes idle; then one store transaction applies them all, the
 * new events go out to every caught-up station and waiting long-poll,
 * and only then the acks and the answers to the waiting requests: with
 * a standby in sync, only once it confirmed the events (issue 17,
 * tr-host-standby.c).
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
static void
local_submit_unref (LocalSubmit *local);

PendingOp *
_tr_host_enqueue_op (TrHost *self, TrOp *op, TrOutcome *invalid, Connection *conn,
                     HttpRequest *request)
{
  PendingOp *pending = g_new0 (PendingOp, 1);

  pending->received_at = request != NULL ? request->received_at : g_get_monotonic_time ();
  pending->op = op;
  pending->invalid = invalid;
  pending->conn = conn ? _tr_host_connection_ref (conn) : NULL;
  pending->request = request;
  if (conn != NULL && conn->token_hash != NULL)
    pending->token_hash = g_ref_string_acquire (conn->token_hash);
  else if (request != NULL && request->token_hash != NULL)
    pending->token_hash = g_ref_string_acquire (request->token_hash);
  g_ptr_array_add (self->pending_ops, pending);
  schedule_flush (self);
  return pending;
}

void
_tr_host_pending_op_free (gpointer data)
{
  PendingOp *pending = data;

  g_clear_pointer (&pending->op, tr_op_free);
  g_clear_pointer (&pending->invalid, tr_outcome_free);
  g_clear_pointer (&pending->conn, _tr_host_connection_unref);
  g_clear_pointer (&pending->local, local_submit_unref);
  g_clear_pointer (&pending->token_hash, g_ref_string_release);
  g_free (pending);
}

struct _Batch
{
  GPtrArray *pending;  /* PendingOp*, owned */
  GPtrArray *requests; /* HttpRequest*: answered once the batch is out */
  GPtrArray *ops;      /* TrOp*, borrowed from pending: those not refused, made on the writer */
  /* Made on the writer thread */
  GPtrArray *outcomes;    /* TrOutcome*, one per op */
  GPtrArray *json;        /* char*: each new event's JSON, serialized once */
  GArray *seqs;           /* gint64, parallel to json */
  GPtrArray *frames;      /* EventsFrame*: json split within the frame limits */
  GPtrArray *acks;        /* char*, parallel to pending: the ack frame, or NULL */
  double commit_seconds;  /* the transaction and its fsync, timed on the writer thread */
  gint64 test_skip_seq;   /* the host's test hook: left out of frames */
  TrHost *host;           /* borrowed, for _tr_host_standby_post_early() only */
  gint64 early_first_seq; /* the first seq sent to the standby before the fsync, 0 if none */
  /* Set on the loop */
  gboolean failed; /* the store failed: nothing was written */
  gint64 held_at;  /* monotonic ms its answers started waiting for the standby */
  gint64 last_seq; /* its last event's seq, 0 with none */
};

EventsFrame *
_tr_host_events_frame_new (const char *text, gint64 first_seq, gint64 last_seq)
{
  EventsFrame *frame = g_new (EventsFrame, 1);

  frame->text = g_strdup (text);
  frame->first_seq = first_seq;
  frame->last_seq = last_seq;
  return frame;
}

void
_tr_host_events_frame_free (gpointer data)
{
  EventsFrame *frame = data;

  g_free (frame->text);
  g_free (frame);
}

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->pending);
  g_ptr_array_unref (batch->requests);
  g_ptr_array_unref (batch->ops);
  g_clear_pointer (&batch->outcomes, g_ptr_array_unref);
  g_ptr_array_unref (batch->json);
  g_array_unref (batch->seqs);
  g_ptr_array_unref (batch->frames);
  g_ptr_array_unref (batch->acks);
  g_free (batch);
}

static void
keep_frame (const char *text, gint64 first_seq, gint64 last_seq, gpointer user_data)
{
  g_ptr_array_add (user_data, _tr_host_events_frame_new (text, first_seq, last_seq));
}

/* NULL for an op that was refused (its token was no longer valid). */
static TrOutcome *
batch_outcome (Batch *batch, guint i, guint *k)
{
  PendingOp *p = g_ptr_array_index (batch->pending, i);

  if (p->refused)
    return NULL;
  return p->op != NULL ? g_ptr_array_index (batch->outcomes, (*k)++) : p->invalid;
}

/* The writer thread: refuses the ops whose sender's token is no longer
 * valid. An op may wait on the loop (the throttle queue, the next batch)
 * while a revocation or a re-pairing of its station is committed; the
 * writer runs jobs in order, so checking here, after every one of those
 * queued before this batch, keeps all of them out of the log. A refused
 * op is not recorded either: the station keeps it in its outbox, and
 * whoever pairs it again decides (docs/security.md). */
static gboolean
refuse_unauthorized (TrStore *store, Batch *batch, GError **error)
{
  /* token hash → GINT_TO_POINTER (1 valid, 2 not): one lookup a token */
  g_autoptr (GHashTable) checked = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < batch->pending->len; i++)
    {
      PendingOp *p = g_ptr_array_index (batch->pending, i);
      gpointer verdict;

      if (p->token_hash == NULL)
        continue;
      verdict = g_hash_table_lookup (checked, p->token_hash);
      if (verdict == NULL)
        {
          g_autoptr (TrPairedStation) paired = NULL;
          GError *local_error = NULL;

          paired = tr_store_lookup_token (store, p->token_hash, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              return FALSE;
            }
          verdict = GINT_TO_POINTER (paired != NULL && paired->revoked_at == 0 ? 1 : 2);
          g_hash_table_insert (checked, p->token_hash, verdict);
        }
      p->refused = GPOINTER_TO_INT (verdict) != 1;
    }
  return TRUE;
}

/* The writer thread, inside the transaction, once every op is applied
 * and before the COMMIT: everything the loop will send (event JSON,
 * frames, acks), made off the loop. With a standby, its copy of the
 * frames goes to the loop now (_tr_host_standby_post_early()), so that
 * the standby's commit runs while this one's fsync does; nothing else
 * leaves before the fsync returned. */
static void
batch_prepare_sends (GPtrArray *outcomes, gpointer user_data)
{
  Batch *batch = user_data;
  GPtrArray *kept = batch->outcomes;
  guint k = 0;

  /* Borrowed for batch_outcome(); the store returns the same array. */
  batch->outcomes = outcomes;
  for (guint i = 0; i < batch->pending->len; i++)
    {
      PendingOp *p = g_ptr_array_index (batch->pending, i);
      TrOutcome *outcome = batch_outcome (batch, i, &k);

      if (outcome != NULL && outcome->result == TR_APPLY_APPLIED && outcome->event != NULL)
        {
          g_ptr_array_add (batch->json, tr_event_to_string (outcome->event));
          g_array_append_val (batch->seqs, outcome->event->seq);
        }
      g_ptr_array_add (batch->acks,
                       p->conn != NULL && outcome != NULL ? tr_frame_build_ack (outcome) : NULL);
    }
  batch->outcomes = kept;
  if (batch->test_skip_seq > 0)
    {
      /* The test hook (tr-host-private.h): the frames without that event. */
      g_autoptr (GPtrArray) json = g_ptr_array_new ();
      g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; i < batch->json->len; i++)
        if (g_array_index (batch->seqs, gint64, i) != batch->test_skip_seq)
          {
            g_ptr_array_add (json, g_ptr_array_index (batch->json, i));
            g_array_append_val (seqs, g_array_index (batch->seqs, gint64, i));
          }
      if (json->len > 0)
        _tr_host_build_event_frames (json, seqs, keep_frame, batch->frames);
    }
  else
    _tr_host_build_event_frames (batch->json, batch->seqs, keep_frame, batch->frames);

  for (guint i = 0; i < batch->frames->len; i++)
    {
      const EventsFrame *frame = g_ptr_array_index (batch->frames, i);

      if (!_tr_host_standby_post_early (batch->host, frame->text, frame->first_seq,
                                        frame->last_seq))
        break;
      batch->early_first_seq = batch->early_first_seq ? batch->early_first_seq : frame->first_seq;
    }
}

/* The writer thread: the transaction and its fsync. Nothing here
 * touches the host's loop-side state. */
static gboolean
commit_batch (TrStore *store, gpointer data, GError **error)
{
  Batch *batch = data;
  gint64 started = g_get_monotonic_time ();

  if (!refuse_unauthorized (store, batch, error))
    return FALSE;
  for (guint i = 0; i < batch->pending->len; i++)
    {
      PendingOp *p = g_ptr_array_index (batch->pending, i);

      if (p->op != NULL && !p->refused)
        g_ptr_array_add (batch->ops, p->op);
    }
  if (batch->ops->len > 0)
    batch->outcomes
      = tr_store_apply_ops_full (store, batch->ops, batch_prepare_sends, batch, error);
  else
    {
      batch->outcomes = g_ptr_array_new ();
      batch_prepare_sends (batch->outcomes, batch);
    }
  /* Here, not on the loop: the loop's view would add the time the
   * answer waited for it, which is not the disk's. */
  batch->commit_seconds = (double)(g_get_monotonic_time () - started) / G_USEC_PER_SEC;
  if (batch->outcomes == NULL)
    {
      /* Rolled back: none of it is true. */
      g_ptr_array_set_size (batch->json, 0);
      g_array_set_size (batch->seqs, 0);
      g_ptr_array_set_size (batch->frames, 0);
      g_ptr_array_set_size (batch->acks, 0);
      return FALSE;
    }
  return TRUE;
}

static void
fan_out_frame (TrHost *self, const EventsFrame *frame)
{
  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *conn = g_ptr_array_index (self->connections, i);

      /* A station that said hello after these events were committed got
       * them in its catch-up already (a snapshot may have gone further
       * than the loop's head: it reads the file). */
      if (!conn->hello_done || conn->sent_seq >= frame->last_seq
          || !_tr_host_connection_is_open (conn))
        continue;
      _tr_host_connection_send (conn, frame->text);
      conn->sent_seq = frame->last_seq;
    }
}

/* The store's "ticket-changed" for the tickets the batch changed, in the
 * order they first changed, now on the host's context (the writer
 * thread's own emissions were stopped, tr-host-writer.c). */
static void
emit_ticket_changed (TrHost *self, GPtrArray *events)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < events->len; i++)
    {
      TrEvent *event = g_ptr_array_index (events, i);

      if (event->ticket != NULL && g_hash_table_add (seen, event->ticket->id))
        g_signal_emit_by_name (self->store, "ticket-changed", event->ticket->id);
    }
}

static void
request_answer (TrHost *self, HttpRequest *request);

static void
local_submit_unref (LocalSubmit *local);

static void
batch_answer (TrHost *self, Batch *batch);

/* Back on the loop, in the order the batches were committed: first
 * "events-committed", then the events to every station and long-poll,
 * then (batch_answer(), at once or once the standby confirmed) the acks,
 * the HTTP answers and the in-process submitters. */
static void
batch_finish (TrHost *self, Batch *batch, const GError *error)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new ();
  guint k = 0;

  if (error != NULL)
    {
      /* Nothing was written: ack nothing. The stations still hold the ops
       * in their outboxes and resend them on reconnect. */
      g_warning ("Applying %u ops failed: %s", batch->ops->len, error->message);
      /* The standby may hold them already: it must take the file again. */
      if (batch->early_first_seq > 0)
        _tr_host_standby_unsend (self, batch->early_first_seq);
      for (guint i = 0; i < batch->pending->len; i++)
        {
          PendingOp *p = g_ptr_array_index (batch->pending, i);

          tr_metrics_count_op (self->metrics, "failed");
          if (p->conn != NULL)
            _tr_host_connection_close (p->conn, 1011, "host store failure");
          if (p->request != NULL && p->request->store_error == NULL)
            p->request->store_error = g_strdup (error->message);
          if (p->local != NULL && p->local->error == NULL)
            p->local->error = g_strdup (error->message);
        }
    }
  else
    {
      if (batch->ops->len > 0)
        tr_metrics_observe_commit (self->metrics, batch->commit_seconds);
      for (guint i = 0; i < batch->pending->len; i++)
        {
          PendingOp *p = g_ptr_array_index (batch->pending, i);
          TrOutcome *outcome = batch_outcome (batch, i, &k);

          if (outcome == NULL)
            {
              /* Revoked or paired again since it arrived: nothing was
               * written, no ack; the connection (if still open) goes. */
              if (p->conn != NULL)
                _tr_host_connection_fail (p->conn, tr_error_code_to_string (TR_ERROR_UNAUTHORIZED),
                                          _tr_host_auth_message (AUTH_REVOKED), TR_CLOSE_REVOKED,
                                          "revoked");
              if (p->request != NULL)
                p->request->refused = TRUE;
              continue;
            }
          tr_metrics_count_op (self->metrics, tr_apply_result_to_string (outcome->result));
          if (outcome->result == TR_APPLY_APPLIED && outcome->event != NULL)
            g_ptr_array_add (events, outcome->event);
          if (p->request != NULL)
            g_ptr_array_add (p->request->outcomes, outcome);
        }
      for (guint i = 0; i < batch->json->len; i++)
        _tr_host_event_cache_insert (self, g_array_index (batch->seqs, gint64, i),
                                     g_ptr_array_index (batch->json, i));

      if (events->len > 0)
        {
          g_signal_emit (self, _tr_host_signals[EVENTS_COMMITTED], 0, events);
          emit_ticket_changed (self, events);
          /* The exporter reads the log on its own thread: tell it now
           * rather than at its next poll. */
          if (self->exporter != NULL)
            tr_exporter_wake (self->exporter);
        }

      /* The standby first, at once, if it did not get them before the
       * fsync: the stations get the events (which clear their outboxes
       * as surely as an ack does) only once it confirmed them, in
       * batch_answer(). */
      for (guint i = 0; i < batch->frames->len; i++)
        {
          const EventsFrame *frame = g_ptr_array_index (batch->frames, i);

          _tr_host_standby_send (self, frame->text, frame->first_seq, frame->last_seq);
        }
    }
  batch->failed = error != NULL;
  batch->last_seq
    = batch->seqs->len > 0 ? g_array_index (batch->seqs, gint64, batch->seqs->len - 1) : 0;

  /* Semi-synchronous acks (tr-host-standby.c): the answers wait until
   * the standby holds the batch's events, and behind any answers that
   * already wait, so that acks keep the order of the commits. */
  if (self->held_batches.length > 0
      || (!batch->failed && batch->last_seq > 0
          && _tr_host_standby_must_wait (self, batch->last_seq)))
    {
      batch->held_at = _tr_host_monotonic_ms ();
      g_queue_push_tail (&self->held_batches, batch);
      _tr_host_standby_held (self);
      return;
    }
  batch_answer (self, batch);
}

/* The second half of a batch: the acks, the HTTP answers and the
 * in-process submitters; then the batch is freed. */
static void
batch_answer (TrHost *self, Batch *batch)
{
  guint k = 0;

  if (!batch->failed && batch->seqs->len > 0)
    {
      /* Only now what the loop promises (welcome, catch-ups, health):
       * a held batch's events reach no station before the standby has
       * them. */
      self->head_seq = MAX (self->head_seq, batch->last_seq);
      /* Events before acks: a station never sees its op acked before it
       * has seen what the op did. */
      for (guint i = 0; i < batch->frames->len; i++)
        fan_out_frame (self, g_ptr_array_index (batch->frames, i));
      for (guint i = self->polls->len; i > 0; i--)
        {
          Poll *poll = g_ptr_array_index (self->polls, i - 1);

          if (poll->since < self->head_seq)
            _tr_host_poll_answer (self, poll);
        }
    }

  if (!batch->failed)
    for (guint i = 0; i < batch->pending->len; i++)
      {
        PendingOp *p = g_ptr_array_index (batch->pending, i);
        const char *ack = g_ptr_array_index (batch->acks, i);

        if (p->conn != NULL && ack != NULL && _tr_host_connection_is_open (p->conn))
          {
            _tr_host_connection_send (p->conn, ack);
            tr_metrics_observe_op_ack (
              self->metrics, (double)(g_get_monotonic_time () - p->received_at) / G_USEC_PER_SEC);
          }
      }

  /* The outcomes (borrowed by the requests) are still alive here. */
  for (guint i = 0; i < batch->requests->len; i++)
    request_answer (self, g_ptr_array_index (batch->requests, i));

  /* Last, as their callbacks may do anything: the in-process submitters
   * take their outcomes. */
  k = 0;
  for (guint i = 0; i < batch->pending->len; i++)
    {
      PendingOp *p = g_ptr_array_index (batch->pending, i);
      guint index = k;

      if (p->op != NULL && !p->refused)
        k++;
      if (p->local == NULL)
        continue;
      if (!batch->failed && p->op != NULL)
        g_ptr_array_index (p->local->outcomes, p->local_index)
          = g_steal_pointer (&g_ptr_array_index (batch->outcomes, index));
      g_clear_pointer (&p->local, local_submit_unref);
    }
  batch_free (batch);
}

void
_tr_host_release_held (TrHost *self, gboolean all)
{
  while (self->held_batches.length > 0)
    {
      Batch *batch = g_queue_peek_head (&self->held_batches);

      if (!all && batch->last_seq > self->standby_acked_seq)
        break;
      g_queue_pop_head (&self->held_batches);
      batch_answer (self, batch);
    }
}

gint64
_tr_host_oldest_held_at (TrHost *self)
{
  Batch *batch = g_queue_peek_head (&self->held_batches);

  return batch != NULL ? batch->held_at : 0;
}

static void
commit_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrHost) self = g_object_ref (TR_HOST (source));
  Batch *batch = user_data;
  g_autoptr (GError) error = NULL;

  _tr_host_write_finish (self, result, &error);
  g_assert (self->batch == batch);
  self->batch = NULL;
  /* What came in meanwhile goes to the writer at once: it commits while
   * this one goes out. */
  _tr_host_flush_now (self);
  /* It frees the batch, now or once the standby confirmed it. */
  batch_finish (self, batch, error);
}

void
_tr_host_flush_now (TrHost *self)
{
  Batch *batch;

  _tr_host_clear_source (self, &self->flush_id);
  /* One batch in flight at a time: the next one starts when it is back. */
  if (self->batch != NULL)
    return;
  if (self->pending_ops->len == 0 && self->pending_requests->len == 0)
    return;

  batch = g_new0 (Batch, 1);
  batch->pending = g_steal_pointer (&self->pending_ops);
  batch->requests = g_steal_pointer (&self->pending_requests);
  self->pending_ops = g_ptr_array_new_with_free_func (_tr_host_pending_op_free);
  self->pending_requests = g_ptr_array_new ();
  batch->ops = g_ptr_array_new ();
  batch->json = g_ptr_array_new_with_free_func (g_free);
  batch->seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  batch->frames = g_ptr_array_new_with_free_func (_tr_host_events_frame_free);
  batch->acks = g_ptr_array_new_with_free_func (g_free);
  batch->test_skip_seq = self->test_skip_seq;
  batch->host = self;
  self->batch = batch;
  _tr_host_write_async (self, commit_batch, batch, NULL, NULL, commit_done_cb, batch);
}

void
_tr_host_drain (TrHost *self)
{
  _tr_host_flush_now (self);
  while (self->batch != NULL || self->n_writes > 0 || self->n_catch_ups > 0
         || self->pending_ops->len > 0 || self->pending_requests->len > 0)
    {
      g_main_context_iteration (
        self->context != NULL ? self->context : g_main_context_get_thread_default (), TRUE);
      _tr_host_flush_now (self);
    }
}

static gboolean
flush_cb (gpointer user_data)
{
  TrHost *self = user_data;

  self->flush_id = 0;
  _tr_host_flush_now (self);
  return G_SOURCE_REMOVE;
}

/* Everything that arrives before the main loop goes idle, or while the
 * previous commit is on the writer thread, shares one transaction:
 * durable with synchronous=FULL, at the cost of one fsync. */
static void
schedule_flush (TrHost *self)
{
  if (self->flush_id == 0 && self->batch == NULL)
    self->flush_id = _tr_host_idle_add (self, G_PRIORITY_HIGH_IDLE, flush_cb, self);
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
  request->received_at = g_get_monotonic_time ();
  request->outcomes = g_ptr_array_new ();
  {
    const char *hash = g_object_get_data (G_OBJECT (msg), REQUEST_TOKEN_HASH_KEY);

    request->token_hash = hash != NULL ? g_ref_string_acquire ((char *)hash) : NULL;
  }
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
  g_clear_pointer (&request->token_hash, g_ref_string_release);
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
      g_autoptr (TrEvent) event
        = outcome->seq > 0 ? tr_store_reader_get_event (self->reader, outcome->seq, NULL) : NULL;

      if (event != NULL && event->ticket != NULL)
        ticket = tr_store_reader_get_ticket (self->reader, event->ticket->id, &error);
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
  /* All its ops share its token, so none of them was applied. */
  else if (request->refused)
    _tr_host_respond_unauthorized (msg, AUTH_REVOKED);
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
  /* Each op of the request got its answer now. */
  for (guint i = 0; i < request->outcomes->len; i++)
    tr_metrics_observe_op_ack (
      self->metrics, (double)(g_get_monotonic_time () - request->received_at) / G_USEC_PER_SEC);
  soup_server_message_unpause (msg);
  request_free (request);
}

/* ---- In-process submits ---- */

static void
local_submit_unref (LocalSubmit *local)
{
  if (!g_ref_count_dec (&local->ref))
    return;
  if (local->error != NULL)
    g_task_return_new_error (local->task, TR_ERROR, TR_ERROR_STORE, "%s", local->error);
  else
    g_task_return_pointer (local->task, g_steal_pointer (&local->outcomes),
                           (GDestroyNotify)g_ptr_array_unref);
  g_clear_object (&local->task);
  g_clear_pointer (&local->outcomes, g_ptr_array_unref);
  g_free (local->error);
  g_free (local);
}

void
tr_host_submit_ops_async (TrHost *self, GPtrArray *ops, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  LocalSubmit *local;

  g_return_if_fail (TR_IS_HOST (self));
  g_return_if_fail (ops != NULL);
  for (guint i = 0; i < ops->len; i++)
    g_return_if_fail (ops->pdata[i] != NULL && ((TrOp *)ops->pdata[i])->op_id != NULL);

  local = g_new0 (LocalSubmit, 1);
  g_ref_count_init (&local->ref);
  local->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (local->task, tr_host_submit_ops_async);
  local->outcomes = g_ptr_array_new_full (ops->len, (GDestroyNotify)tr_outcome_free);
  g_ptr_array_set_size (local->outcomes, ops->len);
  /* Behind what arrived before, as if a station had sent them. */
  for (guint i = 0; i < ops->len; i++)
    {
      PendingOp *pending = g_new0 (PendingOp, 1);

      pending->op = tr_op_copy (g_ptr_array_index (ops, i));
      pending->local = local;
      pending->local_index = i;
      g_ref_count_inc (&local->ref);
      g_ptr_array_add (self->pending_ops, pending);
    }
  schedule_flush (self);
  /* The ops hold it now; with none, this returns an empty array. */
  local_submit_unref (local);
}

GPtrArray *
tr_host_submit_ops_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  gboolean done;
  GPtrArray *outcomes;
  GError *error;
} SyncSubmit;

static void
submit_sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncSubmit *sync = user_data;

  sync->outcomes = tr_host_submit_ops_finish (TR_HOST (source), result, &sync->error);
  sync->done = TRUE;
}

GPtrArray *
tr_host_submit_ops (TrHost *self, GPtrArray *ops, GError **error)
{
  SyncSubmit sync = { FALSE, NULL, NULL };

  g_return_val_if_fail (TR_IS_HOST (self), NULL);
  g_return_val_if_fail (ops != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tr_host_submit_ops_async (self, ops, NULL, submit_sync_cb, &sync);
  /* The loop goes on meanwhile (stations, timers); only this caller
   * waits. */
  _tr_host_iterate_until (self, &sync.done);
  if (sync.outcomes == NULL)
    g_propagate_error (error, sync.error);
  return sync.outcomes;
}

TrOutcome *
tr_host_submit_op (TrHost *self, const TrOp *op, GError **error)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new ();
  g_autoptr (GPtrArray) outcomes = NULL;

  g_return_val_if_fail (TR_IS_HOST (self), NULL);
  g_return_val_if_fail (op != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_ptr_array_add (ops, (gpointer)op);
  if (!(outcomes = tr_host_submit_ops (self, ops, error)))
    return NULL;
  return g_steal_pointer (&g_ptr_array_index (outcomes, 0));
}
