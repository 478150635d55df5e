/* tr-op.c: op and event structs; tr_op_apply() lives in tr-op-apply.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-op"

#include "tr-op.h"

#include <string.h>

static const char *const op_kind_names[] = {
  "create_ticket", "amend_ticket", "set_ticket_status", "set_item_status",
};
static const char *const amend_kind_names[] = {
  "add_item", "void_item", "set_quantity", "set_modifiers",
  "set_item_note", "set_table", "set_note", "set_priority",
};
static const char *const event_kind_names[] = {
  "ticket.created", "ticket.amended", "ticket.status", "item.status",
};
G_STATIC_ASSERT (G_N_ELEMENTS (op_kind_names) == TR_N_OP_KINDS);
G_STATIC_ASSERT (G_N_ELEMENTS (amend_kind_names) == TR_N_AMEND_KINDS);
G_STATIC_ASSERT (G_N_ELEMENTS (event_kind_names) == TR_N_EVENT_KINDS);

static gboolean
lookup_name (const char *const *names, guint n_names, const char *str, int *out)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < n_names; i++)
    if (strcmp (names[i], str) == 0)
      {
        *out = (int) i;
        return TRUE;
      }
  return FALSE;
}

#define NAME_OR_NULL(names, v) ((guint) (v) < G_N_ELEMENTS (names) ? names[v] : NULL)

const char *
tr_op_kind_to_string (TrOpKind kind)
{
  return NAME_OR_NULL (op_kind_names, kind);
}

gboolean
tr_op_kind_from_string (const char *str, TrOpKind *out)
{
  int v;
  if (!lookup_name (op_kind_names, G_N_ELEMENTS (op_kind_names), str, &v))
    return FALSE;
  if (out)
    *out = v;
  return TRUE;
}

const char *
tr_amend_kind_to_string (TrAmendKind kind)
{
  return NAME_OR_NULL (amend_kind_names, kind);
}

gboolean
tr_amend_kind_from_string (const char *str, TrAmendKind *out)
{
  int v;
  if (!lookup_name (amend_kind_names, G_N_ELEMENTS (amend_kind_names), str, &v))
    return FALSE;
  if (out)
    *out = v;
  return TRUE;
}

const char *
tr_event_kind_to_string (TrEventKind kind)
{
  return NAME_OR_NULL (event_kind_names, kind);
}

gboolean
tr_event_kind_from_string (const char *str, TrEventKind *out)
{
  int v;
  if (!lookup_name (event_kind_names, G_N_ELEMENTS (event_kind_names), str, &v))
    return FALSE;
  if (out)
    *out = v;
  return TRUE;
}

G_DEFINE_BOXED_TYPE (TrOp, tr_op, tr_op_copy, tr_op_free)
G_DEFINE_BOXED_TYPE (TrEvent, tr_event, tr_event_copy, tr_event_free)

TrAmendment *
tr_amendment_new (TrAmendKind kind)
{
  TrAmendment *amendment = g_new0 (TrAmendment, 1);

  amendment->kind = kind;
  if (kind == TR_AMEND_SET_MODIFIERS)
    amendment->modifiers = g_new0 (char *, 1);
  return amendment;
}

TrAmendment *
tr_amendment_copy (const TrAmendment *amendment)
{
  TrAmendment *copy;

  g_return_val_if_fail (amendment != NULL, NULL);

  copy = g_memdup2 (amendment, sizeof *amendment);
  copy->item = amendment->item ? tr_item_copy (amendment->item) : NULL;
  copy->item_id = g_strdup (amendment->item_id);
  copy->modifiers = g_strdupv (amendment->modifiers);
  copy->text = g_strdup (amendment->text);
  return copy;
}

void
tr_amendment_free (TrAmendment *amendment)
{
  if (amendment == NULL)
    return;
  g_clear_pointer (&amendment->item, tr_item_free);
  g_free (amendment->item_id);
  g_strfreev (amendment->modifiers);
  g_free (amendment->text);
  g_free (amendment);
}

TrOp *
tr_op_new (TrOpKind kind, const char *station_id)
{
  TrOp *op = g_new0 (TrOp, 1);

  op->op_id = g_uuid_string_random ();
  op->kind = kind;
  op->station_id = g_strdup (station_id);
  op->at = g_get_real_time () / 1000;
  if (kind == TR_OP_AMEND_TICKET)
    op->amendments = g_ptr_array_new_with_free_func ((GDestroyNotify) tr_amendment_free);
  return op;
}

TrOp *
tr_op_copy (const TrOp *op)
{
  TrOp *copy;

  g_return_val_if_fail (op != NULL, NULL);

  copy = g_memdup2 (op, sizeof *op);
  copy->op_id = g_strdup (op->op_id);
  copy->station_id = g_strdup (op->station_id);
  copy->ticket_id = g_strdup (op->ticket_id);
  copy->ticket = op->ticket ? tr_ticket_copy (op->ticket) : NULL;
  copy->item_id = g_strdup (op->item_id);
  if (op->amendments)
    {
      copy->amendments = g_ptr_array_new_full (op->amendments->len,
                                               (GDestroyNotify) tr_amendment_free);
      for (guint i = 0; i < op->amendments->len; i++)
        g_ptr_array_add (copy->amendments,
                         tr_amendment_copy (g_ptr_array_index (op->amendments, i)));
    }
  return copy;
}

void
tr_op_free (TrOp *op)
{
  if (op == NULL)
    return;
  g_free (op->op_id);
  g_free (op->station_id);
  g_free (op->ticket_id);
  g_clear_pointer (&op->ticket, tr_ticket_free);
  g_clear_pointer (&op->amendments, g_ptr_array_unref);
  g_free (op->item_id);
  g_free (op);
}

TrOp *
tr_op_new_create_ticket (const char *station_id, const TrTicket *ticket)
{
  TrOp *op;

  g_return_val_if_fail (ticket != NULL && ticket->id != NULL, NULL);

  op = tr_op_new (TR_OP_CREATE_TICKET, station_id);
  op->ticket = tr_ticket_copy (ticket);
  op->ticket_id = g_strdup (ticket->id);
  return op;
}

TrOp *
tr_op_new_set_ticket_status (const char *station_id, const char *ticket_id, TrTicketStatus status)
{
  TrOp *op = tr_op_new (TR_OP_SET_TICKET_STATUS, station_id);

  op->ticket_id = g_strdup (ticket_id);
  op->ticket_status = status;
  return op;
}

TrOp *
tr_op_new_set_item_status (const char *station_id, const char *ticket_id, const char *item_id,
                           TrItemStatus status)
{
  TrOp *op = tr_op_new (TR_OP_SET_ITEM_STATUS, station_id);

  op->ticket_id = g_strdup (ticket_id);
  op->item_id = g_strdup (item_id);
  op->item_status = status;
  return op;
}

TrOp *
tr_op_new_amend_ticket (const char *station_id, const char *ticket_id)
{
  TrOp *op = tr_op_new (TR_OP_AMEND_TICKET, station_id);

  op->ticket_id = g_strdup (ticket_id);
  return op;
}

TrEvent *
tr_event_new (void)
{
  return g_new0 (TrEvent, 1);
}

TrEvent *
tr_event_copy (const TrEvent *event)
{
  TrEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);

  copy = g_memdup2 (event, sizeof *event);
  copy->op_id = g_strdup (event->op_id);
  copy->station_id = g_strdup (event->station_id);
  copy->ticket = event->ticket ? tr_ticket_copy (event->ticket) : NULL;
  return copy;
}

void
tr_event_free (TrEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->op_id);
  g_free (event->station_id);
  g_clear_pointer (&event->ticket, tr_ticket_free);
  g_free (event);
}
