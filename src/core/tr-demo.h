/* tr-demo.h: realistic sample tickets for demos, screenshots and tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-store.h"

G_BEGIN_DECLS

/* What `ticketrail --demo` seeds. */
#define TR_DEMO_N_TICKETS 12
/* The station id the demo's ops are issued by. */
#define TR_DEMO_STATION_ID "demo"

/* Creates @n_tickets open tickets in @store with one tr_store_apply_ops()
 * call: create_ticket ops, then a few status ops so that some tickets are
 * preparing or ready. Menu, tables and statuses come from a fixed seed,
 * so the same @n_tickets always gives the same tickets (with fresh ids);
 * seeding twice adds a second set. FALSE with @error when the store fails
 * or rejects one of the ops. */
gboolean
tr_demo_seed (TrStore *store, guint n_tickets, GError **error);

G_END_DECLS
