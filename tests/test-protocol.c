/* test-protocol.c: protocol v1 frames, built and parsed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-protocol"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-protocol.h"

static TrTicket *
make_ticket (const char *id, int number)
{
  TrTicket *ticket = tr_ticket_new ();
  TrItem *item = tr_item_new ();

  ticket->id = g_strdup (id);
  ticket->number = number;
  ticket->table = g_strdup ("12");
  ticket->created_at = ticket->updated_at = 1700000000000;
  ticket->version = 1;
  item->id = g_strdup ("item-1");
  item->name = g_strdup ("Burger");
  item->quantity = 2;
  g_ptr_array_add (ticket->items, item);
  return ticket;
}

static TrEvent *
make_event (gint64 seq, const char *ticket_id)
{
  TrEvent *event = tr_event_new ();

  event->seq = seq;
  event->kind = TR_EVENT_TICKET_CREATED;
  event->op_id = g_strdup_printf ("op-%" G_GINT64_FORMAT, seq);
  event->station_id = g_strdup ("station-a");
  event->at = 1700000000000 + seq;
  event->ticket = make_ticket (ticket_id, (int)seq);
  return event;
}

static TrFrame *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  TrFrame *frame = tr_frame_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (frame);
  return frame;
}

/* Asserts the parse fails with @code and a message starting with
 * @prefix (the path of the offending field). */
static void
assert_parse_fails (const char *text, TrErrorCode code, const char *prefix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) frame = tr_frame_parse (text, strlen (text), &error);

  g_assert_null (frame);
  g_assert_error (error, TR_ERROR, (gint)code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("parsing %s: expected a message starting with \"%s\", got \"%s\"", text, prefix,
             error->message);
}

static void
test_frame_type_names (void)
{
  g_assert_cmpstr (tr_frame_type_to_string (TR_FRAME_HELLO), ==, "hello");
  g_assert_cmpstr (tr_frame_type_to_string (TR_FRAME_OPS), ==, "ops");
  g_assert_cmpstr (tr_frame_type_to_string (TR_FRAME_ERROR), ==, "error");
  g_assert_null (tr_frame_type_to_string (TR_N_FRAME_TYPES));
  for (guint i = 0; i < TR_N_FRAME_TYPES; i++)
    g_assert_nonnull (tr_frame_type_to_string (i));
}

static void
test_hello_round_trip (void)
{
  g_autofree char *text = tr_frame_build_hello ("st-1", "Grill", "kitchen", "secret", "host-9", 42);
  g_autofree char *bare = NULL;
  g_autoptr (TrFrame) frame = parse_ok (text);
  g_autoptr (TrFrame) bare_frame = NULL;

  g_assert_cmpint (frame->type, ==, TR_FRAME_HELLO);
  g_assert_cmpint (frame->protocol, ==, TR_PROTOCOL_VERSION);
  g_assert_cmpstr (frame->station_id, ==, "st-1");
  g_assert_cmpstr (frame->station_name, ==, "Grill");
  g_assert_cmpstr (frame->station_role, ==, "kitchen");
  g_assert_cmpstr (frame->token, ==, "secret");
  g_assert_cmpstr (frame->host_id, ==, "host-9");
  g_assert_cmpint (frame->since, ==, 42);

  /* A first connection: no token, no known host, nothing applied. */
  bare = tr_frame_build_hello ("st-2", NULL, NULL, NULL, NULL, 0);
  g_assert_nonnull (strstr (bare, "\"host_id\":null"));
  bare_frame = parse_ok (bare);
  g_assert_cmpstr (bare_frame->station_id, ==, "st-2");
  g_assert_null (bare_frame->station_name);
  g_assert_null (bare_frame->station_role);
  g_assert_null (bare_frame->token);
  g_assert_null (bare_frame->host_id);
  g_assert_cmpint (bare_frame->since, ==, 0);
  g_assert_null (bare_frame->since_op);
  g_assert_null (frame->since_op);
}

/* A resume names the op of its event @since (issue 18, 5). */
static void
test_hello_resume (void)
{
  g_autofree char *text
    = tr_frame_build_hello_resume ("st-1", NULL, NULL, "secret", "host-9", 950, "op-950");
  g_autofree char *none = tr_frame_build_hello_resume ("st-1", NULL, NULL, NULL, NULL, 0, NULL);
  g_autoptr (TrFrame) frame = parse_ok (text);

  g_assert_cmpint (frame->since, ==, 950);
  g_assert_cmpstr (frame->since_op, ==, "op-950");
  g_assert_null (strstr (none, "since_op"));
}

/* Issue 17: the highest generation the station has seen; absent is 0,
 * and a negative one is refused. */
