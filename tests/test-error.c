/* test-error.c: the error codes' wire names, and the one wording of a
 * refused op that every screen shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-error"

#include <gio/gio.h>

#include "tr-error.h"

/* The wire names are the protocol's: written out here, not derived. */
static void
test_wire_names (void)
{
  const struct
  {
    TrErrorCode code;
    const char *name;
  } names[] = {
    { TR_ERROR_INVALID, "invalid" },
    { TR_ERROR_ILLEGAL_TRANSITION, "illegal_transition" },
    { TR_ERROR_UNKNOWN_TICKET, "unknown_ticket" },
    { TR_ERROR_UNKNOWN_ITEM, "unknown_item" },
    { TR_ERROR_DUPLICATE_ID, "duplicate_id" },
    { TR_ERROR_TICKET_CLOSED, "ticket_closed" },
    { TR_ERROR_STORE_CORRUPT, "store_corrupt" },
    { TR_ERROR_STORE_TOO_NEW, "store_too_new" },
    { TR_ERROR_STORE, "store" },
    { TR_ERROR_PROTOCOL, "protocol" },
    { TR_ERROR_LIMIT, "limit" },
    { TR_ERROR_UNAUTHORIZED, "unauthorized" },
    { TR_ERROR_FORBIDDEN, "forbidden" },
  };
  TrErrorCode code;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (tr_error_code_to_string (names[i].code), ==, names[i].name);
      g_assert_true (tr_error_code_from_string (names[i].name, &code));
      g_assert_cmpint (code, ==, names[i].code);
      /* Every code has words of its own, not the fallback. */
      g_assert_cmpstr (tr_error_code_to_reason (names[i].code), !=, "no reason given");
    }
  g_assert_cmpstr (tr_error_code_to_string ((TrErrorCode)99), ==, "unknown");
  g_assert_false (tr_error_code_from_string ("Invalid", &code));
  g_assert_false (tr_error_code_from_string (NULL, &code));
  g_assert_cmpstr (tr_error_code_to_reason ((TrErrorCode)99), ==, "no reason given");
}

static void
test_describe_refusal (void)
{
  /* What a cook can act on: the shared words, whatever the message. */
  g_assert_cmpstr (tr_error_describe_refusal ("illegal_transition", "ticket cannot go"), ==,
                   "someone else changed it first");
  g_assert_cmpstr (tr_error_describe_refusal ("unknown_ticket", NULL), ==, "it no longer exists");
  g_assert_cmpstr (tr_error_describe_refusal ("unknown_item", "x"), ==, "it no longer exists");
  g_assert_cmpstr (tr_error_describe_refusal ("ticket_closed", "x"), ==, "it is already closed");
  /* Anything else: a message made here names the fault... */
  g_assert_cmpstr (tr_error_describe_refusal ("invalid", "the quantity must be from 1 to 999"), ==,
                   "the quantity must be from 1 to 999");
  g_assert_cmpstr (tr_error_describe_refusal (NULL, "disk full"), ==, "disk full");
  /* ...and the host's refusals, whose message is not passed, by code. */
  g_assert_cmpstr (tr_error_describe_refusal ("invalid", NULL), ==, "the change is not valid");
  g_assert_cmpstr (tr_error_describe_refusal ("limit", ""), ==,
                   "too much at once; try again in a moment");
  /* A code from a newer host. */
  g_assert_cmpstr (tr_error_describe_refusal ("brand_new_code", NULL), ==, "no reason given");
  g_assert_cmpstr (tr_error_describe_refusal (NULL, NULL), ==, "no reason given");

  /* A GError made here: by its code, or its words. */
  {
    g_autoptr (GError) stale = g_error_new_literal (TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION, "x");
    g_autoptr (GError) invalid = g_error_new_literal (TR_ERROR, TR_ERROR_INVALID, "too long");
    g_autoptr (GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk full");

    g_assert_cmpstr (tr_error_describe_local_refusal (stale), ==, "someone else changed it first");
    g_assert_cmpstr (tr_error_describe_local_refusal (invalid), ==, "too long");
    g_assert_cmpstr (tr_error_describe_local_refusal (io), ==, "disk full");
  }
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error/wire-names", test_wire_names);
  g_test_add_func ("/error/describe-refusal", test_describe_refusal);

  return g_test_run ();
}
