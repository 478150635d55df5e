/* fuzz-apply.c: libFuzzer target for the op applier
 *
 * The input is an op, optionally followed by a NUL byte or a newline
 * and the ticket it acts on (both JSON). Whatever decodes is applied
 * with tr_op_apply(), which must not touch its input, must give the
 * same event twice for the same context, and must only produce tickets
 * the codec accepts again: every station decodes the event it sends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz-apply"

#include <stdint.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-fuzz.h"
#include "tr-op.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  const char *split = memchr (text, '\0', size);
  g_autoptr (TrOp) op = NULL;
  g_autoptr (TrTicket) current = NULL;
  g_autoptr (TrTicket) before = NULL;
  g_autoptr (TrEvent) event = NULL;
  g_autoptr (TrEvent) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error_again = NULL;
  TrApplyContext ctx = { .seq = 42, .now = 1795804790934, .number = 1007 };
  gsize op_length;

  tr_fuzz_init ();

  if (split == NULL)
    split = memchr (text, '\n', size);
  op_length = split != NULL ? (gsize)(split - text) : size;

  if (!(op = tr_op_from_string (text, (gssize)op_length, NULL)))
    return 0;
  if (split != NULL && op_length + 1 < size)
    {
      current = tr_ticket_from_string (split + 1, (gssize)(size - op_length - 1), NULL);
      if (current == NULL)
        return 0;
      before = tr_ticket_copy (current);
    }

  event = tr_op_apply (op, current, &ctx, &error);
  again = tr_op_apply (op, current, &ctx, &error_again);

  if (current != NULL && !tr_ticket_equal (current, before))
    g_error ("tr_op_apply() changed its input ticket");
  if ((event == NULL) != (again == NULL))
    g_error ("tr_op_apply() is not deterministic");

  if (event == NULL)
    {
      if (error == NULL || error->domain != TR_ERROR || error->message == NULL)
        g_error ("a refusal without a TR_ERROR");
      if (error->code != error_again->code || strcmp (error->message, error_again->message) != 0)
        g_error ("tr_op_apply() refused the same op twice differently");
      return 0;
    }

  if (!tr_ticket_equal (event->ticket, again->ticket) || event->seq != ctx.seq)
    g_error ("tr_op_apply() is not deterministic");

  {
    g_autofree char *json = tr_event_to_string (event);
    g_autoptr (GError) decode_error = NULL;
    g_autoptr (TrEvent) decoded = tr_event_from_string (json, -1, &decode_error);

    if (decoded == NULL)
      g_error ("the applier made an event the codec refuses: %s\n%s", decode_error->message, json);
    if (!tr_ticket_equal (decoded->ticket, event->ticket))
      g_error ("the applier's ticket changes in a round trip:\n%s", json);
  }
  return 0;
}