static void
test_hello_gen (void)
{
  g_autofree char *text
    = tr_frame_build_hello_full ("st-1", NULL, NULL, "secret", "host-9", 950, "op-950", 3);
  g_autofree char *none = tr_frame_build_hello_resume ("st-1", NULL, NULL, NULL, NULL, 0, NULL);
  g_autoptr (TrFrame) frame = parse_ok (text);
  g_autoptr (TrFrame) old = parse_ok (none);
  const char *negative
    = "{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"a\"},\"since\":0,\"gen\":-1}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) refused = tr_frame_parse (negative, strlen (negative), &error);

  g_assert_cmpint (frame->gen, ==, 3);
  g_assert_cmpint (frame->since, ==, 950);
  g_assert_cmpint (old->gen, ==, 0);
  g_assert_null (strstr (none, "\"gen\""));
  g_assert_null (refused);
  g_assert_nonnull (error);
}

static void
test_hello_other_version (void)
{
  /* A future hello whose shape this version cannot know still parses far
   * enough for the host to answer with the version close code. */
  g_autoptr (TrFrame) frame = parse_ok ("{\"type\":\"hello\",\"protocol\":2,\"peer\":{}}");

  g_assert_cmpint (frame->type, ==, TR_FRAME_HELLO);
  g_assert_cmpint (frame->protocol, ==, 2);
  g_assert_null (frame->station_id);
}

static void
test_op_round_trip (void)
{
  g_autoptr (TrOp) op
    = tr_op_new_set_item_status ("st-1", "ticket-1", "item-1", TR_ITEM_STATUS_READY);
  g_autofree char *text = tr_frame_build_op (op);
  g_autoptr (TrFrame) frame = parse_ok (text);
  g_autofree char *expected = tr_op_to_string (op);
  g_autofree char *got = NULL;

  g_assert_cmpint (frame->type, ==, TR_FRAME_OP);
  g_assert_nonnull (frame->ops);
  g_assert_cmpuint (frame->ops->len, ==, 1);
  got = tr_op_to_string (g_ptr_array_index (frame->ops, 0));
  g_assert_cmpstr (got, ==, expected);
}

static void
test_ops_round_trip (void)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (TrTicket) ticket = make_ticket ("ticket-1", 0);
  g_autoptr (TrAmendment) amendment = tr_amendment_new (TR_AMEND_SET_NOTE);
  g_autofree char *text = NULL;
  g_autoptr (TrFrame) frame = NULL;
  TrOp *amend;

  g_ptr_array_add (ops, tr_op_new_create_ticket ("st-1", ticket));
  g_ptr_array_add (ops,
                   tr_op_new_set_ticket_status ("st-1", "ticket-1", TR_TICKET_STATUS_PREPARING));
  amend = tr_op_new_amend_ticket ("st-1", "ticket-1");
  amendment->text = g_strdup ("no onions");
  g_ptr_array_add (amend->amendments, g_steal_pointer (&amendment));
  g_ptr_array_add (ops, amend);

  text = tr_frame_build_ops (ops);
  frame = parse_ok (text);
  g_assert_cmpint (frame->type, ==, TR_FRAME_OPS);
  g_assert_cmpuint (frame->ops->len, ==, ops->len);
  for (guint i = 0; i < ops->len; i++)
    {
      g_autofree char *expected = tr_op_to_string (g_ptr_array_index (ops, i));
      g_autofree char *got = tr_op_to_string (g_ptr_array_index (frame->ops, i));

      g_assert_cmpstr (got, ==, expected);
    }
}

static void
test_ping_pong_round_trip (void)
{
  g_autofree char *ping = tr_frame_build_ping (123456, 77, 3);
  g_autofree char *ping_full = tr_frame_build_ping_full (5, 8, 0, 14);
  g_autofree char *ping_fresh = tr_frame_build_ping (9, -1, 0);
  g_autofree char *pong = tr_frame_build_pong (123456);
  g_autoptr (TrFrame) frame = parse_ok (ping);
  g_autoptr (TrFrame) full = parse_ok (ping_full);
  g_autoptr (TrFrame) fresh = parse_ok (ping_fresh);
  g_autoptr (TrFrame) pong_frame = parse_ok (pong);
  g_autoptr (TrFrame) fractional = NULL;

  g_assert_cmpint (frame->type, ==, TR_FRAME_PING);
  g_assert_cmpint (frame->t, ==, 123456);
  g_assert_cmpint (frame->last_seq, ==, 77);
  g_assert_cmpuint (frame->queued, ==, 3);
  g_assert_cmpint (frame->latency_ms, ==, -1);

  g_assert_cmpint (full->last_seq, ==, 8);
  g_assert_cmpint (full->latency_ms, ==, 14);

  /* A station that never applied anything reports no last_seq. */
  g_assert_cmpint (fresh->last_seq, ==, -1);

  g_assert_cmpint (pong_frame->type, ==, TR_FRAME_PONG);
  g_assert_cmpint (pong_frame->t, ==, 123456);
  g_assert_null (pong_frame->standby_url);
  g_assert_false (pong_frame->standby_warning);

  /* Issue 17: the standby's address and the host's warning. */
  {
    g_autofree char *with = tr_frame_build_pong_full (5, "http://10.0.0.3:8787", TRUE);
    g_autoptr (TrFrame) standby = parse_ok (with);
    g_autoptr (TrFrame) odd = parse_ok ("{\"type\":\"pong\",\"t\":1,\"standby_warning\":1}");

    g_assert_cmpstr (standby->standby_url, ==, "http://10.0.0.3:8787");
    g_assert_true (standby->standby_warning);
    /* Advisory: anything but true is no warning. */
    g_assert_false (odd->standby_warning);
    assert_parse_fails ("{\"type\":\"pong\",\"t\":1,\"standby_url\":7}", TR_ERROR_PROTOCOL,
                        "standby_url: must be a string");
  }

  /* A browser's performance.now() has a fraction. */
  fractional = parse_ok ("{\"type\":\"ping\",\"t\":1234.75,\"latency_ms\":2.5}");
  g_assert_cmpint (fractional->t, ==, 1234);
  g_assert_cmpint (fractional->latency_ms, ==, 2);
}

