/* tr-op-apply.c: tr_op_apply(), the one place where ticket state changes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-op"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tr-op.h"

#include "tr-error.h"
#include "tr-state-machine.h"

/* A kitchen screen only needs the recent amendments to flag a ticket as
 * modified; the oldest go so a much-edited ticket stays small. */
#define MAX_CHANGES 100

/* The codec's bounds (docs/protocol-shapes.md), so that whatever the
 * applier accepts can also be encoded and decoded again. */
#define MAX_ID_BYTES 128
#define MAX_AMENDMENTS (2 * TR_MAX_ITEMS)

/* ------------------------------------------------------------------ */
/* Validation                                                           */
/* ------------------------------------------------------------------ */

/* The codec checks all this too, but ops are also built in C by the UI
 * and the CLI, and the applier is what the host trusts. Messages start
 * with the dotted path of the field, as the codec's do. */

static gboolean
check_string (const char *path, const char *value, gboolean required, gsize max_bytes,
              GError **error)
{
  if (value == NULL || value[0] == '\0')
    {
      if (!required)
        return TRUE;
      /* Translators: %s is the path of a field, e.g. ticket.items[2].name:
       * keep it first and as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: must not be empty"), path);
      return FALSE;
    }
  if (strlen (value) > max_bytes)
    {
      /* Translators: %s is the path of a field, e.g. ticket.note: keep it
       * first and as it is; %u is a number of bytes */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: longer than %u bytes"), path,
                   (guint)max_bytes);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      /* Translators: %s is the path of a field, e.g. ticket.note: keep it
       * first and as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: not valid UTF-8"), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_text (const char *path, const char *value, gboolean required, GError **error)
{
  return check_string (path, value, required, TR_MAX_TEXT_BYTES, error);
}

/* Ids are always required. */
static gboolean
check_id (const char *path, const char *value, GError **error)
{
  return check_string (path, value, TRUE, MAX_ID_BYTES, error);
}

static gboolean
check_field_id (const char *prefix, const char *field, const char *value, GError **error)
{
  g_autofree char *path = g_strconcat (prefix, field, NULL);

  return check_id (path, value, error);
}

static gboolean
check_field_text (const char *prefix, const char *field, const char *value, gboolean required,
                  GError **error)
{
  g_autofree char *path = g_strconcat (prefix, field, NULL);

  return check_text (path, value, required, error);
}

static gboolean
check_range (const char *path, int value, int min, int max, GError **error)
{
  if (value >= min && value <= max)
    return TRUE;
  /* Translators: %s is the path of a field, e.g. ticket.items[0].quantity:
   * keep it first and as it is */
  g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: must be between %d and %d"), path, min,
               max);
  return FALSE;
}

static gboolean
check_field_range (const char *prefix, const char *field, int value, int min, int max,
                   GError **error)
{
  g_autofree char *path = g_strconcat (prefix, field, NULL);

  return check_range (path, value, min, max, error);
}

