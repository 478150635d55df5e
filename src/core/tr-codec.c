/* tr-codec.c: tickets, ops and events to JSON
 *
 * One writer knows the JSON shape of each value (write_ticket(),
 * write_op(), ...). It writes to a JsonOut, which either appends the
 * compact text to a GString or builds a JsonNode tree. The text is what the
 * host stores and sends: every applied op encodes its ticket and its
 * event, so that path writes bytes directly, about ten times cheaper than
 * a JsonNode tree and JsonGenerator (bench/codec.c). The JsonNode form is
 * for the protocol's frame builders, which embed values in bigger
 * objects. Both come from the same calls, so they cannot drift apart;
 * test-codec checks that the text is byte for byte what JsonGenerator
 * makes of the node.
 *
 * Decoding is in tr-codec-decode.c, the strict text parser in
 * tr-codec-parse.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-codec"

#include "tr-codec.h"

#include <string.h>

/* An object or an array being filled (borrowed from the tree). */
typedef struct
{
  JsonObject *object;
  JsonArray *array;
} Container;

typedef struct
{
  GString *text;       /* compact JSON text, or NULL when building a node */
  gboolean need_comma; /* text: a value precedes in the current object or array */
  /* Building a node (JsonBuilder copies every member name and cost 37%
   * more here): the containers being filled, innermost last, the member
   * name of the next value (one of this file's literals) and the root.
   * NULL stack when writing text. */
  GArray *stack; /* Container */
  const char *key;
  JsonNode *root;
} JsonOut;

/* ---------------------------------------------------------------------------
 * Text primitives
 *
 * Escapes are exactly JsonGenerator's (test-codec checks them), so the
 * two forms give the same bytes.
 */