static void
test_welcome_round_trip (void)
{
  g_autofree char *text = tr_frame_build_welcome ("host-1", 5000, 1700000000123);
  g_autoptr (TrFrame) frame = parse_ok (text);

  g_assert_cmpint (frame->type, ==, TR_FRAME_WELCOME);
  g_assert_cmpstr (frame->host_id, ==, "host-1");
  g_assert_cmpint (frame->head_seq, ==, 5000);
  g_assert_cmpint (frame->server_time, ==, 1700000000123);
  /* An older host says nothing of its heartbeat timeout. */
  g_assert_cmpint (frame->heartbeat_timeout_ms, ==, 0);
  g_assert_null (strstr (text, "heartbeat_timeout_ms"));
}

/* The host's lineage and generation ride along together (issue 17): a
 * station that came by a typed or fallback address learns the gen too.
 * One without the other, or a gen below 1, breaks the frame. */
static void
test_welcome_lineage (void)
{
  g_autofree char *text
    = tr_frame_build_welcome_lineage ("host-2", 9, 1700000000123, 0, FALSE, -1, "lineage-a", 2);
  g_autofree char *without = tr_frame_build_welcome_lineage ("host-2", 9, 1, 0, FALSE, -1, NULL, 2);
  g_autoptr (TrFrame) frame = parse_ok (text);
  g_autoptr (TrFrame) old_host = parse_ok (without);

  g_assert_cmpstr (frame->lineage, ==, "lineage-a");
  g_assert_cmpint (frame->gen, ==, 2);
  g_assert_null (old_host->lineage);
  g_assert_cmpint (old_host->gen, ==, 0);
  g_assert_null (strstr (without, "\"gen\""));

  assert_parse_fails ("{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,"
                      "\"server_time\":1,\"lineage\":\"l\"}",
                      TR_ERROR_PROTOCOL, "gen");
  assert_parse_fails ("{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,"
                      "\"server_time\":1,\"gen\":3}",
                      TR_ERROR_PROTOCOL, "lineage");
  assert_parse_fails ("{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,"
                      "\"server_time\":1,\"lineage\":\"l\",\"gen\":0}",
                      TR_ERROR_PROTOCOL, "gen");
}

/* Issue 13: "printers" in welcome and pong says how many of the host's
 * printers take a reprint. Absent (an older host) is unknown, -1; a
 * value that is not a non-negative integer is advice gone wrong and
 * ignored (as absent), never a malformed frame that would cut the link. */
static void
test_printers_member (void)
{
  g_autofree char *welcome
    = tr_frame_build_welcome_printers ("host-1", 7, 1700000000123, 6000, FALSE, 2);
  g_autofree char *welcome_none = tr_frame_build_welcome_printers ("host-1", 7, 1, 0, FALSE, 0);
  g_autofree char *welcome_old = tr_frame_build_welcome_training ("host-1", 7, 1, 0, FALSE);
  g_autofree char *pong = tr_frame_build_pong_printers (9, NULL, FALSE, 3);
  g_autofree char *pong_old = tr_frame_build_pong_full (9, "http://10.0.0.3:8787", TRUE);
  const char *const odd[] = { "\"two\"", "-1", "1.5", "true", "null", "[1]", "{}" };
  g_autoptr (TrFrame) frame = NULL;

  frame = parse_ok (welcome);
  g_assert_cmpint (frame->printers, ==, 2);
  g_assert_cmpint (frame->heartbeat_timeout_ms, ==, 6000);
  g_clear_pointer (&frame, tr_frame_free);
  frame = parse_ok (welcome_none);
  g_assert_cmpint (frame->printers, ==, 0);
  g_clear_pointer (&frame, tr_frame_free);
  /* Left out by the older builders: unknown. */
  g_assert_null (strstr (welcome_old, "printers"));
  frame = parse_ok (welcome_old);
  g_assert_cmpint (frame->printers, ==, -1);
  g_clear_pointer (&frame, tr_frame_free);

  frame = parse_ok (pong);
  g_assert_cmpint (frame->type, ==, TR_FRAME_PONG);
  g_assert_cmpint (frame->t, ==, 9);
  g_assert_cmpint (frame->printers, ==, 3);
  g_clear_pointer (&frame, tr_frame_free);
  g_assert_null (strstr (pong_old, "printers"));
  frame = parse_ok (pong_old);
  g_assert_cmpint (frame->printers, ==, -1);
  g_assert_true (frame->standby_warning);
  g_clear_pointer (&frame, tr_frame_free);

  for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
    {
      g_autofree char *w = g_strdup_printf ("{\"type\":\"welcome\",\"host_id\":\"h\","
                                            "\"head_seq\":0,\"server_time\":1,\"printers\":%s}",
                                            odd[i]);
      g_autofree char *p = g_strdup_printf ("{\"type\":\"pong\",\"t\":4,\"printers\":%s}", odd[i]);
      g_autoptr (TrFrame) wf = parse_ok (w);
      g_autoptr (TrFrame) pf = parse_ok (p);

      g_assert_cmpint (wf->printers, ==, -1);
      g_assert_cmpstr (wf->host_id, ==, "h");
      g_assert_cmpint (pf->printers, ==, -1);
      g_assert_cmpint (pf->t, ==, 4);
    }
  /* Other frames never carry it. */
  frame = parse_ok ("{\"type\":\"ping\",\"t\":1,\"printers\":5}");
  g_assert_cmpint (frame->printers, ==, -1);
}

