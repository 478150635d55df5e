/* tr-application.h: the Ticketrail application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tr-store.h"
#include "tr-ticket-list.h"

G_BEGIN_DECLS

#define TR_TYPE_APPLICATION (tr_application_get_type ())
G_DECLARE_FINAL_TYPE (TrApplication, tr_application, TR, APPLICATION, AdwApplication)

/* The store's file inside the data folder. */
#define TR_STORE_FILE_NAME "ticketrail.db"

TrApplication *
tr_application_new (void);
/* NULL until a store is open, and when it could not be opened. */
TrStore *
tr_application_get_store (TrApplication *self);
/* The open tickets of the store; never NULL (empty without a store). */
TrTicketList *
tr_application_get_tickets (TrApplication *self);
/* NULL when the schema is not installed. */
GSettings *
tr_application_get_settings (TrApplication *self);
/* Why the store could not be opened, or NULL. */
const GError *
tr_application_get_store_error (TrApplication *self);

G_END_DECLS
