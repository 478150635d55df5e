/* tr-ctl-create.c: the create command: a ticket from flags or from a JSON file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"

static const char *const item_syntax_help =
  /* Translators: the end of ticketrail-ctl create --help; keep the item
   * syntax (QTYx, NAME, [STATION], {MODIFIER,…}, !ALLERGEN, (NOTE)) and the
   * example as they are */
  N_ ("Item syntax: \"[QTYx] NAME [STATION] {MODIFIER,MODIFIER} !ALLERGEN (NOTE)\"\n"
      "  e.g. --item \"2x Butter Chicken [curry] {extra hot,no onion} !dairy (no coriander)\"\n"
      "  Every part but NAME is optional; QTY is 1 to 999.\n"
      "The answer prints the new ticket's number and id: \"#1001 <uuid>\".\n"
      "\n"
      "Exit status: 0 success; 1 host unreachable or error answer; 2 usage error.\n");

static char *opt_table = NULL;
static char *opt_type = NULL;
static char *opt_server = NULL;
static char *opt_note = NULL;
static char *opt_json_file = NULL;
static gboolean opt_rush = FALSE;
static int opt_guests = 0;
static char **opt_items = NULL;

static const GOptionEntry create_entries[] = {
  { "table", 0, 0, G_OPTION_ARG_STRING, &opt_table, N_ ("Table"), "T" },
  { "type", 0, 0, G_OPTION_ARG_STRING, &opt_type,
    /* Translators: dine_in, takeaway, delivery and pickup are values to
     * type: keep them as they are */
    N_ ("Order type: dine_in, takeaway, delivery or pickup (default dine_in)"), N_ ("TYPE") },
  { "server", 0, 0, G_OPTION_ARG_STRING, &opt_server, N_ ("Server's name"), "S" },
  { "guests", 0, 0, G_OPTION_ARG_INT, &opt_guests, N_ ("Number of guests"), N_ ("N") },
  { "note", 0, 0, G_OPTION_ARG_STRING, &opt_note, N_ ("Ticket note"), N_ ("NOTE") },
  { "rush", 0, 0, G_OPTION_ARG_NONE, &opt_rush, N_ ("Rush priority"), NULL },
  { "item", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &opt_items,
    /* Translators: keep the item syntax of the example as it is */
    N_ ("An item, e.g. \"2x Butter Chicken [curry] {extra hot} !dairy (no coriander)\"; "
        "repeatable"),
    N_ ("SPEC") },
  { "json", 0, 0, G_OPTION_ARG_FILENAME, &opt_json_file,
    N_ ("Send this JSON file as the ticket instead (the POS shape of docs/protocol.md)"),
    N_ ("FILE") },
  { NULL },
};

static char *
strip_dup (const char *start, gsize len)
{
  g_autofree char *copy = g_strndup (start, len);
  return g_strdup (g_strstrip (copy));
}

static GStrv
split_list (const char *start, gsize len)
{
  g_autofree char *copy = g_strndup (start, len);
  g_auto (GStrv) parts = g_strsplit (copy, ",", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

/* "[QTYx] NAME [STATION] {MOD,MOD} !ALLERGEN (NOTE)". */
static TrItem *
parse_item_spec (const char *spec, GError **error)
{
  g_autoptr (TrItem) item = tr_item_new ();
  g_autoptr (GString) name = g_string_new (NULL);
  g_autoptr (GStrvBuilder) allergens = g_strv_builder_new ();
  const char *p = spec;
  char *end;
  guint64 quantity = 1;

  while (g_ascii_isspace (*p))
    p++;
  if (g_ascii_isdigit (*p))
    {
      const char *digits = p;

      quantity = g_ascii_strtoull (p, &end, 10);
      if ((*end == 'x' || *end == 'X') && end > digits && g_ascii_isspace (end[1]))
        p = end + 1;
      else
        quantity = 1; /* a name that starts with a digit, e.g. "7up" */
    }
  if (quantity < TR_MIN_QUANTITY || quantity > TR_MAX_QUANTITY)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: %s is what was given to --item */
                   _ ("item \"%s\": the quantity must be between %d and %d"), spec, TR_MIN_QUANTITY,
                   TR_MAX_QUANTITY);
      return NULL;
    }

  while (*p != '\0')
    {
      char close = 0;

      switch (*p)
        {
          case '[':
            close = ']';
            break;
          case '{':
            close = '}';
            break;
          case '(':
            close = ')';
            break;
          default:
            break;
        }
      if (close != 0)
        {
          const char *start = p + 1;
          const char *stop = strchr (start, close);

          if (stop == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           /* Translators: %s is what was given to --item, %c a
                            * bracket: [ { or ( */
                           _ ("item \"%s\": '%c' is not closed"), spec, *p);
              return NULL;
            }
          if (*p == '[')
            {
              g_free (item->station);
              item->station = strip_dup (start, (gsize)(stop - start));
            }
          else if (*p == '{')
            {
              g_strfreev (item->modifiers);
              item->modifiers = split_list (start, (gsize)(stop - start));
            }
          else
            {
              g_free (item->note);
              item->note = strip_dup (start, (gsize)(stop - start));
            }
          p = stop + 1;
        }
      else if (*p == '!')
        {
          const char *start = ++p;

          while (*p != '\0' && !g_ascii_isspace (*p) && strchr ("[{(!", *p) == NULL)
            p++;
          if (p > start)
            {
              g_autofree char *allergen = g_strndup (start, (gsize)(p - start));
              g_strv_builder_add (allergens, allergen);
            }
        }
      else
        g_string_append_c (name, *p++);
    }

  g_strstrip (name->str);
  /* Collapse the gaps the removed parts left. */
  {
    g_auto (GStrv) words = g_strsplit_set (name->str, " \t", -1);
    g_autoptr (GString) joined = g_string_new (NULL);

    for (guint i = 0; words[i] != NULL; i++)
      if (words[i][0] != '\0')
        g_string_append_printf (joined, "%s%s", joined->len ? " " : "", words[i]);
    g_free (item->name);
    item->name = g_strdup (joined->str);
  }
  if (item->name[0] == '\0')
    {
      /* Translators: %s is what was given to --item */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _ ("item \"%s\": no name"),
                   spec);
      return NULL;
    }
  if (item->station != NULL && item->station[0] == '\0')
    g_clear_pointer (&item->station, g_free);
  if (item->note != NULL && item->note[0] == '\0')
    g_clear_pointer (&item->note, g_free);

  g_free (item->id);
  item->id = tr_uuid_new ();
  item->quantity = (int)quantity;
  g_strfreev (item->allergens);
  item->allergens = g_strv_builder_end (allergens);
  return g_steal_pointer (&item);
}