/* @strv may be NULL, which tr_item_copy() turns into an empty list. */
static gboolean
check_strv (const char *path, const char *const *strv, guint max, GError **error)
{
  guint n = strv != NULL ? g_strv_length ((char **)strv) : 0;

  if (n > max)
    {
      /* Translators: %s is the path of a field, e.g. ticket.items[0].modifiers:
       * keep it first and as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: more than %u entries"), path, max);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *entry = g_strdup_printf ("%s[%u]", path, i);

      if (!check_text (entry, strv[i], FALSE, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_field_strv (const char *prefix, const char *field, GStrv strv, guint max, GError **error)
{
  g_autofree char *path = g_strconcat (prefix, field, NULL);

  return check_strv (path, (const char *const *)strv, max, error);
}

/* @prefix ends with a dot, e.g. "ticket.items[2].". The item's status
 * fields are not checked because the applier overwrites them. */
static gboolean
check_item (const char *prefix, const TrItem *item, GError **error)
{
  return check_field_id (prefix, "id", item->id, error)
         && check_field_text (prefix, "name", item->name, TRUE, error)
         && check_field_range (prefix, "quantity", item->quantity, TR_MIN_QUANTITY, TR_MAX_QUANTITY,
                               error)
         && check_field_strv (prefix, "modifiers", item->modifiers, TR_MAX_MODIFIERS, error)
         && check_field_text (prefix, "note", item->note, FALSE, error)
         && check_field_strv (prefix, "allergens", item->allergens, TR_MAX_ALLERGENS, error)
         && check_field_text (prefix, "station", item->station, FALSE, error)
         && check_field_range (prefix, "course", item->course, 0, TR_MAX_COURSE, error);
}

static gboolean
check_new_ticket (const TrTicket *ticket, GError **error)
{
  g_autoptr (GHashTable) ids = NULL;

  if (!check_id ("ticket.id", ticket->id, error)
      || !check_range ("ticket.number", ticket->number, 0, G_MAXINT, error)
      || !check_range ("ticket.source", ticket->source, 0, TR_N_SOURCES - 1, error)
      || !check_text ("ticket.external_ref", ticket->external_ref, FALSE, error)
      || !check_text ("ticket.table", ticket->table, FALSE, error)
      || !check_range ("ticket.order_type", ticket->order_type, 0, TR_N_ORDER_TYPES - 1, error)
      || !check_text ("ticket.server", ticket->server, FALSE, error)
      || !check_range ("ticket.guests", ticket->guests, 0, TR_MAX_GUESTS, error)
      || !check_text ("ticket.note", ticket->note, FALSE, error)
      || !check_range ("ticket.priority", ticket->priority, 0, TR_N_PRIORITIES - 1, error))
    return FALSE;

  /* tr_ticket_copy() needs the changes array even though it is dropped. */
  if (ticket->changes == NULL)
    {
      /* Translators: keep the field path, ticket.changes, as it is */
      g_set_error_literal (error, TR_ERROR, TR_ERROR_INVALID, _ ("ticket.changes: missing"));
      return FALSE;
    }
  if (ticket->items == NULL || ticket->items->len == 0)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_INVALID,
                           /* Translators: keep the field path, ticket.items, as it is */
                           _ ("ticket.items: a ticket needs at least one item"));
      return FALSE;
    }
  if (ticket->items->len > TR_MAX_ITEMS)
    {
      /* Translators: keep the field path, ticket.items, as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("ticket.items: more than %d items"),
                   TR_MAX_ITEMS);
      return FALSE;
    }

  ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);
      g_autofree char *prefix = g_strdup_printf ("ticket.items[%u].", i);

      if (item == NULL)
        {
          /* Translators: keep the field path, ticket.items[%u], as it is */
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("ticket.items[%u]: missing"), i);
          return FALSE;
        }
      if (!check_item (prefix, item, error))
        return FALSE;
      if (!g_hash_table_add (ids, item->id))
        {
          g_set_error (error, TR_ERROR, TR_ERROR_DUPLICATE_ID,
                       /* Translators: keep the field path, ticket.items[%u].id, as
                        * it is; %s is an item id */
                       _ ("ticket.items[%u].id: item id %s appears twice"), i, item->id);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_amendment (guint index, const TrAmendment *amendment, GError **error)
{
  g_autofree char *prefix = g_strdup_printf ("amendments[%u].", index);

  if (amendment == NULL)
    {
      /* Translators: keep the field path, amendments[%u], as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("amendments[%u]: missing"), index);
      return FALSE;
    }

  switch (amendment->kind)
    {
      case TR_AMEND_ADD_ITEM:
        {
          g_autofree char *item_prefix = g_strconcat (prefix, "item.", NULL);

          if (amendment->item == NULL)
            {
              /* Translators: keep the field path, amendments[%u].item, as it is */
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("amendments[%u].item: missing"),
                           index);
              return FALSE;
            }
          return check_item (item_prefix, amendment->item, error);
        }

      case TR_AMEND_VOID_ITEM:
        return check_field_id (prefix, "item_id", amendment->item_id, error);

      case TR_AMEND_SET_QUANTITY:
        return check_field_id (prefix, "item_id", amendment->item_id, error)
               && check_field_range (prefix, "quantity", amendment->quantity, TR_MIN_QUANTITY,
                                     TR_MAX_QUANTITY, error);

      case TR_AMEND_SET_MODIFIERS:
        return check_field_id (prefix, "item_id", amendment->item_id, error)
               && check_field_strv (prefix, "modifiers", amendment->modifiers, TR_MAX_MODIFIERS,
                                    error);

      case TR_AMEND_SET_ITEM_NOTE:
        return check_field_id (prefix, "item_id", amendment->item_id, error)
               && check_field_text (prefix, "text", amendment->text, FALSE, error);

      case TR_AMEND_SET_TABLE:
      case TR_AMEND_SET_NOTE:
        return check_field_text (prefix, "text", amendment->text, FALSE, error);

      case TR_AMEND_SET_PRIORITY:
        return check_field_range (prefix, "priority", amendment->priority, 0, TR_N_PRIORITIES - 1,
                                  error);

      case TR_N_AMEND_KINDS:
      default:
        g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                     /* Translators: keep the field path, amendments[%u].kind, as
                      * it is */
                     _ ("amendments[%u].kind: unknown amendment kind %d"), index,
                     (int)amendment->kind);
        return FALSE;
    }
}

