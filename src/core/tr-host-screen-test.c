/* tr-host-screen-test.c: "Send Test Ticket to Every Screen"
 *
 * After setting up, a manager wants to know that every screen gets a
 * new ticket. The host sends one test ticket through its own op path,
 * watches the last seq each station reports (in its pings, or the
 * `since` of its long-polls), and says which screens showed it and how
 * soon. Then it cancels the ticket, so that no cook is left with it.
 * The rules of who counts are tr-screen-check.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tr-host-private.h"
#include "tr-error.h"
#include "tr-screen-check.h"

/* The station id of the host's own test tickets, and the external_ref
 * that marks one as a test on every screen and in the log. */
#define SCREEN_TEST_STATION_ID "host"
#define SCREEN_TEST_REF "screen-test"
#define POLL_INTERVAL_MS 250
#define MIN_TIMEOUT_MS 1000
#define MAX_TIMEOUT_MS 120000

typedef struct
{
  TrScreenCheck *check;
  gint64 timeout_ms;
  guint poll_id;
} ScreenTest;

static void
screen_test_free (ScreenTest *test)
{
  g_clear_pointer (&test->check, tr_screen_check_free);
  g_free (test);
}

static TrTicket *
make_test_ticket (void)
{
  TrTicket *ticket = tr_ticket_new ();
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->source = TR_SOURCE_APP;
  ticket->external_ref = g_strdup (SCREEN_TEST_REF);
  ticket->order_type = TR_ORDER_TYPE_TAKEAWAY;
  /* Translators: the note on the test ticket every screen gets */
  ticket->note = g_strdup (_ ("Screen test: do not cook. It clears itself."));
  item->id = tr_uuid_new ();
  /* Translators: the only item of the test ticket */
  item->name = g_strdup (_ ("Test ticket"));
  item->quantity = 1;
  g_ptr_array_add (ticket->items, item);
  return ticket;
}

static void
cancelled_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GError) error = NULL;
  ScreenTest *test = g_task_get_task_data (task);

  outcomes = tr_host_submit_ops_finish (TR_HOST (source), result, &error);
  /* The check's answer stands either way; a test ticket left behind is
   * one a cook can bump. */
  if (outcomes == NULL)
    g_warning ("Removing test ticket %s failed: %s", tr_screen_check_get_ticket_id (test->check),
               error->message);
  g_task_return_pointer (task, g_steal_pointer (&test->check),
                         (GDestroyNotify)tr_screen_check_free);
}

static void
finish_test (GTask *task)
{
  TrHost *self = g_task_get_source_object (task);
  ScreenTest *test = g_task_get_task_data (task);
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);

  tr_screen_check_finish (test->check, tr_now_ms ());
  if (!self->running)
    {
      g_task_return_pointer (task, g_steal_pointer (&test->check),
                             (GDestroyNotify)tr_screen_check_free);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (ops, tr_op_new_set_ticket_status (SCREEN_TEST_STATION_ID,
                                                     tr_screen_check_get_ticket_id (test->check),
                                                     TR_TICKET_STATUS_CANCELLED));
  tr_host_submit_ops_async (self, ops, NULL, cancelled_cb, task);
}

static void
observe_roster (TrHost *self, ScreenTest *test)
{
  g_autoptr (GPtrArray) stations = tr_host_list_stations (self);
  gint64 now = tr_now_ms ();

  for (guint i = 0; i < stations->len; i++)
    {
      const TrStationInfo *info = g_ptr_array_index (stations, i);

      if (info->revoked)
        continue;
      tr_screen_check_observe (test->check, info->station_id, info->name, info->role,
                               info->connected, info->last_seq, now);
    }
}

static gboolean
poll_cb (gpointer user_data)
{
  GTask *task = user_data;
  TrHost *self = g_task_get_source_object (task);
  ScreenTest *test = g_task_get_task_data (task);

  if (self->running)
    observe_roster (self, test);
  if (self->running && !tr_screen_check_is_done (test->check, tr_now_ms (), test->timeout_ms))
    return G_SOURCE_CONTINUE;
  test->poll_id = 0;
  finish_test (task);
  return G_SOURCE_REMOVE;
}

