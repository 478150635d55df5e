/* tr-client-training.c: following the host between live and training
 *
 * A host in training serves another database (training.db). An op a
 * cook queued against one must never be replayed into the other: a
 * training bump would change a live ticket, a live one would vanish
 * into training. The outbox is only flushed once the station is synced,
 * after the welcome (or health, when polling), so the mode is known
 * before any queued op leaves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-client"

#include "config.h"

#include "tr-client.h"
#include "tr-client-private.h"

#include <glib/gi18n-lib.h>

#include "tr-store-training.h"

static void
drop_outbox (TrClient *self, gboolean training)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ops = tr_store_outbox_list (self->store, &error);
  const char *message = training
                          ? _ ("The host switched to training: this change was made live and was not sent")
                          : _ ("The host switched back to live: this training change was not sent");

  if (ops == NULL)
    {
      _tr_client_set_last_errorf (self, _ ("Could not read the outbox: %s"), error->message);
      return;
    }
  for (guint i = 0; i < ops->len; i++)
    {
      const TrOp *op = g_ptr_array_index (ops, i);

      _tr_client_apply_ack (self, op->op_id, TR_APPLY_REJECTED, 0, TR_REJECT_TRAINING_SWITCH,
                            message);
    }
}

void
_tr_client_note_host_training (TrClient *self, gboolean training)
{
  g_autoptr (GError) error = NULL;
  gint64 known = tr_store_get_host_training (self->store, NULL);

  /* -1: the first host this station follows, or a station from before
   * training mode; its outbox is for this host. */
  if (known != -1 && (known != 0) != training)
    drop_outbox (self, training);
  if (known == -1 || (known != 0) != training)
    {
      if (!tr_store_set_host_training (self->store, training, &error))
        _tr_client_set_last_errorf (self, _ ("Could not save the host's mode: %s"),
                                    error->message);
    }
  if (self->host_training != training)
    {
      self->host_training = training;
      g_object_notify_by_pspec (G_OBJECT (self), _tr_client_properties[PROP_HOST_TRAINING]);
    }
}
