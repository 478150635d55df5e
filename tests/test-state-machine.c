/* test-state-machine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-state-machine"

#include <string.h>

#include "tr-error.h"
#include "tr-state-machine.h"

/* The expected tables, written out independently of the implementation
 * from the domain rules: 0 forbidden, 1 forward, 2 recall. */
typedef struct
{
  int from;
  int to;
  int kind;
} Pair;

static const Pair ticket_pairs[] = {
  { TR_TICKET_STATUS_NEW, TR_TICKET_STATUS_PREPARING, 1 },
  { TR_TICKET_STATUS_NEW, TR_TICKET_STATUS_READY, 1 },
  { TR_TICKET_STATUS_NEW, TR_TICKET_STATUS_CANCELLED, 1 },
  { TR_TICKET_STATUS_PREPARING, TR_TICKET_STATUS_READY, 1 },
  { TR_TICKET_STATUS_PREPARING, TR_TICKET_STATUS_CANCELLED, 1 },
  { TR_TICKET_STATUS_READY, TR_TICKET_STATUS_SERVED, 1 },
  { TR_TICKET_STATUS_READY, TR_TICKET_STATUS_CANCELLED, 1 },
  { TR_TICKET_STATUS_READY, TR_TICKET_STATUS_PREPARING, 2 },
  { TR_TICKET_STATUS_SERVED, TR_TICKET_STATUS_READY, 2 },
};

static const Pair item_pairs[] = {
  { TR_ITEM_STATUS_PENDING, TR_ITEM_STATUS_PREPARING, 1 },
  { TR_ITEM_STATUS_PENDING, TR_ITEM_STATUS_READY, 1 },
  { TR_ITEM_STATUS_PENDING, TR_ITEM_STATUS_VOIDED, 1 },
  { TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_READY, 1 },
  { TR_ITEM_STATUS_PREPARING, TR_ITEM_STATUS_VOIDED, 1 },
  { TR_ITEM_STATUS_READY, TR_ITEM_STATUS_SERVED, 1 },
  { TR_ITEM_STATUS_READY, TR_ITEM_STATUS_VOIDED, 1 },
  { TR_ITEM_STATUS_READY, TR_ITEM_STATUS_PREPARING, 2 },
  { TR_ITEM_STATUS_SERVED, TR_ITEM_STATUS_READY, 2 },
};

static int
expected_kind (const Pair *pairs, guint n_pairs, int from, int to)
{
  for (guint i = 0; i < n_pairs; i++)
    if (pairs[i].from == from && pairs[i].to == to)
      return pairs[i].kind;
  return 0;
}

static void
test_ticket_every_pair (void)
{
  guint n_allowed = 0;

  for (int from = 0; from < TR_TICKET_N_STATUSES; from++)
    for (int to = 0; to < TR_TICKET_N_STATUSES; to++)
      {
        g_autoptr (GError) error = NULL;
        int kind = expected_kind (ticket_pairs, G_N_ELEMENTS (ticket_pairs), from, to);
        gboolean ok = tr_ticket_transition_check (from, to, &error);

        g_test_message ("ticket %s -> %s", tr_ticket_status_to_string (from),
                        tr_ticket_status_to_string (to));
        if (kind != 0)
          {
            g_assert_true (ok);
            g_assert_no_error (error);
            n_allowed++;
          }
        else
          {
            g_autofree char *expected = NULL;

            g_assert_false (ok);
            g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
            g_assert_nonnull (strstr (error->message, tr_ticket_status_to_string (from)));
            g_assert_nonnull (strstr (error->message, tr_ticket_status_to_string (to)));
            expected = g_strdup_printf ("ticket cannot go from %s to %s",
                                        tr_ticket_status_to_string (from),
                                        tr_ticket_status_to_string (to));
            g_assert_cmpstr (error->message, ==, expected);
          }
        g_assert_cmpint (tr_ticket_transition_is_recall (from, to), ==, kind == 2);
        /* A NULL error pointer must be accepted. */
        g_assert_cmpint (tr_ticket_transition_check (from, to, NULL), ==, kind != 0);
      }
  g_assert_cmpuint (n_allowed, ==, G_N_ELEMENTS (ticket_pairs));
}