static void
text_string (GString *out, const char *str)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = str;
  const char *p;

  g_string_append_c (out, '"');
  for (p = str; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;
      const char *escape = NULL;
      char unicode[7];

      if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
        continue;

      switch (c)
        {
          case '"':
            escape = "\\\"";
            break;
          case '\\':
            escape = "\\\\";
            break;
          case '\b':
            escape = "\\b";
            break;
          case '\f':
            escape = "\\f";
            break;
          case '\n':
            escape = "\\n";
            break;
          case '\r':
            escape = "\\r";
            break;
          case '\t':
            escape = "\\t";
            break;
          default:
            unicode[0] = '\\';
            unicode[1] = 'u';
            unicode[2] = '0';
            unicode[3] = '0';
            unicode[4] = hex[c >> 4];
            unicode[5] = hex[c & 0xf];
            unicode[6] = '\0';
            escape = unicode;
            break;
        }
      g_string_append_len (out, run, p - run);
      g_string_append (out, escape);
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

static void
text_int (GString *out, gint64 value)
{
  /* printf's machinery was 3% of a whole store apply (docs/performance.md). */
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 magnitude = value < 0 ? -(guint64)value : (guint64)value;

  do
    {
      *--p = (char)('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (out, p, digits + sizeof digits - p);
}

/* ---------------------------------------------------------------------------
 * JsonOut: one call per JSON token, to text or to a node tree
 */

/* Scalars only ever go into a container: the shapes start with one. */
static inline Container *
node_innermost (JsonOut *out)
{
  return &g_array_index (out->stack, Container, out->stack->len - 1);
}

static inline Container *
node_parent (JsonOut *out)
{
  return out->stack->len > 0 ? &g_array_index (out->stack, Container, out->stack->len - 1) : NULL;
}

/* The typed setters, not json_object_set_member(): it looks the name up
 * first, which costs another 10%. */
#define NODE_ADD(out, object_setter, array_adder, ...)                                             \
  G_STMT_START                                                                                     \
  {                                                                                                \
    Container *parent_ = node_innermost (out);                                                     \
    if (parent_->object != NULL)                                                                   \
      object_setter (parent_->object, (out)->key, __VA_ARGS__);                                    \
    else                                                                                           \
      array_adder (parent_->array, __VA_ARGS__);                                                   \
  }                                                                                                \
  G_STMT_END

static void
node_begin (JsonOut *out, JsonObject *object, JsonArray *array)
{
  Container container = { object, array };
  Container *parent = node_parent (out);

  if (parent == NULL)
    {
      out->root = json_node_alloc ();
      if (object != NULL)
        json_node_take_object (json_node_init (out->root, JSON_NODE_OBJECT), object);
      else
        json_node_take_array (json_node_init (out->root, JSON_NODE_ARRAY), array);
    }
  else if (object != NULL)
    {
      if (parent->object != NULL)
        json_object_set_object_member (parent->object, out->key, object);
      else
        json_array_add_object_element (parent->array, object);
    }
  else
    {
      if (parent->object != NULL)
        json_object_set_array_member (parent->object, out->key, array);
      else
        json_array_add_array_element (parent->array, array);
    }
  g_array_append_val (out->stack, container);
}

static inline void
text_separate (JsonOut *out)
{
  if (out->need_comma)
    g_string_append_c (out->text, ',');
}

static inline void
out_begin_object (JsonOut *out)
{
  if (out->stack != NULL)
    {
      node_begin (out, json_object_new (), NULL);
      return;
    }
  text_separate (out);
  g_string_append_c (out->text, '{');
  out->need_comma = FALSE;
}

static inline void
out_end_object (JsonOut *out)
{
  if (out->stack != NULL)
    {
      g_array_set_size (out->stack, out->stack->len - 1);
      return;
    }
  g_string_append_c (out->text, '}');
  out->need_comma = TRUE;
}

static inline void
out_begin_array (JsonOut *out)
{
  if (out->stack != NULL)
    {
      node_begin (out, NULL, json_array_new ());
      return;
    }
  text_separate (out);
  g_string_append_c (out->text, '[');
  out->need_comma = FALSE;
}

static inline void
out_end_array (JsonOut *out)
{
  if (out->stack != NULL)
    {
      g_array_set_size (out->stack, out->stack->len - 1);
      return;
    }
  g_string_append_c (out->text, ']');
  out->need_comma = TRUE;
}

/* @key is always one of this file's ASCII literals: nothing to escape. */
static inline void
out_key (JsonOut *out, const char *key)
{
  if (out->stack != NULL)
    {
      out->key = key;
      return;
    }
  text_separate (out);
  g_string_append_c (out->text, '"');
  g_string_append (out->text, key);
  g_string_append_len (out->text, "\":", 2);
  out->need_comma = FALSE;
}

static inline void
out_null (JsonOut *out)
{
  if (out->stack != NULL)
    {
      Container *parent = node_innermost (out);

      if (parent->object != NULL)
        json_object_set_null_member (parent->object, out->key);
      else
        json_array_add_null_element (parent->array);
      return;
    }
  text_separate (out);
  g_string_append_len (out->text, "null", 4);
  out->need_comma = TRUE;
}

/* NULL writes null. */
static inline void
out_string (JsonOut *out, const char *value)
{
  if (value == NULL)
    {
      out_null (out);
      return;
    }
  if (out->stack != NULL)
    {
      NODE_ADD (out, json_object_set_string_member, json_array_add_string_element, value);
      return;
    }
  text_separate (out);
  text_string (out->text, value);
  out->need_comma = TRUE;
}

static inline void
out_int (JsonOut *out, gint64 value)
{
  if (out->stack != NULL)
    {
      NODE_ADD (out, json_object_set_int_member, json_array_add_int_element, value);
      return;
    }
  text_separate (out);
  text_int (out->text, value);
  out->need_comma = TRUE;
}

static inline void
out_string_member (JsonOut *out, const char *key, const char *value)
{
  out_key (out, key);
  out_string (out, value);
}

static inline void
out_int_member (JsonOut *out, const char *key, gint64 value)
{
  out_key (out, key);
  out_int (out, value);
}

/* A NULL vector is written as an empty array, as the decoder reads it. */
static void
out_strv_member (JsonOut *out, const char *key, char **strv)
{
  out_key (out, key);
  out_begin_array (out);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    out_string (out, strv[i]);
  out_end_array (out);
}

/* ---------------------------------------------------------------------------
 * The shapes: members in the order docs/protocol.md gives them. The
 * order and the absence of optional members make the output canonical.
 */

static void
write_item (JsonOut *out, const TrItem *item)
{
  out_begin_object (out);
  out_string_member (out, "id", item->id);
  out_string_member (out, "name", item->name);
  out_int_member (out, "quantity", item->quantity);
  out_strv_member (out, "modifiers", item->modifiers);
  out_string_member (out, "note", item->note);
  out_strv_member (out, "allergens", item->allergens);
  out_string_member (out, "station", item->station);
  out_int_member (out, "course", item->course);
  out_string_member (out, "status", tr_item_status_to_string (item->status));
  out_string_member (out, "recall_status", tr_item_status_to_string (item->recall_status));
  out_int_member (out, "ready_at", item->ready_at);
  out_int_member (out, "served_at", item->served_at);
  out_end_object (out);
}

static void
write_change (JsonOut *out, const TrChange *change)
{
  out_begin_object (out);
  out_string_member (out, "kind", tr_change_kind_to_string (change->kind));
  out_int_member (out, "at", change->at);
  out_string_member (out, "item_id", change->item_id);
  out_string_member (out, "before", change->before);
  out_string_member (out, "after", change->after);
  out_end_object (out);
}

static void
write_ticket (JsonOut *out, const TrTicket *ticket)
{
  out_begin_object (out);
  out_string_member (out, "id", ticket->id);
  out_int_member (out, "number", ticket->number);
  out_string_member (out, "source", tr_source_to_string (ticket->source));
  out_string_member (out, "external_ref", ticket->external_ref);
  out_string_member (out, "table", ticket->table);
  out_string_member (out, "order_type", tr_order_type_to_string (ticket->order_type));
  out_string_member (out, "server", ticket->server);
  out_int_member (out, "guests", ticket->guests);
  out_string_member (out, "note", ticket->note);
  out_string_member (out, "priority", tr_priority_to_string (ticket->priority));
  out_int_member (out, "created_at", ticket->created_at);
  out_int_member (out, "updated_at", ticket->updated_at);
  out_string_member (out, "status", tr_ticket_status_to_string (ticket->status));
  out_string_member (out, "recall_status", tr_ticket_status_to_string (ticket->recall_status));
  out_int_member (out, "version", ticket->version);

  out_key (out, "items");
  out_begin_array (out);
  for (guint i = 0; i < ticket->items->len; i++)
    write_item (out, g_ptr_array_index (ticket->items, i));
  out_end_array (out);

  out_key (out, "changes");
  out_begin_array (out);
  for (guint i = 0; i < ticket->changes->len; i++)
    write_change (out, g_ptr_array_index (ticket->changes, i));
  out_end_array (out);
  out_end_object (out);
}

/* Each kind carries only its own members. */
static void
write_amendment (JsonOut *out, const TrAmendment *amendment)
{
  out_begin_object (out);
  out_string_member (out, "kind", tr_amend_kind_to_string (amendment->kind));
  switch (amendment->kind)
    {
      case TR_AMEND_ADD_ITEM:
        out_key (out, "item");
        if (amendment->item != NULL)
          write_item (out, amendment->item);
        else
          out_null (out);
        break;
      case TR_AMEND_VOID_ITEM:
        out_string_member (out, "item_id", amendment->item_id);
        break;
      case TR_AMEND_SET_QUANTITY:
        out_string_member (out, "item_id", amendment->item_id);
        out_int_member (out, "quantity", amendment->quantity);
        break;
      case TR_AMEND_SET_MODIFIERS:
        out_string_member (out, "item_id", amendment->item_id);
        out_strv_member (out, "modifiers", amendment->modifiers);
        break;
      case TR_AMEND_SET_ITEM_NOTE:
        out_string_member (out, "item_id", amendment->item_id);
        out_string_member (out, "text", amendment->text);
        break;
      case TR_AMEND_SET_TABLE:
      case TR_AMEND_SET_NOTE:
        out_string_member (out, "text", amendment->text);
        break;
      case TR_AMEND_SET_PRIORITY:
        out_string_member (out, "priority", tr_priority_to_string (amendment->priority));
        break;
      case TR_N_AMEND_KINDS:
      default:
        g_assert_not_reached ();
    }
  out_end_object (out);
}

static void
write_op (JsonOut *out, const TrOp *op)
{
  out_begin_object (out);
  out_string_member (out, "op_id", op->op_id);
  out_string_member (out, "kind", tr_op_kind_to_string (op->kind));
  out_string_member (out, "station_id", op->station_id);
  out_int_member (out, "at", op->at);
  /* A create op may name its ticket only inside the ticket. */
  out_string_member (out, "ticket_id",
                     op->ticket_id != NULL || op->ticket == NULL ? op->ticket_id : op->ticket->id);

  switch (op->kind)
    {
      case TR_OP_CREATE_TICKET:
        out_key (out, "ticket");
        if (op->ticket != NULL)
          write_ticket (out, op->ticket);
        else
          out_null (out);
        break;
      case TR_OP_AMEND_TICKET:
        out_key (out, "amendments");
        out_begin_array (out);
        for (guint i = 0; op->amendments != NULL && i < op->amendments->len; i++)
          write_amendment (out, g_ptr_array_index (op->amendments, i));
        out_end_array (out);
        break;
      case TR_OP_SET_TICKET_STATUS:
        out_string_member (out, "status", tr_ticket_status_to_string (op->ticket_status));
        break;
      case TR_OP_SET_ITEM_STATUS:
        out_string_member (out, "item_id", op->item_id);
        out_string_member (out, "status", tr_item_status_to_string (op->item_status));
        break;
      case TR_N_OP_KINDS:
      default:
        g_assert_not_reached ();
    }
  out_end_object (out);
}

static void
write_event (JsonOut *out, const TrEvent *event)
{
  out_begin_object (out);
  out_int_member (out, "seq", event->seq);
  out_string_member (out, "kind", tr_event_kind_to_string (event->kind));
  out_string_member (out, "op_id", event->op_id);
  out_string_member (out, "station_id", event->station_id);
  out_int_member (out, "at", event->at);
  out_key (out, "ticket");
  if (event->ticket != NULL)
    write_ticket (out, event->ticket);
  else
    out_null (out);
  out_end_object (out);
}

/* ---------------------------------------------------------------------------
 * Public entry points
 */

/* @size_hint: about the bytes of the text, so the GString grows at most
 * once or twice on the hot path. */
static JsonOut
text_out (gsize size_hint)
{
  return (JsonOut){ g_string_sized_new (size_hint), FALSE, NULL, NULL, NULL };
}

static char *
text_out_finish (JsonOut *out)
{
  return g_string_free (g_steal_pointer (&out->text), FALSE);
}

static JsonOut
node_out (void)
{
  return (JsonOut){ NULL, FALSE, g_array_sized_new (FALSE, FALSE, sizeof (Container), 8), NULL,
                    NULL };
}

static JsonNode *
node_out_finish (JsonOut *out)
{
  g_array_unref (g_steal_pointer (&out->stack));
  return g_steal_pointer (&out->root);
}

static gsize
ticket_size_hint (const TrTicket *ticket)
{
  return ticket != NULL ? 512 + 320 * ticket->items->len : 0;
}

JsonNode *
tr_item_to_json (const TrItem *item)
{
  JsonOut out;

  g_return_val_if_fail (item != NULL, NULL);

  out = node_out ();
  write_item (&out, item);
  return node_out_finish (&out);
}

JsonNode *
tr_ticket_to_json (const TrTicket *ticket)
{
  JsonOut out;

  g_return_val_if_fail (ticket != NULL, NULL);

  out = node_out ();
  write_ticket (&out, ticket);
  return node_out_finish (&out);
}

JsonNode *
tr_op_to_json (const TrOp *op)
{
  JsonOut out;

  g_return_val_if_fail (op != NULL, NULL);
  g_return_val_if_fail ((guint)op->kind < TR_N_OP_KINDS, NULL);

  out = node_out ();
  write_op (&out, op);
  return node_out_finish (&out);
}

JsonNode *
tr_event_to_json (const TrEvent *event)
{
  JsonOut out;

  g_return_val_if_fail (event != NULL, NULL);

  out = node_out ();
  write_event (&out, event);
  return node_out_finish (&out);
}

char *
tr_ticket_to_string (const TrTicket *ticket)
{
  JsonOut out;

  g_return_val_if_fail (ticket != NULL, NULL);

  out = text_out (ticket_size_hint (ticket));
  write_ticket (&out, ticket);
  return text_out_finish (&out);
}

char *
tr_op_to_string (const TrOp *op)
{
  JsonOut out;

  g_return_val_if_fail (op != NULL, NULL);
  g_return_val_if_fail ((guint)op->kind < TR_N_OP_KINDS, NULL);

  out = text_out (256 + ticket_size_hint (op->ticket));
  write_op (&out, op);
  return text_out_finish (&out);
}

char *
tr_event_to_string (const TrEvent *event)
{
  JsonOut out;

  g_return_val_if_fail (event != NULL, NULL);

  out = text_out (256 + ticket_size_hint (event->ticket));
  write_event (&out, event);
  return text_out_finish (&out);
}

char *
tr_json_to_string (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = NULL;

  g_return_val_if_fail (node != NULL, NULL);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, FALSE);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

typedef struct
{
  const char *id;
  char *json;
} HashEntry;

static int
compare_hash_entries (gconstpointer a, gconstpointer b)
{
  const HashEntry *ea = a;
  const HashEntry *eb = b;
  int cmp = g_strcmp0 (ea->id, eb->id);

  /* Ids are unique in a store; the tie-break only keeps the hash
   * independent of input order if they ever are not. */
  return cmp != 0 ? cmp : strcmp (ea->json, eb->json);
}

char *
tr_tickets_hash (GPtrArray *tickets)
{
  g_autoptr (GChecksum) checksum = NULL;
  g_autoptr (GArray) entries = NULL;

  g_return_val_if_fail (tickets != NULL, NULL);

  entries = g_array_sized_new (FALSE, FALSE, sizeof (HashEntry), tickets->len);
  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);
      HashEntry entry = { ticket->id, tr_ticket_to_string (ticket) };

      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, compare_hash_entries);

  /* The bytes of the compact JSON array of the sorted tickets, fed piece
   * by piece instead of building one big string. */
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *)"[", 1);
  for (guint i = 0; i < entries->len; i++)
    {
      HashEntry *entry = &g_array_index (entries, HashEntry, i);

      if (i > 0)
        g_checksum_update (checksum, (const guchar *)",", 1);
      g_checksum_update (checksum, (const guchar *)entry->json, strlen (entry->json));
      g_free (entry->json);
    }
  g_checksum_update (checksum, (const guchar *)"]", 1);
  return g_strdup (g_checksum_get_string (checksum));
}