static gboolean
check_op (const TrOp *op, GError **error)
{
  if (!check_id ("op_id", op->op_id, error) || !check_id ("station_id", op->station_id, error)
      || !check_id ("ticket_id", op->ticket_id, error))
    return FALSE;

  switch (op->kind)
    {
      case TR_OP_CREATE_TICKET:
        if (op->ticket == NULL)
          {
            /* Translators: keep the field name, ticket, as it is */
            g_set_error_literal (error, TR_ERROR, TR_ERROR_INVALID, _ ("ticket: missing"));
            return FALSE;
          }
        if (!check_new_ticket (op->ticket, error))
          return FALSE;
        /* The host looks tickets up by op->ticket_id; a mismatch would
         * store the ticket under one id and dedupe it under another. */
        if (strcmp (op->ticket_id, op->ticket->id) != 0)
          {
            g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                         /* Translators: keep the field names, ticket_id and
                          * ticket.id, as they are; both %s are ticket ids */
                         _ ("ticket_id: %s does not match ticket.id %s"), op->ticket_id,
                         op->ticket->id);
            return FALSE;
          }
        return TRUE;

      case TR_OP_AMEND_TICKET:
        if (op->amendments == NULL || op->amendments->len == 0)
          {
            g_set_error_literal (error, TR_ERROR, TR_ERROR_INVALID,
                                 /* Translators: keep the field name, amendments, as it is */
                                 _ ("amendments: an amendment op needs at least one amendment"));
            return FALSE;
          }
        if (op->amendments->len > MAX_AMENDMENTS)
          {
            g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                         /* Translators: keep the field name, amendments, as it is */
                         _ ("amendments: more than %d amendments"), MAX_AMENDMENTS);
            return FALSE;
          }
        for (guint i = 0; i < op->amendments->len; i++)
          if (!check_amendment (i, g_ptr_array_index (op->amendments, i), error))
            return FALSE;
        return TRUE;

      case TR_OP_SET_TICKET_STATUS:
        return check_range ("ticket_status", op->ticket_status, 0, TR_TICKET_N_STATUSES - 1, error);

      case TR_OP_SET_ITEM_STATUS:
        return check_id ("item_id", op->item_id, error)
               && check_range ("item_status", op->item_status, 0, TR_ITEM_N_STATUSES - 1, error);

      case TR_N_OP_KINDS:
      default:
        /* Translators: keep the field name, kind, as it is */
        g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("kind: unknown op kind %d"),
                     (int)op->kind);
        return FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* Derived ticket status                                                */
