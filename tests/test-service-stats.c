/* test-service-stats.c: the speed-of-service rules and figures
 *
 * Tickets go through tr_op_apply() at chosen times, as on the host, and
 * each event is followed the way the store follows it (tr-store-timings.c):
 * the rules then meet the real state machine, recalls and amendments
 * included.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-service-stats"

#include "tr-service-stats.h"

#include "tr-op.h"

#define MIN_MS ((gint64)60 * 1000)
/* 2026-03-10 12:00:00 UTC */
#define NOON ((gint64)1773144000 * 1000)

typedef struct
{
  TrTicket *ticket;
  TrTicketTiming *timing;
  GHashTable *items; /* item id → TrItemTiming* */
} Sim;

static void
sim_free (Sim *sim)
{
  tr_ticket_free (sim->ticket);
  tr_ticket_timing_free (sim->timing);
  g_hash_table_unref (sim->items);
  g_free (sim);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sim, sim_free)

/* Applies @op (owned) at @at and follows the timings; returns whether
 * the ticket's timing changed. */
static gboolean
step (Sim *sim, TrOp *op, gint64 at)
{
  g_autoptr (TrOp) owned = op;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrEvent) event = NULL;
  TrApplyContext ctx = { .seq = 0, .now = at, .number = 0 };
  gboolean changed;

  event = tr_op_apply (owned, sim->ticket, &ctx, &error);
  g_assert_no_error (error);
  changed = tr_ticket_timing_update (sim->timing, sim->ticket, event->ticket, at);
  for (guint i = 0; i < event->ticket->items->len; i++)
    {
      const TrItem *after = g_ptr_array_index (event->ticket->items, i);
      const TrItem *before = sim->ticket ? tr_ticket_find_item (sim->ticket, after->id) : NULL;
      TrItemTiming *timing = g_hash_table_lookup (sim->items, after->id);

      if (timing == NULL)
        {
          timing = tr_item_timing_new ();
          g_hash_table_insert (sim->items, g_strdup (after->id), timing);
        }
      tr_item_timing_update (timing, event->ticket->id, before, after, at);
    }
  tr_ticket_free (sim->ticket);
  sim->ticket = g_steal_pointer (&event->ticket);
  return changed;
}

static TrItem *
new_item (const char *id, const char *station)
{
  TrItem *item = tr_item_new ();

  item->id = g_strdup (id);
  item->name = g_strdup (id);
  item->quantity = 1;
  item->station = g_strdup (station);
  return item;
}

/* A ticket @id with a grill burger and fry fries, created at @at. */
static Sim *
sim_new (const char *id, TrOrderType type, gint64 at)
{
  g_autoptr (TrTicket) draft = tr_ticket_new ();
  Sim *sim = g_new0 (Sim, 1);

  sim->timing = tr_ticket_timing_new ();
  sim->items
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)tr_item_timing_free);
  draft->id = g_strdup (id);
  draft->number = 1001;
  draft->table = g_strdup ("12");
  draft->order_type = type;
  g_ptr_array_add (draft->items, new_item ("burger", "grill"));
  g_ptr_array_add (draft->items, new_item ("fries", "fry"));
  g_assert_true (step (sim, tr_op_new_create_ticket ("pos", draft), at));
  return sim;
}

static void
set_item (Sim *sim, const char *item, TrItemStatus status, gint64 at)
{
  step (sim, tr_op_new_set_item_status ("kds", sim->ticket->id, item, status), at);
}

static void
set_ticket (Sim *sim, TrTicketStatus status, gint64 at)
{
  step (sim, tr_op_new_set_ticket_status ("kds", sim->ticket->id, status), at);
}

/* The items' timings, borrowed (GLib 2.74 lacks
 * g_hash_table_get_values_as_ptr_array()). */
static GPtrArray *
values_of (GHashTable *table)
{
  GPtrArray *values = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (values, value);
  return values;
}

static TrItemTiming *
item_timing (Sim *sim, const char *id)
{
  return g_hash_table_lookup (sim->items, id);
}

