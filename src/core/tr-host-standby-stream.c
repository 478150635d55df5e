/* tr-host-standby-stream.c: the events to the standby
 *
 * With a standby in sync, an op's ack waits for the host's commit and
 * for the standby's confirmation (semi-synchronous acks, issue 17), and
 * both are mostly an fsync. Sent after the host's fsync, the standby's
 * round trip and fsync came on top of it. So the writer thread hands a
 * batch's frames to the loop before its COMMIT
 * (_tr_host_standby_post_early()), and the loop sends them to the
 * standby at once: the standby's commit runs while the host's fsync
 * does, and the ack waits for whichever ends last. A Raft leader does
 * the same with its log: it writes its own disk while the followers
 * write theirs.
 *
 * Only the standby gets events before they are durable on the host. A
 * station never does: it would show, and clear from its outbox, what a
 * crash could take back. The standby shows nothing. What it holds
 * counts once it is promoted, and an op it holds that the host never
 * acked is the same as one the host committed and died before acking:
 * its station sends it again, and the promoted host's op ids answer
 * "duplicate".
 *
 * If the commit fails, the host reuses those seqs for the next batch.
 * The standby is closed then (_tr_host_standby_unsend()). At its next
 * hello its since is past the host's head, or its since_op is not the
 * host's event at that seq, so it gets a snapshot and takes the file
 * again (tr-standby.c). A host that dies between the two ends the
 * same way when it comes back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include "tr-protocol.h"

/* The loop: in order and without a gap. */
static void
send_to_standby (TrHost *self, const char *text, gint64 first_seq, gint64 last_seq, gboolean early)
{
  Connection *conn = self->standby;

  if (conn == NULL || !conn->hello_done || conn->sent_seq >= last_seq
      || !_tr_host_connection_is_open (conn))
    return;
  /* Early, a frame must follow what the standby has (it may still be
   * catching up, or an earlier batch went out late): if not, the
   * durable path sends it, after the frames before it. */
  if (early && first_seq != conn->sent_seq + 1)
    return;
  _tr_host_connection_send (conn, text);
  conn->sent_seq = last_seq;
}

void
_tr_host_standby_send (TrHost *self, const char *text, gint64 first_seq, gint64 last_seq)
{
  send_to_standby (self, text, first_seq, last_seq, FALSE);
}

static gboolean
send_early_cb (gpointer user_data)
{
  TrHost *self = user_data;
  GQueue frames = G_QUEUE_INIT;
  EventsFrame *frame;

  g_mutex_lock (&self->standby_early_lock);
  frames = self->standby_early;
  g_queue_init (&self->standby_early);
  g_mutex_unlock (&self->standby_early_lock);

  while ((frame = g_queue_pop_head (&frames)) != NULL)
    {
      send_to_standby (self, frame->text, frame->first_seq, frame->last_seq, TRUE);
      _tr_host_events_frame_free (frame);
    }
  return G_SOURCE_CONTINUE;
}

/* Woken from the writer thread with g_source_set_ready_time(), which any
 * thread may call: no idle source made and freed for each batch. */
static gboolean
early_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs early_source_funcs = {
  .dispatch = early_source_dispatch,
};

gboolean
_tr_host_standby_post_early (TrHost *self, const char *text, gint64 first_seq, gint64 last_seq)
{
  gboolean posted = FALSE;

  g_mutex_lock (&self->standby_early_lock);
  if (self->standby_early_on && self->standby_early_source != NULL)
    {
      g_queue_push_tail (&self->standby_early,
                         _tr_host_events_frame_new (text, first_seq, last_seq));
      g_source_set_ready_time (self->standby_early_source, 0);
      posted = TRUE;
    }
  g_mutex_unlock (&self->standby_early_lock);
  return posted;
}

static void
clear_queue (TrHost *self)
{
  GQueue frames = G_QUEUE_INIT;

  g_mutex_lock (&self->standby_early_lock);
  frames = self->standby_early;
  g_queue_init (&self->standby_early);
  g_mutex_unlock (&self->standby_early_lock);
  g_queue_clear_full (&frames, _tr_host_events_frame_free);
}

void
_tr_host_standby_unsend (TrHost *self, gint64 first_seq)
{
  /* Still queued: they never go. (A next batch's frames may be among
   * them: its durable path sends those.) */
  clear_queue (self);
  /* A confirmation of them proves nothing about what comes next under
   * the same seqs. */
  self->standby_acked_seq = MIN (self->standby_acked_seq, first_seq - 1);
  if (self->standby != NULL && self->standby->sent_seq >= first_seq)
    {
      g_warning ("The standby got events from seq %" G_GINT64_FORMAT
                 " that the host failed to commit: it must copy the database again",
                 first_seq);
      self->standby->sent_seq = first_seq - 1;
      _tr_host_connection_close (self->standby, TR_CLOSE_GOING_AWAY, "host store failure");
    }
}

void
_tr_host_standby_stream_set_on (TrHost *self, gboolean on)
{
  g_mutex_lock (&self->standby_early_lock);
  if (on && self->standby_early_source == NULL)
    {
      GSource *source = g_source_new (&early_source_funcs, sizeof (GSource));

      g_source_set_static_name (source, "[ticketrail] events to the standby");
      /* Ahead of the loop's other work: the standby's commit is what
       * the acks wait for. */
      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_set_callback (source, send_early_cb, self, NULL);
      g_source_attach (source, self->context);
      self->standby_early_source = source;
    }
  self->standby_early_on = on;
  g_mutex_unlock (&self->standby_early_lock);
  if (!on)
    clear_queue (self);
}

void
_tr_host_standby_stream_stop (TrHost *self)
{
  GSource *source;

  g_mutex_lock (&self->standby_early_lock);
  self->standby_early_on = FALSE;
  source = g_steal_pointer (&self->standby_early_source);
  g_mutex_unlock (&self->standby_early_lock);
  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
  clear_queue (self);
}