/* ------------------------------------------------------------------ */

/* The ticket status that its items imply. A ticket is ready when all its
 * non-voided items are ready (or already served), and cancelled when all
 * its items are voided. */
static TrTicketStatus
derive_status (const TrTicket *ticket)
{
  guint n_live = 0;
  guint n_served = 0;
  guint n_ready_or_served = 0;
  gboolean started = FALSE;

  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);

      switch (item->status)
        {
          case TR_ITEM_STATUS_VOIDED:
            continue;
          case TR_ITEM_STATUS_SERVED:
            n_served++;
            n_ready_or_served++;
            started = TRUE;
            break;
          case TR_ITEM_STATUS_READY:
            n_ready_or_served++;
            started = TRUE;
            break;
          case TR_ITEM_STATUS_PREPARING:
            started = TRUE;
            break;
          case TR_ITEM_STATUS_PENDING:
          case TR_ITEM_N_STATUSES:
          default:
            break;
        }
      n_live++;
    }

  if (n_live == 0)
    return TR_TICKET_STATUS_CANCELLED;
  if (n_served == n_live)
    return TR_TICKET_STATUS_SERVED;
  if (n_ready_or_served == n_live)
    return TR_TICKET_STATUS_READY;
  if (started)
    return TR_TICKET_STATUS_PREPARING;
  /* All pending: a new ticket stays new, but one the kitchen already
   * worked on (say, everything voided but a freshly added item) does not
   * go back to new, which the state machine never allows. */
  return ticket->status == TR_TICKET_STATUS_NEW ? TR_TICKET_STATUS_NEW : TR_TICKET_STATUS_PREPARING;
}

/* Derived moves skip the transition table on purpose: adding an item to
 * a ready ticket must take it back to preparing, which only a recall may
 * do by hand. */
static void
apply_derived_status (TrTicket *ticket)
{
  TrTicketStatus old = ticket->status;
  TrTicketStatus derived;

  /* Callers reject closed tickets before changing anything. */
  g_assert (tr_ticket_is_open (ticket));

  derived = derive_status (ticket);
  if (derived == old)
    return;
  if (!tr_ticket_transition_is_recall (old, derived))
    ticket->recall_status = old;
  ticket->status = derived;
}

/* ------------------------------------------------------------------ */
/* Item moves                                                           */
/* ------------------------------------------------------------------ */

/* The timestamps and recall_status follow the item: entering ready or
 * served remembers where the item came from, so a recall can restore it,
 * and leaving them backwards forgets when it got there. */
static void
move_item (TrItem *item, TrItemStatus to, gint64 now)
{
  TrItemStatus from = item->status;

  if (tr_item_transition_is_recall (from, to))
    {
      if (from == TR_ITEM_STATUS_SERVED)
        item->served_at = 0;
      else if (from == TR_ITEM_STATUS_READY)
        item->ready_at = 0;
    }
  else if (to == TR_ITEM_STATUS_READY)
    {
      item->ready_at = now;
      item->recall_status = from;
    }
  else if (to == TR_ITEM_STATUS_SERVED)
    {
      item->served_at = now;
      item->recall_status = from;
    }
  item->status = to;
}

static void
reset_item (TrItem *item)
{
  item->status = TR_ITEM_STATUS_PENDING;
  item->recall_status = TR_ITEM_STATUS_PENDING;
  item->ready_at = 0;
  item->served_at = 0;
}

/* ------------------------------------------------------------------ */
/* Ops                                                                  */
/* ------------------------------------------------------------------ */