static void
test_plain (void)
{
  g_autoptr (Sim) sim = sim_new ("t1", TR_ORDER_TYPE_DINE_IN, NOON);

  g_assert_cmpstr (sim->timing->ticket_id, ==, "t1");
  g_assert_cmpstr (sim->timing->table, ==, "12");
  g_assert_cmpint (sim->timing->created_at, ==, NOON);
  g_assert_cmpint (tr_ticket_timing_start_ms (sim->timing), ==, -1);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, -1);

  set_item (sim, "burger", TR_ITEM_STATUS_PREPARING, NOON + 2 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_start_ms (sim->timing), ==, 2 * MIN_MS);
  /* The second item starting does not move the start. */
  set_item (sim, "fries", TR_ITEM_STATUS_PREPARING, NOON + 4 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_start_ms (sim->timing), ==, 2 * MIN_MS);
  set_item (sim, "fries", TR_ITEM_STATUS_READY, NOON + 6 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, -1);
  set_item (sim, "burger", TR_ITEM_STATUS_READY, NOON + 9 * MIN_MS);
  g_assert_cmpint (sim->ticket->status, ==, TR_TICKET_STATUS_READY);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, 9 * MIN_MS);
  g_assert_cmpint (tr_item_timing_ready_ms (item_timing (sim, "fries")), ==, 6 * MIN_MS);
  g_assert_cmpint (tr_item_timing_ready_ms (item_timing (sim, "burger")), ==, 9 * MIN_MS);
  g_assert_cmpstr (item_timing (sim, "burger")->station, ==, "grill");
  g_assert_cmpint (tr_ticket_timing_wait_ms (sim->timing), ==, -1);

  set_ticket (sim, TR_TICKET_STATUS_SERVED, NOON + 10 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_wait_ms (sim->timing), ==, MIN_MS);
  g_assert_cmpint (tr_ticket_timing_lateness (sim->timing, 8 * MIN_MS, 15 * MIN_MS, NOON), ==,
                   TR_LATENESS_WARNING);
  g_assert_cmpint (tr_ticket_timing_lateness (sim->timing, 10 * MIN_MS, 15 * MIN_MS, NOON), ==,
                   TR_LATENESS_ON_TIME);
  g_assert_cmpint (tr_ticket_timing_lateness (sim->timing, 5 * MIN_MS, 9 * MIN_MS, NOON), ==,
                   TR_LATENESS_LATE);
  g_assert_cmpint (sim->timing->recalls, ==, 0);
}

/* Ready, recalled to the kitchen, ready again: the second ready counts,
 * the start stays. */
static void
test_recall_to_kitchen (void)
{
  g_autoptr (Sim) sim = sim_new ("t2", TR_ORDER_TYPE_DINE_IN, NOON);

  set_item (sim, "burger", TR_ITEM_STATUS_PREPARING, NOON + 1 * MIN_MS);
  set_ticket (sim, TR_TICKET_STATUS_READY, NOON + 5 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, 5 * MIN_MS);

  set_ticket (sim, TR_TICKET_STATUS_PREPARING, NOON + 6 * MIN_MS);
  g_assert_cmpint (sim->ticket->status, ==, TR_TICKET_STATUS_PREPARING);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, -1);
  g_assert_cmpint (sim->timing->recalls, ==, 1);
  /* Still late-ish while back in the kitchen: its age counts. */
  g_assert_cmpint (
    tr_ticket_timing_lateness (sim->timing, 8 * MIN_MS, 15 * MIN_MS, NOON + 16 * MIN_MS), ==,
    TR_LATENESS_LATE);

  set_ticket (sim, TR_TICKET_STATUS_READY, NOON + 12 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, 12 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_start_ms (sim->timing), ==, 1 * MIN_MS);
  set_ticket (sim, TR_TICKET_STATUS_SERVED, NOON + 13 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_wait_ms (sim->timing), ==, 1 * MIN_MS);
}

/* Served, recalled from the pass, served again: the ready stays, the
 * time at the pass runs to the last serve. */
static void
test_recall_from_pass (void)
{
  g_autoptr (Sim) sim = sim_new ("t3", TR_ORDER_TYPE_TAKEAWAY, NOON);

  set_ticket (sim, TR_TICKET_STATUS_READY, NOON + 7 * MIN_MS);
  /* Readied with nothing started: it started when it was ready. */
  g_assert_cmpint (tr_ticket_timing_start_ms (sim->timing), ==, 7 * MIN_MS);
  set_ticket (sim, TR_TICKET_STATUS_SERVED, NOON + 8 * MIN_MS);
  set_ticket (sim, TR_TICKET_STATUS_READY, NOON + 9 * MIN_MS);
  g_assert_cmpint (sim->timing->served_at, ==, 0);
  g_assert_cmpint (sim->timing->recalls, ==, 1);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, 7 * MIN_MS);
  set_ticket (sim, TR_TICKET_STATUS_SERVED, NOON + 11 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_wait_ms (sim->timing), ==, 4 * MIN_MS);
}

