/* tr-ctl-bump.c: the bump command: set a ticket's or an item's status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail-ctl"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tr-ctl-private.h"
#include "tr-error.h"

static char *opt_ticket = NULL;
static char *opt_item = NULL;
static char *opt_status = NULL;

static const GOptionEntry bump_entries[] = {
  { "ticket", 0, 0, G_OPTION_ARG_STRING, &opt_ticket, N_ ("Ticket id, or #NUMBER for its number"),
    N_ ("ID|#N") },
  { "item", 0, 0, G_OPTION_ARG_STRING, &opt_item,
    N_ ("Bump this item (its id, or its name) instead of the ticket"), N_ ("ID") },
  { "status", 0, 0, G_OPTION_ARG_STRING, &opt_status,
    /* Translators: the status names are values to type: keep them as they
     * are */
    N_ ("Target status (default ready): preparing, ready, served, cancelled; for items pending, "
        "preparing, ready, served, voided"),
    N_ ("STATUS") },
  { NULL },
};

/* The newest ticket with @number (numbers restart each business day). */
static TrTicket *
find_ticket (SoupSession *session, const char *spec, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (TrTicket) found = NULL;
  JsonArray *array = NULL;
  char *end;
  gint64 number = 0;
  gboolean by_number = spec[0] == '#';

  if (by_number)
    {
      number = g_ascii_strtoll (spec + 1, &end, 10);
      if (*end != '\0' || end == spec + 1 || number <= 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--ticket: \"%s\" is not #NUMBER"), spec);
          return NULL;
        }
    }
  root = _tr_ctl_http_json (session, SOUP_METHOD_GET, "/api/v1/tickets", NULL, error);
  if (root == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (root))
    array = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root)
           && json_object_has_member (json_node_get_object (root), "tickets"))
    array = json_object_get_array_member (json_node_get_object (root), "tickets");
  if (array == NULL)
    {
      g_set_error_literal (error, TR_ERROR, TR_ERROR_PROTOCOL, _ ("the ticket list is malformed"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr (TrTicket) ticket = tr_ticket_from_json (json_array_get_element (array, i), error);

      if (ticket == NULL)
        return NULL;
      if (by_number ? ticket->number == number : g_str_equal (ticket->id, spec))
        {
          if (found == NULL || ticket->created_at >= found->created_at)
            {
              g_clear_pointer (&found, tr_ticket_free);
              found = g_steal_pointer (&ticket);
            }
        }
    }
  if (found == NULL)
    /* Translators: %s is a ticket id or #NUMBER */
    g_set_error (error, TR_ERROR, TR_ERROR_UNKNOWN_TICKET, _ ("no ticket %s on the host"), spec);
  return g_steal_pointer (&found);
}

int
_tr_ctl_cmd_bump (int argc, char **argv)
{
  g_autoptr (GOptionContext) context
    = g_option_context_new (N_ ("- set a ticket's or item's status"));
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrOp) op = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  const char *status = opt_status;
  JsonNode *ack;
  int exit_code;

  if (!_tr_ctl_parse_command (context, bump_entries, &argc, &argv, &exit_code))
    return exit_code;
  if (opt_ticket == NULL)
    return _tr_ctl_usage_error ("bump", _ ("--ticket is required"));
  status = opt_status != NULL ? opt_status : "ready";

  session = _tr_ctl_session_new ();
  if (opt_ticket[0] != '#')
    {
      /* An id needs no lookup, unless an item is named by its name. */
      ticket = tr_ticket_new ();
      ticket->id = g_strdup (opt_ticket);
    }
  /* A number needs the list; so does an item, which may be named. */
  if (ticket == NULL || opt_item != NULL)
    {
      g_clear_pointer (&ticket, tr_ticket_free);
      ticket = find_ticket (session, opt_ticket, &error);
      if (ticket == NULL)
        return _tr_ctl_fail ("bump", error);
    }

  if (opt_item != NULL)
    {
      TrItemStatus item_status;
      const char *item_id = opt_item;

      if (!tr_item_status_from_string (status, &item_status))
        return _tr_ctl_usage_error ("bump", _ ("--status is not an item status"));
      if (tr_ticket_find_item (ticket, opt_item) == NULL)
        {
          item_id = NULL;
          for (guint i = 0; i < ticket->items->len; i++)
            {
              TrItem *item = g_ptr_array_index (ticket->items, i);
              if (g_ascii_strcasecmp (item->name, opt_item) == 0)
                {
                  item_id = item->id;
                  break;
                }
            }
          if (item_id == NULL)
            {
              /* Translators: %d is a ticket number, %s an item's name */
              g_printerr (_ ("ticketrail-ctl: bump: ticket #%d has no item \"%s\"\n"),
                          ticket->number, opt_item);
              return TR_CTL_EXIT_FAILED;
            }
        }
      op = tr_op_new_set_item_status (TR_CTL_STATION, ticket->id, item_id, item_status);
    }
  else
    {
      TrTicketStatus ticket_status;

      if (!tr_ticket_status_from_string (status, &ticket_status))
        return _tr_ctl_usage_error ("bump", _ ("--status is not a ticket status"));
      op = tr_op_new_set_ticket_status (TR_CTL_STATION, ticket->id, ticket_status);
    }

  body = tr_op_to_string (op);
  root = _tr_ctl_http_json (session, SOUP_METHOD_POST, "/api/v1/ops", body, &error);
  if (root == NULL)
    return _tr_ctl_fail ("bump", error);
  /* {"acks":[…]} holding our one ack. */
  ack = root;
  if (JSON_NODE_HOLDS_OBJECT (root) && json_object_has_member (json_node_get_object (root), "acks"))
    {
      JsonArray *acks = json_object_get_array_member (json_node_get_object (root), "acks");

      if (acks != NULL && json_array_get_length (acks) > 0)
        ack = json_array_get_element (acks, 0);
    }
  _tr_ctl_print_json (ack);
  if (JSON_NODE_HOLDS_OBJECT (ack)
      && g_strcmp0 (
           json_object_get_string_member_with_default (json_node_get_object (ack), "result", NULL),
           "rejected")
           == 0)
    return TR_CTL_EXIT_FAILED;
  return TR_CTL_EXIT_OK;
}