static char *
ticket_body_from_flags (GError **error)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  gint64 now = tr_now_ms ();

  if (opt_items == NULL || opt_items[0] == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _ ("give at least one --item, or --json FILE"));
      return NULL;
    }
  ticket->id = tr_uuid_new ();
  ticket->source = TR_SOURCE_POS;
  ticket->order_type = TR_ORDER_TYPE_DINE_IN;
  if (opt_type != NULL && !tr_order_type_from_string (opt_type, &ticket->order_type))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: keep the type names as they are */
                   _ ("--type: \"%s\" is not one of dine_in, takeaway, delivery, pickup"),
                   opt_type);
      return NULL;
    }
  if (opt_guests < 0 || opt_guests > TR_MAX_GUESTS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--guests: must be between 0 and %d"), TR_MAX_GUESTS);
      return NULL;
    }
  ticket->table = g_strdup (opt_table);
  ticket->server = g_strdup (opt_server);
  ticket->note = g_strdup (opt_note);
  ticket->guests = opt_guests;
  ticket->priority = opt_rush ? TR_PRIORITY_RUSH : TR_PRIORITY_NORMAL;
  ticket->status = TR_TICKET_STATUS_NEW;
  ticket->recall_status = TR_TICKET_STATUS_NEW;
  ticket->created_at = now;
  ticket->updated_at = now;
  ticket->version = 1;
  for (guint i = 0; opt_items[i] != NULL; i++)
    {
      TrItem *item = parse_item_spec (opt_items[i], error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (ticket->items, item);
    }
  return tr_ticket_to_string (ticket);
}

int
_tr_ctl_cmd_create (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (N_ ("- create a ticket"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  JsonObject *object;
  JsonNode *ticket_node;
  int exit_code;

  g_option_context_set_description (context, item_syntax_help);
  if (!_tr_ctl_parse_command (context, create_entries, &argc, &argv, &exit_code))
    return exit_code;

  if (opt_json_file != NULL)
    {
      gsize length;
      g_autoptr (JsonNode) check = NULL;

      if (!g_file_get_contents (opt_json_file, &body, &length, &error)
          || !(check = tr_json_parse (body, (gssize)length, &error)))
        {
          g_printerr ("ticketrail-ctl: create: %s\n", error->message);
          return TR_CTL_EXIT_USAGE;
        }
    }
  else if (!(body = ticket_body_from_flags (&error)))
    {
      g_printerr ("ticketrail-ctl: create: %s\n", error->message);
      return TR_CTL_EXIT_USAGE;
    }

  session = _tr_ctl_session_new ();
  root = _tr_ctl_http_json (session, SOUP_METHOD_POST, "/api/v1/tickets", body, &error);
  if (root == NULL)
    return _tr_ctl_fail ("create", error);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      _tr_ctl_print_json (root);
      return TR_CTL_EXIT_OK;
    }
  /* The answer is the ticket, or an object holding it. */
  object = json_node_get_object (root);
  ticket_node = json_object_get_member (object, "ticket");
  if (ticket_node != NULL && JSON_NODE_HOLDS_OBJECT (ticket_node))
    object = json_node_get_object (ticket_node);
  g_print ("#%" G_GINT64_FORMAT " %s\n",
           json_object_get_int_member_with_default (object, "number", 0),
           json_object_get_string_member_with_default (object, "id", "?"));
  return TR_CTL_EXIT_OK;
}