/* An item added later is timed from when it was added; a voided one
 * counts nowhere; the table moves with the ticket. */
static void
test_amendments (void)
{
  g_autoptr (Sim) sim = sim_new ("t4", TR_ORDER_TYPE_DINE_IN, NOON);
  TrOp *op;
  TrAmendment *amendment;
  g_autoptr (TrServiceReport) report = NULL;
  g_autoptr (GPtrArray) tickets = g_ptr_array_new ();
  g_autoptr (GPtrArray) items = NULL;

  op = tr_op_new_amend_ticket ("pos", "t4");
  amendment = tr_amendment_new (TR_AMEND_ADD_ITEM);
  amendment->item = new_item ("shake", "bar");
  g_ptr_array_add (op->amendments, amendment);
  amendment = tr_amendment_new (TR_AMEND_VOID_ITEM);
  amendment->item_id = g_strdup ("fries");
  g_ptr_array_add (op->amendments, amendment);
  amendment = tr_amendment_new (TR_AMEND_SET_TABLE);
  amendment->text = g_strdup ("14");
  g_ptr_array_add (op->amendments, amendment);
  g_assert_true (step (sim, op, NOON + 3 * MIN_MS));
  g_assert_cmpstr (sim->timing->table, ==, "14");
  g_assert_true (item_timing (sim, "fries")->voided);
  g_assert_cmpint (item_timing (sim, "shake")->added_at, ==, NOON + 3 * MIN_MS);

  set_item (sim, "shake", TR_ITEM_STATUS_READY, NOON + 5 * MIN_MS);
  set_item (sim, "burger", TR_ITEM_STATUS_READY, NOON + 10 * MIN_MS);
  g_assert_cmpint (sim->ticket->status, ==, TR_TICKET_STATUS_READY);
  g_assert_cmpint (tr_item_timing_ready_ms (item_timing (sim, "shake")), ==, 2 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, 10 * MIN_MS);

  g_ptr_array_add (tickets, sim->timing);
  items = values_of (sim->items);
  report = tr_service_report_new (tickets, items, 8 * MIN_MS, 15 * MIN_MS, NOON, NULL);
  /* bar and grill; the voided fries' fry is not there. */
  g_assert_cmpuint (report->by_station->len, ==, 2);
  g_assert_cmpstr (((TrServiceGroup *)report->by_station->pdata[0])->key, ==, "bar");
  g_assert_cmpuint (((TrServiceGroup *)report->by_station->pdata[0])->items, ==, 1);
  g_assert_cmpint (((TrServiceGroup *)report->by_station->pdata[0])->ready.avg, ==, 2 * MIN_MS);
  g_assert_cmpstr (((TrServiceGroup *)report->by_station->pdata[1])->key, ==, "grill");
  g_assert_cmpint (((TrServiceGroup *)report->by_station->pdata[1])->ready.max, ==, 10 * MIN_MS);
}

/* Cancelled and voided tickets count only as cancelled. */
static void
test_cancelled (void)
{
  g_autoptr (Sim) cancelled = sim_new ("t5", TR_ORDER_TYPE_DINE_IN, NOON);
  g_autoptr (Sim) voided = sim_new ("t6", TR_ORDER_TYPE_DINE_IN, NOON);
  g_autoptr (Sim) served = sim_new ("t7", TR_ORDER_TYPE_DINE_IN, NOON);
  g_autoptr (GPtrArray) tickets = g_ptr_array_new ();
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  g_autoptr (TrServiceReport) report = NULL;

  set_item (cancelled, "burger", TR_ITEM_STATUS_PREPARING, NOON + MIN_MS);
  set_ticket (cancelled, TR_TICKET_STATUS_CANCELLED, NOON + 40 * MIN_MS);
  g_assert_cmpint (cancelled->timing->cancelled_at, ==, NOON + 40 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_lateness (cancelled->timing, 1, 2, NOON + 60 * MIN_MS), ==,
                   TR_LATENESS_ON_TIME);

  /* Every item voided: the state machine cancels the ticket. */
  set_item (voided, "burger", TR_ITEM_STATUS_VOIDED, NOON + MIN_MS);
  set_item (voided, "fries", TR_ITEM_STATUS_VOIDED, NOON + 2 * MIN_MS);
  g_assert_cmpint (voided->ticket->status, ==, TR_TICKET_STATUS_CANCELLED);
  g_assert_cmpint (voided->timing->cancelled_at, >, 0);

  set_ticket (served, TR_TICKET_STATUS_READY, NOON + 4 * MIN_MS);
  set_ticket (served, TR_TICKET_STATUS_SERVED, NOON + 5 * MIN_MS);

  g_ptr_array_add (tickets, cancelled->timing);
  g_ptr_array_add (tickets, voided->timing);
  g_ptr_array_add (tickets, served->timing);
  g_ptr_array_extend_and_steal (items, values_of (cancelled->items));
  g_ptr_array_extend_and_steal (items, values_of (served->items));
  report
    = tr_service_report_new (tickets, items, 8 * MIN_MS, 15 * MIN_MS, NOON + 90 * MIN_MS, NULL);
  g_assert_cmpuint (report->tickets, ==, 1);
  g_assert_cmpuint (report->cancelled, ==, 2);
  g_assert_cmpuint (report->late, ==, 0);
  g_assert_cmpuint (report->ready.count, ==, 1);
  g_assert_cmpint (report->ready.avg, ==, 4 * MIN_MS);
  g_assert_cmpint (report->start.avg, ==, 4 * MIN_MS);
  /* Only the served ticket's items. */
  for (guint i = 0; i < report->by_station->len; i++)
    g_assert_cmpuint (((TrServiceGroup *)report->by_station->pdata[i])->items, ==, 1);
}

