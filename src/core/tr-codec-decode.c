/* tr-codec-decode.c: JsonNode to tickets, ops and events, strictly
 *
 * Every bound and type check of tr-codec.h's contract lives here; the
 * text itself is checked first by tr_json_parse() (tr-codec-parse.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-codec"

#include "tr-codec.h"

#include <string.h>

#include "tr-error.h"

#define TR_MAX_ID_BYTES 128
/* A POS re-sync may void every item and add them all again, so an amend
 * op can legitimately carry twice as many amendments as a ticket holds
 * items; anything beyond that is abuse, not an order. */
#define TR_MAX_AMENDMENTS (2 * TR_MAX_ITEMS)
/* How much of an unknown enum value to quote back in an error message. */
#define QUOTE_MAX_BYTES 40

/* ---------------------------------------------------------------------------
 * Decoding
 *
 * The path to the value being decoded lives on the C stack as a chain of
 * segments and is only formatted when something is rejected, so a valid
 * input costs nothing for it.
 */

typedef struct _Path Path;
struct _Path
{
  const Path *parent;
  const char *member; /* NULL for an array index or the root */
  int index;          /* >= 0 for an array index */
  const char *label;  /* the root only: what to call it when the error is about the root itself */
};

#define PATH_ROOT(label_)                                                                          \
  {                                                                                                \
    NULL, NULL, -1, (label_)                                                                       \
  }
#define PATH_MEMBER(parent_, name_)                                                                \
  {                                                                                                \
    (parent_), (name_), -1, NULL                                                                   \
  }
#define PATH_INDEX(parent_, i_)                                                                    \
  {                                                                                                \
    (parent_), NULL, (int)(i_), NULL                                                               \
  }

static void
path_append (const Path *path, GString *out)
{
  if (path == NULL)
    return;
  path_append (path->parent, out);
  if (path->member != NULL)
    {
      if (out->len > 0)
        g_string_append_c (out, '.');
      g_string_append (out, path->member);
    }
  else if (path->index >= 0)
    g_string_append_printf (out, "[%d]", path->index);
}

static gboolean G_GNUC_PRINTF (3, 4)
  fail (GError **error, const Path *path, const char *format, ...)
{
  GString *message = g_string_new (NULL);
  va_list args;

  path_append (path, message);
  if (message->len == 0)
    {
      const Path *root = path;

      while (root != NULL && root->parent != NULL)
        root = root->parent;
      g_string_append (message, root && root->label ? root->label : "value");
    }
  g_string_append (message, ": ");
  va_start (args, format);
  g_string_append_vprintf (message, format, args);
  va_end (args);

  g_set_error_literal (error, TR_ERROR, TR_ERROR_INVALID, message->str);
  g_string_free (message, TRUE);
  return FALSE;
}

static gboolean
fail_unknown_value (GError **error, const Path *path, const char *value)
{
  g_autofree char *quoted = NULL;
  gsize len = strlen (value);

  if (len > QUOTE_MAX_BYTES)
    {
      g_autofree char *head = g_strndup (value, QUOTE_MAX_BYTES);
      g_autofree char *escaped = g_strescape (head, NULL);
      quoted = g_strdup_printf ("%s...", escaped);
    }
  else
    quoted = g_strescape (value, NULL);
  return fail (error, path, "unknown value \"%s\"", quoted);
}

static const char *
node_kind_name (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
      case JSON_NODE_OBJECT:
        return "an object";
      case JSON_NODE_ARRAY:
        return "an array";
      case JSON_NODE_NULL:
        return "null";
      case JSON_NODE_VALUE:
      default:
        break;
    }
  switch (json_node_get_value_type (node))
    {
      case G_TYPE_STRING:
        return "a string";
      case G_TYPE_BOOLEAN:
        return "a boolean";
      case G_TYPE_INT64:
      case G_TYPE_INT:
        return "an integer";
      case G_TYPE_DOUBLE:
      case G_TYPE_FLOAT:
        return "a non-integer number";
      default:
        return "an unsupported value";
    }
}