/* The host's heartbeat timeout rides along; a value out of range is
 * dropped, never the welcome; a wrong type breaks the frame, like any. */
static void
test_welcome_heartbeat_timeout (void)
{
  g_autofree char *text = tr_frame_build_welcome_full ("host-1", 7, 1700000000123, 6000);
  g_autoptr (TrFrame) present = parse_ok (text);
  g_autoptr (TrFrame) absent = NULL;
  g_autoptr (TrFrame) too_small = NULL;
  g_autoptr (TrFrame) too_big = NULL;
  g_autoptr (TrFrame) negative = NULL;
  g_autoptr (TrFrame) wrong = NULL;
  g_autoptr (GError) error = NULL;
  const char *wrong_type
    = "{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,\"server_time\":1,"
      "\"heartbeat_timeout_ms\":\"soon\"}";

  g_assert_cmpint (present->heartbeat_timeout_ms, ==, 6000);
  g_assert_cmpint (present->head_seq, ==, 7);

  absent = parse_ok ("{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,"
                     "\"server_time\":1}");
  g_assert_cmpint (absent->heartbeat_timeout_ms, ==, 0);

  too_small = parse_ok ("{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,"
                        "\"server_time\":1,\"heartbeat_timeout_ms\":10}");
  g_assert_cmpint (too_small->heartbeat_timeout_ms, ==, 0);
  too_big = parse_ok ("{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,"
                      "\"server_time\":1,\"heartbeat_timeout_ms\":86400000}");
  g_assert_cmpint (too_big->heartbeat_timeout_ms, ==, 0);
  negative = parse_ok ("{\"type\":\"welcome\",\"host_id\":\"h\",\"head_seq\":0,"
                       "\"server_time\":1,\"heartbeat_timeout_ms\":-5}");
  g_assert_cmpint (negative->heartbeat_timeout_ms, ==, 0);

  wrong = tr_frame_parse (wrong_type, strlen (wrong_type), &error);
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
  g_assert_null (wrong);
}

static void
test_events_round_trip (void)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_event_free);
  g_autoptr (GPtrArray) json = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_autofree char *from_json = NULL;
  g_autoptr (TrFrame) frame = NULL;

  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("ticket-%d", i);
      TrEvent *event = make_event (i, id);

      g_ptr_array_add (events, event);
      g_ptr_array_add (json, tr_event_to_string (event));
    }

  text = tr_frame_build_events (events);
  from_json = tr_frame_build_events_from_json (json);
  /* The host builds from stored JSON; a station must not be able to tell. */
  g_assert_cmpstr (text, ==, from_json);

  frame = parse_ok (text);
  g_assert_cmpint (frame->type, ==, TR_FRAME_EVENTS);
  g_assert_cmpint (frame->head_seq, ==, -1);
  g_assert_cmpuint (frame->events->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *got = tr_event_to_string (g_ptr_array_index (frame->events, i));

      g_assert_cmpstr (got, ==, g_ptr_array_index (json, i));
    }
}

static void
test_events_empty_and_head_seq (void)
{
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  g_autofree char *text = tr_frame_build_events_from_json (none);
  g_autoptr (TrFrame) frame = parse_ok (text);
  g_autoptr (TrFrame) polled = NULL;

  g_assert_cmpstr (text, ==, "{\"type\":\"events\",\"events\":[]}");
  g_assert_cmpuint (frame->events->len, ==, 0);

  /* Long-poll answers carry the head. */
  polled = parse_ok ("{\"type\":\"events\",\"head_seq\":17,\"events\":[]}");
  g_assert_cmpint (polled->head_seq, ==, 17);
}

