/* tr-service-stats.c: speed of service, the rules (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-service-stats"

#include "tr-service-stats.h"

#include <string.h>

#include "tr-state-machine.h"

TrTicketTiming *
tr_ticket_timing_new (void)
{
  return g_new0 (TrTicketTiming, 1);
}

TrTicketTiming *
tr_ticket_timing_copy (const TrTicketTiming *timing)
{
  TrTicketTiming *copy = g_memdup2 (timing, sizeof *timing);

  copy->ticket_id = g_strdup (timing->ticket_id);
  copy->table = g_strdup (timing->table);
  return copy;
}

void
tr_ticket_timing_free (TrTicketTiming *timing)
{
  if (timing == NULL)
    return;
  g_free (timing->ticket_id);
  g_free (timing->table);
  g_free (timing);
}

TrItemTiming *
tr_item_timing_new (void)
{
  return g_new0 (TrItemTiming, 1);
}

void
tr_item_timing_free (TrItemTiming *timing)
{
  if (timing == NULL)
    return;
  g_free (timing->ticket_id);
  g_free (timing->item_id);
  g_free (timing->station);
  g_free (timing);
}

/* Sets *@field to @value, noting whether that changed it. */
static void
set_int (gint64 *field, gint64 value, gboolean *changed)
{
  if (*field != value)
    {
      *field = value;
      *changed = TRUE;
    }
}

static void
set_text (char **field, const char *value, gboolean *changed)
{
  if (g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
      *changed = TRUE;
    }
}

static gboolean
item_is_started (TrItemStatus status)
{
  return status == TR_ITEM_STATUS_PREPARING || status == TR_ITEM_STATUS_READY
         || status == TR_ITEM_STATUS_SERVED;
}

static gboolean
ticket_is_started (const TrTicket *ticket)
{
  if (ticket->status == TR_TICKET_STATUS_PREPARING || ticket->status == TR_TICKET_STATUS_READY
      || ticket->status == TR_TICKET_STATUS_SERVED)
    return TRUE;
  for (guint i = 0; i < ticket->items->len; i++)
    if (item_is_started (((const TrItem *)g_ptr_array_index (ticket->items, i))->status))
      return TRUE;
  return FALSE;
}

gboolean
tr_ticket_timing_update (TrTicketTiming *timing, const TrTicket *before, const TrTicket *after,
                         gint64 at)
{
  TrTicketStatus from = before != NULL ? before->status : TR_TICKET_STATUS_NEW;
  TrTicketStatus to = after->status;
  gboolean changed = FALSE;
  gint64 number = timing->number;
  gint64 order_type = timing->order_type;

  g_return_val_if_fail (timing != NULL && after != NULL, FALSE);

  if (before == NULL)
    {
      g_clear_pointer (&timing->table, g_free);
      timing->started_at = timing->ready_at = timing->served_at = timing->cancelled_at = 0;
      timing->recalls = 0;
      set_text (&timing->ticket_id, after->id, &changed);
      set_int (&timing->created_at, after->created_at, &changed);
      changed = TRUE;
    }

  /* An amendment may move the table. */
  set_int (&number, after->number, &changed);
  set_int (&order_type, after->order_type, &changed);
  timing->number = (int)number;
  timing->order_type = (TrOrderType)order_type;
  set_text (&timing->table, after->table, &changed);

  if (timing->started_at == 0 && ticket_is_started (after))
    set_int (&timing->started_at, at, &changed);

  if (from == to)
    return changed;
  switch (to)
    {
      case TR_TICKET_STATUS_NEW:
      case TR_TICKET_STATUS_PREPARING:
        /* Back to the kitchen: the ready that counts is the next one. */
        set_int (&timing->ready_at, 0, &changed);
        set_int (&timing->served_at, 0, &changed);
        if (tr_ticket_transition_is_recall (from, to))
          timing->recalls++, changed = TRUE;
        break;
      case TR_TICKET_STATUS_READY:
        if (from == TR_TICKET_STATUS_SERVED)
          {
            /* Recalled from the pass: the food was ready already. */
            set_int (&timing->served_at, 0, &changed);
            timing->recalls++, changed = TRUE;
            if (timing->ready_at == 0)
              set_int (&timing->ready_at, at, &changed);
          }
        else
          set_int (&timing->ready_at, at, &changed);
        break;
      case TR_TICKET_STATUS_SERVED:
        if (timing->ready_at == 0)
          set_int (&timing->ready_at, at, &changed);
        set_int (&timing->served_at, at, &changed);
        break;
      case TR_TICKET_STATUS_CANCELLED:
        set_int (&timing->cancelled_at, at, &changed);
        break;
      default:
        break;
    }
  return changed;
}

