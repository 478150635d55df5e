/* tr-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tr-error.h"

G_DEFINE_QUARK (tr-error-quark, tr_error)

static const char *const code_names[] = {
  [TR_ERROR_INVALID] = "invalid",
  [TR_ERROR_ILLEGAL_TRANSITION] = "illegal_transition",
  [TR_ERROR_UNKNOWN_TICKET] = "unknown_ticket",
  [TR_ERROR_UNKNOWN_ITEM] = "unknown_item",
  [TR_ERROR_DUPLICATE_ID] = "duplicate_id",
  [TR_ERROR_TICKET_CLOSED] = "ticket_closed",
  [TR_ERROR_STORE_CORRUPT] = "store_corrupt",
  [TR_ERROR_STORE_TOO_NEW] = "store_too_new",
  [TR_ERROR_STORE] = "store",
  [TR_ERROR_PROTOCOL] = "protocol",
  [TR_ERROR_LIMIT] = "limit",
  [TR_ERROR_UNAUTHORIZED] = "unauthorized",
  [TR_ERROR_FORBIDDEN] = "forbidden",
};

const char *
tr_error_code_to_string (TrErrorCode code)
{
  if ((guint) code < G_N_ELEMENTS (code_names))
    return code_names[code];
  return "unknown";
}

gboolean
tr_error_code_from_string (const char *name, TrErrorCode *out_code)
{
  g_return_val_if_fail (out_code != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (code_names); i++)
    if (g_str_equal (name, code_names[i]))
      {
        *out_code = i;
        return TRUE;
      }
  return FALSE;
}

const char *
tr_error_code_to_reason (TrErrorCode code)
{
  /* The first three are the kitchen screen's words too. Translators see
   * these after a colon, e.g. "The host refused a change: someone else
   * changed it first". */
  switch (code)
    {
      case TR_ERROR_ILLEGAL_TRANSITION:
        return _ ("someone else changed it first");
      case TR_ERROR_UNKNOWN_TICKET:
      case TR_ERROR_UNKNOWN_ITEM:
        return _ ("it no longer exists");
      case TR_ERROR_TICKET_CLOSED:
        return _ ("it is already closed");
      case TR_ERROR_INVALID:
        /* Translators: why the host refused a change */
        return _ ("the change is not valid");
      case TR_ERROR_DUPLICATE_ID:
        /* Translators: why the host refused a change: an order or item
         * with the same id is there already */
        return _ ("it is there already");
      case TR_ERROR_STORE_CORRUPT:
      case TR_ERROR_STORE_TOO_NEW:
      case TR_ERROR_STORE:
        /* Translators: why the host refused a change */
        return _ ("the host could not save it");
      case TR_ERROR_PROTOCOL:
        /* Translators: why the host refused a change */
        return _ ("the host did not understand it");
      case TR_ERROR_LIMIT:
        /* Translators: why the host refused a change: a size or rate limit */
        return _ ("too much at once; try again in a moment");
      case TR_ERROR_UNAUTHORIZED:
        /* Translators: why the host refused a change */
        return _ ("this station is not paired with the host");
      case TR_ERROR_FORBIDDEN:
        /* Translators: why the host refused a change: the screen was
         * paired as an order-ready board, which may only show orders */
        return _ ("this screen may only show orders");
      default:
        /* Translators: why the host refused a change, when it gave no
         * known reason */
        return _ ("no reason given");
    }
}

const char *
tr_error_describe_refusal (const char *code, const char *message)
{
  /* A code this build does not know (a newer host) gets the generic
   * reason, unless there are words made here. */
  TrErrorCode error_code = (TrErrorCode)-1;
  gboolean known = code != NULL && tr_error_code_from_string (code, &error_code);

  if (known)
    switch (error_code)
      {
        case TR_ERROR_ILLEGAL_TRANSITION:
        case TR_ERROR_UNKNOWN_TICKET:
        case TR_ERROR_UNKNOWN_ITEM:
        case TR_ERROR_TICKET_CLOSED:
          return tr_error_code_to_reason (error_code);
        default:
          break;
      }
  /* A local message names the fault ("the quantity must be from 1 to
   * 999"), which the generic words would lose. */
  if (message != NULL && *message != '\0')
    return message;
  return tr_error_code_to_reason (error_code);
}

const char *
tr_error_describe_local_refusal (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  return tr_error_describe_refusal (
    error->domain == TR_ERROR ? tr_error_code_to_string (error->code) : NULL, error->message);
}