static void
test_snapshot_round_trip (void)
{
  g_autoptr (GPtrArray) tickets = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_free);
  g_autofree char *text = NULL;
  g_autoptr (TrFrame) frame = NULL;
  g_autofree char *hash_before = NULL;
  g_autofree char *hash_after = NULL;

  g_ptr_array_add (tickets, make_ticket ("ticket-a", 1));
  g_ptr_array_add (tickets, make_ticket ("ticket-b", 2));
  text = tr_frame_build_snapshot (99, tickets);
  frame = parse_ok (text);
  g_assert_cmpint (frame->type, ==, TR_FRAME_SNAPSHOT);
  g_assert_cmpint (frame->seq, ==, 99);
  g_assert_cmpuint (frame->tickets->len, ==, 2);
  g_assert_true (
    tr_ticket_equal (g_ptr_array_index (frame->tickets, 0), g_ptr_array_index (tickets, 0)));
  hash_before = tr_tickets_hash (tickets);
  hash_after = tr_tickets_hash (frame->tickets);
  g_assert_cmpstr (hash_before, ==, hash_after);
}

static void
test_ack_round_trip (void)
{
  TrOutcome applied = { .op_id = (char *)"op-1", .result = TR_APPLY_APPLIED, .seq = 10 };
  TrOutcome duplicate = {
    .op_id = (char *)"op-1", .result = TR_APPLY_DUPLICATE, .original = TR_APPLY_APPLIED, .seq = 10
  };
  TrOutcome rejected = { .op_id = (char *)"op-2",
                         .result = TR_APPLY_REJECTED,
                         .error_code = (char *)"illegal_transition",
                         .error_message = (char *)"ticket cannot go from served to new" };
  g_autofree char *applied_text = tr_frame_build_ack (&applied);
  g_autofree char *duplicate_text = tr_frame_build_ack (&duplicate);
  g_autofree char *rejected_text = tr_frame_build_ack (&rejected);
  g_autoptr (TrFrame) a = parse_ok (applied_text);
  g_autoptr (TrFrame) d = parse_ok (duplicate_text);
  g_autoptr (TrFrame) r = parse_ok (rejected_text);

  g_assert_cmpint (a->type, ==, TR_FRAME_ACK);
  g_assert_cmpstr (a->op_id, ==, "op-1");
  g_assert_cmpint (a->result, ==, TR_APPLY_APPLIED);
  g_assert_cmpint (a->seq, ==, 10);
  g_assert_null (a->error_code);

  g_assert_cmpint (d->result, ==, TR_APPLY_DUPLICATE);
  g_assert_cmpint (d->seq, ==, 10);
  g_assert_nonnull (strstr (duplicate_text, "\"original\":\"applied\""));

  g_assert_cmpint (r->result, ==, TR_APPLY_REJECTED);
  g_assert_cmpint (r->seq, ==, 0);
  g_assert_null (strstr (rejected_text, "\"seq\""));
  g_assert_cmpstr (r->error_code, ==, "illegal_transition");
  g_assert_cmpstr (r->error_message, ==, "ticket cannot go from served to new");
}

static void
test_error_round_trip (void)
{
  g_autofree char *text = tr_frame_build_error ("protocol", "op before hello");
  g_autoptr (TrFrame) frame = parse_ok (text);

  g_assert_cmpint (frame->type, ==, TR_FRAME_ERROR);
  g_assert_cmpstr (frame->error_code, ==, "protocol");
  g_assert_cmpstr (frame->error_message, ==, "op before hello");
}

/* A host's invitation to be its standby is a frame of the protocol, read
 * with the same limits as every other (it once had a parser of its own). */
static void
test_standby_invite_round_trip (void)
{
  g_autofree char *text = tr_frame_build_standby_invite ("123456");
  g_autoptr (TrFrame) frame = parse_ok (text);
  g_autofree char *long_code = g_strnfill (TR_MAX_TEXT_BYTES + 1, '7');
  g_autofree char *too_long
    = g_strdup_printf ("{\"type\":\"standby_invite\",\"code\":\"%s\"}", long_code);

  g_assert_cmpint (frame->type, ==, TR_FRAME_STANDBY_INVITE);
  g_assert_cmpstr (frame->invite_code, ==, "123456");
  assert_parse_fails ("{\"type\":\"standby_invite\"}", TR_ERROR_PROTOCOL, "code: missing");
  assert_parse_fails ("{\"type\":\"standby_invite\",\"code\":\"\"}", TR_ERROR_PROTOCOL,
                      "code: must not be empty");
  assert_parse_fails ("{\"type\":\"standby_invite\",\"code\":123456}", TR_ERROR_PROTOCOL,
                      "code: must be a string");
  assert_parse_fails (too_long, TR_ERROR_PROTOCOL, "code: longer than");
  /* Not JSON's escape: refused before json-glib could read it. */
  assert_parse_fails ("{\"type\":\"standby_invite\",\"code\":\"\\061\"}", TR_ERROR_PROTOCOL,
                      "not valid JSON");
}