gboolean
tr_item_timing_update (TrItemTiming *timing, const char *ticket_id, const TrItem *before,
                       const TrItem *after, gint64 at)
{
  TrItemStatus from = before != NULL ? before->status : TR_ITEM_STATUS_PENDING;
  TrItemStatus to = after->status;
  gboolean changed = FALSE;

  g_return_val_if_fail (timing != NULL && after != NULL, FALSE);

  if (before == NULL)
    {
      set_text (&timing->ticket_id, ticket_id, &changed);
      set_text (&timing->item_id, after->id, &changed);
      timing->added_at = at;
      timing->ready_at = 0;
      timing->voided = FALSE;
      changed = TRUE;
    }
  set_text (&timing->station, after->station, &changed);

  if (from == to)
    return changed;
  switch (to)
    {
      case TR_ITEM_STATUS_PENDING:
      case TR_ITEM_STATUS_PREPARING:
        set_int (&timing->ready_at, 0, &changed);
        break;
      case TR_ITEM_STATUS_READY:
        if (from != TR_ITEM_STATUS_SERVED || timing->ready_at == 0)
          set_int (&timing->ready_at, at, &changed);
        break;
      case TR_ITEM_STATUS_SERVED:
        if (timing->ready_at == 0)
          set_int (&timing->ready_at, at, &changed);
        break;
      case TR_ITEM_STATUS_VOIDED:
        if (!timing->voided)
          timing->voided = TRUE, changed = TRUE;
        break;
      default:
        break;
    }
  return changed;
}

gint64
tr_ticket_timing_start_ms (const TrTicketTiming *timing)
{
  return timing->started_at > 0 ? MAX (timing->started_at - timing->created_at, 0) : -1;
}

gint64
tr_ticket_timing_ready_ms (const TrTicketTiming *timing)
{
  return timing->ready_at > 0 ? MAX (timing->ready_at - timing->created_at, 0) : -1;
}

gint64
tr_ticket_timing_wait_ms (const TrTicketTiming *timing)
{
  return timing->served_at > 0 && timing->ready_at > 0
           ? MAX (timing->served_at - timing->ready_at, 0)
           : -1;
}

gint64
tr_item_timing_ready_ms (const TrItemTiming *timing)
{
  return timing->ready_at > 0 && !timing->voided ? MAX (timing->ready_at - timing->added_at, 0)
                                                 : -1;
}

TrLateness
tr_lateness_of (gint64 elapsed, gint64 warn_ms, gint64 late_ms)
{
  if (elapsed >= late_ms)
    return TR_LATENESS_LATE;
  if (elapsed >= warn_ms)
    return TR_LATENESS_WARNING;
  return TR_LATENESS_ON_TIME;
}

TrLateness
tr_ticket_timing_lateness (const TrTicketTiming *timing, gint64 warn_ms, gint64 late_ms, gint64 now)
{
  gint64 ready = tr_ticket_timing_ready_ms (timing);

  if (timing->cancelled_at > 0)
    return TR_LATENESS_ON_TIME;
  return tr_lateness_of (ready >= 0 ? ready : now - timing->created_at, warn_ms, late_ms);
}

static int
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least @percent % of the
 * values at or below it. */
static gint64
nearest_rank (GArray *sorted, guint percent)
{
  guint rank = (sorted->len * percent + 99) / 100;

  return g_array_index (sorted, gint64, MAX (rank, 1) - 1);
}

void
tr_duration_summary_compute (GArray *values, TrDurationSummary *out)
{
  gint64 sum = 0;

  memset (out, 0, sizeof *out);
  if (values == NULL || values->len == 0)
    return;
  g_array_sort (values, compare_int64);
  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, gint64, i);
  out->count = values->len;
  out->avg = (sum + values->len / 2) / values->len;
  out->p50 = nearest_rank (values, 50);
  out->p90 = nearest_rank (values, 90);
  out->max = g_array_index (values, gint64, values->len - 1);
}

/* A group while it is being counted: its values, summarized at the end. */
typedef struct
{
  TrServiceGroup *group;
  GArray *values;
} Tally;

static void
tally_add (Tally *tally, gint64 ready_ms, TrLateness lateness)
{
  if (lateness == TR_LATENESS_LATE)
    tally->group->late++;
  if (ready_ms >= 0)
    g_array_append_val (tally->values, ready_ms);
}

static void
tally_finish (Tally *tally)
{
  tr_duration_summary_compute (tally->values, &tally->group->ready);
  g_array_unref (tally->values);
}

static Tally *
tally_for (GHashTable *tallies, GPtrArray *groups, const char *key)
{
  Tally *tally = g_hash_table_lookup (tallies, key != NULL ? key : "");

  if (tally == NULL)
    {
      tally = g_new0 (Tally, 1);
      tally->group = tr_service_group_new (key);
      tally->values = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_ptr_array_add (groups, tally->group);
      g_hash_table_insert (tallies, g_strdup (key != NULL ? key : ""), tally);
    }
  return tally;
}

static void
service_group_free (TrServiceGroup *group)
{
  g_free (group->key);
  g_free (group);
}

TrServiceGroup *
tr_service_group_new (const char *key)
{
  TrServiceGroup *group = g_new0 (TrServiceGroup, 1);

  group->key = g_strdup (key);
  return group;
}