/* Ordered at 23:50, ready at 00:20: 30 minutes, in the 23:00 hour. */
static void
test_midnight (void)
{
  gint64 late_evening = NOON + 11 * 60 * MIN_MS + 50 * MIN_MS;
  g_autoptr (Sim) sim = sim_new ("t8", TR_ORDER_TYPE_DELIVERY, late_evening);
  g_autoptr (GPtrArray) tickets = g_ptr_array_new ();
  g_autoptr (TrServiceReport) report = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GTimeZone) kolkata = g_time_zone_new_identifier ("+05:30");

  set_item (sim, "burger", TR_ITEM_STATUS_PREPARING, late_evening + 5 * MIN_MS);
  set_ticket (sim, TR_TICKET_STATUS_READY, late_evening + 30 * MIN_MS);
  set_ticket (sim, TR_TICKET_STATUS_SERVED, late_evening + 32 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_ready_ms (sim->timing), ==, 30 * MIN_MS);
  g_assert_cmpint (tr_ticket_timing_wait_ms (sim->timing), ==, 2 * MIN_MS);

  g_ptr_array_add (tickets, sim->timing);
  report = tr_service_report_new (tickets, NULL, 8 * MIN_MS, 15 * MIN_MS, 0, utc);
  g_assert_cmpuint (report->by_hour[23].tickets, ==, 1);
  g_assert_cmpint (report->by_hour[23].ready.avg, ==, 30 * MIN_MS);
  g_assert_cmpuint (report->by_hour[23].late, ==, 1);
  g_assert_cmpuint (report->by_hour[0].tickets, ==, 0);
  g_assert_cmpuint (report->late, ==, 1);
  g_assert_cmpuint (report->by_order_type->len, ==, 1);
  g_assert_cmpstr (((TrServiceGroup *)report->by_order_type->pdata[0])->key, ==, "delivery");
  g_clear_pointer (&report, tr_service_report_free);

  /* 23:50 UTC is 05:20 the next morning in India. */
  g_assert_nonnull (kolkata);
  report = tr_service_report_new (tickets, NULL, 8 * MIN_MS, 15 * MIN_MS, 0, kolkata);
  g_assert_cmpuint (report->by_hour[5].tickets, ==, 1);
  g_assert_cmpuint (report->by_hour[23].tickets, ==, 0);
}

static void
test_summary (void)
{
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  TrDurationSummary summary;

  tr_duration_summary_compute (values, &summary);
  g_assert_cmpuint (summary.count, ==, 0);

  /* 10 … 1 minutes, shuffled: avg 5.5, p50 the 5th, p90 the 9th. */
  for (gint64 v = 10; v >= 1; v--)
    {
      gint64 ms = ((v * 7) % 10 + 1) * MIN_MS;

      g_array_append_val (values, ms);
    }
  tr_duration_summary_compute (values, &summary);
  g_assert_cmpuint (summary.count, ==, 10);
  g_assert_cmpint (summary.avg, ==, 5 * MIN_MS + 30000);
  g_assert_cmpint (summary.p50, ==, 5 * MIN_MS);
  g_assert_cmpint (summary.p90, ==, 9 * MIN_MS);
  g_assert_cmpint (summary.max, ==, 10 * MIN_MS);

  /* One value is every figure; three round the average. */
  g_array_set_size (values, 0);
  g_array_append_vals (values, (gint64[]){ 1, 2, 2 }, 3);
  tr_duration_summary_compute (values, &summary);
  g_assert_cmpint (summary.avg, ==, 2);
  g_assert_cmpint (summary.p50, ==, 2);
  g_assert_cmpint (summary.p90, ==, 2);
  g_assert_cmpint (summary.max, ==, 2);
}