static gboolean
fail_type (GError **error, const Path *path, const char *expected, JsonNode *node)
{
  return fail (error, path, "expected %s, got %s", expected, node_kind_name (node));
}

typedef enum
{
  OPTIONAL,
  REQUIRED,
} Presence;

/* Returns the member, or NULL when it is absent. Absent is an error only
 * when @presence is REQUIRED; *ok tells the two NULLs apart. */
static JsonNode *
lookup (JsonObject *obj, const Path *path, const char *name, Presence presence, gboolean *ok,
        GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  *ok = TRUE;
  if (node == NULL && presence == REQUIRED)
    *ok = fail (error, path, "missing");
  return node;
}

static JsonObject *
expect_object (JsonNode *node, const Path *path, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail_type (error, path, "an object", node);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
expect_array (JsonNode *node, const Path *path, GError **error)
{
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fail_type (error, path, "an array", node);
      return NULL;
    }
  return json_node_get_array (node);
}

typedef enum
{
  STR_TEXT,          /* up to TR_MAX_TEXT_BYTES, may be empty */
  STR_NULLABLE_TEXT, /* the same, or null */
  STR_NAME,          /* up to TR_MAX_TEXT_BYTES, not empty */
  STR_ID,            /* 1..TR_MAX_ID_BYTES */
  STR_NULLABLE_ID,   /* the same, or null */
} StrKind;

/* Checks a string node; on success *out points into the node. */
static gboolean
check_string (JsonNode *node, const Path *path, StrKind kind, const char **out, GError **error)
{
  const char *str;
  gsize len;
  gboolean is_id = kind == STR_ID || kind == STR_NULLABLE_ID;

  if (JSON_NODE_HOLDS_NULL (node) && (kind == STR_NULLABLE_TEXT || kind == STR_NULLABLE_ID))
    {
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail_type (error, path, "a string", node);

  str = json_node_get_string (node);
  if (str == NULL)
    str = "";
  len = strlen (str);
  if (len == 0 && (is_id || kind == STR_NAME))
    return fail (error, path, "must not be empty");
  if (len > (is_id ? TR_MAX_ID_BYTES : TR_MAX_TEXT_BYTES))
    return fail (error, path, "must be at most %d bytes",
                 is_id ? TR_MAX_ID_BYTES : TR_MAX_TEXT_BYTES);
  /* The parser checks UTF-8, but nodes may also come from code. */
  if (!g_utf8_validate_len (str, len, NULL))
    return fail (error, path, "invalid UTF-8");
  /* Control characters have no place on a kitchen ticket, and json-glib
   * 1.6 writes U+001F unescaped, which browsers' JSON.parse refuses: one
   * such note would blind every web display. Tabs and line breaks stay
   * allowed in free text. */
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar)str[i];

      if (c < 0x20 && (is_id || (c != '\t' && c != '\n' && c != '\r')))
        return fail (error, path, "must not contain control characters");
    }

  *out = str;
  return TRUE;
}

/* Absent optional members leave *out alone, so callers preset defaults. */
static gboolean
read_string (JsonObject *obj, const Path *parent, const char *name, StrKind kind, Presence presence,
             char **out, GError **error)
{
  Path path = PATH_MEMBER (parent, name);
  const char *str = NULL;
  gboolean ok;
  JsonNode *node = lookup (obj, &path, name, presence, &ok, error);

  if (node == NULL)
    return ok;
  if (!check_string (node, &path, kind, &str, error))
    return FALSE;
  g_free (*out);
  *out = g_strdup (str);
  return TRUE;
}

static gboolean
read_int (JsonObject *obj, const Path *parent, const char *name, Presence presence, gint64 min,
          gint64 max, gint64 *out, GError **error)
{
  Path path = PATH_MEMBER (parent, name);
  gboolean ok;
  JsonNode *node = lookup (obj, &path, name, presence, &ok, error);
  gint64 value;

  if (node == NULL)
    return ok;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail_type (error, &path, "an integer", node);
  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      if (max == G_MAXINT64)
        return fail (error, &path, "must be at least %" G_GINT64_FORMAT, min);
      return fail (error, &path, "must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT, min,
                   max);
    }
  *out = value;
  return TRUE;
}

