/* tr-client-outbox.c: replaying the outbox: batching pending ops for a
 * frame or a POST, and clearing (or reverting) them as acks come back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client.h"
#include "tr-client-private.h"

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-host.h"
#include "tr-protocol.h"

/* Applied and duplicate acks clear the op; a rejection (also a duplicate
 * of a rejection) clears it and reverts its optimistic change. @seq is
 * the ack's (0 when absent): the store rebases when it already follows
 * the host past it. */
void
_tr_client_apply_ack (TrClient *self, const char *op_id, TrApplyResult result, gint64 seq,
                      const char *code, const char *message)
{
  g_autoptr (GError) error = NULL;
  gboolean rejected = result == TR_APPLY_REJECTED || (result == TR_APPLY_DUPLICATE && code != NULL);

  if (!tr_store_outbox_remove (self->store, op_id, rejected, seq, &error))
    {
      _tr_client_set_last_errorf (self, _ ("Could not clear op %s from the outbox: %s"), op_id,
                                  error->message);
      return;
    }
  _tr_client_update_queued_ops (self);
  if (rejected)
    {
      if (message != NULL && *message != '\0')
        /* Translators: the op id, the error code, the host's message. */
        _tr_client_set_last_errorf (self, _ ("The host rejected op %s: %s: %s"), op_id,
                                    code ? code : "rejected", message);
      else
        /* Translators: the op id and the error code. */
        _tr_client_set_last_errorf (self, _ ("The host rejected op %s: %s"), op_id,
                                    code ? code : "rejected");
      g_signal_emit (self, _tr_client_signals[OP_REJECTED], 0, op_id, code ? code : "rejected",
                     message ? message : "");
    }
}

/* An op no frame can carry, left in an outbox by a version that queued
 * it: sending it would only get the link closed, again and again, with
 * everything behind it stuck. Drop it as the host would reject it. */
static void
drop_too_large (TrClient *self, const TrOp *op)
{
  g_autofree char *json = tr_op_to_string (op);
  gsize bytes = strlen (json);
  g_autofree char *message = g_strdup_printf (
    /* Translators: sizes in KB. */
    _ ("This change is too large to send to the host (%u KB, at most %u KB)"),
    (guint)((bytes + 1023) / 1024), (guint)(TR_MAX_OP_BYTES / 1024));

  _tr_client_apply_ack (self, op->op_id, TR_APPLY_REJECTED, 0,
                        tr_error_code_to_string (TR_ERROR_LIMIT), message);
}

/* Splits @ops into batches the host accepts, in order. Ops over
 * TR_MAX_OP_BYTES are left out and added to @too_large. */
static GPtrArray *
next_batch (GPtrArray *ops, guint *index, GHashTable *skip, gsize max_bytes, GPtrArray *too_large)
{
  GPtrArray *batch = g_ptr_array_new ();
  gsize bytes = 0;

  while (*index < ops->len && batch->len < MAX_OPS_PER_BATCH)
    {
      TrOp *op = g_ptr_array_index (ops, *index);
      g_autofree char *json = NULL;

      if (g_hash_table_contains (skip, op->op_id))
        {
          (*index)++;
          continue;
        }
      json = tr_op_to_string (op);
      if (strlen (json) > TR_MAX_OP_BYTES)
        {
          g_ptr_array_add (too_large, op);
          (*index)++;
          continue;
        }
      if (batch->len > 0 && bytes + strlen (json) + 1 > max_bytes)
        break;
      bytes += strlen (json) + 1;
      g_ptr_array_add (batch, op);
      (*index)++;
    }
  return batch;
}

void
_tr_client_ws_flush_outbox (TrClient *self)
{
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GPtrArray) too_large = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  guint index = 0;

  if (self->ws == NULL || !self->ws_synced)
    return;
  ops = tr_store_outbox_list (self->store, &error);
  if (ops == NULL)
    {
      _tr_client_set_last_errorf (self, _ ("Could not read the outbox: %s"), error->message);
      return;
    }
  while (index < ops->len)
    {
      g_autoptr (GPtrArray) batch
        = next_batch (ops, &index, self->ws_in_flight, MAX_WS_BATCH_BYTES, too_large);
      g_autofree char *text = NULL;

      if (batch->len == 0)
        break;
      text = tr_frame_build_ops (batch);
      _tr_client_ws_send (self, text);
      for (guint i = 0; i < batch->len; i++)
        {
          TrOp *op = g_ptr_array_index (batch, i);
          g_hash_table_add (self->ws_in_flight, g_strdup (op->op_id));
        }
    }
  for (guint i = 0; i < too_large->len; i++)
    drop_too_large (self, g_ptr_array_index (too_large, i));
}

/* The answer to POST /api/v1/ops: an array of acks (or one ack, or an
 * object holding "acks"), each {"op_id","result","error"?}. */
