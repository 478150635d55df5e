/* tr-ticket.h: the kitchen order ticket (KOT) and its items
 *
 * Tickets are plain boxed structs, not GObjects: the op applier is pure
 * code that copies and edits them, the codec and the store move them
 * around, and only the UI wraps them in GObjects for its list models.
 *
 * Times are milliseconds since the Unix epoch (what JavaScript's
 * Date.now() gives), 0 meaning "not yet".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Bounds shared by the codec, the applier and the UI's order dialog. */
#define TR_MAX_TEXT_BYTES     500
#define TR_MAX_ITEMS          200
#define TR_MAX_MODIFIERS      50
#define TR_MAX_ALLERGENS      50
#define TR_MIN_QUANTITY       1
#define TR_MAX_QUANTITY       999
#define TR_MAX_GUESTS         999
#define TR_MAX_COURSE         99

typedef enum
{
  TR_TICKET_STATUS_NEW,
  TR_TICKET_STATUS_PREPARING,
  TR_TICKET_STATUS_READY,
  TR_TICKET_STATUS_SERVED,
  TR_TICKET_STATUS_CANCELLED,
  TR_TICKET_N_STATUSES
} TrTicketStatus;

typedef enum
{
  TR_ITEM_STATUS_PENDING,
  TR_ITEM_STATUS_PREPARING,
  TR_ITEM_STATUS_READY,
  TR_ITEM_STATUS_SERVED,
  TR_ITEM_STATUS_VOIDED,
  TR_ITEM_N_STATUSES
} TrItemStatus;

typedef enum
{
  TR_SOURCE_POS,
  TR_SOURCE_APP,
  TR_SOURCE_WEB,
  TR_N_SOURCES
} TrTicketSource;

typedef enum
{
  TR_ORDER_TYPE_DINE_IN,
  TR_ORDER_TYPE_TAKEAWAY,
  TR_ORDER_TYPE_DELIVERY,
  TR_ORDER_TYPE_PICKUP,
  TR_N_ORDER_TYPES
} TrOrderType;

typedef enum
{
  TR_PRIORITY_NORMAL,
  TR_PRIORITY_RUSH,
  TR_N_PRIORITIES
} TrPriority;

/* What an amendment changed, kept on the ticket so a kitchen screen can
 * show "modified" until a cook acknowledges it. */
typedef enum
{
  TR_CHANGE_ITEM_ADDED,
  TR_CHANGE_ITEM_VOIDED,
  TR_CHANGE_QUANTITY,
  TR_CHANGE_MODIFIERS,
  TR_CHANGE_ITEM_NOTE,
  TR_CHANGE_TABLE,
  TR_CHANGE_NOTE,
  TR_CHANGE_PRIORITY,
  TR_N_CHANGE_KINDS
} TrChangeKind;

/* Wire names: "new", "preparing", ... (lower case, underscores, as in the
 * protocol). from_string returns FALSE for anything else. */
const char *tr_ticket_status_to_string (TrTicketStatus status);
gboolean    tr_ticket_status_from_string (const char *str, TrTicketStatus *out);
const char *tr_item_status_to_string (TrItemStatus status);
gboolean    tr_item_status_from_string (const char *str, TrItemStatus *out);
const char *tr_source_to_string (TrTicketSource source);          /* "pos" "app" "web" */
gboolean    tr_source_from_string (const char *str, TrTicketSource *out);
const char *tr_order_type_to_string (TrOrderType type);           /* "dine_in" "takeaway" "delivery" "pickup" */
gboolean    tr_order_type_from_string (const char *str, TrOrderType *out);
const char *tr_priority_to_string (TrPriority priority);          /* "normal" "rush" */
gboolean    tr_priority_from_string (const char *str, TrPriority *out);
const char *tr_change_kind_to_string (TrChangeKind kind);         /* "item_added" "item_voided" "quantity" "modifiers" "item_note" "table" "note" "priority" */
gboolean    tr_change_kind_from_string (const char *str, TrChangeKind *out);

typedef struct
{
  char         *id;            /* UUID, unique within its ticket */
  char         *name;
  int           quantity;      /* TR_MIN_QUANTITY..TR_MAX_QUANTITY */
  GStrv         modifiers;     /* never NULL; may be empty */
  char         *note;          /* NULL when none */
  GStrv         allergens;     /* never NULL; may be empty */
  char         *station;       /* routing station, e.g. "grill"; NULL = any */
  int           course;        /* 0 = not coursed */
  TrItemStatus  status;
  /* The status to go back to on recall: set when the item enters ready
   * or served, so a recall restores what the cook last saw. */
  TrItemStatus  recall_status;
  gint64        ready_at;
  gint64        served_at;
} TrItem;

typedef struct
{
  TrChangeKind  kind;
  gint64        at;
  char         *item_id;       /* NULL for ticket-level changes */
  char         *before;        /* human-readable old value, or NULL */
  char         *after;         /* human-readable new value, or NULL */
} TrChange;

typedef struct
{
  char           *id;            /* UUID */
  int             number;        /* short number per business day; 0 until the host assigns it */
  TrTicketSource  source;
  char           *external_ref;  /* the POS's order reference, or NULL */
  char           *table;         /* NULL when not dine-in or unknown */
  TrOrderType     order_type;
  char           *server;        /* server's name, or NULL */
  int             guests;        /* 0 = unknown */
  char           *note;          /* NULL when none */
  TrPriority      priority;
  gint64          created_at;
  gint64          updated_at;
  TrTicketStatus  status;
  /* The status to go back to on recall (see tr-state-machine.h). */
  TrTicketStatus  recall_status;
  gint64          version;       /* 1 at creation, +1 with every applied op */
  GPtrArray      *items;         /* of TrItem*, owned; never NULL */
  GPtrArray      *changes;       /* of TrChange*, owned; never NULL */
} TrTicket;

#define TR_TYPE_ITEM   (tr_item_get_type ())
#define TR_TYPE_TICKET (tr_ticket_get_type ())
#define TR_TYPE_CHANGE (tr_change_get_type ())

GType     tr_item_get_type      (void) G_GNUC_CONST;
TrItem   *tr_item_new           (void);
TrItem   *tr_item_copy          (const TrItem *item);
void      tr_item_free          (TrItem *item);
gboolean  tr_item_equal         (const TrItem *a, const TrItem *b);

GType     tr_change_get_type    (void) G_GNUC_CONST;
TrChange *tr_change_new         (TrChangeKind kind, gint64 at, const char *item_id,
                                 const char *before, const char *after);
TrChange *tr_change_copy        (const TrChange *change);
void      tr_change_free        (TrChange *change);

GType     tr_ticket_get_type    (void) G_GNUC_CONST;
TrTicket *tr_ticket_new         (void);
TrTicket *tr_ticket_copy        (const TrTicket *ticket);
void      tr_ticket_free        (TrTicket *ticket);
gboolean  tr_ticket_equal       (const TrTicket *a, const TrTicket *b);
TrItem   *tr_ticket_find_item   (const TrTicket *ticket, const char *item_id);
/* Open means the kitchen still has work or the pass still holds it:
 * new, preparing or ready. */
gboolean  tr_ticket_is_open     (const TrTicket *ticket);

/* A random RFC 4122 v4 UUID, lower case. */
char     *tr_uuid_new           (void);
/* Milliseconds since the epoch, from the real-time clock. */
gint64    tr_now_ms             (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrItem, tr_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrChange, tr_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrTicket, tr_ticket_free)

G_END_DECLS
