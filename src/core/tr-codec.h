/* tr-codec.h: JSON for tickets, ops and events (json-glib)
 *
 * Decoding is strict: required fields must be present with the right
 * type, strings must be valid UTF-8 and within TR_MAX_TEXT_BYTES, lists
 * within their bounds (tr-ticket.h). Every rejection is a TR_ERROR_INVALID
 * GError whose message starts with the dotted path of the field, e.g.
 * "items[3].quantity: must be between 1 and 999". Unknown fields are
 * ignored so that a newer peer can add some.
 *
 * Encoding writes members in a fixed order and omits nothing, so the
 * same value always gives the same bytes: tr_ticket_hash() relies on it.
 * The field-by-field shapes are in docs/protocol.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tr-op.h"
#include "tr-ticket.h"

G_BEGIN_DECLS

#define TR_MAX_JSON_DEPTH 32
/* The largest op a station queues, encoded: alone in an "ops" frame it
 * must stay under the host's TR_MAX_FRAME_BYTES (tr-protocol.h), or the
 * host closes the link and the op blocks the outbox behind it. */
#define TR_MAX_OP_BYTES (60 * 1024)

JsonNode *tr_ticket_to_json   (const TrTicket *ticket);
TrTicket *tr_ticket_from_json (JsonNode *node, GError **error);

JsonNode *tr_item_to_json     (const TrItem *item);
TrItem   *tr_item_from_json   (JsonNode *node, GError **error);

JsonNode *tr_op_to_json       (const TrOp *op);
TrOp     *tr_op_from_json     (JsonNode *node, GError **error);

JsonNode *tr_event_to_json    (const TrEvent *event);
TrEvent  *tr_event_from_json  (JsonNode *node, GError **error);

/* Parses @data (@length bytes, or NUL-terminated when -1). Fails with
 * TR_ERROR_INVALID on invalid UTF-8, malformed JSON, or nesting deeper
 * than TR_MAX_JSON_DEPTH. */
JsonNode *tr_json_parse       (const char *data, gssize length, GError **error);

/* Compact serialization, no whitespace. */
char     *tr_json_to_string   (JsonNode *node);

/* Convenience wrappers for strings. */
char     *tr_ticket_to_string (const TrTicket *ticket);
char     *tr_op_to_string     (const TrOp *op);
char     *tr_event_to_string  (const TrEvent *event);
TrTicket *tr_ticket_from_string (const char *data, gssize length, GError **error);
TrOp     *tr_op_from_string     (const char *data, gssize length, GError **error);
TrEvent  *tr_event_from_string  (const char *data, gssize length, GError **error);

/* SHA-256 (hex) of the canonical JSON of @tickets (TrTicket*), sorted by
 * id, so two stores can be compared. */
char     *tr_tickets_hash     (GPtrArray *tickets);

G_END_DECLS