static TrTicket *
apply_create (const TrOp *op, const TrTicket *current, const TrApplyContext *ctx, GError **error)
{
  TrTicket *ticket;

  if (current != NULL)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_DUPLICATE_ID,
                   /* Translators: keep the field name, ticket_id, as it is; %s
                    * is a ticket id */
                   _ ("ticket_id: ticket %s already exists"), op->ticket_id);
      return NULL;
    }

  /* Whatever state the issuer put in, a ticket starts from scratch: the
   * POS cannot create a ticket that is already ready or carries history. */
  ticket = tr_ticket_copy (op->ticket);
  ticket->status = TR_TICKET_STATUS_NEW;
  ticket->recall_status = TR_TICKET_STATUS_NEW;
  for (guint i = 0; i < ticket->items->len; i++)
    reset_item (g_ptr_array_index (ticket->items, i));
  g_ptr_array_set_size (ticket->changes, 0);
  ticket->created_at = ctx->now;
  ticket->version = 0;
  /* Only the host knows the day's next number; stations applying
   * optimistically pass 0 and keep what the op says. */
  if (ctx->number > 0)
    ticket->number = ctx->number;
  return ticket;
}

static char *
describe_item (const TrItem *item)
{
  return g_strdup_printf ("%d× %s", item->quantity, item->name);
}

static char *
describe_modifiers (GStrv modifiers)
{
  if (modifiers == NULL || modifiers[0] == NULL)
    return NULL;
  return g_strjoinv (", ", modifiers);
}

static void
add_change (TrTicket *ticket, TrChangeKind kind, gint64 now, const char *item_id,
            const char *before, const char *after)
{
  g_ptr_array_add (ticket->changes, tr_change_new (kind, now, item_id, before, after));
  if (ticket->changes->len > MAX_CHANGES)
    g_ptr_array_remove_range (ticket->changes, 0, ticket->changes->len - MAX_CHANGES);
}

/* Items that left the kitchen (served) or the order (voided) cannot be
 * edited; void them or recall the ticket first. */
static TrItem *
find_editable_item (TrTicket *ticket, guint index, const char *item_id, GError **error)
{
  TrItem *item = tr_ticket_find_item (ticket, item_id);

  if (item == NULL)
    {
      /* Translators: keep the field path, amendments[%u].item_id, as it
       * is; %s is an item id */
      g_set_error (error, TR_ERROR, TR_ERROR_UNKNOWN_ITEM, _ ("amendments[%u].item_id: no item %s"),
                   index, item_id);
      return NULL;
    }
  if (item->status == TR_ITEM_STATUS_VOIDED || item->status == TR_ITEM_STATUS_SERVED)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                   /* Translators: keep the field path, amendments[%u].item_id, as
                    * it is; the first %s is an item id, the second its status,
                    * served or voided */
                   _ ("amendments[%u].item_id: item %s is %s"), index, item_id,
                   tr_item_status_to_display (item->status));
      return NULL;
    }
  return item;
}