/* The struct fields are int; read through a gint64 and narrow after the
 * bounds check. */
static gboolean
read_int32 (JsonObject *obj, const Path *parent, const char *name, Presence presence, int min,
            int max, int *out, GError **error)
{
  gint64 value = *out;

  if (!read_int (obj, parent, name, presence, min, max, &value, error))
    return FALSE;
  *out = (int)value;
  return TRUE;
}

/* Enums: reads the name (NULL when absent and optional) for the caller
 * to map with the type's own from_string. */
static gboolean
read_enum_name (JsonObject *obj, const Path *parent, const char *name, Presence presence,
                const char **out, GError **error)
{
  Path path = PATH_MEMBER (parent, name);
  gboolean ok;
  JsonNode *node = lookup (obj, &path, name, presence, &ok, error);

  *out = NULL;
  if (node == NULL)
    return ok;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail_type (error, &path, "a string", node);
  *out = json_node_get_string (node);
  if (*out == NULL)
    *out = "";
  return TRUE;
}

#define READ_ENUM(obj, parent, name, presence, from_string, out, error)                            \
  G_STMT_START                                                                                     \
  {                                                                                                \
    const char *enum_name_;                                                                        \
    if (!read_enum_name ((obj), (parent), (name), (presence), &enum_name_, (error)))               \
      return FALSE;                                                                                \
    if (enum_name_ != NULL && !from_string (enum_name_, (out)))                                    \
      {                                                                                            \
        Path enum_path_ = PATH_MEMBER ((parent), (name));                                          \
        return fail_unknown_value ((error), &enum_path_, enum_name_);                              \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

static gboolean
read_strv (JsonObject *obj, const Path *parent, const char *name, Presence presence,
           guint max_count, GStrv *out, GError **error)
{
  Path path = PATH_MEMBER (parent, name);
  gboolean ok;
  JsonNode *node = lookup (obj, &path, name, presence, &ok, error);
  JsonArray *array;
  guint n;
  GStrv strv;

  if (node == NULL)
    return ok;
  if ((array = expect_array (node, &path, error)) == NULL)
    return FALSE;
  n = json_array_get_length (array);
  if (n > max_count)
    return fail (error, &path, "must have at most %u entries", max_count);

  strv = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      Path element_path = PATH_INDEX (&path, i);
      const char *str = NULL;

      if (!check_string (json_array_get_element (array, i), &element_path, STR_TEXT, &str, error))
        {
          g_strfreev (strv);
          return FALSE;
        }
      strv[i] = g_strdup (str);
    }
  g_strfreev (*out);
  *out = strv;
  return TRUE;
}

static gboolean
item_fill (TrItem *item, JsonObject *obj, const Path *path, GError **error)
{
  if (!read_string (obj, path, "id", STR_ID, REQUIRED, &item->id, error)
      || !read_string (obj, path, "name", STR_NAME, REQUIRED, &item->name, error)
      || !read_int32 (obj, path, "quantity", REQUIRED, TR_MIN_QUANTITY, TR_MAX_QUANTITY,
                      &item->quantity, error)
      || !read_strv (obj, path, "modifiers", OPTIONAL, TR_MAX_MODIFIERS, &item->modifiers, error)
      || !read_string (obj, path, "note", STR_NULLABLE_TEXT, OPTIONAL, &item->note, error)
      || !read_strv (obj, path, "allergens", OPTIONAL, TR_MAX_ALLERGENS, &item->allergens, error)
      || !read_string (obj, path, "station", STR_NULLABLE_TEXT, OPTIONAL, &item->station, error)
      || !read_int32 (obj, path, "course", OPTIONAL, 0, TR_MAX_COURSE, &item->course, error))
    return FALSE;
  READ_ENUM (obj, path, "status", OPTIONAL, tr_item_status_from_string, &item->status, error);
  READ_ENUM (obj, path, "recall_status", OPTIONAL, tr_item_status_from_string, &item->recall_status,
             error);
  return read_int (obj, path, "ready_at", OPTIONAL, 0, G_MAXINT64, &item->ready_at, error)
         && read_int (obj, path, "served_at", OPTIONAL, 0, G_MAXINT64, &item->served_at, error);
}

static TrItem *
item_from_node (JsonNode *node, const Path *path, GError **error)
{
  g_autoptr (TrItem) item = NULL;
  JsonObject *obj = expect_object (node, path, error);

  if (obj == NULL)
    return NULL;
  item = tr_item_new ();
  if (!item_fill (item, obj, path, error))
    return NULL;
  return g_steal_pointer (&item);
}

static gboolean
change_fill (TrChange *change, JsonObject *obj, const Path *path, GError **error)
{
  READ_ENUM (obj, path, "kind", REQUIRED, tr_change_kind_from_string, &change->kind, error);
  return read_int (obj, path, "at", OPTIONAL, 0, G_MAXINT64, &change->at, error)
         && read_string (obj, path, "item_id", STR_NULLABLE_ID, OPTIONAL, &change->item_id, error)
         && read_string (obj, path, "before", STR_NULLABLE_TEXT, OPTIONAL, &change->before, error)
         && read_string (obj, path, "after", STR_NULLABLE_TEXT, OPTIONAL, &change->after, error);
}

static gboolean
ticket_fill_scalars (TrTicket *ticket, JsonObject *obj, const Path *path, GError **error)
{
  if (!read_string (obj, path, "id", STR_ID, REQUIRED, &ticket->id, error)
      || !read_int32 (obj, path, "number", OPTIONAL, 0, G_MAXINT, &ticket->number, error))
    return FALSE;
  READ_ENUM (obj, path, "source", OPTIONAL, tr_source_from_string, &ticket->source, error);
  if (!read_string (obj, path, "external_ref", STR_NULLABLE_TEXT, OPTIONAL, &ticket->external_ref,
                    error)
      || !read_string (obj, path, "table", STR_NULLABLE_TEXT, OPTIONAL, &ticket->table, error))
    return FALSE;
  READ_ENUM (obj, path, "order_type", OPTIONAL, tr_order_type_from_string, &ticket->order_type,
             error);
  if (!read_string (obj, path, "server", STR_NULLABLE_TEXT, OPTIONAL, &ticket->server, error)
      || !read_int32 (obj, path, "guests", OPTIONAL, 0, TR_MAX_GUESTS, &ticket->guests, error)
      || !read_string (obj, path, "note", STR_NULLABLE_TEXT, OPTIONAL, &ticket->note, error))
    return FALSE;
  READ_ENUM (obj, path, "priority", OPTIONAL, tr_priority_from_string, &ticket->priority, error);
  if (!read_int (obj, path, "created_at", OPTIONAL, 0, G_MAXINT64, &ticket->created_at, error)
      || !read_int (obj, path, "updated_at", OPTIONAL, 0, G_MAXINT64, &ticket->updated_at, error))
    return FALSE;
  READ_ENUM (obj, path, "status", OPTIONAL, tr_ticket_status_from_string, &ticket->status, error);
  READ_ENUM (obj, path, "recall_status", OPTIONAL, tr_ticket_status_from_string,
             &ticket->recall_status, error);
  return read_int (obj, path, "version", OPTIONAL, 0, G_MAXINT64, &ticket->version, error);
}

static gboolean
ticket_fill (TrTicket *ticket, JsonObject *obj, const Path *path, GError **error)
{
  gboolean ok;
  JsonNode *node;
  JsonArray *array;
  guint n;

  if (!ticket_fill_scalars (ticket, obj, path, error))
    return FALSE;

  {
    Path items_path = PATH_MEMBER (path, "items");

    if ((node = lookup (obj, &items_path, "items", REQUIRED, &ok, error)) == NULL)
      return FALSE;
    if ((array = expect_array (node, &items_path, error)) == NULL)
      return FALSE;
    n = json_array_get_length (array);
    if (n == 0)
      return fail (error, &items_path, "a ticket needs at least one item");
    if (n > TR_MAX_ITEMS)
      return fail (error, &items_path, "must have at most %d items", TR_MAX_ITEMS);
    g_ptr_array_set_size (ticket->items, 0);
    for (guint i = 0; i < n; i++)
      {
        Path item_path = PATH_INDEX (&items_path, i);
        TrItem *item = item_from_node (json_array_get_element (array, i), &item_path, error);

        if (item == NULL)
          return FALSE;
        g_ptr_array_add (ticket->items, item);
      }
  }

  {
    Path changes_path = PATH_MEMBER (path, "changes");

    if ((node = lookup (obj, &changes_path, "changes", OPTIONAL, &ok, error)) == NULL)
      return TRUE;
    if ((array = expect_array (node, &changes_path, error)) == NULL)
      return FALSE;
    /* No bound: changes accumulate over a ticket's life, and refusing to
     * load a stored ticket would be worse than a long list. */
    n = json_array_get_length (array);
    g_ptr_array_set_size (ticket->changes, 0);
    for (guint i = 0; i < n; i++)
      {
        Path change_path = PATH_INDEX (&changes_path, i);
        JsonObject *change_obj;
        g_autoptr (TrChange) change = NULL;

        if ((change_obj = expect_object (json_array_get_element (array, i), &change_path, error))
            == NULL)
          return FALSE;
        change = tr_change_new (TR_CHANGE_ITEM_ADDED, 0, NULL, NULL, NULL);
        if (!change_fill (change, change_obj, &change_path, error))
          return FALSE;
        g_ptr_array_add (ticket->changes, g_steal_pointer (&change));
      }
  }
  return TRUE;
}

static TrTicket *
ticket_from_node (JsonNode *node, const Path *path, GError **error)
{
  g_autoptr (TrTicket) ticket = NULL;
  JsonObject *obj = expect_object (node, path, error);

  if (obj == NULL)
    return NULL;
  ticket = tr_ticket_new ();
  if (!ticket_fill (ticket, obj, path, error))
    return NULL;
  return g_steal_pointer (&ticket);
}

static gboolean
amendment_fill (TrAmendment *amendment, JsonObject *obj, const Path *path, GError **error)
{
  switch (amendment->kind)
    {
      case TR_AMEND_ADD_ITEM:
        {
          Path item_path = PATH_MEMBER (path, "item");
          gboolean ok;
          JsonNode *node = lookup (obj, &item_path, "item", REQUIRED, &ok, error);

          if (node == NULL)
            return FALSE;
          amendment->item = item_from_node (node, &item_path, error);
          return amendment->item != NULL;
        }
      case TR_AMEND_VOID_ITEM:
        return read_string (obj, path, "item_id", STR_ID, REQUIRED, &amendment->item_id, error);
      case TR_AMEND_SET_QUANTITY:
        return read_string (obj, path, "item_id", STR_ID, REQUIRED, &amendment->item_id, error)
               && read_int32 (obj, path, "quantity", REQUIRED, TR_MIN_QUANTITY, TR_MAX_QUANTITY,
                              &amendment->quantity, error);
      case TR_AMEND_SET_MODIFIERS:
        return read_string (obj, path, "item_id", STR_ID, REQUIRED, &amendment->item_id, error)
               && read_strv (obj, path, "modifiers", REQUIRED, TR_MAX_MODIFIERS,
                             &amendment->modifiers, error);
      case TR_AMEND_SET_ITEM_NOTE:
        if (!read_string (obj, path, "item_id", STR_ID, REQUIRED, &amendment->item_id, error))
          return FALSE;
        G_GNUC_FALLTHROUGH;
      case TR_AMEND_SET_TABLE:
      case TR_AMEND_SET_NOTE:
        /* Required although it may be null, so a misspelt member cannot
         * silently clear the text. */
        return read_string (obj, path, "text", STR_NULLABLE_TEXT, REQUIRED, &amendment->text,
                            error);
      case TR_AMEND_SET_PRIORITY:
        READ_ENUM (obj, path, "priority", REQUIRED, tr_priority_from_string, &amendment->priority,
                   error);
        return TRUE;
      case TR_N_AMEND_KINDS:
      default:
        g_assert_not_reached ();
    }
  return FALSE;
}

static TrAmendment *
amendment_from_node (JsonNode *node, const Path *path, GError **error)
{
  g_autoptr (TrAmendment) amendment = NULL;
  JsonObject *obj = expect_object (node, path, error);
  const char *kind_name;
  TrAmendKind kind;

  if (obj == NULL)
    return NULL;
  if (!read_enum_name (obj, path, "kind", REQUIRED, &kind_name, error))
    return NULL;
  if (!tr_amend_kind_from_string (kind_name, &kind))
    {
      Path kind_path = PATH_MEMBER (path, "kind");
      fail_unknown_value (error, &kind_path, kind_name);
      return NULL;
    }
  amendment = tr_amendment_new (kind);
  if (!amendment_fill (amendment, obj, path, error))
    return NULL;
  return g_steal_pointer (&amendment);
}

static gboolean
op_fill_payload (TrOp *op, JsonObject *obj, const Path *path, GError **error)
{
  gboolean ok;
  JsonNode *node;

  switch (op->kind)
    {
      case TR_OP_CREATE_TICKET:
        {
          Path ticket_path = PATH_MEMBER (path, "ticket");

          if ((node = lookup (obj, &ticket_path, "ticket", REQUIRED, &ok, error)) == NULL)
            return FALSE;
          if ((op->ticket = ticket_from_node (node, &ticket_path, error)) == NULL)
            return FALSE;
          if (op->ticket_id == NULL)
            op->ticket_id = g_strdup (op->ticket->id);
          else if (strcmp (op->ticket_id, op->ticket->id) != 0)
            {
              Path id_path = PATH_MEMBER (path, "ticket_id");
              return fail (error, &id_path, "must equal ticket.id");
            }
          return TRUE;
        }
      case TR_OP_AMEND_TICKET:
        {
          Path list_path = PATH_MEMBER (path, "amendments");
          JsonArray *array;
          guint n;

          if ((node = lookup (obj, &list_path, "amendments", REQUIRED, &ok, error)) == NULL)
            return FALSE;
          if ((array = expect_array (node, &list_path, error)) == NULL)
            return FALSE;
          n = json_array_get_length (array);
          if (n == 0)
            return fail (error, &list_path, "an amend op needs at least one amendment");
          if (n > TR_MAX_AMENDMENTS)
            return fail (error, &list_path, "must have at most %d amendments", TR_MAX_AMENDMENTS);
          for (guint i = 0; i < n; i++)
            {
              Path amendment_path = PATH_INDEX (&list_path, i);
              TrAmendment *amendment
                = amendment_from_node (json_array_get_element (array, i), &amendment_path, error);

              if (amendment == NULL)
                return FALSE;
              g_ptr_array_add (op->amendments, amendment);
            }
          return TRUE;
        }
      case TR_OP_SET_TICKET_STATUS:
        READ_ENUM (obj, path, "status", REQUIRED, tr_ticket_status_from_string, &op->ticket_status,
                   error);
        return TRUE;
      case TR_OP_SET_ITEM_STATUS:
        if (!read_string (obj, path, "item_id", STR_ID, REQUIRED, &op->item_id, error))
          return FALSE;
        READ_ENUM (obj, path, "status", REQUIRED, tr_item_status_from_string, &op->item_status,
                   error);
        return TRUE;
      case TR_N_OP_KINDS:
      default:
        g_assert_not_reached ();
    }
  return FALSE;
}

static gboolean
op_fill (TrOp *op, JsonObject *obj, const Path *path, GError **error)
{
  if (!read_string (obj, path, "op_id", STR_ID, REQUIRED, &op->op_id, error))
    return FALSE;
  READ_ENUM (obj, path, "kind", REQUIRED, tr_op_kind_from_string, &op->kind, error);
  if (op->kind == TR_OP_AMEND_TICKET && op->amendments == NULL)
    op->amendments = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_amendment_free);
  if (!read_string (obj, path, "station_id", STR_ID, REQUIRED, &op->station_id, error)
      || !read_int (obj, path, "at", OPTIONAL, 0, G_MAXINT64, &op->at, error)
      || !read_string (obj, path, "ticket_id", STR_ID,
                       op->kind == TR_OP_CREATE_TICKET ? OPTIONAL : REQUIRED, &op->ticket_id,
                       error))
    return FALSE;
  return op_fill_payload (op, obj, path, error);
}