static void
test_standby_ack_round_trip (void)
{
  g_autofree char *headless = tr_frame_build_standby_ack (5012, 0);
  g_autofree char *native = tr_frame_build_standby_ack (7, 8787);
  g_autoptr (TrFrame) a = parse_ok (headless);
  g_autoptr (TrFrame) b = parse_ok (native);

  g_assert_cmpint (a->type, ==, TR_FRAME_STANDBY_ACK);
  g_assert_cmpint (a->seq, ==, 5012);
  g_assert_cmpuint (a->standby_port, ==, 0);
  g_assert_null (strstr (headless, "port"));
  g_assert_cmpint (b->seq, ==, 7);
  g_assert_cmpuint (b->standby_port, ==, 8787);
  assert_parse_fails ("{\"type\":\"standby_ack\"}", TR_ERROR_PROTOCOL, "seq: missing");
  assert_parse_fails ("{\"type\":\"standby_ack\",\"seq\":-1}", TR_ERROR_PROTOCOL,
                      "seq: must be at least 0");
  assert_parse_fails ("{\"type\":\"standby_ack\",\"seq\":\"5\"}", TR_ERROR_PROTOCOL, "seq:");
  assert_parse_fails ("{\"type\":\"standby_ack\",\"seq\":5,\"port\":70000}", TR_ERROR_PROTOCOL,
                      "port: must be at most 65535");
  assert_parse_fails ("{\"type\":\"standby_ack\",\"seq\":5,\"port\":-2}", TR_ERROR_PROTOCOL,
                      "port: must be at least 0");
}

static void
test_builders_escape_strings (void)
{
  g_autofree char *text = tr_frame_build_error ("protocol", "a \"quoted\" \\ line\nbreak");
  g_autoptr (TrFrame) frame = parse_ok (text);

  g_assert_cmpstr (frame->error_message, ==, "a \"quoted\" \\ line\nbreak");
}

static void
test_malformed_envelope (void)
{
  assert_parse_fails ("", TR_ERROR_PROTOCOL, "not valid JSON");
  assert_parse_fails ("{\"type\":\"ping\",", TR_ERROR_PROTOCOL, "not valid JSON");
  assert_parse_fails ("hello", TR_ERROR_PROTOCOL, "not valid JSON");
  assert_parse_fails ("[1,2]", TR_ERROR_PROTOCOL, "frame: must be a JSON object");
  assert_parse_fails ("\"ping\"", TR_ERROR_PROTOCOL, "frame: must be a JSON object");
  assert_parse_fails ("42", TR_ERROR_PROTOCOL, "frame: must be a JSON object");
  assert_parse_fails ("null", TR_ERROR_PROTOCOL, "frame: must be a JSON object");
  assert_parse_fails ("{}", TR_ERROR_PROTOCOL, "type: missing");
  assert_parse_fails ("{\"t\":1}", TR_ERROR_PROTOCOL, "type: missing");
  assert_parse_fails ("{\"type\":7}", TR_ERROR_PROTOCOL, "type: must be a string");
  assert_parse_fails ("{\"type\":null}", TR_ERROR_PROTOCOL, "type: must be a string");
  assert_parse_fails ("{\"type\":\"subscribe\"}", TR_ERROR_PROTOCOL, "type: unknown frame type");
  assert_parse_fails ("{\"type\":\"HELLO\",\"protocol\":1}", TR_ERROR_PROTOCOL,
                      "type: unknown frame type");
}

static void
test_malformed_json_text (void)
{
  /* Invalid UTF-8 inside a string. */
  static const char bad_utf8[] = "{\"type\":\"error\",\"code\":\"x\",\"message\":\"\xff\xfe\"}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) frame = NULL;
  GString *deep = g_string_new ("{\"type\":\"error\",\"code\":\"x\",\"extra\":");

  frame = tr_frame_parse (bad_utf8, sizeof bad_utf8 - 1, &error);
  g_assert_null (frame);
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* Nesting beyond TR_MAX_JSON_DEPTH, even in an ignored member. */
  for (int i = 0; i < 200; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 200; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  frame = tr_frame_parse (deep->str, deep->len, &error);
  g_assert_null (frame);
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
  g_string_free (deep, TRUE);
}

static void
test_malformed_hello (void)
{
  assert_parse_fails ("{\"type\":\"hello\"}", TR_ERROR_PROTOCOL, "protocol: missing");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":\"1\",\"station\":{\"id\":\"a\"}}",
                      TR_ERROR_PROTOCOL, "protocol: must be an integer");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1.5,\"station\":{\"id\":\"a\"}}",
                      TR_ERROR_PROTOCOL, "protocol: must be an integer");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1}", TR_ERROR_PROTOCOL, "station: missing");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1,\"station\":\"a\"}", TR_ERROR_PROTOCOL,
                      "station: must be an object");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1,\"station\":{}}", TR_ERROR_PROTOCOL,
                      "station.id: missing");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":5}}",
                      TR_ERROR_PROTOCOL, "station.id: must be a string");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"\"}}",
                      TR_ERROR_PROTOCOL, "station.id: must not be empty");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"a\",\"name\":[]}}",
                      TR_ERROR_PROTOCOL, "station.name: must be a string");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"a\"},\"since\":-1}",
                      TR_ERROR_PROTOCOL, "since: must be at least 0");
  assert_parse_fails (
    "{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"a\"},\"since\":\"10\"}",
    TR_ERROR_PROTOCOL, "since: must be an integer");
  assert_parse_fails (
    "{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"a\"},\"since\":10.5}",
    TR_ERROR_PROTOCOL, "since: must be an integer");
  assert_parse_fails (
    "{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"a\"},\"host_id\":true}",
    TR_ERROR_PROTOCOL, "host_id: must be a string");
  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"a\"},\"token\":{}}",
                      TR_ERROR_PROTOCOL, "token: must be a string");
}