static void
created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  TrHost *self = TR_HOST (source);
  ScreenTest *test = g_task_get_task_data (task);
  g_autoptr (GPtrArray) outcomes = NULL;
  GError *error = NULL;
  TrOutcome *outcome;

  outcomes = tr_host_submit_ops_finish (self, result, &error);
  if (outcomes == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  outcome = g_ptr_array_index (outcomes, 0);
  if (outcome->result != TR_APPLY_APPLIED)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_STORE, "%s",
                               outcome->error_message ? outcome->error_message
                                                      : "the test ticket was not applied");
      g_object_unref (task);
      return;
    }
  test->check = tr_screen_check_new (outcome->event->ticket->id, outcome->event->ticket->number,
                                     outcome->seq, tr_now_ms ());
  observe_roster (self, test);
  test->poll_id = _tr_host_timeout_add (self, POLL_INTERVAL_MS, poll_cb, task);
}

void
tr_host_test_screens_async (TrHost *self, guint timeout_ms, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (TrTicket) ticket = make_test_ticket ();
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  GTask *task;
  ScreenTest *test;

  g_return_if_fail (TR_IS_HOST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tr_host_test_screens_async);
  test = g_new0 (ScreenTest, 1);
  test->timeout_ms = CLAMP (timeout_ms, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS);
  g_task_set_task_data (task, test, (GDestroyNotify)screen_test_free);
  if (!self->running)
    {
      g_task_return_new_error (task, TR_ERROR, TR_ERROR_STORE, "the host is not running");
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (ops, tr_op_new_create_ticket (SCREEN_TEST_STATION_ID, ticket));
  tr_host_submit_ops_async (self, ops, NULL, created_cb, task);
}

TrScreenCheck *
tr_host_test_screens_finish (TrHost *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- POST /api/v1/test-screens ---- */

/* The check takes seconds; the client may hang up meanwhile, and a
 * message that has finished is answered no more. */
typedef struct
{
  SoupServerMessage *msg;
  gulong finished_id;
  gboolean finished;
} Waiting;

static void
on_finished (SoupServerMessage *msg, Waiting *waiting)
{
  waiting->finished = TRUE;
}

static void
answered_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiting *waiting = user_data;
  g_autoptr (SoupServerMessage) msg = waiting->msg;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrScreenCheck) check = tr_host_test_screens_finish (TR_HOST (source), result, &error);
  gboolean finished = waiting->finished;

  g_clear_signal_handler (&waiting->finished_id, msg);
  g_free (waiting);
  if (finished)
    return;
  if (check != NULL)
    {
      g_autoptr (JsonNode) node = tr_screen_check_to_json (check);

      _tr_host_respond_json_take (msg, SOUP_STATUS_OK, json_to_string (node, FALSE));
    }
  else
    _tr_host_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            tr_error_code_to_string (TR_ERROR_STORE), error->message);
  soup_server_message_unpause (msg);
}

void
_tr_host_handle_test_screens (SoupServer *server, SoupServerMessage *msg, const char *path,
                              GHashTable *query, gpointer user_data)
{
  TrHost *self = user_data;
  g_autofree char *paired_id = NULL;
  const char *timeout_text = query ? g_hash_table_lookup (query, "timeout_ms") : NULL;
  guint64 timeout_ms = 15000;

  if (!_tr_host_require_exact_path (msg, path, API_PREFIX "/test-screens")
      || !_tr_host_require_method (msg, SOUP_METHOD_POST, NULL)
      || !_tr_host_authorize_request (self, msg, TRUE, &paired_id))
    return;
  if (timeout_text != NULL
      && (!g_ascii_string_to_unsigned (timeout_text, 10, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS,
                                       &timeout_ms, NULL)))
    {
      _tr_host_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                              "timeout_ms: must be a whole number from 1000 to 120000");
      return;
    }
  if (!_tr_host_take_http_tokens (self, msg, paired_id, 2))
    return;
  {
    Waiting *waiting = g_new0 (Waiting, 1);

    waiting->msg = g_object_ref (msg);
    waiting->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_finished), waiting);
    soup_server_message_pause (msg);
    tr_host_test_screens_async (self, (guint)timeout_ms, NULL, answered_cb, waiting);
  }
}