TrServiceReport *
tr_service_report_new_empty (void)
{
  TrServiceReport *report = g_new0 (TrServiceReport, 1);

  report->by_station = g_ptr_array_new_with_free_func ((GDestroyNotify)service_group_free);
  report->by_order_type = g_ptr_array_new_with_free_func ((GDestroyNotify)service_group_free);
  return report;
}

static int
compare_station_groups (gconstpointer a, gconstpointer b)
{
  const TrServiceGroup *x = *(TrServiceGroup *const *)a;
  const TrServiceGroup *y = *(TrServiceGroup *const *)b;

  if (x->key == NULL || y->key == NULL)
    return (x->key == NULL) - (y->key == NULL);
  return g_utf8_collate (x->key, y->key);
}

static int
compare_order_type_groups (gconstpointer a, gconstpointer b)
{
  TrOrderType x = 0, y = 0;

  tr_order_type_from_string ((*(TrServiceGroup *const *)a)->key, &x);
  tr_order_type_from_string ((*(TrServiceGroup *const *)b)->key, &y);
  return (int)x - (int)y;
}

static void
finish_tallies (GHashTable *tallies)
{
  GHashTableIter iter;
  Tally *tally;

  g_hash_table_iter_init (&iter, tallies);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&tally))
    tally_finish (tally);
}

TrServiceReport *
tr_service_report_new (const GPtrArray *tickets, const GPtrArray *items, gint64 warn_ms,
                       gint64 late_ms, gint64 now, GTimeZone *tz)
{
  TrServiceReport *report = tr_service_report_new_empty ();
  g_autoptr (GTimeZone) local = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  g_autoptr (GArray) start = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) ready = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) wait = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) counted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) stations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) order_types
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Tally hours[24];

  report->warn_ms = warn_ms;
  report->late_ms = late_ms;
  for (guint h = 0; h < 24; h++)
    {
      hours[h].group = &report->by_hour[h];
      hours[h].values = g_array_new (FALSE, FALSE, sizeof (gint64));
    }

  for (guint i = 0; tickets != NULL && i < tickets->len; i++)
    {
      const TrTicketTiming *t = g_ptr_array_index (tickets, i);
      g_autoptr (GDateTime) created = NULL;
      gint64 ms;
      TrLateness lateness;
      Tally *tally;
      int hour = 0;

      if (t->cancelled_at > 0)
        {
          report->cancelled++;
          continue;
        }
      g_hash_table_add (counted, t->ticket_id);
      report->tickets++;
      report->recalls += t->recalls;
      lateness = tr_ticket_timing_lateness (t, warn_ms, late_ms, now);
      if (lateness == TR_LATENESS_LATE)
        report->late++;
      else if (lateness == TR_LATENESS_WARNING)
        report->warning++;
      if ((ms = tr_ticket_timing_start_ms (t)) >= 0)
        g_array_append_val (start, ms);
      if ((ms = tr_ticket_timing_wait_ms (t)) >= 0)
        g_array_append_val (wait, ms);
      if ((ms = tr_ticket_timing_ready_ms (t)) >= 0)
        g_array_append_val (ready, ms);

      tally
        = tally_for (order_types, report->by_order_type, tr_order_type_to_string (t->order_type));
      tally->group->tickets++;
      tally_add (tally, ms, lateness);

      /* The hour the guest ordered in: a ticket from 23:50 ready at
       * 00:20 belongs to 23:00. */
      created = g_date_time_new_from_unix_utc (t->created_at / 1000);
      if (created != NULL)
        {
          g_autoptr (GDateTime) there = g_date_time_to_timezone (created, local);

          hour = there != NULL ? g_date_time_get_hour (there) : 0;
        }
      hours[hour].group->tickets++;
      tally_add (&hours[hour], ms, lateness);
    }

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const TrItemTiming *item = g_ptr_array_index (items, i);
      gint64 ms = tr_item_timing_ready_ms (item);
      Tally *tally;

      if (item->voided || !g_hash_table_contains (counted, item->ticket_id))
        continue;
      tally = tally_for (stations, report->by_station, item->station);
      tally->group->items++;
      tally_add (tally, ms, tr_lateness_of (ms >= 0 ? ms : now - item->added_at, warn_ms, late_ms));
    }

  tr_duration_summary_compute (start, &report->start);
  tr_duration_summary_compute (ready, &report->ready);
  tr_duration_summary_compute (wait, &report->wait);
  finish_tallies (stations);
  finish_tallies (order_types);
  for (guint h = 0; h < 24; h++)
    tally_finish (&hours[h]);
  g_ptr_array_sort (report->by_station, compare_station_groups);
  g_ptr_array_sort (report->by_order_type, compare_order_type_groups);
  return report;
}

void
tr_service_report_free (TrServiceReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->by_station);
  g_ptr_array_unref (report->by_order_type);
  g_free (report);
}
