/* fuzz-codec.c: libFuzzer target for the JSON codec
 *
 * The input is decoded as an op, a ticket and an event. Whatever
 * decodes must survive a round trip: encoding it and decoding the
 * result gives an equal value and the very same bytes, since
 * tr_tickets_hash() and the host's once-serialized frames rely on the
 * encoding being canonical.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz-codec"

#include <stdint.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-fuzz.h"

static void
check_ticket (const TrTicket *ticket)
{
  g_autofree char *json = tr_ticket_to_string (ticket);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) again = tr_ticket_from_string (json, -1, &error);
  g_autofree char *json_again = NULL;

  if (again == NULL)
    g_error ("a decoded ticket does not decode after encoding: %s\n%s", error->message, json);
  if (!tr_ticket_equal (ticket, again))
    g_error ("ticket round trip changed the value:\n%s", json);
  json_again = tr_ticket_to_string (again);
  if (strcmp (json, json_again) != 0)
    g_error ("ticket encoding is not canonical:\n%s\n%s", json, json_again);
}

static void
check_op (const TrOp *op)
{
  g_autofree char *json = tr_op_to_string (op);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrOp) again = tr_op_from_string (json, -1, &error);
  g_autofree char *json_again = NULL;

  if (again == NULL)
    g_error ("a decoded op does not decode after encoding: %s\n%s", error->message, json);
  json_again = tr_op_to_string (again);
  if (strcmp (json, json_again) != 0)
    g_error ("op encoding is not canonical:\n%s\n%s", json, json_again);
  if (op->ticket != NULL)
    check_ticket (op->ticket);
}

static void
check_event (const TrEvent *event)
{
  g_autofree char *json = tr_event_to_string (event);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrEvent) again = tr_event_from_string (json, -1, &error);
  g_autofree char *json_again = NULL;

  if (again == NULL)
    g_error ("a decoded event does not decode after encoding: %s\n%s", error->message, json);
  json_again = tr_event_to_string (again);
  if (strcmp (json, json_again) != 0)
    g_error ("event encoding is not canonical:\n%s\n%s", json, json_again);
  check_ticket (event->ticket);
}

/* Every failure must be a TR_ERROR_INVALID with a message. */
static void
check_error (const GError *error)
{
  if (error == NULL || !g_error_matches (error, TR_ERROR, TR_ERROR_INVALID)
      || error->message == NULL || *error->message == '\0')
    g_error ("a refusal without a proper TR_ERROR_INVALID error");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  g_autoptr (GError) op_error = NULL;
  g_autoptr (GError) ticket_error = NULL;
  g_autoptr (GError) event_error = NULL;
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrEvent) event = NULL;

  tr_fuzz_init ();

  op = tr_op_from_string (text, (gssize)size, &op_error);
  if (op != NULL)
    check_op (op);
  else
    check_error (op_error);

  ticket = tr_ticket_from_string (text, (gssize)size, &ticket_error);
  if (ticket != NULL)
    check_ticket (ticket);
  else
    check_error (ticket_error);

  event = tr_event_from_string (text, (gssize)size, &event_error);
  if (event != NULL)
    check_event (event);
  else
    check_error (event_error);
  return 0;
}