static gboolean
apply_amendment (TrTicket *ticket, guint index, const TrAmendment *amendment, gint64 now,
                 GError **error)
{
  TrItem *item;

  switch (amendment->kind)
    {
      case TR_AMEND_ADD_ITEM:
        {
          g_autofree char *after = NULL;

          if (tr_ticket_find_item (ticket, amendment->item->id) != NULL)
            {
              g_set_error (error, TR_ERROR, TR_ERROR_DUPLICATE_ID,
                           /* Translators: keep the field path, amendments[%u].item.id,
                            * as it is; %s is an item id */
                           _ ("amendments[%u].item.id: item %s already exists"), index,
                           amendment->item->id);
              return FALSE;
            }
          if (ticket->items->len >= TR_MAX_ITEMS)
            {
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                           /* Translators: keep the field path, amendments[%u].item,
                            * as it is */
                           _ ("amendments[%u].item: a ticket holds at most %d items"), index,
                           TR_MAX_ITEMS);
              return FALSE;
            }
          item = tr_item_copy (amendment->item);
          reset_item (item);
          g_ptr_array_add (ticket->items, item);
          after = describe_item (item);
          add_change (ticket, TR_CHANGE_ITEM_ADDED, now, item->id, NULL, after);
          return TRUE;
        }

      case TR_AMEND_VOID_ITEM:
        {
          g_autofree char *before = NULL;

          item = tr_ticket_find_item (ticket, amendment->item_id);
          if (item == NULL)
            {
              g_set_error (error, TR_ERROR, TR_ERROR_UNKNOWN_ITEM,
                           /* Translators: keep the field path, amendments[%u].item_id,
                            * as it is; %s is an item id */
                           _ ("amendments[%u].item_id: no item %s"), index, amendment->item_id);
              return FALSE;
            }
          if (!tr_item_transition_check (item->status, TR_ITEM_STATUS_VOIDED, error))
            return FALSE;
          move_item (item, TR_ITEM_STATUS_VOIDED, now);
          before = describe_item (item);
          add_change (ticket, TR_CHANGE_ITEM_VOIDED, now, item->id, before, NULL);
          return TRUE;
        }

      case TR_AMEND_SET_QUANTITY:
        {
          g_autofree char *before = NULL;
          g_autofree char *after = NULL;

          if (!(item = find_editable_item (ticket, index, amendment->item_id, error)))
            return FALSE;
          before = g_strdup_printf ("%d", item->quantity);
          after = g_strdup_printf ("%d", amendment->quantity);
          item->quantity = amendment->quantity;
          add_change (ticket, TR_CHANGE_QUANTITY, now, item->id, before, after);
          return TRUE;
        }

      case TR_AMEND_SET_MODIFIERS:
        {
          g_autofree char *before = NULL;
          g_autofree char *after = NULL;

          if (!(item = find_editable_item (ticket, index, amendment->item_id, error)))
            return FALSE;
          before = describe_modifiers (item->modifiers);
          after = describe_modifiers (amendment->modifiers);
          g_strfreev (item->modifiers);
          item->modifiers
            = amendment->modifiers != NULL ? g_strdupv (amendment->modifiers) : g_new0 (char *, 1);
          add_change (ticket, TR_CHANGE_MODIFIERS, now, item->id, before, after);
          return TRUE;
        }

      case TR_AMEND_SET_ITEM_NOTE:
        if (!(item = find_editable_item (ticket, index, amendment->item_id, error)))
          return FALSE;
        add_change (ticket, TR_CHANGE_ITEM_NOTE, now, item->id, item->note, amendment->text);
        g_free (item->note);
        item->note = g_strdup (amendment->text);
        return TRUE;

      case TR_AMEND_SET_TABLE:
        add_change (ticket, TR_CHANGE_TABLE, now, NULL, ticket->table, amendment->text);
        g_free (ticket->table);
        ticket->table = g_strdup (amendment->text);
        return TRUE;

      case TR_AMEND_SET_NOTE:
        add_change (ticket, TR_CHANGE_NOTE, now, NULL, ticket->note, amendment->text);
        g_free (ticket->note);
        ticket->note = g_strdup (amendment->text);
        return TRUE;

      case TR_AMEND_SET_PRIORITY:
        add_change (ticket, TR_CHANGE_PRIORITY, now, NULL, tr_priority_to_string (ticket->priority),
                    tr_priority_to_string (amendment->priority));
        ticket->priority = amendment->priority;
        return TRUE;

      case TR_N_AMEND_KINDS:
      default:
        /* check_amendment() rejected it already. */
        g_assert_not_reached ();
    }
}

/* What a closed ticket refuses, each a whole sentence for translators. */
typedef enum
{
  CLOSED_FOR_AMENDING,
  CLOSED_FOR_ITEM_STATUS,
} ClosedFor;

static gboolean
check_open (const TrTicket *current, ClosedFor what, GError **error)
{
  const char *status;

  if (tr_ticket_is_open (current))
    return TRUE;
  status = tr_ticket_status_to_display (current->status);
  if (what == CLOSED_FOR_AMENDING)
    g_set_error (error, TR_ERROR, TR_ERROR_TICKET_CLOSED,
                 /* Translators: the first %s is a ticket id, the second its
                  * status, served or cancelled */
                 _ ("ticket %s is %s: it can no longer be amended"), current->id, status);
  else
    g_set_error (error, TR_ERROR, TR_ERROR_TICKET_CLOSED,
                 /* Translators: the first %s is a ticket id, the second its
                  * status, served or cancelled */
                 _ ("ticket %s is %s: recall the ticket to change its items"), current->id, status);
  return FALSE;
}