static gboolean
event_fill (TrEvent *event, JsonObject *obj, const Path *path, GError **error)
{
  gboolean ok;
  JsonNode *node;
  Path ticket_path = PATH_MEMBER (path, "ticket");

  if (!read_int (obj, path, "seq", REQUIRED, 0, G_MAXINT64, &event->seq, error))
    return FALSE;
  READ_ENUM (obj, path, "kind", REQUIRED, tr_event_kind_from_string, &event->kind, error);
  if (!read_string (obj, path, "op_id", STR_ID, REQUIRED, &event->op_id, error)
      || !read_string (obj, path, "station_id", STR_ID, REQUIRED, &event->station_id, error)
      || !read_int (obj, path, "at", REQUIRED, 0, G_MAXINT64, &event->at, error))
    return FALSE;
  if ((node = lookup (obj, &ticket_path, "ticket", REQUIRED, &ok, error)) == NULL)
    return FALSE;
  event->ticket = ticket_from_node (node, &ticket_path, error);
  return event->ticket != NULL;
}

TrItem *
tr_item_from_json (JsonNode *node, GError **error)
{
  Path root = PATH_ROOT ("item");

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return item_from_node (node, &root, error);
}

TrTicket *
tr_ticket_from_json (JsonNode *node, GError **error)
{
  Path root = PATH_ROOT ("ticket");

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return ticket_from_node (node, &root, error);
}

