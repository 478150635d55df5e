/* tr-demo.h: realistic sample tickets for demos, screenshots and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-op.h"

G_BEGIN_DECLS

/* What `ticketrail --demo` seeds. */
#define TR_DEMO_N_TICKETS 12
/* The station id the demo's ops are issued by. */
#define TR_DEMO_STATION_ID "demo"

/* The ops that make @n_tickets open tickets (TrOp*, in the order they
 * must be applied): create_ticket ops, then a few status ops so that
 * some tickets are preparing or ready. Menu, tables and statuses come
 * from a fixed seed, so the same @n_tickets always gives the same
 * tickets (with fresh ticket, item and op ids); every op is issued by
 * TR_DEMO_STATION_ID at @now (ms). Pure: nothing is written. Submit them
 * like any other op (tr_station_submit_ops_async()), so that every
 * station sees them. */
GPtrArray *
tr_demo_build_ops (guint n_tickets, gint64 now);

G_END_DECLS