static TrTicket *
apply_amend (const TrOp *op, const TrTicket *current, const TrApplyContext *ctx, GError **error)
{
  g_autoptr (TrTicket) ticket = NULL;

  if (!check_open (current, CLOSED_FOR_AMENDING, error))
    return NULL;

  /* All or nothing: the amendments edit a copy that is dropped on the
   * first failure. */
  ticket = tr_ticket_copy (current);
  for (guint i = 0; i < op->amendments->len; i++)
    if (!apply_amendment (ticket, i, g_ptr_array_index (op->amendments, i), ctx->now, error))
      return NULL;

  apply_derived_status (ticket);
  return g_steal_pointer (&ticket);
}

/* Which status a ready item returns to when its ticket is recalled from
 * ready: where it was before the bump, so an item nobody had started is
 * pending again. recall_status may say ready (it was recalled from
 * served), which is not a place to go back to. */
static TrItemStatus
item_recall_target (const TrItem *item)
{
  if (item->recall_status == TR_ITEM_STATUS_PENDING
      || item->recall_status == TR_ITEM_STATUS_PREPARING)
    return item->recall_status;
  return TR_ITEM_STATUS_PREPARING;
}

static TrTicket *
apply_set_ticket_status (const TrOp *op, const TrTicket *current, const TrApplyContext *ctx,
                         GError **error)
{
  TrTicketStatus from = current->status;
  TrTicketStatus to = op->ticket_status;
  gboolean recall;
  TrTicket *ticket;

  if (!tr_ticket_transition_check (from, to, error))
    return NULL;

  recall = tr_ticket_transition_is_recall (from, to);
  ticket = tr_ticket_copy (current);

  /* A ticket-level bump speaks for all its unfinished items, so the
   * items follow and the ticket stays consistent with derive_status(). */
  for (guint i = 0; i < ticket->items->len; i++)
    {
      TrItem *item = g_ptr_array_index (ticket->items, i);

      switch (to)
        {
          case TR_TICKET_STATUS_PREPARING:
            if (recall)
              {
                if (item->status == TR_ITEM_STATUS_READY)
                  {
                    /* Not move_item(): that would only go to preparing. */
                    item->status = item_recall_target (item);
                    item->ready_at = 0;
                  }
              }
            else if (item->status == TR_ITEM_STATUS_PENDING)
              move_item (item, TR_ITEM_STATUS_PREPARING, ctx->now);
            break;

          case TR_TICKET_STATUS_READY:
            if (recall)
              {
                if (item->status == TR_ITEM_STATUS_SERVED)
                  move_item (item, TR_ITEM_STATUS_READY, ctx->now);
              }
            else if (item->status == TR_ITEM_STATUS_PENDING
                     || item->status == TR_ITEM_STATUS_PREPARING)
              move_item (item, TR_ITEM_STATUS_READY, ctx->now);
            break;

          case TR_TICKET_STATUS_SERVED:
            if (item->status != TR_ITEM_STATUS_VOIDED && item->status != TR_ITEM_STATUS_SERVED)
              move_item (item, TR_ITEM_STATUS_SERVED, ctx->now);
            break;

          case TR_TICKET_STATUS_CANCELLED:
            /* Served items stay served: the guest has them. */
            if (item->status != TR_ITEM_STATUS_VOIDED && item->status != TR_ITEM_STATUS_SERVED)
              move_item (item, TR_ITEM_STATUS_VOIDED, ctx->now);
            break;

          case TR_TICKET_STATUS_NEW:
          case TR_TICKET_N_STATUSES:
          default:
            /* Nothing goes back to new; the table said so above. */
            g_assert_not_reached ();
        }
    }

  /* The status is set, not derived: a ready ticket with some items
   * already served and the rest cancelled is cancelled, although its
   * items alone would say served. */
  if (!recall)
    ticket->recall_status = from;
  ticket->status = to;
  return ticket;
}

