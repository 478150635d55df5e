/* test-service-json.c: speed-of-service figures to JSON and back, as
 * the host writes them and a station reads them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-service-json"

#include "tr-service-json.h"

#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"

#define MIN_MS ((gint64)60 * 1000)
/* 2026-03-10 12:00:00 UTC */
#define NOON ((gint64)1773144000 * 1000)

static TrTicketTiming *
timing (const char *id, gint64 created, gint64 ready_after, gint64 cancelled)
{
  TrTicketTiming *t = tr_ticket_timing_new ();

  t->ticket_id = g_strdup (id);
  t->created_at = created;
  t->started_at = created + 30000;
  if (ready_after > 0)
    {
      t->ready_at = created + ready_after;
      t->served_at = t->ready_at + 5000;
    }
  t->cancelled_at = cancelled;
  return t;
}

static TrItemTiming *
item (const char *ticket_id, const char *station, gint64 added, gint64 ready_after)
{
  TrItemTiming *i = tr_item_timing_new ();

  i->ticket_id = g_strdup (ticket_id);
  i->item_id = tr_uuid_new ();
  i->station = g_strdup (station);
  i->added_at = added;
  i->ready_at = added + ready_after;
  return i;
}

static TrServiceReport *
make_report (void)
{
  g_autoptr (GPtrArray) tickets
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_ticket_timing_free);
  g_autoptr (GPtrArray) items
    = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_item_timing_free);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrServiceReport *report;

  g_ptr_array_add (tickets, timing ("a", NOON, 4 * MIN_MS, 0));
  g_ptr_array_add (tickets, timing ("b", NOON + 10 * MIN_MS, 16 * MIN_MS, 0));
  g_ptr_array_add (tickets, timing ("c", NOON + 70 * MIN_MS, 9 * MIN_MS, 0));
  g_ptr_array_add (tickets, timing ("d", NOON + 80 * MIN_MS, 0, NOON + 81 * MIN_MS));
  g_ptr_array_add (items, item ("a", "grill", NOON, 4 * MIN_MS));
  g_ptr_array_add (items, item ("b", "grill", NOON + 10 * MIN_MS, 16 * MIN_MS));
  g_ptr_array_add (items, item ("c", NULL, NOON + 70 * MIN_MS, MIN_MS));
  report
    = tr_service_report_new (tickets, items, 8 * MIN_MS, 15 * MIN_MS, NOON + 2 * 60 * MIN_MS, utc);
  report->from = NOON - 12 * 60 * MIN_MS;
  report->to = NOON + 12 * 60 * MIN_MS;
  return report;
}

static void
assert_same_summary (const TrDurationSummary *a, const TrDurationSummary *b)
{
  g_assert_cmpuint (a->count, ==, b->count);
  g_assert_cmpint (a->avg, ==, b->avg);
  g_assert_cmpint (a->p50, ==, b->p50);
  g_assert_cmpint (a->p90, ==, b->p90);
  g_assert_cmpint (a->max, ==, b->max);
}

static void
assert_same_groups (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const TrServiceGroup *x = g_ptr_array_index (a, i);
      const TrServiceGroup *y = g_ptr_array_index (b, i);

      g_assert_cmpstr (x->key, ==, y->key);
      g_assert_cmpuint (x->tickets, ==, y->tickets);
      g_assert_cmpuint (x->items, ==, y->items);
      g_assert_cmpuint (x->late, ==, y->late);
      assert_same_summary (&x->ready, &y->ready);
    }
}

/* What the host writes, a station reads back the same. */
static void
test_round_trip (void)
{
  g_autoptr (TrServiceReport) report = make_report ();
  g_autoptr (JsonNode) node = tr_service_report_to_json (report);
  g_autofree char *text = tr_json_to_string (node);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrServiceReport) back = tr_service_report_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpint (back->from, ==, report->from);
  g_assert_cmpint (back->to, ==, report->to);
  g_assert_cmpint (back->warn_ms, ==, 8 * MIN_MS);
  g_assert_cmpint (back->late_ms, ==, 15 * MIN_MS);
  g_assert_cmpuint (back->tickets, ==, 3);
  g_assert_cmpuint (back->cancelled, ==, 1);
  g_assert_cmpuint (back->warning, ==, 1);
  g_assert_cmpuint (back->late, ==, 1);
  assert_same_summary (&back->start, &report->start);
  assert_same_summary (&back->ready, &report->ready);
  assert_same_summary (&back->wait, &report->wait);
  g_assert_cmpint (back->ready.avg, ==, (4 + 16 + 9) * MIN_MS / 3);
  assert_same_groups (back->by_station, report->by_station);
  g_assert_cmpuint (back->by_station->len, ==, 2);
  g_assert_null (((TrServiceGroup *)g_ptr_array_index (back->by_station, 1))->key);
  assert_same_groups (back->by_order_type, report->by_order_type);
  for (guint h = 0; h < 24; h++)
    {
      g_assert_cmpuint (back->by_hour[h].tickets, ==, report->by_hour[h].tickets);
      g_assert_cmpuint (back->by_hour[h].late, ==, report->by_hour[h].late);
      assert_same_summary (&back->by_hour[h].ready, &report->by_hour[h].ready);
    }
  g_assert_cmpuint (back->by_hour[12].tickets, ==, 2);
  g_assert_cmpuint (back->by_hour[13].tickets, ==, 1);
}