TrOp *
tr_op_from_json (JsonNode *node, GError **error)
{
  Path root = PATH_ROOT ("op");
  g_autoptr (TrOp) op = NULL;
  JsonObject *obj;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((obj = expect_object (node, &root, error)) == NULL)
    return NULL;
  op = g_new0 (TrOp, 1);
  if (!op_fill (op, obj, &root, error))
    return NULL;
  return g_steal_pointer (&op);
}

TrEvent *
tr_event_from_json (JsonNode *node, GError **error)
{
  Path root = PATH_ROOT ("event");
  g_autoptr (TrEvent) event = NULL;
  JsonObject *obj;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((obj = expect_object (node, &root, error)) == NULL)
    return NULL;
  event = tr_event_new ();
  if (!event_fill (event, obj, &root, error))
    return NULL;
  return g_steal_pointer (&event);
}

#define DEFINE_FROM_STRING(name, Type, from_json)                                                  \
  Type *name (const char *data, gssize length, GError **error)                                     \
  {                                                                                                \
    g_autoptr (JsonNode) node = tr_json_parse (data, length, error);                               \
    if (node == NULL)                                                                              \
      return NULL;                                                                                 \
    return from_json (node, error);                                                                \
  }

DEFINE_FROM_STRING (tr_ticket_from_string, TrTicket, tr_ticket_from_json)
DEFINE_FROM_STRING (tr_op_from_string, TrOp, tr_op_from_json)
DEFINE_FROM_STRING (tr_event_from_string, TrEvent, tr_event_from_json)
