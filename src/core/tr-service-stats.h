/* tr-service-stats.h: speed of service, the rules
 *
 * The host keeps, for every ticket, a few timestamps (TrTicketTiming)
 * and, for every item, when it was added and readied (TrItemTiming),
 * updated from each event in the event's own transaction
 * (tr-store-timings.c). The rules of what those timestamps mean, and
 * the figures a range of them gives, are here: no I/O, no clock but the
 * one passed in, unit-tested in tests/test-service-stats.c.
 *
 * The rules:
 *   - created: when the host created the ticket (its created_at).
 *   - started: the first time anything on the ticket was being made (an
 *     item preparing or beyond, or the ticket itself preparing or
 *     beyond). Never reset: a recall does not un-start a ticket.
 *   - ready: the LAST time the ticket entered ready. A recall back to
 *     the kitchen (ready → preparing), or an amendment that gives the
 *     kitchen more to make, clears it; the next ready sets it again. So
 *     time to ready is how long the guest waited for the food that was
 *     actually served. A recall from the pass (served → ready) keeps it
 *     and clears served. A ticket served without passing through ready
 *     counts as ready when served.
 *   - served: the last time the ticket was served.
 *   - cancelled: when it was cancelled. Cancelled tickets count in
 *     `cancelled` only, never in times, late or the ticket count.
 *   - an item's time to ready runs from when it was added (at creation,
 *     or by an amendment) to its last ready; a voided item counts nowhere.
 *
 * Percentiles are nearest-rank (p90 of 10 values is the 9th smallest);
 * averages are rounded to the nearest millisecond.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-ticket.h"

G_BEGIN_DECLS

/* 90 days: how long the host keeps timings, past the event log. */
#define TR_SERVICE_KEEP_MS ((gint64)90 * 24 * 60 * 60 * 1000)

typedef struct
{
  char *ticket_id;
  int number;
  char *table; /* NULL when none */
  TrOrderType order_type;
  gint64 created_at;
  gint64 started_at;   /* 0: not yet */
  gint64 ready_at;     /* 0: not ready now (see above) */
  gint64 served_at;    /* 0: not served now */
  gint64 cancelled_at; /* 0: not cancelled */
  int recalls;         /* times it went back (to the kitchen or from the pass) */
} TrTicketTiming;

typedef struct
{
  char *ticket_id;
  char *item_id;
  char *station; /* the route; NULL: none */
  gint64 added_at;
  gint64 ready_at; /* 0: not ready now */
  gboolean voided;
} TrItemTiming;

TrTicketTiming *
tr_ticket_timing_new (void);
TrTicketTiming *
tr_ticket_timing_copy (const TrTicketTiming *timing);
void
tr_ticket_timing_free (TrTicketTiming *timing);
TrItemTiming *
tr_item_timing_new (void);
void
tr_item_timing_free (TrItemTiming *timing);

/* Follows @timing from @before (NULL: the event created the ticket, and
 * @timing is filled in from scratch) to @after, an event applied at @at.
 * Returns TRUE when anything in @timing changed, i.e. the row needs
 * writing. */
gboolean
tr_ticket_timing_update (TrTicketTiming *timing, const TrTicket *before, const TrTicket *after,
                         gint64 at);
/* The same for one item of @ticket_id; @before NULL when the item is new
 * (created with the ticket or added by an amendment). */
gboolean
tr_item_timing_update (TrItemTiming *timing, const char *ticket_id, const TrItem *before,
                       const TrItem *after, gint64 at);

/* The three times of a ticket in ms, or -1 when not (yet) known:
 * created → started, created → ready, ready → served. */
gint64
tr_ticket_timing_start_ms (const TrTicketTiming *timing);
gint64
tr_ticket_timing_ready_ms (const TrTicketTiming *timing);
gint64
tr_ticket_timing_wait_ms (const TrTicketTiming *timing);
/* The item's time to ready, or -1. */
gint64
tr_item_timing_ready_ms (const TrItemTiming *timing);

typedef enum
{
  TR_LATENESS_ON_TIME,
  TR_LATENESS_WARNING,
  TR_LATENESS_LATE,
} TrLateness;

/* Against the kitchen's age colours (Preferences' warning and late
 * minutes): @elapsed_ms is late from @late_ms on, else a warning from
 * @warn_ms on. The same rule colours the Service view's hours. */
TrLateness
tr_lateness_of (gint64 elapsed_ms, gint64 warn_ms, gint64 late_ms);

/* The same for a ticket: its time to ready, or for a ticket not ready
 * yet its age at @now. A cancelled ticket is on time. */
TrLateness
tr_ticket_timing_lateness (const TrTicketTiming *timing, gint64 warn_ms, gint64 late_ms,
                           gint64 now);

/* count, avg, p50, p90, max of some durations; count 0: no data. */
typedef struct
{
  guint count;
  gint64 avg;
  gint64 p50;
  gint64 p90;
  gint64 max;
} TrDurationSummary;

/* Summarizes @values (gint64 ms); sorts them in place. */
void
tr_duration_summary_compute (GArray *values, TrDurationSummary *out);

typedef struct
{
  char *key;     /* station, order type ("dine_in"…); NULL: no station */
  guint tickets; /* per order type */
  guint items;   /* per station */
  guint late;
  TrDurationSummary ready;
} TrServiceGroup;

typedef struct
{
  /* The range and thresholds the figures are for: the caller's (the
   * host's answer, tr-service-json.h, carries them). */
  gint64 from;
  gint64 to;
  gint64 warn_ms;
  gint64 late_ms;
  guint tickets; /* not cancelled */
  guint cancelled;
  guint warning;
  guint late;
  guint recalls;
  TrDurationSummary start;
  TrDurationSummary ready;
  TrDurationSummary wait;
  GPtrArray *by_station;      /* TrServiceGroup*, by station name, the unrouted last */
  GPtrArray *by_order_type;   /* TrServiceGroup*, in TrOrderType order, only those seen */
  TrServiceGroup by_hour[24]; /* by the hour @tz gives created_at; key NULL */
} TrServiceReport;

/* A report of nothing (every count 0, every summary empty, the groups
 * empty), to be filled in: the JSON decoder's (tr-service-json.c). */
TrServiceReport *
tr_service_report_new_empty (void);
/* A group for @key (NULL: no station), owned by the report's arrays. */
TrServiceGroup *
tr_service_group_new (const char *key);

/* The figures of @tickets (TrTicketTiming*) and their @items
 * (TrItemTiming*, those of other tickets are ignored); hours in @tz
 * (NULL: local time). Sets warn_ms and late_ms, not from and to. */
TrServiceReport *
tr_service_report_new (const GPtrArray *tickets, const GPtrArray *items, gint64 warn_ms,
                       gint64 late_ms, gint64 now, GTimeZone *tz);
void
tr_service_report_free (TrServiceReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrTicketTiming, tr_ticket_timing_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrItemTiming, tr_item_timing_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrServiceReport, tr_service_report_free)

G_END_DECLS