/* Nothing in the range: the summaries are null, and read as count 0. */
static void
test_null_figures (void)
{
  g_autoptr (TrServiceReport) empty = tr_service_report_new (NULL, NULL, 1, 2, NOON, NULL);
  g_autoptr (JsonNode) node = tr_service_report_to_json (empty);
  JsonObject *object = json_node_get_object (node);
  g_autoptr (GError) error = NULL;
  g_autoptr (TrServiceReport) back = NULL;

  g_assert_true (json_object_get_null_member (object, "ready_time_ms"));
  g_assert_true (json_object_get_null_member (object, "start_time_ms"));
  g_assert_true (json_object_get_null_member (object, "wait_time_ms"));
  back = tr_service_report_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->tickets, ==, 0);
  g_assert_cmpuint (back->ready.count, ==, 0);
  g_assert_cmpuint (back->wait.count, ==, 0);
  g_assert_cmpuint (back->by_station->len, ==, 0);
  for (guint h = 0; h < 24; h++)
    g_assert_cmpuint (back->by_hour[h].ready.count, ==, 0);
}

/* Takes the round trip's text, with @from replaced once by @to. */
static char *
mangle (const char *from, const char *to)
{
  g_autoptr (TrServiceReport) report = make_report ();
  g_autoptr (JsonNode) node = tr_service_report_to_json (report);
  g_autofree char *text = tr_json_to_string (node);
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int)(at - text), text, to, at + strlen (from));
}

static void
assert_refused (const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrServiceReport) report = tr_service_report_parse (text, -1, &error);

  g_assert_null (report);
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

static void
test_malformed (void)
{
  struct
  {
    const char *from, *to, *message;
  } cases[] = {
    { "\"tickets\":3", "\"tickets\":\"3\"", "tickets: must be an integer" },
    { "\"tickets\":3", "\"tickets\":-3", "tickets: out of range" },
    { "\"tickets\":3,", "", "tickets: missing" },
    { "\"late\":1,\"recalls\"", "\"late\":1.5,\"recalls\"", "late: must be an integer" },
    { "\"ready_time_ms\":{\"count\":3", "\"ready_time_ms\":{\"count\":0",
      "ready_time_ms: count must be at least 1 (no figures is null)" },
    { "\"ready_time_ms\":{\"count\":3", "\"ready_time_ms\":[{\"count\":3",
      NULL /* no longer JSON */ },
    { "\"start_time_ms\":{", "\"start_time_ms\":true,\"x\":{",
      "start_time_ms: must be an object or null" },
    { "\"station\":\"grill\"", "\"station\":7", "by_station[0].station: must be a string or null" },
    { "\"by_station\":[", "\"by_station\":{},\"y\":[", "by_station: must be an array" },
    { "\"items\":2", "\"items\":null", "by_station[0].items: must be an integer" },
    { "{\"hour\":0,", "{\"hour\":1,", "by_hour[0]: hour 1 out of order" },
    { "{\"hour\":23,", "{\"hour\":24,", "by_hour[23].hour: out of range" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = mangle (cases[i].from, cases[i].to);

      assert_refused (text, cases[i].message);
    }

  /* Not the figures at all. */
  assert_refused ("[]", "stats: expected an object");
  assert_refused ("{\"from\":1", NULL);
  assert_refused ("", NULL);
  assert_refused ("{}", "from: missing");
  {
    /* A day of 23 hours is not what the host sends. */
    g_autoptr (TrServiceReport) report = make_report ();
    g_autoptr (JsonNode) node = tr_service_report_to_json (report);
    g_autoptr (GError) error = NULL;
    g_autoptr (TrServiceReport) back = NULL;

    json_array_remove_element (
      json_object_get_array_member (json_node_get_object (node), "by_hour"), 23);
    back = tr_service_report_from_json (node, &error);
    g_assert_null (back);
    g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
    g_assert_cmpstr (error->message, ==, "by_hour: must have 24 entries, has 23");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/service-json/round-trip", test_round_trip);
  g_test_add_func ("/service-json/null-figures", test_null_figures);
  g_test_add_func ("/service-json/malformed", test_malformed);
  return g_test_run ();
}
