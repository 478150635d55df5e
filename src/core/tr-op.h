/* tr-op.h: operations, the only way ticket state changes, and the events
 * they produce
 *
 * An op is made by whoever issues it (a station, the POS endpoint, the
 * host itself) and carries its own op_id, so that the host can
 * deduplicate replays. tr_op_apply() is pure: no I/O, no clock, no
 * randomness; everything it needs beyond the op and the current ticket
 * comes in TrApplyContext, so the host and every station compute the same
 * result from the same inputs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-ticket.h"

G_BEGIN_DECLS

typedef enum
{
  TR_OP_CREATE_TICKET,     /* "create_ticket" */
  TR_OP_AMEND_TICKET,      /* "amend_ticket" */
  TR_OP_SET_TICKET_STATUS, /* "set_ticket_status" */
  TR_OP_SET_ITEM_STATUS,   /* "set_item_status" */
  TR_N_OP_KINDS
} TrOpKind;

typedef enum
{
  TR_AMEND_ADD_ITEM,       /* "add_item": item */
  TR_AMEND_VOID_ITEM,      /* "void_item": item_id */
  TR_AMEND_SET_QUANTITY,   /* "set_quantity": item_id, quantity */
  TR_AMEND_SET_MODIFIERS,  /* "set_modifiers": item_id, modifiers */
  TR_AMEND_SET_ITEM_NOTE,  /* "set_item_note": item_id, text (NULL clears) */
  TR_AMEND_SET_TABLE,      /* "set_table": text (NULL clears) */
  TR_AMEND_SET_NOTE,       /* "set_note": text (NULL clears) */
  TR_AMEND_SET_PRIORITY,   /* "set_priority": priority */
  TR_N_AMEND_KINDS
} TrAmendKind;

typedef enum
{
  TR_EVENT_TICKET_CREATED, /* "ticket.created" */
  TR_EVENT_TICKET_AMENDED, /* "ticket.amended" */
  TR_EVENT_TICKET_STATUS,  /* "ticket.status" */
  TR_EVENT_ITEM_STATUS,    /* "item.status" */
  TR_N_EVENT_KINDS
} TrEventKind;

const char *tr_op_kind_to_string      (TrOpKind kind);
gboolean    tr_op_kind_from_string    (const char *str, TrOpKind *out);
const char *tr_amend_kind_to_string   (TrAmendKind kind);
gboolean    tr_amend_kind_from_string (const char *str, TrAmendKind *out);
const char *tr_event_kind_to_string   (TrEventKind kind);
gboolean    tr_event_kind_from_string (const char *str, TrEventKind *out);

typedef struct
{
  TrAmendKind  kind;
  TrItem      *item;       /* ADD_ITEM, owned */
  char        *item_id;    /* VOID_ITEM, SET_QUANTITY, SET_MODIFIERS, SET_ITEM_NOTE */
  int          quantity;   /* SET_QUANTITY */
  GStrv        modifiers;  /* SET_MODIFIERS; never NULL for that kind */
  char        *text;       /* SET_ITEM_NOTE, SET_TABLE, SET_NOTE; NULL clears */
  TrPriority   priority;   /* SET_PRIORITY */
} TrAmendment;

typedef struct
{
  char           *op_id;        /* UUID made by the issuer */
  TrOpKind        kind;
  char           *station_id;   /* who issued it */
  gint64          at;           /* when the issuer made it (ms) */
  char           *ticket_id;    /* the ticket it acts on; for create, ticket->id */
  TrTicket       *ticket;       /* CREATE_TICKET: the new ticket, owned */
  GPtrArray      *amendments;   /* AMEND_TICKET: of TrAmendment*, owned, at least one */
  TrTicketStatus  ticket_status;/* SET_TICKET_STATUS: the target */
  char           *item_id;      /* SET_ITEM_STATUS */
  TrItemStatus    item_status;  /* SET_ITEM_STATUS: the target */
} TrOp;

typedef struct
{
  gint64        seq;          /* position in the host's log; 0 for an optimistic local apply */
  TrEventKind   kind;
  char         *op_id;
  char         *station_id;
  gint64        at;           /* when it was applied (ms) */
  TrTicket     *ticket;       /* the whole ticket after the change, owned */
} TrEvent;

/* What tr_op_apply() needs besides the op and the current ticket. */
typedef struct
{
  gint64  seq;      /* copied into the event */
  gint64  now;      /* the applier's clock (ms): updated_at, ready_at, served_at, change times */
  int     number;   /* CREATE_TICKET: the ticket number to assign; 0 keeps the op's */
} TrApplyContext;

#define TR_TYPE_OP    (tr_op_get_type ())
#define TR_TYPE_EVENT (tr_event_get_type ())

TrAmendment *tr_amendment_new   (TrAmendKind kind);
TrAmendment *tr_amendment_copy  (const TrAmendment *amendment);
void         tr_amendment_free  (TrAmendment *amendment);

GType        tr_op_get_type     (void) G_GNUC_CONST;
/* A new op of @kind with a fresh op_id, the given station and at = now. */
TrOp        *tr_op_new          (TrOpKind kind, const char *station_id);
TrOp        *tr_op_copy         (const TrOp *op);
void         tr_op_free         (TrOp *op);

/* Convenience constructors used by the UI, the CLI and the tests. */
TrOp        *tr_op_new_create_ticket     (const char *station_id, const TrTicket *ticket);
TrOp        *tr_op_new_set_ticket_status (const char *station_id, const char *ticket_id,
                                          TrTicketStatus status);
TrOp        *tr_op_new_set_item_status   (const char *station_id, const char *ticket_id,
                                          const char *item_id, TrItemStatus status);
/* An amend op with no amendments yet; add them to op->amendments. */
TrOp        *tr_op_new_amend_ticket      (const char *station_id, const char *ticket_id);

GType        tr_event_get_type  (void) G_GNUC_CONST;
TrEvent     *tr_event_new       (void);
TrEvent     *tr_event_copy      (const TrEvent *event);
void         tr_event_free      (TrEvent *event);

/* Applies @op to @current (NULL when the ticket does not exist yet) and
 * returns the event holding the ticket after the change, or NULL with
 * @error set (TR_ERROR_*) and nothing changed. @current is never
 * modified. Rules: docs/architecture.md and tr-state-machine.h. */
TrEvent     *tr_op_apply        (const TrOp           *op,
                                 const TrTicket       *current,
                                 const TrApplyContext *ctx,
                                 GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrAmendment, tr_amendment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrOp, tr_op_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrEvent, tr_event_free)

G_END_DECLS