static TrTicket *
apply_set_item_status (const TrOp *op, const TrTicket *current, const TrApplyContext *ctx,
                       GError **error)
{
  g_autoptr (TrTicket) ticket = NULL;
  TrItem *item;

  if (!check_open (current, CLOSED_FOR_ITEM_STATUS, error))
    return NULL;

  ticket = tr_ticket_copy (current);
  item = tr_ticket_find_item (ticket, op->item_id);
  if (item == NULL)
    {
      /* Translators: keep the field name, item_id, as it is; the first %s
       * is an item id, the second a ticket id */
      g_set_error (error, TR_ERROR, TR_ERROR_UNKNOWN_ITEM, _ ("item_id: no item %s on ticket %s"),
                   op->item_id, current->id);
      return NULL;
    }
  if (!tr_item_transition_check (item->status, op->item_status, error))
    return NULL;

  move_item (item, op->item_status, ctx->now);
  apply_derived_status (ticket);
  return g_steal_pointer (&ticket);
}

static TrEventKind
event_kind_for_op (TrOpKind kind)
{
  switch (kind)
    {
      case TR_OP_CREATE_TICKET:
        return TR_EVENT_TICKET_CREATED;
      case TR_OP_AMEND_TICKET:
        return TR_EVENT_TICKET_AMENDED;
      case TR_OP_SET_TICKET_STATUS:
        return TR_EVENT_TICKET_STATUS;
      case TR_OP_SET_ITEM_STATUS:
        return TR_EVENT_ITEM_STATUS;
      case TR_N_OP_KINDS:
      default:
        g_assert_not_reached ();
    }
}

TrEvent *
tr_op_apply (const TrOp *op, const TrTicket *current, const TrApplyContext *ctx, GError **error)
{
  TrTicket *ticket = NULL;
  TrEvent *event;

  g_return_val_if_fail (op != NULL, NULL);
  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_op (op, error))
    return NULL;

  if (op->kind != TR_OP_CREATE_TICKET)
    {
      if (current == NULL)
        {
          /* Translators: keep the field name, ticket_id, as it is; %s is a
           * ticket id */
          g_set_error (error, TR_ERROR, TR_ERROR_UNKNOWN_TICKET, _ ("ticket_id: no ticket %s"),
                       op->ticket_id);
          return NULL;
        }
      /* The caller looked @current up by op->ticket_id; anything else is
       * a bug there, reported rather than applied to the wrong ticket. */
      if (g_strcmp0 (current->id, op->ticket_id) != 0)
        {
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID,
                       /* Translators: keep the field name, ticket_id, as it is;
                        * both %s are ticket ids */
                       _ ("ticket_id: %s does not match the current ticket %s"), op->ticket_id,
                       current->id);
          return NULL;
        }
    }

  switch (op->kind)
    {
      case TR_OP_CREATE_TICKET:
        ticket = apply_create (op, current, ctx, error);
        break;
      case TR_OP_AMEND_TICKET:
        ticket = apply_amend (op, current, ctx, error);
        break;
      case TR_OP_SET_TICKET_STATUS:
        ticket = apply_set_ticket_status (op, current, ctx, error);
        break;
      case TR_OP_SET_ITEM_STATUS:
        ticket = apply_set_item_status (op, current, ctx, error);
        break;
      case TR_N_OP_KINDS:
      default:
        g_assert_not_reached ();
    }

  if (ticket == NULL)
    return NULL;

  ticket->version = (current != NULL ? current->version : 0) + 1;
  ticket->updated_at = ctx->now;

  event = tr_event_new ();
  event->seq = ctx->seq;
  event->kind = event_kind_for_op (op->kind);
  event->op_id = g_strdup (op->op_id);
  event->station_id = g_strdup (op->station_id);
  event->at = ctx->now;
  event->ticket = ticket;
  return event;
}