static guint
poll_apply_acks (TrClient *self, GBytes *body, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonArray *acks = NULL;
  g_autoptr (JsonArray) single = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  guint n_applied = 0;

  root = tr_json_parse (data, (gssize)size, error);
  if (root == NULL)
    return 0;
  if (JSON_NODE_HOLDS_ARRAY (root))
    acks = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);

      if (json_object_has_member (object, "acks")
          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "acks")))
        acks = json_object_get_array_member (object, "acks");
      else
        {
          single = json_array_new ();
          json_array_add_element (single, json_node_copy (root));
          acks = single;
        }
    }
  if (acks == NULL)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL, "the acks are not JSON objects");
      return 0;
    }

  for (guint i = 0; i < json_array_get_length (acks); i++)
    {
      JsonNode *node = json_array_get_element (acks, i);
      g_autoptr (JsonObject) object = NULL;
      g_autoptr (JsonNode) framed = NULL;
      g_autofree char *text = NULL;
      g_autoptr (TrFrame) frame = NULL;
      g_autoptr (GError) ack_error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      /* Reuse the frame parser's checks: make it an ack frame. */
      object = json_object_ref (json_node_get_object (node));
      if (!json_object_has_member (object, "type"))
        {
          g_autoptr (JsonObject) copy = json_object_new ();
          GList *members = json_object_get_members (object);

          json_object_set_string_member (copy, "type", "ack");
          for (GList *l = members; l != NULL; l = l->next)
            json_object_set_member (copy, l->data,
                                    json_node_copy (json_object_get_member (object, l->data)));
          g_list_free (members);
          g_clear_pointer (&object, json_object_unref);
          object = g_steal_pointer (&copy);
        }
      framed = json_node_init_object (json_node_alloc (), object);
      text = tr_json_to_string (framed);
      frame = tr_frame_parse (text, strlen (text), &ack_error);
      if (frame == NULL || frame->type != TR_FRAME_ACK)
        {
          _tr_client_set_last_errorf (self, _ ("Bad ack from the host: %s"),
                                      ack_error ? ack_error->message : _ ("not an ack"));
          continue;
        }
      g_hash_table_remove (self->post_in_flight, frame->op_id);
      _tr_client_apply_ack (self, frame->op_id, frame->result, frame->seq, frame->error_code,
                            frame->error_message);
      n_applied++;
      if (self->poll_phase != POLL_ACTIVE)
        break;
    }
  return n_applied;
}

static void
on_ops_posted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) ok_body = NULL;
  g_autoptr (TrClient) guard = NULL;
  TrClient *self;
  guint n_acks;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  guard = g_object_ref (self);
  self->post_pending = FALSE;
  ok_body = _tr_client_poll_finish (self, SOUP_SESSION (source), result, error, body, REQUEST_OPS);
  if (ok_body == NULL)
    {
      _tr_client_poll_failed (self);
      return;
    }
  _tr_client_poll_touch (self);
  n_acks = poll_apply_acks (self, ok_body, &error);
  if (error != NULL)
    {
      _tr_client_set_last_errorf (self, _ ("Bad answer to the ops: %s"), error->message);
      _tr_client_poll_failed (self);
      return;
    }
  if (self->poll_phase != POLL_ACTIVE)
    return;
  /* Ops the host did not answer go again with the next batch, but only
   * while the host makes progress, so a bad answer cannot spin. */
  g_hash_table_remove_all (self->post_in_flight);
  if (n_acks > 0)
    _tr_client_poll_flush_outbox (self);
}

void
_tr_client_poll_flush_outbox (TrClient *self)
{
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GPtrArray) batch = NULL;
  g_autoptr (GPtrArray) too_large = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonArray) array = NULL;
  g_autoptr (JsonNode) root = NULL;
  char *text;
  guint index = 0;

  if (self->poll_phase != POLL_ACTIVE || !self->poll_synced || self->post_pending)
    return;
  ops = tr_store_outbox_list (self->store, &error);
  if (ops == NULL)
    {
      _tr_client_set_last_errorf (self, _ ("Could not read the outbox: %s"), error->message);
      return;
    }
  batch = next_batch (ops, &index, self->post_in_flight, MAX_POST_BATCH_BYTES, too_large);
  for (guint i = 0; i < too_large->len; i++)
    drop_too_large (self, g_ptr_array_index (too_large, i));
  if (batch->len == 0 || self->poll_phase != POLL_ACTIVE)
    return;

  array = json_array_sized_new (batch->len);
  for (guint i = 0; i < batch->len; i++)
    {
      TrOp *op = g_ptr_array_index (batch, i);

      json_array_add_element (array, tr_op_to_json (op));
      g_hash_table_add (self->post_in_flight, g_strdup (op->op_id));
    }
  root = json_node_init_array (json_node_alloc (), array);
  text = tr_json_to_string (root);
  bytes = g_bytes_new_take (text, strlen (text));

  msg = _tr_client_poll_message_new (self, SOUP_METHOD_POST, "/api/v1/ops");
  g_assert (msg != NULL);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  self->post_pending = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->poll_cancellable,
                                    on_ops_posted, self);
  _tr_client_poll_touch (self);
}