static void
test_hello_lenient_numbers (void)
{
  /* 10.0 is what some serializers write for 10. */
  g_autoptr (TrFrame) frame
    = parse_ok ("{\"type\":\"hello\",\"protocol\":1.0,\"station\":{\"id\":\"a\"},\"since\":10.0,"
                "\"unknown_future_member\":[1,2,3]}");

  g_assert_cmpint (frame->protocol, ==, 1);
  g_assert_cmpint (frame->since, ==, 10);
}

static void
test_hello_oversize_fields (void)
{
  g_autofree char *long_id = g_strnfill (129, 'x');
  g_autofree char *text
    = g_strdup_printf ("{\"type\":\"hello\",\"protocol\":1,\"station\":{\"id\":\"%s\"}}", long_id);

  assert_parse_fails (text, TR_ERROR_PROTOCOL, "station.id: longer than");
}

static void
test_malformed_op (void)
{
  g_autoptr (TrOp) op = tr_op_new_set_ticket_status ("st-1", "ticket-1", TR_TICKET_STATUS_READY);
  g_autofree char *op_json = tr_op_to_string (op);
  g_autofree char *bad_status = NULL;
  g_autofree char *no_op_id = NULL;

  assert_parse_fails ("{\"type\":\"op\"}", TR_ERROR_PROTOCOL, "op: missing");
  assert_parse_fails ("{\"type\":\"op\",\"op\":null}", TR_ERROR_PROTOCOL, "op: missing");
  assert_parse_fails ("{\"type\":\"op\",\"op\":[1]}", TR_ERROR_INVALID, "op: must be an object");
  assert_parse_fails ("{\"type\":\"op\",\"op\":{}}", TR_ERROR_INVALID, "op.op_id");

  /* The same op with one field broken: the codec's path, prefixed. */
  bad_status = g_strdup_printf ("{\"type\":\"op\",\"op\":%s}", op_json);
  {
    char *status = strstr (bad_status, "\"status\":\"ready\"");

    g_assert_nonnull (status);
    memcpy (status, "\"status\":\"rea_y\"", strlen ("\"status\":\"rea_y\""));
  }
  assert_parse_fails (bad_status, TR_ERROR_INVALID, "op.status");

  no_op_id = g_strdup ("{\"type\":\"op\",\"op\":{\"kind\":\"set_ticket_status\","
                       "\"station_id\":\"s\",\"ticket_id\":\"t\",\"status\":\"ready\"}}");
  assert_parse_fails (no_op_id, TR_ERROR_INVALID, "op.op_id");
}

static void
test_malformed_ops (void)
{
  g_autoptr (TrOp) good = tr_op_new_set_ticket_status ("st-1", "ticket-1", TR_TICKET_STATUS_READY);
  g_autofree char *good_json = tr_op_to_string (good);
  g_autofree char *third_bad = NULL;
  g_autofree char *second_not_object = NULL;

  assert_parse_fails ("{\"type\":\"ops\"}", TR_ERROR_PROTOCOL, "ops: missing");
  assert_parse_fails ("{\"type\":\"ops\",\"ops\":{}}", TR_ERROR_PROTOCOL, "ops: must be an array");
  assert_parse_fails ("{\"type\":\"ops\",\"ops\":[]}", TR_ERROR_PROTOCOL,
                      "ops: must hold at least one op");

  third_bad = g_strdup_printf ("{\"type\":\"ops\",\"ops\":[%s,%s,{\"op_id\":\"x\",\"kind\":\"fly\","
                               "\"station_id\":\"s\",\"ticket_id\":\"t\"}]}",
                               good_json, good_json);
  assert_parse_fails (third_bad, TR_ERROR_INVALID, "ops[2].kind");

  second_not_object = g_strdup_printf ("{\"type\":\"ops\",\"ops\":[%s,\"op\"]}", good_json);
  assert_parse_fails (second_not_object, TR_ERROR_INVALID, "ops[1]: must be an object");
}