static void
test_item_every_pair (void)
{
  guint n_allowed = 0;

  for (int from = 0; from < TR_ITEM_N_STATUSES; from++)
    for (int to = 0; to < TR_ITEM_N_STATUSES; to++)
      {
        g_autoptr (GError) error = NULL;
        int kind = expected_kind (item_pairs, G_N_ELEMENTS (item_pairs), from, to);
        gboolean ok = tr_item_transition_check (from, to, &error);

        g_test_message ("item %s -> %s", tr_item_status_to_string (from),
                        tr_item_status_to_string (to));
        if (kind != 0)
          {
            g_assert_true (ok);
            g_assert_no_error (error);
            n_allowed++;
          }
        else
          {
            g_autofree char *expected = NULL;

            g_assert_false (ok);
            g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
            g_assert_nonnull (strstr (error->message, tr_item_status_to_string (from)));
            g_assert_nonnull (strstr (error->message, tr_item_status_to_string (to)));
            expected
              = g_strdup_printf ("item cannot go from %s to %s", tr_item_status_to_string (from),
                                 tr_item_status_to_string (to));
            g_assert_cmpstr (error->message, ==, expected);
          }
        g_assert_cmpint (tr_item_transition_is_recall (from, to), ==, kind == 2);
        g_assert_cmpint (tr_item_transition_check (from, to, NULL), ==, kind != 0);
      }
  g_assert_cmpuint (n_allowed, ==, G_N_ELEMENTS (item_pairs));
}

static void
test_examples (void)
{
  g_autoptr (GError) ticket_error = NULL;
  g_autoptr (GError) item_error = NULL;

  g_assert_false (tr_ticket_transition_check (TR_TICKET_STATUS_SERVED, TR_TICKET_STATUS_PREPARING,
                                              &ticket_error));
  g_assert_cmpstr (ticket_error->message, ==, "ticket cannot go from served to preparing");
  g_assert_false (
    tr_item_transition_check (TR_ITEM_STATUS_VOIDED, TR_ITEM_STATUS_READY, &item_error));
  g_assert_cmpstr (item_error->message, ==, "item cannot go from voided to ready");
}

static void
test_terminal_states (void)
{
  /* Nothing leaves cancelled or voided, and nothing enters new or pending. */
  for (int s = 0; s < TR_TICKET_N_STATUSES; s++)
    {
      g_assert_false (tr_ticket_transition_check (TR_TICKET_STATUS_CANCELLED, s, NULL));
      g_assert_false (tr_ticket_transition_check (s, TR_TICKET_STATUS_NEW, NULL));
    }
  for (int s = 0; s < TR_ITEM_N_STATUSES; s++)
    {
      g_assert_false (tr_item_transition_check (TR_ITEM_STATUS_VOIDED, s, NULL));
      g_assert_false (tr_item_transition_check (s, TR_ITEM_STATUS_PENDING, NULL));
    }
}

static void
test_out_of_range (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) item_error = NULL;

  /* Bad input, not a programming error: an error, no critical (the test
   * runs with fatal warnings). */
  g_assert_false (
    tr_ticket_transition_check (TR_TICKET_N_STATUSES, TR_TICKET_STATUS_READY, &error));
  g_assert_error (error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
  g_assert_nonnull (strstr (error->message, "ready"));
  g_assert_false (tr_item_transition_check (TR_ITEM_STATUS_READY, 42, &item_error));
  g_assert_error (item_error, TR_ERROR, TR_ERROR_ILLEGAL_TRANSITION);
  g_assert_false (tr_ticket_transition_is_recall (TR_TICKET_STATUS_READY, -1));
  g_assert_false (tr_item_transition_is_recall (99, TR_ITEM_STATUS_READY));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/state-machine/ticket/every-pair", test_ticket_every_pair);
  g_test_add_func ("/state-machine/item/every-pair", test_item_every_pair);
  g_test_add_func ("/state-machine/examples", test_examples);
  g_test_add_func ("/state-machine/terminal-states", test_terminal_states);
  g_test_add_func ("/state-machine/out-of-range", test_out_of_range);

  return g_test_run ();
}