/* Ten tickets ready in 1 … 10 minutes: the report's figures. */
static void
test_report (void)
{
  g_autoptr (GPtrArray) sims = g_ptr_array_new_with_free_func ((GDestroyNotify)sim_free);
  g_autoptr (GPtrArray) tickets = g_ptr_array_new ();
  g_autoptr (TrServiceReport) report = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

  for (int i = 1; i <= 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("r%d", i);
      gint64 created = NOON + (i % 2) * 60 * MIN_MS; /* 12:00 or 13:00 */
      Sim *sim = sim_new (id, i <= 4 ? TR_ORDER_TYPE_TAKEAWAY : TR_ORDER_TYPE_DINE_IN, created);

      set_item (sim, "burger", TR_ITEM_STATUS_PREPARING, created + 30000);
      set_ticket (sim, TR_TICKET_STATUS_READY, created + i * MIN_MS);
      if (i != 10)
        set_ticket (sim, TR_TICKET_STATUS_SERVED, created + i * MIN_MS + i * 1000);
      g_ptr_array_add (sims, sim);
      g_ptr_array_add (tickets, sim->timing);
    }
  report = tr_service_report_new (tickets, NULL, 8 * MIN_MS, 9 * MIN_MS, 0, utc);
  g_assert_cmpuint (report->tickets, ==, 10);
  g_assert_cmpuint (report->warning, ==, 1); /* 8 */
  g_assert_cmpuint (report->late, ==, 2);    /* 9, 10 */
  g_assert_cmpint (report->ready.avg, ==, 5 * MIN_MS + 30000);
  g_assert_cmpint (report->ready.p50, ==, 5 * MIN_MS);
  g_assert_cmpint (report->ready.p90, ==, 9 * MIN_MS);
  g_assert_cmpint (report->ready.max, ==, 10 * MIN_MS);
  g_assert_cmpint (report->start.avg, ==, 30000);
  /* Nine served, 1 … 9 s at the pass. */
  g_assert_cmpuint (report->wait.count, ==, 9);
  g_assert_cmpint (report->wait.avg, ==, 5000);
  g_assert_cmpint (report->wait.p90, ==, 9000);
  /* Odd ones at 13:00, even ones at 12:00. */
  g_assert_cmpuint (report->by_hour[12].tickets, ==, 5);
  g_assert_cmpint (report->by_hour[12].ready.avg, ==, 6 * MIN_MS);
  g_assert_cmpuint (report->by_hour[13].tickets, ==, 5);
  g_assert_cmpint (report->by_hour[13].ready.avg, ==, 5 * MIN_MS);
  g_assert_cmpuint (report->by_order_type->len, ==, 2);
  g_assert_cmpstr (((TrServiceGroup *)report->by_order_type->pdata[0])->key, ==, "dine_in");
  g_assert_cmpuint (((TrServiceGroup *)report->by_order_type->pdata[0])->tickets, ==, 6);
  g_assert_cmpuint (((TrServiceGroup *)report->by_order_type->pdata[0])->late, ==, 2);
  g_assert_cmpstr (((TrServiceGroup *)report->by_order_type->pdata[1])->key, ==, "takeaway");
  g_assert_cmpint (((TrServiceGroup *)report->by_order_type->pdata[1])->ready.p50, ==, 2 * MIN_MS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/service-stats/plain", test_plain);
  g_test_add_func ("/service-stats/recall-to-kitchen", test_recall_to_kitchen);
  g_test_add_func ("/service-stats/recall-from-pass", test_recall_from_pass);
  g_test_add_func ("/service-stats/amendments", test_amendments);
  g_test_add_func ("/service-stats/cancelled", test_cancelled);
  g_test_add_func ("/service-stats/midnight", test_midnight);
  g_test_add_func ("/service-stats/summary", test_summary);
  g_test_add_func ("/service-stats/report", test_report);
  return g_test_run ();
}