static void
test_malformed_other_frames (void)
{
  assert_parse_fails ("{\"type\":\"ping\"}", TR_ERROR_PROTOCOL, "t: missing");
  assert_parse_fails ("{\"type\":\"ping\",\"t\":\"now\"}", TR_ERROR_PROTOCOL,
                      "t: must be an integer");
  assert_parse_fails ("{\"type\":\"ping\",\"t\":1,\"last_seq\":-5}", TR_ERROR_PROTOCOL,
                      "last_seq: must be at least 0");
  assert_parse_fails ("{\"type\":\"ping\",\"t\":1,\"queued\":\"3\"}", TR_ERROR_PROTOCOL,
                      "queued: must be an integer");
  assert_parse_fails ("{\"type\":\"pong\"}", TR_ERROR_PROTOCOL, "t: missing");
  assert_parse_fails ("{\"type\":\"welcome\",\"head_seq\":1,\"server_time\":1}", TR_ERROR_PROTOCOL,
                      "host_id: missing");
  assert_parse_fails ("{\"type\":\"welcome\",\"host_id\":\"h\",\"server_time\":1}",
                      TR_ERROR_PROTOCOL, "head_seq: missing");
  assert_parse_fails ("{\"type\":\"events\"}", TR_ERROR_PROTOCOL, "events: missing");
  assert_parse_fails ("{\"type\":\"events\",\"events\":[{\"seq\":1}]}", TR_ERROR_INVALID,
                      "events[0].");
  assert_parse_fails ("{\"type\":\"snapshot\",\"tickets\":[]}", TR_ERROR_PROTOCOL, "seq: missing");
  assert_parse_fails ("{\"type\":\"snapshot\",\"seq\":3,\"tickets\":[{\"id\":\"t\"}]}",
                      TR_ERROR_INVALID, "tickets[0].items");
  assert_parse_fails ("{\"type\":\"ack\",\"result\":\"applied\"}", TR_ERROR_PROTOCOL,
                      "op_id: missing");
  assert_parse_fails ("{\"type\":\"ack\",\"op_id\":\"o\",\"result\":\"maybe\"}", TR_ERROR_PROTOCOL,
                      "result: unknown result");
  assert_parse_fails ("{\"type\":\"ack\",\"op_id\":\"o\",\"result\":\"rejected\"}",
                      TR_ERROR_PROTOCOL, "error: missing for a rejection");
  assert_parse_fails ("{\"type\":\"ack\",\"op_id\":\"o\",\"result\":\"rejected\",\"error\":\"x\"}",
                      TR_ERROR_PROTOCOL, "error: must be an object");
  assert_parse_fails (
    "{\"type\":\"ack\",\"op_id\":\"o\",\"result\":\"rejected\",\"error\":{\"message\":\"m\"}}",
    TR_ERROR_PROTOCOL, "error.code: missing");
  assert_parse_fails ("{\"type\":\"error\"}", TR_ERROR_PROTOCOL, "code: missing");
}

static void
test_parse_length_is_respected (void)
{
  /* A frame is not NUL-terminated on the wire: only @length bytes count. */
  static const char two[] = "{\"type\":\"pong\",\"t\":1}{\"type\":\"pong\",\"t\":2}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TrFrame) frame = tr_frame_parse (two, 21, &error);

  g_assert_no_error (error);
  g_assert_cmpint (frame->t, ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/frame-type-names", test_frame_type_names);
  g_test_add_func ("/protocol/round-trip/hello", test_hello_round_trip);
  g_test_add_func ("/protocol/round-trip/hello-resume", test_hello_resume);
  g_test_add_func ("/protocol/round-trip/hello-gen", test_hello_gen);
  g_test_add_func ("/protocol/round-trip/hello-other-version", test_hello_other_version);
  g_test_add_func ("/protocol/round-trip/op", test_op_round_trip);
  g_test_add_func ("/protocol/round-trip/ops", test_ops_round_trip);
  g_test_add_func ("/protocol/round-trip/ping-pong", test_ping_pong_round_trip);
  g_test_add_func ("/protocol/round-trip/welcome", test_welcome_round_trip);
  g_test_add_func ("/protocol/welcome-heartbeat-timeout", test_welcome_heartbeat_timeout);
  g_test_add_func ("/protocol/welcome-lineage", test_welcome_lineage);
  g_test_add_func ("/protocol/printers", test_printers_member);
  g_test_add_func ("/protocol/round-trip/events", test_events_round_trip);
  g_test_add_func ("/protocol/round-trip/events-empty", test_events_empty_and_head_seq);
  g_test_add_func ("/protocol/round-trip/snapshot", test_snapshot_round_trip);
  g_test_add_func ("/protocol/round-trip/ack", test_ack_round_trip);
  g_test_add_func ("/protocol/round-trip/error", test_error_round_trip);
  g_test_add_func ("/protocol/builders-escape", test_builders_escape_strings);
  g_test_add_func ("/protocol/malformed/envelope", test_malformed_envelope);
  g_test_add_func ("/protocol/malformed/json-text", test_malformed_json_text);
  g_test_add_func ("/protocol/malformed/hello", test_malformed_hello);
  g_test_add_func ("/protocol/hello-lenient-numbers", test_hello_lenient_numbers);
  g_test_add_func ("/protocol/malformed/hello-oversize", test_hello_oversize_fields);
  g_test_add_func ("/protocol/malformed/op", test_malformed_op);
  g_test_add_func ("/protocol/malformed/ops", test_malformed_ops);
  g_test_add_func ("/protocol/malformed/other-frames", test_malformed_other_frames);
  g_test_add_func ("/protocol/parse-length", test_parse_length_is_respected);
  g_test_add_func ("/protocol/standby-invite", test_standby_invite_round_trip);
  g_test_add_func ("/protocol/standby-ack", test_standby_ack_round_trip);

  return g_test_run ();
}
