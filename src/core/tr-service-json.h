/* tr-service-json.h: speed-of-service figures as the host sends them
 *
 * GET /api/v1/stats (docs/protocol.md) answers with one JSON object; the
 * host writes it from a TrServiceReport with tr_service_report_to_json()
 * and a station reads it back with tr_service_report_from_json(), so the
 * two ends share one description of the shape. Decoding is as strict as
 * the codec's (tr-codec.h): a member of the wrong type, a count below 0,
 * a by_hour without its 24 hours are TR_ERROR_INVALID errors whose
 * message is "<path>: <reason>"; a summary may be null (no ticket has
 * that time), which decodes to a summary of count 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tr-service-stats.h"

G_BEGIN_DECLS

JsonNode *
tr_service_report_to_json (const TrServiceReport *report);
TrServiceReport *
tr_service_report_from_json (JsonNode *node, GError **error);
/* Parses @data (@length bytes, or NUL-terminated when -1) with
 * tr_json_parse(), then decodes it. */
TrServiceReport *
tr_service_report_parse (const char *data, gssize length, GError **error);

G_END_DECLS
